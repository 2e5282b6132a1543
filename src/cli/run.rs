//! `drillsim run`: play a scenario headless, write the journal and the summary.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use super::error::{Error, input};
use crate::engine::{RunOptions, build_app, run_to_end_with};
use crate::exercise::autoplan::AutoPlan;
use crate::exercise::orders::OrderBook;
use crate::exercise::orders::load_orders;
use crate::journal::Journal;
use crate::journal::summary::{Summary, summarize};
use crate::scenario;
use crate::scenario::time::{Dur, TimeSpec, human_secs};
use crate::sim::SimClock;

/// The most worker threads `--threads` takes (more only makes the task pool fail to start).
pub const MAX_THREADS: i64 = 256;

#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// The scenario file (.ron).
    #[arg(value_name = "SCENARIO")]
    pub scenario: PathBuf,
    /// Random seed (default: the scenario's `meta.seed`). Same seed and orders, same journal.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Timed orders to play (RON order file; see scenarios/README.md).
    #[arg(long, value_name = "FILE")]
    pub orders: Option<PathBuf>,
    /// Stop early: an offset ("+6h"), a duration ("6h") or a date-time ("2010-06-21T18:30").
    #[arg(long, value_name = "TIME")]
    pub until: Option<String>,
    /// Output folder (default: out/<scenario file name>).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Threads for a step's systems, 1 to 256 (default 1: Bevy's single-threaded executor, the
    /// fastest for this workload; N > 1: the multi-threaded executor on N threads). The journal
    /// does not depend on it.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=MAX_THREADS))]
    pub threads: Option<u16>,
    /// Run even into a folder that holds a live session's records (they are lost).
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub auto: AutoArgs,
}

/// The automatic plan-follower's options (shared by `run` and `live`).
#[derive(Debug, clap::Args)]
pub struct AutoArgs {
    /// Play the plan automatically: each plan action is ordered by its owner when its level
    /// triggers, plus --auto-delay. Seats that give orders in an order file (where the command
    /// takes one) are left to it.
    #[arg(long)]
    pub auto_plan: bool,
    /// Time from a level's trigger to the automatic orders (capped at each action's deadline).
    #[arg(long, value_name = "DURATION", default_value = "5m", requires = "auto_plan")]
    pub auto_delay: String,
    /// Seats (agency ids, comma-separated) the automatic player plays (default: see --auto-plan).
    #[arg(long, value_name = "IDS", value_delimiter = ',', requires = "auto_plan")]
    pub auto_seats: Option<Vec<String>>,
}

impl AutoArgs {
    /// The plan-follower to add, if asked for; `played` are seats people play (they are left out).
    pub fn resolve_with(
        &self,
        sc: &scenario::ValidScenario,
        played: &BTreeSet<String>,
    ) -> Result<Option<AutoPlan>, Error> {
        if !self.auto_plan {
            return Ok(None);
        }
        let delay = Dur::parse(&self.auto_delay).or_else(|e| input(format!("--auto-delay {e}")))?;
        let seats: BTreeSet<String> = match &self.auto_seats {
            Some(list) => {
                for id in list {
                    if sc.agency(id).is_none() {
                        return input(format!("--auto-seats: unknown agency \"{id}\""));
                    }
                }
                list.iter().cloned().collect()
            }
            None => sc.scenario.agencies.iter().map(|a| a.id.clone()).filter(|a| !played.contains(a)).collect(),
        };
        Ok(Some(AutoPlan::new(Some(seats), delay.secs())))
    }

    pub fn resolve(&self, sc: &scenario::ValidScenario) -> Result<Option<AutoPlan>, Error> {
        self.resolve_with(sc, &BTreeSet::new())
    }
}

pub(super) fn run(args: RunArgs) -> Result<(), Error> {
    // Check everything before doing any work.
    let scenario = Arc::new(scenario::load(&args.scenario)?);
    let until = args.until.as_deref().map(|u| parse_until("--until", u, &scenario)).transpose()?;
    let orders = args.orders.as_ref().map(|p| load_orders(p, &scenario)).transpose()?;
    let played: BTreeSet<String> = orders.iter().flat_map(|b| b.pending.iter().map(|p| p.by.clone())).collect();
    let auto = args.auto.resolve_with(&scenario, &played)?;
    let out = args.out.clone().unwrap_or_else(|| Path::new("out").join(args.scenario.file_stem().unwrap_or_default()));
    // Every argument is checked: now the folder (locked for this run, cleaned of an earlier one).
    let _lock = crate::outdir::claim(&out, args.force)?;
    keep_inputs(&out, &scenario, orders.as_ref())?;
    let journal_path = out.join("journal.jsonl");
    let journal = Journal::to_file(&journal_path)
        .map_err(|e| Error::Failed(format!("cannot create {}: {e}", journal_path.display())))?;

    // What the journal does not say, for `drillsim replay` and `fork`.
    let sidecar = crate::replay::RunSidecar { auto: auto.as_ref().map(crate::exercise::durable::AutoSpec::of), until };
    crate::outdir::write_record(&out, "run.json", serde_json::to_string_pretty(&sidecar).expect("run.json") + "\n")?;
    let wall = Instant::now();
    let opts = RunOptions { seed: args.seed, until, threads: args.threads.map(usize::from), orders };
    let mut app = build_app(scenario.clone(), opts, journal);
    if let Some(a) = auto {
        app.insert_resource(a);
    }
    let mut bar = Progress::new(wall);
    let ran = run_to_end_with(&mut app, &mut |c| bar.show(c));
    bar.done();
    ran?;
    let wall = wall.elapsed();
    let journal = app.world_mut().remove_resource::<Journal>().expect("the journal");
    let summary = summarize(&scenario, &journal.entries);
    let score = crate::scoring::score(&scenario, &journal.entries);
    let records = [
        ("summary.json", serde_json::to_string_pretty(&summary).expect("summary serializes") + "\n"),
        ("score.json", super::score::score_json(&score)),
    ];
    for (name, text) in records {
        crate::outdir::write_record(&out, name, text)?;
    }
    print_human(&summary, &out, wall.as_secs_f64());
    println!("  score: {:.1}/100 (details: drillsim score, drillsim report)", score.overall);
    super::score::print_outcomes(&scenario, &journal.entries, &score);
    Ok(())
}

/// A time argument (`--until`, `--to`, `--at`, `--skip-to`, named by `flag`): "+6h", "6h" or a
/// calendar time, within the scenario.
pub(super) fn parse_until(flag: &str, text: &str, s: &scenario::ValidScenario) -> Result<u64, Error> {
    let secs = match Dur::parse(text) {
        Ok(d) => d.secs() as i64,
        Err(_) => s.offset(&TimeSpec::parse(text).or_else(|e| input(format!("{flag} {e}")))?),
    };
    if secs <= 0 || secs as u64 > s.duration_secs {
        return input(format!(
            "{flag} \"{text}\" is outside the scenario (it runs {} from {})",
            human_secs(s.duration_secs as i64),
            s.start.format("%Y-%m-%d %H:%M")
        ));
    }
    Ok(secs as u64)
}

fn print_human(s: &Summary, out: &Path, wall_s: f64) {
    let ratio = if wall_s > 0.0 { s.simulated_s as f64 / wall_s } else { f64::INFINITY };
    println!("{} — seed {}", s.scenario, s.seed);
    println!(
        "  simulated {} ({} → {}) in {:.2} s wall ({:.0}× real time){}",
        human_secs(s.simulated_s as i64),
        s.start,
        s.reached,
        wall_s,
        ratio,
        if s.completed { "" } else { ", stopped early" }
    );
    println!("  journal: {} entries", s.entries);
    if !s.hazards_begun.is_empty() {
        println!("  hazards begun: {}", s.hazards_begun.join(", "));
    }
    let c = &s.casualties;
    if c.green + c.yellow + c.red + c.black > 0 {
        println!("  casualties: {} dead, {} red, {} yellow, {} green", c.black, c.red, c.yellow, c.green);
    }
    println!("  injects delivered: {} of {}", s.injects_delivered, s.injects_total);
    println!(
        "  orders: {} accepted, {} refused; reports sent: {}; team arrivals: {}",
        s.orders_accepted, s.orders_refused, s.reports_sent, s.team_arrivals
    );
    let levels: Vec<&str> = s.plan_levels_triggered.iter().map(|l| l.roman()).collect();
    println!(
        "  plan levels triggered: {}; response level declared: {}",
        if levels.is_empty() { "none".to_string() } else { levels.join(", ") },
        s.final_level.map_or("none", |l| l.roman())
    );
    println!("  wrote {}/journal.jsonl, summary.json and score.json", out.display());
}

/// Keeps a copy of the scenario (and the order file) a run used in its folder, so the folder does
/// not depend on the files staying as they were: `report` and `replay` read the copies.
pub(super) fn keep_inputs(
    out: &Path,
    sc: &scenario::ValidScenario,
    orders: Option<&OrderBook>,
) -> Result<(), crate::outdir::OutError> {
    use crate::outdir::{ORDERS_COPY, SCENARIO_COPY, write_record};
    write_record(out, SCENARIO_COPY, sc.source.text.as_bytes())?;
    if let Some(file) = orders.and_then(|b| b.source.as_ref()) {
        write_record(out, ORDERS_COPY, file.text.as_bytes())?;
    }
    Ok(())
}

/// A progress bar on standard error for runs that take more than a few seconds (never drawn
/// when standard error is not a terminal).
struct Progress {
    since: Instant,
    bar: Option<indicatif::ProgressBar>,
}

impl Progress {
    /// Wall time before a bar appears.
    const AFTER: std::time::Duration = std::time::Duration::from_secs(2);

    fn new(since: Instant) -> Progress {
        Progress { since, bar: None }
    }

    fn show(&mut self, c: &SimClock) {
        if self.bar.is_none() && self.since.elapsed() >= Self::AFTER {
            use std::io::IsTerminal;
            let target = if std::io::stderr().is_terminal() {
                indicatif::ProgressDrawTarget::stderr()
            } else {
                indicatif::ProgressDrawTarget::hidden()
            };
            let bar = indicatif::ProgressBar::with_draw_target(Some(c.stop_at), target);
            bar.set_style(
                indicatif::ProgressStyle::with_template("{elapsed_precise} [{bar:40}] {msg} simulated, ETA {eta}")
                    .expect("a valid template")
                    .progress_chars("=> "),
            );
            self.bar = Some(bar);
        }
        if let Some(b) = &self.bar {
            b.set_position(c.now.min(c.stop_at));
            b.set_message(format!("+{} of +{}", human_secs(c.now as i64), human_secs(c.stop_at as i64)));
        }
    }

    fn done(&mut self) {
        if let Some(b) = self.bar.take() {
            b.finish_and_clear();
        }
    }
}
