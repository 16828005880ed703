//! `backprop`: reverse-mode automatic differentiation over a graph of scalar nodes, and the
//! backpropagation lecture built on it. This crate re-exports the workspace's crates.

pub use autodiff;
pub use lecture;
pub use nn;
pub use table;
