//! Gradients by recording a fresh graph per step.

use autodiff::Graph;

use super::Gradient;
use crate::data::Sample;
use crate::{Net, Point, Result};

/// Records the net on a new graph at every call and sweeps it backwards.
///
/// The graph is dropped after each call, so memory stays constant over any number of
/// steps; `nodes` keeps the size of the last graph so tests can check that it does.
pub(crate) struct Eager {
    net: Net,
    point: Point,
    pub(crate) nodes: usize,
}

impl Eager {
    pub(crate) fn new(net: Net) -> Self {
        Eager {
            net,
            point: Point {
                weights: Vec::new(),
                s0: 0.0,
                target: 0.0,
            },
            nodes: 0,
        }
    }
}

impl Gradient for Eager {
    fn row(&mut self, weights: &[f64], sample: Sample, grad: &mut [f64]) -> Result<f64> {
        self.point.weights.clear();
        self.point.weights.extend_from_slice(weights);
        self.point.s0 = sample.s0;
        self.point.target = sample.out;
        let g = Graph::with_capacity(3 * weights.len() + 8, 3 * weights.len() + 8);
        let net = self.net.build(&g, &self.point)?;
        let grads = net.cost.backward();
        for (gi, &w) in grad.iter_mut().zip(&net.weights) {
            *gi = grads.wrt(w);
        }
        self.nodes = g.len();
        Ok(net.cost.value())
    }

    fn mean(&mut self, weights: &[f64], data: &[Sample], grad: &mut [f64]) -> Result<f64> {
        let mut sum = vec![0.0; grad.len()];
        let mut cost = 0.0;
        for &s in data {
            cost += self.row(weights, s, grad)?;
            for (a, g) in sum.iter_mut().zip(grad.iter()) {
                *a += g;
            }
        }
        let n = data.len() as f64;
        for (g, a) in grad.iter_mut().zip(sum) {
            *g = a / n;
        }
        Ok(cost / n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn graph_does_not_grow_across_a_thousand_steps() {
        let mut eager = Eager::new(Net::Lecture);
        let mut grad = [0.0; 3];
        let mut w = [1.0, 1.0, 1.0];
        let sample = Sample { s0: 0.5, out: 2.0 };
        eager.row(&w, sample, &mut grad).unwrap();
        let after_first = eager.nodes;
        for _ in 0..1000 {
            eager.row(&w, sample, &mut grad).unwrap();
            for (wi, gi) in w.iter_mut().zip(grad) {
                *wi -= 0.01 * gi;
            }
        }
        assert_eq!(eager.nodes, after_first);
        assert_eq!(after_first, 13);
    }
}
