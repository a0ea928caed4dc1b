//! The pattern model: components and connections in a petgraph graph, groups as a tree, and the
//! parameter values it was resolved with. Everything downstream (renderers, scaffold targets,
//! compare, walkthrough) reads this and nothing else.

use indexmap::IndexMap;
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::EdgeRef;
use serde_json::Value;

use crate::catalog::ValueSpec;

/// A pattern with its parameters applied: the parts whose `when` failed are gone.
#[derive(Debug, Clone)]
pub struct Pattern {
    pub id: String,
    pub title: String,
    pub summary: String,
    pub topics: Vec<String>,
    /// Where the pattern came from, for messages (`builtin:serverless-web` or a file path).
    pub source: String,
    pub parameters: IndexMap<String, ValueSpec>,
    /// The value of every parameter: the default or what the user set.
    pub values: IndexMap<String, Value>,
    /// Groups in file order; a parent always comes before its children.
    pub groups: Vec<Group>,
    pub graph: DiGraph<Component, Connection>,
    pub walkthrough: Vec<Step>,
}

#[derive(Debug, Clone)]
pub struct Group {
    pub id: String,
    pub kind: String,
    pub label: String,
    /// Index into [`Pattern::groups`].
    pub parent: Option<usize>,
    pub properties: IndexMap<String, Value>,
    /// The line of its `id` in the pattern file, for messages about it.
    pub line: u64,
}

#[derive(Debug, Clone)]
pub struct Component {
    pub id: String,
    pub kind: String,
    pub label: String,
    /// Index into [`Pattern::groups`].
    pub group: Option<usize>,
    /// Every property the kind declares: the pattern's value or the kind's default.
    pub properties: IndexMap<String, Value>,
    /// The line of its `id` in the pattern file, for messages about it.
    pub line: u64,
}

impl Component {
    pub fn prop_str(&self, name: &str) -> Option<&str> {
        self.properties.get(name).and_then(Value::as_str)
    }
}

#[derive(Debug, Clone)]
pub struct Connection {
    pub kind: String,
    pub label: Option<String>,
    pub port: Option<u16>,
    pub protocol: Option<String>,
    /// Every property its `connects` rule declares (`catalog/kinds`), defaults filled in.
    pub properties: IndexMap<String, Value>,
    /// The line of its `from` in the pattern file, for messages about it.
    pub line: u64,
}

/// One step of a walkthrough: what it adds to the picture and what it teaches.
#[derive(Debug, Clone, Default)]
pub struct Step {
    pub title: String,
    pub adds: Vec<String>,
    /// `(from, to)` component ids of the connections the step adds.
    pub connections: Vec<(String, String)>,
    pub why: String,
    pub topics: Vec<String>,
    pub practices: Vec<String>,
    pub pitfall: String,
    pub question: String,
    pub answer: String,
}

/// A connection with its two ends, as consumers want to see it.
#[derive(Debug, Clone, Copy)]
pub struct Edge<'a> {
    pub from: &'a Component,
    pub to: &'a Component,
    pub connection: &'a Connection,
}

impl Pattern {
    /// Components in file order.
    pub fn components(&self) -> impl Iterator<Item = &Component> {
        self.graph.node_weights()
    }

    /// Connections in file order.
    pub fn edges(&self) -> impl Iterator<Item = Edge<'_>> {
        self.graph.edge_references().map(|e| Edge {
            from: &self.graph[e.source()],
            to: &self.graph[e.target()],
            connection: e.weight(),
        })
    }

    pub fn component(&self, id: &str) -> Option<&Component> {
        self.components().find(|c| c.id == id)
    }

    pub fn node(&self, id: &str) -> Option<NodeIndex> {
        self.graph.node_indices().find(|&n| self.graph[n].id == id)
    }

    /// Connections that start at `id`.
    pub fn outgoing<'a>(&'a self, id: &'a str) -> impl Iterator<Item = Edge<'a>> + 'a {
        self.edges().filter(move |e| e.from.id == id)
    }

    /// Connections that end at `id`.
    pub fn incoming<'a>(&'a self, id: &'a str) -> impl Iterator<Item = Edge<'a>> + 'a {
        self.edges().filter(move |e| e.to.id == id)
    }

    /// Groups directly inside `parent` (`None`: top-level groups).
    pub fn child_groups(&self, parent: Option<usize>) -> impl Iterator<Item = usize> + '_ {
        (0..self.groups.len()).filter(move |&g| self.groups[g].parent == parent)
    }

    /// Components directly inside `group` (`None`: outside every group).
    pub fn members(&self, group: Option<usize>) -> impl Iterator<Item = &Component> {
        self.components().filter(move |c| c.group == group)
    }

    /// The chain of groups from the outermost down to `group`.
    pub fn group_path(&self, group: usize) -> Vec<usize> {
        let mut path = vec![group];
        let mut g = group;
        while let Some(p) = self.groups[g].parent {
            path.push(p);
            g = p;
        }
        path.reverse();
        path
    }

    /// The nearest enclosing group of `kind` around a component, e.g. its subnet tier.
    pub fn enclosing(&self, component: &Component, kind: &str) -> Option<&Group> {
        let g = component.group?;
        self.group_path(g)
            .into_iter()
            .rev()
            .map(|i| &self.groups[i])
            .find(|grp| grp.kind == kind)
    }

    /// Whether the pattern has any group of `kind`.
    pub fn has_group_kind(&self, kind: &str) -> bool {
        self.groups.iter().any(|g| g.kind == kind)
    }
}
