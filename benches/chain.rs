//! Long chains: record + backward per node as the chain grows (`chain`), and the
//! `chain_sin` recurrence y ← sin(y)/2 + y/2 against the chain rule coded by hand. Each is
//! timed into a new graph per run (fresh memory: page faults included) and into one graph
//! cleared per run ([`Graph::clear`]: the memory of the run before).
//!
//! Before timing, prints the memory recorded per node (from buffer sizes and resident
//! memory), and before `chain_sin` its paired timings: the hand-written reference and each
//! variant timed back to back, round after round (see `common/paired.rs`).
//!
//! Run: `cargo bench --bench chain -- --warm-up-time 1 --measurement-time 3`

// criterion's `criterion_group!` makes an undocumented function.
#![allow(missing_docs)]

#[path = "common/paired.rs"]
mod paired;
#[path = "common/sin_chain.rs"]
mod sin_chain;

use std::hint::black_box;

use autodiff::{Graph, Var};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use sin_chain::{sin_chain, sin_tape, SIN_STEPS};

/// A chain of `n` nodes: x, then y ← 0.999999 y, n − 1 times.
fn chain(g: &Graph, n: usize) -> (Var<'_>, Var<'_>) {
    let x = g.var(1.0);
    let mut y = x;
    for _ in 1..n {
        y *= 0.999_999;
    }
    (x, y)
}

/// dy/dx by hand: dy_{k+1}/dy_k = cos(y_k)/2 + 1/2, multiplied along the chain.
fn hand_sin() -> (f64, f64) {
    let (mut y, mut d) = (1.0_f64, 1.0_f64);
    for _ in 0..SIN_STEPS {
        d *= y.cos() * 0.5 + 0.5;
        y = y.sin() * 0.5 + y * 0.5;
    }
    (y, d)
}

/// Record + backward into a new graph (fresh memory: the page faults are part of the cost).
fn eager_sin() -> (f64, f64) {
    let g = Graph::new();
    let (x, y) = sin_chain(&g);
    (y.value(), y.backward().wrt(x))
}

/// Record + backward into `g`, cleared first (its buffers, and the sweep's, reused).
fn eager_sin_cleared(g: &mut Graph) -> (f64, f64) {
    g.clear();
    let (x, y) = sin_chain(g);
    let dy_dx = y.backward().wrt(x);
    (y.value(), dy_dx)
}

/// Resident memory of this process in bytes (Linux: `/proc/self/statm`, 4 KiB pages).
fn resident_bytes() -> Option<usize> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: usize = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
}

/// Bytes per node of a recorded chain of `n` nodes: from the graph's buffers (capacity ×
/// element size, what the allocator holds) and from the growth of resident memory.
fn memory_per_node(n: usize) {
    let before = resident_bytes();
    let g = Graph::with_capacity(n, n);
    let (x, y) = chain(&g, n);
    let after = resident_bytes();
    let grads = y.backward();
    black_box(grads.wrt(x));
    let buffers = g.heap_bytes();
    let sweep = std::mem::size_of_val(grads.adjoints());
    let per = |bytes: usize| bytes as f64 / n as f64;
    println!(
        "memory per recorded node ({n}-node chain, one edge per node): {:.1} bytes in the \
         graph's buffers, {:.1} more during the reverse sweep (adjoints)",
        per(buffers),
        per(sweep)
    );
    if let (Some(before), Some(after)) = (before, after) {
        println!(
            "resident memory grew by {:.1} bytes per node while recording",
            per(after.saturating_sub(before))
        );
    }
}

fn chains(c: &mut Criterion) {
    memory_per_node(1_000_000);
    let mut group = c.benchmark_group("chain");
    for exp in 3..=7 {
        let n = 10_usize.pow(exp);
        group.throughput(Throughput::Elements(n as u64));
        if n >= 1_000_000 {
            group.sample_size(10);
        }
        group.bench_with_input(BenchmarkId::new("record_backward", n), &n, |b, &n| {
            b.iter(|| {
                let g = Graph::new();
                let (x, y) = chain(&g, n);
                y.backward().wrt(x)
            })
        });
        // the same into one graph, cleared each time: no fresh memory at any size
        let mut g = Graph::new();
        group.bench_with_input(
            BenchmarkId::new("record_backward_cleared", n),
            &n,
            |b, &n| {
                b.iter(|| {
                    g.clear();
                    let (x, y) = chain(&g, n);
                    let dy_dx = y.backward().wrt(x);
                    dy_dx
                })
            },
        );
    }
    group.finish();
}

fn chain_sin(c: &mut Criterion) {
    let tape = sin_tape();
    let mut ws = tape.workspace();
    let (hand, eager) = (hand_sin(), eager_sin());
    let mut reused = Graph::new();
    assert_eq!(eager_sin_cleared(&mut reused), eager);
    let (v, grad) = tape.gradient(&mut ws, &[1.0]).expect("one input");
    assert_eq!((v, grad[0]), eager, "replay equals eager bit for bit");
    assert!(
        (hand.1 - eager.1).abs() <= 1e-9 * eager.1.abs(),
        "{hand:?} vs {eager:?}"
    );

    // each timed once per call, by the paired rounds and by criterion alike
    let mut hand = || {
        black_box(hand_sin());
    };
    let mut eager_cleared = || {
        black_box(eager_sin_cleared(&mut reused));
    };
    let mut eager = || {
        black_box(eager_sin());
    };
    let mut replay = || {
        let (v, grad) = tape
            .gradient(&mut ws, black_box(&[1.0]))
            .expect("one input");
        black_box((v, grad[0]));
    };
    paired::compare(
        "chain_sin",
        &mut hand,
        &mut [
            ("eager_cleared", &mut eager_cleared),
            ("eager", &mut eager),
            ("tape", &mut replay),
        ],
    );

    let mut group = c.benchmark_group("chain_sin");
    group.sample_size(10);
    group.bench_function("hand_written", |b| b.iter(&mut hand));
    group.bench_function("eager_cleared", |b| b.iter(&mut eager_cleared));
    group.bench_function("tape", |b| b.iter(&mut replay));
    // last: each call maps and frees about 144 MB, and the variant timed right after it
    // ran slower in three of four tries (criterion filtered to one variant or both)
    group.bench_function("eager", |b| b.iter(&mut eager));
    group.finish();
}

criterion_group!(benches, chains, chain_sin);
criterion_main!(benches);
