//! One epoch of minibatch training of a digits classifier: the compiled per-sample tape in
//! batch lanes, against the same network trained by hand.
//!
//! Network: 64-32-10, ReLU hidden layer, linear outputs, softmax cross-entropy (2,410
//! parameters; the per-sample tape has about 5,000 ops). Data: 1,797 rows of 64 features
//! (whole numbers 0–16, divided by 16) and a class 0–9, drawn at random with a fixed
//! seed, the shape of the 8×8 digits data set. An epoch: the rows shuffled (seeded),
//! minibatches of 32, each one Adam step (learning rate 0.01) on the mean loss. Every
//! timed epoch starts from the same parameters and a fresh Adam.
//!
//! - `digits/hand_written`: forward and backward in plain loops, one sample at a time
//!   (`common/digits.rs`), one thread.
//! - `digits/lanes_one_core`: [`nn::Trainer::epoch`] on the compiled tape, each minibatch
//!   in batch lanes (`Tape::batch`).
//! - `digits/lanes_two_cores`: the same, the lanes spread over threads (`Tape::par_batch`).
//! - `digits_batch/{hand_written,lanes_one_core}_{128,512}`: one epoch at larger batches.
//!
//! Before `digits`, prints its paired timings: the hand-written epoch and each variant
//! timed back to back, round after round (see `common/paired.rs`).
//!
//! Run: `cargo bench --bench digits -- --warm-up-time 1 --measurement-time 5`

// criterion's `criterion_group!` makes an undocumented function.
#![allow(missing_docs)]

#[path = "common/digits.rs"]
mod hand;
#[path = "common/digits_tape.rs"]
mod digits_tape;
#[path = "common/paired.rs"]
mod paired;

use std::hint::black_box;

use autodiff::Tape;
use criterion::{criterion_group, criterion_main, Criterion};
use ndarray::{Array2, ArrayView2};
use nn::optim::{Adam, LrSchedule};
use nn::{Activation, Backend, Mlp, Regularization, Trainer};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};

const ROWS: usize = 1797;
const BATCH: usize = 32;
const LR: f64 = 0.01;
const SHUFFLE_SEED: u64 = 7;

/// Random rows shaped like the digits data set: 64 features `k / 16`, then a class 0–9.
fn data() -> Array2<f64> {
    let mut rng = StdRng::seed_from_u64(1797);
    Array2::from_shape_fn((ROWS, hand::COLUMNS), |(_, j)| {
        if j < hand::INPUTS {
            f64::from(rng.random_range(0..=16u8)) / 16.0
        } else {
            f64::from(rng.random_range(0..hand::CLASSES as u8))
        }
    })
}

fn mlp() -> Mlp {
    let sizes = [hand::INPUTS, hand::HIDDEN, hand::CLASSES];
    let mut rng = StdRng::seed_from_u64(64);
    Mlp::new(&sizes, Activation::Relu, Activation::Linear, &mut rng).expect("valid sizes")
}

/// The summed loss of a minibatch on the compiled tape, in batch lanes.
#[derive(Clone)]
struct Lanes {
    tape: Tape,
    parallel: bool,
}

impl Backend for Lanes {
    fn loss_sum(
        &mut self,
        params: &[f64],
        data: ArrayView2<f64>,
        grad: &mut [f64],
    ) -> nn::Result<f64> {
        let out = if self.parallel {
            self.tape.par_batch(data, params)?
        } else {
            self.tape.batch(data, params)?
        };
        grad.copy_from_slice(&out.gradient);
        Ok(out.sum)
    }
}

/// One epoch from `mlp`'s parameters with a fresh Adam, as `nn` trains.
fn engine_epoch(mlp: &Mlp, backend: &Lanes, data: ArrayView2<f64>, batch: usize) -> f64 {
    let mut t = Trainer::new(
        mlp.clone(),
        Box::new(backend.clone()),
        Box::new(Adam::new(LR).expect("valid rate")),
        LrSchedule::Constant(LR),
        Regularization::None,
        batch,
    )
    .expect("valid trainer");
    t.epoch(data, &mut StdRng::seed_from_u64(SHUFFLE_SEED))
        .expect("valid data")
}

/// The same epoch by hand: the rows in the order `Trainer::epoch` shuffles them into.
fn hand_epoch(start: &[f64], data: &[f64], batch: usize) -> f64 {
    let mut order: Vec<usize> = (0..ROWS).collect();
    order.shuffle(&mut StdRng::seed_from_u64(SHUFFLE_SEED));
    let mut p = start.to_vec();
    let mut adam = hand::Adam::new(LR, p.len());
    hand::epoch(&mut p, &mut adam, data, &order, batch)
}

fn digits(c: &mut Criterion) {
    let (data, mlp) = (data(), mlp());
    let rows = data.as_slice().expect("standard layout");
    assert_eq!(mlp.parameters().len(), hand::PARAMETERS);
    let tape = digits_tape::compile(&mlp);
    println!("digits: {} parameters, {} tape ops", hand::PARAMETERS, tape.op_count());
    let one = Lanes {
        tape: tape.clone(),
        parallel: false,
    };
    let two = Lanes {
        tape,
        parallel: true,
    };
    // the same epoch three ways: the same mean loss to rounding
    let loss = hand_epoch(mlp.parameters(), rows, BATCH);
    for backend in [&one, &two] {
        let engine = engine_epoch(&mlp, backend, data.view(), BATCH);
        assert!((engine - loss).abs() <= 1e-9 * loss, "{engine} vs {loss}");
    }

    let mut hand = || {
        black_box(hand_epoch(mlp.parameters(), black_box(rows), BATCH));
    };
    let lanes = |backend: &Lanes| {
        black_box(engine_epoch(&mlp, backend, black_box(data.view()), BATCH));
    };
    paired::compare(
        "digits",
        &mut hand,
        &mut [
            ("lanes_one_core", &mut || lanes(&one)),
            ("lanes_two_cores", &mut || lanes(&two)),
        ],
    );

    let mut group = c.benchmark_group("digits");
    group.sample_size(10);
    group.bench_function("hand_written", |b| b.iter(&mut hand));
    group.bench_function("lanes_one_core", |b| b.iter(|| lanes(&one)));
    group.bench_function("lanes_two_cores", |b| b.iter(|| lanes(&two)));
    group.finish();

    let mut group = c.benchmark_group("digits_batch");
    group.sample_size(10);
    for batch in [128, 512] {
        group.bench_function(format!("hand_written_{batch}"), |b| {
            b.iter(|| black_box(hand_epoch(mlp.parameters(), rows, batch)))
        });
        group.bench_function(format!("lanes_one_core_{batch}"), |b| {
            b.iter(|| black_box(engine_epoch(&mlp, &one, data.view(), batch)))
        });
    }
    group.finish();
}

criterion_group!(benches, digits);
criterion_main!(benches);
