//! The digits network trained by hand: a 64-32-10 MLP (ReLU hidden layer, linear outputs,
//! softmax cross-entropy) with its forward and backward pass in plain loops, one sample at
//! a time, over the parameter layout of `nn::Mlp` (per layer: the weights neuron by neuron,
//! then the biases), and Adam as `nn::optim::Adam` computes it. The reference that
//! `benches/digits.rs` divides by; `tests/digits_hand.rs` checks it against the engine.
//!
//! Data are rows of [`INPUTS`] features then the class `0..CLASSES` as a number, row-major
//! in one slice, as `nn` reads a minibatch.

/// Features per sample (an 8×8 image).
pub const INPUTS: usize = 64;
/// Hidden neurons.
pub const HIDDEN: usize = 32;
/// Classes (outputs).
pub const CLASSES: usize = 10;
/// Numbers per data row: the features, then the class.
pub const COLUMNS: usize = INPUTS + 1;
/// Parameters of the network: `(64 + 1)·32 + (32 + 1)·10`.
pub const PARAMETERS: usize = (INPUTS + 1) * HIDDEN + (HIDDEN + 1) * CLASSES;

/// `Σ xᵢ yᵢ` with four running sums (what a hand-written loop does so that it vectorises).
#[inline(always)]
fn dot(x: &[f64], y: &[f64]) -> f64 {
    let mut acc = [0.0; 4];
    let (xs, ys) = (x.chunks_exact(4), y.chunks_exact(4));
    let (x_tail, y_tail) = (xs.remainder(), ys.remainder());
    for (x, y) in xs.zip(ys) {
        for k in 0..4 {
            acc[k] += x[k] * y[k];
        }
    }
    let tail: f64 = x_tail.iter().zip(y_tail).map(|(x, y)| x * y).sum();
    (acc[0] + acc[1]) + (acc[2] + acc[3]) + tail
}

/// `y += a·x`.
#[inline(always)]
fn axpy(y: &mut [f64], a: f64, x: &[f64]) {
    for (y, x) in y.iter_mut().zip(x) {
        *y += a * x;
    }
}

/// The loss summed over the rows `batch` of `data`, and its gradient with respect to `p`
/// written to `grad`.
pub fn loss_sum(p: &[f64], data: &[f64], batch: &[usize], grad: &mut [f64]) -> f64 {
    let (w1, rest) = p.split_at(INPUTS * HIDDEN);
    let (b1, rest) = rest.split_at(HIDDEN);
    let (w2, b2) = rest.split_at(HIDDEN * CLASSES);
    grad.fill(0.0);
    let (g1, g) = grad.split_at_mut(INPUTS * HIDDEN);
    let (g_b1, g) = g.split_at_mut(HIDDEN);
    let (g_w2, g_b2) = g.split_at_mut(HIDDEN * CLASSES);
    let (mut z1, mut h, mut z2, mut dz2, mut dh) = (
        [0.0; HIDDEN],
        [0.0; HIDDEN],
        [0.0; CLASSES],
        [0.0; CLASSES],
        [0.0; HIDDEN],
    );
    let mut total = 0.0;
    for &r in batch {
        let row = &data[r * COLUMNS..][..COLUMNS];
        let (x, class) = (&row[..INPUTS], row[INPUTS] as usize);
        for j in 0..HIDDEN {
            z1[j] = b1[j] + dot(&w1[j * INPUTS..][..INPUTS], x);
            h[j] = z1[j].max(0.0);
        }
        for k in 0..CLASSES {
            z2[k] = b2[k] + dot(&w2[k * HIDDEN..][..HIDDEN], &h);
        }
        // ln Σ e^{z − m} + m − z_class, and its slope softmax(z) − one_hot(class)
        let m = z2.iter().fold(f64::NEG_INFINITY, |m, &z| m.max(z));
        let mut sum = 0.0;
        for k in 0..CLASSES {
            dz2[k] = (z2[k] - m).exp();
            sum += dz2[k];
        }
        total += sum.ln() + (m - z2[class]);
        for d in &mut dz2 {
            *d /= sum;
        }
        dz2[class] -= 1.0;
        dh.fill(0.0);
        for k in 0..CLASSES {
            g_b2[k] += dz2[k];
            axpy(&mut g_w2[k * HIDDEN..][..HIDDEN], dz2[k], &h);
            axpy(&mut dh, dz2[k], &w2[k * HIDDEN..][..HIDDEN]);
        }
        for j in 0..HIDDEN {
            if z1[j] > 0.0 {
                g_b1[j] += dh[j];
                axpy(&mut g1[j * INPUTS..][..INPUTS], dh[j], x);
            }
        }
    }
    total
}

/// Adam with `nn::optim::Adam`'s defaults and arithmetic.
pub struct Adam {
    lr: f64,
    t: i32,
    m: Vec<f64>,
    v: Vec<f64>,
}

impl Adam {
    /// Adam at learning rate `lr` for `n` parameters.
    pub fn new(lr: f64, n: usize) -> Self {
        Adam {
            lr,
            t: 0,
            m: vec![0.0; n],
            v: vec![0.0; n],
        }
    }

    /// One step of `p` down the gradient `g`.
    pub fn step(&mut self, p: &mut [f64], g: &[f64]) {
        let (beta1, beta2, eps) = (0.9, 0.999, 1e-8);
        self.t += 1;
        let c1 = 1.0 - f64::powi(beta1, self.t);
        let c2 = 1.0 - f64::powi(beta2, self.t);
        for (((p, &g), m), v) in p.iter_mut().zip(g).zip(&mut self.m).zip(&mut self.v) {
            *m = beta1 * *m + (1.0 - beta1) * g;
            *v = beta2 * *v + (1.0 - beta2) * g * g;
            *p -= self.lr * (*m / c1) / ((*v / c2).sqrt() + eps);
        }
    }
}

/// One epoch: the rows in `order`, `batch` at a time, each minibatch's mean-loss gradient
/// followed by an Adam step; returns the mean of the minibatches' mean losses.
pub fn epoch(p: &mut [f64], adam: &mut Adam, data: &[f64], order: &[usize], batch: usize) -> f64 {
    let mut grad = vec![0.0; p.len()];
    let mut total = 0.0;
    let mut count = 0;
    for rows in order.chunks(batch) {
        let n = rows.len() as f64;
        total += loss_sum(p, data, rows, &mut grad) / n;
        for g in &mut grad {
            *g /= n;
        }
        adam.step(p, &grad);
        count += 1;
    }
    total / count as f64
}
