"""Outbound webhooks: a business's booking and payment events, POSTed signed to addresses it registers.

Events are recorded in the transaction of the change (so a rolled-back change sends nothing), delivered by Huey
through the outbox, retried with backoff for about three days, kept in order per booking and endpoint, and logged
in the admin, where a delivery can be replayed. An endpoint that fails for the whole retry period is disabled and
its owner emailed. Receivers check signatures with :func:`verify_signature` (see docs/howto/webhooks.md).
"""

from .signing import SIGNATURE_HEADER, verify_signature

__all__ = ["SIGNATURE_HEADER", "verify_signature"]
