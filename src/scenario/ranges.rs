//! The valid range of every physical number of a scenario (rule `range`), and the bounds of its
//! clock. Each range is wide enough for any real county and narrow enough that the models'
//! arithmetic stays finite; scenarios/README.md lists them ("Valid ranges"). A value already
//! reported at its place by another rule (`not-positive`, `shares`, …) is not reported twice.

use super::diag::Collector;
use super::types::*;
use super::validate::PathText;

/// Elevations and water levels, m above datum (Dead Sea shore to above Everest).
const ELEV: (f64, f64) = (-500.0, 9_000.0);
/// The longest scenario: a year of simulated time.
pub const MAX_DURATION_S: u64 = 366 * 86_400;
/// The most steps a scenario may take (duration ÷ step).
pub const MAX_STEPS: u64 = 1_000_000;

struct Ranges<'c, 'a> {
    c: &'c mut Collector<'a>,
}

impl Ranges<'_, '_> {
    /// `v` must lie in [lo, hi] (`lo_open`: above lo).
    /// (`path` is written only for a value out of range: a county has tens of thousands.)
    fn within(&mut self, path: impl PathText, what: &str, unit: &str, v: f64, lo: f64, hi: f64, lo_open: bool) {
        let ok = v.is_finite() && (if lo_open { v > lo } else { v >= lo }) && v <= hi;
        if ok {
            return;
        }
        let path = path.text();
        if self.c.problems.iter().any(|p| p.path == path) {
            return;
        }
        let open = if lo_open { "above" } else { "from" };
        let found = if v.abs() < 1e15 { v.to_string() } else { format!("{v:e}") };
        self.c.at("range", path, format!("{what} must be {open} {lo} to {hi} {unit}, found {found}")).help(
            "scenarios/README.md (\"Valid ranges\") lists the range of every number; a value beyond it is a typo \
             or a unit slip",
        );
    }
    fn pos(&mut self, path: impl PathText, what: &str, unit: &str, v: f64, hi: f64) {
        self.within(path, what, unit, v, 0.0, hi, true);
    }
    fn nonneg(&mut self, path: String, what: &str, unit: &str, v: f64, hi: f64) {
        self.within(path, what, unit, v, 0.0, hi, false);
    }
    fn elev(&mut self, path: impl PathText, what: &str, v: f64) {
        self.within(path, what, "m", v, ELEV.0, ELEV.1, false);
    }
    fn opt_pos(&mut self, path: String, what: &str, unit: &str, v: Option<f64>, hi: f64) {
        if let Some(v) = v {
            self.pos(path, what, unit, v, hi);
        }
    }
}

/// Checks every physical number and the clock's bounds.
pub(super) fn check(s: &Scenario, c: &mut Collector) {
    let d = s.meta.duration.secs();
    if d > MAX_DURATION_S {
        c.at("range", "meta.duration", format!("the duration {} is longer than a year", s.meta.duration))
            .help("a scenario covers at most 366 days (\"366d\")");
    } else if s.meta.step.secs() > 0 && d.div_ceil(s.meta.step.secs()) > MAX_STEPS {
        c.at(
            "range",
            "meta.step",
            format!(
                "{} steps of {} cover the duration {}; at most {MAX_STEPS}",
                d / s.meta.step.secs(),
                s.meta.step,
                s.meta.duration
            ),
        )
        .help("take a longer step");
    }
    let mut r = Ranges { c };
    r.nodes_and_roads(s);
    r.flood_zones_and_rivers(s);
    r.resources(s);
    for (i, h) in s.hazards.iter().enumerate() {
        r.hazard(&format!("hazards[{i}]"), h);
    }
}

impl Ranges<'_, '_> {
    fn nodes_and_roads(&mut self, s: &Scenario) {
        for (i, n) in s.map.nodes.iter().enumerate() {
            let p = move |field: &'static str| move || format!("map.nodes[{i}].{field}");
            for v in [n.pos.0, n.pos.1] {
                self.within(p("pos"), "a coordinate", "km", v, -20_000.0, 20_000.0, false);
            }
            if let Some(e) = n.elevation_m {
                self.elev(p("elevation_m"), "the elevation", e);
            }
        }
        for (i, x) in s.map.roads.iter().enumerate() {
            let p = move |field: &'static str| move || format!("map.roads[{i}].{field}");
            self.within(p("length_km"), "road length", "km", x.length_km, 0.001, 10_000.0, false);
            self.within(p("speed_kmh"), "road speed", "km/h", x.speed_kmh, 1.0, 300.0, false);
            self.pos(p("lanes"), "lanes", "", x.lanes as f64, 20.0);
            if let Some(v) = x.capacity_vph {
                self.within(p("capacity_vph"), "road capacity", "vehicles/h", v, 1.0, 100_000.0, false);
            }
        }
    }

    fn flood_zones_and_rivers(&mut self, s: &Scenario) {
        for (i, z) in s.map.flood_zones.iter().enumerate() {
            let p = format!("map.flood_zones[{i}]");
            self.elev(format!("{p}.ground_elevation_m"), "the ground elevation", z.ground_elevation_m);
            self.within(format!("{p}.area_km2"), "zone area", "km²", z.area_km2, 0.01, 10_000.0, false);
            self.opt_pos(format!("{p}.road_closure_depth_m"), "road closure depth", "m", z.road_closure_depth_m, 100.0);
            for (j, sp) in z.spills_to.iter().enumerate() {
                let q = format!("{p}.spills_to[{j}]");
                self.elev(format!("{q}.sill_elevation_m"), "the sill elevation", sp.sill_elevation_m);
                self.within(format!("{q}.width_m"), "spill width", "m", sp.width_m, 0.1, 100_000.0, false);
            }
        }
        for (ri, river) in s.map.rivers.iter().enumerate() {
            for (i, x) in river.reaches.iter().enumerate() {
                let p = format!("map.rivers[{ri}].reaches[{i}]");
                self.within(format!("{p}.length_km"), "reach length", "km", x.length_km, 0.01, 10_000.0, false);
                self.within(format!("{p}.velocity_ms"), "velocity", "m/s", x.velocity_ms, 0.001, 20.0, false);
                self.within(
                    format!("{p}.cross_section_m2"),
                    "cross-section",
                    "m²",
                    x.cross_section_m2,
                    0.01,
                    1_000_000.0,
                    false,
                );
                self.nonneg(format!("{p}.dispersion_m2s"), "dispersion", "m²/s", x.dispersion_m2s, 100_000.0);
            }
            for (i, l) in river.levees.iter().enumerate() {
                self.elev(
                    format!("map.rivers[{ri}].levees[{i}].crest_elevation_m"),
                    "the crest elevation",
                    l.crest_elevation_m,
                );
            }
        }
    }

    /// Teams, depots, hospitals, the evacuation and boat-rescue parameters.
    fn resources(&mut self, s: &Scenario) {
        for (i, t) in s.resources.teams.iter().enumerate() {
            let p = format!("resources.teams[{i}]");
            self.pos(format!("{p}.size"), "team size", "people", t.size as f64, 100_000.0);
            self.within(format!("{p}.speed_factor"), "speed factor", "", t.speed_factor, 0.01, 100.0, false);
            if let Some(b) = t.boats {
                self.within(format!("{p}.boats"), "boats", "", f64::from(b), 1.0, 10_000.0, false);
            }
        }
        for (i, dp) in s.resources.depots.iter().enumerate() {
            for (item, q) in &dp.stock {
                self.nonneg(format!("resources.depots[{i}].stock.{item}"), &format!("stock of {item}"), "", *q, 1e12);
            }
        }
        for (i, h) in s.resources.hospitals.iter().enumerate() {
            let p = format!("resources.hospitals[{i}].surgical_per_hour");
            self.opt_pos(p, "surgical rate", "patients/h", h.surgical_per_hour, 1_000.0);
        }
        {
            let e = &s.resources.evacuation;
            let p = "resources.evacuation";
            self.within(format!("{p}.household_size"), "household size", "people", e.household_size, 1.0, 50.0, false);
            self.within(
                format!("{p}.mobilisation_shape"),
                "mobilisation shape",
                "",
                e.mobilisation_shape,
                0.1,
                100.0,
                false,
            );
            self.within(format!("{p}.walk_speed_kmh"), "walking speed", "km/h", e.walk_speed_kmh, 0.1, 20.0, false);
            self.within(format!("{p}.jam_spacing_m"), "jam spacing", "m", e.jam_spacing_m, 1.0, 100.0, false);
        }
        {
            let b = &s.resources.rescue;
            let p = "resources.rescue";
            self.within(
                format!("{p}.boat_capacity"),
                "boat capacity",
                "people",
                b.boat_capacity as f64,
                1.0,
                1_000.0,
                false,
            );
            self.within(
                format!("{p}.crew_per_boat"),
                "crew per boat",
                "people",
                b.crew_per_boat as f64,
                1.0,
                100.0,
                false,
            );
            self.within(format!("{p}.boat_speed_kmh"), "boat speed", "km/h", b.boat_speed_kmh, 0.1, 100.0, false);
            self.nonneg(format!("{p}.load_min"), "loading time", "min", b.load_min, 1_440.0);
        }
    }

    /// Each hazard kind's model parameters.
    fn hazard(&mut self, p: &str, h: &Hazard) {
        match h {
            Hazard::LeveeBreach(LeveeBreachParams {
                initial_width_m,
                bottom_elevation_m,
                stage,
                critical_velocity_ms,
                max_width_m,
                closure_person_hours_per_m,
                ..
            }) => {
                self.within(
                    format!("{p}.initial_width_m"),
                    "the initial width",
                    "m",
                    *initial_width_m,
                    0.1,
                    10_000.0,
                    false,
                );
                self.elev(format!("{p}.bottom_elevation_m"), "the breach bottom", *bottom_elevation_m);
                for (j, sp) in stage.iter().enumerate() {
                    self.elev(format!("{p}.stage[{j}].stage_m"), "the river stage", sp.stage_m);
                }
                if let Some(v) = critical_velocity_ms {
                    self.within(format!("{p}.critical_velocity_ms"), "critical velocity", "m/s", *v, 0.01, 20.0, false);
                }
                self.opt_pos(format!("{p}.max_width_m"), "the largest width", "m", *max_width_m, 10_000.0);
                self.opt_pos(
                    format!("{p}.closure_person_hours_per_m"),
                    "closure work",
                    "person-hours/m",
                    *closure_person_hours_per_m,
                    1_000_000.0,
                );
            }
            Hazard::Derailment(DerailmentParams {
                yellow_to_red_per_h,
                red_to_black_per_h,
                extrication_per_person_h,
                treatment_per_person_h,
                handover_min,
                clearance_person_h,
                ..
            }) => {
                for (f, v) in [("yellow_to_red_per_h", yellow_to_red_per_h), ("red_to_black_per_h", red_to_black_per_h)]
                {
                    if let Some(v) = v {
                        self.nonneg(format!("{p}.{f}"), "a deterioration rate", "/h", *v, 1_000.0);
                    }
                }
                self.opt_pos(
                    format!("{p}.extrication_per_person_h"),
                    "extrication work",
                    "h",
                    *extrication_per_person_h,
                    1_000.0,
                );
                self.opt_pos(
                    format!("{p}.treatment_per_person_h"),
                    "treatment work",
                    "h",
                    *treatment_per_person_h,
                    1_000.0,
                );
                self.opt_pos(format!("{p}.handover_min"), "the handover time", "min", *handover_min, 1_440.0);
                self.opt_pos(
                    format!("{p}.clearance_person_h"),
                    "clearance work",
                    "person-hours",
                    *clearance_person_h,
                    1e7,
                );
            }
            Hazard::ChemicalSpill(ChemicalSpillParams { mass_kg, threshold_mg_l, decay_per_h, .. }) => {
                self.pos(format!("{p}.mass_kg"), "the mass", "kg", *mass_kg, 1e9);
                self.pos(format!("{p}.threshold_mg_l"), "the threshold", "mg/l", *threshold_mg_l, 1e6);
                self.nonneg(format!("{p}.decay_per_h"), "the decay rate", "/h", *decay_per_h, 1_000.0);
            }
            Hazard::GasRelease(GasReleaseParams {
                rate_kg_s,
                wind_ms,
                release_height_m,
                level_of_concern_mg_m3,
                ..
            }) => {
                self.pos(format!("{p}.rate_kg_s"), "the release rate", "kg/s", *rate_kg_s, 1e6);
                self.within(format!("{p}.wind_ms"), "the wind speed", "m/s", *wind_ms, 0.1, 100.0, false);
                self.nonneg(format!("{p}.release_height_m"), "the release height", "m", *release_height_m, 1_000.0);
                self.pos(
                    format!("{p}.level_of_concern_mg_m3"),
                    "the level of concern",
                    "mg/m³",
                    *level_of_concern_mg_m3,
                    1e6,
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::scenario::{SourceFile, parse};

    /// The demo with one value changed: the `range` problems' paths (other rules' problems too,
    /// by rule name).
    fn problems_with(from: &str, to: &str) -> Vec<String> {
        let text = std::fs::read_to_string("scenarios/demo-county.ron").unwrap();
        assert!(text.contains(from), "{from}");
        match parse(SourceFile::new("demo.ron", text.replacen(from, to, 1))) {
            Ok(_) => Vec::new(),
            Err(p) => p.problems.iter().map(|q| format!("{} {}", q.rule, q.path)).collect(),
        }
    }

    #[test]
    fn each_bound_is_inclusive_and_a_step_beyond_it_is_refused() {
        // (as written in the demo, the bounds' values, a value past each bound, the path)
        let cases = [
            (
                "area_km2: 6.0",
                ["area_km2: 0.01", "area_km2: 10000.0"],
                ["area_km2: 0.0099", "area_km2: 10000.1"],
                "map.flood_zones[0].area_km2",
            ),
            (
                "ground_elevation_m: 26.5",
                ["ground_elevation_m: -500.0", "ground_elevation_m: 9000.0"],
                ["ground_elevation_m: -500.1", "ground_elevation_m: 9000.1"],
                "map.flood_zones[0].ground_elevation_m",
            ),
            (
                "width_m: 300.0",
                ["width_m: 0.1", "width_m: 100000.0"],
                ["width_m: 0.09", "width_m: 100000.5"],
                "map.flood_zones[0].spills_to[0].width_m",
            ),
            (
                "crest_elevation_m: 31.5",
                ["crest_elevation_m: 28.0", "crest_elevation_m: 9000.0"],
                ["crest_elevation_m: 9000.5", "crest_elevation_m: NaN"],
                "map.rivers[0].levees[0].crest_elevation_m",
            ),
            (
                "initial_width_m: 20.0",
                ["initial_width_m: 0.1", "initial_width_m: 150.0"],
                ["initial_width_m: 0.05", "initial_width_m: inf"],
                "hazards[0].initial_width_m",
            ),
            (
                "critical_velocity_ms: 0.5",
                ["critical_velocity_ms: 0.01", "critical_velocity_ms: 20.0"],
                ["critical_velocity_ms: 0.009", "critical_velocity_ms: 20.5"],
                "hazards[0].critical_velocity_ms",
            ),
        ];
        for (from, ok, bad, path) in cases {
            for to in ok {
                let found = problems_with(from, to);
                assert!(!found.iter().any(|p| p.ends_with(path)), "{to}: {found:?}");
            }
            for to in bad {
                let found = problems_with(from, to);
                assert!(found.iter().any(|p| p.ends_with(path)), "{to} must be refused at {path}: {found:?}");
            }
        }
    }

    #[test]
    fn a_value_another_rule_reports_is_not_reported_twice() {
        let found = problems_with("area_km2: 6.0", "area_km2: -1.0");
        assert_eq!(found, vec!["not-positive map.flood_zones[0].area_km2".to_string()]);
    }

    #[test]
    fn the_clock_is_bounded() {
        assert_eq!(problems_with("duration: \"12h\"", "duration: \"366d\""), Vec::<String>::new());
        assert_eq!(problems_with("duration: \"12h\"", "duration: \"367d\""), vec!["range meta.duration".to_string()]);
        let steps = problems_with("step: \"1m\"", "step: \"1s\"");
        assert_eq!(steps, Vec::<String>::new(), "12 h of 1 s steps is 43,200 steps");
        let text = std::fs::read_to_string("scenarios/demo-county.ron").unwrap();
        let long =
            text.replacen("step: \"1m\"", "step: \"1s\"", 1).replacen("duration: \"12h\"", "duration: \"12d\"", 1);
        let p = parse(SourceFile::new("demo.ron", long)).unwrap_err();
        assert!(p.problems.iter().any(|q| q.rule == "range" && q.path == "meta.step"), "{p}");
    }
}
