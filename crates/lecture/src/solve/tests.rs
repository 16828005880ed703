use argmin::core::{CostFunction, Gradient, Hessian};
use ndarray::Array1;

use super::*;
use crate::data::{Generator, Sample};
use crate::{formulas, Net};

const LECTURE: [f64; 3] = [-0.2, 2.8, 10.0];
const TWO_NODE: [f64; 2] = [-0.2, 1.02];

fn data(net: Net, weights: &[f64], n: usize) -> Vec<Sample> {
    Generator::new(net, weights, (-10.0, 10.0), 1)
        .unwrap()
        .take(n)
        .collect()
}

fn largest_error(weights: &[f64], truth: &[f64]) -> f64 {
    weights
        .iter()
        .zip(truth)
        .fold(0.0, |m, (w, t)| m.max((w - t).abs()))
}

/// Newton and Levenberg–Marquardt from the default start: every weight within 1e-10 of the
/// hidden ones in at most 50 iterations, on noise-free data (zero residual).
#[test]
fn newton_and_lm_recover_the_hidden_weights_to_1e_10_in_50_iterations() {
    for (net, truth) in [(Net::Lecture, &LECTURE[..]), (Net::TwoNode, &TWO_NODE[..])] {
        let problem = LeastSquares::new(net, &data(net, truth, 500)).unwrap();
        for method in [Method::Newton, Method::Lm] {
            let solved = solve(&problem, &Settings::new(method, net.default_init())).unwrap();
            let error = largest_error(&solved.weights, truth);
            assert!(error < 1e-10, "{net} {method}: {:?}", solved.weights);
            assert!(
                solved.iterations() <= 50,
                "{net} {method}: {}",
                solved.iterations()
            );
            assert!(solved.stop.converged(), "{net} {method}: {}", solved.stop);
            assert!(!solved.at_stationary_point());
        }
    }
}

#[test]
fn lbfgs_from_argmin_recovers_the_lecture_weights() {
    let problem = LeastSquares::new(Net::Lecture, &data(Net::Lecture, &LECTURE, 500)).unwrap();
    let mut settings = Settings::new(Method::Lbfgs, vec![1.0; 3]);
    settings.max_iters = 200;
    let solved = solve(&problem, &settings).unwrap();
    assert!(
        largest_error(&solved.weights, &LECTURE) < 1e-8,
        "{solved:?}"
    );
}

/// From (0.5, −1, 10) least squares stops in the local minimum near (0.222, −0.863,
/// 19.94) with mean cost about 0.03, and says it is a stationary point. (Newton's trust
/// region and L-BFGS, on the full cost, go on to the global minimum from there.)
#[test]
fn a_start_in_the_wrong_basin_ends_at_a_stationary_point_that_is_not_the_minimum() {
    let problem = LeastSquares::new(Net::Lecture, &data(Net::Lecture, &LECTURE, 2000)).unwrap();
    let solved = solve(&problem, &Settings::new(Method::Lm, vec![0.5, -1.0, 10.0])).unwrap();
    assert!(solved.at_stationary_point(), "{solved:?}");
    let local = [0.222, -0.863, 19.94];
    assert!(
        largest_error(&solved.weights, &local) < 0.1,
        "{:?}",
        solved.weights
    );
    assert!(solved.cost > 0.01 && solved.cost < 0.05, "{}", solved.cost);
}

#[test]
fn restarts_keep_the_run_with_the_lowest_cost() {
    let problem = LeastSquares::new(Net::Lecture, &data(Net::Lecture, &LECTURE, 500)).unwrap();
    let settings = Settings::new(Method::Lm, vec![0.5, -1.0, 10.0]);
    let result = restarts(&problem, &settings, 6, 3).unwrap();
    assert_eq!(result.runs.len(), 6);
    assert_eq!(result.runs[0].init, vec![0.5, -1.0, 10.0]); // the first run is from --init
    let costs: Vec<f64> = result
        .runs
        .iter()
        .map(|r| r.outcome.as_ref().map_or(f64::INFINITY, |s| s.cost))
        .collect();
    let lowest = costs.iter().copied().fold(f64::INFINITY, f64::min);
    assert_eq!(result.best().cost, lowest);
    assert!(result.runs[0]
        .outcome
        .as_ref()
        .unwrap()
        .at_stationary_point());
    assert!(
        largest_error(&result.best().weights, &LECTURE) < 1e-10,
        "{costs:?}"
    );
    // the same seed gives the same starts
    let again = restarts(&problem, &settings, 6, 3).unwrap();
    assert_eq!(again.runs[3].init, result.runs[3].init);
    assert!(restarts(&problem, &settings, 0, 3).is_err());
}

#[test]
fn an_overflowing_start_is_an_error_naming_what_overflowed() {
    let problem = LeastSquares::new(Net::Lecture, &data(Net::Lecture, &LECTURE, 50)).unwrap();
    for method in [Method::Newton, Method::Lm, Method::Lbfgs] {
        let err = solve(&problem, &Settings::new(method, vec![1e308, 1e308, 1e308])).unwrap_err();
        assert!(matches!(err, Error::NotFinite { .. }), "{method}: {err}");
        assert!(err.to_string().contains("overflowed"), "{err}");
        let nan = solve(&problem, &Settings::new(method, vec![f64::NAN, 1.0, 1.0])).unwrap_err();
        assert!(matches!(nan, Error::Config(_)), "{nan}");
    }
}

#[test]
fn one_row_and_constant_rows_end_without_panic_at_a_finite_cost() {
    let one = data(Net::Lecture, &LECTURE, 1);
    let constant = vec![Sample { s0: 1.5, out: 7.0 }; 30];
    for rows in [one, constant] {
        let problem = LeastSquares::new(Net::Lecture, &rows).unwrap();
        for method in [Method::Newton, Method::Lm, Method::Lbfgs] {
            let solved = solve(&problem, &Settings::new(method, vec![1.0; 3])).unwrap();
            // one equation, three unknowns: the residual goes to 0
            assert!(solved.cost < 1e-20, "{method}: {solved:?}");
        }
    }
    assert!(LeastSquares::new(Net::Lecture, &[]).is_err());
}

#[test]
fn the_iteration_limit_stops_a_run_and_says_so() {
    let problem = LeastSquares::new(Net::Lecture, &data(Net::Lecture, &LECTURE, 100)).unwrap();
    let mut settings = Settings::new(Method::Newton, vec![1.0; 3]);
    settings.max_iters = 1;
    let solved = solve(&problem, &settings).unwrap();
    assert_eq!(
        (solved.iterations(), solved.stop.clone()),
        (1, Stop::MaxIterations)
    );
}

#[test]
fn second_order_methods_refuse_nets_with_too_many_weights() {
    let net = Net::Chain(MAX_SECOND_ORDER_WEIGHTS);
    let problem = LeastSquares::new(net, &[Sample { s0: 1.0, out: 0.5 }]).unwrap();
    let err = solve(&problem, &Settings::new(Method::Newton, net.default_init())).unwrap_err();
    assert!(err.to_string().contains("at most 64 weights"), "{err}");
    let mut settings = Settings::new(Method::Lbfgs, net.default_init());
    settings.max_iters = 3;
    assert!(solve(&problem, &settings).is_ok());
}

/// The problem's derivatives are the tape's: the mean Hessian equals the mean of the
/// slides' `cost_hessian` per row, and the gradient the finite differences of the cost.
#[test]
fn the_problems_hessian_is_the_mean_of_the_slides_hessians() {
    let rows = data(Net::Lecture, &LECTURE, 40);
    let problem = LeastSquares::new(Net::Lecture, &rows).unwrap();
    let w = Array1::from(vec![0.3, -1.1, 4.0]);
    let h = problem.hessian(&w).unwrap();
    let mut expected = [[0.0; 3]; 3];
    for r in &rows {
        let g = autodiff::Graph::new();
        let point = crate::Point {
            weights: w.to_vec(),
            s0: r.s0,
            target: r.out,
        };
        let net = Net::Lecture.build(&g, &point).unwrap();
        let (s1, s2, out) = (net.s[1].value(), net.s[2].value(), net.out.value());
        let row = formulas::cost_hessian(r.s0, s1, s2, out, r.out, w[1], w[2]);
        for i in 0..3 {
            for j in 0..3 {
                expected[i][j] += row[i][j] / rows.len() as f64;
            }
        }
    }
    for i in 0..3 {
        for j in 0..3 {
            assert!(
                (h[[i, j]] - expected[i][j]).abs() <= 1e-12 * expected[i][j].abs().max(1.0),
                "H[{i},{j}]"
            );
        }
    }
    let grad = problem.gradient(&w).unwrap();
    for k in 0..3 {
        let step = 1e-6;
        let mut plus = w.clone();
        plus[k] += step;
        let mut minus = w.clone();
        minus[k] -= step;
        let fd = (problem.cost(&plus).unwrap() - problem.cost(&minus).unwrap()) / (2.0 * step);
        assert!(
            (grad[k] - fd).abs() < 1e-6 * fd.abs().max(1.0),
            "dC/dw{k}: {} vs {fd}",
            grad[k]
        );
    }
}

/// The Hessian from batch lanes over the gradient's tapes equals the plain sum of per-row
/// forward-over-reverse HVPs (`Tape::hvp` along each unit vector) to rounding.
#[test]
fn the_lanes_hessian_is_the_sum_of_per_row_hvps() {
    for (net, truth, w) in [
        (Net::Lecture, &LECTURE[..], vec![0.3, -1.1, 4.0]),
        (Net::TwoNode, &TWO_NODE[..], vec![0.7, -2.0]),
        (
            Net::Chain(4),
            &[0.5, -1.0, 2.0, 1.5, 3.0][..],
            vec![1.0, 0.5, -0.5, 2.0, 1.0],
        ),
    ] {
        let rows = data(net, truth, 300);
        let problem = LeastSquares::new(net, &rows).unwrap();
        let lanes = problem.mean_hessian(&w).unwrap();
        let g = autodiff::Graph::new();
        let point = crate::Point {
            weights: w.clone(),
            s0: 0.0,
            target: 0.0,
        };
        let built = net.build(&g, &point).unwrap();
        let mut leaves = vec![built.s0, built.target];
        leaves.extend(&built.weights);
        let tape = autodiff::Tape::compile(built.cost, &leaves).unwrap();
        let mut ws = tape.workspace();
        let k = w.len();
        let mut sum = ndarray::Array2::<f64>::zeros((k, k));
        for r in &rows {
            let mut inputs = vec![r.s0, r.out];
            inputs.extend(&w);
            for j in 0..k {
                let mut unit = vec![0.0; 2 + k];
                unit[2 + j] = 1.0;
                let (_, _, column) = tape.hvp(&mut ws, &inputs, &unit).unwrap();
                for i in 0..k {
                    sum[[i, j]] += column[2 + i] / rows.len() as f64;
                }
            }
        }
        for ((i, j), &h) in lanes.indexed_iter() {
            let reference = sum[[i, j]];
            assert!(
                (h - reference).abs() <= 1e-12 * reference.abs().max(1.0),
                "{net} H[{i},{j}]: {h} vs {reference}"
            );
        }
    }
}

/// Each Jacobian row from batch lanes is the row's `∂out/∂w` from a recorded graph's
/// reverse sweep, and each residual its `out − target`.
#[test]
fn the_lanes_jacobian_rows_are_the_rows_gradients_of_out() {
    let rows = data(Net::Lecture, &LECTURE, 50);
    let problem = LeastSquares::new(Net::Lecture, &rows).unwrap();
    let w = [0.4, 1.7, -6.0];
    let (r, j) = (
        problem.residuals(&w).unwrap(),
        problem.jacobian_of_residuals(&w).unwrap(),
    );
    for (i, row) in rows.iter().enumerate() {
        let g = autodiff::Graph::new();
        let point = crate::Point {
            weights: w.to_vec(),
            s0: row.s0,
            target: row.out,
        };
        let net = Net::Lecture.build(&g, &point).unwrap();
        let expected = net.out.backward().wrt_all(&net.weights);
        for k in 0..3 {
            assert!(
                (j[[i, k]] - expected[k]).abs() <= 1e-14 * expected[k].abs().max(1.0),
                "J[{i},{k}]"
            );
        }
        assert_eq!(r[i], net.out.value() - row.out);
    }
}

mod properties {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

        /// At random weights, the problem's gradient is the central difference of its cost,
        /// its Hessian the central difference of its gradient (argmin's own check), and
        /// `JᵀJ/n + Σ rᵢ ∇²outᵢ / n` is consistent with it through `∇C̄ = Jᵀr/n`.
        #[test]
        fn derivatives_match_finite_differences(
            w0 in -3.0..3.0_f64, w1 in -3.0..3.0_f64, w2 in -12.0..12.0_f64,
        ) {
            let rows = data(Net::Lecture, &LECTURE, 20);
            let problem = LeastSquares::new(Net::Lecture, &rows).unwrap();
            let w = Array1::from(vec![w0, w1, w2]);
            let grad = problem.gradient(&w).unwrap();
            let hessian = problem.hessian(&w).unwrap();
            let r = problem.residuals(w.as_slice().unwrap()).unwrap();
            let j = problem.jacobian_of_residuals(w.as_slice().unwrap()).unwrap();
            let jtr = j.t().dot(&r) / rows.len() as f64;
            for k in 0..3 {
                let h = f64::EPSILON.cbrt() * w[k].abs().max(1.0);
                let (mut plus, mut minus) = (w.clone(), w.clone());
                plus[k] += h;
                minus[k] -= h;
                let fd = (problem.cost(&plus).unwrap() - problem.cost(&minus).unwrap()) / (2.0 * h);
                prop_assert!((grad[k] - fd).abs() <= 1e-6 * fd.abs().max(1.0), "dC/dw{k}");
                prop_assert!((grad[k] - jtr[k]).abs() <= 1e-12 * jtr[k].abs().max(1.0));
                let column = (problem.gradient(&plus).unwrap() - problem.gradient(&minus).unwrap()) / (2.0 * h);
                for i in 0..3 {
                    let (exact, numeric) = (hessian[[i, k]], column[i]);
                    prop_assert!((exact - numeric).abs() <= 1e-5 * numeric.abs().max(1.0), "H[{i},{k}]");
                }
            }
        }
    }
}
