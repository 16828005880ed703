//! `backprop report`: the lecture as one self-contained HTML page (inline CSS, SVG and a
//! small script; nothing loaded from anywhere): the net, the forward table, a step-through
//! of the backward sweep, `explain` per weight, the gradient three ways, training with its
//! cost surface, and the Hessian.

mod model;

use std::fs;
use std::path::{Path, PathBuf};

use clap::Args as ClapArgs;
use lecture::data::{read_file, Generator};
use lecture::Net;
use serde_json::Value;

use super::story::{HIDDEN_WEIGHTS, RANGE, ROWS, SEED};
use super::{output, print, Error};
use model::Data;

const PAGE: &str = include_str!("report/page.html");
const STYLE: &str = include_str!("report/lesson.css");
const SCRIPT: &str = include_str!("report/lesson.js");

/// Options of `backprop report`.
#[derive(ClapArgs, Debug)]
pub struct Args {
    /// The HTML file to write.
    #[arg(long, default_value = "lesson.html")]
    out: PathBuf,
    /// Train on this CSV file of (in_true, out_true) rows instead of the built-in data.
    #[arg(long)]
    data: Option<PathBuf>,
    /// No progress bar.
    #[arg(long)]
    quiet: bool,
}

/// Runs `backprop report`.
///
/// # Errors
/// [`Error::Output`] if `--out` is a folder or cannot be written; a data error naming
/// file, line and column for `--data`; a training error if the run diverges.
pub fn run(args: &Args) -> Result<(), Error> {
    let target = Target::check(&args.out)?;
    let data = match &args.data {
        Some(path) => {
            let rows = read_file(path)?;
            Data {
                source: format!("{} ({} rows)", path.display(), rows.len()),
                rows,
                truth: None,
            }
        }
        None => Data {
            rows: Generator::new(Net::Lecture, &HIDDEN_WEIGHTS, RANGE, SEED)?
                .take(ROWS)
                .collect(),
            source: format!(
                "built-in: {ROWS} rows from hidden weights ({}, {}, {}), s0 uniform in [{}, {}], \
                 seed {SEED}",
                HIDDEN_WEIGHTS[0], HIDDEN_WEIGHTS[1], HIDDEN_WEIGHTS[2], RANGE.0, RANGE.1
            ),
            truth: Some(HIDDEN_WEIGHTS.to_vec()),
        },
    };
    let lesson = model::lesson(&data, args.quiet).map_err(|e| match (e, &args.data) {
        (Error::Lecture(e @ lecture::Error::Diverged { .. }), Some(path)) => {
            Error::Option(format!("--data {}: {e}", path.display()))
        }
        (e, _) => e,
    })?;
    target.write(&page(&lesson))?;
    print(&format!("wrote {}\n", args.out.display()))
}

/// The page: the template with the style, the script and the lesson's JSON inlined.
fn page(lesson: &Value) -> String {
    // JSON inside <script> must not contain "</script>": every < > & is written as an
    // escape, which JSON allows only in strings, where they are all found
    let data = lesson
        .to_string()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026");
    PAGE.replace("/*STYLE*/", STYLE)
        .replace("/*SCRIPT*/", SCRIPT)
        .replace("{/*DATA*/}", &data)
}

/// Where the page goes: checked before any work, written all at once.
struct Target<'a> {
    path: &'a Path,
}

impl<'a> Target<'a> {
    /// Refuses a folder (or anything but a regular file) at `path`, and a missing folder.
    fn check(path: &'a Path) -> Result<Self, Error> {
        let refuse = |why: &str| Err(Error::Output(format!("--out {}: {why}", path.display())));
        if let Ok(meta) = fs::metadata(path) {
            if meta.is_dir() {
                return refuse("is a folder; give a file name such as lesson.html");
            }
            if !meta.is_file() {
                return refuse("is not a regular file");
            }
        }
        let folder = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        if !folder.is_dir() {
            return refuse("its folder does not exist");
        }
        Ok(Target { path })
    }

    /// Stages `text` beside the path ([`output::stage`]): it is renamed into place when the
    /// command succeeds, so readers see the old file or the whole new one, never a part. An
    /// existing file keeps its permissions.
    fn write(&self, text: &str) -> Result<(), Error> {
        output::stage(self.path, text.as_bytes()).map_err(|e| match e {
            // the message starts with the path: name the option that gave it
            Error::Output(message) => Error::Output(format!("--out {message}")),
            e => e,
        })
    }
}
