"""Side effects that survive outages: a transactional outbox delivered by Huey.

A state change records each side effect it causes (an email, a text, a refund, a calendar write-back) as an
:class:`~.models.OutboxMessage` row in the same database transaction, so the effect exists exactly when the change
does. After the commit the message is handed to Huey; if the broker is down, nothing fails and a periodic sweep hands
it over again later. A message is delivered at most once at a time (a lease) and marked delivered only when its task
succeeded, so re-queued copies find it done and do nothing.
"""

from .dispatch import durable_task, enqueue

__all__ = ["durable_task", "enqueue"]
