"""Settings for a real Huey consumer process started by tests/notifications/test_huey_redis.py."""

import os

from tests.settings import *  # noqa: F403

HUEY = {"huey_class": "huey.RedisHuey", "name": os.environ["HUEY_QUEUE_NAME"], "url": os.environ["REDIS_URL"],
        "immediate": False, "utc": True}
EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = os.environ["EMAIL_FILE_PATH"]
DATABASES["default"]["NAME"] = os.environ["CONSUMER_DATABASE_NAME"]  # noqa: F405 - the test database itself
WAGTAIL_BOOKING = {**WAGTAIL_BOOKING,  # noqa: F405
                   "OUTBOX_SWEEP_AFTER_SECONDS": int(os.environ.get("OUTBOX_SWEEP_AFTER_SECONDS", "120"))}
