//! `backprop playground` with more than two classes: the digits and CSV files of class
//! labels train a softmax network, report the confusion matrix and every setting, draw
//! their pictures; bad class labels, ragged rows and options that do not fit name the
//! file, line and column or the option, exit 2 and write nothing.

use std::fs;
use std::path::PathBuf;
use std::process::{Command, Output};

use serde_json::Value;

fn playground(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_backprop"))
        .arg("playground")
        .args(args)
        .arg("--quiet")
        .output()
        .expect("run backprop")
}

fn json(args: &[&str]) -> Value {
    let mut all = args.to_vec();
    all.push("--json");
    let o = playground(&all);
    assert!(
        o.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    serde_json::from_slice(&o.stdout).expect("one JSON object")
}

/// A fresh folder for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("backprop-classes-{name}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// Exit 2, one `error:` line on stderr containing `needle`, no panic, nothing on stdout.
fn assert_error(o: &Output, needle: &str) {
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{needle}: {err}");
    assert!(
        err.starts_with("error: ") && err.contains(needle),
        "expected '{needle}' in: {err}"
    );
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(o.stdout.is_empty());
}

/// Three clusters in the plane, labelled 0, 1, 2, as CSV text with a header.
fn three_clusters() -> String {
    let mut csv = String::from("a,b,class\n");
    for i in 0..60 {
        let class = i % 3;
        let (cx, cy) = [(2.0, 0.0), (-1.0, 2.0), (-1.0, -2.0)][class];
        let jitter = (i as f64 * 0.37).sin() * 0.3;
        csv.push_str(&format!("{},{},{class}\n", cx + jitter, cy - jitter));
    }
    csv
}

#[test]
fn a_csv_of_three_classes_trains_a_softmax_net_and_reports_its_confusion_matrix() {
    let dir = scratch("three");
    let path = dir.join("clusters.csv");
    fs::write(&path, three_clusters()).expect("write");
    let p = path.to_str().expect("utf-8");
    let v = json(&["--data", p, "--epochs", "30"]);
    assert_eq!(v["task"], "multi-class classification");
    assert_eq!(v["classes"], 3);
    assert_eq!(v["loss"], "softmax");
    assert_eq!(v["layers"], serde_json::json!([2, 8, 8, 3]));
    // half of each class for testing: round(20 · 0.5) = 10 of each
    assert_eq!(v["test_samples"], 30);
    let confusion = v["confusion"].as_array().expect("a matrix");
    assert_eq!(confusion.len(), 3);
    let total: u64 = confusion
        .iter()
        .flat_map(|row| row.as_array().expect("a row"))
        .map(|n| n.as_u64().expect("a count"))
        .sum();
    assert_eq!(total, 30);
    assert_eq!(v["test_accuracy"], 1.0, "three well-separated clusters");
    // --loss mse reads the class numbers as numbers
    let v = json(&["--data", p, "--epochs", "2", "--loss", "mse"]);
    assert_eq!(
        (&v["task"], &v["classes"]),
        (&Value::from("regression"), &Value::Null)
    );
    fs::remove_dir_all(dir).expect("remove the scratch folder");
}

#[test]
fn digits_report_every_setting_and_the_confusion_matrix() {
    let v = json(&["--dataset", "digits", "--epochs", "1"]);
    let expected = serde_json::json!({
        "dataset": "digits", "task": "multi-class classification", "classes": 10,
        "data": null, "samples": null, "noise": null, "seed": 1, "test_ratio": 0.25,
        "layers": [64, 64, 10], "activation": "tanh", "loss": "softmax", "optimizer": "adam",
        "lr": 0.01, "lr_end": 0.0001, "regularization": "l2", "reg_rate": 0.0001,
        "engine": "tape", "batch": 32, "epochs": 1, "steps": 43,
        "train_samples": 1346, "test_samples": 451, "parameters": 4810,
    });
    for (key, want) in expected.as_object().expect("object") {
        assert_eq!(&v[key], want, "{key}");
    }
    let confusion = v["confusion"].as_array().expect("a matrix");
    assert_eq!(confusion.len(), 10);
    assert!(confusion
        .iter()
        .all(|r| r.as_array().is_some_and(|r| r.len() == 10)));
    // options given win over the digits' defaults
    let v = json(&[
        "--dataset",
        "digits",
        "--epochs",
        "1",
        "--layers",
        "16",
        "--lr",
        "0.02",
    ]);
    assert_eq!(
        (&v["layers"][1], &v["lr"]),
        (&Value::from(16), &Value::from(0.02))
    );
}

#[test]
fn digits_plots_are_curves_a_confusion_matrix_and_the_misclassified_images() {
    let dir = scratch("plots");
    let o = playground(&[
        "--dataset",
        "digits",
        "--epochs",
        "2",
        "--layers",
        "8",
        "--plot",
        dir.to_str().expect("utf-8"),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("test confusion matrix"), "{out}");
    let mut names: Vec<String> = fs::read_dir(&dir)
        .expect("plots folder")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let stems = ["accuracy", "confusion", "loss", "misclassified"];
    let want: Vec<String> = stems
        .iter()
        .flat_map(|s| [format!("{s}.png"), format!("{s}.svg")])
        .collect();
    assert_eq!(
        names, want,
        "no decision surface for 64 inputs, no temporaries"
    );
    for name in &names {
        assert!(
            fs::metadata(dir.join(name)).expect("file").len() > 1000,
            "{name}"
        );
    }
    fs::remove_dir_all(dir).expect("remove the scratch folder");
}

#[test]
fn bad_class_labels_ragged_rows_and_misfit_options_name_where_and_write_nothing() {
    let dir = scratch("bad");
    let write = |name: &str, content: &str| {
        let path = dir.join(name);
        fs::write(&path, content).expect("write");
        path.to_str().expect("utf-8").to_string()
    };
    let fraction = write("fraction.csv", "a,b,class\n1,2,0\n3,4,2.5\n5,6,1\n");
    let single = write("single.csv", "a,b,class\n1,2,4\n3,4,4\n");
    let many = write("many.csv", "a,b,class\n1,2,0\n3,4,300\n5,6,1\n");
    let ragged = write("ragged.csv", "a,b,class\n1,2,0\n3,1\n5,6,2\n");
    let clusters = write("clusters.csv", &three_clusters());
    let plots = dir.join("plots");
    let plots = plots.to_str().expect("utf-8");
    fn softmax(file: &str) -> Vec<&str> {
        vec!["--data", file, "--loss", "softmax"]
    }
    let cases: Vec<(Vec<&str>, String)> = vec![
        (
            softmax(&fraction),
            "fraction.csv: line 3, column 3 (class): a class label must be a whole number \
             from 0 to 255, got 2.5"
                .into(),
        ),
        (
            softmax(&single),
            "single.csv: every label is 4: a classifier needs at least two classes".into(),
        ),
        (
            softmax(&many),
            "many.csv: line 3, column 3 (class): a class label must be a whole number from 0 \
             to 255, got 300"
                .into(),
        ),
        (
            vec!["--data", &ragged],
            "ragged.csv: line 3: expected 3 fields, found 2".into(),
        ),
        (
            vec!["--dataset", "digits", "--features", "x1,x2,x1sq"],
            "invalid --features: the playground's features need 2 input columns, digits has 64"
                .into(),
        ),
        (
            vec!["--dataset", "digits", "--loss", "bce"],
            "invalid --loss: digits has 10 classes: use softmax, not bce".into(),
        ),
        (
            vec!["--data", &clusters, "--loss", "hinge"],
            "has 3 classes: use softmax, not hinge".into(),
        ),
        (
            vec!["--dataset", "circle", "--loss", "softmax"],
            "invalid --loss: circle has labels ±1 (two classes)".into(),
        ),
        (
            vec!["--dataset", "digits", "--test-ratio", "0.0001"],
            "invalid --test-ratio".into(),
        ),
    ];
    for (args, needle) in cases {
        let mut all = args.clone();
        all.extend(["--plot", plots]);
        assert_error(&playground(&all), &needle);
        assert!(
            !std::path::Path::new(plots).exists(),
            "{args:?} wrote plots"
        );
    }
    fs::remove_dir_all(dir).expect("remove the scratch folder");
}
