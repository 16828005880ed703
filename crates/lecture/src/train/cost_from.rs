//! The mean cost over a data set as a function of the last weights only, the earlier ones
//! fixed: what a cost surface over two weights evaluates thousands of times. Each row's
//! pass up to the first free weight is computed once, so a point of the surface costs the
//! neurons after it, not the whole net.

use crate::data::Sample;
use crate::{Net, Result};

/// The mean cost over rows, with the weights before `first` fixed: [`mean_cost`] bit for
/// bit, at the price of the neurons from weight `first` on.
///
/// [`mean_cost`]: super::mean_cost
///
/// ```
/// use lecture::data::Sample;
/// use lecture::train::{mean_cost, MeanCostFrom};
/// use lecture::Net;
/// let net = Net::Chain(50);
/// let rows = [Sample { s0: 0.3, out: 0.2 }, Sample { s0: -1.0, out: 0.9 }];
/// let mut w = vec![0.9; 51];
/// let tail = MeanCostFrom::new(net, &w, &rows, 49)?;
/// w[49] = -2.0;
/// w[50] = 3.0;
/// assert_eq!(tail.at(&w)?, mean_cost(net, &w, &rows)?);
/// # Ok::<(), lecture::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct MeanCostFrom {
    net: Net,
    /// The first neuron recomputed.
    neuron: usize,
    /// Per row: `s(neuron)` and the target.
    rows: Vec<(f64, f64)>,
}

impl MeanCostFrom {
    /// Runs each row of `data` up to weight `first` at `weights` (the weights before it are
    /// those every later call must use).
    ///
    /// # Errors
    /// [`Error::WeightCount`](crate::Error::WeightCount) if `weights` does not fit the net.
    pub fn new(net: Net, weights: &[f64], data: &[Sample], first: usize) -> Result<Self> {
        // weight k feeds neuron k + 1, or is the output's (k = neurons)
        let neuron = first.min(net.neurons());
        let rows = data
            .iter()
            .map(|s| Ok((net.activation(weights, s.s0, neuron)?, s.out)))
            .collect::<Result<_>>()?;
        Ok(MeanCostFrom { net, neuron, rows })
    }

    /// The mean cost at `weights`, whose weights before `first` must be those given to
    /// [`MeanCostFrom::new`].
    ///
    /// # Errors
    /// [`Error::WeightCount`](crate::Error::WeightCount) if `weights` does not fit the net.
    pub fn at(&self, weights: &[f64]) -> Result<f64> {
        let mut sum = 0.0;
        for &(sk, target) in &self.rows {
            sum += self.net.cost_from(weights, self.neuron, sk, target)?;
        }
        Ok(sum / self.rows.len() as f64)
    }
}
