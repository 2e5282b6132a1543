//! The outcomes part: what the response changed — people caught by the flood, crash survivors
//! who died waiting, people who drew unsafe water — read from the hazard models' entries.

use std::collections::{BTreeMap, BTreeSet};

use super::casualties::Truth;
use super::{Ctx, OutcomesPart, part};
use crate::journal::Event;

/// The outcomes of a run and their score.
pub(super) fn outcomes(ctx: &Ctx, truth: &Truth) -> OutcomesPart {
    let mut o = OutcomesPart {
        score: 100.0,
        deaths: truth.dead(),
        flood_deaths: truth.flood_deaths,
        derailment_dead: truth.black(),
        casualties_total: truth.casualties_total(),
        patients_admitted: 0,
        water_unsafe_people: 0,
        water_protected_people: 0,
        flood_exposed_peak: 0,
        flood_at_risk: 0,
        breach_closed_after_s: BTreeMap::new(),
        dead_at_onset: 0,
        worsened_before_care: 0,
        trapped_freed_after_s: BTreeMap::new(),
        evacuation_ordered: 0,
        evacuation_left: 0,
        left_before_flood: 0,
        sheltered: 0,
        injured: truth.injured_by_triage(),
        gas_harmed: 0,
        gas_harmed_no_response: 0,
    };
    let mut exposed_now: BTreeMap<String, u64> = BTreeMap::new();
    // The flood model's own simultaneous peak (`flood_totals`) when the run has one; the running
    // sum of the zones' latest exposures is only a stand-in for a run cut before it (the zones'
    // latest values may come from different steps, so it can overstate the peak).
    let mut totals_peak: Option<u64> = None;
    let mut by_boat_to_shelter = 0;
    let mut wet: BTreeSet<&str> = BTreeSet::new();
    let mut first_casualties: BTreeSet<&str> = BTreeSet::new();
    for e in ctx.entries {
        match &e.event {
            Event::Casualties { hazard, black, .. } => {
                if first_casualties.insert(hazard) {
                    o.dead_at_onset += black;
                }
            }
            Event::Deteriorated { yellow_to_red, red_to_black, .. } => {
                o.worsened_before_care += yellow_to_red + red_to_black;
            }
            Event::Extricated { hazard, still_trapped: 0, .. } => {
                let from = ctx.hazard_onset.get(hazard).copied().unwrap_or(0);
                o.trapped_freed_after_s.entry(hazard.clone()).or_insert(e.t.saturating_sub(from));
            }
            Event::EvacuationTotals { ordered, left, left_before_flood, sheltered, .. } => {
                o.evacuation_ordered = *ordered;
                o.evacuation_left = *left;
                o.left_before_flood = *left_before_flood;
                o.sheltered = *sheltered;
            }
            Event::PatientsAdmitted { red, yellow, .. } => o.patients_admitted += red + yellow,
            Event::WaterUnsafe { people, .. } => o.water_unsafe_people += people,
            Event::IntakeProtected { people, .. } => o.water_protected_people += people,
            Event::FloodExposure { zone, exposed, wet_nodes, .. } => {
                wet.extend(wet_nodes.iter().map(String::as_str));
                exposed_now.insert(zone.clone(), *exposed);
                o.flood_exposed_peak = o.flood_exposed_peak.max(exposed_now.values().sum());
            }
            Event::FloodTotals { exposed_peak, .. } => totals_peak = Some(*exposed_peak),
            Event::BoatRescue { people, shelter: Some(_), .. } => by_boat_to_shelter += people,
            // the gas dose model's harm and its no-response shadow
            Event::GasTotals { yellow, red, dead, no_response_yellow, no_response_red, no_response_dead, .. } => {
                o.gas_harmed += yellow + red + dead;
                o.gas_harmed_no_response += no_response_yellow + no_response_red + no_response_dead;
            }
            Event::BreachClosed { hazard, .. } => {
                let from = ctx.hazard_onset.get(hazard).copied().unwrap_or(0);
                o.breach_closed_after_s.entry(hazard.clone()).or_insert(e.t.saturating_sub(from));
            }
            _ => {}
        }
    }
    o.sheltered += by_boat_to_shelter;
    if let Some(p) = totals_peak {
        o.flood_exposed_peak = p;
    }
    o.flood_at_risk =
        ctx.sc.scenario.map.nodes.iter().filter(|n| wet.contains(n.id.as_str())).map(|n| n.population as u64).sum();
    o.score = part(&outcome_credits(&o));
    o
}

/// One credit per harm the response could change (see the module's formula): the share of the
/// flood's residents not caught in the water, of the crash's survivors still alive, of the people
/// on threatened intakes who drew safe water, of the harm a gas would have done without a response.
pub fn outcome_credits(o: &OutcomesPart) -> Vec<f64> {
    let mut c = Vec::new();
    if o.flood_at_risk > 0 {
        c.push(1.0 - (o.flood_exposed_peak as f64 / o.flood_at_risk as f64).min(1.0));
    }
    let survivors = o.casualties_total.saturating_sub(o.dead_at_onset);
    if survivors > 0 {
        c.push(1.0 - (o.derailment_dead.saturating_sub(o.dead_at_onset) as f64 / survivors as f64).min(1.0));
    }
    let water = o.water_unsafe_people + o.water_protected_people;
    if water > 0 {
        c.push(o.water_protected_people as f64 / water as f64);
    }
    c.extend(gas_protection_credit(o.gas_harmed, o.gas_harmed_no_response));
    c
}

/// The credit for shelter in place and evacuation against a gas: the share of the no-response
/// harm avoided, `1 − harmed / harmed_without_response` in [0, 1]; None when the gas would have
/// harmed nobody.
pub fn gas_protection_credit(harmed: u32, harmed_no_response: u32) -> Option<f64> {
    (harmed_no_response > 0).then(|| (1.0 - harmed as f64 / harmed_no_response as f64).clamp(0.0, 1.0))
}
