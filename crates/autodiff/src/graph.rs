//! [`Graph`]: the append-only record of every node and edge.
//!
//! Recording a node is three steps: evaluate its op on its operands' values
//! ([`Op::eval`]), which gives the value and one local partial per operand; append the op
//! and the value as the next node; append one edge `(source, partial)` per operand, in
//! slot order. That is all a graph holds: per node its op and value, per edge its source
//! and partial, in recording order. How that is stored compactly and reused across graphs
//! is in `record/` (speed only); the petgraph view users inspect ([`Graph::dag`]) is built
//! from it on demand.

use std::cell::{Ref, RefCell};
use std::collections::HashMap;
use std::fmt;
use std::hash::{BuildHasherDefault, DefaultHasher};
use std::panic::Location;

use petgraph::graph::{DiGraph, NodeIndex};

use crate::branch::Guard;
use crate::record::Code;
use crate::record::Spare;
use crate::{Edge, Node, Op, Var};

/// The petgraph graph a [`Graph`] shows through [`Graph::dag`]: nodes are [`Node`]s, edges
/// run from operand to result and carry [`Edge`]s.
pub type Dag = DiGraph<Node, Edge>;

/// A computation graph of scalar nodes, recorded as it is built.
///
/// Every [`Var`] made from a graph appends one node (and one edge per operand) to it.
/// Nodes are never removed while a `Var` lives (only all at once, by [`Graph::clear`],
/// which needs the graph to itself), so **node index order is a topological order**:
/// every operand has a smaller index than the node computed from it, and every edge is
/// stored after the edges of all smaller-indexed targets. The sweeps rely on this and need no sort.
///
/// The graph sits behind one `RefCell`, borrowed for the duration of a single append or
/// sweep, so that `Var` can be `Copy` and the arithmetic operators can be overloaded.
///
/// # Examples
/// ```
/// use autodiff::Graph;
///
/// let g = Graph::new();
/// let a = g.var(3.0);
/// let b = g.var(4.0);
/// let c = a * b + 1.0; // c = ab + 1
/// let grads = c.backward();
/// assert_eq!(c.value(), 13.0);
/// assert_eq!((grads.wrt(a), grads.wrt(b)), (4.0, 3.0)); // ∂c/∂a = b, ∂c/∂b = a
/// assert_eq!(g.len(), 4); // a, b, a·b, +1
/// ```
pub struct Graph {
    state: RefCell<State>,
    /// The petgraph view, built from the record on demand (see [`Graph::dag`]); boxed, so
    /// that a graph never asked for it carries one word for it.
    view: RefCell<Option<Box<Dag>>>,
}

/// What the `RefCell` of a [`Graph`] holds: the record, the names and the guards.
pub(crate) struct State {
    /// Every node and edge, in recording order (see [`crate::record`]).
    pub(crate) record: Spare,
    /// Names given with `Var::named`. A fixed-key hasher: making a graph then touches no
    /// thread-local random state (names are chosen by the program, not by an adversary).
    pub(crate) names: HashMap<NodeIndex, String, BuildHasherDefault<DefaultHasher>>,
    /// The guards recorded with [`Graph::guard`], in recording order.
    pub(crate) guards: Vec<Guard>,
}

impl Graph {
    /// An empty graph.
    #[inline]
    pub fn new() -> Self {
        Self::with_capacity(0, 0)
    }

    /// An empty graph with room for `nodes` nodes and `edges` edges before it reallocates.
    ///
    /// The buffers of the last graph dropped on this thread are reused by the next graph
    /// made on it if they hold at most 2¹⁸ nodes and 2¹⁸ edges (5.5 MiB), so that a
    /// training loop recording one graph per sample neither allocates per sample nor
    /// writes to fresh memory, which costs a page fault every 4 KiB. Larger buffers are
    /// freed; to record large graphs again and again into the same memory,
    /// [`clear`](Graph::clear) one graph instead.
    #[inline]
    pub fn with_capacity(nodes: usize, edges: usize) -> Self {
        let mut record = Spare::take();
        record.reserve(nodes, edges);
        Graph {
            state: RefCell::new(State {
                record,
                names: HashMap::default(),
                guards: Vec::new(),
            }),
            view: RefCell::new(None),
        }
    }

    /// This graph, recording from now on the source location (`file:line:column`) of each
    /// node's creation, so that [`Graph::check_finite`] can say where a bad node came from.
    /// Costs 8 bytes per node.
    #[track_caller]
    pub fn tracking_locations(self) -> Self {
        self.state
            .borrow_mut()
            .record
            .track_locations(Location::caller());
        self
    }

    /// Forgets every node, edge, name and guard, keeping the memory: recording into a cleared
    /// graph writes to buffers that are already allocated and mapped, so re-recording a
    /// large graph costs no allocation and no page faults (a sweep's adjoint buffer is
    /// kept for the thread's next sweep too). Location tracking stays on if it was.
    ///
    /// The borrow checker makes sure no [`Var`] or [`Gradients`](crate::Gradients) of the
    /// old nodes is alive.
    ///
    /// # Examples
    /// ```
    /// use autodiff::Graph;
    ///
    /// let mut g = Graph::new();
    /// for step in 0..3 {
    ///     g.clear();
    ///     let x = g.var(f64::from(step));
    ///     let y = x * x; // dy/dx = 2x
    ///     assert_eq!(y.backward().wrt(x), 2.0 * f64::from(step));
    ///     assert_eq!(g.len(), 2);
    /// }
    /// ```
    pub fn clear(&mut self) {
        let state = self.state.get_mut();
        state.record.clear();
        state.names.clear();
        state.guards.clear();
        if let Some(view) = self.view.get_mut() {
            view.clear();
        }
    }

    /// Appends a differentiable leaf with the given value.
    ///
    /// Our `Var` is a handle to any node, not only to trainable parameters; a leaf made by
    /// `var` is one that gradients are taken with respect to.
    #[track_caller]
    #[inline]
    pub fn var(&self, value: f64) -> Var<'_> {
        self.leaf(Op::Input, value)
    }

    /// Appends a differentiable leaf with a name (shown in DOT output and error messages).
    #[track_caller]
    pub fn var_named(&self, name: &str, value: f64) -> Var<'_> {
        self.var(value).named(name)
    }

    /// Appends a constant leaf: it has a value, but no gradient flows into it
    /// ([`Gradients::wrt`](crate::Gradients::wrt) returns 0 for it).
    #[track_caller]
    #[inline]
    pub fn constant(&self, value: f64) -> Var<'_> {
        self.leaf(Op::Const, value)
    }

    /// Number of nodes recorded so far.
    pub fn len(&self) -> usize {
        self.state.borrow().record.len()
    }

    /// Whether no node has been recorded.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Number of edges recorded so far (one per operand of each op node).
    pub fn edge_count(&self) -> usize {
        self.state.borrow().record.edge_count()
    }

    /// How many nodes and edges the graph's buffers hold before they grow.
    pub fn capacity(&self) -> (usize, usize) {
        self.state.borrow().record.capacity()
    }

    /// Bytes the graph's recording buffers hold (capacities × element sizes): 21 per
    /// unary node with its edge, 33 per binary node with its two edges, 8 more per op
    /// with a number (`x · c`, `x^p`), and 4 per 1024 nodes (once there are numbers) for
    /// finding those numbers.
    /// Names, tracked locations, the petgraph view of [`Graph::dag`] and sweep buffers
    /// are not counted.
    ///
    /// # Examples
    /// ```
    /// let g = autodiff::Graph::with_capacity(1000, 1000);
    /// let x = g.var(0.5);
    /// let mut y = x;
    /// for _ in 1..1000 {
    ///     y = y.sin(); // value 8 + op code 1, source 4 + partial 8
    /// }
    /// assert_eq!(g.heap_bytes(), 1000 * (8 + 1) + 1000 * (4 + 8));
    /// ```
    pub fn heap_bytes(&self) -> usize {
        self.state.borrow().record.heap_bytes()
    }

    /// The graph as a petgraph graph, for inspection and petgraph's algorithms: node `i`
    /// is the `i`-th node recorded, with its op and value; an edge runs from each operand
    /// to the result and carries the partial, the edges stored in recording order.
    ///
    /// The engine records into a compact store of its own (see `ARCHITECTURE.md`); this
    /// view is built from it on the first call and brought up to date on later ones,
    /// appending what was recorded in between.
    ///
    /// # Panics
    /// If nodes were recorded since the last call while the guard it returned is still
    /// alive (the view cannot be extended while it is borrowed).
    ///
    /// # Complexity
    /// **O(|V| + |E|)** time and memory over the nodes and edges recorded since the last
    /// call; **O(1)** when nothing was.
    pub fn dag(&self) -> Ref<'_, Dag> {
        {
            let state = self.state.borrow();
            let shown = self.view.borrow().as_ref().map(|view| view.node_count());
            if !matches!(shown, Some(n) if n == state.record.len()) {
                let mut view = self.view.try_borrow_mut().expect(
                    "autodiff: Graph::dag cannot extend its view while an earlier guard is alive",
                );
                state
                    .record
                    .extend_dag(view.get_or_insert_with(Box::default));
            }
        }
        Ref::map(self.view.borrow(), |view| {
            view.as_deref()
                .expect("autodiff internal error: the view was just made")
        })
    }

    /// The handle of the node at `index`, or `None` if there is no such node.
    pub fn node(&self, index: usize) -> Option<Var<'_>> {
        (index < self.len()).then(|| Var::new(self, NodeIndex::new(index)))
    }

    #[inline(always)]
    #[track_caller]
    fn leaf(&self, op: Op, value: f64) -> Var<'_> {
        let index = self.state.borrow_mut().append_leaf(op, value);
        Var::new(self, index)
    }

    /// Appends `op(x)` or `op(a, b)`, `operands` in slot order. A binary op's two edges are
    /// added even when `a == b` (`a · a` has two paths to `a`, and both count).
    ///
    /// Inlined, so that `op` is a constant where it is called and [`Op::eval`] reduces to
    /// the op's own formula.
    #[inline(always)]
    #[track_caller]
    pub(crate) fn push<const ARITY: usize>(
        &self,
        op: Op,
        operands: [NodeIndex; ARITY],
    ) -> NodeIndex {
        let mut state = self.state.borrow_mut();
        let record = state.record.get_mut();
        let operands = operands.map(|x| x.index() as u32);
        let index = record.push(op, operands, Location::caller());
        NodeIndex::new(index as usize)
    }

    /// The record and names, borrowed for one read (a sweep, a check).
    #[inline]
    pub(crate) fn state(&self) -> Ref<'_, State> {
        self.state.borrow()
    }

    /// The record, names and guards, borrowed for one change.
    #[inline]
    pub(crate) fn state_mut(&self) -> std::cell::RefMut<'_, State> {
        self.state.borrow_mut()
    }

    /// Node `index`'s op and value.
    #[inline]
    pub(crate) fn node_weight(&self, index: NodeIndex) -> Node {
        let state = self.state.borrow();
        Node {
            op: state.record.op(index.index()),
            value: state.record.value(index.index()),
        }
    }

    /// Node `index`'s value.
    #[inline]
    pub(crate) fn value(&self, index: NodeIndex) -> f64 {
        self.state.borrow().record.value(index.index())
    }

    /// Whether node `index` is a constant leaf.
    #[inline]
    pub(crate) fn is_constant(&self, index: NodeIndex) -> bool {
        self.state.borrow().record.code(index.index()) == Code::CONST
    }

    pub(crate) fn set_name(&self, index: NodeIndex, name: &str) {
        self.state.borrow_mut().names.insert(index, name.to_owned());
    }

    pub(crate) fn name(&self, index: NodeIndex) -> Option<String> {
        self.state.borrow().names.get(&index).cloned()
    }
}

impl State {
    #[inline(always)]
    #[track_caller]
    fn append_leaf(&mut self, op: Op, value: f64) -> NodeIndex {
        let index = self
            .record
            .get_mut()
            .push_leaf(op, value, Location::caller());
        NodeIndex::new(index as usize)
    }

    /// Where the node at `index` was recorded, if tracked.
    pub(crate) fn location(&self, index: usize) -> Option<String> {
        self.record.location(index).map(|l| l.to_string())
    }
}

impl Default for Graph {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for Graph {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.state.borrow();
        f.debug_struct("Graph")
            .field("nodes", &state.record.len())
            .field("edges", &state.record.edge_count())
            .finish()
    }
}
