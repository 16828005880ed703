//! The crate's error type: bad settings, bad data files, and engine errors.

use std::fmt;

/// Everything that can go wrong building or training a network, each variant naming what
/// it concerns.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Error {
    /// A setting is out of range or unknown. The message names the setting in words and
    /// the offending value ("the learning rate must be finite and > 0, got -1").
    InvalidSetting {
        /// The setting, as this crate's functions call it: `lr`, `lr_end`, `momentum`,
        /// `steps`, `optimizer`, `batch`, `layers`, `activation`, `loss`, `regularization`,
        /// `reg_rate`, `problem`, `samples`, `noise`, `features`, `test_ratio`, `label`. A
        /// program maps it to its own option names.
        setting: &'static str,
        /// What was wrong, including the offending value.
        message: String,
    },
    /// A data file could not be read ([`table::ErrorKind::Io`]) or its content is wrong
    /// ([`table::ErrorKind::Data`]); names the file, and the line and column where they
    /// apply.
    Data(table::Error),
    /// The autodiff engine reported an error.
    Engine(autodiff::Error),
}

/// `Result` with the crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// An [`Error::InvalidSetting`] for `setting` with a message.
    pub fn invalid(setting: &'static str, message: impl Into<String>) -> Self {
        Error::InvalidSetting {
            setting,
            message: message.into(),
        }
    }

    /// The setting an [`Error::InvalidSetting`] is about (`lr`, `layers`, …); `None` for
    /// other errors.
    pub fn setting(&self) -> Option<&'static str> {
        match self {
            Error::InvalidSetting { setting, .. } => Some(setting),
            _ => None,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InvalidSetting { message, .. } => f.write_str(message),
            Error::Data(e) => e.fmt(f),
            Error::Engine(e) => write!(f, "autodiff: {e}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Data(e) => Some(e),
            Error::Engine(e) => Some(e),
            Error::InvalidSetting { .. } => None,
        }
    }
}

impl From<autodiff::Error> for Error {
    fn from(e: autodiff::Error) -> Self {
        Error::Engine(e)
    }
}

impl From<table::Error> for Error {
    fn from(e: table::Error) -> Self {
        Error::Data(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_setting_message_speaks_of_the_setting_not_an_option() {
        let e = Error::invalid("lr", "the learning rate must be finite and > 0, got -1");
        assert_eq!(
            e.to_string(),
            "the learning rate must be finite and > 0, got -1"
        );
        assert_eq!(e.setting(), Some("lr"));
    }

    #[test]
    fn data_error_names_file_line_and_column() {
        let e = Error::from(
            table::Error::data("d.csv", "invalid number 'abc'")
                .at_line(3)
                .in_column(2, "y"),
        );
        assert_eq!(
            e.to_string(),
            "d.csv: line 3, column 2 (y): invalid number 'abc'"
        );
    }
}
