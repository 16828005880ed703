//! Training's own claims: engines agree, the update is simultaneous, divergence is named.

use super::*;
use crate::data::Generator;
use crate::formulas;

fn data(n: usize) -> Vec<Sample> {
    Generator::new(Net::Lecture, &[-0.2, 2.8, 10.0], (-10.0, 10.0), 11)
        .unwrap()
        .take(n)
        .collect()
}

#[test]
fn eager_and_tape_online_training_give_identical_weights() {
    let data = data(3000);
    for net in [Net::Lecture, Net::TwoNode, Net::Chain(3)] {
        let targets: Vec<Sample> = data
            .iter()
            .map(|s| Sample {
                s0: s.s0 / 10.0,
                out: s.out / 10.0,
            })
            .collect();
        let mut config = Config::new(net);
        config.epochs = 2;
        config.engine = Engine::Eager;
        let eager = train(&targets, &config, &mut |_| {}).unwrap();
        config.engine = Engine::Tape;
        let taped = train(&targets, &config, &mut |_| {}).unwrap();
        assert_eq!(eager.weights, taped.weights, "{net}"); // bit for bit
        assert_eq!(eager.trajectory, taped.trajectory, "{net}");
    }
}

#[test]
fn eager_and_tape_full_batch_agree_to_rounding() {
    let data = data(5000);
    let mut config = Config::new(Net::Lecture);
    config.schedule = Schedule::FullBatch;
    config.epochs = 20;
    config.engine = Engine::Eager;
    let eager = train(&data, &config, &mut |_| {}).unwrap();
    config.engine = Engine::Tape;
    let taped = train(&data, &config, &mut |_| {}).unwrap();
    assert_eq!(taped.steps, 20);
    // batch lanes sum in another grouping than a running sum: ~n·ε relative at worst
    for (a, b) in eager.weights.iter().zip(&taped.weights) {
        assert!((a - b).abs() <= 1e-10 * a.abs(), "{a} vs {b}");
    }
}

#[test]
fn one_online_step_is_the_slides_simultaneous_update() {
    // One row, one step from w = (2, 1, 0.5): every wi moves by -alpha dC/dwi, with all
    // three derivatives taken at the same (old) weights.
    let sample = Sample { s0: 2.0, out: 0.7 };
    let mut config = Config::new(Net::Lecture);
    config.init = vec![2.0, 1.0, 0.5];
    config.alpha = 0.1;
    let trained = train(&[sample], &config, &mut |_| {}).unwrap();
    let s = |x: f64| 1.0 / (1.0 + (-x).exp());
    let (s1, w1, w2) = (s(4.0), 1.0, 0.5);
    let s2 = s(w1 * s1);
    let out = w2 * s2;
    let dout = [
        formulas::dout_dw0(w2, s2, w1, s1, 2.0),
        formulas::dout_dw1(w2, s2, s1),
        formulas::dout_dw2(s2),
    ];
    for (k, &dout_dwk) in dout.iter().enumerate() {
        let dc = formulas::dc_dw(out, 0.7, dout_dwk);
        let expected = formulas::update(config.init[k], 0.1, dc);
        assert!((trained.weights[k] - expected).abs() < 1e-15, "w{k}");
    }
}

#[test]
fn divergence_stops_and_names_the_step() {
    let data = data(100);
    let mut config = Config::new(Net::Lecture);
    config.alpha = 1e300;
    let err = train(&data, &config, &mut |_| {}).unwrap_err();
    let Error::Diverged { step, epoch, .. } = err else {
        panic!("expected Diverged, got {err}");
    };
    assert_eq!(epoch, 1);
    assert!((1..=100).contains(&step));
    assert!(err_text(&config, &data).contains(&format!("diverged at step {step}")));
}

#[test]
fn an_update_that_overflows_is_named_with_its_weight_not_blamed_on_the_cost() {
    let data = data(20);
    for engine in [Engine::Eager, Engine::Tape] {
        for schedule in [Schedule::FullBatch, Schedule::Online { shuffle: None }] {
            let mut config = Config::new(Net::Lecture);
            config.alpha = 1e308;
            config.engine = engine;
            config.schedule = schedule;
            let err = train(&data, &config, &mut |_| {}).unwrap_err();
            let Error::Diverged { cost, overflow, .. } = err else {
                panic!("expected Diverged, got {err}");
            };
            assert!(cost.is_finite(), "{schedule:?}: {overflow:?}");
            assert!(
                matches!(overflow, crate::Overflow::Update { .. }),
                "{overflow:?}"
            );
            assert!(err_text(&config, &data).contains("the update of w"));
        }
    }
}

fn err_text(config: &Config, data: &[Sample]) -> String {
    train(data, config, &mut |_| {}).unwrap_err().to_string()
}

#[test]
fn shuffling_is_seeded_and_changes_the_order() {
    let data = data(500);
    let mut config = Config::new(Net::Lecture);
    config.schedule = Schedule::Online { shuffle: Some(5) };
    let a = train(&data, &config, &mut |_| {}).unwrap();
    let b = train(&data, &config, &mut |_| {}).unwrap();
    assert_eq!(a.weights, b.weights);
    config.schedule = Schedule::Online { shuffle: None };
    let in_order = train(&data, &config, &mut |_| {}).unwrap();
    assert_ne!(a.weights, in_order.weights);
}

#[test]
fn bad_settings_are_rejected_before_training() {
    let data = data(10);
    let mut config = Config::new(Net::Lecture);
    config.alpha = f64::NAN;
    assert!(err_text(&config, &data).starts_with("alpha must be"));
    config.alpha = 0.01;
    config.epochs = 0;
    assert_eq!(err_text(&config, &data), "epochs must be at least 1");
    config.epochs = 1;
    config.init = vec![1.0, 1.0];
    assert_eq!(
        err_text(&config, &data),
        "net lecture takes 3 weights, got 2"
    );
    config.init = vec![1.0; 3];
    assert_eq!(err_text(&config, &[]), "no data to train on");
    config.epochs = usize::MAX / 2;
    assert!(err_text(&config, &data).ends_with("epochs of 10 rows are too many steps to count"));
}

#[test]
fn trajectory_is_thinned_but_keeps_the_last_step() {
    let data = data(1000);
    let mut config = Config::new(Net::Lecture);
    config.record_every = 300;
    let trained = train(&data, &config, &mut |_| {}).unwrap();
    assert_eq!(trained.trajectory.steps(), &[300, 600, 900, 1000]);
    assert_eq!(trained.trajectory.weights(3), &trained.weights[..]);
}

#[test]
fn divergence_names_the_exact_step_and_the_weights_it_started_from() {
    // 3 weights, 2 weights, 4 weights: each size of update
    let nets = [Net::Lecture, Net::TwoNode, Net::Chain(3)];
    for (net, engine) in nets
        .into_iter()
        .flat_map(|n| [(n, Engine::Eager), (n, Engine::Tape)])
    {
        let mut rows = data(3000);
        rows[1499].s0 = f64::NAN; // step 1500 of epoch 1
        let mut config = Config::new(net);
        config.engine = engine;
        let before = train(&rows[..1499], &config, &mut |_| {}).unwrap();
        let err = train(&rows, &config, &mut |_| {}).unwrap_err();
        let Error::Diverged {
            step,
            epoch,
            cost,
            weights,
            ..
        } = err
        else {
            panic!("expected Diverged, got {err}");
        };
        assert_eq!((step, epoch), (1500, 1));
        assert!(cost.is_nan());
        assert_eq!(weights, before.weights);
    }
}

#[test]
fn a_sum_that_overflows_is_not_mistaken_for_divergence() {
    // Two-node net (out = s2) from w = (1e307, 1.75e308), inputs s0 >= 1: s1 = S(w0 s0) = 1,
    // s2 = S(w1) = 1 with S'(w1) = 0, so C = ½ (0.5 − 1)² and every dC/dwi is 0. Every
    // value is finite; the sum of the two weights is not.
    let rows: Vec<Sample> = (1..=50)
        .map(|i| Sample {
            s0: f64::from(i),
            out: 0.5,
        })
        .collect();
    let mut config = Config::new(Net::TwoNode);
    config.init = vec![1e307, 1.75e308];
    let trained = train(&rows, &config, &mut |_| {}).unwrap();
    assert_eq!(trained.steps, 50);
    assert_eq!(trained.weights, config.init);
    assert_eq!(trained.cost, 0.125);
    assert!((trained.weights[0] + trained.weights[1]).is_infinite());
}

#[test]
fn progress_is_called_every_1024_steps_and_at_the_end_of_each_epoch() {
    for (rows, expected) in [
        (2500, vec![1024, 2048, 2500, 3072, 4096, 5000]),
        (1024, vec![1024, 1024, 2048, 2048]),
    ] {
        let data = data(rows);
        let mut config = Config::new(Net::Lecture);
        config.epochs = 2;
        config.record_every = 7;
        let mut calls = Vec::new();
        train(&data, &config, &mut |step| calls.push(step)).unwrap();
        assert_eq!(calls, expected);
    }
    let mut config = Config::new(Net::Lecture);
    config.schedule = Schedule::FullBatch;
    config.epochs = 3;
    let mut calls = Vec::new();
    train(&data(10), &config, &mut |step| calls.push(step)).unwrap();
    assert_eq!(calls, [1, 2, 3]);
}

#[test]
fn the_reported_cost_is_mean_cost_at_the_final_weights_bit_for_bit() {
    // enough rows for the tape's batch lanes to use several chunks and both threads
    let data = data(5000);
    for net in [Net::Chain(3), Net::Lecture, Net::TwoNode] {
        for engine in [Engine::Eager, Engine::Tape] {
            let mut config = Config::new(net);
            config.engine = engine;
            let trained = train(&data, &config, &mut |_| {}).unwrap();
            let expected = mean_cost(net, &trained.weights, &data).unwrap();
            assert_eq!(
                trained.cost.to_bits(),
                expected.to_bits(),
                "{net} {engine:?}"
            );
        }
    }
}

#[test]
fn the_trajectory_records_every_kth_step_across_epochs_and_progress_stretches() {
    let data = data(1000);
    let mut config = Config::new(Net::Lecture);
    config.epochs = 3;
    config.record_every = 1;
    let every_step = train(&data, &config, &mut |_| {}).unwrap();
    config.record_every = 777;
    let thinned = train(&data, &config, &mut |_| {}).unwrap();
    assert_eq!(thinned.trajectory.steps(), &[777, 1554, 2331, 3000]);
    for (i, &step) in thinned.trajectory.steps().iter().enumerate() {
        assert_eq!(
            thinned.trajectory.weights(i),
            every_step.trajectory.weights(step - 1)
        );
        assert_eq!(
            thinned.trajectory.cost()[i],
            every_step.trajectory.cost()[step - 1]
        );
    }
}
