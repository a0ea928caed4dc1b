use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = archpat::cli::Cli::parse();
    match archpat::cli::run(&cli) {
        Ok(outcome) => {
            if std::io::stdout().write_all(&outcome.stdout).is_err() {
                return ExitCode::from(archpat::error::EXIT_ENVIRONMENT as u8);
            }
            if let Some(note) = outcome.note {
                eprintln!("{note}");
            }
            match outcome.failure {
                Some(error) => fail(&error),
                None => ExitCode::SUCCESS,
            }
        }
        Err(error) => fail(&error),
    }
}

/// Prints an error with its causes and picks its exit code.
fn fail(error: &archpat::error::Error) -> ExitCode {
    let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let prefix = if color {
        "\x1b[1;31merror\x1b[0m"
    } else {
        "error"
    };
    eprintln!("{prefix}: {error}");
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        eprintln!("  caused by: {cause}");
        source = cause.source();
    }
    ExitCode::from(error.exit_code() as u8)
}
