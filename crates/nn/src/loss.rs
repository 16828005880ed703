//! Losses of one sample and the regularisation penalty on the parameters.
//!
//! Binary classification labels are `±1` (as in the playground); a loss that wants
//! `{0, 1}` maps `t = (y + 1) / 2` itself. Multi-class labels are class indices
//! `0, 1, …, K − 1`, scored by [`softmax_cross_entropy`] over the network's `K` outputs.
//! A minibatch's loss is the mean of its samples'.
//!
//! | loss | one sample, score `s`, label `y` | `∂/∂s` |
//! |---|---|---|
//! | [`mse`] | `(s − y)²` | `2(s − y)` |
//! | [`bce_with_logits`] | `max(s, 0) − s·t + ln(1 + e^−|s|)` = `softplus(s) − s·t` | `S(s) − t` |
//! | [`hinge`] | `max(0, 1 − y·s)` | `−y` if `y·s < 1`, else 0 |
//! | [`softmax_cross_entropy`] | `ln Σₖ e^{zₖ} − z_y` over logits `z₁ … z_K` | `softmax(z) − one_hot(y)` |

use std::fmt;
use std::str::FromStr;

use autodiff::{Op, Scalar, Var};

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

/// The most classes [`softmax_cross_entropy`] is used with (a network's outputs, a data
/// file's label values).
pub const MAX_CLASSES: usize = 256;

/// Softmax cross-entropy of `K` logits `z` against the class index `class ∈ {0, …, K−1}`:
/// `−ln softmax(z)_class = ln Σₖ e^{zₖ} − z_class`, the loss of multi-class classification.
///
/// Computed stably as `ln Σₖ e^{zₖ − m} + (m − z_class)` with `m = maxₖ zₖ` (so every
/// exponent is ≤ 0 and no `e^{zₖ}` overflows; at logits of ±1000 the loss is finite). `m`
/// is recorded with the engine's `max`, since a tape replays the same ops on other values;
/// its gradient `1 − Σₖ softmaxₖ` is 0 up to rounding, so the gradient is
/// `softmax(z) − one_hot(class)` to rounding. The one-hot vector is recorded from the label
/// as `relu(1 − |class − k|)`, exactly 1 at `k = class` and 0 at the other whole numbers.
///
/// Written once over [`Scalar`], so the `f64` run gives the same bits as the recorded graph.
/// A `class` that is not a whole number in `0..K` matches no output (the loss is then
/// `ln Σ e^{zₖ}` alone): check labels first (the backends and [`crate::evaluate`] do).
///
/// # Examples
/// ```
/// let g = autodiff::Graph::new();
/// let z = [g.var(1000.0), g.var(-1000.0), g.var(0.0)];
/// let l = nn::loss::softmax_cross_entropy(&z, g.constant(1.0));
/// let grads = l.backward();
/// assert_eq!(l.value(), 2000.0); // ln(e⁰ + e⁻²⁰⁰⁰ + e⁻¹⁰⁰⁰) + (1000 − (−1000))
/// assert_eq!([grads.wrt(z[0]), grads.wrt(z[1]), grads.wrt(z[2])], [1.0, -1.0, 0.0]);
/// ```
///
/// # Panics
/// If `logits` is empty.
#[must_use]
pub fn softmax_cross_entropy<T: Scalar>(logits: &[T], class: T) -> T {
    let (&first, rest) = logits
        .split_first()
        .expect("nn: softmax cross-entropy of no logits");
    let max = rest.iter().fold(first, |m, &z| m.binary(Op::Max, z));
    let mut sum_exp = (first - max).exp();
    let mut picked = hot(class, 0.0) * first;
    for (k, &z) in rest.iter().enumerate() {
        sum_exp = sum_exp + (z - max).exp();
        picked = picked + hot(class, (k + 1) as f64) * z;
    }
    sum_exp.ln() + (max - picked)
}

/// `relu(1 − |class − k|)`: 1 where `class == k`, 0 at every other whole number.
fn hot<T: Scalar>(class: T, k: f64) -> T {
    (class - k).abs().unary(Op::ScalarSub(1.0)).relu()
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
    /// [`softmax_cross_entropy`] of the network's `K ≥ 2` outputs against the label, a
    /// class index `0, …, K − 1`.
    SoftmaxCrossEntropy,
}

impl Loss {
    /// Every loss.
    pub const ALL: [Loss; 4] = [
        Loss::Mse,
        Loss::BinaryCrossEntropy,
        Loss::Hinge,
        Loss::SoftmaxCrossEntropy,
    ];

    /// The losses of one output (labels `±1`, or real numbers for [`Loss::Mse`]).
    pub const ONE_OUTPUT: [Loss; 3] = [Loss::Mse, Loss::BinaryCrossEntropy, Loss::Hinge];

    /// Records the loss of one sample with output `score` and label `label` (a network of
    /// one output; see [`Loss::of_outputs`] for several).
    #[must_use]
    pub fn sample<'g>(self, score: Var<'g>, label: Var<'g>) -> Var<'g> {
        self.of_outputs(&[score], label)
    }

    /// Records the loss of one sample with the network's outputs `outputs` and its label:
    /// the one-output losses score `outputs[0]`, [`Loss::SoftmaxCrossEntropy`] all of them.
    ///
    /// # Panics
    /// If `outputs` is empty.
    #[must_use]
    pub fn of_outputs<'g>(self, outputs: &[Var<'g>], label: Var<'g>) -> Var<'g> {
        match self {
            Loss::Mse => mse(outputs[0], label),
            Loss::BinaryCrossEntropy => bce_with_logits(outputs[0], (label + 1.0) * 0.5),
            Loss::Hinge => hinge(outputs[0], label),
            Loss::SoftmaxCrossEntropy => softmax_cross_entropy(outputs, label),
        }
    }

    /// The same loss on plain numbers (computed on a two-leaf graph, so it is the very
    /// same arithmetic as [`Loss::sample`]).
    pub fn eval(self, score: f64, label: f64) -> f64 {
        self.eval_outputs(&[score], label)
    }

    /// [`Loss::of_outputs`] on plain numbers, with the very same arithmetic.
    ///
    /// # Panics
    /// If `outputs` is empty.
    pub fn eval_outputs(self, outputs: &[f64], label: f64) -> f64 {
        if self == Loss::SoftmaxCrossEntropy {
            return softmax_cross_entropy(outputs, label);
        }
        let g = autodiff::Graph::with_capacity(6, 6);
        self.sample(g.constant(outputs[0]), g.constant(label))
            .value()
    }

    /// Whether this loss fits a network with `outputs` outputs: one for the one-output
    /// losses, 2 to [`MAX_CLASSES`] for [`Loss::SoftmaxCrossEntropy`].
    ///
    /// # Errors
    /// [`Error::InvalidSetting`] (`loss`) naming the loss and the number of outputs.
    pub fn check_outputs(self, outputs: usize) -> Result<()> {
        let fits = match self {
            Loss::SoftmaxCrossEntropy => (2..=MAX_CLASSES).contains(&outputs),
            _ => outputs == 1,
        };
        if fits {
            return Ok(());
        }
        let wanted = match self {
            Loss::SoftmaxCrossEntropy => format!("2 to {MAX_CLASSES} outputs (one per class)"),
            _ => "one output".to_string(),
        };
        Err(Error::invalid(
            "loss",
            format!("the {self} loss needs a network with {wanted}, got {outputs}"),
        ))
    }

    /// Whether `label` is a label this loss can score with `outputs` outputs: any finite
    /// number for the one-output losses, a class index `0..outputs` for
    /// [`Loss::SoftmaxCrossEntropy`].
    pub fn accepts_label(self, label: f64, outputs: usize) -> bool {
        match self {
            Loss::SoftmaxCrossEntropy => {
                label >= 0.0 && label.fract() == 0.0 && label < outputs as f64
            }
            _ => label.is_finite(),
        }
    }

    /// The name used on the command line (`mse`, `bce`, `hinge`, `softmax`).
    pub fn name(self) -> &'static str {
        match self {
            Loss::Mse => "mse",
            Loss::BinaryCrossEntropy => "bce",
            Loss::Hinge => "hinge",
            Loss::SoftmaxCrossEntropy => "softmax",
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
                    format!("unknown loss '{s}' (expected mse, bce, hinge or softmax)"),
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
        for loss in Loss::ONE_OUTPUT {
            for (s, y) in [(0.3, 1.0), (-1.7, 1.0), (0.8, -1.0), (2.5, -1.0)] {
                let report = autodiff::gradcheck(|g, v| loss.sample(v[0], g.constant(y)), &[s]);
                assert!(report.passed(), "{loss} at s={s}, y={y}:\n{report}");
            }
        }
    }

    #[test]
    fn plain_evaluation_equals_the_graph() {
        for loss in Loss::ONE_OUTPUT {
            assert_eq!(loss.eval(0.3, -1.0), value_and_slope(loss, 0.3, -1.0).0);
        }
    }

    /// Softmax of `z` in the textbook form, with the max subtracted.
    fn softmax(z: &[f64]) -> Vec<f64> {
        let m = z.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let e: Vec<f64> = z.iter().map(|v| (v - m).exp()).collect();
        let s: f64 = e.iter().sum();
        e.iter().map(|v| v / s).collect()
    }

    /// The loss and its gradient with respect to the logits, from a recorded graph.
    fn softmax_loss_and_gradient(z: &[f64], class: usize) -> (f64, Vec<f64>) {
        let g = Graph::new();
        let vars: Vec<_> = z.iter().map(|&v| g.var(v)).collect();
        let l = softmax_cross_entropy(&vars, g.constant(class as f64));
        let grads = l.backward();
        (l.value(), vars.iter().map(|&v| grads.wrt(v)).collect())
    }

    #[test]
    fn softmax_gradient_is_softmax_minus_one_hot() {
        let cases: [(&[f64], usize); 5] = [
            (&[0.3, -1.2, 2.0], 0),
            (&[0.3, -1.2, 2.0], 2),
            (&[1.0, 1.0, 1.0, 1.0], 3), // a tie for the max
            (&[-5.0, 4.0], 1),
            (&[0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0], 6),
        ];
        for (z, class) in cases {
            let (value, grad) = softmax_loss_and_gradient(z, class);
            let p = softmax(z);
            assert_relative_eq!(value, -p[class].ln(), max_relative = 1e-14);
            for (k, (g, pk)) in grad.iter().zip(&p).enumerate() {
                let expected = pk - if k == class { 1.0 } else { 0.0 };
                assert_relative_eq!(*g, expected, epsilon = 1e-15, max_relative = 1e-14);
            }
            // the f64 run is the same arithmetic, bit for bit
            assert_eq!(
                Loss::SoftmaxCrossEntropy.eval_outputs(z, class as f64),
                value
            );
        }
    }

    #[test]
    fn softmax_passes_a_finite_difference_check() {
        for class in 0..4 {
            let z = [0.5, -0.3, 1.7, -2.2];
            let report = autodiff::gradcheck(
                |g, v| softmax_cross_entropy(v, g.constant(class as f64)),
                &z,
            );
            assert!(report.passed(), "class {class}:\n{report}");
        }
    }

    #[test]
    fn softmax_is_finite_at_huge_logits() {
        // exp(1000) overflows; with the max subtracted nothing does
        let (value, grad) = softmax_loss_and_gradient(&[1000.0, -1000.0, 0.0], 1);
        assert_eq!((value, grad), (2000.0, vec![1.0, -1.0, 0.0]));
        let (value, grad) = softmax_loss_and_gradient(&[1000.0, -1000.0, 0.0], 0);
        assert_eq!((value, grad), (0.0, vec![0.0, 0.0, 0.0]));
        let (value, grad) = softmax_loss_and_gradient(&[-1000.0, -1000.0], 0);
        assert_relative_eq!(value, 2f64.ln(), max_relative = 1e-15);
        assert_eq!(grad, [-0.5, 0.5]);
        let (value, grad) = softmax_loss_and_gradient(&[1000.0, 999.0, 1000.0], 1);
        assert!(value.is_finite() && grad.iter().all(|g| g.is_finite()));
        let p = softmax(&[1000.0, 999.0, 1000.0]);
        assert_relative_eq!(value, -p[1].ln(), max_relative = 1e-14);
        assert_relative_eq!(grad[1], p[1] - 1.0, max_relative = 1e-14);
    }

    #[test]
    fn losses_check_the_number_of_outputs_and_their_labels() {
        assert!(Loss::SoftmaxCrossEntropy.check_outputs(10).is_ok());
        assert!(Loss::Mse.check_outputs(1).is_ok());
        let e = Loss::SoftmaxCrossEntropy.check_outputs(1).unwrap_err();
        assert_eq!(e.setting(), Some("loss"));
        assert_eq!(
            e.to_string(),
            "the softmax loss needs a network with 2 to 256 outputs (one per class), got 1"
        );
        assert!(Loss::SoftmaxCrossEntropy.check_outputs(257).is_err());
        let e = Loss::BinaryCrossEntropy.check_outputs(10).unwrap_err();
        assert_eq!(
            e.to_string(),
            "the bce loss needs a network with one output, got 10"
        );
        let s = Loss::SoftmaxCrossEntropy;
        assert!(s.accepts_label(0.0, 3) && s.accepts_label(2.0, 3));
        for bad in [-1.0, 3.0, 0.5, f64::NAN, f64::INFINITY] {
            assert!(!s.accepts_label(bad, 3), "{bad}");
        }
        assert!(Loss::Mse.accepts_label(0.5, 1) && !Loss::Mse.accepts_label(f64::NAN, 1));
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
