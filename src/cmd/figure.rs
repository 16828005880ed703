//! Saving a figure as PNG and SVG (both drawn in memory and staged with the command's other
//! outputs, [`output`], so a failure never leaves a half-drawn plot behind), and the colour
//! key the colour maps share.

use std::path::{Path, PathBuf};

use image::codecs::png::PngEncoder;
use image::{ColorType, ImageEncoder};

use plotters::coord::Shift;
use plotters::prelude::*;

use super::font::FAMILY;
use super::{font, output, ticks, Error};

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

/// The playground charts' legend: series labels in a white box with a black border at
/// `position`.
///
/// # Errors
/// The drawing error, as text.
pub fn legend<'a, DB: DrawingBackend + 'a, CT: CoordTranslate>(
    chart: &mut ChartContext<'a, DB, CT>,
    position: SeriesLabelPosition,
) -> Result<(), String> {
    chart
        .configure_series_labels()
        .label_font((FAMILY, 14))
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .position(position)
        .draw()
        .map_err(|e| e.to_string())
}
