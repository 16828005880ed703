//! Every operation of the engine: its value and its local partial derivatives, side by side.
//!
//! This is the only place that knows what an operation computes. Recording
//! ([`Graph`](crate::Graph)), the compiled tape and the batch lanes all compute with these
//! formulas; the one thing they may change is where `eˣ`, the sigmoid and softplus get
//! their exponential (a faster `exp` with the same bits, see [`Op::given_exp`]).
//!
//! Conventions at points where an op is not differentiable (chosen once, followed
//! everywhere, pinned by tests):
//!
//! | op | point | value | partial(s) |
//! |---|---|---|---|
//! | `relu` | `x = 0` | `0` | `0` |
//! | `abs` | `x = 0` | `0` | `0` |
//! | `max`, `min` | `a == b` | `a` | `0.5`, `0.5` |
//! | `powf(p)`, `powi(n)` | `p = 0`, `n = 0` | `1` | `0` (never `0 · ∞`) |
//! | `pow(a, b)` | `a^b = 0` | `0` | `∂/∂b = 0` (the limit of `a^b ln a`) |
//! | `lt`, `le` | everywhere | `1` or `0` | `0`, `0` (a step: its derivative is 0 off the step) |
//! | `if`, `else` | the branch not taken | `−0` | `0`, `0` (masked: see [`Op::IfTrue`]) |
//!
//! A NaN operand gives a NaN value and NaN partials: NaN is propagated, never hidden. (An
//! unselected branch is not an operand that matters: `if`/`else` mask it, NaN included.)

use std::fmt;

/// The kind of a node: a leaf, or the operation that computed it from its operands.
///
/// Binary ops read operand slot 0 (`a`) and slot 1 (`b`); unary ops read slot 0 (`x`).
/// Ops with an `f64` payload combine one operand with a number (`x + c`, `c / x`, …), so
/// `a * 2.0` appends one node, not two.
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub enum Op {
    /// A differentiable leaf ([`Graph::var`](crate::Graph::var)).
    Input,
    /// A constant leaf ([`Graph::constant`](crate::Graph::constant)): no gradient flows into it.
    Const,
    /// `a + b`
    Add,
    /// `a - b`
    Sub,
    /// `a · b`
    Mul,
    /// `a / b`
    Div,
    /// `a^b`
    Pow,
    /// `max(a, b)`
    Max,
    /// `min(a, b)`
    Min,
    /// `-x`
    Neg,
    /// `x + c`
    AddScalar(f64),
    /// `x · c`
    MulScalar(f64),
    /// `x / c`
    DivScalar(f64),
    /// `c - x`
    ScalarSub(f64),
    /// `c / x`
    ScalarDiv(f64),
    /// `x^p` for a real exponent `p`
    PowF(f64),
    /// `x^n` for an integer exponent `n`
    PowI(i32),
    /// `x²`
    Square,
    /// `√x`
    Sqrt,
    /// `1 / x`
    Recip,
    /// `eˣ`
    Exp,
    /// `ln x`
    Ln,
    /// `eˣ - 1`, accurate near 0
    ExpM1,
    /// `ln(1 + x)`, accurate near 0
    Ln1p,
    /// `S(x) = 1 / (1 + e⁻ˣ)`
    Sigmoid,
    /// `tanh x`
    Tanh,
    /// `max(x, 0)`
    Relu,
    /// `ln(1 + eˣ)`
    Softplus,
    /// `sin x`
    Sin,
    /// `cos x`
    Cos,
    /// `|x|`
    Abs,
    /// `a < b` as a number: `1` if it holds, `0` if not, NaN if `a` or `b` is NaN. A
    /// condition for [`Op::IfTrue`] and [`Op::IfFalse`]; both partials are 0 (a step's
    /// derivative off the step). `a > b` is recorded as `b < a`.
    Less,
    /// `a ≤ b` as a number, as [`Op::Less`]. `a ≥ b` is recorded as `b ≤ a`.
    LessEq,
    /// `b` where the condition `a` holds (is non-zero), `−0` where it does not (`a = 0`);
    /// NaN where `a` is NaN. Partials: `[0, 1]` where `a` holds, `[0, 0]` where it does not,
    /// whatever `b` is (an infinite or NaN `b` included): the branch not taken is masked.
    ///
    /// A select is three binary ops, `if(c, t) + else(c, f)`, rather than one op with three
    /// operands: every node of the record has at most two, and the sum is exact (`x + (−0)`
    /// is `x`, bit for bit, for every `x`), so `select` is exactly one branch's value and
    /// one branch's adjoint (see [`Var::select`](crate::Var::select)).
    IfTrue,
    /// `b` where the condition `a` does not hold (`a = 0`), `−0` where it does; NaN where
    /// `a` is NaN. Partials as [`Op::IfTrue`], the other way round.
    IfFalse,
}

/// The registration of every op, once: the ops without a number, then those with one.
/// Adding an op is a variant above, its arms in [`Op::name`] and the op table
/// ([`Op::value_and_partials`]), and its name here; the one-byte codes of the record, the
/// batch lanes' specialised loops and [`Op::all`] are made from this list.
macro_rules! with_every_op {
    ($then:ident) => {
        $then! {
            Input, Const, Add, Sub, Mul, Div, Pow, Max, Min, Neg, Square, Sqrt, Recip, Exp, Ln,
            ExpM1, Ln1p, Sigmoid, Tanh, Relu, Softplus, Sin, Cos, Abs, Less, LessEq, IfTrue,
            IfFalse;
            AddScalar, MulScalar, DivScalar, ScalarSub, ScalarDiv, PowF, PowI
        }
    };
}
pub(crate) use with_every_op;

/// The number an op carries, as an `f64` (an integer exponent is held exactly).
pub(crate) trait Number: Copy {
    fn to_f64(self) -> f64;
    fn from_f64(x: f64) -> Self;
}

impl Number for f64 {
    fn to_f64(self) -> f64 {
        self
    }
    fn from_f64(x: f64) -> f64 {
        x
    }
}

impl Number for i32 {
    fn to_f64(self) -> f64 {
        f64::from(self)
    }
    /// Saturating: a number that is no `i32` becomes the nearest one.
    fn from_f64(x: f64) -> i32 {
        x as i32
    }
}

macro_rules! all_ops {
    ($($plain:ident),*; $($numbered:ident),*) => {
        impl Op {
            /// Every op of the engine once, leaves included; the ops that carry a number
            /// carry `number` (an integer exponent its integer part, saturated).
            ///
            /// # Examples
            /// ```
            /// use autodiff::Op;
            /// let ops: Vec<Op> = Op::all(2.0).collect();
            /// assert!(ops.contains(&Op::Sigmoid) && ops.contains(&Op::PowI(2)));
            /// assert_eq!(ops.iter().filter(|op| op.arity() == 2).count(), 11);
            /// ```
            pub fn all(number: f64) -> impl Iterator<Item = Op> + Clone {
                [$(Op::$plain,)* $(Op::$numbered(Number::from_f64(number)),)*].into_iter()
            }
        }
    };
}
with_every_op!(all_ops);

impl Op {
    /// Number of operands: 0 for leaves, 1 for unary ops, 2 for binary ops.
    pub const fn arity(self) -> usize {
        match self {
            Op::Input | Op::Const => 0,
            Op::Add
            | Op::Sub
            | Op::Mul
            | Op::Div
            | Op::Pow
            | Op::Max
            | Op::Min
            | Op::Less
            | Op::LessEq
            | Op::IfTrue
            | Op::IfFalse => 2,
            _ => 1,
        }
    }

    /// Whether this is a leaf (an input or a constant).
    pub fn is_leaf(self) -> bool {
        self.arity() == 0
    }

    /// The op's short name as written in error messages and DOT labels (`"mul"`, `"sigmoid"`).
    pub fn name(self) -> &'static str {
        match self {
            Op::Input => "input",
            Op::Const => "const",
            Op::Add | Op::AddScalar(_) => "add",
            Op::Sub | Op::ScalarSub(_) => "sub",
            Op::Mul | Op::MulScalar(_) => "mul",
            Op::Div | Op::DivScalar(_) | Op::ScalarDiv(_) => "div",
            Op::Pow => "pow",
            Op::Max => "max",
            Op::Min => "min",
            Op::Neg => "neg",
            Op::PowF(_) => "powf",
            Op::PowI(_) => "powi",
            Op::Square => "square",
            Op::Sqrt => "sqrt",
            Op::Recip => "recip",
            Op::Exp => "exp",
            Op::Ln => "ln",
            Op::ExpM1 => "exp_m1",
            Op::Ln1p => "ln_1p",
            Op::Sigmoid => "sigmoid",
            Op::Tanh => "tanh",
            Op::Relu => "relu",
            Op::Softplus => "softplus",
            Op::Sin => "sin",
            Op::Cos => "cos",
            Op::Abs => "abs",
            Op::Less => "lt",
            Op::LessEq => "le",
            Op::IfTrue => "if",
            Op::IfFalse => "else",
        }
    }

    /// The op's value and its local partials `[∂v/∂a, ∂v/∂b]` at operands `a` (slot 0) and
    /// `b` (slot 1).
    ///
    /// Unary ops ignore `b` and return `0` as the second partial. Leaves return `(a, [0, 0])`:
    /// their value is set, not computed. A NaN value always comes with NaN partials, so a NaN
    /// reaches the gradients too instead of being hidden behind a constant partial.
    ///
    /// # Examples
    /// ```
    /// use autodiff::Op;
    /// // v = a b: ∂v/∂a = b, ∂v/∂b = a
    /// assert_eq!(Op::Mul.eval(3.0, 4.0), (12.0, [4.0, 3.0]));
    /// // S(0) = 1/2, S'(0) = S(0) S(-0) = 1/4
    /// assert_eq!(Op::Sigmoid.eval(0.0, 0.0), (0.5, [0.25, 0.0]));
    /// ```
    #[inline]
    pub fn eval(self, a: f64, b: f64) -> (f64, [f64; 2]) {
        Self::nan_partials(self.value_and_partials(a, b))
    }

    /// NaN partials where the value is NaN (the last step of [`Op::eval`]).
    #[inline(always)]
    pub(crate) fn nan_partials((v, [da, db]): (f64, [f64; 2])) -> (f64, [f64; 2]) {
        let nan = v.is_nan();
        (v, [if nan { v } else { da }, if nan { v } else { db }])
    }

    /// [`Op::eval`] before a NaN value makes the partials NaN: where the value is not NaN,
    /// the same numbers. This is the op table.
    #[inline(always)]
    pub(crate) fn value_and_partials(self, a: f64, b: f64) -> (f64, [f64; 2]) {
        let unary = |v: f64, d: f64| (v, [d, 0.0]);
        match self {
            Op::Input | Op::Const => (a, [0.0, 0.0]),
            // v = a + b: ∂a = 1, ∂b = 1
            Op::Add => (a + b, [1.0, 1.0]),
            // v = a - b: ∂a = 1, ∂b = -1
            Op::Sub => (a - b, [1.0, -1.0]),
            // v = a b: ∂a = b, ∂b = a
            Op::Mul => (a * b, [b, a]),
            // v = a / b: ∂a = 1/b, ∂b = -a/b² = -v/b
            Op::Div => {
                let v = a / b;
                (v, [1.0 / b, -v / b])
            }
            // v = a^b: ∂a = b a^(b-1), ∂b = v ln a
            Op::Pow => {
                let v = a.powf(b);
                let da = if b == 0.0 { 0.0 } else { b * a.powf(b - 1.0) };
                let db = if v == 0.0 { 0.0 } else { v * a.ln() };
                (v, nan_if_any([da, db], a, b))
            }
            // v = max(a, b): the larger operand's partial is 1; ties split 1/2, 1/2
            Op::Max => select(a, b, a > b, a < b),
            Op::Min => select(a, b, a < b, a > b),
            Op::Neg => unary(-a, -1.0),
            Op::AddScalar(c) => unary(a + c, 1.0),
            Op::MulScalar(c) => unary(a * c, c),
            Op::DivScalar(c) => unary(a / c, 1.0 / c),
            Op::ScalarSub(c) => unary(c - a, -1.0),
            // v = c / x: dv/dx = -c/x² = -v/x
            Op::ScalarDiv(c) => {
                let v = c / a;
                unary(v, -v / a)
            }
            // v = x^p: dv/dx = p x^(p-1); p = 0 gives 0 even at x = 0 (but NaN at x = NaN,
            // whose value NaN⁰ = 1 would otherwise hide it)
            Op::PowF(p) => {
                let d = if p == 0.0 && !a.is_nan() {
                    0.0
                } else {
                    p * a.powf(p - 1.0)
                };
                unary(a.powf(p), d)
            }
            // v = xⁿ: dv/dx = n x^(n-1), with n - 1 taken in f64 (no wrap-around at i32::MIN)
            Op::PowI(n) => {
                let d = if n == 0 && !a.is_nan() {
                    0.0
                } else {
                    f64::from(n) * powi_minus_one(a, n)
                };
                unary(a.powi(n), d)
            }
            // v = x²: dv/dx = 2x
            Op::Square => unary(a * a, 2.0 * a),
            // v = √x: dv/dx = 1 / (2v), +∞ at 0
            Op::Sqrt => {
                let v = a.sqrt();
                unary(v, 0.5 / v)
            }
            // v = 1/x: dv/dx = -1/x² = -v²
            Op::Recip => {
                let v = 1.0 / a;
                unary(v, -v * v)
            }
            // eˣ, S(x) and ln(1 + eˣ) each start from one exponential (see `given_exp`)
            Op::Exp | Op::Sigmoid | Op::Softplus => self.given_exp(a, self.exp_argument(a).exp()),
            // v = ln x: dv/dx = 1/x
            Op::Ln => unary(a.ln(), 1.0 / a),
            // v = eˣ - 1: dv/dx = eˣ
            Op::ExpM1 => unary(a.exp_m1(), a.exp()),
            // v = ln(1 + x): dv/dx = 1 / (1 + x)
            Op::Ln1p => unary(a.ln_1p(), 1.0 / (1.0 + a)),
            // v = tanh x: dv/dx = 1 - tanh² x = 1 / cosh² x (exact in the tails, 0 past ±355)
            Op::Tanh => {
                let c = a.cosh();
                unary(a.tanh(), 1.0 / (c * c))
            }
            // v = max(x, 0): dv/dx = 1 for x > 0, 0 for x ≤ 0
            Op::Relu => {
                if a > 0.0 {
                    unary(a, 1.0)
                } else if a <= 0.0 {
                    unary(0.0, 0.0)
                } else {
                    unary(a, a)
                }
            }
            // v = sin x: dv/dx = cos x
            Op::Sin => unary(a.sin(), a.cos()),
            // v = cos x: dv/dx = -sin x
            Op::Cos => unary(a.cos(), -a.sin()),
            // v = |x|: dv/dx = sign x, 0 at x = 0
            Op::Abs => {
                let d = if a > 0.0 {
                    1.0
                } else if a < 0.0 {
                    -1.0
                } else {
                    0.0
                };
                unary(a.abs(), d)
            }
            // a step: 1 or 0, flat on both sides
            Op::Less => compare(a, b, a < b),
            Op::LessEq => compare(a, b, a <= b),
            // b where a holds, masked (−0, no adjoint) where it does not
            Op::IfTrue => pick(a, b, a != 0.0),
            Op::IfFalse => pick(a, b, a == 0.0),
        }
    }

    /// The argument of the exponential that `eˣ`, the sigmoid and softplus start from: `x`
    /// for `eˣ`, `−|x|` for the other two (whose exponential then never overflows).
    #[inline(always)]
    pub(crate) fn exp_argument(self, a: f64) -> f64 {
        if matches!(self, Op::Exp) {
            a
        } else {
            -a.abs()
        }
    }

    /// The value and partials of `eˣ`, the sigmoid or softplus at `a`, given `e`, the
    /// exponential of [`Op::exp_argument`]. Split from the op table so that batch lanes can
    /// take the exponentials of many lanes at once and finish each lane here.
    #[inline(always)]
    pub(crate) fn given_exp(self, a: f64, e: f64) -> (f64, [f64; 2]) {
        let unary = |v: f64, d: f64| (v, [d, 0.0]);
        match self {
            // v = eˣ: dv/dx = v
            Op::Exp => unary(e, e),
            // v = S(x): dv/dx = S(x) S(-x), which keeps its precision in both tails
            Op::Sigmoid => {
                let (s, s_neg) = sigmoid_pair(a, e);
                unary(s, s * s_neg)
            }
            // v = ln(1 + eˣ), computed without overflow (e = e^-|x|): dv/dx = S(x)
            Op::Softplus => {
                let v = if a > 0.0 { a + e.ln_1p() } else { e.ln_1p() };
                unary(v, sigmoid_pair(a, e).0)
            }
            _ => unreachable!("autodiff internal error: {self:?} does not start from eˣ"),
        }
    }
}

/// `(S(x), S(-x))` without overflow, given `e = e^-|x|` (which never exceeds 1).
#[inline(always)]
fn sigmoid_pair(x: f64, e: f64) -> (f64, f64) {
    let big = 1.0 / (1.0 + e);
    let small = e * big;
    if x >= 0.0 {
        (big, small)
    } else if x < 0.0 {
        (small, big)
    } else {
        (x, x)
    }
}

/// The partials of `max` (`first` = a wins) or `min` (`first` = a is smaller).
#[inline]
fn select(a: f64, b: f64, first: bool, second: bool) -> (f64, [f64; 2]) {
    if first {
        (a, [1.0, 0.0])
    } else if second {
        (b, [0.0, 1.0])
    } else if a == b {
        (a, [0.5, 0.5])
    } else {
        (f64::NAN, [f64::NAN, f64::NAN])
    }
}

/// The value of a comparison that `holds` or not: NaN if an operand is NaN.
#[inline]
fn compare(a: f64, b: f64, holds: bool) -> (f64, [f64; 2]) {
    if a.is_nan() || b.is_nan() {
        (f64::NAN, [f64::NAN, f64::NAN])
    } else {
        (if holds { 1.0 } else { 0.0 }, [0.0, 0.0])
    }
}

/// `b` if `take` (which the condition `c` decides), else `−0` with no partial into `b`;
/// NaN if `c` is NaN.
#[inline]
fn pick(c: f64, b: f64, take: bool) -> (f64, [f64; 2]) {
    if c.is_nan() {
        (f64::NAN, [f64::NAN, f64::NAN])
    } else if take {
        (b, [0.0, 1.0])
    } else {
        (-0.0, [0.0, 0.0])
    }
}

/// `a^(n-1)` for `n ≠ 0`, with `n - 1` computed without wrap-around: `a^n / a` would
/// lose the value at `a = 0`, so an exponent of `i32::MIN` takes `a^(n-1)` as a real power.
#[inline]
fn powi_minus_one(a: f64, n: i32) -> f64 {
    match n.checked_sub(1) {
        Some(m) => a.powi(m),
        None => a.powf(f64::from(n) - 1.0),
    }
}

/// `d`, or NaN partials when an operand is NaN (`1^NaN = 1`, yet its partials must be NaN).
#[inline]
fn nan_if_any(d: [f64; 2], a: f64, b: f64) -> [f64; 2] {
    if a.is_nan() || b.is_nan() {
        [f64::NAN, f64::NAN]
    } else {
        d
    }
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Op::AddScalar(c) => write!(f, "+ {c}"),
            Op::MulScalar(c) => write!(f, "* {c}"),
            Op::DivScalar(c) => write!(f, "/ {c}"),
            Op::ScalarSub(c) => write!(f, "{c} -"),
            Op::ScalarDiv(c) => write!(f, "{c} /"),
            Op::PowF(p) => write!(f, "powf {p}"),
            Op::PowI(n) => write!(f, "powi {n}"),
            op => f.write_str(op.name()),
        }
    }
}
