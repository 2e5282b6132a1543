//! The durable order log of a live exercise (`OUT/orders.log`): what is needed to rebuild the
//! session after a crash. The first line names the session (scenario and SHA-256, seed, speed,
//! paused start, automatic plan-follower); then one line per order a person gave, with the
//! simulated time it was queued at and the time it takes effect. Each line is written and
//! fsynced before the order can be decided, so every answered order is on disk
//! (`drillsim resume` rebuilds the session from it).

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::exercise::autoplan::AutoPlan;
use crate::scenario::types::OrderKind;

/// The automatic plan-follower's settings, as recorded (seats resolved to a list).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AutoSpec {
    pub delay_s: u64,
    /// The seats played automatically; `None`: all agencies.
    pub seats: Option<Vec<String>>,
}

impl AutoSpec {
    pub fn of(a: &AutoPlan) -> AutoSpec {
        AutoSpec { delay_s: a.delay_s, seats: a.seats.as_ref().map(|s| s.iter().cloned().collect()) }
    }
    pub fn plan(&self) -> AutoPlan {
        AutoPlan::new(self.seats.as_ref().map(|s| s.iter().cloned().collect()), self.delay_s)
    }
}

/// How a live session was started.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionSpec {
    pub drillsim_version: String,
    pub scenario_path: String,
    pub scenario_sha256: String,
    pub seed: u64,
    pub speed: f64,
    pub paused: bool,
    pub auto: Option<AutoSpec>,
}

/// One order as a person gave it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LoggedOrder {
    /// The answer's number (`accepted #3 …`).
    pub tag: u64,
    /// Simulated time when the order was queued (the clock stood at a step boundary).
    pub queued_at: u64,
    /// Simulated time it takes effect (`at`, or the queue time).
    pub t: u64,
    pub by: String,
    pub order: OrderKind,
    /// The agency a networked seat claimed to act for, when not its own (`drillsim serve`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claimed: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Line {
    Session(SessionSpec),
    Order(LoggedOrder),
    /// A line that was answered `invalid` (nothing queued): its answer number is used up, so a
    /// resumed session does not give it again.
    Invalid {
        tag: u64,
    },
}

/// The open log, appended to and fsynced line by line.
#[derive(Debug)]
pub struct OrderLog {
    file: File,
}

fn sync_dir(path: &Path) {
    // Make the file's directory entry durable too.
    crate::outdir::sync_dir(path.parent().unwrap_or(Path::new(".")));
}

impl OrderLog {
    /// Creates (or truncates) the log and writes the session line.
    pub fn create(path: &Path, spec: &SessionSpec) -> std::io::Result<OrderLog> {
        let file = File::create(path)?;
        let mut log = OrderLog { file };
        log.write_line(&Line::Session(spec.clone()))?;
        sync_dir(path);
        Ok(log)
    }

    /// Opens an existing log for appending, cutting a torn last line (one without its newline).
    pub fn reopen(path: &Path) -> std::io::Result<OrderLog> {
        let bytes = std::fs::read(path)?;
        let keep = bytes.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
        let file = OpenOptions::new().write(true).open(path)?;
        file.set_len(keep as u64)?;
        file.sync_all()?;
        let mut file = OpenOptions::new().append(true).open(path)?;
        file.flush()?;
        Ok(OrderLog { file })
    }

    /// Appends one order and makes it durable.
    pub fn append(&mut self, o: &LoggedOrder) -> std::io::Result<()> {
        self.append_all(std::slice::from_ref(o))
    }

    /// Appends several orders and makes them durable with one fsync (a group commit: orders
    /// that arrive together wait for one disk flush, not one each).
    pub fn append_all(&mut self, orders: &[LoggedOrder]) -> std::io::Result<()> {
        let mut text = String::new();
        for o in orders {
            text.push_str(&serde_json::to_string(&Line::Order(o.clone())).map_err(std::io::Error::from)?);
            text.push('\n');
        }
        self.file.write_all(text.as_bytes())?;
        self.file.sync_data()
    }

    /// Records that answer number `tag` went to an invalid line (made durable like an order).
    pub fn note_invalid(&mut self, tag: u64) -> std::io::Result<()> {
        self.write_line(&Line::Invalid { tag })
    }

    fn write_line(&mut self, line: &Line) -> std::io::Result<()> {
        let mut text = serde_json::to_string(line).map_err(std::io::Error::from)?;
        text.push('\n');
        self.file.write_all(text.as_bytes())?;
        self.file.sync_data()
    }
}

/// A log read back: the session, its orders, and whether a torn last line was left out.
#[derive(Debug, Clone)]
pub struct ReadLog {
    pub spec: SessionSpec,
    pub orders: Vec<LoggedOrder>,
    pub torn: bool,
    /// The highest answer number given (orders and invalid lines alike); 0 if none.
    pub last_tag: u64,
}

/// Why an order log cannot be read back.
#[derive(Debug, thiserror::Error)]
pub enum LogError {
    #[error("cannot read {}: {source}", path.display())]
    Read { path: PathBuf, source: std::io::Error },
    /// A line that is not a log line (`line` 0: the whole log).
    #[error("{}: {message}", at_line(path, *line))]
    Line { path: PathBuf, line: usize, message: String },
}

fn at_line(path: &Path, line: usize) -> String {
    if line == 0 { path.display().to_string() } else { format!("{}:{line}", path.display()) }
}

/// Reads a log; the error names the file and line. The log is read as bytes: a last
/// line without its newline was cut short by a crash while it was written (and so never
/// acknowledged), wherever the cut fell — inside a UTF-8 character too — and is left out.
pub fn read_log(path: &Path) -> Result<ReadLog, LogError> {
    let bytes = std::fs::read(path).map_err(|source| LogError::Read { path: path.to_path_buf(), source })?;
    parse_log(&bytes).map_err(|(line, message)| LogError::Line { path: path.to_path_buf(), line, message })
}

/// [`read_log`] on bytes; `Err((line, message))`, line 0 for the whole log.
pub fn parse_log(bytes: &[u8]) -> Result<ReadLog, (usize, String)> {
    let mut spec = None;
    let mut orders = Vec::new();
    let mut last_tag = 0;
    let mut rest = bytes;
    let mut n = 0;
    let mut torn = false;
    while !rest.is_empty() {
        n += 1;
        let Some(end) = rest.iter().position(|b| *b == b'\n') else {
            torn = true; // cut short by a crash while it was written: never acknowledged
            break;
        };
        let raw = &rest[..end];
        rest = &rest[end + 1..];
        let text = std::str::from_utf8(raw).map_err(|e| (n, format!("not UTF-8 at byte {}", e.valid_up_to() + 1)))?;
        let line: Line = serde_json::from_str(text.trim_end())
            .map_err(|e| (n, format!("not an order log line: {}", crate::scenario::diag::clip(&e.to_string(), 200))))?;
        match (line, n) {
            (Line::Session(s), 1) => spec = Some(s),
            (Line::Order(o), k) if k > 1 => {
                last_tag = last_tag.max(o.tag);
                orders.push(o);
            }
            (Line::Invalid { tag }, k) if k > 1 => last_tag = last_tag.max(tag),
            _ => return Err((n, "the session line must come first, and only once".into())),
        }
    }
    let spec = spec.ok_or_else(|| (0, "empty order log (no session line)".to_string()))?;
    Ok(ReadLog { spec, orders, torn, last_tag })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> SessionSpec {
        SessionSpec {
            drillsim_version: "0".into(),
            scenario_path: "s.ron".into(),
            scenario_sha256: "ab".into(),
            seed: 3,
            speed: 60.0,
            paused: false,
            auto: Some(AutoSpec { delay_s: 300, seats: Some(vec!["ofc".into()]) }),
        }
    }

    #[test]
    fn log_round_trips_and_drops_a_torn_line() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("orders.log");
        let mut log = OrderLog::create(&p, &spec()).unwrap();
        let o = LoggedOrder {
            tag: 1,
            queued_at: 60,
            t: 120,
            by: "ofc".into(),
            order: OrderKind::Log("x".into()),
            claimed: None,
        };
        log.append(&o).unwrap();
        drop(log);
        let mut f = OpenOptions::new().append(true).open(&p).unwrap();
        f.write_all(b"{\"order\":{\"tag\":2,").unwrap();
        let r = read_log(&p).unwrap();
        assert_eq!(r.spec, spec());
        assert_eq!(r.orders, vec![o.clone()]);
        assert!(r.torn);
        let mut log = OrderLog::reopen(&p).unwrap();
        log.append(&LoggedOrder { tag: 2, ..o.clone() }).unwrap();
        let r = read_log(&p).unwrap();
        assert_eq!(r.orders.len(), 2);
        assert!(!r.torn);
    }

    #[test]
    fn a_line_torn_inside_a_utf8_character_is_left_out() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("orders.log");
        let mut log = OrderLog::create(&p, &spec()).unwrap();
        let o = LoggedOrder {
            tag: 1,
            queued_at: 0,
            t: 0,
            by: "ofc".into(),
            order: OrderKind::Log("水位".into()),
            claimed: None,
        };
        log.append(&o).unwrap();
        log.note_invalid(2).unwrap();
        drop(log);
        let full = serde_json::to_string(&Line::Order(LoggedOrder { tag: 3, ..o.clone() })).unwrap();
        let cut = full.find('位').unwrap() + 1; // one byte into a three-byte character
        let mut f = OpenOptions::new().append(true).open(&p).unwrap();
        f.write_all(&full.as_bytes()[..cut]).unwrap();
        drop(f);
        let r = read_log(&p).unwrap();
        assert!(r.torn);
        assert_eq!(r.orders, vec![o.clone()]);
        assert_eq!(r.last_tag, 2, "the invalid line's number is used up");
        let mut log = OrderLog::reopen(&p).unwrap();
        log.append(&LoggedOrder { tag: 3, ..o }).unwrap();
        let r = read_log(&p).unwrap();
        assert!(!r.torn);
        assert_eq!(r.orders.len(), 2);
        assert_eq!(r.last_tag, 3);
    }

    #[test]
    fn a_bad_line_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("orders.log");
        std::fs::write(&p, "{\"order\":{}}\n").unwrap();
        let e = read_log(&p).unwrap_err().to_string();
        assert!(e.contains("orders.log:1"), "{e}");
    }
}
