//! Replay, resume, seek and fork: re-running a recorded exercise from scenario + seed + orders
//! and checking it against its journal line by line.
//!
//! A run's output folder says how to re-run it: the journal's `run_started` (scenario path and
//! SHA-256, seed, order file and SHA-256), plus `run.json` (`drillsim run`: the automatic
//! plan-follower's settings and `--until`), or `orders.log` (`drillsim live`: the durable order
//! log, each order with the moment it was queued), or `fork.json` (`drillsim fork`: the base
//! folder, the fork point and the alternative orders). [`Rerun`] steps the rebuilt app one step
//! at a time with the journal in memory, so that a caller can stop at any time (seek), compare
//! as it goes (the first divergence is named), or carry on live (resume).
//!
//! Seeking re-simulates from the start: the seed scenarios re-run in well under a second each
//! (figures in README.md), so no snapshots are kept.

pub mod compare;
pub mod course;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use bevy::prelude::App;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::engine::{RunOptions, build_app};
use crate::exercise::durable::{AutoSpec, LoggedOrder, read_log};
use crate::exercise::live::Live;
use crate::exercise::orders::{OrderBook, Pending, load_orders};
use crate::journal::{Entry, Event, Journal};
use crate::scenario::{self, ValidScenario, hex};
use crate::sim::{SimClock, StepsPerUpdate};

/// Why a recorded run cannot be re-run, or its re-run cannot go on or be written.
#[derive(Debug, thiserror::Error)]
pub enum ReplayError {
    #[error("cannot read {}: {source}", path.display())]
    Read { path: PathBuf, source: std::io::Error },
    /// A record beside the journal (`fork.json`, `run.json`) that is not one; `what` names it.
    #[error("{}: not a {what}: {source}", path.display())]
    NotRecord { path: PathBuf, what: &'static str, source: serde_json::Error },
    #[error("{} is empty", path.display())]
    EmptyJournal { path: PathBuf },
    #[error("{}:1: not a journal entry: {source}", path.display())]
    FirstEntry { path: PathBuf, source: serde_json::Error },
    #[error("{}:1: the first entry is not run_started", path.display())]
    NotRunStarted { path: PathBuf },
    /// The scenario or order file the run used has problems now.
    #[error("{}: {count} problem(s); see drillsim validate", path.display())]
    Problems { path: PathBuf, count: usize },
    /// The input file the run recorded is gone, and the folder kept no copy of it.
    #[error("cannot read {path}: {source} (the path is as the run recorded it, and {} has no copy of it)", out.display())]
    Missing { path: String, out: PathBuf, source: std::io::Error },
    /// The input file the run recorded is not the one it used (`what`: how, in plain words).
    #[error("{path} has changed since the run ({what}); a re-run needs the same file")]
    Changed { path: String, what: String },
    /// A fork's alternative order file cannot be loaded.
    #[error("{0}")]
    ForkOrders(crate::scenario::LoadError),
    #[error("{path} has changed since the fork")]
    ForkOrdersChanged { path: String },
    #[error(transparent)]
    Log(#[from] crate::exercise::durable::LogError),
    /// The re-run cannot follow the order log (a check failed, not the input).
    #[error("the order log goes on after +{t}s while the exercise stands paused there")]
    PausedWithOrders { t: u64 },
    #[error("cannot write {}: {source}", path.display())]
    Write { path: PathBuf, source: std::io::Error },
}

/// `OUT/run.json`, written by `drillsim run`: what the journal does not say about the run.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RunSidecar {
    pub auto: Option<AutoSpec>,
    pub until: Option<u64>,
}

/// `OUT2/fork.json`, written by `drillsim fork`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ForkSidecar {
    /// The folder of the run forked from.
    pub base: String,
    /// The fork point, seconds since the start (a step boundary).
    pub at: u64,
    pub orders_path: String,
    pub orders_sha256: String,
    /// Whether the recorded orders from the fork point on were kept beside the alternative.
    pub keep: bool,
}

/// Where a run's orders come from.
#[derive(Debug, Clone)]
pub enum Source {
    /// `drillsim run`: an order file (or none), known from the start.
    File(Option<OrderBook>),
    /// `drillsim live`: the logged orders, each queued at its moment.
    Live { speed: f64, paused: bool, orders: Vec<LoggedOrder> },
}

/// Alternative orders given at a fork point.
#[derive(Debug, Clone)]
pub struct Fork {
    pub at: u64,
    pub orders: Vec<Pending>,
    /// Keep the recorded orders from `at` on (default: the alternative replaces them).
    pub keep: bool,
}

/// Everything needed to re-run a recorded run.
#[derive(Debug, Clone)]
pub struct Recipe {
    pub scenario: Arc<ValidScenario>,
    pub seed: u64,
    pub auto: Option<AutoSpec>,
    pub until: Option<u64>,
    pub source: Source,
    pub fork: Option<Fork>,
}

/// A journal file read back as lines, with a torn last line (no newline) left out.
#[derive(Debug, Clone)]
pub struct JournalLines {
    pub lines: Vec<String>,
    pub torn: bool,
}

pub fn read_lines(path: &Path) -> Result<JournalLines, ReplayError> {
    let bytes = std::fs::read(path).map_err(|source| ReplayError::Read { path: path.to_path_buf(), source })?;
    let text = String::from_utf8_lossy(&bytes);
    let torn = !text.is_empty() && !text.ends_with('\n');
    let mut lines: Vec<String> = text.split_inclusive('\n').map(|l| l.trim_end_matches('\n').to_string()).collect();
    if torn {
        lines.pop();
    }
    Ok(JournalLines { lines, torn })
}

fn load_scenario(out: &Path, path: &str, sha: &str) -> Result<Arc<ValidScenario>, ReplayError> {
    let (file, kept) = kept_or_named(out, crate::outdir::SCENARIO_COPY, path, sha)?;
    let sc = scenario::parse(file).map_err(|p| ReplayError::Problems { path: kept, count: p.problems.len() })?;
    Ok(Arc::new(sc))
}

/// The input a run used, as it was: the copy kept in OUT (`copy`) when it is the one the run
/// recorded (SHA-256 `sha`), else the file at `path`, which must then be unchanged. The text is
/// named by the recorded path, so a re-run journals the same `run_started`. Also returns the file
/// actually read.
pub fn kept_or_named(
    out: &Path,
    copy: &str,
    path: &str,
    sha: &str,
) -> Result<(scenario::SourceFile, PathBuf), ReplayError> {
    let copy_path = out.join(copy);
    let kept = std::fs::read_to_string(&copy_path).ok();
    if let Some(text) = &kept
        && hex(&Sha256::digest(text.as_bytes())) == sha
    {
        return Ok((scenario::SourceFile::new(path, text.as_str()), copy_path));
    }
    let text = std::fs::read_to_string(path).map_err(|source| ReplayError::Missing {
        path: path.to_string(),
        out: out.to_path_buf(),
        source,
    })?;
    let now = hex(&Sha256::digest(text.as_bytes()));
    if now != sha {
        let what = match &kept {
            Some(old) => what_changed(old, &text),
            None => format!("SHA-256 {} now, {} then", &now[..12], &sha[..12.min(sha.len())]),
        };
        return Err(ReplayError::Changed { path: path.to_string(), what });
    }
    Ok((scenario::SourceFile::new(path, text), PathBuf::from(path)))
}

/// In plain words, how `new` differs from `old` (the first line that differs, and line counts).
pub fn what_changed(old: &str, new: &str) -> String {
    let (a, b): (Vec<&str>, Vec<&str>) = (old.lines().collect(), new.lines().collect());
    let clip = |l: &str| crate::scenario::diag::clip(l.trim(), 80);
    let first = (0..a.len().max(b.len())).find(|&i| a.get(i) != b.get(i));
    let Some(i) = first else {
        return "only its line endings or final newline differ".into();
    };
    let at = match (a.get(i), b.get(i)) {
        (Some(x), Some(y)) => format!("line {} was `{}`, now `{}`", i + 1, clip(x), clip(y)),
        (None, Some(y)) => format!("line {} was added: `{}`", i + 1, clip(y)),
        (Some(x), None) => format!("line {} and after were removed, from `{}`", i + 1, clip(x)),
        (None, None) => unreachable!("i is below the longer length"),
    };
    let counts = if a.len() == b.len() {
        format!("{} lines then and now", a.len())
    } else {
        format!("{} lines then, {} now", a.len(), b.len())
    };
    format!("{at}; {counts}")
}

/// How to re-run the run in `out`, and its journal lines.
pub fn recipe_of(out: &Path) -> Result<(Recipe, JournalLines), ReplayError> {
    let journal_path = out.join("journal.jsonl");
    let lines = read_lines(&journal_path)?;
    let fork_path = out.join("fork.json");
    if fork_path.exists() {
        let text = std::fs::read_to_string(&fork_path)
            .map_err(|source| ReplayError::Read { path: fork_path.clone(), source })?;
        let f: ForkSidecar = serde_json::from_str(&text).map_err(|source| ReplayError::NotRecord {
            path: fork_path,
            what: "fork record",
            source,
        })?;
        let (mut recipe, _) = recipe_of(Path::new(&f.base))?;
        let book = load_orders(Path::new(&f.orders_path), &recipe.scenario).map_err(ReplayError::ForkOrders)?;
        if book.sha256.as_deref() != Some(f.orders_sha256.as_str()) {
            return Err(ReplayError::ForkOrdersChanged { path: f.orders_path });
        }
        recipe.fork = Some(Fork { at: f.at, orders: book.pending, keep: f.keep });
        return Ok((recipe, lines));
    }
    let log_path = out.join("orders.log");
    if log_path.exists() {
        let log = read_log(&log_path)?;
        let sc = load_scenario(out, &log.spec.scenario_path, &log.spec.scenario_sha256)?;
        let recipe = Recipe {
            scenario: sc,
            seed: log.spec.seed,
            auto: log.spec.auto.clone(),
            until: None,
            source: Source::Live { speed: log.spec.speed, paused: log.spec.paused, orders: log.orders },
            fork: None,
        };
        return Ok((recipe, lines));
    }
    let first = lines.lines.first().ok_or_else(|| ReplayError::EmptyJournal { path: journal_path.clone() })?;
    let entry: Entry =
        serde_json::from_str(first).map_err(|source| ReplayError::FirstEntry { path: journal_path.clone(), source })?;
    let Event::RunStarted { scenario_path, scenario_sha256, seed, orders_path, orders_sha256, .. } = entry.event else {
        return Err(ReplayError::NotRunStarted { path: journal_path });
    };
    let sc = load_scenario(out, &scenario_path, &scenario_sha256)?;
    let book = match orders_path {
        None => None,
        Some(p) => {
            let sha = orders_sha256.clone().unwrap_or_default();
            let (file, _) = kept_or_named(out, crate::outdir::ORDERS_COPY, &p, &sha)?;
            let book = crate::exercise::orders::parse_orders(file, &sc)
                .map_err(|e| ReplayError::Problems { path: PathBuf::from(&p), count: e.problems.len() })?;
            Some(book)
        }
    };
    let side_path = out.join("run.json");
    let side: RunSidecar = match std::fs::read_to_string(&side_path) {
        Ok(text) => serde_json::from_str(&text).map_err(|source| ReplayError::NotRecord {
            path: side_path,
            what: "run record",
            source,
        })?,
        Err(_) => RunSidecar::default(),
    };
    let recipe =
        Recipe { scenario: sc, seed, auto: side.auto, until: side.until, source: Source::File(book), fork: None };
    Ok((recipe, lines))
}

enum Driver {
    /// Stepped like `drillsim run` (`run_to_end`): one step per update.
    File { app: App },
    /// Stepped like `drillsim live`: logged orders queued at their moments.
    Live { live: Live, orders: Vec<LoggedOrder>, next: usize },
}

/// A recorded run being re-run step by step, with its journal in memory.
pub struct Rerun {
    driver: Driver,
    fork: Option<Fork>,
    fork_given: bool,
    ended: bool,
}

impl Rerun {
    pub fn start(recipe: &Recipe) -> Rerun {
        let book = match &recipe.source {
            Source::File(b) => {
                let mut b = b.clone().unwrap_or_default();
                if let Some(f) = recipe.fork.as_ref().filter(|f| !f.keep) {
                    b.pending.retain(|p| p.t < f.at);
                }
                Some(b)
            }
            Source::Live { .. } => None,
        };
        let opts = RunOptions { seed: Some(recipe.seed), until: recipe.until, threads: None, orders: book };
        let mut app = build_app(recipe.scenario.clone(), opts, Journal::in_memory());
        if let Some(a) = &recipe.auto {
            app.insert_resource(a.plan());
        }
        let driver = match &recipe.source {
            Source::File(_) => Driver::File { app },
            Source::Live { speed, paused, orders } => {
                let mut orders = orders.clone();
                if let Some(f) = recipe.fork.as_ref().filter(|f| !f.keep) {
                    orders.retain(|o| o.t < f.at);
                }
                Driver::Live { live: Live::new(app, *speed, *paused), orders, next: 0 }
            }
        };
        Rerun { driver, fork: recipe.fork.clone(), fork_given: false, ended: false }
    }

    pub fn app(&self) -> &App {
        match &self.driver {
            Driver::File { app } => app,
            Driver::Live { live, .. } => &live.app,
        }
    }

    fn app_mut(&mut self) -> &mut App {
        match &mut self.driver {
            Driver::File { app } => app,
            Driver::Live { live, .. } => &mut live.app,
        }
    }

    pub fn clock(&self) -> SimClock {
        self.app().world().resource::<SimClock>().clone()
    }

    pub fn entries(&self) -> &[Entry] {
        &self.app().world().resource::<Journal>().entries
    }

    /// Whether the run has reached its end (and `run_ended` is written).
    pub fn ended(&self) -> bool {
        self.ended
    }

    /// Logged orders not yet queued (live recordings).
    pub fn orders_left(&self) -> usize {
        match &self.driver {
            Driver::File { .. } => 0,
            Driver::Live { orders, next, .. } => orders.len() - next,
        }
    }

    /// Queues what is due at the current step boundary: the alternative orders at the fork
    /// point, and (live recordings) the orders logged at this moment, then decides those due.
    pub fn boundary(&mut self) {
        let now = self.clock().now;
        let fork_orders = match &self.fork {
            Some(f) if !self.fork_given && now >= f.at => {
                self.fork_given = true;
                f.orders.clone()
            }
            _ => Vec::new(),
        };
        match &mut self.driver {
            Driver::File { app } => {
                let mut book = app.world_mut().resource_mut::<OrderBook>();
                for p in fork_orders {
                    book.push(p);
                }
            }
            Driver::Live { live, orders, next, .. } => {
                while let Some(o) = orders.get(*next).filter(|o| o.queued_at <= now) {
                    live.queue_logged_order(o);
                    *next += 1;
                }
                for p in fork_orders {
                    live.app.world_mut().resource_mut::<OrderBook>().push(p);
                }
                live.decide_now();
                live.answers();
            }
        }
    }

    /// Runs one step (after the boundary's orders); at the end writes `run_ended`. Returns false
    /// when nothing can move: the run ended, or the exercise is paused with no logged order left.
    pub fn step(&mut self) -> Result<bool, ReplayError> {
        if self.ended {
            return Ok(false);
        }
        self.boundary();
        match &mut self.driver {
            Driver::File { app } => app.update(),
            Driver::Live { live, orders, next, .. } => {
                if live.finished() {
                } else if live.paused() {
                    if *next < orders.len() {
                        return Err(ReplayError::PausedWithOrders { t: live.app.world().resource::<SimClock>().now });
                    }
                    return Ok(false);
                } else {
                    live.steps(1);
                }
            }
        }
        let clock = self.clock();
        if clock.finished() {
            let mut journal = self.app_mut().world_mut().resource_mut::<Journal>();
            journal.push(clock.now, clock.iso(clock.now), Event::RunEnded { steps: clock.steps_done });
            self.ended = true;
        }
        Ok(true)
    }

    /// Ends the run where it stands (`run_ended`), as a live session does when its input closes
    /// while paused.
    pub fn end_here(&mut self) {
        if !self.ended {
            let clock = self.clock();
            let mut journal = self.app_mut().world_mut().resource_mut::<Journal>();
            journal.push(clock.now, clock.iso(clock.now), Event::RunEnded { steps: clock.steps_done });
            self.ended = true;
        }
    }

    /// Re-runs until the clock passes `to` (all entries at or before `to` written) or the end.
    pub fn run_to(&mut self, to: Option<u64>) -> Result<(), ReplayError> {
        while !self.ended && to.is_none_or(|to| self.clock().now <= to) {
            if !self.step()? {
                break;
            }
        }
        Ok(())
    }

    /// The live driver, with the journal, to carry on a session (a live recording only).
    pub fn into_live(self) -> Option<Live> {
        match self.driver {
            Driver::Live { mut live, .. } => {
                live.app.world_mut().resource_mut::<StepsPerUpdate>().0 = 0;
                live.answers(); // answered in the first session already
                Some(live)
            }
            Driver::File { .. } => None,
        }
    }
}

/// The journal line of an entry, as the file has it.
pub fn line_of(e: &Entry) -> String {
    serde_json::to_string(e).expect("entries serialize")
}

/// Where a re-run first differs from a recorded journal (`None`: no difference in the span).
pub fn first_divergence(recorded: &[String], rerun: &[Entry]) -> Option<String> {
    for (i, e) in rerun.iter().enumerate() {
        let got = line_of(e);
        match recorded.get(i) {
            Some(want) if *want == got => {}
            Some(want) => {
                return Some(format!(
                    "line {} (seq {}, t +{}s):\n  recorded: {}\n  re-run:   {}",
                    i + 1,
                    e.seq,
                    e.t,
                    clip(want),
                    clip(&got)
                ));
            }
            None => {
                return Some(format!("the recorded journal ends at line {}; the re-run goes on: {}", i, clip(&got)));
            }
        }
    }
    None
}

fn clip(s: &str) -> String {
    if s.chars().count() > 300 { format!("{}…", s.chars().take(300).collect::<String>()) } else { s.to_string() }
}

/// SHA-256 of a file's bytes, hex.
pub fn file_sha256(path: &Path) -> std::io::Result<String> {
    Ok(hex(&Sha256::digest(std::fs::read(path)?)))
}

/// Writes a finished (or stopped) run's files into `out`: journal.jsonl, summary.json, score.json.
pub fn write_outputs(sc: &ValidScenario, entries: &[Entry], out: &Path) -> Result<(), ReplayError> {
    let io = |path: PathBuf, source: std::io::Error| ReplayError::Write { path, source };
    std::fs::create_dir_all(out).map_err(|e| io(out.to_path_buf(), e))?;
    let mut text = String::new();
    for e in entries {
        text.push_str(&line_of(e));
        text.push('\n');
    }
    let summary = crate::journal::summary::summarize(sc, entries);
    let score = crate::scoring::score(sc, entries);
    let files = [
        ("journal.jsonl", text),
        ("summary.json", serde_json::to_string_pretty(&summary).expect("summary") + "\n"),
        ("score.json", serde_json::to_string_pretty(&score).expect("score") + "\n"),
    ];
    for (name, text) in files {
        crate::outdir::write_atomic(&out.join(name), text.as_bytes()).map_err(|e| io(out.join(name), e))?;
    }
    Ok(())
}
