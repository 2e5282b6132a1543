//! `drillsim resume OUT`: carry on a live session that stopped (a crash, `kill -9`, a power cut)
//! from its durable order log.

use std::path::{Path, PathBuf};

use super::error::{Error, input};
use crate::exercise::durable::{OrderLog, ReadLog, read_log};
use crate::exercise::live::Live;
use crate::journal::Journal;
use crate::replay::{Rerun, first_divergence, recipe_of};
use crate::scenario::time::human_secs;

#[derive(Debug, clap::Args)]
pub struct ResumeArgs {
    /// The live session's output folder (it holds orders.log and journal.jsonl).
    #[arg(value_name = "OUT")]
    pub out: PathBuf,
    /// Language of the console's messages (why an order is refused among them): zh or en.
    #[arg(long, value_enum, default_value = "zh")]
    pub lang: super::console::Lang,
}

/// Locks a session's folder to carry it on (`resume`, `serve --resume`): one drillsim per folder,
/// and a session still running keeps its folder locked, so it is refused with nothing changed.
pub(super) fn lock_to_carry_on(out: &Path) -> Result<crate::outdir::OutLock, Error> {
    match crate::outdir::lock(out) {
        Ok(l) => Ok(l),
        Err(crate::outdir::OutError::Busy { pid, .. }) => input(format!(
            "the session in {} is still running (process {pid}); nothing was changed. \
             Give orders to it, or stop it first",
            out.display()
        )),
        Err(e) => Err(e.into()),
    }
}

pub(super) fn resume(args: ResumeArgs) -> Result<(), Error> {
    let out = &args.out;
    let log_path = out.join("orders.log");
    if !log_path.exists() {
        if crate::outdir::journal_ended(out) && !out.join("summary.json").exists() {
            // A run that ended, but a crash came before its last records: write them.
            return complete_run(out);
        }
        return input(format!(
            "{} has no orders.log: it is not a live session (`drillsim replay {}` re-runs and checks a run)",
            out.display(),
            out.display()
        ));
    }
    let _lock = lock_to_carry_on(out)?;
    if crate::outdir::journal_ended(out) {
        let missing: Vec<&str> = ["orders.ron", "summary.json"].into_iter().filter(|n| !out.join(n).exists()).collect();
        if missing.is_empty() {
            eprintln!("drillsim resume: the session in {} ended normally; nothing to resume", out.display());
            return Ok(());
        }
        // It ended, but a crash came before its last records: write them from the journal.
        let (recipe, entries) = ended_run(out)?;
        crate::exercise::live::write_session_records(&recipe.scenario, &entries, out)?;
        eprintln!(
            "drillsim resume: the session had ended, but {} did not get written before the crash; written now",
            missing.join(" and ")
        );
        return Ok(());
    }
    let (live, log) = match catch_up(out)? {
        CaughtUp::Ended { entries } => {
            eprintln!("drillsim resume: the session had reached its end; journal completed ({entries} entries)");
            return Ok(());
        }
        CaughtUp::Live { live, log } => (live, log),
    };
    let sc = live.app.world().resource::<crate::sim::ScenarioRes>().0.clone();
    let clock = live.app.world().resource::<crate::sim::SimClock>().clone();
    let entries = live.app.world().resource::<Journal>().entries.len();
    eprintln!(
        "drillsim resume: \"{}\": {} logged orders re-run to +{} ({} journal entries, the same byte for byte); \
         carrying on live at {}× real time{}",
        sc.scenario.meta.name,
        log.orders.len(),
        human_secs(clock.now as i64),
        entries,
        live.app.world().resource::<crate::exercise::ExerciseState>().speed,
        if live.paused() { ", paused (the facilitator resumes)" } else { "" }
    );
    super::live::drive(live, &sc, out, args.lang)
}

/// A live session re-run from its order log up to where its journal ends.
#[allow(clippy::large_enum_variant, reason = "made once per resume and taken apart at once")]
pub(super) enum CaughtUp {
    /// The session had reached its end: the journal and session records are now complete.
    Ended { entries: usize },
    /// The engine stands where the session stopped, the journal file rewritten and open for
    /// appending, the order log reopened, the next answer number after the logged ones.
    Live { live: Live, log: ReadLog },
}

/// Re-runs the live session in `out` from its durable order log and checks its journal byte for
/// byte (`drillsim resume`, `drillsim serve --resume`).
pub(super) fn catch_up(out: &Path) -> Result<CaughtUp, Error> {
    let log_path = out.join("orders.log");
    // A power cut can lose a journal whose folder entry was not yet on disk: the order log is
    // enough to rebuild it.
    let journal_path = out.join("journal.jsonl");
    if !journal_path.exists() {
        crate::outdir::write_atomic(&journal_path, b"")
            .map_err(|e| Error::Failed(format!("cannot write {}: {e}", journal_path.display())))?;
    }
    let (recipe, lines) = recipe_of(out)?;
    let log = read_log(&log_path)?;
    if lines.torn {
        eprintln!("drillsim resume: the journal's last line was cut short by the crash; it is written again");
    }
    let sc = recipe.scenario.clone();
    // Re-simulate from the log up to where the journal and the log end.
    let mut rerun = Rerun::start(&recipe);
    loop {
        rerun.boundary();
        if rerun.orders_left() == 0 && rerun.entries().len() >= lines.lines.len() {
            break;
        }
        match rerun.step()? {
            true if !rerun.ended() => {}
            _ => break,
        }
    }
    let n = rerun.entries().len().min(lines.lines.len());
    if let Some(d) = first_divergence(&lines.lines, &rerun.entries()[..n]) {
        return Err(Error::Check(format!(
            "the journal in {} does not follow from its order log: {d}\nnothing was changed",
            out.display()
        )));
    }
    if rerun.entries().len() < lines.lines.len() {
        return Err(Error::Check(format!(
            "the journal has {} lines but the order log re-runs to only {}; line {}: {}\nnothing was changed",
            lines.lines.len(),
            n,
            n + 1,
            lines.lines[n]
        )));
    }
    let entries: Vec<_> = rerun.entries().to_vec();
    let journal = Journal::continue_file(&journal_path, entries.clone())
        .map_err(|e| Error::Failed(format!("cannot write {}: {e}", journal_path.display())))?;
    if rerun.ended() {
        // The session had reached its end: write what it would have written.
        drop(journal);
        crate::exercise::live::write_session_records(&sc, &entries, out)?;
        return Ok(CaughtUp::Ended { entries: entries.len() });
    }
    let Some(mut live) = rerun.into_live() else { return input("not a live session") };
    live.app.world_mut().insert_resource(journal);
    let reopened =
        OrderLog::reopen(&log_path).map_err(|e| Error::Failed(format!("cannot reopen {}: {e}", log_path.display())))?;
    live.set_log(reopened);
    // Invalid lines use up their numbers too (`last_tag`), so answer numbers stay unique.
    live.set_next_tag(log.last_tag + 1);
    Ok(CaughtUp::Live { live, log })
}

/// How a run that ended was made, and its journal (to write the records a crash left unwritten).
fn ended_run(out: &Path) -> Result<(crate::replay::Recipe, Vec<crate::journal::Entry>), Error> {
    let (recipe, _) = recipe_of(out)?;
    let entries = crate::journal::read(&out.join("journal.jsonl"))?;
    Ok((recipe, entries))
}

/// Writes summary.json and score.json of a run (`drillsim run`) whose journal ended before they
/// were written (a crash between `run_ended` and them).
fn complete_run(out: &std::path::Path) -> Result<(), Error> {
    let _lock = crate::outdir::lock(out)?;
    let (recipe, entries) = ended_run(out)?;
    let sc = &recipe.scenario;
    let summary = crate::journal::summary::summarize(sc, &entries);
    let score = crate::scoring::score(sc, &entries);
    let records = [
        ("summary.json", serde_json::to_string_pretty(&summary).expect("summary serializes") + "\n"),
        ("score.json", super::score::score_json(&score)),
    ];
    for (name, text) in records {
        crate::outdir::write_record(out, name, text)?;
    }
    eprintln!("drillsim resume: the run in {} had ended; summary.json and score.json written", out.display());
    Ok(())
}
