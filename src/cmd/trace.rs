//! `backprop trace`: the reverse sweep as it happens, on a lecture net or an MLP: the forward
//! table, each node's adjoint `dC/d(node)` in sweep order with what it passes on through
//! each edge, and the final gradients.

use std::fmt::Write;

use autodiff::{Graph, Trace};
use clap::Args as ClapArgs;
use serde_json::{json, Value};

use super::options::{NetPointArgs, Recorded};
use super::{print, Error};

/// Options of `backprop trace`: the net, the point and `--json`.
#[derive(ClapArgs, Debug, Clone)]
pub struct Args {
    /// Which net, and where to evaluate it.
    #[command(flatten)]
    net: NetPointArgs,
    /// Print one JSON object instead of text.
    #[arg(long)]
    json: bool,
}

/// Runs `backprop trace`.
///
/// # Errors
/// [`Error::Option`] if the weights do not fit the net (`--net` or `--layers`).
pub fn run(args: &Args) -> Result<(), Error> {
    let g = Graph::new();
    let built = args.net.record(&g)?;
    let trace = built.cost.trace();
    if args.json {
        return print(&format!("{}\n", to_json(&built, &trace)));
    }
    print(&to_text(&built, &trace))
}

/// The weights' names and node indices, `w0, w1, …`.
fn weights(net: &Recorded<'_>) -> Vec<(String, usize)> {
    net.weights
        .iter()
        .enumerate()
        .map(|(i, w)| (format!("w{i}"), w.index()))
        .collect()
}

/// What node `index` is to the lecture: a `weight` (trained), `data` (`s0`, `target`) or an
/// `op` computed from other nodes.
fn role(net: &Recorded<'_>, trace: &Trace, index: usize) -> &'static str {
    if !trace.nodes[index].op.is_leaf() {
        "op"
    } else if net.weights.iter().any(|w| w.index() == index) {
        "weight"
    } else {
        "data"
    }
}

/// The trace as JSON: `net`, `point`, `nodes` (the forward table, each node with its
/// `operands` and their partials), `sweep` (one entry per
/// node in sweep order, with its `passes`) and `gradients` (per weight). Every number at
/// full precision.
pub fn to_json(net: &Recorded<'_>, trace: &Trace) -> Value {
    let nodes: Vec<Value> = trace
        .nodes
        .iter()
        .map(|n| {
            json!({
                "index": n.index, "name": n.name, "expression": n.expression,
                "op": n.op.name(), "role": role(net, trace, n.index), "value": n.value,
                "operands": n.operands.iter().map(|&(node, partial)| json!({ "node": node, "partial": partial })).collect::<Vec<_>>(),
            })
        })
        .collect();
    let name = |i: usize| trace.nodes[i].name.as_str();
    let sweep: Vec<Value> = trace
        .steps
        .iter()
        .map(|s| {
            let passes: Vec<Value> = s
                .passes
                .iter()
                .map(|c| {
                    json!({
                        "source": c.source, "target": c.target, "from": name(c.source),
                        "to": name(c.target), "slot": c.slot, "partial": c.partial,
                        "symbol": c.symbol, "amount": c.amount, "sum": c.sum,
                    })
                })
                .collect();
            json!({ "node": s.node, "name": name(s.node), "adjoint": s.adjoint, "passes": passes })
        })
        .collect();
    let gradients: Vec<Value> = weights(net)
        .into_iter()
        .map(|(w, i)| json!({ "weight": w, "node": i, "gradient": trace.adjoints[i] }))
        .collect();
    json!({
        "net": net.net,
        "point": { "weights": net.point.weights, "s0": net.point.s0, "target": net.point.target },
        "root": trace.root, "nodes": nodes, "sweep": sweep, "gradients": gradients,
    })
}

/// The trace as text, within 100 columns for the lecture's names.
fn to_text(net: &Recorded<'_>, trace: &Trace) -> String {
    let name = |i: usize| trace.nodes[i].name.as_str();
    let mut text = String::from("Forward pass: each node's value\n");
    let _ = writeln!(
        text,
        "  {:<18} {:<28} {:>22}",
        "node", "computed as", "value"
    );
    for n in &trace.nodes {
        let computed = match role(net, trace, n.index) {
            "op" => n.expression.as_str(),
            leaf => leaf,
        };
        let _ = writeln!(text, "  {:<18} {computed:<28} {:>22}", n.name, n.value);
    }
    text.push_str(
        "\nBackward sweep: from C down, each node's adjoint dC/d(node) (its delta), complete\n\
         when its turn comes, passed on to each operand as adjoint × local partial\n",
    );
    for step in &trace.steps {
        let _ = writeln!(
            text,
            "  {:<18} dC/d{} = {}",
            name(step.node),
            name(step.node),
            step.adjoint
        );
        if step.adjoint == 0.0 && !trace.nodes[step.node].op.is_leaf() {
            text.push_str("      passes nothing on (its adjoint is 0)\n");
        }
        for c in &step.passes {
            let _ = writeln!(
                text,
                "      → {:<16} × {:<14} = {:>11} adds {:>11}, now {}",
                name(c.source),
                c.symbol,
                short(c.partial),
                short(c.amount),
                short(c.sum)
            );
        }
    }
    text.push_str("\nGradients: the weights' adjoints when the sweep is done\n");
    for (w, i) in weights(net) {
        let _ = writeln!(text, "  dC/d{w} = {}", trace.adjoints[i]);
    }
    text
}

/// `x` to six significant digits, in a short form.
fn short(x: f64) -> String {
    let magnitude = x.abs();
    if x == 0.0 || !x.is_finite() || (1e-4..1e6).contains(&magnitude) {
        let decimals = if x == 0.0 || !x.is_finite() {
            0
        } else {
            (5 - magnitude.log10().floor() as i32).max(0) as usize
        };
        format!("{x:.decimals$}")
    } else {
        format!("{x:.5e}")
    }
}

#[cfg(test)]
mod tests {
    use super::short;

    #[test]
    fn short_numbers_keep_six_significant_digits() {
        assert_eq!(short(0.5), "0.500000");
        assert_eq!(short(-0.0011773525714957244), "-0.00117735");
        assert_eq!(short(123456.7), "123457");
        assert_eq!(short(2.5e6), "2.50000e6");
        assert_eq!(short(4.0), "4.00000");
        assert_eq!(short(0.0), "0");
        assert_eq!(short(f64::NAN), "NaN");
        assert_eq!(short(1e-9), "1.00000e-9");
    }
}
