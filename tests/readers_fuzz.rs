//! The fuzz targets' property (fuzz/fuzz_targets/), run on stable Rust by `cargo test`:
//! arbitrary and CSV-like bytes into the lecture's and the playground's readers give rows,
//! or an error naming the file and a line that exists; never a panic.

use std::io::Write;

use proptest::prelude::*;

/// Bytes that are mostly the characters a CSV file is made of, with any byte mixed in.
fn csv_like() -> impl Strategy<Value = Vec<u8>> {
    let alphabet = b"0123456789,,,..--+eE\n\n\r\"\" nainfxy_label\t;\x00\xff".to_vec();
    let byte = prop_oneof![4 => proptest::sample::select(alphabet), 1 => any::<u8>()];
    proptest::collection::vec(byte, 0..300)
}

fn lines(bytes: &[u8]) -> usize {
    bytes.split(|&b| b == b'\n').count()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

    #[test]
    fn the_lecture_reader_gives_samples_or_an_error_on_a_real_line(bytes in csv_like()) {
        for item in lecture::data::parse(&bytes[..], "fuzz.csv") {
            match item {
                Ok(s) => prop_assert!(s.s0.is_finite() && s.out.is_finite()),
                Err(e) => {
                    prop_assert!(e.to_string().starts_with("fuzz.csv: "), "{}", e);
                    if let Some(line) = e.line {
                        prop_assert!((1..=lines(&bytes)).contains(&line));
                    }
                    break;
                }
            }
        }
    }
}

proptest! {
    // one file per case: fewer cases, the same property
    #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

    #[test]
    fn the_playground_reader_gives_a_dataset_or_an_error_naming_the_file(bytes in csv_like()) {
        let mut file = tempfile::NamedTempFile::new().unwrap();
        file.write_all(&bytes).unwrap();
        match nn::datasets::read_csv(file.path(), None) {
            Ok(data) => prop_assert_eq!(data.points.nrows(), data.labels.len()),
            Err(nn::Error::Data(e)) => {
                let shown = file.path().display().to_string();
                prop_assert!(e.to_string().starts_with(&shown), "{}", e);
                if let Some(line) = e.line {
                    prop_assert!((1..=lines(&bytes)).contains(&line));
                }
            }
            Err(e) => prop_assert!(false, "not a data error: {}", e),
        }
    }
}
