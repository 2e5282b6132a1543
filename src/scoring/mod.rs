//! Scoring and the after-action report (issues 6 and 13): a pure function of the scenario and
//! the journal (`OUT/score.json`); it never reads the ECS world, so `drillsim score` recomputes
//! exactly what `drillsim run` wrote. Each rule is one function, by part: `plan.rs` (plan
//! actions, inject expectations, the declared level), `reporting.rs` (reports sent and required),
//! `coordination.rs`, `outcomes.rs`, `doctrine.rs` (critical tasks, evaluation items, idle
//! teams); `effects.rs` reads what the world shows, `casualties.rs` is the casualty vocabulary.
//!
//! # How verdicts are reached
//!
//! **By effect.** A plan action (from its level's trigger) or an inject's expected action (from
//! its delivery) is judged by what the world shows at its deadline (`effects::Effects::satisfy`):
//! a team of the owner on its way or at work (target: the team or the place), an intake or road
//! closed and not reopened, a shelter open, a working group of the action's *function*
//! (`GroupFunction`: given on the order or read from its free-text name) led by the owner, a
//! command post set up, the declared level at least the one required, people ordered out of the
//! target (an order for a flood zone or an area — `map.areas`, a township — covers every place
//! in it, and a target that is a zone or an area is met by the orders that together cover its
//! places; partial coverage is credited by the share of people covered), supplies sent. Whoever's order caused it and whenever it was
//! given: an effect in place *before* the trigger is on time and listed as a **strength**
//! (`done_early`). One-off acts — reports, acknowledgements, log lines — count from the trigger
//! or delivery on; warnings and requests for support from `plan::EARLY_ACT_S` (1 h) before it. An
//! effect brought only by another agency than the plan's owner is **wrong agency** (not done);
//! for an inject's expectation it is **missed**. A report an inject from a higher level asks
//! for must go to that level; an acknowledgement must name the inject.
//!
//! **Tie rule: time, not entry order.** Anything journaled at the same `t` as a trigger, an
//! inject or a rule's clock start counts as at that moment, whatever the `seq`.
//!
//! **The declared level** is judged per fired trigger: at least that level in force by the
//! trigger + the plan's `raise_level` deadline for the level (else 30 min) — on time; later —
//! late (`level_late`); never — `level_held_below` (0). Lowering below a level whose trigger
//! fired while a hazard is not over (breach closed, site cleared) is `level_lowered` (0).
//!
//! **Reports.** A rule's clock starts at the `onset` (`incident`), when its sender was
//! `notified` (the first inject reaching it) or at its `inject`'s delivery (a leader's
//! instruction, the news of the breach);
//! it is met by the first report from its sender to its recipient of a kind it accepts (`kind`,
//! `also`) sent at or after the start; repeats each need a later report. Every figure a report
//! carries is checked against the truth when it is sent (`casualties`: dead; injured = every
//! living casualty; missing not modelled, "unchecked"; affected and evacuated against a range):
//! above `(1 + tolerance) ·` the truth is **false**, below `(1 − tolerance) ·` it **concealed**.
//! A report lacking a figure the rules it answers require, or carrying nothing at all, is
//! **incomplete**.
//!
//! # Formula
//!
//! Every check is an *item* with a credit in 0..=1:
//!
//! - **on time** (plan action, expected action, declared level, required report): 1;
//! - **late** by `late_s` against an allowance `a` (the action's deadline, the expected action's
//!   `within`, the rule's deadline; at least 10 min): `0.25 + 0.5 · max(0, 1 − late_s / a)`,
//!   so between 0.25 and 0.75; a partial evacuation: the share covered in time + the share
//!   covered later × that;
//! - **missed**, **done by the wrong agency**, **missing report**, level held below a fired
//!   trigger, unjustified lowering: 0;
//! - **pending** (not done, its time limit falls after the run's last entry): not scored;
//! - each **report sent**: 1, minus 1 if a figure is false or concealed, minus 0.5 if it goes to a
//!   `higher` agency from anyone but `reporting.outlet` (bypass), minus 0.5 if incomplete;
//!   floored at 0;
//! - coordination: each recipient of an inject (not `higher`/`neighbour`/control) with a first
//!   accepted order within 30 min of delivery: 1, later: 0.5, never: 0; each intake whose operator
//!   was informed by the first threshold crossing: 1, else 0; each duplicate dispatch (a team sent
//!   again to the same place and task while there or on its way — unless that order carried out a
//!   plan action, i.e. the plan asked for it) and each conflicting pair of orders: 0; each idle
//!   team (available and untasked 1 h after a hazard needing its capability began; a team sent
//!   before — pre-positioned — is not idle): 0.5 if tasked later, 0 if never.
//!
//! A part's score is `100 · Σ credit / n` (100 when it has no items):
//! **plan** = plan actions of triggered levels + expected actions of delivered injects + declared
//! levels + unjustified lowerings; **reporting** = required reports + reports sent;
//! **coordination** as above;
//! **outcomes** = `100 ·` the mean of one credit per harm the response can change
//! (`outcome_credits`; 100 when nothing was at risk): flood `1 − exposed_peak / at_risk` (people
//! still at wet places at the worst moment over the residents of every place the water reached —
//! nobody evacuated gives about 0); derailment `1 − (dead − dead_at_onset) / (casualties −
//! dead_at_onset)` (the crash's survivors who died waiting); water `protected / (protected +
//! unsafe)` (people on threatened intakes who drew safe water); gas `1 − harmed / harmed without
//! a response` (`gas_protection_credit`: shelter in place and evacuation credited against the
//! dose model's no-response shadow).
//! An **agency**'s score is `100 · mean credit` over its plan actions, expected actions, required
//! reports, reports sent and (the office) declared levels. **Overall** = Σ wᵢ·partᵢ / Σ wᵢ with
//! `scenario.scoring` weights.
//!
//! Critical tasks (HSEEP P/S/M/U): the scenario's declared tasks, or one per triggered plan level
//! (its actions) and one for information reporting (the required reports): P all on time; S all
//! done, some late; M at least half done; U less than half. A task whose evidence holds a report
//! with a false or concealed figure is at best M; one with an incomplete or outlet-bypassing
//! report at best S. Each rating lists its evidence as journal `seq` numbers.

pub mod casualties;
mod coordination;
pub mod doctrine;
pub mod effects;
mod outcomes;
pub mod plan;
pub mod report;
mod reporting;

pub use casualties::{Injured, Truth};
pub use doctrine::{AreaResult, IdleTeam, TargetResult};
pub use outcomes::{gas_protection_credit, outcome_credits};
pub use reporting::check_figure;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::journal::{Entry, Event};
use crate::scenario::ValidScenario;
use crate::scenario::types::{ActionKind, AgencyRole, DeadlineFrom, EvalArea, Figure, Grade, Level, ReportKind};

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
    /// What went well: effects in place before they were asked for.
    #[serde(default)]
    pub strengths: Vec<Strength>,
}

/// An observed strength (HSEEP): something done better than the plan asked.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Strength {
    /// Machine-readable kind: done_early.
    pub kind: String,
    /// The plan action or inject it is about.
    pub subject: String,
    pub agency: String,
    pub observation: String,
    pub observation_zh: String,
    pub evidence: Vec<u64>,
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
    /// The declared level against each level whose trigger fired.
    #[serde(default)]
    pub levels: Vec<LevelResult>,
    /// Every lowering of the declared level, justified or not.
    #[serde(default)]
    pub lowerings: Vec<LevelLowering>,
}

/// Was the level declared (at least) once its trigger fired?
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LevelResult {
    pub level: Level,
    pub triggered_t: u64,
    /// The plan's `raise_level` deadline for it, else `plan::LEVEL_ALLOWANCE_S`.
    pub allowance_s: u64,
    /// The level in force when the allowance ran out.
    pub declared: Option<Level>,
    pub status: Status,
    pub late_s: Option<i64>,
    pub credit: f64,
    pub evidence: Vec<u64>,
}

/// A lowering of the declared level; unjustified when below a level whose trigger fired while
/// the hazard was not over (credit 0).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LevelLowering {
    pub seq: u64,
    pub t: u64,
    pub by: String,
    pub from: Level,
    pub to: Level,
    pub justified: bool,
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
    /// Its effect was in place before the level started (a strength).
    #[serde(default)]
    pub early: bool,
    /// Evacuations: the share of the target's people ordered out, when not all in time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coverage: Option<f64>,
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
    /// Its effect was in place before the inject asked for it (a strength).
    #[serde(default)]
    pub early: bool,
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
    /// Figures the rules it answers require but it lacks (an empty report lacks
    /// `actions_taken`): the report is incomplete.
    #[serde(default)]
    pub missing_figures: Vec<Figure>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FigureCheck {
    pub reported: u32,
    /// The truth when it was sent (the lower end of its range).
    pub truth: u32,
    /// The upper end when the truth is a range (`affected`, `evacuated`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub truth_max: Option<u32>,
    pub verdict: FigureVerdict,
}

/// A reported figure against the truth when it was sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, strum::IntoStaticStr, strum::VariantNames)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum FigureVerdict {
    /// Within the tolerance of the truth.
    Accurate,
    /// Overstated: a false report (谎报).
    False,
    /// Understated: a concealed one (瞒报).
    Concealed,
    /// The model does not know the truth (`missing`).
    Unchecked,
}

impl FigureVerdict {
    /// A false or concealed figure (a falsified report).
    pub fn is_falsified(self) -> bool {
        matches!(self, FigureVerdict::False | FigureVerdict::Concealed)
    }
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
    /// In shelters: evacuees who reached one by road, and people brought to one by boat.
    pub sheltered: u32,
    /// Living casualties at the end, by triage (`casualties`: injured = all of them).
    #[serde(default)]
    pub injured: Injured,
    /// People a gas harmed (yellow, red, dead), and how many the dose model's no-response
    /// shadow harmed (`gas_totals`); see `gas_protection_credit`.
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
    pub kind: ImprovementKind,
    /// What it is about (an action, inject, rule, report seq, team, road…).
    pub subject: String,
    pub issue: String,
    pub corrective_action: String,
    /// The same two in Chinese, for the report in Chinese.
    pub issue_zh: String,
    pub corrective_action_zh: String,
    pub element: Element,
    pub agency: String,
    pub evidence: Vec<u64>,
    /// The AQ/T 9009 evaluation item it falls under.
    pub area: EvalArea,
    /// The aspect of the findings (set by `doctrine::classify`).
    pub finding: Finding,
    /// Suggested start and completion, in days after the exercise (by capability element).
    pub start_within_days: u32,
    pub complete_within_days: u32,
}

/// What an improvement-plan row is about (its machine-readable kind).
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, strum::IntoStaticStr, strum::VariantNames,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum ImprovementKind {
    /// (The default only lets rows be built with `..Default::default()`; each names its kind.)
    #[default]
    PlanMissed,
    PlanLate,
    PlanWrongAgency,
    ExpectedMissed,
    ExpectedLate,
    LevelLate,
    LevelHeldBelow,
    LevelLowered,
    ReportMissing,
    ReportLate,
    ReportFalse,
    ReportConcealed,
    ReportIncomplete,
    OutletBypassed,
    DuplicateDispatch,
    ConflictingOrders,
    OperatorNotInformed,
    TeamIdle,
}

/// The capability element an improvement works on (it sets the suggested timing).
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, strum::IntoStaticStr, strum::VariantNames,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Element {
    Planning,
    #[default]
    Organisation,
    Equipment,
    Training,
    Exercise,
}

/// The aspect of the findings (预案 plan, 组织 organisation, 人员 personnel, 机制 mechanisms,
/// 保障 support).
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, strum::IntoStaticStr, strum::VariantNames,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Finding {
    Plan,
    /// (Also the default, before `doctrine::classify` sets it.)
    #[default]
    Organisation,
    Personnel,
    Mechanisms,
    Support,
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

/// What every part's functions look at: the scenario, the journal and what was read from it.
pub(crate) struct Ctx<'a> {
    pub sc: &'a ValidScenario,
    pub entries: &'a [Entry],
    pub end_t: u64,
    pub effects: effects::Effects<'a>,
    /// Level → (t, seq) of its trigger's first holding.
    pub triggered: BTreeMap<Level, (u64, u64)>,
    /// Inject → (t, seq, recipients) of its delivery.
    pub delivered: BTreeMap<String, (u64, u64, Vec<String>)>,
    /// Every delivery in order: (t, seq, recipients).
    pub notifications: Vec<(u64, u64, Vec<String>)>,
    /// The first hazard's onset (t, seq).
    pub onset: Option<(u64, u64)>,
    pub hazard_onset: BTreeMap<String, u64>,
    /// Hazard → when it was over (breach closed, site cleared).
    pub hazard_over: BTreeMap<String, u64>,
    pub level_changes: Vec<LevelChange>,
}

/// A change of the declared level, from the journal.
pub(crate) struct LevelChange {
    pub t: u64,
    pub seq: u64,
    pub from: Option<Level>,
    pub to: Level,
    pub by: String,
}

impl<'a> Ctx<'a> {
    fn new(sc: &'a ValidScenario, entries: &'a [Entry]) -> Self {
        let mut c = Ctx {
            sc,
            entries,
            end_t: entries.iter().map(|e| e.t).max().unwrap_or(0),
            effects: effects::Effects::new(sc, entries),
            triggered: BTreeMap::new(),
            delivered: BTreeMap::new(),
            notifications: Vec::new(),
            onset: None,
            hazard_onset: BTreeMap::new(),
            hazard_over: BTreeMap::new(),
            level_changes: Vec::new(),
        };
        for e in entries {
            match &e.event {
                Event::PlanTriggered { level, .. } => {
                    c.triggered.entry(*level).or_insert((e.t, e.seq));
                }
                Event::InjectDelivered { inject, to, .. } => {
                    c.delivered.entry(inject.clone()).or_insert((e.t, e.seq, to.clone()));
                    c.notifications.push((e.t, e.seq, to.clone()));
                }
                Event::HazardOnset { hazard, .. } => {
                    c.onset.get_or_insert((e.t, e.seq));
                    c.hazard_onset.entry(hazard.clone()).or_insert(e.t);
                }
                Event::BreachClosed { hazard, .. } | Event::SiteCleared { hazard, .. } => {
                    c.hazard_over.entry(hazard.clone()).or_insert(e.t);
                }
                Event::LevelChanged { from, to, by } => {
                    c.level_changes.push(LevelChange { t: e.t, seq: e.seq, from: *from, to: *to, by: by.clone() })
                }
                _ => {}
            }
        }
        c
    }

    /// The declared level in force at `t` (changes at `t` included).
    pub fn level_at(&self, t: u64) -> Option<Level> {
        self.level_changes.iter().rev().find(|c| c.t <= t).map(|c| c.to).or(self.sc.scenario.plan.initial_level)
    }

    /// Whether every hazard that began was over by `t`.
    pub fn hazards_over_at(&self, t: u64) -> bool {
        !self.hazard_onset.is_empty()
            && self.hazard_onset.keys().all(|h| self.hazard_over.get(h).is_some_and(|&o| o <= t))
    }

    /// The emergency office (the outlet), who answers for the declared level.
    pub fn office(&self) -> String {
        self.sc
            .scenario
            .reporting
            .outlet
            .clone()
            .or_else(|| {
                self.sc.scenario.agencies.iter().find(|a| a.role == AgencyRole::EmergencyOffice).map(|a| a.id.clone())
            })
            .unwrap_or_default()
    }
}

/// What the rules found: improvement rows, strengths and each agency's credits.
#[derive(Default)]
pub(crate) struct Findings {
    pub improvements: Vec<Improvement>,
    pub strengths: Vec<Strength>,
    pub agency_credits: BTreeMap<String, Vec<f64>>,
}

impl Findings {
    pub fn credit(&mut self, agency: &str, c: f64) {
        self.agency_credits.entry(agency.to_string()).or_default().push(c);
    }
    pub fn strength(&mut self, kind: &str, subject: &str, agency: &str, evidence: &[u64], en: String, zh: String) {
        self.strengths.push(Strength {
            kind: kind.into(),
            subject: subject.into(),
            agency: agency.into(),
            evidence: evidence.to_vec(),
            observation: en,
            observation_zh: zh,
        });
    }
}

/// Scores a run from its scenario and journal: each part from its rules (see the module's
/// formula), then the critical tasks, evaluation items and the overall score.
pub fn score(scenario: &ValidScenario, entries: &[Entry]) -> Score {
    let ctx = Ctx::new(scenario, entries);
    let mut f = Findings::default();
    let seed = entries
        .iter()
        .find_map(|e| match &e.event {
            Event::RunStarted { seed, .. } => Some(*seed),
            _ => None,
        })
        .unwrap_or(0);

    // ---- reports sent, judged against the truth at the moment of sending
    let mut world = reporting::World::default();
    let mut sent = Vec::new();
    for e in entries {
        world.apply(&scenario.scenario, &e.event);
        sent.extend(reporting::sent_report(&ctx, e, &world, &mut f));
    }
    let truth = world.truth;

    // ---- plan: actions, inject expectations, the declared level
    let actions = plan::plan_actions(&ctx, &mut f);
    let expected = plan::expected_actions(&ctx, &mut f);
    let levels = plan::declared_levels(&ctx, &mut f);
    let lowerings = plan::lowerings(&ctx, &mut f);
    let plan_credits: Vec<f64> = actions
        .iter()
        .filter(|a| a.status != Status::Pending)
        .map(|a| a.credit)
        .chain(expected.iter().filter(|x| x.status != Status::Pending).map(|x| x.credit))
        .chain(levels.iter().filter(|l| l.status != Status::Pending).map(|l| l.credit))
        .chain(lowerings.iter().filter(|l| !l.justified).map(|_| 0.0))
        .collect();
    let plan = PlanPart { score: part(&plan_credits), actions, expected, levels, lowerings };

    // ---- reporting
    let deaths = truth.dead();
    let seriously_injured = truth.peak_red;
    let incident_grade = ctx.onset.map(|_| grade(deaths, seriously_injured));
    let required = reporting::required_reports(&ctx, &sent, incident_grade, &mut f);
    let rep_credits: Vec<f64> = required
        .iter()
        .filter(|r| r.status != Status::Pending)
        .map(|r| r.credit)
        .chain(sent.iter().map(|s| s.credit))
        .collect();
    let reporting =
        ReportingPart { score: part(&rep_credits), grade: incident_grade, deaths, seriously_injured, required, sent };

    // ---- coordination
    let duplicate_dispatches = coordination::duplicate_dispatches(&ctx, &mut f);
    let conflicts = coordination::conflicts(&ctx, &mut f);
    let responses = coordination::responses(&ctx);
    let intakes = coordination::intakes_informed(&ctx, &mut f);
    let idle = doctrine::idle_teams(scenario, entries);
    for i in &idle {
        f.improvements.push(doctrine::idle_improvement(i, |t| {
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
    let o = outcomes::outcomes(&ctx, &truth);

    // ---- critical tasks
    let faults = report_faults(&reporting, entries);
    let mut critical_tasks = Vec::new();
    for lvl in &scenario.scenario.plan.levels {
        let Some(&(_, tseq)) = ctx.triggered.get(&lvl.level) else { continue };
        let items: Vec<&PlanActionResult> = plan.actions.iter().filter(|a| a.level == lvl.level).collect();
        let mut evidence: Vec<u64> = vec![tseq];
        evidence.extend(items.iter().flat_map(|a| a.evidence.iter().copied()));
        critical_tasks.push(rate(
            format!("Level {} response actions", lvl.level.roman()),
            None,
            items.iter().map(|a| a.status),
            evidence,
            &faults,
        ));
    }
    if !reporting.required.is_empty() {
        let evidence = reporting
            .required
            .iter()
            .flat_map(|r| r.evidence.iter().copied())
            .chain(reporting.sent.iter().map(|s| s.seq))
            .collect();
        critical_tasks.push(rate(
            "Information reporting".to_string(),
            Some(EvalArea::WarningAndReporting),
            reporting.required.iter().map(|r| r.status),
            evidence,
            &faults,
        ));
    }
    if !scenario.scenario.critical_tasks.is_empty() {
        critical_tasks = doctrine::declared_tasks(scenario, &plan, &reporting, &o, entries);
        for t in &mut critical_tasks {
            cap_by_faults(t, &faults);
        }
    }
    let mut improvements = f.improvements;
    doctrine::classify(scenario, &mut improvements);
    let areas = doctrine::areas(&plan, &reporting, &coordination, &improvements);

    let agencies: BTreeMap<String, f64> = f.agency_credits.into_iter().map(|(a, c)| (a, part(&c))).collect();
    let w = &scenario.scenario.scoring;
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
        scenario: scenario.scenario.meta.name.clone(),
        scenario_sha256: scenario.sha256().to_string(),
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
        strengths: f.strengths,
    }
}

/// Report seq → its worst fault: 2 falsified (a false or concealed figure), 1 incomplete or
/// bypassing the outlet.
/// The order that sent a report counts as the report (plan actions cite the order).
fn report_faults(r: &ReportingPart, entries: &[Entry]) -> BTreeMap<u64, u8> {
    let mut out: BTreeMap<u64, u8> = r
        .sent
        .iter()
        .filter_map(|s| {
            let falsified = s.figures.values().any(|c| c.verdict.is_falsified());
            let weak = s.bypasses_outlet || !s.missing_figures.is_empty();
            match (falsified, weak) {
                (true, _) => Some((s.seq, 2)),
                (false, true) => Some((s.seq, 1)),
                _ => None,
            }
        })
        .collect();
    let mut order_of: BTreeMap<&str, u64> = BTreeMap::new();
    for e in entries {
        match &e.event {
            Event::OrderAccepted { by, order: crate::scenario::types::OrderKind::Report { .. } } => {
                order_of.insert(by, e.seq);
            }
            Event::ReportSent { by, .. } => {
                if let (Some(o), Some(f)) = (order_of.remove(by.as_str()), out.get(&e.seq).copied()) {
                    out.insert(o, f);
                }
            }
            _ => {}
        }
    }
    out
}

/// Caps a rating by the faults of the reports among its evidence: a falsified report makes it
/// at best M, an incomplete or bypassing one at best S.
fn cap_by_faults(t: &mut CriticalTask, faults: &BTreeMap<u64, u8>) {
    let worst = t.evidence.iter().filter_map(|s| faults.get(s)).max().copied().unwrap_or(0);
    let cap = match worst {
        2 => "M",
        1 => "S",
        _ => return,
    };
    let order = |r: &str| match r {
        "P" => 0,
        "S" => 1,
        "M" => 2,
        "U" => 3,
        _ => -1,
    };
    if order(&t.rating) >= 0 && order(&t.rating) < order(cap) {
        t.rating = cap.into();
    }
}

fn rate(
    task: String,
    area: Option<EvalArea>,
    statuses: impl Iterator<Item = Status>,
    mut evidence: Vec<u64>,
    faults: &BTreeMap<u64, u8>,
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
    let mut t = CriticalTask {
        id: None,
        task,
        area,
        rating: rating.into(),
        done_on_time: on,
        done_late: late,
        not_done: not,
        targets: vec![],
        evidence,
    };
    cap_by_faults(&mut t, faults);
    t
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

#[cfg(test)]
mod tests {
    use super::*;

    fn names_agree<T: strum::VariantNames + serde::de::DeserializeOwned + std::fmt::Debug>() {
        assert_eq!(crate::scenario::serde_variant_names::<T>(r#""?""#), T::VARIANTS);
    }

    #[test]
    fn the_names_of_verdicts_kinds_elements_and_findings_are_the_names_serde_writes() {
        names_agree::<FigureVerdict>();
        names_agree::<ImprovementKind>();
        names_agree::<Element>();
        names_agree::<Finding>();
        assert_eq!(serde_json::to_string(&FigureVerdict::False).unwrap(), r#""false""#);
        assert_eq!(<&str>::from(ImprovementKind::OperatorNotInformed), "operator_not_informed");
        assert_eq!(<ImprovementKind as strum::VariantNames>::VARIANTS.len(), 18);
    }
}
