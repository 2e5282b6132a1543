//! Scenario format v1: the RON types, loading, and validation into a [`ValidScenario`].
//!
//! `load` reads a file, parses it (syntax and type errors with line:col), then checks it
//! (unknown ids, capacities, time windows, reachability…) and returns every problem at once.

pub mod authority;
pub mod defaults;
pub mod diag;
pub mod hazard_models;
pub mod ids;
pub mod lang;
pub mod placeholders;
pub mod ranges;
pub mod spans;
pub mod time;
pub mod types;
pub mod uncertain;
mod validate;
pub mod visibility;

use std::path::Path;

use chrono::NaiveDateTime;
use ron::extensions::Extensions;
use sha2::{Digest, Sha256};

pub use diag::{Problem, Problems, SourceFile};
use time::TimeSpec;
use types::{Agency, Scenario};
pub use validate::CONTROL;
pub use validate::kind_name;

/// A scenario that parsed and passed every check; what the engine and scoring take.
#[derive(Debug, Clone)]
pub struct ValidScenario {
    pub source: SourceFile,
    /// SHA-256 of the file's bytes, hex: computed on first use ([`ValidScenario::sha256`]), so
    /// `validate` does not hash a file it only checks.
    sha256: std::sync::OnceLock<String>,
    pub scenario: Scenario,
    pub start: NaiveDateTime,
    pub step_secs: u64,
    pub duration_secs: u64,
    /// Its ids by kind, indexed on first use (`ScenarioIds::of`).
    pub ids: std::sync::OnceLock<ids::ScenarioIds>,
}

impl ValidScenario {
    /// SHA-256 of the file's bytes, hex (what runs, scores and reports record).
    pub fn sha256(&self) -> &str {
        self.sha256.get_or_init(|| hex(&Sha256::digest(self.source.text.as_bytes())))
    }

    /// Number of steps to cover the duration (the last may end past it).
    pub fn steps(&self) -> u64 {
        self.duration_secs.div_ceil(self.step_secs)
    }

    /// Seconds after the start.
    pub fn offset(&self, t: &TimeSpec) -> i64 {
        t.offset_from(self.start)
    }

    /// The calendar time `secs` after the start.
    pub fn datetime_at(&self, secs: u64) -> NaiveDateTime {
        self.start + chrono::Duration::seconds(secs as i64)
    }

    pub fn agency(&self, id: &str) -> Option<&Agency> {
        self.scenario.agencies.iter().find(|a| a.id == id)
    }
}

/// The RON options every drillsim file is read with: `Some(..)` may be left out.
pub fn ron_options() -> ron::Options {
    ron::Options::default().with_default_extension(Extensions::IMPLICIT_SOME)
}

/// Why a scenario could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("cannot read {path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error("{} problem(s) in {}", .0.problems.len(), .0.file.path.display())]
    Invalid(Problems),
}

/// Reads, parses and validates a scenario file.
pub fn load(path: &Path) -> Result<ValidScenario, LoadError> {
    parse(read_source(path)?).map_err(LoadError::Invalid)
}

/// Reads an input file (a scenario or an order file) as UTF-8 text; bytes that are not UTF-8 are
/// a problem at their line:col.
pub fn read_source(path: &Path) -> Result<SourceFile, LoadError> {
    let bytes = std::fs::read(path).map_err(|e| LoadError::Io { path: path.display().to_string(), source: e })?;
    match String::from_utf8(bytes) {
        Ok(t) => Ok(SourceFile::new(path, t)),
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let file = SourceFile::new(path, String::from_utf8_lossy(e.as_bytes()).into_owned());
            let (line, col) = file.line_col(at);
            let problem = Problem {
                rule: "syntax",
                path: String::new(),
                message: "the file is not valid UTF-8".into(),
                help: Some("save it as UTF-8 (Chinese names are welcome, in UTF-8)".into()),
                span: at..at + 1,
                line,
                col,
            };
            Err(LoadError::Invalid(Problems { file, problems: vec![problem] }))
        }
    }
}

/// Parses and validates scenario text.
pub fn parse(file: SourceFile) -> Result<ValidScenario, Problems> {
    let scenario: Scenario = match ron_options().from_str(&file.text) {
        Ok(s) => s,
        Err(e) => {
            let problem = diag::from_ron_error(&file, &e);
            return Err(Problems { file, problems: vec![problem] });
        }
    };
    let spans = spans::SpanIndex::lazy(file.text.clone());
    let mut c = diag::Collector::new(&file, &spans);
    let start = validate::check(&scenario, &mut c);
    ranges::check(&scenario, &mut c);
    let problems = c.into_sorted();
    if !problems.is_empty() {
        return Err(Problems { file, problems });
    }
    let start = start.expect("a valid scenario has a start");
    Ok(ValidScenario {
        sha256: std::sync::OnceLock::new(),
        start,
        step_secs: scenario.meta.step.secs(),
        duration_secs: scenario.meta.duration.secs(),
        scenario,
        source: file,
        ids: std::sync::OnceLock::new(),
    })
}

/// How a value is written in a scenario (e.g. `water_intake` for a node kind).
pub fn ron_name<T: serde::Serialize>(value: &T) -> String {
    ron::to_string(value).unwrap_or_default()
}

/// The names serde reads for the variants of `T`, in declaration order, as listed by its error
/// for an unknown variant in `json` (say `"?"`, or `{"kind":"?"}` for an internally tagged
/// enum): tests compare them with the names strum derives for the same enum.
#[cfg(test)]
pub(crate) fn serde_variant_names<T: serde::de::DeserializeOwned + std::fmt::Debug>(json: &str) -> Vec<String> {
    let e = serde_json::from_str::<T>(json).expect_err("an unknown variant").to_string();
    let listed = &e[e.find("expected").expect("serde lists the variants")..];
    listed.split('`').skip(1).step_by(2).map(str::to_string).collect()
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Checking a scenario builds neither its ids index nor its SHA-256 (`validate` needs
    /// neither); each is built on first use, once, from the file as read.
    #[test]
    fn checking_builds_no_index_and_no_hash() {
        let path = Path::new("scenarios/derailment-0523.ron");
        let v = load(path).unwrap();
        assert!(v.ids.get().is_none() && v.sha256.get().is_none());
        let ids = ids::ScenarioIds::of(&v);
        assert!(std::ptr::eq(ids, ids::ScenarioIds::of(&v)), "built once");
        assert_eq!(ids.nodes.len(), v.scenario.map.nodes.len());
        let bytes = std::fs::read(path).unwrap();
        assert_eq!(v.sha256(), hex(&Sha256::digest(&bytes)));
        assert_eq!(v.sha256().len(), 64);
        // a copy made after the first use keeps the hash
        assert_eq!(v.clone().sha256.get().map(String::as_str), Some(v.sha256()));
    }
}
