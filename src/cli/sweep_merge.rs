//! `drillsim sweep-merge`: join the shards of a sweep into the result of one big run
//! (byte for byte the same runs.csv, summary.json, sweep.html and sweep.json).

use std::path::{Path, PathBuf};

use super::error::{Error, input};
use crate::sweep::Row;
use crate::sweep::table::{Manifest, read_csv, write_whole};

#[derive(Debug, clap::Args)]
pub struct SweepMergeArgs {
    /// Shard folders (each with sweep.json and runs.csv), or folders holding shard-*-of-* folders.
    #[arg(value_name = "DIR", required = true)]
    pub dirs: Vec<PathBuf>,
    /// Where to write the merged sweep.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
}

/// The shard folders named or found one level down.
fn shard_dirs(dirs: &[PathBuf]) -> Result<Vec<PathBuf>, Error> {
    let mut out = Vec::new();
    for d in dirs {
        if d.join("sweep.json").is_file() {
            out.push(d.clone());
            continue;
        }
        let entries = std::fs::read_dir(d).or_else(|e| input(format!("cannot read {}: {e}", d.display())))?;
        let mut found: Vec<PathBuf> =
            entries.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.join("sweep.json").is_file()).collect();
        if found.is_empty() {
            return input(format!("{}: no sweep.json here nor in a folder inside", d.display()));
        }
        found.sort();
        out.extend(found);
    }
    Ok(out)
}

/// Checks that the shards are of one sweep and complete, and joins their rows by run index.
pub(super) fn merge(dirs: &[PathBuf]) -> Result<(Manifest, Vec<Row>), Error> {
    let dirs = shard_dirs(dirs)?;
    let mut first: Option<(Manifest, PathBuf)> = None;
    let mut seen: std::collections::BTreeMap<u64, PathBuf> = std::collections::BTreeMap::new();
    let mut rows: Vec<Row> = Vec::new();
    for d in &dirs {
        let m = Manifest::read(d)?;
        let Some(shard) = m.shard else {
            return input(format!("{} is a whole sweep, not a shard", d.display()));
        };
        let whole = Manifest { shard: None, ..m.clone() };
        match &first {
            None => first = Some((whole, d.clone())),
            Some((f, fd)) if *f != whole => {
                return input(format!(
                    "{} and {} are not shards of the same sweep ({})",
                    fd.display(),
                    d.display(),
                    differences(f, &whole)
                ));
            }
            Some(_) => {}
        }
        let (f, _) = first.as_ref().expect("set above");
        if f.shard.is_none() && seen.values().next().is_some() {
            // all shards must agree on the count: checked through the manifests' shard below
        }
        if let Some(prev) = seen.insert(shard.index, d.clone()) {
            return input(format!(
                "shard {} of {} is given twice: {} and {}",
                shard.index,
                shard.count,
                prev.display(),
                d.display()
            ));
        }
        let (cols, shard_rows) = read_csv(&d.join("runs.csv"))?;
        if cols != m.columns {
            return input(format!("{}: runs.csv's columns are not those of its sweep.json", d.display()));
        }
        let expected = shard.runs(m.runs);
        let got: Vec<u64> = shard_rows.iter().map(|r| r.run).collect();
        if got != expected {
            return input(format!(
                "{}: shard {} of {} is incomplete or altered: it should hold runs {} ({} runs), it holds {} runs",
                d.display(),
                shard.index,
                shard.count,
                brief(&expected),
                expected.len(),
                got.len()
            ));
        }
        for r in &shard_rows {
            if r.seed != m.base_seed.wrapping_add(r.run) {
                return input(format!(
                    "{}: run {} has seed {}, not {}",
                    d.display(),
                    r.run,
                    r.seed,
                    m.base_seed.wrapping_add(r.run)
                ));
            }
        }
        rows.extend(shard_rows);
    }
    let Some((m, _)) = first else { return input("no shard given") };
    // every shard must say the same count, and all of 0 … count−1 must be there
    let counts: std::collections::BTreeSet<u64> =
        dirs.iter().filter_map(|d| Manifest::read(d).ok().and_then(|m| m.shard.map(|s| s.count))).collect();
    if counts.len() != 1 {
        return input(format!("the shards were cut into different numbers of shards: {counts:?}"));
    }
    let count = *counts.iter().next().expect("one");
    let missing: Vec<String> = (0..count).filter(|i| !seen.contains_key(i)).map(|i| i.to_string()).collect();
    if !missing.is_empty() {
        return input(format!("shard(s) {} of {count} are missing (0-based)", missing.join(", ")));
    }
    rows.sort_by_key(|r| r.run);
    Ok((m, rows))
}

fn brief(runs: &[u64]) -> String {
    match runs {
        [] => "none".into(),
        [a] => a.to_string(),
        [a, b] => format!("{a}, {b}"),
        [a, b, .., z] => format!("{a}, {b}, … {z}"),
    }
}

fn differences(a: &Manifest, b: &Manifest) -> String {
    let mut d = Vec::new();
    if a.scenario_sha256 != b.scenario_sha256 {
        d.push("scenario");
    }
    if a.base_seed != b.base_seed {
        d.push("seed");
    }
    if a.runs != b.runs {
        d.push("runs");
    }
    if a.orders_sha256 != b.orders_sha256 || a.orders_path != b.orders_path {
        d.push("orders");
    }
    if a.auto_plan != b.auto_plan {
        d.push("auto-plan");
    }
    if a.drillsim_version != b.drillsim_version {
        d.push("drillsim version");
    }
    if a.columns != b.columns || a.uncertain != b.uncertain {
        d.push("columns");
    }
    if a.scenario_path != b.scenario_path {
        d.push("scenario path");
    }
    if d.is_empty() { "they differ".into() } else { format!("different {}", d.join(", ")) }
}

pub(super) fn sweep_merge(args: SweepMergeArgs) -> Result<(), Error> {
    let (m, rows) = merge(&args.dirs)?;
    write_whole(Path::new(&args.out), &m, &rows)?;
    println!("{} — {} runs merged", m.scenario_name, rows.len());
    super::sweep::print_headline(&m, &rows);
    println!("  wrote {}/runs.csv, summary.json, sweep.html and sweep.json", args.out.display());
    Ok(())
}
