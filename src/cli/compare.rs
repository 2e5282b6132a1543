//! `drillsim compare OUT OUT2 [--json]`: two runs of one scenario side by side — outcomes and
//! scores, with the differences.

use std::path::{Path, PathBuf};

use super::error::{Error, input};
use crate::journal::{self, Entry, Event};
use crate::replay::compare::{compare, text};

#[derive(Debug, clap::Args)]
pub struct CompareArgs {
    /// The first run's output folder (A).
    #[arg(value_name = "OUT")]
    pub a: PathBuf,
    /// The second run's output folder (B); differences are B − A.
    #[arg(value_name = "OUT2")]
    pub b: PathBuf,
    /// Print the comparison as JSON.
    #[arg(long)]
    pub json: bool,
}

fn journal_of(out: &Path) -> Result<Vec<Entry>, Error> {
    Ok(journal::read(&out.join("journal.jsonl"))?)
}

fn scenario_of(j: &[Entry]) -> Option<(String, String)> {
    match &j.first()?.event {
        Event::RunStarted { scenario_path, scenario_sha256, .. } => {
            Some((scenario_path.clone(), scenario_sha256.clone()))
        }
        _ => None,
    }
}

pub(super) fn compare_cmd(args: CompareArgs) -> Result<(), Error> {
    let (a, b) = (journal_of(&args.a)?, journal_of(&args.b)?);
    let (Some((path, sha)), Some((_, sha_b))) = (scenario_of(&a), scenario_of(&b)) else {
        return input("a journal does not start with run_started");
    };
    if sha != sha_b {
        return input("the two runs are of different scenarios (SHA-256 differ); compare runs of one scenario");
    }
    let sc = crate::scenario::load(Path::new(&path))?;
    if sc.sha256() != sha {
        return input(format!("{path} has changed since the runs"));
    }
    let c = compare(&sc, &a, &b);
    if args.json {
        println!("{}", serde_json::to_string_pretty(&c).expect("comparison"));
    } else {
        print!("{}", text(&c, &args.a.display().to_string(), &args.b.display().to_string()));
    }
    Ok(())
}
