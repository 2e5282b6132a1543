//! Load check of `drillsim serve` on this computer (loopback only, bounded in seats and time):
//! starts the server with N player seats on the demo county, each seat gives one order a second
//! over its WebSocket, and reports orders lost (acknowledged but not decided in the journal, or
//! never acknowledged), acknowledgement latency (p50, p99, max) and the server's memory.
//!
//! cargo build --release --features serve
//! cargo run --release --features serve --example serve_load -- --seats 50 --minutes 10 --speed 60
//! cargo run --release --features serve --example serve_load -- --seats 50 --minutes 1   # short variant

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

struct Args {
    seats: usize,
    minutes: f64,
    speed: f64,
    rate: f64,
    bin: String,
}

fn args() -> Args {
    let mut a = Args { seats: 50, minutes: 10.0, speed: 60.0, rate: 1.0, bin: "target/release/drillsim".into() };
    let v: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i + 1 < v.len() {
        let x = &v[i + 1];
        match v[i].as_str() {
            "--seats" => a.seats = x.parse().expect("--seats N"),
            "--minutes" => a.minutes = x.parse().expect("--minutes M"),
            "--speed" => a.speed = x.parse().expect("--speed X"),
            "--rate" => a.rate = x.parse().expect("--rate R (orders a second per seat)"),
            "--bin" => a.bin = x.clone(),
            other => panic!("unknown argument {other}"),
        }
        i += 2;
    }
    // Bounded: a check of this computer, not a way to load anything else.
    assert!((1..=200).contains(&a.seats), "--seats 1 to 200");
    assert!(a.minutes > 0.0 && a.minutes <= 15.0, "--minutes up to 15");
    assert!(a.rate > 0.0 && a.rate <= 5.0, "--rate up to 5 a second");
    a
}

fn memory_kib(pid: u32) -> (u64, u64) {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |k: &str| {
        s.lines().find(|l| l.starts_with(k)).and_then(|l| l.split_whitespace().nth(1)).and_then(|x| x.parse().ok())
    };
    (field("VmRSS:").unwrap_or(0), field("VmHWM:").unwrap_or(0))
}

fn pct(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let a = args();
    let dir = tempfile::tempdir().unwrap();
    let scenario = "scenarios/demo-county.ron";
    let agencies = ["ofc", "water", "fire", "police", "health", "civil", "nanhu", "utility", "city"];
    let mut seats: Vec<Value> = (0..a.seats)
        .map(|i| json!({"name": format!("seat{i:03}"), "role": "player", "agency": agencies[i % agencies.len()]}))
        .collect();
    seats.push(json!({"name": "facilitator", "role": "facilitator"}));
    let seats_file = dir.path().join("seats-in.json");
    std::fs::write(&seats_file, json!({ "seats": seats }).to_string()).unwrap();
    let out = dir.path().join("room");
    let mut child = Command::new(&a.bin)
        .args(["serve", scenario, "--listen", "127.0.0.1:0", "--speed", &a.speed.to_string(), "--seats"])
        .arg(&seats_file)
        .arg("--out")
        .arg(&out)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the server (build it first: cargo build --release --features serve)");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let addr = loop {
        let l = lines.next().expect("server output").unwrap();
        if let Some(rest) = l.split("listening on http://").nth(1) {
            break rest.split('/').next().unwrap().to_string();
        }
    };
    std::thread::spawn(move || for _ in lines {});
    let issued: Value = serde_json::from_str(&std::fs::read_to_string(out.join("seats.json")).unwrap()).unwrap();
    let tokens: Vec<(String, String)> = issued["seats"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["name"].as_str().unwrap().to_string(), s["token"].as_str().unwrap().to_string()))
        .collect();
    let run_for = Duration::from_secs_f64(a.minutes * 60.0);
    let gap = Duration::from_secs_f64(1.0 / a.rate);
    let t0 = Instant::now();
    let mut tasks = Vec::new();
    for (k, (name, token)) in tokens.iter().filter(|(n, _)| n != "facilitator").cloned().enumerate() {
        let addr = addr.clone();
        tasks.push(tokio::spawn(async move {
            // Spread the seats over the first second.
            tokio::time::sleep(gap.mul_f64(k as f64 / a.seats as f64)).await;
            let url = format!("ws://{addr}/ws");
            let (mut ws, _) = tokio_tungstenite::connect_async_with_config(url, None, true).await.unwrap();
            let hello = json!({"type": "hello", "v": 1, "token": token, "since": 0});
            ws.send(Message::Text(hello.to_string().into())).await.unwrap();
            let mut latencies = Vec::new();
            let (mut sent, mut errors) = (0u64, 0u64);
            let mut tags = Vec::new();
            let mut next = Instant::now();
            while t0.elapsed() < run_for {
                tokio::time::sleep_until(next.into()).await;
                next += gap;
                let id = format!("{name}-{sent}");
                let m = json!({"type": "order", "id": id, "order": {"Log": format!("{name} duty log {sent}")}});
                let asked = Instant::now();
                if ws.send(Message::Text(m.to_string().into())).await.is_err() {
                    break;
                }
                sent += 1;
                // Wait for this order's reply; feed and state messages pass by.
                loop {
                    match ws.next().await {
                        Some(Ok(Message::Text(t))) => {
                            let v: Value = serde_json::from_str(&t).unwrap();
                            if v["id"] == json!(id) {
                                if v["type"] == "ack" {
                                    latencies.push(asked.elapsed().as_secs_f64() * 1000.0);
                                    tags.push(v["tag"].as_u64().unwrap());
                                } else {
                                    errors += 1;
                                }
                                break;
                            }
                        }
                        Some(Ok(_)) => {}
                        _ => return (sent, errors, latencies, tags),
                    }
                }
            }
            (sent, errors, latencies, tags)
        }));
    }
    let (mut sent, mut errors, mut lat, mut tags) = (0u64, 0u64, Vec::new(), Vec::new());
    let mut peak = (0u64, 0u64);
    for t in tasks {
        let (s, e, l, g) = t.await.unwrap();
        sent += s;
        errors += e;
        lat.extend(l);
        tags.extend(g);
        peak = memory_kib(child.id());
    }
    // End the exercise and count the decisions in the journal.
    let fac = tokens.iter().find(|(n, _)| n == "facilitator").unwrap().1.clone();
    let (mut ws, _) = tokio_tungstenite::connect_async(format!("ws://{addr}/ws")).await.unwrap();
    ws.send(Message::Text(json!({"type": "hello", "v": 1, "token": fac}).to_string().into())).await.unwrap();
    ws.send(Message::Text(json!({"type": "order", "order": "EndExercise"}).to_string().into())).await.unwrap();
    let status = child.wait().unwrap();
    let journal = std::fs::read_to_string(out.join("journal.jsonl")).unwrap();
    let decided =
        journal.lines().filter(|l| l.contains("\"kind\":\"order_accepted\"") && l.contains("duty log")).count();
    lat.sort_by(f64::total_cmp);
    let acked = tags.len() as u64;
    println!(
        "seats {} × {} order/s for {:.1} min at {}× (loopback), server exit {status}",
        a.seats, a.rate, a.minutes, a.speed
    );
    println!("orders sent {sent}, acknowledged {acked}, errors {errors}, decided in the journal {decided}");
    println!("orders lost (acknowledged, not decided): {}", acked.saturating_sub(decided as u64));
    println!(
        "ack latency ms: p50 {:.1}, p99 {:.1}, max {:.1}",
        pct(&lat, 0.5),
        pct(&lat, 0.99),
        lat.last().copied().unwrap_or(f64::NAN)
    );
    println!("server memory at the end of the load: RSS {} MiB, peak {} MiB", peak.0 / 1024, peak.1 / 1024);
}
