//! The crate's error: a file, and where in it, and what is wrong.

use std::fmt;

/// Whether the file could not be read at all, or was read and is wrong somewhere.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The file could not be opened, read or written (missing, a folder, no permission, a
    /// full disk): the operating system's message.
    Io,
    /// The file was read, but its content is wrong: a bad field, a ragged row, no data.
    Data,
}

/// A problem with a data file, naming the file and, where it applies, the line and column.
///
/// Prints as `path: line L, column C (name): message`, leaving out what does not apply.
///
/// # Examples
/// ```
/// let e = table::Error::data("d.csv", "invalid number 'abc'")
///     .at_line(3)
///     .in_column(1, "x");
/// assert_eq!(e.to_string(), "d.csv: line 3, column 1 (x): invalid number 'abc'");
/// assert_eq!(e.kind, table::ErrorKind::Data);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Error {
    /// The file, as given.
    pub path: String,
    /// 1-based line number, if the problem is on a line.
    pub line: Option<usize>,
    /// 1-based column number and the column's name, if the problem is in a field.
    pub column: Option<(usize, String)>,
    /// What is wrong.
    pub message: String,
    /// Unreadable file, or wrong content.
    pub kind: ErrorKind,
}

impl Error {
    /// An [`ErrorKind::Io`] error about the whole file.
    pub fn io(path: impl Into<String>, message: impl Into<String>) -> Self {
        Error {
            path: path.into(),
            line: None,
            column: None,
            message: message.into(),
            kind: ErrorKind::Io,
        }
    }

    /// An [`ErrorKind::Data`] error about the whole file.
    pub fn data(path: impl Into<String>, message: impl Into<String>) -> Self {
        Error {
            kind: ErrorKind::Data,
            ..Error::io(path, message)
        }
    }

    /// The same error, on 1-based line `line`.
    #[must_use]
    pub fn at_line(mut self, line: usize) -> Self {
        self.line = Some(line);
        self
    }

    /// The same error, in 1-based column `number` named `name`.
    #[must_use]
    pub fn in_column(mut self, number: usize, name: &str) -> Self {
        self.column = Some((number, name.to_string()));
        self
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path)?;
        if let Some(line) = self.line {
            write!(f, ": line {line}")?;
        }
        if let Some((number, name)) = &self.column {
            write!(f, ", column {number} ({name})")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for Error {}
