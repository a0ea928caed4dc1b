//! `archpat import`: real templates nobody here wrote (../shared/real-iac, read in place), the
//! round trip of every built-in through its CloudFormation and Terraform projects, and bad input.
//! All in-process and cheap: no synth, no emulator.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use archpat::import::{import_files, import_path};
use archpat::library::Library;
use archpat::model::Pattern;
use archpat::render::{self, Engine, Format};
use archpat::scaffold::{self, Iac};

use crate::support::archpat;

/// The real-code collection: `ARCHPAT_REAL_IAC` when set, else `shared/real-iac` in the nearest
/// folder above the repository that has one (`../shared` beside a checkout, wherever the
/// checkout sits). Missing, it fails the test with where it looked: it is never skipped.
fn real_iac() -> PathBuf {
    if let Some(dir) = std::env::var_os("ARCHPAT_REAL_IAC") {
        return PathBuf::from(dir);
    }
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    repo.ancestors()
        .skip(1)
        .map(|a| a.join("shared/real-iac"))
        .find(|d| d.join("SOURCES.md").is_file())
        .unwrap_or_else(|| {
            panic!(
                "the real-code collection `shared/real-iac` is in no folder above {}; set ARCHPAT_REAL_IAC to it",
                repo.display()
            )
        })
}

/// Each input of the real-code collection: a template file, or a Terraform folder.
fn real_inputs() -> Vec<PathBuf> {
    let mut out = Vec::new();
    for sub in ["cloudformation", "sam", "terraform"] {
        let dir = real_iac().join(sub);
        let mut entries: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        out.extend(entries);
    }
    out
}

pub(crate) fn load(source: &str, text: &str) -> Pattern {
    archpat::loader::load_str(source, text)
        .unwrap_or_else(|e| panic!("{source} does not load: {e}\n{text}"))
        .resolve(&[])
        .unwrap_or_else(|e| panic!("{source} does not resolve: {e}"))
}

#[test]
fn every_real_template_imports_checks_and_draws_with_its_groups_and_flows() {
    let inputs = real_inputs();
    assert!(
        inputs.len() >= 25,
        "expected the real-iac collection, found {}",
        inputs.len()
    );
    let mut unclassified = 0;
    let mut total = 0;
    for input in inputs {
        let name = input.file_name().unwrap().to_string_lossy().to_string();
        let imported = import_path(&input).unwrap_or_else(|e| panic!("{name}: {e}"));
        let pattern = load(&name, &imported.pattern);
        // As `archpat check` does: every target can generate the imported design.
        for iac in [Iac::Cloudformation, Iac::Terraform, Iac::Cdk] {
            let gaps = scaffold::gaps(&pattern, &scaffold::Options::new(iac)).unwrap();
            assert!(
                gaps.is_empty(),
                "{name}: {} cannot generate {gaps:?}",
                iac.target()
            );
        }
        for format in [Format::Mermaid, Format::Svg] {
            let out = render::draw(&pattern, format, Engine::Builtin)
                .unwrap_or_else(|e| panic!("{name} does not draw: {e}"));
            assert!(!out.into_bytes().is_empty());
        }
        // The source's VPC is drawn, with its subnets where it declares them.
        let source = read_all(&input);
        if source.contains("AWS::EC2::VPC\n") || source.contains("\"aws_vpc\"") {
            assert!(
                pattern.has_group_kind("vpc"),
                "{name}: VPC not grouped\n{}",
                imported.pattern
            );
        }
        if source.contains("AWS::EC2::Subnet\n") || source.contains("\"aws_subnet\"") {
            assert!(
                pattern.has_group_kind("subnet"),
                "{name}: subnets not grouped\n{}",
                imported.pattern
            );
        }
        // Data flows: where the source wires services together, the pattern has connections.
        let wired = [
            "Events:",
            "EventSourceMapping",
            "aws_lambda_event_source_mapping",
            "Integration",
            "Subscription",
            "Origins",
            "origin {",
            "Targets:",
            "Policies:",
        ];
        if wired.iter().any(|w| source.contains(w)) {
            assert!(
                pattern.edges().count() > 0,
                "{name}: no connections\n{}",
                imported.pattern
            );
        }
        let r = &imported.report;
        unclassified += r.unclassified.len();
        total += r.mapped.len() + r.folded.len() + r.unclassified.len();
        insta::assert_snapshot!(
            format!(
                "import-{}",
                name.trim_end_matches(".yaml").trim_end_matches(".yml")
            ),
            format!("{}\n--- report\n{}", imported.pattern, r)
                .replace(&real_iac().display().to_string(), "../shared/real-iac")
        );
    }
    // The unclassified share over the collection stays small.
    assert!(
        unclassified * 20 <= total,
        "{unclassified} of {total} resources unclassified"
    );
}

/// An option of the input (a condition on one parameter) stays an option: the part it creates
/// is drawn with `--set`, with its connections, and left out at the input's default.
#[test]
fn a_switched_part_follows_its_parameter() {
    let input = real_iac().join("cloudformation/SQS_SQSStandardQueue.yaml");
    let imported = import_path(&input).unwrap();
    let def = archpat::loader::load_str("sqs.yaml", &imported.pattern).unwrap();
    let ids = |set: &[String]| {
        let p = def.resolve(set).unwrap();
        let comps: Vec<String> = p.components().map(|c| c.id.clone()).collect();
        (comps, p.edges().count())
    };
    assert_eq!(ids(&[]), (vec!["sqs_queue".to_string()], 0));
    assert_eq!(
        ids(&["usedeadletter_queue=true".to_string()]),
        (
            vec!["sqs_queue".to_string(), "my_dead_letter_queue".to_string()],
            1
        )
    );
}

/// `--catalog-dir` replaces `import.yaml` file by file, as it does the other catalog files.
#[test]
fn a_catalog_overlay_replaces_the_import_data() {
    let dir = tempfile::tempdir().unwrap();
    let embedded =
        std::fs::read_to_string(crate::support::fixtures_dir().join("../../catalog/import.yaml"))
            .unwrap();
    let mine = embedded.replace(
        "why: \"queue policy\" }",
        "why: \"queue policy (my rule)\" }",
    );
    assert_ne!(mine, embedded);
    std::fs::create_dir(dir.path().join("cat")).unwrap();
    std::fs::write(dir.path().join("cat/import.yaml"), mine).unwrap();
    std::fs::write(
        dir.path().join("t.yaml"),
        "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n  P:\n    Type: AWS::SQS::QueuePolicy\n    Properties:\n      Queues: [!Ref Q]\n      PolicyDocument: {}\n",
    )
    .unwrap();
    let out = crate::support::archpat()
        .current_dir(dir.path())
        .args(["--catalog-dir", "cat", "import", "t.yaml", "-o", "p.yaml"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr
            .contains("folded        P (AWS::SQS::QueuePolicy): into `q`: queue policy (my rule)"),
        "{stderr}"
    );
}

fn read_all(input: &Path) -> String {
    if input.is_dir() {
        let mut out = String::new();
        for e in std::fs::read_dir(input).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "tf") {
                out.push_str(&std::fs::read_to_string(p).unwrap());
            }
        }
        out
    } else {
        std::fs::read_to_string(input).unwrap()
    }
}

/// What a round trip must keep: components by kind and tier, connections by kinds at both ends.
fn shape(p: &Pattern) -> (BTreeMap<String, usize>, BTreeMap<String, usize>) {
    let place = |c: &archpat::model::Component| match p.enclosing(c, "subnet") {
        Some(g) => g
            .properties
            .get("tier")
            .and_then(|t| t.as_str())
            .unwrap_or("?")
            .to_string(),
        None if p.enclosing(c, "vpc").is_some() => "vpc".into(),
        None => "-".into(),
    };
    let mut comps = BTreeMap::new();
    for c in p.components() {
        *comps
            .entry(format!("{} in {}", c.kind, place(c)))
            .or_default() += 1;
    }
    let mut conns = BTreeMap::new();
    for e in p.edges() {
        *conns
            .entry(format!(
                "{} -{}-> {}",
                e.from.kind, e.connection.kind, e.to.kind
            ))
            .or_default() += 1;
    }
    (comps, conns)
}

fn diff(what: &str, a: &BTreeMap<String, usize>, b: &BTreeMap<String, usize>) -> Vec<String> {
    let mut out = Vec::new();
    for k in a
        .keys()
        .chain(b.keys())
        .collect::<std::collections::BTreeSet<_>>()
    {
        let (x, y) = (
            a.get(k).copied().unwrap_or(0),
            b.get(k).copied().unwrap_or(0),
        );
        if x != y {
            out.push(format!("{what} `{k}`: {x} in the pattern, {y} imported"));
        }
    }
    out
}

/// How an imported pattern differs from the original, as lines (empty: the same shape).
pub(crate) fn differences(original: &Pattern, imported: &Pattern) -> Vec<String> {
    let (want, got) = (shape(original), shape(imported));
    let mut d = diff("component", &want.0, &got.0);
    d.extend(diff("connection", &want.1, &got.1));
    d
}

/// Every built-in with its default parameters, generated in memory for CloudFormation and
/// Terraform and imported back: the same components (kind and tier) and connections (kinds of
/// both ends and of the connection), except what docs/import.md lists as folded.
#[test]
fn built_ins_round_trip_through_cloudformation_and_terraform() {
    let library = Library::new(Vec::new());
    let mut failures = Vec::new();
    for id in Library::builtin_ids() {
        let original = library.load(&id).unwrap().resolve(&[]).unwrap();
        for iac in [Iac::Cloudformation, Iac::Terraform] {
            let project = scaffold::scaffold(&original, &scaffold::Options::new(iac)).unwrap();
            let files: BTreeMap<String, String> = project
                .files
                .iter()
                .filter(|(p, _)| {
                    p.ends_with(".tf") || p.as_str() == "template.yaml" || p.starts_with("k8s/")
                })
                .map(|(p, t)| (p.clone(), t.clone()))
                .collect();
            let imported = import_files(&id, &id, &files)
                .unwrap_or_else(|e| panic!("{id} ({}): {e}", iac.target()));
            let d = differences(&original, &load(&id, &imported.pattern));
            failures.push(format!(
                "{id} via {}: {}",
                iac.target(),
                if d.is_empty() {
                    "same".to_string()
                } else {
                    format!("\n  {}", d.join("\n  "))
                }
            ));
        }
    }
    // The differences that remain are listed in docs/import.md ("Round trip"); any change to
    // them, better or worse, shows here.
    insta::assert_snapshot!("import-round-trip", failures.join("\n"));
}

#[test]
fn bad_input_is_refused_with_file_and_line_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p
    };
    let cases: Vec<(PathBuf, &str)> = vec![
        (
            write("notes.yaml", "title: shopping\nitems: [milk]\n"),
            "is not a CloudFormation template",
        ),
        (
            write(
                "broken.yaml",
                "Resources:\n  A:\n    Type: AWS::SQS::Queue\n   Properties: {}\n",
            ),
            "broken.yaml`, line",
        ),
        (
            write("broken.json", "{ \"Resources\": { \"A\": "),
            "broken.json`, line 1",
        ),
        (
            write("notes.txt", "hello"),
            "is not a file type import reads",
        ),
        (
            write("broken.tf", "resource \"aws_sqs_queue\" \"q\" {\n"),
            "broken.tf",
        ),
    ];
    for (path, message) in cases {
        let out = archpat().arg("import").arg(&path).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{}: {stderr}", path.display());
        assert!(stderr.contains(message), "{}: {stderr}", path.display());
        assert!(out.stdout.is_empty());
    }
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let out = archpat().arg("import").arg(&empty).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("holds nothing to import"));

    // An existing output file is kept unless --force.
    let template = write(
        "q.yaml",
        "Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n",
    );
    let target = write("pattern.yaml", "mine\n");
    let out = archpat()
        .arg("import")
        .arg(&template)
        .arg("-o")
        .arg(&target)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("exists; pass `--force`"));
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "mine\n");
    let out = archpat()
        .arg("import")
        .arg(&template)
        .arg("-o")
        .arg(&target)
        .arg("--force")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let written = std::fs::read_to_string(&target).unwrap();
    assert!(written.contains("kind: sqs-queue"), "{written}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("1 mapped to components"));
    // Checked by `archpat check` too, and the same input gives the same bytes.
    let check = archpat()
        .arg("check")
        .arg(&target)
        .arg("--diagram-only")
        .output()
        .unwrap();
    let again = archpat().arg("import").arg(&template).output().unwrap();
    assert_eq!(again.stdout, written.as_bytes());
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
}
