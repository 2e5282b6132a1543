//! The chemical spill (river) and gas release (air) models against their closed forms, run
//! through the engine: build the app, run it, read the journal.

use std::f64::consts::PI;
use std::sync::Arc;

use drillsim::engine::{RunOptions, build_app, run_to_end};
use drillsim::hazards::plume::{Plume, sigma_y, sigma_z};
use drillsim::hazards::spill::{self, Segment};
use drillsim::journal::{Entry, Event, Journal, summary};
use drillsim::map::IntakeState;
use drillsim::scenario::types::Stability;
use drillsim::scenario::{self, SourceFile, ValidScenario};
use drillsim::sim::SimStep;

use crate::support::{build, entries, load, run_app};

/// A river scenario: `reaches` and `intakes` are RON list bodies, `hazards` the hazard list body.
fn river(reaches: &str, intakes: &str, hazards: &str) -> Arc<ValidScenario> {
    let text = format!(
        r#"(
    format: 1,
    meta: (name: "spill test", start: "2012-09-29T03:00", step: "1m", duration: "24h", seed: 1),
    map: (
        nodes: [
            (id: "site", kind: site, pos: (0.0, 0.0)),
            (id: "wi_a", kind: water_intake, pos: (10.0, 0.0)),
            (id: "wi_b", kind: water_intake, pos: (12.0, 0.0)),
            (id: "wi_up", kind: water_intake, pos: (-1.0, 0.0)),
        ],
        rivers: [(id: "river", reaches: [{reaches}])],
        intakes: [{intakes}],
    ),
    agencies: [
        (id: "ofc", name_zh: "应急办", name_en: "Office", role: emergency_office),
        (id: "water", name_zh: "水厂", name_en: "Water works", role: operator),
    ],
    hazards: [{hazards}],
)"#
    );
    Arc::new(scenario::parse(SourceFile::new("spill-test.ron", text)).unwrap_or_else(|p| panic!("{}", p.short())))
}

fn run(s: Arc<ValidScenario>, orders: Option<&str>, closed: &[&str]) -> Vec<Entry> {
    let mut app = build(s, orders, RunOptions::default());
    for id in closed {
        app.world_mut().resource_mut::<IntakeState>().open.insert(id.to_string(), false);
    }
    run_to_end(&mut app).unwrap();
    entries(&app)
}

fn peak(entries: &[Entry], intake: &str) -> (u64, f64) {
    entries
        .iter()
        .find_map(|e| match &e.event {
            Event::IntakePeak { intake: i, peak_t_s, peak_mg_l, .. } if i == intake => Some((*peak_t_s, *peak_mg_l)),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no peak at {intake}"))
}

fn rel(a: f64, b: f64) -> f64 {
    (a - b).abs() / b.abs()
}

const SPILL_AT_S: f64 = 600.0; // "+10m"

#[test]
fn instant_release_peak_time_and_value_match_the_closed_form_on_one_reach() {
    // One reach: U 0.5 m/s, A 100 m², K 20 m²/s; 1000 kg at 2 km, intake at 14 km (x = 12 km),
    // decay 0.05/h. Closed form C = M/(A√(4πKt))·exp(−(x−Ut)²/4Kt)·e^{−kt}; its peak in time at
    // t* = (√(K² + (U²+4kK)x²) − K)/(U²+4kK).
    let s = river(
        r#"(id: "r1", length_km: 30.0, velocity_ms: 0.5, cross_section_m2: 100.0, dispersion_m2s: 20.0)"#,
        r#"(node: "wi_a", reach: "r1", at_km: 14.0, serves: 10000, operator: "water")"#,
        r#"ChemicalSpill(id: "sp", substance: "tracer", node: "site", at: "+10m", reach: "r1", at_km: 2.0,
            mass_kg: 1000.0, release: "0s", threshold_mg_l: 1.0, decay_per_h: 0.05)"#,
    );
    let j = run(s, None, &[]);
    let (m, u, a, k, x, decay) = (1000.0, 0.5, 100.0, 20.0, 12_000.0, 0.05 / 3600.0);
    let g2: f64 = u * u + 4.0 * decay * k;
    let t_star = ((k * k + g2 * x * x).sqrt() - k) / g2;
    let c_star = m / (a * (4.0 * PI * k * t_star).sqrt())
        * (-(x - u * t_star).powi(2) / (4.0 * k * t_star)).exp()
        * (-decay * t_star).exp()
        * 1000.0;
    let (t_peak, c_peak) = peak(&j, "wi_a");
    let t_engine = t_peak as f64 - SPILL_AT_S;
    println!("single reach: engine peak {c_peak} mg/L at +{t_engine} s; formula {c_star:.4} mg/L at +{t_star:.0} s");
    assert!(rel(t_engine, t_star) < 0.02, "peak time {t_engine} vs {t_star}");
    assert!(rel(c_peak, c_star) < 0.02, "peak {c_peak} vs {c_star}");
    // and much closer than 2 %: the engine evaluates the same closed form, refined between steps
    assert!((t_engine - t_star).abs() <= 2.0 && rel(c_peak, c_star) < 1e-3);
}

#[test]
fn chained_reaches_keep_the_travel_time_and_the_spread() {
    // r1 (U 0.8, A 50, K 10) for 9 km, then r2 (U 0.4, A 120, K 25) for 8 km to the intake.
    // Compared: the peak time with the advective travel time τ = Σ Lᵢ/Uᵢ, and the peak value with
    // the frozen-cloud estimate M / (U₂A₂ √(2π σ_t²)), σ_t² = Σ 2KᵢLᵢ/Uᵢ³ — both within 2 %.
    let s = river(
        r#"(id: "r1", length_km: 10.0, velocity_ms: 0.8, cross_section_m2: 50.0, dispersion_m2s: 10.0, downstream: "r2"),
           (id: "r2", length_km: 20.0, velocity_ms: 0.4, cross_section_m2: 120.0, dispersion_m2s: 25.0)"#,
        r#"(node: "wi_a", reach: "r2", at_km: 8.0, serves: 10000, operator: "water"),
           (node: "wi_up", reach: "r1", at_km: 0.5, serves: 500, operator: "water")"#,
        r#"ChemicalSpill(id: "sp", substance: "tracer", node: "site", at: "+10m", reach: "r1", at_km: 1.0,
            mass_kg: 1000.0, release: "0s", threshold_mg_l: 1.0)"#,
    );
    let j = run(s, None, &[]);
    let tau = 9000.0 / 0.8 + 8000.0 / 0.4;
    let var_t = 2.0 * 10.0 * 9000.0 / 0.8f64.powi(3) + 2.0 * 25.0 * 8000.0 / 0.4f64.powi(3);
    let c_frozen = 1000.0 / (0.4 * 120.0 * (2.0 * PI * var_t).sqrt()) * 1000.0;
    let (t_peak, c_peak) = peak(&j, "wi_a");
    let t_engine = t_peak as f64 - SPILL_AT_S;
    println!("two reaches: engine peak {c_peak} mg/L at +{t_engine} s; τ = {tau} s, frozen cloud {c_frozen:.4} mg/L");
    assert!(rel(t_engine, tau) < 0.02, "peak time {t_engine} vs τ {tau}");
    assert!(rel(c_peak, c_frozen) < 0.02, "peak {c_peak} vs {c_frozen}");
    // an intake upstream of the spill sees nothing
    assert!(!j.iter().any(|e| matches!(&e.event, Event::IntakePeak { intake, .. } if intake == "wi_up")));
}

#[test]
fn a_continuous_release_rises_to_the_steady_state() {
    // 1 kg/s for 12 h: the plateau is the steady solution (M/T)/(A√(U²+4kK))·exp(x(U−√(U²+4kK))/2K).
    let s = river(
        r#"(id: "r1", length_km: 30.0, velocity_ms: 0.5, cross_section_m2: 100.0, dispersion_m2s: 20.0)"#,
        r#"(node: "wi_a", reach: "r1", at_km: 7.0, serves: 10000, operator: "water")"#,
        r#"ChemicalSpill(id: "sp", substance: "tracer", node: "site", at: "+10m", reach: "r1", at_km: 2.0,
            mass_kg: 43200.0, release: "12h", threshold_mg_l: 5.0, decay_per_h: 0.1)"#,
    );
    let j = run(s, None, &[]);
    let eq = spill::equivalent(&[Segment { length_m: 5000.0, velocity_ms: 0.5, area_m2: 100.0, dispersion_m2s: 20.0 }]);
    let steady = spill::steady_mg_l(1.0, &eq, 0.1 / 3600.0, 5000.0);
    let (t_peak, c_peak) = peak(&j, "wi_a");
    println!("continuous: plateau {c_peak} mg/L (steady {steady:.4}), falls after +{} s", t_peak as f64 - SPILL_AT_S);
    assert!(rel(c_peak, steady) < 0.02, "{c_peak} vs steady {steady}");
    assert!(t_peak as f64 - SPILL_AT_S > 12.0 * 3600.0, "the plateau lasts as long as the release");
}

fn two_intakes() -> Arc<ValidScenario> {
    river(
        r#"(id: "r1", length_km: 30.0, velocity_ms: 0.5, cross_section_m2: 100.0, dispersion_m2s: 20.0)"#,
        r#"(node: "wi_a", reach: "r1", at_km: 14.0, serves: 10000, operator: "water"),
           (node: "wi_b", reach: "r1", at_km: 16.0, serves: 20000, operator: "water")"#,
        r#"ChemicalSpill(id: "sp", substance: "tracer", node: "site", at: "+10m", reach: "r1", at_km: 2.0,
            mass_kg: 1000.0, release: "30m", threshold_mg_l: 1.0)"#,
    )
}

fn affected_and_protected(j: &[Entry]) -> (Vec<(String, u32)>, Vec<(String, u32)>) {
    let mut unsafe_ = Vec::new();
    let mut protected = Vec::new();
    for e in j {
        match &e.event {
            Event::WaterUnsafe { intake, people, .. } => unsafe_.push((intake.clone(), *people)),
            Event::IntakeProtected { intake, people, .. } => protected.push((intake.clone(), *people)),
            _ => {}
        }
    }
    (unsafe_, protected)
}

#[test]
fn a_closed_intake_protects_its_people_an_open_one_counts_them() {
    let s = two_intakes();
    // both open: both above the threshold, both populations affected
    let open = run(s.clone(), None, &[]);
    let (aff, prot) = affected_and_protected(&open);
    assert_eq!(aff, vec![("wi_a".into(), 10000), ("wi_b".into(), 20000)]);
    assert!(prot.is_empty());
    let ups = |j: &[Entry], up: bool| {
        j.iter().filter(|e| matches!(&e.event, Event::IntakeThreshold { above, .. } if *above == up)).count()
    };
    assert_eq!((ups(&open, true), ups(&open, false)), (2, 2), "each intake crosses up and back down");
    assert_eq!(summary::summarize(&s, &open).water_affected, 30000);

    // wi_b closed from the start: its 20,000 people are protected
    let closed = run(s.clone(), None, &["wi_b"]);
    let (aff, prot) = affected_and_protected(&closed);
    assert_eq!(aff, vec![("wi_a".into(), 10000)]);
    assert_eq!(prot, vec![("wi_b".into(), 20000)]);
    assert_eq!(summary::summarize(&s, &closed).water_affected, 10000);
}

#[test]
fn closing_an_intake_by_order_before_the_plume_arrives_protects_it() {
    let s = two_intakes();
    let orders = r#"Orders(orders: [(at: "+2h", by: "water", order: CloseIntake("wi_b"))])"#;
    let j = run(s.clone(), Some(orders), &[]);
    let (aff, prot) = affected_and_protected(&j);
    assert_eq!(aff, vec![("wi_a".into(), 10000)], "{:#?}", j.iter().map(|e| e.event.kind()).collect::<Vec<_>>());
    assert_eq!(prot, vec![("wi_b".into(), 20000)]);
}

#[test]
fn the_acid_spill_scenario_reaches_the_intake_above_the_fluoride_limit_if_nothing_is_done() {
    let s = load("scenarios/acid-spill-0929.ron");
    let j = run(s.clone(), None, &[]);
    let (t, c) = peak(&j, "wi_zixi");
    let first_up = j.iter().find_map(|e| match &e.event {
        Event::IntakeThreshold { intake, above: true, .. } if intake == "wi_zixi" => Some(e.time.clone()),
        _ => None,
    });
    let down = j.iter().find_map(|e| match &e.event {
        Event::IntakeThreshold { intake, above: false, .. } if intake == "wi_zixi" => Some(e.time.clone()),
        _ => None,
    });
    let start = j.iter().find_map(|e| match &e.event {
        Event::RunStarted { start, .. } => Some(start.clone()),
        _ => None,
    });
    println!(
        "acid spill, no response: peak {c} mg/L at t = {t} s ({start:?} + {:.2} h); above 1.0 mg/L from {first_up:?} to {down:?}",
        t as f64 / 3600.0
    );
    assert!(c > 1.0, "the shipped scenario should threaten the intake: peak {c}");
    assert_eq!(affected_and_protected(&j).0, vec![("wi_zixi".into(), 45000)]);
    // the record: the intake closed in time, the water stayed normal
    let closed = run(s, None, &["wi_zixi"]);
    let (aff, prot) = affected_and_protected(&closed);
    assert!(aff.is_empty());
    assert_eq!(prot, vec![("wi_zixi".into(), 45000)]);
}

// ---- air plume

#[test]
fn plume_centreline_ground_value_matches_the_formula() {
    // Class D, 1 km: σy = 68·1^0.894 = 68 m (Martin), σz = 32.093·1^0.64403 (ISC3, 1–3 km) — at
    // exactly 1 km both ranges of the table give 32.093 m. Ground level, centreline, height H:
    // C = Q/(π u σy σz)·exp(−H²/2σz²).
    let p = Plume { rate_kg_s: 2.0, wind_ms: 3.0, stability: Stability::D, height_m: 10.0 };
    let (sy, sz) = (68.0, 32.093);
    let want = 2.0e6 / (PI * 3.0 * sy * sz) * (-(10.0f64.powi(2)) / (2.0 * sz * sz)).exp();
    let got = p.ground_mg_m3(1000.0, 0.0);
    println!("plume D 1 km: {got} mg/m³ (formula {want})");
    assert!(rel(got, want) < 1e-6, "{got} vs {want}");
    // F at 2 km, off the centreline by one σy: the factor e^{−1/2}
    let p = Plume { stability: Stability::F, height_m: 0.0, ..p };
    let (sy, sz) = (34.0 * 2f64.powf(0.894), 13.953 * 2f64.powf(0.63227));
    assert!(rel(sigma_y(Stability::F, 2000.0), sy) < 1e-9 && rel(sigma_z(Stability::F, 2000.0), sz) < 1e-9);
    let want = 2.0e6 / (PI * 3.0 * sy * sz) * (-0.5f64).exp();
    assert!(rel(p.ground_mg_m3(2000.0, sy), want) < 1e-9);
}

#[test]
fn the_gas_release_journals_its_threat_zone() {
    // Wind from the west (270°) at 2 m/s, class F, 5 kg/s at ground level, level of concern
    // 100 mg/m³. Nodes east of the source are downwind.
    let text = r#"(
    format: 1,
    meta: (name: "gas test", start: "2020-01-01T00:00", step: "1m", duration: "3h", seed: 1),
    map: (
        nodes: [
            (id: "plant", kind: site, pos: (0.0, 0.0)),
            (id: "v_near", kind: village, pos: (0.5, 0.0), population: 300),
            (id: "v_mid",  kind: village, pos: (2.0, 0.05), population: 200),
            (id: "v_far",  kind: village, pos: (40.0, 0.0), population: 900),
            (id: "v_side", kind: village, pos: (1.0, 1.5), population: 100),
            (id: "v_west", kind: village, pos: (-1.0, 0.0), population: 100),
            (id: "sh",     kind: shelter, pos: (0.0, -3.0)),
        ],
        roads: [
            (id: "r1", from: "plant", to: "v_near", length_km: 0.5, speed_kmh: 30.0),
            (id: "r2", from: "v_near", to: "v_mid", length_km: 1.5, speed_kmh: 30.0),
            (id: "r3", from: "v_mid", to: "v_far", length_km: 38.0, speed_kmh: 60.0),
            (id: "r4", from: "v_near", to: "v_side", length_km: 1.6, speed_kmh: 30.0),
            (id: "r5", from: "plant", to: "v_west", length_km: 1.0, speed_kmh: 30.0),
            (id: "r6", from: "plant", to: "sh", length_km: 3.0, speed_kmh: 30.0),
        ],
    ),
    agencies: [(id: "ofc", name_zh: "应急办", name_en: "Office", role: emergency_office)],
    resources: (shelters: [(node: "sh", capacity: 2000)]),
    hazards: [
        GasRelease(id: "gas", substance: "chlorine", node: "plant", at: "+30m", rate_kg_s: 5.0, duration: "30m",
                   wind_dir_deg: 270.0, wind_ms: 2.0, stability: F, level_of_concern_mg_m3: 100.0),
    ],
)"#;
    let s = Arc::new(scenario::parse(SourceFile::new("gas.ron", text)).unwrap_or_else(|p| panic!("{}", p.short())));
    let mut app = build_app(s, RunOptions::default(), Journal::in_memory());
    app.world_mut().schedule_scope(SimStep, |world, step| {
        step.initialize(world).map(|_| ()).expect("SimStep builds without ambiguities");
    });
    run_to_end(&mut app).unwrap();
    let zones: Vec<(u64, Vec<String>, u32, f64)> = app
        .world()
        .resource::<Journal>()
        .entries
        .iter()
        .filter_map(|e| match &e.event {
            Event::PlumeZone { nodes, people, max_distance_m, .. } => {
                Some((e.t, nodes.clone(), *people, *max_distance_m))
            }
            _ => None,
        })
        .collect();
    for z in &zones {
        println!("plume zone at +{} s: {:?}, {} people, {} m", z.0, z.1, z.2, z.3);
    }
    let p = Plume { rate_kg_s: 5.0, wind_ms: 2.0, stability: Stability::F, height_m: 0.0 };
    let (_, far) = p.threat_extent(100.0).unwrap();
    assert!((p.ground_mg_m3(far, 0.0) - 100.0).abs() < 1e-6, "the zone's edge is at the level of concern");
    assert!(far > 2000.0 && far < 40_000.0, "{far}");
    // onset: nothing downwind yet; then the plant itself, the near village (0.5 km at 2 m/s =
    // 250 s), the middle one (1000 s)
    let ids = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert_eq!(zones[0].1, ids(&[]));
    assert_eq!(zones[1].1, ids(&["plant"]));
    assert_eq!((zones[2].0, zones[2].1.clone()), (1800 + 300, ids(&["plant", "v_near"])));
    assert_eq!((zones[3].0, zones[3].1.clone()), (1800 + 1020, ids(&["plant", "v_near", "v_mid"])));
    assert_eq!(zones[3].2, 500);
    assert_eq!(zones[3].3, 2040.0, "the front: 2 m/s × 1020 s");
    // never the side, upwind or far villages; and cleared after the gas has passed
    assert!(zones.iter().all(|z| !z.1.iter().any(|n| n == "v_side" || n == "v_west" || n == "v_far")));
    let last = zones.last().unwrap();
    assert_eq!((last.1.len(), last.2), (0, 0));
    assert!(last.0 as f64 >= 1800.0 + 1800.0 + 2000.0 / 2.0, "the last gas passes v_mid 1000 s after the release ends");
}

#[test]
fn a_gas_release_with_bad_values_is_refused_at_its_place() {
    let text = r#"(
    format: 1,
    meta: (name: "gas test", start: "2020-01-01T00:00", step: "1m", duration: "3h"),
    map: (nodes: [(id: "plant", kind: site, pos: (0.0, 0.0))]),
    agencies: [(id: "ofc", name_zh: "应急办", name_en: "Office", role: emergency_office)],
    hazards: [
        GasRelease(id: "gas", node: "plantt", at: "+30m", rate_kg_s: 0.0, duration: "0s",
                   wind_dir_deg: 400.0, wind_ms: 2.0, stability: F, release_height_m: -1.0,
                   level_of_concern_mg_m3: 100.0),
    ],
)"#;
    let p = scenario::parse(SourceFile::new("gas.ron", text)).expect_err("invalid");
    let got: Vec<(&str, usize)> = p.problems.iter().map(|p| (p.rule, p.line)).collect();
    assert_eq!(
        got,
        vec![("unknown-id", 7), ("not-positive", 7), ("not-positive", 7), ("range", 8), ("not-positive", 8)],
        "{}",
        p.short()
    );
}

#[test]
fn the_acid_injects_quote_the_spill_model_at_delivery() {
    // A04 (07:00) quotes the border section, km 12 of rv_guangze; the spill (396 kg over 30 min
    // from 03:20, 1 km down the same reach, decay 0.05/h) is one reach away: the closed form.
    let s = load("scenarios/acid-spill-0929.ron");
    let j = run(s.clone(), None, &[]);
    let text = |id: &str| {
        j.iter()
            .find_map(|e| match &e.event {
                Event::InjectDelivered { inject, text, text_en, .. } if inject == id => {
                    Some((text.clone(), text_en.clone().unwrap_or_default()))
                }
                _ => None,
            })
            .unwrap_or_else(|| panic!("{id} delivered"))
    };
    let (zh, en) = text("A04");
    assert!(!zh.contains('{') && !en.contains('{'), "placeholders filled: {zh} / {en}");
    let reach = s.scenario.map.rivers[0].reaches.iter().find(|r| r.id == "rv_guangze").unwrap();
    let seg = Segment {
        length_m: 11_000.0,
        velocity_ms: reach.velocity_ms,
        area_m2: reach.cross_section_m2,
        dispersion_m2s: reach.dispersion_m2s,
    };
    let eq = spill::equivalent(&[seg]);
    let c = spill::concentration_mg_l(396.0, 1800.0, &eq, 0.05 / 3600.0, 4.0 * 3600.0 - 1200.0);
    let quoted = format!("{c:.2}");
    assert!(zh.contains(&quoted) && en.contains(&format!("fluoride {quoted} mg/L")), "{c}: {zh} / {en}");
    assert!(c > 1.0, "over the limit, as the text says: {c}");
    let (zh6, _) = text("A06");
    assert!(!zh6.contains('{'), "{zh6}");
}

#[test]
fn an_unknown_reach_in_a_placeholder_is_refused_at_its_inject() {
    let text = std::fs::read_to_string("scenarios/acid-spill-0929.ron")
        .unwrap()
        .replacen("{conc:rv_guangze@12}毫克", "{conc:rv_nowhere@12}毫克", 1)
        .replacen("{conc:rv_border@10}毫克", "{conc:rv_border@99}毫克", 1);
    let p = scenario::parse(SourceFile::new("acid.ron", text)).expect_err("invalid");
    let short = p.short();
    assert!(short.contains("[unknown-id]") && short.contains("rv_nowhere"), "{short}");
    assert!(short.contains("[range]") && short.contains("km 99"), "{short}");
}

/// The gas test county with a toxicity (`tox` is the body of `toxicity: (...)`).
fn gas_county(tox: &str) -> Arc<ValidScenario> {
    let text = format!(
        r#"(
    format: 1,
    meta: (name: "gas dose test", start: "2020-01-01T00:00", step: "1m", duration: "3h", seed: 1),
    map: (
        nodes: [
            (id: "plant", kind: site, pos: (0.0, 0.0)),
            (id: "v_near", kind: village, pos: (0.5, 0.0), population: 300),
            (id: "sh",     kind: shelter, pos: (0.0, -3.0)),
            (id: "hp",     kind: hospital, pos: (0.0, -4.0)),
        ],
        roads: [
            (id: "r1", from: "plant", to: "v_near", length_km: 0.5, speed_kmh: 30.0),
            (id: "r6", from: "plant", to: "sh", length_km: 3.0, speed_kmh: 30.0),
            (id: "r7", from: "sh", to: "hp", length_km: 1.0, speed_kmh: 30.0),
        ],
    ),
    agencies: [(id: "ofc", name_zh: "应急办", name_en: "Office", role: emergency_office)],
    resources: (shelters: [(node: "sh", capacity: 2000)], hospitals: [(node: "hp", beds: 50)]),
    hazards: [
        GasRelease(id: "gas", substance: "chlorine", node: "plant", at: "+30m", rate_kg_s: 5.0, duration: "30m",
                   wind_dir_deg: 270.0, wind_ms: 2.0, stability: F, level_of_concern_mg_m3: 100.0,
                   toxicity: ({tox})),
    ],
)"#
    );
    Arc::new(scenario::parse(SourceFile::new("gas.ron", text)).unwrap_or_else(|p| panic!("{}", p.short())))
}

fn gas_run(s: Arc<ValidScenario>, orders: Option<&str>) -> (Vec<Entry>, f64) {
    let app = run_app(s, orders, RunOptions::default());
    let w = app.world();
    let r = &w.resource::<drillsim::hazards::plume::PlumeState>().releases[0];
    let near = r.nodes.iter().position(|(id, _, _)| id == "v_near").unwrap();
    (w.resource::<Journal>().entries.clone(), r.dose.as_ref().unwrap().real[near].load)
}

#[test]
fn the_indoor_dose_follows_the_one_compartment_closed_form() {
    // n = 1: with C outdoors for T, the load indoors at λ after τ more is
    // C·T − C·(1 − e^{−λT})/λ · e^{−λτ}. The gas is at v_near (500 m downwind) for the 30 steps
    // ending 300…2040 s after the release began (T = 1800 s), and the run's last step is 6900 s
    // after that (τ). Minutes, as the probit's unit.
    let tox = "probit_a: -30.0, probit_b: 1.0, probit_n: 1.0, injury_mg_m3_60min: 1e6";
    let c = Plume { rate_kg_s: 5.0, wind_ms: 2.0, stability: Stability::F, height_m: 0.0 }.ground_mg_m3(500.0, 0.0);
    let closed = |lambda_per_h: f64| {
        let (t, tau, l) = (1800.0 / 60.0, 6900.0 / 60.0, lambda_per_h / 60.0);
        c * t - c * (1.0 - (-l * t).exp()) / l * (-l * tau).exp()
    };
    let (_, load) = gas_run(gas_county(tox), None);
    assert!(rel(load, closed(1.0)) < 1e-3, "{load} vs {}", closed(1.0));
    // told to shelter in place as the release begins: 0.3 air changes an hour
    let warn = r#"Orders(orders: [ (at: "+30m", by: "ofc", order: WarnPublic("关闭门窗,就地避险")) ])"#;
    let (_, sheltered) = gas_run(gas_county(tox), Some(warn));
    assert!(rel(sheltered, closed(0.3)) < 1e-3, "{sheltered} vs {}", closed(0.3));
}

#[test]
fn gas_harm_joins_the_casualty_chain_and_shelter_in_place_is_credited() {
    // n 2: the loads at v_near without and with the warning, then an injury level between them
    // (the load of C for 60 min is C²·60) and a probit that kills a few percent without it
    let warn = r#"Orders(orders: [ (at: "+30m", by: "ofc", order: WarnPublic("关闭门窗,就地避险")) ])"#;
    let probe = "probit_a: -40.0, probit_b: 1.0, probit_n: 2.0, injury_mg_m3_60min: 1e9";
    let (_, l_open) = gas_run(gas_county(probe), None);
    let (_, l_shut) = gas_run(gas_county(probe), Some(warn));
    assert!(l_shut < l_open, "{l_shut} vs {l_open}");
    let injury = ((l_open * l_shut).sqrt() / 60.0).sqrt();
    let a = 5.0 - 1.5 - l_open.ln(); // Pr(open) = 3.5: Φ(−1.5) ≈ 7 % dead
    let tox = format!("probit_a: {a}, probit_b: 1.0, probit_n: 2.0, injury_mg_m3_60min: {injury}");
    let tox = tox.as_str();
    let harm = |j: &[Entry]| {
        j.iter()
            .find_map(|e| match &e.event {
                Event::GasTotals {
                    yellow, red, dead, no_response_yellow, no_response_red, no_response_dead, ..
                } => Some(([*yellow, *red, *dead], [*no_response_yellow, *no_response_red, *no_response_dead])),
                _ => None,
            })
            .expect("gas_totals")
    };
    let (none, _) = gas_run(gas_county(tox), None);
    let (real, shadow) = harm(&none);
    assert_eq!(real, shadow, "with no response the run is its own no-response shadow");
    assert!(real.iter().sum::<u32>() > 0, "the gas harms people at v_near: {real:?}");
    // the harmed are patients of the casualty chain
    let cas = none.iter().rev().find_map(|e| match &e.event {
        Event::Casualties { hazard, yellow, red, black, .. } if hazard == "gas" => Some(yellow + red + black),
        _ => None,
    });
    assert!(cas.is_some_and(|n| n + 1 >= real.iter().sum::<u32>()), "{cas:?} vs {real:?}");
    let (warned, _) = gas_run(gas_county(tox), Some(warn));
    let (real_w, shadow_w) = harm(&warned);
    assert_eq!(shadow_w, shadow, "the shadow does not depend on the response");
    assert!(real_w.iter().sum::<u32>() < real.iter().sum::<u32>(), "sheltering in place helps: {real_w:?} vs {real:?}");
    let credit = drillsim::scoring::gas_protection_credit(real_w.iter().sum(), shadow_w.iter().sum()).unwrap();
    assert!(credit > 0.0 && credit <= 1.0, "{credit}");
    assert_eq!(drillsim::scoring::gas_protection_credit(5, 5), Some(0.0));
    assert_eq!(drillsim::scoring::gas_protection_credit(0, 0), None);
}
