//! Hessian-vector products over rows in batch lanes ([`Tape::batch_hvp`]): the sum over the
//! rows of [`Tape::hvp`] to rounding for random programs, the parallel call equal to the
//! serial one bit for bit, the lecture cost's Hessian against differences of its batch
//! gradient, and shapes that do not fit as errors.

mod common;
mod program;

use autodiff::{Error, Graph, Tape};
use common::{bit_identical, close};
use ndarray::Array2;
use proptest::prelude::*;

use program::checks::{self, well_scaled};
use program::{program, Program};

const REGRESSIONS: &str = "proptest-regressions/batch_hvp.txt";

/// `(outputs, sum, gradient, hvp, magnitudes)` by a plain loop of [`Tape::hvp`] over the
/// rows, the magnitudes being `Σ|term|` of each sum (what bounds its rounding).
type Plain = (Vec<f64>, f64, Vec<f64>, Vec<f64>, Vec<f64>);

fn plain_loop(tape: &Tape, data: &Array2<f64>, params: &[f64], direction: &[f64]) -> Plain {
    let (c, p) = (data.ncols(), params.len());
    let mut ws = tape.workspace();
    let mut t = vec![0.0; c];
    t.extend_from_slice(direction);
    let (mut outputs, mut sum) = (Vec::new(), 0.0);
    let (mut gradient, mut hvp) = (vec![0.0; p], vec![0.0; p]);
    let mut magnitudes = vec![0.0; 1 + 2 * p];
    for row in data.rows() {
        let inputs: Vec<f64> = row.iter().chain(params).copied().collect();
        let (v, g, hv) = tape.hvp(&mut ws, &inputs, &t).unwrap();
        outputs.push(v);
        sum += v;
        magnitudes[0] += v.abs();
        for j in 0..p {
            gradient[j] += g[c + j];
            hvp[j] += hv[c + j];
            magnitudes[1 + j] += g[c + j].abs();
            magnitudes[1 + p + j] += hv[c + j].abs();
        }
    }
    (outputs, sum, gradient, hvp, magnitudes)
}

/// A program, the number of its inputs that are data columns, rows of data near the
/// program's generated point, and a direction over the parameters.
fn case() -> impl Strategy<Value = (Program, usize, Array2<f64>, Vec<f64>, Vec<f64>)> {
    checks::with_inputs(program()).prop_flat_map(|(p, x)| {
        let n = p.inputs;
        (
            Just(p),
            0..=n,
            1..300usize,
            prop::collection::vec(-0.5..0.5f64, 4),
            prop::collection::vec(-1.0..1.0f64, n),
            Just(x),
        )
            .prop_map(|(p, columns, rows, shifts, direction, x)| {
                // row i, column j: x_j shifted by a pattern over the rows
                let data = Array2::from_shape_fn((rows, columns), |(i, j)| {
                    x[j] + shifts[j] * ((i * (j + 2)) as f64 * 0.37).sin()
                });
                let params = x[columns..].to_vec();
                let direction = direction[columns..].to_vec();
                (p, columns, data, params, direction)
            })
    })
}

proptest! {
    #![proptest_config(checks::config(200, REGRESSIONS))]

    /// Outputs bit for bit; sums, gradient and HVP within `1e-12 · Σ|term|` of the plain
    /// loop (only the grouping of the additions differs); parallel = serial bit for bit.
    #[test]
    fn batch_hvp_is_the_sum_of_row_hvps_for_random_programs(
        (p, columns, data, params, direction) in case()
    ) {
        let g = Graph::new();
        let mut x: Vec<f64> = data.row(0).to_vec();
        x.extend_from_slice(&params);
        prop_assume!(data.rows().into_iter().all(|row| {
            let mut at: Vec<f64> = row.to_vec();
            at.extend_from_slice(&params);
            well_scaled(&p, &at)
        }));
        let slots = p.build(&g, &x);
        let tape = Tape::compile(*slots.last().unwrap(), &slots[..p.inputs]).unwrap();
        prop_assert_eq!(tape.input_count(), columns + params.len());
        let out = tape.batch_hvp(data.view(), &params, &direction).unwrap();
        let (outputs, sum, gradient, hvp, magnitudes) = plain_loop(&tape, &data, &params, &direction);
        prop_assert!(bit_identical(out.outputs.as_slice().unwrap(), &outputs), "{p}");
        let expected = std::iter::once(sum).chain(gradient).chain(hvp);
        let got = std::iter::once(out.sum).chain(out.gradient.clone()).chain(out.hvp.clone());
        for (k, ((got, want), m)) in got.zip(expected).zip(&magnitudes).enumerate() {
            prop_assert!(close(got, want, 0.0, 1e-12 * m), "sum {k}: {got} vs {want}\n{p}");
        }
        let parallel = tape.par_batch_hvp(data.view(), &params, &direction).unwrap();
        prop_assert!(bit_identical(&[parallel.sum], &[out.sum]));
        prop_assert!(bit_identical(&parallel.gradient, &out.gradient));
        prop_assert!(bit_identical(&parallel.hvp, &out.hvp));
    }
}

/// The lecture net's cost with inputs `[s0, target, w0, w1, w2]`.
fn lecture_tape() -> Tape {
    let g = Graph::new();
    let (s0, target) = (g.constant(0.0), g.constant(0.0));
    let [w0, w1, w2] = [0.0; 3].map(|w| g.var(w));
    let out = w2 * (w1 * (w0 * s0).sigmoid()).sigmoid();
    let c = 0.5 * (target - out).square(); // C = ½ (target − out)²
    Tape::compile(c, &[s0, target, w0, w1, w2]).unwrap()
}

fn lecture_rows(rows: usize) -> Array2<f64> {
    Array2::from_shape_fn((rows, 2), |(i, j)| {
        let s0 = (i as f64 * 0.731).sin() * 10.0;
        if j == 0 {
            s0
        } else {
            10.0 * (s0 * 0.3).cos().abs()
        }
    })
}

#[test]
fn the_lecture_cost_hessian_from_lanes_matches_differences_of_the_batch_gradient() {
    // column j of the mean cost's Hessian is mean_hvp along the unit vector eⱼ; it must be
    // (∇C̄(w + h eⱼ) − ∇C̄(w − h eⱼ)) / 2h, and symmetric
    let tape = lecture_tape();
    let data = lecture_rows(5000);
    let w = [0.4, 1.7, 6.0];
    let mut h = [[0.0; 3]; 3];
    for j in 0..3 {
        let mut unit = [0.0; 3];
        unit[j] = 1.0;
        let column = tape
            .par_batch_hvp(data.view(), &w, &unit)
            .unwrap()
            .mean_hvp();
        for i in 0..3 {
            h[i][j] = column[i];
        }
        let step = 1e-5;
        let (mut up, mut down) = (w, w);
        up[j] += step;
        down[j] -= step;
        let gu = tape.batch(data.view(), &up).unwrap().mean_gradient();
        let gd = tape.batch(data.view(), &down).unwrap().mean_gradient();
        for i in 0..3 {
            let fd = (gu[i] - gd[i]) / (2.0 * step);
            assert!(
                (h[i][j] - fd).abs() <= 1e-6 * fd.abs().max(1.0),
                "H[{i}][{j}] = {} vs {fd}",
                h[i][j]
            );
        }
    }
    for i in 0..3 {
        for j in 0..i {
            assert!(
                (h[i][j] - h[j][i]).abs() <= 1e-12 * h[i][j].abs().max(1.0),
                "{h:?}"
            );
        }
    }
    // d²C/dw2² = s2² per row: positive
    assert!(h[2][2] > 0.0);
}

#[test]
fn value_and_gradient_agree_with_the_gradient_lanes() {
    let tape = lecture_tape();
    let data = lecture_rows(1000);
    let w = [0.7, -1.3, 4.0];
    let hvp = tape.batch_hvp(data.view(), &w, &[1.0, 0.0, 0.0]).unwrap();
    let batch = tape.batch(data.view(), &w).unwrap();
    assert_eq!(hvp.outputs, batch.outputs);
    assert!(close(hvp.sum, batch.sum, 1e-13, 0.0));
    for (a, b) in hvp.gradient.iter().zip(&batch.gradient) {
        assert!(close(*a, *b, 1e-12, 1e-12), "{a} vs {b}");
    }
    assert_eq!((hvp.len(), hvp.is_empty()), (1000, false));
    assert!(close(hvp.mean(), batch.mean(), 1e-13, 0.0));
    assert!(close(
        hvp.mean_gradient()[2],
        batch.mean_gradient()[2],
        1e-12,
        1e-14
    ));
}

#[test]
fn a_zero_direction_gives_a_zero_product_and_no_data_columns_repeat_one_sample() {
    let tape = lecture_tape();
    let data = lecture_rows(300);
    let w = [0.7, -1.3, 4.0];
    let out = tape.par_batch_hvp(data.view(), &w, &[0.0; 3]).unwrap();
    assert_eq!(out.hvp, [0.0; 3]);
    // y = k x² with no data columns: every one of 4 samples is x = 3, k = 2
    let g = Graph::new();
    let (x, k) = (g.var(0.0), g.var(0.0));
    let tape = Tape::compile(k * x.square(), &[x, k]).unwrap();
    let none = Array2::<f64>::zeros((4, 0));
    let out = tape
        .batch_hvp(none.view(), &[3.0, 2.0], &[1.0, 0.0])
        .unwrap();
    // ∂²/∂x² = 2k, ∂²/∂k∂x = 2x: H e₀ = (4, 6) per sample
    assert_eq!(
        (out.sum, out.gradient.clone(), out.hvp.clone()),
        (72.0, vec![48.0, 36.0], vec![16.0, 24.0])
    );
}

#[test]
fn shapes_that_do_not_fit_are_errors_not_panics() {
    let tape = lecture_tape();
    let w = [0.7, -1.3, 4.0];
    let ok = lecture_rows(10);
    let empty = Array2::<f64>::zeros((0, 2));
    let wide = Array2::<f64>::zeros((3, 6));
    for call in [Tape::batch_hvp, Tape::par_batch_hvp] {
        let e = call(&tape, empty.view(), &w, &w).unwrap_err();
        assert!(
            matches!(
                e,
                Error::Shape {
                    what: "batch data",
                    ..
                }
            ),
            "{e}"
        );
        let e = call(&tape, wide.view(), &[], &[]).unwrap_err();
        assert!(e.to_string().contains("columns ≤ 5"), "{e}");
        let e = call(&tape, ok.view(), &w[..2], &w[..2]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "batch parameters: expected shape [3] (the tape's 5 inputs less 2 data columns), got [2]"
        );
        let e = call(&tape, ok.view(), &w, &[1.0; 4]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "batch direction: expected shape [3] (one number per parameter), got [4]"
        );
    }
}
