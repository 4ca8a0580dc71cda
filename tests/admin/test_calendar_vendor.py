"""The vendored FullCalendar bundle is the one package-lock.json names: identical to node_modules' copy."""

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
VENDOR = ROOT / "wagtail_booking" / "static" / "wagtail_booking" / "vendor" / "fullcalendar"
COPIES = {  # vendored file: its source in node_modules (as scripts/vendor_fullcalendar.sh copies them)
    "index.global.min.js": "fullcalendar/index.global.min.js",
    "locales-all.global.min.js": "@fullcalendar/core/locales-all.global.min.js",
    "LICENSE.md": "fullcalendar/LICENSE.md",
    "LICENSE-preact": "preact/LICENSE",
}


def test_vendored_files_ship_with_the_package():
    for name in COPIES:
        assert (VENDOR / name).is_file(), f"{name} is missing: run scripts/vendor_fullcalendar.sh"
    assert "FullCalendar Standard Bundle v" in (VENDOR / "index.global.min.js").read_text()[:200]


def test_vendored_version_is_the_lockfiles():
    lock = json.loads((ROOT / "package-lock.json").read_text())
    version = lock["packages"]["node_modules/fullcalendar"]["version"]
    assert f"FullCalendar Standard Bundle v{version}" in (VENDOR / "index.global.min.js").read_text()[:200], (
        "the vendored bundle is not the version package-lock.json names: run scripts/vendor_fullcalendar.sh")
    for package in ("fullcalendar", "@fullcalendar/core", "preact"):
        assert lock["packages"][f"node_modules/{package}"]["license"] == "MIT", f"{package} is not MIT-licensed"


@pytest.mark.skipif(not (ROOT / "node_modules" / "fullcalendar").is_dir(),
                    reason="node_modules is not installed (npm ci): nothing to compare the vendored files with")
def test_vendored_files_are_node_modules_copies():
    for name, source in COPIES.items():
        assert (VENDOR / name).read_bytes() == (ROOT / "node_modules" / source).read_bytes(), (
            f"{name} differs from node_modules/{source}: run scripts/vendor_fullcalendar.sh after npm ci")
