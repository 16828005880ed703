//! The slides' picture: the cost surface over the last two weights, as a colour map, with
//! the descent path drawn over it.

use std::path::{Path, PathBuf};

use lecture::data::Sample;
use lecture::train::MeanCostFrom;
use lecture::{Net, Trajectory};
use plotters::coord::Shift;
use plotters::prelude::*;

use super::figure::{self, Figure};
use super::font::FAMILY;
use super::ticks;
use super::Error;

const SIZE: (u32, u32) = (900, 760);
const GRID: usize = 90;
const MAX_ROWS: usize = 500;
const MAX_PATH: usize = 3000;

/// The mean cost on a grid over weights `a` and `b` (the last two), the others fixed.
struct Surface {
    a: usize,
    b: usize,
    range_a: (f64, f64),
    range_b: (f64, f64),
    /// `log10 C`, row-major: `[i_b * GRID + i_a]`.
    log_cost: Vec<f64>,
    /// The other weights, held at their final values: `(k, w_k)`.
    held: Vec<(usize, f64)>,
}

impl Surface {
    /// The held weights' names: `w0`, `w0, w1`.
    fn held_names(&self) -> String {
        let names: Vec<String> = self.held.iter().map(|(k, _)| format!("w{k}")).collect();
        names.join(", ")
    }

    /// Whether the held weights of `weights` are near their final values: within 2% of
    /// their size (at least 0.01), so the surface drawn is about the one the run was on.
    fn on_slice(&self, weights: &[f64]) -> bool {
        self.held
            .iter()
            .all(|&(k, w)| (weights[k] - w).abs() <= 0.02 * w.abs().max(0.5))
    }
}

/// Writes `STEM.png` and `STEM.svg` in `dir`: mean cost over `data` as a function of the
/// last two weights (the others fixed at the trajectory's final values), with the descent
/// path, its start, its end and the true weights (if known). Returns the paths written.
///
/// # Errors
/// [`Error::Output`] naming the file if it cannot be written.
pub fn write(
    dir: &Path,
    stem: &str,
    net: Net,
    data: &[Sample],
    trajectory: &Trajectory,
    truth: Option<&[f64]>,
) -> Result<Vec<PathBuf>, Error> {
    let surface = surface(net, data, trajectory, truth)?;
    let figure = Picture {
        surface: &surface,
        trajectory,
        truth,
    };
    figure::save(dir, stem, SIZE, &figure)
}

/// The figure's inputs.
struct Picture<'a> {
    surface: &'a Surface,
    trajectory: &'a Trajectory,
    truth: Option<&'a [f64]>,
}

impl Figure for Picture<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        draw(root, self.surface, self.trajectory, self.truth)
    }
}

fn surface(
    net: Net,
    data: &[Sample],
    trajectory: &Trajectory,
    truth: Option<&[f64]>,
) -> Result<Surface, Error> {
    let n = net.n_weights();
    let (a, b) = (n.saturating_sub(2), n - 1);
    let last = trajectory
        .len()
        .checked_sub(1)
        .map(|i| trajectory.weights(i));
    let mut fixed = last.unwrap_or(trajectory.initial()).to_vec();
    let range = |k: usize| {
        let mut lo = trajectory.initial()[k];
        let mut hi = lo;
        for w in trajectory.weight_series(k).chain(truth.map(|t| t[k])) {
            lo = lo.min(w);
            hi = hi.max(w);
        }
        let pad = ((hi - lo) * 0.25).max(0.5);
        (lo - pad, hi + pad)
    };
    let (range_a, range_b) = (range(a), range(b));
    let stride = data.len().div_ceil(MAX_ROWS).max(1);
    let rows: Vec<Sample> = data.iter().step_by(stride).copied().collect();
    let at = |r: (f64, f64), i: usize| r.0 + (r.1 - r.0) * (i as f64 + 0.5) / GRID as f64;
    let mut log_cost = Vec::with_capacity(GRID * GRID);
    let mean_cost = MeanCostFrom::new(net, &fixed, &rows, a)?; // each row's pass up to w_a
    for ib in 0..GRID {
        for ia in 0..GRID {
            fixed[a] = at(range_a, ia);
            fixed[b] = at(range_b, ib);
            log_cost.push(mean_cost.at(&fixed)?.max(1e-300).log10());
        }
    }
    let held = (0..a).map(|k| (k, fixed[k])).collect();
    Ok(Surface {
        a,
        b,
        range_a,
        range_b,
        log_cost,
        held,
    })
}

fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    s: &Surface,
    trajectory: &Trajectory,
    truth: Option<&[f64]>,
) -> Result<(), String> {
    let e = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
    root.fill(&WHITE).map_err(e)?;
    let title = format!("cost surface: log10 mean C(w{}, w{})", s.a, s.b);
    let root = root.titled(&title, (FAMILY, 22).into_font()).map_err(e)?;
    let (root, caption) = root.split_vertically(SIZE.1 - 70);
    let (main, bar) = root.split_horizontally(SIZE.0 - 120);
    let (lo, hi) = s
        .log_cost
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), &c| {
            (l.min(c), h.max(c))
        });
    let hi = if hi > lo { hi } else { lo + 1.0 };
    let colour = |c: f64| viridis((c - lo) / (hi - lo));

    let mut chart = ChartBuilder::on(&main)
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(56)
        .build_cartesian_2d(s.range_a.0..s.range_a.1, s.range_b.0..s.range_b.1)
        .map_err(e)?;
    let (da, db) = (
        (s.range_a.1 - s.range_a.0) / GRID as f64,
        (s.range_b.1 - s.range_b.0) / GRID as f64,
    );
    let cells = (0..GRID * GRID).map(|k| {
        let (ia, ib) = (k % GRID, k / GRID);
        let (x, y) = (s.range_a.0 + ia as f64 * da, s.range_b.0 + ib as f64 * db);
        Rectangle::new([(x, y), (x + da, y + db)], colour(s.log_cost[k]).filled())
    });
    chart.draw_series(cells).map_err(e)?;
    chart
        .configure_mesh()
        .disable_mesh()
        .x_desc(format!("w{}", s.a))
        .y_desc(format!("w{}", s.b))
        .x_label_formatter(&figure::tick_labels(s.range_a.0, s.range_a.1))
        .y_label_formatter(&figure::tick_labels(s.range_b.0, s.range_b.1))
        .label_style((FAMILY, 14))
        .axis_desc_style((FAMILY, 16))
        .draw()
        .map_err(e)?;

    // The path is the run's (a, b) projected on this slice: where the held weights were
    // still far from their final values the run was on another slice, drawn dashed.
    let n = trajectory.len();
    let stride = n.div_ceil(MAX_PATH).max(1);
    let weights_at = |i: Option<usize>| i.map_or(trajectory.initial(), |i| trajectory.weights(i));
    let records =
        std::iter::once(None).chain((0..n).step_by(stride).chain(n.checked_sub(1)).map(Some));
    let points: Vec<((f64, f64), bool)> = records
        .map(|i| {
            let w = weights_at(i);
            ((w[s.a], w[s.b]), s.on_slice(w))
        })
        .collect();
    let elsewhere = RGBColor(235, 235, 235);
    for pair in points.windows(2) {
        let ((from, _), (to, on)) = (pair[0], pair[1]);
        if on {
            chart
                .draw_series([PathElement::new([from, to], WHITE.stroke_width(2))])
                .map_err(e)?;
        } else {
            chart
                .draw_series(DashedLineSeries::new(
                    [from, to],
                    6,
                    4,
                    elsewhere.stroke_width(2),
                ))
                .map_err(e)?;
        }
    }
    let held = s.held_names();
    let (its, was) = if s.held.len() == 1 {
        ("its final value", "was")
    } else {
        ("their final values", "were")
    };
    let path_label = if s.held.is_empty() {
        "descent path".to_string()
    } else {
        format!("descent path, {held} near {its}")
    };
    chart
        .draw_series(std::iter::empty::<Circle<(f64, f64), i32>>())
        .map_err(e)?
        .label(path_label)
        .legend(|(x, y)| PathElement::new([(x, y), (x + 20, y)], WHITE.stroke_width(2)));
    if !s.held.is_empty() {
        chart
            .draw_series(std::iter::empty::<Circle<(f64, f64), i32>>())
            .map_err(e)?
            .label(format!("descent path, {held} elsewhere (another slice)"))
            .legend(move |(x, y)| {
                plotters::element::DashedPathElement::new(
                    [(x, y), (x + 20, y)],
                    5,
                    3,
                    elsewhere.stroke_width(2),
                )
            });
    }
    let start = (trajectory.initial()[s.a], trajectory.initial()[s.b]);
    chart
        .draw_series([Circle::new(start, 6, WHITE.filled())])
        .map_err(e)?
        .label("start")
        .legend(|(x, y)| Circle::new((x + 10, y), 5, WHITE.filled()));
    // the true weights first, the end over them: the run ends on or near them
    if let Some(t) = truth {
        chart
            .draw_series([Cross::new((t[s.a], t[s.b]), 12, BLACK.stroke_width(2))])
            .map_err(e)?
            .label("true weights")
            .legend(|(x, y)| Cross::new((x + 10, y), 5, BLACK.stroke_width(2)));
    }
    if let Some(i) = n.checked_sub(1) {
        let end = (trajectory.weights(i)[s.a], trajectory.weights(i)[s.b]);
        chart
            .draw_series([EmptyElement::at(end)
                + Circle::new((0, 0), 4, RED.filled())
                + Circle::new((0, 0), 4, WHITE.stroke_width(1))])
            .map_err(e)?
            .label("end")
            .legend(|(x, y)| Circle::new((x + 10, y), 4, RED.filled()));
    }
    chart
        .configure_series_labels()
        .label_font((FAMILY, 15))
        .background_style(RGBColor(165, 165, 165).mix(0.9)) // so the white path shows
        .border_style(BLACK)
        .position(SeriesLabelPosition::UpperLeft)
        .draw()
        .map_err(e)?;

    let note = if s.held.is_empty() {
        "The path is the descent's own: the net has no other weights.".to_string()
    } else {
        let values: Vec<String> = s
            .held
            .iter()
            .map(|&(k, w)| format!("w{k} = {}", ticks::axis(w, w.abs().max(1e-300))))
            .collect();
        format!(
            "This slice holds {held} at {its} ({}). The path is the run's (w{}, w{}) \
             projected onto it;\ndashed where {held} {was} still far from that, so the run \
             was on another slice and the colours below it do not apply.",
            values.join(", "),
            s.a,
            s.b
        )
    };
    for (k, line) in note.lines().enumerate() {
        caption
            .draw(&Text::new(
                line.to_string(),
                (16, 8 + 20 * k as i32),
                (FAMILY, 14).into_font(),
            ))
            .map_err(e)?;
    }
    figure::colour_key(
        &bar,
        (lo, hi),
        "log10 C",
        colour,
        figure::tick_labels(lo, hi),
    )
}

/// The viridis colour map at `t` in `[0, 1]`, interpolated between nine of its colours.
fn viridis(t: f64) -> RGBColor {
    const ANCHORS: [(u8, u8, u8); 9] = [
        (68, 1, 84),
        (71, 44, 122),
        (59, 81, 139),
        (44, 113, 142),
        (33, 144, 141),
        (39, 173, 129),
        (92, 200, 99),
        (170, 220, 50),
        (253, 231, 37),
    ];
    let x = t.clamp(0.0, 1.0) * (ANCHORS.len() - 1) as f64;
    let i = (x.floor() as usize).min(ANCHORS.len() - 2);
    let f = x - i as f64;
    let mix = |a: u8, b: u8| (f64::from(a) + (f64::from(b) - f64::from(a)) * f).round() as u8;
    let (a, b) = (ANCHORS[i], ANCHORS[i + 1]);
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}
