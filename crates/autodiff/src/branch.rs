//! Branches a tape can replay: comparisons recorded as nodes, [`Var::select`], which
//! records both branches and keeps one, and [`Graph::guard`], which records the outcome of
//! a branch taken in Rust so that a [`Tape`](crate::Tape) replay can report when it flips.
//!
//! A program that branches in Rust on [`Var::value`] (`if x.value() > 0.0 { x * x } else
//! { -x }`) records one branch only; a tape compiled from it replays that branch at every
//! input, silently. Either record the branch as data ([`Var::select`], the way CppAD's
//! conditional expressions do) or record the decision ([`Graph::guard`]): a replay at an
//! input that takes the other branch then fails with
//! [`Error::BranchChanged`](crate::Error::BranchChanged).

use crate::{Graph, Op, Var};

/// The other side of a comparison or a branch of a select: a [`Var`] of the same graph, or
/// a number (recorded as a constant leaf).
pub trait Operand<'g> {
    /// This operand as a node of `graph`.
    fn into_var(self, graph: &'g Graph) -> Var<'g>;
}

impl<'g> Operand<'g> for Var<'g> {
    fn into_var(self, _graph: &'g Graph) -> Var<'g> {
        self
    }
}

impl<'g> Operand<'g> for f64 {
    #[track_caller]
    fn into_var(self, graph: &'g Graph) -> Var<'g> {
        graph.constant(self)
    }
}

/// A guard: the condition node and whether it held when [`Graph::guard`] recorded it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Guard {
    /// The condition's node.
    pub(crate) node: usize,
    /// Whether it held ([`holds`]).
    pub(crate) held: bool,
    /// Nodes recorded before the guard: it concerns outputs recorded after it.
    pub(crate) before: usize,
}

/// Whether a condition's value counts as true: non-zero and not NaN, as Rust's `if` on the
/// comparison of a NaN takes the `else` branch.
#[inline]
pub(crate) fn holds(condition: f64) -> bool {
    condition != 0.0 && !condition.is_nan()
}

impl<'g> Var<'g> {
    /// `self < other` as a node: 1 where it holds, 0 where not, NaN if either side is NaN
    /// ([`Op::Less`]). Its partials are 0: a condition passes no gradient back.
    ///
    /// # Panics
    /// If `other` is a `Var` of another graph.
    #[track_caller]
    #[must_use]
    pub fn lt(self, other: impl Operand<'g>) -> Var<'g> {
        self.binary(Op::Less, other.into_var(self.graph))
    }

    /// `self ≤ other` as a node ([`Op::LessEq`]), as [`Var::lt`].
    ///
    /// # Panics
    /// If `other` is a `Var` of another graph.
    #[track_caller]
    #[must_use]
    pub fn le(self, other: impl Operand<'g>) -> Var<'g> {
        self.binary(Op::LessEq, other.into_var(self.graph))
    }

    /// `self > other` as a node, recorded as `other < self` ([`Op::Less`]), as [`Var::lt`].
    ///
    /// # Panics
    /// If `other` is a `Var` of another graph.
    #[track_caller]
    #[must_use]
    pub fn gt(self, other: impl Operand<'g>) -> Var<'g> {
        other.into_var(self.graph).binary(Op::Less, self)
    }

    /// `self ≥ other` as a node, recorded as `other ≤ self` ([`Op::LessEq`]), as
    /// [`Var::lt`].
    ///
    /// # Panics
    /// If `other` is a `Var` of another graph.
    #[track_caller]
    #[must_use]
    pub fn ge(self, other: impl Operand<'g>) -> Var<'g> {
        other.into_var(self.graph).binary(Op::LessEq, self)
    }

    /// `if_true` where this condition holds (is non-zero), `if_false` where it does not
    /// (is 0); NaN where the condition is NaN. Both branches are recorded, so a tape
    /// replays the choice at every input.
    ///
    /// Derivative: the branch taken gets the adjoint, the other one exactly 0, even where
    /// its own partials are infinite or NaN (`select(x > 0, √x, 0)` at `x = 0`). As every
    /// sweep passes nothing on from a zero adjoint, nothing upstream of the branch not
    /// taken receives anything from it either: `0 · ∞` never turns into NaN. The masking
    /// fails only where the select's own adjoint is infinite or NaN (`∞ · 0` is NaN), and
    /// then the gradient is not finite anyway. The condition gets no gradient.
    ///
    /// The branch not taken is still recorded: [`Graph::check_finite`] names a NaN or an
    /// infinity in it like any other node's.
    ///
    /// Recorded as three binary ops, `if(c, t) + else(c, f)` ([`Op::IfTrue`],
    /// [`Op::IfFalse`], [`Op::Add`]), whose sum is exactly the branch taken.
    ///
    /// # Panics
    /// If a branch is a `Var` of another graph.
    ///
    /// # Examples
    /// ```
    /// use autodiff::{Graph, Tape};
    ///
    /// let g = Graph::new();
    /// let x = g.var(1.0);
    /// let f = x.gt(0.0).select(x * x, -x); // x² for x > 0, −x otherwise
    /// let tape = Tape::compile(f, &[x])?;
    /// let mut ws = tape.workspace();
    /// assert_eq!(tape.gradient(&mut ws, &[-1.0])?, (1.0, &[-1.0][..]));
    /// assert_eq!(tape.gradient(&mut ws, &[3.0])?, (9.0, &[6.0][..]));
    ///
    /// // the branch not taken is masked, infinite partials and all
    /// let y = g.var(0.0);
    /// let root = y.gt(0.0).select(y.sqrt(), 0.0);
    /// assert_eq!(root.backward().wrt(y), 0.0);
    /// # Ok::<(), autodiff::Error>(())
    /// ```
    #[track_caller]
    #[must_use]
    pub fn select(self, if_true: impl Operand<'g>, if_false: impl Operand<'g>) -> Var<'g> {
        let (t, f) = (if_true.into_var(self.graph), if_false.into_var(self.graph));
        self.binary(Op::IfTrue, t) + self.binary(Op::IfFalse, f)
    }
}

impl Graph {
    /// Records a guard: whether `condition` holds now (is non-zero and not NaN), which is
    /// returned, so that a Rust `if` can branch on it. A [`Tape`](crate::Tape) compiled
    /// from an output recorded after the guard evaluates the condition on every replay
    /// and fails with [`Error::BranchChanged`](crate::Error::BranchChanged) where it no
    /// longer has this outcome: the tape then does not follow the branch taken here.
    ///
    /// Guard every branch on a value that a tape's inputs can change, or record the branch
    /// with [`Var::select`] instead (no error: the tape takes the other branch).
    ///
    /// # Panics
    /// If `condition` belongs to another graph.
    ///
    /// # Examples
    /// ```
    /// use autodiff::{Error, Graph, Tape};
    ///
    /// let g = Graph::new();
    /// let x = g.var(1.0);
    /// let f = if g.guard(x.gt(0.0)) { x * x } else { -x };
    /// let tape = Tape::compile(f, &[x])?;
    /// let mut ws = tape.workspace();
    /// assert_eq!(tape.gradient(&mut ws, &[3.0])?, (9.0, &[6.0][..]));
    /// let flipped = tape.gradient(&mut ws, &[-1.0]).unwrap_err();
    /// assert!(matches!(flipped, Error::BranchChanged { recorded: true, now: false, .. }));
    /// # Ok::<(), autodiff::Error>(())
    /// ```
    #[track_caller]
    pub fn guard(&self, condition: Var<'_>) -> bool {
        assert!(
            std::ptr::eq(condition.graph, self),
            "autodiff: Graph::guard was given a Var of another graph (node {})",
            condition.index()
        );
        let held = holds(condition.value());
        let mut state = self.state_mut();
        let before = state.record.len();
        state.guards.push(Guard {
            node: condition.index(),
            held,
            before,
        });
        held
    }
}
