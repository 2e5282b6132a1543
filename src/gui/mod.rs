//! The exercise GUI (`drillsim play`, cargo feature `gui`): a Bevy window with the county map and
//! egui panels, as a face over the same engine as `drillsim live`.
//!
//! The simulation is its own inner headless `App`, driven by [`Live`] exactly as `drillsim live`
//! drives it: each frame [`Live::pace`] runs the fixed simulated steps owed to the wall clock ×
//! speed (independent of the frame rate), and every order the GUI gives is a line in the
//! order-file syntax passed to [`Live::take_line`], so it goes through the same parse, the same
//! door, the same refusals and the same journal. The window only reads the inner world.
//!
//! One plugin per file: `map` (camera, pan and zoom, the drawn county), `panels` (clock, seats,
//! inboxes, checklist, resources, score, log), `demo` (scripted demo, screenshot, exit timer),
//! `font` (a CJK font); `orders` holds the order and report forms, `text` the zh/en words (from
//! `assets/locales/`). `remote` is the window as a seat of `drillsim serve` (`--connect`): the
//! same forms, the map and the journal from what the server sends, no local simulation.

mod demo;
mod font;
mod map;
mod orders;
mod panels;
mod remote;
mod text;

pub use remote::{RemoteOptions, run as run_remote};

use std::collections::VecDeque;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};

use bevy::prelude::*;
use bevy::window::{PresentMode, WindowResolution};
use bevy_egui::EguiPlugin;

use crate::engine::{RunOptions, build_app};
use crate::exercise::autoplan::AutoPlan;
use crate::exercise::live::{Answer, Live};
use crate::exercise::orders::OrderBook;
use crate::journal::{Event, Journal};
use crate::scenario::ValidScenario;
use crate::scenario::types::OrderKind;
use crate::scoring::report::Lang;
use crate::sim::SimClock;

/// What `drillsim play` was asked for (arguments already checked).
pub struct PlayOptions {
    pub scenario: Arc<ValidScenario>,
    pub seed: Option<u64>,
    pub out: PathBuf,
    pub speed: f64,
    pub paused: bool,
    pub lang: Lang,
    pub orders: Option<OrderBook>,
    pub auto: Option<AutoPlan>,
    pub skip_to: Option<u64>,
    pub demo: bool,
    pub screenshot: Option<PathBuf>,
    pub exit_after: Option<f64>,
}

/// Most simulated steps one frame may run (a slow frame catches up over the next ones).
const MAX_STEPS_PER_FRAME: u32 = 240;

/// The running exercise: the inner headless simulation and what the GUI said to it.
/// A non-send resource (the inner `App` stays on the main thread).
pub struct Sim {
    pub live: Live,
    pub sc: Arc<ValidScenario>,
    /// Answers to the GUI's orders and other messages, newest last.
    pub log: VecDeque<LogLine>,
    /// The orders this window gave, by their number (to name them in their answers).
    pub given: std::collections::BTreeMap<u64, (String, OrderKind)>,
}

/// An answer to an order given in the window: the order (who, what) and the live answer; `text`
/// is the answer as `drillsim live` prints it.
#[derive(Debug, Clone)]
pub struct LogLine {
    pub text: String,
    pub ok: bool,
    pub order: Option<(String, OrderKind)>,
    pub answer: Option<Answer>,
}

impl Sim {
    pub fn world(&self) -> &World {
        self.live.app.world()
    }

    pub fn clock(&self) -> SimClock {
        self.world().resource::<SimClock>().clone()
    }

    /// Gives an order as the line `drillsim live` would read: same parse, same door.
    pub fn give(&mut self, by: &str, order: &OrderKind) {
        let line = order_line(by, order);
        self.given.insert(self.live.next_tag(), (by.to_string(), order.clone()));
        if let Some(a) = self.live.take_line(&line) {
            self.push_answer(a);
        }
    }

    /// Logs a live answer with the order it answers.
    pub fn push_answer(&mut self, a: Answer) {
        let clock = self.clock();
        let tag = match &a {
            Answer::Accepted { tag, .. } | Answer::Refused { tag, .. } | Answer::Invalid { tag, .. } => *tag,
        };
        let line = LogLine {
            text: a.line(&clock),
            ok: matches!(a, Answer::Accepted { .. }),
            order: self.given.remove(&tag),
            answer: Some(a),
        };
        self.push(line);
    }

    fn push(&mut self, line: LogLine) {
        self.log.push_back(line);
        while self.log.len() > 200 {
            self.log.pop_front();
        }
    }
}

/// One order as a live-mode line in the order-file syntax.
pub fn order_line(by: &str, order: &OrderKind) -> String {
    format!("(by: {}, order: {})", ron::to_string(by).unwrap_or_default(), ron::to_string(order).unwrap_or_default())
}

/// Who sits at the screen (hot-seat): the facilitator or one agency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seat {
    Facilitator,
    Agency(String),
}

/// The window's own state (never read by the simulation).
#[derive(Resource)]
pub struct GuiState {
    pub lang: Lang,
    pub seat: Seat,
    /// Node hovered and clicked on the map.
    pub hovered: Option<String>,
    pub selected: Option<String>,
    /// Whether the pointer is over a panel (the map then ignores it).
    pub pointer_over_ui: bool,
    /// Screen rectangle (logical px) left free by the panels: where the map shows.
    pub map_rect: Option<bevy_egui::egui::Rect>,
    pub form: orders::OrderForm,
    pub out: PathBuf,
    /// Whether the map view has been fitted to the county yet.
    pub fitted: bool,
}

impl GuiState {
    /// The facilitator's seat, nothing selected, the map not fitted yet.
    pub fn new(lang: Lang, out: PathBuf) -> GuiState {
        GuiState {
            lang,
            seat: Seat::Facilitator,
            hovered: None,
            selected: None,
            pointer_over_ui: false,
            map_rect: None,
            form: orders::OrderForm::default(),
            out,
            fitted: false,
        }
    }
}

/// How the session ends on its own (`--screenshot`, `--exit-after`) and the demo flag.
#[derive(Resource, Clone)]
pub struct Session {
    pub demo: bool,
    pub screenshot: Option<PathBuf>,
    pub exit_after: Option<f64>,
}

/// Opens the window and runs the exercise until the window closes; then writes the last journal
/// entry, OUT/orders.ron and OUT/summary.json like `drillsim live`.
pub fn run(opts: PlayOptions) -> ExitCode {
    let sc = opts.scenario.clone();
    if let Err(e) = std::fs::create_dir_all(&opts.out) {
        eprintln!("error: cannot create {}: {e}", opts.out.display());
        return ExitCode::from(1);
    }
    let journal = match Journal::to_file(&opts.out.join("journal.jsonl")) {
        Ok(j) => j,
        Err(e) => {
            eprintln!("error: cannot create the journal in {}: {e}", opts.out.display());
            return ExitCode::from(1);
        }
    };
    let mut inner =
        build_app(sc.clone(), RunOptions { seed: opts.seed, orders: opts.orders, ..Default::default() }, journal);
    if let Some(a) = opts.auto {
        inner.insert_resource(a);
    }
    let mut live = Live::new(inner, opts.speed, opts.paused);
    if let Some(t) = opts.skip_to {
        let step = live.app.world().resource::<SimClock>().step;
        let n = t.saturating_sub(live.app.world().resource::<SimClock>().now).div_ceil(step);
        live.steps(n as u32);
        live.answers();
    }
    let font = font::find_cjk_font();
    match &font {
        Some((path, _)) => eprintln!("drillsim play: CJK font {}", path.display()),
        None => eprintln!(
            "drillsim play: no CJK font found (looked for {}); Chinese text will show as boxes. \
             On Debian: apt-get install fonts-wqy-microhei",
            font::CANDIDATES.join(", ")
        ),
    }
    eprintln!(
        "drillsim play: \"{}\" at {}× real time; journal in {}",
        sc.scenario.meta.name,
        opts.speed,
        opts.out.display()
    );

    let finished = Finished::default();
    let mut app = window_app(format!("drillsim — {}", sc.scenario.meta.name));
    app.insert_non_send(Sim { live, sc: sc.clone(), log: VecDeque::new(), given: Default::default() })
        .insert_non_send(font::CjkFont(font.map(|(_, bytes)| bytes)))
        .insert_resource(GuiState::new(opts.lang, opts.out.clone()))
        .insert_resource(Session { demo: opts.demo, screenshot: opts.screenshot, exit_after: opts.exit_after })
        .insert_resource(finished.clone())
        .add_systems(First, pace_sim)
        .add_systems(Last, finish_on_exit);
    font::plugin(&mut app);
    map::plugin(&mut app);
    panels::plugin(&mut app);
    demo::plugin(&mut app);
    let exit = app.run();
    // the window's app is gone by now (the runner owns it); the records were written on exit
    let written = finished.0.lock().map(|mut f| f.take()).unwrap_or(None);
    match written {
        Some(true) if exit.is_success() => ExitCode::SUCCESS,
        Some(_) => ExitCode::from(1),
        None => {
            eprintln!("error: the window closed before the exercise's records could be written");
            ExitCode::from(1)
        }
    }
}

/// A Bevy app with the exercise's window (1280×800), egui and the map's background colour.
fn window_app(title: String) -> App {
    let mut app = App::new();
    app.add_plugins(
        DefaultPlugins
            .set(WindowPlugin {
                primary_window: Some(Window {
                    title,
                    resolution: WindowResolution::new(1280, 800),
                    present_mode: PresentMode::AutoVsync,
                    ..default()
                }),
                ..default()
            })
            // warnings and errors only (the renderer's and the windowing's)
            .set(bevy::log::LogPlugin { level: bevy::log::Level::WARN, ..default() }),
    )
    .add_plugins(EguiPlugin::default())
    .insert_resource(ClearColor(Color::srgb(0.93, 0.92, 0.88)));
    app
}

/// Whether the session's records were written (set by [`finish_on_exit`], read after the window
/// has closed).
#[derive(Resource, Clone, Default)]
struct Finished(Arc<Mutex<Option<bool>>>);

/// When the app is told to exit (window closed, `--exit-after`), ends the run like `drillsim
/// live`: the last journal entry, OUT/orders.ron and OUT/summary.json.
fn finish_on_exit(
    mut exits: MessageReader<AppExit>,
    mut sim: NonSendMut<Sim>,
    state: Res<GuiState>,
    finished: Res<Finished>,
) {
    if exits.read().next().is_none() {
        return;
    }
    let Ok(mut f) = finished.0.lock() else { return };
    if f.is_none() {
        *f = Some(finish(&mut sim, &state.out));
    }
}

/// Advances the simulation by the steps owed to the wall clock and collects the answers.
fn pace_sim(mut sim: NonSendMut<Sim>) {
    sim.live.pace(MAX_STEPS_PER_FRAME);
    for a in sim.live.answers() {
        sim.push_answer(a);
    }
}

/// Writes the run's end like `drillsim live`; false (and a message) if a file cannot be written.
fn finish(sim: &mut Sim, out: &std::path::Path) -> bool {
    let world = sim.live.app.world_mut();
    let clock = world.resource::<SimClock>().clone();
    let mut journal = world.resource_mut::<Journal>();
    journal.push(clock.now, clock.iso(clock.now), Event::RunEnded { steps: clock.steps_done });
    journal.flush();
    if let Some(e) = &journal.error {
        eprintln!("error: cannot write the journal: {e}");
        return false;
    }
    let entries = journal.entries.clone();
    if let Err(e) = crate::exercise::live::write_session_records(&sim.sc, &entries, out) {
        eprintln!("error: {e}");
        return false;
    }
    eprintln!(
        "drillsim play: ended at {} after {} steps; journal {} entries in {}",
        clock.iso(clock.now),
        clock.steps_done,
        entries.len(),
        out.display()
    );
    true
}

/// The seat's display name in the interface language.
pub fn seat_name(sc: &ValidScenario, seat: &Seat, lang: Lang) -> String {
    match seat {
        Seat::Facilitator => text::t(lang, "gui.facilitator").to_string(),
        Seat::Agency(id) => agency_name(sc, id, lang),
    }
}

pub fn agency_name(sc: &ValidScenario, id: &str, lang: Lang) -> String {
    match sc.agency(id) {
        Some(a) => match lang {
            Lang::Zh => a.name_zh.clone(),
            Lang::En => a.name_en.clone(),
        },
        None if id == crate::scenario::CONTROL => text::t(lang, "gui.facilitator").to_string(),
        None => id.to_string(),
    }
}

/// A node's display name (the scenario's names are often "中文 English").
pub fn node_name(sc: &ValidScenario, id: &str) -> String {
    sc.scenario.map.nodes.iter().find(|n| n.id == id).and_then(|n| n.name.clone()).unwrap_or_else(|| id.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exercise::live::parse_line;
    use crate::scenario::types::{Capability, Figures, ReportKind};

    fn sim() -> Sim {
        let sc = Arc::new(crate::scenario::load(std::path::Path::new("scenarios/demo-county.ron")).expect("demo"));
        let app = build_app(sc.clone(), RunOptions::default(), Journal::in_memory());
        Sim { live: Live::new(app, 60.0, false), sc, log: VecDeque::new(), given: Default::default() }
    }

    #[test]
    fn the_lines_the_gui_gives_parse_back_to_the_same_orders() {
        let s = sim();
        let orders = [
            OrderKind::Dispatch { team: "t_levee_eng".into(), to: "lp_shawan".into(), task: Capability::BreachClosure },
            OrderKind::Report {
                kind: ReportKind::Urgent,
                to: "city".into(),
                figures: Figures {
                    dead: Some(2), actions_taken: Some("已组织 \"抢险\"".into()), ..Default::default()
                },
            },
            OrderKind::Log("值班日志 line".into()),
            OrderKind::Speed(600.0),
        ];
        for o in orders {
            let line = order_line("ofc", &o);
            let parsed = parse_line(&line, &s.sc).unwrap_or_else(|e| panic!("{line}: {e}"));
            assert_eq!(parsed.order, o, "{line}");
            assert_eq!(parsed.by, "ofc");
        }
    }

    #[test]
    fn a_form_order_passes_the_same_door_accepted_or_refused_and_journaled() {
        let mut s = sim();
        let mut form = orders::OrderForm {
            kind: orders::FormKind::Dispatch,
            team: "t_levee_eng".into(),
            target: "lp_shawan".into(),
            task: Some(Capability::BreachClosure),
            ..Default::default()
        };
        s.give("water", &form.order().unwrap()); // the owner: accepted
        s.give("fire", &form.order().unwrap()); // not the owner: refused, with the door's reason
        form.kind = orders::FormKind::Log;
        form.text = "hello".into();
        s.give("nobody", &form.order().unwrap()); // not an agency: invalid at once
        assert!(s.log.back().is_some_and(|l| !l.ok && l.text.contains("unknown agency")), "{:?}", s.log);
        assert!(
            s.log
                .back()
                .and_then(|l| l.order.as_ref())
                .is_some_and(|(by, o)| by == "nobody" && matches!(o, OrderKind::Log(_))),
            "the answer names the order it answers: {:?}",
            s.log
        );
        s.live.steps(1);
        let answers = s.live.answers();
        assert!(matches!(answers[0], Answer::Accepted { .. }), "{answers:?}");
        assert!(
            matches!(&answers[1], Answer::Refused { refusal, .. } if refusal.to_string().contains("water")),
            "{answers:?}"
        );
        let kinds: Vec<&str> = s.world().resource::<Journal>().entries.iter().map(|e| e.event.kind()).collect();
        assert!(kinds.contains(&"order_accepted") && kinds.contains(&"order_refused"), "{kinds:?}");
        assert!(kinds.contains(&"team_dispatched"), "{kinds:?}");
    }
}
