//! Arbitrary bytes, as a file, into the playground's CSV reader: a dataset, or an error
//! naming the file (and a line that exists); never a panic.
#![no_main]

use std::io::Write;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let lines = bytes.split(|&b| b == b'\n').count();
    let mut file = tempfile::NamedTempFile::new().expect("temporary file");
    file.write_all(bytes).expect("write the input");
    match nn::datasets::read_csv(file.path(), None) {
        Ok(data) => assert_eq!(data.points.nrows(), data.labels.len()),
        Err(nn::Error::Data(e)) => {
            assert!(e.to_string().starts_with(&e.path), "{e}");
            if let Some(line) = e.line {
                assert!((1..=lines).contains(&line), "line {line} of {lines}");
            }
        }
        Err(e) => panic!("not a data error: {e}"),
    }
});
