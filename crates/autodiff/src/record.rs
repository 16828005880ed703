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

use crate::op::Code;
use crate::{Dag, Edge, Node, Op};

/// Nodes per block of the index that finds a node's number (see [`Record::op`]).
const BLOCK: usize = 1024;

/// Every node and edge recorded so far. See the module documentation.
#[derive(Clone, Debug, Default)]
pub(crate) struct Record {
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
    /// Whether [`Record::push_node`] keeps where each node was recorded: a flag beside the
    /// arrays, so that a graph that does not track pays one test of it per node.
    tracking: bool,
    /// Per node, where it was recorded, while `tracking` (empty otherwise).
    locations: Vec<&'static Location<'static>>,
}

impl Record {
    /// Number of nodes.
    #[inline]
    pub(crate) fn len(&self) -> usize {
        self.values.len()
    }

    /// Number of edges.
    #[inline]
    pub(crate) fn edge_count(&self) -> usize {
        self.sources.len()
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

    /// Room for `nodes` more nodes and `edges` more edges.
    pub(crate) fn reserve(&mut self, nodes: usize, edges: usize) {
        self.values.reserve(nodes);
        self.codes.reserve(nodes);
        self.sources.reserve(edges);
        self.partials.reserve(edges);
    }

    /// Forgets every node and edge, keeping the buffers (and location tracking, if on).
    pub(crate) fn clear(&mut self) {
        self.values.clear();
        self.codes.clear();
        self.numbers.clear();
        self.blocks.clear();
        self.sources.clear();
        self.partials.clear();
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
        self.values[i]
    }

    /// The op code of node `i`.
    #[inline(always)]
    pub(crate) fn code(&self, i: usize) -> Code {
        self.codes[i]
    }

    /// The op of node `i`.
    ///
    /// # Complexity
    /// **O([`BLOCK`])** for an op with a number (counted within its block), **O(1)**
    /// otherwise.
    pub(crate) fn op(&self, i: usize) -> Op {
        let code = self.codes[i];
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
                let within = &self.codes[block * BLOCK..i];
                before as usize + within.iter().filter(|c| c.has_number()).count()
            }
            // no number recorded in this block or after it
            None => self.numbers.len(),
        }
    }

    /// Values of all nodes, by index.
    #[inline]
    pub(crate) fn values(&self) -> &[f64] {
        &self.values
    }

    /// Op codes of all nodes, by index.
    #[inline]
    pub(crate) fn codes(&self) -> &[Code] {
        &self.codes
    }

    /// Sources and partials of all edges, in recording order.
    #[inline]
    pub(crate) fn edges(&self) -> (&[u32], &[f64]) {
        (&self.sources, &self.partials)
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
        let codes = self.codes[first..].iter();
        codes.zip(first..).scan(edge, |end, (code, node)| {
            let start = *end;
            *end += code.arity();
            Some((node, start..*end))
        })
    }

    /// Appends a node computed by `op` with `value`, recorded at `at`, and returns its
    /// index; its edges are appended next, with [`Record::push_edge`].
    ///
    /// # Panics
    /// If the graph already holds `u32::MAX` nodes (the largest `NodeIndex`).
    #[inline(always)]
    pub(crate) fn push_node(&mut self, op: Op, value: f64, at: &'static Location<'static>) -> u32 {
        let index = self.values.len();
        let index = match u32::try_from(index) {
            Ok(i) if i < u32::MAX => i,
            _ => panic!("autodiff: a graph holds at most {} nodes", u32::MAX - 1),
        };
        let (code, number) = op.encode();
        self.values.push(value);
        self.codes.push(code);
        if let Some(number) = number {
            let block = index as usize / BLOCK;
            while self.blocks.len() <= block {
                // fewer than 2³² nodes, so fewer numbers
                self.blocks.push(self.numbers.len() as u32);
            }
            self.numbers.push(number);
        }
        if self.tracking {
            self.locations.push(at);
        }
        index
    }

    /// Appends an edge from `source` into the node appended last.
    #[inline(always)]
    pub(crate) fn push_edge(&mut self, source: u32, partial: f64) {
        self.sources.push(source);
        self.partials.push(partial);
    }

    /// Appends the two edges of the binary node appended last, in slot order: one
    /// capacity check per array instead of two.
    #[inline(always)]
    pub(crate) fn push_edges(&mut self, sources: [u32; 2], partials: [f64; 2]) {
        self.sources.extend_from_slice(&sources);
        self.partials.extend_from_slice(&partials);
    }

    /// Appends to `dag` the nodes and edges recorded since it was last brought up to date
    /// (`dag` holds a prefix of this record: its first nodes with all their edges).
    ///
    /// # Complexity
    /// **O(|V| + |E|)** over the nodes added, plus **O([`BLOCK`])** to find the first
    /// number.
    pub(crate) fn extend_dag(&self, dag: &mut Dag) {
        let (first, edge) = (dag.node_count(), dag.edge_count());
        let mut k = self.numbers_before(first);
        dag.reserve_nodes(self.len() - first);
        dag.reserve_edges(self.edge_count() - edge);
        for (i, edges) in self.edge_ranges(first, edge) {
            let code = self.codes[i];
            let op = if code.has_number() {
                k += 1;
                code.decode(self.numbers[k - 1])
            } else {
                code.decode(f64::NAN)
            };
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
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The op recorded as node `i` of [`record_mixed`]: every third op carries a number.
    fn op_at(i: usize) -> Op {
        match i % 3 {
            0 => Op::MulScalar(i as f64 + 0.5),
            1 => Op::Sin,
            _ => Op::PowI(-(i as i32)),
        }
    }

    /// A leaf, then `n − 1` unary nodes, each on the node before it, ops by [`op_at`].
    fn record_mixed(n: usize) -> Record {
        let mut record = Record::default();
        record.push_node(Op::Input, 1.0, Location::caller());
        for i in 1..n {
            record.push_node(op_at(i), i as f64, Location::caller());
            record.push_edge(i as u32 - 1, -(i as f64));
        }
        record
    }

    #[test]
    fn every_node_reads_back_its_op_and_number_across_block_boundaries() {
        let n = 3 * BLOCK + 7; // four blocks, the last one begun
        let record = record_mixed(n);
        assert_eq!((record.len(), record.edge_count()), (n, n - 1));
        assert_eq!(record.op(0), Op::Input);
        for i in 1..n {
            assert_eq!(record.op(i), op_at(i), "node {i}");
            assert_eq!(record.value(i), i as f64);
        }
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
            prefix.push_node(op_at(i), i as f64, Location::caller());
            prefix.push_edge(i as u32 - 1, -(i as f64));
        }
        prefix.extend_dag(&mut in_steps);

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
                // edge k runs from node k into node k + 1, with partial −(k + 1)
                let ends = (edge.source().index(), edge.target().index());
                assert_eq!(ends, (k, k + 1));
                assert_eq!(edge.weight.partial, -((k + 1) as f64));
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
            _ => Op::Exp,
        };
        let mut record = Record::default();
        let mut view = Dag::default();
        record.push_node(Op::Input, 0.5, Location::caller());
        for i in 1..far + 10 {
            record.push_node(op_at(i), 1.0, Location::caller());
            record.push_edge(i as u32 - 1, 2.0);
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
        record.push_node(Op::Input, 2.0, Location::caller());
        record.push_node(Op::AddScalar(3.0), 5.0, Location::caller());
        record.push_edge(0, 1.0);
        assert_eq!(record.op(1), Op::AddScalar(3.0)); // not a number of the old nodes
    }
}
