//! The lane buffers and kernels behind [`Tape::batch`]: every slot holds one value per
//! sample of a chunk ([`width`] samples).

use std::cell::Cell;

use ndarray::ArrayView2;

use crate::{Op, Tape};

/// Most samples per chunk: with a small tape the buffers then stay in L1 cache.
const MAX_WIDTH: usize = 64;
/// Fewest samples per chunk, however large the tape.
const MIN_WIDTH: usize = 4;
/// Bytes of lane buffers a chunk aims at (three `f64` per slot and sample).
const BUDGET: usize = 4 << 20;
/// Unused lanes after each slot's: with 64 lanes a slot then spans 576 bytes rather than
/// 512, so that the slots an op reads and writes do not sit a multiple of 4 KiB apart
/// (which makes the processor suspect a store-to-load dependency between them).
const PAD: usize = 8;
/// Lane buffers up to this size are kept on their thread for the next batch.
const SPARE_LIMIT: usize = 64 << 20;

thread_local! {
    /// The buffers of the last batch run on this thread.
    static SPARE: Cell<Option<Lanes>> = const { Cell::new(None) };
}

/// Samples per chunk for `tape`: 64, fewer for tapes so large that 64 lanes of every slot
/// would not fit in a few MiB. Fixed per tape, so serial and parallel batches use the same
/// chunks.
pub(super) fn width(tape: &Tape) -> usize {
    (BUDGET / (24 * tape.slots())).clamp(MIN_WIDTH, MAX_WIDTH)
}

/// Values, partials and adjoints of every tape slot over one chunk of samples.
#[derive(Default)]
pub(super) struct Lanes {
    values: Vec<f64>,
    partials: Vec<f64>,
    adjoints: Vec<f64>,
    /// Distance between two slots' lanes: the chunk width plus [`PAD`].
    stride: usize,
    /// Inputs `0..columns` come from the data; the rest are parameters.
    columns: usize,
}

impl Lanes {
    /// Buffers for `tape`, with the parameters and frozen leaves already in every lane:
    /// this thread's spare buffers when there are some (no allocation), new ones otherwise.
    pub(super) fn take(tape: &Tape, columns: usize, params: &[f64]) -> Self {
        let mut lanes: Lanes = SPARE
            .try_with(Cell::take)
            .ok()
            .flatten()
            .unwrap_or_default();
        let (slots, width) = (tape.slots(), width(tape) + PAD);
        lanes.stride = width;
        lanes.columns = columns;
        // Op slots, partials and adjoints are written before they are read in every chunk
        // (adjoints by their first sweep step), so stale numbers in them do no harm.
        lanes.values.resize(slots * width, 0.0);
        lanes.partials.resize(2 * tape.ops.len() * width, 0.0);
        lanes.adjoints.resize(slots * width, 0.0);
        for (slot, values) in lanes.values[..tape.first_op * width]
            .chunks_exact_mut(width)
            .enumerate()
        {
            let input = slot.wrapping_sub(1);
            if input < tape.inputs && input >= columns {
                values.fill(params[input - columns]);
            } else if slot > tape.inputs {
                values.fill(tape.init[slot]);
            }
        }
        lanes
    }

    /// Keeps the buffers for this thread's next batch, unless they are very large.
    pub(super) fn give_back(self) {
        let floats = self.values.capacity() + self.partials.capacity() + self.adjoints.capacity();
        if floats * 8 <= SPARE_LIMIT {
            // During thread teardown the slot may be gone: then the buffers are just freed.
            let _ = SPARE.try_with(|spare| spare.set(Some(self)));
        }
    }

    /// Runs the chunk `data` (at most [`width`] rows): writes the outputs to `out`, the
    /// parameter gradient summed over the rows to `gradient`, and returns the outputs' sum.
    pub(super) fn run(
        &mut self,
        tape: &Tape,
        data: ArrayView2<'_, f64>,
        out: &mut [f64],
        gradient: &mut [f64],
    ) -> f64 {
        let n = data.nrows();
        let w = self.stride;
        debug_assert!(n <= w - PAD && n == out.len());
        self.load(data);

        for (k, (&op, &[a, b])) in tape.ops.iter().zip(&tape.args).enumerate() {
            let (before, after) = self.values.split_at_mut((tape.first_op + k) * w);
            let (pa, pb) = self.partials[2 * k * w..][..2 * w].split_at_mut(w);
            forward(
                op,
                &before[a as usize * w..][..n],
                &before[b as usize * w..][..n],
                &mut after[..n],
                &mut pa[..n],
                &mut pb[..n],
            );
        }
        let output = tape.output as usize * w;
        out.copy_from_slice(&self.values[output..][..n]);

        self.adjoints[output..][..n].fill(1.0);
        for step in &tape.sweep {
            let (before, after) = self.adjoints.split_at_mut(step.dst as usize * w);
            let src = &mut before[step.src as usize * w..][..n];
            let adj = &after[..n];
            let partial = &self.partials[step.partial as usize * w..][..n];
            if step.first {
                assign(src, adj, partial);
            } else {
                accumulate(src, adj, partial);
            }
        }

        gradient.fill(0.0);
        for &(input, slot) in &tape.gradient_slots {
            if let Some(p) = (input as usize).checked_sub(self.columns) {
                gradient[p] = sum(&self.adjoints[slot as usize * w..][..n]);
            }
        }
        sum(out)
    }

    /// Copies the data columns into their input slots, one lane per row.
    fn load(&mut self, data: ArrayView2<'_, f64>) {
        let (n, columns) = data.dim();
        let w = self.stride;
        if let Some(rows) = data.as_slice() {
            // row-major: sample i, column j at i · columns + j
            for j in 0..columns {
                let lanes = &mut self.values[(1 + j) * w..][..n];
                for (lane, row) in lanes.iter_mut().zip(rows.chunks_exact(columns)) {
                    *lane = row[j];
                }
            }
        } else {
            for (j, column) in data.columns().into_iter().enumerate() {
                let lanes = &mut self.values[(1 + j) * w..][..n];
                for (lane, &x) in lanes.iter_mut().zip(column) {
                    *lane = x;
                }
            }
        }
    }
}

/// `v, pa, pb = op.eval(a, b)` lane by lane. Each arm calls [`each`] with an op known at
/// compile time, so that the match inside [`Op::eval`] folds away and the loop body is
/// that op's math alone (vectorisable for arithmetic ops).
fn forward(op: Op, a: &[f64], b: &[f64], v: &mut [f64], pa: &mut [f64], pb: &mut [f64]) {
    macro_rules! specialise {
        ($($unit:ident),*; $($payload:ident),*) => {
            match op {
                $(Op::$unit => each(Op::$unit, a, b, v, pa, pb),)*
                $(Op::$payload(c) => each(Op::$payload(c), a, b, v, pa, pb),)*
                other => each(other, a, b, v, pa, pb),
            }
        };
    }
    specialise!(
        Add, Sub, Mul, Div, Pow, Max, Min, Neg, Square, Sqrt, Recip, Exp, Ln, ExpM1, Ln1p,
        Sigmoid, Tanh, Relu, Softplus, Sin, Cos, Abs;
        AddScalar, MulScalar, DivScalar, ScalarSub, ScalarDiv, PowF, PowI
    );
}

#[inline(always)]
fn each(op: Op, a: &[f64], b: &[f64], v: &mut [f64], pa: &mut [f64], pb: &mut [f64]) {
    let n = v.len();
    let (a, b, pa, pb) = (&a[..n], &b[..n], &mut pa[..n], &mut pb[..n]);
    if op.arity() == 2 {
        for i in 0..n {
            let (value, [da, db]) = op.eval(a[i], b[i]);
            v[i] = value;
            pa[i] = da;
            pb[i] = db;
        }
    } else {
        // a unary op's second partial is never read
        for i in 0..n {
            let (value, [da, _]) = op.eval(a[i], 0.0);
            v[i] = value;
            pa[i] = da;
        }
    }
}

/// `acc += adj · partial` lane by lane, except where `adj` is 0 (the graph's reverse sweep
/// does not pass zero adjoints on).
fn accumulate(acc: &mut [f64], adj: &[f64], partial: &[f64]) {
    for ((acc, &adj), &partial) in acc.iter_mut().zip(adj).zip(partial) {
        let sum = *acc + adj * partial;
        *acc = if adj != 0.0 { sum } else { *acc };
    }
}

/// `acc = 0 + adj · partial` lane by lane (0 where `adj` is 0): the first contribution.
fn assign(acc: &mut [f64], adj: &[f64], partial: &[f64]) {
    for ((acc, &adj), &partial) in acc.iter_mut().zip(adj).zip(partial) {
        let sum = 0.0 + adj * partial;
        *acc = if adj != 0.0 { sum } else { 0.0 };
    }
}

/// The sum of `x` in a fixed order: eight interleaved running sums, then added pairwise.
fn sum(x: &[f64]) -> f64 {
    let mut acc = [0.0; 8];
    let mut chunks = x.chunks_exact(8);
    for chunk in &mut chunks {
        for (a, &c) in acc.iter_mut().zip(chunk) {
            *a += c;
        }
    }
    let mut total =
        ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
    for &r in chunks.remainder() {
        total += r;
    }
    total
}
