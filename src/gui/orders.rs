//! The order and report forms: choose the order, the unit and the target (from a list, or by
//! clicking a place on the map), and give it. The form only builds an [`OrderKind`]; giving it
//! is [`Sim::give`], the same line `drillsim live` reads, so the same checks and refusals apply.

use bevy_egui::egui;

use super::text::{display_name, names, t};
use super::{GuiState, Seat, Sim};
use crate::agents::supplies::Stocks;
use crate::report::names::Namer;
use crate::scenario::ValidScenario;
use crate::scenario::types::{Capability, Figures, Level, NodeKind, OrderKind, ReportKind};
use crate::scoring::report::Lang;

/// The kinds of order the form offers (Acknowledge is in the inbox, Report in its own form,
/// the facilitator's orders in the top bar and the facilitator's inbox).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FormKind {
    #[default]
    Dispatch,
    Recall,
    Evacuate,
    OpenShelter,
    CloseShelter,
    DeliverSupplies,
    CloseRoad,
    ReopenRoad,
    CloseIntake,
    OpenIntake,
    SetLevel,
    SetUpCommandPost,
    SetUpWorkingGroup,
    RequestSupport,
    WarnPublic,
    Log,
}

impl FormKind {
    pub const ALL: [FormKind; 16] = [
        FormKind::Dispatch,
        FormKind::Recall,
        FormKind::Evacuate,
        FormKind::OpenShelter,
        FormKind::CloseShelter,
        FormKind::DeliverSupplies,
        FormKind::CloseRoad,
        FormKind::ReopenRoad,
        FormKind::CloseIntake,
        FormKind::OpenIntake,
        FormKind::SetLevel,
        FormKind::SetUpCommandPost,
        FormKind::SetUpWorkingGroup,
        FormKind::RequestSupport,
        FormKind::WarnPublic,
        FormKind::Log,
    ];

    pub fn label(self, lang: Lang) -> &'static str {
        t(
            lang,
            match self {
                FormKind::Dispatch => "gui.form.dispatch",
                FormKind::Recall => "gui.form.recall",
                FormKind::Evacuate => "gui.form.evacuate",
                FormKind::OpenShelter => "gui.form.open_shelter",
                FormKind::CloseShelter => "gui.form.close_shelter",
                FormKind::DeliverSupplies => "gui.form.deliver_supplies",
                FormKind::CloseRoad => "gui.form.close_road",
                FormKind::ReopenRoad => "gui.form.reopen_road",
                FormKind::CloseIntake => "gui.form.close_intake",
                FormKind::OpenIntake => "gui.form.open_intake",
                FormKind::SetLevel => "gui.form.set_level",
                FormKind::SetUpCommandPost => "gui.form.set_up_command_post",
                FormKind::SetUpWorkingGroup => "gui.form.set_up_working_group",
                FormKind::RequestSupport => "gui.form.request_support",
                FormKind::WarnPublic => "gui.form.warn_public",
                FormKind::Log => "gui.form.log",
            },
        )
    }

    /// Whether the order needs a place (`target`).
    fn needs_target(self) -> bool {
        matches!(
            self,
            FormKind::Dispatch
                | FormKind::Evacuate
                | FormKind::OpenShelter
                | FormKind::CloseShelter
                | FormKind::DeliverSupplies
                | FormKind::CloseIntake
                | FormKind::OpenIntake
                | FormKind::SetUpCommandPost
        )
    }
}

/// What the order and report forms hold between frames.
#[derive(Debug, Clone)]
pub struct OrderForm {
    pub kind: FormKind,
    pub team: String,
    /// The place the order is about (node id), picked from a list or on the map.
    pub target: String,
    /// Waiting for a click on the map to fill `target`.
    pub picking: bool,
    pub task: Option<Capability>,
    /// Evacuate: the village, town or flood zone; DeliverSupplies: the depot.
    pub from: String,
    pub item: String,
    pub quantity: f64,
    pub road: String,
    pub level: Level,
    pub text: String,
    pub agency: String,
    pub report_kind: ReportKind,
    pub report_to: String,
    pub figures: [String; 5],
    pub actions_taken: String,
}

impl Default for OrderForm {
    fn default() -> Self {
        OrderForm {
            kind: FormKind::Dispatch,
            team: String::new(),
            target: String::new(),
            picking: false,
            task: None,
            from: String::new(),
            item: String::new(),
            quantity: 100.0,
            road: String::new(),
            level: Level::IV,
            text: String::new(),
            agency: String::new(),
            report_kind: ReportKind::Phone,
            report_to: String::new(),
            figures: Default::default(),
            actions_taken: String::new(),
        }
    }
}

impl OrderForm {
    /// The order the form describes, or what is missing.
    pub fn order(&self) -> Result<OrderKind, &'static str> {
        let need = |s: &str, what: &'static str| if s.is_empty() { Err(what) } else { Ok(s.to_string()) };
        Ok(match self.kind {
            FormKind::Dispatch => OrderKind::Dispatch {
                team: need(&self.team, "team")?,
                to: need(&self.target, "target")?,
                task: self.task.ok_or("task")?,
            },
            FormKind::Recall => OrderKind::Recall { team: need(&self.team, "team")? },
            FormKind::Evacuate => {
                OrderKind::Evacuate { from: need(&self.from, "from")?, to: need(&self.target, "target")? }
            }
            FormKind::OpenShelter => OrderKind::OpenShelter(need(&self.target, "target")?),
            FormKind::CloseShelter => OrderKind::CloseShelter(need(&self.target, "target")?),
            FormKind::DeliverSupplies => OrderKind::DeliverSupplies {
                from: need(&self.from, "from")?,
                to: need(&self.target, "target")?,
                item: need(&self.item, "item")?,
                quantity: self.quantity,
            },
            FormKind::CloseRoad => OrderKind::CloseRoad(need(&self.road, "road")?),
            FormKind::ReopenRoad => OrderKind::ReopenRoad(need(&self.road, "road")?),
            FormKind::CloseIntake => OrderKind::CloseIntake(need(&self.target, "target")?),
            FormKind::OpenIntake => OrderKind::OpenIntake(need(&self.target, "target")?),
            FormKind::SetLevel => OrderKind::SetLevel(self.level),
            FormKind::SetUpCommandPost => {
                OrderKind::SetUpCommandPost { name: need(&self.text, "text")?, at: need(&self.target, "target")? }
            }
            FormKind::SetUpWorkingGroup => {
                OrderKind::SetUpWorkingGroup { name: need(&self.text, "text")?, lead: None, function: None }
            }
            FormKind::RequestSupport => {
                OrderKind::RequestSupport { to: need(&self.agency, "to")?, what: need(&self.text, "text")? }
            }
            FormKind::WarnPublic => OrderKind::WarnPublic(need(&self.text, "text")?),
            FormKind::Log => OrderKind::Log(need(&self.text, "text")?),
        })
    }

    /// The report the report form describes (empty figures are not reported).
    pub fn report(&self) -> Result<OrderKind, String> {
        if self.report_to.is_empty() {
            return Err("to".into());
        }
        let num = |i: usize| -> Result<Option<u32>, String> {
            let s = self.figures[i].trim();
            if s.is_empty() { Ok(None) } else { s.parse::<u32>().map(Some).map_err(|_| format!("\"{s}\"")) }
        };
        let figures = Figures {
            dead: num(0)?,
            injured: num(1)?,
            missing: num(2)?,
            affected: num(3)?,
            evacuated: num(4)?,
            actions_taken: Some(self.actions_taken.trim().to_string()).filter(|s| !s.is_empty()),
        };
        Ok(OrderKind::Report { kind: self.report_kind, to: self.report_to.clone(), figures })
    }
}

fn combo<T: PartialEq + Clone>(
    ui: &mut egui::Ui,
    id: &str,
    label: &str,
    value: &mut T,
    options: &[(T, String)],
    empty: &str,
) {
    let shown = options.iter().find(|(v, _)| v == value).map_or(empty.to_string(), |(_, s)| s.clone());
    ui.horizontal(|ui| {
        ui.label(label);
        egui::ComboBox::from_id_salt(id).width(220.0).selected_text(shown).show_ui(ui, |ui| {
            for (v, s) in options {
                ui.selectable_value(value, v.clone(), s);
            }
        });
    });
}

fn places(sc: &ValidScenario, kinds: &[NodeKind], lang: Lang) -> Vec<(String, String)> {
    sc.scenario
        .map
        .nodes
        .iter()
        .filter(|n| kinds.is_empty() || kinds.contains(&n.kind))
        .map(|n| (n.id.clone(), display_name(n.name.as_deref().unwrap_or(&n.id), lang)))
        .collect()
}

/// What the forms offer, with names: built from the scenario and the world (a local exercise)
/// or from a server's directory and state (a seat of `drillsim serve`).
#[derive(Debug, Clone, Default)]
pub struct Choices {
    /// The seat's teams: id, name, capabilities (id and name).
    pub teams: Vec<(String, String, Vec<(Capability, String)>)>,
    /// Where people can be evacuated from: villages, towns, flood zones.
    pub origins: Vec<(String, String)>,
    pub shelters: Vec<(String, String)>,
    pub intakes: Vec<(String, String)>,
    /// Every place (dispatch, deliveries, command posts).
    pub places: Vec<(String, String)>,
    pub depots: Vec<(String, String)>,
    /// Per depot: its items (id, label with the quantity in stock).
    pub items: std::collections::BTreeMap<String, Vec<(String, String)>>,
    pub roads: Vec<(String, String)>,
    /// Agencies other than the seat's: id, name.
    pub agencies: Vec<(String, String)>,
    pub levels: Vec<(Level, String)>,
    pub report_kinds: Vec<(ReportKind, String)>,
}

impl Choices {
    /// The choices of agency `by` in a local exercise.
    pub fn of_scenario(sc: &ValidScenario, stocks: Option<&Stocks>, by: &str, lang: Lang) -> Choices {
        let nm = names(sc, lang);
        let s = &sc.scenario;
        let mut origins = places(sc, &[NodeKind::Village, NodeKind::Town, NodeKind::Township], lang);
        origins.extend(s.map.flood_zones.iter().map(|z| (z.id.clone(), nm.place(&z.id))));
        let items = stocks
            .map(|st| {
                st.0.iter()
                    .map(|(d, m)| {
                        (d.clone(), m.iter().map(|(k, v)| (k.clone(), format!("{} ({v:.0})", nm.item(k)))).collect())
                    })
                    .collect()
            })
            .unwrap_or_default();
        Choices {
            teams: s
                .resources
                .teams
                .iter()
                .filter(|tm| tm.agency == by)
                .map(|tm| {
                    (tm.id.clone(), nm.team(&tm.id), tm.capabilities.iter().map(|c| (*c, nm.capability(*c))).collect())
                })
                .collect(),
            origins,
            shelters: places(sc, &[NodeKind::Shelter], lang),
            intakes: places(sc, &[NodeKind::WaterIntake], lang),
            places: places(sc, &[], lang),
            depots: s.resources.depots.iter().map(|d| (d.node.clone(), nm.place(&d.node))).collect(),
            items,
            roads: s.map.roads.iter().filter_map(|r| r.id.as_ref().map(|id| (id.clone(), nm.place(id)))).collect(),
            agencies: s
                .agencies
                .iter()
                .filter(|a| a.id != by)
                .map(|a| (a.id.clone(), super::agency_name(sc, &a.id, lang)))
                .collect(),
            levels: levels(&nm),
            report_kinds: report_kinds(&nm),
        }
    }
}

pub fn levels(nm: &dyn Namer) -> Vec<(Level, String)> {
    [Level::IV, Level::III, Level::II, Level::I].iter().map(|l| (*l, nm.level(*l))).collect()
}

pub fn report_kinds(nm: &dyn Namer) -> Vec<(ReportKind, String)> {
    [ReportKind::Phone, ReportKind::Written, ReportKind::Urgent, ReportKind::FollowUp, ReportKind::Feedback]
        .iter()
        .map(|k| (*k, nm.report_kind(*k)))
        .collect()
}

/// The order form for the seat at the screen.
pub fn order_form(ui: &mut egui::Ui, sim: &mut Sim, state: &mut GuiState) {
    let lang = state.lang;
    let Seat::Agency(by) = state.seat.clone() else {
        ui.label(t(lang, "gui.choose_seat"));
        return;
    };
    let sc = sim.sc.clone();
    let choices = Choices::of_scenario(&sc, sim.world().get_resource::<Stocks>(), &by, lang);
    if let Some(o) = form_ui(ui, &mut state.form, &choices, &names(&sc, lang), lang) {
        sim.give(&by, &o);
    }
}

/// The order form's widgets; the order to give when the button was pressed.
pub fn form_ui(ui: &mut egui::Ui, f: &mut OrderForm, c: &Choices, nm: &dyn Namer, lang: Lang) -> Option<OrderKind> {
    combo(
        ui,
        "form_kind",
        t(lang, "gui.order_kind"),
        &mut f.kind,
        &FormKind::ALL.iter().map(|k| (*k, k.label(lang).to_string())).collect::<Vec<_>>(),
        "",
    );
    let teams: Vec<(String, String)> = c.teams.iter().map(|(id, n, _)| (id.clone(), n.clone())).collect();
    match f.kind {
        FormKind::Dispatch | FormKind::Recall => {
            if teams.is_empty() {
                ui.label(t(lang, "gui.no_teams"));
            }
            combo(ui, "form_team", t(lang, "gui.team"), &mut f.team, &teams, "—");
            if f.kind == FormKind::Dispatch {
                let caps: Vec<(Option<Capability>, String)> = c
                    .teams
                    .iter()
                    .find(|tm| tm.0 == f.team)
                    .map(|tm| tm.2.iter().map(|(k, n)| (Some(*k), n.clone())).collect())
                    .unwrap_or_default();
                if f.task.is_none_or(|k| !caps.iter().any(|(x, _)| *x == Some(k))) {
                    f.task = caps.first().and_then(|k| k.0);
                }
                combo(ui, "form_task", t(lang, "gui.task"), &mut f.task, &caps, "—");
            }
        }
        FormKind::Evacuate => combo(ui, "form_from", t(lang, "gui.from"), &mut f.from, &c.origins, "—"),
        FormKind::DeliverSupplies => {
            combo(ui, "form_depot", t(lang, "gui.from"), &mut f.from, &c.depots, "—");
            let items = c.items.get(&f.from).cloned().unwrap_or_default();
            combo(ui, "form_item", t(lang, "gui.item"), &mut f.item, &items, "—");
            ui.horizontal(|ui| {
                ui.label(t(lang, "gui.quantity"));
                ui.add(egui::DragValue::new(&mut f.quantity).range(1.0..=1.0e7).speed(10.0));
            });
        }
        FormKind::CloseRoad | FormKind::ReopenRoad => {
            combo(ui, "form_road", t(lang, "gui.road"), &mut f.road, &c.roads, "—")
        }
        FormKind::SetLevel => combo(ui, "form_level", t(lang, "gui.level"), &mut f.level, &c.levels, ""),
        FormKind::RequestSupport => combo(ui, "form_agency", t(lang, "gui.to"), &mut f.agency, &c.agencies, "—"),
        _ => {}
    }
    if f.kind.needs_target() {
        let targets = match f.kind {
            FormKind::Evacuate | FormKind::OpenShelter | FormKind::CloseShelter => &c.shelters,
            FormKind::CloseIntake | FormKind::OpenIntake => &c.intakes,
            _ => &c.places,
        };
        ui.horizontal(|ui| {
            combo(ui, "form_target", t(lang, "gui.target"), &mut f.target, targets, "—");
            if ui.selectable_label(f.picking, t(lang, "gui.pick_on_map")).clicked() {
                f.picking = !f.picking;
            }
        });
        if f.picking {
            ui.colored_label(egui::Color32::from_rgb(200, 0, 120), t(lang, "gui.picking"));
        }
    }
    if matches!(
        f.kind,
        FormKind::SetUpCommandPost
            | FormKind::SetUpWorkingGroup
            | FormKind::RequestSupport
            | FormKind::WarnPublic
            | FormKind::Log
    ) {
        ui.horizontal(|ui| {
            ui.label(t(lang, "gui.text"));
            ui.text_edit_singleline(&mut f.text);
        });
    }
    let order = f.order();
    let mut give = None;
    ui.add_enabled_ui(order.is_ok(), |ui| {
        if ui.button(t(lang, "gui.send")).clicked()
            && let Ok(o) = &order
        {
            give = Some(o.clone());
        }
    });
    if let Ok(o) = &order {
        ui.small(crate::report::model::order_text(nm, o));
    }
    give
}

/// The report form for the seat at the screen.
pub fn report_form(ui: &mut egui::Ui, sim: &mut Sim, state: &mut GuiState) {
    let lang = state.lang;
    let Seat::Agency(by) = state.seat.clone() else {
        ui.label(t(lang, "gui.choose_seat_first"));
        return;
    };
    let sc = sim.sc.clone();
    let choices = Choices::of_scenario(&sc, None, &by, lang);
    if let Some(o) = report_ui(ui, &mut state.form, &choices, lang) {
        sim.give(&by, &o);
    }
}

/// The report form's widgets; the report to send when the button was pressed.
pub fn report_ui(ui: &mut egui::Ui, f: &mut OrderForm, c: &Choices, lang: Lang) -> Option<OrderKind> {
    combo(ui, "rep_kind", t(lang, "gui.report_kind"), &mut f.report_kind, &c.report_kinds, "");
    combo(ui, "rep_to", t(lang, "gui.to"), &mut f.report_to, &c.agencies, "—");
    egui::Grid::new("figures").num_columns(2).show(ui, |ui| {
        for (i, key) in
            ["gui.dead", "gui.injured", "gui.missing", "gui.affected", "gui.evacuated"].into_iter().enumerate()
        {
            ui.label(t(lang, key));
            ui.add(egui::TextEdit::singleline(&mut f.figures[i]).desired_width(80.0));
            ui.end_row();
        }
        ui.label(t(lang, "gui.actions_taken"));
        ui.text_edit_singleline(&mut f.actions_taken);
        ui.end_row();
    });
    let report = f.report();
    let mut give = None;
    ui.add_enabled_ui(report.is_ok(), |ui| {
        if ui.button(t(lang, "gui.send_report")).clicked()
            && let Ok(o) = &report
        {
            give = Some(o.clone());
        }
    });
    give
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_complete_dispatch_form_gives_a_dispatch_and_an_incomplete_one_says_what_is_missing() {
        let mut f = OrderForm { kind: FormKind::Dispatch, team: "t1".into(), ..Default::default() };
        assert_eq!(f.order(), Err("target"));
        f.target = "lp".into();
        assert_eq!(f.order(), Err("task"));
        f.task = Some(Capability::BreachClosure);
        assert_eq!(
            f.order(),
            Ok(OrderKind::Dispatch { team: "t1".into(), to: "lp".into(), task: Capability::BreachClosure })
        );
    }

    #[test]
    fn report_figures_left_empty_are_not_reported_and_bad_numbers_are_refused() {
        let mut f = OrderForm { report_to: "city".into(), ..Default::default() };
        f.figures[0] = "3".into();
        let Ok(OrderKind::Report { figures, .. }) = f.report() else { panic!("a report") };
        assert_eq!(figures.dead, Some(3));
        assert_eq!(figures.injured, None);
        f.figures[1] = "many".into();
        assert!(f.report().is_err());
    }
}
