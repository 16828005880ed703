//! `backprop playground`: the TensorFlow playground's problems from the command line — an
//! MLP trained on a toy dataset, the handwritten digits or a CSV file (two classes, more,
//! or regression), train and test metrics as it goes, and optionally pictures: the
//! decision surface, loss and accuracy curves, confusion matrix, misclassified digits.

mod finite;
mod limits;
mod plot;
mod plot_classes;
mod setup;

use std::path::PathBuf;
use std::time::Instant;

use clap::Args as ClapArgs;
use nn::datasets::Task;
use nn::{evaluate, Confusion, Metrics, Module};
use serde_json::json;

use super::options::{finite, seed};
use super::{print, progress, Error};
use setup::Setup;

/// Options of `backprop playground`.
#[derive(ClapArgs, Debug, Clone)]
pub struct Args {
    /// Problem: circle, xor, gauss, spiral (classification), plane, multigauss (regression),
    /// moons; or digits (the 8×8 handwritten digits, ten classes).
    #[arg(long, default_value = "circle")]
    pub dataset: String,
    /// CSV file instead of a generated problem: numeric feature columns and a label column.
    #[arg(long, conflicts_with = "dataset")]
    pub data: Option<PathBuf>,
    /// Label column of --data: a column name, or a column number from 1 [default: the last
    /// column]. Labels ±1 or 0/1 are two classes, whole numbers 0…K−1 (three or more
    /// values) K classes, other numbers regression.
    #[arg(long, requires = "data")]
    pub label: Option<String>,
    /// Hidden layer sizes, comma-separated; the output layer is added (one neuron, or one
    /// per class) [default: 8,8; digits: 64].
    #[arg(long)]
    pub layers: Option<String>,
    /// Hidden activation: tanh, relu, sigmoid or linear (the output is linear).
    #[arg(long, default_value = "tanh")]
    pub activation: String,
    /// Input features: x1, x2, x1sq, x2sq, x1x2, sinx1, sinx2 (comma-separated).
    #[arg(long, default_value = "x1,x2")]
    pub features: String,
    /// Loss: bce, hinge, mse or softmax [default: bce for two classes, softmax for more,
    /// mse for regression].
    #[arg(long)]
    pub loss: Option<String>,
    /// Optimizer: sgd, momentum or adam.
    #[arg(long, default_value = "adam")]
    pub optimizer: String,
    /// Learning rate (the start of the decay with --lr-end) [default: 0.03; digits: 0.01].
    #[arg(long, value_parser = finite, allow_hyphen_values = true)]
    pub lr: Option<f64>,
    /// Decay the learning rate linearly to this value over the run [default: none; digits:
    /// 0.0001].
    #[arg(long, value_parser = finite, allow_hyphen_values = true)]
    pub lr_end: Option<f64>,
    /// Samples per minibatch [default: 10; digits: 32].
    #[arg(long, value_parser = signed_count, allow_hyphen_values = true)]
    pub batch: Option<i64>,
    /// Passes over the training set [default: 200; digits: 40].
    #[arg(long, value_parser = signed_count, allow_hyphen_values = true)]
    pub epochs: Option<i64>,
    /// Points to generate.
    #[arg(long, default_value_t = 500, value_parser = signed_count, allow_hyphen_values = true)]
    pub samples: i64,
    /// Noise level (the playground's slider: 0 to 0.5).
    #[arg(long, default_value_t = 0.0, value_parser = finite, allow_hyphen_values = true)]
    pub noise: f64,
    /// Fraction of the points held out for testing, in (0, 1) (of each class when there
    /// are more than two) [default: 0.5; digits: 0.25].
    #[arg(long, value_parser = finite, allow_hyphen_values = true)]
    pub test_ratio: Option<f64>,
    /// Regularisation: none, l1 or l2 [default: none; digits: l2].
    #[arg(long)]
    pub regularization: Option<String>,
    /// Regularisation rate [default: 0; digits: 0.0001].
    #[arg(long, value_parser = finite, allow_hyphen_values = true)]
    pub reg_rate: Option<f64>,
    /// Seed of the data, the split, the initial weights and the shuffling.
    #[arg(long, default_value_t = 1, value_parser = seed, allow_hyphen_values = true)]
    pub seed: u64,
    /// Epochs between progress lines [default: a tenth of the run].
    #[arg(long, value_parser = signed_count, allow_hyphen_values = true)]
    pub report: Option<i64>,
    /// Record a fresh graph per minibatch instead of replaying the compiled tape.
    #[arg(long)]
    pub eager: bool,
    /// Write the pictures (PNG and SVG) into this folder: the decision surface (points in
    /// the plane) and loss curves; for more than two classes also the accuracy curves and
    /// the confusion matrix, and for digits the misclassified test images.
    #[arg(long, alias = "plot", value_name = "DIR")]
    pub plots: Option<PathBuf>,
    /// Print one JSON object with the final metrics on stdout instead of text.
    #[arg(long)]
    pub json: bool,
    /// No progress bar.
    #[arg(long)]
    pub quiet: bool,
}

/// Any whole number (range checks come later, with a message naming the option).
fn signed_count(s: &str) -> Result<i64, String> {
    s.trim()
        .parse::<i64>()
        .map_err(|_| format!("'{s}' is not a whole number"))
}

/// Train and test metrics after an epoch.
#[derive(Clone, Copy, Debug)]
pub struct EpochMetrics {
    /// Epochs done.
    pub epoch: usize,
    /// On the training set.
    pub train: Metrics,
    /// On the test set.
    pub test: Metrics,
}

/// Converts the network crate's errors: a bad setting becomes an error naming its option,
/// a data file's error stays one (file, line, column), the rest are the engine's.
pub(crate) fn nn_error(e: nn::Error) -> Error {
    match e {
        nn::Error::InvalidSetting { setting, message } => {
            option_error(&option_for(setting), message)
        }
        nn::Error::Data(e) => Error::Data(e),
        e => Error::Nn(e),
    }
}

/// `invalid --option: message`.
pub(crate) fn option_error(option: &str, message: impl std::fmt::Display) -> Error {
    Error::Option(format!("invalid {option}: {message}"))
}

/// The option of `backprop playground` that sets one of the network crate's settings.
fn option_for(setting: &str) -> String {
    match setting {
        "problem" => "--dataset".to_string(),
        "steps" => "--epochs".to_string(),
        // lr, lr_end, batch, layers, activation, loss, optimizer, regularization, reg_rate,
        // samples, noise, features, test_ratio, label: the option is the setting's name
        other => format!("--{}", other.replace('_', "-")),
    }
}

/// Runs `backprop playground`.
///
/// # Errors
/// [`Error::Option`] naming the option for a bad hyper-parameter or name; [`Error::Data`]
/// naming the file, line and column for bad CSV data; [`Error::Output`] if a plot cannot
/// be written.
pub fn run(args: &Args) -> Result<(), Error> {
    super::options::check_plot_folder("--plots", args.plots.as_deref())?;
    let mut setup = Setup::new(args)?;
    let epochs = setup.epochs;
    let report = setup.report;
    let curve_every = epochs.div_ceil(100).max(1);
    let bar = progress::bar(epochs, "training", args.quiet);
    let start = Instant::now();
    let mut history = vec![setup.metrics(0)];
    finite::metrics(&setup, args, &history[0])?;
    let mut lines = vec![header(&setup), row(&history[0], setup.task)];
    if !args.json {
        bar.suspend(|| print(&format!("{}\n{}\n", lines[0], lines[1])))?;
    }
    for epoch in 1..=epochs {
        let objective = setup.epoch().map_err(nn_error)?;
        finite::after_epoch(&setup, epoch, objective)?;
        bar.set_position(epoch as u64);
        if epoch % curve_every == 0 || epoch % report == 0 || epoch == epochs {
            let point = setup.metrics(epoch);
            finite::metrics(&setup, args, &point)?;
            history.push(point);
            if epoch % report == 0 || epoch == epochs {
                let line = row(&point, setup.task);
                if !args.json {
                    bar.suspend(|| print(&format!("{line}\n")))?;
                }
                lines.push(line);
            }
        }
    }
    let seconds = start.elapsed().as_secs_f64();
    bar.finish_and_clear();
    let mut written = Vec::new();
    if let Some(dir) = &args.plots {
        written = plot::write(dir, &setup, &history)?;
    }
    let last = history[history.len() - 1];
    let confusion = setup.confusion();
    if args.json {
        let generated = args.data.is_none() && setup.images.is_none();
        let set = &setup.settings;
        let value = json!({
            "dataset": setup.name, "task": task_name(setup.task),
            "classes": match setup.task { Task::MultiClass(k) => Some(k), _ => None },
            "data": args.data.as_ref().map(|p| p.display().to_string()), "label": args.label,
            "samples": generated.then_some(args.samples),
            "noise": generated.then_some(args.noise),
            "seed": args.seed, "test_ratio": set.test_ratio,
            "layers": setup.sizes, "activation": args.activation, "features": setup.feature_names,
            "loss": setup.loss.name(), "optimizer": args.optimizer, "lr": set.lr,
            "lr_end": set.lr_end, "regularization": set.regularization,
            "reg_rate": set.reg_rate, "engine": if args.eager { "eager" } else { "tape" },
            "batch": setup.batch, "epochs": epochs, "steps": setup.trainer.steps(),
            "train_samples": setup.train.len(), "test_samples": setup.test.len(),
            "parameters": setup.trainer.mlp.parameter_count(),
            "train_loss": last.train.loss, "test_loss": last.test.loss,
            "train_accuracy": last.train.accuracy, "test_accuracy": last.test.accuracy,
            "confusion": confusion.as_ref().map(Confusion::rows),
            "seconds": seconds,
            "plots": written.iter().map(|p| p.display().to_string()).collect::<Vec<_>>(),
        });
        return print(&format!("{value}\n"));
    }
    let mut text = String::new();
    if let Some(c) = &confusion {
        text.push_str(&format!(
            "test confusion matrix (rows: true class, columns: predicted):\n{c}\n"
        ));
    }
    text.push_str(&format!(
        "{} parameters, {} steps in {seconds:.2} s ({:.0} steps/s)\n",
        setup.trainer.mlp.parameter_count(),
        setup.trainer.steps(),
        setup.trainer.steps() as f64 / seconds.max(1e-9)
    ));
    for path in &written {
        text.push_str(&format!("wrote {}\n", path.display()));
    }
    print(&text)
}

fn task_name(task: Task) -> &'static str {
    match task {
        Task::Classification => "classification",
        Task::Regression => "regression",
        Task::MultiClass(_) => "multi-class classification",
    }
}

fn header(s: &Setup) -> String {
    let acc = if s.task != Task::Regression {
        format!(" {:>9} {:>9}", "train acc", "test acc")
    } else {
        String::new()
    };
    format!(
        "{} ({}, {} train / {} test), network {} ({}), loss {}\n{:>6} {:>11} {:>11}{acc}",
        s.name,
        task_name(s.task),
        s.train.len(),
        s.test.len(),
        s.sizes
            .iter()
            .map(usize::to_string)
            .collect::<Vec<_>>()
            .join("-"),
        inputs_shown(&s.feature_names),
        s.loss,
        "epoch",
        "train loss",
        "test loss"
    )
}

/// The input names, or the first and last of many (`x1,…,x64`).
fn inputs_shown(names: &[String]) -> String {
    match names {
        [first, .., last] if names.len() > 8 => format!("{first},…,{last}"),
        _ => names.join(","),
    }
}

fn row(p: &EpochMetrics, task: Task) -> String {
    let mut line = format!(
        "{:>6} {:>11.6} {:>11.6}",
        p.epoch, p.train.loss, p.test.loss
    );
    if task != Task::Regression {
        let pct = |m: Metrics| m.accuracy.unwrap_or(0.0) * 100.0;
        line.push_str(&format!(" {:>8.1}% {:>8.1}%", pct(p.train), pct(p.test)));
    }
    line
}

impl Setup {
    /// Train and test metrics now.
    fn metrics(&self, epoch: usize) -> EpochMetrics {
        let m = |d: &setup::Part| {
            evaluate(
                &self.trainer.mlp,
                self.loss,
                self.task,
                d.inputs.view(),
                d.labels.view(),
            )
        };
        EpochMetrics {
            epoch,
            train: m(&self.train),
            test: m(&self.test),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn many_inputs_are_shown_by_the_first_and_last() {
        let names = |n: usize| (1..=n).map(|i| format!("x{i}")).collect::<Vec<_>>();
        assert_eq!(inputs_shown(&names(2)), "x1,x2");
        assert_eq!(inputs_shown(&names(8)), "x1,x2,x3,x4,x5,x6,x7,x8");
        assert_eq!(inputs_shown(&names(64)), "x1,…,x64");
    }
}
