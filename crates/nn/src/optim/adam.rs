//! Adam (Kingma & Ba 2015).

use super::{check_learning_rate, Optimizer};
use crate::Result;

/// Adam: with `t` the step number (from 1),
///
/// ```text
/// m ← β₁m + (1 − β₁)g        v ← β₂v + (1 − β₂)g²
/// m̂ = m / (1 − β₁ᵗ)          v̂ = v / (1 − β₂ᵗ)
/// p ← p − lr · m̂ / (√v̂ + ε)
/// ```
///
/// # Examples
/// ```
/// use nn::optim::{Adam, Optimizer};
///
/// // the first step moves each parameter by lr·sign(g) (m̂ = g, v̂ = g²), up to ε
/// let mut opt = Adam::new(0.01)?;
/// let mut p = [1.0, 1.0];
/// opt.step(&mut p, &[3.0, -0.2]);
/// assert!((p[0] - 0.99).abs() < 1e-9 && (p[1] - 1.01).abs() < 1e-9);
/// # Ok::<(), nn::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Adam {
    lr: f64,
    /// β₁, the decay of the first moment (default 0.9).
    pub beta1: f64,
    /// β₂, the decay of the second moment (default 0.999).
    pub beta2: f64,
    /// ε, added to `√v̂` (default 1e-8).
    pub eps: f64,
    m: Vec<f64>,
    v: Vec<f64>,
    t: i32,
}

impl Adam {
    /// Adam with the usual constants.
    ///
    /// # Errors
    /// [`Error::InvalidSetting`](crate::Error::InvalidSetting) (`lr`) if `lr` is not finite
    /// and positive.
    pub fn new(lr: f64) -> Result<Self> {
        check_learning_rate(lr)?;
        Ok(Adam {
            lr,
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
            m: Vec::new(),
            v: Vec::new(),
            t: 0,
        })
    }
}

impl Optimizer for Adam {
    fn step(&mut self, params: &mut [f64], grads: &[f64]) {
        assert_eq!(params.len(), grads.len(), "nn: one gradient per parameter");
        if self.m.is_empty() {
            self.m = vec![0.0; params.len()];
            self.v = vec![0.0; params.len()];
        }
        assert_eq!(self.m.len(), params.len(), "nn: parameter count changed");
        self.t = self.t.saturating_add(1);
        let c1 = 1.0 - self.beta1.powi(self.t);
        let c2 = 1.0 - self.beta2.powi(self.t);
        for (((p, &g), m), v) in params
            .iter_mut()
            .zip(grads)
            .zip(&mut self.m)
            .zip(&mut self.v)
        {
            *m = self.beta1 * *m + (1.0 - self.beta1) * g;
            *v = self.beta2 * *v + (1.0 - self.beta2) * g * g;
            let (m_hat, v_hat) = (*m / c1, *v / c2);
            *p -= self.lr * m_hat / (v_hat.sqrt() + self.eps);
        }
    }

    fn learning_rate(&self) -> f64 {
        self.lr
    }

    fn set_learning_rate(&mut self, lr: f64) {
        self.lr = lr;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    #[test]
    fn two_steps_match_a_hand_computation() {
        // g₁ = 2, g₂ = −1, lr = 0.1, β₁ = 0.9, β₂ = 0.999, ε = 1e-8
        let mut opt = Adam::new(0.1).unwrap();
        let mut p = [0.5];
        opt.step(&mut p, &[2.0]);
        // m = 0.2, v = 0.004, m̂ = 0.2/0.1 = 2, v̂ = 0.004/0.001 = 4 → p = 0.5 − 0.1·2/(2 + ε)
        let p1 = 0.5 - 0.1 * 2.0 / (2.0 + 1e-8);
        assert_relative_eq!(p[0], p1, max_relative = 1e-12);
        opt.step(&mut p, &[-1.0]);
        // m = 0.9·0.2 − 0.1 = 0.08, v = 0.999·0.004 + 0.001 = 0.004996
        let (m_hat, v_hat) = (0.08 / (1.0 - 0.81), 0.004996 / (1.0 - 0.999 * 0.999));
        let p2 = p1 - 0.1 * m_hat / (f64::sqrt(v_hat) + 1e-8);
        assert_relative_eq!(p[0], p2, max_relative = 1e-12);
    }

    #[test]
    fn the_learning_rate_can_be_changed_between_steps() {
        let mut opt = Adam::new(0.1).unwrap();
        opt.set_learning_rate(0.01);
        assert_eq!(opt.learning_rate(), 0.01);
        let mut p = [0.0];
        opt.step(&mut p, &[5.0]);
        assert_relative_eq!(p[0], -0.01, max_relative = 1e-8);
    }
}
