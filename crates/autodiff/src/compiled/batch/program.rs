//! The lane program: the intermediate form between a [`Tape`](crate::Tape) and the loops
//! that run it over a chunk of samples. [`Plan::new`] builds it (in `plan.rs`, then
//! `fuse.rs`); `Lanes::run` (in `lanes.rs`) runs it; nothing else reads it.
//!
//! # Where the numbers are
//!
//! A chunk holds `n` samples; lane `i` is sample `i`. Every number the program reads or
//! writes is in one of three places, named by a [`RowOrScalar`] or a bare row index:
//!
//! - **value rows** (one number per lane): the data columns (`0..columns`), then each op's
//!   value (`columns + k` for op `k`), then the partials that are stored;
//! - **adjoint rows** (one number per lane): `∂output/∂slot` of the slots that need one;
//! - **scalars** (one number for all lanes): the tape's leading slots (the scratch slot,
//!   the inputs, frozen leaves; the parameters are the inputs after the data columns),
//!   then [`Plan::constants`].
//!
//! # What runs
//!
//! 1. [`Plan::ops`] in order (the forward pass): each [`LaneOp`] writes its value row.
//! 2. Row [`Plan::output_adjoint_row`] is set to 1, then [`Plan::sweep`] in order (the
//!    reverse pass): each [`LaneStep`] sends `adj · factor` to its [`Dest`].
//! 3. Each parameter in [`Plan::row_gradients`] gets its row's lane sum as its gradient.
//!
//! # Invariants
//!
//! - A [`LaneOp`] reads only rows below its own value row, and its partial rows are above
//!   every value row; so the forward pass runs in list order.
//! - A [`LaneStep`]'s destination row is below its own adjoint row (parameters' rows come
//!   first, then ops' rows in slot order), and every step into a row comes before any step
//!   out of it; the first step into a row is [`Dest::Write`], later ones [`Dest::Add`].
//!   So every row is written before it is read in each chunk, and stale numbers from the
//!   last chunk do no harm.
//! - The shortcuts below assume finite values. A chunk with a value that is not finite is
//!   replayed row by row instead (`Lanes::replay_rows_one_by_one`), so that NaN partials
//!   reach the gradient as with [`Tape::gradient`](crate::Tape::gradient); and a partial
//!   read from a value is then finite, so its step need not skip zero adjoints (`0 · ∞`
//!   cannot occur).
//!
//! # Speed tricks encoded here (each tested against row replay in `tests.rs`)
//!
//! - Parameters, frozen leaves and constants are scalars: one number, never copied into
//!   lanes (every lane has the same one).
//! - A partial that is a constant, an operand or the op's own value is not stored: the
//!   step's factor reads it where it already is (one row fewer to write per op).
//! - Only sweep steps that reach a parameter are kept: data columns' adjoints are never
//!   reported.
//! - A parameter reached by one step gets [`Dest::Gradient`]: its lanes are summed
//!   straight into the gradient (no row to write and then sum).
//! - An op whose only adjoint contribution is `1 · adj` of another op shares that op's
//!   adjoint row: the step would only copy it.
//! - A product read only by the next op, a sum, is computed in the sum's loop
//!   ([`LaneOp::product`]), and a run of such sums in one row ([`LaneOp::chain`]): the
//!   products are never stored, and the running sum stays in L1 cache.
//! - A step into a gradient and the next step from the same adjoint row run in one loop
//!   ([`LaneStep::paired`]): the adjoint row is read once, while in L1 cache.

use crate::Op;

/// No row: [`LaneOp::partial_rows`] of an op whose partials are not stored.
pub(super) const NO_ROW: u32 = u32::MAX;

/// Where a number per lane is: a row of lanes, or one scalar for every lane.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum RowOrScalar {
    /// Row of the value buffer.
    Row(u32),
    /// Index into the scalars (parameters, frozen leaves, constants).
    Scalar(u32),
}

/// One op of the forward pass: `value_row = op(a, b)` lane by lane.
#[derive(Clone, Copy, Debug)]
pub(super) struct LaneOp {
    /// The op (its constant, if any, included).
    pub(super) op: Op,
    /// Operand 0.
    pub(super) a: RowOrScalar,
    /// Operand 1 (unread for a unary op).
    pub(super) b: RowOrScalar,
    /// The op's value row.
    pub(super) value_row: u32,
    /// First of the rows its computed partials go to (one per operand), or [`NO_ROW`]
    /// when no step reads them.
    pub(super) partial_rows: u32,
    /// For an `a + x·y` whose product nothing else reads: `(x, y)`, multiplied in the same
    /// loop (then `op` is [`Op::Add`] and `b` is unread).
    pub(super) product: Option<(RowOrScalar, RowOrScalar)>,
    /// For a chain of such sums, each read only by the next: `(first, count)` of its
    /// products in [`Plan::terms`], added to `a` in order (then `product` is `None`).
    pub(super) chain: Option<(u32, u32)>,
}

/// Where a sweep step's contribution `adj · factor` goes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Dest {
    /// The first contribution to an adjoint row: written.
    Write(u32),
    /// A later contribution: added.
    Add(u32),
    /// The only contribution to a parameter (its index): summed over the lanes into its
    /// gradient.
    Gradient(u32),
}

/// One edge of the reverse sweep: `dest ← adj · factor`, where `adj` is the op's adjoint.
#[derive(Clone, Copy, Debug)]
pub(super) struct LaneStep {
    /// Adjoint row of the op.
    pub(super) adjoint_row: u32,
    /// The local partial.
    pub(super) factor: RowOrScalar,
    /// Where `adj · factor` goes.
    pub(super) dest: Dest,
    /// Whether the factor is a computed partial, which may be infinite or NaN where the
    /// values are finite: then lanes whose adjoint is 0 must be skipped, as the graph's
    /// sweep skips them (`0 · ∞` would be NaN).
    pub(super) skip_zero_adjoint: bool,
    /// The op's other step, run in the same loop. Only after a [`Dest::Gradient`] step
    /// that does not skip zero adjoints, itself not skipping them (see `fuse`).
    pub(super) paired: Option<PairedStep>,
    /// For a run of steps from this adjoint row, each into a parameter's gradient with a
    /// row as its factor and none skipping zero adjoints (a neuron's weights): `(first,
    /// count)` of their `(parameter, row)` pairs in [`Plan::gradient_terms`], run one after
    /// the other in one call (then `dest` and `factor` are unread).
    pub(super) run: Option<(u32, u32)>,
}

/// A second step from the same adjoint row, into an adjoint row (see [`LaneStep::paired`]).
#[derive(Clone, Copy, Debug)]
pub(super) struct PairedStep {
    /// The local partial.
    pub(super) factor: RowOrScalar,
    /// The adjoint row it goes to.
    pub(super) row: u32,
    /// Whether it is the first contribution to that row (written), else a later one (added).
    pub(super) write: bool,
}

/// A tape laid out for lanes, given how many of its inputs are data columns: the lane
/// program (see the module docs).
#[derive(Debug)]
pub(super) struct Plan {
    /// The tape's id and the column count this plan is for.
    pub(super) key: (u64, usize),
    /// The forward pass, in order.
    pub(super) ops: Vec<LaneOp>,
    /// The reverse pass, in order.
    pub(super) sweep: Vec<LaneStep>,
    /// Number of value rows: columns, ops, then stored partials.
    pub(super) value_rows: usize,
    /// Number of adjoint rows.
    pub(super) adjoint_rows: usize,
    /// The output's value.
    pub(super) output: RowOrScalar,
    /// The output's adjoint row (set to 1).
    pub(super) output_adjoint_row: u32,
    /// `(parameter, adjoint row)`: parameters whose gradient is their row's lane sum.
    pub(super) row_gradients: Vec<(u32, u32)>,
    /// Scalars after the tape's leading slots: the constant partials.
    pub(super) constants: Vec<f64>,
    /// The products of the chains of sums: `(scalar, row)`.
    pub(super) terms: Vec<(u32, u32)>,
    /// The conditions of the tape's guards, in its order (never folded away).
    pub(super) guards: Vec<RowOrScalar>,
    /// The steps of the runs of gradient steps: `(parameter, factor row)`.
    pub(super) gradient_terms: Vec<(u32, u32)>,
}

impl Plan {
    /// Rows of lanes the program reads or writes in a chunk: the data columns, each op's
    /// value row (a fused product or a chain's inner sum has none), its stored partials,
    /// and the adjoint rows. Fewer than [`Plan::value_rows`] `+` [`Plan::adjoint_rows`]
    /// when ops were fused: the rows of the ops folded away are never touched.
    pub(super) fn rows_touched(&self) -> usize {
        let partials = self.ops.iter().filter(|f| f.partial_rows != NO_ROW);
        let partials: usize = partials.map(|f| f.op.arity()).sum();
        let (_, columns) = self.key;
        columns + self.ops.len() + partials + self.adjoint_rows
    }
}
