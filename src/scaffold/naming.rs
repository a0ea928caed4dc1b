//! Naming and escaping for every target, in one place: what a user or a pattern supplies (ids,
//! labels, the project name) only reaches a generated file through these functions, registered as
//! template filters. A template that writes a user string without a filter is a bug a reviewer can grep.

use std::collections::BTreeSet;

use minijinja::value::{Kwargs, Value, ValueKind};
use minijinja::{Environment, Error, ErrorKind};

use super::ScaffoldError;

/// Longest project name: CloudFormation stack names allow 128 characters, but resource names
/// derived from the stack name (roles, log groups) are far shorter, so stay well inside them.
const MAX_NAME: usize = 40;

/// Checks a project name. It names the output folder and the stack, so it must be a plain word:
/// anything that could climb out of a folder (`../`, `/`) or out of a string (quotes) is refused
/// with the reason rather than silently rewritten.
pub fn check_project_name(name: &str) -> Result<(), ScaffoldError> {
    let reason = if name.is_empty() {
        Some("it is empty")
    } else if name.contains("..") || name.contains('/') || name.contains('\\') {
        Some("it contains a path separator or `..`, which could write outside the output folder")
    } else if name.contains(['"', '\'', '`']) {
        Some("it contains a quote")
    } else if name.len() > MAX_NAME {
        Some("it is longer than 40 characters")
    } else if !name.starts_with(|c: char| c.is_ascii_lowercase()) {
        Some("it must start with a lowercase letter")
    } else if !name
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        Some("only lowercase letters, digits and `-` are allowed")
    } else if name.ends_with('-') {
        Some("it must not end with `-`")
    } else {
        None
    };
    match reason {
        Some(reason) => Err(ScaffoldError::InvalidName {
            name: name.to_string(),
            reason: reason.to_string(),
        }),
        None => Ok(()),
    }
}

/// Checks an AWS region code such as `eu-west-1` or `us-gov-west-1`.
pub fn check_region(region: &str) -> Result<(), ScaffoldError> {
    let parts: Vec<&str> = region.split('-').collect();
    let ok = parts.len() >= 3
        && parts[..parts.len() - 1]
            .iter()
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_lowercase()))
        && parts[parts.len() - 1].chars().all(|c| c.is_ascii_digit())
        && !parts[parts.len() - 1].is_empty();
    if ok {
        Ok(())
    } else {
        Err(ScaffoldError::InvalidRegion(region.to_string()))
    }
}

/// A CloudFormation logical id from a component id: alphanumeric PascalCase (`api_fn` → `ApiFn`).
/// Logical ids allow only `[A-Za-z0-9]`, so every other character splits words.
pub fn logical_id(id: &str) -> String {
    let mut out = String::new();
    for word in id.split(|c: char| !c.is_ascii_alphanumeric()) {
        let mut chars = word.chars();
        if let Some(first) = chars.next() {
            out.push(first.to_ascii_uppercase());
            out.extend(chars);
        }
    }
    if !out.starts_with(|c: char| c.is_ascii_alphabetic()) {
        out.insert(0, 'R');
    }
    out
}

/// An environment variable name from a component id: `shipping_q` → `SHIPPING_Q`.
pub fn env_name(id: &str) -> String {
    underscored(id, true, 'X')
}

/// A Terraform name (the label of a resource, variable or output) from a component id:
/// lowercase letters, digits and `_`, starting with a letter (`api-fn` → `api_fn`).
pub fn tf_name(id: &str) -> String {
    underscored(id, false, 'r')
}

/// `id` in one case with everything but ASCII letters and digits as `_`, and `prefix` in front
/// when it would not start with a letter.
fn underscored(id: &str, upper: bool, prefix: char) -> String {
    let mut out: String = id
        .chars()
        .map(|c| match c {
            c if c.is_ascii_alphanumeric() && upper => c.to_ascii_uppercase(),
            c if c.is_ascii_alphanumeric() => c.to_ascii_lowercase(),
            _ => '_',
        })
        .collect();
    if !out.starts_with(|c: char| c.is_ascii_alphabetic()) {
        out.insert(0, prefix);
    }
    out
}

/// Text inside an HCL string or a Terraform template file (`templatefile`): `${` and `%{` would
/// start an interpolation or a directive, so they are doubled (`$${`, `%%{`); in a quoted string
/// ([`hcl_str`]) quotes, backslashes and control characters are escaped too.
pub fn hcl_text(text: &str) -> String {
    text.replace("${", "$${").replace("%{", "%%{")
}

/// An HCL quoted string. Every user string lands in a `.tf` file through this, so quotes,
/// backslashes, newlines, `${` and `%{` can never change the configuration's structure.
pub fn hcl_str(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in hcl_text(text).chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\u{:04x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A YAML double-quoted scalar. Every user string lands in YAML through this, so quotes, `: `,
/// `#`, newlines and leading indicators can never change the document's structure.
pub fn yaml_str(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Text placed inside an `!Sub` string: `${` would start a substitution, so it becomes `${!`,
/// CloudFormation's escape for a literal `${`.
pub fn sub_text(text: &str) -> String {
    text.replace("${", "${!")
}

/// Words a generated TypeScript file must not use as a variable name: the language's reserved and
/// strict-mode words, and the names the CDK templates give their module imports and helpers.
#[rustfmt::skip]
const TS_RESERVED: &[&str] = &[
    // ECMAScript reserved words, strict-mode and TypeScript contextual keywords that break a `const`.
    "arguments", "await", "break", "case", "catch", "class", "const", "continue", "debugger",
    "default", "delete", "do", "else", "enum", "eval", "export", "extends", "false", "finally",
    "for", "function", "if", "implements", "import", "in", "instanceof", "interface", "let", "new",
    "null", "package", "private", "protected", "public", "return", "static", "super", "switch",
    "this", "throw", "true", "try", "typeof", "var", "void", "while", "with", "yield", "any",
    "boolean", "never", "number", "object", "string", "symbol", "undefined", "unknown", "type",
    // Names the generated stack and test files already use.
    "acm", "apigateway", "apigwv2", "accessLogsBucket", "app", "assertions", "authorizers", "autoscaling",
    "cdk", "cloudfront", "dev", "cloudwatch", "cloudwatchActions", "cognito", "construct", "cr", "dynamodb",
    "ec2", "ecr", "ecs", "eks", "elbv2", "events", "fs", "glue", "glueKey", "glueLogGroupsArn",
    "glueSecurity", "iam", "id", "integrations", "kms",
    "lambda", "lambdaEventSources", "logs", "origins", "path", "props", "rds", "s3", "scope",
    "secretsmanager", "servicediscovery", "sfn", "skip", "sns", "snsSubscriptions", "sqs", "stack",
    "targets", "tasks", "template", "vpc", "wafv2", "ssm", "kinesis", "nagResource", "route53",
    "route53Targets",
];

/// A TypeScript variable name from a component id: camelCase (`api_fn` → `apiFn`), alphanumeric,
/// never starting with a digit. A reserved word or a name the templates use gets a trailing `_`,
/// which no other id can produce, so two components never share a name unless their logical ids
/// already clash (the engine refuses that).
pub fn ts_ident(id: &str) -> String {
    let lid = logical_id(id);
    let mut chars = lid.chars();
    let mut out: String = chars
        .next()
        .map(|c| c.to_ascii_lowercase())
        .into_iter()
        .chain(chars)
        .collect();
    if TS_RESERVED.contains(&out.as_str()) {
        out.push('_');
    }
    out
}

/// A TypeScript (and JavaScript) double-quoted string literal. Every user string lands in
/// generated TypeScript through this: quotes, backslashes, line breaks (including U+2028 and
/// U+2029) and other control characters are escaped, so a label cannot end the string or add code.
pub fn ts_str(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{2028}' | '\u{2029}' => out.push_str(&format!("\\u{:04x}", c as u32)),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Text for a single-line comment or Markdown line: newlines become spaces.
pub fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A label made to fit a field with limits: one line, at most `max` characters (cut with `...`),
/// and with `latin1` only the characters that IAM descriptions and similar fields accept (tab
/// and `U+0020`-`U+007E`, `U+00A1`-`U+00FF`): common typographic punctuation becomes its ASCII
/// look-alike, anything else `?`. Every label that reaches such a field goes through this.
pub fn fit(text: &str, max: usize, latin1: bool) -> String {
    let line = one_line(text);
    let mut out: String = if latin1 {
        line.chars()
            .map(|c| match c {
                '\u{20}'..='\u{7E}' | '\u{A1}'..='\u{FF}' => c.to_string(),
                '\u{2010}'..='\u{2015}' | '\u{2212}' => "-".into(),
                '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{2032}' => "'".into(),
                '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{2033}' => "\"".into(),
                '\u{2026}' => "...".into(),
                '\u{A0}' | '\u{2000}'..='\u{200A}' | '\u{202F}' => " ".into(),
                _ => "?".into(),
            })
            .collect()
    } else {
        line
    };
    if out.chars().count() > max {
        let ellipsis = if latin1 || max < 4 { "..." } else { "…" };
        let keep = max.saturating_sub(ellipsis.chars().count());
        out = out
            .chars()
            .take(keep)
            .collect::<String>()
            .trim_end()
            .to_string();
        out.push_str(ellipsis);
        out = out.chars().take(max).collect();
    }
    out
}

/// Indents every non-empty line (the first included) by `n` spaces and drops the final newline;
/// for placing a collected slot or a code file inside a YAML block, on a line of its own.
pub fn pad(text: &str, n: usize) -> String {
    let prefix = " ".repeat(n);
    text.trim_start_matches('\n')
        .trim_end_matches('\n')
        .split_inclusive('\n')
        .map(|line| {
            if line.trim().is_empty() {
                line.trim_start_matches([' ', '\t']).to_string()
            } else {
                format!("{prefix}{line}")
            }
        })
        .collect()
}

/// What a naming filter reads: a string, or a number or boolean as it prints; anything else
/// (a list, none, an undefined name) is a template bug, refused with the filter's name.
fn string_arg(name: &str, value: &Value) -> Result<String, Error> {
    match value.kind() {
        ValueKind::String => Ok(value.as_str().unwrap_or_default().to_string()),
        ValueKind::Number => Ok(value.to_string()),
        // minijinja prints `True`; generated code wants `true`.
        ValueKind::Bool => Ok(if value.is_true() { "true" } else { "false" }.to_string()),
        _ if value.is_undefined() => Err(Error::new(
            ErrorKind::UndefinedError,
            format!("filter `{name}` expects a string, got an undefined value"),
        )),
        other => Err(Error::new(
            ErrorKind::InvalidOperation,
            format!("filter `{name}` expects a string, got {other} `{value}`"),
        )),
    }
}

fn filter(name: &'static str, f: fn(&str) -> String) -> impl Fn(Value) -> Result<String, Error> {
    move |value| Ok(f(&string_arg(name, &value)?))
}

/// A whole-number keyword argument that a filter cannot do without.
fn count_arg(filter: &str, kwargs: &Kwargs, key: &str, what: &str) -> Result<usize, Error> {
    kwargs
        .get::<Option<Value>>(key)?
        .and_then(|v| v.as_usize())
        .ok_or_else(|| {
            Error::new(
                ErrorKind::MissingArgument,
                format!("filter `{filter}` needs `{key}`, {what}"),
            )
        })
}

/// Registers the naming and escaping filters on the template environment.
/// The heads of the blocks a Terraform configuration declares (`resource "aws_s3_bucket"`,
/// `data "aws_region"`, `ephemeral "…"`) and the provider aliases its blocks use
/// (`provider = aws.dr`), sorted and once each: what the plan gate needs to know, without a
/// template searching the whole configuration once for every type it might mock.
fn hcl_blocks<'a>(texts: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut found = BTreeSet::new();
    for line in texts.flat_map(str::lines) {
        let trimmed = line.trim();
        for head in ["resource \"", "data \"", "ephemeral \""] {
            if line.starts_with(head)
                && let Some(end) = line[head.len()..].find('"')
            {
                found.insert(line[..head.len() + end + 1].to_string());
            }
        }
        if trimmed.starts_with("provider = aws.") {
            found.insert(trimmed.to_string());
        }
    }
    found.into_iter().collect()
}

pub fn register(env: &mut Environment<'_>) {
    env.add_filter("logical_id", filter("logical_id", logical_id));
    env.add_filter("env_name", filter("env_name", env_name));
    env.add_filter("yaml_str", filter("yaml_str", yaml_str));
    env.add_filter("tf_name", filter("tf_name", tf_name));
    env.add_filter("hcl_str", filter("hcl_str", hcl_str));
    env.add_filter("hcl_text", filter("hcl_text", hcl_text));
    env.add_filter("one_line", filter("one_line", one_line));
    env.add_filter("ts_ident", filter("ts_ident", ts_ident));
    env.add_filter("ts_str", filter("ts_str", ts_str));
    env.add_filter("sub_text", filter("sub_text", sub_text));
    env.add_filter("hcl_blocks", |value: Value| {
        let mut texts = Vec::new();
        if value.kind() == ValueKind::Map {
            for key in value.try_iter()? {
                texts.push(string_arg("hcl_blocks", &value.get_item(&key)?)?);
            }
        } else {
            texts.push(string_arg("hcl_blocks", &value)?);
        }
        Ok::<_, Error>(Value::from(hcl_blocks(texts.iter().map(String::as_str))))
    });
    env.add_filter("json_str", |value: Value| {
        let s = string_arg("json_str", &value)?;
        Ok::<_, Error>(serde_json::to_string(&s).expect("strings always serialize"))
    });
    // `${Name}` / `${Name.Attr}` for `!Sub` strings: writing `${` next to `{{` in a template is
    // unreadable and easy to get wrong.
    env.add_filter("subref", |value: Value, kwargs: Kwargs| {
        let s = string_arg("subref", &value)?;
        let attr: Option<Value> = kwargs.get("attr")?;
        kwargs.assert_all_used()?;
        Ok::<_, Error>(match attr.as_ref().and_then(Value::as_str) {
            Some(attr) => format!("${{{s}.{attr}}}"),
            None => format!("${{{s}}}"),
        })
    });
    env.add_filter("fit", |value: Value, kwargs: Kwargs| {
        let s = string_arg("fit", &value)?;
        let max = count_arg("fit", &kwargs, "max", "a number of characters")?;
        let latin1 = kwargs
            .get::<Option<Value>>("latin1")?
            .is_some_and(|v| v.is_true() && v.kind() == ValueKind::Bool);
        kwargs.assert_all_used()?;
        Ok::<_, Error>(fit(&s, max, latin1))
    });
    env.add_filter("pad", |value: Value, kwargs: Kwargs| {
        let s = string_arg("pad", &value)?;
        let n = count_arg("pad", &kwargs, "n", "a number of spaces")?;
        kwargs.assert_all_used()?;
        Ok::<_, Error>(pad(&s, n))
    });
}

#[cfg(test)]
mod tests {

    #[test]
    fn hcl_blocks_lists_declared_heads_and_aliases_once() {
        let text = "resource \"aws_s3_bucket\" \"a\" {\n  provider = aws.dr\n}\n\nresource \"aws_s3_bucket\" \"b\" {\n  # resource \"aws_iam_role\" \"c\" {\n}\ndata \"aws_region\" \"r\" {}\nephemeral \"aws_secretsmanager_random_password\" \"p\" {\n}\n";
        assert_eq!(
            hcl_blocks([text].into_iter()),
            [
                "data \"aws_region\"",
                "ephemeral \"aws_secretsmanager_random_password\"",
                "provider = aws.dr",
                "resource \"aws_s3_bucket\"",
            ]
        );
    }
    use super::*;

    #[test]
    fn labels_fit_limited_fields() {
        assert_eq!(fit("Orders – worker", 1000, true), "Orders - worker");
        assert_eq!(fit("“quoted”\n label", 1000, true), "\"quoted\" label");
        assert_eq!(fit("注文 🚀", 1000, true), "?? ?");
        assert_eq!(fit("Café", 1000, true), "Café");
        let long = "x".repeat(200);
        let cut = fit(&long, 128, false);
        assert_eq!(cut.chars().count(), 128);
        assert!(cut.ends_with('…'));
        assert_eq!(fit(&long, 10, true), "xxxxxxx...");
        assert_eq!(fit("short", 128, false), "short");
    }

    #[test]
    fn project_names_that_escape_are_refused() {
        for bad in [
            "../etc", "a/b", "a\\b", "..", "my\"app", "it's", "", "App", "1app", "a b", "app-",
        ] {
            assert!(check_project_name(bad).is_err(), "{bad:?} was accepted");
        }
        let e = check_project_name("../x").unwrap_err().to_string();
        assert_eq!(
            e,
            "invalid project name `../x`: it contains a path separator or `..`, which could write outside the output folder"
        );
        for good in ["serverless-web", "shop2", "a"] {
            check_project_name(good).unwrap();
        }
    }

    #[test]
    fn regions() {
        check_region("eu-west-1").unwrap();
        check_region("us-gov-west-1").unwrap();
        for bad in ["eu-west", "EU-west-1", "eu west 1", "../1", ""] {
            assert!(check_region(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn logical_ids_are_pascal_case_alphanumeric() {
        assert_eq!(logical_id("api_fn"), "ApiFn");
        assert_eq!(logical_id("users-svc"), "UsersSvc");
        assert_eq!(logical_id("db"), "Db");
        assert_eq!(logical_id("2nd_queue"), "R2ndQueue");
        assert_eq!(logical_id("a\"b: c"), "ABC");
        assert_eq!(env_name("shipping_q"), "SHIPPING_Q");
    }

    #[test]
    fn yaml_strings_are_always_double_quoted_and_escaped() {
        assert_eq!(yaml_str("plain"), "\"plain\"");
        assert_eq!(yaml_str("say \"hi\""), "\"say \\\"hi\\\"\"");
        assert_eq!(yaml_str("key: value # no"), "\"key: value # no\"");
        assert_eq!(yaml_str("two\nlines"), "\"two\\nlines\"");
        assert_eq!(yaml_str("back\\slash"), "\"back\\\\slash\"");
        assert_eq!(yaml_str("bell\u{7}"), "\"bell\\x07\"");
    }

    #[test]
    fn terraform_names_are_hcl_identifiers() {
        assert_eq!(tf_name("api_fn"), "api_fn");
        assert_eq!(tf_name("users-svc"), "users_svc");
        assert_eq!(tf_name("2nd_queue"), "r2nd_queue");
        assert_eq!(tf_name("a\"b: c"), "a_b__c");
    }

    #[test]
    fn hcl_strings_are_quoted_and_escaped() {
        assert_eq!(hcl_str("plain"), "\"plain\"");
        assert_eq!(hcl_str("say \"hi\""), r#""say \"hi\"""#);
        assert_eq!(hcl_str("back\\slash"), r#""back\\slash""#);
        assert_eq!(hcl_str("two\nlines"), r#""two\nlines""#);
        assert_eq!(hcl_str("cost ${var.x}"), r#""cost $${var.x}""#);
        assert_eq!(hcl_str("%{ if true }"), r#""%%{ if true }""#);
        assert_eq!(hcl_str("bell\u{7}"), r#""bell\u0007""#);
        // A lone `$` or `%` is literal in HCL and stays as it is.
        assert_eq!(hcl_str("$5 or 10%"), r#""$5 or 10%""#);
        assert_eq!(hcl_text("${HOME} %{x}"), "$${HOME} %%{x}");
    }

    #[test]
    fn typescript_identifiers_are_camel_case_and_never_reserved() {
        assert_eq!(ts_ident("api_fn"), "apiFn");
        assert_eq!(ts_ident("users-svc"), "usersSvc");
        assert_eq!(ts_ident("db"), "db");
        assert_eq!(ts_ident("2nd_queue"), "r2ndQueue");
        assert_eq!(ts_ident("delete"), "delete_");
        assert_eq!(ts_ident("lambda"), "lambda_");
        assert_eq!(ts_ident("vpc"), "vpc_");
        assert_eq!(ts_ident("a\"b: c"), "aBC");
    }

    #[test]
    fn typescript_strings_are_escaped_literals() {
        assert_eq!(ts_str("plain"), "\"plain\"");
        assert_eq!(ts_str("say \"hi\""), "\"say \\\"hi\\\"\"");
        assert_eq!(ts_str("a\\b"), "\"a\\\\b\"");
        assert_eq!(ts_str("two\nlines\r"), "\"two\\nlines\\r\"");
        assert_eq!(ts_str("end\u{2028}"), "\"end\\u2028\"");
        assert_eq!(ts_str("bell\u{7}"), "\"bell\\x07\"");
        // `${` and `'` are plain characters in a double-quoted literal.
        assert_eq!(ts_str("it's ${x}"), "\"it's ${x}\"");
    }

    #[test]
    fn pad_indents_non_empty_lines() {
        assert_eq!(pad("a\n\n  b\n", 2), "  a\n\n    b");
        assert_eq!(one_line("a\n  b"), "a b");
        assert_eq!(sub_text("cost ${x}"), "cost ${!x}");
    }

    /// A component whose id is a module's import alias (`ecs`) would shadow the module.
    #[test]
    fn every_module_the_cdk_templates_import_is_reserved() {
        let mut stack =
            vec![std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/cdk")];
        let mut checked = 0;
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                    continue;
                }
                let text = std::fs::read_to_string(&path).unwrap();
                for alias in text
                    .split("import * as ")
                    .skip(1)
                    .filter_map(|rest| rest.split_whitespace().next())
                {
                    assert!(
                        super::TS_RESERVED.contains(&alias),
                        "{}: add `{alias}` to TS_RESERVED",
                        path.display()
                    );
                    checked += 1;
                }
            }
        }
        assert!(checked > 20);
    }
}
