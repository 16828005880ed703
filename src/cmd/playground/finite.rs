//! The run stops at the first NaN or infinite number, saying what overflowed and which
//! option to change, instead of ending with a `null` loss and exit code 0.

use nn::Regularization;

use super::setup::Setup;
use super::{option_error, Args, EpochMetrics};
use crate::cmd::options::short;
use crate::cmd::Error;

/// Checks the epoch's mean objective and the parameters after epoch `epoch`.
///
/// # Errors
/// [`Error::Option`] naming what is not finite and the option to change: `--reg-rate` when
/// the regularisation's step alone overshoots (`lr · reg_rate ≥ 1`), `--lr` otherwise.
pub fn after_epoch(setup: &Setup, epoch: usize, objective: f64) -> Result<(), Error> {
    let params = setup.trainer.mlp.parameters();
    let what = match params.iter().position(|p| !p.is_finite()) {
        Some(k) => format!("parameter {k} is {}", params[k]),
        None if !objective.is_finite() => format!("the training objective is {objective}"),
        None => return Ok(()),
    };
    Err(diverged(setup, epoch, &what))
}

/// Checks the train and test losses at a recorded point; at epoch 0 (the initial weights)
/// a non-finite loss comes from the data.
///
/// # Errors
/// [`Error::Option`] as [`after_epoch`]; at epoch 0, [`Error::Option`] naming the data's
/// largest value.
pub fn metrics(setup: &Setup, args: &Args, point: &EpochMetrics) -> Result<(), Error> {
    let loss = [("train", point.train.loss), ("test", point.test.loss)];
    let Some((part, value)) = loss.into_iter().find(|(_, l)| !l.is_finite()) else {
        return Ok(());
    };
    let what = format!("the {part} loss is {value}");
    if point.epoch > 0 {
        return Err(diverged(setup, point.epoch, &what));
    }
    let largest = [&setup.train, &setup.test]
        .iter()
        .flat_map(|p| p.points.iter().chain(p.labels.iter()))
        .fold(0.0_f64, |m, x| m.max(x.abs()));
    let option = if args.data.is_some() {
        "--data"
    } else {
        "--noise"
    };
    Err(option_error(
        option,
        format!(
            "{what} at the initial weights: values of {} as large as {largest:e} overflow the \
             loss; scale the data down",
            setup.name
        ),
    ))
}

/// `training diverged in epoch E: WHAT; try a smaller --OPTION (now V)`.
fn diverged(setup: &Setup, epoch: usize, what: &str) -> Error {
    let s = &setup.settings;
    let regularized = Regularization::from_name(&s.regularization, s.reg_rate)
        .is_ok_and(|r| r != Regularization::None);
    let (option, value) = if regularized && s.lr * s.reg_rate >= 1.0 {
        ("--reg-rate", s.reg_rate)
    } else {
        ("--lr", s.lr)
    };
    Error::Option(format!(
        "training diverged in epoch {epoch}: {what}; try a smaller {option} (now {})",
        short(value)
    ))
}
