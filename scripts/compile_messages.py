#!/usr/bin/env python3
"""Compile the package's translations (wagtail_booking/locale/*/LC_MESSAGES/*.po) into the .mo files Django reads.

Pure Python (babel, which Oscar already needs): no GNU gettext / msgfmt on the machine. The .mo files are build
output, never committed: setup.py runs this when a wheel is built or the package is installed (also editable), the
Makefile's install stamps, scripts/test.sh and scripts/sandbox.sh run it, and so does the test suite's conftest.
Only catalogues whose .mo is missing or older than the .po are compiled; ``--force`` compiles all.

    python scripts/compile_messages.py [--force] [TARGET_LOCALE_DIR]
"""

import sys
from pathlib import Path

SOURCE = Path(__file__).resolve().parent.parent / "wagtail_booking" / "locale"


def compile_catalogues(source: Path = SOURCE, target: Path | None = None, force: bool = False) -> list[Path]:
    """Write ``target/<lang>/LC_MESSAGES/<domain>.mo`` for every ``.po`` under ``source`` (``target`` defaults to
    ``source``); returns the files written. Fuzzy entries are left out, as msgfmt does."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    target = target or source
    written = []
    for po_path in sorted(source.glob("*/LC_MESSAGES/*.po")):
        mo_path = target / po_path.relative_to(source).with_suffix(".mo")
        if not force and mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as po_file:
            catalogue = read_po(po_file, locale=po_path.parts[-3])
        mo_path.parent.mkdir(parents=True, exist_ok=True)
        partial = mo_path.with_suffix(".mo.partial")  # a reader never sees half a file
        with partial.open("wb") as mo_file:
            write_mo(mo_file, catalogue, use_fuzzy=False)
        partial.replace(mo_path)
        written.append(mo_path)
    return written


if __name__ == "__main__":
    args = [arg for arg in sys.argv[1:] if arg != "--force"]
    for path in compile_catalogues(target=Path(args[0]) if args else None, force="--force" in sys.argv):
        print(f"compiled {path}")
