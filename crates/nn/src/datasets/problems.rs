//! The playground's problems (after playground.tensorflow.org's `dataset.ts`) and
//! scikit-learn's two moons, each seeded and with a noise level.

use std::f64::consts::{PI, TAU};
use std::fmt;
use std::str::FromStr;

use ndarray::{Array1, Array2};
use rand::Rng;

use super::{standard_normal, Dataset, Task};
use crate::{Error, Result};

/// A toy problem in the plane.
///
/// | name | task | points (noise `σ`, playground scale: coordinates in about [−6, 6]) |
/// |---|---|---|
/// | `circle` | classification | +1 inside radius 2.5, −1 in the ring 3.5..5; labels from the point shifted by `U(−5σ, 5σ)` |
/// | `xor` | classification | `U(−5, 5)` pushed 0.3 off the axes; label sign(x·y) of the noisy point |
/// | `gauss` | classification | two gaussians at ±(2, 2), variance `0.5 + 7σ` |
/// | `spiral` | classification | two interleaved spirals, `r ∈ [0, 5)`, 1.75 turns, noise `U(−σ, σ)` |
/// | `plane` | regression | `U(−6, 6)²`, label `(x + y)/10` of the noisy point |
/// | `multigauss` | regression | `U(−6, 6)²`, label from six signed gaussian bumps |
/// | `moons` | classification | scikit-learn's `make_moons`: two half circles, gaussian noise of std `σ` |
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Problem {
    /// A disc inside a ring.
    Circle,
    /// The four quadrants, labelled by the sign of `x·y`.
    Xor,
    /// Two gaussian clouds.
    Gauss,
    /// Two spirals.
    Spiral,
    /// A tilted plane (regression).
    Plane,
    /// Six gaussian bumps (regression).
    MultiGauss,
    /// Two interleaved half circles.
    Moons,
}

impl Problem {
    /// Every problem.
    pub const ALL: [Problem; 7] = [
        Problem::Circle,
        Problem::Xor,
        Problem::Gauss,
        Problem::Spiral,
        Problem::Plane,
        Problem::MultiGauss,
        Problem::Moons,
    ];

    /// The command-line name.
    pub fn name(self) -> &'static str {
        match self {
            Problem::Circle => "circle",
            Problem::Xor => "xor",
            Problem::Gauss => "gauss",
            Problem::Spiral => "spiral",
            Problem::Plane => "plane",
            Problem::MultiGauss => "multigauss",
            Problem::Moons => "moons",
        }
    }

    /// Classification or regression.
    pub fn task(self) -> Task {
        match self {
            Problem::Plane | Problem::MultiGauss => Task::Regression,
            _ => Task::Classification,
        }
    }

    /// `n` samples with noise level `noise` (the playground's slider: 0 to 0.5; for
    /// `moons`, the standard deviation of the gaussian noise).
    ///
    /// # Errors
    /// [`Error::InvalidSetting`] (`samples`) if `n < 2`; (`noise`) if `noise` is negative
    /// or not finite.
    ///
    /// # Examples
    /// ```
    /// use nn::datasets::Problem;
    /// use rand::{rngs::StdRng, SeedableRng};
    ///
    /// let data = Problem::Spiral.generate(200, 0.0, &mut StdRng::seed_from_u64(1))?;
    /// assert_eq!(data.points.dim(), (200, 2));
    /// assert_eq!(data.labels.iter().filter(|&&y| y == 1.0).count(), 100);
    /// # Ok::<(), nn::Error>(())
    /// ```
    pub fn generate(self, n: usize, noise: f64, rng: &mut impl Rng) -> Result<Dataset> {
        if n < 2 {
            return Err(Error::invalid(
                "samples",
                format!("need at least 2 samples, got {n}"),
            ));
        }
        if !(noise.is_finite() && noise >= 0.0) {
            return Err(Error::invalid(
                "noise",
                format!("the noise level must be finite and ≥ 0, got {noise}"),
            ));
        }
        let mut rows: Vec<[f64; 3]> = Vec::with_capacity(n);
        match self {
            Problem::Circle => circle(n, noise, rng, &mut rows),
            Problem::Xor => xor(n, noise, rng, &mut rows),
            Problem::Gauss => gauss(n, noise, rng, &mut rows),
            Problem::Spiral => spiral(n, noise, rng, &mut rows),
            Problem::Plane => plane(n, noise, rng, &mut rows),
            Problem::MultiGauss => multigauss(n, noise, rng, &mut rows),
            Problem::Moons => moons(n, noise, rng, &mut rows),
        }
        let points = Array2::from_shape_fn((n, 2), |(i, j)| rows[i][j]);
        let labels = Array1::from_iter(rows.iter().map(|r| r[2]));
        Ok(Dataset {
            points,
            labels,
            task: self.task(),
            names: vec!["x1".into(), "x2".into()],
        })
    }
}

fn uniform(rng: &mut impl Rng, lo: f64, hi: f64) -> f64 {
    lo + (hi - lo) * rng.random::<f64>()
}

fn sign(v: f64) -> f64 {
    if v >= 0.0 {
        1.0
    } else {
        -1.0
    }
}

fn circle(n: usize, noise: f64, rng: &mut impl Rng, rows: &mut Vec<[f64; 3]>) {
    let radius = 5.0;
    for i in 0..n {
        // first half inside, second half in the ring
        let (lo, hi) = if i < n / 2 {
            (0.0, radius * 0.5)
        } else {
            (radius * 0.7, radius)
        };
        let r = uniform(rng, lo, hi);
        let angle = uniform(rng, 0.0, TAU);
        let (x, y) = (r * angle.sin(), r * angle.cos());
        let nx = uniform(rng, -radius, radius) * noise;
        let ny = uniform(rng, -radius, radius) * noise;
        let inside = (x + nx).hypot(y + ny) < radius * 0.5;
        rows.push([x, y, if inside { 1.0 } else { -1.0 }]);
    }
}

fn xor(n: usize, noise: f64, rng: &mut impl Rng, rows: &mut Vec<[f64; 3]>) {
    let padding = 0.3;
    for _ in 0..n {
        let mut x = uniform(rng, -5.0, 5.0);
        x += if x > 0.0 { padding } else { -padding };
        let mut y = uniform(rng, -5.0, 5.0);
        y += if y > 0.0 { padding } else { -padding };
        let nx = uniform(rng, -5.0, 5.0) * noise;
        let ny = uniform(rng, -5.0, 5.0) * noise;
        rows.push([x, y, sign((x + nx) * (y + ny))]);
    }
}

fn gauss(n: usize, noise: f64, rng: &mut impl Rng, rows: &mut Vec<[f64; 3]>) {
    // the playground maps noise 0..0.5 linearly to variance 0.5..4
    let sd = (0.5 + 7.0 * noise).sqrt();
    for i in 0..n {
        let (c, label) = if i < n / 2 { (2.0, 1.0) } else { (-2.0, -1.0) };
        let x = c + sd * standard_normal(rng);
        let y = c + sd * standard_normal(rng);
        rows.push([x, y, label]);
    }
}

fn spiral(n: usize, noise: f64, rng: &mut impl Rng, rows: &mut Vec<[f64; 3]>) {
    let half = n / 2;
    for (count, delta, label) in [(half, 0.0, 1.0), (n - half, PI, -1.0)] {
        for i in 0..count {
            let r = i as f64 / count as f64 * 5.0;
            let t = 1.75 * i as f64 / count as f64 * TAU + delta;
            let x = r * t.sin() + uniform(rng, -1.0, 1.0) * noise;
            let y = r * t.cos() + uniform(rng, -1.0, 1.0) * noise;
            rows.push([x, y, label]);
        }
    }
}

fn plane(n: usize, noise: f64, rng: &mut impl Rng, rows: &mut Vec<[f64; 3]>) {
    let radius = 6.0;
    for _ in 0..n {
        let x = uniform(rng, -radius, radius);
        let y = uniform(rng, -radius, radius);
        let nx = uniform(rng, -radius, radius) * noise;
        let ny = uniform(rng, -radius, radius) * noise;
        // the playground scales x + y from [−10, 10] to [−1, 1]
        rows.push([x, y, (x + nx + y + ny) / 10.0]);
    }
}

fn multigauss(n: usize, noise: f64, rng: &mut impl Rng, rows: &mut Vec<[f64; 3]>) {
    const BUMPS: [[f64; 3]; 6] = [
        [-4.0, 2.5, 1.0],
        [0.0, 2.5, -1.0],
        [4.0, 2.5, 1.0],
        [-4.0, -2.5, -1.0],
        [0.0, -2.5, 1.0],
        [4.0, -2.5, -1.0],
    ];
    let label = |x: f64, y: f64| {
        // each bump: sign · (1 − distance/2) clamped to [0, 1]; the largest in size wins
        BUMPS.iter().fold(0.0_f64, |best, &[cx, cy, s]| {
            let v = s * (1.0 - (x - cx).hypot(y - cy) / 2.0).clamp(0.0, 1.0);
            if v.abs() > best.abs() {
                v
            } else {
                best
            }
        })
    };
    let radius = 6.0;
    for _ in 0..n {
        let x = uniform(rng, -radius, radius);
        let y = uniform(rng, -radius, radius);
        let nx = uniform(rng, -radius, radius) * noise;
        let ny = uniform(rng, -radius, radius) * noise;
        rows.push([x, y, label(x + nx, y + ny)]);
    }
}

fn moons(n: usize, noise: f64, rng: &mut impl Rng, rows: &mut Vec<[f64; 3]>) {
    let outer = n / 2;
    let inner = n - outer;
    // linspace(0, π, count), endpoints included
    let angle = |i: usize, count: usize| {
        if count > 1 {
            PI * i as f64 / (count - 1) as f64
        } else {
            0.0
        }
    };
    for i in 0..outer {
        let t = angle(i, outer);
        rows.push([t.cos(), t.sin(), -1.0]);
    }
    for i in 0..inner {
        let t = angle(i, inner);
        rows.push([1.0 - t.cos(), 0.5 - t.sin(), 1.0]);
    }
    for row in rows.iter_mut() {
        row[0] += noise * standard_normal(rng);
        row[1] += noise * standard_normal(rng);
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Problem {
    type Err = Error;

    /// # Errors
    /// [`Error::InvalidSetting`] for `problem` on an unknown name.
    fn from_str(s: &str) -> Result<Self> {
        Problem::ALL
            .into_iter()
            .find(|p| p.name() == s)
            .ok_or_else(|| {
                Error::invalid(
                    "problem",
                    format!(
                        "unknown problem '{s}' (expected circle, xor, gauss, spiral, plane, \
                     multigauss or moons)"
                    ),
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{rngs::StdRng, SeedableRng};

    fn data(p: Problem, noise: f64) -> Dataset {
        p.generate(400, noise, &mut StdRng::seed_from_u64(5))
            .expect("valid")
    }

    #[test]
    fn noiseless_labels_follow_each_rule() {
        let d = data(Problem::Circle, 0.0);
        for (row, &y) in d.points.rows().into_iter().zip(&d.labels) {
            assert_eq!(y == 1.0, row[0].hypot(row[1]) < 2.5);
        }
        let d = data(Problem::Xor, 0.0);
        for (row, &y) in d.points.rows().into_iter().zip(&d.labels) {
            assert_eq!(y, sign(row[0] * row[1]));
            assert!(row[0].abs() >= 0.3 && row[1].abs() >= 0.3);
        }
        let d = data(Problem::Plane, 0.0);
        for (row, &y) in d.points.rows().into_iter().zip(&d.labels) {
            assert!((y - (row[0] + row[1]) / 10.0).abs() < 1e-15);
        }
        let d = data(Problem::Moons, 0.0);
        for (row, &y) in d.points.rows().into_iter().zip(&d.labels) {
            // the outer moon lies on the unit circle, the inner on the circle round (1, 0.5)
            let r = if y < 0.0 {
                row[0].hypot(row[1])
            } else {
                (row[0] - 1.0).hypot(row[1] - 0.5)
            };
            assert!((r - 1.0).abs() < 1e-12);
        }
    }

    #[test]
    fn classes_are_balanced_and_generation_is_seeded() {
        // circle labels come from the noisy point, so balance holds without noise only
        for (p, noise) in [
            (Problem::Circle, 0.0),
            (Problem::Gauss, 0.1),
            (Problem::Spiral, 0.1),
            (Problem::Moons, 0.1),
        ] {
            let d = data(p, noise);
            assert_eq!(d.labels.iter().filter(|&&y| y == 1.0).count(), 200, "{p}");
            assert_eq!(d, data(p, noise), "{p}");
        }
        let d = data(Problem::MultiGauss, 0.0);
        assert!(d.labels.iter().all(|y| (-1.0..=1.0).contains(y)));
        assert!(d.labels.iter().any(|&y| y > 0.5) && d.labels.iter().any(|&y| y < -0.5));
    }

    #[test]
    fn bad_parameters_name_the_setting() {
        let mut rng = StdRng::seed_from_u64(1);
        let e = Problem::Xor.generate(1, 0.0, &mut rng).unwrap_err();
        assert_eq!(e.setting(), Some("samples"), "{e}");
        let e = Problem::Xor.generate(10, -0.1, &mut rng).unwrap_err();
        assert_eq!(e.setting(), Some("noise"), "{e}");
        let e = "spirals".parse::<Problem>().unwrap_err();
        assert_eq!(e.setting(), Some("problem"), "{e}");
    }
}
