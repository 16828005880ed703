//! The reverse sweep: adjoints from a root down to every node, iteratively.

use crate::gradients::Adjoints;
use crate::graph::Dag;
use crate::{Gradients, Var};

impl<'g> Var<'g> {
    /// Reverse-mode sweep from this node: the gradient of `self` with respect to every node
    /// recorded before it. Any node can be the root; each call is independent.
    ///
    /// The adjoint of the root is 1; every edge `src → dst` adds
    /// `adj[dst] · ∂dst/∂src` to `adj[src]`, visiting edges from the last recorded down.
    /// That order is a reverse topological order (see [`Graph`](crate::Graph)), so each
    /// adjoint is complete before it is passed on. A zero adjoint is not passed on at all:
    /// `0 · ∞` and `0 · NaN` from a branch that does not matter never poison a gradient.
    ///
    /// # Complexity
    /// **O(|V| + |E|)** time over the nodes up to the root, **O(|V|)** extra space (one
    /// `f64` per node). The sweep is a loop: no recursion, so depth is unlimited.
    ///
    /// # Examples
    /// ```
    /// let g = autodiff::Graph::new();
    /// let a = g.var(3.0);
    /// let b = a + a; // b = 2a
    /// let c = b * b; // c = 4a²
    /// assert_eq!(c.backward().wrt(a), 24.0); // dc/da = 8a
    /// ```
    #[inline]
    pub fn backward(self) -> Gradients<'g> {
        self.backward_seeded(1.0)
    }

    /// [`Var::backward`] with the root's adjoint set to `seed` instead of 1: every gradient
    /// is multiplied by `seed` (a seed of 0 gives exactly 0 everywhere).
    #[inline]
    pub fn backward_seeded(self, seed: f64) -> Gradients<'g> {
        let inner = self.graph.inner();
        let root = self.index();
        let mut adjoints = Adjoints::zeros(root + 1);
        // the sweep writes through a slice: the buffer itself is not moved in and out of
        // a call (whole-`Vec` copies through the stack stall on store forwarding)
        sweep(&inner.dag, root, seed, &mut adjoints.0);
        Gradients::new(self.graph, root, adjoints)
    }
}

/// Adjoints of nodes `0..=root` for a sweep seeded with `seed` at `root`, written into
/// `adjoints` (`root + 1` zeros).
fn sweep(dag: &Dag, root: usize, seed: f64, adjoints: &mut [f64]) {
    adjoints[root] = seed;
    let edges = dag.raw_edges();
    // Edges are stored in the order of their targets, so those into nodes 0..=root are a
    // prefix of the edge list.
    let end = match edges.last() {
        // the common case, the root is the last node with operands: no search
        Some(last) if last.target().index() <= root => edges.len(),
        _ => edges.partition_point(|e| e.target().index() <= root),
    };
    // The two adjoints written last stay in registers (`newest` is always current; `older`
    // is only consulted when it names another node): along a chain, the next edge's target
    // is usually one of them, and reading it back from memory would wait on the store.
    let mut newest = (usize::MAX, 0.0);
    let mut older = (usize::MAX, 0.0);
    for edge in edges[..end].iter().rev() {
        let dst = edge.target().index();
        let adjoint = if dst == newest.0 {
            newest.1
        } else if dst == older.0 {
            older.1
        } else {
            adjoints[dst]
        };
        if adjoint != 0.0 {
            let src = edge.source().index();
            let sum = adjoints[src] + adjoint * edge.weight.partial;
            adjoints[src] = sum;
            older = newest;
            newest = (src, sum);
        }
    }
}
