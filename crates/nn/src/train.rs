//! [`Trainer`]: minibatch training of an [`Mlp`] with a loss, a regularisation, an optimizer
//! and a learning-rate schedule, on a [`Backend`].

use ndarray::{ArrayView1, ArrayView2};
use rand::seq::SliceRandom;
use rand::Rng;

use crate::confusion::argmax;
use crate::datasets::Task;
use crate::optim::{LrSchedule, Optimizer};
use crate::{Backend, Error, Loss, Mlp, Module, Regularization, Result};

/// The objective of one minibatch: `mean loss + R(p)`.
///
/// The data loss comes from the backend (a tape replay or a recorded graph); the penalty
/// `R(p)` and its gradient are computed on the `f64` parameters (see
/// [`Regularization`]).
pub struct Trainer {
    /// The network being trained.
    pub mlp: Mlp,
    backend: Box<dyn Backend + Send>,
    optimizer: Box<dyn Optimizer + Send>,
    schedule: LrSchedule,
    regularization: Regularization,
    batch_size: usize,
    steps: usize,
    grad: Vec<f64>,
}

impl Trainer {
    /// A trainer; `batch_size` rows per step (the last minibatch of an epoch may be
    /// smaller). The schedule sets the optimizer's learning rate before every step.
    ///
    /// # Errors
    /// [`Error::InvalidSetting`] (`batch`) if `batch_size` is 0.
    pub fn new(
        mlp: Mlp,
        backend: Box<dyn Backend + Send>,
        optimizer: Box<dyn Optimizer + Send>,
        schedule: LrSchedule,
        regularization: Regularization,
        batch_size: usize,
    ) -> Result<Self> {
        if batch_size == 0 {
            return Err(Error::invalid("batch", "the batch size must be at least 1"));
        }
        let n = mlp.parameter_count();
        Ok(Trainer {
            mlp,
            backend,
            optimizer,
            schedule,
            regularization,
            batch_size,
            steps: 0,
            grad: vec![0.0; n],
        })
    }

    /// Number of optimizer steps taken so far.
    pub fn steps(&self) -> usize {
        self.steps
    }

    /// The objective `mean loss + R(p)` of `batch` (rows: inputs then label) at the current
    /// parameters, and its gradient (valid until the next call).
    ///
    /// # Errors
    /// As [`Backend::loss_sum`].
    pub fn objective(&mut self, batch: ArrayView2<f64>) -> Result<(f64, &[f64])> {
        let n = batch.nrows() as f64;
        let params = self.mlp.parameters();
        let sum = self.backend.loss_sum(params, batch, &mut self.grad)?;
        for g in &mut self.grad {
            *g /= n;
        }
        self.regularization.add_gradient(params, &mut self.grad);
        Ok((sum / n + self.regularization.penalty(params), &self.grad))
    }

    /// One optimizer step on `batch`; returns the objective before the step.
    ///
    /// # Errors
    /// As [`Backend::loss_sum`].
    pub fn step(&mut self, batch: ArrayView2<f64>) -> Result<f64> {
        let (objective, _) = self.objective(batch)?;
        self.optimizer
            .set_learning_rate(self.schedule.at(self.steps));
        self.optimizer.step(self.mlp.parameters_mut(), &self.grad);
        self.steps += 1;
        Ok(objective)
    }

    /// One pass over `data` (rows: inputs then label) in shuffled minibatches; returns the
    /// mean of the minibatches' objectives.
    ///
    /// # Errors
    /// As [`Backend::loss_sum`].
    pub fn epoch(&mut self, data: ArrayView2<f64>, rng: &mut impl Rng) -> Result<f64> {
        let mut order: Vec<usize> = (0..data.nrows()).collect();
        order.shuffle(rng);
        let mut total = 0.0;
        let mut count = 0;
        // the minibatch's rows are copied into one buffer, reused from step to step
        let mut buffer = Vec::with_capacity(self.batch_size.min(data.nrows()) * data.ncols());
        for chunk in order.chunks(self.batch_size) {
            if chunk.len() == data.nrows() {
                total += self.step(data)?;
            } else {
                buffer.clear();
                for &i in chunk {
                    let row = data.row(i);
                    match row.as_slice() {
                        Some(row) => buffer.extend_from_slice(row),
                        None => buffer.extend(row.iter()),
                    }
                }
                let batch = ArrayView2::from_shape((chunk.len(), data.ncols()), &buffer)
                    .expect("nn internal error: whole rows in the buffer");
                total += self.step(batch)?;
            }
            count += 1;
        }
        Ok(total / count as f64)
    }
}

/// Loss and (for classification) accuracy of a network on a dataset.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Metrics {
    /// Mean per-sample loss (without regularisation).
    pub loss: f64,
    /// Fraction of samples classified right (classification only): whose output has the
    /// label's sign, or (for [`Task::MultiClass`]) whose largest output is the label's.
    pub accuracy: Option<f64>,
}

/// The [`Metrics`] of `mlp` on `inputs` (one row per sample) against `labels`.
///
/// A classification prediction is `+1` when the output is `≥ 0`, else `−1`: the sign of a
/// logit, a margin score, or a `tanh`/linear output trained towards `±1`. For
/// [`Task::MultiClass`] it is the index of the largest output ([`Mlp::classify`]); the
/// loss is then scored on all outputs (see [`Loss::eval_outputs`]).
///
/// # Panics
/// If `inputs` has no rows or rows and labels differ in number.
pub fn evaluate(
    mlp: &Mlp,
    loss: Loss,
    task: Task,
    inputs: ArrayView2<f64>,
    labels: ArrayView1<f64>,
) -> Metrics {
    assert_eq!(inputs.nrows(), labels.len(), "nn: one label per row");
    assert!(!labels.is_empty(), "nn: metrics of no samples");
    let mut total = 0.0;
    let mut right = 0usize;
    let mut x = vec![0.0; inputs.ncols()];
    for (row, &y) in inputs.rows().into_iter().zip(labels) {
        for (xi, v) in x.iter_mut().zip(row) {
            *xi = *v;
        }
        let outputs = mlp.predict(&x);
        total += loss.eval_outputs(&outputs, y);
        let hit = match task {
            Task::MultiClass(_) => argmax(&outputs) as f64 == y,
            _ => (outputs[0] >= 0.0) == (y > 0.0),
        };
        right += usize::from(hit);
    }
    let n = labels.len() as f64;
    Metrics {
        loss: total / n,
        accuracy: (task != Task::Regression).then(|| right as f64 / n),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::optim::{Adam, Sgd};
    use crate::{Activation, Compiled, Eager};
    use approx::assert_relative_eq;
    use ndarray::{array, Array2};
    use rand::{rngs::StdRng, SeedableRng};

    fn mlp() -> Mlp {
        Mlp::new(
            &[2, 4, 1],
            Activation::Tanh,
            Activation::Linear,
            &mut StdRng::seed_from_u64(2),
        )
        .unwrap()
    }

    #[test]
    fn the_objective_adds_the_penalty_to_the_mean_loss_and_passes_a_finite_difference_check() {
        let data = array![[0.5, -1.0, 1.0], [1.5, 0.25, -1.0], [-0.3, 0.8, 1.0]];
        let net = mlp();
        for reg in [
            Regularization::None,
            Regularization::L1(0.01),
            Regularization::L2(0.01),
        ] {
            for loss in Loss::ONE_OUTPUT {
                let backend = Box::new(Compiled::new(&net, loss).unwrap());
                let opt = Box::new(Sgd::new(0.1).unwrap());
                let schedule = LrSchedule::Constant(0.1);
                let mut t = Trainer::new(net.clone(), backend, opt, schedule, reg, 3).unwrap();
                let (value, grad) = t.objective(data.view()).unwrap();
                let grad = grad.to_vec();
                // the same objective recorded as one graph: mean of sample losses + R(p)
                let report = autodiff::gradcheck(
                    |g, p| {
                        let mut total = None;
                        for r in data.rows() {
                            let x = [g.constant(r[0]), g.constant(r[1])];
                            let l = loss.sample(net.forward(p, &x)[0], g.constant(r[2]));
                            total = Some(total.map_or(l, |t| t + l));
                        }
                        let mean = total.expect("rows") / 3.0;
                        reg.penalty_graph(p).map_or(mean, |r| mean + r)
                    },
                    net.parameters(),
                );
                assert!(report.passed(), "{reg} {loss}:\n{report}");
                assert_relative_eq!(value, report.value, max_relative = 1e-13);
                for (row, g) in report.rows.iter().zip(&grad) {
                    assert_relative_eq!(row.tape, *g, epsilon = 1e-15, max_relative = 1e-12);
                }
            }
        }
    }

    #[test]
    fn a_step_applies_the_optimizer_to_the_objective_gradient() {
        let data = array![[0.5, -1.0, 1.0], [1.5, 0.25, -1.0]];
        let net = mlp();
        let backend = Box::new(Eager::new(&net, Loss::Mse));
        let opt = Box::new(Sgd::new(0.5).unwrap());
        let reg = Regularization::L2(0.1);
        let mut t = Trainer::new(
            net.clone(),
            backend,
            opt,
            LrSchedule::Constant(0.25),
            reg,
            2,
        )
        .unwrap();
        let grad = t.objective(data.view()).unwrap().1.to_vec();
        t.step(data.view()).unwrap();
        // p ← p − lr(0)·∇, with the schedule's rate 0.25 overriding the optimizer's 0.5
        for ((after, before), g) in t.mlp.parameters().iter().zip(net.parameters()).zip(&grad) {
            assert_eq!(*after, before - 0.25 * g);
        }
        assert_eq!(t.steps(), 1);
    }

    #[test]
    fn an_epoch_over_rows_that_are_not_contiguous_is_the_epoch_over_a_copy() {
        // the same rows column-major: each minibatch gathered element by element
        let mut rng = StdRng::seed_from_u64(5);
        let data = crate::datasets::Problem::Xor
            .generate(37, 0.0, &mut rng)
            .unwrap();
        let xy = data.with_labels(&data.points);
        let column_major = xy.t().as_standard_layout().t().to_owned();
        assert!(column_major.as_slice().is_none());
        let run = |rows: ndarray::ArrayView2<f64>| {
            let net = mlp();
            let backend = Box::new(Compiled::new(&net, Loss::Mse).unwrap());
            let opt = Box::new(Sgd::new(0.1).unwrap());
            let schedule = LrSchedule::Constant(0.1);
            let reg = Regularization::None;
            let mut t = Trainer::new(net, backend, opt, schedule, reg, 8).unwrap();
            let loss = t.epoch(rows, &mut StdRng::seed_from_u64(6)).unwrap();
            (loss, t.mlp)
        };
        assert_eq!(run(xy.view()), run(column_major.view()));
    }

    #[test]
    fn eager_and_compiled_training_follow_the_same_path() {
        let mut rng = StdRng::seed_from_u64(5);
        let data = crate::datasets::Problem::Xor
            .generate(40, 0.0, &mut rng)
            .unwrap();
        let xy = data.with_labels(&data.points);
        let net = mlp();
        let run = |backend: Box<dyn Backend + Send>| {
            let opt = Box::new(Adam::new(0.03).unwrap());
            let mut t = Trainer::new(
                net.clone(),
                backend,
                opt,
                LrSchedule::Constant(0.03),
                Regularization::L2(1e-3),
                8,
            )
            .unwrap();
            let mut rng = StdRng::seed_from_u64(6);
            let losses: Vec<f64> = (0..5)
                .map(|_| t.epoch(xy.view(), &mut rng).unwrap())
                .collect();
            (losses, t.mlp)
        };
        let (le, me) = run(Box::new(Eager::new(&net, Loss::BinaryCrossEntropy)));
        let (lc, mc) = run(Box::new(
            Compiled::new(&net, Loss::BinaryCrossEntropy).unwrap(),
        ));
        for (a, b) in le.iter().zip(&lc) {
            assert_relative_eq!(*a, *b, max_relative = 1e-10);
        }
        for (a, b) in me.parameters().iter().zip(mc.parameters()) {
            assert_relative_eq!(*a, *b, epsilon = 1e-12, max_relative = 1e-9);
        }
    }

    #[test]
    fn softmax_training_separates_three_clusters_and_counts_by_largest_output() {
        let mut rng = StdRng::seed_from_u64(7);
        // three clouds around (2, 0), (−1, 2), (−1, −2), labelled 0, 1, 2
        let centres = [(2.0, 0.0), (-1.0, 2.0), (-1.0, -2.0)];
        let rows: Vec<[f64; 3]> = (0..90)
            .map(|i| {
                let (cx, cy) = centres[i % 3];
                let dx = crate::datasets::standard_normal(&mut rng) * 0.4;
                let dy = crate::datasets::standard_normal(&mut rng) * 0.4;
                [cx + dx, cy + dy, (i % 3) as f64]
            })
            .collect();
        let data = Array2::from_shape_fn((90, 3), |(i, j)| rows[i][j]);
        let net = Mlp::new(&[2, 6, 3], Activation::Tanh, Activation::Linear, &mut rng).unwrap();
        let loss = Loss::SoftmaxCrossEntropy;
        let backend = Box::new(Compiled::new(&net, loss).unwrap());
        let opt = Box::new(Adam::new(0.05).unwrap());
        let schedule = LrSchedule::Constant(0.05);
        let mut t = Trainer::new(net, backend, opt, schedule, Regularization::None, 16).unwrap();
        let inputs = data.slice(ndarray::s![.., ..2]);
        let labels = data.column(2);
        let task = Task::MultiClass(3);
        let before = evaluate(&t.mlp, loss, task, inputs, labels);
        for _ in 0..30 {
            t.epoch(data.view(), &mut rng).unwrap();
        }
        let after = evaluate(&t.mlp, loss, task, inputs, labels);
        assert!(after.loss < before.loss / 4.0, "{before:?} → {after:?}");
        assert_eq!(after.accuracy, Some(1.0), "{after:?}");
        let confusion = crate::Confusion::of(&t.mlp, inputs, labels);
        assert_eq!(confusion.rows(), [[30, 0, 0], [0, 30, 0], [0, 0, 30]]);
    }

    #[test]
    fn metrics_count_signs_and_average_losses() {
        let mut net = Mlp::new(
            &[1, 1],
            Activation::Linear,
            Activation::Linear,
            &mut StdRng::seed_from_u64(1),
        )
        .unwrap();
        net.set_parameters(&[1.0, 0.0]); // y = x
        let x = array![[2.0], [-1.0], [0.5]];
        let y = array![1.0, 1.0, 1.0];
        let m = evaluate(&net, Loss::Mse, Task::Classification, x.view(), y.view());
        // squared errors 1, 4, 0.25; two of three signs right
        assert_relative_eq!(m.loss, 5.25 / 3.0, max_relative = 1e-15);
        assert_eq!(m.accuracy, Some(2.0 / 3.0));
        let m = evaluate(&net, Loss::Mse, Task::Regression, x.view(), y.view());
        assert_eq!(m.accuracy, None);
    }
}
