//! The report's words in each language, from `assets/locales/{zh,en}.json` (compiled in): fixed
//! words by key, sentences with named `{placeholders}`, and calendar times and durations the way
//! an official writes them (6月21日18:30, 1小时10分; 21 June 18:30, 1 h 10 min).

use std::collections::BTreeMap;
use std::sync::OnceLock;

use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike};

use super::Lang;

const ZH: &str = include_str!("../../assets/locales/zh.json");
const EN: &str = include_str!("../../assets/locales/en.json");

/// One language's words.
#[derive(Debug)]
pub struct Words {
    lang: Lang,
    map: BTreeMap<String, String>,
}

fn parse(lang: Lang, text: &str) -> Words {
    let map: BTreeMap<String, String> =
        serde_json::from_str(text).unwrap_or_else(|e| panic!("assets/locales/{}.json: {e}", lang.code()));
    Words { lang, map }
}

impl Words {
    /// The words of a language (parsed once).
    pub fn of(lang: Lang) -> &'static Words {
        static ZH_W: OnceLock<Words> = OnceLock::new();
        static EN_W: OnceLock<Words> = OnceLock::new();
        match lang {
            Lang::Zh => ZH_W.get_or_init(|| parse(Lang::Zh, ZH)),
            Lang::En => EN_W.get_or_init(|| parse(Lang::En, EN)),
        }
    }

    pub fn lang(&self) -> Lang {
        self.lang
    }

    /// Every word by key (the templates' `t`).
    pub fn map(&self) -> &BTreeMap<String, String> {
        &self.map
    }

    /// The word for `key`; a missing key shows as `⟨key⟩` (the tests look for that mark).
    pub fn t(&self, key: &str) -> String {
        self.map.get(key).cloned().unwrap_or_else(|| format!("⟨{key}⟩"))
    }

    /// The word for `key` borrowed from the compiled-in locale (the GUI's labels); a missing key
    /// shows as the key itself.
    pub fn word<'a>(&'a self, key: &'a str) -> &'a str {
        self.map.get(key).map_or(key, String::as_str)
    }

    /// The sentence for `key` with each `{name}` replaced by its value.
    pub fn f(&self, key: &str, args: &[(&str, &str)]) -> String {
        let mut s = self.t(key);
        for (name, value) in args {
            s = s.replace(&format!("{{{name}}}"), value);
        }
        s
    }

    /// A calendar time: 6月21日18:30 / 21 June 18:30.
    pub fn time(&self, t: NaiveDateTime) -> String {
        match self.lang {
            Lang::Zh => format!("{}月{}日{:02}:{:02}", t.month(), t.day(), t.hour(), t.minute()),
            Lang::En => format!("{} {} {:02}:{:02}", t.day(), month_en(t.month()), t.hour(), t.minute()),
        }
    }

    /// A date: 2010年6月21日 / 21 June 2010.
    pub fn date(&self, d: NaiveDate) -> String {
        match self.lang {
            Lang::Zh => format!("{}年{}月{}日", d.year(), d.month(), d.day()),
            Lang::En => format!("{} {} {}", d.day(), month_en(d.month()), d.year()),
        }
    }

    /// A tick label of a time axis: the day at midnight, the hour otherwise.
    pub fn tick(&self, t: NaiveDateTime) -> String {
        if t.hour() == 0 && t.minute() == 0 {
            match self.lang {
                Lang::Zh => format!("{}月{}日", t.month(), t.day()),
                Lang::En => format!("{} {}", t.day(), &month_en(t.month())[..3]),
            }
        } else {
            format!("{:02}:{:02}", t.hour(), t.minute())
        }
    }

    /// A duration: 1小时10分 / 1 h 10 min (whole minutes; seconds under a minute as 0).
    pub fn dur(&self, secs: u64) -> String {
        let m = secs / 60;
        let (d, h, mm) = (m / 1440, (m % 1440) / 60, m % 60);
        let mut parts = Vec::new();
        let (ud, uh, um) = match self.lang {
            Lang::Zh => ("天", "小时", "分"),
            Lang::En => (" d", " h", " min"),
        };
        if d > 0 {
            parts.push(format!("{d}{ud}"));
        }
        if h > 0 {
            parts.push(format!("{h}{uh}"));
        }
        if mm > 0 || parts.is_empty() {
            parts.push(format!("{mm}{um}"));
        }
        match self.lang {
            Lang::Zh => parts.concat(),
            Lang::En => parts.join(" "),
        }
    }

    /// A whole number with thousands grouped the usual way (12,345 in both languages).
    pub fn num(&self, n: u64) -> String {
        group(n)
    }

    /// A list joined the language's way: 甲、乙和丙 / A, B and C.
    pub fn list(&self, items: &[String]) -> String {
        let (sep, and) = match self.lang {
            Lang::Zh => ("、", "和"),
            Lang::En => (", ", " and "),
        };
        match items {
            [] => String::new(),
            [one] => one.clone(),
            [init @ .., last] => format!("{}{and}{last}", init.join(sep)),
        }
    }
}

/// A whole number with a comma every three digits.
pub fn group(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

fn month_en(m: u32) -> &'static str {
    const M: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    M[(m as usize).clamp(1, 12) - 1]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M").unwrap()
    }

    #[test]
    fn both_locales_have_the_same_keys_and_the_same_placeholders() {
        let (zh, en) = (Words::of(Lang::Zh), Words::of(Lang::En));
        let zk: Vec<&String> = zh.map().keys().collect();
        let ek: Vec<&String> = en.map().keys().collect();
        assert_eq!(zk, ek, "zh.json and en.json must list the same keys");
        let holes = |s: &str| {
            let mut v: Vec<String> =
                s.split('{').skip(1).filter_map(|p| p.split_once('}').map(|x| x.0.to_string())).collect();
            v.sort();
            v.dedup();
            v
        };
        for (k, z) in zh.map() {
            assert!(!z.trim().is_empty() && !en.map()[k].trim().is_empty(), "{k} is empty");
            assert_eq!(holes(z), holes(&en.map()[k]), "{k}: placeholders differ between zh and en");
        }
    }

    /// The keys a source names literally: `.t("key")`, `.f("key", …)` and any `"gui.…"` or
    /// `"journal.…"` string.
    fn keys_named_in(src: &str) -> Vec<String> {
        let mut keys = Vec::new();
        for pat in [".t(\"", ".f(\"", "\"gui.", "\"journal."] {
            for (i, _) in src.match_indices(pat) {
                let start = i + pat.len() - if pat.starts_with('"') { pat.len() - 1 } else { 0 };
                let rest = &src[start..];
                let Some(end) = rest.find('"') else { continue };
                let key = &rest[..end];
                let ok = key.contains('.') || pat.starts_with('.');
                let file_name = key.ends_with(".jsonl") || key.ends_with(".json") || key.ends_with(".ron");
                if ok
                    && !file_name
                    && !key.is_empty()
                    && key.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "_.".contains(c))
                {
                    keys.push(key.to_string());
                }
            }
        }
        keys
    }

    #[test]
    fn every_key_the_code_names_is_in_both_locales() {
        let sources = [
            ("gui/mod.rs", include_str!("../gui/mod.rs")),
            ("gui/panels.rs", include_str!("../gui/panels.rs")),
            ("gui/orders.rs", include_str!("../gui/orders.rs")),
            ("gui/map.rs", include_str!("../gui/map.rs")),
            ("gui/demo.rs", include_str!("../gui/demo.rs")),
            ("gui/text.rs", include_str!("../gui/text.rs")),
            ("gui/remote.rs", include_str!("../gui/remote.rs")),
            ("report/model.rs", include_str!("model.rs")),
            ("report/names.rs", include_str!("names.rs")),
            ("report/charts.rs", include_str!("charts.rs")),
            ("report/render.rs", include_str!("render.rs")),
            ("report/sentences.rs", include_str!("sentences.rs")),
        ];
        let mut named = 0;
        for (file, src) in sources {
            for key in keys_named_in(src) {
                named += 1;
                for lang in Lang::ALL {
                    assert!(
                        Words::of(lang).map().contains_key(&key),
                        "{file} names \"{key}\", missing in {}.json",
                        lang.code()
                    );
                }
            }
        }
        assert!(named > 200, "only {named} keys found: the scan is broken");
        assert_eq!(
            keys_named_in(r#"w.t("h.x") t(lang, "gui.pause") format!("journal.{k}") split("a")"#),
            ["h.x", "gui.pause"]
        );
    }

    #[test]
    fn times_are_written_the_way_an_official_writes_them() {
        let zh = Words::of(Lang::Zh);
        let en = Words::of(Lang::En);
        assert_eq!(zh.time(at("2010-06-21T18:30")), "6月21日18:30");
        assert_eq!(en.time(at("2010-06-21T08:05")), "21 June 08:05");
        assert_eq!(zh.date(at("2010-06-21T18:30").date()), "2010年6月21日");
        assert_eq!(zh.dur(3 * 3600 + 57 * 60), "3小时57分");
        assert_eq!(en.dur(26 * 3600 + 60), "1 d 2 h 1 min");
        assert_eq!(en.dur(20), "0 min");
        assert_eq!(zh.tick(at("2010-06-22T00:00")), "6月22日");
        assert_eq!(en.tick(at("2010-06-22T06:00")), "06:00");
        assert_eq!(en.num(150000), "150,000");
        assert_eq!(zh.list(&["甲".into(), "乙".into(), "丙".into()]), "甲、乙和丙");
        assert_eq!(en.f("x_unknown", &[]), "⟨x_unknown⟩");
    }
}
