//! The chain rule made visible: a gradient as the sum over paths of the product of the
//! local partials along each path.
//!
//! `∂root/∂leaf = Σ over paths leaf → root of Π over the path's edges of ∂target/∂source`.
//! [`Var::paths_from`] counts the paths (without listing them: their number can grow
//! exponentially with depth), lists the first few with their edges, partials and products,
//! and says how much of the gradient the paths not listed carry.

use std::collections::HashSet;

use crate::{Graph, Op, Var};

/// One edge of a [`Path`]: `source → target` in operand `slot`, with its local partial.
#[derive(Clone, Debug, PartialEq)]
pub struct PathEdge {
    /// Index of the operand node.
    pub source: usize,
    /// Index of the node computed from it.
    pub target: usize,
    /// The operand's name (for an unnamed op, its op on its operands' names).
    pub source_name: String,
    /// The target's name, as `source_name`.
    pub target_name: String,
    /// The operand's position in the target's op (0 or 1).
    pub slot: u8,
    /// The target's op.
    pub op: Op,
    /// `∂target/∂source` at the recorded values.
    pub partial: f64,
    /// The partial as a formula in the nodes' names (see [`Op::partial_symbol`]).
    pub symbol: String,
}

/// One path from a leaf up to a root, and the product of its partials.
#[derive(Clone, Debug, PartialEq)]
pub struct Path {
    /// The edges, from the leaf up to the root.
    pub edges: Vec<PathEdge>,
    /// The product of the partials, multiplied from the root down (as the reverse sweep
    /// multiplies them, so a graph with a single path gives the sweep's number exactly).
    pub product: f64,
}

/// What [`Var::paths_from`] returns.
#[derive(Clone, Debug, PartialEq)]
pub struct Paths {
    /// How many paths lead from the leaf to the root (saturating at `u128::MAX`).
    pub count: u128,
    /// The first paths, at most as many as asked for.
    pub listed: Vec<Path>,
    /// `Σ product` over the listed paths, in their order.
    pub listed_sum: f64,
    /// The gradient from the reverse sweep, `∂root/∂leaf`.
    pub gradient: f64,
}

impl Paths {
    /// How many paths were not listed.
    pub fn left_out(&self) -> u128 {
        self.count - self.listed.len() as u128
    }

    /// The part of the gradient the paths not listed carry: `gradient − listed_sum`
    /// (0 when every path is listed, up to rounding).
    pub fn left_out_share(&self) -> f64 {
        self.gradient - self.listed_sum
    }
}

impl<'g> Var<'g> {
    /// The paths from `leaf` up to `self`: their number, the first `max_paths` of them with
    /// each edge's partial and the products, and the sweep's gradient beside their sum.
    ///
    /// Two edges between the same nodes (`a · a`) are two paths. Paths are listed in
    /// depth-first order from the root, operand slot 0 first.
    ///
    /// # Panics
    /// If `leaf` belongs to another graph.
    ///
    /// # Complexity
    /// **O(|V| + |E|)** to count (dynamic programming over the record, no listing), plus
    /// **O(max_paths · depth)** to list: the walk never enters a node no path goes through.
    /// Iterative.
    ///
    /// # Examples
    /// ```
    /// let g = autodiff::Graph::new();
    /// let a = g.var_named("a", 3.0);
    /// let b = (a + a).named("b"); // two paths a → b
    /// let c = (b * b).named("c"); // two more b → c: four in all
    /// let paths = c.paths_from(a, 10);
    /// assert_eq!(paths.count, 4);
    /// assert_eq!(paths.listed[0].product, 6.0); // ∂c/∂b · ∂b/∂a = b · 1
    /// assert_eq!(paths.listed_sum, 24.0);
    /// assert_eq!(paths.gradient, 24.0); // dc/da = 8a
    /// assert_eq!(paths.listed[0].edges[1].symbol, "b"); // ∂(b·b)/∂b, slot 0
    /// ```
    #[track_caller]
    pub fn paths_from(self, leaf: Var<'g>, max_paths: usize) -> Paths {
        self.assert_same_graph(leaf);
        let gradient = self.backward().wrt(leaf);
        let (root, from) = (self.index(), leaf.index());
        let graph = self.graph;
        if from > root {
            return Paths {
                count: 0,
                listed: Vec::new(),
                listed_sum: 0.0,
                gradient,
            };
        }
        // each node's op and operand edges (source, partial), up to the root
        let nodes = graph.state().record.operands_up_to(root);
        let paths = path_counts(&nodes, from);

        // list: depth first from the root, entering only nodes some path goes through
        let mut listed = Vec::new();
        // (node, the next operand slot to try), from the root down to the current node
        let mut stack: Vec<(usize, usize)> = vec![(root, 0)];
        while let Some(&mut (node, ref mut slot)) = stack.last_mut() {
            if listed.len() >= max_paths {
                break;
            }
            if node == from {
                listed.push(path_along(graph, &nodes, &stack));
                stack.pop();
                continue;
            }
            let operands = &nodes[node].1;
            let next = (*slot..operands.len()).find(|&s| paths[operands[s].0] > 0);
            match next {
                Some(s) => {
                    *slot = s + 1;
                    stack.push((operands[s].0, 0));
                }
                None => {
                    stack.pop();
                }
            }
        }
        let listed_sum = listed.iter().map(|p| p.product).sum();
        Paths {
            count: paths[root],
            listed,
            listed_sum,
            gradient,
        }
    }
}

/// `counts[n]`: the number of paths from node `from` up to node `n`, for every node of
/// `nodes` (recording order is a topological order, so each node's operands are counted
/// before it). Saturates at `u128::MAX`.
fn path_counts(nodes: &[(Op, Vec<(usize, f64)>)], from: usize) -> Vec<u128> {
    let mut counts = vec![0_u128; nodes.len()];
    if let Some(count) = counts.get_mut(from) {
        *count = 1;
    }
    for node in from + 1..nodes.len() {
        counts[node] = nodes[node]
            .1
            .iter()
            .fold(0_u128, |sum, &(src, _)| sum.saturating_add(counts[src]));
    }
    counts
}

/// The edges on some path from `leaf` up to `root`, each as `(target, slot)`: an edge
/// `source → target` is on a path when a path leads from the leaf to its source and one
/// from its target to the root. Listing no path, so **O(|V| + |E|)** however many there are.
pub(crate) fn edges_on_paths(
    nodes: &[(Op, Vec<(usize, f64)>)],
    leaf: usize,
    root: usize,
) -> HashSet<(usize, u8)> {
    let mut on_path = HashSet::new();
    if leaf > root || root >= nodes.len() {
        return on_path;
    }
    let from_leaf = path_counts(&nodes[..=root], leaf);
    // to_root[n]: some path leads from n up to the root (filled from the root down)
    let mut to_root = vec![false; root + 1];
    to_root[root] = from_leaf[root] > 0;
    for node in (leaf..=root).rev() {
        if !to_root[node] {
            continue;
        }
        for (slot, &(source, _)) in nodes[node].1.iter().enumerate() {
            if from_leaf[source] > 0 {
                on_path.insert((node, slot as u8));
                to_root[source] = true;
            }
        }
    }
    on_path
}

/// The path the walk's stack spells: from the leaf (the top) down to the root (the bottom),
/// each step's edge being the operand slot last taken below it.
fn path_along(graph: &Graph, nodes: &[(Op, Vec<(usize, f64)>)], stack: &[(usize, usize)]) -> Path {
    let name = |i: usize| node_name(graph, nodes, i);
    let mut edges = Vec::with_capacity(stack.len() - 1);
    let mut product = 1.0;
    // root first: multiply as the sweep does
    for pair in stack.windows(2) {
        let ((target, next_slot), (source, _)) = (pair[0], pair[1]);
        let slot = next_slot - 1;
        let (op, operands) = &nodes[target];
        let partial = operands[slot].1;
        product *= partial;
        let operand_names =
            [0, 1].map(|s| operands.get(s).map_or(String::new(), |&(i, _)| name(i)));
        edges.push(PathEdge {
            source,
            target,
            source_name: name(source),
            target_name: name(target),
            slot: slot as u8,
            op: *op,
            partial,
            symbol: op.partial_symbol(slot, [&operand_names[0], &operand_names[1]], &name(target)),
        });
    }
    edges.reverse();
    Path { edges, product }
}

/// A node's name; for an unnamed leaf its value; for an unnamed op the op on its operands'
/// names (`(target − out)²`), up to three levels deep (`n<index>` below that).
pub(crate) fn node_name(graph: &Graph, nodes: &[(Op, Vec<(usize, f64)>)], i: usize) -> String {
    expression(graph, nodes, i, 3)
}

/// Node `i`'s op written on its operands' names (`s0·w0`, `S(x1)`, `(target − out)²`),
/// whether or not the node has a name itself.
pub(crate) fn op_on_operands(graph: &Graph, nodes: &[(Op, Vec<(usize, f64)>)], i: usize) -> String {
    operation(graph, nodes, i, 3)
}

fn expression(graph: &Graph, nodes: &[(Op, Vec<(usize, f64)>)], i: usize, depth: u32) -> String {
    let index = petgraph::graph::NodeIndex::new(i);
    if let Some(name) = graph.name(index) {
        return name;
    }
    if nodes[i].0.is_leaf() {
        return format!("{}", graph.value(index));
    }
    if depth == 0 {
        return format!("n{i}");
    }
    operation(graph, nodes, i, depth)
}

fn operation(graph: &Graph, nodes: &[(Op, Vec<(usize, f64)>)], i: usize, depth: u32) -> String {
    let (op, operands) = &nodes[i];
    let operand = |slot: usize| {
        operands.get(slot).map_or(String::new(), |&(j, _)| {
            expression(graph, nodes, j, depth.saturating_sub(1))
        })
    };
    if op.is_leaf() {
        return format!("{}", graph.value(petgraph::graph::NodeIndex::new(i)));
    }
    written(*op, &operand(0), &operand(1))
}

/// `op` written on operands `a` and `b` (`b` unused by a unary op): `w0·s0`, `(t − o)`,
/// `S(x1)`.
pub(super) fn written(op: Op, a: &str, b: &str) -> String {
    match op {
        Op::Add => format!("({a} + {b})"),
        Op::Sub => format!("({a} − {b})"),
        Op::Mul => format!("{}·{}", factor(a), factor(b)),
        Op::Div => format!("{}/{}", factor(a), grouped(b)),
        Op::Pow => format!("{}^{}", grouped(a), grouped(b)),
        Op::Square => format!("{}²", grouped(a)),
        Op::Neg => format!("−{a}"),
        Op::MulScalar(c) => format!("{}·{}", factor(&c.to_string()), factor(a)),
        Op::AddScalar(c) => format!("({a} + {c})"),
        Op::DivScalar(c) => format!("{}/{}", factor(a), grouped(&c.to_string())),
        Op::ScalarSub(c) => format!("({c} − {a})"),
        Op::ScalarDiv(c) => format!("{}/{}", factor(&c.to_string()), grouped(a)),
        Op::PowF(p) => format!("{}^{}", grouped(a), grouped(&p.to_string())),
        Op::PowI(n) => format!("{}^{}", grouped(a), grouped(&n.to_string())),
        Op::Sigmoid => format!("S({a})"),
        op if op.arity() == 1 => format!("{}({a})", op.name()),
        op => format!("{}({a}, {b})", op.name()),
    }
}

/// `s` as a factor of a product: in parentheses when it is a quotient or starts with a
/// minus sign (`w0·(-1.5)`), as is otherwise (sums and differences carry their own).
fn factor(s: &str) -> String {
    if s.starts_with(['-', '−']) || s.contains('/') {
        format!("({s})")
    } else {
        s.to_string()
    }
}

/// `s` as a base or an exponent: as is when it is one name or number, or already in
/// parentheses; in parentheses otherwise (`(w0·s0)²`).
fn grouped(s: &str) -> String {
    let wrapped = strip_parens(s).len() < s.len();
    let atomic = !s.contains([' ', '·', '/', '^', '²', '-', '−', '(']);
    if wrapped || atomic {
        s.to_string()
    } else {
        format!("({s})")
    }
}

/// `s` without one pair of parentheses around all of it: `(a + b)` → `a + b`, but
/// `(a + b)·(c + d)` stays.
pub(crate) fn strip_parens(s: &str) -> &str {
    let Some(inner) = s.strip_prefix('(').and_then(|t| t.strip_suffix(')')) else {
        return s;
    };
    let mut depth = 0_i32;
    for c in inner.chars() {
        depth += match c {
            '(' => 1,
            ')' => -1,
            _ => 0,
        };
        if depth < 0 {
            return s;
        }
    }
    inner
}

impl Op {
    /// The local partial `∂v/∂(operand slot)` of this op as a formula in the names of its
    /// operands (`a`, `b`, or `x` for a unary op) and of its own node (`v`): `b` for
    /// `∂(a·b)/∂a`, `s(1 − s)` for the sigmoid of node `s`.
    ///
    /// # Examples
    /// ```
    /// use autodiff::Op;
    /// assert_eq!(Op::Mul.partial_symbol(0, ["w0", "s0"], "x1"), "s0");
    /// assert_eq!(Op::Sigmoid.partial_symbol(0, ["x1", ""], "s1"), "s1(1 − s1)");
    /// assert_eq!(Op::Sub.partial_symbol(1, ["t", "out"], "d"), "−1");
    /// ```
    pub fn partial_symbol(self, slot: usize, [a, b]: [&str; 2], v: &str) -> String {
        let first = slot == 0;
        match self {
            Op::Input | Op::Const => String::new(),
            Op::Add | Op::AddScalar(_) => "1".into(),
            Op::Sub => (if first { "1" } else { "−1" }).into(),
            Op::Neg | Op::ScalarSub(_) => "−1".into(),
            Op::Mul if first => b.into(),
            Op::Mul => a.into(),
            Op::Div if first => format!("1/{b}"),
            Op::Div => format!("−{v}/{b}"),
            Op::Pow if first => format!("{b}·{a}^({b} − 1)"),
            Op::Pow => format!("{v}·ln {a}"),
            Op::Max if first => format!("[{a} > {b}]"),
            Op::Max => format!("[{b} > {a}]"),
            Op::Min if first => format!("[{a} < {b}]"),
            Op::Min => format!("[{b} < {a}]"),
            Op::MulScalar(c) => format!("{c}"),
            Op::DivScalar(c) => format!("1/{c}"),
            Op::ScalarDiv(_) => format!("−{v}/{a}"),
            Op::PowF(p) => format!("{p}·{a}^{}", p - 1.0),
            Op::PowI(n) => format!("{n}·{a}^{}", i64::from(n) - 1),
            Op::Square => format!("2{a}"),
            Op::Sqrt => format!("1/(2{v})"),
            Op::Recip => format!("−{v}²"),
            Op::Exp => v.into(),
            Op::Ln => format!("1/{a}"),
            Op::ExpM1 => format!("e^{a}"),
            Op::Ln1p => format!("1/(1 + {a})"),
            Op::Sigmoid => format!("{v}(1 − {v})"),
            Op::Tanh => format!("1 − {v}²"),
            Op::Relu => format!("[{a} > 0]"),
            Op::Softplus => format!("S({a})"),
            Op::Sin => format!("cos {a}"),
            Op::Cos => format!("−sin {a}"),
            Op::Abs => format!("sign {a}"),
            // a step, flat off the step; a condition passes nothing back
            Op::Less | Op::LessEq => "0".into(),
            Op::IfTrue | Op::IfFalse if first => "0".into(),
            Op::IfTrue => format!("[{a} ≠ 0]"),
            Op::IfFalse => format!("[{a} = 0]"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The lecture net at the slides' point: one path per weight, six factors for w0.
    #[test]
    fn the_lecture_cost_has_one_path_per_weight_whose_product_is_the_gradient() {
        let g = Graph::new();
        let s0 = g.constant(2.0).named("s0");
        let [w0, w1, w2] =
            [(0, 2.0), (1, 1.0), (2, 0.5)].map(|(i, w)| g.var_named(&format!("w{i}"), w));
        let x1 = (w0 * s0).named("x1");
        let s1 = x1.sigmoid().named("s1");
        let x2 = (w1 * s1).named("x2");
        let s2 = x2.sigmoid().named("s2");
        let out = (w2 * s2).named("out");
        let cost = ((g.constant(0.7).named("target") - out).square() * 0.5).named("C");
        for w in [w0, w1, w2] {
            let paths = cost.paths_from(w, 20);
            assert_eq!((paths.count, paths.listed.len()), (1, 1));
            assert_eq!(paths.listed_sum.to_bits(), paths.gradient.to_bits());
        }
        let w0_path = &cost.paths_from(w0, 20).listed[0];
        let symbols: Vec<&str> = w0_path.edges.iter().map(|e| e.symbol.as_str()).collect();
        // x1 = w0 s0, s1 = S(x1), x2 = w1 s1, s2 = S(x2), out = w2 s2, then the cost's three
        assert_eq!(
            symbols,
            [
                "s0",
                "s1(1 − s1)",
                "w1",
                "s2(1 − s2)",
                "w2",
                "−1",
                "2(target − out)",
                "0.5"
            ]
        );
    }

    #[test]
    fn paths_are_counted_without_listing_them_and_the_rest_is_reported() {
        // b = a + a, then 40 times b ← b · b: 2 · 2⁴⁰ paths, each with product 1 at a = ½
        let g = Graph::new();
        let a = g.var(0.5);
        let mut b = a + a;
        for _ in 0..40 {
            b = b * b;
        }
        let paths = b.paths_from(a, 5);
        assert_eq!(paths.count, 2 << 40);
        assert_eq!(paths.listed.len(), 5);
        assert_eq!(paths.left_out(), (2 << 40) - 5);
        assert_eq!(paths.gradient, (2u64 << 40) as f64);
        assert_eq!(paths.listed_sum, 5.0);
        assert_eq!(paths.left_out_share(), paths.gradient - 5.0);
    }

    #[test]
    fn the_listed_sum_equals_the_gradient_when_every_path_is_listed() {
        let g = Graph::new();
        let (x, y) = (g.var(0.3), g.var(-1.2));
        let u = x * y + x.sin();
        let f = u * u.exp() + (x / y).tanh();
        for leaf in [x, y] {
            let paths = f.paths_from(leaf, 1000);
            assert_eq!(paths.left_out(), 0);
            let close = (paths.listed_sum - paths.gradient).abs() <= 1e-15 * paths.gradient.abs();
            assert!(close, "{} vs {}", paths.listed_sum, paths.gradient);
        }
    }

    #[test]
    fn a_leaf_the_root_does_not_depend_on_has_no_path() {
        let g = Graph::new();
        let (x, y) = (g.var(1.0), g.var(2.0));
        let f = x.exp();
        let later = y * 2.0;
        assert_eq!(f.paths_from(y, 10).count, 0);
        assert_eq!(f.paths_from(later, 10).count, 0);
        assert!(f.paths_from(y, 10).listed.is_empty());
    }

    #[test]
    fn a_deep_chain_is_walked_without_recursion() {
        let g = Graph::new();
        let x = g.var(1.0);
        let mut y = x;
        for _ in 0..200_000 {
            y *= 0.999_999;
        }
        let paths = y.paths_from(x, 1);
        assert_eq!(paths.count, 1);
        assert_eq!(paths.listed[0].edges.len(), 200_000);
        assert_eq!(paths.listed[0].product.to_bits(), paths.gradient.to_bits());
    }

    #[test]
    fn every_op_has_a_symbol_for_each_operand() {
        for op in Op::all(3.0).filter(|op| !op.is_leaf()) {
            for slot in 0..op.arity() {
                assert!(!op.partial_symbol(slot, ["a", "b"], "v").is_empty(), "{op}");
            }
        }
    }

    #[test]
    fn only_parentheses_around_everything_are_stripped() {
        assert_eq!(strip_parens("(a + b)"), "a + b");
        assert_eq!(strip_parens("(a + b)·(c + d)"), "(a + b)·(c + d)");
        assert_eq!(strip_parens("(a + b)²"), "(a + b)²");
        assert_eq!(strip_parens("s0·w0"), "s0·w0");
        assert_eq!(strip_parens("()"), "");
    }
}
