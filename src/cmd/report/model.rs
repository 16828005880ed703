//! The lesson's data: one JSON object made from the structures the text commands print
//! (`trace`, `explain`, `check`, training, the Hessian), which the page's script draws.
//! One model, several views: the page shows the numbers these commands compute.

use autodiff::{Graph, Tape};
use lecture::compare::{compare, formula_hessian};
use lecture::data::Sample;
use lecture::train::mean_cost;
use lecture::{Config, Net, Point, Trained};
use serde_json::{json, Value};

use crate::cmd::options::Recorded;
use crate::cmd::{check, explain, trace, train, Error};

/// Points of the training run the page draws (spaced evenly on a log step axis).
const SHOWN_STEPS: usize = 300;
/// Rows the mean cost is taken over, for the curves and the surface (evenly spaced).
const COST_ROWS: usize = 400;
/// Cells along each side of the cost surface.
const GRID: usize = 41;
/// Paths listed per weight in the explanation.
const MAX_PATHS: usize = 20;

/// What the lesson trains on.
pub struct Data {
    /// The rows.
    pub rows: Vec<Sample>,
    /// Where they come from, in words.
    pub source: String,
    /// The weights that made them, when known (the built-in data).
    pub truth: Option<Vec<f64>>,
}

/// The whole lesson as JSON: `trace`, `explain`, `check`, `hessian` at the slides' point,
/// and `training` (with its `surface`) on `data`.
///
/// # Errors
/// As training ([`train::fit`]), or an engine error compiling the Hessian's tape.
pub fn lesson(data: &Data, quiet: bool) -> Result<Value, Error> {
    let point = Point::slides();
    let g = Graph::new();
    let built = Net::Lecture.build(&g, &point)?;
    let sweep = built.cost.trace();
    let explained: Vec<Value> = built
        .weights
        .iter()
        .enumerate()
        .map(|(i, &w)| explain::paths_json(&format!("w{i}"), &built.cost.paths_from(w, MAX_PATHS)))
        .collect();
    let comparison = compare(Net::Lecture, &point)?;
    let formula = formula_hessian(&built);
    let tape = Tape::compile(built.cost, &built.weights).map_err(lecture::Error::Engine)?;
    let recorded = tape
        .hessian(&mut tape.workspace(), &point.weights)
        .map_err(lecture::Error::Engine)?;
    let recorded: Vec<Vec<f64>> = recorded.outer_iter().map(|row| row.to_vec()).collect();
    Ok(json!({
        "point": { "weights": point.weights, "s0": point.s0, "target": point.target },
        "trace": trace::to_json(&Recorded::lecture(&built, point.clone()), &sweep),
        "explain": explained,
        "check": check::comparison_json(&built, &comparison),
        "hessian": { "tape": recorded, "formula": formula },
        "training": training(data, quiet)?,
    }))
}

/// The lecture's training run on `data` (the story's settings), as the page draws it.
fn training(data: &Data, quiet: bool) -> Result<Value, Error> {
    let mut config = Config::new(Net::Lecture);
    config.epochs = 3;
    let (trained, _) = train::fit(&data.rows, config.clone(), quiet, true)?;
    let stride = data.rows.len().div_ceil(COST_ROWS).max(1);
    let sample: Vec<Sample> = data.rows.iter().step_by(stride).copied().collect();
    let shown = shown_records(&trained);
    let mut records = Vec::with_capacity(shown.len() + 1);
    let initial = trained.trajectory.initial().to_vec();
    records.push(json!({ "step": 0, "weights": initial, "cost": mean_cost(Net::Lecture, &initial, &sample)? }));
    for &i in &shown {
        let w = trained.trajectory.weights(i);
        let cost = mean_cost(Net::Lecture, w, &sample)?;
        records.push(json!({ "step": trained.trajectory.steps()[i], "weights": w, "cost": cost }));
    }
    let path: Vec<&[f64]> = std::iter::once(trained.trajectory.initial())
        .chain(shown.iter().map(|&i| trained.trajectory.weights(i)))
        .collect();
    Ok(json!({
        "source": data.source, "rows": data.rows.len(), "cost_rows": sample.len(),
        "epochs": config.epochs, "alpha": config.alpha, "steps": trained.steps,
        "truth": data.truth, "final": trained.weights, "final_cost": trained.cost,
        "records": records,
        "surface": surface(&trained.weights, &path, data.truth.as_deref(), &sample)?,
    }))
}

/// Indices of the trajectory's records to draw: the first record at or after each of
/// [`SHOWN_STEPS`] steps spaced evenly in `log(step)`, and the last.
fn shown_records(trained: &Trained) -> Vec<usize> {
    let steps = trained.trajectory.steps();
    let Some(&last) = steps.last() else {
        return Vec::new();
    };
    let mut shown: Vec<usize> = (0..SHOWN_STEPS)
        .map(|k| (last as f64).powf(k as f64 / (SHOWN_STEPS - 1) as f64))
        .map(|at| steps.partition_point(|&s| (s as f64) < at.round()))
        .filter(|&i| i < steps.len())
        .collect();
    shown.push(steps.len() - 1);
    shown.dedup();
    shown
}

/// `log10` of the mean cost over (w1, w2) with w0 held at its final value, on a grid
/// spanning the path and the true weights with a margin.
fn surface(
    last: &[f64],
    path: &[&[f64]],
    truth: Option<&[f64]>,
    sample: &[Sample],
) -> Result<Value, Error> {
    let span = |k: usize| {
        let known = path.iter().map(|w| w[k]).chain(truth.map(|t| t[k]));
        let (lo, hi) = known.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), w| {
            (lo.min(w), hi.max(w))
        });
        let pad = ((hi - lo) * 0.15).max(0.5);
        (lo - pad, hi + pad)
    };
    let (x, y) = (span(1), span(2));
    let at = |(lo, hi): (f64, f64), i: usize| lo + (hi - lo) * i as f64 / (GRID - 1) as f64;
    let mut weights = last.to_vec();
    let mut log_cost = Vec::with_capacity(GRID * GRID);
    for j in 0..GRID {
        for i in 0..GRID {
            weights[1] = at(x, i);
            weights[2] = at(y, j);
            log_cost.push(mean_cost(Net::Lecture, &weights, sample)?.log10());
        }
    }
    Ok(json!({
        "held": { "weight": "w0", "value": last[0] },
        "x": { "weight": "w1", "lo": x.0, "hi": x.1 },
        "y": { "weight": "w2", "lo": y.0, "hi": y.1 },
        "n": GRID, "log10_cost": log_cost,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shown_records_rise_to_the_last_and_stay_few() {
        for rows in [1, 7, 5000] {
            let data: Vec<Sample> = (0..rows)
                .map(|i| Sample {
                    s0: (i % 13) as f64 - 6.0,
                    out: 0.5,
                })
                .collect();
            let trained = lecture::train(&data, &Config::new(Net::Lecture), &mut |_| {}).unwrap();
            let shown = shown_records(&trained);
            assert_eq!(
                shown.last(),
                Some(&(trained.trajectory.len() - 1)),
                "{rows}"
            );
            assert!(shown.windows(2).all(|w| w[0] < w[1]), "{rows}: {shown:?}");
            assert!(shown.len() <= SHOWN_STEPS + 1);
            assert_eq!(shown[0], 0); // the first step is drawn
        }
    }
}
