//! The network side: axum serves the pages (embedded, so a room network needs nothing else) and
//! one WebSocket per client at `/ws`, speaking the seat protocol (`protocol.rs`).

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use futures_util::{SinkExt, StreamExt};
use serde_json::json;
use tokio::sync::oneshot;

use super::protocol::{self, ClientMsg, code};
use super::room::{Cmd, Hub};
use super::seats::{self, Role};
use super::view;
use crate::scenario::CONTROL;
use crate::scenario::types::OrderKind;

const PAGE: &str = include_str!("../../assets/web/index.html");
const SCRIPT: &str = include_str!("../../assets/web/app.js");
const STYLE: &str = include_str!("../../assets/web/app.css");

/// The routes: `/` (seat page), `/facilitator` and `/evaluator` (the same page, which shows
/// what the seat's role has), `/app.js`, `/app.css`, `/ws`.
pub fn router(hub: Arc<Hub>) -> Router {
    Router::new()
        .route("/", get(page))
        .route("/facilitator", get(page))
        .route("/evaluator", get(page))
        .route("/app.js", get(|| async { asset("text/javascript; charset=utf-8", SCRIPT) }))
        .route("/app.css", get(|| async { asset("text/css; charset=utf-8", STYLE) }))
        .route("/ws", get(ws))
        .with_state(hub)
}

async fn page() -> Html<&'static str> {
    Html(PAGE)
}

fn asset(kind: &'static str, body: &'static str) -> Response {
    ([(header::CONTENT_TYPE, kind), (header::CACHE_CONTROL, "no-cache")], body).into_response()
}

async fn ws(upgrade: WebSocketUpgrade, State(hub): State<Arc<Hub>>) -> Response {
    // The transport's own cap is well above the protocol's limit, so that a message over the
    // limit is answered (`too_big`) rather than ending the connection.
    upgrade
        .max_message_size(4 * protocol::MAX_MESSAGE_BYTES)
        .max_frame_size(4 * protocol::MAX_MESSAGE_BYTES)
        .on_upgrade(move |socket| connection(socket, hub))
}

type Tx = futures_util::stream::SplitSink<WebSocket, Message>;

async fn send(tx: &mut Tx, text: &str) -> bool {
    tx.send(Message::Text(text.into())).await.is_ok()
}

/// One client: `hello` first (within 30 s), then orders and pings; feed and state as they come.
async fn connection(socket: WebSocket, hub: Arc<Hub>) {
    let (mut tx, mut rx) = socket.split();
    let deadline = tokio::time::sleep(Duration::from_secs(30));
    tokio::pin!(deadline);
    let (seat, since) = loop {
        let msg = tokio::select! {
            m = rx.next() => m,
            _ = &mut deadline => { let _ = send(&mut tx, &protocol::error(None, code::NOT_LOGGED_IN, "no hello within 30 s")).await; return; }
        };
        let text = match msg {
            Some(Ok(Message::Text(t))) => t,
            Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return,
            Some(Ok(Message::Binary(_))) => {
                let _ = send(&mut tx, &protocol::error(None, code::MALFORMED, "messages are JSON text")).await;
                continue;
            }
            Some(Ok(_)) => continue,
        };
        if text.len() > protocol::MAX_MESSAGE_BYTES {
            let _ = send(&mut tx, &protocol::error(None, code::TOO_BIG, "message too big")).await;
            continue;
        }
        match serde_json::from_str::<ClientMsg>(&text) {
            Ok(ClientMsg::Hello { v, token, since }) => {
                if v != protocol::VERSION {
                    let m = format!("this server speaks protocol version {}, not {v}", protocol::VERSION);
                    let _ = send(&mut tx, &protocol::error(None, code::BAD_VERSION, &m)).await;
                    continue;
                }
                match seats::find(&hub.seats, token.trim()) {
                    Some(i) => break (i, since),
                    None => {
                        // A wrong token ends the connection: guessing costs a new connection each.
                        tokio::time::sleep(Duration::from_millis(250)).await;
                        let _ =
                            send(&mut tx, &protocol::error(None, code::BAD_TOKEN, "this token opens no seat")).await;
                        let _ = tx.send(Message::Close(None)).await;
                        return;
                    }
                }
            }
            Ok(_) => {
                let _ = send(&mut tx, &protocol::error(None, code::NOT_LOGGED_IN, "send hello with your token first"))
                    .await;
            }
            Err(e) => {
                let _ = send(&mut tx, &protocol::error(None, code::MALFORMED, &e.to_string())).await;
            }
        }
    };
    let me = &hub.seats[seat];
    eprintln!("drillsim serve: seat \"{}\" connected", me.name);
    let last = hub.lock().feeds[seat].len() as u64;
    let welcome = json!({
        "type": "welcome", "v": protocol::VERSION,
        "seat": {"name": me.name, "role": me.role, "agency": me.agency},
        "since": since.min(last), "last": last,
        "scenario": view::directory(&hub.sc, me),
    });
    if !send(&mut tx, &welcome.to_string()).await {
        return;
    }
    hub.connected(seat, true);
    let mut wake = hub.wake[seat].subscribe();
    let mut cursor = since.min(last) as usize;
    let mut state_sent: Option<Arc<str>> = None;
    'conn: loop {
        // Everything the seat has not had yet, then the latest state.
        let (pending, state) = {
            let s = hub.lock();
            let mine = &s.feeds[seat];
            let upto = mine.len().min(cursor + 256); // in slices, so the lock is short
            let msgs: Vec<String> =
                (cursor..upto).map(|i| protocol::feed(i as u64 + 1, &s.items[mine[i] as usize])).collect();
            (msgs, s.states[seat].clone())
        };
        let more = pending.len() == 256;
        for m in &pending {
            if !send(&mut tx, m).await {
                break 'conn;
            }
        }
        cursor += pending.len();
        if more {
            continue;
        }
        if state_sent.as_ref().is_none_or(|s| !Arc::ptr_eq(s, &state)) {
            if !send(&mut tx, &state).await {
                break;
            }
            state_sent = Some(state);
        }
        tokio::select! {
            changed = wake.changed() => if changed.is_err() { break },
            m = rx.next() => match m {
                Some(Ok(Message::Text(text))) => {
                    if let Some(reply) = answer(&hub, seat, &text).await && !send(&mut tx, &reply).await {
                        break;
                    }
                }
                Some(Ok(Message::Binary(_))) => {
                    if !send(&mut tx, &protocol::error(None, code::MALFORMED, "messages are JSON text")).await {
                        break;
                    }
                }
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break,
                Some(Ok(_)) => {}
            },
        }
    }
    hub.connected(seat, false);
    eprintln!("drillsim serve: seat \"{}\" disconnected", me.name);
}

/// The reply to one message of a logged-in seat (`None`: nothing to say).
async fn answer(hub: &Hub, seat: usize, text: &str) -> Option<String> {
    if text.len() > protocol::MAX_MESSAGE_BYTES {
        let m = format!("a message may have at most {} bytes", protocol::MAX_MESSAGE_BYTES);
        return Some(protocol::error(None, code::TOO_BIG, &m));
    }
    if !hub.spend(seat) {
        let m = format!("at most {} messages a second (bursts of {})", protocol::RATE_PER_S, protocol::BURST);
        return Some(protocol::error(None, code::RATE_LIMITED, &m));
    }
    let msg = match serde_json::from_str::<ClientMsg>(text) {
        Ok(m) => m,
        Err(e) => return Some(protocol::error(None, code::MALFORMED, &e.to_string())),
    };
    let me = &hub.seats[seat];
    let (id, by, claimed, at, order) = match msg {
        ClientMsg::Hello { .. } => return Some(protocol::error(None, code::MALFORMED, "already logged in")),
        ClientMsg::Ping { id } => return Some(json!({"type": "pong", "id": id}).to_string()),
        ClientMsg::Order { id, by: claimed_by, at, order } => {
            let by = match (me.role, &me.agency) {
                (Role::Player, Some(a)) => a.clone(),
                (Role::Facilitator, _) => CONTROL.to_string(),
                _ => {
                    let m = "evaluators and observers give no orders";
                    return Some(protocol::error(id.as_deref(), code::FORBIDDEN, m));
                }
            };
            let claimed = claimed_by.filter(|c| *c != by);
            (id, by, claimed, at, order)
        }
        ClientMsg::Observe { id, capability, seen, rating, note } => {
            if !matches!(me.role, Role::Evaluator | Role::Facilitator) {
                return Some(protocol::error(id.as_deref(), code::FORBIDDEN, "only evaluators record observations"));
            }
            let order = OrderKind::Observe { evaluator: me.name.clone(), capability, seen, rating, note };
            (id, CONTROL.to_string(), None, None, order)
        }
    };
    let (reply, wait) = oneshot::channel();
    let cmd = Cmd::Order { seat, by, claimed, at, order, reply };
    if hub.cmd.lock().unwrap_or_else(|p| p.into_inner()).send(cmd).is_err() {
        return Some(protocol::error(id.as_deref(), code::ENDED, "the exercise has ended"));
    }
    Some(match wait.await {
        Ok(Ok(tag)) => protocol::ack(id.as_deref(), tag),
        Ok(Err((c, m))) => protocol::error(id.as_deref(), c, &m),
        Err(_) => protocol::error(id.as_deref(), code::ENDED, "the exercise has ended"),
    })
}
