//! The journal in words: one sentence per entry in the reader's language, with names for the
//! ids (`journal.<kind>` in `assets/locales/`). The GUI's journal panel and its seat of
//! `drillsim serve` show these instead of the entries' JSON.
//!
//! Each entry's fields fill the placeholders of the same name: ids become names through a
//! [`Namer`], durations (`…_s`) read as durations, numbers are grouped, lists joined. An entry
//! with a `rising` or `above` flag has a sentence for each way (`journal.<kind>.up` / `.down`).

use serde_json::Value;

use super::Lang;
use super::names::{Namer, display_name};
use crate::journal::{Entry, Event};
use crate::scenario::types::{Capability, Level, ReportKind};

/// At most this many names of a list are spelled out.
const LIST_MAX: usize = 5;

/// The entry as a sentence (without its time).
pub fn sentence(n: &dyn Namer, e: &Entry) -> String {
    let w = n.words();
    let lang = w.lang();
    let kind = e.event.kind();
    match &e.event {
        Event::OrderAccepted { by, order } => {
            return w
                .f("journal.order_accepted", &[("by", &n.agency(by)), ("order", &super::model::order_text(n, order))]);
        }
        Event::OrderRefused { by, order, reason, refusal, claimed } => {
            let key = if claimed.is_some() { "journal.order_refused.claimed" } else { "journal.order_refused" };
            let claimed = claimed.as_deref().map(|c| n.agency(c)).unwrap_or_default();
            // a journal written before refusals were journaled whole has the English reason only
            let reason = refusal.as_ref().map_or_else(|| reason.clone(), |r| super::refusal::sentence(n, r));
            return w.f(
                key,
                &[
                    ("by", &n.agency(by)),
                    ("order", &super::model::order_text(n, order)),
                    ("reason", &reason),
                    ("claimed", &claimed),
                ],
            );
        }
        Event::InjectDelivered { from, to, text, text_en, .. } => {
            let shown = match (lang, text_en) {
                (Lang::En, Some(en)) if !en.trim().is_empty() => en.clone(),
                _ => text.clone(),
            };
            let to: Vec<String> = to.iter().map(|a| n.agency(a)).collect();
            return w
                .f("journal.inject_delivered", &[("from", &n.agency(from)), ("to", &w.list(&to)), ("text", &shown)]);
        }
        _ => {}
    }
    let v = serde_json::to_value(&e.event).unwrap_or_default();
    let Some(fields) = v.as_object() else { return w.t(&format!("journal.{kind}")) };
    let mut key = format!("journal.{kind}");
    for flag in ["rising", "above"] {
        if let Some(Value::Bool(b)) = fields.get(flag) {
            key.push_str(if *b { ".up" } else { ".down" });
        }
    }
    let args: Vec<(&str, String)> =
        fields.iter().filter(|(k, _)| *k != "kind").map(|(k, v)| (k.as_str(), value(n, kind, k, v))).collect();
    let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
    w.f(&key, &args)
}

/// One field's value in words.
fn value(n: &dyn Namer, kind: &str, field: &str, v: &Value) -> String {
    let w = n.words();
    match v {
        Value::Null => "—".into(),
        Value::Bool(_) => String::new(),
        // a one-entry object is a tagged value (`{"order": "ofc"}`), read as "order:ofc"
        Value::Object(m) => match m.iter().next() {
            Some((k, Value::String(x))) if m.len() == 1 => text(n, kind, field, &format!("{k}:{x}")),
            _ => String::new(),
        },
        Value::Number(x) => {
            if field.ends_with("_s") {
                let secs = x.as_i64().unwrap_or_default();
                w.dur(secs.unsigned_abs())
            } else if let Some(i) = x.as_u64() {
                w.num(i)
            } else {
                super::charts::fmt_value(x.as_f64().unwrap_or_default())
            }
        }
        Value::String(s) => text(n, kind, field, s),
        Value::Array(items) => {
            let mut names: Vec<String> = items
                .iter()
                .take(LIST_MAX)
                .map(|x| match x {
                    Value::String(s) => text(n, kind, field, s),
                    other => value(n, kind, field, other),
                })
                .collect();
            if items.len() > LIST_MAX {
                names.push(w.f("journal.more", &[("n", &w.num((items.len() - LIST_MAX) as u64))]));
            }
            w.list(&names)
        }
    }
}

/// A string field: an id as its name, a level, a task, a kind of report or an item in words,
/// free text as written.
fn text(n: &dyn Namer, kind: &str, field: &str, s: &str) -> String {
    let lang = n.words().lang();
    match field {
        "by" | "owner" | "evaluator" | "claimed" | "lead" => n.agency(s),
        "hazard" => n.hazard(s),
        "inject" | "injects" => n.inject(s),
        "action" => n.action(s),
        "item" => n.item(s),
        "task" => parsed(s).map_or_else(|_| s.to_string(), |c: Capability| n.capability(c)),
        "report" => parsed(s).map_or_else(|_| s.to_string(), |k: ReportKind| n.report_kind(k)),
        "level" | "from" | "to"
            if kind == "level_changed" || kind == "plan_triggered" || kind == "plan_action_done" =>
        {
            parsed(s).map_or_else(|_| s.to_string(), |l: Level| n.level(l))
        }
        "name" | "what" | "text" | "scenario_name" => display_name(s, lang),
        "reason" if kind.starts_with("road_") => cause(n, s),
        "reason" | "detail" | "trigger" | "note" | "seen" | "capability" | "time" | "peak_time" | "hazard_kind"
        | "rating" => s.to_string(),
        _ => n.place(s),
    }
}

/// A serde value read back from its string (a capability, a kind of report, a level).
fn parsed<T: serde::de::DeserializeOwned>(s: &str) -> Result<T, serde_json::Error> {
    serde_json::from_value(Value::String(s.to_string()))
}

/// Why a road closed or reopened: an agency's order, the flood, a hazard's site.
fn cause(n: &dyn Namer, s: &str) -> String {
    match s.split_once(':') {
        Some(("order", by)) => n.agency(by),
        Some((_, hazard)) => n.hazard(hazard),
        None => n.words().t(&format!("journal.reason.{s}")),
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::sync::Arc;

    use super::*;
    use crate::report::names::Names;
    use crate::report::words::Words;

    /// Every kind of entry (the names `Event::kind` gives, from the enum).
    fn kinds() -> Vec<String> {
        <Event as strum::VariantNames>::VARIANTS.iter().map(|k| k.to_string()).collect()
    }

    #[test]
    fn every_kind_of_entry_has_a_sentence_in_both_languages() {
        let kinds = kinds();
        assert!(kinds.len() > 50, "{kinds:?}");
        for lang in Lang::ALL {
            let w = Words::of(lang);
            for k in &kinds {
                let has = |key: &str| w.map().contains_key(key);
                let two_ways = has(&format!("journal.{k}.up")) && has(&format!("journal.{k}.down"));
                assert!(has(&format!("journal.{k}")) || two_ways, "{}: no sentence journal.{k}", lang.code());
            }
        }
    }

    fn run(scenario: &str, orders: &str) -> (Arc<crate::scenario::ValidScenario>, Vec<Entry>) {
        let sc = Arc::new(crate::scenario::load(Path::new(scenario)).expect("scenario"));
        let book = crate::exercise::orders::load_orders(Path::new(orders), &sc).expect("orders");
        let mut app = crate::engine::build_app(
            sc.clone(),
            crate::engine::RunOptions { orders: Some(book), ..Default::default() },
            crate::journal::Journal::in_memory(),
        );
        crate::engine::run_to_end(&mut app).expect("run");
        let entries = app.world().resource::<crate::journal::Journal>().entries.clone();
        (sc, entries)
    }

    /// Whether a scenario id (not a word that happens to be one) shows in a sentence.
    fn ids_in(sc: &crate::scenario::ValidScenario, s: &str) -> Vec<String> {
        let sc = &sc.scenario;
        let mut ids: Vec<&str> = sc.resources.teams.iter().map(|t| t.id.as_str()).collect();
        ids.extend(sc.map.nodes.iter().filter(|n| n.name.is_some()).map(|n| n.id.as_str()));
        ids.extend(sc.map.flood_zones.iter().filter(|z| z.name.is_some()).map(|z| z.id.as_str()));
        ids.into_iter()
            .filter(|id| id.len() > 3 && s.split(|c: char| !c.is_ascii_alphanumeric() && c != '_').any(|w| w == *id))
            .map(str::to_string)
            .collect()
    }

    #[test]
    fn played_scenarios_read_as_sentences_with_names_and_no_holes() {
        for name in ["demo-county", "levee-breach-0621", "derailment-0523", "acid-spill-0929"] {
            let (sc, entries) = run(&format!("scenarios/{name}.ron"), &format!("scenarios/orders/{name}.ron"));
            no_holes_and_no_ids(&sc, &entries);
        }
    }

    fn no_holes_and_no_ids(sc: &crate::scenario::ValidScenario, entries: &[Entry]) {
        for lang in Lang::ALL {
            let names = Names::new(sc, lang).with_delivered(entries);
            for e in entries {
                let s = sentence(&names, e);
                assert!(!s.contains('⟨') && !s.contains('{'), "{}: {} → {s}", lang.code(), e.event.kind());
                assert!(!s.trim().is_empty(), "{}: {} is empty", lang.code(), e.event.kind());
                assert!(ids_in(sc, &s).is_empty(), "{}: ids {:?} in {s}", lang.code(), ids_in(sc, &s));
            }
        }
    }

    #[test]
    fn a_refusal_reads_with_names_and_one_from_an_older_journal_with_its_english_reason() {
        let sc = crate::scenario::load(Path::new("scenarios/demo-county.ron")).expect("the demo");
        let zh = Names::new(&sc, Lang::Zh);
        let now = r#"{"seq":5,"t":720,"time":"2015-07-10T06:12:00","kind":"order_refused","by":"ofc","order":{"Evacuate":{"from":"v_shawan","to":"sh_stadium"}},"reason":"shelter \"sh_stadium\" is not open; open it first","refusal":{"kind":"shelter_not_open","shelter":"sh_stadium"}}"#;
        let e: Entry = serde_json::from_str(now).expect("an entry");
        assert_eq!(
            sentence(&zh, &e),
            "清水县人民政府应急办:组织沙湾村群众转移至县体育馆(被拒绝:县体育馆尚未开放，请先开放安置点)"
        );
        // written before refusals were journaled whole: still read, the door's words shown as they are
        let older = now.split(r#","refusal""#).next().unwrap().to_string() + "}";
        let e: Entry = serde_json::from_str(&older).expect("an older entry");
        assert!(matches!(&e.event, Event::OrderRefused { refusal: None, .. }), "{e:?}");
        assert!(sentence(&zh, &e).ends_with("(被拒绝:shelter \"sh_stadium\" is not open; open it first)"));
    }

    #[test]
    fn a_dispatch_reads_with_the_team_s_and_the_task_s_names() {
        let (sc, entries) = run("scenarios/demo-county.ron", "scenarios/orders/demo-county.ron");
        // a dispatch by the water bureau's levee team reads with the team's and the place's names
        let names = Names::new(&sc, Lang::Zh);
        let dispatched = entries
            .iter()
            .find(|e| matches!(&e.event, Event::TeamDispatched { team, .. } if team == "t_levee_eng"))
            .expect("the demo's orders dispatch the levee team");
        let s = sentence(&names, dispatched);
        assert!(s.contains("县水利抢险队"), "{s}");
        let en = sentence(&Names::new(&sc, Lang::En), dispatched);
        assert!(en.contains("breach closure"), "{en}");
    }
}
