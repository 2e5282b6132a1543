//! Where the report's language type used to live: `Lang` (now `scenario::lang`) is re-exported
//! here (the GUI, the course report and the CLI import it from here). The after-action report
//! itself is `crate::report` (a model rendered from templates), which re-exports `esc` from here.
//!
//! `md_to_html` remains only for the training-course report (`replay::course`), which still
//! writes Markdown first; the after-action report no longer uses it.

use std::fmt::Write as _;

pub use crate::scenario::lang::Lang;

/// Escapes text for HTML (element content and attribute values).
pub fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// A small Markdown subset (headings, tables, lists, paragraphs; **bold** and `code`) to HTML.
pub(crate) fn md_to_html(md: &str) -> String {
    let mut out = String::new();
    let mut in_table = false;
    let mut in_list = false;
    for line in md.lines() {
        let l = line.trim_end();
        if l.starts_with('|') {
            let cells: Vec<&str> = split_cells(l);
            if cells.iter().all(|c| c.chars().all(|ch| matches!(ch, '-' | ':' | ' ')) && !c.is_empty()) {
                continue;
            }
            if !in_table {
                out.push_str("<table>\n");
                in_table = true;
                out.push_str("<tr>");
                for c in &cells {
                    let _ = write!(out, "<th>{}</th>", inline(c));
                }
                out.push_str("</tr>\n");
                continue;
            }
            out.push_str("<tr>");
            for c in &cells {
                let _ = write!(out, "<td>{}</td>", inline(c));
            }
            out.push_str("</tr>\n");
            continue;
        } else if in_table {
            out.push_str("</table>\n");
            in_table = false;
        }
        if let Some(item) = l.strip_prefix("- ") {
            if !in_list {
                out.push_str("<ul>\n");
                in_list = true;
            }
            let _ = writeln!(out, "<li>{}</li>", inline(item));
            continue;
        } else if in_list {
            out.push_str("</ul>\n");
            in_list = false;
        }
        if let Some(x) = l.strip_prefix("### ") {
            let _ = writeln!(out, "<h3>{}</h3>", inline(x));
        } else if let Some(x) = l.strip_prefix("## ") {
            let _ = writeln!(out, "<h2>{}</h2>", inline(x));
        } else if let Some(x) = l.strip_prefix("# ") {
            let _ = writeln!(out, "<h1>{}</h1>", inline(x));
        } else if !l.is_empty() {
            let _ = writeln!(out, "<p>{}</p>", inline(l));
        }
    }
    if in_table {
        out.push_str("</table>\n");
    }
    if in_list {
        out.push_str("</ul>\n");
    }
    out
}

fn split_cells(l: &str) -> Vec<&str> {
    // Cells split on unescaped '|'.
    let inner = l.trim().trim_start_matches('|');
    let inner = inner.strip_suffix('|').unwrap_or(inner);
    let mut cells = Vec::new();
    let mut start = 0;
    let bytes = inner.as_bytes();
    for i in 0..bytes.len() {
        if bytes[i] == b'|' && (i == 0 || bytes[i - 1] != b'\\') {
            cells.push(inner[start..i].trim());
            start = i + 1;
        }
    }
    cells.push(inner[start..].trim());
    cells
}

fn inline(s: &str) -> String {
    let s = esc(&s.replace("\\|", "|"));
    let mut out = String::new();
    let mut bold = false;
    let mut code = false;
    let mut rest = s.as_str();
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix("**") {
            out.push_str(if bold { "</b>" } else { "<b>" });
            bold = !bold;
            rest = r;
        } else if let Some(r) = rest.strip_prefix('`') {
            out.push_str(if code { "</code>" } else { "<code>" });
            code = !code;
            rest = r;
        } else {
            let ch = rest.chars().next().unwrap_or(' ');
            out.push(ch);
            rest = &rest[ch.len_utf8()..];
        }
    }
    if bold {
        out.push_str("</b>");
    }
    if code {
        out.push_str("</code>");
    }
    out
}
