//! Diagram renderers. Each reads a [`Pattern`] and writes text over `std::fmt::Write`; colours
//! and shapes come from the catalog, so a new kind is drawn without touching this code.

pub mod dot;
pub mod drawio;
pub mod glyph;
pub mod icons;
pub mod image;
pub mod looks;
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

/// A drawn diagram, and what the user should hear about how it was drawn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Drawing {
    pub output: Output,
    /// Kinds drawn with archpat's glyph although `--icons` was given, and why.
    pub warnings: Vec<String>,
}

/// Draws a pattern in any format, with archpat's own glyphs.
pub fn draw(
    pattern: &Pattern,
    format: Format,
    engine: Engine,
) -> Result<Output, image::ImageError> {
    draw_with_icons(pattern, format, engine, None).map(|d| d.output)
}

/// Draws a pattern; the built-in SVG/PNG and DOT take each kind's icon from the user's copy of
/// AWS's Architecture Icons when `icons` has one. Mermaid and draw.io are unchanged by it
/// (draw.io draws AWS's icons itself).
pub fn draw_with_icons(
    pattern: &Pattern,
    format: Format,
    engine: Engine,
    icons: Option<&icons::IconSet>,
) -> Result<Drawing, image::ImageError> {
    let looks = || looks::Looks::new(&zones::expand(pattern), icons);
    let (output, warnings) = match (format, engine) {
        (Format::Mermaid, _) => (Output::Text(mermaid::render(pattern)), vec![]),
        (Format::Drawio, _) => (Output::Text(drawio::render(pattern)?), vec![]),
        (Format::Dot, _) => {
            let looks = looks();
            (
                Output::Text(dot::render_with(pattern, &looks)),
                looks.warnings,
            )
        }
        (Format::Svg | Format::Png, Engine::Graphviz) => {
            let looks = looks();
            let dot = dot::render_with(pattern, &looks);
            let output = if format == Format::Svg {
                Output::Text(image::svg_from_dot_with_graphviz(&dot)?)
            } else {
                Output::Bytes(image::png_from_dot_with_graphviz(&dot)?)
            };
            (output, looks.warnings)
        }
        (Format::Svg | Format::Png, Engine::Builtin) => {
            let expanded = zones::expand(pattern);
            let looks = looks::Looks::new(&expanded, icons);
            let warnings = looks.warnings.clone();
            let decoration = std::sync::Arc::new(image::Decoration::new(&expanded, looks));
            let source = mermaid::render_for_glyphs(pattern);
            let output = if format == Format::Svg {
                Output::Text(image::svg_from_mermaid_decorated(
                    &source,
                    Some(&decoration),
                )?)
            } else {
                Output::Bytes(image::png_from_mermaid_decorated(
                    &source,
                    Some(&decoration),
                )?)
            };
            (output, warnings)
        }
    };
    Ok(Drawing { output, warnings })
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
