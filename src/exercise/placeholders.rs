//! Model values quoted in inject texts, filled at delivery (`fill`, with the value of each
//! placeholder now: [`value_now`]), so an inject never says something the simulation does not.
//! The placeholders' syntax and reading are the scenario format's: `scenario::placeholders`.

use std::collections::BTreeMap;

use crate::hazards::spill::{SpillState, equivalent, path_between};
use crate::map::ZoneDepths;
use crate::scenario::ValidScenario;
pub use crate::scenario::placeholders::{Malformed, Placeholder, fill, find};
use crate::scenario::types::{ChemicalSpillParams, Hazard, Reach};

/// Spill concentration (mg/L) at km `km` of `reach` at scenario time `t` (s): the sum over the
/// scenario's chemical spills downstream of which the point lies.
pub fn spill_concentration(sc: &ValidScenario, spills: &SpillState, reach: &str, km: f64, t: u64) -> f64 {
    let reaches: BTreeMap<&str, &Reach> =
        sc.scenario.map.rivers.iter().flat_map(|r| &r.reaches).map(|r| (r.id.as_str(), r)).collect();
    let mut c = 0.0;
    for source in &spills.sources {
        let Some(Hazard::ChemicalSpill(ChemicalSpillParams { reach: from, at_km, .. })) =
            sc.scenario.hazards.iter().find(|h| h.id() == source.hazard)
        else {
            continue;
        };
        let Some(path) = path_between(&reaches, from, *at_km, reach, km) else { continue };
        c += source.at(&equivalent(&path), t as f64);
    }
    c
}

/// The value of a placeholder now, from the hazard models' state.
pub fn value_now(sc: &ValidScenario, spills: &SpillState, depths: &ZoneDepths, t: u64, p: &Placeholder) -> Option<f64> {
    match p {
        Placeholder::Conc { reach, km } => Some(spill_concentration(sc, spills, reach, *km, t)),
        Placeholder::Depth { zone } => sc
            .scenario
            .map
            .flood_zones
            .iter()
            .any(|z| z.id == *zone)
            .then(|| depths.0.get(zone).copied().unwrap_or(0.0)),
    }
}
