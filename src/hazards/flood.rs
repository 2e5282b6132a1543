//! Levee breach and flood: breach outflow and growth, storage in flood zones, spills between
//! zones, roads cut by water, people exposed and drowned, and closure work by responders.
//!
//! # The model, step by step
//!
//! Each [`SimStep`](crate::sim::SimStep) of `dt` seconds (usually 60 s):
//!
//! 1. **Hazards set, after `hazard_onsets`** ([`flood_step`]): for every breach that has begun,
//!    the river stage comes from the hazard's hydrograph ([`super::stage_at`]). Water is routed
//!    river → zone through the breach and zone ↔ zone over the spills for `dt`, in sub-steps
//!    (see [`FloodModel::route`]). Then the breach width changes: it grows by the law of
//!    Verheij & Van der Knaap ([`verheij_increment`]) and shrinks by the closure work of the
//!    teams at the levee ([`closure_rate_m_per_h`]); at width 0 it is closed for good. Zone
//!    depths go to `map::ZoneDepths` (read by the `DepthAtLeast` condition).
//! 2. **Consequences set** ([`flood_consequences`]): roads with an end node under more than the
//!    zone's closure depth close (reason `"flood"`) and reopen when the water falls below it;
//!    people still at wet nodes, and evacuees on the way there, are exposed; deaths follow
//!    Jonkman's mortality functions ([`jonkman_mortality`]: breach zone, rapidly rising water,
//!    remaining zone), applied as the increase of the cumulative fraction.
//!
//! # Formulas and sources
//!
//! * **Breach outflow**, broad-crested weir (docs/models.md; Henderson, *Open Channel Flow*, 1966,
//!   §6.6; Bos, *Discharge Measurement Structures*, 3rd ed. 1989, ch. 1):
//!   `Q = C_d · (2/3) · √(2g) · B · H^{3/2}`, `H` the upstream level over the breach bottom
//!   (approach velocity head neglected). With this form an ideal broad-crested weir (critical
//!   depth 2H/3 on the crest, no losses) has `C_d = 1/√3 ≈ 0.577`; Chinese hydraulics texts
//!   write `Q = m·B·√(2g)·H^{3/2}` with `m = C_d·2/3` between 0.32 and 0.385 for broad-crested
//!   weirs, the low end for blunt, rough entrances such as a breach. Default
//!   [`DEFAULT_DISCHARGE_COEFFICIENT`] = 0.5 (`m ≈ 0.33`).
//! * **Submergence** (the polder or the next zone rising over the crest): Villemonte, J.R.
//!   (1947), *Submerged-weir discharge studies*, Engineering News-Record 139:54–56:
//!   `Q_s = Q_free · (1 − (h2/h1)^{n})^{0.385}` with `n = 3/2` (the exponent of the free law),
//!   `h1`, `h2` the upstream and downstream levels over the crest ([`villemonte_factor`]). The
//!   same law runs both ways by level difference: water drains back to the river through the
//!   breach when the river falls below the polder, and spills run either way.
//! * **Breach growth**: Verheij, H.J. (2002), *Aanpassen van het bresgroeimodel in HIS-OM*
//!   (WL | Delft Hydraulics Q3299), and Verheij & Van der Knaap (2003), *Modification breach
//!   growth model in HIS-OM*: `B(t) = B0 + f1 · (√g · ΔH^{3/2} / u_c) · log10(1 + f2·g·t/u_c)`,
//!   with `f1 = 1.3`, `f2 = 0.04` (calibrated on the Zwin'94 field test and historical
//!   breaches), `ΔH` the level difference over the breach, `u_c` the critical flow velocity for
//!   erosion of the levee material, and **`t` in hours since the breach began** — the
//!   formula is an empirical, dimensionally inhomogeneous fit; the same units are used by
//!   HIS-OM/SOBEK and by Tygron's implementation (`Δt/3600`). 3Di's documentation (nens/threedi-
//!   docs, `c_breaches.rst`) prints the rate form `dB/dt = f1·f2/(ln 10) · (g·ΔH)^{3/2}/u_c² /
//!   (1 + f2·g·t/u_c)`, whose integral is the law above. Because `ΔH` changes (the polder
//!   fills), we integrate the rate form exactly over each step with `ΔH` held at its value at
//!   the step's start: `ΔB = f1·√g·ΔH^{3/2}/u_c · [log10(1 + f2 g t1/u_c) − log10(1 + f2 g
//!   t0/u_c)]` ([`verheij_increment`]); this is stable for any step, unlike explicit Euler on
//!   the rate, which is very large at `t = 0`. `ΔH = |max(0, h_river − z_b) − max(0, h_polder −
//!   z_b)|` (Tygron's form): no growth when the levels are equal. The deepening phase of the
//!   law (bottom lowering to `z_b` over `T0`) is not modelled: the breach is at full depth at
//!   onset. Default `u_c` [`DEFAULT_CRITICAL_VELOCITY_MS`] = 0.5 m/s; values quoted with the
//!   formula are about 0.2 m/s for sand levees and higher for clay (verify for a real levee).
//!   Widths are capped at `max_width_m` (default [`DEFAULT_MAX_WIDTH_M`] = 500 m: the largest
//!   river-levee breaches reported in China are a few hundred metres — Changkai 2010 "nearly
//!   400 m", Tuanzhou 2024 about 226 m, press reports).
//! * **Closure work** ([`closure_rate_m_per_h`]): teams whose task is `breach_closure`, standing
//!   at the levee's node, close `workers / P` metres per hour, `P` the scenario's
//!   `closure_person_hours_per_m` (default [`DEFAULT_CLOSURE_PERSON_HOURS_PER_M`] = 400). The
//!   net width change of a step is growth − closure: work first slows the widening, then, as
//!   the growth decays, narrows the breach until it closes (`Q = 0` from then on; a closed
//!   breach does not reopen). The default is an order-of-magnitude estimate from the Changkai
//!   closure (press: nearly 400 m closed in about three days, 24–27 June 2010, by armed-police
//!   hydropower units with heavy machinery; assuming some 2,000 people at the site, 2,000 × 72 h
//!   / 400 m ≈ 360 person-hours per metre) — an assumption for play, to calibrate per scenario.
//!   Closure does not depend on the head here; in practice it waits for the levels to even out.
//! * **Storage**: each flood zone is prismatic: level = ground + V / A, depth = V / A above the
//!   zone's lowest ground. A node's depth is level − its `elevation_m` (the zone's ground when
//!   absent or lower).
//! * **Roads**: close to cars when the water at either end node exceeds the zone's
//!   `road_closure_depth_m` (default 0.3 m, docs/models.md); reopen when it is 1 cm below.
//! * **Mortality**: Jonkman, S.N. (2007), *Loss of life estimation in flood risk assessment*,
//!   PhD thesis, TU Delft, ch. 7, and Jonkman, Vrijling & Vrouwenvelder (2008), *Methods for the
//!   estimation of loss of life due to floods*, Natural Hazards 46:353–389, §5: for the
//!   "remaining zone" (outside the breach zone and the rapidly rising zone) the mortality among
//!   the exposed is `F_D(h) = Φ((ln h − μ)/σ)`, `h` in metres, `μ = 7.60`, `σ = 2.75` (as in
//!   docs/models.md; Φ the standard normal CDF). Deaths are counted as the increase of `F_D` as
//!   the depth at a node rises: with `F` the largest fraction reached so far, a step that raises
//!   it to `F'` kills `(F' − F)/(1 − F)` of the people still there (the survivors so far), so
//!   deaths do not repeat each step and people evacuated before the water rises are spared.
//!   The same sources give two more zones, used here ([`jonkman_mortality`]): the **breach zone**
//!   where `h·v ≥ 7 m²/s` and `v ≥ 2 m/s` (houses collapse; `F_D = 1`), and the **rapidly
//!   rising zone** where `h ≥ 2.1 m` and the water rises at least 0.5 m/h, `F_D = Φ((ln h −
//!   1.46)/0.28)`; elsewhere the remaining zone. These criteria and parameters are quoted as in
//!   Jonkman (2007) and Jonkman et al. (2008) — from the thesis and paper as we know them; the
//!   stored search text available while writing this did not show the table itself, so verify
//!   against the paper before relying on the values. Zone storage gives no velocities: the
//!   velocity at a node of the zone a breach fills is that of the breach jet spreading over the
//!   polder, `v = Q / ((B + s·r)·h)` with `r` the distance from the levee node and `s` =
//!   [`BREACH_JET_SPREAD`] (an assumption of this model). The rise rate is the rise of the depth
//!   at the node over the last hour ([`FloodState::rise_rate`]). The fraction reached at a node
//!   never falls, whichever zone gives it.
//! * **Vertical refuge** (`refuge_share`, `refuge_height_m` of a flood zone; default none): that
//!   share of the residents is out of the water while the depth is below the refuge's height
//!   (upper floors, roofs); exposure and deaths count the others. An assumption of this model,
//!   for multi-storey rural houses; Jonkman's functions were fitted on 1953 Dutch data.
//! * **Evacuees on the way** (households of `agents::evacuees` on a road, or stuck at a node):
//!   placed at the node where they are stuck, or at the end their road leads to, they are
//!   exposed like the residents there (the node's depth and mortality zone; those stuck at a
//!   node share its refuge, those on a road have none), each household keeping its own fraction
//!   reached. The roads with more water over an end than its zone's closure depth are marked
//!   (`EvacNet::water`): cars do not drive into the water but turn back or are left for the
//!   houses at the shallower end (`agents::evacuees`), so those on a road in the water are the
//!   walkers wading to the next place and the cars of the step the water came.
//! * **River routing** (`river_bed_elevation_m` on the breach; [`RiverRouting`]): the levee's
//!   reach is a store of surface `L·B` (`B = A/(h_peak − bed)`) with a rating
//!   `Q(h) = A·U·((h − bed)/(h_peak − bed))^{5/3}` (wide channel, Manning). The hydrograph is the
//!   natural stage; the breach creates a deficit `D`, `dD/dt = Q_breach − (Q(h_nat) − Q(h))`,
//!   and the stage is `h = h_nat − D/(L·B)`: the breach draws the stage down at the breach, the
//!   reach passes on `Q(h)` (less than its natural flow), and routed breaches on reaches
//!   downstream start from the stage that carries that reduced flow (no travel time). In a
//!   steady state `Q_breach = Q(h_nat) − Q(h) ≤ Q(h_nat)`: the flood takes no more than the
//!   river brings. Without `river_bed_elevation_m` the river is an infinite reservoir at its
//!   hydrograph's stage.
//!
//! # Limits
//!
//! Zones are level pools (no travel time across a zone; velocities only from the breach jet
//! estimate). Water leaves the system only back through a breach. Rescue by boat is
//! `hazards::rescue` (people taken off flooded places leave the water). Flood
//! deaths also go to `HazardState.casualties` as black under the first breach (one step late),
//! so that `CasualtiesAtLeast` counts them.
//!
//! # Journal
//!
//! Milestones only: `breach_widened` / `breach_narrowed` (each max(10 m, 25 %) from the last
//! entry), `breach_closure_work` (when the teams at the breach change), `breach_closed`,
//! `flood_spill` (first flow each way over a spill), `flood_depth` (0.1, 0.5, 1, 2, 3 m, up and
//! down with 1 cm hysteresis), `flood_exposure` (when a zone's set of wet nodes changes),
//! `road_closed` / `road_reopened` (reason `flood`), `flood_deaths` (a zone's first death, then
//! each doubling, at least six-hourly while deaths go on, and what is pending when the water
//! stops rising) and `flood_totals` at the run's last step (`exposed_peak`: the most people in
//! the water at one moment, all zones together; `exposed_peak_by_zone`; `flooded_km2`, the
//! largest area under water at once; `river_drawdown_m`, the largest lowering of a routed
//! stage).
//!
//! # Integration
//!
//! Explicit (forward Euler) in volume, sub-stepped: each step is cut into
//! `ceil(dt / MAX_SUB_STEP_S)` equal sub-steps of at most [`MAX_SUB_STEP_S`] = 10 s, with the
//! river stage held at its value at the step's start. Near equal levels the Villemonte factor
//! makes `dQ/dΔh` unbounded, so no explicit step is small enough on its own; each connection's
//! transfer in a sub-step is therefore limited to half the volume that would equalise the two
//! levels (and to half the water above the sill on the giving side), divided by the number of
//! connections of the busier zone. This flux limiter keeps the scheme monotone (levels never
//! cross, no oscillation) and never empties a zone below zero. Every transfer is taken from one
//! store and added to another in the same sub-step, so volume is conserved to rounding: the
//! river's net outflow through the breaches equals the water stored in the zones.

use std::collections::{BTreeMap, BTreeSet};

use bevy::prelude::*;
use petgraph::visit::EdgeRef;

use super::HazardState;
use crate::agents::Residents;
use crate::agents::evacuees::{EvacNet, Households, START_SHALLOWER, Stage as EvacStage, WET_END, WET_START};
use crate::agents::teams::Team;
use crate::journal::{Event, Journaled};
use crate::map::{Closure, RoadNetwork, ZoneDepths};
use crate::scenario::types::{Capability, Hazard, Scenario};
use crate::sim::{ScenarioRes, SimClock};

pub use crate::scenario::defaults::{
    DEFAULT_CLOSURE_PERSON_HOURS_PER_M, DEFAULT_CRITICAL_VELOCITY_MS, DEFAULT_DISCHARGE_COEFFICIENT,
    DEFAULT_MAX_WIDTH_M, DEFAULT_ROAD_CLOSURE_DEPTH_M,
};

/// Gravitational acceleration, m/s².
pub const G: f64 = 9.81;
/// Verheij & Van der Knaap (2003) empirical factors.
pub const VERHEIJ_F1: f64 = 1.3;
pub const VERHEIJ_F2: f64 = 0.04;
/// Villemonte (1947) exponent on the submergence term.
pub const VILLEMONTE_EXPONENT: f64 = 0.385;
/// Jonkman (2007) mortality, remaining zone: mean and standard deviation of ln h.
pub const JONKMAN_REMAINING_MU: f64 = 7.60;
pub const JONKMAN_REMAINING_SIGMA: f64 = 2.75;
/// Jonkman (2007, 2008) mortality, rapidly rising water: mean and standard deviation of ln h,
/// applied where the depth is at least [`JONKMAN_RISING_MIN_DEPTH_M`] and the water rose at least
/// [`JONKMAN_RISING_MIN_RATE_M_PER_H`].
pub const JONKMAN_RISING_MU: f64 = 1.46;
pub const JONKMAN_RISING_SIGMA: f64 = 0.28;
pub const JONKMAN_RISING_MIN_DEPTH_M: f64 = 2.1;
pub const JONKMAN_RISING_MIN_RATE_M_PER_H: f64 = 0.5;
/// Jonkman (2007, 2008) breach zone: everyone exposed dies where `h·v` is at least this (m²/s)
/// and `v` at least [`JONKMAN_BREACH_MIN_V_MS`] (houses collapse).
pub const JONKMAN_BREACH_MIN_HV_M2S: f64 = 7.0;
pub const JONKMAN_BREACH_MIN_V_MS: f64 = 2.0;
/// Spreading of the breach jet over the polder: the flow width grows by this many metres per
/// metre of distance from the breach (1.0: each side spreads at 1:2, about 27°). An assumption of
/// this model, not from Jonkman.
pub const BREACH_JET_SPREAD: f64 = 1.0;
/// Window over which the rise rate is measured, s.
pub const RISE_WINDOW_S: u64 = 3600;
/// Longest sub-step of the water routing, s.
pub const MAX_SUB_STEP_S: f64 = 10.0;
/// Zone depths whose crossing (up or down) is journaled, m.
pub const DEPTH_MILESTONES_M: [f64; 5] = [0.1, 0.5, 1.0, 2.0, 3.0];
/// A node counts as wet (its people exposed) above this depth, m.
pub const WET_DEPTH_M: f64 = 0.01;
/// Hysteresis for milestones and road reopening, m: a level must fall this far below a
/// threshold before the crossing down counts.
const HYSTERESIS_M: f64 = 0.01;
/// Longest gap between two `flood_deaths` entries of a zone while deaths go on, s.
const DEATHS_ENTRY_EVERY_S: u64 = 6 * 3600;
/// Flow through a spill above which it counts as running (journaled once per direction), m³/s.
const SPILL_RUNNING_M3S: f64 = 0.1;

// ---------------------------------------------------------------------------------------------
// Pure formulas
// ---------------------------------------------------------------------------------------------

/// Free broad-crested weir discharge, m³/s: `C_d · (2/3) · √(2g) · B · H^{3/2}`; 0 for `H ≤ 0`.
pub fn weir_discharge(cd: f64, width_m: f64, head_m: f64) -> f64 {
    if head_m <= 0.0 || width_m <= 0.0 {
        return 0.0;
    }
    cd * (2.0 / 3.0) * (2.0 * G).sqrt() * width_m * head_m.powf(1.5)
}

/// Villemonte's submergence factor `(1 − r^{3/2})^{0.385}` for `r = h2/h1` (1 when free, 0 at
/// equal levels).
pub fn villemonte_factor(r: f64) -> f64 {
    if r <= 0.0 {
        1.0
    } else if r >= 1.0 {
        0.0
    } else {
        (1.0 - r.powf(1.5)).powf(VILLEMONTE_EXPONENT)
    }
}

/// Signed flow over a weir with crest `crest_m` between levels `z_a` and `z_b`, m³/s: positive
/// from a to b. The higher side is upstream; the lower one submerges it when above the crest.
pub fn weir_flow(cd: f64, width_m: f64, crest_m: f64, z_a: f64, z_b: f64) -> f64 {
    let (up, down, sign) = if z_a >= z_b { (z_a, z_b, 1.0) } else { (z_b, z_a, -1.0) };
    let h1 = up - crest_m;
    if h1 <= 0.0 {
        return 0.0;
    }
    let h2 = (down - crest_m).max(0.0);
    sign * weir_discharge(cd, width_m, h1) * villemonte_factor(h2 / h1)
}

/// Breach widening (m) between `t0_h` and `t1_h` hours after the breach began, at level
/// difference `dh_m` held constant: the Verheij & Van der Knaap (2003) law integrated exactly.
pub fn verheij_increment(dh_m: f64, uc_ms: f64, t0_h: f64, t1_h: f64) -> f64 {
    if dh_m <= 0.0 || t1_h <= t0_h {
        return 0.0;
    }
    let c = VERHEIJ_F2 * G / uc_ms;
    VERHEIJ_F1 * G.sqrt() * dh_m.powf(1.5) / uc_ms * ((1.0 + c * t1_h).log10() - (1.0 + c * t0_h.max(0.0)).log10())
}

/// Metres of breach closed per hour by `workers` people at `person_hours_per_m`.
pub fn closure_rate_m_per_h(workers: u32, person_hours_per_m: f64) -> f64 {
    workers as f64 / person_hours_per_m
}

/// The complementary error function (Numerical Recipes' `erfcc`, Chebyshev fit, fractional
/// error below 1.2e-7 everywhere).
pub fn erfc(x: f64) -> f64 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let poly = -z * z - 1.26551223
        + t * (1.00002368
            + t * (0.37409196
                + t * (0.09678418
                    + t * (-0.18628806
                        + t * (0.27886807
                            + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
    let r = t * poly.exp();
    if x >= 0.0 { r } else { 2.0 - r }
}

/// The standard normal CDF Φ.
pub fn normal_cdf(x: f64) -> f64 {
    0.5 * erfc(-x / std::f64::consts::SQRT_2)
}

/// Jonkman's mortality among people exposed to depth `h` (m) in the remaining zone:
/// `Φ((ln h − 7.60)/2.75)`; 0 for a dry place.
pub fn jonkman_remaining_zone(h_m: f64) -> f64 {
    if h_m <= 0.0 {
        return 0.0;
    }
    normal_cdf((h_m.ln() - JONKMAN_REMAINING_MU) / JONKMAN_REMAINING_SIGMA)
}

/// Jonkman's mortality among people exposed to depth `h` (m) where the water rises rapidly:
/// `Φ((ln h − 1.46)/0.28)`; 0 for a dry place.
pub fn jonkman_rapidly_rising(h_m: f64) -> f64 {
    if h_m <= 0.0 {
        return 0.0;
    }
    normal_cdf((h_m.ln() - JONKMAN_RISING_MU) / JONKMAN_RISING_SIGMA)
}

/// Which of Jonkman's three zones a place is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum MortalityZone {
    /// Near the breach: `h·v ≥ 7 m²/s` and `v ≥ 2 m/s`; mortality 1.
    Breach,
    /// `h ≥ 2.1 m` and a rise of at least 0.5 m/h.
    RapidlyRising,
    /// Everything else.
    Remaining,
}

/// The zone and the mortality among the exposed at depth `h_m`, flow velocity `v_ms` and rise
/// rate `rise_m_per_h` (Jonkman 2007, ch. 7; Jonkman, Vrijling & Vrouwenvelder 2008, §5).
pub fn jonkman_mortality(h_m: f64, v_ms: f64, rise_m_per_h: f64) -> (MortalityZone, f64) {
    if h_m <= 0.0 {
        return (MortalityZone::Remaining, 0.0);
    }
    if h_m * v_ms >= JONKMAN_BREACH_MIN_HV_M2S && v_ms >= JONKMAN_BREACH_MIN_V_MS {
        (MortalityZone::Breach, 1.0)
    } else if h_m >= JONKMAN_RISING_MIN_DEPTH_M && rise_m_per_h >= JONKMAN_RISING_MIN_RATE_M_PER_H {
        (MortalityZone::RapidlyRising, jonkman_rapidly_rising(h_m))
    } else {
        (MortalityZone::Remaining, jonkman_remaining_zone(h_m))
    }
}

/// Flow velocity (m/s) at depth `h_m`, `dist_m` metres from a breach `width_m` wide passing
/// `q_m3s`: the jet spreads to `width + BREACH_JET_SPREAD·dist`, so the unit discharge is
/// `q = Q / (B + s·r)` and `v = q / h`. 0 when dry or when no water comes in.
pub fn breach_jet_velocity(q_m3s: f64, width_m: f64, dist_m: f64, h_m: f64) -> f64 {
    let spread = width_m + BREACH_JET_SPREAD * dist_m.max(0.0);
    if q_m3s <= 0.0 || h_m <= 0.0 || spread <= 0.0 {
        return 0.0;
    }
    q_m3s / spread / h_m
}

/// Deaths among `people` still exposed when the mortality fraction reached so far goes from
/// `f_old` to `f_new`: `people · (f_new − f_old)/(1 − f_old)` (0 when it does not rise).
pub fn deaths_on_rise(people: f64, f_old: f64, f_new: f64) -> f64 {
    if f_new <= f_old {
        return 0.0;
    }
    if f_old >= 1.0 {
        return 0.0;
    }
    people * (f_new - f_old) / (1.0 - f_old)
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

// ---------------------------------------------------------------------------------------------
// The water model (no Bevy: unit-testable)
// ---------------------------------------------------------------------------------------------

/// A flood zone as a prismatic store.
#[derive(Debug, Clone)]
pub struct Zone {
    pub id: String,
    pub ground_m: f64,
    pub area_m2: f64,
    pub volume_m3: f64,
    pub road_closure_depth_m: f64,
    /// Nodes inside, with their ground (the zone's ground when not given or lower).
    pub nodes: Vec<(String, f64)>,
    pub max_depth_m: f64,
    /// Vertical refuge: its places as a share of each node's population, and its height above
    /// the ground, m.
    pub refuge: (f64, f64),
    /// Population of each node of `nodes` (the scenario's), which sizes its refuge.
    pub population: Vec<f64>,
}

impl Zone {
    /// Share of the `present` people at the zone's node `k` (residents and evacuees stranded
    /// there) who are in the water at depth `h_m`: the node's refuge — upper floors and roofs,
    /// `share × population` places, used by whoever is there — keeps as many out of it while
    /// the water is below its height. When most have left, those who stay all find a place;
    /// when nobody has left, the share without one is in the water.
    pub fn in_water_share(&self, k: usize, h_m: f64, present: f64) -> f64 {
        let (share, height) = self.refuge;
        if h_m >= height || present <= 0.0 {
            return 1.0;
        }
        let places = share * self.population.get(k).copied().unwrap_or(0.0);
        ((present - places) / present).clamp(0.0, 1.0)
    }
}

impl Zone {
    /// Water level, m.
    pub fn level(&self) -> f64 {
        self.ground_m + self.volume_m3 / self.area_m2
    }
    /// Depth over the zone's lowest ground, m.
    pub fn depth(&self) -> f64 {
        self.volume_m3 / self.area_m2
    }
    /// Depth over ground at elevation `ground_m` inside the zone, m (0 when dry).
    pub fn depth_at(&self, ground_m: f64) -> f64 {
        if self.volume_m3 <= 0.0 { 0.0 } else { (self.level() - ground_m).max(0.0) }
    }
}

/// A spill between two zones (written once in the scenario, used both ways).
#[derive(Debug, Clone)]
pub struct Link {
    pub a: usize,
    pub b: usize,
    pub sill_m: f64,
    pub width_m: f64,
    pub cd: f64,
    /// Flow in the last sub-step, m³/s, positive a → b.
    pub flow_m3s: f64,
    /// Net volume passed a → b so far, m³.
    pub passed_m3: f64,
}

/// One levee breach.
#[derive(Debug, Clone)]
pub struct Breach {
    pub hazard: String,
    pub levee: String,
    /// The levee's map node, where closure teams work.
    pub node: String,
    /// Index of the zone the levee protects.
    pub zone: usize,
    pub bottom_m: f64,
    pub initial_width_m: f64,
    pub width_m: f64,
    pub max_width_m: f64,
    pub cd: f64,
    pub uc_ms: f64,
    pub person_hours_per_m: f64,
    /// Onset time, s (None before the breach).
    pub onset: Option<u64>,
    pub closed: bool,
    /// River stage used in the last step, m.
    pub stage_m: f64,
    /// Discharge in the last sub-step, m³/s (positive river → zone).
    pub discharge_m3s: f64,
    pub peak_discharge_m3s: f64,
    pub peak_width_m: f64,
    /// Net volume river → zone so far, m³.
    pub inflow_m3: f64,
    /// People doing closure work at the levee node, and their teams.
    pub workers: u32,
    pub teams: Vec<String>,
    /// Width last journaled, m.
    pub journaled_width_m: f64,
    /// The levee's reach as a store (None: the river is an infinite reservoir).
    pub routing: Option<RiverRouting>,
    /// Routed breaches on reaches upstream of this one: their outflow takes water from this
    /// breach's river (instantly: no travel time between reaches).
    pub upstream: Vec<usize>,
}

/// A reach as a store for the breach on it: storage `S = L·B·(h − z0)` and a Manning-type
/// rating for its outflow, `Q(h) = Q_ref·((h − z0)/d_ref)^{5/3}` (a wide channel, depth ∝ h − z0).
/// Only the deficit the breaches cause is tracked: the natural stage (the hydrograph) is what the
/// reach would carry without them, and `deficit` the water taken out and not yet replaced, so the
/// stage is `h = h_nat − deficit/(L·B)` and `d deficit/dt = Q_breach − (Q(h_nat) − Q(h))`: the
/// deficit grows by the breach outflow and shrinks by what the reduced outflow holds back. In a
/// steady state the reach passes on `Q(h_nat) − Q_breach`, never less than nothing: the flood
/// takes at most what the river brings.
#[derive(Debug, Clone)]
pub struct RiverRouting {
    /// Zero-flow stage (the bed), m.
    pub bed_m: f64,
    /// Depth over the bed at the reference (peak) stage, m.
    pub d_ref_m: f64,
    /// Discharge at the reference stage, m³/s (`A·U`).
    pub q_ref_m3s: f64,
    /// Plan area of the reach's water surface `L·B`, m² (`B = A/d_ref`).
    pub surface_m2: f64,
    pub deficit_m3: f64,
    /// Routed stage in the last sub-step, m (NaN before the first).
    pub stage_m: f64,
    /// Largest lowering of the stage below the natural one so far, m.
    pub max_drawdown_m: f64,
}

/// Rating of a routed reach: discharge at stage `h_m`, m³/s.
pub fn rating_discharge(q_ref_m3s: f64, d_ref_m: f64, bed_m: f64, h_m: f64) -> f64 {
    if h_m <= bed_m {
        return 0.0;
    }
    q_ref_m3s * ((h_m - bed_m) / d_ref_m).powf(5.0 / 3.0)
}

/// Inverse rating: the stage at which the reach carries `q_m3s`, m.
pub fn rating_stage(q_ref_m3s: f64, d_ref_m: f64, bed_m: f64, q_m3s: f64) -> f64 {
    bed_m + d_ref_m * (q_m3s.max(0.0) / q_ref_m3s).powf(0.6)
}

impl RiverRouting {
    /// From the reach's length (km), section A (m²) and velocity U (m/s) at the peak stage.
    pub fn new(bed_m: f64, peak_stage_m: f64, length_km: f64, section_m2: f64, velocity_ms: f64) -> Option<Self> {
        let d_ref = peak_stage_m - bed_m;
        if !(d_ref > 0.0 && length_km > 0.0 && section_m2 > 0.0 && velocity_ms > 0.0) {
            return None;
        }
        Some(RiverRouting {
            bed_m,
            d_ref_m: d_ref,
            q_ref_m3s: section_m2 * velocity_ms,
            surface_m2: length_km * 1000.0 * section_m2 / d_ref,
            deficit_m3: 0.0,
            stage_m: f64::NAN,
            max_drawdown_m: 0.0,
        })
    }
    fn q(&self, h: f64) -> f64 {
        rating_discharge(self.q_ref_m3s, self.d_ref_m, self.bed_m, h)
    }
    /// The stage the reach would have without its own breach: the natural stage, lowered to
    /// carry `upstream_m3s` less.
    pub fn inflow_stage(&self, natural_m: f64, upstream_m3s: f64) -> f64 {
        if upstream_m3s <= 0.0 {
            return natural_m;
        }
        rating_stage(self.q_ref_m3s, self.d_ref_m, self.bed_m, self.q(natural_m) - upstream_m3s)
    }
    /// The routed stage at the breach, m.
    pub fn stage(&self, natural_m: f64, upstream_m3s: f64) -> f64 {
        (self.inflow_stage(natural_m, upstream_m3s) - self.deficit_m3 / self.surface_m2).max(self.bed_m)
    }
    /// Advances the deficit by `dt_s` with the breach taking `q_breach_m3s`; returns how much
    /// less than its natural flow the reach passes downstream, m³/s.
    pub fn advance(&mut self, natural_m: f64, upstream_m3s: f64, q_breach_m3s: f64, dt_s: f64) -> f64 {
        let h0 = self.inflow_stage(natural_m, upstream_m3s);
        let h = self.stage(natural_m, upstream_m3s);
        let held_back = self.q(h0) - self.q(h);
        self.deficit_m3 = (self.deficit_m3 + (q_breach_m3s - held_back) * dt_s)
            .clamp(0.0, self.surface_m2 * (h0 - self.bed_m).max(0.0));
        self.stage_m = h;
        self.max_drawdown_m = self.max_drawdown_m.max(natural_m - h);
        self.q(natural_m) - self.q(h)
    }
}

impl Breach {
    pub fn is_open(&self) -> bool {
        self.onset.is_some() && !self.closed
    }
}

/// The zones, their connections and the breaches.
#[derive(Debug, Clone, Default)]
pub struct FloodModel {
    pub zones: Vec<Zone>,
    pub links: Vec<Link>,
    pub breaches: Vec<Breach>,
}

impl FloodModel {
    /// Builds the stores from a (valid) scenario; unknown ids are skipped.
    pub fn build(s: &Scenario) -> FloodModel {
        let index: BTreeMap<&str, usize> =
            s.map.flood_zones.iter().enumerate().map(|(i, z)| (z.id.as_str(), i)).collect();
        let elevation: BTreeMap<&str, Option<f64>> =
            s.map.nodes.iter().map(|n| (n.id.as_str(), n.elevation_m)).collect();
        let population: BTreeMap<&str, f64> =
            s.map.nodes.iter().map(|n| (n.id.as_str(), f64::from(n.population))).collect();
        let zones = s
            .map
            .flood_zones
            .iter()
            .map(|z| Zone {
                id: z.id.clone(),
                ground_m: z.ground_elevation_m,
                area_m2: z.area_km2 * 1e6,
                volume_m3: 0.0,
                road_closure_depth_m: z.road_closure_depth_m.unwrap_or(DEFAULT_ROAD_CLOSURE_DEPTH_M),
                nodes: z
                    .nodes
                    .iter()
                    .map(|n| {
                        let e = elevation.get(n.as_str()).copied().flatten().unwrap_or(z.ground_elevation_m);
                        (n.clone(), e.max(z.ground_elevation_m))
                    })
                    .collect(),
                max_depth_m: 0.0,
                refuge: (z.refuge_share.unwrap_or(0.0), z.refuge_height_m.unwrap_or(0.0)),
                population: z.nodes.iter().map(|n| population.get(n.as_str()).copied().unwrap_or(0.0)).collect(),
            })
            .collect();
        let mut links = Vec::new();
        for (a, z) in s.map.flood_zones.iter().enumerate() {
            for sp in &z.spills_to {
                let Some(&b) = index.get(sp.zone.as_str()) else { continue };
                if a == b {
                    continue;
                }
                links.push(Link {
                    a,
                    b,
                    sill_m: sp.sill_elevation_m,
                    width_m: sp.width_m,
                    cd: sp.discharge_coefficient.unwrap_or(DEFAULT_DISCHARGE_COEFFICIENT),
                    flow_m3s: 0.0,
                    passed_m3: 0.0,
                });
            }
        }
        let mut breaches = Vec::new();
        for h in &s.hazards {
            let Hazard::LeveeBreach(b) = h else { continue };
            let Some(lv) = s.map.levee(&b.levee) else { continue };
            let Some(&zone) = index.get(lv.protects.as_str()) else { continue };
            let model = b.model();
            let max_width = model.max_width_m;
            let width = b.initial_width_m.min(max_width);
            breaches.push(Breach {
                hazard: b.id.clone(),
                levee: b.levee.clone(),
                node: lv.node.clone(),
                zone,
                bottom_m: b.bottom_elevation_m,
                initial_width_m: width,
                width_m: width,
                max_width_m: max_width,
                cd: model.discharge_coefficient,
                uc_ms: model.critical_velocity_ms,
                person_hours_per_m: model.closure_person_hours_per_m,
                onset: None,
                closed: false,
                stage_m: f64::NAN,
                discharge_m3s: 0.0,
                peak_discharge_m3s: 0.0,
                peak_width_m: width,
                inflow_m3: 0.0,
                workers: 0,
                teams: Vec::new(),
                journaled_width_m: width,
                routing: b.river_bed_elevation_m.and_then(|bed| {
                    let reach = s.map.rivers.iter().flat_map(|r| &r.reaches).find(|r| r.id == lv.reach)?;
                    let peak = b.stage.iter().map(|p| p.stage_m).fold(f64::NEG_INFINITY, f64::max);
                    RiverRouting::new(bed, peak, reach.length_km, reach.cross_section_m2, reach.velocity_ms)
                }),
                upstream: Vec::new(),
            });
        }
        // routed breaches on reaches upstream of each routed breach's reach
        let reach_of: Vec<Option<String>> = breaches
            .iter()
            .map(|b| b.routing.as_ref().and_then(|_| s.map.levee(&b.levee)).map(|l| l.reach.clone()))
            .collect();
        for i in 0..breaches.len() {
            let Some(mine) = &reach_of[i] else { continue };
            for (j, theirs) in reach_of.iter().enumerate() {
                if let Some(theirs) = theirs
                    && j != i
                    && theirs != mine
                    && reach_is_downstream(s, theirs, mine)
                {
                    breaches[i].upstream.push(j);
                }
            }
        }
        FloodModel { zones, links, breaches }
    }

    /// Breach indices, each after the routed breaches upstream of it.
    fn upstream_first(&self) -> Vec<usize> {
        let mut order: Vec<usize> = (0..self.breaches.len()).collect();
        order.sort_by_key(|&i| (self.breaches[i].upstream.len(), i));
        order
    }

    /// Water in all zones, m³.
    pub fn stored_m3(&self) -> f64 {
        self.zones.iter().map(|z| z.volume_m3).sum()
    }

    /// Net water the river has given through all breaches, m³.
    pub fn inflow_m3(&self) -> f64 {
        self.breaches.iter().map(|b| b.inflow_m3).sum()
    }

    /// Moves water for `dt_s` seconds: through each open breach (river stage `stages[i]` for
    /// breach `i`, held over the step) and over every spill, in sub-steps of at most
    /// [`MAX_SUB_STEP_S`] with the monotone flux limiter described in the module docs.
    pub fn route(&mut self, dt_s: f64, stages: &[f64]) {
        if dt_s <= 0.0 {
            return;
        }
        let n = (dt_s / MAX_SUB_STEP_S).ceil().max(1.0);
        let h = dt_s / n;
        // connections of each zone: spills plus open breaches into it
        let mut degree = vec![0usize; self.zones.len()];
        for l in &self.links {
            degree[l.a] += 1;
            degree[l.b] += 1;
        }
        for b in self.breaches.iter().filter(|b| b.is_open() && b.width_m > 0.0) {
            degree[b.zone] += 1;
        }
        let mut dv = vec![0.0; self.zones.len()];
        let order = self.upstream_first();
        let mut reduction = vec![0.0; self.breaches.len()];
        for _ in 0..n as usize {
            dv.iter_mut().for_each(|x| *x = 0.0);
            for &i in &order {
                let natural = stages.get(i).copied().unwrap_or(f64::NAN);
                let upstream: f64 = self.breaches[i].upstream.iter().map(|&u| reduction[u]).sum();
                let b = &mut self.breaches[i];
                let open = b.is_open() && b.width_m > 0.0;
                if !open {
                    b.discharge_m3s = 0.0;
                }
                if !natural.is_finite() {
                    continue;
                }
                let stage = b.routing.as_ref().map_or(natural, |r| r.stage(natural, upstream));
                if !open {
                    if let Some(r) = b.routing.as_mut() {
                        reduction[i] = r.advance(natural, upstream, 0.0, h);
                    }
                    continue;
                }
                let z = &self.zones[b.zone];
                let level = z.level();
                let q = weir_flow(b.cd, b.width_m, b.bottom_m, stage, level);
                let alpha = 0.5 / degree[b.zone].max(1) as f64;
                let limit = if q >= 0.0 {
                    alpha * (stage - level).max(0.0) * z.area_m2
                } else {
                    alpha * (level - stage.max(b.bottom_m).max(z.ground_m)).max(0.0) * z.area_m2
                };
                let vol = (q * h).clamp(-limit, limit);
                dv[b.zone] += vol;
                b.inflow_m3 += vol;
                b.discharge_m3s = vol / h;
                if let Some(r) = b.routing.as_mut() {
                    reduction[i] = r.advance(natural, upstream, vol / h, h);
                }
            }
            for l in self.links.iter_mut() {
                let (za, zb) = (&self.zones[l.a], &self.zones[l.b]);
                let (la, lb) = (za.level(), zb.level());
                let q = weir_flow(l.cd, l.width_m, l.sill_m, la, lb);
                let alpha = 0.5 / degree[l.a].max(degree[l.b]).max(1) as f64;
                let equalise = (la - lb).abs() * za.area_m2 * zb.area_m2 / (za.area_m2 + zb.area_m2);
                let giver = if q >= 0.0 { za } else { zb };
                let above_sill = (giver.level() - l.sill_m.max(giver.ground_m)).max(0.0) * giver.area_m2;
                let limit = alpha * equalise.min(above_sill);
                let vol = (q * h).clamp(-limit, limit);
                dv[l.a] -= vol;
                dv[l.b] += vol;
                l.flow_m3s = vol / h;
                l.passed_m3 += vol;
            }
            for (z, d) in self.zones.iter_mut().zip(&dv) {
                z.volume_m3 += d;
            }
        }
        for z in self.zones.iter_mut() {
            z.max_depth_m = z.max_depth_m.max(z.depth());
        }
        for b in self.breaches.iter_mut() {
            b.peak_discharge_m3s = b.peak_discharge_m3s.max(b.discharge_m3s.abs());
        }
    }

    /// Level difference over breach `i` for the growth law, m (Tygron's form).
    pub fn growth_head(&self, i: usize, stage: f64) -> f64 {
        let b = &self.breaches[i];
        let stage = b.routing.as_ref().map_or(stage, |r| if r.stage_m.is_finite() { r.stage_m } else { stage });
        let level = self.zones[b.zone].level();
        ((stage - b.bottom_m).max(0.0) - (level - b.bottom_m).max(0.0)).abs()
    }

    /// Changes breach `i`'s width for a step from `now` to `now + dt_s` at level difference
    /// `dh_m`: Verheij growth minus closure work, capped at the maximum. Returns true if the
    /// breach closed in this step.
    pub fn change_width(&mut self, i: usize, now: u64, dt_s: f64, dh_m: f64) -> bool {
        let b = &mut self.breaches[i];
        let Some(onset) = b.onset else { return false };
        if b.closed {
            return false;
        }
        let t0 = now.saturating_sub(onset) as f64 / 3600.0;
        let t1 = t0 + dt_s / 3600.0;
        let grow = verheij_increment(dh_m, b.uc_ms, t0, t1);
        let close = closure_rate_m_per_h(b.workers, b.person_hours_per_m) * dt_s / 3600.0;
        b.width_m = (b.width_m + grow).min(b.max_width_m) - close;
        b.peak_width_m = b.peak_width_m.max(b.width_m);
        if b.width_m <= 0.0 {
            b.width_m = 0.0;
            b.closed = true;
            b.discharge_m3s = 0.0;
            return true;
        }
        false
    }
}

/// Whether reach `down` lies downstream of reach `up` (following `downstream` links).
fn reach_is_downstream(s: &Scenario, up: &str, down: &str) -> bool {
    let next =
        |id: &str| s.map.rivers.iter().flat_map(|r| &r.reaches).find(|r| r.id == id).and_then(|r| r.downstream.clone());
    let mut at = next(up);
    let mut hops = 0;
    while let Some(r) = at {
        if r == down {
            return true;
        }
        hops += 1;
        if hops > 10_000 {
            return false;
        }
        at = next(&r);
    }
    false
}

// ---------------------------------------------------------------------------------------------
// The ECS side
// ---------------------------------------------------------------------------------------------

/// The flood model of a run and what has been journaled of it.
#[derive(Resource, Debug, Default)]
pub struct FloodState {
    pub model: FloodModel,
    pub built: bool,
    /// Zone index → number of depth milestones at or below the current depth.
    milestones: Vec<usize>,
    /// (link, direction a→b?) pairs that have run and been journaled.
    spills_journaled: BTreeSet<(usize, bool)>,
    /// Team id → size (people).
    team_sizes: BTreeMap<String, u32>,
    /// Whether any breach has begun.
    pub begun: bool,
    /// Zone index → (time, level) over the last [`RISE_WINDOW_S`], for the rise rate.
    pub level_history: Vec<std::collections::VecDeque<(u64, f64)>>,
    /// Node id → position (m), and each breach's levee node position (m), for the breach zone.
    node_pos: BTreeMap<String, (f64, f64)>,
    /// Largest plan area under water at once, km².
    pub flooded_km2_peak: f64,
}

impl FloodState {
    /// Rise rate of the water over ground `ground_m` in zone `zone`, m/h: the rise of the depth
    /// there over the last hour (or since the history began), 0 without history.
    pub fn rise_rate(&self, zone: usize, ground_m: f64, now: u64) -> f64 {
        let Some(hist) = self.level_history.get(zone) else { return 0.0 };
        let (Some(&(t0, l0)), Some(&(t1, l1))) = (hist.front(), hist.back()) else { return 0.0 };
        if t1 <= t0 || t1 != now {
            return 0.0;
        }
        let rise = (l1 - ground_m).max(0.0) - (l0 - ground_m).max(0.0);
        rise / ((t1 - t0) as f64 / 3600.0)
    }

    /// Flow velocity at node `node` of zone `zone` at depth `h_m`: the largest over the breaches
    /// into the zone ([`breach_jet_velocity`]), m/s.
    pub fn jet_velocity(&self, zone: usize, node: &str, h_m: f64) -> f64 {
        let Some(&(x, y)) = self.node_pos.get(node) else { return 0.0 };
        self.model
            .breaches
            .iter()
            .filter(|b| b.zone == zone && b.is_open())
            .filter_map(|b| {
                let &(bx, by) = self.node_pos.get(&b.node)?;
                Some(breach_jet_velocity(b.discharge_m3s, b.width_m, (x - bx).hypot(y - by), h_m))
            })
            .fold(0.0, f64::max)
    }
}

/// Harm done by the flood so far (kept by [`flood_consequences`]).
#[derive(Resource, Debug, Default)]
pub struct FloodHarm {
    /// Node id → largest mortality fraction reached there.
    pub fraction: BTreeMap<String, f64>,
    /// Zone id → deaths so far (fractional), and deaths journaled.
    pub deaths: BTreeMap<String, f64>,
    pub deaths_journaled: BTreeMap<String, u32>,
    pub last_deaths_entry: BTreeMap<String, u64>,
    /// Zone id → wet nodes last journaled.
    pub wet: BTreeMap<String, Vec<String>>,
    /// Zone id → most people exposed at once in that zone.
    pub exposed_peak: BTreeMap<String, f64>,
    /// Most people exposed at once over all zones (the peak of the simultaneous total).
    pub exposed_total_peak: f64,
    /// Household index → largest mortality fraction reached where it was on the way (evacuees
    /// on a road or stuck at a node in the water).
    pub transit_fraction: Vec<f32>,
    /// Roads the flood holds closed (indices in `map.roads`).
    pub roads_closed: BTreeSet<usize>,
    pub totals_journaled: bool,
    /// Roads with an end in some flood zone (found once): only they can be cut by water.
    pub zone_roads: Option<Vec<usize>>,
    /// People taken out of the water by boat so far (`hazards::rescue`).
    pub rescued: f64,
}

impl FloodHarm {
    pub fn deaths_total(&self) -> f64 {
        self.deaths.values().sum()
    }
}

fn init(state: &mut FloodState, scenario: &Scenario) {
    state.model = FloodModel::build(scenario);
    state.milestones = vec![0; state.model.zones.len()];
    state.team_sizes = scenario.resources.teams.iter().map(|t| (t.id.clone(), t.size)).collect();
    state.level_history = vec![Default::default(); state.model.zones.len()];
    state.node_pos = scenario.map.nodes.iter().map(|n| (n.id.clone(), (n.pos.0 * 1000.0, n.pos.1 * 1000.0))).collect();
    state.built = true;
}

/// Routes water and changes breach widths for this step (Hazards set, after onsets).
pub fn flood_step(
    clock: Res<SimClock>,
    scenario: Res<ScenarioRes>,
    net: Res<RoadNetwork>,
    teams: Query<&Team>,
    mut state: ResMut<FloodState>,
    mut hazards: ResMut<HazardState>,
    mut depths: ResMut<ZoneDepths>,
    mut journal: MessageWriter<Journaled>,
) {
    let sc = &scenario.0;
    if !state.built {
        init(&mut state, &sc.scenario);
    }
    if state.model.breaches.is_empty() {
        return;
    }
    let now = clock.now;
    let dt = clock.step as f64;
    let state = &mut *state;

    // onsets (recorded by hazard_onsets) and river stages
    let mut stages = Vec::with_capacity(state.model.breaches.len());
    for b in state.model.breaches.iter_mut() {
        if b.onset.is_none()
            && let Some(&t) = hazards.onset.get(&b.hazard)
        {
            b.onset = Some(t);
            state.begun = true;
        }
        let stage = sc.scenario.hazards.iter().find(|h| h.id() == b.hazard).and_then(|h| match h {
            Hazard::LeveeBreach(lb) => super::stage_at(&lb.stage, sc, now),
            _ => None,
        });
        b.stage_m = stage.unwrap_or(f64::NAN);
        stages.push(b.stage_m);
    }
    if !state.begun {
        return;
    }

    // closure work: teams at the levee node with task breach_closure (split between open
    // breaches that share a node)
    let mut at_node: BTreeMap<String, (Vec<String>, u32)> = BTreeMap::new();
    for team in teams.iter() {
        if team.trip.is_none() && team.working == Some(Capability::BreachClosure) {
            let node = net.id_of(team.location).to_string();
            let e = at_node.entry(node).or_default();
            e.0.push(team.id.clone());
            e.1 += state.team_sizes.get(&team.id).copied().unwrap_or(0);
        }
    }
    let mut sharing: BTreeMap<String, u32> = BTreeMap::new();
    for b in state.model.breaches.iter().filter(|b| b.is_open()) {
        *sharing.entry(b.node.clone()).or_default() += 1;
    }
    for b in state.model.breaches.iter_mut().filter(|b| b.is_open()) {
        let (mut names, people) = at_node.get(&b.node).cloned().unwrap_or_default();
        names.sort();
        let workers = people / sharing.get(&b.node).copied().unwrap_or(1).max(1);
        if names != b.teams || workers != b.workers {
            b.teams = names;
            b.workers = workers;
            journal.write(Journaled(Event::BreachClosureWork {
                hazard: b.hazard.clone(),
                teams: b.teams.clone(),
                workers,
                rate_m_per_h: round2(closure_rate_m_per_h(workers, b.person_hours_per_m)),
            }));
        }
    }

    // growth heads at the step's start, then water, then widths
    let heads: Vec<f64> = (0..state.model.breaches.len()).map(|i| state.model.growth_head(i, stages[i])).collect();
    state.model.route(dt, &stages);
    for (i, &head) in heads.iter().enumerate() {
        if !state.model.breaches[i].is_open() {
            continue;
        }
        let head = if head.is_finite() { head } else { 0.0 };
        let closed = state.model.change_width(i, now, dt, head);
        let b = &mut state.model.breaches[i];
        if closed {
            journal.write(Journaled(Event::BreachClosed {
                hazard: b.hazard.clone(),
                peak_width_m: round2(b.peak_width_m),
                peak_discharge_m3s: round2(b.peak_discharge_m3s),
                inflow_m3: b.inflow_m3.round(),
            }));
            continue;
        }
        let last = b.journaled_width_m;
        let step = (0.25 * last).max(10.0);
        let widened = b.width_m >= last + step || (b.width_m >= b.max_width_m && last < b.max_width_m);
        let narrowed = b.width_m <= last - (0.25 * last).max(10.0).min(last);
        if widened || narrowed {
            b.journaled_width_m = b.width_m;
            let (hazard, width_m, discharge_m3s) = (b.hazard.clone(), round2(b.width_m), round2(b.discharge_m3s));
            journal.write(Journaled(if widened {
                Event::BreachWidened { hazard, width_m, discharge_m3s, head_m: round2(head) }
            } else {
                Event::BreachNarrowed { hazard, width_m, discharge_m3s, workers: b.workers }
            }));
        }
    }

    // routed stages, for the `StageAtLeast` condition
    for b in &state.model.breaches {
        if let Some(r) = b.routing.as_ref().filter(|r| r.stage_m.is_finite()) {
            hazards.river_stage.insert(b.levee.clone(), r.stage_m);
        }
    }

    // spills that start running
    for (k, l) in state.model.links.iter().enumerate() {
        if l.flow_m3s.abs() > SPILL_RUNNING_M3S {
            let forward = l.flow_m3s > 0.0;
            if state.spills_journaled.insert((k, forward)) {
                let (from, to) = if forward { (l.a, l.b) } else { (l.b, l.a) };
                journal.write(Journaled(Event::FloodSpill {
                    from: state.model.zones[from].id.clone(),
                    to: state.model.zones[to].id.clone(),
                    level_m: round2(state.model.zones[from].level()),
                }));
            }
        }
    }

    // level history for the rise rate; the area under water
    for (i, z) in state.model.zones.iter().enumerate() {
        let hist = &mut state.level_history[i];
        hist.push_back((now, z.level()));
        while hist.front().is_some_and(|&(t, _)| t + RISE_WINDOW_S < now) {
            hist.pop_front();
        }
    }
    let flooded: f64 = state.model.zones.iter().filter(|z| z.depth() > WET_DEPTH_M).map(|z| z.area_m2 / 1e6).sum();
    state.flooded_km2_peak = state.flooded_km2_peak.max(flooded);

    // depths: for conditions, and milestones for the journal
    for (i, z) in state.model.zones.iter().enumerate() {
        let depth = z.depth();
        depths.0.insert(z.id.clone(), depth);
        let mut m = state.milestones[i];
        while m < DEPTH_MILESTONES_M.len() && depth >= DEPTH_MILESTONES_M[m] {
            journal.write(Journaled(Event::FloodDepth {
                zone: z.id.clone(),
                depth_m: DEPTH_MILESTONES_M[m],
                rising: true,
                level_m: round2(z.level()),
            }));
            m += 1;
        }
        while m > 0 && depth < DEPTH_MILESTONES_M[m - 1] - HYSTERESIS_M {
            m -= 1;
            journal.write(Journaled(Event::FloodDepth {
                zone: z.id.clone(),
                depth_m: DEPTH_MILESTONES_M[m],
                rising: false,
                level_m: round2(z.level()),
            }));
        }
        state.milestones[i] = m;
    }
}

/// Roads cut by water, people exposed, deaths (Consequences set).
#[allow(clippy::too_many_arguments)]
pub fn flood_consequences(
    clock: Res<SimClock>,
    scenario: Res<ScenarioRes>,
    state: Res<FloodState>,
    mut harm: ResMut<FloodHarm>,
    mut net: ResMut<RoadNetwork>,
    mut residents: ResMut<Residents>,
    mut transit: ResMut<Households>,
    mut evac: ResMut<EvacNet>,
    mut journal: MessageWriter<Journaled>,
) {
    if !state.begun {
        return;
    }
    let sc = &scenario.0.scenario;
    let model = &state.model;
    let harm = &mut *harm;
    let hh = &mut *transit;

    let node_depth = node_depths(model);

    // roads (only those with an end in a zone: a road elsewhere never gets wet)
    let zone_roads = harm.zone_roads.get_or_insert_with(|| {
        let in_zone: BTreeSet<&str> =
            model.zones.iter().flat_map(|z| z.nodes.iter().map(|(n, _)| n.as_str())).collect();
        (0..sc.map.roads.len())
            .filter(|&r| {
                in_zone.contains(sc.map.roads[r].from.as_str()) || in_zone.contains(sc.map.roads[r].to.as_str())
            })
            .collect()
    });
    for &r in zone_roads.iter() {
        let road = &sc.map.roads[r];
        let ends = [node_depth.get(road.from.as_str()), node_depth.get(road.to.as_str())];
        if ends.iter().all(|e| e.is_none()) {
            continue;
        }
        let over = ends.iter().flatten().any(|(d, limit)| d > limit);
        let under = ends.iter().flatten().all(|(d, limit)| *d < limit - HYSTERESIS_M);
        let name = || road.id.clone().unwrap_or_else(|| format!("{}–{}", road.from, road.to));
        if over && harm.roads_closed.insert(r) {
            net.close_road(r, Closure::Flood);
            journal.write(Journaled(Event::RoadClosed { road: name(), reason: Closure::Flood.to_string() }));
        } else if under && harm.roads_closed.remove(&r) && net.reopen_road(r, &Closure::Flood) {
            journal.write(Journaled(Event::RoadReopened { road: name(), reason: Closure::Flood.to_string() }));
        }
    }

    // evacuees on the way: cars on a road under water stop; where each one is
    let on_the_way = evacuees_in_water(hh, &mut evac, &net, &node_depth);

    // exposure and deaths, zone by zone; a node listed by two zones counts in the first
    let mut seen: BTreeSet<&str> = BTreeSet::new();
    let mut exposed_total = 0.0;
    if harm.transit_fraction.len() < hh.len() {
        harm.transit_fraction.resize(hh.len(), 0.0);
    }
    for (zi, z) in model.zones.iter().enumerate() {
        let mut wet = Vec::new();
        let mut exposed = 0.0;
        let mut in_transit = 0.0;
        let mut new_deaths = 0.0;
        for (k, (n, ground)) in z.nodes.iter().enumerate() {
            if !seen.insert(n.as_str()) {
                continue;
            }
            let depth = node_depth.get(n.as_str()).map_or(0.0, |d| d.0);
            if depth <= WET_DEPTH_M {
                continue;
            }
            wet.push(n.clone());
            let v = state.jet_velocity(zi, n, depth);
            let rise = state.rise_rate(zi, *ground, clock.now);
            let (_, f_new) = jonkman_mortality(depth, v, rise);
            // residents and the evacuees stranded here share the place's refuge
            let here = on_the_way.get(n.as_str()).map(Vec::as_slice).unwrap_or_default();
            let stranded: f64 =
                here.iter().filter(|(_, on_road)| !on_road).map(|&(h, _)| hh.people[h as usize] as f64).sum();
            let present = residents.0.get(n).copied().unwrap_or(0.0) + stranded;
            let share = z.in_water_share(k, depth, present);
            if let Some(people) = residents.0.get_mut(n) {
                // residents in a refuge above the water are out of it
                let in_water = share;
                let f_old = harm.fraction.get(n).copied().unwrap_or(0.0);
                if f_new > f_old {
                    let dead = deaths_on_rise(*people, f_old, f_new) * in_water;
                    *people -= dead;
                    new_deaths += dead;
                    harm.fraction.insert(n.clone(), f_new);
                }
                exposed += *people * in_water;
            }
            // evacuees on a road ending here or stuck here: exposed like the residents (those
            // stuck at the node find a refuge as its residents do; those on a road none)
            for &(h, on_road) in here {
                let hu = h as usize;
                let in_water = if on_road { 1.0 } else { share };
                let f_old = harm.transit_fraction[hu] as f64;
                let people = hh.people[hu] as f64;
                if f_new > f_old {
                    let dead = deaths_on_rise(people, f_old, f_new) * in_water;
                    hh.people[hu] = (people - dead).max(0.0) as f32;
                    new_deaths += dead;
                    harm.transit_fraction[hu] = f_new as f32;
                }
                exposed += hh.people[hu] as f64 * in_water;
                in_transit += hh.people[hu] as f64 * in_water;
            }
        }
        exposed_total += exposed;
        let peak = harm.exposed_peak.entry(z.id.clone()).or_default();
        *peak = peak.max(exposed);
        if harm.wet.get(&z.id).map_or(!wet.is_empty(), |w| *w != wet) {
            harm.wet.insert(z.id.clone(), wet.clone());
            journal.write(Journaled(Event::FloodExposure {
                zone: z.id.clone(),
                wet_nodes: wet,
                exposed: exposed.round() as u64,
                in_transit: in_transit.round() as u64,
            }));
        }
        let total = harm.deaths.entry(z.id.clone()).or_default();
        *total += new_deaths;
        let whole = total.floor() as u32;
        let reported = harm.deaths_journaled.get(&z.id).copied().unwrap_or(0);
        let last = harm.last_deaths_entry.get(&z.id).copied();
        // compact: the first death, then each doubling, at least six-hourly while the water
        // rises, and whatever is pending once it stops rising
        let due = reported == 0
            || whole >= 2 * reported
            || last.is_none_or(|t| clock.now >= t + DEATHS_ENTRY_EVERY_S)
            || new_deaths == 0.0;
        if whole > reported && due {
            harm.deaths_journaled.insert(z.id.clone(), whole);
            harm.last_deaths_entry.insert(z.id.clone(), clock.now);
            journal.write(Journaled(Event::FloodDeaths {
                zone: z.id.clone(),
                deaths: whole - reported,
                total: whole,
                depth_m: round2(z.depth()),
            }));
        }
    }

    harm.exposed_total_peak = harm.exposed_total_peak.max(exposed_total);

    // the run's last step: one line of totals
    if !harm.totals_journaled && clock.now + clock.step >= clock.stop_at {
        harm.totals_journaled = true;
        journal.write(Journaled(Event::FloodTotals {
            peak_width_m: round2(model.breaches.iter().map(|b| b.peak_width_m).fold(0.0, f64::max)),
            peak_discharge_m3s: round2(model.breaches.iter().map(|b| b.peak_discharge_m3s).fold(0.0, f64::max)),
            inflow_m3: model.inflow_m3().round(),
            stored_m3: model.stored_m3().round(),
            max_depth_m: model.zones.iter().map(|z| (z.id.clone(), round2(z.max_depth_m))).collect(),
            exposed_peak: harm.exposed_total_peak.round() as u64,
            exposed_peak_by_zone: harm.exposed_peak.iter().map(|(z, p)| (z.clone(), p.round() as u64)).collect(),
            flooded_km2: round2(state.flooded_km2_peak),
            river_drawdown_m: round2(
                model.breaches.iter().filter_map(|b| b.routing.as_ref()).map(|r| r.max_drawdown_m).fold(0.0, f64::max),
            ),
            deaths: harm.deaths_total().floor() as u32,
            rescued: harm.rescued.round() as u64,
        }));
    }
}

/// The depth at each node of a zone (the largest over the zones that list it) and that zone's
/// road-closure depth, m.
pub(super) fn node_depths(model: &FloodModel) -> BTreeMap<&str, (f64, f64)> {
    let mut node_depth: BTreeMap<&str, (f64, f64)> = BTreeMap::new();
    for z in &model.zones {
        for (n, ground) in &z.nodes {
            let d = z.depth_at(*ground);
            let e = node_depth.entry(n.as_str()).or_insert((d, z.road_closure_depth_m));
            if d > e.0 {
                *e = (d, z.road_closure_depth_m);
            }
        }
    }
    node_depth
}

/// Evacuees on the way, by the node where the water reaches them: a household stuck at a node
/// is there; one on a road is at the end it is heading for (the water behind a car driving out
/// does not reach it). Marks each road's ends under more water than the road-closure depth, and
/// its shallower end (`EvacNet::water`), for the cars (`agents::evacuees`). Returns node id →
/// (household, on a road rather than at the node).
pub(super) fn evacuees_in_water<'a>(
    hh: &Households,
    ev: &mut EvacNet,
    net: &'a RoadNetwork,
    node_depth: &BTreeMap<&str, (f64, f64)>,
) -> BTreeMap<&'a str, Vec<(u32, bool)>> {
    let mut at: BTreeMap<&'a str, Vec<(u32, bool)>> = BTreeMap::new();
    if !ev.ready {
        return at;
    }
    // water and closure depth by node index: the zones' nodes; every other node is dry
    let mut depth = vec![(0.0, f64::INFINITY); net.ids.len()];
    let mut zone_nodes = Vec::with_capacity(node_depth.len());
    for (id, d) in node_depth {
        if let Some(ix) = net.node(id) {
            depth[ix.index()] = *d;
            zone_nodes.push(ix);
        }
    }
    // only the roads at a zone's node can have water over an end: the others stay unmarked
    ev.water.resize(ev.source.len(), 0);
    for &ix in &zone_nodes {
        for dir in [petgraph::Direction::Outgoing, petgraph::Direction::Incoming] {
            for r in net.graph.edges_directed(ix, dir) {
                let e = r.id().index();
                let (a, b) = (depth[ev.source[e] as usize], depth[ev.target[e] as usize]);
                ev.water[e] = (u8::from(a.0 > a.1) * WET_START)
                    | (u8::from(b.0 > b.1) * WET_END)
                    | (u8::from(a.0 <= b.0) * START_SHALLOWER);
            }
        }
    }
    for h in 0..hh.len() {
        if !matches!(hh.stage[h], EvacStage::OnRoad | EvacStage::StuckOnRoad) {
            continue;
        }
        let edge = hh.edge[h];
        let on_road = (edge as usize) < ev.source.len();
        let node = if on_road { ev.target[edge as usize] } else { hh.node[h] };
        if depth[node as usize].0 > WET_DEPTH_M {
            at.entry(net.ids[node as usize].as_str()).or_default().push((h as u32, on_road));
        }
    }
    at
}

/// Copies flood deaths into `HazardState.casualties` (as black, under the first breach begun)
/// so that `CasualtiesAtLeast` sees them; one step after they happen.
fn flood_casualties(harm: &FloodHarm, state: &FloodState, hazards: &mut HazardState) {
    let Some(first) = state.model.breaches.iter().filter(|b| b.onset.is_some()).min_by_key(|b| b.onset) else {
        return;
    };
    let dead = harm.deaths_total().floor() as u32;
    if dead > 0 {
        hazards.casualties.insert(first.hazard.clone(), [0, 0, 0, dead]);
    }
}

pub(super) fn flood_casualties_system(harm: Res<FloodHarm>, state: Res<FloodState>, mut hazards: ResMut<HazardState>) {
    flood_casualties(&harm, &state, &mut hazards);
}

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<FloodState>().init_resource::<FloodHarm>();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weir_law_and_submergence() {
        // C_d (2/3) √(2g) B H^1.5 with C_d 0.5, B 100 m, H 2 m
        let q = weir_discharge(0.5, 100.0, 2.0);
        assert!((q - 0.5 * 2.0 / 3.0 * (2.0 * 9.81f64).sqrt() * 100.0 * 2.0f64.powf(1.5)).abs() < 1e-9);
        assert_eq!(weir_flow(0.5, 100.0, 10.0, 12.0, 9.0), q, "tailwater below the crest: free flow");
        assert!((weir_flow(0.5, 100.0, 10.0, 9.0, 12.0) + q).abs() < 1e-9, "reverse flow is negative");
        assert_eq!(weir_flow(0.5, 100.0, 10.0, 11.0, 11.0), 0.0);
        // half submerged: (1 − 0.5^1.5)^0.385
        let r = weir_flow(0.5, 100.0, 10.0, 12.0, 11.0) / q;
        assert!((r - (1.0 - 0.5f64.powf(1.5)).powf(0.385)).abs() < 1e-12, "{r}");
    }

    #[test]
    fn verheij_steps_add_up_to_the_closed_form() {
        let (dh, uc) = (4.0, 0.3);
        let whole = verheij_increment(dh, uc, 0.0, 12.0);
        let closed = 1.3 * 9.81f64.sqrt() * 4.0f64.powf(1.5) / uc * (1.0 + 0.04 * 9.81 * 12.0 / uc).log10();
        assert!((whole - closed).abs() < 1e-9);
        let steps: f64 = (0..720).map(|k| verheij_increment(dh, uc, k as f64 / 60.0, (k + 1) as f64 / 60.0)).sum();
        assert!((steps - whole).abs() < 1e-9, "{steps} vs {whole}");
        assert_eq!(verheij_increment(0.0, uc, 0.0, 1.0), 0.0);
    }

    #[test]
    fn normal_cdf_matches_reference_values() {
        // reference: Python math.erfc
        for (x, want) in [(0.0, 0.5), (-1.0, 0.15865525393145707), (1.96, 0.9750021048517795), (-2.763636, 0.002858)] {
            assert!((normal_cdf(x) - want).abs() < 2e-6, "Φ({x}) = {} ≠ {want}", normal_cdf(x));
        }
    }

    #[test]
    fn jonkman_branches_follow_their_published_criteria() {
        // rapidly rising: Φ((ln h − 1.46)/0.28), reference values from Python math.erfc
        for (h, want) in [(3.0, 0.09840899683634935), (2.5, 0.026079519173387904), (4.0, 0.39618494958623274)] {
            let (zone, f) = jonkman_mortality(h, 0.0, 0.6);
            assert_eq!(zone, MortalityZone::RapidlyRising);
            assert!((f - want).abs() < 2e-6, "F({h}) = {f} ≠ {want}");
        }
        // remaining zone below 2.1 m, or when the water rises slowly
        let (zone, f) = jonkman_mortality(2.0, 0.0, 1.0);
        assert_eq!(zone, MortalityZone::Remaining);
        assert!((f - 0.006009553583933633).abs() < 2e-6, "{f}");
        let (zone, f) = jonkman_mortality(3.0, 0.0, 0.49);
        assert_eq!(zone, MortalityZone::Remaining);
        assert!((f - 0.009035966858508368).abs() < 2e-6, "{f}");
        // breach zone: h·v ≥ 7 m²/s and v ≥ 2 m/s, both
        assert_eq!(jonkman_mortality(2.0, 4.0, 0.0), (MortalityZone::Breach, 1.0));
        assert_eq!(jonkman_mortality(3.5, 2.0, 0.0), (MortalityZone::Breach, 1.0));
        assert_ne!(jonkman_mortality(4.0, 1.9, 0.0).0, MortalityZone::Breach, "h·v 7.6 but v < 2 m/s");
        assert_ne!(jonkman_mortality(1.0, 5.0, 0.0).0, MortalityZone::Breach, "v 5 m/s but h·v 5 m²/s");
        assert_eq!(jonkman_mortality(0.0, 9.0, 9.0), (MortalityZone::Remaining, 0.0));
    }

    #[test]
    fn breach_jet_spreads_one_metre_per_metre() {
        // Q 5000 m³/s, breach 100 m, 400 m away: q = 5000/500 = 10 m²/s; at h 2 m v = 5 m/s
        assert!((breach_jet_velocity(5000.0, 100.0, 400.0, 2.0) - 5.0).abs() < 1e-12);
        assert_eq!(breach_jet_velocity(0.0, 100.0, 400.0, 2.0), 0.0);
        assert_eq!(breach_jet_velocity(5000.0, 100.0, 400.0, 0.0), 0.0);
    }

    #[test]
    fn deaths_count_the_rise_of_the_fraction_once() {
        // 1000 people: F 0 → 0.1 kills 100; F 0.1 → 0.19 kills 900·0.09/0.9 = 90; 190 = 1000·0.19
        let d1 = deaths_on_rise(1000.0, 0.0, 0.1);
        let d2 = deaths_on_rise(1000.0 - d1, 0.1, 0.19);
        assert!((d1 - 100.0).abs() < 1e-9 && (d2 - 90.0).abs() < 1e-9, "{d1} {d2}");
        assert_eq!(deaths_on_rise(810.0, 0.19, 0.19), 0.0);
        assert_eq!(deaths_on_rise(810.0, 0.19, 0.1), 0.0, "a falling fraction raises nobody");
    }

    #[test]
    fn rise_rate_is_the_depth_gained_over_the_last_hour() {
        let mut st = FloodState { level_history: vec![Default::default()], ..Default::default() };
        // level 30.0 → 31.0 in an hour; ground 30.2 was dry at the start: depth 0 → 0.8 m
        st.level_history[0].push_back((0, 30.0));
        st.level_history[0].push_back((3600, 31.0));
        assert!((st.rise_rate(0, 29.0, 3600) - 1.0).abs() < 1e-12);
        assert!((st.rise_rate(0, 30.2, 3600) - 0.8).abs() < 1e-12);
        assert_eq!(st.rise_rate(0, 29.0, 3660), 0.0, "stale history");
        // over half an hour: 0.5 m in 1800 s = 1 m/h
        st.level_history[0].pop_front();
        st.level_history[0].push_front((1800, 30.5));
        assert!((st.rise_rate(0, 29.0, 3600) - 1.0).abs() < 1e-12);
    }

    fn reach_breach(width_m: f64, routing: Option<RiverRouting>) -> Breach {
        Breach {
            hazard: "h".into(),
            levee: "lv".into(),
            node: "lp".into(),
            zone: 0,
            bottom_m: 31.0,
            initial_width_m: width_m,
            width_m,
            max_width_m: width_m,
            cd: 0.5,
            uc_ms: 0.5,
            person_hours_per_m: 400.0,
            onset: Some(0),
            closed: false,
            stage_m: f64::NAN,
            discharge_m3s: 0.0,
            peak_discharge_m3s: 0.0,
            peak_width_m: width_m,
            inflow_m3: 0.0,
            workers: 0,
            teams: vec![],
            journaled_width_m: width_m,
            routing,
            upstream: vec![],
        }
    }

    fn polder(ground_m: f64, area_m2: f64) -> Zone {
        Zone {
            id: "z".into(),
            ground_m,
            area_m2,
            volume_m3: 0.0,
            road_closure_depth_m: 0.3,
            nodes: vec![],
            max_depth_m: 0.0,
            refuge: (0.0, 0.0),
            population: vec![],
        }
    }

    #[test]
    fn a_refuge_keeps_its_places_out_of_the_water_until_it_is_flooded() {
        // a village of 1,000 whose houses have upper floors for 600
        let z = Zone { refuge: (0.6, 5.0), population: vec![1000.0], ..polder(0.0, 1.0) };
        assert!((z.in_water_share(0, 3.0, 1000.0) - 0.4).abs() < 1e-12, "nobody left: 400 in the water");
        assert!((z.in_water_share(0, 3.0, 800.0) - 0.25).abs() < 1e-12, "200 left: 200 of 800 in the water");
        assert_eq!(z.in_water_share(0, 3.0, 500.0), 0.0, "500 stay: all find a place");
        assert_eq!(z.in_water_share(0, 5.0, 500.0), 1.0, "water at the refuge's height reaches everyone");
        assert_eq!(polder(0.0, 1.0).in_water_share(0, 3.0, 100.0), 1.0, "no refuge by default");
    }

    #[test]
    fn rating_and_its_inverse() {
        // Q_ref 8400 m³/s at 8.2 m over the bed (29 m)
        let q = rating_discharge(8400.0, 8.2, 29.0, 37.2);
        assert!((q - 8400.0).abs() < 1e-9);
        let half = rating_discharge(8400.0, 8.2, 29.0, 29.0 + 8.2 * 0.5f64.powf(0.6));
        assert!((half - 4200.0).abs() < 1e-6, "{half}");
        assert!((rating_stage(8400.0, 8.2, 29.0, 4200.0) - (29.0 + 8.2 * 0.5f64.powf(0.6))).abs() < 1e-12);
        assert_eq!(rating_discharge(8400.0, 8.2, 29.0, 28.0), 0.0);
        // a routed breach downstream of one that takes half the flow starts from that stage
        let r = RiverRouting::new(29.0, 37.2, 25.0, 5600.0, 1.5).unwrap();
        assert!((r.inflow_stage(37.2, 4200.0) - (29.0 + 8.2 * 0.5f64.powf(0.6))).abs() < 1e-9);
        // storage surface L·B = 25 km × 5600/8.2 m
        assert!((r.surface_m2 - 25_000.0 * 5600.0 / 8.2).abs() < 1e-6);
    }

    #[test]
    fn routed_breach_reaches_the_closed_form_steady_state() {
        // natural stage 37 m held; a polder far below the breach bottom (free flow). Steady:
        // weir(h − 31) = Q(37) − Q(h), solved here by bisection, independently of the model.
        let (bed, peak, l_km, a, u, b_w) = (29.0, 37.2, 25.0, 5600.0, 1.5, 300.0);
        let q = |h: f64| rating_discharge(a * u, peak - bed, bed, h);
        let (mut lo, mut hi) = (31.0, 37.0);
        for _ in 0..200 {
            let mid = 0.5 * (lo + hi);
            if weir_discharge(0.5, b_w, mid - 31.0) > q(37.0) - q(mid) { hi = mid } else { lo = mid }
        }
        let h_ss = 0.5 * (lo + hi);
        let routing = RiverRouting::new(bed, peak, l_km, a, u);
        let mut m =
            FloodModel { zones: vec![polder(0.0, 1e13)], links: vec![], breaches: vec![reach_breach(b_w, routing)] };
        m.route(48.0 * 3600.0, &[37.0]);
        let r = m.breaches[0].routing.as_ref().unwrap();
        assert!((r.stage_m - h_ss).abs() < 0.005, "stage {} vs closed form {h_ss}", r.stage_m);
        let q_ss = weir_discharge(0.5, b_w, h_ss - 31.0);
        assert!((m.breaches[0].discharge_m3s - q_ss).abs() / q_ss < 0.005, "{} vs {q_ss}", m.breaches[0].discharge_m3s);
        assert!(r.max_drawdown_m > 0.5, "the breach draws the river down: {}", r.max_drawdown_m);
        // without routing the same breach takes the weir flow at the natural stage
        let mut inf =
            FloodModel { zones: vec![polder(0.0, 1e13)], links: vec![], breaches: vec![reach_breach(b_w, None)] };
        inf.route(3600.0, &[37.0]);
        assert!((inf.breaches[0].discharge_m3s - weir_discharge(0.5, b_w, 6.0)).abs() < 1e-6);
    }

    #[test]
    fn a_routed_breach_takes_no_more_than_the_river_brings() {
        // a breach far wider than the river can feed: after 24 h the polder holds at most the
        // river's natural flow over 24 h plus what the reach held above its bed
        let (bed, peak, l_km, a, u) = (29.0, 37.2, 25.0, 5600.0, 1.5);
        let routing = RiverRouting::new(bed, peak, l_km, a, u);
        let surface = routing.as_ref().unwrap().surface_m2;
        let mut m =
            FloodModel { zones: vec![polder(0.0, 1e13)], links: vec![], breaches: vec![reach_breach(5000.0, routing)] };
        m.route(24.0 * 3600.0, &[37.0]);
        let brought = rating_discharge(a * u, peak - bed, bed, 37.0) * 24.0 * 3600.0 + surface * (37.0 - bed);
        assert!(m.stored_m3() <= brought, "{} > {brought}", m.stored_m3());
        assert!((m.stored_m3() - m.inflow_m3()).abs() < 1.0, "mass balance");
        assert!(m.breaches[0].discharge_m3s <= rating_discharge(a * u, peak - bed, bed, 37.0) * 1.001);
    }

    #[test]
    fn mortality_is_zero_when_dry_and_rises_with_depth() {
        assert_eq!(jonkman_remaining_zone(0.0), 0.0);
        let f: Vec<f64> = [0.5, 1.0, 2.0, 3.0, 5.0].iter().map(|h| jonkman_remaining_zone(*h)).collect();
        assert!(f.windows(2).all(|w| w[0] < w[1]), "{f:?}");
    }
}
