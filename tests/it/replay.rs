//! Replay, crash safety and fork, end to end with the `drillsim` binary: replay gives every seed
//! scenario's journal byte for byte (and names a divergence); a live session killed with SIGKILL
//! at random moments and resumed ends with the journal of an uninterrupted run of the same
//! orders; a fork equals its base before the fork point.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use crate::support::{bin, drillsim, ok, text};

const SEEDS: [&str; 4] = ["demo-county", "levee-breach-0621", "derailment-0523", "acid-spill-0929"];

#[test]
fn replay_gives_the_journal_of_every_seed_scenario() {
    let dir = tempfile::tempdir().unwrap();
    for s in SEEDS {
        let out = dir.path().join(s);
        let out = out.to_str().unwrap();
        let r = drillsim(&[
            "run",
            &format!("scenarios/{s}.ron"),
            "--orders",
            &format!("scenarios/orders/{s}.ron"),
            "--seed",
            "11",
            "--out",
            out,
        ]);
        ok(&r, s);
        let p = drillsim(&["replay", out]);
        ok(&p, &format!("replay {s}"));
        assert!(text(&p.stdout).contains("the same byte for byte"), "{}", text(&p.stdout));
        // Seek half-way: only the entries up to then are re-run and checked.
        let p = drillsim(&["replay", out, "--to", "+10h"]);
        ok(&p, &format!("replay {s} --to +10h"));
        assert!(text(&p.stdout).contains("State at +10h"), "{}", text(&p.stdout));
    }
}

#[test]
fn replay_of_an_auto_plan_run_and_a_changed_journal() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("auto");
    let out = out.to_str().unwrap();
    ok(&drillsim(&["run", "scenarios/derailment-0523.ron", "--auto-plan", "--auto-delay", "3m", "--out", out]), "run");
    ok(&drillsim(&["replay", out]), "replay auto-plan");
    // Change one entry: replay names the line and exits 1.
    let path = Path::new(out).join("journal.jsonl");
    let j = std::fs::read_to_string(&path).unwrap();
    let mut lines: Vec<String> = j.lines().map(String::from).collect();
    lines[20] = lines[20].replacen("\"seq\":20,", "\"seq\":20,\"x\":1,", 1);
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    let p = drillsim(&["replay", out]);
    assert_eq!(p.status.code(), Some(1), "{}", text(&p.stderr));
    assert!(text(&p.stderr).contains("line 21 (seq 20"), "{}", text(&p.stderr));
}

/// A tiny deterministic generator for the kill points (the test must be repeatable).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn range_ms(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo)
    }
}

type Lines = std::thread::JoinHandle<Vec<String>>;

/// Starts `drillsim ARGS` with piped stdin/stdout/stderr; threads collect the lines.
fn spawn(args: &[&str]) -> (Child, Lines, Lines) {
    let mut child =
        bin().args(args).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("spawns");
    let stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || BufReader::new(stdout).lines().map_while(Result::ok).collect());
    let stderr = child.stderr.take().unwrap();
    let errs = std::thread::spawn(move || BufReader::new(stderr).lines().map_while(Result::ok).collect());
    (child, reader, errs)
}

/// Feeds `lines` a few at a time; kills the child after `kill_after` (None: let it finish).
/// Returns the answers it printed.
fn session(args: &[&str], lines: &[String], gap: Duration, kill_after: Option<Duration>) -> Vec<String> {
    let (mut child, reader, errs) = spawn(args);
    let t0 = Instant::now();
    let mut stdin = child.stdin.take().unwrap();
    let mut killed = false;
    for l in lines {
        if kill_after.is_some_and(|k| t0.elapsed() >= k) {
            break;
        }
        if writeln!(stdin, "{l}").is_err() {
            break;
        }
        std::thread::sleep(gap);
    }
    drop(stdin);
    if let Some(k) = kill_after {
        std::thread::sleep(k.saturating_sub(t0.elapsed()));
        let _ = child.kill(); // SIGKILL on unix
        killed = true;
    }
    // A generous limit so that a hang fails the test instead of blocking CI.
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("drillsim {args:?} did not end within 120 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let status = child.wait().unwrap();
    let errs = errs.join().unwrap();
    assert!(killed || status.success(), "drillsim {args:?} failed: {status:?}\n{}", errs.join("\n"));
    reader.join().unwrap()
}

#[test]
fn a_killed_live_session_resumes_to_the_journal_of_an_uninterrupted_run() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("live");
    let out_s = out.to_str().unwrap();
    // The demo runs 12 h; at 20,000× real time a session lasts about 2 s of wall time.
    let orders = [
        r#"(by: "ofc", order: SetLevel(IV))"#,
        r#"(by: "ofc", order: Log("duty staff raised to three"))"#,
        r#"(at: "+3h25m", by: "water", order: Dispatch(team: "t_levee_eng", to: "lp_shawan", task: breach_closure))"#,
        r#"(by: "control", order: Pause)"#,
        r#"(by: "ofc", order: Report(kind: phone, to: "city", figures: (dead: 0)))"#,
        r#"(by: "control", order: Resume)"#,
        r#"(by: "ofc", order: SetLevel(III))"#,
        r#"(by: "police", order: SetLevel(I))"#,
        r#"(by: "fire", order: Dispatch(team: "t_fire_boat", to: "v_shawan", task: boat_evacuation))"#,
        r#"(by: "ofc", order: Log("mayor's instructions passed on"))"#,
        r#"(by: "control", order: Resume)"#,
    ];
    // Other kill points: DRILLSIM_CRASH_SEED=n cargo test --test replay killed
    let seed = std::env::var("DRILLSIM_CRASH_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(0x5eed_d811);
    let mut rng = Lcg(seed);
    let mut acknowledged: Vec<String> = Vec::new();
    let mut next = 0;
    for round in 0..4 {
        // Each session gets the next few orders; every session but the last is killed.
        let take = (next + 3).min(orders.len());
        let mut feed: Vec<String> = orders[next..take].iter().map(|s| s.to_string()).collect();
        next = take;
        feed.push(r#"(by: "control", order: Resume)"#.into()); // harmless when not paused
        let last = round == 3;
        let kill = (!last).then(|| Duration::from_millis(rng.range_ms(150, 1400)));
        let args: Vec<&str> = if round == 0 {
            vec!["live", "scenarios/demo-county.ron", "--speed", "20000", "--out", out_s]
        } else {
            vec!["resume", out_s]
        };
        let said = session(&args, &feed, Duration::from_millis(60), kill);
        acknowledged.extend(said.into_iter().filter(|l| l.starts_with("accepted") || l.starts_with("refused")));
    }
    // The session ended: the journal is complete and replays.
    let journal = std::fs::read_to_string(out.join("journal.jsonl")).unwrap();
    assert!(journal.lines().last().unwrap().contains("\"kind\":\"run_ended\""), "no run_ended");
    ok(&drillsim(&["replay", out_s]), "replay of the resumed session");
    // Every answered order is in the durable log, with its number.
    let log = std::fs::read_to_string(out.join("orders.log")).unwrap();
    assert!(!acknowledged.is_empty(), "no order was answered");
    for a in &acknowledged {
        let tag = a.split('#').nth(1).unwrap().split(' ').next().unwrap();
        assert!(log.contains(&format!("\"tag\":{tag},")), "answered order #{tag} missing from orders.log:\n{log}");
    }
    // An uninterrupted run with the same orders at the same times gives the same journal (the
    // first line names the order file, so it is left out).
    let run_out = dir.path().join("run");
    let orders_ron = out.join("orders.ron");
    ok(
        &drillsim(&[
            "run",
            "scenarios/demo-county.ron",
            "--orders",
            orders_ron.to_str().unwrap(),
            "--out",
            run_out.to_str().unwrap(),
        ]),
        "run of the recorded orders",
    );
    let uninterrupted = std::fs::read_to_string(run_out.join("journal.jsonl")).unwrap();
    let tail = |s: &str| s.lines().skip(1).map(String::from).collect::<Vec<_>>();
    assert_eq!(tail(&journal), tail(&uninterrupted), "the resumed session differs from an uninterrupted run");
    assert!(journal.contains("\"kind\":\"exercise_paused\""), "the pause was not played");
}

#[test]
fn resume_refuses_a_journal_that_does_not_follow_from_the_log() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("live");
    let out_s = out.to_str().unwrap();
    let feed = vec![r#"(by: "ofc", order: SetLevel(IV))"#.to_string()];
    session(
        &["live", "scenarios/demo-county.ron", "--speed", "20000", "--out", out_s],
        &feed,
        Duration::ZERO,
        Some(Duration::from_millis(700)),
    );
    let path = out.join("journal.jsonl");
    let j = std::fs::read_to_string(&path).unwrap();
    if j.lines().last().is_some_and(|l| l.contains("run_ended")) {
        return; // the machine was fast enough to finish: nothing to resume
    }
    let changed = j.replacen("\"kind\":\"run_started\"", "\"kind\":\"run_started\",\"x\":1", 1);
    std::fs::write(&path, changed).unwrap();
    let r = drillsim(&["resume", out_s]);
    assert_eq!(r.status.code(), Some(1), "{}", text(&r.stderr));
    assert!(text(&r.stderr).contains("line 1"), "{}", text(&r.stderr));
    // A new live session into the same folder is refused while the session is unfinished.
    let r = drillsim(&["live", "scenarios/demo-county.ron", "--out", out_s]);
    assert_eq!(r.status.code(), Some(2), "{}", text(&r.stderr));
}

#[test]
fn a_fork_equals_its_base_before_the_fork_point_and_differs_after() {
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().join("base");
    let fork = dir.path().join("fork");
    let (base_s, fork_s) = (base.to_str().unwrap(), fork.to_str().unwrap());
    ok(
        &drillsim(&[
            "run",
            "scenarios/levee-breach-0621.ron",
            "--orders",
            "scenarios/orders/levee-breach-0621.ron",
            "--out",
            base_s,
        ]),
        "base run",
    );
    // What if the villages had been evacuated two hours earlier (the recorded orders kept)?
    let alt = dir.path().join("alt.ron");
    std::fs::write(&alt, ALT).unwrap();
    let f = drillsim(&[
        "fork",
        base_s,
        "--at",
        "2010-06-21T16:50",
        "--orders",
        alt.to_str().unwrap(),
        "--keep",
        "--out",
        fork_s,
    ]);
    ok(&f, "fork");
    let side: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(fork.join("fork.json")).unwrap()).unwrap();
    let at = side["at"].as_u64().unwrap();
    let read = |p: &Path| -> Vec<serde_json::Value> {
        std::fs::read_to_string(p.join("journal.jsonl"))
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    };
    let (a, b) = (read(&base), read(&fork));
    let before =
        |j: &[serde_json::Value]| j.iter().filter(|e| e["t"].as_u64().unwrap() < at).cloned().collect::<Vec<_>>();
    assert_eq!(before(&a), before(&b), "the fork differs before its fork point");
    assert!(!before(&a).is_empty());
    let after =
        |j: &[serde_json::Value]| j.iter().filter(|e| e["t"].as_u64().unwrap() >= at).cloned().collect::<Vec<_>>();
    assert_ne!(after(&a), after(&b), "the alternative changed nothing");
    // The fork replays, and compare shows both.
    ok(&drillsim(&["replay", fork_s]), "replay of the fork");
    let c = drillsim(&["compare", base_s, fork_s, "--json"]);
    ok(&c, "compare");
    let v: serde_json::Value = serde_json::from_slice(&c.stdout).unwrap();
    let t = v["first_difference_t"].as_u64().expect("the runs differ");
    assert!(t >= at, "first difference at {t}, before the fork point {at}");
    assert!(v["outcomes"].as_array().unwrap().iter().any(|r| r["key"] == "flood_deaths"));
    // An alternative order before the fork point is refused.
    let early = dir.path().join("early.ron");
    std::fs::write(&early, r#"Orders(orders: [(at: "+1h", by: "ofc", order: Log("too early"))])"#).unwrap();
    let r = drillsim(&["fork", base_s, "--at", "+30h", "--orders", early.to_str().unwrap(), "--out", fork_s]);
    assert_eq!(r.status.code(), Some(2), "{}", text(&r.stderr));
}

const ALT: &str = r#"Orders(orders: [
    (at: "2010-06-21T16:50", by: "tw_luozhen",  order: Evacuate(from: "fz_luozhen", to: "sh_g316")),
    (at: "2010-06-21T16:50", by: "tw_changkai", order: Evacuate(from: "fz_changkai", to: "sh_jinchao")),
])"#;

#[test]
fn a_killed_auto_plan_session_resumes_and_replays() {
    // The plan-follower's orders are not logged: resume and replay derive them again.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("auto");
    let out_s = out.to_str().unwrap();
    let args = [
        "live",
        "scenarios/demo-county.ron",
        "--auto-plan",
        "--auto-seats",
        "water,civil",
        "--speed",
        "20000",
        "--out",
        out_s,
    ];
    let feed = vec![r#"(by: "ofc", order: SetLevel(IV))"#.to_string(), r#"(by: "ofc", order: Log("x"))"#.to_string()];
    session(&args, &feed, Duration::from_millis(200), Some(Duration::from_millis(900)));
    let feed = vec![r#"(by: "ofc", order: Log("after the crash"))"#.to_string()];
    session(&["resume", out_s], &feed, Duration::from_millis(50), None);
    let journal = std::fs::read_to_string(out.join("journal.jsonl")).unwrap();
    assert!(journal.contains("after the crash") && journal.lines().last().unwrap().contains("run_ended"));
    assert!(journal.contains("\"kind\":\"plan_action_done\""), "the plan-follower did nothing");
    ok(&drillsim(&["replay", out_s]), "replay of the resumed auto-plan session");
}
