//! The reporting part: every report sent, its figures checked against the simulated truth at
//! the moment of sending, its completeness and its route; and the reports the rules require,
//! matched by sender, recipient and kind from the moment the rule's clock starts.

use std::collections::{BTreeMap, BTreeSet};

use super::casualties::Truth;
use super::{
    Ctx, Element, FigureCheck, FigureVerdict, Findings, Improvement, ImprovementKind, RequiredReport, SentReport,
    Status, hm, timed_credit,
};
use crate::journal::{Entry, Event};
use crate::scenario::types::{
    AgencyRole, DeadlineFrom, Figure, Figures, Hazard, LeveeBreachParams, ReportKind, ReportingRule,
};

/// What was true when: the casualty truth, and the ranges for `affected` and `evacuated`.
#[derive(Default)]
pub(super) struct World {
    pub truth: Truth,
    wet: BTreeSet<String>,
    wet_zones: BTreeSet<String>,
    breached_zones: BTreeSet<String>,
    intakes_hit: BTreeSet<String>,
    plume_people: BTreeMap<String, u32>,
    /// Origin → people who left (latest milestone).
    left: BTreeMap<String, u32>,
    /// Origin → people getting ready to leave (ordered and complying).
    leaving: BTreeMap<String, u32>,
    /// People taken off flooded places by boat.
    rescued: u32,
}

impl World {
    pub fn apply(&mut self, sc: &crate::scenario::types::Scenario, e: &Event) {
        self.truth.apply(e);
        match e {
            Event::FloodExposure { zone, wet_nodes, .. } => {
                self.wet.extend(wet_nodes.iter().cloned());
                if !wet_nodes.is_empty() {
                    self.wet_zones.insert(zone.clone());
                }
            }
            Event::HazardOnset { hazard, .. } => {
                for h in &sc.hazards {
                    if let Hazard::LeveeBreach(LeveeBreachParams { id, levee, .. }) = h
                        && id == hazard
                        && let Some(l) = sc.map.levee(levee)
                    {
                        self.breached_zones.insert(l.protects.clone());
                    }
                }
            }
            Event::IntakeThreshold { intake, above: true, .. } => {
                self.intakes_hit.insert(intake.clone());
            }
            Event::PlumeZone { hazard, people, .. } => {
                self.plume_people.insert(hazard.clone(), *people);
            }
            Event::EvacuationStarted { from, people, refusing, .. } => {
                *self.leaving.entry(from.clone()).or_default() += people.saturating_sub(*refusing);
            }
            Event::EvacuationProgress { from, left, .. } => {
                self.left.insert(from.clone(), *left);
            }
            Event::BoatRescue { people, .. } => self.rescued += people,
            _ => {}
        }
    }

    /// The true range (lowest, highest) of a figure now; none when the model does not know it.
    pub fn range(&self, sc: &crate::scenario::types::Scenario, f: Figure) -> Option<(u32, u32)> {
        let pop = |ids: &mut dyn Iterator<Item = &String>| -> u32 {
            let set: BTreeSet<&String> = ids.collect();
            sc.map.nodes.iter().filter(|n| set.contains(&n.id)).map(|n| n.population).sum()
        };
        match f {
            Figure::Dead => Some((self.truth.dead(), self.truth.dead())),
            Figure::Injured => {
                let i = self.truth.injured();
                Some((i, i))
            }
            Figure::Missing | Figure::ActionsTaken => None,
            Figure::Affected => {
                // flood: the residents the water reached, up to every resident of the zones
                // that are wet or whose levee breached; spill: the people served by intakes the
                // plume reached, up to every intake's; derailment: the casualties; gas: the zone.
                let lo_flood = pop(&mut self.wet.iter());
                let zones: BTreeSet<&String> = self.wet_zones.iter().chain(&self.breached_zones).collect();
                let hi_flood =
                    pop(&mut sc.map.flood_zones.iter().filter(|z| zones.contains(&z.id)).flat_map(|z| z.nodes.iter()));
                let lo_water: u32 =
                    sc.map.intakes.iter().filter(|i| self.intakes_hit.contains(&i.node)).map(|i| i.serves).sum();
                let spill = sc.hazards.iter().any(|h| matches!(h, Hazard::ChemicalSpill(_)));
                let hi_water: u32 = if spill { sc.map.intakes.iter().map(|i| i.serves).sum() } else { 0 };
                let cas = self.truth.casualties_total();
                let gas: u32 = self.plume_people.values().sum();
                let lo = lo_flood + lo_water + cas + gas;
                let hi = hi_flood.max(lo_flood) + hi_water.max(lo_water) + cas + gas;
                Some((lo, hi))
            }
            Figure::Evacuated => {
                // those who left by road, and those the boats took off
                let lo: u32 = self.left.values().sum::<u32>() + self.rescued;
                let hi: u32 = (self.leaving.values().sum::<u32>() + self.rescued).max(lo);
                Some((lo, hi))
            }
        }
    }
}

/// A figure against its true range, with the tolerance.
pub fn check_figure(reported: u32, range: Option<(u32, u32)>, tol: f64) -> FigureCheck {
    let Some((lo, hi)) = range else {
        return FigureCheck { reported, truth: 0, truth_max: None, verdict: FigureVerdict::Unchecked };
    };
    let r = f64::from(reported);
    let verdict = if r > f64::from(hi) * (1.0 + tol) {
        FigureVerdict::False
    } else if r < f64::from(lo) * (1.0 - tol) {
        FigureVerdict::Concealed
    } else {
        FigureVerdict::Accurate
    };
    FigureCheck { reported, truth: lo, truth_max: (hi != lo).then_some(hi), verdict }
}

fn value(f: &Figures, which: Figure) -> Option<u32> {
    match which {
        Figure::Dead => f.dead,
        Figure::Injured => f.injured,
        Figure::Missing => f.missing,
        Figure::Affected => f.affected,
        Figure::Evacuated => f.evacuated,
        Figure::ActionsTaken => f.actions_taken.as_ref().filter(|t| !t.trim().is_empty()).map(|_| 0),
    }
}

const FIGURES: [Figure; 5] = [Figure::Dead, Figure::Injured, Figure::Missing, Figure::Affected, Figure::Evacuated];

fn figure_name(f: Figure) -> String {
    crate::scenario::ron_name(&f)
}

fn figure_zh(f: Figure) -> &'static str {
    match f {
        Figure::Dead => "死亡人数",
        Figure::Injured => "受伤人数",
        Figure::Missing => "失踪人数",
        Figure::Affected => "受影响人数",
        Figure::Evacuated => "转移人数",
        Figure::ActionsTaken => "已采取的措施",
    }
}

/// The rules a report of this sender, recipient and kind answers.
fn rules_for<'a>(ctx: &'a Ctx, by: &str, to: &str, kind: ReportKind) -> impl Iterator<Item = &'a ReportingRule> {
    ctx.sc.scenario.reporting.rules.iter().filter(move |r| r.by == by && r.to == to && r.accepts(kind))
}

/// One report sent, judged when it was sent (`world` is the truth at that entry).
pub(super) fn sent_report(ctx: &Ctx, e: &Entry, world: &World, f: &mut Findings) -> Option<SentReport> {
    let Event::ReportSent { by, to, report, figures } = &e.event else { return None };
    let sc = &ctx.sc.scenario;
    let tol = sc.reporting.tolerance.unwrap_or(0.1);
    let mut checks = BTreeMap::new();
    for which in FIGURES {
        if let Some(v) = value(figures, which) {
            checks.insert(figure_name(which), check_figure(v, world.range(sc, which), tol));
        }
    }
    // Required figures: what the rules this report answers name; a report with no figure and no
    // account of actions at all is empty, whatever the rules.
    let required: BTreeSet<Figure> = rules_for(ctx, by, to, *report).flat_map(|r| r.figures.iter().copied()).collect();
    let mut missing: Vec<Figure> = required.iter().copied().filter(|w| value(figures, *w).is_none()).collect();
    let empty = checks.is_empty() && value(figures, Figure::ActionsTaken).is_none();
    let incomplete = !missing.is_empty() || empty;
    if empty && missing.is_empty() {
        missing.push(Figure::ActionsTaken);
    }
    let bypass = ctx.sc.agency(to).is_some_and(|a| a.role == AgencyRole::Higher)
        && sc.reporting.outlet.as_deref().is_some_and(|o| o != by);
    let bad = checks.values().any(|c| c.verdict.is_falsified());
    let credit =
        (1.0_f64 - if bad { 1.0 } else { 0.0 } - if bypass { 0.5 } else { 0.0 } - if incomplete { 0.5 } else { 0.0 })
            .max(0.0);
    for (name, c) in &checks {
        if !c.verdict.is_falsified() {
            continue;
        }
        let (kind, what) = if c.verdict == FigureVerdict::False {
            (ImprovementKind::ReportFalse, "overstated (false report, 谎报)")
        } else {
            (ImprovementKind::ReportConcealed, "understated (concealed, 瞒报)")
        };
        let truth = match c.truth_max {
            Some(hi) => format!("{}–{hi}", c.truth),
            None => c.truth.to_string(),
        };
        let which = FIGURES.iter().copied().find(|w| figure_name(*w) == *name).unwrap_or(Figure::Dead);
        f.improvements.push(Improvement {
            kind,
            subject: format!("seq {}", e.seq),
            issue: format!(
                "{by}'s {} report to {to} at {} gave {name} {} against a true {truth}: {what}",
                super::report_name(*report),
                e.time,
                c.reported
            ),
            corrective_action:
                "Check figures against the site's latest count before sending; report what is known and mark estimates"
                    .into(),
            element: Element::Organisation,
            agency: by.clone(),
            evidence: vec![e.seq],
            issue_zh: format!(
                "{by} 于 {} 向 {to} 的{}报告中{}为 {},实际为 {truth}:{}",
                e.time,
                super::report_name_zh(*report),
                figure_zh(which),
                c.reported,
                if c.verdict == FigureVerdict::False { "多报(谎报)" } else { "少报(瞒报)" }
            ),
            corrective_action_zh: "报送前与现场最新统计核对;先报已掌握的情况,估计数注明为估计".into(),
            ..Default::default()
        });
    }
    if incomplete {
        let names: Vec<String> = missing.iter().map(|m| figure_name(*m)).collect();
        let names_zh: Vec<&str> = missing.iter().map(|m| figure_zh(*m)).collect();
        f.improvements.push(Improvement {
            kind: ImprovementKind::ReportIncomplete,
            subject: format!("seq {}", e.seq),
            issue: format!(
                "{by}'s {} report to {to} at {} lacks {} that the reporting rules require",
                super::report_name(*report),
                e.time,
                names.join(", ")
            ),
            corrective_action: "Use the report template: every figure the rule names, with estimates marked".into(),
            element: Element::Training,
            agency: by.clone(),
            evidence: vec![e.seq],
            issue_zh: format!(
                "{by} 于 {} 向 {to} 的{}报告缺少{}",
                e.time,
                super::report_name_zh(*report),
                names_zh.join("、")
            ),
            corrective_action_zh: "使用报告模板,填写规则要求的全部数字,估计数注明".into(),
            ..Default::default()
        });
    }
    if bypass {
        f.improvements.push(Improvement {
            kind: ImprovementKind::OutletBypassed,
            subject: format!("seq {}", e.seq),
            issue: format!("{by} reported directly to {to}, bypassing the one information outlet"),
            corrective_action: format!(
                "Report to {} first; only the outlet reports upward",
                sc.reporting.outlet.as_deref().unwrap_or("the outlet")
            ),
            element: Element::Organisation,
            agency: by.clone(),
            evidence: vec![e.seq],
            issue_zh: format!("{by} 越过统一信息出口直接向 {to} 报告"),
            corrective_action_zh: format!(
                "先报 {},由统一信息出口对上报告",
                sc.reporting.outlet.as_deref().unwrap_or("应急办")
            ),
            ..Default::default()
        });
    }
    f.credit(by, credit);
    Some(SentReport {
        seq: e.seq,
        t: e.t,
        by: by.clone(),
        to: to.clone(),
        kind: *report,
        figures: checks,
        bypasses_outlet: bypass,
        credit,
        missing_figures: if incomplete { missing } else { vec![] },
    })
}

/// When a rule's clock starts: the onset, the first inject reaching its sender, or the delivery
/// of its inject.
fn clock_start(ctx: &Ctx, r: &ReportingRule) -> Option<(u64, u64)> {
    match r.from {
        DeadlineFrom::Incident => ctx.onset,
        DeadlineFrom::Notification => {
            ctx.notifications.iter().find(|(_, _, to)| to.contains(&r.by)).map(|(t, s, _)| (*t, *s))
        }
        DeadlineFrom::Inject => r.inject.as_ref().and_then(|j| ctx.delivered.get(j)).map(|(t, s, _)| (*t, *s)),
    }
}

/// Every report the rules require: the first `deadline` after the clock starts, then one every
/// `repeat`; each met by the first report from the rule's sender to its recipient of a kind it
/// accepts, sent at or after the start (same step counts) and after the previous one.
pub(super) fn required_reports(
    ctx: &Ctx,
    sent: &[SentReport],
    grade: Option<crate::scenario::types::Grade>,
    f: &mut Findings,
) -> Vec<RequiredReport> {
    let mut required = Vec::new();
    for r in &ctx.sc.scenario.reporting.rules {
        if let Some(min) = r.min_grade
            && grade.is_none_or(|g| g < min)
        {
            continue;
        }
        let Some((start_t, start_seq)) = clock_start(ctx, r) else { continue };
        let repeat = r.repeat.map(|d| d.secs()).filter(|&d| d > 0);
        let mut after_seq: Option<u64> = None;
        let mut instance: u32 = 0;
        loop {
            let limit = if instance == 0 { r.deadline } else { r.repeat.unwrap_or(r.deadline) };
            let deadline_t = start_t + r.deadline.secs() + u64::from(instance) * repeat.unwrap_or(0);
            let hit = sent.iter().find(|s| {
                s.by == r.by
                    && s.to == r.to
                    && r.accepts(s.kind)
                    && s.t >= start_t
                    && after_seq.is_none_or(|a| s.seq > a)
            });
            let mut evidence = vec![start_seq];
            let (status, sent_t, late_s, credit) = match hit {
                Some(s) => {
                    evidence.push(s.seq);
                    let late = s.t as i64 - deadline_t as i64;
                    let st = if late <= 0 { Status::OnTime } else { Status::Late };
                    (st, Some(s.t), Some(late), timed_credit(late, limit.secs()))
                }
                None if deadline_t > ctx.end_t => (Status::Pending, None, None, 0.0),
                None => (Status::Missed, None, None, 0.0),
            };
            required_finding(r, status, late_s, limit, &evidence, f);
            if status != Status::Pending {
                f.credit(&r.by, credit);
            }
            required.push(RequiredReport {
                rule: r.id.clone(),
                kind: r.kind,
                by: r.by.clone(),
                to: r.to.clone(),
                from: r.from,
                start_t,
                deadline_t,
                status,
                sent_t,
                late_s,
                credit,
                evidence,
                instance,
            });
            let next_due = start_t + r.deadline.secs() + u64::from(instance + 1) * repeat.unwrap_or(0);
            match (hit, repeat) {
                (Some(s), Some(_)) if next_due <= ctx.end_t => {
                    after_seq = Some(s.seq);
                    instance += 1;
                }
                // nothing came after this one either: the later ones are missing too
                (None, Some(_)) if next_due <= ctx.end_t => instance += 1,
                _ => break,
            }
        }
    }
    required
}

fn required_finding(
    r: &ReportingRule,
    status: Status,
    late_s: Option<i64>,
    limit: crate::scenario::time::Dur,
    evidence: &[u64],
    f: &mut Findings,
) {
    let name = super::report_name(r.kind);
    let name_zh = super::report_name_zh(r.kind);
    let (kind, element, issue, action, issue_zh, action_zh) = match status {
        Status::Late => (
            ImprovementKind::ReportLate,
            Element::Training,
            format!(
                "{name} report by {} to {} (rule {}, within {limit}) was {} late",
                r.by,
                r.to,
                r.id,
                hm(late_s.unwrap_or(0))
            ),
            "Report what is known first by phone/SMS; use a report template so the written report is not held up",
            format!("{} 向 {} 的{name_zh}报告(规则 {},时限 {limit})迟报 {}", r.by, r.to, r.id, hm(late_s.unwrap_or(0))),
            "先以电话或短信报告已掌握的情况;使用报告模板,避免书面报告延误",
        ),
        Status::Missed => (
            ImprovementKind::ReportMissing,
            Element::Planning,
            format!("{name} report by {} to {} (rule {}, within {}) was never sent", r.by, r.to, r.id, r.deadline),
            "Put the reporting rules and time limits on the duty desk checklist with a timer",
            format!("{} 向 {} 的{name_zh}报告(规则 {},时限 {})未报送(漏报)", r.by, r.to, r.id, r.deadline),
            "将报告规则和时限列入值班台清单并设置计时提醒",
        ),
        _ => return,
    };
    f.improvements.push(Improvement {
        kind,
        subject: r.id.clone(),
        issue,
        corrective_action: action.into(),
        element,
        agency: r.by.clone(),
        evidence: evidence.to_vec(),
        issue_zh,
        corrective_action_zh: action_zh.into(),
        ..Default::default()
    });
}
