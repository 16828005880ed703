//! The backpropagation lecture's network, on the `autodiff` engine.
//!
//! The lecture trains two sigmoid neurons in a chain by hand-derived backpropagation:
//!
//! ```text
//!  s0 --(* w0)--> x1 --S--> s1 --(* w1)--> x2 --S--> s2 --(* w2)--> out
//!
//!  S(x) = 1 / (1 + e^-x)          C = 1/2 (target - out)^2
//! ```
//!
//! This crate builds that network as an [`autodiff::Graph`] with the lecture's names on the
//! nodes ([`network`]), keeps the slides' hand-derived derivatives in their own module
//! ([`formulas`]), compares the two with central finite differences ([`compare`]), reads and
//! generates the course's `in_true,out_true` CSV files ([`data`]), and trains the weights the
//! lecture's way: online, one simultaneous update of all weights per row ([`train()`]).
//!
//! ```
//! use lecture::{Net, Point};
//!
//! let g = autodiff::Graph::new();
//! let net = Net::Lecture.build(&g, &Point::slides())?; // s0 = 2, w = (2, 1, 0.5), target 0.7
//! assert_eq!(net.x[1].value(), 4.0); // x1 = w0 s0
//! assert!((net.out.value() - 0.3638).abs() < 5e-5); // out = w2 S(w1 S(w0 s0)): "Match? NO"
//! let grads = net.cost.backward();
//! // dC/dw2 = (out - target) s2
//! let expected = (net.out.value() - 0.7) * net.s[2].value();
//! assert!((grads.wrt(net.weights[2]) - expected).abs() < 1e-15);
//! # Ok::<(), lecture::Error>(())
//! ```
//!
//! The notebook's variants use the same graph code: [`Net::TwoNode`] (`out = s2`, two
//! weights) and [`Net::Chain`] (any number of sigmoid neurons, the "advanced challenge").

#![doc(test(attr(deny(warnings))))]

pub mod compare;
pub mod data;
mod error;
pub mod formulas;
pub mod hessian;
pub mod layers;
pub mod network;
pub mod solve;
pub mod train;

pub use compare::Comparison;
pub use data::{DataError, Sample};
pub use error::{Error, Overflow, Result};
pub use network::{LectureNet, Net, Point};
pub use train::{train, Config, Engine, Schedule, Trained, Trajectory};
