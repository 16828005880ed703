//! `backprop check`: the forward pass and the gradient comparison at one point.

use std::fmt::Write;

use autodiff::Graph;
use clap::Args as ClapArgs;
use lecture::compare::compare;
use lecture::LectureNet;
use serde_json::json;

use super::options::PointArgs;
use super::{print, Error};

/// Options of `backprop check`.
#[derive(ClapArgs, Debug)]
pub struct Args {
    #[command(flatten)]
    point: PointArgs,
    /// Print one JSON object instead of tables.
    #[arg(long)]
    json: bool,
}

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
    let comparison = compare(net, &point)?;
    if let Some(what) = comparison.first_non_finite() {
        return Err(Error::Option(format!(
            "at this point {what}: the numbers overflow; use smaller --weights, --s0 or --target"
        )));
    }
    if args.json {
        let nodes: Vec<_> = built
            .table()
            .into_iter()
            .map(|(name, value)| json!({ "name": name, "value": value }))
            .collect();
        let rows: Vec<_> = comparison
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
        let value = json!({
            "net": net.to_string(),
            "point": { "weights": point.weights, "s0": point.s0, "target": point.target },
            "nodes": nodes, "out": comparison.out, "cost": comparison.cost, "gradients": rows,
        });
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
