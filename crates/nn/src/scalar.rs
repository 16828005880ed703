//! [`Scalar`]: the numbers a network runs on — graph nodes ([`Var`]) to differentiate, plain
//! `f64`s to evaluate — so that each layer is written once and both runs do the same
//! operations in the same order.

use std::ops::{Add, Mul};

use autodiff::Var;

use crate::Activation;

/// A number a layer can compute with: `+`, `·` and an activation.
pub(crate) trait Scalar: Copy + Add<Output = Self> + Mul<Output = Self> {
    /// `φ(self)` for the activation `φ`.
    fn activate(self, activation: Activation) -> Self;
}

impl Scalar for f64 {
    fn activate(self, activation: Activation) -> f64 {
        activation.eval(self)
    }
}

impl Scalar for Var<'_> {
    fn activate(self, activation: Activation) -> Self {
        activation.apply(self)
    }
}
