//! micrograd's demo, on this engine: a 2-16-16-1 ReLU MLP separating 100 two-moons points
//! (noise 0.1) with the max-margin loss
//!
//! ```text
//! L = mean(relu(1 − yᵢ·scoreᵢ)) + 1e-4 · Σ p²
//! ```
//!
//! and 100 full-batch steps of SGD with learning rate `1.0 − 0.9·k/100`. It reaches 100%
//! training accuracy. Each step replays the compiled per-sample tape over the 100 points
//! (row by row at this size, in batch lanes from `nn::Compiled::LANES_FROM` rows) and
//! records no graph.
//!
//! Prints the final loss, the accuracy and the mean time per step; with `--json`, one JSON
//! object `{"loss": …, "accuracy": …, "step_seconds": …}`.
//!
//! ```text
//! cargo run --release --example micrograd_moons [-- --json]
//! ```

use std::time::Instant;

use nn::datasets::Problem;
use nn::optim::{LrSchedule, Sgd};
use nn::{evaluate, Activation, Compiled, Loss, Mlp, Regularization, Trainer};
use rand::{rngs::StdRng, SeedableRng};

fn main() -> Result<(), nn::Error> {
    let json = std::env::args().skip(1).any(|a| a == "--json");
    let mut rng = StdRng::seed_from_u64(1337);
    let data = Problem::Moons.generate(100, 0.1, &mut rng)?; // labels ±1
    let rows = data.with_labels(&data.points); // x1, x2, y
    let mlp = Mlp::new(
        &[2, 16, 16, 1],
        Activation::Relu,
        Activation::Linear,
        &mut rng,
    )?;
    let backend = Box::new(Compiled::new(&mlp, Loss::Hinge)?);
    let optimizer = Box::new(Sgd::new(1.0)?);
    let schedule = LrSchedule::linear(1.0, 0.1, 100)?; // lr(k) = 1.0 − 0.9·k/100
    let reg = Regularization::l2(1e-4)?;
    let mut trainer = Trainer::new(mlp, backend, optimizer, schedule, reg, rows.nrows())?;

    let start = Instant::now();
    let mut loss = f64::NAN;
    for k in 0..100 {
        loss = trainer.step(rows.view())?; // the loss before this step's update
        if !json && (k % 10 == 0 || k == 99) {
            let m = evaluate(
                &trainer.mlp,
                Loss::Hinge,
                data.task,
                data.points.view(),
                data.labels.view(),
            );
            println!(
                "step {k:>3} loss {loss:.6} accuracy {:.0}%",
                m.accuracy.unwrap_or(0.0) * 100.0
            );
        }
    }
    let step_seconds = start.elapsed().as_secs_f64() / 100.0;
    // the final loss and accuracy, after the last update
    let (loss_now, _) = trainer.objective(rows.view())?;
    let m = evaluate(
        &trainer.mlp,
        Loss::Hinge,
        data.task,
        data.points.view(),
        data.labels.view(),
    );
    let accuracy = m.accuracy.unwrap_or(0.0);
    let _ = loss;
    if json {
        println!("{{\"loss\":{loss_now},\"accuracy\":{accuracy},\"step_seconds\":{step_seconds}}}");
    } else {
        println!(
            "final loss {loss_now:.6}, accuracy {:.0}%, {:.1} µs per step ({:.0} steps/s)",
            accuracy * 100.0,
            step_seconds * 1e6,
            1.0 / step_seconds
        );
    }
    Ok(())
}
