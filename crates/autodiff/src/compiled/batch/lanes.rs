//! The lane buffers behind [`Tape::batch`]: every value, partial and adjoint row holds one
//! number per sample of a chunk ([`Lanes::width`] samples). The program they run, and
//! where each number is, is described in [`program`](super::program).

use std::cell::Cell;

use ndarray::ArrayView2;

use super::dispatch::{mul_add, op_lanes, sum_and_write};
use super::kernels;
use super::program::{Dest, Plan, RowOrScalar, NO_ROW};
use crate::branch::holds;
use crate::compiled::tape::TapeGuard;
use crate::{Result, Tape};

/// Most samples per chunk: each op's loop then runs long enough for its setup (the
/// dispatch on the op and its operands) to cost little.
const MAX_WIDTH: usize = 128;
/// Fewest samples per chunk, however large the tape.
const MIN_WIDTH: usize = 8;
/// Bytes of lane rows a chunk aims at: they then stay in the core's L2 cache.
const BUDGET: usize = 3 << 19;
/// Unused lanes after each row's: with 128 lanes a row then spans 1088 bytes rather than
/// 1024, so that the rows an op reads and writes do not sit a multiple of 4 KiB apart
/// (which makes the processor suspect a store-to-load dependency between them).
const PAD: usize = 8;
/// Lane buffers up to this size are kept on their thread for the next batch.
const SPARE_LIMIT: usize = 64 << 20;

/// Samples per chunk for a batch of `rows` rows on a program that reads and writes
/// `lane_rows` rows of lanes: as many as keep those rows within [`BUDGET`] (between
/// [`MIN_WIDTH`] and [`MAX_WIDTH`]), then evened out over the chunks this takes and rounded
/// up to whole blocks of eight lanes (the kernels' unit), so that a batch is never one
/// full chunk and a leftover of a few lanes that pays every op's setup again.
pub(super) fn chunk_width(rows: usize, lane_rows: usize) -> usize {
    let most = (BUDGET / (8 * lane_rows.max(1))).clamp(MIN_WIDTH, MAX_WIDTH);
    let chunks = rows.div_ceil(most).max(1);
    rows.div_ceil(chunks)
        .next_multiple_of(8)
        .clamp(MIN_WIDTH, MAX_WIDTH)
}

/// `buffer` with at least `len` numbers (new ones 0).
fn grow(buffer: &mut Vec<f64>, len: usize) {
    if buffer.len() < len {
        buffer.resize(len, 0.0);
    }
}

/// Whether every number in `x` is finite (a loop without an early exit, which vectorises).
fn all_finite(x: &[f64]) -> bool {
    x.iter().fold(true, |finite, x| finite & x.is_finite())
}

thread_local! {
    /// The buffers (and plan) of the last batch run on this thread.
    static SPARE: Cell<Option<Lanes>> = const { Cell::new(None) };
}

/// The plan of a tape and its value and adjoint rows over one chunk of samples.
#[derive(Default)]
pub(super) struct Lanes {
    plan: Option<Plan>,
    values: Vec<f64>,
    adjoints: Vec<f64>,
    /// The tape's leading slots (parameters, frozen leaves) then the plan's constants.
    scalars: Vec<f64>,
    /// Samples per chunk.
    width: usize,
    /// Distance between two rows: the width plus [`PAD`].
    stride: usize,
    columns: usize,
    /// Whether all scalars are finite.
    finite: bool,
    /// Whether all scalars but the parameters are finite.
    fixed_finite: bool,
}

impl Lanes {
    /// Buffers and plan for `tape` with `columns` data columns and these parameters, for a
    /// batch of `rows` rows: this thread's spare ones when they fit (no allocation, no
    /// planning), new ones otherwise.
    pub(super) fn take(tape: &Tape, columns: usize, params: &[f64], rows: usize) -> Self {
        let mut lanes: Lanes = SPARE
            .try_with(Cell::take)
            .ok()
            .flatten()
            .unwrap_or_default();
        let fresh = lanes.plan.as_ref().map(|p| p.key) != Some((tape.id, columns));
        if fresh {
            lanes.plan = Some(Plan::new(tape, columns));
        }
        let plan = lanes
            .plan
            .as_ref()
            .expect("autodiff internal error: planned above");
        let width = chunk_width(rows, plan.rows_touched());
        lanes.width = width;
        lanes.stride = width + PAD;
        lanes.columns = columns;
        // Every row is written before it is read in each chunk, so stale numbers do no harm.
        // Buffers only grow: a batch's short last chunk and the next batch's full ones then
        // share them without zeroing them again.
        grow(&mut lanes.values, plan.value_rows * lanes.stride);
        grow(&mut lanes.adjoints, plan.adjoint_rows * lanes.stride);
        let params_at = 1 + columns..=tape.inputs;
        if fresh {
            // A tape never changes, so the scalars but the parameters stay as they are laid
            // out here for as long as the plan is kept: later batches copy the parameters.
            lanes.scalars.clear();
            lanes.scalars.extend_from_slice(&tape.init[..tape.first_op]);
            lanes.scalars.extend_from_slice(&plan.constants);
            // the scalars before the parameters, and the frozen leaves and constants after
            let (before, after) = (
                &lanes.scalars[..1 + columns],
                &lanes.scalars[tape.inputs + 1..],
            );
            lanes.fixed_finite = all_finite(before) && all_finite(after);
        }
        lanes.scalars[params_at].copy_from_slice(params);
        lanes.finite = lanes.fixed_finite && all_finite(params);
        lanes
    }

    /// Samples per chunk: fixed per tape, column count and number of rows, so serial and
    /// parallel batches use the same chunks.
    pub(super) fn width(&self) -> usize {
        self.width
    }

    /// Numbers in the lane rows one chunk reads or writes (values and adjoints): how much a
    /// chunk computes, roughly.
    pub(super) fn chunk_numbers(&self) -> usize {
        let plan = self.plan.as_ref();
        plan.map_or(0, |plan| plan.rows_touched() * self.stride)
    }

    /// Whether every scalar (parameters, frozen leaves, constants) is finite: else every
    /// chunk is replayed row by row.
    #[cfg(test)]
    pub(super) fn scalars_finite(&self) -> bool {
        self.finite
    }

    /// Keeps the buffers for this thread's next batch, unless they are very large.
    pub(super) fn give_back(self) {
        let floats = self.values.capacity() + self.adjoints.capacity();
        if floats * 8 <= SPARE_LIMIT {
            // During thread teardown the slot may be gone: then the buffers are just freed.
            let _ = SPARE.try_with(|spare| spare.set(Some(self)));
        }
    }

    /// Runs the chunk `data` (at most [`Lanes::width`] rows): writes the outputs to `out`,
    /// the parameter gradient summed over the rows to `gradient`, and returns the outputs'
    /// sum. Its loops are compiled for AVX2 where the processor has it (see [`wide`]).
    ///
    /// # Errors
    /// [`Error::BranchChanged`](crate::Error::BranchChanged) for the chunk's first row
    /// (counted from the chunk's start) that flips a guard of the tape.
    ///
    /// [`wide`]: crate::compiled::wide
    pub(super) fn run(
        &mut self,
        tape: &Tape,
        data: ArrayView2<'_, f64>,
        out: &mut [f64],
        gradient: &mut [f64],
    ) -> Result<f64> {
        crate::compiled::wide::run(
            #[inline(always)]
            || self.run_here(tape, data, out, gradient),
        )
    }

    /// [`Lanes::run`], inlined into the code compiled for wide vectors.
    #[inline(always)]
    fn run_here(
        &mut self,
        tape: &Tape,
        data: ArrayView2<'_, f64>,
        out: &mut [f64],
        gradient: &mut [f64],
    ) -> Result<f64> {
        let n = data.nrows();
        debug_assert!(n <= self.width && n == out.len());
        // the shortcuts need finite values: data, parameters, frozen leaves, constants, ops
        if !self.load(data) || !self.finite || self.forward_chunk(n) {
            return self.replay_rows_one_by_one(tape, data, out, gradient);
        }
        self.check_guards(tape, n)?;
        let plan = self
            .plan
            .as_ref()
            .expect("autodiff internal error: planned in take");
        let w = self.stride;
        match plan.output {
            RowOrScalar::Row(r) => out.copy_from_slice(&self.values[r as usize * w..][..n]),
            RowOrScalar::Scalar(s) => out.fill(self.scalars[s as usize]),
        }
        self.adjoints[plan.output_adjoint_row as usize * w..][..n].fill(1.0);

        gradient.fill(0.0);
        for step in &plan.sweep {
            let (before, after) = self.adjoints.split_at_mut(step.adjoint_row as usize * w);
            let adj = &after[..n];
            if let Some((first, count)) = step.run {
                let terms = &plan.gradient_terms[first as usize..][..count as usize];
                kernels::row_dots(adj, terms, &self.values, w, gradient);
                continue;
            }
            if let (Some(paired), Dest::Gradient(p)) = (step.paired, step.dest) {
                let acc = &mut before[paired.row as usize * w..][..n];
                let (values, scalars) = (&self.values[..], &self.scalars[..]);
                let row = |r: u32| &values[r as usize * w..][..n];
                let scalar = |s: u32| scalars[s as usize];
                let (f, g, write) = (step.factor, paired.factor, paired.write);
                gradient[p as usize] = sum_and_write(adj, f, g, write, acc, row, scalar);
                continue;
            }
            macro_rules! with_factor {
                ($f:ident => $body:expr) => {
                    match step.factor {
                        RowOrScalar::Row(r) => {
                            let $f = &self.values[r as usize * w..][..n];
                            $body
                        }
                        RowOrScalar::Scalar(s) => {
                            let $f = self.scalars[s as usize];
                            $body
                        }
                    }
                };
            }
            match (step.dest, step.skip_zero_adjoint) {
                (Dest::Write(r), false) => with_factor!(f => kernels::write::<false, _>(
                    &mut before[r as usize * w..][..n], adj, f)),
                (Dest::Write(r), true) => with_factor!(f => kernels::write::<true, _>(
                    &mut before[r as usize * w..][..n], adj, f)),
                (Dest::Add(r), false) => with_factor!(f => kernels::add::<false, _>(
                    &mut before[r as usize * w..][..n], adj, f)),
                (Dest::Add(r), true) => with_factor!(f => kernels::add::<true, _>(
                    &mut before[r as usize * w..][..n], adj, f)),
                (Dest::Gradient(p), false) => {
                    gradient[p as usize] =
                        with_factor!(f => kernels::write_sum::<false, _>(adj, f));
                }
                (Dest::Gradient(p), true) => {
                    gradient[p as usize] = with_factor!(f => kernels::write_sum::<true, _>(adj, f));
                }
            }
        }
        for &(p, r) in &plan.row_gradients {
            gradient[p as usize] = kernels::sum(&self.adjoints[r as usize * w..][..n]);
        }
        Ok(kernels::sum(out))
    }

    /// After the forward pass over `n` lanes: the error of the first lane (then the first
    /// guard, in the tape's order) whose guard condition has another outcome than recorded.
    #[inline(always)]
    fn check_guards(&self, tape: &Tape, n: usize) -> Result<()> {
        let plan = self
            .plan
            .as_ref()
            .expect("autodiff internal error: planned in take");
        let w = self.stride;
        let flips = plan.guards.iter().zip(&tape.guards).map(|(&place, guard)| {
            let row = match place {
                RowOrScalar::Row(r) => self.values[r as usize * w..][..n]
                    .iter()
                    .position(|&c| holds(c) != guard.held),
                RowOrScalar::Scalar(s) => {
                    (holds(self.scalars[s as usize]) != guard.held).then_some(0)
                }
            };
            (guard, row)
        });
        TapeGuard::first_flip(flips)
    }

    /// The forward pass over `n` lanes; whether a value the sweep would take a shortcut
    /// around is infinite or NaN.
    #[inline(always)]
    fn forward_chunk(&mut self, n: usize) -> bool {
        let plan = self
            .plan
            .as_ref()
            .expect("autodiff internal error: planned in take");
        let w = self.stride;
        let mut bad = false;
        for f in &plan.ops {
            let (before, after) = self.values.split_at_mut(f.value_row as usize * w);
            let (v, rest) = after.split_at_mut(w);
            let (pa, pb) = if f.partial_rows == NO_ROW {
                (&mut [][..], &mut [][..])
            } else {
                // one row per operand (a unary op's `pb` is never written)
                let start = (f.partial_rows - f.value_row - 1) as usize * w;
                rest[start..].split_at_mut(w)
            };
            let row = |r: u32| &before[r as usize * w..][..n];
            let v = &mut v[..n];
            let scalar = |s: u32| self.scalars[s as usize];
            if let Some((first, count)) = f.chain {
                let terms = &plan.terms[first as usize..][..count as usize];
                let (scalars, values) = (&self.scalars[..], &before[..]);
                bad |= match f.a {
                    RowOrScalar::Row(r) => kernels::dot(row(r), terms, values, w, scalars, v),
                    RowOrScalar::Scalar(s) => kernels::dot(scalar(s), terms, values, w, scalars, v),
                };
                continue;
            }
            if let Some((x, y)) = f.product {
                bad |= mul_add(x, y, f.a, row, scalar, v);
                continue;
            }
            bad |= op_lanes(f.op, f.a, f.b, row, scalar, v, pa, pb);
        }
        bad
    }

    /// Copies the data columns into their rows, one lane per sample; whether all are
    /// finite.
    fn load(&mut self, data: ArrayView2<'_, f64>) -> bool {
        let (n, columns) = data.dim();
        let w = self.stride;
        let mut finite = true;
        if let Some(rows) = data.as_slice() {
            // row-major: sample i, column j at i · columns + j
            for j in 0..columns {
                let lanes = &mut self.values[j * w..][..n];
                for (lane, row) in lanes.iter_mut().zip(rows.chunks_exact(columns)) {
                    *lane = row[j];
                    finite &= lane.is_finite();
                }
            }
        } else {
            for (j, column) in data.columns().into_iter().enumerate() {
                let lanes = &mut self.values[j * w..][..n];
                for (lane, &x) in lanes.iter_mut().zip(column) {
                    *lane = x;
                    finite &= x.is_finite();
                }
            }
        }
        finite
    }
}

impl Lanes {
    /// A chunk with a value that is not finite, replayed row by row exactly as
    /// [`Tape::gradient`] does (NaN partials and all), since the lanes' shortcuts assume
    /// finite values; the gradient is the sum over the rows in order.
    fn replay_rows_one_by_one(
        &self,
        tape: &Tape,
        data: ArrayView2<'_, f64>,
        out: &mut [f64],
        gradient: &mut [f64],
    ) -> Result<f64> {
        let columns = data.ncols();
        let mut ws = tape.workspace();
        // the parameters, as every lane has them; the data columns are set per row
        let mut inputs = self.scalars[1..=tape.inputs].to_vec();
        gradient.fill(0.0);
        for (i, row) in data.rows().into_iter().enumerate() {
            for (x, &v) in inputs.iter_mut().zip(&row) {
                *x = v;
            }
            // the input count is checked by the batch: the error is a guard's
            let (value, g) = tape.gradient(&mut ws, &inputs).map_err(|e| e.at_row(i))?;
            out[i] = value;
            for (total, &d) in gradient.iter_mut().zip(&g[columns..]) {
                *total += d;
            }
        }
        Ok(kernels::sum(out))
    }
}
