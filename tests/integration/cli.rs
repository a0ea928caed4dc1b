//! The CLI as a user meets it: listing, showing, drawing, checking, and every refusal.

use assert_cmd::prelude::*;
use predicates::prelude::*;

use crate::support::{BUILTINS, archpat, user_fixtures};

#[test]
fn list_shows_every_builtin() {
    let out = archpat().arg("list").output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    for id in BUILTINS {
        assert!(text.contains(id), "{id} missing from:\n{text}");
    }
}

#[test]
fn list_json_is_machine_readable() {
    let out = archpat().args(["list", "--json"]).output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v.as_array().unwrap().len(), BUILTINS.len());
    assert_eq!(v[0]["origin"], "built-in");
}

#[test]
fn list_kinds_and_topics() {
    archpat()
        .args(["list", "--kinds"])
        .assert()
        .success()
        .stdout(predicate::str::contains("dynamodb-table"));
    archpat()
        .args(["list", "--topics"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Lambda (Serverless)"));
}

#[test]
fn show_prints_parameters_components_and_topics() {
    archpat()
        .args(["show", "three-tier-web", "--set", "db_engine=mysql"])
        .assert()
        .success()
        .stdout(predicate::str::contains("db_engine = mysql"))
        .stdout(predicate::str::contains("Roadmap topics:"));
}

#[test]
fn unknown_pattern_is_a_helpful_error() {
    archpat()
        .args(["draw", "serverles-web"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("did you mean `serverless-web`?"));
}

#[test]
fn bad_set_values_are_refused() {
    archpat()
        .args(["draw", "three-tier-web", "--set", "multi_az=maybe"])
        .assert()
        .code(1)
        .stderr("error: bad value for parameter `multi_az`: expected true or false, got `maybe`\n");
    archpat()
        .args(["draw", "three-tier-web", "--set", "colour=red"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "pattern `three-tier-web` has no parameter `colour`",
        ));
}

#[test]
fn check_reports_all_errors_with_locations() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.yaml");
    std::fs::write(
        &bad,
        "id: bad\ntitle: Bad\nsummary: s\ncomponents:\n  - { id: fn, kind: lamda }\n  - { id: fn, kind: sqs-queue }\nconnections:\n  - { from: fn, to: nowhere, kind: read }\n",
    )
    .unwrap();
    let out = archpat().arg("check").arg(&bad).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).unwrap();
    let shown = bad.display().to_string();
    assert!(
        stderr.contains(&format!("{shown}:5:21: unknown component kind `lamda`")),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("{shown}:6:11: duplicate component id `fn`")),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!(
            "{shown}:8:21: connection refers to unknown component `nowhere`"
        )),
        "{stderr}"
    );
    assert!(stderr.contains("has 3 errors"), "{stderr}");
    assert!(!stderr.contains("panicked"));
}

#[test]
fn check_refuses_empty_binary_and_huge_files() {
    let dir = tempfile::tempdir().unwrap();
    let cases: [(&str, Vec<u8>, &str); 3] = [
        ("empty.yaml", Vec::new(), "is empty"),
        (
            "binary.yaml",
            vec![0x89, b'P', b'N', b'G', 0, 0, 1],
            "is not a text file",
        ),
        (
            "huge.yaml",
            vec![b'#'; 50 * 1024 * 1024],
            "pattern files are limited to",
        ),
    ];
    for (name, bytes, expected) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        archpat()
            .arg("check")
            .arg(&path)
            .assert()
            .code(1)
            .stderr(predicate::str::contains(expected))
            .stderr(predicate::str::contains(name));
    }
}

#[test]
fn check_accepts_builtins_and_user_fixtures() {
    let mut cmd = archpat();
    cmd.arg("check").args(BUILTINS);
    for f in user_fixtures() {
        cmd.arg(f);
    }
    let examples = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    for name in ["thumbnailer.yaml", "queue-worker.yaml"] {
        cmd.arg(examples.join(name));
    }
    cmd.assert().success();
}

#[test]
fn user_patterns_dir_adds_and_shadows() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("mine.yaml"),
        "id: mine\ntitle: My pattern\nsummary: s\ncomponents:\n  - { id: fn, kind: lambda }\n",
    )
    .unwrap();
    archpat()
        .arg("list")
        .env("ARCHPAT_PATTERNS_DIR", dir.path())
        .assert()
        .success()
        .stdout(predicate::str::contains("My pattern"));
    archpat()
        .args(["draw", "mine", "-f", "dot", "--patterns-dir"])
        .arg(dir.path())
        .assert()
        .success()
        .stdout(predicate::str::contains("digraph \"mine\""));
}

#[test]
fn draw_writes_the_output_file_by_extension() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("d.dot");
    archpat()
        .args(["draw", "data-lake", "-o"])
        .arg(&out)
        .assert()
        .success()
        .stdout("");
    assert!(
        std::fs::read_to_string(&out)
            .unwrap()
            .starts_with("digraph")
    );
}

#[test]
fn completions_are_generated() {
    archpat()
        .args(["completions", "bash"])
        .assert()
        .success()
        .stdout(predicate::str::contains("archpat"));
}

#[test]
fn help_has_examples() {
    archpat()
        .arg("--help")
        .assert()
        .success()
        .stdout(predicate::str::contains("Examples:"));
}

#[test]
fn readme_example_is_current_output() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let block = readme
        .split("```mermaid\n")
        .nth(1)
        .and_then(|rest| rest.split("```\n").next())
        .expect("README has a mermaid block");
    let out = archpat()
        .args(["draw", "serverless-web", "-f", "mermaid"])
        .output()
        .unwrap();
    assert_eq!(
        block,
        String::from_utf8(out.stdout).unwrap(),
        "regenerate the README example"
    );
}

/// `examples/extend/`: a kind added from a catalog folder, its templates from a templates folder.
fn extend(path: &str) -> String {
    format!("{}/examples/extend/{path}", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn check_lists_everything_each_target_cannot_generate_with_lines() {
    // The catalog folder adds `ssm-parameter`; without the templates folder no target has it.
    let pattern = extend("app-config.yaml");
    let out = archpat()
        .args(["--catalog-dir", &extend("catalog"), "check", &pattern])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8(out.stderr).unwrap();
    for (target, ext) in [
        ("cloudformation", "yaml"),
        ("terraform", "tf"),
        ("cdk", "ts"),
    ] {
        let expected = format!(
            "the `{target}` target cannot generate 3 parts of `{pattern}`:\n  {pattern}:9: component `settings` (`ssm-parameter`): add `templates/{target}/components/ssm-parameter.{ext}.tera`\n  {pattern}:13: connection `app_fn` -> `settings` (`lambda read ssm-parameter`): add `ssm-parameter: arn` to `templates/{target}/meta/refs.yaml` (an IAM resource)\n  {pattern}:13: connection `app_fn` -> `settings` (`lambda read ssm-parameter`): add `ssm-parameter: name` to `templates/{target}/meta/refs.yaml` (configuration)"
        );
        assert!(err.contains(&expected), "missing\n{expected}\nin\n{err}");
    }
    // `--iac` narrows the check to the targets named.
    let out = archpat()
        .args([
            "--catalog-dir",
            &extend("catalog"),
            "check",
            "--iac",
            "terraform",
            &pattern,
        ])
        .output()
        .unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("`terraform` target") && !err.contains("`cdk` target"),
        "{err}"
    );
}

#[test]
fn new_refuses_with_the_same_list_and_writes_nothing() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("app");
    let out = archpat()
        .args([
            "--catalog-dir",
            &extend("catalog"),
            "new",
            &extend("app-config.yaml"),
        ])
        .args([
            "--iac",
            "terraform",
            "--no-input",
            "-o",
            dir.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("component `settings` (`ssm-parameter`): add `templates/terraform/components/ssm-parameter.tf.tera`"),
        "{err}"
    );
    assert!(!dir.exists());
    assert_eq!(std::fs::read_dir(root.path()).unwrap().count(), 0);
}

#[test]
fn a_kind_added_from_folders_generates_in_every_target_with_its_access() {
    let root = tempfile::tempdir().unwrap();
    let overlay = [
        "--catalog-dir",
        &extend("catalog"),
        "--templates-dir",
        &extend("templates"),
    ];
    let out = archpat()
        .args(overlay)
        .args(["check", &extend("app-config.yaml")])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for (target, needle) in [
        ("terraform", "Resource = aws_ssm_parameter.settings.arn"),
        ("cloudformation", "ssm:GetParameter"),
        ("cdk", "ssm:GetParameter"),
    ] {
        let dir = root.path().join(target);
        let out = archpat()
            .args(overlay)
            .args([
                "new",
                &extend("app-config.yaml"),
                "--iac",
                target,
                "--no-input",
            ])
            .args(["-o", dir.to_str().unwrap()])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{target}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let all: String = walk(&dir).join("\n");
        assert!(all.contains(needle), "{target}: no `{needle}`");
        assert!(
            all.contains("SETTINGS_NAME"),
            "{target}: the function is not told the name"
        );
    }
}

/// A `_shared/` file of `--templates-dir` replaces the shared template in every target, and a
/// target's own file of the same path wins over it.
#[test]
fn a_shared_template_overlaid_applies_to_every_target_but_one_with_its_own() {
    let overlay = tempfile::tempdir().unwrap();
    let shared = include_str!("../../templates/_shared/app/lambda.tera");
    let marked = |mark: &str| {
        shared.replacen(
            "#@ file:src/{{ c.id }}/index.js\n",
            &format!("#@ file:src/{{{{ c.id }}}}/index.js\n// {mark}\n"),
            1,
        )
    };
    for (dir, mark) in [("_shared", "from the shared overlay"), ("cdk", "cdk's own")] {
        let app = overlay.path().join(dir).join("app");
        std::fs::create_dir_all(&app).unwrap();
        std::fs::write(app.join("lambda.tera"), marked(mark)).unwrap();
    }
    let root = tempfile::tempdir().unwrap();
    for (target, mark) in [
        ("terraform", "from the shared overlay"),
        ("cloudformation", "from the shared overlay"),
        ("cdk", "cdk's own"),
    ] {
        let dir = root.path().join(target);
        let out = archpat()
            .args(["--templates-dir", overlay.path().to_str().unwrap()])
            .args(["new", "serverless-web", "--iac", target, "--no-input"])
            .args(["-o", dir.to_str().unwrap()])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{target}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let handler = std::fs::read_to_string(dir.join("src/api_fn/index.js")).unwrap();
        assert!(
            handler.starts_with(&format!("// {mark}\n")),
            "{target}: {}",
            handler.lines().next().unwrap_or("")
        );
    }
}

fn walk(dir: &std::path::Path) -> Vec<String> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else if let Ok(text) = std::fs::read_to_string(&p) {
            out.push(text);
        }
    }
    out
}

#[test]
fn a_broken_catalog_folder_is_a_located_error() {
    let root = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(root.path().join("kinds")).unwrap();
    std::fs::write(
        root.path().join("kinds/x.yaml"),
        "kind: y\nname: Y\nservice: Y\ncategory: compute\nshape: rect\ndescription: d\n",
    )
    .unwrap();
    let out = archpat()
        .args([
            "--catalog-dir",
            root.path().to_str().unwrap(),
            "list",
            "--kinds",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    let file = root.path().join("kinds/x.yaml");
    assert_eq!(
        err,
        format!(
            "error: catalog file `{}` declares kind `y`; the file must be named `y.yaml`\n",
            file.display()
        )
    );
}

#[test]
fn patterns_only_some_targets_generate_are_refused_by_the_others() {
    let targets = ["cloudformation", "terraform", "cdk"];
    for owner in targets {
        for (_, path) in crate::support::target_fixtures(owner) {
            let ok = archpat()
                .args(["check", "--iac", owner, &path])
                .output()
                .unwrap();
            assert!(
                ok.status.success(),
                "{owner}: {}",
                String::from_utf8_lossy(&ok.stderr)
            );
            for other in targets.iter().filter(|t| **t != owner) {
                let out = archpat()
                    .args(["check", "--iac", other, &path])
                    .output()
                    .unwrap();
                let err = String::from_utf8_lossy(&out.stderr);
                assert!(
                    !out.status.success()
                        && err.contains(&format!("the `{other}` target cannot generate")),
                    "{other} generates {path} now: move it up to tests/fixtures/ so every target tests it\n{err}"
                );
            }
        }
    }
}

/// Every target generates two VPCs side by side (tests/fixtures/user-two-vpcs.yaml; the
/// validators check the projects): each VPC's resources are named after its group, each
/// component sits in its own VPC's subnets, and only the VPC without a NAT gateway gets the VPC
/// endpoints its function needs.
#[test]
fn two_vpcs_generate_in_every_target_each_component_in_its_own() {
    let fixture = crate::support::fixtures_dir().join("user-two-vpcs.yaml");
    let root = tempfile::tempdir().unwrap();
    let text = |iac: &str, files: &[&str]| -> String {
        let dir = root.path().join(iac);
        crate::support::new_project(fixture.to_str().unwrap(), iac, &[], &dir);
        files
            .iter()
            .map(|f| std::fs::read_to_string(dir.join(f)).unwrap())
            .collect()
    };
    let count = |text: &str, what: &str| text.matches(what).count();

    let tf = text(
        "terraform",
        &["network.tf", "compute.tf", "data.tf", "edge.tf", "iam.tf"],
    );
    for (what, n) in [
        (r#"resource "aws_vpc" "web_vpc""#, 1),
        (r#"resource "aws_vpc" "orders_vpc""#, 1),
        (r#"resource "aws_nat_gateway" "web_vpc_nat_gateway""#, 1),
        (r#"resource "aws_nat_gateway""#, 1),
        (r#"resource "aws_iam_role" "web_vpc_flow_log_role""#, 1),
        (r#"resource "aws_iam_role" "orders_vpc_flow_log_role""#, 1),
        (
            r#"resource "aws_vpc_endpoint" "orders_vpc_sqs_endpoint""#,
            1,
        ),
        (
            r#"resource "aws_vpc_endpoint" "orders_vpc_dynamodb_gateway_endpoint""#,
            1,
        ),
        (r#"resource "aws_vpc_endpoint" "web_vpc_sqs_endpoint""#, 0),
        ("subnet_ids         = aws_subnet.orders_app_subnet[*].id", 1),
        (
            "subnets                    = aws_subnet.web_public_subnet[*].id",
            1,
        ),
        ("vpc_zone_identifier = aws_subnet.web_app_subnet[*].id", 1),
        ("subnet_ids  = aws_subnet.orders_data_subnet[*].id", 1),
    ] {
        assert_eq!(count(&tf, what), n, "terraform: `{what}`\n{tf}");
    }
    for sg in ["alb", "web", "worker", "ledger"] {
        let vpc = if ["alb", "web"].contains(&sg) {
            "web_vpc"
        } else {
            "orders_vpc"
        };
        let block = format!(
            "resource \"aws_security_group\" \"{sg}\" {{\n  name_prefix = \"${{local.name}}-{sg}-\"\n"
        );
        let at = tf
            .find(&block)
            .unwrap_or_else(|| panic!("terraform: no security group {sg}"));
        assert!(
            tf[at..]
                .lines()
                .nth(3)
                .unwrap()
                .contains(&format!("aws_vpc.{vpc}.id")),
            "terraform: security group {sg} is not in {vpc}"
        );
    }

    let ts = text(
        "cdk",
        &["lib/user-two-vpcs-stack.ts", "test/user-two-vpcs.test.ts"],
    );
    for (what, n) in [
        (r#"const webVpc = new ec2.Vpc(this, "WebVpc""#, 1),
        (r#"const ordersVpc = new ec2.Vpc(this, "OrdersVpc""#, 1),
        ("const webVpcFlowLogs = ", 1),
        ("const ordersVpcFlowLogs = ", 1),
        ("const vpc = ", 0),
        ("ordersVpc.addInterfaceEndpoint(\"SqsEndpoint\"", 1),
        ("webVpc.addInterfaceEndpoint(", 0),
        ("vpc: ordersVpc,", 5),
        ("vpc: webVpc,", 4),
        // The jest counts of both VPCs, written once.
        ("template.resourceCountIs(\"AWS::EC2::VPC\", 2);", 1),
        ("template.resourceCountIs(\"AWS::EC2::NatGateway\", 1);", 1),
        ("template.resourceCountIs(\"AWS::EC2::Subnet\", 8);", 1),
    ] {
        assert_eq!(count(&ts, what), n, "cdk: `{what}`\n{ts}");
    }
}

/// What a template refuses (here: CDK clients of a database replica in another region) is a gap
/// `check` reports with the others, every one at its component's line, before `new` writes
/// anything.
#[test]
fn check_reports_every_part_a_template_refuses() {
    let root = tempfile::tempdir().unwrap();
    let pilot = std::fs::read_to_string("tests/fixtures/user-dr-pilot-light.yaml").unwrap();
    // A customer managed key of their own on a secondary cluster and a read replica, which the
    // CDK target refuses (each with what to do instead).
    let with_readers = pilot
        .replace(
            "components:\n",
            "components:\n  - { id: dr_key, kind: kms-key, group: dr }\n",
        )
        .trim_end()
        .to_string()
        + "\n  - { from: db_copy, to: dr_key, kind: read }\n  - { from: legacy_copy, to: dr_key, kind: read }\n";
    let file = root.path().join("dr.yaml");
    std::fs::write(&file, &with_readers).unwrap();
    let path = file.to_str().unwrap();
    let line = |id: &str| {
        1 + with_readers
            .lines()
            .position(|l| l.contains(&format!("id: {id},")))
            .unwrap()
    };
    let out = archpat()
        .args(["check", "--iac", "cdk", path])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains(&format!(
            "the `cdk` target cannot generate 2 parts of `{path}`"
        )),
        "{err}"
    );
    for (id, kind) in [
        ("db_copy", "aurora-cluster"),
        ("legacy_copy", "rds-instance"),
    ] {
        let at = format!("{path}:{}: component `{id}` (`{kind}`): ", line(id));
        assert!(err.contains(&at), "missing `{at}` in\n{err}");
    }
    let out_dir = root.path().join("out");
    let new = archpat()
        .args(["new", path, "--iac", "cdk", "--no-input", "-o"])
        .arg(&out_dir)
        .output()
        .unwrap();
    assert_eq!(new.status.code(), Some(1));
    assert!(!out_dir.exists(), "a refused project writes nothing");
}

/// A failover record without its other half would answer for a name with nothing to fail over
/// to: every target refuses it, located at the route, and `new` writes nothing.
#[test]
fn check_refuses_a_failover_route_without_its_pair() {
    let root = tempfile::tempdir().unwrap();
    let standby = std::fs::read_to_string("tests/fixtures/user-dr-warm-standby.yaml").unwrap();
    let lone = standby.replace("failover: secondary", "failover: none");
    assert_ne!(lone, standby);
    let file = root.path().join("lone.yaml");
    std::fs::write(&file, &lone).unwrap();
    let path = file.to_str().unwrap();
    let line = 1 + lone
        .lines()
        .position(|l| l.contains("failover: primary"))
        .unwrap();
    for iac in ["cloudformation", "terraform", "cdk"] {
        let out = archpat()
            .args(["check", "--iac", iac, path])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{iac}");
        let err = String::from_utf8(out.stderr).unwrap();
        let at = format!("{path}:{line}: connection `dns` -> `web` (`route53-zone route alb`): ");
        assert!(err.contains(&at), "{iac}: missing `{at}` in\n{err}");
        assert!(
            err.contains("needs exactly one `primary` and one `secondary` route"),
            "{iac}: {err}"
        );
        let out_dir = root.path().join(iac);
        let new = archpat()
            .args(["new", path, "--iac", iac, "--no-input", "-o"])
            .arg(&out_dir)
            .output()
            .unwrap();
        assert_eq!(new.status.code(), Some(1), "{iac}");
        assert!(!out_dir.exists(), "{iac}: a refused project writes nothing");
    }
}

/// A load balancer that the pattern's Route 53 zone routes to gets its certificate from that
/// zone, in its own region, so the project asks for no certificate: a starter that deploys with
/// the domain alone. Each listener names the certificate made for it.
#[test]
fn a_zone_gives_its_load_balancers_their_certificates() {
    let root = tempfile::tempdir().unwrap();
    let pattern = "tests/fixtures/user-dr-warm-standby.yaml";
    let read = |dir: &std::path::Path| walk(dir).concat();
    let tf = root.path().join("tf");
    crate::support::new_project(pattern, "terraform", &[], &tf);
    let text = read(&tf);
    assert!(
        !text.contains("certificate_arn\" {"),
        "no certificate variable"
    );
    for lb in ["web", "dr_web"] {
        assert!(
            text.contains(&format!(
                "certificate_arn   = aws_acm_certificate_validation.dns_{lb}.certificate_arn"
            )),
            "listener of {lb}"
        );
    }
    let cfn = root.path().join("cfn");
    crate::support::new_project(pattern, "cloudformation", &[], &cfn);
    let text = read(&cfn);
    assert!(
        !text.contains("CertificateArn:\n    Type: String"),
        "no certificate parameter"
    );
    for lb in ["Web", "DrWeb"] {
        assert!(
            text.contains(&format!("- CertificateArn: !Ref Dns{lb}Certificate")),
            "listener of {lb}"
        );
    }
    let cdk = root.path().join("cdk");
    crate::support::new_project(pattern, "cdk", &[], &cdk);
    let text = read(&cdk);
    assert!(
        !text.contains("CertificateArn\", {"),
        "no certificate parameter"
    );
    for lb in ["Web", "DrWeb"] {
        assert!(
            text.contains(&format!("certificates: [dns{lb}Certificate]")),
            "listener of {lb}"
        );
    }
}
