//! The generator of random straight-line programs: steps of raw ops, or of
//! domain-restricted ops behind safe parameterisations, with operands picked among the
//! slots computed so far.

use proptest::prelude::*;
use proptest::sample::Index;

use super::{Instr, Prim, Program};

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
    /// `select(a < b, a, b)` or `select(a ≤ b, b, a)`, `if(c, ·) + else(c, ·)`: both
    /// branches recorded, one masked (the masking of infinite and NaN partials is tested
    /// apart: here every slot may be an operand of later steps, so none may be infinite)
    Select(Prim),
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
        2 => prop_oneof![Just(Lt), Just(Le)].prop_map(Step::Select),
    ]
}

/// Appends the primitive instructions of `step` applied to slots `a` and `b` (unary steps
/// read `a` only); returns the slot of the result.
fn expand(step: &Step, a: usize, b: usize, inputs: usize, instrs: &mut Vec<Instr>) -> usize {
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
        Step::Select(compare) => {
            let condition = push(compare, a, b);
            let (if_true, if_false) = if compare == Prim::Lt { (a, b) } else { (b, a) };
            let taken = push(Prim::If, condition, if_true);
            let otherwise = push(Prim::Else, condition, if_false);
            push(Prim::Add, taken, otherwise);
        }
    }
    inputs + instrs.len() - 1
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
                let slots = inputs + instrs.len();
                let (a, b) = (resolve(*a, slots), resolve(*b, slots));
                expand(step, a, b, inputs, &mut instrs);
            }
            Program { inputs, instrs }
        })
}

/// An expression tree: the second generator, for nesting depth without sharing.
#[derive(Clone, Debug)]
enum Expr {
    Input(usize),
    /// A step on one subtree (a binary step then reads it twice: `a + a`, `max(a, a)`).
    Unary(Step, Box<Expr>),
    Binary(Step, Box<Expr>, Box<Expr>),
}

impl Expr {
    /// Appends the tree's instructions in post-order; returns the slot of its value.
    fn emit(&self, inputs: usize, instrs: &mut Vec<Instr>) -> usize {
        match self {
            Expr::Input(i) => *i,
            Expr::Unary(step, a) => {
                let a = a.emit(inputs, instrs);
                expand(step, a, a, inputs, instrs)
            }
            Expr::Binary(step, a, b) => {
                let a = a.emit(inputs, instrs);
                let b = b.emit(inputs, instrs);
                expand(step, a, b, inputs, instrs)
            }
        }
    }
}

/// Programs flattened from `prop_recursive` expression trees over 3 inputs, up to 16
/// levels deep, mostly one-child nodes so that the size budget buys depth.
pub fn tree_program() -> impl Strategy<Value = Program> {
    const INPUTS: usize = 3;
    let leaf = (0..INPUTS).prop_map(Expr::Input);
    // boxed, so that each level of the recursive strategy costs a small stack frame
    let step = step().boxed();
    leaf.prop_recursive(16, 48, 1, move |inner| {
        prop_oneof![
            3 => (step.clone(), inner.clone()).prop_map(|(step, a)| Expr::Unary(step, Box::new(a))),
            1 => (step.clone(), inner.clone(), inner)
                .prop_map(|(step, a, b)| Expr::Binary(step, Box::new(a), Box::new(b))),
        ]
    })
    .prop_filter("a tree with at least one op", |e| {
        !matches!(e, Expr::Input(_))
    })
    .prop_map(|e| {
        let mut instrs = Vec::new();
        e.emit(INPUTS, &mut instrs);
        Program {
            inputs: INPUTS,
            instrs,
        }
    })
}
