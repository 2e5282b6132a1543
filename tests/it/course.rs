//! Training courses end to end: each seed incident runs as a course whose report sets the
//! trainee beside the record; every key decision of a course is found in its record run.

use crate::support::{drillsim, json, text};

#[test]
fn each_seed_incident_runs_as_a_course_against_its_record() {
    let dir = tempfile::tempdir().unwrap();
    for s in ["levee-breach-0621", "derailment-0523", "acid-spill-0929"] {
        let out = dir.path().join(s);
        // A trainee who leaves out the record's last order.
        let record = std::fs::read_to_string(format!("scenarios/orders/{s}.ron")).unwrap();
        let body: Vec<&str> = record.lines().collect();
        let last = body.iter().rposition(|l| l.trim_start().starts_with("(at:")).unwrap();
        let mut trainee: Vec<&str> = body.clone();
        // drop the whole last order (it may span lines up to the one ending with "),")
        let end = (last..body.len()).find(|&i| body[i].trim_end().ends_with("),")).unwrap();
        trainee.drain(last..=end);
        let tpath = dir.path().join(format!("{s}-trainee.ron"));
        std::fs::write(&tpath, trainee.join("\n")).unwrap();
        let r = drillsim(&[
            "course",
            &format!("scenarios/{s}.ron"),
            "--orders",
            tpath.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ]);
        assert!(r.status.success(), "{s}: {}{}", text(&r.stdout), text(&r.stderr));
        let c = json(&out.join("course.json"));
        let decisions = c["decisions"].as_array().unwrap();
        assert!(decisions.len() >= 5, "{s}: too few decisions");
        for d in decisions {
            assert!(d["record_t"].is_u64(), "{s}: decision {} is not in the record run", d["id"]);
        }
        let md = std::fs::read_to_string(out.join("course.md")).unwrap();
        assert!(md.contains("学员") && md.contains("历史记录"), "{s}: the default report is in Chinese");
        assert!(std::fs::read_to_string(out.join("course.html")).unwrap().contains("<table>"));
        // Both runs are ordinary runs that replay.
        for sub in ["record", "trainee"] {
            let p = drillsim(&["replay", out.join(sub).to_str().unwrap()]);
            assert!(p.status.success(), "{s}/{sub}: {}", text(&p.stderr));
        }
    }
}

#[test]
fn the_report_says_which_decisions_came_earlier_later_or_not_at_all() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("c");
    let r = drillsim(&[
        "course",
        "scenarios/derailment-0523.ron",
        "--orders",
        "scenarios/courses/trainees/derailment-0523.ron",
        "--lang",
        "en",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(r.status.success(), "{}", text(&r.stderr));
    let c = json(&out.join("course.json"));
    let by_id = |id: &str| c["decisions"].as_array().unwrap().iter().find(|d| d["id"] == id).unwrap().clone();
    // The example trainee: phone report 38 min later, first ambulance 4 min earlier, no power crew.
    assert_eq!(by_id("phone_report")["delta_s"], 38 * 60);
    assert_eq!(by_id("ambulances")["delta_s"], -4 * 60);
    assert!(by_id("power")["trainee_t"].is_null());
    // Paired by task: the first ambulance is level IV's iv_amb1, timed from level IV's start
    // (K01, 25 min after the crash, in both runs): the trainee's is 4 min sooner after it.
    let amb = by_id("ambulances");
    assert_eq!(amb["task"], "iv_amb1");
    let (rt, tt) = (amb["record_from_trigger_s"].as_i64().unwrap(), amb["trainee_from_trigger_s"].as_i64().unwrap());
    assert_eq!(tt - rt, -4 * 60);
    assert_eq!(by_id("phone_report")["task"], "iv_phone");
    let md = std::fs::read_to_string(out.join("course.md")).unwrap();
    assert!(md.contains("**38m later**") && md.contains("**4m earlier**") && md.contains("**not done**"), "{md}");
    // The outcomes differ, and the comparison says from when.
    assert!(c["comparison"]["first_difference_t"].is_u64());
    // A trainee's finished run can be taken as it is (same seed).
    let r2 = drillsim(&[
        "course",
        "scenarios/derailment-0523.ron",
        "--run",
        out.join("trainee").to_str().unwrap(),
        "--lang",
        "en",
        "--out",
        dir.path().join("c2").to_str().unwrap(),
    ]);
    assert!(r2.status.success(), "{}", text(&r2.stderr));
    let c2 = json(&dir.path().join("c2").join("course.json"));
    assert_eq!(c2["decisions"], c["decisions"]);
    // A run of another scenario is refused.
    let bad = drillsim(&[
        "course",
        "scenarios/acid-spill-0929.ron",
        "--run",
        out.join("trainee").to_str().unwrap(),
        "--out",
        dir.path().join("c3").to_str().unwrap(),
    ]);
    assert_eq!(bad.status.code(), Some(2), "{}", text(&bad.stderr));
}
