//! The finiteness check: the first node whose value or partial is NaN or infinite.

use petgraph::graph::NodeIndex;

use crate::error::{NonFinite, Quantity};
use crate::graph::State;
use crate::{Error, Graph, Result};

impl Graph {
    /// Checks every node's value and every edge's partial, in recording order, and names
    /// the first node where a NaN or an infinity appears: the op that produced it from
    /// finite operands (the culprit), not the nodes that merely carried it on. With
    /// [`Graph::tracking_locations`] the error also says where that node was recorded.
    ///
    /// # Errors
    /// [`Error::NonFinite`] naming the node's index, op, name and the bad number.
    ///
    /// # Complexity
    /// **O(|V| + |E|)**, iterative.
    ///
    /// # Examples
    /// ```
    /// let g = autodiff::Graph::new();
    /// let x = g.var_named("x", 0.0);
    /// let y = (x.ln() * 2.0).named("y"); // ln 0 = -∞
    /// let err = g.check_finite().unwrap_err();
    /// assert_eq!(
    ///     err.to_string(),
    ///     "non-finite value -inf at node 1 (op ln)"
    /// );
    /// # let _ = y;
    /// ```
    pub fn check_finite(&self) -> Result<()> {
        let state = self.state();
        let record = &state.record;
        let (_, partials) = record.edges();
        for ((index, edges), &value) in record.edge_ranges(0, 0).zip(record.values()) {
            if !value.is_finite() {
                return Err(state.non_finite(index, Quantity::Value, value));
            }
            // this node's edges, in slot order
            for (slot, &partial) in partials[edges].iter().enumerate() {
                if !partial.is_finite() {
                    return Err(state.non_finite(index, Quantity::Partial(slot as u8), partial));
                }
            }
        }
        Ok(())
    }
}

impl State {
    /// The error naming node `index` for a non-finite `number`.
    pub(crate) fn non_finite(&self, index: usize, quantity: Quantity, number: f64) -> Error {
        let node = NodeIndex::new(index);
        Error::NonFinite(NonFinite {
            index,
            op: self.record.op(index),
            name: self.names.get(&node).cloned(),
            quantity,
            number,
            location: self.location(index),
        })
    }
}
