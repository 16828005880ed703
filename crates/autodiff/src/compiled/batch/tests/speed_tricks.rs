//! One test per speed trick of the lane program (see `program.rs`): each checks that the
//! plan of a small tape uses the trick, then that the batch gives what [`Tape::gradient`]
//! gives row by row. With fewer than 8 rows the lanes sum the rows' gradients in row order,
//! as the replay does, so the gradient is compared bit for bit too.

use ndarray::{array, Array2};

use super::super::lanes::Lanes;
use super::super::program::{Dest, LaneStep, Plan};
use super::rows;
use crate::compiled::wide::same;
use crate::{Graph, Tape};

/// The batch over `data` is row replay: outputs and gradient bit for bit (a NaN matches any
/// NaN, whose sign and payload are not specified).
#[track_caller]
fn assert_batch_is_row_replay(tape: &Tape, data: &Array2<f64>, params: &[f64]) {
    assert!(data.nrows() < 8, "more rows are summed in another order");
    let out = tape.batch(data.view(), params).unwrap();
    let (outputs, gradient) = rows(tape, data, params);
    for (&got, &want) in out.outputs.iter().zip(&outputs) {
        assert!(same(got, want), "output {got} vs {want}");
    }
    for (&got, &want) in out.gradient.iter().zip(&gradient) {
        assert!(same(got, want), "gradient {got} vs {want}");
    }
}

#[test]
fn a_product_read_only_by_a_sum_is_multiplied_in_the_sums_loop() {
    // y = sin(w·x + t): the product w·x is not stored; z = b + w₀x₀ + w₁x₁ + w₂x₀ is one
    // chain of three products added in one row
    let g = Graph::new();
    let (x0, x1, t) = (g.constant(0.0), g.constant(0.0), g.constant(0.0));
    let (w, w0, w1, w2, b) = (g.var(0.0), g.var(0.0), g.var(0.0), g.var(0.0), g.var(0.0));
    let y = (w * x0 + t).sin() * (b + w0 * x0 + w1 * x1 + w2 * x0).tanh();
    let tape = Tape::compile(y, &[x0, x1, t, w, w0, w1, w2, b]).unwrap();
    let plan = Plan::new(&tape, 3);
    assert_eq!(plan.ops.iter().filter(|f| f.product.is_some()).count(), 1);
    let chains: Vec<_> = plan.ops.iter().filter_map(|f| f.chain).collect();
    assert_eq!((chains.len(), chains[0].1, plan.terms.len()), (1, 3, 3));
    let data = array![[0.5, -1.0, 0.2], [-2.0, 0.25, 1.0], [1.5, 3.0, -0.7]];
    assert_batch_is_row_replay(&tape, &data, &[0.8, -0.4, 0.3, 1.1, -0.2]);
}

#[test]
fn an_operand_of_a_sum_shares_the_sums_adjoint_row() {
    // y = ((sin(wx) + x) + t)²: ∂y/∂sin = ∂y/∂(inner sum) = ∂y/∂(outer sum), one row for
    // the three; rows: w·x, the outer sum, the square (w's one step needs none)
    let g = Graph::new();
    let (x, t, w) = (g.constant(0.0), g.constant(0.0), g.var(0.0));
    let y = ((w * x).sin() + x + t).square();
    let tape = Tape::compile(y, &[x, t, w]).unwrap();
    assert_eq!(Plan::new(&tape, 2).adjoint_rows, 3);
    let data = array![[0.5, -1.0], [-2.0, 0.25], [1.5, 3.0], [0.0, 0.0]];
    assert_batch_is_row_replay(&tape, &data, &[0.7]);
}

#[test]
fn constant_partials_are_scalars_not_stored_rows() {
    // y = sin(t − w·x) / 4 · 3: the partials −1, 1/4 and 3 are read as scalars
    let g = Graph::new();
    let (x, t, w) = (g.constant(0.0), g.constant(0.0), g.var(0.0));
    let y = (t - w * x).sin() / 4.0 * 3.0;
    let tape = Tape::compile(y, &[x, t, w]).unwrap();
    let plan = Plan::new(&tape, 2);
    for c in [-1.0, 0.25, 3.0] {
        assert!(plan.constants.contains(&c), "{c} in {:?}", plan.constants);
    }
    let data = array![[0.5, -1.0], [-2.0, 0.25], [1.5, 3.0]];
    assert_batch_is_row_replay(&tape, &data, &[0.7]);
}

#[test]
fn a_parameter_used_once_is_summed_straight_into_its_gradient() {
    // y = tanh(w · sin(v·x)) + v: w has one step (no row), v two (a row); w's step and
    // the step into sin run in one loop
    let g = Graph::new();
    let (x, v, w) = (g.constant(0.0), g.var(0.0), g.var(0.0));
    let y = (w * (v * x).sin()).tanh() + v;
    let tape = Tape::compile(y, &[x, v, w]).unwrap();
    let plan = Plan::new(&tape, 1);
    // v is parameter 0, w parameter 1
    assert_eq!(plan.row_gradients.len(), 1);
    assert_eq!(plan.row_gradients[0].0, 0);
    let into_w = |s: &&LaneStep| s.dest == Dest::Gradient(1);
    let w_step = plan.sweep.iter().find(into_w).expect("a step into w");
    assert!(w_step.paired.is_some(), "{w_step:?}");
    let data = array![[0.5], [-2.0], [1.5], [0.0], [-0.3]];
    assert_batch_is_row_replay(&tape, &data, &[0.8, -0.4]);
}

#[test]
fn an_op_that_overflows_sends_its_chunk_to_row_replay() {
    // y = min(e^{wx}, t): at x = 800, e^{wx} = ∞ and min picks t, so ∂y/∂e^{wx} = 0; the
    // lanes would multiply that 0 by the partial e^{wx} = ∞ (NaN), the replay skips it
    let g = Graph::new();
    let (x, t, w) = (g.constant(0.0), g.constant(0.0), g.var(0.0));
    let y = (w * x).exp().min(t);
    let tape = Tape::compile(y, &[x, t, w]).unwrap();
    let data = array![[0.5, 5.0], [800.0, 2.0], [-1.0, 7.0]];
    assert_batch_is_row_replay(&tape, &data, &[1.0]);
    let gradient = tape.batch(data.view(), &[1.0]).unwrap().gradient[0];
    assert_eq!(gradient, 0.5 * 0.5f64.exp() - (-1.0f64).exp()); // Σ x e^{wx}, not NaN
}

#[test]
fn an_infinite_parameter_sends_every_chunk_to_row_replay() {
    // y = min(w · sin(vx), t) at w = ∞: w·sin(vx) = ∞ where sin(vx) > 0, min picks t, and
    // the replay skips the zero adjoint that the lanes would multiply by w = ∞
    let g = Graph::new();
    let (x, t, v, w) = (g.constant(0.0), g.constant(0.0), g.var(0.0), g.var(0.0));
    let y = (w * (v * x).sin()).min(t);
    let tape = Tape::compile(y, &[x, t, v, w]).unwrap();
    let data = array![[0.5, 5.0], [1.0, 2.0], [2.0, 7.0]];
    assert_batch_is_row_replay(&tape, &data, &[1.0, f64::INFINITY]);
    let out = tape.batch(data.view(), &[1.0, f64::INFINITY]).unwrap();
    assert_eq!(out.gradient, [0.0, 0.0]); // min picks t in every row
}

/// `tanh(b + w₀x₀ + w₁x₁ + w₂x₂)` over three data columns: a chain of three products.
fn neuron(g: &Graph) -> Tape {
    let x: Vec<_> = (0..3).map(|_| g.constant(0.0)).collect();
    let w: Vec<_> = (0..4).map(|_| g.var(0.0)).collect();
    let y = (w[3] + w[0] * x[0] + w[1] * x[1] + w[2] * x[2]).tanh();
    Tape::compile(y, &[x[0], x[1], x[2], w[0], w[1], w[2], w[3]]).unwrap()
}

/// `rows` rows of three columns, spread over a few units.
fn spread(rows: usize) -> Array2<f64> {
    Array2::from_shape_fn((rows, 3), |(i, j)| {
        (1.7 * i as f64 + 0.9 * j as f64).sin() * 2.0
    })
}

/// The batch's per-row outputs are row replay's bit for bit, its gradient to rounding.
#[track_caller]
fn assert_outputs_are_row_replay(tape: &Tape, data: &Array2<f64>, params: &[f64]) {
    let out = tape.batch(data.view(), params).unwrap();
    let (outputs, gradient) = rows(tape, data, params);
    for (&got, &want) in out.outputs.iter().zip(&outputs) {
        assert!(same(got, want), "output {got} vs {want}");
    }
    for (&got, &want) in out.gradient.iter().zip(&gradient) {
        let close = (got - want).abs() <= 1e-13 * want.abs().max(1.0);
        assert!(same(got, want) || close, "{got} vs {want}");
    }
}

#[test]
fn a_chain_sums_blocks_of_lanes_then_single_lanes_as_row_replay_does() {
    let tape = neuron(&Graph::new());
    let chains: Vec<_> = Plan::new(&tape, 3)
        .ops
        .iter()
        .filter_map(|f| f.chain)
        .collect();
    assert_eq!(chains.len(), 1);
    // 61 rows: blocks of 32, 16 and 8 lanes, then five single lanes; and others
    for n in [61, 29, 1, 8, 16, 24, 31, 32, 40, 64, 100, 128] {
        assert_outputs_are_row_replay(&tape, &spread(n), &[0.7, -1.3, 0.4, 0.1]);
    }
}

#[test]
fn a_batch_is_cut_into_even_chunks_of_whole_blocks_of_eight_lanes() {
    use super::super::lanes::chunk_width;
    // a batch of 32 on a tape of 5,000 rows is one chunk of 32, not 37 + nothing or 24 + 8
    assert_eq!(chunk_width(32, 5000), 32);
    // 129 rows where 128 fit: two chunks of 72 and 57, not 128 and 1
    assert_eq!(chunk_width(129, 100), 72);
    assert_eq!(chunk_width(1, 100), 8);
    for lane_rows in [1, 10, 700, 5000, 100_000, 10_000_000] {
        for rows in 1..600 {
            let w = chunk_width(rows, lane_rows);
            assert!(
                w % 8 == 0 && (8..=128).contains(&w),
                "{rows} rows: width {w}"
            );
            // no chunk is empty, and the last is not much shorter than needed
            let chunks = rows.div_ceil(w);
            assert!(rows > (chunks - 1) * w, "{rows} rows: width {w}");
            assert!(
                chunks == 1 || rows.div_ceil(chunks) + 8 > w,
                "{rows} rows: width {w}"
            );
        }
    }
}

#[test]
fn every_batch_uses_its_own_parameters_though_the_other_scalars_are_kept() {
    // y = min(w · sin(vx) + c, t) with a frozen leaf c: the same tape batch after batch with
    // other parameters (an infinite one among them), another tape run in between (which
    // replaces the kept plan): each batch is row replay
    let g = Graph::new();
    let (x, t, v, w) = (g.constant(0.0), g.constant(0.0), g.var(0.0), g.var(0.0));
    let c = g.constant(0.25);
    let y = (w * (v * x).sin() + c).min(t);
    let tape = Tape::compile(y, &[x, t, v, w]).unwrap();
    let other = neuron(&Graph::new());
    let data = array![[0.5, 5.0], [1.0, 2.0], [2.0, 7.0]];
    for params in [
        [1.0, 2.0],
        [0.5, f64::INFINITY],
        [0.5, -3.0],
        [f64::NAN, 1.0],
        [2.0, 1.0],
    ] {
        assert_batch_is_row_replay(&tape, &data, &params);
        assert_outputs_are_row_replay(&other, &spread(5), &[params[0], 0.5, 0.25, 1.0]);
    }
}

#[test]
fn buffers_kept_from_a_large_batch_serve_a_small_one_and_the_large_one_again() {
    let tape = neuron(&Graph::new());
    let params = [0.7, -1.3, 0.4, 0.1];
    for n in [300, 40, 3, 129, 40, 1, 300] {
        assert_outputs_are_row_replay(&tape, &spread(n), &params);
        let data = spread(n);
        let serial = tape.batch(data.view(), &params).unwrap();
        assert_eq!(
            serial,
            tape.par_batch(data.view(), &params).unwrap(),
            "{n} rows"
        );
    }
}

#[test]
fn an_op_that_was_infinite_when_recorded_does_not_send_later_batches_to_row_replay() {
    // y = w · ln(x), recorded at x = 0 (ln 0 = −∞ in the recorded values): the lanes'
    // scalars are finite, so batches of positive x run in lanes
    let g = Graph::new();
    let (x, w) = (g.constant(0.0), g.var(0.0));
    let tape = Tape::compile(w * x.ln(), &[x, w]).unwrap();
    let data = Array2::from_shape_fn((64, 1), |(i, _)| 1.0 + (i as f64).powi(3) / 7.0);
    let lanes = Lanes::take(&tape, 1, &[0.5], data.nrows());
    assert!(lanes.scalars_finite(), "the recorded −∞ is no scalar");
    lanes.give_back();
    assert_outputs_are_row_replay(&tape, &data, &[0.5]);
    let lanes = Lanes::take(&tape, 1, &[f64::NEG_INFINITY], data.nrows());
    assert!(!lanes.scalars_finite(), "an infinite parameter is");
    lanes.give_back();
}

#[test]
fn a_neurons_weight_steps_from_data_run_through_one_dispatch() {
    // tanh(b + w₀x₀ + w₁x₁ + w₂x₂): the gradients Σ adj·x₂ and Σ adj·x₁ are one run (the
    // sweep goes backwards; b's step, whose factor is the constant 1, comes before w₀'s)
    let tape = neuron(&Graph::new());
    let plan = Plan::new(&tape, 3);
    let runs: Vec<_> = plan.sweep.iter().filter_map(|s| s.run).collect();
    assert_eq!(
        (runs.len(), runs[0].1, plan.gradient_terms.len()),
        (1, 2, 2)
    );
    assert_batch_is_row_replay(&tape, &spread(7), &[0.7, -1.3, 0.4, 0.1]);
    for n in [8, 29, 128, 300] {
        assert_outputs_are_row_replay(&tape, &spread(n), &[0.7, -1.3, 0.4, 0.1]);
    }
}

/// Xorshift64 from `state`: the bits of a reproducible stream of test numbers.
fn xorshift(mut state: u64) -> impl FnMut() -> u64 {
    move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    }
}

#[test]
fn a_runs_lane_sums_on_wide_vectors_are_the_plain_sums_bit_for_bit() {
    use super::super::kernels::{row_dots, write_sum};
    // numbers of many magnitudes, so that another order of the additions shows
    let mut bits = xorshift(0x9e37_79b9_7f4a_7c15);
    let mut next = || {
        let state = bits();
        let unit = (state >> 11) as f64 / (1u64 << 53) as f64 - 0.5;
        unit * 10f64.powi((state % 21) as i32 - 10)
    };
    for n in [0, 1, 7, 8, 9, 15, 16, 17, 24, 31, 32, 33, 64, 100, 128] {
        // five rows of factors, `stride` apart, their sums into parameters 4, 0, 2, 1, 3
        let stride = n + 8;
        let adj: Vec<f64> = (0..n).map(|_| next()).collect();
        let values: Vec<f64> = (0..5 * stride).map(|_| next()).collect();
        let terms = [(4, 3), (0, 0), (2, 4), (1, 1), (3, 2)];
        let mut gradient = [f64::NAN; 5];
        row_dots(&adj, &terms, &values, stride, &mut gradient);
        for (p, r) in terms {
            let want = write_sum::<false, _>(&adj[..], &values[r as usize * stride..][..n]);
            let got = gradient[p as usize];
            assert_eq!(got.to_bits(), want.to_bits(), "{n} lanes: {got} vs {want}");
        }
    }
}

/// `Σ x` as the lanes add up a chunk: lane `i` into running sum `i mod 8` over the whole
/// eights, the eight sums as `((s₀ + s₄) + (s₂ + s₆)) + ((s₁ + s₅) + (s₃ + s₇))`, then the
/// lanes past the last whole eight in order.
fn lane_order_sum(x: &[f64]) -> f64 {
    let mut s = [0.0; 8];
    let whole = x.len() - x.len() % 8;
    for (i, &x) in x[..whole].iter().enumerate() {
        s[i % 8] += x;
    }
    let mut total = ((s[0] + s[4]) + (s[2] + s[6])) + ((s[1] + s[5]) + (s[3] + s[7]));
    for &x in &x[whole..] {
        total += x;
    }
    total
}

#[test]
fn a_runs_gradients_are_row_replays_summed_in_the_lanes_order_for_every_row_count() {
    // Two of the neuron's weights get their gradients from one run (z's adjoint row times
    // a data column each), the others from single steps. Each row's term is what
    // `Tape::gradient` gives (0 + adj·x, exactly adj·x; adj for the bias), so the batch's
    // gradient is those terms summed in the lanes' order within each chunk, then the chunks
    // in row order: bit for bit, for chunks of whole eights (the adjoint held in registers
    // up to 32 lanes) and of any other width, above 32 too.
    let tape = neuron(&Graph::new());
    let plan = Plan::new(&tape, 3);
    let runs: Vec<_> = plan.sweep.iter().filter_map(|s| s.run).collect();
    assert_eq!(runs, [(0, 2)]);
    let params = [0.7, -1.3, 0.4, 0.1];
    let mut ws = tape.workspace();
    for n in 1..=200 {
        let data = spread(n);
        let width = Lanes::take(&tape, 3, &params, n).width();
        let rows: Vec<Vec<f64>> = data
            .rows()
            .into_iter()
            .map(|row| {
                let inputs: Vec<f64> = row.iter().chain(&params).copied().collect();
                tape.gradient(&mut ws, &inputs).unwrap().1[3..].to_vec()
            })
            .collect();
        let out = tape.batch(data.view(), &params).unwrap();
        for p in 0..4 {
            let terms: Vec<f64> = rows.iter().map(|g| g[p]).collect();
            let mut chunks = terms.chunks(width).map(lane_order_sum);
            let first = chunks.next().unwrap() + 0.0;
            let want = chunks.fold(first, |total, chunk| total + chunk);
            let got = out.gradient[p];
            assert!(same(got, want), "{n} rows, w{p}: {got} vs {want}");
        }
    }
}

#[test]
fn a_runs_lane_sums_on_wide_vectors_are_the_plain_sums_with_zeros_infinities_and_subnormals() {
    use super::super::kernels::{row_dots, write_sum};
    // the lanes' run only sees finite values, but its adjoints may overflow: signed zeros,
    // infinities (whose NaNs match any NaN) and subnormals give the plain sums' results
    let mut next = xorshift(0x2545_f491_4f6c_dd1d);
    let mut number = move || {
        let s = next();
        match s % 128 {
            0..=3 => 0.0,
            4..=7 => -0.0,
            8 => f64::INFINITY,
            9 => f64::NEG_INFINITY,
            10..=13 => f64::MIN_POSITIVE / 3.0,
            14 => -f64::MAX,
            _ => ((s >> 11) as f64 / (1u64 << 53) as f64 - 0.5) * 10f64.powi((s % 9) as i32),
        }
    };
    for n in [1, 7, 8, 9, 16, 23, 24, 25, 32, 33, 40, 41, 64, 100, 128] {
        for _ in 0..20 {
            let stride = n + 8;
            let adj: Vec<f64> = (0..n).map(|_| number()).collect();
            let values: Vec<f64> = (0..3 * stride).map(|_| number()).collect();
            let terms = [(2, 1), (0, 2), (1, 0)];
            let mut gradient = [f64::NAN; 3];
            row_dots(&adj, &terms, &values, stride, &mut gradient);
            for (p, r) in terms {
                let want = write_sum::<false, _>(&adj[..], &values[r as usize * stride..][..n]);
                let got = gradient[p as usize];
                assert!(same(got, want), "{n} lanes: {got} vs {want}");
            }
        }
    }
}
