//! Graphviz DOT: groups become nested clusters, tiers run left to right.
//!
//! Each component is an HTML-like label: its glyph (a rounded square in the category's colour
//! with the abbreviation, see [`super::glyph`]) or, with `--icons`, an `<IMG>` of the user's icon
//! file, and the label below. Edges attach to the glyph's port, so lines meet the icon rather
//! than the text. Graphviz reads an icon by its path when it lays the graph out, so `dot` must be
//! able to read the `--icons` folder on the machine that runs it.

use std::fmt::Write;

use crate::catalog::{Catalog, Line};
use crate::model::Pattern;

use super::edge_text;
use super::looks::Looks;

/// A glyph's side, in points.
const GLYPH: u32 = 40;
/// A group's corner icon.
const CORNER: u32 = 18;

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

/// Text inside an HTML-like label: markup characters as entities, a line break as a space (as
/// in Mermaid: the label's own lines are archpat's `<BR/>`s, never the user's text).
pub fn html_escape(text: &str) -> String {
    crate::markup::html(&text.replace(['\n', '\r'], " "))
}

fn line_style(line: Line) -> &'static str {
    match line {
        Line::Solid => "solid",
        Line::Dashed => "dashed",
        Line::Dotted => "dotted",
    }
}

/// The pattern as DOT with archpat's own glyphs.
pub fn render(pattern: &Pattern) -> String {
    let expanded = super::zones::expand(pattern);
    render_expanded(&expanded, &Looks::new(&expanded, None))
}

/// The pattern as DOT with the given looks (made for the zone-expanded pattern).
pub fn render_with(pattern: &Pattern, looks: &Looks) -> String {
    render_expanded(&super::zones::expand(pattern), looks)
}

fn render_expanded(pattern: &Pattern, looks: &Looks) -> String {
    let mut out = String::new();
    write_dot(&mut out, pattern, looks).expect("writing to a String cannot fail");
    out
}

fn write_dot(out: &mut impl Write, pattern: &Pattern, looks: &Looks) -> std::fmt::Result {
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
    write_members(out, pattern, looks, None, 1)?;
    for edge in pattern.edges() {
        let line = catalog
            .connections
            .get(&edge.connection.kind)
            .map_or(Line::Solid, |k| k.line);
        writeln!(
            out,
            "  \"{}\":g -> \"{}\":g [label=\"{}\", style={}];",
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
    looks: &Looks,
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
        let look = looks.kind(&component.kind);
        let icon = match looks.icon_of(look.icon) {
            Some(icon) => format!(
                "<TD PORT=\"g\" FIXEDSIZE=\"TRUE\" WIDTH=\"{GLYPH}\" HEIGHT=\"{GLYPH}\"><IMG SRC=\"{}\" SCALE=\"TRUE\"/></TD>",
                html_escape(&icon.path.display().to_string())
            ),
            None => {
                let g = &look.glyph;
                let (fill, ink, border) = if g.tile {
                    (g.color.as_str(), "#FFFFFF", 0)
                } else {
                    ("#FFFFFF", g.color.as_str(), 2)
                };
                let size = match g.text.chars().count() {
                    0..=2 => 16,
                    3 => 13,
                    _ => 10,
                };
                let inner = GLYPH - 2 * border;
                format!(
                    "<TD PORT=\"g\" FIXEDSIZE=\"TRUE\" WIDTH=\"{GLYPH}\" HEIGHT=\"{GLYPH}\"><TABLE STYLE=\"ROUNDED\" BORDER=\"{border}\" CELLBORDER=\"0\" COLOR=\"{}\" BGCOLOR=\"{fill}\" CELLPADDING=\"0\" CELLSPACING=\"0\"><TR><TD FIXEDSIZE=\"TRUE\" WIDTH=\"{inner}\" HEIGHT=\"{inner}\"><FONT COLOR=\"{ink}\" POINT-SIZE=\"{size}\"><B>{}</B></FONT></TD></TR></TABLE></TD>",
                    g.color,
                    html_escape(&g.text)
                )
            }
        };
        let mut text = format!(
            "<FONT COLOR=\"{}\">{}</FONT>",
            category.text,
            html_escape(&component.label)
        );
        if let [_, kind_name] = super::node_lines(component).as_slice() {
            write!(
                text,
                "<BR/><FONT POINT-SIZE=\"9\" COLOR=\"#545B64\">{}</FONT>",
                html_escape(kind_name)
            )?;
        }
        writeln!(
            out,
            "{pad}\"{}\" [shape=plain, label=<<TABLE BORDER=\"0\" CELLBORDER=\"0\" CELLSPACING=\"2\" CELLPADDING=\"0\"><TR>{icon}</TR><TR><TD>{text}</TD></TR></TABLE>>];",
            escape(&component.id),
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
        // The AWS group style: the group's icon in the top-left corner, the title beside it.
        let corner = match looks.group(grp) {
            Some(corner) => match looks.icon_of(corner.icon) {
                Some(icon) => format!(
                    "<TD FIXEDSIZE=\"TRUE\" WIDTH=\"{CORNER}\" HEIGHT=\"{CORNER}\"><IMG SRC=\"{}\" SCALE=\"TRUE\"/></TD>",
                    html_escape(&icon.path.display().to_string())
                ),
                None => format!(
                    "<TD FIXEDSIZE=\"TRUE\" WIDTH=\"{CORNER}\" HEIGHT=\"{CORNER}\" BGCOLOR=\"{}\">{}</TD>",
                    corner.color,
                    // Graphviz refuses an empty `<B></B>`.
                    corner.text.as_deref().map_or(String::new(), |t| format!(
                        "<FONT COLOR=\"#FFFFFF\" POINT-SIZE=\"7\"><B>{}</B></FONT>",
                        html_escape(t)
                    ))
                ),
            },
            None => String::new(),
        };
        writeln!(
            out,
            "{pad}  graph [label=<<TABLE BORDER=\"0\" CELLBORDER=\"0\" CELLSPACING=\"0\" CELLPADDING=\"0\"><TR>{corner}<TD>&nbsp;{}</TD></TR></TABLE>>, style=\"{style}\", color=\"{}\", fillcolor=\"{}\", fontcolor=\"{}\", labeljust=l, fontsize=12, margin=12];",
            html_escape(&grp.label),
            look.stroke,
            look.fill,
            look.text
        )?;
        write_members(out, pattern, looks, Some(g), depth + 1)?;
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

    #[test]
    fn html_escape_makes_markup_text() {
        assert_eq!(html_escape("<b>&\"x'\ny"), "&lt;b&gt;&amp;&quot;x&#39; y");
    }
}
