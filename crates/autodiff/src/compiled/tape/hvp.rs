//! Hessian-vector products on a tape, forward over reverse: one replay with tangents of
//! the values, the partials and the adjoints.
//!
//! Along a direction `t` over the inputs, every value gets a tangent
//! `v̇ = ∂v/∂a · ȧ + ∂v/∂b · ḃ`, every local partial `d = ∂v/∂a` a tangent
//! `ḋ = ∂²v/∂a² · ȧ + ∂²v/∂a∂b · ḃ` (from [`second_partials`]), and the reverse sweep's rule
//! `adj[src] += adj[dst] · d` its tangent `adj̇[src] += adj̇[dst] · d + adj[dst] · ḋ`. The
//! tangents of the inputs' adjoints are then `H t`.

use ndarray::Array2;

use super::{TapeOp, Workspace, SCRATCH};
use crate::backward::pass_on;
use crate::{Op, Result, Tape};

/// The buffers of [`Tape::hvp`], kept in the [`Workspace`] once made.
#[derive(Clone, Debug, Default)]
pub(crate) struct Tangents {
    /// Per slot: the tangent of its value.
    values: Vec<f64>,
    /// Per op: the tangents of its two local partials.
    partials: Vec<[f64; 2]>,
    /// Per slot: the tangent of its adjoint.
    adjoints: Vec<f64>,
    /// Per input: `(H t)ᵢ`.
    product: Vec<f64>,
}

/// `[∂²v/∂a², ∂²v/∂a∂b, ∂²v/∂b²]` of `v = op(a, b)` with value `v` and first partials `d`
/// (unary ops: only the first entry). Kinks and the piecewise-constant ops have 0, as the
/// op table's partials there are constants.
#[inline(always)] // folds to one op's formulas in the lanes' per-op loops
pub(crate) fn second_partials(op: Op, a: f64, b: f64, v: f64, d: [f64; 2]) -> [f64; 3] {
    let unary = |h: f64| [h, 0.0, 0.0];
    match op {
        // v = ab: ∂²v/∂a∂b = 1
        Op::Mul => [0.0, 1.0, 0.0],
        // v = a/b: ∂²v/∂a∂b = -1/b², ∂²v/∂b² = 2a/b³ = -2 ∂v/∂b / b
        Op::Div => [0.0, -1.0 / (b * b), -2.0 * d[1] / b],
        // v = a^b: b(b-1)a^(b-2), a^(b-1)(1 + b ln a), v ln² a
        Op::Pow => {
            let daa = if b == 0.0 || b == 1.0 {
                0.0
            } else {
                b * (b - 1.0) * a.powf(b - 2.0)
            };
            let ln = a.ln();
            let dab = if b == 0.0 {
                1.0 / a
            } else {
                a.powf(b - 1.0) * (1.0 + b * ln)
            };
            let dbb = if v == 0.0 { 0.0 } else { v * ln * ln };
            [daa, dab, dbb]
        }
        // v = c/x: 2c/x³ = -2 ∂v/∂x / x
        Op::ScalarDiv(_) => unary(-2.0 * d[0] / a),
        // v = xᵖ: p(p-1)x^(p-2), 0 for p ∈ {0, 1}
        Op::PowF(p) if p == 0.0 || p == 1.0 => unary(0.0),
        Op::PowF(p) => unary(p * (p - 1.0) * a.powf(p - 2.0)),
        Op::PowI(0 | 1) => unary(0.0),
        Op::PowI(n) => {
            let n = f64::from(n);
            unary(n * (n - 1.0) * a.powf(n - 2.0))
        }
        Op::Square => unary(2.0),
        // v = √x: -1/(4 x^(3/2)) = -∂v/∂x / (2x)
        Op::Sqrt => unary(-d[0] / (2.0 * a)),
        // v = 1/x: 2/x³ = 2v³
        Op::Recip => unary(2.0 * v * v * v),
        Op::Exp => unary(v),
        Op::Ln => unary(-1.0 / (a * a)),
        Op::ExpM1 => unary(d[0]),
        Op::Ln1p => unary(-d[0] * d[0]),
        // S'' = S'(1 - 2S)
        Op::Sigmoid => unary(d[0] * (1.0 - 2.0 * v)),
        // tanh'' = -2 tanh · tanh'
        Op::Tanh => unary(-2.0 * v * d[0]),
        // softplus'' = S' = S(1 - S), S = softplus'
        Op::Softplus => unary(d[0] * (1.0 - d[0])),
        Op::Sin | Op::Cos => unary(-v),
        // linear or piecewise constant: Add, Sub, Neg, the scalar ops, Max, Min, Relu, Abs
        _ => [0.0; 3],
    }
}

/// `coefficient · tangent`, but 0 for a zero coefficient whatever the tangent: the forward
/// twin of the sweep's rule that a zero adjoint passes nothing on, so that an infinite or
/// NaN tangent of a branch a select does not take (`√x` at 0) stays out of the product.
#[inline(always)]
fn carry(coefficient: f64, tangent: f64) -> f64 {
    if coefficient == 0.0 {
        0.0
    } else {
        coefficient * tangent
    }
}

impl Tape {
    /// The output's value, its gradient and the Hessian-vector product `H t` at `inputs`,
    /// along the direction `t` (one component per input), by one forward-over-reverse replay.
    /// Constant inputs and inputs the output does not depend on get 0, as in
    /// [`Tape::gradient`].
    /// A zero partial or second partial carries no tangent, so the branch a
    /// [`Var::select`](crate::Var::select) does not take adds nothing, infinite or not.
    ///
    /// # Errors
    /// [`Error::InputCount`](crate::Error::InputCount) unless `inputs` and `t` each have
    /// [`Tape::input_count`] values; [`Error::BranchChanged`](crate::Error::BranchChanged)
    /// as [`Tape::gradient`].
    ///
    /// # Complexity
    /// **O(ops + edges)**, about three gradients' work; no allocation after the first call
    /// with `ws`.
    ///
    /// # Examples
    /// ```
    /// use autodiff::{Graph, Tape};
    ///
    /// let g = Graph::new();
    /// let (x, y) = (g.var(0.0), g.var(0.0));
    /// let f = x * x * y; // ∇f = (2xy, x²), H = [[2y, 2x], [2x, 0]]
    /// let tape = Tape::compile(f, &[x, y])?;
    /// let mut ws = tape.workspace();
    /// let (value, gradient, hv) = tape.hvp(&mut ws, &[2.0, 3.0], &[1.0, -1.0])?;
    /// assert_eq!((value, gradient), (12.0, &[12.0, 4.0][..]));
    /// assert_eq!(hv, [2.0, 4.0]); // [6 - 4, 4 - 0]
    /// # Ok::<(), autodiff::Error>(())
    /// ```
    pub fn hvp<'w>(
        &self,
        ws: &'w mut Workspace,
        inputs: &[f64],
        t: &[f64],
    ) -> Result<(f64, &'w [f64], &'w [f64])> {
        if t.len() != self.inputs {
            return Err(crate::Error::InputCount {
                expected: self.inputs,
                found: t.len(),
            });
        }
        let (value, _) = self.gradient(ws, inputs)?;
        self.tangent_replay(ws, t);
        Ok((value, self.gradient_in(ws), &ws.tangents.product))
    }

    /// The Hessian of the output with respect to the inputs at `inputs`: one
    /// [`Tape::hvp`] per input, along each unit vector.
    ///
    /// # Errors
    /// As [`Tape::hvp`].
    ///
    /// # Complexity
    /// **O(inputs · (ops + edges))**.
    pub fn hessian(&self, ws: &mut Workspace, inputs: &[f64]) -> Result<Array2<f64>> {
        let n = self.inputs;
        let mut hessian = Array2::zeros((n, n));
        let mut unit = vec![0.0; n];
        for j in 0..n {
            unit[j] = 1.0;
            let (_, _, column) = self.hvp(ws, inputs, &unit)?;
            hessian
                .column_mut(j)
                .assign(&ndarray::ArrayView1::from(column));
            unit[j] = 0.0;
        }
        Ok(hessian)
    }

    /// The tangents along `t` of every value, partial and adjoint, after a gradient
    /// replay has left the values, partials and adjoints in `ws`.
    fn tangent_replay(&self, ws: &mut Workspace, t: &[f64]) {
        let Workspace {
            values,
            partials,
            adjoints,
            tangents: tan,
            ..
        } = ws;
        let slots = self.slots();
        // Sized once; the ops' tangents, the partials' and (through the sweep's `first`)
        // the adjoints' are written before they are read, so only the leaves' tangents
        // and the product are zeroed per call rather than every buffer.
        tan.values.resize(slots, 0.0);
        tan.values[..self.first_op].fill(0.0);
        tan.partials.resize(self.ops.len(), [0.0; 2]);
        tan.adjoints.resize(slots, 0.0);
        tan.adjoints[self.output as usize] = 0.0;
        tan.product.clear();
        tan.product.resize(self.inputs, 0.0);
        // only differentiable inputs that reach the output move
        for &(input, slot) in &self.gradient_slots {
            tan.values[slot as usize] = t[input as usize];
        }
        // forward: tangents of values and partials
        for (k, &TapeOp { op, args: [a, b] }) in self.ops.iter().enumerate() {
            let (x, y) = (values[a as usize], values[b as usize]);
            let (dx, dy) = (tan.values[a as usize], tan.values[b as usize]);
            let d = partials[k];
            let v = values[self.first_op + k];
            let dy = if b == SCRATCH { 0.0 } else { dy };
            tan.values[self.first_op + k] = carry(d[0], dx) + carry(d[1], dy);
            let [haa, hab, hbb] = second_partials(op, x, y, v, d);
            tan.partials[k] = if op.arity() == 1 {
                [carry(haa, dx), 0.0]
            } else {
                [
                    carry(haa, dx) + carry(hab, dy),
                    carry(hab, dx) + carry(hbb, dy),
                ]
            };
        }
        // reverse: the sweep's rule and its tangent, over the same edges in the same order
        let partials = partials.as_flattened();
        let partial_tangents = tan.partials.as_flattened();
        for step in &self.sweep {
            let (dst, src, p) = (step.dst as usize, step.src as usize, step.partial as usize);
            let old = if step.first { 0.0 } else { tan.adjoints[src] };
            let sum = pass_on(old, tan.adjoints[dst], partials[p]);
            tan.adjoints[src] = pass_on(sum, adjoints[dst], partial_tangents[p]);
        }
        for &(input, slot) in &self.gradient_slots {
            tan.product[input as usize] = tan.adjoints[slot as usize];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Graph;

    /// Every op: the second partials are the derivatives of the op table's first partials
    /// (central differences, step 1e-6).
    #[test]
    fn second_partials_are_the_derivatives_of_the_first() {
        for op in Op::all(2.5).filter(|op| !op.is_leaf()) {
            for (a, b) in [(0.7, 1.3), (1.9, -0.4), (2.6, 2.1)] {
                let (v, d) = op.eval(a, b);
                let h = second_partials(op, a, b, v, d);
                let step = 1e-6;
                let da = |slot: usize| {
                    (op.eval(a + step, b).1[slot] - op.eval(a - step, b).1[slot]) / (2.0 * step)
                };
                let db = |slot: usize| {
                    (op.eval(a, b + step).1[slot] - op.eval(a, b - step).1[slot]) / (2.0 * step)
                };
                let mut expected = vec![(h[0], da(0))];
                if op.arity() == 2 {
                    expected.extend([(h[1], da(1)), (h[1], db(0)), (h[2], db(1))]);
                }
                for (exact, fd) in expected {
                    let ok = (exact - fd).abs() <= 1e-6 * fd.abs().max(1.0);
                    assert!(ok, "{op} at ({a}, {b}): {exact} vs {fd}");
                }
            }
        }
    }

    #[test]
    fn tape_hessian_equals_the_graph_hessian() {
        let g = Graph::new();
        let (x, y, k) = (g.var(0.4), g.var(-0.9), g.constant(1.7));
        let f = (x * y).tanh() * k.exp() + (x / k).sin() + x.powi(3) * y.sigmoid();
        let graph_h = f.hessian(&[x, y, k]);
        let tape = Tape::compile(f, &[x, y, k]).unwrap();
        let mut ws = tape.workspace();
        let tape_h = tape.hessian(&mut ws, &[0.4, -0.9, 1.7]).unwrap();
        for i in 0..3 {
            for j in 0..3 {
                let (a, b) = (tape_h[[i, j]], graph_h[[i, j]]);
                assert!(
                    (a - b).abs() <= 1e-14 * b.abs().max(1.0),
                    "H[{i},{j}]: {a} vs {b}"
                );
            }
        }
        assert_eq!(tape_h.row(2).to_vec(), vec![0.0; 3]); // a constant input moves nothing
    }

    /// The tangent buffers are not zeroed per call: a workspace that served other tapes
    /// (larger, smaller, the same size) and other directions gives a fresh one's bits.
    #[test]
    fn a_reused_workspace_gives_a_fresh_workspaces_hvp() {
        let g = Graph::new();
        let (x, y, k) = (g.var(0.0), g.var(0.0), g.constant(2.0));
        let f = (x * y).sin() * k + (x / y).exp();
        let same_size = (x * k).cos() * y - (y / x).sigmoid();
        let small = x.square();
        let large = (0..20).fold(f, |acc, i| (acc * 0.5 + x * f64::from(i)).tanh() + y);
        let mut tapes = [f, same_size, small, large]
            .map(|out| Tape::compile(out, &[x, y, k]).unwrap())
            .to_vec();
        // the constant first: its slot held x's tangent on the tapes before
        tapes.push(Tape::compile(f, &[k, y, x]).unwrap());
        let (at, t) = ([0.3, -1.1, 2.0], [0.7, 0.2, 5.0]);
        let mut ws = Workspace::default();
        for round in 0..3 {
            for (i, tape) in tapes.iter().enumerate() {
                let direction = [t[0] * f64::from(round + 1), t[1], t[2]];
                let mut fresh = tape.workspace();
                let (v, g, hv) = tape.hvp(&mut fresh, &at, &direction).unwrap();
                let expected = (v, g.to_vec(), hv.to_vec());
                let (v, g, hv) = tape.hvp(&mut ws, &at, &direction).unwrap();
                assert_eq!(
                    (v, g.to_vec(), hv.to_vec()),
                    expected,
                    "tape {i}, round {round}"
                );
            }
        }
    }

    #[test]
    fn rosenbrocks_hessian_on_a_tape_at_new_inputs() {
        let g = Graph::new();
        let (x, y) = (g.var(0.0), g.var(0.0));
        let f = (1.0 - x).square() + (y - x.square()).square() * 100.0;
        let tape = Tape::compile(f, &[x, y]).unwrap();
        let mut ws = tape.workspace();
        let h = tape.hessian(&mut ws, &[1.2, 1.0]).unwrap();
        assert!((h[[0, 0]] - 1330.0).abs() < 1e-10);
        assert!((h[[0, 1]] + 480.0).abs() < 1e-12 && (h[[1, 0]] + 480.0).abs() < 1e-12);
        assert_eq!(h[[1, 1]], 200.0);
    }
}
