//! The `chain_sin` recurrence y ← sin(y)/2 + y/2, recorded: the long chain that
//! `benches/chain.rs` and `benches/second_order.rs` compile to a tape.

use autodiff::{Graph, Tape, Var};

/// Steps of the recurrence.
pub const SIN_STEPS: usize = 1_000_000;

/// y = x = 1; [`SIN_STEPS`] times y ← sin(y)·0.5 + y·0.5. Returns (x, y).
pub fn sin_chain(g: &Graph) -> (Var<'_>, Var<'_>) {
    let x = g.var(1.0);
    let mut y = x;
    for _ in 0..SIN_STEPS {
        y = y.sin() * 0.5 + y * 0.5;
    }
    (x, y)
}

/// [`sin_chain`] compiled to a tape with input x (the graph dropped).
pub fn sin_tape() -> Tape {
    let g = Graph::new();
    let (x, y) = sin_chain(&g);
    Tape::compile(y, &[x]).expect("x is a leaf")
}
