//! Batch lanes against row-by-row replay where the lanes take shortcuts: partials read from
//! operands or constants instead of stored, parameters as scalars, NaN values.

use ndarray::array;

use crate::{Graph, Tape};

mod hvp;
mod speed_tricks;

/// `Σ` over rows of [`Tape::gradient`]'s parameter part, and the per-row outputs.
fn rows(tape: &Tape, data: &ndarray::Array2<f64>, params: &[f64]) -> (Vec<f64>, Vec<f64>) {
    let mut ws = tape.workspace();
    let mut outputs = Vec::new();
    let mut total = vec![0.0; params.len()];
    for row in data.rows() {
        let inputs: Vec<f64> = row.iter().chain(params).copied().collect();
        let (v, g) = tape.gradient(&mut ws, &inputs).unwrap();
        outputs.push(v);
        for (t, d) in total.iter_mut().zip(&g[data.ncols()..]) {
            *t += d;
        }
    }
    (outputs, total)
}

#[test]
fn a_nan_value_gives_the_nan_gradient_that_row_replay_gives() {
    // y = w·x + c: with c = NaN, y = NaN and Op::eval makes both partials of the sum NaN,
    // so ∂y/∂w = NaN (a constant partial 1 would hide it and give x)
    let g = Graph::new();
    let (x, c, w) = (g.constant(0.0), g.constant(0.0), g.var(0.0));
    let y = w * x + c;
    let tape = Tape::compile(y, &[x, c, w]).unwrap();
    let data = array![[1.0, 0.5], [2.0, f64::NAN], [3.0, -1.0]];
    let out = tape.batch(data.view(), &[0.25]).unwrap();
    let (outputs, gradient) = rows(&tape, &data, &[0.25]);
    assert!(gradient[0].is_nan() && out.gradient[0].is_nan());
    assert_eq!(out.outputs[0], outputs[0]); // 0.25·1 + 0.5
    assert!(out.outputs[1].is_nan());
    let parallel = tape.par_batch(data.view(), &[0.25]).unwrap();
    assert_eq!(parallel.gradient[0].to_bits(), out.gradient[0].to_bits());
    // without the NaN row the gradient is Σ x = 4
    let clean = array![[1.0, 0.5], [3.0, -1.0]];
    assert_eq!(tape.batch(clean.view(), &[0.25]).unwrap().gradient, [4.0]);
}

#[test]
fn shared_parameters_constants_and_own_values_give_row_replay_gradients() {
    // every shortcut: w used twice (a row of adjoints), k used once (summed directly),
    // x·w (operand partials), + and − (constant partials), e^u (its own value), a frozen
    // leaf, and relu and sin (stored partials)
    let g = Graph::new();
    let (x, t) = (g.constant(0.0), g.constant(0.0));
    let (w, k) = (g.var(0.0), g.var(0.0));
    let frozen = g.var(0.75);
    let u = (x * w - t * 0.5).relu() + (w * frozen).sin();
    let y = (u * k).exp() - x.square() / 3.0 + 2.0;
    let tape = Tape::compile(y, &[x, t, w, k]).unwrap();
    let data = array![
        [0.5, -1.0],
        [-2.0, 0.25],
        [1.5, 3.0],
        [0.0, 0.0],
        [-0.3, -0.7]
    ];
    let params = [0.8, -0.4];
    let out = tape.batch(data.view(), &params).unwrap();
    let (outputs, gradient) = rows(&tape, &data, &params);
    assert_eq!(out.outputs.to_vec(), outputs);
    for (got, want) in out.gradient.iter().zip(&gradient) {
        assert!((got - want).abs() <= 1e-14 * want.abs(), "{got} vs {want}");
    }
}

#[test]
fn an_infinite_value_behind_a_zero_adjoint_does_not_make_the_gradient_nan() {
    // y = min(w·x, t): at x = ∞, min picks t, so ∂y/∂(w·x) = 0 and the sweep does not pass
    // that zero on: ∂y/∂w gets nothing from the row (0 · ∞ would be NaN)
    let g = Graph::new();
    let (x, t, w) = (g.constant(0.0), g.constant(0.0), g.var(0.0));
    let y = (w * x).min(t);
    let tape = Tape::compile(y, &[x, t, w]).unwrap();
    let data = array![[1.0, 5.0], [f64::INFINITY, 2.0], [3.0, 7.0]];
    let out = tape.batch(data.view(), &[2.0]).unwrap();
    let (outputs, gradient) = rows(&tape, &data, &[2.0]);
    assert_eq!(out.outputs.to_vec(), outputs); // 2, 2, 6
    assert_eq!(out.gradient, gradient);
    assert_eq!(gradient, [4.0]); // x = 1 and x = 3 pass through min: 1 + 3
}

#[test]
fn multiply_adds_computed_in_one_loop_give_the_values_of_row_replay() {
    // neurons z = b + w₀x₀ + w₁x₁ (each product read only by its sum: multiplied and added
    // in one loop), then a product read twice (p·p, not fused) and x₀·w₀ + p (fused with
    // the product as the first operand)
    let g = Graph::new();
    let (x0, x1) = (g.constant(0.0), g.constant(0.0));
    let (w0, w1, b) = (g.var(0.0), g.var(0.0), g.var(0.0));
    let z = (b + w0 * x0 + w1 * x1).relu();
    let p = z * w1;
    let y = x0 * w0 + p * p;
    let tape = Tape::compile(y, &[x0, x1, w0, w1, b]).unwrap();
    let data = array![[0.5, -1.0], [-2.0, 0.25], [1.5, 3.0], [0.1, -0.7]];
    let params = [0.8, -0.4, 0.3];
    let out = tape.batch(data.view(), &params).unwrap();
    let (outputs, gradient) = rows(&tape, &data, &params);
    assert_eq!(out.outputs.to_vec(), outputs);
    for (got, want) in out.gradient.iter().zip(&gradient) {
        assert!((got - want).abs() <= 1e-14 * want.abs(), "{got} vs {want}");
    }
}

/// A random program over data `x0, x1`, parameters `w0..w3` and a frozen leaf: ops drawn
/// from those the lanes treat specially (`+`, `−`, `·`, `x + c`, `eˣ`) and computed ones,
/// with runs of multiply-adds (chains), operands reused (shared rows) or not.
fn random_program<'g>(
    g: &'g Graph,
    rng: &mut rand::rngs::StdRng,
) -> (crate::Var<'g>, Vec<crate::Var<'g>>) {
    use rand::Rng;
    let data = [g.constant(0.0), g.constant(0.0)];
    let params: Vec<_> = (0..4).map(|i| g.var(0.1 * i as f64)).collect();
    let frozen = g.var(0.7);
    let mut nodes: Vec<_> = data.iter().chain(&params).copied().collect();
    nodes.push(frozen);
    for _ in 0..rng.random_range(3..25) {
        let pick = |rng: &mut rand::rngs::StdRng, nodes: &[crate::Var<'g>]| {
            // mostly recent nodes, so that chains and single readers are common
            let back = rng.random_range(1..=nodes.len().min(4));
            nodes[nodes.len() - back]
        };
        let a = pick(rng, &nodes);
        let b = nodes[rng.random_range(0..nodes.len())];
        let v = match rng.random_range(0..15) {
            0 | 1 => {
                // a multiply-add run: z + w·x + w'·x' + …
                let mut z = a;
                for _ in 0..rng.random_range(1..5) {
                    let w = params[rng.random_range(0..params.len())];
                    z += w * nodes[rng.random_range(0..nodes.len())];
                }
                z
            }
            2 => a + b,
            3 => a - b,
            4 => a * b,
            5 => a * 0.5 + 1.0,
            6 => (a * 0.1).exp(),
            7 => a.relu(),
            8 => a.tanh(),
            9 => a.sin() * b,
            10 => a.square() - b,
            // exponentials past the fast path's range (|x| ≥ 512) too
            11 => (a * 300.0).sigmoid(),
            12 => (a * b * 100.0).softplus(),
            13 => (a * 150.0).exp() * 1e-100,
            _ => b - a * a,
        };
        nodes.push(v);
    }
    let out = nodes[nodes.len() - 1] + nodes[nodes.len() - 2] * 0.25;
    let inputs = data.iter().chain(&params).copied().collect();
    (out, inputs)
}

#[test]
fn random_programs_give_row_replay_values_and_gradients() {
    use rand::{Rng, SeedableRng};
    let mut rng = rand::rngs::StdRng::seed_from_u64(2024);
    for case in 0..300 {
        let g = Graph::new();
        let (out, inputs) = random_program(&g, &mut rng);
        let tape = Tape::compile(out, &inputs).unwrap();
        let n = rng.random_range(1..20);
        let data = ndarray::Array2::from_shape_fn((n, 2), |_| rng.random_range(-2.0..2.0));
        let params: Vec<f64> = (0..4).map(|_| rng.random_range(-1.5..1.5)).collect();
        let out = tape.batch(data.view(), &params).unwrap();
        let (outputs, gradient) = rows(&tape, &data, &params);
        let same = crate::compiled::wide::same;
        // a NaN matches any NaN (its sign and payload are not specified)
        for (&got, &want) in out.outputs.iter().zip(&outputs) {
            assert!(same(got, want), "case {case}: {got} vs {want}");
        }
        for (&got, &want) in out.gradient.iter().zip(&gradient) {
            // only the grouping of the sum over rows differs
            let scale: f64 = want.abs().max(1.0);
            assert!(
                same(got, want) || (got - want).abs() <= 1e-12 * scale,
                "case {case}: {got} vs {want}"
            );
        }
    }
}
