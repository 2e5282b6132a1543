//! The scripted demo (`--demo`) and the session's own end (`--screenshot`, `--exit-after`).
//!
//! The demo works the GUI as a person would: after a second it takes an agency's seat, fills the
//! order form (a team, a place it can work at, a task) and gives the order; then the emergency
//! office fills the report form with figures and sends it; it also selects a town on the map.
//! The orders go through the same forms and the same [`Sim::give`] as clicks do. The timers here
//! are wall-clock and only drive the window; the simulation keeps its own clock.

use std::path::PathBuf;

use bevy::prelude::*;
use bevy::render::view::window::screenshot::{Screenshot, ScreenshotCaptured, save_to_disk};

use super::orders::FormKind;
use super::{GuiState, Seat, Session, Sim};
use crate::scenario::types::{
    AgencyRole, Capability, ChemicalSpillParams, DerailmentParams, GasReleaseParams, Hazard, LeveeBreachParams,
    NodeKind, ReportKind,
};

#[derive(Resource, Default)]
struct Shot {
    requested: bool,
    saved: bool,
    at: f32,
}

#[derive(Default)]
struct DemoSteps {
    done: u32,
}

fn demo(
    session: Res<Session>,
    time: Res<Time<Real>>,
    mut sim: NonSendMut<Sim>,
    mut state: ResMut<GuiState>,
    mut steps: Local<DemoSteps>,
) {
    if !session.demo {
        return;
    }
    let t = time.elapsed_secs();
    let sc = sim.sc.clone();
    if steps.done == 0 && t > 1.0 {
        steps.done = 1;
        // a team sent where it is wanted: to a levee for breach closure if the scenario has
        // one, else to the first hazard's site for the team's first task
        let levees = || sc.scenario.map.rivers.iter().flat_map(|r| &r.levees);
        let breached = sc.scenario.hazards.iter().find_map(|h| match h {
            Hazard::LeveeBreach(LeveeBreachParams { levee, .. }) => levees().find(|l| l.id == *levee),
            _ => None,
        });
        let levee = breached.or_else(|| levees().next()).map(|l| l.node.clone());
        let site = sc.scenario.hazards.iter().find_map(|h| match h {
            Hazard::Derailment(DerailmentParams { node, .. })
            | Hazard::ChemicalSpill(ChemicalSpillParams { node, .. })
            | Hazard::GasRelease(GasReleaseParams { node, .. }) => Some(node.clone()),
            Hazard::LeveeBreach(_) => None,
        });
        let pick = sc.scenario.resources.teams.iter().find_map(|tm| match (&levee, &site) {
            (Some(l), _) if tm.capabilities.contains(&Capability::BreachClosure) => {
                Some((tm, l.clone(), Capability::BreachClosure))
            }
            (None, Some(s)) => tm.capabilities.first().map(|c| (tm, s.clone(), *c)),
            _ => None,
        });
        if let Some((team, target, task)) = pick {
            state.seat = Seat::Agency(team.agency.clone());
            state.form.kind = FormKind::Dispatch;
            state.form.team = team.id.clone();
            state.form.target = target;
            state.form.task = Some(task);
            if let Ok(order) = state.form.order() {
                sim.give(&team.agency, &order);
            }
        }
    }
    if steps.done == 1 && t > 2.0 {
        steps.done = 2;
        let office = sc.scenario.agencies.iter().find(|a| a.role == AgencyRole::EmergencyOffice);
        let higher = sc.scenario.agencies.iter().find(|a| a.role == AgencyRole::Higher);
        if let (Some(o), Some(h)) = (office, higher) {
            state.seat = Seat::Agency(o.id.clone());
            state.form.report_kind = ReportKind::Phone;
            state.form.report_to = h.id.clone();
            state.form.figures = ["0".into(), "0".into(), String::new(), String::new(), String::new()];
            state.form.actions_taken = "demo: 已组织抢险 rescue under way".into();
            if let Ok(order) = state.form.report() {
                sim.give(&o.id, &order);
            }
        }
        state.selected = sc
            .scenario
            .map
            .nodes
            .iter()
            .filter(|n| matches!(n.kind, NodeKind::Town | NodeKind::Township))
            .max_by_key(|n| n.population)
            .map(|n| n.id.clone());
    }
}

/// Takes the screenshot shortly before `--exit-after`, then closes the window once it is saved.
fn session_end(
    mut commands: Commands,
    session: Res<Session>,
    time: Res<Time<Real>>,
    mut shot: ResMut<Shot>,
    mut exit: MessageWriter<AppExit>,
) {
    let Some(limit) = session.exit_after else { return };
    let t = time.elapsed_secs();
    match &session.screenshot {
        Some(path) => {
            if !shot.requested && t >= (limit as f32 - 1.0).max(limit as f32 * 0.8) {
                shot.requested = true;
                shot.at = t;
                let path: PathBuf = path.clone();
                let _ = std::fs::remove_file(&path); // a stale file must not pass for this one
                commands.spawn(Screenshot::primary_window()).observe(
                    move |captured: On<ScreenshotCaptured>, mut shot: ResMut<Shot>| {
                        let mut save = save_to_disk(&path);
                        save(captured);
                        shot.saved = path.is_file();
                        if !shot.saved {
                            eprintln!("error: the screenshot could not be written to {}", path.display());
                        }
                    },
                );
            }
            if shot.saved {
                eprintln!("drillsim play: screenshot saved after {t:.1} s");
                exit.write(AppExit::Success);
            } else if shot.requested && t > shot.at + 20.0 {
                eprintln!("error: no screenshot was captured within 20 s");
                exit.write(AppExit::error());
            }
        }
        None => {
            if t >= limit as f32 {
                exit.write(AppExit::Success);
            }
        }
    }
}

pub(super) fn plugin(app: &mut App) {
    session_plugin(app);
    app.add_systems(Update, demo);
}

/// Only the session's own end (`--screenshot`, `--exit-after`): a seat of a server has no demo.
pub(super) fn session_plugin(app: &mut App) {
    app.init_resource::<Shot>().add_systems(Update, session_end);
}
