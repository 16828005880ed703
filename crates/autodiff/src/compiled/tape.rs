//! [`Tape`]: a graph compiled for one output, replayed with new input values.
//!
//! Training evaluates the same expression again and again with new numbers. Recording a
//! fresh graph each time pays for the recording; a tape records once and replays. The
//! [`Graph`](crate::Graph) stays the model that users build and inspect; the tape is a
//! flattened, immutable copy of the part of it one output depends on.
//!
//! Layout (struct of arrays, one slot per kept node, in this order):
//!
//! ```text
//! slot 0            scratch: the unused second operand of unary ops
//! slots 1 ..= n     the inputs, in the order given to compile
//! then              the other leaves the output depends on, their values frozen
//! then              the ops, in recording order (a topological order)
//! ```
//!
//! Replay computes each op's value and local partials as [`Op::eval`] does (NaN partials
//! for a NaN value are set after the loop, only when a value is NaN), then the reverse
//! sweep over the kept edges from last to first, `adj[src] += adj[dst] · partial`, skipping
//! zero adjoints: the same operations in the same order as
//! [`Var::backward`](crate::Var::backward) on the graph, so values and gradients are equal
//! bit for bit.

mod compile;
mod hvp;
mod rows;
mod workspace;

use std::cell::Cell;

use crate::backward::{first_pass_on, pass_on};
use crate::branch::holds;
use crate::compiled::wide;
use crate::{Error, Op, Result};

pub(crate) use hvp::second_partials;
pub use workspace::Workspace;

/// The scratch slot: unary ops name it as their (ignored) second operand.
pub(crate) const SCRATCH: u32 = 0;

/// One op of the replay with its operand slots `[a, b]` (`b` is [`SCRATCH`] for unary ops):
/// one array, so that replay reads an op and where its operands are from one place.
#[derive(Clone, Copy, Debug)]
pub(crate) struct TapeOp {
    pub(crate) op: Op,
    pub(crate) args: [u32; 2],
}

/// A guard of the tape (see [`Graph::guard`](crate::Graph::guard)): the slot of its
/// condition, the condition's node in the graph, and whether it held when recorded.
#[derive(Clone, Copy, Debug)]
pub(crate) struct TapeGuard {
    pub(crate) slot: u32,
    pub(crate) node: usize,
    pub(crate) held: bool,
}

/// One edge of the reverse sweep: `adj[src] += adj[dst] · partial`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct SweepEdge {
    /// The op's slot.
    pub(crate) dst: u32,
    /// The operand's slot.
    pub(crate) src: u32,
    /// Index of the partial: `2 · op + operand position`.
    pub(crate) partial: u32,
    /// Whether this is the sweep's first edge into `src`: then `adj[src]` is still 0 and is
    /// written (as `0 + adj[dst] · partial`, the same IEEE operation) instead of read, so
    /// that adjoints need no zeroing between replays.
    pub(crate) first: bool,
    /// Whether this is the first edge into an op's slot: then `0 + x` is written as `x`,
    /// one addition less on the sweep's critical path. The two differ only for `x = -0`,
    /// and the sign of a zero adjoint is never observed for an op (a zero adjoint is not
    /// passed on, and only inputs' adjoints are reported).
    pub(crate) write: bool,
}

/// The edges out of one op in the reverse sweep, for [`Tape::gradient`]: its adjoint is read
/// and tested once for both. Grouped from [`Tape::sweep`], in its order.
#[derive(Clone, Copy, Debug)]
pub(crate) struct SweepOp {
    /// The op's slot.
    pub(crate) dst: u32,
    /// Whether the second edge is kept too (else only the first is).
    pub(crate) both: bool,
    pub(crate) edges: [SweepTo; 2],
}

/// One edge of a [`SweepOp`]: `adj[src] = adj[sum] + adj[op] · partial`, or `adj[src] =
/// adj[op] · partial` when `write`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct SweepTo {
    pub(crate) src: u32,
    /// The slot whose adjoint the term is added to: `src` itself, or for the first edge
    /// into an input the scratch slot, whose adjoint is always 0. So an input's sum starts
    /// from 0 at every sweep (as `0 + x`, the graph's operation) with no zeroing pass.
    pub(crate) sum: u32,
    pub(crate) partial: u32,
    /// The first edge into an op's slot: its adjoint is written, not added to (see
    /// [`SweepEdge::write`]).
    pub(crate) write: bool,
}

/// A graph compiled for one output and an ordered list of input leaves: replay it with new
/// input values to get the output's value and its gradient with respect to the inputs.
///
/// Build it with [`Tape::compile`]; evaluate it with [`Tape::value`] and
/// [`Tape::gradient`] (one sample, allocation-free with a reused [`Workspace`];
/// [`Tape::gradient_in_place`] for a training loop that keeps its parameters in the
/// workspace) or with
/// [`Tape::batch`] / [`Tape::par_batch`] (many samples at once); second order with
/// [`Tape::hvp`] and [`Tape::hessian`] (one sample) or [`Tape::batch_hvp`] /
/// [`Tape::par_batch_hvp`] (summed over many).
///
/// A tape is immutable, owns its data (no borrow of the graph) and is `Send + Sync`: one
/// tape can serve many threads, each with its own workspace.
///
/// # What a tape promises, and what it does not
/// A tape replays the ops that were recorded, at new input values: its value and gradient
/// are bit for bit those of the same ops recorded at those values. It does not re-run the
/// Rust program that recorded them, so
/// - a branch taken in Rust on a recorded value (`if x.value() > 0.0 { x * x } else { -x
///   }`) is replayed as the branch taken at compile time, at every input, and a value read
///   out and fed back as a number (`x * x.value()`) stays that number: without a guard,
///   the tape then silently computes another function than the program would;
/// - ops with kinks (relu, abs, max, min) and [`Var::select`](crate::Var::select) are ops:
///   they choose their branch at every replay, so they are always safe;
/// - a branch recorded with [`Graph::guard`](crate::Graph::guard) (any guard recorded
///   before the output) is checked at every replay: where its condition has another
///   outcome, [`Tape::value`], [`Tape::gradient`], [`Tape::hvp`],
///   [`Tape::sum_over_rows`] and the batches fail with
///   [`Error::BranchChanged`](crate::Error::BranchChanged) instead of returning numbers.
///
/// Reading [`Var::value`](crate::Var::value) while recording is not tracked: the library
/// itself and most programs read values for logging and checks, which change nothing, so
/// neither compiling nor replaying can tell such reads from branches. Guard the branches.
///
/// # Examples
/// ```
/// use autodiff::{Graph, Tape};
///
/// let g = Graph::new();
/// let w = g.var(0.0);
/// let x = g.var(0.0);
/// let y = (w * x).sigmoid(); // y = S(wx)
/// let tape = Tape::compile(y, &[x, w])?;
/// let mut ws = tape.workspace();
/// let (v, grad) = tape.gradient(&mut ws, &[2.0, 0.5])?; // x = 2, w = 0.5
/// let s = 1.0_f64 / (1.0 + (-1.0_f64).exp()); // S(1)
/// assert!((v - s).abs() < 1e-15);
/// // ∂y/∂x = S'(wx) w, ∂y/∂w = S'(wx) x, with S' = S(1 - S)
/// assert!((grad[0] - s * (1.0 - s) * 0.5).abs() < 1e-15);
/// assert!((grad[1] - s * (1.0 - s) * 2.0).abs() < 1e-15);
/// # Ok::<(), autodiff::Error>(())
/// ```
#[derive(Clone)]
pub struct Tape {
    /// Identifies the tape's shape, so a [`Workspace`] knows whether it fits.
    pub(crate) id: u64,
    /// Number of inputs (slots `1..=inputs`).
    pub(crate) inputs: usize,
    /// Slot of the first op; ops occupy `first_op..first_op + ops.len()`.
    pub(crate) first_op: usize,
    /// The op of each op slot, with its operand slots.
    pub(crate) ops: Vec<TapeOp>,
    /// The reverse sweep, in sweep order. Only edges whose source leads to a
    /// differentiable input are kept; their relative order is the graph's.
    pub(crate) sweep: Vec<SweepEdge>,
    /// The same edges grouped by op, for the single-row replay.
    pub(crate) sweep_ops: Vec<SweepOp>,
    /// `(input, slot)` of the inputs whose gradient can be non-zero: differentiable, and
    /// reached by the sweep (or the output itself). The others' gradient is always 0.
    pub(crate) gradient_slots: Vec<(u32, u32)>,
    /// The value of every slot before replay: the recorded values of inputs and leaves.
    pub(crate) init: Vec<f64>,
    /// The output's slot.
    pub(crate) output: u32,
    /// Whether the adjoints of the input slots `1..=inputs` are the gradient as they are:
    /// true unless the output is itself a constant input (whose adjoint, the seed 1, is
    /// reported as 0). Every other input slot's adjoint is either written by the sweep
    /// (a differentiable input it reaches) or never written and still 0.
    pub(crate) gradient_in_place: bool,
    /// Whether the gradient is in place and there are no guards: then a gradient replay
    /// has nothing to do after the sweep.
    pub(crate) plain: bool,
    /// The guards recorded before the output, checked after each forward pass; their
    /// conditions are computed on the tape (if the output does not depend on them, as ops
    /// the sweep does not visit).
    pub(crate) guards: Vec<TapeGuard>,
}

impl Tape {
    /// Number of inputs the tape takes (the length of the `inputs` given to
    /// [`Tape::compile`]).
    pub fn input_count(&self) -> usize {
        self.inputs
    }

    /// Number of nodes on the tape: the inputs, the other leaves the output depends on,
    /// and the ops.
    pub fn len(&self) -> usize {
        self.slots() - 1
    }

    /// Whether the tape has no nodes; never true, as the output is always on it.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Number of ops (non-leaf nodes) replayed per evaluation.
    pub fn op_count(&self) -> usize {
        self.ops.len()
    }

    /// A fresh [`Workspace`] sized for this tape: the buffers replay reuses.
    pub fn workspace(&self) -> Workspace {
        Workspace::for_tape(self)
    }

    /// The output's value at `inputs` (forward pass only).
    ///
    /// # Errors
    /// - [`Error::InputCount`](crate::Error::InputCount) unless `inputs.len()` equals
    ///   [`Tape::input_count`];
    /// - [`Error::BranchChanged`](crate::Error::BranchChanged) if a guard recorded before
    ///   the output ([`Graph::guard`](crate::Graph::guard)) has another outcome at `inputs`
    ///   (the first such guard, in recording order).
    ///
    /// # Complexity
    /// **O(ops)**; no allocation when `ws` was made by (or already used with) this tape.
    pub fn value(&self, ws: &mut Workspace, inputs: &[f64]) -> Result<f64> {
        ws.load(self, inputs)?;
        self.replay_values(ws);
        self.check_guards(ws)?;
        Ok(ws.values[self.output as usize])
    }

    /// The output's value at `inputs` and its gradient with respect to the inputs, in the
    /// order given to [`Tape::compile`] (0 for constant leaves and for inputs the output
    /// does not depend on). The gradient borrows from `ws`.
    ///
    /// Bit for bit what recording the same ops at these values and calling
    /// [`Var::backward`](crate::Var::backward) would give: the ops the tape holds, which
    /// are those recorded at compile time. Where the program that recorded them branched
    /// in Rust on a value ([`Var::value`](crate::Var::value)) or froze one (`x *
    /// x.value()`), the tape replays the recorded branch and the frozen number, which is
    /// another function than the program's at inputs that branch otherwise, unless the
    /// branch was guarded (see [`Tape`]).
    ///
    /// # Errors
    /// As [`Tape::value`].
    ///
    /// # Complexity
    /// **O(ops + edges)**; no allocation when `ws` was made by (or already used with) this
    /// tape.
    pub fn gradient<'w>(&self, ws: &'w mut Workspace, inputs: &[f64]) -> Result<(f64, &'w [f64])> {
        ws.load(self, inputs)?;
        let value = wide::run(
            #[inline(always)]
            || self.replay_gradient(ws),
        )?;
        Ok((value, self.gradient_in(ws)))
    }

    /// [`Tape::gradient`] at the inputs already in `ws`, written there through
    /// [`Workspace::inputs_and_gradient`], which then also reads the gradient: a training
    /// loop writes its updated parameters straight where the next replay reads them, with
    /// no copy of the inputs in between.
    ///
    /// The inputs are those last written into `ws` for this tape; if `ws` was last used
    /// with another tape (or never), it is fitted to this one first and the inputs are
    /// their values when the tape was compiled.
    ///
    /// # Errors
    /// [`Error::BranchChanged`](crate::Error::BranchChanged), as [`Tape::value`].
    ///
    /// # Examples
    /// ```
    /// use autodiff::{Graph, Tape};
    ///
    /// // gradient descent on (w − 3)², the parameter living in the workspace
    /// let g = Graph::new();
    /// let w = g.var(0.0);
    /// let tape = Tape::compile((w - 3.0).square(), &[w])?;
    /// let mut ws = tape.workspace();
    /// for _ in 0..100 {
    ///     tape.gradient_in_place(&mut ws)?;
    ///     let (inputs, gradient) = ws.inputs_and_gradient(&tape);
    ///     inputs[0] -= 0.1 * gradient[0];
    /// }
    /// assert!((ws.inputs_and_gradient(&tape).0[0] - 3.0).abs() < 1e-9);
    /// # Ok::<(), autodiff::Error>(())
    /// ```
    ///
    /// # Complexity
    /// As [`Tape::gradient`].
    pub fn gradient_in_place(&self, ws: &mut Workspace) -> Result<f64> {
        ws.fit(self);
        wide::run(
            #[inline(always)]
            || self.replay_gradient(ws),
        )
    }

    /// The forward pass and the sweep on the inputs in `ws`: the output's value; the
    /// gradient is then where [`Tape::gradient_in`] says. Its callers run it inside
    /// [`wide::run`], where the one-lane `eˣ` of the sigmoid, softplus and `exp` ops is
    /// inlined rather than called (the same bits; see `wide`).
    #[inline(always)]
    fn replay_gradient(&self, ws: &mut Workspace) -> Result<f64> {
        self.replay_values(ws);
        self.replay_sweep(ws);
        let value = ws.values[self.output as usize];
        // Usually the input slots' adjoints themselves: a copy would add a store and a
        // load to the path from one replay's gradient to the next replay's inputs. The
        // guards are checked after the sweep, so that a tape without them and with its
        // gradient in place pays one test for both (a flipped guard wastes the sweep).
        if !self.plain {
            self.check_guards(ws)?;
            if !self.gradient_in_place {
                self.copy_gradient(ws);
            }
        }
        Ok(value)
    }

    /// Where the last replay in `ws` left the gradient (see [`Tape::gradient`]).
    #[inline(always)]
    pub(crate) fn gradient_in<'w>(&self, ws: &'w Workspace) -> &'w [f64] {
        self.gradient_among(&ws.adjoints, &ws.gradient)
    }

    /// [`Tape::gradient_in`], given a workspace's adjoints and its gradient buffer: the
    /// input slots' adjoints themselves, or the copy when the gradient is not in place.
    #[inline(always)]
    pub(crate) fn gradient_among<'w>(&self, adjoints: &'w [f64], copy: &'w [f64]) -> &'w [f64] {
        if self.gradient_in_place {
            &adjoints[1..=self.inputs]
        } else {
            copy
        }
    }

    /// Number of guards the tape checks on every replay (see
    /// [`Graph::guard`](crate::Graph::guard)).
    pub fn guard_count(&self) -> usize {
        self.guards.len()
    }

    /// [`Error::BranchChanged`](crate::Error::BranchChanged) for the first guard whose
    /// condition, after a forward pass in `ws`, no longer has its recorded outcome.
    #[inline(always)]
    fn check_guards(&self, ws: &Workspace) -> Result<()> {
        // one test on a tape without guards; the loop out of line
        if self.guards.is_empty() {
            Ok(())
        } else {
            self.check_each_guard(ws)
        }
    }

    /// [`Tape::check_guards`] on a tape that has guards.
    #[inline(never)]
    fn check_each_guard(&self, ws: &Workspace) -> Result<()> {
        for guard in &self.guards {
            if holds(ws.values[guard.slot as usize]) != guard.held {
                return Err(guard.flipped(None));
            }
        }
        Ok(())
    }

    /// Number of slots, the scratch slot included.
    pub(crate) fn slots(&self) -> usize {
        self.first_op + self.ops.len()
    }

    /// The values and partials of every op, in order; inlined, as is
    /// [`Tape::replay_sweep`], so that one replay is one function.
    #[inline(always)]
    fn replay_values(&self, ws: &mut Workspace) {
        let n = self.ops.len();
        let ops = &self.ops[..n];
        let partials = &mut ws.partials[..n];
        // Operands are read by slot while the ops' values are written in order: as cells,
        // the values allow both.
        let values = Cell::from_mut(&mut ws.values[..]).as_slice_of_cells();
        let op_values = &values[self.first_op..][..n];
        // The previous slot's value stays in a register: an operand that is the previous
        // op's result (as along a chain) is not reloaded from memory. Before the first op,
        // the previous slot is the last leaf's (the scratch slot's if there is none).
        let mut last = values[self.first_op - 1].get();
        // The sum of the values is NaN if any value is (or if infinities of both signs
        // meet, for which the mending below is a harmless no-op): one addition per op.
        let mut sum = 0.0;
        for k in 0..n {
            let TapeOp { op, args: [a, b] } = ops[k];
            let previous = (self.first_op + k - 1) as u32;
            let operand = |slot: u32| {
                if slot == previous {
                    last
                } else {
                    at(values, slot).get()
                }
            };
            // eˣ, S(x) and softplus through the lanes' exponential (see `wide`)
            let (v, d) = wide::value_and_partials(op, operand(a), operand(b));
            op_values[k].set(v);
            partials[k] = d;
            sum += v;
            last = v;
        }
        // A NaN value's partials are mended here, after one addition per op in the loop
        // rather than two selects.
        if sum.is_nan() {
            for (v, partial) in op_values.iter().zip(partials) {
                (_, *partial) = Op::nan_partials((v.get(), *partial));
            }
        }
    }

    /// The reverse sweep, op by op from the last (see [`SweepOp`]).
    #[inline(always)]
    fn replay_sweep(&self, ws: &mut Workspace) {
        let adjoints = &mut ws.adjoints[..];
        // Each adjoint the sweep reaches is written by its first edge (from 0, for an
        // input); the others are 0 since the workspace was fitted.
        adjoints[self.output as usize] = 1.0;
        let partials = ws.partials.as_flattened();
        // The adjoint written last stays in a register, as in `replay_values`.
        let mut last = (u32::MAX, 0.0);
        for op in &self.sweep_ops {
            let adjoint = if op.dst == last.0 {
                last.1
            } else {
                *at(adjoints, op.dst)
            };
            if adjoint == 0.0 {
                // nothing passed on (see `backward::pass_on`); first writes still write 0
                last = op.pass_on_nothing(adjoints);
                continue;
            }
            // the graph's sweep rule, one edge or two
            let mut pass = |edge: &SweepTo| {
                let partial = *at(partials, edge.partial);
                let new = if edge.write {
                    first_pass_on(adjoint, partial)
                } else {
                    pass_on(*at(adjoints, edge.sum), adjoint, partial)
                };
                *at_mut(adjoints, edge.src) = new;
                (edge.src, new)
            };
            last = pass(&op.edges[0]);
            if op.both {
                last = pass(&op.edges[1]);
            }
        }
    }

    /// The gradient in `ws.gradient`, for a tape whose gradient is not in place.
    #[cold]
    fn copy_gradient(&self, ws: &mut Workspace) {
        // the other entries are 0 since the workspace was fitted
        for &(input, slot) in &self.gradient_slots {
            ws.gradient[input as usize] = ws.adjoints[slot as usize];
        }
    }
}

/// `slice[i]` for an index of the tape into a buffer of a workspace fitted to it, without
/// the bounds check: the checks were 8% of the lecture net's replay instructions.
#[inline(always)]
fn at<T>(slice: &[T], i: u32) -> &T {
    let i = i as usize;
    debug_assert!(
        i < slice.len(),
        "autodiff internal error: slot {i} out of bounds"
    );
    // SAFETY: `Tape::compile` checks (`Tape::check_slots`) that every operand and sweep
    // slot is below `Tape::slots` and every partial index below twice the op count, and a
    // tape is immutable; replay reads only buffers of a workspace fitted to the tape
    // (`Workspace::fit`, through `Workspace::load` or `Tape::gradient_in_place`), whose
    // lengths are exactly these.
    #[allow(unsafe_code)]
    unsafe {
        slice.get_unchecked(i)
    }
}

/// `&mut slice[i]` without the bounds check, as [`at`].
#[inline(always)]
fn at_mut<T>(slice: &mut [T], i: u32) -> &mut T {
    let i = i as usize;
    debug_assert!(
        i < slice.len(),
        "autodiff internal error: slot {i} out of bounds"
    );
    // SAFETY: as in `at`.
    #[allow(unsafe_code)]
    unsafe {
        slice.get_unchecked_mut(i)
    }
}

impl SweepOp {
    /// An op whose adjoint is 0: its edges pass nothing on, but an operand's first edge
    /// writes its 0. Returns the last edge's operand slot and adjoint.
    #[cold]
    fn pass_on_nothing(&self, adjoints: &mut [f64]) -> (u32, f64) {
        let edges = &self.edges[..1 + usize::from(self.both)];
        for edge in edges {
            if edge.write || edge.sum != edge.src {
                // `first_pass_on`, or `pass_on` from 0, of a zero adjoint
                adjoints[edge.src as usize] = 0.0;
            }
        }
        let src = edges[edges.len() - 1].src;
        (src, adjoints[src as usize])
    }
}

impl TapeGuard {
    /// For lanes of rows: `Ok` if no guard flipped, else the error of the earliest row any
    /// guard flipped in (the first such guard, in the tape's order), given each guard with
    /// the first row it flipped in.
    pub(crate) fn first_flip<'t>(
        flips: impl IntoIterator<Item = (&'t TapeGuard, Option<usize>)>,
    ) -> Result<()> {
        let mut first: Option<(usize, &TapeGuard)> = None;
        for (guard, row) in flips {
            if let Some(row) = row {
                if first.is_none_or(|(earliest, _)| row < earliest) {
                    first = Some((row, guard));
                }
            }
        }
        match first {
            Some((row, guard)) => Err(guard.flipped(Some(row))),
            None => Ok(()),
        }
    }

    /// The error of this guard flipped (in batch row `row`).
    #[cold]
    pub(crate) fn flipped(&self, row: Option<usize>) -> Error {
        Error::BranchChanged {
            node: self.node,
            recorded: self.held,
            now: !self.held,
            row,
        }
    }
}

impl std::fmt::Debug for Tape {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tape")
            .field("inputs", &self.inputs)
            .field("leaves", &(self.first_op - 1 - self.inputs))
            .field("ops", &self.ops.len())
            .field("edges", &self.sweep.len())
            .field("guards", &self.guards.len())
            .finish()
    }
}
