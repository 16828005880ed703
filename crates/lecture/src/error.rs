//! The crate's error type.

use std::fmt;

use crate::data::DataError;
use crate::Net;

/// Everything that can go wrong in this crate, each variant naming what it concerns.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// A net was given the wrong number of weights.
    WeightCount {
        /// The net.
        net: Net,
        /// How many weights it takes.
        expected: usize,
        /// How many it was given.
        found: usize,
    },
    /// A data file could not be read or written; names the file, line and column.
    Data(DataError),
    /// Training produced a NaN or infinite cost or gradient and stopped.
    Diverged {
        /// The step (1-based) at which it happened.
        step: usize,
        /// The epoch (1-based) of that step.
        epoch: usize,
        /// The cost at that step.
        cost: f64,
        /// The weights the step started from.
        weights: Vec<f64>,
        /// What was not finite: the cost, a derivative, or an updated weight.
        overflow: Overflow,
    },
    /// A training setting is out of range (for example a non-finite learning rate).
    Config(String),
    /// The engine reported an error.
    Engine(autodiff::Error),
    /// A solver met a cost, gradient, Hessian or Jacobian that is NaN or infinite.
    NotFinite {
        /// What overflowed, e.g. `gradient of the mean cost`.
        quantity: &'static str,
        /// The first value that is not finite.
        value: f64,
        /// The weights it was computed at.
        weights: Vec<f64>,
    },
    /// A solver failed for a reason of its own (its message).
    Solver(String),
}

/// What became NaN or infinite in a training step that [`Error::Diverged`] stopped.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Overflow {
    /// The cost `C` itself.
    Cost,
    /// The derivative `dC/dwi` of weight `i` (0-based), with its value.
    Gradient {
        /// The weight's index.
        weight: usize,
        /// The derivative's value.
        value: f64,
    },
    /// The update `wi - alpha dC/dwi` of weight `i` (0-based), from a finite cost and
    /// gradient: the learning rate times the derivative overflowed.
    Update {
        /// The weight's index.
        weight: usize,
        /// The finite derivative `dC/dwi`.
        gradient: f64,
        /// The updated weight (infinite).
        value: f64,
    },
}

impl fmt::Display for Overflow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Overflow::Cost => f.write_str("the cost"),
            Overflow::Gradient { weight, value } => write!(f, "dC/dw{weight} is {value}"),
            Overflow::Update {
                weight,
                gradient,
                value,
            } => write!(
                f,
                "the update of w{weight} overflowed (w{weight} - alpha * dC/dw{weight} = {value} \
                 with dC/dw{weight} = {gradient})"
            ),
        }
    }
}

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::WeightCount {
                net,
                expected,
                found,
            } => write!(f, "net {net} takes {expected} weights, got {found}"),
            Error::Data(e) => e.fmt(f),
            Error::Diverged {
                step,
                epoch,
                cost,
                weights,
                overflow,
            } => {
                write!(f, "training diverged at step {step} (epoch {epoch}): ")?;
                match overflow {
                    Overflow::Cost => write!(f, "the cost is {cost}")?,
                    other => write!(f, "{other}")?,
                }
                write!(
                    f,
                    " at weights {weights:?}; the learning rate alpha is likely too large"
                )
            }
            Error::Config(msg) => f.write_str(msg),
            Error::Engine(e) => write!(f, "autodiff: {e}"),
            Error::NotFinite {
                quantity,
                value,
                weights,
            } => write!(
                f,
                "the {quantity} overflowed (a value is {value}) at weights {weights:?}"
            ),
            Error::Solver(msg) => write!(f, "solver: {msg}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Data(e) => Some(e),
            Error::Engine(e) => Some(e),
            _ => None,
        }
    }
}

impl From<DataError> for Error {
    fn from(e: DataError) -> Self {
        Error::Data(e)
    }
}

impl From<autodiff::Error> for Error {
    fn from(e: autodiff::Error) -> Self {
        Error::Engine(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn divergence_names_step_what_overflowed_weights_and_the_learning_rate_not_an_option() {
        let at = |cost: f64, overflow| {
            Error::Diverged {
                step: 3,
                epoch: 1,
                cost,
                weights: vec![1.0, -2.5],
                overflow,
            }
            .to_string()
        };
        let tail = " at weights [1.0, -2.5]; the learning rate alpha is likely too large";
        assert_eq!(
            at(f64::INFINITY, Overflow::Cost),
            format!("training diverged at step 3 (epoch 1): the cost is inf{tail}")
        );
        let nan = Overflow::Gradient {
            weight: 1,
            value: f64::NAN,
        };
        assert_eq!(
            at(0.5, nan),
            format!("training diverged at step 3 (epoch 1): dC/dw1 is NaN{tail}")
        );
        let update = Overflow::Update {
            weight: 0,
            gradient: 13.375,
            value: f64::NEG_INFINITY,
        };
        assert_eq!(
            at(0.5, update),
            format!(
                "training diverged at step 3 (epoch 1): the update of w0 overflowed \
                 (w0 - alpha * dC/dw0 = -inf with dC/dw0 = 13.375){tail}"
            )
        );
    }
}
