#!/usr/bin/env bash
# Runs the grid evacuation of `drillsim bench --grid` in drillsim and in SUMO's mesoscopic model
# side by side and prints the speed ratio and the clearance times of both. Manual, not in CI.
#
#   apt-get install -y sumo sumo-tools        # Debian's SUMO (1.15 on bookworm)
#   cargo build --release
#   scripts/peer-sumo.sh [GRID] [CARS] [STEP]  # defaults: 45 50000 1s
#
# The same map and demand: drillsim writes the generated scenario and orders (`bench --write`);
# this script turns the scenario's junctions and roads into a SUMO network (one lane each way,
# 500 m, 60 km/h), and each origin's households (3 people, all by car) into trips to the shelter
# its order names, leaving after a Weibull(scale 2 h, shape 2) delay — drawn here with a fixed
# seed, so the departure times are the same distribution, not the same sample. SUMO routes each
# trip at departure (`--junction-taz`), drillsim by its shortest-path trees. Times are CPU time
# (user + sys) and peak RSS from /usr/bin/time; the machine's load is printed with them.
set -euo pipefail

GRID=${1:-45}
CARS=${2:-50000}
STEP=${3:-1s}
DRILLSIM=${DRILLSIM:-target/release/drillsim}
WORK=${WORK:-out/peer-sumo}
export SUMO_HOME=${SUMO_HOME:-/usr/share/sumo}

for tool in sumo netconvert python3 /usr/bin/time; do
    command -v "$tool" >/dev/null || { echo "peer-sumo: $tool is missing (apt-get install -y sumo sumo-tools time python3)" >&2; exit 2; }
done
[ -x "$DRILLSIM" ] || { echo "peer-sumo: $DRILLSIM not found (cargo build --release, or set DRILLSIM)" >&2; exit 2; }

rm -rf "$WORK" && mkdir -p "$WORK"
"$DRILLSIM" bench --grid "$GRID" --cars "$CARS" --step "$STEP" --write "$WORK" >/dev/null
STEP_S=$(python3 -c "import re,sys; t=sys.argv[1]; u={'d':86400,'h':3600,'m':60,'s':1}; print(sum(int(n)*u[c] for n,c in re.findall(r'(\d+)([dhms])',t)))" "$STEP")

# SUMO inputs from the generated scenario and orders
python3 - "$WORK" <<'PY'
import math, random, re, sys
work = sys.argv[1]
sc = open(f"{work}/scenario.ron", encoding="utf-8").read()
orders = open(f"{work}/orders.ron", encoding="utf-8").read()
nodes = re.findall(r'\(id: "([^"]+)", kind: (\w+), pos: \(([-\d.]+), ([-\d.]+)\), population: (\d+)\)', sc)
roads = re.findall(r'\(from: "([^"]+)", to: "([^"]+)", length_km: ([\d.]+), speed_kmh: ([\d.]+), lanes: (\d+)\)', sc)
hours = int(re.search(r'duration: "(\d+)h"', sc).group(1))
with open(f"{work}/grid.nod.xml", "w") as f:
    f.write("<nodes>\n")
    for nid, _, x, y, _ in nodes:
        f.write(f'  <node id="{nid}" x="{float(x) * 1000:.1f}" y="{float(y) * 1000:.1f}"/>\n')
    f.write("</nodes>\n")
with open(f"{work}/grid.edg.xml", "w") as f:
    f.write("<edges>\n")
    for a, b, km, kmh, lanes in roads:
        for u, v in ((a, b), (b, a)):
            f.write(f'  <edge id="{u}-{v}" from="{u}" to="{v}" numLanes="{lanes}" speed="{float(kmh) / 3.6:.3f}" length="{float(km) * 1000:.1f}"/>\n')
    f.write("</edges>\n")
pop = {nid: int(p) for nid, _, _, _, p in nodes}
rng = random.Random(1)
trips = []
for frm, to in re.findall(r'Evacuate\(from: "([^"]+)", to: "([^"]+)"\)', orders):
    for _ in range(pop[frm] // 3):
        # Weibull(scale 7200 s, shape 2): t = λ (−ln U)^(1/k)
        t = 7200.0 * math.sqrt(-math.log(1.0 - rng.random()))
        trips.append((round(t), frm, to))
trips.sort()
with open(f"{work}/trips.xml", "w") as f:
    f.write("<routes>\n")
    for i, (t, frm, to) in enumerate(trips):
        f.write(f'  <trip id="c{i}" depart="{t}" fromJunction="{frm}" toJunction="{to}"/>\n')
    f.write("</routes>\n")
with open(f"{work}/end_s", "w") as f:
    f.write(str(hours * 3600))
print(f"SUMO inputs: {len(nodes)} junctions, {2 * len(roads)} edges, {len(trips)} trips")
PY
netconvert --node-files "$WORK/grid.nod.xml" --edge-files "$WORK/grid.edg.xml" \
    -o "$WORK/grid.net.xml" --no-warnings >/dev/null

load() { cut -d' ' -f1-3 /proc/loadavg; }

echo "drillsim: run (load $(load))"
/usr/bin/time -v -o "$WORK/drillsim.time" "$DRILLSIM" run "$WORK/scenario.ron" --orders "$WORK/orders.ron" \
    --out "$WORK/drillsim" >/dev/null
echo "SUMO meso: sumo --mesosim (load $(load))"
/usr/bin/time -v -o "$WORK/sumo.time" sumo --mesosim -n "$WORK/grid.net.xml" -r "$WORK/trips.xml" --junction-taz \
    --step-length "$STEP_S" --end "$(cat "$WORK/end_s")" --tripinfo-output "$WORK/tripinfo.xml" \
    --no-step-log --no-warnings --duration-log.statistics >"$WORK/sumo.log" 2>&1
echo "(load afterwards $(load))"

python3 - "$WORK" <<'PY'
import json, re, sys
import xml.etree.ElementTree as ET
work = sys.argv[1]
def usage(path):
    t = open(path).read()
    g = lambda k: re.search(re.escape(k) + r": ([\d.:]+)", t).group(1)
    wall = g("Elapsed (wall clock) time (h:mm:ss or m:ss)").split(":")
    wall_s = sum(float(x) * 60 ** i for i, x in enumerate(reversed(wall)))
    return float(g("User time (seconds)")) + float(g("System time (seconds)")), wall_s, int(g("Maximum resident set size (kbytes)")) / 1024
d_cpu, d_wall, d_mb = usage(f"{work}/drillsim.time")
s_cpu, s_wall, s_mb = usage(f"{work}/sumo.time")
arrivals = sorted(float(e.get("arrival")) for _, e in ET.iterparse(f"{work}/tripinfo.xml") if e.tag == "tripinfo")
trips = sum(1 for line in open(f"{work}/trips.xml") if "<trip " in line)
def pct(p):
    k = max(1, -(-p * trips // 100))  # ceil(p% of all trips)
    return arrivals[int(k) - 1] if k <= len(arrivals) else None
c = json.load(open(f"{work}/drillsim/summary.json")).get("clearance") or {}
fmt = lambda s: "—" if s is None else f"{s / 3600:.2f} h"
print(f"{'':22}{'drillsim':>12}{'SUMO meso':>12}{'ratio':>10}")
print(f"{'CPU (user+sys), s':22}{d_cpu:>12.2f}{s_cpu:>12.2f}{s_cpu / max(d_cpu, 1e-9):>9.0f}×")
print(f"{'wall, s':22}{d_wall:>12.2f}{s_wall:>12.2f}{s_wall / max(d_wall, 1e-9):>9.0f}×")
print(f"{'peak RSS, MiB':22}{d_mb:>12.1f}{s_mb:>12.1f}")
for p in (50, 90, 99, 100):
    d, s = c.get(f"p{p}_s"), pct(p)
    rel = "" if d is None or s is None or s == 0 else f"{100 * (d - s) / s:+9.1f}%"
    print(f"{f'{p} % sheltered':22}{fmt(d):>12}{fmt(s):>12}{rel:>10}")
print(f"SUMO arrived {len(arrivals)} of {trips} trips; drillsim sheltered {c.get('p100_s') is not None and 'all' or 'not all'} of {c.get('people')} people")
PY
