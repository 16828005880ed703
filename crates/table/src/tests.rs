//! The reader's contract, case by case.

use crate::{Error, ErrorKind, Layout, Reader, MAX_LINE_BYTES};

fn lecture() -> Layout {
    Layout::named(&["in_true", "out_true"])
}

/// One or more feature columns and a label column, named `x1, x2, …, label` without header.
fn features() -> Layout {
    Layout {
        min_columns: 2,
        max_columns: 4,
        description: "feature columns and a label column".to_string(),
        unnamed: Box::new(|n| {
            let mut names: Vec<String> = (1..n).map(|j| format!("x{j}")).collect();
            names.push("label".to_string());
            names
        }),
    }
}

fn read(text: &[u8], layout: Layout) -> Result<Vec<Vec<f64>>, Error> {
    let mut reader = Reader::new(text, "d.csv", layout);
    let mut rows = Vec::new();
    while let Some(row) = reader.next_row()? {
        rows.push(row.to_vec());
    }
    Ok(rows)
}

fn error(text: &[u8]) -> String {
    read(text, lecture()).unwrap_err().to_string()
}

#[test]
fn header_and_headerless_files_give_the_same_rows() {
    let with = read(b"in_true,out_true\n1,2\n3,4\n", lecture()).unwrap();
    let without = read(b"1,2\r\n3,4", lecture()).unwrap();
    assert_eq!(with, without);
    assert_eq!(with, [[1.0, 2.0], [3.0, 4.0]]);
}

#[test]
fn bom_blank_lines_spaces_and_quotes_are_accepted() {
    let rows = read(
        b"\xEF\xBB\xBFin_true,out_true\n\n \"1.5\" , 2e-3 \n \n",
        lecture(),
    );
    assert_eq!(rows.unwrap(), [[1.5, 2e-3]]);
}

#[test]
fn line_numbers_count_blank_lines_and_crlf() {
    assert_eq!(
        error(b"x,y\n\n\n1,2\n  \n\nabc,4\n"),
        "d.csv: line 7, column 1 (x): invalid number 'abc'"
    );
    assert_eq!(
        error(b"x,y\r\n\r\n1,2\r\n\r\n3,\r\n"),
        "d.csv: line 5, column 2 (y): empty field"
    );
    let mut reader = Reader::new(&b"\n\nx,y\n\n5,6\n"[..], "d.csv", lecture());
    assert_eq!(reader.names().unwrap(), ["x", "y"]);
    assert_eq!(reader.header_line(), Some(3));
    assert_eq!(reader.next_row().unwrap(), Some(&[5.0, 6.0][..]));
    assert_eq!(reader.line(), 5);
}

#[test]
fn a_first_row_is_a_header_only_if_no_field_is_a_number() {
    let mut reader = Reader::new(&b"a,1\n2,3\n"[..], "d.csv", lecture());
    let e = reader.names().unwrap_err().to_string();
    assert_eq!(
        e,
        "d.csv: line 1, column 1 (in_true): invalid number 'a' \
         (a first row with a number in it is data, not a header)"
    );
    // NaN reads as a number: a data row, rejected as not finite
    assert_eq!(
        error(b"NaN,x\n"),
        "d.csv: line 1, column 1 (in_true): 'NaN' is not a finite number \
         (a first row with a number in it is data, not a header)"
    );
    assert_eq!(
        error(b"1,NaN\n"),
        "d.csv: line 1, column 2 (out_true): 'NaN' is not a finite number"
    );
    let mut reader = Reader::new(&b"0.5,1.5,1\n"[..], "d.csv", features());
    assert_eq!(reader.names().unwrap(), ["x1", "x2", "label"]);
    assert_eq!(reader.header_line(), None);
    assert_eq!(reader.next_row().unwrap(), Some(&[0.5, 1.5, 1.0][..]));
}

#[test]
fn an_empty_header_name_gets_the_unnamed_one() {
    let mut reader = Reader::new(&b",b,\n1,2,3\n"[..], "d.csv", features());
    assert_eq!(reader.names().unwrap(), ["x1", "b", "label"]);
}

#[test]
fn bad_fields_name_line_and_column_quoted_and_escaped() {
    assert_eq!(
        error(b"x,y\n1,2\n,4\n"),
        "d.csv: line 3, column 1 (x): empty field"
    );
    assert_eq!(
        error(b"1,2\n3,\"a\tb\"\n"),
        "d.csv: line 2, column 2 (out_true): invalid number 'a\\tb'"
    );
    let long = format!("1,2\n3,{}\n", "9x".repeat(500));
    let e = error(long.as_bytes());
    assert!(
        e.ends_with(&format!("invalid number '{}…'", "9x".repeat(20))),
        "{e}"
    );
    assert_eq!(
        error(b"1,2\n3,\xff\xfe\n"),
        "d.csv: line 2, column 2 (out_true): invalid UTF-8 '\\xff\\xfe'"
    );
}

#[test]
fn non_finite_values_are_rejected() {
    for (field, what) in [
        ("NaN", "is not a finite number"),
        ("nan", "is not a finite number"),
        ("inf", "is not a finite number"),
        ("-Infinity", "is not a finite number"),
        ("1e400", "is out of range (overflows to inf)"),
    ] {
        let e = error(format!("1,2\n3,{field}\n").as_bytes());
        assert_eq!(
            e,
            format!("d.csv: line 2, column 2 (out_true): '{field}' {what}")
        );
    }
}

#[test]
fn ragged_rows_and_wrong_delimiters_are_rejected() {
    assert_eq!(
        error(b"1,2\n3\n"),
        "d.csv: line 2: expected 2 fields, found 1"
    );
    assert_eq!(
        error(b"1,2\n3,4,5\n"),
        "d.csv: line 2: expected 2 fields, found 3"
    );
    assert_eq!(
        error(b"in_true;out_true\n1;2\n"),
        "d.csv: line 1: expected 2 fields (in_true,out_true), found 1 \
         (wrong delimiter? the line uses ';', expected ',')"
    );
    assert_eq!(
        error(b"1,2\n3;4\n"),
        "d.csv: line 2: expected 2 fields, found 1 (wrong delimiter? the line uses ';', expected ',')"
    );
    let e = read(b"a\tb\n", features()).unwrap_err().to_string();
    assert_eq!(
        e,
        "d.csv: line 1: expected at least 2 fields (feature columns and a label column), \
         found 1 (wrong delimiter? the line uses '\\t', expected ',')"
    );
    let e = read(b"1,2,3,4,5\n", features()).unwrap_err().to_string();
    assert_eq!(
        e,
        "d.csv: line 1: expected at most 4 fields (feature columns and a label column), found 5"
    );
}

#[test]
fn empty_and_header_only_files_are_rejected() {
    assert_eq!(error(b""), "d.csv: empty file: no header and no data rows");
    assert_eq!(error(b"\n \r\n\n"), error(b""));
    assert_eq!(
        error(b"\nin_true,out_true\n\n"),
        "d.csv: no data rows after the header on line 2"
    );
    let e = read(b"", lecture()).unwrap_err();
    assert_eq!((e.kind, e.line, e.column), (ErrorKind::Data, None, None));
}

#[test]
fn an_overlong_line_is_rejected_without_reading_it_whole() {
    let mut text = b"1,2\n3,".to_vec();
    text.extend(std::iter::repeat_n(b'1', MAX_LINE_BYTES * 3));
    assert_eq!(
        error(&text),
        format!("d.csv: line 2: line is longer than {MAX_LINE_BYTES} bytes")
    );
    // exactly the cap is fine (and then not a number)
    let mut text = b"1,".to_vec();
    text.extend(std::iter::repeat_n(b'1', MAX_LINE_BYTES - 2));
    text.extend(b"\r\n");
    assert!(error(&text).ends_with("is out of range (overflows to inf)"));
}

#[test]
fn an_endless_input_stops_at_the_cap() {
    let zeros = std::io::BufReader::new(std::io::repeat(0));
    let mut reader = Reader::new(zeros, "/dev/zero", lecture());
    let e = reader.next_row().unwrap_err();
    assert_eq!(
        e.to_string(),
        format!("/dev/zero: line 1: line is longer than {MAX_LINE_BYTES} bytes")
    );
}

#[test]
fn a_line_of_many_fields_is_counted_not_kept() {
    let mut text = b"1,2\n".to_vec();
    text.extend(std::iter::repeat_n(b',', 500_000));
    assert_eq!(
        error(&text),
        "d.csv: line 2: expected 2 fields, found 500001"
    );
}

#[test]
fn missing_files_and_folders_are_io_errors_naming_the_path() {
    let e = Reader::open(std::path::Path::new("/no/such/d.csv"), lecture()).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Io);
    assert!(
        e.to_string().starts_with("/no/such/d.csv: cannot read: "),
        "{e}"
    );
    let dir = std::env::temp_dir();
    let e = Reader::open(&dir, lecture()).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Io);
    assert!(
        e.to_string().ends_with("cannot read: is a directory"),
        "{e}"
    );
}

mod fuzz {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

        #[test]
        fn arbitrary_bytes_give_rows_or_an_error_on_a_real_line(
            bytes in proptest::collection::vec(any::<u8>(), 0..200)
        ) {
            let lines = bytes.split(|&b| b == b'\n').count();
            match read(&bytes, features()) {
                Ok(rows) => prop_assert!(!rows.is_empty() && rows.len() <= lines),
                Err(e) => {
                    prop_assert!(e.to_string().starts_with("d.csv: "));
                    if let Some(line) = e.line {
                        prop_assert!((1..=lines).contains(&line), "line {} of {}", line, lines);
                    }
                }
            }
        }

        #[test]
        fn every_row_reports_its_own_line(
            blanks in proptest::collection::vec(0..3usize, 1..10),
            crlf in any::<bool>(),
        ) {
            // row k is "k,k" after blanks[k] blank lines; a final "x,x" row is wrong
            let end = if crlf { "\r\n" } else { "\n" };
            let mut text = String::new();
            let mut line = 0;
            let mut expected = Vec::new();
            for (k, &b) in blanks.iter().enumerate() {
                text.push_str(&end.repeat(b));
                text.push_str(&format!("{k},{k}{end}"));
                line += b + 1;
                expected.push(line);
            }
            text.push_str(&format!("x,x{end}"));
            let mut reader = Reader::new(text.as_bytes(), "d.csv", lecture());
            for &want in &expected {
                prop_assert!(reader.next_row().unwrap().is_some());
                prop_assert_eq!(reader.line(), want);
            }
            prop_assert_eq!(reader.next_row().unwrap_err().line, Some(line + 1));
        }
    }
}
