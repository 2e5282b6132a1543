//! The `drillsim` binary: a thin shell over the library (see `drillsim::cli`).

use std::process::ExitCode;

fn main() -> ExitCode {
    drillsim::cli::main()
}
