//! [`Code`]: an [`Op`] in one byte, as the graph records it, with the number of a payload
//! op (`x · c`, `x^p`, …) stored apart.
//!
//! An `Op` is 16 bytes (a tag and an `f64`); most ops carry no number, and a recording
//! that stores 16 bytes per node writes several times the memory it needs. The graph
//! stores one byte per node and a number only for the ops that have one.

use crate::Op;

/// An [`Op`] in one byte: the ops without a number first, then the unary ops that carry
/// one. The arity is one load from a table made from [`Op::arity`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Code(u8);

/// The ops without a number, in code order.
const PLAIN: [Op; 24] = [
    // leaves: 0, 1
    Op::Input,
    Op::Const,
    // binary: 2 ..= 8
    Op::Add,
    Op::Sub,
    Op::Mul,
    Op::Div,
    Op::Pow,
    Op::Max,
    Op::Min,
    // unary: 9 ..= 23
    Op::Neg,
    Op::Square,
    Op::Sqrt,
    Op::Recip,
    Op::Exp,
    Op::Ln,
    Op::ExpM1,
    Op::Ln1p,
    Op::Sigmoid,
    Op::Tanh,
    Op::Relu,
    Op::Softplus,
    Op::Sin,
    Op::Cos,
    Op::Abs,
];

/// The ops with a number, in code order from [`FIRST_NUMBERED`], made from their number.
const NUMBERED: [fn(f64) -> Op; 7] = [
    Op::AddScalar,
    Op::MulScalar,
    Op::DivScalar,
    Op::ScalarSub,
    Op::ScalarDiv,
    Op::PowF,
    // an `i32` exponent is stored as the `f64` that holds it exactly
    |n| Op::PowI(n as i32),
];

const FIRST_NUMBERED: u8 = PLAIN.len() as u8;

/// The arity of each code, from [`Op::arity`] (and 1 for every byte past the plain ops:
/// the numbered ops are unary, and bytes that are no code need no bounds check).
const ARITY: [u8; 256] = {
    let mut arity = [1; 256];
    let mut code = 0;
    while code < PLAIN.len() {
        arity[code] = PLAIN[code].arity() as u8;
        code += 1;
    }
    arity
};

impl Code {
    /// The code of [`Op::Const`].
    pub(crate) const CONST: Code = Code(1);

    /// Number of operands, as [`Op::arity`] (one load from a table of every byte).
    #[inline(always)]
    pub(crate) fn arity(self) -> usize {
        usize::from(ARITY[usize::from(self.0)])
    }

    /// Whether the op carries a number (stored apart from the code).
    #[inline(always)]
    pub(crate) fn has_number(self) -> bool {
        self.0 >= FIRST_NUMBERED
    }

    /// The op, given its number (ignored by ops without one).
    #[inline]
    pub(crate) fn decode(self, number: f64) -> Op {
        match PLAIN.get(usize::from(self.0)) {
            Some(&op) => op,
            None => NUMBERED[usize::from(self.0 - FIRST_NUMBERED)](number),
        }
    }
}

impl Op {
    /// This op as a code and, for a payload op, its number.
    #[inline(always)]
    pub(crate) fn encode(self) -> (Code, Option<f64>) {
        let (code, number) = match self {
            Op::Input => (0, None),
            Op::Const => (1, None),
            Op::Add => (2, None),
            Op::Sub => (3, None),
            Op::Mul => (4, None),
            Op::Div => (5, None),
            Op::Pow => (6, None),
            Op::Max => (7, None),
            Op::Min => (8, None),
            Op::Neg => (9, None),
            Op::Square => (10, None),
            Op::Sqrt => (11, None),
            Op::Recip => (12, None),
            Op::Exp => (13, None),
            Op::Ln => (14, None),
            Op::ExpM1 => (15, None),
            Op::Ln1p => (16, None),
            Op::Sigmoid => (17, None),
            Op::Tanh => (18, None),
            Op::Relu => (19, None),
            Op::Softplus => (20, None),
            Op::Sin => (21, None),
            Op::Cos => (22, None),
            Op::Abs => (23, None),
            Op::AddScalar(c) => (24, Some(c)),
            Op::MulScalar(c) => (25, Some(c)),
            Op::DivScalar(c) => (26, Some(c)),
            Op::ScalarSub(c) => (27, Some(c)),
            Op::ScalarDiv(c) => (28, Some(c)),
            Op::PowF(p) => (29, Some(p)),
            Op::PowI(n) => (30, Some(f64::from(n))),
        };
        (Code(code), number)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every op once: the plain ones, and the numbered ones with a number of their own.
    fn every_op() -> Vec<Op> {
        let numbers = [-2.5, 0.5, 3.0, -1.0, 7.25, 1.5, -3.0];
        PLAIN
            .iter()
            .copied()
            .chain(NUMBERED.iter().zip(numbers).map(|(make, n)| make(n)))
            .collect()
    }

    #[test]
    fn every_code_decodes_to_an_op_that_encodes_back_to_it() {
        // codes ↔ ops one to one: no op is listed twice, none is skipped
        assert_eq!(usize::from(FIRST_NUMBERED) + NUMBERED.len(), 31);
        for code in 0..FIRST_NUMBERED + NUMBERED.len() as u8 {
            let op = Code(code).decode(4.0);
            assert_eq!(op.encode().0, Code(code), "{op:?}");
        }
    }

    #[test]
    fn every_op_survives_encoding_with_its_number_and_arity() {
        for op in every_op() {
            let (code, number) = op.encode();
            assert_eq!(code.decode(number.unwrap_or(f64::NAN)), op);
            assert_eq!(code.has_number(), number.is_some(), "{op:?}");
            assert_eq!(code.arity(), op.arity(), "{op:?}");
            assert_eq!(code == Code::CONST, op == Op::Const, "{op:?}");
        }
        // the integer exponent round-trips through its f64 exactly, at the extremes too
        for n in [i32::MIN, -1, 0, 1, i32::MAX] {
            let (code, number) = Op::PowI(n).encode();
            assert_eq!(code.decode(number.expect("powi has a number")), Op::PowI(n));
        }
    }
}
