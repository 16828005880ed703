//! The `backprop` binary end to end: every command form, and every kind of bad input
//! (one `error:` line naming file, line and column or the option; exit code 2; no panic).

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

mod common;
use common::{assert_input_error, backprop, path_str, scratch, stderr, stdout};

#[test]
fn no_arguments_tells_the_whole_lecture_and_writes_the_plots() {
    let dir = scratch("story");
    let plots = dir.join("plots");
    let o = backprop(&["--quiet", "--plots", path_str(&plots)]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    // the slides' numbers
    for needle in ["x1", "4.0000", "0.9820", "0.7275", "0.3638", "Match? NO"] {
        assert!(text.contains(needle), "{needle} missing from:\n{text}");
    }
    assert!(text.contains("slide formula") && text.contains("finite difference"));
    assert!(text.contains("150000 steps"));
    assert!(text.contains("recovered"));
    // after the gradient table, explain's text for w0 at the slides' point, word for word,
    // and the pointers to the lesson page and to explain
    let explained = stdout(&backprop(&["explain", "--weight", "w0"]));
    assert!(explained.contains("∂x1/∂w0") && explained.contains("product"));
    let at = text
        .find(explained.trim_end())
        .expect("explain w0 in the story");
    assert!(at > text.find("finite difference").unwrap());
    assert!(at < text.find("3. The challenge").unwrap());
    assert!(text.contains("backprop report --out lesson.html"));
    assert!(text.contains("backprop explain --weight all"));
    let texts = |name: &str| -> Vec<String> {
        let svg = fs::read_to_string(plots.join(name)).unwrap();
        svg.split("<text")
            .skip(1)
            .filter_map(|t| {
                let body = &t[t.find('>')? + 1..];
                Some(body[..body.find("</text>")?].trim().to_string())
            })
            .collect()
    };
    let weights = texts("weights.svg");
    for needle in [
        "true weights",
        "true w0 = -0.2",
        "step (log scale)",
        "100,000",
    ] {
        assert!(
            weights.iter().any(|t| t.starts_with(needle)),
            "{needle}: {weights:?}"
        );
    }
    assert!(weights
        .iter()
        .any(|t| t.starts_with("each point: the mean cost of the steps")));
    assert!(
        !weights.iter().any(|t| t.contains("mean of")),
        "{weights:?}"
    );
    let surface = texts("surface.svg");
    assert!(surface
        .iter()
        .any(|t| t.starts_with("This slice holds w0 at its final value")));
    for label in weights.iter().chain(&surface) {
        assert!(
            !label.ends_with(".0") && label != "-0",
            "tick label {label:?}"
        );
    }
    // the second-order section: lm and newton next to the online descent
    assert!(text.contains("4. Second derivatives buy digits"), "{text}");
    for method in ["online gd", "lm ", "newton "] {
        assert!(text.contains(method), "{method} missing from:\n{text}");
    }
    for name in ["weights.png", "weights.svg", "surface.png", "surface.svg"] {
        let path = plots.join(name);
        assert!(text.contains(path_str(&path)), "{name} not announced");
        let bytes = fs::read(&path).unwrap();
        if name.ends_with(".png") {
            assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
        } else {
            assert!(String::from_utf8(bytes).unwrap().contains("<svg"));
        }
    }
    fs::remove_dir_all(dir).unwrap();
}

#[test]
fn generate_then_train_reports_json_with_weights_cost_epochs_steps() {
    let dir = scratch("train");
    let data = dir.join("data.csv");
    let o = backprop(&[
        "generate",
        "--weights",
        "-0.2,2.8,10",
        "--n",
        "5000",
        "--seed",
        "3",
        "--out",
        path_str(&data),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(fs::read_to_string(&data).unwrap().lines().count(), 5001);
    let o = backprop(&[
        "train",
        "--data",
        path_str(&data),
        "--epochs",
        "2",
        "--json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    assert_eq!(
        text.trim_end().lines().count(),
        1,
        "exactly one JSON object: {text}"
    );
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(json["weights"].as_array().unwrap().len(), 3);
    assert_eq!(json["epochs"], 2);
    assert_eq!(json["steps"], 10_000);
    assert!(json["cost"].as_f64().unwrap() < 1e-2);
    assert!(json["seconds"].as_f64().unwrap() >= 0.0);

    // the learning rate is --lr, or --alpha as the lecture calls it
    let full_batch = |lr_option: &str| {
        let o = backprop(&[
            "train",
            "--data",
            path_str(&data),
            "--full-batch",
            "--epochs",
            "5",
            lr_option,
            "0.1",
            "--init",
            "1,1,1",
            "--json",
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
        serde_json::from_str::<serde_json::Value>(&stdout(&o)).unwrap()
    };
    let json = full_batch("--lr");
    assert_eq!(
        (json["steps"].as_u64(), json["mode"].as_str()),
        (Some(5), Some("full-batch"))
    );
    assert_eq!(json["lr"], 0.1);
    assert_eq!(full_batch("--alpha")["weights"], json["weights"]);
    fs::remove_dir_all(dir).unwrap();
}

#[test]
fn train_text_output_and_plots_for_the_two_node_net() {
    let dir = scratch("two-node");
    let data = dir.join("two.csv");
    let o = backprop(&[
        "generate",
        "--net",
        "two-node",
        "--weights",
        "0.9,-1.5",
        "--n",
        "500",
        "--out",
        path_str(&data),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let plots = dir.join("plots");
    let o = backprop(&[
        "train",
        "--data",
        path_str(&data),
        "--net",
        "two-node",
        "--quiet",
        "--plot", // the other spelling of --plots
        path_str(&plots),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(
        text.contains("500 steps") && text.contains("learning rate 0.01") && text.contains("w1 = "),
        "{text}"
    );
    assert!(plots.join("surface.png").exists());
    fs::remove_dir_all(dir).unwrap();
}

#[test]
fn check_prints_the_comparison_and_json() {
    let o = backprop(&["check"]);
    assert!(o.status.success());
    let text = stdout(&o);
    assert!(text.contains("0.3638") && text.contains("w2"), "{text}");
    let o = backprop(&[
        "check",
        "--weights",
        "1,-2,3",
        "--s0",
        "-1.5",
        "--target",
        "2",
        "--json",
    ]);
    let json: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let rows = json["gradients"].as_array().unwrap();
    assert_eq!(rows.len(), 3);
    for row in rows {
        let (tape, formula) = (
            row["tape"].as_f64().unwrap(),
            row["formula"].as_f64().unwrap(),
        );
        assert!((tape - formula).abs() <= 1e-12 * tape.abs().max(1e-300));
    }
    assert_eq!(json["point"]["s0"], -1.5);
}

#[test]
fn check_on_a_net_without_slide_formulas_prints_no_formula_column() {
    let o = backprop(&["check", "--net", "two-node"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(text.contains("Gradient of C, two ways"), "{text}");
    assert!(
        !text.contains("three ways") && !text.contains("formula ") && !text.contains("|tape-form|"),
        "{text}"
    );
    assert!(text.contains("finite difference") && text.contains("|tape-fd|"));
}

#[test]
fn help_says_what_running_without_a_command_does() {
    let o = backprop(&["--help"]);
    assert!(o.status.success());
    let text = stdout(&o);
    assert!(
        text.contains("Without a command, backprop tells the whole lecture on built-in data"),
        "{text}"
    );
}

#[test]
fn graph_prints_dot_left_to_right_with_ops_short_values_and_full_tooltips() {
    let o = backprop(&["graph", "--weights", "2,1,0.5"]);
    assert!(o.status.success());
    let dot = stdout(&o);
    assert!(dot.starts_with("digraph {\n    rankdir=\"LR\""), "{dot}");
    for label in [
        r#"label = "x1 = w0·s0\n= 4\n∂C/∂x1 = "#,
        r#"label = "s1 = S(x1)\n= 0.982\n"#,
        r#"label = "x2 = w1·s1\n= 0.982\n"#,
        r#"label = "out = w2·s2\n= 0.3638\n"#,
        r#"label = "C = 0.5·(target − out)²\n= 0.05653\n∂C/∂C = 1""#,
        r#"label = "w0 = 2\n∂C/∂w0 = -0.001177" tooltip = "w0 = 2\n∂C/∂w0 = -0.0011773525714957"#,
    ] {
        assert!(dot.contains(label), "{label} in {dot}");
    }
    // the edge w0 → x1 carries ∂x1/∂w0 = s0 = 2
    assert!(dot.contains(r#"1 -> 5 [ label = "s0 = 2" tooltip = "∂x1/∂w0 = s0 = 2"]"#));
    // s0 and target are data, drawn alike and unlike the weights
    let style = |name: &str| {
        let start = format!("label = \"{name} = ");
        let line = dot.lines().find(|l| l.contains(&start)).unwrap();
        line[line.find("shape").unwrap()..].to_string()
    };
    assert_eq!(style("s0"), style("target"));
    assert_ne!(style("s0"), style("w0"));
    assert_eq!(style("w0"), style("w2"));
    assert!(!dot.contains(backprop::autodiff::HIGHLIGHT_COLOR));
}

/// The highlighted edges of a DOT text, as `(source, target)` sorted, with multiplicity.
fn highlighted_edges(dot: &str) -> Vec<(usize, usize)> {
    let mut on: Vec<(usize, usize)> = dot
        .lines()
        .filter(|l| l.contains(" -> ") && l.contains(backprop::autodiff::HIGHLIGHT_COLOR))
        .map(|l| {
            let (ends, _) = l.trim().split_once(" [").unwrap();
            let (s, t) = ends.split_once(" -> ").unwrap();
            (s.parse().unwrap(), t.parse().unwrap())
        })
        .collect();
    on.sort_unstable();
    on
}

#[test]
fn graph_highlight_colours_exactly_the_path_edges_of_the_weight() {
    use backprop::lecture::{Net, Point};
    for (net_name, net) in [
        ("lecture", Net::Lecture),
        ("two-node", Net::TwoNode),
        ("chain:5", Net::Chain(5)),
    ] {
        let g = backprop::autodiff::Graph::new();
        let point = Point {
            weights: if net == Net::Lecture {
                Point::slides().weights
            } else {
                vec![1.0; net.n_weights()]
            },
            ..Point::slides()
        };
        let built = net.build(&g, &point).unwrap();
        let leaves = built.weights.iter().chain([&built.s0, &built.target]);
        for leaf in leaves {
            let name = leaf.name().unwrap();
            let o = backprop(&["graph", "--net", net_name, "--highlight", &name]);
            assert!(o.status.success(), "{}", stderr(&o));
            let paths = built.cost.paths_from(*leaf, 1000);
            let mut expected: Vec<(usize, usize)> = paths.listed[0]
                .edges
                .iter()
                .map(|e| (e.source, e.target))
                .collect();
            expected.sort_unstable();
            assert_eq!(paths.count, 1, "one path per leaf in these nets");
            assert_eq!(
                highlighted_edges(&stdout(&o)),
                expected,
                "{net_name} {name}"
            );
            let legend = format!("red: every path from {name} to C");
            assert!(stdout(&o).contains(&legend));
        }
    }
}

#[test]
fn graph_refuses_an_unknown_highlight_listing_the_valid_names() {
    assert_input_error(
        &backprop(&["graph", "--highlight", "w3"]),
        &["--highlight", "\"w3\"", "w0, w1, w2, s0, target"],
    );
    assert_input_error(
        &backprop(&["graph", "--net", "chain:1", "--highlight", "x1"]),
        &["--highlight", "w0, w1, s0, target"],
    );
    assert_input_error(
        &backprop(&["graph", "--highlight", ""]),
        &["--highlight", "\"\""],
    );
}

#[test]
fn graph_writes_infinite_values_as_such() {
    // x1 = 1e308 · 1e308 = inf, s1 = S(inf) = 1, whose partial s1(1 − s1) is 0
    let o = backprop(&["graph", "--s0", "1e308", "--weights", "1e308,1,1"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let dot = stdout(&o);
    assert!(
        dot.contains(r#"label = "x1 = w0·s0\n= inf\n∂C/∂x1 = 0""#),
        "{dot}"
    );
    assert!(dot.contains(r#"label = "s1(1 − s1) = 0""#), "{dot}");
}

#[test]
fn help_and_version_exit_zero_usage_errors_exit_two() {
    assert_eq!(backprop(&["--help"]).status.code(), Some(0));
    assert_eq!(backprop(&["--version"]).status.code(), Some(0));
    assert_eq!(backprop(&["train", "--help"]).status.code(), Some(0));
    let o = backprop(&["--no-such-flag"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(!stderr(&o).contains("panicked"));
    let o = backprop(&["train"]); // --data missing
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--data"));
}

/// Writes `contents` to a file in `dir` and runs `backprop train` on it.
fn train_on(dir: &Path, name: &str, contents: &[u8]) -> (Output, String) {
    let path = dir.join(name);
    fs::write(&path, contents).unwrap();
    let o = backprop(&["train", "--quiet", "--data", path_str(&path)]);
    (o, path.display().to_string())
}

#[test]
fn bad_data_files_name_file_line_and_column() {
    let dir = scratch("bad-data");
    let cases: [(&str, &[u8], &[&str]); 15] = [
        (
            "blank-lines.csv",
            b"in_true,out_true\n\n1,2\r\n\r\n   \n3,x\n",
            &["line 6", "column 2 (out_true)", "invalid number 'x'"],
        ),
        (
            "mixed-first-row.csv",
            b"s0,1\n1,2\n",
            &[
                "line 1",
                "column 1 (in_true)",
                "invalid number 's0' (a first row with a number in it is data, not a header)",
            ],
        ),
        (
            "escaped.csv",
            b"1,2\n3,\"\x1b[31mred\tand a very long field that goes on and on\"\n",
            &[
                "line 2",
                "column 2 (out_true)",
                "invalid number '\\u{1b}[31mred\\tand a very long field that goes…'",
            ],
        ),
        (
            "abc.csv",
            b"x,y\n1,2\nabc,4\n",
            &["line 3", "column 1 (x)", "invalid number 'abc'"],
        ),
        (
            "empty-field.csv",
            b"x,y\n1,2\n,4\n",
            &["line 3", "column 1 (x)", "empty field"],
        ),
        (
            "nan.csv",
            b"in_true,out_true\n1,NaN\n",
            &["line 2", "column 2 (out_true)", "finite"],
        ),
        (
            "inf.csv",
            b"1,2\n3,4\n-inf,1\n",
            &["line 3", "column 1 (in_true)", "finite"],
        ),
        (
            "big.csv",
            b"1,2\n3,1e400\n",
            &["line 2", "column 2", "out of range"],
        ),
        (
            "ragged.csv",
            b"in_true,out_true\n1,2\n3\n",
            &["line 3", "expected 2 fields, found 1"],
        ),
        (
            "wide.csv",
            b"1,2\n3,4,5\n",
            &["line 2", "expected 2 fields, found 3"],
        ),
        (
            "one-col.csv",
            b"in_true\n1\n",
            &["line 1", "expected 2 fields"],
        ),
        (
            "header-only.csv",
            b"in_true,out_true\n",
            &["no data rows after the header"],
        ),
        ("empty.csv", b"", &["empty file"]),
        (
            "semicolon.csv",
            b"in_true;out_true\n1;2\n",
            &["line 1", "wrong delimiter", "';'"],
        ),
        (
            "latin1.csv",
            b"1,2\n3,\xe9\n",
            &["line 2", "column 2", "invalid UTF-8"],
        ),
    ];
    for (name, contents, needles) in cases {
        let (o, path) = train_on(&dir, name, contents);
        let mut all = vec![path.as_str()];
        all.extend_from_slice(needles);
        assert_input_error(&o, &all);
    }
    fs::remove_dir_all(dir).unwrap();
}

#[test]
fn an_endless_file_stops_at_the_line_length_cap() {
    let o = backprop(&["train", "--quiet", "--data", "/dev/zero"]);
    assert_input_error(
        &o,
        &["/dev/zero: line 1: line is longer than 1048576 bytes"],
    );
    let o = backprop(&["playground", "--quiet", "--data", "/dev/zero"]);
    assert_input_error(
        &o,
        &["/dev/zero: line 1: line is longer than 1048576 bytes"],
    );
}

#[test]
fn missing_file_and_directory_are_named() {
    let dir = scratch("missing");
    let missing = dir.join("nope.csv");
    let o = backprop(&["train", "--data", path_str(&missing)]);
    assert_input_error(&o, &[path_str(&missing), "cannot read", "No such file"]);
    let o = backprop(&["train", "--data", path_str(&dir)]);
    assert_input_error(&o, &[path_str(&dir), "cannot read"]);
    fs::remove_dir_all(dir).unwrap();
}

#[test]
fn bad_option_values_name_the_option() {
    let dir = scratch("options");
    let data = dir.join("d.csv");
    fs::write(&data, "1,2\n").unwrap();
    let d = path_str(&data);
    let cases: [(&[&str], &str); 10] = [
        (&["train", "--data", d, "--lr", "abc"], "--lr"),
        (&["train", "--data", d, "--lr", "-1"], "--lr"),
        (&["train", "--data", d, "--lr", "inf"], "--lr"),
        (&["train", "--data", d, "--alpha", "0"], "--lr"), // the other spelling
        (&["train", "--data", d, "--epochs", "0"], "--epochs"),
        (&["train", "--data", d, "--net", "mlp"], "--net"),
        (&["train", "--data", d, "--init", "1,2"], "--init"),
        (&["check", "--weights", "1,x,3"], "--weights"),
        (&["check", "--s0", "NaN"], "--s0"),
        (
            &[
                "generate",
                "--weights",
                "1,2,3",
                "--n",
                "10",
                "--range",
                "5,1",
                "--out",
                d,
            ],
            "--range",
        ),
    ];
    for (args, option) in cases {
        assert_input_error(&backprop(args), &[option]);
    }
    assert_eq!(fs::read_to_string(&data).unwrap(), "1,2\n"); // untouched
    fs::remove_dir_all(dir).unwrap();
}

#[test]
fn generate_leaves_no_partial_file_when_it_cannot_write() {
    let dir = scratch("generate");
    let target = dir.join("missing-folder").join("d.csv");
    let o = backprop(&[
        "generate",
        "--weights",
        "1,2,3",
        "--n",
        "10",
        "--out",
        path_str(&target),
    ]);
    assert_input_error(&o, &[path_str(&target), "cannot write"]);
    let o = backprop(&[
        "generate",
        "--weights",
        "1,2",
        "--n",
        "10",
        "--out",
        path_str(&target),
    ]);
    assert_input_error(&o, &["--weights", "takes 3 weights, got 2"]);
    assert_eq!(fs::read_dir(&dir).unwrap().count(), 0);
    fs::remove_dir_all(dir).unwrap();
}

#[test]
fn diverging_training_stops_and_names_the_step() {
    let dir = scratch("diverge");
    let data = dir.join("d.csv");
    let o = backprop(&[
        "generate",
        "--weights",
        "1,2,3",
        "--n",
        "100",
        "--out",
        path_str(&data),
    ]);
    assert!(o.status.success());
    let o = backprop(&[
        "train",
        "--quiet",
        "--data",
        path_str(&data),
        "--lr",
        "1e300",
    ]);
    assert_input_error(
        &o,
        &[
            "diverged at step",
            "epoch 1",
            "the learning rate alpha is likely too large: try a smaller --lr",
        ],
    );
    fs::remove_dir_all(dir).unwrap();
}

#[test]
fn generate_refuses_a_device_instead_of_replacing_it() {
    let o = backprop(&[
        "generate",
        "--weights",
        "1,2,3",
        "--n",
        "10",
        "--out",
        "/dev/full",
    ]);
    assert_input_error(&o, &["/dev/full", "not a regular file"]);
    assert!(!Path::new("/dev/full").is_file());
}

#[test]
fn chain_net_trains_and_checks_through_the_same_commands() {
    let dir = scratch("chain");
    let data = dir.join("chain.csv");
    let o = backprop(&[
        "generate",
        "--net",
        "chain:3",
        "--weights",
        "0.5,2,-3,4",
        "--n",
        "300",
        "--out",
        path_str(&data),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = backprop(&[
        "train",
        "--net",
        "chain:3",
        "--data",
        path_str(&data),
        "--json",
    ]);
    let json: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(json["weights"].as_array().unwrap().len(), 4);
    let o = backprop(&["check", "--net", "chain:3", "--json"]);
    let json: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let rows = json["gradients"].as_array().unwrap();
    assert_eq!(rows.len(), 4);
    assert!(rows.iter().all(|r| r["formula"].is_null())); // the slides have no chain formulas
    let o = backprop(&[
        "train",
        "--net",
        "chain:3",
        "--data",
        path_str(&data),
        "--init",
        "1,1,1",
    ]);
    assert_input_error(&o, &["--init", "takes 4 weights, got 3"]);
    fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_plot_that_cannot_be_written_is_named_and_leaves_no_partial_file() {
    let dir = scratch("plot-blocked");
    // A folder where the first plot file should go makes its rename fail.
    fs::create_dir_all(dir.join("weights.png")).unwrap();
    let o = backprop(&["--quiet", "--plots", path_str(&dir)]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("weights.png") && !err.contains("panicked"),
        "{err}"
    );
    let mut left: Vec<String> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(left, ["weights.png"]); // only the blocking folder: no temporary, no svg
    fs::remove_dir_all(dir).unwrap();
}

#[test]
fn explain_w0_prints_the_slide_product_factor_by_factor_and_its_sum_equals_the_tape() {
    let o = backprop(&["explain", "--weight", "w0"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(text.starts_with("dC/dw0: 1 path from w0 to C\n"), "{text}");
    assert!(text.contains("w0 → x1 → s1 → x2 → s2 → out → (target − out) → (target − out)² → C"));
    // the slide's factors, each with its symbol: s0, s1(1 − s1), w1, s2(1 − s2), w2, and
    // dC/dout as −1 · 2(target − out) · 0.5
    for factor in [
        "= s0 ",
        "= s1(1 − s1) ",
        "= w1 ",
        "= s2(1 − s2) ",
        "= w2 ",
        "= 2(target − out) ",
    ] {
        assert!(text.contains(factor), "{factor:?} in {text}");
    }
    let value = |prefix: &str| -> f64 {
        let line = text
            .lines()
            .find(|l| l.trim_start().starts_with(prefix))
            .unwrap();
        line.rsplit(' ').next().unwrap().parse().unwrap()
    };
    assert_eq!(value("sum over listed paths"), value("tape's dC/dw0"));
    assert_eq!(value("tape's dC/dw0"), -1.177352571495724e-3);
}

#[test]
fn explain_json_sums_equal_the_tape_for_every_net() {
    for net in ["lecture", "two-node", "chain:4"] {
        let o = backprop(&["explain", "--net", net, "--json"]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let json: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
        let gradients = json["gradients"].as_array().unwrap();
        assert!(!gradients.is_empty());
        for g in gradients {
            let (sum, tape) = (
                g["sum_of_listed"].as_f64().unwrap(),
                g["tape"].as_f64().unwrap(),
            );
            assert!(
                (sum - tape).abs() <= 1e-15 * tape.abs(),
                "{net}: {sum} vs {tape}"
            );
            assert_eq!(g["left_out"], "0");
            let product: f64 = g["listed"][0]["factors"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| f["value"].as_f64().unwrap())
                .product();
            assert!(
                (product - tape).abs() <= 1e-15 * tape.abs(),
                "{net}: {product} vs {tape}"
            );
        }
    }
}

#[test]
fn explain_refuses_a_weight_the_net_does_not_have() {
    assert_input_error(
        &backprop(&["explain", "--weight", "w9"]),
        &["--weight", "w9", "w0, w1, w2"],
    );
    assert_input_error(
        &backprop(&["explain", "--max-paths", "0"]),
        &["--max-paths"],
    );
}

#[test]
fn trace_prints_the_forward_table_the_sweep_and_gradients_equal_to_check() {
    let o = backprop(&["trace"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = stdout(&o);
    let at = |needle: &str| {
        text.find(needle)
            .unwrap_or_else(|| panic!("{needle:?} in {text}"))
    };
    assert!(at("Forward pass") < at("Backward sweep") && at("Backward sweep") < at("Gradients"));
    assert!(text.contains("x1                 w0·s0"), "{text}");
    assert!(text.contains("dC/dout = -0.3362461932481792"), "{text}"); // out − target
    assert!(text.contains("→ w2               × s2 "), "{text}");
    assert!(text.lines().all(|l| l.chars().count() <= 100), "{text}");
    let check = backprop(&["check", "--json"]);
    let check: serde_json::Value = serde_json::from_str(&stdout(&check)).unwrap();
    for (i, row) in check["gradients"].as_array().unwrap().iter().enumerate() {
        let line = format!("  dC/dw{i} = {}\n", row["tape"].as_f64().unwrap());
        assert!(text.contains(&line), "{line:?} in {text}");
    }
}

#[test]
fn trace_json_has_every_node_every_step_and_the_sums_replay_to_the_gradients() {
    for net in ["lecture", "two-node", "chain:5"] {
        let o = backprop(&["trace", "--net", net, "--s0", "-1.5", "--json"]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let json: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
        let nodes = json["nodes"].as_array().unwrap();
        let sweep = json["sweep"].as_array().unwrap();
        assert_eq!(json["root"].as_u64().unwrap() as usize + 1, nodes.len());
        assert_eq!(sweep.len(), nodes.len());
        for (i, n) in nodes.iter().enumerate() {
            assert_eq!(n["index"].as_u64(), Some(i as u64));
            for field in ["name", "expression", "op", "role"] {
                assert!(n[field].is_string(), "{net}: {field} of {n}");
            }
            assert!(n["value"].is_f64(), "{n}");
        }
        // replay the sweep from the JSON alone: each pass adds amount = adjoint · partial
        let mut adjoint = vec![0.0_f64; nodes.len()];
        adjoint[nodes.len() - 1] = 1.0;
        for step in sweep {
            let node = step["node"].as_u64().unwrap() as usize;
            let a = step["adjoint"].as_f64().unwrap();
            assert_eq!(a.to_bits(), adjoint[node].to_bits(), "{net}: {step}");
            for pass in step["passes"].as_array().unwrap() {
                let f = |k: &str| pass[k].as_f64().unwrap();
                assert_eq!(f("amount").to_bits(), (a * f("partial")).to_bits());
                let source = pass["source"].as_u64().unwrap() as usize;
                adjoint[source] += f("amount");
                assert_eq!(adjoint[source].to_bits(), f("sum").to_bits(), "{pass}");
                assert!(pass["symbol"].is_string() && pass["from"].is_string());
            }
        }
        let check = backprop(&["check", "--net", net, "--s0", "-1.5", "--json"]);
        let check: serde_json::Value = serde_json::from_str(&stdout(&check)).unwrap();
        for (g, row) in json["gradients"]
            .as_array()
            .unwrap()
            .iter()
            .zip(check["gradients"].as_array().unwrap())
        {
            let node = g["node"].as_u64().unwrap() as usize;
            let gradient = g["gradient"].as_f64().unwrap();
            assert_eq!(gradient.to_bits(), adjoint[node].to_bits(), "{net}");
            assert_eq!(
                gradient.to_bits(),
                row["tape"].as_f64().unwrap().to_bits(),
                "{net}"
            );
            assert_eq!(g["weight"], row["weight"]);
        }
    }
}

#[test]
fn trace_refuses_weights_that_do_not_fit_or_overflow() {
    assert_input_error(
        &backprop(&["trace", "--weights", "1,2"]),
        &["--weights", "3 weights"],
    );
    assert_input_error(
        &backprop(&["trace", "--weights", "1e300,1e300,1e300", "--json"]),
        &["--weights", "overflows", "inf"],
    );
    assert_input_error(&backprop(&["trace", "--s0", "nan"]), &["--s0"]);
}

/// Runs `backprop report --quiet` with `args` in `dir`.
fn report_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_backprop"))
        .current_dir(dir)
        .args(["report", "--quiet"])
        .args(args)
        .output()
        .expect("run backprop")
}

/// The names in `dir`, sorted.
fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn report_writes_one_self_contained_page_readable_by_others() {
    let dir = scratch("report");
    let o = report_in(&dir, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), "wrote lesson.html\n");
    assert_eq!(listing(&dir), ["lesson.html"]); // no temporary file left, nothing beside it
    let page = fs::read_to_string(dir.join("lesson.html")).unwrap();
    let lower = page.to_lowercase();
    for outside in [
        "src=\"http",
        "src='http",
        "href=\"http",
        "href='http",
        "url(http",
        "url(\"http",
        "@import",
        "<link",
        "<iframe",
        "<img",
        "<object",
        "<embed",
        "<script src",
        "fetch(",
        "xmlhttprequest",
    ] {
        assert!(!lower.contains(outside), "{outside:?} in the page");
    }
    // every link stays in the page
    for (i, _) in lower.match_indices("href=\"") {
        assert!(lower[i + 6..].starts_with('#'), "{}", &page[i..i + 40]);
    }
    // the model is in the page, with the engine's gradient at full precision
    assert!(page.contains("\"tape\":-0.0011773525714957244"));
    assert!(page.contains("\"truth\":[-0.2,2.8,10.0]"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = fs::metadata(dir.join("lesson.html"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o644);
        // a page written over keeps the permissions it had
        fs::set_permissions(dir.join("lesson.html"), fs::Permissions::from_mode(0o600)).unwrap();
        assert_eq!(report_in(&dir, &[]).status.code(), Some(0));
        let mode = fs::metadata(dir.join("lesson.html"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    fs::remove_dir_all(dir).unwrap();
}

#[test]
fn report_trains_on_a_data_file_and_names_bad_ones() {
    let dir = scratch("report-data");
    fs::write(
        dir.join("acc.csv"),
        "in_true,out_true\n1,0.5\n-2,0.25\n3,0.75\n",
    )
    .unwrap();
    let o = report_in(&dir, &["--data", "acc.csv", "--out", "mine.html"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let page = fs::read_to_string(dir.join("mine.html")).unwrap();
    assert!(page.contains("\"source\":\"acc.csv (3 rows)\""), "source");
    // a path that spells a closing tag stays inside the page's data
    fs::create_dir_all(dir.join("x<").join("script>")).unwrap();
    fs::copy(dir.join("acc.csv"), dir.join("x</script>/acc.csv")).unwrap();
    let o = report_in(&dir, &["--data", "x</script>/acc.csv", "--out", "tag.html"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let tagged = fs::read_to_string(dir.join("tag.html")).unwrap();
    assert_eq!(tagged.matches("</script>").count(), 2); // the page's own two
    assert!(tagged.contains("x\\u003c/script\\u003e/acc.csv (3 rows)"));
    fs::remove_dir_all(dir.join("x<")).unwrap();
    fs::remove_file(dir.join("tag.html")).unwrap();
    assert!(page.contains("\"truth\":null"));
    assert!(page.contains("\"steps\":9")); // 3 epochs of 3 rows

    // a bad file, a diverging run: one line, exit 2, the old page untouched
    fs::write(dir.join("bad.csv"), "in_true,out_true\n1,abc\n").unwrap();
    let o = report_in(&dir, &["--data", "bad.csv", "--out", "mine.html"]);
    assert_input_error(&o, &["bad.csv", "line 2", "out_true"]);
    fs::write(dir.join("huge.csv"), "in_true,out_true\n1,1e200\n").unwrap();
    let o = report_in(&dir, &["--data", "huge.csv", "--out", "mine.html"]);
    assert_input_error(&o, &["--data huge.csv", "diverged at step 1"]);
    assert_eq!(fs::read_to_string(dir.join("mine.html")).unwrap(), page);
    assert_eq!(
        listing(&dir),
        ["acc.csv", "bad.csv", "huge.csv", "mine.html"]
    );
    fs::remove_dir_all(dir).unwrap();
}

#[test]
fn report_refuses_a_folder_a_device_and_a_path_it_cannot_write() {
    let dir = scratch("report-refuse");
    assert_input_error(
        &report_in(&dir, &["--out", "."]),
        &["--out .", "is a folder"],
    );
    assert_input_error(
        &report_in(&dir, &["--out", "missing/lesson.html"]),
        &["--out missing/lesson.html", "folder does not exist"],
    );
    assert_input_error(
        &report_in(&dir, &["--out", "/dev/null"]),
        &["--out /dev/null", "not a regular file"],
    );
    // a folder no one may create files in (even root, on Linux)
    if Path::new("/proc/self").is_dir() {
        assert_input_error(
            &report_in(&dir, &["--out", "/proc/lesson.html"]),
            &["--out /proc/lesson.html", "cannot write"],
        );
    }
    assert!(listing(&dir).is_empty());
    // a symbolic link at --out is replaced by the page; the file it pointed to is untouched
    #[cfg(unix)]
    {
        fs::write(dir.join("real.html"), "old").unwrap();
        std::os::unix::fs::symlink("real.html", dir.join("link.html")).unwrap();
        assert_eq!(
            report_in(&dir, &["--out", "link.html"]).status.code(),
            Some(0)
        );
        assert_eq!(fs::read_to_string(dir.join("real.html")).unwrap(), "old");
        assert!(fs::symlink_metadata(dir.join("link.html"))
            .unwrap()
            .is_file());
    }
    fs::remove_dir_all(dir).unwrap();
}
