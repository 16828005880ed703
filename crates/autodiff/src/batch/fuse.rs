//! Products added in the same loop: `z + x·y` as one pass over the lanes when nothing but
//! the sum reads the product (a neuron's multiply-adds), so the product is never stored.

use super::plan::{Forward, Source, Step};
use crate::{Op, Tape};

/// `forward` with each `Mul` whose value only the next op, an `Add`, reads (not the sweep,
/// not the output) folded into that `Add`. The sum is the same number: `z + m` and
/// `m + z` are equal for every non-NaN result, and a chunk with a NaN value is replayed
/// row by row anyway.
pub(super) fn products(
    tape: &Tape,
    forward: Vec<Forward>,
    sweep: &[Step],
    output: Source,
) -> Vec<Forward> {
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
    fused
}
