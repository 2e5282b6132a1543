//! Teams: spawned at their home node, sent along the fastest open road route, journaled on
//! departure and arrival; an arrived team works at its task until sent elsewhere. (Congestion
//! and task durations come with the agents model.)

use std::collections::BTreeMap;

use bevy::prelude::*;
use petgraph::graph::NodeIndex;

use crate::journal::{Event, Journaled};
use crate::map::RoadNetwork;
use crate::scenario::types::Capability;
use crate::sim::{ScenarioRes, SimClock, StepSet};

/// A response team (fire brigade, medical team, militia company…).
#[derive(Component, Debug, Clone)]
pub struct Team {
    pub id: String,
    pub agency: String,
    pub capabilities: Vec<Capability>,
    pub speed_factor: f64,
    pub home: NodeIndex,
    /// Where the team is, or the last node it passed.
    pub location: NodeIndex,
    pub trip: Option<Trip>,
    /// The task the team is doing at `location`, once arrived (hazard models read this).
    pub working: Option<Capability>,
}

/// A team on the road.
#[derive(Debug, Clone)]
pub struct Trip {
    pub to: NodeIndex,
    pub task: Option<Capability>,
    /// Nodes of the route with the time (s) the team reaches each.
    pub legs: Vec<(NodeIndex, u64)>,
}

impl Team {
    /// The node the team is at, or last passed, at `now`.
    pub fn node_at(&self, now: u64) -> NodeIndex {
        match &self.trip {
            Some(trip) => trip.legs.iter().take_while(|(_, t)| *t <= now).last().map_or(self.location, |(n, _)| *n),
            None => self.location,
        }
    }
}

/// Team id → entity, in id order (for deterministic iteration).
#[derive(Resource, Debug, Default)]
pub struct TeamIndex(pub BTreeMap<String, Entity>);

/// What the one door tells teams to do (already checked).
#[derive(Message, Debug, Clone)]
pub enum TeamOrder {
    Dispatch { team: String, to: String, task: Capability },
    Recall { team: String },
}

fn spawn_teams(
    mut commands: Commands,
    scenario: Res<ScenarioRes>,
    net: Res<RoadNetwork>,
    mut index: ResMut<TeamIndex>,
) {
    for t in &scenario.0.scenario.resources.teams {
        let Some(home) = net.node(&t.home) else { continue };
        let e = commands
            .spawn(Team {
                id: t.id.clone(),
                agency: t.agency.clone(),
                capabilities: t.capabilities.clone(),
                speed_factor: t.speed_factor,
                home,
                location: home,
                trip: None,
                working: None,
            })
            .id();
        index.0.insert(t.id.clone(), e);
    }
}

/// Starts trips for this step's team orders.
fn start_trips(
    mut orders: MessageReader<TeamOrder>,
    clock: Res<SimClock>,
    net: Res<RoadNetwork>,
    index: Res<TeamIndex>,
    mut teams: Query<&mut Team>,
    mut journal: MessageWriter<Journaled>,
) {
    for order in orders.read() {
        let (id, to, task) = match order {
            TeamOrder::Dispatch { team, to, task } => (team, net.node(to), Some(*task)),
            TeamOrder::Recall { team } => (team, None, None),
        };
        let Some(mut team) = index.0.get(id).and_then(|e| teams.get_mut(*e).ok()) else { continue };
        let from = team.node_at(clock.now);
        let to = to.unwrap_or(team.home);
        let legs = match net.route(from, to, team.speed_factor) {
            Some(route) => timed_legs(&net, &route.nodes, clock.now, team.speed_factor),
            None => vec![(from, clock.now)],
        };
        let eta = legs.last().map_or(clock.now, |l| l.1);
        journal.write(Journaled(Event::TeamDispatched {
            team: team.id.clone(),
            from: net.id_of(from).to_string(),
            to: net.id_of(to).to_string(),
            task,
            eta_s: eta - clock.now,
            route: legs.iter().map(|(n, _)| net.id_of(*n).to_string()).collect(),
        }));
        team.location = from;
        team.working = None;
        team.trip = Some(Trip { to, task, legs });
    }
}

/// Arrival time at each node of a route, leaving `from` at `now`.
fn timed_legs(net: &RoadNetwork, nodes: &[NodeIndex], now: u64, speed_factor: f64) -> Vec<(NodeIndex, u64)> {
    let mut t = now as f64;
    let mut legs = vec![(nodes[0], now)];
    for w in nodes.windows(2) {
        let secs = net
            .graph
            .edges_connecting(w[0], w[1])
            .filter(|e| e.weight().open)
            .map(|e| e.weight().free_secs(speed_factor))
            .fold(f64::INFINITY, f64::min);
        t += secs;
        legs.push((w[1], t.ceil() as u64));
    }
    legs
}

/// Teams whose trip ends by now arrive.
pub(super) fn arrivals(
    clock: Res<SimClock>,
    net: Res<RoadNetwork>,
    index: Res<TeamIndex>,
    mut teams: Query<&mut Team>,
    mut journal: MessageWriter<Journaled>,
) {
    for e in index.0.values() {
        let Ok(mut team) = teams.get_mut(*e) else { continue };
        let Some(trip) = &team.trip else { continue };
        if trip.legs.last().is_some_and(|(_, t)| *t <= clock.now) {
            let (to, task) = (trip.to, trip.task);
            team.location = to;
            team.trip = None;
            team.working = task;
            journal.write(Journaled(Event::TeamArrived { team: team.id.clone(), at: net.id_of(to).to_string(), task }));
        }
    }
}

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<TeamIndex>()
        .add_message::<TeamOrder>()
        .add_systems(Startup, spawn_teams)
        .add_systems(crate::sim::SimStep, (start_trips, arrivals).chain().in_set(StepSet::Agents));
}
