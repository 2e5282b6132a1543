//! The report's charts, the one SVG module of the project's reports: their data (built from the
//! journal only, in calendar time) and their drawing. Every chart has a calendar-time axis with
//! ticks on whole hours or days and the hazards' onsets marked; a series with nothing but zeros
//! is not drawn, and a chart with no series is left out.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use chrono::{NaiveDateTime, Timelike};
use serde::Serialize;

use super::esc;
use super::names::Names;
use crate::journal::{Entry, Event};
use crate::scenario::types::Level;

/// A point in time with a label (an onset, an order, a closure).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Mark {
    pub t: u64,
    pub label: String,
}

/// A line: its points (seconds since the start, value) and the figure its legend states.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Series {
    pub name: String,
    pub color: String,
    /// Drawn as steps (a count that holds until the next entry) or straight segments.
    pub step: bool,
    pub points: Vec<(u64, f64)>,
    /// What the legend says: the last value of a count, the peak of a concentration.
    pub stated: f64,
}

/// A row of dots (injects, orders, reports) on the timeline.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Lane {
    pub name: String,
    pub color: String,
    pub dots: Vec<Mark>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Chart {
    /// "timeline", "casualties", "evacuation", "intake:<node id>".
    pub id: String,
    pub title: String,
    pub end_t: u64,
    pub ticks: Vec<Mark>,
    pub onsets: Vec<Mark>,
    pub marks: Vec<Mark>,
    pub lanes: Vec<Lane>,
    /// Response level steps (t, 0 none … 4 level I).
    pub levels: Vec<(u64, u8)>,
    pub series: Vec<Series>,
    /// A dashed horizontal line (value, label).
    pub threshold: Option<(f64, String)>,
    pub unit: String,
}

/// Calendar-aligned ticks over `[0, end]`: whole hours (1, 2, 3, 6, 12) or days, at most 9.
pub fn ticks(start: NaiveDateTime, end: u64, label: impl Fn(NaiveDateTime) -> String) -> Vec<Mark> {
    let hours = [1u64, 2, 3, 6, 12, 24, 48, 96, 168];
    let step_h = hours.iter().copied().find(|h| end / (h * 3600) <= 8).unwrap_or(168);
    let step = step_h * 3600;
    // Align to the step since the day's midnight (days: at midnights).
    let into_day = start.num_seconds_from_midnight() as u64;
    let align = if step_h >= 24 { 86400 } else { step };
    let mut t = (align - into_day % align) % align;
    let mut out = Vec::new();
    while t <= end {
        out.push(Mark { t, label: label(start + chrono::Duration::seconds(t as i64)) });
        t += step;
    }
    out
}

fn end_of(entries: &[Entry]) -> u64 {
    entries.iter().map(|e| e.t).max().unwrap_or(0).max(1)
}

/// Every chart the run has data for, in the report's order.
pub fn all(n: &Names, entries: &[Entry]) -> Vec<Chart> {
    let w = n.w;
    let end = end_of(entries);
    let start = n.sc.start;
    let base = |id: String, title: String| Chart {
        id,
        title,
        end_t: end,
        ticks: ticks(start, end, |t| w.tick(t)),
        onsets: onsets(n, entries),
        marks: vec![],
        lanes: vec![],
        levels: vec![],
        series: vec![],
        threshold: None,
        unit: String::new(),
    };
    let mut out = vec![timeline(n, entries, base("timeline".into(), w.t("chart.timeline")))];
    out.push(casualties(n, entries, base("casualties".into(), w.t("chart.casualties"))));
    out.push(evacuation(n, entries, base("evacuation".into(), w.t("chart.evacuation"))));
    out.extend(intakes(n, entries, base));
    out.retain(|c| !c.series.is_empty() || !c.lanes.is_empty());
    out
}

fn onsets(n: &Names, entries: &[Entry]) -> Vec<Mark> {
    entries
        .iter()
        .filter_map(|e| match &e.event {
            Event::HazardOnset { hazard, .. } => Some(Mark {
                t: e.t,
                label: n
                    .w
                    .f("chart.onset", &[("hazard", &n.hazard(hazard)), ("time", &n.w.time(n.sc.datetime_at(e.t)))]),
            }),
            _ => None,
        })
        .collect()
}

fn level_no(l: Level) -> u8 {
    match l {
        Level::IV => 1,
        Level::III => 2,
        Level::II => 3,
        Level::I => 4,
    }
}

fn timeline(n: &Names, entries: &[Entry], mut c: Chart) -> Chart {
    let w = n.w;
    let mut lanes = [
        Lane { name: w.t("chart.injects"), color: "#d62728".into(), dots: vec![] },
        Lane { name: w.t("chart.orders"), color: "#1f77b4".into(), dots: vec![] },
        Lane { name: w.t("chart.reports"), color: "#2ca02c".into(), dots: vec![] },
    ];
    let mut levels = vec![(0, n.sc.scenario.plan.initial_level.map_or(0, level_no))];
    for e in entries {
        let time = w.time(n.sc.datetime_at(e.t));
        match &e.event {
            Event::InjectDelivered { inject, .. } => {
                lanes[0].dots.push(Mark { t: e.t, label: format!("{time} {}", n.inject(inject)) })
            }
            Event::OrderAccepted { by, order } if !order.is_facilitator() => lanes[1].dots.push(Mark {
                t: e.t,
                label: format!("{time} {}: {}", n.agency(by), super::model::order_text(n, order)),
            }),
            Event::ReportSent { by, to, report, .. } => lanes[2].dots.push(Mark {
                t: e.t,
                label: format!("{time} {} → {}: {}", n.agency(by), n.agency(to), n.report_kind(*report)),
            }),
            Event::LevelChanged { to, .. } => levels.push((e.t, level_no(*to))),
            _ => {}
        }
    }
    c.lanes = lanes.into_iter().filter(|l| !l.dots.is_empty()).collect();
    if levels.iter().any(|l| l.1 > 0) {
        c.levels = levels;
    }
    c
}

/// Dead (derailment black + flood deaths) and living injured (yellow + red) as the journal
/// tells them, the same sums as the score's outcomes.
fn casualties(n: &Names, entries: &[Entry], mut c: Chart) -> Chart {
    let mut by_hazard: BTreeMap<&str, [u32; 4]> = BTreeMap::new();
    let mut flood = 0u32;
    let mut dead = vec![(0, 0.0)];
    let mut injured = vec![(0, 0.0)];
    for e in entries {
        match &e.event {
            Event::Casualties { hazard, green, yellow, red, black } => {
                by_hazard.insert(hazard, [*green, *yellow, *red, *black]);
            }
            Event::FloodDeaths { deaths, .. } => flood += deaths,
            Event::FloodTotals { deaths, .. } => flood = flood.max(*deaths),
            _ => continue,
        }
        let black: u32 = by_hazard.values().map(|x| x[3]).sum();
        let inj: u32 = by_hazard.values().map(|x| x[1] + x[2]).sum();
        dead.push((e.t, (black + flood) as f64));
        injured.push((e.t, inj as f64));
    }
    c.series = [(n.w.t("chart.dead"), "#000000", dead), (n.w.t("chart.injured"), "#ff7f0e", injured)]
        .into_iter()
        .map(|(name, color, points)| series(name, color, true, points))
        .filter(|s| s.points.iter().any(|p| p.1 != 0.0))
        .collect();
    c.unit = n.w.t("unit.people");
    c
}

fn series(name: String, color: &str, step: bool, points: Vec<(u64, f64)>) -> Series {
    let stated = points.last().map_or(0.0, |p| p.1);
    Series { name, color: color.into(), step, points, stated }
}

/// People who left home and people in shelters: the sum of each origin's and shelter's latest
/// figure, ending on the evacuee model's totals (what the outcomes state).
fn evacuation(n: &Names, entries: &[Entry], mut c: Chart) -> Chart {
    let mut left_by: BTreeMap<&str, u32> = BTreeMap::new();
    let mut in_shelter: BTreeMap<&str, u32> = BTreeMap::new();
    let mut left = vec![(0, 0.0)];
    let mut sheltered = vec![(0, 0.0)];
    // people brought to a shelter by boat: in its occupants, not in the evacuees' totals
    let mut by_boat = 0;
    for e in entries {
        match &e.event {
            Event::EvacuationProgress { from, left: k, .. } => {
                left_by.insert(from, *k);
                left.push((e.t, left_by.values().sum::<u32>() as f64));
            }
            Event::ShelterArrivals { shelter, occupants, .. } => {
                in_shelter.insert(shelter, *occupants);
                sheltered.push((e.t, in_shelter.values().sum::<u32>() as f64));
            }
            Event::BoatRescue { people, shelter: Some(_), .. } => by_boat += people,
            Event::EvacuationTotals { left: l, sheltered: s, .. } => {
                left.push((e.t, *l as f64));
                sheltered.push((e.t, (s + by_boat) as f64));
            }
            Event::EvacuationOrdered { .. } if c.marks.is_empty() => {
                c.marks.push(Mark { t: e.t, label: n.w.t("chart.evacuation_ordered") })
            }
            _ => {}
        }
    }
    c.series = [(n.w.t("chart.left_home"), "#1f77b4", left), (n.w.t("chart.in_shelters"), "#2ca02c", sheltered)]
        .into_iter()
        .map(|(name, color, points)| series(name, color, true, points))
        .filter(|s| s.points.iter().any(|p| p.1 != 0.0))
        .collect();
    c.unit = n.w.t("unit.people");
    c
}

/// One chart per intake the journal shows a spill reaching: the concentration's known points
/// (threshold crossings and the peak, from the journal), the threshold, and the closure.
fn intakes(n: &Names, entries: &[Entry], base: impl Fn(String, String) -> Chart) -> Vec<Chart> {
    let mut pts: BTreeMap<&str, Vec<(u64, f64)>> = BTreeMap::new();
    let mut thresholds: BTreeMap<&str, f64> = BTreeMap::new();
    let mut onset: BTreeMap<&str, u64> = BTreeMap::new();
    let mut hazard_of: BTreeMap<&str, &str> = BTreeMap::new();
    for e in entries {
        match &e.event {
            Event::HazardOnset { hazard, .. } => {
                onset.entry(hazard).or_insert(e.t);
            }
            Event::IntakeThreshold { hazard, intake, concentration_mg_l, threshold_mg_l, .. } => {
                pts.entry(intake).or_default().push((e.t, *concentration_mg_l));
                thresholds.insert(intake, *threshold_mg_l);
                hazard_of.insert(intake, hazard);
            }
            Event::IntakePeak { hazard, intake, peak_mg_l, peak_t_s, .. } => {
                pts.entry(intake).or_default().push((*peak_t_s, *peak_mg_l));
                hazard_of.insert(intake, hazard);
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    for (intake, mut p) in pts {
        let from = hazard_of.get(intake).and_then(|h| onset.get(h)).copied().unwrap_or(0);
        p.push((from, 0.0));
        p.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)));
        let peak = p.iter().map(|x| x.1).fold(0.0, f64::max);
        let mut c = base(format!("intake:{intake}"), n.w.f("chart.intake", &[("intake", &n.place(intake))]));
        c.series = vec![Series {
            name: n.w.t("chart.concentration"),
            color: "#8c564b".into(),
            step: false,
            points: p,
            stated: peak,
        }];
        if let Some(th) = thresholds.get(intake) {
            c.threshold = Some((*th, n.w.f("chart.threshold", &[("value", &fmt_value(*th))])));
        }
        c.marks = entries
            .iter()
            .filter_map(|e| match &e.event {
                Event::IntakeClosed { intake: i, .. } if i == intake => {
                    Some(Mark { t: e.t, label: n.w.t("chart.intake_closed") })
                }
                _ => None,
            })
            .collect();
        c.unit = "mg/L".into();
        out.push(c);
    }
    out
}

/// Whole numbers without decimals (thousands grouped: 127,281), others with up to three decimals.
pub fn fmt_value(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        let sign = if v < 0.0 { "-" } else { "" };
        format!("{sign}{}", super::words::group(v.abs() as u64))
    } else if v.abs() >= 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.3}")
    }
}

const W: f64 = 900.0;
const LEFT: f64 = 120.0;
const RIGHT: f64 = 20.0;

fn x_of(t: u64, end: u64) -> f64 {
    LEFT + (W - LEFT - RIGHT) * t as f64 / end.max(1) as f64
}

/// The chart as an SVG element (no script, no external reference).
pub fn svg(c: &Chart) -> String {
    let top = 14.0;
    let lanes_h = 30.0 * c.lanes.len() as f64 + if c.levels.is_empty() { 0.0 } else { 60.0 };
    let plot_h = if c.series.is_empty() { lanes_h } else { 150.0 };
    let bottom = top + plot_h;
    let h = bottom + 26.0 + 14.0 * c.onsets.len().max(1) as f64;
    let end = c.end_t;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "<svg class=\"chart\" width=\"{W}\" height=\"{h}\" viewBox=\"0 0 {W} {h}\" role=\"img\"><title>{}</title>",
        esc(&c.title)
    );
    // axis and ticks
    let _ = writeln!(s, "<line x1=\"{LEFT}\" y1=\"{bottom}\" x2=\"{}\" y2=\"{bottom}\" stroke=\"#888\"/>", W - RIGHT);
    for k in &c.ticks {
        let x = x_of(k.t, end);
        let _ = writeln!(
            s,
            "<line x1=\"{x:.1}\" y1=\"{top}\" x2=\"{x:.1}\" y2=\"{}\" stroke=\"#e4e4e4\"/><text x=\"{x:.1}\" y=\"{}\" font-size=\"11\" text-anchor=\"middle\">{}</text>",
            bottom + 4.0,
            bottom + 17.0,
            esc(&k.label)
        );
    }
    for (i, m) in c.onsets.iter().enumerate() {
        let x = x_of(m.t, end);
        let _ = writeln!(
            s,
            "<line x1=\"{x:.1}\" y1=\"{top}\" x2=\"{x:.1}\" y2=\"{bottom}\" stroke=\"#d62728\" stroke-width=\"1.5\" stroke-dasharray=\"5 3\"/><text x=\"{:.1}\" y=\"{}\" font-size=\"11\" fill=\"#d62728\">{}</text>",
            x + 3.0,
            bottom + 31.0 + 14.0 * i as f64,
            esc(&m.label)
        );
    }
    // lanes
    for (i, l) in c.lanes.iter().enumerate() {
        let y = top + 15.0 + 30.0 * i as f64;
        let _ = writeln!(s, "<text x=\"4\" y=\"{}\" font-size=\"12\">{}</text>", y + 4.0, esc(&l.name));
        for d in &l.dots {
            let _ = writeln!(
                s,
                "<circle cx=\"{:.1}\" cy=\"{y}\" r=\"4\" fill=\"{}\" fill-opacity=\"0.7\"><title>{}</title></circle>",
                x_of(d.t, end),
                l.color,
                esc(&d.label)
            );
        }
    }
    if !c.levels.is_empty() {
        let base = bottom - 6.0;
        let unit = 11.0;
        let _ = writeln!(s, "<text x=\"4\" y=\"{}\" font-size=\"12\">IV–I</text>", base - 2.0 * unit);
        let mut pts = String::new();
        let mut prev = 0u8;
        for &(t, l) in &c.levels {
            let x = x_of(t, end);
            let _ = write!(pts, "{x:.1},{:.1} {x:.1},{:.1} ", base - prev as f64 * unit, base - l as f64 * unit);
            prev = l;
            if l > 0 {
                let roman = ["", "IV", "III", "II", "I"][l as usize];
                let _ = writeln!(
                    s,
                    "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"10\" fill=\"#9467bd\">{roman}</text>",
                    x + 2.0,
                    base - l as f64 * unit - 3.0
                );
            }
        }
        let _ = write!(pts, "{:.1},{:.1}", x_of(end, end), base - prev as f64 * unit);
        let _ = writeln!(s, "<polyline points=\"{pts}\" fill=\"none\" stroke=\"#9467bd\" stroke-width=\"2\"/>");
    }
    // lines
    if !c.series.is_empty() {
        let max = c
            .series
            .iter()
            .flat_map(|l| l.points.iter().map(|p| p.1))
            .chain(c.threshold.as_ref().map(|t| t.0 * 1.2))
            .fold(0.0_f64, f64::max);
        let max = if max > 0.0 { max } else { 1.0 };
        let y_of = |v: f64| bottom - (bottom - top - 6.0) * v / max;
        for (i, l) in c.series.iter().enumerate() {
            let mut pts = String::new();
            let mut prev: Option<f64> = None;
            for &(t, v) in &l.points {
                let x = x_of(t, end);
                if l.step {
                    let _ = write!(pts, "{x:.1},{:.1} ", y_of(prev.unwrap_or(0.0)));
                }
                let _ = write!(pts, "{x:.1},{:.1} ", y_of(v));
                prev = Some(v);
            }
            if l.step {
                let _ = write!(pts, "{:.1},{:.1}", x_of(end, end), y_of(prev.unwrap_or(0.0)));
            }
            let _ = writeln!(
                s,
                "<polyline points=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"2\"/>",
                pts.trim_end(),
                l.color
            );
            let _ = writeln!(
                s,
                "<text x=\"4\" y=\"{}\" font-size=\"12\" fill=\"{}\" data-stated=\"{}\">{} {}</text>",
                top + 16.0 + 18.0 * i as f64,
                l.color,
                l.stated,
                esc(&l.name),
                fmt_value(l.stated)
            );
        }
        if let Some((v, label)) = &c.threshold {
            let y = y_of(*v);
            let _ = writeln!(
                s,
                "<line x1=\"{LEFT}\" y1=\"{y:.1}\" x2=\"{}\" y2=\"{y:.1}\" stroke=\"#d62728\" stroke-dasharray=\"6 4\"/><text x=\"{}\" y=\"{:.1}\" font-size=\"10\" fill=\"#d62728\" text-anchor=\"end\">{}</text>",
                W - RIGHT,
                W - RIGHT,
                y - 3.0,
                esc(label)
            );
        }
        let _ = writeln!(
            s,
            "<text x=\"{}\" y=\"{}\" font-size=\"10\" fill=\"#666\">{} {}</text>",
            LEFT + 4.0,
            top + 10.0,
            fmt_value(max),
            esc(&c.unit)
        );
    }
    for m in &c.marks {
        let x = x_of(m.t, end);
        let _ = writeln!(
            s,
            "<line x1=\"{x:.1}\" y1=\"{top}\" x2=\"{x:.1}\" y2=\"{bottom}\" stroke=\"#2ca02c\" stroke-dasharray=\"2 3\"/><text x=\"{:.1}\" y=\"{}\" font-size=\"10\" fill=\"#2ca02c\">{}</text>",
            x + 2.0,
            top + 8.0,
            esc(&m.label)
        );
    }
    s.push_str("</svg>\n");
    s
}

// ---- sweeps (`sweep.html`): histograms and empirical CDFs of a column over the runs

const SW: f64 = 340.0;
const SH: f64 = 150.0;
const SL: f64 = 8.0;
const SB: f64 = 22.0;

/// A histogram of a sweep column's values over `[min, max]`; `label` writes a value.
pub fn histogram_svg(title: &str, xs: &[f64], min: f64, max: f64, label: impl Fn(f64) -> String) -> String {
    let bins = ((xs.len() as f64).sqrt().ceil() as usize).clamp(5, 30);
    let width = (max - min) / bins as f64;
    let mut counts = vec![0usize; bins];
    for &x in xs {
        let i = if width > 0.0 { (((x - min) / width) as usize).min(bins - 1) } else { 0 };
        counts[i] += 1;
    }
    let top = *counts.iter().max().unwrap_or(&1) as f64;
    let bw = (SW - 2.0 * SL) / bins as f64;
    let mut svg = format!(
        "<svg width=\"{SW}\" height=\"{SH}\" viewBox=\"0 0 {SW} {SH}\" role=\"img\"><title>{}</title>",
        esc(title)
    );
    for (i, c) in counts.iter().enumerate() {
        let h = (SH - SB - 14.0) * *c as f64 / top;
        let x = SL + i as f64 * bw;
        let lo = min + width * i as f64;
        let _ = write!(
            svg,
            "<rect x=\"{x:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{h:.1}\" fill=\"#4a7ab7\"><title>{} … {}: {c} runs</title></rect>",
            SH - SB - h,
            (bw - 1.0).max(0.5),
            esc(&label(lo)),
            esc(&label(lo + width)),
        );
    }
    let _ = write!(
        svg,
        "<line x1=\"{SL}\" y1=\"{y}\" x2=\"{x2}\" y2=\"{y}\" stroke=\"#888\"/><text x=\"{SL}\" y=\"{ty}\" font-size=\"11\">{}</text><text x=\"{x2}\" y=\"{ty}\" font-size=\"11\" text-anchor=\"end\">{}</text><text x=\"{SL}\" y=\"11\" font-size=\"10\" fill=\"#666\">most: {} runs a bin</text></svg>",
        esc(&label(min)),
        esc(&label(max)),
        top,
        y = SH - SB,
        x2 = SW - SL,
        ty = SH - 7.0,
    );
    svg
}

/// The empirical CDF of a sweep column's sorted values over `[min, max]`.
pub fn cdf_svg(title: &str, sorted: &[f64], min: f64, max: f64, label: impl Fn(f64) -> String) -> String {
    let span = if max > min { max - min } else { 1.0 };
    let px = |x: f64| SL + (SW - 2.0 * SL) * (x - min) / span;
    let py = |p: f64| (SH - SB) - (SH - SB - 14.0) * p;
    let n = sorted.len() as f64;
    let mut d = format!("M{:.1},{:.1}", px(min), py(0.0));
    for (i, &x) in sorted.iter().enumerate() {
        let _ = write!(d, " SL{:.1},{:.1} SL{:.1},{:.1}", px(x), py(i as f64 / n), px(x), py((i + 1) as f64 / n));
    }
    let mut svg = format!(
        "<svg width=\"{SW}\" height=\"{SH}\" viewBox=\"0 0 {SW} {SH}\" role=\"img\"><title>{}</title>",
        esc(title)
    );
    for (p, label) in [(0.05, "5%"), (0.5, "50%"), (0.95, "95%")] {
        let _ = write!(
            svg,
            "<line x1=\"{SL}\" y1=\"{y:.1}\" x2=\"{x2}\" y2=\"{y:.1}\" stroke=\"#ddd\"/><text x=\"{x2}\" y=\"{ty:.1}\" font-size=\"9\" fill=\"#999\" text-anchor=\"end\">{label}</text>",
            y = py(p),
            ty = py(p) - 2.0,
            x2 = SW - SL,
        );
    }
    let _ = write!(
        svg,
        "<path d=\"{d}\" fill=\"none\" stroke=\"#b7554a\" stroke-width=\"1.5\"/><line x1=\"{SL}\" y1=\"{y}\" x2=\"{x2}\" y2=\"{y}\" stroke=\"#888\"/><text x=\"{SL}\" y=\"{ty}\" font-size=\"11\">{}</text><text x=\"{x2}\" y=\"{ty}\" font-size=\"11\" text-anchor=\"end\">{}</text></svg>",
        esc(&label(min)),
        esc(&label(max)),
        y = SH - SB,
        x2 = SW - SL,
        ty = SH - 7.0,
    );
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M").unwrap()
    }

    #[test]
    fn ticks_fall_on_whole_calendar_hours_and_are_few() {
        // 78 h from 20 June 12:00: 12-hour ticks at 12:00 and midnight, not every 13 h.
        let k = ticks(at("2010-06-20T12:00"), 78 * 3600, |t| t.format("%d %H:%M").to_string());
        assert!(k.len() <= 9 && k.len() >= 5, "{k:?}");
        assert_eq!(k[0].label, "20 12:00");
        assert_eq!(k[1].label, "21 00:00");
        assert!(k.windows(2).all(|w| w[1].t - w[0].t == 12 * 3600));
        // A start at 02:25 over 10 h: ticks on whole even hours, the first at 04:00.
        let k = ticks(at("2010-05-23T02:25"), 10 * 3600, |t| t.format("%H:%M").to_string());
        assert_eq!(k[0].label, "04:00");
        assert_eq!(k[0].t, 95 * 60);
        assert!(k.iter().all(|m| m.label.ends_with(":00")));
    }

    #[test]
    fn a_series_states_its_last_value_and_the_svg_draws_it() {
        let s = series("x".into(), "#000000", true, vec![(0, 0.0), (10, 3.0), (20, 7.0)]);
        assert_eq!(s.stated, 7.0);
        let c = Chart {
            id: "t".into(),
            title: "t".into(),
            end_t: 30,
            ticks: vec![],
            onsets: vec![Mark { t: 5, label: "onset".into() }],
            marks: vec![],
            lanes: vec![],
            levels: vec![],
            series: vec![s],
            threshold: None,
            unit: String::new(),
        };
        let svg = svg(&c);
        assert!(svg.contains("data-stated=\"7\"") && svg.contains(">x 7</text>"), "{svg}");
        assert!(svg.contains("#d62728") && svg.contains(">onset</text>"), "the onset is marked");
        assert_eq!(fmt_value(0.25), "0.250");
        assert_eq!(fmt_value(12.0), "12");
        assert_eq!(fmt_value(127281.0), "127,281");
    }
}
