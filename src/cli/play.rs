//! `drillsim play`: the exercise GUI (county map and control panels), on a local simulation or,
//! with `--connect ADDR --token T`, as a seat of a running `drillsim serve`. Needs the `gui`
//! cargo feature; without it the command says how to build it and exits 2.

use std::path::PathBuf;
use std::process::ExitCode;

use super::error::Error;

#[derive(Debug, clap::Args)]
pub struct PlayArgs {
    /// The scenario file (.ron); not with --connect (the server has it).
    #[arg(value_name = "SCENARIO", required_unless_present = "connect", conflicts_with = "connect")]
    pub scenario: Option<PathBuf>,
    /// Join a running `drillsim serve` exercise at ADDR (host:port) as the seat of --token: the
    /// window shows what the server sends that seat and gives its orders; nothing runs locally.
    #[arg(long, value_name = "ADDR", requires = "token")]
    pub connect: Option<String>,
    /// The seat's token (printed by `drillsim serve`, in its OUT/seats.json).
    #[arg(long, value_name = "TOKEN", requires = "connect")]
    pub token: Option<String>,
    /// Simulated seconds per real second, 1 to 3600 (default 60; 3600 with --demo).
    #[arg(long, value_parser = parse_speed)]
    pub speed: Option<f64>,
    /// Output folder for journal.jsonl, orders.ron and summary.json (default out/<scenario>-play).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Random seed (default: the scenario's `meta.seed`).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Language of the interface (switchable in the window): zh or en.
    #[arg(long, default_value = "zh", value_parser = ["zh", "en"])]
    pub lang: String,
    /// Start with the clock stopped.
    #[arg(long)]
    pub paused: bool,
    /// Timed orders to play besides the people's (RON order file, as `drillsim run --orders`).
    #[arg(long, value_name = "FILE")]
    pub orders: Option<PathBuf>,
    /// Fast-forward headless to this time before the window opens ("+30h", "30h" or a date-time).
    #[arg(long, value_name = "TIME")]
    pub skip_to: Option<String>,
    /// Demo: plays the scenario's record order file (scenarios/orders/<name>.ron, if there is one,
    /// else the plan via --auto-plan) at 3600×, and gives a few orders through the GUI's own forms.
    #[arg(long)]
    pub demo: bool,
    /// Save a screenshot of the window (PNG) just before --exit-after ends the session.
    #[arg(long, value_name = "PATH", requires = "exit_after")]
    pub screenshot: Option<PathBuf>,
    /// Close the window after this many seconds of wall time (for scripts and tests).
    #[arg(long, value_name = "SECONDS", value_parser = parse_seconds)]
    pub exit_after: Option<f64>,
    #[command(flatten)]
    pub auto: super::run::AutoArgs,
}

fn parse_speed(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(x) if (1.0..=3600.0).contains(&x) => Ok(x),
        _ => Err(format!("\"{s}\" is not a speed from 1 to 3600 (e.g. 1, 60, 3600)")),
    }
}

fn parse_seconds(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(x) if x > 0.0 && x.is_finite() => Ok(x),
        _ => Err(format!("\"{s}\" is not a number of seconds above zero")),
    }
}

/// `Ok`: the exit code of the GUI window, which says itself what went wrong when it cannot write
/// the exercise's records.
#[cfg(feature = "gui")]
pub(super) fn play(args: PlayArgs) -> Result<ExitCode, Error> {
    use std::collections::BTreeSet;
    use std::sync::Arc;

    use crate::exercise::orders::load_orders;
    use crate::scenario;

    let lang = crate::scoring::report::Lang::parse(&args.lang).unwrap_or(crate::scoring::report::Lang::Zh);
    if let (Some(addr), Some(token)) = (&args.connect, &args.token) {
        if let Some(p) = &args.screenshot
            && let Some(dir) = p.parent().filter(|d| !d.as_os_str().is_empty())
            && let Err(e) = std::fs::create_dir_all(dir)
        {
            return Err(Error::Failed(format!("cannot create {}: {e}", dir.display())));
        }
        return Ok(crate::gui::run_remote(crate::gui::RemoteOptions {
            addr: addr.clone(),
            token: token.clone(),
            lang,
            screenshot: args.screenshot,
            exit_after: args.exit_after,
        }));
    }
    let Some(scenario_path) = args.scenario.clone() else {
        return super::error::input("a SCENARIO (or --connect ADDR --token T) is needed");
    };
    let sc = Arc::new(scenario::load(&scenario_path)?);
    let skip_to = args.skip_to.as_deref().map(|u| super::run::parse_until("--skip-to", u, &sc)).transpose()?;
    // The demo plays the record of what the responders did, when the scenario has one.
    let record = scenario_path.parent().map(|d| d.join("orders").join(scenario_path.file_name().unwrap_or_default()));
    let orders_path = match (&args.orders, args.demo) {
        (Some(p), _) => Some(p.clone()),
        (None, true) => record.filter(|p| p.is_file()),
        (None, false) => None,
    };
    let orders = orders_path.as_ref().map(|p| load_orders(p, &sc)).transpose()?;
    let played: BTreeSet<String> = orders.iter().flat_map(|b| b.pending.iter().map(|p| p.by.clone())).collect();
    let mut auto_args = args.auto;
    if args.demo && orders.is_none() {
        auto_args.auto_plan = true;
    }
    let auto = auto_args.resolve_with(&sc, &played)?;
    let out = args.out.clone().unwrap_or_else(|| {
        let stem = scenario_path.file_stem().unwrap_or_default().to_string_lossy().to_string();
        PathBuf::from("out").join(format!("{stem}-play"))
    });
    // One drillsim per folder; a live session's records are never written over.
    let _lock = crate::outdir::claim(&out, false)?;
    if let Some(p) = &args.screenshot
        && let Some(dir) = p.parent().filter(|d| !d.as_os_str().is_empty())
        && let Err(e) = std::fs::create_dir_all(dir)
    {
        return Err(Error::Failed(format!("cannot create {}: {e}", dir.display())));
    }
    let speed = args.speed.unwrap_or(if args.demo { 3600.0 } else { 60.0 });
    Ok(crate::gui::run(crate::gui::PlayOptions {
        scenario: sc,
        seed: args.seed,
        out,
        speed,
        paused: args.paused,
        lang,
        orders,
        auto,
        skip_to,
        demo: args.demo,
        screenshot: args.screenshot,
        exit_after: args.exit_after,
    }))
}

#[cfg(not(feature = "gui"))]
pub(super) fn play(args: PlayArgs) -> Result<ExitCode, Error> {
    let _ = args;
    super::error::input(
        "`drillsim play` needs the GUI, and this drillsim was built without it. Build it with\n  \
         cargo build --release --features gui\n\
         (it opens an X11 window and needs a Vulkan driver, e.g. Debian's mesa-vulkan-drivers).\n\
         `drillsim live` runs the same exercise on a terminal.",
    )
}
