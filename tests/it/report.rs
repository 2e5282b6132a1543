//! The after-action report end to end (issue 14): each seed scenario played by its shipped order
//! file, `drillsim report` in Chinese and English, and what a reader relies on: no raw scenario
//! id in the Chinese text, the charts' numbers equal the score's, every required report in the
//! timeliness table, improvement-plan dates from the exercise date, and Markdown snapshots.
//!
//! The snapshots (tests/snapshots/report-*.md) change whenever the engine or the score changes
//! a run; review the difference and refresh them with `UPDATE_SNAPSHOTS=1 cargo test --test
//! it report::`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use drillsim::scenario::{self, ValidScenario};

use crate::support::{bin, drillsim, json};

const SEEDS: [&str; 3] = ["levee-breach-0621", "derailment-0523", "acid-spill-0929"];

/// Runs a seed scenario with its order file and writes both reports; the output folder.
fn played(dir: &Path, name: &str) -> PathBuf {
    let out = dir.join(name);
    let o = drillsim(&[
        "run",
        &format!("scenarios/{name}.ron"),
        "--orders",
        &format!("scenarios/orders/{name}.ron"),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{name}: {}", String::from_utf8_lossy(&o.stderr));
    for lang in ["zh", "en"] {
        let o = drillsim(&["report", out.to_str().unwrap(), "--lang", lang]);
        assert!(o.status.success(), "{name} {lang}: {}", String::from_utf8_lossy(&o.stderr));
    }
    out
}

/// Every id the scenario defines.
fn ids(sc: &ValidScenario) -> BTreeSet<String> {
    let s = &sc.scenario;
    let mut v: BTreeSet<String> = BTreeSet::new();
    v.extend(s.map.nodes.iter().map(|n| n.id.clone()));
    v.extend(s.map.flood_zones.iter().map(|z| z.id.clone()));
    v.extend(s.map.roads.iter().filter_map(|r| r.id.clone()));
    v.extend(s.map.rivers.iter().map(|r| r.id.clone()));
    v.extend(s.map.rivers.iter().flat_map(|r| r.levees.iter().map(|l| l.id.clone())));
    v.extend(s.map.rivers.iter().flat_map(|r| r.reaches.iter().map(|x| x.id.clone())));
    v.extend(s.agencies.iter().map(|a| a.id.clone()));
    v.extend(s.resources.teams.iter().map(|t| t.id.clone()));
    v.extend(s.hazards.iter().map(|h| h.id().to_string()));
    v.extend(s.injects.iter().map(|j| j.id.clone()));
    v.extend(s.plan.levels.iter().flat_map(|l| l.actions.iter().map(|a| a.id.clone())));
    v.extend(s.reporting.rules.iter().map(|r| r.id.clone()));
    v.extend(s.critical_tasks.iter().map(|t| t.id.clone()));
    v
}

/// The text a reader sees: tags and the style sheet removed, entities decoded.
fn visible(html: &str) -> String {
    let html = match (html.find("<style>"), html.find("</style>")) {
        (Some(a), Some(b)) => format!("{}{}", &html[..a], &html[b..]),
        _ => html.to_string(),
    };
    let mut out = String::new();
    let mut in_tag = false;
    for ch in html.chars() {
        match ch {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                out.push(' ');
            }
            _ if !in_tag => out.push(ch),
            _ => {}
        }
    }
    out.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&amp;", "&")
}

#[test]
fn the_chinese_report_shows_names_and_never_a_raw_id_of_the_scenario() {
    let dir = tempfile::tempdir().unwrap();
    for name in SEEDS {
        let out = played(dir.path(), name);
        let sc = scenario::load(Path::new(&format!("scenarios/{name}.ron"))).unwrap();
        let ids = ids(&sc);
        for file in ["report.zh.html", "report.zh.md"] {
            let text = std::fs::read_to_string(out.join(file)).unwrap();
            let text = if file.ends_with(".html") { visible(&text) } else { text };
            let words: BTreeSet<&str> =
                text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).filter(|w| !w.is_empty()).collect();
            let raw: Vec<&&str> = words.iter().filter(|w| ids.contains(**w)).collect();
            assert!(raw.is_empty(), "{name} {file}: raw ids in the visible text: {raw:?}");
            assert!(!text.contains('⟨'), "{name} {file}: a word is missing from the locale files");
            // English words of the engine (kinds, statuses) do not leak into the Chinese text.
            for leak in ["send_report", "phone/written", "on time", "after the onset", "missed", "Level "] {
                assert!(!text.contains(leak), "{name} {file}: \"{leak}\" in the Chinese report");
            }
        }
        let html = std::fs::read_to_string(out.join("report.zh.html")).unwrap();
        for part in ["一、基本情况", "二、评估过程", "三、演练情况分析", "四、存在问题与改进建议", "五、评估结论"]
        {
            assert!(html.contains(part), "{name}: the AQ/T 9009 part {part} is missing");
        }
        assert!(!html.contains("http://") && !html.contains("https://") && !html.contains("<script"));
    }
}

#[test]
fn a_refused_order_is_journaled_whole_and_the_report_says_why_with_the_place_s_name() {
    let dir = tempfile::tempdir().unwrap();
    let orders = dir.path().join("orders.ron");
    // The stadium shelter is closed at the start: an evacuation to it is refused.
    let given = r#"Orders(orders: [(at: "+3h", by: "nanhu", order: Evacuate(from: "v_shawan", to: "sh_stadium"))])"#;
    std::fs::write(&orders, given).unwrap();
    let out = dir.path().join("out");
    let o =
        drillsim(&["run", crate::support::DEMO, "--orders", orders.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let journal = std::fs::read_to_string(out.join("journal.jsonl")).unwrap();
    let refused: Vec<serde_json::Value> = journal
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|e| e["kind"] == "order_refused")
        .collect();
    assert_eq!(refused.len(), 1, "{journal}");
    assert_eq!(refused[0]["reason"], r#"shelter "sh_stadium" is not open; open it first"#);
    assert_eq!(refused[0]["refusal"], serde_json::json!({"kind": "shelter_not_open", "shelter": "sh_stadium"}));
    for (lang, said) in [
        ("zh", "未受理:县体育馆尚未开放，请先开放安置点"),
        ("en", "refused: County stadium (shelter) is not open; open it first"),
    ] {
        let o = drillsim(&["report", out.to_str().unwrap(), "--lang", lang]);
        assert!(o.status.success(), "{lang}: {}", String::from_utf8_lossy(&o.stderr));
        let md = std::fs::read_to_string(out.join(format!("report.{lang}.md"))).unwrap();
        let row =
            md.lines().find(|l| l.contains(said)).unwrap_or_else(|| panic!("{lang}: no row saying \"{said}\":\n{md}"));
        assert!(!row.contains("sh_stadium"), "{lang}: {row}");
    }
}

#[test]
fn charts_tables_and_plan_agree_with_the_score() {
    let dir = tempfile::tempdir().unwrap();
    for name in SEEDS {
        let out = played(dir.path(), name);
        let score = json(&out.join("score.json"));
        let all = json(&out.join("report.json"));
        for lang in ["zh", "en"] {
            let r = &all[lang];
            assert_eq!(r["lang"], lang);
            let o = &score["outcomes"];
            let stated = |chart: &str, series: usize| -> Option<f64> {
                let c = r["charts"].as_array().unwrap().iter().find(|c| c["id"] == chart)?;
                c["series"].as_array().unwrap().get(series).map(|s| s["stated"].as_f64().unwrap())
            };
            // The casualty chart's dead end on the score's deaths; a chart without data is absent.
            match stated("casualties", 0) {
                Some(d)
                    if r["charts"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .any(|c| c["id"] == "casualties" && c["series"][0]["color"] == "#000000") =>
                {
                    assert_eq!(d, o["deaths"].as_f64().unwrap(), "{name} {lang}: dead in the chart")
                }
                _ => assert_eq!(o["deaths"].as_u64().unwrap(), 0, "{name}: deaths but no dead series"),
            }
            if o["evacuation_left"].as_u64().unwrap() > 0 {
                assert_eq!(stated("evacuation", 0), o["evacuation_left"].as_f64(), "{name} {lang}: left home");
            }
            if o["sheltered"].as_u64().unwrap() > 0 {
                assert_eq!(stated("evacuation", 1), o["sheltered"].as_f64(), "{name} {lang}: in shelters");
            }
            for c in r["charts"].as_array().unwrap() {
                for s in c["series"].as_array().unwrap() {
                    let pts = s["points"].as_array().unwrap();
                    assert!(pts.iter().any(|p| p[1].as_f64().unwrap() != 0.0), "{name}: empty series drawn");
                }
                let ticks = c["ticks"].as_array().unwrap();
                assert!((3..=9).contains(&ticks.len()), "{name}: {} ticks", ticks.len());
            }
            // The text states the same figures the charts draw.
            let html = std::fs::read_to_string(out.join(format!("report.{lang}.html"))).unwrap();
            let outcome_values: Vec<String> = r["outcomes"]
                .as_array()
                .unwrap()
                .iter()
                .flat_map(|g| g["rows"].as_array().unwrap().iter().map(|x| x["value"].as_str().unwrap().to_string()))
                .collect();
            let group = |n: f64| {
                let s = format!("{}", n as u64);
                let mut out = String::new();
                for (i, ch) in s.chars().enumerate() {
                    if i > 0 && (s.len() - i) % 3 == 0 {
                        out.push(',');
                    }
                    out.push(ch);
                }
                out
            };
            for (chart, i) in [("casualties", 0), ("evacuation", 0), ("evacuation", 1)] {
                if let Some(v) = stated(chart, i) {
                    assert!(
                        outcome_values.contains(&group(v)),
                        "{name} {lang}: {chart} draws {v}, the text does not say it"
                    );
                    assert!(html.contains(&format!("data-stated=\"{v}\"")), "{name} {lang}: the SVG draws {v}");
                }
            }
            // Every required report is in the timeliness table with a fault of the national rules.
            let due = score["reporting"]["required"].as_array().unwrap();
            let rows = r["timeliness"].as_array().unwrap();
            assert_eq!(rows.len(), due.len(), "{name} {lang}: one row per required report");
            if lang == "zh" {
                for (row, q) in rows.iter().zip(due) {
                    let f = row["fault"].as_str().unwrap();
                    let expect = match q["status"].as_str().unwrap() {
                        "missed" | "wrong_agency" => "漏报",
                        "late" => "迟报",
                        "pending" => "未到时限",
                        _ => "",
                    };
                    assert!(f.contains(expect), "{name}: {f} for status {}", q["status"]);
                    assert!(
                        f.split('、').all(|x| ["按时", "迟报", "漏报", "谎报", "瞒报", "未到时限"].contains(&x)),
                        "{f}"
                    );
                    if let Some(m) = row["minutes_late"].as_i64() {
                        assert_eq!(m, q["late_s"].as_i64().unwrap() / 60, "{name}: minutes late");
                    }
                }
            }
            // One plan row per finding, dated from the exercise date (policy 30/90 days).
            let plan = r["improvement_plan"].as_array().unwrap();
            assert_eq!(plan.len(), score["improvement_plan"].as_array().unwrap().len(), "{name}");
            let sc = scenario::load(Path::new(&format!("scenarios/{name}.ron"))).unwrap();
            let day0 =
                chrono::NaiveDate::parse_from_str(sc.scenario.exercise.date.as_deref().unwrap(), "%Y-%m-%d").unwrap();
            let (start, end) = (day0 + chrono::Days::new(30), day0 + chrono::Days::new(90));
            use chrono::Datelike;
            for row in plan {
                if lang == "zh" {
                    assert_eq!(row["start"], format!("{}年{}月{}日", start.year(), start.month(), start.day()));
                    assert_eq!(row["complete"], format!("{}年{}月{}日", end.year(), end.month(), end.day()));
                }
                assert!(!row["action"].as_str().unwrap().is_empty());
            }
            for row in plan {
                let who = row["responsible"].as_str().unwrap();
                let agency = sc.scenario.agencies.iter().find(|a| a.name_zh == who || a.name_en == who);
                let has_contact = agency.is_some_and(|a| a.contact.is_some());
                assert_eq!(!row["contact"].as_str().unwrap().is_empty(), has_contact, "{name}: contact of {who}");
            }
            let nos: Vec<u64> = plan.iter().map(|p| p["no"].as_u64().unwrap()).collect();
            assert_eq!(nos, (1..=plan.len() as u64).collect::<Vec<_>>(), "{name}: findings numbered 1, 2, 3…");
            // Every evaluation item the score rates has a P/S/M/U rating.
            let caps = r["capabilities"].as_array().unwrap();
            for a in score["areas"].as_array().unwrap() {
                let c = caps.iter().find(|c| c["area"] == a["area"]).expect("each rated item is a capability");
                assert!(["P", "S", "M", "U"].contains(&c["rating"].as_str().unwrap()));
            }
        }
    }
}

#[test]
fn markdown_of_the_seed_scenarios_matches_the_snapshots() {
    let dir = tempfile::tempdir().unwrap();
    let update = std::env::var_os("UPDATE_SNAPSHOTS").is_some();
    for name in SEEDS {
        let out = played(dir.path(), name);
        for lang in ["zh", "en"] {
            let got = std::fs::read_to_string(out.join(format!("report.{lang}.md"))).unwrap();
            // The scenario path in the journal differs by machine only through the temp folder;
            // nothing of it is in the report, so the text is compared whole.
            let snap = PathBuf::from(format!("tests/snapshots/report-{name}.{lang}.md"));
            if update {
                std::fs::create_dir_all(snap.parent().unwrap()).unwrap();
                std::fs::write(&snap, &got).unwrap();
                continue;
            }
            let want = std::fs::read_to_string(&snap)
                .unwrap_or_else(|_| panic!("{} is missing: run with UPDATE_SNAPSHOTS=1", snap.display()));
            if got != want {
                let line = got.lines().zip(want.lines()).position(|(a, b)| a != b).unwrap_or(0);
                panic!(
                    "{name} {lang}: the report differs from {} at line {}:\n  got:  {}\n  want: {}\n(review, then UPDATE_SNAPSHOTS=1)",
                    snap.display(),
                    line + 1,
                    got.lines().nth(line).unwrap_or(""),
                    want.lines().nth(line).unwrap_or("")
                );
            }
        }
    }
}

#[test]
fn run_ends_with_each_hazards_outcome_and_why_the_score_is_low() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("idle");
    // Nobody gives an order: the score must say so.
    let o = drillsim(&["run", "scenarios/levee-breach-0621.ron", "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains("No participating agency gave a single order"), "{stdout}");
    assert!(stdout.contains("levee breach at") && stdout.contains("flood deaths"), "{stdout}");
    assert!(stdout.contains("why: Outcomes"), "{stdout}");
}

#[test]
fn pdf_without_chromium_says_so_and_report_files_are_per_language() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("acid");
    assert!(
        drillsim(&["run", "scenarios/acid-spill-0929.ron", "--until", "3h", "--out", out.to_str().unwrap()])
            .status
            .success()
    );
    let empty = dir.path().join("empty-path");
    std::fs::create_dir_all(&empty).unwrap();
    let o =
        bin().args(["report", out.to_str().unwrap(), "--lang", "en", "--pdf"]).env("PATH", &empty).output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("--pdf needs Chromium") && err.contains("report.en.html"), "{err}");
    // The HTML and Markdown were written all the same, in English only.
    assert!(out.join("report.en.html").is_file() && out.join("report.en.md").is_file());
    assert!(!out.join("report.zh.html").exists() && !out.join("report.html").exists());
    let o = drillsim(&["report", out.to_str().unwrap(), "--lang", "zh"]);
    assert!(o.status.success());
    let en = std::fs::read_to_string(out.join("report.en.html")).unwrap();
    let zh = std::fs::read_to_string(out.join("report.zh.html")).unwrap();
    assert!(en.contains("<html lang=\"en\">") && zh.contains("<html lang=\"zh\">"));
}

#[test]
fn a_bad_exercise_date_is_reported_at_its_place() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string("scenarios/levee-breach-0621.ron").unwrap();
    assert!(text.contains("date: \"2026-06-21\""), "the seed scenario names its exercise date");
    let bad = dir.path().join("bad-date.ron");
    std::fs::write(&bad, text.replace("date: \"2026-06-21\"", "date: \"21/06/2026\"")).unwrap();
    let o = drillsim(&["validate", bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("exercise.date") && err.contains("is not a date"), "{err}");
}
