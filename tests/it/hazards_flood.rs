//! The levee breach and flood model (`hazards::flood`) checked against closed forms and against
//! what responders do: weir discharge, mortality values, volume conservation (breach inflow =
//! storage; spills between zones), closure work that closes a breach, roads that close under
//! water and make traffic reroute, and reopen when it recedes.

use std::path::Path;
use std::sync::Arc;

use drillsim::engine::{RunOptions, build_app, run_to_end};
use drillsim::exercise::orders::load_orders;
use drillsim::hazards::flood::{
    FloodHarm, FloodModel, FloodState, jonkman_remaining_zone, villemonte_factor, weir_discharge, weir_flow,
};
use drillsim::journal::{Event, Journal};
use drillsim::scenario::{self, SourceFile, ValidScenario};

use crate::support::{load, run_app};

/// A polder (4 km², ground 20 m, village "low" at 20.0 m) behind a levee, spilling over a sill
/// at 21.5 m into a lower basin (2 km², ground 19 m). Town and shelter are outside. A closure
/// team of `team` people waits at the depot, 5 min from the levee. `stage` is the hydrograph.
fn polder(team: u32, area_km2: f64, duration: &str, stage: &str, extra: &str) -> String {
    format!(
        r#"(
    format: 1,
    meta: (name: "flood test polder", start: "2020-07-01T00:00", step: "1m", duration: "{duration}"),
    map: (
        nodes: [
            (id: "town",  kind: town,        pos: (0.0, 0.0), population: 10000, elevation_m: 26.0),
            (id: "low",   kind: village,     pos: (1.0, 0.0), population: 2000,  elevation_m: 20.0),
            (id: "mid",   kind: village,     pos: (1.5, 0.5), population: 1000,  elevation_m: 21.0),
            (id: "high",  kind: shelter,     pos: (3.0, 0.0), elevation_m: 30.0),
            (id: "dike",  kind: levee_point, pos: (0.0, 1.0), elevation_m: 25.0),
            (id: "depot", kind: depot,       pos: (5.0, 5.0)),
        ],
        roads: [
            (id: "r_low",    from: "town",  to: "low",  length_km: 1.0, speed_kmh: 30.0),
            (id: "r_high",   from: "low",   to: "high", length_km: 2.0, speed_kmh: 30.0),
            (id: "r_mid",    from: "low",   to: "mid",  length_km: 1.0, speed_kmh: 30.0),
            (id: "r_detour", from: "town",  to: "high", length_km: 8.0, speed_kmh: 30.0),
            (id: "r_dike",   from: "depot", to: "dike", length_km: 5.0, speed_kmh: 60.0),
            (id: "r_depot",  from: "depot", to: "high", length_km: 5.0, speed_kmh: 60.0),
        ],
        flood_zones: [
            (id: "polder", nodes: ["low", "mid"], ground_elevation_m: 20.0, area_km2: {area_km2},
             spills_to: [ (zone: "basin", sill_elevation_m: 21.5, width_m: 100.0) ]),
            (id: "basin", nodes: [], ground_elevation_m: 19.0, area_km2: 2.0),
        ],
        rivers: [(
            id: "river",
            reaches: [ (id: "reach", length_km: 10.0, velocity_ms: 1.0, cross_section_m2: 500.0, dispersion_m2s: 30.0) ],
            levees: [ (id: "levee", reach: "reach", node: "dike", crest_elevation_m: 25.0, protects: "polder") ],
        )],
    ),
    agencies: [
        (id: "ofc",    name_zh: "应急办", name_en: "Emergency office", role: emergency_office),
        (id: "water",  name_zh: "水利局", name_en: "Water bureau",     role: agency),
        (id: "police", name_zh: "公安局", name_en: "Police",           role: agency),
    ],
    resources: (
        teams: [
            (id: "closers", agency: "water",  kind: "levee engineers", home: "depot", capabilities: [breach_closure], size: {team}),
            (id: "patrol",  agency: "police", kind: "traffic police",  home: "town",  capabilities: [traffic_control], size: 6),
        ],
        shelters: [ (node: "high", capacity: 20000) ],
    ),
    hazards: [
        LeveeBreach(id: "breach", levee: "levee", at: "+1h", initial_width_m: 10.0, bottom_elevation_m: 20.0,
                    stage: [ {stage} ] {extra}),
    ],
)"#
    )
}

const HIGH_RIVER: &str = r#"(at: "+0m", stage_m: 24.0)"#;

fn parse(text: &str) -> Arc<ValidScenario> {
    Arc::new(scenario::parse(SourceFile::new("flood-test.ron", text)).unwrap_or_else(|p| panic!("{}", p.short())))
}

struct Run {
    events: Vec<(u64, Event)>,
    model: FloodModel,
    harm_deaths: f64,
    fractions: Vec<(String, f64)>,
}

fn run(s: Arc<ValidScenario>, orders: Option<&str>) -> Run {
    let app = run_app(s, orders, RunOptions::default());
    let w = app.world();
    let harm = w.resource::<FloodHarm>();
    Run {
        events: w.resource::<Journal>().entries.iter().map(|e| (e.t, e.event.clone())).collect(),
        model: w.resource::<FloodState>().model.clone(),
        harm_deaths: harm.deaths_total(),
        fractions: harm.fraction.iter().map(|(k, v)| (k.clone(), *v)).collect(),
    }
}

fn assert_mass_balance(what: &str, m: &FloodModel) {
    let (inflow, stored) = (m.inflow_m3(), m.stored_m3());
    assert!(inflow > 0.0, "{what}: no water came in");
    assert!((inflow - stored).abs() <= 0.005 * inflow, "{what}: inflow {inflow} m³ vs stored {stored} m³");
}

#[test]
fn weir_discharge_at_a_fixed_head_is_the_formula_value() {
    // C_d (2/3) √(2g) B H^{3/2}, C_d 0.5, B 100 m, H 2 m (independent value, Python math)
    assert!((weir_discharge(0.5, 100.0, 2.0) - 417.612260356422).abs() < 1e-9);
    // the 21 June breach at onset: 60 m wide, river 37.1 m over a bottom at 31.0 m
    assert!((weir_discharge(0.5, 60.0, 6.1) - 1334.6710785807866).abs() < 1e-9);
    assert_eq!(weir_discharge(0.5, 100.0, 0.0), 0.0);
    // Villemonte: tailwater half way up the head
    assert!((villemonte_factor(0.5) - 0.8453860455858134).abs() < 1e-12);
    assert!((weir_flow(0.5, 100.0, 20.0, 22.0, 21.0) - 417.612260356422 * 0.8453860455858134).abs() < 1e-9);
    // both ways by level difference
    assert!((weir_flow(0.5, 100.0, 20.0, 21.0, 22.0) + 417.612260356422 * 0.8453860455858134).abs() < 1e-9);
}

#[test]
fn mortality_function_values_at_a_few_depths() {
    // Φ((ln h − 7.60)/2.75), reference values from Python's math.erfc
    for (h, want) in [
        (0.5, 0.0012819767202038857),
        (1.0, 0.002858060112317896),
        (2.0, 0.006009553583933633),
        (3.0, 0.009035966858508368),
        (5.0, 0.014688647701970911),
    ] {
        let got = jonkman_remaining_zone(h);
        assert!((got - want).abs() < 1e-6 * want.max(1e-3) * 10.0, "F({h}) = {got}, want {want}");
    }
    assert_eq!(jonkman_remaining_zone(0.0), 0.0);
}

#[test]
fn spills_between_zones_conserve_volume_and_levels_never_cross() {
    let s = parse(&polder(10, 4.0, "24h", HIGH_RIVER, ""));
    let mut m = FloodModel::build(&s.scenario);
    let (p, b) = (0, 1);
    m.zones[p].volume_m3 = 2.5 * m.zones[p].area_m2; // polder at 22.5 m, over the 21.5 m sill
    let total = m.stored_m3();
    let mut last = m.zones[p].level();
    for _ in 0..360 {
        m.route(60.0, &[f64::NAN]);
        let (lp, lb) = (m.zones[p].level(), m.zones[b].level());
        assert!(lp <= last + 1e-12, "the giving zone's level must not rise");
        assert!(lp >= 21.5 - 1e-9 && lp >= lb - 1e-9, "levels crossed: polder {lp}, basin {lb}");
        last = lp;
    }
    assert!((m.stored_m3() - total).abs() < 1e-6 * total, "{} vs {total}", m.stored_m3());
    assert!(m.zones[b].volume_m3 > 0.0 && (m.links[0].passed_m3 - m.zones[b].volume_m3).abs() < 1e-6);
    // and back: fill the basin above the polder, water returns over the same sill
    m.zones[b].volume_m3 = 5.0 * m.zones[b].area_m2; // 24.0 m
    let total = m.stored_m3();
    let before = m.zones[p].volume_m3;
    for _ in 0..120 {
        m.route(60.0, &[f64::NAN]);
    }
    assert!(m.zones[p].volume_m3 > before, "no water came back");
    assert!(m.links[0].flow_m3s <= 0.0);
    assert!((m.stored_m3() - total).abs() < 1e-6 * total);
}

#[test]
fn breach_inflow_equals_storage_over_runs() {
    let r = run(parse(&polder(10, 4.0, "24h", HIGH_RIVER, "")), None);
    assert_mass_balance("test polder", &r.model);
    for path in ["scenarios/demo-county.ron", "scenarios/levee-breach-0621.ron"] {
        let s = load(path);
        let r = run(s, None);
        assert_mass_balance(path, &r.model);
        let totals = r.events.iter().find_map(|(_, e)| match e {
            Event::FloodTotals { inflow_m3, stored_m3, .. } => Some((*inflow_m3, *stored_m3)),
            _ => None,
        });
        let (i, st) = totals.expect("flood_totals at the last step");
        assert!((i - st).abs() <= 0.005 * i, "{path}: journal says inflow {i}, stored {st}");
    }
}

#[test]
fn a_closure_team_closes_the_breach_and_stops_the_inflow() {
    let s = parse(&polder(2000, 10.0, "30h", HIGH_RIVER, ""));
    let orders = r#"Orders(orders: [(at: "+1h", by: "water", order: Dispatch(team: "closers", to: "dike", task: breach_closure))])"#;
    let with = run(s.clone(), Some(orders));
    let without = run(s, None);

    let work = with.events.iter().find_map(|(_, e)| match e {
        Event::BreachClosureWork { workers, rate_m_per_h, .. } if *workers > 0 => Some((*workers, *rate_m_per_h)),
        _ => None,
    });
    assert_eq!(work, Some((2000, 5.0)), "2,000 people at 400 person-hours per metre close 5 m/h");
    let closed_at = with.events.iter().find_map(|(t, e)| matches!(e, Event::BreachClosed { .. }).then_some(*t));
    let closed_at = closed_at.expect("the breach was closed");
    let b = &with.model.breaches[0];
    assert!(b.closed && b.width_m == 0.0 && b.discharge_m3s == 0.0, "{b:?}");
    assert!(b.peak_width_m > b.initial_width_m, "it grew before the work told: {}", b.peak_width_m);
    // nothing comes in after the closure
    let narrowed_after = with
        .events
        .iter()
        .any(|(t, e)| *t > closed_at && matches!(e, Event::BreachWidened { .. } | Event::BreachNarrowed { .. }));
    assert!(!narrowed_after);
    assert_mass_balance("with closure", &with.model);

    let open = &without.model.breaches[0];
    assert!(!open.closed && open.width_m > b.peak_width_m, "without the team it keeps growing: {}", open.width_m);
    assert!(!without.events.iter().any(|(_, e)| matches!(e, Event::BreachClosed { .. })));
    assert!(
        with.model.stored_m3() < 0.8 * without.model.stored_m3(),
        "closure must leave less water: {} vs {} m³",
        with.model.stored_m3(),
        without.model.stored_m3()
    );
}

#[test]
fn roads_close_under_water_traffic_reroutes_and_they_reopen_when_it_recedes() {
    // The river rises, the breach opens at +1h, the river falls below the polder's ground at
    // +4h: the polder drains back through the breach.
    let stage = r#"(at: "+0m", stage_m: 23.0), (at: "+3h", stage_m: 23.0), (at: "+4h", stage_m: 18.0), (at: "+40h", stage_m: 18.0)"#;
    let s = parse(&polder(10, 1.0, "40h", stage, ""));
    let orders = r#"Orders(orders: [
        (at: "+30m", by: "police", order: Dispatch(team: "patrol", to: "high", task: traffic_control)),
        (at: "+3h",  by: "police", order: Dispatch(team: "patrol", to: "town", task: traffic_control)),
        (at: "+3h30m", by: "police", order: Dispatch(team: "patrol", to: "high", task: traffic_control)),
        (at: "+39h", by: "police", order: Dispatch(team: "patrol", to: "town", task: traffic_control)),
        (at: "+39h30m", by: "police", order: Dispatch(team: "patrol", to: "high", task: traffic_control)),
    ])"#;
    let r = run(s, Some(orders));
    let closed: Vec<(u64, &str)> = r
        .events
        .iter()
        .filter_map(|(t, e)| match e {
            Event::RoadClosed { road, reason } if reason == "flood" => Some((*t, road.as_str())),
            _ => None,
        })
        .collect();
    let names: Vec<&str> = closed.iter().map(|c| c.1).collect();
    assert!(names.contains(&"r_low") && names.contains(&"r_high"), "{closed:?}");
    assert!(!names.contains(&"r_detour") && !names.contains(&"r_dike"), "{closed:?}");
    // r_low closed when the water at "low" (ground 20.0 m) passed 0.3 m: check the level then
    let depth_when = |t: u64| {
        r.events.iter().filter(move |(u, _)| *u <= t).filter_map(|(_, e)| match e {
            Event::FloodDepth { zone, depth_m, rising: true, .. } if zone == "polder" => Some(*depth_m),
            _ => None,
        })
    };
    let t_low = closed.iter().find(|c| c.1 == "r_low").unwrap().0;
    assert!(depth_when(t_low).any(|d| d == 0.1) && !depth_when(t_low).any(|d| d == 0.5));
    // r_mid ends at "low" too: it closes with r_low; "mid" (21.0 m) gets wet later than "low"
    assert_eq!(closed.iter().find(|c| c.1 == "r_mid").unwrap().0, t_low);
    let wet: Vec<&Vec<String>> = r
        .events
        .iter()
        .filter_map(|(_, e)| match e {
            Event::FloodExposure { wet_nodes, .. } => Some(wet_nodes),
            _ => None,
        })
        .collect();
    assert_eq!(wet[0], &["low"]);
    assert_eq!(wet[1], &["low", "mid"]);

    let routes: Vec<(u64, Vec<String>)> = r
        .events
        .iter()
        .filter_map(|(t, e)| match e {
            Event::TeamDispatched { team, route, .. } if team == "patrol" => Some((*t, route.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(routes.len(), 5, "{routes:?}");
    assert_eq!(routes[0].1, ["town", "low", "high"], "before the flood the short way");
    assert_eq!(routes[2].1, ["town", "high"], "under water: the detour");
    assert_eq!(routes[4].1, ["town", "low", "high"], "after it receded: the short way again");

    let reopened: Vec<&str> = r
        .events
        .iter()
        .filter_map(|(_, e)| match e {
            Event::RoadReopened { road, reason } if reason == "flood" => Some(road.as_str()),
            _ => None,
        })
        .collect();
    assert!(reopened.contains(&"r_low") && reopened.contains(&"r_high"), "{reopened:?}");
    // depth milestones both ways
    let falls = r.events.iter().any(|(_, e)| matches!(e, Event::FloodDepth { rising: false, .. }));
    assert!(falls, "a falling milestone is journaled");
    assert_mass_balance("draining polder", &r.model);
}

#[test]
fn deaths_follow_the_mortality_function_once_not_every_step() {
    // Constant high river for 24 h: the polder fills and stays. Cumulative deaths at a node
    // whose depth only rises are population × F(deepest depth) (the conditional increments
    // telescope), whatever the number of steps.
    let s = parse(&polder(10, 4.0, "24h", HIGH_RIVER, ""));
    let r = run(s.clone(), None);
    let pop = |id: &str| s.scenario.map.nodes.iter().find(|n| n.id == id).unwrap().population as f64;
    let ground = |id: &str| s.scenario.map.nodes.iter().find(|n| n.id == id).unwrap().elevation_m.unwrap();
    let level = r.model.zones[0].ground_m + r.model.zones[0].max_depth_m;
    let mut want = 0.0;
    for (node, f) in &r.fractions {
        let expect_f = jonkman_remaining_zone(level - ground(node));
        assert!((f - expect_f).abs() < 1e-9, "{node}: fraction {f}, F(h_max) {expect_f}");
        want += pop(node) * f;
    }
    assert!(r.fractions.len() == 2, "both polder villages got wet: {:?}", r.fractions);
    assert!((r.harm_deaths - want).abs() < 1e-6 * want, "{} vs {want}", r.harm_deaths);
    let journaled: u32 = r
        .events
        .iter()
        .filter_map(|(_, e)| match e {
            Event::FloodDeaths { deaths, .. } => Some(*deaths),
            _ => None,
        })
        .sum();
    assert_eq!(journaled, r.harm_deaths.floor() as u32);
    let entries = r.events.iter().filter(|(_, e)| matches!(e, Event::FloodDeaths { .. })).count();
    assert!(entries <= 12, "deaths are journaled compactly, got {entries} entries");
    let exposed = r.events.iter().any(|(_, e)| matches!(e, Event::FloodExposure { exposed, .. } if *exposed > 2000));
    assert!(exposed, "both villages' people exposed");
}

#[test]
fn the_shipped_flood_scenarios_tell_a_plausible_story() {
    let s = load("scenarios/levee-breach-0621.ron");
    let r = run(s, None);
    let luozhen = |m: f64| {
        r.events.iter().find_map(|(t, e)| match e {
            Event::FloodDepth { zone, depth_m, rising: true, .. } if zone == "fz_luozhen" && *depth_m == m => Some(*t),
            _ => None,
        })
    };
    // the breach is at +30h30m; the press: the water high in the houses by the morning of 22
    // June (08:00 = +44h). With the river drawn down (routing) the model gives 2 m by then and
    // 3 m during the 22nd.
    let t = luozhen(2.0).expect("Luozhen reaches 2 m");
    assert!(t > 30 * 3600 + 1800 && t <= 44 * 3600, "Luozhen 2 m at +{}s", t);
    let t = luozhen(3.0).expect("Luozhen reaches 3 m");
    assert!(t <= 60 * 3600, "Luozhen 3 m at +{}s", t);
    for z in &r.model.zones {
        assert!(z.max_depth_m > 2.0 && z.max_depth_m < 5.0, "{}: {} m", z.id, z.max_depth_m);
    }
    // about 70 km² under water, and the river drawn down at the breach
    let Some(Event::FloodTotals { flooded_km2, river_drawdown_m, .. }) =
        r.events.iter().rev().map(|(_, e)| e).find(|e| matches!(e, Event::FloodTotals { .. }))
    else {
        panic!("flood_totals")
    };
    assert!((60.0..=80.0).contains(flooded_km2), "{flooded_km2} km²");
    assert!(*river_drawdown_m > 0.5, "drawdown {river_drawdown_m} m");
    let b = &r.model.breaches[0];
    assert!(b.peak_width_m > 200.0 && b.peak_width_m <= 400.0, "width {}", b.peak_width_m);
    // The record (press of the time): the 100,000-odd people of the four townships were all
    // moved or sheltered in place, and nobody died. The record's orders must give a toll near
    // that — a few people caught by the first hours' water at most — and no response a toll
    // many times larger (everyone at home, the refuges too small for all).
    let s = load("scenarios/levee-breach-0621.ron");
    let orders = std::fs::read_to_string("scenarios/orders/levee-breach-0621.ron").unwrap();
    let record = run(s, Some(&orders));
    assert!(record.harm_deaths <= 20.0, "the record's response drowns {:.0}", record.harm_deaths);
    assert!(
        r.harm_deaths >= 10.0 * record.harm_deaths.max(10.0),
        "no response drowns {:.0}, the record's {:.0}",
        r.harm_deaths,
        record.harm_deaths
    );
    assert!(
        record.events.iter().any(|(_, e)| matches!(e, Event::BoatRescue { team, .. } if team == "t_wj_closure")),
        "the armed police's boats work from the levee (the water's edge)"
    );
    // the demo with its orders: the polder floods and spills into the Xiaqiao basin
    let s = load("scenarios/demo-county.ron");
    let orders = load_orders(Path::new("scenarios/orders/demo-county.ron"), &s).unwrap();
    let mut app = build_app(s, RunOptions { orders: Some(orders), ..Default::default() }, Journal::in_memory());
    run_to_end(&mut app).unwrap();
    let j = app.world().resource::<Journal>();
    assert!(
        j.entries.iter().any(
            |e| matches!(&e.event, Event::FloodSpill { from, to, .. } if from == "fz_nanhu" && to == "fz_xiaqiao")
        )
    );
    assert!(j.entries.iter().any(|e| matches!(&e.event, Event::InjectDelivered { inject, .. } if inject == "d05")));
}

#[test]
fn bad_flood_parameters_are_reported_at_their_place() {
    let text =
        polder(10, 4.0, "24h", HIGH_RIVER, ", discharge_coefficient: 1.5, max_width_m: 5.0, critical_velocity_ms: 0.0");
    let p = scenario::parse(SourceFile::new("bad.ron", text)).expect_err("invalid");
    let got: Vec<(&str, &str)> = p.problems.iter().map(|p| (p.rule, p.path.as_str())).collect();
    for want in [
        ("range", "hazards[0].discharge_coefficient"),
        ("range", "hazards[0].max_width_m"),
        ("not-positive", "hazards[0].critical_velocity_ms"),
    ] {
        assert!(got.contains(&want), "{want:?} missing from {got:?}");
    }
    let text = polder(10, 4.0, "24h", HIGH_RIVER, "").replace("bottom_elevation_m: 20.0", "bottom_elevation_m: 26.0");
    let p = scenario::parse(SourceFile::new("bad.ron", text)).expect_err("bottom above the crest");
    assert!(p.problems.iter().any(|p| p.rule == "range" && p.path == "hazards[0].bottom_elevation_m"), "{}", p.short());
}

#[test]
fn evacuees_caught_on_the_way_turn_back_or_are_exposed() {
    // Nobody lives at "low" (inside the polder); the town's people are ordered to the shelter
    // 20 minutes before the water closes the roads at "low" (+2h20m), and the shortest way
    // there runs through "low" (town → low → high, 3 km; the detour town → high is 8 km). When
    // the water over "low" passes 0.3 m its roads close. Cars on the road to it do not drive
    // into the water: their start (the town) is dry, so they turn back there and take the
    // detour. Cars leaving "low" drive on out of it. Walkers wade on to "low" and are stuck
    // there. Each household the water holds takes the mortality of its place, F(low), as a
    // resident there would: the flood's deaths are mid's residents × F(mid) plus, for every
    // household the water reached on the way, its survivors × f/(1 − f), f its mortality
    // fraction (F(low) for those held there).
    use drillsim::agents::evacuees::{EvacNet, Households, Stage, WET_END};
    let text = polder(10, 4.0, "24h", HIGH_RIVER, "")
        .replace("population: 2000,  elevation_m: 20.0", "population: 0, elevation_m: 20.0")
        .replace("shelters: [", "evacuation: (mobilisation_mean: \"20m\"),\n        shelters: [");
    let s = parse(&text);
    let orders = r#"Orders(orders: [
        (at: "+1h50m", by: "ofc", order: OpenShelter("high")),
        (at: "+2h", by: "ofc", order: Evacuate(from: "town", to: "high")),
    ])"#;
    let app = run_app(s, Some(orders), RunOptions::default());
    let w = app.world();
    let harm = w.resource::<FloodHarm>();
    let (hh, ev) = (w.resource::<Households>(), w.resource::<EvacNet>());
    let net = w.resource::<drillsim::map::RoadNetwork>();
    let (low, town) = (net.node("low").expect("low").index() as u32, net.node("town").expect("town").index() as u32);
    let j = w.resource::<Journal>();
    let log: Vec<String> = j
        .entries
        .iter()
        .filter(|e| {
            matches!(
                e.event,
                Event::RoadClosed { .. }
                    | Event::FloodExposure { .. }
                    | Event::EvacuationTotals { .. }
                    | Event::EvacueesTurnedBack { .. }
                    | Event::EvacuationStarted { .. }
            )
        })
        .map(|e| format!("{} {:?}", e.t, e.event))
        .collect();
    // no car waits on a road into the water
    for h in 0..hh.len() {
        let e = hh.edge[h] as usize;
        if hh.car[h] && hh.stage[h] == Stage::OnRoad && e < ev.source.len() {
            assert!(ev.water[e] & WET_END == 0, "household {h} drives into the water on road {e}");
        }
    }
    // the cars on the road to "low" turned back at the town, and reached the shelter by the detour
    let turned: u32 = j
        .entries
        .iter()
        .filter_map(|e| match &e.event {
            Event::EvacueesTurnedBack { at, people, .. } if at == "town" => Some(*people),
            Event::EvacueesTurnedBack { at, .. } => panic!("turned back at {at}, not at the town"),
            _ => None,
        })
        .sum();
    assert!(turned > 0, "cars met the water on the road to low and turned back: {log:#?}");
    let left_at_town: Vec<_> = (0..hh.len())
        .filter(|&h| hh.car[h] && hh.stage[h] != Stage::Refused && hh.node[h] == town)
        .map(|h| (hh.stage[h], hh.edge[h]))
        .collect();
    assert!(left_at_town.is_empty(), "no car that left is left at the town (the detour): {left_at_town:?}");
    // households held at low: stuck there (walkers who waded in)
    let held: Vec<usize> = (0..hh.len()).filter(|&h| hh.stage[h] == Stage::StuckOnRoad && hh.node[h] == low).collect();
    assert!(!held.is_empty(), "some of the town's walkers are caught at low: {log:#?}");
    let f_low = harm.transit_fraction[held[0]] as f64;
    assert!(f_low > 0.0);
    for &h in &held {
        assert!((harm.transit_fraction[h] as f64 - f_low).abs() < 1e-6, "one place, one mortality");
    }
    let f_mid = harm.fraction.iter().find(|(n, _)| *n == "mid").map(|(_, f)| *f).expect("mid got wet");
    // every household the water reached on the way lost people·f/(1 − f) of its survivors' number
    let transit: f64 = (0..hh.len())
        .map(|h| harm.transit_fraction.get(h).copied().unwrap_or(0.0) as f64)
        .zip(&hh.people)
        .map(|(f, p)| *p as f64 * f / (1.0 - f))
        .sum();
    let held_deaths: f64 = held.iter().map(|&h| hh.people[h] as f64 * f_low / (1.0 - f_low)).sum();
    assert!(held_deaths > 0.5 * transit, "most of it among those the water held: {held_deaths} of {transit}");
    let want = 1000.0 * f_mid + transit;
    assert!((harm.deaths_total() - want).abs() < 1e-3 * want.max(1.0), "{} vs {want}", harm.deaths_total());
    let in_transit = j.entries.iter().any(
        |e| matches!(&e.event, Event::FloodExposure { zone, in_transit, .. } if zone == "polder" && *in_transit > 0),
    );
    assert!(in_transit, "the exposure entries count the evacuees on the way");
    let stuck_at_low = j.entries.iter().any(
        |e| matches!(&e.event, Event::EvacuationTotals { stuck_at, .. } if stuck_at.get("low").is_some_and(|p| *p > 0)),
    );
    assert!(stuck_at_low, "evacuation_totals says where the stuck are");
}

#[test]
fn the_exposed_peak_is_the_peak_of_the_simultaneous_total() {
    // The totals' exposed_peak is the most people in the water at one moment, all zones
    // together: at most the sum of the zones' own peaks (reached at different moments) and at
    // least the largest of them; the per-zone peaks are kept beside it.
    let s = load("scenarios/demo-county.ron");
    let orders = load_orders(Path::new("scenarios/orders/demo-county.ron"), &s).unwrap();
    let mut app = build_app(s, RunOptions { orders: Some(orders), ..Default::default() }, Journal::in_memory());
    run_to_end(&mut app).unwrap();
    let w = app.world();
    let harm = w.resource::<FloodHarm>();
    let j = w.resource::<Journal>();
    let Some(Event::FloodTotals { exposed_peak, exposed_peak_by_zone, .. }) =
        j.entries.iter().rev().map(|e| &e.event).find(|e| matches!(e, Event::FloodTotals { .. }))
    else {
        panic!("flood_totals")
    };
    let sum: u64 = exposed_peak_by_zone.values().sum();
    let max = exposed_peak_by_zone.values().copied().max().unwrap_or(0);
    assert!(*exposed_peak <= sum && *exposed_peak >= max, "{exposed_peak} vs zones {exposed_peak_by_zone:?}");
    assert_eq!(*exposed_peak, harm.exposed_total_peak.round() as u64);
    assert_eq!(exposed_peak_by_zone.len(), 2);
}

/// `StageAtLeast` reads the routed stage where the river is routed (issue 18): the breach at
/// +1h draws the reach down, so a stage the hydrograph reaches later is not reached at the
/// levee. The hydrograph rises linearly from 24.0 m (+0) to 25.0 m (+3h): 24.25 m at +45m,
/// 24.75 m at +2h15m, exactly.
#[test]
fn stage_conditions_read_the_routed_stage() {
    let rising = r#"(at: "+0m", stage_m: 24.0), (at: "+3h", stage_m: 25.0)"#;
    let injects = r#"    injects: [
        (id: "before", when: StageAtLeast(levee: "levee", stage_m: 24.25), from: "control", to: ["ofc"], text: "24.25 m"),
        (id: "after",  when: StageAtLeast(levee: "levee", stage_m: 24.75), from: "control", to: ["ofc"], text: "24.75 m"),
    ],
    hazards: ["#;
    let with = |extra: &str| parse(&polder(10, 4.0, "3h", rising, extra).replacen("    hazards: [", injects, 1));
    let delivered = |r: &Run, id: &str| {
        r.events.iter().find_map(|(t, e)| match e {
            Event::InjectDelivered { inject, .. } if inject == id => Some(*t),
            _ => None,
        })
    };
    // the river as an infinite reservoir: the hydrograph's stage
    let natural = run(with(""), None);
    assert_eq!(delivered(&natural, "before"), Some(45 * 60));
    assert_eq!(delivered(&natural, "after"), Some(135 * 60));
    // routed (bed 15 m): the same before the breach, drawn down after it
    let routed = run(with(", river_bed_elevation_m: 15.0"), None);
    assert_eq!(delivered(&routed, "before"), Some(45 * 60), "no drawdown before the breach");
    assert_eq!(delivered(&routed, "after"), None, "the routed stage stays under 24.75 m");
    let stage = routed.model.breaches[0].routing.as_ref().unwrap().stage_m;
    assert!(stage < 24.75, "routed stage at the end {stage} m, the hydrograph's 25.0 m");
}

/// Boat rescue (`hazards::rescue`), hand-computed: a team of 30 with boats (crew 3 → 10 boats,
/// 10 people each → 100 a trip) works at the low village from before the breach. Once the water
/// there is deeper than the road-closure depth (0.3 m: the same step the road to it closes), it
/// takes 100 people a trip; a trip at its own place lasts the loading time (10 min), one to the
/// mid village (0.707 km away at 10 km/h) 10 min + 2 × 0.7071/10 h = 1,109.1 s → 1,110 s. The
/// boats are out until then; rescued people go to the open shelter; fewer drown.
#[test]
fn boats_take_people_off_flooded_places_trip_by_trip() {
    let text = polder(10, 4.0, "12h", HIGH_RIVER, "")
        .replace("capabilities: [traffic_control], size: 6", "capabilities: [traffic_control, boat_evacuation], size: 30")
        .replace(
            "shelters: [ (node: \"high\", capacity: 20000) ],",
            "shelters: [ (node: \"high\", capacity: 20000) ],\n        rescue: (boat_capacity: 10, crew_per_boat: 3, boat_speed_kmh: 10.0, load_min: 10.0),",
        );
    let s = parse(&text);
    let orders = r#"Orders(orders: [
        (at: "+0m", by: "ofc",    order: OpenShelter("high")),
        (at: "+0m", by: "police", order: Dispatch(team: "patrol", to: "low", task: boat_evacuation)),
    ])"#;
    let r = run(s.clone(), Some(orders));
    let trips: Vec<(u64, u32, u32, Vec<String>, Option<String>, u64)> = r
        .events
        .iter()
        .filter_map(|(t, e)| match e {
            Event::BoatRescue { boats, people, from, shelter, back_in_s, .. } => {
                Some((*t, *boats, *people, from.keys().cloned().collect(), shelter.clone(), *back_in_s))
            }
            _ => None,
        })
        .collect();
    assert!(trips.len() > 5, "{trips:?}");
    let closed = r.events.iter().find_map(|(t, e)| match e {
        Event::RoadClosed { road, reason } if road == "r_low" && reason == "flood" => Some(*t),
        _ => None,
    });
    assert_eq!(Some(trips[0].0), closed, "the first trip when the water cuts the road");
    assert_eq!((trips[0].1, trips[0].2, trips[0].3.clone(), trips[0].5), (10, 100, vec!["low".to_string()], 600));
    for w in trips.windows(2) {
        let (a, b) = (&w[0], &w[1]);
        assert!(b.2 <= 100 && b.1 == 10);
        assert_eq!(b.4.as_deref(), Some("high"), "to the open shelter");
        // the boats are out until they are back; while people still wait at the low village,
        // the next trip leaves at the first step at or after that
        assert!(b.0 >= a.0 + a.5, "{a:?} then {b:?}");
        if a.3 == b.3 && a.3 == vec!["low".to_string()] {
            assert!(b.0 < a.0 + a.5 + 60, "{a:?} then {b:?}");
        }
        if b.3 == vec!["mid".to_string()] {
            assert_eq!(b.5, 1110, "{b:?}");
        }
    }
    assert!(trips.iter().any(|t| t.3 == vec!["mid".to_string()]), "the mid village is served too");
    let rescued: u32 = trips.iter().map(|t| t.2).sum();
    let totals = r.events.iter().rev().find_map(|(_, e)| match e {
        Event::FloodTotals { rescued, .. } => Some(*rescued),
        _ => None,
    });
    assert!(totals.is_some_and(|x| (x as i64 - rescued as i64).abs() <= trips.len() as i64), "{totals:?} vs {rescued}");
    let without = run(s, Some(r#"Orders(orders: [(at: "+0m", by: "ofc", order: OpenShelter("high"))])"#));
    assert!(!without.events.iter().any(|(_, e)| matches!(e, Event::BoatRescue { .. })));
    assert!(
        r.harm_deaths < without.harm_deaths,
        "boats save lives: {} vs {} drowned",
        r.harm_deaths,
        without.harm_deaths
    );
}
