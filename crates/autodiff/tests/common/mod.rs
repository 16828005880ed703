//! Helpers shared by the integration tests: one comparison with Stan's NaN/∞ semantics.
#![allow(dead_code)] // each test binary uses a different subset

/// Whether `actual` is within `atol + rtol·|expected|` of `expected`, where NaN matches only
/// NaN and an infinity only the same infinity (Stan's `expect_near_rel` semantics).
pub fn close(actual: f64, expected: f64, rtol: f64, atol: f64) -> bool {
    if expected.is_nan() || actual.is_nan() {
        return expected.is_nan() && actual.is_nan();
    }
    if expected.is_infinite() || actual.is_infinite() {
        return expected == actual;
    }
    (actual - expected).abs() <= atol + rtol * expected.abs()
}

/// Asserts [`close`], naming what was compared.
#[track_caller]
pub fn assert_close(actual: f64, expected: f64, rtol: f64, atol: f64, what: &str) {
    assert!(
        close(actual, expected, rtol, atol),
        "{what}: got {actual:e}, expected {expected:e} (rtol {rtol:e}, atol {atol:e}, \
         difference {:e})",
        actual - expected
    );
}

/// Distance in units in the last place between two finite numbers of the same sign
/// (`u64::MAX` when they straddle zero, differ in sign, or either is not finite).
pub fn ulps(a: f64, b: f64) -> u64 {
    if a == b {
        return 0;
    }
    if !a.is_finite() || !b.is_finite() || a.is_sign_negative() != b.is_sign_negative() {
        return u64::MAX;
    }
    a.to_bits().abs_diff(b.to_bits())
}

/// Whether `actual` is within `max_ulps` of `expected` or within relative `rtol` of it
/// (NaN matches NaN, infinities match themselves).
pub fn close_ulps_or_rel(actual: f64, expected: f64, max_ulps: u64, rtol: f64) -> bool {
    if expected.is_nan() || actual.is_nan() {
        return expected.is_nan() && actual.is_nan();
    }
    ulps(actual, expected) <= max_ulps || close(actual, expected, rtol, 0.0)
}

/// Bitwise equality of two slices (0.0 ≠ -0.0), except that any NaN equals any NaN: Rust
/// leaves the sign and payload of a NaN produced by arithmetic unspecified (an operation
/// on two NaNs may return either, as the compiler orders the operands), so the bits of a
/// NaN are not a property of the computation.
pub fn bit_identical(a: &[f64], b: &[f64]) -> bool {
    let same = |x: &f64, y: &f64| x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan());
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same(x, y))
}
