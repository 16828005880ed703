//! What the `f64` paths allocate, counted by a counting allocator (this thread's calls
//! only): a pass on `f64` builds no node names, a pass from a neuron allocates nothing, and
//! `compare`, whose finite differences run `n` passes, allocates in proportion to `n`, not
//! `n²` (names formatted per neuron per pass made `check --net chain:10000` take
//! minutes).

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use lecture::compare::compare;
use lecture::data::Sample;
use lecture::train::MeanCostFrom;
use lecture::{Net, Point};

struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

// SAFETY: forwards to the system allocator; the counter is a const-initialised thread-local
// that never allocates.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|c| c.set(c.get() + 1));
        // SAFETY: same contract as the caller's
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static COUNTING: Counting = Counting;

/// How many allocations `f` makes on this thread.
fn allocations<T>(f: impl FnOnce() -> T) -> usize {
    let before = ALLOCATIONS.with(Cell::get);
    std::hint::black_box(f());
    ALLOCATIONS.with(Cell::get) - before
}

#[test]
fn an_f64_pass_allocates_its_two_arrays_whatever_the_depth() {
    for n in [10, 1000] {
        let net = Net::Chain(n);
        let w = vec![0.7; net.n_weights()];
        assert_eq!(
            allocations(|| net.cost(&w, 0.5, 0.2).unwrap()),
            2,
            "chain:{n}"
        );
        assert_eq!(
            allocations(|| net.cost_from(&w, n / 2, 0.3, 0.2).unwrap()),
            0
        );
        assert_eq!(allocations(|| net.activation(&w, 0.5, n).unwrap()), 0);
    }
}

#[test]
fn a_cost_surface_point_allocates_nothing() {
    let net = Net::Chain(500);
    let rows: Vec<Sample> = (0..20)
        .map(|i| Sample {
            s0: f64::from(i) / 10.0,
            out: 0.5,
        })
        .collect();
    let w = vec![0.9; net.n_weights()];
    let tail = MeanCostFrom::new(net, &w, &rows, 499).unwrap();
    assert_eq!(allocations(|| tail.at(&w).unwrap()), 0);
}

#[test]
fn comparing_a_chain_allocates_in_proportion_to_its_length() {
    let count = |n: usize| {
        let point = Point {
            weights: vec![1.0; n + 1],
            s0: 2.0,
            target: 0.7,
        };
        allocations(|| compare(Net::Chain(n), &point).unwrap())
    };
    let (small, large) = (count(400), count(1600));
    // linear: ×4 (plus the logarithmic growth of vectors); per-pass names would be ×16
    assert!(
        large < 5 * small,
        "400 weights: {small} allocations, 1600: {large}"
    );
}
