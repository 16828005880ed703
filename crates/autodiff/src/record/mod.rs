//! [`Record`]: the compact, append-only store a [`Graph`](crate::Graph) records into.
//!
//! One array per field (struct of arrays): per node its value and a one-byte op code, per
//! edge its source and its partial; the numbers of payload ops (`x · c`, `x^p`) apart, in
//! node order. A node's edges are recorded together right after the node, in slot order,
//! so edge order is target order and the target of an edge is not stored: a walk over the
//! nodes in order moves a cursor over the edges by each node's arity
//! ([`Record::edge_ranges`]). A unary node costs 8 + 1 + 4 + 8 = 21 bytes, a binary one
//! 33, and an op with a number 8 more. A graph that tracks locations also keeps, per node,
//! where it was recorded (8 bytes); the flag that says so sits beside the arrays, so that a
//! graph that does not track pays one test of a register-held record per node.
//!
//! The petgraph view ([`Graph::dag`](crate::Graph::dag)) is built from this record on
//! demand; the sweeps read the record itself.

use std::ops::Range;
use std::panic::Location;

mod code;
mod spare;
mod sweep;

pub(crate) use code::Code;
pub(crate) use spare::{Adjoints, Spare};
pub(crate) use sweep::sweep as fast_sweep;

use crate::compiled::wide;
use crate::{Dag, Edge, Node, Op};

/// Nodes per block of the index that finds a node's number (see [`Record::op`]).
const BLOCK: usize = 1024;

/// Every node and edge recorded so far. See the module documentation.
///
/// The per-node arrays (`values`, `codes`) and the per-edge arrays (`sources`, `partials`)
/// are filled to their allocated length; `nodes` and `edges` say how much of them is
/// recorded. A recording step checks for room once, before it computes anything, and then
/// writes each field by index: no write has a path that can reallocate (and so call out)
/// between computing a node's value and storing it, which would make the compiler keep
/// the value on the stack and the next op wait for it there.
#[derive(Clone, Debug, Default)]
pub(crate) struct Record {
    /// Number of nodes recorded (a prefix of `values` and `codes`).
    nodes: usize,
    /// Number of edges recorded (a prefix of `sources` and `partials`).
    edges: usize,
    /// Per node: its value.
    values: Vec<f64>,
    /// Per node: its op, without the number of a payload op.
    codes: Vec<Code>,
    /// The numbers of the payload ops, in node order.
    numbers: Vec<f64>,
    /// Per block of [`BLOCK`] nodes: how many numbers the nodes before it hold, so that a
    /// node's number is found by counting within its block. Entries are made when a number
    /// is recorded, up to its block: blocks past the last entry hold no number.
    blocks: Vec<u32>,
    /// Per edge, in target order then slot order: the operand node.
    sources: Vec<u32>,
    /// Per edge: `∂target/∂source`.
    partials: Vec<f64>,
    /// Whether [`Record::push`] keeps where each node was recorded: a flag beside the
    /// arrays, so that a graph that does not track pays one test of it per node.
    tracking: bool,
    /// Per node, where it was recorded, while `tracking` (empty otherwise).
    locations: Vec<&'static Location<'static>>,
}

/// The most nodes (and edges) written ahead at a time by [`Record::fill_more`]: 36 KiB of
/// node arrays, 48 KiB of edge arrays.
const FILL: usize = 4096;

/// The most nodes a record holds: node indices are `u32`s below `u32::MAX` (which is
/// petgraph's "no node").
const MAX_NODES: usize = u32::MAX as usize - 1;

impl Record {
    /// Number of nodes.
    #[inline]
    pub(crate) fn len(&self) -> usize {
        self.nodes
    }

    /// Number of edges.
    #[inline]
    pub(crate) fn edge_count(&self) -> usize {
        self.edges
    }

    /// Nodes and edges the buffers hold before they grow.
    pub(crate) fn capacity(&self) -> (usize, usize) {
        (self.values.capacity(), self.sources.capacity())
    }

    /// Bytes allocated by the buffers (capacities × element sizes).
    pub(crate) fn heap_bytes(&self) -> usize {
        use std::mem::size_of;
        self.values.capacity() * size_of::<f64>()
            + self.codes.capacity() * size_of::<Code>()
            + self.numbers.capacity() * size_of::<f64>()
            + self.blocks.capacity() * size_of::<u32>()
            + self.sources.capacity() * size_of::<u32>()
            + self.partials.capacity() * size_of::<f64>()
    }

    /// Room for `nodes` more nodes and `edges` more edges before the buffers reallocate.
    pub(crate) fn reserve(&mut self, nodes: usize, edges: usize) {
        let nodes = self.nodes.saturating_add(nodes);
        let edges = self.edges.saturating_add(edges);
        // exactly: a graph made with room for n nodes holds n (no doubling)
        self.values
            .reserve_exact(nodes.saturating_sub(self.values.len()));
        self.codes
            .reserve_exact(nodes.saturating_sub(self.codes.len()));
        self.sources
            .reserve_exact(edges.saturating_sub(self.sources.len()));
        self.partials
            .reserve_exact(edges.saturating_sub(self.partials.len()));
    }

    /// Makes sure the arrays are written far enough to take one more node with `arity`
    /// edges (see [`Record`]).
    ///
    /// # Panics
    /// If the record already holds [`MAX_NODES`] nodes.
    #[inline(always)]
    fn make_room(&mut self, arity: usize) {
        let full = self.nodes == self.values.len() || self.sources.len() - self.edges < arity;
        if full {
            self.fill_more(arity);
        }
    }

    /// Writes more of the arrays that are full: as many elements as they hold, from 16 up
    /// to [`FILL`] at a time. The buffers grow as `Vec`s do (doubling; large ones by moving
    /// their pages, not copying them). Filling a little at a time leaves the memory a
    /// graph does not record into untouched, as a `Vec`'s spare capacity is, and a small
    /// graph small.
    #[cold]
    #[inline(never)]
    fn fill_more(&mut self, arity: usize) {
        if self.nodes >= MAX_NODES {
            panic!("autodiff: a graph holds at most {MAX_NODES} nodes");
        }
        // what is used, and as much again (from 16 to `FILL`), but not past the
        // capacity while there is some: room reserved is room enough
        let fill_to = |used: usize, capacity: usize| {
            let wanted = used + used.clamp(16, FILL);
            if capacity > used {
                wanted.min(capacity)
            } else {
                wanted
            }
        };
        if self.nodes == self.values.len() {
            let nodes = fill_to(self.nodes, self.values.capacity()).min(MAX_NODES);
            self.values.resize(nodes, 0.0);
            self.codes.resize(nodes, Code::CONST);
        }
        if self.sources.len() - self.edges < arity {
            let edges = fill_to(self.edges, self.sources.capacity()).max(self.edges + arity);
            self.sources.resize(edges, 0);
            self.partials.resize(edges, 0.0);
        }
    }

    /// Forgets every node and edge, keeping the buffers (and location tracking, if on).
    pub(crate) fn clear(&mut self) {
        self.nodes = 0;
        self.edges = 0;
        self.numbers.clear();
        self.blocks.clear();
        self.locations.clear();
    }

    /// From now on, keeps where each node is recorded; the nodes recorded so far get `at`.
    pub(crate) fn track_locations(&mut self, at: &'static Location<'static>) {
        self.tracking = true;
        self.locations = vec![at; self.len()];
    }

    /// Stops keeping locations and frees them (for buffers handed to another graph).
    pub(crate) fn stop_tracking(&mut self) {
        self.tracking = false;
        self.locations = Vec::new();
    }

    /// Where node `i` was recorded, if locations are kept.
    pub(crate) fn location(&self, i: usize) -> Option<&'static Location<'static>> {
        self.locations.get(i).copied()
    }

    /// The value of node `i`.
    ///
    /// # Panics
    /// If there is no node `i`.
    #[inline(always)]
    pub(crate) fn value(&self, i: usize) -> f64 {
        self.values()[i]
    }

    /// The op code of node `i`.
    ///
    /// # Panics
    /// If there is no node `i`.
    #[inline(always)]
    pub(crate) fn code(&self, i: usize) -> Code {
        self.codes()[i]
    }

    /// The op of node `i`.
    ///
    /// # Complexity
    /// **O([`BLOCK`])** for an op with a number (counted within its block), **O(1)**
    /// otherwise.
    ///
    /// # Panics
    /// If there is no node `i`.
    pub(crate) fn op(&self, i: usize) -> Op {
        let code = self.code(i);
        let number = if code.has_number() {
            self.numbers[self.numbers_before(i)]
        } else {
            f64::NAN
        };
        code.decode(number)
    }

    /// How many numbers the nodes before node `i` hold (`i ≤ len`).
    fn numbers_before(&self, i: usize) -> usize {
        let block = i / BLOCK;
        match self.blocks.get(block) {
            Some(&before) => {
                let within = &self.codes()[block * BLOCK..i];
                before as usize + within.iter().filter(|c| c.has_number()).count()
            }
            // no number recorded in this block or after it
            None => self.numbers.len(),
        }
    }

    /// Values of all nodes, by index.
    #[inline]
    pub(crate) fn values(&self) -> &[f64] {
        &self.values[..self.nodes]
    }

    /// Op codes of all nodes, by index.
    #[inline]
    pub(crate) fn codes(&self) -> &[Code] {
        &self.codes[..self.nodes]
    }

    /// Sources and partials of all edges, in recording order.
    #[inline]
    pub(crate) fn edges(&self) -> (&[u32], &[f64]) {
        (&self.sources[..self.edges], &self.partials[..self.edges])
    }

    /// Sources and partials of the edges into nodes `0..=root`: a prefix of
    /// [`Record::edges`], as edges are stored in target order.
    ///
    /// # Complexity
    /// **O(nodes after `root`)**, to find where the root's edges end.
    #[inline]
    pub(crate) fn edges_up_to(&self, root: usize) -> (&[u32], &[f64]) {
        let after: usize = self.codes()[root + 1..].iter().map(|c| c.arity()).sum();
        let end = self.edges - after;
        (&self.sources[..end], &self.partials[..end])
    }

    /// Every node up to `root`: its op and, per operand in slot order, the operand's index
    /// and the edge's partial. A copy, for walks that record new nodes as they go.
    ///
    /// # Complexity
    /// **O(|V| + |E|)** time and space over the nodes up to `root`.
    pub(crate) fn operands_up_to(&self, root: usize) -> Vec<(Op, Vec<(usize, f64)>)> {
        let (sources, partials) = self.edges_up_to(root);
        self.ops_from(0, 0)
            .take(root + 1)
            .map(|(_, op, edges)| {
                let operands = edges.map(|e| (sources[e] as usize, partials[e])).collect();
                (op, operands)
            })
            .collect()
    }

    /// Number of operands (and so of edges) of node `i`.
    #[inline(always)]
    pub(crate) fn arity(&self, i: usize) -> usize {
        self.code(i).arity()
    }

    /// From node `first` on (whose edges start at edge `edge`), each node's index and the
    /// range of its edges in [`Record::edges`], in recording order: the edges follow one
    /// another by each node's arity.
    #[inline]
    pub(crate) fn edge_ranges(
        &self,
        first: usize,
        edge: usize,
    ) -> impl Iterator<Item = (usize, Range<usize>)> + '_ {
        let codes = self.codes()[first..].iter();
        codes.zip(first..).scan(edge, |end, (code, node)| {
            let start = *end;
            *end += code.arity();
            Some((node, start..*end))
        })
    }

    /// Appends a node computed by `op` (unary or binary, `ARITY` its arity) from the nodes
    /// `operands` (one per slot, in slot order), recorded at `at`, with its edges; returns
    /// its index.
    ///
    /// `operands` must be nodes of this record (the handles of a graph's nodes always are).
    /// The room is made, the number and location stored, before the op is evaluated, so
    /// that the value goes from the op straight to its slot (see [`Record`]).
    ///
    /// # Panics
    /// If the graph already holds [`MAX_NODES`] nodes.
    #[inline(always)]
    pub(crate) fn push<const ARITY: usize>(
        &mut self,
        op: Op,
        operands: [u32; ARITY],
        at: &'static Location<'static>,
    ) -> u32 {
        debug_assert_eq!(ARITY, op.arity(), "{op:?}");
        self.make_room(ARITY);
        let (node, edge) = (self.nodes, self.edges);
        let (code, number) = op.encode();
        if let Some(number) = number {
            let block = node / BLOCK;
            while self.blocks.len() <= block {
                // fewer than 2³² nodes, so fewer numbers
                self.blocks.push(self.numbers.len() as u32);
            }
            self.numbers.push(number);
        }
        if self.tracking {
            self.locations.push(at);
        }
        let operand = |slot: usize| self.values[operands[slot] as usize];
        // `Op::eval`, with the exponential ops through the faster `exp` (the same bits)
        let (value, partials) = if ARITY == 1 {
            wide::eval(op, operand(0), 0.0)
        } else {
            wide::eval(op, operand(0), operand(1))
        };
        self.values[node] = value;
        self.codes[node] = code;
        // slot order: `Edge::slot` and the sweeps rely on it
        self.sources[edge..edge + ARITY].copy_from_slice(&operands);
        self.partials[edge..edge + ARITY].copy_from_slice(&partials[..ARITY]);
        self.nodes = node + 1;
        self.edges = edge + ARITY;
        // below `MAX_NODES`, by `make_room`
        node as u32
    }

    /// Appends a leaf (`op` is [`Op::Input`] or [`Op::Const`]) with `value`, recorded at
    /// `at`; returns its index.
    ///
    /// # Panics
    /// As [`Record::push`].
    #[inline(always)]
    pub(crate) fn push_leaf(&mut self, op: Op, value: f64, at: &'static Location<'static>) -> u32 {
        debug_assert!(op.is_leaf());
        self.make_room(0);
        let node = self.nodes;
        if self.tracking {
            self.locations.push(at);
        }
        self.values[node] = value;
        self.codes[node] = op.encode().0;
        self.nodes = node + 1;
        node as u32
    }

    /// Appends to `dag` the nodes and edges recorded since it was last brought up to date
    /// (`dag` holds a prefix of this record: its first nodes with all their edges).
    ///
    /// # Complexity
    /// **O(|V| + |E|)** over the nodes added, plus **O([`BLOCK`])** to find the first
    /// number.
    pub(crate) fn extend_dag(&self, dag: &mut Dag) {
        let (first, edge) = (dag.node_count(), dag.edge_count());
        dag.reserve_nodes(self.len() - first);
        dag.reserve_edges(self.edge_count() - edge);
        for (i, op, edges) in self.ops_from(first, edge) {
            let target = dag.add_node(Node {
                op,
                value: self.values[i],
            });
            for e in edges {
                let source = petgraph::graph::NodeIndex::new(self.sources[e] as usize);
                let partial = self.partials[e];
                dag.add_edge(source, target, Edge { partial });
            }
        }
    }

    /// From node `first` on (whose edges start at edge `edge`), each node's index, op and
    /// range of edges in [`Record::edges`], in recording order.
    ///
    /// # Complexity
    /// **O(1)** per node, plus **O([`BLOCK`])** to find the first number.
    pub(crate) fn ops_from(
        &self,
        first: usize,
        edge: usize,
    ) -> impl Iterator<Item = (usize, Op, Range<usize>)> + '_ {
        let mut k = self.numbers_before(first);
        self.edge_ranges(first, edge).map(move |(i, edges)| {
            let code = self.codes[i];
            let op = if code.has_number() {
                k += 1;
                code.decode(self.numbers[k - 1])
            } else {
                code.decode(f64::NAN)
            };
            (i, op, edges)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The op recorded as node `i` of [`record_mixed`]: every third op carries a number.
    fn op_at(i: usize) -> Op {
        match i % 3 {
            0 => Op::MulScalar(i as f64 + 0.5),
            1 => Op::Sin,
            _ => Op::PowI(-(i as i32 % 5)),
        }
    }

    /// A leaf, then `n − 1` unary nodes, each on the node before it, ops by [`op_at`].
    fn record_mixed(n: usize) -> Record {
        let mut record = Record::default();
        record.push_leaf(Op::Input, 1.5, Location::caller());
        for i in 1..n {
            record.push(op_at(i), [i as u32 - 1], Location::caller());
        }
        record
    }

    /// The values and partials [`record_mixed`] records, from [`Op::eval`].
    fn mixed_values(n: usize) -> (Vec<f64>, Vec<f64>) {
        let (mut values, mut partials) = (vec![1.5], vec![]);
        for i in 1..n {
            let (v, [d, _]) = op_at(i).eval(values[i - 1], 0.0);
            values.push(v);
            partials.push(d);
        }
        (values, partials)
    }

    #[test]
    fn every_node_reads_back_its_op_number_and_value_across_block_boundaries() {
        let n = 3 * BLOCK + 7; // four blocks, the last one begun
        let record = record_mixed(n);
        assert_eq!((record.len(), record.edge_count()), (n, n - 1));
        let (values, partials) = mixed_values(n);
        assert_eq!(record.values(), values);
        assert_eq!(record.edges().1, partials);
        assert_eq!(record.op(0), Op::Input);
        for i in 1..n {
            assert_eq!(record.op(i), op_at(i), "node {i}");
            assert_eq!(record.edges().0[i - 1], i as u32 - 1);
        }
    }

    #[test]
    fn the_arrays_grow_past_what_is_recorded_and_show_only_that() {
        let mut record = Record::default();
        record.push_leaf(Op::Input, 0.5, Location::caller());
        assert_eq!((record.values().len(), record.codes().len()), (1, 1));
        assert!(record.capacity().0 > 1, "room for more than the one node");
        // binary nodes: the edges outgrow the nodes
        for i in 1..1000_u32 {
            record.push(Op::Add, [i - 1, i - 1], Location::caller());
            let (sources, partials) = record.edges();
            assert_eq!(
                (sources.len(), partials.len()),
                (2 * i as usize, 2 * i as usize)
            );
        }
        assert_eq!(record.value(999), 0.5 * 2_f64.powi(999));
        let (nodes, edges) = record.capacity();
        assert!(nodes >= 1000 && edges >= 1998, "{nodes}, {edges}");
    }

    #[test]
    #[should_panic(expected = "index out of bounds")]
    fn a_value_past_the_last_node_is_not_read_from_the_spare_room() {
        let record = record_mixed(5);
        assert!(record.capacity().0 > 5);
        record.value(5);
    }

    #[test]
    fn the_petgraph_view_built_in_steps_equals_the_view_built_at_once() {
        let n = 2 * BLOCK + 100;
        let record = record_mixed(n);
        let mut at_once = Dag::default();
        record.extend_dag(&mut at_once);

        // the view of a prefix, then brought up to date (the prefix ends mid-block)
        let mut prefix = record_mixed(BLOCK + 10);
        let mut in_steps = Dag::default();
        prefix.extend_dag(&mut in_steps);
        for i in BLOCK + 10..n {
            prefix.push(op_at(i), [i as u32 - 1], Location::caller());
        }
        prefix.extend_dag(&mut in_steps);

        let (_, partials) = record.edges();
        for view in [&at_once, &in_steps] {
            assert_eq!((view.node_count(), view.edge_count()), (n, n - 1));
            for (i, node) in view.raw_nodes().iter().enumerate() {
                let expected = Node {
                    op: record.op(i),
                    value: record.value(i),
                };
                assert_eq!(node.weight, expected, "node {i}");
            }
            for (k, edge) in view.raw_edges().iter().enumerate() {
                // edge k runs from node k into node k + 1
                let ends = (edge.source().index(), edge.target().index());
                assert_eq!(ends, (k, k + 1));
                assert_eq!(edge.weight.partial.to_bits(), partials[k].to_bits());
            }
        }
    }

    #[test]
    fn numbers_far_apart_are_found_across_blocks_without_numbers() {
        // numbers at nodes 1 and 3·BLOCK + 2 only; blocks 1 and 2 hold none
        let far = 3 * BLOCK + 2;
        let op_at = |i: usize| match i {
            1 => Op::AddScalar(-7.0),
            i if i == far => Op::PowF(0.25),
            _ => Op::Neg,
        };
        let mut record = Record::default();
        let mut view = Dag::default();
        record.push_leaf(Op::Input, 0.5, Location::caller());
        for i in 1..far + 10 {
            record.push(op_at(i), [i as u32 - 1], Location::caller());
            if i == 2 * BLOCK {
                record.extend_dag(&mut view); // a view of a prefix in a block with no number
            }
        }
        record.extend_dag(&mut view);
        for i in 1..record.len() {
            assert_eq!(record.op(i), op_at(i), "node {i}");
            assert_eq!(view.raw_nodes()[i].weight.op, op_at(i), "view node {i}");
        }
    }

    #[test]
    fn a_cleared_record_keeps_its_buffers_and_numbers_restart() {
        let mut record = record_mixed(BLOCK + 5);
        let capacity = record.capacity();
        record.clear();
        assert_eq!(
            (record.len(), record.edge_count(), record.capacity()),
            (0, 0, capacity)
        );
        assert!(record.values().is_empty() && record.edges().0.is_empty());
        record.push_leaf(Op::Input, 2.0, Location::caller());
        record.push(Op::AddScalar(3.0), [0], Location::caller());
        assert_eq!(record.op(1), Op::AddScalar(3.0)); // not a number of the old nodes
        assert_eq!(
            (record.value(1), record.edges()),
            (5.0, (&[0][..], &[1.0][..]))
        );
    }
}
