//! [`Gradients`]: the adjoints a reverse sweep returns.

use std::cell::Cell;
use std::fmt;

use crate::error::Quantity;
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
                    .inner()
                    .non_finite(index, Quantity::Adjoint, self.adjoints.0[index]))
            }
        }
    }
}

/// The adjoint buffer of a [`Gradients`]. Dropped, it is kept for the next sweep on the
/// same thread, so that a training loop recording and sweeping one graph per sample (or
/// re-recording one large graph, see [`Graph::clear`]) allocates nothing per sweep and
/// writes to no fresh memory. A kept buffer of more than 2¹⁸ entries (2 MiB) is freed when
/// a graph is dropped on the thread, so that it does not outlive for long the graphs it
/// served.
///
/// The buffer has its own `Drop` and borrows nothing; `Gradients` itself has no `Drop`, so
/// a `Gradients` temporary may outlive its graph's borrow (as in a block ending in
/// `(y.value(), y.backward().wrt(x))`, whose temporaries are dropped after its locals).
#[derive(Clone)]
pub(crate) struct Adjoints(pub(crate) Vec<f64>);

/// Kept adjoint buffers of at most this many entries outlive the graphs they served (see
/// [`Adjoints`]), as graph buffers do (see [`Graph::with_capacity`]).
const SMALL: usize = 1 << 18;

thread_local! {
    /// The buffer of the last [`Adjoints`] dropped on this thread.
    static SPARE: Cell<Option<Vec<f64>>> = const { Cell::new(None) };
}

impl Adjoints {
    /// `len` zeros, in the last buffer dropped on this thread if it is long enough.
    #[inline]
    pub(crate) fn zeros(len: usize) -> Self {
        match SPARE.try_with(Cell::take).ok().flatten() {
            // Shortened, never lengthened: growing a `Vec` in place (`resize`) takes its
            // address, which puts it on the stack, and copying it from there afterwards
            // stalls on store forwarding. A shortened buffer keeps its capacity.
            Some(mut spare) if spare.len() >= len => {
                spare.truncate(len);
                spare.fill(0.0);
                Adjoints(spare)
            }
            _ => {
                // Zeros written, not `vec![0.0; len]`: a large calloc'd buffer is fresh
                // pages the sweep would first read (mapping the zero page) and then write
                // (copying it), two page faults per page instead of one.
                let mut adjoints = Vec::with_capacity(len);
                adjoints.resize(len, 0.0);
                Adjoints(adjoints)
            }
        }
    }
}

impl Drop for Adjoints {
    #[inline]
    fn drop(&mut self) {
        let buffer = std::mem::take(&mut self.0);
        // During thread teardown the slot may be gone: then the buffer is just freed.
        let _ = SPARE.try_with(|spare| spare.set(Some(buffer)));
    }
}

/// Frees this thread's kept adjoint buffer if it holds more than 2¹⁸ entries (called
/// whenever a graph is dropped: a graph's `Gradients` may be dropped after it, as
/// temporaries are, so the buffer lives at most until the thread drops its next graph).
pub(crate) fn release_large_spare() {
    let _ = SPARE.try_with(|spare| {
        let buffer = spare.take();
        if buffer.as_ref().is_some_and(|b| b.capacity() <= SMALL) {
            spare.set(buffer);
        }
    });
}

impl fmt::Debug for Adjoints {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}
