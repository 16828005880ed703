//! The engine's error type.

use std::fmt;

use crate::Op;

/// Everything that can go wrong in the engine, each variant naming what it concerns.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Error {
    /// Two [`Var`](crate::Var)s of two different graphs were combined.
    ForeignVar {
        /// Node index of the left operand (in its own graph).
        left: usize,
        /// Node index of the right operand (in its own graph).
        right: usize,
    },
    /// A node's value, one of its local partials, or its adjoint is NaN or infinite.
    NonFinite(NonFinite),
    /// A compiled tape was given the wrong number of input values.
    InputCount {
        /// How many the tape takes.
        expected: usize,
        /// How many it was given.
        found: usize,
    },
    /// An array given to a compiled tape has the wrong shape.
    Shape {
        /// What the array is (for example `"batch inputs"`).
        what: &'static str,
        /// The shape the tape expects, as text.
        expected: String,
        /// The shape it was given.
        found: Vec<usize>,
    },
    /// A tape was asked to differentiate with respect to a node that is not a leaf.
    NotALeaf {
        /// Index of the offending node.
        index: usize,
        /// Its op.
        op: Op,
    },
    /// A leaf was listed twice among a tape's inputs.
    DuplicateInput {
        /// Index of the leaf.
        index: usize,
        /// Its two positions in the input list.
        positions: [usize; 2],
    },
    /// A tape replay took the other side of a branch recorded with
    /// [`Graph::guard`](crate::Graph::guard): the tape holds the recorded branch only, so
    /// its numbers would be another function's.
    BranchChanged {
        /// The guarded condition's node (its index in the graph the tape was compiled from).
        node: usize,
        /// Whether the condition held when it was recorded.
        recorded: bool,
        /// Whether it holds at this replay's inputs.
        now: bool,
        /// For a batch, the first row (in row order) whose replay flipped a guard; `None`
        /// for a single replay.
        row: Option<usize>,
    },
}

impl Error {
    /// This error, met at row `row` of a batch (or at a row `row` further on, for an
    /// error that already names a row): only [`Error::BranchChanged`] names rows.
    pub(crate) fn at_row(self, row: usize) -> Error {
        match self {
            Error::BranchChanged {
                node,
                recorded,
                now,
                row: within,
            } => Error::BranchChanged {
                node,
                recorded,
                now,
                row: Some(row + within.unwrap_or(0)),
            },
            other => other,
        }
    }
}

/// Where a non-finite number was found, and in what.
#[derive(Clone, Debug, PartialEq)]
pub struct NonFinite {
    /// Index of the node.
    pub index: usize,
    /// Its op.
    pub op: Op,
    /// Its name, if it has one.
    pub name: Option<String>,
    /// Which number was not finite.
    pub quantity: Quantity,
    /// The number itself (NaN, +∞ or −∞).
    pub number: f64,
    /// Where the node was recorded (`file:line:column`), when the graph tracks locations.
    pub location: Option<String>,
}

/// Which number of a node [`NonFinite`] refers to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Quantity {
    /// The node's value.
    Value,
    /// The local partial with respect to the operand in this slot.
    Partial(u8),
    /// The node's adjoint in a reverse sweep.
    Adjoint,
}

/// `Result` with the engine's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::ForeignVar { left, right } => write!(
                f,
                "cannot combine Vars of two different graphs (node {left} and node {right} \
                 belong to different Graphs)"
            ),
            Error::NonFinite(n) => n.fmt(f),
            Error::InputCount { expected, found } => {
                write!(f, "tape takes {expected} input value(s), got {found}")
            }
            Error::Shape {
                what,
                expected,
                found,
            } => write!(f, "{what}: expected shape {expected}, got {found:?}"),
            Error::NotALeaf { index, op } => {
                write!(
                    f,
                    "node {index} ({op}) is not a leaf, so it cannot be a tape input"
                )
            }
            Error::DuplicateInput { index, positions } => write!(
                f,
                "node {index} is listed twice among the tape inputs (positions {} and {})",
                positions[0], positions[1]
            ),
            Error::BranchChanged {
                node,
                recorded,
                now,
                row,
            } => {
                if let Some(row) = row {
                    write!(f, "row {row}: ")?;
                }
                write!(
                    f,
                    "the branch guarded at node {node} changed (its condition was {recorded} \
                     when the tape was recorded, is {now} now): the tape holds the recorded \
                     branch only; record the graph again at these inputs, or record both \
                     branches with Var::select"
                )
            }
        }
    }
}

impl fmt::Display for NonFinite {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let quantity = match self.quantity {
            Quantity::Value => "value".to_string(),
            Quantity::Partial(slot) => format!("partial w.r.t. operand {slot}"),
            Quantity::Adjoint => "adjoint".to_string(),
        };
        write!(
            f,
            "non-finite {quantity} {} at node {} (op {}",
            self.number,
            self.index,
            self.op.name()
        )?;
        if let Some(name) = &self.name {
            write!(f, ", named '{name}'")?;
        }
        f.write_str(")")?;
        if let Some(location) = &self.location {
            write!(f, ", recorded at {location}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}
