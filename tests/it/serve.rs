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
        if let Some(rest) = l.split("listening on http://").nth(1).or_else(|| l.split("listening on https://").nth(1)) {
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
#[allow(
    clippy::too_many_lines,
    reason = "one scripted exercise read top to bottom: seats, orders, pause, speed, the end, the replay"
)]
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
    // The feed says why beside the entry, in both languages with the seat's name, not its id.
    let tag = ack_tag(&c.order(json!("Pause")).await);
    let item = c.until_feed(|it| it["tag"] == json!(tag)).await;
    assert_eq!(item["entry"]["kind"], "order_refused");
    assert_eq!(item["entry"]["refusal"], json!({"kind": "control_only", "by": "police"}));
    assert_eq!(item["said"]["zh"], "只有演练导调组可以下达此指令，清水县公安局是参演单位", "{item}");
    assert_eq!(
        item["said"]["en"],
        "only the exercise control cell may do that; County Public Security Bureau is a player"
    );
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

/// Every message a seat receives until its connection closes.
async fn collect(mut c: Client) -> Vec<Value> {
    let mut all = Vec::new();
    while let Some(m) = c.recv().await {
        all.push(m);
    }
    all
}

/// The scenario's `visibility` section decides what reaches each player of the hazard: the
/// emergency office (default, as reported) has no hazard state until an inject addressed to it
/// reports the breach, and then the state as of that inject; the water bureau (`Always`) has it
/// as it happens, in its feed and state; the police, told nothing of the breach, never has it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_player_sees_the_hazard_as_its_visibility_allows() {
    let dir = tempfile::tempdir().unwrap();
    let demo = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(SCENARIO)).unwrap();
    let body = demo.trim_end().strip_suffix(')').unwrap();
    let scenario = dir.path().join("demo-visibility.ron");
    std::fs::write(&scenario, format!("{body}    visibility: (agencies: {{ \"water\": (hazards: Always) }}),\n)\n"))
        .unwrap();
    let out = dir.path().join("room");
    let server = serve(&[
        scenario.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--listen",
        "127.0.0.1:0",
        "--paused",
        "--speed",
        "3600",
    ]);
    let addr = server.addr.clone();
    let seats = tokens(&out);
    let login = |name: &'static str| {
        let (addr, token) = (addr.clone(), token_of(&seats, name));
        async move { Client::login(&addr, name, &token, 0).await }
    };
    let water = tokio::spawn(collect(login("water").await));
    let police = tokio::spawn(collect(login("police").await));
    let mut ofc = login("ofc").await;
    let mut fac = login("facilitator").await;
    ack_tag(&fac.order(json!("Resume")).await);
    // The office's messages until its state shows the breach.
    let mut ofc_msgs = Vec::new();
    while ofc.state["hazards"]["h_breach"].is_null() {
        ofc_msgs.push(ofc.recv().await.expect("the office's connection closed before it learnt of the breach"));
    }
    ack_tag(&fac.order(json!("EndExercise")).await);
    ofc_msgs.extend(collect(ofc).await);
    let (water, police) = (water.await.unwrap(), police.await.unwrap());
    server.wait();

    let journal = entries(&out);
    let onset = journal.iter().find(|e| e["kind"] == "hazard_onset" && e["hazard"] == "h_breach").expect("the breach");
    let is_hazard = |m: &Value| {
        m["type"] == "feed"
            && ["hazard_onset", "breach_widened", "flood_depth", "flood_exposure"]
                .contains(&m["item"]["entry"]["kind"].as_str().unwrap_or(""))
    };
    let breach_state = |m: &Value| m["type"] == "state" && !m["hazards"]["h_breach"].is_null();
    // A state with no hazard (the very first one, sent before the simulation's, has no field).
    let no_hazard = |m: &Value| m["hazards"].as_object().is_none_or(|h| h.is_empty());
    // The office: no hazard entry in its feed; the first state with the breach comes after an
    // inject addressed to it, delivered after the onset, and is as of that inject.
    assert!(!ofc_msgs.iter().any(is_hazard), "hazard entries reached the office's feed");
    let first = ofc_msgs.iter().position(breach_state).expect("the office learnt of the breach");
    let report = ofc_msgs[..first]
        .iter()
        .rev()
        .find(|m| m["type"] == "feed" && m["item"]["entry"]["kind"] == "inject_delivered")
        .expect("an inject came before the office saw the breach");
    let report = &report["item"]["entry"];
    assert!(report["t"].as_u64() >= onset["t"].as_u64(), "{report}");
    assert!(report["to"].as_array().unwrap().contains(&json!("ofc")));
    let seen = &ofc_msgs[first]["hazards"]["h_breach"];
    assert_eq!(seen["as_of"], report["t"], "{seen}");
    assert!(seen["entries"].as_array().unwrap().iter().any(|e| e["kind"] == "hazard_onset"), "{seen}");
    assert!(
        ofc_msgs[..first].iter().filter(|m| m["type"] == "state").all(no_hazard),
        "no hazard in the office's states before the report"
    );
    // The water bureau: the onset in its feed, and the breach in its states, before the report.
    let onset_at = water.iter().position(|m| is_hazard(m) && m["item"]["entry"]["kind"] == "hazard_onset");
    assert!(onset_at.is_some(), "the water bureau (Always) gets the hazard's entries");
    let water_first = water.iter().position(breach_state).expect("the water bureau's state shows the breach");
    assert!(water[water_first]["t"].as_u64() <= report["t"].as_u64(), "{}", water[water_first]);
    // The police: nothing of the hazard.
    assert!(!police.iter().any(is_hazard));
    assert!(police.iter().filter(|m| m["type"] == "state").all(no_hazard));
}

/// `--cert/--key`: the pages over HTTPS and a seat over WSS, with a self-signed certificate the
/// client trusts; a plain-HTTP client gets nothing; bad files are refused before anything starts.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_serves_the_pages_and_a_seat_over_wss() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio_rustls::rustls;

    let dir = tempfile::tempdir().unwrap();
    let cert = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    let (cert_pem, key_pem) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    std::fs::write(&cert_pem, cert.cert.pem()).unwrap();
    std::fs::write(&key_pem, cert.signing_key.serialize_pem()).unwrap();

    // Bad files: exit 2, the file named, no output folder made.
    let out = dir.path().join("room");
    let o = bin()
        .args(["serve", SCENARIO, "--listen", "127.0.0.1:0", "--out"])
        .arg(&out)
        .arg("--cert")
        .arg(dir.path().join("missing.pem"))
        .arg("--key")
        .arg(&key_pem)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("cannot read the certificate file") && err.contains("missing.pem"), "{err}");
    let o = bin()
        .args(["serve", SCENARIO, "--out"])
        .arg(&out)
        .arg("--cert")
        .arg(&key_pem)
        .arg("--key")
        .arg(&key_pem)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("key.pem: no certificate in it"), "{err}");
    let o = bin().args(["serve", SCENARIO, "--out"]).arg(&out).arg("--cert").arg(&cert_pem).output().unwrap();
    assert_eq!(o.status.code(), Some(2), "--cert without --key: {}", String::from_utf8_lossy(&o.stderr));
    assert!(!out.exists(), "nothing is written before the certificate is read");

    let server = serve(&[
        SCENARIO,
        "--out",
        out.to_str().unwrap(),
        "--listen",
        "127.0.0.1:0",
        "--paused",
        "--cert",
        cert_pem.to_str().unwrap(),
        "--key",
        key_pem.to_str().unwrap(),
    ]);
    let addr = server.addr.clone();
    let mut roots = rustls::RootCertStore::empty();
    roots.add(cert.cert.der().clone()).unwrap();
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let connector = tokio_rustls::TlsConnector::from(std::sync::Arc::new(config));
    let name = rustls::pki_types::ServerName::try_from("localhost").unwrap();
    let tls = |connector: tokio_rustls::TlsConnector, name: rustls::pki_types::ServerName<'static>| {
        let addr = addr.clone();
        async move { connector.connect(name, tokio::net::TcpStream::connect(&addr).await.unwrap()).await.unwrap() }
    };

    // The seat page over HTTPS.
    let mut s = tls(connector.clone(), name.clone()).await;
    s.write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").await.unwrap();
    let mut page = String::new();
    s.read_to_string(&mut page).await.unwrap_or_default();
    assert!(page.starts_with("HTTP/1.1 200"), "{}", &page[..page.len().min(200)]);
    assert!(page.contains("app.js"));

    // A seat over WSS: welcome, an order, its ack and decision.
    let stream = tls(connector.clone(), name.clone()).await;
    let (mut ws, _) =
        tokio_tungstenite::client_async(format!("wss://localhost:{}/ws", addr.split(':').nth(1).unwrap()), stream)
            .await
            .unwrap();
    let seats = tokens(&out);
    let hello = json!({"type": "hello", "v": 1, "token": token_of(&seats, "ofc")});
    ws.send(Message::Text(hello.to_string().into())).await.unwrap();
    let welcome = loop {
        let m = match ws.next().await.unwrap().unwrap() {
            Message::Text(t) => serde_json::from_str::<Value>(&t).unwrap(),
            _ => continue,
        };
        if m["type"] == "welcome" {
            break m;
        }
    };
    assert_eq!(welcome["seat"]["agency"], "ofc");
    ws.send(Message::Text(json!({"type": "order", "id": "o1", "order": {"SetLevel": "IV"}}).to_string().into()))
        .await
        .unwrap();
    let mut acked = None;
    let decided = loop {
        let Message::Text(t) = ws.next().await.unwrap().unwrap() else { continue };
        let m: Value = serde_json::from_str(&t).unwrap();
        if m["id"] == "o1" {
            assert_eq!(m["type"], "ack", "{m}");
            acked = m["tag"].as_u64();
        }
        if m["type"] == "feed" && acked.is_some() && m["item"]["tag"].as_u64() == acked {
            break m["item"]["entry"].clone();
        }
    };
    assert_eq!(decided["kind"], "order_accepted", "{decided}");

    // Plain HTTP to the TLS port gets no page.
    let mut plain = tokio::net::TcpStream::connect(&addr).await.unwrap();
    plain.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n").await.unwrap();
    let mut buf = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(15), plain.read_to_end(&mut buf)).await;
    assert!(!String::from_utf8_lossy(&buf).contains("HTTP/1.1 200"));
    server.kill9();
}
