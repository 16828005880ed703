//! Data: the playground's toy problems and micrograd's moons, generated with a seed and a
//! noise level; the 8×8 handwritten digits; a train/test split (by class if wanted); the
//! playground's input features; CSV files.
//!
//! Points are rows of an `n × d` array; labels are `±1` for binary classification, class
//! indices `0..K` for `K` classes, and real numbers for regression.

mod csv;
mod digits;
mod features;
mod problems;

pub use self::csv::{read_csv, read_csv_as, Labels, MAX_COLUMNS};
pub use digits::{digits, DIGIT_SIDE};
pub use features::{Feature, Features};
pub use problems::Problem;

use ndarray::{Array1, Array2, Axis};
use rand::seq::SliceRandom;
use rand::Rng;

use crate::{Error, Result};

/// What the labels mean.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Task {
    /// Labels are `±1`; a prediction is the sign of the output.
    Classification,
    /// Labels are real numbers.
    Regression,
    /// Labels are class indices `0, 1, …, K − 1` for this many classes `K`; a prediction
    /// is the index of the largest of `K` outputs ([`crate::Mlp::classify`]).
    MultiClass(usize),
}

/// Points with labels.
#[derive(Clone, Debug, PartialEq)]
pub struct Dataset {
    /// One row per sample.
    pub points: Array2<f64>,
    /// One label per sample.
    pub labels: Array1<f64>,
    /// What the labels mean.
    pub task: Task,
    /// The name of each column of `points`.
    pub names: Vec<String>,
}

impl Dataset {
    /// Number of samples.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// Whether there are no samples.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// The samples at `indices`, in that order.
    pub fn select(&self, indices: &[usize]) -> Dataset {
        Dataset {
            points: self.points.select(Axis(0), indices),
            labels: self.labels.select(Axis(0), indices),
            task: self.task,
            names: self.names.clone(),
        }
    }

    /// Shuffles the samples with `rng` and splits them into a training set and a test set
    /// holding `round(n · test_ratio)` samples (at least one in each).
    ///
    /// # Errors
    /// [`Error::InvalidSetting`] (`test_ratio`) if `test_ratio` is not strictly between 0
    /// and 1, or if either part would be empty (the message gives the number of samples).
    ///
    /// # Examples
    /// ```
    /// use nn::datasets::Problem;
    /// use rand::{rngs::StdRng, SeedableRng};
    ///
    /// let mut rng = StdRng::seed_from_u64(1);
    /// let data = Problem::Xor.generate(100, 0.0, &mut rng)?;
    /// let (train, test) = data.split(0.3, &mut rng)?;
    /// assert_eq!((train.len(), test.len()), (70, 30));
    /// # Ok::<(), nn::Error>(())
    /// ```
    pub fn split(&self, test_ratio: f64, rng: &mut impl Rng) -> Result<(Dataset, Dataset)> {
        let n_test = self.test_size(test_ratio)?;
        let mut order: Vec<usize> = (0..self.len()).collect();
        order.shuffle(rng);
        let (test, train) = order.split_at(n_test);
        Ok((self.select(train), self.select(test)))
    }

    /// `round(n · test_ratio)`, checked to leave samples on both sides.
    fn test_size(&self, test_ratio: f64) -> Result<usize> {
        if !(test_ratio > 0.0 && test_ratio < 1.0) {
            return Err(Error::invalid(
                "test_ratio",
                format!("the test ratio must be strictly between 0 and 1, got {test_ratio}"),
            ));
        }
        let n = self.len();
        let n_test = (n as f64 * test_ratio).round() as usize;
        if n_test == 0 || n_test == n {
            let empty = if n_test == 0 { "testing" } else { "training" };
            return Err(empty_part(test_ratio, n, empty));
        }
        Ok(n_test)
    }

    /// [`Dataset::split`] class by class: each class's samples are shuffled and
    /// `round(n_class · test_ratio)` of them go to the test set, so both sets hold the
    /// classes in about the data's proportions. Each set is then shuffled. For a regression
    /// task this is [`Dataset::split`].
    ///
    /// # Errors
    /// As [`Dataset::split`]: a ratio outside `(0, 1)`, or an empty part.
    ///
    /// # Examples
    /// ```
    /// use rand::{rngs::StdRng, SeedableRng};
    ///
    /// let digits = nn::datasets::digits()?;
    /// let (train, test) = digits.split_by_class(0.25, &mut StdRng::seed_from_u64(1))?;
    /// assert_eq!((train.len(), test.len()), (1346, 451)); // Σ round(n_class / 4)
    /// assert_eq!(test.labels.iter().filter(|&&y| y == 8.0).count(), 44); // round(174 / 4)
    /// # Ok::<(), nn::Error>(())
    /// ```
    pub fn split_by_class(
        &self,
        test_ratio: f64,
        rng: &mut impl Rng,
    ) -> Result<(Dataset, Dataset)> {
        if self.task == Task::Regression {
            return self.split(test_ratio, rng);
        }
        self.test_size(test_ratio)?;
        let mut classes: Vec<f64> = self.labels.to_vec();
        classes.sort_by(f64::total_cmp);
        classes.dedup();
        let (mut train, mut test) = (Vec::new(), Vec::new());
        for class in classes {
            let mut members: Vec<usize> = (0..self.len())
                .filter(|&i| self.labels[i] == class)
                .collect();
            members.shuffle(rng);
            let n_test = (members.len() as f64 * test_ratio).round() as usize;
            test.extend_from_slice(&members[..n_test]);
            train.extend_from_slice(&members[n_test..]);
        }
        if train.is_empty() || test.is_empty() {
            let empty = if test.is_empty() {
                "testing"
            } else {
                "training"
            };
            return Err(empty_part(test_ratio, self.len(), empty));
        }
        train.shuffle(rng);
        test.shuffle(rng);
        Ok((self.select(&train), self.select(&test)))
    }

    /// The input columns after a feature map, and the labels: an `n × (k + 1)` array whose
    /// last column is the label, as a compiled tape's batch lanes read it.
    pub fn with_labels(&self, inputs: &Array2<f64>) -> Array2<f64> {
        let (n, k) = inputs.dim();
        Array2::from_shape_fn((n, k + 1), |(i, j)| {
            if j < k {
                inputs[[i, j]]
            } else {
                self.labels[i]
            }
        })
    }
}

/// The error of a split that leaves one side (`testing` or `training`) empty.
fn empty_part(test_ratio: f64, n: usize, empty: &str) -> Error {
    Error::invalid(
        "test_ratio",
        format!("a test ratio of {test_ratio} leaves none of {n} samples for {empty}"),
    )
}

/// A standard normal sample (Box–Muller), from two uniform draws.
pub(crate) fn standard_normal(rng: &mut impl Rng) -> f64 {
    // u₁ ∈ (0, 1] so that ln u₁ is finite
    let u1: f64 = 1.0 - rng.random::<f64>();
    let u2: f64 = rng.random::<f64>();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{rngs::StdRng, SeedableRng};

    #[test]
    fn split_rejects_ratios_outside_the_open_unit_interval() {
        let mut rng = StdRng::seed_from_u64(1);
        let data = Problem::Circle.generate(20, 0.0, &mut rng).unwrap();
        for r in [0.0, 1.0, -0.5, 1.5, f64::NAN] {
            let e = data.split(r, &mut rng).unwrap_err();
            assert!(matches!(
                e,
                Error::InvalidSetting {
                    setting: "test_ratio",
                    ..
                }
            ));
            assert!(e.to_string().starts_with("the test ratio must be"), "{e}");
        }
        // round(20 · 0.01) = 0 test samples; round(20 · 0.99) = 20
        let e = data.split(0.01, &mut rng).unwrap_err().to_string();
        assert_eq!(
            e,
            "a test ratio of 0.01 leaves none of 20 samples for testing"
        );
        let e = data.split(0.99, &mut rng).unwrap_err().to_string();
        assert_eq!(
            e,
            "a test ratio of 0.99 leaves none of 20 samples for training"
        );
    }

    #[test]
    fn split_partitions_the_samples() {
        let mut rng = StdRng::seed_from_u64(2);
        let data = Problem::Gauss.generate(50, 0.1, &mut rng).unwrap();
        let (train, test) = data.split(0.5, &mut rng).unwrap();
        let mut all: Vec<f64> = train.labels.iter().chain(&test.labels).copied().collect();
        let mut orig = data.labels.to_vec();
        all.sort_by(f64::total_cmp);
        orig.sort_by(f64::total_cmp);
        assert_eq!(all, orig);
        assert_eq!(train.len() + test.len(), 50);
    }

    #[test]
    fn a_split_by_class_keeps_every_class_on_both_sides_in_proportion() {
        let mut rng = StdRng::seed_from_u64(4);
        // classes of 30, 10 and 4 samples
        let labels: Vec<f64> = (0..44)
            .map(|i| match i {
                0..30 => 0.0,
                30..40 => 1.0,
                _ => 2.0,
            })
            .collect();
        let data = Dataset {
            points: Array2::from_shape_fn((44, 1), |(i, _)| i as f64),
            labels: Array1::from(labels),
            task: Task::MultiClass(3),
            names: vec!["x".into()],
        };
        let (train, test) = data.split_by_class(0.5, &mut rng).unwrap();
        let count = |d: &Dataset, c: f64| d.labels.iter().filter(|&&y| y == c).count();
        assert_eq!(
            [count(&test, 0.0), count(&test, 1.0), count(&test, 2.0)],
            [15, 5, 2]
        );
        assert_eq!(
            [count(&train, 0.0), count(&train, 1.0), count(&train, 2.0)],
            [15, 5, 2]
        );
        // every sample once, with its own label
        let mut seen: Vec<usize> = train
            .points
            .iter()
            .chain(&test.points)
            .map(|&x| x as usize)
            .collect();
        seen.sort_unstable();
        assert_eq!(seen, (0..44).collect::<Vec<_>>());
        for d in [&train, &test] {
            for (p, y) in d.points.column(0).iter().zip(&d.labels) {
                assert_eq!(*y, data.labels[*p as usize]);
            }
        }
        let e = data.split_by_class(0.01, &mut rng).unwrap_err().to_string();
        assert_eq!(
            e,
            "a test ratio of 0.01 leaves none of 44 samples for testing"
        );
        assert!(data.split_by_class(1.0, &mut rng).is_err());
    }

    #[test]
    fn standard_normal_has_mean_0_and_variance_1() {
        let mut rng = StdRng::seed_from_u64(3);
        let xs: Vec<f64> = (0..20_000).map(|_| standard_normal(&mut rng)).collect();
        let mean = xs.iter().sum::<f64>() / xs.len() as f64;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / xs.len() as f64;
        // standard errors: 1/√n ≈ 0.007 for the mean, √(2/n) ≈ 0.01 for the variance
        assert!(
            mean.abs() < 0.03 && (var - 1.0).abs() < 0.04,
            "{mean} {var}"
        );
    }
}
