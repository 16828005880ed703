//! The lane buffers behind [`Tape::batch_hvp`]: [`Tape::hvp`] run over a chunk of samples
//! at once, one row of lanes per slot (values, their tangents, adjoints and the adjoints'
//! tangents) and per partial (the partials and their tangents).
//!
//! Unlike the gradient's lane program (`program.rs`), the rows are the tape's own slots
//! and every lane runs exactly the IEEE operations [`Tape::hvp`] runs for its sample, in
//! the same order, so each sample's value, gradient and `H v` are the same numbers, NaN
//! and infinities included (no shortcut here assumes finite values). The speed comes from
//! running each op and each sweep step as one loop over the chunk's samples, with the op
//! known at compile time, and from two savings that change no number:
//!
//! - only the sweep steps into slots that depend on a parameter run (the adjoints of data
//!   columns are never reported, and nothing that is reported reads the others);
//! - the value and the tangent sweep run in one loop per step (each step reads its op's
//!   adjoint and the adjoint's tangent, both complete by then);
//! - an op that depends on no parameter does not compute its partials' tangents (no step
//!   that runs reads them).
//!
//! A tape whose rows for even [`MIN_WIDTH`] samples would take more than [`LANE_BYTES`]
//! (half a million slots and ops) runs its chunks row by row through [`Tape::hvp`]
//! instead: the same numbers, in a workspace of the tape's size.

use ndarray::ArrayView2;

use crate::backward::{first_pass_on, pass_on};
use crate::branch::holds;
use crate::compiled::shortcuts::has_exp;
use crate::compiled::tape::{second_partials, SweepEdge, TapeGuard};
use crate::compiled::wide;
use crate::op::with_every_op;
use crate::{Op, Result, Tape, Workspace};

/// Most samples per chunk (as the gradient's lanes).
const MAX_WIDTH: usize = 128;
/// Fewest samples per chunk, however large the tape.
const MIN_WIDTH: usize = 8;
/// Bytes of lane rows a chunk aims at, so that they stay in the core's L2 cache.
const BUDGET: usize = 3 << 19;
/// Unused lanes after each row's, so that rows are not a multiple of 4 KiB apart (see the
/// gradient's lanes).
const PAD: usize = 8;
/// Most bytes of lane rows per set of lanes; a larger tape runs row by row.
const LANE_BYTES: usize = 256 << 20;

/// The rows of one chunk, for one tape, column count, parameters and direction.
pub(super) struct HvpLanes {
    /// Samples per chunk.
    width: usize,
    /// Distance between two rows: the width plus [`PAD`].
    stride: usize,
    /// Per slot: its values and their tangents. The leading slots' rows (scratch,
    /// parameters, frozen leaves) are filled once, the data columns' per chunk.
    values: Vec<f64>,
    tangents: Vec<f64>,
    /// Per partial (`2 · op + operand`): the partials and their tangents.
    partials: Vec<f64>,
    partial_tangents: Vec<f64>,
    /// Per slot: the adjoints and their tangents.
    adjoints: Vec<f64>,
    adjoint_tangents: Vec<f64>,
    /// The tape's sweep steps into slots that depend on a parameter, in sweep order.
    steps: Vec<SweepEdge>,
    /// Per op: whether it depends on a parameter (else no step reads its partials'
    /// tangents, and they are not computed).
    op_reaches: Vec<bool>,
    /// `(parameter, slot)` of the parameters whose gradient can be non-zero.
    params: Vec<(usize, usize)>,
    /// Rows of lanes per chunk: 4 per slot, 4 per op.
    rows: usize,
    /// For a tape too large for lanes: its chunks' rows one by one (and no lane rows).
    row_by_row: Option<RowByRow>,
}

/// What [`Tape::hvp`] row by row needs: a workspace, the inputs (a row's data columns,
/// then the parameters) and the direction (0 over the data columns).
struct RowByRow {
    ws: Workspace,
    inputs: Vec<f64>,
    direction: Vec<f64>,
}

impl HvpLanes {
    /// Rows for `tape` whose first `columns` inputs are data columns, at `params`, along
    /// the direction `direction` over the parameters (shapes checked by the caller).
    pub(super) fn new(tape: &Tape, columns: usize, params: &[f64], direction: &[f64]) -> Self {
        Self::at_most(tape, columns, params, direction, LANE_BYTES)
    }

    /// [`HvpLanes::new`] with lane rows of at most `lane_bytes`, else row by row.
    pub(super) fn at_most(
        tape: &Tape,
        columns: usize,
        params: &[f64],
        direction: &[f64],
        lane_bytes: usize,
    ) -> Self {
        let slots = tape.slots();
        let ops = tape.ops.len();
        let rows = 4 * slots + 4 * ops;
        let width = (BUDGET / (8 * rows)).clamp(MIN_WIDTH, MAX_WIDTH);
        let stride = width + PAD;
        if rows.saturating_mul(stride * 8) > lane_bytes {
            let mut inputs = vec![0.0; columns];
            inputs.extend_from_slice(params);
            let mut t = vec![0.0; columns];
            t.extend_from_slice(direction);
            return HvpLanes {
                width,
                stride,
                values: Vec::new(),
                tangents: Vec::new(),
                partials: Vec::new(),
                partial_tangents: Vec::new(),
                adjoints: Vec::new(),
                adjoint_tangents: Vec::new(),
                steps: Vec::new(),
                op_reaches: Vec::new(),
                params: Vec::new(),
                rows,
                row_by_row: Some(RowByRow {
                    ws: tape.workspace(),
                    inputs,
                    direction: t,
                }),
            };
        }
        let mut reaches = vec![false; slots];
        let mut lanes = HvpLanes {
            width,
            stride,
            values: vec![0.0; slots * stride],
            tangents: vec![0.0; slots * stride],
            partials: vec![0.0; 2 * ops * stride],
            partial_tangents: vec![0.0; 2 * ops * stride],
            adjoints: vec![0.0; slots * stride],
            adjoint_tangents: vec![0.0; slots * stride],
            steps: Vec::new(),
            op_reaches: Vec::with_capacity(ops),
            params: Vec::new(),
            rows,
            row_by_row: None,
        };
        // the leading slots as Tape::hvp loads them: recorded values, then the parameters;
        // tangents 0 but for the parameters that can move the output
        for s in 0..tape.first_op {
            lanes.values[s * stride..][..width].fill(tape.init[s]);
        }
        for (j, &p) in params.iter().enumerate() {
            lanes.values[(1 + columns + j) * stride..][..width].fill(p);
        }
        for &(input, slot) in &tape.gradient_slots {
            let (input, slot) = (input as usize, slot as usize);
            if input >= columns {
                let j = input - columns;
                lanes.tangents[slot * stride..][..width].fill(direction[j]);
                lanes.params.push((j, slot));
                reaches[slot] = true;
            }
        }
        for (k, op) in tape.ops.iter().enumerate() {
            let [a, b] = op.args.map(|s| reaches[s as usize]);
            let r = a || (op.op.arity() == 2 && b);
            reaches[tape.first_op + k] = r;
            lanes.op_reaches.push(r);
        }
        lanes.steps = tape
            .sweep
            .iter()
            .filter(|s| reaches[s.src as usize])
            .copied()
            .collect();
        lanes
    }

    /// Samples per chunk: fixed per tape, so serial and parallel runs use the same chunks.
    pub(super) fn width(&self) -> usize {
        self.width
    }

    /// Numbers in the rows of one chunk: how much a chunk computes, roughly.
    pub(super) fn chunk_numbers(&self) -> usize {
        self.rows.saturating_mul(self.stride)
    }

    /// Runs the chunk `data` (at most [`HvpLanes::width`] rows): writes each sample's
    /// output to `out`, and to `sums` the sums over the samples in row order (from 0) of
    /// the outputs, of the parameter gradients, then of the `H v` products
    /// (`1 + 2 · params` numbers). Its loops are compiled for AVX2 where the processor
    /// has it (see [`wide`]).
    pub(super) fn run(
        &mut self,
        tape: &Tape,
        data: ArrayView2<'_, f64>,
        out: &mut [f64],
        sums: &mut [f64],
    ) -> Result<()> {
        wide::run(
            #[inline(always)]
            || self.run_here(tape, data, out, sums),
        )
    }

    #[inline(always)]
    fn run_here(
        &mut self,
        tape: &Tape,
        data: ArrayView2<'_, f64>,
        out: &mut [f64],
        sums: &mut [f64],
    ) -> Result<()> {
        let n = data.nrows();
        debug_assert!(n <= self.width && n == out.len());
        if let Some(row_by_row) = &mut self.row_by_row {
            return row_by_row.run(tape, data, out, sums);
        }
        let w = self.stride;
        for (j, column) in data.columns().into_iter().enumerate() {
            for (lane, &x) in self.values[(1 + j) * w..][..n].iter_mut().zip(column) {
                *lane = x;
            }
        }
        self.forward(tape, n);
        self.check_guards(tape, n)?;
        let output = tape.output as usize;
        self.adjoints[output * w..][..n].fill(1.0);
        self.adjoint_tangents[output * w..][..n].fill(0.0);
        self.sweep(n);

        out.copy_from_slice(&self.values[output * w..][..n]);
        let p = (sums.len() - 1) / 2;
        let (sum, rest) = sums
            .split_first_mut()
            .expect("autodiff internal error: sums");
        let (gradient, hvp) = rest.split_at_mut(p);
        *sum = sum_in_order(out);
        gradient.fill(0.0);
        hvp.fill(0.0);
        for &(j, slot) in &self.params {
            gradient[j] = sum_in_order(&self.adjoints[slot * w..][..n]);
            hvp[j] = sum_in_order(&self.adjoint_tangents[slot * w..][..n]);
        }
        Ok(())
    }

    /// After the forward pass over `n` lanes: the error of the first lane (then the first
    /// guard, in the tape's order) whose guard condition has another outcome than recorded,
    /// as [`Tape::batch`]'s lanes report it.
    fn check_guards(&self, tape: &Tape, n: usize) -> Result<()> {
        let w = self.stride;
        TapeGuard::first_flip(tape.guards.iter().map(|guard| {
            let lanes = &self.values[guard.slot as usize * w..][..n];
            (guard, lanes.iter().position(|&c| holds(c) != guard.held))
        }))
    }

    /// Each op's values, partials, their tangents (and its partials' tangents where a
    /// step reads them), lane by lane, in tape order.
    #[inline(always)]
    fn forward(&mut self, tape: &Tape, n: usize) {
        let w = self.stride;
        for (k, op) in tape.ops.iter().enumerate() {
            let slot = tape.first_op + k;
            let (before, after) = self.values.split_at_mut(slot * w);
            let (t_before, t_after) = self.tangents.split_at_mut(slot * w);
            let [a, b] = op.args;
            let lanes = OpLanes {
                a: row(before, a, w, n),
                b: row(before, b, w, n),
                ta: row(t_before, a, w, n),
                tb: row(t_before, b, w, n),
            };
            let (pa, pb) = self.partials[2 * k * w..][..2 * w].split_at_mut(w);
            let (qa, qb) = self.partial_tangents[2 * k * w..][..2 * w].split_at_mut(w);
            let out = OpOut {
                v: &mut after[..n],
                tv: &mut t_after[..n],
                pa: &mut pa[..n],
                pb: &mut pb[..n],
                qa: &mut qa[..n],
                qb: &mut qb[..n],
            };
            // one loop per op, each with its op a constant: the loop body is that op's math
            macro_rules! specialise {
                ($($plain:ident),*; $($numbered:ident),*) => {
                    match op.op {
                        $(Op::$plain => op_lanes(Op::$plain, &lanes, out, self.op_reaches[k]),)*
                        $(Op::$numbered(c) => {
                            op_lanes(Op::$numbered(c), &lanes, out, self.op_reaches[k])
                        })*
                    }
                };
            }
            with_every_op!(specialise);
        }
    }

    /// The reverse sweep and its tangent, one loop over the lanes per step.
    #[inline(always)]
    fn sweep(&mut self, n: usize) {
        let w = self.stride;
        for step in &self.steps {
            let (dst, src, p) = (step.dst as usize, step.src as usize, step.partial as usize);
            // an operand's slot is below its op's
            let (low, high) = self.adjoints.split_at_mut(dst * w);
            let (t_low, t_high) = self.adjoint_tangents.split_at_mut(dst * w);
            let rows = StepRows {
                adj: &high[..n],
                tadj: &t_high[..n],
                d: &self.partials[p * w..][..n],
                td: &self.partial_tangents[p * w..][..n],
            };
            let (sum, tsum) = (&mut low[src * w..][..n], &mut t_low[src * w..][..n]);
            match (step.first, step.write) {
                (_, true) => step_lanes::<true, true>(&rows, sum, tsum),
                (true, false) => step_lanes::<true, false>(&rows, sum, tsum),
                (false, _) => step_lanes::<false, false>(&rows, sum, tsum),
            }
        }
    }
}

/// Lanes `..n` of row `s` of `rows` (rows `stride` apart).
#[inline(always)]
fn row(rows: &[f64], s: u32, stride: usize, n: usize) -> &[f64] {
    &rows[s as usize * stride..][..n]
}

impl RowByRow {
    /// [`HvpLanes::run`], one [`Tape::hvp`] per row: the numbers each lane computes.
    fn run(
        &mut self,
        tape: &Tape,
        data: ArrayView2<'_, f64>,
        out: &mut [f64],
        sums: &mut [f64],
    ) -> Result<()> {
        let (columns, p) = (data.ncols(), (sums.len() - 1) / 2);
        sums.fill(0.0);
        for (k, (row, out)) in data.rows().into_iter().zip(out).enumerate() {
            for (x, &v) in self.inputs.iter_mut().zip(&row) {
                *x = v;
            }
            // the input count is checked by the batch: an error is a guard's
            let (value, gradient, hvp) = tape
                .hvp(&mut self.ws, &self.inputs, &self.direction)
                .map_err(|e| e.at_row(k))?;
            *out = value;
            sums[0] += value;
            for j in 0..p {
                sums[1 + j] += gradient[columns + j];
                sums[1 + p + j] += hvp[columns + j];
            }
        }
        Ok(())
    }
}

/// An op's operand rows and their tangents.
struct OpLanes<'r> {
    a: &'r [f64],
    b: &'r [f64],
    ta: &'r [f64],
    tb: &'r [f64],
}

/// An op's rows to write: value, its tangent, partials `pa`, `pb` and their tangents
/// `qa`, `qb` (the second of each written by binary ops only).
struct OpOut<'r> {
    v: &'r mut [f64],
    tv: &'r mut [f64],
    pa: &'r mut [f64],
    pb: &'r mut [f64],
    qa: &'r mut [f64],
    qb: &'r mut [f64],
}

/// `op` over the lanes, as [`Tape::hvp`] computes it for one sample: the value and
/// partials as replay does, then `v̇ = ∂a · ȧ + ∂b · ḃ` and (with `second`) the partials'
/// tangents from [`second_partials`].
#[inline(always)]
fn op_lanes(op: Op, x: &OpLanes<'_>, out: OpOut<'_>, second: bool) {
    if has_exp(op) && wide::exp_vectorised() {
        // the lanes' exponentials first, all at once (the same numbers as one at a time)
        for (v, &a) in out.v.iter_mut().zip(x.a) {
            *v = op.exp_argument(a);
        }
        wide::exp_in_place(out.v);
        return match second {
            true => op_lanes_from::<true, true>(op, x, out),
            false => op_lanes_from::<true, false>(op, x, out),
        };
    }
    match second {
        true => op_lanes_from::<false, true>(op, x, out),
        false => op_lanes_from::<false, false>(op, x, out),
    }
}

/// [`op_lanes`]; with `GIVEN_EXP`, `out.v` holds the exponentials the op starts from.
#[inline(always)]
fn op_lanes_from<const GIVEN_EXP: bool, const SECOND: bool>(
    op: Op,
    x: &OpLanes<'_>,
    out: OpOut<'_>,
) {
    let unary = op.arity() == 1;
    let n = out.v.len();
    let (a, b, ta, tb) = (&x.a[..n], &x.b[..n], &x.ta[..n], &x.tb[..n]);
    for i in 0..n {
        let (value, d) = if GIVEN_EXP {
            Op::nan_partials(op.given_exp(a[i], out.v[i]))
        } else {
            wide::eval(op, a[i], b[i])
        };
        out.v[i] = value;
        out.pa[i] = d[0];
        if !unary {
            out.pb[i] = d[1];
        }
        let (da, db) = (ta[i], tb[i]);
        out.tv[i] = d[0] * da + if unary { 0.0 } else { d[1] * db };
        if SECOND {
            let [haa, hab, hbb] = second_partials(op, a[i], b[i], value, d);
            if unary {
                out.qa[i] = haa * da;
            } else {
                out.qa[i] = haa * da + hab * db;
                out.qb[i] = hab * da + hbb * db;
            }
        }
    }
}

/// A sweep step's rows: its op's adjoint and tangent, the partial and its tangent.
struct StepRows<'r> {
    adj: &'r [f64],
    tadj: &'r [f64],
    d: &'r [f64],
    td: &'r [f64],
}

/// One sweep step over the lanes, as [`Tape::hvp`] runs it for one sample:
/// `sum ← sum + adj · d` (written as `adj · d` for an op's first step, `WRITE`), and
/// `tsum ← (tsum + adj̇ · d) + adj · ḋ`, each term passed on only where its adjoint is
/// not 0. With `FIRST` the sums start from 0 rather than being read.
#[inline(always)]
fn step_lanes<const FIRST: bool, const WRITE: bool>(
    rows: &StepRows<'_>,
    sum: &mut [f64],
    tsum: &mut [f64],
) {
    let n = sum.len();
    let (adj, tadj, d, td) = (&rows.adj[..n], &rows.tadj[..n], &rows.d[..n], &rows.td[..n]);
    let tsum = &mut tsum[..n];
    for i in 0..n {
        let old = if FIRST { 0.0 } else { sum[i] };
        sum[i] = if WRITE {
            first_pass_on(adj[i], d[i])
        } else {
            pass_on(old, adj[i], d[i])
        };
        let t_old = if FIRST { 0.0 } else { tsum[i] };
        tsum[i] = pass_on(pass_on(t_old, tadj[i], d[i]), adj[i], td[i]);
    }
}

/// `((0 + x₀) + x₁) + …`: the order of a plain running sum over the samples.
#[inline(always)]
fn sum_in_order(x: &[f64]) -> f64 {
    x.iter().fold(0.0, |sum, &x| sum + x)
}
