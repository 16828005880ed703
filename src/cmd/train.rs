//! `backprop train`: fit a net's weights to a data file.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use clap::Args as ClapArgs;
use lecture::data::{read_file, Sample};
use lecture::solve::Method;
use lecture::{train, Config, Engine, Net, Schedule, Trained};
use serde_json::json;

use super::options::{check_count, check_plot_folder, count, numbers, positive, seed, Numbers};
use super::{axis, plot_surface, plot_weights, print, progress, solve, Error};

/// Options of `backprop train`.
#[derive(ClapArgs, Debug)]
pub struct Args {
    /// CSV file with columns in_true,out_true (or two headerless numeric columns).
    #[arg(long)]
    data: PathBuf,
    /// Network: lecture, two-node or chain:N.
    #[arg(long, default_value = "lecture")]
    net: Net,
    /// How to fit: gd (the lecture's online gradient descent), newton (trust-region Newton
    /// on the tape Hessian), lm (Levenberg–Marquardt on the residuals) or lbfgs (argmin's
    /// L-BFGS).
    #[arg(long, default_value = "gd", value_parser = ["gd", "newton", "lm", "lbfgs"])]
    method: String,
    /// Learning rate (the lecture's alpha), gd only [default: 0.01]
    #[arg(long, alias = "alpha", value_parser = positive, allow_hyphen_values = true)]
    lr: Option<f64>,
    /// Passes over the data, gd only [default: 1]
    #[arg(long, value_parser = count, allow_hyphen_values = true)]
    epochs: Option<usize>,
    /// Iteration limit of newton, lm and lbfgs (at most 1000000) [default: 100]
    #[arg(long, value_parser = max_iters, allow_hyphen_values = true)]
    max_iters: Option<u64>,
    /// Runs of newton, lm or lbfgs: the first from --init, the others from seeded random
    /// starts (at most 1000); the best is kept [default: 1]
    #[arg(long, value_parser = restart_count, allow_hyphen_values = true)]
    restarts: Option<usize>,
    /// Seed of the starting points of --restarts [default: 0]
    #[arg(long)]
    seed: Option<u64>,
    /// Starting weights w0,w1,… [default: all 1; two-node: 0.5,0.5]
    #[arg(long, value_parser = numbers, allow_hyphen_values = true)]
    init: Option<Numbers>,
    /// One step per epoch on the mean cost, instead of one step per row.
    #[arg(long)]
    full_batch: bool,
    /// Shuffle the rows each epoch with this seed (default: file order, as in the lecture).
    #[arg(long, conflicts_with = "full_batch", value_parser = seed, allow_hyphen_values = true)]
    shuffle: Option<u64>,
    /// Also draw the weights and the cost surface into this folder (PNG and SVG), gd only.
    #[arg(long, alias = "plot", value_name = "DIR")]
    plots: Option<PathBuf>,
    /// How gradients are computed, gd only: tape (compiled once, replayed) or eager (a fresh
    /// graph per step). Both give the same online result bit for bit [default: tape]
    #[arg(long, value_parser = ["tape", "eager"])]
    engine: Option<String>,
    /// Print one JSON object on stdout instead of text.
    #[arg(long)]
    json: bool,
    /// No progress bar.
    #[arg(long)]
    quiet: bool,
}

/// Runs `backprop train`.
///
/// # Errors
/// A data error naming file, line and column; [`Error::Option`] if `--init` does not fit
/// `--net`, or for a divergence (naming the step, and `--lr`).
pub fn run(args: &Args) -> Result<(), Error> {
    let init = args
        .init
        .clone()
        .map_or_else(|| args.net.default_init(), |n| n.0);
    check_count("--init", args.net, &init)?;
    check_plot_folder("--plots", args.plots.as_deref())?;
    if let Ok(method) = args.method.parse::<Method>() {
        return second_order(args, method, init);
    }
    refuse(
        "gd",
        &[
            ("--max-iters", args.max_iters.is_some()),
            ("--restarts", args.restarts.is_some()),
            ("--seed", args.seed.is_some()),
        ],
        "newton, lm or lbfgs",
    )?;
    let lr = args.lr.unwrap_or(0.01);
    let engine = args.engine.as_deref().unwrap_or("tape");
    let data = read_file(&args.data)?;
    let mut config = Config::new(args.net);
    config.alpha = lr;
    config.epochs = args.epochs.unwrap_or(1);
    config.init = init;
    config.engine = if engine == "eager" {
        Engine::Eager
    } else {
        Engine::Tape
    };
    config.schedule = if args.full_batch {
        Schedule::FullBatch
    } else {
        Schedule::Online {
            shuffle: args.shuffle,
        }
    };
    let for_plots = args.plots.is_some();
    let (trained, elapsed) =
        fit(&data, config.clone(), args.quiet, for_plots).map_err(|e| match e {
            Error::Lecture(e @ lecture::Error::Diverged { .. }) => {
                Error::Option(format!("{e}: try a smaller --lr"))
            }
            Error::Lecture(lecture::Error::Config(m)) if m.contains("epochs") => {
                Error::Option(format!("invalid --epochs: {m}"))
            }
            e => e,
        })?;
    let mut written = Vec::new();
    if let Some(dir) = &args.plots {
        written = plots(dir, &config, &data, &trained, None)?;
    }
    let mode = if args.full_batch {
        "full-batch"
    } else {
        "online"
    };
    if args.json {
        let value = json!({
            "net": args.net.to_string(), "data": args.data.display().to_string(),
            "rows": data.len(), "mode": mode, "lr": lr, "engine": engine,
            "initial_weights": config.init, "weights": trained.weights, "cost": trained.cost,
            "epochs": trained.epochs, "steps": trained.steps,
            "seconds": elapsed.as_secs_f64(),
            "plots": written.iter().map(|p| p.display().to_string()).collect::<Vec<_>>(),
        });
        return print(&format!("{value}\n"));
    }
    let mut text = format!(
        "trained {} net on {} rows of {}: {} {mode} epoch(s), {} steps, learning rate {}, \
         {:.3} s\n",
        args.net,
        data.len(),
        args.data.display(),
        trained.epochs,
        trained.steps,
        lr,
        elapsed.as_secs_f64()
    );
    for (k, w) in trained.weights.iter().enumerate() {
        text.push_str(&format!("  w{k} = {w}\n"));
    }
    text.push_str(&format!("mean cost C over the data: {:e}\n", trained.cost));
    for path in &written {
        text.push_str(&format!("wrote {}\n", path.display()));
    }
    print(&text)
}

/// `backprop train --method newton|lm|lbfgs`.
fn second_order(args: &Args, method: Method, init: Vec<f64>) -> Result<(), Error> {
    refuse(
        &args.method,
        &[
            ("--lr", args.lr.is_some()),
            ("--epochs", args.epochs.is_some()),
            ("--shuffle", args.shuffle.is_some()),
            ("--full-batch", args.full_batch),
            ("--engine", args.engine.is_some()),
            ("--plots", args.plots.is_some()),
        ],
        "gd",
    )?;
    let data = read_file(&args.data)?;
    let request = solve::Request {
        net: args.net,
        method,
        init,
        max_iters: args.max_iters.unwrap_or(100),
        restarts: args.restarts.unwrap_or(1),
        seed: args.seed.unwrap_or(0),
    };
    let outcome = solve::solve(&data, &request)?;
    let file = args.data.display().to_string();
    if args.json {
        let value = solve::json(&request, &outcome, data.len(), &file);
        return print(&format!("{value}\n"));
    }
    print(&solve::text(&request, &outcome, data.len(), &file))
}

/// An error naming the first of `options` that was given and does not apply to
/// `--method method` (it applies to `--method applies_to`).
fn refuse(method: &str, options: &[(&str, bool)], applies_to: &str) -> Result<(), Error> {
    match options.iter().find(|(_, given)| *given) {
        Some((option, _)) => Err(Error::Option(format!(
            "{option} does not apply to --method {method} (only to --method {applies_to})"
        ))),
        None => Ok(()),
    }
}

/// `--max-iters`: a whole number in `1..=1000000`.
fn max_iters(s: &str) -> Result<u64, String> {
    match count(s)? {
        n @ 1..=1_000_000 => Ok(n as u64),
        _ => Err(format!("'{s}' must be at most 1000000")),
    }
}

/// `--restarts`: a whole number in `1..=1000`.
fn restart_count(s: &str) -> Result<usize, String> {
    match count(s)? {
        n @ 1..=1000 => Ok(n),
        _ => Err(format!("'{s}' must be at most 1000")),
    }
}

/// Trains with a progress bar; returns the result and the time spent training.
///
/// With `for_plots`, the trajectory is recorded at most ~100,000 times, evenly spaced, for
/// [`plots`] to draw; without, only its last step is (nothing reads the others, and
/// 100,000 records are 4 MB of fresh memory written while training).
///
/// # Errors
/// As [`lecture::train`].
pub fn fit(
    data: &[Sample],
    mut config: Config,
    quiet: bool,
    for_plots: bool,
) -> Result<(Trained, Duration), Error> {
    let total = config.schedule.steps(config.epochs, data.len());
    config.record_every = record_every(total, for_plots);
    let label = match config.schedule {
        Schedule::FullBatch => "full batch",
        Schedule::Online { .. } => "online",
    };
    let bar = progress::bar(total, label, quiet);
    let start = Instant::now();
    let result = train(data, &config, &mut |step| bar.set_position(step as u64));
    let elapsed = start.elapsed();
    bar.finish_and_clear();
    Ok((result?, elapsed))
}

/// `Config::record_every` for [`fit`], for a run of `total` steps: about 100,000 records
/// for plots, else one.
pub fn record_every(total: usize, for_plots: bool) -> usize {
    if for_plots {
        total.div_ceil(100_000).max(1)
    } else {
        total.max(1)
    }
}

/// Draws `weights.{png,svg}` and `surface.{png,svg}` into `dir` (created if missing).
///
/// # Errors
/// [`Error::Output`] naming the folder or file that cannot be written.
pub fn plots(
    dir: &Path,
    config: &Config,
    data: &[Sample],
    trained: &Trained,
    truth: Option<&[f64]>,
) -> Result<Vec<PathBuf>, Error> {
    for k in 0..config.net.n_weights() {
        let path = trained.trajectory.weight_series(k);
        let ends = [Some(trained.trajectory.initial()[k]), truth.map(|t| t[k])];
        axis::plottable(
            "--plots",
            &format!("w{k}"),
            path.chain(ends.into_iter().flatten()),
        )?;
    }
    std::fs::create_dir_all(dir)
        .map_err(|e| Error::Output(format!("--plots {}: cannot create: {e}", dir.display())))?;
    let title = format!(
        "{} net, alpha {}: weights and cost against step",
        config.net, config.alpha
    );
    let mut written = plot_weights::write(dir, "weights", &trained.trajectory, truth, &title)?;
    if config.net.n_weights() >= 2 {
        written.extend(plot_surface::write(
            dir,
            "surface",
            config.net,
            data,
            &trained.trajectory,
            truth,
        )?);
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;
    use lecture::data::Generator;

    #[test]
    fn the_trajectory_is_kept_for_plots_only_and_the_weights_are_the_same() {
        let online = Schedule::Online { shuffle: None }.steps(20, 50_000);
        let full_batch = Schedule::FullBatch.steps(200, 50_000);
        assert_eq!(record_every(online, true), 10);
        assert_eq!(record_every(online, false), 1_000_000);
        assert_eq!(record_every(full_batch, true), 1);
        assert_eq!(record_every(full_batch, false), 200);
        let none = Schedule::Online { shuffle: None }.steps(0, 0);
        assert_eq!(record_every(none, false), 1, "never 0");

        let data: Vec<Sample> = Generator::new(Net::Lecture, &[-0.2, 2.8, 10.0], (-10.0, 10.0), 1)
            .unwrap()
            .take(2_000)
            .collect();
        let mut config = Config::new(Net::Lecture);
        config.epochs = 3;
        let (plotted, _) = fit(&data, config.clone(), true, true).unwrap();
        let (plain, _) = fit(&data, config, true, false).unwrap();
        assert_eq!(plotted.weights, plain.weights);
        assert_eq!(
            (plotted.trajectory.len(), plain.trajectory.len()),
            (6_000, 1)
        );
        assert_eq!(plain.trajectory.steps(), [6_000]);
    }
}
