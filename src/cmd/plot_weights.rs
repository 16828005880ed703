//! The notebook's figure: each weight, and the cost, against iteration.

use std::path::{Path, PathBuf};

use lecture::Trajectory;
use plotters::coord::Shift;
use plotters::prelude::*;

use super::figure::{self, Figure};
use super::font::FAMILY;
use super::Error;

const SIZE: (u32, u32) = (1000, 720);
const MAX_POINTS: usize = 2000;
const COLOURS: [RGBColor; 6] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
];

/// Writes `STEM.png` and `STEM.svg` in `dir`: weights (with the true weights dashed, when
/// known) and cost against step. Returns the paths written.
///
/// # Errors
/// [`Error::Output`] naming the file if it cannot be written.
pub fn write(
    dir: &Path,
    stem: &str,
    trajectory: &Trajectory,
    truth: Option<&[f64]>,
    title: &str,
) -> Result<Vec<PathBuf>, Error> {
    let figure = Weights {
        trajectory,
        truth,
        title,
    };
    figure::save(dir, stem, SIZE, &figure)
}

/// The figure's inputs.
struct Weights<'a> {
    trajectory: &'a Trajectory,
    truth: Option<&'a [f64]>,
    title: &'a str,
}

impl Figure for Weights<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        draw(root, self.trajectory, self.truth, self.title)
    }
}

fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    trajectory: &Trajectory,
    truth: Option<&[f64]>,
    title: &str,
) -> Result<(), String> {
    let e = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
    root.fill(&WHITE).map_err(e)?;
    let root = root.titled(title, (FAMILY, 22).into_font()).map_err(e)?;
    let (top, bottom) = root.split_vertically(SIZE.1 * 55 / 100);
    let n = trajectory.len();
    let stride = n.div_ceil(MAX_POINTS).max(1);
    let steps = trajectory.steps();
    let last_step = steps.last().copied().unwrap_or(1).max(1) as f64;

    // Weights against step.
    let n_weights = trajectory.initial().len();
    let mut lo = f64::INFINITY;
    let mut hi = f64::NEG_INFINITY;
    for k in 0..n_weights {
        for w in trajectory.weight_series(k).chain([trajectory.initial()[k]]) {
            lo = lo.min(w);
            hi = hi.max(w);
        }
    }
    for &w in truth.unwrap_or(&[]) {
        lo = lo.min(w);
        hi = hi.max(w);
    }
    let pad = ((hi - lo) * 0.06).max(1e-3);
    let mut chart = ChartBuilder::on(&top)
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(60)
        .build_cartesian_2d(0.0..last_step, (lo - pad)..(hi + pad))
        .map_err(e)?;
    chart
        .configure_mesh()
        .x_desc("step")
        .x_label_formatter(&|x| format!("{x:.0}"))
        .y_desc("weight")
        .label_style((FAMILY, 14))
        .axis_desc_style((FAMILY, 16))
        .light_line_style(WHITE.mix(0.0))
        .draw()
        .map_err(e)?;
    for k in 0..n_weights {
        let colour = COLOURS[k % COLOURS.len()];
        let series = std::iter::once((0.0, trajectory.initial()[k])).chain(
            (0..n)
                .step_by(stride)
                .chain([n - 1])
                .map(|i| (steps[i] as f64, trajectory.weights(i)[k])),
        );
        chart
            .draw_series(LineSeries::new(series, colour.stroke_width(2)))
            .map_err(e)?
            .label(format!("w{k}"))
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 20, y)], colour.stroke_width(2)));
        if let Some(&w) = truth.and_then(|t| t.get(k)) {
            let line = [(0.0, w), (last_step, w)];
            chart
                .draw_series(DashedLineSeries::new(line, 8, 6, colour.stroke_width(1)))
                .map_err(e)?;
        }
    }
    chart
        .configure_series_labels()
        .label_font((FAMILY, 15))
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .position(SeriesLabelPosition::UpperRight)
        .draw()
        .map_err(e)?;

    // Cost against step, as log10 C on a linear axis labelled in powers of ten, averaged
    // over buckets of `stride` steps.
    let costs = trajectory.cost();
    let points: Vec<(f64, f64)> = (0..n)
        .step_by(stride)
        .map(|i| {
            let bucket = &costs[i..(i + stride).min(n)];
            let mean = bucket.iter().sum::<f64>() / bucket.len() as f64;
            (steps[i] as f64, mean.max(1e-300).log10())
        })
        .collect();
    let (cmin, cmax) = points
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), p| {
            (a.min(p.1), b.max(p.1))
        });
    let (cmin, cmax) = (
        cmin.floor() - 0.2,
        cmax.ceil().max(cmin.floor() + 1.0) + 0.2,
    );
    let mut chart = ChartBuilder::on(&bottom)
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(60)
        .build_cartesian_2d(0.0..last_step, cmin..cmax)
        .map_err(e)?;
    let desc = if stride > 1 {
        format!("cost C (mean of {stride} steps)")
    } else {
        "cost C".to_string()
    };
    chart
        .configure_mesh()
        .x_desc("step")
        .x_label_formatter(&|x| format!("{x:.0}"))
        .y_desc(desc)
        .y_labels(10)
        .y_label_formatter(&|y| {
            if (y - y.round()).abs() < 1e-9 {
                format!("1e{}", y.round())
            } else {
                format!("{:.0e}", 10f64.powf(*y))
            }
        })
        .label_style((FAMILY, 14))
        .axis_desc_style((FAMILY, 16))
        .light_line_style(WHITE.mix(0.0))
        .draw()
        .map_err(e)?;
    chart
        .draw_series(LineSeries::new(points, BLACK.stroke_width(1)))
        .map_err(e)?;
    Ok(())
}
