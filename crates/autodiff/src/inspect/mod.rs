//! Views and checks: the petgraph view users inspect, DOT export, the finiteness check,
//! finite-difference gradient checks, and the chain rule written out (paths, the sweep's trace).

mod anomaly;
mod dot;
pub mod gradcheck;
mod hesscheck;
mod paths;
mod trace;
mod view;

pub use dot::{DotOptions, HIGHLIGHT_COLOR};
pub use hesscheck::{hesscheck, HessCheck};
pub use paths::{Path, PathEdge, Paths};
pub use trace::{Contribution, SweepStep, Trace, TraceNode};
pub use view::{Edge, Node};
