//! `archpat new --iac cdk`: every supported built-in pattern (with defaults and with each parameter
//! choice that switches parts) and every supported user fixture generates a TypeScript project that
//! compiles (`tsc`), synthesizes (the app run directly with ts-node, as `cdk synth` runs it), and
//! whose synthesized template passes cfn-lint and checkov; the generated jest tests (assertions and
//! cdk-nag) pass for representative projects. That the synthesized templates have the
//! CloudFormation target's resource types per component is `archpat compare --synth`'s to check
//! (tests/integration/compare.rs).
//!
//! The CDK libraries come from `scripts/install-tools.sh` (installed once, pinned, into
//! `$ARCHPAT_TOOLS/cdk`) and are linked into each project as `node_modules`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::{self, archpat};

/// The user fixtures checked besides the supported built-ins' cases.
const FIXTURES: &[&str] = &[
    "user-alb-asg-dynamodb",
    "user-fanout",
    "user-private-api",
    "user-queue-worker",
    "user-s3-ingest",
];

/// Projects whose generated jest tests run too: they take 10-20 s each, so representative ones
/// (serverless; VPC, load balancer and database; events and workflows; EKS; messaging; S3 events
/// with granular cdk-nag acknowledgements) rather than every case.
const JEST_CASES: &[&str] = &[
    "event-driven",
    "microservices-eks",
    "serverless-web",
    "three-tier-web",
    "user-fanout",
    "user-s3-ingest",
];

/// The built-in patterns every kind of which has CDK templates (the others fail generation with
/// the path of the missing template).
const SUPPORTED_BUILTINS: &[&str] = &[
    "data-lake",
    "event-driven",
    "microservices-ecs",
    "microservices-eks",
    "serverless-web",
    "three-tier-web",
];

fn cdk_modules() -> PathBuf {
    let modules = support::tools_dir().join("cdk/node_modules");
    assert!(
        modules.join("aws-cdk-lib/package.json").is_file()
            && modules.join(".bin/tsc").exists()
            && modules.join(".bin/ts-node").exists(),
        "the CDK libraries are missing from {}; run `scripts/install-tools.sh`",
        modules.display()
    );
    let node = Command::new("node").arg("--version").output();
    assert!(
        node.is_ok_and(|o| o.status.success()),
        "Node.js is not on PATH; install Node.js 20 or newer, then run `scripts/install-tools.sh`"
    );
    modules
}

fn fixture_or_builtin(pattern: &str) -> String {
    let fixture = support::fixtures_dir().join(format!("{pattern}.yaml"));
    if fixture.is_file() {
        fixture.to_str().unwrap().to_string()
    } else {
        pattern.to_string()
    }
}

fn new_project(pattern: &str, sets: &[&str], dir: &Path) -> std::process::Output {
    let mut cmd = archpat();
    cmd.args(["new", &fixture_or_builtin(pattern), "--iac", "cdk", "-o"])
        .arg(dir);
    for s in sets {
        cmd.args(["--set", s]);
    }
    cmd.output().expect("archpat runs")
}

fn generate(root: &Path, name: &str, pattern: &str, sets: &[&str]) -> PathBuf {
    let dir = root.join(name);
    let out = new_project(pattern, sets, &dir);
    assert!(
        out.status.success(),
        "generating {name} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    dir
}

fn link_modules(dir: &Path, modules: &Path) {
    #[cfg(unix)]
    std::os::unix::fs::symlink(modules, dir.join("node_modules")).expect("link node_modules");
}

fn run(dir: &Path, program: &Path, args: &[&str], env: &[(&str, String)]) -> (bool, String) {
    let mut cmd = Command::new(program);
    cmd.current_dir(dir)
        .args(args)
        .env("CDK_DISABLE_CLI_TELEMETRY", "true")
        .env("CDK_DISABLE_VERSION_CHECK", "1")
        .env("CI", "true");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("{} runs: {e}", program.display()));
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

/// Type-checks and synthesizes one project; returns its synthesized template's path.
fn compile_and_synth(dir: &Path, modules: &Path) -> Result<PathBuf, String> {
    let bin = modules.join(".bin");
    let (ok, out) = run(dir, &bin.join("tsc"), &["--noEmit", "-p", "."], &[]);
    if !ok {
        return Err(format!("tsc failed in {}:\n{out}", dir.display()));
    }
    // What `cdk synth` does, without the CLI's start-up: the feature flags of cdk.json go in as
    // CDK_CONTEXT_JSON and the cloud assembly into CDK_OUTDIR. tsc has checked the types already.
    let cdk_json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("cdk.json")).unwrap()).unwrap();
    // The CLI adds these to cdk.json's context: construct paths and asset metadata in the
    // template, and version reporting.
    let mut context = cdk_json["context"].clone();
    for key in [
        "aws:cdk:enable-path-metadata",
        "aws:cdk:enable-asset-metadata",
        "aws:cdk:version-reporting",
    ] {
        context[key] = serde_json::Value::Bool(true);
    }
    context["aws:cdk:bundling-stacks"] = serde_json::json!(["**"]);
    let app = cdk_json["app"].as_str().unwrap();
    let entry = app.rsplit(' ').next().unwrap();
    let (ok, out) = run(
        dir,
        &bin.join("ts-node"),
        &["--prefer-ts-exts", entry],
        &[
            ("CDK_CONTEXT_JSON", context.to_string()),
            ("CDK_OUTDIR", "cdk.out".to_string()),
            ("TS_NODE_TRANSPILE_ONLY", "1".to_string()),
        ],
    );
    if !ok {
        return Err(format!("synth failed in {}:\n{out}", dir.display()));
    }
    let template = std::fs::read_dir(dir.join("cdk.out"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().ends_with(".template.json"))
        .ok_or_else(|| format!("no template in {}/cdk.out", dir.display()))?;
    Ok(template)
}

/// Runs `f` over `items` on two threads (CI machines have two cores), keeping the order.
fn parallel<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let half = items.len().div_ceil(2);
    std::thread::scope(|s| {
        let (a, b) = items.split_at(half);
        let f = &f;
        let first = s.spawn(move || a.iter().map(f).collect::<Vec<_>>());
        let mut out: Vec<R> = b.iter().map(f).collect();
        let mut all = first.join().expect("worker thread");
        all.append(&mut out);
        all
    })
}

fn lint_and_checkov(templates: &[PathBuf]) {
    let lint = Command::new(support::tool("cfn-lint-venv/bin/cfn-lint"))
        // W3005 (a DependsOn that a reference already implies) comes from CDK's own wiring.
        .args(["--format", "parseable", "--ignore-checks", "W3005", "--"])
        .args(templates)
        .output()
        .expect("cfn-lint runs");
    assert!(
        lint.status.success(),
        "cfn-lint exit code {:?}:\n{}{}",
        lint.status.code(),
        String::from_utf8_lossy(&lint.stdout),
        String::from_utf8_lossy(&lint.stderr)
    );

    support::assert_checkov_clean_cloudformation(templates);
}

/// Every case generated, compiled and synthesized once, for the tests that need the templates.
struct Synthesized {
    _root: tempfile::TempDir,
    dirs: Vec<PathBuf>,
    templates: Vec<PathBuf>,
    took: std::time::Duration,
}

fn synthesized() -> &'static Synthesized {
    static ONCE: std::sync::OnceLock<Synthesized> = std::sync::OnceLock::new();
    ONCE.get_or_init(synthesize_all)
}

fn synthesize_all() -> Synthesized {
    let modules = cdk_modules();
    let root = tempfile::tempdir().unwrap();
    let started = std::time::Instant::now();
    let fixtures = FIXTURES.iter().map(|f| (*f, *f, &[][..]));
    let dirs: Vec<PathBuf> = support::builtin_cases(SUPPORTED_BUILTINS)
        .copied()
        .chain(fixtures)
        .map(|(name, pattern, sets)| {
            let dir = generate(root.path(), name, pattern, sets);
            link_modules(&dir, &modules);
            dir
        })
        .collect();
    let results = parallel(&dirs, |d| compile_and_synth(d, &modules));
    let (templates, errors): (Vec<_>, Vec<_>) = results.into_iter().partition(Result::is_ok);
    let errors: Vec<String> = errors.into_iter().map(Result::unwrap_err).collect();
    assert!(errors.is_empty(), "{}", errors.join("\n\n"));
    let templates: Vec<PathBuf> = templates.into_iter().map(Result::unwrap).collect();
    Synthesized {
        _root: root,
        dirs,
        templates,
        took: started.elapsed(),
    }
}

#[test]
fn every_generated_project_compiles_synthesizes_and_passes_cfn_lint_checkov_and_its_tests() {
    let modules = cdk_modules();
    let started = std::time::Instant::now();
    let Synthesized {
        dirs, templates, ..
    } = synthesized();
    let synthesized = started.elapsed();

    lint_and_checkov(templates);
    let linted = started.elapsed();

    let jest_dirs: Vec<&PathBuf> = dirs
        .iter()
        .filter(|d| JEST_CASES.iter().any(|j| d.ends_with(j)))
        .collect();
    assert_eq!(
        jest_dirs.len(),
        JEST_CASES.len(),
        "every JEST_CASES entry is a case"
    );
    let jest = modules.join(".bin/jest");
    let failures: Vec<String> = parallel(&jest_dirs, |d| {
        let (ok, out) = run(d, &jest, &["--ci"], &[]);
        (!ok).then(|| format!("jest failed in {}:\n{out}", d.display()))
    })
    .into_iter()
    .flatten()
    .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    let tested = started.elapsed();

    // The real CLI once: `npx cdk synth` must give the template the direct run gave.
    let first = &dirs[0];
    let (ok, out) = run(
        first,
        &modules.join(".bin/cdk"),
        &["synth", "--quiet", "--output", "cdk.cli.out"],
        &[],
    );
    assert!(ok, "cdk synth failed in {}:\n{out}", first.display());
    let name = templates[0].file_name().unwrap();
    let read = |p: &Path| -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
    };
    assert_eq!(
        read(&first.join("cdk.cli.out").join(name)),
        read(&templates[0]),
        "`cdk synth` and the direct run synthesize different templates"
    );
    eprintln!(
        "cdk: {} projects: tsc + synth {:.1?} (waited {:.1?}), cfn-lint + checkov {:.1?}, jest ({} projects) {:.1?}, cdk synth {:.1?}",
        dirs.len(),
        crate::cdk::synthesized().took,
        synthesized,
        linted - synthesized,
        jest_dirs.len(),
        tested - linted,
        started.elapsed() - tested
    );
}

#[test]
fn package_json_pins_the_versions_install_tools_installs() {
    let modules = cdk_modules();
    let root = tempfile::tempdir().unwrap();
    let dir = generate(root.path(), "p", "serverless-web", &[]);
    let package: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("package.json")).unwrap()).unwrap();
    let mut checked = 0;
    for section in ["dependencies", "devDependencies"] {
        for (name, version) in package[section].as_object().unwrap() {
            let installed: serde_json::Value = serde_json::from_str(
                &std::fs::read_to_string(modules.join(name).join("package.json")).unwrap_or_else(
                    |_| panic!("{name} is not installed; run scripts/install-tools.sh"),
                ),
            )
            .unwrap();
            assert_eq!(
                Some(version.as_str().unwrap()),
                installed["version"].as_str(),
                "{name}: package.json pins {version}, the tools cache has another version"
            );
            checked += 1;
        }
    }
    assert!(checked >= 10);
}

#[test]
fn stacks_match_snapshots_and_generation_is_deterministic() {
    let root = tempfile::tempdir().unwrap();
    for id in SUPPORTED_BUILTINS {
        let a = generate(root.path(), &format!("{id}-a"), id, &[]);
        let b = generate(root.path(), &format!("{id}-b"), id, &[]);
        assert_eq!(
            support::read_tree(&a),
            support::read_tree(&b),
            "{id}: two runs differ"
        );
        let stack = std::fs::read_to_string(a.join(format!("lib/{id}-stack.ts"))).unwrap();
        insta::assert_snapshot!(format!("cdk-{id}-stack"), stack);
        let readme = std::fs::read_to_string(a.join("README.md")).unwrap();
        insta::assert_snapshot!(format!("cdk-{id}-readme"), readme);
    }
}

#[test]
fn the_layout_is_the_one_cdk_init_writes() {
    let root = tempfile::tempdir().unwrap();
    let dir = generate(root.path(), "shop", "serverless-web", &[]);
    let out = archpat()
        .args([
            "new",
            "serverless-web",
            "--iac",
            "cdk",
            "--name",
            "shop",
            "-o",
        ])
        .arg(root.path().join("named"))
        .output()
        .unwrap();
    assert!(out.status.success());
    let files: BTreeSet<String> = support::read_tree(&root.path().join("named"))
        .into_keys()
        .collect();
    for f in [
        "bin/shop.ts",
        "lib/shop-stack.ts",
        "test/shop.test.ts",
        "cdk.json",
        "package.json",
        "tsconfig.json",
        "jest.config.js",
        ".gitignore",
        ".npmignore",
        "README.md",
        "src/api_fn/index.js",
    ] {
        assert!(files.contains(f), "{f} missing from {files:?}");
    }
    // The same handler as the CloudFormation target writes.
    let cfn = root.path().join("cfn");
    let out = archpat()
        .args(["new", "serverless-web", "--iac", "cloudformation", "-o"])
        .arg(&cfn)
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(
        std::fs::read(dir.join("src/api_fn/index.js")).unwrap(),
        std::fs::read(cfn.join("src/api_fn/index.js")).unwrap()
    );
    let bin = std::fs::read_to_string(root.path().join("named/bin/shop.ts")).unwrap();
    assert!(bin.contains("new ShopStack(app, \"shop\""), "{bin}");
    assert!(
        !bin.contains("env: {"),
        "environment-agnostic by default:\n{bin}"
    );
}

#[test]
fn a_region_makes_the_stack_environment_specific() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("p");
    let out = archpat()
        .args([
            "new",
            "serverless-web",
            "--iac",
            "cdk",
            "--region",
            "eu-west-1",
            "-o",
        ])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(out.status.success());
    let bin = std::fs::read_to_string(dir.join("bin/serverless-web.ts")).unwrap();
    assert!(bin.contains("region: \"eu-west-1\""), "{bin}");
}

#[test]
fn user_strings_stay_inside_typescript_string_literals() {
    let root = tempfile::tempdir().unwrap();
    let file = root.path().join("p.yaml");
    std::fs::write(
        &file,
        "id: p\ntitle: \"T\\\"); process.exit(1); (\\\"\"\nsummary: s\ncomponents:\n  - { id: delete, kind: dynamodb-table, label: \"a \\\"quoted\\\" label\\\\ with `ticks` ${x}\" }\n",
    )
    .unwrap();
    let dir = root.path().join("out");
    let out = archpat()
        .args(["new", file.to_str().unwrap(), "--iac", "cdk", "-o"])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stack = std::fs::read_to_string(dir.join("lib/p-stack.ts")).unwrap();
    assert!(
        stack.contains("const delete_ = new dynamodb.Table(this, \"Delete\""),
        "{stack}"
    );
    assert!(
        stack.contains(r#""Name of the table a \"quoted\" label\\ with `ticks` ${x}""#),
        "{stack}"
    );
    let bin = std::fs::read_to_string(dir.join("bin/p.ts")).unwrap();
    assert!(
        bin.contains(r#""T\"); process.exit(1); (\" (archpat"#),
        "{bin}"
    );
}

#[test]
fn a_kind_without_cdk_templates_is_named_with_the_missing_path() {
    let root = tempfile::tempdir().unwrap();
    let file = root.path().join("p.yaml");
    std::fs::write(
        &file,
        "id: p\ntitle: P\nsummary: s\ncomponents:\n  - { id: acl, kind: waf-web-acl }\n",
    )
    .unwrap();
    let out = archpat()
        .args(["new", file.to_str().unwrap(), "--iac", "cdk", "--dry-run"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("no template for component kind `waf-web-acl` (component `acl`): add `templates/cdk/components/waf-web-acl.ts.tera`"),
        "{err}"
    );
}
