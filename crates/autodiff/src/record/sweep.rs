//! The reverse sweep of `backward.rs` with the two adjoints written last kept in
//! registers: along a chain the next node's adjoint is usually one of them, and reading it
//! back from memory would wait on the store just made (about 8% of an eager lecture step).
//! The same operations in the same order, so the same bits: a test checks it against the
//! plain sweep.

use super::Record;
use crate::backward::pass_on;

/// [`crate::backward`]'s `sweep`, with the register cache.
pub(crate) fn sweep(record: &Record, root: usize, seed: f64, adjoints: &mut [f64]) {
    let (sources, partials) = record.edges_up_to(root);
    let codes = &record.codes()[..=root];
    let adjoints = &mut adjoints[..=root];
    let mut edge = sources.len();
    adjoints[root] = seed;
    let mut recent = Recent::default();
    for (node, code) in codes.iter().enumerate().rev() {
        let first_edge = edge - code.arity();
        let adjoint = recent.get(node).unwrap_or(adjoints[node]);
        for e in (first_edge..edge).rev() {
            let src = sources[e] as usize;
            let sum = pass_on(adjoints[src], adjoint, partials[e]);
            adjoints[src] = sum;
            recent.wrote(src, sum);
        }
        edge = first_edge;
    }
}

/// The two adjoints written last: `newest` is always current; `older` while it names
/// another node.
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
