//! Writing data files: complete or not at all.

use std::io::{BufWriter, Write};
use std::path::Path;

use table::output::Staged;

use super::{DataError, Sample};

/// Writes `samples` to `path` as CSV with header `in_true,out_true`, and returns how many
/// rows it wrote.
///
/// The rows go to a temporary file created exclusively, under a random name, in the same
/// folder ([`table::output::Staged`]), which is renamed to `path` only after everything is
/// written and synced: on any error (or a Ctrl-C handled with
/// [`table::output::remove_staged`]) no partial file is left, an existing file at `path` is
/// untouched, and replacing it keeps its permissions. Numbers are written in Rust's shortest
/// round-trip form, so reading the file back gives the same `f64`s.
///
/// # Errors
/// A [`DataError`] naming the file if it cannot be written (missing folder, no
/// permission, full disk), if `path` exists and is not a regular file, or if a sample is
/// not finite (with its line number).
///
/// # Examples
/// ```
/// use lecture::data::{read_file, write_file, Sample};
/// let path = std::env::temp_dir().join(format!("lecture-doc-{}.csv", std::process::id()));
/// let rows = [Sample { s0: 0.1, out: 1.0 / 3.0 }];
/// assert_eq!(write_file(&path, rows)?, 1);
/// assert_eq!(read_file(&path)?, rows);
/// # std::fs::remove_file(&path).ok();
/// # Ok::<(), lecture::DataError>(())
/// ```
pub fn write_file<I>(path: &Path, samples: I) -> Result<usize, DataError>
where
    I: IntoIterator<Item = Sample>,
{
    let mut staged = Staged::beside(path)?;
    let n = write_rows(&mut staged, samples)?;
    staged.commit()?;
    Ok(n)
}

/// Writes the header and the rows to `staged`, and returns how many rows.
fn write_rows<I>(staged: &mut Staged, samples: I) -> Result<usize, DataError>
where
    I: IntoIterator<Item = Sample>,
{
    let name = staged.target().display().to_string();
    let mut out = BufWriter::with_capacity(1 << 16, &mut *staged);
    let io = |e: std::io::Error| DataError::io(&name, format!("cannot write: {e}"));
    out.write_all(b"in_true,out_true\n").map_err(io)?;
    let mut n = 0;
    for s in samples {
        if !(s.s0.is_finite() && s.out.is_finite()) {
            let msg = format!(
                "refusing to write a non-finite sample ({}, {})",
                s.s0, s.out
            );
            return Err(DataError::data(&name, msg).at_line(n + 2));
        }
        writeln!(out, "{:?},{:?}", s.s0, s.out).map_err(io)?;
        n += 1;
    }
    out.flush().map_err(io)?;
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    use std::fs;
    use std::path::PathBuf;

    fn temp_dir(tag: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("lecture-write-{tag}-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn written_numbers_read_back_bit_identical() {
        let dir = temp_dir("roundtrip");
        let path = dir.join("d.csv");
        let rows: Vec<Sample> = (1..100)
            .map(|i| Sample {
                s0: 1.0 / f64::from(i),
                out: 1e-300 * f64::from(i),
            })
            .collect();
        write_file(&path, rows.clone()).unwrap();
        assert_eq!(super::super::read_file(&path).unwrap(), rows);
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn failed_write_leaves_no_file_and_keeps_the_old_one() {
        let dir = temp_dir("partial");
        let path = dir.join("d.csv");
        fs::write(&path, "old").unwrap();
        let rows = [
            Sample { s0: 1.0, out: 2.0 },
            Sample {
                s0: f64::NAN,
                out: 0.0,
            },
        ];
        let e = write_file(&path, rows).unwrap_err();
        assert!(
            e.to_string()
                .contains("line 3: refusing to write a non-finite"),
            "{e}"
        );
        assert_eq!(fs::read_to_string(&path).unwrap(), "old");
        assert_eq!(fs::read_dir(&dir).unwrap().count(), 1);
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn missing_folder_and_non_files_are_errors_naming_the_path() {
        let e = write_file(Path::new("/nonexistent-dir/d.csv"), []).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("/nonexistent-dir/d.csv: cannot write:"),
            "{e}"
        );
        let e = write_file(Path::new("/dev/null"), []).unwrap_err();
        assert_eq!(e.to_string(), "/dev/null: cannot write: not a regular file");
    }
}
