//! Finds where each value of a RON document stands, so that a problem found after parsing
//! (an unknown id, a capacity of zero) can be shown at its line and column.
//!
//! serde forgets positions once a value is deserialized; this lenient second reader walks the same
//! text and records the byte span of every value under a path such as `map.roads[2].to`. Enum
//! variant names are skipped (`hazards[0].levee`, not `hazards[0].LeveeBreach.levee`); unnamed
//! tuple members get `.0`, `.1`; map entries get `.key`. It never fails: text it cannot read just
//! has no spans, and callers fall back to the nearest parent path.
//!
//! Only a problem needs a place, so `load` makes a [`SpanIndex::lazy`] index: the text is read a
//! second time on the first question, never for a valid file.

use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::{Arc, OnceLock};

/// Byte spans of values by path.
#[derive(Debug, Default, Clone)]
pub struct SpanIndex {
    /// The text, while the spans are not read yet.
    text: Option<Arc<String>>,
    spans: OnceLock<BTreeMap<String, Range<usize>>>,
}

fn read(text: &str) -> BTreeMap<String, Range<usize>> {
    let mut r = Reader { b: text.as_bytes(), i: 0, depth: 0, out: BTreeMap::new() };
    r.skip_ws();
    r.value(String::new());
    r.out
}

impl SpanIndex {
    /// Reads the spans of `text` now.
    pub fn build(text: &str) -> SpanIndex {
        SpanIndex { text: None, spans: OnceLock::from(read(text)) }
    }

    /// An index of `text` that reads it on the first question (a valid file never asks).
    pub fn lazy(text: Arc<String>) -> SpanIndex {
        SpanIndex { text: Some(text), spans: OnceLock::new() }
    }

    /// Whether the spans have been read (a lazy index that was never asked has not).
    pub fn is_read(&self) -> bool {
        self.spans.get().is_some()
    }

    fn spans(&self) -> &BTreeMap<String, Range<usize>> {
        self.spans.get_or_init(|| self.text.as_deref().map_or_else(BTreeMap::new, |t| read(t)))
    }

    /// The span of `path`, or of its nearest recorded parent.
    pub fn find(&self, path: &str) -> Option<Range<usize>> {
        let mut p = path.to_string();
        loop {
            if let Some(s) = self.spans().get(&p) {
                return Some(s.clone());
            }
            if p.is_empty() {
                return None;
            }
            // strip the last ".field" or "[i]"
            let cut = p.rfind(['.', '[']).unwrap_or(0);
            p.truncate(cut);
        }
    }

    /// The exact span of `path`, if recorded.
    pub fn get(&self, path: &str) -> Option<Range<usize>> {
        self.spans().get(path).cloned()
    }

    /// The smallest recorded value that ends at `end` and begins at or before `start`, on the
    /// same line. A parser's error about a value it has just read (a bad duration, an integer out
    /// of bounds) may start inside it; this widens such a span to the whole value.
    pub fn value_ending_at(&self, text: &str, start: usize, end: usize) -> Option<Range<usize>> {
        self.spans()
            .values()
            .filter(|s| s.end == end && s.start <= start && s.start < s.end)
            .filter(|s| text.get(s.start..start).is_some_and(|t| !t.contains('\n')))
            .min_by_key(|s| s.end - s.start)
            .cloned()
    }
}

struct Reader<'a> {
    b: &'a [u8],
    i: usize,
    /// Nesting of the value being read; past [`MAX_DEPTH`] nothing more is recorded (the text
    /// may be any broken file, and the reader must not overflow the stack on it).
    depth: usize,
    out: BTreeMap<String, Range<usize>>,
}

/// Deeper than any scenario (and than ron's own recursion limit of 128).
const MAX_DEPTH: usize = 160;

fn join(path: &str, field: &str) -> String {
    if path.is_empty() { field.to_string() } else { format!("{path}.{field}") }
}

impl Reader<'_> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn skip_ws(&mut self) {
        loop {
            while matches!(self.peek(), Some(c) if c.is_ascii_whitespace()) {
                self.i += 1;
            }
            if self.b[self.i..].starts_with(b"//") {
                while !matches!(self.peek(), None | Some(b'\n')) {
                    self.i += 1;
                }
            } else if self.b[self.i..].starts_with(b"/*") {
                let mut depth = 0usize;
                while self.i < self.b.len() {
                    if self.b[self.i..].starts_with(b"/*") {
                        depth += 1;
                        self.i += 2;
                    } else if self.b[self.i..].starts_with(b"*/") {
                        depth -= 1;
                        self.i += 2;
                        if depth == 0 {
                            break;
                        }
                    } else {
                        self.i += 1;
                    }
                }
            } else if self.b[self.i..].starts_with(b"#![") {
                // an extension attribute line: #![enable(implicit_some)]
                while !matches!(self.peek(), None | Some(b']')) {
                    self.i += 1;
                }
                self.i = (self.i + 1).min(self.b.len());
            } else {
                return;
            }
        }
    }

    fn ident(&mut self) -> Option<&str> {
        let start = self.i;
        if self.b[self.i..].starts_with(b"r#") {
            self.i += 2;
        }
        while matches!(self.peek(), Some(c) if c.is_ascii_alphanumeric() || c == b'_') {
            self.i += 1;
        }
        (self.i > start).then(|| std::str::from_utf8(&self.b[start..self.i]).unwrap_or(""))
    }

    /// Reads one value at `path`, recording its span.
    fn value(&mut self, path: String) {
        if self.depth >= MAX_DEPTH {
            return; // the caller steps over what it cannot read
        }
        self.depth += 1;
        self.read_value(path);
        self.depth -= 1;
    }

    fn read_value(&mut self, path: String) {
        let start = self.i;
        match self.peek() {
            None => return,
            Some(b'"') => self.quoted(b'"'),
            Some(b'\'') => self.quoted(b'\''),
            Some(b'b') if matches!(self.b.get(self.i + 1), Some(b'"') | Some(b'\'')) => {
                self.i += 1; // a byte string or byte literal
                self.quoted(self.b[self.i]);
            }
            Some(b'r') if matches!(self.b.get(self.i + 1), Some(b'"') | Some(b'#')) && self.raw_string() => {}
            Some(b'[') => {
                self.i += 1;
                self.seq(&path, b']');
            }
            Some(b'{') => {
                self.i += 1;
                self.map(&path);
            }
            Some(b'(') => {
                self.i += 1;
                self.contents(&path);
            }
            Some(c) if c.is_ascii_alphabetic() || c == b'_' => {
                self.ident();
                self.skip_ws();
                if self.peek() == Some(b'(') {
                    self.i += 1;
                    self.contents(&path);
                }
            }
            Some(_) => {
                // number or anything else: up to a delimiter
                while matches!(self.peek(), Some(c) if !matches!(c, b',' | b')' | b']' | b'}') && !c.is_ascii_whitespace())
                {
                    self.i += 1;
                }
            }
        }
        if self.i > start {
            self.out.insert(path, start..self.i);
        }
    }

    /// A string or char literal from its opening `quote` to its closing one (or the end of the
    /// text, if it is never closed).
    fn quoted(&mut self, quote: u8) {
        self.i += 1;
        while let Some(c) = self.peek() {
            self.i += 1;
            if c == b'\\' {
                self.i += 1;
            } else if c == quote {
                break;
            }
        }
        self.i = self.i.min(self.b.len()); // a backslash at the very end
    }

    fn raw_string(&mut self) -> bool {
        let save = self.i;
        self.i += 1;
        let mut hashes = 0;
        while self.peek() == Some(b'#') {
            hashes += 1;
            self.i += 1;
        }
        if self.peek() != Some(b'"') {
            self.i = save;
            return false;
        }
        self.i += 1;
        let mut close = vec![b'"'];
        close.extend(std::iter::repeat_n(b'#', hashes));
        while self.i < self.b.len() && !self.b[self.i..].starts_with(&close) {
            self.i += 1;
        }
        self.i = (self.i + close.len()).min(self.b.len());
        true
    }

    /// After '(' : named fields `a: 1, b: 2` or unnamed members `1, 2`, up to ')'.
    fn contents(&mut self, path: &str) {
        let mut n = 0usize;
        loop {
            self.skip_ws();
            match self.peek() {
                None => return,
                Some(b')') => {
                    self.i += 1;
                    return;
                }
                Some(b',') => {
                    self.i += 1;
                    continue;
                }
                _ => {}
            }
            let before = self.i;
            // named field?
            let save = self.i;
            if let Some(name) = self.ident().map(str::to_string) {
                self.skip_ws();
                if self.peek() == Some(b':') && self.b.get(self.i + 1) != Some(&b':') {
                    self.i += 1;
                    self.skip_ws();
                    let name = name.strip_prefix("r#").unwrap_or(&name).to_string();
                    self.value(join(path, &name));
                    continue;
                }
            }
            self.i = save;
            self.value(join(path, &n.to_string()));
            n += 1;
            if self.i == before {
                self.i += 1; // never stall on text we cannot read
            }
        }
    }

    fn seq(&mut self, path: &str, close: u8) {
        let mut n = 0usize;
        loop {
            self.skip_ws();
            match self.peek() {
                None => return,
                Some(c) if c == close => {
                    self.i += 1;
                    return;
                }
                Some(b',') => {
                    self.i += 1;
                    continue;
                }
                _ => {}
            }
            let before = self.i;
            self.value(format!("{path}[{n}]"));
            n += 1;
            if self.i == before {
                self.i += 1;
            }
        }
    }

    fn map(&mut self, path: &str) {
        loop {
            self.skip_ws();
            match self.peek() {
                None => return,
                Some(b'}') => {
                    self.i += 1;
                    return;
                }
                Some(b',') => {
                    self.i += 1;
                    continue;
                }
                _ => {}
            }
            let before = self.i;
            let kstart = self.i;
            self.value(format!("{path}.#key"));
            let key_text = String::from_utf8_lossy(&self.b[kstart..self.i]).trim_matches('"').to_string();
            self.out.remove(&format!("{path}.#key"));
            self.skip_ws();
            if self.peek() == Some(b':') {
                self.i += 1;
                self.skip_ws();
                self.value(join(path, &key_text));
            }
            if self.i == before {
                self.i += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lazy_index_reads_the_text_only_when_asked() {
        let text = Arc::new("(map: (roads: [(from: \"a\", to: \"b\")]))".to_string());
        let lazy = SpanIndex::lazy(text.clone());
        assert!(!lazy.is_read(), "nothing asked yet");
        let eager = SpanIndex::build(&text);
        assert!(eager.is_read());
        assert_eq!(lazy.find("map.roads[0].to"), eager.find("map.roads[0].to"));
        assert!(lazy.is_read());
        assert_eq!(lazy.get("map.roads[0].to").map(|r| &text[r]), Some("\"b\""));
    }

    #[test]
    fn records_nested_paths() {
        let text = r#"Scenario( // top
    meta: (name: "县", seed: 4),
    map: (nodes: [ (id: "a", pos: (1.0, 2.5)), (id: "b") ]),
    hazards: [ LeveeBreach(id: "h1", at: Some("+1h")) ],
    stock: { "sandbags": 100, "tents": 5 },
    when: At("+2h"),
)"#;
        let idx = SpanIndex::build(text);
        let at = |p: &str| &text[idx.get(p).unwrap_or_else(|| panic!("no span for {p}"))];
        assert_eq!(at("meta.name"), "\"县\"");
        assert_eq!(at("map.nodes[1].id"), "\"b\"");
        assert_eq!(at("map.nodes[0].pos.1"), "2.5");
        assert_eq!(at("hazards[0].id"), "\"h1\"");
        assert_eq!(at("hazards[0].at"), "Some(\"+1h\")");
        assert_eq!(at("stock.tents"), "5");
        assert_eq!(at("when.0"), "\"+2h\"");
        // a missing path falls back to its parent
        assert_eq!(&text[idx.find("map.nodes[1].population").unwrap()], "(id: \"b\")");
    }

    #[test]
    fn strings_with_escapes_bytes_and_raw_strings() {
        let text = r##"(a: "x\"y", b: b"by", c: r#"r"aw"#, d: 'q', e: 7)"##;
        let idx = SpanIndex::build(text);
        let at = |p: &str| &text[idx.get(p).unwrap_or_else(|| panic!("no span for {p}"))];
        assert_eq!(at("a"), r#""x\"y""#);
        assert_eq!(at("b"), r#"b"by""#);
        assert_eq!(at("c"), r##"r#"r"aw"#"##);
        assert_eq!(at("d"), "'q'");
        assert_eq!(at("e"), "7");
    }

    #[test]
    fn widens_an_error_to_the_value_it_is_about() {
        let text = "(a: \"1h\", b: (c: \"3x\", d: -800))";
        let idx = SpanIndex::build(text);
        // ron places a bad duration after the opening quote, an overflow after the sign
        let x = text.find("3x").unwrap();
        assert_eq!(idx.value_ending_at(text, x, x + 3), Some(x - 1..x + 3));
        let n = text.find("800").unwrap();
        assert_eq!(idx.value_ending_at(text, n, n + 3), Some(n - 1..n + 3));
        assert_eq!(idx.value_ending_at(text, x, x + 2), None);
    }

    #[test]
    fn never_panics_on_a_cut_or_broken_text() {
        let text = concat!(
            "#![enable(implicit_some)] /* a /* nested */ comment */ (\n",
            "  a: \"县\\\"城\", // note\n",
            "  b: [1, 2, (x: r#\"raw\"#)], c: { \"k\": 'v' }, d: Some(\"+1h\"),\n)",
        );
        let deep = "(a: ".repeat(100_000);
        assert!(SpanIndex::build(&deep).get(&"a.".repeat(100)[..199]).is_some());
        for (cut, _) in text.char_indices().chain([(text.len(), ' ')]) {
            for t in [&text[..cut], &format!("{}\\", &text[..cut])] {
                let idx = SpanIndex::build(t);
                for s in idx.spans().values() {
                    assert!(s.start <= s.end && s.end <= t.len(), "{s:?} in {t:?}");
                    assert!(t.is_char_boundary(s.start) && t.is_char_boundary(s.end), "{s:?} in {t:?}");
                }
            }
        }
    }
}
