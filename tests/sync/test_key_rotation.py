"""Stored Google credentials across a key rotation: fallbacks decrypt, ``booking_rotate_keys`` re-encrypts."""

from io import StringIO

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command

from tests.factories.booking import ProviderFactory
from tests.helpers import ny
from tests.sync.conftest import ACCOUNT
from wagtail_booking.snippets.models import BusyBlock
from wagtail_booking.sync import crypto
from wagtail_booking.sync.models import CalendarConnection
from wagtail_booking.tasks import calendar_sync_task as google_sync_task

OLD_KEY = "old-secret-key-" + "x" * 40
NEW_KEY = "new-secret-key-" + "y" * 40


@pytest.fixture
def old_key(settings):
    """Connected under OLD_KEY: request it before ``connected``."""
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = OLD_KEY, []
    return settings


def booking_setting(settings, **values):
    settings.WAGTAIL_BOOKING = {**settings.WAGTAIL_BOOKING, **values}


def rotate_keys():
    out, err = StringIO(), StringIO()
    call_command("booking_rotate_keys", stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def busy_titles(provider):
    return sorted(BusyBlock.objects.filter(provider=provider, source="google").values_list("title", flat=True))


def test_rotated_secret_key_keeps_the_connection_and_the_command_moves_it_to_the_new_key(
        old_key, connected, google, provider, monday):
    encrypted_before = CalendarConnection.objects.get(pk=connected.pk).credentials
    old_key.SECRET_KEY, old_key.SECRET_KEY_FALLBACKS = NEW_KEY, [OLD_KEY]

    google.add_event(ACCOUNT, ny(monday, 10), ny(monday, 11), summary="Dentist")
    google_sync_task(connected.pk)  # decrypts with the fallback
    assert CalendarConnection.objects.get(pk=connected.pk).status == "connected"
    assert busy_titles(provider) == ["Dentist"]

    out, err = rotate_keys()
    assert "Re-encrypted 1 stored secret" in out and not err
    connection = CalendarConnection.objects.get(pk=connected.pk)
    assert connection.credentials != encrypted_before
    assert crypto.decrypt(connection.credentials) == crypto.decrypt(encrypted_before)

    old_key.SECRET_KEY_FALLBACKS = []  # the old key retired
    google.add_event(ACCOUNT, ny(monday, 12), ny(monday, 13), summary="Lunch")
    google_sync_task(connected.pk)
    assert CalendarConnection.objects.get(pk=connected.pk).status == "connected"
    assert busy_titles(provider) == ["Dentist", "Lunch"]


def test_retiring_the_old_key_without_the_command_needs_a_reconnect(old_key, connected, google):
    """The control case: without re-encryption nothing else can read what the old key encrypted."""
    old_key.SECRET_KEY, old_key.SECRET_KEY_FALLBACKS = NEW_KEY, []
    google_sync_task(connected.pk)
    assert CalendarConnection.objects.get(pk=connected.pk).status == "reconnect"


@pytest.mark.django_db
def test_encryption_key_rotation_and_unreadable_rows(settings, provider):
    settings.SECRET_KEY = OLD_KEY
    under_secret_key = CalendarConnection.objects.create(provider=provider, kind="google",
                                                         credentials=crypto.encrypt('{"a": 1}'),
                                                         oauth_verifier=crypto.encrypt("verifier"))
    booking_setting(settings, ENCRYPTION_KEY="unrelated")
    lost = CalendarConnection.objects.create(provider=ProviderFactory(), kind="google",
                                             credentials=crypto.encrypt('{"b": 2}'))
    # The site moves from SECRET_KEY to its own ENCRYPTION_KEY, naming the old secret as a fallback.
    booking_setting(settings, ENCRYPTION_KEY="encryption-key-1", ENCRYPTION_KEY_FALLBACKS=[OLD_KEY])
    assert crypto.decrypt(under_secret_key.credentials) == '{"a": 1}'
    with pytest.raises(crypto.InvalidToken):
        crypto.decrypt(lost.credentials)

    out, err = rotate_keys()
    assert "Re-encrypted 2 stored secret" in out
    assert f"provider {lost.provider_id}: credentials" in err and "connect the calendar again" in err
    assert CalendarConnection.objects.get(pk=lost.pk).credentials == lost.credentials  # left as it was

    booking_setting(settings, ENCRYPTION_KEY_FALLBACKS=[])
    settings.SECRET_KEY = NEW_KEY
    stored = CalendarConnection.objects.get(pk=under_secret_key.pk)
    assert crypto.decrypt(stored.credentials) == '{"a": 1}' and crypto.decrypt(stored.oauth_verifier) == "verifier"

    booking_setting(settings, ENCRYPTION_KEY="encryption-key-2", ENCRYPTION_KEY_FALLBACKS=["encryption-key-1"])
    assert "Re-encrypted 2 stored secret" in rotate_keys()[0]
    booking_setting(settings, ENCRYPTION_KEY_FALLBACKS=[])
    assert crypto.decrypt(CalendarConnection.objects.get(pk=under_secret_key.pk).credentials) == '{"a": 1}'


@pytest.mark.parametrize("fallbacks", ["old-key", [""], [None]])
def test_malformed_fallbacks_say_how_to_fix_them(settings, fallbacks):
    booking_setting(settings, ENCRYPTION_KEY_FALLBACKS=fallbacks)
    with pytest.raises(ImproperlyConfigured, match="must be a list of the earlier keys"):
        crypto.encrypt("x")
