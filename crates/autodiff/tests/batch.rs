//! Batch lanes: per-sample outputs equal single replays bit for bit, the parameter gradient
//! is the sum of per-sample gradients, and the parallel batch equals the serial one; and
//! Hessian-vector products over the rows (`Tape::batch_hvp`) on the lecture net.

mod common;

use autodiff::{Error, Graph, Tape, Var};
use common::{assert_close, bit_identical, close};
use ndarray::Array2;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// The lecture net's cost with inputs `[s0, target, w0, w1, w2]`.
fn lecture_tape() -> Tape {
    let g = Graph::new();
    let s0 = g.constant(0.0);
    let target = g.constant(0.0);
    let [w0, w1, w2] = [0.0; 3].map(|w| g.var(w));
    let out = w2 * (w1 * (w0 * s0).sigmoid()).sigmoid();
    let c = 0.5 * (target - out).square(); // C = ½ (target − out)²
    Tape::compile(c, &[s0, target, w0, w1, w2]).unwrap()
}

/// `rows` samples `(s0, target)`, s0 uniform in [−10, 10].
fn data(rows: usize, seed: u64) -> Array2<f64> {
    let mut rng = StdRng::seed_from_u64(seed);
    Array2::from_shape_fn((rows, 2), |(_, j)| {
        if j == 0 {
            rng.random_range(-10.0..10.0)
        } else {
            rng.random_range(0.0..10.0)
        }
    })
}

const W: [f64; 3] = [0.7, -1.3, 4.0];

#[test]
fn batch_outputs_equal_single_replays_and_the_gradient_is_their_sum() {
    let tape = lecture_tape();
    let data = data(1000, 1); // several full chunks and a partial one
    let out = tape.batch(data.view(), &W).unwrap();
    let mut ws = tape.workspace();
    let mut expected = [0.0; 3];
    let mut sum = 0.0;
    for (i, row) in data.rows().into_iter().enumerate() {
        let x = [row[0], row[1], W[0], W[1], W[2]];
        let (v, grad) = tape.gradient(&mut ws, &x).unwrap();
        assert_eq!(out.outputs[i].to_bits(), v.to_bits(), "row {i}");
        sum += v;
        for (e, g) in expected.iter_mut().zip(&grad[2..]) {
            *e += g;
        }
    }
    // Only the grouping of the sums differs (lanes in 8 running sums, then chunks).
    assert_close(out.sum, sum, 1e-12, 0.0, "sum");
    for (p, (&got, &want)) in out.gradient.iter().zip(&expected).enumerate() {
        assert_close(got, want, 1e-11, 1e-12, &format!("gradient {p}"));
    }
    assert_eq!(out.len(), 1000);
    assert_close(out.mean(), sum / 1000.0, 1e-12, 0.0, "mean");
    let mean_gradient = out.mean_gradient();
    assert_close(
        mean_gradient[1],
        expected[1] / 1000.0,
        1e-11,
        1e-12,
        "mean gradient",
    );
}

#[test]
fn the_parallel_batch_is_bit_for_bit_the_serial_batch() {
    let tape = lecture_tape();
    // within one chunk, around a chunk's edge, and over many tasks of chunks, the last
    // task and the last chunk cut short
    for rows in [1, 63, 64, 65, 1025, 5000, 20_001] {
        let data = data(rows, rows as u64);
        let serial = tape.batch(data.view(), &W).unwrap();
        let parallel = tape.par_batch(data.view(), &W).unwrap();
        assert!(bit_identical(
            parallel.outputs.as_slice().unwrap(),
            serial.outputs.as_slice().unwrap()
        ));
        assert_eq!(parallel.sum.to_bits(), serial.sum.to_bits(), "{rows} rows");
        assert!(
            bit_identical(&parallel.gradient, &serial.gradient),
            "{rows} rows"
        );
    }
}

#[test]
fn a_large_tape_in_parallel_is_bit_for_bit_its_serial_batch() {
    // 3000 ops: chunks of few rows (32), each more work than a whole task of the lecture
    // tape, so that each chunk is a task of its own
    let g = Graph::new();
    let (x, w) = (g.constant(0.0), g.var(0.0));
    let mut y = x;
    for i in 0..1000 {
        y = (y * w + (i as f64 / 1000.0)).sin();
    }
    let tape = Tape::compile(y, &[x, w]).unwrap();
    let data = Array2::from_shape_fn((333, 1), |(i, _)| i as f64 / 333.0);
    let serial = tape.batch(data.view(), &[0.9]).unwrap();
    let parallel = tape.par_batch(data.view(), &[0.9]).unwrap();
    assert!(bit_identical(
        parallel.outputs.as_slice().unwrap(),
        serial.outputs.as_slice().unwrap()
    ));
    assert_eq!(parallel.sum.to_bits(), serial.sum.to_bits());
    assert!(bit_identical(&parallel.gradient, &serial.gradient));
}

#[test]
fn constant_parameters_get_zero_gradient_and_all_data_leaves_no_parameters() {
    let g = Graph::new();
    let x = g.var(0.0);
    let k = g.constant(0.0);
    let y = k * x.square(); // y = kx²
    let tape = Tape::compile(y, &[x, k]).unwrap();
    let data = Array2::from_shape_vec((3, 1), vec![1.0, 2.0, 3.0]).unwrap();
    let out = tape.batch(data.view(), &[2.0]).unwrap();
    assert_eq!(out.outputs.to_vec(), [2.0, 8.0, 18.0]);
    assert_eq!(out.gradient, [0.0]); // k is a constant
    let both = Array2::from_shape_vec((2, 2), vec![1.0, 1.0, 2.0, 3.0]).unwrap();
    let out = tape.par_batch(both.view(), &[]).unwrap();
    assert_eq!(
        (out.outputs.to_vec(), out.gradient),
        (vec![1.0, 12.0], vec![])
    );
    // no parameters over many chunks: each chunk still has its sum, added in row order
    let many = Array2::from_shape_fn((3001, 2), |(i, j)| (i + j) as f64 / 1000.0);
    let (serial, parallel) = (
        tape.batch(many.view(), &[]).unwrap(),
        tape.par_batch(many.view(), &[]).unwrap(),
    );
    assert_eq!(parallel.sum.to_bits(), serial.sum.to_bits());
    assert_eq!(
        (parallel.outputs, parallel.gradient),
        (serial.outputs, vec![])
    );
    let none = Array2::<f64>::zeros((4, 0)); // every sample the same: x = 3, k = 1
    let out = tape.batch(none.view(), &[3.0, 1.0]).unwrap();
    assert_eq!((out.sum, out.gradient), (36.0, vec![24.0, 0.0])); // 4 · x², 4 · 2kx
}

#[test]
fn bad_shapes_are_errors_that_name_the_expected_shape() {
    let tape = lecture_tape();
    let wide = Array2::<f64>::zeros((3, 6));
    let e = tape.batch(wide.view(), &[]).unwrap_err();
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
    assert!(e.to_string().contains("columns ≤ 5"), "{e}");
    let ok = Array2::<f64>::zeros((3, 2));
    let e = tape.par_batch(ok.view(), &[1.0, 2.0]).unwrap_err();
    assert_eq!(
        e.to_string(),
        "batch parameters: expected shape [3] (the tape's 5 inputs less 2 data columns), got [2]"
    );
    let empty = Array2::<f64>::zeros((0, 2));
    assert!(matches!(
        tape.batch(empty.view(), &W),
        Err(Error::Shape { .. })
    ));
}

#[test]
fn lane_buffers_reused_across_tapes_of_other_shapes_give_the_same_results() {
    // Each thread keeps its lane buffers between calls; a tape of another shape must find
    // them refitted, with its own parameters and frozen leaves in place.
    let lecture = lecture_tape();
    let g = Graph::new();
    let x = g.constant(0.0);
    let k = g.var(3.0); // frozen leaf
    let y = (x * k).exp() + 1.0; // y = e^{3x} + 1
    let small = Tape::compile(y, &[x]).unwrap();
    let rows = data(300, 7);
    let first = lecture.batch(rows.view(), &W).unwrap();
    let column = rows.column(0).to_owned().insert_axis(ndarray::Axis(1));
    let exp = small.batch(column.view(), &[]).unwrap();
    for (i, &s0) in column.iter().enumerate() {
        assert_eq!(exp.outputs[i], (s0 * 3.0).exp() + 1.0);
    }
    assert_eq!(lecture.batch(rows.view(), &W).unwrap(), first);
    assert_eq!(lecture.par_batch(rows.view(), &W).unwrap(), first);
}

#[test]
fn exponential_lanes_equal_row_replays_bit_for_bit() {
    // eˣ, S(x) and softplus take their lanes' exponentials four at a time where the
    // processor allows: the same numbers as the rows' replays, over the whole range (and
    // as `f64::exp`: the unit tests of `wide.rs`)
    let mut rng = StdRng::seed_from_u64(7);
    let mut column: Vec<f64> = (0..4000).map(|_| rng.random_range(-800.0..700.0)).collect();
    column.extend([
        0.0, -0.0, 1e-300, -1e-300, 5e-324, 1e-17, -1e-17, 0.5, -0.5, 511.999, -511.999, 512.0,
        -512.0, 709.7, -708.4, -745.1, -745.2, -1000.0, 1e-5,
    ]);
    let data = Array2::from_shape_vec((column.len(), 1), column).unwrap();
    type Build = for<'g> fn(Var<'g>) -> Var<'g>;
    let ops: [(&str, Build); 3] = [
        ("exp", |x| x.exp()),
        ("sigmoid", |x| x.sigmoid()),
        ("softplus", |x| x.softplus()),
    ];
    for (name, op) in ops {
        let g = Graph::new();
        let (x, w) = (g.constant(0.0), g.var(1.0));
        let tape = Tape::compile(op(x * w), &[x, w]).unwrap();
        let out = tape.batch(data.view(), &[1.0]).unwrap();
        let mut ws = tape.workspace();
        let mut gradient = 0.0;
        for (i, row) in data.rows().into_iter().enumerate() {
            let (v, grad) = tape.gradient(&mut ws, &[row[0], 1.0]).unwrap();
            assert_eq!(out.outputs[i].to_bits(), v.to_bits(), "{name}({})", row[0]);
            gradient += grad[1];
        }
        assert_close(out.gradient[0], gradient, 1e-12, 1e-300, name);
    }
}

#[test]
fn the_lecture_cost_hessian_from_lanes_matches_differences_of_the_batch_gradient() {
    // column j of the mean cost's Hessian is mean_hvp along the unit vector eⱼ; it must be
    // (∇C̄(w + h eⱼ) − ∇C̄(w − h eⱼ)) / 2h, and symmetric
    let tape = lecture_tape();
    let data = data(5000, 3);
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
    let data = data(1000, 4);
    let hvp = tape.batch_hvp(data.view(), &W, &[1.0, 0.0, 0.0]).unwrap();
    let batch = tape.batch(data.view(), &W).unwrap();
    assert_eq!(hvp.batch.outputs, batch.outputs);
    assert!(close(hvp.batch.sum, batch.sum, 1e-13, 0.0));
    for (a, b) in hvp.batch.gradient.iter().zip(&batch.gradient) {
        assert!(close(*a, *b, 1e-12, 1e-12), "{a} vs {b}");
    }
    assert_eq!(hvp.batch.len(), 1000);
    assert!(close(
        hvp.batch.mean_gradient()[2],
        batch.mean_gradient()[2],
        1e-12,
        1e-14
    ));
}

#[test]
fn a_zero_direction_gives_a_zero_product_and_no_data_columns_repeat_one_sample() {
    let tape = lecture_tape();
    let data = data(300, 5);
    let out = tape.par_batch_hvp(data.view(), &W, &[0.0; 3]).unwrap();
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
        (out.batch.sum, out.batch.gradient.clone(), out.hvp.clone()),
        (72.0, vec![48.0, 36.0], vec![16.0, 24.0])
    );
}

#[test]
fn shapes_that_do_not_fit_are_errors_not_panics() {
    let tape = lecture_tape();
    let ok = data(10, 6);
    let empty = Array2::<f64>::zeros((0, 2));
    let wide = Array2::<f64>::zeros((3, 6));
    for call in [Tape::batch_hvp, Tape::par_batch_hvp] {
        let e = call(&tape, empty.view(), &W, &W).unwrap_err();
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
        let e = call(&tape, ok.view(), &W[..2], &W[..2]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "batch parameters: expected shape [3] (the tape's 5 inputs less 2 data columns), got [2]"
        );
        let e = call(&tape, ok.view(), &W, &[1.0; 4]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "batch direction: expected shape [3] (one number per parameter), got [4]"
        );
    }
}
