//! The reverse sweep: adjoints from a root down to every node, iteratively.

use crate::gradients::Adjoints;
use crate::record::Record;
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
    /// **O(|V| + |E|)** time over the nodes up to the root (and one pass over the op codes of
    /// the nodes recorded after it, to find where its edges end), **O(|V|)** extra space
    /// (one `f64` per node). The sweep is a loop: no recursion, so depth is unlimited.
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
        sweep(&inner.record, root, seed, &mut adjoints.0);
        Gradients::new(self.graph, root, adjoints)
    }
}

/// Adjoints of nodes `0..=root` for a sweep seeded with `seed` at `root`, written into
/// `adjoints` (`root + 1` zeros).
///
/// Node by node downwards from the root, and each node's edges from the last recorded
/// (slot 1 before slot 0): all the edges from the last recorded down, the order the
/// compiled tape follows too.
fn sweep(record: &Record, root: usize, seed: f64, adjoints: &mut [f64]) {
    adjoints[root] = seed;
    let codes = &record.codes()[..=root];
    let adjoints = &mut adjoints[..codes.len()];
    let (sources, partials) = record.edges();
    // the edges into nodes 0..=root: all of them, less those of the nodes after the root
    let after: usize = record.codes()[root + 1..].iter().map(|c| c.arity()).sum();
    let mut end = sources.len() - after;
    let (sources, partials) = (&sources[..end], &partials[..end]);
    let mut recent = Recent::default();
    for (node, code) in codes.iter().enumerate().rev() {
        let arity = code.arity();
        end -= arity;
        let adjoint = recent.get(node).unwrap_or_else(|| adjoints[node]);
        // a zero adjoint is not passed on (see `backward`); slot 1 before slot 0
        if adjoint != 0.0 && arity > 0 {
            let mut pass_on = |edge: usize| {
                let src = sources[edge] as usize;
                let sum = adjoints[src] + adjoint * partials[edge];
                adjoints[src] = sum;
                recent.wrote(src, sum);
            };
            if arity == 2 {
                pass_on(end + 1);
            }
            pass_on(end);
        }
    }
}

/// The two adjoints written last, kept in registers: along a chain, the next node's
/// adjoint is usually one of them, and reading it back from memory would wait on the
/// store. `newest` is always current; `older` only while it names another node.
struct Recent {
    newest: (usize, f64),
    older: (usize, f64),
}

impl Default for Recent {
    fn default() -> Self {
        Recent {
            newest: (usize::MAX, 0.0),
            older: (usize::MAX, 0.0),
        }
    }
}

impl Recent {
    #[inline(always)]
    fn get(&self, node: usize) -> Option<f64> {
        if node == self.newest.0 {
            Some(self.newest.1)
        } else if node == self.older.0 {
            Some(self.older.1)
        } else {
            None
        }
    }

    #[inline(always)]
    fn wrote(&mut self, node: usize, adjoint: f64) {
        self.older = self.newest;
        self.newest = (node, adjoint);
    }
}
