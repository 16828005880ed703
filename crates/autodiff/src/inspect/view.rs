//! The weights of the petgraph graph: [`Node`] (what a node is and its value) and [`Edge`]
//! (operand → result, with the local partial derivative along it).

use std::fmt;

use petgraph::graph::EdgeIndex;

use crate::{Dag, Op};

/// A node of the graph: the op that made it and the value it took when it was recorded.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Node {
    /// What computed this node (or [`Op::Input`] / [`Op::Const`] for a leaf).
    pub op: Op,
    /// The node's value.
    pub value: f64,
}

/// An edge from an operand to the node computed from it.
///
/// It carries the **local partial derivative** `∂result/∂operand`, computed when the
/// result was recorded. The gradient along a path is the product of its edges' partials;
/// the gradient is the sum over paths.
///
/// The operand's position (slot 0 or 1, so that `a - b` and `b - a` differ) is not
/// stored: an op's edges are recorded together, slot 0 first, so it follows from the
/// order of the edges ([`Edge::slot`]). The engine records an edge in 12 bytes (source
/// and partial); in the petgraph view of [`Graph::dag`](crate::Graph::dag) it is 24.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Edge {
    /// `∂target/∂source` at the recorded values.
    pub partial: f64,
}

impl Edge {
    /// Operand position of the source of edge `edge` in its target's op: 0 (`a`, `x`) or
    /// 1 (`b`).
    ///
    /// Each op appends its node, then one edge per operand in slot order, so the edges
    /// into a node are consecutive: an edge is in slot 1 exactly when the edge recorded
    /// just before it has the same target.
    ///
    /// # Panics
    /// If `edge` is not an edge of `dag`.
    ///
    /// # Examples
    /// ```
    /// use autodiff::{Edge, Graph};
    /// use petgraph::graph::EdgeIndex;
    ///
    /// let g = Graph::new();
    /// let a = g.var(1.0);
    /// let b = g.var(2.0);
    /// let d = b - a; // operands (b, a)
    /// let dag = g.dag();
    /// let sources: Vec<_> = dag.raw_edges().iter().map(|e| e.source().index()).collect();
    /// assert_eq!(sources, [b.index(), a.index()]);
    /// assert_eq!(Edge::slot(&dag, EdgeIndex::new(0)), 0); // b is slot 0
    /// assert_eq!(Edge::slot(&dag, EdgeIndex::new(1)), 1); // a is slot 1
    /// # let _ = d;
    /// ```
    pub fn slot(dag: &Dag, edge: EdgeIndex) -> u8 {
        let edges = dag.raw_edges();
        let i = edge.index();
        let target = edges[i].target();
        u8::from(i > 0 && edges[i - 1].target() == target)
    }
}

impl fmt::Display for Node {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} = {}", self.op, self.value)
    }
}

impl fmt::Display for Edge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.partial)
    }
}
