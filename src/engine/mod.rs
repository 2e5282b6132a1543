//! The engine: what assembles a run. [`build_app`] makes a headless Bevy `App` (MinimalPlugins)
//! from a valid scenario, the sim's schedules and resources, and every domain plugin
//! ([`plugins`]); [`run_to_end`] steps it until the clock stops. Everything below this layer
//! (scenario, map, sim, journal, agents, hazards, exercise) knows nothing of how it is put
//! together; everything above (scoring, report, replay, sweep, serve, cli, gui) builds runs here.

use std::sync::Arc;

use bevy::app::{ScheduleRunnerPlugin, TaskPoolOptions, TaskPoolPlugin};
use bevy::prelude::*;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use crate::exercise::orders::OrderBook;
use crate::journal::{Event, Journal, JournalError};
use crate::scenario::ValidScenario;
use crate::sim::{ScenarioRes, SimClock, SimRng, SimStep, StepsPerUpdate, single_threaded};
use crate::{agents, exercise, hazards, journal};

/// Adds every simulation plugin, in one place. The order here does not order the systems:
/// `sim::add_schedules` chains the step's sets.
pub fn plugins(app: &mut App) {
    journal::plugin(app);
    hazards::plugin(app);
    agents::plugin(app);
    exercise::plugin(app);
}

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
            scenario_sha256: scenario.sha256().to_string(),
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

    crate::sim::add_schedules(&mut app);
    app.insert_resource(clock)
        .insert_resource(SimRng(ChaCha8Rng::seed_from_u64(seed)))
        .insert_resource(crate::map::RoadNetwork::build(&scenario.scenario.map))
        .insert_resource(crate::map::IntakeState::build(&scenario.scenario.map))
        .insert_resource(ScenarioRes(scenario))
        .insert_resource(StepsPerUpdate(1))
        .insert_resource(journal)
        .insert_resource(orders)
        .add_systems(Update, run_steps);
    plugins(&mut app);
    if !multi {
        single_threaded(&mut app);
    }
    app
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
