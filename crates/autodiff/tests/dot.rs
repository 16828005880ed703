//! Graphviz export: labels carry the node's name or op, its value, its adjoint, and each
//! edge's local partial.

use autodiff::Graph;

#[test]
fn dot_labels_nodes_by_name_or_op_with_their_values() {
    let g = Graph::new();
    let w = g.var_named("w0", 2.0);
    let x = g.constant(-1.5);
    let y = (w * x).powi(3) + 1.0; // (-3)³ + 1 = -26
    let dot = g.to_dot();
    assert!(dot.starts_with("digraph {"), "{dot}");
    assert!(
        dot.contains(r#"0 [ label = "w0\nvalue = 2" shape = box]"#),
        "{dot}"
    );
    assert!(
        dot.contains(r#"1 [ label = "const\nvalue = -1.5" shape = box]"#),
        "{dot}"
    );
    assert!(
        dot.contains(r#"2 [ label = "mul\nvalue = -3" shape = ellipse]"#),
        "{dot}"
    );
    assert!(dot.contains(r#"label = "powi 3\nvalue = -27""#), "{dot}");
    assert!(dot.contains(r#"label = "+ 1\nvalue = -26""#), "{dot}");
    assert!(!dot.contains("adjoint"), "no sweep, no adjoints: {dot}");
    assert_eq!(y.value(), -26.0);
}

#[test]
fn dot_labels_edges_with_their_local_partials() {
    let g = Graph::new();
    let a = g.var_named("a", 3.0);
    let b = g.var_named("b", 4.0);
    let c = (a * b).named("c");
    let _ = c.ln(); // ∂ ln c/∂c = 1/12
    let dot = g.to_dot();
    // ∂(ab)/∂a = b = 4, ∂(ab)/∂b = a = 3
    assert!(dot.contains(r#"0 -> 2 [ label = "∂ = 4"]"#), "{dot}");
    assert!(dot.contains(r#"1 -> 2 [ label = "∂ = 3"]"#), "{dot}");
    assert!(
        dot.contains(&format!(r#"2 -> 3 [ label = "∂ = {}"]"#, 1.0 / 12.0)),
        "{dot}"
    );
    assert_eq!(dot.matches("->").count(), g.edge_count());
}

#[test]
fn dot_with_gradients_adds_each_swept_node_adjoint() {
    let g = Graph::new();
    let w = g.var_named("w0", 2.0);
    let y = (w * 3.0).named("y"); // dy/dw = 3
    let after = y.sigmoid(); // recorded after the root: no adjoint
    let dot = g.to_dot_with(&y.backward());
    assert!(
        dot.contains(r#"label = "w0\nvalue = 2\nadjoint = 3""#),
        "{dot}"
    );
    assert!(
        dot.contains(r#"label = "y\nvalue = 6\nadjoint = 1""#),
        "{dot}"
    );
    let sigmoid = format!(r#"label = "sigmoid\nvalue = {}" shape"#, after.value());
    assert!(dot.contains(&sigmoid), "{dot}");
    assert_eq!(dot.matches("adjoint").count(), 2);
}

#[test]
fn dot_escapes_quotes_and_backslashes_in_names() {
    let g = Graph::new();
    let _ = g.var_named(r#"say "hi" \o/"#, 1.0);
    let dot = g.to_dot();
    assert!(
        dot.contains(r#"label = "say \"hi\" \\o/\nvalue = 1""#),
        "{dot}"
    );
}

#[test]
fn dot_of_an_empty_graph_is_an_empty_digraph() {
    let dot = Graph::new().to_dot();
    assert!(dot.starts_with("digraph {") && dot.trim_end().ends_with('}'));
    assert!(!dot.contains("label"));
}
