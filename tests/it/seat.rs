//! The GUI's seat client (`drillsim play --connect`, `drillsim::seat`) against a real
//! `drillsim serve`: the binary on an ephemeral loopback port, the client's thread connecting
//! with a seat's token. Needs the `serve` and `seat` features:
//! `cargo test --features serve,seat --test it seat::`.
#![cfg(all(feature = "serve", feature = "seat"))]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use drillsim::journal::Event;
use drillsim::report::Lang;
use drillsim::report::sentences::sentence;
use drillsim::scenario::types::{Capability, OrderKind};
use drillsim::seat::net::{Client, Report};
use drillsim::seat::{Answer, ClientMsg, SeatView};

/// `drillsim serve` on the demo county, paused; its child and address.
fn serve(out: &std::path::Path) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_drillsim"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["serve", "scenarios/demo-county.ron", "--out", out.to_str().unwrap(), "--listen", "127.0.0.1:0"])
        .args(["--paused"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let addr = loop {
        let Some(Ok(l)) = lines.next() else {
            let _ = child.kill();
            panic!("drillsim serve ended before listening");
        };
        if let Some(rest) = l.split("listening on http://").nth(1) {
            break rest.split('/').next().unwrap().to_string();
        }
    };
    std::thread::spawn(move || lines.map_while(Result::ok).for_each(drop));
    (child, addr)
}

fn token(out: &std::path::Path, name: &str) -> String {
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(out.join("seats.json")).unwrap()).unwrap();
    v["seats"].as_array().unwrap().iter().find(|s| s["name"] == name).unwrap()["token"].as_str().unwrap().to_string()
}

/// Takes the client's reports into the view until `done` holds (30 s at most).
fn until(c: &Client, view: &mut SeatView, what: &str, done: impl Fn(&SeatView) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !done(view) {
        assert!(Instant::now() < deadline, "no {what} within 30 s");
        match c.wait(Duration::from_millis(200)) {
            Some(Report::Message(m)) => view.apply(m),
            Some(Report::Refused(why)) => panic!("refused: {why}"),
            _ => {}
        }
    }
}

#[test]
fn the_gui_s_seat_client_logs_in_orders_and_reads_its_decision_as_a_sentence() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("room");
    let (mut server, addr) = serve(&out);

    // the water bureau's seat: its directory names its own teams, the feed and the state come
    let water = Client::connect(&addr, &token(&out, "water"));
    let mut view = SeatView::default();
    until(&water, &mut view, "welcome and state", |v| v.seat.is_some() && v.state.is_some());
    let seat = view.seat.clone().unwrap();
    assert_eq!((seat.role.as_str(), seat.agency.as_deref()), ("player", Some("water")));
    assert!(view.dir.teams.iter().all(|t| t.agency == "water") && !view.dir.teams.is_empty());
    assert!(view.state.as_ref().unwrap().paused);

    // an order of its own: acknowledged, then decided in its feed under the same tag
    let dispatch =
        OrderKind::Dispatch { team: "t_levee_eng".into(), to: "lp_shawan".into(), task: Capability::BreachClosure };
    water.send(ClientMsg::Order { id: "g1".into(), order: dispatch });
    until(&water, &mut view, "an ack", |v| v.answers.iter().any(|a| matches!(a, Answer::Ack { .. })));
    let Some(Answer::Ack { id, tag }) = view.answers.iter().find(|a| matches!(a, Answer::Ack { .. })).cloned() else {
        unreachable!()
    };
    assert_eq!(id.as_deref(), Some("g1"));
    until(&water, &mut view, "the decision", |v| v.decision(tag).is_some());
    let decided = view.decision(tag).unwrap().clone();
    assert!(matches!(&decided.event, Event::OrderAccepted { by, .. } if by == "water"), "{decided:?}");
    // in the seat's language, with names from the directory, not ids
    let zh = sentence(&view.namer(Lang::Zh), &decided);
    assert!(zh.contains("县水利抢险队") && !zh.contains("t_levee_eng"), "{zh}");

    // an observer's order is refused by the server, not queued
    let observer = Client::connect(&addr, &token(&out, "observer"));
    let mut oview = SeatView::default();
    until(&observer, &mut oview, "welcome", |v| v.seat.is_some());
    observer.send(ClientMsg::Order { id: "o1".into(), order: OrderKind::Pause });
    until(&observer, &mut oview, "an error", |v| !v.answers.is_empty());
    assert!(matches!(&oview.answers[0], Answer::Error { code, .. } if code == "forbidden"), "{:?}", oview.answers);

    // a wrong token is refused, and the client stops trying
    let stranger = Client::connect(&addr, "00000000000000000000000000000000");
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        match stranger.wait(Duration::from_millis(200)) {
            Some(Report::Refused(_)) => break,
            _ => assert!(Instant::now() < deadline, "a bad token must be refused"),
        }
    }
    let _ = server.kill();
    let _ = server.wait();
}
