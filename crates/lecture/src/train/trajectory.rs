//! [`Trajectory`]: weights and cost per recorded step, as plain `f64`.

/// The path of a training run: after each recorded step, the step number, the weights
/// after the update, and the cost the step descended on (one row's `C` online, the mean
/// `C` in full batch). Stored as `f64`s, never as graph nodes.
#[derive(Clone, Debug, PartialEq)]
pub struct Trajectory {
    initial: Vec<f64>,
    steps: Vec<usize>,
    weights: Vec<f64>,
    cost: Vec<f64>,
}

impl Trajectory {
    /// An empty trajectory from `initial`, with room for `records` records.
    pub(crate) fn with_capacity(initial: &[f64], records: usize) -> Self {
        Trajectory {
            initial: initial.to_vec(),
            steps: Vec::with_capacity(records),
            weights: Vec::with_capacity(records * initial.len()),
            cost: Vec::with_capacity(records),
        }
    }

    pub(crate) fn push(&mut self, step: usize, weights: &[f64], cost: f64) {
        self.steps.push(step);
        self.weights.extend_from_slice(weights);
        self.cost.push(cost);
    }

    /// The starting weights.
    pub fn initial(&self) -> &[f64] {
        &self.initial
    }

    /// Number of recorded steps.
    pub fn len(&self) -> usize {
        self.steps.len()
    }

    /// Whether no step was recorded.
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    /// The step number (1-based) of each record.
    pub fn steps(&self) -> &[usize] {
        &self.steps
    }

    /// The cost of each record.
    pub fn cost(&self) -> &[f64] {
        &self.cost
    }

    /// The weights after record `i`.
    ///
    /// # Panics
    /// If `i >= self.len()`.
    pub fn weights(&self, i: usize) -> &[f64] {
        let n = self.initial.len();
        &self.weights[i * n..(i + 1) * n]
    }

    /// Weight `k` at every record.
    pub fn weight_series(&self, k: usize) -> impl Iterator<Item = f64> + '_ {
        let n = self.initial.len();
        self.weights.iter().skip(k).step_by(n).copied()
    }
}
