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
pub mod refusal;
pub mod render;
pub mod sentences;
pub mod source;
pub mod words;

pub use crate::scenario::lang::Lang;
pub use crate::scoring::report::esc;
pub use model::{Report, build};
