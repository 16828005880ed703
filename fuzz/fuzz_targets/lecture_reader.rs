//! Arbitrary bytes into the lecture's data reader (`in_true,out_true` files): samples, or
//! an error naming the file and a line that exists; never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let lines = bytes.split(|&b| b == b'\n').count();
    for item in lecture::data::parse(bytes, "fuzz.csv") {
        match item {
            Ok(sample) => assert!(sample.s0.is_finite() && sample.out.is_finite()),
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
