//! Hazards: when each begins, and the state other parts read (casualties; zone depths go to
//! `map::ZoneDepths`).
//!
//! This is the onset slot every hazard model plugs into: a levee breach begins at its time or when
//! the river stage first reaches the crest; a derailment draws its casualties into START
//! categories (seeded); a chemical spill begins its release. The physics that follows onset
//! (breach growth, inundation, deterioration, advection–dispersion) belongs to each model.

pub mod derailment;
pub mod flood;
pub mod plume;
pub mod rescue;
pub mod spill;

use std::collections::BTreeMap;

use bevy::prelude::*;
use rand::Rng;

use crate::journal::{Event, Journaled};
use crate::scenario::ValidScenario;
use crate::scenario::types::{
    ChemicalSpillParams, DerailmentParams, GasReleaseParams, Hazard, LeveeBreachParams, StagePoint, TriageShares,
};
use crate::sim::{ScenarioRes, SimClock, SimRng, StepSet};

/// What the hazards have done so far.
#[derive(Resource, Debug, Default)]
pub struct HazardState {
    /// Hazard id → onset time (s).
    pub onset: BTreeMap<String, u64>,
    /// Hazard id → casualties [green, yellow, red, black].
    pub casualties: BTreeMap<String, [u32; 4]>,
    /// Levee id → river stage at the levee (m) where the flood model routes the reach
    /// (`river_bed_elevation_m`): the hydrograph's stage drawn down by the breach. Absent for a
    /// levee whose river is not routed, or before any breach (then the hydrograph holds).
    pub river_stage: BTreeMap<String, f64>,
    /// Hazard id → new casualties [green, yellow, red, black] not yet taken over by the
    /// casualty model (`derailment`): the gas dose model's harm joins the same chain.
    pub pending_patients: BTreeMap<String, [u32; 4]>,
}

/// Times the public was warned (`WarnPublic`, written by the door in `exercise::orders`): people
/// shelter in place from then on (`plume`'s dose model).
#[derive(Resource, Debug, Default)]
pub struct PublicWarnings(pub Vec<u64>);

impl HazardState {
    /// All casualties (dead and injured) known so far.
    pub fn casualties_total(&self) -> u32 {
        self.casualties.values().flat_map(|c| c.iter()).sum()
    }
}

/// River stage (m) at `t` seconds, linear between hydrograph points and flat beyond them.
pub fn stage_at(points: &[StagePoint], scenario: &ValidScenario, t: u64) -> Option<f64> {
    let t = t as f64;
    let pts: Vec<(f64, f64)> = points.iter().map(|p| (scenario.offset(&p.at) as f64, p.stage_m)).collect();
    let first = pts.first()?;
    if t <= first.0 {
        return Some(first.1);
    }
    for w in pts.windows(2) {
        let ((t0, s0), (t1, s1)) = (w[0], w[1]);
        if t <= t1 {
            return Some(s0 + (s1 - s0) * (t - t0) / (t1 - t0));
        }
    }
    pts.last().map(|p| p.1)
}

/// Draws `n` casualties into START categories [green, yellow, red, black] by `shares`.
pub fn draw_triage(n: u32, shares: &TriageShares, rng: &mut impl Rng) -> [u32; 4] {
    let cum = [shares.green, shares.green + shares.yellow, shares.green + shares.yellow + shares.red];
    let mut out = [0u32; 4];
    for _ in 0..n {
        let u: f64 = rng.random::<f64>() * (shares.green + shares.yellow + shares.red + shares.black);
        let k = cum.iter().position(|c| u < *c).unwrap_or(3);
        out[k] += 1;
    }
    out
}

fn hazard_onsets(
    clock: Res<SimClock>,
    scenario: Res<ScenarioRes>,
    mut state: ResMut<HazardState>,
    mut rng: ResMut<SimRng>,
    mut journal: MessageWriter<Journaled>,
) {
    let sc = &scenario.0;
    for h in &sc.scenario.hazards {
        if state.onset.contains_key(h.id()) {
            continue;
        }
        let (begins, place, detail) = match h {
            Hazard::LeveeBreach(LeveeBreachParams { levee, at, stage, initial_width_m, .. }) => {
                let crest = sc.scenario.map.levee(levee).map(|l| l.crest_elevation_m);
                let now_stage = stage_at(stage, sc, clock.now);
                let begins = match at {
                    Some(at) => clock.now as i64 >= sc.offset(at),
                    None => matches!((now_stage, crest), (Some(s), Some(c)) if s >= c),
                };
                let detail =
                    format!("breach {initial_width_m} m wide; river stage {:.2} m", now_stage.unwrap_or(f64::NAN));
                (begins, levee.clone(), detail)
            }
            Hazard::Derailment(DerailmentParams { node, at, casualties, .. }) => {
                (clock.now as i64 >= sc.offset(at), node.clone(), format!("{casualties} casualties"))
            }
            Hazard::ChemicalSpill(ChemicalSpillParams { node, at, substance, mass_kg, reach, at_km, .. }) => (
                clock.now as i64 >= sc.offset(at),
                node.clone(),
                format!("{mass_kg} kg of {substance} into reach {reach} at {at_km} km"),
            ),
            Hazard::GasRelease(GasReleaseParams { node, at, substance, rate_kg_s, duration, .. }) => (
                clock.now as i64 >= sc.offset(at),
                node.clone(),
                format!("{rate_kg_s} kg/s of {substance} for {duration}"),
            ),
        };
        if !begins {
            continue;
        }
        state.onset.insert(h.id().to_string(), clock.now);
        journal.write(Journaled(Event::HazardOnset {
            hazard: h.id().to_string(),
            hazard_kind: h.kind_name().to_string(),
            place,
            detail,
        }));
        if let Hazard::Derailment(DerailmentParams { casualties, triage, .. }) = h {
            let [green, yellow, red, black] = draw_triage(*casualties, triage, &mut rng.0);
            state.casualties.insert(h.id().to_string(), [green, yellow, red, black]);
            journal.write(Journaled(Event::Casualties { hazard: h.id().to_string(), green, yellow, red, black }));
        }
    }
}

/// The hazard models' systems, in their order within the step — written here once. (They all
/// write the journal, so each pair must be ordered; the ambiguity check enforces it.)
pub(super) fn plugin(app: &mut App) {
    app.init_resource::<HazardState>().init_resource::<PublicWarnings>().init_resource::<crate::map::ZoneDepths>();
    derailment::plugin(app);
    spill::plugin(app);
    plume::plugin(app);
    flood::plugin(app);
    rescue::plugin(app);
    app.add_systems(
        crate::sim::SimStep,
        (
            (
                hazard_onsets,
                spill::spill_step,
                plume::plume_step,
                plume::dose_step,
                flood::flood_casualties_system,
                flood::flood_step,
            )
                .chain()
                .in_set(StepSet::Hazards),
            (derailment::derailment_step, rescue::boat_rescue, flood::flood_consequences)
                .chain()
                .in_set(StepSet::Consequences),
        ),
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn triage_draw_keeps_the_count_and_follows_shares() {
        let shares = TriageShares { green: 0.5, yellow: 0.3, red: 0.15, black: 0.05 };
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
        let c = draw_triage(100_000, &shares, &mut rng);
        assert_eq!(c.iter().sum::<u32>(), 100_000);
        for (got, want) in c.iter().zip([0.5, 0.3, 0.15, 0.05]) {
            assert!((*got as f64 / 100_000.0 - want).abs() < 0.01, "{c:?}");
        }
    }
}
