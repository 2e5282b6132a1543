//! The automatic plan-follower: plays the plan exactly as written. When a response level's
//! trigger first holds, each of its actions owned by an automatic seat is given as an order at
//! the trigger time plus a delay, through the same door as a person's order.
//!
//! The order is the plan action's `order` when the scenario names one; otherwise it is derived
//! from the action kind and target (see [`derive_order`]).

use std::collections::BTreeSet;

use bevy::prelude::*;

use crate::agents::Shelters;
use crate::exercise::ExerciseState;
use crate::exercise::orders::{OrderBook, Pending};
use crate::hazards::HazardState;
use crate::map::RoadNetwork;
use crate::scenario::ValidScenario;
use crate::scenario::types::{
    ActionKind, AgencyRole, ChemicalSpillParams, DerailmentParams, Figures, Hazard, LeveeBreachParams, Level,
    OrderKind, PlanAction, ReportKind,
};
use crate::sim::{ScenarioRes, SimClock, StepSet};

/// Who the automatic player plays, and how long it takes to act after a trigger.
#[derive(Resource, Debug, Clone)]
pub struct AutoPlan {
    /// Seats (agency ids) played automatically; all agencies when None.
    pub seats: Option<BTreeSet<String>>,
    /// Seconds from the trigger to the order (capped at each action's deadline).
    pub delay_s: u64,
    /// Levels already played.
    played: BTreeSet<Level>,
}

impl AutoPlan {
    pub fn new(seats: Option<BTreeSet<String>>, delay_s: u64) -> Self {
        AutoPlan { seats, delay_s, played: BTreeSet::new() }
    }
    fn plays(&self, agency: &str) -> bool {
        self.seats.as_ref().is_none_or(|s| s.contains(agency))
    }
}

/// Why no order can be derived from a plan action (journaled in the plan-follower's log line).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanGap {
    #[error("plan action \"{0}\" needs a target or an order")]
    NoTarget(String),
    #[error("plan action \"{0}\": no command post node to set up at")]
    NoCommandPost(String),
    #[error("plan action \"{0}\": no higher level to ask")]
    NoHigherLevel(String),
    #[error("plan action \"{0}\": nobody to report to")]
    NobodyToReportTo(String),
    #[error("plan action \"{action}\": target \"{target}\" is not a team")]
    NotATeam { action: String, target: String },
    #[error("plan action \"{action}\": no hazard site fits team \"{team}\"")]
    NoSite { action: String, team: String },
    #[error("plan action \"{action}\": \"{place}\" is not a place")]
    NotAPlace { action: String, place: String },
    #[error("plan action \"{action}\": no shelter reachable from \"{from}\"")]
    NoShelter { action: String, from: String },
    #[error("plan action \"{0}\" (deliver supplies) needs an explicit `order`")]
    NeedsOrder(String),
}

/// The order that carries out plan action `pa` of `level`, or why none can be derived.
pub fn derive_order(
    pa: &PlanAction,
    level: Level,
    sc: &ValidScenario,
    net: &RoadNetwork,
    hazards: &HazardState,
    state: &ExerciseState,
    shelters: &Shelters,
) -> Result<OrderKind, PlanGap> {
    if let Some(o) = &pa.order {
        return Ok(o.clone());
    }
    let s = &sc.scenario;
    let text = || if pa.description.trim().is_empty() { pa.id.clone() } else { pa.description.clone() };
    let target = || pa.target.clone().ok_or_else(|| PlanGap::NoTarget(pa.id.clone()));
    Ok(match pa.action {
        ActionKind::RaiseLevel => OrderKind::SetLevel(level),
        ActionKind::Log => OrderKind::Log(text()),
        ActionKind::WarnPublic => OrderKind::WarnPublic(text()),
        ActionKind::Acknowledge => OrderKind::Acknowledge(target()?),
        ActionKind::OpenShelter => OrderKind::OpenShelter(target()?),
        ActionKind::CloseIntake => OrderKind::CloseIntake(target()?),
        ActionKind::CloseRoad => OrderKind::CloseRoad(target()?),
        ActionKind::SetUpWorkingGroup => OrderKind::SetUpWorkingGroup {
            name: pa.target.clone().unwrap_or_else(text),
            lead: Some(pa.owner.clone()),
            function: pa.function,
        },
        ActionKind::SetUpCommandPost => {
            let at = match &pa.target {
                Some(t) if net.node(t).is_some() => t.clone(),
                _ => s
                    .map
                    .nodes
                    .iter()
                    .find(|n| n.kind == crate::scenario::types::NodeKind::CommandPost)
                    .map(|n| n.id.clone())
                    .ok_or_else(|| PlanGap::NoCommandPost(pa.id.clone()))?,
            };
            OrderKind::SetUpCommandPost { name: text(), at }
        }
        ActionKind::RequestSupport => {
            let to = s
                .agencies
                .iter()
                .find(|a| a.role == AgencyRole::Higher)
                .map(|a| a.id.clone())
                .ok_or_else(|| PlanGap::NoHigherLevel(pa.id.clone()))?;
            OrderKind::RequestSupport { to, what: text() }
        }
        ActionKind::SendReport => {
            // The kind the action asks for (named, or read from its id and description), and the
            // owner's rule for that kind if there is one.
            let wanted = pa.report.or_else(|| ReportKind::recognise(&format!("{} {}", pa.id, pa.description)));
            let rule = s
                .reporting
                .rules
                .iter()
                .find(|r| r.by == pa.owner && wanted.is_none_or(|k| r.accepts(k)))
                .or_else(|| s.reporting.rules.iter().find(|r| r.by == pa.owner));
            let (kind, to) = match (rule, &pa.target) {
                (_, Some(t)) if sc.agency(t).is_some() => {
                    (wanted.or(rule.map(|r| r.kind)).unwrap_or(ReportKind::Written), t.clone())
                }
                (Some(r), _) => (wanted.unwrap_or(r.kind), r.to.clone()),
                (None, _) => {
                    let to = s
                        .reporting
                        .outlet
                        .clone()
                        .filter(|o| o != &pa.owner)
                        .or_else(|| s.agencies.iter().find(|a| a.role == AgencyRole::Higher).map(|a| a.id.clone()));
                    (wanted.unwrap_or(ReportKind::Written), to.ok_or_else(|| PlanGap::NobodyToReportTo(pa.id.clone()))?)
                }
            };
            // The plan-follower reports the truth as the engine knows it.
            let [_, yellow, red, black] = hazards
                .casualties
                .values()
                .fold([0u32; 4], |a, c| [a[0] + c[0], a[1] + c[1], a[2] + c[2], a[3] + c[3]]);
            let green: u32 = hazards.casualties.values().map(|c| c[0]).sum();
            let figures = Figures {
                dead: Some(black),
                injured: Some(green + yellow + red),
                actions_taken: Some(text()),
                ..Default::default()
            };
            OrderKind::Report { kind, to, figures }
        }
        ActionKind::DispatchTeam => {
            let team_id = target()?;
            let team = s
                .resources
                .teams
                .iter()
                .find(|t| t.id == team_id)
                .ok_or_else(|| PlanGap::NotATeam { action: pa.id.clone(), target: team_id.clone() })?;
            let (to, task) =
                team_site(team, sc).ok_or_else(|| PlanGap::NoSite { action: pa.id.clone(), team: team_id.clone() })?;
            OrderKind::Dispatch { team: team_id, to, task }
        }
        ActionKind::Evacuate => {
            let from = target()?;
            // a zone or an area goes by its first place
            let origin = s.map.places_of(&from).first().map_or_else(|| from.clone(), |n| n.to_string());
            let a =
                net.node(&origin).ok_or_else(|| PlanGap::NotAPlace { action: pa.id.clone(), place: from.clone() })?;
            // Prefer shelters that are open or that the plan opens at a level already started.
            let opened: Vec<&str> = s
                .plan
                .levels
                .iter()
                .filter(|l| l.level == level || state.triggered.contains_key(&l.level))
                .flat_map(|l| &l.actions)
                .filter(|a| a.action == ActionKind::OpenShelter)
                .filter_map(|a| a.target.as_deref())
                .collect();
            let usable = |id: &str| shelters.0.get(id).is_some_and(|x| x.open) || opened.contains(&id);
            let any_usable = s.resources.shelters.iter().any(|sh| usable(&sh.node));
            let to = s
                .resources
                .shelters
                .iter()
                .filter(|sh| !any_usable || usable(&sh.node))
                .filter_map(|sh| {
                    net.node(&sh.node).and_then(|b| net.route(a, b, 1.0)).map(|r| (r.secs, sh.node.clone()))
                })
                .min_by(|x, y| x.0.total_cmp(&y.0))
                .map(|(_, id)| id)
                .ok_or_else(|| PlanGap::NoShelter { action: pa.id.clone(), from: from.clone() })?;
            OrderKind::Evacuate { from, to }
        }
        ActionKind::DeliverSupplies => {
            return Err(PlanGap::NeedsOrder(pa.id.clone()));
        }
    })
}

/// Where a team goes and what it does there: the first hazard whose site needs one of its
/// capabilities.
fn team_site(
    team: &crate::scenario::types::Team,
    sc: &ValidScenario,
) -> Option<(String, crate::scenario::types::Capability)> {
    use crate::scenario::types::Capability::*;
    for h in &sc.scenario.hazards {
        let (site, wanted): (String, &[_]) = match h {
            Hazard::LeveeBreach(LeveeBreachParams { levee, .. }) => {
                let lv = sc.scenario.map.levee(levee)?;
                // boats (of a team that cannot close the breach) work inside the zone the levee
                // protects, at its most populous place (`hazards::rescue`); the rest at the levee
                let boats = team.capabilities.contains(&BoatEvacuation) && !team.capabilities.contains(&BreachClosure);
                let inside = sc
                    .scenario
                    .map
                    .places_of(&lv.protects)
                    .into_iter()
                    .max_by_key(|n| sc.scenario.map.nodes.iter().find(|x| x.id == *n).map_or(0, |x| x.population));
                if boats && let Some(n) = inside {
                    return Some((n.to_string(), BoatEvacuation));
                }
                (lv.node.clone(), &[BreachClosure, BoatEvacuation, Rescue, SupplyDelivery])
            }
            Hazard::Derailment(DerailmentParams { node, .. }) => (
                node.clone(),
                // an ambulance crew (transport and triage) carries patients: nobody else can
                &[
                    Extrication,
                    Rescue,
                    MedicalTransport,
                    Triage,
                    SiteClearance,
                    Security,
                    TrafficControl,
                    PowerRepair,
                    Firefighting,
                ],
            ),
            Hazard::ChemicalSpill(ChemicalSpillParams { node, .. }) => {
                (node.clone(), &[Hazmat, WaterSampling, Firefighting, Security, TrafficControl])
            }
            #[allow(unreachable_patterns)]
            _ => continue,
        };
        if let Some(c) = wanted.iter().find(|c| team.capabilities.contains(c)) {
            return Some((site, *c));
        }
    }
    None
}

/// Schedules the plan's actions for each level whose trigger has just held.
pub(super) fn follow_plan(
    clock: Res<SimClock>,
    scenario: Res<ScenarioRes>,
    state: Res<ExerciseState>,
    hazards: Res<HazardState>,
    net: Res<RoadNetwork>,
    shelters: Res<Shelters>,
    mut auto: ResMut<AutoPlan>,
    mut book: ResMut<OrderBook>,
) {
    let sc = &scenario.0;
    for lvl in &sc.scenario.plan.levels {
        let Some(&t0) = state.triggered.get(&lvl.level) else { continue };
        if !auto.played.insert(lvl.level) {
            continue;
        }
        let mut actions: Vec<&PlanAction> = lvl.actions.iter().filter(|pa| auto.plays(&pa.owner)).collect();
        // Within one moment: the level first, then command posts and groups, then shelters,
        // then the rest in the plan's order.
        actions.sort_by_key(|pa| match pa.action {
            ActionKind::RaiseLevel => 0,
            ActionKind::SetUpCommandPost | ActionKind::SetUpWorkingGroup => 1,
            ActionKind::OpenShelter => 2,
            _ => 3,
        });
        // A plan level is started by the emergency office declaring it, even where the plan does
        // not list that as an action.
        let office = sc.scenario.agencies.iter().find(|a| a.role == AgencyRole::EmergencyOffice);
        let declares = lvl.actions.iter().any(|pa| pa.action == ActionKind::RaiseLevel);
        if let Some(office) = office
            && !declares
            && auto.plays(&office.id)
            && state.level.is_none_or(|l| l < lvl.level)
        {
            let t = (t0 + auto.delay_s).max(clock.now + clock.step);
            book.push(Pending {
                t,
                by: office.id.clone(),
                order: OrderKind::SetLevel(lvl.level),
                tag: None,
                claimed: None,
            });
        }
        for pa in actions {
            if pa.action == ActionKind::RaiseLevel && pa.order.is_none() && state.level >= Some(lvl.level) {
                continue; // already at this level or higher: a plan is not followed by lowering it
            }
            let order = match derive_order(pa, lvl.level, sc, &net, &hazards, &state, &shelters) {
                Ok(o) => o,
                Err(why) => OrderKind::Log(format!("auto-plan could not carry out {}: {why}", pa.id)),
            };
            let t = (t0 + auto.delay_s.min(pa.deadline.secs())).max(clock.now + clock.step);
            book.push(Pending { t, by: pa.owner.clone(), order, tag: None, claimed: None });
        }
    }
}

pub(super) fn plugin(app: &mut App) {
    app.add_systems(
        crate::sim::SimStep,
        follow_plan.run_if(resource_exists::<AutoPlan>).in_set(StepSet::Exercise).after(super::check_plan_triggers),
    );
}
