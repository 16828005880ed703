//! Gradient check: the tape's gradient against central finite differences.
//!
//! For each input `xᵢ`, the numeric derivative is
//! `(f(x + hᵢeᵢ) - f(x - hᵢeᵢ)) / 2hᵢ` with `hᵢ = ∛ε · max(1, |xᵢ|) ≈ 6.06e-6 · max(1, |xᵢ|)`,
//! the step that balances the O(h²) truncation error against the O(ε/h) rounding error.
//! A row passes when `|tape - numeric| ≤ atol + rtol · |numeric|`, with
//! `atol = atol₀ · max(1, |f(x)|)`.

use std::fmt;

use crate::{Graph, Var};

/// The tolerance of a gradient check: `|tape - numeric| ≤ atol·max(1, |f|) + rtol·|numeric|`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Tolerance {
    /// Relative tolerance (default `1e-5`).
    pub rtol: f64,
    /// Absolute tolerance, scaled by `max(1, |f(x)|)` (default `1e-8`).
    pub atol: f64,
}

impl Default for Tolerance {
    fn default() -> Self {
        Tolerance {
            rtol: 1e-5,
            atol: 1e-8,
        }
    }
}

/// One input's line of a [`GradCheck`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Row {
    /// The input's value.
    pub input: f64,
    /// Reverse-mode gradient from the tape.
    pub tape: f64,
    /// Central finite-difference estimate.
    pub numeric: f64,
    /// `|tape - numeric|`.
    pub abs_error: f64,
    /// `|tape - numeric| / |numeric|` (∞ when `numeric` is 0 and the tape is not).
    pub rel_error: f64,
    /// Whether the row is within the tolerance.
    pub passed: bool,
}

/// The report of [`gradcheck`]: the function's value and one [`Row`] per input.
#[derive(Clone, Debug, PartialEq)]
pub struct GradCheck {
    /// `f(x)`.
    pub value: f64,
    /// One row per input, in order.
    pub rows: Vec<Row>,
    /// The tolerance the rows were judged by.
    pub tolerance: Tolerance,
}

impl GradCheck {
    /// Whether every row passed.
    pub fn passed(&self) -> bool {
        self.rows.iter().all(|r| r.passed)
    }
}

/// Checks the tape gradient of `f` at `inputs` against central finite differences, with the
/// default [`Tolerance`].
///
/// `f` builds the expression on the graph it is given from the input leaves it is given;
/// it is called once for the tape and twice per input for the differences, each time on a
/// fresh graph.
///
/// # Complexity
/// `2n + 1` evaluations of `f` for `n` inputs.
///
/// # Examples
/// ```
/// use autodiff::gradcheck;
///
/// // f(x, y) = x·sin(y)
/// let report = gradcheck(|_g, v| v[0] * v[1].sin(), &[1.5, 0.3]);
/// assert!(report.passed());
/// assert_eq!(report.rows[0].tape, 0.3_f64.sin()); // ∂f/∂x = sin y
/// ```
pub fn gradcheck<F>(f: F, inputs: &[f64]) -> GradCheck
where
    F: for<'g> Fn(&'g Graph, &[Var<'g>]) -> Var<'g>,
{
    gradcheck_with(f, inputs, Tolerance::default())
}

/// [`gradcheck`] with a given tolerance.
pub fn gradcheck_with<F>(f: F, inputs: &[f64], tolerance: Tolerance) -> GradCheck
where
    F: for<'g> Fn(&'g Graph, &[Var<'g>]) -> Var<'g>,
{
    let g = Graph::new();
    let leaves: Vec<Var<'_>> = inputs.iter().map(|&x| g.var(x)).collect();
    let y = f(&g, &leaves);
    let value = y.value();
    let tape = y.backward().wrt_all(&leaves);
    let atol = tolerance.atol * value.abs().max(1.0);
    let rows = (0..inputs.len())
        .map(|i| {
            let numeric = central_difference(&f, inputs, i);
            let abs_error = (tape[i] - numeric).abs();
            let rel_error = if numeric != 0.0 {
                abs_error / numeric.abs()
            } else if abs_error == 0.0 {
                0.0
            } else {
                f64::INFINITY
            };
            Row {
                input: inputs[i],
                tape: tape[i],
                numeric,
                abs_error,
                rel_error,
                passed: abs_error <= atol + tolerance.rtol * numeric.abs(),
            }
        })
        .collect();
    GradCheck {
        value,
        rows,
        tolerance,
    }
}

/// The central finite difference of `f` in input `i`, step `∛ε · max(1, |xᵢ|)`.
pub fn central_difference<F>(f: &F, inputs: &[f64], i: usize) -> f64
where
    F: for<'g> Fn(&'g Graph, &[Var<'g>]) -> Var<'g>,
{
    let h = f64::EPSILON.cbrt() * inputs[i].abs().max(1.0);
    let at = |x_i: f64| {
        let g = Graph::new();
        let leaves: Vec<Var<'_>> = inputs
            .iter()
            .enumerate()
            .map(|(j, &x)| g.var(if j == i { x_i } else { x }))
            .collect();
        f(&g, &leaves).value()
    };
    // The step actually taken, after rounding of x ± h.
    let (up, down) = (inputs[i] + h, inputs[i] - h);
    (at(up) - at(down)) / (up - down)
}

impl fmt::Display for GradCheck {
    /// A table: input, tape, numeric, absolute and relative error, pass/fail.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{:>5} {:>14} {:>22} {:>22} {:>10} {:>10}  ok",
            "input", "value", "tape", "numeric", "abs err", "rel err"
        )?;
        for (i, r) in self.rows.iter().enumerate() {
            writeln!(
                f,
                "{i:>5} {:>14.6e} {:>22.15e} {:>22.15e} {:>10.2e} {:>10.2e}  {}",
                r.input,
                r.tape,
                r.numeric,
                r.abs_error,
                r.rel_error,
                if r.passed { "yes" } else { "NO" }
            )?;
        }
        Ok(())
    }
}
