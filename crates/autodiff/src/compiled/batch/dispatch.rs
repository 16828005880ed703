//! The kernels of [`kernels`] instantiated for each kind of operand source (a row of lanes
//! or a scalar), chosen once per op or step.

use super::kernels;
use super::program::RowOrScalar;

/// [`kernels::sum_and_write`] for each kind of factor.
#[inline(always)]
pub(super) fn sum_and_write<'r>(
    adj: &[f64],
    f: RowOrScalar,
    g: RowOrScalar,
    write: bool,
    acc: &mut [f64],
    row: impl Fn(u32) -> &'r [f64],
    scalar: impl Fn(u32) -> f64,
) -> f64 {
    macro_rules! go {
        ($f:expr, $g:expr) => {
            if write {
                kernels::sum_and_write::<true, _, _>(adj, $f, $g, acc)
            } else {
                kernels::sum_and_write::<false, _, _>(adj, $f, $g, acc)
            }
        };
    }
    match (f, g) {
        (RowOrScalar::Row(f), RowOrScalar::Scalar(g)) => go!(row(f), scalar(g)),
        (RowOrScalar::Row(f), RowOrScalar::Row(g)) => go!(row(f), row(g)),
        (RowOrScalar::Scalar(f), RowOrScalar::Row(g)) => go!(scalar(f), row(g)),
        (RowOrScalar::Scalar(f), RowOrScalar::Scalar(g)) => go!(scalar(f), scalar(g)),
    }
}

/// [`kernels::mul_add`] for each kind of operand source.
#[inline(always)]
pub(super) fn mul_add<'r>(
    x: RowOrScalar,
    y: RowOrScalar,
    z: RowOrScalar,
    row: impl Fn(u32) -> &'r [f64],
    scalar: impl Fn(u32) -> f64,
    v: &mut [f64],
) -> bool {
    use kernels::mul_add as go;
    use RowOrScalar::{Row, Scalar};
    match (x, y, z) {
        (Scalar(x), Row(y), Row(z)) => go(scalar(x), row(y), row(z), v),
        (Scalar(x), Row(y), Scalar(z)) => go(scalar(x), row(y), scalar(z), v),
        (Row(x), Scalar(y), Row(z)) => go(row(x), scalar(y), row(z), v),
        (Row(x), Scalar(y), Scalar(z)) => go(row(x), scalar(y), scalar(z), v),
        (Row(x), Row(y), Row(z)) => go(row(x), row(y), row(z), v),
        (Row(x), Row(y), Scalar(z)) => go(row(x), row(y), scalar(z), v),
        (Scalar(x), Scalar(y), Row(z)) => go(scalar(x), scalar(y), row(z), v),
        (Scalar(x), Scalar(y), Scalar(z)) => go(scalar(x), scalar(y), scalar(z), v),
    }
}

/// [`kernels::op_lanes`] for each kind of operand source.
#[allow(clippy::too_many_arguments)] // the kernel's five plus the two ways to read a source
#[inline(always)]
pub(super) fn op_lanes<'r>(
    op: crate::Op,
    a: RowOrScalar,
    b: RowOrScalar,
    row: impl Fn(u32) -> &'r [f64],
    scalar: impl Fn(u32) -> f64,
    v: &mut [f64],
    pa: &mut [f64],
    pb: &mut [f64],
) -> bool {
    use kernels::op_lanes as go;
    use RowOrScalar::{Row, Scalar};
    match (a, b) {
        (Row(a), Row(b)) => go(op, row(a), row(b), v, pa, pb),
        (Row(a), Scalar(b)) => go(op, row(a), scalar(b), v, pa, pb),
        (Scalar(a), Row(b)) => go(op, scalar(a), row(b), v, pa, pb),
        (Scalar(a), Scalar(b)) => go(op, scalar(a), scalar(b), v, pa, pb),
    }
}
