//! The county map as a graph: the road network (petgraph), its travel times and routes.
//!
//! Built once from a scenario's roads; hazards close and reopen edges, agents ask for routes.

use std::collections::BTreeMap;

use bevy::prelude::*;
use petgraph::graph::{DiGraph, EdgeIndex, NodeIndex};
use petgraph::visit::EdgeRef;

use crate::scenario::types::Map;

/// One direction of a road.
#[derive(Debug, Clone)]
pub struct RoadEdge {
    /// Index of the road in the scenario's `map.roads`.
    pub road: usize,
    pub length_km: f64,
    pub speed_kmh: f64,
    pub capacity_vph: f64,
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
}

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

    /// Opens or closes both directions of road `road`; returns how many edges changed.
    pub fn set_road_open(&mut self, road: usize, open: bool) -> usize {
        let edges: Vec<EdgeIndex> = self.graph.edge_indices().filter(|&e| self.graph[e].road == road).collect();
        let mut changed = 0;
        for e in edges {
            if self.graph[e].open != open {
                self.graph[e].open = open;
                changed += 1;
            }
        }
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

    /// Nodes from which some node in `targets` can be reached over open roads.
    pub fn can_reach(&self, targets: &[NodeIndex]) -> Vec<bool> {
        let mut seen = vec![false; self.graph.node_count()];
        let mut stack: Vec<NodeIndex> = targets.to_vec();
        for t in targets {
            seen[t.index()] = true;
        }
        while let Some(n) = stack.pop() {
            for e in self.graph.edges_directed(n, petgraph::Direction::Incoming) {
                let src = e.source();
                if e.weight().open && !seen[src.index()] {
                    seen[src.index()] = true;
                    stack.push(src);
                }
            }
        }
        seen
    }
}
