//! The engine's step, tested as Bevy's how_to_test_apps does: build the app, update, look.

use bevy::prelude::*;
use drillsim::engine::{RunOptions, build_app, run_to_end};
use drillsim::exercise::orders::{OrderKind, parse_orders};
use drillsim::journal::{Event, Journal};
use drillsim::scenario::SourceFile;
use drillsim::sim::{SimClock, SimStep};

use crate::support::{demo, entries, run_app};

fn run_with(orders: &str) -> Vec<Event> {
    entries(&run_app(demo(), Some(orders), RunOptions::default())).into_iter().map(|e| e.event).collect()
}

#[test]
fn the_step_schedule_has_no_ambiguities() {
    let mut app = build_app(demo(), RunOptions::default(), Journal::in_memory());
    app.update();
    let world = app.world_mut();
    world.schedule_scope(SimStep, |world, step| {
        step.initialize(world).map(|_| ()).expect("SimStep builds without ambiguities");
    });
}

#[test]
fn ambiguity_detection_is_an_error_for_the_step() {
    // Two unordered systems writing the same resource must make the step fail to build.
    #[derive(Resource, Default)]
    struct Counter(u32);
    fn a(mut c: ResMut<Counter>) {
        c.0 += 1;
    }
    fn b(mut c: ResMut<Counter>) {
        c.0 *= 2;
    }
    let mut app = build_app(demo(), RunOptions::default(), Journal::in_memory());
    app.init_resource::<Counter>().add_systems(SimStep, (a, b));
    let world = app.world_mut();
    world.schedule_scope(SimStep, |world, step| {
        assert!(step.initialize(world).is_err(), "an ambiguity went undetected");
    });
}

#[test]
fn one_update_is_one_step_of_simulated_time() {
    let s = demo();
    let step = s.step_secs;
    let mut app = build_app(s, RunOptions::default(), Journal::in_memory());
    app.update();
    app.update();
    app.update();
    assert_eq!(app.world().resource::<SimClock>().now, 3 * step);
}

#[test]
fn until_stops_the_run_early() {
    let s = demo();
    let mut app = build_app(s, RunOptions { until: Some(3600), ..Default::default() }, Journal::in_memory());
    run_to_end(&mut app).unwrap();
    let j = app.world().resource::<Journal>();
    assert_eq!(j.entries.last().unwrap().t, 3600);
    assert!(matches!(j.entries.last().unwrap().event, Event::RunEnded { steps: 60 }));
}

#[test]
fn a_refused_order_changes_nothing() {
    // A township may not declare a response level; the office may.
    let refused = run_with(r#"Orders(orders: [(at: "+1h", by: "nanhu", order: SetLevel(II))])"#);
    assert!(refused.iter().any(|e| matches!(e, Event::OrderRefused { by, reason, .. }
        if by == "nanhu" && reason.contains("only the emergency office"))));
    assert!(!refused.iter().any(|e| matches!(e, Event::LevelChanged { .. })));
    let accepted = run_with(r#"Orders(orders: [(at: "+1h", by: "ofc", order: SetLevel(II))])"#);
    assert!(accepted.iter().any(|e| matches!(e, Event::LevelChanged { to, .. } if to.roman() == "II")));
}

#[test]
fn only_the_owner_moves_a_team() {
    let ev = run_with(
        r#"Orders(orders: [
            (at: "+10m", by: "fire", order: Dispatch(team: "t_traffic", to: "j_south", task: traffic_control)),
            (at: "+10m", by: "police", order: Dispatch(team: "t_traffic", to: "j_south", task: rescue)),
        ])"#,
    );
    let reasons: Vec<&str> = ev
        .iter()
        .filter_map(|e| match e {
            Event::OrderRefused { reason, .. } => Some(reason.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(reasons.len(), 2, "{reasons:?}");
    assert!(reasons[0].contains("belongs to \"police\""), "{reasons:?}");
    assert!(reasons[1].contains("cannot do rescue"), "{reasons:?}");
    assert!(!ev.iter().any(|e| matches!(e, Event::TeamDispatched { .. })));
}

#[test]
fn a_team_arrives_when_free_flow_time_says() {
    // t_traffic: town_qs → j_bridge (3.0 km) → j_south (5.0 km) at 50 and 60 km/h, speed factor 1.2:
    // 3.0/(50·1.2)·3600 + 5.0/(60·1.2)·3600 = 180 + 250 = 430 s.
    let ev = run_with(
        r#"Orders(orders: [(at: "+10m", by: "police", order: Dispatch(team: "t_traffic", to: "j_south", task: traffic_control))])"#,
    );
    let eta = ev.iter().find_map(|e| match e {
        Event::TeamDispatched { eta_s, route, .. } => Some((*eta_s, route.clone())),
        _ => None,
    });
    assert_eq!(eta, Some((430, vec!["town_qs".into(), "j_bridge".into(), "j_south".into()])));
    assert!(
        ev.iter().any(|e| matches!(e, Event::TeamArrived { team, at, .. } if team == "t_traffic" && at == "j_south"))
    );
}

#[test]
fn acknowledging_an_inject_needs_it_to_have_arrived() {
    let ev = run_with(r#"Orders(orders: [(at: "+1m", by: "ofc", order: Acknowledge("d04"))])"#);
    assert!(ev.iter().any(|e| matches!(e, Event::OrderRefused { order: OrderKind::Acknowledge(_), reason, .. }
        if reason.contains("has not reached"))));
}

#[test]
fn order_file_problems_point_at_line_and_column() {
    let s = demo();
    let text = "Orders(orders: [\n  (at: \"+1h\", by: \"ofc\", order: SetLevel(II)),\n  (at: \"+99h\", by: \"ofcc\", order: Dispatch(team: \"t_nobody\", to: \"j_south\", task: rescue)),\n])";
    let p = parse_orders(SourceFile::new("o.ron", text), &s).expect_err("bad orders");
    let got: Vec<(&str, usize, usize)> = p.problems.iter().map(|p| (p.rule, p.line, p.col)).collect();
    assert_eq!(got, vec![("time-window", 3, 8), ("unknown-id", 3, 20), ("unknown-id", 3, 50)], "{}", p.short());
    let syntax =
        parse_orders(SourceFile::new("o.ron", "Orders(orders: [(at: \"+1h\" by: \"ofc\")])"), &s).expect_err("syntax");
    assert_eq!((syntax.problems[0].rule, syntax.problems[0].line), ("syntax", 1));
}
