//! Activation functions, as graph ops on [`Var`]s and as plain `f64` maps (both through the
//! engine's [`Op`], so the two can never disagree).

use std::fmt;
use std::str::FromStr;

use autodiff::{Op, Scalar, Var};

use crate::{Error, Result};

/// A neuron's activation `φ`, applied to its pre-activation `z = b + Σ wᵢxᵢ`.
///
/// | name | `φ(z)` | `φ'(z)` |
/// |---|---|---|
/// | `sigmoid` | `1 / (1 + e⁻ᶻ)` | `φ(z)(1 − φ(z))` |
/// | `tanh` | `tanh z` | `1 − tanh² z` |
/// | `relu` | `max(z, 0)` | `1` if `z > 0`, else `0` |
/// | `linear` | `z` | `1` |
///
/// # Examples
/// ```
/// use nn::Activation;
///
/// let g = autodiff::Graph::new();
/// let z = g.var(0.0);
/// let a = Activation::Sigmoid.apply(z);
/// assert_eq!((a.value(), a.backward().wrt(z)), (0.5, 0.25)); // S(0) = ½, S'(0) = ¼
/// assert_eq!(Activation::Relu.eval(-2.0), 0.0);
/// assert_eq!("tanh".parse::<Activation>()?, Activation::Tanh);
/// # Ok::<(), nn::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Activation {
    /// The logistic function.
    Sigmoid,
    /// The hyperbolic tangent.
    Tanh,
    /// The rectified linear unit.
    Relu,
    /// The identity (for output layers that produce scores or regression values).
    Linear,
}

impl Activation {
    /// Every activation, in the order of the table above.
    pub const ALL: [Activation; 4] = [
        Activation::Sigmoid,
        Activation::Tanh,
        Activation::Relu,
        Activation::Linear,
    ];

    /// `φ(z)` as a graph node (no node at all for `linear`).
    #[must_use]
    pub fn apply(self, z: Var<'_>) -> Var<'_> {
        self.activate(z)
    }

    /// `φ(z)` on a plain number, computed by the same [`Op`] as [`Activation::apply`].
    pub fn eval(self, z: f64) -> f64 {
        self.activate(z)
    }

    /// `φ(z)` on a graph node or a plain number ([`Scalar`]): the op of
    /// [`Activation::op`], or `z` itself for `linear`.
    pub fn activate<T: Scalar>(self, z: T) -> T {
        match self.op() {
            Some(op) => z.unary(op),
            None => z,
        }
    }

    /// The engine op this activation records (`None` for `linear`).
    pub fn op(self) -> Option<Op> {
        match self {
            Activation::Sigmoid => Some(Op::Sigmoid),
            Activation::Tanh => Some(Op::Tanh),
            Activation::Relu => Some(Op::Relu),
            Activation::Linear => None,
        }
    }

    /// The name used on the command line (`sigmoid`, `tanh`, `relu`, `linear`).
    pub fn name(self) -> &'static str {
        match self {
            Activation::Sigmoid => "sigmoid",
            Activation::Tanh => "tanh",
            Activation::Relu => "relu",
            Activation::Linear => "linear",
        }
    }
}

impl fmt::Display for Activation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Activation {
    type Err = Error;

    /// Parses a name of [`Activation::name`].
    ///
    /// # Errors
    /// [`Error::InvalidSetting`] for `activation`, listing the known names.
    fn from_str(s: &str) -> Result<Self> {
        Activation::ALL
            .into_iter()
            .find(|a| a.name() == s)
            .ok_or_else(|| {
                Error::invalid(
                    "activation",
                    format!("unknown activation '{s}' (expected sigmoid, tanh, relu or linear)"),
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;
    use autodiff::Graph;

    #[test]
    fn graph_and_plain_evaluation_agree_with_hand_values() {
        // (activation, z, φ(z), φ'(z)) computed by hand
        let t = 0.5_f64.tanh();
        let s = 1.0 / (1.0 + (-0.5_f64).exp());
        let cases = [
            (Activation::Sigmoid, 0.5, s, s * (1.0 - s)),
            (Activation::Tanh, 0.5, t, 1.0 - t * t),
            (Activation::Relu, 0.5, 0.5, 1.0),
            (Activation::Relu, -0.5, 0.0, 0.0),
            (Activation::Linear, -0.5, -0.5, 1.0),
        ];
        for (act, z, value, slope) in cases {
            let g = Graph::new();
            let x = g.var(z);
            let y = act.apply(x);
            assert_relative_eq!(y.value(), value, max_relative = 1e-15);
            assert_relative_eq!(act.eval(z), value, max_relative = 1e-15);
            assert_relative_eq!(y.backward().wrt(x), slope, max_relative = 1e-12);
        }
    }

    #[test]
    fn every_activation_passes_a_finite_difference_check() {
        for act in Activation::ALL {
            for z in [-1.3, 0.49, 0.99, 2.5] {
                let report = autodiff::gradcheck(|_g, v| act.apply(v[0]), &[z]);
                assert!(report.passed(), "{act} at {z}:\n{report}");
            }
        }
    }

    #[test]
    fn names_round_trip_and_unknown_names_name_the_setting() {
        for act in Activation::ALL {
            assert_eq!(act.name().parse::<Activation>(), Ok(act));
        }
        let e = "softmax".parse::<Activation>().unwrap_err();
        assert_eq!(e.setting(), Some("activation"));
        assert!(
            e.to_string().starts_with("unknown activation 'softmax'"),
            "{e}"
        );
    }
}
