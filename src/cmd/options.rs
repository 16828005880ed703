//! Parsers for option values (`--weights 2,1,0.5`, `--range -10,10`, `--lr 0.01`) and the
//! point options shared by `check` and `graph`.

use autodiff::{Graph, Var};
use clap::Args;
use lecture::layers::Layers;
use lecture::{LectureNet, Net, Point};

use super::Error;

/// A comma-separated list of finite numbers, as one option value (`--weights 2,1,0.5`).
#[derive(Clone, Debug, PartialEq)]
pub struct Numbers(pub Vec<f64>);

/// A comma-separated list of finite numbers: `2,1,0.5`.
///
/// # Errors
/// A message naming the bad item (clap adds the option's name).
pub fn numbers(s: &str) -> Result<Numbers, String> {
    list(s).map(Numbers)
}

fn list(s: &str) -> Result<Vec<f64>, String> {
    s.split(',')
        .enumerate()
        .map(|(i, item)| {
            let x = finite(item.trim()).map_err(|e| format!("item {}: {e}", i + 1))?;
            Ok(x)
        })
        .collect()
}

/// A finite number.
///
/// # Errors
/// If `s` is not a number, or is NaN or infinite (`1e400` included).
pub fn finite(s: &str) -> Result<f64, String> {
    let x: f64 = s
        .trim()
        .parse()
        .map_err(|_| format!("'{s}' is not a number"))?;
    if x.is_finite() {
        Ok(x)
    } else {
        Err(format!("'{s}' is not a finite number"))
    }
}

/// `x` for a message: `100`, `0.03`, but `1e308` rather than 309 digits.
pub fn short(x: f64) -> String {
    if x != 0.0 && !(1e-4..1e6).contains(&x.abs()) {
        format!("{x:e}")
    } else {
        x.to_string()
    }
}

/// A finite number greater than 0.
///
/// # Errors
/// If `s` is not such a number.
pub fn positive(s: &str) -> Result<f64, String> {
    let x = finite(s)?;
    if x > 0.0 {
        Ok(x)
    } else {
        Err(format!("'{s}' must be greater than 0"))
    }
}

/// A whole number ≥ 1.
///
/// # Errors
/// If `s` is not such a number.
pub fn count(s: &str) -> Result<usize, String> {
    match s.trim().parse::<usize>() {
        Ok(n) if n >= 1 => Ok(n),
        _ => Err(format!("'{s}' must be a whole number of at least 1")),
    }
}

/// A seed: a whole number from 0 to 2⁶⁴ − 1 (a negative one is named as such, rather than
/// taken for an option).
///
/// # Errors
/// If `s` is not such a number.
pub fn seed(s: &str) -> Result<u64, String> {
    let t = s.trim();
    match t.parse::<u64>() {
        Ok(n) => Ok(n),
        Err(_) if t.starts_with('-') && t[1..].parse::<u64>().is_ok() => {
            Err("must be ≥ 0".to_string())
        }
        Err(_) => Err(format!(
            "'{s}' must be a whole number from 0 to {}",
            u64::MAX
        )),
    }
}

/// `lo,hi`: two finite numbers with `lo < hi` and a finite width `hi - lo`.
///
/// # Errors
/// If `s` is not such a pair.
pub fn range(s: &str) -> Result<(f64, f64), String> {
    match *list(s)?.as_slice() {
        [lo, hi] if lo < hi && (hi - lo).is_finite() => Ok((lo, hi)),
        [lo, hi] if lo < hi => Err(format!("'{s}' is too wide: hi - lo overflows")),
        [_, _] => Err(format!("'{s}': lo must be less than hi")),
        _ => Err(format!("'{s}' must be two numbers lo,hi")),
    }
}

/// Refuses a plot folder `dir` given by `option` that exists and is not a folder, before
/// any work is done (a missing folder is made when the plots are written).
///
/// # Errors
/// [`Error::Option`] naming `option` and `dir`.
pub fn check_plot_folder(option: &str, dir: Option<&std::path::Path>) -> Result<(), Error> {
    match dir {
        Some(dir) if dir.exists() && !dir.is_dir() => Err(Error::Option(format!(
            "invalid {option}: {} is not a folder",
            dir.display()
        ))),
        _ => Ok(()),
    }
}

/// Checks that `weights` fits `net`, naming the option otherwise.
///
/// # Errors
/// [`Error::Option`] naming `option` and the expected count.
pub fn check_count(option: &str, net: Net, weights: &[f64]) -> Result<(), Error> {
    net.check_weights(weights)
        .map_err(|e| Error::Option(format!("{option}: {e}")))
}

/// Where to evaluate the net: `--net`, `--weights`, `--s0`, `--target` (defaults: the
/// slides' point).
#[derive(Args, Debug, Clone)]
pub struct PointArgs {
    /// Network: lecture, two-node or chain:N.
    #[arg(long, default_value = "lecture")]
    pub net: Net,
    /// Weights w0,w1,… [default: 2,1,0.5 for the lecture net, 1,0.5,1,0.5,… for --layers,
    /// else all 1]
    #[arg(long, value_parser = numbers, allow_hyphen_values = true)]
    pub weights: Option<Numbers>,
    /// Input s0.
    #[arg(long, default_value_t = 2.0, value_parser = finite, allow_hyphen_values = true)]
    pub s0: f64,
    /// Target output.
    #[arg(long, default_value_t = 0.7, value_parser = finite, allow_hyphen_values = true)]
    pub target: f64,
}

/// The point options and `--json`: all that `check` and `trace` take.
#[derive(Args, Debug, Clone)]
pub struct PointJsonArgs {
    /// Where to evaluate the net.
    #[command(flatten)]
    pub point: PointArgs,
    /// Print one JSON object instead of text.
    #[arg(long)]
    pub json: bool,
}

/// The point options and `--layers`, a small MLP instead of a lecture net: what `explain`
/// and `trace` take.
#[derive(Args, Debug, Clone)]
pub struct NetPointArgs {
    /// Where to evaluate the net.
    #[command(flatten)]
    pub point: PointArgs,
    /// A small MLP instead of --net: layer sizes, inputs first, output 1 (e.g. 1,2,1).
    ///
    /// Inputs s0 (each equal to --s0; named s0.0, s0.1, … when there are several), hidden
    /// sigmoid layers of the given sizes (x = Σ w·s, s = S(x); neuron j of layer l is
    /// xl.j, sl.j, or xl, sl alone in its layer), a linear output out = Σ w·s, and
    /// C = ½ (target − out)². No biases. Weights w0, w1, … are numbered layer by layer from
    /// the input, within a layer by receiving neuron, then sending neuron; they are
    /// 1, 0.5, 1, 0.5, … unless --weights gives them all. Each size 1..=64, at most 4096
    /// weights.
    #[arg(long, value_name = "SIZES", conflicts_with = "net")]
    pub layers: Option<Layers>,
}

/// A net recorded from the command line: what `explain` and `trace` read.
pub struct Recorded<'g> {
    /// The net's name: `lecture`, `chain:4`, `layers:1,2,1`.
    pub net: String,
    /// Where it is evaluated.
    pub point: Point,
    /// `w0, w1, …`
    pub weights: Vec<Var<'g>>,
    /// `C`.
    pub cost: Var<'g>,
}

impl<'g> Recorded<'g> {
    /// A lecture net recorded at `point`.
    pub fn lecture(net: &LectureNet<'g>, point: Point) -> Self {
        Recorded {
            net: net.net.to_string(),
            point,
            weights: net.weights.clone(),
            cost: net.cost,
        }
    }
}

impl NetPointArgs {
    /// Records the net these options describe on `g`, checking that it is finite.
    ///
    /// # Errors
    /// [`Error::Option`] if `--weights` does not fit `--net` or `--layers` (naming both),
    /// or the net overflows.
    pub fn record<'g>(&self, g: &'g Graph) -> Result<Recorded<'g>, Error> {
        let recorded = match &self.layers {
            None => {
                let point = self.point.point()?;
                let built = self.point.net.build(g, &point)?;
                Recorded::lecture(&built, point)
            }
            Some(layers) => {
                let n = layers.n_weights();
                let weights = match &self.point.weights {
                    Some(w) => w.0.clone(),
                    None => Layers::default_weights(n),
                };
                if weights.len() != n {
                    return Err(Error::Option(format!(
                        "--weights: --layers {layers} has {n} weights, got {}",
                        weights.len()
                    )));
                }
                let point = Point {
                    weights,
                    s0: self.point.s0,
                    target: self.point.target,
                };
                let built = layers.build(g, &point)?;
                Recorded {
                    net: format!("layers:{layers}"),
                    point,
                    weights: built.weights,
                    cost: built.cost,
                }
            }
        };
        check_finite(g, recorded.cost)?;
        Ok(recorded)
    }
}

impl PointArgs {
    /// The point these options describe.
    ///
    /// # Errors
    /// [`Error::Option`] if `--weights` does not fit `--net`.
    pub fn point(&self) -> Result<Point, Error> {
        let weights = match (&self.weights, self.net) {
            (Some(w), _) => w.0.clone(),
            (None, Net::Lecture) => Point::slides().weights,
            (None, net) => vec![1.0; net.n_weights()],
        };
        check_count("--weights", self.net, &weights)?;
        Ok(Point {
            weights,
            s0: self.s0,
            target: self.target,
        })
    }
}

/// Checks that the net recorded at the point options has finite values, partials and
/// adjoints of `cost`: overflowing weights give an error naming the options, not `inf`
/// in a table or `null` in JSON.
///
/// # Errors
/// [`Error::Option`] naming the point options and the first node that is not finite.
pub fn check_finite(g: &Graph, cost: Var<'_>) -> Result<(), Error> {
    g.check_finite()
        .and_then(|()| cost.backward().check_finite())
        .map_err(|e| {
            Error::Option(format!(
                "--weights, --s0, --target: the net overflows at this point: {e}"
            ))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn number_lists_reject_non_finite_and_garbage() {
        assert_eq!(numbers("2, 1,0.5").unwrap(), Numbers(vec![2.0, 1.0, 0.5]));
        assert_eq!(numbers("1,x").unwrap_err(), "item 2: 'x' is not a number");
        assert!(numbers("1e400")
            .unwrap_err()
            .contains("not a finite number"));
        assert!(numbers("NaN").is_err());
        assert!(numbers("").is_err());
    }

    #[test]
    fn ranges_counts_and_rates_are_checked() {
        assert_eq!(range("-10,10").unwrap(), (-10.0, 10.0));
        assert!(range("10,-10").is_err());
        assert!(range("1,2,3").is_err());
        assert!(range("-1e308,1e308").unwrap_err().contains("too wide"));
        assert_eq!(seed("-1").unwrap_err(), "must be ≥ 0");
        assert!(seed("18446744073709551616")
            .unwrap_err()
            .contains("from 0 to"));
        assert_eq!(seed("18446744073709551615").unwrap(), u64::MAX);
        assert!(count("0").is_err());
        assert!(count("-3").is_err());
        assert_eq!(count("7").unwrap(), 7);
        assert!(positive("0").is_err());
        assert!(positive("-0.1").is_err());
    }
}
