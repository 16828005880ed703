//! The lanes' loops compiled for wide vectors, and `eˣ` four lanes (or one) at a time, with
//! the numbers of the plain scalar code bit for bit.
//!
//! [`run`] runs a chunk with its loops compiled for AVX2 and FMA when the processor has
//! them (checked once), so that they take four lanes per instruction instead of two. The
//! numbers cannot change: every operation is the same IEEE operation on each lane whatever
//! the vector width, and Rust never fuses a multiply and an add that are not written as
//! [`f64::mul_add`].
//!
//! The batch kernels of `eˣ`, the sigmoid and softplus spent most of their time in the
//! scalar `exp` of the C library. On x86-64 Linux with glibc (2.28 and later) that `exp`
//! is, on a processor with AVX2 and FMA, one fixed sequence of fused multiply-adds around a
//! 128-entry table of `2^(i/128)` (Szabolcs Nagy's algorithm, from Arm's optimized-routines).
//! [`exp_in_place`] runs the same sequence on four lanes at once, so the lanes get the very
//! numbers the scalar call would give, about three times faster. [`exp`] is the same code on
//! one argument, which recording ([`eval`]) and tape replay call for those ops: a direct
//! call in place of the C library's two (its wrapper, then the FMA variant), 29
//! instructions instead of 72. The gradient replay runs inside [`run`], where that call is
//! inlined.
//!
//! Nothing here assumes the C library is that one. The first call checks the vector code
//! against [`f64::exp`] over [`PROBES`] arguments spread over the whole range (and the
//! special ones: zeros, infinities, NaN, the overflow and underflow edges); if the
//! processor lacks AVX2 or FMA, or any result differs in any bit, every call takes the
//! scalar [`f64::exp`] instead. The table is computed here (at compile time, in 126-bit
//! fixed point), not copied; the polynomial's coefficients and the reduction constants
//! are the algorithm's published ones.
//!
//! Arguments the fast path does not cover (`|x| ≥ 512`, `|x| < 2⁻⁵⁴`, infinities, NaN)
//! are passed to [`f64::exp`] one by one, as the scalar code branches to its special
//! cases there.
//!
//! [`row_dots`] is the one lane loop written with intrinsics rather than left to the
//! compiler: the lane sums of a run of weight gradients, which the compiler vectorised two
//! lanes at a time; the same additions in the same order, four at a time.

use std::sync::OnceLock;

use crate::Op;

/// Table entries: `2^(i/N)` for `i` in `0..N`.
const N: usize = 128;

/// Number of arguments the first call checks against [`f64::exp`] (plus the special ones).
const PROBES: usize = 4096;

/// `f()`, with its loops compiled for AVX2 and FMA when the processor has them.
#[inline(always)]
pub(crate) fn run<R>(f: impl FnOnce() -> R) -> R {
    if wide() {
        // SAFETY: the processor has AVX2 and FMA, checked (once) by `wide`.
        #[allow(unsafe_code)]
        unsafe {
            simd::run(f)
        }
    } else {
        f()
    }
}

/// Whether the processor has AVX2 and FMA (checked once).
#[inline(always)]
fn wide() -> bool {
    static WIDE: OnceLock<bool> = OnceLock::new();
    *WIDE.get_or_init(simd::available)
}

/// For each `(p, r)` of `terms`, `gradient[p] = Σ adj · f` over the lanes, where `f` is
/// row `r` of `values` (rows `stride` apart): a run of a neuron's weight gradients from
/// data columns. Each sum is added as the batch kernels' `write_sum` adds it (lane `i` into
/// running sum `i mod 8`, then `((s₀ + s₄) + (s₂ + s₆)) + ((s₁ + s₅) + (s₃ + s₇))`, then
/// the lanes past the last whole eight in order), here on two vectors of four running sums
/// (left to itself, the compiler keeps the eight as four vectors of two). Returns `false`,
/// having done nothing, where the processor lacks AVX2 and FMA.
#[inline(always)]
pub(crate) fn row_dots(
    adj: &[f64],
    terms: &[(u32, u32)],
    values: &[f64],
    stride: usize,
    gradient: &mut [f64],
) -> bool {
    if !wide() {
        return false;
    }
    // SAFETY: the processor has AVX2 and FMA, checked just above.
    #[allow(unsafe_code)]
    unsafe {
        simd::row_dots(adj, terms, values, stride, gradient);
    }
    true
}

/// Whether [`exp_in_place`] takes the four-lane path on this machine (decided on first use).
pub(crate) fn exp_vectorised() -> bool {
    static VECTORISED: OnceLock<bool> = OnceLock::new();
    *VECTORISED.get_or_init(|| simd::available() && agrees_with_libm())
}

/// `eˣ`, bit for bit [`f64::exp`]: the vector path's code on one lane where it is checked to
/// agree (a direct call, no C library wrapper), [`f64::exp`] otherwise.
#[inline]
pub(crate) fn exp(x: f64) -> f64 {
    if exp_vectorised() {
        // SAFETY: the vector path is taken only where the processor has AVX2 and FMA.
        #[allow(unsafe_code)]
        unsafe {
            simd::exp_one(x)
        }
    } else {
        x.exp()
    }
}

/// [`Op::eval`], with `eˣ`, the sigmoid and softplus taking their exponential from [`exp`]:
/// the same bits, in fewer instructions. Recording calls this; the op table stays plain.
#[inline(always)]
pub(crate) fn eval(op: Op, a: f64, b: f64) -> (f64, [f64; 2]) {
    Op::nan_partials(value_and_partials(op, a, b))
}

/// [`Op::value_and_partials`] with the exponential from [`exp`], as [`eval`]: for loops
/// that mend the partials of NaN values once at the end (tape replay).
#[inline(always)]
pub(crate) fn value_and_partials(op: Op, a: f64, b: f64) -> (f64, [f64; 2]) {
    let via_exp = |op: Op, x: f64| op.given_exp(x, exp(op.exp_argument(x)));
    // one arm per op, so that each finishes with its own formula
    match op {
        Op::Exp => via_exp(Op::Exp, a),
        Op::Sigmoid => via_exp(Op::Sigmoid, a),
        Op::Softplus => via_exp(Op::Softplus, a),
        _ => op.value_and_partials(a, b),
    }
}

/// `x ← eˣ` for every element: bit for bit [`f64::exp`], four at a time where the
/// processor allows (see the module documentation).
pub(crate) fn exp_in_place(x: &mut [f64]) {
    if exp_vectorised() {
        simd::exp_in_place(x);
    } else {
        for x in x {
            *x = x.exp();
        }
    }
}

/// The vector path against [`f64::exp`] on the probe arguments.
fn agrees_with_libm() -> bool {
    let args = probes();
    let mut lanes = args.clone();
    simd::exp_in_place(&mut lanes);
    args.iter().zip(&lanes).all(|(x, y)| same(x.exp(), *y))
}

/// Equal bits, or both NaN (the sign and payload of a NaN are not specified).
pub(crate) fn same(a: f64, b: f64) -> bool {
    a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan())
}

/// [`PROBES`] arguments evenly over `[−746, 710]` (past both ends of the finite results),
/// nudged off a regular grid, then the special ones.
fn probes() -> Vec<f64> {
    let (low, high) = (-746.0, 710.0);
    let step = (high - low) / PROBES as f64;
    let mut args: Vec<f64> = (0..PROBES)
        .map(|i| low + step * (i as f64 + 0.377))
        .collect();
    args.extend([
        0.0,
        -0.0,
        1e-300,
        -1e-300,
        f64::from_bits(1),
        2f64.powi(-54),
        -(2f64.powi(-54)),
        2f64.powi(-53),
        1e-5,
        -1e-5,
        0.5,
        -0.5,
        1.0,
        -1.0,
        511.999,
        -511.999,
        512.0,
        -512.0,
        709.782_712_893_384,
        709.782_712_893_385,
        -708.396_418_532_264,
        -708.396_418_532_265,
        -745.133_219_101_941,
        -745.133_219_101_942,
        -1023.0,
        -1024.0,
        f64::MAX,
        f64::MIN,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NAN,
        -f64::NAN,
    ]);
    args
}

#[cfg(target_arch = "x86_64")]
mod simd {
    use super::N;

    pub(super) fn available() -> bool {
        is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma")
    }

    /// Four lanes at a time with AVX2 and FMA; the caller has checked [`available`].
    pub(super) fn exp_in_place(x: &mut [f64]) {
        assert!(
            available(),
            "autodiff internal error: exp lanes without AVX2 and FMA"
        );
        // SAFETY: `exp_avx2_fma` needs the processor to have AVX2 and FMA, checked just above.
        #[allow(unsafe_code)]
        unsafe {
            exp_avx2_fma(x)
        }
    }

    /// `f()` compiled for AVX2 and FMA.
    ///
    /// # Safety
    /// The processor must have AVX2 and FMA ([`available`]); the caller checks it once
    /// (through `wide`) rather than on every call, as a tape replay calls this per row.
    #[allow(unsafe_code)]
    #[inline(always)]
    pub(super) unsafe fn run<R>(f: impl FnOnce() -> R) -> R {
        debug_assert!(
            available(),
            "autodiff internal error: wide lanes without AVX2 and FMA"
        );
        // SAFETY: `avx2_fma` needs the processor to have AVX2 and FMA, as this function.
        unsafe { avx2_fma(f) }
    }

    /// `f` is inlined here (its closure is marked so), and with it the loops it runs.
    #[target_feature(enable = "avx2,fma")]
    fn avx2_fma<R>(f: impl FnOnce() -> R) -> R {
        f()
    }

    /// One `eˣ` with FMA.
    ///
    /// # Safety
    /// The processor must have AVX2 and FMA ([`available`]); the caller checks it once
    /// (through `exp_vectorised`) rather than on every call.
    #[allow(unsafe_code)]
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    pub(super) unsafe fn exp_one(x: f64) -> f64 {
        if outside(x) {
            x.exp()
        } else {
            core(x)
        }
    }

    /// [`super::row_dots`] with AVX2.
    ///
    /// # Safety
    /// The processor must have AVX2 and FMA ([`available`]).
    #[allow(unsafe_code)]
    #[target_feature(enable = "avx2,fma")]
    pub(super) unsafe fn row_dots(
        adj: &[f64],
        terms: &[(u32, u32)],
        values: &[f64],
        stride: usize,
        gradient: &mut [f64],
    ) {
        // up to 32 lanes in whole eights (a minibatch of 32 is one such chunk), the
        // adjoint lanes stay in registers for all the run's terms
        match adj.len() {
            8 => row_dots_held::<1>(adj, terms, values, stride, gradient),
            16 => row_dots_held::<2>(adj, terms, values, stride, gradient),
            24 => row_dots_held::<3>(adj, terms, values, stride, gradient),
            32 => row_dots_held::<4>(adj, terms, values, stride, gradient),
            _ => {
                for &(p, r) in terms {
                    let f = &values[r as usize * stride..][..adj.len()];
                    gradient[p as usize] = row_dot(adj, f);
                }
            }
        }
    }

    /// [`row_dots`] over `8 · K` lanes: the adjoint's lanes are loaded once, into `2K`
    /// registers, and each term adds up its row in the order [`row_dot`] does.
    #[allow(unsafe_code)]
    #[target_feature(enable = "avx2,fma")]
    #[inline]
    fn row_dots_held<const K: usize>(
        adj: &[f64],
        terms: &[(u32, u32)],
        values: &[f64],
        stride: usize,
        gradient: &mut [f64],
    ) {
        use std::arch::x86_64::{_mm256_add_pd, _mm256_loadu_pd, _mm256_mul_pd, _mm256_setzero_pd};
        let adj: &[f64] = &adj[..8 * K];
        // SAFETY (every block below): the loads read four numbers at offsets `8c` and
        // `8c + 4` of slices of `8K`, `c < K`; the others are arithmetic on registers.
        // (`unsafe` only before Rust 1.87, which made the register intrinsics safe here)
        #[allow(unused_unsafe)]
        let mut held = [[unsafe { _mm256_setzero_pd() }; 2]; K];
        for (c, pair) in held.iter_mut().enumerate() {
            *pair = unsafe {
                [
                    _mm256_loadu_pd(adj[8 * c..].as_ptr()),
                    _mm256_loadu_pd(adj[8 * c + 4..].as_ptr()),
                ]
            };
        }
        for &(p, r) in terms {
            let f = &values[r as usize * stride..][..8 * K];
            #[allow(unused_unsafe)]
            let (mut low, mut high) = unsafe { (_mm256_setzero_pd(), _mm256_setzero_pd()) };
            for (c, [a0, a4]) in held.iter().enumerate() {
                unsafe {
                    let f0 = _mm256_loadu_pd(f[8 * c..].as_ptr());
                    let f4 = _mm256_loadu_pd(f[8 * c + 4..].as_ptr());
                    low = _mm256_add_pd(low, _mm256_mul_pd(*a0, f0));
                    high = _mm256_add_pd(high, _mm256_mul_pd(*a4, f4));
                }
            }
            gradient[p as usize] = combine(low, high);
        }
    }

    /// `((s₀ + s₄) + (s₂ + s₆)) + ((s₁ + s₅) + (s₃ + s₇))` for the running sums
    /// `low = (s₀, …, s₃)` and `high = (s₄, …, s₇)`.
    #[allow(unsafe_code)]
    #[target_feature(enable = "avx2,fma")]
    #[inline]
    fn combine(low: std::arch::x86_64::__m256d, high: std::arch::x86_64::__m256d) -> f64 {
        use std::arch::x86_64::{
            _mm256_add_pd, _mm256_castpd256_pd128, _mm256_extractf128_pd, _mm_add_pd,
            _mm_cvtsd_f64, _mm_unpackhi_pd,
        };
        // SAFETY: arithmetic on registers (`unsafe` only before Rust 1.87).
        #[allow(unused_unsafe)]
        unsafe {
            // (s₀ + s₄, s₁ + s₅, s₂ + s₆, s₃ + s₇), then its halves, then the two
            let s = _mm256_add_pd(low, high);
            let h = _mm_add_pd(_mm256_castpd256_pd128(s), _mm256_extractf128_pd(s, 1));
            _mm_cvtsd_f64(h) + _mm_cvtsd_f64(_mm_unpackhi_pd(h, h))
        }
    }

    /// One sum of [`row_dots`]; `f` is as long as `adj`.
    #[allow(unsafe_code)]
    #[target_feature(enable = "avx2,fma")]
    #[inline]
    fn row_dot(adj: &[f64], f: &[f64]) -> f64 {
        use std::arch::x86_64::{_mm256_add_pd, _mm256_loadu_pd, _mm256_mul_pd, _mm256_setzero_pd};
        let (adj8, f8) = (adj.chunks_exact(8), f.chunks_exact(8));
        let rest = adj8.remainder().iter().zip(f8.remainder());
        // SAFETY: the loads read four numbers at offsets 0 and 4 of slices of eight; the
        // others are arithmetic on registers.
        let mut total = unsafe {
            let (mut low, mut high) = (_mm256_setzero_pd(), _mm256_setzero_pd());
            for (a, f) in adj8.zip(f8) {
                let (a0, a4) = (
                    _mm256_loadu_pd(a.as_ptr()),
                    _mm256_loadu_pd(a[4..].as_ptr()),
                );
                let (f0, f4) = (
                    _mm256_loadu_pd(f.as_ptr()),
                    _mm256_loadu_pd(f[4..].as_ptr()),
                );
                low = _mm256_add_pd(low, _mm256_mul_pd(a0, f0));
                high = _mm256_add_pd(high, _mm256_mul_pd(a4, f4));
            }
            combine(low, high)
        };
        for (a, f) in rest {
            total += a * f;
        }
        total
    }

    #[target_feature(enable = "avx2,fma")]
    fn exp_avx2_fma(xs: &mut [f64]) {
        let mut chunks = xs.chunks_exact_mut(4);
        for c in &mut chunks {
            let x = [c[0], c[1], c[2], c[3]];
            // written out, not `x.map(core)`: a call to `map` may be left out of line, and
            // there `core` is compiled without FMA (a software `fma` per step, 3× slower)
            c.copy_from_slice(&[core(x[0]), core(x[1]), core(x[2]), core(x[3])]);
            if x.iter().any(|&x| outside(x)) {
                for (c, &x) in c.iter_mut().zip(&x) {
                    if outside(x) {
                        *c = x.exp();
                    }
                }
            }
        }
        for x in chunks.into_remainder() {
            *x = x.exp();
        }
    }

    /// `x · N/ln 2`, rounded to an integer `k` by adding this.
    const SHIFT: f64 = f64::from_bits(0x4338_0000_0000_0000); // 1.5 · 2⁵²
    const INV_LN2_N: f64 = f64::from_bits(0x4067_1547_652b_82fe); // N/ln 2
    /// `−ln 2/N` in two parts: `r = x − k·ln 2/N` exactly enough.
    const NEG_LN2_HI_N: f64 = f64::from_bits(0xbf76_2e42_fefa_0000);
    const NEG_LN2_LO_N: f64 = f64::from_bits(0xbd0c_f79a_bc9e_3b3a);
    /// `eʳ − 1 − r ≈ r²(C2 + r C3) + r⁴(C4 + r C5)` on `|r| ≤ ln 2/2N`.
    const C2: f64 = f64::from_bits(0x3fdf_ffff_ffff_fdbd);
    const C3: f64 = f64::from_bits(0x3fc5_5555_5555_543c);
    const C4: f64 = f64::from_bits(0x3fa5_5555_cf17_2b91);
    const C5: f64 = f64::from_bits(0x3f81_1111_67a4_d017);

    /// Whether `x` is one the fast path leaves to [`f64::exp`]: `|x| < 2⁻⁵⁴`, `|x| ≥ 512`,
    /// infinite or NaN.
    #[inline(always)]
    fn outside(x: f64) -> bool {
        let top = (x.to_bits() >> 52) & 0x7ff;
        top.wrapping_sub(0x3c9) >= 0x408 - 0x3c9
    }

    /// `eˣ` for `2⁻⁵⁴ ≤ |x| < 512`: `x = k ln 2/N + r`, `eˣ = 2^(k/N) eʳ`, with `2^(k/N)`
    /// from the table as `scale · (1 + tail)`, each step rounded (or fused) as the scalar
    /// code does.
    #[inline(always)]
    fn core(x: f64) -> f64 {
        let z = x.mul_add(INV_LN2_N, SHIFT);
        let k = z.to_bits(); // k in the low bits
        let kd = z - SHIFT;
        let r = kd.mul_add(NEG_LN2_LO_N, kd.mul_add(NEG_LN2_HI_N, x));
        let i = 2 * (k % N as u64) as usize;
        let tail = f64::from_bits(TABLE[i]);
        let scale = f64::from_bits(TABLE[i + 1].wrapping_add(k << 45));
        let r2 = r * r;
        let low = r.mul_add(C3, C2).mul_add(r2, r + tail);
        let tmp = (r2 * r2).mul_add(r.mul_add(C5, C4), low);
        scale.mul_add(tmp, scale)
    }

    /// For each `i`: the bits of `tail`, then those of `scale` less `i · 2⁴⁵` (so that
    /// adding `k · 2⁴⁵` puts `k div N` in the exponent), where `scale` is `2^(i/N)` rounded
    /// to nearest and `tail = 2^(i/N)/scale − 1` rounded to nearest.
    pub(super) static TABLE: [u64; 2 * N] = table();

    /// Fractional bits of the fixed-point numbers below.
    const FRAC: u32 = 126;
    /// ln 2 with [`FRAC`] fractional bits (truncated).
    pub(super) const LN2: u128 = 0xB172_17F7_D1CF_79AB_C9E3_B398_03F2_F6AF >> 2;

    const fn table() -> [u64; 2 * N] {
        let mut table = [0; 2 * N];
        let mut i = 0;
        while i < N {
            // i ln 2 / N without overflowing 128 bits
            let n = N as u128;
            let t = LN2 / n * i as u128 + LN2 % n * i as u128 / n;
            let (tail, scale) = split(exp_fixed(t));
            table[2 * i] = tail.to_bits();
            table[2 * i + 1] = scale.to_bits().wrapping_sub((i as u64) << 45);
            i += 1;
        }
        table
    }

    /// `v ∈ [1, 2)` (fixed point) as `scale · (1 + tail)`, both rounded to nearest.
    const fn split(v: u128) -> (f64, f64) {
        let shift = FRAC - 52;
        let half = 1 << (shift - 1);
        let rest = v & ((1 << shift) - 1);
        let mut m = v >> shift; // 53 significant bits
        if rest > half || (rest == half && m & 1 == 1) {
            m += 1;
        }
        // tail = (v − m·2⁻⁵²) / (m·2⁻⁵²) = (|diff| · 2⁵⁴ / m) · 2⁻¹²⁸ with diff's sign, diff
        // in 2⁻¹²⁶ units (|diff| ≤ 2⁷³, so the quotient keeps about 75 bits)
        let below = v < m << shift;
        let magnitude = if below {
            (m << shift) - v
        } else {
            v - (m << shift)
        } << 54;
        let mut quotient = magnitude / m;
        if magnitude % m != 0 {
            quotient |= 1; // sticky bit: the cast below then rounds as the exact quotient would
        }
        let two_64 = (1u128 << 64) as f64;
        let tail = quotient as f64 / two_64 / two_64;
        let tail = if below { -tail } else { tail };
        let scale = f64::from_bits(((m as u64) & ((1 << 52) - 1)) | (0x3ff << 52));
        (tail, scale)
    }

    /// `eᵗ` for `0 ≤ t < ln 2` by its Taylor series (fixed point, error a few 2⁻¹²⁶).
    pub(super) const fn exp_fixed(t: u128) -> u128 {
        let one = 1 << FRAC;
        let (mut sum, mut term, mut n) = (one, one, 1);
        while term != 0 {
            term = mul_fixed(term, t) / n;
            sum += term;
            n += 1;
        }
        sum
    }

    /// `x · y` for fixed-point numbers below 4, truncated.
    const fn mul_fixed(x: u128, y: u128) -> u128 {
        let low = u64::MAX as u128;
        let (xh, xl, yh, yl) = (x >> 64, x & low, y >> 64, y & low);
        let (hl, lh, ll) = (xh * yl, xl * yh, xl * yl);
        // the 256-bit product is (xh·yh)·2¹²⁸ + (hl + lh)·2⁶⁴ + ll
        let middle = (hl & low) + (lh & low) + (ll >> 64);
        let top = xh * yh + (hl >> 64) + (lh >> 64) + (middle >> 64);
        (top << (128 - FRAC)) | ((middle & low) >> (FRAC - 64))
    }
}

#[cfg(not(target_arch = "x86_64"))]
mod simd {
    pub(super) fn available() -> bool {
        false
    }

    pub(super) fn exp_in_place(x: &mut [f64]) {
        for x in x {
            *x = x.exp();
        }
    }

    /// # Safety
    /// None needed here; `unsafe` to match the x86-64 version.
    #[allow(unsafe_code)]
    pub(super) unsafe fn run<R>(f: impl FnOnce() -> R) -> R {
        f()
    }

    /// # Safety
    /// None needed here; never called (`available` is false).
    #[allow(unsafe_code)]
    pub(super) unsafe fn row_dots(_: &[f64], _: &[(u32, u32)], _: &[f64], _: usize, _: &mut [f64]) {
        unreachable!("autodiff internal error: no wide lanes on this processor")
    }

    /// # Safety
    /// None needed here; `unsafe` to match the x86-64 version.
    #[allow(unsafe_code)]
    pub(super) unsafe fn exp_one(x: f64) -> f64 {
        x.exp()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `n` arguments from a xorshift generator: uniform over `[low, high)`.
    fn uniform(n: usize, low: f64, high: f64, seed: u64) -> Vec<f64> {
        let mut s = seed;
        (0..n)
            .map(|_| {
                s ^= s << 13;
                s ^= s >> 7;
                s ^= s << 17;
                low + (high - low) * ((s >> 11) as f64 / (1u64 << 53) as f64)
            })
            .collect()
    }

    fn assert_matches_libm(args: &[f64]) {
        let mut lanes = args.to_vec();
        exp_in_place(&mut lanes);
        for (x, y) in args.iter().zip(&lanes) {
            assert!(
                same(x.exp(), *y),
                "exp({x:e}): libm {:e}, lanes {y:e}",
                x.exp()
            );
            let one = exp(*x);
            assert!(
                same(x.exp(), one),
                "exp({x:e}): libm {:e}, one lane {one:e}",
                x.exp()
            );
        }
    }

    #[test]
    fn lanes_are_libm_bit_for_bit() {
        // the sigmoid's range, the whole finite range, small arguments, then any bits
        assert_matches_libm(&uniform(1 << 18, -746.0, 0.0, 1));
        assert_matches_libm(&uniform(1 << 18, -710.0, 710.0, 2));
        assert_matches_libm(&uniform(1 << 16, -1.0, 1.0, 3));
        let bits = uniform(1 << 16, 0.0, 1.0, 4);
        assert_matches_libm(
            &bits
                .iter()
                .map(|u| f64::from_bits(u.to_bits() ^ 0x5a5a_5a5a_5a5a_5a5a))
                .collect::<Vec<_>>(),
        );
        assert_matches_libm(&probes());
        // every length, so each remainder after the groups of four is taken
        for n in 0..9 {
            assert_matches_libm(&probes()[..n]);
        }
    }

    #[cfg(target_arch = "x86_64")]
    #[test]
    fn the_table_is_two_to_the_i_over_128() {
        use super::simd::{exp_fixed, LN2, TABLE};
        // the ln 2 constant: e^(ln 2) is 2 to 120 bits
        let error = exp_fixed(LN2).abs_diff(2 << 126);
        assert!(error < 1 << 8, "|e^ln2 − 2| = {error} · 2⁻¹²⁶");
        for i in 0..N {
            let tail = f64::from_bits(TABLE[2 * i]);
            let scale = f64::from_bits(TABLE[2 * i + 1].wrapping_add((i as u64) << 45));
            let expected = (i as f64 / N as f64).exp2();
            assert!(
                (scale - expected).abs() <= f64::EPSILON,
                "entry {i}: {scale} vs {expected}"
            );
            assert!(tail.abs() <= f64::EPSILON / 2.0, "entry {i}: tail {tail:e}");
        }
        assert_eq!((TABLE[0], TABLE[1]), (0, 1f64.to_bits()));
        // all 256 words, folded: the value glibc 2.36's table (__exp_data.tab) folds to
        let folded = TABLE.iter().fold(0u64, |h, &w| h.rotate_left(5) ^ w);
        assert_eq!(folded, 0x3692_8f98_bc94_2e6c);
        // 2^(1/128) = 1.0054299011128028213513839559347998147001…
        assert_eq!(
            TABLE[3].wrapping_add(1 << 45),
            1.005_429_901_112_802_8_f64.to_bits()
        );
    }
}
