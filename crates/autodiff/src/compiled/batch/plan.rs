//! [`Plan::new`]: the lane program (see `program.rs`) of a tape, given how many of its
//! inputs are data columns.

use super::fuse;
use super::program::{Dest, LaneOp, LaneStep, Plan, RowOrScalar, NO_ROW as NONE};
use crate::compiled::shortcuts::{partial_sources, Partial};
use crate::compiled::tape::TapeOp;
use crate::Tape;

impl Plan {
    pub(super) fn new(tape: &Tape, columns: usize) -> Plan {
        let (first_op, ops) = (tape.first_op, tape.ops.len());
        let source = |slot: u32| {
            let s = slot as usize;
            if (1..=columns).contains(&s) {
                RowOrScalar::Row(to_u32(s - 1))
            } else if s >= first_op {
                RowOrScalar::Row(to_u32(columns + s - first_op))
            } else {
                RowOrScalar::Scalar(slot)
            }
        };

        // Slots whose adjoint leads to a parameter, and steps into each.
        let mut needed = vec![false; tape.slots()];
        for &(input, slot) in &tape.gradient_slots {
            needed[slot as usize] = input as usize >= columns;
        }
        for (k, &TapeOp { op, args: [a, b] }) in tape.ops.iter().enumerate() {
            needed[first_op + k] = needed[a as usize] || (op.arity() == 2 && needed[b as usize]);
        }
        let mut steps_into = vec![0usize; tape.slots()];
        let kept: Vec<_> = tape
            .sweep
            .iter()
            .filter(|s| needed[s.src as usize])
            .copied()
            .collect();
        for s in &kept {
            steps_into[s.src as usize] += 1;
        }

        // Adjoint rows, in slot order (so a step's target row comes before its op's).
        let output = tape.output as usize;
        let mut adjoint_row = vec![NONE; tape.slots()];
        let mut gradient_of = vec![NONE; tape.slots()];
        let mut adjoint_rows = 0;
        let mut row_gradients = Vec::new();
        for &(input, slot) in &tape.gradient_slots {
            let s = slot as usize;
            if input as usize >= columns {
                if steps_into[s] == 1 && s != output {
                    gradient_of[s] = to_u32(input as usize - columns);
                } else {
                    adjoint_row[s] = to_u32(adjoint_rows);
                    row_gradients.push((to_u32(input as usize - columns), to_u32(adjoint_rows)));
                    adjoint_rows += 1;
                }
            }
        }
        // An op whose adjoint is a single `1 · adj[dst]` (one operand of `+`, the first of
        // `−`, `x + c`) shares its op's row: the step would copy it. (It would copy it
        // exactly but for a zero's sign, and a zero adjoint is never passed on.)
        let mut alias = vec![false; tape.slots()];
        for s in &kept {
            let src = s.src as usize;
            let (k, position) = (s.partial as usize / 2, s.partial as usize % 2);
            let op = tape.ops[k].op;
            alias[src] = src >= first_op
                && steps_into[src] == 1
                && partial_sources(op)[position] == Partial::Constant
                && op.eval(1.0, 1.0).1[position] == 1.0;
        }
        for s in first_op..tape.slots() {
            if (needed[s] || s == output) && !alias[s] {
                adjoint_row[s] = to_u32(adjoint_rows);
                adjoint_rows += 1;
            }
        }
        if adjoint_row[output] == NONE {
            // the output is a data column or a constant leaf: it still has a row of ones
            adjoint_row[output] = to_u32(adjoint_rows);
            adjoint_rows += 1;
        }

        // Forward: computed partials get rows after the values.
        let mut value_rows = columns + ops;
        let mut forward = Vec::with_capacity(ops);
        for (k, &TapeOp { op, args: [a, b] }) in tape.ops.iter().enumerate() {
            let computed = partial_sources(op)[..op.arity()].contains(&Partial::Computed);
            let partial_rows = if computed && needed[first_op + k] {
                value_rows += op.arity();
                to_u32(value_rows - op.arity())
            } else {
                NONE
            };
            forward.push(LaneOp {
                op,
                a: source(a),
                b: source(b),
                value_row: to_u32(columns + k),
                partial_rows,
                product: None,
                chain: None,
            });
        }

        // Sweep: each step's factor read from where it is.
        let mut constants = Vec::new();
        let sweep: Vec<LaneStep> = kept
            .iter()
            .filter_map(|s| {
                if alias[s.src as usize] {
                    // in sweep order, the op's own row is known by now
                    adjoint_row[s.src as usize] = adjoint_row[s.dst as usize];
                    return None;
                }
                let k = s.partial as usize / 2;
                let position = s.partial as usize % 2;
                let f = forward[k];
                let source = partial_sources(f.op)[position];
                let factor = match source {
                    Partial::Constant => {
                        let (_, d) = f.op.eval(1.0, 1.0);
                        constants.push(d[position]);
                        RowOrScalar::Scalar(to_u32(first_op + constants.len() - 1))
                    }
                    Partial::Operand(0) => f.a,
                    Partial::Operand(_) => f.b,
                    Partial::Value => RowOrScalar::Row(f.value_row),
                    Partial::Computed => RowOrScalar::Row(f.partial_rows + to_u32(position)),
                };
                let src = s.src as usize;
                let dest = if gradient_of[src] != NONE {
                    Dest::Gradient(gradient_of[src])
                } else if s.first {
                    Dest::Write(adjoint_row[src])
                } else {
                    Dest::Add(adjoint_row[src])
                };
                Some(LaneStep {
                    adjoint_row: adjoint_row[s.dst as usize],
                    factor,
                    dest,
                    skip_zero_adjoint: source == Partial::Computed,
                    paired: None,
                })
            })
            .collect();

        let output_source = source(tape.output);
        let (ops, terms) = fuse::fuse_multiply_adds(tape, forward, &sweep, output_source);
        Plan {
            key: (tape.id, columns),
            ops,
            terms,
            sweep: fuse::pair_steps(sweep),
            value_rows,
            adjoint_rows,
            output: output_source,
            output_adjoint_row: adjoint_row[output],
            row_gradients,
            constants,
        }
    }
}

fn to_u32(i: usize) -> u32 {
    u32::try_from(i).expect("autodiff internal error: a tape's rows fit in u32 as its slots do")
}
