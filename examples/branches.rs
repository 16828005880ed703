//! A branch in a compiled tape, three ways: `f(x) = x²` for `x > 0`, `−x` otherwise,
//! recorded at `x = 1` and replayed at `x = −1` (where f = 1, f' = −1).
//!
//! - a Rust `if` on `x.value()`: the tape replays `x²` and returns (1, −2), silently;
//! - `select`: both branches on the tape, (1, −1);
//! - a guarded Rust `if`: the replay fails with `BranchChanged`.
//!
//! `cargo run --example branches`

use autodiff::{Graph, Tape, Var};

fn replay_at_minus_one(f: Var<'_>, x: Var<'_>) -> String {
    let tape = Tape::compile(f, &[x]).expect("x is a leaf");
    match tape.gradient(&mut tape.workspace(), &[-1.0]) {
        Ok((value, gradient)) => format!("({value}, {})", gradient[0]),
        Err(e) => format!("error: {e}"),
    }
}

fn main() {
    let g = Graph::new();
    let x = g.var(1.0);
    let unguarded = if x.value() > 0.0 { x * x } else { -x };
    println!("if on x.value(): {}", replay_at_minus_one(unguarded, x));
    let selected = x.gt(0.0).select(x * x, -x);
    println!("select:          {}", replay_at_minus_one(selected, x));
    let guarded = if g.guard(x.gt(0.0)) { x * x } else { -x };
    println!("guard:           {}", replay_at_minus_one(guarded, x));
}
