//! The lecture network's tape replayed many times: a fixed workload for counting
//! instructions with `valgrind --tool=callgrind` (the counts repeat, timings do not).
//!
//! Replays the gradient 100,000 times (one online epoch's worth of steps, weights
//! updated after each) and runs one batch of 10,000 rows through the lanes.
//!
//! `cargo build --release --example lecture_replay &&
//!  valgrind --tool=callgrind target/release/examples/lecture_replay`

use autodiff::{Graph, Tape};
use ndarray::Array2;

fn main() -> Result<(), autodiff::Error> {
    let g = Graph::new();
    let (s0, target) = (g.constant(0.0), g.constant(0.0));
    let w = [g.var(0.5), g.var(1.5), g.var(5.0)];
    let out = ((s0 * w[0]).sigmoid() * w[1]).sigmoid() * w[2];
    let cost = (target - out).square() * 0.5;
    let tape = Tape::compile(cost, &[s0, target, w[0], w[1], w[2]])?;
    let mut ws = tape.workspace();
    let mut inputs = [0.0, 0.0, 0.5, 1.5, 5.0];
    let mut total = 0.0;
    for i in 0..100_000 {
        let s = f64::from(i % 200) / 10.0 - 10.0;
        inputs[0] = s;
        inputs[1] = 10.0 * (2.8 * (-0.2 * s).tanh()).tanh();
        let (c, grad) = tape.gradient(&mut ws, &inputs)?;
        total += c;
        let step = [grad[2], grad[3], grad[4]];
        for (w, d) in inputs[2..].iter_mut().zip(step) {
            *w -= 0.01 * d;
        }
    }
    let rows = Array2::from_shape_fn((10_000, 2), |(i, j)| {
        let s = (i % 200) as f64 / 10.0 - 10.0;
        if j == 0 {
            s
        } else {
            s.tanh()
        }
    });
    let batch = tape.batch(rows.view(), &inputs[2..])?;
    println!("online cost sum {total:.6}, batch sum {:.6}", batch.sum);
    Ok(())
}
