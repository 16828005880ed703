use nn::datasets::digits;
use nn::optim::{Adam, LrSchedule};
use nn::{evaluate, Activation, Compiled, Loss, Mlp, Regularization, Trainer};
use rand::{rngs::StdRng, SeedableRng};
fn main() -> Result<(), nn::Error> {
    let a: Vec<String> = std::env::args().collect();
    let hidden: usize = a[1].parse().unwrap();
    let lr: f64 = a[2].parse().unwrap();
    let lr_end: f64 = a[3].parse().unwrap();
    let epochs: usize = a[4].parse().unwrap();
    let act: Activation = a[5].parse().unwrap();
    let reg: f64 = a[6].parse().unwrap();
    let batch: usize = a[7].parse().unwrap();
    let mut accs = vec![];
    for seed in 1..=8u64 {
        let mut rng = StdRng::seed_from_u64(seed);
        let data = digits()?;
        let (train, test) = data.split_by_class(0.25, &mut rng)?;
        let rows = train.with_labels(&train.points);
        let mlp = Mlp::new(&[64, hidden, 10], act, Activation::Linear, &mut rng)?;
        let loss = Loss::SoftmaxCrossEntropy;
        let backend = Box::new(Compiled::new(&mlp, loss)?.parallel(true));
        let steps = epochs * rows.nrows().div_ceil(batch);
        let schedule = LrSchedule::linear(lr, lr_end, steps)?;
        let r = if reg > 0.0 {
            Regularization::l2(reg)?
        } else {
            Regularization::None
        };
        let mut t = Trainer::new(mlp, backend, Box::new(Adam::new(lr)?), schedule, r, batch)?;
        for _ in 0..epochs {
            t.epoch(rows.view(), &mut rng)?;
        }
        let m = evaluate(
            &t.mlp,
            loss,
            test.task,
            test.points.view(),
            test.labels.view(),
        );
        accs.push(m.accuracy.unwrap());
    }
    let min = accs.iter().cloned().fold(1.0, f64::min);
    let mean = accs.iter().sum::<f64>() / accs.len() as f64;
    println!(
        "{:?} min {:.4} mean {:.4} {:?}",
        &a[1..],
        min,
        mean,
        accs.iter()
            .map(|x| (x * 1000.0).round() / 10.0)
            .collect::<Vec<_>>()
    );
    Ok(())
}
