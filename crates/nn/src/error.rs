//! The crate's error type: bad hyper-parameters, bad data files, and engine errors.

use std::fmt;

/// Everything that can go wrong building or training a network, each variant naming what
/// it concerns.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Error {
    /// A hyper-parameter is out of range or unknown. `option` is its command-line name
    /// without dashes (`lr`, `layers`, `test-ratio`, …).
    InvalidOption {
        /// The option's name, as on the command line (`lr`, `layers`, …).
        option: &'static str,
        /// What was wrong, including the offending value.
        message: String,
    },
    /// A data file could not be read at all.
    Io {
        /// The file.
        path: String,
        /// The operating system's message.
        message: String,
    },
    /// A data file was read, but its content is wrong at a known place.
    Data {
        /// The file.
        path: String,
        /// 1-based line number (0 when the problem concerns the whole file).
        line: u64,
        /// 1-based column number and the column's header name, when known.
        column: Option<(usize, String)>,
        /// What was wrong.
        message: String,
    },
    /// The autodiff engine reported an error.
    Engine(autodiff::Error),
}

/// `Result` with the crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// An [`Error::InvalidOption`] for `option` with a message.
    pub fn invalid(option: &'static str, message: impl Into<String>) -> Self {
        Error::InvalidOption {
            option,
            message: message.into(),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InvalidOption { option, message } => write!(f, "invalid --{option}: {message}"),
            Error::Io { path, message } => write!(f, "{path}: cannot read: {message}"),
            Error::Data {
                path,
                line,
                column,
                message,
            } => {
                write!(f, "{path}")?;
                if *line > 0 {
                    write!(f, ": line {line}")?;
                }
                if let Some((number, name)) = column {
                    write!(f, ", column {number} ({name})")?;
                }
                write!(f, ": {message}")
            }
            Error::Engine(e) => write!(f, "autodiff: {e}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Engine(e) => Some(e),
            _ => None,
        }
    }
}

impl From<autodiff::Error> for Error {
    fn from(e: autodiff::Error) -> Self {
        Error::Engine(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_option_message_names_the_option_with_dashes() {
        let e = Error::invalid("lr", "must be > 0, got -1");
        assert_eq!(e.to_string(), "invalid --lr: must be > 0, got -1");
    }

    #[test]
    fn data_error_names_file_line_and_column() {
        let e = Error::Data {
            path: "d.csv".into(),
            line: 3,
            column: Some((2, "y".into())),
            message: "invalid number 'abc'".into(),
        };
        assert_eq!(
            e.to_string(),
            "d.csv: line 3, column 2 (y): invalid number 'abc'"
        );
    }
}
