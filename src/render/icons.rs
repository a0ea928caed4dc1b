//! The user's copy of AWS's Architecture Icons (`--icons PATH`, or `ARCHPAT_ICONS`).
//!
//! archpat ships no AWS artwork: AWS publishes the icons for customers to draw their own
//! architecture diagrams, and the user downloads the asset package themselves. The folder is
//! indexed once by file name, in any layout (the package's folders are renamed with every
//! release, its file names rarely), and each kind's icon is found by the file-name stems in
//! `catalog/glyphs.yaml`.
//!
//! An SVG icon is embedded, not linked, so the diagram stands alone: its drawing elements are
//! copied through an allow-list (no scripts, styles, links or foreign content), its ids
//! prefixed so two icons cannot clash, and simple class rules of an old-style `<style>` turned
//! into inline styles. A PNG icon is embedded as a `data:` URI.

use std::collections::{BTreeMap, HashMap};
use std::io;
use std::path::{Path, PathBuf};

use base64::Engine as _;

/// Icon files larger than this are left out (the package's are a few KB).
const MAX_ICON_BYTES: u64 = 1024 * 1024;
/// Files looked at under the folder, at most: the whole asset package is about 5,000.
const MAX_FILES: usize = 100_000;
const MAX_DEPTH: usize = 12;

/// Errors of the `--icons` folder itself. A single icon that is missing or unusable is not an
/// error: that kind is drawn with archpat's own glyph and a warning says so.
#[derive(Debug, thiserror::Error)]
pub enum IconError {
    #[error(
        "icon folder `{path}` does not exist; pass `--icons` (or set `ARCHPAT_ICONS` to) the folder you unpacked AWS's Architecture Icons asset package into, or leave it out to draw archpat's own glyphs"
    )]
    Missing { path: String },
    #[error(
        "`{path}` is not a folder; pass `--icons` the folder you unpacked AWS's Architecture Icons asset package into, not a file in it"
    )]
    NotAFolder { path: String },
    #[error("cannot read icon folder `{path}`")]
    Read {
        path: String,
        #[source]
        source: io::Error,
    },
    #[error(
        "icon folder `{path}` holds no `.svg` or `.png` file; unpack AWS's Architecture Icons asset package into it (archpat looks in every folder below it)"
    )]
    Empty { path: String },
}

/// The user's icon folder, indexed by file-name stem.
#[derive(Debug, Clone)]
pub struct IconSet {
    root: PathBuf,
    /// Lower-case stem (size, theme and scale suffixes removed) → the best file for it.
    index: BTreeMap<String, (Rank, PathBuf)>,
}

/// Which of several files of one icon to take: SVG before PNG, the light theme, the largest.
type Rank = (u8, u8, i64, PathBuf);

/// An icon read from the user's folder.
#[derive(Debug, Clone, PartialEq)]
pub struct Icon {
    pub path: PathBuf,
    pub body: IconBody,
}

#[derive(Debug, Clone, PartialEq)]
pub enum IconBody {
    /// Sanitized SVG content, ids not yet prefixed (see [`Icon::svg_symbol`]).
    Svg { view_box: String, content: String },
    /// A `data:image/png;base64,…` URI.
    Png { data_uri: String },
}

impl IconSet {
    /// Indexes the folder: every `.svg` and `.png` below it, symbolic links to folders not
    /// followed.
    pub fn open(root: &Path) -> Result<IconSet, IconError> {
        let shown = root.display().to_string();
        let meta = std::fs::metadata(root).map_err(|e| match e.kind() {
            io::ErrorKind::NotFound => IconError::Missing {
                path: shown.clone(),
            },
            _ => IconError::Read {
                path: shown.clone(),
                source: e,
            },
        })?;
        if !meta.is_dir() {
            return Err(IconError::NotAFolder { path: shown });
        }
        let mut index: BTreeMap<String, (Rank, PathBuf)> = BTreeMap::new();
        let mut stack = vec![(root.to_path_buf(), 0)];
        let mut seen = 0;
        while let Some((dir, depth)) = stack.pop() {
            let entries = std::fs::read_dir(&dir).map_err(|source| IconError::Read {
                path: dir.display().to_string(),
                source,
            })?;
            for entry in entries {
                let entry = entry.map_err(|source| IconError::Read {
                    path: dir.display().to_string(),
                    source,
                })?;
                seen += 1;
                if seen > MAX_FILES {
                    break;
                }
                let path = entry.path();
                let Ok(kind) = entry.file_type() else {
                    continue;
                };
                if kind.is_dir() {
                    if depth < MAX_DEPTH {
                        stack.push((path, depth + 1));
                    }
                    continue;
                }
                let Some((key, rank)) = key_and_rank(&path) else {
                    continue;
                };
                let better = index.get(&key).is_none_or(|(old, _)| rank < *old);
                if better {
                    index.insert(key, (rank, path));
                }
            }
        }
        if index.is_empty() {
            return Err(IconError::Empty { path: shown });
        }
        Ok(IconSet {
            root: root.to_path_buf(),
            index,
        })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The file of the first stem that has one.
    pub fn find(&self, stems: &[String]) -> Option<&Path> {
        stems
            .iter()
            .find_map(|s| self.index.get(&s.to_lowercase()))
            .map(|(_, path)| path.as_path())
    }

    /// Reads the icon for these stems: `Ok(None)` when the folder has none, `Err` with a reason
    /// when the file cannot be used.
    pub fn load(&self, stems: &[String]) -> Result<Option<Icon>, String> {
        let Some(path) = self.find(stems) else {
            return Ok(None);
        };
        let size = std::fs::metadata(path).map_err(|e| e.to_string())?.len();
        if size > MAX_ICON_BYTES {
            return Err(format!(
                "it is {size} bytes, more than an icon's {MAX_ICON_BYTES}"
            ));
        }
        let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
        let body = if path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("png"))
        {
            if !bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
                return Err("it is not a PNG image".into());
            }
            IconBody::Png {
                data_uri: format!(
                    "data:image/png;base64,{}",
                    base64::engine::general_purpose::STANDARD.encode(&bytes)
                ),
            }
        } else {
            let text = String::from_utf8(bytes).map_err(|_| "it is not UTF-8 text".to_string())?;
            sanitize_svg(&text)?
        };
        Ok(Some(Icon {
            path: path.to_path_buf(),
            body,
        }))
    }
}

/// The index key of an icon file and how good a candidate it is; `None` for other files.
fn key_and_rank(path: &Path) -> Option<(String, Rank)> {
    let ext = path.extension()?.to_str()?.to_ascii_lowercase();
    let format = match ext.as_str() {
        "svg" => 0,
        "png" => 1,
        _ => return None,
    };
    let mut stem = path.file_stem()?.to_str()?.to_string();
    // `_64@5x` in the PNG package.
    if let Some(at) = stem.rfind('@')
        && stem[at + 1..]
            .strip_suffix('x')
            .is_some_and(|n| n.parse::<u8>().is_ok())
    {
        stem.truncate(at);
    }
    let mut theme = 0;
    for (suffix, rank) in [("_Light", 0), ("_Dark", 1)] {
        if stem.len() > suffix.len()
            && stem[stem.len() - suffix.len()..].eq_ignore_ascii_case(suffix)
        {
            stem.truncate(stem.len() - suffix.len());
            theme = rank;
        }
    }
    let mut size = 0;
    if let Some(us) = stem.rfind('_')
        && let Ok(n) = stem[us + 1..].parse::<i64>()
    {
        size = n;
        stem.truncate(us);
    }
    if stem.is_empty() {
        return None;
    }
    Some((
        stem.to_lowercase(),
        (format, theme, -size, path.to_path_buf()),
    ))
}

/// Elements copied from an icon; everything else (scripts, styles, text, links, foreign
/// content, images) is left out with its children.
const ELEMENTS: &[&str] = &[
    "g",
    "path",
    "rect",
    "circle",
    "ellipse",
    "line",
    "polyline",
    "polygon",
    "defs",
    "linearGradient",
    "radialGradient",
    "stop",
    "clipPath",
    "mask",
    "use",
];

/// Attributes copied from an icon's elements (`id`, `href` and `style` are handled apart).
const ATTRIBUTES: &[&str] = &[
    "d",
    "x",
    "y",
    "width",
    "height",
    "rx",
    "ry",
    "cx",
    "cy",
    "r",
    "fx",
    "fy",
    "x1",
    "y1",
    "x2",
    "y2",
    "points",
    "transform",
    "fill",
    "stroke",
    "stroke-width",
    "stroke-linecap",
    "stroke-linejoin",
    "stroke-miterlimit",
    "stroke-dasharray",
    "stroke-dashoffset",
    "fill-rule",
    "clip-rule",
    "opacity",
    "fill-opacity",
    "stroke-opacity",
    "offset",
    "stop-color",
    "stop-opacity",
    "gradientUnits",
    "gradientTransform",
    "spreadMethod",
    "clip-path",
    "clipPathUnits",
    "mask",
    "maskUnits",
    "maskContentUnits",
    "display",
    "visibility",
];

/// Placeholder for the per-use id prefix in sanitized content.
const ID_PREFIX: &str = "\u{1}";

/// Copies the drawing of an SVG icon through the allow-list.
fn sanitize_svg(text: &str) -> Result<IconBody, String> {
    let options = roxmltree::ParsingOptions {
        allow_dtd: true,
        nodes_limit: 50_000,
    };
    let doc = roxmltree::Document::parse_with_options(text, options)
        .map_err(|e| format!("it is not well-formed XML ({e})"))?;
    let root = doc.root_element();
    if !root.has_tag_name("svg") {
        return Err("its root element is not `<svg>`".into());
    }
    let view_box = match root.attribute("viewBox") {
        Some(v) if numbers(v).is_some_and(|n| n.len() == 4) => numbers(v)
            .unwrap()
            .iter()
            .map(f64::to_string)
            .collect::<Vec<_>>()
            .join(" "),
        _ => {
            let w = root.attribute("width").and_then(length);
            let h = root.attribute("height").and_then(length);
            match (w, h) {
                (Some(w), Some(h)) => format!("0 0 {w} {h}"),
                _ => return Err("it has neither a `viewBox` nor a `width` and `height`".into()),
            }
        }
    };
    let classes = class_rules(&doc);
    let mut content = String::new();
    for child in root.children() {
        copy(child, &classes, &mut content);
    }
    if content.is_empty() {
        return Err("it draws nothing archpat can copy".into());
    }
    Ok(IconBody::Svg { view_box, content })
}

fn numbers(text: &str) -> Option<Vec<f64>> {
    text.split(|c: char| c.is_whitespace() || c == ',')
        .filter(|t| !t.is_empty())
        .map(|t| t.parse::<f64>().ok().filter(|n| n.is_finite()))
        .collect()
}

fn length(text: &str) -> Option<f64> {
    text.trim_end_matches("px")
        .parse::<f64>()
        .ok()
        .filter(|n| n.is_finite() && *n > 0.0)
}

/// `.name { decls }` rules of the icon's `<style>` elements (older icons colour by class).
fn class_rules(doc: &roxmltree::Document) -> HashMap<String, String> {
    let mut rules = HashMap::new();
    for style in doc.descendants().filter(|n| n.has_tag_name("style")) {
        let css: String = style.children().filter_map(|c| c.text()).collect();
        for rule in css.split('}') {
            let Some((selectors, decls)) = rule.split_once('{') else {
                continue;
            };
            let decls = clean_style(decls);
            for selector in selectors.split(',') {
                if let Some(name) = selector.trim().strip_prefix('.')
                    && name
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
                {
                    let entry: &mut String = rules.entry(name.to_string()).or_default();
                    entry.push_str(&decls);
                }
            }
        }
    }
    rules
}

/// A `style` value with only plain declarations: no `url()` other than to a fragment, no
/// imports, escapes or expressions.
fn clean_style(style: &str) -> String {
    let mut out = String::new();
    for decl in style.split(';') {
        let Some((name, value)) = decl.split_once(':') else {
            continue;
        };
        let (name, value) = (name.trim(), value.trim());
        let safe_name = name.chars().all(|c| c.is_ascii_alphabetic() || c == '-');
        let lower = value.to_ascii_lowercase();
        let safe_value = !value.contains(['\\', '<', '>', '"', '\'', '@', '{', '}'])
            && !lower.contains("expression")
            && lower.matches("url(").count() == lower.matches("url(#").count();
        if safe_name && safe_value && !name.is_empty() {
            out.push_str(&format!("{name}:{};", with_prefixed_urls(value)));
        }
    }
    out
}

/// `url(#a)` → `url(#<prefix>a)`.
fn with_prefixed_urls(value: &str) -> String {
    value.replace("url(#", &format!("url(#{ID_PREFIX}"))
}

fn copy(node: roxmltree::Node, classes: &HashMap<String, String>, out: &mut String) {
    if !node.is_element() {
        return;
    }
    let name = node.tag_name().name();
    if node.tag_name().namespace() != Some("http://www.w3.org/2000/svg")
        || !ELEMENTS.contains(&name)
    {
        return;
    }
    let esc = super::glyph::xml_escape;
    out.push('<');
    out.push_str(name);
    let mut style = String::new();
    if let Some(class) = node.attribute("class") {
        for c in class.split_whitespace() {
            if let Some(decls) = classes.get(c) {
                style.push_str(decls);
            }
        }
    }
    for attr in node.attributes() {
        let value = attr.value();
        match attr.name() {
            "id" => out.push_str(&format!(" id=\"{ID_PREFIX}{}\"", esc(value))),
            "href" => {
                if let Some(target) = value.strip_prefix('#') {
                    out.push_str(&format!(" href=\"#{ID_PREFIX}{}\"", esc(target)));
                }
            }
            "style" => style.push_str(&clean_style(value)),
            a if attr.namespace().is_none() && ATTRIBUTES.contains(&a) => {
                let lower = value.to_ascii_lowercase();
                if lower.matches("url(").count() != lower.matches("url(#").count() {
                    continue;
                }
                out.push_str(&format!(" {a}=\"{}\"", esc(&with_prefixed_urls(value))));
            }
            _ => {}
        }
    }
    if !style.is_empty() {
        out.push_str(&format!(" style=\"{}\"", esc(&style)));
    }
    if node.children().any(|c| c.is_element()) {
        out.push('>');
        for child in node.children() {
            copy(child, classes, out);
        }
        out.push_str(&format!("</{name}>"));
    } else {
        out.push_str("/>");
    }
}

impl Icon {
    /// The icon as an SVG `<symbol>` with the given id, its own ids prefixed with it: SVG
    /// output defines each icon once and draws it with `<use>`.
    pub fn svg_symbol(&self, id: &str) -> Option<String> {
        match &self.body {
            IconBody::Svg { view_box, content } => Some(format!(
                "<symbol id=\"{id}\" viewBox=\"{view_box}\">{}</symbol>",
                content.replace(ID_PREFIX, &format!("{id}-"))
            )),
            IconBody::Png { .. } => None,
        }
    }

    /// Draws the icon in a `size`-pixel square at `(x, y)`; `symbol` is the id its
    /// [`Icon::svg_symbol`] was defined under.
    pub fn svg_use(&self, symbol: &str, x: f64, y: f64, size: f64) -> String {
        match &self.body {
            IconBody::Svg { .. } => format!(
                "<use href=\"#{symbol}\" x=\"{x}\" y=\"{y}\" width=\"{size}\" height=\"{size}\"/>"
            ),
            IconBody::Png { data_uri } => format!(
                "<image href=\"{data_uri}\" x=\"{x}\" y=\"{y}\" width=\"{size}\" height=\"{size}\"/>"
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folder(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (path, text) in files {
            let path = dir.path().join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        dir
    }

    const SQUARE: &str = r##"<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><rect width="64" height="64" fill="#ED7100"/></svg>"##;

    #[test]
    fn finds_files_by_stem_preferring_svg_light_and_large() {
        let dir = folder(&[
            ("Arch/16/Arch_AWS-Lambda_16.svg", SQUARE),
            ("Arch/64/Arch_AWS-Lambda_64.svg", SQUARE),
            ("Arch/64/Arch_AWS-Lambda_64@5x.png", "x"),
            ("Res/Res_Amazon-VPC_NAT-Gateway_48_Dark.svg", SQUARE),
            ("Res/Res_Amazon-VPC_NAT-Gateway_48_Light.svg", SQUARE),
            ("Groups/Region_32.svg", SQUARE),
            ("notes.txt", "x"),
        ]);
        let set = IconSet::open(dir.path()).unwrap();
        let find = |s: &str| {
            set.find(&[s.to_string()]).map(|p| {
                p.strip_prefix(dir.path())
                    .unwrap()
                    .to_str()
                    .unwrap()
                    .to_string()
            })
        };
        assert_eq!(
            find("Arch_AWS-Lambda").unwrap(),
            "Arch/64/Arch_AWS-Lambda_64.svg"
        );
        assert_eq!(
            find("res_amazon-vpc_nat-gateway").unwrap(),
            "Res/Res_Amazon-VPC_NAT-Gateway_48_Light.svg"
        );
        assert_eq!(find("Region").unwrap(), "Groups/Region_32.svg");
        assert_eq!(find("Arch_AWS-Glue"), None);
        // First stem with a file wins.
        let both = set.find(&["Nope".into(), "Region".into()]).unwrap();
        assert!(both.ends_with("Region_32.svg"));
    }

    #[test]
    fn folder_errors() {
        let dir = folder(&[("a.txt", "x")]);
        let cases = [
            (
                IconSet::open(&dir.path().join("nope")).unwrap_err(),
                format!(
                    "icon folder `{}` does not exist; pass `--icons` (or set `ARCHPAT_ICONS` to) the folder you unpacked AWS's Architecture Icons asset package into, or leave it out to draw archpat's own glyphs",
                    dir.path().join("nope").display()
                ),
            ),
            (
                IconSet::open(&dir.path().join("a.txt")).unwrap_err(),
                format!(
                    "`{}` is not a folder; pass `--icons` the folder you unpacked AWS's Architecture Icons asset package into, not a file in it",
                    dir.path().join("a.txt").display()
                ),
            ),
            (
                IconSet::open(dir.path()).unwrap_err(),
                format!(
                    "icon folder `{}` holds no `.svg` or `.png` file; unpack AWS's Architecture Icons asset package into it (archpat looks in every folder below it)",
                    dir.path().display()
                ),
            ),
        ];
        for (err, message) in cases {
            assert_eq!(err.to_string(), message);
        }
        let read = IconError::Read {
            path: "/i".into(),
            source: io::Error::other("denied"),
        };
        assert_eq!(read.to_string(), "cannot read icon folder `/i`");
    }

    #[test]
    fn svg_is_copied_through_the_allow_list_with_prefixed_ids() {
        let hostile = r##"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 64 64">
          <style>.cls-1{fill:#fff;} .cls-2{fill:url(http://evil/x)}</style>
          <script>alert(1)</script>
          <defs><linearGradient id="g"><stop offset="0" stop-color="#C8511B"/></linearGradient></defs>
          <g id="Icon" onclick="alert(1)"><rect width="64" height="64" fill="url(#g)"/>
          <path class="cls-1 cls-2" d="M1 1L2 2" style="stroke:red;background:url(javascript:x)"/>
          <image href="file:///etc/passwd"/><a href="javascript:x"><path d="M0 0"/></a>
          <use xlink:href="http://evil/x#y"/><use href="#g"/></g></svg>"##;
        let IconBody::Svg { view_box, content } = sanitize_svg(hostile).unwrap() else {
            panic!()
        };
        assert_eq!(view_box, "0 0 64 64");
        let icon = Icon {
            path: "x.svg".into(),
            body: IconBody::Svg { view_box, content },
        };
        let symbol = icon.svg_symbol("archpat-icon-3").unwrap();
        for bad in [
            "script",
            "onclick",
            "evil",
            "javascript",
            "passwd",
            "<image",
            "<a ",
            "<style",
        ] {
            assert!(!symbol.contains(bad), "{bad} in {symbol}");
        }
        assert!(symbol.contains("id=\"archpat-icon-3-g\""), "{symbol}");
        assert!(
            symbol.contains("fill=\"url(#archpat-icon-3-g)\""),
            "{symbol}"
        );
        assert!(
            symbol.contains("style=\"fill:#fff;stroke:red;\""),
            "{symbol}"
        );
        assert!(
            symbol.contains("<use href=\"#archpat-icon-3-g\"/>"),
            "{symbol}"
        );
        let doc = format!("<svg xmlns=\"http://www.w3.org/2000/svg\">{symbol}</svg>");
        roxmltree::Document::parse(&doc).unwrap();
    }

    #[test]
    fn unusable_icons_say_why() {
        let dir = folder(&[
            ("A_1.svg", "<svg"),
            ("B_1.svg", "<html xmlns=\"http://www.w3.org/1999/xhtml\"/>"),
            (
                "C_1.svg",
                "<svg xmlns=\"http://www.w3.org/2000/svg\"><rect/></svg>",
            ),
            ("D_1.png", "not a png"),
        ]);
        let set = IconSet::open(dir.path()).unwrap();
        let why = |s: &str| set.load(&[s.to_string()]).unwrap_err();
        assert!(
            why("A").starts_with("it is not well-formed XML"),
            "{}",
            why("A")
        );
        assert_eq!(why("B"), "its root element is not `<svg>`");
        assert_eq!(
            why("C"),
            "it has neither a `viewBox` nor a `width` and `height`"
        );
        assert_eq!(why("D"), "it is not a PNG image");
        assert_eq!(set.load(&["E".into()]).unwrap(), None);
    }
}
