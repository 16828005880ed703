//! Random straight-line programs for the property tests, with three evaluators: the engine,
//! a plain-`f64` reference interpreter and hand-written dual numbers.
#![allow(dead_code, unused_imports)] // shared by two test binaries, each using a subset

use std::fmt;

use autodiff::{Graph, Var};

pub mod checks;
mod generate;
mod prim;

pub use generate::{program, tree_program};
pub use prim::Prim;

/// `slot[k] = op(slot[a], slot[b])`; unary ops ignore `b` (which equals `a`).
#[derive(Clone, Copy, Debug)]
pub struct Instr {
    pub op: Prim,
    pub a: usize,
    pub b: usize,
}

/// A straight-line program: slots `0..inputs` are the inputs, slot `inputs + k` is the
/// result of instruction `k`, and the output is the last slot.
#[derive(Clone, Debug)]
pub struct Program {
    pub inputs: usize,
    pub instrs: Vec<Instr>,
}

impl Program {
    /// Records the program on `g` with input leaves holding `x`; returns every slot.
    pub fn build<'g>(&self, g: &'g Graph, x: &[f64]) -> Vec<Var<'g>> {
        let leaves: Vec<Var<'g>> = x.iter().map(|&v| g.var(v)).collect();
        self.build_on(&leaves)
    }

    /// Records the program on the graph of the given input leaves; returns every slot.
    pub fn build_on<'g>(&self, leaves: &[Var<'g>]) -> Vec<Var<'g>> {
        let mut slots = leaves.to_vec();
        for i in &self.instrs {
            let v = i.op.apply(slots[i.a], slots[i.b]);
            slots.push(v);
        }
        slots
    }

    /// The reference interpreter: every slot's value in plain `f64`.
    pub fn reference(&self, x: &[f64]) -> Vec<f64> {
        let mut slots = x.to_vec();
        for i in &self.instrs {
            let v = i.op.value(slots[i.a], slots[i.b]);
            slots.push(v);
        }
        slots
    }

    /// Dual numbers seeded with tangent `seed` on the inputs: every slot's tangent, and the
    /// magnitude `Σ over paths of |product of partials|·|seed|` that bounds its rounding.
    pub fn dual(&self, x: &[f64], seed: &[f64]) -> (Vec<f64>, Vec<f64>) {
        let mut values = x.to_vec();
        let mut tangents = seed.to_vec();
        let mut magnitudes: Vec<f64> = seed.iter().map(|s| s.abs()).collect();
        for i in &self.instrs {
            let (a, b) = (values[i.a], values[i.b]);
            let [da, db] = i.op.partials(a, b);
            let (mut t, mut m) = (da * tangents[i.a], da.abs() * magnitudes[i.a]);
            if i.op.is_binary() {
                t += db * tangents[i.b];
                m += db.abs() * magnitudes[i.b];
            }
            values.push(i.op.value(a, b));
            tangents.push(t);
            magnitudes.push(m);
        }
        (tangents, magnitudes)
    }

    /// Which inputs the output reaches, by a backward walk over the instructions.
    pub fn reached_inputs(&self) -> Vec<bool> {
        let n = self.inputs + self.instrs.len();
        let mut live = vec![false; n];
        live[n - 1] = true;
        for (k, i) in self.instrs.iter().enumerate().rev() {
            if live[self.inputs + k] {
                live[i.a] = true;
                if i.op.is_binary() {
                    live[i.b] = true;
                }
            }
        }
        live.truncate(self.inputs);
        live
    }

    /// The smallest distance of a kink argument from its kink, in central-difference steps
    /// `hᵢ = ∛ε·max(1, |xᵢ|)` scaled by how fast the argument moves along input i (its
    /// tangent); ∞ if no kink argument moves. `max(s, s)` of one slot is smooth, not a kink.
    pub fn kink_distance(&self, x: &[f64]) -> f64 {
        let values = self.reference(x);
        let mut distance = f64::INFINITY;
        for (i, xi) in x.iter().enumerate() {
            let mut seed = vec![0.0; x.len()];
            seed[i] = 1.0;
            let (tangents, _) = self.dual(x, &seed);
            let h = f64::EPSILON.cbrt() * xi.abs().max(1.0);
            for instr in &self.instrs {
                if instr.op.is_binary() && instr.a == instr.b {
                    continue;
                }
                let Some(arg) = instr.op.kink_argument(values[instr.a], values[instr.b]) else {
                    continue;
                };
                let speed = match instr.op {
                    Prim::Max | Prim::Min | Prim::Lt | Prim::Le => {
                        tangents[instr.a] - tangents[instr.b]
                    }
                    _ => tangents[instr.a],
                };
                if speed != 0.0 {
                    distance = distance.min(arg.abs() / (h * speed.abs()));
                }
            }
        }
        distance
    }

    /// Length of the longest chain of instructions.
    pub fn depth(&self) -> usize {
        let mut depth = vec![0; self.inputs];
        for i in &self.instrs {
            depth.push(1 + depth[i.a].max(depth[i.b]));
        }
        depth.into_iter().max().unwrap_or(0)
    }

    /// Whether some slot is an operand more than once (a reused subexpression).
    pub fn has_shared_slot(&self) -> bool {
        let mut uses = vec![0; self.inputs + self.instrs.len()];
        for i in &self.instrs {
            uses[i.a] += 1;
            if i.op.is_binary() {
                uses[i.b] += 1;
            }
        }
        uses.iter().any(|&u| u > 1)
    }
}

impl fmt::Display for Program {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "program with {} input(s):", self.inputs)?;
        for (k, i) in self.instrs.iter().enumerate() {
            let slot = self.inputs + k;
            if i.op.is_binary() {
                writeln!(f, "  s{slot} = {:?}(s{}, s{})", i.op, i.a, i.b)?;
            } else {
                writeln!(f, "  s{slot} = {:?}(s{})", i.op, i.a)?;
            }
        }
        Ok(())
    }
}

impl Program {
    /// Whether central differences of the reference interpreter have converged at `x`: for
    /// every input, the difference with step h (gradcheck's `∛ε·max(1, |xᵢ|)`) and with
    /// step h/2 agree to a tenth of gradcheck's tolerance. Where they do not, the function
    /// curves or oscillates on the scale of the step (or rounding swamps it), and finite
    /// differences cannot judge any gradient. Uses no derivative of the engine.
    pub fn fd_converged(&self, x: &[f64]) -> bool {
        let out = |x: &[f64]| *self.reference(x).last().expect("at least one instruction");
        let f = out(x);
        (0..x.len()).all(|i| {
            let h = f64::EPSILON.cbrt() * x[i].abs().max(1.0);
            let diff = |h: f64| {
                let (mut up, mut down) = (x.to_vec(), x.to_vec());
                up[i] += h;
                down[i] -= h;
                (out(&up) - out(&down)) / (up[i] - down[i])
            };
            let (d1, d2) = (diff(h), diff(h / 2.0));
            let tol = 1e-8 * f.abs().max(1.0) + 1e-5 * d1.abs();
            d1.is_finite() && d2.is_finite() && (d1 - d2).abs() <= 0.1 * tol
        })
    }
}
