//! `backprop check`: the forward pass, and the gradient and Hessian comparisons at one point.

use std::fmt::Write;

use autodiff::Graph;
use lecture::compare::compare;
use lecture::hessian::{compare_hessian, MAX_CHECKED_WEIGHTS};
use lecture::{Comparison, LectureNet};
use ndarray::Array2;
use serde_json::{json, Value};

use super::options::{check_finite, PointJsonArgs};
use super::{print, Error};

/// Options of `backprop check`: the point and `--json`.
pub type Args = PointJsonArgs;

/// Runs `backprop check`.
///
/// # Errors
/// [`Error::Option`] if the weights do not fit the net, or if a value or gradient at the
/// point is NaN or infinite (naming which).
pub fn run(args: &Args) -> Result<(), Error> {
    let point = args.point.point()?;
    let net = args.point.net;
    let g = Graph::new();
    let built = net.build(&g, &point)?;
    check_finite(&g, built.cost)?;
    let comparison = compare(net, &point)?;
    if let Some(what) = comparison.first_non_finite() {
        return Err(Error::Option(format!(
            "at this point {what}: the numbers overflow; use smaller --weights, --s0 or --target"
        )));
    }
    // nets past MAX_CHECKED_WEIGHTS get no Hessian (its size grows as the square)
    let hessian = (net.n_weights() <= MAX_CHECKED_WEIGHTS)
        .then(|| compare_hessian(net, &point))
        .transpose()?;
    if args.json {
        let mut value = comparison_json(&built, &comparison);
        value["net"] = json!(net.to_string());
        value["point"] =
            json!({ "weights": point.weights, "s0": point.s0, "target": point.target });
        value["hessian"] = json!(hessian.as_ref().map(|h| json!({
            "tape": rows_of(&h.tape), "formula": h.formula.as_ref().map(rows_of),
            "finite_difference": rows_of(&h.numeric), "passed": h.passed,
        })));
        return print(&format!("{value}\n"));
    }
    let mut text = forward_table(&built);
    text.push('\n');
    text.push_str(if comparison.has_formulas() {
        "Gradient of C, three ways:\n"
    } else {
        "Gradient of C, two ways (the slides give formulas for the lecture net only):\n"
    });
    text.push_str(&comparison.to_string());
    match &hessian {
        Some(h) => {
            text.push_str(if h.formula.is_some() {
                "\nHessian of C in the weights, three ways (the upper triangle; it is symmetric):\n"
            } else {
                "\nHessian of C in the weights, two ways (the upper triangle; it is symmetric):\n"
            });
            text.push_str(&h.to_string());
        }
        None => {
            let _ = writeln!(
                text,
                "\n(no Hessian check past {MAX_CHECKED_WEIGHTS} weights)"
            );
        }
    }
    print(&text)
}

/// A matrix as a list of rows, for JSON.
fn rows_of(m: &Array2<f64>) -> Vec<Vec<f64>> {
    m.rows().into_iter().map(|r| r.to_vec()).collect()
}

/// The forward pass and the comparison as JSON: `nodes` (name and value), `out`, `cost`
/// and `gradients` (per weight: `tape`, `formula`, `finite_difference` and their
/// differences).
pub fn comparison_json(built: &LectureNet<'_>, comparison: &Comparison) -> Value {
    let nodes: Vec<Value> = built
        .table()
        .into_iter()
        .map(|(name, value)| json!({ "name": name, "value": value }))
        .collect();
    let rows: Vec<Value> = comparison
        .rows
        .iter()
        .map(|r| {
            json!({
                "weight": r.name, "value": r.weight, "tape": r.tape, "formula": r.formula,
                "finite_difference": r.numeric, "tape_minus_formula": r.tape_vs_formula(),
                "tape_minus_finite_difference": r.tape_vs_numeric(),
            })
        })
        .collect();
    json!({ "nodes": nodes, "out": comparison.out, "cost": comparison.cost, "gradients": rows })
}

/// The forward pass as a table of named nodes, then the slides' verdict.
pub fn forward_table(net: &LectureNet<'_>) -> String {
    let mut text = format!("{:<7} {:>10}   {}\n", "node", "value", "full precision");
    for (name, value) in net.table() {
        let _ = writeln!(text, "{name:<7} {value:>10.4}   {value}");
    }
    let (out, target) = (net.out.value(), net.target.value());
    let matches = (out - target).abs() < 5e-5;
    let _ = writeln!(
        text,
        "out = {out:.4}, target = {target}: Match? {}",
        if matches { "YES" } else { "NO" }
    );
    text
}
