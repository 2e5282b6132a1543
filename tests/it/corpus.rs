//! The verdict corpus (issue 13): hand-written cases under `tests/corpus/*.ron`, each a seed
//! scenario, orders and the verdicts an exercise evaluator would give, written from the plans,
//! the reporting rules and the doctrine (not from the program's output); each verdict names the
//! rule it checks. One table-driven test runs them all and lists every disagreement; a second
//! test checks the score's monotonicity on every seed scenario.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use drillsim::engine::{RunOptions, build_app, run_to_end};
use drillsim::exercise::orders::parse_orders;
use drillsim::journal::{Entry, Journal};
use drillsim::scenario::time::TimeSpec;
use drillsim::scenario::types::Level;
use drillsim::scenario::{SourceFile, ValidScenario};
use drillsim::scoring::{Score, Status, score};
use serde::Deserialize;

use crate::support::{entries, load, run_app};

/// One case file.
#[derive(Debug, Deserialize)]
#[serde(rename = "Case", deny_unknown_fields)]
struct Case {
    scenario: String,
    /// What the case is about, for people.
    about: String,
    #[serde(default)]
    until: Option<String>,
    /// Orders as in an order file's `orders: [...]`, written inline.
    orders: String,
    expect: Vec<Expect>,
}

/// One verdict: the rule it checks and what must hold.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Expect {
    rule: String,
    check: Check,
}

#[derive(Debug, Deserialize)]
enum Check {
    /// A plan action's status (and optionally credit bounds, early, who did it).
    Action {
        id: String,
        status: Status,
        #[serde(default)]
        early: Option<bool>,
        #[serde(default)]
        credit_at_least: Option<f64>,
        #[serde(default)]
        credit_below: Option<f64>,
    },
    /// An inject's expected action of an agency.
    Expected { inject: String, agency: String, status: Status },
    /// The declared level against a fired trigger.
    Level { level: Level, status: Status },
    /// A required report (`instance` 0 = the first).
    Required { rule: String, instance: u32, status: Status },
    /// The n-th report sent (0-based): a figure's verdict, completeness, credit.
    Sent {
        n: usize,
        #[serde(default)]
        figure: Option<(String, String)>,
        #[serde(default)]
        incomplete: Option<bool>,
        #[serde(default)]
        credit: Option<f64>,
    },
    /// An improvement-plan row of this kind (about this subject) is there or not.
    Finding { kind: String, subject: Option<String>, present: bool },
    /// A team rated idle or not.
    Idle { team: String, present: bool },
    /// A critical task's rating (by id, or by name for derived tasks).
    Task { task: String, rating: String },
    /// A strength noted about this subject.
    Strength { subject: String, present: bool },
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn run(sc: &Arc<ValidScenario>, orders: &str, until: Option<&str>) -> Vec<Entry> {
    let until = until.map(|u| sc.offset(&TimeSpec::parse(u).expect("until")).max(0) as u64);
    entries(&run_app(
        sc.clone(),
        Some(&format!("Orders(orders: [{orders}])")),
        RunOptions { until, ..Default::default() },
    ))
}

/// What is wrong with one verdict against a score (none: it holds).
fn check(s: &Score, c: &Check) -> Option<String> {
    match c {
        Check::Action { id, status, early, credit_at_least, credit_below } => {
            let Some(a) = s.plan.actions.iter().find(|a| a.action == *id) else {
                return Some(format!("plan action {id} not scored"));
            };
            if a.status != *status {
                return Some(format!("{id}: {:?}, expected {status:?} ({a:?})", a.status));
            }
            if early.is_some_and(|e| e != a.early) {
                return Some(format!("{id}: early {} expected {early:?}", a.early));
            }
            if credit_at_least.is_some_and(|m| a.credit < m) || credit_below.is_some_and(|m| a.credit >= m) {
                return Some(format!("{id}: credit {} outside [{credit_at_least:?}, {credit_below:?})", a.credit));
            }
            None
        }
        Check::Expected { inject, agency, status } => {
            match s.plan.expected.iter().find(|x| x.inject == *inject && x.agency == *agency) {
                None => Some(format!("expected action of {agency} after {inject} not scored")),
                Some(x) if x.status != *status => {
                    Some(format!("{inject}/{agency}: {:?}, expected {status:?} ({x:?})", x.status))
                }
                _ => None,
            }
        }
        Check::Level { level, status } => match s.plan.levels.iter().find(|l| l.level == *level) {
            None => Some(format!("level {level:?} not judged")),
            Some(l) if l.status != *status => Some(format!("level {level:?}: {:?}, expected {status:?}", l.status)),
            _ => None,
        },
        Check::Required { rule, instance, status } => {
            match s.reporting.required.iter().find(|r| r.rule == *rule && r.instance == *instance) {
                None => Some(format!("required report {rule}#{instance} not scored")),
                Some(r) if r.status != *status => {
                    Some(format!("{rule}#{instance}: {:?}, expected {status:?} ({r:?})", r.status))
                }
                _ => None,
            }
        }
        Check::Sent { n, figure, incomplete, credit } => {
            let Some(r) = s.reporting.sent.get(*n) else { return Some(format!("no report #{n} sent")) };
            if let Some((name, verdict)) = figure {
                let got = r.figures.get(name).map(|c| <&str>::from(c.verdict));
                if got != Some(verdict.as_str()) {
                    return Some(format!("report #{n} {name}: {got:?}, expected {verdict} ({r:?})"));
                }
            }
            if incomplete.is_some_and(|i| i == r.missing_figures.is_empty()) {
                return Some(format!(
                    "report #{n}: missing {:?}, expected incomplete {incomplete:?}",
                    r.missing_figures
                ));
            }
            if credit.is_some_and(|c| (c - r.credit).abs() > 1e-9) {
                return Some(format!("report #{n}: credit {}, expected {credit:?}", r.credit));
            }
            None
        }
        Check::Finding { kind, subject, present } => {
            let there = s
                .improvement_plan
                .iter()
                .any(|i| <&str>::from(i.kind) == kind && subject.as_ref().is_none_or(|x| i.subject == *x));
            (there != *present).then(|| format!("finding {kind} {subject:?}: present {there}, expected {present}"))
        }
        Check::Idle { team, present } => {
            let there = s.coordination.idle_teams.iter().any(|i| i.team == *team);
            (there != *present).then(|| format!("idle {team}: {there}, expected {present}"))
        }
        Check::Task { task, rating } => {
            match s.critical_tasks.iter().find(|t| t.id.as_deref() == Some(task) || t.task == *task) {
                None => Some(format!("critical task {task} not rated")),
                Some(t) if t.rating != *rating => Some(format!("task {task}: {}, expected {rating}", t.rating)),
                _ => None,
            }
        }
        Check::Strength { subject, present } => {
            let there = s.strengths.iter().any(|x| x.subject == *subject);
            (there != *present).then(|| format!("strength {subject}: {there}, expected {present}"))
        }
    }
}

fn cases() -> Vec<(PathBuf, Case)> {
    let dir = root().join("tests/corpus");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/corpus")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "ron"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            let case: Case =
                drillsim::scenario::ron_options().from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            (p, case)
        })
        .collect()
}

#[test]
fn every_hand_written_verdict_holds() {
    let mut failures = Vec::new();
    let mut verdicts = 0;
    let mut incidents = std::collections::BTreeSet::new();
    for (path, case) in cases() {
        let sc = load(&case.scenario);
        incidents.insert(case.scenario.clone());
        let j = run(&sc, &case.orders, case.until.as_deref());
        let s = score(&sc, &j);
        for e in &case.expect {
            verdicts += 1;
            assert!(!e.rule.trim().is_empty(), "{}: a verdict without its rule", path.display());
            if let Some(why) = check(&s, &e.check) {
                failures.push(format!(
                    "{} [{}] ({}): {why}",
                    path.file_name().unwrap().to_string_lossy(),
                    e.rule,
                    case.about
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{} of {verdicts} verdicts disagree:\n{}", failures.len(), failures.join("\n"));
    assert!(verdicts >= 60, "the corpus holds {verdicts} verdicts, fewer than 60");
    assert_eq!(incidents.len(), 4, "the corpus covers the three incidents and the demo: {incidents:?}");
}

/// Every order of an order file moved `delay` later (clamped to the scenario's end).
fn shifted(sc: &ValidScenario, orders: &str, delay_s: i64) -> String {
    let book = parse_orders(SourceFile::new("o.ron", format!("Orders(orders: [{orders}])")), sc).unwrap();
    book.pending
        .iter()
        .map(|p| {
            let t = (p.t as i64 + delay_s).min(sc.duration_secs as i64 - 60);
            format!("(at: \"+{t}s\", by: {:?}, order: {})", p.by, ron::to_string(&p.order).unwrap())
        })
        .collect::<Vec<_>>()
        .join(",\n")
}

fn orders_text(path: &str) -> String {
    let text = std::fs::read_to_string(root().join(path)).unwrap();
    let start = text.find('[').unwrap() + 1;
    let end = text.rfind(']').unwrap();
    text[start..end].to_string()
}

/// score(no orders) < score(--auto-plan) ≤ score(competent), and the competent orders 2 h late
/// or with falsified figures score lower.
#[test]
fn the_score_is_monotone_in_the_quality_of_play() {
    for name in ["demo-county", "derailment-0523", "acid-spill-0929", "levee-breach-0621"] {
        let sc = load(&format!("scenarios/{name}.ron"));
        let competent = orders_text(&format!("scenarios/orders/competent/{name}.ron"));
        let none = score(&sc, &run(&sc, "", None)).overall;
        let auto = {
            let mut app = build_app(sc.clone(), RunOptions::default(), Journal::in_memory());
            app.insert_resource(drillsim::exercise::autoplan::AutoPlan::new(None, 300));
            run_to_end(&mut app).unwrap();
            score(&sc, &app.world().resource::<Journal>().entries).overall
        };
        let good = score(&sc, &run(&sc, &competent, None)).overall;
        let late = score(&sc, &run(&sc, &shifted(&sc, &competent, 7200), None)).overall;
        let falsified = score(&sc, &run(&sc, &falsify(&competent), None)).overall;
        eprintln!("{name}: none {none}, auto {auto}, competent {good}, 2 h late {late}, falsified {falsified}");
        assert!(none < auto, "{name}: no orders {none} ≥ auto-plan {auto}");
        assert!(auto <= good, "{name}: auto-plan {auto} > competent {good}");
        assert!(late < good, "{name}: 2 h late {late} ≥ competent {good}");
        assert!(falsified < good, "{name}: falsified {falsified} ≥ competent {good}");
    }
}

/// The competent orders with every reported figure halved (concealed) — or, for a zero, made 50.
fn falsify(orders: &str) -> String {
    let mut out = String::new();
    let mut rest = orders;
    let keys = ["dead: ", "injured: ", "affected: ", "evacuated: "];
    while let Some((i, k)) = keys.iter().filter_map(|k| rest.find(k).map(|i| (i, *k))).min() {
        out.push_str(&rest[..i + k.len()]);
        rest = &rest[i + k.len()..];
        let n_end = rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len());
        let n: u64 = rest[..n_end].parse().unwrap_or(0);
        out.push_str(&(if n == 0 { 50 } else { n / 2 }).to_string());
        rest = &rest[n_end..];
    }
    out.push_str(rest);
    out
}

#[test]
fn the_corpus_reader_reads_every_case() {
    let n = cases().len();
    assert!(n >= 8, "only {n} case files");
    assert!(Path::new(&root().join("tests/corpus")).is_dir());
}
