//! The gradient training uses — tape replay over a minibatch, plus the regularisation added
//! on the `f64` parameters — equals central finite differences of the whole objective, for
//! every loss, every activation, and both penalties, on networks of several shapes (three
//! outputs for the softmax loss).

use autodiff::{gradcheck, Graph, Var};
use ndarray::{array, Array2};
use nn::optim::{LrSchedule, Sgd};
use nn::{Activation, Compiled, Eager, Loss, Mlp, Module, Regularization, Trainer};
use rand::{rngs::StdRng, SeedableRng};

fn minibatch(loss: Loss) -> Array2<f64> {
    if loss == Loss::SoftmaxCrossEntropy {
        // x1, x2, class index of three
        return array![
            [0.4, -1.2, 0.0],
            [1.3, 0.35, 2.0],
            [-0.6, 0.9, 1.0],
            [2.1, -0.4, 2.0]
        ];
    }
    // x1, x2, label (±1; also used as a regression target by mse)
    array![
        [0.4, -1.2, 1.0],
        [1.3, 0.35, -1.0],
        [-0.6, 0.9, 1.0],
        [2.1, -0.4, -1.0]
    ]
}

/// The number of outputs a network needs for `loss` in these checks.
fn outputs(loss: Loss) -> usize {
    if loss == Loss::SoftmaxCrossEntropy {
        3
    } else {
        1
    }
}

/// The objective `mean_i loss(mlp(xᵢ), yᵢ) + R(p)` recorded on one graph.
fn objective<'g>(
    g: &'g Graph,
    mlp: &Mlp,
    loss: Loss,
    reg: Regularization,
    p: &[Var<'g>],
) -> Var<'g> {
    let rows = minibatch(loss);
    let mut total = None;
    for r in rows.rows() {
        let x = [g.constant(r[0]), g.constant(r[1])];
        let l = loss.of_outputs(&mlp.forward(p, &x), g.constant(r[2]));
        total = Some(total.map_or(l, |t: Var<'g>| t + l));
    }
    let mean = total.expect("rows") / rows.nrows() as f64;
    reg.penalty_graph(p).map_or(mean, |r| mean + r)
}

fn check(mlp: &Mlp, loss: Loss, reg: Regularization, what: &str) {
    // nudge the parameters off zero so that no relu input sits at its kink
    let mut point = mlp.parameters().to_vec();
    for (i, p) in point.iter_mut().enumerate() {
        *p += 0.013 * ((i % 7) as f64 - 3.0) + 0.005;
    }
    let mut net = mlp.clone();
    net.set_parameters(&point);
    let report = gradcheck(|g, p| objective(g, &net, loss, reg, p), &point);
    assert!(report.passed(), "{what}:\n{report}");
    for backend in [
        Box::new(Compiled::new(&net, loss).expect("compiles")) as Box<dyn nn::Backend + Send>,
        Box::new(Eager::new(&net, loss)),
    ] {
        let opt = Box::new(Sgd::new(0.1).expect("valid rate"));
        let mut t = Trainer::new(net.clone(), backend, opt, LrSchedule::Constant(0.1), reg, 4)
            .expect("valid trainer");
        let (value, grad) = t.objective(minibatch(loss).view()).expect("valid batch");
        assert!(
            (value - report.value).abs() <= 1e-13 * report.value.abs(),
            "{what}"
        );
        for (row, g) in report.rows.iter().zip(grad) {
            // the training gradient and the graph's reverse sweep: equal up to summation order
            assert!(
                (row.tape - g).abs() <= 1e-14 + 1e-11 * g.abs(),
                "{what}: {} vs {g}",
                row.tape
            );
        }
    }
}

#[test]
fn every_loss_activation_and_penalty_matches_finite_differences() {
    let mut rng = StdRng::seed_from_u64(11);
    let regs = [
        Regularization::None,
        Regularization::L1(0.01),
        Regularization::L2(0.01),
    ];
    for hidden in Activation::ALL {
        for loss in Loss::ALL {
            let sizes = [2, 4, 3, outputs(loss)];
            let mlp = Mlp::new(&sizes, hidden, Activation::Linear, &mut rng).expect("sizes");
            for reg in regs {
                check(&mlp, loss, reg, &format!("{hidden} {loss} {reg}"));
            }
        }
    }
}

#[test]
fn mixed_per_layer_activations_and_a_deep_narrow_net_match_finite_differences() {
    let mut rng = StdRng::seed_from_u64(12);
    let acts = [
        Activation::Relu,
        Activation::Sigmoid,
        Activation::Tanh,
        Activation::Linear,
    ];
    let mlp = Mlp::with_activations(&[2, 5, 4, 3, 1], &acts, &mut rng).expect("sizes");
    check(
        &mlp,
        Loss::BinaryCrossEntropy,
        Regularization::L2(1e-3),
        "mixed",
    );
    let deep = Mlp::new(
        &[2, 2, 2, 2, 2, 2, 1],
        Activation::Tanh,
        Activation::Tanh,
        &mut rng,
    )
    .expect("sizes");
    check(&deep, Loss::Mse, Regularization::None, "deep");
}

#[test]
fn optimizer_steps_on_a_whole_network_follow_their_formulas_with_the_finite_difference_gradient() {
    let mut rng = StdRng::seed_from_u64(13);
    let mlp = Mlp::new(&[2, 3, 1], Activation::Tanh, Activation::Linear, &mut rng).expect("sizes");
    let (loss, reg, lr) = (Loss::BinaryCrossEntropy, Regularization::L2(0.01), 0.05);
    let fd_gradient = |params: &[f64]| -> Vec<f64> {
        let mut net = mlp.clone();
        net.set_parameters(params);
        let report = gradcheck(|g, p| objective(g, &net, loss, reg, p), params);
        report.rows.iter().map(|r| r.numeric).collect()
    };
    let close = |a: f64, b: f64, what: &str| {
        assert!((a - b).abs() <= 1e-9 + 1e-6 * b.abs(), "{what}: {a} vs {b}");
    };
    for name in ["sgd", "momentum", "adam"] {
        let opt = nn::optim::by_name(name, lr).expect("valid");
        let backend = Box::new(Compiled::new(&mlp, loss).expect("compiles"));
        let mut t = Trainer::new(mlp.clone(), backend, opt, LrSchedule::Constant(lr), reg, 4)
            .expect("valid trainer");
        let p0 = mlp.parameters().to_vec();
        let g0 = fd_gradient(&p0);
        t.step(minibatch(loss).view()).expect("step");
        let p1 = t.mlp.parameters().to_vec();
        for i in 0..p0.len() {
            let expected = match name {
                // sgd, and momentum's first step (v = g): p − lr·g
                "sgd" | "momentum" => p0[i] - lr * g0[i],
                // adam's first step: m̂ = g, v̂ = g², so p − lr·g/(|g| + ε)
                _ => p0[i] - lr * g0[i] / (g0[i].abs() + 1e-8),
            };
            close(p1[i], expected, &format!("{name} step 1, parameter {i}"));
        }
        if name == "momentum" {
            // second step: v = 0.9·g₀ + g₁, p ← p − lr·v
            let g1 = fd_gradient(&p1);
            t.step(minibatch(loss).view()).expect("step");
            for (i, p2) in t.mlp.parameters().iter().enumerate() {
                close(
                    *p2,
                    p1[i] - lr * (0.9 * g0[i] + g1[i]),
                    &format!("momentum step 2, parameter {i}"),
                );
            }
        }
    }
}
