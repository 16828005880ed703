//! Learning-rate schedules.

use super::check_learning_rate;
use crate::{Error, Result};

/// A learning-rate schedule: the learning rate as a function of the step number `k`
/// (from 0).
///
/// | schedule | `lr(k)` |
/// |---|---|
/// | constant | `lr₀` |
/// | linear decay | `lr₀ + (lr_end − lr₀) · min(k, steps) / steps` |
///
/// # Examples
/// ```
/// use nn::optim::LrSchedule;
///
/// // micrograd's demo: lr = 1.0 − 0.9·k/100
/// let s = LrSchedule::linear(1.0, 0.1, 100)?;
/// assert_eq!(s.at(0), 1.0);
/// assert!((s.at(50) - 0.55).abs() < 1e-15);
/// assert!((s.at(100) - 0.1).abs() < 1e-15);
/// # Ok::<(), nn::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum LrSchedule {
    /// The same rate at every step.
    Constant(f64),
    /// From `start` at step 0 to `end` at step `steps`, then `end`.
    Linear {
        /// The rate at step 0.
        start: f64,
        /// The rate from step `steps` on.
        end: f64,
        /// How many steps the decay takes.
        steps: usize,
    },
}

impl LrSchedule {
    /// A constant rate.
    ///
    /// # Errors
    /// [`Error::InvalidSetting`] (`lr`) if `lr` is not finite and positive.
    pub fn constant(lr: f64) -> Result<Self> {
        check_learning_rate(lr).map(LrSchedule::Constant)
    }

    /// A linear decay from `start` to `end` over `steps` steps.
    ///
    /// # Errors
    /// [`Error::InvalidSetting`] (`lr`, `lr_end`) if either rate is not finite and
    /// positive; (`steps`) if `steps` is 0.
    pub fn linear(start: f64, end: f64, steps: usize) -> Result<Self> {
        check_learning_rate(start)?;
        if !(end.is_finite() && end > 0.0) {
            return Err(Error::invalid(
                "lr_end",
                format!("the final learning rate must be finite and > 0, got {end}"),
            ));
        }
        if steps == 0 {
            return Err(Error::invalid(
                "steps",
                "a linear decay needs at least one step",
            ));
        }
        Ok(LrSchedule::Linear { start, end, steps })
    }

    /// `lr(k)`.
    pub fn at(&self, k: usize) -> f64 {
        match *self {
            LrSchedule::Constant(lr) => lr,
            LrSchedule::Linear { start, end, steps } => {
                start + (end - start) * k.min(steps) as f64 / steps as f64
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linear_decay_interpolates_and_then_holds() {
        let s = LrSchedule::linear(0.3, 0.1, 4).unwrap();
        // 0.3 + (0.1 − 0.3)·k/4 for k = 0..4, then 0.1
        for k in 0..=4 {
            assert_eq!(s.at(k), 0.3 + (0.1 - 0.3) * k as f64 / 4.0);
        }
        assert_eq!(s.at(100), s.at(4));
        assert_eq!(LrSchedule::constant(0.2).unwrap().at(7), 0.2);
    }

    #[test]
    fn bad_rates_name_the_setting() {
        let e = LrSchedule::linear(0.1, 0.0, 10).unwrap_err();
        assert_eq!(e.setting(), Some("lr_end"), "{e}");
        assert_eq!(
            e.to_string(),
            "the final learning rate must be finite and > 0, got 0"
        );
        let e = LrSchedule::linear(-1.0, 0.1, 10).unwrap_err();
        assert_eq!(e.setting(), Some("lr"), "{e}");
        assert_eq!(
            e.to_string(),
            "the learning rate must be finite and > 0, got -1"
        );
        let e = LrSchedule::linear(0.1, 0.01, 0).unwrap_err();
        assert_eq!(e.setting(), Some("steps"), "{e}");
    }
}
