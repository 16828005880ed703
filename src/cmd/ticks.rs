//! Axis tick labels for the plots: as many decimals as the axis needs and no more (`5`, not
//! `5.0`; `0`, never `-0.0`), step numbers with thousands separated, and the indices of a
//! series to plot on a logarithmic step axis.

/// The label of tick `x` on an axis spanning `span`: at most 4 decimals beyond the span's
/// order of magnitude, trailing zeros dropped, and `0` for anything within a billionth of
/// the span of zero (`-0.0`, or `1e-17` from adding tick steps).
pub fn axis(x: f64, span: f64) -> String {
    if !x.is_finite() {
        return format!("{x}");
    }
    let span = if span.is_finite() && span > 0.0 {
        span
    } else {
        x.abs().max(1.0)
    };
    if x.abs() <= span * 1e-9 {
        return "0".into();
    }
    let decimals = (4 - span.log10().floor() as i32).clamp(0, 12) as usize;
    let fixed = format!("{x:.decimals$}");
    let trimmed = if fixed.contains('.') {
        fixed.trim_end_matches('0').trim_end_matches('.')
    } else {
        &fixed
    };
    if trimmed == "-0" {
        "0".into()
    } else {
        trimmed.to_string()
    }
}

/// A step or epoch number as a whole number with thousands separated: `150,000`.
pub fn count(x: f64) -> String {
    let n = x.round();
    if !n.is_finite() {
        return format!("{n}");
    }
    let digits = format!("{}", n.abs() as u64);
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(d);
    }
    if n < 0.0 {
        format!("-{grouped}")
    } else {
        grouped
    }
}

/// At most about `max` indices into a series of `n`, spread evenly on a logarithmic axis:
/// every index early on, ever sparser later; always the first and the last. Increasing.
pub fn log_spaced(n: usize, max: usize) -> Vec<usize> {
    if n <= max.max(2) {
        return (0..n).collect();
    }
    let span = (n as f64).ln();
    let mut picked: Vec<usize> = (0..max)
        .map(|k| ((span * k as f64 / (max - 1) as f64).exp().round() as usize).clamp(1, n) - 1)
        .collect();
    picked.dedup();
    if picked.last() != Some(&(n - 1)) {
        picked.push(n - 1);
    }
    picked
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axis_ticks_have_the_decimals_the_span_needs_and_no_negative_zero() {
        assert_eq!(axis(50.0, 50.0), "50");
        assert_eq!(axis(5.0, 10.0), "5");
        assert_eq!(axis(-1.0, 5.0), "-1");
        assert_eq!(axis(-0.0, 5.0), "0");
        assert_eq!(axis(-1e-17, 2.0), "0");
        assert_eq!(axis(2.5, 10.0), "2.5");
        assert_eq!(axis(0.30000000000000004, 1.0), "0.3");
        assert_eq!(axis(0.0012, 0.01), "0.0012");
        assert_eq!(axis(-0.2, 12.0), "-0.2");
        assert_eq!(axis(150_000.0, 150_000.0), "150000");
        assert_eq!(axis(f64::NAN, 1.0), "NaN");
        assert_eq!(
            axis(3.0, 0.0),
            "3",
            "a zero span falls back to the value's size"
        );
    }

    #[test]
    fn counts_are_whole_with_thousands_separated() {
        assert_eq!(count(0.0), "0");
        assert_eq!(count(999.0), "999");
        assert_eq!(count(1000.0), "1,000");
        assert_eq!(count(150_000.0), "150,000");
        assert_eq!(count(1_234_567.4), "1,234,567");
        assert_eq!(count(-1000.0), "-1,000");
        assert_eq!(count(49.99), "50");
    }

    #[test]
    fn log_spacing_keeps_every_early_index_the_first_and_the_last() {
        assert_eq!(log_spaced(5, 100), [0, 1, 2, 3, 4]);
        assert!(log_spaced(0, 100).is_empty());
        let picked = log_spaced(150_000, 2000);
        assert!(picked.len() <= 2001, "{}", picked.len());
        assert_eq!(picked[..50], (0..50).collect::<Vec<_>>()[..]);
        assert_eq!(picked.last(), Some(&149_999));
        assert!(picked.windows(2).all(|w| w[0] < w[1]));
        // the first 1% of steps gets over a third of the points (a linear spacing: 1%)
        let early = picked.iter().filter(|&&i| i < 1500).count();
        assert!(early > picked.len() / 3, "{early} of {}", picked.len());
    }
}
