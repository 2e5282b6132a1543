//! Exercise-evaluation doctrine on top of the scored items: the scenario's declared critical tasks
//! rated P/S/M/U (HSEEP) with their evidence, the AQ/T 9009 evaluation items, the five aspects of
//! the findings (plan, organisation, personnel, mechanisms, support), the improvement plan's
//! timing, and teams left idle while their work was needed.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::{
    CoordinationPart, CriticalTask, Element, Finding, Improvement, ImprovementKind, OutcomesPart, PlanPart,
    ReportingPart, Status, part,
};
use crate::journal::{Entry, Event};
use crate::scenario::ValidScenario;
use crate::scenario::types::{AgencyRole, Capability, EvalArea, Hazard, Target};

/// A team whose work was needed only counts as idle once its work has waited this long.
pub const IDLE_GRACE_S: u64 = 3600;

/// One AQ/T 9009 evaluation item: the scored items under it and how they went.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AreaResult {
    pub area: EvalArea,
    /// 0–100 over its items (the same credits as the parts).
    pub score: f64,
    pub items: usize,
    pub on_time: usize,
    pub late: usize,
    pub not_done: usize,
    /// Improvement-plan rows under this item (indices into `improvement_plan`).
    pub improvements: Vec<usize>,
}

/// A target of a declared critical task, met or not.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TargetResult {
    /// The target as the scenario wrote it, e.g. `MaxDeaths(20)`.
    pub target: String,
    /// Met or not; none when the run ended before the target's time was up.
    pub met: Option<bool>,
    /// What the run reached, e.g. "18 dead" or "no breach".
    pub actual: String,
}

/// A team with a capability a hazard needed that was available and untasked `IDLE_GRACE_S` after
/// the need began (the onset): a team already sent anywhere (pre-positioned, or busy) is not idle.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IdleTeam {
    pub team: String,
    pub agency: String,
    pub hazard: String,
    pub capability: Capability,
    pub needed_from_t: u64,
    /// When it was first tasked after the grace ran out (none: never).
    pub dispatched_t: Option<u64>,
    pub credit: f64,
    /// The hazard's onset and the team's first dispatch after it, if any.
    pub evidence: Vec<u64>,
}

/// Capabilities each hazard's model puts to work, and until when (the entry that ends the need).
fn needs(h: &Hazard) -> &'static [Capability] {
    match h {
        Hazard::Derailment(_) => &[Capability::Extrication, Capability::Triage, Capability::MedicalTransport],
        Hazard::LeveeBreach(_) => &[Capability::BreachClosure],
        _ => &[],
    }
}

/// Teams idle while a hazard needed their capability: per hazard with an onset, from the onset to
/// the site's clearance (derailment) or the breach's closure (levee), or the end of the run.
pub fn idle_teams(sc: &ValidScenario, entries: &[Entry]) -> Vec<IdleTeam> {
    let end_t = entries.iter().map(|e| e.t).max().unwrap_or(0);
    let mut onset: BTreeMap<&str, (u64, u64)> = BTreeMap::new();
    let mut ended: BTreeMap<&str, u64> = BTreeMap::new();
    let mut dispatches: BTreeMap<&str, Vec<(u64, u64, bool)>> = BTreeMap::new();
    for e in entries {
        match &e.event {
            Event::HazardOnset { hazard, .. } => {
                onset.entry(hazard).or_insert((e.t, e.seq));
            }
            Event::SiteCleared { hazard, .. } | Event::BreachClosed { hazard, .. } => {
                ended.entry(hazard).or_insert(e.t);
            }
            Event::TeamDispatched { team, task, .. } => {
                dispatches.entry(team).or_default().push((e.t, e.seq, task.is_some()))
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    let mut counted: BTreeSet<&str> = BTreeSet::new();
    for h in &sc.scenario.hazards {
        let Some(&(from, onset_seq)) = onset.get(h.id()) else { continue };
        let until = ended.get(h.id()).copied().unwrap_or(end_t);
        if until < from + IDLE_GRACE_S {
            continue;
        }
        for team in &sc.scenario.resources.teams {
            let Some(cap) = needs(h).iter().find(|c| team.capabilities.contains(c)) else { continue };
            let outside =
                sc.agency(&team.agency).is_some_and(|a| matches!(a.role, AgencyRole::Higher | AgencyRole::Neighbour));
            if outside || counted.contains(team.id.as_str()) {
                continue;
            }
            // Tasked (on its way or at work anywhere) when the grace after the demand ran out:
            // pre-positioned or busy elsewhere, not idle. Otherwise its first tasking after that.
            let d = dispatches.get(team.id.as_str()).map(Vec::as_slice).unwrap_or(&[]);
            let grace_end = from + IDLE_GRACE_S;
            let tasked_then = d.iter().rev().find(|x| x.0 <= grace_end).is_some_and(|x| x.2);
            if tasked_then {
                continue;
            }
            let first = d.iter().find(|x| x.0 > grace_end && x.2).map(|x| (x.0, x.1));
            let credit = if first.is_some() { 0.5 } else { 0.0 };
            let mut evidence = vec![onset_seq];
            evidence.extend(first.map(|(_, seq)| seq));
            counted.insert(&team.id);
            out.push(IdleTeam {
                team: team.id.clone(),
                agency: team.agency.clone(),
                hazard: h.id().to_string(),
                capability: *cap,
                needed_from_t: from,
                dispatched_t: first.map(|(t, _)| t),
                credit,
                evidence,
            });
        }
    }
    out
}

/// The improvement row for an idle team.
pub fn idle_improvement(i: &IdleTeam, time_of: impl Fn(u64) -> String) -> Improvement {
    let cap = crate::scenario::ron_name(&i.capability);
    let issue = match i.dispatched_t {
        Some(t) => format!(
            "{} ({cap}) was first sent at {}, more than an hour after {} began, while its work was needed",
            i.team,
            time_of(t),
            i.hazard
        ),
        None => format!("{} ({cap}) stayed idle while {} needed its work", i.team, i.hazard),
    };
    let issue_zh = match i.dispatched_t {
        Some(t) => format!("{} ({cap}) 在 {} 发生一小时后才于 {} 派出,期间急需其处置", i.team, i.hazard, time_of(t)),
        None => format!("{} ({cap}) 在 {} 急需其处置时始终闲置", i.team, i.hazard),
    };
    Improvement {
        kind: ImprovementKind::TeamIdle,
        issue_zh,
        corrective_action_zh: "建立全部队伍及其状态的资源看板,每次会商时分派空闲队伍".into(),
        subject: i.team.clone(),
        issue,
        corrective_action: "Keep a resource board of every team and its status; assign free teams at each briefing"
            .into(),
        element: Element::Organisation,
        agency: i.agency.clone(),
        evidence: i.evidence.clone(),
        ..Default::default()
    }
}

/// Fills each improvement row's evaluation item, finding aspect and timing from its kind.
pub fn classify(sc: &ValidScenario, rows: &mut [Improvement]) {
    let action_kind =
        |id: &str| sc.scenario.plan.levels.iter().flat_map(|l| &l.actions).find(|a| a.id == id).map(|a| a.action);
    let expected_kind = |inject: &str, agency: &str| {
        sc.scenario
            .injects
            .iter()
            .find(|j| j.id == inject)
            .and_then(|j| j.expected.iter().find(|x| x.agency == agency).or(j.expected.first()))
            .map(|x| x.action)
    };
    for r in rows {
        use ImprovementKind as K;
        r.area = match r.kind {
            K::PlanMissed | K::PlanLate | K::PlanWrongAgency => {
                action_kind(&r.subject).map_or(EvalArea::Mobilisation, EvalArea::of_action)
            }
            K::ExpectedMissed | K::ExpectedLate => {
                expected_kind(&r.subject, &r.agency).map_or(EvalArea::CommandAndCoordination, EvalArea::of_action)
            }
            K::ReportMissing
            | K::ReportLate
            | K::ReportFalse
            | K::ReportConcealed
            | K::OutletBypassed
            | K::ReportIncomplete
            | K::OperatorNotInformed => EvalArea::WarningAndReporting,
            K::LevelLate | K::LevelHeldBelow | K::LevelLowered => EvalArea::Mobilisation,
            K::TeamIdle => EvalArea::Resources,
            K::DuplicateDispatch | K::ConflictingOrders => EvalArea::CommandAndCoordination,
        };
        r.finding = match r.kind {
            K::PlanMissed | K::OperatorNotInformed => Finding::Plan,
            K::PlanWrongAgency | K::DuplicateDispatch => Finding::Organisation,
            K::PlanLate
            | K::ExpectedMissed
            | K::ExpectedLate
            | K::ReportFalse
            | K::ReportConcealed
            | K::ReportIncomplete
            | K::LevelLate => Finding::Personnel,
            K::LevelHeldBelow | K::LevelLowered => Finding::Plan,
            K::ReportMissing | K::ReportLate | K::OutletBypassed | K::ConflictingOrders => Finding::Mechanisms,
            K::TeamIdle => Finding::Support,
        };
        (r.start_within_days, r.complete_within_days) = match r.element {
            Element::Planning | Element::Organisation => (30, 90),
            Element::Training => (30, 180),
            Element::Equipment => (60, 365),
            Element::Exercise => (90, 365),
        };
    }
}

/// Every scored item's evaluation item, credit and status, gathered for `areas`.
fn items(plan: &PlanPart, reporting: &ReportingPart, coordination: &CoordinationPart) -> Vec<(EvalArea, f64, Status)> {
    let done = |ok: bool| if ok { Status::OnTime } else { Status::Missed };
    let mut v: Vec<(EvalArea, f64, Status)> = Vec::new();
    v.extend(plan.actions.iter().map(|a| (EvalArea::of_action(a.kind), a.credit, a.status)));
    v.extend(plan.expected.iter().map(|x| (EvalArea::of_action(x.kind), x.credit, x.status)));
    v.extend(plan.levels.iter().map(|l| (EvalArea::Mobilisation, l.credit, l.status)));
    v.extend(plan.lowerings.iter().filter(|l| !l.justified).map(|_| (EvalArea::Mobilisation, 0.0, Status::Missed)));
    v.extend(reporting.required.iter().map(|r| (EvalArea::WarningAndReporting, r.credit, r.status)));
    v.extend(reporting.sent.iter().map(|s| (EvalArea::WarningAndReporting, s.credit, done(s.credit >= 1.0))));
    v.extend(coordination.responses.iter().map(|r| {
        let st = match r.first_order_after_s {
            None => Status::Missed,
            Some(_) if r.credit < 1.0 => Status::Late,
            Some(_) => Status::OnTime,
        };
        (EvalArea::CommandAndCoordination, r.credit, st)
    }));
    v.extend(
        coordination
            .intakes
            .iter()
            .map(|i| (EvalArea::WarningAndReporting, if i.informed { 1.0 } else { 0.0 }, done(i.informed))),
    );
    v.extend(coordination.duplicate_dispatches.iter().map(|_| (EvalArea::CommandAndCoordination, 0.0, Status::Missed)));
    v.extend(coordination.conflicts.iter().map(|_| (EvalArea::CommandAndCoordination, 0.0, Status::Missed)));
    v.extend(coordination.idle_teams.iter().map(|i| {
        (EvalArea::Resources, i.credit, if i.dispatched_t.is_some() { Status::Late } else { Status::Missed })
    }));
    v.retain(|x| x.2 != Status::Pending);
    v
}

/// The AQ/T 9009 evaluation items that have anything to rate, in the standard's order.
pub fn areas(
    plan: &PlanPart,
    reporting: &ReportingPart,
    coordination: &CoordinationPart,
    improvements: &[Improvement],
) -> Vec<AreaResult> {
    let all = items(plan, reporting, coordination);
    EvalArea::ALL
        .iter()
        .filter_map(|&area| {
            let mine: Vec<&(EvalArea, f64, Status)> = all.iter().filter(|x| x.0 == area).collect();
            let rows: Vec<usize> =
                improvements.iter().enumerate().filter(|(_, r)| r.area == area).map(|(i, _)| i).collect();
            if mine.is_empty() && rows.is_empty() {
                return None;
            }
            let credits: Vec<f64> = mine.iter().map(|x| x.1).collect();
            Some(AreaResult {
                area,
                score: part(&credits),
                items: mine.len(),
                on_time: mine.iter().filter(|x| x.2 == Status::OnTime).count(),
                late: mine.iter().filter(|x| x.2 == Status::Late).count(),
                not_done: mine.iter().filter(|x| matches!(x.2, Status::Missed | Status::WrongAgency)).count(),
                improvements: rows,
            })
        })
        .collect()
}

/// What the run reached against one target, and the entries that show it.
fn check_target(t: &Target, o: &OutcomesPart, entries: &[Entry]) -> (TargetResult, Vec<u64>) {
    let target = crate::scenario::ron_name(t);
    let last_seq = |pred: &dyn Fn(&Event) -> bool| entries.iter().rev().find(|e| pred(&e.event)).map(|e| e.seq);
    let (met, actual, evidence) = match t {
        Target::MaxDeaths(n) => {
            let ev = last_seq(&|e| matches!(e, Event::FloodTotals { .. } | Event::Casualties { .. }));
            (Some(o.deaths <= *n), format!("{} dead", o.deaths), ev.into_iter().collect())
        }
        Target::MinLeftBeforeFlood(share) => {
            let ev = last_seq(&|e| matches!(e, Event::EvacuationTotals { .. }));
            if o.evacuation_ordered == 0 {
                (Some(false), "nobody was ordered to evacuate".to_string(), vec![])
            } else {
                let got = o.left_before_flood as f64 / o.evacuation_ordered as f64;
                (
                    Some(got >= *share),
                    format!(
                        "{} of {} left before the water ({:.0} %)",
                        o.left_before_flood,
                        o.evacuation_ordered,
                        100.0 * got
                    ),
                    ev.into_iter().collect(),
                )
            }
        }
        Target::BreachClosedWithin(d) => {
            let needed = |e: &Event| match e {
                Event::BreachWidened { hazard, .. } => Some(hazard.clone()),
                _ => None,
            };
            let done = |e: &Event| matches!(e, Event::BreachClosed { .. });
            within(d.secs(), &o.breach_closed_after_s, "breach", entries, needed, done)
        }
        Target::TrappedFreedWithin(d) => {
            let needed = |e: &Event| match e {
                Event::Extricated { hazard, .. } => Some(hazard.clone()),
                _ => None,
            };
            let done = |e: &Event| matches!(e, Event::Extricated { still_trapped: 0, .. });
            within(d.secs(), &o.trapped_freed_after_s, "trapped casualties", entries, needed, done)
        }
        Target::MaxUnsafeWater(n) => {
            let ev = last_seq(&|e| matches!(e, Event::WaterUnsafe { .. } | Event::IntakeProtected { .. }));
            (
                Some(o.water_unsafe_people <= *n),
                format!("{} people drew unsafe water", o.water_unsafe_people),
                ev.into_iter().collect(),
            )
        }
    };
    (TargetResult { target, met, actual }, evidence)
}

/// A "done within" target over the hazards `needed_by` names: met when every such hazard that began was
/// done within `limit` (vacuously met when none began).
fn within(
    limit: u64,
    done_after: &BTreeMap<String, u64>,
    what: &str,
    entries: &[Entry],
    needed_by: impl Fn(&Event) -> Option<String>,
    is_done: impl Fn(&Event) -> bool,
) -> (Option<bool>, String, Vec<u64>) {
    let evidence: Vec<u64> = entries.iter().filter(|e| is_done(&e.event)).map(|e| e.seq).collect();
    let began = entries.iter().any(|e| matches!(e.event, Event::HazardOnset { .. }));
    // The hazards that needed it (a breach that opened, a wreck with people trapped).
    let needed: BTreeSet<String> = entries.iter().filter_map(|e| needed_by(&e.event)).collect();
    if !began || needed.is_empty() {
        return (Some(true), format!("no {what}"), evidence);
    }
    let end_t = entries.iter().map(|e| e.t).max().unwrap_or(0);
    let onset = |h: &str| {
        entries.iter().find_map(|e| match &e.event {
            Event::HazardOnset { hazard, .. } if hazard == h => Some(e.t),
            _ => None,
        })
    };
    let mut worst: Option<u64> = None;
    for h in &needed {
        match done_after.get(h) {
            Some(&s) => worst = Some(worst.map_or(s, |w: u64| w.max(s))),
            None => {
                let ran = end_t.saturating_sub(onset(h).unwrap_or(0));
                let hs = crate::scenario::time::human_secs(ran as i64);
                if ran < limit {
                    return (None, format!("{what} not done yet when the run ended {hs} after the onset"), evidence);
                }
                return (Some(false), format!("{what} not done {hs} after the onset"), evidence);
            }
        }
    }
    let w = worst.unwrap_or(0);
    (Some(w <= limit), format!("done {} after the onset", crate::scenario::time::human_secs(w as i64)), evidence)
}

/// Rates the scenario's declared critical tasks (HSEEP): **P** every item on time and every
/// target met; **S** all done, some late, targets met; **M** something not done or a target
/// missed, but at least half of the items done; **U** less than half done, or every target
/// missed when there are no items. Items of levels that never triggered, reports no rule
/// required, and targets whose time was not up when the run ended do not count; a task with
/// nothing left to rate is `N/A`.
pub fn declared_tasks(
    sc: &ValidScenario,
    plan: &PlanPart,
    reporting: &ReportingPart,
    o: &OutcomesPart,
    entries: &[Entry],
) -> Vec<CriticalTask> {
    let mut out = Vec::new();
    for spec in &sc.scenario.critical_tasks {
        let mut statuses: Vec<Status> = Vec::new();
        let mut evidence: Vec<u64> = Vec::new();
        for a in plan.actions.iter().filter(|a| spec.actions.contains(&a.action)) {
            statuses.push(a.status);
            evidence.extend(&a.evidence);
        }
        for r in reporting.required.iter().filter(|r| spec.reports.contains(&r.rule)) {
            statuses.push(r.status);
            evidence.extend(&r.evidence);
        }
        for x in plan.expected.iter().filter(|x| spec.injects.contains(&x.inject)) {
            statuses.push(x.status);
            evidence.extend(&x.evidence);
        }
        let mut targets = Vec::new();
        for t in &spec.targets {
            let (r, ev) = check_target(t, o, entries);
            evidence.extend(ev);
            targets.push(r);
        }
        let on = statuses.iter().filter(|s| **s == Status::OnTime).count();
        let late = statuses.iter().filter(|s| **s == Status::Late).count();
        let not = statuses.iter().filter(|s| matches!(s, Status::Missed | Status::WrongAgency)).count();
        let total = on + late + not;
        let missed_targets = targets.iter().filter(|t| t.met == Some(false)).count();
        let decided = targets.iter().filter(|t| t.met.is_some()).count();
        let rating = if total == 0 && decided == 0 {
            "N/A"
        } else if (total > 0 && 2 * (on + late) < total) || (total == 0 && missed_targets == decided) {
            "U"
        } else if not > 0 || missed_targets > 0 {
            "M"
        } else if late > 0 {
            "S"
        } else {
            "P"
        };
        evidence.sort_unstable();
        evidence.dedup();
        out.push(CriticalTask {
            id: Some(spec.id.clone()),
            task: spec.name.clone(),
            area: Some(spec.area),
            rating: rating.into(),
            done_on_time: on,
            done_late: late,
            not_done: not,
            targets,
            evidence,
        });
    }
    out
}
