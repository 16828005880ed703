//! Small neural networks on the `autodiff` engine: multi-layer perceptrons, losses
//! (softmax cross-entropy for `K` classes among them), regularisation, optimizers, the toy
//! problems of the TensorFlow playground and the 8×8 handwritten digits.
//!
//! Parameters are plain `f64`s owned by the model. To train, the loss of **one** sample is
//! recorded once as a graph over `[inputs…, label, params…]`, compiled to a tape, and
//! replayed over each minibatch in batch lanes ([`Compiled`]); the optimizer then moves the
//! `f64`s. No graph node outlives a step. Recording a fresh graph per minibatch
//! ([`Eager`]) gives the same numbers, slower.
//!
//! An MLP trained in ten lines:
//!
//! ```
//! use nn::{datasets::Problem, optim::{Adam, LrSchedule}, Activation, Compiled, Loss, Mlp, Regularization, Trainer};
//! use rand::{rngs::StdRng, SeedableRng};
//!
//! let mut rng = StdRng::seed_from_u64(1);
//! let data = Problem::Gauss.generate(200, 0.0, &mut rng)?;              // two clouds, labels ±1
//! let mlp = Mlp::new(&[2, 4, 1], Activation::Tanh, Activation::Linear, &mut rng)?;
//! let backend = Box::new(Compiled::new(&mlp, Loss::BinaryCrossEntropy)?);
//! let optimizer = Box::new(Adam::new(0.03)?);
//! let mut trainer = Trainer::new(mlp, backend, optimizer, LrSchedule::constant(0.03)?, Regularization::None, 10)?;
//! let xy = data.with_labels(&data.points);                              // rows: x1, x2, label
//! for _ in 0..20 { trainer.epoch(xy.view(), &mut rng)?; }
//! let m = nn::evaluate(&trainer.mlp, Loss::BinaryCrossEntropy, data.task, data.points.view(), data.labels.view());
//! assert!(m.accuracy.unwrap() > 0.97);
//! # Ok::<(), nn::Error>(())
//! ```

#![doc(test(attr(deny(warnings))))]

mod activation;
mod backend;
mod confusion;
pub mod datasets;
mod error;
mod init;
mod layer;
pub mod loss;
mod mlp;
mod module;
pub mod optim;
mod regularization;
mod train;

pub use activation::Activation;
pub use backend::{Backend, Compiled, Eager};
pub use confusion::Confusion;
pub use error::{Error, Result};
pub use init::Init;
pub use layer::Dense;
pub use loss::Loss;
pub use mlp::Mlp;
pub use module::Module;
pub use regularization::Regularization;
pub use train::{evaluate, Metrics, Trainer};

/// The `rand` this crate's functions take generators from (`&mut impl rand::Rng`): use
/// `nn::rand` to get a generator whose traits match, whatever `rand` your crate depends on.
pub use rand;
