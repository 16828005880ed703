//! Gradients by recording a fresh graph per step.

use autodiff::Graph;

use super::run::descend;
use super::{mean_cost, Gradient};
use crate::data::Sample;
use crate::{Net, Point, Result};

/// Records the net on a new graph at every call and sweeps it backwards.
///
/// The graph is dropped after each call, so memory stays constant over any number of
/// steps; `nodes` keeps the size of the last graph so tests can check that it does.
pub(crate) struct Eager {
    net: Net,
    /// The weights, and the row of the step.
    point: Point,
    grad: Vec<f64>,
    pub(crate) nodes: usize,
}

impl Eager {
    pub(crate) fn new(net: Net, init: &[f64]) -> Self {
        Eager {
            net,
            point: Point {
                weights: init.to_vec(),
                s0: 0.0,
                target: 0.0,
            },
            grad: vec![0.0; init.len()],
            nodes: 0,
        }
    }

    /// `C` at `sample` and the current weights, with `dC/dwi` in `self.grad`.
    fn row(&mut self, sample: Sample) -> Result<f64> {
        self.point.s0 = sample.s0;
        self.point.target = sample.out;
        let n = self.point.weights.len();
        let g = Graph::with_capacity(3 * n + 8, 3 * n + 8);
        let net = self.net.build(&g, &self.point)?;
        let grads = net.cost.backward();
        for (gi, &w) in self.grad.iter_mut().zip(&net.weights) {
            *gi = grads.wrt(w);
        }
        self.nodes = g.len();
        Ok(net.cost.value())
    }
}

impl Gradient for Eager {
    fn weights(&self) -> &[f64] {
        &self.point.weights
    }

    fn weights_mut(&mut self) -> &mut [f64] {
        &mut self.point.weights
    }

    fn step(&mut self, sample: Sample, alpha: f64) -> Result<(f64, bool)> {
        let cost = self.row(sample)?;
        Ok((
            cost,
            descend(&mut self.point.weights, &self.grad, alpha, cost),
        ))
    }

    fn mean(&mut self, data: &[Sample], grad: &mut [f64]) -> Result<f64> {
        grad.fill(0.0);
        let mut cost = 0.0;
        for &s in data {
            cost += self.row(s)?;
            for (a, g) in grad.iter_mut().zip(&self.grad) {
                *a += g;
            }
        }
        let n = data.len() as f64;
        for g in grad.iter_mut() {
            *g /= n;
        }
        Ok(cost / n)
    }

    fn mean_cost(&mut self, data: &[Sample]) -> Result<f64> {
        mean_cost(self.net, &self.point.weights, data)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn graph_does_not_grow_across_a_thousand_steps() {
        let mut eager = Eager::new(Net::Lecture, &[1.0, 1.0, 1.0]);
        let sample = Sample { s0: 0.5, out: 2.0 };
        eager.step(sample, 0.01).unwrap();
        let after_first = eager.nodes;
        for _ in 0..1000 {
            assert!(eager.step(sample, 0.01).unwrap().1);
        }
        assert_eq!(eager.nodes, after_first);
        assert_eq!(after_first, 13);
    }
}
