//! `backprop playground` reaches the accuracy it promises, seeded and deterministic:
//! the defaults alone (`--dataset NAME`) on circle, xor, gauss and the handwritten digits
//! reach ≥ 97% test accuracy, and the README's settings for spiral reach ≥ 90%.

use std::process::Command;

use serde_json::Value;

/// Runs the playground with `--json --quiet` and the given options; returns the JSON.
fn playground(args: &[&str]) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_backprop"))
        .arg("playground")
        .args(args)
        .args(["--json", "--quiet"])
        .output()
        .expect("run backprop");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{args:?}: {stderr}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(stdout.lines().count(), 1, "one JSON object: {stdout}");
    serde_json::from_str(&stdout).expect("valid JSON")
}

fn test_accuracy(v: &Value) -> f64 {
    v["test_accuracy"]
        .as_f64()
        .expect("a classification accuracy")
}

/// `backprop playground --dataset NAME` and nothing else: ≥ 97% test accuracy.
fn defaults_reach_97_percent(dataset: &str) {
    let v = playground(&["--dataset", dataset]);
    let acc = test_accuracy(&v);
    assert!(acc >= 0.97, "{dataset}: test accuracy {acc}");
    // the defaults: a 2-8-8-1 tanh network, 250 train and 250 test points
    assert_eq!(v["parameters"], 105, "{dataset}");
    assert_eq!(v["train_samples"], 250, "{dataset}");
    assert_eq!(v["test_samples"], 250, "{dataset}");
}

#[test]
fn defaults_reach_97_percent_test_accuracy_on_circle() {
    defaults_reach_97_percent("circle");
}

#[test]
fn defaults_reach_97_percent_test_accuracy_on_xor() {
    defaults_reach_97_percent("xor");
}

#[test]
fn defaults_reach_97_percent_test_accuracy_on_gauss() {
    defaults_reach_97_percent("gauss");
}

#[test]
fn defaults_reach_97_percent_test_accuracy_on_the_digits() {
    // 40 epochs of a 64-64-10 softmax net; a few seconds in a debug build, as the engine
    // and the network crate are optimised there too (Cargo.toml's dev profile)
    let v = playground(&["--dataset", "digits"]);
    let acc = test_accuracy(&v);
    assert!(acc >= 0.97, "digits: test accuracy {acc}");
    assert_eq!(v["parameters"], 4810);
    assert_eq!(v["test_samples"], 451);
}

/// The settings the README documents for the spiral.
const SPIRAL: [&str; 10] = [
    "--dataset",
    "spiral",
    "--features",
    "x1,x2,sinx1,sinx2",
    "--layers",
    "8,8",
    "--epochs",
    "500",
    "--noise",
    "0.1",
];

#[test]
fn readme_spiral_settings_reach_90_percent_test_accuracy() {
    let acc = test_accuracy(&playground(&SPIRAL));
    assert!(acc >= 0.90, "spiral: test accuracy {acc}");
}

#[test]
fn a_seed_fixes_every_number_and_another_seed_changes_them() {
    let run = |seed: &str| {
        playground(&[
            "--dataset",
            "gauss",
            "--noise",
            "0.3",
            "--epochs",
            "10",
            "--seed",
            seed,
        ])
    };
    let (a, b, c) = (run("7"), run("7"), run("8"));
    for key in ["train_loss", "test_loss", "train_accuracy", "test_accuracy"] {
        assert_eq!(a[key], b[key], "{key} is seeded");
    }
    assert_ne!(a["test_loss"], c["test_loss"]);
}
