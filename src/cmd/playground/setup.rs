//! From the options to a ready trainer: data, split, features, network, optimizer.

use ndarray::{Array1, Array2};
use nn::datasets::{read_csv, Dataset, Features, Problem, Task};
use nn::optim::{self, LrSchedule};
use nn::{Activation, Backend, Compiled, Eager, Loss, Mlp, Regularization, Trainer};
use rand::rngs::StdRng;
use rand::SeedableRng;

use super::{limits, nn_error, option_error, Args};
use crate::cmd::Error;

/// One side of the split.
pub struct Part {
    /// The raw points (for plots).
    pub points: Array2<f64>,
    /// The network's inputs (the features of the points).
    pub inputs: Array2<f64>,
    /// The labels.
    pub labels: Array1<f64>,
    /// Inputs and label side by side, as the trainer reads minibatches.
    pub rows: Array2<f64>,
}

impl Part {
    fn new(data: &Dataset, features: Option<&Features>) -> Result<Self, nn::Error> {
        let inputs = match features {
            Some(f) => f.apply(data.points.view())?,
            None => data.points.clone(),
        };
        Ok(Part {
            rows: data.with_labels(&inputs),
            points: data.points.clone(),
            inputs,
            labels: data.labels.clone(),
        })
    }

    /// Number of samples.
    pub fn len(&self) -> usize {
        self.labels.len()
    }
}

/// Everything a run needs.
pub struct Setup {
    /// The dataset's name (problem name or file path).
    pub name: String,
    /// Classification or regression.
    pub task: Task,
    /// Training part.
    pub train: Part,
    /// Test part.
    pub test: Part,
    /// The feature map, when the points are in the plane (`None` for other CSV data).
    pub features: Option<Features>,
    /// Names of the network's inputs.
    pub feature_names: Vec<String>,
    /// Layer sizes, inputs first.
    pub sizes: Vec<usize>,
    /// The per-sample loss.
    pub loss: Loss,
    /// The trainer, holding the network.
    pub trainer: Trainer,
    /// Epochs to run.
    pub epochs: usize,
    /// Epochs between progress lines.
    pub report: usize,
    /// Minibatch size.
    pub batch: usize,
    rng: StdRng,
}

fn positive(option: &str, value: i64) -> Result<usize, Error> {
    usize::try_from(value)
        .ok()
        .filter(|&v| v > 0)
        .ok_or_else(|| option_error(option, format!("must be at least 1, got {value}")))
}

/// `8,8` → `[8, 8]`; every size a whole number ≥ 1.
fn hidden_sizes(s: &str) -> Result<Vec<usize>, Error> {
    let bad = |m: String| option_error("--layers", m);
    if s.trim().is_empty() {
        return Ok(Vec::new());
    }
    s.split(',')
        .map(|item| match item.trim().parse::<i64>() {
            Ok(n) if n >= 1 => Ok(n as usize),
            Ok(n) => Err(bad(format!("layer sizes must be at least 1, got {n}"))),
            Err(_) => Err(bad(format!("'{}' is not a layer size", item.trim()))),
        })
        .collect()
}

impl Setup {
    /// Validates the options and builds the run.
    ///
    /// # Errors
    /// [`Error::Option`] naming the first bad option; [`Error::Data`] naming the data file
    /// (and its bad line and column).
    pub fn new(args: &Args) -> Result<Self, Error> {
        let epochs = positive("--epochs", args.epochs)?;
        let batch = positive("--batch", args.batch)?;
        let samples = limits::samples(positive("--samples", args.samples)?)?;
        let report = match args.report {
            Some(r) => positive("--report", r)?,
            None => epochs.div_ceil(10).max(1),
        };
        let hidden = hidden_sizes(&args.layers)?;
        let activation: Activation = args.activation.parse().map_err(nn_error)?;
        let features: Features = args.features.parse().map_err(nn_error)?;
        let regularization =
            Regularization::from_name(&args.regularization, args.reg_rate).map_err(nn_error)?;
        let mut optimizer = optim::by_name(&args.optimizer, args.lr).map_err(nn_error)?;
        let schedule = match args.lr_end {
            None => LrSchedule::constant(args.lr),
            Some(end) => LrSchedule::linear(args.lr, end, epochs), // steps set below
        }
        .map_err(nn_error)?;
        if !(args.test_ratio > 0.0 && args.test_ratio < 1.0) {
            return Err(option_error(
                "--test-ratio",
                format!("must be strictly between 0 and 1, got {}", args.test_ratio),
            ));
        }

        let mut rng = StdRng::seed_from_u64(args.seed);
        let (name, data) = match &args.data {
            Some(path) => (
                path.display().to_string(),
                read_csv(path, args.label.as_deref()).map_err(nn_error)?,
            ),
            None => {
                let problem: Problem = args.dataset.parse().map_err(nn_error)?;
                let data = problem
                    .generate(samples, limits::noise(args.noise)?, &mut rng)
                    .map_err(nn_error)?;
                (problem.name().to_string(), data)
            }
        };
        // The playground's features need points in the plane; other files are used as-is.
        let features = if data.points.ncols() == 2 {
            Some(features)
        } else if features == Features::raw() {
            None
        } else {
            return Err(option_error(
                "--features",
                format!(
                    "the playground's features need 2 input columns, {name} has {}",
                    data.points.ncols()
                ),
            ));
        };
        let feature_names = match &features {
            Some(f) => f.0.iter().map(|x| x.name().to_string()).collect(),
            None => data.names.clone(),
        };
        let loss = match &args.loss {
            Some(l) => l.parse().map_err(nn_error)?,
            None if data.task == Task::Classification => Loss::BinaryCrossEntropy,
            None => Loss::Mse,
        };
        if data.task == Task::Regression && loss != Loss::Mse {
            return Err(option_error(
                "--loss",
                format!("{name} is a regression problem: use mse, not {loss}"),
            ));
        }
        let (train, test) =
            data.split(args.test_ratio, &mut rng)
                .map_err(|e| match (&args.data, e) {
                    (Some(_), nn::Error::InvalidSetting { message, .. }) => option_error(
                        "--test-ratio",
                        format!("{name} has {} data rows: {message}", data.len()),
                    ),
                    (_, e) => nn_error(e),
                })?;
        let train = Part::new(&train, features.as_ref()).map_err(nn_error)?;
        let test = Part::new(&test, features.as_ref()).map_err(nn_error)?;

        let mut sizes = vec![train.inputs.ncols()];
        sizes.extend(&hidden);
        sizes.push(1);
        limits::network(&sizes)?;
        let mlp = Mlp::new(&sizes, activation, Activation::Linear, &mut rng).map_err(nn_error)?;
        let backend: Box<dyn Backend + Send> = if args.eager {
            Box::new(Eager::new(&mlp, loss))
        } else {
            Box::new(Compiled::new(&mlp, loss).map_err(nn_error)?)
        };
        let steps_per_epoch = train.len().div_ceil(batch);
        let steps = limits::total_steps(epochs, steps_per_epoch)?;
        let schedule = match schedule {
            LrSchedule::Linear { start, end, .. } => {
                LrSchedule::linear(start, end, steps).map_err(nn_error)?
            }
            s => s,
        };
        optimizer.set_learning_rate(schedule.at(0));
        let trainer = Trainer::new(mlp, backend, optimizer, schedule, regularization, batch)
            .map_err(nn_error)?;
        Ok(Setup {
            name,
            task: data.task,
            train,
            test,
            features,
            feature_names,
            sizes,
            loss,
            trainer,
            epochs,
            report,
            batch,
            rng,
        })
    }

    /// One epoch of training.
    ///
    /// # Errors
    /// An engine error (none is expected for valid shapes).
    pub fn epoch(&mut self) -> Result<f64, nn::Error> {
        self.trainer.epoch(self.train.rows.view(), &mut self.rng)
    }
}
