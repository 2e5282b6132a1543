//! The evacuee model (agents::evacuees): free-flow timing, road capacity, re-routing around a
//! closed road, full shelters, stuck people, compliance, determinism with thousands of
//! households. Each test writes a small scenario of its own.

use std::sync::Arc;

use drillsim::agents::Residents;
use drillsim::agents::evacuees::{Households, Stage};
use drillsim::engine::{RunOptions, build_app, run_to_end};
use drillsim::journal::{Entry, Event, Journal};
use drillsim::scenario::{self, SourceFile, ValidScenario};

use crate::support::{self, run_app};

/// A scenario: nodes `(id, kind, x, y, population)`, roads `(id, from, to, km, kmh, capacity)`,
/// shelters `(node, capacity)` (all open), the `evacuation` parameters and the duration.
fn scenario(
    nodes: &[(&str, &str, f64, f64, u32)],
    roads: &[(&str, &str, &str, f64, f64, f64)],
    shelters: &[(&str, u32)],
    evacuation: &str,
    duration: &str,
) -> Arc<ValidScenario> {
    let nodes: Vec<String> = nodes
        .iter()
        .map(|(id, kind, x, y, pop)| format!("(id: \"{id}\", kind: {kind}, pos: ({x:.3}, {y:.3}), population: {pop})"))
        .collect();
    let roads: Vec<String> = roads
        .iter()
        .map(|(id, a, b, km, kmh, cap)| {
            format!(
                "(id: \"{id}\", from: \"{a}\", to: \"{b}\", length_km: {km:.3}, speed_kmh: {kmh:.1}, capacity_vph: {cap:.1})"
            )
        })
        .collect();
    let shelters: Vec<String> =
        shelters.iter().map(|(n, c)| format!("(node: \"{n}\", capacity: {c}, open: true)")).collect();
    let text = format!(
        r#"(
    format: 1,
    meta: (name: "evacuation test", start: "2020-07-01T08:00", step: "1m", duration: "{duration}", seed: 11),
    map: (nodes: [{}], roads: [{}]),
    agencies: [ (id: "ofc", name_zh: "应急办", name_en: "Office", role: emergency_office) ],
    resources: (shelters: [{}], evacuation: ({evacuation})),
)"#,
        nodes.join(",\n"),
        roads.join(",\n"),
        shelters.join(",\n")
    );
    Arc::new(scenario::parse(SourceFile::new("agents-test.ron", text)).unwrap_or_else(|p| panic!("{p}")))
}

struct Run {
    journal: Vec<Entry>,
    jsonl: String,
    households: Households,
    residents: Residents,
}

fn run(sc: Arc<ValidScenario>, orders: &[&str], seed: Option<u64>, threads: Option<usize>) -> Run {
    let mut app = run_app(sc, Some(&support::orders(orders)), RunOptions { seed, threads, ..Default::default() });
    let w = app.world_mut();
    let households = std::mem::take(&mut *w.resource_mut::<Households>());
    Run {
        journal: w.resource::<Journal>().entries.clone(),
        jsonl: w.resource::<Journal>().to_jsonl(),
        households,
        residents: w.resource::<Residents>().clone(),
    }
}

const ALL_CARS_AT_ONCE: &str = "household_size: 3.0, mobilisation_mean: \"0s\", compliance: 1.0, car_share: 1.0";

fn refused(j: &[Entry]) -> Vec<String> {
    j.iter()
        .filter_map(|e| match &e.event {
            Event::OrderRefused { reason, .. } => Some(reason.clone()),
            _ => None,
        })
        .collect()
}

fn totals(j: &[Entry]) -> Event {
    j.iter().rev().find(|e| matches!(e.event, Event::EvacuationTotals { .. })).expect("evacuation_totals").event.clone()
}

#[test]
fn a_lone_household_arrives_after_the_free_flow_time() {
    let nodes = [("v", "village", 0.0, 0.0, 3), ("j", "junction", 2.0, 0.0, 0), ("s", "shelter", 5.0, 0.0, 0)];
    // 2 km + 3 km at 60 km/h: 120 s + 180 s
    let roads = [("r1", "v", "j", 2.0, 60.0, 1800.0), ("r2", "j", "s", 3.0, 60.0, 1800.0)];
    let order = r#"(at: "+0m", by: "ofc", order: Evacuate(from: "v", to: "s"))"#;
    let r = run(scenario(&nodes, &roads, &[("s", 100)], ALL_CARS_AT_ONCE, "2h"), &[order], None, None);
    assert!(refused(&r.journal).is_empty(), "{:?}", refused(&r.journal));
    assert_eq!(r.households.len(), 1);
    assert_eq!(r.households.stage[0], Stage::Sheltered);
    assert_eq!(r.households.t[0], 300, "arrival time");
    assert_eq!(r.residents.0["v"], 0.0, "people who left are no longer residents");
    assert!(r.journal.iter().any(|e| matches!(&e.event,
        Event::ShelterArrivals { shelter, people: 3, last_arrival_s: 300, occupants: 3 } if shelter == "s")));
    assert!(r.journal.iter().any(|e| matches!(&e.event, Event::EvacuationProgress { percent: 100, left: 3, .. })));

    // on foot at 4 km/h: 2 km in 1800 s, 3 km in 2700 s
    let walk = "household_size: 3.0, mobilisation_mean: \"0s\", compliance: 1.0, car_share: 0.0, walk_speed_kmh: 4.0";
    let r = run(scenario(&nodes, &roads, &[("s", 100)], walk, "2h"), &[order], None, None);
    assert_eq!((r.households.stage[0], r.households.t[0]), (Stage::Sheltered, 4500));
}

#[test]
fn a_road_of_capacity_c_passes_about_c_cars_an_hour() {
    let nodes = [("v", "village", 0.0, 0.0, 3000), ("s", "shelter", 1.0, 0.0, 0)];
    let roads = [("r", "v", "s", 1.0, 60.0, 600.0)];
    let evac = "household_size: 1.0, mobilisation_mean: \"0s\", compliance: 1.0, car_share: 1.0";
    let order = r#"(at: "+0m", by: "ofc", order: Evacuate(from: "v", to: "s"))"#;
    let r = run(scenario(&nodes, &roads, &[("s", 5000)], evac, "4h"), &[order], None, None);
    let hourly: Vec<u32> = r
        .journal
        .iter()
        .filter_map(|e| match &e.event {
            Event::ShelterArrivals { people, .. } => Some(*people),
            _ => None,
        })
        .collect();
    assert_eq!(hourly.len(), 4, "{hourly:?}");
    // the first hour loses the first minute of travel; then 600 an hour exactly
    assert!((570..=620).contains(&hourly[0]), "{hourly:?}");
    assert_eq!(&hourly[1..3], &[600, 600], "{hourly:?}");
    // free flow would have taken 1 minute: the queue spreads arrivals over five hours
    assert_eq!(
        hourly.iter().sum::<u32>(),
        r.households.stage.iter().filter(|s| **s == Stage::Sheltered).count() as u32
    );
}

#[test]
fn a_closed_road_makes_traffic_reroute() {
    // v → a (1 km); a → s direct 2 km, or a → b → s 3 + 3 km
    let nodes = [
        ("v", "village", 0.0, 0.0, 3),
        ("a", "junction", 1.0, 0.0, 0),
        ("b", "junction", 2.0, 2.0, 0),
        ("s", "shelter", 3.0, 0.0, 0),
    ];
    let roads = [
        ("r_va", "v", "a", 1.0, 60.0, 1800.0),
        ("r_as", "a", "s", 2.0, 60.0, 1800.0),
        ("r_ab", "a", "b", 3.0, 60.0, 1800.0),
        ("r_bs", "b", "s", 3.0, 60.0, 1800.0),
    ];
    let sc = || scenario(&nodes, &roads, &[("s", 100)], ALL_CARS_AT_ONCE, "2h");
    let evac = r#"(at: "+0m", by: "ofc", order: Evacuate(from: "v", to: "s"))"#;
    let open = run(sc(), &[evac], None, None);
    assert_eq!(open.households.t[0], 60 + 120);
    // the road closes while the car is on r_va: at a it turns to b
    let close = r#"(at: "+1m", by: "ofc", order: CloseRoad("r_as"))"#;
    let closed = run(sc(), &[evac, close], None, None);
    assert!(refused(&closed.journal).is_empty(), "{:?}", refused(&closed.journal));
    assert_eq!(closed.households.stage[0], Stage::Sheltered);
    assert_eq!(closed.households.t[0], 60 + 180 + 180);
}

#[test]
fn with_no_open_road_people_stay_home_and_are_journaled_stuck() {
    let nodes = [("v", "village", 0.0, 0.0, 30), ("s", "shelter", 1.0, 0.0, 0)];
    let roads = [("r", "v", "s", 1.0, 60.0, 1800.0)];
    let sc = scenario(&nodes, &roads, &[("s", 100)], ALL_CARS_AT_ONCE, "1h");
    let r = run(
        sc,
        &[
            r#"(at: "+0m", by: "ofc", order: CloseRoad("r"))"#,
            r#"(at: "+0m", by: "ofc", order: Evacuate(from: "v", to: "s"))"#,
        ],
        None,
        None,
    );
    assert!(
        r.journal
            .iter()
            .any(|e| matches!(&e.event, Event::EvacueesStuck { at, people: 30, households: 10 } if at == "v"))
    );
    assert_eq!(r.residents.0["v"], 30.0, "stuck at home: still residents");
    assert!(r.households.stage.iter().all(|s| *s == Stage::StuckHome));
}

#[test]
fn a_full_shelter_diverts_to_the_next_nearest_open_one() {
    let nodes = [
        ("v", "village", 0.0, 0.0, 30),
        ("s1", "shelter", 1.0, 0.0, 0),
        ("s2", "shelter", 3.0, 0.0, 0),
        ("s3", "shelter", 9.0, 0.0, 0),
    ];
    let roads = [
        ("r1", "v", "s1", 1.0, 60.0, 1800.0),
        ("r2", "s1", "s2", 2.0, 60.0, 1800.0),
        ("r3", "s2", "s3", 6.0, 60.0, 1800.0),
    ];
    let sc = scenario(&nodes, &roads, &[("s1", 12), ("s2", 100), ("s3", 100)], ALL_CARS_AT_ONCE, "2h");
    let r = run(sc, &[r#"(at: "+0m", by: "ofc", order: Evacuate(from: "v", to: "s1"))"#], None, None);
    let j = &r.journal;
    assert!(j.iter().any(|e| matches!(&e.event, Event::ShelterFull { shelter, occupants: 12 } if shelter == "s1")));
    let diverted: u32 = j
        .iter()
        .filter_map(|e| match &e.event {
            Event::EvacueesDiverted { from_shelter, to_shelter, people, .. } if from_shelter == "s1" => {
                assert_eq!(to_shelter, "s2", "the nearest open shelter with room");
                Some(*people)
            }
            _ => None,
        })
        .sum();
    assert_eq!(diverted, 18);
    let Event::EvacuationTotals { sheltered, left, stuck, .. } = totals(j) else { unreachable!() };
    assert_eq!((sheltered, left, stuck), (30, 30, 0));
}

#[test]
fn refusers_stay_home_and_departures_follow_the_mobilisation_curve() {
    let nodes = [("v", "village", 0.0, 0.0, 3000), ("s", "shelter", 1.0, 0.0, 0)];
    let roads = [("r", "v", "s", 1.0, 60.0, 100_000.0)];
    let evac = "household_size: 1.0, mobilisation_mean: \"2h\", compliance: 0.8, car_share: 1.0";
    let r = run(
        scenario(&nodes, &roads, &[("s", 5000)], evac, "12h"),
        &[r#"(at: "+0m", by: "ofc", order: Evacuate(from: "v", to: "s"))"#],
        None,
        None,
    );
    let refusing = r.households.stage.iter().filter(|s| **s == Stage::Refused).count();
    assert!((540..=660).contains(&refusing), "{refusing} of 3000 refuse at compliance 0.8");
    assert_eq!(r.residents.0["v"], refusing as f64);
    // Rayleigh with mean 2 h: median = mean · √(ln 2) / Γ(1.5) ≈ 1.878 h
    let half = r
        .journal
        .iter()
        .find(|e| matches!(e.event, Event::EvacuationProgress { percent: 50, .. }))
        .expect("50 % gone")
        .t;
    assert!((6300..=7300).contains(&half), "half gone at {half} s");
}

/// A grid of junctions with villages and two shelters; `n` villages of 300 people.
fn county(n: usize) -> (Arc<ValidScenario>, Vec<String>) {
    let side = 12;
    let mut nodes: Vec<(String, &str, f64, f64, u32)> = Vec::new();
    let mut roads: Vec<(String, String, String, f64, f64, f64)> = Vec::new();
    for y in 0..side {
        for x in 0..side {
            nodes.push((format!("j{x}_{y}"), "junction", x as f64, y as f64, 0));
            if x > 0 {
                roads.push((format!("h{x}_{y}"), format!("j{}_{y}", x - 1), format!("j{x}_{y}"), 1.0, 50.0, 900.0));
            }
            if y > 0 {
                roads.push((format!("v{x}_{y}"), format!("j{x}_{}", y - 1), format!("j{x}_{y}"), 1.0, 50.0, 900.0));
            }
        }
    }
    let mut orders = Vec::new();
    for i in 0..n {
        let (x, y) = (i % side, (i / side) % side);
        let id = format!("vil{i}");
        nodes.push((id.clone(), "village", x as f64 + 0.3, y as f64 + 0.3, 300));
        roads.push((format!("a{i}"), id.clone(), format!("j{x}_{y}"), 0.5, 30.0, 600.0));
        let to = if x < side / 2 { "sh_w" } else { "sh_e" };
        orders.push(format!("(at: \"+{}m\", by: \"ofc\", order: Evacuate(from: \"{id}\", to: \"{to}\"))", i % 7));
    }
    nodes.push(("sh_w".into(), "shelter", -1.0, 5.0, 0));
    nodes.push(("sh_e".into(), "shelter", side as f64, 5.0, 0));
    roads.push(("sw".into(), "sh_w".into(), "j0_5".into(), 1.0, 50.0, 900.0));
    roads.push(("se".into(), format!("j{}_5", side - 1), "sh_e".into(), 1.0, 50.0, 900.0));
    let nodes: Vec<(&str, &str, f64, f64, u32)> =
        nodes.iter().map(|(a, b, c, d, e)| (a.as_str(), *b, *c, *d, *e)).collect();
    let roads: Vec<(&str, &str, &str, f64, f64, f64)> =
        roads.iter().map(|(a, b, c, d, e, f)| (a.as_str(), b.as_str(), c.as_str(), *d, *e, *f)).collect();
    // the east shelter is too small: diversions too
    let sc = scenario(
        &nodes,
        &roads,
        &[("sh_w", 200_000), ("sh_e", 5_000)],
        "household_size: 3.0, mobilisation_mean: \"1h\", compliance: 0.9, car_share: 0.6",
        "8h",
    );
    (sc, orders)
}

#[test]
fn thousands_of_households_give_the_same_journal_every_time_and_on_one_thread() {
    let (sc, orders) = county(60);
    let orders: Vec<&str> = orders.iter().map(String::as_str).collect();
    let a = run(sc.clone(), &orders, Some(5), None);
    let b = run(sc.clone(), &orders, Some(5), None);
    let one = run(sc.clone(), &orders, Some(5), Some(1));
    assert!(a.households.len() >= 5000, "{} households", a.households.len());
    assert_eq!(a.jsonl, b.jsonl, "same seed, another journal");
    assert_eq!(a.jsonl, one.jsonl, "one thread changed the journal");
    let other = run(sc, &orders, Some(6), None);
    assert_ne!(a.jsonl, other.jsonl, "the seed should change departures");
    let j = &a.journal;
    assert!(j.iter().any(|e| matches!(&e.event, Event::ShelterFull { shelter, .. } if shelter == "sh_e")));
    let Event::EvacuationTotals { ordered, refusing, left, sheltered, on_road, stuck, not_yet_left, .. } = totals(j)
    else {
        unreachable!()
    };
    assert_eq!(ordered, 60 * 300);
    assert_eq!(stuck, 0);
    assert_eq!(left + refusing + not_yet_left, ordered, "everyone is counted once");
    assert_eq!(sheltered + on_road, left, "who left is sheltered or on the road");
}

/// The 21 June levee breach: the plan's evacuations, played by the auto-plan, move people to
/// shelters before their zones flood and save most of the lives the flood takes without them.
#[test]
fn the_levee_breach_plan_evacuates_people_before_the_water_comes() {
    use drillsim::exercise::autoplan::AutoPlan;
    let path = "scenarios/levee-breach-0621.ron";
    let sc = Arc::new(scenario::load(std::path::Path::new(path)).unwrap_or_else(|e| panic!("{path}: {e}")));
    let play = |auto: bool| {
        let mut app = build_app(sc.clone(), RunOptions::default(), Journal::in_memory());
        if auto {
            app.insert_resource(AutoPlan::new(None, 300));
        }
        run_to_end(&mut app).unwrap();
        app.world().resource::<Journal>().entries.clone()
    };
    let deaths = |j: &[Entry]| {
        j.iter()
            .find_map(|e| match &e.event {
                Event::FloodTotals { deaths, .. } => Some(*deaths),
                _ => None,
            })
            .expect("flood_totals")
    };
    let without = play(false);
    let with = play(true);
    assert!(!without.iter().any(|e| matches!(e.event, Event::EvacuationStarted { .. })));
    let Event::EvacuationTotals { ordered, refusing, left, left_before_flood, sheltered, .. } = totals(&with) else {
        unreachable!()
    };
    assert!(ordered >= 100_000, "{ordered}");
    assert_eq!(sheltered, left, "everyone who left reached a shelter");
    assert!(left_before_flood as f64 >= 0.95 * left as f64, "{left_before_flood} of {left}");
    assert!(refusing > 0 && refusing < ordered / 5);
    let (d0, d1) = (deaths(&without), deaths(&with));
    assert!(d1 * 5 < d0, "flood deaths {d1} with the plan, {d0} without");
}

fn clearance(j: &[Entry]) -> (u32, u32, [Option<u64>; 4]) {
    j.iter()
        .rev()
        .find_map(|e| match &e.event {
            Event::EvacuationClearance { people, sheltered, p50_s, p90_s, p99_s, p100_s } => {
                Some((*people, *sheltered, [*p50_s, *p90_s, *p99_s, *p100_s]))
            }
            _ => None,
        })
        .expect("evacuation_clearance")
}

#[test]
fn queueing_on_the_last_road_counts_in_arrival_and_clearance_times() {
    // 200 cars leave at once onto one 1 km road that passes 60 cars an hour: the last one reaches
    // the shelter after about 200 / 60 h, not after the road's free-flow minute
    let nodes = [("v", "village", 0.0, 0.0, 200), ("s", "shelter", 1.0, 0.0, 0)];
    let roads = [("r", "v", "s", 1.0, 60.0, 60.0)];
    let evac = "household_size: 1.0, mobilisation_mean: \"0s\", compliance: 1.0, car_share: 1.0";
    let order = r#"(at: "+0m", by: "ofc", order: Evacuate(from: "v", to: "s"))"#;
    let r = run(scenario(&nodes, &roads, &[("s", 1000)], evac, "5h"), &[order], None, None);
    let hour = 3600.0;
    let last = r.households.t.iter().copied().max().unwrap() as f64;
    assert!((3.2 * hour..=3.45 * hour).contains(&last), "last arrival {last} s");
    let last_logged = r
        .journal
        .iter()
        .filter_map(|e| match &e.event {
            Event::ShelterArrivals { last_arrival_s, .. } => Some(*last_arrival_s as f64),
            _ => None,
        })
        .fold(0.0, f64::max);
    assert_eq!(last_logged, last, "shelter_arrivals gives the queued arrival time");
    // arrivals follow the queue: one car a minute, to within a step (the k-th no earlier than
    // k − 1 minutes)
    let mut t: Vec<u32> = r.households.t.clone();
    t.sort_unstable();
    assert!(t.iter().enumerate().all(|(k, &t)| t as usize + 60 >= 60 * k), "{:?}", &t[..5]);

    let (people, sheltered, [p50, p90, p99, p100]) = clearance(&r.journal);
    assert_eq!((people, sheltered), (200, 200));
    // the k-th car out leaves about k minutes after the order
    let near = |got: Option<u64>, cars: f64| {
        let got = got.expect("reached") as f64;
        assert!((got - cars * 60.0).abs() <= 120.0, "{got} s for {cars} cars");
    };
    near(p50, 100.0);
    near(p90, 180.0);
    near(p99, 198.0);
    assert_eq!(p100, Some(last as u64), "100 % is the last arrival");
}

#[test]
fn clearance_shares_never_reached_are_null() {
    // the shelter takes 100 of 200: half are sheltered, 90 % never are
    let nodes = [("v", "village", 0.0, 0.0, 200), ("s", "shelter", 1.0, 0.0, 0)];
    let roads = [("r", "v", "s", 1.0, 60.0, 1800.0)];
    let evac = "household_size: 1.0, mobilisation_mean: \"0s\", compliance: 1.0, car_share: 1.0";
    let order = r#"(at: "+0m", by: "ofc", order: Evacuate(from: "v", to: "s"))"#;
    let r = run(scenario(&nodes, &roads, &[("s", 100)], evac, "2h"), &[order], None, None);
    let (people, sheltered, [p50, p90, p99, p100]) = clearance(&r.journal);
    assert_eq!((people, sheltered), (200, 100));
    assert!(p50.is_some());
    assert_eq!((p90, p99, p100), (None, None, None));
}
