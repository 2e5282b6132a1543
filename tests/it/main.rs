//! The integration tests, in one binary (one link of Bevy, not one per file): end to end on the
//! `drillsim` binary and the shipped scenarios, and the engine run in memory. `support` holds
//! what they share. One file's tests: `cargo test --test it determinism::`.

mod support;

mod agents;
mod cli;
mod corpus;
mod course;
mod determinism;
mod engine;
mod error_style;
mod exercise;
mod fuzz;
mod gui;
mod hardening;
mod hazards_derailment;
mod hazards_flood;
mod hazards_spill;
mod layers;
mod replay;
mod report;
mod scoring;
#[cfg(all(feature = "serve", feature = "seat"))]
mod seat;
#[cfg(feature = "serve")]
mod serve;
mod sweep;
mod validate;
