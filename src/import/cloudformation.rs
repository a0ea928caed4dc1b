//! CloudFormation and SAM templates, YAML or JSON, into resources. Short-form intrinsics (`!Ref`,
//! `!GetAtt`, `!Sub`…) are read as their long forms, so the rest of import sees one shape;
//! Conditions are evaluated with the parameters' defaults, and SAM's implicit resources (event
//! sources, the implicit APIs, policy templates) are expanded as the SAM transform would.

use std::collections::BTreeSet;

use indexmap::IndexMap;
use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value, json};

use super::Switch;
use super::rules::Rules;
use super::{ImportError, Resource};

/// A YAML node with its tag, read through serde-saphyr's `Tagged`.
struct Node(Value);

struct Inner(Value);

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let serde_saphyr::Tagged(Inner(value), tag) =
            serde_saphyr::Tagged::<Inner>::deserialize(d)?;
        Ok(Node(match tag.as_deref().map(short_tag) {
            Some(Some(name)) => long_form(name, value),
            _ => value,
        }))
    }
}

/// `!Ref` → `Ref`, `!GetAtt` → `Fn::GetAtt`, `!Sub` → `Fn::Sub`; core tags (`!!str`) are none.
fn short_tag(tag: &str) -> Option<&str> {
    let name = tag.strip_prefix('!')?;
    if name.starts_with('!') || name.contains(':') || name.is_empty() {
        return None;
    }
    Some(name)
}

fn long_form(name: &str, value: Value) -> Value {
    match name {
        "Ref" => json!({ "Ref": value }),
        "Condition" => json!({ "Condition": value }),
        "GetAtt" => {
            let value = match value {
                Value::String(s) => match s.split_once('.') {
                    Some((a, b)) => json!([a, b]),
                    None => json!([s]),
                },
                other => other,
            };
            json!({ "Fn::GetAtt": value })
        }
        other => {
            let mut m = Map::new();
            m.insert(format!("Fn::{other}"), value);
            Value::Object(m)
        }
    }
}

impl<'de> Deserialize<'de> for Inner {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Inner;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a YAML value")
            }
            fn visit_bool<E>(self, v: bool) -> Result<Inner, E> {
                Ok(Inner(Value::Bool(v)))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Inner, E> {
                Ok(Inner(Value::from(v)))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Inner, E> {
                Ok(Inner(Value::from(v)))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Inner, E> {
                Ok(Inner(Value::from(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Inner, E> {
                Ok(Inner(Value::String(v.to_string())))
            }
            fn visit_string<E>(self, v: String) -> Result<Inner, E> {
                Ok(Inner(Value::String(v)))
            }
            fn visit_unit<E>(self) -> Result<Inner, E> {
                Ok(Inner(Value::Null))
            }
            fn visit_none<E>(self) -> Result<Inner, E> {
                Ok(Inner(Value::Null))
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Inner, D::Error> {
                Inner::deserialize(d)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Inner, A::Error> {
                let mut out = Vec::new();
                while let Some(Node(v)) = seq.next_element()? {
                    out.push(v);
                }
                Ok(Inner(Value::Array(out)))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Inner, A::Error> {
                let mut out = Map::new();
                while let Some((k, Node(v))) = map.next_entry::<Node, Node>()? {
                    let key = match k.0 {
                        Value::String(s) => s,
                        other => other.to_string(),
                    };
                    out.insert(key, v);
                }
                Ok(Inner(Value::Object(out)))
            }
        }
        d.deserialize_any(V)
    }
}

/// Parses template text, YAML (a superset of JSON) with CloudFormation's tags.
pub(crate) fn parse(file: &str, text: &str) -> Result<Value, ImportError> {
    let trimmed = text.trim_start();
    if trimmed.starts_with('{') {
        return serde_json::from_str(text).map_err(|e| ImportError::Syntax {
            file: file.to_string(),
            line: Some(e.line()),
            message: e.to_string(),
        });
    }
    let node: Node = serde_saphyr::from_str(text).map_err(|e| ImportError::Syntax {
        file: file.to_string(),
        line: e.location().map(|l| l.line() as usize),
        message: crate::loader::syntax_message(&e),
    })?;
    Ok(node.0)
}

/// Whether a parsed document is a CloudFormation template: a `Resources` map whose entries have a
/// `Type`.
pub(crate) fn is_template(doc: &Value) -> bool {
    doc.get("Resources")
        .and_then(Value::as_object)
        .is_some_and(|r| {
            r.values()
                .any(|v| v.get("Type").is_some_and(Value::is_string))
        })
}

/// The line each top-level resource's key is on, for comments and messages.
fn resource_lines(text: &str) -> IndexMap<String, usize> {
    let mut out = IndexMap::new();
    let mut in_resources = false;
    let mut indent: Option<usize> = None;
    for (n, line) in text.lines().enumerate() {
        let body = line.trim_start();
        let depth = line.len() - body.len();
        if body.is_empty() || body.starts_with('#') {
            continue;
        }
        if depth == 0 {
            in_resources = body.starts_with("Resources:") || body.starts_with("\"Resources\"");
            indent = None;
            continue;
        }
        if !in_resources {
            continue;
        }
        let ind = *indent.get_or_insert(depth);
        if depth == ind {
            let key = body
                .split(':')
                .next()
                .unwrap_or("")
                .trim()
                .trim_matches('"')
                .trim_matches('\'');
            if !key.is_empty() {
                out.insert(key.to_string(), n + 1);
            }
        }
    }
    out
}

/// The resources of one template, conditions applied and SAM expanded. `prefix` keeps the ids of
/// several stacks apart (CDK).
pub(crate) fn resources(
    rules: &Rules,
    file: &str,
    text: &str,
    doc: &Value,
    prefix: &str,
) -> Result<super::Read, ImportError> {
    let lines = resource_lines(text);
    let params = parameter_defaults(doc);
    let conditions = doc
        .get("Conditions")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let switched: BTreeSet<String> = conditions
        .keys()
        .filter(|c| switch(c, &conditions, doc, 0).is_some())
        .cloned()
        .collect();
    let mut skipped = Vec::new();
    let mut out = Vec::new();
    let Some(map) = doc.get("Resources").and_then(Value::as_object) else {
        return Err(ImportError::NotATemplate {
            file: file.to_string(),
        });
    };
    for (id, body) in map {
        let Some(ty) = body.get("Type").and_then(Value::as_str) else {
            return Err(ImportError::Resource {
                file: file.to_string(),
                line: lines.get(id).copied(),
                id: id.clone(),
                message: "it has no `Type`".into(),
            });
        };
        let cond = body.get("Condition").and_then(Value::as_str);
        let when = cond.and_then(|c| switch(c, &conditions, doc, 0));
        if let Some(cond) = cond
            && when.is_none()
            && !condition(cond, &conditions, &params, 0)
        {
            skipped.push((
                format!("{prefix}{id}"),
                format!("condition `{cond}` is false with the parameters' defaults"),
            ));
            continue;
        }
        let mut props = body.get("Properties").cloned().unwrap_or(Value::Null);
        resolve_ifs(&mut props, &conditions, &params, &switched);
        if !prefix.is_empty() {
            prefix_refs(&mut props, prefix, map);
        }
        let path = body
            .pointer("/Metadata/aws:cdk:path")
            .and_then(Value::as_str)
            .map(str::to_string);
        out.push(Resource {
            id: format!("{prefix}{id}"),
            ty: ty.to_string(),
            props,
            file: file.to_string(),
            line: lines.get(id).copied(),
            path,
            when,
        });
    }
    let globals = doc.pointer("/Globals/Function").cloned();
    expand_sam(rules, &mut out, globals.as_ref());
    Ok((out, skipped))
}

fn parameter_defaults(doc: &Value) -> Map<String, Value> {
    let mut out = Map::new();
    for (name, p) in doc
        .get("Parameters")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        if let Some(d) = p.get("Default") {
            out.insert(name.clone(), d.clone());
        }
    }
    out
}

/// A condition that tests one template parameter, as a pattern `when` and parameter:
/// `!Equals [!Ref P, value]`, its `!Not`, or a `!Condition` naming one. A parameter whose allowed
/// values are `true` and `false` becomes a boolean; another becomes a string parameter with its
/// allowed values as choices. Anything else (`!And`, `!Or`, pseudo parameters such as
/// `AWS::Region`) is `None` and is decided with the defaults.
fn switch(name: &str, conditions: &Map<String, Value>, doc: &Value, depth: u8) -> Option<Switch> {
    let expr = conditions.get(name)?.as_object()?;
    if depth > 8 || expr.len() != 1 {
        return None;
    }
    let (op, args) = expr.iter().next()?;
    let args = args.as_array();
    let mut out = match op.as_str() {
        "Condition" => switch(expr["Condition"].as_str()?, conditions, doc, depth + 1)?,
        "Fn::Not" => {
            let inner = args?.first()?.as_object()?;
            let nested = match inner.get("Condition") {
                Some(c) => c.as_str()?.to_string(),
                None => {
                    // An inline condition: give it a name to look up.
                    let mut with = conditions.clone();
                    with.insert("\0inline".into(), Value::Object(inner.clone()));
                    let mut s = switch("\0inline", &with, doc, depth + 1)?;
                    s.when = negate(&s.when);
                    s.condition = format!("condition `{name}` holds");
                    return Some(s);
                }
            };
            let mut s = switch(&nested, conditions, doc, depth + 1)?;
            s.when = negate(&s.when);
            s
        }
        "Fn::Equals" => {
            let args = args?;
            let (p, value) = match (args.first()?, args.get(1)?) {
                (Value::Object(r), v) | (v, Value::Object(r)) => {
                    (r.get("Ref")?.as_str()?, v.as_str()?.to_string())
                }
                _ => return None,
            };
            let decl = doc.pointer(&format!(
                "/Parameters/{}",
                p.replace('~', "~0").replace('/', "~1")
            ))?;
            let allowed: Vec<String> = decl
                .get("AllowedValues")
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(|v| scalar(v, &Map::new())).collect())
                .unwrap_or_default();
            let default = decl.get("Default").and_then(|d| scalar(d, &Map::new()));
            let parameter = super::refs::slug(p);
            if parameter.is_empty() || !parameter.starts_with(|c: char| c.is_ascii_lowercase()) {
                return None;
            }
            let help = decl
                .get("Description")
                .and_then(Value::as_str)
                .filter(|d| !d.trim().is_empty())
                .map(str::to_string)
                .unwrap_or_else(|| format!("The template's parameter `{p}`."));
            let boolean =
                |v: &str| v.eq_ignore_ascii_case("true") || v.eq_ignore_ascii_case("false");
            let is_bool = if allowed.is_empty() {
                default.as_deref().is_some_and(boolean) && boolean(&value)
            } else {
                allowed.len() == 2 && allowed.iter().all(|a| boolean(a)) && boolean(&value)
            };
            if is_bool {
                let on = default
                    .as_deref()
                    .is_some_and(|d| d.eq_ignore_ascii_case("true"));
                Switch::boolean(
                    parameter,
                    value.eq_ignore_ascii_case("true"),
                    on,
                    &help,
                    p.to_string(),
                )
            } else {
                let default = default
                    .filter(|d| allowed.is_empty() || allowed.contains(d))
                    .or_else(|| allowed.first().cloned())?;
                Switch::string(
                    parameter,
                    (&value, true),
                    &default,
                    &allowed,
                    &help,
                    p.to_string(),
                )?
            }
        }
        _ => return None,
    };
    out.condition = format!("condition `{name}` holds");
    Some(out)
}

fn negate(when: &str) -> String {
    if let Some(p) = when.strip_prefix('!') {
        p.to_string()
    } else if let Some((p, v)) = when.split_once(" == ") {
        format!("{p} != {v}")
    } else if let Some((p, v)) = when.split_once(" != ") {
        format!("{p} == {v}")
    } else {
        format!("!{when}")
    }
}

/// A condition's value with the parameters' defaults; what cannot be decided counts as true, so
/// that nothing is dropped for a reason import cannot see.
fn condition(
    name: &str,
    conditions: &Map<String, Value>,
    params: &Map<String, Value>,
    depth: u8,
) -> bool {
    match conditions.get(name) {
        Some(expr) if depth < 16 => eval(expr, conditions, params, depth + 1).unwrap_or(true),
        _ => true,
    }
}

fn eval(
    expr: &Value,
    conditions: &Map<String, Value>,
    params: &Map<String, Value>,
    depth: u8,
) -> Option<bool> {
    let obj = expr.as_object()?;
    let (k, v) = obj.iter().next()?;
    let list = || v.as_array().cloned().unwrap_or_default();
    match k.as_str() {
        "Fn::Equals" => {
            let l = list();
            let a = scalar(l.first()?, params)?;
            let b = scalar(l.get(1)?, params)?;
            Some(a == b)
        }
        "Fn::Not" => Some(!eval(list().first()?, conditions, params, depth)?),
        "Fn::And" => {
            let mut all = true;
            for e in list() {
                all &= eval(&e, conditions, params, depth)?;
            }
            Some(all)
        }
        "Fn::Or" => {
            let mut any = false;
            for e in list() {
                any |= eval(&e, conditions, params, depth)?;
            }
            Some(any)
        }
        "Condition" => Some(condition(v.as_str()?, conditions, params, depth)),
        _ => None,
    }
}

fn scalar(v: &Value, params: &Map<String, Value>) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Object(o) => {
            let name = o.get("Ref")?.as_str()?;
            scalar(params.get(name)?, params)
        }
        _ => None,
    }
}

/// `Fn::If` picks its branch when the condition is decidable; `AWS::NoValue` drops the key. A
/// condition that became a `when` (`switched`) takes the branch that is not `AWS::NoValue`,
/// else the true one: that is the branch that names the switched part, and the loader leaves a
/// connection out with the part.
fn resolve_ifs(
    v: &mut Value,
    conditions: &Map<String, Value>,
    params: &Map<String, Value>,
    switched: &BTreeSet<String>,
) {
    let no_value = |v: &Value| v.get("Ref").and_then(Value::as_str) == Some("AWS::NoValue");
    match v {
        Value::Object(o) => {
            if let Some(args) = o.get("Fn::If").and_then(Value::as_array)
                && args.len() == 3
                && let Some(name) = args[0].as_str()
            {
                let first = if switched.contains(name) {
                    !no_value(&args[1]) || no_value(&args[2])
                } else {
                    condition(name, conditions, params, 0)
                };
                *v = if first {
                    args[1].clone()
                } else {
                    args[2].clone()
                };
                resolve_ifs(v, conditions, params, switched);
                return;
            }
            o.retain(|_, child| !no_value(child));
            o.values_mut()
                .for_each(|c| resolve_ifs(c, conditions, params, switched));
        }
        Value::Array(a) => {
            a.retain(|child| !no_value(child));
            a.iter_mut()
                .for_each(|c| resolve_ifs(c, conditions, params, switched));
        }
        _ => {}
    }
}

/// Rewrites references to this template's resources with the stack prefix.
fn prefix_refs(v: &mut Value, prefix: &str, resources: &Map<String, Value>) {
    match v {
        Value::Object(o) => {
            if let Some(Value::String(s)) = o.get_mut("Ref")
                && resources.contains_key(s.as_str())
            {
                *s = format!("{prefix}{s}");
            }
            if let Some(Value::Array(a)) = o.get_mut("Fn::GetAtt")
                && let Some(Value::String(s)) = a.first_mut()
                && resources.contains_key(s.as_str())
            {
                *s = format!("{prefix}{s}");
            }
            o.values_mut()
                .for_each(|c| prefix_refs(c, prefix, resources));
        }
        Value::Array(a) => a.iter_mut().for_each(|c| prefix_refs(c, prefix, resources)),
        Value::String(s) if s.contains("${") => {
            for id in resources.keys() {
                if s.contains(&format!("${{{id}")) {
                    *s = s
                        .replace(&format!("${{{id}}}"), &format!("${{{prefix}{id}}}"))
                        .replace(&format!("${{{id}."), &format!("${{{prefix}{id}."));
                }
            }
        }
        _ => {}
    }
}

/// SAM: each function's (and state machine's) `Events` become the resources the transform makes,
/// policy templates become statements, and an `Api`/`HttpApi` event without an API names the
/// implicit one, which is added.
fn expand_sam(rules: &Rules, resources: &mut Vec<Resource>, globals: Option<&Value>) {
    let mut added: Vec<Resource> = Vec::new();
    for r in resources.iter_mut() {
        if !r.ty.starts_with("AWS::Serverless::") {
            continue;
        }
        if r.ty == "AWS::Serverless::Function"
            && let (Some(Value::Object(g)), Value::Object(p)) = (globals, &mut r.props)
        {
            for (k, v) in g {
                p.entry(k.clone()).or_insert_with(|| v.clone());
            }
        }
        // Policy templates → statements the IAM reader understands (one policy may stand alone).
        if let Some(single) = r.props.get_mut("Policies")
            && !single.is_array()
        {
            *single = Value::Array(vec![single.take()]);
        }
        if let Some(Value::Array(policies)) = r.props.get_mut("Policies") {
            for p in policies.iter_mut() {
                let Some((name, args)) = p.as_object().and_then(|o| o.iter().next()) else {
                    continue;
                };
                if let Some(t) = rules.policy_templates.get(name) {
                    let resource = args.get(&t.resource).cloned().unwrap_or(Value::Null);
                    *p = json!({ "Statement": [{ "Effect": "Allow", "Action": t.actions, "Resource": resource }] });
                }
            }
        }
        let events = r
            .props
            .get("Events")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        for (name, event) in events {
            let ty = event.get("Type").and_then(Value::as_str).unwrap_or("");
            let Some(rule) = rules.sam_events.get(ty) else {
                continue;
            };
            let props = event.get("Properties").cloned().unwrap_or(Value::Null);
            let mut props = props;
            if let Some(implicit) = &rule.implicit
                && props.get(&implicit.property).is_none()
            {
                if !props.is_object() {
                    props = json!({});
                }
                props[&implicit.property] = json!({ "Ref": implicit.id });
                if !added.iter().any(|a| a.id == implicit.id) {
                    added.push(Resource {
                        id: implicit.id.clone(),
                        ty: implicit.ty.clone(),
                        props: json!({}),
                        file: r.file.clone(),
                        line: r.line,
                        path: None,
                        when: None,
                    });
                }
            }
            added.push(Resource {
                id: format!("{}{}", r.id, name),
                ty: rule.creates.clone(),
                props: fill(&rule.set, &props, &r.id),
                file: r.file.clone(),
                line: r.line,
                path: None,
                when: None,
            });
        }
    }
    let ids: Vec<String> = resources.iter().map(|r| r.id.clone()).collect();
    resources.extend(added.into_iter().filter(|a| !ids.contains(&a.id)));
}

fn fill(set: &Value, props: &Value, me: &str) -> Value {
    match set {
        Value::String(s) if s == "$self" => json!({ "Ref": me }),
        Value::String(s) => props.get(s).cloned().unwrap_or(Value::Null),
        Value::Array(a) => Value::Array(a.iter().map(|v| fill(v, props, me)).collect()),
        Value::Object(o) => Value::Object(
            o.iter()
                .map(|(k, v)| (k.clone(), fill(v, props, me)))
                .filter(|(_, v)| !v.is_null())
                .collect(),
        ),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_forms_read_as_long_forms() {
        let doc = parse(
            "t.yaml",
            "Resources:\n  A:\n    Type: X\n    Properties:\n      R: !Ref B\n      G: !GetAtt B.Arn\n      S: !Sub \"${B}-x\"\n      J: !Join [\"\", [a, !Ref C]]\n      Q: !!str plain\n",
        )
        .unwrap();
        let p = &doc["Resources"]["A"]["Properties"];
        assert_eq!(p["R"], json!({"Ref": "B"}));
        assert_eq!(p["G"], json!({"Fn::GetAtt": ["B", "Arn"]}));
        assert_eq!(p["S"], json!({"Fn::Sub": "${B}-x"}));
        assert_eq!(p["J"], json!({"Fn::Join": ["", ["a", {"Ref": "C"}]]}));
        assert_eq!(p["Q"], json!("plain"));
    }

    #[test]
    fn conditions_use_parameter_defaults() {
        // `Fn::If` and a condition on a pseudo parameter are decided with the defaults.
        let text = "Parameters:\n  Ha: { Type: String, Default: \"false\" }\nConditions:\n  IsHa: !Equals [!Ref Ha, \"true\"]\n  NotHa: !Not [!Condition IsHa]\n  InChina: !Equals [!Ref AWS::Region, cn-north-1]\n  Never: !And [!Condition IsHa, !Condition InChina]\nResources:\n  A: { Type: AWS::SQS::Queue, Condition: Never }\n  C: { Type: AWS::SQS::Queue, Condition: InChina }\n  B:\n    Type: AWS::SNS::Topic\n    Properties:\n      X: !If [NotHa, first, second]\n";
        let doc = parse("t.yaml", text).unwrap();
        let (res, skipped) = resources(Rules::get(), "t.yaml", text, &doc, "").unwrap();
        // `C`'s condition cannot be decided, so it is kept.
        assert_eq!(res.len(), 2);
        assert_eq!(res[1].props["X"], json!("first"));
        assert_eq!(res[1].line, Some(11));
        assert_eq!(skipped[0].0, "A");
    }

    #[test]
    fn a_condition_on_one_parameter_becomes_a_when() {
        let text = "Parameters:\n  EnableReplica: { Type: String, AllowedValues: [\"true\", \"false\"], Default: \"false\", Description: Add a read replica }\n  Size: { Type: String, AllowedValues: [small, large], Default: small }\nConditions:\n  Replica: !Equals [!Ref EnableReplica, \"true\"]\n  NoReplica: !Not [!Condition Replica]\n  Large: !Equals [large, !Ref Size]\n  Both: !And [!Condition Replica, !Condition Large]\nResources:\n  R: { Type: AWS::RDS::DBInstance, Condition: Replica }\n  Nr: { Type: AWS::SQS::Queue, Condition: NoReplica }\n  L: { Type: AWS::SQS::Queue, Condition: Large }\n  M: { Type: AWS::SQS::Queue, Condition: Both }\n  I: { Type: AWS::SQS::Queue, Condition: Inline }\n";
        let text = text.replace(
            "Both: !And",
            "Inline: !Not [!Equals [!Ref Size, large]]\n  Both: !And",
        );
        let doc = parse("t.yaml", &text).unwrap();
        let (res, skipped) = resources(Rules::get(), "t.yaml", &text, &doc, "").unwrap();
        let when = |id: &str| {
            let r = res.iter().find(|r| r.id == id).unwrap();
            r.when
                .as_ref()
                .map(|s| (s.when.as_str(), s.definition.as_str()))
        };
        let replica = "{ type: boolean, default: false, help: \"Add a read replica\" }";
        let size = "{ type: string, default: \"small\", choices: [\"small\", \"large\"], help: \"The template's parameter `Size`.\" }";
        assert_eq!(when("R"), Some(("enable_replica", replica)));
        assert_eq!(when("Nr"), Some(("!enable_replica", replica)));
        assert_eq!(when("L"), Some(("size == large", size)));
        assert_eq!(when("I"), Some(("size != large", size)));
        // `!And` cannot be one `when`: decided with the defaults, so `M` is left out.
        assert!(res.iter().all(|r| r.id != "M"));
        assert_eq!(skipped.len(), 1);
        assert_eq!(
            res.iter()
                .find(|r| r.id == "R")
                .unwrap()
                .when
                .as_ref()
                .unwrap()
                .condition,
            "condition `Replica` holds"
        );
    }
}
