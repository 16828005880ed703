//! [`Dense`]: a fully connected layer, `yⱼ = φ(bⱼ + Σᵢ wⱼᵢ xᵢ)`.

use autodiff::{Scalar, Var};

use crate::{Activation, Module};

/// A fully connected layer of `outputs` neurons over `inputs` inputs.
///
/// Its parameters are laid out as the weights row by row (`w[j][i]` at `j·inputs + i`),
/// then the biases (`b[j]` at `inputs·outputs + j`). Neuron `j` computes
/// `zⱼ = bⱼ + wⱼ₀x₀ + wⱼ₁x₁ + …` (left to right) and outputs `φ(zⱼ)`.
///
/// # Examples
/// ```
/// use nn::{Activation, Dense, Module};
///
/// let layer = Dense::new(2, 1, Activation::Relu);
/// // y = relu(b + w₀x₀ + w₁x₁) = relu(0.5 + 1·2 + (−1)·3) = relu(−0.5) = 0
/// assert_eq!(layer.eval(&[1.0, -1.0, 0.5], &[2.0, 3.0]), vec![0.0]);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Dense {
    /// Number of inputs (fan-in).
    pub inputs: usize,
    /// Number of neurons (fan-out).
    pub outputs: usize,
    /// Every neuron's activation.
    pub activation: Activation,
}

impl Dense {
    /// A layer of `outputs` neurons over `inputs` inputs.
    pub fn new(inputs: usize, outputs: usize, activation: Activation) -> Self {
        Dense {
            inputs,
            outputs,
            activation,
        }
    }

    /// The layer on graph nodes or on plain numbers: the same operations either way.
    pub(crate) fn run<T: Scalar>(&self, params: &[T], inputs: &[T]) -> Vec<T> {
        self.check(params.len(), inputs.len());
        let (weights, biases) = params.split_at(self.inputs * self.outputs);
        weights
            .chunks_exact(self.inputs)
            .zip(biases)
            .map(|(row, &b)| {
                let z = row.iter().zip(inputs).fold(b, |z, (&w, &x)| z + w * x);
                self.activation.activate(z)
            })
            .collect()
    }

    fn check(&self, params: usize, inputs: usize) {
        assert_eq!(
            params,
            self.parameter_count(),
            "nn: dense layer takes {} parameters",
            self.parameter_count()
        );
        assert_eq!(
            inputs, self.inputs,
            "nn: dense layer takes {} inputs",
            self.inputs
        );
    }
}

impl Module for Dense {
    fn parameter_count(&self) -> usize {
        (self.inputs + 1) * self.outputs
    }

    fn input_count(&self) -> usize {
        self.inputs
    }

    fn output_count(&self) -> usize {
        self.outputs
    }

    /// # Complexity
    /// Appends `outputs · (2·inputs + 1)` nodes (one more per neuron unless linear).
    fn forward<'g>(&self, params: &[Var<'g>], inputs: &[Var<'g>]) -> Vec<Var<'g>> {
        self.run(params, inputs)
    }

    fn eval(&self, params: &[f64], inputs: &[f64]) -> Vec<f64> {
        self.run(params, inputs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;
    use autodiff::Graph;

    #[test]
    fn tanh_layer_matches_a_hand_computation() {
        // two neurons over x = (1, −2):
        // z₀ = 0.1 + 0.5·1 + 0.25·(−2) = 0.1,   y₀ = tanh 0.1
        // z₁ = −0.2 + (−1)·1 + 0.5·(−2) = −2.2, y₁ = tanh(−2.2)
        let layer = Dense::new(2, 2, Activation::Tanh);
        let p = [0.5, 0.25, -1.0, 0.5, 0.1, -0.2];
        let x = [1.0, -2.0];
        let g = Graph::new();
        let pv: Vec<_> = p.iter().map(|&v| g.var(v)).collect();
        let xv: Vec<_> = x.iter().map(|&v| g.var(v)).collect();
        let y = layer.forward(&pv, &xv);
        let z0 = 0.1 + 0.5 * 1.0 + 0.25 * -2.0;
        assert_relative_eq!(y[0].value(), f64::tanh(z0), max_relative = 1e-15);
        assert_relative_eq!(y[1].value(), f64::tanh(-2.2), max_relative = 1e-15);
        // ∂y₀/∂w₀₁ = (1 − tanh² z₀)·x₁ ; ∂y₀/∂b₀ = 1 − tanh² z₀ ; ∂y₀/∂x₀ = (1 − tanh² z₀)·w₀₀
        let grads = y[0].backward();
        let d = 1.0 - z0.tanh().powi(2);
        assert_relative_eq!(grads.wrt(pv[1]), d * -2.0, max_relative = 1e-12);
        assert_relative_eq!(grads.wrt(pv[4]), d, max_relative = 1e-12);
        assert_relative_eq!(grads.wrt(xv[0]), d * 0.5, max_relative = 1e-12);
        assert_eq!(grads.wrt(pv[2]), 0.0); // neuron 1's weights do not touch y₀
    }

    #[test]
    fn graph_and_plain_evaluation_are_bit_identical() {
        for act in Activation::ALL {
            let layer = Dense::new(3, 2, act);
            let p = [0.3, -0.7, 1.1, 0.2, 0.9, -0.4, 0.05, -0.15];
            let x = [0.6, -1.4, 2.2];
            let g = Graph::new();
            let pv: Vec<_> = p.iter().map(|&v| g.var(v)).collect();
            let xv: Vec<_> = x.iter().map(|&v| g.var(v)).collect();
            let graph: Vec<f64> = layer.forward(&pv, &xv).iter().map(|y| y.value()).collect();
            assert_eq!(graph, layer.eval(&p, &x), "{act}");
        }
    }

    #[test]
    fn every_parameter_and_input_passes_a_finite_difference_check() {
        for act in Activation::ALL {
            let layer = Dense::new(3, 2, act);
            let point = [0.3, -0.7, 1.1, 0.2, 0.9, -0.4, 0.05, -0.15, 0.6, -1.4, 2.2];
            let report = autodiff::gradcheck(
                |_g, v| {
                    let y = layer.forward(&v[..8], &v[8..]);
                    y[0] * 0.7 + y[1] * -1.3 // a scalar mixing both outputs
                },
                &point,
            );
            assert!(report.passed(), "{act}:\n{report}");
        }
    }
}
