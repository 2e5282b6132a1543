//! Training courses: a seed incident replayed by a trainee and set beside the historical record.
//! A course file (`scenarios/courses/<id>.ron`) names the scenario, the record's order file (what
//! the real responders did) and the key decisions of the record, each with its source; the
//! report pairs every decision of the record with the trainee's (earlier or later by how much,
//! missing, extra) and shows what the outcome was in each run. A pure function of (scenario,
//! course, record journal, trainee journal).

use std::fmt::Write as _;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::compare::{Comparison, compare, fmt_diff, fmt_value};
use crate::journal::{Entry, Event};
use crate::scenario::time::human_secs;
use crate::scenario::types::OrderKind;
use crate::scenario::{ValidScenario, ron_options};
use crate::scoring::report::Lang;

/// A course file.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename = "Course", deny_unknown_fields)]
pub struct Course {
    /// The scenario file, relative to the repository root.
    pub scenario: String,
    /// The record as an order file: what the real responders did, when.
    pub record: String,
    pub title_en: String,
    pub title_zh: String,
    /// Where the record comes from.
    pub source: String,
    pub story_en: String,
    pub story_zh: String,
    pub decisions: Vec<Decision>,
}

/// One key decision of the record: the first accepted order of its kind by `by` (naming `target`
/// if given).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Decision {
    pub id: String,
    pub en: String,
    pub zh: String,
    /// Where the record says so.
    pub source: String,
    pub by: String,
    /// The order's kind as in order files: "SetLevel", "Report", "Evacuate", "Dispatch", …
    pub order: String,
    /// An id the order names (a team, place, shelter, agency), a level ("I"…"IV") or a report's
    /// kind ("phone", "written", …).
    #[serde(default)]
    pub target: Option<String>,
}

/// Why a course file cannot be read: the file, and where in it.
#[derive(Debug, thiserror::Error)]
pub enum CourseError {
    #[error("cannot read {}: {source}", path.display())]
    Read { path: std::path::PathBuf, source: std::io::Error },
    #[error("{}:{line}:{col}: {source}", path.display())]
    Syntax { path: std::path::PathBuf, line: usize, col: usize, source: ron::Error },
}

/// Reads a course file; the error names the file and position.
pub fn load_course(path: &Path) -> Result<Course, CourseError> {
    let text =
        std::fs::read_to_string(path).map_err(|source| CourseError::Read { path: path.to_path_buf(), source })?;
    ron_options().from_str(&text).map_err(|e| CourseError::Syntax {
        path: path.to_path_buf(),
        line: e.span.start.line,
        col: e.span.start.col,
        source: e.code,
    })
}

/// The order kind's name as in order files (`SetLevel`, `Report`, …).
pub fn order_name(o: &OrderKind) -> String {
    let s = ron::to_string(o).unwrap_or_default();
    s.split(['(', ' ']).next().unwrap_or_default().to_string()
}

fn targets(o: &OrderKind) -> Vec<String> {
    let mut v: Vec<String> = o.ids().into_iter().map(String::from).collect();
    match o {
        OrderKind::SetLevel(l) => v.push(l.roman().to_string()),
        OrderKind::Report { kind, .. } => v.push(crate::scenario::ron_name(kind)),
        _ => {}
    }
    v
}

/// When `d` was first done in a journal (an accepted order), with the entry's seq.
pub fn decided_at(d: &Decision, j: &[Entry]) -> Option<(u64, u64)> {
    j.iter().find_map(|e| match &e.event {
        Event::OrderAccepted { by, order }
            if *by == d.by
                && order_name(order) == d.order
                && d.target.as_ref().is_none_or(|t| targets(order).contains(t)) =>
        {
            Some((e.t, e.seq))
        }
        _ => None,
    })
}

/// One decision of the record beside the trainee's.
#[derive(Debug, Clone, Serialize)]
pub struct Pairing {
    pub id: String,
    pub en: String,
    pub zh: String,
    pub by: String,
    pub source: String,
    pub record_t: Option<u64>,
    pub trainee_t: Option<u64>,
    /// trainee − record, seconds (negative: earlier).
    pub delta_s: Option<i64>,
    /// The plan action this decision carries out (same owner, kind and target), if any: the task.
    pub task: Option<String>,
    /// Seconds from that task's trigger (its level's start in each run) to the decision in the
    /// record and in the trainee's run; negative: before the trigger. Triggers may come at
    /// different times in the two runs, so these compare what each did once the task arose.
    pub record_from_trigger_s: Option<i64>,
    pub trainee_from_trigger_s: Option<i64>,
}

impl Pairing {
    /// trainee − record, seconds (negative: earlier), compared the way an instructor would: from
    /// the task's trigger in each run when the decision carries out a plan task in both (the
    /// trainee's run may have reached that level at another time), else on the clock.
    pub fn compared_s(&self) -> Option<i64> {
        match (self.record_from_trigger_s, self.trainee_from_trigger_s) {
            (Some(r), Some(t)) => Some(t - r),
            _ => self.delta_s,
        }
    }
}

/// The plan action a decision (the order at `seq` of journal `j`) carries out, and its level.
fn task_of<'s>(
    sc: &'s ValidScenario,
    d: &Decision,
    j: &[Entry],
    seq: u64,
) -> Option<(&'s str, crate::scenario::types::Level)> {
    let order = j.iter().find_map(|e| match &e.event {
        Event::OrderAccepted { order, .. } if e.seq == seq => Some(order),
        _ => None,
    })?;
    let kind = order.action_kind()?;
    let ids = order.ids();
    sc.scenario.plan.levels.iter().find_map(|l| {
        l.actions
            .iter()
            .find(|a| a.owner == d.by && a.action == kind && a.target.as_deref().is_none_or(|t| ids.contains(&t)))
            .map(|a| (a.id.as_str(), l.level))
    })
}

/// When a level started in a journal.
fn triggered_at(j: &[Entry], level: crate::scenario::types::Level) -> Option<u64> {
    j.iter().find_map(|e| match &e.event {
        Event::PlanTriggered { level: l, .. } if *l == level => Some(e.t),
        _ => None,
    })
}

/// Accepted orders of one run, grouped by (agency, kind, ids), for the full pairing.
fn orders_of(j: &[Entry]) -> Vec<(String, u64)> {
    j.iter()
        .filter_map(|e| match &e.event {
            Event::OrderAccepted { by, order } => {
                Some((format!("{by}: {} {}", order_name(order), targets(order).join(" → ")).trim().to_string(), e.t))
            }
            _ => None,
        })
        .collect()
}

/// Other orders: (what, record time, trainee time), k-th with k-th of the same key.
fn pair_orders(record: &[Entry], trainee: &[Entry]) -> Vec<(String, Option<u64>, Option<u64>)> {
    let r = orders_of(record);
    let mut t = orders_of(trainee);
    let mut used = vec![false; t.len()];
    let mut out = Vec::new();
    for (key, rt) in r {
        let m = t.iter().enumerate().position(|(i, (k, _))| !used[i] && *k == key);
        match m {
            Some(i) => {
                used[i] = true;
                out.push((key, Some(rt), Some(t[i].1)));
            }
            None => out.push((key, Some(rt), None)),
        }
    }
    for (i, (k, tt)) in t.drain(..).enumerate() {
        if !used[i] {
            out.push((k, None, Some(tt)));
        }
    }
    out.sort_by_key(|(_, a, b)| a.or(*b));
    out
}

/// The course's result: every decision paired, and the comparison of outcomes and scores.
#[derive(Debug, Clone, Serialize)]
pub struct CourseResult {
    pub decisions: Vec<Pairing>,
    pub comparison: Comparison,
}

pub fn assess(sc: &ValidScenario, course: &Course, record: &[Entry], trainee: &[Entry]) -> CourseResult {
    let decisions = course
        .decisions
        .iter()
        .map(|d| {
            let rd = decided_at(d, record);
            let td = decided_at(d, trainee);
            let (r, t) = (rd.map(|x| x.0), td.map(|x| x.0));
            let task =
                rd.and_then(|x| task_of(sc, d, record, x.1)).or_else(|| td.and_then(|x| task_of(sc, d, trainee, x.1)));
            let from_trigger = |j: &[Entry], at: Option<u64>| {
                let (_, level) = task?;
                Some(at? as i64 - triggered_at(j, level)? as i64)
            };
            Pairing {
                task: task.map(|(id, _)| id.to_string()),
                record_from_trigger_s: from_trigger(record, r),
                trainee_from_trigger_s: from_trigger(trainee, t),
                id: d.id.clone(),
                en: d.en.clone(),
                zh: d.zh.clone(),
                by: d.by.clone(),
                source: d.source.clone(),
                record_t: r,
                trainee_t: t,
                delta_s: r.zip(t).map(|(r, t)| t as i64 - r as i64),
            }
        })
        .collect();
    CourseResult { decisions, comparison: compare(sc, record, trainee) }
}

fn clock(sc: &ValidScenario, t: Option<u64>) -> String {
    match t {
        None => "—".into(),
        Some(t) => (sc.start + chrono::Duration::seconds(t as i64)).format("%m-%d %H:%M").to_string(),
    }
}

fn delta_text(lang: Lang, r: Option<i64>, t: Option<i64>) -> String {
    let zh = lang == Lang::Zh;
    match (r, t) {
        (Some(r), Some(t)) if r == t => (if zh { "同时" } else { "same time" }).into(),
        (Some(r), Some(t)) if t < r => {
            let d = human_secs(r - t);
            if zh { format!("**提前 {d}**") } else { format!("**{d} earlier**") }
        }
        (Some(r), Some(t)) => {
            let d = human_secs(t - r);
            if zh { format!("**推迟 {d}**") } else { format!("**{d} later**") }
        }
        (Some(_), None) => (if zh { "**未做**" } else { "**not done**" }).into(),
        (None, Some(_)) => (if zh { "记录中没有(新增)" } else { "not in the record (extra)" }).into(),
        (None, None) => (if zh { "双方都未做" } else { "done by neither" }).into(),
    }
}

/// The "compared" cell of a key decision: from the task's trigger when both runs did it as a plan
/// task (said so), else on the clock.
fn compared_text(lang: Lang, p: &Pairing) -> String {
    match (p.record_from_trigger_s, p.trainee_from_trigger_s) {
        (Some(r), Some(t)) => {
            let text = delta_text(lang, Some(r), Some(t));
            let (rs, ts) = (signed(r), signed(t));
            if lang == Lang::Zh {
                format!("{text}(自任务触发起:记录 {rs},学员 {ts})")
            } else {
                format!("{text} (from the task's trigger: record {rs}, trainee {ts})")
            }
        }
        _ => delta_text(lang, p.record_t.map(|x| x as i64), p.trainee_t.map(|x| x as i64)),
    }
}

fn signed(s: i64) -> String {
    if s < 0 { format!("−{}", human_secs(-s)) } else { format!("+{}", human_secs(s)) }
}

fn cell(s: &str) -> String {
    s.replace('|', "/").replace('\n', " ")
}

/// The course report in Markdown (Chinese or English), up to the header of the table of all
/// orders (see [`report`]).
pub fn markdown(sc: &ValidScenario, course: &Course, res: &CourseResult, lang: Lang) -> String {
    let zh = lang == Lang::Zh;
    let tr = |z: &str, e: &str| if zh { z.to_string() } else { e.to_string() };
    let agency = |id: &str| match sc.agency(id) {
        Some(a) => {
            if zh {
                a.name_zh.clone()
            } else {
                a.name_en.clone()
            }
        }
        None => id.to_string(),
    };
    let mut md = String::new();
    let _ = writeln!(md, "# {}\n", if zh { &course.title_zh } else { &course.title_en });
    let _ = writeln!(md, "{}\n", if zh { &course.story_zh } else { &course.story_en });
    let _ = writeln!(md, "{}: {}\n", tr("史实来源", "Source of the record"), course.source);
    let c = &res.comparison;
    let _ = writeln!(
        md,
        "{} `{}` · {} {} · {}\n",
        tr("情景", "Scenario"),
        course.scenario,
        tr("随机种子", "seed"),
        c.seed_a,
        tr(
            "记录与学员在同一情景、同一随机种子下运行,差别只来自决策。",
            "The record and the trainee ran on the same scenario and seed: every difference comes from the decisions."
        )
    );

    let _ = writeln!(md, "## {}\n", tr("结果对比", "What happened in each run"));
    let _ = writeln!(
        md,
        "| {} | {} | {} | {} |",
        tr("指标", "measure"),
        tr("历史记录", "record"),
        tr("学员", "trainee"),
        tr("差值(学员−记录)", "difference (trainee − record)")
    );
    let _ = writeln!(md, "|---|---:|---:|---|");
    for r in c.outcomes.iter().chain(&c.scores) {
        let diff = fmt_diff(r);
        let diff = if zh {
            diff.replace("(better)", "(更好)")
                .replace("(worse)", "(更差)")
                .replace("same", "相同")
                .replace("changed", "不同")
        } else {
            diff
        };
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} |",
            if zh { &r.zh } else { &r.en },
            fmt_value(&r.key, r.a).replace("not closed", if zh { "未封堵" } else { "not closed" }),
            fmt_value(&r.key, r.b).replace("not closed", if zh { "未封堵" } else { "not closed" }),
            diff
        );
    }
    md.push('\n');
    match c.first_difference_t {
        None => {
            let _ = writeln!(
                md,
                "{}\n",
                tr("学员的运行与历史记录完全一致。", "The trainee's run is the record, entry for entry.")
            );
        }
        Some(t) => {
            let _ = writeln!(
                md,
                "{} **{}** (+{}).\n",
                tr("两次运行从此刻开始出现差别:", "The two runs first part at"),
                clock(sc, Some(t)),
                human_secs(t as i64)
            );
        }
    }

    let _ = writeln!(md, "## {}\n", tr("关键决策:学员与历史记录", "Key decisions: the trainee beside the record"));
    let _ = writeln!(
        md,
        "| {} | {} | {} | {} | {} | {} |",
        tr("决策", "decision"),
        tr("责任单位", "who"),
        tr("历史记录", "record"),
        tr("学员", "trainee"),
        tr("比较", "compared"),
        tr("依据", "source")
    );
    let _ = writeln!(md, "|---|---|---|---|---|---|");
    for p in &res.decisions {
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | {} | {} |",
            cell(if zh { &p.zh } else { &p.en }),
            cell(&agency(&p.by)),
            clock(sc, p.record_t),
            clock(sc, p.trainee_t),
            compared_text(lang, p),
            cell(&p.source)
        );
    }
    let earlier = res.decisions.iter().filter(|p| p.compared_s().is_some_and(|d| d < 0)).count();
    let later = res.decisions.iter().filter(|p| p.compared_s().is_some_and(|d| d > 0)).count();
    let missing = res.decisions.iter().filter(|p| p.record_t.is_some() && p.trainee_t.is_none()).count();
    md.push('\n');
    let _ = writeln!(
        md,
        "{}\n",
        if zh {
            format!("{} 项决策中,学员提前 {earlier} 项、推迟 {later} 项、未做 {missing} 项。", res.decisions.len())
        } else {
            format!(
                "Of {} key decisions the trainee made {earlier} earlier, {later} later and {missing} not at all.",
                res.decisions.len()
            )
        }
    );
    let _ = writeln!(
        md,
        "{}\n",
        tr(
            "结果的差别来自全部决策的共同作用。要检验某一项决策的作用,可在该时刻分叉:`drillsim fork OUT/record --at 时间 --orders 备选.ron --out 新目录`,再用 `drillsim compare` 比较。",
            "The outcome differences come from all decisions together. To see what one decision changed, fork the record at that moment with only that change: `drillsim fork OUT/record --at TIME --orders ALT.ron --out OUT2`, then `drillsim compare OUT/record OUT2`."
        )
    );

    let _ = writeln!(md, "## {}\n", tr("全部指令对照", "All orders, paired"));
    let _ = writeln!(
        md,
        "| {} | {} | {} | {} |",
        tr("指令", "order"),
        tr("历史记录", "record"),
        tr("学员", "trainee"),
        tr("比较", "compared")
    );
    let _ = writeln!(md, "|---|---|---|---|");
    md
}

/// The full report: Markdown with the table of all orders paired.
pub fn report(
    sc: &ValidScenario,
    course: &Course,
    record: &[Entry],
    trainee: &[Entry],
    lang: Lang,
) -> (CourseResult, String) {
    let res = assess(sc, course, record, trainee);
    let mut md = markdown(sc, course, &res, lang);
    for (what, r, t) in pair_orders(record, trainee) {
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} |",
            cell(&what),
            clock(sc, r),
            clock(sc, t),
            delta_text(lang, r.map(|x| x as i64), t.map(|x| x as i64))
        );
    }
    md.push('\n');
    (res, md)
}

/// The report as one self-contained HTML page.
pub fn html(title: &str, md: &str, lang: Lang) -> String {
    let esc = |s: &str| s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
    format!(
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>\n\
         body{{font-family:sans-serif;max-width:70em;margin:1em auto;padding:0 1em;color:#222}}\n\
         table{{border-collapse:collapse;margin:.5em 0}}td,th{{border:1px solid #bbb;padding:.2em .5em;font-size:90%}}\n\
         th{{background:#eee}}code{{font-size:85%}}\n</style>\n</head>\n<body>\n{}</body>\n</html>\n",
        if lang == Lang::Zh { "zh" } else { "en" },
        esc(title),
        crate::scoring::report::md_to_html(md)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_names_are_the_order_file_names() {
        assert_eq!(order_name(&OrderKind::SetLevel(crate::scenario::types::Level::III)), "SetLevel");
        assert_eq!(order_name(&OrderKind::Log("x".into())), "Log");
        assert_eq!(order_name(&OrderKind::Pause), "Pause");
        assert_eq!(order_name(&OrderKind::CloseIntake("wi".into())), "CloseIntake");
    }

    fn pairing(record_t: Option<u64>, trainee_t: Option<u64>, from: Option<(i64, i64)>) -> Pairing {
        Pairing {
            id: "d".into(),
            en: String::new(),
            zh: String::new(),
            by: "ofc".into(),
            source: String::new(),
            record_t,
            trainee_t,
            delta_s: record_t.zip(trainee_t).map(|(r, t)| t as i64 - r as i64),
            task: from.map(|_| "iii_groups".into()),
            record_from_trigger_s: from.map(|f| f.0),
            trainee_from_trigger_s: from.map(|f| f.1),
        }
    }

    #[test]
    fn a_plan_task_is_compared_from_its_trigger_in_each_run() {
        // The trainee reached level III two hours later than the record and acted 10 min after it;
        // the record acted 30 min after its trigger: on the clock 1h40m later, by the task 20m
        // earlier: an instructor credits the quicker response to the task.
        let p = pairing(Some(3600), Some(9600), Some((1800, 600)));
        assert_eq!(p.delta_s, Some(6000));
        assert_eq!(p.compared_s(), Some(-1200));
        let text = compared_text(Lang::En, &p);
        assert!(text.contains("20m earlier") && text.contains("from the task's trigger"), "{text}");
        assert!(compared_text(Lang::Zh, &p).contains("提前"));
        // Not a plan task: the clock.
        let q = pairing(Some(3600), Some(5400), None);
        assert_eq!(q.compared_s(), Some(1800));
        assert!(compared_text(Lang::En, &q).contains("30m later"));
        // Acting before the trigger reads as a negative time from it.
        assert_eq!(signed(-600), "−10m");
    }

    #[test]
    fn deltas_read_as_earlier_later_missing() {
        assert!(delta_text(Lang::En, Some(3600), Some(0)).contains("1h earlier"));
        assert!(delta_text(Lang::En, Some(0), Some(1800)).contains("30m later"));
        assert!(delta_text(Lang::En, Some(0), None).contains("not done"));
        assert!(delta_text(Lang::Zh, Some(3600), Some(0)).contains("提前"));
    }
}
