//! The primitive ops of the programs, each with three meanings: the engine's op, a plain
//! `f64` reference value, and hand-derived partials for the dual numbers.

use autodiff::{Op, Scalar, Var};

/// One primitive op of the engine, with its constant payload.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Prim {
    Add,
    Sub,
    Mul,
    Div,
    Pow,
    Max,
    Min,
    Neg,
    AddC(f64),
    MulC(f64),
    DivC(f64),
    CSub(f64),
    CDiv(f64),
    PowF(f64),
    PowI(i32),
    Square,
    Sqrt,
    Recip,
    Exp,
    Ln,
    ExpM1,
    Ln1p,
    Sigmoid,
    Tanh,
    Relu,
    Softplus,
    Sin,
    Cos,
    Abs,
    /// `a < b` as 1 or 0
    Lt,
    /// `a ≤ b` as 1 or 0
    Le,
    /// `b` where `a` holds, masked (−0) where not
    If,
    /// `b` where `a` does not hold, masked (−0) where it does
    Else,
}

/// `1 / (1 + e⁻ˣ)`, written per sign so neither branch overflows.
fn sigmoid(x: f64) -> f64 {
    if x >= 0.0 {
        1.0 / (1.0 + (-x).exp())
    } else {
        let e = x.exp();
        e / (1.0 + e)
    }
}

impl Prim {
    /// How many distinct kinds [`Prim::kind`] can return.
    pub const KINDS: usize = 33;

    /// The op's kind, without its payload.
    pub fn kind(self) -> &'static str {
        match self {
            Prim::Add => "add",
            Prim::Sub => "sub",
            Prim::Mul => "mul",
            Prim::Div => "div",
            Prim::Pow => "pow",
            Prim::Max => "max",
            Prim::Min => "min",
            Prim::Neg => "neg",
            Prim::AddC(_) => "x + c",
            Prim::MulC(_) => "x * c",
            Prim::DivC(_) => "x / c",
            Prim::CSub(_) => "c - x",
            Prim::CDiv(_) => "c / x",
            Prim::PowF(_) => "powf",
            Prim::PowI(_) => "powi",
            Prim::Square => "square",
            Prim::Sqrt => "sqrt",
            Prim::Recip => "recip",
            Prim::Exp => "exp",
            Prim::Ln => "ln",
            Prim::ExpM1 => "exp_m1",
            Prim::Ln1p => "ln_1p",
            Prim::Sigmoid => "sigmoid",
            Prim::Tanh => "tanh",
            Prim::Relu => "relu",
            Prim::Softplus => "softplus",
            Prim::Sin => "sin",
            Prim::Cos => "cos",
            Prim::Abs => "abs",
            Prim::Lt => "lt",
            Prim::Le => "le",
            Prim::If => "if",
            Prim::Else => "else",
        }
    }

    pub fn is_binary(self) -> bool {
        matches!(
            self,
            Prim::Add
                | Prim::Sub
                | Prim::Mul
                | Prim::Div
                | Prim::Pow
                | Prim::Max
                | Prim::Min
                | Prim::Lt
                | Prim::Le
                | Prim::If
                | Prim::Else
        )
    }

    /// The engine: records the op on `a` (and `b`).
    pub fn apply<'g>(self, a: Var<'g>, b: Var<'g>) -> Var<'g> {
        match self {
            Prim::Add => a + b,
            Prim::Sub => a - b,
            Prim::Mul => a * b,
            Prim::Div => a / b,
            Prim::Pow => a.pow(b),
            Prim::Max => a.max(b),
            Prim::Min => a.min(b),
            Prim::Neg => -a,
            Prim::AddC(c) => a + c,
            Prim::MulC(c) => a * c,
            Prim::DivC(c) => a / c,
            Prim::CSub(c) => c - a,
            Prim::CDiv(c) => c / a,
            Prim::PowF(p) => a.powf(p),
            Prim::PowI(n) => a.powi(n),
            Prim::Square => a.square(),
            Prim::Sqrt => a.sqrt(),
            Prim::Recip => a.recip(),
            Prim::Exp => a.exp(),
            Prim::Ln => a.ln(),
            Prim::ExpM1 => a.exp_m1(),
            Prim::Ln1p => a.ln_1p(),
            Prim::Sigmoid => a.sigmoid(),
            Prim::Tanh => a.tanh(),
            Prim::Relu => a.relu(),
            Prim::Softplus => a.softplus(),
            Prim::Sin => a.sin(),
            Prim::Cos => a.cos(),
            Prim::Abs => a.abs(),
            Prim::Lt => a.lt(b),
            Prim::Le => a.le(b),
            Prim::If => Scalar::binary(a, Op::IfTrue, b),
            Prim::Else => Scalar::binary(a, Op::IfFalse, b),
        }
    }

    /// The reference interpreter: the op's value in plain `f64`.
    pub fn value(self, a: f64, b: f64) -> f64 {
        match self {
            Prim::Add => a + b,
            Prim::Sub => a - b,
            Prim::Mul => a * b,
            Prim::Div => a / b,
            Prim::Pow => a.powf(b),
            Prim::Max => a.max(b),
            Prim::Min => a.min(b),
            Prim::Neg => -a,
            Prim::AddC(c) => a + c,
            Prim::MulC(c) => a * c,
            Prim::DivC(c) => a / c,
            Prim::CSub(c) => c - a,
            Prim::CDiv(c) => c / a,
            Prim::PowF(p) => a.powf(p),
            Prim::PowI(n) => a.powi(n),
            Prim::Square => a * a,
            Prim::Sqrt => a.sqrt(),
            Prim::Recip => 1.0 / a,
            Prim::Exp => a.exp(),
            Prim::Ln => a.ln(),
            Prim::ExpM1 => a.exp_m1(),
            Prim::Ln1p => a.ln_1p(),
            Prim::Sigmoid => sigmoid(a),
            Prim::Tanh => a.tanh(),
            Prim::Relu => a.max(0.0),
            // ln(1 + eˣ) = max(x, 0) + ln(1 + e^-|x|)
            Prim::Softplus => a.max(0.0) + (-a.abs()).exp().ln_1p(),
            Prim::Sin => a.sin(),
            Prim::Cos => a.cos(),
            Prim::Abs => a.abs(),
            Prim::Lt | Prim::Le if a.is_nan() || b.is_nan() => f64::NAN,
            Prim::Lt => f64::from(u8::from(a < b)),
            Prim::Le => f64::from(u8::from(a <= b)),
            Prim::If | Prim::Else if a.is_nan() => f64::NAN,
            Prim::If if a != 0.0 => b,
            Prim::Else if a == 0.0 => b,
            Prim::If | Prim::Else => -0.0,
        }
    }

    /// The dual numbers' derivative rules: `[∂/∂a, ∂/∂b]`, derived by hand. Kinks follow the
    /// engine's documented conventions (relu'(0) = |x|'(0) = 0, max/min ties ½, ½).
    pub fn partials(self, a: f64, b: f64) -> [f64; 2] {
        let split = |first: bool, second: bool| {
            if first {
                [1.0, 0.0]
            } else if second {
                [0.0, 1.0]
            } else {
                [0.5, 0.5]
            }
        };
        match self {
            Prim::Add => [1.0, 1.0],
            Prim::Sub => [1.0, -1.0],
            Prim::Mul => [b, a],
            Prim::Div => [1.0 / b, -a / (b * b)],
            Prim::Pow => [b * a.powf(b - 1.0), a.powf(b) * a.ln()],
            Prim::Max => split(a > b, a < b),
            Prim::Min => split(a < b, a > b),
            Prim::Neg => [-1.0, 0.0],
            Prim::AddC(_) => [1.0, 0.0],
            Prim::MulC(c) => [c, 0.0],
            Prim::DivC(c) => [1.0 / c, 0.0],
            Prim::CSub(_) => [-1.0, 0.0],
            Prim::CDiv(c) => [-c / (a * a), 0.0],
            Prim::PowF(p) => [p * a.powf(p - 1.0), 0.0],
            Prim::PowI(0) => [0.0, 0.0],
            Prim::PowI(n) => [f64::from(n) * a.powi(n - 1), 0.0],
            Prim::Square => [2.0 * a, 0.0],
            Prim::Sqrt => [0.5 / a.sqrt(), 0.0],
            Prim::Recip => [-1.0 / (a * a), 0.0],
            Prim::Exp => [a.exp(), 0.0],
            Prim::Ln => [1.0 / a, 0.0],
            Prim::ExpM1 => [a.exp(), 0.0],
            Prim::Ln1p => [1.0 / (1.0 + a), 0.0],
            // S' = S(x)(1 - S(x)) = S(x) S(-x), the second form exact in both tails
            Prim::Sigmoid => [sigmoid(a) * sigmoid(-a), 0.0],
            // tanh' = 1 - tanh² = 1/cosh², the second form exact in the tails
            Prim::Tanh => [1.0 / a.cosh().powi(2), 0.0],
            Prim::Relu => [if a > 0.0 { 1.0 } else { 0.0 }, 0.0],
            Prim::Softplus => [sigmoid(a), 0.0],
            Prim::Sin => [a.cos(), 0.0],
            Prim::Cos => [-a.sin(), 0.0],
            Prim::Abs => [
                if a > 0.0 {
                    1.0
                } else if a < 0.0 {
                    -1.0
                } else {
                    0.0
                },
                0.0,
            ],
            Prim::Lt | Prim::Le => [0.0, 0.0],
            // the branch not taken gets nothing, whatever its tangent
            Prim::If => [0.0, if a != 0.0 { 1.0 } else { 0.0 }],
            Prim::Else => [0.0, if a == 0.0 { 1.0 } else { 0.0 }],
        }
    }

    /// The argument whose sign decides the branch of a kinked op, if this op has a kink.
    pub(super) fn kink_argument(self, a: f64, b: f64) -> Option<f64> {
        match self {
            Prim::Relu | Prim::Abs => Some(a),
            Prim::Max | Prim::Min | Prim::Lt | Prim::Le => Some(a - b),
            _ => None,
        }
    }
}
