//! Property tests: a pattern file from a stranger cannot inject code. Each case takes a valid
//! structure (a built-in, or one of the catalog-derived coverage patterns, which between them use
//! every kind and every connection the catalog allows) and puts arbitrary text (quotes,
//! backslashes, `${x}`, `%{x}`, `{{ x }}`, `<script>`, `../`, newlines, CJK, emoji, 200+
//! characters) into every free-text field: title, summary, group, component and connection
//! labels (not a CloudFront origin's, which is its path pattern), walkthrough texts, a string
//! parameter's default and help, and every free-text string property of each component's kind,
//! whether the pattern sets it or not. Then, in process through the library API:
//!
//! - the loader never panics, and a file it refuses gets a located error;
//! - every diagram (DOT, Mermaid, the built-in SVG) and every IaC target (CloudFormation,
//!   Terraform, CDK) has exactly the code of the same pattern with plain labels: the same files;
//!   for YAML and JSON the same keys, list lengths and `!Sub` references; for HCL (parsed with
//!   hcl-rs) the same blocks, attributes and interpolations; for TypeScript, DOT and Mermaid the
//!   same tokens outside string literals and comments; the SVG parses as XML with no script;
//! - so a label appears only inside string content, and no generated path leaves the project.
//!
//! TypeScript is compared lexically, not parsed with `tsc` (the CDK validator suite does that for
//! the built-ins). `PROPTEST_CASES` sets the number of cases per property (default 32).

use std::collections::BTreeMap;
use std::sync::OnceLock;

use archpat::catalog::Catalog;
use archpat::library::Library;
use archpat::loader::{self, LoadError};
use archpat::model::Pattern;
use archpat::render::{self, Engine, Format};
use archpat::scaffold::engine::{self, Options};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError};
use serde_json::{Value, json};

const TARGETS: [&str; 3] = ["cloudformation", "terraform", "cdk"];

fn config() -> Config {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(32);
    Config {
        cases,
        failure_persistence: None,
        max_shrink_iters: 200,
        ..Config::default()
    }
}

/// Fragments that mean something in one of the languages archpat writes.
const PIECES: &[&str] = &[
    "\"",
    "'",
    "\\",
    "\\\"",
    "${x}",
    "${AWS::AccountId}",
    "$${x}",
    "%{x}",
    "%{ if true }",
    "{{ x }}",
    "{% x %}",
    "<script>alert(1)</script>",
    "</text><script>",
    "../",
    "../../etc/passwd",
    "/abs",
    "\n",
    "\r\n",
    "\t",
    "# ",
    ": ",
    "- ",
    "`",
    "${`",
    "$(id)",
    "*/",
    "/*",
    "//",
    "-->",
    "]]>",
    "&amp;",
    "#quot;",
    "}}",
    "{",
    "}",
    "[",
    "]",
    "|",
    ">",
    "!Ref ",
    "<<EOT\n",
    "\nEOT\n",
    ";",
    "\" }\nresource \"aws_iam_user\" \"x\" {\n#",
    "'\n  Admin:\n    Type: AWS::IAM::User\n",
    "\"); new iam.User(this, 'x'); (\"",
    "漢字",
    "한국어",
    "🙂",
    "👩‍💻",
    "\u{200B}",
    "null",
    "~",
    "true",
];

/// A character YAML may carry (its printable set) and JSON writes raw or as a simple escape.
fn yaml_printable(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{7E}' | '\u{85}' | '\u{A0}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// Arbitrary text, heavy on the fragments above; sometimes longer than 200 characters.
fn hostile() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        4 => proptest::sample::select(PIECES).prop_map(str::to_string),
        2 => "[a-zA-Z0-9 ]{1,6}",
        1 => any::<char>().prop_filter("YAML printable", |c| yaml_printable(*c)).prop_map(String::from),
    ];
    prop_oneof![
        6 => proptest::collection::vec(piece.clone(), 0..16).prop_map(|v| v.concat()),
        1 => (proptest::collection::vec(piece, 1..6), 200usize..260).prop_map(|(v, n)| {
            let mut s = v.concat();
            while s.chars().count() < n {
                s.push_str("long 長い ");
            }
            s
        }),
    ]
}

/// The built-in patterns as YAML data.
fn builtins() -> &'static Vec<(String, Value)> {
    static B: OnceLock<Vec<(String, Value)>> = OnceLock::new();
    B.get_or_init(|| {
        Library::builtin_ids()
            .into_iter()
            .map(|id| {
                let text = Library::builtin_text(&id).unwrap();
                let v: Value = serde_saphyr::from_str(text).unwrap();
                (id, v)
            })
            .collect()
    })
}

/// The structures the properties draw from: the built-ins first, then the catalog-derived
/// coverage patterns, which between them hold every kind and every connection the catalog allows.
fn structures() -> &'static Vec<(String, Value)> {
    static S: OnceLock<Vec<(String, Value)>> = OnceLock::new();
    S.get_or_init(|| {
        let mut all = builtins().clone();
        let mut files: Vec<_> = std::fs::read_dir(crate::coverage::coverage_dir())
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        for path in files {
            let text = std::fs::read_to_string(&path).unwrap();
            let v: Value = serde_saphyr::from_str(&text).unwrap();
            let id = path.file_stem().unwrap().to_string_lossy().into_owned();
            all.push((id, v));
        }
        all
    })
}

/// The free-text string properties of a kind: no choices, no format.
fn free_text(kind: &str, property: &str) -> bool {
    Catalog::builtin()
        .kind(kind)
        .and_then(|k| k.properties.get(property))
        .is_some_and(|s| {
            s.ty == archpat::catalog::ValueType::String
                && s.choices.is_empty()
                && s.format.is_none()
        })
}

/// Every free-text field of a pattern, in document order, set by `text(n)` for the n-th field.
fn fill(pattern: &Value, text: &mut dyn FnMut(usize) -> String) -> Value {
    let mut p = pattern.clone();
    let mut n = 0;
    let mut next = |n: &mut usize| {
        *n += 1;
        text(*n - 1)
    };
    p["title"] = json!(next(&mut n));
    p["summary"] = json!(next(&mut n));
    // A string parameter: its default goes into the code, its help into the README.
    let params = p
        .as_object_mut()
        .unwrap()
        .entry("parameters")
        .or_insert_with(|| json!({}));
    params["note"] = json!({ "type": "string", "default": next(&mut n), "help": next(&mut n) });
    for g in p
        .get_mut("groups")
        .and_then(Value::as_array_mut)
        .into_iter()
        .flatten()
    {
        g["label"] = json!(next(&mut n));
    }
    for c in p["components"].as_array_mut().unwrap() {
        c["label"] = json!(next(&mut n));
        let kind = c["kind"].as_str().unwrap().to_string();
        // Every free-text property of the kind, set or not: a property the pattern leaves at its
        // default is one line away from holding a stranger's text.
        let free: Vec<String> = Catalog::builtin()
            .kind(&kind)
            .into_iter()
            .flat_map(|k| k.properties.keys())
            .filter(|name| free_text(&kind, name))
            .cloned()
            .collect();
        if !free.is_empty() {
            let props = c
                .as_object_mut()
                .unwrap()
                .entry("properties")
                .or_insert_with(|| json!({}));
            for name in free {
                // `$${` is how a property writes a literal `${`.
                props[name.as_str()] = json!(next(&mut n).replace("${", "$${"));
            }
        }
    }
    for e in p
        .get_mut("connections")
        .and_then(Value::as_array_mut)
        .into_iter()
        .flatten()
    {
        // A CloudFront origin's label is its path pattern (`/api/*`): routing, not text.
        if e["kind"] != "origin" {
            e["label"] = json!(next(&mut n));
        }
    }
    // `get_mut`, not indexing: `p["walkthrough"]` would add a `walkthrough: null` the loader refuses.
    for s in p
        .get_mut("walkthrough")
        .and_then(Value::as_array_mut)
        .into_iter()
        .flatten()
    {
        for field in ["title", "why", "pitfall", "question", "answer"] {
            s[field] = json!(next(&mut n));
        }
    }
    p
}

/// A field's plain stand-in: letters and digits only, unique per field.
fn plain(n: usize) -> String {
    format!("plain{n}")
}

/// Loads pattern data through the real loader (JSON is YAML).
fn load(v: &Value) -> Result<Pattern, String> {
    let text = serde_json::to_string_pretty(v).unwrap();
    let def = loader::load_str("hostile.yaml", &text).map_err(|e| e.to_string())?;
    def.resolve(&[]).map_err(|e| e.to_string())
}

/// Everything archpat writes for a pattern: per target its files, and the three diagrams.
struct Outputs {
    projects: BTreeMap<&'static str, BTreeMap<String, String>>,
    dot: String,
    mermaid: String,
    svg: String,
    drawio: String,
}

fn outputs(p: &Pattern) -> Result<Outputs, String> {
    let mut projects = BTreeMap::new();
    for target in TARGETS {
        let options = Options {
            target,
            name: &p.id,
            region: None,
        };
        let project = engine::generate(p, &options).map_err(|e| format!("{target}: {e}"))?;
        projects.insert(target, project.files);
    }
    let text = |f| match render::draw(p, f, Engine::Builtin) {
        Ok(render::Output::Text(t)) => Ok(t),
        Ok(_) => Err("not text".to_string()),
        Err(e) => Err(format!("{f:?}: {e}")),
    };
    Ok(Outputs {
        projects,
        dot: text(Format::Dot)?,
        mermaid: text(Format::Mermaid)?,
        svg: text(Format::Svg)?,
        drawio: text(Format::Drawio)?,
    })
}

/// The plain version of each built-in, generated once.
fn baseline(index: usize) -> &'static Outputs {
    static B: OnceLock<Vec<OnceLock<Outputs>>> = OnceLock::new();
    B.get_or_init(|| structures().iter().map(|_| OnceLock::new()).collect())[index].get_or_init(
        || {
            let (id, v) = &structures()[index];
            let p = load(&fill(v, &mut plain)).unwrap_or_else(|e| panic!("{id}: {e}"));
            outputs(&p).unwrap_or_else(|e| panic!("{id}: {e}"))
        },
    )
}

// ---- Shapes: what a file is, without its string content ----

/// JSON data with every string emptied.
fn data_shape(v: &Value) -> Value {
    match v {
        Value::String(_) => json!(""),
        Value::Array(a) => Value::Array(a.iter().map(data_shape).collect()),
        Value::Object(o) => {
            Value::Object(o.iter().map(|(k, v)| (k.clone(), data_shape(v))).collect())
        }
        other => other.clone(),
    }
}

/// A YAML node with its tag (`!Sub`, `!Ref`…), which serde's own values drop.
struct Node(Kind, Option<String>);

enum Kind {
    Str(String),
    Other(String),
    Seq(Vec<Node>),
    Map(Vec<(String, Node)>),
}

impl<'de> serde::Deserialize<'de> for Node {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let serde_saphyr::Tagged(kind, tag) = serde_saphyr::Tagged::<Kind>::deserialize(d)?;
        Ok(Node(kind, tag))
    }
}

impl<'de> serde::Deserialize<'de> for Kind {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Kind;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("any YAML node")
            }
            fn visit_str<E>(self, v: &str) -> Result<Kind, E> {
                Ok(Kind::Str(v.to_string()))
            }
            fn visit_bool<E>(self, v: bool) -> Result<Kind, E> {
                Ok(Kind::Other(v.to_string()))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Kind, E> {
                Ok(Kind::Other(v.to_string()))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Kind, E> {
                Ok(Kind::Other(v.to_string()))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Kind, E> {
                Ok(Kind::Other(v.to_string()))
            }
            fn visit_unit<E>(self) -> Result<Kind, E> {
                Ok(Kind::Other("null".into()))
            }
            fn visit_none<E>(self) -> Result<Kind, E> {
                Ok(Kind::Other("null".into()))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut a: A) -> Result<Kind, A::Error> {
                let mut v = Vec::new();
                while let Some(n) = a.next_element::<Node>()? {
                    v.push(n);
                }
                Ok(Kind::Seq(v))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut a: A) -> Result<Kind, A::Error> {
                let mut v = Vec::new();
                while let Some((k, n)) = a.next_entry::<String, Node>()? {
                    v.push((k, n));
                }
                Ok(Kind::Map(v))
            }
        }
        d.deserialize_any(V)
    }
}

/// A YAML document with every string emptied, except what a `!Sub` (or `Fn::Sub`) string
/// substitutes: its `${…}` references (CloudFormation reads `${!x}` as a literal). Tags kept.
fn yaml_shape(n: &Node, sub: bool) -> Value {
    let sub = sub || n.1.as_deref() == Some("!Sub");
    let kind = match &n.0 {
        Kind::Str(s) if sub => json!(sub_refs(s)),
        Kind::Str(_) => json!(""),
        Kind::Other(o) => json!(o),
        // In the list form of `!Sub` only the first element is the template.
        Kind::Seq(items) => Value::Array(
            items
                .iter()
                .enumerate()
                .map(|(i, x)| yaml_shape(x, sub && i == 0))
                .collect(),
        ),
        Kind::Map(entries) => Value::Array(
            entries
                .iter()
                .map(|(k, v)| json!([k, yaml_shape(v, k == "Fn::Sub")]))
                .collect(),
        ),
    };
    json!([n.1, kind])
}

fn sub_refs(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = s;
    while let Some(i) = rest.find("${") {
        rest = &rest[i + 2..];
        if rest.starts_with('!') {
            continue;
        }
        let end = rest.find('}').unwrap_or(rest.len());
        out.push(rest[..end].to_string());
    }
    out
}

fn hcl_shape(body: &hcl::Body) -> Value {
    Value::Array(
        body.iter()
            .map(|s| match s {
                hcl::Structure::Attribute(a) => {
                    json!({ "attr": a.key.as_str(), "value": expr_shape(&a.expr) })
                }
                hcl::Structure::Block(b) => json!({
                    "block": b.identifier.as_str(),
                    "labels": b.labels.iter().map(|l| l.as_str().to_string()).collect::<Vec<_>>(),
                    "body": hcl_shape(&b.body),
                }),
            })
            .collect(),
    )
}

/// An expression with string literals emptied; a template keeps its interpolations and
/// directives, the code a string can hold.
fn expr_shape(e: &hcl::Expression) -> Value {
    use hcl::Expression as E;
    match e {
        E::String(_) => json!("s"),
        E::TemplateExpr(t) => {
            let template = hcl::Template::from_expr(t).map(|t| {
                t.elements()
                    .iter()
                    .filter(|e| !matches!(e, hcl::template::Element::Literal(_)))
                    .map(|e| hcl::Template::new().add_element(e.clone()).to_string())
                    .collect::<Vec<_>>()
            });
            json!({ "template": template.unwrap_or_default() })
        }
        E::Array(a) => Value::Array(a.iter().map(expr_shape).collect()),
        E::Object(o) => Value::Array(
            o.iter()
                .map(|(k, v)| {
                    let key = match k {
                        hcl::ObjectKey::Identifier(i) => json!(i.as_str()),
                        hcl::ObjectKey::Expression(x) => expr_shape(x),
                        other => json!(other.to_string()),
                    };
                    json!([key, expr_shape(v)])
                })
                .collect(),
        ),
        // Calls, operations, conditionals…: their code, with string contents emptied.
        other => json!(lexical_shape(
            &hcl::format::to_string(other).unwrap_or_default(),
            &['"'],
            &[],
            false,
            true
        )),
    }
}

/// Source text without the content of string literals and comments: what must not change when
/// only text changes. `quotes` are the string delimiters; a backtick string keeps its `${…}`
/// parts, which are code; `comments` are the line-comment starters.
fn lexical_shape(
    text: &str,
    quotes: &[char],
    comments: &[&str],
    block_comments: bool,
    backslash_escapes: bool,
) -> String {
    // HCL strings hold code too: `${…}` and `%{…}` (`$${` and `%%{` are literal).
    let hcl = quotes == ['"'] && comments.is_empty();
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    let starts = |i: usize, s: &str| {
        s.chars()
            .enumerate()
            .all(|(k, c)| chars.get(i + k) == Some(&c))
    };
    while i < chars.len() {
        let c = chars[i];
        if block_comments && starts(i, "/*") {
            i += 2;
            while i < chars.len() && !starts(i, "*/") {
                i += 1;
            }
            i += 2;
            out.push_str("/**/");
            continue;
        }
        if let Some(start) = comments.iter().find(|s| starts(i, s)) {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
            out.push_str(start);
            continue;
        }
        if quotes.contains(&c) {
            out.push(c);
            i += 1;
            while i < chars.len() && chars[i] != c {
                if backslash_escapes && chars[i] == '\\' {
                    i += 1;
                } else if c == '"' && hcl && (starts(i, "$${") || starts(i, "%%{")) {
                    i += 2;
                } else if (c == '`' && starts(i, "${"))
                    || (c == '"' && hcl && (starts(i, "${") || starts(i, "%{")))
                {
                    // Code inside a template literal: copy it up to the matching brace.
                    let mut depth = 0;
                    while i < chars.len() {
                        out.push(chars[i]);
                        if chars[i] == '{' {
                            depth += 1;
                        } else if chars[i] == '}' {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        i += 1;
                    }
                }
                i += 1;
            }
            out.push(c);
            i += 1;
            continue;
        }
        out.push(c);
        i += 1;
    }
    out
}

/// HTML's tags with their attributes (attribute values emptied), without the text between them:
/// a label must not add a tag or an attribute.
fn html_shape(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '<' {
            continue;
        }
        out.push('<');
        let mut quote = None;
        for c in chars.by_ref() {
            match (quote, c) {
                (None, '"' | '\'') => {
                    quote = Some(c);
                    out.push(c);
                }
                (Some(q), c) if c == q => {
                    quote = None;
                    out.push(c);
                }
                (Some(_), _) => {}
                (None, '>') => break,
                (None, c) => out.push(c),
            }
        }
        out.push_str(">\n");
    }
    out
}

/// A shell script without string contents and comments. The body of an unquoted heredoc
/// (`<<HTML`) is text in which only an unescaped `$` or backtick is code: it keeps just those. A
/// quoted one (`<<'STATUS'`) is another script, written as it is, so it is read as code.
fn sh_shape(text: &str) -> String {
    let opener = regex::Regex::new(r"<<-?([A-Za-z_][A-Za-z0-9_]*)").unwrap();
    let mut out = String::new();
    let mut heredoc: Option<String> = None;
    for line in text.lines() {
        if let Some(end) = &heredoc {
            if line.trim() == end {
                heredoc = None;
                out.push_str(line);
            } else {
                let unescaped = line
                    .replace("\\\\", "")
                    .replace("\\$", "")
                    .replace("\\`", "");
                out.extend(unescaped.chars().filter(|c| matches!(c, '$' | '`')));
            }
            out.push('\n');
            continue;
        }
        let code = lexical_shape(line, &['"', '\''], &["#"], false, true);
        // A heredoc opens in code only: `<<script` inside a comment's label opens nothing.
        if let Some(m) = opener.captures(&code) {
            heredoc = Some(m[1].to_string());
        }
        out.push_str(&code);
        out.push('\n');
    }
    out
}

/// Terraform reads `$$${x}` as a literal `$` and the escape `$${` (a literal `${x}`, checked with
/// `terraform apply`), while hcl-rs reads an interpolation after `$$`. A run of three or more `$`
/// (or `%`) before `{` becomes `_` and the escape, so that hcl-rs reads it as Terraform does.
fn as_terraform_reads_escapes(text: &str) -> String {
    let runs = regex::Regex::new(r"(\${3,}|%{3,})\{").unwrap();
    runs.replace_all(text, |c: &regex::Captures| {
        let sign = &c[1][..1];
        format!("_{sign}{sign}{{")
    })
    .into_owned()
}

fn ts_shape(text: &str) -> String {
    lexical_shape(text, &['"', '\'', '`'], &["//"], true, true)
}

/// A file's shape by its kind, or `None` for prose (Markdown, text) that is not compared.
fn file_shape(path: &str, text: &str) -> Result<Option<String>, String> {
    let name = path.rsplit('/').next().unwrap_or(path);
    let ext = name.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    Ok(Some(match ext {
        "yaml" | "yml" => {
            // Kubernetes manifests hold several documents.
            let docs: Vec<Node> = serde_saphyr::from_str_multiple::<Node, Vec<Node>>(text)
                .map_err(|e| format!("{path} is not YAML: {e}"))?;
            Value::Array(docs.iter().map(|n| yaml_shape(n, false)).collect()).to_string()
        }
        "json" => {
            let v: Value =
                serde_json::from_str(text).map_err(|e| format!("{path} is not JSON: {e}"))?;
            data_shape(&v).to_string()
        }
        "tf" | "hcl" | "tfvars" => {
            let body: hcl::Body = hcl::parse(&as_terraform_reads_escapes(text))
                .map_err(|e| format!("{path} is not HCL: {e}"))?;
            hcl_shape(&body).to_string()
        }
        "ts" | "js" | "mjs" | "cjs" => ts_shape(text),
        "html" | "htm" => html_shape(text),
        "sh" => sh_shape(text),
        _ if name == "Makefile" => lexical_shape(text, &[], &["#"], false, false),
        "py" => lexical_shape(text, &['"', '\''], &["#"], false, true),
        "md" | "txt" | "example" | "" if name != "Makefile" => return Ok(None),
        // Makefiles, shell scripts and the rest: labels have no business there at all.
        _ => text.to_string(),
    }))
}

fn compare(what: &str, plain: &Outputs, hostile: &Outputs) -> Result<(), TestCaseError> {
    for target in TARGETS {
        let (a, b) = (&plain.projects[target], &hostile.projects[target]);
        let names = |m: &BTreeMap<String, String>| m.keys().cloned().collect::<Vec<_>>();
        prop_assert_eq!(names(a), names(b), "{} {}: the files differ", what, target);
        for (path, text) in b {
            prop_assert!(
                !path.starts_with('/')
                    && !path.contains('\\')
                    && path
                        .split('/')
                        .all(|p| !p.is_empty() && p != ".." && p != "."),
                "{} {}: path `{}` could leave the project folder",
                what,
                target,
                path
            );
            let hostile_shape = file_shape(path, text).map_err(TestCaseError::fail)?;
            let plain_shape = file_shape(path, &a[path]).map_err(TestCaseError::fail)?;
            if plain_shape != hostile_shape {
                let (p, h) = (
                    plain_shape.unwrap_or_default(),
                    hostile_shape.unwrap_or_default(),
                );
                let at = p.chars().zip(h.chars()).take_while(|(x, y)| x == y).count();
                let around = |s: &str| {
                    s.chars()
                        .skip(at.saturating_sub(150))
                        .take(400)
                        .collect::<String>()
                };
                return Err(TestCaseError::fail(format!(
                    "{what} {target}: `{path}` has other code than with plain labels, from character {at}:\nplain:   {}\nhostile: {}\n--- the hostile file ---\n{}",
                    around(&p),
                    around(&h),
                    text.chars()
                        .skip(at.saturating_sub(300))
                        .take(1500)
                        .collect::<String>()
                )));
            }
        }
    }
    let dot = |t: &str| {
        lexical_shape(
            &without_html_label_text(t),
            &['"'],
            &["//", "#"],
            true,
            true,
        )
    };
    prop_assert_eq!(
        dot(&plain.dot),
        dot(&hostile.dot),
        "{}: DOT statements differ",
        what
    );
    let mermaid = |t: &str| {
        // The front matter's title is a YAML string; the rest keeps labels in double quotes.
        let body = t.split_once("\n---\n").map_or(t, |(_, b)| b);
        lexical_shape(body, &['"'], &["%%"], false, false)
    };
    prop_assert_eq!(
        mermaid(&plain.mermaid),
        mermaid(&hostile.mermaid),
        "{}: Mermaid statements differ",
        what
    );
    svg_is_inert(what, &plain.svg, &hostile.svg)?;
    prop_assert_eq!(
        drawio_shape(what, &plain.drawio)?,
        drawio_shape(what, &hostile.drawio)?,
        "{}: the draw.io cells differ",
        what
    );
    Ok(())
}

/// DOT with the text of its HTML-like labels (`label=<…>`) left out and their markup kept: a
/// label's text is what a user wrote, its tags are archpat's. Text holds no `<` or `>` (they are
/// written as entities), so the angle brackets alone say where markup is.
fn without_html_label_text(dot: &str) -> String {
    let mut out = String::with_capacity(dot.len());
    let mut rest = dot;
    while let Some(at) = rest.find("label=<") {
        let (before, label) = rest.split_at(at + "label=<".len());
        out.push_str(before);
        let mut depth = 1;
        let mut end = label.len();
        for (i, c) in label.char_indices() {
            match c {
                '<' => depth += 1,
                '>' => depth -= 1,
                _ if depth == 1 => continue,
                _ => {}
            }
            out.push(c);
            if depth == 0 {
                end = i + 1;
                break;
            }
        }
        rest = &label[end..];
    }
    out.push_str(rest);
    out
}

/// A draw.io file without its text and geometry: every element with its attribute names and the
/// values that say what a cell is (id, parent, ends, style). It must parse as XML, and no style
/// may turn on HTML labels, under which draw.io would render a label's markup.
fn drawio_shape(what: &str, text: &str) -> Result<Vec<String>, TestCaseError> {
    let doc = roxmltree::Document::parse(text)
        .map_err(|e| TestCaseError::fail(format!("{what}: the draw.io file is not XML: {e}")))?;
    let mut out = Vec::new();
    for n in doc.descendants().filter(|n| n.is_element()) {
        let mut line = n.tag_name().name().to_string();
        for a in n.attributes() {
            line.push(' ');
            line.push_str(a.name());
            if [
                "id", "parent", "source", "target", "vertex", "edge", "style", "as",
            ]
            .contains(&a.name())
            {
                prop_assert!(
                    !(a.name() == "style" && a.value().contains("html=1")),
                    "{}: a draw.io style renders labels as HTML",
                    what
                );
                line.push('=');
                line.push_str(a.value());
            }
        }
        out.push(line);
    }
    Ok(out)
}

fn svg_is_inert(what: &str, plain: &str, svg: &str) -> Result<(), TestCaseError> {
    let doc = roxmltree::Document::parse(svg)
        .map_err(|e| TestCaseError::fail(format!("{what}: the SVG is not XML: {e}")))?;
    let plain = roxmltree::Document::parse(plain).unwrap();
    for n in doc.descendants().filter(|n| n.is_element()) {
        let name = n.tag_name().name().to_ascii_lowercase();
        prop_assert!(
            !["script", "iframe", "object", "embed", "foreignobject"].contains(&name.as_str()),
            "{}: the SVG has a <{}> element",
            what,
            name
        );
        for a in n.attributes() {
            prop_assert!(
                !a.name().to_ascii_lowercase().starts_with("on"),
                "{}: the SVG has an event attribute `{}`",
                what,
                a.name()
            );
            prop_assert!(
                !a.value()
                    .trim_start()
                    .to_ascii_lowercase()
                    .starts_with("javascript:"),
                "{}: the SVG links to script",
                what
            );
        }
    }
    let nodes = |d: &roxmltree::Document| {
        d.descendants()
            .filter(|n| {
                n.attribute("class")
                    .is_some_and(|c| c.split_whitespace().any(|w| w == "node" || w == "cluster"))
            })
            .count()
    };
    prop_assert_eq!(
        nodes(&plain),
        nodes(&doc),
        "{}: the SVG has other boxes",
        what
    );
    Ok(())
}

proptest! {
    #![proptest_config(config())]

    /// Hostile text in every free-text field of every built-in and coverage structure generates
    /// exactly the code that plain text does, in every target and diagram format.
    #[test]
    fn hostile_text_changes_no_code(
        which in 0..structures().len(),
        texts in proptest::collection::vec(hostile(), 120),
    ) {
        let (id, data) = &structures()[which];
        // Each field ends in its number, so that no two labels are equal (equal labels may
        // rightly share a parameter group, which is not what this compares).
        let value = fill(data, &mut |n| format!("{}{n}", texts[n % texts.len()]));
        let pattern = load(&value).map_err(|e| TestCaseError::fail(format!("{id}: the loader refused valid text:\n{e}")))?;
        let out = outputs(&pattern).map_err(|e| TestCaseError::fail(format!("{id}: {e}")))?;
        compare(id, baseline(which), &out)?;
    }

    /// Any text, unquoted and unfiltered, in the fields of a small pattern: the loader never
    /// panics, and what it refuses it locates.
    #[test]
    fn the_loader_never_panics_and_locates_what_it_refuses(
        texts in proptest::collection::vec(any::<String>(), 4),
        quoted in any::<bool>(),
    ) {
        let field = |t: &str| if quoted { serde_json::to_string(t).unwrap() } else { t.to_string() };
        let text = format!(
            "id: demo\ntitle: {}\nsummary: {}\ncomponents:\n  - id: fn\n    kind: lambda\n    label: {}\n  - {{ id: t, kind: dynamodb-table, label: {}, properties: {{ partition_key: {} }} }}\nconnections:\n  - {{ from: fn, to: t, kind: read }}\n",
            field(&texts[0]), field(&texts[1]), field(&texts[2]), field(&texts[3]), field(&texts[0]),
        );
        located(&text)?;
    }
}

/// Loads text and, when refused, checks the error names the file and, for a parse or check
/// error, a line inside it. Used by the fuzz harness too.
pub fn located(text: &str) -> Result<(), TestCaseError> {
    let result = std::panic::catch_unwind(|| {
        loader::load_bytes("f.yaml", text.as_bytes()).map(|d| d.resolve(&[]).map(|_| ()))
    });
    let lines = text.lines().count() as u64 + 1;
    match result {
        Err(_) => Err(TestCaseError::fail(format!(
            "the loader panicked on:\n{text}"
        ))),
        Ok(Ok(_)) => Ok(()),
        Ok(Err(LoadError::Invalid { diagnostics, .. })) => {
            prop_assert!(!diagnostics.is_empty());
            for d in &diagnostics {
                prop_assert!(
                    d.line >= 1 && d.line <= lines,
                    "diagnostic at line {} of {}: {}",
                    d.line,
                    lines,
                    d
                );
            }
            Ok(())
        }
        Ok(Err(e)) => {
            prop_assert!(e.to_string().contains("`f.yaml`"), "unlocated: {}", e);
            Ok(())
        }
    }
}

/// Failures the properties found, kept: each runs every built-in with the text in every field.
#[test]
fn found_failures_stay_fixed() {
    // A label that starts with a backtick opened a Mermaid Markdown string; merman refused the
    // SVG ("Unterminated flowchart pipe edge label").
    // `$$` opened a KaTeX formula, which merman cannot render.
    // A label with `$${x}` is written `$$${x}`, which Terraform reads back as the label and
    // hcl-rs (the test's parser) read as an interpolation.
    let found = ["`", "`x` y", "$$x$$", "$${AWS::AccountId}", "%%{ x }"];
    // Found in a coverage structure: the label of a component that invokes a function went raw
    // into the function's checkov-skip comment, so a newline in it started a line of code.
    // The label of an HTTP API in front of a load balancer went raw into a YAML checkov comment,
    // a CloudFormation parameter description and a Terraform variable description: `: ` ended
    // the YAML scalar and `"` the strings.
    let in_structures = [
        (
            "coverage-ecs-service",
            "x\nresource \"aws_iam_user\" \"y\" {}\n#",
        ),
        ("coverage-apigateway-http", "api: \"x\" ${y} # z"),
    ];
    for (id, text) in in_structures {
        let i = structures().iter().position(|(s, _)| s == id).unwrap();
        let value = fill(&structures()[i].1, &mut |n| format!("{text}{n}"));
        let pattern = load(&value).unwrap_or_else(|e| panic!("{id}: {e}"));
        let out = outputs(&pattern).unwrap_or_else(|e| panic!("{id} with {text:?}: {e}"));
        compare(id, baseline(i), &out).unwrap_or_else(|e| panic!("{id} with {text:?}: {e}"));
    }
    for text in found {
        for (i, (id, data)) in builtins().iter().enumerate() {
            let value = fill(data, &mut |n| format!("{text}{n}"));
            let pattern = load(&value).unwrap_or_else(|e| panic!("{id}: {e}"));
            let out = outputs(&pattern).unwrap_or_else(|e| panic!("{id} with {text:?}: {e}"));
            compare(id, baseline(i), &out).unwrap_or_else(|e| panic!("{id} with {text:?}: {e}"));
        }
    }
}

/// Texts that the CDK validator run puts into every free-text field of every built-in, in turn, so
/// that `tsc` reads what the property tests above compare only by shape. Those projects are
/// type-checked, not synthesized: the CDK's template validation refuses a literal
/// `${AWS::AccountId}` in a description or an attribute name (cfn-lint E1029, "embedded parameter
/// outside of an Fn::Sub"), which is harmless text in CloudFormation but fails `cdk synth`.
pub const VALIDATED: &[&str] = &[
    "Orders – \"worker\" ${x} %{x} {{ x }} $(id) `x` \\ ' */ 東京 🚀",
    "<script>alert(1)</script> ../../etc/passwd # : - ${AWS::AccountId} $${x}",
    "long 長い text long 長い text long 長い text long 長い text long 長い text long 長い text long 長い text long 長い text long 長い text long 長い text long 長い text long 長い text long 長い text",
];

/// Writes every built-in with hostile text in every free-text field into `dir`, as
/// `hostile-<id>.yaml`; returns `(case name, file)` pairs for the validator tests.
pub fn hostile_builtin_files(dir: &std::path::Path) -> Vec<(String, std::path::PathBuf)> {
    std::fs::create_dir_all(dir).unwrap();
    builtins()
        .iter()
        .map(|(id, data)| {
            let value = fill(data, &mut |n| VALIDATED[n % VALIDATED.len()].to_string());
            let name = format!("hostile-{id}");
            let path = dir.join(format!("{name}.yaml"));
            std::fs::write(&path, serde_json::to_string_pretty(&value).unwrap()).unwrap();
            (name, path)
        })
        .collect()
}

#[test]
fn the_validated_hostile_files_load() {
    let dir = tempfile::tempdir().unwrap();
    for (name, path) in hostile_builtin_files(dir.path()) {
        let text = std::fs::read_to_string(&path).unwrap();
        let def = loader::load_str(&name, &text).unwrap_or_else(|e| panic!("{name}: {e}"));
        def.resolve(&[]).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
}
