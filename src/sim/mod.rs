//! The simulation's vocabulary: the simulated clock, the seeded RNG, the step's system sets and
//! the two schedules. What assembles an app from them and the plugins is `engine`.
//!
//! One step of simulated time is one run of the [`SimStep`] schedule, whose system sets are
//! chained here and nowhere else ([`add_schedules`]): input → hazards → agents → consequences →
//! exercise → journal → clock. Ambiguity detection is an error for this schedule: two systems
//! touching the same data must be ordered, so the journal is the same whatever the thread count.
//! The simulation never reads the wall clock; randomness comes only from [`SimRng`], seeded from
//! the run's seed.

use std::sync::Arc;

use bevy::ecs::schedule::{LogLevel, ScheduleBuildSettings, ScheduleLabel, Schedules, SingleThreadedExecutor};
use bevy::prelude::*;
use rand_chacha::ChaCha8Rng;

use crate::scenario::ValidScenario;

/// The schedule that advances the world by one step.
#[derive(ScheduleLabel, Debug, Clone, PartialEq, Eq, Hash)]
pub struct SimStep;

/// A zero-time pass of the one door: orders due now are decided and journaled without advancing
/// the clock (live mode uses it while the exercise is paused). Their effects on agents follow in
/// the next step, exactly as if they had come in that step's `Input` set.
#[derive(ScheduleLabel, Debug, Clone, PartialEq, Eq, Hash)]
pub struct SimInput;

/// The parts of a step, in the order they run.
#[derive(SystemSet, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StepSet {
    /// Orders due now pass the one door (`exercise::orders`).
    Input,
    /// Hazards begin and evolve.
    Hazards,
    /// Teams, supplies and evacuees move and act.
    Agents,
    /// Harm and other consequences of this step.
    Consequences,
    /// Injects and plan triggers are checked against the new state.
    Exercise,
    /// This step's journal entries are written.
    Journal,
    /// The clock moves on by one step.
    Clock,
}

/// Simulated time. `now` is seconds since the scenario start; it never reads the wall clock.
#[derive(Resource, Debug, Clone)]
pub struct SimClock {
    pub start: chrono::NaiveDateTime,
    pub step: u64,
    pub now: u64,
    pub steps_done: u64,
    /// The run stops when `now` reaches this (the scenario end, or `--until`).
    pub stop_at: u64,
}

impl SimClock {
    pub fn iso(&self, t: u64) -> String {
        (self.start + chrono::Duration::seconds(t as i64)).format("%Y-%m-%dT%H:%M:%S").to_string()
    }
    pub fn finished(&self) -> bool {
        self.now >= self.stop_at
    }
}

/// The run's only source of randomness.
#[derive(Resource)]
pub struct SimRng(pub ChaCha8Rng);

/// The scenario being run (read-only).
#[derive(Resource, Clone)]
pub struct ScenarioRes(pub Arc<ValidScenario>);

/// How many steps one `app.update()` runs (1 headless; more in live mode at speed).
#[derive(Resource, Debug, Clone, Copy)]
pub struct StepsPerUpdate(pub u32);

/// Adds the [`SimStep`] and [`SimInput`] schedules to `app`, with the step's sets in their order
/// (written here only), ambiguity detection at `Error`, and the clock's advance at the end of
/// each step.
pub fn add_schedules(app: &mut App) {
    let mut step = Schedule::new(SimStep);
    step.set_build_settings(ScheduleBuildSettings { ambiguity_detection: LogLevel::Error, ..Default::default() });
    step.configure_sets(
        (
            StepSet::Input,
            StepSet::Hazards,
            StepSet::Agents,
            StepSet::Consequences,
            StepSet::Exercise,
            StepSet::Journal,
            StepSet::Clock,
        )
            .chain(),
    );
    let mut input = Schedule::new(SimInput);
    input.set_build_settings(ScheduleBuildSettings { ambiguity_detection: LogLevel::Error, ..Default::default() });
    input.configure_sets((StepSet::Input, StepSet::Journal).chain());
    app.add_schedule(step).add_schedule(input).add_systems(SimStep, advance_clock.in_set(StepSet::Clock));
}

/// Switches every schedule of `app` to Bevy's single-threaded executor: the systems of a step run
/// one after another on the calling thread, in the order the multi-threaded executor would
/// allow (the schedule's order constraints), so the journal is the same.
pub fn single_threaded(app: &mut App) {
    if let Some(mut schedules) = app.world_mut().get_resource_mut::<Schedules>() {
        for (_, schedule) in schedules.iter_mut() {
            schedule.set_executor(SingleThreadedExecutor::new());
        }
    }
}

fn advance_clock(mut clock: ResMut<SimClock>) {
    clock.now += clock.step;
    clock.steps_done += 1;
}
