//! The weights of the petgraph graph: [`Node`] (what a node is and its value) and [`Edge`]
//! (operand → result, with the local partial derivative along it).

use std::fmt;

use crate::Op;

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
/// It carries the operand's position (`slot` 0 or 1, so `a - b` and `b - a` differ even
/// though petgraph lists neighbours in its own order) and the **local partial derivative**
/// `∂result/∂operand`, computed when the result was recorded. The gradient along a path is
/// the product of its edges' partials; the gradient is the sum over paths.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Edge {
    /// `∂target/∂source` at the recorded values.
    pub partial: f64,
    /// Operand position of the source in the target's op: 0 (`a`, `x`) or 1 (`b`).
    pub slot: u8,
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
