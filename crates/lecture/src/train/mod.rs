//! Training: the lecture's online gradient descent, and full-batch descent on the mean cost.
//!
//! Online (the lecture's prescription): for each row, in file order unless a shuffle seed
//! is given, one forward pass gives `C` and every `dC/dwi`, then all weights move at once,
//! `wi <- wi - alpha dC/dwi`. Full batch: one step per epoch on the mean cost over all rows.
//!
//! The cost and gradient of one row, and the mean over all rows, each come from one small
//! function of an [`Engine`]: replaying a tape compiled once per run ([`Engine::Tape`], the
//! default), or recording a fresh graph per step and sweeping it backwards
//! ([`Engine::Eager`]; the graph does not grow across steps, parameters live outside it).
//!
//! ```
//! use lecture::{data::Generator, train, Config, Net};
//!
//! let data: Vec<_> = Generator::new(Net::Lecture, &[-0.2, 2.8, 10.0], (-10.0, 10.0), 1)?
//!     .take(2000)
//!     .collect();
//! let start = Net::Lecture.cost(&[1.0; 3], 0.0, 0.0)?; // just to show the f64 path
//! # let _ = start;
//! let trained = train(&data, &Config::new(Net::Lecture), &mut |_| {})?;
//! assert_eq!(trained.steps, 2000); // one online epoch: one step per row
//! assert_eq!(trained.trajectory.len(), 2000);
//! # Ok::<(), lecture::Error>(())
//! ```

mod cost_from;
mod eager;
mod run;
mod tape;
mod trajectory;

use crate::data::Sample;
use crate::{Error, Net, Result};

pub use cost_from::MeanCostFrom;
pub use trajectory::Trajectory;

/// How the rows are visited.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Schedule {
    /// One step per row; rows in file order, or shuffled each epoch with this seed.
    Online {
        /// Seed of the per-epoch shuffle; `None` keeps file order (the lecture's way).
        shuffle: Option<u64>,
    },
    /// One step per epoch, on the mean cost over all rows.
    FullBatch,
}

impl Schedule {
    /// Steps of a run of `epochs` over `rows` rows: one per row and epoch online, one per
    /// epoch full-batch (saturating at `usize::MAX`).
    ///
    /// # Examples
    /// ```
    /// use lecture::Schedule;
    /// assert_eq!(Schedule::Online { shuffle: None }.steps(20, 50_000), 1_000_000);
    /// assert_eq!(Schedule::FullBatch.steps(200, 50_000), 200);
    /// ```
    pub fn steps(self, epochs: usize, rows: usize) -> usize {
        match self {
            Schedule::FullBatch => epochs,
            Schedule::Online { .. } => epochs.saturating_mul(rows),
        }
    }
}

/// How cost and gradients are computed. Both give the same online trajectory bit for bit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Engine {
    /// Record the net on a fresh graph at every step and sweep it backwards.
    Eager,
    /// Record the net once, compile it to a [`autodiff::Tape`], and replay it per row;
    /// full batch runs the tape in batch lanes across cores.
    #[default]
    Tape,
}

/// What to train and how.
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    /// The net.
    pub net: Net,
    /// Learning rate `alpha`.
    pub alpha: f64,
    /// Passes over the data.
    pub epochs: usize,
    /// Starting weights.
    pub init: Vec<f64>,
    /// Online or full batch.
    pub schedule: Schedule,
    /// Record the trajectory every this many steps (1 = every step; the last step is
    /// always recorded).
    pub record_every: usize,
    /// How gradients are computed.
    pub engine: Engine,
}

impl Config {
    /// The notebook's settings for `net`: alpha 0.01, one online epoch in file order, from
    /// [`Net::default_init`], every step recorded, compiled tape.
    pub fn new(net: Net) -> Self {
        Config {
            net,
            alpha: 0.01,
            epochs: 1,
            init: net.default_init(),
            schedule: Schedule::Online { shuffle: None },
            record_every: 1,
            engine: Engine::Tape,
        }
    }

    fn validate(&self, data: &[Sample]) -> Result<()> {
        self.net.check_weights(&self.init)?;
        let bad = |msg: String| Err(Error::Config(msg));
        if !(self.alpha.is_finite() && self.alpha > 0.0) {
            return bad(format!(
                "alpha must be a positive finite number, got {}",
                self.alpha
            ));
        }
        if self.epochs == 0 {
            return bad("epochs must be at least 1".to_string());
        }
        if let Some(w) = self.init.iter().find(|w| !w.is_finite()) {
            return bad(format!("initial weight {w} is not finite"));
        }
        if data.is_empty() {
            return bad("no data to train on".to_string());
        }
        if self.epochs.checked_mul(data.len()).is_none() {
            return bad(format!(
                "{} epochs of {} rows are too many steps to count",
                self.epochs,
                data.len()
            ));
        }
        Ok(())
    }
}

/// The result of [`train`].
#[derive(Clone, Debug, PartialEq)]
pub struct Trained {
    /// The final weights.
    pub weights: Vec<f64>,
    /// Mean cost `C` over all rows at the final weights.
    pub cost: f64,
    /// Steps taken (weight updates).
    pub steps: usize,
    /// Epochs completed.
    pub epochs: usize,
    /// Weights and cost along the way.
    pub trajectory: Trajectory,
}

/// Cost and gradient of one row, and of the mean over rows: the one place training asks
/// for derivatives. The engine holds the weights, so that a step reads and writes them
/// where its gradient computation has them (the tape's input slots) without a copy.
pub(crate) trait Gradient {
    /// The current weights.
    fn weights(&self) -> &[f64];
    /// The current weights, to be updated in place.
    fn weights_mut(&mut self) -> &mut [f64];
    /// One online step: `C` at one sample and `dC/dwi` at the current weights, then the
    /// update of [`run::descend`]. Returns `C` and whether the weights moved (they do not
    /// when the cost or an updated weight would not be finite).
    fn step(&mut self, sample: Sample, alpha: f64) -> Result<(f64, bool)>;
    /// Mean `C` over `data` at the current weights, and the mean `dC/dwi` written into
    /// `grad`.
    fn mean(&mut self, data: &[Sample], grad: &mut [f64]) -> Result<f64>;
    /// Mean `C` over `data` at the current weights, equal to [`mean_cost`] bit for bit.
    fn mean_cost(&mut self, data: &[Sample]) -> Result<f64>;
}

/// Trains `config.net` on `data`; `progress` is called with the number of steps done,
/// every 1024 steps and at the end of each epoch.
///
/// # Errors
/// [`Error::Config`] for a non-positive or non-finite alpha, zero epochs, non-finite
/// initial weights or empty data; [`Error::WeightCount`] if `init` does not fit the net;
/// [`Error::Diverged`], naming the step and what overflowed, if a cost, a gradient or a
/// weight becomes NaN or infinite, or if the mean cost after the last step is.
///
/// # Complexity
/// O(epochs · rows · net size) time; O(recorded steps · weights) memory.
pub fn train(data: &[Sample], config: &Config, progress: &mut dyn FnMut(usize)) -> Result<Trained> {
    config.validate(data)?;
    // one loop per engine, each with its engine's calls inlined
    match config.engine {
        Engine::Eager => train_with(
            eager::Eager::new(config.net, &config.init),
            data,
            config,
            progress,
        ),
        Engine::Tape => train_with(
            tape::Taped::new(config.net, &config.init)?,
            data,
            config,
            progress,
        ),
    }
}

fn train_with<E: Gradient>(
    mut engine: E,
    data: &[Sample],
    config: &Config,
    progress: &mut dyn FnMut(usize),
) -> Result<Trained> {
    let mut run = run::Run::new(config, data.len());
    run.all(&mut engine, data, progress)?;
    let cost = engine.mean_cost(data)?;
    if !cost.is_finite() {
        // the last step's weights are finite, but the mean cost at them is not
        return Err(Error::Diverged {
            step: run.step,
            epoch: config.epochs,
            cost,
            weights: engine.weights().to_vec(),
            overflow: crate::Overflow::Cost,
        });
    }
    Ok(Trained {
        cost,
        weights: engine.weights().to_vec(),
        steps: run.step,
        epochs: config.epochs,
        trajectory: run.trajectory,
    })
}

/// Mean `C` over `data` at `weights`, on plain `f64` (no graph).
///
/// # Errors
/// [`Error::WeightCount`] if the weights do not fit the net.
pub fn mean_cost(net: Net, weights: &[f64], data: &[Sample]) -> Result<f64> {
    let mut sum = 0.0;
    for s in data {
        sum += net.cost(weights, s.s0, s.out)?;
    }
    Ok(sum / data.len() as f64)
}

#[cfg(test)]
mod tests;
