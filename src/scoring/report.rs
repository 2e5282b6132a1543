//! The after-action report (`OUT/report.md`, `OUT/report.html`): a pure rendering of the score,
//! the scenario and the journal, in Chinese or English. The HTML is one self-contained file
//! (inline CSS and hand-written SVG charts, no external references).

use std::fmt::Write as _;

use super::{Score, Status, report_name};
use crate::journal::{Entry, Event};
use crate::scenario::ValidScenario;
use crate::scenario::time::human_secs;
use crate::scenario::types::{EvalArea, Level};

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

/// An AQ/T 9009 evaluation item's name.
fn area_text(lang: Lang, a: EvalArea) -> &'static str {
    match a {
        EvalArea::WarningAndReporting => tr(lang, "预警与信息报告", "Early warning and information reporting"),
        EvalArea::Mobilisation => tr(lang, "应急响应启动", "Emergency mobilisation"),
        EvalArea::Monitoring => tr(lang, "监测与研判", "Monitoring and assessment"),
        EvalArea::CommandAndCoordination => tr(lang, "指挥与协调", "Command and coordination"),
        EvalArea::Handling => tr(lang, "事故处置", "Incident handling"),
        EvalArea::Resources => tr(lang, "资源管理", "Resource management"),
        EvalArea::Communications => tr(lang, "通信", "Communications"),
        EvalArea::PublicInformation => tr(lang, "信息发布", "Public information"),
        EvalArea::ProtectionOfPeople => tr(lang, "人员保护", "Protection of people"),
        EvalArea::TrafficControl => tr(lang, "警戒与交通管制", "Cordon and traffic control"),
        EvalArea::MedicalRescue => tr(lang, "医疗救护", "Medical rescue"),
        EvalArea::SiteControl => tr(lang, "现场控制与恢复", "Site control and recovery"),
    }
}

/// The five aspects of a drill's findings.
const FINDINGS: [&str; 5] = ["plan", "organisation", "personnel", "mechanisms", "support"];

fn finding_text(lang: Lang, f: &str) -> &'static str {
    match f {
        "plan" => tr(lang, "预案", "Plan"),
        "organisation" => tr(lang, "组织", "Organisation"),
        "personnel" => tr(lang, "人员", "Personnel"),
        "mechanisms" => tr(lang, "机制", "Mechanisms"),
        _ => tr(lang, "保障", "Support"),
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
        "| {} | {} | {} | {} | {} | {} | {} | {} |\n|---|---|:-:|---:|---:|---:|---|---|",
        t("任务", "Task"),
        t("评估项目", "Evaluation item"),
        t("评定", "Rating"),
        t("按时", "On time"),
        t("迟", "Late"),
        t("未做", "Not done"),
        t("目标", "Targets"),
        t("依据", "Evidence")
    );
    for c in &score.critical_tasks {
        let ev: Vec<String> = c.evidence.iter().map(|s| format!("#{s}")).collect();
        let targets: Vec<String> = c
            .targets
            .iter()
            .map(|x| {
                let mark = match x.met {
                    Some(true) => "✔",
                    Some(false) => "✘",
                    None => "…",
                };
                format!("{mark} `{}`: {}", x.target, x.actual)
            })
            .collect();
        let task = match &c.id {
            Some(id) => format!("{id} {}", c.task),
            None => c.task.clone(),
        };
        let _ = writeln!(
            m,
            "| {} | {} | **{}** | {} | {} | {} | {} | {} |",
            md_cell(&task),
            c.area.map_or("", |a| area_text(lang, a)),
            c.rating,
            c.done_on_time,
            c.done_late,
            c.not_done,
            md_cell(&targets.join("; ")),
            ev.join(" ")
        );
    }
    m.push('\n');

    let _ = writeln!(m, "## {}\n", t("演练评估项目 (AQ/T 9009)", "Evaluation items (AQ/T 9009)"));
    let _ = writeln!(
        m,
        "| {} | {} | {} | {} | {} | {} | {} |\n|---|---:|---:|---:|---:|---:|---|",
        t("评估项目", "Item"),
        t("检查项", "Checks"),
        t("按时", "On time"),
        t("迟", "Late"),
        t("未做", "Not done"),
        t("得分", "Score"),
        t("改进项 (见改进计划)", "Improvements (see the plan)")
    );
    for a in &score.areas {
        let rows: Vec<String> = a.improvements.iter().map(|i| format!("{}", i + 1)).collect();
        let _ = writeln!(
            m,
            "| {} | {} | {} | {} | {} | {:.1} | {} |",
            area_text(lang, a.area),
            a.items,
            a.on_time,
            a.late,
            a.not_done,
            a.score,
            rows.join(", ")
        );
    }
    m.push('\n');

    let _ = writeln!(m, "## {}\n", t("发现的问题 (预案、组织、人员、机制、保障)", "Findings by aspect"));
    for f in FINDINGS {
        let rows: Vec<(usize, &super::Improvement)> =
            score.improvement_plan.iter().enumerate().filter(|(_, r)| r.finding == f).collect();
        if rows.is_empty() {
            let _ = writeln!(m, "- **{}**: {}", finding_text(lang, f), t("未发现问题", "no shortfall found"));
        } else {
            let refs: Vec<String> = rows.iter().map(|(i, _)| format!("{}", i + 1)).collect();
            let _ = writeln!(
                m,
                "- **{}**: {} {} ({})",
                finding_text(lang, f),
                rows.len(),
                t("项", "shortfall(s)"),
                refs.join(", ")
            );
        }
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
    for i in &c.idle_teams {
        let _ = writeln!(
            m,
            "- {} {} ({}): {}",
            t("闲置队伍", "Idle team"),
            i.team,
            agency_name(sc, lang, &i.agency),
            match i.dispatched_t {
                Some(d) => format!(
                    "{} {}",
                    t("需要后逾 1 小时才派出, 用时", "sent more than an hour after it was needed, after"),
                    human_secs((d - i.needed_from_t) as i64)
                ),
                None => t("需要时始终未派出", "never sent while its work was needed").to_string(),
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
    if o.casualties_total > 0 {
        let _ = writeln!(
            m,
            "- {}: {}",
            t("未及时救治而伤情加重 (黄→红、红→黑)", "Injured who worsened before care (yellow→red, red→black)"),
            o.worsened_before_care
        );
    }
    let _ = writeln!(m, "- {}: {}", t("饮用超标水人数", "People served unsafe water"), o.water_unsafe_people);
    if o.dead_at_onset > 0 {
        let _ = writeln!(m, "- {}: {}", t("事故发生时已死亡", "Dead at the moment of the crash"), o.dead_at_onset);
    }
    if o.flood_at_risk > 0 {
        let _ = writeln!(
            m,
            "- {}: {} / {}",
            t("洪水暴露人数峰值 / 受淹地居民", "Peak people in the water / residents of flooded places"),
            o.flood_exposed_peak,
            o.flood_at_risk
        );
    }
    if o.evacuation_ordered > 0 {
        let _ = writeln!(
            m,
            "- {}: {} / {} / {} / {}",
            t(
                "转移: 下令 / 已撤离 / 淹没前撤离 / 到达安置点",
                "Evacuation: ordered / left / left before the water / sheltered"
            ),
            o.evacuation_ordered,
            o.evacuation_left,
            o.left_before_flood,
            o.sheltered
        );
    }
    for (h, s) in &o.trapped_freed_after_s {
        let _ =
            writeln!(m, "- {} {h}: {}", t("被困人员全部救出用时", "All trapped freed after"), human_secs(*s as i64));
    }
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
            "| # | {} | {} | {} | {} | {} | {} | {} |\n|---:|---|---|---|---|---|---|---|",
            t("问题", "Issue"),
            t("改进措施", "Corrective action"),
            t("能力要素", "Capability element"),
            t("方面", "Aspect"),
            t("责任单位", "Responsible"),
            t("开始 / 完成 (演练后天数)", "Start / complete (days after)"),
            t("依据", "Evidence")
        );
        for (i, row) in score.improvement_plan.iter().enumerate() {
            let ev: Vec<String> = row.evidence.iter().map(|s| format!("#{s}")).collect();
            let _ = writeln!(
                m,
                "| {} | {} | {} | {} | {} | {} | {} / {} | {} |",
                i + 1,
                md_cell(if lang == Lang::Zh && !row.issue_zh.is_empty() { &row.issue_zh } else { &row.issue }),
                md_cell(if lang == Lang::Zh && !row.corrective_action_zh.is_empty() {
                    &row.corrective_action_zh
                } else {
                    &row.corrective_action
                }),
                element_text(lang, &row.element),
                finding_text(lang, &row.finding),
                agency_name(sc, lang, &row.agency),
                row.start_within_days,
                row.complete_within_days,
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
        "unchecked" => tr(lang, "未核对", "not checked"),
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

/// Escapes text for HTML (element content and attribute values).
pub(crate) fn esc(s: &str) -> String {
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
    if entries.iter().any(|e| matches!(e.event, Event::Casualties { .. } | Event::FloodDeaths { .. })) {
        let _ = writeln!(h, "<h2>{}</h2>", tr(lang, "伤亡随时间变化", "Casualties over time"));
        h.push_str(&casualties_svg(entries, lang));
    }
    if entries.iter().any(|e| matches!(e.event, Event::EvacuationOrdered { .. })) {
        let _ = writeln!(h, "<h2>{}</h2>", tr(lang, "人员转移曲线", "Evacuation curve"));
        h.push_str(&evacuation_svg(entries, lang));
    }
    for chart in intake_svgs(sc, entries, lang) {
        h.push_str(&chart);
    }
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

/// One line of a chart: name, colour, points (t, value) drawn as steps or straight segments.
struct Line {
    name: String,
    color: &'static str,
    points: Vec<(u64, f64)>,
    steps: bool,
}

/// Lines over the run's time axis, with an optional dashed horizontal line (a threshold) and
/// vertical markers (t, label).
fn lines_svg(lines: &[Line], end: u64, threshold: Option<(f64, String)>, marks: &[(u64, String)]) -> String {
    let h = 180.0;
    let max = lines
        .iter()
        .flat_map(|l| l.points.iter().map(|p| p.1))
        .chain(threshold.as_ref().map(|t| t.0 * 1.2))
        .fold(0.0_f64, f64::max);
    let max = if max > 0.0 { max } else { 1.0 };
    let top = 15.0;
    let bottom = 150.0;
    let y_of = |v: f64| bottom - (bottom - top) * v / max;
    let mut s = String::new();
    let _ = writeln!(s, "<svg width=\"{W}\" height=\"{h}\" viewBox=\"0 0 {W} {h}\">");
    for (idx, l) in lines.iter().enumerate() {
        let mut pts = String::new();
        let mut prev: Option<f64> = None;
        for &(t, v) in &l.points {
            let x = x_of(t, end);
            if l.steps {
                let _ = write!(pts, "{x:.1},{:.1} ", y_of(prev.unwrap_or(0.0)));
            }
            let _ = write!(pts, "{x:.1},{:.1} ", y_of(v));
            prev = Some(v);
        }
        let last = prev.unwrap_or(0.0);
        if l.steps {
            let _ = write!(pts, "{:.1},{:.1}", x_of(end, end), y_of(last));
        }
        let _ = writeln!(s, "<polyline points=\"{pts}\" fill=\"none\" stroke=\"{}\" stroke-width=\"2\"/>", l.color);
        let _ = writeln!(
            s,
            "<text x=\"5\" y=\"{}\" font-size=\"12\" fill=\"{}\">{} ({})</text>",
            30.0 + 18.0 * idx as f64,
            l.color,
            esc(&l.name),
            fmt_value(last)
        );
    }
    if let Some((v, label)) = threshold {
        let y = y_of(v);
        let _ = writeln!(
            s,
            "<line x1=\"{LEFT}\" y1=\"{y:.1}\" x2=\"{}\" y2=\"{y:.1}\" stroke=\"#d62728\" stroke-dasharray=\"6 4\"/><text x=\"{}\" y=\"{:.1}\" font-size=\"10\" fill=\"#d62728\" text-anchor=\"end\">{}</text>",
            W - RIGHT,
            W - RIGHT,
            y - 3.0,
            esc(&label)
        );
    }
    for (t, label) in marks {
        let x = x_of(*t, end);
        let _ = writeln!(
            s,
            "<line x1=\"{x:.1}\" y1=\"{top}\" x2=\"{x:.1}\" y2=\"{bottom}\" stroke=\"#2ca02c\" stroke-dasharray=\"2 3\"/><text x=\"{:.1}\" y=\"{}\" font-size=\"10\" fill=\"#2ca02c\">{}</text>",
            x + 2.0,
            top + 8.0,
            esc(label)
        );
    }
    let _ = writeln!(
        s,
        "<text x=\"{}\" y=\"{}\" font-size=\"10\" text-anchor=\"end\">{}</text>",
        LEFT - 4.0,
        top + 4.0,
        fmt_value(max)
    );
    axis(&mut s, end, bottom + 5.0);
    s.push_str("</svg>\n");
    s
}

/// Whole numbers without decimals, small ones with three.
fn fmt_value(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 { format!("{v:.0}") } else { format!("{v:.3}") }
}

/// Dead and injured (all living casualties) over time, as step lines.
fn casualties_svg(entries: &[Entry], lang: Lang) -> String {
    let mut truth = super::Truth::default();
    let mut dead = vec![(0, 0.0)];
    let mut injured = vec![(0, 0.0)];
    for e in entries {
        if matches!(e.event, Event::Casualties { .. } | Event::FloodDeaths { .. } | Event::FloodTotals { .. }) {
            truth.apply(&e.event);
            dead.push((e.t, truth.dead() as f64));
            injured.push((e.t, truth.injured() as f64));
        }
    }
    let lines = [
        Line { name: tr(lang, "死亡", "Dead").into(), color: "#000000", points: dead, steps: true },
        Line { name: tr(lang, "受伤", "Injured").into(), color: "#ff7f0e", points: injured, steps: true },
    ];
    lines_svg(&lines, end_t(entries), None, &[])
}

/// People who left home and people in shelters over time (sums of each origin's and each
/// shelter's latest journal figure).
fn evacuation_svg(entries: &[Entry], lang: Lang) -> String {
    let mut left_by: std::collections::BTreeMap<&str, u32> = Default::default();
    let mut in_shelter: std::collections::BTreeMap<&str, u32> = Default::default();
    let mut left = vec![(0, 0.0)];
    let mut sheltered = vec![(0, 0.0)];
    for e in entries {
        match &e.event {
            Event::EvacuationProgress { from, left: n, .. } => {
                left_by.insert(from, *n);
                left.push((e.t, left_by.values().sum::<u32>() as f64));
            }
            Event::ShelterArrivals { shelter, occupants, .. } => {
                in_shelter.insert(shelter, *occupants);
                sheltered.push((e.t, in_shelter.values().sum::<u32>() as f64));
            }
            _ => {}
        }
    }
    let marks: Vec<(u64, String)> = entries
        .iter()
        .filter_map(|e| match &e.event {
            Event::EvacuationOrdered { .. } => Some((e.t, tr(lang, "下令转移", "ordered").to_string())),
            _ => None,
        })
        .take(1)
        .collect();
    let lines = [
        Line { name: tr(lang, "已撤离", "Left home").into(), color: "#1f77b4", points: left, steps: true },
        Line {
            name: tr(lang, "到达安置点", "In shelters").into(), color: "#2ca02c", points: sheltered, steps: true
        },
    ];
    lines_svg(&lines, end_t(entries), None, &marks)
}

/// One chart per intake downstream of a spill: the river's concentration there (the spill model's
/// closed form, which orders do not change), the threshold, and when the intake was closed.
fn intake_svgs(sc: &ValidScenario, entries: &[Entry], lang: Lang) -> Vec<String> {
    let st = crate::hazards::spill::SpillState::build(sc);
    let end = end_t(entries);
    let mut out = Vec::new();
    for (src, trace) in &st.traces {
        let source = &st.sources[*src];
        let n = 240u64;
        let points: Vec<(u64, f64)> = (0..=n)
            .map(|i| {
                let t = end * i / n;
                (t, source.at(&trace.eq, t as f64).max(0.0))
            })
            .collect();
        let marks: Vec<(u64, String)> = entries
            .iter()
            .filter_map(|e| match &e.event {
                Event::IntakeClosed { intake, .. } if *intake == trace.intake => {
                    Some((e.t, tr(lang, "关闭取水口", "intake closed").to_string()))
                }
                _ => None,
            })
            .collect();
        let mut h = String::new();
        let _ = writeln!(
            h,
            "<h2>{} {} ({})</h2>",
            tr(lang, "取水口浓度", "Concentration at intake"),
            esc(&trace.intake),
            esc(&trace.hazard)
        );
        let line = Line { name: "mg/L".into(), color: "#8c564b", points, steps: false };
        let label = format!("{} {} mg/L", tr(lang, "限值", "threshold"), trace.threshold_mg_l);
        h.push_str(&lines_svg(&[line], end, Some((trace.threshold_mg_l, label)), &marks));
        out.push(h);
    }
    out
}
