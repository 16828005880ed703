//! Memory per recorded node, from the sizes of the graph's buffers: at most 100 bytes.

use autodiff::{Graph, Op};

#[test]
fn a_recorded_chain_costs_21_bytes_per_node_and_29_with_its_adjoints() {
    let n = 10_000;
    let g = Graph::with_capacity(n, n);
    let x = g.var(1.0);
    let mut y = x;
    for _ in 1..n {
        y = y.sin(); // one node and one edge per step
    }
    let per_node = g.heap_bytes() as f64 / n as f64;
    // node: value (8) + op code (1); edge: source (4) + partial (8)
    assert_eq!(per_node, 8.0 + 1.0 + 4.0 + 8.0);
    let adjoints = std::mem::size_of_val(y.backward().adjoints()) as f64 / n as f64;
    assert_eq!(adjoints, 8.0);
    assert!(per_node + adjoints <= 100.0);
}

#[test]
fn the_lecture_net_costs_under_100_bytes_per_node() {
    let g = Graph::new();
    let s0 = g.constant(1.5);
    let target = g.constant(4.0);
    let [w0, w1, w2] = [-0.2, 2.8, 10.0].map(|w| g.var(w));
    let out = w2 * (w1 * (w0 * s0).sigmoid()).sigmoid();
    let c = 0.5 * (target - out).square();
    let (nodes, edges) = (g.len(), g.edge_count());
    assert_eq!((nodes, edges), (13, 12));
    // an op with a number keeps it apart (8 bytes), and the block of 1024 nodes it is in
    // one index entry (4 bytes): here one number in one block
    let numbered = (0..nodes)
        .filter(|&i| matches!(g.node(i).map(|v| v.op()), Some(Op::MulScalar(_))))
        .count();
    assert_eq!(numbered, 1); // 0.5 · (…)
    let used = nodes * (8 + 1) + edges * (4 + 8) + numbered * 8 + 4;
    // with the sweep's adjoints: 13 nodes of 9 bytes, 12 edges of 12, one number and its
    // block entry, 13 adjoints
    let per_node = (used + 8 * nodes) as f64 / nodes as f64;
    assert_eq!(per_node, (117.0 + 144.0 + 8.0 + 4.0 + 104.0) / 13.0); // 29.0
    assert!(per_node <= 100.0, "{per_node} bytes per node");
    assert!(
        g.heap_bytes() >= used,
        "the buffers hold at least what is used"
    );
    assert!(c.value() > 0.0);
}
