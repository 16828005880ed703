//! dC/dw three ways at the slides' point: the graph's reverse sweep, the slides'
//! hand-derived formulas, and central finite differences.
//!
//! Prints a table like
//!
//! ```text
//! dC/dw    w     tape                   slide formula          finite difference  ...
//! w0       2.0  -1.177352571495724e-3  -1.177352571495724e-3  -1.177352572225061e-3 ...
//! w1       1.0  -3.272931245596374e-2  -3.272931245596375e-2  -3.272931245645257e-2 ...
//! w2       0.5  -2.446216655996671e-1  -2.446216655996671e-1  -2.446216655994239e-1 ...
//! ```
//!
//! Pass weights to look elsewhere: `cargo run --example lecture_gradients -- 1 -2 3`.

use lecture::compare::compare;
use lecture::{Net, Point};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut point = Point::slides();
    let args: Vec<f64> = std::env::args()
        .skip(1)
        .map(|a| a.parse::<f64>())
        .collect::<Result<_, _>>()?;
    if !args.is_empty() {
        point.weights = args;
    }
    let comparison = compare(Net::Lecture, &point)?;
    println!("{comparison}");
    for row in &comparison.rows {
        let formula = row.formula.expect("the lecture net has formulas");
        // tape and formula: the same products, so equal to rounding
        assert!((row.tape - formula).abs() <= 1e-12 * row.tape.abs().max(1e-300));
    }
    Ok(())
}
