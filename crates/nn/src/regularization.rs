//! L1 and L2 regularisation: a penalty on the parameters added to the data loss.
//!
//! The penalty does not depend on the data, so training adds it (and its gradient, which is
//! elementwise and trivial) to the data loss outside the recorded graph or compiled tape,
//! directly on the `f64` parameters:
//!
//! | kind | penalty `R(p)` | `∂R/∂pᵢ` |
//! |---|---|---|
//! | none | 0 | 0 |
//! | L1 | `rate · Σ |pᵢ|` | `rate · sign pᵢ` (0 at 0, the engine's `abs` convention) |
//! | L2 | `rate · Σ pᵢ²` | `2 · rate · pᵢ` |
//!
//! All parameters are penalised, biases included (as in micrograd's demo, whose loss adds
//! `1e-4 · Σ p²`). [`Regularization::penalty_graph`] records the same penalty on a graph,
//! for checks.

use std::fmt;

use autodiff::Var;

use crate::{Error, Result};

/// Which penalty, and its rate.
///
/// # Examples
/// ```
/// use nn::Regularization;
///
/// let reg = Regularization::l2(0.5)?;
/// let p = [1.0, -2.0];
/// assert_eq!(reg.penalty(&p), 2.5); // 0.5 · (1 + 4)
/// let mut grad = [0.0, 0.0];
/// reg.add_gradient(&p, &mut grad);
/// assert_eq!(grad, [1.0, -2.0]); // 2 · 0.5 · p
/// # Ok::<(), nn::Error>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub enum Regularization {
    /// No penalty.
    #[default]
    None,
    /// `rate · Σ |pᵢ|`.
    L1(f64),
    /// `rate · Σ pᵢ²`.
    L2(f64),
}

fn check_rate(rate: f64) -> Result<f64> {
    if rate.is_finite() && rate >= 0.0 {
        Ok(rate)
    } else {
        Err(Error::invalid(
            "reg_rate",
            format!("the regularisation rate must be finite and ≥ 0, got {rate}"),
        ))
    }
}

impl Regularization {
    /// L1 with a rate.
    ///
    /// # Errors
    /// [`Error::InvalidSetting`] (`reg_rate`) if the rate is negative or not finite.
    pub fn l1(rate: f64) -> Result<Self> {
        check_rate(rate).map(Regularization::L1)
    }

    /// L2 with a rate.
    ///
    /// # Errors
    /// [`Error::InvalidSetting`] (`reg_rate`) if the rate is negative or not finite.
    pub fn l2(rate: f64) -> Result<Self> {
        check_rate(rate).map(Regularization::L2)
    }

    /// From a command-line name (`none`, `l1`, `l2`) and a rate.
    ///
    /// # Errors
    /// [`Error::InvalidSetting`] for `regularization` on an unknown name, or `reg_rate`.
    pub fn from_name(name: &str, rate: f64) -> Result<Self> {
        match name {
            "none" => check_rate(rate).map(|_| Regularization::None),
            "l1" => Self::l1(rate),
            "l2" => Self::l2(rate),
            _ => Err(Error::invalid(
                "regularization",
                format!("unknown regularization '{name}' (expected none, l1 or l2)"),
            )),
        }
    }

    /// `R(p)`.
    ///
    /// # Complexity
    /// **O(n)**.
    pub fn penalty(&self, params: &[f64]) -> f64 {
        match *self {
            Regularization::None => 0.0,
            Regularization::L1(rate) => rate * params.iter().map(|p| p.abs()).sum::<f64>(),
            Regularization::L2(rate) => rate * params.iter().map(|p| p * p).sum::<f64>(),
        }
    }

    /// `grad += ∂R/∂p`.
    ///
    /// # Panics
    /// If the slices differ in length.
    pub fn add_gradient(&self, params: &[f64], grad: &mut [f64]) {
        assert_eq!(params.len(), grad.len(), "nn: one gradient per parameter");
        match *self {
            Regularization::None => {}
            Regularization::L1(rate) => {
                for (g, p) in grad.iter_mut().zip(params) {
                    if *p != 0.0 {
                        *g += rate * p.signum();
                    }
                }
            }
            Regularization::L2(rate) => {
                for (g, p) in grad.iter_mut().zip(params) {
                    *g += 2.0 * rate * p;
                }
            }
        }
    }

    /// `R(p)` recorded on the parameters' graph (`None` for no penalty).
    #[must_use]
    pub fn penalty_graph<'g>(&self, params: &[Var<'g>]) -> Option<Var<'g>> {
        let (rate, terms): (f64, Vec<Var<'g>>) = match *self {
            Regularization::None => return None,
            Regularization::L1(rate) => (rate, params.iter().map(|p| p.abs()).collect()),
            Regularization::L2(rate) => (rate, params.iter().map(|p| p.square()).collect()),
        };
        let (&first, rest) = terms.split_first()?;
        Some(rest.iter().fold(first, |s, &t| s + t) * rate)
    }

    /// The command-line name.
    pub fn name(&self) -> &'static str {
        match self {
            Regularization::None => "none",
            Regularization::L1(_) => "l1",
            Regularization::L2(_) => "l2",
        }
    }
}

impl fmt::Display for Regularization {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Regularization::None => f.write_str("none"),
            Regularization::L1(r) | Regularization::L2(r) => write!(f, "{} {r}", self.name()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    #[test]
    fn penalties_and_gradients_match_hand_computations() {
        let p = [0.5, -2.0, 0.0];
        // L1: 0.1 · (0.5 + 2 + 0) = 0.25; gradient 0.1 · sign p = (0.1, −0.1, 0)
        let l1 = Regularization::l1(0.1).unwrap();
        assert_relative_eq!(l1.penalty(&p), 0.25, max_relative = 1e-15);
        let mut g = [1.0; 3];
        l1.add_gradient(&p, &mut g);
        assert_eq!(g, [1.1, 0.9, 1.0]);
        // L2: 0.1 · (0.25 + 4 + 0) = 0.425; gradient 0.2 · p = (0.1, −0.4, 0)
        let l2 = Regularization::l2(0.1).unwrap();
        assert_relative_eq!(l2.penalty(&p), 0.425, max_relative = 1e-15);
        let mut g = [0.0; 3];
        l2.add_gradient(&p, &mut g);
        assert_relative_eq!(g[0], 0.1, max_relative = 1e-15);
        assert_relative_eq!(g[1], -0.4, max_relative = 1e-15);
        assert_eq!(Regularization::None.penalty(&p), 0.0);
    }

    #[test]
    fn the_graph_penalty_agrees_with_the_plain_one_and_finite_differences() {
        let p = [0.5, -2.0, 0.3];
        for reg in [Regularization::L1(0.1), Regularization::L2(0.1)] {
            let report = autodiff::gradcheck(|_g, v| reg.penalty_graph(v).expect("a penalty"), &p);
            assert!(report.passed(), "{reg}:\n{report}");
            assert_relative_eq!(report.value, reg.penalty(&p), max_relative = 1e-15);
            let mut g = [0.0; 3];
            reg.add_gradient(&p, &mut g);
            for (row, g) in report.rows.iter().zip(g) {
                assert_relative_eq!(row.tape, g, max_relative = 1e-15);
            }
        }
    }

    #[test]
    fn bad_rates_and_names_name_the_setting() {
        let e = Regularization::l2(-1.0).unwrap_err();
        assert_eq!(e.setting(), Some("reg_rate"), "{e}");
        let e = Regularization::from_name("l3", 0.1).unwrap_err();
        assert_eq!(e.setting(), Some("regularization"), "{e}");
        assert_eq!(
            Regularization::from_name("l1", 0.1),
            Ok(Regularization::L1(0.1))
        );
    }
}
