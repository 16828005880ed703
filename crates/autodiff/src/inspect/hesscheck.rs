//! Hessian check: the Hessian of the recorded backward pass against central finite
//! differences of the gradient, the second-order counterpart of [`gradcheck`](super::gradcheck).
//!
//! Entry `(i, j)`'s numeric estimate is `(∂f/∂xᵢ(x + hⱼeⱼ) − ∂f/∂xᵢ(x − hⱼeⱼ)) / 2hⱼ` with
//! the gradient from [`Var::backward`] and `hⱼ = ∛ε · max(1, |xⱼ|)`. An entry passes when
//! `|recorded − numeric| ≤ atol + rtol · |numeric|`, with `atol = atol₀ · max(1, max |∇f|)`.

use std::fmt;

use ndarray::Array2;

use super::gradcheck::Tolerance;
use crate::{Graph, Var};

/// The report of [`hesscheck`]: both Hessians and the entries that failed.
#[derive(Clone, Debug, PartialEq)]
pub struct HessCheck {
    /// `f(x)`.
    pub value: f64,
    /// The Hessian of the recorded backward pass ([`Var::hessian`]).
    pub recorded: Array2<f64>,
    /// Central differences of the gradient.
    pub numeric: Array2<f64>,
    /// The entries `(i, j)` outside the tolerance.
    pub failed: Vec<(usize, usize)>,
    /// The tolerance the entries were judged by.
    pub tolerance: Tolerance,
}

impl HessCheck {
    /// Whether every entry passed.
    pub fn passed(&self) -> bool {
        self.failed.is_empty()
    }
}

/// Checks the Hessian of `f` at `inputs` against central differences of its gradient,
/// with a tolerance of `rtol = 1e-4`, `atol = 1e-6` (second differences lose more digits
/// than first ones).
///
/// `f` builds the expression on the graph it is given from the input leaves it is given;
/// it is called once for the Hessian and twice per input for the differences.
///
/// # Complexity
/// `2n + 1` evaluations of `f` and its gradient, and `n` sweeps, for `n` inputs.
///
/// # Examples
/// ```
/// use autodiff::hesscheck;
///
/// // f(x, y) = x² sin y: H = [[2 sin y, 2x cos y], [2x cos y, -x² sin y]]
/// let report = hesscheck(|_g, v| v[0].square() * v[1].sin(), &[1.5, 0.3]);
/// assert!(report.passed(), "{report}");
/// assert_eq!(report.recorded[[0, 0]], 2.0 * 0.3_f64.sin());
///
/// // a value read while recording freezes it: the gradient x.value() is right, the
/// // Hessian (0) is not, and the check says so
/// let frozen = hesscheck(|_g, v| v[0] * v[0].value(), &[2.0]);
/// assert!(!frozen.passed());
/// ```
pub fn hesscheck<F>(f: F, inputs: &[f64]) -> HessCheck
where
    F: for<'g> Fn(&'g Graph, &[Var<'g>]) -> Var<'g>,
{
    let tolerance = Tolerance {
        rtol: 1e-4,
        atol: 1e-6,
    };
    let gradient = |x: &[f64]| {
        let g = Graph::new();
        let leaves: Vec<Var<'_>> = x.iter().map(|&v| g.var(v)).collect();
        f(&g, &leaves).backward().wrt_all(&leaves)
    };
    let g = Graph::new();
    let leaves: Vec<Var<'_>> = inputs.iter().map(|&x| g.var(x)).collect();
    let y = f(&g, &leaves);
    let value = y.value();
    let recorded = y.hessian(&leaves);
    let n = inputs.len();
    let scale = gradient(inputs).iter().fold(1.0_f64, |m, d| m.max(d.abs()));
    let atol = tolerance.atol * scale;
    let mut numeric = Array2::zeros((n, n));
    let mut failed = Vec::new();
    for j in 0..n {
        let h = f64::EPSILON.cbrt() * inputs[j].abs().max(1.0);
        let (mut up, mut down) = (inputs.to_vec(), inputs.to_vec());
        up[j] += h;
        down[j] -= h;
        let (gu, gd) = (gradient(&up), gradient(&down));
        for i in 0..n {
            // the step actually taken, after rounding of x ± h
            let estimate = (gu[i] - gd[i]) / (up[j] - down[j]);
            numeric[[i, j]] = estimate;
            let error = (recorded[[i, j]] - estimate).abs();
            // a NaN error fails too
            let within = error <= atol + tolerance.rtol * estimate.abs();
            if !within {
                failed.push((i, j));
            }
        }
    }
    HessCheck {
        value,
        recorded,
        numeric,
        failed,
        tolerance,
    }
}

impl fmt::Display for HessCheck {
    /// One line per entry: recorded, numeric, absolute error, pass/fail.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{:>6} {:>22} {:>22} {:>10}  ok",
            "entry", "recorded", "numeric", "abs err"
        )?;
        for ((i, j), &r) in self.recorded.indexed_iter() {
            let n = self.numeric[[i, j]];
            let ok = !self.failed.contains(&(i, j));
            writeln!(
                f,
                "{:>6} {r:>22.15e} {n:>22.15e} {:>10.2e}  {}",
                format!("{i},{j}"),
                (r - n).abs(),
                if ok { "yes" } else { "NO" }
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lecture_cost_passes() {
        // C = ½ (t − w2 S(w1 S(w0 s0)))² at the slides' point
        let report = hesscheck(
            |g, w| {
                let s0 = g.constant(2.0);
                let out = w[2] * (w[1] * (w[0] * s0).sigmoid()).sigmoid();
                (0.7 - out).square() * 0.5
            },
            &[2.0, 1.0, 0.5],
        );
        assert!(report.passed(), "{report}");
        assert!(report.recorded.iter().all(|h| h.is_finite()));
    }

    #[test]
    fn a_hessian_missing_a_term_fails() {
        // x · x.value(): gradient right at every point, Hessian 0 instead of 1
        let report = hesscheck(|_g, v| v[0] * v[0].value() + v[1].sin(), &[2.0, 0.5]);
        assert_eq!(report.failed, vec![(0, 0)]);
        assert_eq!(report.recorded[[0, 0]], 0.0);
        assert!((report.numeric[[0, 0]] - 1.0).abs() < 1e-6);
    }
}
