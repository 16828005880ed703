//! Hessian-vector products over rows in batch lanes ([`Tape::batch_hvp`]) on random
//! programs: the sum over the rows of [`Tape::hvp`] to rounding, and the parallel call equal
//! to the serial one bit for bit. The lecture net's cases are in `batch.rs`.

mod common;
mod program;

use autodiff::{Graph, Tape};
use common::{bit_identical, close};
use ndarray::Array2;
use proptest::prelude::*;

use program::checks::{self, well_scaled};
use program::{program, Program};

const REGRESSIONS: &str = "proptest-regressions/batch_hvp.txt";

/// `(outputs, sum, gradient, hvp, magnitudes)` by a plain loop of [`Tape::hvp`] over the
/// rows, the magnitudes being `Σ|term|` of each sum (what bounds its rounding).
type Plain = (Vec<f64>, f64, Vec<f64>, Vec<f64>, Vec<f64>);

fn plain_loop(tape: &Tape, data: &Array2<f64>, params: &[f64], direction: &[f64]) -> Plain {
    let (c, p) = (data.ncols(), params.len());
    let mut ws = tape.workspace();
    let mut t = vec![0.0; c];
    t.extend_from_slice(direction);
    let (mut outputs, mut sum) = (Vec::new(), 0.0);
    let (mut gradient, mut hvp) = (vec![0.0; p], vec![0.0; p]);
    let mut magnitudes = vec![0.0; 1 + 2 * p];
    for row in data.rows() {
        let inputs: Vec<f64> = row.iter().chain(params).copied().collect();
        let (v, g, hv) = tape.hvp(&mut ws, &inputs, &t).unwrap();
        outputs.push(v);
        sum += v;
        magnitudes[0] += v.abs();
        for j in 0..p {
            gradient[j] += g[c + j];
            hvp[j] += hv[c + j];
            magnitudes[1 + j] += g[c + j].abs();
            magnitudes[1 + p + j] += hv[c + j].abs();
        }
    }
    (outputs, sum, gradient, hvp, magnitudes)
}

/// A program, the number of its inputs that are data columns, rows of data near the
/// program's generated point, and a direction over the parameters.
fn case() -> impl Strategy<Value = (Program, usize, Array2<f64>, Vec<f64>, Vec<f64>)> {
    checks::with_inputs(program()).prop_flat_map(|(p, x)| {
        let n = p.inputs;
        (
            Just(p),
            0..=n,
            1..300usize,
            prop::collection::vec(-0.5..0.5f64, 4),
            prop::collection::vec(-1.0..1.0f64, n),
            Just(x),
        )
            .prop_map(|(p, columns, rows, shifts, direction, x)| {
                // row i, column j: x_j shifted by a pattern over the rows
                let data = Array2::from_shape_fn((rows, columns), |(i, j)| {
                    x[j] + shifts[j] * ((i * (j + 2)) as f64 * 0.37).sin()
                });
                let params = x[columns..].to_vec();
                let direction = direction[columns..].to_vec();
                (p, columns, data, params, direction)
            })
    })
}

proptest! {
    #![proptest_config(checks::config(200, REGRESSIONS))]

    /// Outputs bit for bit; sums, gradient and HVP within `1e-12 · Σ|term|` of the plain
    /// loop (only the grouping of the additions differs); parallel = serial bit for bit.
    #[test]
    fn batch_hvp_is_the_sum_of_row_hvps_for_random_programs(
        (p, columns, data, params, direction) in case()
    ) {
        let g = Graph::new();
        let mut x: Vec<f64> = data.row(0).to_vec();
        x.extend_from_slice(&params);
        prop_assume!(data.rows().into_iter().all(|row| {
            let mut at: Vec<f64> = row.to_vec();
            at.extend_from_slice(&params);
            well_scaled(&p, &at)
        }));
        let slots = p.build(&g, &x);
        let tape = Tape::compile(*slots.last().unwrap(), &slots[..p.inputs]).unwrap();
        prop_assert_eq!(tape.input_count(), columns + params.len());
        let out = tape.batch_hvp(data.view(), &params, &direction).unwrap();
        let (outputs, sum, gradient, hvp, magnitudes) = plain_loop(&tape, &data, &params, &direction);
        prop_assert!(bit_identical(out.batch.outputs.as_slice().unwrap(), &outputs), "{p}");
        let expected = std::iter::once(sum).chain(gradient).chain(hvp);
        let got = std::iter::once(out.batch.sum).chain(out.batch.gradient.clone()).chain(out.hvp.clone());
        for (k, ((got, want), m)) in got.zip(expected).zip(&magnitudes).enumerate() {
            prop_assert!(close(got, want, 0.0, 1e-12 * m), "sum {k}: {got} vs {want}\n{p}");
        }
        let parallel = tape.par_batch_hvp(data.view(), &params, &direction).unwrap();
        prop_assert!(bit_identical(&[parallel.batch.sum], &[out.batch.sum]));
        prop_assert!(bit_identical(&parallel.batch.gradient, &out.batch.gradient));
        prop_assert!(bit_identical(&parallel.hvp, &out.hvp));
    }
}
