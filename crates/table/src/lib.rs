//! Numeric tables from CSV files, read one line at a time, with errors that name the file,
//! the line and the column.
//!
//! A [`Reader`] checks what a data file promises before a number of it is used: a header
//! only when no field of the first row is a number, the same number of fields on every row,
//! every field a finite number, lines no longer than [`MAX_LINE_BYTES`], at least one data
//! row. Its [`Error`] prints as `path: line L, column C (name): message`, with the bad
//! field quoted, escaped and cut short, and tells an unreadable file ([`ErrorKind::Io`])
//! from wrong content ([`ErrorKind::Data`]).
//!
//! ```
//! use table::{Layout, Reader};
//!
//! let text = "in_true,out_true\n2,0.3638\n\n-1.5,NaN\n";
//! let mut rows = Reader::new(text.as_bytes(), "data.csv", Layout::named(&["in_true", "out_true"]));
//! assert_eq!(rows.next_row()?, Some(&[2.0, 0.3638][..]));
//! let e = rows.next_row().unwrap_err();
//! assert_eq!(
//!     e.to_string(),
//!     "data.csv: line 4, column 2 (out_true): 'NaN' is not a finite number"
//! );
//! # Ok::<(), table::Error>(())
//! ```

#![doc(test(attr(deny(warnings))))]

mod error;
mod fields;
pub mod output;
mod reader;
#[cfg(test)]
mod tests;

pub use error::{Error, ErrorKind};
pub use reader::{Layout, Reader, MAX_LINE_BYTES};
