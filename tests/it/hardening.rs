//! Nothing lost, nothing unreadable (issue 15), end to end on the `drillsim` binary: hostile
//! numbers and times refused where they are read, torn and foreign bytes, one drillsim per output
//! folder, live sessions never written over, atomic records completed by `resume`, bounded and
//! placed error messages, and the folder keeping the inputs a run used.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Output, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::Duration;

use crate::support::{DEMO, DEMO_ORDERS, bin, drillsim, text};

fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// A `drillsim live` (or `resume`) session on pipes: lines in, answers out.
struct Session {
    child: Child,
    stdin: Option<ChildStdin>,
    answers: Receiver<String>,
}

impl Session {
    fn start(args: &[&str]) -> Session {
        let mut child =
            bin().args(args).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::null()).spawn().unwrap();
        let stdin = child.stdin.take();
        let out = child.stdout.take().unwrap();
        let (tx, answers) = channel();
        std::thread::spawn(move || {
            for l in BufReader::new(out).lines().map_while(Result::ok) {
                if tx.send(l).is_err() {
                    break;
                }
            }
        });
        Session { child, stdin, answers }
    }

    fn live(out: &Path) -> Session {
        Session::start(&["live", DEMO, "--speed", "1", "--paused", "--seed", "5", "--out", s(out)])
    }

    fn send(&mut self, bytes: &[u8]) {
        let w = self.stdin.as_mut().unwrap();
        w.write_all(bytes).unwrap();
        w.write_all(b"\n").unwrap();
        w.flush().unwrap();
    }

    /// The next answer (fails after 60 s).
    fn answer(&self) -> String {
        self.answers.recv_timeout(Duration::from_secs(60)).expect("an answer within 60 s")
    }

    fn ask(&mut self, line: &str) -> String {
        self.send(line.as_bytes());
        self.answer()
    }

    fn kill(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    /// Closes input and waits for the end (a paused session ends when its input closes).
    fn finish(mut self) -> i32 {
        drop(self.stdin.take());
        for _ in 0..1200 {
            if let Some(st) = self.child.try_wait().unwrap() {
                return st.code().unwrap_or(-1);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        self.child.kill().unwrap();
        panic!("the session did not end within 60 s");
    }
}

fn orders_file(dir: &Path, lines: &[&str]) -> String {
    let p = dir.join("orders.ron");
    std::fs::write(&p, format!("Orders(orders: [\n{}\n])\n", lines.join(",\n"))).unwrap();
    p.to_str().unwrap().to_string()
}

// ---- 1. non-finite numbers and out-of-range times are refused where they are read

#[test]
fn order_files_with_non_finite_numbers_or_huge_times_are_refused_at_their_line() {
    let dir = tempfile::tempdir().unwrap();
    for (bad, want) in [
        (r#"(at: "+1h", by: "control", order: Speed(NaN))"#, "finite"),
        (r#"(at: "+1h", by: "control", order: Speed(1e309))"#, "finite"),
        (
            r#"(at: "+1h", by: "civil", order: DeliverSupplies(from: "dp_flood", to: "sh_school", item: "sandbags", quantity: NaN))"#,
            "finite",
        ),
        (r#"(at: "+18446744073709551615s", by: "ofc", order: Log("x"))"#, "too long"),
        (r#"(at: "+1h", by: "control", order: Retime("+9223372036854775808s"))"#, "too long"),
    ] {
        let f = orders_file(dir.path(), &[r#"(at: "+10m", by: "ofc", order: Log("ok"))"#, bad]);
        let out = dir.path().join("out");
        let o = drillsim(&["run", DEMO, "--orders", &f, "--out", s(&out), "--until", "+1h"]);
        let err = text(&o.stderr);
        assert_eq!(code(&o), 2, "{bad}: {err}");
        assert!(err.contains(want), "{bad}: {err}");
        assert!(err.contains("orders.ron:3:"), "the problem is placed on its line: {err}");
        assert!(!out.exists(), "nothing is created for a bad input");
    }
}

#[test]
fn live_lines_with_non_finite_numbers_or_huge_times_are_invalid_and_the_records_stay_readable() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("live");
    let mut l = Session::live(&out);
    for bad in [
        r#"(by: "control", order: Speed(NaN))"#,
        r#"(by: "control", order: Speed(1e309))"#,
        r#"{"by": "control", "order": {"Speed": 1e309}}"#,
        r#"(by: "civil", order: DeliverSupplies(from: "dp_flood", to: "sh_school", item: "sandbags", quantity: inf))"#,
        r#"(at: "+18446744073709551615s", by: "ofc", order: Log("wrapped"))"#,
    ] {
        let a = l.ask(bad);
        assert!(a.starts_with("invalid #"), "{bad}: {a}");
    }
    let a = l.ask(r#"(by: "ofc", order: Log("fine"))"#);
    assert!(a.starts_with("accepted #6"), "{a}");
    l.kill();
    // the crashed session resumes: its log and journal are readable
    let o = bin().args(["resume", s(&out)]).stdin(Stdio::null()).output().unwrap();
    assert_eq!(code(&o), 0, "{}", text(&o.stderr));
    let journal = std::fs::read_to_string(out.join("journal.jsonl")).unwrap();
    for line in journal.lines().filter(|l| l.contains("\"kind\":\"order_")) {
        assert!(!line.contains("null") && !line.contains("+-"), "{line}");
    }
    assert!(!journal.contains("wrapped"));
    let o = drillsim(&["replay", s(&out)]);
    assert_eq!(code(&o), 0, "{}", text(&o.stderr));
}

// ---- 2, 8, 9, 10: torn UTF-8, foreign bytes, times outside the clock, unique answer numbers

#[test]
fn live_answers_bad_bytes_and_bad_times_and_numbers_stay_unique_over_a_resume_after_a_torn_line() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("live");
    let mut l = Session::live(&out);
    // GBK bytes for 测试: not UTF-8. The line is answered and input goes on.
    l.send(b"(by: \"ofc\", order: Log(\"\xb2\xe2\xca\xd4\"))");
    let a = l.answer();
    assert!(a.starts_with("invalid #1: not UTF-8"), "{a}");
    let a = l.ask(r#"(at: "+13h", by: "ofc", order: Log("late"))"#);
    assert!(a.starts_with("invalid #2") && a.contains("after the scenario's end"), "{a}");
    let a = l.ask(r#"(by: "ofc", order: Log("水位上涨"))"#);
    assert!(a.starts_with("accepted #3"), "{a}");
    let a = l.ask("(by: \"control\", order: Resume)");
    assert!(a.starts_with("accepted #4"), "{a}");
    // wait until the clock has moved past +2m (1 simulated minute a second... speed 1: use Speed)
    let a = l.ask("(by: \"control\", order: Speed(3600.0))");
    assert!(a.starts_with("accepted #5"), "{a}");
    std::thread::sleep(Duration::from_millis(1500));
    let a = l.ask(r#"(at: "+1m", by: "ofc", order: Log("past"))"#);
    assert!(a.starts_with("invalid #6") && a.contains("has passed"), "{a}");
    let a = l.ask("(by: \"control\", order: Pause)");
    assert!(a.starts_with("accepted #7"), "{a}");
    l.kill();
    // A power cut while an order was written: its line is cut inside a UTF-8 character.
    let mut log = std::fs::OpenOptions::new().append(true).open(out.join("orders.log")).unwrap();
    let torn = "{\"order\":{\"tag\":8,\"queued_at\":0,\"t\":0,\"by\":\"ofc\",\"order\":{\"Log\":\"水";
    log.write_all(&torn.as_bytes()[..torn.len() - 2]).unwrap();
    drop(log);
    let mut r = Session::start(&["resume", s(&out)]);
    let a = r.ask(r#"(by: "ofc", order: Log("after the resume"))"#);
    assert!(a.starts_with("accepted #8"), "numbers go on after every answer given, invalid ones too: {a}");
    assert_eq!(r.finish(), 0);
    let log = std::fs::read(out.join("orders.log")).unwrap();
    assert!(String::from_utf8(log).is_ok(), "the torn line was cut away");
}

#[test]
fn a_megabyte_line_gets_a_short_answer() {
    let dir = tempfile::tempdir().unwrap();
    let mut l = Session::live(&dir.path().join("live"));
    let big = format!("(by: \"ofc\", order: Log({}))", "x".repeat(1 << 20));
    let a = l.ask(&big);
    assert!(a.starts_with("invalid #1") && a.len() < 1_000, "{} bytes", a.len());
    let big = format!("(by: \"{}\", order: Log(\"x\"))", "y".repeat(1 << 20));
    let a = l.ask(&big);
    assert!(a.starts_with("invalid #2") && a.len() < 1_000, "{} bytes", a.len());
    assert_eq!(l.finish(), 0);
}

// ---- 3. one drillsim per folder; a live session's records are never written over

#[test]
fn a_running_session_locks_its_folder_and_a_crashed_one_is_not_written_over() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("live");
    let mut l = Session::live(&out);
    assert!(l.ask(r#"(by: "ofc", order: Log("one"))"#).starts_with("accepted #1"));
    let journal_before = std::fs::read(out.join("journal.jsonl")).unwrap();
    for args in [
        vec!["run", DEMO, "--out", s(&out)],
        vec!["resume", s(&out)],
        vec!["live", DEMO, "--out", s(&out), "--force"],
        vec!["run", DEMO, "--out", s(&out), "--force"],
    ] {
        let o = bin().args(&args).stdin(Stdio::null()).output().unwrap();
        let err = text(&o.stderr);
        assert_eq!(code(&o), 2, "{args:?}: {err}");
        assert!(err.contains("in use by another drillsim") || err.contains("still running"), "{args:?}: {err}");
    }
    assert_eq!(std::fs::read(out.join("journal.jsonl")).unwrap(), journal_before, "nothing was touched");
    l.kill();
    // crashed: `run` and `live` refuse, and say how to carry on
    for args in [vec!["run", DEMO, "--out", s(&out)], vec!["live", DEMO, "--out", s(&out)]] {
        let o = bin().args(&args).stdin(Stdio::null()).output().unwrap();
        let err = text(&o.stderr);
        assert_eq!(code(&o), 2, "{args:?}: {err}");
        assert!(err.contains("drillsim resume") && err.contains("--force"), "{err}");
    }
    let o = bin().args(["resume", s(&out)]).stdin(Stdio::null()).output().unwrap();
    assert_eq!(code(&o), 0, "{}", text(&o.stderr));
    // finished: still protected, and --force replaces it
    let o = bin().args(["live", DEMO, "--paused", "--out", s(&out)]).stdin(Stdio::null()).output().unwrap();
    assert_eq!(code(&o), 2, "{}", text(&o.stderr));
    assert!(text(&o.stderr).contains("--force"));
    std::fs::write(out.join("report.md"), "an old report").unwrap();
    let o = drillsim(&["run", DEMO, "--out", s(&out), "--force", "--until", "+1h"]);
    assert_eq!(code(&o), 0, "{}", text(&o.stderr));
    assert!(!out.join("orders.log").exists() && !out.join("report.md").exists(), "stale records removed");
}

#[test]
fn two_runs_into_one_folder_one_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    let spawn = || {
        bin()
            .args(["run", "scenarios/levee-breach-0621.ron", "--out", s(&out), "--threads", "1"])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let a = spawn();
    // the first holds the folder from before its journal exists
    for _ in 0..600 {
        if out.join("journal.jsonl").exists() {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let b = spawn().wait_with_output().unwrap();
    let a = a.wait_with_output().unwrap();
    let codes = [code(&a), code(&b)];
    if codes == [0, 0] {
        // the first was done before the second started: the second replaced it, both whole
        return;
    }
    assert_eq!(codes, [0, 2], "{} / {}", text(&a.stderr), text(&b.stderr));
    assert!(text(&b.stderr).contains("in use by another drillsim"));
    let o = drillsim(&["replay", s(&out)]);
    assert_eq!(code(&o), 0, "the journal is whole: {}", text(&o.stderr));
}

// ---- 4. atomic records; resume completes a session whose last records are missing

#[test]
fn resume_writes_the_records_a_crash_after_run_ended_left_missing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("live");
    let mut l = Session::live(&out);
    assert!(l.ask(r#"(by: "ofc", order: SetLevel(IV))"#).starts_with("accepted #1"));
    assert_eq!(l.finish(), 0);
    let orders = std::fs::read(out.join("orders.ron")).unwrap();
    let summary = std::fs::read(out.join("summary.json")).unwrap();
    std::fs::remove_file(out.join("orders.ron")).unwrap();
    std::fs::remove_file(out.join("summary.json")).unwrap();
    let o = bin().args(["resume", s(&out)]).stdin(Stdio::null()).output().unwrap();
    assert_eq!(code(&o), 0, "{}", text(&o.stderr));
    assert_eq!(std::fs::read(out.join("orders.ron")).unwrap(), orders);
    assert_eq!(std::fs::read(out.join("summary.json")).unwrap(), summary);
    let leftovers: Vec<_> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn a_power_cut_that_lost_the_journal_or_tore_it_anywhere_is_resumed_from_the_order_log() {
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().join("live");
    let mut l = Session::live(&base);
    assert!(l.ask(r#"(by: "ofc", order: SetLevel(IV))"#).starts_with("accepted #1"));
    assert!(l.ask(r#"(by: "ofc", order: Log("水位上涨"))"#).starts_with("accepted #2"));
    l.kill();
    let journal = std::fs::read(base.join("journal.jsonl")).unwrap();
    for cut in [None, Some(0), Some(journal.len() / 3), Some(journal.len() - 5)] {
        let out = dir.path().join(format!("cut-{cut:?}"));
        std::fs::create_dir_all(&out).unwrap();
        for name in ["orders.log", "scenario.ron"] {
            std::fs::copy(base.join(name), out.join(name)).unwrap();
        }
        if let Some(c) = cut {
            std::fs::write(out.join("journal.jsonl"), &journal[..c]).unwrap();
        }
        let o = bin().args(["resume", s(&out)]).stdin(Stdio::null()).output().unwrap();
        assert_eq!(code(&o), 0, "{cut:?}: {}", text(&o.stderr));
        let j = std::fs::read_to_string(out.join("journal.jsonl")).unwrap();
        assert!(j.contains("水位上涨") && j.contains("\"kind\":\"run_ended\""), "{cut:?}");
        assert_eq!(code(&drillsim(&["replay", s(&out)])), 0, "{cut:?}");
    }
}

#[test]
fn resume_writes_the_summary_and_score_of_a_run_killed_after_run_ended() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    assert_eq!(code(&drillsim(&["run", DEMO, "--orders", DEMO_ORDERS, "--out", s(&out)])), 0);
    let summary = std::fs::read(out.join("summary.json")).unwrap();
    let score = std::fs::read(out.join("score.json")).unwrap();
    std::fs::remove_file(out.join("summary.json")).unwrap();
    std::fs::remove_file(out.join("score.json")).unwrap();
    let o = drillsim(&["resume", s(&out)]);
    assert_eq!(code(&o), 0, "{}", text(&o.stderr));
    assert_eq!(std::fs::read(out.join("summary.json")).unwrap(), summary);
    assert_eq!(std::fs::read(out.join("score.json")).unwrap(), score);
}

// ---- 5, 11, 12, 13: errors placed and bounded

#[test]
fn a_problem_past_column_65535_is_shown_without_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let sc = std::fs::read_to_string(DEMO).unwrap();
    assert!(sc.contains("        step: \"1m\","));
    let long = sc.replacen("        step: \"1m\",", &format!("{}step: \"1x\",", " ".repeat(70_000)), 1);
    let p = dir.path().join("long.ron");
    std::fs::write(&p, long).unwrap();
    let o = drillsim(&["validate", s(&p)]);
    assert_eq!(code(&o), 2, "{}", text(&o.stderr));
    assert!(text(&o.stderr).contains("long.ron:45:70007"), "{}", text(&o.stderr));
    assert!(o.stderr.len() < 20_000);
    let f = dir.path().join("orders.ron");
    std::fs::write(
        &f,
        format!("Orders(orders: [{}(at: \"+1h\", by: \"nobody\", order: Log(\"x\"))])", " ".repeat(70_000)),
    )
    .unwrap();
    let o = drillsim(&["validate", DEMO, "--orders", s(&f)]);
    assert_eq!(code(&o), 2, "{}", text(&o.stderr));
    assert!(text(&o.stderr).contains("unknown agency"), "{}", text(&o.stderr));
    assert!(o.stderr.len() < 20_000);
}

#[test]
fn a_large_garbage_scenario_gets_a_short_message() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("garbage.ron");
    std::fs::write(&p, "Scenario(".to_string() + &"a".repeat(5 << 20)).unwrap();
    let o = drillsim(&["validate", s(&p)]);
    assert_eq!(code(&o), 2);
    assert!(o.stderr.len() < 20_000, "{} bytes", o.stderr.len());
}

#[test]
fn a_non_utf8_order_file_is_placed_at_its_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("gbk.ron");
    // GBK bytes for 测试 (not UTF-8)
    std::fs::write(&f, b"Orders(orders: [\n  (at: \"+1h\", by: \"ofc\", order: Log(\"\xb2\xe2\xca\xd4\")),\n])\n")
        .unwrap();
    let o = drillsim(&["run", DEMO, "--orders", s(&f), "--out", s(&dir.path().join("o"))]);
    let err = text(&o.stderr);
    assert_eq!(code(&o), 2, "{err}");
    assert!(err.contains("gbk.ron:2:38") && err.contains("not valid UTF-8"), "{err}");
}

// ---- 6, 16: ranges and bounds

#[test]
fn extreme_physical_values_and_durations_are_refused_by_validate() {
    let dir = tempfile::tempdir().unwrap();
    let sc = std::fs::read_to_string(DEMO).unwrap();
    for (from, to, want) in [
        ("area_km2: 6.0", "area_km2: 1e308", "zone area must be from 0.01 to 10000 km², found 1e308"),
        ("duration: \"12h\"", "duration: \"999999999999h\"", "too long"),
        ("duration: \"12h\"", "duration: \"400d\"", "longer than a year"),
    ] {
        assert!(sc.contains(from));
        let p = dir.path().join("x.ron");
        std::fs::write(&p, sc.replacen(from, to, 1)).unwrap();
        let o = drillsim(&["validate", "--short", s(&p)]);
        assert_eq!(code(&o), 2, "{to}: {}", text(&o.stdout));
        assert!(text(&o.stderr).contains(want), "{to}: {}", text(&o.stderr));
    }
}

// ---- 7, 15: arguments checked before any folder is made

#[test]
fn bad_arguments_exit_2_and_create_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("never");
    let o = drillsim(&["run", DEMO, "--threads", "30000", "--out", s(&out)]);
    assert_eq!(code(&o), 2, "{}", text(&o.stderr));
    assert!(!out.exists());
    let o = drillsim(&["run", DEMO, "--until", "+13h", "--out", s(&out)]);
    assert_eq!(code(&o), 2);
    assert!(!out.exists());
    let file = dir.path().join("a-file");
    std::fs::write(&file, "").unwrap();
    for args in [vec!["run", DEMO, "--out", s(&file)], vec!["live", DEMO, "--out", s(&file)]] {
        let o = bin().args(&args).stdin(Stdio::null()).output().unwrap();
        assert_eq!(code(&o), 2, "{args:?}: {}", text(&o.stderr));
        assert!(text(&o.stderr).contains("not a folder"), "{}", text(&o.stderr));
    }
}

// ---- 14: an incomplete journal is said to be incomplete

#[test]
fn score_and_report_of_a_journal_without_run_ended_say_it_is_incomplete() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    assert_eq!(code(&drillsim(&["run", DEMO, "--out", s(&out)])), 0);
    let j = std::fs::read_to_string(out.join("journal.jsonl")).unwrap();
    let lines: Vec<&str> = j.lines().collect();
    std::fs::write(out.join("journal.jsonl"), lines[..lines.len() / 2].join("\n") + "\n").unwrap();
    std::fs::remove_file(out.join("score.json")).unwrap();
    let o = drillsim(&["score", DEMO, s(&out.join("journal.jsonl"))]);
    assert_eq!(code(&o), 0, "{}", text(&o.stderr));
    assert!(text(&o.stderr).contains("incomplete"), "{}", text(&o.stderr));
    let o = drillsim(&["report", s(&out), "--lang", "en"]);
    assert_eq!(code(&o), 0, "{}", text(&o.stderr));
    assert!(text(&o.stderr).contains("incomplete"));
    assert!(std::fs::read_to_string(out.join("report.en.md")).unwrap().contains("INCOMPLETE RUN"));
    assert!(std::fs::read_to_string(out.join("report.en.html")).unwrap().contains("INCOMPLETE RUN"));
    // a whole run is not marked
    let o = drillsim(&["run", DEMO, "--out", s(&out)]);
    assert_eq!(code(&o), 0);
    let o = drillsim(&["report", s(&out), "--lang", "en"]);
    assert!(!text(&o.stderr).contains("incomplete"));
    assert!(!std::fs::read_to_string(out.join("report.en.md")).unwrap().contains("INCOMPLETE RUN"));
}

// ---- 17: the run folder keeps the inputs it used

#[test]
fn a_run_folder_keeps_its_scenario_and_orders_and_says_what_changed() {
    let dir = tempfile::tempdir().unwrap();
    let sc = dir.path().join("demo.ron");
    let orders = dir.path().join("orders.ron");
    std::fs::copy(DEMO, &sc).unwrap();
    std::fs::copy(DEMO_ORDERS, &orders).unwrap();
    let out = dir.path().join("run");
    let o = drillsim(&["run", s(&sc), "--orders", s(&orders), "--out", s(&out)]);
    assert_eq!(code(&o), 0, "{}", text(&o.stderr));
    // the files change after the exercise
    let edited = std::fs::read_to_string(&sc).unwrap().replacen("(", "// a comment added later\n(", 1);
    std::fs::write(&sc, &edited).unwrap();
    std::fs::write(&orders, std::fs::read_to_string(&orders).unwrap() + "// and here\n").unwrap();
    for args in [vec!["report", s(&out), "--lang", "en"], vec!["replay", s(&out)]] {
        let o = drillsim(&args);
        assert_eq!(code(&o), 0, "{args:?}: {}", text(&o.stderr));
    }
    let o = drillsim(&["report", s(&out), "--scenario", s(&sc)]);
    let err = text(&o.stderr);
    assert_eq!(code(&o), 2, "{err}");
    assert!(err.contains("was added: `// a comment added later`") || err.contains("a comment added later"), "{err}");
    std::fs::remove_file(&sc).unwrap();
    std::fs::remove_file(&orders).unwrap();
    let o = drillsim(&["replay", s(&out)]);
    assert_eq!(code(&o), 0, "the copies are enough: {}", text(&o.stderr));
}

// ---- 18: validate checks order files; live's help names only its own options

#[test]
fn validate_checks_an_order_file_against_its_scenario() {
    let o = drillsim(&["validate", DEMO, "--orders", DEMO_ORDERS]);
    assert_eq!(code(&o), 0, "{}", text(&o.stderr));
    assert!(text(&o.stdout).contains("orders for"), "{}", text(&o.stdout));
    let dir = tempfile::tempdir().unwrap();
    let f = orders_file(
        dir.path(),
        &[r#"(at: "+1h", by: "ofc", order: Dispatch(team: "no_such_team", to: "x", task: rescue))"#],
    );
    let o = drillsim(&["validate", "--short", DEMO, "--orders", &f]);
    assert_eq!(code(&o), 2);
    assert!(
        text(&o.stderr).contains("orders.ron:2:") && text(&o.stderr).contains("no_such_team"),
        "{}",
        text(&o.stderr)
    );
    let o = drillsim(&["live", "--help"]);
    assert!(!text(&o.stdout).contains("--orders"), "{}", text(&o.stdout));
}
