//! The digits network's per-sample loss as a compiled tape, with inputs
//! `[features…, class, parameters…]`: what `nn::Compiled` compiles for a softmax network.

use autodiff::{Graph, Tape, Var};
use nn::{Mlp, Module};

/// `ln Σₖ e^{zₖ − m} + (m − z_class)` with `m = maxₖ zₖ`, the one-hot vector recorded
/// from the class as `relu(1 − |class − k|)`.
fn softmax_cross_entropy<'g>(z: &[Var<'g>], class: Var<'g>) -> Var<'g> {
    let hot = |k: f64| (1.0 - (class - k).abs()).relu();
    let m = z[1..].iter().fold(z[0], |m, &x| m.max(x));
    let mut sum = (z[0] - m).exp();
    let mut picked = hot(0.0) * z[0];
    for (k, &x) in z.iter().enumerate().skip(1) {
        sum = sum + (x - m).exp();
        picked = picked + hot(k as f64) * x;
    }
    sum.ln() + (m - picked)
}

/// The compiled per-sample loss of networks shaped like `mlp`.
pub fn compile(mlp: &Mlp) -> Tape {
    let g = Graph::new();
    let row: Vec<_> = (0..=mlp.input_count()).map(|_| g.constant(0.0)).collect();
    let params = mlp.leaves(&g);
    let (x, class) = row.split_at(mlp.input_count());
    let loss = softmax_cross_entropy(&mlp.forward(&params, x), class[0]);
    let inputs: Vec<_> = row.iter().chain(&params).copied().collect();
    Tape::compile(loss, &inputs).expect("the loss depends on the inputs")
}
