//! Graph structure: operands used twice, diamonds, several roots, repeated sweeps, seeds,
//! constants, unused inputs, operand order and trivial graphs.

mod common;

use autodiff::{Edge, Graph, Op};
use common::{assert_close, bit_identical};
use petgraph::graph::EdgeIndex;

#[test]
fn a_times_a_counts_both_paths_giving_six_at_three() {
    let g = Graph::new();
    let a = g.var(3.0);
    let y = a * a; // d(a²)/da = 2a
    assert_eq!(y.backward().wrt(a), 6.0);
    assert_eq!(
        g.edge_count(),
        2,
        "two parallel edges, one per operand slot"
    );
}

#[test]
fn a_plus_a_counts_both_paths_giving_two() {
    let g = Graph::new();
    let a = g.var(3.0);
    assert_eq!((a + a).backward().wrt(a), 2.0);
}

#[test]
fn diamond_through_a_reused_intermediate_gives_24_at_three() {
    let g = Graph::new();
    let a = g.var(3.0);
    let b = a + a; // b = 2a
    let c = b * b; // c = 4a², dc/da = 8a
    let grads = c.backward();
    assert_eq!(c.value(), 36.0);
    assert_eq!(grads.wrt(a), 24.0);
    assert_eq!(grads.wrt(b), 12.0, "dc/db = 2b");
}

#[test]
fn two_functions_of_one_intermediate_sum_their_paths() {
    let g = Graph::new();
    let a = g.var(0.7);
    let b = a * 2.0; // b = 2a
    let e = b.sin() + b.exp(); // de/da = 2 (cos b + e^b)
    let want = 2.0 * (1.4_f64.cos() + 1.4_f64.exp());
    assert_close(e.backward().wrt(a), want, 1e-15, 0.0, "de/da");
}

#[test]
fn a_var_reused_across_many_expressions_accumulates_every_use() {
    let g = Graph::new();
    let x = g.var(1.5);
    let p = x * x; // x²
    let q = x.sin() * x; // x sin x
    let r = (x + 1.0).ln(); // ln(x + 1)
    let s = x.exp() / x; // eˣ/x
    let y = p + q + r + s - x;
    // dy/dx = 2x + sin x + x cos x + 1/(x+1) + eˣ(x-1)/x² - 1
    let x0: f64 = 1.5;
    let want =
        2.0 * x0 + x0.sin() + x0 * x0.cos() + 1.0 / (x0 + 1.0) + x0.exp() * (x0 - 1.0) / (x0 * x0)
            - 1.0;
    assert_close(y.backward().wrt(x), want, 1e-14, 0.0, "dy/dx");
}

#[test]
fn backward_from_several_roots_of_one_graph_gives_independent_results() {
    let g = Graph::new();
    let x = g.var(2.0);
    let y = g.var(-3.0);
    let u = x * y; // ∂u = (y, x)
    let v = x.powi(3) + y; // ∂v = (3x², 1)
    let w = u + v; // ∂w = (y + 3x², x + 1)
    let gu = u.backward();
    let gv = v.backward();
    let gw = w.backward();
    assert_eq!((gu.wrt(x), gu.wrt(y)), (-3.0, 2.0));
    assert_eq!((gv.wrt(x), gv.wrt(y)), (12.0, 1.0));
    assert_eq!((gw.wrt(x), gw.wrt(y)), (9.0, 3.0));
    // the first sweep is not disturbed by the later ones
    assert_eq!((gu.wrt(x), gu.wrt(y)), (-3.0, 2.0));
    // a node recorded after the root gets 0
    assert_eq!(gu.wrt(w), 0.0);
    assert_eq!(gu.root(), u.index());
}

#[test]
fn backward_twice_gives_bit_identical_gradients() {
    let g = Graph::new();
    let x = g.var(0.3);
    let z = g.var(-1.7);
    let mut y = x;
    for k in 0..50 {
        y = (y * z + f64::from(k)).tanh() + x.sigmoid() * z;
    }
    let first = y.backward();
    let second = y.backward();
    assert!(bit_identical(first.adjoints(), second.adjoints()));
    // f = 3h² at h = 2: 12, and again 12 (sweeps never accumulate into nodes)
    let h = g.var(2.0);
    let f = 3.0 * (h * h);
    assert_eq!(f.backward().wrt(h), 12.0);
    assert_eq!(f.backward().wrt(h), 12.0);
}

#[test]
fn two_fresh_graphs_built_alike_give_bit_identical_gradients() {
    let build = || {
        let g = Graph::new();
        let a = g.var(1.1);
        let b = g.var(-0.4);
        let y = (a * b).exp() + (a - b).powi(3) / (1.0 + a.square()) + a.max(b);
        let grads = y.backward();
        (y.value().to_bits(), grads.adjoints().to_vec())
    };
    let (v1, g1) = build();
    let (v2, g2) = build();
    assert_eq!(v1, v2);
    assert!(bit_identical(&g1, &g2));
}

#[test]
fn seed_zero_gives_exact_zeros_even_through_infinite_partials() {
    let g = Graph::new();
    let x = g.var(0.0);
    let y = x.sqrt() + x.ln_1p() * 3.0; // sqrt'(0) = +∞
    let grads = y.backward_seeded(0.0);
    assert!(grads
        .adjoints()
        .iter()
        .all(|&a| a == 0.0 && a.is_sign_positive()));
}

#[test]
fn seed_two_and_a_half_scales_every_gradient_by_two_and_a_half() {
    let g = Graph::new();
    let a = g.var(0.8);
    let b = g.var(-1.9);
    let y = (a * b).sin() + a.exp() * b;
    let one = y.backward();
    let scaled = y.backward_seeded(2.5);
    for (s, o) in scaled.adjoints().iter().zip(one.adjoints()) {
        assert_close(*s, 2.5 * o, 1e-15, 0.0, "seeded adjoint");
    }
    // a power-of-two seed scales exactly
    let four = y.backward_seeded(-4.0);
    for (s, o) in four.adjoints().iter().zip(one.adjoints()) {
        assert_eq!(*s, -4.0 * o);
    }
}

#[test]
fn scaling_by_a_number_gives_that_number_as_gradient() {
    let g = Graph::new();
    let x = g.var(7.0);
    let k = g.constant(2.0);
    assert_eq!((k * x).backward().wrt(x), 2.0); // y = 2x
    assert_eq!((2.0 * x).backward().wrt(x), 2.0);
    let grads = (k * x).backward();
    assert_eq!(grads.wrt(k), 0.0, "a constant gets no gradient");
    assert!(k.is_constant() && !x.is_constant());
}

#[test]
fn an_unused_input_gets_zero_and_is_reported_as_not_a_dependency() {
    let g = Graph::new();
    let x = g.var(3.0);
    let y = g.var(4.0);
    let f = x * x; // f(x, y) = x²
    let grads = f.backward();
    assert_eq!(grads.wrt(x), 6.0);
    assert_eq!(grads.wrt(y), 0.0);
    assert!(!f.depends_on(y));
    assert!(f.depends_on(x));
    assert!(f.depends_on(f), "a node depends on itself");
}

#[test]
fn an_input_cancelled_out_still_counts_as_a_dependency_with_zero_gradient() {
    let g = Graph::new();
    let x = g.var(3.0);
    let y = g.var(4.0);
    let f = x + y - y; // ∂f/∂y = 1 - 1 = 0, but the path exists
    assert_eq!(f.backward().wrt(y), 0.0);
    assert!(f.depends_on(y));
}

#[test]
fn output_that_is_an_input_has_gradient_one_and_no_ops() {
    let g = Graph::new();
    let x = g.var(5.0);
    let grads = x.backward(); // y = x
    assert_eq!(grads.wrt(x), 1.0);
    assert_eq!((g.len(), g.edge_count()), (1, 0));
    // differentiating a constant with respect to itself: a constant never has a gradient
    let k = g.constant(1.0);
    assert_eq!(k.backward().wrt(k), 0.0);
}

#[test]
fn backward_adds_no_nodes_or_edges() {
    let g = Graph::new();
    let x = g.var(0.5);
    let y = (x.exp() * x).tanh();
    let before = (g.len(), g.edge_count());
    let _ = y.backward();
    let _ = y.backward_seeded(3.0);
    let _ = g.jvp(&[(x, 1.0)]);
    assert_eq!((g.len(), g.edge_count()), before);
}

#[test]
fn gradient_with_respect_to_an_intermediate_node_is_its_adjoint() {
    let g = Graph::new();
    let x = g.var(2.0);
    let h = x * 3.0; // h = 3x = 6
    let y = h * h; // dy/dh = 2h = 12
    let grads = y.backward();
    assert_eq!(grads.wrt(h), 12.0);
    assert_eq!(grads.wrt(x), 36.0); // dy/dx = 12 · 3
    assert_eq!(grads.wrt(y), 1.0);
}

#[test]
fn operand_order_is_kept_for_sub_div_and_pow() {
    let g = Graph::new();
    let a = g.var(5.0);
    let b = g.var(2.0);
    // a - b: (1, -1); b - a: (-1, 1)
    let d = (a - b).backward();
    assert_eq!((d.wrt(a), d.wrt(b)), (1.0, -1.0));
    let d = (b - a).backward();
    assert_eq!((d.wrt(a), d.wrt(b)), (-1.0, 1.0));
    // a / b = 2.5: (1/b, -a/b²) = (0.5, -1.25)
    let q = a / b;
    let d = q.backward();
    assert_eq!((q.value(), d.wrt(a), d.wrt(b)), (2.5, 0.5, -1.25));
    // a^b = 25: (b a^(b-1), a^b ln a) = (10, 25 ln 5 = 40.23594781085251)
    let p = a.pow(b);
    let d = p.backward();
    assert_eq!((p.value(), d.wrt(a)), (25.0, 10.0));
    assert_close(d.wrt(b), 40.235_947_810_852_51, 1e-15, 0.0, "∂(a^b)/∂b");
    // b^a = 32: (a b^(a-1), b^a ln b) w.r.t. (b, a)
    let d = b.pow(a).backward();
    assert_eq!(d.wrt(b), 80.0);
    assert_close(d.wrt(a), 32.0 * 2.0_f64.ln(), 1e-15, 0.0, "∂(b^a)/∂a");
    // the slot follows from the edge order: slot 0 is a, slot 1 is b
    let dag = g.dag();
    let into_p: Vec<_> = (0..dag.edge_count())
        .map(EdgeIndex::new)
        .filter(|&e| dag.raw_edges()[e.index()].target() == p.node_index())
        .map(|e| {
            (
                dag.raw_edges()[e.index()].source().index(),
                Edge::slot(&dag, e),
            )
        })
        .collect();
    assert_eq!(into_p, vec![(a.index(), 0), (b.index(), 1)]);
}

#[test]
fn number_on_the_left_keeps_its_meaning() {
    let g = Graph::new();
    let a = g.var(4.0);
    // 2 - a = -2, d/da = -1
    let y = 2.0 - a;
    assert_eq!((y.value(), y.backward().wrt(a)), (-2.0, -1.0));
    assert_eq!(y.op(), Op::ScalarSub(2.0));
    // 2 / a = 0.5, d/da = -2/a² = -0.125
    let y = 2.0 / a;
    assert_eq!((y.value(), y.backward().wrt(a)), (0.5, -0.125));
    // a - 2 = 2, a / 2 = 2
    assert_eq!((a - 2.0).value(), 2.0);
    assert_eq!((a / 2.0).backward().wrt(a), 0.5);
}

#[test]
fn a_scalar_op_appends_one_node_and_one_edge() {
    let g = Graph::new();
    let a = g.var(1.0);
    let _ = a * 2.0 + 1.0;
    assert_eq!((g.len(), g.edge_count()), (3, 2));
}

#[test]
fn operand_slots_follow_from_the_order_of_the_edges() {
    let g = Graph::new();
    let a = g.var(3.0);
    let b = g.var(2.0);
    let s = a.sin(); // one edge: slot 0
    let d = b - s; // right after a unary op: b is slot 0, s is slot 1
    let q = d * d; // the same operand twice: slots 0 and 1
    let e = (q / 2.0) - a; // a unary op, then a binary one reading it
    let dag = g.dag();
    let slots: Vec<_> = (0..dag.edge_count())
        .map(|i| {
            let edge = &dag.raw_edges()[i];
            let slot = Edge::slot(&dag, EdgeIndex::new(i));
            (edge.source().index(), edge.target().index(), slot)
        })
        .collect();
    let i = |v: autodiff::Var<'_>| v.index();
    let half = i(e) - 1; // q / 2
    assert_eq!(
        slots,
        [
            (i(a), i(s), 0),
            (i(b), i(d), 0),
            (i(s), i(d), 1),
            (i(d), i(q), 0),
            (i(d), i(q), 1),
            (i(q), half, 0),
            (half, i(e), 0),
            (i(a), i(e), 1),
        ]
    );
    // the slots are what the sweep relies on: e = (b - sin a)²/2 - a
    drop(dag);
    let grads = e.backward();
    let d = 2.0 - 3.0_f64.sin(); // b - sin a
    assert_close(grads.wrt(b), d, 1e-15, 0.0, "∂e/∂b = b - sin a");
    let expected = -d * 3.0_f64.cos() - 1.0;
    assert_close(
        grads.wrt(a),
        expected,
        1e-15,
        0.0,
        "∂e/∂a = -(b - sin a) cos a - 1",
    );
}
