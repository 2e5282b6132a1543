//! The durable order log of a live exercise (`OUT/orders.log`): what is needed to rebuild the
//! session after a crash. The first line names the session (scenario and SHA-256, seed, speed,
//! paused start, automatic plan-follower); then one line per order a person gave, with the
//! simulated time it was queued at and the time it takes effect. Each line is written and
//! fsynced before the order can be decided, so every answered order is on disk
//! (`drillsim resume` rebuilds the session from it).

use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::Path;

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
}

/// The open log, appended to and fsynced line by line.
#[derive(Debug)]
pub struct OrderLog {
    file: File,
}

fn sync_dir(path: &Path) {
    // Make the file's directory entry durable too (best effort: not every platform allows it).
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
        && let Ok(d) = File::open(dir)
    {
        let _ = d.sync_all();
    }
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
        self.write_line(&Line::Order(o.clone()))
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
}

/// Reads a log; `Err` is a message naming the file and line.
pub fn read_log(path: &Path) -> Result<ReadLog, String> {
    let f = File::open(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let mut r = BufReader::new(f);
    let mut spec = None;
    let mut orders = Vec::new();
    let mut torn = false;
    let mut buf = String::new();
    let mut n = 0;
    loop {
        buf.clear();
        let got = r.read_line(&mut buf).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        if got == 0 {
            break;
        }
        n += 1;
        if !buf.ends_with('\n') {
            torn = true; // cut short by a crash while it was written: never acknowledged
            break;
        }
        let line: Line = serde_json::from_str(buf.trim_end())
            .map_err(|e| format!("{}:{n}: not an order log line: {e}", path.display()))?;
        match (line, n) {
            (Line::Session(s), 1) => spec = Some(s),
            (Line::Order(o), k) if k > 1 => orders.push(o),
            _ => return Err(format!("{}:{n}: the session line must come first, and only once", path.display())),
        }
    }
    let spec = spec.ok_or_else(|| format!("{}: empty order log (no session line)", path.display()))?;
    Ok(ReadLog { spec, orders, torn })
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
    fn a_bad_line_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("orders.log");
        std::fs::write(&p, "{\"order\":{}}\n").unwrap();
        let e = read_log(&p).unwrap_err();
        assert!(e.contains("orders.log:1"), "{e}");
    }
}
