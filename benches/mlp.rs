//! One full-batch training step of micrograd's demo network, on the compiled tape and by a
//! hand-written backward pass of the same network.
//!
//! Network: 2-16-16-1, ReLU hidden layers, linear output (337 parameters). Data: 100
//! two-moons points, noise 0.1, labels ±1. Objective: `mean(relu(1 − yᵢ·scoreᵢ)) +
//! 1e-4·Σp²`. A step computes the objective's gradient and applies `p ← p − lr·∇`.
//!
//! - `mlp/hand_written`: forward and backward coded by hand, with the chain rule per layer.
//! - `mlp/tape_batch_lanes`: [`nn::Trainer::step`] on the compiled per-sample tape, all 100
//!   rows in batch lanes (`Tape::batch`).
//! - `mlp/tape_rows`: the same tape replayed row by row in a reused workspace.
//! - `mlp/eager`: a fresh graph recorded per step.
//! - `mlp_minibatch/{1,10,1000}_{lanes,rows}`: one step on a minibatch of that many rows, in
//!   batch lanes or row by row.
//!
//! Before `mlp`, prints its paired timings: the hand-written step and each variant timed
//! back to back, round after round (see `common/paired.rs`).
//!
//! Run: `cargo bench --bench mlp -- --warm-up-time 1 --measurement-time 3`

// criterion's `criterion_group!` makes an undocumented function.
#![allow(missing_docs)]

#[path = "common/paired.rs"]
mod paired;

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use ndarray::Array2;
use nn::datasets::Problem;
use nn::optim::{LrSchedule, Sgd};
use nn::{Activation, Backend, Compiled, Eager, Loss, Mlp, Regularization, Trainer};
use rand::rngs::StdRng;
use rand::SeedableRng;

const H: usize = 16;
const ALPHA: f64 = 1e-4;
const LR: f64 = 0.5;

/// The demo's data (rows x1, x2, y) and a freshly initialised network.
fn setup() -> (Array2<f64>, Mlp) {
    let mut rng = StdRng::seed_from_u64(1337);
    let data = Problem::Moons
        .generate(100, 0.1, &mut rng)
        .expect("valid problem");
    let rows = data.with_labels(&data.points);
    let mlp = Mlp::new(
        &[2, H, H, 1],
        Activation::Relu,
        Activation::Linear,
        &mut rng,
    )
    .expect("valid sizes");
    (rows, mlp)
}

/// The gradient of the objective, by hand; parameters laid out as `Mlp` lays them out
/// (per layer: weights row by row, then biases). Returns the objective.
fn hand_gradient(p: &[f64], rows: &Array2<f64>, grad: &mut [f64]) -> f64 {
    let (w1, rest) = p.split_at(2 * H);
    let (b1, rest) = rest.split_at(H);
    let (w2, rest) = rest.split_at(H * H);
    let (b2, rest) = rest.split_at(H);
    let (w3, b3) = rest.split_at(H);
    grad.fill(0.0);
    let n = rows.nrows() as f64;
    let mut loss = 0.0;
    let (mut z1, mut h1, mut z2, mut h2) = ([0.0; H], [0.0; H], [0.0; H], [0.0; H]);
    for row in rows.rows() {
        let (x, y) = ([row[0], row[1]], row[2]);
        for j in 0..H {
            z1[j] = b1[j] + w1[2 * j] * x[0] + w1[2 * j + 1] * x[1];
            h1[j] = z1[j].max(0.0);
        }
        for j in 0..H {
            z2[j] = b2[j] + (0..H).map(|i| w2[j * H + i] * h1[i]).sum::<f64>();
            h2[j] = z2[j].max(0.0);
        }
        let score = b3[0] + (0..H).map(|i| w3[i] * h2[i]).sum::<f64>();
        let margin = 1.0 - y * score;
        if margin <= 0.0 {
            continue; // relu(margin) = 0 and relu' = 0: no loss, no gradient
        }
        loss += margin;
        let ds = -y / n; // ∂(mean loss)/∂score
        let (g_w1, g) = grad.split_at_mut(2 * H);
        let (g_b1, g) = g.split_at_mut(H);
        let (g_w2, g) = g.split_at_mut(H * H);
        let (g_b2, g) = g.split_at_mut(H);
        let (g_w3, g_b3) = g.split_at_mut(H);
        g_b3[0] += ds;
        let mut dz2 = [0.0; H];
        for j in 0..H {
            g_w3[j] += ds * h2[j];
            dz2[j] = if z2[j] > 0.0 { ds * w3[j] } else { 0.0 };
        }
        let mut dh1 = [0.0; H];
        for j in 0..H {
            g_b2[j] += dz2[j];
            for i in 0..H {
                g_w2[j * H + i] += dz2[j] * h1[i];
                dh1[i] += dz2[j] * w2[j * H + i];
            }
        }
        for j in 0..H {
            let dz1 = if z1[j] > 0.0 { dh1[j] } else { 0.0 };
            g_b1[j] += dz1;
            g_w1[2 * j] += dz1 * x[0];
            g_w1[2 * j + 1] += dz1 * x[1];
        }
    }
    let mut reg = 0.0;
    for (g, w) in grad.iter_mut().zip(p) {
        reg += w * w;
        *g += 2.0 * ALPHA * w;
    }
    loss / n + ALPHA * reg
}

fn trainer(mlp: &Mlp, backend: Box<dyn Backend + Send>) -> Trainer {
    Trainer::new(
        mlp.clone(),
        backend,
        Box::new(Sgd::new(LR).expect("valid rate")),
        LrSchedule::Constant(LR),
        Regularization::L2(ALPHA),
        100,
    )
    .expect("valid trainer")
}

fn mlp_step(c: &mut Criterion) {
    let (rows, mlp) = setup();

    // The benchmarks below compute the same gradient: check it once.
    let mut hand = vec![0.0; mlp.parameters().len()];
    let hand_loss = hand_gradient(mlp.parameters(), &rows, &mut hand);
    let mut t = trainer(
        &mlp,
        Box::new(Compiled::new(&mlp, Loss::Hinge).expect("compiles")),
    );
    let (tape_loss, tape) = t.objective(rows.view()).expect("valid batch");
    assert!((hand_loss - tape_loss).abs() <= 1e-12 * hand_loss.abs());
    for (a, b) in hand.iter().zip(tape) {
        assert!(
            (a - b).abs() <= 1e-12 + 1e-9 * a.abs(),
            "hand {a} vs tape {b}"
        );
    }

    // Every timed step starts from the network's initial parameters, so that all variants do
    // the same work: the hand-written pass skips the rows whose hinge margin is met, and a
    // network that went on training would meet more of them step after step.
    let start = mlp.parameters().to_vec();
    let mut p = start.clone();
    let mut grad = vec![0.0; p.len()];
    let mut hand_step = || {
        p.copy_from_slice(&start);
        let loss = hand_gradient(&p, &rows, &mut grad);
        for (w, g) in p.iter_mut().zip(&grad) {
            *w -= LR * g;
        }
        black_box(loss);
    };
    let compiled = |lanes_from| {
        let backend = Compiled::new(&mlp, Loss::Hinge)
            .expect("compiles")
            .lanes_from(lanes_from);
        trainer(&mlp, Box::new(backend))
    };
    let (mut lanes, mut by_rows) = (compiled(1), compiled(usize::MAX));
    let mut eager = trainer(&mlp, Box::new(Eager::new(&mlp, Loss::Hinge)));
    let step = |t: &mut Trainer| {
        t.mlp.parameters_mut().copy_from_slice(&start);
        black_box(t.step(rows.view()).expect("valid batch"));
    };
    paired::compare(
        "mlp",
        &mut hand_step,
        &mut [
            ("tape_batch_lanes", &mut || step(&mut lanes)),
            ("tape_rows", &mut || step(&mut by_rows)),
            ("eager", &mut || step(&mut eager)),
        ],
    );

    let mut group = c.benchmark_group("mlp");
    group.bench_function("hand_written", |b| b.iter(&mut hand_step));
    group.bench_function("tape_batch_lanes", |b| b.iter(|| step(&mut lanes)));
    group.bench_function("tape_rows", |b| b.iter(|| step(&mut by_rows)));
    group.bench_function("eager", |b| b.iter(|| step(&mut eager)));
    group.finish();
}

/// A minibatch step of 1, 10 and 1,000 rows (a single sample, the playground's default
/// batch, and a large one): batch lanes against row-by-row replay, which decides
/// `Compiled::LANES_FROM`.
fn minibatch(c: &mut Criterion) {
    let (rows, mlp) = setup();
    let mut group = c.benchmark_group("mlp_minibatch");
    let big = ndarray::concatenate(ndarray::Axis(0), &[rows.view(); 10]).expect("same columns");
    for (n, data) in [
        (
            1,
            rows.slice_axis(ndarray::Axis(0), ndarray::Slice::from(..1)),
        ),
        (
            10,
            rows.slice_axis(ndarray::Axis(0), ndarray::Slice::from(..10)),
        ),
        (1000, big.view()),
    ] {
        for (name, from) in [("lanes", 1), ("rows", usize::MAX)] {
            group.bench_function(format!("{n}_{name}"), |b| {
                let backend = Compiled::new(&mlp, Loss::Hinge)
                    .expect("compiles")
                    .lanes_from(from);
                let mut t = trainer(&mlp, Box::new(backend));
                b.iter(|| black_box(t.step(data).expect("valid batch")))
            });
        }
    }
    group.finish();
}

criterion_group!(benches, mlp_step, minibatch);
criterion_main!(benches);
