//! [`Scalar`]: write a computation once, run it on graph nodes or on plain numbers.

use std::ops::{Add, Div, Mul, Neg, Sub};

use crate::{Op, Var};

/// A number type a computation can be written over once: [`Var`] (each operation records
/// a node, to differentiate) or `f64` (each operation computes its value through
/// [`Op::eval`], no graph). Both run the same operations in the same order, so the values
/// agree bit for bit; use the `f64` run where only values are needed (data generation,
/// plots, predictions).
///
/// # Examples
/// ```
/// use autodiff::{Graph, Op, Scalar};
///
/// // y = S(w x + 1), written once
/// fn neuron<T: Scalar>(w: T, x: T) -> T {
///     (w * x + 1.0).unary(Op::Sigmoid).named("y")
/// }
///
/// let g = Graph::new();
/// let (w, x) = (g.var(0.5), g.var(2.0));
/// let y = neuron(w, x);
/// assert_eq!(y.value(), neuron(0.5, 2.0)); // the same bits
/// assert_eq!(y.name().as_deref(), Some("y"));
/// # let _ = y.backward();
/// ```
pub trait Scalar:
    Copy
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
    + Neg<Output = Self>
    + Add<f64, Output = Self>
    + Sub<f64, Output = Self>
    + Mul<f64, Output = Self>
    + Div<f64, Output = Self>
{
    /// Applies the one-operand op `op` (`Op::Sigmoid`, `Op::Square`, `Op::PowI(3)`, …).
    ///
    /// # Panics
    /// If `op` does not take exactly one operand.
    fn unary(self, op: Op) -> Self;

    /// Applies the two-operand op `op` (`Op::Max`, `Op::Pow`, …) to `self` (slot 0) and
    /// `other` (slot 1).
    ///
    /// # Panics
    /// If `op` does not take exactly two operands, or (on a [`Var`]) if `other` belongs to
    /// another graph.
    fn binary(self, op: Op, other: Self) -> Self;

    /// Names the node (on a [`Var`]); leaves an `f64` as it is.
    fn named(self, name: &str) -> Self;

    /// Names the node with the name `name()` builds (on a [`Var`]); an `f64` never calls
    /// `name`, so generic code can name its nodes with `format!` at no cost on `f64`.
    fn named_with(self, name: impl FnOnce() -> String) -> Self {
        self.named(&name())
    }

    /// `S(x) = 1 / (1 + e⁻ˣ)` ([`Op::Sigmoid`]).
    fn sigmoid(self) -> Self {
        self.unary(Op::Sigmoid)
    }

    /// `tanh x` ([`Op::Tanh`]).
    fn tanh(self) -> Self {
        self.unary(Op::Tanh)
    }

    /// `max(x, 0)` ([`Op::Relu`]).
    fn relu(self) -> Self {
        self.unary(Op::Relu)
    }

    /// `ln(1 + eˣ)` ([`Op::Softplus`]).
    fn softplus(self) -> Self {
        self.unary(Op::Softplus)
    }

    /// `eˣ` ([`Op::Exp`]).
    fn exp(self) -> Self {
        self.unary(Op::Exp)
    }

    /// `ln x` ([`Op::Ln`]).
    #[doc(alias = "log")]
    fn ln(self) -> Self {
        self.unary(Op::Ln)
    }

    /// `√x` ([`Op::Sqrt`]).
    fn sqrt(self) -> Self {
        self.unary(Op::Sqrt)
    }

    /// `x²` ([`Op::Square`]).
    fn square(self) -> Self {
        self.unary(Op::Square)
    }

    /// `|x|` ([`Op::Abs`]).
    fn abs(self) -> Self {
        self.unary(Op::Abs)
    }

    /// `sin x` ([`Op::Sin`]).
    fn sin(self) -> Self {
        self.unary(Op::Sin)
    }

    /// `cos x` ([`Op::Cos`]).
    fn cos(self) -> Self {
        self.unary(Op::Cos)
    }

    /// `xⁿ` ([`Op::PowI`]).
    fn powi(self, n: i32) -> Self {
        self.unary(Op::PowI(n))
    }

    /// `xᵖ` ([`Op::PowF`]).
    fn powf(self, p: f64) -> Self {
        self.unary(Op::PowF(p))
    }
}

impl Scalar for f64 {
    #[track_caller]
    fn unary(self, op: Op) -> f64 {
        assert_arity(op, 1, "unary");
        op.eval(self, 0.0).0
    }

    #[track_caller]
    fn binary(self, op: Op, other: f64) -> f64 {
        assert_arity(op, 2, "binary");
        op.eval(self, other).0
    }

    fn named(self, _name: &str) -> f64 {
        self
    }

    fn named_with(self, _name: impl FnOnce() -> String) -> f64 {
        self
    }
}

impl Scalar for Var<'_> {
    #[track_caller]
    fn unary(self, op: Op) -> Self {
        assert_arity(op, 1, "unary");
        Var::unary(self, op)
    }

    #[track_caller]
    fn binary(self, op: Op, other: Self) -> Self {
        assert_arity(op, 2, "binary");
        Var::binary(self, op, other)
    }

    fn named(self, name: &str) -> Self {
        Var::named(self, name)
    }
}

#[track_caller]
fn assert_arity(op: Op, arity: usize, method: &str) {
    let kind = if arity == 1 { "one" } else { "two" };
    assert!(
        op.arity() == arity,
        "autodiff: Scalar::{method} takes a {kind}-operand op, not {op}"
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Graph;

    /// Every operator and a few unary ops, in one expression.
    fn mix<T: Scalar>(a: T, b: T) -> T {
        let c = (a * b - 3.0) / (b + 1.5) + -a * 2.0 - a / b;
        (c.unary(Op::Tanh) + c.unary(Op::Square)).unary(Op::Sqrt) - 0.25
    }

    /// The same through the named math methods, in generic code.
    fn mix_by_name<T: Scalar>(a: T, b: T) -> T {
        let c = (a * b - 3.0) / (b + 1.5) + -a * 2.0 - a / b;
        (Scalar::tanh(c) + Scalar::square(c)).sqrt() - 0.25
    }

    #[test]
    fn named_math_methods_are_the_ops_in_generic_code() {
        for (a, b) in [(0.3, 1.7), (-2.5, 0.01)] {
            assert_eq!(mix_by_name(a, b).to_bits(), mix(a, b).to_bits());
            let g = Graph::new();
            let y = mix_by_name(g.var(a), g.var(b));
            assert_eq!(y.value().to_bits(), mix(a, b).to_bits());
        }
    }

    #[test]
    fn var_and_f64_runs_give_the_same_bits() {
        for (a, b) in [(0.3, 1.7), (-2.5, 0.01), (12.0, -0.6)] {
            let g = Graph::new();
            let y = mix(g.var(a), g.var(b));
            assert_eq!(y.value().to_bits(), mix(a, b).to_bits(), "at ({a}, {b})");
        }
    }

    #[test]
    #[should_panic(expected = "Scalar::unary takes a one-operand op, not mul")]
    fn a_binary_op_is_refused_by_unary() {
        let _ = 2.0_f64.unary(Op::Mul);
    }

    #[test]
    #[should_panic(expected = "Scalar::binary takes a two-operand op, not sin")]
    fn a_unary_op_is_refused_by_binary() {
        let g = Graph::new();
        let _ = Scalar::binary(g.var(1.0), Op::Sin, g.var(2.0));
    }

    #[test]
    fn every_op_gives_the_same_bits_on_var_and_f64() {
        let (a, b) = (0.7, -1.3);
        for op in Op::all(1.5).filter(|op| !op.is_leaf()) {
            let g = Graph::new();
            let (x, y) = (g.var(a), g.var(b));
            let (on_graph, plain) = if op.arity() == 1 {
                (x.unary(op), a.unary(op))
            } else {
                (x.binary(op, y), a.binary(op, b))
            };
            assert_eq!(on_graph.op(), op);
            assert_eq!(on_graph.value().to_bits(), plain.to_bits(), "{op}");
        }
    }
}
