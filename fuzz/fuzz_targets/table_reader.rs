//! Arbitrary bytes into the workspace's CSV reader: rows, or an error naming the file and a
//! line that exists; never a panic, never more memory than the line cap allows.
#![no_main]

use libfuzzer_sys::fuzz_target;
use table::{Layout, Reader};

fuzz_target!(|bytes: &[u8]| {
    let lines = bytes.split(|&b| b == b'\n').count();
    let mut reader = Reader::new(bytes, "fuzz.csv", Layout::named(&["x", "y"]));
    loop {
        match reader.next_row() {
            Ok(Some(row)) => assert_eq!(row.len(), 2),
            Ok(None) => break,
            Err(e) => {
                assert!(e.to_string().starts_with("fuzz.csv: "), "{e}");
                if let Some(line) = e.line {
                    assert!((1..=lines).contains(&line), "line {line} of {lines}");
                }
                break;
            }
        }
    }
});
