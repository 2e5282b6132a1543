#!/usr/bin/env bash
# The pages of `drillsim serve` in headless Chromium (Debian's `chromium`): a player, the
# facilitator and an evaluator log in with their tokens; the player gives an order from the form
# and sees its answer; the facilitator resumes and sets the speed; the evaluator records an
# observation. Screenshots are checked with scripts/check_png.py. Needs Node 20+ (no npm package)
# and `cargo build --release --features serve` first.
# Usage: scripts/check-serve-in-browser.sh [OUT_DIR]   (default target/serve-check)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${DRILLSIM_BIN:-target/release/drillsim}
out=${1:-target/serve-check}
browser=$(command -v chromium || command -v chromium-browser || true)
[[ -n $browser ]] || { echo "error: chromium is not installed (Debian: apt-get install chromium)" >&2; exit 2; }
[[ -x $bin ]] || { echo "error: $bin missing: run cargo build --release --features serve first" >&2; exit 2; }
rm -rf "$out" && mkdir -p "$out"
node_ws=()
node -e 'process.exit(typeof WebSocket === "undefined" ? 1 : 0)' || node_ws=(--experimental-websocket)

"$bin" serve scenarios/demo-county.ron --out "$out/room" --listen 127.0.0.1:0 --paused --speed 60 \
    >"$out/serve.out" 2>"$out/serve.err" &
server=$!
profile=$(mktemp -d)
cleanup() {
    kill "$server" 2>/dev/null || true
    if [[ -n ${chrome:-} ]]; then kill "$chrome" 2>/dev/null || true; wait "$chrome" 2>/dev/null || true; fi
    rm -rf "$profile" 2>/dev/null || true
}
trap cleanup EXIT
for _ in $(seq 100); do grep -q "listening on" "$out/serve.out" 2>/dev/null && break; sleep 0.1; done
addr=$(sed -n 's|.*listening on http://\([^/]*\)/.*|\1|p' "$out/serve.out")
[[ -n $addr ]] || { echo "error: the server did not start" >&2; cat "$out/serve.err" >&2; exit 1; }
token() { python3 -c "import json,sys; print(next(s['token'] for s in json.load(open('$out/room/seats.json'))['seats'] if s['name']=='$1'))"; }

port=$((9300 + RANDOM % 500))
"$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars --no-first-run --user-data-dir="$profile" \
    --remote-debugging-port=$port about:blank >/dev/null 2>&1 &
chrome=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/json/version" >/dev/null && break; sleep 0.1; done

node "${node_ws[@]}" scripts/serve-browser.mjs "$port" "$addr" "$(token water)" "$(token facilitator)" \
    "$(token evaluator)" "$out" 2> >(grep -v ExperimentalWarning >&2)
for page in seat facilitator evaluator; do
    # the header's blue (#1f3a5f) on every page; the answer's green (#17702f) on the seat's
    extra=()
    [[ $page == seat ]] && extra=(--colour 17702f)
    python3 scripts/check_png.py "$out/$page.png" --min-ink 0.03 --colour 1f3a5f "${extra[@]}"
done
echo "serve pages OK: $out/seat.png $out/facilitator.png $out/evaluator.png"
