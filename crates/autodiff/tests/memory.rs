//! Memory of a deep graph: a 10⁶-node chain stays well under 256 MiB of peak resident
//! memory, and dropping the graph gives the memory back. This file holds a single test so
//! that its binary runs nothing else at the same time (the peak is process-wide). Linux
//! only: elsewhere `/proc/self/status` does not exist and the test returns early.

use autodiff::Graph;

/// A `kB` field (`VmHWM`, `VmRSS`) of `/proc/self/status`, in bytes.
fn status_bytes(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

#[test]
fn chain_of_one_million_nodes_peaks_under_256_mib_and_is_freed_on_drop() {
    let (Some(peak_before), Some(rss_before)) = (status_bytes("VmHWM:"), status_bytes("VmRSS:"))
    else {
        eprintln!("no /proc/self/status: memory not measured on this platform");
        return;
    };
    let n = 1_000_000;
    let grad = {
        let g = Graph::new();
        let x = g.var(1.0);
        let mut y = x;
        for _ in 0..n {
            y *= 0.999_999;
        }
        let grad = y.backward().wrt(x);
        assert_eq!(g.len(), n + 1);
        grad
    }; // the graph is dropped here
    assert!((grad - 0.367_879_257_221_066_46).abs() < 1e-9);
    let peak = status_bytes("VmHWM:").expect("read before");
    let rss_after = status_bytes("VmRSS:").expect("read before");
    let mib = |b: u64| b as f64 / (1024.0 * 1024.0);
    let growth = peak.saturating_sub(peak_before);
    eprintln!(
        "peak growth {:.1} MiB, RSS before {:.1} MiB, after drop {:.1} MiB",
        mib(growth),
        mib(rss_before),
        mib(rss_after)
    );
    assert!(growth < 256 << 20, "peak grew by {:.1} MiB", mib(growth));
    assert!(
        rss_after < rss_before + (32 << 20),
        "RSS after drop {:.1} MiB vs {:.1} MiB before",
        mib(rss_after),
        mib(rss_before)
    );
}
