//! A CDK app's `cdk.out`: the stacks `manifest.json` lists (every `*.template.json` when it lists
//! none), each read as CloudFormation with its stack name as an id prefix when there are several,
//! and nested stacks' templates with them. Construct paths (`aws:cdk:path`) give labels. CDK's
//! own helpers (`AWS::CDK::Metadata`, custom resources and their provider functions, asset
//! buckets it does not declare in the template) are folded by the same rules as any template's.

use std::collections::BTreeMap;

use serde_json::Value;

use super::rules::Rules;
use super::{ImportError, cloudformation};

pub(crate) fn resources(
    rules: &Rules,
    files: &BTreeMap<String, String>,
) -> Result<super::Read, ImportError> {
    let manifest: Value =
        serde_json::from_str(&files["manifest.json"]).map_err(|e| ImportError::Syntax {
            file: "manifest.json".into(),
            line: Some(e.line()),
            message: e.to_string(),
        })?;
    let mut templates: Vec<(String, String)> = Vec::new();
    for (name, artifact) in manifest
        .get("artifacts")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        if artifact.get("type").and_then(Value::as_str) != Some("aws:cloudformation:stack") {
            continue;
        }
        if let Some(file) = artifact
            .pointer("/properties/templateFile")
            .and_then(Value::as_str)
        {
            templates.push((name.clone(), file.to_string()));
        }
    }
    if templates.is_empty() {
        for k in files
            .keys()
            .filter(|k| k.ends_with(".template.json") && !k.contains(".nested."))
        {
            templates.push((k.trim_end_matches(".template.json").to_string(), k.clone()));
        }
    }
    // Nested stacks' templates (`*.nested.template.json`) come along with their parent.
    for k in files
        .keys()
        .filter(|k| k.ends_with(".nested.template.json"))
    {
        if !templates.iter().any(|(_, f)| f == k) {
            templates.push((
                k.trim_end_matches(".nested.template.json").to_string(),
                k.clone(),
            ));
        }
    }
    let several = templates.len() > 1;
    let mut all = Vec::new();
    let mut skipped = Vec::new();
    for (stack, file) in templates {
        let Some(text) = files.get(&file) else {
            return Err(ImportError::Read {
                path: file.clone(),
                source: std::io::Error::new(
                    std::io::ErrorKind::NotFound,
                    "listed in manifest.json but missing",
                ),
            });
        };
        let doc = cloudformation::parse(&file, text)?;
        if !cloudformation::is_template(&doc) {
            continue;
        }
        let prefix = if several {
            format!("{}.", stack.replace(['/', '.'], "-"))
        } else {
            String::new()
        };
        let (r, s) = cloudformation::resources(rules, &file, text, &doc, &prefix)?;
        all.extend(r);
        skipped.extend(s);
    }
    Ok((all, skipped))
}
