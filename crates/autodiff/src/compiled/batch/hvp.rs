//! [`Tape::batch_hvp`] and [`Tape::par_batch_hvp`]: the Hessian-vector product of a sum
//! (or mean) over rows of data, with respect to the shared parameters, in batch lanes.
//!
//! Each chunk of rows runs forward over reverse in lanes (`hvp_lanes.rs`): every sample
//! gets the very numbers [`Tape::hvp`] gives it. A chunk's samples are summed in row
//! order, starting from 0, and the chunks' sums are then added in row order, by both
//! calls alike, so the parallel result is the serial one bit for bit. Against one running
//! sum over all rows (the plain loop over [`Tape::hvp`]) only the grouping of the
//! additions differs: one sum per chunk of up to 128 rows.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use ndarray::{Array1, ArrayView2, Axis, Slice};

use super::hvp_lanes::HvpLanes;
use super::{add_to, keep_first_row, BatchOutput, TASK_NUMBERS};
use crate::{Error, Result, Tape};

/// What [`Tape::batch_hvp`] returns: what [`Tape::batch`] returns (per-sample outputs,
/// their sum and its gradient), and the Hessian-vector product of the sum with respect to
/// the shared parameters.
#[derive(Clone, Debug, PartialEq)]
pub struct BatchHvp {
    /// The outputs, their sum and its gradient, as [`Tape::batch`] gives them (equal to
    /// rounding: the sums are grouped differently, see the module docs).
    pub batch: BatchOutput,
    /// `H v`, with `H` the Hessian of `Σ outputs` with respect to the parameters and `v`
    /// the direction given (0 for constant leaves).
    pub hvp: Vec<f64>,
}

impl BatchHvp {
    /// The Hessian of the mean output times the direction, `hvp / len`.
    pub fn mean_hvp(&self) -> Vec<f64> {
        let n = self.batch.len() as f64;
        self.hvp.iter().map(|h| h / n).collect()
    }
}

impl Tape {
    /// The Hessian-vector product of the output summed over the rows of `data`, with
    /// respect to the shared parameters, along `direction` (one number per parameter),
    /// with the sum and its gradient; single-threaded. Inputs as in [`Tape::batch`]: the
    /// first `data.ncols()` are per-sample columns, the rest are `params`.
    ///
    /// Each sample's output, gradient and `H v` are bit for bit those of [`Tape::hvp`] at
    /// that row (with a zero direction over the data columns), NaN and infinities
    /// included; the sums group the samples by chunks (see the module docs), so they
    /// equal a plain running sum over [`Tape::hvp`] to rounding (about `rows · ε`
    /// relative in the worst case, far less when terms share a sign).
    ///
    /// # Errors
    /// [`Error::Shape`] if `data` has no rows or more columns than the tape has inputs, if
    /// `params` does not supply exactly the remaining inputs, or if `direction` is not as
    /// long as `params`.
    ///
    /// # Complexity
    /// **O(rows · (ops + edges))** time, about two gradients' work per row;
    /// **O(128 · slots)** extra space, at most 256 MiB of lanes: a larger tape (half a
    /// million slots and ops) runs each row through [`Tape::hvp`], in one workspace.
    ///
    /// # Examples
    /// ```
    /// use autodiff::{Graph, Tape};
    /// use ndarray::array;
    ///
    /// // C = ½ (y − w x)² per row (x, y): ∂²C/∂w² = x², so H v = Σ x² · v
    /// let g = Graph::new();
    /// let (x, y, w) = (g.constant(0.0), g.constant(0.0), g.var(0.0));
    /// let c = 0.5 * (y - w * x).square();
    /// let tape = Tape::compile(c, &[x, y, w])?;
    /// let out = tape.batch_hvp(array![[1.0, 2.0], [2.0, 3.0]].view(), &[1.0], &[0.5])?;
    /// assert_eq!(out.batch.sum, 1.0); // ½ (2 − 1)² + ½ (3 − 2)²
    /// assert_eq!(out.batch.gradient, [-3.0]); // Σ −x (y − w x)
    /// assert_eq!(out.hvp, [2.5]); // (1 + 4) · 0.5
    /// assert_eq!(out.mean_hvp(), [1.25]);
    /// # Ok::<(), autodiff::Error>(())
    /// ```
    pub fn batch_hvp(
        &self,
        data: ArrayView2<'_, f64>,
        params: &[f64],
        direction: &[f64],
    ) -> Result<BatchHvp> {
        self.check_batch_hvp(&data, params, direction)?;
        let p = params.len();
        let mut lanes = HvpLanes::new(self, data.ncols(), params, direction);
        let width = lanes.width();
        let mut outputs = vec![0.0; data.nrows()];
        let mut chunk = vec![0.0; 1 + 2 * p];
        let mut total = vec![0.0; 1 + 2 * p];
        for (c, out) in outputs.chunks_mut(width).enumerate() {
            let rows = data.slice_axis(Axis(0), Slice::from(c * width..c * width + out.len()));
            lanes
                .run(self, rows, out, &mut chunk)
                .map_err(|e| e.at_row(c * width))?;
            add_to(&mut total, &chunk);
        }
        Ok(finish(outputs, &total))
    }

    /// [`Tape::batch_hvp`] with the chunks of rows spread over threads (rayon's global
    /// pool), a few chunks per task. The result is identical to [`Tape::batch_hvp`]'s, bit
    /// for bit: each chunk's sums have their own place and are added in row order.
    ///
    /// # Errors
    /// As [`Tape::batch_hvp`].
    ///
    /// # Complexity
    /// **O(rows · (ops + edges) / threads)** time; the extra space of [`Tape::batch_hvp`]
    /// per thread.
    pub fn par_batch_hvp(
        &self,
        data: ArrayView2<'_, f64>,
        params: &[f64],
        direction: &[f64],
    ) -> Result<BatchHvp> {
        self.check_batch_hvp(&data, params, direction)?;
        let columns = data.ncols();
        let lanes = HvpLanes::new(self, columns, params, direction);
        let (width, numbers) = (lanes.width(), lanes.chunk_numbers());
        let chunks = data.nrows().div_ceil(width);
        let per_task = (TASK_NUMBERS / numbers.max(1)).max(1);
        let threads = rayon::current_num_threads().min(chunks.div_ceil(per_task));
        if threads <= 1 {
            // nothing to spread: the same chunks, without waking the thread pool
            return self.batch_hvp(data, params, direction);
        }
        // As `par_batch`: tasks of a few chunks handed out from a shared counter to this
        // thread and `threads − 1` pool threads, each with one set of lanes (made once per
        // thread, not once per task), each chunk's sums in a place of their own.
        let stride = 1 + 2 * params.len();
        let mut outputs = vec![0.0; data.nrows()];
        let mut sums = vec![0.0; chunks * stride];
        let tasks: Vec<_> = outputs
            .chunks_mut(width * per_task)
            .zip(sums.chunks_mut(per_task * stride))
            .map(Mutex::new)
            .collect();
        let next = AtomicUsize::new(0);
        // the error of the first row, in row order, that flips a guard
        let flipped: Mutex<Option<Error>> = Mutex::new(None);
        let work = |mut lanes: HvpLanes| loop {
            let t = next.fetch_add(1, Ordering::Relaxed);
            let Some(task) = tasks.get(t) else { break };
            let mut task = task
                .lock()
                .expect("autodiff internal error: a task panicked");
            let (out, sums) = &mut *task;
            let chunks = out.chunks_mut(width).zip(sums.chunks_mut(stride));
            for (k, (out, sums)) in chunks.enumerate() {
                let first = (t * per_task + k) * width;
                let rows = data.slice_axis(Axis(0), Slice::from(first..first + out.len()));
                if let Err(e) = lanes.run(self, rows, out, sums) {
                    keep_first_row(&flipped, e.at_row(first));
                }
            }
        };
        rayon::in_place_scope(|scope| {
            for _ in 1..threads {
                scope.spawn(|_| work(HvpLanes::new(self, columns, params, direction)));
            }
            work(lanes);
        });
        drop(tasks);
        if let Some(e) = flipped
            .into_inner()
            .expect("autodiff internal error: a task panicked")
        {
            return Err(e);
        }
        let mut total = vec![0.0; stride];
        for chunk in sums.chunks(stride) {
            add_to(&mut total, chunk);
        }
        Ok(finish(outputs, &total))
    }

    fn check_batch_hvp(
        &self,
        data: &ArrayView2<'_, f64>,
        params: &[f64],
        direction: &[f64],
    ) -> Result<()> {
        self.check_batch(data, params)?;
        if direction.len() != params.len() {
            return Err(Error::Shape {
                what: "batch direction",
                expected: format!("[{}] (one number per parameter)", params.len()),
                found: vec![direction.len()],
            });
        }
        Ok(())
    }
}

/// The result from the outputs and the summed `[sum, gradient…, hvp…]`.
fn finish(outputs: Vec<f64>, total: &[f64]) -> BatchHvp {
    let p = (total.len() - 1) / 2;
    BatchHvp {
        batch: BatchOutput {
            outputs: Array1::from_vec(outputs),
            sum: total[0],
            gradient: total[1..=p].to_vec(),
        },
        hvp: total[1 + p..].to_vec(),
    }
}
