"""Run a few actions at the same moment, each on its own thread and database connection."""

import threading

from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client


def race(*actions):
    """Start every action together (a barrier) in its own thread; return what each returned or raised.

    Django gives each thread its own connection, so the actions meet in the database as separate clients would.
    """
    barrier = threading.Barrier(len(actions))
    results = [None] * len(actions)

    def run(index, action):
        try:
            barrier.wait()
            results[index] = action()
        except Exception as error:  # noqa: BLE001 - handed back to the test, which asserts on it
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, action)) for i, action in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def later(steps, action):
    """``action`` after ``steps`` loads of a small public page.

    Real work instead of a sleep: sweeping ``steps`` over the rounds moves one side's start across the other's
    critical moment, so every interleaving is tried, whatever the machine's speed.
    """
    def run():
        client = Client()
        for _ in range(steps):
            assert client.get("/booking/api/services").status_code == 200
        return action()
    return run


def staff_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def staff_action(client, booking, action):
    """Press an action button on the booking's admin page; returns the messages it left (success or error)."""
    return _messages(client, f"/admin/bookings/action/{booking.pk}/{action}/", {})


def staff_refund(client, booking, amount):
    return _messages(client, f"/admin/bookings/refund/{booking.pk}/", {"amount": amount})


def _messages(client, url, data):
    client.cookies.pop("messages", None)  # only this request's messages (the page after the redirect is not read)
    response = client.post(url, data)
    assert response.status_code == 302, response.status_code
    return [(message.level_tag, str(message)) for message in get_messages(response.wsgi_request)]


def succeeded(messages) -> bool:
    """True for an admin action that reported success, False for one that reported why not."""
    levels = {level for level, _ in messages}
    assert len(messages) == 1 and levels <= {"success", "error"}, messages
    return levels == {"success"}
