//! Two ops, or two sweep steps, in one pass over the lanes.
//!
//! - Forward: `z + x·y` in one loop when nothing but the sum reads the product (a neuron's
//!   multiply-adds), so the product is never stored; and a chain of them, each sum read
//!   only by the next, summed in the last one's row (which stays in L1 cache) without
//!   storing the others.
//! - Sweep: a weight's gradient `Σ adj·x` and its input's adjoint `adj·w` in one call,
//!   while the op's adjoint row is in L1 cache.

use super::plan::{Forward, Source, Step, Target};
use crate::{Op, Tape};

/// `forward` with each `Mul` whose value only the next op, an `Add`, reads (not the sweep,
/// not the output) folded into that `Add`. The sum is the same number: `z + m` and
/// `m + z` are equal for every non-NaN result, and a chunk with a NaN value is replayed
/// row by row anyway. Then consecutive such sums of a parameter times a row, each sum
/// read only by the next, become one chain (returned with its terms).
pub(super) fn products(
    tape: &Tape,
    forward: Vec<Forward>,
    sweep: &[Step],
    output: Source,
) -> (Vec<Forward>, Vec<(u32, u32)>) {
    // how many times each value row is read: as an operand, a sweep factor, the output
    let mut reads = vec![0u32; tape.ops.len() + tape.inputs + 1];
    let mut read = |s: Source| {
        if let Source::Row(r) = s {
            if let Some(count) = reads.get_mut(r as usize) {
                *count += 1;
            }
        }
    };
    for f in &forward {
        read(f.a);
        if f.op.arity() == 2 {
            read(f.b);
        }
    }
    for step in sweep {
        read(step.factor);
    }
    read(output);

    let mut fused = Vec::with_capacity(forward.len());
    let mut k = 0;
    while k < forward.len() {
        let f = forward[k];
        if let Some(&next) = forward.get(k + 1) {
            let lone = |s: Source| matches!(s, Source::Row(r) if r == f.dst);
            if f.op == Op::Mul
                && next.op == Op::Add
                && (lone(next.a) != lone(next.b))
                && reads.get(f.dst as usize) == Some(&1)
            {
                let z = if lone(next.a) { next.b } else { next.a };
                fused.push(Forward {
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
    chains(fused, &reads)
}

/// See [`products`].
fn chains(fused: Vec<Forward>, reads: &[u32]) -> (Vec<Forward>, Vec<(u32, u32)>) {
    // a product of a scalar and a row, as (scalar, row)
    let term = |f: &Forward| match f.product {
        Some((Source::Scalar(w), Source::Row(h)) | (Source::Row(h), Source::Scalar(w))) => {
            Some((w, h))
        }
        _ => None,
    };
    let mut out: Vec<Forward> = Vec::with_capacity(fused.len());
    let mut terms = Vec::new();
    for f in fused {
        if let (Some(t), Some(last)) = (term(&f), out.last_mut()) {
            let next = matches!(f.a, Source::Row(r) if r == last.dst)
                && reads.get(last.dst as usize) == Some(&1);
            if next {
                if let Some((first, count)) = last.chain {
                    // the chain's terms are the last ones pushed
                    last.chain = Some((first, count + 1));
                    terms.push(t);
                    last.dst = f.dst;
                    continue;
                }
                if let Some(previous) = term(last) {
                    last.chain = Some((to_u32(terms.len()), 2));
                    last.product = None;
                    terms.extend([previous, t]);
                    last.dst = f.dst;
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

/// `sweep` with each unguarded step into a parameter's gradient followed, from the same
/// op, by an unguarded step into an adjoint row, merged into one step. Each step's
/// arithmetic is unchanged.
pub(super) fn steps(sweep: Vec<Step>) -> Vec<Step> {
    let mut merged: Vec<Step> = Vec::with_capacity(sweep.len());
    for step in sweep {
        if let Some(last) = merged.last_mut() {
            let into_row = match step.target {
                Target::Write(r) => Some((r, true)),
                Target::Add(r) => Some((r, false)),
                Target::Gradient(_) => None,
            };
            if let (Target::Gradient(_), Some((row, write))) = (last.target, into_row) {
                if last.then.is_none() && !last.guard && !step.guard && last.adjoint == step.adjoint
                {
                    last.then = Some((step.factor, row, write));
                    continue;
                }
            }
        }
        merged.push(step);
    }
    merged
}
