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

mod eager;
mod tape;
mod trajectory;

use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::SeedableRng;

use crate::data::Sample;
use crate::formulas::update;
use crate::{Error, Net, Result};

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
/// for derivatives.
pub(crate) trait Gradient {
    /// `C` at one sample, and `dC/dwi` written into `grad`.
    fn row(&mut self, weights: &[f64], sample: Sample, grad: &mut [f64]) -> Result<f64>;
    /// Mean `C` over `data`, and the mean `dC/dwi` written into `grad`.
    fn mean(&mut self, weights: &[f64], data: &[Sample], grad: &mut [f64]) -> Result<f64>;
}

/// Trains `config.net` on `data`; `progress` is called with the number of steps done,
/// every 1024 steps and at the end.
///
/// # Errors
/// [`Error::Config`] for a non-positive or non-finite alpha, zero epochs, non-finite
/// initial weights or empty data; [`Error::WeightCount`] if `init` does not fit the net;
/// [`Error::Diverged`], naming the step, if a cost, a gradient or a weight becomes NaN or
/// infinite.
///
/// # Complexity
/// O(epochs · rows · net size) time; O(recorded steps · weights) memory.
pub fn train(data: &[Sample], config: &Config, progress: &mut dyn FnMut(usize)) -> Result<Trained> {
    config.validate(data)?;
    let mut engine: Box<dyn Gradient> = match config.engine {
        Engine::Eager => Box::new(eager::Eager::new(config.net)),
        Engine::Tape => Box::new(tape::Taped::new(config.net, &config.init)?),
    };
    let mut run = Run {
        weights: config.init.clone(),
        grad: vec![0.0; config.init.len()],
        trajectory: Trajectory::new(&config.init),
        step: 0,
        total: config.epochs
            * match config.schedule {
                Schedule::FullBatch => 1,
                Schedule::Online { .. } => data.len(),
            },
        config,
    };
    for epoch in 1..=config.epochs {
        match config.schedule {
            Schedule::FullBatch => {
                let cost = engine.mean(&run.weights, data, &mut run.grad)?;
                run.update(epoch, cost)?;
            }
            Schedule::Online { shuffle } => {
                let mut order: Vec<usize> = (0..data.len()).collect();
                if let Some(seed) = shuffle {
                    let mut rng = StdRng::seed_from_u64(seed.wrapping_add(epoch as u64));
                    order.shuffle(&mut rng);
                }
                for &i in &order {
                    let cost = engine.row(&run.weights, data[i], &mut run.grad)?;
                    run.update(epoch, cost)?;
                    if run.step % 1024 == 0 {
                        progress(run.step);
                    }
                }
            }
        }
        progress(run.step);
    }
    let cost = mean_cost(config.net, &run.weights, data)?;
    Ok(Trained {
        weights: run.weights,
        cost,
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

struct Run<'c> {
    weights: Vec<f64>,
    grad: Vec<f64>,
    trajectory: Trajectory,
    step: usize,
    total: usize,
    config: &'c Config,
}

impl Run<'_> {
    /// The simultaneous update `wi <- wi - alpha dC/dwi` of every weight, all from the same
    /// gradient; stops at the first non-finite cost, gradient or weight.
    fn update(&mut self, epoch: usize, cost: f64) -> Result<()> {
        self.step += 1;
        let alpha = self.config.alpha;
        let pairs = || self.weights.iter().zip(&self.grad);
        let finite = cost.is_finite() && pairs().all(|(&w, &g)| update(w, alpha, g).is_finite());
        if !finite {
            return Err(Error::Diverged {
                step: self.step,
                epoch,
                cost,
                weights: self.weights.clone(),
            });
        }
        for (w, &g) in self.weights.iter_mut().zip(&self.grad) {
            *w = update(*w, alpha, g);
        }
        if self.step % self.config.record_every.max(1) == 0 || self.step == self.total {
            self.trajectory.push(self.step, &self.weights, cost);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
