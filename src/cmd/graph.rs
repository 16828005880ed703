//! `backprop graph`: the lecture graph in Graphviz DOT, after a backward pass, drawn to be
//! read: left to right, nodes with their op and 4-digit values, data apart from weights,
//! edges with their local partials, and optionally one leaf's paths to the cost in colour.

use autodiff::{DotOptions, Graph};
use clap::Args as ClapArgs;

use super::options::PointArgs;
use super::{print, Error};

/// Options of `backprop graph`.
#[derive(ClapArgs, Debug)]
pub struct Args {
    #[command(flatten)]
    point: PointArgs,
    /// Colour every path from this weight (or s0, target) to the cost C.
    #[arg(long, value_name = "NAME")]
    highlight: Option<String>,
}

/// Runs `backprop graph`: nodes labelled with names, operations, values and adjoints
/// `∂C/∂node`, edges with their local partials. Render with
/// `backprop graph | dot -Tsvg > net.svg`.
///
/// # Errors
/// [`Error::Option`] if the weights do not fit the net or `--highlight` names no leaf.
pub fn run(args: &Args) -> Result<(), Error> {
    let point = args.point.point()?;
    let g = Graph::new();
    let net = args.point.net.build(&g, &point)?;
    let grads = net.cost.backward();
    let data = [net.s0, net.target];
    let mut options = DotOptions::new().adjoints(&grads).data(&data);
    if let Some(name) = &args.highlight {
        let leaves = net.weights.iter().chain(&data);
        let named = |v: &&autodiff::Var<'_>| v.name().as_deref() == Some(name.as_str());
        let Some(&leaf) = leaves.clone().find(named) else {
            let valid: Vec<String> = leaves.filter_map(|v| v.name()).collect();
            return Err(Error::Option(format!(
                "invalid --highlight: {name:?} is not one of {}",
                valid.join(", ")
            )));
        };
        options = options.highlight(leaf, net.cost);
    }
    print(&g.to_dot_styled(&options))
}
