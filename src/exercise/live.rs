//! Live mode: the exercise clock runs at a multiple of real time while orders arrive one per
//! line, each answered with accepted or refused and the reason. Lines are the order-file syntax
//! for one order, `(by: "ofc", order: SetLevel(III))` (optionally with `at: "+2h"` to give it for
//! a later time), or the same as JSON, `{"by": "ofc", "order": {"SetLevel": "III"}}`.
//!
//! This is the one path by which people reach a running simulation: the GUI and any networked
//! seat queue orders here, and the orders pass the same door as order files. While the
//! facilitator has paused the exercise, simulated time stands still, but orders are still
//! decided at once (a zero-time pass of the door); wall time spent paused is not made up
//! afterwards, so injects fall due one by one at their own simulated times, not in a burst.

use std::time::{Duration, Instant};

use bevy::prelude::*;
use serde::Deserialize;

use crate::exercise::ExerciseState;
use crate::exercise::durable::{LoggedOrder, OrderLog};
use crate::exercise::orders::{OrderBook, Pending, Refusal, ScenarioIds, order_id_problems};
use crate::journal::{Entry, Event, Journal};
use crate::scenario::diag::{QUOTE_CHARS, clip};
use crate::scenario::time::{TimeSpec, human_secs};
use crate::scenario::types::OrderKind;
use crate::scenario::{CONTROL, ValidScenario, ron_options};
use crate::sim::{SimClock, SimInput, StepsPerUpdate};

/// One line of live input.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LiveLine {
    /// When the order is for (default: now).
    #[serde(default)]
    pub at: Option<TimeSpec>,
    pub by: String,
    pub order: OrderKind,
}

/// Why a live line is invalid, said back to its sender (nothing is queued).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LineError {
    /// Not an order in the RON or JSON syntax; `message` is the reader's, clipped.
    #[error("column {col}: {message}")]
    Syntax { col: usize, message: String },
    #[error("unknown agency \"{}\" (or \"{CONTROL}\" for the facilitator)", clip(by, QUOTE_CHARS))]
    UnknownAgency { by: String },
    /// An id in the order that the scenario does not have.
    #[error("order.{field}: {}", clip(message, QUOTE_CHARS))]
    UnknownId { field: String, message: String },
    #[error("at {at} is after the scenario's end (+{}); nothing was queued", human_secs(*end))]
    AfterEnd { at: TimeSpec, end: i64 },
    #[error("at {at} has passed (the clock is at +{}); leave out `at` to give the order now", human_secs(*now))]
    Passed { at: TimeSpec, now: i64 },
}

/// Parses one input line (RON order syntax or JSON); the error is said back to the sender.
pub fn parse_line(line: &str, scenario: &ValidScenario) -> Result<LiveLine, LineError> {
    let t = line.trim();
    let parsed: LiveLine = if t.starts_with('{') {
        serde_json::from_str(t)
            .map_err(|e| LineError::Syntax { col: e.column(), message: clip(&e.to_string(), QUOTE_CHARS) })?
    } else {
        ron_options()
            .from_str(t)
            .map_err(|e| LineError::Syntax { col: e.span.start.col, message: clip(&e.code.to_string(), QUOTE_CHARS) })?
    };
    let ids = ScenarioIds::of(scenario);
    if parsed.by != CONTROL && !ids.agencies.contains(parsed.by.as_str()) {
        return Err(LineError::UnknownAgency { by: parsed.by });
    }
    if let Some(problem) = order_id_problems(&parsed.order, ids).into_iter().next() {
        return Err(LineError::UnknownId { field: problem.field.to_string(), message: problem.to_string() });
    }
    Ok(parsed)
}

/// What live mode says back for one line.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    Accepted {
        tag: u64,
        t: u64,
    },
    /// Refused by the door: `refusal` says why (its `Display` in English with ids; the console
    /// and the GUI say it in their language with names).
    Refused {
        tag: u64,
        t: u64,
        refusal: Refusal,
    },
    Invalid {
        tag: u64,
        reason: String,
    },
}

impl Answer {
    /// The answer as a line, a refusal's reason in English with ids.
    pub fn line(&self, clock: &SimClock) -> String {
        self.line_saying(clock, &|r| r.to_string())
    }

    /// The answer as a line, a refusal's reason as `why` says it.
    pub fn line_saying(&self, clock: &SimClock, why: &dyn Fn(&Refusal) -> String) -> String {
        match self {
            Answer::Accepted { tag, t } => format!("accepted #{tag} at +{} ({})", human_secs(*t as i64), clock.iso(*t)),
            Answer::Refused { tag, t, refusal } => {
                format!("refused #{tag} at +{} ({}): {}", human_secs(*t as i64), clock.iso(*t), why(refusal))
            }
            Answer::Invalid { tag, reason } => format!("invalid #{tag}: {reason}"),
        }
    }
}

/// Drives a built app in live mode.
pub struct Live {
    pub app: App,
    next_tag: u64,
    debt_s: f64,
    last: Option<Instant>,
    /// The durable order log: each queued order is written and fsynced here first.
    log: Option<OrderLog>,
    /// The first error writing the log; the order that met it was not queued.
    pub log_error: Option<String>,
}

impl Live {
    /// `paused`: start with the clock stopped (journaled as the facilitator's pause at t = 0).
    pub fn new(mut app: App, speed: f64, paused: bool) -> Live {
        app.world_mut().resource_mut::<StepsPerUpdate>().0 = 0;
        app.update(); // Startup only: spawn the world, no step yet
        app.world_mut().resource_mut::<ExerciseState>().speed = speed;
        let mut live = Live { app, next_tag: 1, debt_s: 0.0, last: None, log: None, log_error: None };
        if paused {
            live.app.world_mut().resource_mut::<OrderBook>().push(Pending {
                t: 0,
                by: CONTROL.into(),
                order: OrderKind::Pause,
                tag: None,
                claimed: None,
            });
            live.decide_now();
        }
        live
    }

    fn clock(&self) -> SimClock {
        self.app.world().resource::<SimClock>().clone()
    }

    pub fn finished(&self) -> bool {
        self.clock().finished()
    }

    pub fn paused(&self) -> bool {
        self.app.world().resource::<ExerciseState>().paused
    }

    /// Whether orders are queued for later.
    pub fn has_pending(&self) -> bool {
        let book = self.app.world().resource::<OrderBook>();
        book.next < book.pending.len()
    }

    /// Makes every order queued from now on durable in `log` before it can be decided.
    pub fn set_log(&mut self, log: OrderLog) {
        self.log = Some(log);
    }

    /// The next answer number (a resumed session goes on after the logged ones).
    /// The number the next line taken will get.
    pub fn next_tag(&self) -> u64 {
        self.next_tag
    }

    pub fn set_next_tag(&mut self, tag: u64) {
        self.next_tag = tag;
    }

    /// Queues a parsed line; returns its tag. With a log, the order is written and fsynced first;
    /// if that fails it is not queued and `log_error` says why.
    pub fn queue(&mut self, l: LiveLine) -> u64 {
        self.queue_claimed(l, None)
    }

    /// Queues a seat's order (`serve`): `claimed` is the agency the seat claimed to act for when
    /// not its own `l.by`; the door refuses such an order and journals the attempt.
    pub fn queue_claimed(&mut self, l: LiveLine, claimed: Option<String>) -> u64 {
        self.queue_all(vec![(l, claimed)])[0].tag
    }

    /// Queues several seats' orders at once, in order; returns them as logged (with their tags
    /// and times). With a log, they are
    /// written and made durable with one fsync before any is queued; if that fails none is
    /// queued and `log_error` says why.
    pub fn queue_all(&mut self, lines: Vec<(LiveLine, Option<String>)>) -> Vec<LoggedOrder> {
        let now = self.clock().now;
        let sc = self.app.world().resource::<crate::sim::ScenarioRes>().0.clone();
        let recs: Vec<LoggedOrder> = lines
            .into_iter()
            .map(|(l, claimed)| {
                let tag = self.next_tag;
                self.next_tag += 1;
                let t = l.at.map_or(now, |at| sc.offset(&at).max(now as i64) as u64);
                LoggedOrder { tag, queued_at: now, t, by: l.by, order: l.order, claimed }
            })
            .collect();
        if let Some(log) = &mut self.log
            && let Err(e) = log.append_all(&recs)
        {
            self.log_error.get_or_insert_with(|| format!("cannot write the order log: {e}"));
            return recs;
        }
        let mut book = self.app.world_mut().resource_mut::<OrderBook>();
        for r in &recs {
            let (by, order, claimed) = (r.by.clone(), r.order.clone(), r.claimed.clone());
            book.push(Pending { t: r.t, by, order, tag: Some(r.tag), claimed });
        }
        recs
    }

    /// Queues an order from the log of an earlier session (no new log line).
    pub fn queue_logged(&mut self, t: u64, by: String, order: OrderKind, tag: u64) {
        self.app.world_mut().resource_mut::<OrderBook>().push(Pending { t, by, order, tag: Some(tag), claimed: None });
    }

    /// Queues a logged order of an earlier session, with the agency it claimed (no new log line).
    pub fn queue_logged_order(&mut self, o: &LoggedOrder) {
        let p =
            Pending { t: o.t, by: o.by.clone(), order: o.order.clone(), tag: Some(o.tag), claimed: o.claimed.clone() };
        self.app.world_mut().resource_mut::<OrderBook>().push(p);
    }

    /// Takes a raw line: queues it, or answers it as invalid at once. An order timed after the
    /// scenario's end, or before the clock's time, is invalid (said so, nothing queued).
    pub fn take_line(&mut self, line: &str) -> Option<Answer> {
        if line.trim().is_empty() || line.trim_start().starts_with("//") {
            return None;
        }
        let sc = self.app.world().resource::<crate::sim::ScenarioRes>().0.clone();
        match parse_line(line, &sc).and_then(|l| self.timing(l, &sc)) {
            Ok(l) => {
                let tag = self.queue(l);
                self.log_error.clone().map(|reason| Answer::Invalid { tag, reason })
            }
            Err(reason) => Some(self.invalid(reason.to_string())),
        }
    }

    /// Takes a raw line as bytes (standard input): one that is not UTF-8 is answered
    /// `invalid: not UTF-8` and input goes on.
    pub fn take_bytes(&mut self, line: &[u8]) -> Option<Answer> {
        let line = line.strip_suffix(b"\n").unwrap_or(line);
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        match std::str::from_utf8(line) {
            Ok(text) => self.take_line(text),
            Err(e) => Some(self.invalid(format!(
                "not UTF-8 (at byte {}); send orders as UTF-8 text (a terminal in GBK cannot be read)",
                e.valid_up_to() + 1
            ))),
        }
    }

    /// Answers a line as invalid; its number is used up (and logged, so a resumed session does
    /// not give it again).
    fn invalid(&mut self, reason: String) -> Answer {
        let tag = self.next_tag;
        self.next_tag += 1;
        if let Some(log) = &mut self.log
            && let Err(e) = log.note_invalid(tag)
        {
            self.log_error.get_or_insert_with(|| format!("cannot write the order log: {e}"));
        }
        Answer::Invalid { tag, reason }
    }

    /// Checks a line's `at` against the clock and the scenario's end.
    fn timing(&self, l: LiveLine, sc: &ValidScenario) -> Result<LiveLine, LineError> {
        let Some(at) = l.at else { return Ok(l) };
        let (t, now, end) = (sc.offset(&at), self.clock().now as i64, sc.duration_secs as i64);
        if t > end {
            return Err(LineError::AfterEnd { at, end });
        }
        if t < now {
            return Err(LineError::Passed { at, now });
        }
        Ok(l)
    }

    /// Decides the orders due now without moving the clock (the zero-time pass of the door).
    pub fn decide_now(&mut self) {
        let now = self.clock().now;
        let due = {
            let book = self.app.world().resource::<OrderBook>();
            book.pending.get(book.next).is_some_and(|p| p.t <= now)
        };
        if due {
            self.app.world_mut().run_schedule(SimInput);
        }
    }

    /// Answers for orders decided since the last call.
    pub fn answers(&mut self) -> Vec<Answer> {
        let mut book = self.app.world_mut().resource_mut::<OrderBook>();
        book.answers
            .drain(..)
            .map(|(tag, now, v)| match v {
                Ok(()) => Answer::Accepted { tag, t: now },
                Err(refusal) => Answer::Refused { tag, t: now, refusal },
            })
            .collect()
    }

    /// Advances by the simulated time owed to the wall clock since the last call (at most
    /// `max_steps` steps); while paused, only decides due orders. Returns steps run.
    pub fn pace(&mut self, max_steps: u32) -> u32 {
        let (paused, speed) = {
            let s = self.app.world().resource::<ExerciseState>();
            (s.paused, s.speed)
        };
        let now = Instant::now();
        let elapsed = self.last.map_or(0.0, |l| now.duration_since(l).as_secs_f64());
        self.last = Some(now);
        if paused {
            self.debt_s = 0.0; // time spent paused is not made up
            self.decide_now();
            return 0;
        }
        self.debt_s += elapsed * speed;
        let step = self.clock().step as f64;
        let n = ((self.debt_s / step).floor() as u32).min(max_steps);
        if n == 0 {
            self.decide_now();
            return 0;
        }
        self.debt_s -= n as f64 * step;
        self.steps(n)
    }

    /// Runs up to `n` steps now (stops early on a pause or at the end).
    pub fn steps(&mut self, n: u32) -> u32 {
        let mut done = 0;
        // Orders due at a step boundary are decided there, before the step (the zero-time pass),
        // however many steps one call runs: a pause then always stops the clock at the same
        // simulated moment, and a re-run from the order log meets the same decisions.
        if n > 0 && !self.finished() {
            self.decide_now();
        }
        while done < n && !self.finished() && !self.app.world().resource::<ExerciseState>().paused {
            self.app.world_mut().resource_mut::<StepsPerUpdate>().0 = 1;
            self.app.update();
            self.app.world_mut().resource_mut::<StepsPerUpdate>().0 = 0;
            done += 1;
            if done < n && !self.finished() {
                self.decide_now();
            }
        }
        // Not at the end: `run` never decides orders at the end time either.
        if done < n && !self.finished() {
            self.decide_now();
        }
        done
    }

    /// How long to sleep before the next step is owed (for a driver loop).
    pub fn idle(&self) -> Duration {
        let s = self.app.world().resource::<ExerciseState>();
        if s.paused {
            return Duration::from_millis(50);
        }
        let step = self.clock().step as f64;
        let wait = ((step - self.debt_s) / s.speed).clamp(0.001, 0.05);
        Duration::from_secs_f64(wait)
    }
}

/// Writes what a live session leaves beside its journal when it ends: OUT/orders.ron (its orders,
/// replayable with `run --orders`) and OUT/summary.json, each atomically. The error names the file.
pub fn write_session_records(
    sc: &ValidScenario,
    entries: &[Entry],
    out: &std::path::Path,
) -> Result<(), crate::outdir::OutError> {
    let summary = crate::journal::summary::summarize(sc, entries);
    let writes = [
        ("orders.ron", orders_file_from(entries)),
        ("summary.json", serde_json::to_string_pretty(&summary).expect("summary") + "\n"),
    ];
    for (name, text) in writes {
        crate::outdir::write_record(out, name, text)?;
    }
    Ok(())
}

/// The orders a journal shows the door decided, as an order file that replays them.
pub fn orders_file_from(entries: &[Entry]) -> String {
    let mut out = String::from(
        "// Orders as decided in a live exercise (accepted and refused), with the simulated time each took\n\
         // effect. `drillsim run SCENARIO --orders THIS --seed SEED` replays the exercise.\nOrders(\n    orders: [\n",
    );
    for e in entries {
        let (by, order, claimed) = match &e.event {
            Event::OrderAccepted { by, order } => (by, order, None),
            Event::OrderRefused { by, order, claimed, .. } => (by, order, claimed.as_ref()),
            _ => continue,
        };
        let order = ron::to_string(order).unwrap_or_default();
        let claimed = claimed.map(|c| format!(", claimed: {c:?}")).unwrap_or_default();
        out.push_str(&format!("        (at: \"+{}s\", by: {:?}{claimed}, order: {order}),\n", e.t, by));
    }
    out.push_str("    ],\n)\n");
    out
}

/// The journal's entries so far.
pub fn entries(app: &App) -> &[Entry] {
    &app.world().resource::<Journal>().entries
}
