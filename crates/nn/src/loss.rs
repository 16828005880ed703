//! Losses of one sample and the regularisation penalty on the parameters.
//!
//! Classification labels are `±1` throughout (as in the playground); a loss that wants
//! `{0, 1}` maps `t = (y + 1) / 2` itself. A minibatch's loss is the mean of its samples'.
//!
//! | loss | one sample, score `s`, label `y` | `∂/∂s` |
//! |---|---|---|
//! | [`mse`] | `(s − y)²` | `2(s − y)` |
//! | [`bce_with_logits`] | `max(s, 0) − s·t + ln(1 + e^−|s|)` = `softplus(s) − s·t` | `S(s) − t` |
//! | [`hinge`] | `max(0, 1 − y·s)` | `−y` if `y·s < 1`, else 0 |

use std::fmt;
use std::str::FromStr;

use autodiff::Var;

use crate::{Error, Result};

/// Squared error `(prediction − target)²` of one sample.
///
/// # Examples
/// ```
/// let g = autodiff::Graph::new();
/// let (s, y) = (g.var(0.5), g.constant(2.0));
/// let l = nn::loss::mse(s, y);
/// assert_eq!((l.value(), l.backward().wrt(s)), (2.25, -3.0)); // (s−y)², 2(s−y)
/// ```
#[must_use]
pub fn mse<'g>(prediction: Var<'g>, target: Var<'g>) -> Var<'g> {
    (prediction - target).square()
}

/// Binary cross-entropy of a logit `z` against a target probability `t ∈ [0, 1]`, in the
/// numerically stable form `max(z, 0) − z·t + ln(1 + e^−|z|) = softplus(z) − z·t`
/// (the engine's softplus is that stable form). `−t ln S(z) − (1−t) ln(1 − S(z))` is never
/// computed, so no `ln 0` and no overflow: at `z = 800, t = 0` the loss is 800 and
/// `∂L/∂z = S(z) − t = 1`.
///
/// # Examples
/// ```
/// let g = autodiff::Graph::new();
/// let (z, t) = (g.var(-800.0), g.constant(1.0));
/// let l = nn::loss::bce_with_logits(z, t);
/// assert_eq!((l.value(), l.backward().wrt(z)), (800.0, -1.0));
/// ```
#[must_use]
pub fn bce_with_logits<'g>(logit: Var<'g>, target: Var<'g>) -> Var<'g> {
    logit.softplus() - logit * target
}

/// The max-margin (hinge) loss `max(0, 1 − y·s)` of a score `s` against a label `y = ±1`.
///
/// # Examples
/// ```
/// let g = autodiff::Graph::new();
/// let (s, y) = (g.var(0.25), g.constant(-1.0));
/// let l = nn::loss::hinge(s, y);
/// assert_eq!((l.value(), l.backward().wrt(s)), (1.25, 1.0)); // 1 − y·s, −y
/// ```
#[must_use]
pub fn hinge<'g>(score: Var<'g>, label: Var<'g>) -> Var<'g> {
    (1.0 - label * score).relu()
}

/// A per-sample loss, chosen by name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Loss {
    /// [`mse`] against the label (regression, or classification with `±1` targets).
    Mse,
    /// [`bce_with_logits`] with the label `±1` mapped to `t = (y + 1) / 2`.
    BinaryCrossEntropy,
    /// [`hinge`] against the label `±1`.
    Hinge,
}

impl Loss {
    /// Every loss.
    pub const ALL: [Loss; 3] = [Loss::Mse, Loss::BinaryCrossEntropy, Loss::Hinge];

    /// Records the loss of one sample with output `score` and label `label`.
    #[must_use]
    pub fn sample<'g>(self, score: Var<'g>, label: Var<'g>) -> Var<'g> {
        match self {
            Loss::Mse => mse(score, label),
            Loss::BinaryCrossEntropy => bce_with_logits(score, (label + 1.0) * 0.5),
            Loss::Hinge => hinge(score, label),
        }
    }

    /// The same loss on plain numbers (computed on a two-leaf graph, so it is the very
    /// same arithmetic as [`Loss::sample`]).
    pub fn eval(self, score: f64, label: f64) -> f64 {
        let g = autodiff::Graph::with_capacity(6, 6);
        self.sample(g.constant(score), g.constant(label)).value()
    }

    /// The name used on the command line (`mse`, `bce`, `hinge`).
    pub fn name(self) -> &'static str {
        match self {
            Loss::Mse => "mse",
            Loss::BinaryCrossEntropy => "bce",
            Loss::Hinge => "hinge",
        }
    }
}

impl fmt::Display for Loss {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Loss {
    type Err = Error;

    /// # Errors
    /// [`Error::InvalidSetting`] for `loss` on an unknown name.
    fn from_str(s: &str) -> Result<Self> {
        Loss::ALL
            .into_iter()
            .find(|l| l.name() == s)
            .ok_or_else(|| {
                Error::invalid(
                    "loss",
                    format!("unknown loss '{s}' (expected mse, bce or hinge)"),
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;
    use autodiff::Graph;

    fn value_and_slope(loss: Loss, s: f64, y: f64) -> (f64, f64) {
        let g = Graph::new();
        let sv = g.var(s);
        let l = loss.sample(sv, g.constant(y));
        (l.value(), l.backward().wrt(sv))
    }

    #[test]
    fn each_loss_matches_a_hand_computation() {
        let sig = |z: f64| 1.0 / (1.0 + (-z).exp());
        // mse: (0.3 − 1)² = 0.49, slope 2(0.3 − 1) = −1.4
        let (v, d) = value_and_slope(Loss::Mse, 0.3, 1.0);
        assert_relative_eq!(v, 0.49, max_relative = 1e-15);
        assert_relative_eq!(d, -1.4, max_relative = 1e-15);
        // bce, y = +1 (t = 1): −ln S(0.3) = ln(1 + e^−0.3), slope S(0.3) − 1
        let (v, d) = value_and_slope(Loss::BinaryCrossEntropy, 0.3, 1.0);
        assert_relative_eq!(v, (1.0 + (-0.3_f64).exp()).ln(), max_relative = 1e-14);
        assert_relative_eq!(d, sig(0.3) - 1.0, max_relative = 1e-14);
        // bce, y = −1 (t = 0): −ln(1 − S(0.3)) = ln(1 + e^0.3), slope S(0.3)
        let (v, d) = value_and_slope(Loss::BinaryCrossEntropy, 0.3, -1.0);
        assert_relative_eq!(v, (1.0 + 0.3_f64.exp()).ln(), max_relative = 1e-14);
        assert_relative_eq!(d, sig(0.3), max_relative = 1e-14);
        // hinge, y = −1: 1 − (−1)(0.3) = 1.3, slope 1; y = +1 at s = 2: 0, slope 0
        assert_eq!(value_and_slope(Loss::Hinge, 0.3, -1.0), (1.3, 1.0));
        assert_eq!(value_and_slope(Loss::Hinge, 2.0, 1.0), (0.0, 0.0));
    }

    #[test]
    fn bce_from_logits_is_stable_at_huge_logits() {
        // RELIABILITY B.11: loss = max(z,0) − z·t + ln_1p(e^−|z|)
        let g = Graph::new();
        let z = g.var(800.0);
        let l = bce_with_logits(z, g.constant(0.0));
        assert_eq!((l.value(), l.backward().wrt(z)), (800.0, 1.0));
        let z = g.var(-800.0);
        let l = bce_with_logits(z, g.constant(1.0));
        assert_eq!((l.value(), l.backward().wrt(z)), (800.0, -1.0));
        // the confident right answers cost nothing and pull nowhere
        let z = g.var(800.0);
        let l = bce_with_logits(z, g.constant(1.0));
        assert_eq!((l.value(), l.backward().wrt(z)), (0.0, 0.0));
    }

    #[test]
    fn every_loss_passes_a_finite_difference_check() {
        for loss in Loss::ALL {
            for (s, y) in [(0.3, 1.0), (-1.7, 1.0), (0.8, -1.0), (2.5, -1.0)] {
                let report = autodiff::gradcheck(|g, v| loss.sample(v[0], g.constant(y)), &[s]);
                assert!(report.passed(), "{loss} at s={s}, y={y}:\n{report}");
            }
        }
    }

    #[test]
    fn plain_evaluation_equals_the_graph() {
        for loss in Loss::ALL {
            assert_eq!(loss.eval(0.3, -1.0), value_and_slope(loss, 0.3, -1.0).0);
        }
    }

    #[test]
    fn names_round_trip_and_unknown_names_name_the_setting() {
        for loss in Loss::ALL {
            assert_eq!(loss.name().parse::<Loss>(), Ok(loss));
        }
        let e = "huber".parse::<Loss>().unwrap_err();
        assert_eq!(e.setting(), Some("loss"), "{e}");
    }
}
