//! Reading a dataset from a CSV file: numeric feature columns and a label column.

use std::io::BufRead;
use std::path::Path;

use ndarray::{Array1, Array2};
use table::{Layout, Reader};

use crate::loss::MAX_CLASSES;

use super::{Dataset, Task};
use crate::{Error, Result};

/// The most columns a file may have (features and label).
pub const MAX_COLUMNS: usize = 1024;

/// How the label column is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Labels {
    /// Decided by the values: every label in `{−1, 1}` or in `{0, 1}` is binary
    /// classification (0 becomes −1); whole numbers from 0 to [`MAX_CLASSES`]` − 1` with at
    /// least three different values are [`Task::MultiClass`] with `K = largest + 1`
    /// classes; anything else is regression.
    Auto,
    /// Class indices `0, 1, …, K − 1` ([`Task::MultiClass`], `K = largest + 1`): every
    /// label a whole number from 0 to [`MAX_CLASSES`]` − 1`, at least two different ones.
    Classes,
}

/// Reads a CSV file: every column but the label column is a feature, every field a finite
/// number. The first row is a header of column names if none of its fields is a number;
/// otherwise it is data, and the columns are named `x1, x2, …` with the label column
/// called `label`. The rules for lines, fields and headers are [`table::Reader`]'s.
///
/// The label column is `label`: a column name, or a column number from 1 (a header has no
/// numbers, so a number is never a name); without `label`, the last column. Its values are
/// read as [`Labels::Auto`] says.
///
/// # Errors
/// [`Error::Data`] with a [`table::Error`]: of kind `Io` if the file cannot be read; of
/// kind `Data`, naming the file, the line and (where it applies) the column number and
/// name, for a field that is empty, not a number, or not finite (`NaN`, `inf`, `1e400`); a
/// row with another number of fields than the first; a first row with fewer than two or
/// more than [`MAX_COLUMNS`] fields (with a hint when the delimiter looks wrong); no data
/// rows. [`Error::InvalidSetting`] (`label`) for a label column the file does not have.
///
/// # Complexity
/// **O(rows · columns)**, streaming: one line in memory besides the result.
pub fn read_csv(path: &Path, label: Option<&str>) -> Result<Dataset> {
    read_csv_as(path, label, Labels::Auto)
}

/// [`read_csv`] with the label column read as `labels` says.
///
/// # Errors
/// Those of [`read_csv`]; with [`Labels::Classes`] also [`Error::Data`] naming the file,
/// line and column of a label that is not a whole number from 0 to [`MAX_CLASSES`]` − 1`,
/// or naming the file if it has a single class.
pub fn read_csv_as(path: &Path, label: Option<&str>, labels: Labels) -> Result<Dataset> {
    let number = label.and_then(|l| l.trim().parse::<usize>().ok());
    let reader = Reader::open(path, layout(number))?;
    read_table(reader, label, labels)
}

/// The layout of a data file: two or more columns, unnamed ones called `x1, x2, …` and
/// `label` (the column numbered `label_number` from 1, else the last).
pub(super) fn layout(label_number: Option<usize>) -> Layout {
    Layout {
        min_columns: 2,
        max_columns: MAX_COLUMNS,
        description: "one or more feature columns and a label column".to_string(),
        unnamed: Box::new(move |n| unnamed_columns(n, label_number.unwrap_or(n))),
    }
}

/// Reads the rows of `reader` into a dataset, the label column read as `labels` says.
pub(super) fn read_table<R: BufRead>(
    mut reader: Reader<R>,
    label: Option<&str>,
    kind: Labels,
) -> Result<Dataset> {
    let header = reader.names()?.to_vec();
    let shown = reader.path().to_string();
    let label_index = label_column(&header, label, &shown)?;
    let mut features: Vec<f64> = Vec::new();
    let mut labels: Vec<f64> = Vec::new();
    while let Some(row) = reader.next_row()? {
        for (j, &value) in row.iter().enumerate() {
            if j == label_index {
                labels.push(value);
            } else {
                features.push(value);
            }
        }
        let y = labels[labels.len() - 1];
        if kind == Labels::Classes && !is_class(y) {
            return Err(table::Error::data(
                &shown,
                format!(
                    "a class label must be a whole number from 0 to {}, got {y}",
                    MAX_CLASSES - 1
                ),
            )
            .at_line(reader.line())
            .in_column(label_index + 1, &header[label_index])
            .into());
        }
    }
    let names: Vec<String> = header
        .iter()
        .enumerate()
        .filter(|&(j, _)| j != label_index)
        .map(|(_, h)| h.clone())
        .collect();
    let points = Array2::from_shape_vec((labels.len(), names.len()), features)
        .expect("nn internal error: every row has one value per feature column");
    let task = match kind {
        Labels::Auto => auto_task(&mut labels),
        Labels::Classes => {
            let distinct = distinct_classes(&labels);
            if distinct < 2 {
                return Err(table::Error::data(
                    &shown,
                    format!(
                        "every label is {}: a classifier needs at least two classes",
                        labels[0]
                    ),
                )
                .into());
            }
            Task::MultiClass(class_count(&labels))
        }
    };
    Ok(Dataset {
        points,
        labels: Array1::from(labels),
        task,
        names,
    })
}

/// Whether `y` is a class index this crate accepts.
fn is_class(y: f64) -> bool {
    y >= 0.0 && y.fract() == 0.0 && y < MAX_CLASSES as f64
}

/// How many different values `labels` (class indices) holds.
fn distinct_classes(labels: &[f64]) -> usize {
    let mut seen = vec![false; MAX_CLASSES];
    for &y in labels {
        seen[y as usize] = true;
    }
    seen.iter().filter(|&&s| s).count()
}

/// `K = largest label + 1`.
fn class_count(labels: &[f64]) -> usize {
    labels.iter().fold(0.0_f64, |m, &y| m.max(y)) as usize + 1
}

/// The task [`Labels::Auto`] reads from the labels; `{0, 1}` labels become `±1`.
fn auto_task(labels: &mut [f64]) -> Task {
    let pm1 = labels.iter().all(|&y| y == 1.0 || y == -1.0);
    let zero_one = labels.iter().all(|&y| y == 1.0 || y == 0.0);
    if zero_one && !pm1 {
        labels.iter_mut().for_each(|y| *y = 2.0 * *y - 1.0);
    }
    if pm1 || zero_one {
        Task::Classification
    } else if labels.iter().all(|&y| is_class(y)) && distinct_classes(labels) >= 3 {
        Task::MultiClass(class_count(labels))
    } else {
        Task::Regression
    }
}

/// `x1, x2, …` for the features of a file without header, and `label` for column
/// `label_number` (from 1).
fn unnamed_columns(n: usize, label_number: usize) -> Vec<String> {
    let mut feature = 0;
    (1..=n)
        .map(|j| {
            if j == label_number {
                "label".to_string()
            } else {
                feature += 1;
                format!("x{feature}")
            }
        })
        .collect()
}

/// The 0-based index of the label column: `label` by name or number from 1, else the last.
fn label_column(header: &[String], label: Option<&str>, path: &str) -> Result<usize> {
    let Some(label) = label else {
        return Ok(header.len() - 1);
    };
    if let Some(j) = header.iter().position(|h| h == label) {
        return Ok(j);
    }
    let n = header.len();
    let message = match label.trim().parse::<usize>() {
        Ok(k) if (1..=n).contains(&k) => return Ok(k - 1),
        Ok(k) => format!("the label column number must be from 1 to {n} for {path}, got {k}"),
        Err(_) => format!(
            "{path} has no column '{label}' for the label (columns: {})",
            header.join(", ")
        ),
    };
    Err(Error::invalid("label", message))
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
    fn the_label_column_can_be_given_by_number() {
        let path = file("number.csv", b"a,b,y\n1,2,0\n3,4,1\n");
        let by_name = read_csv(&path, Some("b")).expect("valid file");
        let by_number = read_csv(&path, Some("2")).expect("valid file");
        assert_eq!(by_name, by_number);
        assert_eq!(by_number.names, ["a", "y"]);
        assert_eq!(by_number.labels.to_vec(), [2.0, 4.0]);
        let e = read_csv(&path, Some("4")).unwrap_err();
        assert!(matches!(
            e,
            Error::InvalidSetting {
                setting: "label",
                ..
            }
        ));
        assert!(
            e.to_string()
                .starts_with("the label column number must be from 1 to 3 for "),
            "{e}"
        );
        // a file without header: the label column is called `label`, the others x1, x2, …
        let path = file("first.csv", b"1,0.5,1.5\n-1,2,3\n1,x,4\n");
        let e = read_csv(&path, Some("1")).unwrap_err().to_string();
        assert!(
            e.ends_with("first.csv: line 3, column 2 (x1): invalid number 'x'"),
            "{e}"
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
    fn a_first_row_with_one_number_is_data_not_a_header() {
        let e = error("mixed.csv", b"x,2,label\n1,2,1\n");
        assert!(
            e.ends_with(
                "mixed.csv: line 1, column 1 (x1): invalid number 'x' \
                 (a first row with a number in it is data, not a header)"
            ),
            "{e}"
        );
    }

    #[test]
    fn bad_fields_are_named_by_file_line_and_column() {
        let e = error("bad.csv", b"x,y\n1,2\n\nabc,4\n");
        assert!(
            e.ends_with("bad.csv: line 4, column 1 (x): invalid number 'abc'"),
            "{e}"
        );
        let e = error("empty.csv", b"x,y\n1,2\n3,\n");
        assert!(
            e.ends_with("empty.csv: line 3, column 2 (y): empty field"),
            "{e}"
        );
        for bad in ["NaN", "inf"] {
            let e = error("nan.csv", format!("x,y\n{bad},1\n").as_bytes());
            assert!(
                e.ends_with(&format!(
                    "nan.csv: line 2, column 1 (x): '{bad}' is not a finite number"
                )),
                "{e}"
            );
        }
        let e = error("big.csv", b"x,y\n1e400,1\n");
        assert!(
            e.ends_with(
                "big.csv: line 2, column 1 (x): '1e400' is out of range (overflows to inf)"
            ),
            "{e}"
        );
    }

    #[test]
    fn structural_problems_are_reported_with_their_line() {
        let e = error("ragged.csv", b"x,y\n1,2\n3\n");
        assert!(
            e.ends_with("ragged.csv: line 3: expected 2 fields, found 1"),
            "{e}"
        );
        let e = error("semi.csv", b"x;y\n1;2\n");
        assert!(
            e.ends_with(
                "semi.csv: line 1: expected at least 2 fields (one or more feature columns \
                 and a label column), found 1 (wrong delimiter? the line uses ';', expected ',')"
            ),
            "{e}"
        );
        let e = error("header.csv", b"x,y\n");
        assert!(
            e.ends_with("header.csv: no data rows after the header on line 1"),
            "{e}"
        );
        let e = error("empty_file.csv", b"");
        assert!(
            e.ends_with("empty_file.csv: empty file: no header and no data rows"),
            "{e}"
        );
        let path = file("label.csv", b"x,y\n1,1\n");
        let e = read_csv(&path, Some("z")).unwrap_err().to_string();
        assert!(
            e.ends_with("label.csv has no column 'z' for the label (columns: x, y)"),
            "{e}"
        );
    }

    #[test]
    fn whole_number_labels_with_three_or_more_values_are_classes() {
        let path = file("classes.csv", b"a,b,digit\n1,2,0\n3,4,2\n5,6,1\n7,8,2\n");
        let d = read_csv(&path, None).expect("valid file");
        assert_eq!(d.task, Task::MultiClass(3));
        assert_eq!(d.labels.to_vec(), [0.0, 2.0, 1.0, 2.0]);
        assert_eq!(read_csv_as(&path, None, Labels::Classes).unwrap(), d);
        // K is the largest label + 1, whether or not every class occurs
        let path = file("gaps.csv", b"a,y\n1,0\n3,9\n5,4\n");
        assert_eq!(read_csv(&path, None).unwrap().task, Task::MultiClass(10));
        // fractions, negatives and labels past 255 stay regression when not asked for classes
        for (name, content) in [
            ("frac.csv", &b"a,y\n1,0\n3,2.5\n5,1\n"[..]),
            ("neg.csv", b"a,y\n1,0\n3,-2\n5,1\n"),
            ("big.csv", b"a,y\n1,0\n3,256\n5,1\n"),
        ] {
            let path = file(name, content);
            assert_eq!(
                read_csv(&path, None).unwrap().task,
                Task::Regression,
                "{name}"
            );
        }
        // asked for classes, 0/1 labels stay 0/1: two classes
        let path = file("two.csv", b"a,y\n1,0\n3,1\n");
        let d = read_csv_as(&path, None, Labels::Classes).unwrap();
        assert_eq!(
            (d.task, d.labels.to_vec()),
            (Task::MultiClass(2), vec![0.0, 1.0])
        );
    }

    #[test]
    fn labels_that_are_no_class_are_named_by_file_line_and_column() {
        let cases: [(&str, &[u8], &str); 4] = [
            ("frac.csv", b"a,y\n1,0\n3,2.5\n", "frac.csv: line 3, column 2 (y): a class label must be a whole number from 0 to 255, got 2.5"),
            ("neg.csv", b"a,y\n1,-1\n", "neg.csv: line 2, column 2 (y): a class label must be a whole number from 0 to 255, got -1"),
            ("many.csv", b"a,y\n1,0\n3,256\n", "many.csv: line 3, column 2 (y): a class label must be a whole number from 0 to 255, got 256"),
            ("one.csv", b"a,y\n1,3\n2,3\n", "one.csv: every label is 3: a classifier needs at least two classes"),
        ];
        for (name, content, message) in cases {
            let path = file(name, content);
            let e = read_csv_as(&path, None, Labels::Classes)
                .unwrap_err()
                .to_string();
            assert!(e.ends_with(message), "{e}");
        }
    }

    #[test]
    fn a_missing_file_is_an_io_error_naming_it() {
        let e = read_csv(Path::new("/no/such/data.csv"), None).unwrap_err();
        assert!(
            matches!(&e, Error::Data(t) if t.kind == table::ErrorKind::Io),
            "{e:?}"
        );
        assert!(
            e.to_string()
                .starts_with("/no/such/data.csv: cannot read: "),
            "{e}"
        );
    }
}
