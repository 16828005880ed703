//! Optimizers: they move plain `f64` parameters along a gradient.
//!
//! [`Optimizer::step`] takes the parameters and the gradient of the loss with respect to
//! them, both as slices in the same order, and updates the parameters in place. The
//! learning rate can be changed between steps, which is how an [`LrSchedule`] drives it.

mod adam;
mod schedule;
mod sgd;

pub use adam::Adam;
pub use schedule::LrSchedule;
pub use sgd::Sgd;

use crate::{Error, Result};

/// Something that updates parameters from their gradient.
pub trait Optimizer {
    /// One update of `params` from `grads` (`∂loss/∂params`, same order and length).
    ///
    /// # Panics
    /// If the lengths differ, or differ from the previous step's.
    fn step(&mut self, params: &mut [f64], grads: &[f64]);

    /// The learning rate the next step will use.
    fn learning_rate(&self) -> f64;

    /// Sets the learning rate for the next steps.
    fn set_learning_rate(&mut self, lr: f64);
}

/// Checks a learning rate: finite and positive.
///
/// # Errors
/// [`Error::InvalidSetting`] (`lr`) otherwise.
pub fn check_learning_rate(lr: f64) -> Result<f64> {
    if lr.is_finite() && lr > 0.0 {
        Ok(lr)
    } else {
        Err(Error::invalid(
            "lr",
            format!("the learning rate must be finite and > 0, got {lr}"),
        ))
    }
}

/// An optimizer chosen by name (`sgd`, `momentum`, `adam`) with a learning rate and
/// default constants (momentum 0.9; Adam β₁ = 0.9, β₂ = 0.999, ε = 1e-8).
///
/// # Errors
/// [`Error::InvalidSetting`] for `optimizer` on an unknown name, or for `lr`.
///
/// # Examples
/// ```
/// let mut opt = nn::optim::by_name("sgd", 0.1)?;
/// let mut p = [1.0];
/// opt.step(&mut p, &[2.0]);
/// assert_eq!(p, [0.8]); // p − lr·g
/// # Ok::<(), nn::Error>(())
/// ```
pub fn by_name(name: &str, lr: f64) -> Result<Box<dyn Optimizer + Send>> {
    match name {
        "sgd" => Ok(Box::new(Sgd::new(lr)?)),
        "momentum" => Ok(Box::new(Sgd::with_momentum(lr, 0.9)?)),
        "adam" => Ok(Box::new(Adam::new(lr)?)),
        _ => Err(Error::invalid(
            "optimizer",
            format!("unknown optimizer '{name}' (expected sgd, momentum or adam)"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_learning_rates_and_names_name_the_setting() {
        for lr in [0.0, -0.1, f64::NAN, f64::INFINITY] {
            let e = by_name("adam", lr).err().expect("rejected");
            assert_eq!(e.setting(), Some("lr"), "{e}");
        }
        let e = by_name("rmsprop", 0.1).err().expect("rejected");
        assert_eq!(e.setting(), Some("optimizer"), "{e}");
    }

    #[test]
    fn every_optimizer_descends_a_quadratic_bowl() {
        // f(p) = Σ (pᵢ − 3)², ∇f = 2(p − 3): every optimizer gets close to 3
        for name in ["sgd", "momentum", "adam"] {
            let mut opt = by_name(name, 0.05).expect("valid");
            let mut p = [0.0, 10.0];
            for _ in 0..2000 {
                let g: Vec<f64> = p.iter().map(|x| 2.0 * (x - 3.0)).collect();
                opt.step(&mut p, &g);
            }
            assert!(p.iter().all(|x| (x - 3.0).abs() < 1e-3), "{name}: {p:?}");
        }
    }
}
