//! One line into fields (csv-core does the quoting), a field into a finite number, and a
//! field quoted for a message.

use csv_core::{ReadFieldResult, Reader};

/// Fields of one line: the first few kept, all of them counted.
pub(crate) struct Fields {
    parser: Reader,
    out: Vec<u8>,
    /// End offset in `out` of each kept field.
    ends: Vec<usize>,
    /// How many fields the line has, kept or not.
    pub(crate) count: usize,
}

impl Fields {
    pub(crate) fn new() -> Self {
        Fields {
            parser: Reader::new(),
            out: Vec::new(),
            ends: Vec::new(),
            count: 0,
        }
    }

    /// Splits `line` (without its line end) at commas outside double quotes, keeping the
    /// first `keep` fields. A line of a million commas costs a count, not a million fields.
    pub(crate) fn split(&mut self, line: &[u8], keep: usize) {
        self.parser.reset();
        self.out.clear();
        // unquoting only shortens a field, so one line's length holds every field
        self.out.resize(line.len() + 1, 0);
        self.ends.clear();
        self.count = 0;
        let (mut input, mut pos, mut start) = (line, 0, 0);
        loop {
            let (result, nin, nout) = self.parser.read_field(input, &mut self.out[pos..]);
            input = &input[nin..];
            pos += nout;
            match result {
                // an empty input tells csv-core the line is over; it then ends the field
                ReadFieldResult::InputEmpty => {}
                ReadFieldResult::OutputFull => {
                    unreachable!("table internal error: a field longer than its line")
                }
                ReadFieldResult::Field { record_end } => {
                    self.count += 1;
                    if self.ends.len() < keep {
                        self.ends.push(pos);
                        start = pos;
                    } else {
                        pos = start;
                    }
                    if record_end {
                        return;
                    }
                }
                ReadFieldResult::End => return,
            }
        }
    }

    /// Kept field `j` (0-based), without surrounding spaces and double quotes.
    pub(crate) fn get(&self, j: usize) -> &[u8] {
        let start = if j == 0 { 0 } else { self.ends[j - 1] };
        unquote(&self.out[start..self.ends[j]])
    }

    /// How many fields were kept.
    pub(crate) fn kept(&self) -> usize {
        self.ends.len()
    }
}

/// A field without surrounding spaces, then without surrounding double quotes (csv-core
/// takes a quote as one only at the very start of a field, so `  "1.5" ` keeps them).
fn unquote(field: &[u8]) -> &[u8] {
    let t = field.trim_ascii();
    match t {
        [b'"', inner @ .., b'"'] => inner.trim_ascii(),
        _ => t,
    }
}

/// The field as a finite number, or the message saying why not.
pub(crate) fn number(field: &[u8]) -> Result<f64, String> {
    if field.is_empty() {
        return Err("empty field".to_string());
    }
    let text = std::str::from_utf8(field).map_err(|_| format!("invalid UTF-8 {}", quote(field)))?;
    let x: f64 = text
        .parse()
        .map_err(|_| format!("invalid number {}", quote(field)))?;
    if x.is_finite() {
        Ok(x)
    } else if text.to_ascii_lowercase().contains(['i', 'n']) {
        Err(format!("{} is not a finite number", quote(field)))
    } else {
        Err(format!(
            "{} is out of range (overflows to {x})",
            quote(field)
        ))
    }
}

/// Whether the field reads as a number (finite or not): a first row with one is data.
pub(crate) fn is_number(field: &[u8]) -> bool {
    std::str::from_utf8(field).is_ok_and(|t| t.parse::<f64>().is_ok())
}

/// The longest stretch of a field a message shows, in characters.
const SHOWN: usize = 40;

/// `'field'` for a message: control characters, quotes and invalid UTF-8 escaped as in
/// Rust's `{:?}` (`\t`, `\'`, `\u{7f}`, `\xff`), cut to [`SHOWN`] characters and `…`.
pub(crate) fn quote(field: &[u8]) -> String {
    let mut shown = String::new();
    let mut chars = 0;
    for chunk in field.utf8_chunks() {
        for c in chunk.valid().chars() {
            if chars == SHOWN {
                return format!("'{shown}…'");
            }
            shown.extend(c.escape_debug());
            chars += 1;
        }
        for &b in chunk.invalid() {
            if chars == SHOWN {
                return format!("'{shown}…'");
            }
            shown.push_str(&format!("\\x{b:02x}"));
            chars += 1;
        }
    }
    format!("'{shown}'")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(line: &[u8], keep: usize) -> (usize, Vec<String>) {
        let mut f = Fields::new();
        f.split(line, keep);
        let kept = (0..f.kept())
            .map(|j| String::from_utf8_lossy(f.get(j)).into_owned())
            .collect();
        (f.count, kept)
    }

    #[test]
    fn splits_at_commas_outside_quotes_and_trims() {
        assert_eq!(
            split(b" 1 ,\"2,5\", \"3\" ", 9),
            (3, vec!["1".into(), "2,5".into(), "3".into()])
        );
        assert_eq!(
            split(b"a,\"b\"\"c\"", 9),
            (2, vec!["a".into(), "b\"c".into()])
        );
        assert_eq!(split(b"1,", 9), (2, vec!["1".into(), String::new()]));
        assert_eq!(split(b"x", 9), (1, vec!["x".into()]));
    }

    #[test]
    fn counts_every_field_but_keeps_only_the_first() {
        let line = ",".repeat(100_000);
        let (count, kept) = split(line.as_bytes(), 2);
        assert_eq!((count, kept.len()), (100_001, 2));
    }

    #[test]
    fn numbers_must_be_finite_and_messages_say_why_not() {
        assert_eq!(number(b"-1.5e3"), Ok(-1500.0));
        assert_eq!(number(b""), Err("empty field".to_string()));
        assert_eq!(number(b"abc"), Err("invalid number 'abc'".to_string()));
        assert_eq!(
            number(b"NaN"),
            Err("'NaN' is not a finite number".to_string())
        );
        assert_eq!(
            number(b"-Infinity"),
            Err("'-Infinity' is not a finite number".to_string())
        );
        assert_eq!(
            number(b"1e400"),
            Err("'1e400' is out of range (overflows to inf)".to_string())
        );
        assert_eq!(number(b"\xe9"), Err("invalid UTF-8 '\\xe9'".to_string()));
    }

    #[test]
    fn quoted_fields_are_escaped_and_cut_short() {
        assert_eq!(quote(b"a\tb'c\x1b"), "'a\\tb\\'c\\u{1b}'");
        assert_eq!(quote("é\u{202e}".as_bytes()), "'é\\u{202e}'");
        assert_eq!(quote(b"1\xff2"), "'1\\xff2'");
        let long = quote("x".repeat(1000).as_bytes());
        assert_eq!(long, format!("'{}…'", "x".repeat(SHOWN)));
    }
}
