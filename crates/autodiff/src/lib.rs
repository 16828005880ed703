//! Reverse-mode automatic differentiation over a graph of scalar nodes.
//!
//! Build an expression from [`Var`]s; every operation appends one node to a [`Graph`]
//! (inspectable as a petgraph `DiGraph` through [`Graph::dag`]), and every operand → result
//! edge stores the local partial derivative computed at that moment. [`Var::backward`] multiplies partials along paths
//! and sums over paths, walking the recording backwards: the chain rule, iteratively.
//!
//! ```
//! use autodiff::{Graph, Var, Gradients};
//!
//! let g = Graph::new();
//! let a: Var = g.var(-4.0);
//! let b = g.var(2.0);
//! let c = (a * b + b.powi(3)).relu() + a.exp(); // c = relu(ab + b³) + eᵃ
//! let grads: Gradients = c.backward();
//! // ab + b³ = 0, so relu is at its kink: relu'(0) = 0 by convention
//! assert_eq!(c.value(), (-4.0_f64).exp());
//! assert_eq!(grads.wrt(a), (-4.0_f64).exp()); // ∂c/∂a = eᵃ
//! assert_eq!(grads.wrt(b), 0.0);
//! ```
//!
//! The same partials drive forward mode ([`Graph::jvp`]); [`gradcheck()`] compares a tape
//! gradient with central finite differences; [`Graph::check_finite`] names the first node
//! that produced a NaN or an infinity; [`Graph::to_dot`] draws the graph.
//!
//! For training loops, [`Tape::compile`] flattens the part of a graph one output depends on
//! into arrays, and replays it with new inputs without allocating ([`Tape::gradient`], equal
//! bit for bit to recording again and calling `backward`) or over a whole batch of samples
//! at once ([`Tape::batch`], [`Tape::par_batch`]).
//!
//! Invariants: nodes are only ever appended, so node index order is a topological order;
//! no sweep recurses; gradients are returned in a [`Gradients`], never stored on nodes.

#![doc(test(attr(deny(warnings))))]

mod backward;
mod compiled;
mod error;
mod forward;
mod gradients;
mod graph;
mod inspect;
mod op;
mod ops;
mod record;
mod scalar;
mod var;

pub use compiled::{BatchOutput, Tape, Workspace};
pub use error::{Error, NonFinite, Quantity, Result};
pub use forward::Tangents;
pub use gradients::Gradients;
pub use graph::{Dag, Graph};
pub use inspect::gradcheck;
pub use inspect::gradcheck::{gradcheck, gradcheck_with, GradCheck, Tolerance};
pub use inspect::{Edge, Node};
pub use op::Op;
pub use scalar::Scalar;
pub use var::Var;
