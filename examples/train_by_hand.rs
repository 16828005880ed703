//! The reference for `backprop train`'s speed: the lecture net trained on a CSV file with
//! the chain rule coded by hand, no graph, no tape, nothing recorded along the way.
//!
//! Same rows, same settings as `backprop train --data FILE` (alpha 0.01, from w = (1, 1, 1),
//! online in file order, or `--full-batch`: one step per epoch on the mean gradient), and it
//! prints the same two fields of `--json` that matter here: the final weights, and the
//! seconds spent training (reading the file is not timed, as in the CLI). Compare with
//!
//! ```text
//! cargo run --release -- generate --weights=-0.2,2.8,10 --n 50000 --seed 1 --out rows.csv
//! target/release/backprop train --data rows.csv --epochs 20 --json
//! cargo run --release --example train_by_hand -- rows.csv 20
//! ```
//!
//! The weights agree with the CLI's to about 1e-12 relative, not bit for bit: the engine's
//! sigmoid has its own exponential and writes `S'(x)` as `S(x) S(-x)`.
//!
//! Run with `cargo run --release --example train_by_hand -- FILE EPOCHS [--full-batch]`.

use std::path::PathBuf;
use std::time::Instant;

use lecture::data::read_file;

const ALPHA: f64 = 0.01;

/// S(x) = 1 / (1 + e⁻ˣ)
fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// C = ½ (target − out)² at one row and `[∂C/∂w0, ∂C/∂w1, ∂C/∂w2]`, by the chain rule.
#[inline]
fn gradient(s0: f64, target: f64, [w0, w1, w2]: [f64; 3]) -> (f64, [f64; 3]) {
    let s1 = sigmoid(w0 * s0);
    let s2 = sigmoid(w1 * s1);
    let out = w2 * s2;
    let e = target - out;
    let d_out = -e; // ∂C/∂out
    let d_x2 = d_out * w2 * s2 * (1.0 - s2); // ∂C/∂x2 = ∂C/∂out · w2 · S'(x2)
    let d_x1 = d_x2 * w1 * s1 * (1.0 - s1); // ∂C/∂x1 = ∂C/∂x2 · w1 · S'(x1)
    (0.5 * e * e, [d_x1 * s0, d_x2 * s1, d_out * s2])
}

/// One online epoch: `w ← w − alpha ∂C/∂w` after every row, in file order.
// Out of `main`, the loop keeps the weights in registers (inside `main` it ran 1.4 times
// as long).
#[inline(never)]
fn online_epoch(rows: &[[f64; 2]], mut w: [f64; 3]) -> [f64; 3] {
    for &[s0, target] in rows {
        let (_, g) = gradient(s0, target, w);
        for (w, g) in w.iter_mut().zip(g) {
            *w -= ALPHA * g;
        }
    }
    w
}

/// One full-batch step: `w ← w − alpha · mean ∂C/∂w` over all rows.
#[inline(never)]
fn full_batch_step(rows: &[[f64; 2]], mut w: [f64; 3]) -> [f64; 3] {
    let mut sum = [0.0; 3];
    for &[s0, target] in rows {
        let (_, g) = gradient(s0, target, w);
        for (acc, g) in sum.iter_mut().zip(g) {
            *acc += g;
        }
    }
    let n = rows.len() as f64;
    for (w, acc) in w.iter_mut().zip(sum) {
        *w -= ALPHA * (acc / n);
    }
    w
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: train_by_hand FILE EPOCHS [--full-batch]";
    let file = PathBuf::from(args.first().ok_or(usage)?);
    let epochs: usize = args.get(1).ok_or(usage)?.parse()?;
    let full_batch = args.iter().any(|a| a == "--full-batch");
    let rows: Vec<[f64; 2]> = read_file(&file)?.iter().map(|s| [s.s0, s.out]).collect();

    let start = Instant::now();
    let mut w = [1.0; 3];
    for _ in 0..epochs {
        w = if full_batch {
            full_batch_step(&rows, w)
        } else {
            online_epoch(&rows, w)
        };
    }
    let seconds = start.elapsed().as_secs_f64();
    let w = std::hint::black_box(w);
    println!("{{\"weights\":{w:?},\"seconds\":{seconds}}}");
    Ok(())
}
