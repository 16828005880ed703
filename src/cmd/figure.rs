//! Saving a figure as PNG and SVG. Both are drawn in memory and staged with the command's
//! other outputs ([`output`]), so a failure never leaves a half-drawn plot behind.

use std::path::{Path, PathBuf};

use image::codecs::png::PngEncoder;
use image::{ColorType, ImageEncoder};

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{font, output, Error};

/// A picture that can be drawn on any plotters backend.
pub trait Figure {
    /// Draws the picture on `root`; the error is plotters' message.
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String>;
}

/// Draws `figure` at `size` pixels as `dir/STEM.png` and `dir/STEM.svg`, staged to appear
/// when the command succeeds ([`output::stage`]); returns their paths.
///
/// # Errors
/// [`Error::Output`] naming the file that could not be drawn or written; nothing is left
/// behind.
pub fn save(
    dir: &Path,
    stem: &str,
    size: (u32, u32),
    figure: &impl Figure,
) -> Result<Vec<PathBuf>, Error> {
    font::register()?;
    let png = dir.join(format!("{stem}.png"));
    let svg = dir.join(format!("{stem}.svg"));
    let failed =
        |path: &Path, e: String| Error::Output(format!("cannot write {}: {e}", path.display()));
    let pixels = draw_pixels(size, figure).map_err(|e| failed(&png, e))?;
    output::stage(&png, &pixels)?;
    let mut text = String::new();
    {
        let root = SVGBackend::with_string(&mut text, size).into_drawing_area();
        figure.draw(&root).map_err(|e| failed(&svg, e))?;
        root.present().map_err(|e| failed(&svg, e.to_string()))?;
    }
    output::stage(&svg, text.as_bytes())?;
    Ok(vec![png, svg])
}

/// `figure` as a PNG file's bytes, drawn in memory.
fn draw_pixels(size: (u32, u32), figure: &impl Figure) -> Result<Vec<u8>, String> {
    let (width, height) = size;
    let mut rgb = vec![0u8; width as usize * height as usize * 3];
    {
        let root = BitMapBackend::with_buffer(&mut rgb, size).into_drawing_area();
        figure.draw(&root)?;
        root.present().map_err(|e| e.to_string())?;
    }
    let mut png = Vec::new();
    PngEncoder::new(&mut png)
        .write_image(&rgb, width, height, ColorType::Rgb8)
        .map_err(|e| e.to_string())?;
    Ok(png)
}
