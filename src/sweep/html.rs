//! `sweep.html`: one self-contained page (inline CSS and SVG, no script) with a table of
//! percentiles and, for every column that varies, a histogram and an empirical CDF.

use std::fmt::Write;

use super::Row;
use super::stats::{ColumnStats, column_stats};
use super::table::Manifest;
use crate::scenario::time::human_secs;

use crate::report::{charts, esc};

/// How a column's values are shown: durations in seconds as "1h30m", others with few digits.
fn show(col: &str, v: f64) -> String {
    if col.ends_with("_s") || col.contains("_s.") {
        return human_secs(v.round() as i64);
    }
    if v == v.trunc() && v.abs() < 1e12 {
        return format!("{}", v as i64);
    }
    let a = v.abs();
    if a >= 100.0 {
        format!("{v:.0}")
    } else if a >= 1.0 {
        format!("{v:.2}")
    } else {
        format!("{v:.3}")
    }
}

/// What a column means, for people.
fn describe(col: &str) -> String {
    let (name, target) = match col.find('.').map(|i| &col[i + 1..]) {
        Some(rest) => match rest.split_once('.') {
            Some((n, t)) => (n, Some(t)),
            None => (rest, None),
        },
        None => (col, None),
    };
    let text = match name {
        "onset_shift_s" => "shift of the hazard's onset",
        "breach_width_m" => "initial breach width, m",
        "stage_shift_m" => "shift of the river stage, m",
        "flow_factor" => "factor on the river's discharge",
        "casualties" => "derailment casualties",
        "spill_mass_kg" => "spilled mass, kg",
        "compliance" => "evacuation compliance (share of households)",
        "mobilisation_mean_s" => "mean mobilisation delay",
        "auto_delay_s" => "plan-follower's delay after a trigger",
        "order_shift_s" => "shift of the agency's orders",
        "deaths" => "deaths (derailment dead + flood deaths)",
        "derailment_dead" => "derailment dead",
        "casualties_total" => "derailment casualties",
        "patients_admitted" => "patients admitted to hospital",
        "site_cleared_s" => "time from onset to site cleared",
        "flood_deaths" => "flood deaths",
        "flood_exposed_peak" => "people exposed to flood water (peak)",
        "flood_max_depth_m" => "deepest flood water, m",
        "breach_closed_s" => "time from onset to breach closed",
        "water_unsafe_people" => "people served unsafe water",
        "water_protected_people" => "people protected by a closed intake",
        "intake_peak_mg_l" => "peak concentration at an intake, mg/L",
        "plume_people_max" => "people in the plume's threat zone (most)",
        "evacuated" => "people who left home",
        "sheltered" => "people taken in by shelters",
        "injects_delivered" => "injects delivered",
        "orders_accepted" => "orders accepted",
        "orders_refused" => "orders refused",
        "reports_sent" => "reports sent",
        "final_level" => "response level at the end (0 none, 1 IV … 4 I)",
        "overall" => "overall score, 0–100",
        "plan" => "plan adherence score",
        "reporting" => "reporting score",
        "coordination" => "coordination score",
        "outcomes" => "outcomes score",
        _ => "",
    };
    match target {
        Some(t) => format!("{text} ({t})"),
        None => text.to_string(),
    }
}

fn histogram(col: &str, xs: &[f64], s: &ColumnStats) -> String {
    let (min, max) = (s.min.unwrap_or(0.0), s.max.unwrap_or(0.0));
    charts::histogram_svg(&format!("histogram of {col}"), xs, min, max, |v| show(col, v))
}

fn cdf(col: &str, sorted: &[f64], s: &ColumnStats) -> String {
    let (min, max) = (s.min.unwrap_or(0.0), s.max.unwrap_or(0.0));
    charts::cdf_svg(&format!("empirical CDF of {col}"), sorted, min, max, |v| show(col, v))
}

/// The page for a whole sweep.
pub fn page(m: &Manifest, rows: &[Row]) -> String {
    let mut h = String::new();
    let title = format!("Sweep of {} — {} runs", m.scenario_name, m.runs);
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>\nbody{{font-family:sans-serif;max-width:75em;margin:1em auto;padding:0 1em;color:#222}}\ntable{{border-collapse:collapse;margin:.5em 0}}td,th{{border:1px solid #bbb;padding:.2em .5em;font-size:88%;text-align:right}}td:first-child,th:first-child{{text-align:left}}\nth{{background:#eee}}svg{{background:#fafafa;border:1px solid #ddd;margin-right:.5em}}code{{font-size:85%}}.col{{margin:1.2em 0}}.muted{{color:#777}}\n</style>\n</head>\n<body>\n<h1>{}</h1>\n",
        esc(&title),
        esc(&title)
    );
    let drawn = if m.uncertain.iter().any(|u| u.starts_with("AutoPlanDelay")) { ", drawn for each run" } else { "" };
    let plan = match (&m.orders_path, &m.auto_plan) {
        (Some(o), Some(a)) => {
            format!(
                "orders <code>{}</code>, the plan-follower for the other seats ({} s delay{drawn})",
                esc(o),
                a.delay_s
            )
        }
        (Some(o), None) => format!("orders <code>{}</code>", esc(o)),
        (None, Some(a)) => {
            format!("the plan played automatically (<code>--auto-plan</code>, {} s delay{drawn})", a.delay_s)
        }
        (None, None) => "no orders (nobody acts)".into(),
    };
    let _ = writeln!(
        h,
        "<p>Scenario <code>{}</code> (SHA-256 <code>{}</code>), {}; run <i>r</i> has seed {} + <i>r</i>. drillsim {}.</p>",
        esc(&m.scenario_path),
        esc(&m.scenario_sha256[..m.scenario_sha256.len().min(12)]),
        plan,
        m.base_seed,
        esc(&m.drillsim_version)
    );
    if m.uncertain.is_empty() {
        h.push_str("<p>The scenario declares no uncertain parameters: runs differ by their seed only.</p>\n");
    } else {
        h.push_str("<p>Uncertain parameters, drawn afresh for each run:</p>\n<ul>\n");
        for u in &m.uncertain {
            let _ = writeln!(h, "<li><code>{}</code></li>", esc(u));
        }
        h.push_str("</ul>\n");
    }
    // the table
    h.push_str("<h2>Percentiles</h2>\n<table>\n<tr><th>column</th><th>runs</th><th>mean</th><th>sd</th><th>min</th><th>p5</th><th>p25</th><th>p50</th><th>p75</th><th>p95</th><th>max</th></tr>\n");
    let all: Vec<ColumnStats> =
        (0..m.columns.len()).map(|i| column_stats(&rows.iter().map(|r| r.cells[i]).collect::<Vec<_>>())).collect();
    for (col, s) in m.columns.iter().zip(&all) {
        let f = |v: Option<f64>| v.map_or("–".to_string(), |v| show(col, v));
        let sd = s.sd.map_or("–".to_string(), |v| {
            if col.ends_with("_s") || col.contains("_s.") { human_secs(v.round() as i64) } else { format!("{v:.3}") }
        });
        let _ = writeln!(
            h,
            "<tr><td><code>{}</code> <span class=\"muted\">{}</span></td><td>{}{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(col),
            esc(&describe(col)),
            s.n,
            if s.missing > 0 { format!(" ({} none)", s.missing) } else { String::new() },
            s.mean.map_or("–".to_string(), |v| if col.ends_with("_s") || col.contains("_s.") {
                human_secs(v.round() as i64)
            } else {
                format!("{v:.3}")
            }),
            sd,
            f(s.min),
            f(s.p5),
            f(s.p25),
            f(s.p50),
            f(s.p75),
            f(s.p95),
            f(s.max)
        );
    }
    h.push_str("</table>\n");
    // the charts
    for (group, prefix) in [("Sampled parameters", "param."), ("Outcomes", "out."), ("Scores", "score.")] {
        let cols: Vec<usize> = (0..m.columns.len()).filter(|&i| m.columns[i].starts_with(prefix)).collect();
        if cols.is_empty() {
            continue;
        }
        let _ = writeln!(h, "<h2>{group}</h2>");
        let mut constant = Vec::new();
        for i in cols {
            let col = &m.columns[i];
            let s = &all[i];
            let mut xs: Vec<f64> = rows.iter().filter_map(|r| r.cells[i]).collect();
            if xs.is_empty() || s.min == s.max {
                constant.push(format!(
                    "<code>{}</code> = {}",
                    esc(col),
                    s.min.map_or("none in every run".to_string(), |v| format!("{} in every run", show(col, v)))
                ));
                continue;
            }
            let hist = histogram(col, &xs, s);
            xs.sort_by(f64::total_cmp);
            let _ = writeln!(
                h,
                "<div class=\"col\"><h3><code>{}</code> <span class=\"muted\">{}</span></h3>\n<p>median {}, 90 % of runs between {} and {}{}</p>\n{}{}</div>",
                esc(col),
                esc(&describe(col)),
                esc(&show(col, s.p50.unwrap_or(0.0))),
                esc(&show(col, s.p5.unwrap_or(0.0))),
                esc(&show(col, s.p95.unwrap_or(0.0))),
                if s.missing > 0 { format!("; none in {} runs", s.missing) } else { String::new() },
                hist,
                cdf(col, &xs, s)
            );
        }
        if !constant.is_empty() {
            let _ = writeln!(h, "<p class=\"muted\">The same in every run: {}.</p>", constant.join("; "));
        }
    }
    h.push_str("</body>\n</html>\n");
    h
}
