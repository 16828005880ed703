//! Training recovers the weights that generated the data.

use lecture::data::{Generator, Sample};
use lecture::train::mean_cost;
use lecture::{train, Config, Engine, Net, Schedule};

const TRUE_WEIGHTS: [f64; 3] = [-0.2, 2.8, 10.0];

fn generated(net: Net, weights: &[f64], n: usize, seed: u64) -> Vec<Sample> {
    Generator::new(net, weights, (-10.0, 10.0), seed)
        .unwrap()
        .take(n)
        .collect()
}

/// The acceptance run: 50,000 rows from w = (-0.2, 2.8, 10), s0 uniform in
/// [-10, 10]; three online epochs in file order from (1, 1, 1) with alpha 0.01.
#[test]
fn three_online_epochs_recover_the_lecture_weights_within_a_tenth_of_a_percent() {
    let data = generated(Net::Lecture, &TRUE_WEIGHTS, 50_000, 42);
    let mut config = Config::new(Net::Lecture);
    config.epochs = 3;
    config.record_every = 1000;
    assert_eq!((config.alpha, config.init.clone()), (0.01, vec![1.0; 3]));
    let trained = train(&data, &config, &mut |_| {}).unwrap();
    assert_eq!(trained.steps, 150_000);
    for (k, (&w, &t)) in trained.weights.iter().zip(&TRUE_WEIGHTS).enumerate() {
        let rel = (w - t).abs() / t.abs();
        assert!(rel < 1e-3, "w{k} = {w}, true {t}: relative error {rel:.2e}");
    }
    // mean C = ½ mean (target − out)² fell from its starting value by orders of magnitude
    let start = mean_cost(Net::Lecture, &[1.0; 3], &data).unwrap();
    assert!(trained.cost < start * 1e-6, "{} vs {start}", trained.cost);
}

#[test]
fn the_acceptance_result_does_not_depend_on_the_data_seed() {
    for seed in [1, 2] {
        let data = generated(Net::Lecture, &TRUE_WEIGHTS, 50_000, seed);
        let mut config = Config::new(Net::Lecture);
        config.epochs = 3;
        config.record_every = 10_000;
        let trained = train(&data, &config, &mut |_| {}).unwrap();
        for (&w, &t) in trained.weights.iter().zip(&TRUE_WEIGHTS) {
            assert!(
                (w - t).abs() / t.abs() < 1e-3,
                "seed {seed}: {:?}",
                trained.weights
            );
        }
    }
}

#[test]
fn full_batch_descent_lowers_the_mean_cost_every_step_with_a_small_rate() {
    let data = generated(Net::Lecture, &TRUE_WEIGHTS, 2000, 3);
    let mut config = Config::new(Net::Lecture);
    config.schedule = Schedule::FullBatch;
    config.epochs = 200;
    config.alpha = 0.01;
    let trained = train(&data, &config, &mut |_| {}).unwrap();
    let cost = trained.trajectory.cost();
    assert_eq!(cost.len(), 200);
    // the cost recorded at step k is the mean C at the weights step k started from
    assert!(cost.windows(2).all(|p| p[1] <= p[0]), "not monotone");
    assert!(trained.cost < cost[0] / 10.0);
}

#[test]
fn two_node_net_recovers_its_weights_from_the_notebooks_start() {
    let truth = [0.9, -1.5];
    let data = generated(Net::TwoNode, &truth, 5000, 4);
    let mut config = Config::new(Net::TwoNode); // starts at (0.5, 0.5)
    config.epochs = 20;
    config.alpha = 0.5;
    config.record_every = 1000;
    let trained = train(&data, &config, &mut |_| {}).unwrap();
    for (&w, &t) in trained.weights.iter().zip(&truth) {
        assert!((w - t).abs() < 1e-2, "{:?}", trained.weights);
    }
}

#[test]
fn deeper_chain_trains_with_the_same_code_and_lowers_its_cost() {
    let net = Net::Chain(4);
    let truth = [0.5, 2.0, -3.0, 4.0, 6.0];
    let data = generated(net, &truth, 4000, 5);
    let mut config = Config::new(net);
    config.epochs = 3;
    config.record_every = 100;
    let start = mean_cost(net, &config.init, &data).unwrap();
    let trained = train(&data, &config, &mut |_| {}).unwrap();
    assert_eq!(trained.weights.len(), 5);
    assert!(trained.cost < start / 10.0, "{} vs {start}", trained.cost);
    config.engine = Engine::Eager;
    assert_eq!(
        train(&data, &config, &mut |_| {}).unwrap().weights,
        trained.weights
    );
}
