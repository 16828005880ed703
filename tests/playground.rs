//! `backprop playground` end to end: text and JSON output, plots, CSV input, and a clear
//! error naming the option for every bad hyper-parameter (exit code 2, no panic).

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

/// The texts of an SVG drawn by plotters (each `<text …>` element's body, trimmed).
fn svg_texts(svg: &str) -> Vec<String> {
    svg.split("<text")
        .skip(1)
        .filter_map(|t| {
            let body = &t[t.find('>')? + 1..];
            Some(body[..body.find("</text>")?].trim().to_string())
        })
        .collect()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A fresh folder for one test.
fn scratch(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("backprop-playground-{name}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// Exit 2, one `error:` line on stderr containing `needle`, no panic, nothing on stdout.
fn assert_error(o: &Output, needle: &str) {
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{needle}: {err}");
    assert!(
        err.starts_with("error: ") && err.contains(needle),
        "expected '{needle}' in: {err}"
    );
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(o.stdout.is_empty());
}

#[test]
fn bad_hyper_parameters_name_the_option() {
    let cases: &[(&[&str], &str)] = &[
        (&["--layers", "0"], "--layers"),
        (&["--layers", "8,-2"], "--layers"),
        (&["--layers", "8,x"], "--layers"),
        (&["--lr", "0"], "--lr"),
        (&["--lr", "-0.1"], "--lr"),
        (&["--lr", "nan"], "--lr"),
        (&["--lr-end", "0"], "--lr-end"),
        (&["--batch", "0"], "--batch"),
        (&["--batch", "-5"], "--batch"),
        (&["--epochs", "0"], "--epochs"),
        (&["--samples", "0"], "--samples"),
        (&["--samples", "1"], "--samples"),
        (&["--noise", "-0.1"], "--noise"),
        (&["--test-ratio", "0"], "--test-ratio"),
        (&["--test-ratio", "1"], "--test-ratio"),
        (&["--test-ratio", "1.5"], "--test-ratio"),
        (&["--test-ratio", "-0.2"], "--test-ratio"),
        (
            &["--reg-rate", "-1", "--regularization", "l2"],
            "--reg-rate",
        ),
        (&["--regularization", "l3"], "--regularization"),
        (&["--activation", "softmax"], "--activation"),
        (&["--optimizer", "rmsprop"], "--optimizer"),
        (&["--dataset", "spirals"], "--dataset"),
        (&["--features", "x3"], "--features"),
        (&["--features", "x1,x1"], "--features"),
        (&["--loss", "huber"], "--loss"),
        (&["--dataset", "plane", "--loss", "bce"], "--loss"),
        (&["--report", "0"], "--report"),
    ];
    for (args, option) in cases {
        let o = playground(args);
        assert_error(&o, option);
    }
}

#[test]
fn text_output_reports_each_interval_and_the_parameter_count() {
    let o = playground(&["--dataset", "xor", "--epochs", "20", "--report", "5"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    assert!(
        out.starts_with("xor (classification, 250 train / 250 test), network 2-8-8-1"),
        "{out}"
    );
    // epochs 0, 5, 10, 15, 20: one line each
    let rows: Vec<&str> = out.lines().filter(|l| l.ends_with('%')).collect();
    assert_eq!(rows.len(), 5, "{out}");
    assert!(rows[4].trim_start().starts_with("20 "), "{out}");
    assert!(out.contains("105 parameters"), "{out}");
}

#[test]
fn json_is_one_object_with_final_metrics_and_parameter_count() {
    let o = playground(&[
        "--dataset",
        "plane",
        "--layers",
        "4",
        "--epochs",
        "5",
        "--json",
    ]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    assert_eq!(out.lines().count(), 1, "{out}");
    let v: Value = serde_json::from_str(&out).expect("valid JSON");
    assert_eq!(v["task"], "regression");
    assert_eq!(v["loss"], "mse");
    assert_eq!(v["parameters"], 3 * 4 + 5); // 2-4-1: (2+1)·4 + (4+1)·1
    assert_eq!(v["test_accuracy"], Value::Null);
    assert!(v["test_loss"].as_f64().is_some_and(f64::is_finite));
    assert_eq!(v["steps"], 5 * 25); // 250 training points in minibatches of 10
}

#[test]
fn json_reports_every_setting_needed_to_reproduce_the_run() {
    let args = [
        "--dataset",
        "xor",
        "--samples",
        "120",
        "--noise",
        "0.1",
        "--seed",
        "7",
        "--test-ratio",
        "0.25",
        "--layers",
        "3",
        "--regularization",
        "l2",
        "--reg-rate",
        "0.001",
        "--lr",
        "0.05",
        "--lr-end",
        "0.01",
        "--batch",
        "8",
        "--epochs",
        "3",
        "--json",
    ];
    let o = playground(&args);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let v: Value = serde_json::from_slice(&o.stdout).expect("JSON");
    let expected = serde_json::json!({
        "dataset": "xor", "data": null, "label": null, "samples": 120, "noise": 0.1,
        "seed": 7, "test_ratio": 0.25, "layers": [2, 3, 1], "activation": "tanh",
        "features": ["x1", "x2"], "loss": "bce", "optimizer": "adam", "lr": 0.05,
        "lr_end": 0.01, "regularization": "l2", "reg_rate": 0.001, "engine": "tape",
        "batch": 8, "epochs": 3,
    });
    for (key, want) in expected.as_object().expect("object") {
        assert_eq!(&v[key], want, "{key}");
    }
    // the same settings give the same run
    let again: Value = serde_json::from_slice(&playground(&args).stdout).expect("JSON");
    assert_eq!(v["test_loss"], again["test_loss"]);
}

#[test]
fn eager_recording_gives_the_same_run_as_the_tape() {
    let args = [
        "--dataset",
        "circle",
        "--epochs",
        "3",
        "--noise",
        "0.2",
        "--json",
    ];
    let tape: Value = serde_json::from_slice(&playground(&args).stdout).expect("JSON");
    let mut eager_args = args.to_vec();
    eager_args.push("--eager");
    let eager: Value = serde_json::from_slice(&playground(&eager_args).stdout).expect("JSON");
    for key in ["train_loss", "test_loss"] {
        let (a, b) = (
            tape[key].as_f64().expect("loss"),
            eager[key].as_f64().expect("loss"),
        );
        assert!(
            (a - b).abs() <= 1e-9 * a.abs(),
            "{key}: tape {a} vs eager {b}"
        );
    }
    assert_eq!(tape["test_accuracy"], eager["test_accuracy"]);
}

#[test]
fn plots_writes_the_decision_surface_and_loss_curves_as_png_and_svg() {
    // --plots as in `train` and the story; --plot is kept as another spelling
    for spelling in ["--plots", "--plot"] {
        let dir = scratch(spelling.trim_start_matches('-'));
        let o = playground(&[
            "--dataset",
            "moons",
            "--epochs",
            "2",
            spelling,
            dir.to_str().expect("utf-8"),
        ]);
        assert!(o.status.success(), "{spelling}: {}", text(&o.stderr));
        for name in ["surface.png", "loss.png"] {
            let bytes = fs::read(dir.join(name)).expect(name);
            assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "{name}");
        }
        for name in ["surface.svg", "loss.svg"] {
            let svg = fs::read_to_string(dir.join(name)).expect(name);
            assert!(svg.starts_with("<svg") && svg.contains("<text"), "{name}");
            for label in svg_texts(&svg) {
                let needless = label.ends_with(".0") || label == "-0";
                assert!(!needless, "{name}: tick label {label:?}");
            }
        }
        // the surface's colour key says what the colours are
        let surface = fs::read_to_string(dir.join("surface.svg")).expect("surface.svg");
        assert!(svg_texts(&surface)
            .iter()
            .any(|t| t.starts_with("2·P(blue) − 1")));
        fs::remove_dir_all(dir).expect("remove the scratch folder");
    }
}

#[test]
fn csv_data_trains_and_bad_csv_names_file_line_and_column() {
    let dir = scratch("csv");
    let good = dir.join("points.csv");
    let mut csv = String::from("a,b,c,label\n");
    for i in 0..40 {
        let x = i as f64 / 10.0 - 2.0;
        csv.push_str(&format!(
            "{x},{},{},{}\n",
            -x,
            x * x,
            if x > 0.0 { 1 } else { 0 }
        ));
    }
    fs::write(&good, csv).expect("write");
    let good_path = good.to_str().expect("utf-8");
    let o = playground(&["--data", good_path, "--epochs", "5", "--json"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let v: Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert_eq!(v["layers"][0], 3); // three feature columns
    assert_eq!(v["task"], "classification");
    // the playground's features need points in the plane
    assert_error(
        &playground(&["--data", good_path, "--features", "x1sq"]),
        "--features",
    );

    let bad = dir.join("bad.csv");
    fs::write(&bad, "x,y,label\n1,2,1\n3,oops,0\n").expect("write");
    let o = playground(&["--data", bad.to_str().expect("utf-8")]);
    assert_error(&o, "bad.csv: line 3, column 2 (y): invalid number 'oops'");
    let o = playground(&["--data", dir.join("missing.csv").to_str().expect("utf-8")]);
    assert_error(&o, "missing.csv: cannot read: No such file");
    fs::remove_dir_all(dir).expect("remove the scratch folder");
}

#[test]
fn an_unreadable_file_is_reported_as_such_not_as_an_option() {
    let dir = scratch("unreadable");
    let path = dir.join("missing.csv");
    let o = playground(&["--data", path.to_str().expect("utf-8")]);
    let err = text(&o.stderr);
    assert_error(&o, &format!("error: {}: cannot read: ", path.display()));
    assert!(!err.contains("invalid --"), "{err}");
    let o = playground(&["--data", dir.to_str().expect("utf-8")]);
    assert_error(&o, "cannot read: is a directory");
    fs::remove_dir_all(dir).expect("remove the scratch folder");
}

#[test]
fn settings_errors_use_the_option_names_and_say_what_is_wrong() {
    let o = playground(&["--lr", "-1"]);
    assert_error(
        &o,
        "error: invalid --lr: the learning rate must be finite and > 0, got -1",
    );
    let o = playground(&["--lr-end", "0"]);
    assert_error(
        &o,
        "error: invalid --lr-end: the final learning rate must be finite and > 0, got 0",
    );
    let o = playground(&["--dataset", "spirals"]);
    assert_error(&o, "error: invalid --dataset: unknown problem 'spirals'");
    let o = playground(&["--reg-rate", "-1", "--regularization", "l2"]);
    assert_error(&o, "error: invalid --reg-rate: the regularisation rate");
}

#[test]
fn the_label_column_is_a_name_or_a_number() {
    let dir = scratch("label");
    let path = dir.join("d.csv");
    let mut csv = String::from("y,a,b\n");
    for i in 0..20 {
        let x = i as f64 / 10.0 - 1.0;
        csv.push_str(&format!("{},{x},{}\n", i32::from(x > 0.0), -x));
    }
    fs::write(&path, csv).expect("write");
    let p = path.to_str().expect("utf-8");
    let run = |label: &str| {
        let o = playground(&["--data", p, "--label", label, "--epochs", "2", "--json"]);
        assert!(o.status.success(), "{}", text(&o.stderr));
        let v: Value = serde_json::from_slice(&o.stdout).expect("JSON");
        (
            v["features"].clone(),
            v["task"].clone(),
            v["test_loss"].clone(),
        )
    };
    let by_number = run("1");
    assert_eq!(by_number, run("y"));
    assert_eq!(by_number.0, serde_json::json!(["x1", "x2"])); // two columns: the plane
    assert_eq!(by_number.1, "classification");
    assert_error(
        &playground(&["--data", p, "--label", "4"]),
        "invalid --label: the label column number must be from 1 to 3 for",
    );
    assert_error(
        &playground(&["--data", p, "--label", "z"]),
        "has no column 'z' for the label (columns: y, a, b)",
    );
    fs::remove_dir_all(dir).expect("remove the scratch folder");
}

#[test]
fn a_split_too_small_for_the_file_names_the_file_and_its_rows() {
    let dir = scratch("short");
    let path = dir.join("two.csv");
    fs::write(&path, "x,y,label\n1,2,1\n\n3,4,0\n").expect("write");
    let o = playground(&[
        "--data",
        path.to_str().expect("utf-8"),
        "--test-ratio",
        "0.1",
    ]);
    assert_error(
        &o,
        &format!(
            "error: invalid --test-ratio: {} has 2 data rows: a test ratio of 0.1 leaves none \
             of 2 samples for testing",
            path.display()
        ),
    );
    fs::remove_dir_all(dir).expect("remove the scratch folder");
}
