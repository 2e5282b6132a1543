//! What the integration tests share: the `drillsim` binary Cargo built for them, the shipped
//! demo, and in-memory runs of the engine (parse orders, build the app, run it to the end).

use std::path::Path;
use std::process::{Command, Output};
use std::sync::Arc;

use bevy::app::App;
use drillsim::engine::{RunOptions, build_app, run_to_end};
use drillsim::exercise::orders::parse_orders;
use drillsim::journal::{Entry, Journal};
use drillsim::scenario::{self, SourceFile, ValidScenario};

pub const DEMO: &str = "scenarios/demo-county.ron";
pub const DEMO_ORDERS: &str = "scenarios/orders/demo-county.ron";

/// The `drillsim` binary, run from the repository root (where the scenario paths are relative
/// to) without colours in its messages.
pub fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_drillsim"));
    c.current_dir(env!("CARGO_MANIFEST_DIR")).env("NO_COLOR", "1");
    c
}

/// Runs `drillsim args…` to its end.
pub fn drillsim(args: &[&str]) -> Output {
    bin().args(args).output().expect("drillsim runs")
}

pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Fails with the command's exit code and output unless it succeeded.
pub fn ok(o: &Output, what: &str) {
    assert!(o.status.success(), "{what}: {:?}\n{}{}", o.status.code(), text(&o.stdout), text(&o.stderr));
}

pub fn json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// A scenario file (a shipped one, or a fixture), valid.
pub fn load(path: &str) -> Arc<ValidScenario> {
    Arc::new(scenario::load(Path::new(path)).unwrap_or_else(|e| panic!("{path}: {e}")))
}

pub fn demo() -> Arc<ValidScenario> {
    load(DEMO)
}

/// The demo with its text changed by `edit` (to make a variant for one test).
pub fn demo_with(edit: impl Fn(String) -> String) -> Arc<ValidScenario> {
    let text = edit(std::fs::read_to_string(DEMO).unwrap());
    Arc::new(scenario::parse(SourceFile::new("demo-variant.ron", text)).unwrap_or_else(|p| panic!("{p}")))
}

/// An order file's text made of these orders.
pub fn orders(lines: &[&str]) -> String {
    format!("Orders(orders: [{}])", lines.join(",\n"))
}

/// The app of a run in memory, built but not run: `orders` is an order file's text (valid).
pub fn build(sc: Arc<ValidScenario>, orders: Option<&str>, opts: RunOptions) -> App {
    let orders =
        orders.map(|o| parse_orders(SourceFile::new("test-orders.ron", o), &sc).unwrap_or_else(|p| panic!("{p}")));
    build_app(sc, RunOptions { orders, ..opts }, Journal::in_memory())
}

/// A run in memory to its end (see [`build`]); the app, to read the journal and resources.
pub fn run_app(sc: Arc<ValidScenario>, orders: Option<&str>, opts: RunOptions) -> App {
    let mut app = build(sc, orders, opts);
    run_to_end(&mut app).expect("the run ends");
    app
}

/// The journal of a run in memory.
pub fn entries(app: &App) -> Vec<Entry> {
    app.world().resource::<Journal>().entries.clone()
}
