//! What a plot axis can show. The plotting library computes its ticks by stepping through
//! the range, and an infinite range (a value near `f64::MAX` plus the plot's margin
//! overflows) makes it spin forever; so every value that sets an axis is checked first, and
//! a run whose values are beyond [`MAX_PLOTTED`] gets a clear error and no plot.

use super::Error;

/// The largest magnitude a plotted value may have: far beyond anything readable, and far
/// enough below `f64::MAX` that an axis' margins around it stay finite.
pub const MAX_PLOTTED: f64 = 1e300;

/// Checks that every value of `values` is finite and at most [`MAX_PLOTTED`] in magnitude.
///
/// # Errors
/// [`Error::Output`] naming `what`, the first value out of range and the plot folder's
/// option `option`.
pub fn plottable(
    option: &str,
    what: &str,
    values: impl IntoIterator<Item = f64>,
) -> Result<(), Error> {
    match values
        .into_iter()
        .find(|x| x.is_nan() || x.abs() > MAX_PLOTTED)
    {
        None => Ok(()),
        Some(x) => Err(Error::Output(format!(
            "cannot plot ({option}): {what} reaches {x:e}, beyond the plottable \
             ±{MAX_PLOTTED:e}; no plot written"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn huge_and_non_finite_values_are_refused_naming_what() {
        assert!(plottable("--plots", "w0", [0.0, -1e300, 1e300]).is_ok());
        for bad in [1.7e308, -1.7e308, f64::INFINITY, f64::NAN] {
            let e = plottable("--plots", "w0", [1.0, bad])
                .unwrap_err()
                .to_string();
            assert!(e.starts_with("cannot plot (--plots): w0 reaches"), "{e}");
        }
    }
}
