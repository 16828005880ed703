//! [`Plan::new`]: the lane program (see `program.rs`) of a tape, given how many of its
//! inputs are data columns, built in passes that each decide one thing. It runs once per
//! tape and column count: the plan is kept with the lane buffers.

use super::fuse;
use super::program::{Dest, LaneOp, LaneStep, Plan, RowOrScalar, NO_ROW};
use crate::compiled::shortcuts::{partial_sources, Partial};
use crate::compiled::tape::{SweepEdge, TapeOp};
use crate::Tape;

impl Plan {
    /// The lane program of `tape` whose first `columns` inputs are data columns.
    ///
    /// # Complexity
    /// **O(slots + edges)** time and space.
    pub(super) fn new(tape: &Tape, columns: usize) -> Plan {
        let slots = Slots {
            columns,
            first_op: tape.first_op,
        };
        let reaches = slots_reaching_a_parameter(tape, columns);
        let kept = steps_reaching_a_parameter(tape, &reaches);
        let steps_into = count_steps_into(tape.slots(), &kept);
        let shared = shares_a_row(tape, &kept, &steps_into);
        let mut adjoints = Adjoints::new(tape.slots());
        adjoints.place_parameters(tape, columns, &steps_into);
        adjoints.place_ops(tape, &reaches, &shared);
        adjoints.share_rows(&kept, &shared);
        let (ops, value_rows) = lane_ops(tape, slots, &reaches);
        let (sweep, constants) = lane_steps(tape, &kept, &ops, &shared, &adjoints);
        let output = slots.place(tape.output);
        let guards: Vec<_> = tape.guards.iter().map(|g| slots.place(g.slot)).collect();
        let (ops, terms) = fuse::fuse_multiply_adds(tape, ops, &sweep, output, &guards);
        let (sweep, gradient_terms) = fuse::run_gradient_steps(fuse::pair_steps(sweep));
        Plan {
            key: (tape.id, columns),
            ops,
            sweep,
            gradient_terms,
            value_rows,
            adjoint_rows: adjoints.rows,
            output,
            output_adjoint_row: adjoints.row[tape.output as usize],
            row_gradients: adjoints.row_gradients,
            constants,
            terms,
            guards,
        }
    }
}

/// Where the tape's slots are in the lanes: data columns and ops in value rows (one number
/// per sample), the scratch slot, parameters and frozen leaves as scalars (the same number
/// for every sample, so never copied into lanes).
#[derive(Clone, Copy)]
struct Slots {
    columns: usize,
    first_op: usize,
}

impl Slots {
    /// Where slot `slot`'s value is.
    fn place(self, slot: u32) -> RowOrScalar {
        let s = slot as usize;
        if (1..=self.columns).contains(&s) {
            RowOrScalar::Row(to_u32(s - 1))
        } else if s >= self.first_op {
            RowOrScalar::Row(to_u32(self.columns + s - self.first_op))
        } else {
            RowOrScalar::Scalar(slot)
        }
    }
}

/// Which slots' adjoints lead to a parameter: only those are computed, as the adjoints of
/// data columns are never reported.
fn slots_reaching_a_parameter(tape: &Tape, columns: usize) -> Vec<bool> {
    let mut reaches = vec![false; tape.slots()];
    for &(input, slot) in &tape.gradient_slots {
        reaches[slot as usize] = input as usize >= columns;
    }
    for (k, &TapeOp { op, args: [a, b] }) in tape.ops.iter().enumerate() {
        let binary = op.arity() == 2;
        reaches[tape.first_op + k] = reaches[a as usize] || (binary && reaches[b as usize]);
    }
    reaches
}

/// The tape's sweep steps into slots that reach a parameter, in sweep order: the others
/// would compute adjoints that nothing reads.
fn steps_reaching_a_parameter(tape: &Tape, reaches: &[bool]) -> Vec<SweepEdge> {
    let kept = tape.sweep.iter().filter(|s| reaches[s.src as usize]);
    kept.copied().collect()
}

/// How many kept steps go into each slot: a slot with one needs no row to sum them in.
fn count_steps_into(slots: usize, steps: &[SweepEdge]) -> Vec<usize> {
    let mut steps_into = vec![0; slots];
    for s in steps {
        steps_into[s.src as usize] += 1;
    }
    steps_into
}

/// Which ops share the adjoint row of the op that reads them, because their adjoint is a
/// single `1 · adj` of it (one operand of `+`, the first of `−`, `x + c`): the step would
/// only copy the row (exactly but for a zero's sign, and a zero adjoint is never passed on).
fn shares_a_row(tape: &Tape, steps: &[SweepEdge], steps_into: &[usize]) -> Vec<bool> {
    let mut shared = vec![false; tape.slots()];
    for s in steps {
        let src = s.src as usize;
        let (k, position) = (s.partial as usize / 2, s.partial as usize % 2);
        let op = tape.ops[k].op;
        shared[src] = src >= tape.first_op
            && steps_into[src] == 1
            && partial_sources(op)[position] == Partial::Constant
            && op.eval(1.0, 1.0).1[position] == 1.0;
    }
    shared
}

/// Where each slot's adjoint goes: a row of its own, a row it shares, or (a parameter
/// reached by one step) straight into the parameter's gradient.
struct Adjoints {
    /// Per slot: its adjoint row, or [`NO_ROW`].
    row: Vec<u32>,
    /// Per slot: the parameter whose gradient its single step is summed into.
    gradient: Vec<Option<u32>>,
    /// Rows given out so far.
    rows: usize,
    /// `(parameter, row)` of the parameters that have a row.
    row_gradients: Vec<(u32, u32)>,
}

impl Adjoints {
    fn new(slots: usize) -> Self {
        Adjoints {
            row: vec![NO_ROW; slots],
            gradient: vec![None; slots],
            rows: 0,
            row_gradients: Vec::new(),
        }
    }

    /// The next row, for slot `s`.
    fn give_row(&mut self, s: usize) -> u32 {
        self.row[s] = to_u32(self.rows);
        self.rows += 1;
        self.row[s]
    }

    /// Parameters first: one reached by a single step (and not the output) takes that
    /// step's lane sum as its gradient, with no row to write and then sum; the others get
    /// the lowest rows, below every op's (a step writes only to rows below its own).
    fn place_parameters(&mut self, tape: &Tape, columns: usize, steps_into: &[usize]) {
        for &(input, slot) in &tape.gradient_slots {
            let (s, input) = (slot as usize, input as usize);
            if input < columns {
                continue;
            }
            let parameter = to_u32(input - columns);
            if steps_into[s] == 1 && s != tape.output as usize {
                self.gradient[s] = Some(parameter);
            } else {
                let row = self.give_row(s);
                self.row_gradients.push((parameter, row));
            }
        }
    }

    /// Rows for the ops that reach a parameter (except those that share one) and for the
    /// output, in slot order: a step's destination row is then below its op's row.
    fn place_ops(&mut self, tape: &Tape, reaches: &[bool], shared: &[bool]) {
        let output = tape.output as usize;
        for s in tape.first_op..tape.slots() {
            if (reaches[s] || s == output) && !shared[s] {
                self.give_row(s);
            }
        }
        if self.row[output] == NO_ROW {
            // the output is a data column or a constant leaf: it still has a row of ones
            self.give_row(output);
        }
    }

    /// Each op that shares takes the row of the op that reads it, in sweep order, so that
    /// this row is known by then (that op may share its reader's row too).
    fn share_rows(&mut self, steps: &[SweepEdge], shared: &[bool]) {
        for s in steps.iter().filter(|s| shared[s.src as usize]) {
            self.row[s.src as usize] = self.row[s.dst as usize];
        }
    }

    /// Where step `s`'s contribution goes: its parameter's gradient, or its operand's row
    /// (written by the first step into it, then added to).
    fn dest(&self, s: &SweepEdge) -> Dest {
        let src = s.src as usize;
        match self.gradient[src] {
            Some(parameter) => Dest::Gradient(parameter),
            None if s.first => Dest::Write(self.row[src]),
            None => Dest::Add(self.row[src]),
        }
    }
}

/// The forward pass: each op's value row, and rows for its computed partials (after all
/// value rows) only if it reaches a parameter, since only then does a step read them.
fn lane_ops(tape: &Tape, slots: Slots, reaches: &[bool]) -> (Vec<LaneOp>, usize) {
    let mut value_rows = slots.columns + tape.ops.len();
    let mut ops = Vec::with_capacity(tape.ops.len());
    for (k, &TapeOp { op, args: [a, b] }) in tape.ops.iter().enumerate() {
        let computed = partial_sources(op)[..op.arity()].contains(&Partial::Computed);
        let partial_rows = if computed && reaches[tape.first_op + k] {
            value_rows += op.arity();
            to_u32(value_rows - op.arity())
        } else {
            NO_ROW
        };
        ops.push(LaneOp {
            op,
            a: slots.place(a),
            b: slots.place(b),
            value_row: to_u32(slots.columns + k),
            partial_rows,
            product: None,
            chain: None,
        });
    }
    (ops, value_rows)
}

/// The reverse pass: each kept step but those into a shared row, with its factor and
/// where `adj · factor` goes; and the constant factors, the scalars they refer to.
fn lane_steps(
    tape: &Tape,
    steps: &[SweepEdge],
    ops: &[LaneOp],
    shared: &[bool],
    adjoints: &Adjoints,
) -> (Vec<LaneStep>, Vec<f64>) {
    let mut constants = Vec::new();
    let sweep = steps
        .iter()
        .filter(|s| !shared[s.src as usize])
        .map(|s| {
            let (op, position) = (&ops[s.partial as usize / 2], s.partial as usize % 2);
            let source = partial_sources(op.op)[position];
            LaneStep {
                adjoint_row: adjoints.row[s.dst as usize],
                factor: factor(op, position, source, tape.first_op, &mut constants),
                dest: adjoints.dest(s),
                skip_zero_adjoint: source == Partial::Computed,
                paired: None,
                run: None,
            }
        })
        .collect();
    (sweep, constants)
}

/// Where partial `position` of `op` is read from: where it already is (a constant, pushed
/// to `constants` after the tape's `first_scalar` leading scalars; an operand; the op's
/// value), so that only a computed partial is stored.
fn factor(
    op: &LaneOp,
    position: usize,
    source: Partial,
    first_scalar: usize,
    constants: &mut Vec<f64>,
) -> RowOrScalar {
    match source {
        Partial::Constant => {
            let (_, d) = op.op.eval(1.0, 1.0);
            constants.push(d[position]);
            RowOrScalar::Scalar(to_u32(first_scalar + constants.len() - 1))
        }
        Partial::Operand(0) => op.a,
        Partial::Operand(_) => op.b,
        Partial::Value => RowOrScalar::Row(op.value_row),
        Partial::Computed => RowOrScalar::Row(op.partial_rows + to_u32(position)),
    }
}

fn to_u32(i: usize) -> u32 {
    u32::try_from(i).expect("autodiff internal error: a tape's rows fit in u32 as its slots do")
}
