"""Schemathesis against the served OpenAPI schema on a live server: every endpoint, all checks, bounded."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.factories.booking import ProviderFactory, ServiceFactory

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]
# Bounded to about 45 s here (2 shared cores). The coverage phase is left out: on schemathesis 4.32 it runs
# fine on Python 3.11.7 but is unbounded (about 2,000 requests, 190 s) and ignores the custom "phone" format;
# run it with WB_FUZZ_PHASES=examples,coverage,fuzzing,stateful when changing the API.
EXAMPLES = int(os.environ.get("WB_FUZZ_EXAMPLES", "20"))
PHASES = os.environ.get("WB_FUZZ_PHASES", "examples,fuzzing,stateful")
SEED = os.environ.get("WB_FUZZ_SEED", "8")


CONFIG = """
[dictionaries.services]
values = [{services}]
[dictionaries.providers]
values = [{providers}]
[parameters]
"path.service_id" = {{ dictionary = "services", probability = 0.7 }}
"body.service" = {{ dictionary = "services", probability = 0.7 }}
"body.provider" = {{ dictionary = "providers", probability = 0.5 }}
"query.provider" = {{ dictionary = "providers", probability = 0.5 }}
"""


def test_api_meets_its_schema(live_server, tmp_path):
    maya, noor = ProviderFactory(name="Maya"), ProviderFactory(name="Noor")
    services = [ServiceFactory(name="Consultation", providers=[maya]),
                ServiceFactory(name="Request", providers=[maya, noor], booking_mode="request")]
    config = tmp_path / "schemathesis.toml"
    config.write_text(CONFIG.format(services=", ".join(str(s.pk) for s in services),
                                    providers=", ".join(str(p.pk) for p in (maya, noor))))
    command = [sys.executable, "-m", "schemathesis.cli", "--config-file", str(config), "run",
               f"{live_server.url}/booking/api/openapi.json",
               "--checks", "all", "--phases", PHASES, "--max-examples", str(EXAMPLES), "--seed", SEED,
               "--workers", "1", "--no-color", "--continue-on-failure", "--request-timeout", "30"]
    environment = {**os.environ, "SCHEMATHESIS_HOOKS": "tests.api.schemathesis_hooks",
                   "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    result = subprocess.run(command, capture_output=True, text=True, timeout=600, cwd=tmp_path, env=environment)
    assert result.returncode == 0, result.stdout[-15000:] + result.stderr[-3000:]
