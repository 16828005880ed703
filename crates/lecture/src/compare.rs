//! Tape vs the slides' formulas vs central finite differences, per weight.

use std::fmt;

use autodiff::Graph;

use crate::network::forward;
use crate::{formulas, LectureNet, Net, Point, Result};

/// One weight's line of a [`Comparison`]: `dC/dwi` three ways.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// `w0`, `w1`, …
    pub name: String,
    /// The weight's value.
    pub weight: f64,
    /// From the graph's reverse sweep.
    pub tape: f64,
    /// From the slides' hand-derived formula (lecture net only).
    pub formula: Option<f64>,
    /// Central finite difference of `C`, step `∛ε · max(1, |wi|)`.
    pub numeric: f64,
}

impl Row {
    /// `|tape − formula|`, if there is a formula.
    pub fn tape_vs_formula(&self) -> Option<f64> {
        self.formula.map(|f| (self.tape - f).abs())
    }

    /// `|tape − numeric|`.
    pub fn tape_vs_numeric(&self) -> f64 {
        (self.tape - self.numeric).abs()
    }
}

/// `dC/dwi` at one point, for every weight, three ways; prints as a table.
#[derive(Clone, Debug, PartialEq)]
pub struct Comparison {
    /// The net.
    pub net: Net,
    /// Where it was evaluated.
    pub point: Point,
    /// `out` at the point.
    pub out: f64,
    /// `C` at the point.
    pub cost: f64,
    /// One row per weight.
    pub rows: Vec<Row>,
}

/// Compares the tape gradient of `C` with the slides' formulas (for [`Net::Lecture`]) and
/// with central finite differences, at `point`.
///
/// # Errors
/// [`Error::WeightCount`](crate::Error::WeightCount) if the weights do not fit the net.
///
/// # Examples
/// ```
/// use lecture::{compare::compare, Net, Point};
/// let c = compare(Net::Lecture, &Point::slides())?;
/// for row in &c.rows {
///     // tape == formula to rounding; finite differences to ~1e-9
///     assert!(row.tape_vs_formula().unwrap() <= 1e-15);
///     assert!(row.tape_vs_numeric() < 1e-8);
/// }
/// # Ok::<(), lecture::Error>(())
/// ```
pub fn compare(net: Net, point: &Point) -> Result<Comparison> {
    let g = Graph::new();
    let built = net.build(&g, point)?;
    let tape = built.gradient();
    let formula = (net == Net::Lecture).then(|| {
        let v = |var: autodiff::Var<'_>| var.value();
        let (s0, s1, s2) = (v(built.s0), v(built.s[1]), v(built.s[2]));
        let (w1, w2) = (v(built.weights[1]), v(built.weights[2]));
        let (out, target) = (v(built.out), v(built.target));
        [
            formulas::dout_dw0(w2, s2, w1, s1, s0),
            formulas::dout_dw1(w2, s2, s1),
            formulas::dout_dw2(s2),
        ]
        .map(|dout_dwi| formulas::dc_dw(out, target, dout_dwi))
    });
    let numeric = central_differences(net, point);
    let rows = (0..net.n_weights())
        .map(|i| Row {
            name: format!("w{i}"),
            weight: point.weights[i],
            tape: tape[i],
            formula: formula.map(|f| f[i]),
            numeric: numeric[i],
        })
        .collect();
    Ok(Comparison {
        net,
        point: point.clone(),
        out: built.out.value(),
        cost: built.cost.value(),
        rows,
    })
}

/// The slides' Hessian of `C` in `(w0, w1, w2)` ([`formulas::cost_hessian`]) from the node
/// values of `net` as recorded; `None` for a net the slides give no formulas for.
///
/// # Examples
/// ```
/// use lecture::{compare::formula_hessian, Net, Point};
/// let g = autodiff::Graph::new();
/// let net = Net::Lecture.build(&g, &Point::slides())?;
/// let h = formula_hessian(&net).unwrap();
/// assert_eq!(h[2][2], net.s[2].value() * net.s[2].value()); // d²C/dw2² = s2²
/// # Ok::<(), lecture::Error>(())
/// ```
pub fn formula_hessian(net: &LectureNet<'_>) -> Option<[[f64; 3]; 3]> {
    if net.net != Net::Lecture {
        return None;
    }
    let v = |var: autodiff::Var<'_>| var.value();
    Some(formulas::cost_hessian(
        v(net.s0),
        v(net.s[1]),
        v(net.s[2]),
        v(net.out),
        v(net.target),
        v(net.weights[1]),
        v(net.weights[2]),
    ))
}

/// `(C(wi + h) − C(wi − h)) / 2h` with `h = ∛ε · max(1, |wi|)` for every weight, through
/// the f64 path. Moving weight `i` changes the pass only from neuron `i + 1` on, so each
/// difference starts there from the unmoved pass's `s(i)` ([`Net::cost_from`], equal to a
/// whole pass bit for bit): `n²/2` neurons for `n` weights instead of `2n²`, and no
/// allocation per pass.
fn central_differences(net: Net, point: &Point) -> Vec<f64> {
    let s = forward(net, point.s0, &point.weights, point.target).s;
    let mut w = point.weights.clone();
    (0..net.n_weights())
        .map(|i| {
            let wi = point.weights[i];
            let h = f64::EPSILON.cbrt() * wi.abs().max(1.0);
            let k = i.min(net.neurons()); // weight i feeds neuron i + 1, or is the output's
            let mut cost_at = |x: f64| {
                w[i] = x;
                let c = net.cost_from(&w, k, s[k], point.target);
                w[i] = wi;
                c.expect("lecture internal error: weights checked by build")
            };
            let (up, down) = (wi + h, wi - h);
            (cost_at(up) - cost_at(down)) / (up - down)
        })
        .collect()
}

impl Comparison {
    /// Whether the slides give formulas for this net (only [`Net::Lecture`]).
    pub fn has_formulas(&self) -> bool {
        self.rows.iter().any(|r| r.formula.is_some())
    }

    /// The first number of the comparison that is NaN or infinite, described (`"out"`,
    /// `"the cost"`, `"the tape's dC/dw1"`, `"the finite difference of dC/dw0"`…) with its
    /// value; `None` if every number is finite. A point whose numbers overflow has
    /// nothing to compare.
    pub fn first_non_finite(&self) -> Option<String> {
        let mut numbers = vec![
            ("out".to_string(), self.out),
            ("the cost C".to_string(), self.cost),
        ];
        for r in &self.rows {
            numbers.push((format!("the tape's dC/d{}", r.name), r.tape));
            if let Some(formula) = r.formula {
                numbers.push((format!("the slide formula's dC/d{}", r.name), formula));
            }
            numbers.push((
                format!("the finite difference of dC/d{}", r.name),
                r.numeric,
            ));
        }
        numbers
            .into_iter()
            .find(|(_, x)| !x.is_finite())
            .map(|(what, x)| format!("{what} is {x}"))
    }
}

impl fmt::Display for Comparison {
    /// The table: weight, tape, formula, finite difference, and the two differences; the
    /// formula columns only for a net the slides give formulas for.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let formulas = self.has_formulas();
        let (formula_head, diff_head) = match formulas {
            true => (
                format!(" {:>22}", "slide formula"),
                format!(" {:>11}", "|tape-form|"),
            ),
            false => (String::new(), String::new()),
        };
        writeln!(
            f,
            "{:<6} {:>10} {:>22}{formula_head} {:>22}{diff_head} {:>11}",
            "dC/dw", "w", "tape", "finite difference", "|tape-fd|"
        )?;
        for r in &self.rows {
            let (formula, diff) = match formulas {
                true => (
                    format!(
                        " {:>22}",
                        r.formula.map_or("-".to_string(), |x| format!("{x:.15e}"))
                    ),
                    format!(
                        " {:>11}",
                        r.tape_vs_formula()
                            .map_or("-".to_string(), |x| format!("{x:.1e}"))
                    ),
                ),
                false => (String::new(), String::new()),
            };
            writeln!(
                f,
                "{:<6} {:>10.4} {:>22.15e}{formula} {:>22.15e}{diff} {:>11.1e}",
                r.name,
                r.weight,
                r.tape,
                r.numeric,
                r.tape_vs_numeric()
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_overflowing_point_names_its_first_non_finite_number() {
        assert_eq!(
            compare(Net::Lecture, &Point::slides())
                .unwrap()
                .first_non_finite(),
            None
        );
        let huge = Point {
            weights: vec![1e308; 3],
            ..Point::slides()
        };
        let what = compare(Net::Lecture, &huge)
            .unwrap()
            .first_non_finite()
            .unwrap();
        assert!(
            what.ends_with("is NaN") || what.ends_with("is inf"),
            "{what}"
        );
    }

    #[test]
    fn variants_have_no_formula_column_but_agree_with_finite_differences() {
        for net in [Net::TwoNode, Net::Chain(4)] {
            let point = Point {
                weights: vec![0.8; net.n_weights()],
                s0: 1.3,
                target: 0.2,
            };
            let c = compare(net, &point).unwrap();
            assert_eq!(c.rows.len(), net.n_weights());
            for r in &c.rows {
                assert_eq!(r.formula, None);
                // central differences: error O(h²) + O(ε/h) ≈ 1e-10 here
                assert!(r.tape_vs_numeric() < 1e-8, "{c}");
            }
        }
    }

    #[test]
    fn variants_print_no_formula_columns() {
        let point = Point {
            weights: vec![1.0; 2],
            s0: 2.0,
            target: 0.7,
        };
        let text = compare(Net::TwoNode, &point).unwrap().to_string();
        let header = text.lines().next().unwrap();
        assert_eq!(
            header.split_whitespace().collect::<Vec<_>>(),
            ["dC/dw", "w", "tape", "finite", "difference", "|tape-fd|"]
        );
        assert!(!text.contains(" - "), "{text}");
        let lecture = compare(Net::Lecture, &Point::slides()).unwrap();
        assert!(lecture.has_formulas() && lecture.to_string().contains("slide formula"));
    }

    #[test]
    fn table_lists_every_weight() {
        let text = compare(Net::Lecture, &Point::slides()).unwrap().to_string();
        assert_eq!(text.lines().count(), 4);
        assert!(text.lines().nth(3).unwrap().starts_with("w2 "));
    }
}
