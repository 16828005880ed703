//! The binary under hostile input: overflowing numbers, huge sizes, plots of huge values,
//! planted symlinks, interrupted and failed writes, malformed files. Every case ends with
//! exit code 2 and one `error:` line naming the option or file (or the documented result),
//! no panic, and nothing half-written left behind.

use std::fs;
use std::path::Path;
use std::process::Command;

mod common;
use common::{assert_input_error as assert_error, backprop, path_str as s, scratch};

/// The names in `dir`, sorted (hidden temporaries included).
fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = match fs::read_dir(dir) {
        Ok(entries) => entries
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect(),
        Err(_) => Vec::new(),
    };
    names.sort();
    names
}

#[test]
fn playground_stops_at_the_first_non_finite_number_and_writes_nothing() {
    let dir = scratch("nan");
    let plots = dir.join("plots");
    let run = |extra: &[&str]| {
        let mut args = vec!["playground", "--quiet", "--json", "--plots", s(&plots)];
        args.extend(extra);
        backprop(&args)
    };
    let o = run(&[
        "--dataset",
        "plane",
        "--optimizer",
        "sgd",
        "--lr",
        "100",
        "--epochs",
        "5",
    ]);
    assert_error(
        &o,
        &[
            "training diverged in epoch",
            "is NaN",
            "try a smaller --lr (now 100)",
        ],
    );
    let o = run(&[
        "--dataset",
        "plane",
        "--regularization",
        "l2",
        "--reg-rate",
        "1e308",
    ]);
    assert_error(
        &o,
        &[
            "training diverged in epoch 1",
            "try a smaller --reg-rate (now 1e308)",
        ],
    );
    let data = dir.join("big.csv");
    fs::write(&data, "x,y,label\n1,2,1e308\n2,3,1\n3,1,0\n4,4,1\n").unwrap();
    let o = run(&["--data", s(&data), "--epochs", "5"]);
    assert_error(
        &o,
        &[
            "invalid --data:",
            "big.csv as large as 1e308",
            "scale the data down",
        ],
    );
    assert!(!plots.exists());
    fs::remove_dir_all(dir).unwrap();
}

#[test]
fn check_and_train_name_what_overflowed() {
    // the forward pass overflows first: the node is named
    for command in ["check", "explain", "trace"] {
        let o = backprop(&[command, "--weights", "1e308,1e308,1e308"]);
        assert_error(&o, &["--weights", "overflows at this point", "named 'x1'"]);
    }
    let dir = scratch("overflow");
    let data = dir.join("t.csv");
    fs::write(&data, "in_true,out_true\n1,100\n2,50\n").unwrap();
    for schedule in ["--engine=tape", "--engine=eager", "--full-batch"] {
        let o = backprop(&[
            "train",
            "--quiet",
            "--data",
            s(&data),
            "--alpha",
            "1e308",
            schedule,
        ]);
        assert_error(
            &o,
            &[
                "diverged at step 1 (epoch 1): the update of w0 overflowed",
                "try a smaller --lr",
            ],
        );
    }
    fs::remove_dir_all(dir).unwrap();
}

#[test]
fn huge_values_are_refused_before_plotting_instead_of_hanging() {
    let dir = scratch("plot-huge");
    let data = dir.join("d.csv");
    let o = backprop(&[
        "generate",
        "--weights",
        "2,1,0.5",
        "--n",
        "20",
        "--out",
        s(&data),
    ]);
    assert!(o.status.success());
    let plots = dir.join("p");
    let o = backprop(&[
        "train",
        "--quiet",
        "--data",
        s(&data),
        "--init",
        "1.7e308,1,1",
        "--plots",
        s(&plots),
    ]);
    assert_error(
        &o,
        &[
            "cannot plot (--plots): w0 reaches 1.7e308",
            "no plot written",
        ],
    );
    assert!(listing(&plots).is_empty());
    let points = dir.join("x.csv");
    fs::write(&points, "x,y,label\n1,1.7e308,1\n2,3,1\n3,1,0\n4,4,1\n").unwrap();
    let o = backprop(&[
        "playground",
        "--quiet",
        "--json",
        "--data",
        s(&points),
        "--epochs",
        "2",
        "--plots",
        s(&plots),
    ]);
    assert_error(
        &o,
        &["cannot plot (--plots): a point's coordinate reaches 1.7e308"],
    );
    assert!(listing(&plots).is_empty());
    fs::remove_dir_all(dir).unwrap();
}

#[test]
fn sizes_are_bounded_before_allocating() {
    let cases: [(&[&str], &[&str]); 7] = [
        (
            &["--samples", "9223372036854775807"],
            &["invalid --samples: at most 1000000"],
        ),
        (
            &["--samples", "1000000000000"],
            &["invalid --samples: at most 1000000"],
        ),
        (
            &["--layers", "9223372036854775807"],
            &["invalid --layers:", "GB to train"],
        ),
        (
            &["--layers", "4294967296"],
            &["invalid --layers:", "GB to train"],
        ),
        (
            &["--layers", "3000,3000"],
            &["invalid --layers: 9015001 parameters would need about 6.3 GB"],
        ),
        (
            &["--lr-end", "0.001", "--epochs", "9223372036854775807"],
            &["invalid --epochs:"],
        ),
        (
            &["--noise", "5"],
            &["invalid --noise: must be from 0 to 0.5, got 5"],
        ),
    ];
    for (args, needles) in cases {
        let mut all = vec!["playground", "--quiet"];
        all.extend(args);
        assert_error(&backprop(&all), needles);
    }
    let dir = scratch("sizes");
    let data = dir.join("d.csv");
    let o = backprop(&[
        "generate",
        "--weights",
        "1,1,1",
        "--n",
        "5",
        "--range",
        "-1e308,1e308",
        "--out",
        s(&data),
    ]);
    assert_error(&o, &["--range", "too wide"]);
    assert!(listing(&dir).is_empty());
    let o = backprop(&[
        "generate",
        "--weights",
        "2,1,0.5",
        "--n",
        "5",
        "--out",
        s(&data),
    ]);
    assert!(o.status.success());
    let o = backprop(&[
        "train",
        "--quiet",
        "--data",
        s(&data),
        "--epochs",
        "9223372036854775807",
    ]);
    assert_error(&o, &["invalid --epochs:", "too many steps"]);
    fs::remove_dir_all(dir).unwrap();
}

#[test]
fn negative_seeds_are_named_as_such() {
    for args in [
        &["playground", "--seed", "-1"][..],
        &[
            "generate",
            "--weights",
            "1,1,1",
            "--n",
            "1",
            "--out",
            "x.csv",
            "--seed",
            "-1",
        ],
        &["train", "--data", "x.csv", "--shuffle", "-1"],
    ] {
        assert_error(&backprop(args), &["must be ≥ 0"]);
    }
}

#[cfg(unix)]
#[test]
fn outputs_replace_a_planted_symlink_and_keep_the_target_permissions() {
    use std::os::unix::fs::{symlink, PermissionsExt};
    let dir = scratch("symlink");
    let victim = dir.join("victim");
    fs::write(&victim, "precious").unwrap();
    let out = dir.join("g.csv");
    symlink(&victim, &out).unwrap();
    let o = backprop(&[
        "generate",
        "--weights",
        "1,1,1",
        "--n",
        "3",
        "--out",
        s(&out),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(fs::read_to_string(&victim).unwrap(), "precious");
    assert!(!fs::symlink_metadata(&out).unwrap().file_type().is_symlink());
    fs::set_permissions(&out, fs::Permissions::from_mode(0o640)).unwrap();
    let o = backprop(&[
        "generate",
        "--weights",
        "1,1,1",
        "--n",
        "4",
        "--out",
        s(&out),
    ]);
    assert!(o.status.success());
    assert_eq!(
        fs::metadata(&out).unwrap().permissions().mode() & 0o777,
        0o640
    );
    assert_eq!(listing(&dir), ["g.csv", "victim"]);
    fs::remove_dir_all(dir).unwrap();
}

#[cfg(unix)]
#[test]
fn sigterm_during_generate_leaves_no_temporary_file() {
    use std::time::{Duration, Instant};
    let dir = scratch("sigterm");
    let out = dir.join("big.csv");
    let mut child = Command::new(env!("CARGO_BIN_EXE_backprop"))
        .args([
            "generate",
            "--weights",
            "1,1,1",
            "--n",
            "50000000",
            "--out",
            s(&out),
        ])
        .spawn()
        .unwrap();
    let start = Instant::now();
    while listing(&dir).is_empty() {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "no temporary file appeared"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    std::thread::sleep(Duration::from_millis(200)); // let it write a few megabytes
    let kill = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130), "{status:?}");
    assert_eq!(listing(&dir), Vec::<String>::new());
    fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_failed_plot_leaves_none_of_the_command_s_plots() {
    let dir = scratch("all-or-nothing");
    let data = dir.join("d.csv");
    let o = backprop(&[
        "generate",
        "--weights",
        "2,1,0.5",
        "--n",
        "20",
        "--out",
        s(&data),
    ]);
    assert!(o.status.success());
    let plots = dir.join("plots");
    // the last of the four files cannot be written: the three before it must not appear
    fs::create_dir_all(plots.join("surface.svg")).unwrap();
    let o = backprop(&["train", "--quiet", "--data", s(&data), "--plots", s(&plots)]);
    assert_error(&o, &["surface.svg", "not a regular file"]);
    assert_eq!(listing(&plots), ["surface.svg"]);
    fs::remove_dir_all(dir).unwrap();
}

#[test]
fn generate_to_a_full_device_is_one_error_line() {
    let o = backprop(&[
        "generate",
        "--weights",
        "1,1,1",
        "--n",
        "5",
        "--out",
        "/dev/full",
    ]);
    assert_error(&o, &["/dev/full: cannot write"]);
}

/// Malformed files, each broken in one way, for a reader expecting `columns` numbers a row.
fn corpus(columns: usize) -> Vec<(&'static str, Vec<u8>)> {
    let row = |v: &str| vec![v; columns].join(",");
    let good = row("1");
    let mut files: Vec<(&'static str, Vec<u8>)> = vec![
        ("empty.csv", Vec::new()),
        ("header-only.csv", format!("{}\n", row("a")).into_bytes()),
        ("ragged.csv", format!("{good}\n{good}\n1\n").into_bytes()),
        (
            "too-wide.csv",
            format!("{good}\n{good},1,1,1\n").into_bytes(),
        ),
        (
            "letters.csv",
            format!("{good}\n{}\n", row("abc")).into_bytes(),
        ),
        ("nan.csv", format!("{good}\n{}\n", row("NaN")).into_bytes()),
        ("inf.csv", format!("{good}\n{}\n", row("inf")).into_bytes()),
        (
            "overflow.csv",
            format!("{good}\n{}\n", row("1e999")).into_bytes(),
        ),
        (
            "empty-field.csv",
            format!("{good}\n{}\n", row("")).into_bytes(),
        ),
        (
            "semicolons.csv",
            format!("{}\n", vec!["1"; columns].join(";")).into_bytes(),
        ),
        (
            "escape.csv",
            format!("{good}\n{}\n", row("\x1b[31m")).into_bytes(),
        ),
        (
            "nul.csv",
            format!("{good}\n{}\n", row("1\x00")).into_bytes(),
        ),
        (
            "unterminated-quote.csv",
            format!("{good}\n\"1,{good}\n").into_bytes(),
        ),
        (
            "blank-then-bad.csv",
            format!("{good}\n\n\n{}\n", row("x")).into_bytes(),
        ),
        (
            "crlf-bad.csv",
            format!("{good}\r\n{}\r\n", row("-")).into_bytes(),
        ),
    ];
    let mut utf8 = format!("{good}\n").into_bytes();
    utf8.extend([0xff, 0xfe, b',', b'1', b'\n']);
    files.push(("invalid-utf8.csv", utf8));
    files.push(("long-line.csv", vec![b'1'; 2 << 20]));
    files
}

#[test]
fn a_corpus_of_malformed_files_gives_one_line_naming_the_file_and_writes_nothing() {
    let dir = scratch("corpus");
    let plots = dir.join("plots");
    for (command, columns) in [("train", 2), ("playground", 3)] {
        for (name, bytes) in corpus(columns) {
            let path = dir.join(name);
            fs::write(&path, &bytes).unwrap();
            let o = backprop(&[command, "--quiet", "--data", s(&path), "--plots", s(&plots)]);
            assert_error(&o, &[s(&path)]);
            fs::remove_file(&path).unwrap();
            assert!(
                listing(&dir).is_empty(),
                "{command} {name}: {:?}",
                listing(&dir)
            );
        }
    }
    fs::remove_dir_all(dir).unwrap();
}

#[test]
fn the_playground_reader_keeps_lines_headers_and_bad_fields_straight() {
    let dir = scratch("reader");
    let run = |name: &str, text: &[u8]| {
        let path = dir.join(name);
        fs::write(&path, text).unwrap();
        (
            backprop(&["playground", "--quiet", "--data", s(&path)]),
            path,
        )
    };
    // a 2-field row on line 6, after blank lines (was reported as line 4)
    let (o, path) = run("blank.csv", b"x,y,label\n1,2,1\n\n2,3,0\n\n5,6\n");
    assert_error(
        &o,
        &[&format!("{}: line 6: expected 3 fields, found 2", s(&path))],
    );
    // a numeric first row with one bad field is data, not a header
    for (row, needle) in [
        (
            "0.5,2,1e999",
            "line 1, column 3 (label): '1e999' is out of range",
        ),
        (
            "1,2,nan",
            "line 1, column 3 (label): 'nan' is not a finite number",
        ),
        (
            "1,2,abc",
            "a first row with a number in it is data, not a header",
        ),
    ] {
        let (o, _) = run(
            "first.csv",
            format!("{row}\n1,2,1\n2,3,0\n3,3,1\n").as_bytes(),
        );
        assert_error(&o, &[needle]);
    }
    // escapes are quoted, and a huge bad field is cut short
    let (o, _) = run("esc.csv", b"x,y,label\n1,2,\x1b[31mred\r\n");
    assert_error(&o, &["invalid number '\\u{1b}[31mred'"]);
    assert!(!o.stderr.contains(&0x1b));
    let mut long = b"x,y,label\n1,2,".to_vec();
    long.extend(vec![b'a'; 1 << 19]);
    let (o, _) = run("long.csv", &long);
    assert_error(&o, &["invalid number 'aaaa"]);
    assert!(o.stderr.len() < 300, "{} bytes", o.stderr.len());
    fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_plot_folder_that_is_a_file_is_refused_before_any_work() {
    let dir = scratch("plot-file");
    let file = dir.join("taken");
    fs::write(&file, "keep me").unwrap();
    let data = dir.join("d.csv");
    fs::write(&data, "in_true,out_true\n1,2\n2,3\n").unwrap();
    for args in [
        vec![
            "playground",
            "--dataset",
            "xor",
            "--epochs",
            "1",
            "--quiet",
            "--plots",
            s(&file),
        ],
        vec!["train", "--data", s(&data), "--quiet", "--plots", s(&file)],
        vec!["--plots", s(&file)],
    ] {
        let o = backprop(&args);
        assert_error(&o, &["invalid --plots", "is not a folder"]);
        assert!(o.stdout.is_empty(), "{args:?} printed before refusing");
    }
    assert_eq!(fs::read_to_string(&file).unwrap(), "keep me");
    fs::remove_dir_all(dir).unwrap();
}
