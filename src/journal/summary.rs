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
    /// START categories summed over hazards.
    pub casualties: Casualties,
    pub injects_delivered: usize,
    pub injects_total: usize,
    pub orders_accepted: usize,
    pub orders_refused: usize,
    pub reports_sent: usize,
    pub final_level: Option<Level>,
    pub plan_levels_triggered: Vec<Level>,
    pub team_arrivals: usize,
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
        scenario_sha256: scenario.sha256.clone(),
        seed: 0,
        start: String::new(),
        reached: String::new(),
        simulated_s: 0,
        completed: false,
        entries: entries.len(),
        entries_by_kind: BTreeMap::new(),
        hazards_begun: Vec::new(),
        casualties: Casualties::default(),
        injects_delivered: 0,
        injects_total: scenario.scenario.injects.len(),
        orders_accepted: 0,
        orders_refused: 0,
        reports_sent: 0,
        final_level: None,
        plan_levels_triggered: Vec::new(),
        team_arrivals: 0,
    };
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
            Event::Casualties { green, yellow, red, black, .. } => {
                s.casualties.green += green;
                s.casualties.yellow += yellow;
                s.casualties.red += red;
                s.casualties.black += black;
            }
            Event::InjectDelivered { .. } => s.injects_delivered += 1,
            Event::OrderAccepted { .. } => s.orders_accepted += 1,
            Event::OrderRefused { .. } => s.orders_refused += 1,
            Event::ReportSent { .. } => s.reports_sent += 1,
            Event::LevelChanged { to, .. } => s.final_level = Some(*to),
            Event::PlanTriggered { level, .. } => s.plan_levels_triggered.push(*level),
            Event::TeamArrived { .. } => s.team_arrivals += 1,
            Event::RunEnded { .. } => s.completed = true,
            _ => {}
        }
    }
    s
}
