//! [`Graph`]: the append-only record of every node and edge, owning a petgraph `DiGraph`.

use std::cell::{Cell, Ref, RefCell};
use std::collections::HashMap;
use std::fmt;
use std::hash::{BuildHasherDefault, DefaultHasher};
use std::panic::Location;

use petgraph::graph::{DiGraph, NodeIndex};

use crate::{Edge, Node, Op, Var};

/// The petgraph graph the engine records into: nodes are [`Node`]s, edges run from operand
/// to result and carry [`Edge`]s.
pub type Dag = DiGraph<Node, Edge>;

/// A computation graph of scalar nodes, recorded as it is built.
///
/// Every [`Var`] made from a graph appends one node (and one edge per operand) to it.
/// Nodes are never removed, so **node index order is a topological order**: every operand
/// has a smaller index than the node computed from it, and every edge is stored after
/// the edges of all smaller-indexed targets. The sweeps rely on this and need no sort.
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
    inner: RefCell<Inner>,
}

pub(crate) struct Inner {
    pub(crate) dag: Dag,
    /// Names given with `Var::named`. A fixed-key hasher: making a graph then touches no
    /// thread-local random state (names are chosen by the program, not by an adversary).
    pub(crate) names: HashMap<NodeIndex, String, BuildHasherDefault<DefaultHasher>>,
    /// Where each node was recorded, when the graph tracks locations (one per node).
    pub(crate) locations: Option<Vec<&'static Location<'static>>>,
}

impl Graph {
    /// An empty graph.
    #[inline]
    pub fn new() -> Self {
        Self::with_capacity(0, 0)
    }

    /// An empty graph with room for `nodes` nodes and `edges` edges before it reallocates.
    ///
    /// The buffers of the last graph dropped on this thread are reused (by a graph made
    /// with no capacity, when its first node is recorded) if they hold at most 2¹⁸ nodes
    /// and 2¹⁸ edges (14 MiB), so that a training loop recording one graph per sample
    /// neither allocates per sample nor writes to fresh memory, which costs a page fault
    /// every 4 KiB. Larger buffers are freed.
    #[inline]
    pub fn with_capacity(nodes: usize, edges: usize) -> Self {
        let mut dag = Dag::default();
        if nodes > 0 || edges > 0 {
            adopt_spare(&mut dag);
            dag.reserve_nodes(nodes);
            dag.reserve_edges(edges);
        }
        Graph {
            inner: RefCell::new(Inner {
                dag,
                names: HashMap::default(),
                locations: None,
            }),
        }
    }

    /// This graph, recording from now on the source location (`file:line:column`) of each
    /// node's creation, so that [`Graph::check_finite`] can say where a bad node came from.
    /// Costs 8 bytes per node.
    #[track_caller]
    pub fn tracking_locations(self) -> Self {
        {
            let mut inner = self.inner.borrow_mut();
            let n = inner.dag.node_count();
            inner.locations = Some(vec![Location::caller(); n]);
        }
        self
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
        self.inner.borrow().dag.node_count()
    }

    /// Whether no node has been recorded.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Number of edges recorded so far (one per operand of each op node).
    pub fn edge_count(&self) -> usize {
        self.inner.borrow().dag.edge_count()
    }

    /// Read access to the underlying petgraph graph, for inspection and petgraph's
    /// algorithms.
    ///
    /// # Panics
    /// Recording a node while the returned guard is alive panics (the graph is borrowed).
    pub fn dag(&self) -> Ref<'_, Dag> {
        Ref::map(self.inner.borrow(), |inner| &inner.dag)
    }

    /// The handle of the node at `index`, or `None` if there is no such node.
    pub fn node(&self, index: usize) -> Option<Var<'_>> {
        (index < self.len()).then(|| Var::new(self, NodeIndex::new(index)))
    }

    #[inline(always)]
    #[track_caller]
    fn leaf(&self, op: Op, value: f64) -> Var<'_> {
        let index = self.inner.borrow_mut().append_leaf(Node { op, value });
        Var::new(self, index)
    }

    /// Appends `op(x)`.
    ///
    /// Inlined with the storing, so that `op` is a constant where it is called,
    /// [`Op::eval`] reduces to the op's own formula, and a loop recording nodes keeps the
    /// buffers' lengths in registers.
    #[inline(always)]
    #[track_caller]
    pub(crate) fn push_unary(&self, op: Op, x: NodeIndex) -> NodeIndex {
        let mut inner = self.inner.borrow_mut();
        let (value, [dx, _]) = op.eval(inner.dag[x].value, 0.0);
        inner.append_unary(Node { op, value }, x, dx)
    }

    /// Appends `op(a, b)`. The two edges are added even when `a == b` (`a · a` has two
    /// paths to `a`, and both count).
    #[inline(always)]
    #[track_caller]
    pub(crate) fn push_binary(&self, op: Op, a: NodeIndex, b: NodeIndex) -> NodeIndex {
        let mut inner = self.inner.borrow_mut();
        let (value, [da, db]) = op.eval(inner.dag[a].value, inner.dag[b].value);
        inner.append_binary(Node { op, value }, [a, b], [da, db])
    }

    #[inline]
    pub(crate) fn inner(&self) -> Ref<'_, Inner> {
        self.inner.borrow()
    }

    #[inline]
    pub(crate) fn node_weight(&self, index: NodeIndex) -> Node {
        self.inner.borrow().dag[index]
    }

    pub(crate) fn set_name(&self, index: NodeIndex, name: &str) {
        self.inner.borrow_mut().names.insert(index, name.to_owned());
    }

    pub(crate) fn name(&self, index: NodeIndex) -> Option<String> {
        self.inner.borrow().names.get(&index).cloned()
    }
}

impl Inner {
    #[inline]
    #[track_caller]
    fn append_leaf(&mut self, node: Node) -> NodeIndex {
        // Every graph starts with a leaf: the place to take over a spare set of buffers.
        if self.dag.capacity() == (0, 0) {
            adopt_spare(&mut self.dag);
        }
        let index = self.dag.add_node(node);
        self.note_location();
        index
    }

    /// Appends `node` and its edge from operand `x` with partial `dx`.
    #[inline]
    #[track_caller]
    fn append_unary(&mut self, node: Node, x: NodeIndex, dx: f64) -> NodeIndex {
        let index = self.dag.add_node(node);
        self.dag.add_edge(x, index, Edge { partial: dx });
        self.note_location();
        index
    }

    /// Appends `node` and its edges from operands `a` (slot 0, first) and `b` (slot 1).
    #[inline]
    #[track_caller]
    fn append_binary(
        &mut self,
        node: Node,
        [a, b]: [NodeIndex; 2],
        [da, db]: [f64; 2],
    ) -> NodeIndex {
        let index = self.dag.add_node(node);
        // slot order: `Edge::slot` relies on it
        self.dag.add_edge(a, index, Edge { partial: da });
        self.dag.add_edge(b, index, Edge { partial: db });
        self.note_location();
        index
    }

    #[track_caller]
    #[inline]
    fn note_location(&mut self) {
        if let Some(locations) = &mut self.locations {
            locations.push(Location::caller());
        }
    }

    /// Where the node at `index` was recorded, if tracked.
    pub(crate) fn location(&self, index: usize) -> Option<String> {
        let locations = self.locations.as_ref()?;
        locations.get(index).map(|l| l.to_string())
    }
}

/// Graphs whose buffers hold at most this many nodes (and edges) leave them to the next
/// graph created on the same thread; larger ones free them. At 32 bytes per node and 24
/// per edge, a thread keeps at most 14 MiB.
const SPARE_LIMIT: usize = 1 << 18;

thread_local! {
    /// The emptied buffers of the last small graph dropped on this thread.
    static SPARE: Cell<Dag> = Cell::new(Dag::default());
}

impl Drop for Graph {
    fn drop(&mut self) {
        let dag = &mut self.inner.get_mut().dag;
        let (nodes, edges) = dag.capacity();
        // a graph that never held a node has nothing to leave (and keeps the spare there)
        let holds_buffers = nodes > 0 || edges > 0;
        if holds_buffers && nodes <= SPARE_LIMIT && edges <= SPARE_LIMIT {
            dag.clear();
            // Exchanged with the spare (usually empty), which is then freed with the graph.
            adopt_spare(dag);
        }
    }
}

/// Exchanges `dag` with this thread's spare buffers, in place (swapped word by word: no
/// move of the whole graph through the stack). During thread teardown the slot may be
/// gone: then nothing happens.
fn adopt_spare(dag: &mut Dag) {
    let _ = SPARE.try_with(|spare| spare.swap(Cell::from_mut(dag)));
}

impl Default for Graph {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for Graph {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = self.inner.borrow();
        f.debug_struct("Graph")
            .field("nodes", &inner.dag.node_count())
            .field("edges", &inner.dag.edge_count())
            .finish()
    }
}
