//! `archpat new --iac terraform`: every supported built-in pattern (with defaults and with each
//! parameter choice that switches parts), every user fixture and every coverage pattern
//! (tests/fixtures/coverage/) generates a project that is `terraform fmt` clean, passes
//! `terraform validate` against the real AWS provider (offline, from the filesystem mirror that
//! `scripts/install-tools.sh` configures) and checkov; snapshots;
//! determinism; and the CLI's refusals. That it creates the CloudFormation target's resource
//! types per component is `archpat compare`'s to check (tests/integration/compare.rs).
//!
//! All projects are generated into one folder; terraform runs in a few threads and checkov once
//! over the folder, with failures attributed to files from the JSON.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

use crate::support::{self, archpat};

/// Built-in patterns whose every kind has Terraform templates.
const SUPPORTED_BUILTINS: &[&str] = &[
    "serverless-web",
    "three-tier-web",
    "event-driven",
    "data-lake",
    "microservices-ecs",
    "microservices-eks",
];

fn new_project(pattern: &str, iac: &str, sets: &[&str], dir: &Path) -> std::process::Output {
    let mut cmd = archpat();
    cmd.args(["new", pattern, "--iac", iac, "-o"]).arg(dir);
    for s in sets {
        cmd.args(["--set", s]);
    }
    cmd.output().expect("archpat runs")
}

/// Every case: `(folder name, pattern id or fixture path, --set values)`.
fn all_cases() -> Vec<(String, String, Vec<&'static str>)> {
    let mut cases: Vec<(String, String, Vec<&'static str>)> =
        support::builtin_cases(SUPPORTED_BUILTINS)
            .map(|(name, pattern, sets)| (name.to_string(), pattern.to_string(), sets.to_vec()))
            .collect();
    for fixture in support::user_fixtures() {
        let name = fixture.file_stem().unwrap().to_str().unwrap().to_string();
        cases.push((name, fixture.to_str().unwrap().to_string(), Vec::new()));
    }
    cases
}

/// What the validator test generates: every case and the coverage patterns.
fn validator_cases() -> Vec<(String, String, Vec<String>)> {
    let mut cases: Vec<(String, String, Vec<String>)> = all_cases()
        .into_iter()
        .map(|(name, pattern, sets)| (name, pattern, sets.iter().map(|s| s.to_string()).collect()))
        .collect();
    for fixture in support::coverage_fixtures() {
        let name = fixture.file_stem().unwrap().to_str().unwrap().to_string();
        cases.push((name, fixture.to_str().unwrap().to_string(), Vec::new()));
    }
    cases
}

fn generate_all(root: &Path, iac: &str) -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    for (name, pattern, sets) in all_cases() {
        let dir = root.join(&name);
        let out = new_project(&pattern, iac, &sets, &dir);
        assert!(
            out.status.success(),
            "generating {name} ({iac}) failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        dirs.push(dir);
    }
    dirs
}

/// The terraform binary and the CLI configuration pointing at the provider mirror; a missing piece
/// fails the test with what is missing.
pub fn terraform() -> (PathBuf, PathBuf) {
    let binary = support::tool("terraform");
    let rc = support::tools_dir().join("terraformrc");
    let mirror = mirror(&rc);
    assert!(
        provider_dir(Path::new(&mirror)).is_some(),
        "the AWS provider is missing from the mirror `{mirror}` (named in `{}`); run `scripts/install-tools.sh`",
        rc.display()
    );
    (binary, rc)
}

/// The `filesystem_mirror` path the CLI configuration `rc` names.
fn mirror(rc: &Path) -> String {
    let text = std::fs::read_to_string(rc).unwrap_or_else(|e| {
        panic!(
            "the Terraform CLI configuration `{}` is missing ({e}); run `scripts/install-tools.sh`",
            rc.display()
        )
    });
    text.lines()
        .find_map(|l| {
            let (key, value) = l.split_once('=')?;
            (key.trim() == "path").then(|| value.trim().trim_matches('"').to_string())
        })
        .unwrap_or_else(|| panic!("`{}` names no filesystem_mirror path", rc.display()))
}

/// The mirror holds `<registry host>/hashicorp/aws/<version>/<platform>`.
fn provider_dir(mirror: &Path) -> Option<PathBuf> {
    std::fs::read_dir(mirror)
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .map(|host| host.path().join("hashicorp/aws"))
        .find(|p| p.is_dir())
}

/// terraform in `dir` with the offline provider mirror and none of the machine's own settings.
///
/// `GOGC=400` (terraform passes its environment to the provider it starts): most of a command's
/// CPU is the AWS provider building its schema of every resource type at each start, about 4 s
/// of garbage collection-heavy work; collecting a quarter as often cuts a `terraform plan` from
/// 11.9 to 8.5 CPU seconds for a peak of 790 instead of 630 MiB (three-tier-web, measured).
pub fn command(binary: &Path, rc: &Path, dir: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(binary);
    cmd.args(args)
        .current_dir(dir)
        .env("TF_CLI_CONFIG_FILE", rc)
        .env("TF_IN_AUTOMATION", "1")
        .env("CHECKPOINT_DISABLE", "1")
        .env("GOGC", "400")
        .env_remove("TF_PLUGIN_CACHE_DIR")
        .env_remove("TF_CLI_ARGS");
    cmd
}

fn run_terraform(binary: &Path, rc: &Path, dir: &Path, args: &[&str]) -> std::process::Output {
    command(binary, rc, dir, args)
        .output()
        .expect("terraform runs")
}

/// fmt, init and validate (through the plan gate where the project has one) of one project;
/// problems as text.
fn check_project(binary: &Path, rc: &Path, dir: &Path) -> Vec<String> {
    let name = dir.file_name().unwrap().to_string_lossy().to_string();
    let mut problems = Vec::new();
    let fmt = run_terraform(binary, rc, dir, &["fmt", "-check", "-recursive"]);
    if !fmt.status.success() {
        problems.push(format!(
            "{name}: terraform fmt -check: files not formatted: {}{}",
            String::from_utf8_lossy(&fmt.stdout).trim(),
            String::from_utf8_lossy(&fmt.stderr).trim()
        ));
    }
    let init = run_terraform(
        binary,
        rc,
        dir,
        &["init", "-backend=false", "-input=false", "-no-color"],
    );
    if !init.status.success() {
        problems.push(format!(
            "{name}: terraform init failed:\n{}",
            String::from_utf8_lossy(&init.stderr)
        ));
        return problems;
    }
    // `terraform test` validates the configuration before it plans, so a project with a plan gate
    // needs no separate `terraform validate` (each loads the AWS provider's schema: about 5 s of
    // CPU a project).
    if dir.join("tests/plan.tftest.hcl").is_file() {
        problems.extend(plan_gate(binary, rc, dir));
        return problems;
    }
    let validate = run_terraform(binary, rc, dir, &["validate", "-json", "-no-color"]);
    let json: serde_json::Value = serde_json::from_slice(&validate.stdout).unwrap_or_else(|e| {
        panic!(
            "{name}: terraform validate printed no JSON ({e}):\n{}",
            String::from_utf8_lossy(&validate.stderr)
        )
    });
    if json["valid"] != true
        || json["error_count"] != 0
        || json["warning_count"] != 0
        || !validate.status.success()
    {
        for d in json["diagnostics"].as_array().into_iter().flatten() {
            problems.push(format!(
                "{name}: {} {}:{}: {}: {}",
                d["severity"].as_str().unwrap_or("?"),
                d["range"]["filename"].as_str().unwrap_or("?"),
                d["range"]["start"]["line"],
                d["summary"].as_str().unwrap_or("?"),
                d["detail"].as_str().unwrap_or("")
            ));
        }
        if problems.is_empty() {
            problems.push(format!("{name}: terraform validate: {json}"));
        }
    }
    problems
}

/// The project's offline plan gate (`make plan-test`: build the function zips, then
/// `terraform test` against the mocked provider), where the project has one; problems as text.
pub fn plan_gate(binary: &Path, rc: &Path, dir: &Path) -> Vec<String> {
    let name = dir.file_name().unwrap().to_string_lossy().to_string();
    if !dir.join("tests/plan.tftest.hcl").is_file() {
        return Vec::new();
    }
    // As the README says before any plan: the example values (a public load balancer's
    // certificate, say) in terraform.tfvars.
    let example = dir.join("terraform.tfvars.example");
    if example.is_file() && !dir.join("terraform.tfvars").exists() {
        std::fs::copy(&example, dir.join("terraform.tfvars")).unwrap();
    }
    let build = Command::new("make")
        .args(["-s", "build"])
        .current_dir(dir)
        .output()
        .expect("make runs");
    if !build.status.success() {
        return vec![format!(
            "{name}: make build failed:\n{}",
            String::from_utf8_lossy(&build.stderr)
        )];
    }
    let test = run_terraform(binary, rc, dir, &["test", "-no-color"]);
    let printed = format!(
        "{}{}",
        String::from_utf8_lossy(&test.stdout),
        String::from_utf8_lossy(&test.stderr)
    );
    // What `terraform validate` would count as a warning, the test prints too.
    let warnings: Vec<&str> = printed
        .lines()
        .filter(|l| l.trim_start_matches(['│', ' ']).starts_with("Warning:"))
        .collect();
    if test.status.success() && warnings.is_empty() {
        return Vec::new();
    }
    if test.status.success() {
        return vec![format!(
            "{name}: terraform test (the mock-provider plan gate) warned:\n{printed}"
        )];
    }
    vec![format!(
        "{name}: terraform test (the mock-provider plan gate) failed:\n{}{}",
        String::from_utf8_lossy(&test.stdout),
        String::from_utf8_lossy(&test.stderr)
    )]
}

#[test]
fn every_generated_project_passes_terraform_validate_fmt_and_checkov() {
    let (binary, rc) = terraform();
    let checkov_bin = support::tool("checkov-venv/bin/checkov");
    assert!(
        support::user_fixtures().len() >= 5,
        "expected at least 5 tests/fixtures/user-*.yaml"
    );
    let root = tempfile::tempdir().unwrap();
    let started = std::time::Instant::now();
    let (mut dirs, not_generated) =
        support::generate_cases(root.path(), "terraform", &validator_cases());
    // Projects the user edited and then updated go through the same validators.
    dirs.extend(crate::update::updated_projects(root.path(), "terraform"));
    let generated = started.elapsed();
    let validated =
        std::panic::catch_unwind(|| validate_all(&binary, &rc, &checkov_bin, root.path(), &dirs));
    eprintln!(
        "terraform: {} projects: generate {generated:.1?}, terraform fmt/init/validate + checkov {:.1?}",
        dirs.len(),
        started.elapsed() - generated
    );
    support::finish(not_generated, validated);
}

/// checkov once over the tree and terraform fmt, init and validate two projects at a time;
/// panics with every problem found.
fn validate_all(binary: &Path, rc: &Path, checkov_bin: &Path, root: &Path, dirs: &[PathBuf]) {
    // checkov runs over the whole tree while terraform checks the projects one by one (checkov
    // skips the .terraform folders that init creates). It reads each configuration at its
    // defaults, as `make lint` does: the plan gate copies the dev values into terraform.tfvars
    // meanwhile, and whether checkov saw them would depend on the timing.
    let checkov = Command::new(checkov_bin)
        .arg("-d")
        .arg(root)
        .args(["--framework", "terraform", "-o", "json", "--skip-download"])
        .args(["--skip-path", "terraform.tfvars"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("checkov runs");

    // terraform fmt, init and validate, a few projects at a time.
    let queue = Mutex::new(dirs.to_vec());
    let found = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| {
                loop {
                    let Some(dir) = queue.lock().unwrap().pop() else {
                        break;
                    };
                    let p = check_project(binary, rc, &dir);
                    found.lock().unwrap().extend(p);
                }
            });
        }
    });
    let out = checkov.wait_with_output().expect("checkov runs");
    let support::CheckovReport {
        mut problems,
        checked_files,
        passed,
    } = support::checkov_report(&out);
    assert!(passed > 0, "checkov ran no checks");
    for d in dirs {
        let name = d.file_name().unwrap().to_string_lossy().to_string();
        assert!(
            checked_files
                .iter()
                .any(|f| f.contains(&format!("/{name}/"))),
            "checkov checked nothing in {name}"
        );
    }

    problems.extend(found.into_inner().unwrap());
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn lambda_handlers_are_the_same_code_as_the_cloudformation_target_writes() {
    let root = tempfile::tempdir().unwrap();
    let tf_dirs = generate_all(&root.path().join("terraform"), "terraform");
    let cfn_dirs = generate_all(&root.path().join("cloudformation"), "cloudformation");
    let mut compared = 0;
    for (tf, cfn) in tf_dirs.iter().zip(&cfn_dirs) {
        let tf_src = support::read_tree(&tf.join("src"));
        let cfn_src = support::read_tree(&cfn.join("src"));
        assert_eq!(
            tf_src.keys().collect::<Vec<_>>(),
            cfn_src.keys().collect::<Vec<_>>(),
            "{}: different handler files",
            tf.display()
        );
        for (path, code) in &tf_src {
            assert_eq!(
                String::from_utf8_lossy(code),
                String::from_utf8_lossy(&cfn_src[path]),
                "{}: src/{path} differs from the CloudFormation target's",
                tf.display()
            );
            compared += 1;
        }
    }
    assert!(compared >= 9, "only {compared} handlers compared");
}

/// The `.tf` files of a project, in name order, each under a header line.
fn tf_files(dir: &Path) -> String {
    support::read_tree(dir)
        .into_iter()
        .filter(|(path, _)| path.ends_with(".tf") && !path.contains('/'))
        .map(|(path, text)| format!("==> {path} <==\n{}", String::from_utf8(text).unwrap()))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn projects_match_snapshots() {
    let root = tempfile::tempdir().unwrap();
    for id in SUPPORTED_BUILTINS {
        let dir = root.path().join(id);
        let out = new_project(id, "terraform", &[], &dir);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        insta::assert_snapshot!(format!("terraform-{id}-tf"), tf_files(&dir));
        let readme = std::fs::read_to_string(dir.join("README.md")).unwrap();
        insta::assert_snapshot!(format!("terraform-{id}-readme"), readme);
    }
}

/// Every built-in has the offline plan gate, and it refuses what `terraform validate` accepts:
/// a role's name where a Lambda function needs the role's ARN.
#[test]
fn the_plan_gate_catches_a_name_where_an_arn_is_needed() {
    for id in SUPPORTED_BUILTINS {
        let root = tempfile::tempdir().unwrap();
        let out = new_project(id, "terraform", &[], root.path());
        assert!(
            out.status.success(),
            "{id}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            root.path().join("tests/plan.tftest.hcl").is_file(),
            "{id}: no tests/plan.tftest.hcl"
        );
    }
    let (binary, rc) = terraform();
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("serverless-web");
    assert!(
        new_project("serverless-web", "terraform", &[], &dir)
            .status
            .success()
    );
    let compute = dir.join("compute.tf");
    let text = std::fs::read_to_string(&compute).unwrap();
    let line = text
        .lines()
        .find(|l| l.trim_start().starts_with("role ") && l.trim_end().ends_with(".arn"))
        .expect("a Lambda function's `role = aws_iam_role.<name>.arn`")
        .to_string();
    let broken = text.replace(&line, &line.replace(".arn", ".name"));
    std::fs::write(&compute, broken).unwrap();
    let problems = check_project(&binary, &rc, &dir);
    assert_eq!(problems.len(), 1, "{problems:#?}");
    assert!(
        problems[0].contains("plan gate") && problems[0].contains("invalid ARN"),
        "{}",
        problems[0]
    );
}

#[test]
fn generation_is_deterministic() {
    let root = tempfile::tempdir().unwrap();
    for id in SUPPORTED_BUILTINS {
        let a = root.path().join(format!("{id}-a"));
        let b = root.path().join(format!("{id}-b"));
        assert!(new_project(id, "terraform", &[], &a).status.success());
        assert!(new_project(id, "terraform", &[], &b).status.success());
        assert_eq!(
            support::read_tree(&a),
            support::read_tree(&b),
            "{id}: two runs differ"
        );
    }
}

#[test]
fn the_project_has_the_standard_layout() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("p");
    let out = new_project("three-tier-web", "terraform", &[], &dir);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for file in [
        "versions.tf",
        "providers.tf",
        "variables.tf",
        "main.tf",
        "network.tf",
        "edge.tf",
        "compute.tf",
        "data.tf",
        "iam.tf",
        "monitoring.tf",
        "outputs.tf",
        "terraform.tfvars.example",
        ".gitignore",
        "Makefile",
        "README.md",
        "app/web/user-data.sh",
    ] {
        assert!(dir.join(file).is_file(), "missing {file}");
    }
    let versions = std::fs::read_to_string(dir.join("versions.tf")).unwrap();
    assert!(
        versions.contains(r#"version = ">= 5.100, < 7.0""#),
        "{versions}"
    );
    let providers = std::fs::read_to_string(dir.join("providers.tf")).unwrap();
    for tag in ["project", "pattern", "managed-by"] {
        assert!(providers.contains(&format!("      {tag} ")), "{providers}");
    }
    let variables = std::fs::read_to_string(dir.join("variables.tf")).unwrap();
    assert!(variables.contains("validation {"), "{variables}");
    // A serverless pattern has no network.tf and builds its Lambda zips with make.
    let dir = root.path().join("s");
    assert!(
        new_project("serverless-web", "terraform", &[], &dir)
            .status
            .success()
    );
    assert!(!dir.join("network.tf").exists());
    let makefile = std::fs::read_to_string(dir.join("Makefile")).unwrap();
    assert!(makefile.contains("FUNCTIONS := api_fn"), "{makefile}");
    assert!(makefile.contains("zip -qrX"), "{makefile}");
    let readme = std::fs::read_to_string(dir.join("README.md")).unwrap();
    assert!(readme.contains("```mermaid"), "{readme}");
    assert!(
        readme.contains("| `compute.tf` | `aws_lambda_function.api_fn` |"),
        "{readme}"
    );
    assert!(readme.contains("make plan"), "{readme}");
}

#[test]
fn user_strings_are_escaped_for_hcl() {
    let root = tempfile::tempdir().unwrap();
    let file = root.path().join("p.yaml");
    std::fs::write(
        &file,
        concat!(
            "id: p\ntitle: 'T ${x} %{y}'\nsummary: s\ncomponents:\n",
            "  - { id: t, kind: dynamodb-table, label: 'Say \"hi\" \\ ${var.x} %{ if 1 }' }\n",
        ),
    )
    .unwrap();
    let dir = root.path().join("out");
    let out = new_project(file.to_str().unwrap(), "terraform", &[], &dir);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let outputs = std::fs::read_to_string(dir.join("outputs.tf")).unwrap();
    assert!(
        outputs.contains(r#"description = "Name of the table Say \"hi\" \\ $${var.x} %%{ if 1 }""#),
        "{outputs}"
    );
    let (binary, rc) = terraform();
    let problems = check_project(&binary, &rc, &dir);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn a_user_pattern_generates_with_the_cli() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("api");
    let fixture = support::fixtures_dir().join("user-private-api.yaml");
    let out = archpat()
        .args([
            "new",
            fixture.to_str().unwrap(),
            "--iac",
            "terraform",
            "--name",
            "shop",
            "--region",
            "eu-west-1",
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
    for f in [
        "edge.tf",
        "compute.tf",
        "data.tf",
        "src/catalogue_fn/index.py",
    ] {
        assert!(listing.contains(f), "{listing}");
    }
    let note = String::from_utf8(out.stderr).unwrap();
    assert!(note.contains("make plan"), "{note}");
    let variables = std::fs::read_to_string(dir.join("variables.tf")).unwrap();
    assert!(
        variables.contains(r#"default     = "eu-west-1""#),
        "{variables}"
    );
    assert!(variables.contains(r#"default     = "shop""#), "{variables}");
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
            "terraform",
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
    assert!(listing.contains("compute.tf"), "{listing}");
    assert!(listing.contains("src/api_fn/index.js"), "{listing}");
    assert!(!dir.exists(), "dry run created the folder");
    assert_eq!(std::fs::read_dir(root.path()).unwrap().count(), 0);
}

#[test]
fn refuses_what_the_cloudformation_target_refuses() {
    let root = tempfile::tempdir().unwrap();
    std::fs::write(root.path().join("keep.txt"), "mine").unwrap();
    let full = root.path().to_str().unwrap();
    let err = support::refusal(&["new", "serverless-web", "--iac", "terraform", "-o", full]);
    assert!(
        err.contains(&format!("output folder `{full}` is not empty")),
        "{err}"
    );
    let dir = root.path().join("p");
    let dir = dir.to_str().unwrap();
    for (set, message) in [
        ("runtime", "`--set runtime` is not of the form `name=value`"),
        ("runtim=x", "has no parameter `runtim`"),
        ("runtime=java", "bad value for parameter `runtime`"),
    ] {
        let err = support::refusal(&[
            "new",
            "serverless-web",
            "--iac",
            "terraform",
            "-o",
            dir,
            "--set",
            set,
        ]);
        assert!(err.contains(message), "{err}");
    }
    for name in ["../evil", "a/b", "say\"hi", "it's"] {
        let err = support::refusal(&[
            "new",
            "serverless-web",
            "--iac",
            "terraform",
            "--name",
            name,
            "-o",
            dir,
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
        "terraform",
        "--region",
        "../x",
        "--dry-run",
    ]);
    assert!(err.contains("invalid region `../x`"), "{err}");
    assert!(!Path::new(dir).exists());
}
