//! `backprop check`: the forward pass and the gradient comparison at one point.

use std::fmt::Write;

use autodiff::Graph;
use lecture::compare::compare;
use lecture::{Comparison, LectureNet};
use serde_json::{json, Value};

use super::options::{check_finite, PointJsonArgs};
use super::{print, Error};

/// Options of `backprop check`: the point and `--json`.
pub type Args = PointJsonArgs;

/// Runs `backprop check`.
///
/// # Errors
/// [`Error::Option`] if the weights do not fit the net.
pub fn run(args: &Args) -> Result<(), Error> {
    let point = args.point.point()?;
    let net = args.point.net;
    let g = Graph::new();
    let built = net.build(&g, &point)?;
    check_finite(&g, built.cost)?;
    let comparison = compare(net, &point)?;
    if args.json {
        let mut value = comparison_json(&built, &comparison);
        value["net"] = json!(net.to_string());
        value["point"] =
            json!({ "weights": point.weights, "s0": point.s0, "target": point.target });
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
    print(&text)
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
