//! The subcommands, one file each, and what they share: the error type, printing to
//! stdout, and option parsers.

pub mod axis;
pub mod check;
pub mod explain;
pub mod figure;
pub mod font;
pub mod generate;
pub mod graph;
pub mod options;
pub mod output;
pub mod playground;
pub mod plot_surface;
pub mod plot_weights;
pub mod progress;
pub mod report;
pub mod solve;
pub mod story;
pub mod ticks;
pub mod trace;
pub mod train;

use std::fmt;
use std::io::{self, Write};
use std::process::ExitCode;

/// Why a command failed. Every variant is reported as one line `error: …` on stderr with
/// exit code 2 (input, data and usage errors alike); a closed stdout (`backprop graph |
/// head`) ends quietly with 0.
#[derive(Debug)]
pub enum Error {
    /// A data file that cannot be read, or whose content is wrong (names the file, and the
    /// line and column where they apply).
    Data(table::Error),
    /// From the lecture crate: a diverged run, bad weights.
    Lecture(lecture::Error),
    /// From the network crate, other than a bad setting or data file: the engine's errors.
    Nn(nn::Error),
    /// An option value that does not fit (names the option).
    Option(String),
    /// A plot or output file could not be written (names the path).
    Output(String),
    /// Writing to stdout failed.
    Stdout(io::Error),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Data(e) => e.fmt(f),
            Error::Lecture(e) => e.fmt(f),
            Error::Nn(e) => e.fmt(f),
            Error::Option(msg) | Error::Output(msg) => f.write_str(msg),
            Error::Stdout(e) => write!(f, "cannot write to stdout: {e}"),
        }
    }
}

impl From<lecture::Error> for Error {
    fn from(e: lecture::Error) -> Self {
        match e {
            lecture::Error::Data(e) => Error::Data(e),
            e => Error::Lecture(e),
        }
    }
}

impl From<table::Error> for Error {
    fn from(e: table::Error) -> Self {
        Error::Data(e)
    }
}

/// The process exit: 0 on success, 2 with `error: …` on stderr otherwise.
/// The files the command staged are renamed into place only on success ([`output::commit`]),
/// and removed otherwise.
pub fn exit(result: Result<(), Error>) -> ExitCode {
    let closed_stdout =
        |e: &Error| matches!(e, Error::Stdout(e) if e.kind() == io::ErrorKind::BrokenPipe);
    let result = match result {
        Ok(()) => output::commit().map(drop),
        Err(e) if closed_stdout(&e) => output::commit().and(Err(e)),
        Err(e) => Err(e),
    };
    output::discard();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Error::Stdout(e)) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            let line = e.to_string().replace('\n', " ");
            let _ = writeln!(io::stderr(), "error: {line}");
            ExitCode::from(2)
        }
    }
}

/// Parses the command line. `--help` and `--version` print and exit 0; a usage error
/// prints one line `error: …` (clap's message without its usage block) and exits 2.
pub fn parse_args<P: clap::Parser>() -> P {
    match P::try_parse() {
        Ok(parsed) => parsed,
        Err(e) if !e.use_stderr() => e.exit(),
        Err(e) => {
            let text = e.render().to_string();
            let message: Vec<&str> = text
                .lines()
                .take_while(|l| !l.starts_with("Usage:") && !l.starts_with("For more"))
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .collect();
            let _ = writeln!(io::stderr(), "{}", message.join(" "));
            std::process::exit(2)
        }
    }
}

/// Writes `text` to stdout.
///
/// # Errors
/// [`Error::Stdout`] if stdout is closed or full.
pub fn print(text: &str) -> Result<(), Error> {
    let mut out = io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(Error::Stdout)
}
