//! micrograd's demo reproduced with `nn`: a 2-16-16-1 ReLU MLP on 100 moons points
//! (noise 0.1), loss `mean(relu(1 − y·score)) + 1e-4·Σp²`, 100 full-batch SGD steps with
//! `lr = 1.0 − 0.9·k/100`, reaches 100% training accuracy — on the tape's batch lanes, on
//! the tape row by row, and recorded eagerly, with the same numbers.

use nn::datasets::Problem;
use nn::optim::{LrSchedule, Sgd};
use nn::{evaluate, Activation, Backend, Compiled, Eager, Loss, Mlp, Regularization, Trainer};
use rand::{rngs::StdRng, SeedableRng};

struct Run {
    losses: Vec<f64>,
    accuracy: f64,
    params: Vec<f64>,
}

fn run(steps: usize, backend: impl Fn(&Mlp) -> Box<dyn Backend + Send>) -> Run {
    let mut rng = StdRng::seed_from_u64(1337);
    let data = Problem::Moons
        .generate(100, 0.1, &mut rng)
        .expect("valid problem");
    let rows = data.with_labels(&data.points);
    let mlp = Mlp::new(
        &[2, 16, 16, 1],
        Activation::Relu,
        Activation::Linear,
        &mut rng,
    )
    .expect("valid sizes");
    let mut t = Trainer::new(
        mlp.clone(),
        backend(&mlp),
        Box::new(Sgd::new(1.0).expect("valid rate")),
        LrSchedule::linear(1.0, 0.1, 100).expect("valid schedule"), // 1.0 − 0.9·k/100
        Regularization::l2(1e-4).expect("valid rate"),
        100,
    )
    .expect("valid trainer");
    let losses = (0..steps)
        .map(|_| t.step(rows.view()).expect("step"))
        .collect();
    let m = evaluate(
        &t.mlp,
        Loss::Hinge,
        data.task,
        data.points.view(),
        data.labels.view(),
    );
    Run {
        losses,
        accuracy: m.accuracy.expect("classification"),
        params: t.mlp.parameters().to_vec(),
    }
}

#[test]
fn the_demo_reaches_full_training_accuracy_in_100_steps() {
    let r = run(100, |m| {
        Box::new(Compiled::new(m, Loss::Hinge).expect("compiles"))
    });
    assert_eq!(r.accuracy, 1.0);
    // the max-margin loss falls by more than a factor of 10 from its start
    assert!(
        r.losses[99] < r.losses[0] / 10.0,
        "{:?}",
        (r.losses[0], r.losses[99])
    );
}

#[test]
fn lanes_rows_and_eager_recording_follow_the_same_path() {
    let lanes = run(10, |m| {
        Box::new(
            Compiled::new(m, Loss::Hinge)
                .expect("compiles")
                .lanes_from(1),
        )
    });
    let rows = run(10, |m| {
        Box::new(
            Compiled::new(m, Loss::Hinge)
                .expect("compiles")
                .lanes_from(usize::MAX),
        )
    });
    let eager = run(10, |m| Box::new(Eager::new(m, Loss::Hinge)));
    for other in [&rows, &eager] {
        for (a, b) in lanes.losses.iter().zip(&other.losses) {
            assert!((a - b).abs() <= 1e-12 * a.abs(), "loss {a} vs {b}");
        }
        for (a, b) in lanes.params.iter().zip(&other.params) {
            assert!((a - b).abs() <= 1e-10 + 1e-9 * a.abs(), "param {a} vs {b}");
        }
    }
}
