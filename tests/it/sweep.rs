//! Sweeps end to end: `drillsim sweep`, `sweep-merge` and `sweep-compare` on the shipped seed
//! scenarios (small N), and the `uncertain` section's checks.

use std::path::Path;
use std::process::Output;

use drillsim::scenario::{self, SourceFile};

use crate::support::{bin, text};

fn drillsim(args: &[&str]) -> Output {
    drillsim_env(args, &[])
}

fn drillsim_env(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = bin();
    c.args(args);
    for k in ["SLURM_ARRAY_TASK_ID", "SLURM_ARRAY_TASK_COUNT", "SLURM_ARRAY_TASK_MIN", "JOB_COMPLETION_INDEX"] {
        c.env_remove(k);
    }
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().expect("runs")
}

fn ok(o: &Output) {
    assert!(o.status.success(), "stdout:\n{}\nstderr:\n{}", text(&o.stdout), text(&o.stderr));
}

fn read(p: &Path) -> Vec<u8> {
    std::fs::read(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

const FILES: [&str; 4] = ["runs.csv", "summary.json", "sweep.html", "sweep.json"];

fn csv_rows(dir: &Path) -> Vec<Vec<String>> {
    let text = String::from_utf8(read(&dir.join("runs.csv"))).unwrap();
    text.lines().map(|l| l.split(',').map(String::from).collect()).collect()
}

#[test]
fn a_sweep_is_the_same_whatever_the_jobs_and_shards() {
    let dir = tempfile::tempdir().unwrap();
    let d = |n: &str| dir.path().join(n);
    let sc = "scenarios/derailment-0523.ron";
    let orders = "scenarios/orders/derailment-0523.ron";
    let one = d("one");
    let two = d("two");
    ok(&drillsim(&["sweep", sc, "--runs", "7", "--orders", orders, "--jobs", "1", "--out", one.to_str().unwrap()]));
    ok(&drillsim(&["sweep", sc, "--runs", "7", "--orders", orders, "--jobs", "2", "--out", two.to_str().unwrap()]));
    for f in FILES {
        assert!(read(&one.join(f)) == read(&two.join(f)), "{f} differs between --jobs 1 and --jobs 2");
    }
    // three shards, two from the flag and one from a Kubernetes index, merged
    let shards = d("shards");
    let s = shards.to_str().unwrap();
    ok(&drillsim(&["sweep", sc, "--runs", "7", "--orders", orders, "--shard", "0/3", "--out", s]));
    ok(&drillsim(&["sweep", sc, "--runs", "7", "--orders", orders, "--shard", "2/3", "--jobs", "2", "--out", s]));
    // not all shards yet: the merge refuses
    let partial = drillsim(&["sweep-merge", s, "--out", d("partial").to_str().unwrap()]);
    assert_eq!(partial.status.code(), Some(2));
    assert!(text(&partial.stderr).contains("shard(s) 1 of 3 are missing"), "{}", text(&partial.stderr));
    ok(&drillsim_env(
        &["sweep", sc, "--runs", "7", "--orders", orders, "--shards", "3", "--out", s],
        &[("JOB_COMPLETION_INDEX", "1")],
    ));
    assert!(shards.join("shard-0001-of-0003").join("runs.csv").is_file());
    let merged = d("merged");
    ok(&drillsim(&["sweep-merge", s, "--out", merged.to_str().unwrap()]));
    for f in FILES {
        assert!(read(&one.join(f)) == read(&merged.join(f)), "{f} of the merged shards differs from one run");
    }
    // a shard of another sweep (another base seed) is refused
    let other = d("other");
    ok(&drillsim(&[
        "sweep",
        sc,
        "--runs",
        "7",
        "--orders",
        orders,
        "--seed",
        "99",
        "--shard",
        "1/3",
        "--out",
        other.to_str().unwrap(),
    ]));
    let mixed = drillsim(&[
        "sweep-merge",
        shards.join("shard-0000-of-0003").to_str().unwrap(),
        other.join("shard-0001-of-0003").to_str().unwrap(),
        shards.join("shard-0002-of-0003").to_str().unwrap(),
        "--out",
        d("mixed").to_str().unwrap(),
    ]);
    assert_eq!(mixed.status.code(), Some(2));
    assert!(text(&mixed.stderr).contains("not shards of the same sweep (different seed)"), "{}", text(&mixed.stderr));
    // a Slurm array task (ids 1..3) finds its shard by itself
    let slurm = d("slurm");
    ok(&drillsim_env(
        &["sweep", sc, "--runs", "7", "--orders", orders, "--out", slurm.to_str().unwrap()],
        &[("SLURM_ARRAY_TASK_ID", "3"), ("SLURM_ARRAY_TASK_MIN", "1"), ("SLURM_ARRAY_TASK_COUNT", "3")],
    ));
    assert_eq!(read(&slurm.join("shard-0002-of-0003/runs.csv")), read(&shards.join("shard-0002-of-0003/runs.csv")));
}

#[test]
fn a_sweep_samples_the_parameters_and_one_run_reproduces_its_row() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("sw");
    let sc = "scenarios/acid-spill-0929.ron";
    let orders = "scenarios/orders/acid-spill-0929.ron";
    let o = drillsim(&["sweep", sc, "--runs", "6", "--orders", orders, "--seed", "40", "--out", out.to_str().unwrap()]);
    ok(&o);
    let rows = csv_rows(&out);
    let header = &rows[0];
    assert_eq!(&header[..2], ["run", "seed"]);
    let col =
        |name: &str| header.iter().position(|h| h == name).unwrap_or_else(|| panic!("no column {name}: {header:?}"));
    let mass = col("param.spill_mass_kg.h_spill");
    let delay = col("param.order_shift_s.zixi_water");
    col("out.water_unsafe_people");
    col("score.overall");
    assert_eq!(rows.len(), 7);
    for (r, row) in rows[1..].iter().enumerate() {
        assert_eq!(row[0], r.to_string());
        assert_eq!(row[1], (40 + r).to_string());
        let m: f64 = row[mass].parse().unwrap();
        assert!((100.0..=1500.0).contains(&m), "mass {m}");
        let d: f64 = row[delay].parse().unwrap();
        assert!((0.0..=36_000.0).contains(&d) && d == d.trunc(), "delay {d}");
    }
    let masses: std::collections::BTreeSet<&str> = rows[1..].iter().map(|r| r[mass].as_str()).collect();
    assert_eq!(masses.len(), 6, "each run draws its own mass");
    // summary.json: percentiles per column
    let summary: serde_json::Value = serde_json::from_slice(&read(&out.join("summary.json"))).unwrap();
    let m = &summary["columns"]["param.spill_mass_kg.h_spill"];
    assert_eq!(m["n"], 6);
    assert!(m["p5"].as_f64().unwrap() <= m["p50"].as_f64().unwrap());
    assert!(m["p50"].as_f64().unwrap() <= m["p95"].as_f64().unwrap());
    let html = String::from_utf8(read(&out.join("sweep.html"))).unwrap();
    assert!(html.contains("<svg") && html.contains("param.spill_mass_kg.h_spill") && html.contains("empirical CDF"));
    // the page speaks both languages: headings and the column's meaning in Chinese and English
    for words in ["百分位数 Percentiles", "泄漏质量（千克） · spilled mass, kg", "得分 Scores", "经验分布"]
    {
        assert!(html.contains(words), "sweep.html lacks {words:?}");
    }

    // --only-run 3 writes that run's journal, with the drawn values, and the same outcomes
    let one = dir.path().join("run3");
    ok(&drillsim(&[
        "sweep",
        sc,
        "--runs",
        "6",
        "--orders",
        orders,
        "--seed",
        "40",
        "--only-run",
        "3",
        "--out",
        one.to_str().unwrap(),
    ]));
    let journal = String::from_utf8(read(&one.join("journal.jsonl"))).unwrap();
    let second: serde_json::Value = serde_json::from_str(journal.lines().nth(1).unwrap()).unwrap();
    assert_eq!(second["kind"], "parameters_sampled");
    assert_eq!(second["run"], 3);
    let drawn = second["parameters"].as_array().unwrap();
    let value = |p: &str| drawn.iter().find(|x| x["param"] == p).unwrap()["value"].as_f64().unwrap();
    assert_eq!(value("spill_mass_kg.h_spill"), rows[4][mass].parse::<f64>().unwrap());
    let score: serde_json::Value = serde_json::from_slice(&read(&one.join("score.json"))).unwrap();
    assert_eq!(score["overall"].as_f64().unwrap(), rows[4][col("score.overall")].parse::<f64>().unwrap());
    assert_eq!(
        score["outcomes"]["water_unsafe_people"].as_f64().unwrap(),
        rows[4][col("out.water_unsafe_people")].parse::<f64>().unwrap()
    );
    // and `drillsim score` recomputes the same score from that journal
    ok(&drillsim(&["score", sc, one.join("journal.jsonl").to_str().unwrap()]));
}

#[test]
fn a_plain_run_ignores_the_uncertain_section() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("plain");
    ok(&drillsim(&["run", "scenarios/levee-breach-0621.ron", "--until", "+2h", "--out", out.to_str().unwrap()]));
    let journal = String::from_utf8(read(&out.join("journal.jsonl"))).unwrap();
    assert!(!journal.contains("parameters_sampled"));
}

#[test]
fn two_order_files_compare_run_by_run() {
    let dir = tempfile::tempdir().unwrap();
    let d = |n: &str| dir.path().join(n);
    let sc = "scenarios/derailment-0523.ron";
    ok(&drillsim(&[
        "sweep",
        sc,
        "--runs",
        "8",
        "--orders",
        "scenarios/orders/derailment-0523.ron",
        "--out",
        d("record").to_str().unwrap(),
    ]));
    ok(&drillsim(&["sweep", sc, "--runs", "8", "--auto-plan", "--out", d("auto").to_str().unwrap()]));
    let c = drillsim(&[
        "sweep-compare",
        d("record").to_str().unwrap(),
        d("auto").to_str().unwrap(),
        "--out",
        d("cmp").to_str().unwrap(),
    ]);
    ok(&c);
    let stdout = text(&c.stdout);
    assert!(stdout.contains("8 paired runs") && stdout.contains("score.overall"), "{stdout}");
    let cmp: serde_json::Value = serde_json::from_slice(&read(&d("cmp").join("compare.json"))).unwrap();
    let deaths = cmp["columns"].as_array().unwrap().iter().find(|c| c["column"] == "out.deaths").unwrap();
    assert_eq!(deaths["n"], 8);
    // the mean difference is the difference of the means, and lies in its interval
    let (ma, mb, md) =
        (deaths["mean_a"].as_f64().unwrap(), deaths["mean_b"].as_f64().unwrap(), deaths["mean_diff"].as_f64().unwrap());
    assert!((mb - ma - md).abs() < 1e-9);
    let ci = deaths["t_ci95"].as_array().unwrap();
    assert!(ci[0].as_f64().unwrap() <= md && md <= ci[1].as_f64().unwrap());
    assert!(read(&d("cmp").join("compare.csv")).starts_with(b"column,n,mean_a"));

    // other seeds are not paired
    ok(&drillsim(&["sweep", sc, "--runs", "8", "--auto-plan", "--seed", "5", "--out", d("auto5").to_str().unwrap()]));
    let bad = drillsim(&["sweep-compare", d("record").to_str().unwrap(), d("auto5").to_str().unwrap()]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(text(&bad.stderr).contains("not on the same seeds"), "{}", text(&bad.stderr));
}

#[test]
fn bad_arguments_are_refused_before_any_work() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x");
    for args in [
        vec!["sweep", "scenarios/derailment-0523.ron", "--runs", "5", "--shard", "5/5", "--out"],
        vec!["sweep", "scenarios/derailment-0523.ron", "--runs", "5", "--shards", "4", "--out"],
        vec!["sweep", "scenarios/derailment-0523.ron", "--runs", "5", "--only-run", "5", "--out"],
        vec!["sweep", "scenarios/derailment-0523.ron", "--runs", "0", "--out"],
    ] {
        let mut a = args.clone();
        a.push(out.to_str().unwrap());
        let o = drillsim(&a);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", text(&o.stderr));
        assert!(!out.exists(), "{args:?} did work");
    }
}

/// The levee scenario with its `uncertain` section replaced by `section`.
fn with_uncertain(section: &str) -> Result<(), Vec<(String, usize, String)>> {
    let text = std::fs::read_to_string("scenarios/levee-breach-0621.ron").unwrap();
    let at = text.find("    uncertain: [").expect("the levee scenario declares uncertain parameters");
    let end = text.rfind(')').unwrap();
    let new = format!("{}    uncertain: [\n{section}\n    ],\n)\n", &text[..at]);
    assert!(end > at);
    match scenario::parse(SourceFile::new("levee.ron", new)) {
        Ok(_) => Ok(()),
        Err(p) => Err(p.problems.iter().map(|x| (x.rule.to_string(), x.line, x.message.clone())).collect()),
    }
}

#[test]
fn the_uncertain_section_is_checked_with_places() {
    assert_eq!(with_uncertain("(param: Compliance, dist: Uniform(lo: 0.5, hi: 0.9)),"), Ok(()));
    let problems = with_uncertain(
        "        (param: Compliance, dist: Uniform(lo: 0.5, hi: 1.2)),\n\
         (param: BreachWidth(hazard: \"h_brech\"), dist: Uniform(lo: 10.0, hi: 20.0)),\n\
         (param: OnsetTime(hazard: \"h_breach\"), dist: Uniform(lo: -2.0, hi: 2.0)),\n\
         (param: Mobilisation, dist: Triangular(lo: \"2h\", mode: \"1h\", hi: \"4h\")),\n\
         (param: OnsetTime(hazard: \"h_breach\"), dist: Uniform(lo: \"-40h\", hi: \"+1h\")),\n\
         (param: BreachWidth(hazard: \"h_breach\"), dist: Normal(mean: 60.0, sd: 0.0)),",
    )
    .unwrap_err();
    let has = |rule: &str, msg: &str| problems.iter().any(|(r, _, m)| r == rule && m.contains(msg));
    assert!(has("range", "hi 1.2 is outside the range of a share"), "{problems:?}");
    assert!(has("unknown-id", "unknown hazard \"h_brech\""), "{problems:?}");
    assert!(has("unit", "OnsetTime takes durations in quotes"), "{problems:?}");
    assert!(has("order", "mode (\"1h\") is below lo (\"2h\")"), "{problems:?}");
    assert!(has("duplicate-id", "OnsetTime is declared uncertain twice"), "{problems:?}");
    assert!(has("time-window", "lo \"-1d16h\" is outside the scenario's window"), "{problems:?}");
    assert!(has("not-positive", "standard deviation must be above zero"), "{problems:?}");
    // each problem is placed on the line of its entry, in order: six entries, six lines
    let lines: Vec<usize> = problems.iter().map(|p| p.1).collect();
    assert!(lines.windows(2).all(|w| w[0] <= w[1]), "{problems:?}");
    let distinct: std::collections::BTreeSet<usize> = lines.iter().copied().collect();
    assert_eq!(distinct.len(), 6, "{problems:?}");
    assert_eq!(*distinct.last().unwrap() - *distinct.first().unwrap(), 5, "{problems:?}");
}

#[test]
fn a_truncated_uncertain_section_never_panics() {
    let text = std::fs::read_to_string("scenarios/derailment-0523.ron").unwrap();
    let at = text.find("    uncertain: [").unwrap();
    for cut in (at..text.len()).filter(|i| text.is_char_boundary(*i)) {
        let r = scenario::parse(SourceFile::new("d.ron", text[..cut].to_string()));
        if !text[cut..].trim().is_empty() {
            assert!(r.is_err(), "cut at {cut} parsed");
        }
    }
}
