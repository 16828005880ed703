//! [`Code`]: an [`Op`] in one byte, as the record stores it, with the number of a payload
//! op (`x · c`, `x^p`, …) stored apart.
//!
//! An `Op` is 16 bytes (a tag and an `f64`) and most ops carry no number: one byte per
//! node and a number only where there is one keeps a recording's memory traffic small.
//! The codes are made from the op registration in `op.rs` (`with_every_op!`).

use crate::op::{with_every_op, Number};
use crate::Op;

/// An [`Op`] in one byte: the ops without a number first, then those that carry one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Code(u8);

macro_rules! codes {
    ($($plain:ident),*; $($numbered:ident),*) => {
        /// Code numbers, in registration order.
        #[repr(u8)]
        #[allow(dead_code)]
        enum Number_ { $($plain,)* $($numbered,)* }

        /// The ops without a number, in code order.
        const PLAIN: &[Op] = &[$(Op::$plain),*];

        /// The ops with a number, in code order from [`FIRST_NUMBERED`], made from it.
        const NUMBERED: &[fn(f64) -> Op] = &[$(|c| Op::$numbered(Number::from_f64(c))),*];

        impl Op {
            /// This op as a code and, for an op with a number, its number.
            #[inline(always)]
            pub(crate) fn encode(self) -> (Code, Option<f64>) {
                match self {
                    $(Op::$plain => (Code(Number_::$plain as u8), None),)*
                    $(Op::$numbered(c) => (Code(Number_::$numbered as u8), Some(c.to_f64())),)*
                }
            }
        }
    };
}
with_every_op!(codes);

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

    /// Number of operands, as [`Op::arity`]: one load from a table of every byte.
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_decodes_to_an_op_that_encodes_back_to_it() {
        let codes = PLAIN.len() + NUMBERED.len();
        assert_eq!(codes, Op::all(0.0).count());
        for code in 0..codes as u8 {
            let op = Code(code).decode(4.0);
            assert_eq!(op.encode().0, Code(code), "{op:?}");
        }
    }

    #[test]
    fn every_op_survives_encoding_with_its_number_and_arity() {
        for number in [-2.5, 0.5, 3.0, -1.0, 7.25] {
            for op in Op::all(number) {
                let (code, number) = op.encode();
                assert_eq!(code.decode(number.unwrap_or(f64::NAN)), op);
                assert_eq!(code.has_number(), number.is_some(), "{op:?}");
                assert_eq!(code.arity(), op.arity(), "{op:?}");
                assert_eq!(code == Code::CONST, op == Op::Const, "{op:?}");
            }
        }
        // the integer exponent round-trips through its f64 exactly, at the extremes too
        for n in [i32::MIN, -1, 0, 1, i32::MAX] {
            let (code, number) = Op::PowI(n).encode();
            assert_eq!(code.decode(number.expect("powi has a number")), Op::PowI(n));
        }
    }
}
