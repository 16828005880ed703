//! The compiled tape: replay equals eager recording bit for bit; pruning; misuse errors.

mod common;

use autodiff::{Error, Graph, Tape, Var, Workspace};
use common::bit_identical;

/// The lecture network: C = ½ (target − w2 S(w1 S(w0 s0)))².
fn lecture<'g>(g: &'g Graph, s0: f64, target: f64, w: [f64; 3]) -> (Var<'g>, [Var<'g>; 5]) {
    let s0 = g.constant(s0);
    let target = g.constant(target);
    let [w0, w1, w2] = w.map(|w| g.var(w));
    let s1 = (w0 * s0).sigmoid();
    let s2 = (w1 * s1).sigmoid();
    let out = w2 * s2;
    let c = 0.5 * (target - out).square();
    (c, [s0, target, w0, w1, w2])
}

/// Value and gradient by recording a fresh graph and calling `backward`.
fn eager(s0: f64, target: f64, w: [f64; 3]) -> (f64, Vec<f64>) {
    let g = Graph::new();
    let (c, inputs) = lecture(&g, s0, target, w);
    (c.value(), c.backward().wrt_all(&inputs))
}

#[test]
fn replay_of_the_lecture_net_equals_eager_recording_bit_for_bit() {
    let g = Graph::new();
    let (c, inputs) = lecture(&g, 1.0, 0.0, [0.0; 3]);
    let tape = Tape::compile(c, &inputs).unwrap();
    let mut ws = tape.workspace();
    for (s0, target, w) in [
        (1.5, 4.0, [-0.2, 2.8, 10.0]),
        (-7.25, 0.3, [0.5, -1.0, 3.0]),
        (0.0, 1.0, [1e3, -1e3, 0.1]),
        (40.0, -2.0, [2.0, 0.0, -5.0]),
    ] {
        let (value, grads) = eager(s0, target, w);
        let x = [s0, target, w[0], w[1], w[2]];
        let (v, grad) = tape.gradient(&mut ws, &x).unwrap();
        assert_eq!(v.to_bits(), value.to_bits(), "C at {x:?}");
        assert!(
            bit_identical(grad, &grads),
            "{grad:?} vs {grads:?} at {x:?}"
        );
        assert_eq!(tape.value(&mut ws, &x).unwrap().to_bits(), value.to_bits());
    }
}

/// The first op reads the slot just before the ops (the last input, or a frozen leaf after
/// the inputs): replay carries that operand in a register, and must start it from the
/// slot's value of this replay.
#[test]
fn the_first_op_reads_the_slot_before_it_at_each_replays_value() {
    for frozen in [false, true] {
        let g = Graph::new();
        let (a, b) = (g.var(1.0), g.var(2.0));
        let last_leaf = if frozen { g.constant(0.75) } else { b };
        let y = last_leaf.sin() * a + b;
        let tape = Tape::compile(y, &[a, b]).unwrap();
        let mut ws = tape.workspace();
        for x in [[1.0, 2.0], [3.0, -0.5], [0.25, 7.0]] {
            let fresh = Graph::new();
            let (fa, fb) = (fresh.var(x[0]), fresh.var(x[1]));
            let fleaf = if frozen { fresh.constant(0.75) } else { fb };
            let fy = fleaf.sin() * fa + fb;
            let (v, grad) = tape.gradient(&mut ws, &x).unwrap();
            assert_eq!(v.to_bits(), fy.value().to_bits(), "frozen {frozen}, {x:?}");
            let grads = fy.backward().wrt_all(&[fa, fb]);
            assert!(bit_identical(grad, &grads), "{grad:?} vs {grads:?}");
        }
    }
}

/// Replay tells a NaN value by the sum of the values being NaN; infinities of both signs
/// make that sum NaN too, without a NaN value: the partials must then be left as they are.
#[test]
fn infinities_of_both_signs_without_a_nan_leave_the_gradient_as_recorded() {
    fn build(g: &Graph, x0: f64) -> (Var<'_>, Var<'_>) {
        let x = g.var(x0);
        let big = x * 1e10; // +inf at x = 1e300
        let y = big.sigmoid() + (-big).sigmoid() * x + (x * 1e-300).tanh();
        (x, y)
    }
    let g = Graph::new();
    let (x, y) = build(&g, 0.5);
    let tape = Tape::compile(y, &[x]).unwrap();
    let mut ws = tape.workspace();
    for x0 in [1e300, -1e300, 0.5, f64::INFINITY] {
        let h = Graph::new();
        let (xe, ye) = build(&h, x0);
        let expected = (ye.value(), ye.backward().wrt(xe));
        let (value, grad) = tape.gradient(&mut ws, &[x0]).unwrap();
        assert!(
            bit_identical(&[value, grad[0]], &[expected.0, expected.1]),
            "x = {x0}"
        );
    }
}

#[test]
fn an_online_epoch_on_the_tape_ends_at_the_same_weights_as_eager() {
    // w ← w − 0.01 ∂C/∂w, row after row, both ways: the weights must agree exactly.
    let rows: Vec<(f64, f64)> = (0..200)
        .map(|i| {
            let s0 = -10.0 + 0.1 * f64::from(i);
            let s = |x: f64| 1.0 / (1.0 + (-x).exp());
            (s0, 10.0 * s(2.8 * s(-0.2 * s0))) // out at the true weights
        })
        .collect();
    let g = Graph::new();
    let (c, inputs) = lecture(&g, 0.0, 0.0, [0.0; 3]);
    let tape = Tape::compile(c, &inputs).unwrap();
    let mut ws = tape.workspace();
    let (mut w_eager, mut w_tape) = ([1.0, 1.0, 1.0], [1.0, 1.0, 1.0]);
    for &(s0, target) in &rows {
        let (_, grad) = eager(s0, target, w_eager);
        for (w, g) in w_eager.iter_mut().zip(&grad[2..]) {
            *w -= 0.01 * g;
        }
        let x = [s0, target, w_tape[0], w_tape[1], w_tape[2]];
        let (_, grad) = tape.gradient(&mut ws, &x).unwrap();
        for (w, g) in w_tape.iter_mut().zip(&grad[2..]) {
            *w -= 0.01 * g;
        }
    }
    assert!(
        bit_identical(&w_tape, &w_eager),
        "{w_tape:?} vs {w_eager:?}"
    );
    assert_ne!(w_tape, [1.0; 3], "the epoch moved the weights");
}

#[test]
fn compile_keeps_only_the_outputs_ancestors_and_freezes_other_leaves() {
    let g = Graph::new();
    let x = g.var(2.0);
    let k = g.var(3.0); // a leaf that is not an input: frozen at 3
    let _noise = (x * 100.0).exp().sin(); // not an ancestor of y
    let y = x * k + x.square(); // y = kx + x²
    let tape = Tape::compile(y, &[x]).unwrap();
    assert_eq!((tape.len(), tape.op_count(), tape.input_count()), (5, 3, 1));
    assert!(!tape.is_empty());
    let mut ws = tape.workspace();
    // at x = 5: y = 15 + 25, dy/dx = k + 2x = 13
    assert_eq!(tape.gradient(&mut ws, &[5.0]).unwrap(), (40.0, &[13.0][..]));
}

#[test]
fn unused_and_constant_inputs_get_zero_gradient_but_their_values_count() {
    let g = Graph::new();
    let x = g.var(1.0);
    let k = g.constant(2.0);
    let unused = g.var(7.0);
    let y = k * x; // y = kx
    let late = g.var(1.0); // recorded after y
    let tape = Tape::compile(y, &[x, k, unused, late]).unwrap();
    let mut ws = tape.workspace();
    let (v, grad) = tape.gradient(&mut ws, &[3.0, 4.0, 9.0, 9.0]).unwrap();
    assert_eq!(v, 12.0); // k = 4 now
    assert_eq!(grad, &[4.0, 0.0, 0.0, 0.0]); // ∂y/∂x = k; constants report 0, like wrt
    assert_eq!(
        y.backward().wrt_all(&[x, k, unused, late]),
        [2.0, 0.0, 0.0, 0.0]
    );
}

#[test]
fn an_output_that_is_an_input_has_gradient_one_or_zero_if_constant_and_a_leaf_output_is_frozen() {
    let g = Graph::new();
    let x = g.var(1.0);
    let c = g.var(6.0);
    let tape = Tape::compile(x, &[x]).unwrap();
    let mut ws = tape.workspace();
    assert_eq!(tape.gradient(&mut ws, &[-2.5]).unwrap(), (-2.5, &[1.0][..]));
    assert_eq!(tape.op_count(), 0);
    let frozen = Tape::compile(c, &[x]).unwrap();
    let mut ws = frozen.workspace();
    assert_eq!(frozen.gradient(&mut ws, &[4.0]).unwrap(), (6.0, &[0.0][..]));
    // a constant input as the output: its value passes through, its gradient is 0 (as
    // with wrt), twice in a row on one workspace
    let k = g.constant(2.0);
    let tape = Tape::compile(k, &[x, k]).unwrap();
    let mut ws = tape.workspace();
    for value in [5.0, -1.0] {
        let (v, grad) = tape.gradient(&mut ws, &[3.0, value]).unwrap();
        assert_eq!((v, grad), (value, &[0.0, 0.0][..]));
    }
    assert_eq!(k.backward().wrt_all(&[x, k]), [0.0, 0.0]);
}

#[test]
fn zero_adjoints_are_not_passed_on_so_an_infinite_partial_does_not_poison() {
    // y = relu(x) · √x at x = 0: the √x node gets adjoint ∂y/∂√x = relu(0) = 0, so its
    // partial d√x/dx = +∞ is never multiplied (0 · ∞ would be NaN).
    let g = Graph::new();
    let x = g.var(0.0);
    let y = x.relu() * x.sqrt();
    let eager = y.backward().wrt(x);
    let tape = Tape::compile(y, &[x]).unwrap();
    let mut ws = tape.workspace();
    let (_, grad) = tape.gradient(&mut ws, &[0.0]).unwrap();
    assert_eq!(grad[0].to_bits(), eager.to_bits());
    assert_eq!(grad[0], 0.0); // relu'(0)·√0 = 0, and the +∞ path is skipped
}

#[test]
fn an_inputs_gradient_starts_from_zero_at_every_replay_as_on_a_fresh_graph() {
    // y = (w · x) · c: at c = 0 the product w · x gets a zero adjoint and passes nothing on,
    // so w's and x's gradients are 0 whatever the replay before left there; at x = −0,
    // w's gradient is 0 + 1·c·(−0) = +0, as the graph's sweep adds it to 0.
    let record = |inputs: [f64; 3]| {
        let g = Graph::new();
        let [w, x, c] = inputs.map(|v| g.var(v));
        let y = w * x * c;
        (
            Tape::compile(y, &[w, x, c]).unwrap(),
            y.backward().wrt_all(&[w, x, c]),
        )
    };
    let (tape, _) = record([3.0, 2.0, 1.0]);
    let mut ws = tape.workspace();
    for inputs in [
        [3.0, 2.0, 1.0],
        [3.0, 2.0, 0.0],
        [3.0, 2.0, 1.0],
        [3.0, -0.0, 1.0],
        [-0.0, 2.0, -1.0],
        [3.0, -0.0, 1.0],
    ] {
        let (_, eager) = record(inputs);
        let (_, grad) = tape.gradient(&mut ws, &inputs).unwrap();
        assert!(
            bit_identical(grad, &eager),
            "{inputs:?}: {grad:?} vs {eager:?}"
        );
        tape.gradient_in_place(&mut ws).unwrap();
        let (_, grad) = ws.inputs_and_gradient(&tape);
        assert!(
            bit_identical(grad, &eager),
            "in place at {inputs:?}: {grad:?}"
        );
    }
    let (_, grad) = tape.gradient(&mut ws, &[3.0, -0.0, 1.0]).unwrap();
    assert_eq!(grad[0].to_bits(), 0.0_f64.to_bits(), "+0, not −0");
    let (_, grad) = tape.gradient(&mut ws, &[3.0, 2.0, 0.0]).unwrap();
    assert_eq!(grad[..2], [0.0, 0.0]);
}

#[test]
fn a_nan_value_makes_its_ops_partials_nan_on_replay_as_when_recorded_and_the_next_replay_is_clean()
{
    // y = (ln x + w) · w. At x = −1, ln x is NaN, so is ln x + w, and a NaN value makes
    // every partial of its op NaN: ∂y/∂w is NaN, not the 1 + (ln x + w) of the formula.
    let record = |x: f64, w: f64| {
        let g = Graph::new();
        let (xv, wv) = (g.var(x), g.var(w));
        let y = (xv.ln() + wv) * wv;
        (y.value(), y.backward().wrt_all(&[xv, wv]))
    };
    let g = Graph::new();
    let (x, w) = (g.var(2.0), g.var(3.0));
    let y = (x.ln() + w) * w;
    let tape = Tape::compile(y, &[x, w]).unwrap();
    let mut ws = tape.workspace();
    for (x, w) in [
        (2.0, 3.0),
        (-1.0, 3.0),
        (0.5, -2.0),
        (f64::NAN, 1.0),
        (4.0, 0.25),
    ] {
        let (value, grads) = record(x, w);
        let (replayed, grad) = tape.gradient(&mut ws, &[x, w]).unwrap();
        assert!(bit_identical(&[replayed], &[value]), "y at ({x}, {w})");
        assert!(
            bit_identical(grad, &grads),
            "{grad:?} vs {grads:?} at ({x}, {w})"
        );
        assert_eq!(
            grad[1].is_nan(),
            x.is_nan() || x < 0.0,
            "∂y/∂w at ({x}, {w})"
        );
    }
}

#[test]
fn a_workspace_moves_between_tapes_and_stays_correct() {
    let g = Graph::new();
    let x = g.var(1.0);
    let t1 = Tape::compile(x.square(), &[x]).unwrap();
    let t2 = Tape::compile(x.exp() * 2.0, &[x]).unwrap();
    let mut ws = Workspace::default();
    assert_eq!(t1.gradient(&mut ws, &[3.0]).unwrap(), (9.0, &[6.0][..]));
    assert_eq!(t2.value(&mut ws, &[0.0]).unwrap(), 2.0);
    assert_eq!(t1.value(&mut ws, &[-4.0]).unwrap(), 16.0);
}

#[test]
fn tapes_are_send_and_sync_and_serve_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Tape>();
    let g = Graph::new();
    let x = g.var(1.0);
    let tape = Tape::compile(x * x * x, &[x]).unwrap(); // x³
    std::thread::scope(|s| {
        for t in 1..=2 {
            let tape = &tape;
            s.spawn(move || {
                let mut ws = tape.workspace();
                let x = f64::from(t);
                assert_eq!(
                    tape.gradient(&mut ws, &[x]).unwrap(),
                    (x * x * x, &[3.0 * x * x][..])
                );
            });
        }
    });
}

#[test]
fn misuse_returns_errors_that_say_what_was_expected() {
    let g = Graph::new();
    let other = Graph::new();
    let x = g.var(1.0);
    let y = x.sin();
    let tape = Tape::compile(y, &[x]).unwrap();
    let mut ws = tape.workspace();
    let e = tape.gradient(&mut ws, &[1.0, 2.0]).unwrap_err();
    assert_eq!(
        e,
        Error::InputCount {
            expected: 1,
            found: 2
        }
    );
    assert_eq!(e.to_string(), "tape takes 1 input value(s), got 2");
    assert!(tape.value(&mut ws, &[]).is_err());

    assert!(matches!(
        Tape::compile(y, &[y]),
        Err(Error::NotALeaf { index: 1, .. })
    ));
    assert!(matches!(
        Tape::compile(y, &[x, x]),
        Err(Error::DuplicateInput {
            index: 0,
            positions: [0, 1]
        })
    ));
    let foreign = other.var(1.0);
    assert!(matches!(
        Tape::compile(y, &[foreign]),
        Err(Error::ForeignVar { .. })
    ));
    let msg = Tape::compile(y, &[x, x]).unwrap_err().to_string();
    assert!(msg.contains("listed twice"), "{msg}");
}

#[test]
fn replay_takes_its_exponentials_from_the_op_table_bit_for_bit() {
    // Replay runs in code compiled for AVX2 and FMA where the processor has them, with the
    // one-lane eˣ inlined: its exp, sigmoid and softplus must still be the op table's
    // numbers (the C library's `exp`), over the fast path's range and its edges.
    let specials = "0 -0 1e-300 -1e-300 5e-324 1e-17 -1e-17 0.5 -0.5 1 -1 36 -36 511.9 -511.9 \
                    512 -512 709.7 709.8 -745.1 -745.2 1e308 -1e308 inf -inf NaN";
    let mut args: Vec<f64> = specials
        .split_whitespace()
        .map(|t| t.parse().unwrap())
        .collect();
    // and 2,000 spread over [-40, 40], where the sigmoid's both branches live
    args.extend((0..2000).map(|k| -40.0 + 80.0 * ((k as f64 * 0.618_033_988_75).fract())));
    for op in ["exp", "sigmoid", "softplus"] {
        let g = Graph::new();
        let x = g.var(0.0);
        let (y, table) = match op {
            "exp" => (x.exp(), autodiff::Op::Exp),
            "sigmoid" => (x.sigmoid(), autodiff::Op::Sigmoid),
            _ => (x.softplus(), autodiff::Op::Softplus),
        };
        // times 3, so that the output's adjoint is not the op's own partial
        let tape = Tape::compile(y * 3.0, &[x]).unwrap();
        let mut ws = tape.workspace();
        for &a in &args {
            let (v, [d, _]) = table.eval(a, 0.0);
            let want = [v * 3.0, 3.0 * d];
            let (value, grad) = tape.gradient(&mut ws, &[a]).unwrap();
            let got = [value, grad[0]];
            assert!(
                bit_identical(&got, &want),
                "{op}({a:e}): {got:?} vs {want:?}"
            );
            ws.inputs_and_gradient(&tape).0[0] = a;
            let value = tape.gradient_in_place(&mut ws).unwrap();
            let got = [value, ws.inputs_and_gradient(&tape).1[0]];
            assert!(bit_identical(&got, &want), "in place, {op}({a:e}): {got:?}");
        }
    }
}
