//! Second order: Hessian-vector products (forward over reverse) as a multiple of the
//! gradient on the same tape, timed in the same run.
//!
//! - The lecture's mean cost over 50,000 rows (`lecture::Net::Lecture`, data from
//!   `lecture::data::Generator` at the true weights (−0.2, 2.8, 10)), at w = (0.5, 1.5, 5):
//!   `lecture_hvp` (`Tape::batch_hvp`) against `lecture_gradient` (`Tape::batch`), the same
//!   on two threads (`par_…`), the whole 3×3 Hessian as three HVPs (`lecture_hessian`), and
//!   for reference the Hessian written by hand over the rows from the slides' formulas
//!   (`lecture::formulas::cost_hessian`, plain loops: `lecture_hessian_hand_written`).
//! - The `chain_sin` tape (y ← sin(y)/2 + y/2, 10⁶ times, see `benches/chain.rs`):
//!   `chain_sin_hvp` (`Tape::hvp`) against `chain_sin_gradient` (`Tape::gradient`).
//!
//! Before the group, paired timings print each ratio to the gradient (see
//! `common/paired.rs`). Target: HVP ≤ 3× the gradient.
//!
//! Run: `cargo bench --bench second_order -- --warm-up-time 1 --measurement-time 3`

// criterion's `criterion_group!` makes an undocumented function.
#![allow(missing_docs)]

#[path = "common/hand.rs"]
#[allow(dead_code)] // the online epoch is for the other benchmarks
mod hand;
#[path = "common/paired.rs"]
mod paired;
#[path = "common/sin_chain.rs"]
mod sin_chain;

use std::hint::black_box;

use autodiff::{Graph, Tape};
use criterion::{criterion_group, criterion_main, Criterion};
use lecture::data::Generator;
use lecture::formulas::cost_hessian;
use lecture::{Net, Point};
use ndarray::Array2;
use sin_chain::sin_tape;

const ROWS: usize = 50_000;
const TRUE_W: [f64; 3] = [-0.2, 2.8, 10.0];
const W: [f64; 3] = [0.5, 1.5, 5.0];
/// The direction of the timed HVP.
const V: [f64; 3] = [1.0, -0.5, 0.25];

/// Rows `[s0, target]` from the lecture's generator.
fn data() -> Array2<f64> {
    let samples = Generator::new(Net::Lecture, &TRUE_W, (-10.0, 10.0), 1)
        .expect("valid weights and range")
        .take(ROWS);
    let rows: Vec<f64> = samples.flat_map(|s| [s.s0, s.out]).collect();
    Array2::from_shape_vec((ROWS, 2), rows).expect("two columns")
}

/// The lecture net's cost compiled with inputs `[s0, target, w0, w1, w2]`.
fn lecture_tape() -> Tape {
    let g = Graph::new();
    let point = Point {
        weights: W.to_vec(),
        s0: 0.0,
        target: 0.0,
    };
    let built = Net::Lecture.build(&g, &point).expect("the lecture net");
    let mut leaves = vec![built.s0, built.target];
    leaves.extend(&built.weights);
    Tape::compile(built.cost, &leaves).expect("the lecture net compiles")
}

/// The mean cost's Hessian by hand: per row one forward pass, then the slides' second
/// derivatives (`cost_hessian`), summed.
#[inline(never)] // a function of its own, so that callgrind counts its instructions
fn hand_hessian(rows: &[f64], [w0, w1, w2]: [f64; 3]) -> [[f64; 3]; 3] {
    let mut h = [[0.0; 3]; 3];
    for row in rows.chunks_exact(2) {
        let (s0, target) = (row[0], row[1]);
        let s1 = hand::sigmoid(w0 * s0);
        let s2 = hand::sigmoid(w1 * s1);
        let row_h = cost_hessian(s0, s1, s2, w2 * s2, target, w1, w2);
        for (acc, r) in h.iter_mut().flatten().zip(row_h.iter().flatten()) {
            *acc += r;
        }
    }
    let n = (rows.len() / 2) as f64;
    h.map(|row| row.map(|x| x / n))
}

/// The mean cost's Hessian from the tape: one `batch_hvp` per unit vector.
fn tape_hessian(tape: &Tape, data: &Array2<f64>) -> [[f64; 3]; 3] {
    let mut h = [[0.0; 3]; 3];
    for j in 0..3 {
        let mut unit = [0.0; 3];
        unit[j] = 1.0;
        let column = tape.batch_hvp(data.view(), &W, &unit).expect("shapes fit");
        for (i, x) in column.mean_hvp().into_iter().enumerate() {
            h[i][j] = x;
        }
    }
    h
}

fn lecture(c: &mut Criterion) {
    let data = data();
    let rows = data.as_slice().expect("standard layout");
    let tape = lecture_tape();
    // Before timing: the tape's Hessian is the slides' to rounding, par = serial exactly.
    let (hand, taped) = (hand_hessian(rows, W), tape_hessian(&tape, &data));
    for (h, t) in hand.iter().flatten().zip(taped.iter().flatten()) {
        assert!(
            (h - t).abs() <= 1e-9 * h.abs().max(1e-3),
            "{hand:?} vs {taped:?}"
        );
    }
    let serial = tape.batch_hvp(data.view(), &W, &V).expect("shapes fit");
    assert_eq!(
        serial,
        tape.par_batch_hvp(data.view(), &W, &V).expect("shapes fit")
    );

    // each timed once per call, by the paired rounds and by criterion alike
    let mut gradient = || {
        black_box(tape.batch(black_box(data.view()), &W)).ok();
    };
    let mut hvp = || {
        black_box(tape.batch_hvp(black_box(data.view()), &W, &V)).ok();
    };
    let mut hessian = || {
        black_box(tape_hessian(&tape, black_box(&data)));
    };
    let mut hand_written = || {
        black_box(hand_hessian(black_box(rows), W));
    };
    let mut hand_gradient = || {
        black_box(hand::full_batch(black_box(rows), W));
    };
    let mut par_gradient = || {
        black_box(tape.par_batch(black_box(data.view()), &W)).ok();
    };
    let mut par_hvp = || {
        black_box(tape.par_batch_hvp(black_box(data.view()), &W, &V)).ok();
    };
    paired::compare_to(
        "second_order",
        "lecture_gradient",
        &mut gradient,
        &mut [
            ("lecture_hvp", &mut hvp),
            ("lecture_hessian", &mut hessian),
            ("lecture_hessian_hand_written", &mut hand_written),
            ("lecture_gradient_hand_written", &mut hand_gradient),
        ],
    );
    paired::compare_to(
        "second_order",
        "lecture_par_gradient",
        &mut par_gradient,
        &mut [("lecture_par_hvp", &mut par_hvp)],
    );

    let mut group = c.benchmark_group("second_order");
    group.bench_function("lecture_gradient", |b| b.iter(&mut gradient));
    group.bench_function("lecture_hvp", |b| b.iter(&mut hvp));
    group.bench_function("lecture_hessian", |b| b.iter(&mut hessian));
    group.bench_function("lecture_hessian_hand_written", |b| {
        b.iter(&mut hand_written)
    });
    group.bench_function("lecture_gradient_hand_written", |b| {
        b.iter(&mut hand_gradient)
    });
    group.bench_function("lecture_par_gradient", |b| b.iter(&mut par_gradient));
    group.bench_function("lecture_par_hvp", |b| b.iter(&mut par_hvp));
    group.finish();
}

fn chain_sin(c: &mut Criterion) {
    let tape = sin_tape();
    let mut ws = tape.workspace();
    // Before timing: the HVP along 1 is d²y/dx², which differences of the gradient confirm.
    let step = 1e-5;
    let (_, up) = tape.gradient(&mut ws, &[1.0 + step]).expect("one input");
    let up = up[0];
    let (_, down) = tape.gradient(&mut ws, &[1.0 - step]).expect("one input");
    let fd = (up - down[0]) / (2.0 * step);
    let (_, _, hv) = tape.hvp(&mut ws, &[1.0], &[1.0]).expect("one input");
    assert!(
        (hv[0] - fd).abs() <= 1e-5 * fd.abs().max(1.0),
        "{} vs {fd}",
        hv[0]
    );

    let mut ws_hvp = tape.workspace();
    let mut gradient = || {
        let (v, grad) = tape
            .gradient(&mut ws, black_box(&[1.0]))
            .expect("one input");
        black_box((v, grad[0]));
    };
    let mut hvp = || {
        let (v, grad, hv) = tape
            .hvp(&mut ws_hvp, black_box(&[1.0]), &[1.0])
            .expect("one input");
        black_box((v, grad[0], hv[0]));
    };
    paired::compare_to(
        "second_order",
        "chain_sin_gradient",
        &mut gradient,
        &mut [("chain_sin_hvp", &mut hvp)],
    );

    let mut group = c.benchmark_group("second_order");
    group.sample_size(10);
    group.bench_function("chain_sin_gradient", |b| b.iter(&mut gradient));
    group.bench_function("chain_sin_hvp", |b| b.iter(&mut hvp));
    group.finish();
}

criterion_group!(benches, lecture, chain_sin);
criterion_main!(benches);
