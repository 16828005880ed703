//! Random straight-line programs for the property tests, with three evaluators: the engine,
//! a plain-`f64` reference interpreter and hand-written dual numbers.
#![allow(dead_code)] // shared module: each test binary uses a subset

use std::fmt;

use autodiff::{Graph, Var};
use proptest::prelude::*;
use proptest::sample::Index;

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
    pub const KINDS: usize = 29;

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
        }
    }

    pub fn is_binary(self) -> bool {
        matches!(
            self,
            Prim::Add | Prim::Sub | Prim::Mul | Prim::Div | Prim::Pow | Prim::Max | Prim::Min
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
        }
    }

    /// The argument whose sign decides the branch of a kinked op, if this op has a kink.
    fn kink_argument(self, a: f64, b: f64) -> Option<f64> {
        match self {
            Prim::Relu | Prim::Abs => Some(a),
            Prim::Max | Prim::Min => Some(a - b),
            _ => None,
        }
    }
}

/// `slot[k] = op(slot[a], slot[b])`; unary ops ignore `b` (which equals `a`).
#[derive(Clone, Copy, Debug)]
pub struct Instr {
    pub op: Prim,
    pub a: usize,
    pub b: usize,
}

/// A straight-line program: slots `0..inputs` are the inputs, slot `inputs + k` is the
/// result of instruction `k`, and the output is the last slot.
#[derive(Clone, Debug)]
pub struct Program {
    pub inputs: usize,
    pub instrs: Vec<Instr>,
}

impl Program {
    /// Records the program on `g` with input leaves holding `x`; returns every slot.
    pub fn build<'g>(&self, g: &'g Graph, x: &[f64]) -> Vec<Var<'g>> {
        let leaves: Vec<Var<'g>> = x.iter().map(|&v| g.var(v)).collect();
        self.build_on(&leaves)
    }

    /// Records the program on the graph of the given input leaves; returns every slot.
    pub fn build_on<'g>(&self, leaves: &[Var<'g>]) -> Vec<Var<'g>> {
        let mut slots = leaves.to_vec();
        for i in &self.instrs {
            let v = i.op.apply(slots[i.a], slots[i.b]);
            slots.push(v);
        }
        slots
    }

    /// The reference interpreter: every slot's value in plain `f64`.
    pub fn reference(&self, x: &[f64]) -> Vec<f64> {
        let mut slots = x.to_vec();
        for i in &self.instrs {
            let v = i.op.value(slots[i.a], slots[i.b]);
            slots.push(v);
        }
        slots
    }

    /// Dual numbers seeded with tangent `seed` on the inputs: every slot's tangent, and the
    /// magnitude `Σ over paths of |product of partials|·|seed|` that bounds its rounding.
    pub fn dual(&self, x: &[f64], seed: &[f64]) -> (Vec<f64>, Vec<f64>) {
        let mut values = x.to_vec();
        let mut tangents = seed.to_vec();
        let mut magnitudes: Vec<f64> = seed.iter().map(|s| s.abs()).collect();
        for i in &self.instrs {
            let (a, b) = (values[i.a], values[i.b]);
            let [da, db] = i.op.partials(a, b);
            let (mut t, mut m) = (da * tangents[i.a], da.abs() * magnitudes[i.a]);
            if i.op.is_binary() {
                t += db * tangents[i.b];
                m += db.abs() * magnitudes[i.b];
            }
            values.push(i.op.value(a, b));
            tangents.push(t);
            magnitudes.push(m);
        }
        (tangents, magnitudes)
    }

    /// Which inputs the output reaches, by a backward walk over the instructions.
    pub fn reached_inputs(&self) -> Vec<bool> {
        let n = self.inputs + self.instrs.len();
        let mut live = vec![false; n];
        live[n - 1] = true;
        for (k, i) in self.instrs.iter().enumerate().rev() {
            if live[self.inputs + k] {
                live[i.a] = true;
                if i.op.is_binary() {
                    live[i.b] = true;
                }
            }
        }
        live.truncate(self.inputs);
        live
    }

    /// The smallest distance of a kink argument from its kink, in central-difference steps
    /// `hᵢ = ∛ε·max(1, |xᵢ|)` scaled by how fast the argument moves along input i (its
    /// tangent); ∞ if no kink argument moves. `max(s, s)` of one slot is smooth, not a kink.
    pub fn kink_distance(&self, x: &[f64]) -> f64 {
        let values = self.reference(x);
        let mut distance = f64::INFINITY;
        for (i, xi) in x.iter().enumerate() {
            let mut seed = vec![0.0; x.len()];
            seed[i] = 1.0;
            let (tangents, _) = self.dual(x, &seed);
            let h = f64::EPSILON.cbrt() * xi.abs().max(1.0);
            for instr in &self.instrs {
                if instr.op.is_binary() && instr.a == instr.b {
                    continue;
                }
                let Some(arg) = instr.op.kink_argument(values[instr.a], values[instr.b]) else {
                    continue;
                };
                let speed = match instr.op {
                    Prim::Max | Prim::Min => tangents[instr.a] - tangents[instr.b],
                    _ => tangents[instr.a],
                };
                if speed != 0.0 {
                    distance = distance.min(arg.abs() / (h * speed.abs()));
                }
            }
        }
        distance
    }

    /// Length of the longest chain of instructions.
    pub fn depth(&self) -> usize {
        let mut depth = vec![0; self.inputs];
        for i in &self.instrs {
            depth.push(1 + depth[i.a].max(depth[i.b]));
        }
        depth.into_iter().max().unwrap_or(0)
    }

    /// Whether some slot is an operand more than once (a reused subexpression).
    pub fn has_shared_slot(&self) -> bool {
        let mut uses = vec![0; self.inputs + self.instrs.len()];
        for i in &self.instrs {
            uses[i.a] += 1;
            if i.op.is_binary() {
                uses[i.b] += 1;
            }
        }
        uses.iter().any(|&u| u > 1)
    }
}

impl fmt::Display for Program {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "program with {} input(s):", self.inputs)?;
        for (k, i) in self.instrs.iter().enumerate() {
            let slot = self.inputs + k;
            if i.op.is_binary() {
                writeln!(f, "  s{slot} = {:?}(s{}, s{})", i.op, i.a, i.b)?;
            } else {
                writeln!(f, "  s{slot} = {:?}(s{})", i.op, i.a)?;
            }
        }
        Ok(())
    }
}

/// One generated step: a raw op, or a domain-restricted op behind a safe parameterisation.
#[derive(Clone, Debug)]
enum Step {
    Raw(Prim),
    /// `a / (1 + b²)`
    SafeDiv,
    /// `(a² + 0.5)^tanh b`
    SafePow,
    /// `x(a² + k)` for a unary `x` defined on `(0, ∞)`: sqrt, ln, recip, powf, powi < 0, c/x
    Positive(Prim, f64),
    /// `ln_1p(a²)`
    SafeLn1p,
}

/// An operand choice: the latest slot (to grow deep chains), or any earlier one.
type Pick = (bool, Index);

fn resolve((latest, index): Pick, slots: usize) -> usize {
    if latest {
        slots - 1
    } else {
        index.index(slots)
    }
}

fn constant() -> impl Strategy<Value = f64> {
    prop_oneof![-3.0..3.0f64, Just(0.5), Just(-1.0), Just(2.0)]
}

fn nonzero() -> impl Strategy<Value = f64> {
    (0.25..3.0f64, any::<bool>()).prop_map(|(c, neg)| if neg { -c } else { c })
}

fn step() -> impl Strategy<Value = Step> {
    use Prim::*;
    let binary = prop_oneof![Just(Add), Just(Sub), Just(Mul), Just(Max), Just(Min)];
    let unary = prop_oneof![
        Just(Neg),
        Just(Square),
        Just(Exp),
        Just(ExpM1),
        Just(Sigmoid),
        Just(Tanh),
        Just(Relu),
        Just(Softplus),
        Just(Sin),
        Just(Cos),
        Just(Abs),
    ];
    let scalar = prop_oneof![
        constant().prop_map(AddC),
        constant().prop_map(MulC),
        nonzero().prop_map(DivC),
        constant().prop_map(CSub),
        (0..=4i32).prop_map(PowI),
    ];
    let positive = prop_oneof![
        Just(Sqrt),
        Just(Ln),
        Just(Recip),
        (-2.5..2.5f64).prop_map(PowF),
        (-3..=-1i32).prop_map(PowI),
        constant().prop_map(CDiv),
    ];
    prop_oneof![
        4 => binary.prop_map(Step::Raw),
        4 => unary.prop_map(Step::Raw),
        2 => scalar.prop_map(Step::Raw),
        1 => Just(Step::SafeDiv),
        1 => Just(Step::SafePow),
        2 => (positive, prop_oneof![Just(0.1), Just(0.5)])
            .prop_map(|(op, k)| Step::Positive(op, k)),
        1 => Just(Step::SafeLn1p),
    ]
}

/// Appends the primitive instructions of `step` with operands picked from the slots so far.
fn expand(step: &Step, a: Pick, b: Pick, inputs: usize, instrs: &mut Vec<Instr>) {
    let slots = |instrs: &Vec<Instr>| inputs + instrs.len();
    let a = resolve(a, slots(instrs));
    let b = resolve(b, slots(instrs));
    let mut push = |op: Prim, a: usize, b: usize| {
        instrs.push(Instr { op, a, b });
        inputs + instrs.len() - 1
    };
    match *step {
        Step::Raw(op) if op.is_binary() => {
            push(op, a, b);
        }
        Step::Raw(op) => {
            push(op, a, a);
        }
        Step::SafeDiv => {
            let sq = push(Prim::Square, b, b);
            let den = push(Prim::AddC(1.0), sq, sq);
            push(Prim::Div, a, den);
        }
        Step::SafePow => {
            let sq = push(Prim::Square, a, a);
            let base = push(Prim::AddC(0.5), sq, sq);
            let exponent = push(Prim::Tanh, b, b);
            push(Prim::Pow, base, exponent);
        }
        Step::Positive(op, k) => {
            let sq = push(Prim::Square, a, a);
            let arg = push(Prim::AddC(k), sq, sq);
            push(op, arg, arg);
        }
        Step::SafeLn1p => {
            let sq = push(Prim::Square, a, a);
            push(Prim::Ln1p, sq, sq);
        }
    }
}

/// Programs of 1..=4 inputs and 1..=20 generated steps (each 1 to 4 instructions).
pub fn program() -> impl Strategy<Value = Program> {
    let pick = || (any::<bool>(), any::<Index>());
    (
        1..=4usize,
        prop::collection::vec((step(), pick(), pick()), 1..=20),
    )
        .prop_map(|(inputs, steps)| {
            let mut instrs = Vec::new();
            for (step, a, b) in &steps {
                expand(step, *a, *b, inputs, &mut instrs);
            }
            Program { inputs, instrs }
        })
}

impl Program {
    /// Whether central differences of the reference interpreter have converged at `x`: for
    /// every input, the difference with step h (gradcheck's `∛ε·max(1, |xᵢ|)`) and with
    /// step h/2 agree to a tenth of gradcheck's tolerance. Where they do not, the function
    /// curves or oscillates on the scale of the step (or rounding swamps it), and finite
    /// differences cannot judge any gradient. Uses no derivative of the engine.
    pub fn fd_converged(&self, x: &[f64]) -> bool {
        let out = |x: &[f64]| *self.reference(x).last().expect("at least one instruction");
        let f = out(x);
        (0..x.len()).all(|i| {
            let h = f64::EPSILON.cbrt() * x[i].abs().max(1.0);
            let diff = |h: f64| {
                let (mut up, mut down) = (x.to_vec(), x.to_vec());
                up[i] += h;
                down[i] -= h;
                (out(&up) - out(&down)) / (up[i] - down[i])
            };
            let (d1, d2) = (diff(h), diff(h / 2.0));
            let tol = 1e-8 * f.abs().max(1.0) + 1e-5 * d1.abs();
            d1.is_finite() && d2.is_finite() && (d1 - d2).abs() <= 0.1 * tol
        })
    }
}
