//! What a reviewer found in the generated projects that no linter sees (issue 12, defects 7 and
//! 8), each checked so that it cannot come back: over every built-in and every catalog-derived
//! coverage pattern, in the three targets, by reading the generated code.
//!
//! - CloudFormation Lambda code lives once, in `src/`, and the deploy packages it (no `ZipFile`);
//! - `params/*.json` exist only where the stack has parameters, and the deploy passes them;
//! - no RDS final snapshot with a fixed name (a second destroy would fail on it);
//! - no desired capacity beside a target-tracking policy (each deploy would undo a scale-out);
//! - CloudFront origin access control and response headers policy names differ per stack, region
//!   and environment (they are global to the account);
//! - Terraform's saved plan is git-ignored;
//! - the same database engine major version in the three targets;
//! - compute egress: HTTPS plus the connections' ports, the same in the three targets;
//! - Performance Insights on where the engine and class offer it;
//! - READMEs quote no prices (they go stale) but name the cost drivers and the calculator;
//! - S3 access logging only once the log bucket's policy exists (CloudFormation `DependsOn`,
//!   Terraform `depends_on`, in every region);
//! - every AWS SDK call a generated function makes is allowed by its role on the resource it names,
//!   and on the resources its code is told about the role allows no call the code does not make;
//! - a connection's properties, not its label, decide what the code does;
//! - the EKS load balancer controller may tag the listeners and rules it creates.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use serde_json::Value;

use crate::support::{self, archpat};

/// The built-ins (defaults) and the coverage patterns, generated for `iac` into `root`.
/// Every built-in and coverage pattern generated in `iac`, once for all the tests here (they only
/// read the projects).
fn generated(iac: &str) -> &'static [PathBuf] {
    type Cache = Mutex<BTreeMap<String, &'static (tempfile::TempDir, Vec<PathBuf>)>>;
    static CACHE: OnceLock<Cache> = OnceLock::new();
    let mut cache = CACHE.get_or_init(Default::default).lock().unwrap();
    let entry = cache.entry(iac.to_string()).or_insert_with(|| {
        let mut cases: Vec<(String, String, Vec<String>)> = support::BUILTINS
            .iter()
            .map(|b| (b.to_string(), b.to_string(), Vec::new()))
            .collect();
        for path in support::coverage_fixtures() {
            let name = path.file_stem().unwrap().to_string_lossy().to_string();
            cases.push((name, path.to_str().unwrap().to_string(), Vec::new()));
        }
        let root = tempfile::tempdir().unwrap();
        let (dirs, failed) = support::generate_cases(root.path(), iac, &cases);
        assert!(failed.is_empty(), "{}", failed.join("\n\n"));
        Box::leak(Box::new((root, dirs)))
    });
    &entry.1
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn name_of(dir: &Path) -> String {
    dir.file_name().unwrap().to_string_lossy().to_string()
}

/// A CloudFormation template as JSON (intrinsic-function tags are dropped by the reader, their
/// arguments kept).
fn template(dir: &Path) -> Value {
    serde_saphyr::from_str(&read(&dir.join("template.yaml")))
        .unwrap_or_else(|e| panic!("{}: template.yaml: {e}", name_of(dir)))
}

/// The main template with the resources of every region's template (`regions/*.yaml`) added, for
/// checks that look a component up by its logical id wherever its region puts it.
fn template_with_regions(dir: &Path) -> Value {
    let mut t = template(dir);
    let regions = std::fs::read_dir(dir.join("regions")).into_iter().flatten();
    let mut paths: Vec<PathBuf> = regions.filter_map(Result::ok).map(|e| e.path()).collect();
    paths.sort();
    for path in paths {
        let region: Value = serde_saphyr::from_str(&read(&path))
            .unwrap_or_else(|e| panic!("{}: {}: {e}", name_of(dir), path.display()));
        if let (Some(all), Some(more)) = (
            t["Resources"].as_object_mut(),
            region["Resources"].as_object(),
        ) {
            all.extend(more.iter().map(|(k, v)| (k.clone(), v.clone())));
        }
    }
    t
}

fn resources(t: &Value) -> Vec<(&String, &Value)> {
    t["Resources"].as_object().into_iter().flatten().collect()
}

/// Every file of a folder, by path relative to it.
fn files_under(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    support::read_tree(dir)
}

/// The components of a pattern (file or built-in id): `(id, kind, properties)`.
fn components(pattern: &str) -> Vec<(String, String, Value)> {
    let out = archpat()
        .args(["show", pattern, "--json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    json["components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["id"].as_str().unwrap().to_string(),
                c["kind"].as_str().unwrap().to_string(),
                c["properties"].clone(),
            )
        })
        .collect()
}

fn pattern_of(dir: &Path) -> String {
    let name = name_of(dir);
    if support::BUILTINS.contains(&name.as_str()) {
        name
    } else {
        support::fixtures_dir()
            .join("coverage")
            .join(format!("{name}.yaml"))
            .to_str()
            .unwrap()
            .to_string()
    }
}

/// The resolved model of the pattern a generated project was made from (default parameters).
fn model_of(dir: &Path) -> archpat::model::Pattern {
    archpat::library::Library::default()
        .load(&pattern_of(dir))
        .expect("the pattern loads")
        .resolve(&[])
        .expect("the pattern resolves")
}

/// The CloudFormation logical id of a component id (`api_fn` → `ApiFn`).
fn logical_id(id: &str) -> String {
    id.split(['_', '-'])
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// Defect 7: every function is an `AWS::Serverless::Function` whose `CodeUri` is its folder under
/// `src/` (which holds the handler), nothing is inlined, and `make deploy` packages `src/` with
/// `sam package` before deploying the packaged template; a stack without functions needs no SAM.
#[test]
fn cloudformation_lambda_code_lives_once_in_src_and_the_deploy_packages_it() {
    let dirs = generated("cloudformation");
    let mut problems = Vec::new();
    let mut functions = 0;
    for dir in dirs {
        let name = name_of(dir);
        let makefile = read(&dir.join("Makefile"));
        let t = template(dir);
        let project = files_under(dir);
        // A custom resource's provider (CloudFormation calls it while deploying, it is no part of
        // the application and has no file under src/) may stay inline: cfn-response, which it
        // needs, exists only for inline code. Application code never is.
        let providers: Vec<String> = resources(&t)
            .into_iter()
            .filter(|(_, r)| {
                let ty = r["Type"].as_str().unwrap_or_default();
                ty.starts_with("Custom::") || ty == "AWS::CloudFormation::CustomResource"
            })
            .filter_map(|(_, r)| r["Properties"]["ServiceToken"].as_str())
            .map(|token| token.trim_end_matches(".Arn").to_string())
            .collect();
        let mut has_sam = false;
        for (id, r) in resources(&t) {
            match r["Type"].as_str().unwrap_or_default() {
                "AWS::Lambda::Function" if providers.contains(id) => {
                    let inline = r["Properties"]["Code"]["ZipFile"].as_str().unwrap_or_default();
                    let copied = project.values().any(|f| {
                        let f = String::from_utf8_lossy(f);
                        !inline.trim().is_empty() && f.trim() == inline.trim()
                    });
                    if copied {
                        problems.push(format!("{name}: {id} inlines a copy of a project file"));
                    }
                }
                "AWS::Lambda::Function" => problems.push(format!(
                    "{name}: {id} is an AWS::Lambda::Function; functions are AWS::Serverless::Function with CodeUri"
                )),
                "AWS::Serverless::Function" => {
                    has_sam = true;
                    functions += 1;
                    let uri = r["Properties"]["CodeUri"].as_str().unwrap_or_default();
                    let folder = dir.join(uri);
                    if !uri.starts_with("src/") || !folder.is_dir() {
                        problems.push(format!("{name}: {id} CodeUri `{uri}` is no folder under src/"));
                        continue;
                    }
                    let handler = r["Properties"]["Handler"].as_str().unwrap_or_default();
                    let module = handler.rsplit_once('.').map_or(handler, |(m, _)| m);
                    if !["js", "mjs", "py"]
                        .iter()
                        .any(|ext| folder.join(format!("{module}.{ext}")).is_file())
                    {
                        problems.push(format!("{name}: {id} handler `{handler}` is not in {uri}"));
                    }
                }
                _ => {}
            }
        }
        let transform = t["Transform"].as_str() == Some("AWS::Serverless-2016-10-31");
        if has_sam != transform {
            problems.push(format!(
                "{name}: functions: {has_sam}, SAM transform: {transform} (they go together)"
            ));
        }
        let packages = makefile.contains("sam package")
            && makefile.contains("--template-file template.yaml")
            && makefile.contains("--template-file packaged.yaml")
            && makefile.contains("CAPABILITY_AUTO_EXPAND")
            && makefile.contains("deploy: package");
        if has_sam && !packages {
            problems.push(format!(
                "{name}: the Makefile does not package src/ (sam package → packaged.yaml) before deploying"
            ));
        }
        if !has_sam && makefile.contains("sam ") {
            problems.push(format!("{name}: no functions, yet the Makefile needs SAM"));
        }
        if has_sam && !read(&dir.join("README.md")).contains("Why SAM") {
            problems.push(format!(
                "{name}: the README does not say why SAM packages the code"
            ));
        }
    }
    assert!(functions >= 8, "only {functions} functions checked");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Defect 8: `params/<env>.json` exist exactly when the stack has parameters, name exactly those
/// parameters, and `make deploy` passes them.
#[test]
fn cloudformation_parameter_files_are_those_the_deploy_passes() {
    let dirs = generated("cloudformation");
    let mut problems = Vec::new();
    let mut without = 0;
    for dir in dirs {
        let name = name_of(dir);
        let t = template(dir);
        let params: Vec<String> = t["Parameters"]
            .as_object()
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default();
        let makefile = read(&dir.join("Makefile"));
        let passes = makefile.contains("--parameter-overrides file://params/$(ENV).json");
        for env in ["dev", "prod"] {
            let file = dir.join(format!("params/{env}.json"));
            if params.is_empty() {
                if file.exists() {
                    problems.push(format!(
                        "{name}: no parameters, yet params/{env}.json exists"
                    ));
                }
                continue;
            }
            let Ok(text) = std::fs::read_to_string(&file) else {
                problems.push(format!(
                    "{name}: {} parameters but no params/{env}.json",
                    params.len()
                ));
                continue;
            };
            let json: Value = serde_json::from_str(&text).unwrap();
            let mut keys: Vec<String> = json
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p["ParameterKey"].as_str().unwrap().to_string())
                .collect();
            keys.sort();
            let mut want = params.clone();
            want.sort();
            if keys != want {
                problems.push(format!(
                    "{name}: params/{env}.json has {keys:?}, the template {want:?}"
                ));
            }
        }
        if params.is_empty() {
            without += 1;
            if makefile.contains("params/") {
                problems.push(format!(
                    "{name}: no parameters, yet the Makefile names params/"
                ));
            }
        } else if !passes {
            problems.push(format!(
                "{name}: the deploy does not pass params/$(ENV).json"
            ));
        }
    }
    assert!(
        without >= 2,
        "expected stacks without parameters (serverless-web, event-driven)"
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Defect 8, CloudFormation: a bucket that logs into a bucket waits for that bucket's policy (S3
/// refuses a logging target the logging service may not yet write to).
#[test]
fn cloudformation_s3_logging_waits_for_the_log_bucket_policy() {
    let dirs = generated("cloudformation");
    let mut problems = Vec::new();
    let mut checked = 0;
    for dir in dirs {
        let name = name_of(dir);
        let t = template(dir);
        let all = resources(&t);
        for (id, r) in &all {
            if r["Type"] != "AWS::S3::Bucket" {
                continue;
            }
            let Some(dest) = r["Properties"]["LoggingConfiguration"]["DestinationBucketName"]
                .as_str()
                .map(str::to_string)
            else {
                continue;
            };
            checked += 1;
            let policy = all
                .iter()
                .find(|(_, p)| {
                    p["Type"] == "AWS::S3::BucketPolicy"
                        && p["Properties"]["Bucket"] == dest.as_str()
                })
                .map(|(pid, _)| pid.to_string());
            let depends: Vec<String> = match &r["DependsOn"] {
                Value::String(s) => vec![s.clone()],
                Value::Array(a) => a
                    .iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect(),
                _ => Vec::new(),
            };
            match policy {
                Some(p) if depends.contains(&p) => {}
                Some(p) => problems.push(format!(
                    "{name}: {id} logs into {dest} but does not DependsOn {p}"
                )),
                None => problems.push(format!(
                    "{name}: {id} logs into {dest}, which has no bucket policy"
                )),
            }
        }
    }
    assert!(checked >= 5, "only {checked} logged buckets");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Defect 8, Terraform: every `aws_s3_bucket_logging` waits for the policy of the bucket it logs
/// into, in a second region too (where that bucket's name carries the region's suffix; stop 26's
/// emulator run met `InvalidTargetBucketForLogging` when the wait named the first region's policy).
#[test]
fn terraform_s3_logging_waits_for_the_log_bucket_policy() {
    let mut problems = Vec::new();
    let mut checked = 0;
    for dir in generated("terraform") {
        let name = name_of(dir);
        let policies: Vec<String> = tf_blocks(dir, "aws_s3_bucket_policy")
            .iter()
            .filter_map(|b| b.lines().next()?.split('"').nth(3).map(str::to_string))
            .collect();
        for block in tf_blocks(dir, "aws_s3_bucket_logging") {
            checked += 1;
            let head = block.lines().next().unwrap_or_default().to_string();
            let Some(dest) = block.lines().find_map(|l| {
                l.trim()
                    .strip_prefix("target_bucket = aws_s3_bucket.")?
                    .strip_suffix(".id")
                    .map(str::to_string)
            }) else {
                problems.push(format!(
                    "{name}: {head} names no target bucket of the project"
                ));
                continue;
            };
            let wait = format!("aws_s3_bucket_policy.{dest}");
            let depends = block
                .lines()
                .find(|l| l.trim().starts_with("depends_on"))
                .unwrap_or_default();
            if !policies.contains(&dest) {
                problems.push(format!(
                    "{name}: {head} logs into {dest}, which has no policy"
                ));
            } else if !depends.split(['[', ']', ',', ' ']).any(|r| r == wait) {
                problems.push(format!(
                    "{name}: {head} logs into {dest} but does not wait for {wait}"
                ));
            }
        }
    }
    assert!(checked >= 5, "only {checked} logging blocks");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The value of a `key = value` HCL attribute line inside the block `resource "<ty>" …`, for
/// every such block of every .tf file of the project: `(address, value)`.
fn tf_attributes(dir: &Path, ty: &str, key: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (path, bytes) in files_under(dir) {
        if !path.ends_with(".tf") {
            continue;
        }
        let text = String::from_utf8(bytes).unwrap();
        let mut current: Option<String> = None;
        for line in text.lines() {
            if let Some(rest) = line.strip_prefix(&format!("resource \"{ty}\" \"")) {
                current = Some(format!("{ty}.{}", rest.trim_end_matches("\" {")));
                continue;
            }
            if line == "}" {
                current = None;
            }
            if let (Some(addr), Some((k, v))) = (&current, line.split_once('='))
                && k.trim() == key
                && line.starts_with("  ")
                && !line.starts_with("   ")
            {
                out.push((addr.clone(), v.trim().to_string()));
            }
        }
    }
    out
}

/// The text of each `resource "<ty>"` block of the project's .tf files.
fn tf_blocks(dir: &Path, ty: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (path, bytes) in files_under(dir) {
        if !path.ends_with(".tf") {
            continue;
        }
        let text = String::from_utf8(bytes).unwrap();
        let mut block: Option<String> = None;
        for line in text.lines() {
            if line.starts_with(&format!("resource \"{ty}\" ")) {
                block = Some(String::new());
            }
            if let Some(b) = block.as_mut() {
                b.push_str(line);
                b.push('\n');
                if line == "}" {
                    out.push(block.take().unwrap());
                }
            }
        }
    }
    out
}

/// The TypeScript of a CDK project (lib/ and bin/).
fn cdk_code(dir: &Path) -> String {
    files_under(dir)
        .into_iter()
        .filter(|(p, _)| (p.starts_with("lib/") || p.starts_with("bin/")) && p.ends_with(".ts"))
        .map(|(_, b)| String::from_utf8(b).unwrap())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Defect 8, Terraform: the final snapshot of an RDS instance or Aurora cluster has a name of its
/// own per database (the creation time), kept by ignore_changes; the saved plan is git-ignored.
#[test]
fn terraform_final_snapshots_are_unique_and_the_plan_is_ignored() {
    let dirs = generated("terraform");
    let mut problems = Vec::new();
    let mut snapshots = 0;
    for dir in dirs {
        let name = name_of(dir);
        for ty in ["aws_db_instance", "aws_rds_cluster"] {
            for block in tf_blocks(dir, ty) {
                let Some(line) = block
                    .lines()
                    .find(|l| l.trim_start().starts_with("final_snapshot_identifier"))
                else {
                    if !block.contains("skip_final_snapshot = true") {
                        problems.push(format!(
                            "{name}: a {ty} keeps a final snapshot without naming it"
                        ));
                    }
                    continue;
                };
                snapshots += 1;
                if !line.contains("timestamp()") {
                    problems.push(format!(
                        "{name}: {ty} final snapshot name is fixed: {}",
                        line.trim()
                    ));
                }
                // Other attributes may be ignored beside it (a global cluster's member).
                if !block.lines().any(|l| {
                    l.trim_start().starts_with("ignore_changes = [")
                        && l.contains("final_snapshot_identifier")
                }) {
                    problems.push(format!(
                        "{name}: {ty} does not keep its final snapshot name (ignore_changes)"
                    ));
                }
            }
        }
        let makefile = read(&dir.join("Makefile"));
        let ignore = read(&dir.join(".gitignore"));
        for out in makefile
            .split_whitespace()
            .filter_map(|w| w.strip_prefix("-out="))
        {
            if !ignore.lines().any(|l| l.trim() == out) {
                problems.push(format!(
                    "{name}: the plan file `{out}` is not in .gitignore"
                ));
            }
        }
    }
    assert!(snapshots >= 3, "only {snapshots} databases checked");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Defect 8: no Auto Scaling group states a desired capacity beside its target-tracking policy,
/// and no scaled ECS service a desired count (found in review: CloudFormation sends it with every
/// update of the service), in any target.
#[test]
fn no_desired_capacity_beside_target_tracking_in_any_target() {
    let mut problems = Vec::new();
    let mut groups = 0;
    for iac in ["cloudformation", "terraform", "cdk"] {
        for dir in generated(iac) {
            let name = name_of(dir);
            match iac {
                "cloudformation" => {
                    let t = template(dir);
                    let all = resources(&t);
                    for (id, r) in &all {
                        if r["Type"] != "AWS::AutoScaling::AutoScalingGroup" {
                            continue;
                        }
                        groups += 1;
                        let tracked = all.iter().any(|(_, p)| {
                            p["Type"] == "AWS::AutoScaling::ScalingPolicy"
                                && p["Properties"]["AutoScalingGroupName"] == id.as_str()
                                && p["Properties"]["PolicyType"] == "TargetTrackingScaling"
                        });
                        if !tracked {
                            problems.push(format!(
                                "{name} ({iac}): {id} has no target-tracking policy"
                            ));
                        }
                        if !r["Properties"]["DesiredCapacity"].is_null() {
                            problems.push(format!("{name} ({iac}): {id} sets DesiredCapacity"));
                        }
                    }
                    // An ECS service that a scalable target scales: its DesiredCount (other
                    // than a deliberate 0) would undo a scale-out on each update.
                    for (id, r) in &all {
                        if r["Type"] != "AWS::ECS::Service" {
                            continue;
                        }
                        let scaled = all.iter().any(|(_, p)| {
                            p["Type"] == "AWS::ApplicationAutoScaling::ScalableTarget"
                                && serde_json::to_string(&p["Properties"]["ResourceId"])
                                    .unwrap()
                                    .contains(&format!("{id}.Name"))
                        });
                        if !scaled {
                            continue;
                        }
                        groups += 1;
                        let desired = &r["Properties"]["DesiredCount"];
                        if !desired.is_null() && desired != 0 {
                            problems.push(format!(
                                "{name} ({iac}): {id} sets DesiredCount beside its scalable target"
                            ));
                        }
                    }
                }
                "terraform" => {
                    for block in tf_blocks(dir, "aws_ecs_service") {
                        groups += 1;
                        if block
                            .lines()
                            .any(|l| l.trim_start().starts_with("desired_count"))
                            && !block.contains("ignore_changes = [desired_count]")
                        {
                            problems.push(format!(
                                "{name} ({iac}): an aws_ecs_service sets desired_count without ignoring its changes"
                            ));
                        }
                    }
                    for block in tf_blocks(dir, "aws_autoscaling_group") {
                        groups += 1;
                        if block
                            .lines()
                            .any(|l| l.trim_start().starts_with("desired_capacity"))
                            && !block.contains("ignore_changes = [desired_capacity]")
                        {
                            problems.push(format!(
                                "{name} ({iac}): an aws_autoscaling_group sets desired_capacity"
                            ));
                        }
                    }
                }
                _ => {
                    let code = cdk_code(dir);
                    groups += code.matches("new autoscaling.AutoScalingGroup(").count();
                    groups += code.matches("new ecs.FargateService(").count();
                    if code.lines().any(|l| {
                        l.trim_start().starts_with("desiredCount:")
                            && l.trim() != "desiredCount: 0,"
                    }) {
                        problems.push(format!(
                            "{name} ({iac}): a FargateService sets desiredCount beside its auto scaling"
                        ));
                    }
                    if code
                        .lines()
                        .any(|l| l.trim_start().starts_with("desiredCapacity:"))
                    {
                        problems.push(format!(
                            "{name} ({iac}): an AutoScalingGroup sets desiredCapacity"
                        ));
                    }
                }
            }
        }
    }
    assert!(groups >= 6, "only {groups} groups checked");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Defect 8: CloudFront origin access controls and response headers policies are named per stack
/// (CloudFormation, CDK: the stack's own id, unique per region and environment) or per
/// environment and region (Terraform), so that two deployments never collide.
#[test]
fn cloudfront_names_are_unique_per_stack_region_and_environment() {
    let mut problems = Vec::new();
    let mut names = 0;
    // CloudFormation: the same template deployed twice must give different names, so each name
    // must take the stack id; the literal parts must also differ between resources of one stack.
    for dir in generated("cloudformation") {
        let name = name_of(dir);
        let t = template(dir);
        let mut literal = Vec::new();
        for (id, r) in resources(&t) {
            let n = match r["Type"].as_str().unwrap_or_default() {
                "AWS::CloudFront::OriginAccessControl" => {
                    &r["Properties"]["OriginAccessControlConfig"]["Name"]
                }
                "AWS::CloudFront::ResponseHeadersPolicy" => {
                    &r["Properties"]["ResponseHeadersPolicyConfig"]["Name"]
                }
                _ => continue,
            };
            names += 1;
            let shown = n.to_string();
            if !shown.contains("AWS::StackId") {
                problems.push(format!(
                    "{name} (cloudformation): {id} name does not take the stack id: {shown}"
                ));
            }
            literal.push(shown);
        }
        let before = literal.len();
        literal.sort();
        literal.dedup();
        if literal.len() != before {
            problems.push(format!(
                "{name} (cloudformation): two CloudFront names are the same"
            ));
        }
    }
    // Terraform: the names carry the environment prefix and the region.
    for dir in generated("terraform") {
        let name = name_of(dir);
        for ty in [
            "aws_cloudfront_origin_access_control",
            "aws_cloudfront_response_headers_policy",
        ] {
            for (addr, value) in tf_attributes(dir, ty, "name") {
                names += 1;
                if !value.contains("local.name") || !value.contains("var.aws_region") {
                    problems.push(format!(
                        "{name} (terraform): {addr} name lacks the environment or region: {value}"
                    ));
                }
            }
        }
    }
    // CDK: explicit names with the stack id (CDK's default name is the construct path, the same
    // in every region).
    for dir in generated("cdk") {
        let name = name_of(dir);
        let code = cdk_code(dir);
        for (construct, prop) in [
            (
                "new cloudfront.ResponseHeadersPolicy(",
                "responseHeadersPolicyName: cdk.Fn.join(",
            ),
            (
                "S3BucketOrigin.withOriginAccessControl(",
                "originAccessControlName: cdk.Fn.join(",
            ),
        ] {
            let made = code.matches(construct).count();
            let named = code
                .lines()
                .filter(|l| {
                    l.find(prop)
                        .is_some_and(|at| l[at..].contains("cdk.Aws.STACK_ID"))
                })
                .count();
            names += made;
            if made != named {
                problems.push(format!(
                    "{name} (cdk): {made} × {construct}…), {named} named with the stack id"
                ));
            }
        }
    }
    assert!(names >= 12, "only {names} names checked");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The major version of an engine version string (`17.9` → `17`, `8.4.10` → `8.4`).
fn major(engine: &str, version: &str) -> String {
    let parts: Vec<&str> = version.split('.').collect();
    if engine == "mysql" {
        parts.iter().take(2).copied().collect::<Vec<_>>().join(".")
    } else {
        parts[0].to_string()
    }
}

/// Defect 8: every RDS instance is pinned to the same engine major version in the three targets,
/// and has Performance Insights where its engine offers it on its class.
#[test]
fn rds_engine_version_and_performance_insights_agree_across_targets() {
    let generated: BTreeMap<&str, &[PathBuf]> = ["cloudformation", "terraform", "cdk"]
        .into_iter()
        .map(|t| (t, generated(t)))
        .collect();
    let mut problems = Vec::new();
    let mut databases = 0;
    for dir in generated["cloudformation"] {
        let name = name_of(dir);
        let dbs: Vec<(String, String, Value)> = components(&pattern_of(dir))
            .into_iter()
            .filter(|(_, kind, _)| kind == "rds-instance")
            .collect();
        if dbs.is_empty() {
            continue;
        }
        let dir_of = |t: &str| {
            generated[t]
                .iter()
                .find(|d| name_of(d) == name)
                .unwrap()
                .clone()
        };
        let cfn = template_with_regions(dir);
        let tf_dir = dir_of("terraform");
        let cdk = cdk_code(&dir_of("cdk"));
        for (id, _, props) in &dbs {
            databases += 1;
            let engine = props["engine"].as_str().unwrap_or("postgres");
            let class = props["instance_class"].as_str().unwrap_or("db.t4g.micro");
            let small =
                ["micro", "small"].iter().any(|s| class.ends_with(s)) && class.starts_with("db.t");
            let pi_offered = engine != "mysql" || !small;
            let lid = logical_id(id);
            let r = &cfn["Resources"][&lid]["Properties"];
            let cfn_major = r["EngineVersion"].as_str().map(|v| major(engine, v));
            let tf_block = tf_blocks(&tf_dir, "aws_db_instance")
                .into_iter()
                .find(|b| {
                    b.starts_with(&format!(
                        "resource \"aws_db_instance\" \"{}\"",
                        id.replace('-', "_")
                    ))
                })
                .unwrap_or_default();
            let tf_major = tf_block
                .lines()
                .find(|l| l.trim_start().starts_with("engine_version "))
                .and_then(|l| l.split('"').nth(1))
                .map(|v| major(engine, v));
            let class_name = if engine == "mysql" {
                "MysqlEngineVersion.VER_"
            } else {
                "PostgresEngineVersion.VER_"
            };
            let cdk_major = cdk
                .split(class_name)
                .nth(1)
                .and_then(|rest| {
                    rest.split(|c: char| !(c.is_ascii_digit() || c == '_'))
                        .next()
                })
                .map(|v| major(engine, &v.replace('_', ".")));
            if cfn_major.is_none() || cfn_major != tf_major || tf_major != cdk_major {
                problems.push(format!(
                    "{name}: {id} ({engine}) major versions differ or are unpinned: cloudformation {cfn_major:?}, terraform {tf_major:?}, cdk {cdk_major:?}"
                ));
            }
            let cfn_pi = r["EnablePerformanceInsights"].as_bool() == Some(true)
                || r["EnablePerformanceInsights"] == "true";
            let tf_pi = tf_block.contains("performance_insights_enabled          = true");
            let cdk_pi = cdk.contains("enablePerformanceInsights: true");
            if (cfn_pi, tf_pi, cdk_pi) != (pi_offered, pi_offered, pi_offered) {
                problems.push(format!(
                    "{name}: {id} ({engine} on {class}) Performance Insights should be {pi_offered}: cloudformation {cfn_pi}, terraform {tf_pi}, cdk {cdk_pi}"
                ));
            }
            if pi_offered && tf_block.contains("CKV_AWS_353") {
                problems.push(format!(
                    "{name}: {id} skips CKV_AWS_353 although Performance Insights is offered"
                ));
            }
        }
    }
    assert!(databases >= 2, "only {databases} databases checked");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Defect 8: the load balancers and the web and application tiers (Auto Scaling groups, ECS
/// services, functions in a VPC) let out only HTTPS plus their connections' ports, in the three
/// targets: no default allow-all egress in CloudFormation or CDK, no all-protocol egress in
/// Terraform (found in review: a CloudFormation or CDK load balancer could send anywhere).
#[test]
fn compute_egress_is_least_privilege_in_every_target() {
    const KINDS: [&str; 4] = ["alb", "ec2-asg", "ecs-service", "lambda"];
    let mut problems = Vec::new();
    let mut groups = 0;
    for iac in ["cloudformation", "terraform", "cdk"] {
        for dir in generated(iac) {
            let name = name_of(dir);
            let ids: Vec<String> = components(&pattern_of(dir))
                .into_iter()
                .filter(|(_, kind, _)| KINDS.contains(&kind.as_str()))
                .map(|(id, _, _)| id)
                .collect();
            match iac {
                "cloudformation" => {
                    let t = template(dir);
                    for id in &ids {
                        let sg = &t["Resources"][format!("{}SecurityGroup", logical_id(id))];
                        if sg.is_null() {
                            continue; // a function outside any VPC
                        }
                        groups += 1;
                        let egress = sg["Properties"]["SecurityGroupEgress"].as_array();
                        match egress {
                            None => problems.push(format!("{name} ({iac}): {id}'s security group keeps the default allow-all egress")),
                            Some(rules) => {
                                for rule in rules {
                                    if rule["IpProtocol"] == "-1" || rule["FromPort"] != 443 && rule["CidrIp"] == "0.0.0.0/0" {
                                        problems.push(format!("{name} ({iac}): {id} egress wider than HTTPS: {rule}"));
                                    }
                                }
                            }
                        }
                    }
                }
                "terraform" => {
                    for block in tf_blocks(dir, "aws_security_group") {
                        if block.contains("egress {") {
                            problems
                                .push(format!("{name} ({iac}): an inline egress block:\n{block}"));
                        }
                    }
                    for block in tf_blocks(dir, "aws_vpc_security_group_egress_rule") {
                        groups += 1;
                        if block.contains("ip_protocol = \"-1\"")
                            || block.contains("ip_protocol       = \"-1\"")
                        {
                            problems.push(format!(
                                "{name} ({iac}): an all-protocol egress rule:\n{block}"
                            ));
                        }
                    }
                }
                _ => {
                    let code = cdk_code(dir);
                    for id in &ids {
                        let v = {
                            let mut parts = id.split(['_', '-']);
                            let first = parts.next().unwrap_or_default().to_string();
                            first
                                + &parts
                                    .map(|w| {
                                        let mut c = w.chars();
                                        c.next()
                                            .map(|f| {
                                                f.to_ascii_uppercase().to_string() + c.as_str()
                                            })
                                            .unwrap_or_default()
                                    })
                                    .collect::<String>()
                        };
                        let Some(at) =
                            code.find(&format!("const {v}SecurityGroup = new ec2.SecurityGroup("))
                        else {
                            continue;
                        };
                        groups += 1;
                        let body = &code[at..at + code[at..].find("});").unwrap_or(0)];
                        if !body.contains("allowAllOutbound: false") {
                            problems.push(format!(
                                "{name} ({iac}): {id}'s security group allows all outbound traffic"
                            ));
                        }
                    }
                }
            }
        }
    }
    assert!(groups >= 15, "only {groups} security groups checked");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Defect 8: the READMEs quote no prices (they go stale) but name what is billed, point at the
/// AWS Pricing Calculator and mark what costs money every hour.
#[test]
fn readmes_name_cost_drivers_not_prices() {
    let mut problems = Vec::new();
    let mut readmes = 0;
    for iac in ["cloudformation", "terraform", "cdk"] {
        for dir in generated(iac) {
            let name = name_of(dir);
            let readme = read(&dir.join("README.md"));
            let Some(at) = readme.find("## Rough costs") else {
                problems.push(format!("{name} ({iac}): no cost section"));
                continue;
            };
            readmes += 1;
            let section = &readme[at..];
            let section = &section[..section[3..].find("\n## ").map_or(section.len(), |e| e + 3)];
            if !section.contains("https://calculator.aws/") {
                problems.push(format!(
                    "{name} ({iac}): the cost section does not link the AWS Pricing Calculator"
                ));
            }
            for line in section.lines() {
                if line.char_indices().any(|(i, c)| {
                    c == '$' && line[i + 1..].starts_with(|d: char| d.is_ascii_digit())
                }) {
                    problems.push(format!("{name} ({iac}): a price in the README: {line}"));
                }
            }
            let always_on = ["NAT gateway", "RDS (", "Application Load Balancer", "EKS ("];
            for item in always_on {
                if let Some(line) = section.lines().find(|l| l.contains(item))
                    && !line.to_lowercase().contains("always on")
                {
                    problems.push(format!(
                        "{name} ({iac}): an hourly cost not marked always on: {line}"
                    ));
                }
            }
        }
    }
    assert!(readmes >= 90, "only {readmes} READMEs checked");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Defect 7, the real packaging step: `sam build` (offline) of every built-in with functions
/// builds each function from its `src/` folder, byte for byte what is there.
#[test]
fn sam_build_packages_each_function_from_its_src_folder() {
    let sam = support::tool("aws-sam-cli-venv/bin/sam");
    let root = tempfile::tempdir().unwrap();
    // SAM's own settings in a folder of the test: no telemetry, and the weekly check for a newer
    // version marked as just done, so that the build needs no network.
    let app_dir = root.path().join("sam-app-dir");
    std::fs::create_dir_all(&app_dir).unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    std::fs::write(
        app_dir.join("metadata.json"),
        format!("{{\"telemetryEnabled\": false, \"lastVersionCheck\": {now}}}"),
    )
    .unwrap();
    let mut built = 0;
    let mut problems = Vec::new();
    for pattern in ["serverless-web", "event-driven"] {
        let dir = root.path().join(pattern);
        support::new_project(pattern, "cloudformation", &[], &dir);
        let out = std::process::Command::new(&sam)
            .args([
                "build",
                "--template-file",
                "template.yaml",
                "--build-dir",
                ".aws-sam/build",
            ])
            .current_dir(&dir)
            .env("SAM_CLI_TELEMETRY", "0")
            .env("__SAM_CLI_APP_DIR", &app_dir)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{pattern}: sam build failed:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        let t = template(&dir);
        for (id, r) in resources(&t) {
            if r["Type"] != "AWS::Serverless::Function" {
                continue;
            }
            built += 1;
            let src = files_under(&dir.join(r["Properties"]["CodeUri"].as_str().unwrap()));
            let artifact = files_under(&dir.join(".aws-sam/build").join(id));
            if src.is_empty() || src != artifact {
                problems.push(format!(
                    "{pattern}: {id}: the built artifact ({:?}) is not src ({:?})",
                    artifact.keys().collect::<Vec<_>>(),
                    src.keys().collect::<Vec<_>>()
                ));
            }
        }
    }
    assert!(built >= 7, "only {built} functions built");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// What a connection means is its properties, not its label: the Cognito step and the CloudFront
/// path pattern a pattern sets reach the code of all three targets, whatever the labels say.
#[test]
fn connection_properties_reach_every_target() {
    use archpat::scaffold::{self, Iac};
    let text = "id: props\ntitle: Props\nsummary: S\ncomponents:\n  - { id: pool, kind: cognito-user-pool, label: Pool }\n  - { id: claims, kind: lambda, label: Claims }\n  - { id: cdn, kind: cloudfront, label: CDN }\n  - { id: site, kind: s3-bucket, label: Site }\n  - { id: media, kind: s3-bucket, label: Media }\nconnections:\n  - { from: pool, to: claims, kind: trigger, label: post_confirmation, properties: { step: pre_token_generation } }\n  - { from: cdn, to: site, kind: origin, label: \"/looks/like/a/path/*\" }\n  - { from: cdn, to: media, kind: origin, label: media, properties: { path: \"/media/*\" } }\n";
    let pattern = archpat::loader::load_str("props.yaml", text)
        .unwrap()
        .resolve(&[])
        .unwrap();
    let expected = [
        (
            Iac::Cloudformation,
            "PreTokenGeneration: !GetAtt Claims.Arn",
            "- PathPattern: \"/media/*\"",
        ),
        (
            Iac::Terraform,
            "pre_token_generation = aws_lambda_function.claims.arn",
            "path_pattern               = \"/media/*\"",
        ),
        (
            Iac::Cdk,
            "cognito.UserPoolOperation.PRE_TOKEN_GENERATION, claims",
            "\"/media/*\": {",
        ),
    ];
    for (iac, step, path) in expected {
        let project = scaffold::scaffold(&pattern, &scaffold::Options::new(iac)).unwrap();
        // The code, not the copy of the pattern or the README's diagram, which keep the labels.
        let all: String = project
            .files
            .iter()
            .filter(|(path, _)| !path.ends_with(".md") && *path != ".archpat.yaml")
            .map(|(_, text)| text.as_str())
            .collect();
        assert!(all.contains(step), "{iac:?}: {step}");
        assert!(all.contains(path), "{iac:?}: {path}");
        assert!(
            !all.contains("/looks/like/a/path/*\""),
            "{iac:?}: a label became a path"
        );
        assert!(
            !all.contains("PostConfirmation") && !all.contains("post_confirmation ="),
            "{iac:?}"
        );
    }
}

/// The IAM action an AWS SDK call needs: the operation's name under the service's prefix, but
/// for the few operations whose action is named otherwise.
fn action_of(prefix: &str, operation: &str) -> String {
    let action = match (prefix, operation) {
        ("s3", "ListObjectsV2" | "ListObjects") => "ListBucket",
        ("s3", "HeadObject") => "GetObject",
        ("lambda", "Invoke") => "InvokeFunction",
        ("dynamodb", "Put") => "PutItem",
        ("dynamodb", "Get") => "GetItem",
        ("dynamodb", "Update") => "UpdateItem",
        ("dynamodb", "Delete") => "DeleteItem",
        ("dynamodb", "BatchWrite") => "BatchWriteItem",
        ("dynamodb", "BatchGet") => "BatchGetItem",
        ("dynamodb", "TransactWrite") => "TransactWriteItems",
        _ => operation,
    };
    format!("{prefix}:{action}")
}

/// A boto3 method's operation: `put_item` → `PutItem`.
fn pascal(snake: &str) -> String {
    snake
        .split('_')
        .map(|w| w[..1].to_uppercase() + &w[1..])
        .collect()
}

/// The SDK calls in a function's code: `(IAM action, environment variable the call's first
/// resource argument is read from)`. Node.js: the `@aws-sdk/client-*` (and `lib-dynamodb`)
/// commands it constructs; Python: the boto3 client methods it calls.
fn sdk_calls(code: &str, python: bool) -> Vec<(String, Option<String>)> {
    fn node_prefix(package: &str) -> &str {
        match package {
            "client-eventbridge" => "events",
            "client-sfn" => "states",
            "client-secrets-manager" => "secretsmanager",
            "lib-dynamodb" => "dynamodb",
            other => other.strip_prefix("client-").unwrap_or(other),
        }
    }
    fn py_prefix(service: &str) -> &str {
        match service {
            "stepfunctions" => "states",
            other => other,
        }
    }
    // Names bound to an environment variable: `const TABLE = process.env.X;`, Python's
    // `TABLE = ….Table(os.environ["X"])`.
    let bound: BTreeMap<String, String> = regex::Regex::new(
        r#"(?m)^(?:const )?(\w+) = [^\n]*?(?:process\.env\.(\w+)|os\.environ(?:\.get\(|\[)"(\w+)")"#,
    )
    .unwrap()
    .captures_iter(code)
    .map(|c| (c[1].to_string(), c.get(2).or(c.get(3)).unwrap().as_str().to_string()))
    .collect();
    let env = |text: &str| {
        regex::Regex::new(r#"process\.env\.(\w+)|os\.environ(?:\.get\(|\[)"(\w+)""#)
            .unwrap()
            .captures(text)
            .map(|c| c.get(1).or(c.get(2)).unwrap().as_str().to_string())
            .or_else(|| {
                regex::Regex::new(r"\b[A-Za-z_]\w*\b")
                    .unwrap()
                    .find_iter(text)
                    .find_map(|w| bound.get(w.as_str()).cloned())
            })
    };
    let mut calls = Vec::new();
    if python {
        let mut clients: BTreeMap<String, String> =
            regex::Regex::new(r#"(\w+) = boto3\.client\("([\w-]+)""#)
                .unwrap()
                .captures_iter(code)
                .map(|c| (c[1].to_string(), py_prefix(&c[2]).to_string()))
                .collect();
        let resources: BTreeMap<String, String> =
            regex::Regex::new(r#"(?m)(\w+) = boto3\.resource\("([\w-]+)"\)$"#)
                .unwrap()
                .captures_iter(code)
                .map(|c| (c[1].to_string(), py_prefix(&c[2]).to_string()))
                .collect();
        // A table bound once: `TABLE = boto3.resource("dynamodb").Table(os.environ["X"])`, whose
        // calls (`TABLE.get_item(…)`) name it.
        for c in regex::Regex::new(r#"(?m)^(\w+) = boto3\.resource\("dynamodb"\)\.Table\("#)
            .unwrap()
            .captures_iter(code)
        {
            clients.insert(c[1].to_string(), "dynamodb".to_string());
        }
        // A resource's table: `TABLES.Table(os.environ["X"]).put_item(…)`.
        let table = regex::Regex::new(r"\b(\w+)\.Table\(([^)]*)\)\.([a-z_]+)\(").unwrap();
        for c in table.captures_iter(code) {
            if let Some(prefix) = resources.get(&c[1]) {
                calls.push((action_of(prefix, &pascal(&c[3])), env(&c[2])));
            }
        }
        let call = regex::Regex::new(r"\b(\w+)\.([a-z_]+)\(([^\n]*)").unwrap();
        for c in call.captures_iter(code) {
            if let Some(prefix) = clients.get(&c[1]) {
                let target = env(&c[3]).or_else(|| bound.get(&c[1]).cloned());
                calls.push((action_of(prefix, &pascal(&c[2])), target));
            }
        }
    } else {
        // The local name of each command imported from a client (`PutRecordCommand:
        // PutDeliveryRecordCommand` renames one) → (the client's prefix, the operation).
        let mut commands: BTreeMap<String, (String, String)> = BTreeMap::new();
        let import =
            regex::Regex::new(r#"const \{([^}]*)\} = require\("@aws-sdk/([\w-]+)"\)"#).unwrap();
        for c in import.captures_iter(code) {
            for name in c[1].split(',').map(str::trim) {
                let (imported, local) = name.split_once(':').unwrap_or((name, name));
                if let Some(operation) = imported.trim().strip_suffix("Command") {
                    let entry = (node_prefix(&c[2]).to_string(), operation.to_string());
                    commands.insert(local.trim().to_string(), entry);
                }
            }
        }
        let call = regex::Regex::new(r"new (\w+Command)\(([^\n]*)").unwrap();
        for c in call.captures_iter(code) {
            let (prefix, operation) = commands
                .get(&c[1])
                .unwrap_or_else(|| panic!("`{}` is not imported from an SDK client", &c[1]));
            calls.push((action_of(prefix, operation), env(&c[2])));
        }
    }
    calls
}

/// Every statement of a role: its inline policies and the policies that name it.
fn role_statements<'t>(t: &'t Value, role: &str) -> Vec<&'t Value> {
    let list = |doc: &'t Value| -> Vec<&'t Value> {
        match &doc["Statement"] {
            Value::Array(a) => a.iter().collect(),
            Value::Null => Vec::new(),
            one => vec![one],
        }
    };
    let mut out = Vec::new();
    for (lid, r) in resources(t) {
        let props = &r["Properties"];
        if lid == role {
            for p in props["Policies"].as_array().into_iter().flatten() {
                out.extend(list(&p["PolicyDocument"]));
            }
        }
        let names_role = props["Roles"]
            .as_array()
            .is_some_and(|roles| roles.iter().any(|x| x.as_str() == Some(role)));
        if names_role {
            out.extend(list(&props["PolicyDocument"]));
        }
    }
    out
}

fn strings(v: &Value) -> Vec<String> {
    match v {
        Value::String(s) => vec![s.clone()],
        Value::Array(a) => a.iter().flat_map(strings).collect(),
        _ => Vec::new(),
    }
}

/// One generated function, read for the wiring checks: its project, logical id and role, the
/// statements its role is given, the targets its configuration names (environment variable →
/// logical id) and the SDK calls its code makes (IAM action, environment variable).
struct FunctionWiring {
    project: String,
    lid: String,
    role: String,
    statements: Vec<Value>,
    given: BTreeMap<String, String>,
    /// The resource type of each target the configuration names, by logical id.
    types: BTreeMap<String, String>,
    calls: Vec<(String, Option<String>)>,
}

/// Every Lambda function of every built-in and catalog-derived CloudFormation project, and of
/// the catalog-derived Lambda pattern once more with the Python runtime (its handler calls every
/// service a Lambda may connect to), read once for both wiring checks.
fn function_wiring() -> &'static [FunctionWiring] {
    static ALL: OnceLock<Vec<FunctionWiring>> = OnceLock::new();
    ALL.get_or_init(|| {
        let python_root = tempfile::tempdir().unwrap();
        let source = read(&support::fixtures_dir().join("coverage/coverage-lambda.yaml"));
        let python = source.replacen(
            "{ id: lambda, kind: lambda, label: \"Lambda function\",",
            "{ id: lambda, kind: lambda, properties: { runtime: python3.13 }, label: \"Lambda function\",",
            1,
        );
        assert_ne!(python, source, "the coverage pattern's Lambda line changed");
        let python_file = python_root.path().join("coverage-lambda-python.yaml");
        std::fs::write(&python_file, python).unwrap();
        let mut cases: Vec<(String, String, Vec<String>)> = support::user_fixtures()
            .iter()
            .map(|p| {
                let name = p.file_stem().unwrap().to_string_lossy().to_string();
                (name, p.to_str().unwrap().to_string(), Vec::new())
            })
            .collect();
        cases.push((
            "coverage-lambda-python".into(),
            python_file.to_str().unwrap().into(),
            Vec::new(),
        ));
        let (more, failed) = support::generate_cases(python_root.path(), "cloudformation", &cases);
        assert!(failed.is_empty(), "{}", failed.join("\n\n"));
        let mut out = Vec::new();
        for dir in generated("cloudformation").iter().chain(&more) {
            let t = template(dir);
            let t_all = template_with_regions(dir);
            let t_type = |t: &Value, lid: &str| {
                t["Resources"][lid]["Type"]
                    .as_str()
                    .unwrap_or("a parameter")
                    .to_string()
            };
            for (lid, f) in resources(&t) {
                if f["Type"] != "AWS::Serverless::Function" {
                    continue;
                }
                let props = &f["Properties"];
                let code_dir = dir.join(props["CodeUri"].as_str().unwrap());
                let python = props["Runtime"].as_str().unwrap().starts_with("python");
                let module = props["Handler"]
                    .as_str()
                    .unwrap()
                    .split('.')
                    .next()
                    .unwrap();
                let code =
                    read(&code_dir.join(format!("{module}.{}", if python { "py" } else { "js" })));
                let role = props["Role"].as_str().unwrap().trim_end_matches(".Arn");
                let given = props["Environment"]["Variables"]
                    .as_object()
                    .into_iter()
                    .flatten()
                    .filter_map(|(k, v)| {
                        let lid = v.as_str()?.split('.').next()?.to_string();
                        Some((k.clone(), lid))
                    })
                    .collect::<BTreeMap<String, String>>();
                let types = given
                    .values()
                    .map(|t| (t.clone(), t_type(&t_all, t)))
                    .collect();
                out.push(FunctionWiring {
                    project: name_of(dir),
                    lid: lid.clone(),
                    role: role.to_string(),
                    statements: role_statements(&t, role).into_iter().cloned().collect(),
                    given,
                    types,
                    calls: sdk_calls(&code, python),
                });
            }
        }
        // The projects are read; the files may go.
        drop(python_root);
        out
    })
}

/// Whether a policy resource names the component with logical id `lid`.
fn names(resource: &str, lid: &str) -> bool {
    regex::Regex::new(&format!(r"\b{lid}\b"))
        .unwrap()
        .is_match(resource)
}

/// Functional check of the wiring (issue 12), the "no fewer" half: every AWS SDK call a
/// generated function's code makes is allowed by the function's role, on the resource the call
/// names (the one its environment variable points at), in every built-in and catalog-derived
/// project, Node.js and Python. A call the role does not allow fails on the first request, which
/// no linter sees.
#[test]
fn every_sdk_call_a_function_makes_is_granted_on_the_resource_it_names() {
    let mut checked = 0;
    let mut missing = Vec::new();
    for f in function_wiring() {
        for (action, var) in &f.calls {
            checked += 1;
            let target = var.as_ref().map(|v| {
                f.given.get(v).unwrap_or_else(|| {
                    panic!(
                        "{}: {} reads `{v}`, which it is not given",
                        f.project, f.lid
                    )
                })
            });
            let granted = f.statements.iter().any(|s| {
                s["Effect"] == "Allow"
                    && strings(&s["Action"]).iter().any(|a| a == action)
                    && strings(&s["Resource"])
                        .iter()
                        .any(|r| target.is_none_or(|t| names(r, t)))
            });
            if !granted {
                missing.push(format!(
                    "{}: {} calls {action} on {} but role {} does not allow it",
                    f.project,
                    f.lid,
                    target.map_or("a resource it is given at run time", |t| t.as_str()),
                    f.role
                ));
            }
        }
    }
    // 45 calls when written: every call a starter handler makes, in both languages.
    assert!(
        checked >= 45,
        "only {checked} SDK calls found: the parser no longer reads the code"
    );
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}

/// The connections (statement access, target resource type) on which a generated Lambda
/// handler makes no AWS call yet, so that its role grants what the connection means, for the
/// code the user writes: where the code makes one call on a target, the exact check applies.
///
/// What the starter handler only passes things on to (tables, queues, topics, buses, functions,
/// state machines, Kinesis and Firehose streams, buckets) it calls; it reads nothing but an HTTP
/// API's table. So reading objects or secrets is granted unread; a database needs a driver that
/// the deployment package does not bundle, so its secret is only granted; a table that a function
/// other than an HTTP API's only reads is handed to it unread.
const NOT_CALLED_YET: &[&str] = &[
    "List AWS::S3::Bucket",
    "Read AWS::DynamoDB::Table",
    "Read AWS::RDS::DBCluster",
    "Read AWS::RDS::DBInstance",
    "Read AWS::S3::Bucket",
    "Read AWS::SecretsManager::Secret",
    "ReadWrite AWS::RDS::DBCluster",
    "ReadWrite AWS::RDS::DBInstance",
];

/// The "no more" half of the functional wiring check (issue 12): on each resource a function's
/// configuration names, its role allows exactly the calls its code makes there, so the
/// generated role is the least privilege of the generated code (a call added later needs its
/// action added too, which the README says). What the Lambda service itself does with the role
/// (write the function's logs, poll the queue or stream it consumes, send failed events to their
/// queue, use the keys of encrypted targets) is on resources the code is not told about and is
/// not the code's to call; a statement on every resource (`*`) may only be one of those.
#[test]
fn a_function_role_allows_no_call_its_code_does_not_make() {
    /// What the Lambda service does with a function's role on every resource: network
    /// interfaces of a function in a VPC, traces.
    const SERVICE_ON_ANY: &[&str] = &[
        "ec2:CreateNetworkInterface",
        "ec2:DescribeNetworkInterfaces",
        "ec2:DeleteNetworkInterface",
        "ec2:AssignPrivateIpAddresses",
        "ec2:UnassignPrivateIpAddresses",
        "xray:PutTraceSegments",
        "xray:PutTelemetryRecords",
    ];
    let mut extra = Vec::new();
    let mut unused: BTreeSet<(String, String)> = BTreeSet::new();
    let mut checked = 0;
    for f in function_wiring() {
        let called: BTreeSet<(&str, &str)> = f
            .calls
            .iter()
            .filter_map(|(a, v)| Some((a.as_str(), f.given.get(v.as_ref()?)?.as_str())))
            .collect();
        let targets: BTreeSet<&str> = f.given.values().map(String::as_str).collect();
        for s in f.statements.iter().filter(|s| s["Effect"] == "Allow") {
            let actions = strings(&s["Action"]);
            let resources = strings(&s["Resource"]);
            let sid = s["Sid"].as_str().unwrap_or("no Sid");
            for action in actions.iter().filter(|a| !a.starts_with("kms:")) {
                for r in &resources {
                    if r == "*" {
                        if !SERVICE_ON_ANY.contains(&action.as_str()) {
                            extra.push(format!(
                                "{}: role {} of {} allows {action} on every resource",
                                f.project, f.role, f.lid
                            ));
                        }
                        continue;
                    }
                    for t in targets.iter().filter(|t| names(r, t)) {
                        checked += 1;
                        if called.iter().all(|(_, on)| on != t) {
                            // The statement id is the access and the target: `ReadWrite<Lid>`.
                            let sid = sid.trim_end_matches(|c: char| c.is_ascii_digit());
                            let access = sid.strip_suffix(*t).unwrap_or(sid);
                            unused.insert((access.to_string(), f.types[*t].clone()));
                        } else if !called.contains(&(action.as_str(), t)) {
                            extra.push(format!(
                                "{}: role {} of {} allows {action} on {t} ({sid}), which its code never calls",
                                f.project, f.role, f.lid
                            ));
                        }
                    }
                }
            }
        }
    }
    assert!(
        checked >= 89,
        "only {checked} grants checked: the reader no longer finds them"
    );
    extra.sort();
    extra.dedup();
    assert!(extra.is_empty(), "{}:\n{}", extra.len(), extra.join("\n"));
    let unused: Vec<String> = unused.iter().map(|(a, t)| format!("{a} {t}")).collect();
    assert_eq!(
        unused, NOT_CALLED_YET,
        "the connections on which a generated handler makes no call (its role grants what the \
         connection means) changed: a call the code now makes needs its exact grant, and the \
         list here (and docs/testing.md) shrinks"
    );
}

/// Every policy statement anywhere in `v` (a template, or Terraform resources read as JSON), as
/// (actions, resources).
fn all_statements(v: &Value, out: &mut Vec<(Vec<String>, Vec<String>)>) {
    match v {
        Value::Object(o) => {
            if let Some(st) = o.get("Statement") {
                let list = match st {
                    Value::Array(a) => a.clone(),
                    one => vec![one.clone()],
                };
                for s in &list {
                    if s["Effect"] == "Allow" {
                        let resources = serde_json::to_string(&s["Resource"]).unwrap();
                        out.push((strings(&s["Action"]), vec![resources]));
                    }
                }
            }
            o.values().for_each(|x| all_statements(x, out));
        }
        Value::Array(a) => a.iter().for_each(|x| all_statements(x, out)),
        _ => {}
    }
}

/// The EKS load balancer controller tags every listener and rule it creates, so a role that may
/// create them must also tag them: without `AddTags` on listeners and rules the ALB is made but
/// never gets a listener (found in review; the controller's own policy has the statement).
#[test]
fn the_load_balancer_controller_may_tag_the_listeners_and_rules_it_creates() {
    let mut checked = 0;
    let mut problems = Vec::new();
    for iac in ["cloudformation", "terraform"] {
        for dir in generated(iac) {
            let v = if iac == "cloudformation" {
                template_with_regions(dir)
            } else {
                let (resources, _) = crate::delivery::tf_resources(dir);
                serde_json::to_value(resources).unwrap()
            };
            let mut statements = Vec::new();
            all_statements(&v, &mut statements);
            for (create, kind) in [
                ("elasticloadbalancing:CreateListener", "listener/app/"),
                ("elasticloadbalancing:CreateRule", "listener-rule/app/"),
            ] {
                let creates = statements
                    .iter()
                    .any(|(a, r)| a.iter().any(|x| x == create) && r[0].contains(kind));
                if !creates {
                    continue;
                }
                checked += 1;
                let tags = statements.iter().any(|(a, r)| {
                    a.iter().any(|x| x == "elasticloadbalancing:AddTags") && r[0].contains(kind)
                });
                if !tags {
                    problems.push(format!(
                        "{iac} {}: a role may {create} but not elasticloadbalancing:AddTags on {kind}*",
                        name_of(dir)
                    ));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(checked >= 4, "only {checked} controller roles checked");
}

/// The stack names a CDK project's README uses (`--stack-name X`, `STACK=X`) are stacks its app
/// creates in the default environment (`<project>-dev`, and each region's `<project>-dev-<region>`):
/// a README that names `<project>` alone fails at the first `describe-stacks` (found in review).
#[test]
fn cdk_readme_commands_name_the_stacks_the_app_creates() {
    let mut checked = 0;
    let mut problems = Vec::new();
    for dir in generated("cdk") {
        let name = name_of(dir);
        let readme = read(&dir.join("README.md"));
        let bin = read(&dir.join("bin").join(format!("{name}.ts")));
        let main = format!("{name}-dev");
        // The main stack is `"<name>-" + environment` (or `mainName`, which is that); region
        // stacks are `${mainName}-<suffix>`.
        let mut stacks = vec![main.clone()];
        for part in bin.split("`${mainName}-").skip(1) {
            if let Some(suffix) = part.split('`').next() {
                stacks.push(format!("{main}-{suffix}"));
            }
        }
        assert!(
            bin.contains(&format!("\"{name}-\" + environment")),
            "{name}: bin/{name}.ts does not name the stack `{name}-` + environment"
        );
        let words: Vec<&str> = readme.split_whitespace().collect();
        for (i, w) in words.iter().enumerate() {
            let named = if *w == "--stack-name" {
                words.get(i + 1).copied()
            } else {
                w.strip_prefix("STACK=")
            };
            let Some(named) = named else { continue };
            let named = named.trim_matches(|c| c == '"' || c == '`' || c == '\\');
            if named.is_empty() || named.contains("STACK") || named.starts_with('<') {
                continue;
            }
            checked += 1;
            if !stacks.iter().any(|s| s == named) {
                problems.push(format!(
                    "{name}: README.md names stack `{named}`; the app creates {stacks:?}"
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(checked >= 4, "only {checked} stack names checked");
}

/// Where a pattern has an EKS cluster, its public subnets carry `kubernetes.io/role/elb` and its
/// application subnets `kubernetes.io/role/internal-elb`, how the AWS Load Balancer Controller
/// chooses where an Ingress's load balancer goes, in the three targets (found in review:
/// Terraform's subnets had no tag, CloudFormation's and CDK's had).
#[test]
fn eks_subnets_are_tagged_for_the_load_balancer_controller_in_every_target() {
    let mut checked = 0;
    let mut problems = Vec::new();
    for iac in ["cloudformation", "terraform", "cdk"] {
        for dir in generated(iac) {
            let model = model_of(dir);
            if !model.components().any(|c| c.kind == "eks-cluster") {
                continue;
            }
            checked += 1;
            let has_tier = |tier: &str| {
                model.groups.iter().any(|g| {
                    g.kind == "subnet"
                        && g.properties.get("tier").and_then(|t| t.as_str()) == Some(tier)
                })
            };
            for (tag, subnets, tier) in [
                ("kubernetes.io/role/elb", "public", "public"),
                (
                    "kubernetes.io/role/internal-elb",
                    "application",
                    "private-app",
                ),
            ] {
                if !has_tier(tier) {
                    continue;
                }
                let tagged = match iac {
                    "cloudformation" => {
                        read(&dir.join("template.yaml")).contains(&format!("- Key: {tag}\n"))
                    }
                    "terraform" => tf_blocks(dir, "aws_subnet")
                        .iter()
                        .any(|b| b.contains(&format!("\"{tag}\" = \"1\""))),
                    _ => cdk_code(dir).contains(&format!("add(\"{tag}\", \"1\"")),
                };
                if !tagged {
                    problems.push(format!(
                        "{iac} {}: no {subnets} subnet is tagged `{tag}`",
                        name_of(dir)
                    ));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(
        checked >= 6,
        "only {checked} projects with an EKS cluster checked"
    );
}

/// Where a CloudFront distribution fronts the load balancer (a VPC origin: the load balancer is
/// internal and has no certificate), the README's test commands reach the services through the
/// distribution's address, never `https://YOUR-DOMAIN`, which exists only when the user brings a
/// domain (found in review: microservices-ecs in the three targets).
#[test]
fn readme_test_commands_use_the_cloudfront_address_in_front_of_a_load_balancer() {
    let mut checked = 0;
    let mut problems = Vec::new();
    for iac in ["cloudformation", "terraform", "cdk"] {
        for dir in generated(iac) {
            let model = model_of(dir);
            let fronted = model
                .edges()
                .any(|e| e.from.kind == "cloudfront" && e.to.kind == "alb");
            if !fronted {
                continue;
            }
            let readme = read(&dir.join("README.md"));
            let routed = readme.lines().filter(|l| l.contains("`curl ")).count();
            checked += routed;
            if readme.contains("YOUR-DOMAIN") {
                problems.push(format!(
                    "{iac} {}: README.md tells the user to curl YOUR-DOMAIN behind CloudFront",
                    name_of(dir)
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(
        checked >= 6,
        "only {checked} curl commands behind CloudFront checked"
    );
}

/// What holds users' data is protected from deletion outside a throwaway dev environment, in the
/// three targets alike: DynamoDB tables and Cognito user pools (found in review: Terraform and
/// CloudFormation deleted the user pool and the table with the stack, prod included, while CDK
/// kept them). RDS and Aurora have deletion protection inputs of their own, and a final snapshot.
#[test]
fn user_data_is_deletion_protected_outside_dev_in_every_target() {
    let mut checked = 0;
    let mut problems = Vec::new();
    for dir in generated("cloudformation") {
        let name = name_of(dir);
        let t = template(dir);
        for (id, r) in resources(&t) {
            let (key, on) = match r["Type"].as_str() {
                Some("AWS::DynamoDB::Table") => ("DeletionProtectionEnabled", "true"),
                Some("AWS::Cognito::UserPool") => ("DeletionProtection", "ACTIVE"),
                _ => continue,
            };
            checked += 1;
            let param = format!("{id}DeletionProtection");
            let wired = serde_json::to_string(&r["Properties"][key])
                .unwrap()
                .contains(&format!("{param}On"));
            let default = &t["Parameters"][&param]["Default"];
            if !wired || default != "true" {
                problems.push(format!("cloudformation {name}: {id} sets {key} to {on} only through a parameter `{param}` defaulting to \"true\" (wired: {wired}, default: {default})"));
            }
        }
    }
    for dir in generated("terraform") {
        let name = name_of(dir);
        let (resources, variables) = crate::delivery::tf_resources(dir);
        for (id, r) in &resources {
            let attr = if id.starts_with("aws_dynamodb_table.") {
                "deletion_protection_enabled"
            } else if id.starts_with("aws_cognito_user_pool.") {
                "deletion_protection"
            } else {
                continue;
            };
            checked += 1;
            let value = r[attr].as_str().unwrap_or("");
            let var = value
                .split("var.")
                .nth(1)
                .map(|v| v.split([' ', '?']).next().unwrap_or(""))
                .unwrap_or("");
            if var.is_empty()
                || variables.get(var).map(|v| &v["default"]) != Some(&Value::Bool(true))
            {
                problems.push(format!(
                    "terraform {name}: {id}.{attr} is `{value}`, not a variable defaulting to true"
                ));
            }
        }
    }
    for dir in generated("cdk") {
        let name = name_of(dir);
        let code = cdk_code(dir);
        for ctor in [
            "new dynamodb.Table(",
            "new dynamodb.TableV2(",
            "new cognito.UserPool(",
        ] {
            for block in code.split(ctor).skip(1) {
                checked += 1;
                let props = block.split("\n    });").next().unwrap_or("");
                if !props.contains("deletionProtection: !dev,") {
                    problems.push(format!(
                        "cdk {name}: a `{ctor}` has no `deletionProtection: !dev`"
                    ));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(checked >= 9, "only {checked} tables and user pools checked");
}

/// The EKS `k8s/apply.sh` of CloudFormation and CDK (run with stand-ins for `aws`, `helm` and
/// `kubectl` that log their arguments) names one region in every AWS call and tells the
/// controller, whose pods cannot ask instance metadata; with no region anywhere it stops and
/// says what to set (found in review: it could pass the controller an empty region).
#[test]
fn eks_apply_script_names_one_region_in_every_call() {
    let stubs = tempfile::tempdir().unwrap();
    let log = stubs.path().join("log");
    for (tool, body) in [
        (
            "aws",
            "case \"$1 $2\" in \"configure get\") exit 1;; esac\necho value",
        ),
        ("helm", ""),
        ("kubectl", "cat > /dev/null"),
    ] {
        let path = stubs.path().join(tool);
        let script = format!(
            "#!/bin/sh\necho \"{tool} $*\" >> \"{}\"\n{body}\n",
            log.display()
        );
        std::fs::write(&path, script).unwrap();
        let mut perms = std::fs::metadata(&path).unwrap().permissions();
        std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o755);
        std::fs::set_permissions(&path, perms).unwrap();
    }
    let path = format!(
        "{}:{}",
        stubs.path().display(),
        std::env::var("PATH").unwrap()
    );
    let mut checked = 0;
    for iac in ["cloudformation", "cdk"] {
        for dir in generated(iac) {
            let script = dir.join("k8s").join("apply.sh");
            if !script.exists() {
                continue;
            }
            checked += 1;
            let name = name_of(dir);
            let run = |region: Option<&str>| {
                let _ = std::fs::remove_file(&log);
                let mut cmd = std::process::Command::new("sh");
                cmd.arg(&script)
                    .current_dir(dir)
                    .env("PATH", &path)
                    .env("STACK", "s")
                    .env_remove("REGION")
                    .env_remove("AWS_REGION")
                    .env_remove("AWS_DEFAULT_REGION");
                if let Some(r) = region {
                    cmd.env("AWS_DEFAULT_REGION", r);
                }
                let out = cmd.output().unwrap();
                (out, std::fs::read_to_string(&log).unwrap_or_default())
            };
            let (out, _) = run(None);
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(
                !out.status.success() && stderr.contains("set REGION"),
                "{iac} {name}: with no region the script must stop and say so, got {:?}: {stderr}",
                out.status
            );
            let (out, calls) = run(Some("eu-west-1"));
            assert!(
                out.status.success(),
                "{iac} {name}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            for call in calls.lines() {
                let names =
                    call.contains("--region eu-west-1") || call.contains("region=eu-west-1");
                let exempt = call.starts_with("kubectl") || call.starts_with("aws configure");
                assert!(
                    names || exempt,
                    "{iac} {name}: `{call}` does not name the region"
                );
            }
            assert!(
                calls
                    .lines()
                    .any(|c| c.starts_with("helm") && c.contains("region=eu-west-1")),
                "{iac} {name}: the controller is not told the region:\n{calls}"
            );
        }
    }
    assert!(checked >= 2, "only {checked} apply scripts checked");
}
