//! The graph's reverse sweep against the slides' hand-derived formulas: equal to 1e-12
//! relative at the slides' point and at 10,000 random points.

use approx::assert_relative_eq;
use autodiff::Graph;
use lecture::{formulas, LectureNet, Net, Point};
use proptest::prelude::*;

/// `dC/dwi` from the tape, and from the slides' formulas evaluated on the same forward
/// pass's node values.
fn tape_and_formulas(net: &LectureNet<'_>) -> ([f64; 3], [f64; 3]) {
    let grads = net.cost.backward();
    let tape = [0, 1, 2].map(|i| grads.wrt(net.weights[i]));
    let (s0, s1, s2) = (net.s0.value(), net.s[1].value(), net.s[2].value());
    let (w1, w2) = (net.weights[1].value(), net.weights[2].value());
    let (out, target) = (net.out.value(), net.target.value());
    let dout = [
        formulas::dout_dw0(w2, s2, w1, s1, s0),
        formulas::dout_dw1(w2, s2, s1),
        formulas::dout_dw2(s2),
    ];
    (tape, dout.map(|d| formulas::dc_dw(out, target, d)))
}

#[test]
fn tape_matches_slide_formula_for_dc_dw2() {
    let g = Graph::new();
    let net = Net::Lecture.build(&g, &Point::slides()).unwrap();
    let (tape, formula) = tape_and_formulas(&net);
    // dC/dw2 = (out - target) s2
    assert_relative_eq!(tape[2], formula[2], max_relative = 1e-12);
}

#[test]
fn tape_matches_slide_formula_for_dc_dw1() {
    let g = Graph::new();
    let net = Net::Lecture.build(&g, &Point::slides()).unwrap();
    let (tape, formula) = tape_and_formulas(&net);
    // dC/dw1 = (out - target) w2 s2(1-s2) s1
    assert_relative_eq!(tape[1], formula[1], max_relative = 1e-12);
}

#[test]
fn tape_matches_slide_formula_for_dc_dw0() {
    let g = Graph::new();
    let net = Net::Lecture.build(&g, &Point::slides()).unwrap();
    let (tape, formula) = tape_and_formulas(&net);
    // dC/dw0 = (out - target) w2 s2(1-s2) w1 s1(1-s1) s0
    assert_relative_eq!(tape[0], formula[0], max_relative = 1e-12);
}

#[test]
fn slides_point_values_match_the_slides() {
    let g = Graph::new();
    let net = Net::Lecture.build(&g, &Point::slides()).unwrap();
    // the slides round to 3-4 digits: x1 = 4, s1 = 0.982, x2 = 0.982, s2 = 0.7275, out = 0.3638
    let rounded = |x: f64, digits: i32| (x * 10f64.powi(digits)).round() / 10f64.powi(digits);
    assert_eq!(net.x[1].value(), 4.0);
    assert_eq!(rounded(net.s[1].value(), 3), 0.982);
    assert_eq!(rounded(net.x[2].value(), 3), 0.982);
    assert_eq!(rounded(net.s[2].value(), 4), 0.7275);
    assert_eq!(rounded(net.out.value(), 4), 0.3638);
}

#[test]
fn slides_point_gradients_agree_with_finite_differences() {
    let c = lecture::compare::compare(Net::Lecture, &Point::slides()).unwrap();
    for row in &c.rows {
        // central differences with h ≈ 6e-6: error ~h² + ε/h ≈ 1e-10 absolute
        assert_relative_eq!(row.tape, row.numeric, epsilon = 1e-9, max_relative = 1e-6);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 10_000, ..ProptestConfig::default() })]

    /// Where the slides' formulas are well conditioned (|x1|, |x2| ≤ 6, so 1 - s ≥ 2.5e-3
    /// and forming 1 - s loses at most ε/(1 - s) < 1e-13), tape and formulas agree to 1e-12.
    #[test]
    fn tape_matches_slide_formulas_at_random_points(
        w0 in -0.6..0.6f64, w1 in -6.0..6.0f64, w2 in -20.0..20.0f64,
        s0 in -10.0..10.0f64, target in -20.0..20.0f64,
    ) {
        let g = Graph::new();
        let point = Point { weights: vec![w0, w1, w2], s0, target };
        let net = Net::Lecture.build(&g, &point).unwrap();
        let (tape, formula) = tape_and_formulas(&net);
        for i in 0..3 {
            let scale = tape[i].abs().max(formula[i].abs());
            prop_assert!(
                (tape[i] - formula[i]).abs() <= 1e-12 * scale,
                "dC/dw{i}: tape {} vs formula {} at {point:?}", tape[i], formula[i]
            );
        }
    }

    /// Anywhere: the formulas' `1 - s` cancels in the sigmoid's upper tail (relative error
    /// up to ε/(1 - s)), while the engine computes S'(x) = S(x) S(-x) without cancelling.
    /// Agreement is then 1e-12 plus that conditioning term.
    #[test]
    fn tape_matches_slide_formulas_up_to_their_conditioning_anywhere(
        w0 in -5.0..5.0f64, w1 in -5.0..5.0f64, w2 in -20.0..20.0f64,
        s0 in -10.0..10.0f64, target in -20.0..20.0f64,
    ) {
        let g = Graph::new();
        let point = Point { weights: vec![w0, w1, w2], s0, target };
        let net = Net::Lecture.build(&g, &point).unwrap();
        let (tape, formula) = tape_and_formulas(&net);
        let (s1, s2) = (net.s[1].value(), net.s[2].value());
        let cancel = |s: f64| 4.0 * f64::EPSILON / (1.0 - s).max(f64::MIN_POSITIVE);
        let tolerance = [1e-12 + cancel(s1) + cancel(s2), 1e-12 + cancel(s2), 1e-12];
        for i in 0..3 {
            let scale = tape[i].abs().max(formula[i].abs());
            prop_assert!(
                (tape[i] - formula[i]).abs() <= tolerance[i] * scale,
                "dC/dw{i}: tape {} vs formula {} at {point:?}", tape[i], formula[i]
            );
        }
    }
}

/// The cost's Hessian from the recorded backward pass, and from the hand-derived second
/// derivatives (`formulas::cost_hessian`) on the same forward pass's node values.
fn hessians(net: &LectureNet<'_>) -> ([[f64; 3]; 3], [[f64; 3]; 3]) {
    let h = net.cost.hessian(&net.weights);
    let engine = [0, 1, 2].map(|i| [0, 1, 2].map(|j| h[[i, j]]));
    let (s0, s1, s2) = (net.s0.value(), net.s[1].value(), net.s[2].value());
    let (w1, w2) = (net.weights[1].value(), net.weights[2].value());
    let (out, target) = (net.out.value(), net.target.value());
    let formula = formulas::cost_hessian(s0, s1, s2, out, target, w1, w2);
    (engine, formula)
}

#[test]
fn hessian_matches_the_hand_derived_second_derivatives_at_the_slides_point() {
    let g = Graph::new();
    let net = Net::Lecture.build(&g, &Point::slides()).unwrap();
    let (engine, formula) = hessians(&net);
    // d²C/dw2² = s2²
    let s2 = net.s[2].value();
    assert_relative_eq!(engine[2][2], s2 * s2, max_relative = 1e-15);
    for i in 0..3 {
        for j in 0..3 {
            assert_relative_eq!(engine[i][j], formula[i][j], max_relative = 1e-12);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2_000, ..ProptestConfig::default() })]

    /// Where the formulas are well conditioned (as for the gradient above), the engine's
    /// Hessian and the hand-derived one agree to 1e-10 of the largest entry.
    #[test]
    fn hessian_matches_the_hand_derived_second_derivatives_at_random_points(
        w0 in -0.6..0.6f64, w1 in -6.0..6.0f64, w2 in -20.0..20.0f64,
        s0 in -10.0..10.0f64, target in -20.0..20.0f64,
    ) {
        let g = Graph::new();
        let point = Point { weights: vec![w0, w1, w2], s0, target };
        let net = Net::Lecture.build(&g, &point).unwrap();
        let (engine, formula) = hessians(&net);
        let scale = formula.iter().flatten().fold(f64::MIN_POSITIVE, |m, h| m.max(h.abs()));
        for i in 0..3 {
            for j in 0..3 {
                prop_assert!(
                    (engine[i][j] - formula[i][j]).abs() <= 1e-10 * scale,
                    "d²C/dw{i}dw{j}: engine {} vs formula {} at {point:?}", engine[i][j], formula[i][j]
                );
            }
        }
    }
}
