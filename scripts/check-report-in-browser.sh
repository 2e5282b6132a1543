#!/usr/bin/env bash
# Renders the after-action report of two shipped scenarios in headless Chromium (Debian's
# `chromium`) and checks each screenshot is neither blank nor broken and shows its charts
# (scripts/check_png.py). Run from the repository root after `cargo build --release`.
# Usage: scripts/check-report-in-browser.sh [OUT_DIR]   (default target/report-check)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=target/release/drillsim
out=${1:-target/report-check}
browser=$(command -v chromium || command -v chromium-browser || true)
if [[ -z $browser ]]; then
    echo "error: chromium is not installed (Debian: apt-get install chromium)" >&2
    exit 2
fi
[[ -x $bin ]] || { echo "error: $bin missing: run cargo build --release first" >&2; exit 2; }
mkdir -p "$out"

shot() { # html png
    "$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars --no-first-run \
        --window-size=1200,2400 --screenshot="$2" "file://$(realpath "$1")" >/dev/null 2>&1
    [[ -s $2 ]] || { echo "error: chromium wrote no screenshot for $1" >&2; exit 1; }
}

# levee breach in Chinese: timeline with the level line (#9467bd), evacuation curve (#2ca02c).
"$bin" run scenarios/levee-breach-0621.ron --orders scenarios/orders/levee-breach-0621.ron --out "$out/levee" >/dev/null
"$bin" report "$out/levee" --lang zh >/dev/null
shot "$out/levee/report.html" "$out/levee.png"
python3 scripts/check_png.py "$out/levee.png" --min-ink 0.03 --colour 9467bd --colour 2ca02c --colour 1f77b4

# acid spill in English: the intake concentration curve (#8c564b) and its threshold (#d62728).
"$bin" run scenarios/acid-spill-0929.ron --orders scenarios/orders/acid-spill-0929.ron --out "$out/acid" >/dev/null
"$bin" report "$out/acid" --lang en >/dev/null
shot "$out/acid/report.html" "$out/acid.png"
python3 scripts/check_png.py "$out/acid.png" --min-ink 0.03 --colour 8c564b --colour d62728 --colour 9467bd

# the check must fail on a blank page
printf '<!DOCTYPE html><html><body></body></html>' >"$out/blank.html"
shot "$out/blank.html" "$out/blank.png"
if python3 scripts/check_png.py "$out/blank.png" 2>/dev/null; then
    echo "error: the screenshot check passed a blank page" >&2
    exit 1
fi
echo "report screenshots OK: $out/levee.png $out/acid.png"
