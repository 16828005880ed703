//! [`Tape::sum_over_rows`]: the output and its gradient summed over rows of data, one
//! [`Tape::gradient`] per row.

use ndarray::ArrayView2;

use crate::{Error, Result, Tape, Workspace};

impl Tape {
    /// `Σ` over the rows of `rows` of the output, and of its gradient with respect to the
    /// parameters, written into `grad`: the tape's inputs are each row's values (its first
    /// `rows.ncols()` inputs) followed by `params` (the rest), as [`Tape::batch`] takes them.
    ///
    /// Each row is one [`Tape::gradient`], and the sums run in row order, starting from 0:
    /// the result is exactly that of the plain loop, bit for bit, whatever values it meets
    /// (NaN and infinities included). [`Tape::batch`] gives the same sums faster on many
    /// rows, grouped differently (equal to rounding); this is the reference, and the faster
    /// call on a few rows. No rows give 0 and a zero gradient.
    ///
    /// # Errors
    /// [`Error::InputCount`] unless `rows.ncols() + params.len()` equals
    /// [`Tape::input_count`], or if `grad.len()` differs from `params.len()` (then
    /// `expected` is `params.len()`, `found` is `grad.len()`); `grad` is left as it was.
    /// [`Error::BranchChanged`] naming the first row that flips a guard (see [`Tape`]).
    ///
    /// # Complexity
    /// **O(rows · (ops + edges))** time; allocates one buffer of
    /// [`Tape::input_count`] values per call, and nothing per row when `ws` was made by
    /// (or already used with) this tape.
    ///
    /// # Examples
    /// ```
    /// use autodiff::{Graph, Tape};
    /// use ndarray::array;
    ///
    /// // C = ½ (y − w x)² per row (x, y); parameter w
    /// let g = Graph::new();
    /// let (x, y, w) = (g.constant(0.0), g.constant(0.0), g.var(0.0));
    /// let c = 0.5 * (y - w * x).square();
    /// let tape = Tape::compile(c, &[x, y, w])?;
    ///
    /// let rows = array![[1.0, 2.0], [2.0, 3.0]];
    /// let mut grad = [0.0];
    /// let sum = tape.sum_over_rows(&mut tape.workspace(), rows.view(), &[1.0], &mut grad)?;
    /// // at w = 1: ½ (2 − 1)² + ½ (3 − 2)² = 1
    /// assert_eq!(sum, 1.0);
    /// // ∂C/∂w = −x (y − w x): −1 · 1 − 2 · 1 = −3
    /// assert_eq!(grad, [-3.0]);
    /// # Ok::<(), autodiff::Error>(())
    /// ```
    pub fn sum_over_rows(
        &self,
        ws: &mut Workspace,
        rows: ArrayView2<'_, f64>,
        params: &[f64],
        grad: &mut [f64],
    ) -> Result<f64> {
        let columns = rows.ncols();
        if columns + params.len() != self.input_count() {
            return Err(Error::InputCount {
                expected: self.input_count(),
                found: columns + params.len(),
            });
        }
        if grad.len() != params.len() {
            return Err(Error::InputCount {
                expected: params.len(),
                found: grad.len(),
            });
        }
        // the row's values, then the parameters, which every row shares
        let mut inputs = vec![0.0; columns];
        inputs.extend_from_slice(params);
        grad.fill(0.0);
        let mut sum = 0.0;
        for (i, row) in rows.rows().into_iter().enumerate() {
            for (x, &v) in inputs.iter_mut().zip(&row) {
                *x = v;
            }
            let (value, g) = self.gradient(ws, &inputs).map_err(|e| e.at_row(i))?;
            sum += value;
            for (total, &d) in grad.iter_mut().zip(&g[columns..]) {
                *total += d;
            }
        }
        Ok(sum)
    }
}

#[cfg(test)]
mod tests {
    use ndarray::{array, Array2};

    use crate::{Graph, Tape};

    /// `S(w0 x + w1) · y` per row `(x, y)`, with parameters `(w0, w1)`.
    fn tape() -> Tape {
        let g = Graph::new();
        let (x, y) = (g.constant(0.0), g.constant(0.0));
        let (w0, w1) = (g.var(0.0), g.var(0.0));
        let out = (w0 * x + w1).sigmoid() * y;
        Tape::compile(out, &[x, y, w0, w1]).unwrap()
    }

    #[test]
    fn the_sum_is_the_hand_loop_over_single_replays_bit_for_bit() {
        let tape = tape();
        let rows = Array2::from_shape_fn((37, 2), |(i, j)| {
            let t = i as f64 * 0.37 - 6.0;
            if j == 0 {
                t
            } else {
                (t * 1.3).cos()
            }
        });
        let params = [0.8, -0.3];
        let mut ws = tape.workspace();
        let (mut sum, mut expected) = (0.0, [0.0; 2]);
        for row in rows.rows() {
            let (v, g) = tape
                .gradient(&mut ws, &[row[0], row[1], params[0], params[1]])
                .unwrap();
            sum += v;
            expected[0] += g[2];
            expected[1] += g[3];
        }
        let mut grad = [f64::NAN; 2]; // overwritten, not added to
        let got = tape
            .sum_over_rows(&mut tape.workspace(), rows.view(), &params, &mut grad)
            .unwrap();
        assert_eq!(got.to_bits(), sum.to_bits());
        assert_eq!(grad.map(f64::to_bits), expected.map(f64::to_bits));
    }

    #[test]
    fn a_nan_row_makes_the_sums_nan_as_the_hand_loop_does() {
        let tape = tape();
        let rows = array![[1.0, 2.0], [f64::NAN, 1.0], [0.5, 0.5]];
        let mut grad = [0.0; 2];
        let sum = tape
            .sum_over_rows(&mut tape.workspace(), rows.view(), &[1.0, 1.0], &mut grad)
            .unwrap();
        assert!(sum.is_nan() && grad.iter().all(|g| g.is_nan()));
    }

    #[test]
    fn no_rows_sum_to_zero() {
        let tape = tape();
        let rows = Array2::<f64>::zeros((0, 2));
        let mut grad = [7.0; 2];
        let sum = tape
            .sum_over_rows(&mut tape.workspace(), rows.view(), &[1.0, 1.0], &mut grad)
            .unwrap();
        assert_eq!((sum, grad), (0.0, [0.0; 2]));
    }

    #[test]
    fn shapes_that_do_not_fit_are_errors() {
        let tape = tape();
        let rows = array![[1.0, 2.0]];
        let mut ws = tape.workspace();
        let mut grad = [0.0; 2];
        let e = tape.sum_over_rows(&mut ws, rows.view(), &[1.0], &mut grad);
        assert_eq!(e.unwrap_err().to_string(), tape_error(4, 3));
        let e = tape.sum_over_rows(&mut ws, rows.view(), &[1.0, 1.0], &mut grad[..1]);
        assert_eq!(e.unwrap_err().to_string(), tape_error(2, 1));
    }

    fn tape_error(expected: usize, found: usize) -> String {
        crate::Error::InputCount { expected, found }.to_string()
    }
}
