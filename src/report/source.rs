//! The report's only reader of `scoring::Score`: a few narrow functions that turn the score into
//! the plain facts the report model needs (parts, evaluation items, tasks, findings with their
//! detail, strengths, the reports that were due, outcome figures). A change of the score's shape
//! is met here and nowhere else in `report`.

use crate::scenario::types::{ActionKind, Capability, EvalArea, Figure, Level, ReportKind};
use crate::scoring::{Element, FigureVerdict, Finding, ImprovementKind, Score, Status};

/// How a timed item went, as the report tells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Done {
    OnTime,
    Late,
    NotDone,
    WrongAgency,
    /// Its time limit falls after the end of the run.
    Pending,
}

fn done(s: Status) -> Done {
    match s {
        Status::OnTime => Done::OnTime,
        Status::Late => Done::Late,
        Status::Missed => Done::NotDone,
        Status::WrongAgency => Done::WrongAgency,
        Status::Pending => Done::Pending,
    }
}

/// The overall score and its parts: (key, score, normalised weight).
pub fn parts(s: &Score) -> (f64, Vec<(&'static str, f64, f64)>) {
    let (p, w) = (&s.parts, &s.weights);
    (
        s.overall,
        vec![
            ("plan", p.plan, w.plan),
            ("reporting", p.reporting, w.reporting),
            ("coordination", p.coordination, w.coordination),
            ("outcomes", p.outcomes, w.outcomes),
        ],
    )
}

/// An AQ/T 9009 evaluation item with anything to rate.
pub struct AreaFacts {
    pub area: EvalArea,
    pub score: f64,
    pub on_time: usize,
    pub late: usize,
    pub not_done: usize,
}

pub fn areas(s: &Score) -> Vec<AreaFacts> {
    s.areas
        .iter()
        .map(|a| AreaFacts { area: a.area, score: a.score, on_time: a.on_time, late: a.late, not_done: a.not_done })
        .collect()
}

/// A rated critical task (declared by the scenario, or derived by the score).
pub struct TaskFacts {
    pub id: Option<String>,
    pub name: String,
    pub area: Option<EvalArea>,
    pub rating: String,
    /// Targets: (as written, met, what the run reached).
    pub targets: Vec<(String, Option<bool>, String)>,
    pub evidence: Vec<u64>,
}

pub fn tasks(s: &Score) -> Vec<TaskFacts> {
    s.critical_tasks
        .iter()
        .map(|c| TaskFacts {
            id: c.id.clone(),
            name: c.task.clone(),
            area: c.area,
            rating: c.rating.clone(),
            targets: c.targets.iter().map(|t| (t.target.clone(), t.met, t.actual.clone())).collect(),
            evidence: c.evidence.clone(),
        })
        .collect()
}

/// What a finding is about, with the facts its sentences need.
#[derive(Debug, Clone)]
pub enum Detail {
    PlanAction {
        action: String,
        level: Level,
        status: Done,
        late_s: Option<i64>,
        done_by: Option<String>,
        triggered_t: u64,
        deadline_s: u64,
    },
    Expected {
        inject: String,
        kind: ActionKind,
        within_s: u64,
        after_s: Option<u64>,
        status: Done,
    },
    Report {
        rule: String,
        kind: ReportKind,
        to: String,
        deadline_t: u64,
        sent_t: Option<u64>,
    },
    Figure {
        seq: u64,
        t: u64,
        kind: ReportKind,
        to: String,
        figure: String,
        reported: u32,
        truth: u32,
        over: bool,
    },
    Bypass {
        seq: u64,
        t: u64,
        to: String,
    },
    Duplicate {
        team: String,
        to: String,
    },
    Conflict {
        target: String,
        first_by: String,
        gap_s: u64,
    },
    Operator {
        intake: String,
        operator: String,
        threshold_t: u64,
    },
    Idle {
        team: String,
        hazard: String,
        capability: Capability,
        needed_from_t: u64,
        dispatched_t: Option<u64>,
    },
    /// A level declared late, or held below a level whose trigger fired.
    Level {
        level: Level,
        triggered_t: u64,
        allowance_s: u64,
        declared: Option<Level>,
        late_s: Option<i64>,
    },
    /// The declared level lowered while a higher level's trigger held.
    Lowered {
        t: u64,
        from: Level,
        to: Level,
    },
    /// A report without figures its rules require.
    Incomplete {
        t: u64,
        kind: ReportKind,
        to: String,
        missing: Vec<Figure>,
    },
    Other {
        subject: String,
    },
}

/// One row of the score's improvement plan, with its detail.
pub struct FindingFacts {
    pub kind: ImprovementKind,
    pub agency: String,
    pub evidence: Vec<u64>,
    pub area: EvalArea,
    pub aspect: Finding,
    pub element: Element,
    pub detail: Detail,
}

pub fn findings(s: &Score) -> Vec<FindingFacts> {
    s.improvement_plan
        .iter()
        .map(|r| {
            let seq = r.evidence.first().copied().unwrap_or(0);
            use ImprovementKind as K;
            let detail = match r.kind {
                K::PlanMissed | K::PlanLate | K::PlanWrongAgency => {
                    s.plan.actions.iter().find(|a| a.action == r.subject).map(|a| Detail::PlanAction {
                        action: a.action.clone(),
                        level: a.level,
                        status: done(a.status),
                        late_s: a.late_s,
                        done_by: a.done_by.clone(),
                        triggered_t: a.triggered_t,
                        deadline_s: a.deadline_s,
                    })
                }
                K::ExpectedMissed | K::ExpectedLate => {
                    s.plan.expected.iter().find(|x| x.inject == r.subject && x.agency == r.agency).map(|x| {
                        Detail::Expected {
                            inject: x.inject.clone(),
                            kind: x.kind,
                            within_s: x.within_s,
                            after_s: x.after_s,
                            status: done(x.status),
                        }
                    })
                }
                K::ReportMissing | K::ReportLate => s
                    .reporting
                    .required
                    .iter()
                    .filter(|q| q.rule == r.subject)
                    .find(|q| q.evidence.iter().any(|e| r.evidence.contains(e)))
                    .or_else(|| s.reporting.required.iter().find(|q| q.rule == r.subject))
                    .map(|q| Detail::Report {
                        rule: q.rule.clone(),
                        kind: q.kind,
                        to: q.to.clone(),
                        deadline_t: q.deadline_t,
                        sent_t: q.sent_t,
                    }),
                K::ReportFalse | K::ReportConcealed => {
                    let over = r.kind == K::ReportFalse;
                    s.reporting.sent.iter().find(|x| x.seq == seq).and_then(|x| {
                        let want = if over { FigureVerdict::False } else { FigureVerdict::Concealed };
                        x.figures.iter().find(|(_, c)| c.verdict == want).map(|(name, c)| Detail::Figure {
                            seq,
                            t: x.t,
                            kind: x.kind,
                            to: x.to.clone(),
                            figure: name.clone(),
                            reported: c.reported,
                            truth: c.truth,
                            over,
                        })
                    })
                }
                K::OutletBypassed => s.reporting.sent.iter().find(|x| x.seq == seq).map(|x| Detail::Bypass {
                    seq,
                    t: x.t,
                    to: x.to.clone(),
                }),
                K::DuplicateDispatch => s
                    .coordination
                    .duplicate_dispatches
                    .iter()
                    .find(|d| d.seq == seq)
                    .map(|d| Detail::Duplicate { team: d.team.clone(), to: d.to.clone() }),
                K::ConflictingOrders => {
                    s.coordination.conflicts.iter().find(|c| r.evidence.contains(&c.second_seq)).map(|c| {
                        Detail::Conflict { target: c.target.clone(), first_by: c.first_by.clone(), gap_s: c.gap_s }
                    })
                }
                K::OperatorNotInformed => {
                    s.coordination.intakes.iter().find(|i| i.intake == r.subject).map(|i| Detail::Operator {
                        intake: i.intake.clone(),
                        operator: i.operator.clone(),
                        threshold_t: i.threshold_t,
                    })
                }
                K::TeamIdle => s.coordination.idle_teams.iter().find(|i| i.team == r.subject).map(|i| Detail::Idle {
                    team: i.team.clone(),
                    hazard: i.hazard.clone(),
                    capability: i.capability,
                    needed_from_t: i.needed_from_t,
                    dispatched_t: i.dispatched_t,
                }),
                K::LevelLate | K::LevelHeldBelow => {
                    s.plan.levels.iter().find(|l| r.subject == format!("level {}", l.level.roman())).map(|l| {
                        Detail::Level {
                            level: l.level,
                            triggered_t: l.triggered_t,
                            allowance_s: l.allowance_s,
                            declared: l.declared,
                            late_s: l.late_s,
                        }
                    })
                }
                K::LevelLowered => s.plan.lowerings.iter().find(|l| l.seq == seq).map(|l| Detail::Lowered {
                    t: l.t,
                    from: l.from,
                    to: l.to,
                }),
                K::ReportIncomplete => s.reporting.sent.iter().find(|x| x.seq == seq).map(|x| Detail::Incomplete {
                    t: x.t,
                    kind: x.kind,
                    to: x.to.clone(),
                    missing: x.missing_figures.clone(),
                }),
            }
            .unwrap_or_else(|| Detail::Other { subject: r.subject.clone() });
            FindingFacts {
                kind: r.kind,
                agency: r.agency.clone(),
                evidence: r.evidence.clone(),
                area: r.area,
                aspect: r.finding,
                element: r.element,
                detail,
            }
        })
        .collect()
}

/// Something done on time: a plan action or an inject's expected action, a required report.
pub struct StrengthFacts {
    pub area: EvalArea,
    pub agency: String,
    /// Seconds to spare before the time limit.
    pub spare_s: u64,
    pub evidence: Vec<u64>,
    pub what: Strength,
}

pub enum Strength {
    PlanAction { action: String, level: Level },
    Expected { inject: String, kind: ActionKind },
    Report { rule: String, kind: ReportKind, to: String },
}

pub fn strengths(s: &Score) -> Vec<StrengthFacts> {
    let mut v = Vec::new();
    for a in s.plan.actions.iter().filter(|a| a.status == Status::OnTime) {
        v.push(StrengthFacts {
            area: EvalArea::of_action(a.kind),
            agency: a.owner.clone(),
            spare_s: a.late_s.map_or(0, |l| (-l).max(0) as u64),
            evidence: a.evidence.clone(),
            what: Strength::PlanAction { action: a.action.clone(), level: a.level },
        });
    }
    for x in s.plan.expected.iter().filter(|x| x.status == Status::OnTime) {
        v.push(StrengthFacts {
            area: EvalArea::of_action(x.kind),
            agency: x.agency.clone(),
            spare_s: x.within_s.saturating_sub(x.after_s.unwrap_or(0)),
            evidence: x.evidence.clone(),
            what: Strength::Expected { inject: x.inject.clone(), kind: x.kind },
        });
    }
    for q in s.reporting.required.iter().filter(|q| q.status == Status::OnTime) {
        v.push(StrengthFacts {
            area: EvalArea::WarningAndReporting,
            agency: q.by.clone(),
            spare_s: q.deadline_t.saturating_sub(q.sent_t.unwrap_or(q.deadline_t)),
            evidence: q.evidence.clone(),
            what: Strength::Report { rule: q.rule.clone(), kind: q.kind, to: q.to.clone() },
        });
    }
    v
}

/// A report a rule required, and how it went (迟报/漏报/谎报/瞒报 or on time).
pub struct DueReport {
    pub rule: String,
    pub kind: ReportKind,
    pub by: String,
    pub to: String,
    pub deadline_t: u64,
    pub sent_t: Option<u64>,
    pub status: Done,
    /// Figures of the report that fulfilled it, overstated (谎报) or understated (瞒报).
    pub overstated: bool,
    pub understated: bool,
    pub evidence: Vec<u64>,
}

pub fn due_reports(s: &Score) -> Vec<DueReport> {
    s.reporting
        .required
        .iter()
        .map(|q| {
            let sent = s.reporting.sent.iter().find(|x| q.evidence.contains(&x.seq));
            let has = |v: FigureVerdict| sent.is_some_and(|x| x.figures.values().any(|c| c.verdict == v));
            DueReport {
                rule: q.rule.clone(),
                kind: q.kind,
                by: q.by.clone(),
                to: q.to.clone(),
                deadline_t: q.deadline_t,
                sent_t: q.sent_t,
                status: done(q.status),
                overstated: has(FigureVerdict::False),
                understated: has(FigureVerdict::Concealed),
                evidence: q.evidence.clone(),
            }
        })
        .collect()
}

/// The outcome figures of the run (totals over the hazards, and per hazard where the score
/// keeps them).
pub struct OutcomeFacts {
    pub deaths: u32,
    pub flood_deaths: u32,
    pub derailment_dead: u32,
    pub dead_at_onset: u32,
    pub casualties_total: u32,
    pub worsened_before_care: u32,
    pub patients_admitted: u32,
    pub water_unsafe_people: u32,
    pub water_protected_people: u32,
    pub flood_exposed_peak: u64,
    pub flood_at_risk: u64,
    pub evacuation_ordered: u32,
    pub evacuation_left: u32,
    pub left_before_flood: u32,
    pub sheltered: u32,
    pub breach_closed_after_s: Vec<(String, u64)>,
    pub trapped_freed_after_s: Vec<(String, u64)>,
}

pub fn outcomes(s: &Score) -> OutcomeFacts {
    let o = &s.outcomes;
    OutcomeFacts {
        deaths: o.deaths,
        flood_deaths: o.flood_deaths,
        derailment_dead: o.derailment_dead,
        dead_at_onset: o.dead_at_onset,
        casualties_total: o.casualties_total,
        worsened_before_care: o.worsened_before_care,
        patients_admitted: o.patients_admitted,
        water_unsafe_people: o.water_unsafe_people,
        water_protected_people: o.water_protected_people,
        flood_exposed_peak: o.flood_exposed_peak,
        flood_at_risk: o.flood_at_risk,
        evacuation_ordered: o.evacuation_ordered,
        evacuation_left: o.evacuation_left,
        left_before_flood: o.left_before_flood,
        sheltered: o.sheltered,
        breach_closed_after_s: o.breach_closed_after_s.iter().map(|(k, v)| (k.clone(), *v)).collect(),
        trapped_freed_after_s: o.trapped_freed_after_s.iter().map(|(k, v)| (k.clone(), *v)).collect(),
    }
}

/// Counts behind the parts, for saying why a score is what it is.
pub struct Counts {
    pub plan_items: usize,
    pub plan_not_done: usize,
    pub plan_late: usize,
    pub reports_due: usize,
    pub reports_missing: usize,
    pub reports_late: usize,
    pub responses: usize,
    pub responses_none: usize,
}

pub fn counts(s: &Score) -> Counts {
    let st = |x: Status| done(x);
    let plan: Vec<Done> =
        s.plan.actions.iter().map(|a| st(a.status)).chain(s.plan.expected.iter().map(|x| st(x.status))).collect();
    let rep: Vec<Done> = s.reporting.required.iter().map(|q| st(q.status)).collect();
    let nd = |v: &[Done]| v.iter().filter(|d| matches!(d, Done::NotDone | Done::WrongAgency)).count();
    let late = |v: &[Done]| v.iter().filter(|d| **d == Done::Late).count();
    Counts {
        plan_items: plan.iter().filter(|d| **d != Done::Pending).count(),
        plan_not_done: nd(&plan),
        plan_late: late(&plan),
        reports_due: rep.iter().filter(|d| **d != Done::Pending).count(),
        reports_missing: nd(&rep),
        reports_late: late(&rep),
        responses: s.coordination.responses.len(),
        responses_none: s.coordination.responses.iter().filter(|r| r.first_order_after_s.is_none()).count(),
    }
}
