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

use super::ServeError;
use super::protocol::{self, FeedItem, code};
use super::seats::Seat;
use super::sight::Sights;
use super::view::{self, Owners, Tagger};
use crate::exercise::console::{Lang, happening};
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
pub type Start = Box<dyn FnOnce() -> Result<(Live, Tagger), ServeError> + Send>;

/// The simulation thread's state.
struct Room {
    live: Live,
    sc: Arc<ValidScenario>,
    hub: Arc<Hub>,
    owners: Owners,
    /// What each seat knows of the hazards.
    sights: Sights,
    tagger: Tagger,
    published: usize,
    /// The language of what the server's terminal tells as it happens.
    lang: Lang,
    last_state: Option<Instant>,
    last_score: Option<(Instant, Value)>,
    /// The live score being computed on a helper thread (it reads a copy of the journal), so
    /// that scoring never holds up an order's acknowledgement.
    scoring: Option<std::thread::JoinHandle<(Value, Duration)>>,
    /// How long the last scoring took.
    score_took: Duration,
    /// The journal file, which the scoring helper reads (it is flushed after every pass).
    journal_path: PathBuf,
}

/// Runs the room until the exercise ends; then writes `run_ended`, `orders.ron` and
/// `summary.json` like `drillsim live`.
pub fn run(start: Start, hub: Arc<Hub>, rx: Receiver<Cmd>, out: PathBuf, lang: Lang) -> Result<(), ServeError> {
    let result = run_inner(start, &hub, rx, out, lang);
    {
        let mut s = hub.lock();
        s.ended = true;
    }
    hub.wake_all();
    hub.closed.send_replace(true);
    result
}

fn run_inner(start: Start, hub: &Arc<Hub>, rx: Receiver<Cmd>, out: PathBuf, lang: Lang) -> Result<(), ServeError> {
    let (live, tagger) = start()?;
    let sc = live.app.world().resource::<ScenarioRes>().0.clone();
    let mut room = Room {
        live,
        owners: Owners::of(&sc),
        sights: Sights::new(&sc, &hub.seats),
        sc,
        hub: hub.clone(),
        tagger,
        published: 0,
        lang,
        last_state: None,
        last_score: None,
        scoring: None,
        score_took: Duration::ZERO,
        journal_path: out.join("journal.jsonl"),
    };
    room.publish(true);
    let mut behind = false;
    loop {
        // Orders are taken between every two steps, and all that have arrived are made durable
        // with one fsync (a group commit), so an acknowledgement waits for at most one step.
        let mut batch = Vec::new();
        if behind {
            batch.extend(rx.try_iter());
        } else {
            match rx.recv_timeout(room.live.idle()) {
                Ok(c) => batch.push(c),
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => break,
            }
            batch.extend(rx.try_iter());
        }
        room.handle(batch);
        behind = room.live.pace(1) == 1 && room.live.idle() <= Duration::from_millis(1);
        room.live.answers(); // decisions reach the seats as tagged journal entries
        if let Some(e) = &room.live.log_error {
            return Err(ServeError::OrderLog(e.clone()));
        }
        if let Some(e) = &room.live.app.world().resource::<Journal>().error {
            return Err(crate::journal::JournalError::Write(e.clone()).into());
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

/// The entries of a journal file being written, read line by line (no copy of the whole text):
/// every whole line (a last line still being written is left for the next time).
fn journal_so_far(path: &std::path::Path) -> Vec<crate::journal::Entry> {
    use std::io::BufRead;
    let Ok(f) = std::fs::File::open(path) else { return Vec::new() };
    let mut r = std::io::BufReader::new(f);
    let (mut out, mut line) = (Vec::new(), Vec::new());
    while r.read_until(b'\n', &mut line).is_ok_and(|n| n > 0) && line.ends_with(b"\n") {
        match serde_json::from_slice(&line) {
            Ok(e) => out.push(e),
            Err(_) => break,
        }
        line.clear();
    }
    out
}

impl Room {
    /// Takes the orders that arrived together: each checked, the valid ones made durable at once
    /// ([`Live::queue_all`]), then every one answered.
    fn handle(&mut self, batch: Vec<Cmd>) {
        if batch.is_empty() {
            return;
        }
        let mut replies = Vec::new();
        let mut valid = Vec::new();
        for c in batch {
            let Cmd::Order { seat, by, claimed, at, order, reply } = c;
            match self.check(claimed.as_deref(), &order) {
                Ok(()) => valid.push((seat, LiveLine { at, by, order }, claimed, reply)),
                Err(e) => replies.push((reply, Err(e))),
            }
        }
        let now = self.live.app.world().resource::<SimClock>().now;
        let lines = valid.iter().map(|(_, l, claimed, _)| (l.clone(), claimed.clone())).collect();
        let logged = self.live.queue_all(lines);
        for ((seat, line, _, reply), rec) in valid.into_iter().zip(logged) {
            if let Some(e) = &self.live.log_error {
                replies.push((reply, Err((code::SERVER, e.clone()))));
                continue;
            }
            self.hub.lock().last_action[seat] = Some((now, crate::replay::course::order_name(&line.order)));
            replies.push((reply, Ok(rec.tag)));
            self.tagger.add(rec);
        }
        for (reply, r) in replies {
            let _ = reply.send(r);
        }
    }

    /// Whether an order may be queued: the exercise goes on and its ids exist.
    fn check(&self, claimed: Option<&str>, order: &OrderKind) -> Result<(), (&'static str, String)> {
        if self.live.finished() {
            return Err((code::ENDED, "the exercise has ended".into()));
        }
        let ids = ScenarioIds::of(&self.sc);
        if let Some(c) = claimed.filter(|c| *c != CONTROL && !ids.agencies.contains(*c)) {
            return Err((code::INVALID, format!("by: unknown agency \"{c}\"")));
        }
        if let Some(problem) = order_id_problems(order, ids).into_iter().next() {
            return Err((code::INVALID, format!("order.{}: {problem}", problem.field)));
        }
        Ok(())
    }

    /// Hands new journal entries to the seats that see them (waking those seats at once), and
    /// refreshes states: after new entries at most twenty times a second, else five times a
    /// second, unless `force`.
    fn publish(&mut self, force: bool) {
        let entries = &self.live.app.world().resource::<Journal>().entries;
        let new = self.published < entries.len();
        if new {
            let mut woken = vec![false; self.hub.seats.len()];
            {
                let mut s = self.hub.lock();
                for e in &entries[self.published..] {
                    if let Some(h) = happening(&self.sc, e, self.lang) {
                        eprintln!("{h}");
                    }
                    let tag = self.tagger.tag_of(e);
                    let k = s.items.len() as u32;
                    let mut seen = false;
                    self.sights.absorb(e);
                    for (i, seat) in self.hub.seats.iter().enumerate() {
                        if view::sees(seat, self.sights.of(i), &e.event, &self.owners) {
                            s.feeds[i].push(k);
                            woken[i] = true;
                            seen = true;
                        }
                    }
                    if seen {
                        let said = protocol::Said::refusal(&self.sc, e);
                        let item = serde_json::to_string(&FeedItem { entry: e, tag, said }).expect("entries serialize");
                        s.items.push(Arc::from(item));
                    }
                }
            }
            self.published = entries.len();
            for (w, _) in self.hub.wake.iter().zip(&woken).filter(|(_, w)| **w) {
                w.send_modify(|v| *v += 1);
            }
        }
        let since = self.last_state.map_or(Duration::MAX, |l| l.elapsed());
        if force || since >= Duration::from_millis(200) || (new && since >= Duration::from_millis(50)) {
            self.last_state = Some(Instant::now());
            let extra = self.control_extra(force);
            let world = self.live.app.world();
            let states: Vec<Arc<str>> = self
                .hub
                .seats
                .iter()
                .enumerate()
                .map(|(i, seat)| {
                    let (seen, hazards) = (self.sights.of(i), self.sights.state(i));
                    Arc::from(view::state(world, &self.sc, seat, seen, hazards, &extra).to_string())
                })
                .collect();
            self.hub.lock().states = states;
            self.hub.wake_all();
        }
    }

    /// What only the control cell's state carries: every seat with its connections and last
    /// order, and the live score (recomputed every two seconds).
    fn control_extra(&mut self, force: bool) -> Value {
        if self.scoring.as_ref().is_some_and(|j| j.is_finished() || force)
            && let Some((v, took)) = self.scoring.take().and_then(|j| j.join().ok())
        {
            self.last_score = Some((Instant::now(), v));
            self.score_took = took;
        }
        // Every two seconds, or less often when scoring takes long (at most a tenth of the time).
        let every = Duration::from_secs(2).max(self.score_took * 10);
        let stale = self.last_score.as_ref().is_none_or(|(t, _)| t.elapsed() >= every);
        if (force || stale) && self.scoring.is_none() {
            // The helper reads the journal from its file: the simulation thread neither copies
            // it nor keeps a second copy in memory.
            let path = self.journal_path.clone();
            let sc = self.sc.clone();
            let job = move || {
                let began = Instant::now();
                let entries = journal_so_far(&path);
                let score = crate::scoring::score(&sc, &entries);
                (json!({"overall": score.overall, "parts": score.parts, "agencies": score.agencies}), began.elapsed())
            };
            if force {
                self.last_score = Some((Instant::now(), job().0));
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
