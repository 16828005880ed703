//! `backprop explain`: each weight's gradient as the chain rule builds it, the product of
//! the local partials along every path from the weight to the cost, summed over paths.

use std::fmt::Write;

use autodiff::{Graph, Paths};
use clap::Args as ClapArgs;
use serde_json::{json, Value};

use super::options::NetPointArgs;
use super::{print, Error};

/// The most weights `--weight all` explains at once.
const MAX_ALL: usize = 64;

/// Options of `backprop explain`.
#[derive(ClapArgs, Debug)]
pub struct Args {
    #[command(flatten)]
    net: NetPointArgs,
    /// Which weight to explain: w0, w1, … or all.
    #[arg(long, default_value = "all")]
    weight: String,
    /// List at most this many paths per weight (the rest are counted and their share of
    /// the gradient reported).
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..=100_000), allow_hyphen_values = true)]
    max_paths: u32,
    /// Print one JSON object instead of text.
    #[arg(long)]
    json: bool,
}

/// Runs `backprop explain`.
///
/// # Errors
/// [`Error::Option`] if the weights do not fit the net (`--net` or `--layers`) or
/// `--weight` names no weight.
pub fn run(args: &Args) -> Result<(), Error> {
    let g = Graph::new();
    let built = args.net.record(&g)?;
    let names: Vec<String> = (0..built.weights.len()).map(|i| format!("w{i}")).collect();
    let chosen: Vec<usize> = if args.weight == "all" {
        (0..names.len()).collect()
    } else {
        match names.iter().position(|n| *n == args.weight) {
            Some(i) => vec![i],
            None => {
                return Err(Error::Option(format!(
                    "invalid --weight: {:?} is not one of {} or all",
                    args.weight,
                    names.join(", ")
                )))
            }
        }
    };
    // each weight's paths run the length of the net: all of them at once grows as its square
    if chosen.len() > MAX_ALL {
        return Err(Error::Option(format!(
            "invalid --weight: all on a net with {} weights (more than {MAX_ALL}) prints too much; \
             pick one, e.g. --weight w0",
            chosen.len()
        )));
    }
    let explained: Vec<(usize, Paths)> = chosen
        .iter()
        .map(|&i| {
            (
                i,
                built
                    .cost
                    .paths_from(built.weights[i], args.max_paths as usize),
            )
        })
        .collect();
    for (i, p) in &explained {
        let sums = [
            ("the tape's", p.gradient),
            ("the paths' sum of", p.listed_sum),
        ];
        if let Some((what, x)) = sums.into_iter().find(|(_, x)| !x.is_finite()) {
            return Err(Error::Option(format!(
                "at this point {what} dC/d{} is {x}: the numbers overflow; use smaller \
                 --weights, --s0 or --target",
                names[*i]
            )));
        }
    }
    if args.json {
        let weights: Vec<Value> = explained
            .iter()
            .map(|(i, p)| paths_json(&names[*i], p))
            .collect();
        let value = json!({
            "net": built.net,
            "point": { "weights": built.point.weights, "s0": built.point.s0, "target": built.point.target },
            "gradients": weights,
        });
        return print(&format!("{value}\n"));
    }
    let mut text = String::new();
    for (i, p) in &explained {
        text.push_str(&explain_weight(&names[*i], p));
        text.push('\n');
    }
    print(&text)
}

/// One weight's paths as JSON: `weight`, `paths` (the count, as a string: it may exceed
/// 2⁵³), `listed` (each with its `factors` and `product`), `sum_of_listed`, `left_out`,
/// `left_out_share` and `tape`.
pub fn paths_json(weight: &str, p: &Paths) -> Value {
    let paths: Vec<Value> = p
        .listed
        .iter()
        .map(|path| {
            let factors: Vec<Value> = path
                .edges
                .iter()
                .map(|e| {
                    json!({
                        "from": e.source_name, "to": e.target_name,
                        "symbol": e.symbol, "value": e.partial,
                    })
                })
                .collect();
            json!({ "factors": factors, "product": path.product })
        })
        .collect();
    json!({
        "weight": weight, "paths": p.count.to_string(), "listed": paths,
        "sum_of_listed": p.listed_sum, "left_out": p.left_out().to_string(),
        "left_out_share": p.left_out_share(), "tape": p.gradient,
    })
}

/// The text for one weight: each listed path with its factors, the sum, the tape.
pub(crate) fn explain_weight(weight: &str, p: &Paths) -> String {
    let plural = if p.count == 1 { "" } else { "s" };
    let mut text = format!(
        "dC/d{weight}: {} path{plural} from {weight} to C\n",
        p.count
    );
    for (k, path) in p.listed.iter().enumerate() {
        let route: Vec<&str> = std::iter::once(path.edges[0].source_name.as_str())
            .chain(path.edges.iter().map(|e| e.target_name.as_str()))
            .collect();
        let _ = writeln!(text, "  path {}: {}", k + 1, route.join(" → "));
        for e in &path.edges {
            let factor = format!("∂{}/∂{}", e.target_name, e.source_name);
            let _ = writeln!(
                text,
                "    {factor:<36} = {:<20} = {:>12.6}",
                e.symbol, e.partial
            );
        }
        let _ = writeln!(text, "    product{:>59.15e}", path.product);
    }
    if p.left_out() > 0 {
        let _ = writeln!(
            text,
            "  … {} more path(s) not listed, carrying {:.15e} of the gradient",
            p.left_out(),
            p.left_out_share()
        );
    }
    let _ = writeln!(text, "  sum over listed paths = {:.15e}", p.listed_sum);
    let _ = writeln!(text, "  tape's dC/d{weight}       = {:.15e}", p.gradient);
    text
}
