//! The lecture net's forward and backward pass with the chain rule coded by hand: the
//! reference every lecture benchmark divides by.
//!
//! Network: x1 = w0 s0, s1 = S(x1), x2 = w1 s1, s2 = S(x2), out = w2 s2,
//! C = ½ (target − out)².

/// S(x) = 1 / (1 + e⁻ˣ)
pub fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// Hand-written forward and backward for one row: (C, [∂C/∂w0, ∂C/∂w1, ∂C/∂w2]).
#[inline]
pub fn gradient(s0: f64, target: f64, [w0, w1, w2]: [f64; 3]) -> (f64, [f64; 3]) {
    let s1 = sigmoid(w0 * s0);
    let s2 = sigmoid(w1 * s1);
    let out = w2 * s2;
    let e = target - out;
    let d_out = -e; // ∂C/∂out
    let d_x2 = d_out * w2 * s2 * (1.0 - s2); // ∂C/∂x2 = ∂C/∂out · w2 · S'(x2)
    let d_x1 = d_x2 * w1 * s1 * (1.0 - s1); // ∂C/∂x1 = ∂C/∂x2 · w1 · S'(x1)
    (0.5 * e * e, [d_x1 * s0, d_x2 * s1, d_out * s2])
}

/// One online epoch over `rows` (`[s0, target]` pairs, flattened), w ← w − rate ∂C/∂w
/// after every row.
pub fn online(rows: &[f64], rate: f64, mut w: [f64; 3]) -> [f64; 3] {
    for row in rows.chunks_exact(2) {
        let (_, g) = gradient(row[0], row[1], w);
        for (w, g) in w.iter_mut().zip(g) {
            *w -= rate * g;
        }
    }
    w
}

/// The mean cost over `rows` (`[s0, target]` pairs, flattened) and its gradient.
pub fn full_batch(rows: &[f64], w: [f64; 3]) -> (f64, [f64; 3]) {
    let mut cost = 0.0;
    let mut grad = [0.0; 3];
    for row in rows.chunks_exact(2) {
        let (c, g) = gradient(row[0], row[1], w);
        cost += c;
        for (acc, g) in grad.iter_mut().zip(g) {
            *acc += g;
        }
    }
    let n = (rows.len() / 2) as f64;
    (cost / n, grad.map(|g| g / n))
}
