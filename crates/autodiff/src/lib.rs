//! Reverse-mode automatic differentiation over a graph of scalar nodes.
//!
//! Build an expression from [`Var`]s; every operation appends one node to a [`Graph`], and
//! every operand → result edge stores the local partial derivative computed at that moment.
//! [`Var::backward`] multiplies partials along paths and sums over paths, walking the
//! recording backwards: the chain rule, iteratively.
//!
//! # The life of a gradient
//!
//! The backpropagation lecture's network: `s0 → ·w0 → x1 → S → s1 → ·w1 → x2 → S → s2 →
//! ·w2 → out`, with the cost `C = ½(target − out)²` and the sigmoid `S(x) = 1 / (1 + e⁻ˣ)`.
//!
//! ```
//! use autodiff::Graph;
//!
//! let g = Graph::new();
//! let (w0, w1, w2) = (g.var(-0.2), g.var(2.8), g.var(10.0)); // weights: leaves
//! let (s0, target) = (g.constant(1.5), g.constant(0.5)); // data: constants
//!
//! // 1. Recording. Each operation appends a node with its value, and one edge per
//! //    operand holding the local partial: the edge x1 → s1 holds S'(x1) = s1 (1 − s1).
//! let x1 = s0 * w0;
//! let s1 = x1.sigmoid();
//! let x2 = s1 * w1;
//! let s2 = x2.sigmoid();
//! let out = s2 * w2;
//! let cost = (target - out).square() * 0.5;
//!
//! // 2. The reverse sweep. The root's adjoint is 1; walking the nodes from the last
//! //    recorded down, each edge src → dst adds adj[dst] · partial to adj[src].
//! let grads = cost.backward();
//!
//! // 3. The chain rule, as on the slides: dC/dw2 = (out − target) s2, exactly ...
//! let (out_v, s1_v, s2_v) = (out.value(), s1.value(), s2.value());
//! assert_eq!(grads.wrt(w2), (out_v - 0.5) * s2_v);
//! // ... and dC/dw1 = (out − target) w2 s2 (1 − s2) s1, to rounding
//! let by_hand = (out_v - 0.5) * 10.0 * s2_v * (1.0 - s2_v) * s1_v;
//! assert!((grads.wrt(w1) - by_hand).abs() <= 1e-15 * by_hand.abs());
//! // the adjoint of an inner node is dC/d(node), the lecture's "delta"
//! assert_eq!(grads.wrt(out), out_v - 0.5);
//! assert_eq!(grads.wrt(s0), 0.0); // constants get no gradient
//! ```
//!
//! That is the whole engine, and it reads in one sitting: [`Op`] (`op.rs`) holds every
//! op's value beside its local partials; `graph.rs` appends nodes to the record
//! (append-only, so index order is a topological order) and `ops.rs` gives `Var` its
//! operators; `backward.rs` is the reverse sweep, a loop; [`Gradients`] (`gradients.rs`)
//! is what it returns. Forward mode ([`Graph::jvp`], `forward.rs`) runs over the same
//! partials.
//!
//! Around the core:
//! - **Views and checks** (`inspect/`): [`Graph::dag`], the graph as a petgraph `DiGraph`
//!   for inspection and petgraph's algorithms; [`Graph::to_dot`]; [`Graph::check_finite`],
//!   which names the first node that produced a NaN or an infinity; [`gradcheck()`], which
//!   compares a gradient with central finite differences.
//! - **Speed** (`record/`, `compiled/`): the record's compact encoding and buffer reuse;
//!   [`Tape::compile`], which flattens the part of a graph one output depends on and
//!   replays it with new inputs without allocating ([`Tape::gradient`], equal bit for bit
//!   to recording the same ops again and calling `backward`), or over a whole batch of
//!   samples at once ([`Tape::batch`], [`Tape::par_batch`]); Hessian-vector products on a
//!   tape ([`Tape::hvp`]) and summed over a batch ([`Tape::batch_hvp`],
//!   [`Tape::par_batch_hvp`]). Each is tested against the core.
//! - **Branches** (`branch.rs`): comparisons as nodes, [`Var::select`] (both branches
//!   recorded, so a tape replays the choice) and [`Graph::guard`] (a branch taken in Rust,
//!   checked by every replay: see what a [`Tape`] promises).
//!
//! Invariants: nodes are only ever appended, so node index order is a topological order;
//! no sweep recurses; gradients are returned in a [`Gradients`], never stored on nodes.

#![doc(test(attr(deny(warnings))))]

mod backward;
mod backward_graph;
mod branch;
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

pub use backward_graph::GradientVars;
pub use branch::Operand;
pub use compiled::{BatchHvp, BatchOutput, Tape, Workspace};
pub use error::{Error, NonFinite, Quantity, Result};
pub use forward::Tangents;
pub use gradients::Gradients;
pub use graph::{Dag, Graph};
pub use inspect::gradcheck;
pub use inspect::gradcheck::{gradcheck, gradcheck_with, GradCheck, Tolerance};
pub use inspect::{
    hesscheck, Contribution, DotOptions, Edge, HessCheck, Node, Path, PathEdge, Paths, SweepStep,
    Trace, TraceNode, HIGHLIGHT_COLOR,
};
pub use op::Op;
pub use scalar::Scalar;
pub use var::Var;
