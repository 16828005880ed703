//! Arithmetic on [`Var`]: the `std::ops` operators and the math methods. Each appends one
//! node through the graph; what the node computes lives in [`Op`].

use std::ops::{Add, AddAssign, Div, DivAssign, Mul, MulAssign, Neg, Sub, SubAssign};

use crate::{Op, Result, Var};

macro_rules! unary_methods {
    ($($(#[$doc:meta])* $name:ident => $op:expr;)*) => {
        impl<'g> Var<'g> {
            $(
                $(#[$doc])*
                #[inline]
#[track_caller]
                #[must_use]
                pub fn $name(self) -> Var<'g> {
                    self.unary($op)
                }
            )*
        }
    };
}

unary_methods! {
    /// `S(x) = 1 / (1 + e⁻ˣ)`, evaluated without overflow (`S(-1000) = 0`, `S(1000) = 1`);
    /// `S'(x) = S(x) S(-x)`, finite and never NaN for finite `x`.
    sigmoid => Op::Sigmoid;
    /// `tanh x`; `tanh' x = 1 / cosh² x` (0, not NaN, for large `|x|`).
    tanh => Op::Tanh;
    /// `max(x, 0)`; derivative 1 for `x > 0`, **0 for `x ≤ 0`** (so `relu'(0) = 0`).
    relu => Op::Relu;
    /// `eˣ`; derivative `eˣ`.
    exp => Op::Exp;
    /// `ln x`, the natural logarithm; derivative `1/x`. `ln 0 = -∞` (derivative `+∞`),
    /// `ln x` is NaN for `x < 0`.
    #[doc(alias = "log")]
    ln => Op::Ln;
    /// `√x`; derivative `1 / (2√x)`, which is `+∞` at 0.
    sqrt => Op::Sqrt;
    /// `sin x`; derivative `cos x`.
    sin => Op::Sin;
    /// `cos x`; derivative `-sin x`.
    cos => Op::Cos;
    /// `|x|`; derivative `sign x`, **0 at `x = 0`**.
    abs => Op::Abs;
    /// `1/x`; derivative `-1/x²`.
    recip => Op::Recip;
    /// `x²`; derivative `2x`.
    square => Op::Square;
    /// `ln(1 + eˣ)`, evaluated without overflow (`softplus(1000) = 1000`); derivative `S(x)`.
    softplus => Op::Softplus;
    /// `ln(1 + x)`, accurate for tiny `x`; derivative `1 / (1 + x)`.
    ln_1p => Op::Ln1p;
    /// `eˣ - 1`, accurate for tiny `x`; derivative `eˣ`.
    exp_m1 => Op::ExpM1;
}

macro_rules! binary_methods {
    ($($(#[$doc:meta])* $name:ident, $try_name:ident => $op:expr;)*) => {
        impl<'g> Var<'g> {
            $(
                $(#[$doc])*
                ///
                /// # Panics
                /// If `other` belongs to another graph (see the `try_` twin).
                #[inline]
#[track_caller]
                #[must_use]
                pub fn $name(self, other: Var<'g>) -> Var<'g> {
                    self.binary($op, other)
                }

                #[doc = concat!("[`Var::", stringify!($name), "`], returning [`Error::ForeignVar`](crate::Error::ForeignVar) instead of panicking.")]
                #[inline]
#[track_caller]
                pub fn $try_name(self, other: Var<'g>) -> Result<Var<'g>> {
                    self.try_binary($op, other)
                }
            )*
        }
    };
}

binary_methods! {
    /// `a^b`; `∂/∂a = b a^(b-1)`, `∂/∂b = a^b ln a` (0 where `a^b = 0`, the limit).
    pow, try_pow => Op::Pow;
    /// `max(a, b)`; the larger operand gets derivative 1, the other 0; **a tie gives ½ each**.
    max, try_max => Op::Max;
    /// `min(a, b)`; the smaller operand gets derivative 1, the other 0; **a tie gives ½ each**.
    min, try_min => Op::Min;
}

macro_rules! try_operators {
    ($($name:ident, $symbol:literal => $op:expr;)*) => {
        impl<'g> Var<'g> {
            $(
                #[doc = concat!("`a ", $symbol, " b` like the operator, returning [`Error::ForeignVar`](crate::Error::ForeignVar) instead of panicking.")]
                #[inline]
#[track_caller]
                pub fn $name(self, other: Var<'g>) -> Result<Var<'g>> {
                    self.try_binary($op, other)
                }
            )*
        }
    };
}

try_operators! {
    try_add, "+" => Op::Add;
    try_sub, "-" => Op::Sub;
    try_mul, "*" => Op::Mul;
    try_div, "/" => Op::Div;
}

impl<'g> Var<'g> {
    /// `x^p` for a real exponent; derivative `p x^(p-1)`. `powf(0.0)` has derivative 0
    /// everywhere (also at `x = 0`); `x^0.5` at 0 has derivative `+∞`.
    #[inline]
    #[track_caller]
    #[must_use]
    pub fn powf(self, p: f64) -> Var<'g> {
        self.unary(Op::PowF(p))
    }

    /// `x^n` for an integer exponent; derivative `n x^(n-1)` (0 for `n = 0`).
    #[inline]
    #[track_caller]
    #[must_use]
    pub fn powi(self, n: i32) -> Var<'g> {
        self.unary(Op::PowI(n))
    }

    #[inline(always)]
    #[track_caller]
    pub(crate) fn unary(self, op: Op) -> Var<'g> {
        Var::new(self.graph, self.graph.push(op, [self.index]))
    }

    #[inline(always)]
    #[track_caller]
    pub(crate) fn binary(self, op: Op, other: Var<'g>) -> Var<'g> {
        self.assert_same_graph(other);
        Var::new(self.graph, self.graph.push(op, [self.index, other.index]))
    }

    #[inline(always)]
    #[track_caller]
    fn try_binary(self, op: Op, other: Var<'g>) -> Result<Var<'g>> {
        self.same_graph(other)?;
        Ok(Var::new(
            self.graph,
            self.graph.push(op, [self.index, other.index]),
        ))
    }
}

macro_rules! operator {
    ($Trait:ident, $method:ident, $AssignTrait:ident, $assign:ident, $op:expr, $with_f64:expr, $f64_with:expr) => {
        impl<'g> $Trait for Var<'g> {
            type Output = Var<'g>;
            #[inline]
            #[track_caller]
            fn $method(self, rhs: Var<'g>) -> Var<'g> {
                self.binary($op, rhs)
            }
        }
        impl<'g> $Trait<f64> for Var<'g> {
            type Output = Var<'g>;
            #[inline]
            #[track_caller]
            fn $method(self, c: f64) -> Var<'g> {
                self.unary($with_f64(c))
            }
        }
        impl<'g> $Trait<Var<'g>> for f64 {
            type Output = Var<'g>;
            #[inline]
            #[track_caller]
            fn $method(self, x: Var<'g>) -> Var<'g> {
                x.unary($f64_with(self))
            }
        }
        impl<'g> $AssignTrait for Var<'g> {
            #[inline]
            #[track_caller]
            fn $assign(&mut self, rhs: Var<'g>) {
                *self = self.binary($op, rhs);
            }
        }
        impl $AssignTrait<f64> for Var<'_> {
            #[inline]
            #[track_caller]
            fn $assign(&mut self, c: f64) {
                *self = self.unary($with_f64(c));
            }
        }
    };
}

// x + c and c + x are the same IEEE operation; x - c is exactly x + (-c).
operator!(
    Add,
    add,
    AddAssign,
    add_assign,
    Op::Add,
    Op::AddScalar,
    Op::AddScalar
);
operator!(
    Sub,
    sub,
    SubAssign,
    sub_assign,
    Op::Sub,
    |c: f64| Op::AddScalar(-c),
    Op::ScalarSub
);
operator!(
    Mul,
    mul,
    MulAssign,
    mul_assign,
    Op::Mul,
    Op::MulScalar,
    Op::MulScalar
);
operator!(
    Div,
    div,
    DivAssign,
    div_assign,
    Op::Div,
    Op::DivScalar,
    Op::ScalarDiv
);

impl<'g> Neg for Var<'g> {
    type Output = Var<'g>;
    #[inline]
    #[track_caller]
    fn neg(self) -> Var<'g> {
        self.unary(Op::Neg)
    }
}

/// `xs.into_iter().sum()`: one addition node per term after the first.
///
/// # Panics
/// If the iterator is empty (there is no graph to record a zero on: start from
/// `g.constant(0.0)` and fold instead), or if the terms belong to different graphs.
///
/// # Examples
/// ```
/// let g = autodiff::Graph::new();
/// let xs = [g.var(1.0), g.var(2.0), g.var(3.0)];
/// let total: autodiff::Var = xs.iter().copied().sum();
/// assert_eq!(total.value(), 6.0);
/// assert_eq!(total.backward().wrt(xs[1]), 1.0);
/// ```
impl<'g> std::iter::Sum for Var<'g> {
    #[track_caller]
    fn sum<I: Iterator<Item = Var<'g>>>(iter: I) -> Var<'g> {
        iter.reduce(|a, b| a + b)
            .expect("autodiff: cannot sum an empty list of Vars (no graph to record on)")
    }
}

/// `xs.into_iter().product()`: one multiplication node per factor after the first.
///
/// # Panics
/// If the iterator is empty, or if the factors belong to different graphs.
///
/// # Examples
/// ```
/// let g = autodiff::Graph::new();
/// let xs = [g.var(2.0), g.var(3.0), g.var(4.0)];
/// let p: autodiff::Var = xs.iter().copied().product();
/// assert_eq!(p.value(), 24.0);
/// assert_eq!(p.backward().wrt(xs[0]), 12.0); // ∂(abc)/∂a = bc
/// ```
impl<'g> std::iter::Product for Var<'g> {
    #[track_caller]
    fn product<I: Iterator<Item = Var<'g>>>(iter: I) -> Var<'g> {
        iter.reduce(|a, b| a * b)
            .expect("autodiff: cannot multiply an empty list of Vars (no graph to record on)")
    }
}
