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
