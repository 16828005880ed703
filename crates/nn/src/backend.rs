//! How the gradient of a minibatch's loss is computed: on a compiled tape with batch lanes
//! ([`Compiled`], what training uses), or by recording a graph per minibatch ([`Eager`]).
//!
//! Both read a minibatch as an `n × (k + 1)` array whose rows are samples: `k` input
//! columns, then the label (a class index `0..K` for [`Loss::SoftmaxCrossEntropy`] over
//! `K` outputs). Both return `Σᵢ loss(mlp(xᵢ), yᵢ)` over the rows and its
//! gradient with respect to the MLP's parameters. They do the same arithmetic per sample
//! and differ only in how the per-sample gradients are grouped when summed, so their
//! results agree to rounding (a relative difference of order `n·ε`).

use autodiff::{Graph, Tape, Workspace};
use ndarray::ArrayView2;

use crate::{Error, Loss, Mlp, Module, Result};

/// A way to compute the summed loss of a minibatch and its gradient.
pub trait Backend {
    /// `Σ` over the rows of `data` of the per-sample loss at `params`; writes its gradient
    /// with respect to `params` into `grad`.
    ///
    /// # Errors
    /// [`Error::InvalidSetting`] (`batch`) if `data` has no rows; (`label`) for a label the
    /// loss cannot score (a softmax label that is no class index); an engine error if the
    /// shapes do not fit the network.
    fn loss_sum(&mut self, params: &[f64], data: ArrayView2<f64>, grad: &mut [f64]) -> Result<f64>;
}

/// A minibatch has rows, and its last column holds labels `loss` can score with `outputs`
/// outputs.
fn check_rows(data: &ArrayView2<f64>, loss: Loss, outputs: usize) -> Result<()> {
    if data.nrows() == 0 {
        return Err(Error::invalid(
            "batch",
            "a minibatch needs at least one sample",
        ));
    }
    if loss != Loss::SoftmaxCrossEntropy || data.ncols() == 0 {
        return Ok(());
    }
    let labels = data.column(data.ncols() - 1);
    match labels.iter().position(|&y| !loss.accepts_label(y, outputs)) {
        None => Ok(()),
        Some(i) => Err(Error::invalid(
            "label",
            format!(
                "a class label must be a whole number from 0 to {}, got {} in row {} of the minibatch",
                outputs - 1,
                labels[i],
                i + 1
            ),
        )),
    }
}

/// The network and loss of one sample, recorded on `g` from input leaves, a label leaf and
/// parameter leaves: what both backends evaluate.
fn sample_loss<'g>(
    mlp: &Mlp,
    loss: Loss,
    params: &[autodiff::Var<'g>],
    row: &[autodiff::Var<'g>],
) -> autodiff::Var<'g> {
    let (inputs, label) = row.split_at(row.len() - 1);
    loss.of_outputs(&mlp.forward(params, inputs), label[0])
}

/// Records one graph per minibatch: the parameters as leaves, every sample's network and
/// loss on top, the losses summed, one reverse sweep. Simple and always available; slower
/// than [`Compiled`] because it records every node anew at every step.
#[derive(Clone, Debug)]
pub struct Eager {
    mlp: Mlp,
    loss: Loss,
}

impl Eager {
    /// A backend for networks shaped like `mlp` (its parameter values are not used) whose
    /// outputs are scored by `loss` (checked by [`Backend::loss_sum`]: see
    /// [`Loss::check_outputs`]).
    pub fn new(mlp: &Mlp, loss: Loss) -> Self {
        Eager {
            mlp: mlp.clone(),
            loss,
        }
    }
}

impl Backend for Eager {
    fn loss_sum(&mut self, params: &[f64], data: ArrayView2<f64>, grad: &mut [f64]) -> Result<f64> {
        let outputs = self.mlp.output_count();
        self.loss.check_outputs(outputs)?;
        check_rows(&data, self.loss, outputs)?;
        let per_sample = 2 * self.mlp.parameter_count() + 16;
        let g = Graph::with_capacity(data.nrows() * per_sample, data.nrows() * per_sample * 2);
        let p: Vec<_> = params.iter().map(|&v| g.var(v)).collect();
        let mut total = None;
        for row in data.rows() {
            let leaves: Vec<_> = row.iter().map(|&v| g.constant(v)).collect();
            let l = sample_loss(&self.mlp, self.loss, &p, &leaves);
            total = Some(match total {
                None => l,
                Some(t) => t + l,
            });
        }
        let total = total.expect("nn internal error: checked that there is a row");
        let grads = total.backward();
        for (out, v) in grad.iter_mut().zip(&p) {
            *out = grads.wrt(*v);
        }
        Ok(total.value())
    }
}

/// The network and loss of **one** sample, recorded once and compiled to a
/// [`Tape`] whose inputs are `[inputs…, label, params…]`. Nothing is
/// recorded per step. A minibatch of at least [`Compiled::LANES_FROM`] rows is one call of
/// [`Tape::batch`](autodiff::Tape::batch), which replays the tape over the rows in lanes and
/// sums the parameter gradients; a smaller one replays the tape row by row with
/// [`Tape::sum_over_rows`](autodiff::Tape::sum_over_rows) in a reused workspace.
///
/// Why the threshold: a `Tape::batch` call pays a fixed cost per op (choosing the op's
/// loop), which a single row does not repay. Measured on micrograd's 2-16-16-1 network
/// (`cargo bench --bench mlp -- mlp_minibatch`): 1 row takes 6.0 µs in lanes against
/// 5.4 µs row by row, 10 rows 12.8 µs against 69 µs, 1,000 rows 0.35 ms against 5.6 ms.
///
/// Regularisation is not on the tape: it does not depend on the data, so the trainer adds
/// the penalty and its gradient directly on the `f64` parameters.
#[derive(Clone)]
pub struct Compiled {
    tape: Tape,
    loss: Loss,
    outputs: usize,
    workspace: Workspace,
    parallel: bool,
    lanes_from: usize,
}

impl Compiled {
    /// Minibatches of at least this many rows go through the batch lanes by default.
    pub const LANES_FROM: usize = 2;

    /// Compiles the per-sample loss of networks shaped like `mlp`.
    ///
    /// # Errors
    /// [`Error::InvalidSetting`] (`loss`) if `loss` does not fit the network's number of
    /// outputs ([`Loss::check_outputs`]); an engine error if compilation fails (it does not
    /// for a valid `Mlp`).
    pub fn new(mlp: &Mlp, loss: Loss) -> Result<Self> {
        loss.check_outputs(mlp.output_count())?;
        let g = Graph::new();
        let row: Vec<_> = (0..=mlp.input_count()).map(|_| g.constant(0.0)).collect();
        let params = mlp.leaves(&g);
        let l = sample_loss(mlp, loss, &params, &row);
        let inputs: Vec<_> = row.iter().chain(&params).copied().collect();
        let tape = Tape::compile(l, &inputs)?;
        Ok(Compiled {
            workspace: tape.workspace(),
            tape,
            loss,
            outputs: mlp.output_count(),
            parallel: false,
            lanes_from: Self::LANES_FROM,
        })
    }

    /// Spreads minibatches that use the lanes over threads
    /// ([`Tape::par_batch`](autodiff::Tape::par_batch)); the result is the same, bit for bit.
    pub fn parallel(mut self, on: bool) -> Self {
        self.parallel = on;
        self
    }

    /// Minibatches of at least `rows` rows use the batch lanes (1: always; `usize::MAX`:
    /// never).
    pub fn lanes_from(mut self, rows: usize) -> Self {
        self.lanes_from = rows;
        self
    }

    /// The compiled per-sample tape.
    pub fn tape(&self) -> &Tape {
        &self.tape
    }
}

impl Backend for Compiled {
    fn loss_sum(&mut self, params: &[f64], data: ArrayView2<f64>, grad: &mut [f64]) -> Result<f64> {
        check_rows(&data, self.loss, self.outputs)?;
        if data.nrows() >= self.lanes_from {
            let out = if self.parallel {
                self.tape.par_batch(data, params)?
            } else {
                self.tape.batch(data, params)?
            };
            grad.copy_from_slice(&out.gradient);
            return Ok(out.sum);
        }
        Ok(self
            .tape
            .sum_over_rows(&mut self.workspace, data, params, grad)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Activation;
    use approx::assert_relative_eq;
    use ndarray::array;
    use rand::{rngs::StdRng, SeedableRng};

    #[test]
    fn eager_and_compiled_give_the_same_loss_and_gradient() {
        let mut rng = StdRng::seed_from_u64(9);
        let data = array![
            [0.5, -1.0, 1.0],
            [1.5, 0.25, -1.0],
            [-0.7, 2.0, 1.0],
            [0.1, 0.1, -1.0]
        ];
        for loss in Loss::ONE_OUTPUT {
            for act in [Activation::Tanh, Activation::Relu, Activation::Sigmoid] {
                let mlp = Mlp::new(&[2, 5, 3, 1], act, Activation::Linear, &mut rng).unwrap();
                let p = mlp.parameters();
                let (mut ge, mut gc) = (vec![0.0; p.len()], vec![0.0; p.len()]);
                let le = Eager::new(&mlp, loss)
                    .loss_sum(p, data.view(), &mut ge)
                    .unwrap();
                let mut compiled = Compiled::new(&mlp, loss).unwrap();
                let lc = compiled.loss_sum(p, data.view(), &mut gc).unwrap();
                assert_relative_eq!(le, lc, max_relative = 1e-13);
                for (a, b) in ge.iter().zip(&gc) {
                    assert_relative_eq!(*a, *b, epsilon = 1e-15, max_relative = 1e-12);
                }
                let mut gp = vec![0.0; p.len()];
                let lp = compiled
                    .clone()
                    .parallel(true)
                    .loss_sum(p, data.view(), &mut gp)
                    .unwrap();
                assert_eq!((lp, gp), (lc, gc.clone()), "par_batch is bit-identical");
            }
        }
    }

    #[test]
    fn softmax_over_several_outputs_agrees_between_backends_and_with_the_f64_run() {
        let mut rng = StdRng::seed_from_u64(10);
        let mlp = Mlp::new(&[2, 5, 4], Activation::Tanh, Activation::Linear, &mut rng).unwrap();
        let data = array![[0.5, -1.0, 3.0], [1.5, 0.25, 0.0], [-0.7, 2.0, 1.0]];
        let p = mlp.parameters();
        let loss = Loss::SoftmaxCrossEntropy;
        let (mut ge, mut gc) = (vec![0.0; p.len()], vec![0.0; p.len()]);
        let le = Eager::new(&mlp, loss)
            .loss_sum(p, data.view(), &mut ge)
            .unwrap();
        let lc = Compiled::new(&mlp, loss)
            .unwrap()
            .loss_sum(p, data.view(), &mut gc)
            .unwrap();
        let by_hand: f64 = data
            .rows()
            .into_iter()
            .map(|r| loss.eval_outputs(&mlp.predict(&[r[0], r[1]]), r[2]))
            .sum();
        assert_relative_eq!(le, lc, max_relative = 1e-13);
        assert_relative_eq!(lc, by_hand, max_relative = 1e-13);
        for (a, b) in ge.iter().zip(&gc) {
            assert_relative_eq!(*a, *b, epsilon = 1e-15, max_relative = 1e-12);
        }
        // row by row, and the lanes spread over threads
        let compiled = Compiled::new(&mlp, loss).unwrap();
        let mut gr = vec![0.0; p.len()];
        let lr = compiled
            .clone()
            .lanes_from(usize::MAX)
            .loss_sum(p, data.view(), &mut gr)
            .unwrap();
        assert_relative_eq!(lr, lc, max_relative = 1e-13);
        for (a, b) in gr.iter().zip(&gc) {
            assert_relative_eq!(*a, *b, epsilon = 1e-15, max_relative = 1e-12);
        }
        let mut gp = vec![0.0; p.len()];
        let lp = compiled
            .parallel(true)
            .loss_sum(p, data.view(), &mut gp)
            .unwrap();
        assert_eq!((lp, gp), (lc, gc), "par_batch is bit-identical");
    }

    #[test]
    fn softmax_on_the_tape_is_finite_at_logits_of_a_thousand() {
        // one input x, logits (1000x, −1000x, 0): at x = 1 the label 1 costs 2000
        let mut mlp = Mlp::new(
            &[1, 3],
            Activation::Linear,
            Activation::Linear,
            &mut StdRng::seed_from_u64(1),
        )
        .unwrap();
        mlp.set_parameters(&[1000.0, -1000.0, 0.0, 0.0, 0.0, 0.0]);
        let data = array![[1.0, 1.0], [1.0, 0.0], [-1.0, 1.0]];
        let loss = Loss::SoftmaxCrossEntropy;
        for lanes_from in [1, usize::MAX] {
            let mut backend = Compiled::new(&mlp, loss).unwrap().lanes_from(lanes_from);
            let mut grad = vec![0.0; 6];
            let total = backend
                .loss_sum(mlp.parameters(), data.view(), &mut grad)
                .unwrap();
            // 2000 + 0 + 0: at x = −1 the label 1 has the largest logit
            assert_eq!(total, 2000.0, "lanes from {lanes_from}");
            // ∂/∂w = Σ (softmax − one_hot)·x: row 1 gives (1, −1, 0)·1, the others 0
            assert_eq!(
                grad,
                [1.0, -1.0, 0.0, 1.0, -1.0, 0.0],
                "lanes from {lanes_from}"
            );
        }
    }

    #[test]
    fn labels_that_are_no_class_and_outputs_that_do_not_fit_are_refused() {
        let mut rng = StdRng::seed_from_u64(10);
        let mlp = Mlp::new(&[2, 3], Activation::Tanh, Activation::Linear, &mut rng).unwrap();
        let loss = Loss::SoftmaxCrossEntropy;
        let mut grad = vec![0.0; mlp.parameter_count()];
        for bad in [3.0, -1.0, 0.5, f64::NAN] {
            let data = array![[0.5, -1.0, 0.0], [1.5, 0.25, bad]];
            for mut backend in [
                Box::new(Compiled::new(&mlp, loss).unwrap()) as Box<dyn Backend>,
                Box::new(Eager::new(&mlp, loss)),
            ] {
                let e = backend
                    .loss_sum(mlp.parameters(), data.view(), &mut grad)
                    .unwrap_err();
                assert_eq!(e.setting(), Some("label"), "{e}");
                assert_eq!(
                    e.to_string(),
                    format!(
                        "a class label must be a whole number from 0 to 2, got {bad} in row 2 of the minibatch"
                    )
                );
            }
        }
        let e = Compiled::new(&mlp, Loss::Mse)
            .err()
            .expect("3 outputs for mse");
        assert_eq!(e.setting(), Some("loss"), "{e}");
        let one = Mlp::new(&[2, 1], Activation::Tanh, Activation::Linear, &mut rng).unwrap();
        let e = Eager::new(&one, loss)
            .loss_sum(
                one.parameters(),
                array![[0.0, 0.0, 0.0]].view(),
                &mut [0.0; 3],
            )
            .unwrap_err();
        assert_eq!(e.setting(), Some("loss"), "{e}");
    }

    #[test]
    fn the_summed_loss_is_the_sum_of_hand_computed_sample_losses() {
        let mut rng = StdRng::seed_from_u64(4);
        let mlp = Mlp::new(&[2, 3, 1], Activation::Tanh, Activation::Linear, &mut rng).unwrap();
        let data = array![[0.5, -1.0, 1.0], [1.5, 0.25, -1.0]];
        let expected: f64 = data
            .rows()
            .into_iter()
            .map(|r| {
                let s = mlp.predict(&[r[0], r[1]])[0];
                (s - r[2]).powi(2) // mse per sample
            })
            .sum();
        let mut grad = vec![0.0; mlp.parameter_count()];
        let mut backend = Compiled::new(&mlp, Loss::Mse).unwrap();
        let total = backend
            .loss_sum(mlp.parameters(), data.view(), &mut grad)
            .unwrap();
        assert_relative_eq!(total, expected, max_relative = 1e-14);
    }

    #[test]
    fn an_empty_minibatch_names_the_option() {
        let mlp = Mlp::new(
            &[2, 1],
            Activation::Tanh,
            Activation::Linear,
            &mut StdRng::seed_from_u64(1),
        )
        .unwrap();
        let empty = ndarray::Array2::<f64>::zeros((0, 3));
        let mut grad = vec![0.0; 3];
        let e = Eager::new(&mlp, Loss::Mse).loss_sum(mlp.parameters(), empty.view(), &mut grad);
        assert_eq!(e.unwrap_err().setting(), Some("batch"));
    }
}
