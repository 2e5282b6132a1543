//! Uncertain scenario parameters (the optional top-level `uncertain` section): what a sweep
//! samples, how it is distributed, its checks, the seeded draw and how a value is applied.
//!
//! A plain `drillsim run` ignores the section: the scenario's own values are the nominal ones.
//! `drillsim sweep` draws one value per declared parameter for each run, from a ChaCha8 stream
//! separate from the simulation's `SimRng` ([`draw`]: the run's seed, stream 1, parameters in
//! declaration order), and applies them to a clone of the scenario before the run is built.
//!
//! Values are in the parameter's unit: shifts of a time and durations are written as durations
//! (`"-2h"`, `"+30m"`, `"45m"`) and kept as whole seconds; everything else is a number. Counts are
//! rounded to whole numbers. The value used (after rounding) is what the sweep records.

use std::fmt;

use chrono::NaiveDateTime;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Deserializer, Serialize, Serializer, de};

use super::diag::Collector;
use super::time::{Dur, TimeSpec};
use super::types::{Hazard, Scenario};

/// One uncertain parameter: what it changes, how its values are spread, and why.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Uncertain {
    pub param: Param,
    pub dist: Dist,
    /// Where the range comes from (free text, for people).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub basis: String,
}

/// What an uncertain value changes.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub enum Param {
    /// Shift of a hazard's onset `at` (a signed duration): the breach, derailment, spill or
    /// release comes earlier or later. The hazard must have an `at`.
    OnsetTime { hazard: String },
    /// A levee breach's `initial_width_m`, m.
    BreachWidth { hazard: String },
    /// Shift of a levee breach's river stage hydrograph, m, added to every point. (Without an
    /// `at`, the stage also decides when the levee breaches.)
    RiverStage { hazard: String },
    /// Factor on a river's discharge: every reach's velocity × f^0.34 and cross-section ×
    /// f^0.66 (at-a-station hydraulic geometry, Leopold & Maddock 1953).
    RiverFlow { river: String },
    /// A derailment's `casualties` (dead and injured), rounded to a whole number.
    Casualties { hazard: String },
    /// A chemical spill's `mass_kg`.
    SpillMass { hazard: String },
    /// `resources.evacuation.compliance`: the share of households that obey.
    Compliance,
    /// `resources.evacuation.mobilisation_mean`: mean delay from the order to departure.
    Mobilisation,
    /// The automatic plan-follower's delay from a level's trigger to its orders (`--auto-delay`);
    /// used with `--auto-plan`.
    AutoPlanDelay,
    /// Shift of every order an agency gives in the order file (`--orders`), a signed duration;
    /// orders stay inside the window.
    OrderDelay { agency: String },
}

/// What kind of value a parameter takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// A number.
    Number,
    /// A duration or a shift in time, in whole seconds.
    Seconds,
}

impl Param {
    /// The column name of the parameter in a sweep's outputs (`param.` prefix added there).
    pub fn label(&self) -> String {
        match self {
            Param::OnsetTime { hazard } => format!("onset_shift_s.{hazard}"),
            Param::BreachWidth { hazard } => format!("breach_width_m.{hazard}"),
            Param::RiverStage { hazard } => format!("stage_shift_m.{hazard}"),
            Param::RiverFlow { river } => format!("flow_factor.{river}"),
            Param::Casualties { hazard } => format!("casualties.{hazard}"),
            Param::SpillMass { hazard } => format!("spill_mass_kg.{hazard}"),
            Param::Compliance => "compliance".into(),
            Param::Mobilisation => "mobilisation_mean_s".into(),
            Param::AutoPlanDelay => "auto_delay_s".into(),
            Param::OrderDelay { agency } => format!("order_shift_s.{agency}"),
        }
    }

    pub fn unit(&self) -> Unit {
        match self {
            Param::OnsetTime { .. } | Param::Mobilisation | Param::AutoPlanDelay | Param::OrderDelay { .. } => {
                Unit::Seconds
            }
            _ => Unit::Number,
        }
    }

    /// Whether the value is rounded to a whole number.
    fn whole(&self) -> bool {
        self.unit() == Unit::Seconds || matches!(self, Param::Casualties { .. })
    }

    /// As a scenario would write it, e.g. `OnsetTime(hazard: "h1")`.
    pub fn describe(&self) -> String {
        match self {
            Param::OnsetTime { hazard }
            | Param::BreachWidth { hazard }
            | Param::RiverStage { hazard }
            | Param::Casualties { hazard }
            | Param::SpillMass { hazard } => format!("{}(hazard: \"{hazard}\")", self.variant()),
            Param::RiverFlow { river } => format!("RiverFlow(river: \"{river}\")"),
            Param::OrderDelay { agency } => format!("OrderDelay(agency: \"{agency}\")"),
            _ => self.variant().to_string(),
        }
    }

    fn variant(&self) -> &'static str {
        match self {
            Param::OnsetTime { .. } => "OnsetTime",
            Param::BreachWidth { .. } => "BreachWidth",
            Param::RiverStage { .. } => "RiverStage",
            Param::RiverFlow { .. } => "RiverFlow",
            Param::Casualties { .. } => "Casualties",
            Param::SpillMass { .. } => "SpillMass",
            Param::Compliance => "Compliance",
            Param::Mobilisation => "Mobilisation",
            Param::AutoPlanDelay => "AutoPlanDelay",
            Param::OrderDelay { .. } => "OrderDelay",
        }
    }
}

/// A value as written: a number, or a (signed) duration in quotes (`"-2h"`, `"+30m"`, `"45m"`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Q {
    /// The number, or the duration in seconds.
    pub v: f64,
    /// Written as a duration.
    pub time: bool,
}

impl Q {
    /// Parses a signed duration: an optional `+` or `-`, then a duration ("2h30m").
    pub fn parse_time(text: &str) -> Result<Q, super::time::TimeError> {
        let t = text.trim();
        let (sign, rest) = match t.strip_prefix('-') {
            Some(r) => (-1.0, r),
            None => (1.0, t.strip_prefix('+').unwrap_or(t)),
        };
        let d = Dur::parse(rest).map_err(|e| super::time::TimeError::Shift(Box::new(e)))?;
        Ok(Q { v: sign * d.secs() as f64, time: true })
    }
}

impl fmt::Display for Q {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.time {
            let s = self.v as i64;
            write!(f, "\"{}\"", super::time::human_secs(s))
        } else {
            write!(f, "{}", self.v)
        }
    }
}

impl Serialize for Q {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.time {
            s.collect_str(&format_args!("{}", self).to_string().trim_matches('"'))
        } else {
            s.serialize_f64(self.v)
        }
    }
}

impl<'de> Deserialize<'de> for Q {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl de::Visitor<'_> for V {
            type Value = Q;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a number, or a duration in quotes such as \"-2h\" or \"30m\"")
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Q, E> {
                Ok(Q { v, time: false })
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Q, E> {
                Ok(Q { v: v as f64, time: false })
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Q, E> {
                Ok(Q { v: v as f64, time: false })
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Q, E> {
                Q::parse_time(v).map_err(E::custom)
            }
        }
        d.deserialize_any(V)
    }
}

/// How the values of a parameter are spread. Draws outside the parameter's range (and outside
/// `lo`/`hi` where given) are drawn again: the distributions are truncated.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub enum Dist {
    /// Every value in `lo` … `hi` equally likely.
    Uniform { lo: Q, hi: Q },
    /// Triangular on `lo` … `hi`, most likely at `mode`.
    Triangular { lo: Q, mode: Q, hi: Q },
    /// Normal with `mean` and standard deviation `sd`, truncated to `lo` … `hi` (each optional).
    Normal {
        mean: Q,
        sd: Q,
        #[serde(default)]
        lo: Option<Q>,
        #[serde(default)]
        hi: Option<Q>,
    },
    /// Log-normal: `median · e^(sigma·z)`, z standard normal, truncated to `lo` … `hi`.
    LogNormal {
        median: Q,
        sigma: f64,
        #[serde(default)]
        lo: Option<Q>,
        #[serde(default)]
        hi: Option<Q>,
    },
}

impl Dist {
    /// As a scenario would write it, e.g. `Triangular(lo: 30, mode: 60, hi: 120)`.
    pub fn describe(&self) -> String {
        let opt = |n: &str, q: &Option<Q>| q.map_or(String::new(), |q| format!(", {n}: {q}"));
        match self {
            Dist::Uniform { lo, hi } => format!("Uniform(lo: {lo}, hi: {hi})"),
            Dist::Triangular { lo, mode, hi } => format!("Triangular(lo: {lo}, mode: {mode}, hi: {hi})"),
            Dist::Normal { mean, sd, lo, hi } => {
                format!("Normal(mean: {mean}, sd: {sd}{}{})", opt("lo", lo), opt("hi", hi))
            }
            Dist::LogNormal { median, sigma, lo, hi } => {
                format!("LogNormal(median: {median}, sigma: {sigma}{}{})", opt("lo", lo), opt("hi", hi))
            }
        }
    }

    /// The written bounds of the support (None where unbounded).
    fn bounds(&self) -> (Option<f64>, Option<f64>) {
        match self {
            Dist::Uniform { lo, hi } | Dist::Triangular { lo, hi, .. } => (Some(lo.v), Some(hi.v)),
            Dist::Normal { lo, hi, .. } | Dist::LogNormal { lo, hi, .. } => (lo.map(|q| q.v), hi.map(|q| q.v)),
        }
    }

    /// Every value as written, with its field name (for unit checks).
    fn values(&self) -> Vec<(&'static str, Q)> {
        let mut v = Vec::new();
        match self {
            Dist::Uniform { lo, hi } => v.extend([("lo", *lo), ("hi", *hi)]),
            Dist::Triangular { lo, mode, hi } => v.extend([("lo", *lo), ("mode", *mode), ("hi", *hi)]),
            Dist::Normal { mean, sd, lo, hi } => {
                v.extend([("mean", *mean), ("sd", *sd)]);
                v.extend(lo.map(|q| ("lo", q)));
                v.extend(hi.map(|q| ("hi", q)));
            }
            Dist::LogNormal { median, lo, hi, .. } => {
                v.push(("median", *median));
                v.extend(lo.map(|q| ("lo", q)));
                v.extend(hi.map(|q| ("hi", q)));
            }
        }
        v
    }

    /// One draw, truncated to `[lo, hi]` (the intersection of the written bounds and the
    /// parameter's range). Rejection sampling; after 10,000 rejections the draw is clamped
    /// (validation makes sure the range keeps a fair share of the distribution).
    pub fn sample(&self, rng: &mut ChaCha8Rng, lo: f64, hi: f64) -> f64 {
        for _ in 0..10_000 {
            let x = self.raw(rng);
            if x >= lo && x <= hi {
                return x;
            }
        }
        self.centre().clamp(lo, hi)
    }

    fn centre(&self) -> f64 {
        match self {
            Dist::Uniform { lo, hi } => 0.5 * (lo.v + hi.v),
            Dist::Triangular { mode, .. } => mode.v,
            Dist::Normal { mean, .. } => mean.v,
            Dist::LogNormal { median, .. } => median.v,
        }
    }

    fn raw(&self, rng: &mut ChaCha8Rng) -> f64 {
        match self {
            Dist::Uniform { lo, hi } => lo.v + (hi.v - lo.v) * rng.random::<f64>(),
            Dist::Triangular { lo, mode, hi } => {
                let (a, c, b) = (lo.v, mode.v, hi.v);
                let u: f64 = rng.random();
                if b <= a {
                    return a;
                }
                let fc = (c - a) / (b - a);
                if u < fc { a + (u * (b - a) * (c - a)).sqrt() } else { b - ((1.0 - u) * (b - a) * (b - c)).sqrt() }
            }
            Dist::Normal { mean, sd, .. } => mean.v + sd.v * std_normal(rng),
            Dist::LogNormal { median, sigma, .. } => median.v * (sigma * std_normal(rng)).exp(),
        }
    }
}

/// A standard normal draw (Box–Muller, one of the pair).
fn std_normal(rng: &mut ChaCha8Rng) -> f64 {
    let u1: f64 = 1.0 - rng.random::<f64>(); // (0, 1]
    let u2: f64 = rng.random();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// The range a parameter's value must stay in, for this scenario: `(lo, hi)`.
pub fn range(s: &Scenario, start: NaiveDateTime, p: &Param) -> Option<(f64, f64)> {
    let duration = s.meta.duration.secs() as f64;
    Some(match p {
        Param::OnsetTime { hazard } => {
            let at = hazard_at(s, hazard)?;
            let nominal = at.offset_from(start) as f64;
            (-nominal, duration - nominal)
        }
        Param::BreachWidth { hazard } => match find(s, hazard)? {
            Hazard::LeveeBreach(b) => (1e-3, b.model().max_width_m),
            _ => return None,
        },
        Param::RiverStage { .. } => (-20.0, 20.0),
        Param::RiverFlow { .. } => (0.01, 100.0),
        Param::Casualties { .. } => (1.0, 1.0e6),
        Param::SpillMass { .. } => (1e-6, 1.0e12),
        Param::Compliance => (0.0, 1.0),
        Param::Mobilisation => (0.0, duration),
        Param::AutoPlanDelay => (0.0, duration),
        Param::OrderDelay { .. } => (-duration, duration),
    })
}

fn find<'s>(s: &'s Scenario, id: &str) -> Option<&'s Hazard> {
    s.hazards.iter().find(|h| h.id() == id)
}

fn hazard_at<'s>(s: &'s Scenario, id: &str) -> Option<&'s TimeSpec> {
    match find(s, id)? {
        Hazard::LeveeBreach(b) => b.at.as_ref(),
        Hazard::Derailment(d) => Some(&d.at),
        Hazard::ChemicalSpill(c) => Some(&c.at),
        Hazard::GasRelease(g) => Some(&g.at),
    }
}

/// Draws the values of every uncertain parameter for a run, in declaration order, from stream 1
/// of ChaCha8 seeded with the run's seed (the simulation's `SimRng` uses stream 0). Whole-number
/// parameters (counts, seconds) are rounded.
pub fn draw(s: &Scenario, start: NaiveDateTime, seed: u64) -> Vec<f64> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(1);
    s.uncertain
        .iter()
        .map(|u| {
            let (plo, phi) = range(s, start, &u.param).unwrap_or((f64::NEG_INFINITY, f64::INFINITY));
            let (dlo, dhi) = u.dist.bounds();
            let lo = dlo.map_or(plo, |v| v.max(plo));
            let hi = dhi.map_or(phi, |v| v.min(phi));
            let x = u.dist.sample(&mut rng, lo, hi);
            if u.param.whole() { x.round().clamp(lo.ceil(), hi.floor()) } else { x }
        })
        .collect()
}

/// Applies a drawn value to the scenario (parameters of the scenario itself; `AutoPlanDelay` and
/// `OrderDelay` act on the run and are applied by the sweep).
pub fn apply(s: &mut Scenario, start: NaiveDateTime, p: &Param, v: f64) {
    match p {
        Param::OnsetTime { hazard } => {
            if let Some(at) = hazard_at(s, hazard) {
                let t = (at.offset_from(start) + v as i64).max(0) as u64;
                match s.hazards.iter_mut().find(|h| h.id() == hazard) {
                    Some(Hazard::LeveeBreach(b)) => b.at = Some(TimeSpec::Offset(t)),
                    Some(Hazard::Derailment(d)) => d.at = TimeSpec::Offset(t),
                    Some(Hazard::ChemicalSpill(c)) => c.at = TimeSpec::Offset(t),
                    Some(Hazard::GasRelease(g)) => g.at = TimeSpec::Offset(t),
                    None => {}
                }
            }
        }
        Param::BreachWidth { hazard } => {
            if let Some(Hazard::LeveeBreach(b)) = s.hazards.iter_mut().find(|h| h.id() == hazard) {
                b.initial_width_m = v;
            }
        }
        Param::RiverStage { hazard } => {
            if let Some(Hazard::LeveeBreach(b)) = s.hazards.iter_mut().find(|h| h.id() == hazard) {
                for p in &mut b.stage {
                    p.stage_m += v;
                }
            }
        }
        Param::RiverFlow { river } => {
            if let Some(r) = s.map.rivers.iter_mut().find(|r| &r.id == river) {
                for reach in &mut r.reaches {
                    reach.velocity_ms *= v.powf(0.34);
                    reach.cross_section_m2 *= v.powf(0.66);
                }
            }
        }
        Param::Casualties { hazard } => {
            if let Some(Hazard::Derailment(d)) = s.hazards.iter_mut().find(|h| h.id() == hazard) {
                d.casualties = v.round().max(1.0) as u32;
            }
        }
        Param::SpillMass { hazard } => {
            if let Some(Hazard::ChemicalSpill(c)) = s.hazards.iter_mut().find(|h| h.id() == hazard) {
                c.mass_kg = v;
            }
        }
        Param::Compliance => s.resources.evacuation.compliance = v,
        Param::Mobilisation => s.resources.evacuation.mobilisation_mean = Dur(v.max(0.0) as u64),
        Param::AutoPlanDelay | Param::OrderDelay { .. } => {}
    }
}

/// Checks the `uncertain` section: targets that exist and fit, units, distributions and ranges.
pub(super) fn check(s: &Scenario, start: Option<NaiveDateTime>, c: &mut Collector) {
    let mut seen: Vec<(String, usize)> = Vec::new();
    for (i, u) in s.uncertain.iter().enumerate() {
        let p = format!("uncertain[{i}]");
        let label = u.param.label();
        if let Some((_, first)) = seen.iter().find(|(l, _)| *l == label) {
            c.at("duplicate-id", format!("{p}.param"), format!("{} is declared uncertain twice", u.param.variant()))
                .help(format!("the first is uncertain[{first}]; give each parameter one distribution"));
        }
        seen.push((label, i));
        if !target_ok(s, &u.param, &format!("{p}.param"), c) {
            continue;
        }
        // units
        let want = u.param.unit();
        let mut units_ok = true;
        for (field, q) in u.dist.values() {
            if q.time != (want == Unit::Seconds) {
                units_ok = false;
                let msg = if want == Unit::Seconds {
                    format!("{} takes durations in quotes, not numbers", u.param.variant())
                } else {
                    format!("{} takes numbers, not durations", u.param.variant())
                };
                let help =
                    if want == Unit::Seconds { "write e.g. \"-2h\", \"+30m\", \"45m\"" } else { "write e.g. 0.8" };
                c.at("unit", format!("{p}.dist.{field}"), msg).help(help);
            }
        }
        if !units_ok {
            continue;
        }
        // the distribution itself
        let dp = format!("{p}.dist");
        let time = want == Unit::Seconds;
        let order = |c: &mut Collector, dp: &str, vals: &[(&str, f64)]| order(c, dp, vals, time);
        let fine = match &u.dist {
            Dist::Uniform { lo, hi } => order(c, &dp, &[("lo", lo.v), ("hi", hi.v)]),
            Dist::Triangular { lo, mode, hi } => {
                order(c, &dp, &[("lo", lo.v), ("mode", mode.v), ("hi", hi.v)])
                    && (hi.v > lo.v || {
                        c.at("range", format!("{dp}.hi"), "a triangular distribution needs hi above lo");
                        false
                    })
            }
            Dist::Normal { sd, lo, hi, .. } => {
                let mut ok = sd.v.is_finite() && sd.v > 0.0;
                if !ok {
                    c.at(
                        "not-positive",
                        format!("{dp}.sd"),
                        format!("the standard deviation must be above zero, found {}", sd),
                    );
                }
                if let (Some(lo), Some(hi)) = (lo, hi) {
                    ok &= order(c, &dp, &[("lo", lo.v), ("hi", hi.v)]);
                }
                ok
            }
            Dist::LogNormal { median, sigma, lo, hi } => {
                let mut ok = true;
                if !(median.v.is_finite() && median.v > 0.0) {
                    c.at(
                        "not-positive",
                        format!("{dp}.median"),
                        format!("the median must be above zero, found {median}"),
                    );
                    ok = false;
                }
                if !(sigma.is_finite() && *sigma > 0.0) {
                    c.at("not-positive", format!("{dp}.sigma"), format!("sigma must be above zero, found {sigma}"));
                    ok = false;
                }
                if matches!(u.param, Param::OnsetTime { .. } | Param::RiverStage { .. } | Param::OrderDelay { .. }) {
                    c.at(
                        "range",
                        dp.clone(),
                        format!("{} is a shift that may be negative: a log-normal cannot give it", u.param.variant()),
                    )
                    .help("use Uniform, Triangular or Normal");
                    ok = false;
                }
                if let (Some(lo), Some(hi)) = (lo, hi) {
                    ok &= order(c, &dp, &[("lo", lo.v), ("hi", hi.v)]);
                }
                ok
            }
        };
        if !fine {
            continue;
        }
        // the parameter's range
        let Some(start) = start else { continue };
        let Some((plo, phi)) = range(s, start, &u.param) else { continue };
        let (dlo, dhi) = u.dist.bounds();
        let show = |v: f64| Q { v, time: want == Unit::Seconds }.to_string();
        let rule = if matches!(u.param, Param::OnsetTime { .. }) { "time-window" } else { "range" };
        let what = domain_text(&u.param, plo, phi, &show);
        if let Some(lo) = dlo
            && lo < plo - 1e-9
        {
            c.at(rule, format!("{dp}.lo"), format!("lo {} is outside {what}", show(lo)));
        }
        if let Some(hi) = dhi
            && hi > phi + 1e-9
        {
            c.at(rule, format!("{dp}.hi"), format!("hi {} is outside {what}", show(hi)));
        }
        // a truncated normal or log-normal must keep a fair share of its distribution
        let (lo, hi) = (dlo.map_or(plo, |v| v.max(plo)), dhi.map_or(phi, |v| v.min(phi)));
        let (centre_lo, centre_hi) = match &u.dist {
            Dist::Normal { mean, sd, .. } => (mean.v - 3.0 * sd.v, mean.v + 3.0 * sd.v),
            Dist::LogNormal { median, sigma, .. } => (median.v * (-3.0 * sigma).exp(), median.v * (3.0 * sigma).exp()),
            _ => (lo, hi),
        };
        if lo <= hi && (centre_hi < lo || centre_lo > hi) {
            c.at(
                "range",
                dp.clone(),
                format!("the bounds {} … {} cut off nearly all of the distribution", show(lo), show(hi)),
            )
            .help("move the mean (median) inside the bounds or widen them");
        }
    }
}

fn domain_text(p: &Param, lo: f64, hi: f64, show: &dyn Fn(f64) -> String) -> String {
    match p {
        Param::OnsetTime { hazard } => {
            format!("the scenario's window: the onset of \"{hazard}\" can move from {} to {}", show(lo), show(hi))
        }
        Param::Compliance => "the range of a share, 0 … 1".into(),
        Param::BreachWidth { .. } => format!("the breach's widths, above 0 and at most max_width_m ({} m)", hi),
        _ => format!("the parameter's range, {} … {}", show(lo), show(hi)),
    }
}

/// Checks values that must not decrease; true if they do not.
fn order(c: &mut Collector, dp: &str, vals: &[(&str, f64)], time: bool) -> bool {
    let show = |v: f64| Q { v, time }.to_string();
    for (n, v) in vals {
        if !v.is_finite() {
            c.at("range", format!("{dp}.{n}"), format!("{n} must be a finite number, found {v}"));
            return false;
        }
    }
    for w in vals.windows(2) {
        if w[1].1 < w[0].1 {
            c.at(
                "order",
                format!("{dp}.{}", w[1].0),
                format!("{} ({}) is below {} ({})", w[1].0, show(w[1].1), w[0].0, show(w[0].1)),
            )
            .help(format!("write them in order: {}", vals.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(" ≤ ")));
            return false;
        }
    }
    true
}

/// Checks a parameter's target id and kind; true if the parameter can be applied.
fn target_ok(s: &Scenario, p: &Param, path: &str, c: &mut Collector) -> bool {
    let hazard_ids = || s.hazards.iter().map(|h| h.id().to_string()).collect::<Vec<_>>().join(", ");
    let hazard = |c: &mut Collector, id: &str, kind: Option<&str>| -> bool {
        match find(s, id) {
            None => {
                c.at("unknown-id", format!("{path}.hazard"), format!("unknown hazard \"{id}\""))
                    .help(format!("the hazards are: {}", hazard_ids()));
                false
            }
            Some(h) if kind.is_some_and(|k| k != h.kind_name()) => {
                c.at(
                    "kind-mismatch",
                    format!("{path}.hazard"),
                    format!("\"{id}\" is a {}; {} applies to a {}", h.kind_name(), p.variant(), kind.unwrap_or("")),
                );
                false
            }
            Some(_) => true,
        }
    };
    match p {
        Param::OnsetTime { hazard: id } => {
            if !hazard(c, id, None) {
                return false;
            }
            if hazard_at(s, id).is_none() {
                c.at(
                    "kind-mismatch",
                    format!("{path}.hazard"),
                    format!("\"{id}\" has no `at`: it breaches when the stage reaches the crest"),
                )
                .help("vary RiverStage(hazard: ..) instead, or give the breach an `at`");
                return false;
            }
            true
        }
        Param::BreachWidth { hazard: id } | Param::RiverStage { hazard: id } => hazard(c, id, Some("levee_breach")),
        Param::Casualties { hazard: id } => hazard(c, id, Some("derailment")),
        Param::SpillMass { hazard: id } => hazard(c, id, Some("chemical_spill")),
        Param::RiverFlow { river } => {
            if s.map.rivers.iter().any(|r| &r.id == river) {
                true
            } else {
                let rivers: Vec<&str> = s.map.rivers.iter().map(|r| r.id.as_str()).collect();
                c.at("unknown-id", format!("{path}.river"), format!("unknown river \"{river}\""))
                    .help(format!("the rivers are: {}", rivers.join(", ")));
                false
            }
        }
        Param::OrderDelay { agency } => {
            if s.agencies.iter().any(|a| &a.id == agency) || agency == super::CONTROL {
                true
            } else {
                c.at("unknown-id", format!("{path}.agency"), format!("unknown agency \"{agency}\""));
                false
            }
        }
        Param::Compliance | Param::Mobilisation | Param::AutoPlanDelay => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rng(seed: u64) -> ChaCha8Rng {
        let mut r = ChaCha8Rng::seed_from_u64(seed);
        r.set_stream(1);
        r
    }

    fn num(v: f64) -> Q {
        Q { v, time: false }
    }

    fn stats(d: &Dist, lo: f64, hi: f64) -> (f64, f64, f64, f64) {
        let mut r = rng(7);
        let xs: Vec<f64> = (0..20_000).map(|_| d.sample(&mut r, lo, hi)).collect();
        let n = xs.len() as f64;
        let mean = xs.iter().sum::<f64>() / n;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
        let min = xs.iter().cloned().fold(f64::INFINITY, f64::min);
        let max = xs.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        (mean, var.sqrt(), min, max)
    }

    #[test]
    fn uniform_has_its_mean_and_spread_and_stays_inside() {
        let (mean, sd, min, max) = stats(&Dist::Uniform { lo: num(2.0), hi: num(6.0) }, f64::MIN, f64::MAX);
        assert!((mean - 4.0).abs() < 0.05, "{mean}");
        assert!((sd - 4.0 / 12f64.sqrt()).abs() < 0.03, "{sd}");
        assert!(min >= 2.0 && max <= 6.0);
    }

    #[test]
    fn triangular_has_its_mean() {
        let (mean, _, min, max) =
            stats(&Dist::Triangular { lo: num(0.0), mode: num(1.0), hi: num(5.0) }, f64::MIN, f64::MAX);
        assert!((mean - 2.0).abs() < 0.05, "{mean}"); // (a + c + b) / 3
        assert!(min >= 0.0 && max <= 5.0);
    }

    #[test]
    fn normal_has_its_mean_and_sd_and_truncation_holds() {
        let d = Dist::Normal { mean: num(10.0), sd: num(2.0), lo: None, hi: None };
        let (mean, sd, _, _) = stats(&d, f64::MIN, f64::MAX);
        assert!((mean - 10.0).abs() < 0.05, "{mean}");
        assert!((sd - 2.0).abs() < 0.05, "{sd}");
        let (mean, _, min, max) = stats(&d, 10.0, 11.0);
        assert!(min >= 10.0 && max <= 11.0);
        // truncated on [μ, μ + σ/2]: mean μ + σ·(φ(0) − φ(0.5)) / (Φ(0.5) − Φ(0)) ≈ 10.490
        assert!((mean - 10.490).abs() < 0.01, "{mean}");
    }

    #[test]
    fn lognormal_has_its_median() {
        let d = Dist::LogNormal { median: num(100.0), sigma: 0.5, lo: None, hi: None };
        let mut r = rng(3);
        let mut xs: Vec<f64> = (0..20_001).map(|_| d.sample(&mut r, 0.0, f64::MAX)).collect();
        xs.sort_by(f64::total_cmp);
        let median = xs[10_000];
        assert!((median - 100.0).abs() < 2.0, "{median}");
        assert!(xs[0] > 0.0);
    }

    #[test]
    fn the_same_seed_draws_the_same_values_and_another_seed_others() {
        let d = Dist::Uniform { lo: num(0.0), hi: num(1.0) };
        let a: Vec<f64> = {
            let mut r = rng(1);
            (0..5).map(|_| d.sample(&mut r, 0.0, 1.0)).collect()
        };
        let b: Vec<f64> = {
            let mut r = rng(1);
            (0..5).map(|_| d.sample(&mut r, 0.0, 1.0)).collect()
        };
        let c: Vec<f64> = {
            let mut r = rng(2);
            (0..5).map(|_| d.sample(&mut r, 0.0, 1.0)).collect()
        };
        assert_eq!(a, b);
        assert_ne!(a, c);
    }

    #[test]
    fn drawn_values_are_applied_to_the_scenario() {
        let sc = crate::scenario::load(std::path::Path::new("scenarios/acid-spill-0929.ron")).unwrap();
        let values = draw(&sc.scenario, sc.start, 929);
        assert_eq!(values.len(), sc.scenario.uncertain.len());
        assert_eq!(values, draw(&sc.scenario, sc.start, 929));
        let mut s = sc.scenario.clone();
        apply(&mut s, sc.start, &Param::RiverFlow { river: "river".into() }, 2.0);
        let (a, b) = (&sc.scenario.map.rivers[0].reaches[0], &s.map.rivers[0].reaches[0]);
        assert!((b.velocity_ms / a.velocity_ms - 2f64.powf(0.34)).abs() < 1e-12);
        assert!((b.cross_section_m2 / a.cross_section_m2 - 2f64.powf(0.66)).abs() < 1e-12);
        // the discharge U·A doubles
        assert!((b.velocity_ms * b.cross_section_m2 / (a.velocity_ms * a.cross_section_m2) - 2.0).abs() < 1e-12);
        apply(&mut s, sc.start, &Param::OnsetTime { hazard: "h_spill".into() }, -600.0);
        apply(&mut s, sc.start, &Param::SpillMass { hazard: "h_spill".into() }, 123.0);
        let nominal = hazard_at(&sc.scenario, "h_spill").unwrap().offset_from(sc.start);
        assert_eq!(hazard_at(&s, "h_spill").unwrap().offset_from(sc.start), nominal - 600);
        assert!(matches!(&s.hazards[0], Hazard::ChemicalSpill(c) if c.mass_kg == 123.0));
        // whole seconds for times and durations
        let i = sc.scenario.uncertain.iter().position(|u| u.param.unit() == Unit::Seconds).unwrap();
        assert_eq!(values[i], values[i].round());
    }

    #[test]
    fn signed_durations_parse() {
        assert_eq!(Q::parse_time("-2h").unwrap().v, -7200.0);
        assert_eq!(Q::parse_time("+1h30m").unwrap().v, 5400.0);
        assert_eq!(Q::parse_time("45m").unwrap().v, 2700.0);
        assert!(Q::parse_time("2x").is_err());
        assert_eq!(Q::parse_time("-2h").unwrap().to_string(), "\"-2h\"");
        assert_eq!(Q::parse_time("+90m").unwrap().to_string(), "\"1h30m\"");
    }
}
