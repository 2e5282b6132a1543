//! Observable conditions (plan triggers, conditional injects) evaluated against the world.

use crate::hazards::{HazardState, stage_at};
use crate::map::ZoneDepths;
use crate::scenario::ValidScenario;
use crate::scenario::types::{Condition, DeadlineFrom, Hazard, LeveeBreachParams};

use super::ExerciseState;

/// What a condition may look at.
pub struct Facts<'a> {
    pub now: u64,
    pub scenario: &'a ValidScenario,
    pub hazards: &'a HazardState,
    pub depths: &'a ZoneDepths,
    pub exercise: &'a ExerciseState,
}

/// Whether `cond` holds now.
pub fn holds(cond: &Condition, f: &Facts) -> bool {
    let now = f.now as i64;
    match cond {
        Condition::At(t) => now >= f.scenario.offset(t),
        Condition::Manual => false,
        Condition::HazardOnset { hazard, after } => {
            f.hazards.onset.get(hazard).is_some_and(|t0| f.now >= t0 + after.map_or(0, |d| d.secs()))
        }
        Condition::InjectDelivered(j) => f.exercise.delivered.contains_key(j),
        Condition::LevelAtLeast(l) => f.exercise.level.is_some_and(|cur| cur >= *l),
        // the routed stage where the flood model routes the river, else the hydrograph's
        Condition::StageAtLeast { levee, stage_m } => match f.hazards.river_stage.get(levee) {
            Some(routed) => *routed >= *stage_m,
            None => f.scenario.scenario.hazards.iter().any(|h| match h {
                Hazard::LeveeBreach(LeveeBreachParams { levee: lv, stage, .. }) if lv == levee => {
                    stage_at(stage, f.scenario, f.now).is_some_and(|s| s >= *stage_m)
                }
                _ => false,
            }),
        },
        Condition::CasualtiesAtLeast(n) => f.hazards.casualties_total() >= *n,
        Condition::DepthAtLeast { zone, depth_m } => f.depths.0.get(zone).is_some_and(|d| d >= depth_m),
        Condition::ReportMissing { rule } => report_missing(rule, f),
    }
}

/// A reporting rule's deadline has passed and no report of its kind went from `by` to `to`.
fn report_missing(rule_id: &str, f: &Facts) -> bool {
    let Some(rule) = f.scenario.scenario.reporting.rules.iter().find(|r| r.id == rule_id) else {
        return false;
    };
    let start = match rule.from {
        DeadlineFrom::Incident => f.hazards.onset.values().min().copied(),
        DeadlineFrom::Notification => f
            .scenario
            .scenario
            .injects
            .iter()
            .filter(|j| j.to.iter().any(|r| r == &rule.by))
            .filter_map(|j| f.exercise.delivered.get(&j.id).copied())
            .min(),
        DeadlineFrom::Inject => rule.inject.as_ref().and_then(|j| f.exercise.delivered.get(j).copied()),
    };
    let Some(start) = start else { return false };
    let deadline = start + rule.deadline.secs();
    f.now > deadline
        && !f
            .exercise
            .reports
            .iter()
            .any(|r| rule.accepts(r.kind) && r.by == rule.by && r.to == rule.to && r.t >= start && r.t <= deadline)
}

/// A condition as written in RON, for the journal.
pub fn describe(cond: &Condition) -> String {
    ron::to_string(cond).unwrap_or_else(|_| format!("{cond:?}"))
}
