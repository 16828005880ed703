//! Fixed expressions against trusted numbers: micrograd's two engine tests (whose expected
//! values come from PyTorch in float64) and forward mode on the same graphs.

mod common;

use autodiff::Graph;
use common::assert_close;

/// karpathy/micrograd `test/test_engine.py::test_sanity_check`, x = −4.
#[test]
fn micrograd_sanity_check_gives_minus_20_and_46() {
    let g = Graph::new();
    let x = g.var(-4.0);
    let z = 2.0 * x + 2.0 + x; // z = 3x + 2 = -10
    let q = z.relu() + z * x; // q = 0 + 40
    let h = (z * z).relu(); // h = 100
    let y = h + q + q * x; // y = 100 + 40 - 160 = -20
    let grads = y.backward();
    assert_eq!(y.value(), -20.0);
    // dy/dx = dh/dx + (1 + x) dq/dx + q, with dz/dx = 3, dq/dx = 3x + z = -22,
    // dh/dx = 2z·3 = -60: -60 + (-3)(-22) + 40 = 46
    assert_eq!(grads.wrt(x), 46.0);
}

/// karpathy/micrograd `test/test_engine.py::test_more_ops`, a = −4, b = 2.
#[test]
#[allow(clippy::misrefactored_assign_op)] // `c += c + 1` is micrograd's expression, kept as is
fn micrograd_more_ops_match_the_pytorch_values() {
    let g = Graph::new();
    let a = g.var(-4.0);
    let b = g.var(2.0);
    let mut c = a + b;
    let mut d = a * b + b.powi(3);
    c += c + 1.0;
    c += 1.0 + c + (-a);
    d += d * 2.0 + (b + a).relu();
    d += 3.0 * d + (b - a).relu();
    let e = c - d;
    let f = e.powi(2);
    let mut y = f / 2.0;
    y += 10.0 / f;
    let grads = y.backward();
    // micrograd asserts |engine - torch| < 1e-6; we hold the torch values to 1e-12
    assert_close(y.value(), 24.704_081_632_653_06, 1e-12, 0.0, "g");
    assert_close(grads.wrt(a), 138.833_819_241_982_5, 1e-12, 0.0, "dg/da");
    assert_close(grads.wrt(b), 645.577_259_475_218_6, 1e-12, 0.0, "dg/db");
}

#[test]
#[allow(clippy::misrefactored_assign_op)] // micrograd's expression, kept as is
fn more_ops_with_real_powers_give_the_same_gradient_as_with_integer_powers() {
    // the same chain through powf(3.0)/powf(2.0) and Var^Var instead of powi
    let g = Graph::new();
    let a = g.var(-4.0);
    let b = g.var(2.0);
    let three = g.constant(3.0);
    let mut c = a + b;
    let mut d = a * b + b.pow(three);
    c += c + 1.0;
    c += 1.0 + c + (-a);
    d += d * 2.0 + (b + a).relu();
    d += 3.0 * d + (b - a).relu();
    let f = (c - d).powf(2.0);
    let y = f / 2.0 + 10.0 / f;
    let grads = y.backward();
    assert_close(grads.wrt(a), 138.833_819_241_982_5, 1e-12, 0.0, "dg/da");
    assert_close(grads.wrt(b), 645.577_259_475_218_6, 1e-12, 0.0, "dg/db");
}

#[test]
fn reverse_mode_equals_forward_mode_on_the_micrograd_graph() {
    let g = Graph::new();
    let a = g.var(-4.0);
    let b = g.var(2.0);
    let c = (a * b + b.powi(3)).sigmoid() * (a - b).tanh() + (a / b).exp() * b.ln();
    let grads = c.backward();
    // one-hot tangents give the partials; a random tangent t gives ⟨t, ∇c⟩
    let ta = g.jvp(&[(a, 1.0)]).of(c);
    let tb = g.jvp(&[(b, 1.0)]).of(c);
    assert_close(grads.wrt(a), ta, 1e-12, 1e-14, "∂c/∂a");
    assert_close(grads.wrt(b), tb, 1e-12, 1e-14, "∂c/∂b");
    let t = [0.37, -1.21];
    let along = g.jvp(&[(a, t[0]), (b, t[1])]).of(c);
    let dot = t[0] * grads.wrt(a) + t[1] * grads.wrt(b);
    assert_close(dot, along, 1e-12, 1e-14, "⟨t, ∇c⟩ vs jvp(t)");
}

#[test]
fn forward_mode_ignores_a_seed_on_a_constant() {
    let g = Graph::new();
    let x = g.var(2.0);
    let k = g.constant(5.0);
    let y = x * k; // ∂y/∂x = k
    assert_eq!(g.jvp(&[(x, 1.0), (k, 1.0)]).of(y), 5.0);
    // a leaf listed twice gets the sum of its tangents
    assert_eq!(g.jvp(&[(x, 1.0), (x, 2.0)]).of(y), 15.0);
}
