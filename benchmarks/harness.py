"""What every benchmark shares: Django on the test settings, a kept database of its own, and timing with SQL counts.

Call :func:`setup` before importing anything from Django or the package.
"""

import os
import statistics
import sys
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup(default_database: str):
    sys.path[:0] = [str(ROOT), str(ROOT / "sandbox")]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    # Its own database, kept between runs, never the test suite's.
    os.environ["TEST_DATABASE_NAME"] = os.environ.get("BENCH_DATABASE_NAME", default_database)
    import django

    django.setup()


@contextmanager
def bench_database():
    from django.test.utils import setup_databases, setup_test_environment, teardown_databases

    setup_test_environment()
    old_config = setup_databases(verbosity=0, interactive=False, keepdb=True)
    try:
        yield
    finally:
        teardown_databases(old_config, verbosity=0, keepdb=True)


def measure(call, repeats):
    """Median milliseconds and the SQL query count of ``call()`` (after one warm-up call), and its last result."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    call()
    timings, queries, result = [], None, None
    for _ in range(repeats):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            result = call()
            timings.append(time.perf_counter() - started)
        queries = len(captured)
    return statistics.median(timings) * 1000, queries, result
