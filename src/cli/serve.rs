//! `drillsim serve`: host one live exercise for a room of seats (feature `serve`); without the
//! feature the command says how to build it and exits 2.

use std::net::SocketAddr;
use std::path::PathBuf;

use super::error::Error;
#[cfg(feature = "serve")]
use crate::serve::ServeError;

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// The scenario file (.ron); not with --resume.
    #[arg(value_name = "SCENARIO", required_unless_present = "resume", conflicts_with = "resume")]
    pub scenario: Option<PathBuf>,
    /// Output folder: journal.jsonl, orders.log (durable), orders.ron, summary.json and
    /// seats.json (the seats' tokens, owner-only).
    #[arg(long, value_name = "DIR", required_unless_present = "resume", conflicts_with = "resume")]
    pub out: Option<PathBuf>,
    /// Carry on a served exercise that stopped (crash, kill -9): re-runs its order log, checks
    /// its journal, and serves it again with the same seats and tokens.
    #[arg(long, value_name = "DIR")]
    pub resume: Option<PathBuf>,
    /// Address to listen on. The default is this computer only; give 0.0.0.0:PORT for a room
    /// network (port 0: any free port).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:7878")]
    pub listen: SocketAddr,
    /// Serve over TLS (HTTPS pages, WSS seats) with this certificate chain (PEM, the server's
    /// certificate first); with --key.
    #[arg(long, value_name = "FILE", requires = "key")]
    pub cert: Option<PathBuf>,
    /// The certificate's private key (PEM: PKCS#8, PKCS#1 or SEC1); with --cert.
    #[arg(long, value_name = "FILE", requires = "cert")]
    pub key: Option<PathBuf>,
    /// Simulated seconds per real second (the facilitator can change it).
    #[arg(long, default_value_t = 60.0, value_parser = super::live::parse_speed, conflicts_with = "resume")]
    pub speed: f64,
    /// Start with the clock stopped; the facilitator starts it.
    #[arg(long, conflicts_with = "resume")]
    pub paused: bool,
    /// Random seed (default: the scenario's `meta.seed`).
    #[arg(long, conflicts_with = "resume")]
    pub seed: Option<u64>,
    /// The seats (JSON: {"seats": [{"name": …, "role": "player", "agency": …}, {"name": …, "role":
    /// "facilitator"}, …]}); default: one player per agency, a facilitator, an evaluator, an
    /// observer.
    #[arg(long, value_name = "FILE", conflicts_with = "resume")]
    pub seats: Option<PathBuf>,
    /// Language of what the terminal tells as it happens: zh or en.
    #[arg(long, value_enum, default_value = "zh")]
    pub lang: super::console::Lang,
    /// Write over the records of an earlier session in --out (they are lost).
    #[arg(long, conflicts_with = "resume")]
    pub force: bool,
    #[command(flatten)]
    pub auto: super::run::AutoArgs,
}

#[cfg(not(feature = "serve"))]
pub(super) fn serve(_args: ServeArgs) -> Result<(), Error> {
    super::error::input(
        "this drillsim was built without the exercise server; build it with \
         `cargo build --release --features serve` (tokio and axum)",
    )
}

#[cfg(feature = "serve")]
pub(super) fn serve(args: ServeArgs) -> Result<(), Error> {
    // A bad certificate or key is said before anything is written.
    let tls = match (&args.cert, &args.key) {
        (Some(cert), Some(key)) => {
            Some(crate::serve::tls::acceptor(cert, key).map_err(|e| Error::Input(e.to_string()))?)
        }
        _ => None,
    };
    let net = Net { listen: args.listen, tls, lang: args.lang };
    match &args.resume {
        Some(dir) => resume(dir.clone(), net),
        None => start(args, net),
    }
}

/// Where and how the exercise is served.
#[cfg(feature = "serve")]
struct Net {
    listen: SocketAddr,
    tls: Option<tokio_rustls::TlsAcceptor>,
    lang: super::console::Lang,
}

#[cfg(feature = "serve")]
fn start(args: ServeArgs, net: Net) -> Result<(), Error> {
    use crate::engine::{RunOptions, build_app};
    use crate::exercise::live::Live;
    use crate::serve::{seats, view::Tagger};

    let (Some(path), Some(out)) = (args.scenario.clone(), args.out.clone()) else {
        return super::error::input("give SCENARIO and --out DIR, or --resume DIR");
    };
    let (sc, auto) = super::live::load_session_inputs(&path, &args.auto)?;
    let specs = match &args.seats {
        Some(p) => seats::read_specs(p, &sc).map_err(Error::Inputs)?,
        None => seats::default_seats(&sc),
    };
    let (_lock, journal, log) =
        super::live::open_session(&sc, &out, args.seed, args.speed, args.paused, auto.as_ref(), args.force)?;
    let issued = seats::issue(specs).map_err(|e| Error::Failed(format!("cannot draw the seats' tokens: {e}")))?;
    seats::write_seats(&out.join("seats.json"), &issued)
        .map_err(|e| Error::Failed(format!("cannot write {}: {e}", out.join("seats.json").display())))?;
    let (seed, speed, paused, sc2) = (args.seed, args.speed, args.paused, sc.clone());
    let start: crate::serve::room::Start = Box::new(move || {
        let mut app = build_app(sc2, RunOptions { seed, ..Default::default() }, journal);
        if let Some(a) = auto {
            app.insert_resource(a);
        }
        let mut live = Live::new(app, speed, paused);
        live.set_log(log);
        Ok((live, Tagger::default()))
    });
    println!(
        "drillsim serve: \"{}\" at {}× real time{}; seats (each token is shown once here, and kept in {} \
         readable by you only):",
        sc.scenario.meta.name,
        args.speed,
        if args.paused { ", paused" } else { "" },
        out.join("seats.json").display()
    );
    for s in &issued {
        let role = serde_json::to_value(s.role).ok().and_then(|v| v.as_str().map(String::from)).unwrap_or_default();
        println!("  {:<16} {:<12} {:<14} {}", s.name, role, s.agency.as_deref().unwrap_or("-"), s.token);
    }
    host(sc, issued, start, out, net)
}

#[cfg(feature = "serve")]
fn resume(out: PathBuf, net: Net) -> Result<(), Error> {
    use crate::serve::{seats, view::Tagger};

    if !out.join("orders.log").exists() {
        return super::error::input(format!("{} has no orders.log: it is not a live session", out.display()));
    }
    let _lock = super::resume::lock_to_carry_on(&out)?;
    if crate::outdir::journal_ended(&out) {
        eprintln!(
            "drillsim serve: the exercise in {} ended; nothing to resume (`drillsim resume {}` writes any \
             record a crash left unwritten)",
            out.display(),
            out.display()
        );
        return Ok(());
    }
    let issued = seats::read_seats(&out.join("seats.json"))
        .map_err(|e| Error::Input(format!("{e} (a served exercise keeps its seats there)")))?;
    // The scenario is the one the order log names (checked by its SHA-256 as the re-run starts).
    let (recipe, _) = crate::replay::recipe_of(&out)?;
    let sc = recipe.scenario.clone();
    let dir = out.clone();
    let start: crate::serve::room::Start = Box::new(move || match super::resume::catch_up(&dir) {
        Ok(super::resume::CaughtUp::Live { live, log }) => {
            let mut tagger = Tagger::default();
            for o in log.orders {
                tagger.add(o);
            }
            eprintln!(
                "drillsim serve: resumed at +{} from {} logged orders (journal checked byte for byte)",
                crate::scenario::time::human_secs(live.app.world().resource::<crate::sim::SimClock>().now as i64),
                live.app.world().resource::<crate::journal::Journal>().entries.len()
            );
            Ok((live, tagger))
        }
        Ok(super::resume::CaughtUp::Ended { .. }) => {
            Err(ServeError::Start("the exercise had reached its end; journal completed".into()))
        }
        Err(e) => Err(ServeError::Start(Box::new(e))),
    });
    println!(
        "drillsim serve: carrying on \"{}\"; the seats keep their tokens ({})",
        sc.scenario.meta.name,
        out.join("seats.json").display()
    );
    host(sc, issued, start, out, net)
}

#[cfg(feature = "serve")]
fn host(
    sc: std::sync::Arc<crate::scenario::ValidScenario>,
    seats: Vec<crate::serve::seats::Seat>,
    start: crate::serve::room::Start,
    out: PathBuf,
    net: Net,
) -> Result<(), Error> {
    use std::io::Write;
    let scheme = if net.tls.is_some() { "https" } else { "http" };
    let announce = |addr: SocketAddr| {
        println!("drillsim serve: listening on {scheme}://{addr}/ (seat page; /facilitator, /evaluator)");
        let _ = std::io::stdout().flush();
    };
    Ok(crate::serve::host(
        sc,
        seats,
        start,
        out,
        crate::serve::Listen { addr: net.listen, tls: net.tls },
        net.lang,
        announce,
    )?)
}
