//! The egui panels around the map: the clock with pause, play and speed; the seat (facilitator
//! or an agency, hot-seat) and the language; each seat's inject inbox; the plan's checklist with
//! deadlines counting down; details of the place clicked; the order and report forms; the
//! resources board; the live score; the answers and the journal. Also the map's labels and the
//! hover tooltip, painted over the map.

use std::time::{Duration, Instant};

use bevy::prelude::*;
use bevy_egui::egui::{self, Color32, RichText};
use bevy_egui::{EguiContexts, EguiPrimaryContextPass};

use super::map::{MapCamera, MapGeo, Markers};
use super::text::{display_name, names, t};
use super::{GuiState, Seat, Sim, agency_name, node_name, orders};
use crate::agents::supplies::Stocks;
use crate::agents::teams::{Team, TeamIndex};
use crate::agents::{Residents, Shelters};
use crate::exercise::ExerciseState;
use crate::hazards::HazardState;
use crate::hazards::derailment::DerailmentState;
use crate::hazards::spill::SpillState;
use crate::journal::{Entry, Event, Journal};
use crate::map::{IntakeState, ZoneDepths};
use crate::report::names::Namer;
use crate::report::sentences::sentence;
use crate::scenario::time::human_secs;
use crate::scenario::types::{NodeKind, OrderKind};
use crate::scenario::{CONTROL, ValidScenario};
use crate::scoring::report::Lang;
use crate::scoring::{Score, score};

/// The UI pass (the font is installed before it).
#[derive(SystemSet, Debug, Clone, PartialEq, Eq, Hash)]
pub struct PanelsSet;

/// The live score, recomputed from the journal now and then (it is a pure function of it).
#[derive(Default)]
struct ScoreCache {
    at: Option<Instant>,
    entries: usize,
    score: Option<Score>,
}

const SPEEDS: [f64; 6] = [1.0, 10.0, 60.0, 300.0, 600.0, 3600.0];

#[allow(clippy::too_many_arguments)]
fn ui(
    mut contexts: EguiContexts,
    mut sim: NonSendMut<Sim>,
    mut state: ResMut<GuiState>,
    markers: Res<Markers>,
    geo: Option<Res<MapGeo>>,
    cam: Single<(&Camera, &GlobalTransform, &Projection), With<MapCamera>>,
    mut cache: Local<ScoreCache>,
    mut styled: Local<bool>,
) -> Result {
    let ctx = contexts.ctx_mut()?.clone();
    let mut root = root_ui(&ctx, &mut styled);
    let sim = &mut *sim;
    let state = &mut *state;
    let lang = state.lang;
    // the live score: at most every 2 s, and only when the journal grew
    let n_entries = sim.world().resource::<Journal>().entries.len();
    if cache.at.is_none_or(|a| a.elapsed() > Duration::from_secs(2)) && n_entries != cache.entries {
        cache.score = Some(score(&sim.sc, &sim.world().resource::<Journal>().entries));
        cache.entries = n_entries;
        cache.at = Some(Instant::now());
    }

    egui::Panel::top("top").show(&mut root, |ui| top_bar(ui, sim, state));
    egui::Panel::bottom("log").resizable(false).exact_size(120.0).show(&mut root, |ui| log_panel(ui, sim, lang));
    egui::Panel::left("left").resizable(false).exact_size(300.0).show(&mut root, |ui| {
        egui::ScrollArea::vertical().id_salt("left_scroll").show(ui, |ui| {
            egui::CollapsingHeader::new(RichText::new(t(lang, "gui.inbox")).strong())
                .default_open(true)
                .show(ui, |ui| inbox(ui, sim, state));
            egui::CollapsingHeader::new(RichText::new(t(lang, "gui.checklist")).strong())
                .default_open(true)
                .show(ui, |ui| checklist(ui, sim, state));
        });
    });
    egui::Panel::right("right").resizable(false).exact_size(370.0).show(&mut root, |ui| {
        egui::ScrollArea::vertical().id_salt("right_scroll").show(ui, |ui| {
            egui::CollapsingHeader::new(RichText::new(t(lang, "gui.score")).strong())
                .default_open(true)
                .show(ui, |ui| score_panel(ui, cache.score.as_ref(), sim, lang));
            if state.selected.is_some() {
                egui::CollapsingHeader::new(RichText::new(t(lang, "gui.details")).strong()).default_open(true).show(
                    ui,
                    |ui| {
                        if let Some(id) = state.selected.clone() {
                            details(ui, sim, &id, lang);
                        }
                    },
                );
            }
            egui::CollapsingHeader::new(RichText::new(t(lang, "gui.orders")).strong())
                .default_open(true)
                .show(ui, |ui| orders::order_form(ui, sim, state));
            egui::CollapsingHeader::new(RichText::new(t(lang, "gui.report")).strong())
                .default_open(false)
                .show(ui, |ui| orders::report_form(ui, sim, state));
            egui::CollapsingHeader::new(RichText::new(t(lang, "gui.resources")).strong())
                .default_open(true)
                .show(ui, |ui| resources(ui, sim, lang));
        });
    });
    let free = root.available_rect_before_wrap();
    state.map_rect = Some(free);
    let pointer = ctx.pointer_hover_pos();
    state.pointer_over_ui = pointer.is_none_or(|p| !free.contains(p)) || ctx.egui_is_using_pointer();

    // labels and markers' counts over the map, then the tooltip
    if let Some(geo) = geo {
        let (camera, gt, proj) = *cam;
        let scale = match proj {
            Projection::Orthographic(o) => o.scale,
            _ => 1.0,
        };
        let painter = ctx
            .layer_painter(egui::LayerId::new(egui::Order::Background, egui::Id::new("map_labels")))
            .with_clip_rect(free);
        let to_screen = |p: Vec2| camera.world_to_viewport(gt, p.extend(0.0)).ok().map(|v| egui::pos2(v.x, v.y));
        let font = egui::FontId::proportional(12.0);
        for n in &sim.sc.scenario.map.nodes {
            let show = match n.kind {
                NodeKind::Town
                | NodeKind::Township
                | NodeKind::Shelter
                | NodeKind::Hospital
                | NodeKind::WaterIntake => true,
                NodeKind::Village | NodeKind::Depot | NodeKind::CommandPost | NodeKind::RailSite | NodeKind::Site => {
                    scale < 1.2
                }
                _ => false,
            };
            if !show {
                continue;
            }
            let Some(p) = geo.pos.get(&n.id).and_then(|p| to_screen(*p)) else { continue };
            let name = display_name(n.name.as_deref().unwrap_or(&n.id), lang);
            painter.text(
                p + egui::vec2(8.0, -6.0),
                egui::Align2::LEFT_BOTTOM,
                name,
                font.clone(),
                Color32::from_gray(30),
            );
        }
        for (p, ids) in &markers.teams {
            if ids.len() > 1
                && let Some(s) = to_screen(*p)
            {
                painter.text(
                    s + egui::vec2(9.0, 6.0),
                    egui::Align2::LEFT_TOP,
                    format!("×{}", ids.len()),
                    egui::FontId::proportional(11.0),
                    Color32::from_rgb(20, 20, 120),
                );
            }
        }
        legend(&ctx, free, lang);
        scale_bar(&painter, free, scale, lang);
        if let (Some(id), false) = (state.hovered.clone(), state.pointer_over_ui)
            && let Some(pos) = pointer
        {
            egui::Area::new(egui::Id::new("hover_tip"))
                .fixed_pos(pos + egui::vec2(16.0, 16.0))
                .order(egui::Order::Tooltip)
                .interactable(false)
                .show(&ctx, |ui| {
                    egui::Frame::popup(&ctx.global_style()).show(ui, |ui| {
                        ui.set_max_width(320.0);
                        details(ui, sim, &id, lang);
                        let teams: Vec<&String> = markers
                            .teams
                            .iter()
                            .filter(|(p, _)| geo.pos.get(&id).is_some_and(|q| q.distance(*p) < 14.0 * scale))
                            .flat_map(|(_, ids)| ids)
                            .collect();
                        if !teams.is_empty() {
                            ui.label(format!(
                                "{}: {}",
                                t(lang, "gui.teams"),
                                teams.iter().map(|s| names(&sim.sc, lang).team(s)).collect::<Vec<_>>().join(", ")
                            ));
                        }
                    });
                });
        }
    }
    Ok(())
}

/// The window's root: the whole viewport, light style (set once).
pub(super) fn root_ui(ctx: &egui::Context, styled: &mut bool) -> egui::Ui {
    if !*styled {
        ctx.set_visuals(egui::Visuals::light());
        *styled = true;
    }
    egui::Ui::new(
        ctx.clone(),
        "drillsim_root".into(),
        egui::UiBuilder::new().layer_id(egui::LayerId::background()).max_rect(ctx.viewport_rect()),
    )
}

fn rgb(r: f32, g: f32, b: f32) -> Color32 {
    Color32::from_rgb((r * 255.0) as u8, (g * 255.0) as u8, (b * 255.0) as u8)
}

/// The map's symbols with their meaning, in the map's lower left corner (the colours are the
/// ones `map::draw` uses).
fn legend(ctx: &egui::Context, free: egui::Rect, lang: Lang) {
    type Draw = fn(&egui::Painter, egui::Pos2);
    let rows: [(&'static str, Draw); 14] = [
        ("gui.legend.town", |p, c| {
            p.circle_stroke(c, 6.0, egui::Stroke::new(1.5, rgb(0.75, 0.45, 0.15)));
            p.circle_filled(c, 3.5, rgb(0.85, 0.55, 0.2).gamma_multiply(0.7));
        }),
        ("gui.legend.road", |p, c| {
            p.line_segment(
                [c + egui::vec2(-9.0, 3.0), c + egui::vec2(-1.0, -3.0)],
                egui::Stroke::new(1.5, Color32::GRAY),
            );
            p.line_segment(
                [c + egui::vec2(1.0, 3.0), c + egui::vec2(9.0, -3.0)],
                egui::Stroke::new(3.0, rgb(0.85, 0.1, 0.1)),
            );
        }),
        ("gui.legend.river", |p, c| {
            p.line_segment(
                [c + egui::vec2(-9.0, 0.0), c + egui::vec2(9.0, 0.0)],
                egui::Stroke::new(3.0, rgb(0.25, 0.5, 0.85)),
            );
            p.line_segment(
                [c + egui::vec2(-2.0, -4.0), c + egui::vec2(4.0, 4.0)],
                egui::Stroke::new(2.5, rgb(0.9, 0.0, 0.0)),
            );
            p.line_segment(
                [c + egui::vec2(-2.0, 4.0), c + egui::vec2(4.0, -4.0)],
                egui::Stroke::new(2.5, rgb(0.9, 0.0, 0.0)),
            );
        }),
        ("gui.legend.flood", |p, c| {
            let r = egui::Rect::from_center_size(c, egui::vec2(18.0, 10.0));
            p.rect_filled(r, 2.0, Color32::from_rgba_unmultiplied(70, 120, 225, 140));
        }),
        ("gui.legend.contamination", |p, c| {
            p.line_segment([c + egui::vec2(-9.0, 0.0), c], egui::Stroke::new(3.0, rgb(0.95, 0.6, 0.1)));
            p.line_segment([c, c + egui::vec2(9.0, 0.0)], egui::Stroke::new(3.0, rgb(0.8, 0.0, 0.5)));
        }),
        ("gui.legend.plume", |p, c| {
            let r = egui::Rect::from_center_size(c, egui::vec2(18.0, 10.0));
            p.rect_stroke(r, 4.0, egui::Stroke::new(2.0, rgb(0.6, 0.1, 0.7)), egui::StrokeKind::Middle);
        }),
        ("gui.legend.shelter", |p, c| {
            p.rect_stroke(
                egui::Rect::from_center_size(c + egui::vec2(-5.0, -1.0), egui::vec2(9.0, 9.0)),
                0.0,
                egui::Stroke::new(1.5, rgb(0.1, 0.6, 0.2)),
                egui::StrokeKind::Middle,
            );
            p.rect_stroke(
                egui::Rect::from_center_size(c + egui::vec2(6.0, -1.0), egui::vec2(9.0, 9.0)),
                0.0,
                egui::Stroke::new(1.5, Color32::GRAY),
                egui::StrokeKind::Middle,
            );
            p.line_segment(
                [c + egui::vec2(-9.5, 6.0), c + egui::vec2(-2.0, 6.0)],
                egui::Stroke::new(2.0, rgb(0.1, 0.5, 0.1)),
            );
        }),
        ("gui.legend.depot", |p, c| {
            p.rect_stroke(
                egui::Rect::from_center_size(c, egui::vec2(10.0, 10.0)),
                0.0,
                egui::Stroke::new(1.5, rgb(0.5, 0.3, 0.1)),
                egui::StrokeKind::Middle,
            );
            p.rect_stroke(
                egui::Rect::from_center_size(c, egui::vec2(5.0, 5.0)),
                0.0,
                egui::Stroke::new(1.5, rgb(0.5, 0.3, 0.1)),
                egui::StrokeKind::Middle,
            );
        }),
        ("gui.legend.hospital", |p, c| {
            let s = egui::Stroke::new(3.0, rgb(0.85, 0.05, 0.1));
            p.line_segment([c + egui::vec2(-6.0, 0.0), c + egui::vec2(6.0, 0.0)], s);
            p.line_segment([c + egui::vec2(0.0, -6.0), c + egui::vec2(0.0, 6.0)], s);
        }),
        ("gui.legend.intake", |p, c| {
            p.circle_stroke(c, 6.0, egui::Stroke::new(1.5, rgb(0.0, 0.6, 0.8)));
            p.circle_stroke(c, 3.5, egui::Stroke::new(1.5, rgb(0.0, 0.6, 0.8)));
        }),
        ("gui.legend.command_post", |p, c| {
            let pts = vec![
                c + egui::vec2(0.0, -6.0),
                c + egui::vec2(6.0, 0.0),
                c + egui::vec2(0.0, 6.0),
                c + egui::vec2(-6.0, 0.0),
                c + egui::vec2(0.0, -6.0),
            ];
            p.add(egui::Shape::line(pts, egui::Stroke::new(1.5, rgb(0.45, 0.1, 0.6))));
        }),
        ("gui.legend.hazard", |p, c| {
            for k in 0..4 {
                let a = k as f32 * std::f32::consts::FRAC_PI_4;
                let d = egui::vec2(a.cos(), a.sin()) * 7.0;
                p.line_segment([c - d, c + d], egui::Stroke::new(2.5, rgb(0.95, 0.1, 0.0)));
            }
        }),
        ("gui.legend.team", |p, c| {
            for (i, x) in [-5.0f32, 5.0].into_iter().enumerate() {
                let col = egui::ecolor::Hsva::new(((i as f32 * 137.5) % 360.0) / 360.0, 0.8, 0.7, 1.0);
                p.circle_stroke(c + egui::vec2(x, 0.0), 4.5, egui::Stroke::new(2.5, Color32::from(col)));
            }
        }),
        ("gui.legend.evacuees", |p, c| {
            p.circle_stroke(c, 6.0, egui::Stroke::new(1.5, rgb(0.95, 0.75, 0.0)));
            p.circle_stroke(c, 3.5, egui::Stroke::new(1.5, rgb(0.95, 0.75, 0.0)));
        }),
    ];
    egui::Area::new(egui::Id::new("map_legend"))
        .fixed_pos(free.left_bottom() + egui::vec2(8.0, -8.0))
        .pivot(egui::Align2::LEFT_BOTTOM)
        .order(egui::Order::Middle)
        .interactable(true)
        .show(ctx, |ui| {
            egui::Frame::popup(&ctx.global_style()).fill(Color32::from_white_alpha(225)).show(ui, |ui| {
                egui::CollapsingHeader::new(RichText::new(t(lang, "gui.legend")).small().strong())
                    .default_open(true)
                    .show(ui, |ui| {
                        ui.spacing_mut().item_spacing.y = 1.0;
                        for (key, draw) in rows {
                            ui.horizontal(|ui| {
                                let (r, _) = ui.allocate_exact_size(egui::vec2(22.0, 14.0), egui::Sense::hover());
                                draw(ui.painter(), r.center());
                                ui.label(RichText::new(t(lang, key)).small());
                            });
                        }
                    });
            });
        });
}

/// A scale bar of a round length (1, 2 or 5 × 10ⁿ km) about 120 px long, in the map's lower
/// right corner; `scale` is world units per screen pixel.
pub(super) fn scale_bar(painter: &egui::Painter, free: egui::Rect, scale: f32, lang: Lang) {
    let px_per_km = super::map::UNITS_PER_KM / scale.max(1e-6);
    let km = nice_length(120.0 / px_per_km);
    let len = km * px_per_km;
    let right = free.right_bottom() + egui::vec2(-16.0, -14.0);
    let left = right - egui::vec2(len, 0.0);
    let ink = egui::Stroke::new(2.0, Color32::from_gray(30));
    painter.rect_filled(
        egui::Rect::from_min_max(left + egui::vec2(-6.0, -24.0), right + egui::vec2(6.0, 6.0)),
        3.0,
        Color32::from_white_alpha(200),
    );
    painter.line_segment([left, right], ink);
    for x in [left, right] {
        painter.line_segment([x, x - egui::vec2(0.0, 6.0)], ink);
    }
    let label =
        if km >= 1.0 { format!("{km:.0} {}", t(lang, "gui.km")) } else { format!("{km} {}", t(lang, "gui.km")) };
    painter.text(
        (left + right.to_vec2()) / 2.0 - egui::vec2(0.0, 8.0),
        egui::Align2::CENTER_BOTTOM,
        label,
        egui::FontId::proportional(12.0),
        Color32::from_gray(30),
    );
}

/// The largest of 1, 2, 5 × 10ⁿ not above `x` (x > 0).
pub fn nice_length(x: f32) -> f32 {
    let x = x.max(1e-3);
    let p = 10f32.powf(x.log10().floor());
    [5.0, 2.0, 1.0].into_iter().map(|m| m * p).find(|v| *v <= x * 1.0001).unwrap_or(p)
}

fn top_bar(ui: &mut egui::Ui, sim: &mut Sim, state: &mut GuiState) {
    let lang = state.lang;
    let clock = sim.clock();
    let ex = sim.world().resource::<ExerciseState>();
    let (paused, speed, level) = (ex.paused, ex.speed, ex.level);
    // one line at 1280 px: the scenario's name in the language (shortened), the speeds in a list
    ui.horizontal(|ui| {
        let title = display_name(&sim.sc.scenario.meta.name, lang);
        let short: String = title.chars().take(28).collect();
        let label = ui.label(RichText::new(if short == title { title.clone() } else { short + "…" }).strong());
        label.on_hover_text(title);
        ui.separator();
        ui.label(t(lang, "gui.clock"));
        ui.label(
            RichText::new(format!("{}  (+{})", clock.iso(clock.now).replace('T', " "), human_secs(clock.now as i64)))
                .monospace()
                .strong(),
        );
        let status = if clock.finished() {
            t(lang, "gui.finished")
        } else if paused {
            t(lang, "gui.paused")
        } else {
            t(lang, "gui.running")
        };
        ui.label(status);
        if paused {
            if ui.button(format!("▶ {}", t(lang, "gui.play"))).clicked() {
                sim.give(CONTROL, &OrderKind::Resume);
            }
        } else if ui.button(format!("⏸ {}", t(lang, "gui.pause"))).clicked() {
            sim.give(CONTROL, &OrderKind::Pause);
        }
        ui.label(t(lang, "gui.speed"));
        let mut chosen = speed;
        egui::ComboBox::from_id_salt("speed").width(70.0).selected_text(format!("{speed}×")).show_ui(ui, |ui| {
            for s in SPEEDS {
                ui.selectable_value(&mut chosen, s, format!("{s}×"));
            }
        });
        if chosen != speed {
            sim.give(CONTROL, &OrderKind::Speed(chosen));
        }
        ui.separator();
        ui.label(format!("{}: {}", t(lang, "gui.level"), level.map_or(t(lang, "gui.none"), |l| l.roman())));
        ui.separator();
        ui.label(t(lang, "gui.seat"));
        let sc = sim.sc.clone();
        egui::ComboBox::from_id_salt("seat")
            .width(180.0)
            .selected_text(super::seat_name(&sc, &state.seat, lang))
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut state.seat, Seat::Facilitator, t(lang, "gui.facilitator"));
                for a in &sc.scenario.agencies {
                    ui.selectable_value(&mut state.seat, Seat::Agency(a.id.clone()), agency_name(&sc, &a.id, lang));
                }
            });
        if ui.button(t(lang, "gui.lang")).clicked() {
            state.lang = match lang {
                Lang::Zh => Lang::En,
                Lang::En => Lang::Zh,
            };
        }
    });
}

fn inject_text(sc: &ValidScenario, id: &str, text: &str, lang: Lang) -> String {
    match lang {
        Lang::En => {
            sc.scenario.injects.iter().find(|i| i.id == id).and_then(|i| i.text_en.clone()).unwrap_or(text.to_string())
        }
        Lang::Zh => text.to_string(),
    }
}

/// A delivered inject's text in `lang`: the journal's, with the model values filled in.
fn delivered_text(text: &str, text_en: &Option<String>, lang: Lang) -> String {
    match (lang, text_en) {
        (Lang::En, Some(en)) => en.clone(),
        _ => text.to_string(),
    }
}

fn inbox(ui: &mut egui::Ui, sim: &mut Sim, state: &mut GuiState) {
    let lang = state.lang;
    let sc = sim.sc.clone();
    let entries = &sim.world().resource::<Journal>().entries;
    let seat = state.seat.clone();
    let mine = |to: &[String]| match &seat {
        Seat::Facilitator => true,
        Seat::Agency(a) => to.iter().any(|x| x == a),
    };
    let acked = |inject: &str| -> bool {
        let Seat::Agency(a) = &seat else { return false };
        entries.iter().any(|e| matches!(&e.event, Event::Acknowledged { by, inject: i } if by == a && i == inject))
    };
    let clock = sim.clock();
    let mut to_give: Vec<(String, OrderKind)> = Vec::new();
    let mut any = false;
    for e in entries.iter().rev() {
        let Event::InjectDelivered { inject, from, to, text, text_en } = &e.event else { continue };
        if !mine(to) {
            continue;
        }
        any = true;
        ui.group(|ui| {
            ui.horizontal(|ui| {
                ui.label(RichText::new(clock.iso(e.t)[11..16].to_string()).monospace());
                ui.label(RichText::new(agency_name(&sc, from, lang)).strong());
            });
            ui.label(delivered_text(text, text_en, lang));
            if let Seat::Agency(a) = &seat {
                if acked(inject) {
                    ui.small(t(lang, "gui.acked"));
                } else if ui.small_button(t(lang, "gui.ack")).clicked() {
                    to_give.push((a.clone(), OrderKind::Acknowledge(inject.clone())));
                }
            }
        });
    }
    if !any {
        ui.label(t(lang, "gui.no_injects"));
    }
    if seat == Seat::Facilitator {
        ui.separator();
        ui.label(RichText::new(t(lang, "gui.control_only")).strong());
        let delivered = &sim.world().resource::<ExerciseState>().delivered;
        for i in &sc.scenario.injects {
            if delivered.contains_key(&i.id) {
                continue;
            }
            ui.horizontal(|ui| {
                if ui.small_button(t(lang, "gui.fire")).clicked() {
                    to_give.push((CONTROL.into(), OrderKind::FireInject(i.id.clone())));
                }
                let text = inject_text(&sc, &i.id, &i.text, lang);
                ui.label(text.chars().take(40).collect::<String>());
            });
        }
        if ui.button(t(lang, "gui.end_exercise")).clicked() {
            to_give.push((CONTROL.into(), OrderKind::EndExercise));
        }
    }
    for (by, o) in to_give {
        sim.give(&by, &o);
    }
}

fn checklist(ui: &mut egui::Ui, sim: &mut Sim, state: &mut GuiState) {
    let lang = state.lang;
    let sc = sim.sc.clone();
    let ex = sim.world().resource::<ExerciseState>();
    let now = sim.clock().now as i64;
    for lvl in &sc.scenario.plan.levels {
        let trig = ex.triggered.get(&lvl.level).copied();
        let head = match trig {
            Some(t0) => format!("{} {} (+{})", t(lang, "gui.level"), lvl.level.roman(), human_secs(t0 as i64)),
            None => format!("{} {} — {}", t(lang, "gui.level"), lvl.level.roman(), t(lang, "gui.not_triggered")),
        };
        ui.label(RichText::new(head).strong());
        for a in &lvl.actions {
            let mine = matches!(&state.seat, Seat::Agency(s) if *s == a.owner);
            let (status, color) = match (trig, ex.actions_done.get(&a.id)) {
                (_, Some(done)) => {
                    (format!("✔ {} +{}", t(lang, "gui.done"), human_secs(*done as i64)), Color32::from_rgb(0, 120, 0))
                }
                (Some(t0), None) => {
                    let left = (t0 + a.deadline.secs()) as i64 - now;
                    if left >= 0 {
                        (format!("{} {}", t(lang, "gui.due_in"), human_secs(left)), Color32::from_rgb(170, 110, 0))
                    } else {
                        (format!("{} {}", t(lang, "gui.overdue"), human_secs(-left)), Color32::from_rgb(200, 0, 0))
                    }
                }
                (None, None) => ("·".to_string(), Color32::GRAY),
            };
            ui.horizontal_wrapped(|ui| {
                let who = agency_name(&sc, &a.owner, lang);
                let desc = names(&sc, lang).action(&a.id);
                let text = RichText::new(format!("{who}: {desc}"));
                ui.label(if mine { text.strong() } else { text });
                ui.colored_label(color, status);
            });
        }
    }
}

fn score_panel(ui: &mut egui::Ui, s: Option<&Score>, sim: &Sim, lang: Lang) {
    let Some(s) = s else { return };
    ui.label(RichText::new(format!("{} {:.0}", t(lang, "gui.overall"), s.overall)).size(18.0).strong());
    egui::Grid::new("score_parts").num_columns(2).show(ui, |ui| {
        for (k, v) in [
            ("gui.plan", s.parts.plan),
            ("gui.reporting", s.parts.reporting),
            ("gui.coordination", s.parts.coordination),
            ("gui.outcomes", s.parts.outcomes),
        ] {
            ui.label(t(lang, k));
            ui.add(
                egui::ProgressBar::new((v / 100.0).clamp(0.0, 1.0) as f32).desired_width(160.0).text(format!("{v:.0}")),
            );
            ui.end_row();
        }
    });
    let hz = sim.world().resource::<HazardState>();
    let cas: [u32; 4] = hz.casualties.values().fold([0; 4], |mut acc, c| {
        for i in 0..4 {
            acc[i] += c[i];
        }
        acc
    });
    if cas.iter().any(|c| *c > 0) {
        let (g, y, r, b) =
            (t(lang, "gui.cas.green"), t(lang, "gui.cas.yellow"), t(lang, "gui.cas.red"), t(lang, "gui.cas.black"));
        ui.label(format!(
            "{}: {g} {} · {y} {} · {r} {} · {b} {}",
            t(lang, "gui.casualties"),
            cas[0],
            cas[1],
            cas[2],
            cas[3]
        ));
    }
}

/// A kind of place in words.
pub fn node_kind(kind: NodeKind, lang: Lang) -> &'static str {
    match kind {
        NodeKind::Village => t(lang, "gui.node.village"),
        NodeKind::Town => t(lang, "gui.node.town"),
        NodeKind::Township => t(lang, "gui.node.township"),
        NodeKind::Shelter => t(lang, "gui.node.shelter"),
        NodeKind::Hospital => t(lang, "gui.node.hospital"),
        NodeKind::WaterIntake => t(lang, "gui.node.water_intake"),
        NodeKind::Depot => t(lang, "gui.node.depot"),
        NodeKind::CommandPost => t(lang, "gui.node.command_post"),
        NodeKind::RailSite => t(lang, "gui.node.rail_site"),
        NodeKind::Site => t(lang, "gui.node.site"),
        NodeKind::LeveePoint => t(lang, "gui.node.levee_point"),
        NodeKind::Junction => t(lang, "gui.node.junction"),
        NodeKind::Bridge => t(lang, "gui.node.bridge"),
    }
}

/// What is known about one place.
fn details(ui: &mut egui::Ui, sim: &Sim, id: &str, lang: Lang) {
    let sc = &sim.sc;
    let w = sim.world();
    let Some(n) = sc.scenario.map.nodes.iter().find(|n| n.id == id) else { return };
    ui.label(RichText::new(display_name(n.name.as_deref().unwrap_or(id), lang)).strong());
    ui.small(node_kind(n.kind, lang));
    if n.population > 0 {
        let left = w.resource::<Residents>().0.get(id).copied().unwrap_or(0.0);
        ui.label(format!("{} {} · {} {:.0}", t(lang, "gui.population"), n.population, t(lang, "gui.residents"), left));
    }
    if let Some(s) = w.resource::<Shelters>().0.get(id) {
        ui.label(format!(
            "{} {}/{} · {}",
            t(lang, "gui.occupancy"),
            s.occupants,
            s.capacity,
            if s.open { t(lang, "gui.open") } else { t(lang, "gui.closed") }
        ));
    }
    if let Some(stock) = w.get_resource::<Stocks>().and_then(|s| s.0.get(id)) {
        let nm = names(sc, lang);
        let items: Vec<String> = stock.iter().map(|(k, v)| format!("{} {v:.0}", nm.item(k))).collect();
        ui.label(format!("{}: {}", t(lang, "gui.stock"), items.join(", ")));
    }
    if let Some(h) = w.get_resource::<DerailmentState>().and_then(|d| d.hospitals.iter().find(|h| h.node == id)) {
        ui.label(format!("{} {}/{}", t(lang, "gui.beds"), h.used, h.beds));
    }
    if n.kind == NodeKind::WaterIntake {
        let open = w.resource::<IntakeState>().is_open(id);
        ui.label(if open { t(lang, "gui.open") } else { t(lang, "gui.closed") });
        if let Some(spill) = w.get_resource::<SpillState>() {
            for (_, tr) in spill.traces.iter().filter(|(_, tr)| tr.intake == id) {
                ui.label(format!("{:.3} / {:.3} mg/L", tr.now_c, tr.threshold_mg_l));
            }
        }
    }
    let depth = &w.resource::<ZoneDepths>().0;
    for z in sc.scenario.map.flood_zones.iter().filter(|z| z.nodes.iter().any(|x| x == id)) {
        let d = depth.get(&z.id).copied().unwrap_or(0.0);
        let zone = names(sc, lang).place(&z.id);
        ui.label(format!("{} {zone}: {} {d:.2} m", t(lang, "gui.flood_zone"), t(lang, "gui.depth")));
    }
}

fn team_status(team: &Team, sim: &Sim, lang: Lang) -> String {
    let net = sim.world().resource::<crate::map::RoadNetwork>();
    let now = sim.clock().now;
    match (&team.trip, team.working) {
        (Some(trip), _) => {
            let eta = trip.legs.last().map_or(now, |l| l.1);
            format!(
                "{} {} ({})",
                t(lang, "gui.en_route"),
                display_name(&node_name(&sim.sc, net.id_of(trip.to)), lang),
                human_secs(eta.saturating_sub(now) as i64)
            )
        }
        (None, Some(task)) => format!(
            "{} {} @ {}",
            t(lang, "gui.working"),
            names(&sim.sc, lang).capability(task),
            display_name(&node_name(&sim.sc, net.id_of(team.location)), lang)
        ),
        (None, None) if team.location == team.home => t(lang, "gui.at_home").to_string(),
        (None, None) => display_name(&node_name(&sim.sc, net.id_of(team.location)), lang),
    }
}

fn resources(ui: &mut egui::Ui, sim: &Sim, lang: Lang) {
    let w = sim.world();
    ui.label(RichText::new(t(lang, "gui.teams")).underline());
    if let Some(index) = w.get_resource::<TeamIndex>() {
        egui::Grid::new("teams_grid").num_columns(2).striped(true).show(ui, |ui| {
            for (id, e) in &index.0 {
                let Some(team) = w.get::<Team>(*e) else { continue };
                ui.label(names(&sim.sc, lang).team(id));
                ui.label(team_status(team, sim, lang));
                ui.end_row();
            }
        });
    }
    let shelters = w.resource::<Shelters>();
    if !shelters.0.is_empty() {
        ui.label(RichText::new(t(lang, "gui.shelters")).underline());
        for (id, s) in &shelters.0 {
            let f = if s.capacity > 0 { s.occupants as f32 / s.capacity as f32 } else { 0.0 };
            ui.horizontal(|ui| {
                ui.label(display_name(&node_name(&sim.sc, id), lang));
                ui.add(egui::ProgressBar::new(f.min(1.0)).desired_width(120.0).text(format!(
                    "{}/{}{}",
                    s.occupants,
                    s.capacity,
                    if s.open { "" } else { " ✖" }
                )));
            });
        }
    }
    if let Some(stocks) = w.get_resource::<Stocks>().filter(|s| !s.0.is_empty()) {
        ui.label(RichText::new(t(lang, "gui.depots")).underline());
        for (id, items) in &stocks.0 {
            let nm = names(&sim.sc, lang);
            let list: Vec<String> = items.iter().map(|(k, v)| format!("{} {v:.0}", nm.item(k))).collect();
            ui.label(format!("{}: {}", display_name(&node_name(&sim.sc, id), lang), list.join(", ")));
        }
    }
    if let Some(d) = w.get_resource::<DerailmentState>().filter(|d| !d.hospitals.is_empty()) {
        ui.label(RichText::new(t(lang, "gui.hospitals")).underline());
        for h in &d.hospitals {
            ui.label(format!(
                "{}: {}/{} {}",
                display_name(&node_name(&sim.sc, &h.node), lang),
                h.used,
                h.beds,
                t(lang, "gui.beds")
            ));
        }
    }
    let intakes = w.resource::<IntakeState>();
    if !intakes.open.is_empty() {
        ui.label(RichText::new(t(lang, "gui.intakes")).underline());
        for (id, open) in &intakes.open {
            ui.label(format!(
                "{}: {}",
                display_name(&node_name(&sim.sc, id), lang),
                if *open { t(lang, "gui.open") } else { t(lang, "gui.closed") }
            ));
        }
    }
}

/// An answer to the window's order in the language: the order in words and what became of it.
fn answer_line(nm: &dyn Namer, l: &super::LogLine, clock: &crate::sim::SimClock) -> String {
    use crate::exercise::live::Answer;
    let (Some((by, o)), Some(a)) = (&l.order, &l.answer) else { return l.text.clone() };
    let w = nm.words();
    let order = format!("{}: {}", nm.agency(by), crate::report::model::order_text(nm, o));
    let at = |t: u64| clock.iso(t).get(11..16).unwrap_or_default().to_string();
    match a {
        Answer::Accepted { t, .. } => w.f("gui.answer.accepted", &[("order", &order), ("time", &at(*t))]),
        Answer::Refused { t, refusal, .. } => {
            let reason = crate::report::refusal::sentence(nm, refusal);
            w.f("gui.answer.refused", &[("order", &order), ("time", &at(*t)), ("reason", &reason)])
        }
        Answer::Invalid { reason, .. } => w.f("gui.answer.invalid", &[("order", &order), ("reason", reason)]),
    }
}

/// One journal entry as a sentence in the language, with its calendar time.
fn entry_line(names: &dyn Namer, e: &Entry) -> String {
    let mut text = sentence(names, e);
    if text.chars().count() > 200 {
        text = text.chars().take(200).collect::<String>() + "…";
    }
    format!("{} {text}", e.time.get(11..16).unwrap_or(&e.time))
}

fn log_panel(ui: &mut egui::Ui, sim: &Sim, lang: Lang) {
    let n = sim.world().resource::<Journal>().entries.len();
    ui.horizontal(|ui| {
        ui.label(RichText::new(t(lang, "gui.log")).strong());
        ui.small(format!("({n} {})", t(lang, "gui.entries")));
    });
    ui.columns(2, |cols| {
        egui::ScrollArea::vertical().id_salt("answers").show(&mut cols[0], |ui| {
            let nm = names(&sim.sc, lang);
            let clock = sim.clock();
            for l in sim.log.iter().rev() {
                let c = if l.ok { Color32::from_rgb(0, 110, 0) } else { Color32::from_rgb(190, 0, 0) };
                ui.colored_label(c, RichText::new(answer_line(&nm, l, &clock)).small());
            }
        });
        egui::ScrollArea::vertical().id_salt("journal").show(&mut cols[1], |ui| {
            let entries = &sim.world().resource::<Journal>().entries;
            let nm = names(&sim.sc, lang).with_delivered(entries);
            for e in entries.iter().rev().take(60) {
                ui.label(RichText::new(entry_line(&nm, e)).small());
            }
        });
    });
}

pub(super) fn plugin(app: &mut App) {
    app.add_systems(EguiPrimaryContextPass, ui.in_set(PanelsSet));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scale_bar_takes_a_round_length_no_longer_than_asked() {
        assert_eq!(nice_length(7.3), 5.0);
        assert_eq!(nice_length(2.0), 2.0);
        assert_eq!(nice_length(0.35), 0.2);
        assert_eq!(nice_length(19.9), 10.0);
        assert_eq!(nice_length(120.0), 100.0);
    }
}
