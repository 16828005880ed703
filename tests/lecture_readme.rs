//! The README's 15-line example gives the numbers the README prints.

use autodiff::Graph;

#[test]
fn readme_example_prints_the_slides_numbers() {
    let g = Graph::new();
    let s0 = g.var_named("s0", 2.0);
    let (w0, w1, w2) = (
        g.var_named("w0", 2.0),
        g.var_named("w1", 1.0),
        g.var_named("w2", 0.5),
    );
    let s1 = (w0 * s0).sigmoid();
    let s2 = (w1 * s1).sigmoid();
    let out = w2 * s2;
    let c = (out - 0.7).square() * 0.5;
    let grads = c.backward();
    let line1 = format!("out = {:.4}, C = {:.4}", out.value(), c.value());
    let line2 = format!("dC/dw = {:?}", grads.wrt_all(&[w0, w1, w2]));
    assert_eq!(line1, "out = 0.3638, C = 0.0565");
    assert_eq!(
        line2,
        "dC/dw = [-0.0011773525714957244, -0.03272931245596374, -0.2446216655996671]"
    );
    let readme = include_str!("../README.md");
    assert!(readme.contains(&format!("// {line1}")));
    assert!(readme.contains(&format!("// {line2}")));
}
