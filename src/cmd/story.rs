//! `backprop` with no subcommand: the lecture from the forward pass to recovered weights.

use std::fmt::Write;
use std::path::PathBuf;

use autodiff::Graph;
use clap::Args as ClapArgs;
use lecture::compare::compare;
use lecture::data::{Generator, Sample};
use lecture::solve::Method;
use lecture::{Config, Net, Point, Trained};

use super::check::forward_table;
use super::{explain, print, solve, train, Error};

/// The weights the built-in data come from (the course's challenge: find them).
pub const HIDDEN_WEIGHTS: [f64; 3] = [-0.2, 2.8, 10.0];
/// Rows of built-in data.
pub const ROWS: usize = 50_000;
/// Inputs `s0` of the built-in data are uniform in this range.
pub const RANGE: (f64, f64) = (-10.0, 10.0);
/// Seed of the built-in data.
pub const SEED: u64 = 2026;

/// The most paths `explain w0` lists in the story (the lecture net has one).
const MAX_PATHS: usize = 20;

/// Section 4: the same rows solved by Levenberg–Marquardt and Newton from the same start,
/// each weight's error beside the online descent's.
///
/// # Errors
/// [`Error::Lecture`] if a solver overflows (it does not on these data).
fn second_order(data: &[Sample], online: &Trained, online_seconds: f64) -> Result<String, Error> {
    let mut text = String::from(
        "\n4. Second derivatives buy digits: the same rows, from the same start, solved by\n   \
         Levenberg-Marquardt (residuals and their Jacobian) and by Newton's method in a trust\n   \
         region (the tape's Hessian); `backprop train --method lm|newton|lbfgs`.\n\n",
    );
    let _ = writeln!(
        text,
        "   {:<10} {:>10} {:>9} {:>11} {:>11} {:>11}",
        "method", "iterations", "seconds", "|w0 error|", "|w1 error|", "|w2 error|"
    );
    let row = |name: &str, iterations: usize, seconds: f64, weights: &[f64]| {
        let errors: Vec<String> = HIDDEN_WEIGHTS
            .iter()
            .zip(weights)
            .map(|(t, w)| format!("{:>11.1e}", (w - t).abs()))
            .collect();
        format!(
            "   {name:<10} {iterations:>10} {seconds:>9.3} {}\n",
            errors.join(" ")
        )
    };
    text.push_str(&row(
        "online gd",
        online.steps,
        online_seconds,
        &online.weights,
    ));
    for method in [Method::Lm, Method::Newton] {
        let request = solve::Request {
            net: Net::Lecture,
            method,
            init: Net::Lecture.default_init(),
            max_iters: 100,
            restarts: 1,
            seed: 0,
        };
        let outcome = solve::solve(data, &request)?;
        let best = outcome.restarts.best();
        text.push_str(&row(
            &method.to_string(),
            best.iterations(),
            outcome.seconds,
            &best.weights,
        ));
    }
    Ok(text)
}

/// Options of the story (no subcommand).
#[derive(ClapArgs, Debug)]
pub struct Args {
    /// Folder the lecture story (no command) writes its plots to.
    #[arg(long, alias = "plot", default_value = "out", value_name = "DIR")]
    plots: PathBuf,
    /// No progress bar.
    #[arg(long)]
    quiet: bool,
}

/// Runs the story.
///
/// # Errors
/// [`Error::Output`] if the plots cannot be written.
pub fn run(args: &Args) -> Result<(), Error> {
    super::options::check_plot_folder("--plots", Some(&args.plots))?;
    let point = Point::slides();
    let mut text = String::from(
        "backprop: the backpropagation lecture, on a reverse-mode autodiff graph\n\n\
         The network:  s0 --(*w0)--> x1 --S--> s1 --(*w1)--> x2 --S--> s2 --(*w2)--> out\n\
         The cost:     C = 1/2 (target - out)^2,  S(x) = 1/(1 + e^-x)\n\n",
    );
    let _ = writeln!(
        text,
        "1. Forward pass at the slides' point: s0 = {}, w = ({}, {}, {}), target = {}\n",
        point.s0, point.weights[0], point.weights[1], point.weights[2], point.target
    );
    let g = Graph::new();
    let net = Net::Lecture.build(&g, &point)?;
    text.push_str(&forward_table(&net));
    text.push_str(
        "\n2. Backward pass: dC/dw from the graph's reverse sweep (tape), from the slides'\n   \
         hand-derived formulas, and from central finite differences\n\n",
    );
    text.push_str(&compare(Net::Lecture, &point)?.to_string());
    text.push_str(
        "\n   Where the tape's number comes from: the chain rule multiplies the local partial of\n   \
         every edge on the path from w0 to C (`backprop explain` does this for any weight)\n\n",
    );
    let w0 = net.cost.paths_from(net.weights[0], MAX_PATHS);
    text.push_str(&explain::explain_weight("w0", &w0));
    let _ = write!(
        text,
        "\n3. The challenge: what weights produced these data?\n   \
         {ROWS} rows (s0, out) generated from hidden weights, s0 uniform in [{}, {}], seed {SEED}.\n   \
         Online gradient descent as in the lecture: rows in order, all weights updated from\n   \
         one forward pass, alpha 0.01, 3 epochs, starting from w = (1, 1, 1).\n\n",
        RANGE.0, RANGE.1
    );
    print(&text)?;

    let data: Vec<Sample> = Generator::new(Net::Lecture, &HIDDEN_WEIGHTS, RANGE, SEED)?
        .take(ROWS)
        .collect();
    let mut config = Config::new(Net::Lecture);
    config.epochs = 3;
    let (trained, elapsed) = train::fit(&data, config.clone(), args.quiet, true)?;
    let mut text = format!(
        "   {} steps in {:.2} s; mean cost over the data: {:.3e}\n\n",
        trained.steps,
        elapsed.as_secs_f64(),
        trained.cost
    );
    let _ = writeln!(
        text,
        "   {:<4} {:>10} {:>14} {:>12}",
        "", "true", "recovered", "rel. error"
    );
    for (k, (&t, &w)) in HIDDEN_WEIGHTS.iter().zip(&trained.weights).enumerate() {
        let rel = (w - t).abs() / t.abs();
        let _ = writeln!(text, "   w{k:<3} {t:>10} {w:>14.6} {rel:>12.2e}");
    }
    print(&text)?;
    let mut text = second_order(&data, &trained, elapsed.as_secs_f64())?;
    let written = train::plots(&args.plots, &config, &data, &trained, Some(&HIDDEN_WEIGHTS))?;
    let _ = writeln!(
        text,
        "\n5. Plots (PNG and SVG), written to {}/:",
        args.plots.display()
    );
    for path in written {
        let _ = writeln!(text, "   {}", path.display());
    }
    text.push_str(
        "\nThe whole lecture as one page (the net, the backward sweep step by step, these\n\
         plots): `backprop report --out lesson.html`. Each weight's gradient path by path:\n\
         `backprop explain --weight all`.\n\
         Next: `backprop train --data FILE.csv`, `backprop check --weights a,b,c`,\n\
         `backprop graph --highlight w0 | dot -Tsvg > net.svg`, `backprop generate --help`.\n",
    );
    print(&text)
}
