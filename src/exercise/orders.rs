//! Orders: the one door through which participants change the simulated world.
//!
//! An order is given by an agency (its seat), or by the exercise control cell (`control`, the
//! facilitator), at a time. It is checked against the giver's authority
//! (`exercise::authority`) and the world's state, then either accepted (journal
//! `order_accepted`, then its effect) or refused with a reason (journal `order_refused`, nothing
//! changes). Order files (RON) give timed orders for headless runs; live mode and the GUI queue
//! orders here too.

use std::path::Path;

use bevy::ecs::system::SystemParam;
use bevy::prelude::*;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::agents::supplies::{Stocks, SupplyOrder, truck_secs};
use crate::agents::teams::{Team, TeamIndex, TeamOrder};
use crate::agents::{EvacuationOrder, Evacuations, Shelters};
use crate::exercise::{ExerciseState, SentReport, authority};
use crate::hazards::PublicWarnings;
use crate::journal::{Event, Journaled};
use crate::map::{Closure, IntakeState, RoadNetwork};
use crate::scenario::diag::{Collector, Problems, SourceFile, from_ron_error};
use crate::scenario::spans::SpanIndex;
use crate::scenario::time::TimeSpec;
use crate::scenario::types::{ActionKind, Capability};
use crate::scenario::{CONTROL, LoadError, ValidScenario, hex, ron_options};
use crate::sim::{ScenarioRes, SimClock, StepSet};

pub use crate::scenario::ids::{ScenarioIds, order_id_problems};
pub use crate::scenario::types::{Figures, OrderKind};

/// One line of an order file.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TimedOrder {
    pub at: TimeSpec,
    /// The agency giving the order, or "control" for the facilitator.
    pub by: String,
    pub order: OrderKind,
    /// The agency a networked seat claimed to act for when it is not its own (`by` is the seat's
    /// agency): the door refuses it, journaled as an attempt. Only in recorded exercises.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claimed: Option<String>,
}

/// An order file: `Orders(orders: [ (at: "+10m", by: "ofc", order: SetLevel(III)), … ])`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename = "Orders")]
pub struct OrderFile {
    pub orders: Vec<TimedOrder>,
}

/// An order waiting for its time.
#[derive(Debug, Clone, PartialEq)]
pub struct Pending {
    pub t: u64,
    pub by: String,
    pub order: OrderKind,
    /// A tag the giver chose (live mode answers with it); not journaled.
    pub tag: Option<u64>,
    /// The agency a seat claimed to act for, when not its own (refused; see [`TimedOrder`]).
    pub claimed: Option<String>,
}

/// The orders of a run, sorted by time (stable: same-time orders keep their order).
#[derive(Resource, Debug, Clone, Default)]
pub struct OrderBook {
    pub source: Option<SourceFile>,
    pub sha256: Option<String>,
    pub pending: Vec<Pending>,
    pub next: usize,
    /// Tagged orders decided so far: (tag, time decided, verdict). Live mode drains this.
    pub answers: Vec<(u64, u64, Result<(), Refusal>)>,
    /// Orders of this step waiting for its injects: an acknowledgement of an inject meant for
    /// its giver but not delivered yet is decided after the step's injects (the tie rule).
    pub deferred: Vec<Pending>,
}

impl OrderBook {
    /// Queues an order at `t` (not before orders already queued for later).
    pub fn push(&mut self, p: Pending) {
        let at = self.pending[self.next..].iter().position(|q| q.t > p.t).map_or(self.pending.len(), |i| i + self.next);
        self.pending.insert(at, p);
    }
}

/// Reads and checks an order file against a scenario: every problem at its line:col.
pub fn load_orders(path: &Path, scenario: &ValidScenario) -> Result<OrderBook, LoadError> {
    parse_orders(crate::scenario::read_source(path)?, scenario).map_err(LoadError::Invalid)
}

/// Parses and checks order-file text.
pub fn parse_orders(file: SourceFile, scenario: &ValidScenario) -> Result<OrderBook, Problems> {
    let parsed: OrderFile = match ron_options().from_str(&file.text) {
        Ok(o) => o,
        Err(e) => {
            let p = from_ron_error(&file, &e);
            return Err(Problems { file, problems: vec![p] });
        }
    };
    let spans = SpanIndex::lazy(file.text.clone());
    let mut c = Collector::new(&file, &spans);
    let ids = ScenarioIds::of(scenario);
    let mut pending = Vec::new();
    for (i, o) in parsed.orders.iter().enumerate() {
        let p = format!("orders[{i}]");
        let t = scenario.offset(&o.at);
        if t < 0 || t as u64 > scenario.duration_secs {
            c.at("time-window", format!("{p}.at"), format!("{} is outside the scenario window", o.at))
                .help(format!("the scenario runs for {}", scenario.scenario.meta.duration));
        }
        if o.by != CONTROL && !ids.agencies.contains(o.by.as_str()) {
            c.at("unknown-id", format!("{p}.by"), format!("unknown agency \"{}\"", o.by))
                .help("`by` is an agency id of the scenario, or \"control\" for the facilitator");
        }
        if let Some(claimed) = o.claimed.as_deref().filter(|c| *c != CONTROL && !ids.agencies.contains(*c)) {
            c.at("unknown-id", format!("{p}.claimed"), format!("unknown agency \"{claimed}\""));
        }
        for problem in order_id_problems(&o.order, ids) {
            c.at("unknown-id", format!("{p}.order.{}", problem.field), problem.to_string());
        }
        pending.push(Pending {
            t: t.max(0) as u64,
            by: o.by.clone(),
            order: o.order.clone(),
            tag: None,
            claimed: o.claimed.clone(),
        });
    }
    let problems = c.into_sorted();
    if !problems.is_empty() {
        return Err(Problems { file, problems });
    }
    pending.sort_by_key(|p| p.t);
    let sha256 = Some(hex(&Sha256::digest(file.text.as_bytes())));
    Ok(OrderBook { source: Some(file), sha256, pending, next: 0, answers: Vec::new(), deferred: Vec::new() })
}

/// Everything the one door may look at and change.
#[derive(SystemParam)]
pub struct Door<'w, 's> {
    clock: ResMut<'w, SimClock>,
    scenario: Res<'w, ScenarioRes>,
    state: ResMut<'w, ExerciseState>,
    warnings: ResMut<'w, PublicWarnings>,
    teams: Res<'w, TeamIndex>,
    team_q: Query<'w, 's, &'static Team>,
    net: ResMut<'w, RoadNetwork>,
    intakes: ResMut<'w, IntakeState>,
    shelters: ResMut<'w, Shelters>,
    evacuations: ResMut<'w, Evacuations>,
    stocks: Res<'w, Stocks>,
    journal: MessageWriter<'w, Journaled>,
    team_orders: MessageWriter<'w, TeamOrder>,
    supply_orders: MessageWriter<'w, SupplyOrder>,
}

pub fn cap_name(c: Capability) -> String {
    crate::scenario::ron_name(&c)
}

impl Door<'_, '_> {
    fn sc(&self) -> &ValidScenario {
        &self.scenario.0
    }

    fn own_team(&self, by: &str, id: &str) -> Result<&Team, Refusal> {
        let team = self
            .teams
            .0
            .get(id)
            .and_then(|e| self.team_q.get(*e).ok())
            .ok_or_else(|| Refusal::NoTeam { team: id.to_string() })?;
        if team.agency != by {
            return refuse(Refusal::NotYourTeam {
                team: id.to_string(),
                owner: team.agency.clone(),
                by: by.to_string(),
            });
        }
        Ok(team)
    }

    fn road_index(&self, id: &str) -> Result<usize, Refusal> {
        ScenarioIds::of(self.sc()).roads.get(id).copied().ok_or_else(|| Refusal::NoSuchRoad { road: id.to_string() })
    }

    /// Whether an order waits for this step's injects: an acknowledgement, by a seat it is
    /// meant for, of an inject not delivered yet (it may be delivered later in this step).
    fn awaits_inject(&self, p: &Pending) -> bool {
        match &p.order {
            OrderKind::Acknowledge(inject) if p.claimed.as_ref().is_none_or(|c| *c == p.by) => {
                !self.state.delivered.contains_key(inject)
                    && self.sc().scenario.injects.iter().any(|j| &j.id == inject && j.to.contains(&p.by))
            }
            _ => false,
        }
    }

    /// Checks an order; `Err` is the reason to refuse it.
    #[allow(
        clippy::too_many_lines,
        reason = "one match arm per order kind, each that kind's refusals: the door's rules read in one place"
    )]
    fn check(&self, by: &str, order: &OrderKind) -> Result<(), Refusal> {
        let now = self.clock.now;
        if order.is_facilitator() || by == CONTROL {
            if by != CONTROL {
                return refuse(Refusal::ControlOnly { by: by.to_string() });
            }
            if !order.is_facilitator() {
                return refuse(Refusal::NotForControl);
            }
        } else if let Some(kind) = order.action_kind() {
            authority::may(self.sc(), by, kind)?;
        }
        let ids = ScenarioIds::of(self.sc());
        if let Some(problem) = order_id_problems(order, ids).into_iter().next() {
            return refuse(Refusal::unknown_id(&problem));
        }
        match order {
            OrderKind::SetLevel(level) => {
                if self.state.level == Some(*level) {
                    return refuse(Refusal::LevelAlready { level: *level });
                }
            }
            OrderKind::Dispatch { team, to, task } => {
                let t = self.own_team(by, team)?;
                if !t.capabilities.contains(task) {
                    return refuse(Refusal::CannotDo { team: team.clone(), task: *task, can: t.capabilities.clone() });
                }
                let dest = self.net.node(to).ok_or_else(|| Refusal::NoPlace { place: to.clone() })?;
                let from = t.node_at(now);
                if self.net.route(from, dest, t.speed_factor).is_none() {
                    return refuse(Refusal::NoRoad { from: self.net.id_of(from).to_string(), to: to.clone() });
                }
            }
            OrderKind::Recall { team } => {
                self.own_team(by, team)?;
            }
            OrderKind::Evacuate { to, .. } => {
                if !self.shelters.0.get(to).is_some_and(|s| s.open) {
                    return refuse(Refusal::ShelterNotOpen { shelter: to.clone() });
                }
            }
            OrderKind::OpenShelter(x) => {
                if self.shelters.0.get(x).is_some_and(|s| s.open) {
                    return refuse(Refusal::ShelterAlreadyOpen { shelter: x.clone() });
                }
            }
            OrderKind::CloseShelter(x) => {
                authority::may(self.sc(), by, ActionKind::OpenShelter)?;
                match self.shelters.0.get(x) {
                    Some(s) if !s.open => return refuse(Refusal::ShelterAlreadyClosed { shelter: x.clone() }),
                    Some(s) if s.occupants > 0 => {
                        return refuse(Refusal::ShelterOccupied { shelter: x.clone(), people: s.occupants });
                    }
                    _ => {}
                }
            }
            OrderKind::DeliverSupplies { from, to, item, quantity } => {
                if quantity.is_nan() || *quantity <= 0.0 {
                    return refuse(Refusal::NoQuantity { quantity: *quantity });
                }
                let have = self.stocks.of(from, item);
                if have < *quantity {
                    return refuse(Refusal::DepotShort {
                        depot: from.clone(),
                        item: item.clone(),
                        have,
                        wanted: *quantity,
                    });
                }
                if truck_secs(&self.net, from, to).is_none() {
                    return refuse(Refusal::NoRoad { from: from.clone(), to: to.clone() });
                }
            }
            OrderKind::CloseRoad(r) => {
                let i = self.road_index(r)?;
                if self.net.closed_for(i, &Closure::Order) {
                    return refuse(Refusal::RoadAlreadyClosed { road: r.clone() });
                }
            }
            OrderKind::ReopenRoad(r) => {
                authority::may(self.sc(), by, ActionKind::CloseRoad)?;
                let i = self.road_index(r)?;
                if !self.net.closed_for(i, &Closure::Order) {
                    return refuse(Refusal::RoadNotClosed { road: r.clone() });
                }
            }
            OrderKind::CloseIntake(i) | OrderKind::OpenIntake(i) => {
                let intake = self.sc().scenario.map.intakes.iter().find(|k| &k.node == i);
                let role_ok = self.sc().agency(by).is_some_and(|a| {
                    a.role == crate::scenario::types::AgencyRole::EmergencyOffice
                        || a.powers.contains(&ActionKind::CloseIntake)
                });
                if let Some(k) = intake.filter(|k| !role_ok && k.operator != by) {
                    return refuse(Refusal::IntakeNotYours {
                        intake: i.clone(),
                        operator: k.operator.clone(),
                        by: by.to_string(),
                    });
                }
                let open = self.intakes.is_open(i);
                if matches!(order, OrderKind::CloseIntake(_)) && !open {
                    return refuse(Refusal::IntakeAlreadyClosed { intake: i.clone() });
                }
                if matches!(order, OrderKind::OpenIntake(_)) && open {
                    return refuse(Refusal::IntakeAlreadyOpen { intake: i.clone() });
                }
            }
            OrderKind::SetUpCommandPost { name, .. } => {
                if self.state.command_posts.iter().any(|(n, _)| n == name) {
                    return refuse(Refusal::CommandPostExists { name: name.clone() });
                }
            }
            OrderKind::SetUpWorkingGroup { name, .. } => {
                if self.state.working_groups.iter().any(|n| n == name) {
                    return refuse(Refusal::WorkingGroupExists { name: name.clone() });
                }
            }
            OrderKind::RequestSupport { to, .. } => {
                use crate::scenario::types::AgencyRole::{Higher, Neighbour};
                if !self.sc().agency(to).is_some_and(|a| matches!(a.role, Higher | Neighbour)) {
                    return refuse(Refusal::NoSupportFrom { to: to.clone() });
                }
            }
            OrderKind::Report { to, .. } => {
                if to == by {
                    return refuse(Refusal::ReportToSelf);
                }
            }
            OrderKind::Acknowledge(inject) => {
                let reached = self.state.delivered.contains_key(inject)
                    && self.sc().scenario.injects.iter().any(|j| &j.id == inject && j.to.iter().any(|r| r == by));
                if !reached {
                    return refuse(Refusal::InjectNotReached { inject: inject.clone(), by: by.to_string() });
                }
            }
            OrderKind::Log(text) | OrderKind::WarnPublic(text) => {
                if text.trim().is_empty() {
                    return refuse(Refusal::EmptyText);
                }
            }
            OrderKind::Pause if self.state.paused => return refuse(Refusal::AlreadyPaused),
            OrderKind::Resume if !self.state.paused => return refuse(Refusal::NotPaused),
            OrderKind::Speed(x) if !(*x > 0.0 && x.is_finite()) => {
                return refuse(Refusal::BadSpeed { speed: *x });
            }
            OrderKind::FireInject(j) => {
                if self.state.delivered.contains_key(j) {
                    return refuse(Refusal::InjectDelivered { inject: j.clone() });
                }
            }
            OrderKind::Observe { evaluator, seen, note, .. } => {
                if evaluator.trim().is_empty() {
                    return refuse(Refusal::NoEvaluator);
                }
                if seen.trim().is_empty() && note.trim().is_empty() {
                    return refuse(Refusal::EmptyObservation);
                }
            }
            OrderKind::Retime(t) => {
                let new_t = self.sc().offset(t);
                if new_t < now as i64 {
                    return refuse(Refusal::TimePast { time: *t });
                }
                if new_t as u64 > self.sc().duration_secs {
                    return refuse(Refusal::TimeAfterEnd { time: *t });
                }
                if self.state.next_timed_inject(self.sc(), now).is_none() {
                    return refuse(Refusal::NoTimedInject);
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// Carries out an accepted order.
    fn apply(&mut self, by: String, order: OrderKind) {
        let now = self.clock.now;
        let mut out: Vec<Event> = Vec::new();
        match order.clone() {
            OrderKind::SetLevel(to) => {
                let from = self.state.level.replace(to);
                out.push(Event::LevelChanged { from, to, by: by.clone() });
            }
            OrderKind::Dispatch { team, to, task } => {
                self.team_orders.write(TeamOrder::Dispatch { team, to, task });
            }
            OrderKind::Recall { team } => {
                self.team_orders.write(TeamOrder::Recall { team });
            }
            OrderKind::Evacuate { from, to } => {
                self.evacuations.0.push(EvacuationOrder { t: now, by: by.clone(), from: from.clone(), to: to.clone() });
                out.push(Event::EvacuationOrdered { by: by.clone(), from, to });
            }
            OrderKind::OpenShelter(x) => {
                if let Some(s) = self.shelters.0.get_mut(&x) {
                    s.open = true;
                }
                out.push(Event::ShelterOpened { shelter: x, by: by.clone() });
            }
            OrderKind::CloseShelter(x) => {
                if let Some(s) = self.shelters.0.get_mut(&x) {
                    s.open = false;
                }
                out.push(Event::ShelterClosed { shelter: x, by: by.clone() });
            }
            OrderKind::DeliverSupplies { from, to, item, quantity } => {
                self.supply_orders.write(SupplyOrder { from, to, item, quantity });
            }
            OrderKind::CloseRoad(r) => {
                if let Ok(i) = self.road_index(&r) {
                    self.net.close_road(i, Closure::Order);
                    out.push(Event::RoadClosed { road: r, reason: format!("order:{by}") });
                }
            }
            OrderKind::ReopenRoad(r) => {
                if let Ok(i) = self.road_index(&r)
                    && self.net.reopen_road(i, &Closure::Order)
                {
                    out.push(Event::RoadReopened { road: r, reason: format!("order:{by}") });
                }
            }
            OrderKind::CloseIntake(i) => {
                self.intakes.open.insert(i.clone(), false);
                out.push(Event::IntakeClosed { intake: i, by: by.clone() });
            }
            OrderKind::OpenIntake(i) => {
                self.intakes.open.insert(i.clone(), true);
                out.push(Event::IntakeReopened { intake: i, by: by.clone() });
            }
            OrderKind::SetUpCommandPost { name, at } => {
                self.state.command_posts.push((name.clone(), at.clone()));
                out.push(Event::CommandPostSetUp { by: by.clone(), name, at });
            }
            OrderKind::SetUpWorkingGroup { name, lead, .. } => {
                self.state.working_groups.push(name.clone());
                out.push(Event::WorkingGroupSetUp { by: by.clone(), name, lead });
            }
            OrderKind::RequestSupport { to, what } => out.push(Event::SupportRequested { by: by.clone(), to, what }),
            OrderKind::WarnPublic(text) => {
                self.warnings.0.push(now);
                out.push(Event::PublicWarning { by: by.clone(), text });
            }
            OrderKind::Report { kind, to, figures } => {
                self.state.reports.push(SentReport { t: now, by: by.clone(), to: to.clone(), kind });
                out.push(Event::ReportSent { by: by.clone(), to, report: kind, figures });
            }
            OrderKind::Acknowledge(inject) => out.push(Event::Acknowledged { by: by.clone(), inject }),
            OrderKind::Log(text) => out.push(Event::Log { by: by.clone(), text }),
            OrderKind::Pause => {
                self.state.paused = true;
                out.push(Event::ExercisePaused { by: by.clone() });
            }
            OrderKind::Resume => {
                self.state.paused = false;
                out.push(Event::ExerciseResumed { by: by.clone() });
            }
            OrderKind::Speed(speed) => {
                self.state.speed = speed;
                out.push(Event::SpeedChanged { by: by.clone(), speed });
            }
            OrderKind::FireInject(j) => self.state.manual.push(j),
            OrderKind::Retime(t) => {
                let new_t = self.sc().offset(&t).max(0) as u64;
                let sc = self.scenario.0.clone();
                let (shift_s, injects) = self.state.retime(&sc, now, new_t);
                out.push(Event::InjectsRetimed { by: by.clone(), shift_s, injects });
            }
            OrderKind::EndExercise => {
                self.clock.stop_at = self.clock.stop_at.min(now + self.clock.step);
                out.push(Event::ExerciseEnded { by: by.clone() });
            }
            OrderKind::Observe { evaluator, capability, seen, rating, note } => {
                out.push(Event::Observation { evaluator, capability, seen, rating, note });
            }
        }
        for e in out {
            self.journal.write(Journaled(e));
        }
        self.record_plan_actions(&by, &order);
    }

    /// Journals the plan action this accepted order carries out: among the actions of the
    /// levels in force (triggered) not yet done, of the order's kind and target, the one due
    /// first — the giver's own if there is one. An order done by another agency than the owner is
    /// journaled (`by_owner: false`) but does not count as done.
    fn record_plan_actions(&mut self, by: &str, order: &OrderKind) {
        let Some(kind) = order.action_kind() else { return };
        let now = self.clock.now;
        let ids = order.ids();
        let sc = self.scenario.0.clone();
        let mut best: Option<(bool, u64, &crate::scenario::types::PlanAction, crate::scenario::types::Level)> = None;
        for lvl in &sc.scenario.plan.levels {
            let Some(&t0) = self.state.triggered.get(&lvl.level) else { continue };
            for pa in lvl.actions.iter().filter(|pa| pa.action == kind) {
                if self.state.actions_done.contains_key(&pa.id) {
                    continue;
                }
                let fits = match (order, &pa.target) {
                    (OrderKind::SetLevel(l), _) => *l == lvl.level,
                    (_, None) => true,
                    // an order that names nothing (a warning, a log line) fits any target
                    (_, Some(target)) => ids.is_empty() || ids.contains(&target.as_str()),
                };
                if !fits {
                    continue;
                }
                let key = (pa.owner == by, t0 + pa.deadline.secs());
                // own actions first, then the one due first
                if best.as_ref().is_none_or(|(own, due, _, _)| (!key.0, key.1) < (!*own, *due)) {
                    best = Some((key.0, key.1, pa, lvl.level));
                }
            }
        }
        let Some((by_owner, due, pa, level)) = best else { return };
        if by_owner {
            self.state.actions_done.insert(pa.id.clone(), now);
        }
        self.journal.write(Journaled(Event::PlanActionDone {
            action: pa.id.clone(),
            level,
            owner: pa.owner.clone(),
            by: by.to_string(),
            by_owner,
            late_s: now as i64 - due as i64,
        }));
    }
}

pub use crate::scenario::authority::Refusal;
pub(crate) use crate::scenario::authority::refuse;

/// Applies every order due by now, in order. **Tie rule** (time, not entry order): an
/// acknowledgement of an inject meant for its giver that has not been delivered yet waits for
/// the step's injects (`decide_deferred`), so an inject and its answer in the same minute
/// count as such, whichever comes first in the files; anything else is decided at once.
fn apply_orders(mut book: ResMut<OrderBook>, mut door: Door) {
    while let Some(p) = book.pending.get(book.next).cloned() {
        if p.t > door.clock.now {
            break;
        }
        book.next += 1;
        if door.awaits_inject(&p) {
            book.deferred.push(p);
            continue;
        }
        decide(&mut book, &mut door, p);
    }
}

/// Decides the orders that waited for this step's injects, in the order they were given
/// (`StepSet::Exercise`, after the injects and plan triggers).
pub(super) fn decide_deferred(mut book: ResMut<OrderBook>, mut door: Door) {
    for p in std::mem::take(&mut book.deferred) {
        decide(&mut book, &mut door, p);
    }
}

/// Checks one order and accepts (and carries out) or refuses it, in the journal.
fn decide(book: &mut OrderBook, door: &mut Door, p: Pending) {
    let verdict = match p.claimed.as_deref().filter(|c| *c != p.by) {
        Some(c) => Err(Refusal::Impersonation { by: p.by.clone(), claimed: c.to_string() }),
        None => door.check(&p.by, &p.order),
    };
    if let Some(tag) = p.tag {
        book.answers.push((tag, door.clock.now, verdict.clone()));
    }
    match verdict {
        Err(refusal) => {
            let claimed = p.claimed.filter(|c| *c != p.by);
            let reason = refusal.to_string();
            let refusal = Some(refusal);
            door.journal.write(Journaled(Event::OrderRefused { by: p.by, order: p.order, reason, refusal, claimed }));
        }
        Ok(()) => {
            door.journal.write(Journaled(Event::OrderAccepted { by: p.by.clone(), order: p.order.clone() }));
            door.apply(p.by, p.order);
        }
    }
}

pub(super) fn plugin(app: &mut App) {
    app.add_systems(crate::sim::SimStep, apply_orders.in_set(StepSet::Input));
    app.add_systems(crate::sim::SimInput, apply_orders.in_set(StepSet::Input));
}
