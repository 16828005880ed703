//! The playground's pictures for more than two classes: accuracy curves, the test set's
//! confusion matrix, and the misclassified test images (for square images such as the
//! digits) with their true and predicted classes.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::setup::Setup;
use super::EpochMetrics;
use crate::cmd::figure::{self, Figure};
use crate::cmd::font::FAMILY;

/// Size of the accuracy curves, in pixels.
pub const CURVE_SIZE: (u32, u32) = (900, 520);
/// Size of the confusion matrix, in pixels.
pub const CONFUSION_SIZE: (u32, u32) = (680, 680);
/// Misclassified images shown at most.
const MAX_SHOWN: usize = 60;
/// Images per row of the misclassified grid.
const PER_ROW: usize = 10;
/// Screen pixels per image pixel.
const ZOOM: i32 = 8;
const ORANGE: RGBColor = RGBColor(245, 147, 34);
const BLUE: RGBColor = RGBColor(8, 119, 189);

/// What to draw.
pub enum Picture<'a> {
    /// Train and test accuracy against epoch.
    Accuracy(&'a Setup, &'a [EpochMetrics]),
    /// The test set's `K × K` counts.
    Confusion(&'a Setup, &'a nn::Confusion),
    /// The misclassified test images, each `side × side`.
    Misclassified(&'a Setup, &'a [Miss], usize),
}

impl Figure for Picture<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        match self {
            Picture::Accuracy(setup, history) => draw_accuracy(root, setup, history),
            Picture::Confusion(setup, c) => draw_confusion(root, setup, c),
            Picture::Misclassified(setup, misses, side) => draw_misses(root, setup, misses, *side),
        }
    }
}

/// A test sample the network gets wrong.
pub struct Miss {
    /// Its row in the test set.
    pub row: usize,
    /// Its label.
    pub actual: usize,
    /// The network's pick.
    pub predicted: usize,
}

/// Every misclassified test sample, in test-set order.
pub fn misses(setup: &Setup) -> Vec<Miss> {
    let mlp = &setup.trainer.mlp;
    setup
        .test
        .inputs
        .rows()
        .into_iter()
        .zip(&setup.test.labels)
        .enumerate()
        .filter_map(|(row, (x, &y))| {
            let predicted = mlp.classify(&x.to_vec());
            let actual = y as usize;
            (predicted != actual).then_some(Miss {
                row,
                actual,
                predicted,
            })
        })
        .collect()
}

/// The size of the misclassified grid for `count` misses of `side × side` images.
pub fn misses_size(count: usize, side: usize) -> (u32, u32) {
    let rows = count.clamp(1, MAX_SHOWN).div_ceil(PER_ROW) as u32;
    let cell = cell_size(side);
    (PER_ROW as u32 * cell.0 + 40, rows * cell.1 + 70)
}

/// One image and its caption, with a gap.
fn cell_size(side: usize) -> (u32, u32) {
    let image = side as u32 * ZOOM as u32;
    (image + 22, image + 40)
}

fn draw_accuracy<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    setup: &Setup,
    history: &[EpochMetrics],
) -> Result<(), String> {
    let e = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
    root.fill(&WHITE).map_err(e)?;
    let title = format!("{}: accuracy against epoch", setup.name);
    let root = root.titled(&title, (FAMILY, 20).into_font()).map_err(e)?;
    let pct = |m: nn::Metrics| m.accuracy.unwrap_or(0.0) * 100.0;
    let lo = history
        .iter()
        .flat_map(|p| [pct(p.train), pct(p.test)])
        .fold(100.0_f64, f64::min);
    let last = history.last().map_or(1, |p| p.epoch.max(1));
    let mut chart = ChartBuilder::on(&root)
        .margin(14)
        .x_label_area_size(40)
        .y_label_area_size(64)
        .build_cartesian_2d(0.0..last as f64, (lo - 2.0).max(0.0)..100.5)
        .map_err(e)?;
    chart
        .configure_mesh()
        .x_desc("epoch")
        .y_desc("accuracy (%)")
        .label_style((FAMILY, 14))
        .axis_desc_style((FAMILY, 16))
        .draw()
        .map_err(e)?;
    for (label, colour, part) in [("train", BLUE, 0), ("test", ORANGE, 1)] {
        let points = history.iter().map(move |p| {
            let m = if part == 0 { p.train } else { p.test };
            (p.epoch as f64, pct(m))
        });
        chart
            .draw_series(LineSeries::new(points, colour.stroke_width(2)))
            .map_err(e)?
            .label(label)
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 20, y)], colour.stroke_width(2)));
    }
    figure::legend(&mut chart, SeriesLabelPosition::LowerRight)?;
    Ok(())
}

/// Text centred on a point.
fn centred(size: u32) -> TextStyle<'static> {
    TextStyle::from((FAMILY, size).into_font()).pos(Pos::new(HPos::Center, VPos::Center))
}

fn draw_confusion<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    setup: &Setup,
    c: &nn::Confusion,
) -> Result<(), String> {
    let e = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
    root.fill(&WHITE).map_err(e)?;
    let k = c.classes();
    let title = format!(
        "{}: test confusion matrix, {:.1}% right of {}",
        setup.name,
        c.accuracy() * 100.0,
        c.total()
    );
    let (w, h) = root.dim_in_pixel();
    root.draw(&Text::new(title, (w as i32 / 2, 22), centred(20)))
        .map_err(e)?;
    let (left, top) = (80_i32, 90_i32);
    let cell = ((w as i32 - left - 20).min(h as i32 - top - 20) / k.max(1) as i32).max(1);
    let font = ((cell / 3).clamp(6, 16)) as u32;
    root.draw(&Text::new(
        "predicted class",
        (left + cell * k as i32 / 2, top - 40),
        centred(16),
    ))
    .map_err(e)?;
    let side_label = TextStyle::from((FAMILY, 16).into_font())
        .transform(FontTransform::Rotate270)
        .pos(Pos::new(HPos::Center, VPos::Center));
    root.draw(&Text::new(
        "true class",
        (left - 50, top + cell * k as i32 / 2),
        side_label,
    ))
    .map_err(e)?;
    for actual in 0..k {
        let row_total = (0..k).map(|p| c.count(actual, p)).sum::<usize>().max(1);
        let y = top + actual as i32 * cell;
        root.draw(&Text::new(
            actual.to_string(),
            (left - 14, y + cell / 2),
            centred(font),
        ))
        .map_err(e)?;
        for predicted in 0..k {
            let x = left + predicted as i32 * cell;
            if actual == 0 {
                root.draw(&Text::new(
                    predicted.to_string(),
                    (x + cell / 2, top - 14),
                    centred(font),
                ))
                .map_err(e)?;
            }
            let n = c.count(actual, predicted);
            let share = n as f64 / row_total as f64;
            // the diagonal in blue, mistakes in orange, both fading to white at zero
            let hue = if actual == predicted { BLUE } else { ORANGE };
            let strength = if actual == predicted {
                share
            } else {
                share.sqrt()
            };
            let mix = |v: u8| (255.0 - (255.0 - f64::from(v)) * strength).round() as u8;
            let fill = RGBColor(mix(hue.0), mix(hue.1), mix(hue.2));
            root.draw(&Rectangle::new(
                [(x, y), (x + cell, y + cell)],
                fill.filled(),
            ))
            .map_err(e)?;
            root.draw(&Rectangle::new(
                [(x, y), (x + cell, y + cell)],
                RGBColor(200, 200, 200).stroke_width(1),
            ))
            .map_err(e)?;
            if n > 0 {
                let ink = if strength > 0.6 { WHITE } else { BLACK };
                let style = centred(font).color(&ink);
                root.draw(&Text::new(
                    n.to_string(),
                    (x + cell / 2, y + cell / 2),
                    style,
                ))
                .map_err(e)?;
            }
        }
    }
    Ok(())
}

fn draw_misses<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    setup: &Setup,
    misses: &[Miss],
    side: usize,
) -> Result<(), String> {
    let e = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
    root.fill(&WHITE).map_err(e)?;
    let (w, _) = root.dim_in_pixel();
    let shown = misses.len().min(MAX_SHOWN);
    let title = if misses.is_empty() {
        format!("{}: no misclassified test images", setup.name)
    } else {
        format!(
            "{}: {} of {} test images misclassified{} (true → predicted)",
            setup.name,
            misses.len(),
            setup.test.len(),
            if shown < misses.len() {
                format!(", the first {shown}")
            } else {
                String::new()
            }
        )
    };
    root.draw(&Text::new(title, (w as i32 / 2, 22), centred(18)))
        .map_err(e)?;
    let (cw, ch) = cell_size(side);
    let lo = setup
        .test
        .inputs
        .iter()
        .copied()
        .fold(f64::INFINITY, f64::min);
    let hi = setup
        .test
        .inputs
        .iter()
        .copied()
        .fold(f64::NEG_INFINITY, f64::max);
    let span = (hi - lo).max(1e-12);
    for (i, miss) in misses.iter().take(shown).enumerate() {
        let x0 = 20 + (i % PER_ROW) as i32 * cw as i32;
        let y0 = 50 + (i / PER_ROW) as i32 * ch as i32;
        let pixels = setup.test.inputs.row(miss.row);
        for (p, &v) in pixels.iter().enumerate().take(side * side) {
            let (r, c) = ((p / side) as i32, (p % side) as i32);
            // dark ink on white paper
            let grey = (255.0 * (1.0 - (v - lo) / span)).round() as u8;
            let (x, y) = (x0 + c * ZOOM, y0 + r * ZOOM);
            root.draw(&Rectangle::new(
                [(x, y), (x + ZOOM, y + ZOOM)],
                RGBColor(grey, grey, grey).filled(),
            ))
            .map_err(e)?;
        }
        let edge = side as i32 * ZOOM;
        root.draw(&Rectangle::new(
            [(x0, y0), (x0 + edge, y0 + edge)],
            RGBColor(180, 180, 180).stroke_width(1),
        ))
        .map_err(e)?;
        root.draw(&Text::new(
            format!("{} → {}", miss.actual, miss.predicted),
            (x0 + edge / 2, y0 + edge + 14),
            centred(15),
        ))
        .map_err(e)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_misclassified_grid_has_a_row_per_ten_images_up_to_the_cap() {
        let one_row = misses_size(1, 8);
        assert_eq!(misses_size(0, 8), one_row, "room for the 'none' title");
        assert_eq!(misses_size(10, 8), one_row);
        let (w, h) = misses_size(11, 8);
        assert_eq!((w, h - one_row.1), (one_row.0, cell_size(8).1));
        assert_eq!(misses_size(451, 8), misses_size(MAX_SHOWN, 8));
    }
}
