//! The journal: every meaningful change of a run as a typed entry with its sim time, written to
//! `OUT/journal.jsonl` (one JSON object per line, fields in a fixed order) and flushed as it goes.
//!
//! Systems write [`Journaled`] messages; the one `write_journal` system, last in the step, numbers
//! them and appends them. Scoring, reports and replay read the file back with [`read`].

pub mod summary;

use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

use bevy::prelude::*;
use serde::{Deserialize, Serialize};

use crate::scenario::authority::Refusal;
use crate::scenario::types::{Capability, Level, ReportKind};
use crate::scenario::types::{Figures, OrderKind};
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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, strum::IntoStaticStr, strum::VariantNames)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
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
    /// Second entry of a sweep's run only (`drillsim sweep`): the run's index in the sweep and
    /// the values drawn for the scenario's `uncertain` parameters (a plain run has none).
    ParametersSampled {
        run: u64,
        base_seed: u64,
        parameters: Vec<SampledValue>,
    },
    /// A hazard began.
    HazardOnset {
        hazard: String,
        hazard_kind: String,
        place: String,
        detail: String,
    },
    /// Casualties of a hazard by START category (green, yellow, red, black): the current counts,
    /// written at onset and again whenever they change; a hazard's latest entry holds.
    Casualties {
        hazard: String,
        green: u32,
        yellow: u32,
        red: u32,
        black: u32,
    },
    /// A response level's trigger first held.
    PlanTriggered {
        level: Level,
        trigger: String,
    },
    /// An inject reached its recipients.
    InjectDelivered {
        inject: String,
        from: String,
        to: Vec<String>,
        /// The inject's text, model values filled in (`exercise::placeholders`).
        text: String,
        /// The English text, filled the same way, when the scenario gives one.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        text_en: Option<String>,
    },
    /// An order was accepted; `order` is the order as given.
    OrderAccepted {
        by: String,
        order: OrderKind,
    },
    /// An order was refused; nothing changed. `reason`: why, in English with the ids quoted;
    /// `refusal`: the same as the door's rule and the ids and values it names
    /// (`{"kind": "no_road", "from": …, "to": …}`), for sentences with names (absent in journals
    /// written before it was). `claimed`: the agency a networked seat of `by` tried to act for
    /// (an impersonation attempt, `drillsim serve`).
    OrderRefused {
        by: String,
        order: OrderKind,
        reason: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        refusal: Option<Refusal>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        claimed: Option<String>,
    },
    /// The response level changed.
    LevelChanged {
        from: Option<Level>,
        to: Level,
        by: String,
    },
    /// A team left for a place.
    TeamDispatched {
        team: String,
        from: String,
        to: String,
        task: Option<Capability>,
        eta_s: u64,
        route: Vec<String>,
    },
    /// A team reached a place.
    TeamArrived {
        team: String,
        at: String,
        task: Option<Capability>,
    },
    /// A report was sent.
    ReportSent {
        by: String,
        to: String,
        report: ReportKind,
        figures: Figures,
    },
    /// An agency acknowledged an inject.
    Acknowledged {
        by: String,
        inject: String,
    },
    /// A free-text log line of an agency.
    Log {
        by: String,
        text: String,
    },
    /// A road closed (both directions); `reason` says who or what closed it.
    RoadClosed {
        road: String,
        reason: String,
    },
    /// A road reopened: its last closure was lifted.
    RoadReopened {
        road: String,
        reason: String,
    },
    /// A water intake was closed (by order).
    IntakeClosed {
        intake: String,
        by: String,
    },
    /// A water intake was reopened (by order).
    IntakeReopened {
        intake: String,
        by: String,
    },
    /// An evacuation was ordered: the people of `from` (node or zone) to the shelter `to`.
    EvacuationOrdered {
        by: String,
        from: String,
        to: String,
    },
    ShelterOpened {
        shelter: String,
        by: String,
    },
    /// The households of an origin node began to get ready (evacuee model); some refuse.
    EvacuationStarted {
        from: String,
        to: String,
        households: u32,
        people: u32,
        refusing: u32,
    },
    /// A share (25, 50, 75, 100 %) of an origin's complying people have left; `left` counts
    /// the people who left (survivors at departure).
    EvacuationProgress {
        from: String,
        percent: u32,
        left: u32,
        complying: u32,
    },
    /// People taken in by a shelter since its last such entry (each full hour with arrivals).
    ShelterArrivals {
        shelter: String,
        people: u32,
        last_arrival_s: u64,
        occupants: u32,
    },
    /// A shelter reached its capacity.
    ShelterFull {
        shelter: String,
        occupants: u32,
    },
    /// Evacuees turned away by a full or closed shelter, sent on to another (in the hour to `t`).
    EvacueesDiverted {
        from_shelter: String,
        to_shelter: String,
        people: u32,
        households: u32,
    },
    /// Evacuees whose road ahead was under water, turned back at `at` (in the hour to `t`; they go
    /// on by another road, or wait there when none leads to a shelter).
    EvacueesTurnedBack {
        at: String,
        people: u32,
        households: u32,
    },
    /// Evacuees who found no open road to an open shelter with room, waiting at `at` (in the hour
    /// to `t`; they try again when a road opens).
    EvacueesStuck {
        at: String,
        people: u32,
        households: u32,
    },
    /// The evacuation at the run's last step.
    EvacuationTotals {
        ordered: u32,
        refusing: u32,
        left: u32,
        left_before_flood: u32,
        sheltered: u32,
        on_road: u32,
        stuck: u32,
        not_yet_left: u32,
        /// Where the stuck are (node id → people).
        #[serde(default)]
        stuck_at: std::collections::BTreeMap<String, u32>,
    },
    /// At the run's last step, after `evacuation_totals`: when shares of the complying people
    /// ordered out (`people`, 100 %) had reached a shelter, s since the start (to the second;
    /// queueing on the last road included). A share not reached by the end is `null`.
    EvacuationClearance {
        people: u32,
        sheltered: u32,
        p50_s: Option<u64>,
        p90_s: Option<u64>,
        p99_s: Option<u64>,
        p100_s: Option<u64>,
    },
    ShelterClosed {
        shelter: String,
        by: String,
    },
    /// Supplies left a depot.
    SuppliesDispatched {
        from: String,
        to: String,
        item: String,
        quantity: f64,
        eta_s: u64,
    },
    /// Supplies reached their destination.
    SuppliesDelivered {
        to: String,
        item: String,
        quantity: f64,
    },
    CommandPostSetUp {
        by: String,
        name: String,
        at: String,
    },
    WorkingGroupSetUp {
        by: String,
        name: String,
        lead: Option<String>,
    },
    SupportRequested {
        by: String,
        to: String,
        what: String,
    },
    PublicWarning {
        by: String,
        text: String,
    },
    /// An accepted order carried out a plan action. `by_owner` is false when another agency
    /// than the action's owner did it (then the action does not count as done);
    /// `late_s` is the time past its deadline (negative: before it). Only actions of levels in
    /// force count.
    PlanActionDone {
        action: String,
        level: Level,
        owner: String,
        by: String,
        by_owner: bool,
        late_s: i64,
    },
    /// Facilitator: the exercise clock stopped / restarted / changed speed (live pacing only).
    ExercisePaused {
        by: String,
    },
    ExerciseResumed {
        by: String,
    },
    SpeedChanged {
        by: String,
        speed: f64,
    },
    /// Facilitator: the remaining timed injects moved by `shift_s`, keeping their gaps.
    InjectsRetimed {
        by: String,
        shift_s: i64,
        injects: Vec<String>,
    },
    /// Facilitator: the exercise was ended.
    ExerciseEnded {
        by: String,
    },
    /// An evaluator's observation (control cell; it changes nothing in the world).
    Observation {
        evaluator: String,
        capability: String,
        seen: String,
        rating: Option<crate::scenario::types::Rating>,
        note: String,
    },
    // ---- derailment casualties (hazards::derailment); one entry per step and kind, not per patient
    /// Untreated (or only stabilised) casualties got worse this step.
    Deteriorated {
        hazard: String,
        yellow_to_red: u32,
        red_to_black: u32,
    },
    /// Trapped casualties freed from the wreck this step, by category; `still_trapped` remain.
    Extricated {
        hazard: String,
        red: u32,
        yellow: u32,
        black: u32,
        still_trapped: u32,
    },
    /// Casualties stabilised on site this step; `waiting`: living casualties at the site still untreated.
    Treated {
        hazard: String,
        red: u32,
        yellow: u32,
        green: u32,
        waiting: u32,
    },
    /// An ambulance left the site with casualties; `diverted_from`: nearer hospitals that were full.
    PatientsTransported {
        hazard: String,
        team: String,
        hospital: String,
        red: u32,
        yellow: u32,
        eta_s: u64,
        diverted_from: Vec<String>,
    },
    /// Casualties reached a hospital this step; `beds_free` after them.
    PatientsAdmitted {
        hazard: String,
        hospital: String,
        red: u32,
        yellow: u32,
        beds_free: u32,
    },
    /// A hospital has no free bed left: the next casualties go to the next hospital.
    HospitalFull {
        hospital: String,
    },
    /// The derailment site is cleared: the line and the roads it blocked reopen.
    SiteCleared {
        hazard: String,
        place: String,
    },
    // ---- chemical spill (hazards::spill)
    /// The concentration at an intake crossed its hazard's threshold (`above`: upward).
    IntakeThreshold {
        hazard: String,
        intake: String,
        above: bool,
        concentration_mg_l: f64,
        threshold_mg_l: f64,
        intake_open: bool,
    },
    /// The concentration at an intake passed its peak (`peak_t_s`: seconds since the start).
    IntakePeak {
        hazard: String,
        intake: String,
        peak_mg_l: f64,
        peak_t_s: u64,
        peak_time: String,
    },
    /// The people an open intake serves drew water above the threshold: they count as affected.
    WaterUnsafe {
        hazard: String,
        intake: String,
        people: u32,
    },
    /// Water above the threshold reached a closed intake: the people it serves are protected.
    IntakeProtected {
        hazard: String,
        intake: String,
        people: u32,
    },
    // ---- gas release (hazards::plume)
    /// The plume's threat zone changed: nodes where the ground-level concentration exceeds the
    /// level of concern, the people living there, and how far downwind the zone reaches.
    PlumeZone {
        hazard: String,
        nodes: Vec<String>,
        people: u32,
        max_distance_m: f64,
    },
    // ---- levee breach and flood (hazards::flood); milestones, not per-step values
    /// The breach passed a width milestone (each max(10 m, 25 %) wider than the last entry);
    /// `head_m`: level difference over the breach driving the growth.
    BreachWidened {
        hazard: String,
        width_m: f64,
        discharge_m3s: f64,
        head_m: f64,
    },
    /// Closure work narrowed the breach past a milestone (each max(10 m, 25 %) narrower).
    BreachNarrowed {
        hazard: String,
        width_m: f64,
        discharge_m3s: f64,
        workers: u32,
    },
    /// The teams doing closure work at a breach changed (`workers`: people; `rate_m_per_h`:
    /// metres of breach they close per hour).
    BreachClosureWork {
        hazard: String,
        teams: Vec<String>,
        workers: u32,
        rate_m_per_h: f64,
    },
    /// The breach was closed: no more water through it.
    BreachClosed {
        hazard: String,
        peak_width_m: f64,
        peak_discharge_m3s: f64,
        inflow_m3: f64,
    },
    /// Water began to pass from one flood zone to another over their spill.
    FloodSpill {
        from: String,
        to: String,
        level_m: f64,
    },
    /// A zone's depth crossed a milestone (0.1, 0.5, 1, 2, 3 m), rising or falling.
    FloodDepth {
        zone: String,
        depth_m: f64,
        rising: bool,
        level_m: f64,
    },
    /// The set of wet nodes of a zone changed; `exposed`: people still at them.
    FloodExposure {
        zone: String,
        wet_nodes: Vec<String>,
        exposed: u64,
        /// Of the exposed, evacuees on the way (on a road or stuck at a wet node).
        #[serde(default)]
        in_transit: u64,
    },
    /// People drowned in a zone since its last such entry (`total`: so far in the zone).
    FloodDeaths {
        zone: String,
        deaths: u32,
        total: u32,
        depth_m: f64,
    },
    /// The categories triage gave a hazard's casualties (START on their observations, with the
    /// scenario's mis-triage rate); `mistriaged`: how many differ from the true condition.
    Triaged {
        hazard: String,
        green: u32,
        yellow: u32,
        red: u32,
        black: u32,
        mistriaged: u32,
    },
    /// People harmed by a gas at one node in one step (`sheltering`: the public had been told to
    /// shelter in place).
    GasHarm {
        hazard: String,
        node: String,
        yellow: u32,
        red: u32,
        dead: u32,
        sheltering: bool,
    },
    /// At the run's last step: a gas release's harm, and what it would have been with every
    /// resident at home and no warning (the no-response shadow).
    GasTotals {
        hazard: String,
        yellow: u32,
        red: u32,
        dead: u32,
        no_response_yellow: u32,
        no_response_red: u32,
        no_response_dead: u32,
    },
    /// At the run's last step: the flood's headline figures.
    FloodTotals {
        peak_width_m: f64,
        peak_discharge_m3s: f64,
        inflow_m3: f64,
        stored_m3: f64,
        max_depth_m: std::collections::BTreeMap<String, f64>,
        /// Most people exposed at once, all zones together.
        exposed_peak: u64,
        /// Per zone, the most people exposed at once there (peaks at different times).
        #[serde(default)]
        exposed_peak_by_zone: std::collections::BTreeMap<String, u64>,
        /// Largest plan area under water at once, km².
        #[serde(default)]
        flooded_km2: f64,
        /// Largest lowering of the river stage at a routed breach below the hydrograph, m.
        #[serde(default)]
        river_drawdown_m: f64,
        deaths: u32,
        /// People taken out of the water by boat (`hazards::rescue`).
        #[serde(default)]
        rescued: u64,
    },
    /// One trip of a team's boats in a flooded zone: the people taken off each place, the
    /// shelter they are brought to (none open with room: dry ground) and when the boats are back.
    BoatRescue {
        team: String,
        zone: String,
        boats: u32,
        people: u32,
        from: std::collections::BTreeMap<String, u32>,
        shelter: Option<String>,
        back_in_s: u64,
    },
    /// Last entry of a run that reached its end.
    RunEnded {
        steps: u64,
    },
}

impl Event {
    /// The snake_case kind name, as in the file (strum's `IntoStaticStr` with serde's rule; a
    /// test checks the two agree).
    pub fn kind(&self) -> &'static str {
        self.into()
    }
}

/// One uncertain parameter's value in a sweep's run (`param`: its column name, e.g.
/// `onset_shift_s.h_breach`; seconds for times and durations).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SampledValue {
    pub param: String,
    pub value: f64,
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

    /// A journal that goes on in `path` after `entries` (a resumed session): the file is
    /// rewritten with them through a temporary file renamed into place, then appended to.
    pub fn continue_file(path: &Path, entries: Vec<Entry>) -> std::io::Result<Journal> {
        let tmp = path.with_extension("jsonl.tmp");
        {
            let mut w = BufWriter::new(File::create(&tmp)?);
            for e in &entries {
                serde_json::to_writer(&mut w, e).map_err(std::io::Error::from)?;
                w.write_all(b"\n")?;
            }
            w.into_inner().map_err(|e| e.into_error())?.sync_all()?;
        }
        std::fs::rename(&tmp, path)?;
        let f = std::fs::OpenOptions::new().append(true).open(path)?;
        Ok(Journal { entries, sink: Some(BufWriter::new(f)), error: None })
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

/// Why a journal cannot be read back, or written while a run goes on.
#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    #[error("cannot read {}: {source}", path.display())]
    Read { path: PathBuf, source: std::io::Error },
    #[error("{}:{line}: not a journal entry: {source}", path.display())]
    Entry { path: PathBuf, line: usize, source: serde_json::Error },
    /// The journal file could not be written (the message of the system's error).
    #[error("cannot write the journal: {0}")]
    Write(String),
}

/// Reads a journal file back.
pub fn read(path: &Path) -> Result<Vec<Entry>, JournalError> {
    let read = |source| JournalError::Read { path: path.to_path_buf(), source };
    let f = File::open(path).map_err(read)?;
    let mut out = Vec::new();
    for (i, line) in BufReader::new(f).lines().enumerate() {
        let line = line.map_err(read)?;
        if line.trim().is_empty() {
            continue;
        }
        let e: Entry = serde_json::from_str(&line).map_err(|source| JournalError::Entry {
            path: path.to_path_buf(),
            line: i + 1,
            source,
        })?;
        out.push(e);
    }
    Ok(out)
}

/// Numbers this step's messages and appends them, then flushes: the journal is on disk after
/// every step. It drains the messages, so that its two instances (in `SimStep` and in
/// `SimInput`) never write one message twice.
fn write_journal(mut messages: ResMut<Messages<Journaled>>, clock: Res<SimClock>, mut journal: ResMut<Journal>) {
    let mut any = false;
    for Journaled(ev) in messages.drain() {
        journal.push(clock.now, clock.iso(clock.now), ev);
        any = true;
    }
    if any {
        journal.flush();
    }
}

pub(super) fn plugin(app: &mut App) {
    app.add_message::<Journaled>();
    app.add_systems(crate::sim::SimStep, write_journal.in_set(StepSet::Journal));
    app.add_systems(crate::sim::SimInput, write_journal.in_set(StepSet::Journal));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_names_are_the_names_serde_writes() {
        let serde = crate::scenario::serde_variant_names::<Event>(r#"{"kind":"?"}"#);
        assert_eq!(serde.len(), <Event as strum::VariantNames>::VARIANTS.len(), "{serde:?}");
        assert_eq!(serde, <Event as strum::VariantNames>::VARIANTS);
        let e = Event::CommandPostSetUp { by: "a".into(), name: "n".into(), at: "x".into() };
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(json["kind"], e.kind());
        assert_eq!(e.kind(), "command_post_set_up");
    }
}
