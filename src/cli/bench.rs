//! `drillsim bench`: a generated map at full scale, everyone ordered out at t = 0, run headless
//! with an in-memory journal; prints wall and CPU time, simulated/real ratio, agent-steps and
//! agent updates per second, peak RSS, memory per evacuee and the clearance times.
//!
//! Two cases: the **county** (a 1 km grid with main roads, villages joined to it, half the
//! households walk, 1-min step) and the **grid** (`--grid N`: N × N junctions 500 m apart on
//! one-lane 60 km/h roads, `--cars` households of three that all drive from `--origins` junctions
//! to `--shelters` junctions, Rayleigh departures of scale 2 h, 1-s step), the case
//! `scripts/peer-sumo.sh` runs side by side with SUMO's mesoscopic model. `--write DIR` writes
//! the generated scenario and orders instead of running them.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Arc;
use std::time::Instant;

use super::error::Error;
use crate::agents::evacuees::{EvacNet, Households};
use crate::engine::{RunOptions, build_app};
use crate::exercise::orders::parse_orders;
use crate::journal::Journal;
use crate::scenario::{self, SourceFile};
use crate::sim::SimClock;

#[derive(Debug, clap::Args)]
pub struct BenchArgs {
    /// People to evacuate (spread evenly over the villages).
    #[arg(long, default_value_t = 150_000, value_parser = clap::value_parser!(u32).range(1..))]
    pub evacuees: u32,
    /// Villages (each joined to a junction of the grid by a 0.5 km road).
    #[arg(long, default_value_t = 320, value_parser = clap::value_parser!(u32).range(1..))]
    pub villages: u32,
    /// Junctions of the road grid (rounded up to a square).
    #[arg(long, default_value_t = 2_500, value_parser = clap::value_parser!(u32).range(4..))]
    pub nodes: u32,
    /// Simulated hours.
    #[arg(long, default_value_t = 72, value_parser = clap::value_parser!(u32).range(1..))]
    pub hours: u32,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Worker threads (default 1; see `run --threads`).
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..))]
    pub threads: Option<u16>,
    /// The grid case instead of the county: N × N junctions 500 m apart, one-lane roads.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(2..=1000))]
    pub grid: Option<u32>,
    /// Grid case: households of three, every one by car.
    #[arg(long, default_value_t = 50_000, value_parser = clap::value_parser!(u32).range(1..))]
    pub cars: u32,
    /// Grid case: junctions the cars leave from.
    #[arg(long, default_value_t = 300, value_parser = clap::value_parser!(u32).range(1..))]
    pub origins: u32,
    /// Grid case: junctions with a shelter.
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..))]
    pub shelters: u32,
    /// The step (default: 1s for the grid, 1m for the county).
    #[arg(long, value_name = "DURATION")]
    pub step: Option<String>,
    /// With --write: the county's junctions, villages and roads added to the levee-breach seed
    /// scenario (joined to its Fu river bridge), for timing `validate` and a levee run with the
    /// plan-follower on a county-sized map.
    #[arg(long, requires = "write", conflicts_with = "grid")]
    pub levee: bool,
    /// Write the generated scenario and orders to DIR (scenario.ron, orders.ron) and stop.
    #[arg(long, value_name = "DIR")]
    pub write: Option<std::path::PathBuf>,
}

/// CPU time of this process so far (user + system), s.
fn cpu_secs() -> f64 {
    #[cfg(unix)]
    {
        // SAFETY: getrusage only writes the struct we give it.
        let mut u: libc::rusage = unsafe { std::mem::zeroed() };
        if unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut u) } == 0 {
            let tv = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
            return tv(u.ru_utime) + tv(u.ru_stime);
        }
    }
    0.0
}

/// Resident and peak resident memory of this process, bytes (Linux; 0 elsewhere).
fn rss() -> (u64, u64) {
    let text = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        text.lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<u64>().ok())
            .map_or(0, |kb| kb * 1024)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// A county: a square grid of junctions 1 km apart (two-lane 60 km/h roads, every sixth line a
/// four-lane 80 km/h road), villages joined to junctions, shelters spread over the grid with room
/// for 1.5 × everyone; and one evacuation order per village to its nearest shelter.
pub fn county(a: &BenchArgs) -> (String, String) {
    let side = (a.nodes as f64).sqrt().ceil() as u32;
    let step = a.step.as_deref().unwrap_or("1m");
    let mut s = String::new();
    let _ = write!(s, "(format: 1, meta: (name: \"bench county\", start: \"2020-07-01T00:00\", step: \"{step}\", ");
    let _ = write!(s, "duration: \"{}h\", seed: {}),\nmap: (nodes: [\n", a.hours, a.seed);
    for y in 0..side {
        for x in 0..side {
            let _ = writeln!(s, "(id: \"j{x}_{y}\", kind: junction, pos: ({x}.0, {y}.0)),");
        }
    }
    let per = a.evacuees / a.villages;
    let extra = a.evacuees % a.villages;
    let mut vil = Vec::new();
    for i in 0..a.villages {
        // spread villages over the grid with a stride coprime to its size
        let k = (i as u64 * 7919) % (side as u64 * side as u64);
        let (x, y) = ((k % side as u64) as u32, (k / side as u64) as u32);
        let pop = per + u32::from(i < extra);
        let _ = writeln!(s, "(id: \"v{i}\", kind: village, pos: ({x}.3, {y}.3), population: {pop}),");
        vil.push((i, x, y));
    }
    let g = 4u32.min(side);
    let mut shelters = Vec::new();
    for gy in 0..g {
        for gx in 0..g {
            let (x, y) = ((2 * gx + 1) * side / (2 * g), (2 * gy + 1) * side / (2 * g));
            let _ = writeln!(s, "(id: \"sh{gx}_{gy}\", kind: shelter, pos: ({x}.6, {y}.6)),");
            shelters.push((format!("sh{gx}_{gy}"), x, y));
        }
    }
    s.push_str("],\nroads: [\n");
    let road = |s: &mut String, id: String, a: String, b: String, km: f64, kmh: f64, lanes: u32| {
        let _ = writeln!(
            s,
            "(id: \"{id}\", from: \"{a}\", to: \"{b}\", length_km: {km:.1}, speed_kmh: {kmh:.1}, lanes: {lanes}),"
        );
    };
    for y in 0..side {
        for x in 0..side {
            if x > 0 {
                let main = y % 6 == 0;
                let (kmh, lanes) = if main { (80.0, 2) } else { (60.0, 1) };
                road(&mut s, format!("h{x}_{y}"), format!("j{}_{y}", x - 1), format!("j{x}_{y}"), 1.0, kmh, lanes);
            }
            if y > 0 {
                let main = x % 6 == 0;
                let (kmh, lanes) = if main { (80.0, 2) } else { (60.0, 1) };
                road(&mut s, format!("v{x}_{y}"), format!("j{x}_{}", y - 1), format!("j{x}_{y}"), 1.0, kmh, lanes);
            }
        }
    }
    for (i, x, y) in &vil {
        road(&mut s, format!("a{i}"), format!("v{i}"), format!("j{x}_{y}"), 0.5, 40.0, 1);
    }
    for (id, x, y) in &shelters {
        road(&mut s, format!("a_{id}"), id.clone(), format!("j{x}_{y}"), 0.5, 40.0, 2);
    }
    s.push_str("]),\nagencies: [(id: \"ofc\", name_zh: \"应急办\", name_en: \"Office\", role: emergency_office)],\n");
    let cap = (a.evacuees as u64 * 3 / 2).div_ceil(shelters.len() as u64).max(1);
    s.push_str("resources: (shelters: [\n");
    for (id, _, _) in &shelters {
        let _ = writeln!(s, "(node: \"{id}\", capacity: {cap}, open: true),");
    }
    s.push_str("]))\n");
    let mut o = String::from("Orders(orders: [\n");
    for (i, x, y) in &vil {
        let near = shelters
            .iter()
            .min_by_key(|(_, sx, sy)| (x.abs_diff(*sx) + y.abs_diff(*sy), *sx, *sy))
            .map(|(id, _, _)| id.as_str())
            .unwrap_or("sh0_0");
        let _ = writeln!(o, "(at: \"+0m\", by: \"ofc\", order: Evacuate(from: \"v{i}\", to: \"{near}\")),");
    }
    o.push_str("])\n");
    (s, o)
}

/// The grid case: `side` × `side` junctions 500 m apart joined by two-way one-lane 60 km/h roads;
/// `shelters` junctions spread over the grid hold shelters with room for 1.5 × everyone;
/// `origins` other junctions (a stride through the grid coprime to its size) hold `3 × cars`
/// people; households of three, all by car, all comply, departures Weibull with shape 2 and scale
/// 2 h; one evacuation order per origin to its nearest shelter (city-block distance) at t = 0.
pub fn grid(a: &BenchArgs, side: u32) -> (String, String) {
    let n = side as u64 * side as u64;
    let step = a.step.as_deref().unwrap_or("1s");
    let id = |k: u64| format!("n{}_{}", k % side as u64, k / side as u64);
    // shelters on a near-square lattice of cells, one in the middle of each
    let cols = (a.shelters as f64).sqrt().ceil() as u64;
    let rows = (a.shelters as u64).div_ceil(cols);
    let mut shelter_at = BTreeMap::new();
    for i in 0..a.shelters as u64 {
        let (cx, cy) = (i % cols, i / cols);
        let x = ((2 * cx + 1) * side as u64 / (2 * cols)).min(side as u64 - 1);
        let y = ((2 * cy + 1) * side as u64 / (2 * rows)).min(side as u64 - 1);
        shelter_at.entry(y * side as u64 + x).or_insert(i);
    }
    let mut origin_at = BTreeMap::new();
    let mut k = 0u64;
    for i in 0..n {
        if origin_at.len() as u32 >= a.origins {
            break;
        }
        let node = (i * 7919 + 17) % n;
        if !shelter_at.contains_key(&node) && !origin_at.contains_key(&node) {
            origin_at.insert(node, k);
            k += 1;
        }
    }
    let n_origins = origin_at.len() as u64;
    let people = a.cars as u64 * 3;
    let mut s = String::new();
    let _ = write!(
        s,
        "(format: 1, meta: (name: \"bench grid\", start: \"2020-07-01T00:00\", step: \"{step}\", duration: \"{}h\", seed: {}),\nmap: (nodes: [\n",
        a.hours, a.seed
    );
    for node in 0..n {
        let (x, y) = (node % side as u64, node / side as u64);
        let (kind, pop) = match (shelter_at.contains_key(&node), origin_at.get(&node)) {
            (true, _) => ("shelter", 0),
            // households of three spread evenly over the origins
            (false, Some(&o)) => {
                ("village", 3 * (a.cars as u64 / n_origins + u64::from(o < a.cars as u64 % n_origins)))
            }
            _ => ("junction", 0),
        };
        let _ = writeln!(
            s,
            "(id: \"{}\", kind: {kind}, pos: ({:.1}, {:.1}), population: {pop}),",
            id(node),
            x as f64 * 0.5,
            y as f64 * 0.5
        );
    }
    s.push_str("],\nroads: [\n");
    for node in 0..n {
        let (x, y) = (node % side as u64, node / side as u64);
        if x + 1 < side as u64 {
            let _ = writeln!(
                s,
                "(from: \"{}\", to: \"{}\", length_km: 0.5, speed_kmh: 60.0, lanes: 1),",
                id(node),
                id(node + 1)
            );
        }
        if y + 1 < side as u64 {
            let _ = writeln!(
                s,
                "(from: \"{}\", to: \"{}\", length_km: 0.5, speed_kmh: 60.0, lanes: 1),",
                id(node),
                id(node + side as u64)
            );
        }
    }
    s.push_str("]),\nagencies: [(id: \"ofc\", name_zh: \"应急办\", name_en: \"Office\", role: emergency_office)],\n");
    let cap = (people * 3 / 2).div_ceil(shelter_at.len() as u64).max(1);
    s.push_str("resources: (shelters: [\n");
    for node in shelter_at.keys() {
        let _ = writeln!(s, "(node: \"{}\", capacity: {cap}, open: true),", id(*node));
    }
    // mean of a Weibull(scale 2 h, shape 2) = 7200 s × Γ(1.5)
    let mean = (7200.0 * crate::agents::evacuees::gamma(1.5)).round() as u64;
    let _ = write!(
        s,
        "],\nevacuation: (household_size: 3.0, mobilisation_mean: \"{mean}s\", mobilisation_shape: 2.0, compliance: 1.0, car_share: 1.0, walk_speed_kmh: 4.0, jam_spacing_m: 7.5)))\n"
    );
    let mut o = String::from("Orders(orders: [\n");
    for &node in origin_at.keys() {
        let (x, y) = (node % side as u64, node / side as u64);
        let near = shelter_at
            .keys()
            .min_by_key(|&&sh| ((sh % side as u64).abs_diff(x) + (sh / side as u64).abs_diff(y), sh))
            .copied()
            .unwrap_or(0);
        let _ =
            writeln!(o, "(at: \"+0m\", by: \"ofc\", order: Evacuate(from: \"{}\", to: \"{}\")),", id(node), id(near));
    }
    o.push_str("])\n");
    (s, o)
}

/// The levee-breach seed scenario with the county's nodes and roads added to its map (its
/// villages are not ordered out: the plan's evacuations are the seed's), joined to the seed's
/// Fu river bridge; its hazard, plan, teams and injects are the seed's.
pub fn county_levee(a: &BenchArgs) -> String {
    const SEED: &str = include_str!("../../scenarios/levee-breach-0621.ron");
    let (county, _) = county(a);
    let part = |from: &str, to: &str| {
        let start = county.find(from).map_or(0, |i| i + from.len());
        let end = county[start..].find(to).map_or(start, |i| start + i);
        county[start..end].to_string()
    };
    let nodes = part("map: (nodes: [\n", "],\nroads: [\n");
    let mut roads = part("roads: [\n", "]),\nagencies");
    roads
        .push_str("(id: \"a_county\", from: \"j0_0\", to: \"j_bridge\", length_km: 5.0, speed_kmh: 60.0, lanes: 2),\n");
    SEED.replacen("nodes: [", &format!("nodes: [\n{nodes}"), 1).replacen("roads: [", &format!("roads: [\n{roads}"), 1)
}

pub(super) fn bench(a: BenchArgs) -> Result<(), Error> {
    let t_gen = Instant::now();
    let (text, orders) = match a.grid {
        Some(side) => grid(&a, side),
        None if a.levee => (county_levee(&a), String::from("Orders(orders: [])\n")),
        None => county(&a),
    };
    if let Some(dir) = &a.write {
        let written = std::fs::create_dir_all(dir)
            .and_then(|()| std::fs::write(dir.join("scenario.ron"), &text))
            .and_then(|()| std::fs::write(dir.join("orders.ron"), &orders));
        written.map_err(|e| Error::Failed(format!("cannot write {}: {e}", dir.display())))?;
        println!("wrote {} and {}", dir.join("scenario.ron").display(), dir.join("orders.ron").display());
        return Ok(());
    }
    // A generated input with problems is drillsim's fault, not the person's: exit 1.
    let sc = scenario::parse(SourceFile::new("bench-county.ron", text))
        .map(Arc::new)
        .map_err(|p| Error::Failed(format!("the generated county is invalid:\n{p}")))?;
    let book = parse_orders(SourceFile::new("bench-orders.ron", orders), &sc)
        .map_err(|p| Error::Failed(format!("the generated orders are invalid:\n{p}")))?;
    let (n_nodes, n_roads) = (sc.scenario.map.nodes.len(), sc.scenario.map.roads.len());
    let opts = RunOptions { orders: Some(book), threads: a.threads.map(usize::from), ..Default::default() };
    let mut app = build_app(sc, opts, Journal::in_memory());
    let setup_s = t_gen.elapsed().as_secs_f64();
    let (rss_map, _) = rss();

    let t0 = Instant::now();
    let cpu0 = cpu_secs();
    // the first step gives the orders and makes the households
    app.update();
    let (rss_agents, _) = rss();
    crate::engine::run_to_end(&mut app)?;
    let wall = t0.elapsed().as_secs_f64();
    let cpu = cpu_secs() - cpu0;
    let (_, hwm) = rss();

    let w = app.world();
    let clock = w.resource::<SimClock>();
    let hh = w.resource::<Households>();
    let ev = w.resource::<EvacNet>();
    let journal = w.resource::<Journal>();
    let accounted = hh.heap_bytes() + ev.heap_bytes();
    let last_of = |kind: &str| {
        journal
            .entries
            .iter()
            .rev()
            .find(|e| e.event.kind() == kind)
            .map(|e| serde_json::to_string(&e.event).unwrap_or_default())
    };
    let (totals, clearance) = (last_of("evacuation_totals"), last_of("evacuation_clearance"));
    let people: f64 = hh.people.iter().map(|p| *p as f64).sum();
    let n = if a.grid.is_some() { people.max(1.0) } else { a.evacuees as f64 };
    match a.grid {
        Some(side) => println!(
            "drillsim bench — grid {side} × {side}: {n_nodes} nodes, {n_roads} roads, {} cars from {} origins to {} shelters, {:.0} people",
            hh.len(),
            a.origins,
            a.shelters,
            people
        ),
        None => println!(
            "drillsim bench — {n_nodes} nodes, {n_roads} roads, {} villages, {} evacuees, {} households",
            a.villages,
            a.evacuees,
            hh.len()
        ),
    }
    println!("  setup (generate, parse, validate, build): {setup_s:.2} s");
    println!("  simulated: {} h in {} steps of {} s", clock.now / 3600, clock.steps_done, clock.step);
    println!(
        "  wall time: {wall:.3} s   CPU time (user + sys): {cpu:.3} s   simulated/real: {:.0}×",
        clock.now as f64 / wall
    );
    let agent_steps = hh.len() as f64 * clock.steps_done as f64;
    println!(
        "  agent-steps: {:.3e} (households × steps; {:.1} M/s of CPU)   agent updates: {} ({:.2} M/s of CPU)",
        agent_steps,
        agent_steps / cpu.max(1e-9) / 1e6,
        ev.updates,
        ev.updates as f64 / cpu.max(1e-9) / 1e6
    );
    println!("  journal entries: {}", journal.entries.len());
    println!("  peak RSS (VmHWM): {:.1} MiB", hwm as f64 / 1048576.0);
    println!(
        "  memory per evacuee: {:.0} B measured (VmRSS after the households were made − before), {:.0} B accounted (household arrays + queues + heaps, capacity)",
        rss_agents.saturating_sub(rss_map) as f64 / n,
        accounted as f64 / n
    );
    for t in [totals, clearance].into_iter().flatten() {
        println!("  {t}");
    }
    Ok(())
}
