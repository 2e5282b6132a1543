//! Output folders: one drillsim at a time per folder (an OS file lock), a live session's records
//! never written over by accident, stale outputs removed when a folder is reused, and records
//! written atomically (temporary file, fsync, rename, fsync of the folder), so a crash or a power
//! cut leaves either the old file or the new one, never half of one.
//!
//! Every command that writes a run folder (`run`, `live`, `resume`, `play`, `fork`, `sweep`, and
//! a network server) takes it first with [`claim`] (a new run: checks and cleans the folder) or
//! [`lock`] (carry on what is there); the lock lasts as long as the returned [`OutLock`] and goes
//! with the process, whatever way it ends (`kill -9` included), because the OS holds it.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

/// The lock file in an output folder (it holds the id of the process that has the folder).
pub const LOCK_FILE: &str = ".drillsim.lock";

/// The copy of the scenario a run used, kept in its folder (`report`/`replay` read it by default).
pub const SCENARIO_COPY: &str = "scenario.ron";
/// The copy of the order file a run used, kept in its folder.
pub const ORDERS_COPY: &str = "orders-given.ron";

/// Every record a drillsim command writes into a run folder; a new run in a reused folder
/// removes them first, so no record of an earlier run (an old report) stays beside the new one.
pub const RECORDS: &[&str] = &[
    "journal.jsonl",
    "journal.jsonl.tmp",
    "summary.json",
    "score.json",
    "run.json",
    "orders.log",
    "orders.ron",
    "fork.json",
    "report.md",
    "report.html",
    "report.json",
    "report.zh.md",
    "report.zh.html",
    "report.zh.pdf",
    "report.en.md",
    "report.en.html",
    "report.en.pdf",
    "seats.json",
    SCENARIO_COPY,
    ORDERS_COPY,
];

/// An output folder held by this process. Dropping it lets another drillsim in.
#[derive(Debug)]
pub struct OutLock {
    _file: File,
    pub dir: PathBuf,
}

/// Why a folder cannot be written.
#[derive(Debug, thiserror::Error)]
pub enum OutError {
    #[error("{0} is a file, not a folder: name a folder for the output (it is created if needed)")]
    NotAFolder(PathBuf),
    #[error(
        "{} is in use by another drillsim (process {pid}): wait until it ends, or choose another folder",
        dir.display()
    )]
    Busy { dir: PathBuf, pid: String },
    #[error(
        "{} holds a live session that did not end (orders.log): carry it on with `drillsim resume {}`, \
         or add --force to discard it, or choose another folder",
        dir.display(), dir.display()
    )]
    UnfinishedSession { dir: PathBuf },
    #[error(
        "{} holds the records of a live exercise (orders.log, journal.jsonl): add --force to replace them, \
         or choose another folder",
        dir.display()
    )]
    FinishedSession { dir: PathBuf },
    #[error("cannot write {}: {source}", path.display())]
    Io { path: PathBuf, source: std::io::Error },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> OutError + '_ {
    move |source| OutError::Io { path: path.to_path_buf(), source }
}

/// Checks that `dir` can be a folder (not an existing file), without creating anything.
pub fn check_path(dir: &Path) -> Result<(), OutError> {
    if dir.exists() && !dir.is_dir() {
        return Err(OutError::NotAFolder(dir.to_path_buf()));
    }
    Ok(())
}

/// Takes `dir` (created if needed) for this process: refused while another drillsim holds it.
pub fn lock(dir: &Path) -> Result<OutLock, OutError> {
    check_path(dir)?;
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let path = dir.join(LOCK_FILE);
    let mut file =
        OpenOptions::new().read(true).write(true).create(true).truncate(false).open(&path).map_err(io(&path))?;
    match file.try_lock() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => {
            let mut pid = String::new();
            let _ = file.read_to_string(&mut pid);
            let pid = if pid.trim().is_empty() { "unknown".to_string() } else { pid.trim().to_string() };
            return Err(OutError::Busy { dir: dir.to_path_buf(), pid });
        }
        Err(TryLockError::Error(e)) => return Err(OutError::Io { path, source: e }),
    }
    let _ = file.set_len(0);
    let _ = file.rewind();
    let _ = write!(file, "{}", std::process::id());
    Ok(OutLock { _file: file, dir: dir.to_path_buf() })
}

/// What a folder holds of a live session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Session {
    None,
    /// orders.log without a journal ending in `run_ended` (a crash, or still running).
    Unfinished,
    Finished,
}

/// Whether `dir` holds a live session's records, and whether it ended.
pub fn session_in(dir: &Path) -> Session {
    if !dir.join("orders.log").exists() {
        return Session::None;
    }
    if journal_ended(dir) { Session::Finished } else { Session::Unfinished }
}

/// Whether the journal in `dir` ends with `run_ended`.
pub fn journal_ended(dir: &Path) -> bool {
    std::fs::read(dir.join("journal.jsonl"))
        .ok()
        .and_then(|b| {
            let t = b.strip_suffix(b"\n")?;
            let last = t.rsplit(|c| *c == b'\n').next()?;
            let needle: &[u8] = b"\"kind\":\"run_ended\"";
            Some(last.windows(needle.len()).any(|w| w == needle))
        })
        .unwrap_or(false)
}

/// Takes `dir` for a new run: locks it, refuses to write over a live session's records unless
/// `force`, and removes the records of an earlier run (files named in [`RECORDS`]; nothing else).
pub fn claim(dir: &Path, force: bool) -> Result<OutLock, OutError> {
    let lock = lock(dir)?;
    match session_in(dir) {
        Session::Unfinished if !force => return Err(OutError::UnfinishedSession { dir: dir.to_path_buf() }),
        Session::Finished if !force => return Err(OutError::FinishedSession { dir: dir.to_path_buf() }),
        _ => {}
    }
    for name in RECORDS {
        let p = dir.join(name);
        match std::fs::remove_file(&p) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(OutError::Io { path: p, source: e }),
        }
    }
    sync_dir(dir);
    Ok(lock)
}

/// Makes a folder's entries (files created, renamed or removed in it) durable. Best effort: not
/// every platform lets a folder be opened and synced.
pub fn sync_dir(dir: &Path) {
    let dir = if dir.as_os_str().is_empty() { Path::new(".") } else { dir };
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

/// Writes a whole file atomically and durably: a temporary file beside it, fsynced, renamed over
/// `path`, then the folder fsynced. After a crash `path` is the old file or the new one.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.tmp"));
    {
        let mut f = File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
    }
    if let Err(e) = std::fs::rename(&tmp, path) {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    sync_dir(path.parent().unwrap_or(Path::new(".")));
    Ok(())
}

/// [`write_atomic`] with an error naming the file ([`OutError::Io`]).
pub fn write_record(dir: &Path, name: &str, bytes: impl AsRef<[u8]>) -> Result<(), OutError> {
    let p = dir.join(name);
    write_atomic(&p, bytes.as_ref()).map_err(|source| OutError::Io { path: p, source })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_on_a_folder_is_refused_until_the_first_is_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let first = lock(&out).unwrap();
        match lock(&out) {
            Err(OutError::Busy { pid, .. }) => assert_eq!(pid, std::process::id().to_string()),
            other => panic!("expected Busy, got {other:?}"),
        }
        drop(first);
        lock(&out).unwrap();
    }

    #[test]
    fn claim_protects_a_live_session_and_removes_stale_records() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path();
        std::fs::write(out.join("orders.log"), "{}\n").unwrap();
        std::fs::write(out.join("journal.jsonl"), "{\"event\":{\"kind\":\"run_started\"}}\n").unwrap();
        assert_eq!(session_in(out), Session::Unfinished);
        assert!(matches!(claim(out, false), Err(OutError::UnfinishedSession { .. })));
        std::fs::write(out.join("journal.jsonl"), "{\"seq\":9,\"event\":{\"kind\":\"run_ended\",\"steps\":3}}\n")
            .unwrap();
        assert_eq!(session_in(out), Session::Finished);
        assert!(matches!(claim(out, false), Err(OutError::FinishedSession { .. })));
        std::fs::write(out.join("report.md"), "old").unwrap();
        std::fs::write(out.join("notes.txt"), "mine").unwrap();
        let l = claim(out, true).unwrap();
        assert!(!out.join("report.md").exists() && !out.join("orders.log").exists());
        assert!(out.join("notes.txt").exists(), "only drillsim's own records are removed");
        drop(l);
        // a plain run folder is simply reused
        std::fs::write(out.join("journal.jsonl"), "x\n").unwrap();
        claim(out, false).unwrap();
        assert!(!out.join("journal.jsonl").exists());
    }

    #[test]
    fn a_file_is_not_a_folder() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("f");
        std::fs::write(&f, "").unwrap();
        assert!(matches!(lock(&f), Err(OutError::NotAFolder(_))));
    }

    #[test]
    fn atomic_writes_replace_whole_files_and_leave_no_temporary() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("summary.json");
        write_atomic(&p, b"one").unwrap();
        write_atomic(&p, b"two").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"two");
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names.len(), 1, "{names:?}");
    }
}
