//! A data file much larger than the reader's buffers streams through in bounded memory.
//! (Alone in its test binary, so that the process's peak memory is this test's.)

use lecture::data::{open, write_file, Generator, Sample};
use lecture::Net;

/// Peak resident memory of this process in KiB (`VmHWM`), where Linux reports it.
fn peak_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[test]
fn a_million_rows_write_and_stream_back_in_bounded_memory() {
    let path = std::env::temp_dir().join(format!("lecture-stream-{}.csv", std::process::id()));
    let before = peak_kib();
    let rows = Generator::new(Net::Lecture, &[-0.2, 2.8, 10.0], (-10.0, 10.0), 9)
        .unwrap()
        .take(1_000_000);
    assert_eq!(write_file(&path, rows).unwrap(), 1_000_000);
    let size = std::fs::metadata(&path).unwrap().len();
    assert!(size > 30_000_000, "file is {size} bytes");
    let (mut n, mut sum) = (0usize, 0.0);
    for sample in open(&path).unwrap() {
        let Sample { s0, .. } = sample.unwrap();
        n += 1;
        sum += s0;
    }
    std::fs::remove_file(&path).unwrap();
    assert_eq!(n, 1_000_000);
    assert!((sum / n as f64).abs() < 0.1); // mean of U(-10, 10) ≈ 0
    if let (Some(before), Some(after)) = (before, peak_kib()) {
        // the file is > 30 MB; streaming it must not hold it: peak grows < 16 MiB
        assert!(
            after - before < 16 * 1024,
            "peak grew by {} KiB",
            after - before
        );
    }
}
