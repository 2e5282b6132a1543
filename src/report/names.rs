//! Names for people: every id of the scenario (agency, place, team, road, zone, intake, hazard,
//! plan action, reporting rule, inject) as the name the report's language shows, never the id
//! when the scenario gives a name.

use std::collections::BTreeMap;

use super::Lang;
use super::words::Words;
use crate::journal::{Entry, Event};
use crate::scenario::ValidScenario;
use crate::scenario::types::{
    ActionKind, AgencyRole, Capability, ChemicalSpillParams, DerailmentParams, EvalArea, GasReleaseParams, Hazard,
    LeveeBreachParams, Level, ReportKind,
};

/// A scenario name in the report's language: names are often "中文 English". The Chinese part
/// runs to the last CJK character (with what is attached to it, a closing bracket or full stop),
/// the English part is the rest; a name without both parts shows whole in either language.
pub fn display_name(name: &str, lang: Lang) -> String {
    let is_cjk = |c: char| ('\u{2e80}'..='\u{9fff}').contains(&c) || ('\u{ff00}'..='\u{ffef}').contains(&c);
    let Some((i, c)) = name.char_indices().rfind(|(_, c)| is_cjk(*c)) else { return name.to_string() };
    let after = i + c.len_utf8();
    let split = name[after..].find(char::is_whitespace).map_or(name.len(), |k| after + k);
    let (zh, en) = (name[..split].trim(), name[split..].trim());
    match lang {
        _ if en.is_empty() || !en.chars().any(|c| c.is_ascii_alphabetic()) => name.to_string(),
        Lang::Zh => zh.to_string(),
        Lang::En => en.to_string(),
    }
}

/// Looks names up in one scenario for one language.
pub struct Names<'a> {
    pub sc: &'a ValidScenario,
    pub w: &'static Words,
    /// Inject id → the text as delivered (model values filled in) and its English text.
    delivered: BTreeMap<&'a str, (&'a str, Option<&'a str>)>,
}

impl<'a> Names<'a> {
    pub fn new(sc: &'a ValidScenario, lang: Lang) -> Self {
        Names { sc, w: Words::of(lang), delivered: BTreeMap::new() }
    }

    /// Inject texts as the journal delivered them, so a text quoting the models shows the values
    /// the players read rather than its placeholders.
    pub fn with_delivered(mut self, entries: &'a [Entry]) -> Self {
        for e in entries {
            if let Event::InjectDelivered { inject, text, text_en, .. } = &e.event {
                self.delivered.entry(inject.as_str()).or_insert((text.as_str(), text_en.as_deref()));
            }
        }
        self
    }

    fn lang(&self) -> Lang {
        self.w.lang()
    }

    fn shown(&self, name: Option<&String>, fallback: &str) -> String {
        match name {
            Some(n) if !n.trim().is_empty() => display_name(n, self.lang()),
            _ => fallback.to_string(),
        }
    }

    pub fn agency(&self, id: &str) -> String {
        match self.sc.agency(id) {
            Some(a) => match self.lang() {
                Lang::Zh => a.name_zh.clone(),
                Lang::En => a.name_en.clone(),
            },
            None if id == crate::scenario::CONTROL => self.w.t("control_cell"),
            None => id.to_string(),
        }
    }

    pub fn role(&self, r: AgencyRole) -> String {
        self.w.t(&format!("role.{}", crate::scenario::ron_name(&r)))
    }

    /// A node, zone, road, intake, levee, river or team: whatever the id names.
    pub fn place(&self, id: &str) -> String {
        let s = &self.sc.scenario;
        if let Some(n) = s.map.nodes.iter().find(|n| n.id == id) {
            return self.shown(n.name.as_ref(), id);
        }
        if let Some(z) = s.map.flood_zones.iter().find(|z| z.id == id) {
            return self.shown(z.name.as_ref(), id);
        }
        if let Some(a) = s.map.areas.iter().find(|a| a.id == id) {
            return self.shown(a.name.as_ref(), id);
        }
        if let Some(r) = s.map.roads.iter().find(|r| r.id.as_deref() == Some(id)) {
            return self.w.f("road_between", &[("from", &self.place(&r.from)), ("to", &self.place(&r.to))]);
        }
        if let Some(l) = s.map.levee(id) {
            return self.shown(l.name.as_ref(), id);
        }
        if let Some(r) = s.map.rivers.iter().find(|r| r.id == id) {
            return self.shown(r.name.as_ref(), id);
        }
        if let Some(t) = s.resources.teams.iter().find(|t| t.id == id) {
            return self.shown(t.name.as_ref(), id);
        }
        if self.sc.agency(id).is_some() || id == crate::scenario::CONTROL {
            return self.agency(id);
        }
        id.to_string()
    }

    pub fn team(&self, id: &str) -> String {
        self.place(id)
    }

    /// A hazard: its kind and where it is ("唱凯堤决口" / "levee breach at Changkai levee").
    pub fn hazard(&self, id: &str) -> String {
        let Some(h) = self.sc.scenario.hazards.iter().find(|h| h.id() == id) else { return id.to_string() };
        let place = match h {
            Hazard::LeveeBreach(LeveeBreachParams { levee, .. }) => self.place(levee),
            Hazard::Derailment(DerailmentParams { node, .. }) | Hazard::GasRelease(GasReleaseParams { node, .. }) => {
                self.place(node)
            }
            Hazard::ChemicalSpill(ChemicalSpillParams { node, .. }) => self.place(node),
        };
        self.w.f(&format!("hazard.{}", h.kind_name()), &[("place", &place)])
    }

    /// A plan action: its description in the language, else "<owner>: <kind>".
    pub fn action(&self, id: &str) -> String {
        let found = self.sc.scenario.plan.levels.iter().flat_map(|l| &l.actions).find(|a| a.id == id);
        match found {
            Some(a) if !a.description.trim().is_empty() => display_name(&a.description, self.lang()),
            Some(a) => match &a.target {
                Some(t) => {
                    self.w.f("action_target", &[("action", &self.action_kind(a.action)), ("target", &self.place(t))])
                }
                None => self.action_kind(a.action),
            },
            None => id.to_string(),
        }
    }

    pub fn action_kind(&self, k: ActionKind) -> String {
        self.w.t(&format!("action.{}", k.name()))
    }

    pub fn capability(&self, c: Capability) -> String {
        self.w.t(&format!("capability.{}", crate::scenario::ron_name(&c)))
    }

    pub fn area(&self, a: EvalArea) -> String {
        self.w.t(&format!("area.{}", a.name()))
    }

    /// The HSEEP core capability an evaluation item maps to.
    pub fn core_capability(&self, a: EvalArea) -> String {
        self.w.t(&format!("core.{}", a.name()))
    }

    pub fn report_kind(&self, k: ReportKind) -> String {
        self.w.t(&format!("report_kind.{}", crate::scenario::ron_name(&k)))
    }

    pub fn level(&self, l: Level) -> String {
        self.w.f("level", &[("level", l.roman())])
    }

    /// An inject by its short text (first sentence of the language's text).
    pub fn inject(&self, id: &str) -> String {
        match self.sc.scenario.injects.iter().find(|j| j.id == id) {
            Some(j) => short(&self.inject_text(j), if self.lang() == Lang::Zh { 30 } else { 60 }),
            None => id.to_string(),
        }
    }

    /// An inject's text in the language (English when the scenario gives one).
    /// A text as delivered when it was; else the scenario's, with model values it quotes shown as "…".
    pub fn inject_text(&self, j: &crate::scenario::types::Inject) -> String {
        let (text, text_en) = match self.delivered.get(j.id.as_str()) {
            Some((t, en)) => (t.to_string(), en.map(str::to_string)),
            None => (unfilled(&j.text), j.text_en.as_deref().map(unfilled)),
        };
        match (self.lang(), text_en) {
            (Lang::En, Some(t)) if !t.trim().is_empty() => t,
            _ => text,
        }
    }

    /// A reporting rule: "<kind> from <by> to <to>".
    pub fn rule(&self, id: &str) -> String {
        match self.sc.scenario.reporting.rules.iter().find(|r| r.id == id) {
            Some(r) => self.w.f(
                "rule_name",
                &[("kind", &self.report_kind(r.kind)), ("by", &self.agency(&r.by)), ("to", &self.agency(&r.to))],
            ),
            None => id.to_string(),
        }
    }
}

/// Names for ids without a scenario in hand: the report and the GUI name with [`Names`] (the
/// scenario), a seat of `drillsim serve` with the directory its server sent. Sentences such as
/// [`super::model::order_text`] and [`super::sentences::sentence`] take any of them.
pub trait Namer {
    fn words(&self) -> &'static Words;
    fn agency(&self, id: &str) -> String;
    /// A node, zone, road, team, levee or river (an agency's id gives the agency's name).
    fn place(&self, id: &str) -> String;
    fn hazard(&self, id: &str) -> String {
        id.to_string()
    }
    fn inject(&self, id: &str) -> String {
        id.to_string()
    }
    /// A plan action.
    fn action(&self, id: &str) -> String {
        id.to_string()
    }
    fn capability(&self, c: Capability) -> String {
        self.words().t(&format!("capability.{}", crate::scenario::ron_name(&c)))
    }
    fn report_kind(&self, k: ReportKind) -> String {
        self.words().t(&format!("report_kind.{}", crate::scenario::ron_name(&k)))
    }
    fn level(&self, l: Level) -> String {
        self.words().f("level", &[("level", l.roman())])
    }
    /// A supply item ("sandbags", "water_t") in words; an unknown item as written.
    fn item(&self, item: &str) -> String {
        match self.words().map().get(&format!("item.{item}")) {
            Some(s) => s.clone(),
            None => item.replace('_', " "),
        }
    }
}

impl Namer for Names<'_> {
    fn words(&self) -> &'static Words {
        self.w
    }
    fn agency(&self, id: &str) -> String {
        Names::agency(self, id)
    }
    fn place(&self, id: &str) -> String {
        Names::place(self, id)
    }
    fn hazard(&self, id: &str) -> String {
        Names::hazard(self, id)
    }
    fn inject(&self, id: &str) -> String {
        Names::inject(self, id)
    }
    fn action(&self, id: &str) -> String {
        Names::action(self, id)
    }
}

/// The first sentence (or `max` characters) of a text.
pub fn short(text: &str, max: usize) -> String {
    let cut = text.find(['。', ';', '；', '\n']).or_else(|| text.find(". ")).map_or(text, |i| &text[..i]);
    let mut out: String = cut.chars().take(max).collect();
    if cut.chars().count() > max {
        out.push('…');
    }
    out
}

/// A text's model-value placeholders replaced by "…" (an inject not delivered has no values).
fn unfilled(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for (range, _) in crate::exercise::placeholders::find(text) {
        out.push_str(&text[last..range.start]);
        out.push('…');
        last = range.end;
    }
    out.push_str(&text[last..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bilingual_names_show_the_asked_language_and_others_show_whole() {
        let n = "资溪县人民医院 Zixi County Hospital";
        assert_eq!(display_name(n, Lang::Zh), "资溪县人民医院");
        assert_eq!(display_name(n, Lang::En), "Zixi County Hospital");
        assert_eq!(display_name("Riverside", Lang::Zh), "Riverside");
        assert_eq!(display_name("沿河村", Lang::En), "沿河村");
        // A Latin token inside the Chinese part, a bracket closing it, digits opening the English.
        let n = "K859脱轨现场 K859 derailment site";
        assert_eq!(
            (display_name(n, Lang::Zh), display_name(n, Lang::En).as_str()),
            ("K859脱轨现场".into(), "K859 derailment site")
        );
        let n = "资溪县卫生局(疾控中心) Zixi County Health Bureau";
        assert_eq!(display_name(n, Lang::Zh), "资溪县卫生局(疾控中心)");
        assert_eq!(display_name("24小时值守 24-hour watch", Lang::En), "24-hour watch");
        assert_eq!(short("堤防出现管涌。请立即处置", 30), "堤防出现管涌");
        assert_eq!(short("Seepage at km 3.5. Act now", 60), "Seepage at km 3.5");
        assert_eq!(short("一二三四五", 3), "一二三…");
    }
}
