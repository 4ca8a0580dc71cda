"""Settings for the real Huey consumer processes started by tests (test_huey_redis.py, test_redis_outage.py)."""

import os
from datetime import datetime

import time_machine

from tests.settings import *  # noqa: F403

# The test's clock is pinned (tests/conftest.py): a test passes its "now" as CONSUMER_NOW, and the consumer starts
# at the same instant and ticks from there (without it the consumer runs on the real clock).
if os.environ.get("CONSUMER_NOW"):
    time_machine.travel(datetime.fromisoformat(os.environ["CONSUMER_NOW"]), tick=True).start()

HUEY = {"huey_class": "huey.RedisHuey", "name": os.environ["HUEY_QUEUE_NAME"], "url": os.environ["REDIS_URL"],
        "immediate": False, "utc": True}
EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = os.environ["EMAIL_FILE_PATH"]
DATABASES["default"]["NAME"] = os.environ["CONSUMER_DATABASE_NAME"]  # noqa: F405 - the test database itself
WAGTAIL_BOOKING = {**WAGTAIL_BOOKING,  # noqa: F405
                   "OUTBOX_SWEEP_AFTER_SECONDS": int(os.environ.get("OUTBOX_SWEEP_AFTER_SECONDS", "120"))}
