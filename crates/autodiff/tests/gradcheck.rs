//! The finite-difference checker itself: it passes correct gradients and it can fail — on a
//! wrong derivative, at a kink, and under an impossible tolerance.

mod common;

use autodiff::gradcheck::central_difference;
use autodiff::{gradcheck, gradcheck_with, Tolerance};
use common::assert_close;

#[test]
fn gradcheck_passes_on_smooth_functions() {
    // f(x, y) = x sin y + e^(xy) / (1 + y²)
    let report = gradcheck(
        |_g, v| v[0] * v[1].sin() + (v[0] * v[1]).exp() / (1.0 + v[1].square()),
        &[0.7, -1.3],
    );
    assert!(report.passed(), "{report}");
    let x: f64 = 0.7;
    let y: f64 = -1.3;
    // ∂f/∂x = sin y + y e^(xy) / (1 + y²)
    let dfdx = y.sin() + y * (x * y).exp() / (1.0 + y * y);
    assert_close(report.rows[0].tape, dfdx, 1e-14, 0.0, "tape ∂f/∂x");
    assert_close(report.rows[0].numeric, dfdx, 1e-8, 0.0, "numeric ∂f/∂x");
    for f in [
        gradcheck(|_g, v| v[0].sigmoid() * v[1].tanh(), &[0.49, 0.99]),
        gradcheck(|_g, v| v[0].pow(v[1]), &[1.01, -1.3]),
        gradcheck(|_g, v| (v[0] / v[1]).softplus().ln(), &[3.0, 2.0]),
        gradcheck(|_g, v| v[0].powi(3) * v[0].sin(), &[12.0]),
    ] {
        assert!(f.passed(), "{f}");
    }
}

#[test]
fn gradcheck_fails_when_a_value_escapes_the_graph() {
    // A wrong derivative: sin x is computed outside the graph and re-entered as a constant,
    // so the tape says f'(x) = 0.5 while f(x) = sin x + x/2 has f'(x) = cos x + 0.5.
    let report = gradcheck(|g, v| g.constant(v[0].value().sin()) + v[0] * 0.5, &[0.3]);
    assert!(!report.passed(), "a wrong derivative passed:\n{report}");
    let row = report.rows[0];
    assert!(!row.passed);
    assert_eq!(row.tape, 0.5);
    assert_close(row.numeric, 0.3_f64.cos() + 0.5, 1e-8, 0.0, "numeric");
    assert!(row.rel_error > 0.4, "{row:?}");
    assert!(report.to_string().contains("NO"), "{report}");
}

#[test]
fn gradcheck_flags_only_the_wrong_input() {
    // f(x, y) = x·y with y's path cut: ∂f/∂x right (y), ∂f/∂y wrong (0 instead of x)
    let report = gradcheck(|g, v| v[0] * g.constant(v[1].value()), &[2.0, 5.0]);
    assert!(report.rows[0].passed, "{report}");
    assert!(!report.rows[1].passed, "{report}");
    assert_eq!((report.rows[1].tape, report.rows[1].rel_error), (0.0, 1.0));
}

#[test]
fn gradcheck_fails_at_a_kink_where_the_convention_differs_from_the_difference() {
    // relu'(0) = 0 by convention; the central difference sees (h - 0)/2h = 1/2
    let report = gradcheck(|_g, v| v[0].relu(), &[0.0]);
    assert!(!report.passed(), "{report}");
    assert_eq!(report.rows[0].tape, 0.0);
    assert_close(report.rows[0].numeric, 0.5, 1e-12, 0.0, "FD of relu at 0");
}

#[test]
fn gradcheck_with_zero_tolerance_rejects_even_a_correct_gradient() {
    let exact = gradcheck_with(
        |_g, v| v[0].exp(),
        &[1.0],
        Tolerance {
            rtol: 0.0,
            atol: 0.0,
        },
    );
    assert!(
        !exact.passed(),
        "FD has truncation error, so zero tolerance fails: {exact}"
    );
    assert!(gradcheck(|_g, v| v[0].exp(), &[1.0]).passed());
}

#[test]
fn gradcheck_default_tolerance_is_rtol_1e_5_atol_1e_8() {
    assert_eq!(
        Tolerance::default(),
        Tolerance {
            rtol: 1e-5,
            atol: 1e-8
        }
    );
    // tanh' 12 = 1.5e-10 has an FD error far above 1e-5 relative but below atol = 1e-8
    let report = gradcheck(|_g, v| v[0].tanh(), &[12.0]);
    assert!(report.passed(), "{report}");
    assert!(report.rows[0].rel_error > 1e-5, "{report}");
}

#[test]
fn central_difference_steps_cbrt_epsilon_scaled_by_the_input() {
    // f(x) = (x - c)³ at x = c: the central difference is ((h)³ - (-h)³)/2h = h²
    let h1 = f64::EPSILON.cbrt(); // max(1, |0|) = 1
    let d = central_difference(&|_g, v: &[autodiff::Var<'_>]| v[0].powi(3), &[0.0], 0);
    assert_close(d, h1 * h1, 1e-12, 0.0, "step at x = 0");
    let h = 1000.0 * f64::EPSILON.cbrt(); // max(1, 1000) = 1000
    let d = central_difference(
        &|_g, v: &[autodiff::Var<'_>]| (v[0] - 1000.0).powi(3),
        &[1000.0],
        0,
    );
    assert_close(d, h * h, 1e-6, 0.0, "step at x = 1000");
}

#[test]
fn gradcheck_reports_the_value_and_one_row_per_input() {
    let report = gradcheck(|_g, v| v[0] + v[1] * v[2], &[1.0, 2.0, 3.0]);
    assert_eq!(report.value, 7.0);
    assert_eq!(report.rows.len(), 3);
    let inputs: Vec<f64> = report.rows.iter().map(|r| r.input).collect();
    assert_eq!(inputs, [1.0, 2.0, 3.0]);
    let tapes: Vec<f64> = report.rows.iter().map(|r| r.tape).collect();
    assert_eq!(tapes, [1.0, 3.0, 2.0]);
    assert!(report.passed());
}
