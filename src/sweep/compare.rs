//! Paired comparison of two sweeps on the same seeds (`drillsim sweep-compare A B`): two plans
//! (two scenario files differing in their plan) or two order files, each run of B against the
//! run of A with the same seed and the same drawn parameters (common random numbers).
//!
//! For every outcome and score column the two share: the per-seed differences `B − A`, their
//! mean, and 95 % intervals for the mean by the paired t method and by a seeded percentile
//! bootstrap (`stats`).

use std::path::Path;

use serde::Serialize;

use super::Row;
use super::error::SweepError;
use super::stats::{bootstrap_interval, mean, sd, t_interval};
use super::table::{Manifest, read_csv};

/// One column's paired comparison.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Paired {
    pub column: String,
    /// Pairs where both runs have a value.
    pub n: usize,
    pub mean_a: Option<f64>,
    pub mean_b: Option<f64>,
    /// Mean of B − A.
    pub mean_diff: Option<f64>,
    pub sd_diff: Option<f64>,
    pub t_ci95: Option<(f64, f64)>,
    pub bootstrap_ci95: Option<(f64, f64)>,
    /// Runs where B is higher, lower, equal.
    pub b_higher: usize,
    pub b_lower: usize,
    pub equal: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct Comparison {
    pub a: String,
    pub b: String,
    pub runs: usize,
    pub same_scenario: bool,
    pub columns: Vec<Paired>,
}

/// Loads a finished sweep folder (not a lone shard).
fn load(dir: &Path) -> Result<(Manifest, Vec<String>, Vec<Row>), SweepError> {
    let m = Manifest::read(dir)?;
    if let Some(s) = m.shard {
        return Err(SweepError::Shard { dir: dir.to_path_buf(), index: s.index, count: s.count });
    }
    let (cols, rows) = read_csv(&dir.join("runs.csv"))?;
    if cols != m.columns {
        return Err(SweepError::Columns { dir: dir.to_path_buf() });
    }
    Ok((m, cols, rows))
}

/// Compares sweep B with sweep A, run by run. Errors (for people) when the runs are not paired:
/// other seeds, other run counts, or other drawn parameters.
pub fn compare(a_dir: &Path, b_dir: &Path) -> Result<Comparison, SweepError> {
    let (ma, ca, ra) = load(a_dir)?;
    let (mb, cb, rb) = load(b_dir)?;
    if ra.len() != rb.len() || ma.base_seed != mb.base_seed {
        return Err(SweepError::Seeds {
            a_runs: ra.len(),
            a_seed: ma.base_seed,
            b_runs: rb.len(),
            b_seed: mb.base_seed,
        });
    }
    let params: Vec<&String> = ca.iter().filter(|c| c.starts_with("param.")).collect();
    let pb: Vec<&String> = cb.iter().filter(|c| c.starts_with("param.")).collect();
    if params != pb {
        let names = |v: Vec<&String>| v.into_iter().cloned().collect();
        return Err(SweepError::Parameters { a: names(params), b: names(pb) });
    }
    for (x, y) in ra.iter().zip(&rb) {
        if x.run != y.run || x.seed != y.seed {
            return Err(SweepError::RunSeed { run: x.run, seed: x.seed, b_run: y.run, b_seed: y.seed });
        }
        for p in &params {
            let i = ca.iter().position(|c| c == *p).expect("listed");
            let j = cb.iter().position(|c| c == *p).expect("listed");
            if x.cells[i] != y.cells[j] {
                return Err(SweepError::Drawn { run: x.run, param: (*p).clone(), a: x.cells[i], b: y.cells[j] });
            }
        }
    }
    let mut columns = Vec::new();
    for (i, col) in ca.iter().enumerate() {
        if col.starts_with("param.") {
            continue;
        }
        let Some(j) = cb.iter().position(|c| c == col) else { continue };
        let mut a = Vec::new();
        let mut b = Vec::new();
        for (x, y) in ra.iter().zip(&rb) {
            if let (Some(u), Some(v)) = (x.cells[i], y.cells[j]) {
                a.push(u);
                b.push(v);
            }
        }
        let d: Vec<f64> = a.iter().zip(&b).map(|(u, v)| v - u).collect();
        columns.push(Paired {
            column: col.clone(),
            n: d.len(),
            mean_a: mean(&a),
            mean_b: mean(&b),
            mean_diff: mean(&d),
            sd_diff: sd(&d),
            t_ci95: t_interval(&d),
            bootstrap_ci95: bootstrap_interval(&d),
            b_higher: d.iter().filter(|x| **x > 0.0).count(),
            b_lower: d.iter().filter(|x| **x < 0.0).count(),
            equal: d.iter().filter(|x| **x == 0.0).count(),
        });
    }
    Ok(Comparison {
        a: a_dir.display().to_string(),
        b: b_dir.display().to_string(),
        runs: ra.len(),
        same_scenario: ma.scenario_sha256 == mb.scenario_sha256,
        columns,
    })
}

/// `compare.csv`: one row per column.
pub fn csv_bytes(c: &Comparison) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "column",
        "n",
        "mean_a",
        "mean_b",
        "mean_diff",
        "sd_diff",
        "t_lo",
        "t_hi",
        "boot_lo",
        "boot_hi",
        "b_higher",
        "b_lower",
        "equal",
    ])
    .expect("csv to memory");
    let o = |v: Option<f64>| v.map_or(String::new(), |v| v.to_string());
    for p in &c.columns {
        w.write_record([
            p.column.clone(),
            p.n.to_string(),
            o(p.mean_a),
            o(p.mean_b),
            o(p.mean_diff),
            o(p.sd_diff),
            o(p.t_ci95.map(|x| x.0)),
            o(p.t_ci95.map(|x| x.1)),
            o(p.bootstrap_ci95.map(|x| x.0)),
            o(p.bootstrap_ci95.map(|x| x.1)),
            p.b_higher.to_string(),
            p.b_lower.to_string(),
            p.equal.to_string(),
        ])
        .expect("csv to memory");
    }
    w.into_inner().expect("csv to memory")
}
