//! Semantic checks of a parsed scenario: every problem found, each at its place in the file.
//!
//! The rules (the `rule` name each problem carries; `syntax` comes from the parser, in `diag`):
//! - `format`: a format version this build does not read.
//! - `duplicate-id`: an id used twice for one kind of thing; a second shelter, depot or hospital
//!   at one node; a response level defined twice.
//! - `unknown-id`: a reference to an id that does not exist (a road's ends, a levee's reach, a
//!   team's agency, a plan action's owner or target, a condition's hazard, a reach or flood zone
//!   named by a placeholder in an inject's text, the `visibility` section's agencies, injects and
//!   hazards (checked in `visibility::check`), …); an unreadable `{conc:…}` placeholder is a
//!   `syntax` problem.
//! - `not-positive`: a length, count, capacity or rate that must be above zero (or zero or more);
//!   an empty id, name, text or list that needs something.
//! - `time-window`: a time before the scenario's start or after its end.
//! - `unreachable-shelter`: a node with people from which no road leads to any shelter.
//! - `kind-mismatch`: a node of the wrong kind for its use (a levee on a `rail_site`), or an
//!   information outlet that is not the emergency office.
//! - `shares`: triage shares that are negative or do not sum to 1.
//! - `order`: hydrograph times that do not increase.
//! - `cycle`: reaches whose `downstream` chain loops.
//! - `range`: a value outside its range (a place beyond a reach's length, a tolerance above 1, a
//!   step longer than the duration, an unreadable start time, a road from a node to itself, a
//!   derailment share outside [0, 1], a wind direction outside [0, 360]).
//! - `impossible-action`: an inject expects of an agency what its role, powers and the plan do
//!   not let it do (the door would refuse it), or a plan action targets what its owner cannot
//!   act on (another agency's team, an intake it does not operate); a reporting rule
//!   `from: inject` without its `inject`.
//! - `unit`: an `uncertain` distribution with a number where its parameter takes a duration, or
//!   the reverse (the `uncertain` section is checked in `uncertain::check`; its problems are
//!   tested in `tests/it/sweep.rs`).
//!
//! Each has a failing fixture in `tests/fixtures/invalid/`, checked by `tests/it/validate.rs`.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDateTime;
use foldhash::fast::FixedState;

use super::diag::Collector;
use super::time::{Dur, TimeSpec, parse_datetime};
use super::types::*;

/// Maps and sets of ids hash with foldhash's fixed-seed hasher: a county's tens of thousands of
/// short ids hash several times faster than with SipHash, and the order of a walk over them is
/// the same every run (no problem's text depends on it: a help listing ids sorts them).
type HashMap<K, V> = std::collections::HashMap<K, V, FixedState>;
type HashSet<K> = std::collections::HashSet<K, FixedState>;

/// The id a sender or recipient may use for the exercise control cell.
pub const CONTROL: &str = "control";

/// The ids of each kind, for lookups (a county has thousands of nodes and roads; a problem's
/// help lists known ids sorted, in [`unknown`]).
struct Ids<'s> {
    nodes: HashMap<&'s str, &'s Node>,
    agencies: HashMap<&'s str, &'s Agency>,
    teams: HashSet<&'s str>,
    hazards: HashSet<&'s str>,
    injects: HashSet<&'s str>,
    reaches: HashMap<&'s str, &'s Reach>,
    levees: HashSet<&'s str>,
    zones: HashSet<&'s str>,
    roads: HashSet<&'s str>,
    rules: HashSet<&'s str>,
    areas: HashSet<&'s str>,
}

/// A value's path: a `String`, or a closure that writes it only when a problem needs it (a
/// county-sized map has tens of thousands of values and, usually, no problem).
pub(super) trait PathText {
    fn text(self) -> String;
}

impl PathText for String {
    fn text(self) -> String {
        self
    }
}

impl<F: FnOnce() -> String> PathText for F {
    fn text(self) -> String {
        self()
    }
}

/// Registers ids of one kind, reporting duplicates; an id's value is kept in a map.
fn register<'s, T, P: PathText, I>(c: &mut Collector, what: &str, items: I) -> HashMap<&'s str, T>
where
    I: Iterator<Item = (P, &'s str, T)> + Clone,
{
    let mut seen = HashMap::with_capacity_and_hasher(capacity(&items), FixedState::default());
    register_with(c, what, items, |id, v| match seen.entry(id) {
        std::collections::hash_map::Entry::Occupied(_) => false,
        std::collections::hash_map::Entry::Vacant(e) => {
            e.insert(v);
            true
        }
    });
    seen
}

/// Registers ids of one kind, reporting duplicates, into a set.
fn register_set<'s, P: PathText, I>(c: &mut Collector, what: &str, items: I) -> HashSet<&'s str>
where
    I: Iterator<Item = (P, &'s str, ())> + Clone,
{
    let mut seen = HashSet::with_capacity_and_hasher(capacity(&items), FixedState::default());
    register_with(c, what, items, |id, ()| seen.insert(id));
    seen
}

fn capacity(items: &impl Iterator) -> usize {
    let (low, high) = items.size_hint();
    high.unwrap_or(low)
}

/// Each id in turn: an empty one is a problem, `insert` says whether it is new, and a second one
/// is reported with the place of the first (found again by walking `items`: only a problem pays
/// for a path).
fn register_with<'s, T, P: PathText, I>(
    c: &mut Collector,
    what: &str,
    items: I,
    mut insert: impl FnMut(&'s str, T) -> bool,
) where
    I: Iterator<Item = (P, &'s str, T)> + Clone,
{
    for (path, id, v) in items.clone() {
        if id.trim().is_empty() {
            c.at("not-positive", path.text(), format!("empty {what} id"));
        } else if !insert(id, v) {
            let first = items.clone().find(|(_, x, _)| *x == id).map(|(p, _, _)| p.text()).unwrap_or_default();
            let (l, col) = c.file.line_col(c.spans.find(&first).map_or(0, |s| s.start));
            c.at("duplicate-id", path.text(), format!("duplicate {what} id \"{id}\""))
                .help(format!("the first \"{id}\" is at line {l}, column {col}; ids must be unique"));
        }
    }
}

fn positive(c: &mut Collector, path: impl PathText, what: &str, v: f64) {
    if !v.is_finite() || v <= 0.0 {
        c.at("not-positive", path.text(), format!("{what} must be greater than zero, found {v}"));
    }
}

fn non_negative(c: &mut Collector, path: String, what: &str, v: f64) {
    if !v.is_finite() || v < 0.0 {
        c.at("not-positive", path, format!("{what} must be zero or more, found {v}"));
    }
}

/// A weir discharge coefficient C_d: in (0, 1].
fn coefficient(c: &mut Collector, path: String, cd: f64) {
    if !(cd > 0.0 && cd <= 1.0) {
        c.at("range", path, format!("a discharge coefficient is between 0 and 1, found {cd}"))
            .help("a broad-crested weir or breach has about 0.5 (Q = C_d·(2/3)·√(2g)·B·H^1.5)");
    }
}

fn known<T>(c: &mut Collector, path: impl PathText, what: &str, id: &str, set: &HashMap<&str, T>) -> bool {
    if set.contains_key(id) {
        return true;
    }
    unknown(c, path.text(), what, id, set.keys().copied());
    false
}

/// Model values quoted in an inject's text (`placeholders`) name a known reach (and a
/// km within it) or flood zone.
fn placeholders_ok(c: &mut Collector, ids: &Ids, path: String, text: &str) {
    use super::placeholders::{Malformed, Placeholder, find};
    for (_, p) in find(text) {
        match p {
            Err(Malformed(inner)) => {
                c.at("syntax", path.clone(), format!("cannot read the placeholder {{{inner}}}"))
                    .help("write {conc:REACH@KM} (a reach id and a km along it) or {depth:ZONE}");
            }
            Ok(Placeholder::Conc { reach, km }) => {
                if known(c, path.clone(), "reach", &reach, &ids.reaches)
                    && let Some(r) = ids.reaches.get(reach.as_str())
                    && !(0.0..=r.length_km).contains(&km)
                {
                    c.at(
                        "range",
                        path.clone(),
                        format!("km {km} is outside reach \"{reach}\" (0 to {} km)", r.length_km),
                    );
                }
            }
            Ok(Placeholder::Depth { zone }) => {
                known_set(c, path.clone(), "flood zone", &zone, &ids.zones);
            }
        }
    }
}

fn known_set(c: &mut Collector, path: String, what: &str, id: &str, set: &HashSet<&str>) -> bool {
    if set.contains(id) {
        return true;
    }
    unknown(c, path, what, id, set.iter().copied());
    false
}

pub(super) fn unknown<'a>(
    c: &mut Collector,
    path: String,
    what: &str,
    id: &str,
    candidates: impl Iterator<Item = &'a str>,
) {
    let mut candidates: Vec<&str> = candidates.collect();
    candidates.sort_unstable();
    let near = closest(id, &candidates);
    let p = c.at("unknown-id", path, format!("unknown {what} \"{id}\""));
    match near {
        Some(n) => p.help(format!("did you mean \"{n}\"?")),
        None if candidates.is_empty() => p.help(format!("the scenario defines no {what}")),
        None => {
            let shown: Vec<&str> = candidates.iter().take(8).copied().collect();
            let more = if candidates.len() > 8 { ", …" } else { "" };
            p.help(format!("known {what} ids: {}{more}", shown.join(", ")))
        }
    };
}

/// The nearest candidate within an edit distance of a third of the id's length (1 to 3),
/// ignoring case, if any.
fn closest<'a>(id: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let limit = (id.chars().count() / 3).clamp(1, 3);
    let id = id.to_lowercase();
    candidates
        .iter()
        .map(|c| (levenshtein(&id, &c.to_lowercase()), *c))
        .filter(|(d, _)| *d <= limit)
        .min()
        .map(|(_, c)| c)
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != *cb)).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// The checks, one function per rule family, in the order they have always run (problems are
/// sorted by place afterwards; the order only decides between two problems at one place).
/// `start` is None when `meta.start` itself is broken.
pub(super) fn check(s: &Scenario, c: &mut Collector) -> Option<NaiveDateTime> {
    format_version(s, c);
    let start = meta(s, c);
    let ids = Ids::register(s, c);
    areas(c, s, &ids);
    let window = Window { start, duration: s.meta.duration.secs() as i64, shown: &s.meta.duration };
    nodes_and_roads(s, &ids, c);
    flood_zones(s, &ids, c);
    rivers(s, &ids, c);
    reach_loops(s, &ids, c);
    intakes(s, &ids, c);
    agencies(s, c);
    teams(s, &ids, c);
    supplies(s, &ids, c);
    shelters_reachable(s, c);
    hazards(s, &ids, &window, c);
    injects(s, &ids, &window, c);
    plan(s, &ids, &window, c);
    reporting(s, &ids, c);
    critical_tasks(s, &ids, c);
    scoring(s, c);
    super::uncertain::check(s, start, c);
    super::visibility::check(s, c);

    start
}

fn format_version(s: &Scenario, c: &mut Collector) {
    if s.format != FORMAT_VERSION {
        c.at("format", "format", format!("format version {} is not supported", s.format))
            .help(format!("this drillsim reads format {FORMAT_VERSION}"));
    }
}

/// `meta` and the exercise's date; the start time, if it can be read.
fn meta(s: &Scenario, c: &mut Collector) -> Option<NaiveDateTime> {
    let start = match parse_datetime(&s.meta.start) {
        Ok(t) => Some(t),
        Err(e) => {
            c.at("range", "meta.start", e.to_string());
            None
        }
    };
    if s.meta.step.secs() == 0 {
        c.at("not-positive", "meta.step", "the step must be longer than zero").help("e.g. step: \"1m\"");
    }
    if s.meta.duration.secs() == 0 {
        c.at("not-positive", "meta.duration", "the duration must be longer than zero");
    } else if s.meta.step.secs() > s.meta.duration.secs() {
        c.at(
            "range",
            "meta.step",
            format!("the step ({}) is longer than the duration ({})", s.meta.step, s.meta.duration),
        );
    }
    if s.meta.name.trim().is_empty() {
        c.at("not-positive", "meta.name", "the scenario needs a name");
    }
    if let Some(d) = &s.exercise.date
        && chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").is_err()
    {
        c.at("range", "exercise.date", format!("\"{d}\" is not a date")).help("e.g. date: \"2026-06-21\"");
    }
    start
}

impl<'s> Ids<'s> {
    /// The ids of every kind, each registered once (`duplicate-id`, empty ids).
    fn register(s: &'s Scenario, c: &mut Collector) -> Ids<'s> {
        let ids = Ids {
            nodes: register(
                c,
                "node",
                s.map.nodes.iter().enumerate().map(|(i, n)| (move || format!("map.nodes[{i}].id"), n.id.as_str(), n)),
            ),
            agencies: register(
                c,
                "agency",
                s.agencies.iter().enumerate().map(|(i, a)| (format!("agencies[{i}].id"), a.id.as_str(), a)),
            ),
            teams: register_set(
                c,
                "team",
                s.resources
                    .teams
                    .iter()
                    .enumerate()
                    .map(|(i, t)| (format!("resources.teams[{i}].id"), t.id.as_str(), ())),
            ),
            hazards: register_set(
                c,
                "hazard",
                s.hazards.iter().enumerate().map(|(i, h)| (format!("hazards[{i}].id"), h.id(), ())),
            ),
            injects: register_set(
                c,
                "inject",
                s.injects.iter().enumerate().map(|(i, j)| (format!("injects[{i}].id"), j.id.as_str(), ())),
            ),
            reaches: register(
                c,
                "reach",
                s.map.rivers.iter().enumerate().flat_map(|(ri, r)| {
                    r.reaches
                        .iter()
                        .enumerate()
                        .map(move |(i, x)| (format!("map.rivers[{ri}].reaches[{i}].id"), x.id.as_str(), x))
                }),
            ),
            levees: register_set(
                c,
                "levee",
                s.map.rivers.iter().enumerate().flat_map(|(ri, r)| {
                    r.levees
                        .iter()
                        .enumerate()
                        .map(move |(i, x)| (format!("map.rivers[{ri}].levees[{i}].id"), x.id.as_str(), ()))
                }),
            ),
            zones: register_set(
                c,
                "flood zone",
                s.map
                    .flood_zones
                    .iter()
                    .enumerate()
                    .map(|(i, z)| (format!("map.flood_zones[{i}].id"), z.id.as_str(), ())),
            ),
            roads: register_set(
                c,
                "road",
                s.map
                    .roads
                    .iter()
                    .enumerate()
                    .filter_map(|(i, r)| r.id.as_deref().map(|id| (move || format!("map.roads[{i}].id"), id, ()))),
            ),
            rules: register_set(
                c,
                "reporting rule",
                s.reporting
                    .rules
                    .iter()
                    .enumerate()
                    .map(|(i, r)| (format!("reporting.rules[{i}].id"), r.id.as_str(), ())),
            ),
            areas: register_set(
                c,
                "area",
                s.map.areas.iter().enumerate().map(|(i, a)| (format!("map.areas[{i}].id"), a.id.as_str(), ())),
            ),
        };
        register(
            c,
            "river",
            s.map.rivers.iter().enumerate().map(|(i, r)| (format!("map.rivers[{i}].id"), r.id.as_str(), ())),
        );
        register(
            c,
            "plan action",
            s.plan.levels.iter().enumerate().flat_map(|(li, l)| {
                l.actions
                    .iter()
                    .enumerate()
                    .map(move |(i, a)| (format!("plan.levels[{li}].actions[{i}].id"), a.id.as_str(), ()))
            }),
        );
        ids
    }
}

/// The scenario's window, which every time in it must fall inside.
struct Window<'s> {
    /// None when `meta.start` cannot be read (then no time is checked).
    start: Option<NaiveDateTime>,
    duration: i64,
    /// The duration as the file writes it.
    shown: &'s Dur,
}

impl Window<'_> {
    /// `time-window`: `t` falls between the start and the end.
    fn check(&self, c: &mut Collector, path: String, t: &TimeSpec) {
        if let Some(start) = self.start {
            let off = t.offset_from(start);
            if off < 0 || off > self.duration {
                let end = start + chrono::Duration::seconds(self.duration);
                let side = if off < 0 { "before the start" } else { "after the end" };
                c.at("time-window", path, format!("{t} is outside the scenario window ({side})")).help(format!(
                    "the scenario runs from {} to {} (+0s to +{})",
                    start.format("%Y-%m-%d %H:%M"),
                    end.format("%Y-%m-%d %H:%M"),
                    self.shown
                ));
            }
        }
    }
}

/// Node positions; roads: their ends, and positive lengths, speeds, lanes and capacities.
fn nodes_and_roads(s: &Scenario, ids: &Ids, c: &mut Collector) {
    for (i, n) in s.map.nodes.iter().enumerate() {
        if !n.pos.0.is_finite() || !n.pos.1.is_finite() {
            c.at("range", format!("map.nodes[{i}].pos"), "the position must be two finite numbers (km)");
        }
    }
    for (i, r) in s.map.roads.iter().enumerate() {
        let p = move |field: &'static str| move || format!("map.roads[{i}].{field}");
        known(c, p("from"), "node", &r.from, &ids.nodes);
        known(c, p("to"), "node", &r.to, &ids.nodes);
        if r.from == r.to {
            c.at("range", p("to")(), format!("the road starts and ends at \"{}\"", r.from));
        }
        positive(c, p("length_km"), "road length", r.length_km);
        positive(c, p("speed_kmh"), "road speed", r.speed_kmh);
        positive(c, p("lanes"), "lanes", r.lanes as f64);
        if let Some(cap) = r.capacity_vph {
            positive(c, p("capacity_vph"), "road capacity", cap);
        }
    }
}

/// Flood zones: refuge shares and heights, their nodes, areas and spills.
fn flood_zones(s: &Scenario, ids: &Ids, c: &mut Collector) {
    for (i, z) in s.map.flood_zones.iter().enumerate() {
        let p = format!("map.flood_zones[{i}]");
        if let Some(v) = z.refuge_share
            && !(0.0..=1.0).contains(&v)
        {
            c.at("range", format!("{p}.refuge_share"), format!("refuge_share is a share from 0 to 1, found {v}"));
        }
        if let Some(v) = z.refuge_height_m {
            non_negative(c, format!("{p}.refuge_height_m"), "refuge height", v);
        }
        for (j, n) in z.nodes.iter().enumerate() {
            known(c, format!("{p}.nodes[{j}]"), "node", n, &ids.nodes);
        }
        positive(c, format!("{p}.area_km2"), "zone area", z.area_km2);
        for (j, sp) in z.spills_to.iter().enumerate() {
            known_set(c, format!("{p}.spills_to[{j}].zone"), "flood zone", &sp.zone, &ids.zones);
            positive(c, format!("{p}.spills_to[{j}].width_m"), "spill width", sp.width_m);
            if sp.zone == z.id {
                c.at("range", format!("{p}.spills_to[{j}].zone"), format!("zone \"{}\" spills into itself", z.id));
            }
            if let Some(cd) = sp.discharge_coefficient {
                coefficient(c, format!("{p}.spills_to[{j}].discharge_coefficient"), cd);
            }
        }
        if let Some(d) = z.road_closure_depth_m {
            positive(c, format!("{p}.road_closure_depth_m"), "road closure depth", d);
        }
    }
}

/// Rivers: reach lengths, velocities, cross-sections and where they flow; levees' reach, node and zone.
fn rivers(s: &Scenario, ids: &Ids, c: &mut Collector) {
    for (ri, r) in s.map.rivers.iter().enumerate() {
        for (i, x) in r.reaches.iter().enumerate() {
            let p = format!("map.rivers[{ri}].reaches[{i}]");
            positive(c, format!("{p}.length_km"), "reach length", x.length_km);
            positive(c, format!("{p}.velocity_ms"), "velocity", x.velocity_ms);
            positive(c, format!("{p}.cross_section_m2"), "cross-section", x.cross_section_m2);
            non_negative(c, format!("{p}.dispersion_m2s"), "dispersion", x.dispersion_m2s);
            if let Some(d) = &x.downstream {
                known(c, format!("{p}.downstream"), "reach", d, &ids.reaches);
            }
        }
        for (i, l) in r.levees.iter().enumerate() {
            let p = format!("map.rivers[{ri}].levees[{i}]");
            known(c, format!("{p}.reach"), "reach", &l.reach, &ids.reaches);
            if known(c, format!("{p}.node"), "node", &l.node, &ids.nodes) {
                kind_is(c, format!("{p}.node"), ids, &l.node, &[NodeKind::LeveePoint], "a levee's node");
            }
            known_set(c, format!("{p}.protects"), "flood zone", &l.protects, &ids.zones);
        }
    }
}

/// `cycle`: reach chains must not loop; each loop is reported once, at its reach that comes first
/// in the file.
fn reach_loops(s: &Scenario, ids: &Ids, c: &mut Collector) {
    let order: Vec<&str> = s.map.rivers.iter().flat_map(|r| &r.reaches).map(|x| x.id.as_str()).collect();
    let mut looped = BTreeSet::new();
    for &first in &order {
        let mut chain = vec![first];
        while let Some(next) = ids.reaches.get(chain[chain.len() - 1]).and_then(|x| x.downstream.as_deref()) {
            if let Some(pos) = chain.iter().position(|id| *id == next) {
                let mut cycle = chain[pos..].to_vec();
                if !looped.contains(cycle[0]) {
                    looped.extend(cycle.iter().copied());
                    let head =
                        (0..cycle.len()).min_by_key(|&k| order.iter().position(|id| *id == cycle[k])).unwrap_or(0);
                    cycle.rotate_left(head);
                    cycle.push(cycle[0]);
                    let names: Vec<String> = cycle.iter().map(|id| format!("\"{id}\"")).collect();
                    c.at(
                        "cycle",
                        reach_path(s, cycle[0]),
                        format!("the reaches flow in a loop: {}", names.join(" → ")),
                    )
                    .help("follow `downstream` from reach to reach: the chain must end at a reach without one");
                }
                break;
            }
            chain.push(next);
        }
    }
}

/// Water intakes: their node, place on a reach and operator.
fn intakes(s: &Scenario, ids: &Ids, c: &mut Collector) {
    for (i, k) in s.map.intakes.iter().enumerate() {
        let p = format!("map.intakes[{i}]");
        if known(c, format!("{p}.node"), "node", &k.node, &ids.nodes) {
            kind_is(c, format!("{p}.node"), ids, &k.node, &[NodeKind::WaterIntake], "an intake's node");
        }
        if known(c, format!("{p}.reach"), "reach", &k.reach, &ids.reaches) {
            within_reach(c, format!("{p}.at_km"), k.at_km, ids.reaches[k.reach.as_str()]);
        }
        known(c, format!("{p}.operator"), "agency", &k.operator, &ids.agencies);
    }
}

fn agencies(s: &Scenario, c: &mut Collector) {
    for (i, a) in s.agencies.iter().enumerate() {
        if a.name_zh.trim().is_empty() && a.name_en.trim().is_empty() {
            c.at("not-positive", format!("agencies[{i}]"), "an agency needs a name (name_zh or name_en)");
        }
    }
}

fn teams(s: &Scenario, ids: &Ids, c: &mut Collector) {
    for (i, t) in s.resources.teams.iter().enumerate() {
        let p = format!("resources.teams[{i}]");
        known(c, format!("{p}.agency"), "agency", &t.agency, &ids.agencies);
        known(c, format!("{p}.home"), "node", &t.home, &ids.nodes);
        positive(c, format!("{p}.size"), "team size", t.size as f64);
        positive(c, format!("{p}.speed_factor"), "speed factor", t.speed_factor);
        if t.capabilities.is_empty() {
            c.at("not-positive", format!("{p}.capabilities"), "a team needs at least one capability");
        }
    }
}

/// Depots, shelters, hospitals (one of each kind per node) and the evacuation parameters.
fn supplies(s: &Scenario, ids: &Ids, c: &mut Collector) {
    let mut seen_nodes = BTreeMap::<(&str, String), String>::new();
    let mut once = |c: &mut Collector, what: &'static str, id: &str, path: String| {
        if let Some(first) = seen_nodes.get(&(what, id.to_string())) {
            c.at("duplicate-id", path, format!("a second {what} at node \"{id}\""))
                .help(format!("the first is {first}"));
        } else {
            seen_nodes.insert((what, id.to_string()), path);
        }
    };
    for (i, d) in s.resources.depots.iter().enumerate() {
        let p = format!("resources.depots[{i}]");
        if known(c, format!("{p}.node"), "node", &d.node, &ids.nodes) {
            kind_is(c, format!("{p}.node"), ids, &d.node, &[NodeKind::Depot], "a depot's node");
            once(c, "depot", &d.node, format!("{p}.node"));
        }
        if let Some(a) = &d.agency {
            known(c, format!("{p}.agency"), "agency", a, &ids.agencies);
        }
        for (item, q) in &d.stock {
            non_negative(c, format!("{p}.stock.{item}"), &format!("stock of {item}"), *q);
        }
    }
    for (i, sh) in s.resources.shelters.iter().enumerate() {
        let p = format!("resources.shelters[{i}]");
        if known(c, format!("{p}.node"), "node", &sh.node, &ids.nodes) {
            kind_is(c, format!("{p}.node"), ids, &sh.node, &[NodeKind::Shelter], "a shelter's node");
            once(c, "shelter", &sh.node, format!("{p}.node"));
        }
        positive(c, format!("{p}.capacity"), "shelter capacity", sh.capacity as f64);
    }
    {
        let e = &s.resources.evacuation;
        let p = "resources.evacuation";
        positive(c, format!("{p}.household_size"), "household size", e.household_size);
        positive(c, format!("{p}.mobilisation_shape"), "mobilisation shape", e.mobilisation_shape);
        positive(c, format!("{p}.walk_speed_kmh"), "walking speed", e.walk_speed_kmh);
        positive(c, format!("{p}.jam_spacing_m"), "jam spacing", e.jam_spacing_m);
        for (field, v) in [("compliance", e.compliance), ("car_share", e.car_share)] {
            if !(0.0..=1.0).contains(&v) {
                c.at("range", format!("{p}.{field}"), format!("a share is between 0 and 1, found {v}"));
            }
        }
    }
    for (i, h) in s.resources.hospitals.iter().enumerate() {
        let p = format!("resources.hospitals[{i}]");
        if known(c, format!("{p}.node"), "node", &h.node, &ids.nodes) {
            kind_is(c, format!("{p}.node"), ids, &h.node, &[NodeKind::Hospital], "a hospital's node");
            once(c, "hospital", &h.node, format!("{p}.node"));
        }
        positive(c, format!("{p}.beds"), "hospital beds", h.beds as f64);
        if let Some(r) = h.surgical_per_hour {
            positive(c, format!("{p}.surgical_per_hour"), "surgical capacity", r);
        }
    }
}

/// `unreachable-shelter`: populated nodes must reach a shelter.
fn shelters_reachable(s: &Scenario, c: &mut Collector) {
    let (index, reach) = reaching_shelters(&s.map, &s.resources.shelters);
    let no_shelter = s.resources.shelters.iter().all(|sh| !index.contains_key(sh.node.as_str()));
    for (i, n) in s.map.nodes.iter().enumerate() {
        if n.population == 0 {
            continue;
        }
        let ok = index.get(n.id.as_str()).is_some_and(|&ix| reach[ix]);
        if !ok {
            let p = c.at(
                "unreachable-shelter",
                format!("map.nodes[{i}].population"),
                format!("\"{}\" has {} people but no road leads from it to any shelter", n.id, n.population),
            );
            if no_shelter {
                p.help("add a shelter under resources.shelters (on a node of kind `shelter`)");
            } else {
                p.help("add a road joining it to the network, or a shelter it can reach");
            }
        }
    }
}

/// Each node id's place in the file (its first node: roads join that one) and, by place, whether
/// some road leads from it to a shelter (roads are two-way unless `one_way`; roads naming unknown
/// nodes are left out, as in the simulation's road network). Linear in nodes and roads.
fn reaching_shelters<'s>(map: &'s Map, shelters: &[Shelter]) -> (HashMap<&'s str, usize>, Vec<bool>) {
    let mut index = HashMap::with_capacity_and_hasher(map.nodes.len(), FixedState::default());
    for (i, n) in map.nodes.iter().enumerate() {
        index.entry(n.id.as_str()).or_insert(i);
    }
    // the roads into each node, as one list sorted by node (the reverse graph, in CSR form)
    let arcs: Vec<(usize, usize)> = map
        .roads
        .iter()
        .filter_map(|r| Some((*index.get(r.from.as_str())?, *index.get(r.to.as_str())?, r.one_way)))
        .flat_map(|(a, b, one_way)| std::iter::once((b, a)).chain((!one_way).then_some((a, b))))
        .collect();
    let mut first = vec![0usize; map.nodes.len() + 1];
    for &(to, _) in &arcs {
        first[to + 1] += 1;
    }
    for i in 0..map.nodes.len() {
        first[i + 1] += first[i];
    }
    let mut next = first.clone();
    let mut from = vec![0usize; arcs.len()];
    for &(to, src) in &arcs {
        from[next[to]] = src;
        next[to] += 1;
    }
    let mut seen = vec![false; map.nodes.len()];
    let mut stack: Vec<usize> = shelters.iter().filter_map(|sh| index.get(sh.node.as_str()).copied()).collect();
    for &t in &stack {
        seen[t] = true;
    }
    while let Some(n) = stack.pop() {
        for &src in &from[first[n]..first[n + 1]] {
            if !seen[src] {
                seen[src] = true;
                stack.push(src);
            }
        }
    }
    (index, seen)
}

/// Hazards: each kind's references, times and model parameters.
fn hazards(s: &Scenario, ids: &Ids, window: &Window, c: &mut Collector) {
    for (i, h) in s.hazards.iter().enumerate() {
        let p = format!("hazards[{i}]");
        match h {
            Hazard::LeveeBreach { .. } => levee_breach(s, ids, window, &p, h, c),
            Hazard::Derailment { .. } => {
                derailment(ids, window, &p, h, c);
                derailment_rates(&p, h, c);
            }
            Hazard::ChemicalSpill { .. } => chemical_spill(ids, window, &p, h, c),
            Hazard::GasRelease { .. } => gas_release(ids, window, &p, h, c),
        }
    }
}

/// A levee breach: its levee, times, the flood model's parameters (hazards::flood) and a
/// hydrograph whose times increase.
fn levee_breach(s: &Scenario, ids: &Ids, window: &Window, p: &str, h: &Hazard, c: &mut Collector) {
    let Hazard::LeveeBreach(LeveeBreachParams {
        levee,
        at,
        initial_width_m,
        bottom_elevation_m,
        stage,
        critical_velocity_ms,
        discharge_coefficient,
        max_width_m,
        closure_person_hours_per_m,
        river_bed_elevation_m,
        ..
    }) = h
    else {
        return;
    };
    known_set(c, format!("{p}.levee"), "levee", levee, &ids.levees);
    if let Some(at) = at {
        window.check(c, format!("{p}.at"), at);
    }
    positive(c, format!("{p}.initial_width_m"), "initial breach width", *initial_width_m);
    // the flood model's parameters (hazards::flood)
    let crest = s.map.levee(levee);
    if let Some(l) = crest
        && bottom_elevation_m.partial_cmp(&l.crest_elevation_m) != Some(std::cmp::Ordering::Less)
    {
        c.at(
            "range",
            format!("{p}.bottom_elevation_m"),
            format!(
                "the breach bottom ({bottom_elevation_m} m) must be below the crest of levee \"{levee}\" ({} m)",
                l.crest_elevation_m
            ),
        );
    }
    if let Some(v) = critical_velocity_ms {
        positive(c, format!("{p}.critical_velocity_ms"), "critical velocity", *v);
    }
    if let Some(cd) = discharge_coefficient {
        coefficient(c, format!("{p}.discharge_coefficient"), *cd);
    }
    if let Some(w) = max_width_m {
        positive(c, format!("{p}.max_width_m"), "maximum breach width", *w);
        if *w > 0.0 && *w < *initial_width_m {
            c.at(
                "range",
                format!("{p}.max_width_m"),
                format!("the maximum width ({w} m) is less than the initial width ({initial_width_m} m)"),
            );
        }
    }
    if let Some(v) = closure_person_hours_per_m {
        positive(c, format!("{p}.closure_person_hours_per_m"), "closure effort", *v);
    }
    if stage.is_empty() {
        c.at("not-positive", format!("{p}.stage"), "the river stage hydrograph needs at least one point");
    }
    let peak = stage.iter().map(|sp| sp.stage_m).fold(f64::NEG_INFINITY, f64::max);
    if let Some(bed) = river_bed_elevation_m
        && !(bed.is_finite() && *bed < peak && *bed <= *bottom_elevation_m)
    {
        c.at(
            "range",
            format!("{p}.river_bed_elevation_m"),
            format!(
                "the river bed ({bed} m) must be below the hydrograph's peak stage ({peak} m) and not above the breach bottom ({bottom_elevation_m} m)"
            ),
        );
    }
    let mut last: Option<i64> = None;
    for (j, sp) in stage.iter().enumerate() {
        window.check(c, format!("{p}.stage[{j}].at"), &sp.at);
        if let Some(start) = window.start {
            let t = sp.at.offset_from(start);
            if last.is_some_and(|l| t <= l) {
                c.at("order", format!("{p}.stage[{j}].at"), "hydrograph times must increase")
                    .help("list the stage points in time order, each later than the one before");
            }
            last = Some(t);
        }
    }
}

/// A derailment: its node, time, casualties, triage shares and blocked roads.
fn derailment(ids: &Ids, window: &Window, p: &str, h: &Hazard, c: &mut Collector) {
    let Hazard::Derailment(DerailmentParams { node, at, casualties, triage, blocks_roads, .. }) = h else { return };
    known(c, format!("{p}.node"), "node", node, &ids.nodes);
    window.check(c, format!("{p}.at"), at);
    positive(c, format!("{p}.casualties"), "casualties", *casualties as f64);
    let shares = [triage.green, triage.yellow, triage.red, triage.black];
    let sum: f64 = shares.iter().sum();
    if shares.iter().any(|v| v.is_nan() || *v < 0.0) || (sum - 1.0).abs() > 1e-3 {
        c.at(
            "shares",
            format!("{p}.triage"),
            format!("triage shares must be zero or more and sum to 1, they sum to {sum:.3}"),
        )
        .help("green + yellow + red + black = 1, e.g. (green: 0.5, yellow: 0.3, red: 0.15, black: 0.05)");
    }
    for (j, r) in blocks_roads.iter().enumerate() {
        known_set(c, format!("{p}.blocks_roads[{j}]"), "road", r, &ids.roads);
    }
}

/// A chemical spill: its node, time, place on a reach and the transport model's parameters.
fn chemical_spill(ids: &Ids, window: &Window, p: &str, h: &Hazard, c: &mut Collector) {
    let Hazard::ChemicalSpill(ChemicalSpillParams {
        node, at, reach, at_km, mass_kg, threshold_mg_l, decay_per_h, ..
    }) = h
    else {
        return;
    };
    known(c, format!("{p}.node"), "node", node, &ids.nodes);
    window.check(c, format!("{p}.at"), at);
    if known(c, format!("{p}.reach"), "reach", reach, &ids.reaches) {
        within_reach(c, format!("{p}.at_km"), *at_km, ids.reaches[reach.as_str()]);
    }
    positive(c, format!("{p}.mass_kg"), "spilled mass", *mass_kg);
    positive(c, format!("{p}.threshold_mg_l"), "threshold concentration", *threshold_mg_l);
    non_negative(c, format!("{p}.decay_per_h"), "decay rate", *decay_per_h);
}

/// A gas release: its node, time, release, weather and (optional) toxicity parameters.
fn gas_release(ids: &Ids, window: &Window, p: &str, h: &Hazard, c: &mut Collector) {
    let Hazard::GasRelease(GasReleaseParams {
        node,
        at,
        rate_kg_s,
        duration,
        wind_dir_deg,
        wind_ms,
        release_height_m,
        level_of_concern_mg_m3,
        ..
    }) = h
    else {
        return;
    };
    known(c, format!("{p}.node"), "node", node, &ids.nodes);
    window.check(c, format!("{p}.at"), at);
    positive(c, format!("{p}.rate_kg_s"), "release rate", *rate_kg_s);
    positive(c, format!("{p}.duration"), "release duration", duration.secs() as f64);
    if !(0.0..=360.0).contains(wind_dir_deg) {
        c.at(
            "range",
            format!("{p}.wind_dir_deg"),
            format!("the wind direction is in degrees from 0 to 360, found {wind_dir_deg}"),
        )
        .help("where the wind blows from, clockwise from north: 0 = from the north, 90 = from the east");
    }
    positive(c, format!("{p}.wind_ms"), "wind speed", *wind_ms);
    non_negative(c, format!("{p}.release_height_m"), "release height", *release_height_m);
    positive(c, format!("{p}.level_of_concern_mg_m3"), "level of concern", *level_of_concern_mg_m3);
    if let Hazard::GasRelease(GasReleaseParams { toxicity: Some(t), .. }) = h {
        positive(c, format!("{p}.toxicity.probit_n"), "toxic-load exponent", t.probit_n);
        for (field, v) in [
            ("injury_mg_m3_60min", t.injury_mg_m3_60min),
            ("severe_mg_m3_60min", t.severe_mg_m3_60min),
            ("air_changes_per_h", t.air_changes_per_h),
            ("sheltered_air_changes_per_h", t.sheltered_air_changes_per_h),
        ] {
            if let Some(v) = v {
                positive(c, format!("{p}.toxicity.{field}"), field, v);
            }
        }
    }
}

/// A derailment's optional shares, rates and times (the casualty model's parameters).
fn derailment_rates(p: &str, h: &Hazard, c: &mut Collector) {
    let Hazard::Derailment(DerailmentParams {
        trapped_share,
        yellow_to_red_per_h,
        red_to_black_per_h,
        treated_factor,
        extrication_per_person_h,
        max_extricators,
        treatment_per_person_h,
        ambulance_capacity,
        handover_min,
        clearance_person_h,
        mistriage_rate,
        ..
    }) = h
    else {
        return;
    };
    for (field, v) in
        [("trapped_share", trapped_share), ("treated_factor", treated_factor), ("mistriage_rate", mistriage_rate)]
    {
        if let Some(v) = v
            && !(0.0..=1.0).contains(v)
        {
            c.at("range", format!("{p}.{field}"), format!("{field} is a share from 0 to 1, found {v}"));
        }
    }
    for (field, what, v) in [
        ("yellow_to_red_per_h", "deterioration rate", yellow_to_red_per_h),
        ("red_to_black_per_h", "deterioration rate", red_to_black_per_h),
        ("handover_min", "handover time", handover_min),
        ("clearance_person_h", "site-clearance work", clearance_person_h),
    ] {
        if let Some(v) = v {
            non_negative(c, format!("{p}.{field}"), what, *v);
        }
    }
    for (field, what, v) in [
        ("extrication_per_person_h", "extrication rate", *extrication_per_person_h),
        ("max_extricators", "rescuers at the wreck", max_extricators.map(f64::from)),
        ("treatment_per_person_h", "treatment rate", *treatment_per_person_h),
        ("ambulance_capacity", "ambulance capacity", ambulance_capacity.map(f64::from)),
    ] {
        if let Some(v) = v {
            positive(c, format!("{p}.{field}"), what, v);
        }
    }
}

/// Injects: when, from and to whom, their text's placeholders and the actions they expect.
///
/// An expected action may name an agency that is not among the inject's recipients: the news
/// reaches it some other way (or it should ask). That is deliberately not a problem.
fn injects(s: &Scenario, ids: &Ids, window: &Window, c: &mut Collector) {
    for (i, j) in s.injects.iter().enumerate() {
        let p = format!("injects[{i}]");
        condition(c, ids, format!("{p}.when"), &j.when, window);
        if j.from != CONTROL {
            known(c, format!("{p}.from"), "agency", &j.from, &ids.agencies);
        }
        if j.to.is_empty() {
            c.at("not-positive", format!("{p}.to"), "an inject needs at least one recipient");
        }
        for (k, r) in j.to.iter().enumerate() {
            known(c, format!("{p}.to[{k}]"), "agency", r, &ids.agencies);
        }
        if j.text.trim().is_empty() {
            c.at("not-positive", format!("{p}.text"), "an inject needs a text");
        }
        for (field, text) in [("text", Some(&j.text)), ("text_en", j.text_en.as_ref())] {
            let Some(text) = text else { continue };
            placeholders_ok(c, ids, format!("{p}.{field}"), text);
        }
        for (k, e) in j.expected.iter().enumerate() {
            if known(c, format!("{p}.expected[{k}].agency"), "agency", &e.agency, &ids.agencies)
                && !may_perform(s, ids.agencies[e.agency.as_str()], e.action)
            {
                c.at(
                    "impossible-action",
                    format!("{p}.expected[{k}].action"),
                    format!(
                        "\"{}\" may not {}: its role, its `powers` and the plan do not give it",
                        e.agency,
                        e.action.name()
                    ),
                )
                .help("expect it of an agency that may do it, or add it to the agency's `powers`");
            }
            positive(
                c,
                format!("{p}.expected[{k}].within"),
                "the window of an expected action",
                e.within.secs() as f64,
            );
            if let Some(t) = &e.target {
                target(c, ids, format!("{p}.expected[{k}].target"), t);
            }
        }
    }
}

/// The ids a plan action's order may name, answered from the ids already registered (and the
/// few intakes, shelters and depots): validation builds no [`super::ids::ScenarioIds`].
struct OrderIds<'a, 's> {
    ids: &'a Ids<'s>,
    intakes: HashSet<&'s str>,
    shelters: HashSet<&'s str>,
    depots: HashSet<&'s str>,
}

impl<'a, 's> OrderIds<'a, 's> {
    fn new(s: &'s Scenario, ids: &'a Ids<'s>) -> Self {
        OrderIds {
            ids,
            intakes: s.map.intakes.iter().map(|i| i.node.as_str()).collect(),
            shelters: s.resources.shelters.iter().map(|x| x.node.as_str()).collect(),
            depots: s.resources.depots.iter().map(|x| x.node.as_str()).collect(),
        }
    }
}

impl super::ids::KnownIds for OrderIds<'_, '_> {
    fn knows(&self, kind: super::ids::IdKind, id: &str) -> bool {
        use super::ids::IdKind;
        let ids = self.ids;
        match kind {
            IdKind::Agency => ids.agencies.contains_key(id),
            IdKind::Team => ids.teams.contains(id),
            IdKind::Node => ids.nodes.contains_key(id),
            IdKind::Inject => ids.injects.contains(id),
            IdKind::Road => ids.roads.contains(id),
            IdKind::Zone => ids.zones.contains(id),
            IdKind::Area => ids.areas.contains(id),
            IdKind::Intake => self.intakes.contains(id),
            IdKind::Shelter => self.shelters.contains(id),
            IdKind::Depot => self.depots.contains(id),
        }
    }
}

/// Plan levels: one per level, triggers, and each action's owner, order and target.
fn plan(s: &Scenario, ids: &Ids, window: &Window, c: &mut Collector) {
    let mut levels = BTreeMap::new();
    let order_ids = OrderIds::new(s, ids);
    for (li, l) in s.plan.levels.iter().enumerate() {
        let p = format!("plan.levels[{li}]");
        if let Some(first) = levels.insert(l.level, li) {
            c.at("duplicate-id", format!("{p}.level"), format!("response level {} is defined twice", l.level.roman()))
                .help(format!("the first is plan.levels[{first}]"));
        }
        if l.triggers.is_empty() {
            c.at(
                "not-positive",
                format!("{p}.triggers"),
                format!("level {} has no trigger, so it can never start", l.level.roman()),
            );
        }
        for (k, t) in l.triggers.iter().enumerate() {
            condition(c, ids, format!("{p}.triggers[{k}]"), t, window);
        }
        for (k, a) in l.actions.iter().enumerate() {
            known(c, format!("{p}.actions[{k}].owner"), "agency", &a.owner, &ids.agencies);
            if let Some(order) = &a.order {
                let op = format!("{p}.actions[{k}].order");
                if order.action_kind() != Some(a.action) {
                    c.at(
                        "kind-mismatch",
                        op.clone(),
                        format!("the order does not carry out a `{}` action", a.action.name()),
                    )
                    .help("the order's kind must match the action (e.g. `dispatch_team` → `Dispatch(..)`)");
                }
                for problem in super::ids::order_id_problems(order, &order_ids) {
                    c.at("unknown-id", format!("{op}.{}", problem.field), problem.to_string());
                }
            }
            if let Some(t) = &a.target {
                target(c, ids, format!("{p}.actions[{k}].target"), t);
                impossible_target(c, s, format!("{p}.actions[{k}]"), a, t);
            }
        }
    }
}

/// The reporting outlet, tolerance and rules.
fn reporting(s: &Scenario, ids: &Ids, c: &mut Collector) {
    if let Some(o) = &s.reporting.outlet
        && known(c, "reporting.outlet".to_string(), "agency", o, &ids.agencies)
        && ids.agencies[o.as_str()].role != AgencyRole::EmergencyOffice
    {
        c.at("kind-mismatch", "reporting.outlet", format!("the information outlet \"{o}\" is not an emergency office"))
            .help("the one information outlet is the agency with role `emergency_office`");
    }
    if let Some(t) = s.reporting.tolerance
        && !(t > 0.0 && t <= 1.0)
    {
        c.at("range", "reporting.tolerance", format!("the tolerance is a share between 0 and 1, found {t}"));
    }
    for (i, r) in s.reporting.rules.iter().enumerate() {
        let p = format!("reporting.rules[{i}]");
        known(c, format!("{p}.by"), "agency", &r.by, &ids.agencies);
        known(c, format!("{p}.to"), "agency", &r.to, &ids.agencies);
        if let Some(d) = &r.repeat
            && d.secs() == 0
        {
            c.at("not-positive", format!("{p}.repeat"), "the repeat interval must be longer than zero");
        }
        match (&r.from, &r.inject) {
            (DeadlineFrom::Inject, None) => {
                c.at("not-positive", format!("{p}.from"), "`from: inject` needs the rule's `inject`")
                    .help("name the inject whose delivery starts the clock: `inject: \"d07\"`");
            }
            (DeadlineFrom::Inject, Some(j)) => {
                known_set(c, format!("{p}.inject"), "inject", j, &ids.injects);
            }
            (_, Some(_)) => {
                c.at("kind-mismatch", format!("{p}.inject"), "`inject` is only read with `from: inject`");
            }
            _ => {}
        }
    }
}

/// Critical tasks: a name, something to rate, and what they rate exists.
fn critical_tasks(s: &Scenario, ids: &Ids, c: &mut Collector) {
    let action_ids: HashSet<&str> = s.plan.levels.iter().flat_map(|l| &l.actions).map(|a| a.id.as_str()).collect();
    let _ = register(
        c,
        "critical task",
        s.critical_tasks.iter().enumerate().map(|(i, t)| (format!("critical_tasks[{i}].id"), t.id.as_str(), ())),
    );
    for (i, t) in s.critical_tasks.iter().enumerate() {
        let p = format!("critical_tasks[{i}]");
        if t.name.trim().is_empty() {
            c.at("not-positive", format!("{p}.name"), "a critical task needs a name");
        }
        if t.actions.is_empty() && t.reports.is_empty() && t.injects.is_empty() && t.targets.is_empty() {
            c.at("not-positive", p.clone(), format!("critical task \"{}\" has nothing to rate", t.id)).help(
                "list plan `actions`, reporting rules (`reports`), `injects` whose expected actions count, or `targets`",
            );
        }
        for (k, a) in t.actions.iter().enumerate() {
            known_set(c, format!("{p}.actions[{k}]"), "plan action", a, &action_ids);
        }
        for (k, r) in t.reports.iter().enumerate() {
            known_set(c, format!("{p}.reports[{k}]"), "reporting rule", r, &ids.rules);
        }
        for (k, j) in t.injects.iter().enumerate() {
            if known_set(c, format!("{p}.injects[{k}]"), "inject", j, &ids.injects)
                && s.injects.iter().find(|x| &x.id == j).is_some_and(|x| x.expected.is_empty())
            {
                c.at("kind-mismatch", format!("{p}.injects[{k}]"), format!("inject \"{j}\" expects no action"))
                    .help("only injects with `expected` actions can be rated");
            }
        }
        for (k, target) in t.targets.iter().enumerate() {
            let tp = format!("{p}.targets[{k}]");
            match target {
                Target::MinLeftBeforeFlood(x) if !(0.0..=1.0).contains(x) => {
                    c.at("range", tp, format!("the share is from 0 to 1, found {x}"));
                }
                Target::BreachClosedWithin(d) | Target::TrappedFreedWithin(d) if d.secs() == 0 => {
                    c.at("not-positive", tp, "the time must be longer than zero");
                }
                _ => {}
            }
        }
    }
}

/// Scoring weights: none negative, not all zero.
fn scoring(s: &Scenario, c: &mut Collector) {
    let w = &s.scoring;
    for (name, v) in
        [("plan", w.plan), ("reporting", w.reporting), ("coordination", w.coordination), ("outcomes", w.outcomes)]
    {
        non_negative(c, format!("scoring.{name}"), &format!("the {name} weight"), v);
    }
    if w.plan + w.reporting + w.coordination + w.outcomes <= 0.0 {
        c.at("not-positive", "scoring", "at least one scoring weight must be greater than zero");
    }
}

/// A plan action's target: the id of a node (shelters, depots, hospitals and intakes go by their
/// node), team, flood zone, levee, road, reach or hazard.
/// Whether an agency may give orders of this kind: its role, its `powers`, or the plan assigns
/// it (the same rule as the door, `authority`).
fn may_perform(s: &Scenario, a: &Agency, kind: ActionKind) -> bool {
    super::authority::role_powers(a.role).contains(&kind)
        || a.powers.contains(&kind)
        || s.plan.levels.iter().flat_map(|l| &l.actions).any(|pa| pa.owner == a.id && pa.action == kind)
}

/// A plan action whose target its owner cannot act on: another agency's team, an intake it does
/// not operate (unless it is the emergency office or has the power).
fn impossible_target(c: &mut Collector, s: &Scenario, p: String, a: &PlanAction, t: &str) {
    let owner = s.agencies.iter().find(|x| x.id == a.owner);
    let problem = match a.action {
        ActionKind::DispatchTeam => s
            .resources
            .teams
            .iter()
            .find(|x| x.id == t && x.agency != a.owner)
            .map(|x| format!("team \"{t}\" belongs to \"{}\"; only its agency can dispatch it", x.agency)),
        ActionKind::CloseIntake => s.map.intakes.iter().find(|i| i.node == t).and_then(|i| {
            let may = i.operator == a.owner
                || owner.is_some_and(|o| {
                    o.role == AgencyRole::EmergencyOffice || o.powers.contains(&ActionKind::CloseIntake)
                });
            (!may)
                .then(|| format!("intake \"{t}\" is operated by \"{}\"; \"{}\" may not close it", i.operator, a.owner))
        }),
        _ => None,
    };
    if let Some(msg) = problem {
        c.at("impossible-action", format!("{p}.target"), msg).help("name the agency that can do it as the owner");
    }
}

/// Areas: each names at least one place, and each place is a node or a flood zone; an area id
/// must not also be a node's or a zone's (an order naming it would be ambiguous).
fn areas(c: &mut Collector, s: &Scenario, ids: &Ids) {
    for (i, a) in s.map.areas.iter().enumerate() {
        let p = format!("map.areas[{i}]");
        if a.places.is_empty() {
            c.at("not-positive", format!("{p}.places"), format!("area \"{}\" names no place", a.id))
                .help("list the node ids and flood-zone ids the area covers");
        }
        if ids.nodes.contains_key(a.id.as_str()) || ids.zones.contains(a.id.as_str()) {
            c.at("duplicate-id", format!("{p}.id"), format!("\"{}\" is already a node or flood zone id", a.id))
                .help("give the area an id of its own, e.g. \"a_\" and the township's name");
        }
        for (k, place) in a.places.iter().enumerate() {
            if !ids.nodes.contains_key(place.as_str()) && !ids.zones.contains(place.as_str()) {
                let candidates = ids.nodes.keys().copied().chain(ids.zones.iter().copied());
                unknown(c, format!("{p}.places[{k}]"), "node or flood zone", place, candidates);
            }
        }
    }
}

fn target(c: &mut Collector, ids: &Ids, path: String, id: &str) {
    let known = ids.nodes.contains_key(id)
        || ids.areas.contains(id)
        || ids.teams.contains(id)
        || ids.zones.contains(id)
        || ids.levees.contains(id)
        || ids.roads.contains(id)
        || ids.reaches.contains_key(id)
        || ids.hazards.contains(id);
    if known {
        return;
    }
    // each kind's ids sorted (the sets are hashed), kinds in this order: a tie goes to the first
    let groups: [Vec<&str>; 8] = [
        ids.nodes.keys().copied().collect(),
        ids.teams.iter().copied().collect(),
        ids.zones.iter().copied().collect(),
        ids.areas.iter().copied().collect(),
        ids.levees.iter().copied().collect(),
        ids.roads.iter().copied().collect(),
        ids.reaches.keys().copied().collect(),
        ids.hazards.iter().copied().collect(),
    ];
    let candidates: Vec<&str> = groups
        .into_iter()
        .flat_map(|mut g| {
            g.sort_unstable();
            g
        })
        .collect();
    let p = c.at(
        "unknown-id",
        path,
        format!("unknown target \"{id}\": no node, team, flood zone, area, levee, road, reach or hazard has this id"),
    );
    match closest(id, &candidates) {
        Some(n) => p.help(format!("did you mean \"{n}\"?")),
        None => p.help(
            "a target is the id of a node (a shelter, depot or intake goes by its node), team, flood zone, area, \
             levee, road, reach or hazard",
        ),
    };
}

fn reach_path(s: &Scenario, id: &str) -> String {
    for (ri, r) in s.map.rivers.iter().enumerate() {
        for (i, x) in r.reaches.iter().enumerate() {
            if x.id == id {
                return format!("map.rivers[{ri}].reaches[{i}].downstream");
            }
        }
    }
    String::new()
}

fn kind_is(c: &mut Collector, path: String, ids: &Ids, id: &str, kinds: &[NodeKind], what: &str) {
    let kind = ids.nodes[id].kind;
    if !kinds.contains(&kind) {
        let want: Vec<String> = kinds.iter().map(|k| format!("`{}`", kind_name(*k))).collect();
        c.at("kind-mismatch", path, format!("{what} \"{id}\" is of kind `{}`", kind_name(kind)))
            .help(format!("it must be of kind {}", want.join(" or ")));
    }
}

pub fn kind_name(k: NodeKind) -> String {
    super::ron_name(&k)
}

fn within_reach(c: &mut Collector, path: String, at_km: f64, reach: &Reach) {
    if !(0.0..=reach.length_km).contains(&at_km) {
        c.at("range", path, format!("{at_km} km is outside reach \"{}\" (0 to {} km)", reach.id, reach.length_km));
    }
}

fn condition(c: &mut Collector, ids: &Ids, path: String, cond: &Condition, window: &Window) {
    match cond {
        Condition::At(t) => window.check(c, format!("{path}.0"), t),
        Condition::HazardOnset { hazard, .. } => {
            known_set(c, format!("{path}.hazard"), "hazard", hazard, &ids.hazards);
        }
        Condition::InjectDelivered(j) => {
            known_set(c, format!("{path}.0"), "inject", j, &ids.injects);
        }
        Condition::LevelAtLeast(_) | Condition::CasualtiesAtLeast(_) | Condition::Manual => {}
        Condition::StageAtLeast { levee, .. } => {
            known_set(c, format!("{path}.levee"), "levee", levee, &ids.levees);
        }
        Condition::DepthAtLeast { zone, depth_m } => {
            known_set(c, format!("{path}.zone"), "flood zone", zone, &ids.zones);
            positive(c, format!("{path}.depth_m"), "depth", *depth_m);
        }
        Condition::ReportMissing { rule } => {
            known_set(c, format!("{path}.rule"), "reporting rule", rule, &ids.rules);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn near_misses_ignore_case_and_count_characters() {
        assert_eq!(closest("schol", &["school", "village"]), Some("school"));
        assert_eq!(closest("EOC", &["eoc", "fire"]), Some("eoc"));
        assert_eq!(closest("water", &["eoc", "fire"]), None);
        assert_eq!(levenshtein("王家村", "王村"), 1);
    }

    /// Plan orders are checked against the ids validation registered, not a second index: on
    /// every shipped scenario both answer alike for every id of every kind, for ids of the other
    /// kinds and for unknown ids.
    #[test]
    fn registered_ids_answer_an_orders_ids_as_the_scenario_index_does() {
        use crate::scenario::ids::{IdKind, KnownIds, ScenarioIds};
        const KINDS: [IdKind; 10] = [
            IdKind::Agency,
            IdKind::Team,
            IdKind::Node,
            IdKind::Inject,
            IdKind::Road,
            IdKind::Zone,
            IdKind::Area,
            IdKind::Intake,
            IdKind::Shelter,
            IdKind::Depot,
        ];
        for path in ["demo-county", "levee-breach-0621", "derailment-0523", "acid-spill-0929"] {
            let file = crate::scenario::read_source(std::path::Path::new(&format!("scenarios/{path}.ron"))).unwrap();
            let s: Scenario = crate::scenario::ron_options().from_str(&file.text).unwrap();
            let spans = super::super::spans::SpanIndex::build(&file.text);
            let mut c = Collector::new(&file, &spans);
            let ids = Ids::register(&s, &mut c);
            assert!(c.problems.is_empty(), "{path}: the shipped scenarios are valid");
            let registered = OrderIds::new(&s, &ids);
            let index = ScenarioIds::of_scenario(&s);
            let all = index.agencies.iter().chain(&index.teams).chain(&index.nodes).chain(&index.injects);
            let all = all.chain(index.roads.keys()).chain(&index.zones).chain(&index.areas).chain(&index.intakes);
            let all: BTreeSet<String> = all.chain(&index.shelters).chain(&index.depots).cloned().collect();
            assert!(!index.shelters.is_empty() && !index.roads.is_empty(), "{path}");
            for id in all.iter().map(String::as_str).chain(["", "nowhere", "control"]) {
                for kind in KINDS {
                    assert_eq!(registered.knows(kind, id), index.knows(kind, id), "{path}: {kind:?} {id:?}");
                }
            }
        }
    }
}
