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
    /// That tape's number of inputs.
    inputs: usize,
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

    /// The inputs of the tape the workspace was last used with, as the last replay read
    /// them or as written since through [`Workspace::inputs_and_gradient`] (none if it was
    /// never used).
    #[inline]
    pub fn inputs(&self) -> &[f64] {
        self.values.get(1..=self.inputs).unwrap_or_default()
    }

    /// The inputs of the next replay, in place, and beside them the gradient of the last
    /// one (see [`Tape::gradient_in_place`]), both in the order given to
    /// [`Tape::compile`].
    ///
    /// Fits the workspace to `tape` first if it was last used with another tape (or
    /// never): the inputs are then their values when the tape was compiled, and the
    /// gradient 0.
    #[inline]
    pub fn inputs_and_gradient(&mut self, tape: &Tape) -> (&mut [f64], &[f64]) {
        self.fit(tape);
        let inputs = &mut self.values[1..=tape.inputs];
        (inputs, tape.gradient_among(&self.adjoints, &self.gradient))
    }

    /// Lays the buffers out for `tape` unless they already are.
    #[inline]
    pub(crate) fn fit(&mut self, tape: &Tape) {
        if self.tape != tape.id {
            self.refit(tape);
        }
    }

    #[cold]
    fn refit(&mut self, tape: &Tape) {
        self.tape = tape.id;
        self.inputs = tape.inputs;
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

#[cfg(test)]
mod tests {
    use crate::{Graph, Tape, Workspace};

    /// `S(w x) · w` with inputs `[x, w]`, and a tape whose output is its own input.
    fn tapes() -> (Tape, Tape) {
        let g = Graph::new();
        let (x, w) = (g.constant(0.5), g.var(2.0));
        let y = (w * x).sigmoid() * w;
        (
            Tape::compile(y, &[x, w]).unwrap(),
            Tape::compile(w, &[w]).unwrap(),
        )
    }

    #[test]
    fn a_replay_in_place_is_the_replay_of_the_same_inputs_bit_for_bit() {
        let (tape, identity) = tapes();
        for t in [&tape, &identity] {
            let (mut ws, mut fresh) = (t.workspace(), t.workspace());
            for k in 0..5 {
                let inputs: Vec<f64> = (0..t.input_count())
                    .map(|i| (k as f64 - 2.0) * 0.7 + i as f64)
                    .collect();
                ws.inputs_and_gradient(t).0.copy_from_slice(&inputs);
                let value = t.gradient_in_place(&mut ws).unwrap();
                let (expected, grad) = t.gradient(&mut fresh, &inputs).unwrap();
                assert_eq!(value.to_bits(), expected.to_bits());
                let (inputs_after, in_place) = ws.inputs_and_gradient(t);
                assert_eq!(inputs_after, &inputs[..], "the inputs stay as written");
                let bits = |g: &[f64]| g.iter().map(|d| d.to_bits()).collect::<Vec<_>>();
                assert_eq!(bits(in_place), bits(grad));
            }
        }
    }

    #[test]
    fn a_flipped_guard_is_an_error_in_place_too() {
        let g = Graph::new();
        let x = g.var(1.0);
        assert!(g.guard(x.gt(0.0)));
        let tape = Tape::compile(x.square(), &[x]).unwrap();
        let mut ws = tape.workspace();
        assert_eq!(tape.gradient_in_place(&mut ws).unwrap(), 1.0);
        ws.inputs_and_gradient(&tape).0[0] = -2.0;
        let e = tape.gradient_in_place(&mut ws).unwrap_err();
        assert!(
            matches!(e, crate::Error::BranchChanged { row: None, .. }),
            "{e:?}"
        );
    }

    #[test]
    fn a_workspace_of_another_tape_is_refitted_to_the_recorded_inputs() {
        let (tape, identity) = tapes();
        let mut ws = identity.workspace();
        ws.inputs_and_gradient(&identity).0[0] = 9.0;
        assert_eq!(ws.inputs(), &[9.0]);
        let (inputs, gradient) = ws.inputs_and_gradient(&tape);
        assert_eq!((&*inputs, gradient), (&[0.5, 2.0][..], &[0.0, 0.0][..]));
        let value = tape.gradient_in_place(&mut ws).unwrap();
        assert_eq!(
            value,
            tape.value(&mut tape.workspace(), &[0.5, 2.0]).unwrap()
        );
        assert!(Workspace::default().inputs().is_empty());
    }
}
