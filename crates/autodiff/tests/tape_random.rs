//! Random straight-line programs over every op: compiled replay at new inputs equals a
//! fresh eager recording at those inputs, values and gradients bit for bit.

mod common;

use autodiff::{Error, Graph, Op, Scalar, Tape, Var, Workspace};
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

/// `len` random instructions, each op's number drawn by `number`.
fn random_program(
    rng: &mut StdRng,
    len: u32,
    mut number: impl FnMut(&mut StdRng) -> f64,
) -> Vec<Instr> {
    (0..len)
        .map(|_| (rng.random(), rng.random(), rng.random(), number(rng)))
        .collect()
}

#[test]
fn seeded_random_programs_replay_bit_for_bit_like_eager() {
    let mut rng = StdRng::seed_from_u64(0x7a9e);
    let draw = |rng: &mut StdRng| std::array::from_fn(|_| rng.random_range(-3.0..3.0));
    for _ in 0..300 {
        let len = rng.random_range(1..60);
        let program = random_program(&mut rng, len, |rng| rng.random_range(-3.0..3.0));
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

/// `record` with the program's output at slot `out` (modulo the slots: a leaf, so an input,
/// or any op) and, if `guard` is given, a guard `v > 0.25` on the op at that position
/// (modulo the program's length); returns whether it held, if it was recorded before the
/// output (a tape keeps only those).
fn record_at<'g>(
    g: &'g Graph,
    x: [f64; 4],
    program: &[Instr],
    out: u32,
    guard: Option<u32>,
) -> (Var<'g>, Vec<Var<'g>>, Option<bool>) {
    let leaves = vec![g.var(x[0]), g.var(x[1]), g.constant(x[2]), g.var(x[3])];
    let mut slots = leaves.clone();
    let out = out as usize % (leaves.len() + program.len());
    let mut held = None;
    for (k, &(op, i, j, c)) in program.iter().enumerate() {
        let n = slots.len() as u32;
        let v = apply(op, slots[(i % n) as usize], slots[(j % n) as usize], c);
        slots.push(v);
        if guard.is_some_and(|at| at as usize % program.len() == k) && slots.len() <= out {
            held = Some(g.guard(v.gt(0.25)));
        }
    }
    (slots[out], leaves, held)
}

/// A number of any kind: ±0, ±∞, NaN, huge, tiny, ±1, or an ordinary one.
fn any_number(rng: &mut StdRng) -> f64 {
    match rng.random_range(0..14) {
        0 => 0.0,
        1 => -0.0,
        2 => f64::INFINITY,
        3 => f64::NEG_INFINITY,
        4 => f64::NAN,
        5 => 1e300,
        6 => -1e-300,
        7 => 1.0,
        8 => -1.0,
        _ => rng.random_range(-3.0..3.0),
    }
}

#[test]
fn a_workspace_shared_by_tapes_gives_a_fresh_graphs_gradient_at_every_replay() {
    // Input adjoints are not zeroed between replays: each replay must write every input
    // sum the sweep reaches, from 0, whatever the replays before (of this tape or another,
    // by `gradient`, `gradient_in_place` or `hvp`, or one that failed on a guard) left. Three
    // tapes share one workspace, each with inputs in a random order and subset (constant
    // and unused ones too), an output that may be an input, maybe a guard; each replay, at
    // numbers of every kind (zero adjoints and NaN partials included), is compared with
    // `Var::backward` on a fresh recording at the same inputs.
    let mut rng = StdRng::seed_from_u64(0x5eed);
    let mut compared = 0;
    for _ in 0..300 {
        let tapes: Vec<_> = (0..3)
            .map(|_| {
                let len = rng.random_range(1..25);
                let program = random_program(&mut rng, len, any_number);
                // the last op usually; otherwise any slot, a leaf included
                let out = if rng.random_bool(0.7) {
                    3 + len
                } else {
                    rng.random()
                };
                let guard = rng.random_bool(0.5).then(|| rng.random());
                let at: [f64; 4] = std::array::from_fn(|_| rng.random_range(-2.0..2.0));
                let mut order = vec![0, 1, 2, 3];
                for i in (1..4).rev() {
                    order.swap(i, rng.random_range(0..=i));
                }
                order.truncate(rng.random_range(1..=4));
                let g = Graph::new();
                let (y, leaves, held) = record_at(&g, at, &program, out, guard);
                let inputs: Vec<Var> = order.iter().map(|&i| leaves[i]).collect();
                let tape = Tape::compile(y, &inputs).unwrap();
                (program, out, guard, held, at, order, tape)
            })
            .collect();
        let mut ws = Workspace::default();
        for _ in 0..30 {
            let (program, out, guard, held, at, order, tape) = &tapes[rng.random_range(0..3)];
            let mut x = *at;
            for &i in order {
                x[i] = if rng.random_bool(0.6) {
                    rng.random_range(-2.0..2.0)
                } else {
                    any_number(&mut rng)
                };
            }
            let inputs: Vec<f64> = order.iter().map(|&i| x[i]).collect();
            let fresh = Graph::new();
            let (y, leaves, held_now) = record_at(&fresh, x, program, *out, *guard);
            let leaves: Vec<Var> = order.iter().map(|&i| leaves[i]).collect();
            let eager = y.backward().wrt_all(&leaves);
            let replay = match rng.random_range(0..3) {
                0 => tape
                    .gradient(&mut ws, &inputs)
                    .map(|(v, g)| (v, g.to_vec())),
                1 => {
                    ws.inputs_and_gradient(tape).0.copy_from_slice(&inputs);
                    let value = tape.gradient_in_place(&mut ws);
                    value.map(|v| (v, ws.inputs_and_gradient(tape).1.to_vec()))
                }
                _ => {
                    let t: Vec<f64> = (0..inputs.len())
                        .map(|_| rng.random_range(-1.0..1.0))
                        .collect();
                    let hvp = tape.hvp(&mut ws, &inputs, &t);
                    hvp.map(|(v, g, _)| (v, g.to_vec()))
                }
            };
            let what = format!("program {program:?}, output {out}, inputs {order:?} at {x:?}");
            match replay {
                Err(Error::BranchChanged { .. }) => assert_ne!(held, &held_now, "{what}"),
                Err(e) => panic!("{what}: {e}"),
                Ok((value, grad)) => {
                    assert_eq!(held, &held_now, "{what}: a flipped guard went unnoticed");
                    assert!(
                        bit_identical(&[value], &[y.value()]) && bit_identical(&grad, &eager),
                        "{what}: tape ({value:e}, {grad:?}) vs eager ({:e}, {eager:?})",
                        y.value()
                    );
                    compared += 1;
                }
            }
        }
    }
    assert!(compared > 7000, "{compared} replays compared");
}
