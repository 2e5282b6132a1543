//! drillsim: a deterministic, headless tabletop and drill simulation engine for county emergency
//! management. A scenario (RON) goes in; a run is a Bevy `App` stepping a fixed simulated clock;
//! everything that happens is a journal entry; scores and reports read the journal.
//!
//! See ARCHITECTURE.md for the map of the code.

pub mod map;
pub mod scenario;
pub mod cli;
