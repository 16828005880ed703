//! The 8×8 handwritten digits: 1,797 images of the digits 0–9, shipped with the crate.
//!
//! The file is scikit-learn's `sklearn/datasets/data/digits.csv.gz`, a copy of the test
//! set of the UCI "Optical Recognition of Handwritten Digits" data set (E. Alpaydin,
//! C. Kaynak, 1998; CC BY 4.0); see `assets/digits/README.md`. It is embedded in the
//! binary compressed (57 KB instead of 265 KB) and read with the crate's CSV reader, so
//! nothing is fetched at run time.

use std::io::BufReader;

use flate2::read::GzDecoder;
use table::Reader;

use super::csv::{layout, read_table, Labels};
use super::Dataset;
use crate::Result;

/// The compressed CSV: 1,797 rows of 64 pixel counts (0–16, row by row) and the digit.
const DIGITS_CSV_GZ: &[u8] = include_bytes!("../../../../assets/digits/digits.csv.gz");

/// Side of the square images, in pixels.
pub const DIGIT_SIDE: usize = 8;

/// The 1,797 handwritten digits as a [`Task::MultiClass`](super::Task::MultiClass)`(10)`
/// dataset: each row the 64 pixels of an 8×8 image, row by row, **scaled to `[0, 1]`**
/// (the file's counts 0–16 divided by 16); each label the digit `0.0 … 9.0`. Columns are
/// named `x1 … x64`.
///
/// # Errors
/// None for the shipped file; an [`Error::Data`](crate::Error::Data) naming
/// `digits.csv.gz` if it were damaged.
///
/// # Examples
/// ```
/// let digits = nn::datasets::digits()?;
/// assert_eq!(digits.points.dim(), (1797, 64));
/// assert_eq!(digits.task, nn::datasets::Task::MultiClass(10));
/// assert_eq!(digits.labels[0], 0.0);
/// # Ok::<(), nn::Error>(())
/// ```
pub fn digits() -> Result<Dataset> {
    let input = BufReader::new(GzDecoder::new(DIGITS_CSV_GZ));
    let reader = Reader::new(input, "digits.csv.gz", layout(None));
    let mut data = read_table(reader, None, Labels::Classes)?;
    data.points.mapv_inplace(|v| v / 16.0);
    Ok(data)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_file_has_1797_images_of_ten_digits_in_the_unit_range() {
        let d = digits().unwrap();
        assert_eq!(d.points.dim(), (1797, 64));
        let mut per_class = [0usize; 10];
        for &y in &d.labels {
            per_class[y as usize] += 1;
        }
        // scikit-learn's counts of each digit
        assert_eq!(
            per_class,
            [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
        );
        assert!(d.points.iter().all(|&v| (0.0..=1.0).contains(&v)));
        // the first image is a 0: its first row is 0 0 5 13 9 1 0 0
        let first: Vec<f64> = d.points.row(0).iter().take(8).map(|v| v * 16.0).collect();
        assert_eq!(first, [0.0, 0.0, 5.0, 13.0, 9.0, 1.0, 0.0, 0.0]);
    }
}
