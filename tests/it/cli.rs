//! End to end: the `drillsim` binary on shipped scenarios, the way a user runs it.

use std::path::Path;

use crate::support::{drillsim, text};

#[test]
fn every_shipped_scenario_validates_and_runs() {
    let mut files: Vec<_> = std::fs::read_dir("scenarios")
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "ron"))
        .collect();
    files.sort();
    let dir = tempfile::tempdir().unwrap();
    for f in &files {
        let f = f.to_str().unwrap();
        let v = drillsim(&["validate", f]);
        assert!(v.status.success(), "validate {f}:\n{}", text(&v.stderr));
        let out = dir.path().join(Path::new(f).file_stem().unwrap());
        let r = drillsim(&["run", f, "--out", out.to_str().unwrap()]);
        assert!(r.status.success(), "run {f}:\n{}{}", text(&r.stdout), text(&r.stderr));
        let stdout = text(&r.stdout);
        assert!(stdout.contains("journal:") && stdout.contains("simulated"), "{stdout}");
        let journal = std::fs::read_to_string(out.join("journal.jsonl")).unwrap();
        let first = journal.lines().next().unwrap();
        assert!(first.contains("\"kind\":\"run_started\"") && first.contains("\"scenario_sha256\""), "{first}");
        assert!(journal.lines().last().unwrap().contains("\"kind\":\"run_ended\""));
        let summary: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
        assert_eq!(summary["completed"], true);
        assert_eq!(summary["entries"].as_u64().unwrap() as usize, journal.lines().count());
    }
}

#[test]
fn a_run_with_orders_journals_acceptances_and_refusals() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap();
    let r = drillsim(&[
        "run",
        "scenarios/demo-county.ron",
        "--orders",
        "scenarios/orders/demo-county.ron",
        "--seed",
        "9",
        "--out",
        out,
    ]);
    assert!(r.status.success(), "{}", text(&r.stderr));
    let j = std::fs::read_to_string(dir.path().join("journal.jsonl")).unwrap();
    assert!(j.lines().next().unwrap().contains("\"seed\":9"));
    assert!(j.contains("\"kind\":\"order_refused\"") && j.contains("belongs to \\\"police\\\""));
    assert!(j.contains("\"kind\":\"report_sent\""));
    assert!(j.contains("\"kind\":\"team_arrived\""));
    assert!(j.contains("\"orders_sha256\":\""));
}

#[test]
fn until_stops_early_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let r = drillsim(&["run", "scenarios/demo-county.ron", "--until", "+2h", "--out", dir.path().to_str().unwrap()]);
    assert!(r.status.success());
    assert!(text(&r.stdout).contains("simulated 2h"), "{}", text(&r.stdout));
    let bad = drillsim(&["run", "scenarios/demo-county.ron", "--until", "+30d"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(text(&bad.stderr).contains("outside the scenario"), "{}", text(&bad.stderr));
}

#[test]
fn a_bad_order_file_is_refused_before_running() {
    let dir = tempfile::tempdir().unwrap();
    let orders = dir.path().join("bad.ron");
    std::fs::write(&orders, "Orders(orders: [\n  (at: \"+1h\", by: \"ofcc\", order: SetLevel(II)),\n])\n").unwrap();
    let out = dir.path().join("out");
    let r = drillsim(&[
        "run",
        "scenarios/demo-county.ron",
        "--orders",
        orders.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(r.status.code(), Some(2));
    let err = text(&r.stderr);
    assert!(err.contains("bad.ron:2:19") && err.contains("unknown agency \"ofcc\""), "{err}");
    assert!(!out.join("journal.jsonl").exists(), "nothing may run on a bad order file");
}

#[test]
fn missing_files_and_bad_arguments_exit_2_without_panicking() {
    let r = drillsim(&["run", "no/such/file.ron"]);
    assert_eq!(r.status.code(), Some(2));
    assert!(text(&r.stderr).contains("cannot read no/such/file.ron"));
    let r = drillsim(&["validate", "no/such/file.ron"]);
    assert_eq!(r.status.code(), Some(2));
    let r = drillsim(&["run", "scenarios/demo-county.ron", "--threads", "0"]);
    assert_eq!(r.status.code(), Some(2));
    assert!(!text(&r.stderr).contains("panicked"));
}

#[test]
fn help_explains_the_commands() {
    let h = text(&drillsim(&["--help"]).stdout);
    for word in ["run", "validate", "scenario", "journal"] {
        assert!(h.contains(word), "--help lacks {word}:\n{h}");
    }
    let h = text(&drillsim(&["run", "--help"]).stdout);
    for flag in ["--seed", "--orders", "--until", "--out", "--threads"] {
        assert!(h.contains(flag), "run --help lacks {flag}:\n{h}");
    }
}

#[test]
fn each_seed_scenario_plays_from_its_order_file_and_with_auto_plan() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["levee-breach-0621", "derailment-0523", "acid-spill-0929"] {
        let scenario = format!("scenarios/{name}.ron");
        let orders = format!("scenarios/orders/{name}.ron");
        for (label, extra) in [("orders", vec!["--orders", orders.as_str()]), ("auto", vec!["--auto-plan"])] {
            let out = dir.path().join(format!("{name}-{label}"));
            let mut args = vec!["run", scenario.as_str(), "--out", out.to_str().unwrap()];
            args.extend(extra);
            let r = drillsim(&args);
            assert!(r.status.success(), "{name} {label}: {}", text(&r.stderr));
            let j = std::fs::read_to_string(out.join("journal.jsonl")).unwrap();
            let accepted = j.matches("\"kind\":\"order_accepted\"").count();
            let refused = j.matches("\"kind\":\"order_refused\"").count();
            assert!(accepted >= 10, "{name} {label}: only {accepted} orders accepted");
            // The record's orders and the plan as written are all within the seats' authority.
            assert_eq!(
                refused,
                0,
                "{name} {label}: refused orders:\n{}",
                j.lines().filter(|l| l.contains("order_refused")).collect::<Vec<_>>().join("\n")
            );
            assert!(j.contains("\"kind\":\"inject_delivered\""), "{name} {label}: no inject delivered");
        }
    }
}

#[test]
fn bench_grid_clears_every_car_and_its_written_maps_validate() {
    // a small grid case: every household drives, all comply, shelters have room for everyone
    let r = drillsim(&["bench", "--grid", "6", "--cars", "300", "--origins", "5", "--shelters", "2", "--hours", "6"]);
    assert!(r.status.success(), "{}", text(&r.stderr));
    let out = text(&r.stdout);
    assert!(out.contains("36 nodes, 60 roads, 300 cars from 5 origins to 2 shelters, 900 people"), "{out}");
    assert!(out.contains("CPU time (user + sys)") && out.contains("agent-steps"), "{out}");
    let clearance = out.lines().find(|l| l.contains("evacuation_clearance")).expect("clearance line");
    let v: serde_json::Value = serde_json::from_str(clearance.trim()).unwrap();
    assert_eq!((v["people"].as_u64(), v["sheltered"].as_u64()), (Some(900), Some(900)), "{clearance}");
    let t = |k: &str| v[k].as_u64().unwrap_or_else(|| panic!("{k} in {clearance}"));
    assert!(t("p50_s") <= t("p90_s") && t("p90_s") <= t("p99_s") && t("p99_s") <= t("p100_s"), "{clearance}");

    // the written grid and the county-sized levee map are valid scenarios
    let dir = tempfile::tempdir().unwrap();
    for (args, sub) in [(vec!["--grid", "6", "--cars", "30"], "grid"), (vec!["--levee", "--nodes", "100"], "levee")] {
        let d = dir.path().join(sub);
        let mut all = vec!["bench"];
        all.extend(args);
        all.extend(["--write", d.to_str().unwrap()]);
        let r = drillsim(&all);
        assert!(r.status.success(), "{}", text(&r.stderr));
        let v = drillsim(&["validate", d.join("scenario.ron").to_str().unwrap()]);
        assert!(v.status.success(), "{sub}: {}", text(&v.stderr));
    }
}

/// Errors are printed in one place: one `error:` line saying what and where, and the error's kind
/// decides the exit code (README "Exit codes"): the system failing to write is 1, bad input is 2.
#[test]
fn errors_say_what_and_where_with_the_exit_code_of_their_kind() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a-file");
    std::fs::write(&file, "").unwrap();

    // A folder cannot be made under a file: the system failed to write, exit 1.
    let under = file.join("bench");
    let r =
        drillsim(&["bench", "--evacuees", "10", "--villages", "2", "--nodes", "4", "--write", under.to_str().unwrap()]);
    let err = text(&r.stderr);
    assert_eq!(r.status.code(), Some(1), "{err}");
    assert!(err.starts_with(&format!("error: cannot write {}: ", under.display())), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");

    // A folder that holds no run: bad input, exit 2, the missing file named.
    let r = drillsim(&["replay", dir.path().to_str().unwrap()]);
    let err = text(&r.stderr);
    assert_eq!(r.status.code(), Some(2), "{err}");
    let journal = dir.path().join("journal.jsonl");
    assert!(err.starts_with(&format!("error: cannot read {}: ", journal.display())), "{err}");

    // A journal line that is not an entry: bad input, exit 2, at file:line.
    std::fs::write(&journal, "{\"seq\": \"one\"}\n").unwrap();
    let r = drillsim(&["score", "scenarios/demo-county.ron", journal.to_str().unwrap()]);
    let err = text(&r.stderr);
    assert_eq!(r.status.code(), Some(2), "{err}");
    assert!(err.starts_with(&format!("error: {}:1: not a journal entry", journal.display())), "{err}");
}
