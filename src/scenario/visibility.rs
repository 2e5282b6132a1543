//! The `visibility` section: what each agency's seat of a served exercise (`drillsim serve`) may
//! see on its map. As in a control-cell-run exercise, the players do not see the simulation's
//! ground truth: by default a hazard reaches an agency only as the injects addressed to it report
//! it, frozen at the last such report; other agencies' teams and stocks are hidden. The
//! facilitator and evaluators always see everything; observers see only what is public.
//!
//! ```ron
//! visibility: (
//!     hazards: AsReported,          // every agency's default: AsReported | Always | Never
//!     other_teams: false,           // teams of other agencies
//!     other_stocks: false,          // other agencies' depot stocks
//!     agencies: { "water": (hazards: Always) },   // per agency, over the defaults
//!     reports: { "d03": ["breach"] },              // which hazards an inject reports
//! ),
//! ```

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::diag::Collector;
use super::types::{Condition, Hazard, Inject, Scenario};

/// How much of a hazard's state an agency's seat sees.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
pub enum HazardSight {
    /// What the injects addressed to the agency have reported, as of the last such report.
    #[default]
    AsReported,
    /// The simulation's state as it changes (a gauge or a camera of its own).
    Always,
    /// Nothing on the map: only the inject texts.
    Never,
}

/// One agency's exceptions to the defaults; a field left out keeps the default.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Sight {
    #[serde(default)]
    pub hazards: Option<HazardSight>,
    #[serde(default)]
    pub other_teams: Option<bool>,
    #[serde(default)]
    pub other_stocks: Option<bool>,
}

/// What an agency's seat sees, the defaults and its exceptions taken together.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Seen {
    pub hazards: HazardSight,
    pub other_teams: bool,
    pub other_stocks: bool,
}

impl Seen {
    /// Everything (the facilitator's and evaluators' view).
    pub const ALL: Seen = Seen { hazards: HazardSight::Always, other_teams: true, other_stocks: true };
    /// Only what is public (observers).
    pub const PUBLIC: Seen = Seen { hazards: HazardSight::Never, other_teams: false, other_stocks: false };
}

/// The `visibility` section.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Visibility {
    /// Every agency's hazard view unless `agencies` says otherwise.
    #[serde(default)]
    pub hazards: HazardSight,
    /// Whether agencies see other agencies' teams (where they are, what they do).
    #[serde(default)]
    pub other_teams: bool,
    /// Whether agencies see other agencies' depot stocks.
    #[serde(default)]
    pub other_stocks: bool,
    /// Per agency id: exceptions to the defaults above.
    #[serde(default)]
    pub agencies: BTreeMap<String, Sight>,
    /// Per inject id: the hazards it reports (an empty list: none). An inject not listed reports
    /// the hazards its trigger or its model values are about (see [`Visibility::reports`]).
    #[serde(default)]
    pub reports: BTreeMap<String, Vec<String>>,
}

impl Visibility {
    /// What agency `agency`'s seat sees.
    pub fn of(&self, agency: &str) -> Seen {
        let x = self.agencies.get(agency);
        Seen {
            hazards: x.and_then(|s| s.hazards).unwrap_or(self.hazards),
            other_teams: x.and_then(|s| s.other_teams).unwrap_or(self.other_teams),
            other_stocks: x.and_then(|s| s.other_stocks).unwrap_or(self.other_stocks),
        }
    }

    /// The hazards inject `j` reports: as listed in `reports`, or else those its trigger is about
    /// (`HazardOnset` of a hazard; a river stage at a breaching levee or a flood zone's depth:
    /// the levee breaches) and those whose model values its text quotes (`{depth:…}`: the levee
    /// breaches; `{conc:…}`: the chemical spills).
    pub fn reports(&self, s: &Scenario, j: &Inject) -> BTreeSet<String> {
        if let Some(list) = self.reports.get(&j.id) {
            return list.iter().cloned().collect();
        }
        let breaches = || s.hazards.iter().filter(|h| matches!(h, Hazard::LeveeBreach { .. })).map(|h| h.id());
        let spills = || s.hazards.iter().filter(|h| matches!(h, Hazard::ChemicalSpill { .. })).map(|h| h.id());
        let mut out: BTreeSet<String> = BTreeSet::new();
        match &j.when {
            Condition::HazardOnset { hazard, .. } => {
                out.insert(hazard.clone());
            }
            Condition::StageAtLeast { levee, .. } => out.extend(
                s.hazards
                    .iter()
                    .filter(|h| matches!(h, Hazard::LeveeBreach(b) if &b.levee == levee))
                    .map(|h| h.id().to_string()),
            ),
            Condition::DepthAtLeast { .. } => out.extend(breaches().map(String::from)),
            _ => {}
        }
        use super::placeholders::{Placeholder, find};
        for text in std::iter::once(&j.text).chain(j.text_en.as_ref()) {
            for (_, p) in find(text) {
                match p {
                    Ok(Placeholder::Depth { .. }) => out.extend(breaches().map(String::from)),
                    Ok(Placeholder::Conc { .. }) => out.extend(spills().map(String::from)),
                    Err(_) => {}
                }
            }
        }
        out
    }
}

/// The section's ids name an agency, inject and hazard of the scenario (rule `unknown-id`).
pub(super) fn check(s: &Scenario, c: &mut Collector) {
    let v = &s.visibility;
    let agencies: Vec<&str> = s.agencies.iter().map(|a| a.id.as_str()).collect();
    let injects: Vec<&str> = s.injects.iter().map(|j| j.id.as_str()).collect();
    let hazards: Vec<&str> = s.hazards.iter().map(|h| h.id()).collect();
    for id in v.agencies.keys() {
        if !agencies.contains(&id.as_str()) {
            super::validate::unknown(c, format!("visibility.agencies.{id}"), "agency", id, agencies.iter().copied());
        }
    }
    for (id, list) in &v.reports {
        if !injects.contains(&id.as_str()) {
            super::validate::unknown(c, format!("visibility.reports.{id}"), "inject", id, injects.iter().copied());
        }
        for (i, h) in list.iter().enumerate() {
            if !hazards.contains(&h.as_str()) {
                let path = format!("visibility.reports.{id}[{i}]");
                super::validate::unknown(c, path, "hazard", h, hazards.iter().copied());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn demo() -> Scenario {
        crate::scenario::load(std::path::Path::new("scenarios/demo-county.ron")).unwrap().scenario
    }

    #[test]
    fn an_agency_s_exceptions_override_the_defaults_field_by_field() {
        let v: Visibility = crate::scenario::ron_options()
            .from_str(
                r#"(other_stocks: true, agencies: { "water": (hazards: Always), "police": (other_stocks: false) })"#,
            )
            .unwrap();
        assert_eq!(v.of("ofc"), Seen { hazards: HazardSight::AsReported, other_teams: false, other_stocks: true });
        assert_eq!(v.of("water"), Seen { hazards: HazardSight::Always, other_teams: false, other_stocks: true });
        assert!(!v.of("police").other_stocks);
        assert_eq!(Visibility::default().of("x").hazards, HazardSight::AsReported, "the default is as reported");
    }

    #[test]
    fn an_inject_reports_what_its_trigger_is_about_unless_listed() {
        let s = demo();
        let breach = s.hazards.iter().find(|h| matches!(h, Hazard::LeveeBreach { .. })).unwrap().id().to_string();
        let j = |id: &str| s.injects.iter().find(|j| j.id == id).unwrap();
        let v = Visibility::default();
        // d02 fires on the stage at the breaching levee; d01 at a fixed time (the weather).
        assert_eq!(v.reports(&s, j("d02")), BTreeSet::from([breach.clone()]));
        assert!(v.reports(&s, j("d01")).is_empty());
        let listed =
            Visibility { reports: BTreeMap::from([("d01".into(), vec![breach.clone()]), ("d02".into(), vec![])]), ..v };
        assert_eq!(listed.reports(&s, j("d01")), BTreeSet::from([breach]));
        assert!(listed.reports(&s, j("d02")).is_empty());
    }
}
