//! Shared helpers: running archpat, and finding the external tools installed by
//! `scripts/install-tools.sh`. A missing tool fails the test with what to do; it never skips.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use assert_cmd::cargo::CommandCargoExt;

pub const BUILTINS: [&str; 6] = [
    "data-lake",
    "event-driven",
    "microservices-ecs",
    "microservices-eks",
    "serverless-web",
    "three-tier-web",
];

pub fn archpat() -> Command {
    let mut cmd = Command::cargo_bin("archpat").expect("the archpat binary is built");
    cmd.env_remove("ARCHPAT_PATTERNS_DIR").env("NO_COLOR", "1");
    cmd
}

/// Runs `archpat new PATTERN --iac IAC --no-input -o DIR` with `extra` arguments and fails the
/// test with archpat's message unless it succeeds.
pub fn new_project(pattern: &str, iac: &str, extra: &[&str], dir: &Path) {
    let out = archpat()
        .args(["new", pattern, "--iac", iac, "--no-input"])
        .args(extra)
        .arg("-o")
        .arg(dir)
        .output()
        .expect("archpat runs");
    assert!(
        out.status.success(),
        "archpat new {pattern} --iac {iac} {extra:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Where `scripts/install-tools.sh` puts the validators.
pub fn tools_dir() -> PathBuf {
    std::env::var_os("ARCHPAT_TOOLS")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var_os("HOME").expect("HOME is set"))
                .join(".cache/archpat-tools")
        })
}

/// An external tool, by path relative to the tools folder or by name on PATH.
pub fn tool(relative: &str) -> PathBuf {
    let in_tools = tools_dir().join(relative);
    if in_tools.exists() {
        return in_tools;
    }
    let name = relative.rsplit('/').next().unwrap_or(relative);
    if let Some(found) = std::env::var_os("PATH")
        .iter()
        .flat_map(std::env::split_paths)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
    {
        return found;
    }
    panic!(
        "external tool `{relative}` is missing (looked in {} and on PATH); run `scripts/install-tools.sh`",
        tools_dir().display()
    );
}

pub fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// The user pattern fixtures that must work like built-ins (`tests/fixtures/user-*.yaml`).
pub fn user_fixtures() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(fixtures_dir())
        .expect("tests/fixtures exists")
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("user-") && n.ends_with(".yaml"))
        })
        .collect();
    v.sort();
    v
}

/// The catalog-derived coverage patterns (`tests/fixtures/coverage/coverage-<kind>.yaml`, written
/// by tests/integration/coverage.rs), which every IaC target generates and validates besides the
/// built-ins and the user fixtures. `ARCHPAT_COVERAGE` narrows them while developing: a
/// comma-separated list of kinds (`lambda,sqs-queue`), or `none`; unset means all.
pub fn coverage_fixtures() -> Vec<PathBuf> {
    let all = crate::coverage::committed();
    match std::env::var("ARCHPAT_COVERAGE") {
        Err(_) => all,
        Ok(list) => {
            let wanted: Vec<String> = list
                .split(',')
                .map(|k| format!("coverage-{}.yaml", k.trim()))
                .collect();
            all.into_iter()
                .filter(|p| {
                    let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
                    wanted.iter().any(|w| w == name)
                })
                .collect()
        }
    }
}

/// `(folder name, pattern path)` of every fixture a target test generates: the user fixtures,
/// then the coverage patterns. Folder names are the file stems, unique since the coverage
/// patterns' start with `coverage-` and the others' with `user-`.
pub fn pattern_fixtures() -> Vec<(String, String)> {
    user_fixtures()
        .into_iter()
        .chain(coverage_fixtures())
        .map(|p| {
            (
                p.file_stem().unwrap().to_str().unwrap().to_string(),
                p.to_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// Patterns only some targets generate yet: `tests/fixtures/<target>/*.yaml`, as
/// `(folder name, path)`. The other targets refuse them by their `meta/limits.yaml` (a CLI test
/// checks that), so moving a file up to `tests/fixtures/` is how a target's new support is tested.
pub fn target_fixtures(target: &str) -> Vec<(String, String)> {
    let dir = fixtures_dir().join(target);
    let mut v: Vec<PathBuf> = std::fs::read_dir(&dir)
        .into_iter()
        .flatten()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    v.sort();
    v.into_iter()
        .map(|p| {
            (
                format!("{target}-{}", p.file_stem().unwrap().to_str().unwrap()),
                p.to_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// Runs `archpat new` for every `(folder name, pattern, --set values)` case into `root`, two at a
/// time; returns the folders that generated, in case order, and for each case that did not, its
/// name and what `archpat new` said (every piece the target lacks).
pub fn generate_cases(
    root: &Path,
    iac: &str,
    cases: &[(String, String, Vec<String>)],
) -> (Vec<PathBuf>, Vec<String>) {
    let run = |part: &[(String, String, Vec<String>)]| -> Vec<Result<PathBuf, String>> {
        part.iter()
            .map(|(name, pattern, sets)| {
                let dir = root.join(name);
                let mut cmd = archpat();
                cmd.args(["new", pattern, "--iac", iac, "-o"]).arg(&dir);
                for set in sets {
                    cmd.args(["--set", set]);
                }
                let out = cmd.output().expect("archpat runs");
                if out.status.success() {
                    Ok(dir)
                } else {
                    Err(format!(
                        "generating {name} ({iac}) failed:\n{}",
                        String::from_utf8_lossy(&out.stderr).trim_end()
                    ))
                }
            })
            .collect()
    };
    let results: Vec<Result<PathBuf, String>> = std::thread::scope(|s| {
        let half = cases.len().div_ceil(2);
        let (a, b) = cases.split_at(half);
        let run = &run;
        let first = s.spawn(move || run(a));
        let mut second = run(b);
        let mut all = first.join().expect("generation thread");
        all.append(&mut second);
        all
    });
    let mut dirs = Vec::new();
    let mut failed = Vec::new();
    for r in results {
        match r {
            Ok(d) => dirs.push(d),
            Err(e) => failed.push(e),
        }
    }
    (dirs, failed)
}

/// Ends a validator test: fails with every case that could not be generated and, if `validated`
/// panicked, with the validators' findings on the cases that did, so that one run shows all.
pub fn finish(not_generated: Vec<String>, validated: std::thread::Result<()>) {
    let mut parts = Vec::new();
    if !not_generated.is_empty() {
        parts.push(format!(
            "{} case(s) could not be generated:\n\n{}",
            not_generated.len(),
            not_generated.join("\n\n")
        ));
    }
    if let Err(panic) = validated {
        parts.push(format!(
            "validators on the generated cases:\n{}",
            panic_text(panic)
        ));
    }
    assert!(parts.is_empty(), "{}", parts.join("\n\n"));
}

/// `(project folder, pattern, --set values)`: the built-ins with their defaults and each parameter
/// choice that switches parts of a project. Every IaC target checks the cases of the built-ins it
/// supports, so the targets cannot drift to different variants.
pub const BUILTIN_CASES: &[(&str, &str, &[&str])] = &[
    ("serverless-web", "serverless-web", &[]),
    (
        "serverless-web-python",
        "serverless-web",
        &["runtime=python3.13"],
    ),
    ("three-tier-web", "three-tier-web", &[]),
    (
        "three-tier-web-single-az-db",
        "three-tier-web",
        &["multi_az=false"],
    ),
    (
        "three-tier-web-nat-per-az-3az",
        "three-tier-web",
        &["nat_per_az=true", "az_count=3"],
    ),
    (
        "three-tier-web-mysql",
        "three-tier-web",
        &["db_engine=mysql"],
    ),
    ("event-driven", "event-driven", &[]),
    (
        "event-driven-python",
        "event-driven",
        &["runtime=python3.13"],
    ),
    (
        "event-driven-express",
        "event-driven",
        &["workflow_type=EXPRESS"],
    ),
    (
        "event-driven-cmk",
        "event-driven",
        &["customer_managed_key=true"],
    ),
    ("data-lake", "data-lake", &[]),
    ("data-lake-firehose", "data-lake", &["ingest_firehose=true"]),
    (
        "data-lake-g2x",
        "data-lake",
        &["glue_worker_type=G.2X", "glue_workers=10"],
    ),
    ("microservices-ecs", "microservices-ecs", &[]),
    (
        "microservices-ecs-larger-tasks",
        "microservices-ecs",
        &["cpu=512", "memory=2048", "desired_count=1"],
    ),
    ("microservices-eks", "microservices-eks", &[]),
    (
        "microservices-eks-1-34-m6i",
        "microservices-eks",
        &["kubernetes_version=1.34", "node_instance_type=m6i.large"],
    ),
    (
        "microservices-eks-t3-large-single",
        "microservices-eks",
        &["node_instance_type=t3.large", "node_count=1", "replicas=1"],
    ),
];

/// The cases of the built-ins in `supported`.
pub fn builtin_cases(
    supported: &[&str],
) -> impl Iterator<Item = &'static (&'static str, &'static str, &'static [&'static str])> {
    let supported: Vec<String> = supported.iter().map(|s| s.to_string()).collect();
    BUILTIN_CASES
        .iter()
        .filter(move |(_, pattern, _)| supported.iter().any(|s| s == pattern))
}

/// What checkov's JSON report says: every failed check and parse error as a line, the files it
/// checked, and how many checks passed.
pub struct CheckovReport {
    pub problems: Vec<String>,
    pub checked_files: std::collections::BTreeSet<String>,
    pub passed: u64,
}

pub fn checkov_report(out: &std::process::Output) -> CheckovReport {
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "checkov printed no JSON ({e}):\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let reports = match json {
        serde_json::Value::Array(a) => a,
        other => vec![other],
    };
    let mut report = CheckovReport {
        problems: Vec::new(),
        checked_files: Default::default(),
        passed: 0,
    };
    for r in &reports {
        let summary = &r["summary"];
        report.passed += summary["passed"].as_u64().unwrap_or(0);
        if summary["parsing_errors"].as_u64() != Some(0) {
            report
                .problems
                .push(format!("checkov could not parse some files: {summary}"));
        }
        let checks = |kind: &str| r["results"][kind].as_array().cloned().unwrap_or_default();
        for f in checks("passed_checks") {
            if let Some(path) = f["file_path"].as_str() {
                report.checked_files.insert(path.to_string());
            }
        }
        for f in checks("failed_checks") {
            report.problems.push(format!(
                "checkov {} {} in {}: {}",
                f["check_id"].as_str().unwrap_or("?"),
                f["resource"].as_str().unwrap_or("?"),
                f["file_path"].as_str().unwrap_or("?"),
                f["check_name"].as_str().unwrap_or("?")
            ));
        }
    }
    report
}

/// Runs checkov once over CloudFormation templates; fails on any failed check or parse error.
pub fn assert_checkov_clean_cloudformation(templates: &[PathBuf]) {
    let mut checkov = Command::new(tool("checkov-venv/bin/checkov"));
    for t in templates {
        checkov.arg("-f").arg(t);
    }
    let out = checkov
        .args([
            "--framework",
            "cloudformation",
            "-o",
            "json",
            "--quiet",
            "--skip-download",
        ])
        .output()
        .expect("checkov runs");
    let report = checkov_report(&out);
    assert!(
        report.problems.is_empty(),
        "checkov:\n{}",
        report.problems.join("\n")
    );
    assert!(report.passed > 0, "checkov ran no checks");
}

/// cfn-lint and checkov over `templates` side by side (two processes for two cores); fails with
/// what either found. `lint_args` go to cfn-lint before the file names.
pub fn assert_cfn_lint_and_checkov_clean(templates: &[PathBuf], lint_args: &[&str]) {
    let (lint, checkov) = std::thread::scope(|s| {
        let checkov = s.spawn(|| assert_checkov_clean_cloudformation(templates));
        let lint = Command::new(tool("cfn-lint-venv/bin/cfn-lint"))
            .args(["--format", "parseable"])
            .args(lint_args)
            .arg("--")
            .args(templates)
            .output()
            .expect("cfn-lint runs");
        (lint, checkov.join())
    });
    let mut problems = Vec::new();
    if !lint.status.success() {
        problems.push(format!(
            "cfn-lint exit code {:?}:\n{}{}",
            lint.status.code(),
            String::from_utf8_lossy(&lint.stdout),
            String::from_utf8_lossy(&lint.stderr)
        ));
    }
    if let Err(panic) = checkov {
        problems.push(panic_text(panic));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The text of a panic, for a report that gathers several.
pub fn panic_text(payload: Box<dyn std::any::Any + Send>) -> String {
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "a check panicked".into())
}

/// Every file below `dir` by relative path, with its bytes; empty when `dir` does not exist (a
/// project without app code has no `src/`).
pub fn read_tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    if !dir.exists() {
        return out;
    }
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(dir).unwrap().to_string_lossy().to_string();
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

/// Runs archpat with `args`, which must fail as bad input: exit 1, nothing on stdout; returns
/// stderr.
pub fn refusal(args: &[&str]) -> String {
    let out = archpat().args(args).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{args:?} should fail with exit 1"
    );
    assert!(out.stdout.is_empty());
    String::from_utf8(out.stderr).unwrap()
}
