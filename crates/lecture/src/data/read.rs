//! The course's CSV files as a stream of samples, on the workspace's CSV reader.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;

use table::{Layout, Reader};

use super::{DataError, Sample};

pub use table::MAX_LINE_BYTES;

/// The columns of a data file, and their names when the file has no header.
const COLUMNS: [&str; 2] = ["in_true", "out_true"];

/// An iterator over the samples of a CSV file, read one line at a time.
///
/// The first non-blank line is a header if none of its fields is a number (any two names
/// are accepted; the course uses `in_true,out_true`), and data otherwise. Blank lines are
/// skipped and counted, a UTF-8 byte-order mark and `\r\n` line ends are accepted, fields
/// may be surrounded by spaces or double quotes. Rejected, each with its line and column: a
/// row without exactly two fields (with a hint when another delimiter is used), an empty or
/// non-numeric field, a non-finite number (`NaN`, `inf`, or `1e400`, which overflows),
/// invalid UTF-8, a line longer than [`MAX_LINE_BYTES`]; and a file with no data rows. See
/// [`table::Reader`] for the whole contract.
///
/// After the first error the iterator ends.
///
/// # Complexity
/// O(file size) time; O([`MAX_LINE_BYTES`]) memory at most.
#[derive(Debug)]
pub struct CsvReader<R> {
    table: Reader<R>,
    done: bool,
}

/// Opens `path` for reading.
///
/// # Errors
/// A [`DataError`] naming the file if it cannot be opened (missing, a directory, no
/// permission).
pub fn open(path: &Path) -> Result<CsvReader<BufReader<File>>, DataError> {
    let table = Reader::open(path, Layout::named(&COLUMNS))?;
    Ok(CsvReader { table, done: false })
}

/// Reads every sample of `path` into memory.
///
/// # Errors
/// The first problem found, as a [`DataError`] naming the file, line and column.
pub fn read_file(path: &Path) -> Result<Vec<Sample>, DataError> {
    open(path)?.collect()
}

/// Reads samples from any buffered reader; `name` stands for the file in error messages.
pub fn parse<R: BufRead>(reader: R, name: &str) -> CsvReader<R> {
    CsvReader {
        table: Reader::new(reader, name, Layout::named(&COLUMNS)),
        done: false,
    }
}

impl<R: BufRead> Iterator for CsvReader<R> {
    type Item = Result<Sample, DataError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let item = match self.table.next_row() {
            Ok(Some(&[s0, out])) => Some(Ok(Sample { s0, out })),
            Ok(Some(_)) => unreachable!("lecture internal error: the layout has two columns"),
            Ok(None) => None,
            Err(e) => Some(Err(e)),
        };
        self.done = !matches!(item, Some(Ok(_)));
        item
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn first_error(text: &[u8]) -> String {
        let result: Result<Vec<Sample>, DataError> = parse(text, "d.csv").collect();
        result.unwrap_err().to_string()
    }

    fn samples(text: &[u8]) -> Vec<Sample> {
        parse(text, "d.csv").collect::<Result<_, _>>().unwrap()
    }

    #[test]
    fn reads_header_and_headerless_files_alike() {
        let with = samples(b"in_true,out_true\n1,2\n3,4\n");
        let without = samples(b"1,2\r\n3,4");
        assert_eq!(with, without);
        assert_eq!(with[1], Sample { s0: 3.0, out: 4.0 });
    }

    #[test]
    fn accepts_bom_blank_lines_spaces_and_quotes() {
        let s = samples(b"\xEF\xBB\xBFin_true,out_true\n\n \"1.5\" , 2e-3 \n\n");
        assert_eq!(s, vec![Sample { s0: 1.5, out: 2e-3 }]);
    }

    #[test]
    fn bad_numbers_name_line_and_column() {
        let e = first_error(b"x,y\n1,2\nabc,4\n");
        assert_eq!(e, "d.csv: line 3, column 1 (x): invalid number 'abc'");
        let e = first_error(b"x,y\n1,2\n,4\n");
        assert_eq!(e, "d.csv: line 3, column 1 (x): empty field");
    }

    #[test]
    fn line_numbers_are_exact_after_blank_lines() {
        let e = first_error(b"in_true,out_true\n\n\n1,2\n\r\n  \n3,x\n");
        assert_eq!(e, "d.csv: line 7, column 2 (out_true): invalid number 'x'");
    }

    #[test]
    fn non_finite_values_are_rejected() {
        for (field, what) in [
            ("NaN", "not a finite number"),
            ("nan", "not a finite number"),
            ("inf", "not a finite number"),
            ("-Infinity", "not a finite number"),
            ("1e400", "out of range"),
        ] {
            let e = first_error(format!("1,2\n3,{field}\n").as_bytes());
            assert!(
                e.starts_with("d.csv: line 2, column 2 (out_true): '"),
                "{e}"
            );
            assert!(e.contains(what), "{e}");
        }
    }

    #[test]
    fn ragged_rows_and_wrong_delimiters_are_rejected() {
        assert_eq!(
            first_error(b"1,2\n3\n"),
            "d.csv: line 2: expected 2 fields, found 1"
        );
        assert_eq!(
            first_error(b"1,2\n3,4,5\n"),
            "d.csv: line 2: expected 2 fields, found 3"
        );
        let e = first_error(b"in_true;out_true\n1;2\n");
        assert!(e.starts_with("d.csv: line 1: expected 2 fields (in_true,out_true), found 1"));
        assert!(e.contains("wrong delimiter? the line uses ';'"), "{e}");
        let e = first_error(b"1;2\n");
        assert!(
            e.contains("line 1: expected 2 fields (in_true,out_true), found 1 (wrong delimiter?")
        );
    }

    #[test]
    fn empty_and_header_only_files_are_rejected() {
        assert_eq!(
            first_error(b""),
            "d.csv: empty file: no header and no data rows"
        );
        assert_eq!(first_error(b"\n \n"), first_error(b""));
        assert_eq!(
            first_error(b"in_true,out_true\n"),
            "d.csv: no data rows after the header on line 1"
        );
    }

    #[test]
    fn invalid_utf8_names_line_and_column() {
        let e = first_error(b"1,2\n3,\xff\xfe\n");
        assert_eq!(
            e,
            "d.csv: line 2, column 2 (out_true): invalid UTF-8 '\\xff\\xfe'"
        );
    }

    #[test]
    fn overlong_line_is_rejected_without_reading_it_whole() {
        let mut text = b"1,".to_vec();
        text.extend(std::iter::repeat_n(b'1', MAX_LINE_BYTES * 3));
        let e = first_error(&text);
        assert_eq!(
            e,
            format!("d.csv: line 1: line is longer than {MAX_LINE_BYTES} bytes")
        );
    }

    #[test]
    fn a_line_of_many_fields_is_counted_not_split() {
        let mut text = b"1,2\n".to_vec();
        text.extend(std::iter::repeat_n(b',', 500_000));
        let e = first_error(&text);
        assert_eq!(e, "d.csv: line 2: expected 2 fields, found 500001");
    }

    #[test]
    fn iterator_stops_after_the_first_error() {
        let mut it = parse(&b"1,2\nx,3\n4,5\n"[..], "d.csv");
        assert!(it.next().unwrap().is_ok());
        assert!(it.next().unwrap().is_err());
        assert!(it.next().is_none());
    }
}
