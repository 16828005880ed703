//! Multi-class predictions: the class a network picks, and the [`Confusion`] matrix of its
//! picks against the labels.

use std::fmt;

use ndarray::{ArrayView1, ArrayView2};

use crate::{Mlp, Module};

/// The index of the largest value (the first of equal ones; a NaN is never the largest
/// unless every value is NaN, then 0).
///
/// # Panics
/// If `values` is empty.
pub(crate) fn argmax(values: &[f64]) -> usize {
    assert!(!values.is_empty(), "nn: the largest of no values");
    let mut best = 0;
    for (k, &v) in values.iter().enumerate().skip(1) {
        if v > values[best] || values[best].is_nan() && !v.is_nan() {
            best = k;
        }
    }
    best
}

/// A `K × K` count of samples by true class (row) and predicted class (column).
///
/// # Examples
/// ```
/// use nn::{Activation, Confusion, Mlp};
/// use ndarray::array;
/// use rand::{rngs::StdRng, SeedableRng};
///
/// // two inputs, three classes: output k is input k for k < 2, and 0.5 for class 2
/// let mut mlp = Mlp::new(&[2, 3], Activation::Linear, Activation::Linear, &mut StdRng::seed_from_u64(1))?;
/// mlp.set_parameters(&[1.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.5]); // weights by row, then biases
/// let x = array![[1.0, 0.0], [0.0, 1.0], [0.0, 0.0], [1.0, 0.0]];
/// let c = Confusion::of(&mlp, x.view(), array![0.0, 1.0, 2.0, 2.0].view());
/// assert_eq!(c.rows(), vec![vec![1, 0, 0], vec![0, 1, 0], vec![1, 0, 1]]);
/// assert_eq!(c.accuracy(), 0.75);
/// # Ok::<(), nn::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Confusion {
    classes: usize,
    counts: Vec<usize>,
}

impl Confusion {
    /// An empty matrix for `classes` classes.
    pub fn new(classes: usize) -> Self {
        Confusion {
            classes,
            counts: vec![0; classes * classes],
        }
    }

    /// The matrix of `mlp`'s picks ([`Mlp::classify`]) on `inputs` against `labels` (class
    /// indices `0..K`, `K` the network's outputs).
    ///
    /// # Panics
    /// If rows and labels differ in number, or a label is not a class index.
    pub fn of(mlp: &Mlp, inputs: ArrayView2<f64>, labels: ArrayView1<f64>) -> Self {
        assert_eq!(inputs.nrows(), labels.len(), "nn: one label per row");
        let mut matrix = Confusion::new(mlp.output_count());
        for (row, &y) in inputs.rows().into_iter().zip(labels) {
            let predicted = mlp.classify(&row.to_vec());
            matrix.add(class_index(y, matrix.classes), predicted);
        }
        matrix
    }

    /// Counts one sample of class `actual` predicted as `predicted`.
    ///
    /// # Panics
    /// If either is not below the number of classes.
    pub fn add(&mut self, actual: usize, predicted: usize) {
        assert!(
            actual < self.classes && predicted < self.classes,
            "nn: class {actual} or {predicted} out of {}",
            self.classes
        );
        self.counts[actual * self.classes + predicted] += 1;
    }

    /// The number of classes `K`.
    pub fn classes(&self) -> usize {
        self.classes
    }

    /// Samples of class `actual` predicted as `predicted`.
    pub fn count(&self, actual: usize, predicted: usize) -> usize {
        self.counts[actual * self.classes + predicted]
    }

    /// The counts, one row per true class.
    pub fn rows(&self) -> Vec<Vec<usize>> {
        self.counts
            .chunks(self.classes.max(1))
            .map(<[usize]>::to_vec)
            .collect()
    }

    /// All samples counted.
    pub fn total(&self) -> usize {
        self.counts.iter().sum()
    }

    /// The fraction of samples on the diagonal (0 when nothing was counted).
    pub fn accuracy(&self) -> f64 {
        let right: usize = (0..self.classes).map(|k| self.count(k, k)).sum();
        right as f64 / self.total().max(1) as f64
    }
}

/// `y` as a class index below `classes`.
///
/// # Panics
/// If `y` is not one.
pub(crate) fn class_index(y: f64, classes: usize) -> usize {
    assert!(
        y >= 0.0 && y.fract() == 0.0 && y < classes as f64,
        "nn: label {y} is not a class index below {classes}"
    );
    y as usize
}

impl fmt::Display for Confusion {
    /// A table: a header of predicted classes, then one row per true class.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let width = self.total().max(1).to_string().len().max(2);
        write!(f, "{:>6}", "true\\→")?;
        for k in 0..self.classes {
            write!(f, " {k:>width$}")?;
        }
        for (k, row) in self.rows().iter().enumerate() {
            write!(f, "\n{k:>6}")?;
            for c in row {
                write!(f, " {c:>width$}")?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn argmax_takes_the_first_of_ties_and_skips_nan() {
        assert_eq!(argmax(&[1.0, 3.0, 3.0, 2.0]), 1);
        assert_eq!(argmax(&[f64::NAN, -1.0, 0.5]), 2);
        assert_eq!(argmax(&[0.5, f64::NAN, 0.25]), 0);
        assert_eq!(argmax(&[f64::NAN, f64::NAN]), 0);
        assert_eq!(argmax(&[-7.0]), 0);
    }

    #[test]
    fn a_matrix_counts_by_true_row_and_predicted_column() {
        let mut c = Confusion::new(3);
        for (a, p) in [(0, 0), (0, 2), (1, 1), (2, 2), (2, 2)] {
            c.add(a, p);
        }
        assert_eq!(c.rows(), [vec![1, 0, 1], vec![0, 1, 0], vec![0, 0, 2]]);
        assert_eq!((c.total(), c.count(0, 2)), (5, 1));
        assert_eq!(c.accuracy(), 0.8);
        assert_eq!(
            c.to_string(),
            "true\\→  0  1  2\n     0  1  0  1\n     1  0  1  0\n     2  0  0  2"
        );
        assert_eq!(Confusion::new(4).accuracy(), 0.0);
    }

    #[test]
    #[should_panic(expected = "label 1.5 is not a class index below 3")]
    fn a_fractional_label_is_no_class() {
        class_index(1.5, 3);
    }
}
