//! What each seat sees: which journal entries reach its feed, the scenario's directory (ids with
//! their names, the map, the order forms its powers allow), and its state snapshot.
//!
//! A player sees its inbox (injects addressed to its agency), the decisions on its own orders,
//! its own teams, reports to and from it, the declared level, public warnings and the exercise
//! control's pauses and speed changes; the scenario's `visibility` section says what more
//! (other agencies' teams and stocks) and how it sees the hazards (`sight`: by default only as
//! injects report them). The facilitator and evaluators see everything; an observer sees what
//! is public.

use std::collections::{BTreeMap, BTreeSet};

use bevy::prelude::*;
use serde_json::{Value, json};

use super::seats::{Role, Seat};
use crate::agents::supplies::Stocks;
use crate::agents::teams::Team;
use crate::exercise::ExerciseState;
use crate::journal::{Entry, Event};
use crate::map::RoadNetwork;
use crate::scenario::ValidScenario;
use crate::scenario::types::ActionKind;
use crate::scenario::visibility::{HazardSight, Seen};
use crate::sim::SimClock;

/// Ownership looked up from the scenario: team → agency, depot → agency.
pub struct Owners {
    teams: BTreeMap<String, String>,
    depots: BTreeMap<String, String>,
}

impl Owners {
    pub fn of(sc: &ValidScenario) -> Owners {
        let r = &sc.scenario.resources;
        Owners {
            teams: r.teams.iter().map(|t| (t.id.clone(), t.agency.clone())).collect(),
            depots: r.depots.iter().filter_map(|d| Some((d.node.clone(), d.agency.clone()?))).collect(),
        }
    }
}

/// Whether an entry is public: every seat sees it.
fn public(e: &Event) -> bool {
    matches!(
        e,
        Event::RunStarted { .. }
            | Event::RunEnded { .. }
            | Event::LevelChanged { .. }
            | Event::PublicWarning { .. }
            | Event::ExercisePaused { .. }
            | Event::ExerciseResumed { .. }
            | Event::SpeedChanged { .. }
            | Event::ExerciseEnded { .. }
    )
}

/// Whether a seat, seeing what `seen` allows, sees a journal entry.
pub fn sees(seat: &Seat, seen: Seen, e: &Event, owners: &Owners) -> bool {
    if seat.role.sees_all() || public(e) {
        return true;
    }
    let Some(me) = seat.agency.as_deref().filter(|_| seat.role == Role::Player) else { return false };
    if seen.hazards == HazardSight::Always && super::sight::is_hazard_state(e) {
        return true;
    }
    let team_mine = |t: &str| seen.other_teams || owners.teams.get(t).is_some_and(|a| a == me);
    match e {
        Event::InjectDelivered { to, .. } => to.iter().any(|a| a == me),
        Event::OrderAccepted { by, .. } | Event::OrderRefused { by, .. } => by == me,
        Event::TeamDispatched { team, .. } | Event::TeamArrived { team, .. } => team_mine(team),
        Event::PatientsTransported { team, .. } | Event::BoatRescue { team, .. } => team_mine(team),
        Event::ReportSent { by, to, .. } | Event::SupportRequested { by, to, .. } => by == me || to == me,
        Event::Acknowledged { by, .. }
        | Event::Log { by, .. }
        | Event::EvacuationOrdered { by, .. }
        | Event::ShelterOpened { by, .. }
        | Event::ShelterClosed { by, .. }
        | Event::IntakeClosed { by, .. }
        | Event::IntakeReopened { by, .. }
        | Event::CommandPostSetUp { by, .. }
        | Event::WorkingGroupSetUp { by, .. } => by == me,
        Event::PlanActionDone { by, owner, .. } => by == me || owner == me,
        Event::RoadClosed { reason, .. } | Event::RoadReopened { reason, .. } => {
            reason.strip_prefix("order:") == Some(me)
        }
        Event::SuppliesDispatched { from, .. } => owners.depots.get(from).is_some_and(|a| a == me),
        _ => false,
    }
}

/// The order forms (action kinds) a seat may use.
pub fn powers(sc: &ValidScenario, seat: &Seat) -> Vec<ActionKind> {
    match (seat.role, &seat.agency) {
        (Role::Player, Some(a)) => {
            ActionKind::ALL.into_iter().filter(|k| crate::exercise::authority::may(sc, a, *k).is_ok()).collect()
        }
        _ => Vec::new(),
    }
}

/// The scenario as a seat's client needs it: ids with names, the map, the order forms.
pub fn directory(sc: &ValidScenario, seat: &Seat) -> Value {
    let s = &sc.scenario;
    let all = seat.role.sees_all();
    let seen = super::sight::seen(sc, seat);
    let mine = |a: &str| all || seat.agency.as_deref() == Some(a);
    let team_shown = |a: &str| mine(a) || seen.other_teams;
    let depot_shown = |a: &str| mine(a) || seen.other_stocks;
    let injects: Vec<Value> = if all {
        s.injects
            .iter()
            .map(|j| {
                json!({"id": j.id, "from": j.from, "to": j.to, "text": j.text, "text_en": j.text_en,
                            "timed": matches!(j.when, crate::scenario::types::Condition::At(_))})
            })
            .collect()
    } else {
        Vec::new()
    };
    json!({
        "name": s.meta.name,
        "start": s.meta.start,
        "step_s": sc.step_secs,
        "duration_s": sc.duration_secs,
        "agencies": s.agencies.iter().map(|a| json!({"id": a.id, "name_zh": a.name_zh, "name_en": a.name_en,
            "role": a.role})).collect::<Vec<_>>(),
        "nodes": s.map.nodes.iter().map(|n| json!({"id": n.id, "name": n.name.as_deref().unwrap_or(&n.id),
            "kind": n.kind, "pos": [n.pos.0, n.pos.1]})).collect::<Vec<_>>(),
        "roads": s.map.roads.iter().map(|r| json!({"id": r.id, "from": r.from, "to": r.to})).collect::<Vec<_>>(),
        "levees": s.map.rivers.iter().flat_map(|r| r.levees.iter().map(|l| json!({"id": l.id, "node": l.node})))
            .collect::<Vec<_>>(),
        "zones": s.map.flood_zones.iter().map(|z| json!({"id": z.id, "name": z.name})).collect::<Vec<_>>(),
        "teams": s.resources.teams.iter().filter(|t| team_shown(&t.agency)).map(|t| json!({"id": t.id,
            "name": t.name.as_deref().unwrap_or(&t.id), "agency": t.agency, "capabilities": t.capabilities}))
            .collect::<Vec<_>>(),
        "shelters": s.resources.shelters.iter().map(|x| x.node.clone()).collect::<Vec<_>>(),
        "depots": s.resources.depots.iter().filter(|d| d.agency.as_deref().is_some_and(depot_shown) || all)
            .map(|d| json!({"node": d.node, "items": d.stock.keys().collect::<Vec<_>>()})).collect::<Vec<_>>(),
        "intakes": s.map.intakes.iter().map(|i| json!({"node": i.node, "operator": i.operator})).collect::<Vec<_>>(),
        "item_names": item_names(sc),
        "injects": injects,
        "critical_tasks": if all { s.critical_tasks.iter().map(|c| json!({"id": c.id, "name": c.name})).collect() }
            else { Vec::new() },
        "powers": powers(sc, seat),
    })
}

/// The depots' supply items with their names in Chinese and English (the report's words; "t of
/// food" becomes "food (t)" for a table with a quantity column; an item without words as written,
/// `_` as spaces).
fn item_names(sc: &ValidScenario) -> Value {
    use crate::report::{Lang, words::Words};
    let items: BTreeSet<&String> = sc.scenario.resources.depots.iter().flat_map(|d| d.stock.keys()).collect();
    let name = |lang: Lang, item: &str| {
        let w = Words::of(lang).map().get(&format!("item.{item}")).cloned().unwrap_or_else(|| item.replace('_', " "));
        match w.split_once(" of ") {
            Some((unit, what)) if lang == Lang::En && !unit.contains(' ') => format!("{what} ({unit})"),
            _ => w,
        }
    };
    items.into_iter().map(|i| (i.clone(), json!({"zh": name(Lang::Zh, i), "en": name(Lang::En, i)}))).collect()
}

/// A seat's state snapshot: the clock, the level, its teams and stocks (everything for the
/// control cell; others' too where `seen` allows), the hazards as it knows them (`hazards`,
/// from [`super::sight::Sights::state`]), and for the control cell the injects' times and the
/// closed roads.
pub fn state(world: &World, sc: &ValidScenario, seat: &Seat, seen: Seen, hazards: Value, extra: &Value) -> Value {
    let clock = world.resource::<SimClock>();
    let ex = world.resource::<ExerciseState>();
    let net = world.resource::<RoadNetwork>();
    let stocks = world.resource::<Stocks>();
    let owners = Owners::of(sc);
    let all = seat.role.sees_all();
    let mine = |a: &str| all || (seat.role == Role::Player && seat.agency.as_deref() == Some(a));
    let mut teams: Vec<Value> = Vec::new();
    for id in sc.scenario.resources.teams.iter().map(|t| &t.id) {
        if !seen.other_teams && !owners.teams.get(id).is_some_and(|a| mine(a)) {
            continue;
        }
        let Some(t) = world.resource::<crate::agents::teams::TeamIndex>().0.get(id).and_then(|e| world.get::<Team>(*e))
        else {
            continue;
        };
        let to = t.trip.as_ref().map(|tr| net.id_of(tr.to).to_string());
        let task = t.trip.as_ref().and_then(|tr| tr.task).or(t.working);
        teams.push(json!({"id": id, "at": net.id_of(t.node_at(clock.now)), "to": to, "task": task,
                          "working": t.working.is_some()}));
    }
    let stock: BTreeMap<&String, &BTreeMap<String, f64>> = stocks
        .0
        .iter()
        .filter(|(node, _)| all || owners.depots.get(*node).is_some_and(|a| seen.other_stocks || mine(a)))
        .collect();
    let mut v = json!({
        "type": "state",
        "t": clock.now,
        "time": clock.iso(clock.now),
        "paused": ex.paused,
        "speed": ex.speed,
        "ended": clock.finished(),
        "level": ex.level,
        "teams": teams,
        "stocks": stock,
        "hazards": hazards,
    });
    if all {
        let injects: Vec<Value> = sc
            .scenario
            .injects
            .iter()
            .map(|j| json!({"id": j.id, "delivered_t": ex.delivered.get(&j.id), "due_t": ex.due(sc, j)}))
            .collect();
        let closed: BTreeSet<&str> = net
            .closures
            .iter()
            .filter(|(_, why)| !why.is_empty())
            .filter_map(|(i, _)| sc.scenario.map.roads.get(*i).and_then(|r| r.id.as_deref()))
            .collect();
        v["injects"] = json!(injects);
        v["closed_roads"] = json!(closed);
        if let Value::Object(m) = extra {
            for (k, x) in m {
                v[k] = x.clone();
            }
        }
    }
    v
}

/// Entries' tags: which journal decision answers which logged order. A decision is matched to
/// the earliest open order (by effective time, then number) with the same giver, order and
/// claimed agency that was due by then: the door decides in that order.
#[derive(Debug, Default)]
pub struct Tagger {
    open: Vec<crate::exercise::durable::LoggedOrder>,
}

impl Tagger {
    pub fn add(&mut self, o: crate::exercise::durable::LoggedOrder) {
        self.open.push(o);
    }

    /// The tag of an order decision entry, if a seat gave that order.
    pub fn tag_of(&mut self, e: &Entry) -> Option<u64> {
        let (by, order, claimed) = match &e.event {
            Event::OrderAccepted { by, order } => (by, order, None),
            Event::OrderRefused { by, order, claimed, .. } => (by, order, claimed.as_ref()),
            _ => return None,
        };
        let i = self
            .open
            .iter()
            .enumerate()
            .filter(|(_, o)| o.t <= e.t && &o.by == by && &o.order == order && o.claimed.as_ref() == claimed)
            .min_by_key(|(_, o)| (o.t, o.tag))
            .map(|(i, _)| i)?;
        Some(self.open.remove(i).tag)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::types::OrderKind;

    fn seat(role: Role, agency: Option<&str>) -> Seat {
        Seat { name: "s".into(), role, agency: agency.map(String::from), token: "x".into() }
    }

    #[test]
    fn a_player_sees_its_own_and_the_public_only() {
        let sc = crate::scenario::load(std::path::Path::new("scenarios/demo-county.ron")).unwrap();
        let o = Owners::of(&sc);
        let water = seat(Role::Player, Some("water"));
        let sees = |st: &Seat, e: &Event, o: &Owners| sees(st, super::super::sight::seen(&sc, st), e, o);
        let inject = |to: &[&str]| Event::InjectDelivered {
            inject: "d01".into(),
            from: "control".into(),
            to: to.iter().map(|s| s.to_string()).collect(),
            text: "x".into(),
            text_en: None,
        };
        assert!(sees(&water, &inject(&["ofc", "water"]), &o));
        assert!(!sees(&water, &inject(&["ofc"]), &o));
        let order = |by: &str| Event::OrderAccepted { by: by.into(), order: OrderKind::Log("x".into()) };
        assert!(sees(&water, &order("water"), &o));
        assert!(!sees(&water, &order("ofc"), &o));
        let dispatched = |team: &str| Event::TeamArrived { team: team.into(), at: "x".into(), task: None };
        assert!(sees(&water, &dispatched("t_levee_eng"), &o));
        assert!(!sees(&water, &dispatched("t_fire_boat"), &o));
        let flood = Event::FloodDepth { zone: "z".into(), depth_m: 1.0, rising: true, level_m: 30.0 };
        assert!(!sees(&water, &flood, &o), "the hazard reaches players through injects only");
        assert!(sees(&seat(Role::Evaluator, None), &flood, &o));
        assert!(sees(&seat(Role::Facilitator, None), &order("ofc"), &o));
        let observer = seat(Role::Observer, None);
        assert!(!sees(&observer, &order("ofc"), &o));
        assert!(sees(&observer, &Event::PublicWarning { by: "ofc".into(), text: "x".into() }, &o));
    }

    #[test]
    fn supply_items_have_names_in_both_languages() {
        let sc = crate::scenario::load(std::path::Path::new("scenarios/demo-county.ron")).unwrap();
        let d = directory(&sc, &seat(Role::Player, Some("water")));
        let names = &d["item_names"];
        // "t of food" reads "food (t)" beside a quantity; the Chinese word is the report's.
        assert_eq!(names["food_t"], json!({"zh": "食品(吨)", "en": "food (t)"}));
        assert_eq!(names["sandbags"]["en"], "sandbags");
        assert!(d["levees"].as_array().unwrap().iter().any(|l| l["id"] == "lv_nanhu" && l["node"] == "lp_shawan"));
    }

    #[test]
    fn decisions_are_tagged_in_the_door_s_order() {
        use crate::exercise::durable::LoggedOrder;
        let lo = |tag, t, by: &str| LoggedOrder {
            tag,
            queued_at: 0,
            t,
            by: by.into(),
            order: OrderKind::Log("x".into()),
            claimed: None,
        };
        let mut tg = Tagger::default();
        tg.add(lo(1, 600, "ofc"));
        tg.add(lo(2, 0, "ofc"));
        tg.add(lo(3, 0, "water"));
        let entry = |t, by: &str| Entry {
            seq: 0,
            t,
            time: String::new(),
            event: Event::OrderAccepted { by: by.into(), order: OrderKind::Log("x".into()) },
        };
        assert_eq!(tg.tag_of(&entry(0, "ofc")), Some(2));
        assert_eq!(tg.tag_of(&entry(0, "ofc")), None, "the other one is not due yet: the plan-follower's");
        assert_eq!(tg.tag_of(&entry(600, "ofc")), Some(1));
        assert_eq!(tg.tag_of(&entry(600, "water")), Some(3));
    }
}
