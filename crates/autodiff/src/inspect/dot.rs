//! Graphviz DOT export of a graph, through `petgraph::dot`, drawn to be read: left to
//! right, each node labelled with its name and its op on its operands' names (`x1 = w0·s0`)
//! and its value to 4 significant digits (full precision in a tooltip), each edge with its
//! local partial as a formula and a value; optionally a backward pass's adjoints, data leaves
//! styled apart from trainable ones, and the paths from one leaf to a root highlighted.

use std::collections::HashSet;

use petgraph::dot::{Config, Dot};
use petgraph::graph::{EdgeReference, NodeIndex};
use petgraph::visit::{EdgeRef, NodeRef};

use super::paths::{edges_on_paths, node_name, op_on_operands, strip_parens};
use crate::graph::Dag;
use crate::{Edge, Gradients, Graph, Node, Op, Var};

/// The colour of highlighted paths (nodes' borders, edges and their labels).
pub const HIGHLIGHT_COLOR: &str = "#d62728";

/// Node styles: data leaves, trainable leaves, constants, ops.
const DATA_STYLE: &str = r##"shape = box style = "rounded,filled" fillcolor = "#e4e4e4""##;
const WEIGHT_STYLE: &str = r##"shape = box style = "filled" fillcolor = "#ffd966""##;
const CONST_STYLE: &str = "shape = plaintext";
const OP_STYLE: &str = "shape = ellipse";

/// What [`Graph::to_dot_styled`] draws besides the graph: the adjoints of a backward
/// pass, which leaves are data (inputs and targets rather than trainable weights), and the
/// paths from one leaf to a root to highlight.
///
/// # Examples
/// ```
/// use autodiff::{DotOptions, Graph};
/// let g = Graph::new();
/// let x = g.var_named("x", 3.0);
/// let w = g.var_named("w", 0.5);
/// let y = (w * x).named("y");
/// let grads = y.backward();
/// let options = DotOptions::new().adjoints(&grads).data(&[x]).highlight(w, y);
/// let dot = g.to_dot_styled(&options);
/// assert!(dot.contains(r#"label = "y = w·x\n= 1.5\n∂y/∂y = 1""#));
/// assert!(dot.contains(r#"label = "x = 3\n∂y/∂x = 0.5" tooltip"#));
/// ```
#[derive(Clone, Debug, Default)]
pub struct DotOptions<'a, 'g> {
    gradients: Option<&'a Gradients<'g>>,
    data: Vec<Var<'g>>,
    highlight: Option<(Var<'g>, Var<'g>)>,
}

impl<'a, 'g> DotOptions<'a, 'g> {
    /// Nothing besides the graph: no adjoints, every input a trainable leaf, no highlight.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds each node's adjoint from `gradients` (`∂C/∂x1 = …`, named after the sweep's
    /// root) to its label; nodes recorded after the root have none.
    pub fn adjoints(mut self, gradients: &'a Gradients<'g>) -> Self {
        self.gradients = Some(gradients);
        self
    }

    /// Styles `leaves` as data (grey rounded boxes) rather than trainable leaves (gold
    /// boxes): inputs and targets that training does not change.
    pub fn data(mut self, leaves: &[Var<'g>]) -> Self {
        self.data.extend_from_slice(leaves);
        self
    }

    /// Colours every path from `leaf` up to `root`: its edges, and the borders of its nodes.
    pub fn highlight(mut self, leaf: Var<'g>, root: Var<'g>) -> Self {
        self.highlight = Some((leaf, root));
        self
    }
}

impl Graph {
    /// The graph in Graphviz DOT: [`Graph::to_dot_styled`] with no options.
    ///
    /// # Examples
    /// ```
    /// let g = autodiff::Graph::new();
    /// let w = g.var_named("w0", 2.0);
    /// let y = (w * 3.0).named("y");
    /// let dot = g.to_dot();
    /// assert!(dot.contains(r#"label = "w0 = 2" tooltip = "w0 = 2""#));
    /// assert!(dot.contains(r#"0 -> 1 [ label = "3" tooltip = "∂y/∂w0 = 3"]"#));
    /// # let _ = y;
    /// ```
    pub fn to_dot(&self) -> String {
        self.to_dot_styled(&DotOptions::new())
    }

    /// [`Graph::to_dot`] with each node's adjoint from `gradients` added to its label
    /// (nodes after the sweep's root have none).
    ///
    /// # Examples
    /// ```
    /// let g = autodiff::Graph::new();
    /// let w = g.var_named("w0", 2.0);
    /// let y = (w * 3.0).named("y");
    /// let dot = g.to_dot_with(&y.backward());
    /// assert!(dot.contains(r#"label = "w0 = 2\n∂y/∂w0 = 3""#));
    /// ```
    pub fn to_dot_with(&self, gradients: &Gradients<'_>) -> String {
        self.to_dot_styled(&DotOptions::new().adjoints(gradients))
    }

    /// The graph in Graphviz DOT, drawn left to right (`rankdir="LR"`).
    ///
    /// Each node's label is its name, its op on its operands' names for a computed node
    /// (`x1 = w0·s0`), its value and, with [`DotOptions::adjoints`], its adjoint, numbers
    /// to 4 significant digits; its `tooltip` has them in full (shortest round-trip form).
    /// Each edge's label is its local partial `∂target/∂source` as a formula in the nodes'
    /// names and its value (`s0 = 2`, or just the value when the formula is a number).
    /// Leaves are boxes (data grey and rounded, trainable gold), constants plain text,
    /// ops ellipses; highlighted paths are drawn in [`HIGHLIGHT_COLOR`].
    ///
    /// # Panics
    /// If a `Var` of `options` belongs to another graph.
    ///
    /// # Complexity
    /// **O(|V| + |E|)**, highlighting included (no path is listed).
    #[track_caller]
    pub fn to_dot_styled(&self, options: &DotOptions<'_, '_>) -> String {
        let foreign = options
            .data
            .iter()
            .chain(options.highlight.iter().flat_map(|(a, b)| [a, b]))
            .any(|v| !std::ptr::eq(v.graph, self));
        assert!(
            !foreign,
            "autodiff: DotOptions holds a Var of another graph than the one drawn"
        );
        let nodes = match self.len() {
            0 => Vec::new(),
            n => self.state().record.operands_up_to(n - 1),
        };
        let names: Vec<String> = (0..nodes.len())
            .map(|i| node_name(self, &nodes, i))
            .collect();
        let data: HashSet<usize> = options.data.iter().map(|v| v.index()).collect();
        let on_path = options.highlight.map_or_else(HashSet::new, |(leaf, root)| {
            edges_on_paths(&nodes, leaf.index(), root.index())
        });
        let mut path_nodes: HashSet<usize> = HashSet::new();
        for &(target, slot) in &on_path {
            path_nodes.insert(target);
            path_nodes.insert(nodes[target].1[usize::from(slot)].0);
        }
        let adjoints = options.gradients.map(Gradients::adjoints);
        let root_name = options.gradients.map(|g| names[g.root()].clone());

        let dag = self.dag();
        let node_attributes = |_: &Dag, node: (NodeIndex, &Node)| {
            let (i, weight) = (node.id().index(), node.weight());
            let (mut label, mut tooltip) = if weight.op.is_leaf() {
                let title = &names[i];
                let shown = format!("{} = {}", title, sig4(weight.value));
                let full = format!("{} = {}", title, weight.value);
                match self.name(node.id()) {
                    Some(_) => (shown, full),
                    // an unnamed leaf's name is its value
                    None => (sig4(weight.value), weight.value.to_string()),
                }
            } else {
                let written = op_on_operands(self, &nodes, i);
                let operation = strip_parens(&written);
                let title = match self.name(node.id()) {
                    Some(name) => format!("{name} = {operation}"),
                    None => operation.to_string(),
                };
                (
                    format!("{title}\n= {}", sig4(weight.value)),
                    format!("{title} = {}", weight.value),
                )
            };
            if let (Some(adjoint), Some(root)) = (adjoints.and_then(|a| a.get(i)), &root_name) {
                let wrt = format!("∂{root}/∂{}", names[i]);
                label.push_str(&format!("\n{wrt} = {}", sig4(*adjoint)));
                tooltip.push_str(&format!("\n{wrt} = {adjoint}"));
            }
            let style = match weight.op {
                Op::Input if data.contains(&i) => DATA_STYLE,
                Op::Input => WEIGHT_STYLE,
                Op::Const => CONST_STYLE,
                _ => OP_STYLE,
            };
            let mut attributes = format!(
                "label = \"{}\" tooltip = \"{}\" {style}",
                escape(&label),
                escape(&tooltip)
            );
            if path_nodes.contains(&i) {
                attributes.push_str(&format!(" color = \"{HIGHLIGHT_COLOR}\" penwidth = 2"));
            }
            attributes
        };
        let edge_attributes = |dag: &Dag, edge: EdgeReference<'_, Edge>| {
            let (source, target) = (edge.source().index(), edge.target().index());
            let slot = Edge::slot(dag, edge.id());
            let (op, operands) = &nodes[target];
            let operand_names = [0, 1].map(|s| {
                operands
                    .get(s)
                    .map_or(String::new(), |&(j, _)| names[j].clone())
            });
            let symbol = op.partial_symbol(
                usize::from(slot),
                [&operand_names[0], &operand_names[1]],
                &names[target],
            );
            let partial = edge.weight().partial;
            let wrt = format!("∂{}/∂{}", names[target], names[source]);
            // a formula that is a number (1, −1, 0.5) is not written twice
            let (label, tooltip) = if symbol.replace('−', "-").parse::<f64>().is_ok() {
                (sig4(partial), format!("{wrt} = {partial}"))
            } else {
                (
                    format!("{symbol} = {}", sig4(partial)),
                    format!("{wrt} = {symbol} = {partial}"),
                )
            };
            let mut attributes = format!(
                "label = \"{}\" tooltip = \"{}\"",
                escape(&label),
                escape(&tooltip)
            );
            if on_path.contains(&(target, slot)) {
                attributes.push_str(&format!(
                    " color = \"{HIGHLIGHT_COLOR}\" fontcolor = \"{HIGHLIGHT_COLOR}\" penwidth = 2.5"
                ));
            }
            attributes
        };
        let config = [
            Config::NodeNoLabel,
            Config::EdgeNoLabel,
            Config::GraphContentOnly,
        ];
        let content = format!(
            "{:?}",
            Dot::with_attr_getters(&*dag, &config, &edge_attributes, &node_attributes)
        );
        let mut dot = String::from(
            "digraph {\n    rankdir=\"LR\"\n    node [ fontname = \"Helvetica\" ]\n    \
             edge [ fontname = \"Helvetica\" fontsize = 10 ]\n",
        );
        if let Some(legend) = legend(options, &names) {
            dot.push_str(&format!(
                "    label = \"{}\" labelloc = \"b\" fontname = \"Helvetica\"\n",
                escape(&legend)
            ));
        }
        dot.push_str(&content);
        dot.push_str("}\n");
        dot
    }
}

/// A caption saying what the styles mean, when the drawing uses more than the defaults.
fn legend(options: &DotOptions<'_, '_>, names: &[String]) -> Option<String> {
    let mut parts = Vec::new();
    if !options.data.is_empty() {
        parts.push("grey rounded boxes: data    gold boxes: weights".to_string());
    }
    if let Some((leaf, root)) = options.highlight {
        parts.push(format!(
            "red: every path from {} to {}",
            names[leaf.index()],
            names[root.index()]
        ));
    }
    (!parts.is_empty()).then(|| parts.join("    "))
}

/// `x` to 4 significant digits, trailing zeros dropped: `0.982`, `-0.01234`, `4`, `1.235e6`;
/// fixed notation from 1e-3 up to 1e4, scientific outside; `-0` shown as `0`.
pub(crate) fn sig4(x: f64) -> String {
    if !x.is_finite() {
        return format!("{x}");
    }
    if x == 0.0 {
        return "0".into();
    }
    let magnitude = x.abs();
    if (1e-3..1e4).contains(&magnitude) {
        let decimals = (3 - magnitude.log10().floor() as i32).max(0) as usize;
        let fixed = format!("{x:.decimals$}");
        let trimmed = if fixed.contains('.') {
            fixed.trim_end_matches('0').trim_end_matches('.')
        } else {
            &fixed
        };
        trimmed.to_string()
    } else {
        let sci = format!("{x:.3e}");
        let (mantissa, exponent) = sci.split_once('e').unwrap_or((&sci, "0"));
        let mantissa = mantissa.trim_end_matches('0').trim_end_matches('.');
        format!("{mantissa}e{exponent}")
    }
}

/// Text as a DOT string body: quotes and backslashes escaped, line breaks as `\n`.
fn escape(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn four_significant_digits_without_trailing_zeros() {
        assert_eq!(sig4(0.982_013_790_037_908_5), "0.982");
        assert_eq!(sig4(0.727_507_859_915_145_5), "0.7275");
        assert_eq!(sig4(4.0), "4");
        assert_eq!(sig4(-0.012_345_6), "-0.01235");
        assert_eq!(sig4(1_234.56), "1235");
        assert_eq!(sig4(12_345.6), "1.235e4");
        assert_eq!(sig4(9.999_96), "10");
        assert_eq!(sig4(1.234_56e6), "1.235e6");
        assert_eq!(sig4(-2.5e-7), "-2.5e-7");
        assert_eq!(sig4(-0.0), "0");
        assert_eq!(sig4(f64::NAN), "NaN");
        assert_eq!(sig4(f64::NEG_INFINITY), "-inf");
        assert_eq!(sig4(f64::MAX), "1.798e308");
        assert_eq!(sig4(f64::MIN_POSITIVE), "2.225e-308");
    }
}
