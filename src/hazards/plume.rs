//! Gas release to the air: a Gaussian plume with Pasquill–Gifford dispersion and its threat zone.
//!
//! **Concentration** of a continuous point source of Q (kg/s) at height H in a wind u (m/s), with
//! reflection at the ground (docs/models.md; Turner 1970, *Workbook of Atmospheric Dispersion
//! Estimates*, eq. 3.1):
//!
//! C(x,y,z) = Q / (2π u σy σz) · exp(−y²/2σy²) · [exp(−(z−H)²/2σz²) + exp(−(z+H)²/2σz²)]
//!
//! x downwind, y crosswind, z up; at the ground (z = 0) the bracket is 2·exp(−H²/2σz²).
//!
//! **Dispersion coefficients**, x in km, σ in m, rural Pasquill–Gifford curves as power laws:
//! - σy = a·x^0.894 with a = 213, 156, 104, 68, 50.5, 34 for A–F (Martin 1976, "The change of
//!   concentration standard deviations with distance", JAPCA 26:145, fitted to Turner's curves);
//! - σz = a·x^b with a, b by class and distance range, capped at 5000 m: the table of the EPA ISC3
//!   model (User's Guide vol. II, EPA-454/B-95-003b, table 1-2; also Turner's workbook and
//!   *Fundamentals of Air Pollution* 3e, table 19-5). The fits are continuous at their breaks.
//!
//! **Threat zone**: the map nodes where the ground-level concentration exceeds the level of
//! concern (e.g. AEGL-2 or ERPG-2, mg/m³) while gas is there: gas released between the start and
//! the end of the release travels downwind at u, so a node at downwind distance x is in the plume
//! from x/u after the start until x/u after the end (a steady plume while it lasts; no puff
//! spreading along the wind). `plume_zone` entries give the nodes inside, the people living there
//! (`agents::Residents`) and how far downwind along the centreline the zone reaches; one entry
//! whenever the set of nodes changes, and one at onset.
//!
//! **Dose and harm** (with the release's `toxicity`; [`dose_step`]). People at a node are
//! indoors; the indoor concentration follows the outdoor one with `λ` air changes per hour,
//! `dC_in/dt = λ·(C_out − C_in)`, solved exactly over each step with `C_out` held (a
//! one-compartment infiltration model: Wilson 1987, *Stay indoors or evacuate to avoid exposure
//! to toxic gas?*, Emergency Preparedness Digest 14(1):19–24; the same model as ALOHA's indoor
//! concentration). `λ` is `air_changes_per_h` (default 1.0) until the public is warned
//! (`WarnPublic` after the release began), then `sheltered_air_changes_per_h` (default 0.3):
//! shelter in place. The toxic load `L = ∫ C_in^n dt` (mg/m³, minutes; trapezoid rule over each
//! step) gives the mortality `F = Φ(a + b·ln L − 5)` (probit; TNO CPR 18E "Purple Book" §4) and,
//! once `L` passes the load of the `injury_mg_m3_60min` (AEGL-2) or `severe_mg_m3_60min` (AEGL-3)
//! concentration for 60 minutes, the people still there are injured, yellow or red. Deaths are
//! the increase of `F` among those still there (as for the flood); the dead and the injured
//! leave `Residents` and join the casualty chain of the derailment model at the release's node
//! (`HazardState.pending_patients`: triage, treatment, ambulances, beds). People who evacuated
//! before the gas came take no dose. Beside the real run a **no-response shadow** (every
//! resident at home, homes as they are) is carried along, so `gas_totals` can say how much harm
//! the response avoided.
//!
//! Not modelled: dense-gas slumping, buoyant rise, terrain, wind changes, people outdoors or on
//! the road in the plume, dose taken on the way out. Below about 1 m/s of wind a Gaussian plume
//! is unreliable (ALOHA refuses such winds).

use std::collections::BTreeMap;

use bevy::prelude::*;

use super::flood::{deaths_on_rise, normal_cdf};
use super::{HazardState, PublicWarnings};
use crate::agents::Residents;
use crate::journal::{Event, Journaled};
use crate::scenario::ValidScenario;
use crate::scenario::types::{Hazard, Stability, Toxicity};
use crate::sim::{ScenarioRes, SimClock};

/// Air changes per hour of homes when the scenario gives none.
pub const DEFAULT_AIR_CHANGES_PER_H: f64 = 1.0;
/// Air changes per hour with windows shut and ventilation off, when none is given.
pub const DEFAULT_SHELTERED_AIR_CHANGES_PER_H: f64 = 0.3;

/// σy = a·x^0.894 (x km, σ m): Martin (1976), classes A–F.
const SIGMA_Y_A: [f64; 6] = [213.0, 156.0, 104.0, 68.0, 50.5, 34.0];

/// σz = a·x^b (x km, σ m) for x up to the first number: ISC3 table 1-2, classes A–F.
const SIGMA_Z: [&[(f64, f64, f64)]; 6] = [
    &[
        (0.10, 122.800, 0.94470),
        (0.15, 158.080, 1.05420),
        (0.20, 170.220, 1.09320),
        (0.25, 179.520, 1.12620),
        (0.30, 217.410, 1.26440),
        (0.40, 258.890, 1.40940),
        (0.50, 346.750, 1.72830),
        (3.11, 453.850, 2.11660),
    ],
    &[(0.20, 90.673, 0.93198), (0.40, 98.483, 0.98332), (35.0, 109.300, 1.09710)],
    &[(f64::INFINITY, 61.141, 0.91465)],
    &[
        (0.30, 34.459, 0.86974),
        (1.00, 32.093, 0.81066),
        (3.00, 32.093, 0.64403),
        (10.00, 33.504, 0.60486),
        (30.00, 36.650, 0.56589),
        (f64::INFINITY, 44.053, 0.51179),
    ],
    &[
        (0.10, 24.260, 0.83660),
        (0.30, 23.331, 0.81956),
        (1.00, 21.628, 0.75660),
        (2.00, 21.628, 0.63077),
        (4.00, 22.534, 0.57154),
        (10.00, 24.703, 0.50527),
        (20.00, 26.970, 0.46713),
        (40.00, 35.420, 0.37615),
        (f64::INFINITY, 47.618, 0.29592),
    ],
    &[
        (0.20, 15.209, 0.81558),
        (0.70, 14.457, 0.78407),
        (1.00, 13.953, 0.68465),
        (2.00, 13.953, 0.63227),
        (3.00, 14.823, 0.54503),
        (7.00, 16.187, 0.46490),
        (15.00, 17.836, 0.41507),
        (30.00, 22.651, 0.32681),
        (60.00, 27.074, 0.27436),
        (f64::INFINITY, 34.219, 0.21716),
    ],
];

/// σz never exceeds this (ISC3), m.
pub const SIGMA_Z_MAX_M: f64 = 5000.0;

/// Closest downwind distance the formulas are used at, m (the source itself is a singularity).
pub const MIN_DISTANCE_M: f64 = 10.0;

fn class(s: Stability) -> usize {
    match s {
        Stability::A => 0,
        Stability::B => 1,
        Stability::C => 2,
        Stability::D => 3,
        Stability::E => 4,
        Stability::F => 5,
    }
}

/// Horizontal dispersion σy (m) at `x_m` downwind.
pub fn sigma_y(s: Stability, x_m: f64) -> f64 {
    SIGMA_Y_A[class(s)] * (x_m / 1000.0).powf(0.894)
}

/// Vertical dispersion σz (m) at `x_m` downwind.
pub fn sigma_z(s: Stability, x_m: f64) -> f64 {
    let x = x_m / 1000.0;
    let table = SIGMA_Z[class(s)];
    let &(_, a, b) = table.iter().find(|(upto, _, _)| x <= *upto).unwrap_or(&table[table.len() - 1]);
    if table.last().is_some_and(|(upto, _, _)| x > *upto) {
        return SIGMA_Z_MAX_M; // beyond the last range of A (3.11 km) and B (35 km)
    }
    (a * x.powf(b)).min(SIGMA_Z_MAX_M)
}

/// A steady Gaussian plume.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Plume {
    pub rate_kg_s: f64,
    pub wind_ms: f64,
    pub stability: Stability,
    pub height_m: f64,
}

impl Plume {
    /// Concentration (mg/m³) at `x_m` downwind, `y_m` crosswind, `z_m` above the ground.
    pub fn concentration_mg_m3(&self, x_m: f64, y_m: f64, z_m: f64) -> f64 {
        if x_m <= 0.0 {
            return 0.0;
        }
        let x = x_m.max(MIN_DISTANCE_M);
        let (sy, sz) = (sigma_y(self.stability, x), sigma_z(self.stability, x));
        let q_mg_s = self.rate_kg_s * 1e6;
        let h = self.height_m;
        q_mg_s / (2.0 * std::f64::consts::PI * self.wind_ms * sy * sz)
            * (-y_m * y_m / (2.0 * sy * sy)).exp()
            * ((-(z_m - h).powi(2) / (2.0 * sz * sz)).exp() + (-(z_m + h).powi(2) / (2.0 * sz * sz)).exp())
    }

    /// Ground-level concentration (mg/m³).
    pub fn ground_mg_m3(&self, x_m: f64, y_m: f64) -> f64 {
        self.concentration_mg_m3(x_m, y_m, 0.0)
    }

    /// The stretch of the centreline, (nearest, farthest) downwind distance in m, where the
    /// ground-level concentration is at least `level_mg_m3`; None if nowhere up to 100 km.
    pub fn threat_extent(&self, level_mg_m3: f64) -> Option<(f64, f64)> {
        let c = |x: f64| self.ground_mg_m3(x, 0.0);
        let (lo, hi) = (MIN_DISTANCE_M.ln(), 100_000f64.ln());
        let n = 600;
        let xs: Vec<f64> = (0..=n).map(|i| (lo + (hi - lo) * i as f64 / n as f64).exp()).collect();
        let first = xs.iter().position(|&x| c(x) >= level_mg_m3)?;
        let last = xs.iter().rposition(|&x| c(x) >= level_mg_m3)?;
        // refine each end by bisection between the grid points around it
        let bisect = |mut inside: f64, mut outside: f64| {
            for _ in 0..60 {
                let mid = (inside + outside) / 2.0;
                if c(mid) >= level_mg_m3 {
                    inside = mid;
                } else {
                    outside = mid;
                }
            }
            inside
        };
        let near = if first == 0 { xs[0] } else { bisect(xs[first], xs[first - 1]) };
        let far = if last == n { xs[n] } else { bisect(xs[last], xs[last + 1]) };
        Some((near, far))
    }
}

/// Downwind and crosswind distance (m) of a point `d_km` (east, north) from the source, for a
/// wind blowing from `from_deg` (clockwise from north).
pub fn wind_frame(d_km: (f64, f64), from_deg: f64) -> (f64, f64) {
    let th = from_deg.to_radians();
    let (ex, ey) = (-th.sin(), -th.cos()); // the direction the wind blows to
    let (dx, dy) = (d_km.0 * 1000.0, d_km.1 * 1000.0);
    (dx * ex + dy * ey, (dy * ex - dx * ey).abs())
}

/// One gas release as the model needs it.
#[derive(Debug, Clone)]
pub struct Release {
    pub hazard: String,
    pub node: String,
    pub start_s: f64,
    pub duration_s: f64,
    pub plume: Plume,
    pub wind_dir_deg: f64,
    pub level_mg_m3: f64,
    /// (nearest, farthest) centreline distance above the level, if any.
    pub extent: Option<(f64, f64)>,
    /// Every map node: id, downwind and crosswind distance (m).
    pub nodes: Vec<(String, f64, f64)>,
    /// Nodes inside the zone at the last entry; None before onset.
    pub inside: Option<Vec<String>>,
    /// The dose model, when the scenario says what the gas does to people.
    pub dose: Option<Dose>,
}

/// Indoor concentration after `dt_s` seconds at `lambda_per_h` air changes per hour, from
/// `c_in` indoors with `c_out` outdoors held: `C_out + (C_in − C_out)·e^{−λ·dt}`.
pub fn indoor_after(c_in: f64, c_out: f64, lambda_per_h: f64, dt_s: f64) -> f64 {
    c_out + (c_in - c_out) * (-lambda_per_h * dt_s / 3600.0).exp()
}

/// Lethality from the toxic load `load` (mg/m³)^n·min by the probit `a + b·ln L`: `Φ(Pr − 5)`.
pub fn probit_mortality(a: f64, b: f64, load: f64) -> f64 {
    if load <= 0.0 {
        return 0.0;
    }
    normal_cdf(a + b * load.ln() - 5.0)
}

/// The dose of one place: indoor concentration, toxic load, harm so far.
#[derive(Debug, Clone, Default)]
pub struct PlaceDose {
    pub c_in: f64,
    pub load: f64,
    /// Mortality fraction reached.
    pub f_dead: f64,
    pub injured: bool,
    pub severe: bool,
}

/// One release's dose model: per map node (same order as `Release::nodes`) the real dose and
/// the no-response shadow, and the harm counted.
#[derive(Debug, Clone)]
pub struct Dose {
    pub tox: Toxicity,
    pub real: Vec<PlaceDose>,
    pub shadow: Vec<PlaceDose>,
    /// People at home in the shadow (all residents at onset; the shadow's dead and injured leave).
    pub shadow_people: Option<Vec<f64>>,
    /// Harm [yellow, red, dead] counted (fractional), real and shadow.
    pub harm: [f64; 3],
    pub shadow_harm: [f64; 3],
    /// Harm already handed to the casualty model (whole people).
    pub handed: [u32; 3],
    pub totals_journaled: bool,
}

impl Dose {
    fn new(tox: Toxicity, n: usize) -> Dose {
        Dose {
            tox,
            real: vec![PlaceDose::default(); n],
            shadow: vec![PlaceDose::default(); n],
            shadow_people: None,
            harm: [0.0; 3],
            shadow_harm: [0.0; 3],
            handed: [0; 3],
            totals_journaled: false,
        }
    }
    fn load_60min(&self, c: f64) -> f64 {
        c.powf(self.tox.probit_n) * 60.0
    }
}

/// Advances one place by `dt_s` with `c_out` outdoors at `lambda` air changes per hour and
/// `people` there; returns [yellow, red, dead] among them this step (the caller removes them).
pub fn advance_place(
    p: &mut PlaceDose,
    tox: &Toxicity,
    thresholds: (f64, Option<f64>),
    c_out: f64,
    lambda: f64,
    dt_s: f64,
    people: f64,
) -> [f64; 3] {
    let before = p.c_in;
    p.c_in = indoor_after(p.c_in, c_out, lambda, dt_s);
    let n = tox.probit_n;
    p.load += 0.5 * (before.max(0.0).powf(n) + p.c_in.max(0.0).powf(n)) * dt_s / 60.0;
    let f = probit_mortality(tox.probit_a, tox.probit_b, p.load);
    let dead = deaths_on_rise(people, p.f_dead, f);
    p.f_dead = p.f_dead.max(f);
    let left = people - dead;
    let mut out = [0.0, 0.0, dead];
    if let Some(sev) = thresholds.1
        && !p.severe
        && p.load >= sev
    {
        p.severe = true;
        p.injured = true;
        out[1] = left;
    } else if !p.injured && p.load >= thresholds.0 {
        p.injured = true;
        out[0] = left;
    }
    out
}

impl Release {
    /// The nodes inside the threat zone `e` seconds after the start, and how far downwind the
    /// zone reaches (m; 0 when empty).
    pub fn zone_at(&self, e: f64) -> (Vec<String>, f64) {
        let u = self.plume.wind_ms;
        let present = |x: f64| x <= u * e && x >= u * (e - self.duration_s);
        let nodes = self
            .nodes
            .iter()
            .filter(|(_, x, y)| {
                let x = if x.hypot(*y) < MIN_DISTANCE_M { MIN_DISTANCE_M } else { *x };
                x > 0.0 && present(x) && self.plume.ground_mg_m3(x, *y) >= self.level_mg_m3
            })
            .map(|(id, _, _)| id.clone())
            .collect();
        let reach = match self.extent {
            Some((near, far)) => {
                let (a, b) = (near.max(u * (e - self.duration_s)), far.min(u * e));
                if a <= b { b } else { 0.0 }
            }
            None => 0.0,
        };
        (nodes, reach)
    }
}

/// The gas releases of the run, in scenario order.
#[derive(Resource, Debug, Default)]
pub struct PlumeState {
    pub releases: Vec<Release>,
}

impl PlumeState {
    pub fn build(sc: &ValidScenario) -> PlumeState {
        let nodes = &sc.scenario.map.nodes;
        let mut releases = Vec::new();
        for h in &sc.scenario.hazards {
            let Hazard::GasRelease(g) = h else { continue };
            let Some(src) = nodes.iter().find(|n| n.id == g.node) else { continue };
            let plume = Plume {
                rate_kg_s: g.rate_kg_s,
                wind_ms: g.wind_ms,
                stability: g.stability,
                height_m: g.release_height_m,
            };
            let frame = nodes
                .iter()
                .map(|n| {
                    let (x, y) = wind_frame((n.pos.0 - src.pos.0, n.pos.1 - src.pos.1), g.wind_dir_deg);
                    (n.id.clone(), x, y)
                })
                .collect();
            releases.push(Release {
                hazard: g.id.clone(),
                node: g.node.clone(),
                start_s: sc.offset(&g.at) as f64,
                duration_s: g.duration.secs() as f64,
                plume,
                wind_dir_deg: g.wind_dir_deg,
                level_mg_m3: g.level_of_concern_mg_m3,
                extent: plume.threat_extent(g.level_of_concern_mg_m3),
                dose: g.toxicity.clone().map(|t| Dose::new(t, nodes.len())),
                nodes: frame,
                inside: None,
            });
        }
        PlumeState { releases }
    }
}

fn init_plumes(scenario: Res<ScenarioRes>, mut state: ResMut<PlumeState>) {
    *state = PlumeState::build(&scenario.0);
}

/// The threat zone of each release this step; an entry when its nodes change.
pub(super) fn plume_step(
    clock: Res<SimClock>,
    residents: Res<Residents>,
    mut state: ResMut<PlumeState>,
    mut journal: MessageWriter<Journaled>,
) {
    for r in &mut state.releases {
        let e = clock.now as f64 - r.start_s;
        if e < 0.0 {
            continue;
        }
        let (nodes, reach) = r.zone_at(e);
        if r.inside.as_ref() == Some(&nodes) {
            continue;
        }
        let people = nodes.iter().map(|n| residents.0.get(n).copied().unwrap_or(0.0)).sum::<f64>().round() as u32;
        journal.write(Journaled(Event::PlumeZone {
            hazard: r.hazard.clone(),
            nodes: nodes.clone(),
            people,
            max_distance_m: reach.round(),
        }));
        r.inside = Some(nodes);
    }
}

/// The dose of every place downwind this step, and the people it harms (Hazards set, after
/// `plume_step`).
pub(super) fn dose_step(
    clock: Res<SimClock>,
    warnings: Res<PublicWarnings>,
    mut residents: ResMut<Residents>,
    mut hazards: ResMut<HazardState>,
    mut state: ResMut<PlumeState>,
    mut journal: MessageWriter<Journaled>,
) {
    let dt = clock.step as f64;
    let last = clock.now + clock.step >= clock.stop_at;
    for r in &mut state.releases {
        let e = clock.now as f64 - r.start_s;
        let Some(dose) = r.dose.as_mut() else { continue };
        if e < 0.0 {
            continue;
        }
        let warned = warnings.0.iter().any(|&t| t as f64 >= r.start_s && t <= clock.now);
        let normal = dose.tox.air_changes_per_h.unwrap_or(DEFAULT_AIR_CHANGES_PER_H);
        let lambda = if warned {
            dose.tox.sheltered_air_changes_per_h.unwrap_or(DEFAULT_SHELTERED_AIR_CHANGES_PER_H)
        } else {
            normal
        };
        let thresholds = (
            dose.load_60min(dose.tox.injury_mg_m3_60min.unwrap_or(r.level_mg_m3)),
            dose.tox.severe_mg_m3_60min.map(|c| dose.load_60min(c)),
        );
        let shadow_people = dose.shadow_people.get_or_insert_with(|| {
            r.nodes.iter().map(|(id, _, _)| residents.0.get(id).copied().unwrap_or(0.0)).collect()
        });
        let u = r.plume.wind_ms;
        let mut step_harm: BTreeMap<String, [f64; 3]> = BTreeMap::new();
        for (i, (id, x, y)) in r.nodes.iter().enumerate() {
            let x = if x.hypot(*y) < MIN_DISTANCE_M { MIN_DISTANCE_M } else { *x };
            let present = x > 0.0 && x <= u * e && x >= u * (e - r.duration_s);
            let c_out = if present { r.plume.ground_mg_m3(x, *y) } else { 0.0 };
            if c_out <= 0.0 && dose.real[i].c_in <= 0.0 && dose.shadow[i].c_in <= 0.0 {
                continue;
            }
            let people = residents.0.get(id).copied().unwrap_or(0.0);
            let harm = advance_place(&mut dose.real[i], &dose.tox, thresholds, c_out, lambda, dt, people);
            let shadow = advance_place(&mut dose.shadow[i], &dose.tox, thresholds, c_out, normal, dt, shadow_people[i]);
            shadow_people[i] -= shadow.iter().sum::<f64>();
            for k in 0..3 {
                dose.harm[k] += harm[k];
                dose.shadow_harm[k] += shadow[k];
            }
            let hurt: f64 = harm.iter().sum();
            if hurt > 0.0 {
                if let Some(p) = residents.0.get_mut(id) {
                    *p = (*p - hurt).max(0.0);
                }
                step_harm.insert(id.clone(), harm);
            }
        }
        for (node, [yellow, red, dead]) in step_harm {
            journal.write(Journaled(Event::GasHarm {
                hazard: r.hazard.clone(),
                node,
                yellow: yellow.round() as u32,
                red: red.round() as u32,
                dead: dead.round() as u32,
                sheltering: warned,
            }));
        }
        // whole people to the casualty chain
        let whole = dose.harm.map(|h| h.floor() as u32);
        let new = [whole[0] - dose.handed[0], whole[1] - dose.handed[1], whole[2] - dose.handed[2]];
        if new.iter().sum::<u32>() > 0 {
            dose.handed = whole;
            let e = hazards.pending_patients.entry(r.hazard.clone()).or_default();
            e[1] += new[0];
            e[2] += new[1];
            e[3] += new[2];
        }
        if last && !dose.totals_journaled {
            dose.totals_journaled = true;
            journal.write(Journaled(Event::GasTotals {
                hazard: r.hazard.clone(),
                yellow: dose.harm[0].round() as u32,
                red: dose.harm[1].round() as u32,
                dead: dose.harm[2].round() as u32,
                no_response_yellow: dose.shadow_harm[0].round() as u32,
                no_response_red: dose.shadow_harm[1].round() as u32,
                no_response_dead: dose.shadow_harm[2].round() as u32,
            }));
        }
    }
}

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<PlumeState>().add_systems(Startup, init_plumes);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sigma_z_is_continuous_at_the_breaks() {
        for (k, table) in SIGMA_Z.iter().enumerate() {
            for w in table.windows(2) {
                let x = w[0].0;
                let (l, r) = (w[0].1 * x.powf(w[0].2), w[1].1 * x.powf(w[1].2));
                assert!((l - r).abs() / l < 0.005, "class {k} at {x} km: {l} vs {r}");
            }
        }
    }

    #[test]
    fn sigma_y_at_one_km_matches_turner() {
        // Turner's curves at 1 km (Martin's fit, σy = a): D 68 m, F 34 m.
        assert!((sigma_y(Stability::D, 1000.0) - 68.0).abs() < 1e-9);
        assert!((sigma_z(Stability::D, 1000.0) - 32.093).abs() < 1e-9);
    }

    fn tox() -> Toxicity {
        Toxicity {
            probit_a: -6.0,
            probit_b: 1.0,
            probit_n: 2.0,
            injury_mg_m3_60min: Some(10.0),
            severe_mg_m3_60min: Some(30.0),
            air_changes_per_h: None,
            sheltered_air_changes_per_h: None,
        }
    }

    #[test]
    fn indoor_concentration_follows_the_one_compartment_law() {
        // λ 1/h for one hour from 0 with 100 mg/m³ outside: 100·(1 − e^{−1})
        let c = indoor_after(0.0, 100.0, 1.0, 3600.0);
        assert!((c - 100.0 * (1.0 - (-1.0f64).exp())).abs() < 1e-9);
        // steps add up: 60 steps of a minute give the same
        let mut c2 = 0.0;
        for _ in 0..60 {
            c2 = indoor_after(c2, 100.0, 1.0, 60.0);
        }
        assert!((c2 - c).abs() < 1e-9);
        // and it airs out the same way once the gas has passed
        assert!((indoor_after(50.0, 0.0, 0.3, 3600.0) - 50.0 * (-0.3f64).exp()).abs() < 1e-9);
    }

    #[test]
    fn toxic_load_probit_and_thresholds_by_hand() {
        // probit −6 + ln L: 50 % dead where ln L = 11, i.e. L = e^11
        assert!((probit_mortality(-6.0, 1.0, 11f64.exp()) - 0.5).abs() < 1e-6);
        assert_eq!(probit_mortality(-6.0, 1.0, 0.0), 0.0);
        // indoors already at 20 mg/m³ held (c_in = c_out): load per minute 20² = 400; after 15 min
        // 6000 ≥ the injury load 10²·60 = 6000, below the severe load 30²·60 = 54000
        let t = tox();
        let mut p = PlaceDose { c_in: 20.0, ..Default::default() };
        let mut hurt = [0.0; 3];
        for _ in 0..15 {
            let h = advance_place(&mut p, &t, (6000.0, Some(54000.0)), 20.0, 1.0, 60.0, 1000.0 - hurt[0] - hurt[2]);
            hurt[0] += h[0];
            hurt[2] += h[2];
        }
        assert!((p.load - 6000.0).abs() < 1e-6, "{}", p.load);
        let f = probit_mortality(-6.0, 1.0, 6000.0);
        assert!(p.injured && !p.severe);
        assert!((hurt[2] - 1000.0 * f).abs() < 1e-6, "dead {} vs {}", hurt[2], 1000.0 * f);
        assert!((hurt[0] - (1000.0 - hurt[2])).abs() < 1e-6, "every survivor there is injured");
    }

    #[test]
    fn the_wind_carries_the_gas_away_from_where_it_blows_from() {
        // from the north (0°): a point 1 km south is 1000 m downwind on the centreline
        let (x, y) = wind_frame((0.0, -1.0), 0.0);
        assert!((x - 1000.0).abs() < 1e-9 && y.abs() < 1e-9);
        // from the west (270°): a point 1 km east is downwind
        let (x, y) = wind_frame((1.0, 0.0), 270.0);
        assert!((x - 1000.0).abs() < 1e-6 && y.abs() < 1e-6);
    }
}
