//! `drillsim serve`: one live exercise hosted for a room of seats over the network (feature
//! `serve`). The simulation is the same `Live` engine, order door, durable order log and journal
//! as `drillsim live`, on its own thread ([`room`]); tokio and axum carry the seats' WebSocket
//! connections ([`http`]) in the seat protocol ([`protocol`], `docs/protocol.md`); each seat
//! sees what its role may ([`view`], [`sight`]) and is opened by its token ([`seats`]); with a
//! certificate, pages and sockets go over TLS ([`tls`]).

pub mod http;
pub mod protocol;
pub mod room;
pub mod seats;
pub mod sight;
pub mod tls;
pub mod view;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use crate::scenario::ValidScenario;
use room::{Hub, Start};
use seats::Seat;

/// Why a served exercise could not start or go on, for the operator.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("cannot start the network runtime: {0}")]
    Runtime(std::io::Error),
    #[error("cannot listen on {addr}: {source}")]
    Listen { addr: SocketAddr, source: std::io::Error },
    #[error("{0}")]
    Address(std::io::Error),
    #[error("cannot start the simulation thread: {0}")]
    Thread(std::io::Error),
    #[error("the simulation thread panicked")]
    Panicked,
    #[error("the server failed: {0}")]
    Server(std::io::Error),
    /// The engine could not be built on the simulation thread (a resumed session that does not
    /// catch up, or one that had already ended).
    #[error("{0}")]
    Start(Box<dyn std::error::Error + Send + Sync>),
    /// The durable order log could not be written (the system's message).
    #[error("{0}; the exercise stops (the orders answered so far are in orders.log)")]
    OrderLog(String),
    #[error(transparent)]
    Journal(#[from] crate::journal::JournalError),
    #[error(transparent)]
    Records(#[from] crate::outdir::OutError),
}

/// Where to listen, and the TLS configuration when the exercise is served over TLS.
pub struct Listen {
    pub addr: SocketAddr,
    pub tls: Option<tokio_rustls::TlsAcceptor>,
}

/// Hosts the exercise until it ends: binds `listen`, says where on standard output, runs the
/// simulation thread and the server.
pub fn host(
    sc: Arc<ValidScenario>,
    seats: Vec<Seat>,
    start: Start,
    out: PathBuf,
    listen: Listen,
    lang: crate::exercise::console::Lang,
    announce: impl FnOnce(SocketAddr),
) -> Result<(), ServeError> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(ServeError::Runtime)?;
    let listener = rt
        .block_on(tokio::net::TcpListener::bind(listen.addr))
        .map_err(|source| ServeError::Listen { addr: listen.addr, source })?;
    let addr = listener.local_addr().map_err(ServeError::Address)?;
    let (tx, rx) = std::sync::mpsc::channel();
    let hub = Arc::new(Hub::new(seats, sc, tx));
    let sim_hub = hub.clone();
    let sim = std::thread::Builder::new()
        .name("drillsim-sim".into())
        .spawn(move || room::run(start, sim_hub, rx, out, lang))
        .map_err(ServeError::Thread)?;
    announce(addr);
    let mut closed = hub.closed.subscribe();
    let app = http::router(hub.clone());
    let stop = async move {
        let _ = closed.wait_for(|c| *c).await;
        // Let the seats receive the last feed and state before the server goes.
        tokio::time::sleep(Duration::from_millis(1500)).await;
    };
    let served = match listen.tls {
        Some(tls) => rt.block_on(async move {
            let listener = tls::TlsListener::new(listener, tls)?;
            axum::serve(listener, app).with_graceful_shutdown(stop).await
        }),
        None => {
            // Small messages answered at once: no Nagle delay on the seats' connections.
            let listener = axum::serve::ListenerExt::tap_io(listener, |tcp: &mut tokio::net::TcpStream| {
                let _ = tcp.set_nodelay(true);
            });
            rt.block_on(async move { axum::serve(listener, app).with_graceful_shutdown(stop).await })
        }
    };
    // Open connections end with the runtime.
    rt.shutdown_timeout(Duration::from_secs(1));
    let result = sim.join().map_err(|_| ServeError::Panicked)?;
    served.map_err(ServeError::Server)?;
    result
}
