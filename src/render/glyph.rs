//! archpat's own service glyphs: what the built-in SVG/PNG and DOT draw for a kind or a group.
//!
//! The look is data (`catalog/glyphs.yaml`): a rounded square in the category's AWS colour with a
//! short abbreviation or a simple symbol, and the corner icons of the AWS group styles. They are
//! drawn here from that data, so no third-party artwork is shipped; `--icons` swaps in the user's
//! own copy of AWS's icons (see [`super::icons`]).

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::LazyLock;

use indexmap::IndexMap;
use serde::Deserialize;

use serde_json::Value;

use crate::catalog::Catalog;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct GlyphFile {
    symbols: BTreeMap<String, String>,
    kinds: IndexMap<String, Entry>,
    groups: IndexMap<String, GroupEntry>,
}

/// One kind's or group's glyph, as written in the data.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// A short abbreviation drawn in the square (`EC2`, `λ`).
    #[serde(default)]
    pub text: Option<String>,
    /// A symbol of the file's `symbols`, drawn instead of text.
    #[serde(default)]
    pub symbol: Option<String>,
    /// File-name stems of AWS's Architecture Icons, for `--icons`.
    #[serde(default)]
    pub icons: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct GroupEntry {
    #[serde(flatten)]
    entry: Entry,
    #[serde(default)]
    by: Option<ByProperty>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ByProperty {
    property: String,
    values: IndexMap<String, Entry>,
}

static GLYPHS: LazyLock<GlyphFile> = LazyLock::new(|| {
    serde_saphyr::from_str(include_str!("../../catalog/glyphs.yaml"))
        .unwrap_or_else(|e| panic!("catalog/glyphs.yaml is invalid: {e}"))
});

/// How one component is drawn: the square's colour and what is on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Glyph {
    /// The category's AWS colour.
    pub color: String,
    /// Filled square with a white mark (`true`), or an outlined one with a mark in the colour.
    pub tile: bool,
    pub mark: Mark,
    /// The abbreviation, for renderers that draw only text (DOT): the data's `text`, else the
    /// name's initials.
    pub text: String,
    /// File-name stems of the official icon, for `--icons`.
    pub icons: Vec<String>,
}

/// A group's corner icon: the mark, the text for text-only renderers, the official icon.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Corner {
    pub mark: Mark,
    pub text: Option<String>,
    pub icons: Vec<String>,
}

/// What sits on a glyph's square.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mark {
    Text(String),
    /// SVG path data on a 16 x 16 grid.
    Symbol(String),
}

/// The glyph of a component kind; kinds the data does not list get their name's initials.
pub fn for_kind(kind: &str) -> Glyph {
    let catalog = Catalog::builtin();
    let known = catalog.kind(kind);
    let color = known
        .and_then(|k| catalog.categories.get(&k.category))
        .map_or("#545B64", |c| c.stroke.as_str())
        .to_string();
    let tile = known.and_then(|k| k.drawio.as_ref()).is_none_or(|d| d.tile);
    let entry = GLYPHS.kinds.get(kind).cloned().unwrap_or_default();
    let text = entry
        .text
        .clone()
        .unwrap_or_else(|| initials(known.map_or(kind, |k| k.name.as_str())));
    let mark = mark_of(&entry).unwrap_or_else(|| Mark::Text(text.clone()));
    Glyph {
        color,
        tile,
        mark,
        text,
        icons: entry.icons,
    }
}

/// The corner icon of a group, if its kind has one: what is on it and the official icon's stems.
pub fn for_group(kind: &str, properties: &IndexMap<String, Value>) -> Option<Corner> {
    let group = GLYPHS.groups.get(kind)?;
    let chosen = group
        .by
        .as_ref()
        .and_then(|by| {
            // A group that does not set the property has the kind's default.
            let default = Catalog::builtin()
                .groups
                .get(kind)
                .and_then(|g| g.properties.get(&by.property))
                .and_then(|spec| spec.default.as_ref());
            let value = properties.get(&by.property).or(default)?;
            by.values.get(value.as_str()?)
        })
        .unwrap_or(&group.entry);
    Some(Corner {
        mark: mark_of(chosen)?,
        text: chosen.text.clone(),
        icons: chosen.icons.clone(),
    })
}

fn mark_of(entry: &Entry) -> Option<Mark> {
    if let Some(symbol) = &entry.symbol {
        let path = GLYPHS
            .symbols
            .get(symbol)
            .unwrap_or_else(|| panic!("catalog/glyphs.yaml: unknown symbol `{symbol}`"));
        return Some(Mark::Symbol(path.clone()));
    }
    entry.text.clone().map(Mark::Text)
}

/// Up to three initials of a name's words, upper-case: `Message broker` → `MB`.
fn initials(name: &str) -> String {
    let letters: String = name
        .split(|c: char| !c.is_alphanumeric())
        .filter_map(|w| w.chars().next())
        .flat_map(char::to_uppercase)
        .take(3)
        .collect();
    if letters.is_empty() {
        "?".into()
    } else {
        letters
    }
}

/// Text that is safe in XML character data and attribute values: the same five entities as HTML.
pub use crate::markup::html as xml_escape;

/// Font size for an abbreviation on a square of `size` pixels: smaller for longer text.
fn text_size(text: &str, size: f64) -> f64 {
    let ratio = match text.chars().count() {
        0..=1 => 0.55,
        2 => 0.40,
        3 => 0.32,
        _ => 0.26,
    };
    (size * ratio).round()
}

/// Writes a glyph as SVG: a `size`-pixel rounded square with its top-left corner at `(x, y)`.
///
/// Colours are inline `!important` styles: Mermaid's stylesheet colours every shape in a node
/// or cluster (`classDef` rules are `!important` too), and only an inline one wins over it.
pub fn write_svg(out: &mut String, glyph: &Glyph, x: f64, y: f64, size: f64) {
    let (fill, ink, stroke) = if glyph.tile {
        (glyph.color.as_str(), "#FFFFFF", "none")
    } else {
        ("#FFFFFF", glyph.color.as_str(), glyph.color.as_str())
    };
    let _ = write!(
        out,
        r#"<rect x="{x}" y="{y}" width="{size}" height="{size}" rx="{r}" style="fill:{fill} !important;stroke:{stroke} !important;stroke-width:2px !important"/>"#,
        r = (size / 8.0).round(),
        fill = xml_escape(fill),
        stroke = xml_escape(stroke),
    );
    write_mark(out, &glyph.mark, ink, x, y, size);
}

/// Writes a group's corner icon: a filled square in the group's colour with a white mark.
pub fn write_corner_svg(out: &mut String, mark: &Mark, color: &str, x: f64, y: f64, size: f64) {
    let _ = write!(
        out,
        r#"<rect x="{x}" y="{y}" width="{size}" height="{size}" style="fill:{} !important;stroke:none !important"/>"#,
        xml_escape(color)
    );
    write_mark(out, mark, "#FFFFFF", x, y, size);
}

fn write_mark(out: &mut String, mark: &Mark, ink: &str, x: f64, y: f64, size: f64) {
    let ink = xml_escape(ink);
    match mark {
        Mark::Text(text) => {
            let font = text_size(text, size);
            let _ = write!(
                out,
                r#"<text x="{cx}" y="{cy}" text-anchor="middle" dominant-baseline="central" font-family="Helvetica, Arial, sans-serif" font-weight="bold" font-size="{font}" style="fill:{ink} !important;stroke:none !important">{}</text>"#,
                xml_escape(text),
                cx = x + size / 2.0,
                cy = y + size / 2.0,
            );
        }
        Mark::Symbol(path) => {
            let scale = size / 16.0 * 0.75;
            let offset = size * 0.125;
            let _ = write!(
                out,
                r#"<path d="{}" transform="translate({},{}) scale({scale})" stroke-linecap="round" stroke-linejoin="round" style="fill:none !important;stroke:{ink} !important;stroke-width:{}px !important"/>"#,
                xml_escape(path),
                x + offset,
                y + offset,
                1.5_f64.max(2.0 / scale * 0.75),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_catalog_kind_and_group_has_a_glyph_and_every_glyph_a_kind() {
        let catalog = Catalog::builtin();
        for kind in catalog.kinds.keys() {
            assert!(
                GLYPHS.kinds.contains_key(kind),
                "no glyph for kind `{kind}`"
            );
            assert!(
                !for_kind(kind).icons.is_empty(),
                "no icon stems for `{kind}`"
            );
        }
        for kind in GLYPHS.kinds.keys() {
            assert!(
                catalog.kind(kind).is_some(),
                "glyph for unknown kind `{kind}`"
            );
        }
        for group in catalog.groups.keys() {
            assert!(
                GLYPHS.groups.contains_key(group),
                "no entry for group `{group}`"
            );
        }
        for (group, entry) in &GLYPHS.groups {
            let kind = catalog.groups.get(group);
            assert!(kind.is_some(), "entry for unknown group kind `{group}`");
            if let Some(by) = &entry.by {
                assert!(kind.unwrap().properties.contains_key(&by.property));
            }
        }
    }

    #[test]
    fn kinds_take_their_category_colour_and_tile() {
        let lambda = for_kind("lambda");
        assert_eq!(lambda.color, "#ED7100");
        assert!(lambda.tile);
        assert_eq!(lambda.mark, Mark::Text("λ".into()));
        assert!(!for_kind("nat-gateway").tile, "a resource icon is outlined");
        assert!(matches!(for_kind("users").mark, Mark::Symbol(_)));
        // Unknown kinds still draw.
        let other = for_kind("message-broker");
        assert_eq!(other.mark, Mark::Text("MB".into()));
        assert!(other.icons.is_empty());
    }

    #[test]
    fn initials_of_names() {
        assert_eq!(initials("Application Load Balancer (internal)"), "ALB");
        assert_eq!(initials("x"), "X");
        assert_eq!(initials("--"), "?");
        assert_eq!(initials("東京 タワー"), "東タ");
    }

    #[test]
    fn subnets_take_their_tier_icon() {
        let tier = |t: &str| IndexMap::from([("tier".to_string(), Value::String(t.to_string()))]);
        let public = for_group("subnet", &tier("public")).unwrap();
        assert_eq!(public.icons, vec!["Public-subnet".to_string()]);
        let private = for_group("subnet", &tier("private-data")).unwrap();
        assert_eq!(private.icons, vec!["Private-subnet".to_string()]);
        // Unset, the tier is the kind's default, a private one.
        let default = for_group("subnet", &IndexMap::new()).unwrap();
        assert_eq!(default.icons, vec!["Private-subnet".to_string()]);
        assert_eq!(
            for_group("vpc", &IndexMap::new()).unwrap().text.as_deref(),
            Some("VPC")
        );
        assert!(for_group("availability-zone", &IndexMap::new()).is_none());
        assert!(for_group("no-such-group", &IndexMap::new()).is_none());
    }

    #[test]
    fn svg_is_well_formed_and_escaped() {
        let glyph = Glyph {
            color: "#ED7100".into(),
            tile: false,
            mark: Mark::Text("<&\">".into()),
            text: "<&\">".into(),
            icons: vec![],
        };
        let mut out = String::from("<svg xmlns=\"http://www.w3.org/2000/svg\">");
        write_svg(&mut out, &glyph, 0.0, 0.0, 40.0);
        write_corner_svg(&mut out, &for_kind("users").mark, "#00A4A6", 0.0, 0.0, 20.0);
        out.push_str("</svg>");
        let doc = roxmltree::Document::parse(&out).unwrap();
        let text = doc.descendants().find(|n| n.has_tag_name("text")).unwrap();
        assert_eq!(text.text(), Some("<&\">"));
        assert_eq!(
            doc.descendants().filter(|n| n.has_tag_name("rect")).count(),
            2
        );
    }
}
