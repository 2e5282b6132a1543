//! Scoring and the after-action report (issue 6): hand-computed expectations on small journals
//! made by running the engine with order files, and the `score`/`report` subcommands.

use std::sync::Arc;

use drillsim::engine::{RunOptions, build_app, run_to_end};
use drillsim::exercise::orders::parse_orders;
use drillsim::journal::{self, Entry, Event, Journal};
use drillsim::scenario::types::Grade;
use drillsim::scenario::{self, SourceFile, ValidScenario};
use drillsim::scoring::{Element, FigureVerdict, Finding, ImprovementKind, Status, score, timed_credit};

use crate::support::{DEMO, DEMO_ORDERS, demo_with, drillsim, entries, load, orders, run_app};

const DERAIL: &str = "scenarios/derailment-0523.ron";

fn run(sc: Arc<ValidScenario>, lines: &[&str]) -> Vec<Entry> {
    entries(&run_app(sc, Some(&orders(lines)), RunOptions::default()))
}

#[test]
fn credits_and_grades_follow_the_documented_formula() {
    assert_eq!(timed_credit(0, 3600), 1.0);
    assert_eq!(timed_credit(-60, 3600), 1.0);
    // 10 min late against 1 h: 0.25 + 0.5 · (1 − 600/3600)
    assert!((timed_credit(600, 3600) - (0.25 + 0.5 * 5.0 / 6.0)).abs() < 1e-12);
    assert_eq!(timed_credit(7200, 3600), 0.25);
    // Decree 493 art. 3; "at least" includes the bound.
    use drillsim::scoring::grade;
    assert_eq!(grade(2, 9), Grade::Ordinary);
    assert_eq!(grade(3, 0), Grade::Larger);
    assert_eq!(grade(0, 10), Grade::Larger);
    assert_eq!(grade(10, 0), Grade::Serious);
    assert_eq!(grade(19, 71), Grade::Serious);
    assert_eq!(grade(29, 99), Grade::Serious);
    assert_eq!(grade(30, 0), Grade::ExtremelySerious);
    assert_eq!(grade(0, 100), Grade::ExtremelySerious);
}

#[test]
fn written_report_70_min_after_notification_under_a_1h_rule_is_10_min_late() {
    // The township's rule becomes a written report within 1 hour of its notification.
    let sc = demo_with(|t| {
        let t = t.replacen("kind: urgent,", "kind: written,", 1);
        t.replacen(
            "deadline: \"30m\",\n                by: \"nanhu\",",
            "deadline: \"1h\",\n                by: \"nanhu\",",
            1,
        )
    });
    assert!(sc.scenario.reporting.rules.iter().any(|r| r.id == "r_urgent" && r.deadline.secs() == 3600));
    // When is the township first notified? (no orders change the river)
    let quiet = run(sc.clone(), &[]);
    let notified = quiet
        .iter()
        .find_map(|e| match &e.event {
            Event::InjectDelivered { to, .. } if to.iter().any(|a| a == "nanhu") => Some(e.t),
            _ => None,
        })
        .expect("nanhu is notified");
    let at = format!(
        r#"(at: "+{}s", by: "nanhu", order: Report(kind: written, to: "ofc", figures: (affected: 100)))"#,
        notified + 70 * 60
    );
    let j = run(sc.clone(), &[&at]);
    let s = score(&sc, &j);
    let r = s.reporting.required.iter().find(|r| r.rule == "r_urgent").expect("rule r_urgent applies");
    assert_eq!(r.start_t, notified);
    assert_eq!(r.deadline_t, notified + 3600);
    assert_eq!(r.status, Status::Late);
    assert_eq!(r.sent_t, Some(notified + 4200));
    assert_eq!(r.late_s, Some(600));
    assert!((r.credit - timed_credit(600, 3600)).abs() < 1e-12);
    assert!(
        s.improvement_plan
            .iter()
            .any(|i| i.kind == ImprovementKind::ReportLate && i.subject == "r_urgent" && i.agency == "nanhu")
    );
    // Without the report it is missing.
    let s0 = score(&sc, &quiet);
    let r0 = s0.reporting.required.iter().find(|r| r.rule == "r_urgent").unwrap();
    assert_eq!(r0.status, Status::Missed);
    assert_eq!(r0.credit, 0.0);
}

#[test]
fn understated_deaths_are_concealed_overstated_false_and_bypass_is_flagged() {
    let sc = load(DERAIL);
    // The derailment begins at +30m with 12 dead (black) and never fewer; 90 casualties in all.
    let j = run(
        sc.clone(),
        &[
            r#"(at: "+1h10m", by: "ofc", order: Report(kind: phone, to: "province", figures: (dead: 0)))"#,
            r#"(at: "+1h20m", by: "ofc", order: Report(kind: phone, to: "province", figures: (dead: 1000)))"#,
            r#"(at: "+1h30m", by: "fire", order: Report(kind: phone, to: "province", figures: (affected: 90)))"#,
        ],
    );
    let s = score(&sc, &j);
    let sent = &s.reporting.sent;
    assert_eq!(sent.len(), 3, "{sent:?}");
    // The truth at the time sent: the latest casualties entry before the report.
    for r in sent {
        let black = j
            .iter()
            .take_while(|e| e.seq < r.seq)
            .filter_map(|e| match &e.event {
                Event::Casualties { black, .. } => Some(*black),
                _ => None,
            })
            .last()
            .unwrap();
        if let Some(c) = r.figures.get("dead") {
            assert_eq!(c.truth, black);
        }
    }
    assert_eq!(sent[0].figures["dead"].verdict, FigureVerdict::Concealed);
    assert_eq!(sent[0].credit, 0.0);
    assert_eq!(sent[1].figures["dead"].verdict, FigureVerdict::False);
    assert!(!sent[0].bypasses_outlet && !sent[1].bypasses_outlet);
    assert!(sent[2].bypasses_outlet, "fire reported to the province directly");
    assert_eq!(sent[2].credit, 0.5);
    let kinds: Vec<ImprovementKind> = s.improvement_plan.iter().map(|i| i.kind).collect();
    assert!(
        kinds.contains(&ImprovementKind::ReportConcealed)
            && kinds.contains(&ImprovementKind::ReportFalse)
            && kinds.contains(&ImprovementKind::OutletBypassed)
    );
    assert!(s.reporting.grade >= Some(Grade::Serious), "{:?}", s.reporting.grade);
    assert!(s.outcomes.derailment_dead >= 12);
}

#[test]
fn plan_action_done_by_the_wrong_agency_is_not_counted_as_done() {
    let sc = load(DEMO);
    // Level III (stage 30.0 m) starts before +3h30m; its shelter action belongs to civil affairs.
    let j = run(sc.clone(), &[r#"(at: "+3h30m", by: "ofc", order: OpenShelter("sh_school"))"#]);
    assert!(j.iter().any(|e| matches!(&e.event,
        Event::PlanActionDone { action, by_owner: false, .. } if action == "iii_shelter")));
    let s = score(&sc, &j);
    let a = s.plan.actions.iter().find(|a| a.action == "iii_shelter").unwrap();
    assert_eq!(a.status, Status::WrongAgency);
    assert_eq!(a.done_by.as_deref(), Some("ofc"));
    assert_eq!(a.credit, 0.0);
    assert!(s.improvement_plan.iter().any(|i| i.kind == ImprovementKind::PlanWrongAgency
        && i.subject == "iii_shelter"
        && i.agency == "civil"
        && i.element == Element::Organisation));
    // The same action done by its owner counts.
    let j2 = run(sc.clone(), &[r#"(at: "+3h30m", by: "civil", order: OpenShelter("sh_school"))"#]);
    let s2 = score(&sc, &j2);
    let a2 = s2.plan.actions.iter().find(|a| a.action == "iii_shelter").unwrap();
    assert_eq!(a2.status, Status::OnTime);
    assert_eq!(a2.credit, 1.0);
    assert!(s2.agencies["civil"] > s.agencies["civil"]);
}

#[test]
fn the_score_is_deterministic_and_ratings_cite_evidence() {
    let sc = load(DEMO);
    let book = std::fs::read_to_string(DEMO_ORDERS).unwrap();
    let book = parse_orders(SourceFile::new(DEMO_ORDERS, book), &sc).unwrap();
    let mut app = build_app(sc.clone(), RunOptions { orders: Some(book), ..Default::default() }, Journal::in_memory());
    run_to_end(&mut app).unwrap();
    let j = app.world().resource::<Journal>().entries.clone();
    let a = score(&sc, &j);
    let b = score(&sc, &j);
    assert_eq!(serde_json::to_string(&a).unwrap(), serde_json::to_string(&b).unwrap());
    assert!(!a.critical_tasks.is_empty());
    let seqs: Vec<u64> = j.iter().map(|e| e.seq).collect();
    for c in &a.critical_tasks {
        assert!(["P", "S", "M", "U"].contains(&c.rating.as_str()));
        assert!(!c.evidence.is_empty() && c.evidence.iter().all(|s| seqs.contains(s)), "{c:?}");
    }
    for row in &a.improvement_plan {
        assert!(!row.agency.is_empty() && !row.evidence.is_empty());
    }
    let w = &a.weights;
    assert!((w.plan + w.reporting + w.coordination + w.outcomes - 1.0).abs() < 1e-9);
    for v in [a.overall, a.parts.plan, a.parts.reporting, a.parts.coordination, a.parts.outcomes] {
        assert!((0.0..=100.0).contains(&v));
    }
}

#[test]
fn recomputed_score_equals_the_runs_score_json_and_reports_are_self_contained() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("demo");
    let out_s = out.to_str().unwrap();
    let o = drillsim(&["run", DEMO, "--orders", DEMO_ORDERS, "--out", out_s]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let written = std::fs::read_to_string(out.join("score.json")).unwrap();
    // The library recomputes the same bytes from the journal file.
    let entries = journal::read(&out.join("journal.jsonl")).unwrap();
    let recomputed = score(&load(DEMO), &entries);
    assert_eq!(serde_json::to_string_pretty(&recomputed).unwrap() + "\n", written);
    // And so does the subcommand.
    let journal_path = out.join("journal.jsonl");
    let o = drillsim(&["score", DEMO, journal_path.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains("matches the recomputed score"), "{stdout}");
    assert!(stdout.contains("overall"));

    for (lang, title) in [("zh", "演练评估报告"), ("en", "After-action report")] {
        let o = drillsim(&["report", out_s, "--lang", lang]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let md = std::fs::read_to_string(out.join(format!("report.{lang}.md"))).unwrap();
        let html = std::fs::read_to_string(out.join(format!("report.{lang}.html"))).unwrap();
        assert!(md.contains(title) && html.contains(title), "{lang}");
        assert!(html.contains("<svg") && html.contains("</html>"));
        assert!(!html.contains("http://") && !html.contains("https://"), "the page must be self-contained");
        assert!(!html.contains("<script src") && !html.contains("<link"));
    }
}

#[test]
fn bad_input_is_reported_with_file_and_line_and_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("demo");
    let out_s = out.to_str().unwrap();
    assert!(drillsim(&["run", DEMO, "--out", out_s]).status.success());
    let jp = out.join("journal.jsonl");
    let text = std::fs::read_to_string(&jp).unwrap();
    // A scenario that is not the one run: SHA-256 mismatch.
    let o = drillsim(&["score", DERAIL, jp.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("SHA-256"));
    // A broken third line.
    let mut lines: Vec<&str> = text.lines().collect();
    lines[2] = "{\"seq\": 2, oops";
    std::fs::write(&jp, lines.join("\n")).unwrap();
    let o = drillsim(&["score", DEMO, jp.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("journal.jsonl:3:"), "{err}");
    let o = drillsim(&["report", out_s]);
    assert_eq!(o.status.code(), Some(2));
    // Missing folder.
    let o = drillsim(&["report", dir.path().join("nowhere").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    // A score.json that does not match the journal is an error (exit 1).
    std::fs::write(&jp, text).unwrap();
    std::fs::write(out.join("score.json"), "{}\n").unwrap();
    let o = drillsim(&["score", DEMO, jp.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn coordination_flags_duplicate_dispatches_conflicts_and_uninformed_operators() {
    let sc = load(DEMO);
    let j = run(
        sc.clone(),
        &[
            r#"(at: "+4h40m", by: "police", order: Dispatch(team: "t_traffic", to: "j_south", task: traffic_control))"#,
            r#"(at: "+4h50m", by: "police", order: Dispatch(team: "t_traffic", to: "j_south", task: traffic_control))"#,
            r#"(at: "+5h", by: "police", order: CloseRoad("r09"))"#,
            r#"(at: "+5h20m", by: "ofc", order: ReopenRoad("r09"))"#,
        ],
    );
    let accepted = j.iter().filter(|e| matches!(e.event, Event::OrderAccepted { .. })).count();
    assert_eq!(
        accepted,
        4,
        "{:?}",
        j.iter().filter(|e| matches!(e.event, Event::OrderRefused { .. })).collect::<Vec<_>>()
    );
    let s = score(&sc, &j);
    let c = &s.coordination;
    assert_eq!(c.duplicate_dispatches.len(), 1);
    assert_eq!(c.duplicate_dispatches[0].team, "t_traffic");
    assert_eq!(c.conflicts.len(), 1);
    let k = &c.conflicts[0];
    assert_eq!(
        (k.target.as_str(), k.first_by.as_str(), k.second_by.as_str(), k.gap_s),
        ("road r09", "police", "ofc", 1200)
    );
    // The same two orders by one agency are a change of mind, not a conflict.
    let j2 = run(
        sc.clone(),
        &[
            r#"(at: "+5h", by: "police", order: CloseRoad("r09"))"#,
            r#"(at: "+5h20m", by: "police", order: ReopenRoad("r09"))"#,
        ],
    );
    assert!(score(&sc, &j2).coordination.conflicts.is_empty());

    // The acid spill: the water works hears of it (inject A02) long before its intake goes over.
    let acid = load("scenarios/acid-spill-0929.ron");
    let ja = run(acid.clone(), &[]);
    let sa = score(&acid, &ja);
    let i = &sa.coordination.intakes[0];
    assert_eq!((i.intake.as_str(), i.operator.as_str(), i.informed), ("wi_zixi", "zixi_water", true));
    let first_to_operator = ja
        .iter()
        .find(|e| matches!(&e.event, Event::InjectDelivered { to, .. } if to.iter().any(|a| a == "zixi_water")))
        .unwrap();
    assert_eq!(i.evidence, vec![first_to_operator.seq]);
    assert!(sa.outcomes.water_unsafe_people > 0);
    // Nobody tells it: not informed, and a row of the improvement plan.
    let text = std::fs::read_to_string("scenarios/acid-spill-0929.ron")
        .unwrap()
        .replace(r#"to: ["zixi", "zixi_water", "health"],"#, r#"to: ["zixi", "health"],"#)
        .replace(r#"to: ["ofc", "zixi", "zixi_water"],"#, r#"to: ["ofc", "zixi"],"#);
    let acid2 = Arc::new(scenario::parse(SourceFile::new("acid-variant.ron", text)).unwrap_or_else(|p| panic!("{p}")));
    let sb = score(&acid2, &run(acid2.clone(), &[]));
    assert!(!sb.coordination.intakes[0].informed);
    assert!(
        sb.improvement_plan.iter().any(|r| r.kind == ImprovementKind::OperatorNotInformed && r.subject == "wi_zixi")
    );
}

/// The demo with declared critical tasks put before the scenario's closing parenthesis.
fn demo_with_tasks(tasks: &str) -> Arc<ValidScenario> {
    demo_with(|t| {
        let end = t.trim_end().rfind(')').unwrap();
        format!("{}    critical_tasks: [{tasks}],\n)\n", &t[..end])
    })
}

#[test]
fn declared_critical_tasks_are_rated_by_the_documented_rule() {
    let tasks = r#"
        (id: "A", name: "warn only", area: public_information, actions: ["iv_warn"]),
        (id: "B", name: "warn and report", area: warning_and_reporting, actions: ["iv_warn", "iv_report"]),
        (id: "C", name: "warn, report, patrol", area: handling, actions: ["iv_warn", "iv_report", "iv_patrol"]),
        (id: "D", name: "warn; nobody dies", area: protection_of_people, actions: ["iv_warn"], targets: [MaxDeaths(0)]),
        (id: "E", name: "nobody dies", area: protection_of_people, targets: [MaxDeaths(0)]),
        (id: "F", name: "a long closure", area: handling, targets: [BreachClosedWithin("30d")]),
        (id: "G", name: "many may die", area: protection_of_people, targets: [MaxDeaths(1000000)]),
    "#;
    let sc = demo_with_tasks(tasks);
    // Level IV's trigger time, from a run without orders.
    let quiet = run(sc.clone(), &[]);
    let t4 = quiet
        .iter()
        .find_map(|e| match &e.event {
            Event::PlanTriggered { level: drillsim::scenario::types::Level::IV, .. } => Some(e.t),
            _ => None,
        })
        .expect("level IV triggers in the demo");
    // iv_warn (2 h) on time at +10 min; iv_report (2 h) 30 min late; iv_patrol never.
    let warn = format!(r#"(at: "+{}s", by: "nanhu", order: WarnPublic("堤防险情,请做好转移准备"))"#, t4 + 600);
    let report = format!(
        r#"(at: "+{}s", by: "ofc", order: Report(kind: urgent, to: "city", figures: (dead: 0)))"#,
        t4 + 2 * 3600 + 1800
    );
    let j = run(sc.clone(), &[&warn, &report]);
    let s = score(&sc, &j);
    let status = |id: &str| s.plan.actions.iter().find(|a| a.action == id).unwrap().status;
    assert_eq!(
        (status("iv_warn"), status("iv_report"), status("iv_patrol")),
        (Status::OnTime, Status::Late, Status::Missed)
    );
    let deaths = s.outcomes.deaths;
    assert!(deaths > 0, "the demo floods and kills when nobody evacuates");
    let rating = |id: &str| {
        let c = s.critical_tasks.iter().find(|c| c.id.as_deref() == Some(id)).unwrap();
        (c.rating.as_str(), c.done_on_time, c.done_late, c.not_done)
    };
    assert_eq!(rating("A"), ("P", 1, 0, 0)); // all on time
    assert_eq!(rating("B"), ("S", 1, 1, 0)); // all done, one late
    assert_eq!(rating("C"), ("M", 1, 1, 1)); // one not done, 2 of 3 done
    assert_eq!(rating("D"), ("M", 1, 0, 0)); // on time, but a target missed
    assert_eq!(rating("E"), ("U", 0, 0, 0)); // only targets, all missed
    assert_eq!(rating("F"), ("N/A", 0, 0, 0)); // the run ends long before 30 days
    assert_eq!(rating("G"), ("P", 0, 0, 0)); // only targets, all met
    let d = s.critical_tasks.iter().find(|c| c.id.as_deref() == Some("D")).unwrap();
    assert_eq!(d.targets[0].met, Some(false));
    assert_eq!(d.targets[0].actual, format!("{deaths} dead"));
    assert!(d.evidence.len() >= 3, "trigger, the order's plan_action_done and the death toll: {:?}", d.evidence);
    // Declared tasks replace the derived ones, and every area row points at real improvement rows.
    assert_eq!(s.critical_tasks.len(), 7);
    for a in &s.areas {
        assert!(a.on_time + a.late + a.not_done <= a.items);
        assert!(a.improvements.iter().all(|&i| s.improvement_plan[i].area == a.area));
    }
    // The missed patrol is a "plan" finding under incident handling, due within 30/90 days.
    let row =
        s.improvement_plan.iter().find(|r| r.kind == ImprovementKind::PlanMissed && r.subject == "iv_patrol").unwrap();
    assert_eq!(
        (row.area, row.finding, row.start_within_days, row.complete_within_days),
        (drillsim::scenario::types::EvalArea::Handling, Finding::Plan, 30, 90)
    );
}

#[test]
fn outcome_credits_follow_the_documented_formula() {
    use drillsim::scoring::outcome_credits;
    let sc = load(DERAIL);
    let j = run(sc.clone(), &[]);
    let mut o = score(&sc, &j).outcomes;
    // Replace the run's figures with round ones and compute by hand.
    o.flood_at_risk = 1000;
    o.flood_exposed_peak = 250; // 1 − 250/1000
    o.casualties_total = 90;
    o.dead_at_onset = 10;
    o.derailment_dead = 30; // 1 − 20/80
    o.water_unsafe_people = 100;
    o.water_protected_people = 300; // 300/400
    assert_eq!(outcome_credits(&o), vec![0.75, 0.75, 0.75]);
    o.flood_at_risk = 0;
    o.water_unsafe_people = 0;
    o.water_protected_people = 0;
    assert_eq!(outcome_credits(&o), vec![0.75]);
}

#[test]
fn teams_idle_while_a_derailment_needs_them_are_flagged() {
    let sc = load(DERAIL);
    let j = run(sc.clone(), &[]);
    let s = score(&sc, &j);
    // Nothing was sent: every extrication, triage and ambulance team of the county's own agencies.
    let mut want: Vec<&str> = sc
        .scenario
        .resources
        .teams
        .iter()
        .filter(|t| {
            use drillsim::scenario::types::{AgencyRole, Capability::*};
            let role = sc.agency(&t.agency).unwrap().role;
            t.capabilities.iter().any(|c| matches!(c, Extrication | Triage | MedicalTransport))
                && !matches!(role, AgencyRole::Higher | AgencyRole::Neighbour)
        })
        .map(|t| t.id.as_str())
        .collect();
    want.sort_unstable();
    let mut got: Vec<&str> = s.coordination.idle_teams.iter().map(|i| i.team.as_str()).collect();
    got.sort_unstable();
    assert!(!want.is_empty());
    assert_eq!(got, want);
    assert!(s.coordination.idle_teams.iter().all(|i| i.credit == 0.0 && i.dispatched_t.is_none()));
    assert!(s.improvement_plan.iter().any(|r| r.kind == ImprovementKind::TeamIdle && r.finding == Finding::Support));
    // With the record's orders fewer are idle.
    let record = std::fs::read_to_string("scenarios/orders/derailment-0523.ron").unwrap();
    let book = parse_orders(SourceFile::new("record", record), &sc).unwrap();
    let mut app = build_app(sc.clone(), RunOptions { orders: Some(book), ..Default::default() }, Journal::in_memory());
    run_to_end(&mut app).unwrap();
    let r = score(&sc, &app.world().resource::<Journal>().entries);
    assert!(r.coordination.idle_teams.len() < s.coordination.idle_teams.len());
    // …and fewer of the injured get worse before care.
    assert!(r.outcomes.worsened_before_care < s.outcomes.worsened_before_care, "{:?}", r.outcomes);
}

#[test]
fn a_repeating_rule_requires_one_report_per_interval() {
    // The demo's follow-up made first within 1 h of the onset, then every 1 h.
    let sc =
        demo_with(|t| t.replacen("deadline: \"6h\",\n", "deadline: \"1h\",\n                repeat: \"1h\",\n", 1));
    let quiet = run(sc.clone(), &[]);
    let onset = quiet
        .iter()
        .find_map(|e| matches!(e.event, Event::HazardOnset { .. }).then_some(e.t))
        .expect("the demo's breach happens");
    let end = quiet.iter().map(|e| e.t).max().unwrap();
    let follow = |at: u64| {
        format!(r#"(at: "+{at}s", by: "ofc", order: Report(kind: follow_up, to: "city", figures: (dead: 0)))"#)
    };
    // first at onset+30m (on time), second at onset+2h30m (30 min after its onset+2h), then none.
    let j = run(sc.clone(), &[&follow(onset + 1800), &follow(onset + 2 * 3600 + 1800)]);
    let s = score(&sc, &j);
    let fu: Vec<_> = s.reporting.required.iter().filter(|r| r.rule == "r_followup").collect();
    // one due at onset+1h, then every hour up to the end of the run
    let due: Vec<u64> = (0..).map(|k| onset + 3600 + k * 3600).take_while(|&d| d <= end).collect();
    assert!(due.len() >= 3, "the demo runs long enough after its onset");
    assert_eq!(fu.iter().map(|r| r.deadline_t).collect::<Vec<_>>(), due);
    assert_eq!(fu.iter().map(|r| r.instance).collect::<Vec<_>>(), (0..due.len() as u32).collect::<Vec<_>>());
    assert_eq!((fu[0].status, fu[0].late_s), (Status::OnTime, Some(-1800)));
    assert_eq!((fu[1].status, fu[1].late_s), (Status::Late, Some(1800)));
    assert!((fu[1].credit - timed_credit(1800, 3600)).abs() < 1e-12);
    assert!(fu[2..].iter().all(|r| r.status == Status::Missed && r.credit == 0.0));
}

#[test]
fn a_partial_evacuation_of_a_zone_is_credited_by_the_people_covered() {
    // The plan's level III evacuation names the whole Nanhu zone; the township orders only
    // Shawan out, in time. Credit = Shawan's people / the zone's people.
    let sc = demo_with(|t| {
        t.replacen("target: \"v_shawan\",  deadline: \"2h\"", "target: \"fz_nanhu\", deadline: \"2h\"", 1)
    });
    let zone = sc.scenario.map.flood_zones.iter().find(|z| z.id == "fz_nanhu").unwrap();
    let pop = |id: &str| sc.scenario.map.nodes.iter().find(|n| n.id == id).unwrap().population as f64;
    let total: f64 = zone.nodes.iter().map(|n| pop(n)).sum();
    let share = pop("v_shawan") / total;
    assert!(share > 0.0 && share < 1.0);
    let j = run(
        sc.clone(),
        &[
            r#"(at: "+3h", by: "civil", order: OpenShelter("sh_school"))"#,
            r#"(at: "+3h30m", by: "nanhu", order: Evacuate(from: "v_shawan", to: "sh_school"))"#,
        ],
    );
    let s = score(&sc, &j);
    let a = s.plan.actions.iter().find(|a| a.action == "iii_evac").unwrap();
    assert_eq!(a.status, Status::Late, "{a:?}");
    assert!((a.credit - share).abs() < 1e-9, "credit {} vs share {share}", a.credit);
    assert!((a.coverage.unwrap() - share).abs() < 1e-9);
    // The whole zone in one order covers it all.
    let j2 = run(
        sc.clone(),
        &[
            r#"(at: "+3h", by: "civil", order: OpenShelter("sh_school"))"#,
            r#"(at: "+3h30m", by: "nanhu", order: Evacuate(from: "fz_nanhu", to: "sh_school"))"#,
        ],
    );
    let a2 = score(&sc, &j2).plan.actions.into_iter().find(|a| a.action == "iii_evac").unwrap();
    assert_eq!((a2.status, a2.credit), (Status::OnTime, 1.0));
}

#[test]
fn injured_means_every_living_casualty_at_the_moment_of_sending() {
    // Read the derailment's truth one minute before K01 (+55m) from the hazard model's entries.
    let sc = load(DERAIL);
    let quiet = run(sc.clone(), &[r#"(at: "+1h", by: "ofc", order: Log("值班"))"#]);
    let at = 55 * 60;
    let (g, y, r, b) = quiet
        .iter()
        .filter(|e| e.t < at)
        .filter_map(|e| match &e.event {
            Event::Casualties { green, yellow, red, black, .. } => Some((*green, *yellow, *red, *black)),
            _ => None,
        })
        .next_back()
        .expect("casualties before +55m");
    assert!(g * 10 > g + y + r, "enough walking wounded for the test: {g} green of {}", g + y + r);
    let report = |dead: u32, injured: u32| {
        format!(
            r#"(at: "+55m", by: "ofc", order: Report(kind: phone, to: "province", figures: (dead: {dead}, injured: {injured}, missing: 0)))"#
        )
    };
    let honest = score(&sc, &run(sc.clone(), &[&report(b, g + y + r)]));
    let c = &honest.reporting.sent[0].figures;
    assert_eq!(c["injured"].verdict, FigureVerdict::Accurate, "{c:?}");
    assert_eq!(c["dead"].verdict, FigureVerdict::Accurate, "{c:?}");
    assert_eq!(honest.reporting.sent[0].credit, 1.0);
    // Leaving out the walking wounded understates the injured.
    let short = score(&sc, &run(sc.clone(), &[&report(b, y + r)]));
    assert_eq!(short.reporting.sent[0].figures["injured"].verdict, FigureVerdict::Concealed);
    assert!(short.reporting.score < honest.reporting.score);
}

#[test]
fn group_functions_are_read_from_free_text_names_and_figures_from_ranges() {
    use drillsim::scenario::types::GroupFunction as F;
    assert_eq!(F::recognise("医疗救助组"), Some(F::Medical));
    assert_eq!(F::recognise("家属接待组"), Some(F::Visitors));
    assert_eq!(F::recognise("新闻发布组"), Some(F::Press));
    assert_eq!(F::recognise("治安维稳组"), Some(F::Stability));
    assert_eq!(F::recognise("唱凯堤决口封堵组"), Some(F::BreachClosure));
    assert_eq!(F::recognise("事故处理领导小组"), Some(F::Leading));
    assert_eq!(F::recognise("Logistics group"), Some(F::Logistics));
    assert_eq!(F::recognise("第一组"), None);
    use drillsim::scoring::check_figure;
    // A range [100, 200] with 10 % tolerance: 90 and 220 are the edges.
    assert_eq!(check_figure(90, Some((100, 200)), 0.1).verdict, FigureVerdict::Accurate);
    assert_eq!(check_figure(89, Some((100, 200)), 0.1).verdict, FigureVerdict::Concealed);
    assert_eq!(check_figure(220, Some((100, 200)), 0.1).verdict, FigureVerdict::Accurate);
    assert_eq!(check_figure(221, Some((100, 200)), 0.1).verdict, FigureVerdict::False);
    assert_eq!(check_figure(1, Some((0, 0)), 0.1).verdict, FigureVerdict::False);
    assert_eq!(check_figure(7, None, 0.1).verdict, FigureVerdict::Unchecked);
}
