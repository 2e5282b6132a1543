//! The engine: a headless Bevy `App` that steps a simulated clock in fixed steps.
//!
//! One step of simulated time is one run of the [`SimStep`] schedule, whose system sets are
//! chained here and nowhere else: input → hazards → agents → consequences → exercise → journal
//! → clock. Ambiguity detection is an error for this schedule: two systems touching the same data
//! must be ordered, so the journal is the same whatever the thread count. The simulation never
//! reads the wall clock; randomness comes only from [`SimRng`], seeded from the run's seed.

use std::sync::Arc;

use bevy::app::{ScheduleRunnerPlugin, TaskPoolOptions, TaskPoolPlugin};
use bevy::ecs::schedule::{LogLevel, ScheduleBuildSettings, ScheduleLabel, Schedules, SingleThreadedExecutor};
use bevy::prelude::*;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use crate::exercise::orders::OrderBook;
use crate::journal::{Event, Journal, JournalError};
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

/// How a run is set up.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// The seed (the scenario's default if None).
    pub seed: Option<u64>,
    /// Stop at this many seconds after the start (the scenario's end if None).
    pub until: Option<u64>,
    /// Threads for the systems of a step. None or 1: Bevy's single-threaded executor, which is
    /// the fastest for this workload (a step's systems are small; the multi-threaded executor
    /// pays tens of µs of thread wake-ups per step, see README "Speed"). N > 1: the
    /// multi-threaded executor on N worker threads. The journal does not depend on it.
    pub threads: Option<usize>,
    pub orders: Option<OrderBook>,
}

/// Builds the headless simulation for a scenario; the journal's first entry is written here.
pub fn build_app(scenario: Arc<ValidScenario>, opts: RunOptions, mut journal: Journal) -> App {
    let seed = opts.seed.unwrap_or(scenario.scenario.meta.seed);
    let stop_at = opts.until.unwrap_or(scenario.duration_secs).min(scenario.duration_secs);
    let clock = SimClock { start: scenario.start, step: scenario.step_secs, now: 0, steps_done: 0, stop_at };

    let mut app = App::new();
    let multi = opts.threads.is_some_and(|n| n > 1);
    // Bevy's task pools are process-wide (the first app to build them sets their size; the GUI's
    // window builds them before the inner app): left at Bevy's default unless asked for.
    let task_pool_options = match opts.threads {
        Some(n) => TaskPoolOptions::with_num_threads(n),
        None => TaskPoolOptions::default(),
    };
    app.add_plugins(MinimalPlugins.set(TaskPoolPlugin { task_pool_options }).set(ScheduleRunnerPlugin::run_once()));

    let orders = opts.orders.unwrap_or_default();
    journal.push(
        0,
        clock.iso(0),
        Event::RunStarted {
            drillsim_version: env!("CARGO_PKG_VERSION").to_string(),
            scenario_path: scenario.source.path.display().to_string(),
            scenario_sha256: scenario.sha256.clone(),
            scenario_name: scenario.scenario.meta.name.clone(),
            seed,
            start: clock.iso(0),
            step_s: clock.step,
            duration_s: scenario.duration_secs,
            orders_path: orders.source.as_ref().map(|s| s.path.display().to_string()),
            orders_sha256: orders.sha256.clone(),
        },
    );
    journal.flush();

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
    app.add_schedule(step)
        .add_schedule(input)
        .insert_resource(clock)
        .insert_resource(SimRng(ChaCha8Rng::seed_from_u64(seed)))
        .insert_resource(crate::map::RoadNetwork::build(&scenario.scenario.map))
        .insert_resource(crate::map::IntakeState::build(&scenario.scenario.map))
        .insert_resource(ScenarioRes(scenario))
        .insert_resource(StepsPerUpdate(1))
        .insert_resource(journal)
        .insert_resource(orders)
        .add_systems(SimStep, advance_clock.in_set(StepSet::Clock))
        .add_systems(Update, run_steps);
    crate::plugins(&mut app);
    if !multi {
        single_threaded(&mut app);
    }
    app
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

/// Runs this update's share of simulation steps.
fn run_steps(world: &mut World) {
    let n = world.resource::<StepsPerUpdate>().0;
    for _ in 0..n {
        if world.resource::<SimClock>().finished() || world.resource::<Journal>().error.is_some() {
            break;
        }
        world.run_schedule(SimStep);
    }
}

/// Steps one `app.update()` runs in [`run_to_end`]. Bevy's frame around the steps (its `Main`
/// schedules, the task-pool tick) costs more than an idle step, so a batch run takes many steps
/// per frame; the journal is the same (live mode at speed does the same).
pub const RUN_STEPS_PER_UPDATE: u32 = 4096;

/// Runs the app until the clock stops; writes the last entry. Errors if the journal cannot be
/// written.
pub fn run_to_end(app: &mut App) -> Result<(), JournalError> {
    run_to_end_with(app, &mut |_| {})
}

/// [`run_to_end`], calling `progress` with the clock after each update (a progress bar).
pub fn run_to_end_with(app: &mut App, progress: &mut dyn FnMut(&SimClock)) -> Result<(), JournalError> {
    app.world_mut().resource_mut::<StepsPerUpdate>().0 = RUN_STEPS_PER_UPDATE;
    loop {
        app.update();
        let world = app.world_mut();
        if let Some(e) = &world.resource::<Journal>().error {
            return Err(JournalError::Write(e.clone()));
        }
        let clock = world.resource::<SimClock>().clone();
        progress(&clock);
        if clock.finished() {
            let mut journal = world.resource_mut::<Journal>();
            journal.push(clock.now, clock.iso(clock.now), Event::RunEnded { steps: clock.steps_done });
            journal.flush();
            if let Some(e) = &journal.error {
                return Err(JournalError::Write(e.clone()));
            }
            return Ok(());
        }
    }
}
