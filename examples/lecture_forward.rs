//! The slides' forward pass: s0 = 2, w = (2, 1, 0.5), target 0.7.
//!
//! Prints every named node of the lecture graph and the slides' verdict:
//!
//! ```text
//! x1 = 4, s1 = 0.982, x2 = 0.982, s2 = 0.7275, out = 0.3638, target 0.7: Match? NO
//! ```
//!
//! Run with `cargo run --example lecture_forward`.

use autodiff::Graph;
use lecture::{Net, Point};

fn main() -> Result<(), lecture::Error> {
    let g = Graph::new();
    let net = Net::Lecture.build(&g, &Point::slides())?;
    for (name, value) in net.table() {
        println!("{name:<7} {value:>8.4}");
    }
    let (out, target) = (net.out.value(), net.target.value());
    let verdict = if (out - target).abs() < 5e-5 {
        "YES"
    } else {
        "NO"
    };
    println!("out = {out:.4}, target = {target}: Match? {verdict}");
    // x1 = w0 s0 = 4 exactly; out = w2 S(w1 S(w0 s0)) = 0.3638 to four places
    assert_eq!(net.x[1].value(), 4.0);
    assert_eq!((out * 1e4).round() / 1e4, 0.3638);
    Ok(())
}
