//! The values a scenario's optional flood parameters take when it leaves them out (their sources:
//! `hazards::flood` and docs/models.md). The format owns them, so the uncertainty draws
//! (`uncertain`) and the flood model read the same numbers. The breach's
//! are names for the fields of `hazard_models::BreachModel::DEFAULT`, where they are written once.

use super::hazard_models::BreachModel;

/// Weir discharge coefficient C_d when the scenario gives none (see `hazards::flood`).
pub const DEFAULT_DISCHARGE_COEFFICIENT: f64 = BreachModel::DEFAULT.discharge_coefficient;
/// Critical flow velocity u_c for erosion of the levee material, m/s, when none is given.
pub const DEFAULT_CRITICAL_VELOCITY_MS: f64 = BreachModel::DEFAULT.critical_velocity_ms;
/// Largest breach width when none is given, m.
pub const DEFAULT_MAX_WIDTH_M: f64 = BreachModel::DEFAULT.max_width_m;
/// Team person-hours to close one metre of breach when none is given.
pub const DEFAULT_CLOSURE_PERSON_HOURS_PER_M: f64 = BreachModel::DEFAULT.closure_person_hours_per_m;
/// Depth over a road's end node at which the road closes to cars, m (docs/models.md).
pub const DEFAULT_ROAD_CLOSURE_DEPTH_M: f64 = 0.3;
