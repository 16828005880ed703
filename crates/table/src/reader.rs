//! [`Reader`]: a numeric CSV table, one line at a time.

use std::fmt;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use crate::fields::{is_number, number, quote, Fields};
use crate::Error;

/// The longest line a [`Reader`] accepts (1 MiB): a file without line breaks (`/dev/zero`)
/// cannot make it buffer more than this.
pub const MAX_LINE_BYTES: usize = 1 << 20;

/// What a table's rows must look like: how many columns, what they are, and their names
/// when the file has no header.
pub struct Layout {
    /// Fewest columns a row may have.
    pub min_columns: usize,
    /// Most columns a row may have.
    pub max_columns: usize,
    /// The columns in words, for messages: `in_true,out_true`, `feature columns and a
    /// label column`.
    pub description: String,
    /// The names of `n` columns when the first row is data.
    pub unnamed: Box<dyn Fn(usize) -> Vec<String> + Send + Sync>,
}

impl fmt::Debug for Layout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Layout")
            .field("min_columns", &self.min_columns)
            .field("max_columns", &self.max_columns)
            .field("description", &self.description)
            .finish_non_exhaustive()
    }
}

impl Layout {
    /// Exactly `names.len()` columns, called `names` when the file has no header.
    ///
    /// # Examples
    /// ```
    /// let layout = table::Layout::named(&["in_true", "out_true"]);
    /// assert_eq!((layout.min_columns, layout.max_columns), (2, 2));
    /// assert_eq!(layout.description, "in_true,out_true");
    /// ```
    pub fn named(names: &[&str]) -> Self {
        let owned: Vec<String> = names.iter().map(|s| s.to_string()).collect();
        Layout {
            min_columns: names.len(),
            max_columns: names.len(),
            description: names.join(","),
            unnamed: Box::new(move |_| owned.clone()),
        }
    }
}

/// A numeric CSV table, read one line at a time: every field of every row a finite number.
///
/// **Header.** The first non-blank line is a header of column names if none of its fields
/// reads as a number (`NaN` and `inf` read as numbers), and data otherwise; a file without
/// header gets its names from [`Layout::unnamed`]. An empty name in a header is given the
/// unnamed one.
///
/// **Lines.** Blank lines (also of spaces) are skipped and counted, so line numbers are the
/// ones an editor shows. A UTF-8 byte-order mark and `\r\n` line ends are accepted. Fields
/// are separated by commas; [csv-core](https://docs.rs/csv-core) splits each line, so a
/// field may be double-quoted (`"1.5"`, with `""` for a quote); surrounding spaces are
/// trimmed. A line break inside quotes is not supported: numbers do not contain one.
///
/// **Rejected**, each with the line and, for a field, the column number and name: a line
/// longer than [`MAX_LINE_BYTES`]; a first row with fewer than [`Layout::min_columns`] or
/// more than [`Layout::max_columns`] fields (with a hint when it uses another delimiter);
/// a row with another number of fields than the first; an empty field, a field that is not
/// a number, a non-finite number (`NaN`, `inf`, or `1e400`, which overflows), invalid
/// UTF-8; and a file with no data rows. A bad field is shown escaped and cut short.
///
/// # Complexity
/// O(file size) time; O([`MAX_LINE_BYTES`]) memory at most.
///
/// # Examples
/// ```
/// use table::{Layout, Reader};
///
/// let text = "x,y\n\n1,2\n3,oops\n";
/// let mut table = Reader::new(text.as_bytes(), "d.csv", Layout::named(&["x", "y"]));
/// assert_eq!(table.names()?, ["x", "y"]);
/// assert_eq!(table.next_row()?, Some(&[1.0, 2.0][..]));
/// assert_eq!(table.line(), 3); // after the blank line 2
/// let e = table.next_row().unwrap_err();
/// assert_eq!(e.to_string(), "d.csv: line 4, column 2 (y): invalid number 'oops'");
/// # Ok::<(), table::Error>(())
/// ```
pub struct Reader<R> {
    input: R,
    path: String,
    layout: Layout,
    /// Number of the line in `buf`.
    line: usize,
    buf: Vec<u8>,
    fields: Fields,
    values: Vec<f64>,
    /// Column names, once the first row is read.
    names: Option<Vec<String>>,
    header_line: Option<usize>,
    /// The first row was data: its values wait in `values` for the first `next_row`.
    pending: bool,
    rows: usize,
}

impl<R> fmt::Debug for Reader<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Reader")
            .field("path", &self.path)
            .field("line", &self.line)
            .field("names", &self.names)
            .field("rows", &self.rows)
            .finish_non_exhaustive()
    }
}

impl Reader<BufReader<File>> {
    /// Opens the file at `path`.
    ///
    /// # Errors
    /// An [`ErrorKind::Io`](crate::ErrorKind::Io) error naming the file if it cannot be
    /// opened or is a folder.
    pub fn open(path: &Path, layout: Layout) -> Result<Self, Error> {
        let name = path.display().to_string();
        let file = File::open(path).map_err(|e| Error::io(&name, format!("cannot read: {e}")))?;
        if file.metadata().is_ok_and(|m| m.is_dir()) {
            return Err(Error::io(name, "cannot read: is a directory"));
        }
        Ok(Reader::new(
            BufReader::with_capacity(1 << 16, file),
            &name,
            layout,
        ))
    }
}

impl<R: BufRead> Reader<R> {
    /// Reads a table from `input`; `path` stands for the file in messages.
    pub fn new(input: R, path: &str, layout: Layout) -> Self {
        Reader {
            input,
            path: path.to_string(),
            layout,
            line: 0,
            buf: Vec::new(),
            fields: Fields::new(),
            values: Vec::new(),
            names: None,
            header_line: None,
            pending: false,
            rows: 0,
        }
    }

    /// The file, as given.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The line of the row [`next_row`](Self::next_row) returned last (or of the header or
    /// first row after [`names`](Self::names)).
    pub fn line(&self) -> usize {
        self.line
    }

    /// The header's line, if the file has a header (known after [`names`](Self::names)).
    pub fn header_line(&self) -> Option<usize> {
        self.header_line
    }

    /// The column names: the header's, or [`Layout::unnamed`]'s if the first row is data.
    /// Reads up to the first non-blank line.
    ///
    /// # Errors
    /// As [`next_row`](Self::next_row), for the first row; a file with no rows at all.
    pub fn names(&mut self) -> Result<&[String], Error> {
        if self.names.is_none() {
            self.first_row()?;
        }
        Ok(self.names.as_deref().unwrap_or_default())
    }

    /// The next row's values, `None` after the last row.
    ///
    /// # Errors
    /// The first problem found (see [`Reader`]), naming file, line and column. After an
    /// error, stop reading: the next call would read on from the line after.
    pub fn next_row(&mut self) -> Result<Option<&[f64]>, Error> {
        if self.names.is_none() {
            self.first_row()?;
        }
        if self.pending {
            self.pending = false;
            self.rows += 1;
            return Ok(Some(&self.values));
        }
        if !self.next_line()? {
            return if self.rows == 0 {
                Err(self.no_rows())
            } else {
                Ok(None)
            };
        }
        let expected = self.names.as_ref().map_or(0, Vec::len);
        if self.fields.count != expected {
            let msg = format!("expected {expected} fields, found {}", self.fields.count);
            return Err(self.error(msg + &delimiter_hint(&self.buf)));
        }
        self.parse_values()?;
        self.rows += 1;
        Ok(Some(&self.values))
    }

    /// Reads the first non-blank line: the header, or the first row of data.
    fn first_row(&mut self) -> Result<(), Error> {
        if !self.next_line()? {
            return Err(self.no_rows());
        }
        let count = self.fields.count;
        let (min, max) = (self.layout.min_columns, self.layout.max_columns);
        if count < min || count > max {
            let expected = match (count < min, min == max) {
                (_, true) => format!("{min} fields"),
                (true, false) => format!("at least {min} fields"),
                (false, false) => format!("at most {max} fields"),
            };
            let msg = format!(
                "expected {expected} ({}), found {count}{}",
                self.layout.description,
                delimiter_hint(&self.buf)
            );
            return Err(self.error(msg));
        }
        let mut names = (self.layout.unnamed)(count);
        names.resize(count, String::new());
        let header = (0..count).all(|j| !is_number(self.fields.get(j)));
        if header {
            for (j, name) in names.iter_mut().enumerate() {
                let field = self.fields.get(j);
                let text = std::str::from_utf8(field).map_err(|_| {
                    self.error(format!("invalid UTF-8 in a column name {}", quote(field)))
                        .in_column(j + 1, name)
                })?;
                if !text.is_empty() {
                    *name = text.to_string();
                }
            }
            self.header_line = Some(self.line);
            self.names = Some(names);
        } else {
            self.names = Some(names);
            let mixed = (0..count).any(|j| {
                let field = self.fields.get(j);
                !field.is_empty() && !is_number(field)
            });
            self.parse_values().map_err(|e| match mixed {
                true => Error {
                    message: e.message + " (a first row with a number in it is data, not a header)",
                    ..e
                },
                false => e,
            })?;
            self.pending = true;
        }
        Ok(())
    }

    /// Parses the fields of the current line into `values`.
    fn parse_values(&mut self) -> Result<(), Error> {
        self.values.clear();
        for j in 0..self.fields.kept() {
            match number(self.fields.get(j)) {
                Ok(x) => self.values.push(x),
                Err(msg) => {
                    let name = self.names.as_ref().map_or("", |n| n[j].as_str());
                    return Err(self.error(msg).in_column(j + 1, name));
                }
            }
        }
        Ok(())
    }

    /// Reads the next non-blank line into `buf` and splits it; `Ok(false)` at end of file.
    fn next_line(&mut self) -> Result<bool, Error> {
        loop {
            self.buf.clear();
            let limit = MAX_LINE_BYTES as u64 + 2; // the line, `\r\n`, and one byte too many
            let n = (&mut self.input)
                .take(limit)
                .read_until(b'\n', &mut self.buf)
                .map_err(|e| {
                    Error::io(&self.path, format!("cannot read: {e}")).at_line(self.line + 1)
                })?;
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
                return Err(self.error(format!("line is longer than {MAX_LINE_BYTES} bytes")));
            }
            if self.line == 1 && self.buf.starts_with(b"\xEF\xBB\xBF") {
                self.buf.drain(..3);
            }
            if self.buf.trim_ascii().is_empty() {
                continue;
            }
            let keep = self.layout.max_columns;
            self.fields.split(&self.buf, keep);
            return Ok(true);
        }
    }

    fn no_rows(&self) -> Error {
        let msg = match self.header_line {
            Some(line) => format!("no data rows after the header on line {line}"),
            None => "empty file: no header and no data rows".to_string(),
        };
        Error::data(&self.path, msg)
    }

    fn error(&self, message: String) -> Error {
        Error::data(&self.path, message).at_line(self.line)
    }
}

/// ` (wrong delimiter? the line uses ';', expected ',')` when a line has no comma but a
/// `;`, a tab or a `|`.
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
