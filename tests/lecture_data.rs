//! The CSV loader on arbitrary input: never a panic, every error names the file and a line
//! that exists; written data reads back bit for bit.

use lecture::data::{parse, read_file, write_file, Sample};
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_give_samples_or_an_error_with_a_real_line(
        bytes in proptest::collection::vec(any::<u8>(), 0..200)
    ) {
        let lines = bytes.split(|&b| b == b'\n').count();
        let result: Result<Vec<Sample>, _> = parse(&bytes[..], "fuzz.csv").collect();
        match result {
            Ok(rows) => prop_assert!(!rows.is_empty() && rows.len() <= lines),
            Err(e) => {
                prop_assert_eq!(&e.path, "fuzz.csv");
                prop_assert!(e.to_string().starts_with("fuzz.csv: "));
                if let Some(line) = e.line {
                    prop_assert!((1..=lines).contains(&line), "line {} of {}", line, lines);
                }
            }
        }
    }

    #[test]
    fn csv_like_text_gives_samples_or_an_error_with_a_real_line(
        text in "([-0-9.eE,;\" \tNnIiAaFf]{0,12}\r?\n){0,8}"
    ) {
        let lines = text.split('\n').count();
        if let Err(e) = parse(text.as_bytes(), "fuzz.csv").collect::<Result<Vec<_>, _>>() {
            if let Some(line) = e.line {
                prop_assert!((1..=lines).contains(&line));
            }
        }
    }

    #[test]
    fn written_samples_read_back_bit_for_bit(
        rows in proptest::collection::vec((-1e300..1e300f64, -1e-300..1e-300f64), 1..50)
    ) {
        let samples: Vec<Sample> = rows.iter().map(|&(s0, out)| Sample { s0, out }).collect();
        let path = std::env::temp_dir().join(format!("lecture-prop-{}.csv", std::process::id()));
        write_file(&path, samples.clone()).unwrap();
        let back = read_file(&path).unwrap();
        std::fs::remove_file(&path).unwrap();
        prop_assert_eq!(back, samples);
    }
}
