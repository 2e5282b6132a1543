//! Who may give which order: each agency's powers come from its role, from its `powers` list in
//! the scenario, and from the plan (an agency may do what the plan assigns to it).
//!
//! Role defaults follow the county plans in the seed: the emergency office coordinates and may do
//! everything; departments command their own forces and close roads; townships evacuate and run
//! shelters; operators (the water works) handle their installations; higher levels and
//! neighbouring counties report and send their own teams.

use serde::{Deserialize, Serialize};

use crate::scenario::time::TimeSpec;
use crate::scenario::types::{ActionKind, AgencyRole, Capability, Level};
use crate::scenario::{CONTROL, ValidScenario, ron_name};

use ActionKind::*;

/// What the order of a refusal lacks, in the door's words: "(its role, its powers and the plan
/// do not give it)".
const NOT_GIVEN: &str = "(its role, its powers and the plan do not give it)";

/// Why the door refuses an order: one variant per rule of the door, with the ids and values the
/// rule names. `Display` is the reason in English with the ids quoted, journaled as the refusal's
/// `reason`; the variant itself is journaled beside it as `refusal` (`{"kind": "no_road", "from":
/// …, "to": …}`), so the report, the consoles and the GUI say it in their language with names
/// (`report::refusal`).
#[derive(
    Debug, Clone, PartialEq, thiserror::Error, Serialize, Deserialize, strum::IntoStaticStr, strum::VariantNames,
)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
#[strum(serialize_all = "snake_case")]
pub enum Refusal {
    #[error("\"{agency}\" is not an agency of this exercise")]
    NotAnAgency { agency: String },
    #[error(
        "only the emergency office declares a response level; \"{agency}\" may not order {} {NOT_GIVEN}",
        ActionKind::RaiseLevel.name()
    )]
    LevelByOfficeOnly { agency: String },
    #[error(
        "requests for outside support go through the emergency office; \"{agency}\" may not order {} {NOT_GIVEN}",
        ActionKind::RequestSupport.name()
    )]
    SupportThroughOffice { agency: String },
    #[error(
        "{} is beyond the authority of \"{agency}\"; \"{agency}\" may not order {} {NOT_GIVEN}",
        .action.name(),
        .action.name()
    )]
    BeyondAuthority { agency: String, action: ActionKind },
    #[error("only the exercise control cell (\"{CONTROL}\") may do that; \"{by}\" is a player")]
    ControlOnly { by: String },
    #[error("the control cell steers the exercise; players' orders come from their agencies")]
    NotForControl,
    /// The seat of `by` gave an order for another agency (`drillsim serve`).
    #[error("the seat of \"{by}\" gives orders for \"{by}\" only, not for \"{claimed}\"; attempt recorded")]
    Impersonation { by: String, claimed: String },
    /// The order names an id the exercise does not have.
    #[error("unknown {what} \"{id}\"")]
    UnknownId { what: IdKind, id: String },
    #[error("the response level is already {}", .level.roman())]
    LevelAlready { level: Level },
    #[error("there is no team \"{team}\"")]
    NoTeam { team: String },
    #[error("team \"{team}\" belongs to \"{owner}\", not to \"{by}\"")]
    NotYourTeam { team: String, owner: String, by: String },
    #[error("team \"{team}\" cannot do {}: it can do {}", ron_name(.task), caps_list(.can))]
    CannotDo { team: String, task: Capability, can: Vec<Capability> },
    #[error("there is no place \"{place}\" on the map")]
    NoPlace { place: String },
    #[error("no open road leads from \"{from}\" to \"{to}\"")]
    NoRoad { from: String, to: String },
    #[error("shelter \"{shelter}\" is not open; open it first")]
    ShelterNotOpen { shelter: String },
    #[error("shelter \"{shelter}\" is already open")]
    ShelterAlreadyOpen { shelter: String },
    #[error("shelter \"{shelter}\" is already closed")]
    ShelterAlreadyClosed { shelter: String },
    #[error("shelter \"{shelter}\" still holds {people} people")]
    ShelterOccupied { shelter: String, people: u32 },
    #[error("a delivery needs a quantity above zero, not {quantity}")]
    NoQuantity { quantity: f64 },
    #[error("depot \"{depot}\" holds {have} {item}, not {wanted}")]
    DepotShort { depot: String, item: String, have: f64, wanted: f64 },
    #[error("there is no road \"{road}\"")]
    NoSuchRoad { road: String },
    #[error("road \"{road}\" is already closed by order")]
    RoadAlreadyClosed { road: String },
    #[error("road \"{road}\" is not closed by order")]
    RoadNotClosed { road: String },
    #[error("intake \"{intake}\" is operated by \"{operator}\"; \"{by}\" may not switch it")]
    IntakeNotYours { intake: String, operator: String, by: String },
    #[error("intake \"{intake}\" is already closed")]
    IntakeAlreadyClosed { intake: String },
    #[error("intake \"{intake}\" is already open")]
    IntakeAlreadyOpen { intake: String },
    #[error("command post \"{name}\" is already set up")]
    CommandPostExists { name: String },
    #[error("working group \"{name}\" is already set up")]
    WorkingGroupExists { name: String },
    #[error("\"{to}\" is neither a higher level nor a neighbouring county")]
    NoSupportFrom { to: String },
    #[error("a report to oneself is not a report")]
    ReportToSelf,
    #[error("inject \"{inject}\" has not reached \"{by}\"")]
    InjectNotReached { inject: String, by: String },
    #[error("the text is empty")]
    EmptyText,
    #[error("the exercise is already paused")]
    AlreadyPaused,
    #[error("the exercise is not paused")]
    NotPaused,
    #[error("the speed must be above zero, not {speed}")]
    BadSpeed { speed: f64 },
    #[error("inject \"{inject}\" was already delivered")]
    InjectDelivered { inject: String },
    #[error("an observation names its evaluator")]
    NoEvaluator,
    #[error("the observation is empty: say what was seen")]
    EmptyObservation,
    #[error("{time} is in the past")]
    TimePast { time: TimeSpec },
    #[error("{time} is after the end of the scenario")]
    TimeAfterEnd { time: TimeSpec },
    #[error("no timed inject remains to re-time")]
    NoTimedInject,
}

impl Refusal {
    /// The refusal's kind, snake_case as journaled (`no_road`).
    pub fn kind(&self) -> &'static str {
        self.into()
    }

    /// The refusal of an order naming an id the scenario lacks (`ids::order_id_problems`).
    pub fn unknown_id(problem: &crate::scenario::ids::IdProblem) -> Refusal {
        Refusal::UnknownId { what: problem.what, id: problem.id.clone() }
    }
}

/// What kind of thing an unknown id was meant to name, in the words of `ids::order_id_problems`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, strum::Display, strum::EnumString, strum::VariantNames,
)]
#[serde(rename_all = "snake_case")]
pub enum IdKind {
    #[strum(serialize = "team")]
    Team,
    #[strum(serialize = "node")]
    Node,
    /// Where people are evacuated from.
    #[strum(serialize = "node, flood zone or area")]
    Place,
    #[strum(serialize = "shelter")]
    Shelter,
    #[strum(serialize = "depot")]
    Depot,
    #[strum(serialize = "road")]
    Road,
    #[strum(serialize = "intake")]
    Intake,
    #[strum(serialize = "agency")]
    Agency,
    #[strum(serialize = "inject")]
    Inject,
    /// An id of a kind not named above (the door's check names every kind it finds).
    #[strum(serialize = "id")]
    Id,
}

fn caps_list(caps: &[Capability]) -> String {
    caps.iter().map(ron_name).collect::<Vec<_>>().join(", ")
}

/// Refuses with the reason `why`.
pub(crate) fn refuse<T>(why: Refusal) -> Result<T, Refusal> {
    Err(why)
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
        return refuse(Refusal::NotAnAgency { agency: agency.to_string() });
    };
    let by_plan = || {
        scenario.scenario.plan.levels.iter().flat_map(|l| &l.actions).any(|pa| pa.owner == agency && pa.action == kind)
    };
    if role_powers(a.role).contains(&kind) || a.powers.contains(&kind) || by_plan() {
        return Ok(());
    }
    let agency = agency.to_string();
    refuse(match kind {
        RaiseLevel => Refusal::LevelByOfficeOnly { agency },
        RequestSupport => Refusal::SupportThroughOffice { agency },
        action => Refusal::BeyondAuthority { agency, action },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::types::OrderKind;

    #[test]
    fn kinds_are_the_names_serde_writes_and_a_refusal_reads_back() {
        let serde = crate::scenario::serde_variant_names::<Refusal>(r#"{"kind":"?"}"#);
        assert_eq!(serde, <Refusal as strum::VariantNames>::VARIANTS);
        let r = Refusal::NoRoad { from: "lp_lingshan".into(), to: "t_luozhen".into() };
        let json = serde_json::to_string(&r).unwrap();
        assert_eq!(json, r#"{"kind":"no_road","from":"lp_lingshan","to":"t_luozhen"}"#);
        assert_eq!(serde_json::from_str::<Refusal>(&json).unwrap(), r);
        let r = Refusal::CannotDo { team: "t".into(), task: Capability::Rescue, can: vec![Capability::Security] };
        assert_eq!(serde_json::from_str::<Refusal>(&serde_json::to_string(&r).unwrap()).unwrap(), r);
    }

    #[test]
    fn the_reason_in_english_names_the_ids_as_the_door_always_said_them() {
        let cases = [
            (
                Refusal::NoRoad { from: "lp_lingshan".into(), to: "t_luozhen".into() },
                r#"no open road leads from "lp_lingshan" to "t_luozhen""#,
            ),
            (
                Refusal::NotYourTeam { team: "t_pla".into(), owner: "army".into(), by: "wj".into() },
                r#"team "t_pla" belongs to "army", not to "wj""#,
            ),
            (Refusal::ShelterNotOpen { shelter: "sh_g316".into() }, r#"shelter "sh_g316" is not open; open it first"#),
            (Refusal::ShelterOccupied { shelter: "sh".into(), people: 12 }, r#"shelter "sh" still holds 12 people"#),
            (Refusal::NotAnAgency { agency: "x".into() }, r#""x" is not an agency of this exercise"#),
            (Refusal::NoPlace { place: "p".into() }, r#"there is no place "p" on the map"#),
            (Refusal::NoTeam { team: "t".into() }, r#"there is no team "t""#),
            (Refusal::NoSuchRoad { road: "r".into() }, r#"there is no road "r""#),
            (
                Refusal::IntakeNotYours { intake: "wi".into(), operator: "utility".into(), by: "health".into() },
                r#"intake "wi" is operated by "utility"; "health" may not switch it"#,
            ),
            (Refusal::NoTimedInject, "no timed inject remains to re-time"),
            (
                Refusal::BeyondAuthority { agency: "health".into(), action: ActionKind::CloseIntake },
                r#"close_intake is beyond the authority of "health"; "health" may not order close_intake (its role, its powers and the plan do not give it)"#,
            ),
            (
                Refusal::CannotDo {
                    team: "t".into(),
                    task: Capability::Rescue,
                    can: vec![Capability::Security, Capability::Triage],
                },
                r#"team "t" cannot do rescue: it can do security, triage"#,
            ),
        ];
        for (r, said) in cases {
            assert_eq!(r.to_string(), said);
        }
    }

    #[test]
    fn every_unknown_id_the_order_check_finds_is_a_refusal_saying_the_same() {
        let sc = crate::scenario::load(std::path::Path::new("scenarios/demo-county.ron")).expect("the demo");
        let ids = crate::scenario::ids::ScenarioIds::of(&sc);
        let orders = [
            "Dispatch(team: \"t_x\", to: \"n_x\", task: rescue)",
            "Evacuate(from: \"z_x\", to: \"sh_x\")",
            "DeliverSupplies(from: \"dp_x\", to: \"n_x\", item: \"sandbags\", quantity: 1.0)",
            "CloseRoad(\"r_x\")",
            "CloseIntake(\"wi_x\")",
            "SetUpWorkingGroup(name: \"g\", lead: \"a_x\")",
            "Acknowledge(\"j_x\")",
        ];
        let mut seen = std::collections::BTreeSet::new();
        for text in orders {
            let order: OrderKind = crate::scenario::ron_options().from_str(text).expect(text);
            let problems = crate::scenario::ids::order_id_problems(&order, ids);
            assert!(!problems.is_empty(), "{text}");
            for problem in problems {
                let r = Refusal::unknown_id(&problem);
                let problem = problem.to_string();
                assert_eq!(r.to_string(), problem);
                let Refusal::UnknownId { what, .. } = r else { unreachable!() };
                assert_ne!(what, IdKind::Id, "{problem}: a kind of id the refusal does not know");
                seen.insert(what.to_string());
            }
        }
        assert_eq!(seen.len(), <IdKind as strum::VariantNames>::VARIANTS.len() - 1, "{seen:?}");
    }
}
