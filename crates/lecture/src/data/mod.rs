//! The course's data files: CSV with header `in_true,out_true` (or two headerless numeric
//! columns), one `(s0, out)` pair per row.
//!
//! Reading streams line by line with a bounded buffer ([`CsvReader`], on the workspace's
//! CSV reader [`table::Reader`]), so a huge file costs memory only for the samples kept, and
//! every problem is reported with the file, the line and the column ([`DataError`]).
//! Writing goes to a temporary file in the same folder, renamed into place only when
//! complete ([`write_file`]). [`Generator`] makes data from known weights with a seeded
//! random input.
//!
//! ```
//! use lecture::data::{parse, Sample};
//!
//! let text = "in_true,out_true\n2,0.3638\n-1.5,0.25\n";
//! let rows: Vec<Sample> = parse(text.as_bytes(), "inline.csv").collect::<Result<_, _>>()?;
//! assert_eq!(rows[1], Sample { s0: -1.5, out: 0.25 });
//!
//! let err = parse("in_true,out_true\n2,abc\n".as_bytes(), "inline.csv").last().unwrap();
//! assert_eq!(
//!     err.unwrap_err().to_string(),
//!     "inline.csv: line 2, column 2 (out_true): invalid number 'abc'"
//! );
//! # Ok::<(), lecture::DataError>(())
//! ```

mod generate;
mod read;
mod write;

pub use generate::Generator;
pub use read::{open, parse, read_file, CsvReader, MAX_LINE_BYTES};
pub use write::write_file;

/// One row of a data file: the input `s0` (`in_true`) and the output `out` (`out_true`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Sample {
    /// The input, column `in_true`.
    pub s0: f64,
    /// The output the network should produce, column `out_true`.
    pub out: f64,
}

/// A problem with a data file, naming the file and, where it applies, the line and column;
/// [`table::Error`], whose `kind` tells an unreadable file from wrong content.
pub use table::Error as DataError;
