//! The one casualty vocabulary of scores, comparisons, courses, reports and the report form:
//!
//! - **dead**: START black of every derailment plus flood deaths;
//! - **missing**: not modelled (a reported figure is not checked);
//! - **injured**: every *living* casualty — green (walking wounded), yellow and red — with the
//!   triage breakdown; **seriously injured** (重伤, for the grade of Decree 493) are the red.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::journal::Event;

/// Living casualties by START category.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Injured {
    pub green: u32,
    pub yellow: u32,
    pub red: u32,
}

impl Injured {
    /// All living casualties: what "injured" means everywhere.
    pub fn total(self) -> u32 {
        self.green + self.yellow + self.red
    }
}

/// The truth at a point of the journal: dead and injured so far (apply entries in order).
#[derive(Debug, Clone, Default)]
pub struct Truth {
    /// Hazard → its latest (green, yellow, red, black).
    pub casualties: BTreeMap<String, [u32; 4]>,
    pub flood_deaths: u32,
    /// The most red (seriously injured) at once.
    pub peak_red: u32,
}

impl Truth {
    pub fn apply(&mut self, ev: &Event) {
        match ev {
            Event::Casualties { hazard, green, yellow, red, black } => {
                self.casualties.insert(hazard.clone(), [*green, *yellow, *red, *black]);
                self.peak_red = self.peak_red.max(self.injured_by_triage().red);
            }
            Event::FloodDeaths { deaths, .. } => self.flood_deaths += deaths,
            // the milestones lag the model; the totals written at the end are exact
            Event::FloodTotals { deaths, .. } => self.flood_deaths = self.flood_deaths.max(*deaths),
            _ => {}
        }
    }
    pub fn black(&self) -> u32 {
        self.casualties.values().map(|c| c[3]).sum()
    }
    pub fn dead(&self) -> u32 {
        self.black() + self.flood_deaths
    }
    pub fn injured_by_triage(&self) -> Injured {
        let mut i = Injured::default();
        for c in self.casualties.values() {
            i.green += c[0];
            i.yellow += c[1];
            i.red += c[2];
        }
        i
    }
    /// Living casualties: green, yellow and red.
    pub fn injured(&self) -> u32 {
        self.injured_by_triage().total()
    }
    /// Dead and living casualties of the hazards with START casualties.
    pub fn casualties_total(&self) -> u32 {
        self.casualties.values().map(|c| c.iter().sum::<u32>()).sum()
    }
}
