//! The slides' hand-derived derivatives, exactly as written there, and nothing else.
//!
//! ```text
//! x1 = w0 s0    s1 = S(x1)    x2 = w1 s1    s2 = S(x2)    out = w2 s2
//! C = 1/2 (target - out)^2
//! dout/dw2 = s2
//! dout/dw1 = w2 s2(1-s2) s1
//! dout/dw0 = w2 s2(1-s2) w1 s1(1-s1) s0
//! dC/dout  = out - target,   dC/dwi = (out - target) dout/dwi
//! update (all three from one forward pass):  wi <- wi - alpha dC/dwi
//! ```
//!
//! Every function takes the node values of one forward pass (read off the graph, or
//! computed by hand) and returns the slide's expression.
//!
//! ```
//! use lecture::formulas;
//! // at s2 = 0.5, w2 = 2, s1 = 0.25: dout/dw1 = w2 s2(1-s2) s1 = 2 · 0.25 · 0.25
//! assert_eq!(formulas::dout_dw1(2.0, 0.5, 0.25), 0.125);
//! ```

/// `dout/dw2 = s2`
pub fn dout_dw2(s2: f64) -> f64 {
    s2
}

/// `dout/dw1 = w2 s2(1-s2) s1`
pub fn dout_dw1(w2: f64, s2: f64, s1: f64) -> f64 {
    w2 * s2 * (1.0 - s2) * s1
}

/// `dout/dw0 = w2 s2(1-s2) w1 s1(1-s1) s0`
pub fn dout_dw0(w2: f64, s2: f64, w1: f64, s1: f64, s0: f64) -> f64 {
    w2 * s2 * (1.0 - s2) * w1 * s1 * (1.0 - s1) * s0
}

/// `dC/dout = out - target`
pub fn dc_dout(out: f64, target: f64) -> f64 {
    out - target
}

/// `dC/dwi = (out - target) dout/dwi`
pub fn dc_dw(out: f64, target: f64, dout_dwi: f64) -> f64 {
    (out - target) * dout_dwi
}

/// `wi <- wi - alpha dC/dwi`
pub fn update(wi: f64, alpha: f64, dc_dwi: f64) -> f64 {
    wi - alpha * dc_dwi
}

// Second derivatives, derived the slides' way (σ' = s(1-s), σ'' = s(1-s)(1-2s)):
//
//   d²C/dwi dwj = dout/dwi · dout/dwj + (out - target) d²out/dwi dwj
//   d²out/dw2²    = 0                    so d²C/dw2² = s2²
//   d²out/dw2 dw1 = s2(1-s2) s1
//   d²out/dw2 dw0 = s2(1-s2) w1 s1(1-s1) s0
//   d²out/dw1²    = w2 s2(1-s2)(1-2s2) s1²
//   d²out/dw1 dw0 = w2 s1(1-s1) s0 [s2(1-s2)(1-2s2) w1 s1 + s2(1-s2)]
//   d²out/dw0²    = w2 w1 s0² [s2(1-s2)(1-2s2) w1 (s1(1-s1))² + s2(1-s2) s1(1-s1)(1-2s1)]

/// `d²out/dw2 dw1 = s2(1-s2) s1`
pub fn d2out_dw2_dw1(s2: f64, s1: f64) -> f64 {
    s2 * (1.0 - s2) * s1
}

/// `d²out/dw2 dw0 = s2(1-s2) w1 s1(1-s1) s0`
pub fn d2out_dw2_dw0(s2: f64, w1: f64, s1: f64, s0: f64) -> f64 {
    s2 * (1.0 - s2) * w1 * s1 * (1.0 - s1) * s0
}

/// `d²out/dw1² = w2 s2(1-s2)(1-2s2) s1²`
pub fn d2out_dw1_dw1(w2: f64, s2: f64, s1: f64) -> f64 {
    w2 * s2 * (1.0 - s2) * (1.0 - 2.0 * s2) * s1 * s1
}

/// `d²out/dw1 dw0 = w2 s1(1-s1) s0 [s2(1-s2)(1-2s2) w1 s1 + s2(1-s2)]`
pub fn d2out_dw1_dw0(w2: f64, s2: f64, w1: f64, s1: f64, s0: f64) -> f64 {
    let (d2, dd2) = (s2 * (1.0 - s2), s2 * (1.0 - s2) * (1.0 - 2.0 * s2));
    w2 * s1 * (1.0 - s1) * s0 * (dd2 * w1 * s1 + d2)
}

/// `d²out/dw0² = w2 w1 s0² [s2(1-s2)(1-2s2) w1 (s1(1-s1))² + s2(1-s2) s1(1-s1)(1-2s1)]`
pub fn d2out_dw0_dw0(w2: f64, s2: f64, w1: f64, s1: f64, s0: f64) -> f64 {
    let (d2, dd2) = (s2 * (1.0 - s2), s2 * (1.0 - s2) * (1.0 - 2.0 * s2));
    let (d1, dd1) = (s1 * (1.0 - s1), s1 * (1.0 - s1) * (1.0 - 2.0 * s1));
    w2 * w1 * s0 * s0 * (dd2 * w1 * d1 * d1 + d2 * dd1)
}

/// `d²C/dwi dwj = dout/dwi · dout/dwj + (out - target) d²out/dwi dwj`
pub fn d2c_dw_dw(out: f64, target: f64, dout_dwi: f64, dout_dwj: f64, d2out: f64) -> f64 {
    dout_dwi * dout_dwj + (out - target) * d2out
}

/// The lecture cost's 3×3 Hessian in `(w0, w1, w2)` from one forward pass's node values,
/// assembled from the formulas above (`d²C/dw2² = s2²`).
///
/// # Examples
/// ```
/// use lecture::formulas::cost_hessian;
/// // a point where out = target: the Hessian is the outer product of dout/dw
/// let h = cost_hessian(1.0, 0.5, 0.5, 1.0, 1.0, 2.0, 2.0);
/// assert_eq!(h[2][2], 0.25); // s2²
/// ```
pub fn cost_hessian(
    s0: f64,
    s1: f64,
    s2: f64,
    out: f64,
    target: f64,
    w1: f64,
    w2: f64,
) -> [[f64; 3]; 3] {
    let dout = [
        dout_dw0(w2, s2, w1, s1, s0),
        dout_dw1(w2, s2, s1),
        dout_dw2(s2),
    ];
    // symmetric: each mixed derivative once
    let (d10, d20, d21) = (
        d2out_dw1_dw0(w2, s2, w1, s1, s0),
        d2out_dw2_dw0(s2, w1, s1, s0),
        d2out_dw2_dw1(s2, s1),
    );
    let d2out = [
        [d2out_dw0_dw0(w2, s2, w1, s1, s0), d10, d20],
        [d10, d2out_dw1_dw1(w2, s2, s1), d21],
        [d20, d21, 0.0],
    ];
    let mut h = [[0.0; 3]; 3];
    for i in 0..3 {
        for j in 0..3 {
            h[i][j] = d2c_dw_dw(out, target, dout[i], dout[j], d2out[i][j]);
        }
    }
    h
}
