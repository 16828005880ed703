//! Random straight-line programs: the sum over paths of the product of partials is the
//! gradient, and the path count matches a brute-force count.

mod common;
mod program;

use autodiff::Graph;
use proptest::prelude::*;

use program::checks::{self, well_scaled};
use program::{program, Program};

const REGRESSIONS: &str = "proptest-regressions/paths.txt";

fn case() -> impl Strategy<Value = (Program, Vec<f64>)> {
    checks::with_inputs(program())
}

/// Paths from slot `from` to slot `to`, counted by walking every path (small programs only).
fn brute_force_count(p: &Program, from: usize, to: usize) -> u128 {
    if to == from {
        return 1;
    }
    if to < p.inputs {
        return 0;
    }
    let i = p.instrs[to - p.inputs];
    let operands: &[usize] = if i.op.is_binary() {
        &[i.a, i.b]
    } else {
        &[i.a]
    };
    operands
        .iter()
        .map(|&o| brute_force_count(p, from, o))
        .sum()
}

proptest! {
    #![proptest_config(checks::config(500, REGRESSIONS))]

    #[test]
    fn the_sum_over_paths_is_the_gradient((p, x) in case()) {
        prop_assume!(well_scaled(&p, &x));
        let g = Graph::new();
        let slots = p.build(&g, &x);
        let out = *slots.last().unwrap();
        for (input, &leaf) in slots[..x.len()].iter().enumerate() {
            let paths = out.paths_from(leaf, 4096);
            let to = slots.len() - 1;
            if p.instrs.len() <= 30 {
                prop_assert_eq!(paths.count, brute_force_count(&p, input, to));
            }
            prop_assume!(paths.left_out() == 0);
            let magnitude: f64 = paths.listed.iter().map(|q| q.product.abs()).sum();
            prop_assume!(magnitude.is_finite());
            prop_assert!(
                (paths.listed_sum - paths.gradient).abs() <= 1e-12 * magnitude + 1e-300,
                "{} vs {}\n{}", paths.listed_sum, paths.gradient, p
            );
        }
    }
}
