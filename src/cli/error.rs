//! The command line's one error type: every subcommand returns `Result<(), Error>`;
//! [`exit_code`] is the only place that turns an error into the process's exit code, and
//! [`report`] the only place that prints one.
//!
//! Exit codes (README "Exit codes"): 0 success; 1 a run failed (the system could not write a
//! record, a tool would not run) or a check found a difference; 2 bad input, with nothing run,
//! created or changed.

use std::process::ExitCode;

use crate::exercise::durable::LogError;
use crate::journal::JournalError;
use crate::outdir::OutError;
use crate::replay::ReplayError;
use crate::replay::course::CourseError;
use crate::scenario::LoadError;
use crate::sweep::SweepError;

/// What a subcommand failed with.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A bad argument or input the person can fix; nothing was run or changed (exit 2).
    #[error("{0}")]
    Input(String),
    /// Several bad inputs at once (a `--seats` file's problems), one message each (exit 2).
    #[error("{}", .0.join("; "))]
    Inputs(Vec<String>),
    /// A check found a difference: a score, a re-run, a resumed journal (exit 1).
    #[error("{0}")]
    Check(String),
    /// The system could not do what was asked: a write, a tool that would not run (exit 1).
    #[error("{0}")]
    Failed(String),
    /// A scenario or order file that cannot be read or has problems (each at file:line:col).
    #[error(transparent)]
    Load(#[from] LoadError),
    #[error(transparent)]
    Out(#[from] OutError),
    #[error(transparent)]
    Replay(#[from] ReplayError),
    #[error(transparent)]
    Log(#[from] LogError),
    #[error(transparent)]
    Journal(#[from] JournalError),
    #[error(transparent)]
    Sweep(#[from] SweepError),
    #[error(transparent)]
    Course(#[from] CourseError),
    #[cfg(feature = "serve")]
    #[error(transparent)]
    Serve(#[from] crate::serve::ServeError),
    /// Files with problems, each shown as it was checked (`validate` goes through them all).
    #[error("{0} file(s) with problems")]
    Shown(usize),
}

/// The kind of a failure, which decides the exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Bad input: exit 2.
    Input,
    /// A run failed or a check found a difference: exit 1.
    Failed,
}

impl Error {
    /// Whether the person's input is at fault (exit 2) or the run failed (exit 1). Every variant
    /// is named, so that a new one must be given its kind here.
    pub fn kind(&self) -> Kind {
        use Kind::*;
        match self {
            Error::Input(_)
            | Error::Inputs(_)
            | Error::Load(_)
            | Error::Log(_)
            | Error::Course(_)
            | Error::Shown(_) => Input,
            Error::Check(_) | Error::Failed(_) => Failed,
            Error::Out(e) => match e {
                OutError::Io { .. } => Failed,
                OutError::NotAFolder(_)
                | OutError::Busy { .. }
                | OutError::UnfinishedSession { .. }
                | OutError::FinishedSession { .. } => Input,
            },
            Error::Replay(e) => match e {
                ReplayError::PausedWithOrders { .. } | ReplayError::Write { .. } => Failed,
                ReplayError::Read { .. }
                | ReplayError::NotRecord { .. }
                | ReplayError::EmptyJournal { .. }
                | ReplayError::FirstEntry { .. }
                | ReplayError::NotRunStarted { .. }
                | ReplayError::Problems { .. }
                | ReplayError::Missing { .. }
                | ReplayError::Changed { .. }
                | ReplayError::ForkOrders(_)
                | ReplayError::ForkOrdersChanged { .. }
                | ReplayError::Log(_) => Input,
            },
            Error::Journal(e) => match e {
                JournalError::Write(_) => Failed,
                JournalError::Read { .. } | JournalError::Entry { .. } => Input,
            },
            Error::Sweep(e) => match e {
                SweepError::Run { .. }
                | SweepError::NotRun(_)
                | SweepError::Create { .. }
                | SweepError::Write { .. } => Failed,
                SweepError::Read { .. }
                | SweepError::ReadCsv { .. }
                | SweepError::Csv { .. }
                | SweepError::Manifest { .. }
                | SweepError::Header { .. }
                | SweepError::NotWhole { .. }
                | SweepError::NotNumber { .. }
                | SweepError::Shard { .. }
                | SweepError::Columns { .. }
                | SweepError::Seeds { .. }
                | SweepError::Parameters { .. }
                | SweepError::RunSeed { .. }
                | SweepError::Drawn { .. } => Input,
            },
            #[cfg(feature = "serve")]
            Error::Serve(_) => Failed,
        }
    }
}

/// The process's exit code for an error: the only place that decides one.
pub fn exit_code(e: &Error) -> ExitCode {
    match e.kind() {
        Kind::Input => ExitCode::from(2),
        Kind::Failed => ExitCode::from(1),
    }
}

/// Prints an error on standard error: the only place that does. Problems in a scenario or an
/// order file are shown with their snippets (miette), each at file:line:col.
pub fn report(e: &Error) {
    match e {
        Error::Load(LoadError::Invalid(p)) => {
            eprint!("{}", p.render(super::use_color()));
            eprintln!("{}: {} problem(s); nothing was run", p.file.path.display(), p.problems.len());
        }
        Error::Inputs(all) => all.iter().for_each(|m| eprintln!("error: {m}")),
        Error::Shown(_) => {}
        e => eprintln!("error: {e}"),
    }
}

/// `validate`'s report of one file as it is checked (it goes on to the next): the problems with
/// snippets, or one line each with `short`.
pub fn report_file(e: &LoadError, short: bool) {
    match e {
        LoadError::Invalid(p) => {
            if short {
                eprint!("{}", p.short());
            } else {
                eprint!("{}", p.render(super::use_color()));
            }
            eprintln!("{}: {} problem(s)", p.file.path.display(), p.problems.len());
        }
        e @ LoadError::Io { .. } => eprintln!("error: {e}"),
    }
}

/// Ends a subcommand: success, or the error printed and its exit code.
pub fn finish(done: Result<(), Error>) -> ExitCode {
    match done {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            report(&e);
            exit_code(&e)
        }
    }
}

/// A bad argument or input (exit 2).
pub fn input<T>(msg: impl Into<String>) -> Result<T, Error> {
    Err(Error::Input(msg.into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn input_faults_exit_2_and_failed_runs_exit_1() {
        let io = || std::io::Error::other("disk full");
        assert_eq!(Error::Input("--threads 0".into()).kind(), Kind::Input);
        assert_eq!(Error::Out(OutError::NotAFolder("f".into())).kind(), Kind::Input);
        assert_eq!(Error::Out(OutError::Busy { dir: "d".into(), pid: "1".into() }).kind(), Kind::Input);
        assert_eq!(Error::Out(OutError::Io { path: "d".into(), source: io() }).kind(), Kind::Failed);
        assert_eq!(Error::Journal(JournalError::Write("disk full".into())).kind(), Kind::Failed);
        assert_eq!(Error::Journal(JournalError::Read { path: "j".into(), source: io() }).kind(), Kind::Input);
        assert_eq!(Error::Replay(ReplayError::Write { path: "j".into(), source: io() }).kind(), Kind::Failed);
        assert_eq!(Error::Replay(ReplayError::EmptyJournal { path: "j".into() }).kind(), Kind::Input);
        assert_eq!(Error::Sweep(SweepError::NotRun(3)).kind(), Kind::Failed);
        assert_eq!(Error::Sweep(SweepError::Header { path: "runs.csv".into() }).kind(), Kind::Input);
        assert_eq!(Error::Check("differs".into()).kind(), Kind::Failed);
        assert_eq!(Error::Shown(2).kind(), Kind::Input);
    }
}
