//! The order and report forms: choose the order, the unit and the target (from a list, or by
//! clicking a place on the map), and give it. The form only builds an [`OrderKind`]; giving it
//! is [`Sim::give`], the same line `drillsim live` reads, so the same checks and refusals apply.

use bevy_egui::egui;

use super::text::t;
use super::{GuiState, Seat, Sim, node_name};
use crate::agents::supplies::Stocks;
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
        let (zh, en) = match self {
            FormKind::Dispatch => ("派遣队伍", "Dispatch a team"),
            FormKind::Recall => ("召回队伍", "Recall a team"),
            FormKind::Evacuate => ("组织转移", "Evacuate"),
            FormKind::OpenShelter => ("开放避难场所", "Open a shelter"),
            FormKind::CloseShelter => ("关闭避难场所", "Close a shelter"),
            FormKind::DeliverSupplies => ("调运物资", "Deliver supplies"),
            FormKind::CloseRoad => ("封闭道路", "Close a road"),
            FormKind::ReopenRoad => ("恢复道路", "Reopen a road"),
            FormKind::CloseIntake => ("关闭取水口", "Close an intake"),
            FormKind::OpenIntake => ("开启取水口", "Open an intake"),
            FormKind::SetLevel => ("启动/调整响应级别", "Set the response level"),
            FormKind::SetUpCommandPost => ("设立现场指挥部", "Set up a command post"),
            FormKind::SetUpWorkingGroup => ("成立工作组", "Set up a working group"),
            FormKind::RequestSupport => ("请求支援", "Request support"),
            FormKind::WarnPublic => ("发布预警", "Warn the public"),
            FormKind::Log => ("值班日志", "Duty log"),
        };
        match lang {
            Lang::Zh => zh,
            Lang::En => en,
        }
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

fn places(sc: &ValidScenario, kinds: &[NodeKind]) -> Vec<(String, String)> {
    sc.scenario
        .map
        .nodes
        .iter()
        .filter(|n| kinds.is_empty() || kinds.contains(&n.kind))
        .map(|n| (n.id.clone(), n.name.clone().unwrap_or_else(|| n.id.clone())))
        .collect()
}

/// The order form for the seat at the screen.
pub fn order_form(ui: &mut egui::Ui, sim: &mut Sim, state: &mut GuiState) {
    let lang = state.lang;
    let Seat::Agency(by) = state.seat.clone() else {
        ui.label(match lang {
            Lang::Zh => "请先在顶部选择一个单位席位再下达指令。",
            Lang::En => "Choose an agency seat at the top to give orders.",
        });
        return;
    };
    let sc = sim.sc.clone();
    let f = &mut state.form;
    combo(
        ui,
        "form_kind",
        t(lang, "order_kind"),
        &mut f.kind,
        &FormKind::ALL.iter().map(|k| (*k, k.label(lang).to_string())).collect::<Vec<_>>(),
        "",
    );
    let teams: Vec<(String, String)> = sc
        .scenario
        .resources
        .teams
        .iter()
        .filter(|tm| tm.agency == by)
        .map(|tm| (tm.id.clone(), tm.name.clone().unwrap_or_else(|| tm.id.clone())))
        .collect();
    match f.kind {
        FormKind::Dispatch | FormKind::Recall => {
            if teams.is_empty() {
                ui.label(match lang {
                    Lang::Zh => "本单位没有队伍。",
                    Lang::En => "This agency has no teams.",
                });
            }
            combo(ui, "form_team", t(lang, "team"), &mut f.team, &teams, "—");
            if f.kind == FormKind::Dispatch {
                let caps: Vec<(Option<Capability>, String)> = sc
                    .scenario
                    .resources
                    .teams
                    .iter()
                    .find(|tm| tm.id == f.team)
                    .map(|tm| tm.capabilities.iter().map(|c| (Some(*c), crate::scenario::ron_name(c))).collect())
                    .unwrap_or_default();
                if f.task.is_none_or(|c| !caps.iter().any(|(x, _)| *x == Some(c))) {
                    f.task = caps.first().and_then(|c| c.0);
                }
                combo(ui, "form_task", t(lang, "task"), &mut f.task, &caps, "—");
            }
        }
        FormKind::Evacuate => {
            let mut from = places(&sc, &[NodeKind::Village, NodeKind::Town, NodeKind::Township]);
            from.extend(
                sc.scenario
                    .map
                    .flood_zones
                    .iter()
                    .map(|z| (z.id.clone(), z.name.clone().unwrap_or_else(|| z.id.clone()))),
            );
            combo(ui, "form_from", t(lang, "from"), &mut f.from, &from, "—");
        }
        FormKind::DeliverSupplies => {
            let depots: Vec<(String, String)> =
                sc.scenario.resources.depots.iter().map(|d| (d.node.clone(), node_name(&sc, &d.node))).collect();
            combo(ui, "form_depot", t(lang, "from"), &mut f.from, &depots, "—");
            let items: Vec<(String, String)> = sim
                .world()
                .get_resource::<Stocks>()
                .and_then(|s| s.0.get(&f.from))
                .map(|m| m.iter().map(|(k, v)| (k.clone(), format!("{k} ({v:.0})"))).collect())
                .unwrap_or_default();
            combo(ui, "form_item", t(lang, "item"), &mut f.item, &items, "—");
            ui.horizontal(|ui| {
                ui.label(t(lang, "quantity"));
                ui.add(egui::DragValue::new(&mut f.quantity).range(1.0..=1.0e7).speed(10.0));
            });
        }
        FormKind::CloseRoad | FormKind::ReopenRoad => {
            let roads: Vec<(String, String)> = sc
                .scenario
                .map
                .roads
                .iter()
                .filter_map(|r| {
                    r.id.as_ref().map(|id| {
                        (id.clone(), format!("{id}: {} – {}", node_name(&sc, &r.from), node_name(&sc, &r.to)))
                    })
                })
                .collect();
            combo(ui, "form_road", t(lang, "road"), &mut f.road, &roads, "—");
        }
        FormKind::SetLevel => {
            let levels: Vec<(Level, String)> =
                [Level::IV, Level::III, Level::II, Level::I].iter().map(|l| (*l, l.roman().to_string())).collect();
            combo(ui, "form_level", t(lang, "level"), &mut f.level, &levels, "");
        }
        FormKind::RequestSupport => {
            let agencies: Vec<(String, String)> =
                sc.scenario.agencies.iter().map(|a| (a.id.clone(), super::agency_name(&sc, &a.id, lang))).collect();
            combo(ui, "form_agency", t(lang, "to"), &mut f.agency, &agencies, "—");
        }
        _ => {}
    }
    if f.kind.needs_target() {
        let kinds: &[NodeKind] = match f.kind {
            FormKind::Evacuate | FormKind::OpenShelter | FormKind::CloseShelter => &[NodeKind::Shelter],
            FormKind::CloseIntake | FormKind::OpenIntake => &[NodeKind::WaterIntake],
            _ => &[],
        };
        let targets = places(&sc, kinds);
        ui.horizontal(|ui| {
            combo(ui, "form_target", t(lang, "target"), &mut f.target, &targets, "—");
            if ui.selectable_label(f.picking, t(lang, "pick_on_map")).clicked() {
                f.picking = !f.picking;
            }
        });
        if f.picking {
            ui.colored_label(egui::Color32::from_rgb(200, 0, 120), t(lang, "picking"));
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
            ui.label(t(lang, "text"));
            ui.text_edit_singleline(&mut f.text);
        });
    }
    let order = f.order();
    ui.add_enabled_ui(order.is_ok(), |ui| {
        if ui.button(t(lang, "send")).clicked()
            && let Ok(o) = &order
        {
            sim.give(&by, o);
        }
    });
    if let Ok(o) = &order {
        ui.small(super::order_line(&by, o));
    }
}

/// The report form for the seat at the screen.
pub fn report_form(ui: &mut egui::Ui, sim: &mut Sim, state: &mut GuiState) {
    let lang = state.lang;
    let Seat::Agency(by) = state.seat.clone() else {
        ui.label(match lang {
            Lang::Zh => "请先选择一个单位席位。",
            Lang::En => "Choose an agency seat first.",
        });
        return;
    };
    let sc = sim.sc.clone();
    let f = &mut state.form;
    let kinds: Vec<(ReportKind, String)> =
        [ReportKind::Phone, ReportKind::Written, ReportKind::Urgent, ReportKind::FollowUp, ReportKind::Feedback]
            .iter()
            .map(|k| (*k, crate::scenario::ron_name(k)))
            .collect();
    combo(ui, "rep_kind", t(lang, "report_kind"), &mut f.report_kind, &kinds, "");
    let agencies: Vec<(String, String)> = sc
        .scenario
        .agencies
        .iter()
        .filter(|a| a.id != by)
        .map(|a| (a.id.clone(), super::agency_name(&sc, &a.id, lang)))
        .collect();
    combo(ui, "rep_to", t(lang, "to"), &mut f.report_to, &agencies, "—");
    egui::Grid::new("figures").num_columns(2).show(ui, |ui| {
        for (i, key) in ["dead", "injured", "missing", "affected", "evacuated"].into_iter().enumerate() {
            ui.label(t(lang, key));
            ui.add(egui::TextEdit::singleline(&mut f.figures[i]).desired_width(80.0));
            ui.end_row();
        }
        ui.label(t(lang, "actions_taken"));
        ui.text_edit_singleline(&mut f.actions_taken);
        ui.end_row();
    });
    let report = f.report();
    ui.add_enabled_ui(report.is_ok(), |ui| {
        if ui.button(t(lang, "send_report")).clicked()
            && let Ok(o) = &report
        {
            sim.give(&by, o);
        }
    });
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
