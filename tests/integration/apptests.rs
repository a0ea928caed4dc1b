//! The unit tests every generated project carries for its own application code (`test/app/`:
//! each Lambda handler and Glue script, with the AWS SDK stubbed), run the way the project's
//! README says: `make test` for Terraform and CloudFormation, `npm run test:app` for CDK (`npm
//! test` is jest, then that). Every built-in case is generated in every target, and every user
//! fixture and coverage pattern in Terraform; a project whose code and tests are byte for byte
//! those of a project already run in the same target is not run again. Projects run one after
//! another.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use crate::support;

const TARGETS: [&str; 3] = ["terraform", "cloudformation", "cdk"];

/// A project's files by relative path.
type Tree = BTreeMap<String, Vec<u8>>;

fn generate(pattern: &str, iac: &str, sets: &[&str], dir: &Path) {
    let extra: Vec<&str> = sets.iter().flat_map(|s| ["--set", s]).collect();
    support::new_project(pattern, iac, &extra, dir);
}

/// The test files each piece of code under src/ must have: `src/<id>/index.js` →
/// `test/app/<id>.test.js`, `src/<id>/index.py` and a Glue script `src/<id>/<id>.py` →
/// `test/app/test_<id>.py`.
fn expected_tests(src: &Tree) -> BTreeSet<String> {
    src.keys()
        .filter_map(|path| {
            let (id, file) = path.split_once('/')?;
            match file {
                "index.js" => Some(format!("{id}.test.js")),
                "index.py" => Some(format!("test_{id}.py")),
                f if f == format!("{id}.py") => Some(format!("test_{id}.py")),
                _ => None,
            }
        })
        .collect()
}

/// How many tests ran, from node's TAP summary (`# pass N`, `# fail N`) and unittest's `Ran N
/// tests` / `OK`; an error when any failed or the runner's summary is missing.
fn count_tests(dir: &Path, output: &str, node: bool, python: bool) -> Result<u64, String> {
    let number = |prefix: &str| -> Option<u64> {
        output
            .lines()
            .rev()
            .filter_map(|l| l.trim().strip_prefix(prefix))
            .find_map(|rest| rest.split_whitespace().next()?.parse().ok())
    };
    let mut ran = 0;
    if node {
        let passed = number("# pass ").ok_or("no node test summary")?;
        if number("# fail ") != Some(0) {
            return Err(format!("node tests failed in {}", dir.display()));
        }
        ran += passed;
    }
    if python {
        ran += number("Ran ").ok_or("no unittest summary")?;
        if !output.lines().any(|l| l.trim() == "OK") {
            return Err(format!("Python tests failed in {}", dir.display()));
        }
    }
    Ok(ran)
}

/// Runs one project's app tests with its own command; returns how many tests ran.
fn run_project(dir: &Path, iac: &str) -> Result<u64, String> {
    let src = support::read_tree(&dir.join("src"));
    let tests = support::read_tree(&dir.join("test/app"));
    let expected = expected_tests(&src);
    let missing: Vec<&String> = expected
        .iter()
        .filter(|t| !tests.contains_key(*t))
        .collect();
    if !missing.is_empty() {
        return Err(format!("{}: no test for {missing:?}", dir.display()));
    }
    let node = expected.iter().any(|t| t.ends_with(".js"));
    let python = expected.iter().any(|t| t.ends_with(".py"));
    let mut cmd = if iac == "cdk" {
        let package = std::fs::read_to_string(dir.join("package.json")).unwrap();
        if !package.contains("\"test:app\"") || !package.contains("npm run test:app") {
            return Err(format!(
                "{}: package.json has no test:app script run by npm test",
                dir.display()
            ));
        }
        let mut c = Command::new(support::tool("npm"));
        c.args(["run", "--silent", "test:app"]);
        c
    } else {
        let makefile = std::fs::read_to_string(dir.join("Makefile")).unwrap();
        if !makefile.lines().any(|l| l == "test:") {
            return Err(format!(
                "{}: the Makefile has no test target",
                dir.display()
            ));
        }
        let mut c = Command::new(support::tool("make"));
        c.args(["--no-print-directory", "test"]);
        c
    };
    let out = cmd
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("NODE_OPTIONS")
        .output()
        .map_err(|e| format!("{}: cannot run the tests: {e}", dir.display()))?;
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    if !out.status.success() {
        return Err(format!("{}: the app tests failed:\n{text}", dir.display()));
    }
    count_tests(dir, &text, node, python).map_err(|e| format!("{e}:\n{text}"))
}

#[test]
fn every_generated_projects_application_code_passes_its_own_unit_tests() {
    let root = tempfile::tempdir().unwrap();
    let mut cases: Vec<(String, String, Vec<String>, &str)> = Vec::new();
    for iac in TARGETS {
        for (name, pattern, sets) in support::builtin_cases(&support::BUILTINS) {
            let sets = sets.iter().map(|s| s.to_string()).collect();
            cases.push((name.to_string(), pattern.to_string(), sets, iac));
        }
    }
    for (name, path) in support::pattern_fixtures() {
        cases.push((name, path, Vec::new(), "terraform"));
    }

    let started = Instant::now();
    let mut problems = Vec::new();
    let mut seen: BTreeMap<(&str, Vec<u8>), String> = BTreeMap::new();
    let mut ran_projects = 0;
    let mut ran_tests = 0;
    let mut skipped = 0;
    let mut with_code: BTreeSet<String> = BTreeSet::new();
    // For each built-in case, the code and tests per target: they must be the same in every target.
    let mut per_target: BTreeMap<String, Vec<(&str, Tree)>> = BTreeMap::new();
    let mut slowest: (Duration, String) = (Duration::ZERO, String::new());
    for (name, pattern, sets, iac) in &cases {
        let dir: PathBuf = root.path().join(iac).join(name);
        let sets: Vec<&str> = sets.iter().map(String::as_str).collect();
        generate(pattern, iac, &sets, &dir);
        let mut tree = support::read_tree(&dir.join("src"));
        if tree.is_empty() {
            continue;
        }
        for (path, text) in support::read_tree(&dir.join("test/app")) {
            tree.insert(format!("test/app/{path}"), text);
        }
        with_code.insert(format!("{iac}/{name}"));
        if support::BUILTINS.contains(&pattern.as_str()) {
            per_target
                .entry(name.clone())
                .or_default()
                .push((iac, tree.clone()));
        }
        let key = (*iac, serde_json::to_vec(&tree).unwrap());
        if seen.contains_key(&key) {
            skipped += 1;
            continue;
        }
        seen.insert(key, name.clone());
        let t = Instant::now();
        match run_project(&dir, iac) {
            Ok(0) => problems.push(format!("{iac}/{name}: no app test ran")),
            Ok(n) => {
                ran_projects += 1;
                ran_tests += n;
            }
            Err(e) => problems.push(format!("{iac}/{name}: {e}")),
        }
        if t.elapsed() > slowest.0 {
            slowest = (t.elapsed(), format!("{iac}/{name}"));
        }
    }
    for (name, trees) in &per_target {
        let (first, reference) = &trees[0];
        for (iac, tree) in &trees[1..] {
            if tree != reference {
                let differ: Vec<&String> = tree
                    .keys()
                    .chain(reference.keys())
                    .filter(|k| tree.get(*k) != reference.get(*k))
                    .collect::<BTreeSet<_>>()
                    .into_iter()
                    .collect();
                problems.push(format!(
                    "{name}: the code or its tests differ between {first} and {iac}: {differ:?}"
                ));
            }
        }
    }
    eprintln!(
        "app tests: {ran_tests} tests in {ran_projects} projects ({skipped} projects with the same code skipped) in {:.1?}; slowest {} {:.1?}",
        started.elapsed(),
        slowest.1,
        slowest.0
    );
    // Every built-in with functions or a Glue job has app code in every target.
    for pattern in ["serverless-web", "event-driven", "data-lake"] {
        for iac in TARGETS {
            assert!(
                with_code.contains(&format!("{iac}/{pattern}")),
                "{iac}/{pattern} has no application code"
            );
        }
    }
    assert!(ran_projects >= 20, "only {ran_projects} projects ran");
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}
