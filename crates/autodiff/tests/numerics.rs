//! Numerically delicate points: overflow-prone tails, tiny arguments, zeros and poles,
//! kinks, masked branches and NaN. Expected numbers are IEEE results of the stable
//! formulas (written beside each assert), not the engine's own output.

mod common;

use autodiff::{Error, Graph, Op, Quantity, Var};
use common::assert_close;

/// `(f(x), f'(x))` from the engine.
fn value_and_grad(x: f64, f: impl for<'g> Fn(Var<'g>) -> Var<'g>) -> (f64, f64) {
    let g = Graph::new();
    let v = g.var(x);
    let y = f(v);
    (y.value(), y.backward().wrt(v))
}

#[test]
fn sigmoid_at_plus_minus_1000_has_finite_zero_gradient() {
    assert_eq!(value_and_grad(1000.0, |x| x.sigmoid()), (1.0, 0.0));
    assert_eq!(value_and_grad(-1000.0, |x| x.sigmoid()), (0.0, 0.0));
    assert_eq!(value_and_grad(800.0, |x| x.sigmoid()), (1.0, 0.0));
    assert_eq!(value_and_grad(-800.0, |x| x.sigmoid()), (0.0, 0.0));
}

#[test]
fn sigmoid_at_minus_40_keeps_its_tiny_value_and_gradient() {
    // S(-40) = e⁻⁴⁰ / (1 + e⁻⁴⁰) = 4.248354255291589e-18
    let (v, d) = value_and_grad(-40.0, |x| x.sigmoid());
    assert_close(v, 4.248_354_255_291_589e-18, 1e-15, 0.0, "S(-40)");
    // S'(±40) = S(40) S(-40) ≈ 4.2484e-18 (S(1 - S) would give 0 at +40)
    let want = 4.248_354_255_291_589e-18 / (1.0 + 4.248_354_255_291_589e-18);
    assert_close(d, want, 1e-14, 0.0, "S'(-40)");
    let (v, d) = value_and_grad(40.0, |x| x.sigmoid());
    assert_eq!(v, 1.0);
    assert_close(d, want, 1e-14, 0.0, "S'(40)");
}

#[test]
fn sigmoid_tanh_softplus_gradients_are_finite_and_never_nan_over_a_wide_sweep() {
    for i in -2000..=2000 {
        let x = f64::from(i) * 0.5; // -1000 ..= 1000
        for (name, (v, d)) in [
            ("sigmoid", value_and_grad(x, |x| x.sigmoid())),
            ("tanh", value_and_grad(x, |x| x.tanh())),
            ("softplus", value_and_grad(x, |x| x.softplus())),
        ] {
            assert!(v.is_finite(), "{name}({x}) = {v}");
            assert!(d.is_finite() && d >= 0.0, "{name}'({x}) = {d}");
        }
    }
}

#[test]
fn tanh_at_plus_minus_400_is_plus_minus_one_with_zero_gradient() {
    assert_eq!(value_and_grad(400.0, |x| x.tanh()), (1.0, 0.0));
    assert_eq!(value_and_grad(-400.0, |x| x.tanh()), (-1.0, 0.0));
}

#[test]
fn softplus_at_1000_is_1000_with_gradient_one() {
    // ln(1 + e¹⁰⁰⁰) = 1000 + ln(1 + e⁻¹⁰⁰⁰) = 1000; d/dx = S(1000) = 1
    assert_eq!(value_and_grad(1000.0, |x| x.softplus()), (1000.0, 1.0));
    assert_eq!(value_and_grad(800.0, |x| x.softplus()), (800.0, 1.0));
}

#[test]
fn softplus_at_minus_800_is_zero_with_gradient_zero() {
    assert_eq!(value_and_grad(-800.0, |x| x.softplus()), (0.0, 0.0));
    // softplus(0) = ln 2, d/dx = S(0) = 1/2
    assert_eq!(value_and_grad(0.0, |x| x.softplus()), (2.0_f64.ln(), 0.5));
}

#[test]
fn ln_1p_and_exp_m1_keep_tiny_arguments_exactly() {
    // ln(1 + 1e-20) = 1e-20 - 5e-41 + … → 1e-20; the naive ln(1 + x) gives 0
    assert_eq!(value_and_grad(1e-20, |x| x.ln_1p()), (1e-20, 1.0));
    // e^(1e-20) - 1 = 1e-20 + …; the naive form gives 0
    assert_eq!(value_and_grad(1e-20, |x| x.exp_m1()), (1e-20, 1.0));
}

#[test]
fn ln_of_zero_is_minus_infinity_and_check_finite_names_the_node() {
    let g = Graph::new();
    let x = g.var_named("x", 0.0);
    let y = x.ln().named("log_x");
    let z = y * 2.0;
    assert_eq!(y.value(), f64::NEG_INFINITY);
    assert_eq!(
        y.backward().wrt(x),
        f64::INFINITY,
        "d ln x/dx = 1/x = +∞ at 0"
    );
    let err = g.check_finite().expect_err("ln 0 is not finite");
    let Error::NonFinite(bad) = &err else {
        panic!("expected NonFinite, got {err:?}")
    };
    // the culprit is the ln node, not the product that carries -∞ on
    assert_eq!(bad.index, y.index());
    assert_eq!(bad.op, Op::Ln);
    assert_eq!(bad.name.as_deref(), Some("log_x"));
    assert_eq!(bad.quantity, Quantity::Value);
    assert_eq!(bad.number, f64::NEG_INFINITY);
    assert_eq!(
        err.to_string(),
        "non-finite value -inf at node 1 (op ln, named 'log_x')"
    );
    let _ = z;
}

#[test]
fn check_finite_says_where_a_node_was_recorded_when_locations_are_tracked() {
    let g = Graph::new().tracking_locations();
    let x = g.var(-1.0);
    let y = x.sqrt(); // √-1 = NaN
    let err = g.check_finite().expect_err("NaN value");
    let line = line!() - 2;
    let Error::NonFinite(bad) = &err else {
        panic!("expected NonFinite, got {err:?}")
    };
    assert_eq!((bad.index, bad.op), (y.index(), Op::Sqrt));
    let location = bad.location.as_deref().expect("locations are tracked");
    assert!(
        location.contains("numerics.rs") && location.contains(&format!(":{line}:")),
        "location {location} should point at line {line} of this file"
    );
    assert!(err.to_string().contains("recorded at"), "{err}");
}

#[test]
fn check_finite_passes_on_a_finite_graph() {
    let g = Graph::new();
    let x = g.var(0.5);
    let _ = (x.ln() * x.sigmoid()).tanh();
    assert_eq!(g.check_finite(), Ok(()));
    assert_eq!(
        Graph::new().check_finite(),
        Ok(()),
        "an empty graph is finite"
    );
}

#[test]
fn pow_with_zero_base_follows_the_documented_table() {
    // x² at 0: (0, 0)
    assert_eq!(value_and_grad(0.0, |x| x.powf(2.0)), (0.0, 0.0));
    assert_eq!(value_and_grad(0.0, |x| x.powi(2)), (0.0, 0.0));
    // x⁰ at 0: (1, 0), not 0·∞ = NaN
    assert_eq!(value_and_grad(0.0, |x| x.powf(0.0)), (1.0, 0.0));
    assert_eq!(value_and_grad(0.0, |x| x.powi(0)), (1.0, 0.0));
    // x¹ at 0: (0, 1)
    assert_eq!(value_and_grad(0.0, |x| x.powf(1.0)), (0.0, 1.0));
    // x^0.5 at 0: derivative 0.5·0^-0.5 = +∞ (documented)
    assert_eq!(value_and_grad(0.0, |x| x.powf(0.5)), (0.0, f64::INFINITY));
    // x^-1 at 0: value +∞, derivative -1·0^-2 = -∞
    assert_eq!(
        value_and_grad(0.0, |x| x.powf(-1.0)),
        (f64::INFINITY, f64::NEG_INFINITY)
    );
    assert_eq!(
        value_and_grad(0.0, |x| x.powi(-1)),
        (f64::INFINITY, f64::NEG_INFINITY)
    );
}

#[test]
fn pow_of_two_vars_with_zero_base_has_zero_exponent_partial() {
    let g = Graph::new();
    let x = g.var(0.0);
    for b in [1.0, 2.0, 3.5] {
        let y = g.var(b);
        let p = x.pow(y);
        let d = p.backward();
        // ∂/∂y 0^y = 0^y ln 0 → 0 (the limit), not 0·(-∞) = NaN
        assert_eq!(p.value(), 0.0);
        assert_eq!(d.wrt(y), 0.0, "∂/∂y 0^y at y = {b}");
        // ∂/∂x x^y at x = 0: y·0^(y-1) = 1 for y = 1, 0 for y > 1
        assert_eq!(d.wrt(x), if b == 1.0 { 1.0 } else { 0.0 });
    }
    // x^0 with a variable exponent at x = 0: (1, ∂x = 0)
    let zero = g.var(0.0);
    let d = x.pow(zero).backward();
    assert_eq!(d.wrt(x), 0.0);
}

#[test]
fn pow_with_negative_base_differentiates_the_base_and_reports_the_exponent_partial() {
    let g = Graph::new();
    let a = g.var(-2.0);
    let two = g.constant(2.0);
    let y = a.pow(two); // (-2)² = 4, ∂a = 2·(-2) = -4, ∂b = 4 ln(-2) = NaN
    assert_eq!(y.value(), 4.0);
    assert_eq!(y.backward().wrt(a), -4.0);
    let Err(Error::NonFinite(bad)) = g.check_finite() else {
        panic!("the exponent partial is NaN")
    };
    assert_eq!((bad.index, bad.quantity), (y.index(), Quantity::Partial(1)));
    assert!(bad.number.is_nan());
}

#[test]
fn sqrt_at_zero_has_infinite_gradient() {
    // d√x/dx = 1/(2√x) = +∞ at 0
    assert_eq!(value_and_grad(0.0, |x| x.sqrt()), (0.0, f64::INFINITY));
}

#[test]
fn sqrt_of_x_squared_at_zero_gives_nan_gradient_that_check_finite_reports() {
    let g = Graph::new();
    let x = g.var(0.0);
    let sq = x * x; // ∂ = (0, 0)
    let r = sq.sqrt(); // ∂ = +∞
    let grads = r.backward();
    // adj(sq) = +∞, adj(x) = ∞·0 + ∞·0 = NaN
    assert_eq!(r.value(), 0.0);
    assert!(grads.wrt(x).is_nan());
    let Err(Error::NonFinite(bad)) = grads.check_finite() else {
        panic!("the sweep went non-finite")
    };
    // from the root down, the first bad adjoint is the product's: +∞
    assert_eq!((bad.index, bad.op), (sq.index(), Op::Mul));
    assert_eq!(
        (bad.quantity, bad.number),
        (Quantity::Adjoint, f64::INFINITY)
    );
}

#[test]
fn gradients_check_finite_passes_on_finite_adjoints() {
    let g = Graph::new();
    let x = g.var(2.0);
    assert_eq!((x * x).sqrt().backward().check_finite(), Ok(()));
}

#[test]
fn one_over_zero_is_infinite_with_minus_infinite_gradient() {
    let inf = f64::INFINITY;
    assert_eq!(value_and_grad(0.0, |x| x.recip()), (inf, -inf));
    assert_eq!(value_and_grad(0.0, |x| 1.0 / x), (inf, -inf));
    let g = Graph::new();
    let one = g.var(1.0);
    let zero = g.var(0.0);
    let q = one / zero;
    let d = q.backward();
    // ∂(a/b) = (1/b, -a/b²) = (+∞, -∞)
    assert_eq!((q.value(), d.wrt(one), d.wrt(zero)), (inf, inf, -inf));
    let Err(Error::NonFinite(bad)) = g.check_finite() else {
        panic!("1/0 is not finite")
    };
    assert_eq!((bad.index, bad.op.name()), (q.index(), "div"));
}

#[test]
fn zero_over_zero_is_nan_with_nan_gradients() {
    let g = Graph::new();
    let a = g.var(0.0);
    let b = g.var(0.0);
    let q = a / b;
    let d = q.backward();
    assert!(q.value().is_nan() && d.wrt(a).is_nan() && d.wrt(b).is_nan());
    let err = g.check_finite().expect_err("0/0 is NaN");
    assert_eq!(err.to_string(), "non-finite value NaN at node 2 (op div)");
}

#[test]
fn relu_at_zero_has_gradient_zero() {
    assert_eq!(value_and_grad(0.0, |x| x.relu()), (0.0, 0.0));
    assert_eq!(value_and_grad(-0.0, |x| x.relu()), (0.0, 0.0));
    assert_eq!(value_and_grad(1e-300, |x| x.relu()), (1e-300, 1.0));
}

#[test]
fn abs_at_zero_has_gradient_zero() {
    assert_eq!(value_and_grad(0.0, |x| x.abs()), (0.0, 0.0));
    assert_eq!(value_and_grad(-1e-300, |x| x.abs()), (1e-300, -1.0));
}

#[test]
fn max_and_min_ties_split_the_gradient_half_and_half() {
    let g = Graph::new();
    let a = g.var(1.5);
    let b = g.var(1.5);
    for y in [a.max(b), a.min(b)] {
        let d = y.backward();
        assert_eq!((y.value(), d.wrt(a), d.wrt(b)), (1.5, 0.5, 0.5));
    }
    // away from the tie the winner takes all
    let c = g.var(2.0);
    let d = a.max(c).backward();
    assert_eq!((d.wrt(a), d.wrt(c)), (0.0, 1.0));
    let d = a.min(c).backward();
    assert_eq!((d.wrt(a), d.wrt(c)), (1.0, 0.0));
}

#[test]
fn masked_branch_with_infinite_partial_does_not_poison_the_gradient() {
    // select(x > 0, √x, x) at x = 0 written as m·√x + (1 - m)·x with the mask m = 0:
    // √0 has partial +∞, but its adjoint is 0 and is not passed on (0·∞ would be NaN)
    let g = Graph::new();
    let x = g.var(0.0);
    let m = g.constant(0.0);
    let y = m * x.sqrt() + (1.0 - m) * x;
    assert_eq!((y.value(), y.backward().wrt(x)), (0.0, 1.0));
}

#[test]
fn relu_switched_off_branch_does_not_turn_infinite_partial_into_nan() {
    // y = relu(√x - 1) at x = 0: relu' = 0 cuts the path through √x (partial +∞)
    let (v, d) = value_and_grad(0.0, |x| (x.sqrt() - 1.0).relu());
    assert_eq!((v, d), (0.0, 0.0));
    // y = x + relu(ln x) at x = 0: ln 0 = -∞ has partial +∞, relu(-∞) = 0 with relu' = 0
    let (v, d) = value_and_grad(0.0, |x| x + x.ln().relu());
    assert_eq!((v, d), (0.0, 1.0));
}

#[test]
fn overflowing_branch_not_selected_by_min_gives_zero_gradient() {
    // select(x < 10, eˣ, 1) at x = 1e10 as min(eˣ, 1): e^1e10 = ∞ with partial ∞,
    // min picks the constant, so the exp node's adjoint is 0 and dy/dx = 0, not NaN
    let g = Graph::new();
    let x = g.var(1e10);
    let one = g.constant(1.0);
    let y = x.exp().min(one);
    assert_eq!((y.value(), y.backward().wrt(x)), (1.0, 0.0));
}

#[test]
fn nan_input_gives_nan_value_and_nan_gradient_for_every_unary_op() {
    type Build = for<'g> fn(Var<'g>) -> Var<'g>;
    let ops: [(&str, Build); 24] = [
        ("neg", |x| -x),
        ("x + 1", |x| x + 1.0),
        ("2 - x", |x| 2.0 - x),
        ("x * 0", |x| x * 0.0),
        ("x / 3", |x| x / 3.0),
        ("3 / x", |x| 3.0 / x),
        ("powf 2", |x| x.powf(2.0)),
        ("powi 3", |x| x.powi(3)),
        ("square", |x| x.square()),
        ("sqrt", |x| x.sqrt()),
        ("recip", |x| x.recip()),
        ("exp", |x| x.exp()),
        ("ln", |x| x.ln()),
        ("exp_m1", |x| x.exp_m1()),
        ("ln_1p", |x| x.ln_1p()),
        ("sigmoid", |x| x.sigmoid()),
        ("tanh", |x| x.tanh()),
        ("relu", |x| x.relu()),
        ("softplus", |x| x.softplus()),
        ("sin", |x| x.sin()),
        ("cos", |x| x.cos()),
        ("abs", |x| x.abs()),
        ("max", |x| x.max(x.graph().var(1.0))),
        ("min", |x| x.min(x.graph().var(1.0))),
    ];
    for (name, build) in ops {
        let (v, d) = value_and_grad(f64::NAN, build);
        assert!(v.is_nan(), "{name}(NaN) = {v}");
        assert!(d.is_nan(), "{name}'(NaN) = {d}");
    }
}

#[test]
fn nan_operand_gives_nan_gradients_for_every_binary_op() {
    type Build = for<'g> fn(Var<'g>, Var<'g>) -> Var<'g>;
    let ops: [(&str, Build); 7] = [
        ("add", |a, b| a + b),
        ("sub", |a, b| a - b),
        ("mul", |a, b| a * b),
        ("div", |a, b| a / b),
        ("pow", |a, b| a.pow(b)),
        ("max", |a, b| a.max(b)),
        ("min", |a, b| a.min(b)),
    ];
    for (name, build) in ops {
        for (a, b) in [(f64::NAN, 2.0), (2.0, f64::NAN)] {
            let g = Graph::new();
            let (va, vb) = (g.var(a), g.var(b));
            let y = build(va, vb);
            let d = y.backward();
            assert!(y.value().is_nan(), "{name}({a}, {b}) = {}", y.value());
            assert!(d.wrt(va).is_nan() && d.wrt(vb).is_nan(), "{name} partials");
        }
    }
}

#[test]
fn power_zero_of_nan_is_one_but_its_gradient_is_nan() {
    // IEEE: NaN⁰ = 1 and 1^NaN = 1; the NaN must still reach the gradient
    let (v, d) = value_and_grad(f64::NAN, |x| x.powf(0.0));
    assert!(v == 1.0 && d.is_nan(), "powf 0: ({v}, {d})");
    let (v, d) = value_and_grad(f64::NAN, |x| x.powi(0));
    assert!(v == 1.0 && d.is_nan(), "powi 0: ({v}, {d})");
    let g = Graph::new();
    let one = g.var(1.0);
    let nan = g.var(f64::NAN);
    let y = one.pow(nan);
    let d = y.backward();
    assert!(y.value() == 1.0 && d.wrt(one).is_nan() && d.wrt(nan).is_nan());
}

#[test]
fn nan_propagates_through_a_whole_expression() {
    let g = Graph::new();
    let x = g.var(f64::NAN);
    let w = g.var(0.5);
    let y = ((x * w).sigmoid() + w.exp()).ln() * w;
    let d = y.backward();
    assert!(y.value().is_nan() && d.wrt(x).is_nan() && d.wrt(w).is_nan());
    let Err(Error::NonFinite(bad)) = g.check_finite() else {
        panic!("NaN input")
    };
    assert_eq!(
        (bad.index, bad.op),
        (x.index(), Op::Input),
        "the culprit is the input"
    );
}

#[test]
fn infinite_inputs_saturate_smoothly() {
    let inf = f64::INFINITY;
    assert_eq!(value_and_grad(inf, |x| x.sigmoid()), (1.0, 0.0));
    assert_eq!(value_and_grad(-inf, |x| x.sigmoid()), (0.0, 0.0));
    assert_eq!(value_and_grad(inf, |x| x.tanh()), (1.0, 0.0));
    assert_eq!(value_and_grad(-inf, |x| x.exp()), (0.0, 0.0));
    assert_eq!(value_and_grad(-inf, |x| x.softplus()), (0.0, 0.0));
    assert_eq!(value_and_grad(inf, |x| x.softplus()), (inf, 1.0));
    assert_eq!(value_and_grad(inf, |x| x.relu()), (inf, 1.0));
}

#[test]
fn log_sum_exp_written_with_the_max_shift_is_exact_at_1000_1000() {
    // lse(a, b) = m + ln(e^(a-m) + e^(b-m)), m = max(a, b): no overflow at 1000
    let g = Graph::new();
    let a = g.var(1000.0);
    let b = g.var(1000.0);
    let m = a.max(b); // a tie: ∂m = (½, ½)
    let lse = m + ((a - m).exp() + (b - m).exp()).ln();
    let d = lse.backward();
    // lse = 1000 + ln 2; ∂lse/∂a = e^(a-lse) = ½, the same for b, whatever ∂m is
    assert_eq!(lse.value(), 1_000.693_147_180_559_9);
    assert_eq!((d.wrt(a), d.wrt(b)), (0.5, 0.5));
    // the naive ln(eᵃ + eᵇ) overflows to +∞
    let naive = (a.exp() + b.exp()).ln();
    assert_eq!(naive.value(), f64::INFINITY);
}

#[test]
fn binary_cross_entropy_from_logits_stays_finite_at_plus_minus_800() {
    // L(z, y) = softplus(z) - z·y = max(z, 0) - z·y + ln(1 + e^-|z|); dL/dz = S(z) - y
    let bce = |z: f64, y: f64, piecewise: bool| {
        let g = Graph::new();
        let logit = g.var(z);
        let loss = if piecewise {
            logit.relu() - logit * y + (-logit.abs()).exp().ln_1p()
        } else {
            logit.softplus() - logit * y
        };
        (loss.value(), loss.backward().wrt(logit))
    };
    for piecewise in [false, true] {
        assert_eq!(bce(800.0, 0.0, piecewise), (800.0, 1.0));
        assert_eq!(bce(-800.0, 1.0, piecewise), (800.0, -1.0));
    }
    // at z = 0 the loss is smooth: ln 2 with slope S(0) - y = -½ for y = 1 ...
    assert_eq!(bce(0.0, 1.0, false), (2.0_f64.ln(), -0.5));
    // ... but written piecewise, the kink conventions relu'(0) = |z|'(0) = 0 do not cancel
    // and the slope is -y: the reason to write the loss with softplus
    assert_eq!(bce(0.0, 1.0, true), (2.0_f64.ln(), -1.0));
}
