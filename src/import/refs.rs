//! References between resources as import reads them: `Ref`, `Fn::GetAtt`, `${id}` and
//! `${id.Attr}` in `Fn::Sub` and Terraform templates, each with the property path it sits at; and
//! the names import makes from ids.

use std::collections::BTreeSet;

use serde_json::Value;

/// A reference inside a resource: the property path (keys joined by `.`, list indexes left out)
/// and the id it names.
#[derive(Debug, Clone)]
pub(crate) struct Ref {
    pub path: String,
    pub target: String,
    pub in_statement: bool,
}

/// Spelling-insensitive property name: `SubnetIds` and `subnet_ids` are one.
pub(crate) fn norm(name: &str) -> String {
    name.chars()
        .filter(|c| *c != '_' && *c != '-')
        .flat_map(char::to_lowercase)
        .collect()
}

pub(crate) fn collect_refs(
    v: &Value,
    path: &str,
    in_statement: bool,
    ids: &BTreeSet<&str>,
    out: &mut Vec<Ref>,
) {
    let mut push = |target: &str| {
        if ids.contains(target) {
            out.push(Ref {
                path: path.to_string(),
                target: target.to_string(),
                in_statement,
            });
        }
    };
    match v {
        Value::Object(o) => {
            if let Some(Value::String(t)) = o.get("Ref") {
                push(t);
                return;
            }
            if let Some(g) = o.get("Fn::GetAtt") {
                if let Some(t) = g.get(0).and_then(Value::as_str) {
                    push(t);
                }
                return;
            }
            for (k, child) in o {
                let sub = if k.starts_with("Fn::") {
                    path.to_string()
                } else if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                let st = in_statement || k == "Statement" || k == "statement";
                collect_refs(child, &sub, st, ids, out);
            }
        }
        Value::Array(a) => a
            .iter()
            .for_each(|c| collect_refs(c, path, in_statement, ids, out)),
        Value::String(s) if s.contains("${") => {
            let mut rest = s.as_str();
            while let Some(at) = rest.find("${") {
                let tail = &rest[at + 2..];
                let end = tail.find('}').unwrap_or(tail.len());
                let inner = &tail[..end];
                let name = inner.split(['.', '[']).next().unwrap_or("");
                if ids.contains(inner) {
                    push(inner);
                } else if ids.contains(name) {
                    push(name);
                } else {
                    // Terraform: `aws_x.y.arn`, `module.m.aws_x.y.arn`.
                    let parts: Vec<&str> = inner.split('.').collect();
                    for n in (2..=parts.len()).rev() {
                        let cand = parts[..n].join(".");
                        if ids.contains(cand.as_str()) {
                            push(&cand);
                            break;
                        }
                    }
                }
                rest = &tail[end.min(tail.len())..];
            }
        }
        _ => {}
    }
}

/// CamelCase or snake text → a pattern id (`ApiFn` → `api_fn`).
pub(crate) fn slug(text: &str) -> String {
    let mut out = String::new();
    let chars: Vec<char> = text.chars().collect();
    for (i, c) in chars.iter().enumerate() {
        if c.is_ascii_uppercase() {
            let prev_lower =
                i > 0 && (chars[i - 1].is_ascii_lowercase() || chars[i - 1].is_ascii_digit());
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase());
            let prev_upper = i > 0 && chars[i - 1].is_ascii_uppercase();
            if !out.is_empty() && !out.ends_with('_') && (prev_lower || (prev_upper && next_lower))
            {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else if c.is_ascii_alphanumeric() {
            out.push(*c);
        } else if !out.is_empty() && !out.ends_with('_') {
            out.push('_');
        }
    }
    let out = out.trim_matches('_').to_string();
    match out.chars().next() {
        Some(c) if c.is_ascii_lowercase() => out,
        Some(_) => format!("r_{out}"),
        None => "resource".into(),
    }
}

/// Words of a logical id for a label: `ApiFn` → `Api fn`.
pub(crate) fn words(id: &str) -> String {
    let s = slug(id.rsplit('.').next().unwrap_or(id)).replace('_', " ");
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => s,
    }
}

/// The policy statements under a resource's properties, skipping trust and resource policies.
pub(crate) fn find_statements<'a>(v: &'a Value, skip: &[String], out: &mut Vec<&'a Value>) {
    match v {
        Value::Object(o) => {
            for (k, child) in o {
                if skip.iter().any(|s| s == k) {
                    continue;
                }
                if k == "Statement" || k == "statement" {
                    match child {
                        Value::Array(a) => out.extend(a.iter().filter(|s| s.is_object())),
                        Value::Object(_) => out.push(child),
                        _ => {}
                    }
                    continue;
                }
                find_statements(child, skip, out);
            }
        }
        Value::Array(a) => a.iter().for_each(|c| find_statements(c, skip, out)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_come_from_ref_getatt_sub_and_terraform_templates() {
        let ids: BTreeSet<&str> = ["Table", "Queue", "aws_s3_bucket.b"].into_iter().collect();
        let props = serde_json::json!({
            "A": {"Ref": "Table"},
            "B": {"Nested": {"Fn::GetAtt": ["Queue", "Arn"]}},
            "C": {"Fn::Sub": "arn:${AWS::Partition}:s3:::${Table.Arn}/x"},
            "D": "${aws_s3_bucket.b.arn}/*",
            "E": {"Ref": "AWS::Region"},
            "Policy": {"Statement": [{"Resource": {"Ref": "Queue"}}]}
        });
        let mut out = Vec::new();
        collect_refs(&props, "", false, &ids, &mut out);
        let got: Vec<(String, String, bool)> = out
            .into_iter()
            .map(|r| (r.path, r.target, r.in_statement))
            .collect();
        let want = [
            ("A", "Table", false),
            ("B.Nested", "Queue", false),
            ("C", "Table", false),
            ("D", "aws_s3_bucket.b", false),
            ("Policy.Statement.Resource", "Queue", true),
        ];
        assert_eq!(
            got,
            want.map(|(a, b, c)| (a.to_string(), b.to_string(), c))
                .to_vec()
        );
        assert_eq!(norm("SubnetIds"), norm("subnet_ids"));
    }

    #[test]
    fn slugs_are_pattern_ids() {
        assert_eq!(slug("ApiFn"), "api_fn");
        assert_eq!(slug("VPCEndpoint"), "vpc_endpoint");
        assert_eq!(
            slug("aws_lambda_function.my-fn"),
            "aws_lambda_function_my_fn"
        );
        assert_eq!(slug("1st"), "r_1st");
        assert_eq!(words("MyQueue"), "My queue");
    }
}
