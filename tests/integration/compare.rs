//! `archpat compare`: for every built-in pattern the three targets agree component by component
//! and connection by connection (with the CDK project synthesized), or the difference carries a
//! listed reason; JSON snapshots; the HTML page in headless Chromium; the terminal table's width
//! and colour; refusals.

use std::path::Path;
use std::process::Command;

use crate::support::{self, BUILTINS, archpat, tools_dir};

fn compare_json(args: &[&str]) -> serde_json::Value {
    let out = archpat()
        .arg("compare")
        .args(args)
        .args(["-f", "json"])
        .env(
            "ARCHPAT_CDK_NODE_MODULES",
            tools_dir().join("cdk/node_modules"),
        )
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "compare {args:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// `(components, connections)` of a pattern, from `archpat show --json`.
fn parts(pattern: &str) -> (usize, usize) {
    let out = archpat()
        .args(["show", pattern, "--json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    (
        json["components"].as_array().unwrap().len(),
        json["connections"].as_array().unwrap().len(),
    )
}

fn unexplained(json: &serde_json::Value) -> Vec<String> {
    let mut out = Vec::new();
    for row in json["rows"].as_array().unwrap() {
        for d in row["differences"].as_array().unwrap() {
            if d["reason"].is_null() {
                out.push(format!(
                    "{} {}: {} {} only in {}",
                    row["row"], row["id"], d["target"], d["cfn_type"], d["only_in"]
                ));
            }
        }
        let status = row["status"].as_str().unwrap();
        assert!(
            ["equal", "explained", "different"].contains(&status),
            "{status}"
        );
    }
    out
}

/// The built-in whose comparison synthesizes its CDK project with `compare --synth`.
const SYNTH_ITSELF: &str = "serverless-web";

#[test]
fn every_builtin_agrees_across_the_three_targets_with_cdk_synthesized() {
    let cdk = tools_dir().join("cdk/node_modules/aws-cdk-lib/package.json");
    assert!(
        cdk.is_file(),
        "the CDK libraries are missing ({}); run `scripts/install-tools.sh`",
        cdk.display()
    );
    let results: Vec<(String, Vec<String>)> = std::thread::scope(|s| {
        let handles: Vec<_> = BUILTINS
            .chunks(3)
            .map(|chunk| {
                s.spawn(move || {
                    chunk
                        .iter()
                        .map(|id| {
                            // One built-in runs `cdk synth` itself; the others read the template
                            // the CDK validator test synthesized from the same project.
                            let json = if *id == SYNTH_ITSELF {
                                compare_json(&[id, "--synth"])
                            } else {
                                let template =
                                    crate::cdk::synthesized_template(id).unwrap_or_else(|| {
                                        panic!("{id}: the CDK test synthesized no template")
                                    });
                                compare_json(&[id, "--cdk-template", template.to_str().unwrap()])
                            };
                            assert_eq!(json["cdk_synthesized"], true);
                            let (components, connections) = parts(id);
                            let rows = json["rows"].as_array().unwrap();
                            let count =
                                |kind: &str| rows.iter().filter(|r| r["row"] == kind).count();
                            assert_eq!(count("component"), components, "{id}");
                            assert_eq!(count("connection"), connections, "{id}");
                            // Every target made something for most components: the rows are not
                            // trivially equal.
                            let filled = rows
                                .iter()
                                .filter(|r| {
                                    r["cells"]
                                        .as_array()
                                        .unwrap()
                                        .iter()
                                        .all(|c| !c["items"].as_array().unwrap().is_empty())
                                })
                                .count();
                            assert!(filled * 2 >= components, "{id}: only {filled} rows filled");
                            (id.to_string(), unexplained(&json))
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    let mut results = results;
    // Designs in two regions: the CDK app's stacks of every region are read (the replicas' rows
    // have constructs), and every difference has its reason.
    for id in ["user-dr-backup-restore", "user-dr-pilot-light"] {
        let template = crate::cdk::synthesized_template(id)
            .unwrap_or_else(|| panic!("{id}: the CDK test synthesized no template"));
        let file = crate::support::fixtures_dir().join(format!("{id}.yaml"));
        let json = compare_json(&[
            file.to_str().unwrap(),
            "--cdk-template",
            template.to_str().unwrap(),
        ]);
        let rows = json["rows"].as_array().unwrap();
        for r in rows.iter().filter(|r| r["row"] == "component") {
            let cells = r["cells"].as_array().unwrap();
            let empty = |c: &serde_json::Value| c["items"].as_array().unwrap().is_empty();
            assert!(
                empty(&cells[0]) || !empty(&cells[2]),
                "{id}: component `{}` has resources in CloudFormation but none in the synthesized CDK templates",
                r["id"]
            );
        }
        results.push((id.to_string(), unexplained(&json)));
    }
    let problems: Vec<String> = results
        .into_iter()
        .flat_map(|(id, list)| list.into_iter().map(move |p| format!("{id}: {p}")))
        .collect();
    assert!(
        problems.is_empty(),
        "differences without a listed reason (fix the template, or add the reason to templates/terraform/meta/cfn-types.yaml or templates/cdk/meta/compare.yaml):\n{}",
        problems.join("\n")
    );
}

/// CloudFormation and Terraform for every variant of every built-in and every user fixture (the
/// CDK column, read from the bill of materials, is not judged without `--synth`).
#[test]
fn every_case_agrees_between_cloudformation_and_terraform() {
    let mut problems = Vec::new();
    let fixtures: Vec<String> = support::user_fixtures()
        .iter()
        .map(|p| p.to_str().unwrap().to_string())
        .collect();
    let cases = support::BUILTIN_CASES
        .iter()
        .map(|(name, pattern, sets)| (name.to_string(), pattern.to_string(), sets.to_vec()))
        .chain(fixtures.iter().map(|f| (f.clone(), f.clone(), Vec::new())));
    for (name, pattern, sets) in cases {
        let mut args = vec![pattern.as_str()];
        for s in &sets {
            args.extend(["--set", s]);
        }
        let json = compare_json(&args);
        assert_eq!(json["cdk_synthesized"], false);
        problems.extend(
            unexplained(&json)
                .into_iter()
                .map(|p| format!("{name}: {p}")),
        );
    }
    assert!(
        problems.is_empty(),
        "differences without a listed reason (fix the template, or add the reason to templates/terraform/meta/cfn-types.yaml):\n{}",
        problems.join("\n")
    );
}

#[test]
fn json_matches_snapshots() {
    for id in BUILTINS {
        let json = compare_json(&[id]);
        assert_eq!(json["schema"], 1);
        assert!(
            unexplained(&json).is_empty(),
            "{id}: CloudFormation and Terraform differ without a reason: {:?}",
            unexplained(&json)
        );
        insta::assert_snapshot!(
            format!("compare-{id}"),
            serde_json::to_string_pretty(&json).unwrap()
        );
    }
}

#[test]
fn security_parity_is_reported_per_component() {
    let json = compare_json(&["serverless-web", "--synth"]);
    let controls = json["security"].as_array().unwrap();
    let find = |component: &str, control: &str| {
        controls
            .iter()
            .find(|c| c["component"] == component && c["control"] == control)
            .unwrap_or_else(|| panic!("no {control} for {component}: {controls:#?}"))
    };
    // The table: encrypted and backed up in every target.
    for control in ["encryption", "backup"] {
        let c = find("table", control);
        assert_eq!(c["status"], "same", "{c:#}");
        assert!(
            c["results"]
                .as_array()
                .unwrap()
                .iter()
                .all(|r| r["state"] == "yes"),
            "{c:#}"
        );
    }
    // The function's IAM actions are listed per target.
    let iam = find("api_fn", "iam-actions");
    for r in iam["results"].as_array().unwrap() {
        let actions: Vec<&str> = r["detail"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap())
            .collect();
        assert!(
            actions.iter().any(|a| a.starts_with("dynamodb:")),
            "{}: {actions:?}",
            r["target"]
        );
    }
}

#[test]
fn one_component_is_shown_side_by_side() {
    let json = compare_json(&["serverless-web", "--component", "table"]);
    let panes = json["code"]["panes"].as_array().unwrap();
    let texts: Vec<&str> = panes.iter().map(|p| p["text"].as_str().unwrap()).collect();
    assert_eq!(panes.len(), 3);
    assert!(texts[0].contains("AWS::DynamoDB::Table"), "{}", texts[0]);
    assert!(
        texts[1].contains("resource \"aws_dynamodb_table\""),
        "{}",
        texts[1]
    );
    assert!(texts[2].contains("new dynamodb.Table("), "{}", texts[2]);

    let out = archpat()
        .args(["compare", "serverless-web", "--component", "table"])
        .env("COLUMNS", "120")
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("code of component table")
            && text.contains("AWS::DynamoDB::Table")
            && text.contains("resource \"aws_dynamodb_table\" \"table\"")
            && text.contains("dynamodb.Table(this"),
        "{text}"
    );
    for line in text.lines() {
        assert!(
            unicode_width(line) <= 120,
            "line wider than COLUMNS: {line:?}"
        );
    }
    assert!(!text.contains('\x1b'), "no colour when not a terminal");
}

fn unicode_width(s: &str) -> usize {
    s.chars().count()
}

#[test]
fn narrow_terminals_get_narrow_tables() {
    let out = archpat()
        .args(["compare", "three-tier-web"])
        .env("COLUMNS", "70")
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.lines().all(|l| unicode_width(l) <= 70), "{text}");
    assert!(text.contains("lines of code") && text.contains("component web"));
}

#[test]
fn markdown_has_a_row_per_component_and_connection() {
    let out = archpat()
        .args(["compare", "event-driven", "-f", "markdown"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let md = String::from_utf8(out.stdout).unwrap();
    let (components, connections) = parts("event-driven");
    let rows = md
        .lines()
        .filter(|l| l.starts_with("| component `"))
        .count();
    assert_eq!(rows, components, "{md}");
    let rows = md
        .lines()
        .filter(|l| l.starts_with("| connection `"))
        .count();
    assert_eq!(rows, connections, "{md}");
}

#[test]
fn an_unknown_component_is_refused_with_the_ids() {
    let out = archpat()
        .args(["compare", "serverless-web", "--component", "tabel"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("pattern `serverless-web` has no component `tabel`; its components are: ")
            && err.contains("`table`")
            && err.contains("`api_fn`"),
        "{err}"
    );
}

#[test]
fn a_user_pattern_is_compared_like_a_builtin() {
    let fixture = support::fixtures_dir().join("user-fanout.yaml");
    let json = compare_json(&[fixture.to_str().unwrap()]);
    assert!(json["rows"].as_array().unwrap().len() >= 4);
    assert!(unexplained(&json).is_empty(), "{:?}", unexplained(&json));
}

#[test]
fn html_pages_load_with_a_row_per_part_and_three_code_panes() {
    let dir = tempfile::tempdir().unwrap();
    let mut pages = Vec::new();
    for id in BUILTINS {
        let file = dir.path().join(format!("{id}.html"));
        let out = archpat()
            .args(["compare", id, "-o"])
            .arg(&file)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let (components, connections) = parts(id);
        pages.push(format!("{}:{components}:{connections}", file.display()));
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/compare-browser-test.mjs");
    let out = Command::new("node")
        .arg(script)
        .args(&pages)
        .env("ARCHPAT_TOOLS", tools_dir())
        .output()
        .expect("node runs; run `scripts/install-tools.sh`");
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "browser test failed:\n{report}");
    assert!(report.contains("ok: 6 pages"), "{report}");
}
