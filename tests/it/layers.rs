//! The crate's top-level modules are layers: a module may use its own layer and the layers below
//! it, never one above (ARCHITECTURE.md, "Layers"). This test reads every file under `src/` and
//! fails on any path to a higher layer: `use crate::x::…`, `crate::{x, y::…}` groups, `crate::x::`
//! in code, and `super::super::x` that climbs out to the crate root. Comments and string literals
//! are not code and are skipped. `lib.rs` (which declares the modules) and `main.rs` (the binary)
//! are not in a layer.

use std::path::{Path, PathBuf};

/// The layers, lowest first. A module may use any module of its own row or of a row above it
/// in this table (the rows of the session layer, and cli and gui, do not use one another in a
/// cycle: each pair is checked by `same_layer_modules_do_not_form_a_cycle`).
const LAYERS: &[&[&str]] = &[
    &["scenario"],
    &["map"],
    &["sim"],
    &["journal"],
    &["agents"],
    &["hazards"],
    &["exercise"],
    &["engine"],
    &["scoring"],
    &["report"],
    &["replay", "sweep", "serve", "seat"],
    &["cli", "gui"],
];

/// Leaf utilities any layer may use; they use no module of the crate themselves.
const UTILITIES: &[&str] = &["outdir"];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|row| row.contains(&module))
}

/// One path from a file to a top-level module: (line, the module it names).
#[derive(Debug, Clone, PartialEq)]
struct Edge {
    line: usize,
    to: String,
}

/// `src` with comments and the contents of string and char literals blanked out (newlines
/// kept, so byte offsets and line numbers stay where they were).
fn code_only(src: &str) -> String {
    let b = src.as_bytes();
    let mut out = b.to_vec();
    let blank = |out: &mut Vec<u8>, from: usize, to: usize| {
        for c in &mut out[from..to] {
            if *c != b'\n' {
                *c = b' ';
            }
        }
    };
    let ident = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    let mut i = 0;
    while i < b.len() {
        if b[i..].starts_with(b"//") {
            let end = b[i..].iter().position(|&c| c == b'\n').map_or(b.len(), |p| i + p);
            blank(&mut out, i, end);
            i = end;
        } else if b[i..].starts_with(b"/*") {
            let (mut depth, mut j) = (0usize, i);
            while j < b.len() {
                if b[j..].starts_with(b"/*") {
                    depth += 1;
                    j += 2;
                } else if b[j..].starts_with(b"*/") {
                    depth -= 1;
                    j += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    j += 1;
                }
            }
            blank(&mut out, i, j);
            i = j;
        } else if b[i] == b'r' && (i == 0 || !ident(b[i - 1])) && matches!(b.get(i + 1), Some(b'"' | b'#')) {
            // raw string r"…", r#"…"# (also br"…": the b is an identifier character before it)
            let hashes = b[i + 1..].iter().take_while(|&&c| c == b'#').count();
            if b.get(i + 1 + hashes) != Some(&b'"') {
                i += 1;
                continue;
            }
            let close: Vec<u8> = std::iter::once(b'"').chain(std::iter::repeat_n(b'#', hashes)).collect();
            let body = i + 2 + hashes;
            let end =
                b[body..].windows(close.len()).position(|w| w == close).map_or(b.len(), |p| body + p + close.len());
            blank(&mut out, i, end);
            i = end;
        } else if b[i] == b'"' {
            let mut j = i + 1;
            while j < b.len() && b[j] != b'"' {
                j += if b[j] == b'\\' { 2 } else { 1 };
            }
            let end = (j + 1).min(b.len());
            blank(&mut out, i, end);
            i = end;
        } else if b[i] == b'\'' {
            // a char literal ('x', '\n', '\u{7b}', '{'), or a lifetime or label ('a) left as it is
            let end = if b.get(i + 1) == Some(&b'\\') {
                b[i + 2..].iter().position(|&c| c == b'\'').map(|p| i + 2 + p + 1)
            } else {
                let ch = src[i + 1..].chars().next().map_or(1, char::len_utf8);
                (b.get(i + 1 + ch) == Some(&b'\'')).then_some(i + 2 + ch)
            };
            match end {
                Some(end) => {
                    blank(&mut out, i, end);
                    i = end;
                }
                None => i += 1,
            }
        } else {
            i += 1;
        }
    }
    String::from_utf8(out).expect("only ASCII bytes were replaced, on character boundaries")
}

/// Tokens of code: identifiers, `::`, and single punctuation characters, with their byte offset.
fn tokens(code: &str) -> Vec<(usize, &str)> {
    let b = code.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_whitespace() {
            i += 1;
        } else if c.is_ascii_alphanumeric() || c == b'_' || c == b'$' {
            let start = i;
            i += 1;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                i += 1;
            }
            out.push((start, &code[start..i]));
        } else if code[i..].starts_with("::") {
            out.push((i, "::"));
            i += 2;
        } else {
            let len = code[i..].chars().next().map_or(1, char::len_utf8);
            out.push((i, &code[i..i + len]));
            i += len;
        }
    }
    out
}

/// The first segments of the items of a `{…}` group starting at token `open` (nested groups
/// included, e.g. `{a, b::{c, d}}` gives a and b; `self` is the group's own path).
fn group_heads<'a>(toks: &[(usize, &'a str)], open: usize) -> Vec<(usize, &'a str)> {
    let mut heads = Vec::new();
    let mut depth = 0;
    let mut expect_head = true;
    for &(at, t) in &toks[open..] {
        match t {
            "{" => {
                depth += 1;
                expect_head = depth == 1;
            }
            "}" => {
                depth -= 1;
                if depth == 0 {
                    break;
                }
            }
            "," if depth == 1 => expect_head = true,
            _ if expect_head && depth == 1 => {
                heads.push((at, t));
                expect_head = false;
            }
            _ => {}
        }
    }
    heads
}

/// Every path in `src` that reaches a top-level module of the crate: `crate::x`, `crate::{x, …}`,
/// `$crate::x`, and `super::…::x` that climbs to the root. `module` is the file's module path
/// (`["scenario", "validate"]` for `src/scenario/validate.rs`); inline `mod x { … }` blocks are
/// followed so `super` is counted from the right place.
fn crate_paths(module: &[&str], src: &str) -> Vec<Edge> {
    let code = code_only(src);
    let toks = tokens(&code);
    let line = |at: usize| code[..at].matches('\n').count() + 1;
    let mut edges = Vec::new();
    let mut push = |at: usize, name: &str| edges.push(Edge { line: line(at), to: name.to_string() });
    // inline modules: (name, brace depth inside it)
    let mut inline: Vec<(&str, usize)> = Vec::new();
    let mut depth = 0usize;
    let mut k = 0;
    while k < toks.len() {
        let t = toks[k].1;
        match t {
            "{" => depth += 1,
            "}" => {
                if inline.last().is_some_and(|&(_, d)| d == depth) {
                    inline.pop();
                }
                depth = depth.saturating_sub(1);
            }
            "mod" if toks.get(k + 2).is_some_and(|x| x.1 == "{") => {
                inline.push((toks[k + 1].1, depth + 1));
            }
            _ => {}
        }
        let starts_path = k == 0 || toks[k - 1].1 != "::";
        let next_is_sep = toks.get(k + 1).is_some_and(|x| x.1 == "::");
        if starts_path && next_is_sep && (t == "crate" || t == "$crate" || t == "super") {
            // climb: `crate` goes to the root; each `super` one module up
            let mut here: Vec<&str> = module.iter().copied().chain(inline.iter().map(|m| m.0)).collect();
            let mut j = k;
            let mut at_root = false;
            while let Some(&(_, seg)) = toks.get(j) {
                match seg {
                    "crate" | "$crate" => {
                        here.clear();
                        at_root = true;
                    }
                    "super" => {
                        here.pop();
                        at_root = here.is_empty();
                    }
                    _ => break,
                }
                if toks.get(j + 1).is_some_and(|x| x.1 == "::") {
                    j += 2;
                } else {
                    j += 1;
                    break;
                }
            }
            if at_root && let Some(&(at, seg)) = toks.get(j) {
                if seg == "{" {
                    for (at, head) in group_heads(&toks, j) {
                        push(at, head);
                    }
                } else if seg.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_') {
                    push(at, seg);
                }
            }
            k = j;
            continue;
        }
        k += 1;
    }
    edges
}

/// Problems of one file: paths upward (or to a name in no layer), as "file:line: …".
fn check_file(file: &str, module: &[&str], src: &str) -> Vec<String> {
    let Some(&top) = module.first() else { return Vec::new() };
    let mut problems = Vec::new();
    for e in crate_paths(module, src) {
        if e.to == top || e.to == "self" {
            continue;
        }
        let msg = if UTILITIES.contains(&top) {
            Some(format!("`{top}` is a leaf utility and may not use `{}`", e.to))
        } else if UTILITIES.contains(&e.to.as_str()) {
            None
        } else {
            match (layer_of(top), layer_of(&e.to)) {
                (None, _) => Some(format!("`{top}` is in no layer: add it to LAYERS in tests/layers.rs")),
                (_, None) => Some(format!("`crate::{}` is in no layer: put it in a module of a layer", e.to)),
                (Some(from), Some(to)) if to > from => {
                    Some(format!("`{top}` (layer {from}) uses `{}` (layer {to}), a higher layer", e.to))
                }
                _ => None,
            }
        };
        if let Some(msg) = msg {
            problems.push(format!("{file}:{}: {msg}", e.line));
        }
    }
    problems
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir).expect("read src").map(|e| e.expect("entry").path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The module path of a file below `src/` (`scenario/validate.rs` → scenario, validate).
fn module_of(rel: &Path) -> Vec<String> {
    let mut parts: Vec<String> = rel.iter().map(|s| s.to_string_lossy().into_owned()).collect();
    if let Some(last) = parts.pop() {
        let stem = last.trim_end_matches(".rs");
        if stem != "mod" && !(parts.is_empty() && (stem == "lib" || stem == "main")) {
            parts.push(stem.to_string());
        }
    }
    parts
}

/// (file, module path, text) of every source file.
fn sources() -> Vec<(String, Vec<String>, String)> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    assert!(files.len() > 20, "found only {} files under {}", files.len(), src.display());
    files
        .into_iter()
        .map(|p| {
            let rel = p.strip_prefix(&src).expect("below src").to_path_buf();
            let text = std::fs::read_to_string(&p).expect("read source");
            (format!("src/{}", rel.display()), module_of(&rel), text)
        })
        .collect()
}

#[test]
fn no_module_uses_a_higher_layer() {
    let mut problems = Vec::new();
    for (file, module, text) in sources() {
        let module: Vec<&str> = module.iter().map(String::as_str).collect();
        problems.extend(check_file(&file, &module, &text));
    }
    assert!(problems.is_empty(), "{} upward use(s):\n{}", problems.len(), problems.join("\n"));
}

#[test]
fn every_top_level_module_is_in_a_layer() {
    let lib = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/lib.rs")).expect("lib.rs");
    let code = code_only(&lib);
    let toks = tokens(&code);
    let declared: Vec<&str> = toks.windows(3).filter(|w| w[0].1 == "mod" && w[2].1 == ";").map(|w| w[1].1).collect();
    assert!(declared.len() > 10, "read the modules of lib.rs: {declared:?}");
    let missing: Vec<&&str> = declared.iter().filter(|m| layer_of(m).is_none() && !UTILITIES.contains(m)).collect();
    assert!(missing.is_empty(), "modules in no layer (add them to LAYERS): {missing:?}");
}

#[test]
fn same_layer_modules_do_not_form_a_cycle() {
    let sources = sources();
    let uses = |a: &str, b: &str| {
        sources.iter().any(|(_, m, text)| {
            m.first().is_some_and(|t| t == a) && {
                let module: Vec<&str> = m.iter().map(String::as_str).collect();
                crate_paths(&module, text).iter().any(|e| e.to == b)
            }
        })
    };
    for row in LAYERS {
        for (i, a) in row.iter().enumerate() {
            for b in &row[i + 1..] {
                assert!(!(uses(a, b) && uses(b, a)), "`{a}` and `{b}` use each other");
            }
        }
    }
}

#[test]
fn the_checker_catches_planted_upward_paths() {
    let src = r#"//! a module of the scenario layer
use crate::scenario::types::Map; // its own layer: fine
use crate::outdir; // a utility: fine
use crate::exercise::orders::ScenarioIds;
use crate::{
    journal::Entry,
    scenario::diag,
};
fn f() {
    let _ = crate::report::Lang::Zh;
    let s = "crate::cli::main()"; // in a string: not code
    /* crate::gui::run() in a comment */
    let c = '{';
    let _ = super::super::sweep::run_one;
    let _ = super::types::Scenario::default();
}
mod tests {
    use super::super::map::RoadNetwork;
    use super::super::super::serve;
}
"#;
    let problems = check_file("src/scenario/x.rs", &["scenario", "x"], src);
    let lines: Vec<&str> = problems.iter().map(|p| p.split(": ").next().unwrap()).collect();
    assert_eq!(
        lines,
        [
            "src/scenario/x.rs:4",
            "src/scenario/x.rs:6",
            "src/scenario/x.rs:10",
            "src/scenario/x.rs:14",
            "src/scenario/x.rs:19"
        ],
        "{problems:#?}"
    );
    assert!(problems[0].contains("`exercise` (layer 6)"), "{}", problems[0]);
    // `super::super::map` in an inline module of scenario/x.rs is scenario::map, not crate::map
    assert!(!problems.iter().any(|p| p.contains("`map`")), "{problems:#?}");
    // a leaf utility may use nothing of the crate
    let util = check_file("src/outdir.rs", &["outdir"], "use crate::sim::SimClock;\n");
    assert_eq!(util.len(), 1, "{util:?}");
    // the highest layer may use every other
    assert!(check_file("src/cli/x.rs", &["cli", "x"], src).is_empty());
}
