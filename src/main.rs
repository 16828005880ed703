//! The `backprop` command line: parse the arguments, dispatch to a subcommand, map errors to
//! one line on stderr and an exit code. No logic lives here.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod cmd;

/// What running without a command does, for `--help`.
const STORY: &str = "Without a command, backprop tells the whole lecture on built-in data: the \
forward pass, the gradient three ways, training that recovers hidden weights, and plots \
written to --plots (default: out).";

/// Backpropagation, told with the lecture's two-neuron network on a reverse-mode autodiff
/// engine.
#[derive(Parser)]
#[command(name = "backprop", version, long_about = None, after_help = STORY)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    story: cmd::story::Args,
}

#[derive(Subcommand)]
#[allow(clippy::large_enum_variant)] // parsed once; boxing would only add noise
enum Command {
    /// Train a net on a CSV file of (in_true, out_true) rows.
    Train(cmd::train::Args),
    /// Compare tape, slide formulas and finite differences at one point.
    Check(cmd::check::Args),
    /// Show each weight's gradient as the chain rule builds it: paths, partials, products.
    Explain(cmd::explain::Args),
    /// Show the reverse sweep step by step: each node's adjoint and what it passes on.
    Trace(cmd::trace::Args),
    /// Write the lecture as one self-contained HTML page (net, sweep step by step, training).
    Report(cmd::report::Args),
    /// Print the lecture graph as Graphviz DOT after a backward pass.
    Graph(cmd::graph::Args),
    /// Write a CSV file of data generated from known weights.
    Generate(cmd::generate::Args),
    /// Train an MLP on one of the TensorFlow playground's problems, the handwritten digits, or
    /// a CSV file.
    Playground(cmd::playground::Args),
    // Further subcommands go here.
}

fn main() -> ExitCode {
    let cli: Cli = cmd::parse_args(); // usage errors: one line on stderr, exit 2
    cmd::output::remove_on_interrupt();
    let result = match cli.command {
        None => cmd::story::run(&cli.story),
        Some(Command::Train(args)) => cmd::train::run(&args),
        Some(Command::Check(args)) => cmd::check::run(&args),
        Some(Command::Explain(args)) => cmd::explain::run(&args),
        Some(Command::Trace(args)) => cmd::trace::run(&args),
        Some(Command::Report(args)) => cmd::report::run(&args),
        Some(Command::Graph(args)) => cmd::graph::run(&args),
        Some(Command::Generate(args)) => cmd::generate::run(&args),
        Some(Command::Playground(args)) => cmd::playground::run(&args),
    };
    cmd::exit(result)
}
