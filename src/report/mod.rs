//! The after-action report (issue 14): a serde model of the evaluation report an emergency office
//! files after an exercise (AQ/T 9009: 基本情况、评估过程、演练情况分析、存在问题与改进建议、评估
//! 结论; HSEEP AAR/IP: overview, capabilities with P/S/M/U ratings, observations, improvement plan),
//! built purely from (scenario, journal, score) in `model`, and rendered from the templates and
//! locale files in `assets/` (`render`), with SVG charts drawn by `charts`.
//!
//! The model reads the score only through `source`, so a change of `scoring::Score` is met there.

pub mod charts;
pub mod model;
pub mod names;
pub mod render;
pub mod sentences;
pub mod source;
pub mod words;

use serde::Serialize;

pub use model::{Report, build};

/// The report's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    Zh,
    En,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::Zh, Lang::En];

    pub fn parse(s: &str) -> Option<Lang> {
        match s {
            "zh" => Some(Lang::Zh),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// "zh" or "en" (file names, `<html lang>`).
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        }
    }
}

/// Escapes text for HTML (element content and attribute values).
pub fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}
