//! Plan evaluation at scale (`drillsim sweep`): many seeded runs of one scenario, each with its
//! own draw of the scenario's `uncertain` parameters, run in parallel (one simulation per
//! thread), reduced to one row of numbers per run.
//!
//! Run `r` of a sweep with base seed `B` has seed `B + r` (wrapping): the simulation's `SimRng`
//! is seeded with it, and the uncertain parameters are drawn from stream 1 of ChaCha8 seeded
//! with it (`scenario::uncertain::draw`). A row depends only on (scenario, orders, auto-plan,
//! seed), never on the number of threads or shards: rows are collected by run index. Each
//! run's schedules use Bevy's single-threaded executor (Bevy's task pools are process-wide), so
//! `--jobs` threads run `--jobs` simulations side by side.
//!
//! Outputs (`table`): `runs.csv` (one row per run), `summary.json` (percentiles per column),
//! `sweep.html` (`html`: histograms and CDFs), `sweep.json` (the manifest that says which sweep
//! this is, checked by `sweep-merge` and `sweep-compare`).

pub mod compare;
mod error;
pub mod html;
pub mod stats;
pub mod table;

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

pub use error::SweepError;

use crate::exercise::autoplan::AutoPlan;
use crate::exercise::orders::OrderBook;
use crate::journal::summary::summarize;
use crate::journal::{Entry, Event, Journal, SampledValue};
use crate::scenario::ValidScenario;
use crate::scenario::types::{Hazard, Level};
use crate::scenario::uncertain::{self, Param};
use crate::sim::{RunOptions, build_app, run_to_end};

/// What a sweep runs: everything but the run index.
#[derive(Clone)]
pub struct Spec {
    pub scenario: Arc<ValidScenario>,
    pub orders: Option<OrderBook>,
    /// The automatic plan-follower, if asked for.
    pub auto: Option<AutoSpec>,
    pub base_seed: u64,
    pub runs: u64,
}

/// `--auto-plan` with its seats and delay (an uncertain `AutoPlanDelay` replaces the delay).
#[derive(Debug, Clone)]
pub struct AutoSpec {
    pub seats: Option<BTreeSet<String>>,
    pub delay_s: u64,
}

/// One run's numbers, in the order of [`columns`]; `None` where a value does not exist (a breach
/// that was never closed).
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub run: u64,
    pub seed: u64,
    pub cells: Vec<Option<f64>>,
}

impl Spec {
    pub fn seed(&self, run: u64) -> u64 {
        self.base_seed.wrapping_add(run)
    }
}

/// The columns of a sweep of this scenario (after `run` and `seed`): the uncertain parameters
/// (`param.`), outcomes (`out.`, those that the scenario's hazards can produce) and scores
/// (`score.`).
pub fn columns(sc: &ValidScenario) -> Vec<String> {
    let s = &sc.scenario;
    let mut c: Vec<String> = s.uncertain.iter().map(|u| format!("param.{}", u.param.label())).collect();
    let has = |k: &str| s.hazards.iter().any(|h| h.kind_name() == k);
    c.push("out.deaths".into());
    if has("derailment") {
        c.extend(
            ["out.derailment_dead", "out.casualties_total", "out.patients_admitted", "out.site_cleared_s"]
                .map(String::from),
        );
    }
    if has("levee_breach") {
        c.extend(
            ["out.flood_deaths", "out.flood_exposed_peak", "out.flood_max_depth_m", "out.breach_closed_s"]
                .map(String::from),
        );
    }
    if has("chemical_spill") {
        c.extend(["out.water_unsafe_people", "out.water_protected_people", "out.intake_peak_mg_l"].map(String::from));
    }
    if has("gas_release") {
        c.push("out.plume_people_max".into());
    }
    let people = s.map.nodes.iter().any(|n| n.population > 0) && !s.resources.shelters.is_empty();
    if people {
        c.extend(["out.evacuated", "out.sheltered"].map(String::from));
    }
    c.extend(
        [
            "out.injects_delivered",
            "out.orders_accepted",
            "out.orders_refused",
            "out.reports_sent",
            "out.final_level",
            "score.overall",
            "score.plan",
            "score.reporting",
            "score.coordination",
            "score.outcomes",
        ]
        .map(String::from),
    );
    c
}

/// Runs one run of the sweep; returns its row and its journal (in memory).
pub fn run_one(spec: &Spec, run: u64) -> Result<(Row, Journal), SweepError> {
    let seed = spec.seed(run);
    let base = &spec.scenario;
    let values = uncertain::draw(&base.scenario, base.start, seed);
    let mut sc: ValidScenario = (**base).clone();
    let mut auto_delay = spec.auto.as_ref().map(|a| a.delay_s);
    let mut orders = spec.orders.clone();
    let duration = base.duration_secs as i64;
    for (u, &v) in base.scenario.uncertain.iter().zip(&values) {
        match &u.param {
            Param::AutoPlanDelay => {
                if let Some(d) = &mut auto_delay {
                    *d = v.max(0.0) as u64;
                }
            }
            Param::OrderDelay { agency } => {
                if let Some(book) = &mut orders {
                    for p in book.pending.iter_mut().filter(|p| &p.by == agency) {
                        p.t = (p.t as i64 + v as i64).clamp(0, duration) as u64;
                    }
                    book.pending.sort_by_key(|p| p.t); // stable: equal times keep their order
                }
            }
            p => uncertain::apply(&mut sc.scenario, base.start, p, v),
        }
    }
    let sc = Arc::new(sc);
    let opts = RunOptions { seed: Some(seed), until: None, threads: Some(1), orders };
    let mut app = build_app(sc.clone(), opts, Journal::in_memory());
    // Bevy's task pools are process-wide: this simulation runs on this thread only
    // (`threads: Some(1)` gives every schedule the single-threaded executor).
    {
        let mut journal = app.world_mut().resource_mut::<Journal>();
        let time = journal.entries.first().map(|e| e.time.clone()).unwrap_or_default();
        let parameters = base
            .scenario
            .uncertain
            .iter()
            .zip(&values)
            .map(|(u, v)| SampledValue { param: u.param.label(), value: *v })
            .collect();
        journal.push(0, time, Event::ParametersSampled { run, base_seed: spec.base_seed, parameters });
    }
    if let Some(a) = &spec.auto {
        app.insert_resource(AutoPlan::new(a.seats.clone(), auto_delay.unwrap_or(a.delay_s)));
    }
    run_to_end(&mut app).map_err(|source| SweepError::Run { run, source })?;
    let journal = app.world_mut().remove_resource::<Journal>().expect("the journal");
    let cells = outcomes(&sc, &values, &journal.entries);
    Ok((Row { run, seed, cells }, journal))
}

/// The row of a finished run: drawn values, then outcomes and scores, as [`columns`] names them.
fn outcomes(sc: &ValidScenario, values: &[f64], entries: &[Entry]) -> Vec<Option<f64>> {
    let summary = summarize(sc, entries);
    let score = crate::scoring::score(sc, entries);
    let o = &score.outcomes;
    let onset: std::collections::BTreeMap<&str, u64> = entries
        .iter()
        .filter_map(|e| match &e.event {
            Event::HazardOnset { hazard, .. } => Some((hazard.as_str(), e.t)),
            _ => None,
        })
        .collect();
    let mut site_cleared: Option<u64> = None;
    let mut peak_mg_l: Option<f64> = None;
    let mut plume_max: Option<u32> = None;
    for e in entries {
        match &e.event {
            Event::SiteCleared { hazard, .. } => {
                let after = e.t.saturating_sub(onset.get(hazard.as_str()).copied().unwrap_or(0));
                site_cleared = Some(site_cleared.map_or(after, |s| s.max(after)));
            }
            Event::IntakePeak { peak_mg_l: p, .. } => peak_mg_l = Some(peak_mg_l.map_or(*p, |q| q.max(*p))),
            Event::PlumeZone { people, .. } => plume_max = Some(plume_max.map_or(*people, |q| q.max(*people))),
            _ => {}
        }
    }
    let derailments = sc.scenario.hazards.iter().filter(|h| matches!(h, Hazard::Derailment { .. })).count();
    let mut out: Vec<Option<f64>> = values.iter().map(|v| Some(*v)).collect();
    let f = |v: u64| Some(v as f64);
    for name in columns(sc).into_iter().skip(values.len()) {
        let v = match name.as_str() {
            "out.deaths" => f(o.deaths as u64),
            "out.derailment_dead" => f(o.derailment_dead as u64),
            "out.casualties_total" => f(o.casualties_total as u64),
            "out.patients_admitted" => f(o.patients_admitted as u64),
            "out.site_cleared_s" => site_cleared.filter(|_| derailments > 0).map(|s| s as f64),
            "out.flood_deaths" => f(o.flood_deaths as u64),
            "out.flood_exposed_peak" => f(o.flood_exposed_peak),
            "out.flood_max_depth_m" => Some(summary.flood_max_depth_m.values().cloned().fold(0.0, f64::max)),
            "out.breach_closed_s" => o.breach_closed_after_s.values().max().map(|s| *s as f64),
            "out.water_unsafe_people" => f(o.water_unsafe_people as u64),
            "out.water_protected_people" => f(o.water_protected_people as u64),
            "out.intake_peak_mg_l" => peak_mg_l,
            "out.plume_people_max" => Some(plume_max.unwrap_or(0) as f64),
            "out.evacuated" => f(summary.evacuated as u64),
            "out.sheltered" => f(summary.sheltered as u64),
            "out.injects_delivered" => f(summary.injects_delivered as u64),
            "out.orders_accepted" => f(summary.orders_accepted as u64),
            "out.orders_refused" => f(summary.orders_refused as u64),
            "out.reports_sent" => f(summary.reports_sent as u64),
            "out.final_level" => f(level_number(summary.final_level)),
            "score.overall" => Some(score.overall),
            "score.plan" => Some(score.parts.plan),
            "score.reporting" => Some(score.parts.reporting),
            "score.coordination" => Some(score.parts.coordination),
            "score.outcomes" => Some(score.parts.outcomes),
            other => unreachable!("column {other} has no value"),
        };
        out.push(v);
    }
    out
}

/// A response level as a number: none 0, IV 1, III 2, II 3, I 4.
pub fn level_number(l: Option<Level>) -> u64 {
    match l {
        None => 0,
        Some(Level::IV) => 1,
        Some(Level::III) => 2,
        Some(Level::II) => 3,
        Some(Level::I) => 4,
    }
}

/// Runs the given run indices on `jobs` threads, each thread taking the next index when it is
/// free; `done` is called after each run (the progress bar). Rows come back in the order of
/// `runs`, whatever the threads did.
pub fn run_many(spec: &Spec, runs: &[u64], jobs: usize, done: &(dyn Fn() + Sync)) -> Result<Vec<Row>, SweepError> {
    let next = AtomicUsize::new(0);
    let slots: Mutex<Vec<Option<Result<Row, SweepError>>>> = Mutex::new((0..runs.len()).map(|_| None).collect());
    std::thread::scope(|scope| {
        for _ in 0..jobs.clamp(1, runs.len().max(1)) {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= runs.len() {
                        break;
                    }
                    let res = run_one(spec, runs[i]).map(|(row, _)| row);
                    let failed = res.is_err();
                    slots.lock().expect("no worker panicked")[i] = Some(res);
                    done();
                    if failed {
                        next.store(runs.len(), Ordering::Relaxed);
                    }
                }
            });
        }
    });
    let slots = slots.into_inner().expect("no worker panicked");
    // the first failed run in run order, if any, is the error
    let mut rows = Vec::with_capacity(runs.len());
    let mut first_missing = None;
    for (i, slot) in slots.into_iter().enumerate() {
        match slot {
            Some(Ok(row)) => rows.push(row),
            Some(Err(e)) => return Err(e),
            None => first_missing = first_missing.or(Some(runs[i])),
        }
    }
    if let Some(r) = first_missing {
        return Err(SweepError::NotRun(r));
    }
    Ok(rows)
}
