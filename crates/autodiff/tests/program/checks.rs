//! The properties shared by both program generators, as functions a proptest body calls:
//! values (P1), reverse vs forward mode (P2), reverse vs finite differences (P3).

use autodiff::{gradcheck, Graph};
use proptest::prelude::*;
use proptest::test_runner::{Config, FileFailurePersistence, RngSeed, TestCaseError};

use super::Program;
use crate::common;

/// `cases` cases from a fixed seed, unless `PROPTEST_CASES` / `PROPTEST_RNG_SEED` say
/// otherwise (a slow lane can raise the count, or explore with a fresh seed). Failures are
/// kept in `proptest-regressions/<file>.txt` and replayed first.
pub fn config(cases: u32, file: &'static str) -> Config {
    let base = Config::default();
    Config {
        cases: if std::env::var_os("PROPTEST_CASES").is_some() {
            base.cases
        } else {
            cases
        },
        rng_seed: match base.rng_seed {
            RngSeed::Random => RngSeed::Fixed(0x00ad_5eed),
            fixed => fixed,
        },
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(file))),
        ..base
    }
}

/// Inputs in [−3, 3], one per program input.
pub fn with_inputs(
    programs: impl Strategy<Value = Program>,
) -> impl Strategy<Value = (Program, Vec<f64>)> {
    programs.prop_flat_map(|p| {
        let n = p.inputs;
        (Just(p), prop::collection::vec(-3.0..3.0f64, n))
    })
}

/// Whether every value the reference interpreter computes is finite and moderate, so
/// that no op overflowed and rounding stays far from the tolerances below.
pub fn well_scaled(p: &Program, x: &[f64]) -> bool {
    p.reference(x).iter().all(|v| v.abs() < 1e8)
}

/// P1: each engine node holds the reference op applied to the engine's operand values
/// (≤ 4 ulps), the inputs exactly, and the output the reference interpreter's own result
/// up to the per-node differences carried to it.
pub fn values_match_the_reference(p: &Program, x: &[f64]) -> Result<(), TestCaseError> {
    let x = x.to_vec();
    prop_assume!(well_scaled(p, &x));
    let g = Graph::new();
    let slots = p.build(&g, &x);
    let values: Vec<f64> = slots.iter().map(|v| v.value()).collect();
    prop_assert_eq!(&values[..x.len()], &x[..]);
    for (k, instr) in p.instrs.iter().enumerate() {
        let slot = x.len() + k;
        let want = instr.op.value(values[instr.a], values[instr.b]);
        let got = values[slot];
        prop_assert!(
            common::ulps(got, want) <= 4,
            "slot {} ({:?}): engine {:e}, reference {:e}\n{}",
            slot,
            instr.op,
            got,
            want,
            p
        );
    }
    // and the whole program, run by the reference interpreter alone, ends the same way
    // up to the per-node differences carried to the output: Σ |∂out/∂vₖ|·4 ulp(vₖ)
    let reference = p.reference(&x);
    let out = *values.last().expect("at least one instruction");
    let want = *reference.last().expect("at least one instruction");
    let adjoints = slots.last().expect("an output").backward();
    let carried: f64 = adjoints
        .adjoints()
        .iter()
        .zip(&values)
        .map(|(a, v)| a.abs() * 4.0 * f64::EPSILON * v.abs())
        .sum();
    prop_assert!(
        (out - want).abs() <= 2.0 * carried + 4.0 * f64::EPSILON * want.abs(),
        "output: engine {:e}, reference {:e}\n{}",
        out,
        want,
        p
    );
    Ok(())
}

/// P2: reverse mode equals forward mode, both the engine's (`Graph::jvp`) and the
/// hand-written dual numbers, per input (rel 1e-12 of the path magnitude, floor 1e-14),
/// and ⟨t, ∇f⟩ equals the directional derivative along `t`.
pub fn reverse_matches_forward(p: &Program, x: &[f64], t: &[f64]) -> Result<(), TestCaseError> {
    let x = x.to_vec();
    prop_assume!(well_scaled(p, &x));
    let g = Graph::new();
    let slots = p.build(&g, &x);
    let out = *slots.last().expect("at least one instruction");
    let grads = out.backward();
    let mut dot = 0.0;
    let mut dot_magnitude = 0.0;
    for (i, &leaf) in slots[..x.len()].iter().enumerate() {
        let reverse = grads.wrt(leaf);
        let mut seed = vec![0.0; x.len()];
        seed[i] = 1.0;
        let (tangent, magnitude) = p.dual(&x, &seed);
        let (dual, magnitude) = (*tangent.last().unwrap(), *magnitude.last().unwrap());
        let engine_forward = g.jvp(&[(leaf, 1.0)]).of(out);
        let tol = 1e-12 * magnitude.max(dual.abs()) + 1e-14 * dual.abs().max(1.0);
        prop_assert!(
            (reverse - dual).abs() <= tol,
            "∂f/∂x{}: reverse {:e}, dual numbers {:e} (tol {:e})\n{}",
            i,
            reverse,
            dual,
            tol,
            p
        );
        prop_assert!(
            (reverse - engine_forward).abs() <= tol,
            "∂f/∂x{}: reverse {:e}, jvp {:e} (tol {:e})\n{}",
            i,
            reverse,
            engine_forward,
            tol,
            p
        );
        dot += t[i] * reverse;
        dot_magnitude += t[i].abs() * magnitude;
    }
    let seed: Vec<_> = (0..x.len()).map(|i| (slots[i], t[i])).collect();
    let along = g.jvp(&seed).of(out);
    let (dual_along, _) = p.dual(&x, &t[..x.len()]);
    let tol = 1e-12 * dot_magnitude + 1e-14 * along.abs().max(1.0);
    prop_assert!(
        (dot - along).abs() <= tol,
        "⟨t, ∇f⟩ {:e} vs jvp(t) {:e}\n{}",
        dot,
        along,
        p
    );
    let dual_along = *dual_along.last().unwrap();
    prop_assert!(
        (dot - dual_along).abs() <= tol,
        "⟨t, ∇f⟩ {:e} vs dual {:e}\n{}",
        dot,
        dual_along,
        p
    );
    Ok(())
}

/// P3: reverse mode agrees with central finite differences (step ∛ε·max(1, |x|),
/// |ad − fd| ≤ 1e-8·max(1, |f|) + 1e-5·|fd|) where the program is smooth: no kink
/// argument within 10 steps (scaled by how fast it moves) of its kink, and differences
/// converged at the step (no rapidly curving or oscillating intermediate).
pub fn reverse_matches_finite_differences(p: &Program, x: &[f64]) -> Result<(), TestCaseError> {
    prop_assume!(well_scaled(p, x));
    prop_assume!(p.kink_distance(x) > 10.0);
    prop_assume!(p.fd_converged(x));
    let report = gradcheck(|_g, v| *p.build_on(v).last().unwrap(), x);
    prop_assert!(report.passed(), "{}\n{}", report, p);
    Ok(())
}
