//! The playground's pictures: the network's output over the plane as a colour map with the
//! train and test points over it, and the loss curves.

use std::path::{Path, PathBuf};

use nn::datasets::Task;
use nn::Loss;
use plotters::coord::Shift;
use plotters::prelude::*;

use super::plot_classes as classes;
use super::setup::Setup;
use super::EpochMetrics;
use crate::cmd::figure::{self, Figure};
use crate::cmd::font::FAMILY;
use crate::cmd::{axis, ticks, Error};

const SIZE: (u32, u32) = (895, 700);
const CURVE_SIZE: (u32, u32) = (900, 520);
const GRID: usize = 100;
/// Width of the colour key beside the surface.
const KEY_WIDTH: u32 = 135;
/// The surface is drawn at this much of the full colour, so the points stand out on it.
const SHADE: f64 = 0.8;
const ORANGE: RGBColor = RGBColor(245, 147, 34);
const BLUE: RGBColor = RGBColor(8, 119, 189);

/// Writes `surface.{png,svg}` (when the points are in the plane) and `loss.{png,svg}` into
/// `dir`, created if missing; for more than two classes also `accuracy`, `confusion` and
/// (for square images such as the digits) `misclassified`. Returns the paths written.
///
/// # Errors
/// [`Error::Output`] naming the folder or file that cannot be written.
pub fn write(dir: &Path, setup: &Setup, history: &[EpochMetrics]) -> Result<Vec<PathBuf>, Error> {
    let points = [&setup.train, &setup.test].map(|p| p.points.iter().copied());
    axis::plottable(
        "--plots",
        "a point's coordinate",
        points.into_iter().flatten(),
    )?;
    let losses = history.iter().flat_map(|p| [p.train.loss, p.test.loss]);
    axis::plottable("--plots", "the loss", losses)?;
    std::fs::create_dir_all(dir)
        .map_err(|e| Error::Output(format!("--plots {}: cannot create: {e}", dir.display())))?;
    let mut written = Vec::new();
    if setup.features.is_some() {
        let surface = Surface::new(setup);
        written.extend(figure::save(
            dir,
            "surface",
            SIZE,
            &Picture::Surface(setup, &surface),
        )?);
    }
    written.extend(figure::save(
        dir,
        "loss",
        CURVE_SIZE,
        &Picture::Curves(setup, history),
    )?);
    if let Some(confusion) = setup.confusion() {
        written.extend(figure::save(
            dir,
            "accuracy",
            classes::CURVE_SIZE,
            &classes::Picture::Accuracy(setup, history),
        )?);
        written.extend(figure::save(
            dir,
            "confusion",
            classes::CONFUSION_SIZE,
            &classes::Picture::Confusion(setup, &confusion),
        )?);
        if let Some(side) = setup.images {
            let misses = classes::misses(setup);
            written.extend(figure::save(
                dir,
                "misclassified",
                classes::misses_size(misses.len(), side),
                &classes::Picture::Misclassified(setup, &misses, side),
            )?);
        }
    }
    Ok(written)
}

/// What to draw.
enum Picture<'a> {
    Surface(&'a Setup, &'a Surface),
    Curves(&'a Setup, &'a [EpochMetrics]),
}

impl Figure for Picture<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        match self {
            Picture::Surface(setup, surface) => draw_surface(root, setup, surface),
            Picture::Curves(setup, history) => draw_curves(root, setup, history),
        }
    }
}

/// The network's output on a grid over the points' bounding box, mapped to `[−1, 1]`; or,
/// for more than two classes, the class it picks.
struct Surface {
    x: (f64, f64),
    y: (f64, f64),
    /// Row-major `[iy * GRID + ix]`: the output, or the picked class as a number.
    values: Vec<f64>,
}

impl Surface {
    fn new(setup: &Setup) -> Self {
        let all = setup
            .train
            .points
            .rows()
            .into_iter()
            .chain(setup.test.points.rows());
        let (mut lo, mut hi) = ([f64::INFINITY; 2], [f64::NEG_INFINITY; 2]);
        for p in all {
            for k in 0..2 {
                lo[k] = lo[k].min(p[k]);
                hi[k] = hi[k].max(p[k]);
            }
        }
        let pad = |k: usize| ((hi[k] - lo[k]) * 0.05).max(0.1);
        let (x, y) = (
            (lo[0] - pad(0), hi[0] + pad(0)),
            (lo[1] - pad(1), hi[1] + pad(1)),
        );
        let features = setup
            .features
            .as_ref()
            .expect("playground internal error: plane data");
        let at = |r: (f64, f64), i: usize| r.0 + (r.1 - r.0) * (i as f64 + 0.5) / GRID as f64;
        let mut values = Vec::with_capacity(GRID * GRID);
        let mut inputs = Vec::with_capacity(features.len());
        for iy in 0..GRID {
            for ix in 0..GRID {
                inputs.clear();
                inputs.extend(features.of(at(x, ix), at(y, iy)));
                if let Task::MultiClass(_) = setup.task {
                    values.push(setup.trainer.mlp.classify(&inputs) as f64);
                    continue;
                }
                let score = setup.trainer.mlp.predict(&inputs)[0];
                values.push(match setup.loss {
                    // a logit: 2·S(s) − 1 = tanh(s/2), the confidence in [−1, 1]
                    Loss::BinaryCrossEntropy => (score / 2.0).tanh(),
                    _ => score.clamp(-1.0, 1.0),
                });
            }
        }
        Surface { x, y, values }
    }
}

/// A colour per class (ten, then again from the first).
fn class_colour(class: f64) -> RGBColor {
    const PALETTE: [RGBColor; 10] = [
        BLUE,
        ORANGE,
        RGBColor(44, 160, 44),
        RGBColor(214, 39, 40),
        RGBColor(148, 103, 189),
        RGBColor(140, 86, 75),
        RGBColor(227, 119, 194),
        RGBColor(127, 127, 127),
        RGBColor(188, 189, 34),
        RGBColor(23, 190, 207),
    ];
    PALETTE[class as usize % PALETTE.len()]
}

/// Orange (−1) through white (0) to blue (+1), as in the playground.
fn colour(v: f64) -> RGBColor {
    let t = v.clamp(-1.0, 1.0);
    let (end, f) = if t < 0.0 { (ORANGE, -t) } else { (BLUE, t) };
    let mix = |c: u8| (255.0 + (f64::from(c) - 255.0) * f).round() as u8;
    RGBColor(mix(end.0), mix(end.1), mix(end.2))
}

fn draw_surface<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    setup: &Setup,
    s: &Surface,
) -> Result<(), String> {
    let e = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
    root.fill(&WHITE).map_err(e)?;
    let what = match setup.task {
        Task::Classification | Task::MultiClass(_) => "decision surface",
        Task::Regression => "output",
    };
    let title = format!(
        "{}: {what} of a {} net on {}",
        setup.name,
        setup
            .sizes
            .iter()
            .map(usize::to_string)
            .collect::<Vec<_>>()
            .join("-"),
        setup.feature_names.join(", ")
    );
    let root = root.titled(&title, (FAMILY, 20).into_font()).map_err(e)?;
    let (main, key) = root.split_horizontally(SIZE.0 - KEY_WIDTH);
    let mut chart = ChartBuilder::on(&main)
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(50)
        .build_cartesian_2d(s.x.0..s.x.1, s.y.0..s.y.1)
        .map_err(e)?;
    let (dx, dy) = ((s.x.1 - s.x.0) / GRID as f64, (s.y.1 - s.y.0) / GRID as f64);
    let cells = s.values.iter().enumerate().map(|(k, &v)| {
        let (x, y) = (
            s.x.0 + (k % GRID) as f64 * dx,
            s.y.0 + (k / GRID) as f64 * dy,
        );
        let fill = match setup.task {
            Task::MultiClass(_) => class_colour(v).mix(0.35),
            _ => colour(v * SHADE).into(),
        };
        Rectangle::new([(x, y), (x + dx, y + dy)], fill.filled())
    });
    chart.draw_series(cells).map_err(e)?;
    chart
        .configure_mesh()
        .disable_mesh()
        .x_desc("x1")
        .y_desc("x2")
        .x_label_formatter(&figure::tick_labels(s.x.0, s.x.1))
        .y_label_formatter(&figure::tick_labels(s.y.0, s.y.1))
        .label_style((FAMILY, 14))
        .axis_desc_style((FAMILY, 16))
        .draw()
        .map_err(e)?;
    let point_colour = |y: f64| match setup.task {
        Task::Classification if y > 0.0 => BLUE,
        Task::Classification => ORANGE,
        Task::MultiClass(_) => class_colour(y),
        Task::Regression => colour(y),
    };
    for (part, outline, label) in [(&setup.train, WHITE, "train"), (&setup.test, BLACK, "test")] {
        let points = part
            .points
            .rows()
            .into_iter()
            .zip(&part.labels)
            .map(|(p, &y)| {
                EmptyElement::at((p[0], p[1]))
                    + Circle::new((0, 0), 4, point_colour(y).filled())
                    + Circle::new((0, 0), 4, outline.stroke_width(1))
            });
        chart
            .draw_series(points)
            .map_err(e)?
            .label(format!("{label} ({})", part.len()))
            .legend(move |(x, y)| {
                EmptyElement::at((x + 8, y))
                    + Circle::new((0, 0), 4, RGBColor(128, 128, 128).filled())
                    + Circle::new((0, 0), 4, outline.stroke_width(1))
            });
    }
    figure::legend(&mut chart, SeriesLabelPosition::UpperRight)?;
    if let Task::MultiClass(k) = setup.task {
        let top = k.saturating_sub(1) as f64;
        return figure::colour_key(
            &key,
            (0.0, top.max(1.0)),
            "the class the network picks",
            |v| class_colour(v.round()),
            figure::tick_labels(0.0, top.max(1.0)),
        );
    }
    let desc = match (setup.task, setup.loss) {
        (Task::Classification, Loss::BinaryCrossEntropy) => {
            "2·P(blue) − 1: orange −1 (sure orange), blue +1"
        }
        (Task::Classification, _) => "score (orange −1, blue +1)",
        (Task::Regression, _) => "output, clipped to [−1, 1]",
        (Task::MultiClass(_), _) => unreachable!("drawn above"),
    };
    figure::colour_key(
        &key,
        (-1.0, 1.0),
        desc,
        |v| colour(v * SHADE),
        figure::tick_labels(-1.0, 1.0),
    )
}

fn draw_curves<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    setup: &Setup,
    history: &[EpochMetrics],
) -> Result<(), String> {
    let e = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
    root.fill(&WHITE).map_err(e)?;
    let title = format!("{}: {} loss against epoch", setup.name, setup.loss);
    let root = root.titled(&title, (FAMILY, 20).into_font()).map_err(e)?;
    let hi = history
        .iter()
        .flat_map(|p| [p.train.loss, p.test.loss])
        .filter(|v| v.is_finite())
        .fold(0.0_f64, f64::max)
        .max(1e-12);
    let last = history.last().map_or(1, |p| p.epoch.max(1));
    let mut chart = ChartBuilder::on(&root)
        .margin(14)
        .x_label_area_size(40)
        .y_label_area_size(64)
        .build_cartesian_2d(0.0..last as f64, 0.0..hi * 1.05)
        .map_err(e)?;
    chart
        .configure_mesh()
        .x_desc("epoch")
        .y_desc("mean loss")
        .x_label_formatter(&|x| ticks::count(*x))
        .y_label_formatter(&figure::tick_labels(0.0, hi * 1.05))
        .label_style((FAMILY, 14))
        .axis_desc_style((FAMILY, 16))
        .draw()
        .map_err(e)?;
    let series = |f: fn(&EpochMetrics) -> f64| history.iter().map(move |p| (p.epoch as f64, f(p)));
    chart
        .draw_series(LineSeries::new(
            series(|p| p.train.loss),
            BLUE.stroke_width(2),
        ))
        .map_err(e)?
        .label("train")
        .legend(|(x, y)| PathElement::new([(x, y), (x + 20, y)], BLUE.stroke_width(2)));
    chart
        .draw_series(LineSeries::new(
            series(|p| p.test.loss),
            ORANGE.stroke_width(2),
        ))
        .map_err(e)?
        .label("test")
        .legend(|(x, y)| PathElement::new([(x, y), (x + 20, y)], ORANGE.stroke_width(2)));
    figure::legend(&mut chart, SeriesLabelPosition::UpperRight)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_run_from_orange_through_white_to_blue() {
        assert_eq!(colour(-1.0), ORANGE);
        assert_eq!(colour(0.0), WHITE);
        assert_eq!(colour(1.0), BLUE);
        assert_eq!(colour(7.0), BLUE);
    }

    #[test]
    fn classes_get_the_playground_colours_first_and_cycle_after_ten() {
        assert_eq!((class_colour(0.0), class_colour(1.0)), (BLUE, ORANGE));
        assert_eq!(class_colour(12.0), class_colour(2.0));
        assert_ne!(class_colour(2.0), class_colour(3.0));
    }
}
