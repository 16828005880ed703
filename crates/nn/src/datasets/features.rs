//! The playground's input features: functions of a point `(x1, x2)`.

use std::fmt;
use std::str::FromStr;

use ndarray::{Array2, ArrayView2};

use crate::{Error, Result};

/// One input feature computed from a point `(x1, x2)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Feature {
    /// `x1`
    X1,
    /// `x2`
    X2,
    /// `x1²`
    X1Squared,
    /// `x2²`
    X2Squared,
    /// `x1·x2`
    X1X2,
    /// `sin x1`
    SinX1,
    /// `sin x2`
    SinX2,
}

impl Feature {
    /// Every feature, in the playground's order.
    pub const ALL: [Feature; 7] = [
        Feature::X1,
        Feature::X2,
        Feature::X1Squared,
        Feature::X2Squared,
        Feature::X1X2,
        Feature::SinX1,
        Feature::SinX2,
    ];

    /// The feature's value at `(x1, x2)`.
    pub fn eval(self, x1: f64, x2: f64) -> f64 {
        match self {
            Feature::X1 => x1,
            Feature::X2 => x2,
            Feature::X1Squared => x1 * x1,
            Feature::X2Squared => x2 * x2,
            Feature::X1X2 => x1 * x2,
            Feature::SinX1 => x1.sin(),
            Feature::SinX2 => x2.sin(),
        }
    }

    /// The canonical command-line name (`x1`, `x2`, `x1sq`, `x2sq`, `x1x2`, `sinx1`,
    /// `sinx2`); `x1^2`, `x1*x2`, `sin(x1)` and the like are accepted too.
    pub fn name(self) -> &'static str {
        match self {
            Feature::X1 => "x1",
            Feature::X2 => "x2",
            Feature::X1Squared => "x1sq",
            Feature::X2Squared => "x2sq",
            Feature::X1X2 => "x1x2",
            Feature::SinX1 => "sinx1",
            Feature::SinX2 => "sinx2",
        }
    }
}

impl fmt::Display for Feature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Feature {
    type Err = Error;

    /// # Errors
    /// [`Error::InvalidSetting`] for `features` on an unknown name.
    fn from_str(s: &str) -> Result<Self> {
        let key: String = s
            .chars()
            .filter(|c| !matches!(c, '(' | ')' | '_' | '*' | '·' | ' '))
            .collect::<String>()
            .to_ascii_lowercase()
            .replace("^2", "sq")
            .replace('²', "sq");
        Feature::ALL
            .into_iter()
            .find(|f| f.name() == key)
            .ok_or_else(|| {
                Error::invalid(
                    "features",
                    format!(
                        "unknown feature '{s}' (expected x1, x2, x1sq, x2sq, x1x2, sinx1 or sinx2)"
                    ),
                )
            })
    }
}

/// A list of features, computed from the two columns of a point array.
///
/// # Examples
/// ```
/// use nn::datasets::Features;
/// use ndarray::array;
///
/// let f: Features = "x1,x2,x1*x2,sin(x1)".parse()?;
/// let x = f.apply(array![[2.0, 3.0]].view())?;
/// assert_eq!(x.row(0).to_vec(), vec![2.0, 3.0, 6.0, 2.0_f64.sin()]);
/// # Ok::<(), nn::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Features(pub Vec<Feature>);

impl Features {
    /// `x1, x2`.
    pub fn raw() -> Self {
        Features(vec![Feature::X1, Feature::X2])
    }

    /// Number of features.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there is none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The features of one point.
    pub fn of(&self, x1: f64, x2: f64) -> impl Iterator<Item = f64> + '_ {
        self.0.iter().map(move |f| f.eval(x1, x2))
    }

    /// The features of every row of an `n × 2` array, as an `n × len` array.
    ///
    /// # Errors
    /// [`Error::InvalidSetting`] (`features`) if `points` does not have two columns.
    pub fn apply(&self, points: ArrayView2<f64>) -> Result<Array2<f64>> {
        if points.ncols() != 2 {
            return Err(Error::invalid(
                "features",
                format!(
                    "the playground's features need points with 2 columns, the data has {}",
                    points.ncols()
                ),
            ));
        }
        Ok(Array2::from_shape_fn(
            (points.nrows(), self.len()),
            |(i, j)| self.0[j].eval(points[[i, 0]], points[[i, 1]]),
        ))
    }
}

impl fmt::Display for Features {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.0.iter().map(|x| x.name()).collect();
        f.write_str(&names.join(","))
    }
}

impl FromStr for Features {
    type Err = Error;

    /// A comma-separated list of feature names, each at most once.
    ///
    /// # Errors
    /// [`Error::InvalidSetting`] (`features`) on an unknown or repeated name, or an empty
    /// list.
    fn from_str(s: &str) -> Result<Self> {
        let mut list = Vec::new();
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let f: Feature = part.parse()?;
            if list.contains(&f) {
                return Err(Error::invalid(
                    "features",
                    format!("feature '{f}' is listed twice"),
                ));
            }
            list.push(f);
        }
        if list.is_empty() {
            return Err(Error::invalid("features", "at least one feature is needed"));
        }
        Ok(Features(list))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_feature_has_its_formula_and_aliases() {
        let (a, b): (f64, f64) = (0.5, -2.0);
        let expected = [a, b, a * a, b * b, a * b, a.sin(), b.sin()];
        for (f, e) in Feature::ALL.into_iter().zip(expected) {
            assert_eq!(f.eval(a, b), e, "{f}");
            assert_eq!(f.name().parse::<Feature>(), Ok(f));
        }
        for alias in ["x1^2", "X1²", "x1_sq"] {
            assert_eq!(alias.parse::<Feature>(), Ok(Feature::X1Squared), "{alias}");
        }
        assert_eq!("sin(x2)".parse::<Feature>(), Ok(Feature::SinX2));
        assert_eq!("x1*x2".parse::<Feature>(), Ok(Feature::X1X2));
    }

    #[test]
    fn unknown_repeated_or_missing_features_name_the_setting() {
        for bad in ["x3", "x1,x1", "", " , "] {
            let e = bad.parse::<Features>().unwrap_err();
            assert_eq!(e.setting(), Some("features"), "{bad}: {e}");
        }
    }
}
