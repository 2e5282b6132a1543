//! Problems found in an input file (a scenario or an order file), with their place, for people.
//!
//! A [`Problem`] knows its byte span, line and column; [`Problems`] renders them all with miette
//! (file:line:col and a source snippet) for the terminal.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceCode};

/// One input file as read.
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub path: PathBuf,
    pub text: Arc<str>,
}

impl SourceFile {
    pub fn new(path: impl AsRef<Path>, text: impl Into<Arc<str>>) -> Self {
        SourceFile { path: path.as_ref().to_path_buf(), text: text.into() }
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let before = &self.text[..offset];
        let line = 1 + before.matches('\n').count();
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let col = 1 + before[line_start..].chars().count();
        (line, col)
    }

    /// Byte offset of a 1-based line and character column.
    pub fn offset_of(&self, line: usize, col: usize) -> usize {
        let mut off = 0;
        for (i, l) in self.text.split_inclusive('\n').enumerate() {
            if i + 1 == line {
                let in_line: usize = l.chars().take(col.saturating_sub(1)).map(char::len_utf8).sum();
                return off + in_line;
            }
            off += l.len();
        }
        self.text.len()
    }
}

/// One problem in an input file.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    /// A short rule name, stable for tests and scripts: `syntax`, `unknown-id`, `duplicate-id`, …
    pub rule: &'static str,
    /// Where in the document's structure (`map.roads[2].to`), if known.
    pub path: String,
    pub message: String,
    pub help: Option<String>,
    pub span: Range<usize>,
    pub line: usize,
    pub col: usize,
}

/// All problems of one file.
#[derive(Debug, Clone)]
pub struct Problems {
    pub file: SourceFile,
    pub problems: Vec<Problem>,
}

impl Problems {
    /// Renders every problem with its file:line:col and snippet.
    pub fn render(&self, color: bool) -> String {
        let theme = if color { GraphicalTheme::unicode() } else { GraphicalTheme::unicode_nocolor() };
        let handler = GraphicalReportHandler::new_themed(theme).with_context_lines(1);
        let src = NamedSource::new(self.file.path.display().to_string(), self.file.text.to_string());
        let mut out = String::new();
        for p in &self.problems {
            let d = ProblemDiagnostic { p, src: &src, file: &self.file };
            let mut one = String::new();
            if handler.render_report(&mut one, &d).is_ok() {
                out.push_str(&one);
            } else {
                // never lose a problem because its snippet cannot be drawn
                out.push_str(&format!(
                    "{}:{}:{}: [{}] {}\n",
                    self.file.path.display(),
                    p.line,
                    p.col,
                    p.rule,
                    p.message
                ));
                if let Some(h) = &p.help {
                    out.push_str(&format!("  help: {h}\n"));
                }
            }
        }
        out
    }

    /// One line per problem: `file:line:col: [rule] message`.
    pub fn short(&self) -> String {
        let mut out = String::new();
        for p in &self.problems {
            out.push_str(&format!("{}:{}:{}: [{}] {}\n", self.file.path.display(), p.line, p.col, p.rule, p.message));
        }
        out
    }
}

impl fmt::Display for Problems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.short())
    }
}

impl std::error::Error for Problems {}

struct ProblemDiagnostic<'a> {
    p: &'a Problem,
    src: &'a NamedSource<String>,
    file: &'a SourceFile,
}

impl fmt::Debug for ProblemDiagnostic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.p.fmt(f)
    }
}

impl fmt::Display for ProblemDiagnostic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}: {}", self.file.path.display(), self.p.line, self.p.col, self.p.message)
    }
}

impl std::error::Error for ProblemDiagnostic<'_> {}

impl Diagnostic for ProblemDiagnostic<'_> {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.p.rule))
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.p.help.as_ref().map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(self.src)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let len = self.p.span.end.saturating_sub(self.p.span.start).clamp(1, 200);
        let label = if self.p.path.is_empty() { "here".to_string() } else { self.p.path.clone() };
        Some(Box::new(std::iter::once(LabeledSpan::new(Some(label), self.p.span.start, len))))
    }
}

/// Collects problems for one file, placing each by its path through a span index.
pub struct Collector<'a> {
    pub file: &'a SourceFile,
    pub spans: &'a super::spans::SpanIndex,
    pub problems: Vec<Problem>,
}

impl<'a> Collector<'a> {
    pub fn new(file: &'a SourceFile, spans: &'a super::spans::SpanIndex) -> Self {
        Collector { file, spans, problems: Vec::new() }
    }

    /// Records a problem at `path` (or its nearest parent that the file spells out).
    pub fn at(&mut self, rule: &'static str, path: impl Into<String>, message: impl Into<String>) -> &mut Problem {
        let path = path.into();
        let span = self.spans.find(&path).unwrap_or(0..0);
        let (line, col) = self.file.line_col(span.start);
        self.problems.push(Problem { rule, path, message: message.into(), help: None, span, line, col });
        self.problems.last_mut().expect("just pushed")
    }

    pub fn into_sorted(mut self) -> Vec<Problem> {
        self.problems.sort_by(|a, b| (a.span.start, a.rule).cmp(&(b.span.start, b.rule)));
        self.problems
    }
}

impl Problem {
    pub fn help(&mut self, h: impl Into<String>) -> &mut Self {
        self.help = Some(h.into());
        self
    }
}

/// Converts a RON syntax or type error into a problem at its place.
///
/// An error about a value ron has just read (a bad duration, an integer out of bounds) can start
/// inside that value; it is moved to the value's start, as [`SpanIndex`](super::spans::SpanIndex)
/// finds it.
pub fn from_ron_error(file: &SourceFile, err: &ron::error::SpannedError) -> Problem {
    let mut start = file.offset_of(err.span.start.line, err.span.start.col);
    let end = file.offset_of(err.span.end.line, err.span.end.col).max(start);
    if end > start
        && let Some(value) = super::spans::SpanIndex::build(&file.text).value_ending_at(&file.text, start, end)
    {
        start = value.start;
    }
    let (line, col) = file.line_col(start);
    let message = err.code.to_string();
    let help = ron_help(&message);
    Problem { rule: "syntax", path: String::new(), message, help, span: start..end, line, col }
}

fn ron_help(message: &str) -> Option<String> {
    let help = if message.contains("missing field") {
        "add the field; scenarios/README.md lists every field with an example"
    } else if message.contains("Unexpected field") || message.contains("unknown field") {
        "check the spelling; the fields this structure accepts are listed above"
    } else if message.contains("variant") {
        "the accepted names are listed above: kinds, roles and capabilities are snake_case \
         (`water_intake`), hazards and conditions PascalCase (`LeveeBreach`, `At`)"
    } else if message.contains("duplicate field") {
        "give each field once"
    } else if message == "Expected comma" {
        "a comma is missing before this: fields and list items are separated by commas \
         (if not, look above for a string without its closing `\"`)"
    } else if message == "Expected identifier" {
        "a field name should stand here: look for a stray comma, or a `)` missing before it"
    } else if message == "Unexpected end of RON" {
        "the file ends too early: a `)`, `]` or `}` is missing (or the file was cut short)"
    } else if message.starts_with("Expected closing") {
        "check that every `(`, `[` and `{` is closed, in the right order"
    } else if message == "Expected end of string" {
        "a string is not closed: add the `\"`"
    } else if message == "Expected string" {
        "write it in double quotes, e.g. \"+2h\" or \"village\""
    } else if message == "Non-whitespace trailing characters" {
        "the scenario ends at the `)` that closes the first `(`; remove what follows, or look for \
         a `)` too many above"
    } else {
        return None;
    };
    Some(help.to_string())
}
