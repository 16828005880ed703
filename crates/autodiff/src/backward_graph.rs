//! The backward pass recorded as a graph: gradients as [`Var`]s, which can be
//! differentiated again (Hessians, Hessian-vector products, third derivatives).
//!
//! The sweep is the one of `backward.rs`, with numbers replaced by nodes: the root's
//! adjoint is the constant 1, and every edge `src → dst` adds `adj[dst] · ∂dst/∂src` to
//! `adj[src]`, where the local partial is itself written with graph ops on the forward
//! nodes ([`local_partial`]: `S'(x)` is `s · S(−x)` on the node `s`, `∂(a·b)/∂a` is the
//! node `b`). As in the numeric sweep, a zero adjoint passes nothing on, and a partial
//! that is 0 by the op table's conventions (relu at `x ≤ 0`, the losing side of `max`)
//! adds no node.

use ndarray::Array2;

use crate::{Graph, Op, Var};

/// The gradient of a root with respect to every node recorded before it, as nodes of the
/// same graph ([`Var::backward_graph`]).
#[derive(Clone, Debug)]
pub struct GradientVars<'g> {
    graph: &'g Graph,
    /// `adjoints[i]`: the node holding `∂root/∂node i`, or `None` where it is 0.
    adjoints: Vec<Option<Var<'g>>>,
}

impl<'g> GradientVars<'g> {
    /// The node holding `∂root/∂var` (a new constant 0 where the root does not depend on
    /// `var`, and for constants).
    ///
    /// # Panics
    /// If `var` belongs to another graph.
    #[track_caller]
    pub fn wrt(&self, var: Var<'g>) -> Var<'g> {
        assert!(
            std::ptr::eq(self.graph, var.graph),
            "autodiff: cannot take the gradient with respect to a Var of another graph (node {})",
            var.index()
        );
        match self.adjoints.get(var.index()) {
            Some(&Some(adjoint)) if !var.is_constant() => adjoint,
            _ => self.graph.constant(0.0),
        }
    }
}

impl<'g> Var<'g> {
    /// The gradient of `self` as nodes of its graph: `.wrt(x)` is a [`Var`] whose value is
    /// `∂self/∂x` and which can itself be differentiated (PyTorch's `create_graph=True`).
    ///
    /// The branch of each kink (relu, abs, max, min) and select is decided on the recorded
    /// values: the gradient nodes hold this point's branch as a number. For a select, the
    /// decision is recorded as a guard on its condition ([`Graph::guard`]), so that a tape
    /// compiled from the gradient fails with [`Error::BranchChanged`] where the condition
    /// flips (as does a tape of any output recorded after it); a tape compiled from a
    /// gradient through a kink replays this point's side of the kink everywhere.
    ///
    /// [`Error::BranchChanged`]: crate::Error::BranchChanged
    ///
    /// # Complexity
    /// **O(|V| + |E|)** over the nodes up to `self`; appends a few nodes per edge reached.
    /// The sweep is a loop, as [`Var::backward`]'s is.
    ///
    /// # Examples
    /// ```
    /// let g = autodiff::Graph::new();
    /// let x = g.var(0.5);
    /// let y = x.sin();
    /// let dy = y.backward_graph().wrt(x); // cos x
    /// let d2y = dy.backward_graph().wrt(x); // -sin x
    /// let d3y = d2y.backward().wrt(x); // -cos x
    /// assert_eq!(dy.value(), 0.5_f64.cos());
    /// assert_eq!(d2y.value(), -(0.5_f64.sin()));
    /// assert_eq!(d3y, -(0.5_f64.cos()));
    /// ```
    pub fn backward_graph(self) -> GradientVars<'g> {
        let graph = self.graph;
        let root = self.index();
        // the nodes up to the root: op and operands (new nodes are appended after them)
        let nodes = graph.state().record.operands_up_to(root);
        let var = |i: usize| {
            graph
                .node(i)
                .expect("autodiff internal error: a recorded node")
        };
        let mut adjoints: Vec<Option<Var<'g>>> = vec![None; root + 1];
        adjoints[root] = Some(graph.constant(1.0));
        for node in (0..=root).rev() {
            let (op, ref operands) = nodes[node];
            let operand = |slot: usize| operands.get(slot).map_or(0, |&(i, _)| i);
            let (a, b) = (operand(0), operand(1));
            let Some(adjoint) = adjoints[node] else {
                continue; // a zero adjoint is not passed on
            };
            // slot 1 before slot 0, as the numeric sweep
            if matches!(op, Op::IfTrue | Op::IfFalse) {
                // which branch gets the adjoint is decided here: a tape of the gradient
                // replayed where the condition flips reports it (see `Graph::guard`)
                graph.guard(var(a));
            }
            for slot in (0..op.arity()).rev() {
                let src = if slot == 0 { a } else { b };
                let Some(partial) = local_partial(op, slot, var(a), var(b), var(node)) else {
                    continue;
                };
                let share = match partial {
                    Factor::One => adjoint,
                    Factor::Number(d) => adjoint * d,
                    Factor::Node(d) => adjoint * d,
                };
                adjoints[src] = Some(match adjoints[src] {
                    None => share,
                    Some(sum) => sum + share,
                });
            }
        }
        GradientVars { graph, adjoints }
    }

    /// The Hessian of `self` with respect to `vars`: entry `(i, j)` is `∂²self/∂vᵢ∂vⱼ`.
    ///
    /// # Panics
    /// If a var belongs to another graph.
    ///
    /// # Complexity
    /// One recorded backward pass, then one numeric sweep per var.
    ///
    /// # Examples
    /// ```
    /// // Rosenbrock f = (1 − x)² + 100 (y − x²)² at (1.2, 1)
    /// let g = autodiff::Graph::new();
    /// let (x, y) = (g.var(1.2), g.var(1.0));
    /// let f = (1.0 - x).square() + (y - x.square()).square() * 100.0;
    /// let h = f.hessian(&[x, y]);
    /// // [[2 − 400 (y − 3x²), −400x], [−400x, 200]]
    /// assert!((h[[0, 0]] - 1330.0).abs() < 1e-10 && h[[1, 1]] == 200.0);
    /// assert!((h[[0, 1]] + 480.0).abs() < 1e-12 && h[[0, 1]] == h[[1, 0]]);
    /// ```
    #[track_caller]
    pub fn hessian(self, vars: &[Var<'g>]) -> Array2<f64> {
        let gradient = self.backward_graph();
        let n = vars.len();
        let mut hessian = Array2::zeros((n, n));
        for (i, &vi) in vars.iter().enumerate() {
            let row = gradient.wrt(vi).backward();
            for (j, &vj) in vars.iter().enumerate() {
                hessian[[i, j]] = row.wrt(vj);
            }
        }
        hessian
    }

    /// The Hessian-vector product `H v` of `self` with respect to `vars`, without forming
    /// `H`: the gradient of `Σᵢ vᵢ ∂self/∂varᵢ`.
    ///
    /// # Panics
    /// If `v.len() != vars.len()`, or a var belongs to another graph.
    ///
    /// # Complexity
    /// One recorded backward pass and one numeric sweep.
    ///
    /// # Examples
    /// ```
    /// let g = autodiff::Graph::new();
    /// let (x, y) = (g.var(2.0), g.var(3.0));
    /// let f = x * x * y; // H = [[2y, 2x], [2x, 0]] = [[6, 4], [4, 0]]
    /// assert_eq!(f.hvp(&[x, y], &[1.0, -1.0]), vec![2.0, 4.0]);
    /// ```
    #[track_caller]
    pub fn hvp(self, vars: &[Var<'g>], v: &[f64]) -> Vec<f64> {
        assert_eq!(
            vars.len(),
            v.len(),
            "autodiff: hvp takes one direction component per var"
        );
        let gradient = self.backward_graph();
        let directional: Option<Var<'g>> = vars
            .iter()
            .zip(v)
            .map(|(&x, &vi)| gradient.wrt(x) * vi)
            .reduce(|a, b| a + b);
        match directional {
            Some(d) => d.backward().wrt_all(vars),
            None => Vec::new(),
        }
    }
}

/// A local partial as the recorded backward pass multiplies by it.
enum Factor<'g> {
    /// 1: the adjoint passes on as it is.
    One,
    /// A number that does not vary with the operands near this point (its derivative is 0).
    /// The branch taken by a kink or a select is decided here, on the recorded values: a
    /// gradient graph recorded at one point is that point's (see [`Var::backward_graph`]).
    Number(f64),
    /// A node of the graph.
    Node(Var<'g>),
}

/// `∂v/∂(operand slot)` of node `v = op(a, b)`, written with graph ops on the forward nodes;
/// `None` where it is 0. Branches (kinks, exponent 0) are decided on the recorded values, by
/// the same conventions as the op table, whose numbers it reproduces (a test checks every
/// op); a NaN partial of the op table stays NaN.
fn local_partial<'g>(
    op: Op,
    slot: usize,
    a: Var<'g>,
    b: Var<'g>,
    v: Var<'g>,
) -> Option<Factor<'g>> {
    use Factor::{Node, Number, One};
    let numeric = op.eval(a.value(), b.value()).1[slot];
    if numeric.is_nan() {
        return Some(Number(f64::NAN));
    }
    let number = |d: f64| match d {
        0.0 => None,
        1.0 => Some(One),
        d => Some(Number(d)),
    };
    Some(match (op, slot) {
        // piecewise constant partials: ±1, c, 1/c, the kinks' 1, ½, 0
        (
            Op::Add
            | Op::Sub
            | Op::Max
            | Op::Min
            | Op::Neg
            | Op::AddScalar(_)
            | Op::MulScalar(_)
            | Op::DivScalar(_)
            | Op::ScalarSub(_)
            | Op::Relu
            | Op::Abs
            | Op::Less
            | Op::LessEq
            | Op::IfTrue
            | Op::IfFalse,
            _,
        ) => return number(numeric),
        // ∂(ab)/∂a = b, ∂(ab)/∂b = a
        (Op::Mul, 0) => Node(b),
        (Op::Mul, _) => Node(a),
        // ∂(a/b)/∂a = 1/b, ∂(a/b)/∂b = -v/b
        (Op::Div, 0) => Node(b.recip()),
        (Op::Div, _) => Node(-v / b),
        // ∂(a^b)/∂a = b a^(b-1) (0 for b = 0), ∂(a^b)/∂b = v ln a (0 where v = 0)
        (Op::Pow, 0) if b.value() == 0.0 => return None,
        (Op::Pow, 0) => Node(b * a.pow(b - 1.0)),
        (Op::Pow, _) if v.value() == 0.0 => return None,
        (Op::Pow, _) => Node(v * a.ln()),
        // d(c/x)/dx = -v/x
        (Op::ScalarDiv(_), _) => Node(-v / a),
        // d(x^p)/dx = p x^(p-1), 0 for p = 0
        (Op::PowF(0.0), _) => return None,
        (Op::PowF(p), _) => Node(a.powf(p - 1.0) * p),
        (Op::PowI(0), _) => return None,
        (Op::PowI(n), _) => match n.checked_sub(1) {
            Some(m) => Node(a.powi(m) * f64::from(n)),
            None => Node(a.powf(f64::from(n) - 1.0) * f64::from(n)),
        },
        (Op::Square, _) => Node(a * 2.0),
        // d√x/dx = 1 / (2v)
        (Op::Sqrt, _) => Node(0.5 / v),
        // d(1/x)/dx = -v²
        (Op::Recip, _) => Node(-v.square()),
        (Op::Exp, _) => Node(v),
        (Op::Ln, _) => Node(a.recip()),
        (Op::ExpM1, _) => Node(a.exp()),
        (Op::Ln1p, _) => Node((a + 1.0).recip()),
        // S'(x) = S(x) S(-x), as the op table computes it
        (Op::Sigmoid, _) => Node(v * (-a).sigmoid()),
        // tanh' x = 1 / cosh² x = 4 S(2x) S(-2x), which keeps its precision in the tails
        // (1 - tanh² x would not)
        (Op::Tanh, _) => Node((a * 2.0).sigmoid() * (a * -2.0).sigmoid() * 4.0),
        (Op::Softplus, _) => Node(a.sigmoid()),
        (Op::Sin, _) => Node(a.cos()),
        (Op::Cos, _) => Node(-a.sin()),
        (Op::Input | Op::Const, _) => {
            unreachable!("autodiff internal error: a leaf has no partials")
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every op at a few points: the recorded partial's value is the op table's partial
    /// (to rounding: tanh' is 4 S(2x) S(−2x) on the graph, 1 / cosh² x in the table).
    #[test]
    fn every_ops_recorded_partial_has_the_op_tables_value() {
        for op in Op::all(1.5).filter(|op| !op.is_leaf()) {
            for (x, y) in [(0.7, -1.3), (-2.1, 0.4), (1.9, 2.6)] {
                let g = Graph::new();
                let (a, b) = (g.var(x), g.var(y));
                let v = if op.arity() == 1 {
                    a.unary(op)
                } else {
                    a.binary(op, b)
                };
                let (_, table) = op.eval(x, y);
                for (slot, &expected) in table.iter().enumerate().take(op.arity()) {
                    let recorded = match local_partial(op, slot, a, b, v) {
                        None => 0.0,
                        Some(Factor::One) => 1.0,
                        Some(Factor::Number(d)) => d,
                        Some(Factor::Node(d)) => d.value(),
                    };
                    let close = (recorded - expected).abs() <= 4.0 * f64::EPSILON * expected.abs()
                        || recorded.to_bits() == expected.to_bits()
                        || (recorded.is_nan() && expected.is_nan());
                    assert!(
                        close,
                        "{op} slot {slot} at ({x}, {y}): {recorded} vs {expected}"
                    );
                }
            }
        }
    }

    #[test]
    fn a_gradient_var_has_the_numeric_gradients_value() {
        let g = Graph::new();
        let (x, y) = (g.var(0.3), g.var(-1.1));
        let f = (x * y).sigmoid() + x.powi(3) / (y.square() + 1.0);
        let numeric = f.backward();
        let recorded = f.backward_graph();
        for v in [x, y] {
            let (r, n) = (recorded.wrt(v).value(), numeric.wrt(v));
            assert!((r - n).abs() <= 1e-15 * n.abs(), "{r} vs {n}");
        }
    }

    #[test]
    fn an_unused_leaf_and_a_constant_get_a_zero_node() {
        let g = Graph::new();
        let (x, unused, k) = (g.var(2.0), g.var(5.0), g.constant(3.0));
        let f = x * k;
        let grads = f.backward_graph();
        assert_eq!(grads.wrt(x).value(), 3.0);
        assert_eq!(grads.wrt(unused).value(), 0.0);
        assert_eq!(grads.wrt(k).value(), 0.0);
    }

    #[test]
    fn second_derivatives_of_the_ops_match_closed_forms() {
        let x0: f64 = 0.8;
        let s = 1.0 / (1.0 + (-x0).exp());
        type Case = (&'static str, fn(Var) -> Var, f64);
        let cases: [Case; 6] = [
            (
                "sigmoid: S'' = S(1 − S)(1 − 2S)",
                |x| x.sigmoid(),
                s * (1.0 - s) * (1.0 - 2.0 * s),
            ),
            ("tanh: -2 tanh (1 − tanh²)", |x| x.tanh(), {
                let t = x0.tanh();
                -2.0 * t * (1.0 - t * t)
            }),
            ("ln: -1/x²", |x| x.ln(), -1.0 / (x0 * x0)),
            ("sqrt: -1/(4 x^1.5)", |x| x.sqrt(), -0.25 * x0.powf(-1.5)),
            ("powi 3: 6x", |x| x.powi(3), 6.0 * x0),
            ("recip: 2/x³", |x| x.recip(), 2.0 / x0.powi(3)),
        ];
        for (what, f, expected) in cases {
            let g = Graph::new();
            let x = g.var(x0);
            let h = f(x).hessian(&[x])[[0, 0]];
            assert!(
                (h - expected).abs() <= 1e-13 * expected.abs().max(1.0),
                "{what}: {h}"
            );
        }
    }

    #[test]
    fn rosenbrocks_hessian_at_one_point_two_one_is_exact() {
        let g = Graph::new();
        let (x, y) = (g.var(1.2), g.var(1.0));
        let f = (1.0 - x).square() + (y - x.square()).square() * 100.0;
        let h = f.hessian(&[x, y]);
        // 2 − 400 (y − 3x²) = 2 − 400 (1 − 4.32) = 1330; −400x = −480; 200
        assert!((h[[0, 0]] - 1330.0).abs() < 1e-10, "{}", h[[0, 0]]);
        assert!((h[[0, 1]] + 480.0).abs() < 1e-12 && (h[[1, 0]] + 480.0).abs() < 1e-12);
        assert_eq!(h[[1, 1]], 200.0);
    }

    #[test]
    fn hvp_is_the_hessian_times_the_vector() {
        let g = Graph::new();
        let (x, y, z) = (g.var(0.4), g.var(-0.9), g.var(1.7));
        let f = (x * y).tanh() * z.exp() + (x / z).sin();
        let vars = [x, y, z];
        let h = f.hessian(&vars);
        let v = [0.3, -1.2, 2.0];
        let hv = f.hvp(&vars, &v);
        for i in 0..3 {
            let expected: f64 = (0..3).map(|j| h[[i, j]] * v[j]).sum();
            assert!((hv[i] - expected).abs() <= 1e-13 * expected.abs().max(1.0));
            for j in 0..3 {
                assert!((h[[i, j]] - h[[j, i]]).abs() <= 1e-13 * h[[i, j]].abs().max(1.0));
            }
        }
    }

    #[test]
    fn a_deep_chain_records_its_backward_pass_without_recursion() {
        let g = Graph::new();
        let x = g.var(1.0);
        let mut y = x;
        for _ in 0..100_000 {
            y *= 0.999_999;
        }
        let dy = y.backward_graph().wrt(x);
        assert!((dy.value() - 0.999_999_f64.powi(100_000)).abs() < 1e-12);
    }
}
