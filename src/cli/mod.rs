//! The command line: clap definitions, argument checks, and one small function per subcommand.
//!
//! Exit codes: 0 success, 1 a run failed (or a check found a difference, or the system could not
//! write), 2 bad input (scenario, order file, arguments, an output folder that is a file, in use by
//! another drillsim, or holding a live session's records). Every subcommand returns
//! `Result<(), error::Error>`; `error.rs` alone maps errors to exit codes and prints them.

mod bench;
mod compare;
pub(crate) use crate::exercise::console;
mod course;
mod error;
mod fork;
mod live;
mod play;
mod replay;
mod resume;
mod run;
mod score;
mod serve;
mod sweep;
mod sweep_compare;
mod sweep_merge;
mod validate;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// drillsim — run emergency-management exercises from a scenario file.
///
/// A scenario (RON) describes a county, its hazards, the plan under test, the reporting rules and
/// the exercise's injects. `drillsim run` plays it headless and writes a journal of everything that
/// happened; `drillsim validate` checks scenario files and lists every problem with its line.
#[derive(Debug, Parser)]
#[command(name = "drillsim", version, about, long_about, max_term_width = 100)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a scenario headless and write OUT/journal.jsonl and OUT/summary.json.
    ///
    /// Example: drillsim run scenarios/demo-county.ron --seed 7 --out out/demo
    Run(run::RunArgs),
    /// Run an exercise live: the clock runs at --speed × real time, orders come one per line on
    /// standard input and each is answered on standard output (accepted, or refused and why).
    ///
    /// A line is one order in the order-file syntax, `(by: "ofc", order: SetLevel(III))`, or JSON,
    /// `{"by": "ofc", "order": {"SetLevel": "III"}}`; add `at: "+2h"` to give it for later. The
    /// facilitator is `control`: Pause, Resume, Speed(600.0), FireInject("id"), Retime("+3h"),
    /// EndExercise. Writes OUT/journal.jsonl, OUT/orders.ron (replayable) and OUT/summary.json.
    ///
    /// Example: drillsim live scenarios/demo-county.ron --speed 600 --out out/live
    Live(live::LiveArgs),
    /// Host a live exercise for a room: one seat per agency (each with its own token, seeing and
    /// ordering only its own), a facilitator, evaluators and observers, in the browser over
    /// WebSocket (needs the `serve` cargo feature). Same engine, order log and journal as `live`:
    /// OUT/orders.ron replays it with `run --orders`; --resume DIR carries it on after a crash.
    ///
    /// Example: drillsim serve scenarios/demo-county.ron --out out/room --paused
    Serve(serve::ServeArgs),
    /// Open the exercise GUI: the county map, the clock, each seat's inbox, order and report
    /// forms, the plan's checklist and the live score (needs the `gui` cargo feature).
    ///
    /// Orders from the GUI take the same path as `drillsim live` (same checks, refusals and
    /// journal). Writes OUT/journal.jsonl, OUT/orders.ron and OUT/summary.json.
    ///
    /// Example: drillsim play scenarios/levee-breach-0621.ron --speed 600 --lang en
    Play(play::PlayArgs),
    /// Score a run from its scenario and journal; writes OUT/score.json next to the journal, or
    /// checks that an existing one equals the recomputed score (exit 1 if not).
    ///
    /// Example: drillsim score scenarios/demo-county.ron out/demo/journal.jsonl
    Score(score::ScoreArgs),
    /// Benchmark the evacuee model on a generated county (all villages evacuated at t = 0).
    ///
    /// Example: drillsim bench --evacuees 150000 --villages 320 --nodes 2500 --hours 72
    Bench(bench::BenchArgs),
    /// Write the after-action report OUT/report.md and OUT/report.html (self-contained, SVG
    /// charts) from a run's output folder; the scenario is the one the journal names.
    ///
    /// Example: drillsim report out/demo --lang en
    Report(score::ReportArgs),
    /// Carry on a live session that stopped (crash, kill -9) from its durable order log
    /// OUT/orders.log: re-runs the logged orders, checks the journal, then goes on live. A session
    /// or run that ended but lost its last records to a crash gets them written.
    ///
    /// Example: drillsim resume out/live
    Resume(resume::ResumeArgs),
    /// Re-run a recorded run from scenario + seed + orders and check its journal byte for byte
    /// (the first divergence is named, exit 1); --to seeks and shows the state at that time.
    ///
    /// Example: drillsim replay out/levee --to +30h
    Replay(replay::ReplayArgs),
    /// Run an alternative from a point of a recorded run: the recorded orders before --at, the
    /// orders of ALT.ron from it on. Writes OUT2 like `run` and prints the comparison.
    ///
    /// Example: drillsim fork out/levee --at +20h --orders alt.ron --out out/levee-alt
    Fork(fork::ForkArgs),
    /// Two runs of one scenario side by side: outcomes and scores, with B − A.
    ///
    /// Example: drillsim compare out/levee out/levee-alt
    Compare(compare::CompareArgs),
    /// A training course: run the record of a seed incident and the trainee (an order file, or a
    /// run already played) on the same seed; OUT/course.md and course.html set each decision of
    /// the trainee beside the record's (earlier, later, missing, extra) with the outcomes.
    ///
    /// Example: drillsim course scenarios/derailment-0523.ron --orders my-orders.ron --out out/course
    Course(course::CourseArgs),
    /// Evaluate a plan against many simulated disasters: N seeded runs with the scenario's
    /// `uncertain` parameters drawn afresh for each, in parallel; writes OUT/runs.csv,
    /// summary.json (percentiles) and sweep.html. --shard I/N runs one shard of a job array.
    ///
    /// Example: drillsim sweep scenarios/derailment-0523.ron --runs 1000 --auto-plan --out out/sweep
    Sweep(sweep::SweepArgs),
    /// Join the shards of a sweep (run with --shard or --shards) into one result, the same as one
    /// big run.
    ///
    /// Example: drillsim sweep-merge out/sweep --out out/sweep-all
    SweepMerge(sweep_merge::SweepMergeArgs),
    /// Compare two sweeps run on the same seeds (two plans or two order files), run by run: the
    /// mean difference B − A of every outcome and score with 95 % intervals.
    ///
    /// Example: drillsim sweep-compare out/record out/auto --out out/compare
    SweepCompare(sweep_compare::SweepCompareArgs),
    /// Check scenario files; every problem is listed with file:line:col. Exit code 2 if any.
    ///
    /// Example: drillsim validate scenarios/*.ron
    ///
    /// With --orders FILE (one scenario), the order file is checked against it too.
    Validate {
        /// Scenario files (.ron).
        #[arg(required = true, value_name = "SCENARIO")]
        files: Vec<PathBuf>,
        /// An order file to check against the scenario (needs exactly one SCENARIO).
        #[arg(long, value_name = "FILE")]
        orders: Option<PathBuf>,
        /// One line per problem (file:line:col: [rule] message) instead of snippets.
        #[arg(long)]
        short: bool,
    },
}

/// Parses the command line and runs it.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    error::finish(match cli.command {
        Command::Run(args) => run::run(args),
        Command::Live(args) => live::live(args),
        // The GUI window says itself what went wrong when it cannot write its records.
        Command::Play(args) => match play::play(args) {
            Ok(code) => return code,
            Err(e) => Err(e),
        },
        Command::Serve(args) => serve::serve(args),
        Command::Validate { files, orders, short } => validate::validate(&files, orders.as_deref(), short),
        Command::Score(args) => score::score_cmd(args),
        Command::Bench(args) => bench::bench(args),
        Command::Report(args) => score::report_cmd(args),
        Command::Resume(args) => resume::resume(args),
        Command::Replay(args) => replay::replay(args),
        Command::Fork(args) => fork::fork(args),
        Command::Compare(args) => compare::compare_cmd(args),
        Command::Course(args) => course::course_cmd(args),
        Command::Sweep(args) => sweep::sweep(args),
        Command::SweepMerge(args) => sweep_merge::sweep_merge(args),
        Command::SweepCompare(args) => sweep_compare::sweep_compare(args),
    })
}

/// Colour only on a terminal, and never when NO_COLOR is set.
pub(crate) fn use_color() -> bool {
    use std::io::IsTerminal;
    std::env::var_os("NO_COLOR").is_none() && std::io::stderr().is_terminal()
}
