//! A chain of ten million nodes, y₀ = x, y_{k+1} = 0.999999·y_k: records it, differentiates
//! it (dy/dx = 0.999999^10⁷ ≈ 4.5397e-5), and reports the time of each phase, the node and
//! edge counts, and the peak resident memory (`VmHWM`, Linux) per node.
//!
//! ```text
//! cargo run --release --example chain_10m
//! ```

use std::time::Instant;

use autodiff::Graph;

/// A `kB` field of `/proc/self/status` in bytes (`None` where there is no procfs).
fn status_bytes(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

fn main() {
    const N: usize = 10_000_000;
    const MIB: f64 = 1024.0 * 1024.0;
    let rss_start = status_bytes("VmRSS:");

    let start = Instant::now();
    let g = Graph::new();
    let x = g.var(1.0);
    let mut y = x;
    for _ in 0..N {
        y *= 0.999_999;
    }
    let record = start.elapsed();

    let start = Instant::now();
    let grads = y.backward();
    let backward = start.elapsed();
    let grad = grads.wrt(x);

    let (nodes, edges) = (g.len(), g.edge_count());
    let expected = 0.999_999_f64.powi(N as i32);
    println!("chain of {N} ops: {nodes} nodes, {edges} edges");
    println!(
        "graph buffers: {:.1} B per node allocated (grown by doubling); used: 29 B \
         (value 8 + op code 1 + the number 0.999999 8, edge source 4 + partial 8)",
        g.heap_bytes() as f64 / nodes as f64
    );
    println!("record   {:>8.1} ms", record.as_secs_f64() * 1e3);
    println!("backward {:>8.1} ms", backward.as_secs_f64() * 1e3);
    println!("dy/dx = {grad:.17e} (0.999999^1e7 = {expected:.17e})");
    assert!(
        (grad - expected).abs() <= 1e-8 * expected,
        "dy/dx off by {:e} relative",
        (grad - expected).abs() / expected
    );
    match (status_bytes("VmHWM:"), rss_start) {
        (Some(peak), Some(start)) => {
            let grown = peak.saturating_sub(start) as f64;
            println!(
                "peak RSS {:.1} MiB ({:.1} MiB above the start): {:.1} bytes per node \
                 (graph and one adjoint per node)",
                peak as f64 / MIB,
                grown / MIB,
                grown / nodes as f64
            );
        }
        _ => println!("peak RSS: not available on this platform (no /proc/self/status)"),
    }
    drop(grads);
    drop(g);
    if let Some(rss) = status_bytes("VmRSS:") {
        println!("RSS after drop {:.1} MiB", rss as f64 / MIB);
    }
}
