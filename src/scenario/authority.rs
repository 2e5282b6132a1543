//! Who may give which order: each agency's powers come from its role, from its `powers` list in
//! the scenario, and from the plan (an agency may do what the plan assigns to it).
//!
//! Role defaults follow the county plans in the seed: the emergency office coordinates and may do
//! everything; departments command their own forces and close roads; townships evacuate and run
//! shelters; operators (the water works) handle their installations; higher levels and
//! neighbouring counties report and send their own teams.

use crate::scenario::ValidScenario;
use crate::scenario::types::{ActionKind, AgencyRole};

use ActionKind::*;

/// Why the door refuses an order, in words for the giver: journaled as the refusal's reason and
/// said back to a live seat.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Refusal(pub String);

/// Refuses with the reason `why`.
pub(crate) fn refuse<T>(why: String) -> Result<T, Refusal> {
    Err(Refusal(why))
}

/// What each role may order without being given more.
pub fn role_powers(role: AgencyRole) -> &'static [ActionKind] {
    match role {
        AgencyRole::EmergencyOffice => &ActionKind::ALL,
        AgencyRole::Agency => &[
            DispatchTeam,
            DeliverSupplies,
            CloseRoad,
            SetUpCommandPost,
            SetUpWorkingGroup,
            SendReport,
            Acknowledge,
            Log,
        ],
        AgencyRole::Township => {
            &[DispatchTeam, Evacuate, OpenShelter, WarnPublic, SetUpCommandPost, SendReport, Acknowledge, Log]
        }
        AgencyRole::Operator => &[DispatchTeam, CloseIntake, SendReport, Acknowledge, Log],
        AgencyRole::Higher | AgencyRole::Neighbour => &[DispatchTeam, SendReport, Acknowledge, Log],
    }
}

/// Whether `agency` may give orders of `kind`; `Err` says why not, for the refusal.
pub fn may(scenario: &ValidScenario, agency: &str, kind: ActionKind) -> Result<(), Refusal> {
    let Some(a) = scenario.agency(agency) else {
        return refuse(format!("\"{agency}\" is not an agency of this exercise"));
    };
    let by_plan = || {
        scenario.scenario.plan.levels.iter().flat_map(|l| &l.actions).any(|pa| pa.owner == agency && pa.action == kind)
    };
    if role_powers(a.role).contains(&kind) || a.powers.contains(&kind) || by_plan() {
        return Ok(());
    }
    let who = match kind {
        RaiseLevel => "only the emergency office declares a response level".to_string(),
        RequestSupport => "requests for outside support go through the emergency office".to_string(),
        _ => format!("{} is beyond the authority of \"{agency}\"", kind.name()),
    };
    refuse(format!(
        "{who}; \"{agency}\" may not order {} (its role, its powers and the plan do not give it)",
        kind.name()
    ))
}
