//! What each seat knows of the hazards (the scenario's `visibility` section): the simulation's
//! ground truth as a picture per hazard (its latest state entry per aspect: the breach's width,
//! each zone's depth, the plume's zone, each intake's concentration, the casualties, …), and per
//! seat the picture its role may see — the truth as it changes (`Always`, the facilitator and
//! evaluators), the truth as of the last inject addressed to its agency that reported the hazard
//! (`AsReported`, the default), or nothing (`Never`, observers).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};

use super::seats::{Role, Seat};
use crate::journal::{Entry, Event};
use crate::scenario::ValidScenario;
use crate::scenario::types::Hazard;
use crate::scenario::visibility::{HazardSight, Seen};

/// What a seat's role and agency let it see.
pub fn seen(sc: &ValidScenario, seat: &Seat) -> Seen {
    match (seat.role, &seat.agency) {
        (r, _) if r.sees_all() => Seen::ALL,
        (Role::Player, Some(a)) => sc.scenario.visibility.of(a),
        _ => Seen::PUBLIC,
    }
}

/// The hazards a state entry is about and the aspect it gives (a later entry of the same aspect
/// replaces it). Flood entries name a zone, not a hazard: they belong to every levee breach.
fn aspect(e: &Event, breaches: &[String]) -> Option<(Vec<String>, String)> {
    let one = |h: &String, k: String| Some((vec![h.clone()], k));
    let flood = |k: String| Some((breaches.to_vec(), k));
    match e {
        Event::HazardOnset { hazard, .. } => one(hazard, "onset".into()),
        Event::Casualties { hazard, .. } => one(hazard, "casualties".into()),
        Event::Triaged { hazard, .. } => one(hazard, "triaged".into()),
        Event::SiteCleared { hazard, .. } => one(hazard, "cleared".into()),
        Event::IntakeThreshold { hazard, intake, .. } => one(hazard, format!("intake:{intake}")),
        Event::IntakePeak { hazard, intake, .. } => one(hazard, format!("peak:{intake}")),
        Event::WaterUnsafe { hazard, intake, .. } | Event::IntakeProtected { hazard, intake, .. } => {
            one(hazard, format!("served:{intake}"))
        }
        Event::PlumeZone { hazard, .. } => one(hazard, "plume".into()),
        Event::GasTotals { hazard, .. } => one(hazard, "totals".into()),
        Event::BreachWidened { hazard, .. } | Event::BreachNarrowed { hazard, .. } => one(hazard, "breach".into()),
        Event::BreachClosureWork { hazard, .. } => one(hazard, "closure_work".into()),
        Event::BreachClosed { hazard, .. } => one(hazard, "closed".into()),
        Event::FloodSpill { from, to, .. } => flood(format!("spill:{from}>{to}")),
        Event::FloodDepth { zone, .. } => flood(format!("depth:{zone}")),
        Event::FloodExposure { zone, .. } => flood(format!("exposure:{zone}")),
        Event::FloodDeaths { zone, .. } => flood(format!("deaths:{zone}")),
        Event::FloodTotals { .. } => flood("totals".into()),
        _ => None,
    }
}

/// Whether an entry is part of a hazard's state (seen in the feed by `Always` seats only).
pub fn is_hazard_state(e: &Event) -> bool {
    aspect(e, &[]).is_some()
}

/// One hazard as known: the simulated time of the knowledge, and its aspects' latest entries.
#[derive(Debug, Clone, Default, PartialEq)]
struct Picture {
    as_of: u64,
    parts: BTreeMap<String, Value>,
}

/// The pictures of the hazards, the truth and each seat's.
pub struct Sights {
    seen: Vec<Seen>,
    agencies: Vec<Option<String>>,
    breaches: Vec<String>,
    /// Inject id → the hazards it reports.
    reports: BTreeMap<String, BTreeSet<String>>,
    truth: BTreeMap<String, Picture>,
    /// Per seat: hazard → its picture as last reported to the seat (`AsReported` seats).
    known: Vec<BTreeMap<String, Picture>>,
}

impl Sights {
    pub fn new(sc: &ValidScenario, seats: &[Seat]) -> Sights {
        let s = &sc.scenario;
        Sights {
            seen: seats.iter().map(|x| seen(sc, x)).collect(),
            agencies: seats.iter().map(|x| x.agency.clone().filter(|_| x.role == Role::Player)).collect(),
            breaches: s
                .hazards
                .iter()
                .filter(|h| matches!(h, Hazard::LeveeBreach { .. }))
                .map(|h| h.id().to_string())
                .collect(),
            reports: s.injects.iter().map(|j| (j.id.clone(), s.visibility.reports(s, j))).collect(),
            truth: BTreeMap::new(),
            known: vec![BTreeMap::new(); seats.len()],
        }
    }

    /// What seat `i` sees.
    pub fn of(&self, i: usize) -> Seen {
        self.seen[i]
    }

    /// Takes in one journal entry: a hazard's state changes the truth; an inject delivered to an
    /// `AsReported` seat's agency gives it the truth, as it stands, of the hazards it reports.
    pub fn absorb(&mut self, e: &Entry) {
        if let Some((hazards, key)) = aspect(&e.event, &self.breaches) {
            let v = serde_json::to_value(&e.event).expect("events serialize");
            for h in hazards {
                let p = self.truth.entry(h).or_default();
                p.as_of = e.t;
                p.parts.insert(key.clone(), v.clone());
            }
            return;
        }
        let Event::InjectDelivered { inject, to, .. } = &e.event else { return };
        let Some(hazards) = self.reports.get(inject).filter(|h| !h.is_empty()) else { return };
        for (i, known) in self.known.iter_mut().enumerate() {
            let addressed = self.agencies[i].as_ref().is_some_and(|a| to.contains(a));
            if self.seen[i].hazards != HazardSight::AsReported || !addressed {
                continue;
            }
            // A hazard that has not begun has nothing to report yet.
            for (h, truth) in hazards.iter().filter_map(|h| Some((h, self.truth.get(h)?))) {
                known.insert(h.clone(), Picture { as_of: e.t, parts: truth.parts.clone() });
            }
        }
    }

    /// The `hazards` of seat `i`'s state: per hazard id, `as_of` (simulated seconds) and its
    /// aspects' latest entries.
    pub fn state(&self, i: usize) -> Value {
        let pictures = match self.seen[i].hazards {
            HazardSight::Always => &self.truth,
            HazardSight::AsReported => &self.known[i],
            HazardSight::Never => return json!({}),
        };
        let m: serde_json::Map<String, Value> = pictures
            .iter()
            .map(|(h, p)| (h.clone(), json!({"as_of": p.as_of, "entries": p.parts.values().collect::<Vec<_>>()})))
            .collect();
        Value::Object(m)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::visibility::Sight;

    fn entry(t: u64, event: Event) -> Entry {
        Entry { seq: 0, t, time: String::new(), event }
    }

    fn depth(d: f64) -> Event {
        Event::FloodDepth { zone: "fz_nanhu".into(), depth_m: d, rising: true, level_m: 20.0 + d }
    }

    fn delivered(inject: &str, to: &[&str]) -> Event {
        Event::InjectDelivered {
            inject: inject.into(),
            from: "water".into(),
            to: to.iter().map(|s| s.to_string()).collect(),
            text: "x".into(),
            text_en: None,
        }
    }

    fn seat(role: Role, agency: Option<&str>) -> Seat {
        Seat { name: "s".into(), role, agency: agency.map(String::from), token: "x".into() }
    }

    /// The demo county with the water bureau seeing the hazards always (its own gauges).
    fn scenario() -> ValidScenario {
        let mut sc = crate::scenario::load(std::path::Path::new("scenarios/demo-county.ron")).unwrap();
        sc.scenario
            .visibility
            .agencies
            .insert("water".into(), Sight { hazards: Some(HazardSight::Always), ..Default::default() });
        sc
    }

    #[test]
    fn an_as_reported_seat_knows_a_hazard_from_the_inject_that_reports_it_and_no_later() {
        let sc = scenario();
        let seats = [
            seat(Role::Player, Some("ofc")),
            seat(Role::Player, Some("water")),
            seat(Role::Player, Some("police")),
            seat(Role::Evaluator, None),
            seat(Role::Observer, None),
        ];
        let mut s = Sights::new(&sc, &seats);
        s.absorb(&entry(100, depth(0.5)));
        assert_eq!(s.state(0), json!({}), "ofc: nothing reported yet");
        assert_eq!(s.state(1)["h_breach"]["entries"][0]["depth_m"], 0.5, "water sees it always");
        assert_eq!(s.state(3)["h_breach"]["entries"][0]["depth_m"], 0.5, "the evaluator sees everything");
        // d05 (DepthAtLeast fz_nanhu) reports the breach to ofc; police is not addressed.
        s.absorb(&entry(200, delivered("d05", &["ofc"])));
        assert_eq!(
            s.state(0)["h_breach"],
            json!({"as_of": 200, "entries": [serde_json::to_value(depth(0.5)).unwrap()]})
        );
        s.absorb(&entry(300, depth(1.0)));
        assert_eq!(s.state(0)["h_breach"]["entries"][0]["depth_m"], 0.5, "frozen at the last report");
        assert_eq!(s.state(1)["h_breach"]["entries"][0]["depth_m"], 1.0);
        assert_eq!(s.state(2), json!({}), "police was not told");
        assert_eq!(s.state(4), json!({}), "observers see no hazard");
        // An inject about the weather reports nothing; nor does one about a hazard not begun.
        let mut before = Sights::new(&sc, &seats);
        before.absorb(&entry(50, delivered("d05", &["ofc"])));
        assert_eq!(before.state(0), json!({}));
        s.absorb(&entry(400, delivered("d01", &["ofc"])));
        assert_eq!(s.state(0)["h_breach"]["as_of"], 200);
    }
}
