//! The journal: every meaningful change of a run as a typed entry with its sim time, written to
//! `OUT/journal.jsonl` (one JSON object per line, fields in a fixed order) and flushed as it goes.
//!
//! Systems write [`Journaled`] messages; the one `write_journal` system, last in the step, numbers
//! them and appends them. Scoring, reports and replay read the file back with [`read`].

pub mod summary;

use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::Path;

use bevy::prelude::*;
use serde::{Deserialize, Serialize};

use crate::exercise::orders::{Figures, OrderKind};
use crate::scenario::types::{Capability, Level, ReportKind};
use crate::sim::{SimClock, StepSet};

/// One line of the journal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// 0, 1, 2, … in order of writing.
    pub seq: u64,
    /// Seconds since the scenario start.
    pub t: u64,
    /// The scenario's calendar time, ISO 8601.
    pub time: String,
    #[serde(flatten)]
    pub event: Event,
}

/// What happened. The `kind` field names the variant in snake_case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Event {
    /// First entry: what was run, so that the journal can be replayed and checked.
    RunStarted {
        drillsim_version: String,
        scenario_path: String,
        scenario_sha256: String,
        scenario_name: String,
        seed: u64,
        start: String,
        step_s: u64,
        duration_s: u64,
        orders_path: Option<String>,
        orders_sha256: Option<String>,
    },
    /// A hazard began.
    HazardOnset { hazard: String, hazard_kind: String, place: String, detail: String },
    /// Casualties of a hazard by START category (green, yellow, red, black).
    Casualties { hazard: String, green: u32, yellow: u32, red: u32, black: u32 },
    /// A response level's trigger first held.
    PlanTriggered { level: Level, trigger: String },
    /// An inject reached its recipients.
    InjectDelivered { inject: String, from: String, to: Vec<String>, text: String },
    /// An order was accepted; `order` is the order as given.
    OrderAccepted { by: String, order: OrderKind },
    /// An order was refused; nothing changed.
    OrderRefused { by: String, order: OrderKind, reason: String },
    /// The response level changed.
    LevelChanged { from: Option<Level>, to: Level, by: String },
    /// A team left for a place.
    TeamDispatched { team: String, from: String, to: String, task: Option<Capability>, eta_s: u64, route: Vec<String> },
    /// A team reached a place.
    TeamArrived { team: String, at: String, task: Option<Capability> },
    /// A report was sent.
    ReportSent { by: String, to: String, report: ReportKind, figures: Figures },
    /// An agency acknowledged an inject.
    Acknowledged { by: String, inject: String },
    /// A free-text log line of an agency.
    Log { by: String, text: String },
    /// A road closed (both directions); `reason` says who or what closed it.
    RoadClosed { road: String, reason: String },
    /// A road reopened: its last closure was lifted.
    RoadReopened { road: String, reason: String },
    /// A water intake was closed (by order).
    IntakeClosed { intake: String, by: String },
    /// A water intake was reopened (by order).
    IntakeReopened { intake: String, by: String },
    /// Last entry of a run that reached its end.
    RunEnded { steps: u64 },
}

impl Event {
    /// The snake_case kind name, as in the file.
    pub fn kind(&self) -> &'static str {
        match self {
            Event::RunStarted { .. } => "run_started",
            Event::HazardOnset { .. } => "hazard_onset",
            Event::Casualties { .. } => "casualties",
            Event::PlanTriggered { .. } => "plan_triggered",
            Event::InjectDelivered { .. } => "inject_delivered",
            Event::OrderAccepted { .. } => "order_accepted",
            Event::OrderRefused { .. } => "order_refused",
            Event::LevelChanged { .. } => "level_changed",
            Event::TeamDispatched { .. } => "team_dispatched",
            Event::TeamArrived { .. } => "team_arrived",
            Event::ReportSent { .. } => "report_sent",
            Event::Acknowledged { .. } => "acknowledged",
            Event::Log { .. } => "log",
            Event::RoadClosed { .. } => "road_closed",
            Event::RoadReopened { .. } => "road_reopened",
            Event::IntakeClosed { .. } => "intake_closed",
            Event::IntakeReopened { .. } => "intake_reopened",
            Event::RunEnded { .. } => "run_ended",
        }
    }
}

/// A journal event raised by a system during the current step.
#[derive(Message, Debug, Clone)]
pub struct Journaled(pub Event);

/// The written journal: entries so far (for the summary and for conditions) and the file.
#[derive(Resource, Default)]
pub struct Journal {
    pub entries: Vec<Entry>,
    sink: Option<BufWriter<File>>,
    /// The first write error, if any: the run stops and reports it.
    pub error: Option<String>,
}

impl Journal {
    /// A journal written to `path` (created or truncated).
    pub fn to_file(path: &Path) -> std::io::Result<Journal> {
        Ok(Journal { entries: Vec::new(), sink: Some(BufWriter::new(File::create(path)?)), error: None })
    }

    /// A journal kept in memory only (tests, sweeps).
    pub fn in_memory() -> Journal {
        Journal::default()
    }

    /// Appends an entry at sim time `t`.
    pub fn push(&mut self, t: u64, time: String, event: Event) {
        let entry = Entry { seq: self.entries.len() as u64, t, time, event };
        if let Some(w) = &mut self.sink
            && self.error.is_none()
        {
            let res =
                serde_json::to_writer(&mut *w, &entry).map_err(std::io::Error::from).and_then(|_| w.write_all(b"\n"));
            if let Err(e) = res {
                self.error = Some(e.to_string());
            }
        }
        self.entries.push(entry);
    }

    /// Flushes buffered lines to the file.
    pub fn flush(&mut self) {
        if let Some(w) = &mut self.sink
            && let Err(e) = w.flush()
            && self.error.is_none()
        {
            self.error = Some(e.to_string());
        }
    }

    /// The journal's bytes as written (same as the file's).
    pub fn to_jsonl(&self) -> String {
        let mut s = String::new();
        for e in &self.entries {
            s.push_str(&serde_json::to_string(e).expect("entries serialize"));
            s.push('\n');
        }
        s
    }
}

/// Reads a journal file back.
pub fn read(path: &Path) -> anyhow::Result<Vec<Entry>> {
    let f = File::open(path).map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
    let mut out = Vec::new();
    for (i, line) in BufReader::new(f).lines().enumerate() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let e: Entry = serde_json::from_str(&line)
            .map_err(|e| anyhow::anyhow!("{}:{}: not a journal entry: {e}", path.display(), i + 1))?;
        out.push(e);
    }
    Ok(out)
}

/// Numbers this step's messages and appends them, then flushes: the journal is on disk after
/// every step.
fn write_journal(mut reader: MessageReader<Journaled>, clock: Res<SimClock>, mut journal: ResMut<Journal>) {
    let mut any = false;
    for Journaled(ev) in reader.read() {
        journal.push(clock.now, clock.iso(clock.now), ev.clone());
        any = true;
    }
    if any {
        journal.flush();
    }
}

pub(super) fn plugin(app: &mut App) {
    app.add_message::<Journaled>();
    app.add_systems(crate::sim::SimStep, write_journal.in_set(StepSet::Journal));
}
