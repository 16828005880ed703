//! Several runs from seeded starting points, keeping the best: the way out of the
//! stationary points of a non-convex landscape.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::{solve, LeastSquares, Settings, Solved};
use crate::{Error, Result};

/// One run of [`restarts`]: where it started and how it ended.
#[derive(Clone, Debug, PartialEq)]
pub struct Run {
    /// The starting weights.
    pub init: Vec<f64>,
    /// The result, or why the run failed (an overflow from this start).
    pub outcome: std::result::Result<Solved, String>,
}

/// The result of [`restarts`].
#[derive(Clone, Debug, PartialEq)]
pub struct Restarts {
    /// Every run, in order; the first starts from `settings.init`.
    pub runs: Vec<Run>,
    /// The index in `runs` of the run with the lowest final mean cost.
    pub best: usize,
}

impl Restarts {
    /// The best run's result.
    pub fn best(&self) -> &Solved {
        match &self.runs[self.best].outcome {
            Ok(solved) => solved,
            Err(_) => unreachable!("lecture internal error: the best run failed"),
        }
    }
}

/// The starting weights of run `i ≥ 1`: hidden weights uniform in `[−5, 5]`, the output
/// weight (if the net has one) uniform in `[−2m, 2m]` with `m = max(1, max |target|)`,
/// since `out = w_n s_n` with `s_n ∈ (0, 1)`.
fn random_start(problem: &LeastSquares, rng: &mut StdRng) -> Vec<f64> {
    let net = problem.net();
    let scale = 2.0 * problem.largest_target().max(1.0);
    (0..net.n_weights())
        .map(|i| {
            let half_width = if net.has_output_weight() && i == net.neurons() {
                scale
            } else {
                5.0
            };
            rng.random_range(-half_width..=half_width)
        })
        .collect()
}

/// Runs [`solve`] `count` times: first from `settings.init`, then from starting points
/// drawn with `seed` ([`StdRng`]); keeps the run with the lowest final mean cost. A run
/// that overflows is reported in [`Run::outcome`] and does not stop the others.
///
/// # Errors
/// [`Error::Config`] if `count` is 0; the first run's error if every run fails; errors of
/// [`solve`] that concern the settings (weight count, method and net).
pub fn restarts(
    problem: &LeastSquares,
    settings: &Settings,
    count: usize,
    seed: u64,
) -> Result<Restarts> {
    if count == 0 {
        return Err(Error::Config("restarts must be at least 1".to_string()));
    }
    let mut rng = StdRng::seed_from_u64(seed);
    let mut runs = Vec::with_capacity(count);
    let mut first_error = None;
    for i in 0..count {
        let init = if i == 0 {
            settings.init.clone()
        } else {
            random_start(problem, &mut rng)
        };
        let run_settings = Settings {
            init: init.clone(),
            ..settings.clone()
        };
        let outcome = match solve(problem, &run_settings) {
            Ok(solved) => Ok(solved),
            Err(e @ (Error::NotFinite { .. } | Error::Solver(_))) => {
                let text = e.to_string();
                first_error.get_or_insert(e);
                Err(text)
            }
            Err(e) => return Err(e),
        };
        runs.push(Run { init, outcome });
    }
    let best = runs
        .iter()
        .enumerate()
        .filter_map(|(i, run)| run.outcome.as_ref().ok().map(|s| (i, s.cost)))
        .filter(|(_, cost)| cost.is_finite())
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(i, _)| i);
    match (best, first_error) {
        (Some(best), _) => Ok(Restarts { runs, best }),
        (None, Some(e)) => Err(e),
        (None, None) => Err(Error::Solver("no run ended at a finite cost".to_string())),
    }
}
