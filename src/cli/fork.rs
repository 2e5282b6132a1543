//! `drillsim fork OUT --at TIME --orders ALT.ron --out OUT2`: run an alternative from a point of a
//! recorded run ("what if the villages had been evacuated two hours earlier?").

use std::path::PathBuf;

use super::error::{Error, input};
use crate::exercise::orders::load_orders;
use crate::replay::compare::{compare, text};
use crate::replay::{Fork, ForkSidecar, Rerun, first_divergence, recipe_of, write_outputs};
use crate::scenario::time::human_secs;

#[derive(Debug, clap::Args)]
pub struct ForkArgs {
    /// The recorded run's output folder.
    #[arg(value_name = "OUT")]
    pub base: PathBuf,
    /// The fork point: "+4h", "4h" or "2010-06-21T14:00" (rounded up to a step).
    #[arg(long, value_name = "TIME")]
    pub at: String,
    /// The alternative orders, given from the fork point on (an order file; none may be earlier).
    #[arg(long, value_name = "ALT.ron")]
    pub orders: PathBuf,
    /// Output folder of the alternative run.
    #[arg(long, value_name = "OUT2")]
    pub out: PathBuf,
    /// Keep the recorded orders from the fork point on, beside the alternative ones (default:
    /// the alternative replaces them).
    #[arg(long)]
    pub keep: bool,
}

pub(super) fn fork(args: ForkArgs) -> Result<(), Error> {
    let (mut recipe, lines) = recipe_of(&args.base)?;
    let sc = recipe.scenario.clone();
    let at = super::run::parse_until("--at", &args.at, &sc)?.div_ceil(sc.step_secs) * sc.step_secs;
    let alt = load_orders(&args.orders, &sc)?;
    if let Some(p) = alt.pending.iter().find(|p| p.t < at) {
        return input(format!(
            "{}: an order at +{} is before the fork point +{}; the alternative starts at the fork",
            args.orders.display(),
            human_secs(p.t as i64),
            human_secs(at as i64)
        ));
    }
    if args.out.canonicalize().ok().is_some_and(|o| args.base.canonicalize().ok() == Some(o)) {
        return input("--out must be another folder than the run forked from");
    }
    let _lock = crate::outdir::claim(&args.out, false)?;
    let sidecar = ForkSidecar {
        base: args.base.display().to_string(),
        at,
        orders_path: args.orders.display().to_string(),
        orders_sha256: alt.sha256.clone().unwrap_or_default(),
        keep: args.keep,
    };
    recipe.fork = Some(Fork { at, orders: alt.pending, keep: args.keep });
    let mut rerun = Rerun::start(&recipe);
    rerun.run_to(None)?;
    rerun.end_here();
    let entries = rerun.entries().to_vec();
    // Before the fork point the alternative is the recorded run: check it.
    let n = entries.iter().take_while(|e| e.t < at).count();
    let m = lines.lines.len().min(n);
    if let Some(d) = first_divergence(&lines.lines[..m], &entries[..n]) {
        return Err(Error::Check(format!("{} does not replay up to the fork point: {d}", args.base.display())));
    }
    write_outputs(&sc, &entries, &args.out)?;
    let side = serde_json::to_string_pretty(&sidecar).expect("fork.json") + "\n";
    crate::outdir::write_record(&args.out, "fork.json", side)?;
    let base_entries: Vec<_> = lines.lines.iter().filter_map(|l| serde_json::from_str(l).ok()).collect();
    println!(
        "fork of {} at +{} with {}: wrote {}/journal.jsonl ({} entries), summary.json, score.json, fork.json",
        args.base.display(),
        human_secs(at as i64),
        args.orders.display(),
        args.out.display(),
        entries.len()
    );
    print!(
        "{}",
        text(&compare(&sc, &base_entries, &entries), &args.base.display().to_string(), &args.out.display().to_string())
    );
    Ok(())
}
