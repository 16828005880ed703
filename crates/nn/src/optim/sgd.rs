//! Stochastic gradient descent, with optional (heavy-ball) momentum.

use super::{check_learning_rate, Optimizer};
use crate::{Error, Result};

/// SGD: `p ← p − lr·g`; with momentum `μ`: `v ← μ·v + g`, `p ← p − lr·v` (the form PyTorch
/// uses; `v` starts at 0).
///
/// # Examples
/// ```
/// use nn::optim::{Optimizer, Sgd};
///
/// let mut opt = Sgd::with_momentum(0.1, 0.5)?;
/// let mut p = [1.0];
/// opt.step(&mut p, &[2.0]); // v = 2,           p = 1 − 0.1·2   = 0.8
/// opt.step(&mut p, &[2.0]); // v = 0.5·2 + 2 = 3, p = 0.8 − 0.1·3 = 0.5
/// assert!((p[0] - 0.5).abs() < 1e-15);
/// # Ok::<(), nn::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Sgd {
    lr: f64,
    momentum: f64,
    velocity: Vec<f64>,
}

impl Sgd {
    /// Plain SGD.
    ///
    /// # Errors
    /// [`Error::InvalidSetting`] (`lr`) if `lr` is not finite and positive.
    pub fn new(lr: f64) -> Result<Self> {
        Self::with_momentum(lr, 0.0)
    }

    /// SGD with momentum `μ ∈ [0, 1)`.
    ///
    /// # Errors
    /// [`Error::InvalidSetting`] (`lr`, `momentum`) if either is out of range.
    pub fn with_momentum(lr: f64, momentum: f64) -> Result<Self> {
        check_learning_rate(lr)?;
        if !(0.0..1.0).contains(&momentum) {
            return Err(Error::invalid(
                "momentum",
                format!("momentum must be in [0, 1), got {momentum}"),
            ));
        }
        Ok(Sgd {
            lr,
            momentum,
            velocity: Vec::new(),
        })
    }
}

impl Optimizer for Sgd {
    fn step(&mut self, params: &mut [f64], grads: &[f64]) {
        assert_eq!(params.len(), grads.len(), "nn: one gradient per parameter");
        if self.momentum == 0.0 {
            for (p, g) in params.iter_mut().zip(grads) {
                *p -= self.lr * g;
            }
            return;
        }
        if self.velocity.is_empty() {
            self.velocity = vec![0.0; params.len()];
        }
        assert_eq!(
            self.velocity.len(),
            params.len(),
            "nn: parameter count changed"
        );
        for ((p, g), v) in params.iter_mut().zip(grads).zip(&mut self.velocity) {
            *v = self.momentum * *v + g;
            *p -= self.lr * *v;
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

    #[test]
    fn plain_step_matches_the_formula() {
        // p = (1, −2), g = (0.5, −4), lr = 0.1 → p − lr·g = (0.95, −1.6)
        let mut opt = Sgd::new(0.1).unwrap();
        let mut p = [1.0, -2.0];
        opt.step(&mut p, &[0.5, -4.0]);
        assert_eq!(p, [1.0 - 0.1 * 0.5, -2.0 - 0.1 * -4.0]);
    }

    #[test]
    fn momentum_accumulates_velocity() {
        // μ = 0.9, g = 1 each step: v = 1, 1.9, 2.71 → p = −0.1, −0.29, −0.561
        let mut opt = Sgd::with_momentum(0.1, 0.9).unwrap();
        let mut p = [0.0];
        let mut expected = 0.0;
        let mut v = 0.0;
        for _ in 0..3 {
            opt.step(&mut p, &[1.0]);
            v = 0.9 * v + 1.0;
            expected -= 0.1 * v;
            assert_eq!(p[0], expected);
        }
        assert!((p[0] + 0.561).abs() < 1e-12);
    }

    #[test]
    fn momentum_out_of_range_names_the_option() {
        let e = Sgd::with_momentum(0.1, 1.0).unwrap_err();
        assert_eq!(e.setting(), Some("momentum"), "{e}");
    }
}
