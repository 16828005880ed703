//! Graphviz export: drawn left to right, nodes labelled with their name, their op on their
//! operands' names, their value to 4 digits (full precision in a tooltip) and adjoint; edges
//! with their local partials; data styled apart from weights; one leaf's paths highlighted.

mod common;
mod program;

use std::collections::BTreeSet;

use autodiff::{DotOptions, Graph, Var, HIGHLIGHT_COLOR};
use proptest::prelude::*;

use program::checks;
use program::{program, Program};

const REGRESSIONS: &str = "proptest-regressions/dot.txt";

/// The lecture's net written out: `C = ½ (target − out)²`, `out = w2 S(w1 S(w0 s0))`.
fn lecture(g: &Graph) -> ([Var<'_>; 3], [Var<'_>; 2], Var<'_>) {
    let s0 = g.var_named("s0", 2.0);
    let [w0, w1, w2] =
        [(0, 2.0), (1, 1.0), (2, 0.5)].map(|(i, w)| g.var_named(&format!("w{i}"), w));
    let target = g.var_named("target", 0.7);
    let x1 = (w0 * s0).named("x1");
    let s1 = x1.sigmoid().named("s1");
    let x2 = (w1 * s1).named("x2");
    let s2 = x2.sigmoid().named("s2");
    let out = (w2 * s2).named("out");
    let cost = ((target - out).square() * 0.5).named("C");
    ([w0, w1, w2], [s0, target], cost)
}

/// The DOT line of node `i`.
fn node_line(dot: &str, i: usize) -> &str {
    let start = format!("    {i} [ ");
    dot.lines()
        .find(|l| l.starts_with(&start))
        .unwrap_or_else(|| panic!("no node {i} in {dot}"))
}

/// Every edge line's `(source, target)`, in order, and whether it is highlighted.
fn edges(dot: &str) -> Vec<((usize, usize), bool)> {
    dot.lines()
        .filter_map(|l| {
            let (ends, attributes) = l.trim().split_once(" [ ")?;
            let (source, target) = ends.split_once(" -> ")?;
            let pair = (source.parse().ok()?, target.parse().ok()?);
            Some((pair, attributes.contains(HIGHLIGHT_COLOR)))
        })
        .collect()
}

/// The highlighted edges as `(source, target)`, with multiplicity.
fn highlighted(dot: &str) -> Vec<(usize, usize)> {
    let mut on: Vec<_> = edges(dot)
        .into_iter()
        .filter(|e| e.1)
        .map(|e| e.0)
        .collect();
    on.sort_unstable();
    on
}

/// The edges of every path from `leaf` to `root`, from the paths machinery, as
/// `(source, target)` with multiplicity (two edges `a → a + a` are two).
fn path_edges(root: Var<'_>, leaf: Var<'_>) -> Vec<(usize, usize)> {
    let paths = root.paths_from(leaf, 100_000);
    assert_eq!(paths.left_out(), 0);
    let unique: BTreeSet<(usize, usize, u8)> = paths
        .listed
        .iter()
        .flat_map(|p| p.edges.iter().map(|e| (e.source, e.target, e.slot)))
        .collect();
    let mut on: Vec<_> = unique.into_iter().map(|(s, t, _)| (s, t)).collect();
    on.sort_unstable();
    on
}

#[test]
fn the_lecture_net_reads_left_to_right_with_names_ops_and_four_digit_values() {
    let g = Graph::new();
    let (_, _, cost) = lecture(&g);
    let dot = g.to_dot_with(&cost.backward());
    assert!(dot.starts_with("digraph {\n    rankdir=\"LR\"\n"), "{dot}");
    // x1 = w0·s0 = 4, s1 = S(4) = 0.98201379…, out = w2·s2 = 0.36375…
    let x1 = node_line(&dot, 5);
    assert!(
        x1.contains(r#"label = "x1 = w0·s0\n= 4\n∂C/∂x1 = "#),
        "{x1}"
    );
    let s1 = node_line(&dot, 6);
    let s1_value = g.node(6).unwrap().value();
    assert!(s1.contains(r#"label = "s1 = S(x1)\n= 0.982\n"#), "{s1}");
    assert!(
        s1.contains(&format!(r#"tooltip = "s1 = S(x1) = {s1_value}\n∂C/∂s1 = "#)),
        "{s1}"
    );
    assert!(
        s1_value.to_string().len() > 15,
        "the tooltip's digits are all there"
    );
    let c = node_line(&dot, 12);
    assert!(
        c.contains(r#"label = "C = 0.5·(target − out)²\n= 0.05653\n∂C/∂C = 1""#),
        "{c}"
    );
    let unnamed = node_line(&dot, 10);
    assert!(
        unnamed.contains(r#"label = "target − out\n= 0.3362"#),
        "{unnamed}"
    );
    assert_eq!(dot.matches("->").count(), g.edge_count());
}

#[test]
fn edges_carry_their_partial_as_a_formula_and_a_value() {
    let g = Graph::new();
    let (_, _, _) = lecture(&g);
    let dot = g.to_dot();
    // ∂x1/∂w0 = s0 = 2, ∂x1/∂s0 = w0 = 2, ∂s1/∂x1 = s1(1 − s1)
    assert!(
        dot.contains(r#"1 -> 5 [ label = "s0 = 2" tooltip = "∂x1/∂w0 = s0 = 2"]"#),
        "{dot}"
    );
    assert!(dot.contains(r#"0 -> 5 [ label = "w0 = 2""#), "{dot}");
    let partial = g.dag().raw_edges()[2].weight.partial; // the edges of w0·s0, then x1 → s1
    let sigmoid_edge = format!(
        r#"5 -> 6 [ label = "s1(1 − s1) = 0.01766" tooltip = "∂s1/∂x1 = s1(1 − s1) = {partial}"]"#
    );
    assert!(dot.contains(&sigmoid_edge), "{dot}");
    // a constant partial is just its value: ∂C/∂(target − out)² = 0.5
    assert!(dot.contains(r#"11 -> 12 [ label = "0.5" "#), "{dot}");
}

#[test]
fn data_leaves_are_styled_apart_from_weights() {
    let g = Graph::new();
    let (weights, data, cost) = lecture(&g);
    let dot = g.to_dot_styled(&DotOptions::new().data(&data));
    let style = |v: Var<'_>| {
        let line = node_line(&dot, v.index());
        line[line.find("shape").unwrap()..].to_string()
    };
    let data_style = style(data[0]);
    let weight_style = style(weights[0]);
    assert_ne!(data_style, weight_style, "{dot}");
    assert_eq!(style(data[1]), data_style);
    for w in weights {
        assert_eq!(style(w), weight_style);
    }
    assert_ne!(style(cost), weight_style);
    assert!(
        dot.contains("grey rounded boxes: data"),
        "a legend says so: {dot}"
    );
    // without options every input is a weight
    let plain = g.to_dot();
    assert!(node_line(&plain, data[0].index()).ends_with(&weight_style));
}

#[test]
fn highlighted_edges_are_exactly_the_paths_of_the_leaf() {
    let g = Graph::new();
    let (weights, data, cost) = lecture(&g);
    for leaf in weights.into_iter().chain(data) {
        let dot = g.to_dot_styled(&DotOptions::new().highlight(leaf, cost));
        let expected = path_edges(cost, leaf);
        assert!(!expected.is_empty());
        assert_eq!(highlighted(&dot), expected, "{dot}");
    }
    let dot = g.to_dot_styled(&DotOptions::new().highlight(weights[0], cost));
    assert!(dot.contains("red: every path from w0 to C"), "{dot}");
    // w0's node has a red border, w1's not
    assert!(node_line(&dot, weights[0].index()).contains(HIGHLIGHT_COLOR));
    assert!(!node_line(&dot, weights[1].index()).contains(HIGHLIGHT_COLOR));
}

#[test]
fn an_mlp_weight_reaching_the_cost_along_several_paths_has_them_all_highlighted() {
    // 1 input, hidden layers of 2 and 2 tanh units, one output: a first-layer weight
    // reaches the cost through both second-layer units
    let g = Graph::new();
    let x = g.var_named("x", 0.8);
    let y = g.var_named("y", -0.3);
    let mut weights = Vec::new();
    let mut weight = |name: String, value: f64| {
        let w = g.var_named(&name, value);
        weights.push(w);
        w
    };
    let h1: Vec<Var<'_>> = (0..2)
        .map(|j| {
            (weight(format!("a{j}"), 0.5 - j as f64) * x)
                .tanh()
                .named(&format!("h{j}"))
        })
        .collect();
    let h2: Vec<Var<'_>> = (0..2)
        .map(|k| {
            let sum: Var<'_> = h1
                .iter()
                .enumerate()
                .map(|(j, &h)| weight(format!("b{j}{k}"), 0.3 * (j + k + 1) as f64) * h)
                .sum();
            sum.tanh().named(&format!("g{k}"))
        })
        .collect();
    let out = (weight("c0".into(), 1.2) * h2[0] + weight("c1".into(), -0.7) * h2[1]).named("out");
    let cost = (out - y).square().named("C");
    for &w in &weights {
        let dot = g.to_dot_styled(&DotOptions::new().data(&[x, y]).highlight(w, cost));
        assert_eq!(highlighted(&dot), path_edges(cost, w), "{:?}", w.name());
    }
    assert_eq!(cost.paths_from(weights[0], 100).count, 2);
    // the input reaches the cost along four paths
    let dot = g.to_dot_styled(&DotOptions::new().highlight(x, cost));
    assert_eq!(cost.paths_from(x, 100).count, 4);
    assert_eq!(highlighted(&dot), path_edges(cost, x));
}

#[test]
fn a_reused_node_has_both_of_its_edges_highlighted() {
    let g = Graph::new();
    let a = g.var_named("a", 3.0);
    let b = (a + a).named("b");
    let c = (b * b).named("c");
    let unrelated = g.var_named("u", 1.0) * a;
    let dot = g.to_dot_styled(&DotOptions::new().highlight(a, c));
    assert_eq!(highlighted(&dot), [(0, 1), (0, 1), (1, 2), (1, 2)]);
    assert_eq!(edges(&dot).len(), 6);
    // a leaf the root does not depend on, or a root before the leaf: nothing highlighted
    let dot = g.to_dot_styled(&DotOptions::new().highlight(unrelated, c));
    assert!(highlighted(&dot).is_empty());
    let dot = g.to_dot_styled(&DotOptions::new().highlight(c, a));
    assert!(highlighted(&dot).is_empty());
}

#[test]
fn unnamed_nodes_are_written_as_their_expression_with_the_right_grouping() {
    let g = Graph::new();
    let w = g.var_named("w0", 2.0);
    let x = g.constant(-1.5);
    let y = (w * x).powi(3) + 1.0; // (-3)³ + 1 = -26
    let dot = g.to_dot();
    assert!(node_line(&dot, 1).contains(r#"label = "-1.5" tooltip = "-1.5" shape = plaintext"#));
    assert!(
        node_line(&dot, 2).contains(r#"label = "w0·(-1.5)\n= -3""#),
        "{dot}"
    );
    assert!(
        node_line(&dot, 3).contains(r#"label = "(w0·(-1.5))^3\n= -27""#),
        "{dot}"
    );
    assert!(
        node_line(&dot, 4).contains(r#"label = "(w0·(-1.5))^3 + 1\n= -26""#),
        "{dot}"
    );
    assert!(!dot.contains(r"\n∂"), "no sweep, no adjoints: {dot}");
    assert_eq!(y.value(), -26.0);
}

#[test]
fn adjoints_are_named_after_the_root_and_absent_after_it() {
    let g = Graph::new();
    let w = g.var_named("w0", 2.0);
    let y = (w * 3.0).named("y"); // dy/dw = 3
    let after = y.sigmoid(); // recorded after the root: no adjoint
    let dot = g.to_dot_with(&y.backward());
    assert!(dot.contains(r#"label = "w0 = 2\n∂y/∂w0 = 3""#), "{dot}");
    assert!(
        dot.contains(r#"label = "y = 3·w0\n= 6\n∂y/∂y = 1""#),
        "{dot}"
    );
    let sigmoid = format!(r#"label = "S(y)\n= {:.4}" "#, after.value());
    assert!(dot.contains(&sigmoid), "{dot}");
    assert_eq!(
        dot.matches(r"\n∂y/∂").count(),
        2 * 2,
        "label and tooltip of two nodes"
    );
}

#[test]
fn non_finite_values_are_written_as_such() {
    let g = Graph::new();
    let x = g.var_named("x", 0.0);
    let _ = x.ln().named("l"); // -inf, partial 1/0 = inf
    let dot = g.to_dot();
    assert!(dot.contains(r#"label = "l = ln(x)\n= -inf""#), "{dot}");
    assert!(dot.contains(r#"label = "1/x = inf""#), "{dot}");
}

#[test]
fn dot_escapes_quotes_backslashes_and_line_breaks_in_names() {
    let g = Graph::new();
    let _ = g.var_named("say \"hi\" \\o/\nbye", 1.0);
    let dot = g.to_dot();
    assert!(
        dot.contains(r#"label = "say \"hi\" \\o/\nbye = 1""#),
        "{dot}"
    );
    assert_eq!(dot.lines().count(), 6, "one line per node: {dot}");
}

#[test]
fn dot_of_an_empty_graph_is_an_empty_digraph() {
    let dot = Graph::new().to_dot();
    assert!(dot.starts_with("digraph {") && dot.trim_end().ends_with('}'));
    assert!(!dot.contains("label"));
}

#[test]
#[should_panic(expected = "another graph")]
fn options_from_another_graph_are_refused() {
    let (g, h) = (Graph::new(), Graph::new());
    let a = g.var(1.0);
    let b = h.var(2.0);
    let _ = g.to_dot_styled(&DotOptions::new().highlight(b, a));
}

fn case() -> impl Strategy<Value = (Program, Vec<f64>)> {
    checks::with_inputs(program())
}

proptest! {
    #![proptest_config(checks::config(200, REGRESSIONS))]

    /// On random straight-line programs (reused operands, `a·a`, included), the edges
    /// drawn in colour are exactly those of the paths `paths_from` lists, each once.
    #[test]
    fn highlighted_edges_are_the_listed_paths_edges_on_random_programs((p, x) in case()) {
        let g = Graph::new();
        let slots = p.build(&g, &x);
        let out = *slots.last().unwrap();
        for &leaf in &slots[..x.len()] {
            prop_assume!(out.paths_from(leaf, 4096).left_out() == 0);
            let dot = g.to_dot_styled(&DotOptions::new().highlight(leaf, out));
            prop_assert_eq!(highlighted(&dot), path_edges(out, leaf), "{}", p);
            prop_assert_eq!(edges(&dot).len(), g.edge_count());
        }
    }
}
