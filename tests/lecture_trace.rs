//! The sweep's trace on the lecture's nets: the final gradients are `backward`'s bit for
//! bit, and the steps are the lecture's deltas in the order the slides compute them.

use autodiff::Graph;
use lecture::{Net, Point};

fn bits(v: &[f64]) -> Vec<u64> {
    v.iter().map(|x| x.to_bits()).collect()
}

#[test]
fn the_trace_gives_the_gradients_of_backward_on_every_net() {
    let point = |net: Net| Point {
        weights: (0..net.n_weights()).map(|i| 0.7 - 0.4 * i as f64).collect(),
        s0: 1.3,
        target: 0.2,
    };
    for (net, at) in [
        (Net::Lecture, Point::slides()),
        (Net::Lecture, point(Net::Lecture)),
        (Net::TwoNode, point(Net::TwoNode)),
        (Net::Chain(1), point(Net::Chain(1))),
        (Net::Chain(12), point(Net::Chain(12))),
    ] {
        let g = Graph::new();
        let built = net.build(&g, &at).unwrap();
        let trace = built.cost.trace();
        let grads = built.cost.backward();
        assert_eq!(bits(&trace.adjoints), bits(grads.adjoints()), "{net}");
        for &w in &built.weights {
            assert_eq!(trace.wrt(w).to_bits(), grads.wrt(w).to_bits(), "{net}");
        }
    }
}

#[test]
fn the_lecture_sweep_goes_from_c_down_to_the_weights() {
    let g = Graph::new();
    let net = Net::Lecture.build(&g, &Point::slides()).unwrap();
    let trace = net.cost.trace();
    let name = |i: usize| trace.nodes[i].name.clone();
    let swept: Vec<String> = trace.steps.iter().map(|s| name(s.node)).collect();
    let expected = "C (target − out)² (target − out) out s2 x2 s1 x1 target w2 w1 w0 s0";
    assert_eq!(swept.join(" "), expected);
    // delta of out = dC/dout = out − target, passed on to w2 as delta · s2
    let out_step = &trace.steps[3];
    assert_eq!(out_step.adjoint, net.out.value() - 0.7);
    let to_w2 = out_step
        .passes
        .iter()
        .find(|c| name(c.source) == "w2")
        .unwrap();
    assert_eq!(to_w2.symbol, "s2");
    assert_eq!(to_w2.partial, net.s[2].value());
    let x1 = &trace.nodes[net.x[1].index()];
    assert_eq!((x1.name.as_str(), x1.expression.as_str()), ("x1", "w0·s0"));
}
