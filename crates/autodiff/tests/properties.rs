//! Property tests over random straight-line programs: instruction k applies an op to slots
//! chosen among the inputs and the results of instructions 0..k, so programs share
//! subexpressions, form diamonds and chains, and shrink to minimal counterexamples.
//!
//! Three evaluators per case: a plain-`f64` reference interpreter, the engine, and a
//! test-only dual-number forward mode whose derivative formulas are written here, by hand,
//! independently of the engine's. Domain-restricted ops get safe arguments by construction
//! (`ln(u² + 0.5)`, `a / (1 + b²)`, `(a² + 0.5)^tanh b`, …).

mod common;
mod program;

use autodiff::Graph;
use proptest::prelude::*;

use common::bit_identical;
use program::checks::{self, well_scaled};
use program::{program, Prim, Program};

const REGRESSIONS: &str = "proptest-regressions/properties.txt";

fn config(cases: u32) -> proptest::test_runner::Config {
    checks::config(cases, REGRESSIONS)
}

fn case() -> impl Strategy<Value = (Program, Vec<f64>)> {
    checks::with_inputs(program())
}

proptest! {
    #![proptest_config(config(2000))]

    /// P1: each engine node holds the reference op applied to the engine's operand values
    /// (≤ 4 ulps), and the inputs exactly.
    #[test]
    fn p1_engine_values_equal_the_reference_interpreter((p, x) in case()) {
        checks::values_match_the_reference(&p, &x)?;
    }

    /// P2: reverse mode equals forward mode, both the engine's (`Graph::jvp`) and the
    /// hand-written dual numbers, per input (rel 1e-12 of the path magnitude, floor 1e-14),
    /// and ⟨t, ∇f⟩ equals the directional derivative along a random t.
    #[test]
    fn p2_reverse_gradient_equals_forward_mode(
        (p, x) in case(),
        t in prop::collection::vec(-1.0..1.0f64, 4),
    ) {
        checks::reverse_matches_forward(&p, &x, &t)?;
    }

    /// P4: a seed s scales every gradient by s: exactly for 0 and powers of two, to
    /// rounding otherwise.
    #[test]
    fn p4_gradients_are_linear_in_the_seed((p, x) in case(), s in -10.0..10.0f64) {
        prop_assume!(well_scaled(&p, &x));
        let g = Graph::new();
        let slots = p.build(&g, &x);
        let out = *slots.last().unwrap();
        let one = out.backward();
        prop_assert!(out.backward_seeded(0.0).adjoints().iter().all(|&a| a == 0.0));
        let quarter = out.backward_seeded(-0.25);
        for (&q, &o) in quarter.adjoints().iter().zip(one.adjoints()) {
            // exact: a power-of-two seed changes no rounding (a skipped 0 stays +0, so ==)
            prop_assert!(
                q == -0.25 * o || q.is_nan() && o.is_nan(),
                "{:e} vs -0.25·{:e}\n{}", q, o, p
            );
        }
        let (_, magnitude) = p.dual(&x, &vec![1.0; x.len()]);
        let scaled = out.backward_seeded(s);
        for (i, &leaf) in slots[..x.len()].iter().enumerate() {
            let (got, want) = (scaled.wrt(leaf), s * one.wrt(leaf));
            let tol = 1e-12 * s.abs() * magnitude.last().unwrap().max(1.0);
            prop_assert!((got - want).abs() <= tol, "x{}: {:e} vs {:e}\n{}", i, got, want, p);
        }
    }

    /// P5: two sweeps of one graph, and sweeps of two graphs built alike, are bit-identical.
    #[test]
    fn p5_gradients_are_deterministic((p, x) in case()) {
        let g1 = Graph::new();
        let out1 = *p.build(&g1, &x).last().unwrap();
        let first = out1.backward();
        let again = out1.backward();
        prop_assert!(bit_identical(first.adjoints(), again.adjoints()));
        let g2 = Graph::new();
        let out2 = *p.build(&g2, &x).last().unwrap();
        prop_assert!(bit_identical(first.adjoints(), out2.backward().adjoints()));
        prop_assert_eq!(out1.value().to_bits(), out2.value().to_bits());
    }

    /// P6: if every value and every partial is finite, so is every gradient.
    #[test]
    fn p6_finite_values_and_partials_give_finite_gradients((p, x) in case()) {
        prop_assume!(well_scaled(&p, &x));
        let g = Graph::new();
        let out = *p.build(&g, &x).last().unwrap();
        prop_assume!(g.check_finite().is_ok());
        let grads = out.backward();
        prop_assert_eq!(grads.check_finite(), Ok(()), "{}", p);
    }

    /// P7: inputs the output does not reach get exactly 0 and are not dependencies (the
    /// reference interpreter tracks reachability independently); backward adds no nodes.
    #[test]
    fn p7_unreferenced_inputs_get_exactly_zero((p, x) in case()) {
        let g = Graph::new();
        let slots = p.build(&g, &x);
        let out = *slots.last().unwrap();
        let size = (g.len(), g.edge_count());
        let grads = out.backward();
        prop_assert_eq!((g.len(), g.edge_count()), size);
        let reached = p.reached_inputs();
        for i in 0..x.len() {
            prop_assert_eq!(out.depends_on(slots[i]), reached[i], "x{}\n{}", i, p);
            if !reached[i] {
                prop_assert_eq!(grads.wrt(slots[i]).to_bits(), 0.0f64.to_bits());
            }
        }
    }
}

proptest! {
    #![proptest_config(config(1000))]

    /// P3: reverse mode agrees with central finite differences (step ∛ε·max(1, |x|),
    /// |ad − fd| ≤ 1e-8·max(1, |f|) + 1e-5·|fd|) where the program is smooth: no kink
    /// argument within 10 steps (scaled by how fast it moves) of its kink, and no
    /// rapidly curving or huge intermediate.
    #[test]
    fn p3_reverse_gradient_agrees_with_finite_differences((p, x) in case()) {
        checks::reverse_matches_finite_differences(&p, &x)?;
    }
}

#[test]
fn the_generator_makes_deep_shared_and_partial_programs() {
    // A property test is only as good as its cases: check the generator reaches depth,
    // sharing (a slot used twice), unused inputs and every op, over a fixed sample.
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::new(config(1));
    let mut max_depth = 0;
    let (mut shared, mut partial) = (0, 0);
    let mut seen = std::collections::HashSet::new();
    for _ in 0..500 {
        let (p, _) = case().new_tree(&mut runner).expect("strategy").current();
        max_depth = max_depth.max(p.depth());
        shared += usize::from(p.has_shared_slot());
        partial += usize::from(p.reached_inputs().contains(&false));
        seen.extend(p.instrs.iter().map(|i| i.op.kind()));
    }
    assert!(max_depth >= 20, "max depth {max_depth}");
    assert!(shared > 250, "only {shared}/500 programs reuse a slot");
    assert!(
        partial > 25,
        "only {partial}/500 programs leave an input unused"
    );
    assert_eq!(seen.len(), Prim::KINDS, "ops never generated: {seen:?}");
}

#[test]
fn the_assumptions_keep_most_cases() {
    // A property whose assumptions reject nearly every case cannot fail; measure how many
    // of a fixed sample reach the assertions of P1/P2 (well scaled) and P3 (also smooth).
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::new(config(1));
    let (mut scaled, mut smooth) = (0, 0);
    let total = 1000;
    for _ in 0..total {
        let (p, x) = case().new_tree(&mut runner).expect("strategy").current();
        if well_scaled(&p, &x) {
            scaled += 1;
            if p.kink_distance(&x) > 10.0 && p.fd_converged(&x) {
                smooth += 1;
            }
        }
    }
    eprintln!("well scaled {scaled}/{total}, smooth for finite differences {smooth}/{total}");
    assert!(
        scaled * 10 >= total * 9,
        "only {scaled}/{total} well scaled"
    );
    assert!(smooth * 10 >= total * 7, "only {smooth}/{total} smooth");
}
