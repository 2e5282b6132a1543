//! `drillsim fork OUT --at TIME --orders ALT.ron --out OUT2`: run an alternative from a point of a
//! recorded run ("what if the villages had been evacuated two hours earlier?").

use std::path::PathBuf;
use std::process::ExitCode;

use crate::exercise::orders::load_orders;
use crate::replay::compare::{compare, text};
use crate::replay::{Failure, Fork, ForkSidecar, Rerun, first_divergence, recipe_of, write_outputs};
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

fn fail(f: Failure) -> ExitCode {
    eprintln!("error: {}", f.msg);
    ExitCode::from(f.code)
}

pub(super) fn fork(args: ForkArgs) -> ExitCode {
    let (mut recipe, lines) = match recipe_of(&args.base) {
        Ok(r) => r,
        Err(f) => return fail(f),
    };
    let sc = recipe.scenario.clone();
    let at = match super::run::parse_until(&args.at, &sc) {
        Ok(t) => t.div_ceil(sc.step_secs) * sc.step_secs,
        Err(m) => return fail(Failure::input(format!("--at {m}"))),
    };
    let alt = match load_orders(&args.orders, &sc) {
        Ok(b) => b,
        Err(e) => return super::run::report_load_error(e),
    };
    if let Some(p) = alt.pending.iter().find(|p| p.t < at) {
        return fail(Failure::input(format!(
            "{}: an order at +{} is before the fork point +{}; the alternative starts at the fork",
            args.orders.display(),
            human_secs(p.t as i64),
            human_secs(at as i64)
        )));
    }
    if args.out.canonicalize().ok().is_some_and(|o| args.base.canonicalize().ok() == Some(o)) {
        return fail(Failure::input("--out must be another folder than the run forked from"));
    }
    let _lock = match crate::outdir::claim(&args.out, false) {
        Ok(l) => l,
        Err(e) => return super::out_error(e),
    };
    let sidecar = ForkSidecar {
        base: args.base.display().to_string(),
        at,
        orders_path: args.orders.display().to_string(),
        orders_sha256: alt.sha256.clone().unwrap_or_default(),
        keep: args.keep,
    };
    recipe.fork = Some(Fork { at, orders: alt.pending, keep: args.keep });
    let mut rerun = Rerun::start(&recipe);
    if let Err(f) = rerun.run_to(None) {
        return fail(f);
    }
    rerun.end_here();
    let entries = rerun.entries().to_vec();
    // Before the fork point the alternative is the recorded run: check it.
    let n = entries.iter().take_while(|e| e.t < at).count();
    let m = lines.lines.len().min(n);
    if let Some(d) = first_divergence(&lines.lines[..m], &entries[..n]) {
        return fail(Failure::check(format!("{} does not replay up to the fork point: {d}", args.base.display())));
    }
    if let Err(f) = write_outputs(&sc, &entries, &args.out) {
        return fail(f);
    }
    let side = serde_json::to_string_pretty(&sidecar).expect("fork.json") + "\n";
    if let Err(e) = crate::outdir::write_record(&args.out, "fork.json", side) {
        return fail(Failure::check(e));
    }
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
    ExitCode::SUCCESS
}
