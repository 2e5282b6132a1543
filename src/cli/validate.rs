//! `drillsim validate`: check scenario files and list every problem.

use std::path::PathBuf;
use std::process::ExitCode;

use crate::scenario::{self, LoadError};

pub(super) fn validate(files: &[PathBuf], short: bool) -> ExitCode {
    let mut bad = 0usize;
    for f in files {
        match scenario::load(f) {
            Ok(v) => {
                let s = &v.scenario;
                println!(
                    "{}: ok — \"{}\", {} nodes, {} roads, {} agencies, {} teams, {} hazards, {} injects, {} steps of {}",
                    f.display(),
                    s.meta.name,
                    s.map.nodes.len(),
                    s.map.roads.len(),
                    s.agencies.len(),
                    s.resources.teams.len(),
                    s.hazards.len(),
                    s.injects.len(),
                    v.steps(),
                    s.meta.step
                );
            }
            Err(LoadError::Invalid(p)) => {
                bad += 1;
                if short {
                    eprint!("{}", p.short());
                } else {
                    eprint!("{}", p.render(super::use_color()));
                }
                eprintln!("{}: {} problem(s)", f.display(), p.problems.len());
            }
            Err(e @ LoadError::Io { .. }) => {
                bad += 1;
                eprintln!("error: {e}");
            }
        }
    }
    if bad > 0 { ExitCode::from(2) } else { ExitCode::SUCCESS }
}
