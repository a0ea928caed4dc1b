//! Reading a generated project back: each target's language has one reader that turns the
//! fragments the engine recorded into resources (or constructs) per row, and the project's files
//! into a summary.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use super::{
    CompareError, Found, Item, Meta, Options, RowKey, Summary, TargetCode, TypeTable, meta_file,
};
use crate::model::Pattern;
use crate::scaffold::engine::{Fragment, Owner, Project};

pub(crate) fn read_target(
    target: &'static str,
    pattern: &Pattern,
    project: &Project,
    options: &Options,
) -> Result<TargetCode, CompareError> {
    let meta: Meta = meta_file(target, "compare.yaml")?;
    let code = code_by_component(project, &meta);
    let mut summary = Summary {
        target: target.to_string(),
        files: project.files.len(),
        lines_of_code: lines_of_code(project),
        resources: 0,
        iam_statements: None,
        parameters: 0,
        outputs: 0,
        needs: meta.needs.clone(),
    };
    let (found, readable) = match meta.language.as_str() {
        "cloudformation" => (cloudformation(target, project, &meta, &mut summary)?, true),
        "terraform" => (terraform(target, project, &meta, &mut summary)?, true),
        "cdk" if options.synth => {
            let templates = match &options.cdk_template {
                Some(path) => read_templates(path)?,
                None => synth_cdk(project, options.node_modules.as_deref())?,
            };
            let cfn: Meta = meta_file("cloudformation", "compare.yaml")?;
            (
                synthesized(pattern, project, &templates, &cfn, &mut summary),
                true,
            )
        }
        "cdk" => (bill_of_materials(project, &mut summary), false),
        other => {
            return Err(CompareError::Meta {
                path: format!("templates/{target}/meta/compare.yaml"),
                message: format!(
                    "unknown language `{other}`; expected cloudformation, terraform or cdk"
                ),
            });
        }
    };
    Ok(TargetCode {
        target,
        meta,
        found,
        summary,
        readable,
        code,
    })
}

/// Each component's own code: its fragments in the sections the target calls code.
fn code_by_component(project: &Project, meta: &Meta) -> BTreeMap<String, String> {
    let mut out: BTreeMap<String, String> = BTreeMap::new();
    for f in &project.fragments {
        if let Owner::Component(id) = &f.owner
            && meta.code.contains(&f.section)
        {
            let text = out.entry(id.clone()).or_default();
            if !text.is_empty() {
                text.push('\n');
            }
            text.push_str(f.text.trim_end());
            text.push('\n');
        }
    }
    out
}

/// Non-blank lines that are not comments, in every file but the README.
fn lines_of_code(project: &Project) -> usize {
    project
        .files
        .iter()
        .filter(|(path, _)| !path.ends_with(".md"))
        .flat_map(|(_, text)| text.lines())
        .map(str::trim)
        .filter(|l| {
            !l.is_empty()
                && !l.starts_with('#')
                && !l.starts_with("//")
                && !l.starts_with("/*")
                && !l.starts_with('*')
        })
        .count()
}

fn read_error(target: &str, owner: &Owner, message: impl ToString) -> CompareError {
    CompareError::Read {
        target: target.to_string(),
        owner: RowKey::from(owner).describe(),
        message: message.to_string(),
    }
}

/// IAM actions and statement count of a policy-bearing tree; trust policies are left out.
#[derive(Default)]
struct Policies {
    actions: BTreeSet<String>,
    statements: usize,
}

fn walk_json(v: &Value, trust: &[String], out: &mut Policies) {
    match v {
        Value::Object(map) => {
            if map.contains_key("Effect") {
                out.statements += 1;
            }
            for (k, child) in map {
                if trust.contains(k) {
                    continue;
                }
                if k == "Action" {
                    match child {
                        Value::String(s) => {
                            out.actions.insert(s.clone());
                        }
                        Value::Array(list) => {
                            out.actions
                                .extend(list.iter().filter_map(Value::as_str).map(str::to_string));
                        }
                        _ => {}
                    }
                }
                walk_json(child, trust, out);
            }
        }
        Value::Array(list) => list.iter().for_each(|c| walk_json(c, trust, out)),
        _ => {}
    }
}

fn cloudformation(
    target: &str,
    project: &Project,
    meta: &Meta,
    summary: &mut Summary,
) -> Result<Vec<Found>, CompareError> {
    let mut found = Vec::new();
    for f in project
        .fragments
        .iter()
        .filter(|f| f.section == "Resources")
    {
        let tree: Value =
            serde_saphyr::from_str(&f.text).map_err(|e| read_error(target, &f.owner, e))?;
        for (name, body) in tree.as_object().into_iter().flatten() {
            let ty = body["Type"].as_str().unwrap_or_default().to_string();
            let mut policies = Policies::default();
            if meta.identity_policies.contains(&ty) {
                walk_json(body, &meta.trust_policy_keys, &mut policies);
            }
            found.push(Found {
                row: RowKey::from(&f.owner),
                item: Item {
                    name: name.clone(),
                    native_type: ty.clone(),
                    cfn_types: vec![meta.transformed.get(&ty).cloned().unwrap_or(ty)],
                },
                body: body.clone(),
                actions: policies.actions,
            });
        }
    }
    summary.resources = found.len();
    let mut statements = Policies::default();
    for f in &found {
        walk_json(&f.body, &meta.trust_policy_keys, &mut statements);
    }
    summary.iam_statements = Some(statements.statements);
    summary.parameters = keys_in(&project.fragments, "Parameters");
    summary.outputs = keys_in(&project.fragments, "Outputs");
    Ok(found)
}

/// Top-level keys of a CloudFormation section over all fragments.
fn keys_in(fragments: &[Fragment], section: &str) -> usize {
    fragments
        .iter()
        .filter(|f| f.section == section)
        .flat_map(|f| f.text.lines())
        .filter(|l| !l.starts_with([' ', '#', '-']) && l.trim_end().ends_with(':'))
        .count()
}

fn walk_hcl(e: &hcl::Expression, out: &mut Policies) {
    use hcl::Expression as E;
    match e {
        E::Array(list) => list.iter().for_each(|c| walk_hcl(c, out)),
        E::Object(map) => {
            let key = |k: &hcl::ObjectKey| match k {
                hcl::ObjectKey::Identifier(i) => i.to_string(),
                hcl::ObjectKey::Expression(E::String(s)) => s.clone(),
                _ => String::new(),
            };
            if map.keys().any(|k| key(k) == "Effect") {
                out.statements += 1;
            }
            for (k, v) in map {
                if key(k) == "Action" {
                    collect_strings(v, &mut out.actions);
                }
                walk_hcl(v, out);
            }
        }
        E::FuncCall(call) => call.args.iter().for_each(|a| walk_hcl(a, out)),
        E::Parenthesis(inner) => walk_hcl(inner, out),
        E::Conditional(c) => {
            walk_hcl(&c.true_expr, out);
            walk_hcl(&c.false_expr, out);
        }
        _ => {}
    }
}

fn collect_strings(e: &hcl::Expression, out: &mut BTreeSet<String>) {
    match e {
        hcl::Expression::String(s) => {
            out.insert(s.clone());
        }
        hcl::Expression::Array(list) => list.iter().for_each(|c| collect_strings(c, out)),
        _ => {}
    }
}

fn walk_hcl_body(body: &hcl::Body, trust: &[String], out: &mut Policies) {
    for s in body.iter() {
        match s {
            hcl::Structure::Attribute(a) => {
                if trust.iter().any(|t| t == a.key.as_str()) {
                    continue;
                }
                walk_hcl(&a.expr, out);
            }
            hcl::Structure::Block(b) => {
                // `aws_iam_policy_document` statements.
                if b.identifier.as_str() == "statement" {
                    out.statements += 1;
                    for inner in b.body.iter() {
                        if let hcl::Structure::Attribute(a) = inner
                            && a.key.as_str() == "actions"
                        {
                            collect_strings(&a.expr, &mut out.actions);
                        }
                    }
                }
                walk_hcl_body(&b.body, trust, out);
            }
        }
    }
}

fn label(l: &hcl::BlockLabel) -> &str {
    match l {
        hcl::BlockLabel::Identifier(i) => i.as_str(),
        hcl::BlockLabel::String(s) => s,
    }
}

fn terraform(
    target: &str,
    project: &Project,
    meta: &Meta,
    summary: &mut Summary,
) -> Result<Vec<Found>, CompareError> {
    let table: TypeTable = meta_file(target, "cfn-types.yaml")?;
    let mut found = Vec::new();
    let mut statements = Policies::default();
    for f in project
        .fragments
        .iter()
        .filter(|f| meta.code.contains(&f.section))
    {
        let body = hcl::parse(&f.text).map_err(|e| read_error(target, &f.owner, e))?;
        for block in body.blocks() {
            if block.identifier.as_str() != "resource" || block.labels.len() != 2 {
                continue;
            }
            let ty = label(&block.labels[0]).to_string();
            let name = label(&block.labels[1]);
            let mut policies = Policies::default();
            walk_hcl_body(&block.body, &meta.trust_policy_keys, &mut policies);
            statements.statements += policies.statements;
            let tree: Value = hcl::from_body(block.body.clone()).unwrap_or(Value::Null);
            found.push(Found {
                row: RowKey::from(&f.owner),
                item: Item {
                    name: format!("{ty}.{name}"),
                    cfn_types: table.types.get(&ty).cloned().unwrap_or_default(),
                    native_type: ty.clone(),
                },
                body: tree,
                actions: if meta.identity_policies.contains(&ty) {
                    policies.actions
                } else {
                    BTreeSet::new()
                },
            });
        }
    }
    // Variables and outputs over the whole project: the skeleton declares some too.
    for (path, text) in &project.files {
        if !path.ends_with(".tf") {
            continue;
        }
        let body = hcl::parse(text).map_err(|e| CompareError::Read {
            target: target.to_string(),
            owner: format!("`{path}`"),
            message: e.to_string(),
        })?;
        for block in body.blocks() {
            match block.identifier.as_str() {
                "variable" => summary.parameters += 1,
                "output" => summary.outputs += 1,
                _ => {}
            }
        }
    }
    summary.resources = found.len();
    summary.iam_statements = Some(statements.statements);
    Ok(found)
}

/// Splits a Markdown table cell of backticked names: "`a.B`, `c.D`" → ["a.B", "c.D"].
fn ticked(cell: &str) -> Vec<String> {
    cell.split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect()
}

/// The CDK project without synthesizing: each component's `Bom` rows (construct, its classes,
/// the CloudFormation types they create).
fn bill_of_materials(project: &Project, summary: &mut Summary) -> Vec<Found> {
    let mut found = Vec::new();
    for f in project.fragments.iter().filter(|f| f.section == "Bom") {
        for line in f.text.lines() {
            let cells: Vec<&str> = line.trim().trim_matches('|').split('|').collect();
            if cells.len() < 3 {
                continue;
            }
            let name = ticked(cells[0]).join(" ");
            found.push(Found {
                row: RowKey::from(&f.owner),
                item: Item {
                    name: if name.is_empty() {
                        cells[0].trim().to_string()
                    } else {
                        name
                    },
                    native_type: ticked(cells[1]).join(", "),
                    cfn_types: ticked(cells[2]),
                },
                body: Value::Null,
                actions: BTreeSet::new(),
            });
        }
    }
    let stack: String = project
        .files
        .iter()
        .filter(|(p, _)| p.starts_with("lib/") && p.ends_with(".ts"))
        .map(|(_, t)| t.as_str())
        .collect();
    summary.resources = constructs(&stack).len();
    summary.parameters = stack.matches("new cdk.CfnParameter(").count();
    summary.outputs = stack.matches("new cdk.CfnOutput(").count();
    found
}

/// The ids of the constructs `text` creates in the stack's scope: `new x.Y(this, "Id"`.
fn constructs(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (at, _) in text.match_indices("(this, \"") {
        let before = &text[..at];
        let Some(start) = before.rfind("new ") else {
            continue;
        };
        let class = &before[start + 4..];
        if class.is_empty()
            || !class
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_')
        {
            continue;
        }
        let rest = &text[at + 8..];
        if let Some(end) = rest.find('"') {
            out.push(rest[..end].to_string());
        }
    }
    out
}

/// Writes the CDK project into a temporary folder, installs or links its libraries, and runs
/// `cdk synth`; returns the synthesized templates, the main stack's first (an app with stacks in
/// other regions, or CloudFront's parts in us-east-1, has several).
pub fn synth_cdk(
    project: &Project,
    node_modules: Option<&Path>,
) -> Result<Vec<Value>, CompareError> {
    let setup = |what: &str, e: std::io::Error| CompareError::SynthSetup(format!("{what}: {e}"));
    let dir = tempfile::Builder::new()
        .prefix("archpat-compare-")
        .tempdir()
        .map_err(|e| setup("cannot create a temporary folder", e))?;
    for (rel, text) in &project.files {
        let path = dir.path().join(rel);
        if let Some(p) = path.parent() {
            std::fs::create_dir_all(p).map_err(|e| setup("cannot write the project", e))?;
        }
        std::fs::write(&path, text).map_err(|e| setup("cannot write the project", e))?;
    }
    let run = |program: &Path, args: &[&str]| -> Result<(), CompareError> {
        let shown = format!("{} {}", program.display(), args.join(" "));
        let out = Command::new(program)
            .args(args)
            .current_dir(dir.path())
            .env("CDK_DISABLE_CLI_TELEMETRY", "true")
            .env("CDK_DISABLE_VERSION_CHECK", "1")
            .output()
            .map_err(|e| {
                CompareError::SynthSetup(format!(
                    "cannot run `{shown}` ({e}); install Node.js 22 and npm"
                ))
            })?;
        if out.status.success() {
            return Ok(());
        }
        Err(CompareError::Synth {
            command: shown,
            dir: dir.path().display().to_string(),
            output: format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ),
        })
    };
    match node_modules {
        Some(modules) => {
            if !modules.join("aws-cdk-lib/package.json").is_file() {
                return Err(CompareError::SynthSetup(format!(
                    "`{}` has no aws-cdk-lib; point --node-modules (or ARCHPAT_CDK_NODE_MODULES) at a `node_modules` folder with the project's dependencies",
                    modules.display()
                )));
            }
            link(modules, &dir.path().join("node_modules"))
                .map_err(|e| setup("cannot link node_modules", e))?;
        }
        None => run(
            Path::new("npm"),
            &["install", "--no-audit", "--no-fund", "--loglevel=error"],
        )?,
    }
    let cdk = dir.path().join("node_modules/.bin/cdk");
    run(&cdk, &["synth", "--quiet", "--output", "cdk.out"])?;
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir.path().join("cdk.out"))
        .map_err(|e| setup("cdk synth wrote no cdk.out", e))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.to_string_lossy().ends_with(".template.json"))
        .collect();
    // The main stack's name is the others' prefix (`<id>-edge`, `<id>-<region group>`).
    paths.sort_by_key(|p| (p.as_os_str().len(), p.clone()));
    let Some(main) = paths.first() else {
        return Err(CompareError::SynthSetup(
            "cdk synth wrote no template".into(),
        ));
    };
    read_templates(main)
}

/// A template `cdk synth` wrote earlier, and those of the app's other stacks beside it: the
/// stacks named after it (`<stack>-<suffix>.template.json`: other regions, CloudFront's parts).
fn read_templates(path: &Path) -> Result<Vec<Value>, CompareError> {
    let read = |path: &Path| -> Result<Value, CompareError> {
        let fail = |message: String| CompareError::CdkTemplate {
            path: path.display().to_string(),
            message,
        };
        let text = std::fs::read_to_string(path).map_err(|e| fail(e.to_string()))?;
        serde_json::from_str(&text).map_err(|e| fail(format!("not JSON: {e}")))
    };
    let mut out = vec![read(path)?];
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    if let (Some(stem), Some(dir)) = (name.strip_suffix(".template.json"), path.parent()) {
        let prefix = format!("{stem}-");
        let mut others: Vec<PathBuf> = std::fs::read_dir(dir)
            .into_iter()
            .flatten()
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with(&prefix) && n.ends_with(".template.json"))
            })
            .collect();
        others.sort();
        for p in others {
            out.push(read(&p)?);
        }
    }
    Ok(out)
}

#[cfg(unix)]
fn link(from: &Path, to: &Path) -> std::io::Result<()> {
    std::os::unix::fs::symlink(from, to)
}

#[cfg(not(unix))]
fn link(from: &Path, to: &Path) -> std::io::Result<()> {
    std::os::windows::fs::symlink_dir(from, to)
}

/// The synthesized template's resources, each filed under the part of the pattern whose template
/// declared the construct at the top of its `aws:cdk:path`.
fn synthesized(
    pattern: &Pattern,
    project: &Project,
    templates: &[Value],
    cfn: &Meta,
    summary: &mut Summary,
) -> Vec<Found> {
    let mut declared: BTreeMap<String, &Owner> = BTreeMap::new();
    for f in &project.fragments {
        for id in constructs(&f.text) {
            declared.entry(id).or_insert(&f.owner);
        }
    }
    let lids: Vec<(String, String)> = pattern
        .components()
        .map(|c| (crate::scaffold::naming::logical_id(&c.id), c.id.clone()))
        .collect();
    let mut found = Vec::new();
    let mut statements = Policies::default();
    let resources = templates
        .iter()
        .flat_map(|t| t["Resources"].as_object().into_iter().flatten());
    for (name, body) in resources {
        let ty = body["Type"].as_str().unwrap_or_default().to_string();
        let path = body["Metadata"]["aws:cdk:path"].as_str().unwrap_or("");
        let top = path.split('/').nth(1).unwrap_or("");
        let row = match declared.get(top) {
            Some(owner) => RowKey::from(*owner),
            None => lids
                .iter()
                .filter(|(lid, _)| top.starts_with(lid.as_str()))
                .max_by_key(|(lid, _)| lid.len())
                .map_or(RowKey::Stack, |(_, id)| RowKey::Component(id.clone())),
        };
        let mut policies = Policies::default();
        walk_json(body, &cfn.trust_policy_keys, &mut policies);
        statements.statements += policies.statements;
        found.push(Found {
            row,
            item: Item {
                // The construct path without the stack: what the user wrote in the code.
                name: path
                    .split_once('/')
                    .map_or_else(|| name.clone(), |(_, rest)| rest.to_string()),
                native_type: ty.clone(),
                cfn_types: vec![ty.clone()],
            },
            body: body.clone(),
            actions: if cfn.identity_policies.contains(&ty) {
                policies.actions
            } else {
                BTreeSet::new()
            },
        });
    }
    summary.resources = found.len();
    summary.iam_statements = Some(statements.statements);
    summary.parameters = templates
        .iter()
        .filter_map(|t| t["Parameters"].as_object())
        .map(|m| m.keys().filter(|k| *k != "BootstrapVersion").count())
        .sum();
    summary.outputs = templates
        .iter()
        .filter_map(|t| t["Outputs"].as_object())
        .map(|m| m.len())
        .sum();
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constructs_are_found_by_their_scope_and_id() {
        let ts = "const a = new dynamodb.Table(this, \"Orders\", {});\nconst b = new iam.ServicePrincipal(\"x\");\nnew cdk.CfnOutput(this, \"OrdersName\", {});";
        assert_eq!(constructs(ts), vec!["Orders", "OrdersName"]);
    }

    #[test]
    fn bom_cells_split_on_backticks() {
        assert_eq!(
            ticked(" `sqs.Queue`, `iam.Role` "),
            vec!["sqs.Queue", "iam.Role"]
        );
    }

    #[test]
    fn hcl_policies_give_actions_and_statements_but_not_trust() {
        let body = hcl::parse(
            "resource \"aws_iam_role\" \"r\" {\n  assume_role_policy = jsonencode({ Statement = [{ Effect = \"Allow\", Action = \"sts:AssumeRole\" }] })\n}\nresource \"aws_iam_role_policy\" \"p\" {\n  policy = jsonencode({\n    Statement = [{ Effect = \"Allow\", Action = [\"s3:GetObject\", \"s3:ListBucket\"], Resource = aws_s3_bucket.b.arn }]\n  })\n}\n",
        )
        .unwrap();
        let mut out = Policies::default();
        walk_hcl_body(&body, &["assume_role_policy".to_string()], &mut out);
        assert_eq!(out.statements, 1);
        assert_eq!(
            out.actions.into_iter().collect::<Vec<_>>(),
            vec!["s3:GetObject", "s3:ListBucket"]
        );
    }

    #[test]
    fn json_policies_skip_trust_documents() {
        let v: Value = serde_json::json!({"Properties": {
            "AssumeRolePolicyDocument": {"Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole"}]},
            "Policies": [{"PolicyDocument": {"Statement": [{"Effect": "Allow", "Action": "sqs:SendMessage"}]}}]
        }});
        let mut out = Policies::default();
        walk_json(&v, &["AssumeRolePolicyDocument".to_string()], &mut out);
        assert_eq!(out.statements, 1);
        assert!(out.actions.contains("sqs:SendMessage") && out.actions.len() == 1);
    }
}
