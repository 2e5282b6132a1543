//! drillsim: a deterministic, headless tabletop and drill simulation engine for county emergency
//! management. A scenario (RON) goes in; a run is a Bevy `App` stepping a fixed simulated clock;
//! everything that happens is a journal entry; scores and reports read the journal.
//!
//! See ARCHITECTURE.md for the map of the code.

pub mod agents;
pub mod cli;
pub mod engine;
pub mod exercise;
#[cfg(feature = "gui")]
pub mod gui;
pub mod hazards;
pub mod journal;
pub mod map;
pub mod outdir;
pub mod replay;
pub mod report;
pub mod scenario;
pub mod scoring;
pub mod seat;
#[cfg(feature = "serve")]
pub mod serve;
pub mod sim;
pub mod sweep;
