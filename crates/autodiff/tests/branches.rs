//! Branches in compiled tapes: `select` replays both branches and masks the one not
//! taken; a branch taken in Rust and guarded reports `BranchChanged` when a replay flips
//! it; eager recording, tape replay and batch lanes agree bit for bit.

mod common;
mod program;

use autodiff::{Error, Graph, Op, Tape, Var};
use common::bit_identical;
use ndarray::{array, Array2};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

use program::{program, Prim, Program};

/// `f(x) = x²` for `x > 0`, `−x` otherwise, recorded with `select` at `x = 1`.
#[test]
fn a_select_recorded_on_one_side_replays_the_other() {
    let g = Graph::new();
    let x = g.var(1.0);
    let f = x.gt(0.0).select(x * x, -x);
    assert_eq!((f.value(), f.backward().wrt(x)), (1.0, 2.0));
    let tape = Tape::compile(f, &[x]).unwrap();
    let mut ws = tape.workspace();
    assert_eq!(tape.gradient(&mut ws, &[-1.0]).unwrap(), (1.0, &[-1.0][..]));
    assert_eq!(tape.gradient(&mut ws, &[2.0]).unwrap(), (4.0, &[4.0][..]));
    // at the step itself: x > 0 fails at 0, so −x, derivative −1
    assert_eq!(tape.gradient(&mut ws, &[0.0]).unwrap(), (-0.0, &[-1.0][..]));
    // the lanes too, row by row
    let batch = tape.batch(array![[-1.0], [2.0]].view(), &[]).unwrap();
    assert_eq!(batch.outputs.to_vec(), vec![1.0, 4.0]);
}

/// What a tape does not promise: a branch taken in Rust, unguarded, is frozen.
#[test]
fn an_unguarded_rust_branch_is_replayed_as_recorded() {
    let g = Graph::new();
    let x = g.var(1.0);
    let f = if x.value() > 0.0 { x * x } else { -x };
    let tape = Tape::compile(f, &[x]).unwrap();
    let mut ws = tape.workspace();
    // x² at −1, where the program computes −x: the documented limitation
    assert_eq!(tape.gradient(&mut ws, &[-1.0]).unwrap(), (1.0, &[-2.0][..]));
    assert_eq!(tape.guard_count(), 0);
}

/// The same branch, guarded: every kind of replay reports the flip.
#[test]
fn a_guarded_branch_that_flips_is_reported_by_every_replay() {
    let g = Graph::new();
    let x = g.var(1.0);
    let w = g.var(3.0);
    let condition = x.gt(0.0);
    let positive = g.guard(condition);
    assert!(positive);
    let f = if positive { x * x * w } else { -x * w };
    let tape = Tape::compile(f, &[x, w]).unwrap();
    assert_eq!(tape.guard_count(), 1);
    let mut ws = tape.workspace();
    // the recorded side: numbers as eager
    assert_eq!(
        tape.gradient(&mut ws, &[2.0, 3.0]).unwrap(),
        (12.0, &[12.0, 4.0][..])
    );
    let flipped = |row| Error::BranchChanged {
        node: condition.index(),
        recorded: true,
        now: false,
        row,
    };
    assert_eq!(tape.value(&mut ws, &[-1.0, 3.0]), Err(flipped(None)));
    assert_eq!(tape.gradient(&mut ws, &[-1.0, 3.0]), Err(flipped(None)));
    assert_eq!(tape.gradient(&mut ws, &[0.0, 3.0]), Err(flipped(None)));
    let hvp = tape.hvp(&mut ws, &[-1.0, 3.0], &[1.0, 0.0]).map(|_| ());
    assert_eq!(hvp, Err(flipped(None)));
    // after an error the workspace still replays correctly
    assert_eq!(
        tape.gradient(&mut ws, &[2.0, 3.0]).unwrap(),
        (12.0, &[12.0, 4.0][..])
    );

    // rows: the first flipped row, in row order, by every batch
    let rows = array![[1.0], [2.0], [-1.0], [-2.0]];
    let mut grad = [0.0];
    let summed = tape.sum_over_rows(&mut ws, rows.view(), &[3.0], &mut grad);
    assert_eq!(summed, Err(flipped(Some(2))));
    assert_eq!(tape.batch(rows.view(), &[3.0]), Err(flipped(Some(2))));
    assert_eq!(tape.par_batch(rows.view(), &[3.0]), Err(flipped(Some(2))));
    let batch_hvp = |rows: &Array2<f64>, parallel: bool| {
        let (data, params, v) = (rows.view(), &[3.0][..], &[1.0][..]);
        let hvp = if parallel {
            tape.par_batch_hvp(data, params, v)
        } else {
            tape.batch_hvp(data, params, v)
        };
        hvp.map(|_| ())
    };
    assert_eq!(batch_hvp(&rows, false), Err(flipped(Some(2))));
    assert_eq!(batch_hvp(&rows, true), Err(flipped(Some(2))));
    // a NaN row is replayed row by row by the lanes: still the first flipped row
    let rows = array![[1.0], [f64::NAN], [-1.0]];
    assert_eq!(tape.batch(rows.view(), &[3.0]), Err(flipped(Some(1))));
    // many chunks, spread over threads: the same first row as the serial batch
    let mut many = Array2::from_elem((20_000, 1), 0.5);
    many[[13_337, 0]] = -0.5;
    many[[17_000, 0]] = -0.5;
    assert_eq!(tape.batch(many.view(), &[3.0]), Err(flipped(Some(13_337))));
    assert_eq!(
        tape.par_batch(many.view(), &[3.0]),
        Err(flipped(Some(13_337)))
    );
    assert_eq!(batch_hvp(&many, false), Err(flipped(Some(13_337))));
    assert_eq!(batch_hvp(&many, true), Err(flipped(Some(13_337))));
    many[[13_337, 0]] = 0.5;
    many[[17_000, 0]] = 0.5;
    let (serial, parallel) = (
        tape.batch(many.view(), &[3.0]),
        tape.par_batch(many.view(), &[3.0]),
    );
    assert_eq!(serial.unwrap(), parallel.unwrap());

    let message = flipped(Some(2)).to_string();
    assert!(
        message.starts_with("row 2: the branch guarded at node"),
        "{message}"
    );
    assert!(
        message.contains("was true when the tape was recorded, is false now"),
        "{message}"
    );
}

/// A guard on a value that depends on a parameter only (a scalar in the lanes), guards
/// recorded after the output (ignored), and a NaN condition (counts as false, as Rust's
/// `if` on a NaN comparison does).
#[test]
fn guards_on_parameters_after_the_output_and_on_nan() {
    let g = Graph::new();
    let (x, w) = (g.constant(1.0), g.var(2.0));
    let wide = g.guard(w.gt(1.0));
    let f = if wide { x * w } else { x };
    let _later = g.guard(x.lt(0.0)); // after f: not f's guard
    let tape = Tape::compile(f, &[x, w]).unwrap();
    assert_eq!(tape.guard_count(), 1);
    let rows = array![[1.0], [-5.0]];
    assert_eq!(tape.batch(rows.view(), &[2.0]).unwrap().sum, -8.0);
    let e = tape.batch(rows.view(), &[0.5]).unwrap_err();
    assert!(
        matches!(
            e,
            Error::BranchChanged {
                row: Some(0),
                recorded: true,
                ..
            }
        ),
        "{e}"
    );

    let h = Graph::new();
    let y = h.var(f64::NAN);
    assert!(!h.guard(y.gt(0.0)));
    let f = -y;
    let tape = Tape::compile(f, &[y]).unwrap();
    let mut ws = tape.workspace();
    assert!(tape.value(&mut ws, &[f64::NAN]).unwrap().is_nan());
    assert_eq!(tape.value(&mut ws, &[-1.0]).unwrap(), 1.0);
    let e = tape.value(&mut ws, &[1.0]).unwrap_err();
    assert!(matches!(
        e,
        Error::BranchChanged {
            recorded: false,
            now: true,
            ..
        }
    ));
}

/// Guards on an input itself (a data column, a parameter), on a product the lanes would
/// otherwise fold into a sum without storing it, and guards forgotten by `clear`.
#[test]
fn guards_on_inputs_on_folded_products_and_after_clear() {
    let mut g = Graph::new();
    {
        let (x, w, b) = (g.constant(1.0), g.var(2.0), g.var(0.5));
        let product = w * x;
        assert!(g.guard(x)); // x ≠ 0
        assert!(g.guard(product.gt(0.0)));
        let f = (product + b).sigmoid();
        let tape = Tape::compile(f, &[x, w, b]).unwrap();
        assert_eq!(tape.guard_count(), 2);
        let rows = Array2::from_shape_fn((300, 1), |(i, _)| 0.01 + i as f64);
        let all = tape.batch(rows.view(), &[2.0, 0.5]).unwrap();
        let mut ws = tape.workspace();
        for (i, &out) in all.outputs.iter().enumerate() {
            let want = tape.value(&mut ws, &[rows[[i, 0]], 2.0, 0.5]).unwrap();
            assert_eq!(out.to_bits(), want.to_bits(), "row {i}");
        }
        // x = 0 flips the first guard (x itself); w < 0 flips the product's at every row
        let mut zero = rows.clone();
        zero[[200, 0]] = 0.0;
        let e = tape.batch(zero.view(), &[2.0, 0.5]).unwrap_err();
        assert!(
            matches!(
                e,
                Error::BranchChanged {
                    node: 0,
                    row: Some(200),
                    ..
                }
            ),
            "{e}"
        );
        let e = tape.batch(rows.view(), &[-2.0, 0.5]).unwrap_err();
        assert!(
            matches!(e, Error::BranchChanged { row: Some(0), .. }),
            "{e}"
        );
        // the threads of a parallel batch report the same row
        let e = tape.par_batch(zero.view(), &[2.0, 0.5]).unwrap_err();
        assert!(
            matches!(e, Error::BranchChanged { row: Some(200), .. }),
            "{e}"
        );
    }
    g.clear();
    let x = g.var(1.0);
    let tape = Tape::compile(x * x, &[x]).unwrap();
    assert_eq!(tape.guard_count(), 0, "clear forgets the guards");
}

#[test]
#[should_panic(expected = "Graph::guard was given a Var of another graph")]
fn a_guard_on_another_graphs_var_panics_with_a_message() {
    let (g, h) = (Graph::new(), Graph::new());
    let x = h.var(1.0);
    g.guard(x.gt(0.0));
}

/// Whether `got` and `want` are the same numbers, bit for bit (NaNs alike).
fn same(got: (f64, &[f64]), want: (f64, &[f64])) -> bool {
    bit_identical(&[got.0], &[want.0]) && bit_identical(got.1, want.1)
}

/// The branch not taken gets exactly 0 even where its partial is infinite or NaN, and
/// nothing upstream of it gets a NaN from it: eager, tape and lanes alike.
#[test]
fn the_branch_not_taken_is_masked_through_infinite_and_nan_partials() {
    // (name, f, x where the masked branch has an infinite or NaN partial, value, derivative)
    type Build = for<'g> fn(Var<'g>) -> Var<'g>;
    let cases: [(&str, Build, f64, f64, f64); 5] = [
        (
            "select(x > 0, √x, 0) at 0",
            |x| x.gt(0.0).select(x.sqrt(), 0.0),
            0.0,
            0.0,
            0.0,
        ),
        (
            "select(x > 0, √x, 0) at −1",
            |x| x.gt(0.0).select(x.sqrt(), 0.0),
            -1.0,
            0.0,
            0.0,
        ),
        (
            "select(x > 0, ln x, x) at −2",
            |x| x.gt(0.0).select(x.ln(), x),
            -2.0,
            -2.0,
            1.0,
        ),
        (
            "select(x ≥ 0, x, 1/x) at 0",
            |x| x.ge(0.0).select(x, x.recip()),
            0.0,
            0.0,
            1.0,
        ),
        (
            "select(x < 1, 2x, √(x−1)·3) at 1, both ways through x",
            |x| x.lt(1.0).select(x * 2.0, (x - 1.0).sqrt() * 3.0),
            1.0,
            0.0,
            0.0,
        ),
    ];
    for (name, f, at, value, derivative) in cases {
        let g = Graph::new();
        let x = g.var(at);
        let y = f(x);
        let eager = (y.value(), y.backward().wrt(x));
        // the last case: at x = 1, x < 1 fails, √0 = 0 is taken with its infinite partial
        if name.ends_with("through x") {
            assert_eq!(eager.0, 0.0, "{name}");
            assert_eq!(
                eager.1,
                f64::INFINITY,
                "{name}: the branch taken is infinite"
            );
            continue;
        }
        assert_eq!(eager, (value, derivative), "{name}: eager");
        let tape = Tape::compile(y, &[x]).unwrap();
        let mut ws = tape.workspace();
        let (v, d) = tape.gradient(&mut ws, &[at]).unwrap();
        assert!(
            same((v, d), (value, &[derivative])),
            "{name}: tape {v} {d:?}"
        );
        let (v, d, hv) = tape.hvp(&mut ws, &[at], &[1.0]).unwrap();
        assert!(same((v, d), (value, &[derivative])), "{name}: hvp");
        assert!(hv[0].is_finite(), "{name}: hvp {hv:?}");
        let forward = g.jvp(&[(x, 1.0)]).of(y);
        assert_eq!(forward, derivative, "{name}: jvp");
        // the lanes take a chunk with a non-finite value row by row; a finite chunk in
        // lanes: both give the replay's numbers
        let single = tape.batch(array![[at]].view(), &[]).unwrap();
        assert!(
            bit_identical(&single.outputs.to_vec(), &[value]),
            "{name}: lanes"
        );
    }
}

/// A select whose branch is a parameter's: the gradient the lanes sum per parameter
/// masks the branch not taken in every lane.
#[test]
fn lanes_mask_the_branch_not_taken_per_row() {
    let g = Graph::new();
    let (x, w) = (g.constant(0.0), g.var(1.0));
    // (w x)^½ where x > 0, else w: the root's partial is infinite at x = 0
    let f = x.gt(0.0).select((w * x).sqrt(), w);
    let tape = Tape::compile(f, &[x, w]).unwrap();
    let rows = array![[4.0], [0.0], [-1.0], [9.0]];
    let out = tape.batch(rows.view(), &[1.0]).unwrap();
    assert_eq!(out.outputs.to_vec(), vec![2.0, 1.0, 1.0, 3.0]);
    let mut ws = tape.workspace();
    let mut by_rows = [0.0];
    let sum = tape
        .sum_over_rows(&mut ws, rows.view(), &[1.0], &mut by_rows)
        .unwrap();
    assert_eq!((out.sum, out.gradient[0]), (sum, by_rows[0]));
    // d/dw: x/(2√(wx)) = 1, 1, 1, 1.5
    assert_eq!(out.gradient, vec![4.5]);
}

/// Second order: the Hessian through a select is the branch taken's, on the graph and
/// on the tape (replayed on either side).
#[test]
fn the_hessian_through_a_select_is_the_branch_takens() {
    // f = x²y for x > y, sin(x)·y otherwise
    fn build(g: &Graph, a: f64, b: f64) -> (Var<'_>, Var<'_>, Var<'_>) {
        let (x, y) = (g.var(a), g.var(b));
        let f = x.gt(y).select(x * x * y, x.sin() * y);
        (x, y, f)
    }
    let g = Graph::new();
    let (x, y, f) = build(&g, 2.0, 1.0);
    // H = [[2y, 2x], [2x, 0]] at (2, 1)
    let close = |got: &Array2<f64>, want: &Array2<f64>| {
        got.iter().zip(want).all(|(a, b)| (a - b).abs() <= 1e-15)
    };
    let taken = f.hessian(&[x, y]);
    assert!(close(&taken, &array![[2.0, 4.0], [4.0, 0.0]]), "{taken}");
    let h = Graph::new();
    let (x2, y2, f2) = build(&h, 0.5, 1.0);
    // H = [[−sin(x) y, cos x], [cos x, 0]] at (0.5, 1)
    let want = array![[-(0.5f64.sin()), 0.5f64.cos()], [0.5f64.cos(), 0.0]];
    let other = f2.hessian(&[x2, y2]);
    assert!(close(&other, &want), "{other}");
    // the tape recorded at (2, 1), replayed at (0.5, 1): the other branch's Hessian
    let tape = Tape::compile(f, &[x, y]).unwrap();
    let mut ws = tape.workspace();
    for (t, column) in [([1.0, 0.0], 0), ([0.0, 1.0], 1)] {
        let (_, _, hv) = tape.hvp(&mut ws, &[0.5, 1.0], &t).unwrap();
        for (i, &got) in hv.iter().enumerate() {
            let expected = want[[i, column]];
            assert!(
                (got - expected).abs() <= 1e-15,
                "H[{i}][{column}]: {got} vs {expected}"
            );
        }
    }
}

/// A gradient recorded through a select holds the recorded side: a tape of it reports a
/// flip instead of returning the other side's numbers; at the recorded point, the masking
/// holds on the graph too.
#[test]
fn a_tape_of_a_gradient_through_a_select_reports_a_flip() {
    let g = Graph::new();
    let x = g.var(1.0);
    let f = x.gt(0.0).select(x * x, -x);
    let tape_f = Tape::compile(f, &[x]).unwrap();
    let df = f.backward_graph().wrt(x); // 2x, for x > 0
    let tape = Tape::compile(df, &[x]).unwrap();
    let mut ws = tape.workspace();
    assert_eq!(tape.value(&mut ws, &[3.0]).unwrap(), 6.0);
    let e = tape.value(&mut ws, &[-1.0]).unwrap_err();
    assert!(
        matches!(
            e,
            Error::BranchChanged {
                recorded: true,
                now: false,
                ..
            }
        ),
        "{e}"
    );
    // f itself was recorded before the gradient's guard: its tape is unaffected
    assert_eq!(tape_f.value(&mut tape_f.workspace(), &[-1.0]).unwrap(), 1.0);

    let h = Graph::new();
    let y = h.var(0.0);
    let root = y.gt(0.0).select(y.sqrt(), 0.0);
    assert_eq!(root.backward_graph().wrt(y).value(), 0.0);
    assert_eq!(root.hessian(&[y]), array![[0.0]]);
}

/// The new ops' partial symbols, as `paths` and DOT labels show them.
#[test]
fn comparisons_and_selects_have_partial_symbols() {
    assert_eq!(Op::Less.partial_symbol(0, ["a", "b"], "v"), "0");
    assert_eq!(Op::IfTrue.partial_symbol(0, ["c", "t"], "v"), "0");
    assert_eq!(Op::IfTrue.partial_symbol(1, ["c", "t"], "v"), "[c ≠ 0]");
    assert_eq!(Op::IfFalse.partial_symbol(1, ["c", "f"], "v"), "[c = 0]");
    assert_eq!(
        [Op::Less, Op::LessEq, Op::IfTrue, Op::IfFalse].map(Op::name),
        ["lt", "le", "if", "else"]
    );
    let g = Graph::new();
    let x = g.var_named("x", 1.0);
    let f = x.gt(0.0).select(x * x, -x).named("f");
    let dot = g.to_dot();
    assert!(
        dot.contains("if") && dot.contains("else") && dot.contains("lt"),
        "{dot}"
    );
    let paths = f.paths_from(x, 20);
    assert_eq!(paths.listed_sum, 2.0);
}

/// `x + (−0)` is `x` bit for bit, so a select returns its branch exactly (−0 included).
#[test]
fn a_select_is_exactly_its_branch() {
    let g = Graph::new();
    for (c, t, f) in [
        (1.0, -0.0, 5.0),
        (0.0, 5.0, -0.0),
        (1.0, f64::INFINITY, f64::NAN),
    ] {
        let (c, t, f) = (g.constant(c), g.var(t), g.var(f));
        let s = c.select(t, f);
        let want = if c.value() != 0.0 { t } else { f };
        assert_eq!(s.value().to_bits(), want.value().to_bits());
    }
    // a NaN condition gives NaN, as every NaN operand does; comparisons with NaN are NaN
    let nan = g.var(f64::NAN);
    assert!(nan.lt(0.0).value().is_nan() && nan.ge(0.0).value().is_nan());
    assert!(nan.gt(0.0).select(1.0, 2.0).value().is_nan());
    // a comparison passes no gradient back
    let x = g.var(2.0);
    assert_eq!(x.lt(3.0).backward().wrt(x), 0.0);
}

/// Records `p` at `x`, compiles it with the inputs as leaves, and compares at each row of
/// `rows`: eager recording, tape replay, and the lanes (outputs of one batch over all rows;
/// the gradient of a one-row batch, with the last input as the parameter), bit for bit.
fn eager_tape_and_lanes_agree(
    p: &Program,
    x: &[f64],
    rows: &[Vec<f64>],
) -> Result<(), TestCaseError> {
    let g = Graph::new();
    let slots = p.build(&g, x);
    let out = *slots.last().expect("at least one instruction");
    let inputs = &slots[..p.inputs];
    let tape = Tape::compile(out, inputs).expect("inputs are leaves");
    let mut ws = tape.workspace();
    let n = p.inputs;
    let data = Array2::from_shape_fn((rows.len(), n - 1), |(i, j)| rows[i][j]);
    let params: Vec<Vec<f64>> = rows.iter().map(|r| r[n - 1..].to_vec()).collect();
    for (i, row) in rows.iter().enumerate() {
        let fresh = Graph::new();
        let fresh_slots = p.build(&fresh, row);
        let fresh_out = *fresh_slots.last().unwrap();
        let eager = fresh_out.backward().wrt_all(&fresh_slots[..n]);
        let (value, grad) = tape.gradient(&mut ws, row).expect("no guards");
        prop_assert!(
            same((value, grad), (fresh_out.value(), &eager)),
            "row {:?}: tape ({:e}, {:?}) vs eager ({:e}, {:?})\n{}",
            row,
            value,
            grad,
            fresh_out.value(),
            eager,
            p
        );
        let one = tape
            .batch(data.slice(ndarray::s![i..=i, ..]), &params[i])
            .expect("shapes fit");
        prop_assert!(
            same((one.outputs[0], &one.gradient), (value, &grad[n - 1..])),
            "row {:?}: lanes ({:e}, {:?}) vs tape ({:e}, {:?})\n{}",
            row,
            one.outputs[0],
            one.gradient,
            value,
            &grad[n - 1..],
            p
        );
    }
    if rows.iter().all(|r| r[n - 1] == rows[0][n - 1]) {
        let all = tape.batch(data.view(), &params[0]).expect("shapes fit");
        let each: Vec<f64> = rows
            .iter()
            .map(|r| tape.value(&mut ws, r).unwrap())
            .collect();
        prop_assert!(bit_identical(&all.outputs.to_vec(), &each), "{}", p);
        prop_assert_eq!(tape.par_batch(data.view(), &params[0]).unwrap(), all);
    }
    Ok(())
}

fn has_select(p: &Program) -> bool {
    p.instrs.iter().any(|i| i.op == Prim::If)
}

proptest! {
    #![proptest_config(program::checks::config(96, "proptest-regressions/branches.txt"))]

    /// Programs with selects (and every other op), recorded at one point and replayed at
    /// rows on both sides of their comparisons.
    #[test]
    fn eager_tape_and_lanes_agree_bit_for_bit_on_programs_with_selects(
        p in program().prop_filter("a select and two inputs", |p| has_select(p) && p.inputs >= 2),
        x in prop::collection::vec(-3.0..3.0f64, 4),
        rows in prop::collection::vec(prop::collection::vec(-3.0..3.0f64, 4), 1..12),
        shared in -3.0..3.0f64,
    ) {
        let n = p.inputs;
        // the last input is shared by every row (a parameter), the others vary
        let rows: Vec<Vec<f64>> = rows
            .iter()
            .map(|r| r[..n - 1].iter().copied().chain([shared]).collect())
            .collect();
        eager_tape_and_lanes_agree(&p, &x[..n], &rows)?;
    }
}

/// Both branches one node: the select is that node, with one path (the other masked).
#[test]
fn a_select_of_one_node_on_both_sides_is_that_node() {
    let g = Graph::new();
    let x = g.var(-0.0);
    for c in [1.0, 0.0, -0.0, 0.5] {
        let s = g.constant(c).select(x, x);
        assert_eq!(s.value().to_bits(), (-0.0f64).to_bits());
        assert_eq!(s.backward().wrt(x), 1.0, "condition {c}");
    }
}
