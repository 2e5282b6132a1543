//! `drillsim live`: run an exercise in real time (× speed) with orders on standard input.

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{self, TryRecvError};

use super::console::{Lang, ascii_punctuation, happening, help};
use super::error::Error;
use crate::engine::{RunOptions, build_app};
use crate::exercise::durable::{AutoSpec, OrderLog, SessionSpec};
use crate::exercise::live::{Live, write_session_records};
use crate::journal::Journal;
use crate::report::names::Names;
use crate::report::refusal;
use crate::scenario::{self, ValidScenario};

#[derive(Debug, clap::Args)]
pub struct LiveArgs {
    /// The scenario file (.ron).
    #[arg(value_name = "SCENARIO")]
    pub scenario: PathBuf,
    /// Simulated seconds per real second (1 = real time; 60 = a minute a second).
    #[arg(long, default_value_t = 60.0, value_parser = parse_speed)]
    pub speed: f64,
    /// Output folder for journal.jsonl, orders.ron, summary.json and orders.log (the durable order
    /// log: `drillsim resume OUT` carries on after a crash).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Random seed (default: the scenario's `meta.seed`).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Start with the clock stopped; the facilitator resumes with `(by: "control", order: Resume)`.
    #[arg(long)]
    pub paused: bool,
    /// Write over the records of an earlier live session in --out (they are lost).
    #[arg(long)]
    pub force: bool,
    /// Language of the console's messages (what happens, `help`, why an order is refused): zh or en.
    #[arg(long, value_enum, default_value = "zh")]
    pub lang: super::console::Lang,
    #[command(flatten)]
    pub auto: super::run::AutoArgs,
}

pub(super) fn parse_speed(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(x) if x > 0.0 && x.is_finite() => Ok(x),
        _ => Err(format!("\"{s}\" is not a speed above zero (e.g. 1, 60, 3600)")),
    }
}

/// A live session's scenario and plan-follower settings (`live`, `serve`).
pub(super) fn load_session_inputs(
    path: &Path,
    auto: &super::run::AutoArgs,
) -> Result<(Arc<ValidScenario>, Option<crate::exercise::autoplan::AutoPlan>), Error> {
    let sc = Arc::new(scenario::load(path)?);
    let auto = auto.resolve(&sc)?;
    Ok((sc, auto))
}

pub(super) fn live(args: LiveArgs) -> Result<(), Error> {
    let (sc, auto) = load_session_inputs(&args.scenario, &args.auto)?;
    let (_lock, journal, log) =
        open_session(&sc, &args.out, args.seed, args.speed, args.paused, auto.as_ref(), args.force)?;
    let mut app = build_app(sc.clone(), RunOptions { seed: args.seed, ..Default::default() }, journal);
    if let Some(a) = auto {
        app.insert_resource(a);
    }
    let mut live = Live::new(app, args.speed, args.paused);
    live.set_log(log);
    eprintln!(
        "drillsim live: \"{}\" at {}× real time{}. One order per line (`help` lists them); Ctrl-D ends input, the clock runs on.",
        sc.scenario.meta.name,
        args.speed,
        if args.paused { ", paused" } else { "" }
    );
    drive(live, &sc, &args.out, args.lang)
}

/// Claims a live session's output folder (an OS lock held while the returned guard lives; a
/// folder holding another session's records is refused unless `force`), keeps a copy of the
/// scenario, and creates the journal and the durable order log (the session line).
pub(super) fn open_session(
    sc: &ValidScenario,
    out: &Path,
    seed: Option<u64>,
    speed: f64,
    paused: bool,
    auto: Option<&crate::exercise::autoplan::AutoPlan>,
    force: bool,
) -> Result<(crate::outdir::OutLock, Journal, OrderLog), Error> {
    let lock = crate::outdir::claim(out, force)?;
    super::run::keep_inputs(out, sc, None)?;
    let journal = Journal::to_file(&out.join("journal.jsonl"))
        .map_err(|e| Error::Failed(format!("cannot create the journal in {}: {e}", out.display())))?;
    let spec = SessionSpec {
        drillsim_version: env!("CARGO_PKG_VERSION").to_string(),
        scenario_path: sc.source.path.display().to_string(),
        scenario_sha256: sc.sha256().to_string(),
        seed: seed.unwrap_or(sc.scenario.meta.seed),
        speed,
        paused,
        auto: auto.map(AutoSpec::of),
    };
    let log_path = out.join("orders.log");
    let log = OrderLog::create(&log_path, &spec)
        .map_err(|e| Error::Failed(format!("cannot create {}: {e}", log_path.display())))?;
    Ok((lock, journal, log))
}

/// The live session's loop: lines from standard input, answers on standard output, the clock
/// paced to the wall clock; at the end `run_ended`, OUT/orders.ron and OUT/summary.json.
/// What happens is told on standard error as it happens (the console seat, `exercise::console`).
pub(super) fn drive(mut live: Live, sc: &Arc<ValidScenario>, out_dir: &Path, lang: Lang) -> Result<(), Error> {
    let mut told = live.app.world().resource::<Journal>().entries.len();
    // Lines are read as bytes: one that is not UTF-8 is answered, and input goes on.
    let (tx, rx) = mpsc::channel::<Vec<u8>>();
    std::thread::spawn(move || {
        let mut input = std::io::stdin().lock();
        loop {
            let mut line = Vec::new();
            match input.read_until(b'\n', &mut line) {
                Ok(0) | Err(_) => break,
                Ok(_) => {
                    if tx.send(line).is_err() {
                        break;
                    }
                }
            }
        }
    });
    let stdout = std::io::stdout();
    // a refusal is said in the console's language, with names
    let names = Names::new(
        sc,
        match lang {
            Lang::Zh => crate::report::Lang::Zh,
            Lang::En => crate::report::Lang::En,
        },
    );
    let mut input_open = true;
    loop {
        let mut said = Vec::new();
        while input_open {
            match rx.try_recv() {
                Ok(line) => match std::str::from_utf8(&line) {
                    Ok(text) if matches!(text.trim(), "help" | "帮助" | "?" | "？") => eprint!("{}", help(sc, lang)),
                    Ok(text) => said.extend(live.take_bytes(ascii_punctuation(text).as_bytes())),
                    Err(_) => said.extend(live.take_bytes(&line)),
                },
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Disconnected) => input_open = false,
            }
        }
        live.pace(10_000);
        said.extend(live.answers());
        {
            let entries = &live.app.world().resource::<Journal>().entries;
            for e in &entries[told..] {
                if let Some(h) = happening(sc, e, lang) {
                    eprintln!("{h}");
                }
            }
            told = entries.len();
        }
        let clock = live.app.world().resource::<crate::sim::SimClock>().clone();
        {
            let mut out = stdout.lock();
            for a in &said {
                let _ = writeln!(out, "{}", a.line_saying(&clock, &|r| refusal::sentence(&names, r)));
            }
            let _ = out.flush();
        }
        if let Some(e) = &live.log_error {
            return Err(Error::Failed(format!(
                "{e}; the session stops (the orders answered so far are in orders.log)"
            )));
        }
        if let Some(e) = &live.app.world().resource::<Journal>().error {
            return Err(crate::journal::JournalError::Write(e.clone()).into());
        }
        if live.finished() {
            break;
        }
        if !input_open && live.paused() && !live.has_pending() {
            eprintln!(
                "drillsim live: input closed while the exercise is paused; nothing can resume it, so it ends here"
            );
            break;
        }
        std::thread::sleep(live.idle());
    }
    let world = live.app.world_mut();
    let clock = world.resource::<crate::sim::SimClock>().clone();
    let mut journal = world.resource_mut::<Journal>();
    journal.push(clock.now, clock.iso(clock.now), crate::journal::Event::RunEnded { steps: clock.steps_done });
    journal.flush();
    let entries = journal.entries.clone();
    write_session_records(sc, &entries, out_dir)?;
    eprintln!(
        "drillsim live: ended at {} after {} steps; journal {} entries in {}",
        clock.iso(clock.now),
        clock.steps_done,
        entries.len(),
        out_dir.display()
    );
    Ok(())
}
