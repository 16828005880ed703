//! Deep and wide graphs: the sweeps are loops, so depth and width are bounded by memory only.
//! These run in the default test thread (2 MiB stack): a recursive sweep would overflow.

mod common;

use autodiff::Graph;
use common::assert_close;

/// y₀ = x, y_{k+1} = 0.999999·y_k: dy_n/dx = 0.999999ⁿ.
fn chain(n: usize) -> (f64, f64, usize) {
    let g = Graph::with_capacity(n + 1, n);
    let x = g.var(1.0);
    let mut y = x;
    for _ in 0..n {
        y *= 0.999_999;
    }
    let grad = y.backward().wrt(x);
    (y.value(), grad, g.len())
}

#[test]
fn chain_of_one_million_nodes_differentiates_in_a_test_thread() {
    let (value, grad, len) = chain(1_000_000);
    assert_eq!(len, 1_000_001);
    // 0.999999^1e6 = e^(1e6 · ln 0.999999) = 0.36787925722106646
    assert_close(
        grad,
        0.367_879_257_221_066_46,
        1e-9,
        0.0,
        "dy/dx at depth 1e6",
    );
    assert_close(value, 0.367_879_257_221_066_46, 1e-9, 0.0, "y at depth 1e6");
}

#[test]
fn chain_of_one_hundred_thousand_nodes_matches_the_power() {
    let (value, grad, _) = chain(100_000);
    // 0.999999^1e5 = e^(-0.1000000500000333…) = 0.9048373986…
    let expected = 0.999_999_f64.powi(100_000);
    assert_close(grad, expected, 1e-9, 0.0, "dy/dx at depth 1e5");
    assert_eq!(grad, value, "dy/dx = y/x with x = 1 along a product chain");
}

#[test]
fn a_chain_of_non_leaf_binary_ops_one_million_deep_differentiates() {
    // y_{k+1} = y_k · c_k with c_k a constant leaf: two edges per op, 2e6 nodes in all
    let n = 1_000_000;
    let g = Graph::with_capacity(2 * n + 1, 2 * n);
    let x = g.var(1.0);
    let c = g.constant(0.999_999);
    let mut y = x;
    for _ in 0..n {
        y *= c;
    }
    assert_close(
        y.backward().wrt(x),
        0.367_879_257_221_066_46,
        1e-9,
        0.0,
        "dy/dx",
    );
}

#[test]
fn sum_of_one_million_leaves_gives_every_leaf_gradient_exactly_one() {
    let n = 1_000_000;
    let g = Graph::with_capacity(2 * n, 2 * n);
    let leaves: Vec<_> = (0..n).map(|i| g.var(i as f64 * 1e-6)).collect();
    let mut s = leaves[0];
    for &leaf in &leaves[1..] {
        s += leaf;
    }
    let grads = s.backward();
    // ∂(Σ xᵢ)/∂xᵢ = 1, a product of ones along one path: exact
    assert!(
        leaves.iter().all(|&leaf| grads.wrt(leaf) == 1.0),
        "some ∂s/∂xᵢ differs from 1"
    );
}

#[test]
fn a_leaf_used_one_million_times_gets_gradient_exactly_one_million() {
    let n = 1_000_000;
    let g = Graph::with_capacity(n + 2, 2 * n);
    let x = g.var(0.5);
    let mut s = g.constant(0.0);
    for _ in 0..n {
        s += x;
    }
    // s = n·x: ds/dx = n, a sum of n ones (exact in f64 below 2^53)
    assert_eq!(s.backward().wrt(x), 1e6);
    assert_eq!(s.value(), 5e5);
}

#[test]
fn fan_out_through_one_intermediate_node_sums_all_paths() {
    // h = x²; s = Σ_{k<n} h = n x²: ds/dx = 2 n x
    let n = 100_000;
    let g = Graph::new();
    let x = g.var(3.0);
    let h = x * x;
    let mut s = h;
    for _ in 1..n {
        s += h;
    }
    assert_eq!(s.backward().wrt(x), 2.0 * n as f64 * 3.0);
}

#[test]
fn node_indices_are_a_topological_order() {
    let g = Graph::new();
    let a = g.var(1.0);
    let b = g.var(2.0);
    let mut y = a * b;
    for k in 0..100 {
        y = if k % 2 == 0 { y.sin() + a } else { y * b - y };
    }
    let _ = y.backward();
    let dag = g.dag();
    // every edge runs from a smaller index to a larger one
    assert!(dag
        .raw_edges()
        .iter()
        .all(|e| e.source().index() < e.target().index()));
    // and edges are stored sorted by target, which the sweep relies on
    assert!(dag
        .raw_edges()
        .windows(2)
        .all(|w| w[0].target().index() <= w[1].target().index()));
    let order = petgraph::algo::toposort(&*dag, None).expect("the graph is acyclic");
    assert_eq!(order.len(), g.len());
}
