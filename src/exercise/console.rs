//! The console seat of `drillsim live`: what happens as it happens (injects delivered, plan
//! triggers, hazard milestones, reports, the control cell's pauses), `help` with the order forms
//! and the scenario's ids beside their names, and lines typed with a Chinese input method's
//! full-width punctuation accepted. Messages in zh or en.
//!
//! It lives beside `live` (not in `cli`) because `drillsim serve` tells its seats what happens in
//! the same words.

use crate::journal::{Entry, Event};
use crate::scenario::ValidScenario;
use crate::scenario::time::human_secs;

/// The console's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Lang {
    Zh,
    En,
}

/// Rewrites full-width punctuation outside quoted text to ASCII: `（by：“ofc”，order：Log（“今天，雨”））`
/// reads as `(by:"ofc",order:Log("今天，雨"))`; text inside quotes is kept as typed.
pub fn ascii_punctuation(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut quoted = false;
    for c in line.chars() {
        let c = match c {
            '"' | '“' | '”' => {
                quoted = !quoted;
                '"'
            }
            _ if quoted => c,
            '（' => '(',
            '）' => ')',
            '：' => ':',
            '，' => ',',
            '［' | '【' => '[',
            '］' | '】' => ']',
            '｛' => '{',
            '｝' => '}',
            '　' => ' ',
            '＋' => '+',
            '；' => ';',
            _ => c,
        };
        out.push(c);
    }
    out
}

fn agency(sc: &ValidScenario, id: &str, lang: Lang) -> String {
    match (sc.agency(id), lang) {
        (Some(a), Lang::Zh) => a.name_zh.clone(),
        (Some(a), Lang::En) => a.name_en.clone(),
        (None, Lang::Zh) if id == crate::scenario::CONTROL => "导调组".into(),
        (None, _) if id == crate::scenario::CONTROL => "exercise control".into(),
        (None, _) => id.to_string(),
    }
}

/// A happening worth telling the room, as one line (`None`: not one of those).
pub fn happening(sc: &ValidScenario, e: &Entry, lang: Lang) -> Option<String> {
    let zh = lang == Lang::Zh;
    let a = |id: &str| agency(sc, id, lang);
    let text = match &e.event {
        Event::InjectDelivered { inject, from, to, text, text_en } => {
            // the text as delivered (model values filled in), in English when there is one
            let shown = match text_en {
                Some(en) if !zh => en.clone(),
                _ => text.clone(),
            };
            let to: Vec<String> = to.iter().map(|t| a(t)).collect();
            if zh {
                format!("注入 {inject}:{} → {}:{shown}", a(from), to.join("、"))
            } else {
                format!("inject {inject}: {} → {}: {shown}", a(from), to.join(", "))
            }
        }
        Event::PlanTriggered { level, trigger } => {
            if zh {
                format!("预案 {} 级响应条件满足:{trigger}", level.roman())
            } else {
                format!("plan level {} trigger met: {trigger}", level.roman())
            }
        }
        Event::HazardOnset { detail, .. } => {
            if zh {
                format!("险情发生:{detail}")
            } else {
                format!("hazard began: {detail}")
            }
        }
        Event::LevelChanged { to, by, .. } => {
            if zh {
                format!("{} 启动 {} 级响应", a(by), to.roman())
            } else {
                format!("{} declared response level {}", a(by), to.roman())
            }
        }
        Event::ReportSent { by, to, report, .. } => {
            let kind = crate::scenario::ron_name(report);
            if zh {
                format!("{} 向 {} 报送 {kind}", a(by), a(to))
            } else {
                format!("{} sent a {kind} report to {}", a(by), a(to))
            }
        }
        Event::PublicWarning { by, text } => {
            if zh {
                format!("{} 发布预警:{text}", a(by))
            } else {
                format!("{} warned the public: {text}", a(by))
            }
        }
        Event::BreachWidened { width_m, discharge_m3s, .. } => {
            if zh {
                format!("溃口扩大至 {width_m:.0} 米,流量 {discharge_m3s:.0} 立方米/秒")
            } else {
                format!("the breach widened to {width_m:.0} m, {discharge_m3s:.0} m³/s")
            }
        }
        Event::BreachClosed { .. } => (if zh { "溃口已封堵" } else { "the breach is closed" }).to_string(),
        Event::FloodDeaths { zone, deaths, total, .. } => {
            if zh {
                format!("{zone} 洪水致死 {deaths} 人(累计 {total})")
            } else {
                format!("{deaths} drowned in {zone} ({total} so far)")
            }
        }
        Event::HospitalFull { hospital } => {
            if zh {
                format!("{hospital} 床位已满")
            } else {
                format!("{hospital} has no free bed")
            }
        }
        Event::IntakeThreshold { intake, above: true, .. } => {
            if zh {
                format!("{intake} 取水口浓度超标")
            } else {
                format!("the water at intake {intake} is above the threshold")
            }
        }
        Event::SiteCleared { place, .. } => {
            if zh {
                format!("{place} 现场清理完毕")
            } else {
                format!("the site at {place} is cleared")
            }
        }
        Event::ExercisePaused { .. } => (if zh { "导调暂停演练" } else { "control paused the exercise" }).to_string(),
        Event::ExerciseResumed { .. } => (if zh { "导调恢复演练" } else { "control resumed the exercise" }).to_string(),
        Event::SpeedChanged { speed, .. } => {
            if zh {
                format!("导调将倍速设为 {speed}")
            } else {
                format!("control set the speed to {speed}×")
            }
        }
        Event::ExerciseEnded { .. } => (if zh { "导调结束演练" } else { "control ended the exercise" }).to_string(),
        _ => return None,
    };
    Some(format!("· +{} {text}", human_secs(e.t as i64)))
}

/// `help`: the order forms, and the scenario's ids with their names.
pub fn help(sc: &ValidScenario, lang: Lang) -> String {
    let zh = lang == Lang::Zh;
    let s = &sc.scenario;
    let mut out = String::new();
    out.push_str(if zh {
        "每行一条指令:(by: \"单位\", order: 指令),可加 at: \"+2h\";中文标点亦可。导调为 \"control\"。\n指令:\n"
    } else {
        "One order a line: (by: \"agency\", order: ORDER), optionally at: \"+2h\". The facilitator is \"control\".\nOrders:\n"
    });
    for form in [
        "SetLevel(III)",
        "Dispatch(team: TEAM, to: NODE, task: rescue)",
        "Recall(team: TEAM)",
        "Evacuate(from: NODE|ZONE, to: SHELTER)",
        "OpenShelter(SHELTER)  CloseShelter(SHELTER)",
        "DeliverSupplies(from: DEPOT, to: NODE, item: \"sandbags\", quantity: 500)",
        "CloseRoad(ROAD)  ReopenRoad(ROAD)  CloseIntake(NODE)  OpenIntake(NODE)",
        "SetUpCommandPost(name: \"…\", at: NODE)  SetUpWorkingGroup(name: \"…\", lead: AGENCY)",
        "RequestSupport(to: AGENCY, what: \"…\")  WarnPublic(\"…\")  Log(\"…\")  Acknowledge(INJECT)",
        "Report(kind: phone|written|urgent|follow_up|feedback, to: AGENCY, figures: (dead: 0))",
        "control: Pause  Resume  Speed(600.0)  FireInject(INJECT)  Retime(\"+3h\")  EndExercise",
    ] {
        out.push_str(&format!("  {form}\n"));
    }
    let mut section = |title_zh: &str, title_en: &str, rows: Vec<(String, String)>| {
        if rows.is_empty() {
            return;
        }
        out.push_str(&format!("{}:\n", if zh { title_zh } else { title_en }));
        for (id, name) in rows {
            out.push_str(&format!("  {id:<16} {name}\n"));
        }
    };
    section("单位 AGENCY", "AGENCY", s.agencies.iter().map(|x| (x.id.clone(), agency(sc, &x.id, lang))).collect());
    section(
        "队伍 TEAM",
        "TEAM",
        s.resources
            .teams
            .iter()
            .map(|t| {
                (t.id.clone(), format!("{} ({})", t.name.clone().unwrap_or_default(), agency(sc, &t.agency, lang)))
            })
            .collect(),
    );
    section(
        "地点 NODE",
        "NODE",
        s.map.nodes.iter().map(|n| (n.id.clone(), n.name.clone().unwrap_or_default())).collect(),
    );
    section(
        "区域 ZONE",
        "ZONE",
        s.map.flood_zones.iter().map(|z| (z.id.clone(), z.name.clone().unwrap_or_default())).collect(),
    );
    section(
        "道路 ROAD",
        "ROAD",
        s.map.roads.iter().filter_map(|r| Some((r.id.clone()?, format!("{} – {}", r.from, r.to)))).collect(),
    );
    section(
        "注入 INJECT",
        "INJECT",
        s.injects
            .iter()
            .map(|j| {
                let t = if zh { j.text.clone() } else { j.text_en.clone().unwrap_or(j.text.clone()) };
                (j.id.clone(), t.chars().take(40).collect())
            })
            .collect(),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_width_punctuation_outside_quotes_becomes_ascii() {
        assert_eq!(
            ascii_punctuation("（by：“ofc”，order：Log（“今天，雨（大）”））"),
            "(by:\"ofc\",order:Log(\"今天，雨（大）\"))"
        );
        assert_eq!(ascii_punctuation("(by: \"ofc\", order: Pause)"), "(by: \"ofc\", order: Pause)");
    }

    #[test]
    fn help_names_every_agency_and_team() {
        let sc = crate::scenario::load(std::path::Path::new("scenarios/demo-county.ron")).unwrap();
        let h = help(&sc, Lang::Zh);
        for a in &sc.scenario.agencies {
            assert!(h.contains(&a.id) && h.contains(&a.name_zh), "{} missing", a.id);
        }
        assert!(h.contains("t_levee_eng") && h.contains("县水利抢险队"));
        assert!(help(&sc, Lang::En).contains("County Water Resources Bureau"));
    }

    #[test]
    fn happenings_name_agencies_in_the_language() {
        let sc = crate::scenario::load(std::path::Path::new("scenarios/demo-county.ron")).unwrap();
        let e = |event| Entry { seq: 1, t: 600, time: String::new(), event };
        let inj = e(Event::InjectDelivered {
            inject: "d01".into(),
            from: "control".into(),
            to: vec!["ofc".into(), "water".into()],
            text: "县气象台发布暴雨红色预警".into(),
            text_en: Some("The county weather office issues a red rainstorm warning".into()),
        });
        let zh = happening(&sc, &inj, Lang::Zh).unwrap();
        assert!(zh.contains("+10m") && zh.contains("清水县人民政府应急办") && zh.contains("暴雨红色预警"), "{zh}");
        let en = happening(&sc, &inj, Lang::En).unwrap();
        assert!(en.contains("County Emergency Office") && en.contains("red rainstorm warning"), "{en}");
        let log = e(Event::Log { by: "ofc".into(), text: "x".into() });
        assert_eq!(happening(&sc, &log, Lang::Zh), None);
    }
}
