//! `drillsim run` (being written).
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct RunArgs {
    pub scenario: PathBuf,
}

pub(super) fn run(_args: RunArgs) -> ExitCode {
    eprintln!("run: not yet");
    ExitCode::from(1)
}
