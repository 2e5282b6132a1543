#!/usr/bin/env bash
# Renders the after-action reports of two shipped scenarios, in Chinese and in English, in
# headless Chromium (Debian's `chromium`): the screen layout as screenshots checked by
# scripts/check_png.py (neither blank nor broken, the charts' colours present), and the A4 print
# layout through `drillsim report --pdf` checked by scripts/check_pdf.py (a PDF, one page at least
# per major part of the report). Run from the repository root after `cargo build --release`.
# Usage: scripts/check-report-in-browser.sh [OUT_DIR]   (default target/report-check;
# DRILLSIM_BIN=path overrides the binary, e.g. target/debug/drillsim)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${DRILLSIM_BIN:-target/release/drillsim}
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
        --window-size=1200,4200 --screenshot="$2" "file://$(realpath "$1")" >/dev/null 2>&1
    [[ -s $2 ]] || { echo "error: chromium wrote no screenshot for $1" >&2; exit 1; }
}

# levee breach: timeline with the level line (#9467bd), order dots (#1f77b4), evacuation (#2ca02c).
"$bin" run scenarios/levee-breach-0621.ron --orders scenarios/orders/levee-breach-0621.ron --out "$out/levee" >/dev/null
# acid spill: the intake concentration curve (#8c564b) and its threshold and onset (#d62728).
"$bin" run scenarios/acid-spill-0929.ron --orders scenarios/orders/acid-spill-0929.ron --out "$out/acid" >/dev/null
for lang in zh en; do
    "$bin" report "$out/levee" --lang "$lang" --pdf >/dev/null
    shot "$out/levee/report.$lang.html" "$out/levee.$lang.png"
    python3 scripts/check_png.py "$out/levee.$lang.png" --min-ink 0.03 --colour 9467bd --colour 2ca02c --colour 1f77b4
    python3 scripts/check_pdf.py "$out/levee/report.$lang.pdf" --min-pages 6

    "$bin" report "$out/acid" --lang "$lang" --pdf >/dev/null
    shot "$out/acid/report.$lang.html" "$out/acid.$lang.png"
    python3 scripts/check_png.py "$out/acid.$lang.png" --min-ink 0.03 --colour 8c564b --colour d62728 --colour 9467bd
    python3 scripts/check_pdf.py "$out/acid/report.$lang.pdf" --min-pages 6
done

# the checks must fail on a blank page
printf '<!DOCTYPE html><html><body></body></html>' >"$out/blank.html"
shot "$out/blank.html" "$out/blank.png"
if python3 scripts/check_png.py "$out/blank.png" 2>/dev/null; then
    echo "error: the screenshot check passed a blank page" >&2
    exit 1
fi
"$browser" --headless --no-sandbox --disable-gpu --no-first-run --no-pdf-header-footer \
    --print-to-pdf="$(realpath "$out")/blank.pdf" "file://$(realpath "$out/blank.html")" >/dev/null 2>&1
if python3 scripts/check_pdf.py "$out/blank.pdf" --min-pages 6 2>/dev/null; then
    echo "error: the PDF check passed a one-page blank document" >&2
    exit 1
fi
echo "report screenshots and PDFs OK: $out/{levee,acid}.{zh,en}.png, $out/{levee,acid}/report.{zh,en}.pdf"
