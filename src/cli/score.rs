//! `drillsim score` and `drillsim report`: the score and the after-action report, recomputed from
//! a scenario and a journal (never from a running world).

use super::error::{Error, input};
use crate::journal::{self, Entry, Event};
use crate::report::{self, Lang};
use crate::scenario::{self, ValidScenario};
use crate::scoring::{Score, score};
use std::path::{Path, PathBuf};

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
    /// Also print the HTML report to `report.<lang>.pdf` (A4) with headless Chromium.
    #[arg(long)]
    pub pdf: bool,
}

/// The score as written to `score.json` (pretty JSON, newline-terminated).
pub fn score_json(s: &Score) -> String {
    serde_json::to_string_pretty(s).expect("score serializes") + "\n"
}

fn read_journal(path: &Path) -> Result<Vec<Entry>, Error> {
    match journal::read(path)? {
        e if e.is_empty() => input(format!("{}: the journal is empty", path.display())),
        e => Ok(e),
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
fn load_checked(path: Option<&Path>, out: &Path, entries: &[Entry], journal: &Path) -> Result<ValidScenario, Error> {
    let Some((named, sha)) = run_started(entries) else {
        return input(format!("{}:1: the journal does not begin with run_started", journal.display()));
    };
    let Some(path) = path else {
        let (file, _) = crate::replay::kept_or_named(out, crate::outdir::SCENARIO_COPY, named, sha)?;
        return scenario::parse(file).map_err(|p| scenario::LoadError::Invalid(p).into());
    };
    let sc = scenario::load(path)?;
    if sc.sha256() != sha {
        let what = match std::fs::read_to_string(out.join(crate::outdir::SCENARIO_COPY)) {
            Ok(kept) => format!(
                "against the copy the run kept ({}): {}",
                out.join(crate::outdir::SCENARIO_COPY).display(),
                crate::replay::what_changed(&kept, &sc.source.text)
            ),
            Err(_) => "the run kept no copy of its scenario to compare with".to_string(),
        };
        return input(format!(
            "{} is not the scenario this journal was run from: {what} (SHA-256 {} in the journal, {} now)",
            path.display(),
            sha,
            sc.sha256()
        ));
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

pub(super) fn score_cmd(args: ScoreArgs) -> Result<(), Error> {
    let entries = read_journal(&args.journal)?;
    let dir = args.journal.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let sc = load_checked(Some(args.scenario.as_path()), dir, &entries, &args.journal)?;
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
            Ok(())
        }
        Ok(_) => Err(Error::Check(format!("{} differs from the score recomputed from the journal", path.display()))),
        Err(_) => {
            crate::outdir::write_atomic(&path, text.as_bytes())
                .map_err(|e| Error::Failed(format!("cannot write {}: {e}", path.display())))?;
            println!("  wrote {}", path.display());
            Ok(())
        }
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

/// The outcomes of every hazard and why the score is what it is (the end of `drillsim run`).
pub(super) fn print_outcomes(sc: &ValidScenario, entries: &[Entry], s: &Score) {
    let m = report::build(sc, entries, s, Lang::En);
    for g in &m.outcomes {
        let rows: Vec<String> = g.rows.iter().map(|r| format!("{} {}", r.label.to_lowercase(), r.value)).collect();
        println!("  {}: {}", g.title, rows.join("; "));
    }
    for r in &m.conclusion.reasons {
        println!("  why: {r}");
    }
}

pub(super) fn report_cmd(args: ReportArgs) -> Result<(), Error> {
    let Some(lang) = Lang::parse(&args.lang) else {
        return input("--lang must be zh or en");
    };
    let journal_path = args.out.join("journal.jsonl");
    let entries = read_journal(&journal_path)?;
    let sc = load_checked(args.scenario.as_deref(), &args.out, &entries, &journal_path)?;
    let s = score(&sc, &entries);
    // Said on stderr here; the report model marks an incomplete run in the report itself.
    incomplete(&entries, &journal_path);
    let models: Vec<report::Report> = Lang::ALL.iter().map(|l| report::build(&sc, &entries, &s, *l)).collect();
    let Some(model) = models.iter().find(|m| m.lang == lang) else {
        return Err(Error::Failed(format!("no report was built in {}", lang.code())));
    };
    let rendered = report::render::html(model).and_then(|h| Ok((h, report::render::markdown(model)?)));
    let (html, md) = rendered.map_err(|e| Error::Failed(format!("the report template failed: {e:#}")))?;
    let code = lang.code();
    let html_name = format!("report.{code}.html");
    let files = [
        (format!("report.{code}.md"), md),
        (html_name.clone(), html),
        ("report.json".to_string(), report::render::json(&models)),
    ];
    for (name, text) in &files {
        let p = args.out.join(name);
        crate::outdir::write_atomic(&p, text.as_bytes())
            .map_err(|e| Error::Failed(format!("cannot write {}: {e}", p.display())))?;
    }
    print_table(&s);
    println!("  wrote {0}/report.{code}.md, {0}/report.{code}.html and {0}/report.json", args.out.display());
    if args.pdf {
        let pdf = args.out.join(format!("report.{code}.pdf"));
        print_pdf(&args.out.join(&html_name), &pdf)?;
        println!("  wrote {}", pdf.display());
    }
    Ok(())
}

/// A Chromium (or Chrome) on the PATH, for `--pdf`.
fn chromium() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"]
        .iter()
        .flat_map(|name| std::env::split_paths(&path).map(move |dir| dir.join(name)))
        .find(|p| p.is_file())
}

/// Prints an HTML file to an A4 PDF with headless Chromium (the page's print stylesheet).
fn print_pdf(html: &Path, pdf: &Path) -> Result<(), Error> {
    let Some(browser) = chromium() else {
        return Err(Error::Failed(format!(
            "--pdf needs Chromium and none is installed (Debian: apt-get install chromium); {} is written: open it in a browser and print it to PDF",
            html.display()
        )));
    };
    let _ = std::fs::remove_file(pdf);
    let abs = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    let out = std::process::Command::new(&browser)
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--no-pdf-header-footer"])
        .arg(format!("--print-to-pdf={}", abs(pdf).display()))
        .arg(format!("file://{}", abs(html).display()))
        .output()
        .map_err(|e| Error::Failed(format!("cannot run {}: {e}", browser.display())))?;
    match std::fs::metadata(pdf) {
        Ok(m) if m.len() > 0 && out.status.success() => Ok(()),
        _ => Err(Error::Failed(format!(
            "{} did not write {}: {}",
            browser.display(),
            pdf.display(),
            String::from_utf8_lossy(&out.stderr).lines().last().unwrap_or("")
        ))),
    }
}
