//! Two runs of one scenario side by side: outcomes (deaths, injured, evacuated, people served
//! unsafe water, time to close a breach…) and scores, with the differences, and the moment the
//! two journals first part. A pure function of (scenario, journal A, journal B).

use serde::Serialize;

use crate::journal::summary::summarize;
use crate::journal::{Entry, Event};
use crate::scenario::ValidScenario;
use crate::scenario::time::human_secs;

/// Which way is better for a measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Better {
    Lower,
    Higher,
    /// Neither (a count of orders, say).
    Neutral,
}

/// One measure of both runs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Row {
    pub key: String,
    pub en: String,
    pub zh: String,
    /// `None`: not applicable or never happened (a breach not closed).
    pub a: Option<f64>,
    pub b: Option<f64>,
    /// b − a when both are there.
    pub diff: Option<f64>,
    pub better: Better,
    /// Whether b is better (true), worse (false) or the same / not comparable (None).
    pub b_better: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    pub scenario: String,
    pub seed_a: u64,
    pub seed_b: u64,
    /// Simulated seconds of the first entry where the journals differ (None: identical).
    pub first_difference_t: Option<u64>,
    pub first_difference_seq: Option<u64>,
    pub outcomes: Vec<Row>,
    pub scores: Vec<Row>,
}

fn row(key: &str, en: &str, zh: &str, a: Option<f64>, b: Option<f64>, better: Better) -> Row {
    let diff = a.zip(b).map(|(a, b)| b - a);
    let b_better = match (better, diff) {
        (_, Some(d)) if d.abs() < 1e-9 => None,
        (Better::Lower, Some(d)) => Some(d < 0.0),
        (Better::Higher, Some(d)) => Some(d > 0.0),
        // a breach closed in one run only: closing it is better
        (Better::Lower, None) if a.is_some() != b.is_some() => Some(b.is_some()),
        _ => None,
    };
    Row { key: key.into(), en: en.into(), zh: zh.into(), a, b, diff, better, b_better }
}

/// The outcome measures of one run.
struct Measures {
    deaths: f64,
    flood_deaths: f64,
    derail_dead: f64,
    injured: f64,
    admitted: f64,
    evacuated: f64,
    sheltered: f64,
    exposed: f64,
    unsafe_water: f64,
    protected: f64,
    breach_h: Option<f64>,
    accepted: f64,
    refused: f64,
    reports: f64,
    has_flood: bool,
    has_casualties: bool,
    has_water: bool,
}

fn measures(sc: &ValidScenario, entries: &[Entry]) -> (Measures, crate::scoring::Score) {
    let s = summarize(sc, entries);
    let score = crate::scoring::score(sc, entries);
    let o = &score.outcomes;
    let breach_h = if o.breach_closed_after_s.is_empty() {
        None
    } else {
        Some(o.breach_closed_after_s.values().copied().max().unwrap_or(0) as f64 / 3600.0)
    };
    use crate::scenario::types::Hazard;
    let hz = &sc.scenario.hazards;
    let m = Measures {
        deaths: o.deaths as f64,
        flood_deaths: o.flood_deaths as f64,
        derail_dead: o.derailment_dead as f64,
        injured: (s.casualties.green + s.casualties.yellow + s.casualties.red) as f64,
        admitted: o.patients_admitted as f64,
        evacuated: s.evacuated as f64,
        sheltered: s.sheltered as f64,
        exposed: o.flood_exposed_peak as f64,
        unsafe_water: o.water_unsafe_people as f64,
        protected: o.water_protected_people as f64,
        breach_h,
        accepted: s.orders_accepted as f64,
        refused: s.orders_refused as f64,
        reports: s.reports_sent as f64,
        has_flood: hz.iter().any(|h| matches!(h, Hazard::LeveeBreach(_))),
        has_casualties: hz.iter().any(|h| matches!(h, Hazard::Derailment(_))),
        has_water: hz.iter().any(|h| matches!(h, Hazard::ChemicalSpill(_))),
    };
    (m, score)
}

/// Compares run B with run A (both of `sc`).
pub fn compare(sc: &ValidScenario, a: &[Entry], b: &[Entry]) -> Comparison {
    let (ma, sa) = measures(sc, a);
    let (mb, sb) = measures(sc, b);
    let mut outcomes = vec![row("deaths", "deaths", "死亡", Some(ma.deaths), Some(mb.deaths), Better::Lower)];
    if ma.has_flood {
        outcomes.push(row(
            "flood_deaths",
            "drowned in the flood",
            "洪水溺亡",
            Some(ma.flood_deaths),
            Some(mb.flood_deaths),
            Better::Lower,
        ));
        outcomes.push(row(
            "flood_exposed_peak",
            "people in water (peak)",
            "受淹人数(峰值)",
            Some(ma.exposed),
            Some(mb.exposed),
            Better::Lower,
        ));
        outcomes.push(row(
            "breach_closed_h",
            "breach closed after (h)",
            "决口封堵用时(小时)",
            ma.breach_h,
            mb.breach_h,
            Better::Lower,
        ));
    }
    if ma.has_casualties {
        outcomes.push(row(
            "derailment_dead",
            "dead at the derailment",
            "事故死亡",
            Some(ma.derail_dead),
            Some(mb.derail_dead),
            Better::Lower,
        ));
        outcomes.push(row(
            "injured",
            "injured (living casualties)",
            "受伤",
            Some(ma.injured),
            Some(mb.injured),
            Better::Lower,
        ));
        outcomes.push(row(
            "patients_admitted",
            "patients admitted to hospital",
            "入院伤员",
            Some(ma.admitted),
            Some(mb.admitted),
            Better::Higher,
        ));
    }
    if ma.has_flood || ma.evacuated + mb.evacuated > 0.0 {
        outcomes.push(row(
            "evacuated",
            "people evacuated",
            "转移人数",
            Some(ma.evacuated),
            Some(mb.evacuated),
            Better::Higher,
        ));
        outcomes.push(row(
            "sheltered",
            "people in shelters",
            "安置人数",
            Some(ma.sheltered),
            Some(mb.sheltered),
            Better::Higher,
        ));
    }
    if ma.has_water {
        outcomes.push(row(
            "water_unsafe",
            "people served unsafe water",
            "饮用超标水人数",
            Some(ma.unsafe_water),
            Some(mb.unsafe_water),
            Better::Lower,
        ));
        outcomes.push(row(
            "water_protected",
            "people protected (intake closed)",
            "关闭取水口受保护人数",
            Some(ma.protected),
            Some(mb.protected),
            Better::Higher,
        ));
    }
    outcomes.push(row(
        "orders_accepted",
        "orders accepted",
        "指令(接受)",
        Some(ma.accepted),
        Some(mb.accepted),
        Better::Neutral,
    ));
    outcomes.push(row(
        "orders_refused",
        "orders refused",
        "指令(拒绝)",
        Some(ma.refused),
        Some(mb.refused),
        Better::Lower,
    ));
    outcomes.push(row("reports_sent", "reports sent", "报告", Some(ma.reports), Some(mb.reports), Better::Neutral));
    let p = |x: &crate::scoring::Score| x.parts.clone();
    let (pa, pb) = (p(&sa), p(&sb));
    let scores = vec![
        row("overall", "overall score", "总分", Some(sa.overall), Some(sb.overall), Better::Higher),
        row("plan", "plan adherence", "预案执行", Some(pa.plan), Some(pb.plan), Better::Higher),
        row("reporting", "reporting", "信息报告", Some(pa.reporting), Some(pb.reporting), Better::Higher),
        row("coordination", "coordination", "协调联动", Some(pa.coordination), Some(pb.coordination), Better::Higher),
        row("outcomes", "outcomes", "处置结果", Some(pa.outcomes), Some(pb.outcomes), Better::Higher),
    ];
    // The first entry names each run's order file: the runs part at the first entry after it.
    let first = a.iter().zip(b).skip(1).find(|(x, y)| x != y).map(|(x, y)| (x.t.min(y.t), x.seq)).or_else(|| {
        (a.len() != b.len()).then(|| {
            let n = a.len().min(b.len());
            let t = a.get(n).or(b.get(n)).map_or(0, |e| e.t);
            (t, n as u64)
        })
    });
    let seed = |j: &[Entry]| {
        j.first()
            .and_then(|e| match &e.event {
                Event::RunStarted { seed, .. } => Some(*seed),
                _ => None,
            })
            .unwrap_or(0)
    };
    Comparison {
        scenario: sc.scenario.meta.name.clone(),
        seed_a: seed(a),
        seed_b: seed(b),
        first_difference_t: first.map(|f| f.0),
        first_difference_seq: first.map(|f| f.1),
        outcomes,
        scores,
    }
}

pub fn fmt_value(key: &str, v: Option<f64>) -> String {
    match v {
        None if key == "breach_closed_h" => "not closed".into(),
        None => "—".into(),
        Some(x) if x.fract().abs() < 1e-9 => format!("{x:.0}"),
        Some(x) => format!("{x:.1}"),
    }
}

pub fn fmt_diff(r: &Row) -> String {
    let arrow = match r.b_better {
        Some(true) => " (better)",
        Some(false) => " (worse)",
        None => "",
    };
    match r.diff {
        Some(d) if d.abs() < 1e-9 => "same".into(),
        Some(d) if d.fract().abs() < 1e-9 => format!("{d:+.0}{arrow}"),
        Some(d) => format!("{d:+.1}{arrow}"),
        None if r.a.is_some() != r.b.is_some() => format!("changed{arrow}"),
        None => "".into(),
    }
}

/// The comparison as a plain-text table.
pub fn text(c: &Comparison, name_a: &str, name_b: &str) -> String {
    let mut out = format!("{} — A: {name_a} (seed {}), B: {name_b} (seed {})\n", c.scenario, c.seed_a, c.seed_b);
    match c.first_difference_t {
        None => out.push_str("The journals are identical.\n"),
        Some(t) => out.push_str(&format!(
            "The journals first differ at +{} (entry {}).\n",
            human_secs(t as i64),
            c.first_difference_seq.unwrap_or(0)
        )),
    }
    let wa = c.outcomes.iter().chain(&c.scores).map(|r| r.en.len()).max().unwrap_or(10);
    for (title, rows) in [("Outcomes", &c.outcomes), ("Scores (0–100)", &c.scores)] {
        out.push_str(&format!("\n{title}\n  {:wa$}  {:>12}  {:>12}  B − A\n", "", "A", "B"));
        for r in rows.iter() {
            out.push_str(&format!(
                "  {:wa$}  {:>12}  {:>12}  {}\n",
                r.en,
                fmt_value(&r.key, r.a),
                fmt_value(&r.key, r.b),
                fmt_diff(r)
            ));
        }
    }
    out
}
