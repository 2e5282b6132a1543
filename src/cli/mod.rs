//! The command line: clap definitions, argument checks, and one small function per subcommand.
//!
//! Exit codes: 0 success, 1 a run failed, 2 bad input (scenario, order file or arguments).

mod bench;
mod live;
mod play;
mod run;
mod score;
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
    /// Check scenario files; every problem is listed with file:line:col. Exit code 2 if any.
    ///
    /// Example: drillsim validate scenarios/*.ron
    Validate {
        /// Scenario files (.ron).
        #[arg(required = true, value_name = "SCENARIO")]
        files: Vec<PathBuf>,
        /// One line per problem (file:line:col: [rule] message) instead of snippets.
        #[arg(long)]
        short: bool,
    },
}

/// Parses the command line and runs it.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Run(args) => run::run(args),
        Command::Live(args) => live::live(args),
        Command::Play(args) => play::play(args),
        Command::Validate { files, short } => validate::validate(&files, short),
        Command::Score(args) => score::score_cmd(args),
        Command::Bench(args) => bench::bench(args),
        Command::Report(args) => score::report_cmd(args),
    }
}

/// Colour only on a terminal, and never when NO_COLOR is set.
pub(crate) fn use_color() -> bool {
    use std::io::IsTerminal;
    std::env::var_os("NO_COLOR").is_none() && std::io::stderr().is_terminal()
}
