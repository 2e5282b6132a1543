//! Scoring and the after-action report (issue 6): a pure function of the scenario and the
//! journal (`OUT/score.json`); it never reads the ECS world, so `drillsim score` recomputes
//! exactly what `drillsim run` wrote.
//!
//! # Formula
//!
//! Every check is an *item* with a credit in 0..=1:
//!
//! - **on time** (plan action, expected action, required report): 1;
//! - **late** by `late_s` against an allowance `a` (the action's deadline, the expected action's
//!   `within`, the rule's deadline; at least 10 min): `0.25 + 0.5 · max(0, 1 − late_s / a)`,
//!   so between 0.25 and 0.75;
//! - **missed**, **done by the wrong agency** (not counted as done), **missing report**: 0;
//! - **pending** (not done, its time limit falls after the run's last entry): not scored;
//! - "after" means later in the journal (a higher `seq`), so an order in the same step but before
//!   an inject does not answer it;
//! - each **report sent**: 1, minus 1 if a figure is false (over the truth by more than
//!   `reporting.tolerance`, default 0.1) or concealed (under it by more), minus 0.5 if it goes to a
//!   `higher` agency from anyone but `reporting.outlet` (bypass); floored at 0;
//! - coordination: each recipient of an inject (not `higher`/`neighbour`/control) with a first
//!   accepted order within 30 min: 1, later: 0.5, never: 0; each intake whose operator was informed
//!   before the first threshold crossing: 1, else 0; each duplicate dispatch (a team sent again
//!   to the same place and task while there or on its way — unless that order carried out a plan
//!   action, i.e. the plan asked for it) and each conflicting pair of orders: 0.
//!
//! A part's score is `100 · Σ credit / n` (100 when it has no items):
//! **plan** = plan actions of triggered levels + expected actions of delivered injects;
//! **reporting** = required reports + reports sent; **coordination** as above;
//! **outcomes** = `100 ·` the mean of one credit per harm the response can change
//! (`outcome_credits`; 100 when nothing was at risk): flood `1 − exposed_peak / at_risk` (people
//! still at wet places at the worst moment over the residents of every place the water reached —
//! nobody evacuated gives about 0); derailment `1 − (dead − dead_at_onset) / (casualties −
//! dead_at_onset)` (the crash's survivors who died waiting); water `protected / (protected +
//! unsafe)` (people on threatened intakes who drew safe water); gas `1 − harmed / harmed without
//! a response` (`gas_protection_credit`, issue 18: shelter in place and evacuation credited
//! against the dose model's no-response shadow).
//! An **agency**'s score is `100 · mean credit` over its plan actions, expected actions, required
//! reports and reports sent. **Overall** = Σ wᵢ·partᵢ / Σ wᵢ with `scenario.scoring` weights.
//!
//! Critical tasks (HSEEP P/S/M/U): one per triggered plan level (its actions) and one for
//! information reporting (the required reports): P all on time; S all done, some late; M at least
//! half done; U less than half. Each rating lists its evidence as journal `seq` numbers.

pub mod doctrine;
pub mod report;

pub use doctrine::{AreaResult, IdleTeam, TargetResult};

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::journal::{Entry, Event};
use crate::scenario::ValidScenario;
use crate::scenario::types::{ActionKind, AgencyRole, DeadlineFrom, EvalArea, Grade, Level, OrderKind, ReportKind};

/// Two orders on the same road, intake or shelter that undo each other within this time, by
/// different agencies, conflict.
pub const CONFLICT_WINDOW_S: u64 = 3600;
/// A recipient's first order within this time after an inject counts as a prompt response.
pub const PROMPT_RESPONSE_S: u64 = 1800;
/// The least allowance used for lateness credit (for "zero time" rules).
pub const MIN_ALLOWANCE_S: u64 = 600;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Score {
    pub scenario: String,
    pub scenario_sha256: String,
    pub seed: u64,
    /// 0–100, weighted by `scenario.scoring` (normalised).
    pub overall: f64,
    pub weights: Weights,
    pub parts: Parts,
    /// Agency id → 0–100 over its own items.
    pub agencies: BTreeMap<String, f64>,
    pub plan: PlanPart,
    pub reporting: ReportingPart,
    pub coordination: CoordinationPart,
    pub outcomes: OutcomesPart,
    pub critical_tasks: Vec<CriticalTask>,
    /// The AQ/T 9009 evaluation items with anything to rate.
    pub areas: Vec<AreaResult>,
    pub improvement_plan: Vec<Improvement>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Weights {
    pub plan: f64,
    pub reporting: f64,
    pub coordination: f64,
    pub outcomes: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Parts {
    pub plan: f64,
    pub reporting: f64,
    pub coordination: f64,
    pub outcomes: f64,
}

/// How a timed item went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    OnTime,
    Late,
    Missed,
    WrongAgency,
    /// Not done, but its time limit is after the end of the run: not scored.
    Pending,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanPart {
    pub score: f64,
    pub actions: Vec<PlanActionResult>,
    pub expected: Vec<ExpectedResult>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanActionResult {
    pub action: String,
    pub level: Level,
    pub owner: String,
    pub kind: ActionKind,
    pub triggered_t: u64,
    pub deadline_s: u64,
    pub status: Status,
    /// Seconds past the deadline (done late), or before it (negative).
    pub late_s: Option<i64>,
    /// Who did it when another agency than the owner did.
    pub done_by: Option<String>,
    pub credit: f64,
    pub evidence: Vec<u64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExpectedResult {
    pub inject: String,
    pub agency: String,
    pub kind: ActionKind,
    pub delivered_t: u64,
    pub within_s: u64,
    pub status: Status,
    /// Seconds from delivery to the matching order.
    pub after_s: Option<u64>,
    pub late_s: Option<i64>,
    pub credit: f64,
    pub evidence: Vec<u64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportingPart {
    pub score: f64,
    /// Decree 493 art. 3 grade from the run's deaths and seriously injured (none: no incident).
    pub grade: Option<Grade>,
    pub deaths: u32,
    pub seriously_injured: u32,
    pub required: Vec<RequiredReport>,
    pub sent: Vec<SentReport>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RequiredReport {
    pub rule: String,
    /// 0 for the first report a rule requires, 1, 2, … for its repeats (`repeat`).
    pub instance: u32,
    pub kind: ReportKind,
    pub by: String,
    pub to: String,
    pub from: DeadlineFrom,
    pub start_t: u64,
    pub deadline_t: u64,
    pub status: Status,
    pub sent_t: Option<u64>,
    pub late_s: Option<i64>,
    pub credit: f64,
    pub evidence: Vec<u64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SentReport {
    pub seq: u64,
    pub t: u64,
    pub by: String,
    pub to: String,
    pub kind: ReportKind,
    /// Figure name → check.
    pub figures: BTreeMap<String, FigureCheck>,
    /// To a `higher` agency by someone other than the one information outlet.
    pub bypasses_outlet: bool,
    pub credit: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FigureCheck {
    pub reported: u32,
    pub truth: u32,
    /// "accurate", "false" (overstated) or "concealed" (understated).
    pub verdict: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CoordinationPart {
    pub score: f64,
    pub duplicate_dispatches: Vec<DuplicateDispatch>,
    pub conflicts: Vec<Conflict>,
    pub responses: Vec<Response>,
    pub intakes: Vec<IntakeInformed>,
    /// Teams left idle while a hazard needed their capability.
    pub idle_teams: Vec<IdleTeam>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DuplicateDispatch {
    pub seq: u64,
    pub by: String,
    pub team: String,
    pub to: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Conflict {
    /// The road, intake or shelter.
    pub target: String,
    pub first_seq: u64,
    pub first_by: String,
    pub second_seq: u64,
    pub second_by: String,
    pub gap_s: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Response {
    pub inject: String,
    pub agency: String,
    pub delivered_t: u64,
    /// Seconds to the recipient's first accepted order (none: it never gave one).
    pub first_order_after_s: Option<u64>,
    pub credit: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IntakeInformed {
    pub intake: String,
    pub operator: String,
    pub threshold_t: u64,
    pub informed: bool,
    pub evidence: Vec<u64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutcomesPart {
    pub score: f64,
    pub deaths: u32,
    pub flood_deaths: u32,
    pub derailment_dead: u32,
    pub casualties_total: u32,
    pub patients_admitted: u32,
    pub water_unsafe_people: u32,
    pub water_protected_people: u32,
    pub flood_exposed_peak: u64,
    /// Residents of the places the water reached (what the flood put at risk).
    pub flood_at_risk: u64,
    /// Hazard id → seconds from its onset to its breach's closure.
    pub breach_closed_after_s: BTreeMap<String, u64>,
    /// Derailment dead at the moment of the crash (nobody could have saved them).
    pub dead_at_onset: u32,
    /// Casualties whose category worsened before care stopped it (yellow → red, red → black):
    /// the injured not treated in time.
    pub worsened_before_care: u32,
    /// Hazard id → seconds from its onset until nobody was trapped any more.
    pub trapped_freed_after_s: BTreeMap<String, u64>,
    /// People ordered to evacuate (including those who refused), who left, who left before their
    /// place flooded, and who reached a shelter (the evacuee model's totals at the end).
    pub evacuation_ordered: u32,
    pub evacuation_left: u32,
    pub left_before_flood: u32,
    pub sheltered: u32,
    // ---- issue 18 (gas dose model), additive: people a gas harmed, and how many the
    // no-response shadow harmed (`gas_totals`); see `gas_protection_credit`.
    #[serde(default)]
    pub gas_harmed: u32,
    #[serde(default)]
    pub gas_harmed_no_response: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CriticalTask {
    /// The scenario's id for a declared task (none: derived from the plan and the rules).
    pub id: Option<String>,
    pub task: String,
    /// The evaluation item it belongs to, when it has one.
    pub area: Option<EvalArea>,
    /// P, S, M or U.
    pub rating: String,
    pub done_on_time: usize,
    pub done_late: usize,
    pub not_done: usize,
    /// Outcome targets of a declared task, met or not.
    pub targets: Vec<TargetResult>,
    pub evidence: Vec<u64>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Improvement {
    /// Machine-readable kind: plan_missed, plan_late, plan_wrong_agency, expected_missed,
    /// expected_late, report_missing, report_late, report_false, report_concealed,
    /// outlet_bypassed, duplicate_dispatch, conflicting_orders, operator_not_informed.
    pub kind: String,
    /// What it is about (an action, inject, rule, report seq, team, road…).
    pub subject: String,
    pub issue: String,
    pub corrective_action: String,
    /// The same two in Chinese, for the report in Chinese.
    pub issue_zh: String,
    pub corrective_action_zh: String,
    /// planning, organisation, equipment, training or exercise.
    pub element: String,
    pub agency: String,
    pub evidence: Vec<u64>,
    /// The AQ/T 9009 evaluation item it falls under.
    pub area: EvalArea,
    /// The aspect of the findings (预案 plan, 组织 organisation, 人员 personnel, 机制 mechanisms,
    /// 保障 support).
    pub finding: String,
    /// Suggested start and completion, in days after the exercise (by capability element).
    pub start_within_days: u32,
    pub complete_within_days: u32,
}

/// Credit of a timed item done `late_s` past its allowance `allow_s`.
pub fn timed_credit(late_s: i64, allow_s: u64) -> f64 {
    if late_s <= 0 {
        return 1.0;
    }
    let a = allow_s.max(MIN_ALLOWANCE_S) as f64;
    0.25 + 0.5 * (1.0 - late_s as f64 / a).max(0.0)
}

/// The grade by Decree 493 art. 3 ("at least" includes the bound).
pub fn grade(deaths: u32, seriously_injured: u32) -> Grade {
    if deaths >= 30 || seriously_injured >= 100 {
        Grade::ExtremelySerious
    } else if deaths >= 10 || seriously_injured >= 50 {
        Grade::Serious
    } else if deaths >= 3 || seriously_injured >= 10 {
        Grade::Larger
    } else {
        Grade::Ordinary
    }
}

fn part(credits: &[f64]) -> f64 {
    if credits.is_empty() { 100.0 } else { round2(100.0 * credits.iter().sum::<f64>() / credits.len() as f64) }
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// "1h10m" style, signed.
fn hm(secs: i64) -> String {
    crate::scenario::time::human_secs(secs)
}

/// The truth at each point of the journal: dead and injured so far.
#[derive(Default)]
struct Truth {
    casualties: BTreeMap<String, [u32; 4]>,
    flood_deaths: u32,
    peak_red: u32,
}

impl Truth {
    fn apply(&mut self, ev: &Event) {
        match ev {
            Event::Casualties { hazard, green, yellow, red, black } => {
                self.casualties.insert(hazard.clone(), [*green, *yellow, *red, *black]);
                self.peak_red = self.peak_red.max(self.red());
            }
            Event::FloodDeaths { deaths, .. } => self.flood_deaths += deaths,
            // the milestones lag the model; the totals written at the end are exact
            Event::FloodTotals { deaths, .. } => self.flood_deaths = self.flood_deaths.max(*deaths),
            _ => {}
        }
    }
    fn red(&self) -> u32 {
        self.casualties.values().map(|c| c[2]).sum()
    }
    fn black(&self) -> u32 {
        self.casualties.values().map(|c| c[3]).sum()
    }
    fn dead(&self) -> u32 {
        self.black() + self.flood_deaths
    }
    /// Living injured: yellow and red (green are the walking wounded, not counted as injured).
    fn injured(&self) -> u32 {
        self.casualties.values().map(|c| c[1] + c[2]).sum()
    }
}

fn check_figure(reported: u32, truth: u32, tol: f64) -> FigureCheck {
    let r = reported as f64;
    let t = truth as f64;
    let verdict = if r > t * (1.0 + tol) {
        "false"
    } else if r < t * (1.0 - tol) {
        "concealed"
    } else {
        "accurate"
    };
    FigureCheck { reported, truth, verdict: verdict.to_string() }
}

#[allow(clippy::too_many_lines)]
/// Scores a run from its scenario and journal.
pub fn score(scenario: &ValidScenario, entries: &[Entry]) -> Score {
    let sc = &scenario.scenario;
    let role = |id: &str| scenario.agency(id).map(|a| a.role);
    let mut seed = 0;
    let mut improvements: Vec<Improvement> = Vec::new();
    let mut agency_credits: BTreeMap<String, Vec<f64>> = BTreeMap::new();

    // ---- one pass for first times and the truth
    let mut triggered: BTreeMap<Level, (u64, u64)> = BTreeMap::new();
    let mut delivered: BTreeMap<String, (u64, u64, Vec<String>)> = BTreeMap::new();
    let mut onset: Option<(u64, u64)> = None;
    let mut hazard_onset: BTreeMap<String, u64> = BTreeMap::new();
    let mut first_notified: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    let mut truth = Truth::default();
    let mut sent: Vec<SentReport> = Vec::new();
    let tol = sc.reporting.tolerance.unwrap_or(0.1);
    let end_t = entries.iter().map(|e| e.t).max().unwrap_or(0);
    for e in entries {
        truth.apply(&e.event);
        match &e.event {
            Event::RunStarted { seed: s, .. } => seed = *s,
            Event::PlanTriggered { level, .. } => {
                triggered.entry(*level).or_insert((e.t, e.seq));
            }
            Event::InjectDelivered { inject, to, .. } => {
                delivered.entry(inject.clone()).or_insert((e.t, e.seq, to.clone()));
                for a in to {
                    first_notified.entry(a.clone()).or_insert((e.t, e.seq));
                }
            }
            Event::HazardOnset { hazard, .. } => {
                onset.get_or_insert((e.t, e.seq));
                hazard_onset.entry(hazard.clone()).or_insert(e.t);
            }
            Event::ReportSent { by, to, report, figures } => {
                let mut checks = BTreeMap::new();
                if let Some(d) = figures.dead {
                    checks.insert("dead".to_string(), check_figure(d, truth.dead(), tol));
                }
                // Injuries are modelled only by hazards with START casualties.
                if let Some(i) = figures.injured
                    && !truth.casualties.is_empty()
                {
                    checks.insert("injured".to_string(), check_figure(i, truth.injured(), tol));
                }
                let bypass =
                    role(to) == Some(AgencyRole::Higher) && sc.reporting.outlet.as_deref().is_some_and(|o| o != by);
                let bad = checks.values().any(|c| c.verdict != "accurate");
                let credit: f64 = (1.0_f64 - if bad { 1.0 } else { 0.0 } - if bypass { 0.5 } else { 0.0 }).max(0.0);
                for (name, c) in &checks {
                    if c.verdict != "accurate" {
                        let (kind, what) = if c.verdict == "false" {
                            ("report_false", "overstated (false report, 谎报)")
                        } else {
                            ("report_concealed", "understated (concealed, 瞒报)")
                        };
                        improvements.push(Improvement {
                            kind: kind.into(),
                            subject: format!("seq {}", e.seq),
                            issue: format!(
                                "{by}'s {} report to {to} at {} gave {name} {} against a true {}: {what}",
                                report_name(*report),
                                e.time,
                                c.reported,
                                c.truth
                            ),
                            corrective_action: "Check figures against the site's latest count before sending; report what is known and mark estimates".into(),
                            element: "organisation".into(),
                            agency: by.clone(),
                            evidence: vec![e.seq],
                            issue_zh: format!(
                                "{by} 于 {} 向 {to} 的{}报告中{}为 {},实际为 {}:{}",
                                e.time,
                                report_name_zh(*report),
                                if name == "dead" { "死亡人数" } else { "受伤人数" },
                                c.reported,
                                c.truth,
                                if c.verdict == "false" { "多报(谎报)" } else { "少报(瞒报)" }
                            ),
                            corrective_action_zh: "报送前与现场最新统计核对;先报已掌握的情况,估计数注明为估计".into(),
                            ..Default::default()
                        });
                    }
                }
                if bypass {
                    improvements.push(Improvement {
                        kind: "outlet_bypassed".into(),
                        subject: format!("seq {}", e.seq),
                        issue: format!("{by} reported directly to {to}, bypassing the one information outlet"),
                        corrective_action: format!(
                            "Report to {} first; only the outlet reports upward",
                            sc.reporting.outlet.as_deref().unwrap_or("the outlet")
                        ),
                        element: "organisation".into(),
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
                agency_credits.entry(by.clone()).or_default().push(credit);
                sent.push(SentReport {
                    seq: e.seq,
                    t: e.t,
                    by: by.clone(),
                    to: to.clone(),
                    kind: *report,
                    figures: checks,
                    bypasses_outlet: bypass,
                    credit,
                });
            }
            _ => {}
        }
    }

    // ---- plan actions
    let mut actions = Vec::new();
    for lvl in &sc.plan.levels {
        let Some(&(tt, tseq)) = triggered.get(&lvl.level) else { continue };
        for a in &lvl.actions {
            let done: Vec<(&Entry, &String, bool, i64)> = entries
                .iter()
                .filter_map(|e| match &e.event {
                    Event::PlanActionDone { action, by, by_owner, late_s, .. } if *action == a.id => {
                        Some((e, by, *by_owner, *late_s))
                    }
                    _ => None,
                })
                .collect();
            let mut evidence = vec![tseq];
            let by_owner = done.iter().find(|d| d.2);
            let (status, late_s, done_by, credit) = match by_owner {
                Some((e, _, _, late)) => {
                    evidence.push(e.seq);
                    let st = if *late <= 0 { Status::OnTime } else { Status::Late };
                    (st, Some(*late), None, timed_credit(*late, a.deadline.secs()))
                }
                None => match done.first() {
                    Some((e, by, _, late)) => {
                        evidence.push(e.seq);
                        (Status::WrongAgency, Some(*late), Some((*by).clone()), 0.0)
                    }
                    None if tt + a.deadline.secs() > end_t => (Status::Pending, None, None, 0.0),
                    None => (Status::Missed, None, None, 0.0),
                },
            };
            let desc = if a.description.is_empty() { a.id.clone() } else { a.description.clone() };
            match status {
                Status::Late => improvements.push(Improvement {
                    kind: "plan_late".into(),
                    subject: a.id.clone(),
                    issue: format!(
                        "Plan action {} ({desc}) of level {} done {} late",
                        a.id,
                        lvl.level.roman(),
                        hm(late_s.unwrap_or(0))
                    ),
                    corrective_action:
                        "Drill the level's start-up checklist so that the action is ordered within its time limit"
                            .into(),
                    element: "training".into(),
                    agency: a.owner.clone(),
                    evidence: evidence.clone(),
                    issue_zh: format!(
                        "{} 级响应预案行动 {}({desc})迟 {} 完成",
                        lvl.level.roman(),
                        a.id,
                        hm(late_s.unwrap_or(0))
                    ),
                    corrective_action_zh: "演练本级响应启动清单,确保在时限内下达该行动".into(),
                    ..Default::default()
                }),
                Status::Missed => improvements.push(Improvement {
                    kind: "plan_missed".into(),
                    subject: a.id.clone(),
                    issue: format!("Plan action {} ({desc}) of level {} was not done", a.id, lvl.level.roman()),
                    corrective_action: "Make the action explicit in the owner's department plan and duty checklist"
                        .into(),
                    element: "planning".into(),
                    agency: a.owner.clone(),
                    evidence: evidence.clone(),
                    issue_zh: format!("{} 级响应预案行动 {}({desc})未完成", lvl.level.roman(), a.id),
                    corrective_action_zh: "在责任单位的部门预案和值班清单中明确该行动".into(),
                    ..Default::default()
                }),
                Status::WrongAgency => improvements.push(Improvement {
                    kind: "plan_wrong_agency".into(),
                    subject: a.id.clone(),
                    issue: format!(
                        "Plan action {} ({desc}) was done by {} instead of its owner {}",
                        a.id,
                        done_by.as_deref().unwrap_or("?"),
                        a.owner
                    ),
                    corrective_action: "Clarify responsibilities: the owning agency acts, others support on request"
                        .into(),
                    element: "organisation".into(),
                    agency: a.owner.clone(),
                    evidence: evidence.clone(),
                    issue_zh: format!(
                        "预案行动 {}({desc})由 {} 完成,而非责任单位 {}",
                        a.id,
                        done_by.as_deref().unwrap_or("?"),
                        a.owner
                    ),
                    corrective_action_zh: "明确职责:责任单位负责实施,其他单位按请求配合".into(),
                    ..Default::default()
                }),
                Status::OnTime | Status::Pending => {}
            }
            if status != Status::Pending {
                agency_credits.entry(a.owner.clone()).or_default().push(credit);
            }
            actions.push(PlanActionResult {
                action: a.id.clone(),
                level: lvl.level,
                owner: a.owner.clone(),
                kind: a.action,
                triggered_t: tt,
                deadline_s: a.deadline.secs(),
                status,
                late_s,
                done_by,
                credit,
                evidence,
            });
        }
    }

    // ---- expected actions of injects
    let accepted: Vec<(&Entry, &String, &OrderKind)> = entries
        .iter()
        .filter_map(|e| match &e.event {
            Event::OrderAccepted { by, order } => Some((e, by, order)),
            _ => None,
        })
        .collect();
    let mut expected = Vec::new();
    for inj in &sc.injects {
        let Some((dt, dseq, _)) = delivered.get(&inj.id) else { continue };
        for x in &inj.expected {
            let hit = accepted.iter().find(|(e, by, o)| {
                e.seq > *dseq
                    && **by == x.agency
                    && o.action_kind() == Some(x.action)
                    && match o {
                        // Acknowledging means acknowledging this inject.
                        OrderKind::Acknowledge(i) => *i == inj.id,
                        _ => true,
                    }
            });
            let within = x.within.secs();
            let mut evidence = vec![*dseq];
            let (status, after_s, late_s, credit) = match hit {
                Some((e, _, _)) => {
                    evidence.push(e.seq);
                    let after = e.t.saturating_sub(*dt);
                    let late = after as i64 - within as i64;
                    let st = if late <= 0 { Status::OnTime } else { Status::Late };
                    (st, Some(after), Some(late), timed_credit(late, within))
                }
                None if dt + within > end_t => (Status::Pending, None, None, 0.0),
                None => (Status::Missed, None, None, 0.0),
            };
            let what = x.action.name();
            match status {
                Status::Late => improvements.push(Improvement {
                    kind: "expected_late".into(),
                    subject: inj.id.clone(),
                    issue: format!(
                        "After inject {} {} did {what} {} later than expected (within {})",
                        inj.id,
                        x.agency,
                        hm(late_s.unwrap_or(0)),
                        x.within
                    ),
                    corrective_action: "Practise the response to this kind of message; shorten the decision path"
                        .into(),
                    element: "training".into(),
                    agency: x.agency.clone(),
                    evidence: evidence.clone(),
                    issue_zh: format!(
                        "收到注入 {} 后 {} 的 {what} 比预期晚 {}(应在 {} 内)",
                        inj.id,
                        x.agency,
                        hm(late_s.unwrap_or(0)),
                        x.within
                    ),
                    corrective_action_zh: "针对此类信息开展专项训练,缩短决策链条".into(),
                    ..Default::default()
                }),
                Status::Missed => improvements.push(Improvement {
                    kind: "expected_missed".into(),
                    subject: inj.id.clone(),
                    issue: format!(
                        "After inject {} {} never did {what} (expected within {})",
                        inj.id, x.agency, x.within
                    ),
                    corrective_action: "Add the expected response to the agency's procedures and brief the duty staff"
                        .into(),
                    element: "planning".into(),
                    agency: x.agency.clone(),
                    evidence: evidence.clone(),
                    issue_zh: format!("收到注入 {} 后 {} 始终未做 {what}(应在 {} 内)", inj.id, x.agency, x.within),
                    corrective_action_zh: "把预期的处置写入该单位的工作程序,并向值班人员交底".into(),
                    ..Default::default()
                }),
                _ => {}
            }
            if status != Status::Pending {
                agency_credits.entry(x.agency.clone()).or_default().push(credit);
            }
            expected.push(ExpectedResult {
                inject: inj.id.clone(),
                agency: x.agency.clone(),
                kind: x.action,
                delivered_t: *dt,
                within_s: within,
                status,
                after_s,
                late_s,
                credit,
                evidence,
            });
        }
    }
    let plan_credits: Vec<f64> = actions
        .iter()
        .filter(|a| a.status != Status::Pending)
        .map(|a| a.credit)
        .chain(expected.iter().filter(|x| x.status != Status::Pending).map(|x| x.credit))
        .collect();
    let plan = PlanPart { score: part(&plan_credits), actions, expected };

    // ---- reporting
    let deaths = truth.dead();
    let seriously_injured = truth.peak_red;
    let incident_grade = onset.map(|_| grade(deaths, seriously_injured));
    let mut required = Vec::new();
    for r in &sc.reporting.rules {
        if let Some(min) = r.min_grade
            && incident_grade.is_none_or(|g| g < min)
        {
            continue;
        }
        let start = match r.from {
            DeadlineFrom::Incident => onset,
            DeadlineFrom::Notification => first_notified.get(&r.by).copied(),
        };
        let Some((start_t, start_seq)) = start else { continue };
        // The first report is due `deadline` after the start; with `repeat`, one more every
        // `repeat` after that while the run lasts, each met by a report after the previous one.
        let repeat = r.repeat.map(|d| d.secs()).filter(|&d| d > 0);
        let mut after_seq = start_seq;
        let mut instance: u32 = 0;
        loop {
            let limit = if instance == 0 { r.deadline } else { r.repeat.unwrap_or(r.deadline) };
            let deadline_t = start_t + r.deadline.secs() + u64::from(instance) * repeat.unwrap_or(0);
            let hit = sent.iter().find(|s| s.by == r.by && s.to == r.to && s.kind == r.kind && s.seq > after_seq);
            let mut evidence = vec![start_seq];
            let (status, sent_t, late_s, credit) = match hit {
                Some(s) => {
                    evidence.push(s.seq);
                    let late = s.t as i64 - deadline_t as i64;
                    let st = if late <= 0 { Status::OnTime } else { Status::Late };
                    (st, Some(s.t), Some(late), timed_credit(late, limit.secs()))
                }
                None if deadline_t > end_t => (Status::Pending, None, None, 0.0),
                None => (Status::Missed, None, None, 0.0),
            };
            match status {
            Status::Late => improvements.push(Improvement {
                kind: "report_late".into(),
                subject: r.id.clone(),
                issue: format!(
                    "{} report by {} to {} (rule {}, within {}) was {} late",
                    report_name(r.kind),
                    r.by,
                    r.to,
                    r.id,
                    limit,
                    hm(late_s.unwrap_or(0))
                ),
                corrective_action: "Report what is known first by phone/SMS; use a report template so the written report is not held up".into(),
                element: "training".into(),
                agency: r.by.clone(),
                evidence: evidence.clone(),
                issue_zh: format!(
                    "{} 向 {} 的{}报告(规则 {},时限 {})迟报 {}",
                    r.by,
                    r.to,
                    report_name_zh(r.kind),
                    r.id,
                    limit,
                    hm(late_s.unwrap_or(0))
                ),
                corrective_action_zh: "先以电话或短信报告已掌握的情况;使用报告模板,避免书面报告延误".into(),
                ..Default::default()
            }),
            Status::Missed => improvements.push(Improvement {
                kind: "report_missing".into(),
                subject: r.id.clone(),
                issue: format!(
                    "{} report by {} to {} (rule {}, within {}) was never sent",
                    report_name(r.kind),
                    r.by,
                    r.to,
                    r.id,
                    r.deadline
                ),
                corrective_action: "Put the reporting rules and time limits on the duty desk checklist with a timer".into(),
                element: "planning".into(),
                agency: r.by.clone(),
                evidence: evidence.clone(),
                issue_zh: format!(
                    "{} 向 {} 的{}报告(规则 {},时限 {})未报送(漏报)",
                    r.by,
                    r.to,
                    report_name_zh(r.kind),
                    r.id,
                    r.deadline
                ),
                corrective_action_zh: "将报告规则和时限列入值班台清单并设置计时提醒".into(),
                ..Default::default()
            }),
            _ => {}
        }
            if status != Status::Pending {
                agency_credits.entry(r.by.clone()).or_default().push(credit);
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
            match (hit, repeat) {
                (Some(s), Some(rp)) if start_t + r.deadline.secs() + u64::from(instance + 1) * rp <= end_t => {
                    after_seq = s.seq;
                    instance += 1;
                }
                (None, Some(rp)) if start_t + r.deadline.secs() + u64::from(instance + 1) * rp <= end_t => {
                    // Nothing came after this one either: the later ones are missing too.
                    instance += 1;
                }
                _ => break,
            }
        }
    }
    let rep_credits: Vec<f64> = required
        .iter()
        .filter(|r| r.status != Status::Pending)
        .map(|r| r.credit)
        .chain(sent.iter().map(|s| s.credit))
        .collect();
    let reporting =
        ReportingPart { score: part(&rep_credits), grade: incident_grade, deaths, seriously_injured, required, sent };

    // ---- coordination
    let mut duplicate_dispatches = Vec::new();
    let mut conflicts = Vec::new();
    let mut team_at: BTreeMap<&str, (&str, crate::scenario::types::Capability)> = BTreeMap::new();
    // Orders that carried out a plan action: the agency's last accepted order before each
    // `plan_action_done` (the door journals it right after the order).
    let mut plan_orders: BTreeSet<u64> = BTreeSet::new();
    for e in entries {
        if let Event::PlanActionDone { by, .. } = &e.event
            && let Some((o, _, _)) = accepted.iter().rev().find(|(o, b, _)| o.seq < e.seq && *b == by)
        {
            plan_orders.insert(o.seq);
        }
    }
    // target → (close?, seq, t, by) of the last order on it
    let mut last_on: BTreeMap<String, (bool, u64, u64, String)> = BTreeMap::new();
    for (e, by, o) in &accepted {
        match o {
            OrderKind::Dispatch { team, to, task } => {
                if team_at.get(team.as_str()) == Some(&(to.as_str(), *task)) && !plan_orders.contains(&e.seq) {
                    duplicate_dispatches.push(DuplicateDispatch {
                        seq: e.seq,
                        by: (*by).clone(),
                        team: team.clone(),
                        to: to.clone(),
                    });
                    improvements.push(Improvement {
                        kind: "duplicate_dispatch".into(),
                        subject: team.clone(),
                        issue: format!("{by} dispatched {team} to {to} again while it was already there or on its way"),
                        corrective_action: "Keep a shared resource board of teams and their tasks at the command post"
                            .into(),
                        element: "organisation".into(),
                        agency: (*by).clone(),
                        evidence: vec![e.seq],
                        issue_zh: format!("{team} 已在 {to} 或在途,{by} 又重复派遣"),
                        corrective_action_zh: "在指挥部设立共享的队伍与任务看板".into(),
                        ..Default::default()
                    });
                }
                team_at.insert(team, (to, *task));
            }
            OrderKind::Recall { team } => {
                team_at.remove(team.as_str());
            }
            _ => {}
        }
        let toggle = match o {
            OrderKind::CloseRoad(x) => Some((format!("road {x}"), true)),
            OrderKind::ReopenRoad(x) => Some((format!("road {x}"), false)),
            OrderKind::CloseIntake(x) => Some((format!("intake {x}"), true)),
            OrderKind::OpenIntake(x) => Some((format!("intake {x}"), false)),
            OrderKind::CloseShelter(x) => Some((format!("shelter {x}"), true)),
            OrderKind::OpenShelter(x) => Some((format!("shelter {x}"), false)),
            _ => None,
        };
        if let Some((target, close)) = toggle {
            if let Some((pclose, pseq, pt, pby)) = last_on.get(&target)
                && *pclose != close
                && pby != *by
                && e.t.saturating_sub(*pt) <= CONFLICT_WINDOW_S
            {
                improvements.push(Improvement {
                    kind: "conflicting_orders".into(),
                    subject: target.clone(),
                    issue: format!(
                        "{pby} and {by} gave opposite orders on {target} {} apart",
                        hm(e.t.saturating_sub(*pt) as i64)
                    ),
                    corrective_action: "Agree such decisions at the command post and announce them through one channel"
                        .into(),
                    element: "organisation".into(),
                    agency: (*by).clone(),
                    evidence: vec![*pseq, e.seq],
                    issue_zh: format!(
                        "{pby} 与 {by} 对 {target} 下达了相反的指令,间隔 {}",
                        hm(e.t.saturating_sub(*pt) as i64)
                    ),
                    corrective_action_zh: "此类决定在指挥部会商,经同一渠道发布".into(),
                    ..Default::default()
                });
                conflicts.push(Conflict {
                    target: target.clone(),
                    first_seq: *pseq,
                    first_by: pby.clone(),
                    second_seq: e.seq,
                    second_by: (*by).clone(),
                    gap_s: e.t.saturating_sub(*pt),
                });
            }
            last_on.insert(target, (close, e.seq, e.t, (*by).clone()));
        }
    }
    let mut responses = Vec::new();
    for inj in &sc.injects {
        let Some((dt, dseq, to)) = delivered.get(&inj.id) else { continue };
        let mut seen = BTreeSet::new();
        for a in to {
            if !seen.insert(a) || matches!(role(a), None | Some(AgencyRole::Higher) | Some(AgencyRole::Neighbour)) {
                continue;
            }
            let first = accepted.iter().find(|(e, by, o)| e.seq > *dseq && *by == a && !o.is_facilitator());
            let after = first.map(|(e, _, _)| e.t.saturating_sub(*dt));
            let credit = match after {
                Some(s) if s <= PROMPT_RESPONSE_S => 1.0,
                Some(_) => 0.5,
                None => 0.0,
            };
            responses.push(Response {
                inject: inj.id.clone(),
                agency: a.clone(),
                delivered_t: *dt,
                first_order_after_s: after,
                credit,
            });
        }
    }
    let mut intakes = Vec::new();
    let mut intake_seen = BTreeSet::new();
    for e in entries {
        let Event::IntakeThreshold { intake, above: true, .. } = &e.event else { continue };
        if !intake_seen.insert(intake.clone()) {
            continue;
        }
        let operator =
            sc.map.intakes.iter().find(|i| i.node == *intake).map(|i| i.operator.clone()).unwrap_or_default();
        let evidence: Vec<u64> = entries
            .iter()
            .take_while(|x| x.seq < e.seq)
            .filter(|x| match &x.event {
                Event::InjectDelivered { to, .. } => to.contains(&operator),
                Event::ReportSent { to, .. } => *to == operator,
                _ => false,
            })
            .map(|x| x.seq)
            .take(1)
            .collect();
        let informed = !evidence.is_empty();
        if !informed {
            improvements.push(Improvement {
                kind: "operator_not_informed".into(),
                subject: intake.clone(),
                issue: format!(
                    "{operator}, operator of intake {intake}, was not informed before the water there became unsafe"
                ),
                corrective_action: "Add the water-works operators to the spill notification list with a direct line"
                    .into(),
                element: "planning".into(),
                agency: sc.reporting.outlet.clone().unwrap_or_else(|| operator.clone()),
                evidence: vec![e.seq],
                issue_zh: format!("取水口 {intake} 的运营单位 {operator} 在水质超标前未得到通知"),
                corrective_action_zh: "将水厂运营单位列入泄漏通报名单并建立直通电话".into(),
                ..Default::default()
            });
        }
        intakes.push(IntakeInformed {
            intake: intake.clone(),
            operator,
            threshold_t: e.t,
            informed,
            evidence: if informed { evidence } else { vec![e.seq] },
        });
    }
    let idle = doctrine::idle_teams(scenario, entries);
    for i in &idle {
        improvements.push(doctrine::idle_improvement(i, |t| {
            entries.iter().find(|e| e.t >= t).map_or_else(|| hm(t as i64), |e| e.time.clone())
        }));
    }
    let coord_credits: Vec<f64> = responses
        .iter()
        .map(|r| r.credit)
        .chain(intakes.iter().map(|i| if i.informed { 1.0 } else { 0.0 }))
        .chain(duplicate_dispatches.iter().map(|_| 0.0))
        .chain(conflicts.iter().map(|_| 0.0))
        .chain(idle.iter().map(|i| i.credit))
        .collect();
    let coordination = CoordinationPart {
        score: part(&coord_credits),
        duplicate_dispatches,
        conflicts,
        responses,
        intakes,
        idle_teams: idle,
    };

    // ---- outcomes
    let mut o = OutcomesPart {
        score: 100.0,
        deaths,
        flood_deaths: truth.flood_deaths,
        derailment_dead: truth.black(),
        casualties_total: truth.casualties.values().map(|c| c.iter().sum::<u32>()).sum(),
        patients_admitted: 0,
        water_unsafe_people: 0,
        water_protected_people: 0,
        flood_exposed_peak: 0,
        flood_at_risk: 0,
        breach_closed_after_s: BTreeMap::new(),
        dead_at_onset: 0,
        worsened_before_care: 0,
        trapped_freed_after_s: BTreeMap::new(),
        evacuation_ordered: 0,
        evacuation_left: 0,
        left_before_flood: 0,
        sheltered: 0,
        gas_harmed: 0,
        gas_harmed_no_response: 0,
    };
    let mut exposed_now: BTreeMap<String, u64> = BTreeMap::new();
    let mut wet: BTreeSet<&str> = BTreeSet::new();
    let mut first_casualties: BTreeSet<&str> = BTreeSet::new();
    for e in entries {
        match &e.event {
            Event::Casualties { hazard, black, .. } => {
                if first_casualties.insert(hazard) {
                    o.dead_at_onset += black;
                }
            }
            Event::Deteriorated { yellow_to_red, red_to_black, .. } => {
                o.worsened_before_care += yellow_to_red + red_to_black;
            }
            Event::Extricated { hazard, still_trapped: 0, .. } => {
                let from = hazard_onset.get(hazard).copied().unwrap_or(0);
                o.trapped_freed_after_s.entry(hazard.clone()).or_insert(e.t.saturating_sub(from));
            }
            Event::EvacuationTotals { ordered, left, left_before_flood, sheltered, .. } => {
                o.evacuation_ordered = *ordered;
                o.evacuation_left = *left;
                o.left_before_flood = *left_before_flood;
                o.sheltered = *sheltered;
            }
            Event::PatientsAdmitted { red, yellow, .. } => o.patients_admitted += red + yellow,
            Event::WaterUnsafe { people, .. } => o.water_unsafe_people += people,
            Event::IntakeProtected { people, .. } => o.water_protected_people += people,
            Event::FloodExposure { zone, exposed, wet_nodes, .. } => {
                wet.extend(wet_nodes.iter().map(String::as_str));
                exposed_now.insert(zone.clone(), *exposed);
                o.flood_exposed_peak = o.flood_exposed_peak.max(exposed_now.values().sum());
            }
            Event::FloodTotals { exposed_peak, .. } => o.flood_exposed_peak = o.flood_exposed_peak.max(*exposed_peak),
            // issue 18: the gas dose model's harm and its no-response shadow
            Event::GasTotals { yellow, red, dead, no_response_yellow, no_response_red, no_response_dead, .. } => {
                o.gas_harmed += yellow + red + dead;
                o.gas_harmed_no_response += no_response_yellow + no_response_red + no_response_dead;
            }
            Event::BreachClosed { hazard, .. } => {
                let from = hazard_onset.get(hazard).copied().unwrap_or(0);
                o.breach_closed_after_s.entry(hazard.clone()).or_insert(e.t.saturating_sub(from));
            }
            _ => {}
        }
    }
    o.flood_at_risk = sc.map.nodes.iter().filter(|n| wet.contains(n.id.as_str())).map(|n| n.population as u64).sum();
    o.score = part(&outcome_credits(&o));
    // ---- critical tasks
    let mut critical_tasks = Vec::new();
    for lvl in &sc.plan.levels {
        let Some(&(_, tseq)) = triggered.get(&lvl.level) else { continue };
        let items: Vec<&PlanActionResult> = plan.actions.iter().filter(|a| a.level == lvl.level).collect();
        let mut evidence: Vec<u64> = vec![tseq];
        evidence.extend(items.iter().flat_map(|a| a.evidence.iter().copied()));
        critical_tasks.push(rate(
            format!("Level {} response actions", lvl.level.roman()),
            None,
            items.iter().map(|a| a.status),
            evidence,
        ));
    }
    if !reporting.required.is_empty() {
        let evidence = reporting.required.iter().flat_map(|r| r.evidence.iter().copied()).collect();
        critical_tasks.push(rate(
            "Information reporting".to_string(),
            Some(EvalArea::WarningAndReporting),
            reporting.required.iter().map(|r| r.status),
            evidence,
        ));
    }

    if !sc.critical_tasks.is_empty() {
        critical_tasks = doctrine::declared_tasks(scenario, &plan, &reporting, &o, entries);
    }
    doctrine::classify(scenario, &mut improvements);
    let areas = doctrine::areas(&plan, &reporting, &coordination, &improvements);

    let agencies: BTreeMap<String, f64> = agency_credits.into_iter().map(|(a, c)| (a, part(&c))).collect();
    let w = &sc.scoring;
    let sum = w.plan + w.reporting + w.coordination + w.outcomes;
    let weights = if sum > 0.0 {
        Weights {
            plan: w.plan / sum,
            reporting: w.reporting / sum,
            coordination: w.coordination / sum,
            outcomes: w.outcomes / sum,
        }
    } else {
        Weights { plan: 0.25, reporting: 0.25, coordination: 0.25, outcomes: 0.25 }
    };
    let parts =
        Parts { plan: plan.score, reporting: reporting.score, coordination: coordination.score, outcomes: o.score };
    let overall = round2(
        weights.plan * parts.plan
            + weights.reporting * parts.reporting
            + weights.coordination * parts.coordination
            + weights.outcomes * parts.outcomes,
    );
    Score {
        scenario: sc.meta.name.clone(),
        scenario_sha256: scenario.sha256.clone(),
        seed,
        overall,
        weights,
        parts,
        agencies,
        plan,
        reporting,
        coordination,
        outcomes: o,
        critical_tasks,
        areas,
        improvement_plan: improvements,
    }
}

/// One credit per harm the response could change (see the module's formula): the share of the
/// flood's residents not caught in the water, of the crash's survivors still alive, of the people
/// on threatened intakes who drew safe water.
pub fn outcome_credits(o: &OutcomesPart) -> Vec<f64> {
    let mut c = Vec::new();
    if o.flood_at_risk > 0 {
        c.push(1.0 - (o.flood_exposed_peak as f64 / o.flood_at_risk as f64).min(1.0));
    }
    let survivors = o.casualties_total.saturating_sub(o.dead_at_onset);
    if survivors > 0 {
        c.push(1.0 - (o.derailment_dead.saturating_sub(o.dead_at_onset) as f64 / survivors as f64).min(1.0));
    }
    let water = o.water_unsafe_people + o.water_protected_people;
    if water > 0 {
        c.push(o.water_protected_people as f64 / water as f64);
    }
    c.extend(gas_protection_credit(o.gas_harmed, o.gas_harmed_no_response));
    c
}

/// Issue 18 (additive): the credit for shelter in place and evacuation against a gas, the share
/// of the no-response harm avoided, `1 − harmed / harmed_without_response` in [0, 1]; None when
/// the gas would have harmed nobody.
pub fn gas_protection_credit(harmed: u32, harmed_no_response: u32) -> Option<f64> {
    (harmed_no_response > 0).then(|| (1.0 - harmed as f64 / harmed_no_response as f64).clamp(0.0, 1.0))
}

fn rate(
    task: String,
    area: Option<EvalArea>,
    statuses: impl Iterator<Item = Status>,
    mut evidence: Vec<u64>,
) -> CriticalTask {
    let (mut on, mut late, mut not) = (0, 0, 0);
    for s in statuses {
        match s {
            Status::OnTime => on += 1,
            Status::Late => late += 1,
            Status::Pending => {}
            Status::Missed | Status::WrongAgency => not += 1,
        }
    }
    let total = on + late + not;
    let rating = if not == 0 && late == 0 {
        "P"
    } else if not == 0 {
        "S"
    } else if 2 * (on + late) >= total {
        "M"
    } else {
        "U"
    };
    evidence.sort_unstable();
    evidence.dedup();
    CriticalTask {
        id: None,
        task,
        area,
        rating: rating.into(),
        done_on_time: on,
        done_late: late,
        not_done: not,
        targets: vec![],
        evidence,
    }
}

pub fn report_name_zh(k: ReportKind) -> &'static str {
    match k {
        ReportKind::Phone => "电话",
        ReportKind::Written => "书面",
        ReportKind::Urgent => "紧急信息",
        ReportKind::FollowUp => "续报",
        ReportKind::Feedback => "反馈",
    }
}

pub fn report_name(k: ReportKind) -> &'static str {
    match k {
        ReportKind::Phone => "phone",
        ReportKind::Written => "written",
        ReportKind::Urgent => "urgent",
        ReportKind::FollowUp => "follow-up",
        ReportKind::Feedback => "feedback",
    }
}
