//! Seeded weight initialisation: Xavier (Glorot) for sigmoid, tanh and linear layers, He for
//! ReLU layers. Biases start at 0.

use rand::Rng;

use crate::Activation;

/// How a layer's weights are drawn.
///
/// Both draw from a uniform distribution `U(−a, a)` whose variance `a²/3` keeps the
/// variance of activations roughly constant from layer to layer:
///
/// | scheme | `a` | variance |
/// |---|---|---|
/// | Xavier (Glorot & Bengio 2010) | `√(6 / (fan_in + fan_out))` | `2 / (fan_in + fan_out)` |
/// | He (He et al. 2015) | `√(6 / fan_in)` | `2 / fan_in` |
///
/// # Examples
/// ```
/// use nn::Init;
/// use rand::{rngs::StdRng, SeedableRng};
///
/// let mut rng = StdRng::seed_from_u64(1);
/// let w = Init::He.sample(3, 4, &mut rng);
/// assert_eq!(w.len(), 12);
/// assert!(w.iter().all(|x| x.abs() <= (6.0_f64 / 3.0).sqrt()));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Init {
    /// Glorot uniform, for sigmoid, tanh and linear units.
    Xavier,
    /// He uniform, for ReLU units.
    He,
}

impl Init {
    /// The scheme suited to an activation: He for ReLU, Xavier otherwise.
    pub fn for_activation(activation: Activation) -> Self {
        match activation {
            Activation::Relu => Init::He,
            _ => Init::Xavier,
        }
    }

    /// The half-width `a` of the uniform distribution for a layer.
    pub fn limit(self, fan_in: usize, fan_out: usize) -> f64 {
        match self {
            Init::Xavier => (6.0 / (fan_in + fan_out) as f64).sqrt(),
            Init::He => (6.0 / fan_in as f64).sqrt(),
        }
    }

    /// `fan_in · fan_out` weights drawn from `U(−a, a)`, in row-major `[fan_out][fan_in]`
    /// order.
    ///
    /// # Panics
    /// If `fan_in` is 0 (the caller validates layer sizes).
    pub fn sample(self, fan_in: usize, fan_out: usize, rng: &mut impl Rng) -> Vec<f64> {
        assert!(fan_in > 0, "nn: a layer needs at least one input");
        let a = self.limit(fan_in, fan_out);
        (0..fan_in * fan_out)
            .map(|_| rng.random_range(-a..=a))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{rngs::StdRng, SeedableRng};

    #[test]
    fn limits_match_the_formulas() {
        // Xavier: √(6 / (2 + 16)) = √(1/3); He: √(6 / 2) = √3
        assert_eq!(Init::Xavier.limit(2, 16), (1.0_f64 / 3.0).sqrt());
        assert_eq!(Init::He.limit(2, 16), 3.0_f64.sqrt());
    }

    #[test]
    fn samples_are_seeded_and_have_the_intended_variance() {
        let a = Init::Xavier.sample(50, 50, &mut StdRng::seed_from_u64(7));
        let b = Init::Xavier.sample(50, 50, &mut StdRng::seed_from_u64(7));
        assert_eq!(a, b);
        // variance of U(−a, a) is a²/3 = 2 / (50 + 50) = 0.02
        let var = a.iter().map(|w| w * w).sum::<f64>() / a.len() as f64;
        assert!((var - 0.02).abs() < 0.002, "variance {var}");
    }

    #[test]
    fn relu_gets_he_and_the_others_xavier() {
        assert_eq!(Init::for_activation(Activation::Relu), Init::He);
        assert_eq!(Init::for_activation(Activation::Tanh), Init::Xavier);
    }
}
