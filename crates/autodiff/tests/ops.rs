//! Every op against two oracles: its hand-derived closed form (value and partials, rel 1e-12
//! or ≤ 64 ulps) and central finite differences (`autodiff::gradcheck`, default tolerance),
//! at Stan's common arguments {−1.3, 0.49, 0.99, 1.01} plus op-specific points. Outside an
//! op's domain the engine must agree with `f64`: NaN value, and then NaN gradient.

mod common;

use autodiff::{gradcheck, Graph, Var};
use common::close_ulps_or_rel;

const STAN_POINTS: [f64; 4] = [-1.3, 0.49, 0.99, 1.01];

type Build = for<'g> fn(Var<'g>) -> Var<'g>;

/// A unary op: how to record it, its value, its derivative, and extra points to test.
struct Unary {
    name: &'static str,
    build: Build,
    value: fn(f64) -> f64,
    deriv: fn(f64) -> f64,
    extra: &'static [f64],
}

fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

#[rustfmt::skip]
fn unary_ops() -> Vec<Unary> {
    vec![
        // d(-x)/dx = -1
        Unary { name: "neg", build: |x| -x, value: |x| -x, deriv: |_| -1.0, extra: &[0.0, 7.5] },
        // d(x + 2)/dx = 1
        Unary { name: "x + 2", build: |x| x + 2.0, value: |x| x + 2.0, deriv: |_| 1.0, extra: &[-2.0] },
        Unary { name: "2 + x", build: |x| 2.0 + x, value: |x| 2.0 + x, deriv: |_| 1.0, extra: &[] },
        Unary { name: "x - 2", build: |x| x - 2.0, value: |x| x - 2.0, deriv: |_| 1.0, extra: &[] },
        // d(2 - x)/dx = -1
        Unary { name: "2 - x", build: |x| 2.0 - x, value: |x| 2.0 - x, deriv: |_| -1.0, extra: &[] },
        // d(-0.7 x)/dx = -0.7
        Unary { name: "x * -0.7", build: |x| x * -0.7, value: |x| x * -0.7, deriv: |_| -0.7, extra: &[] },
        Unary { name: "3 * x", build: |x| 3.0 * x, value: |x| 3.0 * x, deriv: |_| 3.0, extra: &[] },
        // d(x / 4)/dx = 1/4
        Unary { name: "x / 4", build: |x| x / 4.0, value: |x| x / 4.0, deriv: |_| 0.25, extra: &[] },
        // d(2 / x)/dx = -2/x²
        Unary { name: "2 / x", build: |x| 2.0 / x, value: |x| 2.0 / x, deriv: |x| -2.0 / (x * x), extra: &[-0.01, 40.0] },
        // d(x³)/dx = 3x²
        Unary { name: "powf 3", build: |x| x.powf(3.0), value: |x| x * x * x, deriv: |x| 3.0 * x * x, extra: &[0.0, -2.0] },
        // d(x^2.5)/dx = 2.5 x^1.5 (domain x ≥ 0)
        Unary { name: "powf 2.5", build: |x| x.powf(2.5), value: |x| x * x * x.sqrt(), deriv: |x| 2.5 * x * x.sqrt(), extra: &[0.01, 4.0] },
        // d(x^-1.5)/dx = -1.5 x^-2.5
        Unary { name: "powf -1.5", build: |x| x.powf(-1.5), value: |x| 1.0 / (x * x.sqrt()), deriv: |x| -1.5 / (x * x * x.sqrt()), extra: &[0.2, 9.0] },
        // d(x^-2)/dx = -2 x^-3
        Unary { name: "powi -2", build: |x| x.powi(-2), value: |x| 1.0 / (x * x), deriv: |x| -2.0 / (x * x * x), extra: &[-3.0] },
        // d(x⁴)/dx = 4x³
        Unary { name: "powi 4", build: |x| x.powi(4), value: |x| x * x * x * x, deriv: |x| 4.0 * x * x * x, extra: &[-2.0, 0.0] },
        // d(x²)/dx = 2x
        Unary { name: "square", build: |x| x.square(), value: |x| x * x, deriv: |x| 2.0 * x, extra: &[0.0, -5.0] },
        // d√x/dx = 1/(2√x)
        Unary { name: "sqrt", build: |x| x.sqrt(), value: f64::sqrt, deriv: |x| 0.5 / x.sqrt(), extra: &[1e-3, 4.0, 1e6] },
        // d(1/x)/dx = -1/x²
        Unary { name: "recip", build: |x| x.recip(), value: |x| 1.0 / x, deriv: |x| -1.0 / (x * x), extra: &[-0.05, 1e3] },
        // d eˣ/dx = eˣ
        Unary { name: "exp", build: |x| x.exp(), value: f64::exp, deriv: f64::exp, extra: &[-20.0, 0.0, 20.0] },
        // d ln x/dx = 1/x
        Unary { name: "ln", build: |x| x.ln(), value: f64::ln, deriv: |x| 1.0 / x, extra: &[1e-3, 2.5, 1e6] },
        // d(eˣ - 1)/dx = eˣ
        Unary { name: "exp_m1", build: |x| x.exp_m1(), value: |x| x.exp() - 1.0, deriv: f64::exp, extra: &[-5.0, 3.0] },
        // d ln(1 + x)/dx = 1/(1 + x)
        Unary { name: "ln_1p", build: |x| x.ln_1p(), value: |x| (1.0 + x).ln(), deriv: |x| 1.0 / (1.0 + x), extra: &[-0.5, 3.0, 100.0] },
        // S'(x) = e⁻ˣ / (1 + e⁻ˣ)²
        Unary { name: "sigmoid", build: |x| x.sigmoid(), value: sigmoid, deriv: |x| (-x).exp() / (1.0 + (-x).exp()).powi(2), extra: &[-5.0, 0.0, 5.0] },
        // tanh' x = 1 - tanh² x
        Unary { name: "tanh", build: |x| x.tanh(), value: f64::tanh, deriv: |x| 1.0 - x.tanh().powi(2), extra: &[-3.0, 0.0, 2.0] },
        // relu'(x) = 1 for x > 0, 0 for x < 0
        Unary { name: "relu", build: |x| x.relu(), value: |x| if x > 0.0 { x } else { 0.0 }, deriv: |x| if x > 0.0 { 1.0 } else { 0.0 }, extra: &[-0.2, 3.0] },
        // softplus'(x) = S(x)
        Unary { name: "softplus", build: |x| x.softplus(), value: |x| (1.0 + x.exp()).ln(), deriv: sigmoid, extra: &[-5.0, 0.0, 5.0] },
        // sin' = cos
        Unary { name: "sin", build: |x| x.sin(), value: f64::sin, deriv: f64::cos, extra: &[0.0, 3.0, -10.0] },
        // cos' = -sin
        Unary { name: "cos", build: |x| x.cos(), value: f64::cos, deriv: |x| -x.sin(), extra: &[0.0, 3.0, -10.0] },
        // |x|' = sign x away from 0
        Unary { name: "abs", build: |x| x.abs(), value: f64::abs, deriv: |x| x.signum(), extra: &[-0.3, 6.0] },
    ]
}

/// `f(x)` and `df/dx` from the engine.
fn engine_unary(build: Build, x: f64) -> (f64, f64) {
    let g = Graph::new();
    let v = g.var(x);
    let y = build(v);
    (y.value(), y.backward().wrt(v))
}

/// Points too close to 0 for central differences with the step `∛ε·max(1, |x|) ≈ 6e-6`:
/// near a singularity (ln, 1/x) the O(h²/x²) truncation error exceeds the 1e-5 tolerance
/// (ln at 1e-3: FD error 1.2e-5 relative), and 0 is the kink of relu and abs.
fn near_singularity(x: f64) -> bool {
    x.abs() < 0.01
}

fn points(extra: &[f64]) -> impl Iterator<Item = f64> + '_ {
    STAN_POINTS.iter().chain(extra).copied()
}

#[test]
fn every_unary_op_matches_its_closed_form_value_and_derivative() {
    let mut failures = Vec::new();
    let mut checked = 0;
    for op in unary_ops() {
        for x in points(op.extra) {
            let (value, grad) = engine_unary(op.build, x);
            let (want_value, want_grad) = ((op.value)(x), (op.deriv)(x));
            if want_value.is_nan() {
                // outside the domain: NaN value, and the NaN reaches the gradient
                if !(value.is_nan() && grad.is_nan()) {
                    failures.push(format!("{} at {x}: ({value}, {grad}), want NaN", op.name));
                }
                continue;
            }
            checked += 1;
            if !close_ulps_or_rel(value, want_value, 64, 1e-12) {
                failures.push(format!(
                    "{} at {x}: value {value:e}, want {want_value:e}",
                    op.name
                ));
            }
            if !close_ulps_or_rel(grad, want_grad, 64, 1e-12) {
                failures.push(format!(
                    "{} at {x}: d/dx {grad:e}, want {want_grad:e}",
                    op.name
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(
        checked > 100,
        "only {checked} in-domain points were checked"
    );
}

#[test]
fn every_unary_op_agrees_with_central_finite_differences() {
    let mut failures = Vec::new();
    for op in unary_ops() {
        let build = op.build;
        for x in points(op.extra) {
            if !(op.value)(x).is_finite() || near_singularity(x) {
                continue; // out of domain, or where a step of 6e-6 is not small
            }
            let report = gradcheck(move |_g, v| build(v[0]), &[x]);
            if !report.passed() {
                failures.push(format!("{} at {x}:\n{report}", op.name));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A binary op: how to record it, its value and both partials.
struct Binary {
    name: &'static str,
    build: for<'g> fn(Var<'g>, Var<'g>) -> Var<'g>,
    value: fn(f64, f64) -> f64,
    partials: fn(f64, f64) -> [f64; 2],
}

#[rustfmt::skip]
fn binary_ops() -> Vec<Binary> {
    vec![
        // ∂(a+b) = (1, 1)
        Binary { name: "add", build: |a, b| a + b, value: |a, b| a + b, partials: |_, _| [1.0, 1.0] },
        // ∂(a-b) = (1, -1)
        Binary { name: "sub", build: |a, b| a - b, value: |a, b| a - b, partials: |_, _| [1.0, -1.0] },
        // ∂(ab) = (b, a)
        Binary { name: "mul", build: |a, b| a * b, value: |a, b| a * b, partials: |a, b| [b, a] },
        // ∂(a/b) = (1/b, -a/b²)
        Binary { name: "div", build: |a, b| a / b, value: |a, b| a / b, partials: |a, b| [1.0 / b, -a / (b * b)] },
        // ∂(a^b) = (b a^(b-1), a^b ln a)
        Binary { name: "pow", build: |a, b| a.pow(b), value: f64::powf, partials: |a, b| [b * a.powf(b - 1.0), a.powf(b) * a.ln()] },
        // ∂max(a, b) = (1, 0) if a > b, (0, 1) if a < b
        Binary { name: "max", build: |a, b| a.max(b), value: f64::max, partials: |a, b| if a > b { [1.0, 0.0] } else { [0.0, 1.0] } },
        Binary { name: "min", build: |a, b| a.min(b), value: f64::min, partials: |a, b| if a < b { [1.0, 0.0] } else { [0.0, 1.0] } },
    ]
}

/// Operand pairs: every ordered pair of Stan's points, without ties, plus a few more.
fn pairs() -> Vec<(f64, f64)> {
    let mut pairs: Vec<(f64, f64)> = STAN_POINTS
        .iter()
        .flat_map(|&a| STAN_POINTS.iter().map(move |&b| (a, b)))
        .filter(|(a, b)| a != b)
        .collect();
    pairs.extend([(5.0, 2.0), (2.0, 5.0), (0.3, -4.0), (1e3, 1e-3), (7.0, 0.5)]);
    pairs
}

#[test]
fn every_binary_op_matches_its_closed_form_value_and_partials() {
    let mut failures = Vec::new();
    for op in binary_ops() {
        for (a, b) in pairs() {
            let g = Graph::new();
            let (va, vb) = (g.var(a), g.var(b));
            let y = (op.build)(va, vb);
            let grads = y.backward();
            let got = [y.value(), grads.wrt(va), grads.wrt(vb)];
            let [da, db] = (op.partials)(a, b);
            let want = [(op.value)(a, b), da, db];
            if want[0].is_nan() {
                // (-1.3)^0.49: NaN value, NaN partials
                if !got.iter().all(|v| v.is_nan()) {
                    failures.push(format!("{} at ({a}, {b}): {got:?}, want NaN", op.name));
                }
                continue;
            }
            for (what, (g, w)) in ["value", "∂a", "∂b"].iter().zip(got.iter().zip(&want)) {
                if !close_ulps_or_rel(*g, *w, 64, 1e-12) {
                    failures.push(format!(
                        "{} at ({a}, {b}): {what} {g:e}, want {w:e}",
                        op.name
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_binary_op_agrees_with_central_finite_differences() {
    let mut failures = Vec::new();
    for op in binary_ops() {
        let build = op.build;
        for (a, b) in pairs() {
            if !(op.value)(a, b).is_finite() || near_singularity(a) || near_singularity(b) {
                continue;
            }
            let report = gradcheck(move |_g, v| build(v[0], v[1]), &[a, b]);
            if !report.passed() {
                failures.push(format!("{} at ({a}, {b}):\n{report}", op.name));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn binary_ops_with_the_same_var_twice_count_both_operands() {
    let g = Graph::new();
    let a = g.var(1.7);
    // d(a/a)/da = 1/a - a/a² = 0; d(a^a)/da = a^a (1 + ln a); d(a - a)/da = 0
    assert_eq!((a / a).backward().wrt(a), 0.0);
    assert_eq!((a - a).backward().wrt(a), 0.0);
    let want = 1.7_f64.powf(1.7) * (1.0 + 1.7_f64.ln());
    assert!(close_ulps_or_rel(
        a.pow(a).backward().wrt(a),
        want,
        64,
        1e-12
    ));
    // max(a, a) is a tie: ½ + ½ = 1
    assert_eq!(a.max(a).backward().wrt(a), 1.0);
    assert_eq!(a.min(a).backward().wrt(a), 1.0);
}

#[test]
fn powi_at_i32_min_has_the_derivative_of_its_real_power_not_a_wrapped_one() {
    // d/dx xⁿ = n x^(n-1) with n = i32::MIN: n - 1 does not fit an i32 and must not wrap
    let g = Graph::new();
    let x = g.var(1.000_000_1);
    let y = x.powi(i32::MIN);
    let n = f64::from(i32::MIN);
    let expected = n * 1.000_000_1_f64.powf(n - 1.0);
    let got = y.backward().wrt(x);
    assert_eq!(got, expected);
    assert!(got < 0.0 && got > -1e-80, "{got:e}"); // about -1.2e-84, not -3.9e102
}
