//! `drillsim sweep`: N seeded runs of a scenario with its uncertain parameters drawn afresh for
//! each, in parallel, with a progress bar; a table, percentiles and an HTML page (`crate::sweep`).
//! With `--shard i/n` (or a job array's index) only every n-th run, for `sweep-merge`.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::error::{Error, input};
use super::run::AutoArgs;
use crate::exercise::orders::load_orders;
use crate::scenario;
use crate::sweep::table::{AutoManifest, Manifest, Shard, write_shard, write_whole};
use crate::sweep::{AutoSpec, Spec, columns, run_many, run_one};

#[derive(Debug, clap::Args)]
pub struct SweepArgs {
    /// The scenario file (.ron); its `uncertain` section says what varies between runs.
    #[arg(value_name = "SCENARIO")]
    pub scenario: PathBuf,
    /// Number of runs of the whole sweep (all shards together).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub runs: u64,
    /// Base seed: run r has seed BASE + r (default: the scenario's `meta.seed`).
    #[arg(long, value_name = "BASE")]
    pub seed: Option<u64>,
    /// Timed orders to play in every run (RON order file).
    #[arg(long, value_name = "FILE")]
    pub orders: Option<PathBuf>,
    /// Simulations run side by side, one per thread, 1 to 256 (default: the number of cores). The
    /// results do not depend on it.
    #[arg(long, value_name = "J", value_parser = clap::value_parser!(u16).range(1..=super::run::MAX_THREADS))]
    pub jobs: Option<u16>,
    /// Output folder: runs.csv, summary.json, sweep.html, sweep.json (a shard writes
    /// DIR/shard-IIII-of-NNNN/ with runs.csv and sweep.json).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Run only shard I of N (0-based: runs r with r % N == I); merge with `drillsim sweep-merge`.
    #[arg(long, value_name = "I/N", conflicts_with = "shards")]
    pub shard: Option<String>,
    /// Split the sweep into N shards and run the one this job array task is: the index is read
    /// from JOB_COMPLETION_INDEX (Kubernetes Indexed Job) or SLURM_ARRAY_TASK_ID (minus
    /// SLURM_ARRAY_TASK_MIN). Without --shard or --shards, a Slurm array's
    /// SLURM_ARRAY_TASK_COUNT and SLURM_ARRAY_TASK_ID are used when both are set.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub shards: Option<u64>,
    /// Run only run R of the sweep and write its full journal, summary and score to --out
    /// (the journal's `parameters_sampled` entry holds its drawn values).
    #[arg(long, value_name = "R", conflicts_with_all = ["shard", "shards"])]
    pub only_run: Option<u64>,
    /// No progress bar (it is also hidden when standard error is not a terminal).
    #[arg(long, short)]
    pub quiet: bool,
    #[command(flatten)]
    pub auto: AutoArgs,
}

/// Shard from `--shard i/n`, `--shards n` with a job array's index, or Slurm's variables.
fn resolve_shard(args: &SweepArgs, env: &dyn Fn(&str) -> Option<String>) -> Result<Option<(Shard, String)>, Error> {
    if let Some(text) = &args.shard {
        let parsed = text
            .split_once('/')
            .and_then(|(i, n)| Some((i.trim().parse::<u64>().ok()?, n.trim().parse::<u64>().ok()?)));
        return match parsed {
            Some((i, n)) if n > 0 && i < n => Ok(Some((Shard { index: i, count: n }, "--shard".into()))),
            Some((i, n)) => {
                input(format!("--shard {text}: the index must be 0 … {} (0-based), found {i}", n.saturating_sub(1)))
            }
            None => input(format!("--shard {text}: write INDEX/COUNT, 0-based, e.g. 0/10")),
        };
    }
    let slurm_index = || -> Result<Option<u64>, Error> {
        let Some(id) = env("SLURM_ARRAY_TASK_ID") else { return Ok(None) };
        let id: u64 = id.trim().parse().or_else(|_| input(format!("SLURM_ARRAY_TASK_ID=\"{id}\" is not a number")))?;
        let min = match env("SLURM_ARRAY_TASK_MIN") {
            Some(m) => {
                m.trim().parse::<u64>().or_else(|_| input(format!("SLURM_ARRAY_TASK_MIN=\"{m}\" is not a number")))?
            }
            None => 0,
        };
        Ok(Some(id.saturating_sub(min)))
    };
    let (count, index, from) = if let Some(n) = args.shards {
        if let Some(i) = env("JOB_COMPLETION_INDEX") {
            let i =
                i.trim().parse::<u64>().or_else(|_| input(format!("JOB_COMPLETION_INDEX=\"{i}\" is not a number")))?;
            (n, i, "JOB_COMPLETION_INDEX")
        } else if let Some(i) = slurm_index()? {
            (n, i, "SLURM_ARRAY_TASK_ID")
        } else {
            return input(format!(
                "--shards {n}: no shard index: set JOB_COMPLETION_INDEX or SLURM_ARRAY_TASK_ID, or give --shard I/{n}"
            ));
        }
    } else if let (Some(c), Some(i)) = (env("SLURM_ARRAY_TASK_COUNT"), slurm_index()?) {
        let c =
            c.trim().parse::<u64>().or_else(|_| input(format!("SLURM_ARRAY_TASK_COUNT=\"{c}\" is not a number")))?;
        (c, i, "SLURM_ARRAY_TASK_ID and SLURM_ARRAY_TASK_COUNT")
    } else {
        return Ok(None);
    };
    if count == 0 || index >= count {
        return input(format!("shard index {index} (from {from}) is not below the shard count {count}"));
    }
    Ok(Some((Shard { index, count }, from.to_string())))
}

pub(super) fn sweep(args: SweepArgs) -> Result<(), Error> {
    // Check everything before doing any work.
    let sc = Arc::new(scenario::load(&args.scenario)?);
    let orders = args.orders.as_ref().map(|p| load_orders(p, &sc)).transpose()?;
    let played: BTreeSet<String> = orders.iter().flat_map(|b| b.pending.iter().map(|p| p.by.clone())).collect();
    let auto = args.auto.resolve_with(&sc, &played)?.map(|a| AutoSpec { seats: a.seats, delay_s: a.delay_s });
    let shard = resolve_shard(&args, &|k| std::env::var(k).ok())?;
    if let Some(r) = args.only_run
        && r >= args.runs
    {
        return input(format!("--only-run {r}: the sweep has runs 0 … {}", args.runs - 1));
    }
    let jobs =
        args.jobs.map(usize::from).unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let manifest = Manifest {
        drillsim_version: env!("CARGO_PKG_VERSION").to_string(),
        scenario_name: sc.scenario.meta.name.clone(),
        scenario_path: sc.source.path.display().to_string(),
        scenario_sha256: sc.sha256().to_string(),
        base_seed: args.seed.unwrap_or(sc.scenario.meta.seed),
        runs: args.runs,
        orders_path: orders.as_ref().and_then(|o| o.source.as_ref()).map(|s| s.path.display().to_string()),
        orders_sha256: orders.as_ref().and_then(|o| o.sha256.clone()),
        auto_plan: auto
            .as_ref()
            .map(|a| AutoManifest { seats: a.seats.iter().flatten().cloned().collect(), delay_s: a.delay_s }),
        uncertain: sc
            .scenario
            .uncertain
            .iter()
            .map(|u| format!("{}: {}", u.param.describe(), u.dist.describe()))
            .collect(),
        columns: columns(&sc),
        shard: shard.as_ref().map(|(s, _)| *s),
    };
    let spec = Spec { scenario: sc.clone(), orders, auto, base_seed: manifest.base_seed, runs: args.runs };

    if let Some(r) = args.only_run {
        return only_run(&spec, &manifest, r, &args.out);
    }

    let runs: Vec<u64> = match &shard {
        Some((s, from)) => {
            eprintln!("shard {} of {} (0-based, from {from}): {} runs", s.index, s.count, s.runs(args.runs).len());
            s.runs(args.runs)
        }
        None => (0..args.runs).collect(),
    };
    let out = match &shard {
        Some((s, _)) => args.out.join(s.dir_name()),
        None => args.out.clone(),
    };
    let _lock = crate::outdir::claim(&out, false)?;

    use std::io::IsTerminal;
    let target = if args.quiet || !std::io::stderr().is_terminal() {
        ProgressDrawTarget::hidden()
    } else {
        ProgressDrawTarget::stderr()
    };
    let bar = ProgressBar::with_draw_target(Some(runs.len() as u64), target);
    bar.set_style(
        ProgressStyle::with_template("{spinner} {elapsed_precise} [{bar:40}] {pos}/{len} runs, ETA {eta}")
            .expect("a valid template")
            .progress_chars("=> "),
    );
    let wall = Instant::now();
    let rows = run_many(&spec, &runs, jobs, &|| bar.inc(1));
    bar.finish_and_clear();
    let wall = wall.elapsed().as_secs_f64();
    let rows = rows?;
    match &shard {
        Some(_) => write_shard(&out, &manifest, &rows)?,
        None => write_whole(&out, &manifest, &rows)?,
    }
    let per_run = if rows.is_empty() { 0.0 } else { wall / rows.len() as f64 };
    println!(
        "{} — {} runs in {:.2} s wall ({:.1} ms a run, {} job{})",
        sc.scenario.meta.name,
        rows.len(),
        wall,
        per_run * 1000.0,
        jobs,
        if jobs == 1 { "" } else { "s" }
    );
    if shard.is_none() {
        print_headline(&manifest, &rows);
        println!("  wrote {}/runs.csv, summary.json, sweep.html and sweep.json", out.display());
    } else {
        println!("  wrote {}/runs.csv and sweep.json; join the shards with drillsim sweep-merge", out.display());
    }
    Ok(())
}

/// A few headline columns: median and the 90 % range.
pub(super) fn print_headline(m: &Manifest, rows: &[crate::sweep::Row]) {
    for (i, col) in m.columns.iter().enumerate() {
        use crate::sweep::Measure as M;
        if !([M::Deaths, M::WaterUnsafePeople, M::FloodExposedPeak].iter().any(|m| col == m.name())
            || col.starts_with(M::ScoreOverall.name()))
        {
            continue;
        }
        let s = crate::sweep::table::stats_of(rows, i);
        if let (Some(p5), Some(p50), Some(p95), Some(mean)) = (s.p5, s.p50, s.p95, s.mean) {
            println!("  {col}: median {p50:.2}, 5–95 % {p5:.2} … {p95:.2}, mean {mean:.2}");
        }
    }
}

fn only_run(spec: &Spec, m: &Manifest, r: u64, out: &std::path::Path) -> Result<(), Error> {
    let (row, journal) = run_one(spec, r)?;
    let _lock = crate::outdir::claim(out, false)?;
    let sc = &spec.scenario;
    let summary = crate::journal::summary::summarize(sc, &journal.entries);
    let score = crate::scoring::score(sc, &journal.entries);
    let files = [
        ("journal.jsonl", journal.to_jsonl()),
        ("summary.json", serde_json::to_string_pretty(&summary).expect("summary serializes") + "\n"),
        ("score.json", super::score::score_json(&score)),
    ];
    for (name, text) in files {
        let p = out.join(name);
        crate::outdir::write_atomic(&p, text.as_bytes())
            .map_err(|e| Error::Failed(format!("cannot write {}: {e}", p.display())))?;
    }
    println!("{} — run {r} of the sweep, seed {}", sc.scenario.meta.name, row.seed);
    for (col, v) in m.columns.iter().zip(&row.cells) {
        println!("  {col} = {}", v.map_or("none".to_string(), |v| v.to_string()));
    }
    println!("  wrote {}/journal.jsonl, summary.json and score.json", out.display());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    fn args(extra: &[&str]) -> SweepArgs {
        let mut v = vec!["drillsim", "sweep", "x.ron", "--runs", "10", "--out", "o"];
        v.extend(extra);
        match crate::cli::Cli::parse_from(v).command {
            crate::cli::Command::Sweep(a) => a,
            _ => unreachable!(),
        }
    }

    fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |k| vars.iter().find(|(n, _)| *n == k).map(|(_, v)| v.to_string())
    }

    #[test]
    fn shards_come_from_the_flag_or_the_job_array() {
        let s = |a: &SweepArgs, e: &[(&str, &str)]| match resolve_shard(a, &env(e))
            .map(|o| o.map(|(s, _)| (s.index, s.count)))
        {
            Ok(x) => Ok(x),
            Err(e) => Err(e.to_string()),
        };
        assert_eq!(s(&args(&[]), &[]), Ok(None));
        assert_eq!(s(&args(&["--shard", "2/5"]), &[("SLURM_ARRAY_TASK_ID", "1")]), Ok(Some((2, 5))));
        assert!(s(&args(&["--shard", "5/5"]), &[]).is_err());
        assert!(s(&args(&["--shard", "x"]), &[]).is_err());
        assert_eq!(s(&args(&["--shards", "4"]), &[("JOB_COMPLETION_INDEX", "3")]), Ok(Some((3, 4))));
        assert_eq!(
            s(&args(&["--shards", "4"]), &[("SLURM_ARRAY_TASK_ID", "4"), ("SLURM_ARRAY_TASK_MIN", "1")]),
            Ok(Some((3, 4)))
        );
        assert!(s(&args(&["--shards", "4"]), &[]).is_err());
        assert!(s(&args(&["--shards", "4"]), &[("JOB_COMPLETION_INDEX", "4")]).is_err());
        assert_eq!(s(&args(&[]), &[("SLURM_ARRAY_TASK_ID", "0"), ("SLURM_ARRAY_TASK_COUNT", "3")]), Ok(Some((0, 3))));
        assert_eq!(s(&args(&[]), &[("SLURM_ARRAY_TASK_ID", "0")]), Ok(None));
    }
}
