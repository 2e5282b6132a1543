//! The exercise room: the simulation on its own thread (the same `exercise::live::Live` engine,
//! order door, durable order log and journal as `drillsim live`), and the hub where it leaves
//! each seat's numbered feed and latest state for the network tasks to send.
//!
//! Network tasks never touch the simulation: they send [`Cmd`]s over a channel and wait for the
//! answer (the order's number once it is durable in `orders.log`). The simulation thread paces
//! the clock, decides orders, and after each pass hands the new journal entries to the seats
//! that may see them.

use std::path::PathBuf;
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tokio::sync::{oneshot, watch};

use super::protocol::{self, FeedItem, code};
use super::seats::Seat;
use super::view::{self, Owners, Tagger};
use crate::cli::console::{Lang, happening};
use crate::exercise::durable::LoggedOrder;
use crate::exercise::live::{Live, LiveLine, write_session_records};
use crate::exercise::orders::{ScenarioIds, order_id_problems};
use crate::journal::{Event, Journal};
use crate::scenario::time::TimeSpec;
use crate::scenario::types::OrderKind;
use crate::scenario::{CONTROL, ValidScenario};
use crate::sim::{ScenarioRes, SimClock};

/// What a network task asks of the simulation.
pub enum Cmd {
    /// Queue an order given at seat `seat` as `by`; `claimed`: the agency it claimed to act for
    /// when not `by`. The reply is the order's number once it is in the durable log.
    Order {
        seat: usize,
        by: String,
        claimed: Option<String>,
        at: Option<TimeSpec>,
        order: OrderKind,
        reply: oneshot::Sender<Result<u64, (&'static str, String)>>,
    },
}

/// What the simulation leaves for the network tasks.
#[derive(Default)]
pub struct Shared {
    /// The feed items (JSON text), one per journal entry any seat sees, shared by the seats.
    pub items: Vec<Arc<str>>,
    /// Per seat: its feed as indexes into `items`; feed number `n` = position + 1.
    pub feeds: Vec<Vec<u32>>,
    /// Per seat: its latest state message.
    pub states: Vec<Arc<str>>,
    /// Per seat: open connections.
    pub conns: Vec<u32>,
    /// Per seat: (simulated time, what) of its last order.
    pub last_action: Vec<Option<(u64, String)>>,
    /// Per seat: rate-limit bucket (tokens, last refill).
    pub buckets: Vec<(f64, Instant)>,
    /// The exercise has ended (no more orders are taken).
    pub ended: bool,
}

/// The hub between the simulation thread and the network tasks.
pub struct Hub {
    pub seats: Vec<Seat>,
    pub sc: Arc<ValidScenario>,
    pub shared: Mutex<Shared>,
    /// Per seat: bumped whenever its feed or state changes.
    pub wake: Vec<watch::Sender<u64>>,
    pub cmd: Mutex<std::sync::mpsc::Sender<Cmd>>,
    /// Set once the room has closed (the server then stops).
    pub closed: watch::Sender<bool>,
}

impl Hub {
    pub fn new(seats: Vec<Seat>, sc: Arc<ValidScenario>, cmd: std::sync::mpsc::Sender<Cmd>) -> Hub {
        let n = seats.len();
        let shared = Shared {
            items: Vec::new(),
            feeds: vec![Vec::new(); n],
            states: vec![Arc::from("{\"type\":\"state\"}"); n],
            conns: vec![0; n],
            last_action: vec![None; n],
            buckets: vec![(protocol::BURST, Instant::now()); n],
            ended: false,
        };
        Hub {
            seats,
            sc,
            shared: Mutex::new(shared),
            wake: (0..n).map(|_| watch::channel(0).0).collect(),
            cmd: Mutex::new(cmd),
            closed: watch::channel(false).0,
        }
    }

    pub fn lock(&self) -> std::sync::MutexGuard<'_, Shared> {
        self.shared.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn wake_all(&self) {
        for w in &self.wake {
            w.send_modify(|v| *v += 1);
        }
    }

    /// Takes one message from seat `i`'s rate budget; false when it is spent.
    pub fn spend(&self, i: usize) -> bool {
        let mut s = self.lock();
        let (tokens, last) = &mut s.buckets[i];
        let now = Instant::now();
        *tokens = (*tokens + now.duration_since(*last).as_secs_f64() * protocol::RATE_PER_S).min(protocol::BURST);
        *last = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            true
        } else {
            false
        }
    }

    pub fn connected(&self, i: usize, up: bool) {
        let mut s = self.lock();
        if up {
            s.conns[i] += 1;
        } else {
            s.conns[i] = s.conns[i].saturating_sub(1);
        }
    }
}

/// How the simulation thread gets its engine: built inside the thread (a Bevy app stays on the
/// thread that made it), with the tagger that knows the orders logged so far.
pub type Start = Box<dyn FnOnce() -> Result<(Live, Tagger), String> + Send>;

/// The simulation thread's state.
struct Room {
    live: Live,
    sc: Arc<ValidScenario>,
    hub: Arc<Hub>,
    owners: Owners,
    tagger: Tagger,
    published: usize,
    /// The language of what the server's terminal tells as it happens.
    lang: Lang,
    last_state: Option<Instant>,
    last_score: Option<(Instant, Value)>,
    /// The live score being computed on a helper thread (it reads a copy of the journal), so
    /// that scoring never holds up an order's acknowledgement.
    scoring: Option<std::thread::JoinHandle<Value>>,
}

/// Runs the room until the exercise ends; then writes `run_ended`, `orders.ron` and
/// `summary.json` like `drillsim live`. `Err` is a message for the operator.
pub fn run(start: Start, hub: Arc<Hub>, rx: Receiver<Cmd>, out: PathBuf, lang: Lang) -> Result<(), String> {
    let result = run_inner(start, &hub, rx, out, lang);
    {
        let mut s = hub.lock();
        s.ended = true;
    }
    hub.wake_all();
    hub.closed.send_replace(true);
    result
}

fn run_inner(start: Start, hub: &Arc<Hub>, rx: Receiver<Cmd>, out: PathBuf, lang: Lang) -> Result<(), String> {
    let (live, tagger) = start()?;
    let sc = live.app.world().resource::<ScenarioRes>().0.clone();
    let mut room = Room {
        live,
        owners: Owners::of(&sc),
        sc,
        hub: hub.clone(),
        tagger,
        published: 0,
        lang,
        last_state: None,
        last_score: None,
        scoring: None,
    };
    room.publish(true);
    loop {
        match rx.recv_timeout(room.live.idle()) {
            Ok(c) => room.handle(c),
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => break,
        }
        while let Ok(c) = rx.try_recv() {
            room.handle(c);
        }
        room.live.pace(10_000);
        room.live.answers(); // decisions reach the seats as tagged journal entries
        if let Some(e) = &room.live.log_error {
            return Err(format!("{e}; the exercise stops (the orders answered so far are in orders.log)"));
        }
        if let Some(e) = &room.live.app.world().resource::<Journal>().error {
            return Err(format!("cannot write the journal: {e}"));
        }
        let finished = room.live.finished();
        room.publish(finished);
        if finished {
            break;
        }
    }
    let world = room.live.app.world_mut();
    let clock = world.resource::<SimClock>().clone();
    let mut journal = world.resource_mut::<Journal>();
    journal.push(clock.now, clock.iso(clock.now), Event::RunEnded { steps: clock.steps_done });
    journal.flush();
    let entries = journal.entries.clone();
    write_session_records(&room.sc, &entries, &out)?;
    room.publish(true);
    eprintln!(
        "drillsim serve: ended at {} after {} steps; journal {} entries in {}",
        clock.iso(clock.now),
        clock.steps_done,
        entries.len(),
        out.display()
    );
    Ok(())
}

impl Room {
    fn handle(&mut self, c: Cmd) {
        match c {
            Cmd::Order { seat, by, claimed, at, order, reply } => {
                let r = self.queue(seat, by, claimed, at, order);
                let _ = reply.send(r);
            }
        }
    }

    fn queue(
        &mut self,
        seat: usize,
        by: String,
        claimed: Option<String>,
        at: Option<TimeSpec>,
        order: OrderKind,
    ) -> Result<u64, (&'static str, String)> {
        if self.live.finished() {
            return Err((code::ENDED, "the exercise has ended".into()));
        }
        let ids = ScenarioIds::of(&self.sc);
        if let Some(c) = claimed.as_deref().filter(|c| *c != CONTROL && !ids.agencies.contains(*c)) {
            return Err((code::INVALID, format!("by: unknown agency \"{c}\"")));
        }
        if let Some((field, msg)) = order_id_problems(&order, ids).into_iter().next() {
            return Err((code::INVALID, format!("order.{field}: {msg}")));
        }
        let now = self.live.app.world().resource::<SimClock>().now;
        let t = at.map_or(now, |at| self.sc.offset(&at).max(now as i64) as u64);
        let what = crate::replay::course::order_name(&order);
        let line = LiveLine { at, by: by.clone(), order: order.clone() };
        let tag = self.live.queue_claimed(line, claimed.clone());
        if let Some(e) = &self.live.log_error {
            return Err((code::SERVER, e.clone()));
        }
        self.tagger.add(LoggedOrder { tag, queued_at: now, t, by, order, claimed });
        self.hub.lock().last_action[seat] = Some((now, what));
        Ok(tag)
    }

    /// Hands new journal entries to the seats that see them, and refreshes states (at most five
    /// times a second unless `force`).
    fn publish(&mut self, force: bool) {
        let entries = &self.live.app.world().resource::<Journal>().entries;
        let new = self.published < entries.len();
        if new {
            let mut s = self.hub.lock();
            for e in &entries[self.published..] {
                if let Some(h) = happening(&self.sc, e, self.lang) {
                    eprintln!("{h}");
                }
                let tag = self.tagger.tag_of(e);
                let k = s.items.len() as u32;
                let mut seen = false;
                for (i, seat) in self.hub.seats.iter().enumerate() {
                    if view::sees(seat, &e.event, &self.owners) {
                        s.feeds[i].push(k);
                        seen = true;
                    }
                }
                if seen {
                    let item = serde_json::to_string(&FeedItem { entry: e, tag }).expect("entries serialize");
                    s.items.push(Arc::from(item));
                }
            }
            self.published = entries.len();
        }
        let due = self.last_state.is_none_or(|l| l.elapsed() >= Duration::from_millis(200));
        if force || new || due {
            self.last_state = Some(Instant::now());
            let extra = self.control_extra(force);
            let world = self.live.app.world();
            let states: Vec<Arc<str>> = self
                .hub
                .seats
                .iter()
                .map(|seat| Arc::from(view::state(world, &self.sc, seat, &extra).to_string()))
                .collect();
            self.hub.lock().states = states;
            self.hub.wake_all();
        }
    }

    /// What only the control cell's state carries: every seat with its connections and last
    /// order, and the live score (recomputed every two seconds).
    fn control_extra(&mut self, force: bool) -> Value {
        if self.scoring.as_ref().is_some_and(|j| j.is_finished() || force)
            && let Some(v) = self.scoring.take().and_then(|j| j.join().ok())
        {
            self.last_score = Some((Instant::now(), v));
        }
        let stale = self.last_score.as_ref().is_none_or(|(t, _)| t.elapsed() >= Duration::from_secs(2));
        if (force || stale) && self.scoring.is_none() {
            let entries = self.live.app.world().resource::<Journal>().entries.clone();
            let sc = self.sc.clone();
            let job = move || {
                let score = crate::scoring::score(&sc, &entries);
                json!({"overall": score.overall, "parts": score.parts, "agencies": score.agencies})
            };
            if force {
                self.last_score = Some((Instant::now(), job()));
            } else {
                self.scoring = std::thread::Builder::new().name("drillsim-score".into()).spawn(job).ok();
            }
        }
        let s = self.hub.lock();
        let seats: Vec<Value> = self
            .hub
            .seats
            .iter()
            .enumerate()
            .map(|(i, seat)| {
                json!({"name": seat.name, "role": seat.role, "agency": seat.agency, "connections": s.conns[i],
                       "last_action": s.last_action[i].as_ref().map(|(t, w)| json!({"t": t, "order": w}))})
            })
            .collect();
        json!({"seats": seats, "score": self.last_score.as_ref().map(|(_, v)| v.clone())})
    }
}
