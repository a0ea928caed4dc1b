//! Diagram renderers. Each reads a [`Pattern`] and writes text over `std::fmt::Write`; colours
//! and shapes come from the catalog, so a new kind is drawn without touching this code.

pub mod dot;
pub mod drawio;
pub mod image;
pub mod mermaid;
pub mod zones;

use crate::catalog::Catalog;
use crate::model::{Component, Connection, Pattern};

/// The formats a diagram is drawn in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Dot,
    Mermaid,
    Svg,
    Png,
    /// A draw.io (diagrams.net) file, to edit the diagram further.
    Drawio,
}

/// Which program lays out SVG and PNG output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Engine {
    /// archpat's own renderer: nothing to install.
    #[default]
    Builtin,
    /// Graphviz `dot`, when it is installed.
    Graphviz,
}

/// A rendered diagram: text formats are UTF-8, PNG is bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output {
    Text(String),
    Bytes(Vec<u8>),
}

impl Output {
    pub fn into_bytes(self) -> Vec<u8> {
        match self {
            Output::Text(t) => t.into_bytes(),
            Output::Bytes(b) => b,
        }
    }
}

/// Draws a pattern in any format.
pub fn draw(
    pattern: &Pattern,
    format: Format,
    engine: Engine,
) -> Result<Output, image::ImageError> {
    Ok(match (format, engine) {
        (Format::Dot, _) => Output::Text(dot::render(pattern)),
        (Format::Mermaid, _) => Output::Text(mermaid::render(pattern)),
        (Format::Drawio, _) => Output::Text(drawio::render(pattern)?),
        (Format::Svg, Engine::Builtin) => Output::Text(image::svg_from_mermaid(
            &mermaid::render_for_image(pattern),
        )?),
        (Format::Png, Engine::Builtin) => Output::Bytes(image::png_from_mermaid(
            &mermaid::render_for_image(pattern),
        )?),
        (Format::Svg, Engine::Graphviz) => {
            Output::Text(image::svg_from_dot_with_graphviz(&dot::render(pattern))?)
        }
        (Format::Png, Engine::Graphviz) => {
            Output::Bytes(image::png_from_dot_with_graphviz(&dot::render(pattern))?)
        }
    })
}

/// The text on a component's node: its label, and the kind's display name when they differ.
pub(crate) fn node_lines(component: &Component) -> Vec<String> {
    let kind_name = Catalog::builtin()
        .kind(&component.kind)
        .map(|k| k.name.as_str())
        .unwrap_or(&component.kind);
    if component.label == kind_name {
        vec![component.label.clone()]
    } else {
        vec![component.label.clone(), kind_name.to_string()]
    }
}

/// The text on an edge: the user's label or the connection kind, then protocol and port.
pub(crate) fn edge_text(connection: &Connection) -> String {
    let mut text = connection
        .label
        .clone()
        .unwrap_or_else(|| connection.kind.clone());
    match (&connection.protocol, connection.port) {
        (Some(p), Some(port)) => text.push_str(&format!(" · {p} :{port}")),
        (Some(p), None) => text.push_str(&format!(" · {p}")),
        (None, Some(port)) => text.push_str(&format!(" · :{port}")),
        (None, None) => {}
    }
    text
}
