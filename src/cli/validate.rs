//! `drillsim validate`: check scenario files (and an order file against its scenario) and list
//! every problem.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::scenario::{self, LoadError};

fn report(e: LoadError, short: bool) {
    match e {
        LoadError::Invalid(p) => {
            if short {
                eprint!("{}", p.short());
            } else {
                eprint!("{}", p.render(super::use_color()));
            }
            eprintln!("{}: {} problem(s)", p.file.path.display(), p.problems.len());
        }
        e @ LoadError::Io { .. } => eprintln!("error: {e}"),
    }
}

pub(super) fn validate(files: &[PathBuf], orders: Option<&Path>, short: bool) -> ExitCode {
    if orders.is_some() && files.len() != 1 {
        eprintln!("error: --orders is checked against one scenario; name exactly one SCENARIO");
        return ExitCode::from(2);
    }
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
                if let Some(o) = orders {
                    match crate::exercise::orders::load_orders(o, &v) {
                        Ok(b) => println!("{}: ok — {} orders for \"{}\"", o.display(), b.pending.len(), s.meta.name),
                        Err(e) => {
                            bad += 1;
                            report(e, short);
                        }
                    }
                }
            }
            Err(e) => {
                bad += 1;
                report(e, short);
            }
        }
    }
    if bad > 0 { ExitCode::from(2) } else { ExitCode::SUCCESS }
}
