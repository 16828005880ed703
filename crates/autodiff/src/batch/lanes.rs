//! The lane buffers and kernels behind [`Tape::batch`]: every slot holds `LANES` values.

use ndarray::ArrayView2;

use super::LANES;
use crate::{Op, Tape};

/// Values, partials and adjoints of every tape slot over one chunk of samples.
pub(super) struct Lanes {
    values: Vec<f64>,
    partials: Vec<f64>,
    adjoints: Vec<f64>,
    /// Inputs `0..columns` come from the data; the rest are parameters.
    columns: usize,
}

impl Lanes {
    /// Buffers for `tape`, with the parameters and frozen leaves already in every lane.
    pub(super) fn new(tape: &Tape, columns: usize, params: &[f64]) -> Self {
        let slots = tape.slots();
        let mut values = vec![0.0; slots * LANES];
        for (slot, lanes) in values.chunks_exact_mut(LANES).enumerate() {
            let input = slot.wrapping_sub(1);
            if input < tape.inputs && input >= columns {
                lanes.fill(params[input - columns]);
            } else if slot > tape.inputs {
                lanes.fill(tape.init[slot]);
            }
        }
        Lanes {
            values,
            partials: vec![0.0; 2 * tape.ops.len() * LANES],
            adjoints: vec![0.0; slots * LANES],
            columns,
        }
    }

    /// Runs the chunk `data` (at most `LANES` rows): writes the outputs to `out`, the
    /// parameter gradient summed over the rows to `gradient`, and returns the outputs' sum.
    pub(super) fn run(
        &mut self,
        tape: &Tape,
        data: ArrayView2<'_, f64>,
        out: &mut [f64],
        gradient: &mut [f64],
    ) -> f64 {
        let n = data.nrows();
        debug_assert!(n <= LANES && n == out.len());
        self.load(data);

        for (k, (&op, &[a, b])) in tape.ops.iter().zip(&tape.args).enumerate() {
            let (before, after) = self.values.split_at_mut((tape.first_op + k) * LANES);
            let (pa, pb) = self.partials[2 * k * LANES..][..2 * LANES].split_at_mut(LANES);
            forward(
                op,
                &before[a as usize * LANES..][..n],
                &before[b as usize * LANES..][..n],
                &mut after[..n],
                &mut pa[..n],
                &mut pb[..n],
            );
        }
        let output = tape.output as usize * LANES;
        out.copy_from_slice(&self.values[output..][..n]);

        self.adjoints[output..][..n].fill(1.0);
        for step in &tape.sweep {
            let (before, after) = self.adjoints.split_at_mut(step.dst as usize * LANES);
            let src = &mut before[step.src as usize * LANES..][..n];
            let adj = &after[..n];
            let partial = &self.partials[step.partial as usize * LANES..][..n];
            if step.first {
                assign(src, adj, partial);
            } else {
                accumulate(src, adj, partial);
            }
        }

        gradient.fill(0.0);
        for &(input, slot) in &tape.gradient_slots {
            if let Some(p) = (input as usize).checked_sub(self.columns) {
                gradient[p] = sum(&self.adjoints[slot as usize * LANES..][..n]);
            }
        }
        sum(out)
    }

    /// Copies the data columns into their input slots, one lane per row.
    fn load(&mut self, data: ArrayView2<'_, f64>) {
        let (n, columns) = data.dim();
        if let Some(rows) = data.as_slice() {
            // row-major: sample i, column j at i · columns + j
            for j in 0..columns {
                let lanes = &mut self.values[(1 + j) * LANES..][..n];
                for (lane, row) in lanes.iter_mut().zip(rows.chunks_exact(columns)) {
                    *lane = row[j];
                }
            }
        } else {
            for (j, column) in data.columns().into_iter().enumerate() {
                let lanes = &mut self.values[(1 + j) * LANES..][..n];
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
