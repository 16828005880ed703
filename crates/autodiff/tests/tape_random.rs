//! Random straight-line programs over every op: compiled replay at new inputs equals a
//! fresh eager recording at those inputs, values and gradients bit for bit.

mod common;

use autodiff::{Graph, Op, Scalar, Tape, Var};
use common::bit_identical;
use proptest::prelude::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// One instruction: op code, two operand picks (reduced modulo the slots so far), a number.
type Instr = (u8, u32, u32, f64);

/// Every op that is not a leaf; an instruction picks one by its code modulo their number.
fn ops(c: f64) -> Vec<Op> {
    Op::all(c).filter(|op| !op.is_leaf()).collect()
}

/// Applies instruction `op` to `a` (and `b`); `c` is the number of an op that has one.
fn apply<'g>(op: u8, a: Var<'g>, b: Var<'g>, c: f64) -> Var<'g> {
    let ops = ops(c);
    let op = ops[usize::from(op) % ops.len()];
    if op.arity() == 1 {
        a.unary(op)
    } else {
        a.binary(op, b)
    }
}

/// Records `program` on `g` over three variables and one constant with the given values;
/// returns the last slot and the leaves.
fn record<'g>(g: &'g Graph, x: [f64; 4], program: &[Instr]) -> (Var<'g>, Vec<Var<'g>>) {
    let leaves = vec![g.var(x[0]), g.var(x[1]), g.constant(x[2]), g.var(x[3])];
    let mut slots = leaves.clone();
    for &(op, i, j, c) in program {
        let n = slots.len() as u32;
        let v = apply(op, slots[(i % n) as usize], slots[(j % n) as usize], c);
        slots.push(v);
    }
    (*slots.last().expect("at least the leaves"), leaves)
}

/// Compiles at `x_record`, replays at `x_replay`, and compares with eager at `x_replay`.
fn replay_matches_eager(
    program: &[Instr],
    x_record: [f64; 4],
    x_replay: [f64; 4],
) -> Result<(), String> {
    let g = Graph::new();
    let (y, leaves) = record(&g, x_record, program);
    let tape = Tape::compile(y, &leaves).map_err(|e| e.to_string())?;
    let mut ws = tape.workspace();
    let (value, grad) = tape
        .gradient(&mut ws, &x_replay)
        .map_err(|e| e.to_string())?;

    let fresh = Graph::new();
    let (y2, leaves2) = record(&fresh, x_replay, program);
    let eager = y2.backward().wrt_all(&leaves2);
    if !bit_identical(&[value], &[y2.value()]) || !bit_identical(grad, &eager) {
        return Err(format!(
            "program {program:?} at {x_replay:?}: tape ({value:e}, {grad:?}) vs eager ({:e}, {eager:?})",
            y2.value()
        ));
    }
    Ok(())
}

#[test]
fn seeded_random_programs_replay_bit_for_bit_like_eager() {
    let mut rng = StdRng::seed_from_u64(0x7a9e);
    let draw = |rng: &mut StdRng| std::array::from_fn(|_| rng.random_range(-3.0..3.0));
    for _ in 0..300 {
        let len = rng.random_range(1..60);
        let program: Vec<Instr> = (0..len)
            .map(|_| {
                (
                    rng.random(),
                    rng.random(),
                    rng.random(),
                    rng.random_range(-3.0..3.0),
                )
            })
            .collect();
        let (a, b) = (draw(&mut rng), draw(&mut rng));
        replay_matches_eager(&program, a, b).unwrap();
    }
}

#[test]
fn one_tape_replayed_many_times_still_matches_eager_each_time() {
    // Values left in the workspace by one replay must not leak into the next.
    let program: Vec<Instr> = vec![
        (2, 0, 1, 0.0),
        (22, 4, 0, 0.0),
        (24, 3, 0, 0.0),
        (0, 5, 6, 0.0),
        (5, 7, 2, 0.0),
    ];
    let g = Graph::new();
    let (y, leaves) = record(&g, [0.5; 4], &program);
    let tape = Tape::compile(y, &leaves).unwrap();
    let mut ws = tape.workspace();
    let mut rng = StdRng::seed_from_u64(3);
    for _ in 0..200 {
        let x: [f64; 4] = std::array::from_fn(|_| rng.random_range(-3.0..3.0));
        let (value, grad) = tape.gradient(&mut ws, &x).unwrap();
        let fresh = Graph::new();
        let (y2, leaves2) = record(&fresh, x, &program);
        assert_eq!(value.to_bits(), y2.value().to_bits());
        assert!(bit_identical(grad, &y2.backward().wrt_all(&leaves2)));
    }
}

fn instr() -> impl Strategy<Value = Instr> {
    (any::<u8>(), any::<u32>(), any::<u32>(), -3.0..3.0f64)
}

fn point() -> impl Strategy<Value = [f64; 4]> {
    [-3.0..3.0f64, -3.0..3.0f64, -3.0..3.0f64, -3.0..3.0f64]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn replay_equals_eager_for_any_program(
        program in prop::collection::vec(instr(), 1..40),
        x_record in point(),
        x_replay in point(),
    ) {
        prop_assert!(replay_matches_eager(&program, x_record, x_replay).is_ok(),
            "{}", replay_matches_eager(&program, x_record, x_replay).unwrap_err());
    }
}
