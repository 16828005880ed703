//! Paired timings: the hand-written reference and each variant timed back to back, round
//! after round, so that each ratio divides two times taken a few milliseconds apart.
//!
//! On a shared machine the speed of the whole machine drifts over seconds; criterion times
//! one function for seconds and then the next, so its ratios take the drift with them.
//! Within a round the drift cancels out. Printed before criterion's groups, under `cargo
//! bench` only (not when `cargo test --benches` runs each benchmark once), and only for a
//! group with a benchmark that criterion's filter selects.

use std::time::{Duration, Instant};

/// Rounds of each paired comparison (odd, so that the median is one of them).
const ROUNDS: usize = 21;

/// Shortest time of one measurement: calls are repeated until the reference takes this long.
const SPAN: Duration = Duration::from_millis(2);

/// criterion's options that take a value (`criterion 0.5`, `--help`).
const WITH_VALUE: [&str; 16] = [
    "-c",
    "--color",
    "-s",
    "--save-baseline",
    "-b",
    "--baseline",
    "--baseline-lenient",
    "--format",
    "--sample-size",
    "--warm-up-time",
    "--measurement-time",
    "--nresamples",
    "--noise-threshold",
    "--confidence-level",
    "--significance-level",
    "--plotting-backend",
];

/// criterion's options under which nothing is timed here: listing, profiling, reporting a
/// stored baseline, skipping all.
const NOT_TIMING: [&str; 4] = ["--list", "--profile-time", "--load-baseline", "--ignored"];

/// Whether criterion, run with `args` (program name first), times any of `ids`: under
/// `cargo bench` (which passes `--bench`; a test run does not), and only benchmarks whose
/// id contains the filter (equals it with `--exact`), as criterion selects them.
fn selects(args: &[String], ids: &[String]) -> bool {
    let (mut bench, mut exact, mut filter) = (false, false, None);
    let mut args = args.iter().skip(1);
    while let Some(arg) = args.next() {
        let name = arg.split('=').next().unwrap_or(arg);
        match arg.as_str() {
            "--bench" => bench = true,
            "--exact" => exact = true,
            _ if NOT_TIMING.contains(&name) => return false,
            _ if WITH_VALUE.contains(&name) => {
                if !arg.contains('=') {
                    args.next();
                }
            }
            _ if arg.starts_with('-') => {}
            _ => filter = filter.or(Some(arg.as_str())),
        }
    }
    bench
        && match filter {
            None => true,
            Some(f) if exact => ids.iter().any(|id| id == f),
            Some(f) => ids.iter().any(|id| id.contains(f)),
        }
}

/// Times `reference` and then each variant once per round (one measurement: as many calls
/// as make the reference last [`SPAN`]), [`ROUNDS`] rounds, and prints for each variant the
/// median of its per-round ratios to the reference (with the lowest and highest of them) and
/// the ratio of the two shortest times.
///
/// Does nothing unless criterion times one of the group's benchmarks (named
/// `group/hand_written` and `group/<variant>`) in this run.
#[allow(dead_code)] // a benchmark whose reference is not hand-written uses `compare_to`
pub fn compare(
    group: &str,
    reference: &mut dyn FnMut(),
    variants: &mut [(&str, &mut dyn FnMut())],
) {
    compare_to(group, "hand_written", reference, variants);
}

/// [`compare`] against a reference named `reference_name` (the benchmark
/// `group/<reference_name>`) rather than `hand_written`.
pub fn compare_to(
    group: &str,
    reference_name: &str,
    reference: &mut dyn FnMut(),
    variants: &mut [(&str, &mut dyn FnMut())],
) {
    let names = std::iter::once(reference_name).chain(variants.iter().map(|(name, _)| *name));
    let ids: Vec<String> = names.map(|name| format!("{group}/{name}")).collect();
    if !selects(&std::env::args().collect::<Vec<_>>(), &ids) {
        return;
    }
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
    let label = reference_name.replace('_', "-");
    println!(
        "{group}: paired timings, {ROUNDS} rounds of {calls} call(s) each; {label} {}",
        format_seconds(shortest(&references))
    );
    for ((name, _), times) in variants.iter().zip(&times) {
        let mut ratios: Vec<f64> = times.iter().zip(&references).map(|(t, r)| t / r).collect();
        ratios.sort_by(f64::total_cmp);
        println!(
            "  {name}: {:.2}x {label} (median of rounds; {:.2}-{:.2}), shortest {} = {:.2}x",
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
