//! Mermaid flowcharts: groups become nested subgraphs, categories become `classDef`s.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::fmt::Write;

use crate::catalog::{Catalog, Line, Shape};
use crate::model::Pattern;

use super::{edge_text, node_lines, zones};

/// What part of a pattern to draw, for walkthrough steps: the visible components (all when
/// `None`) and the ones to highlight as new.
#[derive(Debug, Clone, Default)]
pub struct View {
    pub visible: Option<HashSet<String>>,
    pub highlight: HashSet<String>,
    /// Text for archpat's own image renderer rather than for Mermaid itself.
    pub for_image: bool,
    /// Every component a box with room for its glyph above the label (see
    /// [`super::image::decorate`]); only with `for_image`.
    pub glyphs: bool,
}

impl View {
    /// Whether a node is drawn; a zone's copy of a component is when the component is.
    fn shows(&self, id: &str) -> bool {
        self.visible
            .as_ref()
            .is_none_or(|v| v.contains(zones::origin(id)))
    }

    fn highlights(&self, id: &str) -> bool {
        self.highlight.contains(zones::origin(id))
    }
}

/// Text inside a double-quoted Mermaid label. Mermaid has no backslash escapes; it takes entity
/// codes written as `#name;`, but with text (not HTML) labels mermaid-cli decodes only `#lt;`,
/// `#gt;` and `#amp;` and shows any other (`#quot;`, `#35;`) as the code itself. So `#` stays
/// literal, with a zero-width space after it when `#word;` would read as a code, and a straight
/// quote, which no Mermaid string can hold, becomes the closing typographic quote.
pub fn escape(text: &str) -> String {
    escape_with(text, false)
}

/// What the built-in image renderer reads for a straight quote: a private-use character that
/// [`super::image`] turns back into `"` in SVG (and into a typographic quote in PNG).
pub const IMAGE_QUOTE: char = '\u{E022}';

/// The built-in image renderer decodes the same three codes as mermaid-cli; a quote is
/// [`IMAGE_QUOTE`], and `$$` and a leading backtick are defused.
fn escape_with(text: &str, for_image: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, c) in text.char_indices() {
        match c {
            '#' => {
                out.push('#');
                let rest = &text[i + 1..];
                let word = rest
                    .find(|c: char| !c.is_ascii_alphanumeric())
                    .unwrap_or(rest.len());
                if word > 0 && rest[word..].starts_with(';') {
                    // A zero-width space keeps `#word;` from reading as an entity code.
                    out.push('\u{200B}');
                }
            }
            '"' if for_image => out.push(IMAGE_QUOTE),
            IMAGE_QUOTE => out.push('\u{FFFD}'),
            // `"` followed by a backtick opens a Markdown string: Mermaid would format the label
            // (and merman refuses one that is only a backtick).
            '`' if for_image => {
                if i == 0 {
                    out.push('\u{200B}');
                }
                out.push('`');
            }
            '`' => out.push_str("#96;"),
            // `$$` opens a KaTeX formula (which merman cannot render at all).
            '$' if for_image => {
                out.push('$');
                if text[i + 1..].starts_with('$') {
                    out.push('\u{200B}');
                }
            }
            '$' => out.push_str("#36;"),
            // `%%` starts a comment (and `%%{` a directive) even inside a quoted label for
            // merman: a zero-width space keeps the two apart.
            '%' => {
                out.push('%');
                if text[i + 1..].starts_with('%') {
                    out.push('\u{200B}');
                }
            }
            '"' => out.push('\u{201D}'),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A YAML double-quoted scalar for the front matter title.
fn yaml_quote(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn shape_brackets(shape: Shape) -> (&'static str, &'static str) {
    match shape {
        Shape::Rect => ("[", "]"),
        Shape::Rounded => ("(", ")"),
        Shape::Cylinder => ("[(", ")]"),
        Shape::Stadium | Shape::Person => ("([", "])"),
        Shape::Circle => ("((", "))"),
        Shape::Hexagon => ("{{", "}}"),
        Shape::Parallelogram => ("[/", "/]"),
    }
}

/// Node ids safe in Mermaid: `-` becomes `_`, and a prefix keeps ids clear of keywords such as
/// `end`. Ids that collide after that get a number.
pub(crate) fn node_ids(pattern: &Pattern) -> HashMap<String, String> {
    let mut taken = HashSet::new();
    let mut ids = HashMap::new();
    let names = pattern
        .components()
        .map(|c| (c.id.clone(), "c"))
        .chain(pattern.groups.iter().map(|g| (g.id.clone(), "g")));
    for (id, prefix) in names {
        let base = format!("{prefix}_{}", id.replace('-', "_").replace('@', "__"));
        let mut candidate = base.clone();
        let mut n = 2;
        while !taken.insert(candidate.clone()) {
            candidate = format!("{base}_{n}");
            n += 1;
        }
        ids.insert(format!("{prefix}:{id}"), candidate);
    }
    ids
}

/// The whole pattern, for Markdown and the Mermaid renderer.
pub fn render(pattern: &Pattern) -> String {
    render_view(pattern, &View::default())
}

/// The same diagram, for archpat's built-in SVG/PNG renderer.
pub fn render_for_image(pattern: &Pattern) -> String {
    render_view(
        pattern,
        &View {
            for_image: true,
            ..View::default()
        },
    )
}

/// The diagram for the built-in renderer with the AWS look: every component reserves room for
/// its glyph, which [`super::image`] draws in.
pub fn render_for_glyphs(pattern: &Pattern) -> String {
    render_view(
        pattern,
        &View {
            for_image: true,
            glyphs: true,
            ..View::default()
        },
    )
}

pub fn render_view(pattern: &Pattern, view: &View) -> String {
    let mut out = String::new();
    write_mermaid(&mut out, &zones::expand(pattern), view)
        .expect("writing to a String cannot fail");
    out
}

fn write_mermaid(out: &mut impl Write, pattern: &Pattern, view: &View) -> std::fmt::Result {
    let catalog = Catalog::builtin();
    let ids = node_ids(pattern);
    // HTML labels are drawn with foreignObject, which SVG-to-PNG converters and many viewers
    // leave blank; plain SVG text works everywhere.
    writeln!(out, "---")?;
    // merman reads the title as HTML: it would drop `<script>…</script>` and decode entities.
    let title = if view.for_image {
        crate::markup::html(&pattern.title)
            .replace("&quot;", "\"")
            .replace("&#39;", "'")
    } else {
        pattern.title.clone()
    };
    writeln!(out, "title: {}", yaml_quote(&title))?;
    writeln!(out, "config:")?;
    // The classic look: the newer one's drop shadows slow PNG export and vanish in librsvg.
    writeln!(out, "  look: classic")?;
    // Mermaid draws an edge label on a half-transparent box, so the line behind it shows through
    // and strikes the label out; an opaque white box leaves a gap in the line instead.
    writeln!(
        out,
        "  themeCSS: {}",
        yaml_quote(super::image::EDGE_LABEL_CSS)
    )?;
    writeln!(out, "  htmlLabels: false")?;
    writeln!(out, "  flowchart:")?;
    writeln!(out, "    htmlLabels: false")?;
    writeln!(out, "---")?;
    writeln!(out, "flowchart LR")?;
    let mut used: BTreeSet<&str> = BTreeSet::new();
    for c in pattern.components().filter(|c| view.shows(&c.id)) {
        if let Some(kind) = catalog.kind(&c.kind) {
            used.insert(kind.category.as_str());
        }
    }
    // With glyphs the category colours are on the glyph: a class would paint every shape of the
    // node, the glyph's too (its rules are `!important`, which the rasterizer lets win over the
    // glyph's inline style).
    if view.glyphs {
        used.clear();
    }
    for (name, cat) in &catalog.categories {
        if used.contains(name.as_str()) {
            writeln!(
                out,
                "  classDef {name} fill:{},stroke:{},color:{},stroke-width:1.5px",
                cat.fill, cat.stroke, cat.text
            )?;
        }
    }
    if !view.highlight.is_empty() {
        writeln!(
            out,
            "  classDef new fill:#FFF8C5,stroke:#D4A72C,color:#16191F,stroke-width:3px"
        )?;
    }
    let large = view.for_image && pattern.components().count() >= LARGE_DIAGRAM;
    write_members(out, pattern, view, &ids, None, 1, large)?;

    let mut dotted = Vec::new();
    let mut index = 0;
    if large {
        index = write_layout_anchor(out, pattern, view, &ids)?;
    }
    for edge in pattern.edges() {
        if !view.shows(&edge.from.id) || !view.shows(&edge.to.id) {
            continue;
        }
        let line = catalog
            .connections
            .get(&edge.connection.kind)
            .map_or(Line::Solid, |k| k.line);
        let arrow = match line {
            Line::Solid => "-->",
            Line::Dashed | Line::Dotted => "-.->",
        };
        if line == Line::Dotted {
            dotted.push(index.to_string());
        }
        // A zone's copy of a connection carries no label: it is written on the first.
        let text = edge_text(edge.connection);
        let label = if text.is_empty() {
            String::new()
        } else {
            format!("|\"{}\"|", escape_with(&text, view.for_image))
        };
        writeln!(
            out,
            "  {} {arrow}{label} {}",
            ids[&format!("c:{}", edge.from.id)],
            ids[&format!("c:{}", edge.to.id)]
        )?;
        index += 1;
    }
    if !dotted.is_empty() {
        writeln!(out, "  linkStyle {} stroke-dasharray:2 4", dotted.join(","))?;
    }

    let mut by_class: Vec<(&str, Vec<&str>)> = Vec::new();
    for c in pattern
        .components()
        .filter(|c| view.shows(&c.id) && !view.glyphs)
    {
        let class = if view.highlights(&c.id) {
            "new"
        } else {
            match catalog.kind(&c.kind) {
                Some(k) => k.category.as_str(),
                None => continue,
            }
        };
        let id = ids[&format!("c:{}", c.id)].as_str();
        match by_class.iter_mut().find(|(k, _)| *k == class) {
            Some((_, list)) => list.push(id),
            None => by_class.push((class, vec![id])),
        }
    }
    for (class, list) in by_class {
        writeln!(out, "  class {} {class}", list.join(","))?;
    }
    for (g, grp) in pattern.groups.iter().enumerate() {
        if !group_visible(pattern, view, g) {
            continue;
        }
        let kind = &catalog.groups[&grp.kind];
        let look = kind.look(&grp.properties);
        let dash = match kind.line {
            Line::Solid => "",
            Line::Dashed => ",stroke-dasharray:6 4",
            Line::Dotted => ",stroke-dasharray:2 3",
        };
        writeln!(
            out,
            "  style {} fill:{},stroke:{},color:{}{dash}",
            ids[&format!("g:{}", grp.id)],
            look.fill,
            look.stroke,
            look.text
        )?;
    }
    Ok(())
}

/// Components from which a diagram is large: merman's layout takes it apart differently (see
/// [`write_layout_anchor`]). Below it the anchor would only move boxes around for nothing.
pub const LARGE_DIAGRAM: usize = 150;

/// The Mermaid id of the layout anchor; [`super::image::layout_from_mermaid`] leaves it out.
pub const ANCHOR_ID: &str = "x_layout_anchor";

/// An invisible node outside every group with an invisible link into each innermost group.
///
/// Like Mermaid, merman lays out a subgraph that no edge crosses as a separate graph, and takes
/// it out of the whole graph node by node, scanning every edge and every descendant for each
/// node: cubic in the subgraph's size. The region that holds a whole pattern is such a
/// subgraph, so 1,000 components took about 10 s, nearly all of it here. A link crossing every
/// group's border keeps the groups in the one compound layout, which grows close to linearly.
/// Returns the number of links written, so that `linkStyle` indices can skip them.
fn write_layout_anchor(
    out: &mut impl Write,
    pattern: &Pattern,
    view: &View,
    ids: &HashMap<String, String>,
) -> Result<usize, std::fmt::Error> {
    writeln!(out, "  {ANCHOR_ID}[\" \"]")?;
    writeln!(out, "  style {ANCHOR_ID} fill:none,stroke:none")?;
    let mut links = 0;
    for g in 0..pattern.groups.len() {
        let innermost = group_visible(pattern, view, g)
            && !pattern
                .child_groups(Some(g))
                .any(|child| group_visible(pattern, view, child));
        if !innermost {
            continue;
        }
        if let Some(first) = pattern.members(Some(g)).find(|c| view.shows(&c.id)) {
            writeln!(out, "  {ANCHOR_ID} ~~~ {}", ids[&format!("c:{}", first.id)])?;
            links += 1;
        }
    }
    Ok(links)
}

/// A group is drawn when something visible sits in it, at any depth; empty boxes are noise.
/// A zone's subnet is drawn when its tier holds something visible in any zone, so that every
/// zone shows every tier.
fn group_visible(pattern: &Pattern, view: &View, group: usize) -> bool {
    match pattern.groups[group].properties.get(zones::ZONE_OF) {
        Some(tier) => (0..pattern.groups.len())
            .filter(|&g| pattern.groups[g].properties.get(zones::ZONE_OF) == Some(tier))
            .any(|g| holds_visible(pattern, view, g)),
        None => holds_visible(pattern, view, group),
    }
}

fn holds_visible(pattern: &Pattern, view: &View, group: usize) -> bool {
    pattern.members(Some(group)).any(|c| view.shows(&c.id))
        || pattern
            .child_groups(Some(group))
            .any(|g| group_visible(pattern, view, g))
}

fn write_members(
    out: &mut impl Write,
    pattern: &Pattern,
    view: &View,
    ids: &HashMap<String, String>,
    group: Option<usize>,
    depth: usize,
    large: bool,
) -> std::fmt::Result {
    let catalog = Catalog::builtin();
    let pad = "  ".repeat(depth);
    for c in pattern.members(group).filter(|c| view.shows(&c.id)) {
        let Some(kind) = catalog.kind(&c.kind) else {
            continue;
        };
        let shape = match kind.shape {
            // The glyph stands for the service; the box only reserves its room.
            _ if view.glyphs => Shape::Rect,
            // merman draws a stadium as a traced curve of about 45 KB, where a rounded box is
            // 0.8 KB: in a large diagram stadiums were nine tenths of the SVG and of its time.
            Shape::Stadium | Shape::Person if large => Shape::Rounded,
            shape => shape,
        };
        let (open, close) = shape_brackets(shape);
        let mut label: Vec<String> = Vec::new();
        if view.glyphs {
            label.resize(
                super::image::decorate::PLACEHOLDER_ROWS,
                super::image::decorate::PLACEHOLDER.to_string(),
            );
        }
        label.extend(node_lines(c).iter().map(|l| escape_with(l, view.for_image)));
        // merman reads a label with markup (`<br/>`) as HTML and sanitizes it, a third of the
        // time of a large diagram; a newline in a quoted label is a line break too, as plain
        // text. Only archpat's renderer reads glyph sources; Mermaid itself gets `<br/>`.
        let line_break = if view.glyphs { "\n" } else { "<br/>" };
        writeln!(
            out,
            "{pad}{}{open}\"{}\"{close}",
            ids[&format!("c:{}", c.id)],
            label.join(line_break)
        )?;
    }
    for g in pattern.child_groups(group) {
        if !group_visible(pattern, view, g) {
            continue;
        }
        let grp = &pattern.groups[g];
        writeln!(
            out,
            "{pad}subgraph {}[\"{}\"]",
            ids[&format!("g:{}", grp.id)],
            escape_with(&grp.label, view.for_image)
        )?;
        write_members(out, pattern, view, ids, Some(g), depth + 1, large)?;
        writeln!(out, "{pad}end")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_uses_entity_codes() {
        assert_eq!(escape("a \"b\" <c> #1"), "a \u{201D}b\u{201D} #lt;c#gt; #1");
        assert_eq!(
            escape_with("a \"b\" <c> #1", true),
            "a \u{E022}b\u{E022} #lt;c#gt; #1"
        );
        assert_eq!(escape("#x; #1"), "#\u{200B}x; #1");
        assert_eq!(escape_with("#x; #1", true), "#\u{200B}x; #1");
        assert_eq!(escape_with("\u{E022}", true), "\u{FFFD}");
        // A leading backtick would open a Markdown string.
        assert_eq!(escape("`x` y"), "#96;x#96; y");
        assert_eq!(escape_with("`x` y", true), "\u{200B}`x` y");
        // `$$` would open a formula.
        assert_eq!(escape("$$x$$"), "#36;#36;x#36;#36;");
        assert_eq!(escape_with("$$x$", true), "$\u{200B}$x$");
    }

    #[test]
    fn yaml_title_is_quoted() {
        assert_eq!(yaml_quote("a \"b\"\nc"), "\"a \\\"b\\\" c\"");
    }
}
