//! [`Module`]: something that maps inputs to outputs through parameters it does not keep
//! as graph nodes.

use autodiff::Var;

/// A differentiable function of inputs and parameters, built on a graph on demand.
///
/// A module's parameters are plain numbers; to differentiate, the caller makes them graph
/// leaves (`g.var(p)`) for one evaluation and hands them to [`Module::forward`]. No `Var`
/// outlives the evaluation, so nothing grows across training steps and there is no stale
/// gradient to clear.
pub trait Module {
    /// How many parameters [`Module::forward`] expects.
    fn parameter_count(&self) -> usize;

    /// How many inputs [`Module::forward`] expects.
    fn input_count(&self) -> usize;

    /// How many outputs [`Module::forward`] returns.
    fn output_count(&self) -> usize;

    /// Records the module's outputs on the inputs' graph.
    ///
    /// # Panics
    /// If `params` or `inputs` have the wrong length, or belong to different graphs.
    fn forward<'g>(&self, params: &[Var<'g>], inputs: &[Var<'g>]) -> Vec<Var<'g>>;

    /// The same outputs as [`Module::forward`], on plain numbers, bit for bit (the same
    /// operations in the same order).
    ///
    /// # Panics
    /// If `params` or `inputs` have the wrong length.
    fn eval(&self, params: &[f64], inputs: &[f64]) -> Vec<f64>;
}
