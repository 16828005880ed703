//! `backprop graph`: the lecture graph in Graphviz DOT, after a backward pass.

use autodiff::Graph;
use clap::Args as ClapArgs;

use super::options::PointArgs;
use super::{print, Error};

/// Options of `backprop graph`.
#[derive(ClapArgs, Debug)]
pub struct Args {
    #[command(flatten)]
    point: PointArgs,
}

/// Runs `backprop graph`: nodes labelled with names, values and adjoints `dC/dnode`, edges
/// with their local partials. Render with `backprop graph | dot -Tsvg > net.svg`.
///
/// # Errors
/// [`Error::Option`] if the weights do not fit the net.
pub fn run(args: &Args) -> Result<(), Error> {
    let point = args.point.point()?;
    let g = Graph::new();
    let net = args.point.net.build(&g, &point)?;
    let grads = net.cost.backward();
    let mut dot = g.to_dot_with(&grads);
    if !dot.ends_with('\n') {
        dot.push('\n');
    }
    print(&dot)
}
