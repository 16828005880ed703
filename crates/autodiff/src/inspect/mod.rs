//! Views and checks: the petgraph view users inspect, DOT export, the finiteness check and
//! finite-difference gradient checks.

mod anomaly;
mod dot;
pub mod gradcheck;
mod hesscheck;
mod paths;
mod view;

pub use dot::{DotOptions, HIGHLIGHT_COLOR};
pub use hesscheck::{hesscheck, HessCheck};
pub use paths::{Path, PathEdge, Paths};
pub use view::{Edge, Node};
