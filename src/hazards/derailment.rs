//! Derailment casualties: deterioration, extrication, on-site treatment, transport to hospitals, site clearance.
//!
//! At onset `hazard_onsets` draws the casualties into START categories (seeded); this model takes
//! them over as patients at the site, each green, yellow, red or black, trapped or free, treated
//! or not, at the site, in an ambulance or in a hospital. Every step (in `StepSet::Consequences`,
//! after the teams have moved):
//!
//! 1. **Deterioration.** A living yellow or red casualty not yet in hospital gets worse with a
//!    constant hazard rate: yellow → red at `yellow_to_red_per_h`, red → black at
//!    `red_to_black_per_h` (probability 1 − e^{−λ·dt} per step, drawn from the run's seeded
//!    generator). Stabilised on site or riding in an ambulance the rates are multiplied by
//!    `treated_factor`; in hospital they stop (hospital outcomes are not modelled). Greens do not
//!    deteriorate. *Assumption* (no single source gives rates per START category): defaults
//!    0.1/h (a delayed casualty waits ~10 h on average before turning critical) and 0.35/h (half
//!    of the untreated critical casualties die within ~2 h — the "golden hour" reasoning of
//!    trauma care; time-dependent mortality of critical patients is modelled the same way in
//!    trauma-system simulations such as Hupert et al. 2007, Disaster Med Public Health Prep
//!    1(S1):S14), treated factor 0.2. All are scenario fields.
//! 2. **Admissions.** Casualties whose ambulance reaches the hospital are admitted (the bed was
//!    reserved when they were loaded).
//! 3. **Extrication.** Teams at the site working `extrication` free trapped casualties at
//!    `extrication_per_person_h` per rescuer-hour (default 0.1: ~10 rescuer-hours per trapped
//!    casualty in an overturned coach — an assumption), with at most `max_extricators` rescuers at
//!    work at once (default 60: the work faces of a wreck); living red first, then yellow, then
//!    the dead. A share `trapped_share` (default 0.4) of the non-green casualties is trapped at
//!    onset (walking wounded never are).
//! 4. **Treatment.** Teams working `triage` at the site stabilise free casualties at
//!    `treatment_per_person_h` per medic-hour (default 1: ~30 min of a two-person crew), red first.
//! 5. **Transport.** Each team working `medical_transport` at the site (an ambulance) that is not
//!    on a trip loads up to `ambulance_capacity` free living red, then yellow casualties (default
//!    2) and takes them by road (`RoadNetwork::route`, the team's speed factor) to the nearest
//!    hospital with a free bed; a full hospital is passed over for the next (`diverted_from`).
//!    A trip takes `handover_min` (default 10 min: loading plus handover) plus the drive there
//!    and back. Greens walk or go by bus: they are not transported and take no bed. The team
//!    stays at the site in the team model; its trips are this model's.
//! 6. **Site clearance.** Once nobody is trapped, teams working `site_clearance` at the site
//!    accumulate person-hours; at `clearance_person_h` (default 2000: e.g. 250 people for 8 h to
//!    clear the wreck and the slide — an assumption) the site is cleared, the line reopens and the
//!    roads of `blocks_roads` (closed at onset with reason `derailment:<id>`) reopen.
//!
//! `HazardState.casualties` holds the current [green, yellow, red, black]; every change is
//! journaled once per step (`deteriorated`, then a `casualties` snapshot), as are extrications,
//! treatments, trips, admissions per hospital, full hospitals and the clearance.

use std::collections::BTreeMap;

use bevy::prelude::*;
use petgraph::graph::NodeIndex;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::HazardState;
use crate::agents::teams::Team;
use crate::journal::{Event, Journaled};
use crate::map::{Closure, RoadNetwork};
use crate::scenario::ValidScenario;
use crate::scenario::hazard_models::CasualtyModel;
use crate::scenario::types::{Capability, Hazard, Map};
use crate::sim::{ScenarioRes, SimClock, SimRng};

/// START category; the order is the index into `[green, yellow, red, black]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Cat {
    Green = 0,
    Yellow = 1,
    Red = 2,
    Black = 3,
}

/// Where a casualty is.
#[derive(Debug, Clone, PartialEq)]
pub enum Place {
    Site,
    /// In an ambulance to hospital `hospital` (index into `DerailmentState.hospitals`).
    Riding {
        hospital: usize,
        arrives: u64,
    },
    Admitted {
        hospital: usize,
    },
}

/// What a triage officer sees of a casualty: the observations START sorts by (Benson, Koenig &
/// Schultz 1996, *Disaster triage: START, then SAVE*, Prehosp Disaster Med 11(2):117–124).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Observations {
    pub walks: bool,
    /// Breathing (after the airway is repositioned).
    pub breathing: bool,
    /// Respirations per minute.
    pub resp_rate: u32,
    /// Capillary refill, s (over 2 s, or no radial pulse: poor perfusion).
    pub cap_refill_s: f64,
    /// Obeys simple commands.
    pub obeys: bool,
}

/// START: walks → green (minor); not breathing with the airway open → black (expectant); more
/// than 30 breaths a minute, capillary refill over 2 s or not obeying commands → red
/// (immediate); otherwise yellow (delayed).
pub fn start_category(o: &Observations) -> Cat {
    if o.walks {
        Cat::Green
    } else if !o.breathing {
        Cat::Black
    } else if o.resp_rate > 30 || o.cap_refill_s > 2.0 || !o.obeys {
        Cat::Red
    } else {
        Cat::Yellow
    }
}

/// Observations of a casualty whose true condition is `cat` (the scenario's injury profile draws
/// the condition): normal signs within START's limits, and for a red casualty one of the three
/// red criteria, chosen evenly.
pub fn observations_for(cat: Cat, rng: &mut impl Rng) -> Observations {
    let normal = |rng: &mut dyn rand::RngCore| Observations {
        walks: false,
        breathing: true,
        resp_rate: rng.random_range(12..=28),
        cap_refill_s: rng.random_range(0.8..1.9),
        obeys: true,
    };
    let mut o = normal(rng);
    match cat {
        Cat::Green => o.walks = true,
        Cat::Yellow => {}
        Cat::Red => worsen(&mut o, Cat::Red, rng),
        Cat::Black => worsen(&mut o, Cat::Black, rng),
    }
    o
}

/// Moves the observations to a worse condition: red gets one red criterion (fast breathing,
/// poor perfusion or confusion, chosen evenly); black stops breathing. The casualty no longer
/// walks.
pub fn worsen(o: &mut Observations, to: Cat, rng: &mut impl Rng) {
    o.walks = false;
    match to {
        Cat::Red => match rng.random_range(0..3) {
            0 => o.resp_rate = rng.random_range(31..=40),
            1 => o.cap_refill_s = rng.random_range(2.5..4.0),
            _ => o.obeys = false,
        },
        Cat::Black => {
            o.breathing = false;
            o.resp_rate = 0;
        }
        _ => {}
    }
}

/// The category a triage officer gives: START on the observations, and with probability
/// `rate` one category off (up or down evenly, within green..red; the dead are not mistaken).
pub fn triage(o: &Observations, rate: f64, rng: &mut impl Rng) -> Cat {
    let cat = start_category(o);
    if cat == Cat::Black || rate <= 0.0 || rng.random::<f64>() >= rate {
        return cat;
    }
    let up = rng.random::<bool>();
    match (cat, up) {
        (Cat::Green, _) => Cat::Yellow,
        (Cat::Red, _) => Cat::Yellow,
        (_, true) => Cat::Red,
        (_, false) => Cat::Green,
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Patient {
    /// True condition (what happens to the casualty; what the counts report).
    pub cat: Cat,
    /// Category given by triage (what the responders act on: treatment and transport order).
    pub label: Cat,
    pub obs: Observations,
    pub trapped: bool,
    pub treated: bool,
    pub place: Place,
}

impl Patient {
    /// A new casualty in condition `cat`: observations drawn, triaged (START, mis-triage `rate`).
    pub fn new(cat: Cat, trapped: bool, rate: f64, rng: &mut impl Rng) -> Patient {
        let obs = observations_for(cat, rng);
        let label = triage(&obs, rate, rng);
        Patient { cat, label, obs, trapped, treated: false, place: Place::Site }
    }
    fn living(&self) -> bool {
        self.cat != Cat::Black
    }
    fn free_at_site(&self) -> bool {
        self.place == Place::Site && !self.trapped
    }
}

/// One derailment after its onset.
#[derive(Debug, Clone)]
pub struct Incident {
    pub hazard: String,
    pub site: Option<NodeIndex>,
    pub site_id: String,
    pub params: CasualtyModel,
    pub patients: Vec<Patient>,
    rng: ChaCha8Rng,
    last_t: u64,
    extrication_work: f64,
    treatment_work: f64,
    /// Person-hours of clearance done.
    pub clearance_done: f64,
    pub cleared: bool,
    /// Ambulance team id → time it is back at the site.
    pub trips: BTreeMap<String, u64>,
    /// Roads (indices) this hazard closed.
    pub blocked: Vec<usize>,
    /// Teams at the site at the end of the last step, with their task: work counts from the step
    /// after a team arrives.
    on_site: BTreeMap<String, Capability>,
}

impl Incident {
    /// Current [green, yellow, red, black].
    pub fn counts(&self) -> [u32; 4] {
        let mut c = [0; 4];
        for p in &self.patients {
            c[p.cat as usize] += 1;
        }
        c
    }
    pub fn trapped(&self) -> u32 {
        self.patients.iter().filter(|p| p.trapped).count() as u32
    }
}

/// Journals the categories triage gave (`triaged`: labels, and how many are not the
/// casualty's true condition).
fn journal_triage(journal: &mut MessageWriter<Journaled>, hazard: &str, patients: &[Patient]) {
    let mut c = [0u32; 4];
    for p in patients {
        c[p.label as usize] += 1;
    }
    let mistriaged = patients.iter().filter(|p| p.label != p.cat).count() as u32;
    journal.write(Journaled(Event::Triaged {
        hazard: hazard.to_string(),
        green: c[0],
        yellow: c[1],
        red: c[2],
        black: c[3],
        mistriaged,
    }));
}

/// A hospital's beds for casualties.
#[derive(Debug, Clone)]
pub struct Beds {
    pub node: String,
    pub ix: Option<NodeIndex>,
    pub beds: u32,
    /// Occupied or reserved by a casualty on the way.
    pub used: u32,
    pub full_journaled: bool,
}

impl Beds {
    pub fn free(&self) -> u32 {
        self.beds.saturating_sub(self.used)
    }
}

/// The derailments under way and the hospitals' beds.
#[derive(Resource, Debug, Default)]
pub struct DerailmentState {
    pub incidents: BTreeMap<String, Incident>,
    pub hospitals: Vec<Beds>,
}

fn init_hospitals(scenario: Res<ScenarioRes>, net: Res<RoadNetwork>, mut state: ResMut<DerailmentState>) {
    state.hospitals = scenario
        .0
        .scenario
        .resources
        .hospitals
        .iter()
        .map(|h| Beds { node: h.node.clone(), ix: net.node(&h.node), beds: h.beds, used: 0, full_journaled: false })
        .collect();
}

/// What the teams at a site bring this step.
#[derive(Debug, Default)]
struct Crews {
    extricators: u32,
    medics: u32,
    clearers: u32,
    /// Ambulances: (team id, speed factor), in id order.
    ambulances: Vec<(String, f64)>,
}

/// The teams working at `site` now, and what they bring. Work (extrication, treatment,
/// clearance) counts only for teams that were already there at the last step (`before`);
/// ambulances load as soon as they arrive.
fn crews_at(
    site: NodeIndex,
    teams: &[(String, Option<Capability>, NodeIndex, bool, f64)],
    sizes: &BTreeMap<&str, u32>,
    before: &BTreeMap<String, Capability>,
) -> (Crews, BTreeMap<String, Capability>) {
    let mut c = Crews::default();
    let mut now = BTreeMap::new();
    for (id, working, at, on_road, speed) in teams {
        let Some(task) = working else { continue };
        if *at != site || *on_road {
            continue;
        }
        now.insert(id.clone(), *task);
        let size = if before.get(id) == Some(task) { sizes.get(id.as_str()).copied().unwrap_or(0) } else { 0 };
        match task {
            Capability::Extrication => c.extricators += size,
            Capability::Triage => c.medics += size,
            Capability::SiteClearance => c.clearers += size,
            Capability::MedicalTransport => c.ambulances.push((id.clone(), *speed)),
            _ => {}
        }
    }
    (c, now)
}

/// Starts newly begun derailments, then advances every one by a step.
#[allow(clippy::too_many_arguments)]
pub(super) fn derailment_step(
    clock: Res<SimClock>,
    scenario: Res<ScenarioRes>,
    mut hazards: ResMut<HazardState>,
    mut rng: ResMut<SimRng>,
    mut net: ResMut<RoadNetwork>,
    mut state: ResMut<DerailmentState>,
    teams: Query<&Team>,
    mut journal: MessageWriter<Journaled>,
) {
    let sc: &ValidScenario = &scenario.0;
    let now = clock.now;
    // teams, sorted by id: (id, task, node, on the road, speed factor)
    let mut team_list: Vec<(String, Option<Capability>, NodeIndex, bool, f64)> =
        teams.iter().map(|t| (t.id.clone(), t.working, t.node_at(now), t.trip.is_some(), t.speed_factor)).collect();
    team_list.sort_by(|a, b| a.0.cmp(&b.0));
    let sizes: BTreeMap<&str, u32> = sc.scenario.resources.teams.iter().map(|t| (t.id.as_str(), t.size)).collect();

    for h in &sc.scenario.hazards {
        let Some(params) = CasualtyModel::of(h) else { continue };
        let (id, node, blocks_roads, gas) = match h {
            Hazard::Derailment(d) => (&d.id, &d.node, d.blocks_roads.as_slice(), false),
            Hazard::GasRelease(g) => (&g.id, &g.node, &[][..], true),
            _ => continue,
        };
        if !hazards.onset.contains_key(id) {
            continue;
        }
        let DerailmentState { incidents, hospitals } = &mut *state;
        let Some(inc) = incidents.get_mut(id) else {
            // onset: take over the casualties drawn by `hazard_onsets`, close the roads
            let counts = hazards.casualties.get(id).copied().unwrap_or_default();
            let mut inc_rng = ChaCha8Rng::seed_from_u64(rng.0.random::<u64>());
            let mut patients = Vec::new();
            for (cat, n) in [Cat::Green, Cat::Yellow, Cat::Red, Cat::Black].into_iter().zip(counts) {
                for _ in 0..n {
                    let trapped = cat != Cat::Green && inc_rng.random::<f64>() < params.trapped_share;
                    patients.push(Patient::new(cat, trapped, params.mistriage_rate, &mut inc_rng));
                }
            }
            let reason = Closure::Derailment(id.clone());
            let mut blocked = Vec::new();
            for road in blocks_roads {
                let Some(ix) = RoadNetwork::road_index(&sc.scenario.map, road) else { continue };
                blocked.push(ix);
                if net.close_road(ix, reason.clone()) {
                    journal.write(Journaled(Event::RoadClosed { road: road.clone(), reason: reason.to_string() }));
                }
            }
            if !patients.is_empty() {
                journal_triage(&mut journal, id, &patients);
            }
            incidents.insert(
                id.clone(),
                Incident {
                    hazard: id.clone(),
                    site: net.node(node),
                    site_id: node.clone(),
                    params,
                    patients,
                    rng: inc_rng,
                    last_t: now,
                    extrication_work: 0.0,
                    treatment_work: 0.0,
                    clearance_done: 0.0,
                    cleared: gas, // a gas release leaves no wreck to clear
                    trips: BTreeMap::new(),
                    blocked,
                    on_site: BTreeMap::new(),
                },
            );
            continue;
        };
        // casualties that arrive later (the gas dose model's), at the incident's site
        if let Some(new) = hazards.pending_patients.remove(id) {
            for (cat, n) in [Cat::Green, Cat::Yellow, Cat::Red, Cat::Black].into_iter().zip(new) {
                for _ in 0..n {
                    inc.patients.push(Patient::new(cat, false, inc.params.mistriage_rate, &mut inc.rng));
                }
            }
            journal_triage(&mut journal, id, &inc.patients);
            let [green, yellow, red, black] = inc.counts();
            hazards.casualties.insert(id.clone(), [green, yellow, red, black]);
            journal.write(Journaled(Event::Casualties { hazard: id.clone(), green, yellow, red, black }));
        }
        let dt_h = now.saturating_sub(inc.last_t) as f64 / 3600.0;
        inc.last_t = now;
        if dt_h <= 0.0 {
            continue;
        }
        deteriorate(inc, id, dt_h, &mut hazards, &mut journal);
        admit(inc, id, hospitals, now, &mut journal);
        let Some(site) = inc.site else { continue };
        let (crews, on_site) = crews_at(site, &team_list, &sizes, &inc.on_site);
        inc.on_site = on_site;
        extricate(inc, id, &crews, dt_h, &mut journal);
        treat(inc, id, &crews, dt_h, &mut journal);
        transport(inc, id, &crews, hospitals, &net, now, &mut journal);
        clear_site(inc, id, &crews, dt_h, &sc.scenario.map, &mut net, &mut journal);
    }
}

/// 1. Deterioration over the step that passed.
fn deteriorate(
    inc: &mut Incident,
    id: &str,
    dt_h: f64,
    hazards: &mut HazardState,
    journal: &mut MessageWriter<Journaled>,
) {
    let p = inc.params;
    let (mut y2r, mut r2b) = (0u32, 0u32);
    for pt in &mut inc.patients {
        let rate = match pt.cat {
            Cat::Yellow => p.yellow_to_red_per_h,
            Cat::Red => p.red_to_black_per_h,
            _ => continue,
        };
        let factor = match pt.place {
            Place::Admitted { .. } => continue,
            Place::Riding { .. } => p.treated_factor,
            Place::Site if pt.treated => p.treated_factor,
            Place::Site => 1.0,
        };
        let prob = 1.0 - (-rate * factor * dt_h).exp();
        if inc.rng.random::<f64>() < prob {
            if pt.cat == Cat::Yellow {
                pt.cat = Cat::Red;
                y2r += 1;
            } else {
                pt.cat = Cat::Black;
                r2b += 1;
            }
            // the signs worsen, and the responders see it: triaged again
            worsen(&mut pt.obs, pt.cat, &mut inc.rng);
            pt.label = triage(&pt.obs, p.mistriage_rate, &mut inc.rng);
        }
    }
    if y2r + r2b > 0 {
        let [green, yellow, red, black] = inc.counts();
        hazards.casualties.insert(id.to_string(), [green, yellow, red, black]);
        journal.write(Journaled(Event::Deteriorated { hazard: id.to_string(), yellow_to_red: y2r, red_to_black: r2b }));
        journal.write(Journaled(Event::Casualties { hazard: id.to_string(), green, yellow, red, black }));
    }
}

/// 2. Admissions of the patients whose ambulance has arrived.
fn admit(inc: &mut Incident, id: &str, hospitals: &mut [Beds], now: u64, journal: &mut MessageWriter<Journaled>) {
    let mut admitted: BTreeMap<usize, [u32; 2]> = BTreeMap::new();
    for pt in &mut inc.patients {
        if let Place::Riding { hospital, arrives } = pt.place
            && arrives <= now
        {
            pt.place = Place::Admitted { hospital };
            let e = admitted.entry(hospital).or_default();
            match pt.cat {
                Cat::Red => e[1] += 1,
                Cat::Black => {} // died on the way: counted in black, the bed is freed
                _ => e[0] += 1,
            }
            if pt.cat == Cat::Black {
                hospitals[hospital].used = hospitals[hospital].used.saturating_sub(1);
            }
        }
    }
    for (hix, [yellow, red]) in admitted {
        let hp = &hospitals[hix];
        journal.write(Journaled(Event::PatientsAdmitted {
            hazard: id.to_string(),
            hospital: hp.node.clone(),
            red,
            yellow,
            beds_free: hp.free(),
        }));
    }
}

/// 3. Extrication: living red, living yellow, then the dead.
fn extricate(inc: &mut Incident, id: &str, crews: &Crews, dt_h: f64, journal: &mut MessageWriter<Journaled>) {
    let p = inc.params;
    if inc.trapped() > 0 && crews.extricators > 0 {
        let workers = crews.extricators.min(p.max_extricators) as f64;
        inc.extrication_work += workers * p.extrication_per_person_h * dt_h;
        let mut freed = [0u32; 4];
        for cat in [Cat::Red, Cat::Yellow, Cat::Black] {
            for pt in inc.patients.iter_mut().filter(|pt| pt.trapped && pt.label == cat) {
                if inc.extrication_work < 1.0 {
                    break;
                }
                inc.extrication_work -= 1.0;
                pt.trapped = false;
                freed[cat as usize] += 1;
            }
        }
        let still_trapped = inc.trapped();
        if still_trapped == 0 {
            inc.extrication_work = 0.0;
        }
        if freed.iter().sum::<u32>() > 0 {
            journal.write(Journaled(Event::Extricated {
                hazard: id.to_string(),
                red: freed[Cat::Red as usize],
                yellow: freed[Cat::Yellow as usize],
                black: freed[Cat::Black as usize],
                still_trapped,
            }));
        }
    }
}

/// 4. Treatment on site: red, yellow, green.
fn treat(inc: &mut Incident, id: &str, crews: &Crews, dt_h: f64, journal: &mut MessageWriter<Journaled>) {
    let p = inc.params;
    let untreated = |pt: &Patient| pt.free_at_site() && pt.living() && !pt.treated;
    if crews.medics > 0 && inc.patients.iter().any(untreated) {
        inc.treatment_work += crews.medics as f64 * p.treatment_per_person_h * dt_h;
        let mut done = [0u32; 4];
        for cat in [Cat::Red, Cat::Yellow, Cat::Green] {
            for pt in inc.patients.iter_mut().filter(|pt| untreated(pt) && pt.label == cat) {
                if inc.treatment_work < 1.0 {
                    break;
                }
                inc.treatment_work -= 1.0;
                pt.treated = true;
                done[cat as usize] += 1;
            }
        }
        let waiting = inc.patients.iter().filter(|pt| untreated(pt)).count() as u32;
        if waiting == 0 {
            inc.treatment_work = 0.0;
        }
        if done.iter().sum::<u32>() > 0 {
            journal.write(Journaled(Event::Treated {
                hazard: id.to_string(),
                red: done[Cat::Red as usize],
                yellow: done[Cat::Yellow as usize],
                green: done[Cat::Green as usize],
                waiting,
            }));
        }
    }
}

/// 5. Transport: each free ambulance takes red, then yellow casualties to the nearest hospital
///    with a free bed.
fn transport(
    inc: &mut Incident,
    id: &str,
    crews: &Crews,
    hospitals: &mut [Beds],
    net: &RoadNetwork,
    now: u64,
    journal: &mut MessageWriter<Journaled>,
) {
    let Some(site) = inc.site else { return };
    let p = inc.params;
    for (team, speed) in &crews.ambulances {
        if inc.trips.get(team).is_some_and(|back| *back > now) {
            continue;
        }
        let waiting: Vec<usize> = [Cat::Red, Cat::Yellow]
            .into_iter()
            .flat_map(|cat| {
                inc.patients
                    .iter()
                    .enumerate()
                    .filter(move |(_, pt)| pt.free_at_site() && pt.living() && pt.label == cat)
                    .map(|(i, _)| i)
            })
            .collect();
        if waiting.is_empty() {
            break;
        }
        // reachable hospitals by driving time, nearest first (ties by list order)
        let mut options: Vec<(f64, usize, f64)> = hospitals
            .iter()
            .enumerate()
            .filter_map(|(k, hp)| {
                let there = net.route(site, hp.ix?, *speed)?.secs;
                let back = net.route(hp.ix?, site, *speed).map_or(there, |r| r.secs);
                Some((there, k, back))
            })
            .collect();
        options.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let Some(&(there, hix, back)) = options.iter().find(|(_, k, _)| hospitals[*k].free() > 0) else {
            break; // every reachable hospital is full
        };
        let diverted_from: Vec<String> =
            options.iter().take_while(|(_, k, _)| *k != hix).map(|(_, k, _)| hospitals[*k].node.clone()).collect();
        let n = (p.ambulance_capacity as usize).min(waiting.len()).min(hospitals[hix].free() as usize);
        let arrives = now + (p.handover_s / 2.0 + there).ceil() as u64;
        let (mut red, mut yellow) = (0, 0);
        for &i in &waiting[..n] {
            let pt = &mut inc.patients[i];
            pt.place = Place::Riding { hospital: hix, arrives };
            if pt.cat == Cat::Red {
                red += 1;
            } else {
                yellow += 1;
            }
        }
        inc.trips.insert(team.clone(), now + (p.handover_s + there + back).ceil() as u64);
        let hp = &mut hospitals[hix];
        hp.used += n as u32;
        journal.write(Journaled(Event::PatientsTransported {
            hazard: id.to_string(),
            team: team.clone(),
            hospital: hp.node.clone(),
            red,
            yellow,
            eta_s: arrives - now,
            diverted_from,
        }));
        if hp.free() == 0 && !hp.full_journaled {
            hp.full_journaled = true;
            journal.write(Journaled(Event::HospitalFull { hospital: hp.node.clone() }));
        }
    }
}

/// 6. Site clearance once nobody is trapped; the blocked roads reopen.
fn clear_site(
    inc: &mut Incident,
    id: &str,
    crews: &Crews,
    dt_h: f64,
    map: &Map,
    net: &mut RoadNetwork,
    journal: &mut MessageWriter<Journaled>,
) {
    let p = inc.params;
    if !inc.cleared && inc.trapped() == 0 && crews.clearers > 0 {
        inc.clearance_done += crews.clearers as f64 * dt_h;
        if inc.clearance_done >= p.clearance_person_h {
            inc.cleared = true;
            journal.write(Journaled(Event::SiteCleared { hazard: id.to_string(), place: inc.site_id.clone() }));
            let reason = Closure::Derailment(id.to_string());
            for &ix in &inc.blocked {
                if net.reopen_road(ix, &reason) {
                    let road = map.roads[ix].id.clone().unwrap_or_else(|| format!("#{ix}"));
                    journal.write(Journaled(Event::RoadReopened { road, reason: reason.to_string() }));
                }
            }
        }
    }
}

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<DerailmentState>().add_systems(Startup, init_hospitals);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obs(walks: bool, breathing: bool, resp_rate: u32, cap_refill_s: f64, obeys: bool) -> Observations {
        Observations { walks, breathing, resp_rate, cap_refill_s, obeys }
    }

    #[test]
    fn start_sorts_by_the_published_steps() {
        assert_eq!(start_category(&obs(true, true, 40, 3.0, false)), Cat::Green, "walking wounded first");
        assert_eq!(start_category(&obs(false, false, 0, 0.0, false)), Cat::Black);
        assert_eq!(start_category(&obs(false, true, 31, 1.0, true)), Cat::Red, "over 30 breaths a minute");
        assert_eq!(start_category(&obs(false, true, 30, 1.0, true)), Cat::Yellow, "30 is not over 30");
        assert_eq!(start_category(&obs(false, true, 20, 2.1, true)), Cat::Red, "refill over 2 s");
        assert_eq!(start_category(&obs(false, true, 20, 2.0, true)), Cat::Yellow);
        assert_eq!(start_category(&obs(false, true, 20, 1.0, false)), Cat::Red, "does not obey commands");
    }

    #[test]
    fn observations_drawn_for_a_condition_triage_back_to_it_and_worsen_with_it() {
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        for cat in [Cat::Green, Cat::Yellow, Cat::Red, Cat::Black] {
            for _ in 0..500 {
                let mut o = observations_for(cat, &mut rng);
                assert_eq!(start_category(&o), cat, "{o:?}");
                assert_eq!(triage(&o, 0.0, &mut rng), cat);
                if cat == Cat::Yellow {
                    worsen(&mut o, Cat::Red, &mut rng);
                    assert_eq!(start_category(&o), Cat::Red, "{o:?}");
                    worsen(&mut o, Cat::Black, &mut rng);
                    assert_eq!(start_category(&o), Cat::Black, "{o:?}");
                }
            }
        }
    }

    #[test]
    fn mistriage_is_one_category_off_at_its_rate() {
        let mut rng = ChaCha8Rng::seed_from_u64(9);
        let yellow = obs(false, true, 20, 1.0, true);
        let n = 20_000;
        let off = (0..n).filter(|_| triage(&yellow, 0.2, &mut rng) != Cat::Yellow).count();
        assert!((off as f64 / n as f64 - 0.2).abs() < 0.01, "{off}");
        let dead = obs(false, false, 0, 0.0, false);
        assert!((0..1000).all(|_| triage(&dead, 1.0, &mut rng) == Cat::Black), "the dead are not mistaken");
        assert!((0..1000).all(|_| triage(&obs(true, true, 15, 1.0, true), 1.0, &mut rng) == Cat::Yellow));
    }
}
