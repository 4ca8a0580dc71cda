"""Record side effects in the caller's transaction; deliver them through Huey after the commit."""

from __future__ import annotations

import functools
import logging
from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import import_string
from huey.contrib.djhuey import db_task

from ..conf import booking_settings
from .models import OutboxMessage

logger = logging.getLogger(__name__)

# How long one delivery attempt may run before another worker may try the same message.
LEASE = timedelta(minutes=10)


def durable_task(retries=3, retry_delay=60, retry_backoff=2, pass_final_attempt=False, **options):
    """Declare a Huey task whose calls go through the outbox: call it with ``enqueue(task, *args)``.

    The decorated function receives the arguments given to :func:`enqueue` (JSON values: ids, strings). It runs at
    most once successfully per message; it is retried ``retries`` times with backoff, and by the sweep when a retry
    was lost with the broker. The Huey task itself takes only the message id. With ``pass_final_attempt`` the
    function also gets ``final_attempt=True`` on its last try (to record a failure instead of raising for a retry).
    """

    def decorator(func):
        @functools.wraps(func)
        def run(message_id, task=None):
            return deliver(message_id, func, pass_final_attempt)

        wrapper = db_task(retries=retries, retry_delay=retry_delay, retry_backoff=retry_backoff, context=True,
                          **options)(run)
        wrapper.outbox_path = f"{func.__module__}.{func.__name__}"
        wrapper.outbox_attempts = retries + 1
        wrapper.body = func
        return wrapper

    return decorator


def enqueue(task, *args) -> OutboxMessage:
    """Record ``task(*args)`` in the current transaction and hand it to Huey once that transaction commits."""
    if not hasattr(task, "outbox_path"):
        raise TypeError(f"{task!r} is not declared with @durable_task")
    message = OutboxMessage.objects.create(task=task.outbox_path, args=list(args),
                                           max_attempts=task.outbox_attempts)
    transaction.on_commit(functools.partial(push, message.pk, task))
    return message


def push(message_id, task=None) -> bool:
    """Hand a message to Huey. A broker outage is logged, not raised: the sweep hands it over again later."""
    OutboxMessage.objects.filter(pk=message_id).update(pushed_at=timezone.now())
    try:
        task = task or import_string(OutboxMessage.objects.values_list("task", flat=True).get(pk=message_id))
        task(message_id)
    except Exception:
        logger.warning("Could not queue side effect %s now; the outbox sweep will queue it again", message_id,
                       exc_info=True)
        return False
    return True


def deliver(message_id, func, pass_final_attempt=False):
    """Run one message's function under a lease; mark it delivered, or record the error and let Huey retry."""
    message = _claim(message_id)
    if message is None:
        return None  # delivered already, given up on, or being delivered by another worker right now
    try:
        kwargs = {"final_attempt": message.attempts >= message.max_attempts} if pass_final_attempt else {}
        result = func(*message.args, **kwargs)
    except Exception as error:
        _record_failure(message, error)
        raise
    OutboxMessage.objects.filter(pk=message.pk).update(delivered_at=timezone.now(), leased_until=None,
                                                        last_error="")
    return result


def _claim(message_id):
    now = timezone.now()
    with transaction.atomic():
        message = OutboxMessage.objects.pending().select_for_update().filter(pk=message_id).first()
        if message is None or (message.leased_until and message.leased_until > now):
            return None
        message.attempts += 1
        message.leased_until = now + LEASE
        message.save(update_fields=["attempts", "leased_until"])
    return message


def _record_failure(message, error):
    now = timezone.now()
    final = message.attempts >= message.max_attempts
    OutboxMessage.objects.filter(pk=message.pk).update(
        leased_until=None, pushed_at=now, last_error=f"{type(error).__name__}: {error}"[:2000],
        failed_at=now if final else None)
    log = logger.error if final else logger.warning
    log("Side effect %s (%s%s) failed on attempt %s of %s: %s", message.pk, message.task, tuple(message.args),
        message.attempts, message.max_attempts, error)


def sweep(now=None, limit=500) -> int:
    """Hand over again every pending message that Huey should have run by now; returns how many."""
    now = now or timezone.now()
    due = now - timedelta(seconds=booking_settings.OUTBOX_SWEEP_AFTER_SECONDS)
    # pushed_at is empty when the process stopped between the commit and the hand-over.
    stale = (OutboxMessage.objects.pending()
             .filter(Q(pushed_at__lt=due) | Q(pushed_at__isnull=True, created_at__lt=due))
             .exclude(leased_until__gt=now).order_by("pk").values_list("pk", flat=True)[:limit])
    count = 0
    for message_id in list(stale):
        if not push(message_id):
            break  # the broker is still down: the next sweep tries again
        count += 1
    return count


def purge_delivered(now=None, keep=timedelta(days=30)) -> int:
    """Delivered messages are the record of what went out; keep them for ``keep``, then delete them."""
    deleted, _ = OutboxMessage.objects.filter(delivered_at__lt=(now or timezone.now()) - keep).delete()
    return deleted
