//! Seeded data from known weights.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::Sample;
use crate::{Error, Net, Result};

/// An endless, seeded stream of samples of `net` at fixed weights: `s0` uniform in
/// `[lo, hi]`, `out` the net's output at `s0` (no noise).
///
/// # Examples
/// ```
/// use lecture::{data::Generator, Net};
/// let rows: Vec<_> = Generator::new(Net::Lecture, &[-0.2, 2.8, 10.0], (-10.0, 10.0), 7)?
///     .take(1000)
///     .collect();
/// assert!(rows.iter().all(|r| (-10.0..=10.0).contains(&r.s0)));
/// let again: Vec<_> = Generator::new(Net::Lecture, &[-0.2, 2.8, 10.0], (-10.0, 10.0), 7)?
///     .take(1000)
///     .collect();
/// assert_eq!(rows, again); // same seed, same data
/// # Ok::<(), lecture::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Generator {
    net: Net,
    weights: Vec<f64>,
    range: (f64, f64),
    rng: StdRng,
}

impl Generator {
    /// A generator for `net` at `weights`, inputs in `range = (lo, hi)`, seeded by `seed`.
    ///
    /// # Errors
    /// [`Error::WeightCount`] if the weights do not fit the net; [`Error::Config`] if a
    /// weight or a bound is not finite, or `lo > hi`.
    pub fn new(net: Net, weights: &[f64], range: (f64, f64), seed: u64) -> Result<Self> {
        net.check_weights(weights)?;
        if let Some(w) = weights.iter().find(|w| !w.is_finite()) {
            return Err(Error::Config(format!("weight {w} is not finite")));
        }
        let (lo, hi) = range;
        if !(lo.is_finite() && hi.is_finite() && lo <= hi) {
            return Err(Error::Config(format!(
                "input range {lo},{hi} must be two finite numbers with lo <= hi"
            )));
        }
        if !(hi - lo).is_finite() {
            return Err(Error::Config(format!(
                "input range {lo},{hi} is too wide: hi - lo overflows to infinity"
            )));
        }
        Ok(Generator {
            net,
            weights: weights.to_vec(),
            range,
            rng: StdRng::seed_from_u64(seed),
        })
    }
}

impl Iterator for Generator {
    type Item = Sample;

    fn next(&mut self) -> Option<Sample> {
        let (lo, hi) = self.range;
        let s0 = self.rng.random_range(lo..=hi);
        let out = self
            .net
            .output(&self.weights, s0)
            .expect("lecture internal error: weights checked in Generator::new");
        Some(Sample { s0, out })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_range_whose_width_overflows_is_refused_not_a_panic() {
        let e = Generator::new(Net::Lecture, &[1.0, 1.0, 1.0], (-1e308, 1e308), 0).unwrap_err();
        assert!(e.to_string().contains("too wide"), "{e}");
        let mut g = Generator::new(Net::Lecture, &[1.0, 1.0, 1.0], (-8e307, 8e307), 0).unwrap();
        assert!(g.next().unwrap().s0.is_finite());
    }
}
