//! The notebook's figure: each weight, and the cost, against iteration.

use std::path::{Path, PathBuf};

use lecture::Trajectory;
use plotters::coord::Shift;
use plotters::prelude::*;

use super::figure::{self, Figure};
use super::font::FAMILY;
use super::ticks;
use super::Error;

const SIZE: (u32, u32) = (1000, 720);
const MAX_POINTS: usize = 2000;
/// Up to this many records, each is also marked with a dot (a line needs two points).
const FEW_POINTS: usize = 50;
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
    // the first steps move the weights most: a log step axis, and records spread on it
    let records = ticks::log_spaced(n, MAX_POINTS);
    let steps = trajectory.steps();
    let last_step = (steps.last().copied().unwrap_or(1) as f64).max(10.0);
    let step_axis = (1.0..last_step).log_scale();

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
    let (lo, hi) = (lo - pad, hi + pad);
    let mut chart = ChartBuilder::on(&top)
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(60)
        .build_cartesian_2d(step_axis.clone(), lo..hi)
        .map_err(e)?;
    chart
        .configure_mesh()
        .x_desc("step (log scale; the start drawn at step 1)")
        .x_label_formatter(&|x| ticks::count(*x))
        .y_desc("weight")
        .y_label_formatter(&|y| ticks::axis(*y, hi - lo))
        .label_style((FAMILY, 14))
        .axis_desc_style((FAMILY, 16))
        .light_line_style(WHITE.mix(0.0))
        .draw()
        .map_err(e)?;
    for k in 0..n_weights {
        let colour = COLOURS[k % COLOURS.len()];
        let series = std::iter::once((1.0, trajectory.initial()[k])).chain(
            records
                .iter()
                .map(|&i| ((steps[i] as f64).max(1.0), trajectory.weights(i)[k])),
        );
        if records.len() <= FEW_POINTS {
            let marks = records.iter().map(|&i| {
                let at = ((steps[i] as f64).max(1.0), trajectory.weights(i)[k]);
                Circle::new(at, 3, colour.filled())
            });
            chart.draw_series(marks).map_err(e)?;
        }
        chart
            .draw_series(LineSeries::new(series, colour.stroke_width(2)))
            .map_err(e)?
            .label(format!("w{k}"))
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 20, y)], colour.stroke_width(2)));
    }
    // the true weights over the curves (which end on them), in the legend
    for (k, &w) in truth.unwrap_or(&[]).iter().enumerate().take(n_weights) {
        let line = [(1.0, w), (last_step, w)];
        let series = chart
            .draw_series(DashedLineSeries::new(line, 7, 5, BLACK.stroke_width(1)))
            .map_err(e)?;
        if k == 0 {
            series.label("true weights").legend(|(x, y)| {
                plotters::element::DashedPathElement::new(
                    [(x, y), (x + 20, y)],
                    5,
                    3,
                    BLACK.stroke_width(1),
                )
            });
        }
        let colour = COLOURS[k % COLOURS.len()];
        let note = format!("true w{k} = {}", ticks::axis(w, hi - lo));
        chart
            .draw_series([Text::new(
                note,
                (1.3, w + (hi - lo) * 0.07),
                (FAMILY, 13).into_font().color(&colour),
            )])
            .map_err(e)?;
    }
    chart
        .configure_series_labels()
        .label_font((FAMILY, 15))
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .position(SeriesLabelPosition::MiddleRight)
        .draw()
        .map_err(e)?;

    // Cost against step, as log10 C on a linear axis labelled in powers of ten; each point
    // the mean over the steps since the previous point.
    let costs = trajectory.cost();
    let points: Vec<(f64, f64)> = records
        .iter()
        .scan(0, |from, &i| {
            let bucket = &costs[*from..=i];
            *from = i + 1;
            let mean = bucket.iter().sum::<f64>() / bucket.len() as f64;
            Some(((steps[i] as f64).max(1.0), mean.max(1e-300).log10()))
        })
        .collect();
    let (cmin, cmax) = points
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), p| {
            (a.min(p.1), b.max(p.1))
        });
    let (cmin, cmax) = if cmin.is_finite() {
        (
            cmin.floor() - 0.2,
            cmax.ceil().max(cmin.floor() + 1.0) + 0.2,
        )
    } else {
        (-1.0, 1.0)
    };
    let mut chart = ChartBuilder::on(&bottom)
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(60)
        .build_cartesian_2d(step_axis, cmin..cmax)
        .map_err(e)?;
    chart
        .configure_mesh()
        .x_desc("step (log scale)")
        .x_label_formatter(&|x| ticks::count(*x))
        .y_desc("cost C of a step")
        .y_labels(10)
        .y_label_formatter(&|y| {
            if (y - y.round()).abs() < 1e-9 {
                format!("1e{}", y.round() as i64)
            } else {
                format!("{:.0e}", 10f64.powf(*y))
            }
        })
        .label_style((FAMILY, 14))
        .axis_desc_style((FAMILY, 16))
        .light_line_style(WHITE.mix(0.0))
        .draw()
        .map_err(e)?;
    if points.len() <= FEW_POINTS {
        let marks = points.iter().map(|&p| Circle::new(p, 3, BLACK.filled()));
        chart.draw_series(marks).map_err(e)?;
    }
    chart
        .draw_series(LineSeries::new(points, BLACK.stroke_width(1)))
        .map_err(e)?;
    let note = if records.len() < n {
        "each point: the mean cost of the steps since the point before it"
    } else {
        "one point per step"
    };
    chart
        .draw_series([Text::new(
            note,
            (1.3, cmin + (cmax - cmin) * 0.08),
            (FAMILY, 13).into_font().color(&RGBColor(80, 80, 80)),
        )])
        .map_err(e)?;
    Ok(())
}
