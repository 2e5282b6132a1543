//! Problems found in an input file (a scenario or an order file), with their place, for people.
//!
//! A [`Problem`] knows its byte span, line and column; [`Problems`] renders them all with miette
//! (file:line:col and a source snippet) for the terminal.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents, SourceCode,
    SourceSpan, SpanContents,
};

/// How many characters of a person's input a message quotes at most.
pub const QUOTE_CHARS: usize = 200;
/// Lines longer than this (bytes) are not drawn as snippets: the problem is shown with a clipped
/// excerpt of its line instead.
const SNIPPET_LINE_BYTES: usize = 400;

/// One input file as read.
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub path: PathBuf,
    /// The text as read, shared (with a lazy span index, a loaded scenario) without a copy: an
    /// `Arc<str>` would copy a county-sized file once more after reading it.
    pub text: Arc<String>,
    /// Byte offset of each line's start, built on first use (placing a problem is then a binary
    /// search, not a scan of the file: many problems in a large file stay linear).
    lines: Arc<OnceLock<Vec<usize>>>,
}

impl SourceFile {
    pub fn new(path: impl AsRef<Path>, text: impl Into<String>) -> Self {
        SourceFile { path: path.as_ref().to_path_buf(), text: Arc::new(text.into()), lines: Arc::default() }
    }

    fn line_starts(&self) -> &[usize] {
        self.lines.get_or_init(|| {
            std::iter::once(0)
                .chain(self.text.bytes().enumerate().filter(|(_, b)| *b == b'\n').map(|(i, _)| i + 1))
                .collect()
        })
    }

    /// 0-based line of a byte offset.
    fn line_of(&self, offset: usize) -> usize {
        self.line_starts().partition_point(|s| *s <= offset).saturating_sub(1)
    }

    /// Byte range of a 0-based line, without its newline.
    fn line_range(&self, line: usize) -> Range<usize> {
        let starts = self.line_starts();
        let start = starts.get(line).copied().unwrap_or(self.text.len());
        let end = starts.get(line + 1).map_or(self.text.len(), |s| s - 1);
        start..end.max(start)
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.line_of(offset);
        let line_start = self.line_starts()[line];
        let col = 1 + self.text[line_start..offset].chars().count();
        (line + 1, col)
    }

    /// Byte offset of a 1-based line and character column.
    pub fn offset_of(&self, line: usize, col: usize) -> usize {
        let Some(&start) = self.line_starts().get(line.saturating_sub(1)) else {
            return self.text.len();
        };
        let rest = &self.text[start..];
        let l = &rest[..rest.find('\n').map_or(rest.len(), |i| i + 1)];
        start + l.chars().take(col.saturating_sub(1)).map(char::len_utf8).sum::<usize>()
    }
}

/// `text` cut to at most `max_chars` characters, saying how much was left out: messages quote a
/// person's input, and a 1 MB line must not come back as a 1 MB answer.
pub fn clip(text: &str, max_chars: usize) -> String {
    match text.char_indices().nth(max_chars) {
        None => text.to_string(),
        Some((cut, _)) => format!("{}… ({} more characters)", &text[..cut], text[cut..].chars().count()),
    }
}

/// The lines of a file around one place, for miette: it reads spans through the line index, so
/// drawing a snippet does not scan the file from its start.
struct Window<'a> {
    name: String,
    file: &'a SourceFile,
}

impl SourceCode for Window<'_> {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let f = self.file;
        let text: &'a str = &f.text;
        let (s, e) = (span.offset().min(text.len()), (span.offset() + span.len()).min(text.len()));
        let first = f.line_of(s).saturating_sub(before);
        let last = (f.line_of(e) + after).min(f.line_starts().len() - 1);
        let from = f.line_starts()[first];
        let to = f.line_starts().get(last + 1).copied().unwrap_or(text.len());
        let inner = text[from..to].read_span(&SourceSpan::new((s - from).into(), e - s), before, after)?;
        let (data, sp) = (inner.data(), inner.span());
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            data,
            SourceSpan::new((sp.offset() + from).into(), sp.len()),
            inner.line() + first,
            inner.column(),
            inner.line_count(),
        )))
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
    /// Renders every problem with its file:line:col and snippet (a clipped excerpt of its line
    /// when the line is too long to draw). Linear in the number of problems and the file's size.
    pub fn render(&self, color: bool) -> String {
        let theme = if color { GraphicalTheme::unicode() } else { GraphicalTheme::unicode_nocolor() };
        let handler = GraphicalReportHandler::new_themed(theme).with_context_lines(1);
        let src = Window { name: self.file.path.display().to_string(), file: &self.file };
        let mut out = String::new();
        for p in &self.problems {
            let line = self.file.line_range(self.file.line_of(p.span.start.min(self.file.text.len())));
            let mut one = String::new();
            let drawn = line.len() <= SNIPPET_LINE_BYTES && {
                let d = ProblemDiagnostic { p, src: &src, file: &self.file };
                handler.render_report(&mut one, &d).is_ok()
            };
            if drawn {
                out.push_str(&one);
            } else {
                // never lose a problem because its snippet cannot be drawn
                out.push_str(&self.one_line(p));
                out.push_str(&format!(
                    "  | {}\n",
                    excerpt(&self.file.text[line.clone()], p.span.start.saturating_sub(line.start))
                ));
                if let Some(h) = &p.help {
                    out.push_str(&format!("  help: {}\n", clip(h, QUOTE_CHARS)));
                }
            }
        }
        out
    }

    fn one_line(&self, p: &Problem) -> String {
        format!("{}:{}:{}: [{}] {}\n", self.file.path.display(), p.line, p.col, p.rule, clip(&p.message, QUOTE_CHARS))
    }

    /// One line per problem: `file:line:col: [rule] message`.
    pub fn short(&self) -> String {
        self.problems.iter().map(|p| self.one_line(p)).collect()
    }
}

/// Up to 60 characters either side of byte `at` of a long line, with "…" where it was cut.
fn excerpt(line: &str, at: usize) -> String {
    let mut at = at.min(line.len());
    while !line.is_char_boundary(at) {
        at -= 1;
    }
    let before: Vec<char> = line[..at].chars().rev().take(61).collect();
    let after: String = line[at..].chars().take(61).collect();
    let mut s = String::new();
    if before.len() > 60 {
        s.push('…');
    }
    s.extend(before.iter().rev().skip(before.len().saturating_sub(60)));
    s.push_str(&after.chars().take(60).collect::<String>());
    if after.chars().count() > 60 {
        s.push('…');
    }
    s.chars().map(|c| if c.is_control() { ' ' } else { c }).collect()
}

impl fmt::Display for Problems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.short())
    }
}

impl std::error::Error for Problems {}

struct ProblemDiagnostic<'a> {
    p: &'a Problem,
    src: &'a Window<'a>,
    file: &'a SourceFile,
}

impl fmt::Debug for ProblemDiagnostic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.p.fmt(f)
    }
}

impl fmt::Display for ProblemDiagnostic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}: {}", self.file.path.display(), self.p.line, self.p.col, clip(&self.p.message, QUOTE_CHARS))
    }
}

impl std::error::Error for ProblemDiagnostic<'_> {}

impl Diagnostic for ProblemDiagnostic<'_> {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.p.rule))
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.p.help.as_ref().map(|h| Box::new(clip(h, QUOTE_CHARS)) as Box<dyn fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(self.src)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let len = self.p.span.end.saturating_sub(self.p.span.start).clamp(1, 200);
        let label = if self.p.path.is_empty() { "here".to_string() } else { clip(&self.p.path, 80) };
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

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(file: &SourceFile, at: usize, message: &str) -> Problem {
        let (line, col) = file.line_col(at);
        Problem {
            rule: "syntax",
            path: String::new(),
            message: message.into(),
            help: None,
            span: at..at + 1,
            line,
            col,
        }
    }

    #[test]
    fn a_problem_far_out_on_a_long_line_is_shown_clipped_without_a_panic() {
        let text = format!("(a: 1,\n{}X\n)", "x".repeat(70_000));
        let file = SourceFile::new("long.ron", text.clone());
        let at = text.find('X').unwrap();
        let p = problem(&file, at, &format!("Unexpected `{}`", "y".repeat(100_000)));
        assert_eq!((p.line, p.col), (2, 70_001));
        let probs = Problems { file, problems: vec![p] };
        for color in [false, true] {
            let out = probs.render(color);
            assert!(out.contains("long.ron:2:70001: [syntax]"), "{}", &out[..out.len().min(300)]);
            assert!(out.contains("xX"), "the excerpt shows the place");
            assert!(out.len() < 2_000, "clipped: {} bytes", out.len());
        }
        assert!(probs.short().len() < 1_000);
    }

    #[test]
    fn snippets_still_drawn_for_ordinary_lines_with_their_line_numbers() {
        let text = "(\n  a: 1,\n  b: oops,\n  c: 3,\n)\n";
        let file = SourceFile::new("s.ron", text);
        let at = text.find("oops").unwrap();
        let probs = Problems { file: file.clone(), problems: vec![problem(&file, at, "bad value")] };
        let out = probs.render(false);
        assert!(out.contains("s.ron:3:6"), "{out}");
        assert!(out.contains(" 3 │   b: oops,") || out.contains("3 │   b: oops,"), "{out}");
        assert!(out.contains("a: 1") && out.contains("c: 3"), "one line of context each side: {out}");
    }

    #[test]
    fn line_and_column_round_trip_through_the_index() {
        let file = SourceFile::new("f", "ab\n水位\n\nz");
        for off in 0..=file.text.len() {
            if file.text.is_char_boundary(off) {
                let (l, c) = file.line_col(off);
                assert_eq!(file.offset_of(l, c), off, "offset {off} → {l}:{c}");
            }
        }
        assert_eq!(file.line_col(4), (2, 1));
        assert_eq!(file.line_col(7), (2, 2));
    }

    #[test]
    fn clip_keeps_short_text_and_says_what_it_cut() {
        assert_eq!(clip("abc", 3), "abc");
        assert_eq!(clip("水位高", 2), "水位… (1 more characters)");
    }

    #[test]
    fn ten_thousand_problems_in_a_large_file_render() {
        // Placing and drawing each problem reads only its lines (it took a minute when each one
        // scanned the file from its start).
        let line = format!("(at: \"+1h\", by: \"nobody\", order: Log(\"{}\")),\n", "x".repeat(230));
        let text = line.repeat(10_000);
        let file = SourceFile::new("orders.ron", text);
        let problems: Vec<Problem> =
            (0..10_000).map(|i| problem(&file, i * line.len() + 17, "unknown agency")).collect();
        assert_eq!(problems[9_999].line, 10_000);
        let out = Problems { file, problems }.render(false);
        assert!(out.contains("orders.ron:1:18") && out.contains("orders.ron:10000:18"));
        assert_eq!(out.matches("unknown agency").count(), 10_000);
    }
}
