//! The `backprop` command line.

fn main() {
    let g = autodiff::Graph::new();
    let x = g.var_named("x", 2.0);
    let y = (x * x).sigmoid().named("y");
    let grads = y.backward();
    println!(
        "y = S(x²) at x = 2: y = {}, dy/dx = {}",
        y.value(),
        grads.wrt(x)
    );
}
