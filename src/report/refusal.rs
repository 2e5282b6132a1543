//! Why an order was refused, in the reader's language with names: one sentence per kind of
//! refusal (`refusal.<kind>` in `assets/locales/`), its ids (agencies, teams, places, shelters,
//! depots, roads, intakes, injects) named through a [`Namer`]. The report's journal sentences, the
//! GUI's answers and the `live` console's answers say a refusal this way; the journal keeps the
//! door's English reason beside it.

use super::charts::fmt_value;
use super::names::{Namer, display_name};
use crate::scenario::authority::{IdKind, Refusal};
use crate::scenario::types::ActionKind;

/// The refusal as a sentence (no full stop), its ids as names.
pub fn sentence(n: &(impl Namer + ?Sized), r: &Refusal) -> String {
    use Refusal::*;
    let w = n.words();
    let key = format!("refusal.{}", r.kind());
    let ag = |id: &str| n.agency(id);
    let pl = |id: &str| n.place(id);
    let f = |args: &[(&str, &str)]| w.f(&key, args);
    match r {
        NotAnAgency { agency } | LevelByOfficeOnly { agency } | SupportThroughOffice { agency } => {
            f(&[("agency", &ag(agency))])
        }
        BeyondAuthority { agency, action } => f(&[("agency", &ag(agency)), ("action", &action_kind(n, *action))]),
        ControlOnly { by } => f(&[("by", &ag(by))]),
        Impersonation { by, claimed } => f(&[("by", &ag(by)), ("claimed", &ag(claimed))]),
        UnknownId { what, id } => f(&[("what", &w.t(&format!("refusal.what.{}", id_kind(*what)))), ("id", id)]),
        LevelAlready { level } => f(&[("level", &n.level(*level))]),
        NoTeam { team } => f(&[("team", team)]),
        NotYourTeam { team, owner, by } => f(&[("team", &pl(team)), ("owner", &ag(owner)), ("by", &ag(by))]),
        CannotDo { team, task, can } => {
            let can: Vec<String> = can.iter().map(|c| n.capability(*c)).collect();
            f(&[("team", &pl(team)), ("task", &n.capability(*task)), ("can", &w.list(&can))])
        }
        NoPlace { place } => f(&[("place", place)]),
        NoRoad { from, to } => f(&[("from", &pl(from)), ("to", &pl(to))]),
        ShelterNotOpen { shelter } | ShelterAlreadyOpen { shelter } | ShelterAlreadyClosed { shelter } => {
            f(&[("shelter", &pl(shelter))])
        }
        ShelterOccupied { shelter, people } => f(&[("shelter", &pl(shelter)), ("people", &w.num(u64::from(*people)))]),
        NoQuantity { quantity } => f(&[("quantity", &fmt_value(*quantity))]),
        DepotShort { depot, item, have, wanted } => f(&[
            ("depot", &pl(depot)),
            ("item", &n.item(item)),
            ("have", &fmt_value(*have)),
            ("wanted", &fmt_value(*wanted)),
        ]),
        NoSuchRoad { road } => f(&[("road", road)]),
        RoadAlreadyClosed { road } | RoadNotClosed { road } => f(&[("road", &pl(road))]),
        IntakeNotYours { intake, operator, by } => {
            f(&[("intake", &pl(intake)), ("operator", &ag(operator)), ("by", &ag(by))])
        }
        IntakeAlreadyClosed { intake } | IntakeAlreadyOpen { intake } => f(&[("intake", &pl(intake))]),
        CommandPostExists { name } | WorkingGroupExists { name } => f(&[("name", &display_name(name, w.lang()))]),
        NoSupportFrom { to } => f(&[("to", &ag(to))]),
        InjectNotReached { inject, by } => f(&[("inject", &n.inject(inject)), ("by", &ag(by))]),
        InjectDelivered { inject } => f(&[("inject", &n.inject(inject))]),
        BadSpeed { speed } => f(&[("speed", &fmt_value(*speed))]),
        TimePast { time } | TimeAfterEnd { time } => f(&[("time", &time.to_string())]),
        NotForControl | ReportToSelf | EmptyText | AlreadyPaused | NotPaused | NoEvaluator | EmptyObservation
        | NoTimedInject => w.t(&key),
    }
}

/// An order kind in words ("close a water intake").
fn action_kind(n: &(impl Namer + ?Sized), k: ActionKind) -> String {
    n.words().t(&format!("action.{}", k.name()))
}

/// An id kind's key (`place`), as serde writes it.
fn id_kind(k: IdKind) -> String {
    crate::scenario::ron_name(&k)
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::report::Lang;
    use crate::report::names::Names;
    use crate::report::words::Words;
    use crate::scenario::time::TimeSpec;
    use crate::scenario::types::{Capability, Level};

    /// One refusal of each kind, with the demo's ids.
    fn one_of_each() -> Vec<Refusal> {
        use Refusal::*;
        let s = |x: &str| x.to_string();
        vec![
            NotAnAgency { agency: s("nobody") },
            LevelByOfficeOnly { agency: s("nanhu") },
            SupportThroughOffice { agency: s("nanhu") },
            BeyondAuthority { agency: s("health"), action: ActionKind::CloseIntake },
            ControlOnly { by: s("ofc") },
            NotForControl,
            Impersonation { by: s("water"), claimed: s("ofc") },
            UnknownId { what: IdKind::Shelter, id: s("sh_x") },
            LevelAlready { level: Level::IV },
            NoTeam { team: s("t_x") },
            NotYourTeam { team: s("t_traffic"), owner: s("police"), by: s("fire") },
            CannotDo { team: s("t_traffic"), task: Capability::Rescue, can: vec![Capability::TrafficControl] },
            NoPlace { place: s("nowhere") },
            NoRoad { from: s("st_fire"), to: s("v_shawan") },
            ShelterNotOpen { shelter: s("sh_stadium") },
            ShelterAlreadyOpen { shelter: s("sh_stadium") },
            ShelterAlreadyClosed { shelter: s("sh_school") },
            ShelterOccupied { shelter: s("sh_school"), people: 1200 },
            NoQuantity { quantity: 0.0 },
            DepotShort { depot: s("dp_flood"), item: s("sandbags"), have: 30000.0, wanted: 50000.0 },
            NoSuchRoad { road: s("r99") },
            RoadAlreadyClosed { road: s("r09") },
            RoadNotClosed { road: s("r09") },
            IntakeNotYours { intake: s("wi_west"), operator: s("utility"), by: s("health") },
            IntakeAlreadyClosed { intake: s("wi_west") },
            IntakeAlreadyOpen { intake: s("wi_west") },
            CommandPostExists { name: s("前方指挥部 Forward post") },
            WorkingGroupExists { name: s("抢险组 Repair group") },
            NoSupportFrom { to: s("water") },
            ReportToSelf,
            InjectNotReached { inject: s("d04"), by: s("health") },
            EmptyText,
            AlreadyPaused,
            NotPaused,
            BadSpeed { speed: -1.0 },
            InjectDelivered { inject: s("d01") },
            NoEvaluator,
            EmptyObservation,
            TimePast { time: TimeSpec::Offset(60) },
            TimeAfterEnd { time: TimeSpec::Offset(100 * 86_400) },
            NoTimedInject,
        ]
    }

    fn demo() -> crate::scenario::ValidScenario {
        crate::scenario::load(Path::new("scenarios/demo-county.ron")).expect("the demo")
    }

    #[test]
    fn every_kind_of_refusal_has_a_sentence_in_both_languages() {
        let kinds = <Refusal as strum::VariantNames>::VARIANTS;
        let examples: Vec<&str> = one_of_each().iter().map(Refusal::kind).collect();
        assert_eq!(examples, kinds, "one example of each kind, in the enum's order");
        let whats = <IdKind as strum::VariantNames>::VARIANTS;
        assert!(kinds.len() > 35 && whats.len() > 8, "{kinds:?} {whats:?}");
        for lang in Lang::ALL {
            let w = Words::of(lang);
            for k in kinds {
                assert!(w.map().contains_key(&format!("refusal.{k}")), "{}: no sentence refusal.{k}", lang.code());
            }
            for what in whats {
                let what = crate::scenario::ron_name(&what.parse::<IdKind>().expect("strum reads its own names"));
                assert!(
                    w.map().contains_key(&format!("refusal.what.{what}")),
                    "{}: no refusal.what.{what}",
                    lang.code()
                );
            }
        }
    }

    #[test]
    fn every_refusal_reads_with_names_and_no_holes() {
        let sc = demo();
        for lang in Lang::ALL {
            let names = Names::new(&sc, lang);
            for r in one_of_each() {
                let s = sentence(&names, &r);
                assert!(!s.contains('⟨') && !s.contains('{') && !s.trim().is_empty(), "{}: {r:?} → {s}", lang.code());
                for id in [
                    "nanhu",
                    "ofc",
                    "t_traffic",
                    "sh_stadium",
                    "sh_school",
                    "dp_flood",
                    "wi_west",
                    "d04",
                    "d01",
                    "st_fire",
                    "v_shawan",
                    "r09",
                ] {
                    assert!(!s.contains(id), "{}: the id {id} shows in {s}", lang.code());
                }
            }
        }
    }

    #[test]
    fn refusals_say_names_in_chinese_and_in_english() {
        let sc = demo();
        let (zh, en) = (Names::new(&sc, Lang::Zh), Names::new(&sc, Lang::En));
        let team = Refusal::NotYourTeam { team: "t_traffic".into(), owner: "police".into(), by: "fire".into() };
        assert_eq!(sentence(&zh, &team), "交警中队隶属清水县公安局，不归清水县公安消防大队指挥");
        assert_eq!(
            sentence(&en, &team),
            "Traffic police squad belongs to County Public Security Bureau, not to County Fire & Rescue Brigade"
        );
        let shelter = Refusal::ShelterNotOpen { shelter: "sh_stadium".into() };
        assert_eq!(sentence(&zh, &shelter), "县体育馆尚未开放，请先开放安置点");
        assert_eq!(sentence(&en, &shelter), "County stadium (shelter) is not open; open it first");
        let road = Refusal::NoRoad { from: "st_fire".into(), to: "v_shawan".into() };
        assert_eq!(sentence(&zh, &road), "从县消防大队营区到沙湾村没有可通行的道路");
        assert_eq!(sentence(&en, &road), "no open road leads from Fire brigade station to Shawan village");
        let level = Refusal::LevelByOfficeOnly { agency: "nanhu".into() };
        assert_eq!(sentence(&zh, &level), "只有应急办可以启动应急响应，南湖乡人民政府无权启动");
        let depot =
            Refusal::DepotShort { depot: "dp_flood".into(), item: "sandbags".into(), have: 30000.0, wanted: 50000.0 };
        assert_eq!(sentence(&zh, &depot), "县防汛物资仓库只有编织袋(沙袋)30,000，不足50,000");
        assert_eq!(sentence(&en, &depot), "Flood-control depot holds 30,000 sandbags, not 50,000");
    }
}
