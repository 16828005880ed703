//! The lecture network, three ways: the chain rule coded by hand, eager recording per
//! sample, and the compiled tape (replay and batch lanes).
//!
//! Network: x1 = w0 s0, s1 = S(x1), x2 = w1 s1, s2 = S(x2), out = w2 s2,
//! C = ½ (target − out)². Data: 50,000 rows, s0 uniform in [−10, 10] (seeded), target = out
//! at the true weights (−0.2, 2.8, 10).
//!
//! - `lecture_online`: one online epoch, w ← w − 0.01 ∂C/∂w after every row.
//! - `lecture_full_batch`: the mean-cost gradient over all rows.
//!
//! Before each group, prints paired timings: the hand-written reference and each variant
//! timed back to back, round after round (see `common/paired.rs`).
//!
//! Run: `cargo bench --bench lecture -- --warm-up-time 1 --measurement-time 3`

// criterion's `criterion_group!` makes an undocumented function.
#![allow(missing_docs)]

#[path = "common/hand.rs"]
mod hand;
#[path = "common/paired.rs"]
mod paired;

use std::hint::black_box;

use autodiff::{Graph, Tape, Var};
use criterion::{criterion_group, criterion_main, Criterion};
use hand::sigmoid;
use ndarray::Array2;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

const ROWS: usize = 50_000;
const TRUE_W: [f64; 3] = [-0.2, 2.8, 10.0];
const START_W: [f64; 3] = [0.5, 1.5, 5.0];
const RATE: f64 = 0.01;

/// Rows `[s0, target]`.
fn data() -> Array2<f64> {
    let mut rng = StdRng::seed_from_u64(2024);
    let mut data = Array2::zeros((ROWS, 2));
    for mut row in data.rows_mut() {
        let s0: f64 = rng.random_range(-10.0..10.0);
        let [w0, w1, w2] = TRUE_W;
        row[0] = s0;
        row[1] = w2 * sigmoid(w1 * sigmoid(w0 * s0));
    }
    data
}

/// The lecture net recorded on `g`: (C, [s0, target, w0, w1, w2]).
fn record(g: &Graph, s0: f64, target: f64, [w0, w1, w2]: [f64; 3]) -> (Var<'_>, [Var<'_>; 5]) {
    let s0 = g.constant(s0);
    let target = g.constant(target);
    let (w0, w1, w2) = (g.var(w0), g.var(w1), g.var(w2));
    let s1 = (w0 * s0).sigmoid();
    let s2 = (w1 * s1).sigmoid();
    let out = w2 * s2;
    let c = 0.5 * (target - out).square();
    (c, [s0, target, w0, w1, w2])
}

fn eager_online(data: &[f64], mut w: [f64; 3]) -> [f64; 3] {
    for row in data.chunks_exact(2) {
        let g = Graph::new();
        let (c, [_, _, w0, w1, w2]) = record(&g, row[0], row[1], w);
        let grads = c.backward();
        let grad = [grads.wrt(w0), grads.wrt(w1), grads.wrt(w2)];
        for (w, g) in w.iter_mut().zip(grad) {
            *w -= RATE * g;
        }
    }
    w
}

fn tape() -> Tape {
    let g = Graph::new();
    let (c, inputs) = record(&g, 0.0, 0.0, START_W);
    Tape::compile(c, &inputs).expect("the lecture net compiles")
}

fn tape_online(tape: &Tape, data: &[f64], w: [f64; 3]) -> [f64; 3] {
    let mut ws = tape.workspace();
    let mut x = [0.0, 0.0, w[0], w[1], w[2]];
    for row in data.chunks_exact(2) {
        x[0] = row[0];
        x[1] = row[1];
        let (_, grad) = tape.gradient(&mut ws, &x).expect("five inputs");
        for (w, g) in x[2..].iter_mut().zip(&grad[2..]) {
            *w -= RATE * g;
        }
    }
    [x[2], x[3], x[4]]
}

fn online(c: &mut Criterion) {
    let data = data();
    let rows = data.as_slice().expect("standard layout");
    let tape = tape();
    // The three agree before they are timed: tape and eager exactly, hand-written closely.
    let (hand, eager) = (
        hand::online(rows, RATE, START_W),
        eager_online(rows, START_W),
    );
    assert_eq!(tape_online(&tape, rows, START_W), eager);
    for (h, e) in hand.iter().zip(eager) {
        assert!(
            (h - e).abs() <= 1e-9 * e.abs().max(1.0),
            "{hand:?} vs {eager:?}"
        );
    }

    // each timed once per call, by the paired rounds and by criterion alike
    let mut hand = || {
        black_box(hand::online(black_box(rows), RATE, START_W));
    };
    let mut eager = || {
        black_box(eager_online(black_box(rows), START_W));
    };
    let mut replay = || {
        black_box(tape_online(&tape, black_box(rows), START_W));
    };
    paired::compare(
        "lecture_online",
        &mut hand,
        &mut [("eager", &mut eager), ("tape", &mut replay)],
    );

    let mut group = c.benchmark_group("lecture_online");
    group.bench_function("hand_written", |b| b.iter(&mut hand));
    group.bench_function("eager", |b| b.iter(&mut eager));
    group.bench_function("tape", |b| b.iter(&mut replay));
    group.finish();
}

fn full_batch(c: &mut Criterion) {
    let data = data();
    let rows = data.as_slice().expect("standard layout");
    let tape = tape();
    let (hand_cost, hand) = hand::full_batch(rows, START_W);
    let serial = tape.batch(data.view(), &START_W).expect("shapes fit");
    let parallel = tape.par_batch(data.view(), &START_W).expect("shapes fit");
    assert_eq!(serial, parallel);
    assert!((serial.mean() - hand_cost).abs() <= 1e-9 * hand_cost);
    for (h, t) in hand.iter().zip(serial.mean_gradient()) {
        assert!((h - t).abs() <= 1e-9 * h.abs().max(1e-3), "{hand:?} vs {t}");
    }

    // each timed once per call, by the paired rounds and by criterion alike
    let mut hand = || {
        black_box(hand::full_batch(black_box(rows), START_W));
    };
    let mut serial = || {
        black_box(tape.batch(black_box(data.view()), &START_W)).ok();
    };
    let mut parallel = || {
        black_box(tape.par_batch(black_box(data.view()), &START_W)).ok();
    };
    paired::compare(
        "lecture_full_batch",
        &mut hand,
        &mut [("batch", &mut serial), ("par_batch", &mut parallel)],
    );

    let mut group = c.benchmark_group("lecture_full_batch");
    group.bench_function("hand_written", |b| b.iter(&mut hand));
    group.bench_function("batch", |b| b.iter(&mut serial));
    group.bench_function("par_batch", |b| b.iter(&mut parallel));
    group.finish();
}

criterion_group!(benches, online, full_batch);
criterion_main!(benches);
