//! The run summary (`OUT/summary.json`): a pure function of the scenario and the journal.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{Entry, Event};
use crate::scenario::ValidScenario;
use crate::scenario::types::Level;

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Summary {
    pub scenario: String,
    pub scenario_sha256: String,
    pub seed: u64,
    pub start: String,
    /// Calendar time the run reached.
    pub reached: String,
    pub simulated_s: u64,
    pub completed: bool,
    pub entries: usize,
    pub entries_by_kind: BTreeMap<String, usize>,
    pub hazards_begun: Vec<String>,
    /// START categories summed over hazards (each hazard's latest counts).
    pub casualties: Casualties,
    /// People served by intakes that delivered water above a spill's threshold.
    pub water_affected: u32,
    pub injects_delivered: usize,
    pub injects_total: usize,
    pub orders_accepted: usize,
    pub orders_refused: usize,
    pub reports_sent: usize,
    pub final_level: Option<Level>,
    pub plan_levels_triggered: Vec<Level>,
    pub team_arrivals: usize,
    /// People drowned in flood zones (`flood_deaths` entries, then `flood_totals` at the end).
    pub flood_deaths: u32,
    /// Levee breaches closed by closure work.
    pub breaches_closed: Vec<String>,
    /// Flood zone id → deepest water, m (from the run's `flood_totals`).
    pub flood_max_depth_m: BTreeMap<String, f64>,
    /// People who left home on an evacuation order (`evacuation_totals`, else progress entries).
    pub evacuated: u32,
    /// People taken in by shelters: evacuees by road (`shelter_arrivals`) and people brought by
    /// boat (`boat_rescue` with a shelter).
    pub sheltered: u32,
    /// Gas releases (`gas_totals`): people harmed (yellow + red + dead) and how many the
    /// no-response shadow harmed (every resident at home, no warning).
    pub gas_harmed: u32,
    pub gas_harmed_no_response: u32,
    /// When 50/90/99/100 % of the complying evacuees had reached a shelter (`evacuation_clearance`;
    /// None without an evacuation).
    pub clearance: Option<Clearance>,
}

/// Clearance times, s since the start; None for a share not reached by the end.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Clearance {
    /// The complying people ordered out (100 %).
    pub people: u32,
    pub p50_s: Option<u64>,
    pub p90_s: Option<u64>,
    pub p99_s: Option<u64>,
    pub p100_s: Option<u64>,
}

#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Casualties {
    pub green: u32,
    pub yellow: u32,
    pub red: u32,
    pub black: u32,
}

/// Summarises a journal.
pub fn summarize(scenario: &ValidScenario, entries: &[Entry]) -> Summary {
    let mut s = Summary {
        scenario: scenario.scenario.meta.name.clone(),
        scenario_sha256: scenario.sha256().to_string(),
        seed: 0,
        start: String::new(),
        reached: String::new(),
        simulated_s: 0,
        completed: false,
        entries: entries.len(),
        entries_by_kind: BTreeMap::new(),
        hazards_begun: Vec::new(),
        casualties: Casualties::default(),
        water_affected: 0,
        injects_delivered: 0,
        injects_total: scenario.scenario.injects.len(),
        orders_accepted: 0,
        orders_refused: 0,
        reports_sent: 0,
        final_level: None,
        plan_levels_triggered: Vec::new(),
        team_arrivals: 0,
        flood_deaths: 0,
        breaches_closed: Vec::new(),
        flood_max_depth_m: BTreeMap::new(),
        evacuated: 0,
        sheltered: 0,
        gas_harmed: 0,
        gas_harmed_no_response: 0,
        clearance: None,
    };
    let mut left_by_origin: BTreeMap<String, u32> = BTreeMap::new();
    let mut evacuated_total: Option<u32> = None;
    // A casualties entry holds a hazard's current counts: the latest one per hazard counts.
    let mut latest_casualties: BTreeMap<String, [u32; 4]> = BTreeMap::new();
    for e in entries {
        *s.entries_by_kind.entry(e.event.kind().to_string()).or_default() += 1;
        s.simulated_s = s.simulated_s.max(e.t);
        s.reached = e.time.clone();
        match &e.event {
            Event::RunStarted { seed, start, .. } => {
                s.seed = *seed;
                s.start = start.clone();
            }
            Event::HazardOnset { hazard, .. } => s.hazards_begun.push(hazard.clone()),
            Event::Casualties { hazard, green, yellow, red, black } => {
                latest_casualties.insert(hazard.clone(), [*green, *yellow, *red, *black]);
            }
            Event::WaterUnsafe { people, .. } => s.water_affected += people,
            Event::InjectDelivered { .. } => s.injects_delivered += 1,
            Event::OrderAccepted { .. } => s.orders_accepted += 1,
            Event::OrderRefused { .. } => s.orders_refused += 1,
            Event::ReportSent { .. } => s.reports_sent += 1,
            Event::LevelChanged { to, .. } => s.final_level = Some(*to),
            Event::PlanTriggered { level, .. } => s.plan_levels_triggered.push(*level),
            Event::TeamArrived { .. } => s.team_arrivals += 1,
            Event::FloodDeaths { deaths, .. } => s.flood_deaths += deaths,
            Event::BreachClosed { hazard, .. } => s.breaches_closed.push(hazard.clone()),
            Event::FloodTotals { max_depth_m, deaths, .. } => {
                s.flood_max_depth_m = max_depth_m.clone();
                // the milestones lag; the totals at the end are exact
                s.flood_deaths = *deaths;
            }
            Event::EvacuationProgress { from, left, .. } => {
                left_by_origin.insert(from.clone(), *left);
            }
            Event::EvacuationTotals { left, .. } => evacuated_total = Some(*left),
            Event::ShelterArrivals { people, .. } => s.sheltered += people,
            Event::BoatRescue { people, shelter: Some(_), .. } => s.sheltered += people,
            Event::GasTotals { yellow, red, dead, no_response_yellow, no_response_red, no_response_dead, .. } => {
                s.gas_harmed += yellow + red + dead;
                s.gas_harmed_no_response += no_response_yellow + no_response_red + no_response_dead;
            }
            Event::EvacuationClearance { people, p50_s, p90_s, p99_s, p100_s, .. } => {
                s.clearance =
                    Some(Clearance { people: *people, p50_s: *p50_s, p90_s: *p90_s, p99_s: *p99_s, p100_s: *p100_s })
            }
            Event::RunEnded { .. } => s.completed = true,
            _ => {}
        }
    }
    s.evacuated = evacuated_total.unwrap_or_else(|| left_by_origin.values().sum());
    for [green, yellow, red, black] in latest_casualties.into_values() {
        s.casualties.green += green;
        s.casualties.yellow += yellow;
        s.casualties.red += red;
        s.casualties.black += black;
    }
    s
}
