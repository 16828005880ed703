//! The Hessian of `C` in the weights at one point, three ways: the engine's recorded
//! backward pass ([`autodiff::hesscheck`]), the slides' second derivatives
//! ([`formulas::cost_hessian`], lecture net only) and central differences of the gradient.

use std::fmt;

use autodiff::hesscheck;
use ndarray::Array2;

use crate::network::forward;
use crate::{formulas, Net, Point, Result};

/// Nets with more weights than this get no Hessian check (its size grows as the square).
pub const MAX_CHECKED_WEIGHTS: usize = 64;

/// `d²C/dwi dwj` at one point, three ways; prints as a table of the upper triangle.
#[derive(Clone, Debug, PartialEq)]
pub struct HessianComparison {
    /// From the engine: the backward pass recorded as a graph, differentiated again.
    pub tape: Array2<f64>,
    /// From [`formulas::cost_hessian`] (lecture net only).
    pub formula: Option<Array2<f64>>,
    /// Central differences of the tape gradient, step `∛ε · max(1, |wj|)`.
    pub numeric: Array2<f64>,
    /// Whether every entry of `tape` is within [`hesscheck`]'s tolerance of `numeric`.
    pub passed: bool,
}

/// Compares the Hessian of `C` in the weights at `point`.
///
/// # Errors
/// [`Error::WeightCount`](crate::Error::WeightCount) if the weights do not fit the net;
/// [`Error::Config`](crate::Error::Config) for more than [`MAX_CHECKED_WEIGHTS`] weights.
///
/// # Examples
/// ```
/// use lecture::{hessian::compare_hessian, Net, Point};
/// let h = compare_hessian(Net::Lecture, &Point::slides())?;
/// let formula = h.formula.as_ref().unwrap();
/// assert!((h.tape[[2, 2]] - formula[[2, 2]]).abs() < 1e-15); // d²C/dw2² = s2²
/// assert!(h.passed);
/// # Ok::<(), lecture::Error>(())
/// ```
pub fn compare_hessian(net: Net, point: &Point) -> Result<HessianComparison> {
    net.check_weights(&point.weights)?;
    if net.n_weights() > MAX_CHECKED_WEIGHTS {
        return Err(crate::Error::Config(format!(
            "the Hessian check takes at most {MAX_CHECKED_WEIGHTS} weights, net {net} has {}",
            net.n_weights()
        )));
    }
    let (s0, target) = (point.s0, point.target);
    let check = hesscheck(
        |g, w| forward(net, g.constant(s0), w, g.constant(target)).cost,
        &point.weights,
    );
    let formula = (net == Net::Lecture).then(|| {
        let w = &point.weights;
        let nodes = forward(net, s0, w, target);
        let h = formulas::cost_hessian(s0, nodes.s[1], nodes.s[2], nodes.out, target, w[1], w[2]);
        Array2::from_shape_fn((3, 3), |(i, j)| h[i][j])
    });
    Ok(HessianComparison {
        passed: check.passed(),
        tape: check.recorded,
        formula,
        numeric: check.numeric,
    })
}

impl fmt::Display for HessianComparison {
    /// One line per entry of the upper triangle: tape, formula (if any), finite
    /// difference, and `|tape − fd|`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let formula_head = match self.formula {
            Some(_) => format!(" {:>22}", "slide formula"),
            None => String::new(),
        };
        writeln!(
            f,
            "{:<12} {:>22}{formula_head} {:>22} {:>11}",
            "d2C/dwi dwj", "tape", "finite difference", "|tape-fd|"
        )?;
        let k = self.tape.nrows();
        for i in 0..k {
            for j in i..k {
                let tape = self.tape[[i, j]];
                let numeric = self.numeric[[i, j]];
                let formula = match &self.formula {
                    Some(h) => format!(" {:>22.15e}", h[[i, j]]),
                    None => String::new(),
                };
                writeln!(
                    f,
                    "{:<12} {tape:>22.15e}{formula} {numeric:>22.15e} {:>11.2e}",
                    format!("w{i} w{j}"),
                    (tape - numeric).abs()
                )?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The engine's Hessian equals the slides' `cost_hessian` to rounding and the finite
    /// differences to their tolerance, at the slides' point and away from it.
    #[test]
    fn tape_hessian_matches_the_slides_and_finite_differences() {
        let points = [
            Point::slides(),
            Point {
                weights: vec![-0.2, 2.8, 10.0],
                s0: -3.0,
                target: 4.0,
            },
        ];
        for point in points {
            let h = compare_hessian(Net::Lecture, &point).unwrap();
            let formula = h.formula.clone().unwrap();
            for ((i, j), &t) in h.tape.indexed_iter() {
                let f = formula[[i, j]];
                assert!(
                    (t - f).abs() <= 1e-13 * f.abs().max(1.0),
                    "H[{i},{j}] {t} vs {f}"
                );
            }
            assert!(h.passed, "{h}");
        }
    }

    #[test]
    fn other_nets_have_no_formula_and_big_ones_are_refused() {
        let two = Point {
            weights: vec![0.5, 0.5],
            s0: 1.0,
            target: 0.3,
        };
        let h = compare_hessian(Net::TwoNode, &two).unwrap();
        assert!(h.formula.is_none() && h.passed);
        assert_eq!(h.to_string().lines().count(), 4); // header + 3 entries of a 2×2
        let big = Point {
            weights: vec![1.0; 66],
            s0: 1.0,
            target: 0.3,
        };
        assert!(compare_hessian(Net::Chain(65), &big).is_err());
    }
}
