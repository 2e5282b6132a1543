//! Evacuees: households leave over a mobilisation curve, drive (or walk) to their shelter through
//! congested roads, are diverted when a shelter is full and re-routed when a road closes.
//!
//! # The model
//!
//! * **Households as packets.** When an evacuation is ordered (`agents::Evacuations`, pushed by
//!   the one door), the people still at each origin node (`from` is a node, or a flood zone: all
//!   its populated nodes) are cut into households of `household_size` people. Each household
//!   obeys with probability `compliance` (the others stay, in `Residents`), goes by car with
//!   probability `car_share` (else on foot), and leaves after a delay drawn from a **Weibull**
//!   distribution of shape `k = mobilisation_shape` (2: the Rayleigh S-curve) scaled so that its
//!   mean is `mobilisation_mean`: `t = λ (−ln U)^{1/k}`, `λ = mean / Γ(1 + 1/k)`. All draws come
//!   from `SimRng`, in order of origin node and household. Sources: Tweedie, Rowland, Walsh,
//!   Rhoten & Hagle (1986), *A methodology for estimating emergency evacuation times*, Social
//!   Science Journal 23(2):189–204 (Rayleigh/Weibull departure curves); Lindell & Prater (2007),
//!   *Critical behavioral assumptions in evacuation time estimate analysis for private vehicles*,
//!   J. Urban Planning and Development 133(1):18–29 (mobilisation times of hours, not minutes;
//!   compliance below one). Data structures are struct-of-arrays (`Households`), not one entity
//!   per person.
//! * **Leaving.** When a household leaves, `Residents[origin]` drops by its people times the
//!   survival ratio of the origin (`Residents` / people not yet gone): flood deaths among those
//!   still at home are shared by the households that leave later.
//! * **Congestion: queue model** as in MATSim's queue simulation (Gawron 1998, *An iterative
//!   algorithm to determine the dynamic user equilibrium in a traffic simulation model*, IJMPC
//!   9(3):393–407; Cetin, Burri & Nagel 2003, *A large-scale agent-based traffic microsimulation
//!   based on queue model*, STRC): each direction of a road is a FIFO queue. A car entering at `t`
//!   may leave at `t + t0` (free-flow time). Per step a road lets out at most its flow capacity
//!   `capacity_vph · dt / 3600` cars (fractions carried over), and a car only enters the next road
//!   while that road holds fewer cars than its storage `lanes · length / jam_spacing_m` (at least
//!   one). Departing cars join their first road without the storage check (MATSim's waiting list).
//!   A car blocked at the head of a road blocks those behind it (spill-back). Roads are served in
//!   index order each step; a road shorter than a step costs about one step.
//! * **Routes** by travel time to each shelter: one shortest-path tree per shelter (Dijkstra on
//!   the reversed graph over open roads), the edge weight being `t0` plus the time to discharge
//!   the road's current queue (`queued / capacity`). Trees are rebuilt when a road opens or
//!   closes (the flood closes roads under water; orders close roads) and every
//!   [`REROUTE_EVERY_S`] while cars are on the road. Every household looks up its next road at
//!   each node, so a closure re-routes everyone not yet past it. Cars already on a road that
//!   closes drive to its end.
//! * **Walkers** follow the same trees at `walk_speed_kmh`, without queues or capacity.
//! * **Shelters.** On arrival a shelter takes people up to its capacity; the rest (or everyone, if
//!   it was closed) go on to the open shelter with room that is nearest by travel time.
//! * **Stuck.** A household with no open road to any open shelter with room waits where it is
//!   (at home it stays in `Residents`) and tries again whenever the routes are rebuilt.
//! * **Water ahead.** Drivers do not drive into a flooded road ("turn around, don't drown", the
//!   advice of flood services, as 0.3–0.5 m of moving water floats a car): cars on a road whose
//!   end is under more water than the road-closure depth turn back to its start and go on by
//!   another road (or wait there); with both ends under water the people leave the car for the
//!   houses at the shallower end and wait there like its residents (`face_water`). A road whose
//!   start only is flooded lets its cars drive on, out of the water.
//!
//! # Limits
//!
//! People on the road or stuck on the way are exposed to the flood by `hazards::flood`, which
//! also marks the roads with water over an end (`EvacNet::water`). Walkers use the car routes
//! and wade on to the next place (they stop there when the water has closed every road on).
//! Shelter room is not reserved for people on the way. `evacuation_totals` lists where the
//! stuck are (`stuck_at`).
//!
//! # Journal (aggregated, never per vehicle)
//!
//! `evacuation_started` (per origin: households, people, refusing), `evacuation_progress` (25,
//! 50, 75, 100 % of the complying people gone), `shelter_full` (when it happens); each full hour
//! (and at the last step), what happened in that hour: `shelter_arrivals` (per shelter),
//! `evacuees_diverted` (per pair of shelters), `evacuees_turned_back` (per place where cars
//! turned back from water ahead), `evacuees_stuck` (per place: households that began to wait
//! there in that hour, having found no road; each counted once however often it tries again);
//! `evacuation_totals` at the run's last step.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, BinaryHeap, VecDeque};

use bevy::prelude::*;
use petgraph::visit::EdgeRef;
use rand::Rng;

use super::{Evacuations, Residents, Shelters};
use crate::journal::{Event, Journaled};
use crate::map::{RoadNetwork, ZoneDepths};
use crate::scenario::types::EvacuationParams;
use crate::sim::{ScenarioRes, SimClock, SimRng, StepSet};

/// Routes are rebuilt with current queues this often while cars are on the road, s.
pub const REROUTE_EVERY_S: u64 = 900;
/// Depth over which an origin counts as flooded for `left_before_flood`, m.
pub const FLOODED_DEPTH_M: f64 = 0.01;

const NONE: u32 = u32::MAX;

/// Where a household is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Stage {
    /// Waiting to leave (in the departure queue).
    Pending,
    /// Refuses to leave.
    Refused,
    /// Wanted to leave but no road leads to a shelter; still at home.
    StuckHome,
    /// On a road (car in a queue, or walking).
    OnRoad,
    /// Stopped on the way: no road leads on.
    StuckOnRoad,
    /// In a shelter.
    Sheltered,
    /// Taken off a flooded place by boat (`hazards::rescue`), who brings them to a shelter.
    Rescued,
}

/// All households, struct-of-arrays (index = household id, in order of creation).
#[derive(Resource, Debug, Default)]
pub struct Households {
    pub origin: Vec<u32>,
    /// Shelter index (into `EvacNet::shelters`) the household is heading for.
    pub dest: Vec<u16>,
    /// People: nominal before leaving, then those who left (survivors of the flood so far).
    pub people: Vec<f32>,
    pub stage: Vec<Stage>,
    pub car: Vec<bool>,
    /// Node reached last (origin before leaving).
    pub node: Vec<u32>,
    /// Road (edge index) the household is on, or `u32::MAX`.
    pub edge: Vec<u32>,
    /// Time it can leave its road (s); the arrival time once sheltered.
    pub t: Vec<u32>,
}

impl Households {
    pub fn len(&self) -> usize {
        self.origin.len()
    }
    pub fn is_empty(&self) -> bool {
        self.origin.is_empty()
    }
    /// Bytes held by the household arrays (capacity, not length).
    pub fn heap_bytes(&self) -> usize {
        self.origin.capacity() * 4
            + self.dest.capacity() * 2
            + self.people.capacity() * 4
            + self.stage.capacity()
            + self.car.capacity()
            + self.node.capacity() * 4
            + self.edge.capacity() * 4
            + self.t.capacity() * 4
    }
    fn push(&mut self, origin: u32, dest: u16, people: f32, stage: Stage, car: bool) -> u32 {
        let id = self.origin.len() as u32;
        self.origin.push(origin);
        self.dest.push(dest);
        self.people.push(people);
        self.stage.push(stage);
        self.car.push(car);
        self.node.push(origin);
        self.edge.push(NONE);
        self.t.push(0);
        id
    }
}

/// Per origin node: its evacuation so far.
#[derive(Debug, Clone, Default)]
pub struct Origin {
    pub first: u32,
    pub count: u32,
    /// People not yet gone, nominal (the flood's deaths are not subtracted).
    pub nominal_home: f64,
    /// Nominal people of the complying households.
    pub complying: f64,
    /// Nominal people of households gone.
    pub gone_nominal: f64,
    /// People who left (survivors at departure).
    pub left: f64,
    /// People who left while the origin was still dry.
    pub left_dry: f64,
    pub milestone: u32,
    /// Flood zones the origin lies in.
    pub zones: Vec<String>,
}

/// The road network as the evacuee model sees it: queues, trees, shelters.
#[derive(Resource, Debug, Default)]
pub struct EvacNet {
    pub ready: bool,
    /// The step, s.
    pub dt: u32,
    /// Shelter node ids, in id order, and their node index.
    pub shelters: Vec<(String, u32)>,
    /// Per edge: free-flow time (s, at least 1), length (km), target node.
    pub t0: Vec<u32>,
    pub len_km: Vec<f32>,
    pub target: Vec<u32>,
    pub source: Vec<u32>,
    pub flow_per_step: Vec<f32>,
    pub flow_acc: Vec<f32>,
    pub storage: Vec<u32>,
    pub queue: Vec<VecDeque<u32>>,
    /// Roads to visit in the next queue pass, a bit per edge: those holding cars, and those
    /// emptied since their last visit (the visit resets their flow). Idle roads are not scanned.
    pub busy: Vec<u64>,
    pub open: Vec<bool>,
    /// `RoadNetwork::open_changes` when `open` was last copied from the network.
    pub open_seen: u64,
    /// Per shelter: time to it from each node (s, `u32::MAX` if unreachable) and the edge to take.
    pub dist: Vec<Vec<u32>>,
    pub next: Vec<Vec<u32>>,
    pub last_tree: u64,
    /// Walkers by (time at the next node, household).
    pub walkers: BinaryHeap<Reverse<(u32, u32)>>,
    /// Departures by (time, household).
    pub departures: BinaryHeap<Reverse<(u32, u32)>>,
    pub stuck: Vec<u32>,
    pub cars_on_road: u32,
    pub origins: BTreeMap<u32, Origin>,
    /// Origins from which a household left in this step (their progress is checked).
    pub progressed: Vec<u32>,
    /// Every admission to a shelter: (time, people), for the clearance times.
    pub admissions: Vec<(u32, f32)>,
    /// Per shelter: people arrived since the last `shelter_arrivals` entry, last arrival time.
    pub arrived: Vec<(f64, u32)>,
    /// Diversions (from shelter, to shelter) and households stuck (node) since the last entries:
    /// people, households.
    pub diverted: BTreeMap<(u16, u16), (f64, u32)>,
    pub stuck_log: BTreeMap<u32, (f64, u32)>,
    pub full_journaled: Vec<bool>,
    pub orders_seen: usize,
    pub totals_journaled: bool,
    /// Moves done (departures, road changes, arrivals): the benchmark's agent updates.
    pub updates: u64,
    pub refused_people: f64,
    pub sheltered_people: f64,
    /// Per edge: which ends are under more water than the road-closure depth, and which end is
    /// the shallower ([`WET_START`], [`WET_END`], [`START_SHALLOWER`]; set by `hazards::flood`).
    pub water: Vec<u8>,
    /// Households that turned back from water ahead, since the last hourly entry: per node where
    /// they turned, (people, households).
    pub turned_back_log: BTreeMap<u32, (f64, u32)>,
    /// (node, household) pairs already counted by an `evacuees_stuck` entry.
    pub stuck_logged: BTreeSet<(u32, u32)>,
}

/// `EvacNet::water` bit: the road's start node is under water.
pub const WET_START: u8 = 1;
/// `EvacNet::water` bit: the road's end node is under water.
pub const WET_END: u8 = 2;
/// `EvacNet::water` bit: the start node has no more water than the end node.
pub const START_SHALLOWER: u8 = 4;

impl EvacNet {
    /// Bytes held by the dynamic parts (queues, heaps, lists), for the benchmark.
    pub fn heap_bytes(&self) -> usize {
        self.queue.iter().map(|q| q.capacity() * 4).sum::<usize>()
            + self.busy.capacity() * 8
            + self.admissions.capacity() * 8
            + self.walkers.capacity() * 8
            + self.departures.capacity() * 8
            + self.stuck.capacity() * 4
    }

    fn build(&mut self, net: &RoadNetwork, shelters: &Shelters, p: &EvacuationParams, dt: u64) {
        let g = &net.graph;
        let n_e = g.edge_count();
        self.dt = dt as u32;
        for e in g.edge_indices() {
            let w = &g[e];
            let (a, b) = g.edge_endpoints(e).unwrap();
            self.t0.push((w.free_secs(1.0).round() as u32).max(1));
            self.len_km.push(w.length_km as f32);
            self.source.push(a.index() as u32);
            self.target.push(b.index() as u32);
            self.flow_per_step.push((w.capacity_vph * dt as f64 / 3600.0) as f32);
            self.flow_acc.push(0.0);
            let lanes = (w.capacity_vph / crate::map::DEFAULT_CAPACITY_PER_LANE_VPH).max(1.0);
            self.storage.push(((lanes * w.length_km * 1000.0 / p.jam_spacing_m).floor() as u32).max(1));
            self.open.push(w.open);
        }
        self.queue = (0..n_e).map(|_| VecDeque::new()).collect();
        // every road is visited once, which sets the flow of the idle ones
        self.busy = vec![u64::MAX; n_e.div_ceil(64)];
        for id in shelters.0.keys() {
            if let Some(ix) = net.node(id) {
                self.shelters.push((id.clone(), ix.index() as u32));
            }
        }
        self.arrived = vec![(0.0, 0); self.shelters.len()];
        self.full_journaled = vec![false; self.shelters.len()];
        self.ready = true;
    }

    /// Rebuilds the shortest-path trees to every shelter over open roads.
    fn rebuild_trees(&mut self, net: &RoadNetwork, now: u64) {
        let g = &net.graph;
        let n = g.node_count();
        let weights: Vec<u32> = (0..self.t0.len())
            .map(|e| {
                let q = self.queue[e].len() as f64;
                let per_s = (self.flow_per_step[e] as f64 / self.dt as f64).max(1e-9);
                self.t0[e].saturating_add((q / per_s).ceil().min(1e8) as u32)
            })
            .collect();
        self.dist.clear();
        self.next.clear();
        for &(_, s) in &self.shelters {
            let mut dist = vec![NONE; n];
            let mut next = vec![NONE; n];
            let mut heap = BinaryHeap::new();
            dist[s as usize] = 0;
            heap.push(Reverse((0u32, s)));
            while let Some(Reverse((d, v))) = heap.pop() {
                if d > dist[v as usize] {
                    continue;
                }
                for e in g.edges_directed(petgraph::graph::NodeIndex::new(v as usize), petgraph::Direction::Incoming) {
                    let ei = e.id().index();
                    if !self.open[ei] {
                        continue;
                    }
                    let u = e.source().index();
                    let nd = d.saturating_add(weights[ei]);
                    if nd < dist[u] || (nd == dist[u] && (ei as u32) < next[u]) {
                        dist[u] = nd;
                        next[u] = ei as u32;
                        heap.push(Reverse((nd, u as u32)));
                    }
                }
            }
            self.dist.push(dist);
            self.next.push(next);
        }
        self.last_tree = now;
    }

    /// The open shelter with room nearest to `node` (its index), preferring `want`.
    fn pick_shelter(&self, shelters: &Shelters, node: u32, want: Option<u16>) -> Option<u16> {
        let usable = |i: usize| {
            let st = &shelters.0[&self.shelters[i].0];
            st.open && st.occupants < st.capacity && self.dist[i][node as usize] != NONE
        };
        if let Some(w) = want
            && usable(w as usize)
        {
            return Some(w);
        }
        (0..self.shelters.len())
            .filter(|&i| usable(i))
            .min_by_key(|&i| (self.dist[i][node as usize], i))
            .map(|i| i as u16)
    }
}

/// Γ(x) for x in [1, 2] and beyond by recursion (Lanczos, g = 7), for the Weibull mean.
pub fn gamma(x: f64) -> f64 {
    const C: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        return std::f64::consts::PI / ((std::f64::consts::PI * x).sin() * gamma(1.0 - x));
    }
    let x = x - 1.0;
    let mut a = C[0];
    let t = x + 7.5;
    for (i, c) in C.iter().enumerate().skip(1) {
        a += c / (x + i as f64);
    }
    (2.0 * std::f64::consts::PI).sqrt() * t.powf(x + 0.5) * (-t).exp() * a
}

/// A Weibull departure delay with shape `k` and mean `mean_s`, from a uniform `u` in (0, 1].
pub fn weibull_delay(mean_s: f64, k: f64, u: f64) -> f64 {
    if mean_s <= 0.0 {
        return 0.0;
    }
    let lambda = mean_s / gamma(1.0 + 1.0 / k);
    lambda * (-u.ln()).powf(1.0 / k)
}

/// Aggregated events of one step.
#[derive(Default)]
struct StepLog {
    diverted: BTreeMap<(u16, u16), (f64, u32)>,
    stuck: BTreeMap<u32, (f64, u32)>,
    turned_back: BTreeMap<u32, (f64, u32)>,
    full: Vec<u16>,
}

#[derive(bevy::ecs::system::SystemParam)]
pub(crate) struct EvacWorld<'w> {
    clock: Res<'w, SimClock>,
    scenario: Res<'w, ScenarioRes>,
    net: Res<'w, RoadNetwork>,
    depths: Res<'w, ZoneDepths>,
    evacuations: Res<'w, Evacuations>,
    residents: ResMut<'w, Residents>,
    shelters: ResMut<'w, Shelters>,
    rng: ResMut<'w, SimRng>,
    hh: ResMut<'w, Households>,
    ev: ResMut<'w, EvacNet>,
}

/// The evacuee model's step (Agents set, after supplies).
pub(crate) fn evacuee_step(mut w: EvacWorld, mut journal: MessageWriter<Journaled>) {
    let now = w.clock.now;
    let params = w.scenario.0.scenario.resources.evacuation.clone();
    if !w.ev.ready {
        if w.evacuations.0.is_empty() {
            return;
        }
        let dt = w.clock.step;
        let (net, shelters) = (&*w.net, &*w.shelters);
        w.ev.build(net, shelters, &params, dt);
        w.ev.rebuild_trees(net, now);
    }
    let mut out: Vec<Event> = Vec::new();
    let mut log = StepLog::default();
    let EvacWorld { clock, scenario, net, depths, evacuations, mut residents, mut shelters, mut rng, mut hh, mut ev } =
        w;
    let (net, ev, hh, shelters, residents) = (&*net, &mut *ev, &mut *hh, &mut *shelters, &mut *residents);

    // roads opened or closed → new trees; every REROUTE_EVERY_S with cars on the road too
    let mut changed = false;
    if ev.open_seen != net.open_changes {
        ev.open_seen = net.open_changes;
        for e in net.graph.edge_indices() {
            let open = net.graph[e].open;
            if ev.open[e.index()] != open {
                ev.open[e.index()] = open;
                changed = true;
            }
        }
    }
    if changed || (ev.cars_on_road > 0 && now >= ev.last_tree + REROUTE_EVERY_S) {
        ev.rebuild_trees(net, now);
        let stuck = std::mem::take(&mut ev.stuck);
        for h in stuck {
            resume(h, now, net, ev, hh, shelters, residents, &depths, &mut log);
        }
    }

    // new orders
    while ev.orders_seen < evacuations.0.len() {
        let order = evacuations.0[ev.orders_seen].clone();
        ev.orders_seen += 1;
        let sc = &scenario.0.scenario;
        // a node, or every node of a flood zone or an area
        let nodes: Vec<&str> = sc.map.places_of(&order.from);
        let Some(dest) = ev.shelters.iter().position(|(id, _)| *id == order.to) else { continue };
        let mut ixs: Vec<u32> = nodes.iter().filter_map(|n| net.node(n)).map(|i| i.index() as u32).collect();
        ixs.sort_unstable();
        ixs.dedup();
        for o in ixs {
            if let Some(org) = ev.origins.get(&o) {
                // already evacuating: those not yet gone head for the new shelter
                for h in org.first..org.first + org.count {
                    if matches!(hh.stage[h as usize], Stage::Pending | Stage::StuckHome) {
                        hh.dest[h as usize] = dest as u16;
                    }
                }
                continue;
            }
            let id = net.ids[o as usize].clone();
            let people = residents.0.get(&id).copied().unwrap_or(0.0).round();
            if people < 1.0 {
                continue;
            }
            let n_h = (people / params.household_size).ceil().max(1.0) as u32;
            let base = (people as u32) / n_h;
            let extra = (people as u32) % n_h;
            let first = hh.len() as u32;
            let (mut refusing_p, mut complying) = (0.0, 0.0);
            for k in 0..n_h {
                let size = (base + u32::from(k < extra)) as f32;
                let obeys = rng.0.random::<f64>() < params.compliance;
                let car = rng.0.random::<f64>() < params.car_share;
                let u = 1.0 - rng.0.random::<f64>();
                if !obeys {
                    hh.push(o, dest as u16, size, Stage::Refused, car);
                    refusing_p += size as f64;
                    continue;
                }
                let delay = weibull_delay(params.mobilisation_mean.secs() as f64, params.mobilisation_shape, u);
                let h = hh.push(o, dest as u16, size, Stage::Pending, car);
                let t = (now as f64 + delay).round().min(u32::MAX as f64 - 1.0) as u32;
                ev.departures.push(Reverse((t, h)));
                complying += size as f64;
            }
            ev.refused_people += refusing_p;
            let zones = sc.map.flood_zones.iter().filter(|z| z.nodes.contains(&id)).map(|z| z.id.clone()).collect();
            ev.origins
                .insert(o, Origin { first, count: n_h, nominal_home: people, complying, zones, ..Default::default() });
            out.push(Event::EvacuationStarted {
                from: id,
                to: order.to.clone(),
                households: n_h,
                people: people as u32,
                refusing: refusing_p as u32,
            });
        }
    }

    // departures due
    while let Some(&Reverse((t, h))) = ev.departures.peek() {
        if t as u64 > now {
            break;
        }
        ev.departures.pop();
        if hh.stage[h as usize] != Stage::Pending {
            continue;
        }
        hh.t[h as usize] = t;
        depart(h, now, net, ev, hh, shelters, residents, &depths, &mut log);
    }

    // cars on the roads, road by road; then walkers
    move_cars(now as u32, clock.step as u32, ev, hh, shelters, &mut log);
    move_walkers(now, params.walk_speed_kmh, ev, hh, shelters, &mut log);

    progress_events(ev, net, &mut out);
    for s in log.full {
        out.push(Event::ShelterFull {
            shelter: ev.shelters[s as usize].0.clone(),
            occupants: shelters.0[&ev.shelters[s as usize].0].occupants,
        });
    }
    for (k, (people, households)) in log.diverted {
        let e = ev.diverted.entry(k).or_default();
        e.0 += people;
        e.1 += households;
    }
    for (k, (people, households)) in log.stuck {
        let e = ev.stuck_log.entry(k).or_default();
        e.0 += people;
        e.1 += households;
    }
    for (k, (people, households)) in log.turned_back {
        let e = ev.turned_back_log.entry(k).or_default();
        e.0 += people;
        e.1 += households;
    }
    let last = now + clock.step >= clock.stop_at;
    if (now + clock.step).is_multiple_of(3600) || last {
        hourly_events(ev, net, shelters, &mut out);
    }
    if last && !ev.totals_journaled {
        totals_events(ev, hh, net, &mut out);
    }
    for e in out {
        journal.write(Journaled(e));
    }
}

/// Cars on the roads, road by road: busy roads in index order, as a scan of every road would
/// visit them (a road that gets a car while the pass is past it waits for the next step, one
/// ahead of it is visited now).
fn move_cars(now32: u32, dt: u32, ev: &mut EvacNet, hh: &mut Households, shelters: &mut Shelters, log: &mut StepLog) {
    for w in 0..ev.busy.len() {
        let mut done = 0u64;
        loop {
            let bits = ev.busy[w] & !done;
            if bits == 0 {
                break;
            }
            let b = bits.trailing_zeros();
            done |= if b == 63 { u64::MAX } else { (2u64 << b) - 1 };
            let e = w * 64 + b as usize;
            if e >= ev.queue.len() {
                ev.busy[w] &= !(1u64 << b);
                continue;
            }
            move_road(e, now32, dt, ev, hh, shelters, log);
        }
    }
}

/// Walkers due by `now` take their next road, or arrive.
fn move_walkers(
    now: u64,
    walk_speed_kmh: f64,
    ev: &mut EvacNet,
    hh: &mut Households,
    shelters: &mut Shelters,
    log: &mut StepLog,
) {
    while let Some(&Reverse((t, h))) = ev.walkers.peek() {
        if t as u64 > now {
            break;
        }
        ev.walkers.pop();
        let hu = h as usize;
        if hh.edge[hu] != NONE {
            hh.node[hu] = ev.target[hh.edge[hu] as usize];
            hh.edge[hu] = NONE;
        }
        ev.updates += 1;
        let at = hh.node[hu];
        match next_edge(h, at, ev, hh, shelters, log) {
            Some(ne) => {
                hh.edge[hu] = ne;
                let secs = (ev.len_km[ne as usize] as f64 / walk_speed_kmh * 3600.0).round().max(1.0) as u32;
                hh.t[hu] = t + secs;
                ev.walkers.push(Reverse((hh.t[hu], h)));
            }
            None => {
                if hh.stage[hu] == Stage::OnRoad {
                    arrive(h, t, ev, hh, shelters, log);
                }
                if hh.stage[hu] == Stage::OnRoad {
                    ev.walkers.push(Reverse((t, h))); // diverted: the next pop routes it on
                }
            }
        }
    }
}

/// Journal: progress of the origins households left this step, in origin order.
fn progress_events(ev: &mut EvacNet, net: &RoadNetwork, out: &mut Vec<Event>) {
    let mut progressed = std::mem::take(&mut ev.progressed);
    progressed.sort_unstable();
    progressed.dedup();
    for o in progressed.drain(..) {
        let Some(org) = ev.origins.get_mut(&o) else { continue };
        if org.complying <= 0.0 {
            continue;
        }
        let share = org.gone_nominal / org.complying;
        let m = [25u32, 50, 75, 100].into_iter().rfind(|p| share * 100.0 >= *p as f64 - 1e-9).unwrap_or(0);
        if m > org.milestone {
            org.milestone = m;
            out.push(Event::EvacuationProgress {
                from: net.ids[o as usize].clone(),
                percent: m,
                left: org.left.round() as u32,
                complying: org.complying as u32,
            });
        }
    }
    ev.progressed = progressed;
}

/// On the hour (and at the end): diversions, the stuck and the arrivals since the last hour.
fn hourly_events(ev: &mut EvacNet, net: &RoadNetwork, shelters: &Shelters, out: &mut Vec<Event>) {
    for ((a, b), (people, households)) in std::mem::take(&mut ev.diverted) {
        out.push(Event::EvacueesDiverted {
            from_shelter: ev.shelters[a as usize].0.clone(),
            to_shelter: ev.shelters[b as usize].0.clone(),
            people: people.round() as u32,
            households,
        });
    }
    for (at, (people, households)) in std::mem::take(&mut ev.turned_back_log) {
        out.push(Event::EvacueesTurnedBack {
            at: net.ids[at as usize].clone(),
            people: people.round() as u32,
            households,
        });
    }
    for (at, (people, households)) in std::mem::take(&mut ev.stuck_log) {
        out.push(Event::EvacueesStuck { at: net.ids[at as usize].clone(), people: people.round() as u32, households });
    }
    for (i, (people, t)) in ev.arrived.iter_mut().enumerate() {
        if *people > 0.0 {
            out.push(Event::ShelterArrivals {
                shelter: ev.shelters[i].0.clone(),
                people: people.round() as u32,
                last_arrival_s: *t as u64,
                occupants: shelters.0[&ev.shelters[i].0].occupants,
            });
            *people = 0.0;
        }
    }
}

/// At the end, once: the evacuation's totals and its clearance times.
fn totals_events(ev: &mut EvacNet, hh: &Households, net: &RoadNetwork, out: &mut Vec<Event>) {
    ev.totals_journaled = true;
    let mut on_road = 0.0;
    let mut stuck = 0.0;
    let mut waiting = 0.0;
    for h in 0..hh.len() {
        match hh.stage[h] {
            Stage::OnRoad => on_road += hh.people[h] as f64,
            Stage::StuckOnRoad | Stage::StuckHome => stuck += hh.people[h] as f64,
            Stage::Pending => waiting += hh.people[h] as f64,
            _ => {}
        }
    }
    let stuck_at = stuck_places(hh, net);
    let left: f64 = ev.origins.values().map(|o| o.left).sum();
    let left_dry: f64 = ev.origins.values().map(|o| o.left_dry).sum();
    out.push(Event::EvacuationTotals {
        ordered: ev.origins.values().map(|o| o.complying).sum::<f64>().round() as u32 + ev.refused_people as u32,
        refusing: ev.refused_people.round() as u32,
        left: left.round() as u32,
        left_before_flood: left_dry.round() as u32,
        sheltered: ev.sheltered_people.round() as u32,
        on_road: on_road.round() as u32,
        stuck: stuck.round() as u32,
        not_yet_left: waiting.round() as u32,
        stuck_at,
    });
    let complying: f64 = ev.origins.values().map(|o| o.complying).sum();
    out.push(clearance(&mut ev.admissions, complying));
}

/// Where the stuck households are (node id → people): those that found no road, at home or on
/// the way (cars never wait in water: they turn back or are left, `face_water`).
fn stuck_places(hh: &Households, net: &RoadNetwork) -> BTreeMap<String, u32> {
    let mut at: BTreeMap<u32, f64> = BTreeMap::new();
    for h in 0..hh.len() {
        if matches!(hh.stage[h], Stage::StuckHome | Stage::StuckOnRoad) {
            *at.entry(hh.node[h]).or_default() += hh.people[h] as f64;
        }
    }
    at.into_iter().map(|(n, p)| (net.ids[n as usize].clone(), p.round() as u32)).filter(|(_, p)| *p > 0).collect()
}

/// Lets the cars at the head of road `e` out onto their next roads (or into their shelter), as
/// far as the road's flow and the next roads' room allow; an empty road has its flow reset and
/// leaves the busy set.
#[allow(clippy::too_many_arguments)]
fn move_road(
    e: usize,
    now32: u32,
    dt: u32,
    ev: &mut EvacNet,
    hh: &mut Households,
    shelters: &mut Shelters,
    log: &mut StepLog,
) {
    let water = ev.water.get(e).copied().unwrap_or(0);
    if water & WET_END != 0 && !ev.queue[e].is_empty() {
        face_water(e, water, now32, ev, hh, shelters, log);
    }
    if ev.queue[e].is_empty() {
        // an idle road lets the next car out at once (at least one per step)
        ev.flow_acc[e] = (1.0 - ev.flow_per_step[e]).max(0.0);
        ev.busy[e / 64] &= !(1u64 << (e % 64));
        return;
    }
    ev.flow_acc[e] = (ev.flow_acc[e] + ev.flow_per_step[e]).min(ev.flow_per_step[e].max(1.0) + 1.0);
    while let Some(&h) = ev.queue[e].front() {
        let hu = h as usize;
        if hh.t[hu] > now32 || ev.flow_acc[e] < 1.0 {
            break;
        }
        let at = ev.target[e];
        let Some(next) = next_edge(h, at, ev, hh, shelters, log) else {
            // arrived at its shelter, or stuck: leaves the road either way
            ev.queue[e].pop_front();
            ev.flow_acc[e] -= 1.0;
            ev.cars_on_road -= 1;
            hh.node[hu] = at;
            hh.edge[hu] = NONE;
            ev.updates += 1;
            // it leaves the road now: at its free-flow time, or as early in this step as the queue
            // let it (queueing on the last road counts in the arrival time)
            let out = hh.t[hu].max(now32.saturating_sub(dt) + 1);
            if hh.stage[hu] == Stage::OnRoad {
                arrive(h, out, ev, hh, shelters, log);
            }
            if hh.stage[hu] == Stage::OnRoad {
                // diverted: goes on from the shelter's node
                continue_on(h, out, ev, hh, shelters, log);
            }
            continue;
        };
        let ne = next as usize;
        if ev.queue[ne].len() as u32 >= ev.storage[ne] {
            break; // spill-back: the head waits, and so does everyone behind it
        }
        ev.queue[e].pop_front();
        ev.flow_acc[e] -= 1.0;
        let entry = hh.t[hu].max(now32.saturating_sub(dt) + 1);
        hh.node[hu] = at;
        hh.edge[hu] = next;
        hh.t[hu] = entry + ev.t0[ne];
        ev.queue[ne].push_back(h);
        ev.busy[ne / 64] |= 1u64 << (ne % 64);
        ev.updates += 1;
    }
}

/// The cars on road `e` whose end is under water (`water`, the road's [`EvacNet::water`] bits)
/// do not drive into it ("turn around, don't drown"): with the road's start dry they turn back
/// there and go on by another road (the flood has closed this one, so the routes avoid it), or
/// wait there when none leads to a shelter; with both ends under water the people leave the car
/// for the houses at the shallower end, where they wait like its residents (`StuckOnRoad`) and
/// go on foot once a road opens.
fn face_water(
    e: usize,
    water: u8,
    now32: u32,
    ev: &mut EvacNet,
    hh: &mut Households,
    shelters: &mut Shelters,
    log: &mut StepLog,
) {
    let (start, end) = (ev.source[e], ev.target[e]);
    for h in std::mem::take(&mut ev.queue[e]) {
        let hu = h as usize;
        ev.cars_on_road -= 1;
        hh.edge[hu] = NONE;
        ev.updates += 1;
        if water & WET_START == 0 {
            hh.node[hu] = start;
            let t = log.turned_back.entry(start).or_default();
            t.0 += hh.people[hu] as f64;
            t.1 += 1;
            continue_on(h, now32, ev, hh, shelters, log);
        } else {
            let at = if water & START_SHALLOWER != 0 { start } else { end };
            hh.node[hu] = at;
            hh.car[hu] = false;
            hh.stage[hu] = Stage::StuckOnRoad;
            stuck_at(h, at, hh.people[hu], ev, log);
        }
    }
}

/// The clearance entry: when 50/90/99/100 % of `complying` people had been admitted to a
/// shelter, from every admission (time, people) of the run.
fn clearance(admissions: &mut [(u32, f32)], complying: f64) -> Event {
    admissions.sort_by_key(|&(t, _)| t);
    let sheltered: f64 = admissions.iter().map(|&(_, p)| p as f64).sum();
    let when = |share: f64| {
        let need = share * complying - 1e-6;
        let mut sum = 0.0;
        admissions.iter().find_map(|&(t, p)| {
            sum += p as f64;
            (sum >= need).then_some(t as u64)
        })
    };
    let (p50_s, p90_s, p99_s, p100_s) =
        if complying > 0.0 { (when(0.5), when(0.9), when(0.99), when(1.0)) } else { (None, None, None, None) };
    Event::EvacuationClearance {
        people: complying.round() as u32,
        sheltered: sheltered.round() as u32,
        p50_s,
        p90_s,
        p99_s,
        p100_s,
    }
}

/// A household leaves home (or finds it cannot).
#[allow(clippy::too_many_arguments)]
fn depart(
    h: u32,
    now: u64,
    net: &RoadNetwork,
    ev: &mut EvacNet,
    hh: &mut Households,
    shelters: &mut Shelters,
    residents: &mut Residents,
    depths: &ZoneDepths,
    log: &mut StepLog,
) {
    let hu = h as usize;
    let o = hh.origin[hu];
    let Some(dest) = ev.pick_shelter(shelters, o, Some(hh.dest[hu])) else {
        hh.stage[hu] = Stage::StuckHome;
        stuck_at(h, o, hh.people[hu], ev, log);
        return;
    };
    hh.dest[hu] = dest;
    let id = &net.ids[o as usize];
    let org = ev.origins.get_mut(&o).expect("origin of a household");
    let nominal = hh.people[hu] as f64;
    let home = residents.0.get(id).copied().unwrap_or(0.0);
    let ratio = if org.nominal_home > 0.0 { (home / org.nominal_home).clamp(0.0, 1.0) } else { 0.0 };
    let people = nominal * ratio;
    org.nominal_home -= nominal;
    org.gone_nominal += nominal;
    ev.progressed.push(o);
    org.left += people;
    let dry = org.zones.iter().all(|z| depths.0.get(z).is_none_or(|d| *d <= FLOODED_DEPTH_M));
    if dry {
        org.left_dry += people;
    }
    if let Some(r) = residents.0.get_mut(id) {
        *r = (*r - people).max(0.0);
    }
    hh.people[hu] = people as f32;
    hh.stage[hu] = Stage::OnRoad;
    ev.updates += 1;
    let t = hh.t[hu].min(now as u32);
    continue_on(h, t, ev, hh, shelters, log);
}

/// Puts an on-road household at its node onto its next road (car queue or walk), from time `t`.
fn continue_on(h: u32, t: u32, ev: &mut EvacNet, hh: &mut Households, shelters: &mut Shelters, log: &mut StepLog) {
    let hu = h as usize;
    let at = hh.node[hu];
    if !hh.car[hu] {
        hh.edge[hu] = NONE;
        hh.t[hu] = t;
        ev.walkers.push(Reverse((t, h)));
        return;
    }
    match next_edge(h, at, ev, hh, shelters, log) {
        Some(ne) => {
            hh.edge[hu] = ne;
            hh.t[hu] = t + ev.t0[ne as usize];
            ev.queue[ne as usize].push_back(h);
            ev.busy[ne as usize / 64] |= 1u64 << (ne % 64);
            ev.cars_on_road += 1;
        }
        None => {
            if hh.stage[hu] == Stage::OnRoad {
                // already at the shelter's node
                arrive(h, t, ev, hh, shelters, log);
                if hh.stage[hu] == Stage::OnRoad {
                    // diverted to another shelter: on from here
                    continue_on(h, t, ev, hh, shelters, log);
                }
            }
        }
    }
}

/// Household `h` (of `people`) waits at node `at`: it tries again when the routes change, and
/// the hour's `evacuees_stuck` entry counts it the first time it waits there (not at each try).
fn stuck_at(h: u32, at: u32, people: f32, ev: &mut EvacNet, log: &mut StepLog) {
    ev.stuck.push(h);
    if ev.stuck_logged.insert((at, h)) {
        let s = log.stuck.entry(at).or_default();
        s.0 += people as f64;
        s.1 += 1;
    }
}

/// A stuck household tries again after the routes changed.
#[allow(clippy::too_many_arguments)]
fn resume(
    h: u32,
    now: u64,
    net: &RoadNetwork,
    ev: &mut EvacNet,
    hh: &mut Households,
    shelters: &mut Shelters,
    residents: &mut Residents,
    depths: &ZoneDepths,
    log: &mut StepLog,
) {
    let hu = h as usize;
    match hh.stage[hu] {
        Stage::StuckHome => {
            hh.stage[hu] = Stage::Pending;
            hh.t[hu] = now as u32;
            depart(h, now, net, ev, hh, shelters, residents, depths, log);
        }
        Stage::StuckOnRoad => {
            hh.stage[hu] = Stage::OnRoad;
            continue_on(h, now as u32, ev, hh, shelters, log);
        }
        _ => {}
    }
}

/// The road a household at node `at` takes next; None when it is at its shelter (stage stays
/// `OnRoad`) or stuck (stage becomes `StuckOnRoad`, logged).
fn next_edge(
    h: u32,
    at: u32,
    ev: &mut EvacNet,
    hh: &mut Households,
    shelters: &Shelters,
    log: &mut StepLog,
) -> Option<u32> {
    let hu = h as usize;
    let mut d = hh.dest[hu] as usize;
    if ev.shelters[d].1 == at {
        return None;
    }
    if ev.next[d][at as usize] == NONE {
        // no road to its shelter any more: the nearest other one
        match ev.pick_shelter(shelters, at, None) {
            Some(s) => {
                hh.dest[hu] = s;
                d = s as usize;
                if ev.shelters[d].1 == at {
                    return None;
                }
            }
            None => {
                hh.stage[hu] = Stage::StuckOnRoad;
                stuck_at(h, at, hh.people[hu], ev, log);
                return None;
            }
        }
    }
    Some(ev.next[d][at as usize])
}

/// A household reaches its shelter at time `t`: in, or diverted (stage stays `OnRoad` with a new
/// destination), or stuck.
fn arrive(h: u32, t: u32, ev: &mut EvacNet, hh: &mut Households, shelters: &mut Shelters, log: &mut StepLog) {
    let hu = h as usize;
    let s = hh.dest[hu];
    let id = &ev.shelters[s as usize].0;
    let st = shelters.0.get_mut(id).expect("shelter");
    let want = hh.people[hu].round() as u32;
    let room = if st.open { st.capacity.saturating_sub(st.occupants) } else { 0 };
    let admit = want.min(room);
    st.occupants += admit;
    let full = st.occupants >= st.capacity;
    if admit > 0 {
        ev.admissions.push((t, admit as f32));
        ev.arrived[s as usize].0 += admit as f64;
        ev.arrived[s as usize].1 = t;
        ev.sheltered_people += admit as f64;
    }
    if full && !ev.full_journaled[s as usize] {
        ev.full_journaled[s as usize] = true;
        log.full.push(s);
    }
    if admit >= want {
        hh.stage[hu] = Stage::Sheltered;
        hh.t[hu] = t;
        return;
    }
    hh.people[hu] = (want - admit) as f32;
    let at = hh.node[hu];
    match ev.pick_shelter(shelters, at, None) {
        Some(n) => {
            hh.dest[hu] = n;
            let e = log.diverted.entry((s, n)).or_default();
            e.0 += (want - admit) as f64;
            e.1 += 1;
        }
        None => {
            hh.stage[hu] = Stage::StuckOnRoad;
            stuck_at(h, at, hh.people[hu], ev, log);
        }
    }
}

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<Households>().init_resource::<EvacNet>().add_systems(
        crate::sim::SimStep,
        evacuee_step.in_set(StepSet::Agents).after(super::supplies::deliver_supplies),
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agents::ShelterState;

    #[test]
    fn gamma_and_weibull_mean() {
        assert!((gamma(1.5) - std::f64::consts::PI.sqrt() / 2.0).abs() < 1e-12);
        assert!((gamma(2.0) - 1.0).abs() < 1e-12);
        // mean of the delays over a fine grid of quantiles ≈ the requested mean
        let n = 100_000;
        let mean: f64 = (0..n).map(|i| weibull_delay(3600.0, 2.0, (i as f64 + 0.5) / n as f64)).sum::<f64>() / n as f64;
        assert!((mean - 3600.0).abs() < 5.0, "{mean}");
        assert_eq!(weibull_delay(0.0, 2.0, 0.3), 0.0);
    }

    /// One road 0 → 1 holding two cars of 3 people, and one shelter at node 2 that no open road
    /// reaches.
    fn one_road_two_cars() -> (EvacNet, Households, Shelters) {
        let mut ev = EvacNet {
            ready: true,
            dt: 60,
            shelters: vec![("s".into(), 2)],
            t0: vec![60],
            source: vec![0],
            target: vec![1],
            queue: vec![VecDeque::from([0, 1])],
            busy: vec![1],
            dist: vec![vec![NONE; 3]],
            next: vec![vec![NONE; 3]],
            cars_on_road: 2,
            ..Default::default()
        };
        ev.dist[0][2] = 0;
        let mut hh = Households::default();
        for _ in 0..2 {
            let h = hh.push(0, 0, 3.0, Stage::OnRoad, true);
            hh.edge[h as usize] = 0;
        }
        let shelters = Shelters([("s".to_string(), ShelterState { capacity: 100, occupants: 0, open: true })].into());
        (ev, hh, shelters)
    }

    #[test]
    fn cars_facing_water_with_a_dry_start_turn_back_and_wait_there_when_no_road_leads_on() {
        let (mut ev, mut hh, mut shelters) = one_road_two_cars();
        let mut log = StepLog::default();
        face_water(0, WET_END, 600, &mut ev, &mut hh, &mut shelters, &mut log);
        assert!(ev.queue[0].is_empty(), "nobody drives on into the water");
        assert_eq!(ev.cars_on_road, 0);
        for h in 0..2 {
            assert_eq!((hh.node[h], hh.edge[h], hh.stage[h], hh.car[h]), (0, NONE, Stage::StuckOnRoad, true));
        }
        assert_eq!(log.turned_back.get(&0), Some(&(6.0, 2)), "two households, 6 people, turned back at node 0");
        assert_eq!(log.stuck.get(&0), Some(&(6.0, 2)), "and wait there: no open road leads to the shelter");
        assert_eq!(ev.stuck, vec![0, 1]);
    }

    #[test]
    fn cars_with_water_at_both_ends_are_left_for_the_shallower_end() {
        for (bits, at) in [(WET_START | WET_END, 1), (WET_START | WET_END | START_SHALLOWER, 0)] {
            let (mut ev, mut hh, mut shelters) = one_road_two_cars();
            let mut log = StepLog::default();
            face_water(0, bits, 600, &mut ev, &mut hh, &mut shelters, &mut log);
            assert!(ev.queue[0].is_empty() && ev.cars_on_road == 0);
            for h in 0..2 {
                assert_eq!((hh.node[h], hh.edge[h], hh.stage[h]), (at, NONE, Stage::StuckOnRoad));
                assert!(!hh.car[h], "the car is left in the water; they go on on foot");
            }
            assert!(log.turned_back.is_empty());
            assert_eq!(log.stuck.get(&at), Some(&(6.0, 2)));
        }
    }

    #[test]
    fn a_household_waiting_is_counted_once_however_often_it_tries_again() {
        let (mut ev, _, _) = one_road_two_cars();
        let mut log = StepLog::default();
        stuck_at(0, 1, 3.0, &mut ev, &mut log);
        stuck_at(0, 1, 3.0, &mut ev, &mut log);
        stuck_at(1, 1, 3.0, &mut ev, &mut log);
        assert_eq!(log.stuck.get(&1), Some(&(6.0, 2)));
        assert_eq!(ev.stuck, vec![0, 0, 1], "each try is still a try");
    }
}
