//! Memory per recorded node, from the sizes of the graph's buffers: at most 100 bytes.

use autodiff::Graph;

/// Bytes the graph's node and edge buffers hold (capacity × element size).
fn buffer_bytes(g: &Graph) -> usize {
    let dag = g.dag();
    let (nodes, edges) = dag.capacity();
    let node = dag.raw_nodes().first().map_or(0, std::mem::size_of_val);
    let edge = dag.raw_edges().first().map_or(0, std::mem::size_of_val);
    nodes * node + edges * edge
}

#[test]
fn a_recorded_chain_costs_56_bytes_per_node_and_64_with_its_adjoints() {
    let n = 10_000;
    let g = Graph::with_capacity(n, n);
    let x = g.var(1.0);
    let mut y = x;
    for _ in 1..n {
        y = y.sin(); // one node and one edge per step
    }
    let per_node = buffer_bytes(&g) as f64 / n as f64;
    // petgraph node: Node{op, value} (24 bytes) + two edge-list heads (8);
    // petgraph edge: Edge{partial} (8) + two next links (8) + two endpoints (8)
    assert_eq!(per_node, 32.0 + 24.0);
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
    let nodes = g.len();
    let dag = g.dag();
    // exact sizes, not capacities: 13 nodes of 32 bytes and 12 edges of 24 bytes
    let used = nodes * std::mem::size_of_val(&dag.raw_nodes()[0])
        + g.edge_count() * std::mem::size_of_val(&dag.raw_edges()[0]);
    drop(dag);
    assert_eq!((nodes, g.edge_count()), (13, 12));
    let per_node = (used + 8 * nodes) as f64 / nodes as f64; // with the sweep's adjoints
    assert_eq!(per_node, (13.0 * 32.0 + 12.0 * 24.0 + 13.0 * 8.0) / 13.0); // 62.15…
    assert!(per_node <= 100.0, "{per_node} bytes per node");
    assert!(c.value() > 0.0);
}
