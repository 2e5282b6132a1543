//! The derailment casualty model through the engine: triage draw, deterioration, extrication,
//! treatment, transport to hospitals (beds, diversion), site clearance.

use std::sync::Arc;

use drillsim::engine::{RunOptions, build_app};
use drillsim::journal::{Entry, Event, Journal, summary};
use drillsim::scenario::{self, SourceFile, ValidScenario};
use drillsim::sim::SimStep;

use crate::support::{entries, load, run_app};

/// A small derailment: the site, a junction, a near hospital (2 min from the junction) and a far
/// one, a base for the teams; `hazard_extra` adds fields to the hazard.
fn small(casualties: u32, triage: &str, near_beds: u32, hazard_extra: &str) -> Arc<ValidScenario> {
    let text = format!(
        r#"(
    format: 1,
    meta: (name: "derailment test", start: "2010-05-23T01:30", step: "1m", duration: "24h", seed: 1),
    map: (
        nodes: [
            (id: "site", kind: rail_site, pos: (0.0, 0.0)),
            (id: "j", kind: junction, pos: (1.0, 0.0)),
            (id: "base", kind: site, pos: (1.0, 1.0)),
            (id: "h_near", kind: hospital, pos: (3.0, 0.0)),
            (id: "h_far", kind: hospital, pos: (20.0, 0.0)),
            (id: "v", kind: junction, pos: (0.0, -1.0)),
        ],
        roads: [
            (id: "rd_site", from: "site", to: "j", length_km: 1.0, speed_kmh: 30.0),
            (id: "rd_near", from: "j", to: "h_near", length_km: 2.0, speed_kmh: 60.0),
            (id: "rd_far", from: "j", to: "h_far", length_km: 19.0, speed_kmh: 60.0),
            (id: "rd_base", from: "j", to: "base", length_km: 1.0, speed_kmh: 60.0),
            (id: "rd_blocked", from: "site", to: "v", length_km: 1.0, speed_kmh: 30.0),
        ],
    ),
    agencies: [
        (id: "ofc", name_zh: "应急办", name_en: "Office", role: emergency_office),
        (id: "fire", name_zh: "消防", name_en: "Fire", role: agency),
        (id: "health", name_zh: "卫生", name_en: "Health", role: agency),
        (id: "rail", name_zh: "铁路", name_en: "Railway", role: operator),
    ],
    resources: (
        teams: [
            (id: "fire1", agency: "fire", kind: "fire brigade", home: "base", capabilities: [extrication, rescue], size: 30),
            (id: "med1", agency: "health", kind: "medical team", home: "base", capabilities: [triage], size: 10),
            (id: "amb1", agency: "health", kind: "ambulance", home: "h_near", capabilities: [medical_transport, triage], size: 4),
            (id: "amb2", agency: "health", kind: "ambulance", home: "h_near", capabilities: [medical_transport, triage], size: 4),
            (id: "amb3", agency: "health", kind: "ambulance", home: "h_near", capabilities: [medical_transport, triage], size: 4),
            (id: "clear1", agency: "rail", kind: "railway crew", home: "base", capabilities: [site_clearance], size: 200),
        ],
        hospitals: [ (node: "h_near", beds: {near_beds}), (node: "h_far", beds: 200) ],
    ),
    hazards: [
        Derailment(id: "d", node: "site", at: "+10m", casualties: {casualties}, triage: {triage},
                   blocks_roads: ["rd_blocked"], {hazard_extra}),
    ],
)"#
    );
    Arc::new(scenario::parse(SourceFile::new("derail-test.ron", text)).unwrap_or_else(|p| panic!("{}", p.short())))
}

const SHARES: &str = "(green: 0.3, yellow: 0.3, red: 0.3, black: 0.1)";

/// Everyone to work at +20m.
const RESPONSE: &str = r#"Orders(orders: [
    (at: "+20m", by: "fire",   order: Dispatch(team: "fire1", to: "site", task: extrication)),
    (at: "+20m", by: "health", order: Dispatch(team: "med1",  to: "site", task: triage)),
    (at: "+20m", by: "health", order: Dispatch(team: "amb1",  to: "site", task: medical_transport)),
    (at: "+20m", by: "health", order: Dispatch(team: "amb2",  to: "site", task: medical_transport)),
    (at: "+20m", by: "health", order: Dispatch(team: "amb3",  to: "site", task: medical_transport)),
    (at: "+20m", by: "rail",   order: Dispatch(team: "clear1", to: "site", task: site_clearance)),
])"#;

fn run(s: &Arc<ValidScenario>, orders: Option<&str>, seed: u64, until: Option<u64>) -> Vec<Entry> {
    entries(&run_app(s.clone(), orders, RunOptions { seed: Some(seed), until, ..Default::default() }))
}

/// The latest casualty counts [green, yellow, red, black] at or before `t`.
fn casualties_at(j: &[Entry], t: u64) -> [u32; 4] {
    j.iter()
        .filter(|e| e.t <= t)
        .filter_map(|e| match &e.event {
            Event::Casualties { green, yellow, red, black, .. } => Some([*green, *yellow, *red, *black]),
            _ => None,
        })
        .next_back()
        .unwrap_or_default()
}

#[test]
fn the_schedule_has_no_ambiguities_with_the_casualty_model() {
    let mut app = build_app(small(10, SHARES, 10, ""), RunOptions::default(), Journal::in_memory());
    app.update();
    app.world_mut().schedule_scope(SimStep, |world, step| {
        step.initialize(world).map(|_| ()).expect("SimStep builds without ambiguities");
    });
}

#[test]
fn triage_shares_converge_over_200_seeds() {
    // 200 runs × 50 casualties = 10,000 draws. A share's standard error is √(p(1−p)/10,000) ≤
    // 0.005, so ±0.02 is four standard errors (false alarm ≈ 6e-5 per category; the seeds are
    // fixed, so the test is deterministic anyway).
    let shares = [0.45, 0.25, 0.2, 0.1];
    let s = small(50, "(green: 0.45, yellow: 0.25, red: 0.2, black: 0.1)", 10, "");
    let mut total = [0u32; 4];
    for seed in 0..200 {
        let j = run(&s, None, seed, Some(15 * 60));
        let first = j
            .iter()
            .find_map(|e| match &e.event {
                Event::Casualties { green, yellow, red, black, .. } => Some([*green, *yellow, *red, *black]),
                _ => None,
            })
            .expect("a casualty draw");
        assert_eq!(first.iter().sum::<u32>(), 50);
        for k in 0..4 {
            total[k] += first[k];
        }
    }
    let n: u32 = total.iter().sum();
    for k in 0..4 {
        let got = total[k] as f64 / n as f64;
        println!("category {k}: {got:.4} (configured {})", shares[k]);
        assert!((got - shares[k]).abs() < 0.02, "category {k}: {got} vs {}", shares[k]);
    }
}

#[test]
fn without_responders_the_dead_rise_with_time_and_responders_save_lives() {
    let s = small(40, SHARES, 100, "");
    let seeds = 0..20u64;
    let (mut alone, mut helped) = ([0u32; 4], [0u32; 4]);
    let checkpoints = [10 * 60, 70 * 60, 4 * 3600 + 10 * 60, 24 * 3600];
    for seed in seeds.clone() {
        let j = run(&s, None, seed, None);
        let blacks: Vec<u32> = checkpoints.iter().map(|t| casualties_at(&j, *t)[3]).collect();
        assert!(blacks.windows(2).all(|w| w[0] <= w[1]), "the dead never come back: {blacks:?}");
        for (k, b) in blacks.iter().enumerate() {
            alone[k] += b;
        }
        let j = run(&s, Some(RESPONSE), seed, None);
        for (k, t) in checkpoints.iter().enumerate() {
            helped[k] += casualties_at(&j, *t)[3];
        }
    }
    let mean = |v: [u32; 4]| v.map(|x| x as f64 / 20.0);
    println!("mean dead at onset, +1h, +4h, +24h without responders: {:?}", mean(alone));
    println!("mean dead at onset, +1h, +4h, +24h with responders:    {:?}", mean(helped));
    assert!(alone[0] < alone[1] && alone[1] < alone[2] && alone[2] < alone[3], "{alone:?}");
    assert_eq!(alone[0], helped[0], "the same draw at onset");
    assert!(helped[3] < alone[3], "responders must save lives: {helped:?} vs {alone:?}");
    // untreated, almost every red dies within a day
    assert!(mean(alone)[3] > mean(alone)[0] + 0.8 * 12.0, "{alone:?}");
}

fn admitted(j: &[Entry], hospital: &str) -> u32 {
    j.iter()
        .filter_map(|e| match &e.event {
            Event::PatientsAdmitted { hospital: h, red, yellow, .. } if h == hospital => Some(red + yellow),
            _ => None,
        })
        .sum()
}

#[test]
fn ambulances_fill_the_near_hospital_then_divert() {
    let s = small(40, SHARES, 5, "");
    let j = run(&s, Some(RESPONSE), 3, None);
    let near = admitted(&j, "h_near");
    let far = admitted(&j, "h_far");
    println!("admitted: near {near}, far {far}");
    assert_eq!(near, 5, "the near hospital takes what it has beds for");
    assert!(far > 0);
    let full = j.iter().position(|e| matches!(&e.event, Event::HospitalFull { hospital } if hospital == "h_near"));
    let full = full.expect("the near hospital fills");
    // after it filled, trips go to the far hospital, naming the one passed over
    let diverted = j[full..].iter().find_map(|e| match &e.event {
        Event::PatientsTransported { hospital, diverted_from, .. } => Some((hospital.clone(), diverted_from.clone())),
        _ => None,
    });
    assert_eq!(diverted, Some(("h_far".to_string(), vec!["h_near".to_string()])));
    // before it filled, every trip went to the near one
    assert!(
        j[..full]
            .iter()
            .all(|e| !matches!(&e.event, Event::PatientsTransported { hospital, .. } if hospital != "h_near"))
    );
    // every living red or yellow casualty ends in a hospital
    let [_, yellow, red, _] = casualties_at(&j, u64::MAX);
    assert_eq!(near + far, yellow + red, "{:?}", casualties_at(&j, u64::MAX));
    assert_eq!(loaded(&j), near + far + died_in_ambulance(&j));
    // trip times: site → junction 2 min, → near hospital 2 min, plus half the 10-min handover
    let eta = j.iter().find_map(|e| match &e.event {
        Event::PatientsTransported { hospital, eta_s, .. } if hospital == "h_near" => Some(*eta_s),
        _ => None,
    });
    assert_eq!(eta, Some(300 + 120 + 120));
}

fn loaded(j: &[Entry]) -> u32 {
    j.iter()
        .filter_map(|e| match &e.event {
            Event::PatientsTransported { red, yellow, .. } => Some(red + yellow),
            _ => None,
        })
        .sum()
}

/// Casualties who died in an ambulance: admissions count the living only.
fn died_in_ambulance(j: &[Entry]) -> u32 {
    let arrived: u32 = j
        .iter()
        .filter_map(|e| match &e.event {
            Event::PatientsAdmitted { red, yellow, .. } => Some(red + yellow),
            _ => None,
        })
        .sum();
    loaded(j) - arrived
}

#[test]
fn extrication_frees_the_trapped_and_clearance_reopens_the_roads() {
    // everyone non-green trapped; 30 rescuers at 0.1 per rescuer-hour free 3 an hour
    let s = small(
        20,
        "(green: 0.0, yellow: 0.5, red: 0.5, black: 0.0)",
        100,
        "trapped_share: 1.0, clearance_person_h: 400.0",
    );
    let j = run(&s, Some(RESPONSE), 5, None);
    let closed = j.iter().find(
        |e| matches!(&e.event, Event::RoadClosed { road, reason } if road == "rd_blocked" && reason == "derailment:d"),
    );
    assert_eq!(closed.map(|e| e.t), Some(600), "closed at onset");
    let freed: Vec<(u64, u32, u32)> = j
        .iter()
        .filter_map(|e| match &e.event {
            Event::Extricated { red, yellow, black, still_trapped, .. } => {
                Some((e.t, red + yellow + black, *still_trapped))
            }
            _ => None,
        })
        .collect();
    let total: u32 = freed.iter().map(|f| f.1).sum();
    assert_eq!(total, 20);
    assert_eq!(freed.last().unwrap().2, 0);
    // 3 an hour from arrival (fire1: base → j → site, 1 + 2 min): ~6.7 h for 20
    let last = freed.last().unwrap().0 as f64 / 3600.0;
    println!("extrication: {} entries, the last at +{last:.2} h", freed.len());
    assert!((6.5..7.2).contains(&last), "{last}");
    // reds first: the first freed are red
    let first_red = j.iter().find_map(|e| match &e.event {
        Event::Extricated { red, yellow, .. } => Some((*red, *yellow)),
        _ => None,
    });
    assert_eq!(first_red, Some((1, 0)));
    // clearance: 200 people × 2 h = 400 person-hours after the last casualty is out
    let cleared = j.iter().find(|e| matches!(e.event, Event::SiteCleared { .. })).expect("site cleared");
    let reopened = j.iter().find(|e| matches!(&e.event, Event::RoadReopened { road, .. } if road == "rd_blocked"));
    assert_eq!(reopened.map(|e| e.t), Some(cleared.t));
    let hours_after = (cleared.t - freed.last().unwrap().0) as f64 / 3600.0;
    assert!((1.9..=2.1).contains(&hours_after), "{hours_after}");
}

#[test]
fn entries_are_per_step_not_per_casualty() {
    let s = small(60, SHARES, 100, "");
    let j = run(&s, Some(RESPONSE), 9, None);
    let mut steps = std::collections::BTreeMap::<(u64, &str), u32>::new();
    for e in &j {
        let k = e.event.kind();
        if matches!(k, "deteriorated" | "casualties" | "extricated" | "treated" | "patients_admitted") {
            *steps.entry((e.t, k)).or_default() += 1;
        }
    }
    assert!(steps.iter().all(|((_, k), n)| *n == 1 || *k == "patients_admitted"), "{steps:?}");
    // and the summary holds the latest counts, not a sum of snapshots
    let last = casualties_at(&j, u64::MAX);
    let sum = summary::summarize(&s, &j).casualties;
    assert_eq!([sum.green, sum.yellow, sum.red, sum.black], last);
}

#[test]
fn the_shipped_derailment_plays_out_near_the_record() {
    // The record: 90 casualties, 19 dead. With the plan's response (see the orders below) the
    // run should end near 19 dead; without responders far more die.
    let s = load("scenarios/derailment-0523.ron");
    let orders = Some(DERAILMENT_RESPONSE);
    let seeds = 0..20u64;
    let checkpoints = [30 * 60, 90 * 60, (3 * 60 + 30) * 60, (6 * 60 + 30) * 60, (12 * 60 + 30) * 60, 24 * 3600];
    let (mut alone, mut helped) = (vec![[0f64; 4]; 6], vec![[0f64; 4]; 6]);
    let mut cleared = Vec::new();
    let mut admitted_by: std::collections::BTreeMap<String, f64> = Default::default();
    for seed in seeds.clone() {
        let a = run(&s, None, seed, None);
        let h = run(&s, orders, seed, None);
        for (k, t) in checkpoints.iter().enumerate() {
            let (ca, ch) = (casualties_at(&a, *t), casualties_at(&h, *t));
            for c in 0..4 {
                alone[k][c] += ca[c] as f64 / 20.0;
                helped[k][c] += ch[c] as f64 / 20.0;
            }
        }
        if let Some(e) = h.iter().find(|e| matches!(e.event, Event::SiteCleared { .. })) {
            cleared.push(e.time.clone());
        }
        for e in &h {
            if let Event::PatientsAdmitted { hospital, red, yellow, .. } = &e.event {
                *admitted_by.entry(hospital.clone()).or_default() += (red + yellow) as f64 / 20.0;
            }
        }
        assert!(!h.iter().any(|e| matches!(e.event, Event::OrderRefused { .. })), "an order was refused");
    }
    println!("mean [green, yellow, red, black] over 20 seeds at 02:00, 03:00, 05:00, 08:00, 14:00, 01:30+1d");
    println!("  no response: {alone:.1?}");
    println!("  response:    {helped:.1?}");
    println!("  admitted per hospital (mean): {admitted_by:.1?}");
    println!("  site cleared at: {cleared:?}");
    let dead_helped = helped[5][3];
    let dead_alone = alone[5][3];
    assert!((15.0..=24.0).contains(&dead_helped), "with the response about 19 dead, got {dead_helped}");
    assert!(dead_alone > dead_helped + 10.0, "{dead_alone} vs {dead_helped}");
    assert_eq!(cleared.len(), 20, "the site is cleared in every run with the response");
}

/// The response of the record, as orders along the plan of `scenarios/derailment-0523.ron`: the
/// office hears at 02:25 (inject K01), the first report from the site comes at 02:50 (K02), the
/// county hospital asks for help at 03:30 (K03), the site is handed over for clearance at 08:00
/// (K07). Times are within the plan's deadlines.
const DERAILMENT_RESPONSE: &str = r#"Orders(orders: [
    (at: "2010-05-23T02:35", by: "fire",     order: Dispatch(team: "t_fire_dx",   to: "rs_k859", task: extrication)),
    (at: "2010-05-23T02:35", by: "health",   order: Dispatch(team: "t_amb_dx1",   to: "rs_k859", task: medical_transport)),
    (at: "2010-05-23T02:35", by: "health",   order: Dispatch(team: "t_amb_dx2",   to: "rs_k859", task: medical_transport)),
    (at: "2010-05-23T02:35", by: "police",   order: Dispatch(team: "t_police_dx", to: "j_access", task: traffic_control)),
    (at: "2010-05-23T03:00", by: "health",   order: Dispatch(team: "t_med_dx",    to: "rs_k859", task: triage)),
    (at: "2010-05-23T03:00", by: "health",   order: Dispatch(team: "t_amb_tcm",   to: "rs_k859", task: medical_transport)),
    (at: "2010-05-23T03:00", by: "health",   order: Dispatch(team: "t_amb_city1", to: "rs_k859", task: medical_transport)),
    (at: "2010-05-23T03:00", by: "health",   order: Dispatch(team: "t_amb_city2", to: "rs_k859", task: medical_transport)),
    (at: "2010-05-23T03:00", by: "wj",       order: Dispatch(team: "t_wj",        to: "rs_k859", task: extrication)),
    (at: "2010-05-23T03:00", by: "fire",     order: Dispatch(team: "t_fire_city", to: "rs_k859", task: extrication)),
    (at: "2010-05-23T03:10", by: "army",     order: Dispatch(team: "t_garrison",  to: "rs_k859", task: site_clearance)),
    (at: "2010-05-23T03:10", by: "army",     order: Dispatch(team: "t_militia",   to: "rs_k859", task: site_clearance)),
    (at: "2010-05-23T03:40", by: "health",   order: Dispatch(team: "t_amb_lc1",   to: "rs_k859", task: medical_transport)),
    (at: "2010-05-23T03:40", by: "health",   order: Dispatch(team: "t_amb_lc2",   to: "rs_k859", task: medical_transport)),
    (at: "2010-05-23T03:40", by: "health",   order: Dispatch(team: "t_med_city",  to: "rs_k859", task: triage)),
    (at: "2010-05-23T04:00", by: "railway",  order: Dispatch(team: "t_rail",      to: "rs_k859", task: site_clearance)),
    (at: "2010-05-23T04:00", by: "power",    order: Dispatch(team: "t_power",     to: "rs_k859", task: site_clearance)),
])"#;

#[test]
fn bad_casualty_model_values_are_refused() {
    let text = std::fs::read_to_string("scenarios/derailment-0523.ron").unwrap();
    let text = text
        .replace("trapped_share: 0.4,", "trapped_share: 1.4,")
        .replace("red_to_black_per_h: 0.35,", "red_to_black_per_h: -0.35,")
        .replace("ambulance_capacity: 2,", "ambulance_capacity: 0,");
    let p = scenario::parse(SourceFile::new("d.ron", text)).expect_err("invalid");
    let got: Vec<(&str, &str)> = p.problems.iter().map(|p| (p.rule, p.path.as_str())).collect();
    assert_eq!(
        got,
        vec![
            ("range", "hazards[0].trapped_share"),
            ("not-positive", "hazards[0].red_to_black_per_h"),
            ("not-positive", "hazards[0].ambulance_capacity"),
        ],
        "{}",
        p.short()
    );
}

#[test]
fn triage_assigns_start_categories_and_a_tired_team_mistakes_some() {
    // 400 casualties; START on each one's observations gives back its condition, so with no
    // mis-triage the labels are the drawn counts; at 25 % about a quarter of the living are one
    // category off (the dead never), and the journal says how many.
    let shares = "(green: 0.4, yellow: 0.3, red: 0.2, black: 0.1)";
    let triaged = |j: &[Entry]| {
        j.iter()
            .find_map(|e| match &e.event {
                Event::Triaged { green, yellow, red, black, mistriaged, .. } => {
                    Some(([*green, *yellow, *red, *black], *mistriaged))
                }
                _ => None,
            })
            .expect("triaged")
    };
    let drawn = |j: &[Entry]| {
        j.iter()
            .find_map(|e| match &e.event {
                Event::Casualties { green, yellow, red, black, .. } => Some([*green, *yellow, *red, *black]),
                _ => None,
            })
            .expect("casualties")
    };
    let exact = run(&small(400, shares, 50, "max_extricators: 60"), None, 3, Some(3600));
    assert_eq!(triaged(&exact), (drawn(&exact), 0));
    let tired = run(&small(400, shares, 50, "mistriage_rate: 0.25"), None, 3, Some(3600));
    let (labels, off) = triaged(&tired);
    let truth = drawn(&tired);
    assert_eq!(labels[3], truth[3], "the dead are not mistaken");
    assert_eq!(labels.iter().sum::<u32>(), 400);
    let living = (400 - truth[3]) as f64;
    assert!((off as f64 / living - 0.25).abs() < 0.07, "{off} of {living} mistaken");
}
