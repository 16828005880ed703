//! The training entry point itself, as `backprop train` runs it, beside a hand-written loop.
//!
//! `lecture::train` with the CLI's settings (compiled tape, a progress bar updated by the
//! progress callback, every step checked for divergence, the trajectory kept only for
//! plots), on 50,000 rows generated from the lecture's weights (−0.2, 2.8, 10) by
//! `lecture::data::Generator`, from w = (1, 1, 1) with alpha 0.01:
//!
//! - `train_online`: 20 online epochs (1,000,000 steps), as `backprop train --epochs 20`
//!   (`train`) and as `backprop train --epochs 20 --plots DIR` (`train_plots`: the
//!   trajectory recorded every 10 steps, 100,000 records, for the plots);
//! - `train_full_batch`: 200 full-batch epochs, as `backprop train --full-batch --epochs 200`.
//!
//! The reference, `hand_written`, does the same steps on the same rows with the chain rule
//! coded by hand (`common/hand.rs`, the same code as `benches/lecture.rs` divides by), and
//! nothing else: no trajectory, no progress, no checks, no final cost. Before each group,
//! paired timings print the ratios (see `common/paired.rs`).
//!
//! Run: `cargo bench --bench train -- --warm-up-time 1 --measurement-time 5`

// criterion's `criterion_group!` makes an undocumented function.
#![allow(missing_docs)]

#[path = "common/hand.rs"]
mod hand;
#[path = "common/paired.rs"]
mod paired;

use std::hint::black_box;

use autodiff::Op;
use criterion::{criterion_group, criterion_main, Criterion};
use indicatif::{ProgressBar, ProgressDrawTarget};
use lecture::data::{Generator, Sample};
use lecture::{train, Config, Net, Schedule, Trained};

const ROWS: usize = 50_000;
const TRUE_W: [f64; 3] = [-0.2, 2.8, 10.0];
const ONLINE_EPOCHS: usize = 20;
const FULL_BATCH_EPOCHS: usize = 200;

fn data() -> Vec<Sample> {
    Generator::new(Net::Lecture, &TRUE_W, (-10.0, 10.0), 1)
        .expect("valid weights and range")
        .take(ROWS)
        .collect()
}

/// `lecture::train` as `backprop train` calls it (`src/cmd/train.rs`, `fit` and
/// `record_every`): the trajectory recorded at most ~100,000 times `for_plots`, else only
/// at the last step; a progress bar moved by the callback.
fn cli_train(data: &[Sample], schedule: Schedule, epochs: usize, for_plots: bool) -> Trained {
    let mut config = Config::new(Net::Lecture);
    config.epochs = epochs;
    config.schedule = schedule;
    let total = schedule.steps(epochs, data.len());
    config.record_every = if for_plots {
        total.div_ceil(100_000).max(1)
    } else {
        total.max(1)
    };
    let bar = ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::hidden());
    let trained = train(data, &config, &mut |step| bar.set_position(step as u64));
    bar.finish_and_clear();
    trained.expect("the lecture net trains on its own data")
}

/// The online epochs with the chain rule by hand, in the tape's order of operations and
/// with the engine's sigmoid (`Op::Sigmoid`, whose derivative is `S(x) S(−x)`): the same
/// weights as `lecture::train`, bit for bit.
fn exact_online(rows: &[f64], rate: f64, mut w: [f64; 3], epochs: usize) -> [f64; 3] {
    for _ in 0..epochs {
        for row in rows.chunks_exact(2) {
            let (s0, target) = (row[0], row[1]);
            let [w0, w1, w2] = w;
            let (s1, ds1) = Op::Sigmoid.eval(s0 * w0, 0.0);
            let (s2, ds2) = Op::Sigmoid.eval(s1 * w1, 0.0);
            let out = s2 * w2;
            // the sweep from C = (target − out)² · 0.5: ∂C/∂out = 0.5 · 2 (target − out) · −1
            // (the product by −1 is exactly a change of sign)
            let d_out = -(0.5 * (2.0 * (target - out)));
            let d_x2 = d_out * w2 * ds2[0];
            let d_x1 = d_x2 * w1 * ds1[0];
            for (w, g) in w.iter_mut().zip([d_x1 * s0, d_x2 * s1, d_out * s2]) {
                *w = lecture::formulas::update(*w, rate, g);
            }
        }
    }
    w
}

fn online(c: &mut Criterion) {
    let data = data();
    let rows: Vec<f64> = data.iter().flat_map(|s| [s.s0, s.out]).collect();
    let config = Config::new(Net::Lecture);
    let start: [f64; 3] = config.init[..].try_into().expect("three weights");
    let schedule = Schedule::Online { shuffle: None };
    let hand_epochs =
        |rows: &[f64]| (0..ONLINE_EPOCHS).fold(start, |w, _| hand::online(rows, config.alpha, w));
    // Before timing: the same weights as the hand-written chain rule, bit for bit with
    // the engine's sigmoid, to rounding with the standard library's.
    let trained = cli_train(&data, schedule, ONLINE_EPOCHS, false);
    let exact = exact_online(&rows, config.alpha, start, ONLINE_EPOCHS);
    assert_eq!(trained.weights, exact);
    let plotted = cli_train(&data, schedule, ONLINE_EPOCHS, true);
    assert_eq!(
        (plotted.weights, plotted.trajectory.len()),
        (exact.to_vec(), 100_000)
    );
    for (t, h) in trained.weights.iter().zip(hand_epochs(&rows)) {
        assert!((t - h).abs() <= 1e-9 * h.abs(), "{t} vs {h}");
    }

    // each timed once per call, by the paired rounds and by criterion alike
    let mut hand = || {
        black_box(hand_epochs(black_box(&rows)));
    };
    let mut entry = || {
        black_box(cli_train(black_box(&data), schedule, ONLINE_EPOCHS, false));
    };
    let mut for_plots = || {
        black_box(cli_train(black_box(&data), schedule, ONLINE_EPOCHS, true));
    };
    paired::compare(
        "train_online",
        &mut hand,
        &mut [("train", &mut entry), ("train_plots", &mut for_plots)],
    );

    let mut group = c.benchmark_group("train_online");
    group.sample_size(10);
    group.bench_function("hand_written", |b| b.iter(&mut hand));
    group.bench_function("train", |b| b.iter(&mut entry));
    group.bench_function("train_plots", |b| b.iter(&mut for_plots));
    group.finish();
}

fn full_batch(c: &mut Criterion) {
    let data = data();
    let rows: Vec<f64> = data.iter().flat_map(|s| [s.s0, s.out]).collect();
    let config = Config::new(Net::Lecture);
    let start: [f64; 3] = config.init[..].try_into().expect("three weights");
    let hand_epochs = |rows: &[f64]| {
        (0..FULL_BATCH_EPOCHS).fold(start, |w, _| {
            let (_, g) = hand::full_batch(rows, w);
            [0, 1, 2].map(|k| w[k] - config.alpha * g[k])
        })
    };
    // Before timing: the same weights to rounding (the lanes sum in another grouping).
    let trained = cli_train(&data, Schedule::FullBatch, FULL_BATCH_EPOCHS, false);
    for (t, h) in trained.weights.iter().zip(hand_epochs(&rows)) {
        assert!((t - h).abs() <= 1e-9 * h.abs(), "{t} vs {h}");
    }

    let mut hand = || {
        black_box(hand_epochs(black_box(&rows)));
    };
    let mut entry = || {
        black_box(cli_train(
            black_box(&data),
            Schedule::FullBatch,
            FULL_BATCH_EPOCHS,
            false,
        ));
    };
    paired::compare("train_full_batch", &mut hand, &mut [("train", &mut entry)]);

    let mut group = c.benchmark_group("train_full_batch");
    group.sample_size(10);
    group.bench_function("hand_written", |b| b.iter(&mut hand));
    group.bench_function("train", |b| b.iter(&mut entry));
    group.finish();
}

criterion_group!(benches, online, full_batch);
criterion_main!(benches);
