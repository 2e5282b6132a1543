//! The report model: one serde structure holding everything the after-action report says, in one
//! language, built purely from (scenario, journal, score). Its parts follow AQ/T 9009's report
//! (基本情况 overview, 评估过程 evaluation, 演练情况分析 capabilities and outcomes, 存在问题与改进
//! 建议 findings and improvement plan, 评估结论 conclusion) and HSEEP's AAR/IP (core capabilities
//! rated P/S/M/U, strengths and areas for improvement as observations with evidence).
//!
//! Every text in it is for people: names, not ids; calendar times (6月21日18:30), not offsets.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;

use super::Lang;
use super::charts::{self, Chart};
use super::names::{Namer, Names, display_name};
use super::source::{self, Detail, Done, FindingFacts, Strength};
use crate::journal::{Entry, Event};
use crate::scenario::ValidScenario;
use crate::scenario::types::{EvalArea, Figure, Hazard, OrderKind};
use crate::scoring::{ImprovementKind, Score};

/// Strengths shown per capability (the others are counted).
pub const STRENGTHS_SHOWN: usize = 5;

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub lang: Lang,
    pub title: String,
    /// Set when the journal has no `run_ended`: the report covers only the part that ran.
    pub incomplete: Option<String>,
    pub overview: Overview,
    pub evaluation: Evaluation,
    pub capabilities: Vec<CapabilityView>,
    pub timeliness: Vec<TimelinessRow>,
    pub outcomes: Vec<OutcomeGroup>,
    /// Every area for improvement, numbered as the improvement plan numbers them.
    pub findings: Vec<Observation>,
    pub improvement_plan: Vec<PlanRow>,
    pub conclusion: Conclusion,
    pub charts: Vec<Chart>,
    pub annexes: Annexes,
}

#[derive(Debug, Clone, Serialize)]
pub struct Overview {
    pub name: String,
    pub kind: String,
    pub date: String,
    /// First and last calendar time the scenario plays.
    pub period: String,
    pub scope: String,
    pub summary: String,
    pub objectives: Vec<String>,
    /// The critical tasks and the capability (evaluation item) each tests.
    pub tasks: Vec<TaskRow>,
    pub hazards: Vec<String>,
    pub agencies: Vec<AgencyRow>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TaskRow {
    pub name: String,
    pub capability: String,
    pub rating: String,
    pub targets: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AgencyRow {
    pub name: String,
    pub role: String,
    pub contact: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Evaluation {
    pub method: Vec<String>,
    pub parts: Vec<PartRow>,
    pub overall: f64,
    pub seed: u64,
    pub sha256: String,
    pub entries: usize,
    pub orders: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct PartRow {
    pub name: String,
    pub score: f64,
    pub weight: f64,
}

/// One capability (AQ/T 9009 evaluation item and the HSEEP core capability it maps to).
#[derive(Debug, Clone, Serialize)]
pub struct CapabilityView {
    pub no: usize,
    pub area: EvalArea,
    pub name: String,
    pub core: String,
    /// P, S, M or U.
    pub rating: String,
    pub rating_text: String,
    pub score: f64,
    pub on_time: usize,
    pub late: usize,
    pub not_done: usize,
    pub tasks: Vec<TaskRow>,
    pub strengths: Vec<Observation>,
    pub more_strengths: usize,
    pub improvements: Vec<Observation>,
}

/// An observation: what happened → why it matters → recommendation, with its evidence.
#[derive(Debug, Clone, Serialize)]
pub struct Observation {
    /// The finding's number in the improvement plan (0 for a strength).
    pub no: usize,
    pub capability: String,
    pub what: String,
    pub why: String,
    pub recommendation: String,
    pub evidence: Vec<Evidence>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Evidence {
    pub seq: u64,
    pub time: String,
    pub agency: String,
}

/// A report a reporting rule required.
#[derive(Debug, Clone, Serialize)]
pub struct TimelinessRow {
    pub report: String,
    pub by: String,
    pub to: String,
    pub due: String,
    pub sent: String,
    /// Minutes past the deadline (none: not sent, or not yet due).
    pub minutes_late: Option<i64>,
    /// 按时, 迟报, 漏报, 谎报, 瞒报 (several joined) or not yet due.
    pub fault: String,
    pub on_time: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct OutcomeGroup {
    pub title: String,
    pub rows: Vec<OutcomeRow>,
}

#[derive(Debug, Clone, Serialize)]
pub struct OutcomeRow {
    pub label: String,
    pub value: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct PlanRow {
    pub no: usize,
    pub capability: String,
    pub issue: String,
    pub action: String,
    pub element: String,
    pub aspect: String,
    pub responsible: String,
    pub contact: String,
    pub start: String,
    pub complete: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Conclusion {
    pub verdict: String,
    pub overall: f64,
    pub paragraphs: Vec<String>,
    /// Why the score is what it is.
    pub reasons: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Annexes {
    pub timeline: Vec<AnnexRow>,
    pub orders: Vec<AnnexRow>,
    pub injects: Vec<AnnexRow>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AnnexRow {
    pub seq: u64,
    pub time: String,
    pub who: String,
    pub what: String,
    pub result: String,
}

struct Ctx<'a> {
    n: Names<'a>,
    by_seq: BTreeMap<u64, &'a Entry>,
}

impl Ctx<'_> {
    fn w(&self) -> &'static super::words::Words {
        self.n.w
    }
    fn time(&self, t: u64) -> String {
        self.w().time(self.n.sc.datetime_at(t))
    }
    fn evidence(&self, seqs: &[u64], agency: &str) -> Vec<Evidence> {
        seqs.iter()
            .filter_map(|s| self.by_seq.get(s))
            .map(|e| Evidence {
                seq: e.seq,
                time: self.time(e.t),
                agency: actor(&e.event).map_or_else(|| self.n.agency(agency), |a| self.n.agency(a)),
            })
            .collect()
    }
}

/// The agency an entry is about, when it names one.
fn actor(ev: &Event) -> Option<&str> {
    Some(match ev {
        Event::OrderAccepted { by, .. }
        | Event::OrderRefused { by, .. }
        | Event::ReportSent { by, .. }
        | Event::LevelChanged { by, .. }
        | Event::PlanActionDone { by, .. }
        | Event::Acknowledged { by, .. }
        | Event::EvacuationOrdered { by, .. }
        | Event::PublicWarning { by, .. } => by,
        Event::InjectDelivered { from, .. } => from,
        _ => return None,
    })
}

/// The exercise date (the improvement plan counts from it).
pub fn exercise_date(sc: &ValidScenario) -> NaiveDate {
    sc.scenario
        .exercise
        .date
        .as_deref()
        .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
        .unwrap_or(sc.start.date())
}

/// Builds the report in one language.
pub fn build(sc: &ValidScenario, entries: &[Entry], score: &Score, lang: Lang) -> Report {
    let cx =
        Ctx { n: Names::new(sc, lang).with_delivered(entries), by_seq: entries.iter().map(|e| (e.seq, e)).collect() };
    let w = cx.w();
    // Findings grouped by capability (in the standard's order), numbered in that order, so that
    // the improvement plan reads capability by capability.
    let mut facts = source::findings(score);
    facts.sort_by_key(|f| f.area);
    let findings: Vec<(FindingFacts, Observation)> = facts
        .into_iter()
        .enumerate()
        .map(|(i, f)| {
            let o = finding(&cx, &f, i + 1);
            (f, o)
        })
        .collect();
    let capabilities = capabilities(&cx, score, &findings);
    let (overall, parts) = source::parts(score);
    let orders = entries
        .iter()
        .filter(|e| matches!(&e.event, Event::OrderAccepted { order, .. } if !order.is_facilitator()))
        .count();
    let evaluation = Evaluation {
        method: vec![
            w.f(
                "method.journal",
                &[
                    ("entries", &w.num(entries.len() as u64)),
                    ("orders", &w.num(orders as u64)),
                    ("seed", &score.seed.to_string()),
                ],
            ),
            w.t("method.items"),
            w.t("method.ratings"),
            w.t("method.verdict"),
        ],
        parts: parts
            .iter()
            .map(|(k, s, wt)| PartRow { name: w.t(&format!("part.{k}")), score: *s, weight: *wt })
            .collect(),
        overall,
        seed: score.seed,
        sha256: score.scenario_sha256.clone(),
        entries: entries.len(),
        orders,
    };
    let policy = &sc.scenario.exercise;
    let day0 = exercise_date(sc);
    let start_d = policy.improvement_start_days.unwrap_or(30);
    let end_d = policy.improvement_complete_days.unwrap_or(90);
    let improvement_plan = findings
        .iter()
        .map(|(f, o)| PlanRow {
            no: o.no,
            capability: o.capability.clone(),
            issue: o.what.clone(),
            action: o.recommendation.clone(),
            element: w.t(&format!("element.{}", <&str>::from(f.element))),
            aspect: w.t(&format!("aspect.{}", <&str>::from(f.aspect))),
            responsible: cx.n.agency(&f.agency),
            contact: sc
                .agency(&f.agency)
                .and_then(|a| a.contact.as_deref())
                .map(|c| display_name(c, lang))
                .unwrap_or_default(),
            start: w.date(day0 + chrono::Days::new(start_d as u64)),
            complete: w.date(day0 + chrono::Days::new(end_d as u64)),
        })
        .collect();
    let reasons = reasons(&cx.n, score, entries);
    let conclusion = conclusion(&cx, score, &capabilities, &findings, reasons);
    Report {
        lang,
        title: w.f("title", &[("name", &display_name(&sc.scenario.meta.name, lang))]),
        incomplete: incomplete(&cx, entries),
        overview: overview(&cx, score, entries),
        evaluation,
        capabilities,
        timeliness: timeliness(&cx, score),
        outcomes: outcomes(&cx, score, entries),
        findings: findings.into_iter().map(|(_, o)| o).collect(),
        improvement_plan,
        conclusion,
        charts: charts::all(&cx.n, entries),
        annexes: annexes(&cx, entries),
    }
}

/// The note on a journal that stops before `run_ended` (a crash, or a live session still running).
fn incomplete(cx: &Ctx, entries: &[Entry]) -> Option<String> {
    let last = entries.last()?;
    if matches!(last.event, Event::RunEnded { .. }) {
        return None;
    }
    Some(cx.w().f("doc.incomplete", &[("time", &cx.time(last.t))]))
}

fn overview(cx: &Ctx, score: &Score, entries: &[Entry]) -> Overview {
    let (n, w) = (&cx.n, cx.w());
    let sc = n.sc;
    let x = &sc.scenario.exercise;
    let lang = w.lang();
    let shown = |s: &Option<String>, key: &str| match s {
        Some(s) if !s.trim().is_empty() => display_name(s, lang),
        _ => w.t(key),
    };
    let end = sc.datetime_at(sc.scenario.meta.duration.secs());
    let hazards = sc
        .scenario
        .hazards
        .iter()
        .map(|h| {
            let at = entries.iter().find_map(|e| match &e.event {
                Event::HazardOnset { hazard, .. } if hazard == h.id() => Some(e.t),
                _ => None,
            });
            match at {
                Some(t) => w.f("overview.hazard_at", &[("hazard", &n.hazard(h.id())), ("time", &cx.time(t))]),
                None => w.f("overview.hazard_none", &[("hazard", &n.hazard(h.id()))]),
            }
        })
        .collect();
    Overview {
        name: display_name(&sc.scenario.meta.name, lang),
        kind: shown(&x.kind, "overview.kind_default"),
        date: w.date(exercise_date(sc)),
        period: format!("{} — {}", w.time(sc.start), w.time(end)),
        scope: shown(&x.scope, "overview.scope_default"),
        summary: match &x.summary {
            Some(s) if !s.trim().is_empty() => display_name(s, lang),
            _ => sc.scenario.meta.description.clone(),
        },
        objectives: x.objectives.iter().map(|o| display_name(o, lang)).collect(),
        tasks: task_rows(n, score, None),
        hazards,
        agencies: sc
            .scenario
            .agencies
            .iter()
            .map(|a| AgencyRow {
                name: n.agency(&a.id),
                role: n.role(a.role),
                contact: a.contact.as_deref().map(|c| display_name(c, lang)).unwrap_or_default(),
            })
            .collect(),
    }
}

fn task_rows(n: &Names, score: &Score, area: Option<EvalArea>) -> Vec<TaskRow> {
    source::tasks(score)
        .into_iter()
        .filter(|t| area.is_none() || t.area == area)
        .map(|t| TaskRow {
            name: match &t.id {
                Some(_) => display_name(&t.name, n.w.lang()),
                None => derived_task_name(n, &t.name),
            },
            capability: t.area.map(|a| n.area(a)).unwrap_or_default(),
            rating: t.rating.clone(),
            targets: t
                .targets
                .iter()
                .map(|(target, met, actual)| {
                    let mark = match met {
                        Some(true) => n.w.t("target.met"),
                        Some(false) => n.w.t("target.missed"),
                        None => n.w.t("target.open"),
                    };
                    format!("{mark}: {} ({})", target_text(n, target), actual_text(n, actual))
                })
                .collect(),
        })
        .collect()
}

/// The score names derived tasks in English ("Level III response actions", "Information
/// reporting"); the report says them in its language.
fn derived_task_name(n: &Names, name: &str) -> String {
    if let Some(l) = name.strip_prefix("Level ").and_then(|r| r.strip_suffix(" response actions")) {
        n.w.f("task.level_actions", &[("level", l)])
    } else if name == "Information reporting" {
        n.w.t("task.reporting")
    } else {
        name.to_string()
    }
}

/// A target as written (`MaxDeaths(20)`) in words.
fn target_text(n: &Names, target: &str) -> String {
    let (k, arg) = target.split_once('(').map_or((target, ""), |(k, a)| (k, a.trim_end_matches(')')));
    let arg = arg.trim_matches('"');
    let arg = match k {
        "MinLeftBeforeFlood" => arg.parse::<f64>().map_or(arg.to_string(), |v| format!("{:.0}%", 100.0 * v)),
        "BreachClosedWithin" | "TrappedFreedWithin" => {
            crate::scenario::time::Dur::parse(arg).map_or(arg.to_string(), |d| n.w.dur(d.secs()))
        }
        _ => arg.to_string(),
    };
    n.w.f(&format!("target.{k}"), &[("value", &arg)])
}

/// What the run reached for a target, in the language (the score says it in English words
/// around numbers; the report keeps the numbers).
fn actual_text(n: &Names, actual: &str) -> String {
    if n.w.lang() == Lang::En {
        return actual.to_string();
    }
    let nums: Vec<&str> = actual.split(|c: char| !c.is_ascii_digit() && c != '.').filter(|s| !s.is_empty()).collect();
    let dur = actual
        .split_whitespace()
        .find(|s| s.chars().next().is_some_and(|c| c.is_ascii_digit()) && s.ends_with(['m', 'h', 's']));
    let dur = dur.and_then(|d| crate::scenario::time::Dur::parse(d).ok()).map(|d| n.w.dur(d.secs()));
    if actual.ends_with(" dead") {
        n.w.f("actual.dead", &[("n", nums.first().unwrap_or(&"0"))])
    } else if actual.starts_with("nobody was ordered") {
        n.w.t("actual.nobody_ordered")
    } else if actual.contains("left before the water") {
        n.w.f("actual.left_before", &[("left", nums.first().unwrap_or(&"0")), ("of", nums.get(1).unwrap_or(&"0"))])
    } else if actual.contains("drew unsafe water") {
        n.w.f("actual.unsafe", &[("n", nums.first().unwrap_or(&"0"))])
    } else if actual.starts_with("no ") {
        n.w.t("actual.none")
    } else if actual.contains("not done yet") {
        n.w.f("actual.not_yet", &[("dur", &dur.unwrap_or_default())])
    } else if actual.contains("not done") {
        n.w.f("actual.not_done", &[("dur", &dur.unwrap_or_default())])
    } else if actual.starts_with("done ") {
        n.w.f("actual.done_after", &[("dur", &dur.unwrap_or_default())])
    } else {
        actual.to_string()
    }
}

fn rank(r: &str) -> u8 {
    match r {
        "P" => 0,
        "S" => 1,
        "M" => 2,
        "U" => 3,
        _ => 0,
    }
}

/// The best rating a capability can have with a reporting fault among its findings (the rule
/// the score applies to critical tasks): a false or concealed figure at best M, a report missing
/// required figures or bypassing the one outlet at best S.
fn report_fault_ceiling(kind: ImprovementKind) -> Option<&'static str> {
    match kind {
        ImprovementKind::ReportFalse | ImprovementKind::ReportConcealed => Some("M"),
        ImprovementKind::ReportIncomplete | ImprovementKind::OutletBypassed => Some("S"),
        _ => None,
    }
}

/// A capability's rating from its items: P all on time and no finding; S all done, some late or
/// a finding; M something not done but at least half done; U less than half done. A declared
/// critical task under it rated worse, or a reporting fault's ceiling (`report_fault_ceiling`),
/// lowers it to that rating.
pub fn derive_rating(on_time: usize, late: usize, not_done: usize, findings: usize, tasks: &[&str]) -> String {
    let total = on_time + late + not_done;
    let mut r = if total == 0 {
        if findings > 0 { "M" } else { "P" }
    } else if not_done == 0 && late == 0 && findings == 0 {
        "P"
    } else if not_done == 0 {
        "S"
    } else if 2 * (on_time + late) >= total {
        "M"
    } else {
        "U"
    };
    for t in tasks {
        if matches!(*t, "P" | "S" | "M" | "U") && rank(t) > rank(r) {
            r = t;
        }
    }
    r.to_string()
}

fn capabilities(cx: &Ctx, score: &Score, findings: &[(FindingFacts, Observation)]) -> Vec<CapabilityView> {
    let (n, w) = (&cx.n, cx.w());
    let facts = source::areas(score);
    let tasks = source::tasks(score);
    let strengths = source::strengths(score);
    let mut areas: Vec<EvalArea> = facts.iter().map(|a| a.area).collect();
    areas.extend(tasks.iter().filter_map(|t| t.area));
    areas.extend(findings.iter().map(|f| f.0.area));
    areas.sort();
    areas.dedup();
    let mut out = Vec::new();
    for area in areas {
        let f = facts.iter().find(|a| a.area == area);
        let (on, late, nd, sc) = f.map_or((0, 0, 0, 100.0), |a| (a.on_time, a.late, a.not_done, a.score));
        let improvements: Vec<Observation> =
            findings.iter().filter(|x| x.0.area == area).map(|x| x.1.clone()).collect();
        let mut ceilings: Vec<&str> =
            tasks.iter().filter(|t| t.area == Some(area)).map(|t| t.rating.as_str()).collect();
        ceilings.extend(findings.iter().filter(|x| x.0.area == area).filter_map(|x| report_fault_ceiling(x.0.kind)));
        let rating = derive_rating(on, late, nd, improvements.len(), &ceilings);
        let mine: Vec<Observation> =
            strengths.iter().filter(|s| s.area == area).map(|s| strength(cx, s, &n.area(area))).collect();
        let more = mine.len().saturating_sub(STRENGTHS_SHOWN);
        out.push(CapabilityView {
            no: out.len() + 1,
            area,
            name: n.area(area),
            core: n.core_capability(area),
            rating_text: w.t(&format!("rating.{rating}")),
            rating,
            score: sc,
            on_time: on,
            late,
            not_done: nd,
            tasks: task_rows(n, score, Some(area)),
            strengths: mine.into_iter().take(STRENGTHS_SHOWN).collect(),
            more_strengths: more,
            improvements,
        });
    }
    out
}

fn strength(cx: &Ctx, s: &source::StrengthFacts, capability: &str) -> Observation {
    let (n, w) = (&cx.n, cx.w());
    let done_t = s.evidence.iter().filter_map(|q| cx.by_seq.get(q)).map(|e| e.t).max().unwrap_or(0);
    let spare = w.dur(s.spare_s);
    let (what, why) = match &s.what {
        Strength::PlanAction { action, level } => (
            w.f(
                "strength.plan",
                &[
                    ("agency", &n.agency(&s.agency)),
                    ("time", &cx.time(done_t)),
                    ("action", &n.action(action)),
                    ("level", &n.level(*level)),
                    ("spare", &spare),
                ],
            ),
            w.t("why_strength.plan"),
        ),
        Strength::Expected { inject, kind } => (
            w.f(
                "strength.expected",
                &[
                    ("agency", &n.agency(&s.agency)),
                    ("time", &cx.time(done_t)),
                    ("inject", &n.inject(inject)),
                    ("action", &n.action_kind(*kind)),
                    ("spare", &spare),
                ],
            ),
            w.t("why_strength.expected"),
        ),
        Strength::Report { kind, to, .. } => (
            w.f(
                "strength.report",
                &[
                    ("agency", &n.agency(&s.agency)),
                    ("time", &cx.time(done_t)),
                    ("kind", &n.report_kind(*kind)),
                    ("to", &n.agency(to)),
                    ("spare", &spare),
                ],
            ),
            w.t("why_strength.report"),
        ),
    };
    Observation {
        no: 0,
        capability: capability.to_string(),
        what: sentence(what),
        why,
        recommendation: String::new(),
        evidence: cx.evidence(&s.evidence, &s.agency),
    }
}

/// The locale key of a report figure (`figure.<key>`), as the scenario format spells it.
fn figure_key(f: Figure) -> &'static str {
    match f {
        Figure::Dead => "dead",
        Figure::Injured => "injured",
        Figure::Missing => "missing",
        Figure::Affected => "affected",
        Figure::Evacuated => "evacuated",
        Figure::ActionsTaken => "actions_taken",
    }
}

/// A finding as an observation: what happened, why it matters, what to do (specific to it).
fn finding(cx: &Ctx, f: &FindingFacts, no: usize) -> Observation {
    let (n, w) = (&cx.n, cx.w());
    let agency = n.agency(&f.agency);
    let key: &str = f.kind.into();
    let mut a: Vec<(&str, String)> = vec![("agency", agency.clone())];
    match &f.detail {
        Detail::PlanAction { action, level, late_s, done_by, triggered_t, deadline_s, .. } => {
            a.push(("action", n.action(action)));
            a.push(("level", n.level(*level)));
            a.push(("triggered", cx.time(*triggered_t)));
            a.push(("deadline", w.dur(*deadline_s)));
            a.push(("due", cx.time(triggered_t + deadline_s)));
            a.push(("late", w.dur(late_s.unwrap_or(0).max(0) as u64)));
            a.push(("by", done_by.as_deref().map(|b| n.agency(b)).unwrap_or_default()));
        }
        Detail::Expected { inject, kind, within_s, after_s, .. } => {
            a.push(("inject", n.inject(inject)));
            a.push(("action", n.action_kind(*kind)));
            a.push(("within", w.dur(*within_s)));
            a.push(("after", w.dur(after_s.unwrap_or(0))));
        }
        Detail::Report { rule, kind, to, deadline_t, sent_t } => {
            a.push(("rule", n.rule(rule)));
            a.push(("kind", n.report_kind(*kind)));
            a.push(("to", n.agency(to)));
            a.push(("due", cx.time(*deadline_t)));
            a.push(("sent", sent_t.map(|t| cx.time(t)).unwrap_or_default()));
            a.push(("late", w.dur(sent_t.map_or(0, |s| s.saturating_sub(*deadline_t)))));
        }
        Detail::Figure { t, kind, to, figure, reported, truth, .. } => {
            a.push(("time", cx.time(*t)));
            a.push(("kind", n.report_kind(*kind)));
            a.push(("to", n.agency(to)));
            a.push(("figure", w.t(&format!("figure.{figure}"))));
            a.push(("reported", w.num(*reported as u64)));
            a.push(("truth", w.num(*truth as u64)));
        }
        Detail::Bypass { t, to, .. } => {
            a.push(("time", cx.time(*t)));
            a.push(("to", n.agency(to)));
            a.push((
                "outlet",
                n.sc.scenario.reporting.outlet.as_deref().map(|o| n.agency(o)).unwrap_or_else(|| w.t("outlet_default")),
            ));
        }
        Detail::Duplicate { team, to } => {
            a.push(("team", n.team(team)));
            a.push(("to", n.place(to)));
        }
        Detail::Conflict { target, first_by, gap_s } => {
            let (what, id) = target.split_once(' ').unwrap_or(("", target));
            a.push(("target", w.f(&format!("conflict_target.{what}"), &[("name", &n.place(id))])));
            a.push(("first", n.agency(first_by)));
            a.push(("gap", w.dur(*gap_s)));
        }
        Detail::Operator { intake, operator, threshold_t } => {
            a.push(("intake", n.place(intake)));
            a.push(("operator", n.agency(operator)));
            a.push(("time", cx.time(*threshold_t)));
        }
        Detail::Idle { team, hazard, capability, needed_from_t, dispatched_t } => {
            a.push(("team", n.team(team)));
            a.push(("hazard", n.hazard(hazard)));
            a.push(("capability", n.capability(*capability)));
            a.push(("from", cx.time(*needed_from_t)));
            a.push(("sent", dispatched_t.map(|t| cx.time(t)).unwrap_or_default()));
        }
        Detail::Level { level, triggered_t, allowance_s, declared, late_s } => {
            a.push(("level", n.level(*level)));
            a.push(("triggered", cx.time(*triggered_t)));
            a.push(("due", cx.time(triggered_t + allowance_s)));
            a.push(("late", w.dur(late_s.unwrap_or(0).max(0) as u64)));
            a.push(("declared", declared.map(|l| n.level(l)).unwrap_or_else(|| w.t("level_none"))));
        }
        Detail::Lowered { t, from, to } => {
            a.push(("time", cx.time(*t)));
            a.push(("from", n.level(*from)));
            a.push(("to", n.level(*to)));
        }
        Detail::Incomplete { t, kind, to, missing } => {
            a.push(("time", cx.time(*t)));
            a.push(("kind", n.report_kind(*kind)));
            a.push(("to", n.agency(to)));
            let names: Vec<String> = missing.iter().map(|m| w.t(&format!("figure.{}", figure_key(*m)))).collect();
            a.push(("figures", w.list(&names)));
        }
        Detail::Other { subject } => a.push(("subject", n.place(subject))),
    }
    // Variants within a kind: an idle team never sent, a plan action done by another agency.
    let key = match (&f.detail, key) {
        (Detail::Idle { dispatched_t: None, .. }, _) => "team_idle_never".to_string(),
        (Detail::Other { .. }, _) => "other".to_string(),
        (_, k) => k.to_string(),
    };
    let args: Vec<(&str, &str)> = a.iter().map(|(k, v)| (*k, v.as_str())).collect();
    Observation {
        no,
        capability: n.area(f.area),
        what: sentence(w.f(&format!("what.{key}"), &args)),
        why: sentence(w.f(&format!("why.{key}"), &args)),
        recommendation: sentence(w.f(&format!("do.{key}"), &args)),
        evidence: cx.evidence(&f.evidence, &f.agency),
    }
}

/// A sentence begins with a capital letter (English; Chinese has none).
fn sentence(s: String) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) if f.is_ascii_lowercase() => f.to_ascii_uppercase().to_string() + c.as_str(),
        _ => s,
    }
}

fn timeliness(cx: &Ctx, score: &Score) -> Vec<TimelinessRow> {
    let (n, w) = (&cx.n, cx.w());
    source::due_reports(score)
        .into_iter()
        .map(|d| {
            let mut faults = Vec::new();
            match d.status {
                Done::NotDone | Done::WrongAgency => faults.push(w.t("fault.missing")),
                Done::Late => faults.push(w.t("fault.late")),
                _ => {}
            }
            if d.overstated {
                faults.push(w.t("fault.false"));
            }
            if d.understated {
                faults.push(w.t("fault.concealed"));
            }
            let on_time = faults.is_empty() && d.status == Done::OnTime;
            let fault = if d.status == Done::Pending {
                w.t("fault.pending")
            } else if faults.is_empty() {
                w.t("fault.on_time")
            } else {
                faults.join(w.t("list_sep").as_str())
            };
            TimelinessRow {
                report: n.report_kind(d.kind),
                by: n.agency(&d.by),
                to: n.agency(&d.to),
                due: cx.time(d.deadline_t),
                sent: d.sent_t.map(|t| cx.time(t)).unwrap_or_else(|| "—".into()),
                minutes_late: d.sent_t.map(|s| (s as i64 - d.deadline_t as i64) / 60).filter(|m| *m > 0),
                fault,
                on_time,
            }
        })
        .collect()
}

fn outcomes(cx: &Ctx, score: &Score, entries: &[Entry]) -> Vec<OutcomeGroup> {
    let (n, w) = (&cx.n, cx.w());
    let o = source::outcomes(score);
    let num = |v: u64| w.num(v);
    let began =
        |id: &str| entries.iter().any(|e| matches!(&e.event, Event::HazardOnset { hazard, .. } if hazard == id));
    let mut out = Vec::new();
    let row = |k: &str, v: String| OutcomeRow { label: w.t(&format!("outcome.{k}")), value: v };
    for h in &n.sc.scenario.hazards {
        let mut rows = Vec::new();
        if !began(h.id()) {
            rows.push(row("not_begun", w.t("outcome.not_begun_value")));
        } else {
            match h {
                Hazard::LeveeBreach(_) => {
                    rows.push(row("flood_deaths", num(o.flood_deaths as u64)));
                    if o.flood_at_risk > 0 {
                        rows.push(row(
                            "flood_exposed",
                            w.f("outcome.of", &[("n", &num(o.flood_exposed_peak)), ("of", &num(o.flood_at_risk))]),
                        ));
                    }
                    let closed = o.breach_closed_after_s.iter().find(|x| x.0 == h.id());
                    rows.push(row(
                        "breach_closed",
                        closed.map_or_else(
                            || w.t("outcome.not_closed"),
                            |x| w.f("outcome.after_onset", &[("dur", &w.dur(x.1))]),
                        ),
                    ));
                }
                Hazard::Derailment(_) => {
                    rows.push(row("casualties", num(o.casualties_total as u64)));
                    rows.push(row("dead_at_onset", num(o.dead_at_onset as u64)));
                    rows.push(row("died_later", num(o.derailment_dead.saturating_sub(o.dead_at_onset) as u64)));
                    rows.push(row("worsened", num(o.worsened_before_care as u64)));
                    rows.push(row("admitted", num(o.patients_admitted as u64)));
                    if let Some(x) = o.trapped_freed_after_s.iter().find(|x| x.0 == h.id()) {
                        rows.push(row("trapped_freed", w.f("outcome.after_onset", &[("dur", &w.dur(x.1))])));
                    }
                }
                Hazard::ChemicalSpill(_) => {
                    rows.push(row("water_unsafe", num(o.water_unsafe_people as u64)));
                    rows.push(row("water_protected", num(o.water_protected_people as u64)));
                    for e in entries {
                        if let Event::IntakePeak { hazard, intake, peak_mg_l, peak_t_s, .. } = &e.event
                            && hazard == h.id()
                        {
                            rows.push(OutcomeRow {
                                label: w.f("outcome.intake_peak", &[("intake", &n.place(intake))]),
                                value: w.f(
                                    "outcome.peak_value",
                                    &[("value", &charts::fmt_value(*peak_mg_l)), ("time", &cx.time(*peak_t_s))],
                                ),
                            });
                        }
                    }
                }
                Hazard::GasRelease(_) => {
                    let peak = entries
                        .iter()
                        .filter_map(|e| match &e.event {
                            Event::PlumeZone { hazard, people, .. } if hazard == h.id() => Some(*people),
                            _ => None,
                        })
                        .max()
                        .unwrap_or(0);
                    rows.push(row("plume_people", num(peak as u64)));
                }
            }
        }
        out.push(OutcomeGroup { title: n.hazard(h.id()), rows });
    }
    if o.evacuation_ordered > 0 {
        out.push(OutcomeGroup {
            title: w.t("outcome.evacuation"),
            rows: vec![
                row("evac_ordered", num(o.evacuation_ordered as u64)),
                row("evac_left", num(o.evacuation_left as u64)),
                row("evac_before_flood", num(o.left_before_flood as u64)),
                row("evac_sheltered", num(o.sheltered as u64)),
            ],
        });
    }
    out.push(OutcomeGroup { title: w.t("outcome.total"), rows: vec![row("deaths", num(o.deaths as u64))] });
    out
}

/// Why the score is what it is: one sentence per part below 100, the first saying so when
/// nobody gave an order at all.
pub fn reasons(n: &Names, score: &Score, entries: &[Entry]) -> Vec<String> {
    let w = n.w;
    let c = source::counts(score);
    let o = source::outcomes(score);
    let (_, parts) = source::parts(score);
    let mut out = Vec::new();
    let orders = entries
        .iter()
        .filter(|e| matches!(&e.event, Event::OrderAccepted { order, .. } if !order.is_facilitator()))
        .count();
    if orders == 0 {
        out.push(w.t("reason.no_orders"));
    }
    let num = |v: usize| v.to_string();
    for (k, s, _) in parts {
        if s >= 100.0 {
            continue;
        }
        let part = w.t(&format!("part.{k}"));
        let score = format!("{s:.0}");
        let text = match k {
            "plan" => w.f(
                "reason.plan",
                &[
                    ("part", &part),
                    ("score", &score),
                    ("n", &num(c.plan_items)),
                    ("missed", &num(c.plan_not_done)),
                    ("late", &num(c.plan_late)),
                ],
            ),
            "reporting" => w.f(
                "reason.reporting",
                &[
                    ("part", &part),
                    ("score", &score),
                    ("n", &num(c.reports_due)),
                    ("missed", &num(c.reports_missing)),
                    ("late", &num(c.reports_late)),
                ],
            ),
            "coordination" => w.f(
                "reason.coordination",
                &[("part", &part), ("score", &score), ("n", &num(c.responses)), ("none", &num(c.responses_none))],
            ),
            _ => {
                let mut why = Vec::new();
                if o.flood_at_risk > 0 {
                    why.push(
                        w.f("reason.flood", &[("n", &w.num(o.flood_exposed_peak)), ("of", &w.num(o.flood_at_risk))]),
                    );
                }
                let survivors = o.casualties_total.saturating_sub(o.dead_at_onset);
                if survivors > 0 {
                    why.push(w.f(
                        "reason.derailment",
                        &[
                            ("n", &w.num(o.derailment_dead.saturating_sub(o.dead_at_onset) as u64)),
                            ("of", &w.num(survivors as u64)),
                        ],
                    ));
                }
                if o.water_unsafe_people > 0 {
                    why.push(w.f(
                        "reason.water",
                        &[
                            ("n", &w.num(o.water_unsafe_people as u64)),
                            ("of", &w.num((o.water_unsafe_people + o.water_protected_people) as u64)),
                        ],
                    ));
                }
                w.f("reason.outcomes", &[("part", &part), ("score", &score), ("why", &w.list(&why))])
            }
        };
        out.push(text);
    }
    out
}

fn conclusion(
    cx: &Ctx,
    score: &Score,
    caps: &[CapabilityView],
    findings: &[(FindingFacts, Observation)],
    reasons: Vec<String>,
) -> Conclusion {
    let w = cx.w();
    let (overall, _) = source::parts(score);
    let verdict = if overall >= 85.0 {
        w.t("verdict.achieved")
    } else if overall >= 60.0 {
        w.t("verdict.mostly")
    } else {
        w.t("verdict.not")
    };
    let by = |r: &str| caps.iter().filter(|c| c.rating == r).map(|c| c.name.clone()).collect::<Vec<_>>();
    let mut paragraphs = vec![w.f("conclusion.overall", &[("score", &format!("{overall:.1}")), ("verdict", &verdict)])];
    for r in ["P", "S", "M", "U"] {
        let names = by(r);
        if !names.is_empty() {
            paragraphs.push(
                w.f(&format!("conclusion.rated_{r}"), &[("list", &w.list(&names)), ("n", &names.len().to_string())]),
            );
        }
    }
    paragraphs.push(w.f("conclusion.findings", &[("n", &findings.len().to_string())]));
    Conclusion { verdict, overall, paragraphs, reasons }
}

fn annexes(cx: &Ctx, entries: &[Entry]) -> Annexes {
    let (n, w) = (&cx.n, cx.w());
    let mut timeline = Vec::new();
    let mut orders = Vec::new();
    let mut injects = Vec::new();
    for e in entries {
        let row =
            |who: String, what: String, result: String| AnnexRow { seq: e.seq, time: cx.time(e.t), who, what, result };
        match &e.event {
            Event::OrderAccepted { by, order } if !order.is_facilitator() => {
                orders.push(row(n.agency(by), order_text(n, order), w.t("annex.accepted")))
            }
            Event::OrderRefused { by, order, reason, refusal, .. } => orders.push(row(
                n.agency(by),
                order_text(n, order),
                match (refusal, w.lang()) {
                    (Some(r), _) => w.f("annex.refused_because", &[("reason", &super::refusal::sentence(n, r))]),
                    // a journal from before refusals were journaled whole: the door's English
                    (None, Lang::En) => format!("{}: {reason}", w.t("annex.refused")),
                    (None, Lang::Zh) => w.t("annex.refused"),
                },
            )),
            Event::InjectDelivered { inject, from, to, .. } => {
                let text =
                    n.sc.scenario
                        .injects
                        .iter()
                        .find(|j| j.id == *inject)
                        .map_or_else(|| inject.clone(), |j| n.inject_text(j));
                let to: Vec<String> = to.iter().map(|a| n.agency(a)).collect();
                injects.push(row(n.agency(from), text, w.list(&to)));
            }
            _ => {}
        }
        let ev = match &e.event {
            Event::HazardOnset { hazard, .. } => {
                Some((String::new(), w.f("ev.onset", &[("hazard", &n.hazard(hazard))])))
            }
            Event::PlanTriggered { level, .. } => {
                Some((String::new(), w.f("ev.triggered", &[("level", &n.level(*level))])))
            }
            Event::LevelChanged { to, by, .. } => Some((n.agency(by), w.f("ev.level", &[("level", &n.level(*to))]))),
            Event::InjectDelivered { inject, .. } => {
                Some((String::new(), w.f("ev.inject", &[("inject", &n.inject(inject))])))
            }
            Event::ReportSent { by, to, report, .. } => {
                Some((n.agency(by), w.f("ev.report", &[("kind", &n.report_kind(*report)), ("to", &n.agency(to))])))
            }
            Event::EvacuationOrdered { by, from, to } => {
                Some((n.agency(by), w.f("ev.evacuate", &[("from", &n.place(from)), ("to", &n.place(to))])))
            }
            Event::CommandPostSetUp { by, at, name } => Some((
                n.agency(by),
                w.f("ev.command_post", &[("at", &n.place(at)), ("name", &display_name(name, w.lang()))]),
            )),
            Event::PublicWarning { by, .. } => Some((n.agency(by), w.t("ev.warning"))),
            Event::BreachClosed { hazard, .. } => {
                Some((String::new(), w.f("ev.breach_closed", &[("hazard", &n.hazard(hazard))])))
            }
            Event::SiteCleared { hazard, .. } => {
                Some((String::new(), w.f("ev.site_cleared", &[("hazard", &n.hazard(hazard))])))
            }
            Event::IntakeThreshold { intake, above: true, .. } => {
                Some((String::new(), w.f("ev.intake_threshold", &[("intake", &n.place(intake))])))
            }
            Event::IntakeClosed { intake, by } => {
                Some((n.agency(by), w.f("ev.intake_closed", &[("intake", &n.place(intake))])))
            }
            Event::ShelterFull { shelter, .. } => {
                Some((String::new(), w.f("ev.shelter_full", &[("shelter", &n.place(shelter))])))
            }
            Event::FloodSpill { from, to, .. } => {
                Some((String::new(), w.f("ev.flood_spill", &[("from", &n.place(from)), ("to", &n.place(to))])))
            }
            _ => None,
        };
        if let Some((who, what)) = ev {
            timeline.push(row(who, what, String::new()));
        }
    }
    Annexes { timeline, orders, injects }
}

/// An order in words, with names.
pub fn order_text(n: &(impl Namer + ?Sized), o: &OrderKind) -> String {
    let w = n.words();
    let p = |id: &str| n.place(id);
    match o {
        OrderKind::SetLevel(l) => w.f("order.set_level", &[("level", &n.level(*l))]),
        OrderKind::Dispatch { team, to, task } => {
            w.f("order.dispatch", &[("team", &p(team)), ("to", &p(to)), ("task", &n.capability(*task))])
        }
        OrderKind::Recall { team } => w.f("order.recall", &[("team", &p(team))]),
        OrderKind::Evacuate { from, to } => w.f("order.evacuate", &[("from", &p(from)), ("to", &p(to))]),
        OrderKind::OpenShelter(x) => w.f("order.open_shelter", &[("x", &p(x))]),
        OrderKind::CloseShelter(x) => w.f("order.close_shelter", &[("x", &p(x))]),
        OrderKind::DeliverSupplies { from, to, item, quantity } => w.f(
            "order.deliver",
            &[("from", &p(from)), ("to", &p(to)), ("item", &n.item(item)), ("qty", &charts::fmt_value(*quantity))],
        ),
        OrderKind::CloseRoad(x) => w.f("order.close_road", &[("x", &p(x))]),
        OrderKind::ReopenRoad(x) => w.f("order.reopen_road", &[("x", &p(x))]),
        OrderKind::CloseIntake(x) => w.f("order.close_intake", &[("x", &p(x))]),
        OrderKind::OpenIntake(x) => w.f("order.open_intake", &[("x", &p(x))]),
        OrderKind::SetUpCommandPost { name, at } => {
            w.f("order.command_post", &[("name", &display_name(name, w.lang())), ("at", &p(at))])
        }
        OrderKind::SetUpWorkingGroup { name, .. } => {
            w.f("order.working_group", &[("name", &display_name(name, w.lang()))])
        }
        OrderKind::RequestSupport { to, what } => {
            w.f("order.request_support", &[("to", &n.agency(to)), ("what", &display_name(what, w.lang()))])
        }
        OrderKind::WarnPublic(text) => w.f("order.warn", &[("text", &display_name(text, w.lang()))]),
        OrderKind::Report { kind, to, .. } => {
            w.f("order.report", &[("kind", &n.report_kind(*kind)), ("to", &n.agency(to))])
        }
        OrderKind::Acknowledge(x) => w.f("order.acknowledge", &[("inject", &n.inject(x))]),
        OrderKind::Log(text) => w.f("order.log", &[("text", &display_name(text, w.lang()))]),
        OrderKind::FireInject(x) => w.f("order.fire_inject", &[("inject", &n.inject(x))]),
        _ => w.t("order.facilitator"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratings_follow_the_items_and_a_worse_declared_task() {
        assert_eq!(derive_rating(4, 0, 0, 0, &[]), "P");
        assert_eq!(derive_rating(3, 1, 0, 1, &[]), "S");
        assert_eq!(derive_rating(4, 0, 0, 1, &[]), "S", "a finding (say a duplicate dispatch) is a challenge");
        assert_eq!(derive_rating(1, 1, 2, 2, &[]), "M");
        assert_eq!(derive_rating(1, 0, 3, 3, &[]), "U");
        assert_eq!(derive_rating(0, 0, 0, 1, &[]), "M", "findings but no timed items");
        assert_eq!(derive_rating(4, 0, 0, 0, &["S", "N/A"]), "S", "a declared task rated S lowers P to S");
        assert_eq!(derive_rating(1, 0, 3, 3, &["P"]), "U", "a better task does not raise it");
    }

    #[test]
    fn a_falsified_report_caps_its_capability_at_m_and_an_incomplete_one_at_s() {
        // every required report on time, but one figure false: at best M, not S
        let false_fig: Vec<&str> = report_fault_ceiling(ImprovementKind::ReportFalse).into_iter().collect();
        assert_eq!(derive_rating(5, 0, 0, 1, &false_fig), "M");
        let concealed: Vec<&str> = report_fault_ceiling(ImprovementKind::ReportConcealed).into_iter().collect();
        assert_eq!(derive_rating(5, 0, 0, 1, &concealed), "M");
        // incomplete or bypassing: at best S (a finding already makes it S; the cap keeps it there)
        for kind in [ImprovementKind::ReportIncomplete, ImprovementKind::OutletBypassed] {
            let c: Vec<&str> = report_fault_ceiling(kind).into_iter().collect();
            assert_eq!(derive_rating(5, 0, 0, 1, &c), "S", "{kind:?}");
        }
        // a fault never raises a worse rating
        assert_eq!(derive_rating(1, 0, 3, 3, &false_fig), "U");
        // other findings set no ceiling
        assert_eq!(report_fault_ceiling(ImprovementKind::DuplicateDispatch), None);
    }
}
