//! The README's Rust examples build and print what their comments say, in a crate outside
//! the workspace that depends on the crates exactly as "Use it as a library" tells a user to.
//!
//! The test writes that crate under `target/readme-crate/app` (its `[dependencies]` are the
//! README's ```toml block, with the README's `../backprop/` standing for this workspace),
//! one binary per ```rust block of the README (a block without `fn main` is wrapped in one
//! returning `Result`), copies the workspace's `Cargo.lock`, and builds it offline with its
//! own target directory, `target/readme-crate/target`, so later runs are incremental. Each
//! line a binary prints must appear in its block as a `// line` comment.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// What the README writes before the crates' folders in its dependency lines.
const README_ROOT: &str = "../backprop/";

/// The fenced blocks of `lang` in `text`, in order.
fn blocks<'t>(text: &'t str, lang: &str) -> Vec<&'t str> {
    let open = format!("```{lang}\n");
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find(&open) {
        let body = &rest[start + open.len()..];
        let end = body
            .find("```")
            .expect("README: a code block is not closed");
        found.push(&body[..end]);
        rest = &body[end + 3..];
    }
    found
}

/// The text of the `## heading` section, up to the next `## `.
fn section<'t>(text: &'t str, heading: &str) -> &'t str {
    let start = text
        .find(&format!("\n## {heading}\n"))
        .unwrap_or_else(|| panic!("README has no section '## {heading}'"));
    let body = &text[start + 1..];
    let end = body[3..].find("\n## ").map_or(body.len(), |i| i + 4);
    &body[..end]
}

/// Writes `contents` to `path` unless it already holds exactly that (keeps builds incremental).
fn write_if_changed(path: &Path, contents: &str) {
    if fs::read_to_string(path).ok().as_deref() != Some(contents) {
        fs::create_dir_all(path.parent().expect("a file path has a parent")).unwrap();
        fs::write(path, contents).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
    }
}

/// One binary's source: the block itself if it has a `main`, else the block inside one.
fn program(block: &str) -> String {
    if block.contains("fn main") {
        format!("#![deny(warnings)]\n{block}")
    } else {
        format!(
            "#![deny(warnings)]\nfn main() -> Result<(), Box<dyn std::error::Error>> {{\n{block}\nOk(())\n}}\n"
        )
    }
}

#[test]
fn readme_examples_build_outside_the_workspace_and_print_their_comments() {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    if Command::new(&cargo).arg("--version").output().is_err() {
        println!("skipped: no `cargo` to build the README's examples with");
        return;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = fs::read_to_string(root.join("README.md")).unwrap();

    // The dependency lines, as the README gives them, pointed at this workspace.
    let library = section(&readme, "Use it as a library");
    let toml = blocks(library, "toml");
    assert_eq!(
        toml.len(),
        1,
        "'Use it as a library' should have one ```toml block"
    );
    assert!(
        toml[0].contains(&format!("path = \"{README_ROOT}crates/")),
        "the README's dependencies should be paths under {README_ROOT}"
    );
    let here = format!("{}/", root.display()).replace('\\', "/");
    let dependencies = toml[0].replace(&format!("\"{README_ROOT}"), &format!("\"{here}"));

    let examples = blocks(&readme, "rust");
    assert!(examples.len() >= 2, "the README should have Rust examples");

    let base = std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| root.join("target"), PathBuf::from)
        .join("readme-crate");
    let app = base.join("app");
    // `[workspace]`: this crate is not a member of the workspace whose target/ it sits in.
    let manifest = format!(
        "[package]\nname = \"readme-app\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n\
         {dependencies}\n[workspace]\n"
    );
    write_if_changed(&app.join("Cargo.toml"), &manifest);
    write_if_changed(
        &app.join("Cargo.lock"),
        &fs::read_to_string(root.join("Cargo.lock")).unwrap(),
    );
    for (i, block) in examples.iter().enumerate() {
        write_if_changed(&app.join(format!("src/bin/readme_{i}.rs")), &program(block));
    }

    let target = base.join("target");
    let build = Command::new(&cargo)
        .args(["build", "--offline", "--quiet", "--bins"])
        .current_dir(&app)
        .env("CARGO_TARGET_DIR", &target)
        .output()
        .expect("cargo runs");
    assert!(
        build.status.success(),
        "the README's examples do not build in a crate of their own ({}):\n{}",
        app.display(),
        String::from_utf8_lossy(&build.stderr)
    );

    for (i, block) in examples.iter().enumerate() {
        let exe = target
            .join("debug")
            .join(format!("readme_{i}{}", std::env::consts::EXE_SUFFIX));
        let run = Command::new(&exe).output().expect("the example runs");
        let stdout = String::from_utf8_lossy(&run.stdout);
        assert!(
            run.status.success(),
            "README example {i} failed:\n{stdout}{}",
            String::from_utf8_lossy(&run.stderr)
        );
        for line in stdout.lines() {
            assert!(
                block.contains(&format!("// {line}")),
                "README example {i} prints `{line}`, which its comments do not show"
            );
        }
    }
}
