//! The training loop: steps over the rows, the divergence test, the trajectory and the
//! progress calls, for one engine at a time.
//!
//! The loop is generic over the engine, so each step is a direct call the compiler can
//! inline: no dispatch per step. Between two events (a trajectory record, a progress call,
//! the end of an epoch) the rows run in a plain loop with no test but the step's own
//! divergence test, one comparison of a sum (see [`descend`]).

use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::SeedableRng;

use super::{Config, Gradient, Schedule, Trajectory};
use crate::data::Sample;
use crate::formulas::update;
use crate::{Error, Overflow, Result};

/// Steps between two progress calls while training online.
pub(crate) const PROGRESS_EVERY: usize = 1024;

/// Trajectory records reserved up front at most; a longer trajectory grows as it goes.
const RESERVE_AT_MOST: usize = 1 << 20;

/// The simultaneous update `wi <- wi - alpha dC/dwi` of every weight, all from the same
/// gradient, if `cost` and every updated weight are finite; otherwise the weights are left
/// as they were and the result is `false`.
///
/// One test per step: a sum is finite only if each of its terms is, and a sum of finite
/// terms that overflows is checked again term by term.
#[inline(always)]
pub(crate) fn descend(weights: &mut [f64], grad: &[f64], alpha: f64, cost: f64) -> bool {
    // The lecture's nets have 3 and 2 weights: for them, the same code on arrays, which the
    // compiler unrolls (a loop of a run-time length costs more than the update itself).
    if let (Ok(w), Ok(g)) = (<&mut [f64; 3]>::try_from(&mut *weights), grad.try_into()) {
        return descend_array(w, g, alpha, cost);
    }
    if let (Ok(w), Ok(g)) = (<&mut [f64; 2]>::try_from(&mut *weights), grad.try_into()) {
        return descend_array(w, g, alpha, cost);
    }
    let mut sum = cost;
    for (&w, &g) in weights.iter().zip(grad) {
        sum += update(w, alpha, g);
    }
    if !sum.is_finite() && !each_finite(weights, grad, alpha, cost) {
        return false;
    }
    for (w, &g) in weights.iter_mut().zip(grad) {
        *w = update(*w, alpha, g);
    }
    true
}

/// [`descend`] on `N` weights.
#[inline(always)]
fn descend_array<const N: usize>(
    weights: &mut [f64; N],
    grad: &[f64; N],
    alpha: f64,
    cost: f64,
) -> bool {
    let new: [f64; N] = std::array::from_fn(|k| update(weights[k], alpha, grad[k]));
    let sum = new.iter().fold(cost, |sum, w| sum + w);
    if !sum.is_finite() && !each_finite(weights, grad, alpha, cost) {
        return false;
    }
    *weights = new;
    true
}

#[cold]
fn each_finite(weights: &[f64], grad: &[f64], alpha: f64, cost: f64) -> bool {
    cost.is_finite()
        && weights
            .iter()
            .zip(grad)
            .all(|(&w, &g)| update(w, alpha, g).is_finite())
}

/// A run's counters and records, outside the engine that holds the weights.
pub(crate) struct Run<'c> {
    config: &'c Config,
    /// Steps done.
    pub(crate) step: usize,
    /// Steps the run will take if it does not diverge.
    total: usize,
    /// The step at which the trajectory is next recorded.
    next_record: usize,
    pub(crate) trajectory: Trajectory,
}

impl<'c> Run<'c> {
    pub(crate) fn new(config: &'c Config, rows: usize) -> Self {
        let total = config.schedule.steps(config.epochs, rows);
        let every = config.record_every.max(1);
        let records = (total / every + 1).min(RESERVE_AT_MOST);
        Run {
            config,
            step: 0,
            total,
            next_record: every.min(total),
            trajectory: Trajectory::with_capacity(&config.init, records),
        }
    }

    /// Trains `engine` on `data` for all epochs; `progress` as [`super::train`] says.
    pub(crate) fn all<E: Gradient>(
        &mut self,
        engine: &mut E,
        data: &[Sample],
        progress: &mut dyn FnMut(usize),
    ) -> Result<()> {
        match self.config.schedule {
            Schedule::FullBatch => self.full_batch(engine, data, progress),
            Schedule::Online { shuffle } => self.online(engine, data, shuffle, progress),
        }
    }

    fn full_batch<E: Gradient>(
        &mut self,
        engine: &mut E,
        data: &[Sample],
        progress: &mut dyn FnMut(usize),
    ) -> Result<()> {
        let mut grad = vec![0.0; self.config.init.len()];
        for epoch in 1..=self.config.epochs {
            let cost = engine.mean(data, &mut grad)?;
            if !descend(engine.weights_mut(), &grad, self.config.alpha, cost) {
                return Err(self.diverged(1, epoch, engine, data));
            }
            self.step += 1;
            self.event(cost, engine.weights());
            progress(self.step);
        }
        Ok(())
    }

    fn online<E: Gradient>(
        &mut self,
        engine: &mut E,
        data: &[Sample],
        shuffle: Option<u64>,
        progress: &mut dyn FnMut(usize),
    ) -> Result<()> {
        let alpha = self.config.alpha;
        // the rows in this epoch's order: the data itself, or a shuffled copy
        let mut order: Vec<usize> = Vec::new();
        let mut shuffled: Vec<Sample> = Vec::new();
        for epoch in 1..=self.config.epochs {
            let rows = match shuffle {
                None => data,
                Some(seed) => {
                    order.clear();
                    order.extend(0..data.len());
                    let mut rng = StdRng::seed_from_u64(seed.wrapping_add(epoch as u64));
                    order.shuffle(&mut rng);
                    shuffled.clear();
                    shuffled.extend(order.iter().map(|&i| data[i]));
                    &shuffled[..]
                }
            };
            let mut done = 0;
            while done < rows.len() {
                // the rows up to the next event, with nothing else to do between them
                let next_progress = (self.step / PROGRESS_EVERY + 1) * PROGRESS_EVERY;
                let until = self.next_record.min(next_progress) - self.step;
                let stretch = &rows[done..rows.len().min(done + until)];
                let mut cost = 0.0;
                for (k, &sample) in stretch.iter().enumerate() {
                    let moved;
                    (cost, moved) = engine.step(sample, alpha)?;
                    if !moved {
                        return Err(self.diverged(k + 1, epoch, engine, &[sample]));
                    }
                }
                done += stretch.len();
                self.step += stretch.len();
                self.event(cost, engine.weights());
                if self.step == next_progress {
                    progress(self.step);
                }
            }
            progress(self.step);
        }
        Ok(())
    }

    /// Records the trajectory if this step is one to record.
    #[inline]
    fn event(&mut self, cost: f64, weights: &[f64]) {
        if self.step == self.next_record {
            self.trajectory.push(self.step, weights, cost);
            let every = self.config.record_every.max(1);
            self.next_record = (self.step + every).min(self.total);
        }
    }

    /// The error for the `ahead`-th step from the last one counted, which did not move the
    /// weights: its cost and gradient on `rows` are computed again to say what overflowed.
    #[cold]
    fn diverged<E: Gradient>(
        &self,
        ahead: usize,
        epoch: usize,
        engine: &mut E,
        rows: &[Sample],
    ) -> Error {
        let mut grad = vec![0.0; engine.weights().len()];
        let cost = match engine.mean(rows, &mut grad) {
            Ok(cost) => cost,
            Err(e) => return e,
        };
        let weights = engine.weights().to_vec();
        Error::Diverged {
            step: self.step + ahead,
            epoch,
            cost,
            overflow: overflow(&weights, &grad, self.config.alpha, cost),
            weights,
        }
    }
}

/// The first of: a non-finite cost, a non-finite derivative, an update that overflows.
fn overflow(weights: &[f64], grad: &[f64], alpha: f64, cost: f64) -> Overflow {
    if !cost.is_finite() {
        return Overflow::Cost;
    }
    if let Some((weight, &value)) = grad.iter().enumerate().find(|(_, g)| !g.is_finite()) {
        return Overflow::Gradient { weight, value };
    }
    let updates = weights
        .iter()
        .zip(grad)
        .map(|(&w, &g)| (update(w, alpha, g), g));
    match updates.enumerate().find(|(_, (w, _))| !w.is_finite()) {
        Some((weight, (value, gradient))) => Overflow::Update {
            weight,
            gradient,
            value,
        },
        None => Overflow::Cost, // not reached: `descend` refused the step
    }
}
