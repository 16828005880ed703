//! The loops over a chunk's lanes: one op forward, one sweep step backward.
//!
//! Each loop is generic over where its operands come from (a row of lanes or one scalar)
//! and is called with an op known at compile time, so the match inside [`Op::eval`] folds
//! away and the loop body is that op's math alone (vectorised where the op allows).

use crate::compiled::shortcuts::{has_exp, partial_sources, Partial};
use crate::compiled::wide;
use crate::op::with_every_op;
use crate::Op;

/// A number per lane: a row's lane `i`, or the same scalar for every lane.
pub(super) trait Lane: Copy {
    /// Lane `i`.
    fn at(self, i: usize) -> f64;
    /// Lanes `i..i + 8`.
    fn eight(self, i: usize) -> [f64; 8];
}

impl Lane for &[f64] {
    #[inline(always)]
    fn at(self, i: usize) -> f64 {
        self[i]
    }

    #[inline(always)]
    fn eight(self, i: usize) -> [f64; 8] {
        self[i..i + 8]
            .try_into()
            .expect("autodiff internal error: eight lanes")
    }
}

impl Lane for f64 {
    #[inline(always)]
    fn at(self, _: usize) -> f64 {
        self
    }

    #[inline(always)]
    fn eight(self, _: usize) -> [f64; 8] {
        [self; 8]
    }
}

/// `v = op(a, b)` lane by lane, with the op's computed partials written to `pa` (and `pb`
/// for binary ops) when it has any; the others are not stored (see the plan). Returns
/// whether a value is NaN where a partial was not stored (the sweep's shortcuts then do
/// not hold).
#[inline(always)]
pub(super) fn op_lanes<A: Lane, B: Lane>(
    op: Op,
    a: A,
    b: B,
    v: &mut [f64],
    pa: &mut [f64],
    pb: &mut [f64],
) -> bool {
    // one loop per op, each with its op a constant: the loop body is that op's formula
    macro_rules! specialise {
        ($($plain:ident),*; $($numbered:ident),*) => {
            match op {
                $(Op::$plain => each(Op::$plain, a, b, v, pa, pb),)*
                $(Op::$numbered(c) => each(Op::$numbered(c), a, b, v, pa, pb),)*
            }
        };
    }
    with_every_op!(specialise)
}

#[inline(always)]
fn each<A: Lane, B: Lane>(
    op: Op,
    a: A,
    b: B,
    v: &mut [f64],
    pa: &mut [f64],
    pb: &mut [f64],
) -> bool {
    if has_exp(op) && wide::exp_vectorised() {
        // the lanes' exponentials first, all at once (the same numbers as one at a time)
        for (i, v) in v.iter_mut().enumerate() {
            *v = op.exp_argument(a.at(i));
        }
        wide::exp_in_place(v);
        return store::<true, _, _>(op, a, b, v, pa, pb);
    }
    store::<false, _, _>(op, a, b, v, pa, pb)
}

/// Lane `i` of `op(a, b)`: with `GIVEN_EXP`, from `e`, the exponential the op starts from.
#[inline(always)]
fn lane<const GIVEN_EXP: bool, A: Lane, B: Lane>(
    op: Op,
    a: A,
    b: B,
    i: usize,
    e: f64,
) -> (f64, [f64; 2]) {
    if GIVEN_EXP {
        Op::nan_partials(op.given_exp(a.at(i), e))
    } else {
        op.eval(a.at(i), b.at(i))
    }
}

/// Each lane's value (and partials) stored as [`op_lanes`] says; with `GIVEN_EXP`, `v`
/// holds the exponentials the op starts from, each read before it is overwritten.
#[inline(always)]
fn store<const GIVEN_EXP: bool, A: Lane, B: Lane>(
    op: Op,
    a: A,
    b: B,
    v: &mut [f64],
    pa: &mut [f64],
    pb: &mut [f64],
) -> bool {
    let eval = |i: usize, e: f64| lane::<GIVEN_EXP, A, B>(op, a, b, i, e);
    let n = v.len();
    let sources = partial_sources(op);
    let binary = op.arity() == 2;
    let computed = sources[0] == Partial::Computed || (binary && sources[1] == Partial::Computed);
    if !computed {
        // nothing stored: the values alone, and whether one is not finite
        let mut bad = false;
        for (i, v) in v.iter_mut().enumerate() {
            let (value, _) = eval(i, *v);
            *v = value;
            bad |= (value * 0.0).is_nan(); // x · 0 is NaN unless x is finite
        }
        return bad;
    }
    if pa.is_empty() {
        // computed partials that no sweep step reads
        for (i, v) in v.iter_mut().enumerate() {
            *v = eval(i, *v).0;
        }
    } else if binary {
        let (pa, pb) = (&mut pa[..n], &mut pb[..n]);
        for i in 0..n {
            let (value, [da, db]) = eval(i, v[i]);
            v[i] = value;
            pa[i] = da;
            pb[i] = db;
        }
    } else {
        let pa = &mut pa[..n];
        for i in 0..n {
            let (value, [da, _]) = eval(i, v[i]);
            v[i] = value;
            pa[i] = da;
        }
    }
    false
}

/// `v = z + x · y` lane by lane, as [`Op::Mul`] then [`Op::Add`] would compute it, the
/// product kept in a register; returns whether a sum is not finite (a product that is not
/// finite makes its sum not finite too).
#[inline(always)]
pub(super) fn mul_add<X: Lane, Y: Lane, Z: Lane>(x: X, y: Y, z: Z, v: &mut [f64]) -> bool {
    let mut bad = false;
    for (i, v) in v.iter_mut().enumerate() {
        let (product, _) = Op::Mul.eval(x.at(i), y.at(i));
        let (sum, _) = Op::Add.eval(z.at(i), product);
        *v = sum;
        bad |= (sum * 0.0).is_nan(); // x · 0 is NaN unless x is finite
    }
    bad
}

/// `v = ((z + w₀·h₀) + w₁·h₁) + …` lane by lane, each step as [`Op::Mul`] then [`Op::Add`]
/// would compute it; `terms` are `(scalar, row)` pairs of `scalars` and of the rows of
/// `values` (`stride` apart). Returns whether a result is not finite (a sum or product that
/// is not finite makes every later sum so too).
///
/// The lanes go thirty-two at a time (then sixteen, eight, one): their running sums stay
/// in registers while every term is added, so a term costs one load of its row's lanes,
/// not a load and a store of the sums as well, and its scalar and row are looked up once
/// per block. Each lane's sums are the same, in the same order.
#[inline(always)]
pub(super) fn dot<Z: Lane>(
    z: Z,
    terms: &[(u32, u32)],
    values: &[f64],
    stride: usize,
    scalars: &[f64],
    v: &mut [f64],
) -> bool {
    let n = v.len();
    let mut start = 0;
    while start + 32 <= n {
        let sums = dot_block::<32, Z>(z, terms, values, stride, scalars, start);
        v[start..start + 32].copy_from_slice(&sums);
        start += 32;
    }
    while start + 16 <= n {
        let sums = dot_block::<16, Z>(z, terms, values, stride, scalars, start);
        v[start..start + 16].copy_from_slice(&sums);
        start += 16;
    }
    while start + 8 <= n {
        let sums = dot_block::<8, Z>(z, terms, values, stride, scalars, start);
        v[start..start + 8].copy_from_slice(&sums);
        start += 8;
    }
    for (i, v) in v.iter_mut().enumerate().skip(start) {
        [*v] = dot_block::<1, Z>(z, terms, values, stride, scalars, i);
    }
    let mut bad = false;
    for &v in v.iter() {
        bad |= (v * 0.0).is_nan(); // x · 0 is NaN unless x is finite
    }
    bad
}

/// Lanes `start..start + B` of [`dot`]: the running sums in `B` registers' worth of numbers.
#[inline(always)]
fn dot_block<const B: usize, Z: Lane>(
    z: Z,
    terms: &[(u32, u32)],
    values: &[f64],
    stride: usize,
    scalars: &[f64],
    start: usize,
) -> [f64; B] {
    let mut sums: [f64; B] = std::array::from_fn(|l| z.at(start + l));
    for &(w, h) in terms {
        let w = scalars[w as usize];
        let h: &[f64; B] = values[h as usize * stride + start..][..B]
            .try_into()
            .expect("autodiff internal error: a block of lanes");
        for (sum, &h) in sums.iter_mut().zip(h) {
            *sum = Op::Add.eval(*sum, Op::Mul.eval(w, h).0).0;
        }
    }
    sums
}

// `SKIP` (a step's `skip_zero_adjoint`): skip the lanes where `adj` is 0, as the graph's
// reverse sweep does not pass zero adjoints on. That matters only where `f` is infinite or
// NaN (`0 · ∞`); with a finite `f` the loop without the skip gives the same numbers but for
// the sign of a zero adjoint, which is never read: an op's zero adjoint is not passed on,
// and a parameter's lanes are summed starting from +0 (`+0 + −0 = +0`). For the same
// reason the first contribution is written as `adj · f` rather than the sweep's
// `0 + adj · f`, and sums add `adj · f`.

/// `acc = adj · f` lane by lane: the first contribution.
#[inline(always)]
pub(super) fn write<const SKIP: bool, F: Lane>(acc: &mut [f64], adj: &[f64], f: F) {
    let adj = &adj[..acc.len()];
    for (i, acc) in acc.iter_mut().enumerate() {
        let sum = adj[i] * f.at(i);
        *acc = if !SKIP || adj[i] != 0.0 { sum } else { 0.0 };
    }
}

/// `acc += adj · f` lane by lane.
#[inline(always)]
pub(super) fn add<const SKIP: bool, F: Lane>(acc: &mut [f64], adj: &[f64], f: F) {
    let adj = &adj[..acc.len()];
    for (i, acc) in acc.iter_mut().enumerate() {
        let sum = *acc + adj[i] * f.at(i);
        *acc = if !SKIP || adj[i] != 0.0 { sum } else { *acc };
    }
}

/// `Σ adj · f` over the lanes (where `adj` is not 0 if `SKIP`): what
/// [`write`](fn@write) followed by [`sum`] gives, without the row.
#[inline(always)]
pub(super) fn write_sum<const SKIP: bool, F: Lane>(adj: &[f64], f: F) -> f64 {
    let mut acc = [0.0; 8];
    let mut chunks = adj.chunks_exact(8);
    for (c, adj) in (&mut chunks).enumerate() {
        let f = f.eight(8 * c);
        for j in 0..8 {
            let term = adj[j] * f[j];
            acc[j] += if !SKIP || adj[j] != 0.0 { term } else { 0.0 };
        }
    }
    let mut total = combine(acc);
    let whole = adj.len() - chunks.remainder().len();
    for (i, &adj) in chunks.remainder().iter().enumerate() {
        let term = adj * f.at(whole + i);
        total += if !SKIP || adj != 0.0 { term } else { 0.0 };
    }
    total
}

/// For each `(p, r)` of `terms`, `gradient[p]` = [`write_sum`] (without the skip) of `adj`
/// and row `r` of `values`: the same sums, on wide vectors where the processor has them
/// (see [`wide::row_dots`]).
#[inline(always)]
pub(super) fn row_dots(
    adj: &[f64],
    terms: &[(u32, u32)],
    values: &[f64],
    stride: usize,
    gradient: &mut [f64],
) {
    if !wide::row_dots(adj, terms, values, stride, gradient) {
        for &(p, r) in terms {
            let f = &values[r as usize * stride..][..adj.len()];
            gradient[p as usize] = write_sum::<false, _>(adj, f);
        }
    }
}

/// [`write`](fn@write) (or [`add`]) of `adj · g` into `acc`, then [`write_sum`] of
/// `adj · f`, neither skipping zero adjoints, in one call (the adjoint row is still in L1
/// cache for the second loop).
#[inline(always)]
pub(super) fn sum_and_write<const WRITE: bool, F: Lane, G: Lane>(
    adj: &[f64],
    f: F,
    g: G,
    acc: &mut [f64],
) -> f64 {
    let acc = &mut acc[..adj.len()];
    // the acc rows first (a plain loop), then the lane sum (eight running sums)
    for (i, (acc, &adj)) in acc.iter_mut().zip(adj).enumerate() {
        let t = adj * g.at(i);
        *acc = if WRITE { t } else { *acc + t };
    }
    write_sum::<false, F>(adj, f)
}

/// The sum of `x` in a fixed order: eight interleaved running sums, then combined.
#[inline(always)]
pub(super) fn sum(x: &[f64]) -> f64 {
    let mut acc = [0.0; 8];
    let mut chunks = x.chunks_exact(8);
    for chunk in &mut chunks {
        for (a, &c) in acc.iter_mut().zip(chunk) {
            *a += c;
        }
    }
    let mut total = combine(acc);
    for &r in chunks.remainder() {
        total += r;
    }
    total
}

#[inline(always)]
fn combine(acc: [f64; 8]) -> f64 {
    // as two-lane vectors: (0,1) + (4,5), (2,3) + (6,7), their sum, then its two lanes,
    // so the running sums can stay in vector registers lane for lane
    ((acc[0] + acc[4]) + (acc[2] + acc[6])) + ((acc[1] + acc[5]) + (acc[3] + acc[7]))
}
