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

/// Where to listen, and the TLS configuration when the exercise is served over TLS.
pub struct Listen {
    pub addr: SocketAddr,
    pub tls: Option<tokio_rustls::TlsAcceptor>,
}

/// Hosts the exercise until it ends: binds `listen`, says where on standard output, runs the
/// simulation thread and the server. `Err` is a message for the operator.
pub fn host(
    sc: Arc<ValidScenario>,
    seats: Vec<Seat>,
    start: Start,
    out: PathBuf,
    listen: Listen,
    lang: crate::cli::console::Lang,
    announce: impl FnOnce(SocketAddr),
) -> Result<(), String> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the network runtime: {e}"))?;
    let listener = rt
        .block_on(tokio::net::TcpListener::bind(listen.addr))
        .map_err(|e| format!("cannot listen on {}: {e}", listen.addr))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let (tx, rx) = std::sync::mpsc::channel();
    let hub = Arc::new(Hub::new(seats, sc, tx));
    let sim_hub = hub.clone();
    let sim = std::thread::Builder::new()
        .name("drillsim-sim".into())
        .spawn(move || room::run(start, sim_hub, rx, out, lang))
        .map_err(|e| format!("cannot start the simulation thread: {e}"))?;
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
    let result = sim.join().map_err(|_| "the simulation thread panicked".to_string())?;
    served.map_err(|e| format!("the server failed: {e}"))?;
    result
}
