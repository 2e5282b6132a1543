//! Scenario validation, driven by the fixtures in `tests/fixtures/`.
//!
//! `valid-minimal.ron` is the smallest scenario that passes; every file in `invalid/` is that file
//! with one fault (`many.ron`: several), and [`EXPECTED`] lists exactly the problems each must give.
//! Lines and columns are 1-based; columns count characters (the fixtures have Chinese names before
//! some of the faults, three bytes each in UTF-8).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use drillsim::scenario::{self, LoadError, Problem, Problems, SourceFile};

use crate::support::drillsim;

/// One expected problem: rule, line, column, and a piece of the message.
type Exp = (&'static str, usize, usize, &'static str);

/// Every invalid fixture and exactly the problems it must give, in the order they are reported.
const EXPECTED: &[(&str, &[Exp])] = &[
    ("syntax-missing-comma.ron", &[("syntax", 13, 56, "Expected comma")]),
    ("syntax-unclosed-paren.ron", &[("syntax", 15, 13, "Expected identifier")]),
    ("syntax-unknown-field.ron", &[("syntax", 13, 74, "Unexpected field named `populaton` in `Node`")]),
    ("syntax-unknown-variant.ron", &[("syntax", 13, 48, "Unexpected variant named `vilage` in enum `NodeKind`")]),
    ("format.ron", &[("format", 4, 13, "format version 2 is not supported")]),
    ("duplicate-id.ron", &[("duplicate-id", 46, 14, "duplicate agency id \"fire\"")]),
    ("unknown-id.ron", &[("unknown-id", 90, 85, "unknown target \"schol\"")]),
    (
        "not-positive.ron",
        &[
            ("not-positive", 21, 76, "road length must be greater than zero, found -1.5"),
            ("not-positive", 53, 40, "shelter capacity must be greater than zero, found 0"),
        ],
    ),
    ("time-window.ron", &[("time-window", 88, 31, "+1d6h is outside the scenario window (after the end)")]),
    (
        "unreachable-shelter.ron",
        &[("unreachable-shelter", 13, 86, "\"village\" has 800 people but no road leads from it to any shelter")],
    ),
    ("kind-mismatch.ron", &[("kind-mismatch", 35, 70, "a levee's node \"crossing\" is of kind `rail_site`")]),
    ("shares.ron", &[("shares", 69, 21, "they sum to 1.100")]),
    ("order.ron", &[("order", 62, 54, "hydrograph times must increase")]),
    ("cycle.ron", &[("cycle", 31, 129, "the reaches flow in a loop: \"upper\" → \"lower\" → \"upper\"")]),
    ("range.ron", &[("range", 40, 53, "14 km is outside reach \"lower\" (0 to 12 km)")]),
    (
        "impossible-action.ron",
        &[(
            "impossible-action",
            80,
            49,
            "\"fire\" may not close_intake: its role, its `powers` and the plan do not give it",
        )],
    ),
    (
        "unit.ron",
        &[
            ("unit", 98, 64, "OnsetTime takes durations in quotes, not numbers"),
            ("unit", 98, 74, "OnsetTime takes durations in quotes, not numbers"),
        ],
    ),
    (
        "many.ron",
        &[
            ("format", 4, 13, "format version 2 is not supported"),
            ("unknown-id", 21, 53, "unknown node \"levee_pnt\""),
            ("cycle", 31, 129, "the reaches flow in a loop"),
            ("duplicate-id", 46, 14, "duplicate agency id \"fire\""),
            ("not-positive", 54, 40, "shelter capacity must be greater than zero"),
            ("shares", 70, 21, "they sum to 1.100"),
            ("time-window", 89, 31, "2010-06-21T08:00:00 is outside the scenario window (before the start)"),
            ("unknown-id", 91, 48, "unknown agency \"EOC\""),
            ("unknown-id", 91, 85, "unknown target \"schol\""),
        ],
    ),
];

/// Every rule `validate` (and the parser) can report; each needs a fixture of its own.
const RULES: &[&str] = &[
    "syntax",
    "format",
    "duplicate-id",
    "unknown-id",
    "not-positive",
    "time-window",
    "unreachable-shelter",
    "kind-mismatch",
    "shares",
    "order",
    "cycle",
    "range",
    "unit",
    "impossible-action",
];

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn invalid(name: &str) -> PathBuf {
    fixtures().join("invalid").join(name)
}

fn valid() -> PathBuf {
    fixtures().join("valid-minimal.ron")
}

/// The problems of a file that must be invalid.
fn problems(path: &Path) -> Problems {
    match scenario::load(path) {
        Ok(_) => panic!("{} loaded, but it should be invalid", path.display()),
        Err(LoadError::Invalid(p)) => p,
        Err(e) => panic!("{}: {e}", path.display()),
    }
}

fn show(p: &Problem) -> String {
    let help = p.help.as_deref().map(|h| format!("\n        help: {h}")).unwrap_or_default();
    format!("({:?}, {}, {}, {:?})  at {}{help}", p.rule, p.line, p.col, p.message, p.path)
}

/// Differences between what a file gave and what it should give; empty when they agree.
fn mismatch(actual: &[Problem], expected: &[Exp]) -> Vec<String> {
    let mut out = Vec::new();
    if actual.len() != expected.len() {
        out.push(format!("{} problem(s), expected {}", actual.len(), expected.len()));
    }
    for (i, e) in expected.iter().enumerate() {
        match actual.get(i) {
            Some(a) if (a.rule, a.line, a.col) == (e.0, e.1, e.2) && a.message.contains(e.3) => {}
            Some(a) => out.push(format!("#{i}: expected {e:?}\n      got {}", show(a))),
            None => out.push(format!("#{i}: expected {e:?}, missing")),
        }
    }
    out
}

#[test]
fn the_minimal_scenario_is_valid() {
    let v = scenario::load(&valid()).unwrap_or_else(|e| match e {
        LoadError::Invalid(p) => panic!("valid-minimal.ron is invalid:\n{}", p.short()),
        e => panic!("{e}"),
    });
    assert_eq!(v.scenario.meta.name, "最小演练 minimal drill");
    assert_eq!(v.scenario.map.nodes[0].name.as_deref(), Some("王家村"));
    assert_eq!(v.steps(), 24 * 60);
    // an expected action may fall to an agency the inject was not sent to
    let inject = &v.scenario.injects[0];
    assert!(!inject.to.contains(&inject.expected[0].agency));
}

#[test]
fn every_invalid_fixture_gives_exactly_its_problems() {
    let mut failures = Vec::new();
    for (name, expected) in EXPECTED {
        let p = problems(&invalid(name));
        let diff = mismatch(&p.problems, expected);
        if !diff.is_empty() {
            let actual: Vec<String> = p.problems.iter().map(|p| format!("    {}", show(p))).collect();
            failures.push(format!("{name}:\n  {}\n  actual problems:\n{}", diff.join("\n  "), actual.join("\n")));
        }
    }
    assert!(failures.is_empty(), "\n{}\n", failures.join("\n\n"));
}

#[test]
fn the_table_covers_every_fixture_and_every_rule() {
    let on_disk: BTreeSet<String> = std::fs::read_dir(fixtures().join("invalid"))
        .expect("tests/fixtures/invalid")
        .map(|e| e.expect("dir entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".ron"))
        .collect();
    let in_table: BTreeSet<String> = EXPECTED.iter().map(|(n, _)| n.to_string()).collect();
    assert_eq!(on_disk, in_table, "fixtures on disk vs. the EXPECTED table");

    // each rule has a fixture with that rule alone, named after it
    for rule in RULES {
        let own = EXPECTED.iter().any(|(name, exp)| {
            let stem = name.trim_end_matches(".ron");
            (stem == *rule || stem.starts_with(&format!("{rule}-")))
                && !exp.is_empty()
                && exp.iter().all(|e| e.0 == *rule)
        });
        assert!(own, "no fixture of its own for rule `{rule}`");
    }
    let used: BTreeSet<&str> = EXPECTED.iter().flat_map(|(_, e)| e.iter().map(|e| e.0)).collect();
    let known: BTreeSet<&str> = RULES.iter().copied().collect();
    assert_eq!(used, known, "rules in the table vs. RULES");
}

#[test]
fn positions_agree_with_spans_and_count_characters() {
    for (name, _) in EXPECTED {
        let p = problems(&invalid(name));
        for pr in &p.problems {
            assert_eq!(p.file.line_col(pr.span.start), (pr.line, pr.col), "{name}: {}", show(pr));
            assert!(pr.span.start <= pr.span.end && pr.span.end <= p.file.text.len(), "{name}: {}", show(pr));
        }
    }
    // on a line with Chinese before the fault, the column is in characters, not bytes
    let p = problems(&invalid("unreachable-shelter.ron"));
    let pr = &p.problems[0];
    let line = p.file.text.lines().nth(pr.line - 1).unwrap();
    let byte_col = 1 + line.find("800").unwrap();
    let char_col = 1 + line[..byte_col - 1].chars().count();
    assert_eq!((pr.col, byte_col - pr.col), (char_col, 6), "{line}");
    assert!(p.file.text[pr.span.clone()].starts_with("800"));
    // the same for a parser error
    let p = problems(&invalid("syntax-unknown-variant.ron"));
    assert!(p.file.text[p.problems[0].span.clone()].starts_with("vilage"));
}

#[test]
fn a_near_miss_gets_a_did_you_mean() {
    let p = problems(&invalid("unknown-id.ron"));
    assert_eq!(p.problems[0].help.as_deref(), Some("did you mean \"school\"?"));
    assert_eq!(p.problems[0].path, "plan.levels[0].actions[0].target");
    // case is ignored when looking for the near miss
    let p = problems(&invalid("many.ron"));
    let eoc = p.problems.iter().find(|p| p.message.contains("\"EOC\"")).unwrap();
    assert_eq!(eoc.help.as_deref(), Some("did you mean \"eoc\"?"));
    // a duplicate points at the first
    let p = problems(&invalid("duplicate-id.ron"));
    assert!(p.problems[0].help.as_deref().unwrap().contains("line 45, column 14"), "{}", show(&p.problems[0]));
}

#[test]
fn all_problems_of_a_file_come_in_one_run_in_file_order() {
    let p = problems(&invalid("many.ron"));
    assert!(p.problems.len() >= 8, "{}", p.short());
    let rules: BTreeSet<&str> = p.problems.iter().map(|p| p.rule).collect();
    assert!(rules.len() >= 7, "{rules:?}");
    let places: Vec<(usize, usize)> = p.problems.iter().map(|p| (p.line, p.col)).collect();
    let mut sorted = places.clone();
    sorted.sort();
    assert_eq!(places, sorted, "problems are not in file order");
    // both renderings list them all
    assert_eq!(p.short().lines().count(), p.problems.len());
    let rendered = p.render(false);
    for pr in &p.problems {
        let at = format!("{}:{}:{}", p.file.path.display(), pr.line, pr.col);
        assert!(rendered.contains(&at), "{at} missing from\n{rendered}");
    }
}

#[test]
fn no_fixture_makes_the_loader_panic() {
    let mut files = vec![valid()];
    for e in std::fs::read_dir(fixtures().join("invalid")).unwrap() {
        files.push(e.unwrap().path());
    }
    for f in files {
        let r = std::panic::catch_unwind(|| {
            if let Err(LoadError::Invalid(p)) = scenario::load(&f) {
                let _ = (p.render(false), p.short());
            }
        });
        assert!(r.is_ok(), "loading {} panicked", f.display());
    }
}

/// Char boundaries of `text`, with the end.
fn boundaries(text: &str) -> Vec<usize> {
    text.char_indices().map(|(i, _)| i).chain([text.len()]).collect()
}

#[test]
fn a_truncated_scenario_never_panics_and_always_has_a_problem() {
    let text = std::fs::read_to_string(valid()).unwrap();
    for (k, cut) in boundaries(&text).into_iter().enumerate() {
        let prefix = &text[..cut];
        if prefix.trim_end() == text.trim_end() {
            continue; // only trailing whitespace cut: still the valid file
        }
        let r = std::panic::catch_unwind(|| scenario::parse(SourceFile::new("cut.ron", prefix)));
        let Ok(r) = r else { panic!("panicked on the file cut at byte {cut}:\n{prefix}") };
        let Err(p) = r else { panic!("the file cut at byte {cut} passed:\n{prefix}") };
        assert!(!p.problems.is_empty(), "cut at byte {cut}: no problems");
        for pr in &p.problems {
            assert!(pr.span.end <= prefix.len() && pr.line >= 1 && pr.col >= 1, "cut at {cut}: {}", show(pr));
        }
        if k % 16 == 0 {
            assert!(!p.render(false).is_empty());
        }
    }
}

#[test]
fn deleting_any_one_character_never_panics() {
    let text = std::fs::read_to_string(valid()).unwrap();
    for (i, ch) in text.char_indices() {
        let mutated = format!("{}{}", &text[..i], &text[i + ch.len_utf8()..]);
        let r = std::panic::catch_unwind(|| scenario::parse(SourceFile::new("cut.ron", mutated.as_str())));
        let Ok(r) = r else { panic!("panicked with the character at byte {i} ({ch:?}) deleted") };
        if let Err(p) = r {
            assert!(!p.problems.is_empty());
            for pr in &p.problems {
                assert_eq!(p.file.line_col(pr.span.start), (pr.line, pr.col), "byte {i} deleted: {}", show(pr));
            }
        }
    }
}

/// The valid fixture with `old` (found exactly once) replaced by `new`, parsed.
fn variant(old: &str, new: &str) -> Result<scenario::ValidScenario, Problems> {
    let text = std::fs::read_to_string(valid()).unwrap();
    assert_eq!(text.matches(old).count(), 1, "{old:?}");
    scenario::parse(SourceFile::new("variant.ron", text.replacen(old, new, 1)))
}

#[test]
fn a_plan_target_may_be_any_kind_of_id() {
    for id in ["village", "intake", "fire_1", "polder", "levee", "school_road", "upper", "breach"] {
        let r = variant("target: \"school\"", &format!("target: \"{id}\""));
        assert!(r.is_ok(), "target {id}: {}", r.err().unwrap().short());
    }
    // an agency is not a target; without a near miss the help says what a target is
    let p = variant("target: \"school\"", "target: \"water\"").unwrap_err();
    assert_eq!(p.problems.len(), 1, "{}", p.short());
    assert_eq!((p.problems[0].rule, p.problems[0].line, p.problems[0].col), ("unknown-id", 90, 85));
    assert!(p.problems[0].help.as_deref().unwrap().starts_with("a target is the id of"), "{}", show(&p.problems[0]));
}

#[test]
fn a_loop_of_reaches_is_reported_once() {
    // upper flows into lower, which flows into itself: one loop, at lower, not at upper
    let p = variant("dispersion_m2s: 60.0)", "dispersion_m2s: 60.0, downstream: \"lower\")").unwrap_err();
    assert_eq!(p.problems.len(), 1, "{}", p.short());
    assert_eq!(p.problems[0].path, "map.rivers[0].reaches[1].downstream");
    assert!(p.problems[0].message.ends_with("\"lower\" → \"lower\""), "{}", show(&p.problems[0]));
}

#[test]
fn a_bad_value_is_placed_at_its_start() {
    // ron itself places these errors inside the value
    let p = variant("within: \"30m\"", "within: \"30x\"").unwrap_err();
    assert_eq!((p.problems[0].line, p.problems[0].col), (80, 72), "{}", show(&p.problems[0]));
    assert!(p.file.text[p.problems[0].span.clone()].starts_with("\"30x\""));
    let p = variant("population: 800", "population: -800").unwrap_err();
    assert!(p.file.text[p.problems[0].span.clone()].starts_with("-800"), "{}", show(&p.problems[0]));
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let text = format!("(format: 1, meta: {}", "[".repeat(200_000));
    let p = scenario::parse(SourceFile::new("deep.ron", text)).unwrap_err();
    assert_eq!(p.problems.len(), 1);
    assert_eq!(p.problems[0].rule, "syntax");
}

#[test]
fn the_cli_shows_file_line_col_and_exits_2_when_invalid() {
    let file = "tests/fixtures/invalid/unknown-id.ron";
    for short in [false, true] {
        let args: &[&str] = if short { &["validate", "--short", file] } else { &["validate", file] };
        let out = drillsim(args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}\n{stderr}");
        assert!(stderr.contains(&format!("{file}:90:85")), "{args:?}\n{stderr}");
        assert!(stderr.contains("unknown-id"), "{args:?}\n{stderr}");
        assert!(stderr.contains("did you mean \"school\"?") || short, "{args:?}\n{stderr}");
    }
    let out = drillsim(&["validate", "--short", "tests/fixtures/invalid/many.ron"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    let listed = stderr.lines().filter(|l| l.starts_with("tests/fixtures/invalid/many.ron:")).count();
    let expected = EXPECTED.iter().find(|(n, _)| *n == "many.ron").unwrap().1.len();
    assert_eq!(listed, expected + 1, "one line per problem and a count:\n{stderr}");
}

#[test]
fn the_cli_exits_0_on_a_valid_file_and_2_if_any_is_invalid() {
    let ok = "tests/fixtures/valid-minimal.ron";
    let out = drillsim(&["validate", ok]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("ok"));

    let out = drillsim(&["validate", "--short", ok, "tests/fixtures/invalid/format.ron"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("tests/fixtures/invalid/format.ron:4:13: [format]"), "{stderr}");
}

#[test]
fn critical_tasks_name_existing_actions_and_sane_targets() {
    let ok = variant(
        "    ),\n)",
        "    ),\n    critical_tasks: [(id: \"CT1\", name: \"Shelter\", area: protection_of_people, \
         actions: [\"open_school\"], injects: [\"inj_1\"], targets: [MaxDeaths(0), BreachClosedWithin(\"2d\")])],\n)",
    );
    assert!(ok.is_ok(), "{}", ok.err().unwrap().short());
    let p = variant(
        "    ),\n)",
        "    ),\n    critical_tasks: [(id: \"CT1\", name: \"Shelter\", area: protection_of_people, \
         actions: [\"open_scool\"], reports: [\"r9\"], targets: [MinLeftBeforeFlood(1.5)]),\n\
         (id: \"CT1\", name: \" \", area: handling)],\n)",
    )
    .unwrap_err();
    let got: Vec<(&str, &str)> = p.problems.iter().map(|x| (x.rule, x.path.as_str())).collect();
    assert_eq!(
        got,
        [
            ("unknown-id", "critical_tasks[0].actions[0]"),
            ("unknown-id", "critical_tasks[0].reports[0]"),
            ("range", "critical_tasks[0].targets[0]"),
            ("not-positive", "critical_tasks[1]"),
            ("duplicate-id", "critical_tasks[1].id"),
            ("not-positive", "critical_tasks[1].name"),
        ],
        "{}",
        p.short()
    );
    assert!(p.problems[0].help.as_deref().unwrap_or("").contains("open_school"), "{}", show(&p.problems[0]));
}

/// The shipped derailment scenario with `old` (found once) replaced by `new`, parsed; and the
/// 1-based line and column (in characters) where `at` (found once in the new text) starts.
fn derailment_variant(old: &str, new: &str, at: &str) -> (Problems, (usize, usize)) {
    let text = std::fs::read_to_string("scenarios/derailment-0523.ron").unwrap();
    assert_eq!(text.matches(old).count(), 1, "{old:?}");
    let text = text.replacen(old, new, 1);
    assert_eq!(text.matches(at).count(), 1, "{at:?}");
    let before = &text[..text.find(at).unwrap()];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().unwrap().chars().count() + 1;
    let p = scenario::parse(SourceFile::new("d.ron", text)).map(|_| ()).unwrap_err();
    (p, (line, col))
}

#[test]
fn a_hazards_fields_are_read_and_placed_as_a_struct_variants_were() {
    // Each hazard kind's fields are a params struct in a newtype variant; a file still writes
    // `Derailment(id: …, …)`, and its problems name the variant and point at the field.
    let (p, at) = derailment_variant("casualties: 90,", "casualtys: 90,", "casualtys");
    let q = &p.problems[0];
    assert_eq!((q.rule, q.line, q.col), ("syntax", at.0, at.1), "{}", show(q));
    assert!(q.message.starts_with("Unexpected field named `casualtys` in `Derailment`"), "{}", show(q));
    let (p, _) = derailment_variant("casualties: 90,", "", "// record: 19 dead");
    assert!(p.problems[0].message.contains("missing field named `casualties` in `Derailment`"), "{}", p.short());
    let (p, at) = derailment_variant("trapped_share: 0.4,", "trapped_share: 1.4,", "1.4,");
    let q = &p.problems[0];
    assert_eq!(
        (q.rule, q.line, q.col, q.path.as_str()),
        ("range", at.0, at.1, "hazards[0].trapped_share"),
        "{}",
        show(q)
    );
    let (p, at) = derailment_variant("        Derailment(", "        Derailmnet(", "Derailmnet");
    let q = &p.problems[0];
    assert_eq!((q.rule, q.line, q.col), ("syntax", at.0, at.1), "{}", show(q));
    assert!(q.message.contains("`Derailmnet` in enum `Hazard`"), "{}", show(q));
}

/// The valid fixture with each `(old, new)` replaced (each `old` found exactly once).
fn variant_all(edits: &[(&str, &str)]) -> Result<scenario::ValidScenario, Problems> {
    let mut text = std::fs::read_to_string(valid()).unwrap();
    for (old, new) in edits {
        assert_eq!(text.matches(old).count(), 1, "{old:?}");
        text = text.replacen(old, new, 1);
    }
    scenario::parse(SourceFile::new("variant.ron", text))
}

/// (line, column) of the first `needle` in `text`, 1-based, columns in characters.
fn at(text: &str, needle: &str) -> (usize, usize) {
    let i = text.find(needle).unwrap_or_else(|| panic!("{needle:?}"));
    let line = text[..i].matches('\n').count() + 1;
    let start = text[..i].rfind('\n').map_or(0, |k| k + 1);
    (line, text[start..i].chars().count() + 1)
}

/// Areas (`map.areas`), an expected action's `target` and the boat-rescue parameters are
/// checked where they are written: an unknown place, an empty area, an area id that is a node's,
/// an unknown target, a boat capacity of 0. An area is a valid target for plans and injects.
#[test]
fn areas_targets_and_rescue_parameters_are_checked_at_their_place() {
    let areas = "        areas: [(id: \"twp\", name: \"王家乡\", places: [\"village\", \"polderr\"]), (id: \"village\", places: [])],\n        rivers: [";
    let target = "expected: [(agency: \"fire\", action: dispatch_team, target: \"schol\", within: \"30m\")]";
    let rescue = "rescue: (boat_capacity: 0),\n        shelters: [";
    let edits = [
        ("        rivers: [", areas),
        ("expected: [(agency: \"fire\", action: dispatch_team, within: \"30m\")]", target),
        ("shelters: [", rescue),
    ];
    let p = variant_all(&edits).unwrap_err();
    let text = p.file.text.clone();
    let got: BTreeSet<(&str, usize, usize)> = p.problems.iter().map(|x| (x.rule, x.line, x.col)).collect();
    let areas_line = at(&text, "areas: [").0;
    let col = |needle: &str| at(&text, needle).1;
    let want: BTreeSet<(&str, usize, usize)> = [
        ("unknown-id", areas_line, col("\"polderr\"")),
        ("duplicate-id", areas_line, col("\"village\", places: []")),
        ("not-positive", areas_line, col("places: [])") + "places: ".len()),
        ("unknown-id", at(&text, "\"schol\"").0, col("\"schol\"")),
        ("range", at(&text, "boat_capacity").0, col("boat_capacity: 0") + "boat_capacity: ".len()),
    ]
    .into_iter()
    .collect();
    assert_eq!(got, want, "{}", p.short());
    let polder = p.problems.iter().find(|x| x.message.contains("polderr")).unwrap();
    assert_eq!(polder.help.as_deref(), Some("did you mean \"polder\"?"), "{}", show(polder));
    // an area (and a target on an expected action) is fine where it is right
    let ok = variant_all(&[
        ("        rivers: [", "        areas: [(id: \"twp\", places: [\"polder\"])],\n        rivers: ["),
        ("target: \"school\"", "target: \"twp\""),
        (
            "expected: [(agency: \"fire\", action: dispatch_team, within: \"30m\")]",
            "expected: [(agency: \"fire\", action: dispatch_team, target: \"twp\", within: \"30m\")]",
        ),
    ]);
    assert!(ok.is_ok(), "{}", ok.err().unwrap().short());
}

/// The `visibility` section (what each agency's seat of a served exercise sees) names agencies,
/// injects and hazards of the scenario; each unknown one is reported where it is written.
#[test]
fn a_visibility_section_names_known_agencies_injects_and_hazards() {
    let base = std::fs::read_to_string(valid()).unwrap();
    let body = base.trim_end().strip_suffix(')').unwrap();
    let section = "    visibility: (\n        hazards: Never,\n        agencies: { \"fire\": (other_teams: true), \"police\": (hazards: Always) },\n        reports: { \"inj_1\": [\"breach\", \"braech\"], \"inj_9\": [] },\n    ),\n)\n";
    let text = format!("{body}{section}");
    let first = body.lines().count() + 1; // the section's first line
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("visibility.ron");
    std::fs::write(&path, &text).unwrap();
    let p = problems(&path);
    let at = |line: usize, needle: &str| (line, text.lines().nth(line - 1).unwrap().find(needle).unwrap() + 1);
    let got: Vec<(String, usize, usize, String)> =
        p.problems.iter().map(|x| (x.rule.to_string(), x.line, x.col, x.message.clone())).collect();
    let want = [
        ("unknown-id", at(first + 2, "(hazards: Always)"), "unknown agency \"police\""),
        ("unknown-id", at(first + 3, "\"braech\""), "unknown hazard \"braech\""),
        ("unknown-id", at(first + 3, "[]"), "unknown inject \"inj_9\""),
    ];
    assert_eq!(got.len(), want.len(), "{got:#?}");
    for ((rule, (l, c), msg), g) in want.iter().zip(&got) {
        assert_eq!((rule.to_string(), *l, *c, msg.to_string()), *g, "{got:#?}");
    }
    assert_eq!(p.problems[1].help.as_deref(), Some("did you mean \"breach\"?"));
    // Without the faults the same section is valid.
    let fixed =
        text.replace(", \"police\": (hazards: Always)", "").replace(", \"braech\"", "").replace(", \"inj_9\": []", "");
    std::fs::write(&path, &fixed).unwrap();
    scenario::load(&path).unwrap_or_else(|e| panic!("{e}"));
}

/// A plan action's order names ids of the kinds its fields take: each unknown one (or one of
/// another kind: a village is no shelter, nor a depot) is reported at its place, and the same
/// orders naming the right ids give no such problem.
#[test]
fn a_plan_orders_ids_are_checked_by_kind_at_their_place() {
    let action = "(id: \"open_school\", owner: \"eoc\", action: open_shelter, target: \"school\", deadline: \"1h\"),";
    let orders = |ids: [&str; 11]| {
        let [shelter, road, team, node, intake, from, to, depot, agency, inject, at] = ids;
        [
            format!("(id: \"a1\", owner: \"eoc\", action: open_shelter, deadline: \"1h\", order: OpenShelter(\"{shelter}\")),"),
            format!("(id: \"a2\", owner: \"eoc\", action: close_road, deadline: \"1h\", order: CloseRoad(\"{road}\")),"),
            format!(
                "(id: \"a3\", owner: \"fire\", action: dispatch_team, deadline: \"1h\", order: Dispatch(team: \"{team}\", to: \"{node}\", task: rescue)),"
            ),
            format!("(id: \"a4\", owner: \"water\", action: close_intake, deadline: \"1h\", order: CloseIntake(\"{intake}\")),"),
            format!("(id: \"a5\", owner: \"eoc\", action: evacuate, deadline: \"1h\", order: Evacuate(from: \"{from}\", to: \"{to}\")),"),
            format!(
                "(id: \"a6\", owner: \"eoc\", action: deliver_supplies, deadline: \"1h\", order: DeliverSupplies(from: \"{depot}\", to: \"school\", item: \"tents\", quantity: 5.0)),"
            ),
            format!("(id: \"a7\", owner: \"fire\", action: request_support, deadline: \"1h\", order: RequestSupport(to: \"{agency}\", what: \"boats\")),"),
            format!("(id: \"a8\", owner: \"eoc\", action: acknowledge, deadline: \"1h\", order: Acknowledge(\"{inject}\")),"),
            format!(
                "(id: \"a9\", owner: \"eoc\", action: set_up_command_post, deadline: \"1h\", order: SetUpCommandPost(name: \"前指\", at: \"{at}\")),"
            ),
        ]
        .join("\n                    ")
    };
    let bad = orders([
        "village",
        "school_rd",
        "fire_2",
        "vilage",
        "intak",
        "polderr",
        "village",
        "village",
        "fir",
        "inj_2",
        "levee",
    ]);
    let p = variant(action, &bad).unwrap_err();
    let text = p.file.text.clone();
    let got: BTreeSet<(String, usize, usize, String)> = p
        .problems
        .iter()
        .filter(|x| x.rule == "unknown-id")
        .map(|x| (x.path.clone(), x.line, x.col, x.message.clone()))
        .collect();
    // (action, field, the id as written, after what in the action's line, the message)
    let want_at = |k: usize, field: &str, after: &str, id: &str, what: &str| {
        let line_start = text.find(&format!("(id: \"a{}\"", k + 1)).unwrap();
        let i = line_start + text[line_start..].find(&format!("{after}\"{id}\"")).unwrap() + after.len();
        let line = text[..i].matches('\n').count() + 1;
        let col = text[text[..i].rfind('\n').unwrap() + 1..i].chars().count() + 1;
        (format!("plan.levels[0].actions[{k}].order.{field}"), line, col, format!("unknown {what} \"{id}\""))
    };
    let want: BTreeSet<(String, usize, usize, String)> = [
        want_at(0, "0", "OpenShelter(", "village", "shelter"),
        want_at(1, "0", "CloseRoad(", "school_rd", "road"),
        want_at(2, "team", "team: ", "fire_2", "team"),
        want_at(2, "to", "to: ", "vilage", "node"),
        want_at(3, "0", "CloseIntake(", "intak", "intake"),
        want_at(4, "from", "from: ", "polderr", "node, flood zone or area"),
        want_at(4, "to", "to: ", "village", "shelter"),
        want_at(5, "from", "from: ", "village", "depot"),
        want_at(6, "to", "to: ", "fir", "agency"),
        want_at(7, "0", "Acknowledge(", "inj_2", "inject"),
        want_at(8, "at", "at: ", "levee", "node"),
    ]
    .into_iter()
    .collect();
    assert_eq!(got, want, "{}", p.short());
    // The right ids (a flood zone to evacuate; the fixture has no depot, so that one stays).
    let good = orders([
        "school",
        "school_road",
        "fire_1",
        "village",
        "intake",
        "polder",
        "school",
        "village",
        "fire",
        "inj_1",
        "levee_pt",
    ]);
    let p = variant(action, &good).unwrap_err();
    let order_problems: Vec<(&str, &str)> = p
        .problems
        .iter()
        .filter(|x| x.path.contains(".order."))
        .map(|x| (x.path.as_str(), x.message.as_str()))
        .collect();
    assert_eq!(
        order_problems,
        [("plan.levels[0].actions[5].order.from", "unknown depot \"village\"")],
        "{}",
        p.short()
    );
}
