//! Second-order solvers for the lecture's challenge: find the weights that produced the
//! data by minimising the mean cost `C̄(w) = 1/n Σᵢ ½ (outᵢ − targetᵢ)²` with its Hessian.
//!
//! - [`Method::Newton`]: argmin's trust region with Steihaug's conjugate gradients on the
//!   tape Hessian; an indefinite Hessian is handled by the trust region (negative curvature
//!   goes to its boundary).
//! - [`Method::Lm`]: Levenberg–Marquardt on the residuals ([`LevenbergMarquardt`], written
//!   here as an argmin solver).
//! - [`Method::Lbfgs`]: argmin's L-BFGS with its Moré–Thuente line search.
//!
//! All run on [`LeastSquares`], which implements argmin's problem traits with the engine's
//! derivatives, and stop by [`Converge`]'s tolerances, which reach machine precision on
//! zero-residual data. The landscape is not convex: a run can end at a stationary point
//! that is not the global minimum ([`Solved::at_stationary_point`]); [`restarts`] runs
//! from several seeded starts and keeps the best.
//!
//! ```
//! use lecture::data::Generator;
//! use lecture::solve::{solve, LeastSquares, Method, Settings};
//! use lecture::Net;
//!
//! let data: Vec<_> = Generator::new(Net::Lecture, &[-0.2, 2.8, 10.0], (-10.0, 10.0), 1)?
//!     .take(500)
//!     .collect();
//! let problem = LeastSquares::new(Net::Lecture, &data)?;
//! let solved = solve(&problem, &Settings::new(Method::Lm, Net::Lecture.default_init()))?;
//! for (w, truth) in solved.weights.iter().zip([-0.2, 2.8, 10.0]) {
//!     assert!((w - truth).abs() < 1e-10);
//! }
//! # Ok::<(), lecture::Error>(())
//! ```

mod converge;
mod linear;
mod lm;
mod problem;
mod restarts;

use std::fmt;
use std::str::FromStr;

use argmin::core::{Executor, IterState, Solver, State};
use argmin::solver::linesearch::MoreThuenteLineSearch;
use argmin::solver::quasinewton::LBFGS;
use argmin::solver::trustregion::{Steihaug, TrustRegion};
use ndarray::Array1;

use crate::{Error, Result};

pub use converge::{Converge, Iteration, Stop, Tolerances};
pub use lm::LevenbergMarquardt;
pub use problem::LeastSquares;
pub use restarts::{restarts, Restarts, Run};

/// Newton and Levenberg–Marquardt build a `weights × weights` matrix per iteration (and
/// Newton one HVP per weight per row): nets with more weights are refused.
pub const MAX_SECOND_ORDER_WEIGHTS: usize = 64;

/// A second-order (or quasi-Newton) method.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// Newton on the mean cost in a trust region (Steihaug–CG), argmin's.
    Newton,
    /// Levenberg–Marquardt on the residuals.
    Lm,
    /// argmin's L-BFGS with a Moré–Thuente line search.
    Lbfgs,
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Method::Newton => "newton",
            Method::Lm => "lm",
            Method::Lbfgs => "lbfgs",
        })
    }
}

impl FromStr for Method {
    type Err = String;

    /// `newton`, `lm` or `lbfgs`.
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s {
            "newton" => Ok(Method::Newton),
            "lm" => Ok(Method::Lm),
            "lbfgs" => Ok(Method::Lbfgs),
            _ => Err(format!(
                "unknown method '{s}': expected newton, lm or lbfgs"
            )),
        }
    }
}

/// How to solve.
#[derive(Clone, Debug, PartialEq)]
pub struct Settings {
    /// The method.
    pub method: Method,
    /// Starting weights.
    pub init: Vec<f64>,
    /// The iteration limit.
    pub max_iters: u64,
    /// When to stop before the limit.
    pub tolerances: Tolerances,
}

impl Settings {
    /// `method` from `init`, at most 100 iterations, default tolerances.
    pub fn new(method: Method, init: Vec<f64>) -> Self {
        Settings {
            method,
            init,
            max_iters: 100,
            tolerances: Tolerances::default(),
        }
    }
}

/// The result of [`solve`].
#[derive(Clone, Debug, PartialEq)]
pub struct Solved {
    /// The method.
    pub method: Method,
    /// The final weights.
    pub weights: Vec<f64>,
    /// The mean cost at the final weights.
    pub cost: f64,
    /// `‖∇C̄‖₂` at the final weights.
    pub gradient_norm: f64,
    /// One row per iteration, the start first.
    pub history: Vec<Iteration>,
    /// Why it stopped.
    pub stop: Stop,
}

impl Solved {
    /// Iterations done (the start not counted).
    pub fn iterations(&self) -> usize {
        self.history.len().saturating_sub(1)
    }

    /// Whether the run ended where the gradient is near zero (`‖∇C̄‖ ≤ 10⁻⁶`) but the
    /// mean cost is not (`C̄ > 10⁻⁹`): a stationary point that, on noise-free data, is not
    /// the global minimum (there the cost is 0).
    pub fn at_stationary_point(&self) -> bool {
        self.gradient_norm <= 1e-6 && self.cost > 1e-9
    }
}

/// Minimises the mean cost of `problem` from `settings.init`.
///
/// # Errors
/// [`Error::WeightCount`] if the starting weights do not fit the net; [`Error::Config`]
/// for a non-finite start, or Newton or Levenberg–Marquardt on more than
/// [`MAX_SECOND_ORDER_WEIGHTS`] weights; [`Error::NotFinite`] if the gradient, Hessian or
/// Jacobian overflows (naming it and the weights); [`Error::Solver`] for other failures.
///
/// # Complexity
/// Per iteration, Newton: **O(rows · weights · tape)** (one HVP per weight per row);
/// Levenberg–Marquardt: **O(rows · (tape + weights²))**; L-BFGS: **O(rows · tape)**
/// times the line search's evaluations.
pub fn solve(problem: &LeastSquares, settings: &Settings) -> Result<Solved> {
    let net = problem.net();
    net.check_weights(&settings.init)?;
    if let Some(w) = settings.init.iter().find(|w| !w.is_finite()) {
        return Err(Error::Config(format!("initial weight {w} is not finite")));
    }
    let k = net.n_weights();
    if settings.method != Method::Lbfgs && k > MAX_SECOND_ORDER_WEIGHTS {
        return Err(Error::Config(format!(
            "{} works on at most {MAX_SECOND_ORDER_WEIGHTS} weights, net {net} has {k}",
            settings.method
        )));
    }
    // a start where the cost or its gradient overflows gives the solvers nothing to work with
    let (cost, gradient) = problem.mean_cost_and_gradient(&settings.init)?;
    problem::check_finite([&cost], "mean cost", &settings.init)
        .and_then(|()| {
            problem::check_finite(&gradient, "gradient of the mean cost", &settings.init)
        })
        .map_err(|e| e.downcast::<Error>().unwrap_or_else(solver_error))?;
    let steps = 2 * k as u64;
    match settings.method {
        Method::Newton => {
            let steihaug = Steihaug::new()
                .with_epsilon(f64::EPSILON)
                .map_err(solver_error)?
                .with_max_iters(steps);
            run(problem, TrustRegion::new(steihaug), settings)
        }
        Method::Lm => run(problem, LevenbergMarquardt::new(), settings),
        Method::Lbfgs => {
            let lbfgs = LBFGS::new(MoreThuenteLineSearch::new(), 7)
                .with_tolerance_grad(0.0)
                .and_then(|l| l.with_tolerance_cost(0.0))
                .map_err(solver_error)?;
            run(problem, lbfgs, settings)
        }
    }
}

/// Runs `solver`, wrapped in [`Converge`], on a copy of `problem` (the rows are shared).
fn run<S, H>(problem: &LeastSquares, solver: S, settings: &Settings) -> Result<Solved>
where
    S: Solver<LeastSquares, IterState<Array1<f64>, Array1<f64>, (), H, (), f64>>,
    H: Clone,
{
    let solver = Converge::new(solver, settings.tolerances);
    let init = Array1::from(settings.init.clone());
    let result = Executor::new(problem.clone(), solver)
        .configure(|state| state.param(init).max_iters(settings.max_iters))
        .run()
        .map_err(|e| match e.downcast::<Error>() {
            Ok(e) => e,
            Err(e) => solver_error(e),
        })?;
    let weights = result
        .state()
        .get_param()
        .map(|w| w.to_vec())
        .ok_or_else(|| Error::Solver("no weights in the final state".to_string()))?;
    let (cost, gradient) = problem.mean_cost_and_gradient(&weights)?;
    let gradient_norm = gradient.iter().map(|g| g * g).sum::<f64>().sqrt();
    let converge = result.solver();
    Ok(Solved {
        method: settings.method,
        weights,
        cost,
        gradient_norm,
        history: converge.log.clone(),
        stop: converge.stop.clone().unwrap_or(Stop::MaxIterations),
    })
}

fn solver_error(e: argmin::core::Error) -> Error {
    Error::Solver(e.to_string())
}

#[cfg(test)]
mod tests;
