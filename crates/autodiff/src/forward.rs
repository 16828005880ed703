//! Forward mode: directional derivatives (JVPs) over the same edge partials as the reverse
//! sweep.

use crate::{Graph, Var};

/// The result of a forward sweep ([`Graph::jvp`]): the tangent `Σᵢ tᵢ ∂node/∂xᵢ` of every
/// node, for a seed `t` over the leaves `x`.
#[derive(Clone, Debug)]
pub struct Tangents<'g> {
    graph: &'g Graph,
    tangents: Vec<f64>,
}

impl<'g> Tangents<'g> {
    /// The tangent of `var`: its directional derivative along the seed.
    ///
    /// # Panics
    /// If `var` belongs to another graph.
    #[track_caller]
    pub fn of(&self, var: Var<'g>) -> f64 {
        assert!(
            std::ptr::eq(self.graph, var.graph),
            "autodiff: cannot read the tangent of a Var of another graph (node {})",
            var.index()
        );
        self.tangents.get(var.index()).copied().unwrap_or(0.0)
    }

    /// The tangents by node index.
    pub fn tangents(&self) -> &[f64] {
        &self.tangents
    }
}

impl Graph {
    /// Forward-mode sweep: the directional derivative of every node along `seed`, a list of
    /// `(leaf, tangent)` pairs (leaves not listed have tangent 0; so do constants, whatever
    /// their seed). A leaf listed twice gets the sum of its tangents.
    ///
    /// Every edge `src → dst`, visited in recording order (a topological order), adds
    /// `∂dst/∂src · tan[src]` to `tan[dst]`: the same partials the reverse sweep uses, so
    /// `⟨t, ∇y⟩` from [`Var::backward`] equals `jvp(t).of(y)` up to rounding.
    /// A zero partial passes nothing on, even an infinite or NaN tangent (the branch a
    /// [`Var::select`] does not take), as a zero adjoint does in the reverse sweep.
    ///
    /// # Complexity
    /// **O(|V| + |E|)**, iterative.
    ///
    /// # Panics
    /// If a seeded `Var` belongs to another graph or is not a leaf.
    ///
    /// # Examples
    /// ```
    /// let g = autodiff::Graph::new();
    /// let x = g.var(2.0);
    /// let y = g.var(5.0);
    /// let f = x * y + x.sin();
    /// // ∂f/∂x = y + cos x
    /// assert_eq!(g.jvp(&[(x, 1.0)]).of(f), 5.0 + 2.0_f64.cos());
    /// ```
    #[track_caller]
    pub fn jvp<'g>(&'g self, seed: &[(Var<'g>, f64)]) -> Tangents<'g> {
        let state = self.state();
        let mut tangents = vec![0.0; state.record.len()];
        for &(var, t) in seed {
            assert!(
                std::ptr::eq(self, var.graph),
                "autodiff: cannot seed a forward sweep with a Var of another graph (node {})",
                var.index()
            );
            assert!(
                var.op().is_leaf(),
                "autodiff: a forward sweep is seeded on leaves, but node {} is {}",
                var.index(),
                var.op()
            );
            if !var.is_constant() {
                tangents[var.index()] += t;
            }
        }
        // nodes in recording order, each node's edges in slot order: the edges in the
        // order they were recorded
        let (sources, partials) = state.record.edges();
        for (node, edges) in state.record.edge_ranges(0, 0) {
            for (&src, &partial) in sources[edges.clone()].iter().zip(&partials[edges]) {
                let tangent = tangents[src as usize];
                // a zero partial passes nothing on (as a zero adjoint in the reverse sweep):
                // the branch a select does not take stays out, infinite tangent and all
                if tangent != 0.0 && partial != 0.0 {
                    tangents[node] += partial * tangent;
                }
            }
        }
        Tangents {
            graph: self,
            tangents,
        }
    }
}
