//! draw.io (diagrams.net) files: an uncompressed `<mxfile>` that draw.io opens for editing.
//!
//! Components are draw.io's own `mxgraph.aws4` shapes (a service icon on its category's tile,
//! or a resource glyph), named in the catalog (`drawio:` in `catalog/kinds/*.yaml`), so the file
//! embeds no icon. Groups are AWS group boxes (`drawio_icon` and colours in
//! `catalog/groups.yaml`); draw.io containers, so moving a VPC moves what sits in it. Positions
//! come from the built-in renderer's layout of the same diagram, so the `.drawio` file and the
//! SVG agree. Labels are plain text (no `html=1`): a label that holds markup shows the markup.

use std::collections::HashMap;
use std::fmt::Write;

use crate::catalog::{Catalog, DrawioIcon, Line};
use crate::markup::xml_attr;
use crate::model::Pattern;

use super::image::{self, ImageError, Rect};
use super::{edge_text, mermaid, node_lines};

/// Side of a component's icon, in pixels (draw.io's palette uses 78; the layout's boxes are
/// sized for text, and 48 leaves room for the label below).
const ICON: f64 = 48.0;
/// Height of one label line at draw.io's 12 px font.
const LINE: f64 = 15.0;
/// Characters per label line before it wraps.
const WRAP: usize = 28;
/// Space around the drawing and above it for the title.
const MARGIN: f64 = 20.0;
const TITLE: f64 = 40.0;

/// The `mxgraph.aws4` stencil library all names in the catalog belong to.
pub const LIBRARY: &str = "mxgraph.aws4";

/// Draws a pattern as a `.drawio` file.
pub fn render(pattern: &Pattern) -> Result<String, ImageError> {
    let pattern = &super::zones::expand(pattern);
    let layout = image::layout_from_mermaid(&mermaid::render_for_image(pattern))?;
    let mut out = String::new();
    write_drawio(&mut out, pattern, &layout).expect("writing to a String cannot fail");
    Ok(out)
}

/// A number for the file: one decimal, never `-0.0`.
fn num(value: f64) -> String {
    let rounded = (value * 10.0).round() / 10.0;
    let text = format!("{:.1}", if rounded == 0.0 { 0.0 } else { rounded });
    text.strip_suffix(".0").map(str::to_string).unwrap_or(text)
}

/// Label text wrapped to lines of at most [`WRAP`] characters.
fn wrapped(lines: &[String]) -> Vec<String> {
    lines
        .iter()
        .flat_map(|l| textwrap::wrap(l, WRAP).into_iter().map(|c| c.into_owned()))
        .collect()
}

/// The style of a component's cell.
fn component_style(icon: &DrawioIcon, colour: &str) -> String {
    let common = "sketch=0;outlineConnect=0;fontColor=#232F3E;gradientColor=none;dashed=0;\
                  verticalLabelPosition=bottom;verticalAlign=top;align=center;fontSize=12;\
                  fontStyle=0;aspect=fixed;";
    if icon.tile {
        format!(
            "{common}fillColor={colour};strokeColor=#ffffff;shape={LIBRARY}.resourceIcon;resIcon={LIBRARY}.{};",
            icon.icon
        )
    } else {
        format!(
            "{common}fillColor={colour};strokeColor=none;pointerEvents=1;shape={LIBRARY}.{};",
            icon.icon
        )
    }
}

fn write_drawio(
    out: &mut impl Write,
    pattern: &Pattern,
    layout: &image::Layout,
) -> std::fmt::Result {
    let catalog = Catalog::builtin();
    let ids = mermaid::node_ids(pattern);
    // Shift the drawing so that it starts at the margin, below the title.
    let (mut left, mut top, mut right, mut bottom) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    for r in layout.boxes.values() {
        left = left.min(r.left());
        top = top.min(r.top());
        right = right.max(r.left() + r.width);
        bottom = bottom.max(r.top() + r.height);
    }
    let dx = MARGIN - left;
    let dy = MARGIN + TITLE - top;
    let width = right - left + 2.0 * MARGIN;
    let height = bottom - top + 2.0 * MARGIN + TITLE;

    writeln!(out, "<mxfile host=\"archpat\" type=\"device\">")?;
    writeln!(
        out,
        "  <diagram id=\"{}\" name=\"{}\">",
        xml_attr(&pattern.id),
        xml_attr(&pattern.title)
    )?;
    writeln!(
        out,
        "    <mxGraphModel dx=\"{w}\" dy=\"{h}\" grid=\"1\" gridSize=\"10\" guides=\"1\" tooltips=\"1\" connect=\"1\" arrows=\"1\" fold=\"1\" page=\"1\" pageScale=\"1\" pageWidth=\"{w}\" pageHeight=\"{h}\" math=\"0\" shadow=\"0\">",
        w = num(width.ceil()),
        h = num(height.ceil())
    )?;
    writeln!(out, "      <root>")?;
    writeln!(out, "        <mxCell id=\"0\" />")?;
    writeln!(out, "        <mxCell id=\"1\" parent=\"0\" />")?;
    writeln!(
        out,
        "        <mxCell id=\"title\" value=\"{}\" style=\"text;strokeColor=none;fillColor=none;fontSize=16;fontStyle=1;fontColor=#232F3E;align=left;verticalAlign=middle;\" vertex=\"1\" parent=\"1\">",
        xml_attr(&pattern.title)
    )?;
    writeln!(
        out,
        "          <mxGeometry x=\"{}\" y=\"{}\" width=\"{}\" height=\"30\" as=\"geometry\" />",
        num(MARGIN),
        num(MARGIN / 2.0),
        num((width - 2.0 * MARGIN).max(100.0))
    )?;
    writeln!(out, "        </mxCell>")?;

    // The cell each group and component sits in, and that cell's top-left corner on the page:
    // draw.io places a container's children relative to it.
    let mut cell_of_group: HashMap<usize, (String, f64, f64)> = HashMap::new();
    let container = |group: Option<usize>, cells: &HashMap<usize, (String, f64, f64)>| {
        let mut g = group;
        while let Some(i) = g {
            if let Some(found) = cells.get(&i) {
                return found.clone();
            }
            g = pattern.groups[i].parent;
        }
        ("1".to_string(), 0.0, 0.0)
    };
    for (g, group) in pattern.groups.iter().enumerate() {
        let Some(r) = layout.boxes.get(&ids[&format!("g:{}", group.id)]) else {
            continue;
        };
        let kind = &catalog.groups[&group.kind];
        let look = kind.look(&group.properties);
        let (parent, px, py) = container(group.parent, &cell_of_group);
        let fill = if look.fill.eq_ignore_ascii_case("#FFFFFF") {
            "none".to_string()
        } else {
            look.fill.clone()
        };
        let dashed = match kind.line {
            Line::Solid => "dashed=0;",
            Line::Dashed => "dashed=1;",
            Line::Dotted => "dashed=1;dashPattern=1 3;",
        };
        let style = match &kind.drawio_icon {
            Some(icon) => format!(
                "shape={LIBRARY}.group;grIcon={LIBRARY}.{icon};outlineConnect=0;gradientColor=none;fontSize=12;fontStyle=0;container=1;pointerEvents=0;collapsible=0;recursiveResize=0;strokeColor={};fillColor={fill};verticalAlign=top;align=left;spacingLeft=30;fontColor={};{dashed}",
                look.stroke, look.text
            ),
            None => format!(
                "rounded=0;fontSize=12;fontStyle=0;container=1;pointerEvents=0;collapsible=0;recursiveResize=0;strokeColor={};fillColor={fill};verticalAlign=top;align=center;fontColor={};{dashed}",
                look.stroke, look.text
            ),
        };
        let id = format!("group:{}", group.id);
        let (x, y) = (r.left() + dx, r.top() + dy);
        writeln!(
            out,
            "        <mxCell id=\"{}\" value=\"{}\" style=\"{}\" vertex=\"1\" parent=\"{}\">",
            xml_attr(&id),
            xml_attr(&wrapped(std::slice::from_ref(&group.label)).join("\n")),
            xml_attr(&style),
            xml_attr(&parent)
        )?;
        write_geometry(out, x - px, y - py, r.width, r.height)?;
        writeln!(out, "        </mxCell>")?;
        cell_of_group.insert(g, (id, x, y));
    }

    for component in pattern.components() {
        let Some(kind) = catalog.kind(&component.kind) else {
            continue;
        };
        let Some(r) = layout.boxes.get(&ids[&format!("c:{}", component.id)]) else {
            continue;
        };
        let lines = wrapped(&node_lines(component));
        let icon = kind.drawio.clone().unwrap_or_else(DrawioIcon::generic);
        let colour = &catalog.category(&kind.category).stroke;
        let (parent, px, py) = container(component.group, &cell_of_group);
        // Icon and label together are centred where the layout put the node.
        let total = ICON + 4.0 + LINE * lines.len() as f64;
        let icon_box = Rect {
            x: r.x,
            y: r.y - total / 2.0 + ICON / 2.0,
            width: ICON,
            height: ICON,
        };
        writeln!(
            out,
            "        <mxCell id=\"{}\" value=\"{}\" style=\"{}\" vertex=\"1\" parent=\"{}\">",
            xml_attr(&format!("component:{}", component.id)),
            xml_attr(&lines.join("\n")),
            xml_attr(&component_style(&icon, colour)),
            xml_attr(&parent)
        )?;
        write_geometry(
            out,
            icon_box.left() + dx - px,
            icon_box.top() + dy - py,
            ICON,
            ICON,
        )?;
        writeln!(out, "        </mxCell>")?;
    }

    let routes: Vec<&image::EdgeRoute> = layout.edges.iter().collect();
    for (n, edge) in pattern.edges().enumerate() {
        let from = &ids[&format!("c:{}", edge.from.id)];
        let to = &ids[&format!("c:{}", edge.to.id)];
        let line = catalog
            .connections
            .get(&edge.connection.kind)
            .map_or(Line::Solid, |k| k.line);
        let dashed = match line {
            Line::Solid => "",
            Line::Dashed => "dashed=1;",
            Line::Dotted => "dashed=1;dashPattern=1 4;",
        };
        let style = format!(
            "edgeStyle=none;rounded=0;html=0;endArrow=block;endFill=1;strokeColor=#545B64;strokeWidth=1;fontColor=#545B64;fontSize=10;labelBackgroundColor=#FFFFFF;{dashed}"
        );
        writeln!(
            out,
            "        <mxCell id=\"connection:{n}\" value=\"{}\" style=\"{style}\" edge=\"1\" parent=\"1\" source=\"{}\" target=\"{}\">",
            xml_attr(&wrapped(&[edge_text(edge.connection)]).join("\n")),
            xml_attr(&format!("component:{}", edge.from.id)),
            xml_attr(&format!("component:{}", edge.to.id)),
        )?;
        // The layout's bends, without its end points (draw.io finds where a line meets an
        // icon); the route is the one the layout gave this edge, in source order.
        let bends: Vec<(f64, f64)> = match routes.get(n) {
            Some(route) if &route.from == from && &route.to == to && route.points.len() > 2 => {
                route.points[1..route.points.len() - 1].to_vec()
            }
            _ => Vec::new(),
        };
        if bends.is_empty() {
            writeln!(
                out,
                "          <mxGeometry relative=\"1\" as=\"geometry\" />"
            )?;
        } else {
            writeln!(out, "          <mxGeometry relative=\"1\" as=\"geometry\">")?;
            writeln!(out, "            <Array as=\"points\">")?;
            for (x, y) in bends {
                writeln!(
                    out,
                    "              <mxPoint x=\"{}\" y=\"{}\" />",
                    num(x + dx),
                    num(y + dy)
                )?;
            }
            writeln!(out, "            </Array>")?;
            writeln!(out, "          </mxGeometry>")?;
        }
        writeln!(out, "        </mxCell>")?;
    }
    writeln!(out, "      </root>")?;
    writeln!(out, "    </mxGraphModel>")?;
    writeln!(out, "  </diagram>")?;
    writeln!(out, "</mxfile>")
}

fn write_geometry(out: &mut impl Write, x: f64, y: f64, w: f64, h: f64) -> std::fmt::Result {
    writeln!(
        out,
        "          <mxGeometry x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" as=\"geometry\" />",
        num(x),
        num(y),
        num(w),
        num(h)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::library::Library;

    fn builtin(id: &str) -> Pattern {
        Library::default().load(id).unwrap().resolve(&[]).unwrap()
    }

    #[test]
    fn numbers_have_one_decimal_at_most() {
        assert_eq!(num(1.0), "1");
        assert_eq!(num(1.26), "1.3");
        assert_eq!(num(-0.01), "0");
        assert_eq!(num(-12.34), "-12.3");
    }

    #[test]
    fn every_component_group_and_connection_is_a_cell() {
        let pattern = builtin("three-tier-web");
        let xml = render(&pattern).unwrap();
        let doc = roxmltree::Document::parse(&xml).unwrap();
        let cells: Vec<_> = doc
            .descendants()
            .filter(|n| n.has_tag_name("mxCell"))
            .collect();
        let with_prefix = |p: &str| {
            cells
                .iter()
                .filter(|c| c.attribute("id").is_some_and(|id| id.starts_with(p)))
                .count()
        };
        // The pattern as drawn: two zones, a subnet per tier in each, a copy per zone.
        let drawn = crate::render::zones::expand(&pattern);
        assert!(drawn.components().count() > pattern.components().count());
        assert_eq!(with_prefix("component:"), drawn.components().count());
        assert_eq!(with_prefix("connection:"), drawn.edges().count());
        assert_eq!(with_prefix("group:"), drawn.groups.len());
        assert_eq!(with_prefix("group:vpc@az"), 2);
        // Every parent is a cell of the file; every component is a draw.io AWS shape.
        let ids: Vec<&str> = cells.iter().filter_map(|c| c.attribute("id")).collect();
        for cell in &cells {
            if let Some(parent) = cell.attribute("parent") {
                assert!(ids.contains(&parent), "{parent}");
            }
            if cell.attribute("id").unwrap().starts_with("component:") {
                assert!(
                    cell.attribute("style")
                        .unwrap()
                        .contains("shape=mxgraph.aws4."),
                    "{cell:?}"
                );
            }
        }
        // Subnets are coloured by tier.
        assert!(xml.contains("strokeColor=#7AA116"), "a public subnet");
        assert!(
            xml.contains("strokeColor=#00A4A6;fillColor=#E6F6F7"),
            "a private subnet"
        );
    }

    #[test]
    fn children_sit_inside_their_container() {
        let pattern = builtin("serverless-web");
        let xml = render(&pattern).unwrap();
        let doc = roxmltree::Document::parse(&xml).unwrap();
        for cell in doc.descendants().filter(|n| n.has_tag_name("mxCell")) {
            if cell
                .attribute("parent")
                .is_some_and(|p| p.starts_with("group:"))
            {
                let geometry = cell.first_element_child().unwrap();
                let x: f64 = geometry.attribute("x").unwrap().parse().unwrap();
                let y: f64 = geometry.attribute("y").unwrap().parse().unwrap();
                assert!(x >= 0.0 && y >= 0.0, "{cell:?} starts outside its group");
            }
        }
    }

    #[test]
    fn labels_are_escaped_text() {
        let mut pattern = builtin("serverless-web");
        let hostile = "a \"b\" #1 <script>x</script> & 東京 🚀";
        pattern.title = hostile.to_string();
        let component = pattern.graph.node_weights_mut().next().unwrap();
        component.label = hostile.to_string();
        let xml = render(&pattern).unwrap();
        let doc = roxmltree::Document::parse(&xml).unwrap();
        let values: Vec<&str> = doc
            .descendants()
            .filter_map(|n| n.attribute("value"))
            .collect();
        let joined = values.join("\n").replace('\n', " ");
        assert!(
            joined.contains("a \"b\" #1 <script>x</script> & 東京 🚀"),
            "{values:?}"
        );
        assert!(!xml.contains("<script>"));
    }

    #[test]
    fn output_is_deterministic() {
        let pattern = builtin("microservices-eks");
        assert_eq!(render(&pattern).unwrap(), render(&pattern).unwrap());
    }
}
