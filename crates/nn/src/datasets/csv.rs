//! Reading a dataset from a CSV file: numeric feature columns and a label column.

use std::path::Path;

use ndarray::{Array1, Array2};

use super::{Dataset, Task};
use crate::{Error, Result};

/// Reads a CSV file: every column but the label column is a feature, every field a finite
/// number. The first row is a header of column names, unless it is all numbers: then it is
/// data, and the columns are named `x1, x2, …, label`.
///
/// The label column is `label` if given, else the last column. If every label is in
/// `{−1, 1}` or in `{0, 1}` the task is classification (0 becomes −1), otherwise
/// regression. Fields are trimmed; a UTF-8 byte-order mark and CRLF line ends are fine.
///
/// # Errors
/// [`Error::Io`] if the file cannot be read; [`Error::Data`] naming the file, the line and
/// (where it applies) the column number and name for: a field that is empty, not a
/// number, or not finite (`NaN`, `inf`, `1e400`); a row with the wrong number of fields;
/// a header with fewer than two columns (with a hint when the delimiter looks wrong); an
/// unknown label column; no data rows.
///
/// # Complexity
/// **O(rows · columns)**, streaming: one record in memory besides the result.
pub fn read_csv(path: &Path, label: Option<&str>) -> Result<Dataset> {
    let shown = path.display().to_string();
    let data_error = |line: u64, column: Option<(usize, String)>, message: String| Error::Data {
        path: shown.clone(),
        line,
        column,
        message,
    };
    let mut reader = ::csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .trim(::csv::Trim::All)
        .from_path(path)
        .map_err(|e| io_or_csv(&shown, e))?;
    let mut header: Vec<String> = reader
        .headers()
        .map_err(|e| io_or_csv(&shown, e))?
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').to_string())
        .collect();
    // A first row of numbers is data, not a header: name the columns x1, x2, …, label.
    let headerless = header.iter().all(|h| parse_number(h).is_ok());
    let first_row: Vec<String> = if headerless {
        let n = header.len();
        let names = (1..n).map(|j| format!("x{j}")).chain(["label".to_string()]);
        std::mem::replace(&mut header, names.collect())
    } else {
        Vec::new()
    };
    if header.len() < 2 {
        let hint = match header.first() {
            Some(h) if h.contains(';') || h.contains('\t') => {
                format!(" (found '{h}': wrong delimiter? columns are separated by commas)")
            }
            _ => String::new(),
        };
        return Err(data_error(
            1,
            None,
            format!("need at least one feature column and a label column{hint}"),
        ));
    }
    let label_index = match label {
        None => header.len() - 1,
        Some(name) => header.iter().position(|h| h == name).ok_or_else(|| {
            data_error(
                1,
                None,
                format!("no label column '{name}' (columns: {})", header.join(", ")),
            )
        })?,
    };
    let mut features: Vec<f64> = Vec::new();
    let mut labels: Vec<f64> = Vec::new();
    let mut push = |line: u64, fields: &mut dyn Iterator<Item = &str>| -> Result<()> {
        for (j, field) in fields.enumerate() {
            let column = || Some((j + 1, header[j].clone()));
            let value = parse_number(field).map_err(|m| data_error(line, column(), m))?;
            if j == label_index {
                labels.push(value);
            } else {
                features.push(value);
            }
        }
        Ok(())
    };
    if headerless {
        push(1, &mut first_row.iter().map(String::as_str))?;
    }
    let mut record = ::csv::StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => return Err(io_or_csv(&shown, e)),
        }
        let line = record.position().map_or(0, |p| p.line());
        push(line, &mut record.iter())?;
    }
    if labels.is_empty() {
        return Err(data_error(0, None, "no data rows after the header".into()));
    }
    let names: Vec<String> = header
        .iter()
        .enumerate()
        .filter(|&(j, _)| j != label_index)
        .map(|(_, h)| h.clone())
        .collect();
    let points = Array2::from_shape_vec((labels.len(), names.len()), features)
        .expect("nn internal error: every row has one value per feature column");
    let pm1 = labels.iter().all(|&y| y == 1.0 || y == -1.0);
    let zero_one = labels.iter().all(|&y| y == 1.0 || y == 0.0);
    let task = if pm1 || zero_one {
        Task::Classification
    } else {
        Task::Regression
    };
    if zero_one && !pm1 {
        labels.iter_mut().for_each(|y| *y = 2.0 * *y - 1.0);
    }
    Ok(Dataset {
        points,
        labels: Array1::from(labels),
        task,
        names,
    })
}

fn parse_number(field: &str) -> std::result::Result<f64, String> {
    if field.is_empty() {
        return Err("empty value".into());
    }
    match field.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        Ok(_) => Err(format!("non-finite number '{field}'")),
        Err(_) => Err(format!("invalid number '{field}'")),
    }
}

fn io_or_csv(path: &str, e: ::csv::Error) -> Error {
    let line = e.position().map_or(0, |p| p.line());
    match e.into_kind() {
        ::csv::ErrorKind::Io(io) => Error::Io {
            path: path.to_string(),
            message: io.to_string(),
        },
        ::csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => Error::Data {
            path: path.to_string(),
            line,
            column: None,
            message: format!("found {len} fields, but the header has {expected_len}"),
        },
        ::csv::ErrorKind::Utf8 { err, .. } => Error::Data {
            path: path.to_string(),
            line,
            column: Some((err.field() + 1, format!("#{}", err.field() + 1))),
            message: "invalid UTF-8".into(),
        },
        other => Error::Data {
            path: path.to_string(),
            line,
            column: None,
            message: format!("{other:?}"),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    /// A file in a folder of its own, both removed when it is dropped.
    struct Scratch {
        dir: std::path::PathBuf,
        path: std::path::PathBuf,
    }

    impl std::ops::Deref for Scratch {
        type Target = Path;

        fn deref(&self) -> &Path {
            &self.path
        }
    }

    impl Drop for Scratch {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }

    fn file(name: &str, content: &[u8]) -> Scratch {
        let dir = std::env::temp_dir().join(format!("nn-csv-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let path = dir.join(name);
        let mut f = std::fs::File::create(&path).expect("temp file");
        f.write_all(content).expect("write");
        Scratch { dir, path }
    }

    fn error(name: &str, content: &[u8]) -> String {
        let path = file(name, content);
        read_csv(&path, None).unwrap_err().to_string()
    }

    #[test]
    fn reads_features_and_a_zero_one_label_as_classification() {
        let path = file("ok.csv", b"\xef\xbb\xbfa, b ,y\r\n1,2,0\r\n 3 ,4,1\r\n");
        let d = read_csv(&path, None).expect("valid file");
        assert_eq!(d.names, ["a", "b"]);
        assert_eq!(d.points.row(1).to_vec(), [3.0, 4.0]);
        assert_eq!(d.labels.to_vec(), [-1.0, 1.0]);
        assert_eq!(d.task, Task::Classification);
        let d = read_csv(&path, Some("a")).expect("valid file");
        assert_eq!(
            (d.names.clone(), d.task),
            (vec!["b".into(), "y".into()], Task::Regression)
        );
    }

    #[test]
    fn a_first_row_of_numbers_is_data() {
        let path = file("headerless.csv", b"0.5,1.5,1\n-2,3,-1\n");
        let d = read_csv(&path, None).expect("valid file");
        assert_eq!(d.names, ["x1", "x2"]);
        assert_eq!(d.points.row(0).to_vec(), [0.5, 1.5]);
        assert_eq!(d.labels.to_vec(), [1.0, -1.0]);
        let e = error("headerless_bad.csv", b"1,2,1\n1,x,1\n");
        assert!(
            e.ends_with("headerless_bad.csv: line 2, column 2 (x2): invalid number 'x'"),
            "{e}"
        );
    }

    #[test]
    fn bad_fields_are_named_by_file_line_and_column() {
        let e = error("bad.csv", b"x,y\n1,2\nabc,4\n");
        assert!(
            e.ends_with("bad.csv: line 3, column 1 (x): invalid number 'abc'"),
            "{e}"
        );
        let e = error("empty.csv", b"x,y\n1,2\n3,\n");
        assert!(
            e.ends_with("empty.csv: line 3, column 2 (y): empty value"),
            "{e}"
        );
        for bad in ["NaN", "inf", "1e400"] {
            let e = error("nan.csv", format!("x,y\n{bad},1\n").as_bytes());
            assert!(
                e.ends_with(&format!(
                    "nan.csv: line 2, column 1 (x): non-finite number '{bad}'"
                )),
                "{e}"
            );
        }
    }

    #[test]
    fn structural_problems_are_reported_with_their_line() {
        let e = error("ragged.csv", b"x,y\n1,2\n3\n");
        assert!(
            e.ends_with("ragged.csv: line 3: found 1 fields, but the header has 2"),
            "{e}"
        );
        let e = error("semi.csv", b"x;y\n1;2\n");
        assert!(
            e.contains("semi.csv: line 1: ") && e.contains("wrong delimiter"),
            "{e}"
        );
        let e = error("header.csv", b"x,y\n");
        assert!(
            e.ends_with("header.csv: no data rows after the header"),
            "{e}"
        );
        let e = error("empty_file.csv", b"");
        assert!(e.contains("empty_file.csv"), "{e}");
        let path = file("label.csv", b"x,y\n1,1\n");
        let e = read_csv(&path, Some("z")).unwrap_err().to_string();
        assert!(
            e.ends_with("label.csv: line 1: no label column 'z' (columns: x, y)"),
            "{e}"
        );
    }

    #[test]
    fn a_missing_file_is_named() {
        let e = read_csv(Path::new("/no/such/data.csv"), None)
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("/no/such/data.csv: cannot read: "), "{e}");
    }
}
