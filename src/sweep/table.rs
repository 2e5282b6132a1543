//! A sweep's files: the manifest `sweep.json` (which sweep, which shard), `runs.csv` (one row
//! per run) and `summary.json` (statistics per column), written and read back.
//!
//! Numbers are written in Rust's shortest round-trip form, so a `runs.csv` read back gives the
//! same `f64`s, and a merge of shards writes the same bytes as one big run.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::Row;
use super::error::SweepError;
use super::stats::{ColumnStats, column_stats};

/// Which sweep a folder holds. Two folders of one sweep have equal manifests but for `shard`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub drillsim_version: String,
    pub scenario_name: String,
    pub scenario_path: String,
    pub scenario_sha256: String,
    /// Run r has seed base_seed + r.
    pub base_seed: u64,
    /// Runs of the whole sweep (all shards).
    pub runs: u64,
    pub orders_path: Option<String>,
    pub orders_sha256: Option<String>,
    /// `--auto-plan`: its seats (all agencies not in the order file when absent) and delay.
    pub auto_plan: Option<AutoManifest>,
    /// The uncertain parameters as declared: `param: dist`.
    pub uncertain: Vec<String>,
    /// The columns of `runs.csv` after `run` and `seed`.
    pub columns: Vec<String>,
    /// This folder's shard, or None for a whole sweep (one run or merged).
    pub shard: Option<Shard>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AutoManifest {
    pub seats: Vec<String>,
    pub delay_s: u64,
}

/// Shard `index` of `count` (0-based) holds the runs r with r % count == index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    pub index: u64,
    pub count: u64,
}

impl Shard {
    /// The run indices of this shard.
    pub fn runs(&self, runs: u64) -> Vec<u64> {
        (self.index..runs).step_by(self.count as usize).collect()
    }

    /// The folder a shard writes into under `--out`.
    pub fn dir_name(&self) -> String {
        format!("shard-{:04}-of-{:04}", self.index, self.count)
    }
}

impl Manifest {
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("manifest serializes") + "\n"
    }

    pub fn read(dir: &Path) -> Result<Manifest, SweepError> {
        let p = dir.join("sweep.json");
        let text = std::fs::read_to_string(&p).map_err(|source| SweepError::Read { path: p.clone(), source })?;
        serde_json::from_str(&text).map_err(|source| SweepError::Manifest { path: p, source })
    }
}

/// `runs.csv`: header `run,seed,<columns>`; a missing value is an empty field.
pub fn csv_bytes(columns: &[String], rows: &[Row]) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header = vec!["run".to_string(), "seed".to_string()];
    header.extend(columns.iter().cloned());
    w.write_record(&header).expect("csv to memory");
    for r in rows {
        let mut rec = vec![r.run.to_string(), r.seed.to_string()];
        rec.extend(r.cells.iter().map(|c| c.map_or(String::new(), |v| v.to_string())));
        w.write_record(&rec).expect("csv to memory");
    }
    w.into_inner().expect("csv to memory")
}

/// Reads `runs.csv` back: the columns after `run` and `seed`, and the rows.
pub fn read_csv(path: &Path) -> Result<(Vec<String>, Vec<Row>), SweepError> {
    let csv_err = |source| SweepError::Csv { path: path.to_path_buf(), source };
    let mut r =
        csv::Reader::from_path(path).map_err(|source| SweepError::ReadCsv { path: path.to_path_buf(), source })?;
    let header: Vec<String> = r.headers().map_err(csv_err)?.iter().map(String::from).collect();
    if header.len() < 2 || header[0] != "run" || header[1] != "seed" {
        return Err(SweepError::Header { path: path.to_path_buf() });
    }
    let columns = header[2..].to_vec();
    let mut rows = Vec::new();
    for (i, rec) in r.records().enumerate() {
        let rec = rec.map_err(csv_err)?;
        let line = i + 2;
        let num = |s: &str| -> Result<u64, SweepError> {
            s.parse().map_err(|_| SweepError::NotWhole { path: path.to_path_buf(), line, text: s.to_string() })
        };
        let cells = rec
            .iter()
            .skip(2)
            .map(|s| {
                if s.is_empty() {
                    Ok(None)
                } else {
                    s.parse::<f64>().map(Some).map_err(|_| SweepError::NotNumber {
                        path: path.to_path_buf(),
                        line,
                        text: s.to_string(),
                    })
                }
            })
            .collect::<Result<Vec<_>, SweepError>>()?;
        rows.push(Row { run: num(&rec[0])?, seed: num(&rec[1])?, cells });
    }
    Ok((columns, rows))
}

/// `summary.json`: the sweep's identity and each column's statistics.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SweepSummary {
    pub scenario_name: String,
    pub scenario_sha256: String,
    pub base_seed: u64,
    pub runs: u64,
    pub orders_path: Option<String>,
    pub auto_plan: Option<AutoManifest>,
    /// Percentiles are linear between order statistics (numpy's default).
    pub columns: serde_json::Map<String, serde_json::Value>,
}

pub fn summary(m: &Manifest, rows: &[Row]) -> SweepSummary {
    let mut columns = serde_json::Map::new();
    for (i, name) in m.columns.iter().enumerate() {
        let vals: Vec<Option<f64>> = rows.iter().map(|r| r.cells[i]).collect();
        columns.insert(name.clone(), serde_json::to_value(column_stats(&vals)).expect("stats serialize"));
    }
    SweepSummary {
        scenario_name: m.scenario_name.clone(),
        scenario_sha256: m.scenario_sha256.clone(),
        base_seed: m.base_seed,
        runs: m.runs,
        orders_path: m.orders_path.clone(),
        auto_plan: m.auto_plan.clone(),
        columns,
    }
}

/// The statistics of column `i`.
pub fn stats_of(rows: &[Row], i: usize) -> ColumnStats {
    column_stats(&rows.iter().map(|r| r.cells[i]).collect::<Vec<_>>())
}

/// Writes a whole sweep (`shard: None`): runs.csv, summary.json, sweep.html and sweep.json.
pub fn write_whole(dir: &Path, m: &Manifest, rows: &[Row]) -> Result<(), SweepError> {
    create(dir)?;
    let write = |name: &str, bytes: &[u8]| write(&dir.join(name), bytes);
    write("runs.csv", &csv_bytes(&m.columns, rows))?;
    let s = summary(m, rows);
    write("summary.json", (serde_json::to_string_pretty(&s).expect("summary serializes") + "\n").as_bytes())?;
    write("sweep.html", super::html::page(m, rows).as_bytes())?;
    write("sweep.json", m.to_json().as_bytes())?;
    Ok(())
}

/// Writes one shard's rows and manifest (merged later by `sweep-merge`).
pub fn write_shard(dir: &Path, m: &Manifest, rows: &[Row]) -> Result<(), SweepError> {
    create(dir)?;
    write(&dir.join("runs.csv"), &csv_bytes(&m.columns, rows))?;
    write(&dir.join("sweep.json"), m.to_json().as_bytes())
}

fn create(dir: &Path) -> Result<(), SweepError> {
    std::fs::create_dir_all(dir).map_err(|source| SweepError::Create { path: dir.to_path_buf(), source })
}

fn write(p: &Path, bytes: &[u8]) -> Result<(), SweepError> {
    crate::outdir::write_atomic(p, bytes).map_err(|source| SweepError::Write { path: p.to_path_buf(), source })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_round_trips_every_number_exactly() {
        let cols = vec!["a".to_string(), "b".to_string()];
        let rows = vec![
            Row { run: 0, seed: 7, cells: vec![Some(0.1 + 0.2), None] },
            Row { run: 1, seed: 8, cells: vec![Some(52.631578947368425), Some(1e-300)] },
        ];
        let bytes = csv_bytes(&cols, &rows);
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("runs.csv");
        std::fs::write(&p, &bytes).unwrap();
        let (c2, r2) = read_csv(&p).unwrap();
        assert_eq!(c2, cols);
        assert_eq!(r2, rows);
        assert_eq!(csv_bytes(&c2, &r2), bytes);
    }

    #[test]
    fn shards_split_the_runs_by_remainder() {
        assert_eq!(Shard { index: 1, count: 3 }.runs(8), vec![1, 4, 7]);
        assert_eq!(Shard { index: 3, count: 4 }.runs(3), Vec::<u64>::new());
    }
}
