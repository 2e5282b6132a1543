//! Reachability on the scenario's road list, before any engine exists: which nodes have a road
//! path to one of some targets (validation's `unreachable-shelter`). The engine's road network
//! (`map::RoadNetwork`) is built from the same list the same way: a road joins its two ends,
//! both ways unless it is one-way; a road naming a node that is not on the map is left out.

use std::collections::{BTreeMap, BTreeSet};

use petgraph::graph::DiGraph;
use petgraph::visit::{Dfs, Reversed};

use super::types::Map;

/// The ids of the nodes from which a road path leads to one of `targets` (the targets that are
/// on the map included; the others are left out).
pub fn can_reach<'a>(map: &'a Map, targets: &[&'a str]) -> BTreeSet<&'a str> {
    let mut graph = DiGraph::<&str, ()>::new();
    let mut by_id = BTreeMap::new();
    for n in &map.nodes {
        by_id.entry(n.id.as_str()).or_insert_with(|| graph.add_node(n.id.as_str()));
    }
    for r in &map.roads {
        if let (Some(&a), Some(&b)) = (by_id.get(r.from.as_str()), by_id.get(r.to.as_str())) {
            graph.add_edge(a, b, ());
            if !r.one_way {
                graph.add_edge(b, a, ());
            }
        }
    }
    // walk the roads backwards from every target, one search sharing what it has seen
    let backwards = Reversed(&graph);
    let mut dfs = Dfs::empty(backwards);
    let mut seen = BTreeSet::new();
    for t in targets.iter().filter_map(|t| by_id.get(t)) {
        dfs.move_to(*t);
        while let Some(n) = dfs.next(backwards) {
            seen.insert(graph[n]);
        }
    }
    seen
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::types::{Node, NodeKind, Road};

    fn node(id: &str) -> Node {
        Node { id: id.into(), name: None, kind: NodeKind::Junction, pos: (0.0, 0.0), population: 0, elevation_m: None }
    }
    fn road(from: &str, to: &str, one_way: bool) -> Road {
        Road {
            id: None,
            from: from.into(),
            to: to.into(),
            length_km: 1.0,
            speed_kmh: 50.0,
            lanes: 1,
            capacity_vph: None,
            one_way,
        }
    }

    #[test]
    fn reaches_along_roads_and_one_way_roads_one_way_only() {
        // a — b → c (one-way b to c), d alone, and a road to a node that is not on the map
        let map = Map {
            nodes: vec![node("a"), node("b"), node("c"), node("d")],
            roads: vec![road("a", "b", false), road("b", "c", true), road("d", "nowhere", false)],
            ..Default::default()
        };
        let to_c = can_reach(&map, &["c"]);
        assert_eq!(to_c.into_iter().collect::<Vec<_>>(), ["a", "b", "c"]);
        let to_a = can_reach(&map, &["a"]);
        assert_eq!(to_a.into_iter().collect::<Vec<_>>(), ["a", "b"], "c cannot go back up the one-way road");
        assert_eq!(can_reach(&map, &["d", "ghost"]).into_iter().collect::<Vec<_>>(), ["d"]);
        assert!(can_reach(&map, &[]).is_empty());
    }
}
