//! [`Mlp`]: a multi-layer perceptron that owns its parameters as plain numbers.

use autodiff::{Graph, Scalar, Var};
use rand::Rng;

use crate::{Activation, Dense, Error, Init, Module, Result};

/// A stack of [`Dense`] layers, with any sizes and an activation per layer, and the
/// parameters of all of them in one `Vec<f64>` (layer after layer, each laid out as
/// [`Dense`] says).
///
/// The parameters are plain storage: to differentiate, make them leaves of a fresh graph
/// ([`Mlp::leaves`]) and record [`Module::forward`]; the graph is dropped after the step.
///
/// # Examples
/// ```
/// use nn::{Activation, Mlp, Module};
/// use rand::{rngs::StdRng, SeedableRng};
///
/// let mut rng = StdRng::seed_from_u64(1);
/// let mlp = Mlp::new(&[2, 16, 16, 1], Activation::Relu, Activation::Linear, &mut rng)?;
/// assert_eq!(mlp.parameter_count(), 337); // 3·16 + 17·16 + 17·1
///
/// let g = autodiff::Graph::new();
/// let params = mlp.leaves(&g);
/// let x = [g.constant(0.5), g.constant(-1.0)];
/// let score = mlp.forward(&params, &x)[0];
/// assert_eq!(score.value(), mlp.eval(mlp.parameters(), &[0.5, -1.0])[0]);
/// # Ok::<(), nn::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Mlp {
    layers: Vec<Dense>,
    params: Vec<f64>,
}

impl Mlp {
    /// An MLP with layer sizes `sizes` (inputs first, outputs last), activation `hidden` on
    /// every hidden layer and `output` on the last, initialised with [`Init::for_activation`].
    ///
    /// # Errors
    /// [`Error::InvalidSetting`] (`layers`) if there are fewer than two sizes or a size is 0.
    pub fn new(
        sizes: &[usize],
        hidden: Activation,
        output: Activation,
        rng: &mut impl Rng,
    ) -> Result<Self> {
        let n = sizes.len().saturating_sub(1);
        let activations: Vec<Activation> = (0..n)
            .map(|i| if i + 1 == n { output } else { hidden })
            .collect();
        Self::with_activations(sizes, &activations, rng)
    }

    /// An MLP with one activation per layer (`activations.len() == sizes.len() − 1`).
    ///
    /// # Errors
    /// [`Error::InvalidSetting`] (`layers`) if there are fewer than two sizes or a size is
    /// 0; (`activation`) if the number of activations does not match.
    pub fn with_activations(
        sizes: &[usize],
        activations: &[Activation],
        rng: &mut impl Rng,
    ) -> Result<Self> {
        if sizes.len() < 2 {
            return Err(Error::invalid(
                "layers",
                "an MLP needs an input size and at least one layer",
            ));
        }
        if let Some(i) = sizes.iter().position(|&s| s == 0) {
            return Err(Error::invalid(
                "layers",
                format!("layer sizes must be positive, got 0 at position {}", i + 1),
            ));
        }
        if activations.len() + 1 != sizes.len() {
            return Err(Error::invalid(
                "activation",
                format!(
                    "{} layers need {} activations, got {}",
                    sizes.len() - 1,
                    sizes.len() - 1,
                    activations.len()
                ),
            ));
        }
        let layers: Vec<Dense> = sizes
            .windows(2)
            .zip(activations)
            .map(|(w, &a)| Dense::new(w[0], w[1], a))
            .collect();
        let mut params = Vec::with_capacity(layers.iter().map(Module::parameter_count).sum());
        for layer in &layers {
            let init = Init::for_activation(layer.activation);
            params.extend(init.sample(layer.inputs, layer.outputs, rng));
            params.extend(std::iter::repeat_n(0.0, layer.outputs));
        }
        Ok(Mlp { layers, params })
    }

    /// The layers, input side first.
    pub fn layers(&self) -> &[Dense] {
        &self.layers
    }

    /// All parameters, layer after layer.
    pub fn parameters(&self) -> &[f64] {
        &self.params
    }

    /// All parameters, for an optimizer to update in place.
    pub fn parameters_mut(&mut self) -> &mut [f64] {
        &mut self.params
    }

    /// Replaces the parameters.
    ///
    /// # Panics
    /// If `params` has the wrong length.
    pub fn set_parameters(&mut self, params: &[f64]) {
        self.params.copy_from_slice(params);
    }

    /// The parameters as fresh differentiable leaves of `g`, in order.
    pub fn leaves<'g>(&self, g: &'g Graph) -> Vec<Var<'g>> {
        self.params.iter().map(|&p| g.var(p)).collect()
    }

    /// The network's outputs for one input, on plain numbers with the current parameters.
    ///
    /// # Panics
    /// If `inputs` has the wrong length.
    pub fn predict(&self, inputs: &[f64]) -> Vec<f64> {
        self.eval(&self.params, inputs)
    }

    /// The class the network picks for one input: the index of its largest output (the
    /// first of equal ones), as [`crate::Loss::SoftmaxCrossEntropy`] trains it.
    ///
    /// # Panics
    /// If `inputs` has the wrong length.
    pub fn classify(&self, inputs: &[f64]) -> usize {
        crate::confusion::argmax(&self.predict(inputs))
    }

    /// The network on graph nodes or on plain numbers: the same operations either way.
    fn run<T: Scalar>(&self, params: &[T], inputs: &[T]) -> Vec<T> {
        assert_eq!(params.len(), self.params.len(), "nn: wrong parameter count");
        let mut rest = params;
        let mut x = inputs.to_vec();
        for layer in &self.layers {
            let (mine, tail) = rest.split_at(layer.parameter_count());
            x = layer.run(mine, &x);
            rest = tail;
        }
        x
    }
}

impl Module for Mlp {
    fn parameter_count(&self) -> usize {
        self.params.len()
    }

    fn input_count(&self) -> usize {
        self.layers[0].inputs
    }

    fn output_count(&self) -> usize {
        self.layers[self.layers.len() - 1].outputs
    }

    /// # Complexity
    /// Appends `Σ outputs·(2·inputs + 2)` nodes at most, over the layers.
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
    use rand::{rngs::StdRng, SeedableRng};

    fn rng() -> StdRng {
        StdRng::seed_from_u64(3)
    }

    #[test]
    fn a_two_layer_net_matches_a_hand_computation() {
        // 1 → 1 (sigmoid) → 1 (linear): y = b₂ + w₂·S(b₁ + w₁x)
        let mut mlp = Mlp::new(
            &[1, 1, 1],
            Activation::Sigmoid,
            Activation::Linear,
            &mut rng(),
        )
        .expect("valid sizes");
        mlp.set_parameters(&[0.5, -0.25, 2.0, 0.1]); // w₁, b₁, w₂, b₂
        let x: f64 = 3.0;
        let h = 1.0 / (1.0 + (-(-0.25 + 0.5 * x)).exp());
        assert_relative_eq!(mlp.predict(&[x])[0], 0.1 + 2.0 * h, max_relative = 1e-15);
        let g = Graph::new();
        let p = mlp.leaves(&g);
        let y = mlp.forward(&p, &[g.constant(x)])[0];
        let grads = y.backward();
        // ∂y/∂w₁ = w₂·h(1 − h)·x, ∂y/∂b₁ = w₂·h(1 − h), ∂y/∂w₂ = h, ∂y/∂b₂ = 1
        let d = 2.0 * h * (1.0 - h);
        let expected = [d * x, d, h, 1.0];
        for (i, e) in expected.into_iter().enumerate() {
            assert_relative_eq!(grads.wrt(p[i]), e, max_relative = 1e-12);
        }
    }

    #[test]
    fn sizes_and_seeds_determine_the_network() {
        let a = Mlp::new(
            &[2, 4, 3, 1],
            Activation::Tanh,
            Activation::Linear,
            &mut rng(),
        )
        .unwrap();
        let b = Mlp::new(
            &[2, 4, 3, 1],
            Activation::Tanh,
            Activation::Linear,
            &mut rng(),
        )
        .unwrap();
        assert_eq!(a, b);
        assert_eq!(a.parameter_count(), 3 * 4 + 5 * 3 + 4);
        assert_eq!((a.input_count(), a.output_count()), (2, 1));
        // biases start at 0: the last parameter is the output bias
        assert_eq!(a.parameters()[a.parameter_count() - 1], 0.0);
    }

    #[test]
    fn zero_sizes_and_missing_layers_are_rejected_naming_the_setting() {
        let e = Mlp::new(&[2, 0, 1], Activation::Tanh, Activation::Linear, &mut rng()).unwrap_err();
        assert_eq!(e.setting(), Some("layers"), "{e}");
        let e = Mlp::new(&[2], Activation::Tanh, Activation::Linear, &mut rng()).unwrap_err();
        assert_eq!(e.setting(), Some("layers"), "{e}");
        let e = Mlp::with_activations(&[2, 3, 1], &[Activation::Relu], &mut rng()).unwrap_err();
        assert_eq!(e.setting(), Some("activation"), "{e}");
    }

    #[test]
    fn whole_network_gradient_passes_a_finite_difference_check() {
        for hidden in [Activation::Sigmoid, Activation::Tanh, Activation::Relu] {
            let mlp = Mlp::new(&[2, 3, 2, 1], hidden, Activation::Linear, &mut rng()).unwrap();
            let mut point = mlp.parameters().to_vec();
            // non-zero biases so that no relu sits at its kink
            let n = point.len();
            for (i, p) in point.iter_mut().enumerate() {
                *p += 0.05 * (i as f64 + 1.0) / n as f64;
            }
            let report = autodiff::gradcheck(
                |g, v| {
                    let x = [g.constant(0.7), g.constant(-1.1)];
                    mlp.forward(v, &x)[0].square()
                },
                &point,
            );
            assert!(report.passed(), "{hidden}:\n{report}");
        }
    }
}
