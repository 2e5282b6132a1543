//! The exercise around the simulation: orders (the one door), injects of the master events list,
//! the plan's level triggers, and the conditions they test.

pub mod conditions;
pub mod orders;

use std::collections::BTreeMap;

use bevy::prelude::*;

use crate::hazards::HazardState;
use crate::journal::{Event, Journaled};
use crate::scenario::types::{Level, ReportKind};
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

/// What the exercise knows: level, injects delivered, plan levels triggered, reports sent.
#[derive(Resource, Debug, Default)]
pub struct ExerciseState {
    pub level: Option<Level>,
    /// Inject id → time delivered.
    pub delivered: BTreeMap<String, u64>,
    /// Plan level → time its trigger first held.
    pub triggered: BTreeMap<Level, u64>,
    pub reports: Vec<SentReport>,
}

/// Delivers every inject whose condition first holds now, in the order of the events list.
fn deliver_injects(
    clock: Res<SimClock>,
    scenario: Res<ScenarioRes>,
    hazards: Res<HazardState>,
    mut state: ResMut<ExerciseState>,
    mut journal: MessageWriter<Journaled>,
) {
    for inj in &scenario.0.scenario.injects {
        if state.delivered.contains_key(&inj.id) {
            continue;
        }
        let facts = Facts { now: clock.now, scenario: &scenario.0, hazards: &hazards, exercise: &state };
        if holds(&inj.when, &facts) {
            state.delivered.insert(inj.id.clone(), clock.now);
            journal.write(Journaled(Event::InjectDelivered {
                inject: inj.id.clone(),
                from: inj.from.clone(),
                to: inj.to.clone(),
                text: inj.text.clone(),
            }));
        }
    }
}

/// Records when each response level's trigger first holds.
fn check_plan_triggers(
    clock: Res<SimClock>,
    scenario: Res<ScenarioRes>,
    hazards: Res<HazardState>,
    mut state: ResMut<ExerciseState>,
    mut journal: MessageWriter<Journaled>,
) {
    for lvl in &scenario.0.scenario.plan.levels {
        if state.triggered.contains_key(&lvl.level) {
            continue;
        }
        let facts = Facts { now: clock.now, scenario: &scenario.0, hazards: &hazards, exercise: &state };
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
    app.add_systems(crate::sim::SimStep, (deliver_injects, check_plan_triggers).chain().in_set(StepSet::Exercise));
}
