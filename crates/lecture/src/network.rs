//! The lecture's network as a graph: `s0 w0 x1 s1 w1 x2 s2 w2 out target C`.
//!
//! One function, `forward`, writes the network once, generically over the number type:
//! on [`Var`]s it records the named graph, on `f64` it evaluates the very same operations
//! through [`Op::eval`] (bit-identical values, no graph), which is what data generation
//! and cost surfaces use.

use std::fmt;
use std::str::FromStr;

use autodiff::{Graph, Op, Scalar, Var};

use crate::{Error, Result};

/// Which network: the lecture's, the notebook's two-weight variant, or a deeper chain.
///
/// | net | weights | output |
/// |---|---|---|
/// | `Lecture` | `w0 w1 w2` | `out = w2 s2` |
/// | `TwoNode` | `w0 w1` | `out = s2` |
/// | `Chain(n)` | `w0 … wn` | `out = wn sn`, with `n` sigmoid neurons (`Chain(2)` = `Lecture`) |
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Net {
    /// The lecture's net: two sigmoid neurons and an output weight.
    Lecture,
    /// The later notebook's net: two sigmoid neurons, `out = s2`.
    TwoNode,
    /// `n ≥ 1` sigmoid neurons in a chain and an output weight.
    Chain(usize),
}

/// A point to evaluate a net at: its weights, the input `s0` and the target.
#[derive(Clone, Debug, PartialEq)]
pub struct Point {
    /// `w0, w1, …`, as many as the net has.
    pub weights: Vec<f64>,
    /// The input.
    pub s0: f64,
    /// The desired output.
    pub target: f64,
}

impl Point {
    /// The slides' worked example: `s0 = 2`, `w = (2, 1, 0.5)`, `target = 0.7`.
    pub fn slides() -> Self {
        Point {
            weights: vec![2.0, 1.0, 0.5],
            s0: 2.0,
            target: 0.7,
        }
    }
}

impl Net {
    /// Number of sigmoid neurons in the chain.
    pub fn neurons(self) -> usize {
        match self {
            Net::Lecture | Net::TwoNode => 2,
            Net::Chain(n) => n,
        }
    }

    /// Whether `out = w_n s_n` (true) or `out = s_n` (two-node).
    pub fn has_output_weight(self) -> bool {
        !matches!(self, Net::TwoNode)
    }

    /// Number of weights.
    pub fn n_weights(self) -> usize {
        self.neurons() + usize::from(self.has_output_weight())
    }

    /// The notebook's starting weights: all 1, or all 0.5 for the two-node net.
    pub fn default_init(self) -> Vec<f64> {
        let w = if self == Net::TwoNode { 0.5 } else { 1.0 };
        vec![w; self.n_weights()]
    }

    /// The weights' names, `w0, w1, …`.
    pub fn weight_names(self) -> Vec<String> {
        (0..self.n_weights()).map(|i| format!("w{i}")).collect()
    }

    /// Checks that `weights` has one value per weight.
    ///
    /// # Errors
    /// [`Error::WeightCount`] otherwise.
    pub fn check_weights(self, weights: &[f64]) -> Result<()> {
        if weights.len() == self.n_weights() && self.neurons() >= 1 {
            Ok(())
        } else {
            Err(Error::WeightCount {
                net: self,
                expected: self.n_weights(),
                found: weights.len(),
            })
        }
    }

    /// Records the net at `point` on `g`, nodes named as in the lecture.
    ///
    /// `s0`, the weights and `target` are differentiable leaves, so a compiled tape can
    /// take them as inputs.
    ///
    /// # Errors
    /// [`Error::WeightCount`] if `point.weights` does not fit the net.
    ///
    /// # Complexity
    /// Appends `3n + 7` nodes for `n` neurons (13 for the lecture net).
    ///
    /// # Examples
    /// ```
    /// use lecture::{Net, Point};
    /// let g = autodiff::Graph::new();
    /// let net = Net::Lecture.build(&g, &Point::slides())?;
    /// assert_eq!(net.cost.name().as_deref(), Some("C"));
    /// assert_eq!(g.len(), 13); // the 11 named nodes, target − out, and its square
    /// # Ok::<(), lecture::Error>(())
    /// ```
    pub fn build<'g>(self, g: &'g Graph, point: &Point) -> Result<LectureNet<'g>> {
        self.check_weights(&point.weights)?;
        let s0 = g.var_named("s0", point.s0);
        let weights: Vec<Var<'g>> = point
            .weights
            .iter()
            .enumerate()
            .map(|(i, &w)| g.var_named(&format!("w{i}"), w))
            .collect();
        let target = g.var_named("target", point.target);
        let nodes = forward(self, s0, &weights, target);
        Ok(LectureNet {
            net: self,
            s0,
            weights,
            target,
            x: nodes.x,
            s: nodes.s,
            out: nodes.out,
            cost: nodes.cost,
        })
    }

    /// `out` at `weights` and input `s0`, through the same code as [`Net::build`], on `f64`.
    ///
    /// # Errors
    /// [`Error::WeightCount`] if `weights` does not fit the net.
    pub fn output(self, weights: &[f64], s0: f64) -> Result<f64> {
        self.check_weights(weights)?;
        Ok(forward(self, s0, weights, 0.0).out)
    }

    /// `C = ½ (target − out)²` at `weights`, input `s0` and `target`, on `f64`.
    ///
    /// # Errors
    /// [`Error::WeightCount`] if `weights` does not fit the net.
    pub fn cost(self, weights: &[f64], s0: f64, target: f64) -> Result<f64> {
        self.check_weights(weights)?;
        Ok(forward(self, s0, weights, target).cost)
    }

    /// `s(k)`, the output of neuron `k` (`s(0) = s0`), at `weights`: the first `k` neurons
    /// of [`Net::cost`]'s pass, on `f64`, in O(k) time and no allocation.
    ///
    /// # Errors
    /// [`Error::WeightCount`] if `weights` does not fit the net; [`Error::Config`] if `k` is
    /// beyond the last neuron.
    pub fn activation(self, weights: &[f64], s0: f64, k: usize) -> Result<f64> {
        self.check_weights(weights)?;
        self.check_neuron(k)?;
        Ok(neurons(self, 0..k, s0, weights, |_, _| {}))
    }

    /// `C` from neuron `k` on: the rest of [`Net::cost`]'s pass from `s(k) = sk`, using
    /// weights `k..` of `weights` only. With `sk = self.activation(weights, s0, k)` it
    /// equals `self.cost(weights, s0, target)` bit for bit, in O(n − k) time and no
    /// allocation: a sweep over one weight `k` (finite differences, a cost surface) pays
    /// for the neurons after it only.
    ///
    /// # Errors
    /// As [`Net::activation`].
    pub fn cost_from(self, weights: &[f64], k: usize, sk: f64, target: f64) -> Result<f64> {
        self.check_weights(weights)?;
        self.check_neuron(k)?;
        let sn = neurons(self, k..self.neurons(), sk, weights, |_, _| {});
        Ok(finish(self, sn, weights, target).1)
    }

    fn check_neuron(self, k: usize) -> Result<()> {
        match k <= self.neurons() {
            true => Ok(()),
            false => Err(Error::Config(format!(
                "net {self} has neurons 0..={}, not {k}",
                self.neurons()
            ))),
        }
    }
}

/// The nodes of one evaluation of the network.
pub(crate) struct Nodes<T> {
    pub(crate) x: Vec<T>,
    pub(crate) s: Vec<T>,
    pub(crate) out: T,
    pub(crate) cost: T,
}

/// The network, written once: `x(k+1) = wk sk`, `s(k+1) = S(x(k+1))`, `out = wn sn`
/// (or `sn`), `C = ½ (target − out)²`. `weights` must fit `net` (checked by callers).
pub(crate) fn forward<T: Scalar>(net: Net, s0: T, weights: &[T], target: T) -> Nodes<T> {
    let n = net.neurons();
    let mut x = Vec::with_capacity(n + 1);
    let mut s = Vec::with_capacity(n + 1);
    x.push(s0); // x0 does not exist; s0 stands in its slot so that x[k] pairs with s[k]
    s.push(s0);
    let sn = neurons(net, 0..n, s0, weights, |xk, sk| {
        x.push(xk);
        s.push(sk);
    });
    let (out, cost) = finish(net, sn, weights, target);
    Nodes { x, s, out, cost }
}

/// Neurons `from + 1 ..= to` of the pass, from `s_from`: `each(x(k), s(k))` for each, and
/// returns `s(to)`. Names are built only on a graph: on `f64` a pass allocates nothing.
fn neurons<T: Scalar>(
    net: Net,
    range: std::ops::Range<usize>,
    s_from: T,
    weights: &[T],
    mut each: impl FnMut(T, T),
) -> T {
    let n = net.neurons();
    let mut s = s_from;
    for k in range.start + 1..=range.end {
        let xk = (weights[k - 1] * s).named_with(|| format!("x{k}"));
        let last_without_weight = k == n && !net.has_output_weight();
        let name = || match last_without_weight {
            true => "out".to_string(),
            false => format!("s{k}"),
        };
        s = xk.unary(Op::Sigmoid).named_with(name);
        each(xk, s);
    }
    s
}

/// `out` and `C` from `s(n)`, the last neuron's output.
fn finish<T: Scalar>(net: Net, sn: T, weights: &[T], target: T) -> (T, T) {
    let out = if net.has_output_weight() {
        (weights[net.neurons()] * sn).named("out")
    } else {
        sn
    };
    // C = ½ (target − out)²
    let cost = ((target - out).unary(Op::Square) * 0.5).named("C");
    (out, cost)
}

/// The lecture's network recorded on a graph: handles to every named node.
///
/// `x[k]` and `s[k]` are the lecture's `xk` and `sk` (`x[0]` is `s0` again, as a
/// placeholder, so that indices match the names).
#[derive(Clone, Debug)]
pub struct LectureNet<'g> {
    /// Which net this is.
    pub net: Net,
    /// The input.
    pub s0: Var<'g>,
    /// `w0, w1, …`
    pub weights: Vec<Var<'g>>,
    /// The desired output.
    pub target: Var<'g>,
    /// `x[k] = w(k-1) s(k-1)` for `k ≥ 1`.
    pub x: Vec<Var<'g>>,
    /// `s[k] = S(x[k])` for `k ≥ 1`; `s[0] = s0`.
    pub s: Vec<Var<'g>>,
    /// The output.
    pub out: Var<'g>,
    /// `C = ½ (target − out)²`.
    pub cost: Var<'g>,
}

impl LectureNet<'_> {
    /// Every named node with its value, in the lecture's order (`s0 w0 x1 s1 w1 … out
    /// target C`).
    pub fn table(&self) -> Vec<(String, f64)> {
        let mut rows = vec![("s0".to_string(), self.s0.value())];
        for k in 1..self.x.len() {
            rows.push((format!("w{}", k - 1), self.weights[k - 1].value()));
            rows.push((format!("x{k}"), self.x[k].value()));
            if k + 1 < self.x.len() || self.net.has_output_weight() {
                rows.push((format!("s{k}"), self.s[k].value()));
            }
        }
        if self.net.has_output_weight() {
            let n = self.net.neurons();
            rows.push((format!("w{n}"), self.weights[n].value()));
        }
        rows.push(("out".to_string(), self.out.value()));
        rows.push(("target".to_string(), self.target.value()));
        rows.push(("C".to_string(), self.cost.value()));
        rows
    }

    /// `dC/dwi` for every weight, from one reverse sweep.
    pub fn gradient(&self) -> Vec<f64> {
        self.cost.backward().wrt_all(&self.weights)
    }
}

impl fmt::Display for Net {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Net::Lecture => f.write_str("lecture"),
            Net::TwoNode => f.write_str("two-node"),
            Net::Chain(n) => write!(f, "chain:{n}"),
        }
    }
}

impl FromStr for Net {
    type Err = String;

    /// `lecture`, `two-node` or `chain:N` with `N ≥ 1`.
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s {
            "lecture" => Ok(Net::Lecture),
            "two-node" => Ok(Net::TwoNode),
            _ => match s.strip_prefix("chain:").map(str::parse::<usize>) {
                Some(Ok(n)) if (1..=10_000).contains(&n) => Ok(Net::Chain(n)),
                _ => Err(format!(
                    "unknown net '{s}': expected lecture, two-node or chain:N with N in 1..=10000"
                )),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pass_from_any_neuron_equals_the_whole_pass_bit_for_bit() {
        for net in [Net::Lecture, Net::TwoNode, Net::Chain(7)] {
            let w: Vec<f64> = (0..net.n_weights()).map(|i| 0.3 + 0.4 * i as f64).collect();
            let whole = net.cost(&w, 1.3, 0.2).unwrap();
            for k in 0..=net.neurons() {
                let sk = net.activation(&w, 1.3, k).unwrap();
                assert_eq!(
                    net.cost_from(&w, k, sk, 0.2).unwrap().to_bits(),
                    whole.to_bits()
                );
            }
            assert!(net.activation(&w, 1.3, net.neurons() + 1).is_err());
        }
    }

    #[test]
    fn slides_point_gives_the_slides_numbers() {
        let g = Graph::new();
        let net = Net::Lecture.build(&g, &Point::slides()).unwrap();
        // x1 = w0 s0 = 4, s1 = S(4) = 0.982, x2 = w1 s1, s2 = S(x2) = 0.7275, out = w2 s2 = 0.3638
        assert_eq!(net.x[1].value(), 4.0);
        assert!((net.s[1].value() - 0.982).abs() < 5e-4);
        assert!((net.x[2].value() - 0.982).abs() < 5e-4);
        assert!((net.s[2].value() - 0.7275).abs() < 5e-5);
        assert!((net.out.value() - 0.3638).abs() < 5e-5);
    }

    #[test]
    fn node_names_are_the_lectures() {
        let g = Graph::new();
        let net = Net::Lecture.build(&g, &Point::slides()).unwrap();
        let names: Vec<String> = net.table().into_iter().map(|(n, _)| n).collect();
        let expected = "s0 w0 x1 s1 w1 x2 s2 w2 out target C";
        assert_eq!(names.join(" "), expected);
        let dot = g.to_dot();
        for (name, value) in net.table() {
            // each node's tooltip: its name (and op), then its value in full
            let (start, end) = (format!("tooltip = \"{name} "), format!(" = {value}\""));
            let shown = dot.lines().any(|l| l.contains(&start) && l.contains(&end));
            assert!(shown, "{name} = {value} in {dot}");
        }
    }

    #[test]
    fn f64_path_is_bit_identical_to_the_graph() {
        for net in [Net::Lecture, Net::TwoNode, Net::Chain(5)] {
            let point = Point {
                weights: (0..net.n_weights()).map(|i| 0.3 + i as f64).collect(),
                s0: -1.7,
                target: 0.4,
            };
            let g = Graph::new();
            let built = net.build(&g, &point).unwrap();
            assert_eq!(
                net.output(&point.weights, point.s0).unwrap(),
                built.out.value()
            );
            let c = net.cost(&point.weights, point.s0, point.target).unwrap();
            assert_eq!(c, built.cost.value());
        }
    }

    #[test]
    fn chain_of_two_is_the_lecture_net() {
        let w = [0.7, -1.2, 3.0];
        let (a, b) = (Net::Lecture.output(&w, 0.9), Net::Chain(2).output(&w, 0.9));
        assert_eq!(a.unwrap(), b.unwrap());
    }

    #[test]
    fn two_node_output_is_s2() {
        // out = S(w1 S(w0 s0))
        let out = Net::TwoNode.output(&[2.0, 1.0], 2.0).unwrap();
        let s = |x: f64| 1.0 / (1.0 + (-x).exp());
        assert!((out - s(s(4.0))).abs() < 1e-15);
        assert_eq!(Net::TwoNode.default_init(), vec![0.5, 0.5]);
    }

    #[test]
    fn wrong_weight_count_is_an_error_naming_the_net() {
        let err = Net::Lecture.output(&[1.0, 2.0], 0.0).unwrap_err();
        assert_eq!(err.to_string(), "net lecture takes 3 weights, got 2");
    }

    #[test]
    fn net_names_round_trip() {
        for net in [Net::Lecture, Net::TwoNode, Net::Chain(7)] {
            assert_eq!(net.to_string().parse::<Net>().unwrap(), net);
        }
        assert!("chain:0".parse::<Net>().is_err());
        assert!("chain:x".parse::<Net>().is_err());
        assert!("mlp".parse::<Net>().is_err());
    }
}
