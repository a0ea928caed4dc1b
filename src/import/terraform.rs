//! A Terraform configuration (the `.tf` files of a folder and its local modules) or `terraform show
//! -json` output into resources. Each `aws_*` type takes its CloudFormation type from
//! `templates/terraform/meta/cfn-types.yaml`; a resource whose CloudFormation type is the one of a
//! resource it references (`aws_s3_bucket_notification` → its `aws_s3_bucket`) is a part of that
//! resource and is merged into it, as the AWS provider splits what CloudFormation keeps in one.

use std::collections::BTreeMap;

use hcl::{Expression as E, ObjectKey, TraversalOperator as Op};
use serde_json::{Map, Value, json};

use super::rules::Rules;
use super::{ImportError, Resource};

/// Whether a JSON document is `terraform show -json` output (state or plan).
pub(crate) fn is_show_json(doc: &Value) -> bool {
    doc.get("format_version").is_some()
        && (doc.get("values").is_some() || doc.get("planned_values").is_some())
}

fn expr(e: &E) -> Value {
    match e {
        E::Null => Value::Null,
        E::Bool(b) => Value::Bool(*b),
        E::Number(n) => serde_json::to_value(n).unwrap_or(Value::Null),
        E::String(s) => Value::String(s.clone()),
        E::Array(a) => Value::Array(a.iter().map(expr).collect()),
        E::Object(o) => {
            let mut m = Map::new();
            for (k, v) in o {
                let key = match k {
                    ObjectKey::Identifier(i) => i.to_string(),
                    ObjectKey::Expression(E::String(s)) => s.clone(),
                    ObjectKey::Expression(other) => other.to_string(),
                    _ => String::new(),
                };
                m.insert(key, expr(v));
            }
            Value::Object(m)
        }
        E::TemplateExpr(t) => Value::String(t.to_string()),
        E::Variable(v) => json!({ "Ref": v.to_string() }),
        E::Traversal(t) => {
            let mut parts: Vec<String> = Vec::new();
            if let E::Variable(v) = &t.expr {
                parts.push(v.to_string());
            }
            for op in &t.operators {
                match op {
                    Op::GetAttr(i) => parts.push(i.to_string()),
                    _ => break,
                }
            }
            // Every prefix is a candidate address; the reference reader keeps the known one.
            Value::String(format!("${{{}}}", parts.join(".")))
        }
        E::FuncCall(f) => Value::Array(f.args.iter().map(expr).collect()),
        E::Parenthesis(inner) => expr(inner),
        E::Conditional(c) => Value::Array(vec![expr(&c.true_expr), expr(&c.false_expr)]),
        E::ForExpr(f) => expr(&f.collection_expr),
        E::Operation(_) => Value::Null,
        _ => Value::Null,
    }
}

fn body(b: &hcl::Body) -> Value {
    let mut m = Map::new();
    for s in b.iter() {
        match s {
            // Meta-arguments order or repeat a resource; they are not references between parts
            // of the design.
            hcl::Structure::Attribute(a)
                if matches!(
                    a.key.as_str(),
                    "depends_on" | "count" | "for_each" | "provider"
                ) => {}
            hcl::Structure::Attribute(a) => {
                m.insert(a.key.to_string(), expr(&a.expr));
            }
            hcl::Structure::Block(bl) => {
                let v = body(&bl.body);
                let key = bl.identifier.to_string();
                match m.get_mut(&key) {
                    Some(Value::Array(list)) => list.push(v),
                    _ => {
                        m.insert(key, Value::Array(vec![v]));
                    }
                }
            }
        }
    }
    Value::Object(m)
}

fn label(l: &hcl::BlockLabel) -> String {
    match l {
        hcl::BlockLabel::Identifier(i) => i.to_string(),
        hcl::BlockLabel::String(s) => s.clone(),
    }
}

fn cfn_type(rules: &Rules, ty: &str) -> String {
    rules
        .terraform
        .get(ty)
        .and_then(|t| t.first().cloned())
        .unwrap_or_else(|| ty.to_string())
}

/// The resources of the root folder's `.tf` files and of the local modules they call.
pub(crate) fn resources(
    rules: &Rules,
    files: &BTreeMap<String, String>,
) -> Result<Vec<Resource>, ImportError> {
    let root = files
        .keys()
        .filter(|k| k.ends_with(".tf"))
        .map(|k| k.rsplit_once('/').map_or("", |(d, _)| d))
        .min_by_key(|d| (d.matches('/').count() + usize::from(!d.is_empty()), d.len()))
        .unwrap_or("")
        .to_string();
    let mut out = Vec::new();
    let mut wires = BTreeMap::new();
    read_module(rules, files, &root, "", &mut out, &mut wires, 0)?;
    for r in &mut out {
        // A chain (an output of a module's module) takes one pass per level.
        for _ in 0..5 {
            if !wire(&mut r.props, &wires) {
                break;
            }
        }
    }
    merge_parts(&mut out);
    Ok(out)
}

/// Replaces references that cross a module boundary, `${module.m.output}` and, inside a module,
/// `${module.m.var.input}`, with what they stand for: the output's value and the caller's
/// argument. Returns whether anything changed.
fn wire(v: &mut Value, wires: &BTreeMap<String, Value>) -> bool {
    match v {
        Value::String(s) if s.contains("${") => {
            let inner = s
                .strip_prefix("${")
                .and_then(|r| r.strip_suffix('}'))
                .filter(|r| !r.contains("${"));
            if let Some(to) = inner.and_then(|k| wires.get(k)) {
                *v = to.clone();
                return true;
            }
            let mut changed = false;
            for (key, to) in wires {
                let token = format!("${{{key}}}");
                if s.contains(&token) {
                    let text = match to {
                        Value::String(t) => t.clone(),
                        other => other.to_string(),
                    };
                    *s = s.replace(&token, &text);
                    changed = true;
                }
            }
            changed
        }
        Value::Array(a) => a.iter_mut().fold(false, |c, x| wire(x, wires) | c),
        Value::Object(o) => o.values_mut().fold(false, |c, x| wire(x, wires) | c),
        _ => false,
    }
}

/// Reads one module folder; `wires` collects what crosses its boundary (see [`wire`]).
fn read_module(
    rules: &Rules,
    files: &BTreeMap<String, String>,
    dir: &str,
    prefix: &str,
    out: &mut Vec<Resource>,
    wires: &mut BTreeMap<String, Value>,
    depth: u8,
) -> Result<(), ImportError> {
    if depth > 4 {
        return Ok(());
    }
    // The root module's variables: a resource whose `count` tests one becomes a switched part.
    let variables = if prefix.is_empty() {
        variables(files, dir)
    } else {
        BTreeMap::new()
    };
    for (path, text) in files {
        let in_dir = match path.rsplit_once('/') {
            Some((d, _)) => d == dir,
            None => dir.is_empty(),
        };
        if !in_dir || !path.ends_with(".tf") {
            continue;
        }
        let parsed = hcl::parse(text).map_err(|e| ImportError::Syntax {
            file: path.clone(),
            line: line_of(&e),
            message: e
                .to_string()
                .lines()
                .next()
                .unwrap_or("invalid HCL")
                .to_string(),
        })?;
        for block in parsed.blocks() {
            let kind = block.identifier.as_str();
            let labels: Vec<String> = block.labels.iter().map(label).collect();
            match (kind, labels.as_slice()) {
                ("resource", [ty, name]) | ("data", [ty, name]) => {
                    let address = if kind == "data" {
                        format!("{prefix}data.{ty}.{name}")
                    } else {
                        format!("{prefix}{ty}.{name}")
                    };
                    let line = text
                        .lines()
                        .position(|l| {
                            l.trim_start().starts_with(kind)
                                && l.contains(&format!("\"{name}\""))
                                && l.contains(ty.as_str())
                        })
                        .map(|n| n + 1);
                    let cfn = if kind == "data" {
                        format!("data.{ty}")
                    } else {
                        cfn_type(rules, ty)
                    };
                    let mut props = body(&block.body);
                    if !prefix.is_empty() {
                        prefix_strings(&mut props, prefix);
                    }
                    let when = block
                        .body
                        .attributes()
                        .find(|a| a.key.as_str() == "count")
                        .and_then(|a| switch(&a.expr, &variables));
                    out.push(Resource {
                        id: address,
                        ty: cfn,
                        props,
                        file: path.clone(),
                        line,
                        path: None,
                        when,
                    });
                }
                ("module", [name]) => {
                    let source = block
                        .body
                        .attributes()
                        .find(|a| a.key.as_str() == "source")
                        .map(|a| expr(&a.expr));
                    if let Some(Value::String(src)) = source
                        && (src.starts_with("./") || src.starts_with("../"))
                    {
                        let sub = join(dir, &src);
                        let inner = format!("{prefix}module.{name}.");
                        for a in block.body.attributes() {
                            let key = a.key.as_str();
                            if matches!(
                                key,
                                "source"
                                    | "version"
                                    | "providers"
                                    | "count"
                                    | "for_each"
                                    | "depends_on"
                            ) {
                                continue;
                            }
                            let mut v = expr(&a.expr);
                            if !prefix.is_empty() {
                                prefix_strings(&mut v, prefix);
                            }
                            wires.insert(format!("{inner}var.{key}"), v);
                        }
                        read_module(rules, files, &sub, &inner, out, wires, depth + 1)?;
                    }
                }
                ("output", [name]) if !prefix.is_empty() => {
                    if let Some(a) = block.body.attributes().find(|a| a.key.as_str() == "value") {
                        let mut v = expr(&a.expr);
                        prefix_strings(&mut v, prefix);
                        wires.insert(format!("{prefix}{name}"), v);
                    }
                }
                _ => {}
            }
        }
    }
    Ok(())
}

/// The `variable` blocks of a module folder, by name.
fn variables(files: &BTreeMap<String, String>, dir: &str) -> BTreeMap<String, hcl::Body> {
    let mut out = BTreeMap::new();
    for (path, text) in files {
        let in_dir = path
            .rsplit_once('/')
            .map_or(dir.is_empty(), |(d, _)| d == dir);
        if !in_dir || !path.ends_with(".tf") {
            continue;
        }
        // A file that does not parse is reported by the reader itself.
        let Ok(parsed) = hcl::parse(text) else {
            continue;
        };
        for block in parsed.into_blocks() {
            if block.identifier.as_str() == "variable"
                && let [name] = block.labels.as_slice()
            {
                out.insert(label(name), block.body);
            }
        }
    }
    out
}

/// `count = var.x ? 1 : 0` (or `!var.x`, `var.x == "v"`, `var.x != "v"`, and `0 : 1`) as a
/// pattern `when` on the variable: a boolean variable stays a boolean parameter, a string one
/// becomes a string parameter (with the compared value, since variables' validations are not
/// read). Anything else is `None`: the resource is one component, as `count` is not evaluated.
fn switch(count: &E, variables: &BTreeMap<String, hcl::Body>) -> Option<super::Switch> {
    let E::Conditional(c) = count else {
        return None;
    };
    let number = |e: &E| match e {
        E::Number(n) => n.as_u64(),
        _ => None,
    };
    let on = match (number(&c.true_expr)?, number(&c.false_expr)?) {
        (n, 0) if n > 0 => true,
        (0, n) if n > 0 => false,
        _ => return None,
    };
    let var = |e: &E| -> Option<String> {
        let E::Traversal(t) = e else { return None };
        match (&t.expr, t.operators.as_slice()) {
            (E::Variable(v), [Op::GetAttr(name)]) if v.as_str() == "var" => Some(name.to_string()),
            _ => None,
        }
    };
    // (variable, compared value or None for the variable itself, negated)
    let (name, value, negated) = match &c.cond_expr {
        E::Operation(op) => match op.as_ref() {
            hcl::Operation::Unary(u) if u.operator == hcl::UnaryOperator::Not => {
                (var(&u.expr)?, None, true)
            }
            hcl::Operation::Binary(b)
                if matches!(
                    b.operator,
                    hcl::BinaryOperator::Eq | hcl::BinaryOperator::NotEq
                ) =>
            {
                let (name, value) = match (&b.lhs_expr, &b.rhs_expr) {
                    (l, E::String(v)) | (E::String(v), l) => (var(l)?, v.clone()),
                    _ => return None,
                };
                (name, Some(value), b.operator == hcl::BinaryOperator::NotEq)
            }
            _ => return None,
        },
        other => (var(other)?, None, false),
    };
    // `0 : 1` creates the resource when the test fails.
    let negated = negated == on;
    let decl = variables.get(&name)?;
    let attr = |key: &str| {
        decl.attributes()
            .find(|a| a.key.as_str() == key)
            .map(|a| a.expr.clone())
    };
    let parameter = super::refs::slug(&name);
    if !parameter.starts_with(|c: char| c.is_ascii_lowercase()) {
        return None;
    }
    let help = match attr("description") {
        Some(E::String(d)) if !d.trim().is_empty() => d,
        _ => format!("The configuration's variable `{name}`."),
    };
    let source = format!("var.{name}");
    let mut switch = match value {
        None => {
            let default = match attr("default") {
                Some(E::Bool(b)) => b,
                None => false,
                _ => return None,
            };
            super::Switch::boolean(parameter, !negated, default, &help, source)
        }
        Some(value) => {
            let default = match attr("default") {
                Some(E::String(d)) => d,
                _ => return None,
            };
            super::Switch::string(parameter, (&value, !negated), &default, &[], &help, source)?
        }
    };
    switch.condition = "its `count` is not 0".to_string();
    Some(switch)
}

fn line_of(e: &hcl::Error) -> Option<usize> {
    let text = e.to_string();
    // "  --> 3:5" or "at line 3"
    let at = text.find("-->")?;
    text[at + 3..].trim().split(':').next()?.trim().parse().ok()
}

fn join(dir: &str, rel: &str) -> String {
    let mut parts: Vec<&str> = if dir.is_empty() {
        Vec::new()
    } else {
        dir.split('/').collect()
    };
    for p in rel.split('/') {
        match p {
            "." | "" => {}
            ".." => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    parts.join("/")
}

/// References inside a module name the module's own resources.
fn prefix_strings(v: &mut Value, prefix: &str) {
    match v {
        Value::String(s) if s.contains("${") => *s = s.replace("${", &format!("${{{prefix}")),
        Value::Array(a) => a.iter_mut().for_each(|c| prefix_strings(c, prefix)),
        Value::Object(o) => o.values_mut().for_each(|c| prefix_strings(c, prefix)),
        _ => {}
    }
}

/// A resource whose CloudFormation type equals that of the one it references is merged into it.
fn merge_parts(out: &mut Vec<Resource>) {
    let mut i = 0;
    while i < out.len() {
        let ty = out[i].ty.clone();
        let me = out[i].id.clone();
        let text = out[i].props.to_string();
        // The resource it is a part of: the first one its body references (`bucket = …` comes
        // before `target_bucket = …`).
        let target = out
            .iter()
            .enumerate()
            .filter(|(_, r)| {
                r.id != me && r.ty == ty && ty.starts_with("AWS::") && {
                    let native = me.rsplit('.').nth(1).unwrap_or("");
                    let theirs = r.id.rsplit('.').nth(1).unwrap_or("");
                    native != theirs
                }
            })
            .filter_map(|(n, r)| {
                text.find(&format!("${{{}.", r.id))
                    .or_else(|| text.find(&format!("${{{}}}", r.id)))
                    .map(|at| (at, n))
            })
            .min()
            .map(|(_, n)| n);
        if let Some(t) = target {
            let part = out.remove(i);
            if let (Value::Object(into), Value::Object(from)) =
                (&mut out[if t > i { t - 1 } else { t }].props, part.props)
            {
                for (k, v) in from {
                    into.entry(format!(
                        "{}.{k}",
                        part.id.rsplit('.').nth(1).unwrap_or("part")
                    ))
                    .or_insert(v);
                }
            }
            continue;
        }
        i += 1;
    }
}

/// `terraform show -json`: every resource in the root and child modules, with its values;
/// references are not in the values, so only ids that match another resource's id or ARN link.
pub(crate) fn from_show_json(rules: &Rules, file: &str, doc: &Value) -> Vec<Resource> {
    let root = doc
        .pointer("/values/root_module")
        .or(doc.pointer("/planned_values/root_module"));
    let mut out = Vec::new();
    let mut stack: Vec<&Value> = root.into_iter().collect();
    while let Some(m) = stack.pop() {
        for r in m
            .get("resources")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if r.get("mode").and_then(Value::as_str) != Some("managed") {
                continue;
            }
            let ty = r.get("type").and_then(Value::as_str).unwrap_or("");
            let address = r
                .get("address")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            out.push(Resource {
                id: address,
                ty: cfn_type(rules, ty),
                props: r.get("values").cloned().unwrap_or(Value::Null),
                file: file.to_string(),
                line: None,
                path: None,
                when: None,
            });
        }
        stack.extend(
            m.get("child_modules")
                .and_then(Value::as_array)
                .into_iter()
                .flatten(),
        );
    }
    // Values hold ids and ARNs: turn a value equal to another resource's id or arn into a
    // reference.
    let keys: Vec<(String, String)> = out
        .iter()
        .flat_map(|r| {
            ["arn", "id"].into_iter().filter_map(move |k| {
                r.props
                    .get(k)
                    .and_then(Value::as_str)
                    .filter(|s| s.len() > 6)
                    .map(|s| (s.to_string(), r.id.clone()))
            })
        })
        .collect();
    let lookup: BTreeMap<String, String> = keys.into_iter().collect();
    for r in &mut out {
        let me = r.id.clone();
        link_values(&mut r.props, &lookup, &me, 0);
    }
    merge_parts(&mut out);
    out
}

fn link_values(v: &mut Value, lookup: &BTreeMap<String, String>, me: &str, depth: u8) {
    match v {
        Value::String(s) if depth > 0 => {
            if let Some(id) = lookup.get(s.as_str())
                && id != me
            {
                *v = json!({ "Ref": id });
            }
        }
        Value::Array(a) => a
            .iter_mut()
            .for_each(|c| link_values(c, lookup, me, depth + 1)),
        Value::Object(o) => o
            .values_mut()
            .for_each(|c| link_values(c, lookup, me, depth + 1)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_cross_module_boundaries_through_outputs_and_inputs() {
        let main = "resource \"aws_sns_topic\" \"t\" {}\nmodule \"q\" {\n  source = \"./queue\"\n  topic_arn = aws_sns_topic.t.arn\n}\nresource \"aws_lambda_function\" \"f\" {\n  environment {\n    variables = { QUEUE = module.q.queue_url, BOTH = \"${module.q.queue_url} ${module.q.deep}\" }\n  }\n}\n";
        let module = "variable \"topic_arn\" {}\nresource \"aws_sqs_queue\" \"this\" {}\nresource \"aws_sns_topic_subscription\" \"s\" {\n  topic_arn = var.topic_arn\n  endpoint = aws_sqs_queue.this.arn\n}\nmodule \"inner\" {\n  source = \"./inner\"\n}\noutput \"queue_url\" {\n  value = aws_sqs_queue.this.url\n}\noutput \"deep\" {\n  value = module.inner.id\n}\n";
        let inner = "resource \"aws_sqs_queue\" \"x\" {}\noutput \"id\" {\n  value = aws_sqs_queue.x.id\n}\n";
        let files = BTreeMap::from([
            ("main.tf".to_string(), main.to_string()),
            ("queue/main.tf".to_string(), module.to_string()),
            ("queue/inner/main.tf".to_string(), inner.to_string()),
        ]);
        let r = resources(Rules::get(), &files).unwrap();
        let props = |id: &str| &r.iter().find(|r| r.id == id).unwrap().props;
        let env = &props("aws_lambda_function.f")["environment"][0]["variables"];
        assert_eq!(env["QUEUE"], "${module.q.aws_sqs_queue.this.url}");
        assert_eq!(
            env["BOTH"],
            "${module.q.aws_sqs_queue.this.url} ${module.q.module.inner.aws_sqs_queue.x.id}"
        );
        assert_eq!(
            props("module.q.aws_sns_topic_subscription.s")["topic_arn"],
            "${aws_sns_topic.t.arn}"
        );
    }

    #[test]
    fn a_count_on_one_variable_becomes_a_when() {
        let main = "variable \"create_dlq\" {\n  type = bool\n  default = true\n  description = \"Add a dead-letter queue\"\n}\nvariable \"tier\" {\n  default = \"basic\"\n}\nresource \"aws_sqs_queue\" \"dlq\" {\n  count = var.create_dlq ? 1 : 0\n}\nresource \"aws_sqs_queue\" \"plain\" {\n  count = !var.create_dlq ? 1 : 0\n}\nresource \"aws_sqs_queue\" \"premium\" {\n  count = var.tier == \"premium\" ? 0 : 1\n}\nresource \"aws_sqs_queue\" \"many\" {\n  count = 3\n}\n";
        let files = BTreeMap::from([("main.tf".to_string(), main.to_string())]);
        let r = resources(Rules::get(), &files).unwrap();
        let when = |id: &str| {
            let r = r.iter().find(|r| r.id == id).unwrap();
            r.when
                .as_ref()
                .map(|s| (s.when.clone(), s.definition.clone()))
        };
        let dlq = "{ type: boolean, default: true, help: \"Add a dead-letter queue\" }".to_string();
        assert_eq!(
            when("aws_sqs_queue.dlq"),
            Some(("create_dlq".into(), dlq.clone()))
        );
        assert_eq!(
            when("aws_sqs_queue.plain"),
            Some(("!create_dlq".into(), dlq))
        );
        assert_eq!(
            when("aws_sqs_queue.premium"),
            Some((
                "tier != premium".into(),
                "{ type: string, default: \"basic\", help: \"The configuration's variable `tier`.\" }".into()
            ))
        );
        assert_eq!(when("aws_sqs_queue.many"), None);
    }

    #[test]
    fn parts_merge_into_the_resource_they_split_and_modules_are_read() {
        let main = "resource \"aws_s3_bucket\" \"site\" {}\nresource \"aws_s3_bucket\" \"logs\" {}\nresource \"aws_s3_bucket_logging\" \"site\" {\n  bucket = aws_s3_bucket.site.id\n  target_bucket = aws_s3_bucket.logs.id\n  depends_on = [aws_s3_bucket.logs]\n}\nmodule \"q\" {\n  source = \"./queue\"\n}\n";
        let module = "resource \"aws_sqs_queue\" \"this\" {}\n";
        let files = BTreeMap::from([
            ("main.tf".to_string(), main.to_string()),
            ("queue/main.tf".to_string(), module.to_string()),
        ]);
        let r = resources(Rules::get(), &files).unwrap();
        let ids: Vec<&str> = r.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "aws_s3_bucket.site",
                "aws_s3_bucket.logs",
                "module.q.aws_sqs_queue.this"
            ]
        );
        assert_eq!(r[0].ty, "AWS::S3::Bucket");
        assert_eq!(
            r[0].props["aws_s3_bucket_logging.target_bucket"],
            "${aws_s3_bucket.logs.id}"
        );
        assert_eq!(r[0].line, Some(1));
        let bad = BTreeMap::from([("x.tf".to_string(), "resource \"a\" {\n".to_string())]);
        assert!(matches!(
            resources(Rules::get(), &bad),
            Err(ImportError::Syntax { .. })
        ));
    }

    #[test]
    fn show_json_links_values_that_are_other_resources_ids_and_arns() {
        let doc = serde_json::json!({
            "format_version": "1.0",
            "values": { "root_module": {
                "resources": [
                    { "address": "aws_sqs_queue.q", "mode": "managed", "type": "aws_sqs_queue",
                      "values": { "arn": "arn:aws:sqs:eu-west-1:1:q", "id": "https://sqs/q" } },
                    { "address": "data.aws_region.r", "mode": "data", "type": "aws_region", "values": {} }
                ],
                "child_modules": [{ "resources": [
                    { "address": "module.f.aws_lambda_event_source_mapping.m", "mode": "managed",
                      "type": "aws_lambda_event_source_mapping",
                      "values": { "event_source_arn": "arn:aws:sqs:eu-west-1:1:q", "function_name": "f" } }
                ] }]
            } }
        });
        assert!(is_show_json(&doc));
        let r = from_show_json(Rules::get(), "state.json", &doc);
        assert_eq!(r.len(), 2, "data sources are left out");
        assert_eq!(r[1].ty, "AWS::Lambda::EventSourceMapping");
        assert_eq!(
            r[1].props["event_source_arn"],
            json!({ "Ref": "aws_sqs_queue.q" })
        );
    }
}
