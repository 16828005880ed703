//! [`Workspace`]: the buffers a [`Tape`] replay reads and writes.

use crate::{Error, Result, Tape};

/// Reusable buffers for replaying a [`Tape`]: values, local partials and adjoints of every
/// slot, and the gradient handed back.
///
/// Make one with [`Tape::workspace`] and pass it to every [`Tape::value`] /
/// [`Tape::gradient`] call: replay then allocates nothing. A workspace used with a tape of
/// another shape is resized (once, allocating) and then serves that tape. One workspace per
/// thread; the tape itself is shared.
#[derive(Clone, Debug, Default)]
pub struct Workspace {
    /// The id of the tape the buffers are laid out for (0: none yet).
    tape: u64,
    pub(crate) values: Vec<f64>,
    pub(crate) partials: Vec<[f64; 2]>,
    pub(crate) adjoints: Vec<f64>,
    pub(crate) gradient: Vec<f64>,
    /// The buffers of [`Tape::hvp`], made on its first call.
    pub(crate) tangents: super::hvp::Tangents,
}

impl Workspace {
    pub(crate) fn for_tape(tape: &Tape) -> Self {
        let mut ws = Workspace::default();
        ws.fit(tape);
        ws
    }

    /// Lays the buffers out for `tape` unless they already are.
    #[inline]
    fn fit(&mut self, tape: &Tape) {
        if self.tape != tape.id {
            self.refit(tape);
        }
    }

    #[cold]
    fn refit(&mut self, tape: &Tape) {
        self.tape = tape.id;
        self.values.clear();
        self.values.extend_from_slice(&tape.init);
        self.partials.clear();
        self.partials.resize(tape.ops.len(), [0.0; 2]);
        self.adjoints.clear();
        self.adjoints.resize(tape.slots(), 0.0);
        self.gradient.clear();
        self.gradient.resize(tape.inputs, 0.0);
    }

    /// Checks the input count, fits the buffers to `tape` and writes the inputs into their
    /// slots.
    pub(crate) fn load(&mut self, tape: &Tape, inputs: &[f64]) -> Result<()> {
        if inputs.len() != tape.inputs {
            return Err(Error::InputCount {
                expected: tape.inputs,
                found: inputs.len(),
            });
        }
        self.fit(tape);
        // One value at a time, and only those that changed, rather than `copy_from_slice`:
        // a training loop has usually just written the inputs one by one, and a block copy
        // (`memcpy`, or a vectorised loop) reading them back in wider loads waits until
        // those stores have reached the cache. The comparison keeps the loop scalar.
        for (slot, &x) in self.values[1..=tape.inputs].iter_mut().zip(inputs) {
            if slot.to_bits() != x.to_bits() {
                *slot = x;
            }
        }
        Ok(())
    }
}
