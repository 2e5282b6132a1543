//! Gas release to the air: a Gaussian plume with Pasquill–Gifford dispersion and its threat zone.
//!
//! **Concentration** of a continuous point source of Q (kg/s) at height H in a wind u (m/s), with
//! reflection at the ground (DOMAIN.md §5; Turner 1970, *Workbook of Atmospheric Dispersion
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
//! Not modelled: dense-gas slumping, buoyant rise, terrain, wind changes, indoor protection.
//! Below about 1 m/s of wind a Gaussian plume is unreliable (ALOHA refuses such winds).

use bevy::prelude::*;

use crate::agents::Residents;
use crate::journal::{Event, Journaled};
use crate::scenario::ValidScenario;
use crate::scenario::types::{Hazard, Stability};
use crate::sim::{ScenarioRes, SimClock};

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
            let Hazard::GasRelease {
                id,
                node,
                at,
                rate_kg_s,
                duration,
                wind_dir_deg,
                wind_ms,
                stability,
                release_height_m,
                level_of_concern_mg_m3,
                ..
            } = h
            else {
                continue;
            };
            let Some(src) = nodes.iter().find(|n| &n.id == node) else { continue };
            let plume =
                Plume { rate_kg_s: *rate_kg_s, wind_ms: *wind_ms, stability: *stability, height_m: *release_height_m };
            let frame = nodes
                .iter()
                .map(|n| {
                    let (x, y) = wind_frame((n.pos.0 - src.pos.0, n.pos.1 - src.pos.1), *wind_dir_deg);
                    (n.id.clone(), x, y)
                })
                .collect();
            releases.push(Release {
                hazard: id.clone(),
                node: node.clone(),
                start_s: sc.offset(at) as f64,
                duration_s: duration.secs() as f64,
                plume,
                wind_dir_deg: *wind_dir_deg,
                level_mg_m3: *level_of_concern_mg_m3,
                extent: plume.threat_extent(*level_of_concern_mg_m3),
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
