//! `archpat new --iac cdk`: every supported built-in pattern (with defaults and with each parameter
//! choice that switches parts), every supported user fixture and every coverage pattern generates a
//! TypeScript project that compiles (`tsc`), synthesizes (the app run directly with ts-node, as
//! `cdk synth` runs it) with no cdk-nag AwsSolutions finding left unacknowledged, and whose
//! synthesized template passes cfn-lint and checkov; the generated jest tests pass for
//! representative projects. That the synthesized templates have the CloudFormation target's
//! resource types per component is `archpat compare --synth`'s to check
//! (tests/integration/compare.rs).
//!
//! The validators run batched, so the suite stays fast on two cores: one `tsc` over every project,
//! one Node.js process that synthesizes every app and runs cdk-nag on its stacks (beside tsc), one
//! cfn-lint and one checkov over all templates, one jest run over the representative projects.
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
    "user-dr-backup-restore",
    "user-dr-pilot-light",
    "user-fanout",
    "user-private-api",
    "user-queue-worker",
    "user-s3-ingest",
    "user-stream-proxy",
    "user-two-vpcs",
];

/// Projects whose generated jest tests run too: they take 10-20 s each, so representative ones
/// (serverless; VPC, load balancer and database; events and workflows; EKS; messaging; S3 events
/// with granular cdk-nag acknowledgements; stacks in two regions) rather than every case.
const JEST_CASES: &[&str] = &[
    "event-driven",
    "microservices-eks",
    "serverless-web",
    "three-tier-web",
    "user-dr-pilot-light",
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

/// The context `cdk synth` gives an app: the feature flags of cdk.json and what the CLI adds
/// (construct paths and asset metadata in the template, version reporting); and the app's entry
/// file.
fn synth_context(dir: &Path) -> (serde_json::Value, String) {
    let cdk_json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("cdk.json")).unwrap()).unwrap();
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
    (context, app.rsplit(' ').next().unwrap().to_string())
}

/// Type-checks every project with one `tsc` per distinct tsconfig.json (they are all the same
/// template, so normally one run): loading the CDK's type declarations dominates, and is paid
/// once. Problems name the project's folder (tsc prints paths relative to `root`).
fn compile_all(root: &Path, dirs: &[PathBuf], modules: &Path) -> Vec<String> {
    let mut groups: Vec<(String, Vec<&PathBuf>)> = Vec::new();
    for d in dirs {
        let config = std::fs::read_to_string(d.join("tsconfig.json")).unwrap();
        match groups.iter_mut().find(|(c, _)| *c == config) {
            Some((_, members)) => members.push(d),
            None => groups.push((config, vec![d])),
        }
    }
    let mut problems = Vec::new();
    for (n, (_, members)) in groups.iter().enumerate() {
        let name = |d: &PathBuf| d.file_name().unwrap().to_str().unwrap().to_string();
        let include: Vec<String> = members
            .iter()
            .flat_map(|d| ["bin", "lib", "test"].map(|sub| format!("{}/{sub}/**/*.ts", name(d))))
            .collect();
        let config = serde_json::json!({
            "extends": format!("./{}/tsconfig.json", name(members[0])),
            "include": include,
        });
        let file = root.join(format!("tsconfig.all-{n}.json"));
        std::fs::write(&file, config.to_string()).unwrap();
        let (ok, out) = run(
            root,
            &modules.join(".bin/tsc"),
            &["--noEmit", "-p", file.to_str().unwrap()],
            &[],
        );
        if !ok {
            problems.push(format!(
                "tsc failed ({} projects, paths relative to {}):\n{out}",
                members.len(),
                root.display()
            ));
        }
    }
    problems
}

/// Runs each app's bin file in one Node.js process, as `cdk synth` would run it alone: its own
/// working folder, context (CDK_CONTEXT_JSON) and cloud assembly folder (CDK_OUTDIR), and its
/// App synthesized at once (the hook an App registers to synthesize at exit is called and
/// removed). Then cdk-nag's AwsSolutions rules check every stack of the app, as the projects' own
/// jest tests do. Starting ts-node and loading the CDK once is what makes many apps cheap.
/// Writes `{dir: {error, nag: [finding]}}` to the file named by its last argument.
const SYNTH_DRIVER: &str = r#"const fs = require("node:fs");
const path = require("node:path");
const [projectsFile, tsNode, resultsFile] = process.argv.slice(2);
const projects = JSON.parse(fs.readFileSync(projectsFile, "utf8"));
require(tsNode).register({ transpileOnly: true, preferTsExts: true, project: path.join(projects[0].dir, "tsconfig.json") });
const modules = path.join(projects[0].dir, "node_modules");
const cdk = require(path.join(modules, "aws-cdk-lib"));
const { AwsSolutionsChecks } = require(path.join(modules, "cdk-nag"));
const apps = [];
const synth = cdk.App.prototype.synth;
cdk.App.prototype.synth = function (...args) {
  apps.push(this);
  return synth.apply(this, args);
};
const results = {};
for (const p of projects) {
  const result = { error: null, nag: [] };
  results[p.dir] = result;
  process.env.CDK_OUTDIR = path.join(p.dir, "cdk.out");
  process.env.CDK_CONTEXT_JSON = JSON.stringify(p.context);
  process.chdir(p.dir);
  const before = new Set(process.listeners("beforeExit"));
  apps.length = 0;
  try {
    require(path.join(p.dir, p.entry));
    for (const hook of process.listeners("beforeExit")) {
      if (!before.has(hook)) {
        process.removeListener("beforeExit", hook);
        hook();
      }
    }
    for (const app of apps) {
      for (const stack of app.node.findAll().filter((c) => cdk.Stack.isStack(c))) {
        for (const v of new AwsSolutionsChecks().validateScope(stack).violations) {
          result.nag.push(`${v.ruleName} (${v.severity}): ${v.violatingResources.map((r) => r.constructPath).join(", ")}`);
        }
      }
    }
  } catch (e) {
    result.error = String((e && e.stack) || e);
  }
  for (const hook of process.listeners("beforeExit")) {
    if (!before.has(hook)) process.removeListener("beforeExit", hook);
  }
  apps.length = 0;
  // Let the app's constructs be collected: nothing needs them once the assembly is written.
  const real = fs.realpathSync(p.dir) + path.sep;
  for (const key of Object.keys(require.cache)) {
    if (key.startsWith(real) && !key.includes(`${path.sep}node_modules${path.sep}`)) delete require.cache[key];
  }
}
fs.writeFileSync(resultsFile, JSON.stringify(results));
"#;

/// Synthesizes every project in `processes` Node.js processes; returns each project's template
/// (`Err` with what went wrong for a project that has none) and cdk-nag's findings, each naming
/// its project.
fn synth_all(
    root: &Path,
    dirs: &[PathBuf],
    modules: &Path,
    processes: usize,
) -> (Vec<Result<Vec<PathBuf>, String>>, Vec<String>) {
    let driver = root.join("synth-all.js");
    std::fs::write(&driver, SYNTH_DRIVER).unwrap();
    let ts_node = modules.join("ts-node");
    let chunk = dirs.len().div_ceil(processes.max(1)).max(1);
    let outputs: Vec<(PathBuf, String)> = std::thread::scope(|s| {
        let handles: Vec<_> = dirs
            .chunks(chunk)
            .enumerate()
            .map(|(n, part)| {
                let (driver, ts_node) = (&driver, &ts_node);
                s.spawn(move || {
                    let list: Vec<serde_json::Value> = part
                        .iter()
                        .map(|d| {
                            let (context, entry) = synth_context(d);
                            serde_json::json!({"dir": d, "entry": entry, "context": context})
                        })
                        .collect();
                    let file = root.join(format!("synth-all-{n}.json"));
                    let results = root.join(format!("synth-all-{n}.results.json"));
                    std::fs::write(&file, serde_json::Value::Array(list).to_string()).unwrap();
                    let (_, out) = run(
                        root,
                        Path::new("node"),
                        &[
                            driver.to_str().unwrap(),
                            file.to_str().unwrap(),
                            ts_node.to_str().unwrap(),
                            results.to_str().unwrap(),
                        ],
                        &[],
                    );
                    (results, out)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut results = serde_json::Map::new();
    let mut log = String::new();
    for (file, out) in outputs {
        match std::fs::read_to_string(&file)
            .ok()
            .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
        {
            Some(serde_json::Value::Object(m)) => results.extend(m),
            _ => log.push_str(&out),
        }
    }
    let mut nag = Vec::new();
    let templates = dirs
        .iter()
        .map(|d| {
            let key = d.to_str().unwrap();
            let result = &results.get(key).cloned().unwrap_or_default();
            for finding in result["nag"].as_array().into_iter().flatten() {
                nag.push(format!(
                    "cdk-nag in {}: {}",
                    d.display(),
                    finding.as_str().unwrap_or("?")
                ));
            }
            if let Some(error) = result["error"].as_str() {
                return Err(format!("synth failed in {}:\n{error}", d.display()));
            }
            stack_templates(&d.join("cdk.out")).ok_or_else(|| {
                format!(
                    "no template in {}/cdk.out; synth printed:\n{log}",
                    d.display()
                )
            })
        })
        .collect();
    (templates, nag)
}

/// Every stack's template in a cloud assembly, the main stack's first: the app's other stacks
/// (CloudFront's parts in us-east-1, each region's) are named after it with a suffix, so its name
/// is the shortest. `None` when there is none.
fn stack_templates(out: &Path) -> Option<Vec<PathBuf>> {
    let mut all: Vec<PathBuf> = std::fs::read_dir(out)
        .ok()?
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".template.json"))
        .collect();
    all.sort_by_key(|p| (p.as_os_str().len(), p.clone()));
    (!all.is_empty()).then_some(all)
}

fn lint_and_checkov(templates: &[PathBuf]) {
    // W3005 (a DependsOn that a reference already implies) comes from CDK's own wiring.
    support::assert_cfn_lint_and_checkov_clean(templates, &["--ignore-checks", "W3005"]);
}

/// Every case generated, compiled and synthesized once, for the tests that need the templates.
struct Synthesized {
    _root: tempfile::TempDir,
    /// The projects that synthesized, and their main stacks' templates.
    dirs: Vec<PathBuf>,
    templates: Vec<PathBuf>,
    /// Every stack's template of every project (other regions' stacks too), for the linters.
    all_templates: Vec<PathBuf>,
    /// Cases `archpat new` refused (with its list of what the target lacks).
    not_generated: Vec<String>,
    /// tsc errors and projects that did not synthesize.
    problems: Vec<String>,
    took: std::time::Duration,
    timings: String,
}

/// The template synthesized for the case named `name` (a built-in's default case is named after
/// it), for tests that read synthesized templates without running `cdk synth` again.
pub fn synthesized_template(name: &str) -> Option<PathBuf> {
    let all = synthesized();
    all.dirs
        .iter()
        .zip(&all.templates)
        .find(|(d, _)| d.file_name().is_some_and(|n| n == name))
        .map(|(_, t)| t.clone())
}

fn synthesized() -> &'static Synthesized {
    static ONCE: std::sync::OnceLock<Synthesized> = std::sync::OnceLock::new();
    ONCE.get_or_init(synthesize_all)
}

/// The built-ins' cases, the user fixtures of FIXTURES and the coverage patterns.
fn all_cases() -> Vec<(String, String, Vec<String>)> {
    let owned = |sets: &[&str]| sets.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    support::builtin_cases(SUPPORTED_BUILTINS)
        .map(|(name, pattern, sets)| (name.to_string(), pattern.to_string(), owned(sets)))
        .chain(
            FIXTURES
                .iter()
                .map(|f| (f.to_string(), fixture_or_builtin(f), Vec::new())),
        )
        .chain(support::coverage_fixtures().into_iter().map(|p| {
            (
                p.file_stem().unwrap().to_str().unwrap().to_string(),
                p.to_str().unwrap().to_string(),
                Vec::new(),
            )
        }))
        .collect()
}

fn synthesize_all() -> Synthesized {
    let modules = cdk_modules();
    let root = tempfile::tempdir().unwrap();
    let started = std::time::Instant::now();
    let (mut generated, not_generated) = support::generate_cases(root.path(), "cdk", &all_cases());
    // Projects the user edited and then updated go through the same validators.
    generated.extend(crate::update::updated_projects(root.path(), "cdk"));
    // Every built-in with hostile text in every free-text field: type-checked with the rest, so
    // tsc itself says that no label left its string literal (not synthesized: see
    // `hostile::VALIDATED`).
    let hostile_cases: Vec<(String, String, Vec<String>)> =
        crate::hostile::hostile_builtin_files(&root.path().join("hostile-patterns"))
            .into_iter()
            .map(|(name, file)| (name, file.to_str().unwrap().to_string(), Vec::new()))
            .collect();
    let (hostile, hostile_refused) = support::generate_cases(root.path(), "cdk", &hostile_cases);
    let mut not_generated = not_generated;
    not_generated.extend(hostile_refused);
    for dir in generated.iter().chain(&hostile) {
        link_modules(dir, &modules);
    }
    let typed: Vec<PathBuf> = generated.iter().chain(&hostile).cloned().collect();
    let generate_took = started.elapsed();
    // tsc and the synth process at once: two cores.
    let (mut problems, synth) = std::thread::scope(|s| {
        let tsc = s.spawn(|| {
            let t = std::time::Instant::now();
            (compile_all(root.path(), &typed, &modules), t.elapsed())
        });
        let t = std::time::Instant::now();
        let (synth, nag) = synth_all(root.path(), &generated, &modules, 1);
        let synth_took = t.elapsed();
        let (mut problems, tsc_took) = tsc.join().expect("tsc thread");
        problems.extend(nag);
        (problems, (synth, synth_took, tsc_took))
    });
    let (results, synth_took, tsc_took) = synth;
    let mut dirs = Vec::new();
    let mut templates = Vec::new();
    let mut all_templates = Vec::new();
    for (dir, result) in generated.iter().zip(results) {
        match result {
            Ok(t) => {
                dirs.push(dir.clone());
                templates.push(t[0].clone());
                all_templates.extend(t);
            }
            Err(e) => problems.push(e),
        }
    }
    Synthesized {
        _root: root,
        timings: format!(
            "generate {generate_took:.1?}, tsc {tsc_took:.1?} and synth + cdk-nag {synth_took:.1?} side by side"
        ),
        dirs,
        templates,
        all_templates,
        not_generated,
        problems,
        took: started.elapsed(),
    }
}

#[test]
fn every_generated_project_compiles_synthesizes_and_passes_cfn_lint_checkov_and_its_tests() {
    let modules = cdk_modules();
    let started = std::time::Instant::now();
    let all = synthesized();
    let synthesized = started.elapsed();
    let validated = std::panic::catch_unwind(|| {
        let (dirs, templates) = (&all.dirs, &all.templates);
        let mut problems = all.problems.clone();
        if let Err(p) = std::panic::catch_unwind(|| lint_and_checkov(&all.all_templates)) {
            problems.push(support::panic_text(p));
        }
        let linted = started.elapsed();

        // One jest run over the representative projects, two test files at a time: the
        // generated tests' own assertions (cdk-nag ran over every project with the synth).
        // `ARCHPAT_JEST_ALL=1` adds every coverage project.
        let coverage: Vec<String> =
            if std::env::var_os("ARCHPAT_JEST_ALL").is_some_and(|v| v == "1") {
                support::coverage_fixtures()
                    .iter()
                    .map(|p| p.file_stem().unwrap().to_str().unwrap().to_string())
                    .collect()
            } else {
                Vec::new()
            };
        for j in JEST_CASES {
            if !all_cases().iter().any(|(name, _, _)| name == j) {
                problems.push(format!("JEST_CASES entry `{j}` is not a case"));
            }
        }
        let jest_dirs: Vec<&PathBuf> = dirs
            .iter()
            .filter(|d| {
                JEST_CASES
                    .iter()
                    .copied()
                    .chain(coverage.iter().map(String::as_str))
                    .any(|j| d.ends_with(j))
            })
            .collect();
        let jest_ran = jest_dirs.len();
        if !jest_dirs.is_empty() {
            let mut args: Vec<String> =
                vec!["--ci".into(), "--maxWorkers=2".into(), "--projects".into()];
            args.extend(jest_dirs.iter().map(|d| d.to_str().unwrap().to_string()));
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let (ok, out) = run(all._root.path(), &modules.join(".bin/jest"), &args, &[]);
            if !ok {
                let failed: Vec<&str> = out
                    .lines()
                    .filter(|l| l.trim_start().starts_with("FAIL "))
                    .collect();
                problems.push(format!("jest failed in:\n{}\n\n{out}", failed.join("\n")));
            }
        }
        let tested = started.elapsed();

        // The real CLI once: `npx cdk synth` must give the template the direct run gave.
        if let (Some(first), Some(template)) = (dirs.first(), templates.first()) {
            let (ok, out) = run(
                first,
                &modules.join(".bin/cdk"),
                &["synth", "--quiet", "--output", "cdk.cli.out"],
                &[],
            );
            if !ok {
                problems.push(format!("cdk synth failed in {}:\n{out}", first.display()));
            } else {
                let name = template.file_name().unwrap();
                let read = |p: &Path| -> serde_json::Value {
                    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
                };
                if read(&first.join("cdk.cli.out").join(name)) != read(template) {
                    problems.push(format!(
                        "`cdk synth` and the batched run synthesize different templates in {}",
                        first.display()
                    ));
                }
            }
        }
        eprintln!(
            "cdk: {} projects ({} stack templates): {} ({:.1?} in all; waited {synthesized:.1?}), cfn-lint + checkov {:.1?}, jest ({jest_ran} projects) {:.1?}, cdk synth {:.1?}",
            dirs.len(),
            all.all_templates.len(),
            all.timings,
            all.took,
            linted - synthesized,
            tested - linted,
            started.elapsed() - tested
        );
        assert!(problems.is_empty(), "{}", problems.join("\n\n"));
    });
    support::finish(all.not_generated.clone(), validated);
}

/// Issue 12, items 1 and 6, on the synthesized templates (the checks of `delivery.rs`): each
/// alarm's topic admits CloudWatch and each asynchronously invoked function keeps its failed
/// events. The email subscription exists only when the `alarmEmail` context is set, so the stack's
/// source must read that context wherever alarms notify a topic.
#[test]
fn synthesized_alarms_can_notify_and_async_failures_are_kept() {
    let all = synthesized();
    let mut problems = Vec::new();
    let mut total = crate::delivery::Seen::default();
    for (dir, template) in all.dirs.iter().zip(&all.templates) {
        let name = dir.file_name().unwrap().to_string_lossy().to_string();
        let text = std::fs::read_to_string(template).unwrap();
        let t: serde_json::Value = serde_json::from_str(&text).unwrap();
        let (p, seen) = crate::delivery::cfn_problems(&name, &t, false);
        problems.extend(p);
        total += seen;
        if seen.alarm_topics > 0 {
            let stack: String = support::read_tree(&dir.join("lib"))
                .into_values()
                .map(|b| String::from_utf8(b).unwrap())
                .collect();
            if !stack.contains("tryGetContext(\"alarmEmail\")")
                || !stack.contains("EmailSubscription(alarmEmail)")
            {
                problems.push(format!(
                    "{name}: alarms notify a topic, but no alarmEmail context subscribes an address"
                ));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
    eprintln!("cdk: {} templates: {total:?}", all.templates.len());
    assert!(
        total.alarm_topics >= 2 && total.async_functions >= 5,
        "too little checked over every case: {total:?}"
    );
}

/// Issue 15: each built-in's synthesized `cdk.out` (with default parameters), left in place by the
/// one synth run above, imports back into the pattern's components and connections. What still
/// differs is in the snapshot, as for CloudFormation and Terraform (tests/integration/import.rs).
#[test]
fn synthesized_built_ins_import_back_from_cdk_out() {
    let all = synthesized();
    let library = archpat::library::Library::new(Vec::new());
    let mut lines = Vec::new();
    for id in archpat::library::Library::builtin_ids() {
        let Some(dir) = all
            .dirs
            .iter()
            .find(|d| d.file_name().is_some_and(|n| n == id.as_str()))
        else {
            lines.push(format!("{id} via cdk: not synthesized"));
            continue;
        };
        let original = library.load(&id).unwrap().resolve(&[]).unwrap();
        // The app's folder: its `cdk.out`, and the Kubernetes manifests of the EKS app.
        let imported = archpat::import::import_path(dir)
            .unwrap_or_else(|e| panic!("{id}: import of cdk.out failed: {e}"));
        let d = crate::import::differences(&original, &crate::import::load(&id, &imported.pattern));
        lines.push(format!(
            "{id} via cdk: {}",
            if d.is_empty() {
                "same".to_string()
            } else {
                format!("\n  {}", d.join("\n  "))
            }
        ));
    }
    insta::assert_snapshot!("import-round-trip-cdk", lines.join("\n"));
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
    // Two regions: the app's stacks in deploy order, and the second region's stacks.
    let id = "dr-pilot-light";
    let a = generate(root.path(), "dr-a", &format!("user-{id}"), &[]);
    let b = generate(root.path(), "dr-b", &format!("user-{id}"), &[]);
    assert_eq!(
        support::read_tree(&a),
        support::read_tree(&b),
        "{id}: two runs differ"
    );
    for (file, name) in [
        (format!("bin/{id}.ts"), "bin"),
        (format!("lib/{id}-dr-stack.ts"), "dr-stack"),
    ] {
        let text = std::fs::read_to_string(a.join(&file)).unwrap();
        insta::assert_snapshot!(format!("cdk-{id}-{name}"), text);
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
    // One stack per environment, and cdk-nag enforced on every synth.
    assert!(
        bin.contains("new ShopStack(app, \"shop-\" + environment"),
        "{bin}"
    );
    assert!(
        bin.contains("cdk.Validations.of(app).addPlugins(new AwsSolutionsChecks(app))"),
        "{bin}"
    );
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
