#!/usr/bin/env bash
# GUI smoke test, as a person would use it: opens `drillsim play` on a shipped scenario under
# Xvfb with software rendering (Mesa llvmpipe), runs the scripted demo for a few seconds, takes a
# screenshot and fails on a blank or broken frame. Also checks that the session wrote its journal
# and orders, and that the demo's GUI orders reached the journal through the one door.
#
# Needs: xvfb-run (Debian xvfb), a Vulkan driver (mesa-vulkan-drivers), a CJK font
# (fonts-wqy-microhei), and target/release/drillsim built with `--features gui`.
# Usage: scripts/gui-smoke.sh [OUT_DIR]   (default target/gui-smoke)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-target/gui-smoke}
bin=target/release/drillsim
[ -x "$bin" ] || { echo "gui-smoke: $bin is missing; build it with: cargo build --release --features gui" >&2; exit 2; }
command -v xvfb-run >/dev/null || { echo "gui-smoke: xvfb-run is missing (apt-get install xvfb)" >&2; exit 2; }
rm -rf "$out"
mkdir -p "$out"
# --skip-to: the breach (21 June 18:30) is +30.5 h into the scenario; start just after it so the
# flood, the evacuation and the teams are on the map.
xvfb-run -a -s "-screen 0 1280x800x24" \
    "$bin" play scenarios/levee-breach-0621.ron --demo --lang zh --skip-to +31h \
    --out "$out/session" --screenshot "$out/gui.png" --exit-after 10 2>&1 | tee "$out/play.log"
python3 scripts/check-screenshot.py "$out/gui.png"
# the session's records, like `drillsim live`
for f in journal.jsonl orders.ron summary.json; do
    [ -s "$out/session/$f" ] || { echo "gui-smoke: FAIL no $f written" >&2; exit 1; }
done
# the demo's report, given through the GUI's report form, was decided by the door and journaled
grep '"kind":"report_sent"' "$out/session/journal.jsonl" | grep -q 'demo: ' \
    || { echo "gui-smoke: FAIL the demo's report (from the GUI's form) is not in the journal" >&2; exit 1; }
# the exercise went on while the window was open
tail -1 "$out/session/journal.jsonl" | grep -q '"kind":"run_ended"' \
    || { echo "gui-smoke: FAIL the journal does not end with run_ended" >&2; exit 1; }
# same path, same journal: the session's OUT/orders.ron replayed headless up to the time the
# window closed gives the same entries (all but run_started, which names the order file, and the
# last step's: a run that stops early flushes its hourly aggregates there)
t_end=$(tail -1 "$out/session/journal.jsonl" | sed 's/.*"t":\([0-9]*\).*/\1/')
"$bin" run scenarios/levee-breach-0621.ron --orders "$out/session/orders.ron" --until "+${t_end}s" \
    --out "$out/replay" >/dev/null
python3 - "$out/session/journal.jsonl" "$out/replay/journal.jsonl" "$t_end" <<'PY'
import json, sys
def body(path, t_end):
    rows = [json.loads(l) for l in open(path, encoding="utf-8")]
    return [r for r in rows[1:] if r["t"] < t_end - rows[0]["step_s"] and r["kind"] != "run_ended"]
t_end = int(sys.argv[3])
a, b = body(sys.argv[1], t_end), body(sys.argv[2], t_end)
if a != b:
    diff = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    print(f"gui-smoke: FAIL the replay differs from the session at entry {diff}:")
    print("  session:", a[diff] if diff < len(a) else None)
    print("  replay: ", b[diff] if diff < len(b) else None)
    sys.exit(1)
print(f"gui-smoke: the replay of orders.ron gives the same {len(a)} entries (t < {t_end} s)")
PY
echo "gui-smoke: OK ($out/gui.png)"
