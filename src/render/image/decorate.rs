//! The AWS look on merman's SVG: each component's box becomes its glyph (or the user's icon) with
//! the label below it, and each group gets the corner icon of its AWS group style with its title
//! at the top left.
//!
//! merman lays out and draws the flowchart; this pass runs inside its SVG pipeline, so SVG and
//! PNG (rasterized from the same SVG) are decorated alike. The Mermaid source reserves the room:
//! a component's label starts with [`PLACEHOLDER_ROWS`] rows of [`PLACEHOLDER`], which merman
//! measures like text; this pass removes them and draws the glyph in their place. It edits
//! merman's markup by position (the node's box, the first rows of its label, a cluster's title
//! offset) and never touches label text, so escaping stays merman's.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt::Write;

use merman::svg::{RenderResult, SvgPostprocessContext, SvgPostprocessor};

use crate::render::glyph;
use crate::render::looks::Looks;

/// Rows of placeholder text that reserve a glyph's height above a label.
pub const PLACEHOLDER_ROWS: usize = 3;
/// The placeholder's text: three wide letters also reserve the glyph's width.
pub const PLACEHOLDER: &str = "MMM";
/// A label row's height at merman's 16px font (1.1em).
const ROW: f64 = 17.6;
/// A glyph's side, in the room the placeholder rows reserve.
const GLYPH: f64 = 46.0;
/// A group's corner icon.
const CORNER: f64 = 22.0;

/// What to draw on each Mermaid node and subgraph, by Mermaid id.
#[derive(Debug, Clone, Default)]
pub struct Decoration {
    /// Component node → (glyph, icon index into `looks.icons`).
    nodes: HashMap<String, crate::render::looks::KindLook>,
    groups: HashMap<String, crate::render::looks::GroupLook>,
    looks: Looks,
    /// The pattern's title, written again as text: merman passes it through its HTML sanitiser,
    /// which escapes `&` and `<…>` once or twice depending on the rest of the title.
    title: String,
}

impl Decoration {
    /// `pattern` is the zone-expanded pattern the Mermaid source was written from, `looks` its
    /// looks.
    pub fn new(pattern: &crate::model::Pattern, looks: Looks) -> Decoration {
        let ids = crate::render::mermaid::node_ids(pattern);
        let nodes = pattern
            .components()
            .map(|c| (ids[&format!("c:{}", c.id)].clone(), looks.kind(&c.kind)))
            .collect();
        let groups = pattern
            .groups
            .iter()
            .filter_map(|g| Some((ids[&format!("g:{}", g.id)].clone(), looks.group(g)?.clone())))
            .collect();
        Decoration {
            nodes,
            groups,
            looks,
            title: pattern.title.clone(),
        }
    }

    /// The SVG with glyphs and group icons drawn in.
    pub fn apply(&self, svg: &str) -> String {
        let mut out = String::with_capacity(svg.len() + svg.len() / 8);
        let mut rest = svg;
        let mut defs_written = false;
        while let Some(at) = rest.find("<g class=\"") {
            let (before, tail) = rest.split_at(at);
            out.push_str(before);
            if !defs_written {
                defs_written = true;
                out.push_str(&self.defs());
            }
            let consumed = if tail.starts_with("<g class=\"node ") {
                self.node(tail, &mut out)
            } else if tail.starts_with("<g class=\"cluster\"") {
                self.cluster(tail, &mut out)
            } else {
                None
            };
            match consumed {
                Some(n) => rest = &tail[n..],
                None => {
                    out.push_str("<g class=\"");
                    rest = &tail["<g class=\"".len()..];
                }
            }
        }
        out.push_str(rest);
        const TITLE: &str = "class=\"flowchartTitleText\">";
        if let Some(at) = out.find(TITLE) {
            let start = at + TITLE.len();
            if let Some(len) = out[start..].find("</text>") {
                out.replace_range(start..start + len, &crate::markup::html(&self.title));
            }
        }
        out
    }

    /// Each user icon once, as a symbol that glyph positions `<use>`.
    fn defs(&self) -> String {
        let symbols: String = self
            .looks
            .icons
            .iter()
            .enumerate()
            .filter_map(|(n, icon)| icon.svg_symbol(&symbol_id(n)))
            .collect();
        if symbols.is_empty() {
            String::new()
        } else {
            format!("<defs>{symbols}</defs>")
        }
    }

    /// Rewrites one component node starting at `tail`; returns the bytes consumed, or `None`
    /// to leave it as merman drew it.
    fn node(&self, tail: &str, out: &mut String) -> Option<usize> {
        let open_end = tail.find('>')? + 1;
        let open = &tail[..open_end];
        let id = attr(open, "id")?;
        let mermaid_id = id
            .split_once("flowchart-")?
            .1
            .rsplit_once('-')
            .map(|(id, _)| id)?;
        let look = self.nodes.get(mermaid_id)?;
        // The box: `<rect class="basic label-container" … x y width height/>`.
        let body = &tail[open_end..];
        if !body.starts_with("<rect class=\"basic label-container\"") {
            return None;
        }
        let rect_end = body.find("/>")? + 2;
        let rect = &body[..rect_end];
        let (w, h) = (num(attr(rect, "width")?)?, num(attr(rect, "height")?)?);
        // The label and the rows that hold the placeholder.
        let after = &body[rect_end..];
        let label_open_end = after.find('>')? + 1;
        let label_open = &after[..label_open_end];
        if !label_open.starts_with("<g class=\"label\"") {
            return None;
        }
        let label_top = translate(attr(label_open, "transform")?)?.1;
        let mut text = &after[label_open_end..];
        let prefix_end = text.find("<tspan class=\"row ")?;
        let kept = &text[..prefix_end];
        text = &text[prefix_end..];
        for _ in 0..PLACEHOLDER_ROWS {
            let row_end = text.find("</tspan></tspan>")? + "</tspan></tspan>".len();
            let row = &text[..row_end];
            if !row.contains(&format!(">{PLACEHOLDER}</tspan>")) {
                return None;
            }
            text = &text[row_end..];
        }
        out.push_str(open);
        let top = label_top + (PLACEHOLDER_ROWS as f64 * ROW - GLYPH) / 2.0;
        let _ = write!(
            out,
            r#"<rect class="basic label-container" x="{}" y="{}" width="{w}" height="{h}" style="fill:none !important;stroke:none !important"/>"#,
            -w / 2.0,
            -h / 2.0
        );
        out.push_str("<g class=\"archpat-glyph\">");
        match self.looks.icon_of(look.icon) {
            Some(icon) => {
                let n = look.icon.unwrap_or_default();
                out.push_str(&icon.svg_use(&symbol_id(n), -GLYPH / 2.0, top, GLYPH));
            }
            None => glyph::write_svg(out, &look.glyph, -GLYPH / 2.0, top, GLYPH),
        }
        out.push_str("</g>");
        out.push_str(label_open);
        out.push_str(kept);
        let consumed = tail.len() - text.len();
        Some(consumed)
    }

    /// Adds a group's corner icon and moves its title to the top left, beside the icon.
    fn cluster(&self, tail: &str, out: &mut String) -> Option<usize> {
        let open_end = tail.find('>')? + 1;
        let open = &tail[..open_end];
        let mermaid_id = attr(open, "id")?.split_once('-')?.1;
        let look = self.groups.get(mermaid_id)?;
        let body = &tail[open_end..];
        if !body.starts_with("<rect ") {
            return None;
        }
        let rect_end = body.find("/>")? + 2;
        let rect = &body[..rect_end];
        let x = num(attr(rect, "x")?)?;
        let y = num(attr(rect, "y")?)?;
        let width = num(attr(rect, "width")?)?;
        let after = &body[rect_end..];
        let label_open_end = after.find('>')? + 1;
        let label_open = &after[..label_open_end];
        if !label_open.starts_with("<g class=\"cluster-label\"") {
            return None;
        }
        let (label_x, label_y) = translate(attr(label_open, "transform")?)?;
        // merman centres the title: its width is twice its distance from the centre.
        let title_width = 2.0 * (x + width / 2.0 - label_x);
        out.push_str(open);
        out.push_str(rect);
        out.push_str("<g class=\"archpat-group-icon\">");
        match self.looks.icon_of(look.icon) {
            Some(icon) => {
                let n = look.icon.unwrap_or_default();
                out.push_str(&icon.svg_use(&symbol_id(n), x, y, CORNER));
            }
            None => glyph::write_corner_svg(out, &look.mark, &look.color, x, y, CORNER),
        }
        out.push_str("</g>");
        let left = x + CORNER + 6.0;
        let new_x = if left + title_width <= x + width - 4.0 {
            left
        } else {
            label_x
        };
        let _ = write!(
            out,
            r#"<g class="cluster-label" transform="translate({new_x},{label_y})">"#
        );
        Some(open_end + rect_end + label_open_end)
    }
}

impl SvgPostprocessor for Decoration {
    fn name(&self) -> &'static str {
        "archpat-aws-look"
    }

    fn process<'a>(
        &self,
        svg: Cow<'a, str>,
        _ctx: &SvgPostprocessContext<'_>,
    ) -> RenderResult<Cow<'a, str>> {
        Ok(Cow::Owned(self.apply(&svg)))
    }
}

fn symbol_id(n: usize) -> String {
    format!("archpat-icon-{n}")
}

/// The value of a double-quoted attribute in one start tag.
fn attr<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let key = format!(" {name}=\"");
    let start = tag.find(&key)? + key.len();
    let len = tag[start..].find('"')?;
    Some(&tag[start..start + len])
}

fn num(text: &str) -> Option<f64> {
    text.parse().ok().filter(|n: &f64| n.is_finite())
}

/// `translate(x,y)` (or `translate(x, y)`).
fn translate(transform: &str) -> Option<(f64, f64)> {
    let inner = transform.strip_prefix("translate(")?.strip_suffix(')')?;
    let (x, y) = inner.split_once(',')?;
    Some((num(x.trim())?, num(y.trim())?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attributes_and_translations() {
        let tag = r#"<g class="label" id="a-b" transform="translate(0,-47.5)">"#;
        assert_eq!(attr(tag, "id"), Some("a-b"));
        assert_eq!(attr(tag, "x"), None);
        assert_eq!(
            translate(attr(tag, "transform").unwrap()),
            Some((0.0, -47.5))
        );
        assert_eq!(translate("translate(1, 2)"), Some((1.0, 2.0)));
        assert_eq!(translate("scale(2)"), None);
    }

    #[test]
    fn markup_it_does_not_know_is_left_alone() {
        let decoration = Decoration::default();
        let svg = r#"<svg><g class="node default" id="merman-flowchart-c_x-0"><rect/></g><g class="cluster" id="merman-g_y"><rect/></g></svg>"#;
        assert_eq!(decoration.apply(svg), svg);
    }
}
