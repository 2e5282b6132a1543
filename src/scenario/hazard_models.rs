//! The hazard models' parameters as the models use them: what a scenario's hazard gives, with
//! the defaults for what it leaves out, each kind's defaults written once here (`DEFAULT`, also
//! `Default`). The hazard modules, the checks and the sweeps read them from here; the grounds of
//! every default are in the model's module doc and in docs/models.md.

use super::types::{DerailmentParams, Hazard, LeveeBreachParams};

/// A levee breach's growth, outflow and closure parameters (`hazards::flood`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BreachModel {
    /// Weir discharge coefficient C_d.
    pub discharge_coefficient: f64,
    /// Critical flow velocity u_c for erosion of the levee material, m/s.
    pub critical_velocity_ms: f64,
    /// Width the breach cannot grow beyond, m.
    pub max_width_m: f64,
    /// Team person-hours to close one metre of breach.
    pub closure_person_hours_per_m: f64,
}

impl BreachModel {
    /// The defaults (grounds: `hazards::flood`'s module doc).
    pub const DEFAULT: BreachModel = BreachModel {
        discharge_coefficient: 0.5,
        critical_velocity_ms: 0.5,
        max_width_m: 500.0,
        closure_person_hours_per_m: 400.0,
    };
}

impl Default for BreachModel {
    fn default() -> Self {
        BreachModel::DEFAULT
    }
}

impl LeveeBreachParams {
    /// The breach model's parameters: what the hazard gives, the defaults for the rest.
    pub fn model(&self) -> BreachModel {
        let d = BreachModel::DEFAULT;
        BreachModel {
            discharge_coefficient: self.discharge_coefficient.unwrap_or(d.discharge_coefficient),
            critical_velocity_ms: self.critical_velocity_ms.unwrap_or(d.critical_velocity_ms),
            max_width_m: self.max_width_m.unwrap_or(d.max_width_m),
            closure_person_hours_per_m: self.closure_person_hours_per_m.unwrap_or(d.closure_person_hours_per_m),
        }
    }
}

/// The casualty model's parameters (`hazards::derailment`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CasualtyModel {
    pub trapped_share: f64,
    pub yellow_to_red_per_h: f64,
    pub red_to_black_per_h: f64,
    pub treated_factor: f64,
    pub extrication_per_person_h: f64,
    pub max_extricators: u32,
    pub treatment_per_person_h: f64,
    pub ambulance_capacity: u32,
    pub handover_s: f64,
    pub clearance_person_h: f64,
    /// Share of casualties triaged one category off.
    pub mistriage_rate: f64,
}

impl CasualtyModel {
    /// The defaults (grounds: `hazards::derailment`'s module doc).
    pub const DEFAULT: CasualtyModel = CasualtyModel {
        trapped_share: 0.4,
        yellow_to_red_per_h: 0.1,
        red_to_black_per_h: 0.35,
        treated_factor: 0.2,
        extrication_per_person_h: 0.1,
        max_extricators: 60,
        treatment_per_person_h: 1.0,
        ambulance_capacity: 2,
        handover_s: 600.0,
        clearance_person_h: 2000.0,
        mistriage_rate: 0.0,
    };

    /// The casualty model of a derailment, or of a gas release that harms people (its
    /// casualties, from the dose model, take the same chain with the defaults and nobody
    /// trapped); None for other hazards.
    pub fn of(h: &Hazard) -> Option<CasualtyModel> {
        match h {
            Hazard::Derailment(d) => Some(d.model()),
            Hazard::GasRelease(g) if g.toxicity.is_some() => {
                Some(CasualtyModel { trapped_share: 0.0, ..CasualtyModel::DEFAULT })
            }
            _ => None,
        }
    }
}

impl Default for CasualtyModel {
    fn default() -> Self {
        CasualtyModel::DEFAULT
    }
}

impl DerailmentParams {
    /// The casualty model's parameters: what the hazard gives, the defaults for the rest.
    pub fn model(&self) -> CasualtyModel {
        let d = CasualtyModel::DEFAULT;
        CasualtyModel {
            trapped_share: self.trapped_share.unwrap_or(d.trapped_share),
            yellow_to_red_per_h: self.yellow_to_red_per_h.unwrap_or(d.yellow_to_red_per_h),
            red_to_black_per_h: self.red_to_black_per_h.unwrap_or(d.red_to_black_per_h),
            treated_factor: self.treated_factor.unwrap_or(d.treated_factor),
            extrication_per_person_h: self.extrication_per_person_h.unwrap_or(d.extrication_per_person_h),
            max_extricators: self.max_extricators.unwrap_or(d.max_extricators),
            treatment_per_person_h: self.treatment_per_person_h.unwrap_or(d.treatment_per_person_h),
            ambulance_capacity: self.ambulance_capacity.unwrap_or(d.ambulance_capacity),
            handover_s: self.handover_min.map_or(d.handover_s, |m| m * 60.0),
            clearance_person_h: self.clearance_person_h.unwrap_or(d.clearance_person_h),
            mistriage_rate: self.mistriage_rate.unwrap_or(d.mistriage_rate),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hazard(ron: &str) -> Hazard {
        crate::scenario::ron_options().from_str(ron).unwrap_or_else(|e| panic!("{ron}: {e}"))
    }

    #[test]
    fn a_hazard_reads_as_before_and_takes_the_defaults_for_what_it_leaves_out() {
        let h = hazard(
            r#"Derailment(id: "d", node: "n", at: "+1h", casualties: 3, handover_min: 5.0,
                triage: (green: 1.0, yellow: 0.0, red: 0.0, black: 0.0))"#,
        );
        assert_eq!(h.kind_name(), "derailment");
        let Hazard::Derailment(d) = &h else { panic!("{h:?}") };
        assert_eq!(d.model(), CasualtyModel { handover_s: 300.0, ..CasualtyModel::default() });
        assert_eq!(CasualtyModel::of(&h), Some(d.model()));
        let h = hazard(
            r#"LeveeBreach(id: "b", levee: "l", initial_width_m: 10.0, bottom_elevation_m: 1.0, stage: [],
                max_width_m: 80.0)"#,
        );
        let Hazard::LeveeBreach(b) = &h else { panic!("{h:?}") };
        assert_eq!(b.model(), BreachModel { max_width_m: 80.0, ..BreachModel::default() });
        assert_eq!((h.kind_name(), CasualtyModel::of(&h)), ("levee_breach", None));
    }
}
