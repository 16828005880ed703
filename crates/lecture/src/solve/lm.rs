//! Levenberg–Marquardt on the residuals `rᵢ = outᵢ − targetᵢ`, written as an argmin
//! [`Solver`] (argmin has Gauss–Newton but no Levenberg–Marquardt).
//!
//! With the Jacobian `J` (rows `∂outᵢ/∂w`), `A = JᵀJ / n` and `g = Jᵀr / n` (the gradient
//! of the mean cost `C̄ = rᵀr / 2n`), each iteration solves the damped normal equations
//!
//! ```text
//! (A + λ diag(A)) δ = −g
//! ```
//!
//! and tries `w + δ`. The gain ratio `ρ = (C̄(w) − C̄(w + δ)) / (½ δᵀ(λ diag(A) δ − g))`
//! decides: `ρ > 0` accepts the step and lowers `λ` by `max(⅓, 1 − (2ρ − 1)³)`; otherwise the
//! step is rejected and `λ` grows by `ν`, which doubles each time (Nielsen's rule, as in
//! Madsen, Nielsen and Tingleff, *Methods for non-linear least squares problems*, 2004).
//! Small `λ` is Gauss–Newton (quadratic convergence on zero-residual data), large `λ` a
//! short gradient step.

use argmin::core::{Error, IterState, Jacobian, Operator, Problem, Solver, KV};
use ndarray::{Array1, Array2};

use super::linear::solve_spd;

/// The state of Levenberg–Marquardt between iterations.
#[derive(Clone, Debug)]
pub struct LevenbergMarquardt {
    /// The damping `λ`.
    lambda: f64,
    /// The factor `λ` grows by after a rejected step.
    nu: f64,
    /// `JᵀJ / n` at the current weights.
    normal: Array2<f64>,
    /// `Jᵀr / n` at the current weights.
    gradient: Array1<f64>,
    /// `rᵀr / 2n` at the current weights.
    cost: f64,
}

impl LevenbergMarquardt {
    /// Levenberg–Marquardt starting with `λ = max diag(JᵀJ / n)` (Nielsen's `τ = 1`, for a start
    /// far from the solution: a smaller `λ` takes the lecture net from (1, 1, 1) to a local minimum).
    pub fn new() -> Self {
        LevenbergMarquardt {
            lambda: f64::NAN,
            nu: 2.0,
            normal: Array2::zeros((0, 0)),
            gradient: Array1::zeros(0),
            cost: f64::NAN,
        }
    }

    /// `JᵀJ / n`, `Jᵀr / n` and `rᵀr / 2n` at `w`, whose residuals are `r`.
    fn linearise<O>(
        &mut self,
        problem: &mut Problem<O>,
        w: &Array1<f64>,
        r: &Array1<f64>,
    ) -> Result<(), Error>
    where
        O: Jacobian<Param = Array1<f64>, Jacobian = Array2<f64>>,
    {
        let j = problem.jacobian(w)?;
        let n = r.len() as f64;
        self.normal = j.t().dot(&j) / n;
        self.gradient = j.t().dot(r) / n;
        self.cost = r.dot(r) / (2.0 * n);
        Ok(())
    }
}

impl Default for LevenbergMarquardt {
    fn default() -> Self {
        Self::new()
    }
}

type State = IterState<Array1<f64>, Array1<f64>, (), (), (), f64>;

impl<O> Solver<O, State> for LevenbergMarquardt
where
    O: Operator<Param = Array1<f64>, Output = Array1<f64>>
        + Jacobian<Param = Array1<f64>, Jacobian = Array2<f64>>,
{
    fn name(&self) -> &str {
        "Levenberg-Marquardt"
    }

    fn init(
        &mut self,
        problem: &mut Problem<O>,
        mut state: State,
    ) -> Result<(State, Option<KV>), Error> {
        let w = state
            .take_param()
            .ok_or_else(|| Error::msg("Levenberg-Marquardt needs starting weights"))?;
        let r = problem.apply(&w)?;
        self.linearise(problem, &w, &r)?;
        let largest = self.normal.diag().iter().fold(0.0_f64, |m, &d| m.max(d));
        self.lambda = largest.max(f64::MIN_POSITIVE);
        self.nu = 2.0;
        let state = state
            .param(w)
            .cost(self.cost)
            .gradient(self.gradient.clone());
        Ok((state, None))
    }

    fn next_iter(
        &mut self,
        problem: &mut Problem<O>,
        mut state: State,
    ) -> Result<(State, Option<KV>), Error> {
        let w = state
            .take_param()
            .ok_or_else(|| Error::msg("Levenberg-Marquardt: no weights in the state"))?;
        // the damping scales each weight by its own curvature (Marquardt's diag(A))
        let largest = self.normal.diag().iter().fold(0.0_f64, |m, &d| m.max(d));
        let damping = self
            .normal
            .diag()
            .mapv(|d| d.max(f64::EPSILON * largest).max(f64::MIN_POSITIVE));
        let mut damped = self.normal.clone();
        for (i, d) in damping.iter().enumerate() {
            damped[[i, i]] += self.lambda * d;
        }
        let accepted = match solve_spd(&damped, &self.gradient.mapv(|g| -g)) {
            Some(step) => {
                let trial = &w + &step;
                let r = problem.apply(&trial)?;
                let cost = r.dot(&r) / (2.0 * r.len() as f64);
                // predicted decrease of the linear model: ½ δᵀ(λ D δ − g)
                let predicted = 0.5 * step.dot(&(self.lambda * &damping * &step - &self.gradient));
                let rho = (self.cost - cost) / predicted;
                (cost.is_finite() && rho > 0.0).then_some((trial, r, rho))
            }
            None => None,
        };
        let w = match accepted {
            Some((trial, r, rho)) => {
                self.linearise(problem, &trial, &r)?;
                self.lambda *= (1.0 - (2.0 * rho - 1.0).powi(3)).max(1.0 / 3.0);
                self.nu = 2.0;
                trial
            }
            None => {
                self.lambda *= self.nu;
                self.nu *= 2.0;
                w
            }
        };
        let kv = argmin::kv!("lambda" => self.lambda;);
        let state = state
            .param(w)
            .cost(self.cost)
            .gradient(self.gradient.clone());
        Ok((state, Some(kv)))
    }
}
