//! Agents on the county map: teams now; supplies and evacuees join here.

pub mod teams;

use std::collections::BTreeMap;

use bevy::prelude::*;

use crate::sim::ScenarioRes;

/// People still at each populated node (residents not evacuated, not dead). Evacuation moves
/// people out of it; hazard models count harm among those still there.
#[derive(Resource, Debug, Default, Clone)]
pub struct Residents(pub BTreeMap<String, f64>);

fn init_residents(scenario: Res<ScenarioRes>, mut residents: ResMut<Residents>) {
    for n in &scenario.0.scenario.map.nodes {
        if n.population > 0 {
            residents.0.insert(n.id.clone(), n.population as f64);
        }
    }
}

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<Residents>().add_systems(Startup, init_residents);
    teams::plugin(app);
}
