//! `drillsim serve` end to end: the binary on an ephemeral loopback port, every seat of the demo
//! county as a WebSocket client (tokio-tungstenite) speaking the seat protocol. Needs the `serve`
//! feature: `cargo test --features serve --test it serve::`.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

use crate::support::bin;

const SCENARIO: &str = "scenarios/demo-county.ron";

/// A running server: the child, its address, and its output collected by threads.
struct Server {
    child: Child,
    addr: String,
    stdout: std::thread::JoinHandle<Vec<String>>,
    stderr: std::thread::JoinHandle<Vec<String>>,
}

fn serve(args: &[&str]) -> Server {
    let mut child = bin().arg("serve").args(args).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut seen = Vec::new();
    let addr = loop {
        let Some(Ok(l)) = lines.next() else {
            let _ = child.kill();
            panic!("drillsim serve {args:?} ended before listening: {seen:?}");
        };
        if let Some(rest) = l.split("listening on http://").nth(1) {
            break rest.split('/').next().unwrap().to_string();
        }
        seen.push(l);
    };
    let stdout = std::thread::spawn(move || {
        seen.extend(lines.map_while(Result::ok));
        seen
    });
    let err = child.stderr.take().unwrap();
    let stderr = std::thread::spawn(move || BufReader::new(err).lines().map_while(Result::ok).collect());
    Server { child, addr, stdout, stderr }
}

impl Server {
    /// Waits for the server to end by itself (the exercise ended); its status and output.
    fn wait(mut self) -> (std::process::ExitStatus, Vec<String>, Vec<String>) {
        let deadline = Instant::now() + Duration::from_secs(120);
        let status = loop {
            if let Some(s) = self.child.try_wait().unwrap() {
                break s;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("drillsim serve did not end within 120 s");
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        (status, self.stdout.join().unwrap(), self.stderr.join().unwrap())
    }

    fn kill9(mut self) {
        self.child.kill().unwrap(); // SIGKILL on unix
        self.child.wait().unwrap();
    }
}

fn tokens(out: &Path) -> Vec<Value> {
    let v: Value = serde_json::from_str(&std::fs::read_to_string(out.join("seats.json")).unwrap()).unwrap();
    v["seats"].as_array().unwrap().clone()
}

fn token_of(seats: &[Value], name: &str) -> String {
    seats.iter().find(|s| s["name"] == name).unwrap()["token"].as_str().unwrap().to_string()
}

type Ws = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// One seat's client: everything it received, by kind.
struct Client {
    name: String,
    ws: Ws,
    welcome: Value,
    /// Feed items by number (checked contiguous from the first one asked for).
    feed: Vec<(u64, Value)>,
    state: Value,
    next_id: u64,
}

async fn raw(addr: &str) -> Ws {
    tokio_tungstenite::connect_async(format!("ws://{addr}/ws")).await.unwrap().0
}

async fn next_json(ws: &mut Ws) -> Option<Value> {
    loop {
        match tokio::time::timeout(Duration::from_secs(30), ws.next()).await.expect("no message within 30 s") {
            Some(Ok(Message::Text(t))) => return Some(serde_json::from_str(&t).unwrap()),
            Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return None,
            Some(Ok(_)) => {}
        }
    }
}

impl Client {
    async fn login(addr: &str, name: &str, token: &str, since: u64) -> Client {
        let mut ws = raw(addr).await;
        ws.send(Message::Text(json!({"type": "hello", "v": 1, "token": token, "since": since}).to_string().into()))
            .await
            .unwrap();
        let welcome = next_json(&mut ws).await.expect("welcome");
        assert_eq!(welcome["type"], "welcome", "{welcome}");
        assert_eq!(welcome["seat"]["name"], name);
        Client { name: name.into(), ws, welcome, feed: Vec::new(), state: Value::Null, next_id: 1 }
    }

    /// Takes one message; feed and state are kept.
    async fn recv(&mut self) -> Option<Value> {
        let m = next_json(&mut self.ws).await?;
        match m["type"].as_str() {
            Some("feed") => {
                let n = m["n"].as_u64().unwrap();
                if let Some((last, _)) = self.feed.last() {
                    assert_eq!(n, last + 1, "{}: feed numbers must follow each other", self.name);
                }
                self.feed.push((n, m["item"].clone()));
            }
            Some("state") => self.state = m.clone(),
            _ => {}
        }
        Some(m)
    }

    /// Sends a message with a fresh id and returns the reply to it (ack, error or pong).
    async fn ask(&mut self, mut msg: Value) -> Value {
        let id = format!("{}-{}", self.name, self.next_id);
        self.next_id += 1;
        msg["id"] = json!(id);
        self.ws.send(Message::Text(msg.to_string().into())).await.unwrap();
        loop {
            let m = self.recv().await.expect("connection closed while waiting for a reply");
            if m["id"] == json!(id) {
                return m;
            }
        }
    }

    async fn order(&mut self, order: Value) -> Value {
        self.ask(json!({"type": "order", "order": order})).await
    }

    /// Receives until a feed item satisfies `pred` (or one already has); returns it.
    async fn until_feed(&mut self, pred: impl Fn(&Value) -> bool) -> Value {
        if let Some((_, it)) = self.feed.iter().find(|(_, it)| pred(it)) {
            return it.clone();
        }
        loop {
            self.recv().await.expect("connection closed while waiting for the feed");
            if let Some((_, it)) = self.feed.last().filter(|(_, it)| pred(it)) {
                return it.clone();
            }
        }
    }

    async fn until_state(&mut self, pred: impl Fn(&Value) -> bool) -> Value {
        while !pred(&self.state) {
            self.recv().await.expect("connection closed while waiting for a state");
        }
        self.state.clone()
    }

    /// The decision on order `tag` as it reached this seat's feed.
    async fn decision(&mut self, tag: u64) -> Value {
        self.until_feed(|it| it["tag"] == json!(tag)).await["entry"].clone()
    }
}

fn ack_tag(reply: &Value) -> u64 {
    assert_eq!(reply["type"], "ack", "{reply}");
    reply["tag"].as_u64().unwrap()
}

fn journal_tail(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path).unwrap().lines().skip(1).map(String::from).collect()
}

/// `run --orders OUT/orders.ron` gives the served exercise's journal (the first line names the
/// order file, so it is left out).
fn assert_replays_with_run(out: &Path, dir: &Path) {
    let run_out = dir.join("run");
    let o = bin()
        .args(["run", SCENARIO, "--orders"])
        .arg(out.join("orders.ron"))
        .arg("--out")
        .arg(&run_out)
        .output()
        .unwrap();
    assert!(o.status.success(), "run --orders failed: {}", String::from_utf8_lossy(&o.stderr));
    let served = journal_tail(&out.join("journal.jsonl"));
    let run = journal_tail(&run_out.join("journal.jsonl"));
    assert_eq!(served.len(), run.len(), "journal lengths differ");
    for (i, (a, b)) in served.iter().zip(&run).enumerate() {
        assert_eq!(a, b, "line {} differs", i + 2);
    }
}

fn entries(out: &Path) -> Vec<Value> {
    std::fs::read_to_string(out.join("journal.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_room_of_seats_plays_an_exercise_that_replays_with_run() {
    let dir = tempfile::tempdir().unwrap();
    let out: PathBuf = dir.path().join("room");
    let server =
        serve(&[SCENARIO, "--out", out.to_str().unwrap(), "--listen", "127.0.0.1:0", "--paused", "--speed", "3600"]);
    let addr = server.addr.clone();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(out.join("seats.json")).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "seats.json must be readable by its owner only");
    }
    let seats = tokens(&out);
    assert_eq!(seats.len(), 12, "nine agencies, a facilitator, an evaluator, an observer");

    // A wrong token opens nothing and ends the connection.
    let mut ws = raw(&addr).await;
    let mut bad = token_of(&seats, "ofc");
    bad.replace_range(0..1, if bad.starts_with('a') { "b" } else { "a" });
    ws.send(Message::Text(json!({"type": "hello", "v": 1, "token": bad}).to_string().into())).await.unwrap();
    let m = next_json(&mut ws).await.unwrap();
    assert_eq!(m["code"], "bad_token", "{m}");
    assert!(next_json(&mut ws).await.is_none(), "the connection must close after a bad token");

    // Every seat logs in.
    let mut clients = Vec::new();
    for s in &seats {
        let name = s["name"].as_str().unwrap();
        clients.push(Client::login(&addr, name, s["token"].as_str().unwrap(), 0).await);
    }
    let idx = |name: &str| seats.iter().position(|s| s["name"] == name).unwrap();
    assert!(
        clients[idx("water")].welcome["scenario"]["teams"].as_array().unwrap().iter().all(|t| t["agency"] == "water"),
        "a player's directory lists its own teams only"
    );
    assert!(clients[idx("water")].welcome["scenario"]["injects"].as_array().unwrap().is_empty());

    // Scripted orders from every player while the clock stands at t = 0.
    let script: Vec<(&str, Value)> = vec![
        ("ofc", json!({"SetLevel": "IV"})),
        ("water", json!({"Dispatch": {"team": "t_levee_eng", "to": "lp_shawan", "task": "breach_closure"}})),
        ("fire", json!({"Dispatch": {"team": "t_fire_boat", "to": "v_shawan", "task": "boat_evacuation"}})),
        ("police", json!({"Log": "traffic squad on standby"})),
        ("health", json!({"Log": "ambulance crew briefed"})),
        ("civil", json!({"Log": "shelter staff called in"})),
        ("nanhu", json!({"WarnPublic": "南湖乡:注意防范暴雨"})),
        ("utility", json!({"Log": "intake monitoring every hour"})),
        ("city", json!({"Log": "city duty officer informed"})),
    ];
    for (name, order) in &script {
        let c = &mut clients[idx(name)];
        let tag = ack_tag(&c.order(order.clone()).await);
        let d = c.decision(tag).await;
        assert_eq!(d["kind"], "order_accepted", "{name}: {d}");
        assert_eq!(d["by"], *name, "a seat's orders carry its agency");
    }

    // Impersonation: the police seat claims to be the emergency office.
    let c = &mut clients[idx("police")];
    let tag = ack_tag(&c.ask(json!({"type": "order", "by": "ofc", "order": {"SetLevel": "III"}})).await);
    let d = c.decision(tag).await;
    assert_eq!(d["kind"], "order_refused", "{d}");
    assert_eq!(d["by"], "police");
    assert_eq!(d["claimed"], "ofc");
    // A player may not steer the exercise: the door refuses it, journaled.
    let tag = ack_tag(&c.order(json!("Pause")).await);
    assert_eq!(c.decision(tag).await["kind"], "order_refused");
    // Evaluators and observers give no orders (not journaled: they have no agency).
    for name in ["evaluator", "observer"] {
        let r = clients[idx(name)].order(json!({"Log": "x"})).await;
        assert_eq!(r["code"], "forbidden", "{name}: {r}");
    }
    // The evaluator's observation goes into the journal.
    let ev = &mut clients[idx("evaluator")];
    let tag = ack_tag(
        &ev.ask(json!({"type": "observe", "capability": "warning", "seen": "乡政府及时发布预警", "rating": "S",
                         "note": "no SMS channel"}))
            .await,
    );
    assert_eq!(ev.decision(tag).await["kind"], "order_accepted");
    ev.until_feed(|it| it["entry"]["kind"] == "observation").await;
    // Malformed and oversized messages are answered; the connection goes on.
    let c = &mut clients[idx("civil")];
    c.ws.send(Message::Text("{not json".into())).await.unwrap();
    loop {
        let m = c.recv().await.unwrap();
        if m["type"] == "error" {
            assert_eq!(m["code"], "malformed", "{m}");
            break;
        }
    }
    let big = json!({"type": "order", "order": {"Log": "x".repeat(20_000)}}).to_string();
    c.ws.send(Message::Text(big.into())).await.unwrap();
    loop {
        let m = c.recv().await.unwrap();
        if m["type"] == "error" {
            assert_eq!(m["code"], "too_big", "{m}");
            break;
        }
    }
    assert_eq!(c.ask(json!({"type": "ping"})).await["type"], "pong");

    // The water seat drops out; the facilitator starts the clock and changes the speed; inject
    // d01 (+10m, to ofc and water) is delivered while water is away.
    let water = clients.remove(idx("water"));
    let water_seen = water.feed.last().unwrap().0;
    drop(water);
    let fidx = clients.iter().position(|c| c.name == "facilitator").unwrap();
    let f = &mut clients[fidx];
    let tag = ack_tag(&f.order(json!("Resume")).await);
    assert_eq!(f.decision(tag).await["kind"], "order_accepted");
    let tag = ack_tag(&f.order(json!({"Speed": 1800.0})).await);
    assert_eq!(f.decision(tag).await["kind"], "order_accepted");
    f.until_feed(|it| it["entry"]["kind"] == "inject_delivered" && it["entry"]["inject"] == "d01").await;
    let tag = ack_tag(&f.order(json!("Pause")).await);
    assert_eq!(f.decision(tag).await["kind"], "order_accepted");
    let st = f.until_state(|s| s["paused"] == true).await;
    tokio::time::sleep(Duration::from_millis(600)).await;
    while let Ok(Some(_)) = tokio::time::timeout(Duration::from_millis(100), f.recv()).await {}
    assert_eq!(f.state["t"], st["t"], "the clock stands still while paused");
    assert!(f.state["seats"].as_array().unwrap().iter().any(|s| s["name"] == "police" && s["last_action"].is_object()));

    // The water seat comes back with the last number it had: it gets exactly what it missed.
    let water_token = token_of(&seats, "water");
    let mut back = Client::login(&addr, "water", &water_token, water_seen).await;
    let fresh = Client::login(&addr, "water", &water_token, 0).await;
    let mut fresh = fresh;
    let d01 = back.until_feed(|it| it["entry"]["inject"] == "d01").await;
    assert_eq!(d01["entry"]["kind"], "inject_delivered");
    assert_eq!(
        back.feed.first().unwrap().0,
        water_seen + 1,
        "the first message after reconnecting follows the last seen"
    );
    let total = back.feed.last().unwrap().0;
    while fresh.feed.last().is_none_or(|(n, _)| *n < total) {
        fresh.recv().await.unwrap();
    }
    let fresh_tail: Vec<&(u64, Value)> = fresh.feed.iter().filter(|(n, _)| *n > water_seen && *n <= total).collect();
    assert_eq!(fresh_tail.len(), back.feed.iter().filter(|(n, _)| *n <= total).count());
    for ((n1, a), (n2, b)) in fresh_tail.into_iter().zip(&back.feed) {
        assert_eq!((n1, a), (n2, b), "a reconnecting client gets the same items as a fresh one");
    }
    // A player never sees another agency's orders or the hazard model's own entries.
    for (_, it) in &fresh.feed {
        let e = &it["entry"];
        if e["kind"] == "order_accepted" || e["kind"] == "order_refused" {
            assert_eq!(e["by"], "water", "{e}");
        }
        assert_ne!(e["kind"], "flood_depth", "{e}");
    }
    clients.push(back);

    // Faster to the end.
    let f = &mut clients[fidx];
    ack_tag(&f.order(json!({"Speed": 20000.0})).await);
    ack_tag(&f.order(json!("Resume")).await);
    drop(clients);
    drop(fresh);
    let (status, stdout, stderr) = server.wait();
    assert!(status.success(), "serve failed: {status:?}\n{}", stderr.join("\n"));
    for s in &seats {
        let t = s["token"].as_str().unwrap();
        assert_eq!(stdout.iter().filter(|l| l.contains(t)).count(), 1, "each token is printed once");
        assert!(!stderr.iter().any(|l| l.contains(t)), "no token in the log");
    }
    let journal = std::fs::read_to_string(out.join("journal.jsonl")).unwrap();
    for s in &seats {
        assert!(!journal.contains(s["token"].as_str().unwrap()), "no token in the journal");
    }
    assert!(journal.lines().last().unwrap().contains("\"kind\":\"run_ended\""));
    let e = entries(&out);
    assert!(e.iter().any(|e| e["kind"] == "order_refused" && e["claimed"] == "ofc"), "the attempt is journaled");
    assert!(e.iter().any(|e| e["kind"] == "observation" && e["rating"] == "S"));
    assert!(e.iter().any(|e| e["kind"] == "speed_changed" && e["speed"] == 1800.0));
    assert_replays_with_run(&out, dir.path());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_server_resumes_without_losing_an_acknowledged_order() {
    let dir = tempfile::tempdir().unwrap();
    let out: PathBuf = dir.path().join("room");
    let out_s = out.to_str().unwrap();
    let server = serve(&[SCENARIO, "--out", out_s, "--listen", "127.0.0.1:0", "--speed", "1200"]);
    let seats = tokens(&out);
    let tok = |n: &str| token_of(&seats, n);
    let mut acked: Vec<u64> = Vec::new();
    let mut ofc_tags: Vec<u64> = Vec::new();
    {
        let mut ofc = Client::login(&server.addr, "ofc", &tok("ofc"), 0).await;
        let mut police = Client::login(&server.addr, "police", &tok("police"), 0).await;
        ofc_tags.push(ack_tag(&ofc.order(json!({"SetLevel": "IV"})).await));
        for i in 0..6 {
            acked.push(ack_tag(&police.order(json!({"Log": format!("patrol report {i}")})).await));
            ofc_tags.push(ack_tag(&ofc.order(json!({"Log": format!("office log {i}")})).await));
            tokio::time::sleep(Duration::from_millis(40)).await;
        }
        // Killed right after the last acknowledgement: nothing acknowledged may be lost.
        server.kill9();
    }
    acked.extend(&ofc_tags);
    let log = std::fs::read_to_string(out.join("orders.log")).unwrap();
    for tag in &acked {
        assert!(log.contains(&format!("\"tag\":{tag},")), "acknowledged order #{tag} missing from orders.log");
    }
    let again = serve(&["--resume", out_s, "--listen", "127.0.0.1:0"]);
    let mut ofc = Client::login(&again.addr, "ofc", &tok("ofc"), 0).await;
    // Every acknowledged order of ofc is decided in the resumed journal, with its number.
    for tag in &ofc_tags {
        let d = ofc.decision(*tag).await;
        assert_eq!(d["by"], "ofc", "{d}");
    }
    let more = ack_tag(&ofc.order(json!({"Log": "after the restart"})).await);
    assert!(more > *acked.iter().max().unwrap(), "answer numbers go on after the logged ones");
    let mut f = Client::login(&again.addr, "facilitator", &tok("facilitator"), 0).await;
    ack_tag(&f.order(json!({"Speed": 20000.0})).await);
    drop(ofc);
    drop(f);
    let (status, _, stderr) = again.wait();
    assert!(status.success(), "resumed serve failed: {status:?}\n{}", stderr.join("\n"));
    let e = entries(&out);
    let decided = e.iter().filter(|e| e["kind"] == "order_accepted" || e["kind"] == "order_refused").count();
    assert_eq!(decided, acked.len() + 2, "every acknowledged order decided once");
    let o = bin().args(["replay", out_s]).output().unwrap();
    assert!(o.status.success(), "replay: {}", String::from_utf8_lossy(&o.stderr));
    assert_replays_with_run(&out, dir.path());
}
