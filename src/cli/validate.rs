//! `drillsim validate`: check scenario files (and an order file against its scenario) and list
//! every problem.

use std::path::{Path, PathBuf};

use super::error::{Error, input, report_file as report};
use crate::scenario;

pub(super) fn validate(files: &[PathBuf], orders: Option<&Path>, short: bool) -> Result<(), Error> {
    if orders.is_some() && files.len() != 1 {
        return input("--orders is checked against one scenario; name exactly one SCENARIO");
    }
    let mut bad = 0usize;
    for (i, f) in files.iter().enumerate() {
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
                            report(&e, short);
                        }
                    }
                }
                // The process ends after the last file: its scenario (a county's tens of thousands
                // of strings) is left to the OS rather than freed one by one (0.6 ms of 30).
                if i + 1 == files.len() {
                    std::mem::forget(v);
                }
            }
            Err(e) => {
                bad += 1;
                report(&e, short);
            }
        }
    }
    if bad > 0 { Err(Error::Shown(bad)) } else { Ok(()) }
}
