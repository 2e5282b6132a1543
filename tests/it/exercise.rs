//! The exercise layer: authority, the one door, injects (timed, conditional, manual, re-timed),
//! the facilitator, the plan-follower, and live mode equal to an order file.

use std::io::Write;
use std::path::Path;
use std::process::Stdio;
use std::sync::Arc;

use drillsim::engine::{RunOptions, run_to_end};
use drillsim::exercise::autoplan::AutoPlan;
use drillsim::exercise::orders::parse_orders;
use drillsim::journal::{Entry, Event};
use drillsim::scenario::{SourceFile, ValidScenario};

use crate::support::{DEMO, bin, build, demo_with, entries, load, orders};

fn run(sc: Arc<ValidScenario>, orders: &str, auto: Option<AutoPlan>) -> Vec<Entry> {
    let mut app = build(sc, Some(orders), RunOptions::default());
    if let Some(a) = auto {
        app.insert_resource(a);
    }
    run_to_end(&mut app).unwrap();
    entries(&app)
}

fn refusals(j: &[Entry]) -> Vec<String> {
    j.iter()
        .filter_map(|e| match &e.event {
            Event::OrderRefused { reason, .. } => Some(reason.clone()),
            _ => None,
        })
        .collect()
}

/// The journal without the door's own entries about given orders (to compare effects).
fn effects(j: &[Entry]) -> Vec<(u64, Event)> {
    j.iter()
        .filter(|e| {
            !matches!(e.event, Event::OrderAccepted { .. } | Event::OrderRefused { .. } | Event::RunStarted { .. })
        })
        .map(|e| (e.t, e.event.clone()))
        .collect()
}

fn delivered_at(j: &[Entry], inject: &str) -> Option<u64> {
    j.iter().find_map(|e| match &e.event {
        Event::InjectDelivered { inject: i, .. } if i == inject => Some(e.t),
        _ => None,
    })
}

#[test]
fn refused_orders_change_nothing() {
    let sc = load(DEMO);
    let none = run(sc.clone(), "Orders(orders: [])", None);
    let bad = run(
        sc,
        &orders(&[
            r#"(at: "+1h", by: "nanhu", order: SetLevel(II))"#,
            r#"(at: "+1h", by: "fire", order: Dispatch(team: "t_traffic", to: "j_south", task: traffic_control))"#,
            r#"(at: "+1h", by: "police", order: CloseIntake("wi_west"))"#,
            r#"(at: "+1h", by: "health", order: RequestSupport(to: "city", what: "boats"))"#,
            r#"(at: "+1h", by: "nanhu", order: Evacuate(from: "v_shawan", to: "sh_school"))"#,
            r#"(at: "+1h", by: "civil", order: DeliverSupplies(from: "dp_flood", to: "sh_school", item: "sandbags", quantity: 1e9))"#,
            r#"(at: "+1h", by: "ofc", order: Pause)"#,
            r#"(at: "+1h", by: "control", order: SetLevel(I))"#,
        ]),
        None,
    );
    let r = refusals(&bad);
    assert_eq!(r.len(), 8, "{r:#?}");
    for (got, want) in r.iter().zip([
        "only the emergency office declares a response level",
        "belongs to \"police\"",
        "beyond the authority of \"police\"",
        "go through the emergency office",
        "is not open; open it first",
        "holds 30000 sandbags",
        "only the exercise control cell",
        "the control cell steers the exercise",
    ]) {
        assert!(got.contains(want), "refusal {got:?} should say {want:?}");
    }
    assert_eq!(effects(&none), effects(&bad), "a refused order changed the run");
}

#[test]
fn roles_with_the_power_are_obeyed() {
    let j = run(
        load(DEMO),
        &orders(&[
            r#"(at: "+30m", by: "utility", order: CloseIntake("wi_west"))"#,
            r#"(at: "+30m", by: "nanhu", order: OpenShelter("sh_school"))"#,
            r#"(at: "+31m", by: "nanhu", order: Evacuate(from: "v_shawan", to: "sh_school"))"#,
            r#"(at: "+32m", by: "police", order: CloseRoad("r09"))"#,
            r#"(at: "+33m", by: "ofc", order: RequestSupport(to: "city", what: "two boat teams"))"#,
            r#"(at: "+34m", by: "civil", order: DeliverSupplies(from: "dp_flood", to: "sh_school", item: "sandbags", quantity: 500))"#,
            r#"(at: "+40m", by: "police", order: ReopenRoad("r09"))"#,
        ]),
        None,
    );
    assert!(refusals(&j).is_empty(), "{:#?}", refusals(&j));
    let kinds: Vec<&str> = j.iter().map(|e| e.event.kind()).collect();
    for k in [
        "intake_closed",
        "shelter_opened",
        "evacuation_ordered",
        "road_closed",
        "support_requested",
        "supplies_dispatched",
        "supplies_delivered",
        "road_reopened",
    ] {
        assert!(kinds.contains(&k), "no {k} in {kinds:?}");
    }
}

#[test]
fn a_conditional_inject_fires_when_its_condition_first_holds() {
    let sc = load(DEMO);
    // d04: HazardOnset(h_breach, after 10m); the breach begins at +5h30m in the demo.
    let j = run(sc.clone(), "Orders(orders: [])", None);
    let onset = j.iter().find(|e| matches!(e.event, Event::HazardOnset { .. })).unwrap().t;
    assert_eq!(delivered_at(&j, "d04"), Some(onset + 600));
    // d06: ReportMissing(r_city) fires only when the office misses its report to the city.
    assert!(delivered_at(&j, "d06").is_some(), "no report sent, so d06 must fire");
    let reported = run(
        sc,
        &orders(&[r#"(at: "+5h35m", by: "ofc", order: Report(kind: written, to: "city", figures: (dead: 0)))"#]),
        None,
    );
    assert_eq!(delivered_at(&reported, "d06"), None, "the report was sent in time, d06 must not fire");
}

#[test]
fn the_facilitator_fires_manual_injects_and_retimes_keeping_gaps() {
    let sc = demo_with(|t| t.replace(r#"when: At("+8h"),"#, "when: Manual,"));
    let j = run(sc.clone(), "Orders(orders: [])", None);
    assert_eq!(delivered_at(&j, "d07"), None, "a manual inject never fires by itself");
    let j = run(sc.clone(), &orders(&[r#"(at: "+2h", by: "control", order: FireInject("d07"))"#]), None);
    assert_eq!(delivered_at(&j, "d07"), Some(7200));

    // d01 at +10m and d03 at +4h30m are the timed injects; re-time from +5m: d01 → +1h, d03 keeps its gap.
    let j = run(sc, &orders(&[r#"(at: "+5m", by: "control", order: Retime("+1h"))"#]), None);
    assert_eq!(delivered_at(&j, "d01"), Some(3600));
    assert_eq!(delivered_at(&j, "d03"), Some(3600 + (16_200 - 600)));
    assert!(j.iter().any(|e| matches!(&e.event, Event::InjectsRetimed { shift_s: 3000, injects, .. }
        if injects == &vec!["d01".to_string(), "d03".to_string()])));
}

#[test]
fn the_facilitator_ends_the_exercise() {
    let j = run(load(DEMO), &orders(&[r#"(at: "+3h", by: "control", order: EndExercise)"#]), None);
    let last = j.last().unwrap();
    assert!(matches!(last.event, Event::RunEnded { .. }));
    assert_eq!(last.t, 3 * 3600 + 60, "the step in progress completes, then the run ends");
}

#[test]
fn the_plan_follower_carries_out_every_plan_action_of_the_seed_scenarios() {
    for path in
        [DEMO, "scenarios/levee-breach-0621.ron", "scenarios/derailment-0523.ron", "scenarios/acid-spill-0929.ron"]
    {
        let sc = load(path);
        let j = run(sc.clone(), "Orders(orders: [])", Some(AutoPlan::new(None, 300)));
        let triggered: Vec<_> = j
            .iter()
            .filter_map(|e| match &e.event {
                Event::PlanTriggered { level, .. } => Some(*level),
                _ => None,
            })
            .collect();
        assert!(!triggered.is_empty(), "{path}: no plan level triggered");
        let done: Vec<&str> = j
            .iter()
            .filter_map(|e| match &e.event {
                Event::PlanActionDone { action, by_owner: true, .. } => Some(action.as_str()),
                _ => None,
            })
            .collect();
        let missing: Vec<&str> = sc
            .scenario
            .plan
            .levels
            .iter()
            .filter(|l| triggered.contains(&l.level))
            .flat_map(|l| &l.actions)
            .map(|a| a.id.as_str())
            .filter(|id| !done.contains(id))
            .collect();
        assert!(missing.is_empty(), "{path}: plan actions not carried out: {missing:?}\nrefused: {:#?}", refusals(&j));
        assert!(refusals(&j).is_empty(), "{path}: the plan-follower was refused: {:#?}", refusals(&j));
    }
}

#[test]
fn a_plan_action_done_by_another_agency_does_not_count() {
    // iii_evac: nanhu evacuates v_shawan. The office doing it instead is journaled, not counted.
    let j = run(
        load(DEMO),
        &orders(&[
            r#"(at: "+3h20m", by: "ofc", order: OpenShelter("sh_school"))"#,
            r#"(at: "+3h21m", by: "ofc", order: Evacuate(from: "v_shawan", to: "sh_school"))"#,
        ]),
        None,
    );
    assert!(j.iter().any(|e| matches!(&e.event, Event::PlanActionDone { action, by_owner: false, by, .. }
        if action == "iii_evac" && by == "ofc")));
}

/// Runs `drillsim live` with these stdin lines; returns its standard output.
fn live_session(lines: &[&str], dir: &Path) -> String {
    live_session_timed(&lines.iter().map(|l| (*l, 0)).collect::<Vec<_>>(), dir)
}

/// Runs `drillsim live`, writing each line after waiting its milliseconds.
fn live_session_timed(lines: &[(&str, u64)], dir: &Path) -> String {
    let mut child = bin()
        .args(["live", DEMO, "--speed", "100000000", "--paused", "--seed", "5", "--out"])
        .arg(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    {
        let mut stdin = child.stdin.take().unwrap();
        for (l, wait_ms) in lines {
            std::thread::sleep(std::time::Duration::from_millis(*wait_ms));
            writeln!(stdin, "{l}").unwrap();
            stdin.flush().unwrap();
        }
    }
    // A live session that never ends must fail the test, not hang CI.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    while child.try_wait().unwrap().is_none() {
        if std::time::Instant::now() > deadline {
            child.kill().unwrap();
            panic!("drillsim live did not end within 120 s");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "live failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn live_mode_answers_each_order_and_equals_the_same_orders_from_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let stdout = live_session(
        &[
            r#"(at: "+1h", by: "ofc", order: SetLevel(IV))"#,
            r#"{"at": "+2h", "by": "nanhu", "order": {"SetLevel": "I"}}"#,
            r#"(at: "+3h25m", by: "water", order: Dispatch(team: "t_levee_eng", to: "lp_shawan", task: breach_closure))"#,
            r#"(at: "+4h", by: "control", order: Pause)"#,
            r#"(at: "+4h", by: "control", order: Resume)"#,
            r#"(by: "ofc", order: SetLevle(IV))"#,
            r#"(by: "control", order: Resume)"#,
        ],
        dir.path(),
    );
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(lines.iter().any(|l| l.starts_with("invalid #6:") && l.contains("SetLevle")), "{stdout}");
    assert!(lines.iter().any(|l| l.starts_with("accepted #1 at +1h")), "{stdout}");
    // the console speaks Chinese unless told otherwise: the refusal with the township's name
    let refused = "refused #2 at +2h (2015-07-10T08:00:00): 只有应急办可以启动应急响应，南湖乡人民政府无权启动";
    assert!(lines.contains(&refused), "{stdout}");
    assert!(lines.iter().any(|l| l.starts_with("accepted #7 at +0s")), "{stdout}");
    assert_eq!(lines.len(), 7, "one answer per line:\n{stdout}");

    // The same orders from the recorded file give the same journal.
    let replay = dir.path().join("replay");
    let r = bin()
        .args(["run", DEMO, "--seed", "5", "--orders"])
        .arg(dir.path().join("orders.ron"))
        .arg("--out")
        .arg(&replay)
        .output()
        .unwrap();
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let live = std::fs::read_to_string(dir.path().join("journal.jsonl")).unwrap();
    let file = std::fs::read_to_string(replay.join("journal.jsonl")).unwrap();
    let body = |j: &str| j.lines().skip(1).map(str::to_string).collect::<Vec<_>>();
    assert_eq!(body(&live), body(&file), "live and file journals differ");
}

#[test]
fn injects_due_during_a_pause_fire_in_order_after_it() {
    // Paused at +9m for a while of wall time; d01 (+10m) and later injects still fall due one by
    // one at their own simulated times after the resume.
    let dir = tempfile::tempdir().unwrap();
    live_session_timed(
        &[
            (r#"(by: "control", order: Resume)"#, 0),
            (r#"(at: "+9m", by: "control", order: Pause)"#, 0),
            (r#"(by: "control", order: Resume)"#, 400),
        ],
        dir.path(),
    );
    let j = drillsim::journal::read(&dir.path().join("journal.jsonl")).unwrap();
    let paused = j.iter().filter(|e| matches!(e.event, Event::ExercisePaused { .. })).map(|e| e.t).collect::<Vec<_>>();
    assert_eq!(paused, vec![0, 540]);
    let times: Vec<u64> = j.iter().filter(|e| matches!(e.event, Event::InjectDelivered { .. })).map(|e| e.t).collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]) && times.len() >= 3, "{times:?}");
    assert_eq!(delivered_at(&j, "d01"), Some(600));
}

#[test]
fn order_file_problems_name_line_and_column_for_every_order_kind() {
    let sc = load(DEMO);
    let text = "Orders(orders: [\n  (at: \"+1h\", by: \"police\", order: CloseRoad(\"r99\")),\n  (at: \"+1h\", by: \"ofc\", order: Evacuate(from: \"v_nowhere\", to: \"sh_school\")),\n  (at: \"+1h\", by: \"control\", order: FireInject(\"d99\")),\n])";
    let p = parse_orders(SourceFile::new("o.ron", text), &sc).expect_err("bad");
    let got: Vec<(usize, usize, &str)> = p.problems.iter().map(|p| (p.line, p.col, p.message.as_str())).collect();
    assert_eq!(
        got,
        vec![
            (2, 46, "unknown road \"r99\""),
            (3, 48, "unknown node, flood zone or area \"v_nowhere\""),
            (4, 48, "unknown inject \"d99\""),
        ]
    );
}

/// The tie rule at the door (issue 13): an acknowledgement given in the minute its inject is
/// delivered waits for the minute's injects and is accepted after the delivery; one by an
/// agency the inject is not meant for is refused at once; one of an inject that does not come
/// in that minute is refused in that minute, after the injects.
#[test]
fn an_acknowledgement_in_the_minute_of_its_inject_is_decided_after_the_delivery() {
    let sc = load(DEMO);
    // d01 reaches ofc and water at +10m; fire is not a recipient; d04 comes hours later
    let j = run(
        sc,
        &orders(&[
            r#"(at: "+10m", by: "ofc", order: Acknowledge("d01"))"#,
            r#"(at: "+10m", by: "fire", order: Acknowledge("d01"))"#,
            r#"(at: "+10m", by: "ofc", order: Acknowledge("d04"))"#,
        ]),
        None,
    );
    let seq_of = |pred: &dyn Fn(&Event) -> bool| j.iter().find(|e| pred(&e.event)).map(|e| (e.t, e.seq));
    let delivered = seq_of(&|e| matches!(e, Event::InjectDelivered { inject, .. } if inject == "d01")).unwrap();
    let accepted = seq_of(&|e| {
        matches!(e, Event::OrderAccepted { by, order: drillsim::exercise::orders::OrderKind::Acknowledge(i) } if by == "ofc" && i == "d01")
    })
    .expect("the office's acknowledgement is accepted");
    assert_eq!(accepted.0, 600, "decided in the minute it was given");
    assert_eq!(delivered.0, 600);
    assert!(accepted.1 > delivered.1, "decided after the delivery: {accepted:?} {delivered:?}");
    assert!(j.iter().any(|e| matches!(&e.event, Event::Acknowledged { by, inject } if by == "ofc" && inject == "d01")));
    let refused: Vec<(u64, u64, String, String)> = j
        .iter()
        .filter_map(|e| match &e.event {
            Event::OrderRefused { by, reason, .. } => Some((e.t, e.seq, by.clone(), reason.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(refused.len(), 2, "{refused:?}");
    let fire = refused.iter().find(|r| r.2 == "fire").unwrap();
    assert!(fire.1 < delivered.1 && fire.3.contains("has not reached"), "refused at once: {fire:?}");
    let early = refused.iter().find(|r| r.2 == "ofc").unwrap();
    assert!(
        early.0 == 600 && early.1 > delivered.1 && early.3.contains("\"d04\""),
        "after the minute's injects: {early:?}"
    );
}
