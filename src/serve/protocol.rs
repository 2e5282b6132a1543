//! The seat protocol (version 1): JSON text messages over one WebSocket per client, documented
//! for client writers in `docs/protocol.md`. The server is authoritative: a client only asks;
//! the journal says what happened.
//!
//! Every `feed` message to a seat carries `n`, 1, 2, 3, … for that seat; a client that
//! reconnects says the last `n` it has (`since`) and gets everything after it. `state` messages
//! are whole snapshots (the latest is sent on every connect), so they are not numbered.

use serde::{Deserialize, Serialize};

use crate::journal::{Entry, Event};
use crate::report::Lang;
use crate::report::names::Names;
use crate::scenario::ValidScenario;
use crate::scenario::time::TimeSpec;
use crate::scenario::types::{OrderKind, Rating};

/// The protocol version this server speaks.
pub const VERSION: u32 = 1;
/// The largest message a client may send (bytes); larger ones are answered `too_big`.
pub const MAX_MESSAGE_BYTES: usize = 16 * 1024;
/// Messages a seat may send per second, sustained (all its connections together)…
pub const RATE_PER_S: f64 = 10.0;
/// …and in one burst.
pub const BURST: f64 = 30.0;

/// What a client sends.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum ClientMsg {
    /// The first message on a connection: the protocol version, the seat's token, and the last
    /// feed number the client already has (0: none).
    Hello {
        v: u32,
        token: String,
        #[serde(default)]
        since: u64,
    },
    /// An order for the seat's agency (the facilitator's: for the control cell). `by` may be
    /// left out; naming another agency is an impersonation attempt, refused and journaled.
    Order {
        #[serde(default)]
        id: Option<String>,
        #[serde(default)]
        by: Option<String>,
        #[serde(default)]
        at: Option<TimeSpec>,
        order: OrderKind,
    },
    /// An evaluator's observation (evaluator and facilitator seats).
    Observe {
        #[serde(default)]
        id: Option<String>,
        #[serde(default)]
        capability: String,
        #[serde(default)]
        seen: String,
        #[serde(default)]
        rating: Option<Rating>,
        #[serde(default)]
        note: String,
    },
    Ping {
        #[serde(default)]
        id: Option<String>,
    },
}

/// One numbered item of a seat's feed: a journal entry the seat may see, with the answer
/// number (`tag`) when it is the decision on an order a seat gave, and, for a refusal, why in
/// words with names (`said`).
#[derive(Debug, Clone, Serialize)]
pub struct FeedItem<'a> {
    pub entry: &'a Entry,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tag: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub said: Option<Said>,
}

/// Why an order was refused, in both languages with names (a page shows its own language).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Said {
    pub zh: String,
    pub en: String,
}

impl Said {
    /// The refusal an `order_refused` entry carries, said in both languages (`None` for any
    /// other entry).
    pub fn refusal(sc: &ValidScenario, e: &Entry) -> Option<Said> {
        let Event::OrderRefused { refusal: Some(r), .. } = &e.event else { return None };
        let say = |lang| crate::report::refusal::sentence(&Names::new(sc, lang), r);
        Some(Said { zh: say(Lang::Zh), en: say(Lang::En) })
    }
}

/// Error codes of `error` messages.
pub mod code {
    /// Not JSON, or not a message of this protocol.
    pub const MALFORMED: &str = "malformed";
    pub const TOO_BIG: &str = "too_big";
    pub const RATE_LIMITED: &str = "rate_limited";
    /// The token opens no seat (the connection is closed).
    pub const BAD_TOKEN: &str = "bad_token";
    pub const BAD_VERSION: &str = "bad_version";
    /// `hello` must come first, once.
    pub const NOT_LOGGED_IN: &str = "not_logged_in";
    /// The seat's role may not do that (evaluators and observers give no orders).
    pub const FORBIDDEN: &str = "forbidden";
    /// The order names something the scenario does not have; it was not queued.
    pub const INVALID: &str = "invalid";
    /// The exercise has ended; nothing more is taken.
    pub const ENDED: &str = "ended";
    /// The server could not make the order durable; it was not queued.
    pub const SERVER: &str = "server";
}

/// An `error` message (never fatal, except `bad_token`).
pub fn error(id: Option<&str>, code: &str, message: &str) -> String {
    serde_json::json!({"type": "error", "id": id, "code": code, "message": message}).to_string()
}

/// An `ack`: the order is in the durable order log, numbered `tag`; its decision comes in the
/// feed as the `order_accepted` or `order_refused` entry with the same `tag`.
pub fn ack(id: Option<&str>, tag: u64) -> String {
    serde_json::json!({"type": "ack", "id": id, "tag": tag}).to_string()
}

/// A feed message: number `n` of its seat, `item` a [`FeedItem`] as JSON text.
pub fn feed(n: u64, item: &str) -> String {
    format!("{{\"type\":\"feed\",\"n\":{n},\"item\":{item}}}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_messages_parse_and_unknown_fields_are_refused() {
        let m: ClientMsg = serde_json::from_str(r#"{"type":"hello","v":1,"token":"ab","since":4}"#).unwrap();
        assert!(matches!(m, ClientMsg::Hello { v: 1, since: 4, .. }));
        let m: ClientMsg =
            serde_json::from_str(r#"{"type":"order","id":"c1","at":"+2h","order":{"SetLevel":"III"}}"#).unwrap();
        assert!(matches!(m, ClientMsg::Order { at: Some(TimeSpec::Offset(7200)), .. }));
        let m: ClientMsg = serde_json::from_str(r#"{"type":"order","order":"Pause"}"#).unwrap();
        assert!(matches!(m, ClientMsg::Order { order: OrderKind::Pause, .. }));
        assert!(serde_json::from_str::<ClientMsg>(r#"{"type":"order","order":"Pause","x":1}"#).is_err());
        assert!(serde_json::from_str::<ClientMsg>(r#"{"type":"shout"}"#).is_err());
    }
}
