//! The ids a scenario defines, indexed by kind, and the check of the ids an order names (the
//! door and validation of plan orders share it).

use std::collections::{BTreeMap, BTreeSet};

use super::ValidScenario;
use super::types::{OrderKind, Scenario};

/// The ids a scenario defines, by kind, for checking orders. A valid scenario builds it once
/// (on first use) and keeps it, so checking an order costs O(log n), not a pass over the map.
#[derive(Debug, Clone, Default)]
pub struct ScenarioIds {
    pub agencies: BTreeSet<String>,
    pub teams: BTreeSet<String>,
    pub nodes: BTreeSet<String>,
    pub injects: BTreeSet<String>,
    /// Road id → its index in `map.roads` (the first road with that id).
    pub roads: BTreeMap<String, usize>,
    pub zones: BTreeSet<String>,
    /// Named areas (`map.areas`).
    pub areas: BTreeSet<String>,
    pub intakes: BTreeSet<String>,
    pub shelters: BTreeSet<String>,
    pub depots: BTreeSet<String>,
}

impl ScenarioIds {
    /// The index of a valid scenario, built on first use.
    pub fn of(s: &ValidScenario) -> &ScenarioIds {
        s.ids.get_or_init(|| Self::of_scenario(&s.scenario))
    }

    pub fn of_scenario(s: &Scenario) -> Self {
        let own = |v: &str| v.to_string();
        let mut roads = BTreeMap::new();
        for (i, r) in s.map.roads.iter().enumerate() {
            if let Some(id) = &r.id {
                roads.entry(id.clone()).or_insert(i);
            }
        }
        ScenarioIds {
            agencies: s.agencies.iter().map(|a| own(&a.id)).collect(),
            teams: s.resources.teams.iter().map(|t| own(&t.id)).collect(),
            nodes: s.map.nodes.iter().map(|n| own(&n.id)).collect(),
            injects: s.injects.iter().map(|j| own(&j.id)).collect(),
            roads,
            zones: s.map.flood_zones.iter().map(|z| own(&z.id)).collect(),
            areas: s.map.areas.iter().map(|a| own(&a.id)).collect(),
            intakes: s.map.intakes.iter().map(|i| own(&i.node)).collect(),
            shelters: s.resources.shelters.iter().map(|x| own(&x.node)).collect(),
            depots: s.resources.depots.iter().map(|x| own(&x.node)).collect(),
        }
    }
}

/// Problems with the ids an order names: (field path below the order, message).
pub fn order_id_problems(order: &OrderKind, ids: &ScenarioIds) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut need = |field: &str, what: &str, id: &str, known: bool| {
        if !known {
            out.push((field.to_string(), format!("unknown {what} \"{id}\"")));
        }
    };
    match order {
        OrderKind::Dispatch { team, to, .. } => {
            need("team", "team", team, ids.teams.contains(team.as_str()));
            need("to", "node", to, ids.nodes.contains(to.as_str()));
        }
        OrderKind::Recall { team } => need("team", "team", team, ids.teams.contains(team.as_str())),
        OrderKind::Evacuate { from, to } => {
            let place = ids.nodes.contains(from.as_str())
                || ids.zones.contains(from.as_str())
                || ids.areas.contains(from.as_str());
            need("from", "node, flood zone or area", from, place);
            need("to", "shelter", to, ids.shelters.contains(to.as_str()));
        }
        OrderKind::OpenShelter(x) | OrderKind::CloseShelter(x) => {
            need("0", "shelter", x, ids.shelters.contains(x.as_str()))
        }
        OrderKind::DeliverSupplies { from, to, .. } => {
            need("from", "depot", from, ids.depots.contains(from.as_str()));
            need("to", "node", to, ids.nodes.contains(to.as_str()));
        }
        OrderKind::CloseRoad(r) | OrderKind::ReopenRoad(r) => need("0", "road", r, ids.roads.contains_key(r.as_str())),
        OrderKind::CloseIntake(i) | OrderKind::OpenIntake(i) => {
            need("0", "intake", i, ids.intakes.contains(i.as_str()))
        }
        OrderKind::SetUpCommandPost { at, .. } => need("at", "node", at, ids.nodes.contains(at.as_str())),
        OrderKind::SetUpWorkingGroup { lead: Some(l), .. } => {
            need("lead", "agency", l, ids.agencies.contains(l.as_str()))
        }
        OrderKind::RequestSupport { to, .. } | OrderKind::Report { to, .. } => {
            need("to", "agency", to, ids.agencies.contains(to.as_str()))
        }
        OrderKind::Acknowledge(j) | OrderKind::FireInject(j) => {
            need("0", "inject", j, ids.injects.contains(j.as_str()))
        }
        _ => {}
    }
    out
}
