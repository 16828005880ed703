//! Saving a figure as PNG and SVG (each file is drawn under a temporary name and renamed into
//! place only when complete, so a failure never leaves a half-drawn plot behind), and the
//! colour key the colour maps share.

use std::fs;
use std::path::{Path, PathBuf};

use plotters::coord::Shift;
use plotters::prelude::*;

use super::font::FAMILY;
use super::{font, ticks, Error};

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

/// Draws a vertical colour key on `area`: `colour(v)` for `v` from `lo` (bottom) to `hi`
/// (top), ticks labelled by `label`, and `desc` beside it.
///
/// # Errors
/// Plotters' message if drawing fails.
pub fn colour_key<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    (lo, hi): (f64, f64),
    desc: &str,
    colour: impl Fn(f64) -> RGBColor,
    label: impl Fn(&f64) -> String,
) -> Result<(), String> {
    let e = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
    let mut key = ChartBuilder::on(area)
        .margin_top(12)
        .margin_bottom(52)
        .margin_right(58)
        .y_label_area_size(0)
        .right_y_label_area_size(50)
        .build_cartesian_2d(0.0..1.0, lo..hi)
        .map_err(e)?;
    let bands = 100;
    key.draw_series((0..bands).map(|i| {
        let y0 = lo + (hi - lo) * f64::from(i) / f64::from(bands);
        let y1 = lo + (hi - lo) * f64::from(i + 1) / f64::from(bands);
        Rectangle::new([(0.0, y0), (1.0, y1)], colour((y0 + y1) / 2.0).filled())
    }))
    .map_err(e)?;
    key.configure_mesh()
        .disable_mesh()
        .disable_x_axis()
        .y_desc(desc)
        .y_label_formatter(&label)
        .label_style((FAMILY, 13))
        .axis_desc_style((FAMILY, 14))
        .draw()
        .map_err(e)?;
    Ok(())
}

/// Tick labels for an axis spanning `lo..hi` (see [`ticks::axis`]).
pub fn tick_labels(lo: f64, hi: f64) -> impl Fn(&f64) -> String {
    move |x| ticks::axis(*x, hi - lo)
}
