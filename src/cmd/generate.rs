//! `backprop generate`: a data file from known weights.

use std::path::PathBuf;

use clap::Args as ClapArgs;
use lecture::data::{write_file, Generator};
use lecture::Net;

use super::options::{check_count, count, numbers, range, seed, Numbers};
use super::{print, Error};

/// Options of `backprop generate`.
#[derive(ClapArgs, Debug)]
pub struct Args {
    /// The weights that produce the data, w0,w1,…
    #[arg(long, value_parser = numbers, allow_hyphen_values = true)]
    weights: Numbers,
    /// Number of rows.
    #[arg(long, value_parser = count, allow_hyphen_values = true)]
    n: usize,
    /// Inputs s0 are drawn uniformly from lo,hi.
    #[arg(long, default_value = "-10,10", value_parser = range, allow_hyphen_values = true)]
    range: (f64, f64),
    /// Seed of the random inputs.
    #[arg(long, default_value_t = 0, value_parser = seed, allow_hyphen_values = true)]
    seed: u64,
    /// Network: lecture, two-node or chain:N.
    #[arg(long, default_value = "lecture")]
    net: Net,
    /// The CSV file to write (written completely or not at all).
    #[arg(long)]
    out: PathBuf,
}

/// Runs `backprop generate`.
///
/// # Errors
/// [`Error::Option`] if the weights do not fit the net; a data error naming the file if it
/// cannot be written (no partial file is left).
pub fn run(args: &Args) -> Result<(), Error> {
    check_count("--weights", args.net, &args.weights.0)?;
    let rows = Generator::new(args.net, &args.weights.0, args.range, args.seed)?.take(args.n);
    let n = write_file(&args.out, rows)?;
    print(&format!("wrote {n} rows to {}\n", args.out.display()))
}
