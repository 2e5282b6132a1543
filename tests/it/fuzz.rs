//! Property tests (proptest) of the three readers of people's input: the scenario parser, the
//! order-file parser and the live line reader. Whatever the input: no panic, problems placed
//! within the file and rendered in bounded size, and whatever is accepted is written to the
//! records in a form the readers take back (no `null`, no negative time).
//!
//! `cargo test --test it fuzz::` runs a few cases of each (CI); for a longer hunt:
//!
//! ```sh
//! PROPTEST_CASES=20000 cargo test --release --test it fuzz::
//! ```

use std::sync::{Arc, OnceLock};

use drillsim::engine::{RunOptions, build_app};
use drillsim::exercise::durable::{LoggedOrder, parse_log};
use drillsim::exercise::live::{Answer, Live, parse_line};
use drillsim::exercise::orders::parse_orders;
use drillsim::journal::Journal;
use drillsim::scenario::{self, SourceFile, ValidScenario};
use proptest::prelude::*;

use crate::support::{DEMO, DEMO_ORDERS as ORDERS, load};

/// Cases per property: `PROPTEST_CASES`, else a few for CI.
fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(48);
    ProptestConfig { cases, failure_persistence: None, ..ProptestConfig::default() }
}

fn demo() -> Arc<ValidScenario> {
    static SC: OnceLock<Arc<ValidScenario>> = OnceLock::new();
    SC.get_or_init(|| load(DEMO)).clone()
}

/// Tokens that broke readers before: non-finite and huge numbers, huge times, odd characters.
fn hostile() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("NaN".to_string()),
        Just("inf".to_string()),
        Just("-inf".to_string()),
        Just("1e309".to_string()),
        Just("1e308".to_string()),
        Just("-1e308".to_string()),
        Just("\"+18446744073709551615s\"".to_string()),
        Just("\"+9223372036854775808s\"".to_string()),
        Just("\"999999999999h\"".to_string()),
        Just("\"2262-04-12T00:00\"".to_string()),
        Just("水位".to_string()),
        Just("(".to_string()),
        Just(")".to_string()),
        Just("\"".to_string()),
        "[0-9]{1,25}(\\.[0-9]{0,5})?(e[0-9]{1,3})?",
        "\\PC{0,12}",
    ]
}

/// A text changed at a few places: a token replaced, a piece removed, or cut short.
fn mutated(base: &'static str) -> impl Strategy<Value = String> {
    let n = base.len();
    prop::collection::vec((0..n, 0..40usize, hostile()), 1..4).prop_flat_map(move |edits| {
        (Just(edits), 0..=n, any::<bool>()).prop_map(move |(edits, cut, do_cut)| {
            let mut t = base.to_string();
            for (at, del, with) in edits {
                let mut at = at.min(t.len());
                while !t.is_char_boundary(at) {
                    at -= 1;
                }
                let mut end = (at + del).min(t.len());
                while !t.is_char_boundary(end) {
                    end -= 1;
                }
                t.replace_range(at..end, &with);
            }
            if do_cut {
                let mut c = cut.min(t.len());
                while !t.is_char_boundary(c) {
                    c -= 1;
                }
                t.truncate(c);
            }
            t
        })
    })
}

fn check_problems(p: &scenario::Problems) {
    let lines = p.file.text.lines().count().max(1) + 1;
    assert!(!p.problems.is_empty());
    for q in &p.problems {
        assert!(q.line >= 1 && q.line <= lines, "line {} of {lines}", q.line);
    }
    let shown = p.render(false);
    assert!(shown.len() < 4_000 * p.problems.len() + 1_000, "{} bytes for {} problems", shown.len(), p.problems.len());
}

fn text_of(path: &str) -> &'static str {
    Box::leak(std::fs::read_to_string(path).unwrap().into_boxed_str())
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn the_scenario_parser_never_panics_and_places_every_problem(text in mutated(text_of(DEMO))) {
        if let Err(p) = scenario::parse(SourceFile::new("fuzz.ron", text)) {
            check_problems(&p);
        }
    }

    #[test]
    fn the_order_parser_never_panics_and_what_it_takes_has_valid_times(text in mutated(text_of(ORDERS))) {
        let sc = demo();
        match parse_orders(SourceFile::new("fuzz-orders.ron", text), &sc) {
            Err(p) => check_problems(&p),
            Ok(book) => {
                for o in &book.pending {
                    prop_assert!(o.t <= sc.duration_secs, "an order at +{}s past the end", o.t);
                    let rec =
                        LoggedOrder { tag: 1, queued_at: 0, t: o.t, by: o.by.clone(), order: o.order.clone(), claimed: None };
                    let json = serde_json::to_string(&rec).unwrap();
                    prop_assert!(!json.contains("null"), "{json}");
                }
            }
        }
    }

    #[test]
    fn the_live_line_reader_answers_every_line_and_logs_what_reads_back(
        lines in prop::collection::vec(
            prop_oneof![
                hostile().prop_map(|h| format!("(by: \"control\", order: Speed({h}))")),
                hostile().prop_map(|h| format!("(by: \"civil\", order: DeliverSupplies(from: \"dp_flood\", to: \"sh_school\", item: \"sandbags\", quantity: {h}))")),
                hostile().prop_map(|h| format!("(at: {h}, by: \"ofc\", order: Log(\"x\"))")),
                hostile().prop_map(|h| format!("{{\"by\": \"control\", \"order\": {{\"Speed\": {h}}}}}")),
                hostile().prop_map(|h| format!("(by: \"ofc\", order: Retime({h}))")),
                "\\PC{0,80}",
            ],
            1..8,
        ),
        raw in prop::collection::vec(any::<u8>(), 0..40),
    ) {
        let sc = demo();
        let dir = tempfile::tempdir().unwrap();
        let log_path = dir.path().join("orders.log");
        let app = build_app(sc.clone(), RunOptions::default(), Journal::in_memory());
        let mut live = Live::new(app, 60.0, true);
        let spec = drillsim::exercise::durable::SessionSpec {
            drillsim_version: "test".into(),
            scenario_path: DEMO.into(),
            scenario_sha256: sc.sha256().to_string(),
            seed: 1,
            speed: 60.0,
            paused: true,
            auto: None,
        };
        live.set_log(drillsim::exercise::durable::OrderLog::create(&log_path, &spec).unwrap());
        let mut tags = Vec::new();
        for l in &lines {
            let quiet = l.trim().is_empty() || l.trim_start().starts_with("//");
            let parsed = parse_line(l, &sc);
            match live.take_bytes(l.as_bytes()) {
                Some(Answer::Invalid { tag, reason }) => {
                    prop_assert!(reason.chars().count() < 600, "an answer of {} characters", reason.len());
                    tags.push(tag);
                }
                Some(a) => prop_assert!(false, "a line is answered later, not at once: {a:?}"),
                None => prop_assert!(quiet || parsed.is_ok(), "{l:?} got no answer"),
            }
        }
        if let Some(Answer::Invalid { tag, .. }) = live.take_bytes(&raw) {
            tags.push(tag);
        }
        live.decide_now();
        for a in live.answers() {
            if let Answer::Accepted { tag, .. } | Answer::Refused { tag, .. } = a {
                tags.push(tag);
            }
        }
        prop_assert!(live.log_error.is_none(), "{:?}", live.log_error);
        // Every order that was queued is in the log, and the log reads back whole.
        let log = parse_log(&std::fs::read(&log_path).unwrap()).map_err(|(n, m)| TestCaseError::fail(format!("line {n}: {m}")))?;
        prop_assert!(!log.torn);
        for o in &log.orders {
            prop_assert!(o.t <= sc.duration_secs);
        }
        let mut sorted = tags.clone();
        sorted.sort_unstable();
        sorted.dedup();
        prop_assert_eq!(sorted.len(), tags.len(), "answer numbers repeat: {:?}", tags);
        prop_assert!(log.last_tag >= tags.iter().copied().max().unwrap_or(0), "an answer number not in the log");
    }
}
