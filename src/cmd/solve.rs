//! `backprop train --method newton|lm|lbfgs`: the second-order solvers of
//! [`lecture::solve`] on a data file, their iterations as a table or JSON.

use std::fmt::Write;
use std::time::Instant;

use lecture::data::Sample;
use lecture::solve::{restarts, Iteration, LeastSquares, Method, Restarts, Settings, Solved};
use lecture::Net;
use serde_json::{json, Value};

use super::Error;

/// What `backprop train` asks of a second-order run.
#[derive(Clone, Debug)]
pub struct Request {
    /// The net.
    pub net: Net,
    /// The method.
    pub method: Method,
    /// Starting weights.
    pub init: Vec<f64>,
    /// `--max-iters`.
    pub max_iters: u64,
    /// `--restarts`.
    pub restarts: usize,
    /// `--seed`.
    pub seed: u64,
}

/// The runs and the time they took.
pub struct Outcome {
    /// Every run, and which is best.
    pub restarts: Restarts,
    /// Seconds spent solving (all runs).
    pub seconds: f64,
}

/// Solves `request` on `data`.
///
/// # Errors
/// [`Error::Option`] naming `--method` and `--net` for a net too big for the method;
/// [`Error::Lecture`] (one line saying what overflowed) when the gradient, Hessian or
/// Jacobian overflows in every run.
pub fn solve(data: &[Sample], request: &Request) -> Result<Outcome, Error> {
    let problem = LeastSquares::new(request.net, data)?;
    let mut settings = Settings::new(request.method, request.init.clone());
    settings.max_iters = request.max_iters;
    let start = Instant::now();
    let restarts =
        restarts(&problem, &settings, request.restarts, request.seed).map_err(|e| match e {
            lecture::Error::Config(msg) => Error::Option(format!(
                "--method {} with --net {}: {msg}",
                request.method, request.net
            )),
            e => Error::from(e),
        })?;
    Ok(Outcome {
        restarts,
        seconds: start.elapsed().as_secs_f64(),
    })
}

/// `x` with 12 significant digits (scientific notation when very large or small).
pub fn digits12(x: f64) -> String {
    if x == 0.0 || !x.is_finite() {
        return x.to_string();
    }
    // the exponent after rounding to 12 digits (9.9999999999999 rounds up to 10.0…)
    let scientific = format!("{x:.11e}");
    let exponent: i32 = scientific
        .rsplit('e')
        .next()
        .and_then(|e| e.parse().ok())
        .unwrap_or(0);
    if (-5..12).contains(&exponent) {
        let decimals = (11 - exponent).max(0) as usize;
        format!("{x:.decimals$}")
    } else {
        scientific
    }
}

/// The iteration table: iteration, mean cost, gradient norm, step.
pub fn history_table(history: &[Iteration]) -> String {
    let mut text = format!(
        "{:>6} {:>22} {:>11} {:>11}\n",
        "iter", "mean cost", "|gradient|", "step"
    );
    for it in history {
        let step = if it.iteration == 0 {
            String::new()
        } else if it.step == 0.0 {
            "rejected".to_string()
        } else {
            format!("{:.3e}", it.step)
        };
        let _ = writeln!(
            text,
            "{:>6} {:>22.15e} {:>11.3e} {:>11}",
            it.iteration, it.cost, it.gradient_norm, step
        );
    }
    text
}

/// The line printed when a run ends at a stationary point that is not a global minimum of
/// noise-free data.
pub fn stationary_note(solved: &Solved) -> Option<String> {
    solved.at_stationary_point().then(|| {
        format!(
            "stopped at a stationary point with mean cost {:.6e}; this is not the global \
             minimum of noise-free data: try --restarts N",
            solved.cost
        )
    })
}

/// The text report of `outcome` on `rows` rows of `file`.
pub fn text(request: &Request, outcome: &Outcome, rows: usize, file: &str) -> String {
    let best = outcome.restarts.best();
    let runs = outcome.restarts.runs.len();
    let time = match runs {
        1 => format!("{:.3} s", outcome.seconds),
        _ => format!("{runs} runs in {:.3} s", outcome.seconds),
    };
    let mut text = format!(
        "solved {} net on {rows} rows of {file} with {}: {} iteration(s), {time}\n",
        request.net,
        request.method,
        best.iterations(),
    );
    if runs > 1 {
        let _ = writeln!(
            text,
            "{runs} runs (--seed {}), * marks the best:",
            request.seed
        );
        for (i, run) in outcome.restarts.runs.iter().enumerate() {
            let start: Vec<String> = run.init.iter().map(|w| format!("{w:.3}")).collect();
            let end = match &run.outcome {
                Ok(s) => format!(
                    "mean cost {:.3e} after {} iterations ({})",
                    s.cost,
                    s.iterations(),
                    s.stop
                ),
                Err(e) => format!("failed: {e}"),
            };
            let mark = if i == outcome.restarts.best { "*" } else { " " };
            let _ = writeln!(
                text,
                " {mark}run {:>3} from ({}): {end}",
                i + 1,
                start.join(", ")
            );
        }
        let _ = writeln!(text, "best run ({}):", outcome.restarts.best + 1);
    }
    text.push_str(&history_table(&best.history));
    let _ = writeln!(text, "stopped: {}", best.stop);
    for (k, w) in best.weights.iter().enumerate() {
        let _ = writeln!(text, "  w{k} = {}", digits12(*w));
    }
    let _ = writeln!(text, "mean cost C over the data: {:e}", best.cost);
    let _ = writeln!(text, "gradient norm: {:e}", best.gradient_norm);
    if let Some(note) = stationary_note(best) {
        text.push_str(&note);
        text.push('\n');
    }
    text
}

fn run_json(solved: &Solved) -> Value {
    json!({
        "weights": solved.weights, "cost": solved.cost, "gradient_norm": solved.gradient_norm,
        "iterations": solved.iterations(), "stop": solved.stop.to_string(),
        "stationary_point": solved.at_stationary_point(),
    })
}

/// The JSON report: the best run's `method`, `iterations`, `weights`, `cost`,
/// `gradient_norm`, `seconds`, `history`, and every run under `runs`.
pub fn json(request: &Request, outcome: &Outcome, rows: usize, file: &str) -> Value {
    let best = outcome.restarts.best();
    let history: Vec<Value> = best
        .history
        .iter()
        .map(|it| json!({ "iteration": it.iteration, "cost": it.cost, "gradient_norm": it.gradient_norm, "step": it.step }))
        .collect();
    let runs: Vec<Value> = outcome
        .restarts
        .runs
        .iter()
        .map(|run| match &run.outcome {
            Ok(solved) => {
                let mut v = run_json(solved);
                v["initial_weights"] = json!(run.init);
                v
            }
            Err(e) => json!({ "initial_weights": run.init, "error": e }),
        })
        .collect();
    let mut value = run_json(best);
    let extra = json!({
        "net": request.net.to_string(), "data": file, "rows": rows,
        "method": request.method.to_string(), "initial_weights": request.init,
        "max_iters": request.max_iters, "restarts": request.restarts, "seed": request.seed,
        "best_run": outcome.restarts.best + 1,
        "seconds": outcome.seconds, "history": history, "runs": runs,
    });
    if let (Value::Object(map), Value::Object(more)) = (&mut value, extra) {
        map.extend(more);
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn twelve_significant_digits() {
        assert_eq!(digits12(-0.2), "-0.200000000000");
        assert_eq!(digits12(10.0), "10.0000000000");
        assert_eq!(digits12(2.8), "2.80000000000");
        assert_eq!(digits12(1e-7), "1.00000000000e-7");
        assert_eq!(digits12(0.0), "0");
        assert_eq!(digits12(9.999999999999995), "10.0000000000");
        assert_eq!(digits12(-0.19999999999999996), "-0.200000000000");
    }
}
