//! Saving a figure as PNG and SVG. Each file is drawn under a temporary name and renamed into
//! place only when complete, so a failure never leaves a half-drawn plot behind.

use std::fs;
use std::path::{Path, PathBuf};

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{font, Error};

/// A picture that can be drawn on any plotters backend.
pub trait Figure {
    /// Draws the picture on `root`; the error is plotters' message.
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String>;
}

/// Writes `dir/STEM.png` and `dir/STEM.svg` of `figure` at `size` pixels; returns their paths.
///
/// # Errors
/// [`Error::Output`] naming the file that could not be drawn or written; neither that file
/// nor its temporary is left behind.
pub fn save(
    dir: &Path,
    stem: &str,
    size: (u32, u32),
    figure: &impl Figure,
) -> Result<Vec<PathBuf>, Error> {
    font::register()?;
    let png = dir.join(format!("{stem}.png"));
    let svg = dir.join(format!("{stem}.svg"));
    draw_to(&png, |tmp| {
        let root = BitMapBackend::new(tmp, size).into_drawing_area();
        figure.draw(&root)?;
        root.present().map_err(|e| e.to_string())
    })?;
    draw_to(&svg, |tmp| {
        let root = SVGBackend::new(tmp, size).into_drawing_area();
        figure.draw(&root)?;
        root.present().map_err(|e| e.to_string())
    })?;
    Ok(vec![png, svg])
}

/// Runs `draw` on a temporary path beside `path` (same extension: plotters picks the image
/// format from it), then renames the result to `path`; on failure removes the temporary.
fn draw_to(path: &Path, draw: impl FnOnce(&Path) -> Result<(), String>) -> Result<(), Error> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    let tmp = path.with_file_name(format!(".partial-{name}"));
    // The backend is dropped inside `draw`, so the temporary is closed before the rename.
    let result = draw(&tmp).and_then(|()| fs::rename(&tmp, path).map_err(|e| e.to_string()));
    result.map_err(|e| {
        let _ = fs::remove_file(&tmp);
        Error::Output(format!("cannot write {}: {e}", path.display()))
    })
}
