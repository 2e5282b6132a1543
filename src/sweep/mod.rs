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

use crate::engine::{RunOptions, build_app, run_to_end};
use crate::exercise::autoplan::AutoPlan;
use crate::exercise::orders::OrderBook;
use crate::journal::summary::summarize;
use crate::journal::{Entry, Event, Journal, SampledValue};
use crate::scenario::ValidScenario;
use crate::scenario::types::{Hazard, Level};
use crate::scenario::uncertain::{self, Param};

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

/// An outcome (`out.`) or score (`score.`) column of a sweep; its name is the column's header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::IntoStaticStr, strum::VariantArray)]
pub enum Measure {
    #[strum(serialize = "out.deaths")]
    Deaths,
    #[strum(serialize = "out.derailment_dead")]
    DerailmentDead,
    #[strum(serialize = "out.casualties_total")]
    CasualtiesTotal,
    #[strum(serialize = "out.patients_admitted")]
    PatientsAdmitted,
    #[strum(serialize = "out.site_cleared_s")]
    SiteClearedS,
    #[strum(serialize = "out.flood_deaths")]
    FloodDeaths,
    #[strum(serialize = "out.flood_exposed_peak")]
    FloodExposedPeak,
    #[strum(serialize = "out.flood_max_depth_m")]
    FloodMaxDepthM,
    #[strum(serialize = "out.breach_closed_s")]
    BreachClosedS,
    #[strum(serialize = "out.water_unsafe_people")]
    WaterUnsafePeople,
    #[strum(serialize = "out.water_protected_people")]
    WaterProtectedPeople,
    #[strum(serialize = "out.intake_peak_mg_l")]
    IntakePeakMgL,
    #[strum(serialize = "out.plume_people_max")]
    PlumePeopleMax,
    #[strum(serialize = "out.evacuated")]
    Evacuated,
    #[strum(serialize = "out.sheltered")]
    Sheltered,
    #[strum(serialize = "out.injects_delivered")]
    InjectsDelivered,
    #[strum(serialize = "out.orders_accepted")]
    OrdersAccepted,
    #[strum(serialize = "out.orders_refused")]
    OrdersRefused,
    #[strum(serialize = "out.reports_sent")]
    ReportsSent,
    #[strum(serialize = "out.final_level")]
    FinalLevel,
    #[strum(serialize = "score.overall")]
    ScoreOverall,
    #[strum(serialize = "score.plan")]
    ScorePlan,
    #[strum(serialize = "score.reporting")]
    ScoreReporting,
    #[strum(serialize = "score.coordination")]
    ScoreCoordination,
    #[strum(serialize = "score.outcomes")]
    ScoreOutcomes,
}

impl Measure {
    /// The column's header (`out.deaths`).
    pub fn name(self) -> &'static str {
        self.into()
    }
}

/// The columns of a sweep of this scenario (after `run` and `seed`): the uncertain parameters
/// (`param.`), then its [`measures`].
pub fn columns(sc: &ValidScenario) -> Vec<String> {
    let params = sc.scenario.uncertain.iter().map(|u| format!("param.{}", u.param.label()));
    params.chain(measures(sc).into_iter().map(|m| m.name().to_string())).collect()
}

/// The outcomes (those that the scenario's hazards can produce) and scores of a sweep of this
/// scenario.
pub fn measures(sc: &ValidScenario) -> Vec<Measure> {
    use Measure as M;
    let s = &sc.scenario;
    let has = |k: fn(&Hazard) -> bool| s.hazards.iter().any(k);
    let mut c = vec![M::Deaths];
    if has(|h| matches!(h, Hazard::Derailment(_))) {
        c.extend([M::DerailmentDead, M::CasualtiesTotal, M::PatientsAdmitted, M::SiteClearedS]);
    }
    if has(|h| matches!(h, Hazard::LeveeBreach(_))) {
        c.extend([M::FloodDeaths, M::FloodExposedPeak, M::FloodMaxDepthM, M::BreachClosedS]);
    }
    if has(|h| matches!(h, Hazard::ChemicalSpill(_))) {
        c.extend([M::WaterUnsafePeople, M::WaterProtectedPeople, M::IntakePeakMgL]);
    }
    if has(|h| matches!(h, Hazard::GasRelease(_))) {
        c.push(M::PlumePeopleMax);
    }
    let people = s.map.nodes.iter().any(|n| n.population > 0) && !s.resources.shelters.is_empty();
    if people {
        c.extend([M::Evacuated, M::Sheltered]);
    }
    c.extend([
        M::InjectsDelivered,
        M::OrdersAccepted,
        M::OrdersRefused,
        M::ReportsSent,
        M::FinalLevel,
        M::ScoreOverall,
        M::ScorePlan,
        M::ScoreReporting,
        M::ScoreCoordination,
        M::ScoreOutcomes,
    ]);
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
    let derailments = sc.scenario.hazards.iter().filter(|h| matches!(h, Hazard::Derailment(_))).count();
    let mut out: Vec<Option<f64>> = values.iter().map(|v| Some(*v)).collect();
    let f = |v: u64| Some(v as f64);
    for m in measures(sc) {
        use Measure as M;
        let v = match m {
            M::Deaths => f(o.deaths as u64),
            M::DerailmentDead => f(o.derailment_dead as u64),
            M::CasualtiesTotal => f(o.casualties_total as u64),
            M::PatientsAdmitted => f(o.patients_admitted as u64),
            M::SiteClearedS => site_cleared.filter(|_| derailments > 0).map(|s| s as f64),
            M::FloodDeaths => f(o.flood_deaths as u64),
            M::FloodExposedPeak => f(o.flood_exposed_peak),
            M::FloodMaxDepthM => Some(summary.flood_max_depth_m.values().cloned().fold(0.0, f64::max)),
            M::BreachClosedS => o.breach_closed_after_s.values().max().map(|s| *s as f64),
            M::WaterUnsafePeople => f(o.water_unsafe_people as u64),
            M::WaterProtectedPeople => f(o.water_protected_people as u64),
            M::IntakePeakMgL => peak_mg_l,
            M::PlumePeopleMax => Some(plume_max.unwrap_or(0) as f64),
            M::Evacuated => f(summary.evacuated as u64),
            M::Sheltered => f(summary.sheltered as u64),
            M::InjectsDelivered => f(summary.injects_delivered as u64),
            M::OrdersAccepted => f(summary.orders_accepted as u64),
            M::OrdersRefused => f(summary.orders_refused as u64),
            M::ReportsSent => f(summary.reports_sent as u64),
            M::FinalLevel => f(level_number(summary.final_level)),
            M::ScoreOverall => Some(score.overall),
            M::ScorePlan => Some(score.parts.plan),
            M::ScoreReporting => Some(score.parts.reporting),
            M::ScoreCoordination => Some(score.parts.coordination),
            M::ScoreOutcomes => Some(score.parts.outcomes),
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

#[cfg(test)]
mod tests {
    use super::*;
    use strum::VariantArray;

    #[test]
    fn measure_names_are_distinct_out_or_score_columns() {
        let names: BTreeSet<&str> = Measure::VARIANTS.iter().map(|m| m.name()).collect();
        assert_eq!(names.len(), Measure::VARIANTS.len());
        assert!(names.iter().all(|n| n.starts_with("out.") || n.starts_with("score.")), "{names:?}");
    }
}
