#!/bin/sh
# Copy FullCalendar's MIT browser bundle (and the preact it bundles) from node_modules into the package's static
# files, so the admin calendar works when the package is installed from PyPI without npm. Run after changing the
# fullcalendar version in package.json (`make vendor`); tests/admin/test_calendar_vendor.py fails when they drift.
set -eu
cd "$(dirname "$0")/.."
src=node_modules
dest=wagtail_booking/static/wagtail_booking/vendor/fullcalendar
if [ ! -f "$src/fullcalendar/index.global.min.js" ]; then
    echo "node_modules/fullcalendar is missing: run npm ci first." >&2
    exit 1
fi
mkdir -p "$dest"
cp "$src/fullcalendar/index.global.min.js" "$dest/index.global.min.js"
cp "$src/@fullcalendar/core/locales-all.global.min.js" "$dest/locales-all.global.min.js"
cp "$src/fullcalendar/LICENSE.md" "$dest/LICENSE.md"
cp "$src/preact/LICENSE" "$dest/LICENSE-preact"
echo "Vendored fullcalendar $(node -p "require('./$src/fullcalendar/package.json').version") into $dest"
