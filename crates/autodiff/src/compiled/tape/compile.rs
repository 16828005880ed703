//! [`Tape::compile`]: prune a graph to an output's ancestors and flatten it.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};

use super::{SweepEdge, SweepOp, SweepTo, TapeGuard, TapeOp, SCRATCH};
use crate::record::Record;
use crate::{Error, Op, Result, Tape, Var};

/// Source of tape ids (0 is "no tape", see `Workspace`).
static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// Marks a node that has no slot on the tape.
const NONE: u32 = u32::MAX;

impl Tape {
    /// Compiles the graph of `output` into a tape taking `inputs`, in this order.
    ///
    /// The tape keeps the output's ancestors only (found by one walk down the record, which
    /// is in topological order), flattened to arrays in recording order. Leaves among
    /// them that are not `inputs` keep the value they have now. Inputs the output does
    /// not depend on are allowed: their gradient is 0. A constant leaf may be an input
    /// (its value then varies per replay) but, as with
    /// [`Gradients::wrt`](crate::Gradients::wrt), its gradient is reported as 0.
    ///
    /// The guards recorded before the output ([`Graph::guard`](crate::Graph::guard)) are
    /// kept with the ops their conditions need, and checked at every replay.
    ///
    /// # Errors
    /// - [`Error::ForeignVar`] if an input belongs to another graph than `output`;
    /// - [`Error::NotALeaf`] if an input is not a leaf ([`Graph::var`](crate::Graph::var)
    ///   or [`Graph::constant`](crate::Graph::constant));
    /// - [`Error::DuplicateInput`] if a leaf is listed twice.
    ///
    /// # Complexity
    /// **O(|V| + |E|)** time and space over the nodes up to the output.
    ///
    /// # Examples
    /// ```
    /// use autodiff::{Graph, Tape};
    ///
    /// let g = Graph::new();
    /// let x = g.var(1.0);
    /// let unused = g.var(5.0);
    /// let noise = (x * 100.0).exp(); // recorded, but y does not depend on it
    /// let y = x * x + 1.0;
    /// let tape = Tape::compile(y, &[x, unused])?;
    /// assert_eq!(tape.len(), 4); // x, unused, x·x, +1 — noise is pruned
    /// let mut ws = tape.workspace();
    /// assert_eq!(tape.gradient(&mut ws, &[3.0, 0.0])?, (10.0, &[6.0, 0.0][..]));
    /// assert!(Tape::compile(y, &[noise]).is_err()); // not a leaf
    /// # Ok::<(), autodiff::Error>(())
    /// ```
    pub fn compile(output: Var<'_>, inputs: &[Var<'_>]) -> Result<Tape> {
        for &input in inputs {
            output.same_graph(input)?;
        }
        let state = output.graph.state();
        let record = &state.record;
        let out = output.index();

        let mut position = HashMap::with_capacity(inputs.len());
        for (i, input) in inputs.iter().enumerate() {
            let op = record.op(input.index());
            if !op.is_leaf() {
                return Err(Error::NotALeaf {
                    index: input.index(),
                    op,
                });
            }
            if let Some(first) = position.insert(input.index(), i) {
                return Err(Error::DuplicateInput {
                    index: input.index(),
                    positions: [first, i],
                });
            }
        }

        // Ancestors of the output (whose edges the sweep takes), then of the guards'
        // conditions too (computed on the tape, so that replay can check them).
        let (sources, _) = record.edges_up_to(out);
        let guards: Vec<_> = state.guards.iter().filter(|g| g.before <= out).collect();
        let needed = ancestors(record, sources, out, &[out]);
        let kept = if guards.is_empty() {
            needed.clone()
        } else {
            let roots: Vec<usize> = guards.iter().map(|g| g.node).chain([out]).collect();
            ancestors(record, sources, out, &roots)
        };

        // Slots: scratch, inputs, frozen leaves, ops.
        let values = record.values();
        let mut slot = vec![NONE; out + 1];
        let mut init = vec![0.0; 1 + inputs.len()];
        for (i, input) in inputs.iter().enumerate() {
            init[1 + i] = values[input.index()];
            if input.index() <= out {
                slot[input.index()] = to_slot(1 + i);
            }
        }
        // the kept ops, with their operands' nodes (in slot order)
        let mut op_nodes: Vec<(usize, Op, _)> = Vec::new();
        for (i, op, edges) in record.ops_from(0, 0).take(out + 1) {
            if !kept[i] {
                continue;
            }
            if !op.is_leaf() {
                op_nodes.push((i, op, edges));
            } else if slot[i] == NONE {
                slot[i] = to_slot(init.len());
                init.push(values[i]);
            }
        }
        let first_op = init.len();
        for (k, &(i, _, _)) in op_nodes.iter().enumerate() {
            slot[i] = to_slot(first_op + k);
            init.push(values[i]);
        }

        // Which slots lead to a differentiable input (their adjoints matter).
        let mut differentiable = vec![false; init.len()];
        for (i, input) in inputs.iter().enumerate() {
            differentiable[1 + i] = record.op(input.index()) == Op::Input;
        }

        let mut ops = Vec::with_capacity(op_nodes.len());
        let mut edges = Vec::new();
        for (k, (node, op, operand_edges)) in op_nodes.into_iter().enumerate() {
            let mut operands = [SCRATCH; 2];
            for (operand, e) in operands.iter_mut().zip(operand_edges) {
                *operand = slot[sources[e] as usize];
            }
            let dst = to_slot(first_op + k);
            for (position, &src) in operands.iter().enumerate().take(op.arity()) {
                debug_assert_ne!(src, NONE, "autodiff internal error: operand not kept");
                if differentiable[src as usize] && needed[node] {
                    differentiable[dst as usize] = true;
                    // partial index 2k + position, see `Tape::sweep`
                    edges.push(SweepEdge {
                        dst,
                        src,
                        partial: to_slot(2 * k + position),
                        first: false,
                        write: false,
                    });
                }
            }
            ops.push(TapeOp { op, args: operands });
        }
        // The graph's reverse sweep visits edges from the last recorded: ops from the last,
        // and within an op operand 1 before operand 0.
        edges.reverse();
        // Within one op, edges into two different operands may go in either order (each
        // operand's sum still receives its terms in the same order); put the higher
        // operand slot last, as it is usually the op swept next (see `Tape::replay_sweep`).
        // Edges into the same operand (`a · a`) keep the graph's order.
        for i in 1..edges.len() {
            let (first, second) = (edges[i - 1], edges[i]);
            if first.dst == second.dst && first.src > second.src {
                edges.swap(i - 1, i);
            }
        }
        let mut touched = vec![false; init.len()];
        touched[slot[out] as usize] = true;
        for step in &mut edges {
            step.first = !touched[step.src as usize];
            step.write = step.first && step.src as usize >= first_op;
            touched[step.src as usize] = true;
        }
        let gradient_slots = (0..inputs.len())
            .filter(|&i| differentiable[1 + i] && touched[1 + i])
            .map(|i| (to_slot(i), to_slot(1 + i)))
            .collect();

        let gradient_in_place = !(1..=inputs.len()).contains(&(slot[out] as usize))
            || differentiable[slot[out] as usize];
        let tape = Tape {
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            inputs: inputs.len(),
            first_op,
            ops,
            sweep_ops: by_op(&edges),
            sweep: edges,
            gradient_slots,
            gradient_in_place,
            plain: gradient_in_place && guards.is_empty(),
            init,
            output: slot[out],
            guards: guards
                .iter()
                .map(|g| TapeGuard {
                    slot: slot[g.node],
                    node: g.node,
                    held: g.held,
                })
                .collect(),
        };
        tape.check_slots();
        Ok(tape)
    }

    /// Panics unless every slot and partial index the tape holds is in bounds: replay reads
    /// them without bounds checks (see `at` in `tape.rs`), so this check is what makes that
    /// sound.
    fn check_slots(&self) {
        let (slots, partials) = (self.slots(), 2 * self.ops.len());
        let slot_ok = |s: u32| (s as usize) < slots;
        let ops_ok = self
            .ops
            .iter()
            .all(|op| op.args.iter().all(|&s| slot_ok(s)));
        let sweep_ok = self
            .sweep
            .iter()
            .all(|e| slot_ok(e.dst) && slot_ok(e.src) && (e.partial as usize) < partials);
        let grouped_ok = self.sweep_ops.iter().all(|op| {
            slot_ok(op.dst)
                && op
                    .edges
                    .iter()
                    .all(|e| slot_ok(e.src) && slot_ok(e.sum) && (e.partial as usize) < partials)
        });
        assert!(
            ops_ok && sweep_ok && grouped_ok && slot_ok(self.output) && self.inputs < slots,
            "autodiff internal error: a tape slot out of bounds"
        );
    }
}

/// The sweep's edges grouped by op (consecutive edges with the same `dst`, one or two).
fn by_op(edges: &[SweepEdge]) -> Vec<SweepOp> {
    // an edge that is first into its operand without writing it goes into an input
    let to = |e: &SweepEdge| SweepTo {
        src: e.src,
        sum: if e.first && !e.write { SCRATCH } else { e.src },
        partial: e.partial,
        write: e.write,
    };
    edges
        .chunk_by(|a, b| a.dst == b.dst)
        .map(|group| match group {
            [one] => SweepOp {
                dst: one.dst,
                both: false,
                edges: [to(one), to(one)],
            },
            [first, second] => SweepOp {
                dst: first.dst,
                both: true,
                edges: [to(first), to(second)],
            },
            _ => unreachable!("autodiff internal error: an op with more than two edges"),
        })
        .collect()
}

/// Which nodes up to `out` the `roots` depend on (themselves included): one walk down the
/// record (a topological order), marking the operands of every node already marked.
fn ancestors(record: &Record, sources: &[u32], out: usize, roots: &[usize]) -> Vec<bool> {
    let mut kept = vec![false; out + 1];
    for &root in roots {
        kept[root] = true;
    }
    let mut end = sources.len();
    for node in (0..=out).rev() {
        let start = end - record.arity(node);
        if kept[node] {
            for &src in &sources[start..end] {
                kept[src as usize] = true;
            }
        }
        end = start;
    }
    kept
}

/// A slot number as stored on the tape. petgraph's default indices are `u32`, so a graph
/// never has more nodes than fit.
fn to_slot(i: usize) -> u32 {
    u32::try_from(i).expect("autodiff internal error: more tape slots than graph nodes fit in u32")
}

#[cfg(test)]
mod tests {
    use crate::{Graph, Tape};

    fn tape() -> Tape {
        let g = Graph::new();
        let (x, w) = (g.constant(0.5), g.var(2.0));
        let y = (w * x).sigmoid() * w;
        Tape::compile(y, &[x, w]).unwrap()
    }

    #[test]
    fn every_slot_of_a_compiled_tape_is_in_bounds() {
        tape().check_slots(); // compile ran it too; here it must pass again
    }

    /// Replay reads slots without bounds checks; the check at compile time is what keeps
    /// that sound, so it must catch any slot past the end.
    #[test]
    #[should_panic(expected = "a tape slot out of bounds")]
    fn a_sweep_slot_past_the_end_is_caught() {
        let mut tape = tape();
        tape.sweep_ops[0].edges[1].src = tape.slots() as u32;
        tape.check_slots();
    }

    #[test]
    #[should_panic(expected = "a tape slot out of bounds")]
    fn a_partial_index_past_the_end_is_caught() {
        let mut tape = tape();
        tape.sweep_ops[0].edges[0].partial = 2 * tape.ops.len() as u32;
        tape.check_slots();
    }

    #[test]
    #[should_panic(expected = "a tape slot out of bounds")]
    fn an_operand_slot_past_the_end_is_caught() {
        let mut tape = tape();
        tape.ops[0].args[0] = tape.slots() as u32;
        tape.check_slots();
    }
}
