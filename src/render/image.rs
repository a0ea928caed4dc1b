//! The built-in image renderer, and the bridge to Graphviz for `--engine graphviz`.
//!
//! Mermaid flowcharts become SVG and PNG in-process through `merman`; nothing needs installing
//! except, for PNG, one font. Output is deterministic: merman measures text with its own tables
//! and reads no clock or random source, so the same source gives byte-identical SVG and PNG.
//!
//! Labels are plain SVG `<text>`: HTML labels would be drawn with `<foreignObject>`, which
//! SVG-to-PNG converters and many viewers leave blank. The look is Mermaid's `classic` (Mermaid
//! 11's default), not Mermaid 12's `neo`: neo puts a drop-shadow filter on every box, which makes
//! PNG output five to six times slower and which librsvg-based viewers answer by not drawing the
//! boxes at all. Both are defaults: front matter in the source (`config: { htmlLabels, look }`)
//! wins over them.

use std::io::{self, Write};
use std::process::{Command, Stdio};
use std::sync::{LazyLock, OnceLock};

use std::sync::Arc;

use merman::svg::export::{RasterOptions, RasterSizeLimit, SvgConversionLimits};
use merman::svg::{RenderResourcePolicy, ResourceLimitId, SvgPipeline};
use merman::{
    Engine, MermaidConfig, OperationControl, ParseOptions, PngRequest, RenderOutput, RenderRequest,
    Renderer, SvgEnvironment, SvgRequest,
};

/// Layout work merman may spend on one diagram. Its `trusted_native` profile stops at 15
/// million units, which a densely cross-linked 1,000-node flowchart passes (about 70 million);
/// this admits a few thousand nodes, 3-4 seconds of layout, and still ends a runaway layout
/// with an error instead of hanging.
const MAX_LAYOUT_WORK_UNITS: usize = 500_000_000;

/// PNG pixels per SVG pixel: crisp on high-density screens and in slides.
const PNG_SCALE: f32 = 2.0;

/// Largest PNG side and area. Bigger diagrams are scaled down to fit rather than refused;
/// 32 Mpx is 128 MiB of RGBA while painting.
const PNG_MAX_SIDE: u32 = 8_192;
const PNG_MAX_PIXELS: u64 = 32 * 1024 * 1024;

/// Errors of the built-in image renderer.
#[derive(Debug, thiserror::Error)]
pub enum ImageError {
    /// The source parsed but held no diagram (for example, only comments).
    #[error("the Mermaid source holds no diagram")]
    NoDiagram,
    /// merman refused the source: a syntax error, an unsupported feature or a resource limit.
    #[error("failed to render the Mermaid diagram: {0}")]
    Render(String),
    /// No system font was found, so PNG text would be silently left out.
    #[error(
        "no font found to draw text in PNG output; install one (for example the `fonts-dejavu-core` package) or write SVG instead"
    )]
    NoFonts,
    /// `dot` is not on `PATH`.
    #[error("graphviz `dot` is not installed; install graphviz or use the built-in engine")]
    GraphvizMissing,
    /// `dot` could not be started or talked to.
    #[error("failed to run graphviz `dot`: {0}")]
    GraphvizIo(#[source] io::Error),
    /// `dot` ran and failed.
    #[error("graphviz `dot` failed ({status}): {stderr}")]
    Graphviz { status: String, stderr: String },
    /// `dot -Tsvg` wrote bytes that are not UTF-8.
    #[error("graphviz `dot` wrote SVG that is not valid UTF-8")]
    GraphvizNotUtf8,
}

/// Edge labels on an opaque white box. Mermaid's own box is half transparent, so the edge line
/// behind a label showed through and struck every label out; edges are drawn before labels, so
/// an opaque box leaves a gap in the line instead.
pub(crate) const EDGE_LABEL_CSS: &str = ".edgeLabel rect, .edgeLabel rect.background { opacity: 1; fill: #FFFFFF; background-color: #FFFFFF; }";

/// One renderer for the process: it holds only configuration, and `render` takes `&self`.
static RENDERER: LazyLock<Renderer> = LazyLock::new(|| {
    let defaults = MermaidConfig::from_value(serde_json::json!({
        "look": "classic",
        "htmlLabels": false,
        "flowchart": { "htmlLabels": false },
        "themeCSS": EDGE_LABEL_CSS,
    }));
    Renderer::new()
        .with_engine(Engine::new().with_site_config(defaults))
        .with_parse_options(ParseOptions::strict())
});

pub mod decorate;

pub use decorate::Decoration;

/// The request with the AWS look drawn in by merman's own pipeline, so that the PNG, which
/// merman rasterizes from its SVG, shows it too (the PNG path runs that pipeline anyway).
fn decorated_request(decoration: Option<&Arc<Decoration>>) -> SvgRequest {
    let mut request = svg_request();
    if let Some(decoration) = decoration {
        request.pipeline =
            Some(SvgPipeline::parity().with_shared_postprocessor(decoration.clone()));
    }
    request
}

fn svg_request() -> SvgRequest {
    let resources = RenderResourcePolicy::trusted_native()
        .with_limit(ResourceLimitId::MaxLayoutWorkUnits, MAX_LAYOUT_WORK_UNITS)
        .expect("the layout work limit is overridable and positive");
    SvgRequest {
        environment: SvgEnvironment::deterministic().with_resource_policy(resources),
        ..SvgRequest::default()
    }
}

fn raster_options(scale: f32) -> RasterOptions {
    RasterOptions::default()
        .with_scale(scale)
        .with_background("white")
        .with_size_limit(RasterSizeLimit {
            max_width: Some(PNG_MAX_SIDE),
            max_height: Some(PNG_MAX_SIDE),
            max_pixels: Some(PNG_MAX_PIXELS),
        })
        // The `neo` look gives every box a drop-shadow filter; the default budget of 128 filter
        // primitives would refuse a neo diagram of more than about 120 boxes.
        .with_conversion_limits(SvgConversionLimits {
            max_total_filter_primitives: None,
            ..SvgConversionLimits::default_safe()
        })
}

fn render(request: RenderRequest<'_>) -> Result<RenderOutput, ImageError> {
    RENDERER
        .render(request)
        .map_err(|e| ImageError::Render(e.to_string()))
}

/// Renders a Mermaid diagram to a standalone SVG document.
pub fn svg_from_mermaid(source: &str) -> Result<String, ImageError> {
    svg_from_mermaid_decorated(source, None)
}

/// Renders a Mermaid diagram to SVG, drawing glyphs and group icons in when given.
pub fn svg_from_mermaid_decorated(
    source: &str,
    decoration: Option<&Arc<Decoration>>,
) -> Result<String, ImageError> {
    // SVG is decorated after merman has written it: through merman's pipeline, each pass is
    // followed by a full XML validation, which doubled the time of a 1,000-component diagram.
    let request = RenderRequest::svg(source, OperationControl::new(), svg_request());
    match render(request)? {
        RenderOutput::Svg(Some(svg)) => {
            let svg = svg.into_parts().0;
            let svg = match decoration {
                Some(decoration) => decoration.apply(&svg),
                None => svg,
            };
            Ok(preserve_word_spaces(&svg).replace(super::mermaid::IMAGE_QUOTE, "&quot;"))
        }
        _ => Err(ImageError::NoDiagram),
    }
}

/// A box of the built-in layout: its centre and size, in SVG pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rect {
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
}

impl Rect {
    pub fn left(&self) -> f64 {
        self.x - self.width / 2.0
    }
    pub fn top(&self) -> f64 {
        self.y - self.height / 2.0
    }
}

/// One edge of the built-in layout, between two Mermaid node ids.
#[derive(Debug, Clone, PartialEq)]
pub struct EdgeRoute {
    pub from: String,
    pub to: String,
    /// From the source's border to the target's, bends included.
    pub points: Vec<(f64, f64)>,
    pub label: Option<Rect>,
}

/// Where the built-in renderer puts every node, subgraph and edge of a Mermaid flowchart: the
/// same layout its SVG and PNG are drawn from, for writers of other formats (draw.io).
#[derive(Debug, Clone, Default)]
pub struct Layout {
    /// Nodes and subgraphs by Mermaid id.
    pub boxes: std::collections::HashMap<String, Rect>,
    /// Edges in the order the source defines them.
    pub edges: Vec<EdgeRoute>,
}

/// Lays a Mermaid flowchart out without drawing it.
pub fn layout_from_mermaid(source: &str) -> Result<Layout, ImageError> {
    let request = RenderRequest::layout_json(source, OperationControl::new(), svg_request());
    let RenderOutput::LayoutJson(Some(output)) = render(request)? else {
        return Err(ImageError::NoDiagram);
    };
    let json = output.layout().as_value();
    let flowchart = &json["layout"]["FlowchartV2"];
    let number = |v: &serde_json::Value| v.as_f64().unwrap_or(0.0);
    let rect = |v: &serde_json::Value| Rect {
        x: number(&v["x"]),
        y: number(&v["y"]),
        width: number(&v["width"]),
        height: number(&v["height"]),
    };
    let mut layout = Layout::default();
    for node in flowchart["nodes"].as_array().into_iter().flatten() {
        if let Some(id) = node["id"].as_str()
            && id != super::mermaid::ANCHOR_ID
        {
            layout.boxes.insert(id.to_string(), rect(node));
        }
    }
    for edge in flowchart["edges"].as_array().into_iter().flatten() {
        let text = |key: &str| edge[key].as_str().unwrap_or_default().to_string();
        if text("from") == super::mermaid::ANCHOR_ID {
            continue;
        }
        layout.edges.push(EdgeRoute {
            from: text("from"),
            to: text("to"),
            points: edge["points"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|p| (number(&p["x"]), number(&p["y"])))
                .collect(),
            label: edge["label"].is_object().then(|| rect(&edge["label"])),
        });
    }
    if layout.boxes.is_empty() {
        return Err(ImageError::Render(
            "the layout holds no nodes (not a flowchart)".into(),
        ));
    }
    Ok(layout)
}

/// Marks every `<text>` `xml:space="preserve"`. Mermaid writes each word of a label as its own
/// `<tspan>`, the space leading the next word; browsers keep it, but librsvg-based viewers
/// (GNOME, GIMP, `rsvg-convert`) collapse it and run the words together. merman puts no other
/// whitespace inside `<text>`, so browsers draw exactly what they drew before.
fn preserve_word_spaces(svg: &str) -> String {
    svg.replace("<text ", "<text xml:space=\"preserve\" ")
        .replace("<text>", "<text xml:space=\"preserve\">")
}

/// Renders a Mermaid diagram to a PNG on white, at twice its SVG size (scaled down to fit
/// 8,192 pixels a side and 32 million pixels).
///
/// Text is painted with a system font, found once per process; when there is none this is
/// [`ImageError::NoFonts`] rather than an image without words.
pub fn png_from_mermaid(source: &str) -> Result<Vec<u8>, ImageError> {
    png_from_mermaid_decorated(source, None)
}

/// Renders a Mermaid diagram to PNG, drawing glyphs and group icons in when given.
pub fn png_from_mermaid_decorated(
    source: &str,
    decoration: Option<&Arc<Decoration>>,
) -> Result<Vec<u8>, ImageError> {
    // The rasterizer has no glyph for the quote stand-in; a typographic quote reads the same.
    let source = source.replace(super::mermaid::IMAGE_QUOTE, "\u{201D}");
    let png = rasterize(&source, PNG_SCALE, decoration)?;
    if !fonts_available() {
        return Err(ImageError::NoFonts);
    }
    Ok(png)
}

fn rasterize(
    source: &str,
    scale: f32,
    decoration: Option<&Arc<Decoration>>,
) -> Result<Vec<u8>, ImageError> {
    let request = PngRequest {
        svg: decorated_request(decoration),
        options: raster_options(scale),
    };
    match render(RenderRequest::png(source, OperationControl::new(), request))? {
        RenderOutput::Png(Some(png)) => Ok(png.bytes),
        _ => Err(ImageError::NoDiagram),
    }
}

/// Whether PNG output can show text. The rasterizer leaves text out without a word when no
/// font matches, so paint one label black and then white on a white box: with no usable font
/// the two images are the same. Fonts are loaded once per process, so the answer is kept.
fn fonts_available() -> bool {
    static AVAILABLE: OnceLock<bool> = OnceLock::new();
    *AVAILABLE.get_or_init(|| {
        let probe = |color: &str| {
            rasterize(
                &format!(
                    "flowchart LR\n  a[\"Wg\"]\n  \
                     classDef probe fill:#ffffff,stroke:#ffffff,color:{color}\n  class a probe\n"
                ),
                1.0,
                None,
            )
        };
        match (probe("#000000"), probe("#ffffff")) {
            (Ok(dark), Ok(light)) => dark != light,
            // The probe itself failed: let the caller's own render speak for itself.
            _ => true,
        }
    })
}

/// Renders DOT to SVG through an installed Graphviz `dot` (`--engine graphviz`).
pub fn svg_from_dot_with_graphviz(dot: &str) -> Result<String, ImageError> {
    String::from_utf8(run_dot(dot, "svg")?).map_err(|_| ImageError::GraphvizNotUtf8)
}

/// Renders DOT to PNG through an installed Graphviz `dot` (`--engine graphviz`).
pub fn png_from_dot_with_graphviz(dot: &str) -> Result<Vec<u8>, ImageError> {
    run_dot(dot, "png")
}

/// Runs `dot -T<format>` with the DOT on stdin and returns its stdout.
fn run_dot(dot: &str, format: &str) -> Result<Vec<u8>, ImageError> {
    let mut child = Command::new("dot")
        .arg(format!("-T{format}"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| match e.kind() {
            io::ErrorKind::NotFound => ImageError::GraphvizMissing,
            _ => ImageError::GraphvizIo(e),
        })?;
    let mut stdin = child.stdin.take().expect("stdin is piped");
    // Feed stdin from another thread while this one drains stdout and stderr, so neither side
    // blocks on a full pipe; dropping `stdin` at the end of the thread closes it.
    let (written, output) = std::thread::scope(|scope| {
        let writer = scope.spawn(move || stdin.write_all(dot.as_bytes()));
        let output = child.wait_with_output();
        (writer.join(), output)
    });
    let output = output.map_err(ImageError::GraphvizIo)?;
    if !output.status.success() {
        return Err(ImageError::Graphviz {
            status: output.status.to_string(),
            stderr: String::from_utf8_lossy(&output.stderr).trim().to_string(),
        });
    }
    match written {
        Ok(Ok(())) => Ok(output.stdout),
        Ok(Err(e)) => Err(ImageError::GraphvizIo(e)),
        Err(_) => Err(ImageError::GraphvizIo(io::Error::other(
            "the thread writing to `dot` panicked",
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PNG_MAGIC: &[u8] = b"\x89PNG\r\n\x1a\n";

    /// Typical of what archpat emits: front matter, nested subgraphs, classDef, edge labels,
    /// a dashed edge and a cylinder.
    const SAMPLE: &str = r##"---
title: "Serverless API"
config:
  htmlLabels: false
  flowchart:
    htmlLabels: false
---
flowchart LR
  classDef compute fill:#FDEBD9,stroke:#ED7100,color:#16191F,stroke-width:1.5px
  classDef database fill:#E8EAF9,stroke:#3B48CC,color:#16191F,stroke-width:1.5px
  users(["Users"])
  subgraph region["AWS Region"]
    subgraph vpc["VPC"]
      subgraph app["Private app subnets"]
        fn("API handler<br/>Lambda function"):::compute
      end
      subgraph data["Private data subnets"]
        db[("Orders<br/>RDS")]:::database
      end
    end
  end
  users -->|"HTTPS :443"| fn
  fn -.->|"read-write · TCP :5432"| db
  style vpc fill:#F2F8F0,stroke:#248814,color:#248814,stroke-dasharray:6 4
"##;

    /// Groups of 50 services in a chain, each group linked to the next by a dashed edge.
    fn large_flowchart(nodes: usize) -> String {
        let mut out =
            String::from("flowchart LR\n  classDef compute fill:#FDEBD9,stroke:#ED7100\n");
        for group in 0..nodes.div_ceil(50) {
            out.push_str(&format!("  subgraph g{group}[\"Group {group}\"]\n"));
            for n in group * 50..((group + 1) * 50).min(nodes) {
                out.push_str(&format!("    n{n}[\"Service {n}\"]:::compute\n"));
            }
            out.push_str("  end\n");
        }
        for n in 1..nodes {
            let edge = match n {
                n if n % 50 == 0 => format!("n{} -.->|\"next {n}\"| n{n}", n - 50),
                n if n % 5 == 0 => format!("n{} -->|\"call {n}\"| n{n}", n - 1),
                n => format!("n{} --> n{n}", n - 1),
            };
            out.push_str(&format!("  {edge}\n"));
        }
        out
    }

    #[test]
    fn sample_renders_to_svg_text_without_foreign_objects() {
        let svg = svg_from_mermaid(SAMPLE).unwrap();
        assert!(svg.contains("<svg"), "{svg}");
        assert!(!svg.contains("<foreignObject"));
        // Labels are `<text>`, one `<tspan>` per word, the space leading the next word.
        assert!(svg.contains("<text xml:space=\"preserve\""));
        assert_eq!(
            svg.matches("<text ").count(),
            svg.matches("<text xml:space=\"preserve\" ").count()
        );
        for word in [
            "AWS",
            "Region",
            "VPC",
            "Lambda",
            "RDS",
            "HTTPS",
            ":443",
            "read-write",
        ] {
            assert!(svg.contains(word), "label word {word:?} missing");
        }
    }

    #[test]
    fn defaults_are_text_labels_and_the_classic_look() {
        let body = "flowchart LR\n  a[\"Load balancer\"] -->|\"HTTPS\"| b[(\"DB\")]\n";
        let svg = svg_from_mermaid(body).unwrap();
        assert!(svg.contains("<svg"));
        assert!(!svg.contains("<foreignObject"));
        // (The stylesheet always holds `[data-look="neo"]` rules; elements carry the attribute.)
        assert!(svg.contains(" data-look=\"classic\"") && !svg.contains(" data-look=\"neo\""));
        // Front matter still wins.
        let neo = svg_from_mermaid(&format!("---\nconfig:\n  look: neo\n---\n{body}")).unwrap();
        assert!(neo.contains(" data-look=\"neo\""));
    }

    #[test]
    fn edge_labels_sit_on_an_opaque_box_above_the_lines() {
        let svg = svg_from_mermaid(SAMPLE).unwrap();
        assert!(svg.contains("#merman .edgeLabel rect, #merman .edgeLabel rect.background { opacity: 1; fill: #FFFFFF;"));
        let paths = svg.find("class=\"edgePaths\"").unwrap();
        let labels = svg.find("class=\"edgeLabels\"").unwrap();
        assert!(paths < labels, "labels are drawn after, so over, the lines");
    }

    #[test]
    fn quote_stand_in_is_a_straight_quote_in_svg() {
        let q = crate::render::mermaid::IMAGE_QUOTE;
        let source = format!("flowchart LR\n  a[\"say {q}hi{q} #1\"]\n");
        let svg = svg_from_mermaid(&source).unwrap();
        assert!(svg.contains("&quot;hi&quot;"), "{svg}");
        assert!(!svg.contains(q));
        assert!(png_from_mermaid(&source).unwrap().starts_with(PNG_MAGIC));
    }

    /// CJK and emoji are drawn with a system font (scripts/install-tools.sh installs Noto CJK
    /// and Noto Color Emoji): with no glyphs, both orders would paint the same empty boxes.
    #[test]
    fn png_draws_cjk_and_emoji() {
        for (a, b) in [("東京", "京東"), ("🚀🌍", "🌍🚀")] {
            let draw =
                |t: &str| png_from_mermaid(&format!("flowchart LR\n  x[\"{t}\"]\n")).unwrap();
            assert_ne!(draw(a), draw(b), "{a}: no font has these glyphs");
        }
    }

    #[test]
    fn sample_renders_to_png() {
        let png = png_from_mermaid(SAMPLE).unwrap();
        assert!(png.starts_with(PNG_MAGIC));
    }

    #[test]
    fn rendering_is_deterministic() {
        assert_eq!(
            svg_from_mermaid(SAMPLE).unwrap(),
            svg_from_mermaid(SAMPLE).unwrap()
        );
        assert!(png_from_mermaid(SAMPLE).unwrap() == png_from_mermaid(SAMPLE).unwrap());
    }

    #[test]
    fn thousand_node_flowchart_renders() {
        let source = large_flowchart(1_000);
        let svg = svg_from_mermaid(&source).unwrap();
        assert!(svg.contains("> 999<"), "the last node is drawn");
        // In the neo look every box has a filter, past the rasterizer's default filter budget.
        let neo = format!("---\nconfig:\n  look: neo\n---\n{source}");
        assert!(png_from_mermaid(&neo).unwrap().starts_with(PNG_MAGIC));
    }

    /// A pattern of `n` functions in one region, each invoking the next: the region is crossed
    /// by no edge, which merman would take apart node by node, in cubic time, without the anchor.
    fn one_region(n: usize) -> crate::model::Pattern {
        let mut y = String::from(
            "id: big\ntitle: Big\nsummary: s\ngroups:\n  - { id: region, kind: region }\ncomponents:\n",
        );
        for i in 0..n {
            y.push_str(&format!(
                "  - {{ id: f{i}, kind: lambda, group: region }}\n"
            ));
        }
        y.push_str("  - { id: logs, kind: cloudwatch-logs, group: region }\nconnections:\n");
        for i in 1..n {
            y.push_str(&format!(
                "  - {{ from: f{}, to: f{i}, kind: invoke }}\n",
                i - 1
            ));
        }
        y.push_str("  - { from: f0, to: logs, kind: log }\n");
        crate::loader::load_str("big.yaml", &y)
            .unwrap()
            .resolve(&[])
            .unwrap()
    }

    #[test]
    fn large_diagrams_get_a_layout_anchor_that_no_output_shows() {
        use crate::render::mermaid::{ANCHOR_ID, LARGE_DIAGRAM, render_for_image};
        // `n` functions and a log group.
        let small = render_for_image(&one_region(LARGE_DIAGRAM - 2));
        assert!(!small.contains(ANCHOR_ID));
        let pattern = one_region(LARGE_DIAGRAM - 1);
        let source = render_for_image(&pattern);
        assert!(
            source.contains(&format!("{ANCHOR_ID} ~~~ c_f0")),
            "{source}"
        );
        // Mermaid counts the anchor's link: the dotted log line is the one after the chain.
        let log_line = 1 + (LARGE_DIAGRAM - 2);
        assert!(
            source.contains(&format!("  linkStyle {log_line} stroke-dasharray")),
            "{source}"
        );
        let layout = layout_from_mermaid(&source).unwrap();
        assert!(!layout.boxes.contains_key(ANCHOR_ID));
        assert_eq!(
            layout.boxes.len(),
            LARGE_DIAGRAM + 1,
            "components and the region"
        );
        assert_eq!(layout.edges.len(), LARGE_DIAGRAM - 1);
        assert!(layout.edges.iter().all(|e| e.from != ANCHOR_ID));
        let svg = svg_from_mermaid(&source).unwrap();
        assert!(svg.contains("AWS Region") || svg.contains("Region"));
    }

    #[test]
    fn invalid_mermaid_is_an_error() {
        for source in [
            "flowchart LR\n  a -->|\"unclosed| b\n  subgraph\n",
            "not a diagram at all {{",
        ] {
            let err = svg_from_mermaid(source).unwrap_err();
            assert!(
                matches!(err, ImageError::Render(_) | ImageError::NoDiagram),
                "{err:?}"
            );
            assert!(png_from_mermaid(source).is_err());
        }
    }

    #[test]
    fn empty_source_is_an_error() {
        assert!(svg_from_mermaid("").is_err());
    }

    #[test]
    fn graphviz_renders_or_says_it_is_missing() {
        let dot = "digraph { rankdir=LR; a [label=\"Users\"]; b [label=\"API\"]; a -> b [label=\"HTTPS\"]; }";
        match svg_from_dot_with_graphviz(dot) {
            Ok(svg) => {
                assert!(svg.contains("<svg"));
                assert!(
                    png_from_dot_with_graphviz(dot)
                        .unwrap()
                        .starts_with(PNG_MAGIC)
                );
                let err = svg_from_dot_with_graphviz("digraph { a -> }").unwrap_err();
                assert!(matches!(err, ImageError::Graphviz { .. }), "{err:?}");
            }
            Err(ImageError::GraphvizMissing) => {
                assert_eq!(
                    ImageError::GraphvizMissing.to_string(),
                    "graphviz `dot` is not installed; install graphviz or use the built-in engine"
                );
            }
            Err(other) => panic!("unexpected error: {other}"),
        }
    }
}
