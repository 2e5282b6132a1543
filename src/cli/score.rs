//! `drillsim score` and `drillsim report`: the score and the after-action report, recomputed from
//! a scenario and a journal (never from a running world).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::journal::{self, Entry, Event};
use crate::scenario::{self, ValidScenario};
use crate::scoring::report::{self, Lang};
use crate::scoring::{Score, score};

#[derive(Debug, clap::Args)]
pub struct ScoreArgs {
    /// The scenario file (.ron) the journal was run from.
    #[arg(value_name = "SCENARIO")]
    pub scenario: PathBuf,
    /// The run's journal (OUT/journal.jsonl); score.json is written (or compared) next to it.
    #[arg(value_name = "JOURNAL")]
    pub journal: PathBuf,
}

#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// The run's output folder (with journal.jsonl).
    #[arg(value_name = "OUT")]
    pub out: PathBuf,
    /// Language of the report.
    #[arg(long, value_name = "LANG", default_value = "zh", value_parser = ["zh", "en"])]
    pub lang: String,
    /// The scenario file (default: the path named in the journal's first entry).
    #[arg(long, value_name = "FILE")]
    pub scenario: Option<PathBuf>,
}

/// The score as written to `score.json` (pretty JSON, newline-terminated).
pub fn score_json(s: &Score) -> String {
    serde_json::to_string_pretty(s).expect("score serializes") + "\n"
}

fn read_journal(path: &Path) -> Result<Vec<Entry>, ExitCode> {
    match journal::read(path) {
        Ok(e) if e.is_empty() => {
            eprintln!("error: {}: the journal is empty", path.display());
            Err(ExitCode::from(2))
        }
        Ok(e) => Ok(e),
        Err(e) => {
            eprintln!("error: {e:#}");
            Err(ExitCode::from(2))
        }
    }
}

/// The journal's `run_started` (path and SHA-256 of its scenario).
fn run_started(entries: &[Entry]) -> Option<(&str, &str)> {
    match &entries.first()?.event {
        Event::RunStarted { scenario_path, scenario_sha256, .. } => Some((scenario_path, scenario_sha256)),
        _ => None,
    }
}

/// The scenario a journal was run from: `path` if given (it must be that scenario: if not, what
/// changed is said in plain words, against the copy the run kept in its folder `out`), else the
/// copy kept in `out`, else the path the journal names.
fn load_checked(path: Option<&Path>, out: &Path, entries: &[Entry], journal: &Path) -> Result<ValidScenario, ExitCode> {
    let Some((named, sha)) = run_started(entries) else {
        eprintln!("error: {}:1: the journal does not begin with run_started", journal.display());
        return Err(ExitCode::from(2));
    };
    let Some(path) = path else {
        let (file, _) = crate::replay::kept_or_named(out, crate::outdir::SCENARIO_COPY, named, sha).map_err(|f| {
            eprintln!("error: {}", f.msg);
            ExitCode::from(f.code)
        })?;
        return scenario::parse(file).map_err(|p| super::run::report_load_error(scenario::LoadError::Invalid(p)));
    };
    let sc = scenario::load(path).map_err(super::run::report_load_error)?;
    if sc.sha256 != sha {
        let what = match std::fs::read_to_string(out.join(crate::outdir::SCENARIO_COPY)) {
            Ok(kept) => format!(
                "against the copy the run kept ({}): {}",
                out.join(crate::outdir::SCENARIO_COPY).display(),
                crate::replay::what_changed(&kept, &sc.source.text)
            ),
            Err(_) => "the run kept no copy of its scenario to compare with".to_string(),
        };
        eprintln!(
            "error: {} is not the scenario this journal was run from: {what} (SHA-256 {} in the journal, {} now)",
            path.display(),
            sha,
            sc.sha256
        );
        return Err(ExitCode::from(2));
    }
    Ok(sc)
}

/// Says when a journal does not end with `run_ended` (a run killed or still going): its score
/// covers only what happened up to its last entry.
fn incomplete(entries: &[Entry], journal: &Path) -> Option<String> {
    let last = entries.last()?;
    if matches!(last.event, Event::RunEnded { .. }) {
        return None;
    }
    let note = format!(
        "{} has no run_ended: the run is incomplete (it stops at +{}, {}); this covers only that part",
        journal.display(),
        crate::scenario::time::human_secs(last.t as i64),
        last.time
    );
    eprintln!("warning: {note}");
    Some(note)
}

pub(super) fn score_cmd(args: ScoreArgs) -> ExitCode {
    let entries = match read_journal(&args.journal) {
        Ok(e) => e,
        Err(c) => return c,
    };
    let dir = args.journal.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let sc = match load_checked(Some(args.scenario.as_path()), dir, &entries, &args.journal) {
        Ok(s) => s,
        Err(c) => return c,
    };
    let s = score(&sc, &entries);
    print_table(&s);
    if let Some(note) = incomplete(&entries, &args.journal) {
        println!("  INCOMPLETE RUN: {note}");
    }
    let path = dir.join("score.json");
    let text = score_json(&s);
    match std::fs::read_to_string(&path) {
        Ok(old) if old == text => {
            println!("  {} matches the recomputed score", path.display());
            ExitCode::SUCCESS
        }
        Ok(_) => {
            eprintln!("error: {} differs from the score recomputed from the journal", path.display());
            ExitCode::from(1)
        }
        Err(_) => match crate::outdir::write_atomic(&path, text.as_bytes()) {
            Ok(()) => {
                println!("  wrote {}", path.display());
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("error: cannot write {}: {e}", path.display());
                ExitCode::from(1)
            }
        },
    }
}

/// A short table of the score on standard output.
pub(super) fn print_table(s: &Score) {
    println!("{} — seed {}: overall {:.1}/100", s.scenario, s.seed, s.overall);
    let p = &s.parts;
    let w = &s.weights;
    println!("  {:<14} {:>6} {:>7}", "part", "score", "weight");
    for (n, v, wt) in [
        ("plan", p.plan, w.plan),
        ("reporting", p.reporting, w.reporting),
        ("coordination", p.coordination, w.coordination),
        ("outcomes", p.outcomes, w.outcomes),
    ] {
        println!("  {n:<14} {v:>6.1} {wt:>7.2}");
    }
    let ag: Vec<String> = s.agencies.iter().map(|(a, v)| format!("{a} {v:.0}")).collect();
    println!("  agencies: {}", ag.join(", "));
    let ct: Vec<String> = s.critical_tasks.iter().map(|c| format!("{} {}", c.task, c.rating)).collect();
    if !ct.is_empty() {
        println!("  critical tasks: {}", ct.join("; "));
    }
    println!("  improvement plan: {} row(s)", s.improvement_plan.len());
}

pub(super) fn report_cmd(args: ReportArgs) -> ExitCode {
    let Some(lang) = Lang::parse(&args.lang) else {
        eprintln!("error: --lang must be zh or en");
        return ExitCode::from(2);
    };
    let journal_path = args.out.join("journal.jsonl");
    let entries = match read_journal(&journal_path) {
        Ok(e) => e,
        Err(c) => return c,
    };
    let sc = match load_checked(args.scenario.as_deref(), &args.out, &entries, &journal_path) {
        Ok(s) => s,
        Err(c) => return c,
    };
    let s = score(&sc, &entries);
    let mut md = report::markdown(&sc, &s, &entries, lang);
    let mut html = report::html(&sc, &s, &entries, lang);
    if let Some(note) = incomplete(&entries, &journal_path) {
        md = format!("> **INCOMPLETE RUN** — {note}\n\n{md}");
        let banner = format!(
            "<p style=\"border:2px solid #b00;padding:6px;color:#b00\"><b>INCOMPLETE RUN</b> — {}</p>",
            crate::scoring::report::esc(&note)
        );
        html = match html.find("<body>") {
            Some(i) => format!("{}{banner}{}", &html[..i + 6], &html[i + 6..]),
            None => banner + &html,
        };
    }
    for (name, text) in [("report.md", md), ("report.html", html)] {
        let p = args.out.join(name);
        if let Err(e) = crate::outdir::write_atomic(&p, text.as_bytes()) {
            eprintln!("error: cannot write {}: {e}", p.display());
            return ExitCode::from(1);
        }
    }
    print_table(&s);
    println!("  wrote {}/report.md and report.html", args.out.display());
    ExitCode::SUCCESS
}
