//! Why a sweep, a merge of shards or a comparison of sweeps could not be done.

use std::path::PathBuf;

use crate::journal::JournalError;

/// The sweep layer's errors, for people: what went wrong and in which file or run.
#[derive(Debug, thiserror::Error)]
pub enum SweepError {
    /// A run's journal could not be written.
    #[error("run {run}: {source}")]
    Run { run: u64, source: JournalError },
    #[error("run {0} was not run")]
    NotRun(u64),
    #[error("cannot read {}: {source}", path.display())]
    Read { path: PathBuf, source: std::io::Error },
    #[error("cannot read {}: {source}", path.display())]
    ReadCsv { path: PathBuf, source: csv::Error },
    #[error("{}: {source}", path.display())]
    Csv { path: PathBuf, source: csv::Error },
    #[error("{}: not a sweep manifest: {source}", path.display())]
    Manifest { path: PathBuf, source: serde_json::Error },
    #[error("{}: the header does not begin with run,seed", path.display())]
    Header { path: PathBuf },
    #[error("{}:{line}: \"{text}\" is not a whole number", path.display())]
    NotWhole { path: PathBuf, line: usize, text: String },
    #[error("{}:{line}: \"{text}\" is not a number", path.display())]
    NotNumber { path: PathBuf, line: usize, text: String },
    #[error("cannot create {}: {source}", path.display())]
    Create { path: PathBuf, source: std::io::Error },
    #[error("cannot write {}: {source}", path.display())]
    Write { path: PathBuf, source: std::io::Error },
    #[error("{} is shard {index} of {count}: merge the shards first (drillsim sweep-merge)", dir.display())]
    Shard { dir: PathBuf, index: u64, count: u64 },
    #[error("{}: runs.csv's columns are not those of sweep.json", dir.display())]
    Columns { dir: PathBuf },
    #[error(
        "the sweeps are not on the same seeds: A has {a_runs} runs from seed {a_seed}, B {b_runs} runs from seed {b_seed}; run both with the same --runs and --seed"
    )]
    Seeds { a_runs: usize, a_seed: u64, b_runs: usize, b_seed: u64 },
    #[error(
        "the sweeps sample different parameters (A: {a:?}, B: {b:?}); a paired comparison needs the same `uncertain` section"
    )]
    Parameters { a: Vec<String>, b: Vec<String> },
    #[error("run {run} of A has seed {seed}, but B's row there is run {b_run} with seed {b_seed}")]
    RunSeed { run: u64, seed: u64, b_run: u64, b_seed: u64 },
    #[error(
        "run {run} drew {param} = {a:?} in A but {b:?} in B: the two sweeps are not paired (same `uncertain` section and seeds needed)"
    )]
    Drawn { run: u64, param: String, a: Option<f64>, b: Option<f64> },
}
