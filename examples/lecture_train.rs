//! The lecture's challenge: what weights produced these data?
//!
//! Generates 50,000 rows from hidden weights w = (-0.2, 2.8, 10) with s0 uniform in
//! [-10, 10], then trains the lecture's way (online, rows in order, alpha 0.01, from
//! w = (1, 1, 1)) for three epochs. Prints the recovered weights, e.g.
//!
//! ```text
//! 150000 steps in 0.05 s (release build)
//! w0: true -0.2, recovered -0.199999 (rel. error 7e-6)
//! w1: true 2.8, recovered 2.800445 (rel. error 2e-4)
//! w2: true 10, recovered 9.999620 (rel. error 4e-5)
//! ```
//!
//! Run with `cargo run --release --example lecture_train`.

use std::time::Instant;

use lecture::data::Generator;
use lecture::{train, Config, Net};

fn main() -> Result<(), lecture::Error> {
    let hidden = [-0.2, 2.8, 10.0];
    let data: Vec<_> = Generator::new(Net::Lecture, &hidden, (-10.0, 10.0), 1)?
        .take(50_000)
        .collect();
    let mut config = Config::new(Net::Lecture); // alpha 0.01, online, from (1, 1, 1)
    config.epochs = 3;
    let start = Instant::now();
    let trained = train(&data, &config, &mut |_| {})?;
    println!(
        "{} steps in {:.2} s",
        trained.steps,
        start.elapsed().as_secs_f64()
    );
    for (k, (&t, &w)) in hidden.iter().zip(&trained.weights).enumerate() {
        let rel = (w - t).abs() / t.abs();
        println!("w{k}: true {t}, recovered {w:.6} (rel. error {rel:.0e})");
        assert!(rel < 1e-3, "w{k} not recovered");
    }
    println!("mean cost over the data: {:.2e}", trained.cost);
    Ok(())
}
