//! A softmax network learns the 8×8 handwritten digits: 1,797 images of 64 pixels, ten
//! classes. The same library calls as the playground's two-input nets, with more inputs,
//! ten outputs and the softmax cross-entropy loss.
//!
//! ```text
//! cargo run --release --example digits [-- EPOCHS]
//! ```
//!
//! Prints the test accuracy after each epoch and the confusion matrix at the end; it
//! reaches about 97% test accuracy in 20 epochs.

use std::time::Instant;

use nn::datasets::digits;
use nn::optim::{Adam, LrSchedule};
use nn::{evaluate, Activation, Compiled, Confusion, Loss, Mlp, Module, Regularization, Trainer};
use rand::{rngs::StdRng, SeedableRng};

fn main() -> Result<(), nn::Error> {
    let epochs: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(20);
    let mut rng = StdRng::seed_from_u64(1);

    // The data ships inside the crate: pixels scaled to [0, 1], labels the digits 0.0 … 9.0.
    // A quarter of each digit's images is held out for testing.
    let data = digits()?;
    let (train, test) = data.split_by_class(0.25, &mut rng)?;
    let rows = train.with_labels(&train.points); // 64 pixels, then the digit

    // 64 inputs → 32 tanh units → 10 linear outputs, one logit per digit.
    let mlp = Mlp::new(
        &[64, 32, 10],
        Activation::Tanh,
        Activation::Linear,
        &mut rng,
    )?;
    let loss = Loss::SoftmaxCrossEntropy; // −ln softmax(logits)[digit]

    // The loss of ONE image is recorded once (about 4,900 ops) and compiled to a tape;
    // each minibatch of 32 images replays it in batch lanes, spread over the cores.
    let backend = Box::new(Compiled::new(&mlp, loss)?.parallel(true));
    println!(
        "{} parameters, a tape of {} ops per image",
        mlp.parameter_count(),
        backend.tape().op_count()
    );
    let optimizer = Box::new(Adam::new(0.01)?);
    let schedule = LrSchedule::constant(0.01)?;
    let mut trainer = Trainer::new(mlp, backend, optimizer, schedule, Regularization::None, 32)?;

    let start = Instant::now();
    for epoch in 1..=epochs {
        let train_loss = trainer.epoch(rows.view(), &mut rng)?; // mean over the minibatches
                                                                // Metrics run the network on plain f64s: the class is the largest of the ten logits.
        let m = evaluate(
            &trainer.mlp,
            loss,
            test.task,
            test.points.view(),
            test.labels.view(),
        );
        println!(
            "epoch {epoch:>3}  train loss {train_loss:.4}  test loss {:.4}  test accuracy {:.1}%",
            m.loss,
            m.accuracy.unwrap_or(0.0) * 100.0
        );
    }
    println!("{:.2} s of training", start.elapsed().as_secs_f64());

    // Rows: the true digit; columns: the network's pick.
    let confusion = Confusion::of(&trainer.mlp, test.points.view(), test.labels.view());
    println!("{confusion}");
    Ok(())
}
