//! `drillsim sweep-compare A B`: paired comparison of two sweeps on the same seeds (two plans or
//! two order files): per column the mean difference B − A with 95 % intervals.

use std::path::PathBuf;

use super::error::Error;
use crate::sweep::compare::{compare, csv_bytes};

#[derive(Debug, clap::Args)]
pub struct SweepCompareArgs {
    /// The first sweep's folder (the baseline, A).
    #[arg(value_name = "A_DIR")]
    pub a: PathBuf,
    /// The second sweep's folder (B); differences are B − A.
    #[arg(value_name = "B_DIR")]
    pub b: PathBuf,
    /// Also write compare.csv and compare.json into this folder.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

pub(super) fn sweep_compare(args: SweepCompareArgs) -> Result<(), Error> {
    let c = compare(&args.a, &args.b)?;
    println!("B = {} against A = {}: {} paired runs (same seeds, same drawn parameters)", c.b, c.a, c.runs);
    if !c.same_scenario {
        println!("  (different scenario files: comparing two plans)");
    }
    println!(
        "  {:<28} {:>11} {:>11} {:>11}  {:>25}  {:>25}  {:>13}",
        "column", "mean A", "mean B", "B − A", "95% CI (paired t)", "95% CI (bootstrap)", "B>A / B<A / ="
    );
    let f = |v: Option<f64>| v.map_or("–".to_string(), |v| format!("{v:.3}"));
    let ci = |v: Option<(f64, f64)>| v.map_or("–".to_string(), |(a, b)| format!("[{a:.3}, {b:.3}]"));
    for p in &c.columns {
        println!(
            "  {:<28} {:>11} {:>11} {:>11}  {:>25}  {:>25}  {:>13}",
            p.column,
            f(p.mean_a),
            f(p.mean_b),
            f(p.mean_diff),
            ci(p.t_ci95),
            ci(p.bootstrap_ci95),
            format!("{} / {} / {}", p.b_higher, p.b_lower, p.equal)
        );
    }
    if let Some(out) = &args.out {
        let res = std::fs::create_dir_all(out)
            .and_then(|_| std::fs::write(out.join("compare.csv"), csv_bytes(&c)))
            .and_then(|_| {
                std::fs::write(out.join("compare.json"), serde_json::to_string_pretty(&c).expect("serializes") + "\n")
            });
        res.map_err(|e| Error::Failed(format!("cannot write into {}: {e}", out.display())))?;
        println!("  wrote {}/compare.csv and compare.json", out.display());
    }
    Ok(())
}
