//! The county map as a graph: the road network (petgraph), its travel times and routes.
//!
//! Built once from a scenario's roads; hazards close and reopen edges, agents ask for routes.
//! Also the map's other state shared across layers: intakes open or closed, zone depths.

use std::collections::{BTreeMap, BTreeSet};

use bevy::prelude::*;
use petgraph::graph::{DiGraph, EdgeIndex, NodeIndex};

use crate::scenario::types::Map;

/// One direction of a road.
#[derive(Debug, Clone)]
pub struct RoadEdge {
    /// Index of the road in the scenario's `map.roads`.
    pub road: usize,
    pub length_km: f64,
    pub speed_kmh: f64,
    pub capacity_vph: f64,
    /// Open when nothing closes it (see [`RoadNetwork::close_road`]).
    pub open: bool,
}

impl RoadEdge {
    /// Free-flow travel time in seconds at `speed_factor` × free speed.
    pub fn free_secs(&self, speed_factor: f64) -> f64 {
        self.length_km / (self.speed_kmh * speed_factor) * 3600.0
    }
}

/// A route found on the network.
#[derive(Debug, Clone, PartialEq)]
pub struct Route {
    pub nodes: Vec<NodeIndex>,
    pub secs: f64,
}

/// The road network. Node weights are indices into `map.nodes`.
#[derive(Resource, Debug, Clone, Default)]
pub struct RoadNetwork {
    pub graph: DiGraph<usize, RoadEdge>,
    pub by_id: BTreeMap<String, NodeIndex>,
    pub ids: Vec<String>,
    /// Road index → why it is closed. A road is open when nothing closes it: a flood receding
    /// does not reopen a road the police closed.
    pub closures: BTreeMap<usize, BTreeSet<Closure>>,
    /// How many times an edge opened or closed: a model that copies the open flags compares it
    /// with the count it saw instead of scanning every road each step.
    pub open_changes: u64,
}

/// Why a road is closed; a road may be closed for several reasons at once.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Closure {
    /// Water over the road (the flood model).
    Flood,
    /// An order (`close_road`), whoever gave it.
    Order,
    /// A derailment's wreck (the hazard's id), until its site is cleared.
    Derailment(String),
}

impl std::fmt::Display for Closure {
    /// As the journal's `reason` writes it ("flood", "order", "derailment:h1").
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Closure::Flood => f.write_str("flood"),
            Closure::Order => f.write_str("order"),
            Closure::Derailment(id) => write!(f, "derailment:{id}"),
        }
    }
}

/// Water intakes by node id: open (true) or closed (false). Closed only by order.
#[derive(Resource, Debug, Clone, Default)]
pub struct IntakeState {
    pub open: BTreeMap<String, bool>,
}

impl IntakeState {
    pub fn build(map: &Map) -> IntakeState {
        IntakeState { open: map.intakes.iter().map(|i| (i.node.clone(), true)).collect() }
    }
    pub fn is_open(&self, node: &str) -> bool {
        self.open.get(node).copied().unwrap_or(false)
    }
}

/// Flood zone id → water depth (m) now. The flood model writes it (`hazards::flood`); the
/// evacuees, the exercise's conditions and inject placeholders, and the GUI read it. It lives
/// with the map so that agents need not depend on hazards.
#[derive(Resource, Debug, Clone, Default)]
pub struct ZoneDepths(pub BTreeMap<String, f64>);

/// Default road capacity per lane (vehicles per hour), a rounded HCM base saturation flow.
pub const DEFAULT_CAPACITY_PER_LANE_VPH: f64 = 1800.0;

impl RoadNetwork {
    /// Builds the graph; roads naming unknown nodes are left out (validation reports them).
    pub fn build(map: &Map) -> RoadNetwork {
        let mut net = RoadNetwork::default();
        for (i, n) in map.nodes.iter().enumerate() {
            if net.by_id.contains_key(&n.id) {
                continue;
            }
            let ix = net.graph.add_node(i);
            net.by_id.insert(n.id.clone(), ix);
            net.ids.push(n.id.clone());
        }
        for (i, r) in map.roads.iter().enumerate() {
            let (Some(&a), Some(&b)) = (net.by_id.get(&r.from), net.by_id.get(&r.to)) else { continue };
            let edge = RoadEdge {
                road: i,
                length_km: r.length_km,
                speed_kmh: r.speed_kmh,
                capacity_vph: r.capacity_vph.unwrap_or(r.lanes as f64 * DEFAULT_CAPACITY_PER_LANE_VPH),
                open: true,
            };
            net.graph.add_edge(a, b, edge.clone());
            if !r.one_way {
                net.graph.add_edge(b, a, edge);
            }
        }
        net
    }

    pub fn node(&self, id: &str) -> Option<NodeIndex> {
        self.by_id.get(id).copied()
    }

    pub fn id_of(&self, ix: NodeIndex) -> &str {
        &self.ids[ix.index()]
    }

    /// Closes road `road` (both directions) for `reason`; true if the road was open before.
    pub fn close_road(&mut self, road: usize, reason: Closure) -> bool {
        let set = self.closures.entry(road).or_default();
        let was_open = set.is_empty();
        set.insert(reason);
        self.set_road_open(road, false);
        was_open
    }

    /// Lifts `reason`'s closure of road `road`; true if the road is open now and was not before.
    pub fn reopen_road(&mut self, road: usize, reason: &Closure) -> bool {
        let Some(set) = self.closures.get_mut(&road) else { return false };
        if !set.remove(reason) || !set.is_empty() {
            return false;
        }
        self.closures.remove(&road);
        self.set_road_open(road, true);
        true
    }

    /// Whether road `road` is closed for `reason` (among others, maybe).
    pub fn closed_for(&self, road: usize, reason: &Closure) -> bool {
        self.closures.get(&road).is_some_and(|c| c.contains(reason))
    }

    /// Whether road `road` is open.
    pub fn road_is_open(&self, road: usize) -> bool {
        !self.closures.contains_key(&road)
    }

    /// Index of the road with this id in `map.roads`.
    pub fn road_index(map: &Map, id: &str) -> Option<usize> {
        map.roads.iter().position(|r| r.id.as_deref() == Some(id))
    }

    /// The edges (one or both directions) of road `road`. Edges are added in road order, so
    /// they are found by binary search, not by a scan of the map.
    pub fn edges_of_road(&self, road: usize) -> std::ops::Range<usize> {
        let raw = self.graph.raw_edges();
        let a = raw.partition_point(|e| e.weight.road < road);
        let b = a + raw[a..].partition_point(|e| e.weight.road <= road);
        a..b
    }

    /// Sets both directions of road `road` open or closed; returns how many edges changed.
    fn set_road_open(&mut self, road: usize, open: bool) -> usize {
        let mut changed = 0;
        for e in self.edges_of_road(road) {
            let e = EdgeIndex::new(e);
            if self.graph[e].open != open {
                self.graph[e].open = open;
                changed += 1;
            }
        }
        self.open_changes += changed as u64;
        changed
    }

    /// Fastest route by free-flow time over open roads.
    pub fn route(&self, from: NodeIndex, to: NodeIndex, speed_factor: f64) -> Option<Route> {
        let (secs, nodes) = petgraph::algo::astar(
            &self.graph,
            from,
            |n| n == to,
            |e| if e.weight().open { e.weight().free_secs(speed_factor) } else { f64::INFINITY },
            |_| 0.0,
        )?;
        secs.is_finite().then_some(Route { nodes, secs })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::types::{Node, NodeKind, Road};

    fn node(id: &str) -> Node {
        Node { id: id.into(), name: None, kind: NodeKind::Junction, pos: (0.0, 0.0), population: 0, elevation_m: None }
    }
    fn road(from: &str, to: &str, km: f64) -> Road {
        Road {
            id: None,
            from: from.into(),
            to: to.into(),
            length_km: km,
            speed_kmh: 60.0,
            lanes: 1,
            capacity_vph: None,
            one_way: false,
        }
    }

    #[test]
    fn a_road_closes_both_its_directions_and_only_them() {
        let mut one_way = road("b", "c", 1.0);
        one_way.one_way = true;
        let map = Map {
            nodes: vec![node("a"), node("b"), node("c")],
            // road 1 names an unknown node and has no edge
            roads: vec![road("a", "b", 1.0), road("a", "x", 1.0), one_way, road("c", "a", 1.0)],
            ..Default::default()
        };
        let mut net = RoadNetwork::build(&map);
        let dirs = |net: &RoadNetwork, r: usize| net.graph.edge_indices().filter(|&e| net.graph[e].road == r).count();
        for r in 0..4 {
            assert_eq!(net.edges_of_road(r).len(), dirs(&net, r), "road {r}");
            assert!(net.edges_of_road(r).all(|e| net.graph.raw_edges()[e].weight.road == r));
        }
        assert!(net.close_road(3, Closure::Flood));
        assert_eq!(net.open_changes, 2, "both directions of road 3");
        let closed: Vec<usize> =
            net.graph.edge_indices().filter(|&e| !net.graph[e].open).map(|e| net.graph[e].road).collect();
        assert_eq!(closed, vec![3, 3]);
        assert!(!net.close_road(3, Closure::Order));
        assert_eq!(net.open_changes, 2, "no edge changed");
    }

    #[test]
    fn routes_avoid_closed_roads_until_every_reason_is_lifted() {
        let map = Map {
            nodes: vec![node("a"), node("b"), node("c")],
            roads: vec![road("a", "b", 1.0), road("a", "c", 2.0), road("c", "b", 2.0)],
            ..Default::default()
        };
        let mut net = RoadNetwork::build(&map);
        let (a, b) = (net.node("a").unwrap(), net.node("b").unwrap());
        assert_eq!(net.route(a, b, 1.0).unwrap().secs, 60.0);
        assert!(net.close_road(0, Closure::Flood));
        assert!(!net.close_road(0, Closure::Order));
        assert_eq!(net.route(a, b, 1.0).unwrap().secs, 240.0);
        assert!(!net.reopen_road(0, &Closure::Flood), "the police closure still holds");
        assert!(net.reopen_road(0, &Closure::Order));
        assert_eq!(net.route(a, b, 1.0).unwrap().secs, 60.0);
    }
}
