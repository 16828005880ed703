//! Batch HVP lanes against the plain version, [`Tape::hvp`] row by row: each sample's
//! numbers are the same, so the sums grouped as the lanes group them (a running sum per
//! chunk, then the chunks in order) are equal bit for bit, NaN and infinities included.

use ndarray::{array, Array2};

use super::super::hvp_lanes::HvpLanes;
use crate::compiled::wide::same;
use crate::{Graph, Tape};

/// `[outputs…]` and `[sum, gradient…, hvp…]` from [`Tape::hvp`] per row, summed in chunks
/// of `width` rows (a running sum from 0 in each), then the chunks in order.
fn row_by_row(
    tape: &Tape,
    data: &Array2<f64>,
    params: &[f64],
    direction: &[f64],
    width: usize,
) -> (Vec<f64>, Vec<f64>) {
    let p = params.len();
    let mut ws = tape.workspace();
    let mut t = vec![0.0; data.ncols()];
    t.extend_from_slice(direction);
    let mut outputs = Vec::new();
    let mut total = vec![0.0; 1 + 2 * p];
    for chunk in data.axis_chunks_iter(ndarray::Axis(0), width) {
        let mut sums = vec![0.0; 1 + 2 * p];
        for row in chunk.rows() {
            let inputs: Vec<f64> = row.iter().chain(params).copied().collect();
            let (v, g, hv) = tape.hvp(&mut ws, &inputs, &t).unwrap();
            outputs.push(v);
            sums[0] += v;
            for j in 0..p {
                sums[1 + j] += g[data.ncols() + j];
                sums[1 + p + j] += hv[data.ncols() + j];
            }
        }
        for (t, s) in total.iter_mut().zip(&sums) {
            *t += s;
        }
    }
    (outputs, total)
}

/// `batch_hvp` and `par_batch_hvp` are [`row_by_row`] bit for bit (a NaN matches any NaN).
#[track_caller]
fn assert_lanes_are_row_by_row(tape: &Tape, data: &Array2<f64>, params: &[f64], v: &[f64]) {
    let width = HvpLanes::new(tape, data.ncols(), params, v).width();
    let (outputs, total) = row_by_row(tape, data, params, v, width);
    let p = params.len();
    for out in [
        tape.batch_hvp(data.view(), params, v).unwrap(),
        tape.par_batch_hvp(data.view(), params, v).unwrap(),
    ] {
        for (i, (&got, &want)) in out.batch.outputs.iter().zip(&outputs).enumerate() {
            assert!(same(got, want), "output {i}: {got} vs {want}");
        }
        assert!(
            same(out.batch.sum, total[0]),
            "sum {} vs {}",
            out.batch.sum,
            total[0]
        );
        for j in 0..p {
            let (g, h) = (out.batch.gradient[j], out.hvp[j]);
            assert!(
                same(g, total[1 + j]),
                "gradient {j}: {g} vs {}",
                total[1 + j]
            );
            assert!(
                same(h, total[1 + p + j]),
                "hvp {j}: {h} vs {}",
                total[1 + p + j]
            );
        }
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
fn lecture_cost_over_many_chunks_is_the_row_by_row_hvp() {
    let tape = lecture_tape();
    // one partial chunk, exactly one chunk, many chunks and tasks with a short last one
    for rows in [1, 7, 128, 129, 3001] {
        let data = lecture_rows(rows);
        assert_lanes_are_row_by_row(&tape, &data, &[0.7, -1.3, 4.0], &[0.3, -2.0, 0.5]);
    }
}

#[test]
fn nan_infinite_and_subnormal_inputs_give_the_row_by_row_numbers() {
    let tape = lecture_tape();
    let tiny = f64::MIN_POSITIVE / 8.0; // subnormal
    let data = array![
        [1.0, 2.0],
        [tiny, -tiny],
        [f64::INFINITY, 1.0],
        [-f64::INFINITY, 3.0],
        [0.5, f64::NAN],
        [-0.0, 0.0],
        [1e300, -1e300],
    ];
    assert_lanes_are_row_by_row(&tape, &data, &[0.7, -1.3, 4.0], &[1.0, 1.0, 1.0]);
    // parameters and directions that are not finite either
    assert_lanes_are_row_by_row(
        &tape,
        &data,
        &[f64::NAN, 1.0, tiny],
        &[0.0, f64::INFINITY, 1.0],
    );
    let clean = lecture_rows(300);
    assert_lanes_are_row_by_row(&tape, &clean, &[0.7, -1.3, 4.0], &[tiny, -tiny, 0.0]);
}

#[test]
fn every_op_in_lanes_is_the_row_by_row_hvp() {
    // every op of the table between a data column x and parameters (w, u): the exponential
    // ops through the lanes' vector exp, the kinks, and inputs where partials are infinite
    for op in crate::Op::all(1.5).filter(|op| !op.is_leaf()) {
        let g = Graph::new();
        let (x, w, u) = (g.constant(0.0), g.var(0.0), g.var(0.0));
        let (a, b) = (x * w + u, u - x);
        let y = if op.arity() == 2 {
            a.binary(op, b)
        } else {
            a.unary(op)
        };
        let out = y * w.sin() + y.square();
        let tape = Tape::compile(out, &[x, w, u]).unwrap();
        let data = Array2::from_shape_fn((140, 1), |(i, _)| i as f64 * 0.05 - 3.5);
        assert_lanes_are_row_by_row(&tape, &data, &[0.8, 0.0], &[1.0, -0.5]);
    }
}

#[test]
fn a_long_chain_and_a_constant_parameter_are_the_row_by_row_hvp() {
    // y ← sin(y)/2 + y/2 from y = x·w, 500 times; k is constant (no gradient, no HVP)
    let g = Graph::new();
    let (x, w, k) = (g.constant(0.0), g.var(0.0), g.constant(0.0));
    let mut y = x * w;
    for _ in 0..500 {
        y = y.sin() * 0.5 + y * 0.5;
    }
    let tape = Tape::compile(y * k, &[x, w, k]).unwrap();
    let data = Array2::from_shape_fn((77, 1), |(i, _)| i as f64 * 0.1 - 2.0);
    assert_lanes_are_row_by_row(&tape, &data, &[0.9, 1.5], &[1.0, 1.0]);
    let out = tape
        .batch_hvp(data.view(), &[0.9, 1.5], &[1.0, 1.0])
        .unwrap();
    assert_eq!((out.batch.gradient[1], out.hvp[1]), (0.0, 0.0));
}

#[test]
fn an_output_that_is_a_parameter_or_a_data_column_has_no_curvature() {
    let g = Graph::new();
    let (x, w) = (g.constant(0.0), g.var(0.0));
    let data = array![[1.0], [2.0], [3.0]];
    let tape = Tape::compile(w, &[x, w]).unwrap();
    let out = tape.batch_hvp(data.view(), &[5.0], &[1.0]).unwrap();
    assert_eq!(
        (out.batch.sum, out.batch.gradient[0], out.hvp[0]),
        (15.0, 3.0, 0.0)
    );
    let tape = Tape::compile(x, &[x, w]).unwrap();
    let out = tape.batch_hvp(data.view(), &[5.0], &[1.0]).unwrap();
    assert_eq!(
        (out.batch.sum, out.batch.gradient[0], out.hvp[0]),
        (6.0, 0.0, 0.0)
    );
}

#[test]
fn a_large_tape_in_chunks_of_few_rows_is_the_row_by_row_hvp() {
    // 3000 ops: chunks of 8 rows, each a task of its own in parallel
    let g = Graph::new();
    let (x, w, u) = (g.constant(0.0), g.var(0.0), g.var(0.0));
    let mut y = x;
    for i in 0..1000 {
        y = (y * w + u * (i as f64 / 1000.0)).sin();
    }
    let tape = Tape::compile(y, &[x, w, u]).unwrap();
    assert_eq!(HvpLanes::new(&tape, 1, &[0.9, 0.2], &[1.0, 1.0]).width(), 8);
    let data = Array2::from_shape_fn((101, 1), |(i, _)| i as f64 / 101.0);
    assert_lanes_are_row_by_row(&tape, &data, &[0.9, 0.2], &[1.0, -2.0]);
}

#[test]
fn data_in_column_major_order_gives_the_same_numbers() {
    use ndarray::ShapeBuilder;
    let tape = lecture_tape();
    let data = lecture_rows(300);
    let mut by_columns = Array2::zeros(data.raw_dim().f());
    by_columns.assign(&data);
    let (w, v) = ([0.7, -1.3, 4.0], [0.3, -2.0, 0.5]);
    let rows = tape.batch_hvp(data.view(), &w, &v).unwrap();
    assert_eq!(tape.batch_hvp(by_columns.view(), &w, &v).unwrap(), rows);
    assert_eq!(tape.par_batch_hvp(by_columns.view(), &w, &v).unwrap(), rows);
}

#[test]
fn a_tape_too_large_for_lanes_runs_row_by_row_with_the_same_numbers() {
    // lanes limited to 0 bytes: every chunk row by row through Tape::hvp, chunk for chunk
    // the lanes' outputs and sums, bit for bit, NaN and infinities included
    let tape = lecture_tape();
    let mut data = lecture_rows(300);
    data[[5, 0]] = f64::NAN;
    data[[140, 1]] = f64::INFINITY;
    let (w, v) = ([0.7, -1.3, 4.0], [0.3, -2.0, 0.5]);
    let mut lanes = HvpLanes::new(&tape, 2, &w, &v);
    let mut rows = HvpLanes::at_most(&tape, 2, &w, &v, 0);
    assert_eq!(rows.width(), lanes.width());
    for chunk in data.axis_chunks_iter(ndarray::Axis(0), lanes.width()) {
        let n = chunk.nrows();
        let (mut out, mut sums) = (vec![0.0; n], vec![0.0; 7]);
        let (mut out_rows, mut sums_rows) = (vec![1.0; n], vec![1.0; 7]);
        lanes.run(&tape, chunk, &mut out, &mut sums).unwrap();
        rows.run(&tape, chunk, &mut out_rows, &mut sums_rows)
            .unwrap();
        for (a, b) in out.iter().zip(&out_rows).chain(sums.iter().zip(&sums_rows)) {
            assert!(same(*a, *b), "{a} vs {b}");
        }
    }
}

#[test]
fn a_tape_of_half_a_million_nodes_gives_the_row_by_row_hvp() {
    // 70,000 steps of y ← sin(y·w)/2 + y/2: 280,000 ops, past the lanes' memory limit
    let g = Graph::new();
    let (x, w) = (g.constant(0.0), g.var(0.0));
    let mut y = x;
    for _ in 0..70_000 {
        y = (y * w).sin() * 0.5 + y * 0.5;
    }
    let tape = Tape::compile(y, &[x, w]).unwrap();
    let data = array![[0.5], [1.0], [-0.25]];
    assert_lanes_are_row_by_row(&tape, &data, &[0.9], &[1.0]);
}
