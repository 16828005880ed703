//! Streaming CSV reader with file:line:column errors.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use super::{DataError, Sample};

/// The longest line the reader accepts (1 MiB): a file without line breaks cannot make it
/// buffer more than this.
pub const MAX_LINE_BYTES: usize = 1 << 20;

const DEFAULT_NAMES: [&str; 2] = ["in_true", "out_true"];

/// An iterator over the samples of a CSV file, read one line at a time.
///
/// The first non-blank line is a header if none of its fields is a number (any two names
/// are accepted; the course uses `in_true,out_true`), and data otherwise. Blank lines are
/// skipped, a UTF-8 byte-order mark and `\r\n` line ends are accepted, fields may be
/// surrounded by spaces or double quotes. Rejected, each with its line and column: a row
/// without exactly two fields (with a hint when another delimiter is used), an empty or
/// non-numeric field, a non-finite number (`NaN`, `inf`, or `1e400`, which overflows),
/// invalid UTF-8, a line longer than [`MAX_LINE_BYTES`]; and a file with no data rows.
///
/// After the first error the iterator ends.
///
/// # Complexity
/// O(file size) time; O([`MAX_LINE_BYTES`]) memory at most.
pub struct CsvReader<R> {
    reader: R,
    path: String,
    line: usize,
    buf: Vec<u8>,
    names: Option<[String; 2]>,
    header_line: Option<usize>,
    rows: usize,
    done: bool,
}

/// Opens `path` for reading.
///
/// # Errors
/// A [`DataError`] naming the file if it cannot be opened (missing, a directory, no
/// permission).
pub fn open(path: &Path) -> Result<CsvReader<BufReader<File>>, DataError> {
    let name = path.display().to_string();
    let file = File::open(path).map_err(|e| DataError::file(&name, format!("cannot read: {e}")))?;
    if file.metadata().map(|m| m.is_dir()).unwrap_or(false) {
        return Err(DataError::file(&name, "cannot read: is a directory"));
    }
    Ok(parse(BufReader::with_capacity(1 << 16, file), &name))
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
        reader,
        path: name.to_string(),
        line: 0,
        buf: Vec::new(),
        names: None,
        header_line: None,
        rows: 0,
        done: false,
    }
}

impl<R: BufRead> Iterator for CsvReader<R> {
    type Item = Result<Sample, DataError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let item = self.next_sample();
        if !matches!(item, Some(Ok(_))) {
            self.done = true;
        }
        item
    }
}

impl<R: BufRead> CsvReader<R> {
    fn next_sample(&mut self) -> Option<Result<Sample, DataError>> {
        loop {
            match self.read_line() {
                Err(e) => return Some(Err(e)),
                Ok(false) => return self.end(),
                Ok(true) => {}
            }
            match self.line_text() {
                Err(e) => return Some(Err(e)),
                Ok(None) => continue,
                Ok(Some((count, fields))) => {
                    if let Some(sample) = self.row(count, &fields).transpose() {
                        return Some(sample);
                    }
                }
            }
        }
    }

    /// Reads the next line into `buf`, without its line end. `Ok(false)` at end of file.
    fn read_line(&mut self) -> Result<bool, DataError> {
        self.buf.clear();
        let limit = MAX_LINE_BYTES as u64 + 2;
        let n = (&mut self.reader)
            .take(limit)
            .read_until(b'\n', &mut self.buf)
            .map_err(|e| self.error(self.line + 1, format!("cannot read: {e}")))?;
        if n == 0 {
            return Ok(false);
        }
        self.line += 1;
        if self.buf.last() == Some(&b'\n') {
            self.buf.pop();
        }
        if self.buf.last() == Some(&b'\r') {
            self.buf.pop();
        }
        if self.buf.len() > MAX_LINE_BYTES {
            let msg = format!("line is longer than {MAX_LINE_BYTES} bytes");
            return Err(self.error(self.line, msg));
        }
        if self.line == 1 && self.buf.starts_with(b"\xEF\xBB\xBF") {
            self.buf.drain(..3);
        }
        Ok(true)
    }

    /// The current line's number of fields and its first (at most three) fields, trimmed;
    /// `None` for a blank line. A line of a million commas costs no million strings.
    fn line_text(&self) -> Result<Option<(usize, Vec<String>)>, DataError> {
        let text = std::str::from_utf8(&self.buf).map_err(|e| {
            let good = &self.buf[..e.valid_up_to()];
            let column = 1 + good.iter().filter(|&&b| b == b',').count();
            let name = self.column_name(column);
            self.error(
                self.line,
                format!("invalid UTF-8 at byte {} of the line", e.valid_up_to() + 1),
            )
            .in_column(column, &name)
        })?;
        if text.trim().is_empty() {
            return Ok(None);
        }
        let count = 1 + text.bytes().filter(|&b| b == b',').count();
        Ok(Some((count, text.splitn(3, ',').map(unquote).collect())))
    }

    /// A data row, or `Ok(None)` if this line was the header.
    fn row(&mut self, count: usize, fields: &[String]) -> Result<Option<Sample>, DataError> {
        let first = self.names.is_none() && self.header_line.is_none() && self.rows == 0;
        if first && fields.iter().all(|f| f.parse::<f64>().is_err()) {
            if count != 2 {
                let msg = format!(
                    "expected 2 fields (in_true,out_true), found {count}{}",
                    delimiter_hint(&self.buf)
                );
                return Err(self.error(self.line, msg));
            }
            self.names = Some([fields[0].clone(), fields[1].clone()]);
            self.header_line = Some(self.line);
            return Ok(None);
        }
        if count != 2 {
            let msg = format!(
                "expected 2 fields, found {count}{}",
                delimiter_hint(&self.buf)
            );
            return Err(self.error(self.line, msg));
        }
        let s0 = self.number(&fields[0], 1)?;
        let out = self.number(&fields[1], 2)?;
        self.rows += 1;
        Ok(Some(Sample { s0, out }))
    }

    fn number(&self, field: &str, column: usize) -> Result<f64, DataError> {
        let fail = |msg: String| {
            self.error(self.line, msg)
                .in_column(column, &self.column_name(column))
        };
        if field.is_empty() {
            return Err(fail("empty field".to_string()));
        }
        let x: f64 = field
            .parse()
            .map_err(|_| fail(format!("invalid number '{}'", shorten(field))))?;
        if x.is_finite() {
            Ok(x)
        } else if field.to_ascii_lowercase().contains(['i', 'n']) {
            Err(fail(format!("'{field}' is not a finite number")))
        } else {
            Err(fail(format!(
                "'{field}' is out of range (overflows to {x})"
            )))
        }
    }

    fn end(&mut self) -> Option<Result<Sample, DataError>> {
        if self.rows > 0 {
            return None;
        }
        let msg = match self.header_line {
            Some(line) => format!("no data rows after the header on line {line}"),
            None => "empty file: no header and no data rows".to_string(),
        };
        Some(Err(DataError::file(&self.path, msg)))
    }

    fn column_name(&self, column: usize) -> String {
        match &self.names {
            Some(names) => names[column - 1].clone(),
            None => DEFAULT_NAMES[column.min(2) - 1].to_string(),
        }
    }

    fn error(&self, line: usize, message: String) -> DataError {
        DataError::at(&self.path, line, message)
    }
}

/// A field without surrounding spaces and double quotes.
fn unquote(field: &str) -> String {
    let t = field.trim();
    let t = t
        .strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .unwrap_or(t);
    t.trim().to_string()
}

/// "; the file seems to use ';' as delimiter, expected ','" when a line contains `;`, a
/// tab or `|` but no comma.
fn delimiter_hint(line: &[u8]) -> String {
    if line.contains(&b',') {
        return String::new();
    }
    match [b';', b'\t', b'|'].into_iter().find(|d| line.contains(d)) {
        Some(d) => format!(
            " (wrong delimiter? the line uses {:?}, expected ',')",
            char::from(d)
        ),
        None => String::new(),
    }
}

/// At most 40 characters of a field, for messages.
fn shorten(field: &str) -> String {
    match field.char_indices().nth(40) {
        Some((i, _)) => format!("{}…", &field[..i]),
        None => field.to_string(),
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
            "d.csv: line 2, column 2 (out_true): invalid UTF-8 at byte 3 of the line"
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
