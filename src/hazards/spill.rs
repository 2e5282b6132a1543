//! Chemical spill into a river: 1-D advection–dispersion–decay down the chain of reaches to every intake.
//!
//! **Equation** (docs/models.md): ∂C/∂t + U ∂C/∂x = K ∂²C/∂x² − kC. An instantaneous release of
//! mass M into a uniform reach of cross-section A gives the closed form
//!
//! C(x,t) = M / (A √(4πKt)) · exp(−(x − Ut)² / 4Kt) · e^{−kt}
//!
//! (e.g. Fischer et al. 1979, *Mixing in Inland and Coastal Waters*, §2.2 and §4.1; Chapra 1997,
//! *Surface Water-Quality Modeling*, lecture 10). Its peak at a fixed distance x comes at
//! t* = (√(K² + (U² + 4kK)x²) − K) / (U² + 4kK) (set ∂ln C/∂t = 0), which is ≈ x/U when Ux ≫ K.
//!
//! **A release over a duration T** (rate M/T) is the superposition of instantaneous releases,
//! C(x,t) = ∫₀^{min(t,T)} (M/T) G(x, t − s) ds, evaluated by Simpson's rule with steps a
//! fraction of the cloud's temporal spread. (Ogata–Banks is the same integral for a source held
//! on for ever; a long release converges to the steady state C = (M/T) / (A√(U²+4kK)) ·
//! exp(x(U − √(U²+4kK)) / 2K), which the tests check.)
//!
//! **Chained reaches** with different U, A, K (`Reach.downstream`) are joined by a
//! *travel-time-equivalent reach*: the path from the spill to the intake is a list of segments
//! (Lᵢ, Uᵢ, Aᵢ, Kᵢ). The cloud's travel time is τ = Σ Lᵢ/Uᵢ, and each segment adds 2KᵢLᵢ/Uᵢ³ to
//! the variance (s²) of its passage time at a fixed point (the frozen-cloud result,
//! σ_t² = σ_x²/U² = 2Kt/U²). The intake is then treated as a point at distance x_eq = U_n·τ in
//! one uniform reach with the intake reach's U_n and A_n and a dispersion K_eq = U_n³ · Σ(2KᵢLᵢ/Uᵢ³)
//! / (2 x_eq), chosen so that the arrival time and the temporal variance are the chained ones.
//! On a single reach this is exactly the closed form above (x_eq = x, K_eq = K); on several it
//! keeps the mass (∫ U_n A_n C dt = M e^{−kτ} to first order), the arrival time and the spread,
//! and concentrations scale with the cross-section where the intake is. Decay runs on real time.
//! Intakes upstream of the spill, or on another river, see nothing (dispersion upstream against
//! the flow is neglected).
//!
//! **Intakes** (`map.intakes`): each step the concentration at each downstream intake is
//! computed. Crossing the threshold up or down is journaled (`intake_threshold`), the peak once
//! it has passed (`intake_peak`, time refined between steps); while above the threshold an open
//! intake's people count as affected (`water_unsafe`, once per intake), a closed one protects them
//! (`intake_protected`). Intakes are closed and opened only by orders (`map::IntakeState`).

use std::collections::BTreeMap;

use bevy::prelude::*;

use crate::journal::{Event, Journaled};
use crate::map::IntakeState;
use crate::scenario::ValidScenario;
use crate::scenario::types::{Hazard, Reach};
use crate::sim::{ScenarioRes, SimClock};

/// Smallest dispersion used, m²/s: a reach may say 0 (pure advection), which has no smooth profile.
pub const MIN_DISPERSION_M2S: f64 = 1e-3;

/// One stretch of river between the spill and a point downstream, with its hydraulics.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Segment {
    pub length_m: f64,
    /// Mean velocity U, m/s.
    pub velocity_ms: f64,
    /// Cross-section A, m².
    pub area_m2: f64,
    /// Longitudinal dispersion K, m²/s.
    pub dispersion_m2s: f64,
}

impl Segment {
    fn of(reach: &Reach, length_m: f64) -> Segment {
        Segment {
            length_m,
            velocity_ms: reach.velocity_ms,
            area_m2: reach.cross_section_m2,
            dispersion_m2s: reach.dispersion_m2s,
        }
    }
}

/// The uniform reach equivalent to a chain of segments, as seen from its downstream end.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Equivalent {
    /// Equivalent distance x_eq = U·τ, m.
    pub x_m: f64,
    pub velocity_ms: f64,
    pub area_m2: f64,
    pub dispersion_m2s: f64,
    /// Advective travel time τ = Σ Lᵢ/Uᵢ, s.
    pub travel_s: f64,
}

/// The travel-time-equivalent reach of a path (see the module doc). `path` must not be empty.
pub fn equivalent(path: &[Segment]) -> Equivalent {
    let last = *path.last().expect("a path has at least one segment");
    let travel_s: f64 = path.iter().map(|s| s.length_m / s.velocity_ms).sum();
    let var_t: f64 = path.iter().map(|s| 2.0 * s.dispersion_m2s * s.length_m / s.velocity_ms.powi(3)).sum();
    let u = last.velocity_ms;
    let x_m = u * travel_s;
    let k = if x_m > 0.0 { var_t * u.powi(3) / (2.0 * x_m) } else { last.dispersion_m2s };
    Equivalent { x_m, velocity_ms: u, area_m2: last.area_m2, dispersion_m2s: k.max(MIN_DISPERSION_M2S), travel_s }
}

/// Concentration (mg/L) at distance `x_m` and `t_s` seconds after an instantaneous release of
/// `mass_kg` into a uniform reach: the closed form of the module doc.
pub fn instant_mg_l(mass_kg: f64, eq: &Equivalent, decay_per_s: f64, x_m: f64, t_s: f64) -> f64 {
    if t_s <= 0.0 {
        return 0.0;
    }
    let k = eq.dispersion_m2s.max(MIN_DISPERSION_M2S);
    let u = eq.velocity_ms;
    let c_kg_m3 = mass_kg / (eq.area_m2 * (4.0 * std::f64::consts::PI * k * t_s).sqrt())
        * (-(x_m - u * t_s).powi(2) / (4.0 * k * t_s)).exp()
        * (-decay_per_s * t_s).exp();
    c_kg_m3 * 1000.0 // 1 kg/m³ = 1000 mg/L
}

/// Time (s after an instantaneous release) of the peak at distance `x_m`, closed form.
pub fn instant_peak_s(eq: &Equivalent, decay_per_s: f64, x_m: f64) -> f64 {
    let k = eq.dispersion_m2s.max(MIN_DISPERSION_M2S);
    let a = eq.velocity_ms.powi(2) + 4.0 * decay_per_s * k;
    ((k * k + a * x_m * x_m).sqrt() - k) / a
}

/// Steady concentration (mg/L) at `x_m` downstream of a source held on for ever at `rate_kg_s`.
pub fn steady_mg_l(rate_kg_s: f64, eq: &Equivalent, decay_per_s: f64, x_m: f64) -> f64 {
    let k = eq.dispersion_m2s.max(MIN_DISPERSION_M2S);
    let g = (eq.velocity_ms.powi(2) + 4.0 * decay_per_s * k).sqrt();
    rate_kg_s / (eq.area_m2 * g) * (x_m * (eq.velocity_ms - g) / (2.0 * k)).exp() * 1000.0
}

/// Concentration (mg/L) at the end of `eq`, `t_s` seconds after the release began; `release_s`
/// = 0 is an instantaneous release, otherwise `mass_kg` is spread evenly over `release_s`.
pub fn concentration_mg_l(mass_kg: f64, release_s: f64, eq: &Equivalent, decay_per_s: f64, t_s: f64) -> f64 {
    let x = eq.x_m;
    if release_s <= 0.0 {
        return instant_mg_l(mass_kg, eq, decay_per_s, x, t_s);
    }
    let span = t_s.min(release_s);
    if span <= 0.0 {
        return 0.0;
    }
    // Simpson's rule over the release times s ∈ [0, span]; steps of a quarter of the cloud's
    // temporal spread at x (σ_t = √(2Kx/U³)) or finer.
    let k = eq.dispersion_m2s.max(MIN_DISPERSION_M2S);
    let sigma_t = (2.0 * k * x.max(1.0) / eq.velocity_ms.powi(3)).sqrt();
    let mut n = ((span / (sigma_t / 4.0)).ceil() as usize).clamp(64, 20_000);
    if n % 2 == 1 {
        n += 1;
    }
    let h = span / n as f64;
    let rate = mass_kg / release_s;
    let f = |s: f64| instant_mg_l(rate, eq, decay_per_s, x, t_s - s);
    let mut sum = f(0.0) + f(span);
    for i in 1..n {
        sum += f(i as f64 * h) * if i % 2 == 1 { 4.0 } else { 2.0 };
    }
    sum * h / 3.0
}

/// The path of segments from a point on one reach to a point downstream, following
/// `Reach.downstream`; None if the second point is not downstream of the first.
pub fn path_between(
    reaches: &BTreeMap<&str, &Reach>,
    from_reach: &str,
    from_km: f64,
    to_reach: &str,
    to_km: f64,
) -> Option<Vec<Segment>> {
    let first = reaches.get(from_reach)?;
    if from_reach == to_reach {
        return (to_km >= from_km).then(|| vec![Segment::of(first, (to_km - from_km) * 1000.0)]);
    }
    let mut path = vec![Segment::of(first, (first.length_km - from_km).max(0.0) * 1000.0)];
    let mut seen = vec![from_reach];
    let mut next = first.downstream.as_deref();
    while let Some(id) = next {
        if seen.contains(&id) {
            return None; // a loop (validation forbids it)
        }
        seen.push(id);
        let r = reaches.get(id)?;
        if id == to_reach {
            path.push(Segment::of(r, to_km * 1000.0));
            return Some(path);
        }
        path.push(Segment::of(r, r.length_km * 1000.0));
        next = r.downstream.as_deref();
    }
    None
}

/// What one spill does at one intake so far.
#[derive(Debug, Clone)]
pub struct IntakeTrace {
    pub hazard: String,
    /// The intake's node id.
    pub intake: String,
    pub serves: u32,
    pub threshold_mg_l: f64,
    pub eq: Equivalent,
    /// Highest concentration so far (mg/L) and the step it was seen at.
    pub max_c: f64,
    pub max_t: u64,
    /// Concentration at the last step, mg/L.
    pub now_c: f64,
    pub above: bool,
    pub peak: Option<(u64, f64)>,
    pub affected: bool,
    pub protected: bool,
}

/// One spill's source, as the model needs it.
#[derive(Debug, Clone)]
pub struct Source {
    pub hazard: String,
    /// Start of the release, s after the scenario start.
    pub start_s: f64,
    pub mass_kg: f64,
    pub release_s: f64,
    pub decay_per_s: f64,
}

impl Source {
    /// Concentration at the end of `eq` at scenario time `t` (s).
    pub fn at(&self, eq: &Equivalent, t: f64) -> f64 {
        concentration_mg_l(self.mass_kg, self.release_s, eq, self.decay_per_s, t - self.start_s)
    }
}

/// The spills and what they do at each intake, in scenario order.
#[derive(Resource, Debug, Default)]
pub struct SpillState {
    pub sources: Vec<Source>,
    /// (source index, trace) for every intake downstream of a spill.
    pub traces: Vec<(usize, IntakeTrace)>,
}

impl SpillState {
    /// Builds the sources and the intake paths of a scenario.
    pub fn build(sc: &ValidScenario) -> SpillState {
        let map = &sc.scenario.map;
        let reaches: BTreeMap<&str, &Reach> =
            map.rivers.iter().flat_map(|r| &r.reaches).map(|r| (r.id.as_str(), r)).collect();
        let mut st = SpillState::default();
        for h in &sc.scenario.hazards {
            let Hazard::ChemicalSpill(c) = h else { continue };
            let src = st.sources.len();
            st.sources.push(Source {
                hazard: c.id.clone(),
                start_s: sc.offset(&c.at) as f64,
                mass_kg: c.mass_kg,
                release_s: c.release.secs() as f64,
                decay_per_s: c.decay_per_h / 3600.0,
            });
            for intake in &map.intakes {
                let Some(path) = path_between(&reaches, &c.reach, c.at_km, &intake.reach, intake.at_km) else {
                    continue;
                };
                st.traces.push((
                    src,
                    IntakeTrace {
                        hazard: c.id.clone(),
                        intake: intake.node.clone(),
                        serves: intake.serves,
                        threshold_mg_l: c.threshold_mg_l,
                        eq: equivalent(&path),
                        max_c: 0.0,
                        max_t: 0,
                        now_c: 0.0,
                        above: false,
                        peak: None,
                        affected: false,
                        protected: false,
                    },
                ));
            }
        }
        st
    }

    /// People counted as affected by a spill (served by an open intake above the threshold).
    pub fn people_affected(&self, hazard: &str) -> u32 {
        self.traces.iter().filter(|(_, t)| t.hazard == hazard && t.affected).map(|(_, t)| t.serves).sum()
    }
}

/// Rounds a concentration for the journal (1 µg/L).
fn mg(c: f64) -> f64 {
    (c * 1000.0).round() / 1000.0
}

fn init_spills(scenario: Res<ScenarioRes>, mut state: ResMut<SpillState>) {
    *state = SpillState::build(&scenario.0);
}

/// Concentrations at the intakes this step; thresholds, peaks, people affected or protected.
pub(super) fn spill_step(
    clock: Res<SimClock>,
    intakes: Res<IntakeState>,
    mut state: ResMut<SpillState>,
    mut journal: MessageWriter<Journaled>,
) {
    let now = clock.now;
    let SpillState { sources, traces } = &mut *state;
    for (src, tr) in traces.iter_mut() {
        let source = &sources[*src];
        if (now as f64) < source.start_s {
            continue;
        }
        let c = source.at(&tr.eq, now as f64);
        // the peak: once the concentration has fallen from the highest so far (by more than the
        // quadrature's noise on a plateau), refined between the steps around that highest one
        if c > tr.max_c {
            (tr.max_c, tr.max_t) = (c, now);
        }
        if tr.peak.is_none() && tr.max_c > 1e-6 && c < tr.max_c * (1.0 - 1e-6) {
            let a = (tr.max_t.saturating_sub(clock.step) as f64).max(source.start_s);
            let (t_peak, c_peak) = refine_peak(source, &tr.eq, a, (tr.max_t + clock.step) as f64);
            let t_peak = t_peak.round().max(0.0) as u64;
            tr.peak = Some((t_peak, c_peak));
            journal.write(Journaled(Event::IntakePeak {
                hazard: tr.hazard.clone(),
                intake: tr.intake.clone(),
                peak_mg_l: mg(c_peak),
                peak_t_s: t_peak,
                peak_time: clock.iso(t_peak),
            }));
        }
        tr.now_c = c;
        let above = c > tr.threshold_mg_l;
        let open = intakes.is_open(&tr.intake);
        if above != tr.above {
            tr.above = above;
            journal.write(Journaled(Event::IntakeThreshold {
                hazard: tr.hazard.clone(),
                intake: tr.intake.clone(),
                above,
                concentration_mg_l: mg(c),
                threshold_mg_l: tr.threshold_mg_l,
                intake_open: open,
            }));
        }
        if above && open && !tr.affected {
            tr.affected = true;
            journal.write(Journaled(Event::WaterUnsafe {
                hazard: tr.hazard.clone(),
                intake: tr.intake.clone(),
                people: tr.serves,
            }));
        }
        if above && !open && !tr.protected && !tr.affected {
            tr.protected = true;
            journal.write(Journaled(Event::IntakeProtected {
                hazard: tr.hazard.clone(),
                intake: tr.intake.clone(),
                people: tr.serves,
            }));
        }
    }
}

/// The peak between two times, by golden-section search on the continuous model.
fn refine_peak(source: &Source, eq: &Equivalent, a: f64, b: f64) -> (f64, f64) {
    let f = |t: f64| source.at(eq, t);
    let g = (5f64.sqrt() - 1.0) / 2.0;
    let (mut a, mut b) = (a, b);
    let mut x1 = b - g * (b - a);
    let mut x2 = a + g * (b - a);
    let (mut f1, mut f2) = (f(x1), f(x2));
    for _ in 0..60 {
        if b - a < 0.5 {
            break;
        }
        if f1 < f2 {
            a = x1;
            x1 = x2;
            f1 = f2;
            x2 = a + g * (b - a);
            f2 = f(x2);
        } else {
            b = x2;
            x2 = x1;
            f2 = f1;
            x1 = b - g * (b - a);
            f1 = f(x1);
        }
    }
    let t = (a + b) / 2.0;
    (t, f(t))
}

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<SpillState>().add_systems(Startup, init_spills);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reach(u: f64, a: f64, k: f64, km: f64) -> Segment {
        Segment { length_m: km * 1000.0, velocity_ms: u, area_m2: a, dispersion_m2s: k }
    }

    #[test]
    fn one_segment_is_the_closed_form() {
        let eq = equivalent(&[reach(0.5, 50.0, 10.0, 8.0)]);
        assert!((eq.x_m - 8000.0).abs() < 1e-9 && (eq.dispersion_m2s - 10.0).abs() < 1e-12);
        assert!((eq.travel_s - 16_000.0).abs() < 1e-9);
    }

    #[test]
    fn a_long_release_reaches_the_steady_state() {
        let eq = equivalent(&[reach(0.5, 50.0, 10.0, 5.0)]);
        let (m, t_rel, k) = (3600.0 * 20.0, 3600.0 * 20.0, 0.1 / 3600.0); // 1 kg/s for 20 h
        let c = concentration_mg_l(m, t_rel, &eq, k, 3600.0 * 19.0);
        let s = steady_mg_l(1.0, &eq, k, eq.x_m);
        assert!((c - s).abs() / s < 0.01, "{c} vs steady {s}");
    }

    #[test]
    fn mass_passes_the_intake() {
        // ∫ U A C dt = M exp(x(U − √(U²+4kK))/2K): the mass minus what decayed on the way.
        let path = [reach(0.9, 25.0, 8.0, 11.0), reach(0.7, 40.0, 12.0, 10.0), reach(0.5, 70.0, 15.0, 5.0)];
        let eq = equivalent(&path);
        let (m, k) = (396.0, 0.05 / 3600.0);
        let dt = 30.0;
        let flux: f64 = (1..8000).map(|i| concentration_mg_l(m, 1800.0, &eq, k, i as f64 * dt) / 1000.0).sum::<f64>()
            * dt
            * eq.velocity_ms
            * eq.area_m2;
        let g = (eq.velocity_ms.powi(2) + 4.0 * k * eq.dispersion_m2s).sqrt();
        let want = m * (eq.x_m * (eq.velocity_ms - g) / (2.0 * eq.dispersion_m2s)).exp();
        assert!((flux - want).abs() / want < 0.005, "{flux} vs {want}");
    }
}
