//! Graphviz DOT: groups become nested clusters, tiers run left to right.

use std::fmt::Write;

use crate::catalog::{Catalog, Line, Shape};
use crate::model::Pattern;

use super::{edge_text, node_lines};

/// A DOT double-quoted string body: quotes and backslashes escaped, newlines as `\n`.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

fn shape_attrs(shape: Shape) -> (&'static str, &'static str) {
    match shape {
        Shape::Rect => ("box", "filled"),
        Shape::Rounded => ("box", "rounded,filled"),
        Shape::Cylinder => ("cylinder", "filled"),
        Shape::Stadium => ("box", "rounded,filled"),
        Shape::Circle => ("circle", "filled"),
        Shape::Hexagon => ("hexagon", "filled"),
        Shape::Parallelogram => ("parallelogram", "filled"),
        Shape::Person => ("ellipse", "filled"),
    }
}

fn line_style(line: Line) -> &'static str {
    match line {
        Line::Solid => "solid",
        Line::Dashed => "dashed",
        Line::Dotted => "dotted",
    }
}

pub fn render(pattern: &Pattern) -> String {
    let mut out = String::new();
    write_dot(&mut out, &super::zones::expand(pattern)).expect("writing to a String cannot fail");
    out
}

fn write_dot(out: &mut impl Write, pattern: &Pattern) -> std::fmt::Result {
    let catalog = Catalog::builtin();
    writeln!(out, "digraph \"{}\" {{", escape(&pattern.id))?;
    writeln!(
        out,
        "  graph [rankdir=LR, newrank=true, compound=true, fontname=\"Helvetica\", fontsize=14, label=\"{}\", labelloc=t, nodesep=0.35, ranksep=0.6, pad=0.3];",
        escape(&pattern.title)
    )?;
    writeln!(
        out,
        "  node [fontname=\"Helvetica\", fontsize=11, margin=\"0.15,0.08\", penwidth=1.4];"
    )?;
    writeln!(
        out,
        "  edge [fontname=\"Helvetica\", fontsize=9, color=\"#545B64\", fontcolor=\"#545B64\", arrowsize=0.7];"
    )?;
    write_members(out, pattern, None, 1)?;
    for edge in pattern.edges() {
        let line = catalog
            .connections
            .get(&edge.connection.kind)
            .map_or(Line::Solid, |k| k.line);
        writeln!(
            out,
            "  \"{}\" -> \"{}\" [label=\"{}\", style={}];",
            escape(&edge.from.id),
            escape(&edge.to.id),
            escape(&edge_text(edge.connection)),
            line_style(line)
        )?;
    }
    writeln!(out, "}}")
}

/// Writes the components and subgroups directly inside `group`, recursively.
fn write_members(
    out: &mut impl Write,
    pattern: &Pattern,
    group: Option<usize>,
    depth: usize,
) -> std::fmt::Result {
    let catalog = Catalog::builtin();
    let pad = "  ".repeat(depth);
    for component in pattern.members(group) {
        let Some(kind) = catalog.kind(&component.kind) else {
            continue;
        };
        let category = catalog.category(&kind.category);
        let (shape, style) = shape_attrs(kind.shape);
        writeln!(
            out,
            "{pad}\"{}\" [label=\"{}\", shape={shape}, style=\"{style}\", fillcolor=\"{}\", color=\"{}\", fontcolor=\"{}\"];",
            escape(&component.id),
            escape(&node_lines(component).join("\n")),
            category.fill,
            category.stroke,
            category.text
        )?;
    }
    for g in pattern.child_groups(group) {
        let grp = &pattern.groups[g];
        let kind = &catalog.groups[&grp.kind];
        let style = match kind.line {
            Line::Solid => "rounded,filled",
            Line::Dashed => "rounded,dashed,filled",
            Line::Dotted => "rounded,dotted,filled",
        };
        writeln!(out, "{pad}subgraph \"cluster_{}\" {{", escape(&grp.id))?;
        let look = kind.look(&grp.properties);
        writeln!(
            out,
            "{pad}  graph [label=\"{}\", style=\"{style}\", color=\"{}\", fillcolor=\"{}\", fontcolor=\"{}\", labeljust=l, fontsize=12, margin=12];",
            escape(&grp.label),
            look.stroke,
            look.fill,
            look.text
        )?;
        write_members(out, pattern, Some(g), depth + 1)?;
        if grp.properties.contains_key(super::zones::ZONE_OF)
            && pattern.members(Some(g)).next().is_none()
            && pattern.child_groups(Some(g)).next().is_none()
        {
            // Graphviz leaves an empty cluster out; a zone's subnet with nothing in it is drawn.
            writeln!(
                out,
                "{pad}  \"{}.empty\" [label=\"\", shape=point, style=invis, width=0.6];",
                escape(&grp.id)
            )?;
        }
        writeln!(out, "{pad}}}")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_quotes_backslashes_and_newlines() {
        assert_eq!(escape("a \"b\" \\ c\nd"), "a \\\"b\\\" \\\\ c\\nd");
    }
}
