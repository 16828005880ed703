//! Buffer reuse across graphs and sweeps on one thread: a training loop that records and
//! sweeps one small graph per sample then allocates nothing per sample and writes to no
//! fresh memory (each fresh 4 KiB page costs a page fault).
//!
//! The last small record dropped on a thread and the last adjoint buffer are each kept in a
//! thread-local slot and handed to the next graph or sweep; large ones are freed.

use std::cell::Cell;
use std::fmt;
use std::ops::{Deref, DerefMut};

use super::Record;

/// Graphs whose buffers hold at most this many nodes (and edges) leave them to the next
/// graph created on the same thread; larger ones free them. At 9 bytes per node and 12
/// per edge (and numbers), a thread keeps about 5.5 MiB.
const SPARE_LIMIT: usize = 1 << 18;

thread_local! {
    /// The emptied buffers of the last small graph dropped on this thread.
    static SPARE_RECORD: Cell<Option<Box<Record>>> = const { Cell::new(None) };
}

/// A graph's record, boxed: handing it to the thread's spare slot and back moves one
/// pointer. (Moving the whole record, its lengths just written, stalled on store
/// forwarding and doubled the cost of a small graph's life.) It is only ever empty while
/// its graph is being dropped.
pub(crate) struct Spare(Option<Box<Record>>);

impl Spare {
    /// The buffers the last small graph dropped on this thread left, or new ones.
    #[inline]
    pub(crate) fn take() -> Spare {
        let spare = SPARE_RECORD.try_with(Cell::take).ok().flatten();
        Spare(Some(spare.unwrap_or_default()))
    }

    /// The record, checked once: a recording step that reaches the record through this
    /// reference does not test the slot again for each field it appends to.
    #[inline(always)]
    pub(crate) fn get_mut(&mut self) -> &mut Record {
        self
    }
}

impl Deref for Spare {
    type Target = Record;

    #[inline(always)]
    fn deref(&self) -> &Record {
        self.0
            .as_deref()
            .expect("autodiff internal error: a live graph has its record")
    }
}

impl DerefMut for Spare {
    #[inline(always)]
    fn deref_mut(&mut self) -> &mut Record {
        self.0
            .as_deref_mut()
            .expect("autodiff internal error: a live graph has its record")
    }
}

impl Drop for Spare {
    /// Leaves a small record's buffers, emptied, to the next graph made on this thread.
    fn drop(&mut self) {
        let Some(mut record) = self.0.take() else {
            return;
        };
        let (nodes, edges) = record.capacity();
        // a large adjoint buffer kept for the next sweep does not outlive the graphs by long
        release_large_adjoints();
        // a graph that never held a node has nothing to leave (and keeps the spare there)
        let holds_buffers = nodes > 0 || edges > 0;
        if holds_buffers && nodes <= SPARE_LIMIT && edges <= SPARE_LIMIT {
            record.clear();
            record.stop_tracking();
            // During thread teardown the slot may be gone: then the buffers are freed.
            let _ = SPARE_RECORD.try_with(|spare| spare.set(Some(record)));
        }
    }
}

/// The adjoint buffer of a [`Gradients`](crate::Gradients). Dropped, it is kept for the next sweep on the
/// same thread, so that a training loop recording and sweeping one graph per sample (or
/// re-recording one large graph, see [`Graph::clear`](crate::Graph::clear)) allocates nothing per sweep and
/// writes to no fresh memory. A kept buffer of more than 2¹⁸ entries (2 MiB) is freed when
/// a graph is dropped on the thread, so that it does not outlive for long the graphs it
/// served.
///
/// The buffer has its own `Drop` and borrows nothing; `Gradients` itself has no `Drop`, so
/// a `Gradients` temporary may outlive its graph's borrow (as in a block ending in
/// `(y.value(), y.backward().wrt(x))`, whose temporaries are dropped after its locals).
#[derive(Clone)]
pub(crate) struct Adjoints(pub(crate) Vec<f64>);

/// Kept adjoint buffers of at most this many entries outlive the graphs they served (see
/// [`Adjoints`]), as graph buffers do (see [`Graph::with_capacity`](crate::Graph::with_capacity)).
const SMALL: usize = 1 << 18;

thread_local! {
    /// The buffer of the last [`Adjoints`] dropped on this thread.
    static SPARE_ADJOINTS: Cell<Option<Vec<f64>>> = const { Cell::new(None) };
}

impl Adjoints {
    /// `len` zeros, in the last buffer dropped on this thread if it is long enough.
    #[inline]
    pub(crate) fn zeros(len: usize) -> Self {
        match SPARE_ADJOINTS.try_with(Cell::take).ok().flatten() {
            // Shortened, never lengthened: growing a `Vec` in place (`resize`) takes its
            // address, which puts it on the stack, and copying it from there afterwards
            // stalls on store forwarding. A shortened buffer keeps its capacity.
            Some(mut spare) if spare.len() >= len => {
                spare.truncate(len);
                spare.fill(0.0);
                Adjoints(spare)
            }
            _ => {
                // Zeros written, not `vec![0.0; len]`: a large calloc'd buffer is fresh
                // pages the sweep would first read (mapping the zero page) and then write
                // (copying it), two page faults per page instead of one.
                let mut adjoints = Vec::with_capacity(len);
                adjoints.resize(len, 0.0);
                Adjoints(adjoints)
            }
        }
    }
}

impl Drop for Adjoints {
    #[inline]
    fn drop(&mut self) {
        let buffer = std::mem::take(&mut self.0);
        // During thread teardown the slot may be gone: then the buffer is just freed.
        let _ = SPARE_ADJOINTS.try_with(|spare| spare.set(Some(buffer)));
    }
}

/// Frees this thread's kept adjoint buffer if it holds more than 2¹⁸ entries (called
/// whenever a graph is dropped: a graph's `Gradients` may be dropped after it, as
/// temporaries are, so the buffer lives at most until the thread drops its next graph).
fn release_large_adjoints() {
    let _ = SPARE_ADJOINTS.try_with(|spare| {
        let buffer = spare.take();
        if buffer.as_ref().is_some_and(|b| b.capacity() <= SMALL) {
            spare.set(buffer);
        }
    });
}

impl fmt::Debug for Adjoints {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}
