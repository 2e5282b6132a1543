//! Renders the report model with minijinja templates kept as files in `assets/templates/` and
//! compiled into the binary (`include_str!`): the HTML page (one self-contained file: inline CSS
//! and SVG, no script, no external reference), the Markdown, and the JSON archive.
//!
//! minijinja rather than askama: the templates stay plain Jinja files beside the locale files
//! that a non-Rust maintainer can edit, with HTML auto-escaping by file name, and the crate
//! builds quickly with no proc-macro; every template is rendered by the tests for every seed
//! scenario, which catches what askama would check at compile time.

use std::collections::BTreeMap;

use minijinja::syntax::SyntaxConfig;
use minijinja::value::Serde;
use minijinja::{Environment, Value, context};

use super::charts;
use super::model::Report;
use super::words::Words;

const HTML: &str = include_str!("../../assets/templates/report.html.j2");
const MD: &str = include_str!("../../assets/templates/report.md.j2");
const CSS: &str = include_str!("../../assets/templates/report.css");

fn env() -> Environment<'static> {
    let mut env = Environment::new();
    let syntax = SyntaxConfig::builder().trim_blocks(true).keep_trailing_newline(true).build();
    env.set_syntax(syntax.expect("the default delimiters"));
    for (name, text) in [("report.html.j2", HTML), ("report.md.j2", MD), ("report.css", CSS)] {
        env.add_template(name, text).unwrap_or_else(|e| panic!("assets/templates/{name}: {e:#}"));
    }
    // A Markdown table cell: no pipe and no line break may end the cell.
    env.add_filter("cell", |s: String| s.replace('|', "\\|").replace('\n', " "));
    env.add_filter("f1", |v: f64| format!("{v:.1}"));
    env.add_filter("f2", |v: f64| format!("{v:.2}"));
    env.add_filter("figure", charts::fmt_value);
    env
}

fn render(name: &str, r: &Report) -> Result<String, minijinja::Error> {
    let env = env();
    let svgs: BTreeMap<String, Value> =
        r.charts.iter().map(|c| (c.id.clone(), Value::from_safe_string(charts::svg(c)))).collect();
    let t = Words::of(r.lang).map();
    env.get_template(name)?.render(context! { r => Value::from(Serde(r)), t => Value::from(Serde(t)), svgs => svgs })
}

/// The report as one self-contained HTML page.
pub fn html(r: &Report) -> Result<String, minijinja::Error> {
    render("report.html.j2", r)
}

/// The report as Markdown.
pub fn markdown(r: &Report) -> Result<String, minijinja::Error> {
    render("report.md.j2", r)
}

/// The models of every language, for archives (`OUT/report.json`).
pub fn json(reports: &[Report]) -> String {
    let by_lang: BTreeMap<&str, &Report> = reports.iter().map(|r| (r.lang.code(), r)).collect();
    serde_json::to_string_pretty(&by_lang).expect("the report serialises") + "\n"
}
