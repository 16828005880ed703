//! The reverse sweep as it happens, as data: the forward table, then for each node in sweep
//! order its adjoint and what it passes on to its operands, then the final gradients.
//!
//! [`Var::trace`] runs the teaching sweep of `backward.rs` (node by node from the root down,
//! each node's edges from the last recorded, one [`pass_on`] per edge) and writes down every
//! step, so its adjoints are the bits [`Var::backward`] gives.

use crate::backward::pass_on;
use crate::{Op, Var};

use super::paths::{node_name, written};

/// One node of the forward table.
#[derive(Clone, Debug, PartialEq)]
pub struct TraceNode {
    /// The node's index in the record.
    pub index: usize,
    /// Its name (for an unnamed op, its expression; for an unnamed leaf, its value).
    pub name: String,
    /// How it is computed, in its operands' names (`w0·s0`); `input` or `constant` for a
    /// leaf.
    pub expression: String,
    /// Its op.
    pub op: Op,
    /// Its operands in slot order: each one's index and the edge's local partial.
    pub operands: Vec<(usize, f64)>,
    /// Its value.
    pub value: f64,
}

/// What one edge `source → target` passes on during the sweep.
#[derive(Clone, Debug, PartialEq)]
pub struct Contribution {
    /// The operand's index.
    pub source: usize,
    /// The index of the node being swept, computed from `source`.
    pub target: usize,
    /// The operand's position in the target's op (0 or 1).
    pub slot: u8,
    /// `∂target/∂source` at the recorded values.
    pub partial: f64,
    /// The partial as a formula in the nodes' names (see [`Op::partial_symbol`]).
    pub symbol: String,
    /// `adjoint(target) · partial`: what is added to the source's adjoint.
    pub amount: f64,
    /// The source's adjoint after the addition.
    pub sum: f64,
}

/// One node's turn in the sweep: its adjoint, complete by now, and what it passes on.
#[derive(Clone, Debug, PartialEq)]
pub struct SweepStep {
    /// The node's index.
    pub node: usize,
    /// `∂root/∂node` (the lecture's "delta").
    pub adjoint: f64,
    /// One entry per operand edge, in the sweep's order (slot 1 before slot 0); empty for a
    /// leaf, and for a node whose adjoint is 0 (it passes nothing on).
    pub passes: Vec<Contribution>,
}

/// What [`Var::trace`] returns.
#[derive(Clone, Debug, PartialEq)]
pub struct Trace {
    /// The root's index.
    pub root: usize,
    /// The forward table: every node up to the root, in recording order.
    pub nodes: Vec<TraceNode>,
    /// The sweep: one step per node, from the root down to node 0.
    pub steps: Vec<SweepStep>,
    /// The final adjoints by node index (`0..=root`), bit for bit those of
    /// [`Gradients::adjoints`](crate::Gradients::adjoints).
    pub adjoints: Vec<f64>,
}

impl Trace {
    /// `∂root/∂var` as [`Gradients::wrt`](crate::Gradients::wrt) gives it: 0 for a constant
    /// and for a node recorded after the root.
    pub fn wrt(&self, var: Var<'_>) -> f64 {
        if var.is_constant() {
            return 0.0;
        }
        self.adjoints.get(var.index()).copied().unwrap_or(0.0)
    }
}

impl Var<'_> {
    /// The reverse sweep from this node, written down step by step: the forward table, each
    /// node's adjoint in sweep order with what it passes on through each edge, and the
    /// final adjoints (equal to [`Var::backward`]'s bit for bit).
    ///
    /// # Complexity
    /// **O(|V| + |E|)** over the nodes up to the root, plus the names: a trace is meant for
    /// graphs small enough to read. Iterative.
    ///
    /// # Examples
    /// ```
    /// let g = autodiff::Graph::new();
    /// let a = g.var_named("a", 3.0);
    /// let b = (a + a).named("b");
    /// let c = (b * b).named("c");
    /// let trace = c.trace();
    /// assert_eq!(trace.nodes[2].expression, "b·b");
    /// let first = &trace.steps[0]; // c, seeded with 1, passes b·1 twice (slot 1 first)
    /// assert_eq!((first.adjoint, first.passes[0].amount, first.passes[1].sum), (1.0, 6.0, 12.0));
    /// assert_eq!(trace.wrt(a), c.backward().wrt(a)); // 24 = 8a
    /// ```
    pub fn trace(self) -> Trace {
        let root = self.index();
        let graph = self.graph;
        let nodes = graph.state().record.operands_up_to(root);
        let name = |i: usize| node_name(graph, &nodes, i);
        let names: Vec<String> = (0..=root).map(name).collect();
        let table = nodes
            .iter()
            .enumerate()
            .map(|(index, (op, operands))| {
                let operand = |slot: usize| operands.get(slot).map_or("", |&(j, _)| &names[j]);
                let expression = match op {
                    Op::Input => "input".to_string(),
                    Op::Const => "constant".to_string(),
                    op => written(*op, operand(0), operand(1)),
                };
                TraceNode {
                    index,
                    name: names[index].clone(),
                    expression,
                    op: *op,
                    operands: operands.clone(),
                    value: graph.value(petgraph::graph::NodeIndex::new(index)),
                }
            })
            .collect();

        // the loop of `backward::sweep`, writing each step down
        let mut adjoints = vec![0.0; root + 1];
        adjoints[root] = 1.0;
        let mut steps = Vec::with_capacity(root + 1);
        for node in (0..=root).rev() {
            let adjoint = adjoints[node];
            let (op, operands) = &nodes[node];
            let mut passes = Vec::new();
            if adjoint != 0.0 {
                let operand_names =
                    [0, 1].map(|s| operands.get(s).map_or("", |&(j, _)| names[j].as_str()));
                for (slot, &(src, partial)) in operands.iter().enumerate().rev() {
                    adjoints[src] = pass_on(adjoints[src], adjoint, partial);
                    passes.push(Contribution {
                        source: src,
                        target: node,
                        slot: slot as u8,
                        partial,
                        symbol: op.partial_symbol(slot, operand_names, &names[node]),
                        amount: adjoint * partial,
                        sum: adjoints[src],
                    });
                }
            }
            steps.push(SweepStep {
                node,
                adjoint,
                passes,
            });
        }
        Trace {
            root,
            nodes: table,
            steps,
            adjoints,
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::Graph;

    fn bits(v: &[f64]) -> Vec<u64> {
        v.iter().map(|x| x.to_bits()).collect()
    }

    #[test]
    fn a_fan_out_passes_twice_and_sums() {
        // b = a + a; c = b · b: dc/db = 2b through two edges of b, then twice into a
        let g = Graph::new();
        let a = g.var_named("a", 3.0);
        let b = (a + a).named("b");
        let c = (b * b).named("c");
        let trace = c.trace();
        assert_eq!(trace.steps.len(), 3);
        let [sc, sb, sa] = [&trace.steps[0], &trace.steps[1], &trace.steps[2]];
        assert_eq!((sc.node, sb.node, sa.node), (2, 1, 0));
        assert_eq!(sc.passes.iter().map(|p| p.slot).collect::<Vec<_>>(), [1, 0]);
        assert_eq!(
            sc.passes.iter().map(|p| p.sum).collect::<Vec<_>>(),
            [6.0, 12.0]
        );
        assert_eq!(sb.adjoint, 12.0);
        assert_eq!(
            sb.passes.iter().map(|p| p.sum).collect::<Vec<_>>(),
            [12.0, 24.0]
        );
        assert_eq!(sa.adjoint, 24.0);
        assert!(sa.passes.is_empty());
        assert_eq!(bits(&trace.adjoints), bits(c.backward().adjoints()));
    }

    #[test]
    fn a_zero_adjoint_passes_nothing_on() {
        // dead reaches the root through a partial of 0: its adjoint is 0, it passes nothing
        let g = Graph::new();
        let x = g.var(-1.0);
        let dead = x.relu() * 5.0;
        let root = x.exp() + dead * 0.0;
        let trace = root.trace();
        let step = |i: usize| trace.steps.iter().find(|s| s.node == i).unwrap();
        assert_eq!(step(dead.index()).adjoint, 0.0);
        assert!(step(dead.index()).passes.is_empty());
        assert_eq!(bits(&trace.adjoints), bits(root.backward().adjoints()));
    }

    #[test]
    fn nan_and_a_deep_chain_give_the_bits_of_backward() {
        let g = Graph::new();
        let (x, y) = (g.var(0.5), g.var(f64::NAN));
        let mut z = x * y + x.sin();
        for _ in 0..20_000 {
            z = (z * 0.999_999).tanh() + x;
        }
        let trace = z.trace();
        assert_eq!(trace.steps.len(), z.index() + 1);
        assert_eq!(bits(&trace.adjoints), bits(z.backward().adjoints()));
        assert!(trace.wrt(y).is_nan());
    }

    #[test]
    fn a_leaf_root_is_one_step_with_adjoint_one() {
        let g = Graph::new();
        let x = g.var(2.0);
        let trace = x.trace();
        assert_eq!(trace.steps.len(), 1);
        assert_eq!(trace.adjoints, [1.0]);
        assert_eq!(trace.nodes[0].expression, "input");
    }
}
