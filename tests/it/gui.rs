//! End to end: `drillsim play` (the GUI) checks its arguments before opening a window, and
//! without the `gui` feature says how to build it. The window itself is tested under Xvfb by
//! scripts/gui-smoke.sh (CI runs it once with `--features gui`).

use crate::support::{drillsim, text};

#[cfg(not(feature = "gui"))]
#[test]
fn play_without_the_gui_feature_says_how_to_build_it_and_exits_2() {
    let r = drillsim(&["play", "scenarios/demo-county.ron"]);
    assert_eq!(r.status.code(), Some(2));
    let err = text(&r.stderr);
    assert!(err.contains("cargo build --release --features gui") && err.contains("drillsim live"), "{err}");
}

#[test]
fn play_refuses_bad_arguments_with_exit_2_and_no_window() {
    for (args, says) in [
        (vec!["play", "scenarios/demo-county.ron", "--speed", "0"], "1 to 3600"),
        (vec!["play", "scenarios/demo-county.ron", "--speed", "7200"], "1 to 3600"),
        (vec!["play", "scenarios/demo-county.ron", "--lang", "fr"], "fr"),
        (vec!["play", "scenarios/demo-county.ron", "--screenshot", "x.png"], "--exit-after"),
        (vec!["play", "scenarios/demo-county.ron", "--exit-after", "0"], "seconds"),
    ] {
        let r = drillsim(&args);
        assert_eq!(r.status.code(), Some(2), "{args:?}: {}", text(&r.stderr));
        assert!(text(&r.stderr).contains(says), "{args:?}: {}", text(&r.stderr));
    }
}

#[cfg(feature = "gui")]
#[test]
fn play_refuses_a_missing_scenario_and_a_time_outside_it_before_opening_a_window() {
    let r = drillsim(&["play", "scenarios/no-such-file.ron"]);
    assert_eq!(r.status.code(), Some(2), "{}", text(&r.stderr));
    let r = drillsim(&["play", "scenarios/demo-county.ron", "--skip-to", "+900h"]);
    assert_eq!(r.status.code(), Some(2), "{}", text(&r.stderr));
    assert!(text(&r.stderr).contains("--skip-to"), "{}", text(&r.stderr));
}
