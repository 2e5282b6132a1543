//! The ids a scenario defines, indexed by kind, and the check of the ids an order names (the
//! door and validation of plan orders share it).

use std::collections::{BTreeMap, BTreeSet};

use super::ValidScenario;
use super::authority::IdKind as Named;
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

/// The kinds of id an order may name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdKind {
    Agency,
    Team,
    Node,
    Inject,
    Road,
    /// A flood zone.
    Zone,
    /// A named area (`map.areas`).
    Area,
    Intake,
    Shelter,
    Depot,
}

/// Which ids a scenario defines: [`ScenarioIds`] for a valid scenario; validation answers from
/// the ids it has already registered, so checking plan orders builds no second index.
pub trait KnownIds {
    fn knows(&self, kind: IdKind, id: &str) -> bool;
}

impl KnownIds for ScenarioIds {
    fn knows(&self, kind: IdKind, id: &str) -> bool {
        let set = match kind {
            IdKind::Agency => &self.agencies,
            IdKind::Team => &self.teams,
            IdKind::Node => &self.nodes,
            IdKind::Inject => &self.injects,
            IdKind::Road => return self.roads.contains_key(id),
            IdKind::Zone => &self.zones,
            IdKind::Area => &self.areas,
            IdKind::Intake => &self.intakes,
            IdKind::Shelter => &self.shelters,
            IdKind::Depot => &self.depots,
        };
        set.contains(id)
    }
}

/// An id an order names that the scenario lacks: the field below the order, what the id should
/// name, the id. Reads `unknown shelter "x"`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdProblem {
    pub field: &'static str,
    pub what: Named,
    pub id: String,
}

impl std::fmt::Display for IdProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "unknown {} \"{}\"", self.what, self.id)
    }
}

/// Problems with the ids an order names.
pub fn order_id_problems(order: &OrderKind, ids: &impl KnownIds) -> Vec<IdProblem> {
    use IdKind::*;
    let mut out = Vec::new();
    let mut need = |field: &'static str, what: Named, id: &str, known: bool| {
        if !known {
            out.push(IdProblem { field, what, id: id.to_string() });
        }
    };
    match order {
        OrderKind::Dispatch { team, to, .. } => {
            need("team", Named::Team, team, ids.knows(Team, team));
            need("to", Named::Node, to, ids.knows(Node, to));
        }
        OrderKind::Recall { team } => need("team", Named::Team, team, ids.knows(Team, team)),
        OrderKind::Evacuate { from, to } => {
            let place = ids.knows(Node, from) || ids.knows(Zone, from) || ids.knows(Area, from);
            need("from", Named::Place, from, place);
            need("to", Named::Shelter, to, ids.knows(Shelter, to));
        }
        OrderKind::OpenShelter(x) | OrderKind::CloseShelter(x) => need("0", Named::Shelter, x, ids.knows(Shelter, x)),
        OrderKind::DeliverSupplies { from, to, .. } => {
            need("from", Named::Depot, from, ids.knows(Depot, from));
            need("to", Named::Node, to, ids.knows(Node, to));
        }
        OrderKind::CloseRoad(r) | OrderKind::ReopenRoad(r) => need("0", Named::Road, r, ids.knows(Road, r)),
        OrderKind::CloseIntake(i) | OrderKind::OpenIntake(i) => need("0", Named::Intake, i, ids.knows(Intake, i)),
        OrderKind::SetUpCommandPost { at, .. } => need("at", Named::Node, at, ids.knows(Node, at)),
        OrderKind::SetUpWorkingGroup { lead: Some(l), .. } => need("lead", Named::Agency, l, ids.knows(Agency, l)),
        OrderKind::RequestSupport { to, .. } | OrderKind::Report { to, .. } => {
            need("to", Named::Agency, to, ids.knows(Agency, to))
        }
        OrderKind::Acknowledge(j) | OrderKind::FireInject(j) => need("0", Named::Inject, j, ids.knows(Inject, j)),
        _ => {}
    }
    out
}
