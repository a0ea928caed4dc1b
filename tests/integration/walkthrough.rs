//! `archpat walk`: the Markdown of every built-in (snapshots), the plain text output, the refusals,
//! and the HTML pages in headless Chromium.

use std::path::{Path, PathBuf};
use std::process::Command;

use assert_cmd::prelude::*;
use predicates::prelude::*;

use crate::support::{BUILTINS, archpat, tools_dir};

#[test]
fn markdown_snapshots() {
    for id in BUILTINS {
        let out = archpat()
            .args(["walk", id, "--format", "markdown"])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{id}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let md = String::from_utf8(out.stdout).unwrap();
        assert!(
            md.matches("```mermaid").count() >= 5,
            "{id}: a diagram per step"
        );
        assert!(md.contains(&format!("archpat compare {id}")));
        insta::assert_snapshot!(format!("walk_markdown_{id}"), md);
    }
}

#[test]
fn text_prints_every_step_when_not_a_terminal() {
    let out = archpat().args(["walk", "three-tier-web"]).output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(!text.contains('\x1b'), "no escape codes in a pipe");
    for n in 1..=6 {
        assert!(text.contains(&format!("Step {n}/6: ")), "step {n} missing");
    }
    assert!(text.contains("Implement Multi-AZ for databases"));
    assert!(text.contains("RDS (Relational Database Service) (Phase 4: Storage & Databases)"));
    assert!(text.contains("archpat new three-tier-web --iac cloudformation"));
    assert!(text.contains("archpat new three-tier-web --iac cdk"));
}

#[test]
fn one_step_only() {
    let out = archpat()
        .args(["walk", "event-driven", "--step", "4"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("Step 4/5: "), "{text}");
    assert!(!text.contains("Step 3/5") && !text.contains("Step 5/5"));
    assert!(text.contains("+SNS topic") || text.contains("+OrderConfirmed topic"));
    assert!(!text.contains("Try it"), "only the last step has it");

    let md = archpat()
        .args(["walk", "event-driven", "--step", "5", "-f", "markdown"])
        .output()
        .unwrap();
    let md = String::from_utf8(md.stdout).unwrap();
    assert_eq!(md.matches("```mermaid").count(), 1);
    assert!(md.contains("### Try it"));
}

#[test]
fn step_out_of_range_names_the_pattern_and_its_steps() {
    for step in ["0", "7"] {
        archpat()
            .args(["walk", "serverless-web", "--step", step])
            .assert()
            .code(1)
            .stderr(predicate::str::contains(
                "pattern `serverless-web` has 6 steps",
            ))
            .stderr(predicate::str::contains(format!("`--step {step}`")));
    }
}

const NO_WALKTHROUGH: &str = "\
id: tiny
title: Tiny
summary: One function.
components:
  - { id: fn, kind: lambda }
";

#[test]
fn a_pattern_without_walkthrough_points_to_the_docs() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("tiny.yaml");
    std::fs::write(&file, NO_WALKTHROUGH).unwrap();
    for format in ["text", "markdown", "html"] {
        archpat()
            .args(["walk", file.to_str().unwrap(), "-f", format])
            .assert()
            .code(1)
            .stderr(predicate::str::contains("no `walkthrough` section"))
            .stderr(predicate::str::contains("docs/patterns.md"));
    }
}

#[test]
fn a_user_pattern_gets_try_it_commands_naming_its_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("tiny.yaml");
    let yaml = format!(
        "{NO_WALKTHROUGH}  - {{ id: t, kind: dynamodb-table }}\nconnections:\n  - {{ from: fn, to: t, kind: read-write }}\n\
         walkthrough:\n  - title: A <function>\n    adds: [fn]\n    why: Runs code. It is small.\n\
         \x20 - title: A table\n    adds: [t]\n    connections: [fn->t]\n    why: Keeps data. It is fast.\n"
    );
    std::fs::write(&file, yaml).unwrap();
    let path = file.to_str().unwrap();
    archpat()
        .args(["walk", path, "--step", "2"])
        .assert()
        .success()
        .stdout(predicate::str::contains(format!(
            "archpat new {path} --iac terraform"
        )))
        .stdout(predicate::str::contains(
            "Lambda function ──read-write──▶ +DynamoDB table",
        ));
    let out = dir.path().join("tiny.md");
    archpat()
        .args(["walk", path, "-f", "markdown", "-o", out.to_str().unwrap()])
        .assert()
        .success()
        .stderr(predicate::str::contains("wrote"));
    let md = std::fs::read_to_string(out).unwrap();
    assert!(md.contains("## Step 1/2: A &lt;function&gt;"), "{md}");
    let html = archpat()
        .args(["walk", path, "-f", "html"])
        .output()
        .unwrap();
    let html = String::from_utf8(html.stdout).unwrap();
    assert!(html.contains("Step 1/2: A &lt;function&gt;</h2>"));
    assert!(!html.contains("<function>"));
}

fn write_html_pages(dir: &Path) -> Vec<PathBuf> {
    BUILTINS
        .iter()
        .map(|id| {
            let path = dir.join(format!("{id}.html"));
            let out = archpat()
                .args(["walk", id, "-f", "html", "-o", path.to_str().unwrap()])
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{id}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            path
        })
        .collect()
}

#[test]
fn html_is_self_contained_and_escaped() {
    let dir = tempfile::tempdir().unwrap();
    for page in write_html_pages(dir.path()) {
        let html = std::fs::read_to_string(&page).unwrap();
        assert!(html.starts_with("<!DOCTYPE html>"));
        for remote in ["src=\"http", "href=\"http", "@import", "<link"] {
            assert!(!html.contains(remote), "{}: {remote}", page.display());
        }
        assert!(html.matches("<svg").count() >= 5);
    }
    let html = std::fs::read_to_string(dir.path().join("serverless-web.html")).unwrap();
    assert!(html.contains("Caching <code>/api/*</code> with the default cache policy"));
    assert!(html.contains("Implement least privilege principle"));
}

/// The pages in Debian's Chromium, driven by playwright-core from the tools folder. Missing
/// tools fail the test: CI installs them with `scripts/install-tools.sh`.
#[test]
fn html_works_in_headless_chromium() {
    let node_ok = Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(node_ok, "node is missing; run `scripts/install-tools.sh`");
    let playwright = tools_dir().join("node/node_modules/playwright-core/package.json");
    assert!(
        playwright.is_file(),
        "playwright-core is missing ({} not found); run `scripts/install-tools.sh`",
        playwright.display()
    );
    assert!(
        Path::new("/usr/bin/chromium").is_file(),
        "/usr/bin/chromium is missing; run `scripts/install-tools.sh`"
    );
    let dir = tempfile::tempdir().unwrap();
    let pages = write_html_pages(dir.path());
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/browser-test.mjs");
    let out = Command::new("node")
        .arg(script)
        .args(&pages)
        .env("ARCHPAT_TOOLS", tools_dir())
        .output()
        .unwrap();
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "browser test failed:\n{report}");
    assert!(report.contains("ok: 6 pages"), "{report}");
}

/// A pattern whose every kind of text tries to break out of the HTML it lands in.
const HOSTILE: &str = r#"id: hostile-page
title: 'Shop <script>window.__pwned = "title"</script>'
summary: 'A "summary" with <img src=x onerror="window.__pwned = 1"> and </script><script>window.__pwned = 2</script>'
groups:
  - { id: region, kind: region, label: 'Region "><svg onload="window.__pwned = 3">' }
components:
  - { id: api, kind: apigateway-http, group: region, label: 'API <script>window.__pwned = 4</script>' }
  - { id: fn, kind: lambda, group: region, label: "Worker '><iframe src=javascript:window.__pwned=5>" }
connections:
  - { from: api, to: fn, kind: invoke, label: '<a href="javascript:window.__pwned = 6">calls</a>' }
walkthrough:
  - title: 'Step <script>window.__pwned = 7</script>'
    adds: [api, fn]
    why: '<img src=x onerror="window.__pwned = 8">'
    pitfall: '</details><script>window.__pwned = 9</script>'
    question: '"><script>window.__pwned = 10</script>'
    answer: '<style>body{display:none}</style>'
"#;

/// The walkthrough and compare pages of a hostile pattern in headless Chromium: no script runs but
/// archpat's own, and the Content-Security-Policy blocks one inserted behind the escaping's back.
#[test]
fn html_pages_run_only_their_own_script() {
    let dir = tempfile::tempdir().unwrap();
    let pattern = dir.path().join("hostile-page.yaml");
    std::fs::write(&pattern, HOSTILE).unwrap();
    let walk = dir.path().join("walk.html");
    let compare = dir.path().join("compare.html");
    for args in [
        vec![
            "walk",
            pattern.to_str().unwrap(),
            "-f",
            "html",
            "-o",
            walk.to_str().unwrap(),
        ],
        vec![
            "compare",
            pattern.to_str().unwrap(),
            "-o",
            compare.to_str().unwrap(),
        ],
    ] {
        let out = archpat().args(&args).output().unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/csp-browser-test.mjs");
    let out = Command::new("node")
        .arg(script)
        .args([&walk, &compare])
        .env("ARCHPAT_TOOLS", tools_dir())
        .output()
        .unwrap();
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "browser test failed:\n{report}");
    assert!(
        report.contains("ok: 2 pages run only their own script"),
        "{report}"
    );
}
