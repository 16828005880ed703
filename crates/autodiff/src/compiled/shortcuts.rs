//! What the lanes need not store: partials that are a constant, an operand's value or the
//! op's own value, and the ops that start from one exponential. Read from the op table's
//! formulas in `op.rs`; an op not listed here is computed in full, so a new op needs no
//! entry.

use crate::Op;

/// Where a local partial of [`Op::eval`] can be had without storing it, when the op's
/// value is not NaN (a NaN value makes every partial NaN).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Partial {
    /// The same number at every operand (read it from [`Op::eval`] at any non-NaN point).
    Constant,
    /// The value of operand 0 or 1.
    Operand(usize),
    /// The op's own value.
    Value,
    /// Anything else: computed by [`Op::eval`].
    Computed,
}

/// Where each of `op`'s local partials can be had (see [`Partial`]); the numbers still
/// come from [`Op::eval`]. Saves storing one row of partials per op that has them.
pub(crate) fn partial_sources(op: Op) -> [Partial; 2] {
    use Partial::{Computed, Constant, Operand, Value};
    match op {
        // ∂(a ± b) = ±1
        Op::Add | Op::Sub => [Constant, Constant],
        // ∂(ab)/∂a = b, ∂(ab)/∂b = a
        Op::Mul => [Operand(1), Operand(0)],
        // x + c, x·c, x/c, c − x, −x: 1, c, 1/c, −1, −1
        Op::AddScalar(_) | Op::MulScalar(_) | Op::DivScalar(_) | Op::ScalarSub(_) | Op::Neg => {
            [Constant, Computed]
        }
        // deˣ/dx = eˣ
        Op::Exp => [Value, Computed],
        _ => [Computed, Computed],
    }
}

/// Whether `op` starts from one exponential (`eˣ`, the sigmoid, softplus; see
/// [`Op::given_exp`]): the lanes then take those exponentials four at a time.
#[inline(always)]
pub(crate) const fn has_exp(op: Op) -> bool {
    matches!(op, Op::Exp | Op::Sigmoid | Op::Softplus)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every op: a partial the lanes do not store is exactly the one `Op::eval` gives.
    #[test]
    fn partial_sources_agree_with_eval() {
        let constant = |op: Op, i: usize| op.eval(1.0, 1.0).1[i];
        for op in Op::all(-2.5) {
            for (a, b) in [(0.3, -1.7), (-4.0, 2.0), (1e300, 1e-300), (0.0, -0.0)] {
                let (v, d) = op.eval(a, b);
                if v.is_nan() {
                    continue;
                }
                for (i, source) in partial_sources(op)[..op.arity()].iter().enumerate() {
                    let expected = match source {
                        Partial::Constant => constant(op, i),
                        Partial::Operand(0) => a,
                        Partial::Operand(_) => b,
                        Partial::Value => v,
                        Partial::Computed => d[i],
                    };
                    assert_eq!(d[i].to_bits(), expected.to_bits(), "{op} at ({a}, {b})");
                }
            }
        }
    }

    /// The ops that start from an exponential give `Op::eval`'s numbers from it.
    #[test]
    fn ops_given_their_exponential_agree_with_eval() {
        for op in Op::all(0.5).filter(|&op| has_exp(op)) {
            for a in [-800.0, -3.5, -0.0, 0.0, 1e-20, 2.25, 700.0, f64::NAN] {
                let e = op.exp_argument(a).exp();
                let (v, d) = Op::nan_partials(op.given_exp(a, e));
                let (w, g) = op.eval(a, 0.0);
                assert_eq!(v.to_bits(), w.to_bits(), "{op} at {a}");
                assert_eq!(d.map(f64::to_bits), g.map(f64::to_bits), "{op} at {a}");
            }
        }
    }
}
