//! A client's side of the seat protocol of `drillsim serve` (`docs/protocol.md`): the messages a
//! seat sends (encoded) and receives (decoded), and [`SeatView`], what a seat knows so far from
//! them (its seat and the scenario's directory, its numbered feed of journal entries, the latest
//! state, the answers to what it sent). `drillsim play --connect` shows a `SeatView`; the
//! connection itself (a WebSocket on a thread, reconnecting with `since`) is [`net`], behind the
//! `seat` cargo feature. Nothing here runs the simulation: the server is authoritative.

#[cfg(feature = "seat")]
pub mod net;

use std::collections::{BTreeMap, VecDeque};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::journal::Entry;
use crate::report::Lang;
use crate::report::names::{Namer, display_name};
use crate::report::words::Words;
use crate::scenario::types::{ActionKind, Capability, Level, NodeKind, OrderKind};

/// The protocol version this client speaks.
pub const VERSION: u32 = 1;

/// What a client sends.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClientMsg {
    Hello {
        v: u32,
        token: String,
        since: u64,
    },
    /// An order for the seat's own agency (no `by`: the server puts the seat's).
    Order {
        id: String,
        order: OrderKind,
    },
    Ping {
        id: String,
    },
}

impl ClientMsg {
    pub fn hello(token: &str, since: u64) -> ClientMsg {
        ClientMsg::Hello { v: VERSION, token: token.to_string(), since }
    }

    /// The message as the JSON text sent over the WebSocket.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// A seat as the server names it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct SeatInfo {
    pub name: String,
    /// `player`, `facilitator`, `evaluator` or `observer`.
    pub role: String,
    #[serde(default)]
    pub agency: Option<String>,
}

impl SeatInfo {
    /// Whether the seat may give orders (players for their agency, the facilitator for control).
    pub fn orders(&self) -> bool {
        self.role == "player" || self.role == "facilitator"
    }

    pub fn control(&self) -> bool {
        self.role == "facilitator"
    }
}

/// What `welcome` says of the scenario: ids with names, the map, the seat's teams and forms.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Directory {
    pub name: String,
    pub start: String,
    pub step_s: u64,
    pub duration_s: u64,
    pub agencies: Vec<DirAgency>,
    pub nodes: Vec<DirNode>,
    pub roads: Vec<DirRoad>,
    pub zones: Vec<DirZone>,
    pub teams: Vec<DirTeam>,
    pub shelters: Vec<String>,
    pub depots: Vec<DirDepot>,
    pub intakes: Vec<DirIntake>,
    pub injects: Vec<DirInject>,
    pub powers: Vec<ActionKind>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct DirAgency {
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct DirNode {
    pub id: String,
    pub name: String,
    pub kind: NodeKind,
    /// Kilometres, east and north.
    pub pos: (f64, f64),
}

#[derive(Debug, Clone, Deserialize)]
pub struct DirRoad {
    #[serde(default)]
    pub id: Option<String>,
    pub from: String,
    pub to: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct DirZone {
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct DirTeam {
    pub id: String,
    pub name: String,
    pub agency: String,
    #[serde(default)]
    pub capabilities: Vec<Capability>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct DirDepot {
    pub node: String,
    #[serde(default)]
    pub items: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct DirIntake {
    pub node: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct DirInject {
    pub id: String,
    pub text: String,
    #[serde(default)]
    pub text_en: Option<String>,
}

/// One team in a `state` snapshot.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct TeamState {
    pub id: String,
    /// The node it is at (or last passed).
    pub at: String,
    #[serde(default)]
    pub to: Option<String>,
    #[serde(default)]
    pub task: Option<Capability>,
    #[serde(default)]
    pub working: bool,
}

/// A `state` snapshot: what the seat may see now.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct StateMsg {
    pub t: u64,
    pub time: String,
    pub paused: bool,
    pub speed: f64,
    pub ended: bool,
    #[serde(default)]
    pub level: Option<Level>,
    #[serde(default)]
    pub teams: Vec<TeamState>,
    #[serde(default)]
    pub stocks: BTreeMap<String, BTreeMap<String, f64>>,
    /// The control cell's extras (injects, closed roads, seats, score) as sent.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

/// One numbered feed item: a journal entry and, for a decision on a seat's order, its tag.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct FeedItem {
    pub entry: Entry,
    #[serde(default)]
    pub tag: Option<u64>,
}

/// What the server sends.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerMsg {
    Welcome {
        v: u32,
        seat: SeatInfo,
        #[serde(default)]
        since: u64,
        #[serde(default)]
        last: u64,
        scenario: Box<Directory>,
    },
    Feed {
        n: u64,
        item: Box<FeedItem>,
    },
    State(Box<StateMsg>),
    Ack {
        #[serde(default)]
        id: Option<String>,
        tag: u64,
    },
    Error {
        #[serde(default)]
        id: Option<String>,
        code: String,
        message: String,
    },
    Pong {
        #[serde(default)]
        id: Option<String>,
    },
}

impl ServerMsg {
    /// A message read from the WebSocket's text.
    pub fn parse(text: &str) -> Result<ServerMsg, serde_json::Error> {
        serde_json::from_str(text)
    }
}

/// An answer to something the seat sent: acknowledged with a tag (the decision follows in the
/// feed), or refused by the server with a code and a message.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    Ack { id: Option<String>, tag: u64 },
    Error { id: Option<String>, code: String, message: String },
}

/// Everything a seat knows from its server so far.
#[derive(Debug, Default)]
pub struct SeatView {
    pub seat: Option<SeatInfo>,
    pub dir: Directory,
    /// The feed's journal entries in order, with their tags.
    pub feed: Vec<FeedItem>,
    /// The last feed number received (what `since` says on a reconnect).
    pub last: u64,
    pub state: Option<StateMsg>,
    /// Answers to what this client sent, newest last (at most 200).
    pub answers: VecDeque<Answer>,
}

impl SeatView {
    /// Takes in one message. A feed item already held (a number at or below `last`) is skipped,
    /// so a reconnect that overlaps never shows an entry twice.
    pub fn apply(&mut self, msg: ServerMsg) {
        match msg {
            ServerMsg::Welcome { seat, scenario, .. } => {
                self.seat = Some(seat);
                self.dir = *scenario;
            }
            ServerMsg::Feed { n, item } => {
                if n > self.last {
                    self.last = n;
                    self.feed.push(*item);
                }
            }
            ServerMsg::State(s) => self.state = Some(*s),
            ServerMsg::Ack { id, tag } => self.answer(Answer::Ack { id, tag }),
            ServerMsg::Error { id, code, message } => self.answer(Answer::Error { id, code, message }),
            ServerMsg::Pong { .. } => {}
        }
    }

    fn answer(&mut self, a: Answer) {
        self.answers.push_back(a);
        while self.answers.len() > 200 {
            self.answers.pop_front();
        }
    }

    /// The decision (`order_accepted` / `order_refused`) on the order acknowledged with `tag`.
    pub fn decision(&self, tag: u64) -> Option<&Entry> {
        self.feed.iter().find(|i| i.tag == Some(tag)).map(|i| &i.entry)
    }

    /// Names in `lang` from the directory.
    pub fn namer(&self, lang: Lang) -> DirNamer<'_> {
        DirNamer { dir: &self.dir, w: Words::of(lang) }
    }
}

/// Names from a server's directory (what a seat's client has instead of the scenario).
pub struct DirNamer<'a> {
    pub dir: &'a Directory,
    pub w: &'static Words,
}

impl Namer for DirNamer<'_> {
    fn words(&self) -> &'static Words {
        self.w
    }

    fn agency(&self, id: &str) -> String {
        match self.dir.agencies.iter().find(|a| a.id == id) {
            Some(a) => match self.w.lang() {
                Lang::Zh => a.name_zh.clone(),
                Lang::En => a.name_en.clone(),
            },
            None if id == crate::scenario::CONTROL => self.w.t("control_cell"),
            None => id.to_string(),
        }
    }

    fn place(&self, id: &str) -> String {
        let lang = self.w.lang();
        let d = self.dir;
        if let Some(n) = d.nodes.iter().find(|n| n.id == id) {
            return display_name(&n.name, lang);
        }
        if let Some(z) = d.zones.iter().find(|z| z.id == id) {
            return z.name.as_deref().map_or_else(|| id.to_string(), |n| display_name(n, lang));
        }
        if let Some(r) = d.roads.iter().find(|r| r.id.as_deref() == Some(id)) {
            return self.w.f("road_between", &[("from", &self.place(&r.from)), ("to", &self.place(&r.to))]);
        }
        if let Some(t) = d.teams.iter().find(|t| t.id == id) {
            return display_name(&t.name, lang);
        }
        self.agency(id)
    }

    fn inject(&self, id: &str) -> String {
        match self.dir.injects.iter().find(|j| j.id == id) {
            Some(j) => {
                let text = match (self.w.lang(), &j.text_en) {
                    (Lang::En, Some(en)) => en.as_str(),
                    _ => j.text.as_str(),
                };
                crate::report::names::short(text, if self.w.lang() == Lang::Zh { 30 } else { 60 })
            }
            None => id.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::journal::Event;

    const WELCOME: &str = r#"{"type":"welcome","v":1,"seat":{"name":"water","role":"player","agency":"water"},
        "since":0,"last":3,"scenario":{"name":"x","start":"2015-07-10T06:00:00","step_s":60,"duration_s":3600,
        "agencies":[{"id":"water","name_zh":"县水利局","name_en":"County Water Bureau","role":"member"}],
        "nodes":[{"id":"lp","name":"沙湾堤段 Shawan levee","kind":"levee_point","pos":[1.0,2.0]}],
        "roads":[{"id":"r1","from":"lp","to":"lp"}],"zones":[{"id":"z1","name":"北区 North"}],
        "teams":[{"id":"t_levee","name":"县水利抢险队 Levee team","agency":"water","capabilities":["breach_closure"]}],
        "shelters":[],"depots":[],"intakes":[],"injects":[],"critical_tasks":[],"powers":["dispatch_team"]}}"#;

    fn feed(n: u64, seq: u64, tag: Option<u64>) -> String {
        let entry = Entry {
            seq,
            t: 60 * seq,
            time: "2015-07-10T06:00:00".into(),
            event: Event::TeamArrived {
                team: "t_levee".into(),
                at: "lp".into(),
                task: Some(Capability::BreachClosure),
            },
        };
        serde_json::json!({"type": "feed", "n": n, "item": {"entry": entry, "tag": tag}}).to_string()
    }

    #[test]
    fn a_welcome_gives_the_seat_and_names_for_its_ids() {
        let mut v = SeatView::default();
        v.apply(ServerMsg::parse(WELCOME).expect("welcome"));
        assert_eq!(v.seat.as_ref().map(|s| s.role.as_str()), Some("player"));
        assert!(v.seat.as_ref().is_some_and(|s| s.orders() && !s.control()));
        let zh = v.namer(Lang::Zh);
        assert_eq!(zh.place("t_levee"), "县水利抢险队");
        assert_eq!(zh.place("lp"), "沙湾堤段");
        assert_eq!(v.namer(Lang::En).agency("water"), "County Water Bureau");
        assert_eq!(v.namer(Lang::En).place("z1"), "North");
        assert_eq!(v.dir.powers, vec![ActionKind::DispatchTeam]);
    }

    #[test]
    fn the_feed_skips_what_it_already_has_and_says_the_last_number() {
        let mut v = SeatView::default();
        for m in [feed(1, 5, None), feed(2, 6, Some(1)), feed(2, 6, Some(1)), feed(1, 5, None), feed(3, 9, None)] {
            v.apply(ServerMsg::parse(&m).expect("feed"));
        }
        assert_eq!(v.last, 3);
        assert_eq!(v.feed.iter().map(|i| i.entry.seq).collect::<Vec<_>>(), [5, 6, 9]);
        assert_eq!(v.decision(1).map(|e| e.seq), Some(6));
        assert_eq!(ClientMsg::hello("ab", v.last).to_json(), r#"{"type":"hello","v":1,"token":"ab","since":3}"#);
    }

    #[test]
    fn acks_errors_and_states_are_kept() {
        let mut v = SeatView::default();
        for m in [
            r#"{"type":"ack","id":"c1","tag":4}"#,
            r#"{"type":"error","id":"c2","code":"forbidden","message":"no"}"#,
            r#"{"type":"state","t":60,"time":"2015-07-10T06:01:00","paused":true,"speed":60.0,"ended":false,
               "level":"III","teams":[{"id":"t_levee","at":"lp","to":null,"task":null,"working":false}],
               "stocks":{},"score":{"overall":50}}"#,
            r#"{"type":"pong","id":"p"}"#,
        ] {
            v.apply(ServerMsg::parse(m).unwrap_or_else(|e| panic!("{m}: {e}")));
        }
        assert_eq!(v.answers.len(), 2);
        assert_eq!(v.answers[0], Answer::Ack { id: Some("c1".into()), tag: 4 });
        let s = v.state.as_ref().expect("state");
        assert!(s.paused && s.level == Some(Level::III) && s.teams.len() == 1 && s.extra.contains_key("score"));
        assert!(ServerMsg::parse(r#"{"type":"shout"}"#).is_err());
    }

    /// The client's messages are the ones the server reads (the serve feature's own types).
    #[cfg(feature = "serve")]
    #[test]
    fn the_server_reads_what_the_client_sends() {
        use crate::serve::protocol::ClientMsg as Server;
        let hello = ClientMsg::hello("0f", 7).to_json();
        assert!(matches!(serde_json::from_str::<Server>(&hello), Ok(Server::Hello { v: 1, since: 7, .. })));
        let order = ClientMsg::Order {
            id: "c1".into(),
            order: OrderKind::Dispatch { team: "t".into(), to: "n".into(), task: Capability::BreachClosure },
        };
        match serde_json::from_str::<Server>(&order.to_json()) {
            Ok(Server::Order { id, by, order: o, .. }) => {
                assert_eq!((id.as_deref(), by), (Some("c1"), None));
                assert!(matches!(o, OrderKind::Dispatch { task: Capability::BreachClosure, .. }));
            }
            other => panic!("{other:?}"),
        }
        let ping = ClientMsg::Ping { id: "p".into() }.to_json();
        assert!(matches!(serde_json::from_str::<Server>(&ping), Ok(Server::Ping { .. })));
    }
}
