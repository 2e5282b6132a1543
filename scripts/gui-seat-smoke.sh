#!/usr/bin/env bash
# The GUI as a seat of `drillsim serve`, end to end under Xvfb: starts a server on the demo
# county (paused, loopback, an ephemeral port), opens `drillsim play --connect ADDR --token T`
# with the water bureau's seat, takes a screenshot and fails on a blank or broken frame
# (scripts/check-screenshot.py), then stops the server. The client's orders, acks and decisions
# against a real server are tested by tests/it/seat.rs (`cargo test --features serve,seat --test it seat::`).
#
# Two binaries, because building `--features gui,serve` together is heavy: the GUI
# (target/release/drillsim, `cargo build --release --features gui`) and a server
# (SERVE_BIN, default target/debug/drillsim from `cargo build --features serve`).
# Usage: scripts/gui-seat-smoke.sh [OUT_DIR] [SEAT]   (defaults target/gui-seat-smoke, facilitator)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-target/gui-seat-smoke}
seat=${2:-facilitator}
gui=${GUI_BIN:-target/release/drillsim}
server=${SERVE_BIN:-target/debug/drillsim}
[ -x "$gui" ] || { echo "gui-seat-smoke: $gui is missing (cargo build --release --features gui)" >&2; exit 2; }
[ -x "$server" ] || { echo "gui-seat-smoke: $server is missing (cargo build --features serve)" >&2; exit 2; }
command -v xvfb-run >/dev/null || { echo "gui-seat-smoke: xvfb-run is missing (apt-get install xvfb)" >&2; exit 2; }
rm -rf "$out"
mkdir -p "$out"
"$server" serve scenarios/demo-county.ron --out "$out/room" --listen 127.0.0.1:0 --speed 600 >"$out/serve.log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null || true' EXIT
for _ in $(seq 1 300); do
    grep -q 'listening on http://' "$out/serve.log" && break
    sleep 0.1
done
addr=$(sed -n 's|.*listening on http://\([^/ ]*\).*|\1|p' "$out/serve.log" | head -1)
[ -n "$addr" ] || { echo "gui-seat-smoke: FAIL the server did not start:" >&2; cat "$out/serve.log" >&2; exit 1; }
token=$(python3 -c 'import json,sys; print(next(s["token"] for s in json.load(open(sys.argv[1]))["seats"] if s["name"]==sys.argv[2]))' \
    "$out/room/seats.json" "$seat")
xvfb-run -a -s "-screen 0 1280x800x24" \
    "$gui" play --connect "$addr" --token "$token" --lang "${LANG_UI:-zh}" \
    --screenshot "$out/seat.png" --exit-after 12 2>&1 | tee "$out/play.log"
# a seat's window shows only what its seat may see: less text than the local GUI's
MIN_TEXT_SHARE=0.001 python3 scripts/check-screenshot.py "$out/seat.png"
echo "gui-seat-smoke: OK ($out/seat.png, seat $seat of the server at $addr)"
