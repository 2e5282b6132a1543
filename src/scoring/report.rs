//! The after-action report (`OUT/report.md`, `OUT/report.html`): a pure rendering of the score,
//! the scenario and the journal, in Chinese or English. The HTML is one self-contained file
//! (inline CSS and hand-written SVG charts, no external references).

use std::fmt::Write as _;

use super::{Score, Status, report_name};
use crate::journal::{Entry, Event};
use crate::scenario::ValidScenario;
use crate::scenario::time::human_secs;
use crate::scenario::types::Level;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Zh,
    En,
}

impl Lang {
    pub fn parse(s: &str) -> Option<Lang> {
        match s {
            "zh" => Some(Lang::Zh),
            "en" => Some(Lang::En),
            _ => None,
        }
    }
}

fn tr(lang: Lang, zh: &'static str, en: &'static str) -> &'static str {
    match lang {
        Lang::Zh => zh,
        Lang::En => en,
    }
}

fn status_text(lang: Lang, s: Status) -> &'static str {
    match s {
        Status::OnTime => tr(lang, "按时", "on time"),
        Status::Late => tr(lang, "迟", "late"),
        Status::Missed => tr(lang, "未做/漏报", "missed"),
        Status::WrongAgency => tr(lang, "非责任单位完成", "wrong agency"),
        Status::Pending => tr(lang, "未到时限", "not yet due"),
    }
}

fn element_text(lang: Lang, e: &str) -> String {
    let zh = match e {
        "planning" => "预案",
        "organisation" => "组织",
        "equipment" => "装备",
        "training" => "培训",
        "exercise" => "演练",
        _ => e,
    };
    match lang {
        Lang::Zh => zh.to_string(),
        Lang::En => e.to_string(),
    }
}

fn agency_name(sc: &ValidScenario, lang: Lang, id: &str) -> String {
    match sc.agency(id) {
        Some(a) => match lang {
            Lang::Zh => format!("{} ({id})", a.name_zh),
            Lang::En => format!("{} ({id})", a.name_en),
        },
        None => id.to_string(),
    }
}

/// The report as Markdown.
pub fn markdown(sc: &ValidScenario, score: &Score, entries: &[Entry], lang: Lang) -> String {
    let mut m = String::new();
    let t = |zh, en| tr(lang, zh, en);
    let _ = writeln!(m, "# {}: {}\n", t("演练评估报告", "After-action report"), score.scenario);
    let _ = writeln!(
        m,
        "{}: `{}` · {}: {} · {}: {}\n",
        t("想定 SHA-256", "Scenario SHA-256"),
        score.scenario_sha256,
        t("随机种子", "Seed"),
        score.seed,
        t("日志条目", "Journal entries"),
        entries.len()
    );
    let _ = writeln!(m, "## {}\n", t("总体评分", "Overall score"));
    let _ =
        writeln!(m, "| {} | {} | {} |\n|---|---:|---:|", t("部分", "Part"), t("得分", "Score"), t("权重", "Weight"));
    let p = &score.parts;
    let w = &score.weights;
    for (name, s, wt) in [
        (t("预案执行", "Plan adherence"), p.plan, w.plan),
        (t("信息报告", "Reporting"), p.reporting, w.reporting),
        (t("协调联动", "Coordination"), p.coordination, w.coordination),
        (t("处置结果", "Outcomes"), p.outcomes, w.outcomes),
    ] {
        let _ = writeln!(m, "| {name} | {s:.1} | {wt:.2} |");
    }
    let _ = writeln!(m, "| **{}** | **{:.1}** | |\n", t("总分", "Overall"), score.overall);

    let _ = writeln!(m, "## {}\n", t("各单位得分", "Scores by agency"));
    let _ = writeln!(m, "| {} | {} |\n|---|---:|", t("单位", "Agency"), t("得分", "Score"));
    for (a, s) in &score.agencies {
        let _ = writeln!(m, "| {} | {s:.1} |", agency_name(sc, lang, a));
    }
    m.push('\n');

    let _ = writeln!(m, "## {}\n", t("关键任务评定 (P/S/M/U)", "Critical tasks (P/S/M/U)"));
    let _ = writeln!(
        m,
        "{}\n",
        t(
            "P 顺利完成;S 完成但有一些问题;M 完成但问题严重;U 未能完成。依据为日志序号。",
            "P performed without challenges; S with some challenges; M with major challenges; U unable to be performed. Evidence: journal seq numbers."
        )
    );
    let _ = writeln!(
        m,
        "| {} | {} | {} | {} | {} | {} |\n|---|:-:|---:|---:|---:|---|",
        t("任务", "Task"),
        t("评定", "Rating"),
        t("按时", "On time"),
        t("迟", "Late"),
        t("未做", "Not done"),
        t("依据", "Evidence")
    );
    for c in &score.critical_tasks {
        let ev: Vec<String> = c.evidence.iter().map(|s| format!("#{s}")).collect();
        let _ = writeln!(
            m,
            "| {} | **{}** | {} | {} | {} | {} |",
            c.task,
            c.rating,
            c.done_on_time,
            c.done_late,
            c.not_done,
            ev.join(" ")
        );
    }
    m.push('\n');

    let _ = writeln!(m, "## {}\n", t("预案行动", "Plan actions"));
    let _ = writeln!(
        m,
        "| {} | {} | {} | {} | {} |\n|---|---|---|---|---:|",
        t("行动", "Action"),
        t("级别", "Level"),
        t("责任单位", "Owner"),
        t("结果", "Result"),
        t("超时", "Late by")
    );
    for a in &score.plan.actions {
        let late = match (a.status, a.late_s) {
            (Status::Late, Some(l)) => human_secs(l),
            _ => String::new(),
        };
        let _ = writeln!(
            m,
            "| {} | {} | {} | {} | {late} |",
            a.action,
            a.level.roman(),
            agency_name(sc, lang, &a.owner),
            status_text(lang, a.status)
        );
    }
    if !score.plan.expected.is_empty() {
        let _ = writeln!(m, "\n### {}\n", t("注入事件的预期行动", "Expected actions of injects"));
        let _ = writeln!(
            m,
            "| {} | {} | {} | {} | {} |\n|---|---|---|---|---:|",
            t("注入", "Inject"),
            t("单位", "Agency"),
            t("行动", "Action"),
            t("结果", "Result"),
            t("用时", "After")
        );
        for x in &score.plan.expected {
            let after = x.after_s.map(|s| human_secs(s as i64)).unwrap_or_default();
            let _ = writeln!(
                m,
                "| {} | {} | {} | {} | {after} |",
                x.inject,
                agency_name(sc, lang, &x.agency),
                x.kind.name(),
                status_text(lang, x.status)
            );
        }
    }
    m.push('\n');

    let r = &score.reporting;
    let _ = writeln!(m, "## {}\n", t("信息报告", "Reporting"));
    let grade = match r.grade {
        None => t("无事件", "no incident").to_string(),
        Some(g) => grade_text(lang, g).to_string(),
    };
    let _ = writeln!(
        m,
        "{}: {grade} ({}: {}, {}: {})\n",
        t("事件等级", "Incident grade"),
        t("死亡", "dead"),
        r.deaths,
        t("重伤", "seriously injured"),
        r.seriously_injured
    );
    let _ = writeln!(
        m,
        "| {} | {} | {} | {} | {} | {} |\n|---|---|---|---|---|---:|",
        t("规则", "Rule"),
        t("类型", "Kind"),
        t("报告单位", "By"),
        t("报送对象", "To"),
        t("结果", "Result"),
        t("超时", "Late by")
    );
    for q in &r.required {
        let late = match (q.status, q.late_s) {
            (Status::Late, Some(l)) => human_secs(l),
            _ => String::new(),
        };
        let _ = writeln!(
            m,
            "| {} | {} | {} | {} | {} | {late} |",
            q.rule,
            report_name(q.kind),
            q.by,
            q.to,
            status_text(lang, q.status)
        );
    }
    if !r.sent.is_empty() {
        let _ = writeln!(m, "\n### {}\n", t("已发送的报告", "Reports sent"));
        let _ = writeln!(
            m,
            "| # | {} | {} | {} | {} | {} |\n|---:|---|---|---|---|---|",
            t("时间", "Time"),
            t("报告单位", "By"),
            t("报送对象", "To"),
            t("数字核对", "Figures"),
            t("越级", "Bypass")
        );
        for s in &r.sent {
            let figs: Vec<String> = s
                .figures
                .iter()
                .map(|(k, c)| format!("{k} {}/{} {}", c.reported, c.truth, verdict_text(lang, &c.verdict)))
                .collect();
            let _ = writeln!(
                m,
                "| {} | {} | {} | {} | {} | {} |",
                s.seq,
                human_secs(s.t as i64),
                s.by,
                s.to,
                figs.join("; "),
                if s.bypasses_outlet { t("是", "yes") } else { "" }
            );
        }
    }
    m.push('\n');

    let c = &score.coordination;
    let _ = writeln!(m, "## {}\n", t("协调联动", "Coordination"));
    let _ = writeln!(
        m,
        "- {}: {}\n- {}: {}",
        t("重复派遣", "Duplicate dispatches"),
        c.duplicate_dispatches.len(),
        t("相互冲突的指令", "Conflicting orders"),
        c.conflicts.len()
    );
    for i in &c.intakes {
        let _ = writeln!(
            m,
            "- {} {} ({}): {}",
            t("取水口", "Intake"),
            i.intake,
            i.operator,
            if i.informed {
                t("超标前已通知运营单位", "operator informed before the threshold")
            } else {
                t("超标前未通知运营单位", "operator NOT informed before the threshold")
            }
        );
    }
    if !c.responses.is_empty() {
        let _ = writeln!(
            m,
            "\n| {} | {} | {} |\n|---|---|---:|",
            t("注入", "Inject"),
            t("单位", "Agency"),
            t("首个指令用时", "First order after")
        );
        for x in &c.responses {
            let after = x.first_order_after_s.map(|s| human_secs(s as i64)).unwrap_or_else(|| "—".into());
            let _ = writeln!(m, "| {} | {} | {after} |", x.inject, x.agency);
        }
    }
    m.push('\n');

    let o = &score.outcomes;
    let _ = writeln!(m, "## {}\n", t("处置结果", "Outcomes"));
    let _ = writeln!(
        m,
        "- {}: {} ({}: {}, {}: {})",
        t("死亡", "Deaths"),
        o.deaths,
        t("洪水", "flood"),
        o.flood_deaths,
        t("事故现场", "at the site"),
        o.derailment_dead
    );
    let _ = writeln!(m, "- {}: {}", t("入院救治伤员", "Injured admitted to hospital"), o.patients_admitted);
    let _ = writeln!(m, "- {}: {}", t("饮用超标水人数", "People served unsafe water"), o.water_unsafe_people);
    let _ = writeln!(m, "- {}: {}", t("洪水暴露人数峰值", "Peak people exposed to flooding"), o.flood_exposed_peak);
    for (h, s) in &o.breach_closed_after_s {
        let _ = writeln!(m, "- {} {h}: {}", t("堵口用时", "Breach closed after"), human_secs(*s as i64));
    }
    m.push('\n');

    let _ = writeln!(m, "## {}\n", t("改进计划", "Improvement plan"));
    if score.improvement_plan.is_empty() {
        let _ = writeln!(m, "{}\n", t("未发现问题。", "No shortfalls found."));
    } else {
        let _ = writeln!(
            m,
            "| # | {} | {} | {} | {} | {} |\n|---:|---|---|---|---|---|",
            t("问题", "Issue"),
            t("改进措施", "Corrective action"),
            t("能力要素", "Capability element"),
            t("责任单位", "Responsible"),
            t("依据", "Evidence")
        );
        for (i, row) in score.improvement_plan.iter().enumerate() {
            let ev: Vec<String> = row.evidence.iter().map(|s| format!("#{s}")).collect();
            let _ = writeln!(
                m,
                "| {} | {} | {} | {} | {} | {} |",
                i + 1,
                md_cell(&row.issue),
                md_cell(&row.corrective_action),
                element_text(lang, &row.element),
                agency_name(sc, lang, &row.agency),
                ev.join(" ")
            );
        }
        m.push('\n');
    }
    m
}

fn md_cell(s: &str) -> String {
    s.replace('|', "\\|")
}

fn verdict_text(lang: Lang, v: &str) -> &'static str {
    match v {
        "false" => tr(lang, "谎报", "false"),
        "concealed" => tr(lang, "瞒报", "concealed"),
        _ => tr(lang, "准确", "accurate"),
    }
}

fn grade_text(lang: Lang, g: crate::scenario::types::Grade) -> &'static str {
    use crate::scenario::types::Grade::*;
    match g {
        Ordinary => tr(lang, "一般", "ordinary"),
        Larger => tr(lang, "较大", "larger"),
        Serious => tr(lang, "重大", "serious"),
        ExtremelySerious => tr(lang, "特别重大", "extremely serious"),
    }
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// The report as one self-contained HTML page: the Markdown's content plus SVG charts.
pub fn html(sc: &ValidScenario, score: &Score, entries: &[Entry], lang: Lang) -> String {
    let md = markdown(sc, score, entries, lang);
    let mut h = String::new();
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>\nbody{{font-family:sans-serif;max-width:70em;margin:1em auto;padding:0 1em;color:#222}}\ntable{{border-collapse:collapse;margin:.5em 0}}td,th{{border:1px solid #bbb;padding:.2em .5em;font-size:90%}}\nth{{background:#eee}}svg{{background:#fafafa;border:1px solid #ddd}}code{{font-size:85%}}\n</style>\n</head>\n<body>\n",
        match lang {
            Lang::Zh => "zh",
            Lang::En => "en",
        },
        esc(&score.scenario)
    );
    // The title and the overview first, then the charts, then the rest.
    let (head, rest) = match md.find("\n## ") {
        Some(i) => match md[i + 4..].find("\n## ") {
            Some(j) => md.split_at(i + 4 + j + 1),
            None => md.split_at(i + 1),
        },
        None => (md.as_str(), ""),
    };
    h.push_str(&md_to_html(head));
    let _ = writeln!(h, "<h2>{}</h2>", tr(lang, "时间线", "Timeline"));
    h.push_str(&timeline_svg(sc, entries, lang));
    let _ = writeln!(h, "<h2>{}</h2>", tr(lang, "伤亡随时间变化", "Casualties over time"));
    h.push_str(&casualties_svg(entries, lang));
    h.push_str(&md_to_html(rest));
    h.push_str("</body>\n</html>\n");
    h
}

/// A small Markdown subset (headings, tables, lists, paragraphs; **bold** and `code`) to HTML.
pub(crate) fn md_to_html(md: &str) -> String {
    let mut out = String::new();
    let mut in_table = false;
    let mut in_list = false;
    for line in md.lines() {
        let l = line.trim_end();
        if l.starts_with('|') {
            let cells: Vec<&str> = split_cells(l);
            if cells.iter().all(|c| c.chars().all(|ch| matches!(ch, '-' | ':' | ' ')) && !c.is_empty()) {
                continue;
            }
            if !in_table {
                out.push_str("<table>\n");
                in_table = true;
                out.push_str("<tr>");
                for c in &cells {
                    let _ = write!(out, "<th>{}</th>", inline(c));
                }
                out.push_str("</tr>\n");
                continue;
            }
            out.push_str("<tr>");
            for c in &cells {
                let _ = write!(out, "<td>{}</td>", inline(c));
            }
            out.push_str("</tr>\n");
            continue;
        } else if in_table {
            out.push_str("</table>\n");
            in_table = false;
        }
        if let Some(item) = l.strip_prefix("- ") {
            if !in_list {
                out.push_str("<ul>\n");
                in_list = true;
            }
            let _ = writeln!(out, "<li>{}</li>", inline(item));
            continue;
        } else if in_list {
            out.push_str("</ul>\n");
            in_list = false;
        }
        if let Some(x) = l.strip_prefix("### ") {
            let _ = writeln!(out, "<h3>{}</h3>", inline(x));
        } else if let Some(x) = l.strip_prefix("## ") {
            let _ = writeln!(out, "<h2>{}</h2>", inline(x));
        } else if let Some(x) = l.strip_prefix("# ") {
            let _ = writeln!(out, "<h1>{}</h1>", inline(x));
        } else if !l.is_empty() {
            let _ = writeln!(out, "<p>{}</p>", inline(l));
        }
    }
    if in_table {
        out.push_str("</table>\n");
    }
    if in_list {
        out.push_str("</ul>\n");
    }
    out
}

fn split_cells(l: &str) -> Vec<&str> {
    // Cells split on unescaped '|'.
    let inner = l.trim().trim_start_matches('|');
    let inner = inner.strip_suffix('|').unwrap_or(inner);
    let mut cells = Vec::new();
    let mut start = 0;
    let bytes = inner.as_bytes();
    for i in 0..bytes.len() {
        if bytes[i] == b'|' && (i == 0 || bytes[i - 1] != b'\\') {
            cells.push(inner[start..i].trim());
            start = i + 1;
        }
    }
    cells.push(inner[start..].trim());
    cells
}

fn inline(s: &str) -> String {
    let s = esc(&s.replace("\\|", "|"));
    let mut out = String::new();
    let mut bold = false;
    let mut code = false;
    let mut rest = s.as_str();
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix("**") {
            out.push_str(if bold { "</b>" } else { "<b>" });
            bold = !bold;
            rest = r;
        } else if let Some(r) = rest.strip_prefix('`') {
            out.push_str(if code { "</code>" } else { "<code>" });
            code = !code;
            rest = r;
        } else {
            let ch = rest.chars().next().unwrap_or(' ');
            out.push(ch);
            rest = &rest[ch.len_utf8()..];
        }
    }
    if bold {
        out.push_str("</b>");
    }
    if code {
        out.push_str("</code>");
    }
    out
}

const W: f64 = 900.0;
const LEFT: f64 = 110.0;
const RIGHT: f64 = 20.0;

fn end_t(entries: &[Entry]) -> u64 {
    entries.iter().map(|e| e.t).max().unwrap_or(0).max(1)
}

fn x_of(t: u64, end: u64) -> f64 {
    LEFT + (W - LEFT - RIGHT) * t as f64 / end as f64
}

fn axis(s: &mut String, end: u64, y: f64) {
    let _ = writeln!(s, "<line x1=\"{LEFT}\" y1=\"{y}\" x2=\"{}\" y2=\"{y}\" stroke=\"#888\"/>", W - RIGHT);
    let ticks = 6u64;
    for i in 0..=ticks {
        let t = end * i / ticks;
        let x = x_of(t, end);
        let _ = writeln!(
            s,
            "<line x1=\"{x:.1}\" y1=\"{y}\" x2=\"{x:.1}\" y2=\"{}\" stroke=\"#888\"/><text x=\"{x:.1}\" y=\"{}\" font-size=\"10\" text-anchor=\"middle\">{}</text>",
            y + 4.0,
            y + 16.0,
            esc(&human_secs(t as i64))
        );
    }
}

/// Lanes: injects, orders, reports, response level (a step line).
fn timeline_svg(_sc: &ValidScenario, entries: &[Entry], lang: Lang) -> String {
    let end = end_t(entries);
    let h = 200.0;
    let mut s = String::new();
    let _ = writeln!(s, "<svg width=\"{W}\" height=\"{h}\" viewBox=\"0 0 {W} {h}\">");
    let lanes = [
        (tr(lang, "注入", "Injects"), 25.0, "#d62728"),
        (tr(lang, "指令", "Orders"), 55.0, "#1f77b4"),
        (tr(lang, "报告", "Reports"), 85.0, "#2ca02c"),
        (tr(lang, "响应级别", "Level"), 140.0, "#9467bd"),
    ];
    for (name, y, _) in &lanes {
        let _ = writeln!(s, "<text x=\"5\" y=\"{}\" font-size=\"12\">{}</text>", y + 4.0, esc(name));
    }
    let mut steps: Vec<(u64, Option<Level>)> = vec![(0, None)];
    for e in entries {
        let (lane, title) = match &e.event {
            Event::InjectDelivered { inject, .. } => (0, format!("#{} {} {inject}", e.seq, e.time)),
            Event::OrderAccepted { by, order } => {
                (1, format!("#{} {} {by}: {}", e.seq, e.time, ron::to_string(order).unwrap_or_default()))
            }
            Event::ReportSent { by, to, report, .. } => {
                (2, format!("#{} {} {by} → {to}: {}", e.seq, e.time, report_name(*report)))
            }
            Event::LevelChanged { to, .. } => {
                steps.push((e.t, Some(*to)));
                continue;
            }
            _ => continue,
        };
        let (_, y, color) = lanes[lane];
        let x = x_of(e.t, end);
        let _ = writeln!(
            s,
            "<circle cx=\"{x:.1}\" cy=\"{y}\" r=\"4\" fill=\"{color}\" fill-opacity=\"0.7\"><title>{}</title></circle>",
            esc(&title)
        );
    }
    // Level step line: IV=1 … I=4 from the lane's baseline upwards.
    let base = 160.0;
    let unit = 9.0;
    let lv = |l: Option<Level>| match l {
        None => 0.0,
        Some(Level::IV) => 1.0,
        Some(Level::III) => 2.0,
        Some(Level::II) => 3.0,
        Some(Level::I) => 4.0,
    };
    let mut pts = String::new();
    let mut prev = 0.0;
    for (t, l) in &steps {
        let x = x_of(*t, end);
        let _ = write!(pts, "{x:.1},{:.1} ", base - prev * unit);
        prev = lv(*l);
        let _ = write!(pts, "{x:.1},{:.1} ", base - prev * unit);
        if let Some(l) = l {
            let _ = writeln!(
                s,
                "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"10\">{}</text>",
                x + 2.0,
                base - prev * unit - 2.0,
                l.roman()
            );
        }
    }
    let _ = write!(pts, "{:.1},{:.1}", x_of(end, end), base - prev * unit);
    let _ = writeln!(s, "<polyline points=\"{pts}\" fill=\"none\" stroke=\"#9467bd\" stroke-width=\"2\"/>");
    axis(&mut s, end, 175.0);
    s.push_str("</svg>\n");
    s
}

/// Dead and injured (yellow + red) over time, as step lines.
fn casualties_svg(entries: &[Entry], lang: Lang) -> String {
    let end = end_t(entries);
    let h = 180.0;
    let mut truth = super::Truth::default();
    let mut series: Vec<(u64, u32, u32)> = vec![(0, 0, 0)];
    for e in entries {
        if matches!(e.event, Event::Casualties { .. } | Event::FloodDeaths { .. }) {
            truth.apply(&e.event);
            series.push((e.t, truth.dead(), truth.injured()));
        }
    }
    let max = series.iter().map(|(_, d, i)| (*d).max(*i)).max().unwrap_or(0).max(1);
    let top = 15.0;
    let bottom = 150.0;
    let y_of = |v: u32| bottom - (bottom - top) * v as f64 / max as f64;
    let mut s = String::new();
    let _ = writeln!(s, "<svg width=\"{W}\" height=\"{h}\" viewBox=\"0 0 {W} {h}\">");
    for (idx, (name, color)) in
        [(tr(lang, "死亡", "Dead"), "#000000"), (tr(lang, "受伤", "Injured"), "#ff7f0e")].iter().enumerate()
    {
        let mut pts = String::new();
        let mut prev = 0u32;
        for (t, d, i) in &series {
            let v = if idx == 0 { *d } else { *i };
            let x = x_of(*t, end);
            let _ = write!(pts, "{x:.1},{:.1} {x:.1},{:.1} ", y_of(prev), y_of(v));
            prev = v;
        }
        let _ = write!(pts, "{:.1},{:.1}", x_of(end, end), y_of(prev));
        let _ = writeln!(s, "<polyline points=\"{pts}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"2\"/>");
        let _ = writeln!(
            s,
            "<text x=\"5\" y=\"{}\" font-size=\"12\" fill=\"{color}\">{} ({prev})</text>",
            30.0 + 18.0 * idx as f64,
            esc(name)
        );
    }
    let _ =
        writeln!(s, "<text x=\"{}\" y=\"{}\" font-size=\"10\" text-anchor=\"end\">{max}</text>", LEFT - 4.0, top + 4.0);
    axis(&mut s, end, bottom + 5.0);
    s.push_str("</svg>\n");
    s
}
