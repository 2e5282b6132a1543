//! The `drillsim` binary: a thin shell over the library (see `drillsim::cli`).

use std::process::ExitCode;

fn main() -> ExitCode {
    // Rust ignores SIGPIPE, so printing into a closed pipe (`drillsim score … | head`) would
    // panic; the default action ends the process quietly instead, as for any Unix filter.
    #[cfg(unix)]
    // SAFETY: setting a signal's disposition to SIG_DFL at start-up, before any thread exists.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    drillsim::cli::main()
}
