//! One error style (ARCHITECTURE.md, invariants): the library's layers report errors as their own
//! `thiserror` enums, never `anyhow`, `Result<_, String>` or a process exit code; only the command
//! line (`src/cli/`) turns an error into an exit code. The GUI (`src/gui/`, its own window's
//! exit and its forms) is left out.

use std::path::{Path, PathBuf};

fn library_sources() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut all = Vec::new();
    walk(&src, &mut all);
    all.retain(|p| {
        let rel = p.strip_prefix(&src).unwrap();
        !(rel.starts_with("cli") || rel.starts_with("gui") || rel == Path::new("main.rs"))
    });
    all.sort();
    assert!(all.len() > 50, "the library's sources were not found: {all:?}");
    all
}

/// Whether `line` declares a `Result` whose error type is `String`.
fn string_result(line: &str) -> bool {
    let mut rest = line;
    while let Some(i) = rest.find("Result<") {
        rest = &rest[i + "Result<".len()..];
        // the generic arguments of this Result, up to its closing '>'; the error type follows
        // the last comma at their level (`io::Result<String>` has none)
        let mut depth = 1;
        let (mut end, mut comma) = (rest.len(), None);
        for (j, c) in rest.char_indices() {
            match c {
                '<' | '(' => depth += 1,
                '>' | ')' => {
                    depth -= 1;
                    if depth == 0 {
                        end = j;
                        break;
                    }
                }
                ',' if depth == 1 => comma = Some(j),
                _ => {}
            }
        }
        if comma.is_some_and(|k| rest[k + 1..end].trim() == "String") {
            return true;
        }
    }
    false
}

#[test]
fn the_library_has_no_anyhow_no_string_errors_and_no_exit_codes() {
    let mut found = Vec::new();
    for p in library_sources() {
        let text = std::fs::read_to_string(&p).unwrap();
        for (i, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or_default();
            if code.contains("anyhow") || code.contains("ExitCode") || string_result(code) {
                found.push(format!("{}:{}: {}", p.display(), i + 1, line.trim()));
            }
        }
    }
    assert!(found.is_empty(), "the library's errors are typed (see ARCHITECTURE.md):\n{}", found.join("\n"));
}

#[test]
fn the_checker_sees_a_string_error() {
    assert!(string_result("pub fn f() -> Result<u64, String> {"));
    assert!(string_result("answers: Vec<(u64, u64, Result<(), String>)>,"));
    assert!(string_result("fn g() -> Result<Vec<(u8, String)>, String>"));
    assert!(!string_result("fn g() -> Result<Vec<(u8, String)>, LoadError>"));
    assert!(!string_result("fn h() -> Result<String, TimeError>"));
    assert!(!string_result("pub fn new_token() -> std::io::Result<String> {"));
    assert!(!string_result("fn p(b: &[u8]) -> Result<ReadLog, (usize, String)> {"));
}
