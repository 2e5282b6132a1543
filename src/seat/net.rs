//! The connection of a seat to `drillsim serve`: one WebSocket (tungstenite, synchronous) on a
//! thread of its own, with channels to the caller (the GUI polls them each frame). It says
//! `hello` with the last feed number it has, so a reconnect after a dropped connection gets
//! exactly what it missed; it reconnects by itself, once a second, until the token is refused
//! or the caller hangs up. Messages given while it is offline are sent once it is back.

use std::net::TcpStream;
use std::sync::mpsc::{Receiver, Sender, TryRecvError, channel};
use std::time::Duration;

use tungstenite::{Message, WebSocket};

use super::{ClientMsg, ServerMsg};

/// What the connection reports.
#[derive(Debug)]
pub enum Report {
    /// Connected and `hello` sent.
    Connected,
    Message(ServerMsg),
    /// The connection dropped (or could not be made); it tries again.
    Offline(String),
    /// The server refused the token: nothing more will happen.
    Refused(String),
}

/// A running connection: send messages with [`Client::send`], read reports with
/// [`Client::poll`]. Dropping it ends the thread.
pub struct Client {
    tx: Sender<ClientMsg>,
    rx: Receiver<Report>,
}

impl Client {
    /// Starts connecting to `addr` (`host:port`, or a `ws://host:port` URL) with `token`.
    pub fn connect(addr: &str, token: &str) -> Client {
        let (tx, out_rx) = channel();
        let (in_tx, rx) = channel();
        let (host, url) = endpoint(addr);
        let token = token.to_string();
        std::thread::Builder::new()
            .name("drillsim-seat".into())
            .spawn(move || run(&host, &url, &token, &out_rx, &in_tx))
            .expect("a thread for the seat's connection");
        Client { tx, rx }
    }

    pub fn send(&self, msg: ClientMsg) {
        let _ = self.tx.send(msg);
    }

    /// Every report since the last call.
    pub fn poll(&self) -> Vec<Report> {
        self.rx.try_iter().collect()
    }

    /// Waits up to `timeout` for the next report (tests and scripts).
    pub fn wait(&self, timeout: Duration) -> Option<Report> {
        self.rx.recv_timeout(timeout).ok()
    }
}

/// `host:port` to connect to and the WebSocket URL (`ws://host:port/ws`).
pub fn endpoint(addr: &str) -> (String, String) {
    let bare = addr.trim().trim_start_matches("ws://").trim_start_matches("http://");
    let host = bare.split('/').next().unwrap_or(bare).to_string();
    let url = format!("ws://{host}/ws");
    (host, url)
}

type Socket = WebSocket<TcpStream>;

/// Why the seat could not reach the server (said to the player as "offline: …").
#[derive(Debug, thiserror::Error)]
enum OpenError {
    #[error("{host}: {source}")]
    Connect { host: String, source: std::io::Error },
    #[error("{url}: {source}")]
    Handshake {
        url: String,
        source: Box<tungstenite::handshake::HandshakeError<tungstenite::ClientHandshake<TcpStream>>>,
    },
    #[error("{0}")]
    Socket(std::io::Error),
}

fn open(host: &str, url: &str) -> Result<Socket, OpenError> {
    let stream = TcpStream::connect(host).map_err(|source| OpenError::Connect { host: host.to_string(), source })?;
    let (mut socket, _) = tungstenite::client(url, stream)
        .map_err(|source| OpenError::Handshake { url: url.to_string(), source: Box::new(source) })?;
    // short reads, so that the thread also looks at what the caller wants sent
    socket.get_mut().set_read_timeout(Some(Duration::from_millis(30))).map_err(OpenError::Socket)?;
    Ok(socket)
}

fn run(host: &str, url: &str, token: &str, out: &Receiver<ClientMsg>, reports: &Sender<Report>) {
    let mut since = 0u64;
    let mut waiting: Vec<ClientMsg> = Vec::new();
    loop {
        let mut socket = match open(host, url) {
            Ok(s) => s,
            Err(e) => {
                if reports.send(Report::Offline(e.to_string())).is_err() || !pause(out, &mut waiting) {
                    return;
                }
                continue;
            }
        };
        let said = socket.send(Message::text(ClientMsg::hello(token, since).to_json()));
        if said.is_ok() && reports.send(Report::Connected).is_err() {
            return;
        }
        let why = match said {
            Err(e) => e.to_string(),
            Ok(()) => match session(&mut socket, out, reports, &mut since, &mut waiting) {
                Ending::CallerGone => {
                    let _ = socket.close(None);
                    return;
                }
                Ending::Refused(why) => {
                    let _ = reports.send(Report::Refused(why));
                    return;
                }
                Ending::Dropped(why) => why,
            },
        };
        if reports.send(Report::Offline(why)).is_err() || !pause(out, &mut waiting) {
            return;
        }
    }
}

enum Ending {
    CallerGone,
    Refused(String),
    Dropped(String),
}

/// One connection's life: forwards what the server says, sends what the caller gives.
fn session(
    socket: &mut Socket,
    out: &Receiver<ClientMsg>,
    reports: &Sender<Report>,
    since: &mut u64,
    waiting: &mut Vec<ClientMsg>,
) -> Ending {
    loop {
        loop {
            match out.try_recv() {
                Ok(m) => waiting.push(m),
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Disconnected) => return Ending::CallerGone,
            }
        }
        for m in std::mem::take(waiting) {
            if let Err(e) = socket.send(Message::text(m.to_json())) {
                return Ending::Dropped(e.to_string());
            }
        }
        match socket.read() {
            Ok(Message::Text(text)) => match ServerMsg::parse(text.as_str()) {
                Ok(msg) => {
                    if let ServerMsg::Feed { n, .. } = &msg {
                        *since = (*since).max(*n);
                    }
                    if let ServerMsg::Error { code, message, .. } = &msg
                        && code == "bad_token"
                    {
                        return Ending::Refused(message.clone());
                    }
                    if reports.send(Report::Message(msg)).is_err() {
                        return Ending::CallerGone;
                    }
                }
                Err(e) => {
                    let _ = reports.send(Report::Offline(format!("a message this client does not read: {e}")));
                }
            },
            Ok(Message::Close(_)) => return Ending::Dropped("the server closed the connection".into()),
            Ok(_) => {}
            Err(tungstenite::Error::Io(e))
                if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {}
            Err(e) => return Ending::Dropped(e.to_string()),
        }
    }
}

/// Waits a second before reconnecting, keeping what the caller gives meanwhile; false when the
/// caller is gone.
fn pause(out: &Receiver<ClientMsg>, waiting: &mut Vec<ClientMsg>) -> bool {
    std::thread::sleep(Duration::from_secs(1));
    loop {
        match out.try_recv() {
            Ok(m) => waiting.push(m),
            Err(TryRecvError::Empty) => return true,
            Err(TryRecvError::Disconnected) => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_becomes_the_ws_url_of_the_seat_protocol() {
        assert_eq!(endpoint("127.0.0.1:7878"), ("127.0.0.1:7878".into(), "ws://127.0.0.1:7878/ws".into()));
        assert_eq!(endpoint("ws://10.0.0.2:80/ws"), ("10.0.0.2:80".into(), "ws://10.0.0.2:80/ws".into()));
    }

    #[test]
    fn a_server_that_is_not_there_is_reported_offline() {
        // a port nobody listens on: bind one, note it, close it
        let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port());
        let c = Client::connect(&format!("127.0.0.1:{}", port.expect("a port")), "00");
        assert!(matches!(c.wait(Duration::from_secs(5)), Some(Report::Offline(_))));
    }
}
