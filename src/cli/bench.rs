//! `drillsim bench`: a generated county at full scale, every village evacuated at t = 0, run
//! headless with an in-memory journal; prints wall time, simulated/real ratio, agent updates per
//! second, peak RSS and memory per evacuee.

use std::fmt::Write as _;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use crate::agents::evacuees::{EvacNet, Households};
use crate::exercise::orders::parse_orders;
use crate::journal::{Event, Journal};
use crate::scenario::{self, SourceFile};
use crate::sim::{RunOptions, SimClock, build_app};

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
    /// Worker threads (default: all cores).
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..))]
    pub threads: Option<u16>,
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
    let mut s = String::new();
    s.push_str("(format: 1, meta: (name: \"bench county\", start: \"2020-07-01T00:00\", step: \"1m\", ");
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

pub fn bench(a: BenchArgs) -> ExitCode {
    let t_gen = Instant::now();
    let (text, orders) = county(&a);
    let sc = match scenario::parse(SourceFile::new("bench-county.ron", text)) {
        Ok(s) => Arc::new(s),
        Err(p) => {
            eprintln!("drillsim bench: the generated county is invalid:\n{p}");
            return ExitCode::from(1);
        }
    };
    let book = match parse_orders(SourceFile::new("bench-orders.ron", orders), &sc) {
        Ok(b) => b,
        Err(p) => {
            eprintln!("drillsim bench: the generated orders are invalid:\n{p}");
            return ExitCode::from(1);
        }
    };
    let (n_nodes, n_roads) = (sc.scenario.map.nodes.len(), sc.scenario.map.roads.len());
    let opts = RunOptions { orders: Some(book), threads: a.threads.map(usize::from), ..Default::default() };
    let mut app = build_app(sc, opts, Journal::in_memory());
    let setup_s = t_gen.elapsed().as_secs_f64();
    let (rss_map, _) = rss();

    let t0 = Instant::now();
    // the first step gives the orders and makes the households
    app.update();
    let (rss_agents, _) = rss();
    if let Err(e) = crate::sim::run_to_end(&mut app) {
        eprintln!("drillsim bench: {e}");
        return ExitCode::from(1);
    }
    let wall = t0.elapsed().as_secs_f64();
    let (_, hwm) = rss();

    let w = app.world();
    let clock = w.resource::<SimClock>();
    let hh = w.resource::<Households>();
    let ev = w.resource::<EvacNet>();
    let journal = w.resource::<Journal>();
    let accounted = hh.heap_bytes() + ev.heap_bytes();
    let totals = journal.entries.iter().rev().find_map(|e| match &e.event {
        ev @ Event::EvacuationTotals { .. } => Some(serde_json::to_string(ev).unwrap_or_default()),
        _ => None,
    });
    let n = a.evacuees as f64;
    println!(
        "drillsim bench — {n_nodes} nodes, {n_roads} roads, {} villages, {} evacuees, {} households",
        a.villages,
        a.evacuees,
        hh.len()
    );
    println!("  setup (generate, parse, validate, build): {setup_s:.2} s");
    println!("  simulated: {} h in {} steps", clock.now / 3600, clock.steps_done);
    println!("  wall time: {wall:.3} s   simulated/real: {:.0}×", clock.now as f64 / wall);
    println!("  agent updates: {} ({:.2} M/s)", ev.updates, ev.updates as f64 / wall / 1e6);
    println!("  journal entries: {}", journal.entries.len());
    println!("  peak RSS (VmHWM): {:.1} MiB", hwm as f64 / 1048576.0);
    println!(
        "  memory per evacuee: {:.0} B measured (VmRSS after the households were made − before), {:.0} B accounted (household arrays + queues + heaps, capacity)",
        rss_agents.saturating_sub(rss_map) as f64 / n,
        accounted as f64 / n
    );
    if let Some(t) = totals {
        println!("  {t}");
    }
    ExitCode::SUCCESS
}
