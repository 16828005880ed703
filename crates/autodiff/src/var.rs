//! [`Var`]: a `Copy` handle to one node of a [`Graph`].

use std::fmt;
use std::hash::{Hash, Hasher};

use petgraph::graph::NodeIndex;

use crate::{Error, Graph, Op, Result};

/// A handle to a node of a [`Graph`]: any node, leaf or intermediate, not only a trainable
/// parameter.
///
/// A `Var` is a graph reference and a node index, so it is `Copy` and cheap to pass around.
/// Arithmetic on `Var`s (`a * b`, `a + 2.0`, `a.sigmoid()`, …) appends a node to the graph
/// and returns its handle. The lifetime ties a `Var` to its graph; combining `Var`s of two
/// different graphs is a bug, and panics with a message that says so (or, with the `try_`
/// methods, returns [`Error::ForeignVar`]).
///
/// # Examples
/// ```
/// let g = autodiff::Graph::new();
/// let x = g.var(2.0);
/// let y = (x * x).named("y"); // y = x²
/// assert_eq!(y.value(), 4.0);
/// assert_eq!(y.name().as_deref(), Some("y"));
/// assert_eq!(y.backward().wrt(x), 4.0); // dy/dx = 2x
/// ```
#[derive(Clone, Copy)]
pub struct Var<'g> {
    pub(crate) graph: &'g Graph,
    pub(crate) index: NodeIndex,
}

impl<'g> Var<'g> {
    #[inline]
    pub(crate) fn new(graph: &'g Graph, index: NodeIndex) -> Self {
        Var { graph, index }
    }

    /// The node's value, computed when it was recorded.
    #[inline]
    pub fn value(self) -> f64 {
        self.graph.value(self.index)
    }

    /// The op that made this node ([`Op::Input`] or [`Op::Const`] for a leaf).
    #[inline]
    pub fn op(self) -> Op {
        self.graph.node_weight(self.index).op
    }

    /// The node's index in its graph (its position in recording order).
    #[inline]
    pub fn index(self) -> usize {
        self.index.index()
    }

    /// The node's petgraph index, for use with [`Graph::dag`].
    #[inline]
    pub fn node_index(self) -> NodeIndex {
        self.index
    }

    /// The graph this node belongs to.
    pub fn graph(self) -> &'g Graph {
        self.graph
    }

    /// Whether this is a constant leaf ([`Graph::constant`]).
    #[inline]
    pub fn is_constant(self) -> bool {
        self.graph.is_constant(self.index)
    }

    /// Gives this node a name (shown in DOT output and error messages) and returns it.
    pub fn named(self, name: &str) -> Self {
        self.graph.set_name(self.index, name);
        self
    }

    /// The node's name, if it has one.
    pub fn name(self) -> Option<String> {
        self.graph.name(self.index)
    }

    /// Whether this node's value depends on `other` through some path of edges (a node
    /// depends on itself).
    ///
    /// # Complexity
    /// **O(|V| + |E|)** in the worst case: an iterative depth-first search.
    ///
    /// # Panics
    /// If `other` belongs to another graph.
    #[track_caller]
    pub fn depends_on(self, other: Var<'g>) -> bool {
        self.assert_same_graph(other);
        let dag = self.graph.dag();
        petgraph::algo::has_path_connecting(&*dag, other.index, self.index, None)
    }

    /// Checks that `self` and `other` belong to the same graph.
    #[inline]
    pub(crate) fn same_graph(self, other: Var<'g>) -> Result<()> {
        if std::ptr::eq(self.graph, other.graph) {
            Ok(())
        } else {
            Err(Error::ForeignVar {
                left: self.index(),
                right: other.index(),
            })
        }
    }

    #[track_caller]
    #[inline]
    pub(crate) fn assert_same_graph(self, other: Var<'g>) {
        if let Err(e) = self.same_graph(other) {
            panic!("autodiff: {e}");
        }
    }
}

impl PartialEq for Var<'_> {
    /// Two `Var`s are equal when they are the same node of the same graph (not when their
    /// values are equal).
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self.graph, other.graph) && self.index == other.index
    }
}

impl Eq for Var<'_> {}

impl Hash for Var<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        std::ptr::hash(self.graph, state);
        self.index.hash(state);
    }
}

impl fmt::Debug for Var<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let node = self.graph.node_weight(self.index);
        let mut s = f.debug_struct("Var");
        s.field("index", &self.index()).field("op", &node.op);
        if let Some(name) = self.name() {
            s.field("name", &name);
        }
        s.field("value", &node.value).finish()
    }
}
