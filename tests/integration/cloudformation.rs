//! `archpat new --iac cloudformation`: every supported built-in pattern (with defaults and with each
//! parameter choice that switches parts), every user fixture and every coverage pattern
//! (tests/fixtures/coverage/) generates a project that passes cfn-lint and checkov; snapshots of
//! the templates; determinism; and every refusal of the CLI.
//!
//! All projects are generated into one folder and each validator runs once over all of them,
//! which keeps the suite fast; failures are attributed to files from the validators' JSON.

use std::path::{Path, PathBuf};

use crate::support::{self, archpat};

/// Built-in patterns whose every kind has CloudFormation templates.
const SUPPORTED_BUILTINS: &[&str] = &[
    "serverless-web",
    "three-tier-web",
    "event-driven",
    "data-lake",
    "microservices-ecs",
    "microservices-eks",
];

fn new_project(pattern: &str, sets: &[&str], dir: &Path) -> std::process::Output {
    let mut cmd = archpat();
    cmd.args(["new", pattern, "--iac", "cloudformation", "-o"])
        .arg(dir);
    for s in sets {
        cmd.args(["--set", s]);
    }
    cmd.output().expect("archpat runs")
}

/// Every case: the supported built-ins' cases, the user fixtures and the coverage patterns.
fn all_cases() -> Vec<(String, String, Vec<String>)> {
    support::builtin_cases(SUPPORTED_BUILTINS)
        .map(|(name, pattern, sets)| {
            (
                name.to_string(),
                pattern.to_string(),
                sets.iter().map(|s| s.to_string()).collect(),
            )
        })
        .chain(
            support::pattern_fixtures()
                .into_iter()
                .chain(support::target_fixtures("cloudformation"))
                .map(|(name, path)| (name, path, Vec::new())),
        )
        .collect()
}

/// The templates a project deploys beside its main stack, in name order: in us-east-1
/// (`us-east-1/*.yaml`: what CloudFront needs there, such as its WAF web ACL or its log
/// deliveries) and in its other regions (`regions/*.yaml`); most projects have none.
fn side_templates(project: &Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = ["us-east-1", "regions"]
        .iter()
        .flat_map(|d| std::fs::read_dir(project.join(d)).into_iter().flatten())
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    found.sort();
    found
}

#[test]
fn every_generated_template_passes_cfn_lint_and_checkov() {
    assert!(
        support::user_fixtures().len() >= 5,
        "expected at least 5 tests/fixtures/user-*.yaml"
    );
    let root = tempfile::tempdir().unwrap();
    let started = std::time::Instant::now();
    let (mut dirs, not_generated) =
        support::generate_cases(root.path(), "cloudformation", &all_cases());
    // Projects the user edited and then updated go through the same validators.
    dirs.extend(crate::update::updated_projects(
        root.path(),
        "cloudformation",
    ));
    let generated = started.elapsed();
    let templates: Vec<PathBuf> = dirs
        .iter()
        .flat_map(|d| std::iter::once(d.join("template.yaml")).chain(side_templates(d)))
        .collect();
    let side = templates.len() - dirs.len();

    // One cfn-lint and one checkov process over every template, side by side.
    let validated = std::panic::catch_unwind(|| {
        support::assert_cfn_lint_and_checkov_clean(&templates, &[]);
        eprintln!(
            "cloudformation: {} templates ({side} in us-east-1 or other regions): generate {generated:.1?}, cfn-lint + checkov {:.1?}",
            templates.len(),
            started.elapsed() - generated
        );
    });
    support::finish(not_generated, validated);
}

#[test]
fn templates_match_snapshots() {
    let root = tempfile::tempdir().unwrap();
    for id in SUPPORTED_BUILTINS {
        assert!(support::BUILTINS.contains(id), "{id} is not a built-in");
        let dir = root.path().join(id);
        let out = new_project(id, &[], &dir);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let template = std::fs::read_to_string(dir.join("template.yaml")).unwrap();
        insta::assert_snapshot!(format!("cloudformation-{id}-template"), template);
        let readme = std::fs::read_to_string(dir.join("README.md")).unwrap();
        insta::assert_snapshot!(format!("cloudformation-{id}-readme"), readme);
    }
}

#[test]
fn generation_is_deterministic() {
    let root = tempfile::tempdir().unwrap();
    for id in SUPPORTED_BUILTINS {
        let a = root.path().join(format!("{id}-a"));
        let b = root.path().join(format!("{id}-b"));
        assert!(new_project(id, &[], &a).status.success());
        assert!(new_project(id, &[], &b).status.success());
        assert_eq!(
            support::read_tree(&a),
            support::read_tree(&b),
            "{id}: two runs differ"
        );
    }
}

#[test]
fn dry_run_lists_files_and_writes_nothing() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("p");
    let out = archpat()
        .args([
            "new",
            "serverless-web",
            "--iac",
            "cloudformation",
            "--dry-run",
            "-o",
        ])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let listing = String::from_utf8(out.stdout).unwrap();
    assert!(listing.contains("template.yaml"), "{listing}");
    assert!(listing.contains("src/api_fn/index.js"), "{listing}");
    assert!(!dir.exists(), "dry run created the folder");
    assert_eq!(std::fs::read_dir(root.path()).unwrap().count(), 0);
}

#[test]
fn refuses_a_non_empty_folder_unless_forced() {
    let root = tempfile::tempdir().unwrap();
    std::fs::write(root.path().join("keep.txt"), "mine").unwrap();
    let dir = root.path().to_str().unwrap();
    let err = support::refusal(&[
        "new",
        "serverless-web",
        "--iac",
        "cloudformation",
        "-o",
        dir,
    ]);
    assert!(
        err.contains(&format!("output folder `{dir}` is not empty")),
        "{err}"
    );
    assert!(err.contains("--force"), "{err}");
    let out = archpat()
        .args([
            "new",
            "serverless-web",
            "--iac",
            "cloudformation",
            "--force",
            "-o",
            dir,
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(root.path().join("template.yaml").is_file());
    assert_eq!(
        std::fs::read_to_string(root.path().join("keep.txt")).unwrap(),
        "mine"
    );
    // Nothing temporary is left beside the folder.
    let leftovers: Vec<_> = std::fs::read_dir(root.path().parent().unwrap())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with(".archpat-new-"))
        .collect();
    assert!(leftovers.is_empty());
}

#[test]
fn refuses_bad_and_unknown_parameters() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("p");
    let dir = dir.to_str().unwrap();
    let err = support::refusal(&[
        "new",
        "serverless-web",
        "--iac",
        "cloudformation",
        "-o",
        dir,
        "--set",
        "runtime",
    ]);
    assert!(
        err.contains("`--set runtime` is not of the form `name=value`"),
        "{err}"
    );
    let err = support::refusal(&[
        "new",
        "serverless-web",
        "--iac",
        "cloudformation",
        "-o",
        dir,
        "--set",
        "runtim=x",
    ]);
    assert!(err.contains("has no parameter `runtim`"), "{err}");
    let err = support::refusal(&[
        "new",
        "serverless-web",
        "--iac",
        "cloudformation",
        "-o",
        dir,
        "--set",
        "runtime=java",
    ]);
    assert!(err.contains("bad value for parameter `runtime`"), "{err}");
    assert!(!Path::new(dir).exists());
}

#[test]
fn refuses_names_that_escape_the_folder() {
    let root = tempfile::tempdir().unwrap();
    for name in ["../evil", "a/b", "say\"hi", "it's"] {
        let err = support::refusal(&[
            "new",
            "serverless-web",
            "--iac",
            "cloudformation",
            "--name",
            name,
            "-o",
            root.path().join("p").to_str().unwrap(),
        ]);
        assert!(
            err.contains(&format!("invalid project name `{name}`")),
            "{err}"
        );
    }
    let err = support::refusal(&[
        "new",
        "serverless-web",
        "--iac",
        "cloudformation",
        "--region",
        "../x",
        "--dry-run",
    ]);
    assert!(err.contains("invalid region `../x`"), "{err}");
    assert_eq!(std::fs::read_dir(root.path()).unwrap().count(), 0);
}

#[test]
fn diagram_only_kinds_are_listed_in_the_readme() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("p");
    let out = new_project("serverless-web", &[], &dir);
    assert!(out.status.success());
    let readme = std::fs::read_to_string(dir.join("README.md")).unwrap();
    assert!(
        readme.contains("Not generated (drawn in the diagram only)"),
        "{readme}"
    );
    assert!(readme.contains("**Users** (`users`)"), "{readme}");
    assert!(readme.contains("```mermaid"), "{readme}");
    assert!(
        readme.contains("| `ApiFn` | `AWS::Serverless::Function` |"),
        "{readme}"
    );
}
