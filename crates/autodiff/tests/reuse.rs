//! Buffer reuse between graphs on one thread: a new graph takes over the buffers of the last
//! graph dropped (up to 2¹⁸ nodes and edges), starts empty all the same, and a sweep reuses
//! the last adjoint buffer whatever its length. Each test runs on a thread of its own, so
//! that the thread's spare buffers are only those the test leaves.

use autodiff::Graph;

/// Runs `test` on a new thread (whose spare buffers are empty), passing on its panic.
fn on_a_new_thread(test: impl FnOnce() + Send + 'static) {
    if let Err(panic) = std::thread::spawn(test).join() {
        std::panic::resume_unwind(panic);
    }
}

/// A chain x → x·c → … of `n` nodes on `g`, with dy/dx = cⁿ⁻¹.
fn chain(g: &Graph, n: usize, c: f64) -> (autodiff::Var<'_>, autodiff::Var<'_>) {
    let x = g.var(1.0);
    let mut y = x;
    for _ in 1..n {
        y *= c;
    }
    (x, y)
}

#[test]
fn a_new_graph_takes_over_the_buffers_of_the_last_small_graph_and_starts_empty() {
    on_a_new_thread(|| {
        let capacity = {
            let g = Graph::new();
            chain(&g, 1000, 0.5);
            g.capacity()
        };
        assert!(capacity.0 >= 1000 && capacity.1 >= 999, "{capacity:?}");
        let g = Graph::new();
        let x = g.var(3.0); // recorded into the spare buffers the new graph took over
        assert_eq!(g.capacity(), capacity);
        // nothing of the old graph shows: one node, no edge, its own value
        assert_eq!((g.len(), g.edge_count()), (1, 0));
        let y = x * x; // y = x², dy/dx = 2x = 6
        assert_eq!((y.value(), y.backward().wrt(x)), (9.0, 6.0));
        assert_eq!((g.len(), g.edge_count()), (2, 2));
    });
}

#[test]
fn a_graph_dropped_without_nodes_leaves_the_spare_buffers_in_place() {
    on_a_new_thread(|| {
        let capacity = {
            let g = Graph::new();
            chain(&g, 1000, 0.5);
            g.capacity()
        };
        drop(Graph::new()); // never records a node
        let g = Graph::new();
        g.var(1.0);
        assert_eq!(g.capacity(), capacity);
    });
}

#[test]
fn the_buffers_of_a_graph_over_the_limit_are_freed_not_kept() {
    on_a_new_thread(|| {
        {
            let g = Graph::new();
            chain(&g, (1 << 18) + 1, 1.0); // node capacity 2¹⁹: over the limit
            assert!(g.capacity().0 > 1 << 18);
        }
        let g = Graph::new();
        g.var(1.0);
        // a fresh buffer, grown for one node only
        assert!(g.capacity().0 < 1000, "{:?}", g.capacity());
    });
}

#[test]
fn sweeps_are_exact_whether_the_reused_adjoint_buffer_is_longer_or_shorter() {
    on_a_new_thread(|| {
        // long, then short (the spare is shortened), then long again (a new buffer)
        for (n, c) in [(500, 0.5_f64), (3, 3.0), (700, 1.001)] {
            let g = Graph::new();
            let (x, y) = chain(&g, n, c);
            let grads = y.backward();
            assert_eq!(grads.adjoints().len(), n);
            // adjoint of node k is ∂y/∂y_k = c^(n-1-k), exact for these powers of c
            // (c = 1.001: the sweep multiplies in the same order as powi, up to rounding)
            let expected = c.powi(n as i32 - 1);
            let relative = ((grads.wrt(x) - expected) / expected).abs();
            assert!(relative < 1e-12, "n = {n}: {} vs {expected}", grads.wrt(x));
            assert_eq!(grads.adjoints()[n - 1], 1.0);
        }
    });
}

#[test]
fn two_graphs_alive_at_once_do_not_share_buffers() {
    on_a_new_thread(|| {
        {
            let g = Graph::new();
            chain(&g, 100, 2.0);
        }
        let g1 = Graph::new();
        let (x1, y1) = chain(&g1, 10, 2.0); // takes the spare over
        let g2 = Graph::new();
        let (x2, y2) = chain(&g2, 20, 0.5); // finds no spare
        assert_eq!((g1.len(), g2.len()), (10, 20));
        assert_eq!(y1.backward().wrt(x1), 512.0); // 2⁹
        assert_eq!(y2.backward().wrt(x2), 0.5_f64.powi(19));
    });
}

#[test]
fn a_cleared_graph_starts_empty_and_records_into_the_same_buffers() {
    on_a_new_thread(|| {
        // over the limit of the thread's spare buffers: only `clear` keeps this memory
        let n = (1 << 18) + 1;
        let mut g = Graph::new();
        let first_adjoints = {
            let (x, y) = chain(&g, n, 1.0);
            let _ = x.named("x");
            let grads = y.backward();
            assert_eq!(grads.wrt(x), 1.0); // dy/dx = 1ⁿ⁻¹
            grads.adjoints().as_ptr()
        };
        let capacity = g.capacity();
        g.clear();
        assert_eq!((g.len(), g.edge_count(), g.capacity()), (0, 0, capacity));
        assert_eq!(g.dag().node_count(), 0);

        let (x, y) = chain(&g, n, 0.5);
        assert_eq!(g.capacity(), capacity, "recorded without growing");
        assert_eq!(x.name(), None, "names are forgotten");
        let grads = y.backward();
        // the new values, not the old: dy/dx = 0.5ⁿ⁻¹ (0 in f64 for n − 1 = 2¹⁸)
        assert_eq!(grads.wrt(x), 0.5_f64.powi(n as i32 - 1));
        assert_eq!(grads.adjoints()[n - 2], 0.5);
        assert_eq!(
            grads.adjoints().as_ptr(),
            first_adjoints,
            "the adjoint buffer is kept"
        );
    });
}

#[test]
fn location_tracking_survives_clear_but_not_the_hand_over_of_buffers_to_a_new_graph() {
    on_a_new_thread(|| {
        use autodiff::Error;
        // where `check_finite` says the first non-finite node was recorded, if anywhere
        let located = |g: &Graph| match g.check_finite() {
            Err(Error::NonFinite(bad)) => bad.location,
            other => panic!("expected a non-finite node, got {other:?}"),
        };
        let names_line = |at: Option<String>, line: u32| {
            let at = at.expect("locations are tracked");
            assert!(
                at.contains(&format!(":{line}:")),
                "{at} should name line {line}"
            );
        };
        let g = Graph::new();
        let _ = g.var(-1.0).ln(); // recorded before tracking starts
        let line = line!() + 1;
        let mut g = g.tracking_locations(); // earlier nodes get this call's location
        names_line(located(&g), line);

        g.clear(); // tracking stays on; the old locations go
        let _ = g.var(4.0);
        let _ = g.var(-1.0).sqrt();
        names_line(located(&g), line!() - 1);

        let capacity = g.capacity();
        drop(g); // its buffers go to the next graph on this thread, its tracking does not
        let h = Graph::new();
        let _ = h.var(-1.0).ln();
        assert_eq!(h.capacity(), capacity, "the buffers were handed over");
        assert_eq!(located(&h), None, "a new graph tracks only when asked");
    });
}
