//! The digits benchmark's reference (`benches/common/digits.rs`: a 64-32-10 softmax MLP
//! trained by hand in plain loops) against the engine: the same loss and gradient on the
//! same parameters and minibatch, and the same parameters after an epoch of Adam.

#[path = "../benches/common/digits.rs"]
mod hand;

use ndarray::{Array2, Axis};
use nn::optim::{Adam, LrSchedule};
use nn::{Activation, Backend, Compiled, Loss, Mlp, Regularization, Trainer};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::SeedableRng;

fn rows() -> Array2<f64> {
    let digits = nn::datasets::digits().unwrap();
    digits.with_labels(&digits.points)
}

fn mlp(seed: u64) -> Mlp {
    let sizes = [hand::INPUTS, hand::HIDDEN, hand::CLASSES];
    let mut rng = StdRng::seed_from_u64(seed);
    Mlp::new(&sizes, Activation::Relu, Activation::Linear, &mut rng).unwrap()
}

/// `a` and `b` equal within `tolerance` relative to the larger (zeros exactly).
fn close(a: f64, b: f64, tolerance: f64) -> bool {
    a == b || (a - b).abs() <= tolerance * a.abs().max(b.abs())
}

/// The loss sums and gradients of the minibatch `batch` of `data` at `params`: by hand,
/// and by the engine in batch lanes.
fn both(params: &[f64], data: &Array2<f64>, batch: &[usize]) -> [(f64, Vec<f64>); 2] {
    let mut by_hand = vec![0.0; params.len()];
    let flat = data.as_slice().unwrap();
    let hand_loss = hand::loss_sum(params, flat, batch, &mut by_hand);
    let mut net = mlp(0);
    net.set_parameters(params);
    let mut compiled = Compiled::new(&net, Loss::SoftmaxCrossEntropy).unwrap();
    let mut by_engine = vec![0.0; params.len()];
    let minibatch = data.select(Axis(0), batch);
    let engine_loss = compiled
        .loss_sum(params, minibatch.view(), &mut by_engine)
        .unwrap();
    [(hand_loss, by_hand), (engine_loss, by_engine)]
}

#[test]
fn the_hand_written_gradient_is_the_engines_to_1e_12() {
    let data = rows();
    let mut rng = StdRng::seed_from_u64(3);
    let mut order: Vec<usize> = (0..data.nrows()).collect();
    order.shuffle(&mut rng);
    for (seed, batch) in [
        (1, &order[..32]),
        (2, &order[32..33]),
        (3, &order[100..228]),
    ] {
        let params = mlp(seed).parameters().to_vec();
        assert_eq!(params.len(), hand::PARAMETERS);
        let [(hand_loss, by_hand), (engine_loss, by_engine)] = both(&params, &data, batch);
        assert!(
            close(hand_loss, engine_loss, 1e-12),
            "{hand_loss} vs {engine_loss}"
        );
        let mut zeros = 0;
        for (k, (h, e)) in by_hand.iter().zip(&by_engine).enumerate() {
            assert!(
                close(*h, *e, 1e-12),
                "parameter {k}: hand {h} vs engine {e}"
            );
            zeros += usize::from(*h == 0.0);
        }
        // pixels at the images' edges are 0 in every row, and so are their weights'
        // gradients; in a minibatch of many rows, not most of them
        assert!(
            batch.len() < 32 || zeros < by_hand.len() / 2,
            "{zeros} zeros"
        );
    }
}

#[test]
fn huge_logits_give_the_same_finite_loss_and_gradient_by_hand_and_on_the_tape() {
    let data = rows();
    let batch: Vec<usize> = (0..32).collect();
    // every parameter × 300: logits of several hundred, far past where e^z overflows
    let params: Vec<f64> = mlp(4).parameters().iter().map(|p| p * 300.0).collect();
    let [(hand_loss, by_hand), (engine_loss, by_engine)] = both(&params, &data, &batch);
    assert!(hand_loss.is_finite() && hand_loss > 1e3, "{hand_loss}");
    assert!(
        close(hand_loss, engine_loss, 1e-12),
        "{hand_loss} vs {engine_loss}"
    );
    // sums of terms in the thousands that cancel: to 1e-12 of the largest component
    let scale = by_hand.iter().fold(0.0f64, |m, g| m.max(g.abs()));
    assert!(scale.is_finite() && scale > 1.0, "{scale}");
    for (h, e) in by_hand.iter().zip(&by_engine) {
        assert!((h - e).abs() <= 1e-12 * scale, "hand {h} vs engine {e}");
    }
}

#[test]
fn an_epoch_by_hand_ends_where_the_trainers_epoch_ends() {
    let data = rows();
    let net = mlp(5);
    let mut trainer = Trainer::new(
        net.clone(),
        Box::new(Compiled::new(&net, Loss::SoftmaxCrossEntropy).unwrap()),
        Box::new(Adam::new(0.01).unwrap()),
        LrSchedule::Constant(0.01),
        Regularization::None,
        32,
    )
    .unwrap();
    let engine_loss = trainer
        .epoch(data.view(), &mut StdRng::seed_from_u64(6))
        .unwrap();
    // the order the trainer shuffles the rows into
    let mut order: Vec<usize> = (0..data.nrows()).collect();
    order.shuffle(&mut StdRng::seed_from_u64(6));
    let mut params = net.parameters().to_vec();
    let mut adam = hand::Adam::new(0.01, params.len());
    let flat = data.as_slice().unwrap();
    let hand_loss = hand::epoch(&mut params, &mut adam, flat, &order, 32);
    assert!(
        close(hand_loss, engine_loss, 1e-10),
        "{hand_loss} vs {engine_loss}"
    );
    for (h, e) in params.iter().zip(trainer.mlp.parameters()) {
        assert!(
            (h - e).abs() <= 1e-9 * (1.0 + h.abs()),
            "hand {h} vs engine {e}"
        );
    }
}
