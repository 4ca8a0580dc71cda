"""``manage.py booking_rotate_keys``: re-encrypt stored secrets under the current key (see ``sync/crypto.py``)."""

from django.core.management.base import BaseCommand

from ...sync.crypto import reencrypt_stored_secrets
from ...webhooks.delivery import reencrypt_secrets as reencrypt_webhook_secrets


class Command(BaseCommand):
    help = ("Re-encrypt the stored calendar credentials and webhook signing secrets with the current ENCRYPTION_KEY "
            "(or SECRET_KEY). Run it after listing the old key in ENCRYPTION_KEY_FALLBACKS (or "
            "SECRET_KEY_FALLBACKS); afterwards the old key can be removed.")

    def handle(self, *args, **options):
        result = reencrypt_stored_secrets()
        webhooks, unreadable_webhooks = reencrypt_webhook_secrets()
        self.stdout.write(f"Re-encrypted {result.reencrypted + webhooks} stored secret(s) under the current key.")
        if unreadable_webhooks:
            self.stderr.write(self.style.WARNING(
                "No current or fallback key decrypts these; make a new signing secret on each endpoint's page: "
                + "; ".join(unreadable_webhooks)))
        if result.unreadable:
            self.stderr.write(self.style.WARNING(
                "No current or fallback key decrypts these; their owners must connect the calendar again: "
                + "; ".join(result.unreadable)))
