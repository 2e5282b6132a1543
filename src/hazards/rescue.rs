//! Boat rescue in flooded zones: teams with boats working at a place inside a flood zone take
//! people off the places of that zone whose roads the water has cut, and bring them to a
//! shelter. Rescued people leave the water: they are no longer exposed, and no longer die.
//!
//! # The model
//!
//! * **Who rescues.** A team whose task is `boat_evacuation`, or `rescue` when it has the
//!   `boat_evacuation` capability, standing (not travelling) at a node of a flood zone, or at
//!   the zone's edge: a node outside every zone with a road into one (a levee, a dry junction),
//!   where boats are launched once the water has cut the roads. It serves that zone (the first
//!   zone that lists the node, or the first the roads lead into). Its boats work as one flotilla:
//!   the team's `boats`, else `max(1, ⌊size / crew_per_boat⌋)`.
//! * **Whom.** The people still at the zone's places whose water is deeper than the zone's
//!   `road_closure_depth_m` (their roads are cut, so they cannot leave by road): residents —
//!   those who refused to leave, those not yet gone, those in a refuge — and evacuees stranded
//!   there on their way (`flood::evacuees_in_water`; those still walking in wait for the next
//!   trip). Places with the most people in the water (out
//!   of a refuge) first, then those with the most people; evacuees on the way before residents
//!   at a place.
//! * **A trip.** When its boats are back, the flotilla takes up to `boats × boat_capacity`
//!   people, place after place in that order; the trip lasts `load_min + 2·d/boat_speed_kmh`, `d`
//!   the straight-line distance (node `pos`) from the team's node to the farthest place visited.
//!   People leave the water when they are taken on board; they are brought to the open shelter
//!   with room nearest to the team's node (straight line), or to dry ground when none has room.
//! * **Defaults** (`resources.rescue`, assumptions for play): an assault boat (冲锋舟) carries
//!   about 10 people besides a crew of 3 and makes about 10 km/h among flooded houses and
//!   debris (it does 30 km/h and more on open water); 10 minutes to load and unload.
//!
//! # Journal
//!
//! `boat_rescue` per trip (team, zone, boats, people, people per place, shelter, when the boats
//! are back); `flood_totals.rescued` at the end.
//!
//! # Limits
//!
//! No boat routing over the water (straight lines), no capsizing, no rescue outside flood zones,
//! the flotilla moves together; a team moved elsewhere keeps the time its boats are due back.
//! Boats are the team's, not drawn from a depot's stock.

use std::collections::BTreeMap;

use bevy::prelude::*;

use super::flood::{FloodHarm, FloodState, evacuees_in_water, node_depths};
use crate::agents::evacuees::{EvacNet, Households, Stage as EvacStage};
use crate::agents::teams::Team;
use crate::agents::{Residents, Shelters};
use crate::journal::{Event, Journaled};
use crate::map::RoadNetwork;
use crate::scenario::types::{Capability, RescueParams};
use crate::sim::{ScenarioRes, SimClock};

/// When each team's boats are back (team id → time, s).
#[derive(Resource, Debug, Default)]
pub struct BoatTrips {
    pub back_at: BTreeMap<String, u64>,
}

/// Boats a team of `size` people runs: those it brings (`brought`), else one per crew.
pub fn boats(size: u32, brought: Option<u32>, p: &RescueParams) -> u32 {
    brought.unwrap_or(size / p.crew_per_boat.max(1)).max(1)
}

/// How long a trip to a place `dist_km` away takes, s: loading and unloading, there and back.
pub fn trip_secs(dist_km: f64, p: &RescueParams) -> f64 {
    p.load_min * 60.0 + 2.0 * dist_km / p.boat_speed_kmh * 3600.0
}

/// One place waiting for boats: its index (for the caller), people in the water, people in all,
/// and its distance from the boats, km.
#[derive(Debug, Clone, PartialEq)]
pub struct Waiting {
    pub place: usize,
    pub in_water: f64,
    pub people: f64,
    pub dist_km: f64,
}

/// One trip: from the places waiting (in any order), takes up to `capacity` people — the places
/// with the most people in the water first, then the most people, then the order given.
/// Returns the people taken per place (place index, people) and the trip's duration, s; no
/// trip (empty) when nobody waits.
pub fn plan_trip(waiting: &[Waiting], capacity: f64, p: &RescueParams) -> (Vec<(usize, f64)>, f64) {
    let mut order: Vec<&Waiting> = waiting.iter().filter(|w| w.people >= 0.5).collect();
    order.sort_by(|a, b| b.in_water.total_cmp(&a.in_water).then(b.people.total_cmp(&a.people)));
    let mut left = capacity;
    let mut taken = Vec::new();
    let mut far: f64 = 0.0;
    for w in order {
        if left < 0.5 {
            break;
        }
        let n = w.people.min(left);
        left -= n;
        far = far.max(w.dist_km);
        taken.push((w.place, n));
    }
    if taken.is_empty() {
        return (taken, 0.0);
    }
    (taken, trip_secs(far, p))
}

/// The evacuees waiting at `node` (stuck there, not walking in on a road).
fn stranded<'a>(on_the_way: &'a BTreeMap<&str, Vec<(u32, bool)>>, node: &str) -> impl Iterator<Item = u32> + 'a {
    on_the_way.get(node).into_iter().flatten().filter(|&&(_, on_road)| !on_road).map(|&(h, _)| h)
}

/// Boat trips of this step (Consequences set, before `flood::flood_consequences`).
#[allow(clippy::too_many_arguments)]
pub(super) fn boat_rescue(
    clock: Res<SimClock>,
    scenario: Res<ScenarioRes>,
    state: Res<FloodState>,
    net: Res<RoadNetwork>,
    teams: Query<&Team>,
    mut trips: ResMut<BoatTrips>,
    mut harm: ResMut<FloodHarm>,
    mut residents: ResMut<Residents>,
    mut hh: ResMut<Households>,
    mut evac: ResMut<EvacNet>,
    mut shelters: ResMut<Shelters>,
    mut journal: MessageWriter<Journaled>,
) {
    if !state.begun {
        return;
    }
    let now = clock.now;
    let sc = &scenario.0.scenario;
    let p = &sc.resources.rescue;
    let model = &state.model;
    // boat teams at work at a node of a zone, boats back, by team id
    let mut crews: Vec<(&Team, usize, &str)> = teams
        .iter()
        .filter(|t| t.trip.is_none())
        .filter(|t| match t.working {
            Some(Capability::BoatEvacuation) => true,
            Some(Capability::Rescue) => t.capabilities.contains(&Capability::BoatEvacuation),
            _ => false,
        })
        .filter(|t| trips.back_at.get(&t.id).is_none_or(|&b| b <= now))
        .filter_map(|t| {
            let node = net.id_of(t.location);
            let zone_of = |id: &str| model.zones.iter().position(|z| z.nodes.iter().any(|(n, _)| n == id));
            // in a zone; else at its edge: the first zone (in the scenario's order) a road from
            // here leads into — boats are launched where the road meets the water
            zone_of(node)
                .or_else(|| net.graph.neighbors_undirected(t.location).filter_map(|m| zone_of(net.id_of(m))).min())
                .map(|zi| (t, zi, node))
        })
        .collect();
    if crews.is_empty() {
        return;
    }
    crews.sort_by(|a, b| a.0.id.cmp(&b.0.id));
    let node_depth = node_depths(model);
    let on_the_way = evacuees_in_water(&hh, &mut evac, &net, &node_depth);
    let pos = |id: &str| sc.map.nodes.iter().find(|n| n.id == id).map_or((0.0, 0.0), |n| n.pos);
    let fleet = |id: &str| sc.resources.teams.iter().find(|t| t.id == id).map_or(1, |t| boats(t.size, t.boats, p));
    for (team, zi, at) in crews {
        let z = &model.zones[zi];
        let here = pos(at);
        let mut waiting = Vec::new();
        for (k, (n, _)) in z.nodes.iter().enumerate() {
            let Some(&(depth, limit)) = node_depth.get(n.as_str()) else { continue };
            if depth <= limit {
                continue;
            }
            let home = residents.0.get(n).copied().unwrap_or(0.0);
            let way: f64 = stranded(&on_the_way, n).map(|h| hh.people[h as usize] as f64).sum();
            let there = pos(n);
            waiting.push(Waiting {
                place: k,
                in_water: (home + way) * z.in_water_share(k, depth, home + way),
                people: home + way,
                dist_km: (there.0 - here.0).hypot(there.1 - here.1),
            });
        }
        let n_boats = fleet(&team.id);
        let (taken, secs) = plan_trip(&waiting, f64::from(n_boats) * f64::from(p.boat_capacity), p);
        if taken.is_empty() {
            continue;
        }
        let mut from = BTreeMap::new();
        let mut total = 0.0;
        for (k, mut n) in taken {
            let node = &z.nodes[k].0;
            let got = n;
            // evacuees on the way first, then residents
            for h in stranded(&on_the_way, node) {
                let x = &mut hh.people[h as usize];
                let take = (*x as f64).min(n);
                *x = (*x as f64 - take).max(0.0) as f32;
                n -= take;
                if *x < 0.5 {
                    // all on board: out of the evacuation's stuck, as the residents taken
                    *x = 0.0;
                    hh.stage[h as usize] = EvacStage::Rescued;
                }
            }
            if let Some(r) = residents.0.get_mut(node) {
                let take = r.min(n);
                *r -= take;
                n -= take;
            }
            let got = got - n.max(0.0);
            total += got;
            from.insert(node.clone(), got.round() as u32);
        }
        harm.rescued += total;
        // to the nearest open shelter with room (straight line), else dry ground
        let people = total.round() as u32;
        let shelter = sc
            .resources
            .shelters
            .iter()
            .filter(|s| shelters.0.get(&s.node).is_some_and(|x| x.open && x.occupants + people <= x.capacity))
            .map(|s| {
                let q = pos(&s.node);
                ((q.0 - here.0).hypot(q.1 - here.1), s.node.clone())
            })
            .min_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)))
            .map(|(_, id)| id);
        if let Some(s) = shelter.as_ref().and_then(|id| shelters.0.get_mut(id)) {
            s.occupants += people;
        }
        let back_in_s = secs.ceil() as u64;
        trips.back_at.insert(team.id.clone(), now + back_in_s);
        journal.write(Journaled(Event::BoatRescue {
            team: team.id.clone(),
            zone: z.id.clone(),
            boats: n_boats,
            people,
            from,
            shelter,
            back_in_s,
        }));
    }
}

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<BoatTrips>();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_trip_takes_the_most_in_danger_first_up_to_the_boats_capacity() {
        let p = RescueParams { boat_capacity: 10, crew_per_boat: 3, boat_speed_kmh: 10.0, load_min: 10.0 };
        assert_eq!(boats(40, None, &p), 13);
        assert_eq!(boats(2, None, &p), 1, "a team smaller than a crew still runs a boat");
        assert_eq!(boats(300, Some(12), &p), 12, "the boats a team brings, not its people, limit it");
        let w = |place, in_water, people, dist_km| Waiting { place, in_water, people, dist_km };
        // 130 places: 100 at place 1 (60 in the water), 80 at place 0 (70 in the water)
        let (taken, secs) = plan_trip(&[w(0, 70.0, 80.0, 2.0), w(1, 60.0, 100.0, 5.0)], 130.0, &p);
        assert_eq!(taken, vec![(0, 80.0), (1, 50.0)]);
        // 10 min + 2 × 5 km / 10 km/h = 10 + 60 min
        assert!((secs - 70.0 * 60.0).abs() < 1e-9, "{secs}");
        assert!(plan_trip(&[w(0, 0.0, 0.2, 1.0)], 130.0, &p).0.is_empty(), "nobody waits");
    }
}
