//! The engine's public API exactly as its users write it.

use autodiff::{Gradients, Graph, Var};

#[test]
fn issue_api_program_compiles_and_differentiates() {
    let g = Graph::new();
    let a: Var = g.var(-4.0);
    let k: Var = g.constant(3.0);
    let w = g.var_named("w0", 2.0);
    let mut y = (a * 2.0 + k).relu() + a.powf(3.0) / (1.0 + a.exp());
    y += 10.0 / y;
    let v: f64 = y.value();
    let grads: Gradients = y.backward();
    let dy_da: f64 = grads.wrt(a);
    let dot: String = g.to_dot();

    // u = relu(2a + 3) = 0 at a = -4, q = a³ / (1 + eᵃ), y0 = u + q, y = y0 + 10 / y0
    let e = (-4.0_f64).exp();
    let q = -64.0 / (1.0 + e);
    let y0 = q;
    assert_eq!(v, y0 + 10.0 / y0);
    // dq/da = 3a²/(1+eᵃ) - a³eᵃ/(1+eᵃ)², dy/dy0 = 1 - 10/y0²
    let dq = 48.0 / (1.0 + e) + 64.0 * e / ((1.0 + e) * (1.0 + e));
    let expected = dq * (1.0 - 10.0 / (y0 * y0));
    approx::assert_relative_eq!(dy_da, expected, max_relative = 1e-14);
    assert_eq!(grads.wrt(k), 0.0);
    assert_eq!(grads.wrt(w), 0.0);
    assert!(dot.contains("w0"));
}
