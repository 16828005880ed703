//! The reverse sweep: adjoints from a root down to every node, iteratively.
//!
//! Nodes are recorded in topological order (an operand always before its result), so
//! walking the record backwards visits every node after all the nodes computed from it:
//! each adjoint is complete before it is passed on. The whole algorithm is the loop in
//! [`sweep`]; [`Var::backward`] runs a copy of it that keeps the last adjoints in registers
//! (`record/sweep.rs`), tested against it bit for bit.

use crate::record::Record;
use crate::record::{fast_sweep, Adjoints};
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
        let state = self.graph.state();
        let root = self.index();
        let mut adjoints = Adjoints::zeros(root + 1);
        // `sweep` below, with a register cache (`record/sweep.rs`): the same bits, faster
        fast_sweep(&state.record, root, seed, &mut adjoints.0);
        Gradients::new(self.graph, root, adjoints)
    }
}

/// The reverse sweep. Fills `adjoints` (`root + 1` zeros) with `∂root/∂node` for every node up to `root`, for
/// a sweep seeded with `seed`.
///
/// Node by node downwards from the root, and each node's edges from the last recorded
/// (slot 1 before slot 0): the order the compiled tape replays too.
// the algorithm to read, and the reference the faster copy is tested against
#[cfg_attr(not(test), allow(dead_code))]
pub(crate) fn sweep(record: &Record, root: usize, seed: f64, adjoints: &mut [f64]) {
    let (sources, partials) = record.edges_up_to(root);
    let mut edge = sources.len(); // one past the last edge into the node being swept
    adjoints[root] = seed;
    for node in (0..=root).rev() {
        let first_edge = edge - record.arity(node);
        let adjoint = adjoints[node];
        for e in (first_edge..edge).rev() {
            let src = sources[e] as usize;
            adjoints[src] = pass_on(adjoints[src], adjoint, partials[e]);
        }
        edge = first_edge;
    }
}

/// The one rule of every sweep, eager, tape replay and batch lanes alike: the adjoint
/// `sum` of an operand, after its result (whose adjoint is `adjoint`) passes on its share
/// through an edge with local partial `partial`.
///
/// A zero adjoint passes nothing on, even through an infinite or NaN partial: a result
/// that does not affect the root cannot make an operand's gradient NaN (`0 · ∞`). A NaN
/// partial from a NaN value (see [`Op::eval`](crate::Op::eval)) is passed on, so NaN
/// reaches the gradients and is never hidden.
///
/// A sweep that knows `sum` is still the untouched 0 may write `adjoint · partial`
/// instead ([`first_pass_on`]): the same number but for the sign of a zero.
#[inline(always)]
pub(crate) fn pass_on(sum: f64, adjoint: f64, partial: f64) -> f64 {
    if adjoint == 0.0 {
        sum
    } else {
        sum + adjoint * partial
    }
}

/// [`pass_on`] into an adjoint nothing was passed to yet (`sum` = 0), without the addition.
#[inline(always)]
pub(crate) fn first_pass_on(adjoint: f64, partial: f64) -> f64 {
    if adjoint == 0.0 {
        0.0
    } else {
        adjoint * partial
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Graph;

    #[test]
    fn the_fast_sweep_gives_the_plain_sweeps_bits() {
        // chains, fan-out, a zero adjoint past an infinite partial, NaN
        let g = Graph::new();
        let (x, y, z) = (g.var(0.3), g.var(-1.7), g.var(f64::NAN));
        let mut c = x;
        for k in 0..50 {
            c = if k % 3 == 0 {
                (c * y).sin() + x
            } else {
                c.tanh() * c
            };
        }
        let masked = (x - x).relu() * (x * 0.0).ln();
        let outputs = [c, c + masked, c * z + y.exp(), x * x];
        let state = g.state();
        for out in outputs {
            let root = out.index();
            let (mut plain, mut fast) = (vec![0.0; root + 1], vec![0.0; root + 1]);
            sweep(&state.record, root, 1.0, &mut plain);
            fast_sweep(&state.record, root, 1.0, &mut fast);
            let bits = |v: &[f64]| v.iter().map(|a| a.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(&plain), bits(&fast), "root {root}");
        }
    }

    #[test]
    fn a_zero_adjoint_passes_nothing_on_through_any_partial() {
        for partial in [f64::INFINITY, f64::NEG_INFINITY, f64::NAN, 2.0] {
            assert_eq!(pass_on(1.5, 0.0, partial), 1.5);
            assert_eq!(first_pass_on(0.0, partial), 0.0);
        }
    }

    #[test]
    fn a_nan_partial_reaches_the_sum() {
        assert!(pass_on(1.5, 2.0, f64::NAN).is_nan());
        assert!(first_pass_on(2.0, f64::NAN).is_nan());
    }

    #[test]
    fn the_first_write_is_the_sum_into_zero() {
        for (adjoint, partial) in [(2.0, 3.0), (-0.5, 1e-300), (1e300, 1e300), (3.0, -0.0)] {
            let sum = pass_on(0.0, adjoint, partial);
            let first = first_pass_on(adjoint, partial);
            assert!(sum == first, "{adjoint} · {partial}"); // equal, up to a zero's sign
        }
    }
}
