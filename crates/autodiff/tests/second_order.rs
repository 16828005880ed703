//! Second order over random straight-line programs: the Hessian of the recorded backward
//! pass ([`Var::hessian`](autodiff::Var::hessian)) is symmetric, equals central finite
//! differences of the engine's gradient where the program is smooth, and `hvp` is the
//! Hessian times the vector.

mod common;
mod program;

use autodiff::{Graph, Tape};
use ndarray::Array2;
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

use program::checks::{self, well_scaled};
use program::{program, Program};

const REGRESSIONS: &str = "proptest-regressions/second_order.txt";

fn case() -> impl Strategy<Value = (Program, Vec<f64>)> {
    checks::with_inputs(program())
}

/// The engine's gradient of the program's output at `x`.
fn gradient(p: &Program, x: &[f64]) -> Vec<f64> {
    let g = Graph::new();
    let slots = p.build(&g, x);
    let leaves = &slots[..x.len()];
    slots.last().unwrap().backward().wrt_all(leaves)
}

/// `hv = H·v` to rounding: `|hvᵢ − Σⱼ Hᵢⱼvⱼ| ≤ 1e-9·scale + 1e-12`, scale the larger of
/// `Σⱼ |Hᵢⱼvⱼ|` and the largest `|H|`. Rows whose terms overflow are not judged, nor (with
/// `skip_non_finite`) rows where `hv` itself is not finite.
fn hv_is_h_times_v(
    h: &Array2<f64>,
    v: &[f64],
    hv: &[f64],
    p: &Program,
    skip_non_finite: bool,
) -> Result<(), TestCaseError> {
    for i in 0..v.len() {
        let terms: Vec<f64> = (0..v.len()).map(|j| h[[i, j]] * v[j]).collect();
        let expected: f64 = terms.iter().sum();
        let magnitude: f64 = terms.iter().map(|t| t.abs()).sum();
        prop_assume!(magnitude.is_finite() && (!skip_non_finite || hv[i].is_finite()));
        let scale = h.iter().fold(magnitude, |m, e| m.max(e.abs()));
        prop_assert!(
            (hv[i] - expected).abs() <= 1e-9 * scale + 1e-12,
            "{} vs {expected}\n{p}",
            hv[i]
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(checks::config(300, REGRESSIONS))]

    /// The Hessian is symmetric (to rounding), and matches central differences of the
    /// gradient, step 1e-5·max(1, |xⱼ|), |h − fd| ≤ 1e-6·max(1, |∇f|) + 1e-4·|fd|.
    #[test]
    fn hessian_is_symmetric_and_matches_differences_of_the_gradient((p, x) in case()) {
        prop_assume!(well_scaled(&p, &x));
        prop_assume!(p.kink_distance(&x) > 100.0);
        prop_assume!(p.fd_converged(&x));
        let g = Graph::new();
        let slots = p.build(&g, &x);
        let leaves = &slots[..x.len()];
        let h = slots.last().unwrap().hessian(leaves);
        let scale = gradient(&p, &x).iter().fold(1.0_f64, |m, d| m.max(d.abs()));
        for j in 0..x.len() {
            let step = 1e-5 * x[j].abs().max(1.0);
            let (mut up, mut down) = (x.clone(), x.clone());
            up[j] += step;
            down[j] -= step;
            let (gu, gd) = (gradient(&p, &up), gradient(&p, &down));
            for i in 0..x.len() {
                let fd = (gu[i] - gd[i]) / (up[j] - down[j]);
                prop_assume!(fd.is_finite());
                let tol = 1e-6 * scale + 1e-4 * fd.abs();
                prop_assert!((h[[i, j]] - fd).abs() <= tol, "H[{i},{j}] = {} vs fd {fd}\n{p}", h[[i, j]]);
                let sym = 1e-10 * h[[i, j]].abs().max(h[[j, i]].abs()).max(1.0);
                prop_assert!((h[[i, j]] - h[[j, i]]).abs() <= sym, "H not symmetric at {i},{j}\n{p}");
            }
        }
    }

    /// HVP = H·v, to rounding.
    #[test]
    fn hvp_is_the_hessian_times_v((p, x) in case(), v in prop::collection::vec(-1.0..1.0f64, 4)) {
        prop_assume!(well_scaled(&p, &x));
        let g = Graph::new();
        let slots = p.build(&g, &x);
        let leaves = &slots[..x.len()];
        let out = *slots.last().unwrap();
        let h = out.hessian(leaves);
        let v = &v[..x.len()];
        let hv = out.hvp(leaves, v);
        hv_is_h_times_v(&h, v, &hv, &p, false)?;
    }

    /// Forward-over-reverse on a compiled tape, replayed at new inputs, equals the Hessian
    /// of the recorded backward pass at those inputs, to rounding.
    #[test]
    fn tape_hvp_at_new_inputs_equals_the_graph_hvp(
        (p, x) in case(),
        shift in prop::collection::vec(-0.5..0.5f64, 4),
        v in prop::collection::vec(-1.0..1.0f64, 4),
    ) {
        let x_new: Vec<f64> = x.iter().zip(&shift).map(|(a, s)| a + s).collect();
        prop_assume!(well_scaled(&p, &x) && well_scaled(&p, &x_new));
        let v = &v[..x.len()];
        let g = Graph::new();
        let slots = p.build(&g, &x);
        let tape = Tape::compile(*slots.last().unwrap(), &slots[..x.len()]).unwrap();
        let mut ws = tape.workspace();
        let (_, _, hv) = tape.hvp(&mut ws, &x_new, v).unwrap();
        let fresh = Graph::new();
        let slots = p.build(&fresh, &x_new);
        let out = *slots.last().unwrap();
        let h = out.hessian(&slots[..x.len()]);
        hv_is_h_times_v(&h, v, hv, &p, true)?;
    }
}
