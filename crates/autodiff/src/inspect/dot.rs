//! Graphviz DOT export of a graph, through `petgraph::dot`.

use petgraph::dot::{Config, Dot};
use petgraph::visit::NodeRef;

use crate::graph::Dag;
use crate::{Gradients, Graph};

impl Graph {
    /// The graph in Graphviz DOT: each node labelled with its name (or its op) and value,
    /// each edge with its local partial `∂target/∂source`.
    ///
    /// # Examples
    /// ```
    /// let g = autodiff::Graph::new();
    /// let w = g.var_named("w0", 2.0);
    /// let y = (w * 3.0).named("y");
    /// let dot = g.to_dot();
    /// assert!(dot.contains(r#"label = "w0\nvalue = 2""#));
    /// assert!(dot.contains(r#"label = "∂ = 3""#)); // ∂y/∂w0
    /// # let _ = y;
    /// ```
    pub fn to_dot(&self) -> String {
        self.dot(None)
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
    /// assert!(dot.contains(r#"label = "w0\nvalue = 2\nadjoint = 3""#));
    /// ```
    pub fn to_dot_with(&self, gradients: &Gradients<'_>) -> String {
        self.dot(Some(gradients.adjoints()))
    }

    fn dot(&self, adjoints: Option<&[f64]>) -> String {
        let state = self.state();
        let dag = self.dag();
        let node_label = |_: &Dag, node: (petgraph::graph::NodeIndex, &crate::Node)| {
            let (index, weight) = (node.id(), node.weight());
            let title = match state.names.get(&index) {
                Some(name) => escape(name),
                None => weight.op.to_string(),
            };
            let mut label = format!("{title}\\nvalue = {}", weight.value);
            if let Some(adjoint) = adjoints.and_then(|a| a.get(index.index())) {
                label.push_str(&format!("\\nadjoint = {adjoint}"));
            }
            let shape = if weight.op.is_leaf() {
                "box"
            } else {
                "ellipse"
            };
            format!("label = \"{label}\" shape = {shape}")
        };
        let edge_label = |_: &Dag, edge: petgraph::graph::EdgeReference<'_, crate::Edge>| {
            format!("label = \"∂ = {}\"", edge.weight().partial)
        };
        let config = [Config::NodeNoLabel, Config::EdgeNoLabel];
        format!(
            "{:?}",
            Dot::with_attr_getters(&*dag, &config, &edge_label, &node_label)
        )
    }
}

/// A name as a DOT string body: quotes and backslashes escaped.
fn escape(name: &str) -> String {
    name.replace('\\', "\\\\").replace('"', "\\\"")
}
