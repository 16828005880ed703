//! Bounds on the playground's sizes, checked before anything is allocated, so a huge
//! `--samples` or `--layers` is an option error naming the limit, not an abort.

use super::option_error;
use crate::cmd::options::short;
use crate::cmd::Error;

/// Most points `--samples` may generate (each costs a few hundred bytes across the split,
/// the features and the minibatch rows).
pub const MAX_SAMPLES: usize = 1_000_000;

/// Bytes of memory per network parameter while training, measured: the compiled tape and
/// the recording it is compiled from (`--layers 300,300` and `600,600` peak at ~700 bytes
/// per parameter).
pub const BYTES_PER_PARAMETER: f64 = 700.0;

/// Most memory a network may need, by the estimate [`BYTES_PER_PARAMETER`] × parameters.
pub const MAX_NETWORK_BYTES: f64 = 2.0 * (1u64 << 30) as f64;

/// `--samples`, at most [`MAX_SAMPLES`].
///
/// # Errors
/// [`Error::Option`] naming `--samples` and the limit.
pub fn samples(n: usize) -> Result<usize, Error> {
    if n > MAX_SAMPLES {
        return Err(option_error(
            "--samples",
            format!("at most {MAX_SAMPLES} points, got {n}"),
        ));
    }
    Ok(n)
}

/// The noise level's range, as on the playground's slider.
pub const NOISE: std::ops::RangeInclusive<f64> = 0.0..=0.5;

/// `--noise`, within [`NOISE`].
///
/// # Errors
/// [`Error::Option`] naming `--noise` and its range.
pub fn noise(x: f64) -> Result<f64, Error> {
    if !NOISE.contains(&x) {
        return Err(option_error(
            "--noise",
            format!(
                "must be from {} to {}, got {}",
                NOISE.start(),
                NOISE.end(),
                short(x)
            ),
        ));
    }
    Ok(x)
}

/// The parameter count of a network with these layer sizes (inputs first), in `f64` so
/// that no size overflows it.
pub fn parameter_count(sizes: &[usize]) -> f64 {
    sizes
        .windows(2)
        .map(|w| (w[0] as f64 + 1.0) * w[1] as f64)
        .sum()
}

/// Refuses a network whose estimated training memory exceeds [`MAX_NETWORK_BYTES`].
///
/// # Errors
/// [`Error::Option`] naming `--layers`, the parameter count and the estimate.
pub fn network(sizes: &[usize]) -> Result<(), Error> {
    let parameters = parameter_count(sizes);
    let bytes = parameters * BYTES_PER_PARAMETER;
    if bytes > MAX_NETWORK_BYTES {
        return Err(option_error(
            "--layers",
            format!(
                "{parameters:.0} parameters would need about {:.1} GB to train (limit {:.0} GB)",
                bytes / 1e9,
                MAX_NETWORK_BYTES / 1e9
            ),
        ));
    }
    Ok(())
}

/// The number of optimizer steps of the run, `epochs × steps_per_epoch`.
///
/// # Errors
/// [`Error::Option`] naming `--epochs` if the product does not fit a `usize` (a wrapped
/// count would make a learning-rate decay divide by a wrong number).
pub fn total_steps(epochs: usize, steps_per_epoch: usize) -> Result<usize, Error> {
    epochs.checked_mul(steps_per_epoch).ok_or_else(|| {
        option_error(
            "--epochs",
            format!("{epochs} epochs of {steps_per_epoch} steps is too many steps to count"),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_beyond_the_limits_are_option_errors_naming_the_option() {
        assert!(samples(MAX_SAMPLES).is_ok());
        assert_eq!(noise(0.5).unwrap(), 0.5);
        for bad in [-0.1, 0.51, 1e308] {
            let e = noise(bad).unwrap_err().to_string();
            assert!(
                e.starts_with("invalid --noise: must be from 0 to 0.5"),
                "{e}"
            );
        }
        let e = samples(1_000_000_000_000).unwrap_err().to_string();
        assert!(
            e.starts_with("invalid --samples: at most 1000000 points"),
            "{e}"
        );
        assert!(network(&[2, 8, 8, 1]).is_ok());
        let e = network(&[2, 3000, 3000, 1]).unwrap_err().to_string();
        assert!(
            e.contains("9015001 parameters would need about 6.3 GB"),
            "{e}"
        );
        for huge in [usize::MAX, 1 << 32] {
            let e = network(&[2, huge, 1]).unwrap_err().to_string();
            assert!(e.starts_with("invalid --layers:"), "{e}");
        }
        assert_eq!(total_steps(3, 4).unwrap(), 12);
        let e = total_steps(usize::MAX / 2, 3).unwrap_err().to_string();
        assert!(e.starts_with("invalid --epochs:"), "{e}");
    }
}
