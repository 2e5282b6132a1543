//! `drillsim replay OUT [--to TIME]`: re-run a recorded run from scenario + seed + orders and
//! check that it gives its journal byte for byte; `--to` seeks (re-runs only up to TIME) and shows
//! the state there.

use std::path::PathBuf;
use std::time::Instant;

use super::error::Error;
use crate::journal::summary::summarize;
use crate::replay::{Rerun, first_divergence, recipe_of};
use crate::scenario::time::human_secs;

#[derive(Debug, clap::Args)]
pub struct ReplayArgs {
    /// A run's output folder (from run, live, fork or course).
    #[arg(value_name = "OUT")]
    pub out: PathBuf,
    /// Seek: re-run only up to this time ("+6h", "6h" or "2010-06-21T18:30") and show the state there.
    #[arg(long, value_name = "TIME")]
    pub to: Option<String>,
}

pub(super) fn replay(args: ReplayArgs) -> Result<(), Error> {
    let (recipe, lines) = recipe_of(&args.out)?;
    let sc = recipe.scenario.clone();
    let to = args.to.as_deref().map(|t| super::run::parse_until("--to", t, &sc)).transpose()?;
    if lines.torn {
        eprintln!("note: the journal's last line is cut short (the run was interrupted); it is left out");
    }
    let wall = Instant::now();
    let mut rerun = Rerun::start(&recipe);
    rerun.run_to(to)?;
    let recorded_ended = lines.lines.last().is_some_and(|l| l.contains("\"kind\":\"run_ended\""));
    if to.is_none() && !rerun.ended() && recorded_ended {
        rerun.end_here(); // a live session whose input closed while paused
    }
    let wall = wall.elapsed().as_secs_f64();
    let entries = rerun.entries();
    let (got, want): (&[_], &[String]) = match to {
        Some(to) => {
            let n = entries.iter().take_while(|e| e.t <= to).count();
            let m = lines.lines.iter().take_while(|l| line_t(l).is_some_and(|t| t <= to)).count();
            (&entries[..n], &lines.lines[..m])
        }
        None => (entries, &lines.lines[..]),
    };
    if let Some(d) = first_divergence(want, got) {
        return Err(Error::Check(format!("{}: the re-run differs from the journal first at {d}", args.out.display())));
    }
    if got.len() < want.len() {
        return Err(Error::Check(format!(
            "{}: the re-run stops after {} entries but the journal goes on at line {}: {}",
            args.out.display(),
            got.len(),
            got.len() + 1,
            want[got.len()]
        )));
    }
    let clock = rerun.clock();
    let reached = to.map_or(clock.now, |t| t.min(clock.now));
    println!(
        "{}: re-ran {} of simulated time in {:.2} s wall; {} journal entries{}, the same byte for byte",
        args.out.display(),
        human_secs(reached as i64),
        wall,
        got.len(),
        if to.is_some() { format!(" up to +{}", human_secs(reached as i64)) } else { String::new() }
    );
    if to.is_some() {
        let s = summarize(&sc, got);
        println!("State at +{} ({}):", human_secs(reached as i64), clock.iso(reached));
        let c = &s.casualties;
        println!(
            "  response level {}; injects delivered {} of {}; orders {} accepted, {} refused; reports {}",
            s.final_level.map_or("none", |l| l.roman()),
            s.injects_delivered,
            s.injects_total,
            s.orders_accepted,
            s.orders_refused,
            s.reports_sent
        );
        if c.green + c.yellow + c.red + c.black > 0 {
            println!("  casualties: {} dead, {} red, {} yellow, {} green", c.black, c.red, c.yellow, c.green);
        }
        if s.flood_deaths > 0 || s.evacuated > 0 {
            println!("  drowned {}; evacuated {}; in shelters {}", s.flood_deaths, s.evacuated, s.sheltered);
        }
        if s.water_affected > 0 {
            println!("  people served unsafe water: {}", s.water_affected);
        }
    }
    Ok(())
}

/// The `t` of a journal line, without parsing the whole entry.
fn line_t(line: &str) -> Option<u64> {
    let i = line.find("\"t\":")? + 4;
    let rest = &line[i..];
    let end = rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len());
    rest[..end].parse().ok()
}
