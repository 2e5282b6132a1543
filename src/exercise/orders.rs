//! Orders: the one door through which participants change the simulated world.
//!
//! An order is given by an agency (its seat) at a time. It is checked against the agency's
//! authority and the world's state, then either accepted (journal `order_accepted`, then its
//! effect) or refused with a reason (journal `order_refused`, nothing changes). Order files (RON)
//! give timed orders for headless runs.

use std::path::Path;

use bevy::prelude::*;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::agents::teams::{Team, TeamIndex, TeamOrder};
use crate::exercise::{ExerciseState, SentReport};
use crate::journal::{Event, Journaled};
use crate::map::RoadNetwork;
use crate::scenario::diag::{Collector, Problems, SourceFile, from_ron_error};
use crate::scenario::spans::SpanIndex;
use crate::scenario::time::TimeSpec;
use crate::scenario::types::{AgencyRole, Capability, Level, ReportKind};
use crate::scenario::{LoadError, ValidScenario, hex, ron_options};
use crate::sim::{ScenarioRes, SimClock, StepSet};

/// Figures a report carries; absent figures were not reported.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Figures {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dead: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub injured: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub missing: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub affected: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evacuated: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actions_taken: Option<String>,
}

/// What an order asks for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum OrderKind {
    /// Declare a response level (emergency office only).
    SetLevel(Level),
    /// Send one's own team to a node to do a task it is capable of.
    Dispatch { team: String, to: String, task: Capability },
    /// Send one's own team back to its home node.
    Recall { team: String },
    /// Send a report.
    Report {
        kind: ReportKind,
        to: String,
        #[serde(default)]
        figures: Figures,
    },
    /// Acknowledge an inject that reached one.
    Acknowledge(String),
    /// A free-text duty-log line.
    Log(String),
}

/// One line of an order file.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TimedOrder {
    pub at: TimeSpec,
    /// The agency giving the order.
    pub by: String,
    pub order: OrderKind,
}

/// An order file: `Orders(orders: [ (at: "+10m", by: "ema", order: SetLevel(III)), … ])`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename = "Orders")]
pub struct OrderFile {
    pub orders: Vec<TimedOrder>,
}

/// An order waiting for its time.
#[derive(Debug, Clone)]
pub struct Pending {
    pub t: u64,
    pub by: String,
    pub order: OrderKind,
}

/// The orders of a run, sorted by time (stable: same-time orders keep file order).
#[derive(Resource, Debug, Clone, Default)]
pub struct OrderBook {
    pub source: Option<SourceFile>,
    pub sha256: Option<String>,
    pub pending: Vec<Pending>,
    pub next: usize,
}

/// Reads and checks an order file against a scenario: every problem at its line:col.
pub fn load_orders(path: &Path, scenario: &ValidScenario) -> Result<OrderBook, LoadError> {
    let text =
        std::fs::read_to_string(path).map_err(|e| LoadError::Io { path: path.display().to_string(), source: e })?;
    parse_orders(SourceFile::new(path, text), scenario).map_err(LoadError::Invalid)
}

/// Parses and checks order-file text.
pub fn parse_orders(file: SourceFile, scenario: &ValidScenario) -> Result<OrderBook, Problems> {
    let parsed: OrderFile = match ron_options().from_str(&file.text) {
        Ok(o) => o,
        Err(e) => {
            let p = from_ron_error(&file, &e);
            return Err(Problems { file, problems: vec![p] });
        }
    };
    let spans = SpanIndex::build(&file.text);
    let mut c = Collector::new(&file, &spans);
    let s = &scenario.scenario;
    use std::collections::BTreeSet;
    let agencies: BTreeSet<&str> = s.agencies.iter().map(|a| a.id.as_str()).collect();
    let teams: BTreeSet<&str> = s.resources.teams.iter().map(|t| t.id.as_str()).collect();
    let nodes: BTreeSet<&str> = s.map.nodes.iter().map(|n| n.id.as_str()).collect();
    let injects: BTreeSet<&str> = s.injects.iter().map(|j| j.id.as_str()).collect();
    let mut pending = Vec::new();
    for (i, o) in parsed.orders.iter().enumerate() {
        let p = format!("orders[{i}]");
        let t = scenario.offset(&o.at);
        if t < 0 || t as u64 > scenario.duration_secs {
            c.at("time-window", format!("{p}.at"), format!("{} is outside the scenario window", o.at))
                .help(format!("the scenario runs for {}", s.meta.duration));
        }
        if !agencies.contains(o.by.as_str()) {
            c.at("unknown-id", format!("{p}.by"), format!("unknown agency \"{}\"", o.by));
        }
        let op = format!("{p}.order");
        match &o.order {
            OrderKind::Dispatch { team, to, .. } => {
                if !teams.contains(team.as_str()) {
                    c.at("unknown-id", format!("{op}.team"), format!("unknown team \"{team}\""));
                }
                if !nodes.contains(to.as_str()) {
                    c.at("unknown-id", format!("{op}.to"), format!("unknown node \"{to}\""));
                }
            }
            OrderKind::Recall { team } => {
                if !teams.contains(team.as_str()) {
                    c.at("unknown-id", format!("{op}.team"), format!("unknown team \"{team}\""));
                }
            }
            OrderKind::Report { to, .. } => {
                if !agencies.contains(to.as_str()) {
                    c.at("unknown-id", format!("{op}.to"), format!("unknown agency \"{to}\""));
                }
            }
            OrderKind::Acknowledge(j) => {
                if !injects.contains(j.as_str()) {
                    c.at("unknown-id", format!("{op}.0"), format!("unknown inject \"{j}\""));
                }
            }
            OrderKind::SetLevel(_) | OrderKind::Log(_) => {}
        }
        pending.push(Pending { t: t.max(0) as u64, by: o.by.clone(), order: o.order.clone() });
    }
    let problems = c.into_sorted();
    if !problems.is_empty() {
        return Err(Problems { file, problems });
    }
    pending.sort_by_key(|p| p.t);
    let sha256 = Some(hex(&Sha256::digest(file.text.as_bytes())));
    Ok(OrderBook { source: Some(file), sha256, pending, next: 0 })
}

/// Checks an order against the giver's authority and the world; `Err` is the reason to refuse.
fn check(
    by: &str,
    order: &OrderKind,
    scenario: &ValidScenario,
    state: &ExerciseState,
    teams: &TeamIndex,
    team_q: &Query<&Team>,
    net: &RoadNetwork,
    now: u64,
) -> Result<(), String> {
    let Some(agency) = scenario.agency(by) else {
        return Err(format!("\"{by}\" is not an agency of this exercise"));
    };
    let own_team = |id: &str| -> Result<&Team, String> {
        let team =
            teams.0.get(id).and_then(|e| team_q.get(*e).ok()).ok_or_else(|| format!("there is no team \"{id}\""))?;
        if team.agency != by {
            return Err(format!("team \"{id}\" belongs to \"{}\", not to \"{by}\"", team.agency));
        }
        Ok(team)
    };
    match order {
        OrderKind::SetLevel(level) => {
            if agency.role != AgencyRole::EmergencyOffice {
                return Err(format!(
                    "only the emergency office declares a response level; \"{by}\" is not it (propose it in a report instead)"
                ));
            }
            if state.level == Some(*level) {
                return Err(format!("the response level is already {}", level.roman()));
            }
        }
        OrderKind::Dispatch { team, to, task } => {
            let t = own_team(team)?;
            if !t.capabilities.contains(task) {
                return Err(format!(
                    "team \"{team}\" cannot do {}: it can do {}",
                    cap_name(*task),
                    caps_list(&t.capabilities)
                ));
            }
            let Some(dest) = net.node(to) else {
                return Err(format!("there is no place \"{to}\" on the map"));
            };
            let from = t.node_at(now);
            if net.route(from, dest, t.speed_factor).is_none() {
                return Err(format!("no open road leads from \"{}\" to \"{to}\"", net.id_of(from)));
            }
        }
        OrderKind::Recall { team } => {
            own_team(team)?;
        }
        OrderKind::Report { to, .. } => {
            if scenario.agency(to).is_none() {
                return Err(format!("there is no agency \"{to}\" to report to"));
            }
            if to == by {
                return Err("a report to oneself is not a report".into());
            }
        }
        OrderKind::Acknowledge(inject) => {
            let reached = state.delivered.contains_key(inject)
                && scenario.scenario.injects.iter().any(|j| &j.id == inject && j.to.iter().any(|r| r == by));
            if !reached {
                return Err(format!("inject \"{inject}\" has not reached \"{by}\""));
            }
        }
        OrderKind::Log(text) => {
            if text.trim().is_empty() {
                return Err("an empty log line".into());
            }
        }
    }
    Ok(())
}

pub fn cap_name(c: Capability) -> String {
    ron::to_string(&c).unwrap_or_default()
}

fn caps_list(caps: &[Capability]) -> String {
    caps.iter().map(|c| cap_name(*c)).collect::<Vec<_>>().join(", ")
}

/// Applies every order due by now, in order.
#[allow(clippy::too_many_arguments)]
fn apply_orders(
    mut book: ResMut<OrderBook>,
    clock: Res<SimClock>,
    scenario: Res<ScenarioRes>,
    mut state: ResMut<ExerciseState>,
    teams: Res<TeamIndex>,
    team_q: Query<&Team>,
    net: Res<RoadNetwork>,
    mut journal: MessageWriter<Journaled>,
    mut team_orders: MessageWriter<TeamOrder>,
) {
    while let Some(p) = book.pending.get(book.next).cloned() {
        if p.t > clock.now {
            break;
        }
        book.next += 1;
        let by = p.by.clone();
        match check(&by, &p.order, &scenario.0, &state, &teams, &team_q, &net, clock.now) {
            Err(reason) => {
                journal.write(Journaled(Event::OrderRefused { by, order: p.order, reason }));
            }
            Ok(()) => {
                journal.write(Journaled(Event::OrderAccepted { by: by.clone(), order: p.order.clone() }));
                match p.order {
                    OrderKind::SetLevel(to) => {
                        let from = state.level.replace(to);
                        journal.write(Journaled(Event::LevelChanged { from, to, by }));
                    }
                    OrderKind::Dispatch { team, to, task } => {
                        team_orders.write(TeamOrder::Dispatch { team, to, task });
                    }
                    OrderKind::Recall { team } => {
                        team_orders.write(TeamOrder::Recall { team });
                    }
                    OrderKind::Report { kind, to, figures } => {
                        state.reports.push(SentReport { t: clock.now, by: by.clone(), to: to.clone(), kind });
                        journal.write(Journaled(Event::ReportSent { by, to, report: kind, figures }));
                    }
                    OrderKind::Acknowledge(inject) => {
                        journal.write(Journaled(Event::Acknowledged { by, inject }));
                    }
                    OrderKind::Log(text) => {
                        journal.write(Journaled(Event::Log { by, text }));
                    }
                }
            }
        }
    }
}

pub(super) fn plugin(app: &mut App) {
    app.add_systems(crate::sim::SimStep, apply_orders.in_set(StepSet::Input));
}
