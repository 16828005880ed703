//! [`Gradients`]: the adjoints a reverse sweep returns.

use crate::error::Quantity;
use crate::record::Adjoints;
use crate::{Error, Graph, Result, Var};

/// The result of a reverse sweep ([`Var::backward`]): the adjoint `∂root/∂node` of every
/// node recorded up to the root, indexed by node.
///
/// Gradients are returned, never stored on nodes: each `backward` call gives a fresh,
/// independent `Gradients`, so there is nothing to zero and nothing can go stale.
///
/// # Examples
/// ```
/// let g = autodiff::Graph::new();
/// let x = g.var(3.0);
/// let k = g.constant(2.0);
/// let y = k * x * x; // y = 2x²
/// let grads = y.backward();
/// assert_eq!(grads.wrt(x), 12.0); // dy/dx = 4x
/// assert_eq!(grads.wrt(k), 0.0); // constants get no gradient
/// ```
#[derive(Clone, Debug)]
pub struct Gradients<'g> {
    graph: &'g Graph,
    root: usize,
    adjoints: Adjoints,
}

impl<'g> Gradients<'g> {
    #[inline]
    pub(crate) fn new(graph: &'g Graph, root: usize, adjoints: Adjoints) -> Self {
        Gradients {
            graph,
            root,
            adjoints,
        }
    }

    /// `∂root/∂var`: the gradient of the sweep's root with respect to `var`.
    ///
    /// 0 for constants, and for nodes the root does not depend on (including nodes recorded
    /// after the root). For an intermediate node it is that node's adjoint.
    ///
    /// # Panics
    /// If `var` belongs to another graph (see [`Gradients::try_wrt`]).
    #[track_caller]
    #[inline]
    pub fn wrt(&self, var: Var<'g>) -> f64 {
        match self.try_wrt(var) {
            Ok(g) => g,
            Err(e) => panic!("autodiff: {e}"),
        }
    }

    /// [`Gradients::wrt`], returning [`Error::ForeignVar`] instead of panicking.
    #[inline]
    pub fn try_wrt(&self, var: Var<'g>) -> Result<f64> {
        if !std::ptr::eq(self.graph, var.graph) {
            return Err(Error::ForeignVar {
                left: self.root,
                right: var.index(),
            });
        }
        if var.is_constant() {
            return Ok(0.0);
        }
        Ok(self.adjoints.0.get(var.index()).copied().unwrap_or(0.0))
    }

    /// `∂root/∂v` for each `v` in `vars`, in order.
    ///
    /// # Panics
    /// If any `var` belongs to another graph.
    #[track_caller]
    pub fn wrt_all(&self, vars: &[Var<'g>]) -> Vec<f64> {
        vars.iter().map(|&v| self.wrt(v)).collect()
    }

    /// The index of the node the sweep started from.
    pub fn root(&self) -> usize {
        self.root
    }

    /// The adjoints by node index, `0..=root` (constants included, as swept).
    pub fn adjoints(&self) -> &[f64] {
        &self.adjoints.0
    }

    /// Checks every adjoint, in sweep order (from the root down), and names the first node
    /// whose adjoint is NaN or infinite: the node where the sweep went bad, not the nodes
    /// it reached afterwards.
    ///
    /// # Errors
    /// [`Error::NonFinite`] with [`Quantity::Adjoint`].
    ///
    /// # Complexity
    /// **O(root)**.
    pub fn check_finite(&self) -> Result<()> {
        match self.adjoints.0.iter().rposition(|a| !a.is_finite()) {
            None => Ok(()),
            Some(index) => {
                Err(self
                    .graph
                    .state()
                    .non_finite(index, Quantity::Adjoint, self.adjoints.0[index]))
            }
        }
    }
}
