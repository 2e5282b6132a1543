//! The GUI as a seat of `drillsim serve` (`drillsim play --connect ADDR --token T`): no local
//! simulation; the window shows what the server sends this seat (its directory of names and
//! map, its numbered feed of journal entries, its state) and sends the seat's orders. The
//! connection is [`crate::seat::net::Client`], a WebSocket on its own thread; each frame takes in
//! what it reported into a [`SeatView`].

use std::path::PathBuf;
use std::process::ExitCode;

use bevy::prelude::*;
use bevy_egui::egui::{self, Color32, RichText};
use bevy_egui::{EguiContexts, EguiPrimaryContextPass};

use super::map::{MapCamera, MapGeo, world};
use super::orders::{Choices, form_ui, levels, report_kinds, report_ui};
use super::text::{display_name, t};
use super::{GuiState, Seat, Session, panels};
use crate::journal::Event;
use crate::report::names::Namer;
use crate::report::sentences::sentence;
use crate::scenario::types::{NodeKind, OrderKind};
use crate::scoring::report::Lang;
use crate::seat::net::{Client, Report};
use crate::seat::{Answer, ClientMsg, SeatView};

/// What `drillsim play --connect` was asked for.
pub struct RemoteOptions {
    pub addr: String,
    pub token: String,
    pub lang: Lang,
    pub screenshot: Option<PathBuf>,
    pub exit_after: Option<f64>,
}

/// The connection and what it brought (a non-send resource: the channels stay on the main
/// thread).
pub struct Remote {
    client: Client,
    pub view: SeatView,
    /// None: connecting; Some(true): connected; Some(false): offline (reconnecting).
    online: Option<bool>,
    /// The last connection problem, shown while offline.
    problem: String,
    /// The token was refused: the window says so and stays.
    refused: Option<String>,
    next_id: u64,
    /// What this window sent: request id → the order in words.
    sent: Vec<(String, String)>,
}

impl Remote {
    fn give(&mut self, order: OrderKind, words: String) {
        self.next_id += 1;
        let id = format!("g{}", self.next_id);
        self.sent.push((id.clone(), words));
        self.client.send(ClientMsg::Order { id, order });
    }
}

/// Opens the window on the seat and runs until it is closed.
pub fn run(opts: RemoteOptions) -> ExitCode {
    let client = Client::connect(&opts.addr, &opts.token);
    let font = super::font::find_cjk_font();
    if font.is_none() {
        eprintln!("drillsim play: no CJK font found; Chinese text will show as boxes");
    }
    eprintln!("drillsim play: a seat of the exercise at {}", opts.addr);
    let mut app = super::window_app(format!("drillsim — {}", opts.addr));
    app.insert_non_send(Remote {
        client,
        view: SeatView::default(),
        online: None,
        problem: String::new(),
        refused: None,
        next_id: 0,
        sent: Vec::new(),
    })
    .insert_non_send(super::font::CjkFont(font.map(|(_, bytes)| bytes)))
    .insert_resource(GuiState { fitted: true, ..GuiState::new(opts.lang, PathBuf::new()) })
    .insert_resource(Session { demo: false, screenshot: opts.screenshot, exit_after: opts.exit_after })
    .init_resource::<MapGeo>()
    .add_systems(Startup, |mut commands: Commands| {
        commands.spawn((Camera2d, MapCamera));
    })
    .add_systems(First, take_in)
    .add_systems(Update, (super::map::fit_view, super::map::pan_zoom_pick, draw).chain())
    .add_systems(EguiPrimaryContextPass, ui.in_set(panels::PanelsSet));
    super::font::plugin(&mut app);
    super::demo::session_plugin(&mut app);
    if app.run().is_success() { ExitCode::SUCCESS } else { ExitCode::from(1) }
}

/// Takes in what the connection reported; builds the map when the directory arrives.
fn take_in(mut remote: NonSendMut<Remote>, mut geo: ResMut<MapGeo>, mut state: ResMut<GuiState>) {
    for r in remote.client.poll() {
        match r {
            Report::Connected => remote.online = Some(true),
            Report::Offline(why) => {
                remote.online = Some(false);
                remote.problem = why;
            }
            Report::Refused(why) => remote.refused = Some(why),
            Report::Message(m) => {
                let welcome = matches!(m, crate::seat::ServerMsg::Welcome { .. });
                remote.view.apply(m);
                if welcome {
                    *geo = geo_of(&remote.view);
                    state.fitted = false;
                    if let Some(a) = remote.view.seat.as_ref().and_then(|s| s.agency.clone()) {
                        state.seat = Seat::Agency(a);
                    }
                }
            }
        }
    }
}

fn geo_of(view: &SeatView) -> MapGeo {
    MapGeo::of_places(view.dir.nodes.iter().map(|n| (n.id.clone(), world(n.pos))))
}

fn agency_color(view: &SeatView, agency: &str) -> Color {
    let i = view.dir.agencies.iter().position(|a| a.id == agency).unwrap_or(0);
    Color::hsl((i as f32 * 137.5) % 360.0, 0.75, 0.42)
}

/// The seat's map: roads, places by kind, its teams where the state puts them.
fn draw(
    remote: NonSend<Remote>,
    geo: Res<MapGeo>,
    state: Res<GuiState>,
    mut g: Gizmos,
    cam: Single<&Projection, With<MapCamera>>,
) {
    let px = match *cam {
        Projection::Orthographic(o) => o.scale,
        _ => 1.0,
    };
    let view = &remote.view;
    for r in &view.dir.roads {
        if let (Some(a), Some(b)) = (geo.pos.get(&r.from), geo.pos.get(&r.to)) {
            g.line_2d(*a, *b, Color::srgb(0.5, 0.5, 0.5));
        }
    }
    for n in &view.dir.nodes {
        let p = geo.pos[&n.id];
        match n.kind {
            NodeKind::Village | NodeKind::Town | NodeKind::Township => {
                g.circle_2d(p, 6.0 * px, Color::srgb(0.75, 0.45, 0.15));
            }
            NodeKind::Shelter => g.rect_2d(p, Vec2::splat(12.0 * px), Color::srgb(0.1, 0.6, 0.2)),
            NodeKind::Depot => g.rect_2d(p, Vec2::splat(10.0 * px), Color::srgb(0.5, 0.3, 0.1)),
            NodeKind::Hospital => {
                let r = 7.0 * px;
                g.line_2d(p - Vec2::X * r, p + Vec2::X * r, Color::srgb(0.85, 0.05, 0.1));
                g.line_2d(p - Vec2::Y * r, p + Vec2::Y * r, Color::srgb(0.85, 0.05, 0.1));
            }
            NodeKind::WaterIntake => {
                g.circle_2d(p, 7.0 * px, Color::srgb(0.0, 0.6, 0.8));
            }
            _ => {
                g.circle_2d(p, 2.0 * px, Color::srgb(0.4, 0.4, 0.4));
            }
        }
        if state.selected.as_deref() == Some(n.id.as_str()) || state.hovered.as_deref() == Some(n.id.as_str()) {
            g.circle_2d(p, 16.0 * px, Color::srgb(1.0, 0.1, 0.6));
        }
    }
    if let Some(s) = &view.state {
        for tm in &s.teams {
            let Some(p) = geo.pos.get(&tm.at) else { continue };
            let agency = view.dir.teams.iter().find(|x| x.id == tm.id).map_or("", |x| x.agency.as_str());
            let col = agency_color(view, agency);
            g.circle_2d(*p, 5.0 * px, col);
            g.circle_2d(*p, 2.5 * px, col);
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn ui(
    mut contexts: EguiContexts,
    mut remote: NonSendMut<Remote>,
    mut state: ResMut<GuiState>,
    geo: Res<MapGeo>,
    cam: Single<(&Camera, &GlobalTransform, &Projection), With<MapCamera>>,
    mut styled: Local<bool>,
) -> Result {
    let ctx = contexts.ctx_mut()?.clone();
    let mut root = panels::root_ui(&ctx, &mut styled);
    let remote = &mut *remote;
    let state = &mut *state;
    let lang = state.lang;
    egui::Panel::top("top").show(&mut root, |ui| top_bar(ui, remote, state));
    egui::Panel::bottom("log").resizable(false).exact_size(140.0).show(&mut root, |ui| log(ui, remote, lang));
    egui::Panel::left("left").resizable(false).exact_size(300.0).show(&mut root, |ui| {
        egui::ScrollArea::vertical().id_salt("left_scroll").show(ui, |ui| {
            ui.label(RichText::new(t(lang, "gui.inbox")).strong());
            inbox(ui, remote, lang);
        });
    });
    egui::Panel::right("right").resizable(false).exact_size(370.0).show(&mut root, |ui| {
        egui::ScrollArea::vertical().id_salt("right_scroll").show(ui, |ui| orders(ui, remote, state));
    });
    let free = root.available_rect_before_wrap();
    state.map_rect = Some(free);
    let pointer = ctx.pointer_hover_pos();
    state.pointer_over_ui = pointer.is_none_or(|p| !free.contains(p)) || ctx.egui_is_using_pointer();
    // place names over the map, the legend and the scale
    let (camera, gt, proj) = *cam;
    let scale = match proj {
        Projection::Orthographic(o) => o.scale,
        _ => 1.0,
    };
    let painter = ctx
        .layer_painter(egui::LayerId::new(egui::Order::Background, egui::Id::new("map_labels")))
        .with_clip_rect(free);
    for n in &remote.view.dir.nodes {
        let major = matches!(n.kind, NodeKind::Town | NodeKind::Township | NodeKind::Shelter | NodeKind::Hospital);
        if !(major || scale < 1.2 && matches!(n.kind, NodeKind::Village | NodeKind::Depot | NodeKind::WaterIntake)) {
            continue;
        }
        let Some(p) = geo.pos.get(&n.id) else { continue };
        let Ok(v) = camera.world_to_viewport(gt, p.extend(0.0)) else { continue };
        painter.text(
            egui::pos2(v.x + 8.0, v.y - 6.0),
            egui::Align2::LEFT_BOTTOM,
            display_name(&n.name, lang),
            egui::FontId::proportional(12.0),
            Color32::from_gray(30),
        );
    }
    panels::scale_bar(&painter, free, scale, lang);
    Ok(())
}

fn role_word(role: &str, lang: Lang) -> &'static str {
    match role {
        "player" => t(lang, "gui.role.player"),
        "facilitator" => t(lang, "gui.role.facilitator"),
        "evaluator" => t(lang, "gui.role.evaluator"),
        _ => t(lang, "gui.role.observer"),
    }
}

fn top_bar(ui: &mut egui::Ui, remote: &mut Remote, state: &mut GuiState) {
    let lang = state.lang;
    ui.horizontal(|ui| {
        let nm = remote.view.namer(lang);
        if let Some(seat) = remote.view.seat.clone() {
            let who = seat.agency.as_deref().map_or_else(|| seat.name.clone(), |a| nm.agency(a));
            ui.label(RichText::new(format!("{who} · {}", role_word(&seat.role, lang))).strong());
            ui.separator();
        }
        let (status, colour) = match (&remote.refused, remote.online) {
            (Some(why), _) => (why.clone(), Color32::from_rgb(190, 0, 0)),
            (None, None) => (t(lang, "gui.remote.connecting").to_string(), Color32::GRAY),
            (None, Some(true)) => (t(lang, "gui.remote.connected").to_string(), Color32::from_rgb(0, 120, 0)),
            (None, Some(false)) => (t(lang, "gui.remote.offline").to_string(), Color32::from_rgb(190, 0, 0)),
        };
        ui.colored_label(colour, status).on_hover_text(remote.problem.clone());
        let Some(s) = remote.view.state.clone() else { return };
        ui.separator();
        ui.label(t(lang, "gui.clock"));
        ui.label(RichText::new(s.time.replace('T', " ")).monospace().strong());
        let status = if s.ended {
            t(lang, "gui.finished")
        } else if s.paused {
            t(lang, "gui.paused")
        } else {
            t(lang, "gui.running")
        };
        ui.label(format!("{status} · {}×", s.speed));
        let control = remote.view.seat.as_ref().is_some_and(|x| x.control());
        if control && !s.ended {
            let (label, order) = if s.paused {
                (format!("▶ {}", t(lang, "gui.play")), OrderKind::Resume)
            } else {
                (format!("⏸ {}", t(lang, "gui.pause")), OrderKind::Pause)
            };
            if ui.button(label).clicked() {
                let words = crate::report::model::order_text(&remote.view.namer(lang), &order);
                remote.give(order, words);
            }
        }
        ui.separator();
        let nm = remote.view.namer(lang);
        let level = s.level.map_or_else(|| t(lang, "gui.none").to_string(), |l| nm.level(l));
        ui.label(format!("{}: {level}", t(lang, "gui.level")));
        ui.separator();
        if ui.button(t(lang, "gui.lang")).clicked() {
            state.lang = match lang {
                Lang::Zh => Lang::En,
                Lang::En => Lang::Zh,
            };
        }
    });
}

fn inbox(ui: &mut egui::Ui, remote: &mut Remote, lang: Lang) {
    let mut to_give = Vec::new();
    {
        let view = &remote.view;
        let nm = view.namer(lang);
        let me = view.seat.as_ref().and_then(|s| s.agency.clone());
        let acked = |inject: &str| {
            view.feed.iter().any(|i| {
                matches!(&i.entry.event, Event::Acknowledged { by, inject: x } if Some(by) == me.as_ref() && x == inject)
            })
        };
        let mut any = false;
        for item in view.feed.iter().rev() {
            let Event::InjectDelivered { inject, from, text, text_en, .. } = &item.entry.event else { continue };
            any = true;
            ui.group(|ui| {
                ui.horizontal(|ui| {
                    ui.label(RichText::new(item.entry.time.get(11..16).unwrap_or("")).monospace());
                    ui.label(RichText::new(nm.agency(from)).strong());
                });
                ui.label(match (lang, text_en) {
                    (Lang::En, Some(en)) => en.as_str(),
                    _ => text.as_str(),
                });
                if me.is_some() {
                    if acked(inject) {
                        ui.small(t(lang, "gui.acked"));
                    } else if ui.small_button(t(lang, "gui.ack")).clicked() {
                        to_give.push(OrderKind::Acknowledge(inject.clone()));
                    }
                }
            });
        }
        if !any {
            ui.label(t(lang, "gui.no_injects"));
        }
    }
    for o in to_give {
        let words = crate::report::model::order_text(&remote.view.namer(lang), &o);
        remote.give(o, words);
    }
}

/// What the seat's forms offer, from the directory and the state.
fn choices(view: &SeatView, lang: Lang) -> Choices {
    let nm = view.namer(lang);
    let d = &view.dir;
    let me = view.seat.as_ref().and_then(|s| s.agency.clone()).unwrap_or_default();
    let nodes = |kinds: &[NodeKind]| -> Vec<(String, String)> {
        d.nodes
            .iter()
            .filter(|n| kinds.is_empty() || kinds.contains(&n.kind))
            .map(|n| (n.id.clone(), display_name(&n.name, lang)))
            .collect()
    };
    let mut origins = nodes(&[NodeKind::Village, NodeKind::Town, NodeKind::Township]);
    origins.extend(d.zones.iter().map(|z| (z.id.clone(), nm.place(&z.id))));
    let stocks = view.state.as_ref().map(|s| s.stocks.clone()).unwrap_or_default();
    Choices {
        teams: d
            .teams
            .iter()
            .filter(|tm| tm.agency == me)
            .map(|tm| {
                let caps = tm.capabilities.iter().map(|c| (*c, nm.capability(*c))).collect();
                (tm.id.clone(), display_name(&tm.name, lang), caps)
            })
            .collect(),
        origins,
        shelters: nodes(&[NodeKind::Shelter]),
        intakes: nodes(&[NodeKind::WaterIntake]),
        places: nodes(&[]),
        depots: d.depots.iter().map(|x| (x.node.clone(), nm.place(&x.node))).collect(),
        items: d
            .depots
            .iter()
            .map(|x| {
                let held = stocks.get(&x.node);
                let items = x
                    .items
                    .iter()
                    .map(|i| match held.and_then(|h| h.get(i)) {
                        Some(q) => (i.clone(), format!("{} ({q:.0})", nm.item(i))),
                        None => (i.clone(), nm.item(i)),
                    })
                    .collect();
                (x.node.clone(), items)
            })
            .collect(),
        roads: d.roads.iter().filter_map(|r| r.id.as_ref().map(|id| (id.clone(), nm.place(id)))).collect(),
        agencies: d.agencies.iter().filter(|a| a.id != me).map(|a| (a.id.clone(), nm.agency(&a.id))).collect(),
        levels: levels(&nm),
        report_kinds: report_kinds(&nm),
    }
}

fn orders(ui: &mut egui::Ui, remote: &mut Remote, state: &mut GuiState) {
    let lang = state.lang;
    let may = remote.view.seat.as_ref().is_some_and(|s| s.orders() && s.agency.is_some());
    // the seat's teams and where they are
    if let Some(s) = remote.view.state.clone() {
        let nm = remote.view.namer(lang);
        egui::CollapsingHeader::new(RichText::new(t(lang, "gui.resources")).strong()).default_open(true).show(
            ui,
            |ui| {
                egui::Grid::new("teams_grid").num_columns(2).striped(true).show(ui, |ui| {
                    for tm in &s.teams {
                        ui.label(nm.place(&tm.id));
                        let status = match (&tm.to, tm.working, tm.task) {
                            (Some(to), _, _) => format!("{} {}", t(lang, "gui.en_route"), nm.place(to)),
                            (None, true, Some(task)) => {
                                format!("{} {} @ {}", t(lang, "gui.working"), nm.capability(task), nm.place(&tm.at))
                            }
                            _ => nm.place(&tm.at),
                        };
                        ui.label(status);
                        ui.end_row();
                    }
                });
                for (depot, items) in &s.stocks {
                    let list: Vec<String> = items.iter().map(|(k, v)| format!("{} {v:.0}", nm.item(k))).collect();
                    ui.label(format!("{}: {}", nm.place(depot), list.join(", ")));
                }
            },
        );
    }
    if !may {
        ui.label(t(lang, "gui.remote.no_orders"));
        return;
    }
    let c = choices(&remote.view, lang);
    let given = {
        let nm = remote.view.namer(lang);
        let mut given = None;
        egui::CollapsingHeader::new(RichText::new(t(lang, "gui.orders")).strong()).default_open(true).show(ui, |ui| {
            given = form_ui(ui, &mut state.form, &c, &nm, lang).map(|o| {
                let w = crate::report::model::order_text(&nm, &o);
                (o, w)
            });
        });
        egui::CollapsingHeader::new(RichText::new(t(lang, "gui.report")).strong()).default_open(false).show(ui, |ui| {
            if let Some(o) = report_ui(ui, &mut state.form, &c, lang) {
                let w = crate::report::model::order_text(&nm, &o);
                given = Some((o, w));
            }
        });
        given
    };
    if let Some((o, w)) = given {
        remote.give(o, w);
    }
}

/// The answers to this window's orders, and the seat's journal as sentences.
fn log(ui: &mut egui::Ui, remote: &Remote, lang: Lang) {
    let view = &remote.view;
    let nm = view.namer(lang);
    ui.horizontal(|ui| {
        ui.label(RichText::new(t(lang, "gui.log")).strong());
        ui.small(format!("({} {})", view.feed.len(), t(lang, "gui.entries")));
    });
    ui.columns(2, |cols| {
        egui::ScrollArea::vertical().id_salt("answers").show(&mut cols[0], |ui| {
            for a in view.answers.iter().rev() {
                let (id, line, ok) = match a {
                    Answer::Ack { id, tag } => {
                        let decided = view.decision(*tag);
                        let ok = decided.is_none_or(|e| matches!(e.event, Event::OrderAccepted { .. }));
                        let line = match decided {
                            Some(e) => sentence(&nm, e),
                            None => nm.words().f("gui.remote.ack", &[("tag", &tag.to_string())]),
                        };
                        (id, line, ok)
                    }
                    Answer::Error { id, message, .. } => {
                        (id, nm.words().f("gui.remote.error", &[("message", message)]), false)
                    }
                };
                let what = id.as_ref().and_then(|id| remote.sent.iter().find(|(x, _)| x == id)).map(|(_, w)| w);
                let c = if ok { Color32::from_rgb(0, 110, 0) } else { Color32::from_rgb(190, 0, 0) };
                let text = match what {
                    Some(w) if !line.contains(w.as_str()) => format!("{w}: {line}"),
                    _ => line,
                };
                ui.colored_label(c, RichText::new(text).small());
            }
        });
        egui::ScrollArea::vertical().id_salt("journal").show(&mut cols[1], |ui| {
            for item in view.feed.iter().rev().take(80) {
                let e = &item.entry;
                ui.label(RichText::new(format!("{} {}", e.time.get(11..16).unwrap_or(""), sentence(&nm, e))).small());
            }
        });
    });
}
