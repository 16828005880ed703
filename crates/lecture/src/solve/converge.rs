//! When to stop, for any argmin solver: [`Converge`] wraps it, logs every iteration
//! (cost, gradient norm, step) and stops on tolerances that reach machine precision.
//!
//! argmin's own defaults stop near `√ε` (L-BFGS's gradient tolerance, Steihaug's residual
//! `10⁻⁹`), about eight digits short on zero-residual data. Here an iteration stops the run
//! when its accepted step is below `step · ‖w‖` (relative; default `4ε`), when the gradient
//! norm falls below `gradient · ‖g₀‖` (relative to the start; default `ε`) or is exactly 0,
//! or after `stalls` rejected steps in a row (no decrease at working precision).

use std::fmt;

use argmin::core::{
    ArgminFloat, Error, IterState, Problem, Solver, State, TerminationReason, TerminationStatus, KV,
};
use ndarray::Array1;

/// The stopping tolerances of [`Converge`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Tolerances {
    /// Stop when an accepted step `‖Δw‖ ≤ step · ‖w‖`.
    pub step: f64,
    /// Stop when `‖g‖ ≤ gradient · ‖g₀‖` (`g₀` at the start).
    pub gradient: f64,
    /// Stop after this many rejected steps in a row.
    pub stalls: usize,
}

impl Default for Tolerances {
    /// `step = 4ε`, `gradient = ε`, `stalls = 10`.
    fn default() -> Self {
        Tolerances {
            step: 4.0 * f64::EPSILON,
            gradient: f64::EPSILON,
            stalls: 10,
        }
    }
}

/// One row of a solver's log.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Iteration {
    /// 0 for the start, then 1, 2, …
    pub iteration: u64,
    /// The mean cost after the iteration.
    pub cost: f64,
    /// `‖∇C̄‖₂` after the iteration.
    pub gradient_norm: f64,
    /// `‖Δw‖₂` of the iteration (0 for a rejected step and for the start).
    pub step: f64,
}

/// Why a run stopped.
#[derive(Clone, Debug, PartialEq)]
pub enum Stop {
    /// An accepted step below the relative step tolerance.
    Step,
    /// The gradient norm below its tolerance, or exactly 0.
    Gradient,
    /// Too many rejected steps in a row: no decrease at working precision.
    Stalled,
    /// The iteration limit.
    MaxIterations,
    /// The solver gave up (for example a line search that found no decrease), with its
    /// message; the weights are those of the last completed iteration.
    Solver(String),
}

impl Stop {
    /// Whether the run stopped because it converged (step, gradient or no decrease at
    /// working precision), rather than at the limit or by the solver giving up.
    pub fn converged(&self) -> bool {
        matches!(self, Stop::Step | Stop::Gradient | Stop::Stalled)
    }
}

impl fmt::Display for Stop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Stop::Step => f.write_str("relative step below tolerance"),
            Stop::Gradient => f.write_str("gradient below tolerance"),
            Stop::Stalled => f.write_str("no decrease at working precision"),
            Stop::MaxIterations => f.write_str("iteration limit reached"),
            Stop::Solver(msg) => write!(f, "solver stopped: {msg}"),
        }
    }
}

/// A solver with the stopping rule of this module and a log of its iterations.
#[derive(Clone, Debug)]
pub struct Converge<S> {
    inner: S,
    tolerances: Tolerances,
    /// One row per iteration, the start first.
    pub log: Vec<Iteration>,
    /// Set by the iteration that met a stopping rule.
    pub stop: Option<Stop>,
    rejected: usize,
    initial_gradient: f64,
}

impl<S> Converge<S> {
    /// `inner` with these tolerances.
    pub fn new(inner: S, tolerances: Tolerances) -> Self {
        Converge {
            inner,
            tolerances,
            log: Vec::new(),
            stop: None,
            rejected: 0,
            initial_gradient: f64::NAN,
        }
    }
}

type Weights = Array1<f64>;

fn norm(x: &Weights) -> f64 {
    x.dot(x).sqrt()
}

impl<O, S, H> Solver<O, IterState<Weights, Weights, (), H, (), f64>> for Converge<S>
where
    S: Solver<O, IterState<Weights, Weights, (), H, (), f64>>,
    H: Clone,
    f64: ArgminFloat,
{
    fn name(&self) -> &str {
        self.inner.name()
    }

    fn init(
        &mut self,
        problem: &mut Problem<O>,
        state: IterState<Weights, Weights, (), H, (), f64>,
    ) -> Result<(IterState<Weights, Weights, (), H, (), f64>, Option<KV>), Error> {
        let (state, kv) = self.inner.init(problem, state)?;
        let gradient_norm = state.get_gradient().map_or(f64::NAN, norm);
        self.initial_gradient = gradient_norm;
        self.log.push(Iteration {
            iteration: 0,
            cost: state.get_cost(),
            gradient_norm,
            step: 0.0,
        });
        if gradient_norm == 0.0 {
            self.stop = Some(Stop::Gradient);
        }
        Ok((state, kv))
    }

    fn next_iter(
        &mut self,
        problem: &mut Problem<O>,
        state: IterState<Weights, Weights, (), H, (), f64>,
    ) -> Result<(IterState<Weights, Weights, (), H, (), f64>, Option<KV>), Error> {
        let before = state.clone();
        let (state, kv) = match self.inner.next_iter(problem, state) {
            Ok(next) => next,
            Err(e) if e.downcast_ref::<crate::Error>().is_some() => return Err(e),
            Err(e) => {
                // keep the last completed iteration's weights, and say why
                self.stop = Some(Stop::Solver(e.to_string()));
                return Ok((before, None));
            }
        };
        let (old, new) = (before.get_param(), state.get_param());
        let step = match (old, new) {
            (Some(old), Some(new)) => norm(&(new - old)),
            _ => f64::NAN,
        };
        let gradient_norm = state.get_gradient().map_or(f64::NAN, norm);
        let width = new.map_or(0.0, norm);
        self.log.push(Iteration {
            iteration: state.get_iter() + 1,
            cost: state.get_cost(),
            gradient_norm,
            step,
        });
        self.rejected = if step == 0.0 { self.rejected + 1 } else { 0 };
        let t = self.tolerances;
        self.stop = if gradient_norm <= t.gradient * self.initial_gradient {
            Some(Stop::Gradient)
        } else if step > 0.0 && step <= t.step * width {
            Some(Stop::Step)
        } else if self.rejected >= t.stalls {
            Some(Stop::Stalled)
        } else {
            None
        };
        Ok((state, kv))
    }

    fn terminate(
        &mut self,
        state: &IterState<Weights, Weights, (), H, (), f64>,
    ) -> TerminationStatus {
        match &self.stop {
            Some(stop) => {
                TerminationStatus::Terminated(TerminationReason::SolverExit(stop.to_string()))
            }
            None => self.inner.terminate(state),
        }
    }
}
