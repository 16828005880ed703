//! API misuse must be an error or a panic that says what went wrong, never a wrong number:
//! a `Var` of one graph combined with, or looked up in, another graph.

use autodiff::{Error, Graph};

#[test]
#[should_panic(expected = "cannot combine Vars of two different graphs")]
fn adding_vars_of_two_graphs_panics_saying_so() {
    let g1 = Graph::new();
    let g2 = Graph::new();
    let x = g1.var(1.0);
    let y = g2.var(2.0);
    let _ = x + y;
}

#[test]
#[should_panic(expected = "cannot combine Vars of two different graphs")]
fn multiplying_vars_of_two_graphs_panics_saying_so() {
    let g1 = Graph::new();
    let g2 = Graph::new();
    let _ = g1.var(1.0) * g2.var(2.0);
}

#[test]
#[should_panic(expected = "cannot combine Vars of two different graphs")]
fn pow_of_vars_of_two_graphs_panics_saying_so() {
    let g1 = Graph::new();
    let g2 = Graph::new();
    let _ = g1.var(1.0).pow(g2.var(2.0));
}

#[test]
#[should_panic(expected = "cannot combine Vars of two different graphs")]
fn compound_assignment_with_a_var_of_another_graph_panics_saying_so() {
    let g1 = Graph::new();
    let g2 = Graph::new();
    let mut x = g1.var(1.0);
    x -= g2.var(2.0);
}

#[test]
fn every_binary_op_of_two_graphs_panics_and_leaves_both_graphs_unchanged() {
    type Build = for<'g> fn(autodiff::Var<'g>, autodiff::Var<'g>) -> autodiff::Var<'g>;
    let ops: [(&str, Build); 7] = [
        ("add", |a, b| a + b),
        ("sub", |a, b| a - b),
        ("mul", |a, b| a * b),
        ("div", |a, b| a / b),
        ("pow", |a, b| a.pow(b)),
        ("max", |a, b| a.max(b)),
        ("min", |a, b| a.min(b)),
    ];
    for (name, build) in ops {
        let g1 = Graph::new();
        let g2 = Graph::new();
        let (x, y) = (g1.var(1.0), g2.var(2.0));
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| build(x, y)));
        let payload = result
            .err()
            .unwrap_or_else(|| panic!("{name} did not panic"));
        let message = payload
            .downcast_ref::<String>()
            .cloned()
            .unwrap_or_default();
        assert!(
            message.contains("cannot combine Vars of two different graphs"),
            "{name}: {message}"
        );
        assert_eq!((g1.len(), g2.len()), (1, 1), "{name} recorded a node");
    }
}

#[test]
fn try_methods_return_foreign_var_for_vars_of_two_graphs() {
    let g1 = Graph::new();
    let g2 = Graph::new();
    let _pad = g1.var(0.0);
    let x = g1.var(1.0); // node 1 of g1
    let y = g2.var(2.0); // node 0 of g2
    let foreign = Error::ForeignVar { left: 1, right: 0 };
    assert_eq!(x.try_add(y).err(), Some(foreign.clone()));
    assert_eq!(x.try_sub(y).err(), Some(foreign.clone()));
    assert_eq!(x.try_mul(y).err(), Some(foreign.clone()));
    assert_eq!(x.try_div(y).err(), Some(foreign.clone()));
    assert_eq!(x.try_pow(y).err(), Some(foreign.clone()));
    assert_eq!(x.try_max(y).err(), Some(foreign.clone()));
    assert_eq!(x.try_min(y).err(), Some(foreign.clone()));
    assert_eq!(
        (g1.len(), g2.len()),
        (2, 1),
        "a failed try_ records nothing"
    );
    assert_eq!(
        foreign.to_string(),
        "cannot combine Vars of two different graphs (node 1 and node 0 belong to different Graphs)"
    );
}

#[test]
fn try_methods_on_one_graph_agree_with_the_operators() {
    let g = Graph::new();
    let a = g.var(5.0);
    let b = g.var(2.0);
    assert_eq!(a.try_sub(b).map(|v| v.value()), Ok(3.0));
    assert_eq!(a.try_div(b).map(|v| v.value()), Ok(2.5));
    assert_eq!(a.try_pow(b).map(|v| v.value()), Ok(25.0));
    let y = a.try_mul(b).expect("same graph");
    assert_eq!(y.backward().wrt(a), 2.0);
}

#[test]
#[should_panic(expected = "cannot combine Vars of two different graphs")]
fn gradient_with_respect_to_a_var_of_another_graph_panics() {
    let g1 = Graph::new();
    let g2 = Graph::new();
    let x = g1.var(1.0);
    let y = x * x;
    let z = g2.var(1.0);
    let _ = y.backward().wrt(z);
}

#[test]
fn try_wrt_of_a_var_of_another_graph_is_an_error() {
    let g1 = Graph::new();
    let g2 = Graph::new();
    let x = g1.var(3.0);
    let y = x * x; // node 1
    let z = g2.var(3.0); // node 0 of the other graph: same index as x
    let grads = y.backward();
    assert_eq!(
        grads.try_wrt(z),
        Err(Error::ForeignVar { left: 1, right: 0 })
    );
    assert_eq!(grads.try_wrt(x), Ok(6.0));
}

#[test]
#[should_panic(expected = "cannot combine Vars of two different graphs")]
fn depends_on_a_var_of_another_graph_panics() {
    let g1 = Graph::new();
    let g2 = Graph::new();
    let x = g1.var(1.0);
    let _ = x.depends_on(g2.var(1.0));
}

#[test]
#[should_panic(expected = "cannot read the tangent of a Var of another graph")]
fn tangent_of_a_var_of_another_graph_panics() {
    let g1 = Graph::new();
    let g2 = Graph::new();
    let x = g1.var(1.0);
    let _ = x.sin();
    let t = g1.jvp(&[(x, 1.0)]);
    let _ = t.of(g2.var(1.0));
}

#[test]
#[should_panic(expected = "cannot seed a forward sweep with a Var of another graph")]
fn forward_sweep_seeded_with_a_var_of_another_graph_panics() {
    let g1 = Graph::new();
    let g2 = Graph::new();
    let _ = g1.var(1.0);
    let _ = g1.jvp(&[(g2.var(1.0), 1.0)]);
}

#[test]
#[should_panic(expected = "a forward sweep is seeded on leaves")]
fn forward_sweep_seeded_on_an_intermediate_node_panics() {
    let g = Graph::new();
    let x = g.var(1.0);
    let y = x * 2.0;
    let _ = g.jvp(&[(y, 1.0)]);
}

#[test]
fn node_lookup_out_of_range_is_none() {
    let g = Graph::new();
    assert!(g.is_empty());
    assert!(g.node(0).is_none());
    let x = g.var(4.0);
    assert_eq!(g.node(0), Some(x));
    assert!(g.node(1).is_none());
}

#[test]
fn vars_are_equal_only_when_they_are_the_same_node_of_the_same_graph() {
    let g1 = Graph::new();
    let g2 = Graph::new();
    let a = g1.var(1.0);
    let b = g2.var(1.0);
    assert_ne!(a, b, "same index and value, different graphs");
    assert_ne!(a, g1.var(1.0), "same value, different node");
    assert_eq!(a, g1.node(0).expect("node 0 exists"));
}
