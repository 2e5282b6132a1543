//! Agents on the county map: teams, supplies, and the people to be evacuated.

pub mod evacuees;
pub mod supplies;
pub mod teams;

use std::collections::BTreeMap;

use bevy::prelude::*;

use crate::sim::ScenarioRes;

/// People still at each populated node (residents not evacuated, not dead). Evacuation moves
/// people out of it; hazard models count harm among those still there.
#[derive(Resource, Debug, Default, Clone)]
pub struct Residents(pub BTreeMap<String, f64>);

/// Shelters by node id: capacity, people in, open or not.
#[derive(Resource, Debug, Default, Clone)]
pub struct Shelters(pub BTreeMap<String, ShelterState>);

#[derive(Debug, Clone, PartialEq)]
pub struct ShelterState {
    pub capacity: u32,
    pub occupants: u32,
    pub open: bool,
}

/// An evacuation ordered through the one door: the people of `from` (a node or a flood zone) to
/// the shelter at `to`. The evacuee model moves them.
#[derive(Debug, Clone, PartialEq)]
pub struct EvacuationOrder {
    pub t: u64,
    pub by: String,
    pub from: String,
    pub to: String,
}

/// Evacuations ordered so far, in order.
#[derive(Resource, Debug, Default, Clone)]
pub struct Evacuations(pub Vec<EvacuationOrder>);

fn init_people(scenario: Res<ScenarioRes>, mut residents: ResMut<Residents>, mut shelters: ResMut<Shelters>) {
    for n in &scenario.0.scenario.map.nodes {
        if n.population > 0 {
            residents.0.insert(n.id.clone(), n.population as f64);
        }
    }
    for s in &scenario.0.scenario.resources.shelters {
        shelters.0.insert(s.node.clone(), ShelterState { capacity: s.capacity, occupants: 0, open: s.open });
    }
}

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<Residents>()
        .init_resource::<Shelters>()
        .init_resource::<Evacuations>()
        .add_systems(Startup, init_people);
    teams::plugin(app);
    supplies::plugin(app);
    evacuees::plugin(app);
}
