//! One epoch of minibatch training of a digits classifier: the compiled per-sample tape in
//! batch lanes, against the same network trained by hand.
//!
//! Network: 64-32-10, ReLU hidden layer, linear outputs, softmax cross-entropy (2,410
//! parameters; the per-sample tape has about 5,000 ops). Data: the 1,797 images of the 8×8
//! digits data set (`nn::datasets::digits`, 64 pixels scaled to [0, 1], the digit as the
//! class). An epoch: the rows shuffled (seeded),
//! minibatches of 32, each one Adam step (learning rate 0.01) on the mean loss. Every
//! timed epoch starts from the same parameters and a fresh Adam.
//!
//! - `digits/hand_written`: forward and backward in plain loops, one sample at a time
//!   (`common/digits.rs`), one thread.
//! - `digits/lanes_one_core`: [`nn::Trainer::epoch`] on the compiled tape, each minibatch
//!   in batch lanes (`Tape::batch`).
//! - `digits/lanes_two_cores`: the same, the lanes spread over threads (`Tape::par_batch`).
//! - `digits_batch/{hand_written,lanes_one_core,lanes_two_cores}_{128,512}`: one epoch at
//!   larger batches (a batch of 32 is one chunk of lanes, which one thread runs; 128 rows
//!   are four).
//!
//! Before `digits`, prints its paired timings: the hand-written epoch and each variant
//! timed back to back, round after round (see `common/paired.rs`).
//!
//! Run: `cargo bench --bench digits -- --warm-up-time 1 --measurement-time 5`

// criterion's `criterion_group!` makes an undocumented function.
#![allow(missing_docs)]

#[path = "common/digits.rs"]
mod hand;
#[path = "common/paired.rs"]
mod paired;

use std::hint::black_box;
use std::sync::{Arc, Mutex};

use criterion::{criterion_group, criterion_main, Criterion};
use ndarray::{Array2, ArrayView2};
use nn::optim::{Adam, LrSchedule};
use nn::{Activation, Backend, Compiled, Loss, Mlp, Regularization, Trainer};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::SeedableRng;

const BATCH: usize = 32;
const LR: f64 = 0.01;
const SHUFFLE_SEED: u64 = 7;

/// The digits data set: 64 pixels, then the digit.
fn data() -> Array2<f64> {
    let digits = nn::datasets::digits().expect("the digits ship with nn");
    digits.with_labels(&digits.points)
}

fn mlp() -> Mlp {
    let sizes = [hand::INPUTS, hand::HIDDEN, hand::CLASSES];
    let mut rng = StdRng::seed_from_u64(64);
    Mlp::new(&sizes, Activation::Relu, Activation::Linear, &mut rng).expect("valid sizes")
}

/// A compiled backend shared by the timed epochs, so that each does not compile or clone
/// the tape again.
#[derive(Clone)]
struct Shared(Arc<Mutex<Compiled>>);

impl Shared {
    fn new(compiled: &Compiled, parallel: bool) -> Self {
        Shared(Arc::new(Mutex::new(compiled.clone().parallel(parallel))))
    }
}

impl Backend for Shared {
    fn loss_sum(
        &mut self,
        params: &[f64],
        data: ArrayView2<f64>,
        grad: &mut [f64],
    ) -> nn::Result<f64> {
        let mut compiled = self.0.lock().expect("no epoch panicked");
        compiled.loss_sum(params, data, grad)
    }
}

/// One epoch from `mlp`'s parameters with a fresh Adam, as `nn` trains.
fn engine_epoch(mlp: &Mlp, backend: &Shared, data: ArrayView2<f64>, batch: usize) -> f64 {
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
    let mut order: Vec<usize> = (0..data.len() / hand::COLUMNS).collect();
    order.shuffle(&mut StdRng::seed_from_u64(SHUFFLE_SEED));
    let mut p = start.to_vec();
    let mut adam = hand::Adam::new(LR, p.len());
    hand::epoch(&mut p, &mut adam, data, &order, batch)
}

fn digits(c: &mut Criterion) {
    let (data, mlp) = (data(), mlp());
    let rows = data.as_slice().expect("standard layout");
    assert_eq!(mlp.parameters().len(), hand::PARAMETERS);
    // one tape for both: a clone keeps the tape's identity, so that the lanes keep its plan
    // (each thread keeps the plan of the last tape it ran)
    let compiled = Compiled::new(&mlp, Loss::SoftmaxCrossEntropy).expect("compiles");
    let (one, two) = (Shared::new(&compiled, false), Shared::new(&compiled, true));
    let ops = one.0.lock().expect("not poisoned").tape().op_count();
    println!("digits: {} parameters, {ops} tape ops", hand::PARAMETERS);
    // the same epoch three ways: the same mean loss to rounding
    let loss = hand_epoch(mlp.parameters(), rows, BATCH);
    for backend in [&one, &two] {
        let engine = engine_epoch(&mlp, backend, data.view(), BATCH);
        assert!((engine - loss).abs() <= 1e-9 * loss, "{engine} vs {loss}");
    }

    let mut hand = || {
        black_box(hand_epoch(mlp.parameters(), black_box(rows), BATCH));
    };
    let lanes = |backend: &Shared| {
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
        group.bench_function(format!("lanes_two_cores_{batch}"), |b| {
            b.iter(|| black_box(engine_epoch(&mlp, &two, data.view(), batch)))
        });
    }
    group.finish();
}

criterion_group!(benches, digits);
criterion_main!(benches);
