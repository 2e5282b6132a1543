//! `drillsim course SCENARIO (--orders TRAINEE.ron | --run OUT) --out DIR`: a training course —
//! the record of a seed incident and the trainee's run on the same seed, and a report that sets
//! the trainee's decisions beside the record's.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::error::{Error, input};
use crate::engine::{RunOptions, build_app, run_to_end};
use crate::exercise::orders::load_orders;
use crate::journal::{self, Event, Journal};
use crate::replay::course::{self, load_course};
use crate::replay::write_outputs;
use crate::scenario;
use crate::scoring::report::Lang;

#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("trainee").required(true).args(["orders", "run"])))]
pub struct CourseArgs {
    /// The incident's scenario (a seed incident: levee-breach-0621, derailment-0523, acid-spill-0929).
    #[arg(value_name = "SCENARIO")]
    pub scenario: PathBuf,
    /// The trainee's orders (an order file, e.g. a live session's OUT/orders.ron).
    #[arg(long, value_name = "TRAINEE.ron")]
    pub orders: Option<PathBuf>,
    /// Or: a run of the scenario the trainee already played (a `live` or `run` output folder).
    #[arg(long, value_name = "OUT")]
    pub run: Option<PathBuf>,
    /// The course file (default: scenarios/courses/<scenario file name>).
    #[arg(long, value_name = "FILE")]
    pub course: Option<PathBuf>,
    /// Random seed for both runs (default: the scenario's; with --run, that run's seed).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Language of the report: zh or en.
    #[arg(long, default_value = "zh", value_parser = ["zh", "en"])]
    pub lang: String,
    /// Output folder: record/ and trainee/ runs, course.md, course.html, course.json.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
}

fn run_orders(sc: &Arc<scenario::ValidScenario>, orders: &Path, seed: u64) -> Result<Vec<journal::Entry>, Error> {
    let book = load_orders(orders, sc)?;
    let opts = RunOptions { seed: Some(seed), until: None, threads: None, orders: Some(book) };
    let mut app = build_app(sc.clone(), opts, Journal::in_memory());
    run_to_end(&mut app)?;
    Ok(app.world().resource::<Journal>().entries.clone())
}

pub(super) fn course_cmd(args: CourseArgs) -> Result<(), Error> {
    let sc = Arc::new(scenario::load(&args.scenario)?);
    let lang = Lang::parse(&args.lang).unwrap_or(Lang::Zh);
    let course_path = args
        .course
        .clone()
        .unwrap_or_else(|| Path::new("scenarios/courses").join(args.scenario.file_name().unwrap_or_default()));
    let course = load_course(&course_path).or_else(|e| {
        input(format!("{e}\n(a course file names the record of a seed incident; see scenarios/courses/)"))
    })?;
    // The trainee's journal, read or run first (bad input is found before any work).
    let (trainee, seed) = match (&args.orders, &args.run) {
        (_, Some(out)) => {
            let j = journal::read(&out.join("journal.jsonl"))?;
            let (sha, seed) = match j.first().map(|e| &e.event) {
                Some(Event::RunStarted { scenario_sha256, seed, .. }) => (scenario_sha256.clone(), *seed),
                _ => (String::new(), 0),
            };
            if sha != sc.sha256() {
                return input(format!("{} is not a run of {}", out.display(), args.scenario.display()));
            }
            if args.seed.is_some_and(|s| s != seed) {
                return input(format!("--seed differs from the seed of {} ({seed})", out.display()));
            }
            (j, seed)
        }
        (Some(orders), None) => {
            let seed = args.seed.unwrap_or(sc.scenario.meta.seed);
            (run_orders(&sc, orders, seed)?, seed)
        }
        (None, None) => unreachable!("clap requires --orders or --run"),
    };
    let record = run_orders(&sc, Path::new(&course.record), seed)?;
    for (name, j) in [("record", &record), ("trainee", &trainee)] {
        write_outputs(&sc, j, &args.out.join(name))?;
    }
    let (res, md) = course::report(&sc, &course, &record, &trainee, lang);
    let title = if lang == Lang::Zh { &course.title_zh } else { &course.title_en };
    let writes = [
        ("course.md", md.clone()),
        ("course.html", course::html(title, &md, lang)),
        ("course.json", serde_json::to_string_pretty(&res).expect("course result") + "\n"),
    ];
    for (name, text) in writes {
        std::fs::write(args.out.join(name), text).map_err(|e| Error::Failed(format!("cannot write {name}: {e}")))?;
    }
    let earlier = res.decisions.iter().filter(|p| p.compared_s().is_some_and(|d| d < 0)).count();
    let later = res.decisions.iter().filter(|p| p.compared_s().is_some_and(|d| d > 0)).count();
    let missing = res.decisions.iter().filter(|p| p.record_t.is_some() && p.trainee_t.is_none()).count();
    println!("{} — seed {seed}", course.title_en);
    println!(
        "  key decisions: {} — {earlier} earlier, {later} later, {missing} not done than the record",
        res.decisions.len()
    );
    print!("{}", crate::replay::compare::text(&res.comparison, "record", "trainee"));
    println!("  wrote {}/course.md, course.html, course.json, record/ and trainee/", args.out.display());
    Ok(())
}
