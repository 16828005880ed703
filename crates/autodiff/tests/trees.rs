//! The same properties over a second generator: `prop_recursive` expression trees, which
//! nest ops up to 8 levels deep without sharing (the straight-line programs of
//! `properties.rs` share subexpressions instead).

mod common;
mod program;

use proptest::prelude::*;

use program::checks;
use program::{tree_program, Program};

fn config(cases: u32) -> proptest::test_runner::Config {
    checks::config(cases, "proptest-regressions/trees.txt")
}

fn case() -> impl Strategy<Value = (Program, Vec<f64>)> {
    checks::with_inputs(tree_program())
}

proptest! {
    #![proptest_config(config(1000))]

    /// P1 over trees: engine values equal the reference interpreter.
    #[test]
    fn tree_values_equal_the_reference_interpreter((p, x) in case()) {
        checks::values_match_the_reference(&p, &x)?;
    }

    /// P2 over trees: reverse mode equals forward mode and the dual numbers.
    #[test]
    fn tree_reverse_gradient_equals_forward_mode(
        (p, x) in case(),
        t in prop::collection::vec(-1.0..1.0f64, 3),
    ) {
        checks::reverse_matches_forward(&p, &x, &t)?;
    }

    /// P3 over trees: reverse mode agrees with central finite differences where smooth.
    #[test]
    fn tree_reverse_gradient_agrees_with_finite_differences((p, x) in case()) {
        checks::reverse_matches_finite_differences(&p, &x)?;
    }
}

#[test]
fn the_tree_generator_nests_deeply() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::new(config(1));
    let depths: Vec<usize> = (0..300)
        .map(|_| {
            case()
                .new_tree(&mut runner)
                .expect("strategy")
                .current()
                .0
                .depth()
        })
        .collect();
    let deep = depths.iter().filter(|&&d| d >= 10).count();
    assert!(deep >= 100, "only {deep}/300 trees are 10 or more ops deep");
}
