//! Paired timings: the hand-written reference and each variant timed back to back, round
//! after round, so that each ratio divides two times taken a few milliseconds apart.
//!
//! On a shared machine the speed of the whole machine drifts over seconds; criterion times
//! one function for seconds and then the next, so its ratios take the drift with them.
//! Within a round the drift cancels out. Printed before criterion's groups, under `cargo
//! bench` only (not when `cargo test --benches` runs each benchmark once).

use std::time::{Duration, Instant};

/// Rounds of each paired comparison (odd, so that the median is one of them).
const ROUNDS: usize = 21;

/// Shortest time of one measurement: calls are repeated until the reference takes this long.
const SPAN: Duration = Duration::from_millis(2);

/// Whether this run is `cargo bench` (which passes `--bench`), not a test run.
pub fn benchmarking() -> bool {
    std::env::args().any(|arg| arg == "--bench")
}

/// Times `reference` and then each variant once per round, [`ROUNDS`] rounds, and prints
/// for each variant the median of its per-round ratios to the reference (with the lowest
/// and highest of them) and the ratio of the two shortest times.
pub fn compare(
    group: &str,
    reference: &mut dyn FnMut(),
    variants: &mut [(&str, &mut dyn FnMut())],
) {
    let calls = calls_per_measurement(reference);
    let time = |f: &mut dyn FnMut()| {
        let start = Instant::now();
        for _ in 0..calls {
            f();
        }
        start.elapsed().as_secs_f64() / calls as f64
    };
    let mut references = Vec::with_capacity(ROUNDS);
    let mut times = vec![Vec::with_capacity(ROUNDS); variants.len()];
    for _ in 0..ROUNDS {
        references.push(time(reference));
        for ((_, variant), times) in variants.iter_mut().zip(&mut times) {
            times.push(time(*variant));
        }
    }
    let shortest = |times: &[f64]| times.iter().copied().fold(f64::INFINITY, f64::min);
    println!(
        "{group}: paired timings, {ROUNDS} rounds of {calls} call(s) each; hand-written \
         {}",
        format_seconds(shortest(&references))
    );
    for ((name, _), times) in variants.iter().zip(&times) {
        let mut ratios: Vec<f64> = times.iter().zip(&references).map(|(t, r)| t / r).collect();
        ratios.sort_by(f64::total_cmp);
        println!(
            "  {name}: {:.2}x hand-written (median of rounds; {:.2}-{:.2}), shortest {} = {:.2}x",
            ratios[ROUNDS / 2],
            ratios[0],
            ratios[ROUNDS - 1],
            format_seconds(shortest(times)),
            shortest(times) / shortest(&references)
        );
    }
}

/// How many calls make one measurement of `f` last at least [`SPAN`].
fn calls_per_measurement(f: &mut dyn FnMut()) -> usize {
    let mut calls = 1;
    loop {
        let start = Instant::now();
        for _ in 0..calls {
            f();
        }
        if start.elapsed() >= SPAN || calls >= 1 << 20 {
            return calls;
        }
        calls *= 2;
    }
}

fn format_seconds(seconds: f64) -> String {
    match seconds {
        s if s >= 1e-3 => format!("{:.2} ms", s * 1e3),
        s => format!("{:.2} µs", s * 1e6),
    }
}
