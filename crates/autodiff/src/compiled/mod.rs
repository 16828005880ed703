//! Everything that exists for speed: the compiled tape, batch lanes and their SIMD.
//!
//! The teaching core (`op.rs`, `graph.rs`, `backward.rs`) is the reference: each thing
//! here computes the same numbers as it, bit for bit, and is tested against it.

mod batch;
pub(crate) mod shortcuts;
pub(crate) mod tape;
pub(crate) mod wide;

pub use batch::{BatchHvp, BatchOutput};
pub use tape::{Tape, Workspace};
