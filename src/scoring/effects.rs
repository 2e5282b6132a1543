//! What the world shows, read from the journal: the accepted orders as causes of lasting effects
//! (a team tasked, an intake or road closed, a shelter open, a group or command post set up, a
//! level declared, people ordered out) and of one-off acts (reports, acknowledgements, log
//! lines). A plan action or an inject's expected action is satisfied when, at its deadline, the
//! effect is there — whoever's order caused it and whenever it was given (`satisfy`).
//!
//! **Tie rule.** Time, not entry order: an order journaled in the same step as a trigger or an
//! inject (same `t`, whatever its `seq`) counts as given at that moment, so a response in the
//! very minute of its trigger is on time, and a one-off act (a report, an acknowledgement) in
//! that minute answers it (the door decides an acknowledgement of an inject due in its minute
//! after the minute's injects: `exercise::orders::decide_deferred`). Among several causes the
//! owner's comes first, then the earliest.

use std::collections::{BTreeMap, BTreeSet};

use crate::journal::{Entry, Event};
use crate::scenario::ValidScenario;
use crate::scenario::types::{ActionKind, AgencyRole, GroupFunction, Level, OrderKind, ReportKind};

/// An accepted order: its time, journal entry, giver and order.
#[derive(Debug, Clone, Copy)]
pub struct Cause<'a> {
    pub t: u64,
    pub seq: u64,
    pub by: &'a str,
    pub order: &'a OrderKind,
}

/// What a plan action or an expected action asks for.
#[derive(Debug, Clone)]
pub struct Want<'a> {
    pub kind: ActionKind,
    pub owner: &'a str,
    /// A node, team, zone, shelter, intake, road, agency (report recipient) or inject.
    pub target: Option<&'a str>,
    /// Working groups: the function asked for.
    pub function: Option<GroupFunction>,
    /// `raise_level`: the level to be in force at least.
    pub level: Option<Level>,
    /// One-off acts (reports, acknowledgements, log lines) count only from this time on.
    pub from_t: u64,
    /// Reports: the kind asked for (none: any).
    pub report: Option<ReportKind>,
    /// Reports without a named recipient go upward: the outlet's to a higher level, anyone
    /// else's to the outlet (or higher).
    pub upward: bool,
}

/// How a want went, at its deadline.
#[derive(Debug, Clone, PartialEq)]
pub enum Found {
    /// The effect was there at the deadline; `cause` is what brought it (none: the world's
    /// initial state, e.g. a shelter open from the start).
    OnTime { cause: Option<(u64, u64, String)> },
    /// The effect came after the deadline (`cause` is the last order that brought it), or only
    /// in part: an evacuation covering `share` of the people, `share_on_time` of them in time.
    Late { cause: (u64, u64, String), share_on_time: f64, share: f64 },
    /// Another agency than the owner brought it (the plan names the owner).
    WrongAgency { cause: (u64, u64, String) },
    /// Nothing brought it (or it was undone before the deadline).
    None,
}

/// Whether an action kind is a one-off act that must follow the moment it answers.
pub fn is_one_off(k: ActionKind) -> bool {
    matches!(k, ActionKind::SendReport | ActionKind::Acknowledge | ActionKind::Log)
}

/// The effects of a run.
pub struct Effects<'a> {
    sc: &'a ValidScenario,
    pub accepted: Vec<Cause<'a>>,
}

impl<'a> Effects<'a> {
    pub fn new(sc: &'a ValidScenario, entries: &'a [Entry]) -> Self {
        let accepted = entries
            .iter()
            .filter_map(|e| match &e.event {
                Event::OrderAccepted { by, order } if !order.is_facilitator() => {
                    Some(Cause { t: e.t, seq: e.seq, by: by.as_str(), order })
                }
                _ => None,
            })
            .collect();
        Effects { sc, accepted }
    }

    /// The places (nodes) a place id stands for: the node itself, a flood zone's or an area's
    /// nodes (`Map::places_of`).
    pub fn places(&self, id: &str) -> Vec<&'a str> {
        self.sc.scenario.map.places_of(id)
    }

    fn population(&self, node: &str) -> u64 {
        self.sc.scenario.map.nodes.iter().find(|n| n.id == node).map_or(0, |n| u64::from(n.population))
    }

    /// The function a working-group order serves: its own, or the one its name names.
    pub fn group_function(order: &OrderKind) -> Option<GroupFunction> {
        match order {
            OrderKind::SetUpWorkingGroup { function: Some(f), .. } => Some(*f),
            OrderKind::SetUpWorkingGroup { name, .. } => GroupFunction::recognise(name),
            _ => None,
        }
    }

    /// Who is answerable for a cause: the lead of a working group (its setter when it names
    /// none), else the giver of the order.
    fn answerable(c: &Cause<'a>) -> &'a str {
        match c.order {
            OrderKind::SetUpWorkingGroup { lead: Some(l), .. } => l.as_str(),
            _ => c.by,
        }
    }

    /// Whether an order brings what `w` asks for (ignoring who gave it).
    fn brings(&self, w: &Want, c: &Cause) -> bool {
        if c.order.action_kind() != Some(w.kind) {
            return false;
        }
        if is_one_off(w.kind) && c.t < w.from_t {
            return false;
        }
        let tgt = w.target;
        match c.order {
            OrderKind::SetLevel(l) => w.level.is_none_or(|need| *l >= need),
            OrderKind::Dispatch { team, to, .. } => tgt.is_none_or(|x| x == team || x == to),
            OrderKind::Evacuate { from, .. } => {
                tgt.is_none_or(|x| self.places(from).iter().any(|p| self.places(x).contains(p)) || from == x)
            }
            OrderKind::SetUpWorkingGroup { name, lead, .. } => match w.function {
                Some(f) => Self::group_function(c.order) == Some(f),
                None => tgt.is_none_or(|x| x == name || lead.as_deref() == Some(x)),
            },
            OrderKind::SetUpCommandPost { name, at } => tgt.is_none_or(|x| x == name || x == at),
            OrderKind::DeliverSupplies { to, from, item, .. } => tgt.is_none_or(|x| x == to || x == from || x == item),
            OrderKind::Report { to, kind, .. } => {
                tgt.is_none_or(|x| x == to)
                    && w.report.is_none_or(|k| k == *kind)
                    && (!w.upward || tgt.is_some() || self.is_upward(c.by, to))
            }
            OrderKind::RequestSupport { to, .. } => tgt.is_none_or(|x| x == to),
            OrderKind::Acknowledge(j) => tgt.is_none_or(|x| x == j),
            OrderKind::OpenShelter(x) | OrderKind::CloseIntake(x) | OrderKind::CloseRoad(x) => {
                tgt.is_none_or(|t| t == x)
            }
            // a warning or a log line names nothing: any fits
            _ => true,
        }
    }

    /// Whether the lasting effect of `c` has been undone by `t` (an order after it reversing it).
    fn undone_by(&self, c: &Cause, w: &Want, t: u64) -> bool {
        self.accepted.iter().filter(|u| u.seq > c.seq && u.t <= t).any(|u| match (c.order, u.order) {
            (OrderKind::Dispatch { team, to, .. }, OrderKind::Recall { team: t2 }) => {
                team == t2 && w.target.is_none_or(|x| x == team || x == to)
            }
            // sent elsewhere while the plan wanted it at that place
            (OrderKind::Dispatch { team, to, .. }, OrderKind::Dispatch { team: t2, to: to2, .. }) => {
                team == t2 && to != to2 && w.target == Some(to.as_str())
            }
            (OrderKind::OpenShelter(x), OrderKind::CloseShelter(y))
            | (OrderKind::CloseIntake(x), OrderKind::OpenIntake(y))
            | (OrderKind::CloseRoad(x), OrderKind::ReopenRoad(y)) => x == y,
            (OrderKind::SetLevel(_), OrderKind::SetLevel(l2)) => w.level.is_some_and(|need| *l2 < need),
            _ => false,
        })
    }

    /// Whether the world's initial state already shows the effect (a shelter open from the
    /// start, a level in force from the start).
    fn initially(&self, w: &Want) -> bool {
        let s = &self.sc.scenario;
        match w.kind {
            ActionKind::OpenShelter => {
                w.target.is_some_and(|x| s.resources.shelters.iter().any(|sh| sh.node == x && sh.open))
            }
            ActionKind::RaiseLevel => s.plan.initial_level.is_some_and(|l| w.level.is_some_and(|need| l >= need)),
            _ => false,
        }
    }

    /// Whether the initial state still holds at `t` (nobody undid it).
    fn initially_holds(&self, w: &Want, t: u64) -> bool {
        self.initially(w)
            && !self.accepted.iter().filter(|u| u.t <= t).any(|u| match u.order {
                OrderKind::CloseShelter(x) => w.target == Some(x.as_str()),
                OrderKind::SetLevel(l) => w.level.is_some_and(|need| *l < need),
                _ => false,
            })
    }

    /// How `w` stands at `deadline_t` (and after it, for lateness), preferring its owner.
    pub fn satisfy(&self, w: &Want, deadline_t: u64) -> Found {
        if w.kind == ActionKind::Evacuate
            && let Some(target) = w.target
        {
            return self.evacuation(w, target, deadline_t);
        }
        if self.initially_holds(w, deadline_t) {
            return Found::OnTime { cause: None };
        }
        let all: Vec<&Cause> = self.accepted.iter().filter(|c| self.brings(w, c)).collect();
        let mine: Vec<&Cause> = all.iter().copied().filter(|c| Self::answerable(c) == w.owner).collect();
        let others: Vec<&Cause> = all.iter().copied().filter(|c| Self::answerable(c) != w.owner).collect();
        let cause = |c: &Cause| (c.t, c.seq, c.by.to_string());
        let held = |cs: &[&Cause]| -> Option<(u64, u64, String)> {
            cs.iter().find(|c| c.t <= deadline_t && !self.undone_by(c, w, deadline_t)).map(|c| cause(c))
        };
        let later =
            |cs: &[&Cause]| -> Option<(u64, u64, String)> { cs.iter().find(|c| c.t > deadline_t).map(|c| cause(c)) };
        if let Some(c) = held(&mine) {
            return Found::OnTime { cause: Some(c) };
        }
        if let Some(c) = later(&mine) {
            return Found::Late { cause: c, share_on_time: 0.0, share: 1.0 };
        }
        // Done by someone else only: the plan names the owner. Another agency's report,
        // acknowledgement or log line is its own act, never the owner's.
        if is_one_off(w.kind) {
            return Found::None;
        }
        match held(&others).or_else(|| later(&others)) {
            Some(c) => Found::WrongAgency { cause: c },
            None => Found::None,
        }
    }

    /// An evacuation of a place or an area: every populated place in the target counts by its
    /// people; an order for a zone covers every place in it.
    fn evacuation(&self, w: &Want, target: &str, deadline_t: u64) -> Found {
        let want: Vec<&str> = self.places(target);
        let people: BTreeMap<&str, u64> = want.iter().map(|p| (*p, self.population(p))).collect();
        let total: u64 = people.values().sum();
        // Place → first (t, seq, by) of an order covering it, the owner's first.
        let mut covered: BTreeMap<&str, (u64, u64, &str)> = BTreeMap::new();
        let mut by_other: Option<(u64, u64, String)> = None;
        for c in &self.accepted {
            let OrderKind::Evacuate { from, .. } = c.order else { continue };
            let theirs: BTreeSet<&str> = self.places(from).into_iter().collect();
            let hit: Vec<&str> = want.iter().copied().filter(|p| theirs.contains(p)).collect();
            if hit.is_empty() {
                continue;
            }
            if c.by != w.owner {
                by_other.get_or_insert((c.t, c.seq, c.by.to_string()));
                continue;
            }
            for p in hit {
                covered.entry(p).or_insert((c.t, c.seq, c.by));
            }
        }
        let share = |pred: &dyn Fn(u64) -> bool| -> f64 {
            if total == 0 {
                let n = want.len().max(1) as f64;
                return want.iter().filter(|p| covered.get(*p).is_some_and(|c| pred(c.0))).count() as f64 / n;
            }
            people.iter().filter(|(p, _)| covered.get(*p).is_some_and(|c| pred(c.0))).map(|(_, n)| *n).sum::<u64>()
                as f64
                / total as f64
        };
        let in_time = share(&|t| t <= deadline_t);
        let ever = share(&|_| true);
        let first = covered.values().min().map(|&(t, s, b)| (t, s, b.to_string()));
        let last = covered.values().max().map(|&(t, s, b)| (t, s, b.to_string()));
        match (first, last) {
            (Some(f), _) if in_time >= 1.0 => Found::OnTime { cause: Some(f) },
            (_, Some(l)) => Found::Late { cause: l, share_on_time: in_time, share: ever },
            _ => match by_other {
                Some(c) => Found::WrongAgency { cause: c },
                None => Found::None,
            },
        }
    }

    /// The share of `target`'s people ordered out by anyone by `t` (1 when it has none).
    pub fn evacuated_share(&self, target: &str, t: u64) -> f64 {
        let want = self.places(target);
        let total: u64 = want.iter().map(|p| self.population(p)).sum();
        let covered: BTreeSet<&str> = self
            .accepted
            .iter()
            .filter(|c| c.t <= t)
            .filter_map(|c| match c.order {
                OrderKind::Evacuate { from, .. } => Some(self.places(from)),
                _ => None,
            })
            .flatten()
            .collect();
        if total == 0 {
            return if want.iter().all(|p| covered.contains(p)) { 1.0 } else { 0.0 };
        }
        want.iter().filter(|p| covered.contains(*p)).map(|p| self.population(p)).sum::<u64>() as f64 / total as f64
    }

    /// Whether a report from `by` to `to` goes upward: the outlet's to a higher level; anyone
    /// else's to the outlet or a higher level.
    fn is_upward(&self, by: &str, to: &str) -> bool {
        let outlet = self.sc.scenario.reporting.outlet.as_deref();
        self.is_higher(to) || (outlet != Some(by) && outlet == Some(to))
    }

    /// Whether `agency` is a higher level (city, province).
    pub fn is_higher(&self, agency: &str) -> bool {
        self.sc.agency(agency).is_some_and(|a| a.role == AgencyRole::Higher)
    }
}
