//! The lecture's least-squares problem as argmin sees it: the mean cost over the rows, its
//! gradient and Hessian (argmin's `CostFunction`, `Gradient`, `Hessian`), and the residuals
//! `rᵢ = outᵢ − targetᵢ` with their Jacobian (`Operator`, `Jacobian`), all from compiled
//! tapes of the net and of its recorded gradient, run in batch lanes over the rows, so any
//! argmin solver runs on the engine's derivatives.
//!
//! ```text
//! C̄(w) = 1/n Σᵢ ½ rᵢ²        ∇C̄ = 1/n Jᵀr        ∇²C̄ = 1/n Σᵢ ∇²Cᵢ   (Jᵢₖ = ∂outᵢ/∂wₖ)
//! ```

use std::sync::Arc;

use argmin::core::{CostFunction, Error as ArgminError, Gradient, Hessian, Jacobian, Operator};
use autodiff::{Graph, Tape};
use ndarray::{Array1, Array2};

use super::MAX_SECOND_ORDER_WEIGHTS;
use crate::data::Sample;
use crate::{Error, Net, Point, Result};

/// The mean cost of a net over rows of data, with derivatives from compiled tapes.
///
/// A cost that is not finite (an overflow at a trial point) is reported as `+∞`, which
/// trust regions and line searches reject; a gradient, Hessian or Jacobian that is not
/// finite is an error, [`Error::NotFinite`], naming the quantity and the weights.
#[derive(Clone)]
pub struct LeastSquares {
    net: Net,
    /// `C` with inputs `[s0, target, w0, w1, …]`.
    cost: Tape,
    /// `∂C/∂wₖ` for each weight, recorded by `Var::backward_graph`, each with the inputs of
    /// `cost`.
    gradient_tapes: Vec<Tape>,
    /// `∂out/∂wₖ` for each weight, like `gradient_tapes`.
    out_gradient_tapes: Vec<Tape>,
    /// `out` with inputs `[s0, target, w0, w1, …]` (it does not depend on `target`; the
    /// inputs match the rows, so batch lanes can run it).
    out: Tape,
    /// The rows `(s0, target)`, `n × 2`.
    rows: Arc<Array2<f64>>,
}

impl LeastSquares {
    /// The problem of fitting `net` to `data`.
    ///
    /// # Errors
    /// [`Error::Config`] if `data` is empty.
    pub fn new(net: Net, data: &[Sample]) -> Result<Self> {
        if data.is_empty() {
            return Err(Error::Config("no data to fit".to_string()));
        }
        let g = Graph::new();
        let point = Point {
            weights: vec![0.0; net.n_weights()],
            s0: 0.0,
            target: 0.0,
        };
        let built = net.build(&g, &point)?;
        let mut inputs = vec![built.s0, built.target];
        inputs.extend(&built.weights);
        let cost = Tape::compile(built.cost, &inputs)?;
        // one tape per weight of each gradient's entries, for batch lanes
        let tapes_of_gradient = |root: autodiff::Var<'_>| {
            let gradient = root.backward_graph();
            built
                .weights
                .iter()
                .map(|&w| Tape::compile(gradient.wrt(w), &inputs))
                .collect::<std::result::Result<Vec<_>, _>>()
        };
        // 2k tapes of size O(k) each: only for nets that Newton and LM take
        let (gradient_tapes, out_gradient_tapes) = if net.n_weights() <= MAX_SECOND_ORDER_WEIGHTS {
            (
                tapes_of_gradient(built.cost)?,
                tapes_of_gradient(built.out)?,
            )
        } else {
            (Vec::new(), Vec::new())
        };
        let out = Tape::compile(built.out, &inputs)?;
        let rows = Array2::from_shape_fn((data.len(), 2), |(i, j)| {
            if j == 0 {
                data[i].s0
            } else {
                data[i].out
            }
        });
        Ok(LeastSquares {
            net,
            cost,
            gradient_tapes,
            out_gradient_tapes,
            out,
            rows: Arc::new(rows),
        })
    }

    /// The net.
    pub fn net(&self) -> Net {
        self.net
    }

    /// The largest `|target|` over the rows.
    pub fn largest_target(&self) -> f64 {
        self.rows.column(1).iter().fold(0.0, |m, t| m.max(t.abs()))
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.rows.nrows()
    }

    /// Whether there are no rows (never: [`LeastSquares::new`] refuses empty data).
    pub fn is_empty(&self) -> bool {
        self.rows.nrows() == 0
    }

    /// Mean cost and its gradient at `w`, in batch lanes across cores.
    ///
    /// # Errors
    /// [`Error::Engine`] if `w` does not fit the net.
    pub fn mean_cost_and_gradient(&self, w: &[f64]) -> Result<(f64, Vec<f64>)> {
        let out = self.cost.par_batch(self.rows.view(), w)?;
        let n = self.len() as f64;
        Ok((out.sum / n, out.gradient.iter().map(|g| g / n).collect()))
    }

    /// The Hessian of the mean cost at `w`: row `k` is the gradient of `∂C/∂wₖ` (the
    /// backward pass recorded as a graph and compiled to its own tape), summed over the rows
    /// in batch lanes across cores; then `(H + Hᵀ) / 2`, which differs from `H` only by
    /// rounding. Equal to the sum of per-row [`Tape::hvp`]s to rounding (tested).
    ///
    /// # Errors
    /// [`Error::Engine`] if `w` does not fit the net; [`Error::Config`] past
    /// [`MAX_SECOND_ORDER_WEIGHTS`] weights.
    ///
    /// # Complexity
    /// **O(rows · weights · gradient tape)**.
    pub fn mean_hessian(&self, w: &[f64]) -> Result<Array2<f64>> {
        self.second_order_available()?;
        let k = w.len();
        let n = self.len() as f64;
        let mut h = Array2::zeros((k, k));
        for (i, tape) in self.gradient_tapes.iter().enumerate() {
            let out = tape.par_batch(self.rows.view(), w)?;
            for (j, d) in out.gradient.iter().enumerate() {
                h[[i, j]] = d / n;
            }
        }
        Ok((&h + &h.t()) / 2.0)
    }

    /// [`Error::Config`] for a net with more than [`MAX_SECOND_ORDER_WEIGHTS`] weights, whose
    /// gradient tapes are not made.
    fn second_order_available(&self) -> Result<()> {
        match self.gradient_tapes.len() {
            0 => Err(Error::Config(format!(
                "second derivatives are computed for at most {MAX_SECOND_ORDER_WEIGHTS} weights, \
                 net {} has {}",
                self.net,
                self.net.n_weights()
            ))),
            _ => Ok(()),
        }
    }

    /// The residuals `rᵢ = outᵢ − targetᵢ` at `w`, in batch lanes across cores.
    ///
    /// # Errors
    /// [`Error::Engine`] if `w` does not fit the net.
    pub fn residuals(&self, w: &[f64]) -> Result<Array1<f64>> {
        let out = self.out.par_batch(self.rows.view(), w)?;
        Ok(out.outputs - self.rows.column(1))
    }

    /// The Jacobian of the residuals, `Jᵢₖ = ∂outᵢ/∂wₖ`: column `k` is the per-row output of
    /// the tape of `∂out/∂wₖ` (`Var::backward_graph` compiled), run in batch lanes.
    ///
    /// # Errors
    /// [`Error::Engine`] if `w` does not fit the net; [`Error::Config`] past
    /// [`MAX_SECOND_ORDER_WEIGHTS`] weights.
    ///
    /// # Complexity
    /// **O(rows · weights · gradient tape)**.
    pub fn jacobian_of_residuals(&self, w: &[f64]) -> Result<Array2<f64>> {
        self.second_order_available()?;
        let mut jacobian = Array2::zeros((self.len(), w.len()));
        for (k, tape) in self.out_gradient_tapes.iter().enumerate() {
            let column = tape.par_batch(self.rows.view(), w)?.outputs;
            jacobian.column_mut(k).assign(&column);
        }
        Ok(jacobian)
    }
}

/// [`Error::NotFinite`], as argmin's error, if a number in `values` is not finite.
pub(crate) fn check_finite<'a>(
    values: impl IntoIterator<Item = &'a f64>,
    quantity: &'static str,
    w: &[f64],
) -> Result<(), ArgminError> {
    match values.into_iter().find(|v| !v.is_finite()) {
        None => Ok(()),
        Some(&value) => Err(Error::NotFinite {
            quantity,
            value,
            weights: w.to_vec(),
        }
        .into()),
    }
}

impl CostFunction for LeastSquares {
    type Param = Array1<f64>;
    type Output = f64;

    /// The mean cost; `+∞` where it is not finite.
    fn cost(&self, w: &Array1<f64>) -> Result<f64, ArgminError> {
        let w = w
            .as_slice()
            .expect("lecture internal error: weights are contiguous");
        let (cost, _) = self.mean_cost_and_gradient(w)?;
        Ok(if cost.is_finite() {
            cost
        } else {
            f64::INFINITY
        })
    }
}

impl Gradient for LeastSquares {
    type Param = Array1<f64>;
    type Gradient = Array1<f64>;

    fn gradient(&self, w: &Array1<f64>) -> Result<Array1<f64>, ArgminError> {
        let w = w
            .as_slice()
            .expect("lecture internal error: weights are contiguous");
        let (_, grad) = self.mean_cost_and_gradient(w)?;
        check_finite(&grad, "gradient of the mean cost", w)?;
        Ok(Array1::from(grad))
    }
}

impl Hessian for LeastSquares {
    type Param = Array1<f64>;
    type Hessian = Array2<f64>;

    fn hessian(&self, w: &Array1<f64>) -> Result<Array2<f64>, ArgminError> {
        let w = w
            .as_slice()
            .expect("lecture internal error: weights are contiguous");
        let h = self.mean_hessian(w)?;
        check_finite(h.iter(), "Hessian of the mean cost", w)?;
        Ok(h)
    }
}

impl Operator for LeastSquares {
    type Param = Array1<f64>;
    type Output = Array1<f64>;

    /// The residuals `outᵢ − targetᵢ`.
    fn apply(&self, w: &Array1<f64>) -> Result<Array1<f64>, ArgminError> {
        let w = w
            .as_slice()
            .expect("lecture internal error: weights are contiguous");
        Ok(self.residuals(w)?)
    }
}

impl Jacobian for LeastSquares {
    type Param = Array1<f64>;
    type Jacobian = Array2<f64>;

    /// `∂outᵢ/∂wₖ`, one row per data row.
    fn jacobian(&self, w: &Array1<f64>) -> Result<Array2<f64>, ArgminError> {
        let w = w
            .as_slice()
            .expect("lecture internal error: weights are contiguous");
        let j = self.jacobian_of_residuals(w)?;
        check_finite(j.iter(), "Jacobian of the residuals", w)?;
        Ok(j)
    }
}
