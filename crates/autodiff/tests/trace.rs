//! Random straight-line programs: the sweep's trace ends in the adjoints `backward` gives,
//! bit for bit, and each step adds what it says it adds.

mod common;
mod program;

use autodiff::Graph;
use proptest::prelude::*;

use program::checks;
use program::{program, Program};

const REGRESSIONS: &str = "proptest-regressions/trace.txt";

fn case() -> impl Strategy<Value = (Program, Vec<f64>)> {
    checks::with_inputs(program())
}

fn bits(v: &[f64]) -> Vec<u64> {
    v.iter().map(|x| x.to_bits()).collect()
}

proptest! {
    #![proptest_config(checks::config(300, REGRESSIONS))]

    #[test]
    fn the_trace_ends_in_the_adjoints_of_backward((p, x) in case()) {
        let g = Graph::new();
        let slots = p.build(&g, &x);
        let out = *slots.last().unwrap();
        let trace = out.trace();
        let grads = out.backward();
        prop_assert_eq!(bits(&trace.adjoints), bits(grads.adjoints()), "{}", p);
        for &leaf in &slots[..x.len()] {
            prop_assert_eq!(trace.wrt(leaf).to_bits(), grads.wrt(leaf).to_bits());
        }
        // steps run from the root down, each adjoint as the sweep found it
        let order: Vec<usize> = trace.steps.iter().map(|s| s.node).collect();
        prop_assert_eq!(order, (0..=out.index()).rev().collect::<Vec<_>>());
        for step in &trace.steps {
            prop_assert_eq!(step.adjoint.to_bits(), trace.adjoints[step.node].to_bits());
            for c in &step.passes {
                prop_assert_eq!(c.target, step.node);
                prop_assert_eq!(c.amount.to_bits(), (step.adjoint * c.partial).to_bits());
            }
        }
    }
}
