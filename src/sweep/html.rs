//! `sweep.html`: one self-contained page (inline CSS and SVG, no script) with a table of
//! percentiles and, for every column that varies, a histogram and an empirical CDF; in Chinese and
//! English side by side (a sweep has no language option; its readers may be either).

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

/// What a column means, for people: (Chinese, English). The page speaks both languages, as a
/// sweep's readers may be either.
fn meaning(name: &str) -> (&'static str, &'static str) {
    match name {
        "onset_shift_s" => ("灾害发生时间偏移", "shift of the hazard's onset"),
        "breach_width_m" => ("初始溃口宽度（米）", "initial breach width, m"),
        "stage_shift_m" => ("河道水位偏移（米）", "shift of the river stage, m"),
        "flow_factor" => ("河道流量系数", "factor on the river's discharge"),
        "casualties" => ("脱轨伤亡人数", "derailment casualties"),
        "spill_mass_kg" => ("泄漏质量（千克）", "spilled mass, kg"),
        "compliance" => ("转移服从率（户）", "evacuation compliance (share of households)"),
        "mobilisation_mean_s" => ("平均动员时间", "mean mobilisation delay"),
        "auto_delay_s" => ("自动执行预案的延迟", "plan-follower's delay after a trigger"),
        "order_shift_s" => ("该部门指令时间偏移", "shift of the agency's orders"),
        "deaths" => ("死亡人数（脱轨与洪水）", "deaths (derailment dead + flood deaths)"),
        "derailment_dead" => ("脱轨死亡人数", "derailment dead"),
        "casualties_total" => ("脱轨伤亡人数", "derailment casualties"),
        "patients_admitted" => ("收治入院人数", "patients admitted to hospital"),
        "site_cleared_s" => ("发生至现场清理完毕", "time from onset to site cleared"),
        "flood_deaths" => ("洪水死亡人数", "flood deaths"),
        "flood_exposed_peak" => ("同时受淹人数（峰值）", "people exposed to flood water (peak)"),
        "flood_max_depth_m" => ("最大淹没水深（米）", "deepest flood water, m"),
        "breach_closed_s" => ("发生至溃口封堵", "time from onset to breach closed"),
        "water_unsafe_people" => ("饮用不安全水人数", "people served unsafe water"),
        "water_protected_people" => ("关闭取水口受保护人数", "people protected by a closed intake"),
        "intake_peak_mg_l" => ("取水口峰值浓度（毫克/升）", "peak concentration at an intake, mg/L"),
        "plume_people_max" => ("毒气威胁区内人数（最多）", "people in the plume's threat zone (most)"),
        "evacuated" => ("离家转移人数", "people who left home"),
        "sheltered" => ("进入安置点人数", "people taken in by shelters"),
        "injects_delivered" => ("已送达注入", "injects delivered"),
        "orders_accepted" => ("接受的指令", "orders accepted"),
        "orders_refused" => ("拒绝的指令", "orders refused"),
        "reports_sent" => ("报送的报告", "reports sent"),
        "final_level" => ("结束时响应级别（0无，1为IV…4为I）", "response level at the end (0 none, 1 IV … 4 I)"),
        "overall" => ("总分（0–100）", "overall score, 0–100"),
        "plan" => ("预案执行得分", "plan adherence score"),
        "reporting" => ("信息报告得分", "reporting score"),
        "coordination" => ("协调联动得分", "coordination score"),
        "outcomes" => ("处置效果得分", "outcomes score"),
        _ => ("", ""),
    }
}

/// What a column means, in both languages ("中文 · English"; the target in brackets).
fn describe(col: &str) -> String {
    let (name, target) = match col.find('.').map(|i| &col[i + 1..]) {
        Some(rest) => match rest.split_once('.') {
            Some((n, t)) => (n, Some(t)),
            None => (rest, None),
        },
        None => (col, None),
    };
    let (zh, en) = meaning(name);
    let text = if zh.is_empty() { String::new() } else { format!("{zh} · {en}") };
    match target {
        Some(t) => format!("{text} ({t})"),
        None => text,
    }
}

fn histogram(col: &str, xs: &[f64], s: &ColumnStats) -> String {
    let (min, max) = (s.min.unwrap_or(0.0), s.max.unwrap_or(0.0));
    charts::histogram_svg(&format!("直方图 histogram of {col}"), xs, min, max, |v| show(col, v))
}

fn cdf(col: &str, sorted: &[f64], s: &ColumnStats) -> String {
    let (min, max) = (s.min.unwrap_or(0.0), s.max.unwrap_or(0.0));
    charts::cdf_svg(&format!("经验分布 empirical CDF of {col}"), sorted, min, max, |v| show(col, v))
}

/// The page for a whole sweep.
pub fn page(m: &Manifest, rows: &[Row]) -> String {
    let mut h = String::new();
    let title = format!("{} 多次推演 Sweep — {} 次 runs", m.scenario_name, m.runs);
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"zh\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>\nbody{{font-family:sans-serif;max-width:75em;margin:1em auto;padding:0 1em;color:#222}}\ntable{{border-collapse:collapse;margin:.5em 0}}td,th{{border:1px solid #bbb;padding:.2em .5em;font-size:88%;text-align:right}}td:first-child,th:first-child{{text-align:left}}\nth{{background:#eee}}svg{{background:#fafafa;border:1px solid #ddd;margin-right:.5em}}code{{font-size:85%}}.col{{margin:1.2em 0}}.muted{{color:#777}}\n</style>\n</head>\n<body>\n<h1>{}</h1>\n",
        esc(&title),
        esc(&title)
    );
    let drawn = if m.uncertain.iter().any(|u| u.starts_with("AutoPlanDelay")) { ", drawn for each run" } else { "" };
    let plan = match (&m.orders_path, &m.auto_plan) {
        (Some(o), Some(a)) => {
            format!(
                "指令 orders <code>{}</code>；其余席位自动执行预案 the plan-follower for the other seats ({} s delay{drawn})",
                esc(o),
                a.delay_s
            )
        }
        (Some(o), None) => format!("指令 orders <code>{}</code>", esc(o)),
        (None, Some(a)) => {
            format!(
                "自动执行预案 the plan played automatically (<code>--auto-plan</code>, {} s delay{drawn})",
                a.delay_s
            )
        }
        (None, None) => "无指令 no orders (nobody acts)".into(),
    };
    let _ = writeln!(
        h,
        "<p>情景 Scenario <code>{}</code> (SHA-256 <code>{}</code>), {}; 第 <i>r</i> 次的随机种子 run <i>r</i> has seed {} + <i>r</i>. drillsim {}.</p>",
        esc(&m.scenario_path),
        esc(&m.scenario_sha256[..m.scenario_sha256.len().min(12)]),
        plan,
        m.base_seed,
        esc(&m.drillsim_version)
    );
    if m.uncertain.is_empty() {
        h.push_str("<p>情景未声明不确定参数，各次仅随机种子不同。The scenario declares no uncertain parameters: runs differ by their seed only.</p>\n");
    } else {
        h.push_str("<p>不确定参数（每次重新抽取）Uncertain parameters, drawn afresh for each run:</p>\n<ul>\n");
        for u in &m.uncertain {
            let _ = writeln!(h, "<li><code>{}</code></li>", esc(u));
        }
        h.push_str("</ul>\n");
    }
    // the table
    h.push_str("<h2>百分位数 Percentiles</h2>\n<table>\n<tr><th>指标 column</th><th>次数 runs</th><th>均值 mean</th><th>标准差 sd</th><th>最小 min</th><th>p5</th><th>p25</th><th>p50</th><th>p75</th><th>p95</th><th>最大 max</th></tr>\n");
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
            if s.missing > 0 { format!(" ({} 无 none)", s.missing) } else { String::new() },
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
    for (group, prefix) in
        [("抽样参数 Sampled parameters", "param."), ("处置结果 Outcomes", "out."), ("得分 Scores", "score.")]
    {
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
                    s.min.map_or("各次均无 none in every run".to_string(), |v| format!(
                        "{} 各次相同 in every run",
                        show(col, v)
                    ))
                ));
                continue;
            }
            let hist = histogram(col, &xs, s);
            xs.sort_by(f64::total_cmp);
            let _ = writeln!(
                h,
                "<div class=\"col\"><h3><code>{}</code> <span class=\"muted\">{}</span></h3>\n<p>中位数 median {}；90% 的推演介于 90 % of runs between {} – {}{}</p>\n{}{}</div>",
                esc(col),
                esc(&describe(col)),
                esc(&show(col, s.p50.unwrap_or(0.0))),
                esc(&show(col, s.p5.unwrap_or(0.0))),
                esc(&show(col, s.p95.unwrap_or(0.0))),
                if s.missing > 0 {
                    format!("; {} 次无 none in {} runs", s.missing, s.missing)
                } else {
                    String::new()
                },
                hist,
                cdf(col, &xs, s)
            );
        }
        if !constant.is_empty() {
            let _ = writeln!(h, "<p class=\"muted\">各次相同 The same in every run: {}.</p>", constant.join("; "));
        }
    }
    h.push_str("</body>\n</html>\n");
    h
}
