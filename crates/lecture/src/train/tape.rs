//! Gradients by replaying a compiled tape: the net is recorded once per run.

use autodiff::{Graph, Tape, Workspace};
use ndarray::Array2;

use super::Gradient;
use crate::data::Sample;
use crate::{Net, Point, Result};

/// The net compiled once, with inputs `[s0, target, w0, w1, …]`; each row replays it
/// (allocation-free), and the mean over all rows runs it in batch lanes across cores.
pub(crate) struct Taped {
    tape: Tape,
    ws: Workspace,
    inputs: Vec<f64>,
    /// The data as an `n × 2` matrix `(s0, target)`, made on the first full-batch step.
    batch: Option<Array2<f64>>,
}

impl Taped {
    pub(crate) fn new(net: Net, init: &[f64]) -> Result<Self> {
        let g = Graph::new();
        let point = Point {
            weights: init.to_vec(),
            s0: 0.0,
            target: 0.0,
        };
        let built = net.build(&g, &point)?;
        let mut leaves = vec![built.s0, built.target];
        leaves.extend(&built.weights);
        let tape = Tape::compile(built.cost, &leaves)?;
        let ws = tape.workspace();
        Ok(Taped {
            tape,
            ws,
            inputs: vec![0.0; leaves.len()],
            batch: None,
        })
    }
}

impl Gradient for Taped {
    fn row(&mut self, weights: &[f64], sample: Sample, grad: &mut [f64]) -> Result<f64> {
        self.inputs[0] = sample.s0;
        self.inputs[1] = sample.out;
        self.inputs[2..].copy_from_slice(weights);
        let (cost, all) = self.tape.gradient(&mut self.ws, &self.inputs)?;
        grad.copy_from_slice(&all[2..]);
        Ok(cost)
    }

    fn mean(&mut self, weights: &[f64], data: &[Sample], grad: &mut [f64]) -> Result<f64> {
        let matrix = self.batch.get_or_insert_with(|| {
            Array2::from_shape_fn((data.len(), 2), |(i, j)| {
                if j == 0 {
                    data[i].s0
                } else {
                    data[i].out
                }
            })
        });
        let out = self.tape.par_batch(matrix.view(), weights)?;
        let n = data.len() as f64;
        for (g, s) in grad.iter_mut().zip(&out.gradient) {
            *g = s / n;
        }
        Ok(out.sum / n)
    }
}
