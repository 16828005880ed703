//! `backprop explain --layers` and `backprop trace --layers` end to end: on a small MLP a
//! weight reaches the cost along several paths, and the sum over them is the tape's
//! gradient ("multiply along paths, add across them").

mod common;
use common::{assert_input_error, backprop, json, stderr, stdout};

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-14 * b.abs().max(1e-300)
}

/// Each layer size, and the number of paths from each weight to C: a weight into layer
/// `l` reaches C through every neuron of each layer above its own hidden one.
fn expected_paths(sizes: &[usize]) -> Vec<u128> {
    let mut counts = Vec::new();
    for l in 1..sizes.len() {
        // from the neuron the weight feeds (layer l), through layers l+1 .. last−1
        let through: u128 = (sizes.iter().take(sizes.len() - 1).skip(l + 1))
            .map(|&n| n as u128)
            .product();
        counts.extend(std::iter::repeat_n(through, sizes[l - 1] * sizes[l]));
    }
    counts
}

#[test]
fn explain_sum_over_paths_equals_the_tape_for_every_weight_of_small_mlps() {
    for (layers, sizes) in [
        ("1,2,1", vec![1, 2, 1]),
        ("2,2,1", vec![2, 2, 1]),
        ("1,2,2,1", vec![1, 2, 2, 1]),
        ("1,3,2,2,1", vec![1, 3, 2, 2, 1]),
    ] {
        let out = json(&["explain", "--layers", layers, "--json"]);
        assert_eq!(out["net"], format!("layers:{layers}"));
        let gradients = out["gradients"].as_array().unwrap();
        let paths = expected_paths(&sizes);
        assert_eq!(gradients.len(), paths.len(), "{layers}");
        for (i, (g, &count)) in gradients.iter().zip(&paths).enumerate() {
            assert_eq!(g["weight"], format!("w{i}"));
            assert_eq!(g["paths"], count.to_string(), "{layers} w{i}");
            assert_eq!(g["left_out"], "0");
            let (sum, tape) = (
                g["sum_of_listed"].as_f64().unwrap(),
                g["tape"].as_f64().unwrap(),
            );
            assert!(
                tape != 0.0 && close(sum, tape),
                "{layers} w{i}: {sum} vs {tape}"
            );
            // each listed product is the product of its factors
            for path in g["listed"].as_array().unwrap() {
                let product: f64 = path["factors"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|f| f["value"].as_f64().unwrap())
                    .product();
                assert!(close(product, path["product"].as_f64().unwrap()));
            }
        }
    }
}

#[test]
fn a_first_layer_weight_of_1_2_2_1_has_two_paths_whose_text_sum_is_the_tape() {
    let o = backprop(&["explain", "--layers", "1,2,2,1", "--weight", "w0"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(text.starts_with("dC/dw0: 2 paths from w0 to C\n"), "{text}");
    assert!(text.contains("  path 2: w0 → x1.0 → s1.0 →"), "{text}");
    let number = |label: &str| -> f64 {
        let line = text.lines().find(|l| l.contains(label)).unwrap();
        line.rsplit('=').next().unwrap().trim().parse().unwrap()
    };
    let products: Vec<f64> = text
        .lines()
        .filter(|l| l.trim_start().starts_with("product"))
        .map(|l| l.split_whitespace().last().unwrap().parse().unwrap())
        .collect();
    assert_eq!(products.len(), 2);
    // the default weights 1, 0.5, … make the two paths carry different products
    assert!(products[0] != products[1]);
    let (sum, tape) = (number("sum over listed paths"), number("tape's dC/dw0"));
    assert_eq!(sum, tape);
    assert!(close(products[0] + products[1], tape));
}

#[test]
fn trace_gradients_equal_explains_tape_values() {
    for layers in ["1,2,1", "2,2,1", "1,2,2,1"] {
        let args = [
            "--layers",
            layers,
            "--weights",
            "",
            "--s0",
            "-0.7",
            "--json",
        ];
        let n = expected_paths(
            &layers
                .split(',')
                .map(|s| s.parse().unwrap())
                .collect::<Vec<_>>(),
        )
        .len();
        let weights: Vec<String> = (0..n)
            .map(|i| format!("{}", 0.3 - 0.2 * i as f64))
            .collect();
        let weights = weights.join(",");
        let mut args = args.to_vec();
        args[3] = &weights;
        let trace = json(&[&["trace"], &args[..]].concat());
        let explain = json(&[&["explain"], &args[..]].concat());
        let (t, e) = (
            trace["gradients"].as_array().unwrap(),
            explain["gradients"].as_array().unwrap(),
        );
        assert_eq!(t.len(), n);
        assert_eq!(e.len(), n);
        for (t, e) in t.iter().zip(e) {
            assert_eq!(t["weight"], e["weight"]);
            let (a, b) = (t["gradient"].as_f64().unwrap(), e["tape"].as_f64().unwrap());
            assert_eq!(a.to_bits(), b.to_bits(), "{layers}");
        }
        // the trace names the weights' roles and the MLP's nodes
        let roles: Vec<&str> = trace["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|n| n["role"] == "weight")
            .map(|n| n["name"].as_str().unwrap())
            .collect();
        assert_eq!(roles.len(), n);
        assert!(trace["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["name"] == "out"));
    }
    let text = stdout(&backprop(&["trace", "--layers", "1,2,1"]));
    assert!(
        text.contains("Backward sweep") && text.contains("  dC/dw3 = "),
        "{text}"
    );
    assert!(text.contains("s1.1               S(x1.1)"), "{text}");
}

#[test]
fn layers_refuse_bad_sizes_weights_and_the_net_option_with_exit_2() {
    for cmd in ["explain", "trace"] {
        let run = |args: &[&str]| backprop(&[&[cmd], args].concat());
        assert_input_error(
            &run(&["--layers", "1,2,1", "--net", "lecture"]),
            &["--layers", "--net"],
        );
        assert_input_error(&run(&["--layers", "1,65,1"]), &["--layers", "65"]);
        assert_input_error(&run(&["--layers", "64,64,1"]), &["--layers", "4096"]);
        assert_input_error(&run(&["--layers", "1,2"]), &["--layers"]);
        assert_input_error(&run(&["--layers", "1,2,2"]), &["--layers", "end in 1"]);
        assert_input_error(&run(&["--layers", "1,x,1"]), &["--layers"]);
        assert_input_error(&run(&["--layers", ""]), &["--layers"]);
        assert_input_error(
            &run(&["--layers", "1,2,1", "--weights", "1,2,3"]),
            &["--weights", "--layers", "4 weights"],
        );
        assert_input_error(
            &run(&[
                "--layers",
                "1,2,1",
                "--weights",
                "1e300,1e300,1e300,1e300",
                "--s0",
                "1e300",
            ]),
            &["overflows"],
        );
    }
    assert_input_error(
        &backprop(&["explain", "--layers", "1,2,1", "--weight", "w4"]),
        &["--weight", "w4", "w0, w1, w2, w3"],
    );
    // 8·8 + 8 = 72 weights: too many for all at once, one is fine
    assert_input_error(
        &backprop(&["explain", "--layers", "8,8,1"]),
        &["--weight", "72 weights"],
    );
    let o = backprop(&["explain", "--layers", "8,8,1", "--weight", "w71"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}
