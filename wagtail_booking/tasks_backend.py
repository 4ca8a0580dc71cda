"""A django-tasks backend for Wagtail's own background work (reference index, search index) on Huey.

Huey's backend enqueues at once, inside the transaction that saved the page or snippet: the task may run before
the commit (and find nothing), and with the broker down the save itself fails. This one enqueues after the commit,
and a broker outage is logged instead of failing the request (the reference index can be rebuilt with
``manage.py rebuild_references_index``).

``TASKS = {"default": {"BACKEND": "wagtail_booking.tasks_backend.HueyOnCommitBackend"}}``
"""

import functools
import logging

from django.db import transaction
from huey.contrib.djhuey import tasks_backend

logger = logging.getLogger(__name__)


class HueyOnCommitBackend(tasks_backend.HueyBackend):
    def __init__(self, alias, params):
        super().__init__(alias, params)
        self.enqueue_on_commit = False  # we defer ourselves, robustly

    def enqueue(self, task, args, kwargs):
        if transaction.get_connection().in_atomic_block:
            self.validate_task(task)
            transaction.on_commit(functools.partial(self._enqueue_or_log, task, args, kwargs))
            return None
        return self._enqueue_or_log(task, args, kwargs)

    def _enqueue_or_log(self, task, args, kwargs):
        try:
            return super().enqueue(task, args, kwargs)
        except Exception:
            logger.warning("Could not queue %s; the broker is unavailable", task.module_path, exc_info=True)
            return None
