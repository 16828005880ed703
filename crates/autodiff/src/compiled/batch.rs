//! Batch lanes: one [`Tape`] evaluated over many samples at once.
//!
//! Samples are the rows of an `ndarray` matrix. The first `data.ncols()` tape inputs take
//! their values from the columns (one value per sample); the remaining inputs are shared
//! parameters, the same for every sample. Rows are processed in chunks of up to 128 (fewer
//! for large tapes, so that a chunk's rows stay in the core's L2 cache): every data column
//! and op holds one value per sample of the chunk, so each op runs as one loop over the
//! chunk's samples (simple loops the compiler vectorises where the op allows); parameters
//! stay single numbers. Partials that are constants or copies of a value (`+`, `−`, `·`,
//! `eˣ`) are not stored but read where they are, and only the sweep steps that reach a
//! parameter run; an op whose adjoint would be a copy of another's (an operand of `+`)
//! shares its row; a product that only a sum reads is multiplied and added in one loop (a
//! neuron's `z + w·x`), never stored. A chunk with an infinite or NaN value is replayed row
//! by row instead, so that NaN partials reach the gradient as with [`Tape::gradient`]. The
//! buffers are kept per thread between calls, so a training loop calling `batch` again
//! and again does not allocate them again.
//!
//! Each chunk's output sum and parameter gradient are summed over its lanes in a fixed
//! order, and the chunks' results are then added in row order. [`Tape::par_batch`] spreads
//! the same chunks over threads and adds their results in the same order, so it returns
//! exactly what [`Tape::batch`] returns (no reassociation tolerance is needed: the
//! tolerance is 0). Against a plain running sum over the rows (one sample at a time, as
//! with [`Tape::gradient`]), the grouping differs: expect a relative difference of about
//! `n · ε` in the worst case for `n` rows (ε = 2.2e-16), far less when terms share a sign.
//! Per-sample outputs are bit for bit those of [`Tape::value`].
//!
//! The lanes run a *lane program* built once per tape and column count: its form is
//! described in `batch/program.rs`, built by `plan.rs` then `fuse.rs`, and run by
//! `lanes.rs` through the loops of `kernels.rs`. Hessian-vector products over the rows
//! ([`Tape::batch_hvp`]) run in lanes of their own (`hvp.rs`, `hvp_lanes.rs`).

mod dispatch;
mod fuse;
mod hvp;
mod hvp_lanes;
mod kernels;
mod lanes;
mod plan;
mod program;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use ndarray::{Array1, ArrayView2, Axis, Slice};

use crate::{Error, Result, Tape};
pub use hvp::BatchHvp;
use lanes::Lanes;

/// Numbers in the lane rows of a task of [`Tape::par_batch`] (its chunks' values and
/// adjoints), at most, unless one chunk holds more: a task is then one chunk. A few
/// microseconds of work, so that a thread that starts late still finds tasks left, and
/// threads meet rarely: some ten chunks (over 1,000 rows) of the lecture tape, one chunk of
/// a tape whose chunk alone is that much work.
const TASK_NUMBERS: usize = 3 << 13;

/// What [`Tape::batch`] returns: per-sample outputs, their sum, and the gradient of the sum
/// with respect to the shared parameters.
#[derive(Clone, Debug, PartialEq)]
pub struct BatchOutput {
    /// The tape's output for each row of the data, in row order.
    pub outputs: Array1<f64>,
    /// `Σ outputs`.
    pub sum: f64,
    /// `∂(Σ outputs)/∂param` for each shared parameter, in order (0 for constant leaves).
    pub gradient: Vec<f64>,
}

impl BatchOutput {
    /// Number of samples (rows).
    pub fn len(&self) -> usize {
        self.outputs.len()
    }

    /// Whether there are no samples (never, for a batch that returned `Ok`).
    pub fn is_empty(&self) -> bool {
        self.outputs.is_empty()
    }

    /// The mean output, `sum / len`.
    pub fn mean(&self) -> f64 {
        self.sum / self.len() as f64
    }

    /// The gradient of the mean output with respect to the parameters, `gradient / len`.
    pub fn mean_gradient(&self) -> Vec<f64> {
        let n = self.len() as f64;
        self.gradient.iter().map(|g| g / n).collect()
    }
}

impl Tape {
    /// Evaluates the tape on every row of `data` (single-threaded): the first
    /// `data.ncols()` inputs are per-sample columns, the rest are `params`.
    ///
    /// # Errors
    /// - [`Error::Shape`] if `data` has no rows or more columns than the tape has inputs,
    ///   or if `params` does not supply exactly the remaining inputs;
    /// - [`Error::BranchChanged`] if a row flips a guard of the tape (see [`Tape`]): the
    ///   error of the first such row in row order (its `row`), and no outputs.
    ///
    /// # Complexity
    /// **O(rows · (ops + edges))** time; **O(128 · slots)** extra space (kept per thread).
    ///
    /// # Examples
    /// ```
    /// use autodiff::{Graph, Tape};
    /// use ndarray::array;
    ///
    /// let g = Graph::new();
    /// let x = g.constant(0.0); // per-sample data
    /// let w = g.var(0.0); // shared parameter
    /// let y = (w * x).square(); // y = (wx)²
    /// let tape = Tape::compile(y, &[x, w])?;
    /// let out = tape.batch(array![[1.0], [2.0], [3.0]].view(), &[2.0])?;
    /// assert_eq!(out.outputs.to_vec(), vec![4.0, 16.0, 36.0]);
    /// assert_eq!(out.sum, 56.0);
    /// assert_eq!(out.gradient, vec![56.0]); // Σ ∂y/∂w = Σ 2w x² = 2·2·14
    /// assert_eq!(out.mean_gradient(), vec![56.0 / 3.0]);
    /// # Ok::<(), autodiff::Error>(())
    /// ```
    pub fn batch(&self, data: ArrayView2<'_, f64>, params: &[f64]) -> Result<BatchOutput> {
        self.check_batch(&data, params)?;
        let mut outputs = vec![0.0; data.nrows()];
        let mut lanes = Lanes::take(self, data.ncols(), params, data.nrows());
        let width = lanes.width();
        let mut sum = 0.0;
        let mut gradient = vec![0.0; params.len()];
        // the first chunk's gradient written in place (`+0` turns a `−0` into the `+0` that
        // `0 + −0` gives); a buffer for the others' only when there are others
        let mut chunk_gradient = Vec::new();
        for (c, out) in outputs.chunks_mut(width).enumerate() {
            let rows = data.slice_axis(Axis(0), Slice::from(c * width..c * width + out.len()));
            if c > 0 {
                chunk_gradient.resize(params.len(), 0.0);
            }
            let into = if c == 0 {
                &mut gradient
            } else {
                &mut chunk_gradient
            };
            match lanes.run(self, rows, out, into) {
                Ok(chunk_sum) => sum += chunk_sum,
                Err(e) => {
                    lanes.give_back();
                    return Err(e.at_row(c * width));
                }
            }
            if c == 0 {
                gradient.iter_mut().for_each(|g| *g += 0.0);
                continue;
            }
            add_to(&mut gradient, &chunk_gradient);
        }
        lanes.give_back();
        Ok(BatchOutput {
            outputs: Array1::from_vec(outputs),
            sum,
            gradient,
        })
    }

    /// [`Tape::batch`] with the chunks of rows spread over threads (rayon's global pool),
    /// a few chunks at a time for a small tape (1024 rows of the lecture net): data of one
    /// such task or less is done on this thread, as [`Tape::batch`] does it. The result is
    /// identical to [`Tape::batch`]'s, bit for bit (see the module docs).
    ///
    /// # Errors
    /// As [`Tape::batch`].
    ///
    /// # Complexity
    /// **O(rows · (ops + edges) / threads)** time; **O(128 · slots)** extra space per
    /// thread.
    pub fn par_batch(&self, data: ArrayView2<'_, f64>, params: &[f64]) -> Result<BatchOutput> {
        self.check_batch(&data, params)?;
        let columns = data.ncols();
        let lanes = Lanes::take(self, columns, params, data.nrows());
        let (width, numbers) = (lanes.width(), lanes.chunk_numbers());
        lanes.give_back();
        let chunks = data.nrows().div_ceil(width);
        let per_task = (TASK_NUMBERS / numbers.max(1)).max(1);
        let threads = rayon::current_num_threads().min(chunks.div_ceil(per_task));
        if threads <= 1 {
            // nothing to spread: the same chunks, without waking the thread pool
            return self.batch(data, params);
        }
        // Runs of chunks (tasks) are handed out one at a time from a shared counter, to this
        // thread and to `threads − 1` pool threads: this thread starts at once, and a pool
        // thread that wakes late takes fewer tasks. Each chunk's sum and gradient have their
        // own place, and they are added in row order as `batch` adds them. A task holds
        // several chunks so that threads meet at the counter and at the tasks' locks (and on
        // the cache lines around them) once per task rather than once per chunk.
        let p = params.len();
        // each chunk's gradient at a stride of at least one, so that every chunk has a place
        // even without parameters
        let stride = p.max(1);
        let mut outputs = vec![0.0; data.nrows()];
        let mut sums = vec![0.0; chunks];
        let mut gradients = vec![0.0; chunks * stride];
        let tasks: Vec<_> = outputs
            .chunks_mut(width * per_task)
            .zip(sums.chunks_mut(per_task))
            .zip(gradients.chunks_mut(per_task * stride))
            .map(Mutex::new)
            .collect();
        let next = AtomicUsize::new(0);
        // the error of the first row, in row order, that flips a guard
        let flipped: Mutex<Option<Error>> = Mutex::new(None);
        let work = || {
            let mut lanes = Lanes::take(self, columns, params, data.nrows());
            loop {
                let t = next.fetch_add(1, Ordering::Relaxed);
                let Some(task) = tasks.get(t) else { break };
                let mut task = task
                    .lock()
                    .expect("autodiff internal error: a task panicked");
                let ((out, sums), gradients) = &mut *task;
                let chunks = out.chunks_mut(width).zip(sums.iter_mut());
                for (k, (out, sum)) in chunks.enumerate() {
                    let first = (t * per_task + k) * width;
                    let rows = data.slice_axis(Axis(0), Slice::from(first..first + out.len()));
                    let gradient = &mut gradients[k * stride..k * stride + p];
                    match lanes.run(self, rows, out, gradient) {
                        Ok(chunk_sum) => *sum = chunk_sum,
                        Err(e) => keep_first_row(&flipped, e.at_row(first)),
                    }
                }
            }
            lanes.give_back();
        };
        rayon::in_place_scope(|scope| {
            for _ in 1..threads {
                scope.spawn(|_| work());
            }
            work();
        });
        drop(tasks);
        if let Some(e) = flipped
            .into_inner()
            .expect("autodiff internal error: a task panicked")
        {
            return Err(e);
        }
        let mut sum = 0.0;
        let mut gradient = vec![0.0; p];
        for (chunk_sum, chunk_gradient) in sums.iter().zip(gradients.chunks(stride)) {
            sum += chunk_sum;
            add_to(&mut gradient, &chunk_gradient[..p]);
        }
        Ok(BatchOutput {
            outputs: Array1::from_vec(outputs),
            sum,
            gradient,
        })
    }

    fn check_batch(&self, data: &ArrayView2<'_, f64>, params: &[f64]) -> Result<()> {
        if data.nrows() == 0 || data.ncols() > self.inputs {
            return Err(Error::Shape {
                what: "batch data",
                expected: format!(
                    "[rows ≥ 1, columns ≤ {}] (one row per sample, at most the tape's inputs)",
                    self.inputs
                ),
                found: data.shape().to_vec(),
            });
        }
        let expected = self.inputs - data.ncols();
        if params.len() != expected {
            return Err(Error::Shape {
                what: "batch parameters",
                expected: format!(
                    "[{expected}] (the tape's {} inputs less {} data columns)",
                    self.inputs,
                    data.ncols()
                ),
                found: vec![params.len()],
            });
        }
        Ok(())
    }
}

/// Keeps in `first` whichever of it and `e` names the earlier row.
pub(super) fn keep_first_row(first: &Mutex<Option<Error>>, e: Error) {
    let row = |e: &Error| match e {
        Error::BranchChanged { row, .. } => row.unwrap_or(0),
        _ => 0,
    };
    let mut first = first
        .lock()
        .expect("autodiff internal error: a task panicked");
    if first.as_ref().is_none_or(|f| row(&e) < row(f)) {
        *first = Some(e);
    }
}

fn add_to(total: &mut [f64], part: &[f64]) {
    for (t, p) in total.iter_mut().zip(part) {
        *t += p;
    }
}

#[cfg(test)]
mod tests;
