//! The exercise around the simulation: orders (the one door), injects of the master events list,
//! the plan's level triggers, and the conditions they test.

pub use crate::scenario::authority;
pub mod autoplan;
pub mod conditions;
pub(crate) mod console;
pub mod durable;
pub mod live;
pub mod orders;
pub mod placeholders;

use std::collections::BTreeMap;

use bevy::prelude::*;

use crate::hazards::HazardState;
use crate::journal::{Event, Journaled};
use crate::map::ZoneDepths;
use crate::scenario::ValidScenario;
use crate::scenario::types::{Condition, Level, ReportKind};
use crate::sim::{ScenarioRes, SimClock, StepSet};
use conditions::{Facts, describe, holds};

/// A report as the exercise remembers it (the journal has the figures).
#[derive(Debug, Clone)]
pub struct SentReport {
    pub t: u64,
    pub by: String,
    pub to: String,
    pub kind: ReportKind,
}

/// What the exercise knows: level, injects delivered, plan levels triggered, reports sent,
/// command posts and groups set up, plan actions done, and the facilitator's settings.
#[derive(Resource, Debug)]
pub struct ExerciseState {
    pub level: Option<Level>,
    /// Inject id → time delivered.
    pub delivered: BTreeMap<String, u64>,
    /// Plan level → time its trigger first held.
    pub triggered: BTreeMap<Level, u64>,
    pub reports: Vec<SentReport>,
    /// (name, node) of command posts set up.
    pub command_posts: Vec<(String, String)>,
    pub working_groups: Vec<String>,
    /// Plan action id → time its owner carried it out.
    pub actions_done: BTreeMap<String, u64>,
    /// Timed injects moved by the facilitator: inject id → new time (s).
    pub retimed: BTreeMap<String, u64>,
    /// Injects the facilitator fired, to deliver this step.
    pub manual: Vec<String>,
    /// Live pacing (no effect on the simulation itself).
    pub paused: bool,
    pub speed: f64,
}

impl Default for ExerciseState {
    fn default() -> Self {
        ExerciseState {
            level: None,
            delivered: BTreeMap::new(),
            triggered: BTreeMap::new(),
            reports: Vec::new(),
            command_posts: Vec::new(),
            working_groups: Vec::new(),
            actions_done: BTreeMap::new(),
            retimed: BTreeMap::new(),
            manual: Vec::new(),
            paused: false,
            speed: 1.0,
        }
    }
}

impl ExerciseState {
    /// The time (s) a timed (`At`) inject falls due, re-timing included.
    pub fn due(&self, scenario: &ValidScenario, inject: &crate::scenario::types::Inject) -> Option<u64> {
        match &inject.when {
            Condition::At(t) => Some(self.retimed.get(&inject.id).copied().unwrap_or(scenario.offset(t).max(0) as u64)),
            _ => None,
        }
    }

    /// The timed injects not yet delivered, by due time (then list order).
    fn pending_timed(&self, scenario: &ValidScenario) -> Vec<(u64, String)> {
        let mut v: Vec<(u64, String)> = scenario
            .scenario
            .injects
            .iter()
            .filter(|j| !self.delivered.contains_key(&j.id))
            .filter_map(|j| self.due(scenario, j).map(|t| (t, j.id.clone())))
            .collect();
        v.sort_by_key(|(t, _)| *t);
        v
    }

    /// The next timed inject not yet delivered, due at or after `now`.
    pub fn next_timed_inject(&self, scenario: &ValidScenario, now: u64) -> Option<(u64, String)> {
        self.pending_timed(scenario).into_iter().find(|(t, _)| *t >= now)
    }

    /// Moves the next timed inject to `new_t` and every later one by the same shift; returns the
    /// shift and the injects moved.
    pub fn retime(&mut self, scenario: &ValidScenario, now: u64, new_t: u64) -> (i64, Vec<String>) {
        let Some((first, _)) = self.next_timed_inject(scenario, now) else { return (0, Vec::new()) };
        let shift = new_t as i64 - first as i64;
        let mut moved = Vec::new();
        for (t, id) in self.pending_timed(scenario) {
            if t >= first {
                self.retimed.insert(id.clone(), (t as i64 + shift).max(now as i64) as u64);
                moved.push(id);
            }
        }
        (shift, moved)
    }
}

/// Delivers every inject whose condition first holds now, in the order of the events list.
fn deliver_injects(
    clock: Res<SimClock>,
    scenario: Res<ScenarioRes>,
    hazards: Res<HazardState>,
    depths: Res<ZoneDepths>,
    spills: Res<crate::hazards::spill::SpillState>,
    mut state: ResMut<ExerciseState>,
    mut journal: MessageWriter<Journaled>,
) {
    let manual = std::mem::take(&mut state.manual);
    let value = |p: &placeholders::Placeholder| placeholders::value_now(&scenario.0, &spills, &depths, clock.now, p);
    for inj in &scenario.0.scenario.injects {
        if state.delivered.contains_key(&inj.id) {
            continue;
        }
        let due = match state.due(&scenario.0, inj) {
            Some(t) => clock.now >= t,
            None => {
                let facts = Facts {
                    now: clock.now,
                    scenario: &scenario.0,
                    hazards: &hazards,
                    depths: &depths,
                    exercise: &state,
                };
                holds(&inj.when, &facts)
            }
        };
        if due || manual.contains(&inj.id) {
            state.delivered.insert(inj.id.clone(), clock.now);
            journal.write(Journaled(Event::InjectDelivered {
                inject: inj.id.clone(),
                from: inj.from.clone(),
                to: inj.to.clone(),
                text: placeholders::fill(&inj.text, value),
                text_en: inj.text_en.as_deref().map(|t| placeholders::fill(t, value)),
            }));
        }
    }
}

/// Records when each response level's trigger first holds.
pub(super) fn check_plan_triggers(
    clock: Res<SimClock>,
    scenario: Res<ScenarioRes>,
    hazards: Res<HazardState>,
    depths: Res<ZoneDepths>,
    mut state: ResMut<ExerciseState>,
    mut journal: MessageWriter<Journaled>,
) {
    for lvl in &scenario.0.scenario.plan.levels {
        if state.triggered.contains_key(&lvl.level) {
            continue;
        }
        let facts =
            Facts { now: clock.now, scenario: &scenario.0, hazards: &hazards, depths: &depths, exercise: &state };
        if let Some(t) = lvl.triggers.iter().find(|t| holds(t, &facts)) {
            let trigger = describe(t);
            state.triggered.insert(lvl.level, clock.now);
            journal.write(Journaled(Event::PlanTriggered { level: lvl.level, trigger }));
        }
    }
}

/// The exercise starts at the plan's initial level, if any.
fn start_exercise(scenario: Res<ScenarioRes>, mut state: ResMut<ExerciseState>) {
    state.level = scenario.0.scenario.plan.initial_level;
}

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<ExerciseState>().add_systems(Startup, start_exercise);
    orders::plugin(app);
    autoplan::plugin(app);
    app.add_systems(crate::sim::SimStep, (deliver_injects, check_plan_triggers).chain().in_set(StepSet::Exercise));
    // the tie rule: orders that waited for this step's injects, after them and the plan-follower
    app.add_systems(
        crate::sim::SimStep,
        orders::decide_deferred.in_set(StepSet::Exercise).after(check_plan_triggers).after(autoplan::follow_plan),
    );
}
