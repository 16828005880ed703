//! Two ops, or two sweep steps, in one pass over the lanes: the last passes of
//! [`Plan::new`](super::program::Plan), rewriting the lane program (`program.rs`, the only
//! module this one uses).
//!
//! - Forward: `z + x·y` in one loop when nothing but the sum reads the product (a neuron's
//!   multiply-adds), so the product is never stored; and a chain of them, each sum read
//!   only by the next, summed in the last one's row (which stays in L1 cache) without
//!   storing the others.
//! - Sweep: a weight's gradient `Σ adj·x` and its input's adjoint `adj·w` in one call,
//!   while the op's adjoint row is in L1 cache; and a run of weights' gradients from one
//!   adjoint row (a neuron's, whose inputs are data) through one dispatch.

use super::program::{Dest, LaneOp, LaneStep, PairedStep, RowOrScalar};
use crate::{Op, Tape};

/// `ops` with each `Mul` whose value only the next op, an `Add`, reads (not the sweep,
/// not the output) folded into that `Add`. The sum is the same number: `z + m` and
/// `m + z` are equal for every non-NaN result, and a chunk with a NaN value is replayed
/// row by row anyway. A guard's condition counts as a read. Then consecutive such sums of a parameter times a row, each sum
/// read only by the next, become one chain (returned with its terms).
pub(super) fn fuse_multiply_adds(
    tape: &Tape,
    ops: Vec<LaneOp>,
    sweep: &[LaneStep],
    output: RowOrScalar,
    guards: &[RowOrScalar],
) -> (Vec<LaneOp>, Vec<(u32, u32)>) {
    // how many times each value row is read: as an operand, a sweep factor, the output
    let mut reads = vec![0u32; tape.ops.len() + tape.inputs + 1];
    let mut read = |s: RowOrScalar| {
        if let RowOrScalar::Row(r) = s {
            if let Some(count) = reads.get_mut(r as usize) {
                *count += 1;
            }
        }
    };
    for f in &ops {
        read(f.a);
        if f.op.arity() == 2 {
            read(f.b);
        }
    }
    for step in sweep {
        read(step.factor);
    }
    read(output);
    for &guard in guards {
        read(guard);
    }

    let mut fused = Vec::with_capacity(ops.len());
    let mut k = 0;
    while k < ops.len() {
        let f = ops[k];
        if let Some(&next) = ops.get(k + 1) {
            let lone = |s: RowOrScalar| matches!(s, RowOrScalar::Row(r) if r == f.value_row);
            if f.op == Op::Mul
                && next.op == Op::Add
                && (lone(next.a) != lone(next.b))
                && reads.get(f.value_row as usize) == Some(&1)
            {
                let z = if lone(next.a) { next.b } else { next.a };
                fused.push(LaneOp {
                    a: z,
                    b: z,
                    product: Some((f.a, f.b)),
                    ..next
                });
                k += 2;
                continue;
            }
        }
        fused.push(f);
        k += 1;
    }
    chain_multiply_adds(fused, &reads)
}

/// See [`fuse_multiply_adds`].
fn chain_multiply_adds(fused: Vec<LaneOp>, reads: &[u32]) -> (Vec<LaneOp>, Vec<(u32, u32)>) {
    use RowOrScalar::{Row, Scalar};
    // a product of a scalar and a row, as (scalar, row)
    let term = |f: &LaneOp| match f.product {
        Some((Scalar(w), Row(h)) | (Row(h), Scalar(w))) => Some((w, h)),
        _ => None,
    };
    let mut out: Vec<LaneOp> = Vec::with_capacity(fused.len());
    let mut terms = Vec::new();
    for f in fused {
        if let (Some(t), Some(last)) = (term(&f), out.last_mut()) {
            let next = matches!(f.a, RowOrScalar::Row(r) if r == last.value_row)
                && reads.get(last.value_row as usize) == Some(&1);
            if next {
                if let Some((first, count)) = last.chain {
                    // the chain's terms are the last ones pushed
                    last.chain = Some((first, count + 1));
                    terms.push(t);
                    last.value_row = f.value_row;
                    continue;
                }
                if let Some(previous) = term(last) {
                    last.chain = Some((to_u32(terms.len()), 2));
                    last.product = None;
                    terms.extend([previous, t]);
                    last.value_row = f.value_row;
                    continue;
                }
            }
        }
        out.push(f);
    }
    (out, terms)
}

fn to_u32(i: usize) -> u32 {
    u32::try_from(i).expect("autodiff internal error: fewer terms than ops")
}

/// `sweep` with each step into a parameter's gradient followed, from the same op, by a
/// step into an adjoint row, merged into one step, where neither skips zero adjoints
/// (the merged loop does not skip them). Each step's arithmetic is unchanged.
pub(super) fn pair_steps(sweep: Vec<LaneStep>) -> Vec<LaneStep> {
    let mut merged: Vec<LaneStep> = Vec::with_capacity(sweep.len());
    for step in sweep {
        if let Some(last) = merged.last_mut() {
            let into_row = match step.dest {
                Dest::Write(r) => Some((r, true)),
                Dest::Add(r) => Some((r, false)),
                Dest::Gradient(_) => None,
            };
            if let (Dest::Gradient(_), Some((row, write))) = (last.dest, into_row) {
                if last.paired.is_none()
                    && !last.skip_zero_adjoint
                    && !step.skip_zero_adjoint
                    && last.adjoint_row == step.adjoint_row
                {
                    last.paired = Some(PairedStep {
                        factor: step.factor,
                        row,
                        write,
                    });
                    continue;
                }
            }
        }
        merged.push(step);
    }
    merged
}

/// `sweep` with each run of two or more consecutive steps from one adjoint row, each into a
/// parameter's gradient with a row as its factor, neither skipping zero adjoints nor
/// paired, merged into one step (see [`LaneStep::run`]); and the runs' `(parameter, row)`
/// pairs. Each step's arithmetic is unchanged, and so is their order.
pub(super) fn run_gradient_steps(sweep: Vec<LaneStep>) -> (Vec<LaneStep>, Vec<(u32, u32)>) {
    let single = |s: &LaneStep| match (s.dest, s.factor) {
        (Dest::Gradient(p), RowOrScalar::Row(r)) if !s.skip_zero_adjoint && s.paired.is_none() => {
            Some((p, r))
        }
        _ => None,
    };
    let mut merged: Vec<LaneStep> = Vec::with_capacity(sweep.len());
    let mut terms = Vec::new();
    for step in sweep {
        if let (Some(term), Some(last)) = (single(&step), merged.last_mut()) {
            if last.adjoint_row == step.adjoint_row {
                if let Some((first, count)) = last.run {
                    last.run = Some((first, count + 1));
                    terms.push(term);
                    continue;
                }
                if let Some(previous) = single(last) {
                    last.run = Some((to_u32(terms.len()), 2));
                    terms.extend([previous, term]);
                    continue;
                }
            }
        }
        merged.push(step);
    }
    (merged, terms)
}
