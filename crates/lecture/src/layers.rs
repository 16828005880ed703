//! A small multilayer perceptron in the lecture's style, where a weight reaches the cost
//! along several paths: "multiply along paths, add across them".
//!
//! `Layers([n0, n1, …, nk, 1])`: `n0` inputs, all equal to `s0`; hidden sigmoid layers of
//! `n1 … nk` neurons, each `x = Σ w·s` over the layer below and `s = S(x)`; a linear output
//! `out = Σ w·s` over the last hidden layer; `C = ½ (target − out)²`. No biases.
//!
//! Weights are numbered `w0, w1, …` layer by layer from the input, and within a layer by
//! receiving neuron, then sending neuron (row by row of each weight matrix); by default
//! they alternate 1, 0.5 ([`Layers::default_weights`]). Names are
//! `s0`, `x1`, `s1`, … for a layer of one neuron and `s0.0`, `x1.0`, `s1.0`, … (layer, then
//! neuron from 0) for wider layers. Each sum of products is added pairwise (a balanced
//! tree), so a path crosses about log₂(width) additions per layer.

use std::fmt;
use std::str::FromStr;

use autodiff::{Graph, Var};

use crate::{Error, Point, Result};

/// The largest layer.
pub const MAX_WIDTH: usize = 64;
/// The most weights in all.
pub const MAX_WEIGHTS: usize = 4096;

/// The layer sizes of an MLP, input first, output (always 1) last.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Layers(Vec<usize>);

/// An MLP recorded on a graph.
#[derive(Clone, Debug)]
pub struct LayersNet<'g> {
    /// The inputs, each `s0`.
    pub inputs: Vec<Var<'g>>,
    /// `w0, w1, …` in the module's order.
    pub weights: Vec<Var<'g>>,
    /// The desired output.
    pub target: Var<'g>,
    /// The linear output.
    pub out: Var<'g>,
    /// `C = ½ (target − out)²`.
    pub cost: Var<'g>,
}

impl Layers {
    /// The sizes, input first.
    pub fn sizes(&self) -> &[usize] {
        &self.0
    }

    /// Number of weights: `Σ n(l) · n(l+1)`.
    pub fn n_weights(&self) -> usize {
        self.0.windows(2).map(|p| p[0] * p[1]).sum()
    }

    /// The default weights: `1, 0.5, 1, 0.5, …`, so that neighbouring neurons differ and
    /// the paths of a weight carry different products.
    pub fn default_weights(n: usize) -> Vec<f64> {
        (0..n).map(|i| if i % 2 == 0 { 1.0 } else { 0.5 }).collect()
    }

    /// Records the MLP at `point` (`point.weights` in the module's order).
    ///
    /// # Errors
    /// [`Error::Config`] if `point.weights` does not have [`Layers::n_weights`] values.
    ///
    /// # Examples
    /// ```
    /// use lecture::{layers::Layers, Point};
    /// let layers: Layers = "1,2,1".parse().unwrap();
    /// let g = autodiff::Graph::new();
    /// let point = Point { weights: vec![1.0; 4], s0: 2.0, target: 0.7 };
    /// let net = layers.build(&g, &point)?;
    /// // w0 reaches C through s1.0 only; w2 (s1.0 → out) through out only
    /// assert_eq!(net.cost.paths_from(net.weights[0], 10).count, 1);
    /// assert_eq!(net.cost.paths_from(net.inputs[0], 10).count, 2);
    /// # Ok::<(), lecture::Error>(())
    /// ```
    pub fn build<'g>(&self, g: &'g Graph, point: &Point) -> Result<LayersNet<'g>> {
        if point.weights.len() != self.n_weights() {
            return Err(Error::Config(format!(
                "{self} has {} weights, not {}",
                self.n_weights(),
                point.weights.len()
            )));
        }
        let last = self.0.len() - 1;
        let name = |layer: usize, x: &str, j: usize| match self.0[layer] {
            1 => format!("{x}{layer}"),
            _ => format!("{x}{layer}.{j}"),
        };
        let inputs: Vec<Var<'g>> = (0..self.0[0])
            .map(|j| g.var_named(&name(0, "s", j), point.s0))
            .collect();
        let weights: Vec<Var<'g>> = (point.weights.iter().enumerate())
            .map(|(i, &w)| g.var_named(&format!("w{i}"), w))
            .collect();
        let target = g.var_named("target", point.target);
        let mut below = inputs.clone();
        let mut next_weight = 0;
        for layer in 1..=last {
            below = (0..self.0[layer])
                .map(|j| {
                    let row = &weights[next_weight..next_weight + below.len()];
                    next_weight += below.len();
                    let products = row.iter().zip(&below).map(|(&w, &s)| w * s).collect();
                    let x = pairwise_sum(products);
                    if layer == last {
                        x.named("out")
                    } else {
                        x.named(&name(layer, "x", j))
                            .sigmoid()
                            .named(&name(layer, "s", j))
                    }
                })
                .collect();
        }
        let out = below[0];
        // C = ½ (target − out)², as the lecture net writes it
        let cost = ((target - out).square() * 0.5).named("C");
        Ok(LayersNet {
            inputs,
            weights,
            target,
            out,
            cost,
        })
    }
}

/// `Σ terms`, added pairwise (neighbours first) so that each term crosses about log₂ n
/// additions. `terms` is not empty.
fn pairwise_sum(mut terms: Vec<Var<'_>>) -> Var<'_> {
    while terms.len() > 1 {
        terms = terms
            .chunks(2)
            .map(|pair| pair.iter().copied().reduce(|a, b| a + b).expect("a chunk"))
            .collect();
    }
    terms[0]
}

impl fmt::Display for Layers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sizes: Vec<String> = self.0.iter().map(usize::to_string).collect();
        f.write_str(&sizes.join(","))
    }
}

impl FromStr for Layers {
    type Err = String;

    /// `n0,n1,…,1`: at least one hidden layer, each size in 1..=64, the output 1, at most
    /// 4096 weights.
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        let sizes = s
            .split(',')
            .map(|t| match t.trim().parse::<usize>() {
                Ok(n) if (1..=MAX_WIDTH).contains(&n) => Ok(n),
                _ => Err(format!(
                    "'{}' is not a layer size from 1 to {MAX_WIDTH}",
                    t.trim()
                )),
            })
            .collect::<std::result::Result<Vec<usize>, String>>()?;
        if sizes.len() < 3 {
            return Err(format!(
                "'{s}' needs inputs, at least one hidden layer and the output, e.g. 1,2,1"
            ));
        }
        if sizes.last() != Some(&1) {
            return Err(format!("'{s}' must end in 1: the output is one number"));
        }
        let layers = Layers(sizes);
        if layers.n_weights() > MAX_WEIGHTS {
            return Err(format!(
                "'{s}' has {} weights, more than {MAX_WEIGHTS}",
                layers.n_weights()
            ));
        }
        Ok(layers)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_first_layer_weight_of_1_2_2_1_reaches_the_cost_along_two_paths() {
        let layers: Layers = "1,2,2,1".parse().unwrap();
        assert_eq!(layers.n_weights(), 2 + 4 + 2);
        let g = Graph::new();
        let point = Point {
            weights: (0..8).map(|i| 0.3 + 0.1 * i as f64).collect(),
            s0: 2.0,
            target: 0.7,
        };
        let net = layers.build(&g, &point).unwrap();
        let paths = net.cost.paths_from(net.weights[0], 100);
        assert_eq!(paths.count, 2);
        // multiply along paths, add across them: the sum is the tape's gradient
        assert!((paths.listed_sum - paths.gradient).abs() <= 1e-15 * paths.gradient.abs());
        assert_eq!(net.cost.paths_from(net.weights[7], 100).count, 1);
    }

    #[test]
    fn sizes_are_bounded_and_end_in_one() {
        assert!("1,2".parse::<Layers>().is_err());
        assert!("1,2,2".parse::<Layers>().is_err());
        assert!("1,65,1".parse::<Layers>().is_err());
        assert!("1,0,1".parse::<Layers>().is_err());
        assert!("32,64,1".parse::<Layers>().is_ok());
        assert!("64,64,1".parse::<Layers>().unwrap_err().contains("4096"));
        assert!("1,x,1".parse::<Layers>().is_err());
    }
}
