//! Gradients by replaying a compiled tape: the net is recorded once per run.

use autodiff::{Graph, Tape, Workspace};
use ndarray::Array2;

use super::run::descend;
use super::Gradient;
use crate::data::Sample;
use crate::network::forward;
use crate::{Net, Result};

/// The net compiled once, with inputs `[s0, target, w0, w1, …]`; each row replays it
/// (allocation-free), and the mean over all rows runs it in batch lanes across cores.
///
/// The weights live in the workspace's inputs ([`Workspace::inputs_and_gradient`]): a step
/// writes the row into the first two, and the update writes the weights where the next
/// replay reads them.
pub(crate) struct Taped {
    tape: Tape,
    ws: Workspace,
    /// The data as an `n × 2` matrix `(s0, target)`, made on the first batch call.
    batch: Option<Array2<f64>>,
}

impl Taped {
    pub(crate) fn new(net: Net, init: &[f64]) -> Result<Self> {
        net.check_weights(init)?;
        let g = Graph::new();
        // The row is data, not a parameter: as constants, s0 and target get no gradient,
        // and the sweep skips the two edges into them.
        let (s0, target) = (g.constant(0.0), g.constant(0.0));
        let weights: Vec<_> = init.iter().map(|&w| g.var(w)).collect();
        let cost = forward(net, s0, &weights, target).cost;
        let mut leaves = vec![s0, target];
        leaves.extend(&weights);
        // compiled at (0, 0, init…), where the workspace's inputs start
        let tape = Tape::compile(cost, &leaves)?;
        let ws = tape.workspace();
        Ok(Taped {
            tape,
            ws,
            batch: None,
        })
    }

    /// `[s0, target, w0, w1, …]` in the workspace, and the gradient of the last step.
    fn inputs_and_gradient(&mut self) -> (&mut [f64], &[f64]) {
        self.ws.inputs_and_gradient(&self.tape)
    }
}

impl Gradient for Taped {
    fn weights(&self) -> &[f64] {
        &self.ws.inputs()[2..]
    }

    fn weights_mut(&mut self) -> &mut [f64] {
        &mut self.inputs_and_gradient().0[2..]
    }

    #[inline(always)]
    fn step(&mut self, sample: Sample, alpha: f64) -> Result<(f64, bool)> {
        let (inputs, _) = self.inputs_and_gradient();
        inputs[..2].copy_from_slice(&[sample.s0, sample.out]);
        let cost = self.tape.gradient_in_place(&mut self.ws)?;
        let (inputs, gradient) = self.inputs_and_gradient();
        let moved = descend(&mut inputs[2..], &gradient[2..], alpha, cost);
        Ok((cost, moved))
    }

    fn mean(&mut self, data: &[Sample], grad: &mut [f64]) -> Result<f64> {
        let out = self.tape.par_batch(
            rows_matrix(&mut self.batch, data).view(),
            &self.ws.inputs()[2..],
        )?;
        let n = data.len() as f64;
        for (g, s) in grad.iter_mut().zip(&out.gradient) {
            *g = s / n;
        }
        Ok(out.sum / n)
    }

    /// The tape's forward pass per row, in batch lanes across cores (whose outputs are bit
    /// for bit [`Tape::value`]'s: the same operations on the same values as the net on
    /// `f64`), summed in row order.
    fn mean_cost(&mut self, data: &[Sample]) -> Result<f64> {
        let out = self.tape.par_batch(
            rows_matrix(&mut self.batch, data).view(),
            &self.ws.inputs()[2..],
        )?;
        let sum = out.outputs.iter().fold(0.0, |sum, c| sum + c);
        Ok(sum / data.len() as f64)
    }
}

/// The data as an `n × 2` matrix `(s0, target)`, made on first use and kept in `cache`.
fn rows_matrix<'c>(cache: &'c mut Option<Array2<f64>>, data: &[Sample]) -> &'c Array2<f64> {
    cache.get_or_insert_with(|| {
        Array2::from_shape_fn((data.len(), 2), |(i, j)| {
            if j == 0 {
                data[i].s0
            } else {
                data[i].out
            }
        })
    })
}
