//! The target-independent engine: a resolved pattern plus a target's templates (minijinja, that
//! is Jinja2 syntax; the filters are in `filters.rs` and `naming.rs`) in, a file tree out.
//!
//! A target folder (`templates/<target>/`) holds:
//! - `skeleton/**.tera`: the project's files, rendered once with everything collected; a template
//!   named `_<anything>.tera` writes the files its `#@ file:<path>` markers start;
//! - `components/<kind>.<ext>.tera`: one per component kind (`<ext>` is the target's language:
//!   `yaml`, `tf`…; the same below);
//! - `connections/<from kind>.<connection>.<to kind>.<ext>.tera`: the wiring of one connection kind
//!   between two component kinds;
//! - `groups/<kind>.<ext>.tera`: what a group kind generates (the VPC); group kinds without a
//!   template only draw;
//! - `app/<kind>.tera`: application code for a component kind (written as files, and handed to the
//!   component's template so it can inline it);
//! - `meta/next-steps.txt.tera`: what to tell the user after writing.
//!
//! `templates/_shared/` holds what every target writes the same way (the Lambda handlers, the
//! Glue script): a target sees its files as its own unless it has a file of the same path.
//!
//! Component, group and connection templates render *fragments*: text split by marker lines.
//! `#@ Resources` (capitalised: a section of the assembled document; `#@ Resources:key` keeps only
//! the first fragment with that key, for shared resources), `#@ policy:<component id>` (lowercase:
//! a *slot* of that component, e.g. IAM statements a connection contributes to the source's role)
//! and `#@ file:<path>` (a file of the project). Connections render first, so that each component
//! renders with the slots the connections filled. Nothing here knows an AWS service: adding one
//! means adding template files.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use include_dir::{Dir, include_dir};
use indexmap::IndexMap;
use minijinja::{AutoEscape, Environment, UndefinedBehavior};
use serde_json::{Map, Value, json};

use super::ScaffoldError;
use super::{filters, naming};
use crate::catalog::{Catalog, ComponentKind, Granted};
use crate::model::{Component, Edge, Pattern};

static TEMPLATES_DIR: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/templates");

/// A user's folder laid over the embedded templates (`--templates-dir`), fixed on first use.
static OVERLAY: OnceLock<PathBuf> = OnceLock::new();

/// The folder of templates every target shares, laid under each target's own files. Its leading
/// underscore keeps it out of the list of targets.
const SHARED: &str = "_shared";

/// Every target by name, each loaded on its first use: `new` reads only the target it writes.
static TARGETS: OnceLock<BTreeMap<String, OnceLock<Result<Target, String>>>> = OnceLock::new();

/// The template whose output grants a connection's composed access (IAM statements,
/// configuration, a network rule) in a target: the one template every principal shares.
const ACCESS_TEMPLATE: &str = "connections/_access";

/// Where a target says how its language refers to each kind's attributes.
const REFS_FILE: &str = "meta/refs.yaml";

/// Where a target says what it cannot generate yet (more than one VPC…), so that `check` and
/// `new` refuse before anything is written.
const LIMITS_FILE: &str = "meta/limits.yaml";

/// A target's limits: group kind → how many groups of that kind one pattern may have, and why.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Limits {
    #[serde(default)]
    groups: BTreeMap<String, GroupLimit>,
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct GroupLimit {
    max: usize,
    why: String,
}

struct Target {
    /// Every file of the target folder, embedded (borrowed from the binary) or from the
    /// overlay, by relative path.
    files: BTreeMap<String, Cow<'static, str>>,
    /// Where each file is for messages: `templates/<target>/<path>`, or its path in the overlay
    /// folder, which is the file the user has to fix.
    shown: BTreeMap<String, String>,
    /// Kind → attribute → expression, with `{lid}`, `{tf}`, `{ts}`, `{id}` and `{env}` standing
    /// for the component's names.
    refs: BTreeMap<String, BTreeMap<String, String>>,
    limits: Limits,
    /// The other `meta/<name>.yaml` files, parsed, for the skeleton as `meta.<name>`: tables a
    /// target's project files need (Terraform's mock values for its offline plan gate).
    data: Map<String, Value>,
}

/// Lays the files of `dir` (laid out as `templates/`: `<target>/components/…`) over the embedded
/// templates, file by file, the way a theme folder overrides a site generator's templates. Must
/// run before the first generation.
pub fn install_overlay(dir: &Path) -> Result<(), ScaffoldError> {
    if let Err(source) = std::fs::read_dir(dir) {
        return Err(ScaffoldError::TemplatesDir {
            dir: dir.display().to_string(),
            source,
        });
    }
    OVERLAY
        .set(dir.to_path_buf())
        .map_err(|_| ScaffoldError::Template {
            template: dir.display().to_string(),
            message: "templates are already in use".into(),
        })
}

/// The target called `name`, loaded on first use; `None` when there is none.
fn loaded(name: &str) -> Option<&'static Result<Target, String>> {
    targets()
        .get(name)
        .map(|cell| cell.get_or_init(|| load_target(name)))
}

fn targets() -> &'static BTreeMap<String, OnceLock<Result<Target, String>>> {
    TARGETS.get_or_init(|| {
        let mut names: BTreeSet<String> = TEMPLATES_DIR
            .dirs()
            .filter_map(|d| Some(d.path().file_name()?.to_str()?.to_string()))
            .filter(|name| !name.starts_with('_'))
            .collect();
        if let Some(dir) = OVERLAY.get()
            && let Ok(entries) = std::fs::read_dir(dir)
        {
            names.extend(
                entries
                    .flatten()
                    .filter(|e| e.path().is_dir())
                    .filter_map(|e| e.file_name().to_str().map(str::to_string))
                    .filter(|name| !name.starts_with('_')),
            );
        }
        names
            .into_iter()
            .map(|name| (name, OnceLock::new()))
            .collect()
    })
}

/// A target's file (path inside `templates/<target>/`), embedded or overlaid: the data files
/// under `meta/` that other modules read.
pub fn template_file(target: &str, path: &str) -> Option<&'static str> {
    match loaded(target)? {
        Ok(t) => t.files.get(path).map(|text| text.as_ref()),
        Err(_) => None,
    }
}

/// A section's fragments one by one, each with where it came from, for templates that lay them
/// out themselves.
fn fragment_views(
    sections: &BTreeMap<String, Vec<(String, String)>>,
) -> BTreeMap<&String, Vec<Value>> {
    sections
        .iter()
        .map(|(name, parts)| {
            let list = parts
                .iter()
                .map(|(origin, text)| json!({"origin": origin, "text": text}))
                .collect();
            (name, list)
        })
        .collect()
}

/// How a gap names the component it is about: ``component `db` (`aurora-cluster`)``.
fn component_subject(c: &Component) -> String {
    format!("component `{}` (`{}`)", c.id, c.kind)
}

/// How a gap names the connection it is about, with its kind triple.
fn connection_subject(e: &Edge) -> String {
    format!(
        "connection `{}` -> `{}` (`{} {} {}`)",
        e.from.id, e.to.id, e.from.kind, e.connection.kind, e.to.kind
    )
}

fn collect_files<'a>(dir: &'a Dir<'a>, out: &mut Vec<&'a include_dir::File<'a>>) {
    out.extend(dir.files());
    for d in dir.dirs() {
        collect_files(d, out);
    }
}

/// The embedded `meta/*.yaml` data files as JSON, converted by build.rs, by `<target>/<path>`;
/// an empty text marks a file that did not parse there, which is then read as YAML for the error.
static META_JSON: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/meta_json.rs"));

/// The JSON of an embedded data file: `None` when build.rs did not see the file at all,
/// `Some("")` when it did not parse there.
fn meta_json(target: &str, path: &str) -> Option<&'static str> {
    let key = format!("{target}/{path}");
    META_JSON
        .iter()
        .find(|(k, _)| *k == key)
        .map(|(_, json)| *json)
}

/// A data file of a target: the embedded one from its JSON, an overlay's (`overlaid`) as YAML.
/// An embedded file is never parsed as YAML at run time (that cost more than generating a
/// project) but to report the error of a file that did not convert.
fn parse_meta<T: serde::de::DeserializeOwned>(
    target: &str,
    path: &str,
    shown: &str,
    text: &str,
    overlaid: bool,
) -> Result<T, String> {
    if overlaid {
        return serde_saphyr::from_str(text).map_err(|e| yaml_error(shown, &e));
    }
    match meta_json(target, path) {
        Some("") => serde_saphyr::from_str(text).map_err(|e| yaml_error(shown, &e)),
        Some(json) => serde_json::from_str(json)
            .map_err(|e| format!("cannot read `{shown}`: the embedded data does not fit: {e}")),
        None => Err(format!(
            "`templates/{target}/{path}` has no embedded JSON form (build.rs converts every meta/*.yaml)"
        )),
    }
}

/// The embedded files of one folder of `templates/`, by path inside it, each with the path
/// messages show.
fn embedded(folder: &str) -> BTreeMap<String, (Cow<'static, str>, String)> {
    let mut out = BTreeMap::new();
    if let Some(dir) = TEMPLATES_DIR.get_dir(folder) {
        let mut list = Vec::new();
        collect_files(dir, &mut list);
        for f in list {
            if let (Ok(rel), Some(text)) = (f.path().strip_prefix(dir.path()), f.contents_utf8())
                && let Some(rel) = rel.to_str()
            {
                let rel = rel.replace('\\', "/");
                let shown = format!("templates/{folder}/{rel}");
                out.insert(rel, (Cow::Borrowed(text), shown));
            }
        }
    }
    out
}

/// The files of one folder of the user's overlay (`--templates-dir`), in the form of
/// [`embedded`], each shown by its own path; empty when there is no overlay or no such folder.
fn overlaid(folder: &str) -> Result<BTreeMap<String, (Cow<'static, str>, String)>, String> {
    let Some(dir) = OVERLAY.get().map(|root| root.join(folder)) else {
        return Ok(BTreeMap::new());
    };
    if !dir.is_dir() {
        return Ok(BTreeMap::new());
    }
    let own = crate::overlay::read_tree(&dir, &[])
        .map_err(|(path, e)| format!("cannot read `{}`: {e}", path.display()))?;
    Ok(own
        .into_iter()
        .map(|(rel, text)| {
            let shown = dir.join(&rel).display().to_string();
            (rel, (Cow::Owned(text), shown))
        })
        .collect())
}

fn load_target(name: &str) -> Result<Target, String> {
    // The shared files first, each replaced by the user's copy (`--templates-dir`) when there is
    // one; then the target's own files over them, which win even over an overlaid shared file.
    let mut layers = embedded(SHARED);
    layers.extend(overlaid(SHARED)?);
    layers.extend(embedded(name));
    let mut files: BTreeMap<String, Cow<'static, str>> = BTreeMap::new();
    let mut shown: BTreeMap<String, String> = BTreeMap::new();
    for (rel, (text, at)) in layers {
        shown.insert(rel.clone(), at);
        files.insert(rel, text);
    }
    type Refs = BTreeMap<String, BTreeMap<String, String>>;
    let mut refs: Refs = match files.get(REFS_FILE) {
        Some(text) => parse_meta(name, REFS_FILE, REFS_FILE, text, false)?,
        None => BTreeMap::new(),
    };
    let own = overlaid(name)?;
    // The refs of an overlay add kinds (or replace a kind's attributes), so a folder that adds one
    // kind names only that kind's attributes.
    if let Some((text, at)) = own.get(REFS_FILE) {
        refs.extend(parse_meta::<Refs>(name, REFS_FILE, at, text, true)?);
    }
    let overlaid: BTreeSet<String> = own.keys().cloned().collect();
    for (rel, (text, at)) in own {
        shown.insert(rel.clone(), at);
        files.insert(rel, text);
    }
    let limits = match files.get(LIMITS_FILE) {
        Some(text) => parse_meta(
            name,
            LIMITS_FILE,
            LIMITS_FILE,
            text,
            overlaid.contains(LIMITS_FILE),
        )?,
        None => Limits::default(),
    };
    let mut data = Map::new();
    for (path, text) in &files {
        let Some(key) = path
            .strip_prefix("meta/")
            .and_then(|n| n.strip_suffix(".yaml"))
        else {
            continue;
        };
        if path == REFS_FILE || path == LIMITS_FILE || key.contains('/') {
            continue;
        }
        let value: Value = parse_meta(name, path, path, text, overlaid.contains(path))?;
        data.insert(key.to_string(), value);
    }
    Ok(Target {
        files,
        shown,
        refs,
        limits,
        data,
    })
}

/// A data file's YAML error on one line, located, without the parser's snippet of `<input>`.
fn yaml_error(path: &str, e: &serde_saphyr::Error) -> String {
    let message = crate::loader::syntax_message(e);
    match e.location() {
        Some(at) => format!(
            "cannot parse `{path}`: line {}, column {}: {message}",
            at.line(),
            at.column()
        ),
        None => format!("cannot parse `{path}`: {message}"),
    }
}

impl Target {
    fn template_names(&self) -> impl Iterator<Item = &str> {
        self.files
            .keys()
            .map(String::as_str)
            .filter(|n| n.ends_with(".tera"))
    }

    /// A template environment that reads this target's files on first use, with `wanted` and
    /// the templates they import already compiled, so that a broken template fails before
    /// anything renders; nothing else is parsed (parsing every template of a target cost more
    /// than generating a project).
    fn environment<'n>(
        &'static self,
        wanted: impl IntoIterator<Item = &'n str>,
    ) -> Result<Environment<'static>, String> {
        let mut env = Environment::new();
        env.set_keep_trailing_newline(true);
        env.set_auto_escape_callback(|_| AutoEscape::None);
        // An undefined name (or an attribute of one) is false in `if` and fails when printed.
        env.set_undefined_behavior(UndefinedBehavior::Chainable);
        env.set_formatter(filters::format);
        filters::register(&mut env);
        naming::register(&mut env);
        env.add_filter("allowing_only", allowing_only);
        env.set_loader(move |name| {
            Ok(self
                .files
                .get(name)
                .filter(|_| name.ends_with(".tera"))
                .map(|text| text.to_string()))
        });
        let mut seen: BTreeSet<&str> = BTreeSet::new();
        let mut queue: Vec<&str> = wanted.into_iter().collect();
        while let Some(name) = queue.pop() {
            let Some((key, text)) = self.files.get_key_value(name) else {
                continue;
            };
            if !seen.insert(key.as_str()) {
                continue;
            }
            env.get_template(key).map_err(|e| self.error_message(&e))?;
            queue.extend(referenced_templates(text));
        }
        Ok(env)
    }

    /// A template error on one line, naming the file to fix (the overlay's own path for a file
    /// of `--templates-dir`) and the line in it.
    fn error_message(&self, e: &minijinja::Error) -> String {
        let shown = |name: &str| {
            self.shown
                .get(name)
                .cloned()
                .unwrap_or_else(|| name.to_string())
        };
        let mut detail = e
            .detail()
            .map_or_else(|| e.kind().to_string(), str::to_string);
        let mut source = std::error::Error::source(e);
        while let Some(s) = source {
            detail.push_str(": ");
            detail.push_str(&s.to_string());
            source = s.source();
        }
        let at = match (e.name(), e.line()) {
            (Some(name), Some(line)) => format!("`{}` line {line}", shown(name)),
            (Some(name), None) => format!("`{}`", shown(name)),
            _ => String::new(),
        };
        match e.kind() {
            minijinja::ErrorKind::SyntaxError => {
                let name = e.name().map(shown).unwrap_or_default();
                match e.line() {
                    Some(line) => format!("cannot parse `{name}`: line {line}: {detail}"),
                    None => format!("cannot parse `{name}`: {detail}"),
                }
            }
            _ if at.is_empty() => detail,
            _ => format!("{at}: {detail}"),
        }
    }
}

/// The templates a template names in `import`, `include` or `extends` tags.
fn referenced_templates(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    for tag in ["import \"", "include \"", "extends \""] {
        let mut rest = text;
        while let Some(i) = rest.find(tag) {
            rest = &rest[i + tag.len()..];
            if let Some(end) = rest.find('"') {
                out.push(&rest[..end]);
                rest = &rest[end..];
            }
        }
    }
    out
}

/// What a template renders with: each name bound once, converted to the engine's values when
/// bound, not again per template (cloning the whole context per fragment cost more than
/// rendering it).
type Context = BTreeMap<&'static str, minijinja::Value>;

fn put(ctx: &mut Context, key: &'static str, value: impl serde::Serialize) {
    ctx.insert(key, minijinja::Value::from_serialize(value));
}

/// The sections of the assembled document, always present (maybe empty) for the skeleton; any
/// other capitalised marker (`#@ Costs`, `#@ Security`) collects text the skeleton may use.
const SECTIONS: [&str; 4] = ["Parameters", "Conditions", "Resources", "Outputs"];

/// What every fragment contributed, gathered for the skeleton.
#[derive(Default)]
struct Collected {
    /// Section name → (origin label, text) in render order.
    sections: BTreeMap<String, Vec<(String, String)>>,
    /// The same for each region but the first, by region group index: a stack of its own.
    regions: BTreeMap<usize, BTreeMap<String, Vec<(String, String)>>>,
    seen_keys: BTreeSet<String>,
    /// Component id → slot name → texts in render order.
    slots: BTreeMap<String, BTreeMap<String, Vec<String>>>,
    files: BTreeMap<String, String>,
    fragments: Vec<Fragment>,
}

/// The generated project: relative path → contents, plus what to tell the user.
pub struct Project {
    /// The project's name (stack, resource names, and the folder it is written to by default).
    pub name: String,
    pub files: BTreeMap<String, String>,
    pub next_steps: String,
    /// Where each piece of generated code came from, in render order: what `archpat compare`
    /// attributes resources and code to.
    pub fragments: Vec<Fragment>,
}

/// The part of the pattern a fragment was rendered for.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Owner {
    Group(String),
    Component(String),
    Connection {
        from: String,
        kind: String,
        to: String,
    },
}

/// One section (`Resources`, `Iam`, `Stack1`…) or slot (`slot:policy`, with the component it
/// fills) of text that one template rendered for one owner.
#[derive(Debug, Clone)]
pub struct Fragment {
    pub owner: Owner,
    pub section: String,
    /// For a slot: the component whose template received the text.
    pub slot_of: Option<String>,
    pub text: String,
}

/// Inputs of one generation besides the pattern.
pub struct Options<'a> {
    pub target: &'a str,
    pub name: &'a str,
    pub region: Option<&'a str>,
}

/// Something a pattern needs that a target cannot generate yet: the template or data to add.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gap {
    /// The line of the component or connection in the pattern file (0 when unknown).
    pub line: u64,
    /// What cannot be generated: ``component `db` (`aurora-cluster`)``.
    pub subject: String,
    /// What to add, with its path.
    pub need: String,
}

impl std::fmt::Display for Gap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.subject, self.need)
    }
}

fn target(name: &str) -> Result<&'static Target, ScaffoldError> {
    match loaded(name) {
        Some(Ok(t)) => Ok(t),
        Some(Err(message)) => Err(ScaffoldError::Template {
            template: format!("templates/{name}"),
            message: message.clone(),
        }),
        None => Err(ScaffoldError::Unavailable(name.to_string())),
    }
}

pub fn generate(pattern: &Pattern, options: &Options) -> Result<Project, ScaffoldError> {
    Engine::new(pattern, options)?.run()
}

/// Everything `generate` would miss for this pattern in `options.target`, all at once.
///
/// With every template present, this generates the project in memory, so that what the
/// templates themselves refuse (a combination they cannot write yet) is reported too.
pub fn gaps(pattern: &Pattern, options: &Options) -> Result<Vec<Gap>, ScaffoldError> {
    let engine = Engine::new(pattern, options)?;
    let gaps = engine.plan().gaps;
    if !gaps.is_empty() {
        return Ok(gaps);
    }
    match engine.run() {
        Ok(_) => Ok(Vec::new()),
        Err(ScaffoldError::Gaps { gaps, .. }) => Ok(gaps),
        Err(e) => Err(e),
    }
}

struct Engine<'a> {
    target: &'static Target,
    /// Made once the plan knows which templates the pattern needs.
    env: std::cell::OnceCell<Environment<'static>>,
    pattern: &'a Pattern,
    options: &'a Options<'a>,
    catalog: &'static Catalog,
}

/// What one connection renders: its templates, in order, and the access it composes.
struct Wiring {
    templates: Vec<String>,
    grant: Option<Value>,
}

/// The templates of every component and the wiring of every connection, or what is missing.
struct Plan {
    components: BTreeMap<String, String>,
    connections: Vec<Wiring>,
    gaps: Vec<Gap>,
}

impl<'a> Engine<'a> {
    fn new(pattern: &'a Pattern, options: &'a Options<'a>) -> Result<Self, ScaffoldError> {
        let target = target(options.target)?;
        Ok(Engine {
            target,
            env: std::cell::OnceCell::new(),
            pattern,
            options,
            catalog: Catalog::builtin(),
        })
    }

    fn kind(&self, c: &Component) -> Option<&'static ComponentKind> {
        self.catalog.kind(&c.kind)
    }

    /// The attributes of a component in this target's language (`meta/refs.yaml`).
    fn refs(&self, c: &Component) -> Map<String, Value> {
        let names = [
            ("{lid}", naming::logical_id(&c.id)),
            ("{tf}", naming::tf_name(&c.id)),
            ("{ts}", naming::ts_ident(&c.id)),
            ("{env}", naming::env_name(&c.id)),
            ("{id}", c.id.clone()),
        ];
        // A replica (the target of a connection that crosses regions) may be written as another
        // resource than its kind's own: `<kind>@replica` in refs.yaml overrides its attributes;
        // so may the source of one (`<kind>@source`: a replicated database keeps its master
        // secret in a secret of its own, which Secrets Manager replicates). A component that is
        // both takes the replica's.
        let crossing = |to: bool| {
            self.pattern.edges().any(|e| {
                (if to {
                    e.to.id == c.id
                } else {
                    e.from.id == c.id
                }) && self.crosses(&e.connection.kind)
            })
        };
        let overrides = [(crossing(false), "source"), (crossing(true), "replica")]
            .into_iter()
            .filter(|(yes, _)| *yes)
            .filter_map(|(_, role)| self.target.refs.get(&format!("{}@{role}", c.kind)))
            .collect::<Vec<_>>();
        let mut exprs: BTreeMap<&String, &String> = self
            .target
            .refs
            .get(&c.kind)
            .into_iter()
            .flatten()
            .collect();
        for o in overrides {
            exprs.extend(o);
        }
        exprs
            .into_iter()
            .map(|(attr, expr)| {
                let mut v = expr.clone();
                for (placeholder, name) in &names {
                    v = v.replace(placeholder, name);
                }
                (attr.clone(), Value::String(v))
            })
            .collect()
    }

    fn refs_gap(&self, c: &Component, attr: &str, why: &str) -> String {
        format!(
            "add `{}: {attr}` to `{}` ({why})",
            c.kind,
            self.template_path(REFS_FILE)
        )
    }

    /// Composes the access a `from → to` connection grants from the catalog (what `to` offers
    /// for the connection kind) and the target's refs. `Ok(None)`: the catalog offers no such
    /// access, or `from` cannot hold permissions; `Err`: the refs it needs are missing.
    fn grant(&self, e: &Edge) -> Result<Option<Value>, Vec<String>> {
        let (Some(from_kind), Some(to_kind)) = (self.kind(e.from), self.kind(e.to)) else {
            return Ok(None);
        };
        if !from_kind.principal {
            return Ok(None);
        }
        let Some(Granted {
            statements,
            kms,
            kms_via,
        }) = to_kind.statements(&e.connection.kind)
        else {
            return Ok(None);
        };
        let to_refs = self.refs(e.to);
        let from_refs = self.refs(e.from);
        let mut needs = Vec::new();
        let access = naming::logical_id(&e.connection.kind);
        let to_lid = naming::logical_id(&e.to.id);
        let mut list = Vec::new();
        for (i, st) in statements.iter().enumerate() {
            let mut resources = Vec::new();
            for r in &st.resources {
                if r == "*" {
                    resources.push(json!({"ref": "", "suffix": "*"}));
                    continue;
                }
                let Some((attr, suffix)) =
                    r.strip_prefix('{').and_then(|rest| rest.split_once('}'))
                else {
                    needs.push(format!(
                        "catalog kind `{}`: resource `{r}` must start with `{{attribute}}` or be `*`",
                        e.to.kind
                    ));
                    continue;
                };
                match to_refs.get(attr) {
                    Some(expr) => {
                        resources.push(json!({"ref": expr, "suffix": suffix, "attr": attr}))
                    }
                    None => needs.push(self.refs_gap(e.to, attr, "an IAM resource")),
                }
            }
            let sid = if i == 0 {
                format!("{access}{to_lid}")
            } else {
                format!("{access}{to_lid}{}", i + 1)
            };
            list.push(json!({"sid": sid, "actions": st.actions, "resources": resources}));
        }
        // A target encrypted with a customer managed key is useless without the key.
        if !kms.is_empty() {
            let holders: Vec<&Component> = match &kms_via {
                None => vec![e.to],
                Some(via) => self
                    .pattern
                    .outgoing(&e.to.id)
                    .filter(|h| h.connection.kind == via.connection && h.to.kind == via.to)
                    .map(|h| h.to)
                    .collect(),
            };
            for key in holders.iter().flat_map(|h| {
                self.pattern
                    .outgoing(&h.id)
                    .filter(|k| k.connection.kind == "read" && k.to.kind == "kms-key")
            }) {
                match self.refs(key.to).get("arn") {
                    Some(expr) => list.push(json!({
                        "sid": format!("{access}{to_lid}Key{}", naming::logical_id(&key.to.id)),
                        "actions": kms,
                        "resources": [{"ref": expr, "suffix": "", "attr": "arn"}],
                    })),
                    None => needs.push(self.refs_gap(key.to, "arn", "an IAM resource")),
                }
            }
        }
        let mut env = Vec::new();
        let to_env = naming::env_name(&e.to.id);
        for (suffix, attr) in &to_kind.config {
            match to_refs.get(attr) {
                Some(expr) => env.push(json!({"name": format!("{to_env}_{suffix}"), "ref": expr})),
                None => needs.push(self.refs_gap(e.to, attr, "configuration")),
            }
        }
        let mut ingress = Value::Null;
        let from_vpc = self.pattern.enclosing(e.from, "vpc").map(|g| g.id.as_str());
        let to_vpc = self.pattern.enclosing(e.to, "vpc").map(|g| g.id.as_str());
        if let Some(port) = to_kind.port_for(&e.to.properties)
            && from_vpc.is_some()
            && from_vpc == to_vpc
        {
            for (c, refs) in [(e.from, &from_refs), (e.to, &to_refs)] {
                if !refs.contains_key("security_group") {
                    needs.push(self.refs_gap(c, "security_group", "a network rule"));
                }
            }
            ingress = json!({"port": port});
        }
        if !needs.is_empty() {
            return Err(needs);
        }
        Ok(Some(json!({
            "access": e.connection.kind,
            "statements": list,
            "env": env,
            "ingress": ingress,
        })))
    }

    /// How a connection is generated, by the first of these that exists:
    /// 1. the catalog marks it `implied` (nothing to generate);
    /// 2. `connections/<from>.<kind>.<to>`: a template for exactly this triple, which does it all;
    /// 3. any of `connections/<from>.<kind>` (the source decides: an S3 notification),
    ///    `connections/<kind>.<to>` (the target decides: a Lambda permission) and the access the
    ///    catalog composes (rendered by `connections/_access`), each adding its part.
    fn wiring(&self, e: &Edge) -> Result<Wiring, Vec<String>> {
        let conn = &e.connection.kind;
        let rule = self.kind(e.from).and_then(|k| k.rule(conn, &e.to.kind));
        if rule.is_some_and(|r| r.implied.is_some()) {
            return Ok(Wiring {
                templates: vec![],
                grant: None,
            });
        }
        let from_vpc = self.pattern.enclosing(e.from, "vpc").map(|g| g.id.as_str());
        let to_vpc = self.pattern.enclosing(e.to, "vpc").map(|g| g.id.as_str());
        if let (Some(a), Some(b)) = (from_vpc, to_vpc)
            && a != b
        {
            return Err(vec![format!(
                "`{}` is in VPC `{a}` and `{}` in VPC `{b}`: a connection between two VPCs needs peering or a transit gateway, which archpat does not generate; put both in one VPC",
                e.from.id, e.to.id
            )]);
        }
        let grant = self.grant(e);
        if let Ok(exact) =
            self.find_template(&format!("connections/{}.{conn}.{}", e.from.kind, e.to.kind))
        {
            return Ok(Wiring {
                templates: vec![exact],
                grant: grant.ok().flatten(),
            });
        }
        let mut templates = Vec::new();
        for stem in [
            format!("connections/{}.{conn}", e.from.kind),
            format!("connections/{conn}.{}", e.to.kind),
        ] {
            if let Ok(name) = self.find_template(&stem) {
                templates.push(name);
            }
        }
        let grant = grant?;
        if grant.is_some() {
            match self.find_template(ACCESS_TEMPLATE) {
                Ok(name) => templates.push(name),
                Err(path) => return Err(vec![format!("add `{}`", self.template_path(&path))]),
            }
        }
        if templates.is_empty() {
            let exact = self
                .find_template(&format!("connections/{}.{conn}.{}", e.from.kind, e.to.kind))
                .unwrap_err();
            let ext = exact.rsplit('.').nth(1).unwrap_or("tera");
            return Err(vec![format!(
                "add `{}` (or `{conn}.{}.{ext}.tera` for any source, `{}.{conn}.{ext}.tera` for any target)",
                self.template_path(&exact),
                e.to.kind,
                e.from.kind,
            )]);
        }
        Ok(Wiring { templates, grant })
    }

    /// The VPC endpoints of the AWS services that principals inside VPC `group` connect to, and
    /// those its components' kinds call themselves (`needs_endpoints`: image pulls, logs), by
    /// service name: what a private subnet without a NAT route needs to reach them.
    fn endpoints(&self, group: &str) -> Vec<Value> {
        let mut found: BTreeMap<String, bool> = BTreeMap::new();
        for c in self.pattern.components().filter(|c| !self.diagram_only(c)) {
            if self
                .pattern
                .enclosing(c, "vpc")
                .is_some_and(|g| g.id == group)
            {
                for endpoint in self
                    .kind(c)
                    .map(|k| k.needs_endpoints.as_slice())
                    .unwrap_or(&[])
                {
                    found.insert(endpoint.service.clone(), endpoint.gateway);
                }
            }
        }
        for e in self.built_edges() {
            let inside = self
                .pattern
                .enclosing(e.from, "vpc")
                .is_some_and(|g| g.id == group);
            let principal = self.kind(e.from).is_some_and(|k| k.principal);
            if let (true, true, Some(endpoint)) = (
                inside,
                principal,
                self.kind(e.to).and_then(|k| k.endpoint.as_ref()),
            ) {
                found.insert(endpoint.service.clone(), endpoint.gateway);
            }
        }
        found
            .into_iter()
            .map(|(service, gateway)| json!({"service": service, "gateway": gateway}))
            .collect()
    }

    fn plan(&self) -> Plan {
        let mut plan = Plan {
            components: BTreeMap::new(),
            connections: Vec::new(),
            gaps: Vec::new(),
        };
        for c in self.pattern.components().filter(|c| !self.diagram_only(c)) {
            match self.find_template(&format!("components/{}", c.kind)) {
                Ok(name) => {
                    plan.components.insert(c.id.clone(), name);
                }
                Err(name) => plan.gaps.push(Gap {
                    line: c.line,
                    subject: component_subject(c),
                    need: format!("add `{}`", self.template_path(&name)),
                }),
            }
        }
        for (kind, limit) in &self.target.limits.groups {
            let over: Vec<&crate::model::Group> = self
                .pattern
                .groups
                .iter()
                .filter(|g| &g.kind == kind)
                .skip(limit.max)
                .collect();
            for g in over {
                plan.gaps.push(Gap {
                    line: g.line,
                    subject: format!("group `{}` (`{kind}`)", g.id),
                    need: format!(
                        "this target generates at most {} `{kind}` group(s) per pattern: {}",
                        limit.max, limit.why
                    ),
                });
            }
        }
        for e in self.built_edges() {
            match self.wiring(&e) {
                Ok(w) => plan.connections.push(w),
                Err(needs) => {
                    for need in needs {
                        plan.gaps.push(Gap {
                            line: e.connection.line,
                            subject: connection_subject(&e),
                            need,
                        });
                    }
                }
            }
        }
        plan
    }

    /// The region group a component deploys in when it is not the first region (the project's
    /// own), by index into the pattern's groups.
    fn second_region(&self, c: &Component) -> Option<usize> {
        let p = self.pattern;
        let first = p.groups.iter().position(|g| g.kind == "region")?;
        let g = c.group?;
        p.group_path(g)
            .into_iter()
            .rev()
            .find(|&i| p.groups[i].kind == "region")
            .filter(|&i| i != first)
    }

    /// The region a fragment's code goes to: a group's, a component's, or a connection's source's
    /// (its target's when the catalog lets the connection reach across regions: a Route 53
    /// record deploys with what it points at, which may come after the main stack).
    fn owner_region(&self, owner: &Owner) -> Option<usize> {
        let p = self.pattern;
        match owner {
            Owner::Component(id) => self.second_region(p.component(id)?),
            Owner::Connection { from, kind, to } => {
                let (source, target) = (p.component(from)?, p.component(to)?);
                let across = self
                    .catalog
                    .kind(&source.kind)
                    .and_then(|k| k.rule(kind, &target.kind))
                    .is_some_and(|r| r.across_regions.is_some());
                self.second_region(if across { target } else { source })
            }
            Owner::Group(id) => {
                let first = p.groups.iter().position(|g| g.kind == "region")?;
                let g = p.groups.iter().position(|g| &g.id == id)?;
                p.group_path(g)
                    .into_iter()
                    .rev()
                    .find(|&i| p.groups[i].kind == "region")
                    .filter(|&i| i != first)
            }
        }
    }

    /// The region group id a group deploys in when it is not the first region (as a
    /// component's `region`), or empty: what a stack per region counts as its own.
    fn group_region(&self, id: &str) -> String {
        self.owner_region(&Owner::Group(id.to_string()))
            .map(|i| self.pattern.groups[i].id.clone())
            .unwrap_or_default()
    }

    /// A fragment of a second region, as the target writes code for another region
    /// (`meta/regions.yaml`): Terraform sets the region's provider on each block and renames the
    /// names a region makes once, so the two regions' copies coexist in one configuration.
    fn in_region(&self, region: usize, text: &str) -> String {
        let Some(rules) = self.target.data.get("regions") else {
            return text.to_string();
        };
        let alias = naming::tf_name(&self.pattern.groups[region].id);
        let fill = |v: &str| v.replace("{alias}", &alias);
        let mut out = text.to_string();
        for pair in rules["rename"].as_array().into_iter().flatten() {
            if let (Some(from), Some(to)) = (pair[0].as_str(), pair[1].as_str()) {
                out = out.replace(from, &fill(to));
            }
        }
        let once: Vec<&str> = rules["once"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        for name in &once {
            out = rename_references(&out, name, &format!("{name}_{alias}"));
        }
        let heads: Vec<String> = rules["blocks"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(|b| format!("{b} \""))
            .collect();
        let line = rules["block_line"].as_str().map(fill);
        let mut with = String::with_capacity(out.len() + 256);
        for l in out.lines() {
            let head = heads.iter().any(|h| l.starts_with(h.as_str())) && l.ends_with(" {");
            match once
                .iter()
                .find(|name| head && l.ends_with(&format!(" \"{name}\" {{")))
            {
                Some(name) => {
                    let cut = l.len() - name.len() - 4;
                    with.push_str(&format!("{}\"{name}_{alias}\" {{", &l[..cut]));
                }
                None => with.push_str(l),
            }
            with.push('\n');
            if let (true, Some(line)) = (head, &line) {
                with.push_str(line);
                with.push('\n');
            }
        }
        if !out.ends_with('\n') {
            with.pop();
        }
        with
    }

    /// Whether a connection kind joins two regions (`crosses` in `catalog/connections.yaml`).
    fn crosses(&self, kind: &str) -> bool {
        self.catalog
            .connections
            .get(kind)
            .is_some_and(|k| k.crosses.is_some())
    }

    fn one_configuration(&self) -> bool {
        self.target
            .data
            .get("regions")
            .is_some_and(|r| r["one_configuration"] == Value::Bool(true))
    }

    fn diagram_only(&self, c: &Component) -> bool {
        self.catalog
            .kind(&c.kind)
            .is_some_and(|k| k.diagram_only.is_some())
    }

    fn has_template(&self, name: &str) -> bool {
        self.target.files.contains_key(name)
    }

    /// The template for `stem` (`components/lambda`): `stem.tera` or `stem.<ext>.tera`, where the
    /// extension is the target's own (`yaml`, `tf`, `ts`); `Err` holds the path to suggest.
    fn find_template(&self, stem: &str) -> Result<String, String> {
        let is_ext = |e: &str| !e.is_empty() && !e.contains(['.', '/']);
        if let Some(found) = self.target.template_names().find(|n| {
            n.strip_prefix(stem)
                .and_then(|rest| rest.strip_suffix(".tera"))
                .is_some_and(|rest| rest.is_empty() || rest.strip_prefix('.').is_some_and(is_ext))
        }) {
            return Ok(found.to_string());
        }
        // Suggest the extension the folder's other templates use.
        let folder = stem.rsplit_once('/').map_or("", |(f, _)| f);
        let ext = self
            .target
            .template_names()
            .filter_map(|n| {
                n.strip_prefix(folder)?
                    .strip_prefix('/')?
                    .strip_suffix(".tera")
            })
            .filter_map(|n| n.rsplit_once('.').map(|(_, e)| e))
            .filter(|e| is_ext(e))
            .min()
            .map(|e| format!(".{e}"))
            .unwrap_or_default();
        Err(format!("{stem}{ext}.tera"))
    }

    fn template_path(&self, name: &str) -> String {
        format!("templates/{}/{name}", self.options.target)
    }

    fn component_value(&self, c: &Component) -> Value {
        let tier = self
            .pattern
            .enclosing(c, "subnet")
            .and_then(|g| g.properties.get("tier"))
            .and_then(Value::as_str)
            .unwrap_or("");
        let groups: Vec<&str> = c
            .group
            .map(|g| {
                self.pattern
                    .group_path(g)
                    .into_iter()
                    .map(|i| self.pattern.groups[i].id.as_str())
                    .collect()
            })
            .unwrap_or_default();
        json!({
            "id": c.id,
            "kind": c.kind,
            "label": c.label,
            "lid": naming::logical_id(&c.id),
            "env": naming::env_name(&c.id),
            "properties": c.properties,
            "tier": tier,
            "in_vpc": self.pattern.enclosing(c, "vpc").is_some(),
            "vpc": self.pattern.enclosing(c, "vpc").map(|g| g.id.clone()).unwrap_or_default(),
            "subnet": self.pattern.enclosing(c, "subnet").map(|g| g.id.clone()).unwrap_or_default(),
            // The region group id when it is not the project's own (first) region.
            "region": self.second_region(c).map(|i| self.pattern.groups[i].id.clone()).unwrap_or_default(),
            "groups": groups,
            "refs": self.refs(c),
            "service_principal": self.kind(c).and_then(|k| k.service_principal.clone()),
            "metric": self.kind(c).and_then(|k| k.metric.clone()),
        })
    }

    fn edge_value(&self, e: &Edge) -> Value {
        // `port` is left out rather than null when the connection has none, so templates can
        // write `connection.port | default(value=80)`.
        let mut v = json!({
            "kind": e.connection.kind,
            "label": e.connection.label.clone().unwrap_or_default(),
            "protocol": e.connection.protocol.clone().unwrap_or_default(),
            "properties": e.connection.properties,
        });
        if let Some(port) = e.connection.port {
            v["port"] = json!(port);
        }
        v
    }

    fn built_edges(&self) -> impl Iterator<Item = Edge<'_>> {
        self.pattern
            .edges()
            .filter(|e| !self.diagram_only(e.from) && !self.diagram_only(e.to))
    }

    /// A component with its connections, as templates see it.
    fn component_full(&self, c: &Component) -> Value {
        let mut v = self.component_value(c);
        let outgoing: Vec<Value> = self
            .built_edges()
            .filter(|e| e.from.id == c.id)
            .map(|e| {
                let mut ev = self.edge_value(&e);
                ev["to"] = self.component_value(e.to);
                ev
            })
            .collect();
        let incoming: Vec<Value> = self
            .built_edges()
            .filter(|e| e.to.id == c.id)
            .map(|e| {
                let mut ev = self.edge_value(&e);
                ev["from"] = self.component_value(e.from);
                ev
            })
            .collect();
        v["outgoing"] = Value::Array(outgoing);
        v["incoming"] = Value::Array(incoming);
        v
    }

    /// Every generated component as templates see it (`component_full`), by id, converted once:
    /// the same value is `components[i]`, `c`, `from` and `to`, and cloning one is cheap.
    fn components_full(&self) -> IndexMap<&'a str, minijinja::Value> {
        self.pattern
            .components()
            .filter(|c| !self.diagram_only(c))
            .map(|c| {
                let v = minijinja::Value::from_serialize(self.component_full(c));
                (c.id.as_str(), v)
            })
            .collect()
    }

    fn base_context(&self, full: &IndexMap<&str, minijinja::Value>) -> Context {
        let p = self.pattern;
        let components: Vec<minijinja::Value> = full.values().cloned().collect();
        let kinds: BTreeSet<&str> = p
            .components()
            .filter(|c| !self.diagram_only(c))
            .map(|c| c.kind.as_str())
            .collect();
        let groups: Vec<Value> = p
            .groups
            .iter()
            .map(|g| {
                json!({"id": g.id, "kind": g.kind, "label": g.label,
                    "parent": g.parent.map(|i| p.groups[i].id.clone()).unwrap_or_default(),
                    "properties": g.properties, "region": self.group_region(&g.id)})
            })
            .collect();
        let mut ctx = Context::new();
        put(
            &mut ctx,
            "project",
            json!({"name": self.options.name, "region": self.options.region.unwrap_or("")}),
        );
        put(
            &mut ctx,
            "pattern",
            json!({"id": p.id, "title": p.title, "summary": p.summary, "topics": p.topics,
                "values": p.values, "source": p.source}),
        );
        put(&mut ctx, "components", &components);
        put(&mut ctx, "kinds", &kinds);
        put(&mut ctx, "groups", &groups);
        ctx
    }

    fn render_raw(&self, name: &str, ctx: &Context) -> Result<String, minijinja::Error> {
        self.env
            .get()
            .expect("run() makes the environment before rendering")
            .get_template(name)
            .and_then(|t| t.render(ctx))
    }

    fn render(&self, name: &str, ctx: &Context) -> Result<String, ScaffoldError> {
        self.render_raw(name, ctx)
            .map_err(|e| ScaffoldError::Template {
                template: self.template_path(name),
                message: self.target.error_message(&e),
            })
    }

    /// A component's or connection's fragment, or the gap it leaves: a template that refuses
    /// (`throw`, saying what to do) or fails is one more thing this target cannot generate,
    /// reported with the others at the line of what it was written for.
    fn render_or_gap(
        &self,
        name: &str,
        ctx: &Context,
        line: u64,
        subject: impl FnOnce() -> String,
        gaps: &mut Vec<Gap>,
    ) -> Option<String> {
        match self.render_raw(name, ctx) {
            Ok(text) => Some(text),
            Err(e) => {
                let need = match (e.kind(), e.detail()) {
                    (minijinja::ErrorKind::InvalidOperation, Some(refusal)) => refusal.to_string(),
                    _ => format!(
                        "`{}` failed: {}",
                        self.template_path(name),
                        self.target.error_message(&e)
                    ),
                };
                gaps.push(Gap {
                    line,
                    subject: subject(),
                    need,
                });
                None
            }
        }
    }

    fn run(&self) -> Result<Project, ScaffoldError> {
        let p = self.pattern;
        self.check_logical_ids()?;
        // Every template must exist before anything renders, so one run reports every missing
        // piece whatever the order, and a failure writes nothing.
        let plan = self.plan();
        if !plan.gaps.is_empty() {
            return Err(ScaffoldError::Gaps {
                target: self.options.target.to_string(),
                pattern: p.source.clone(),
                gaps: plan.gaps,
            });
        }
        let mut wanted: BTreeSet<String> = plan.components.values().cloned().collect();
        wanted.extend(
            plan.connections
                .iter()
                .flat_map(|w| w.templates.iter().cloned()),
        );
        wanted.extend(
            p.components()
                .filter(|c| !self.diagram_only(c))
                .map(|c| format!("app/{}.tera", c.kind)),
        );
        for g in &p.groups {
            if let Ok(name) = self.find_template(&format!("groups/{}", g.kind)) {
                wanted.insert(name);
            }
        }
        wanted.extend(
            self.target
                .template_names()
                .filter(|n| n.starts_with("skeleton/") || n.starts_with("meta/"))
                .map(str::to_string),
        );
        let env = self
            .target
            .environment(wanted.iter().map(String::as_str))
            .map_err(|message| ScaffoldError::Template {
                template: format!("templates/{}", self.options.target),
                message,
            })?;
        let _ = self.env.set(env);
        // One context for every fragment: each adds its own keys and removes them after
        // rendering (cloning the whole context per fragment cost more than rendering it).
        let full = self.components_full();
        let mut ctx = self.base_context(&full);
        let mut collected = Collected::default();
        // What the templates of components and connections refuse, all of it, before failing.
        let mut refused: Vec<Gap> = Vec::new();

        for (i, g) in p.groups.iter().enumerate() {
            let Ok(name) = self.find_template(&format!("groups/{}", g.kind)) else {
                continue;
            };
            let children: Vec<Value> = p
                .child_groups(Some(i))
                .map(|c| {
                    let cg = &p.groups[c];
                    json!({"id": cg.id, "kind": cg.kind, "label": cg.label,
                        "properties": cg.properties})
                })
                .collect();
            put(
                &mut ctx,
                "group",
                json!({"id": g.id, "kind": g.kind, "label": g.label,
                    "properties": g.properties, "children": children,
                    "endpoints": self.endpoints(&g.id), "region": self.group_region(&g.id)}),
            );
            let text = self.render(&name, &ctx)?;
            ctx.remove("group");
            let owner = Owner::Group(g.id.clone());
            self.collect(&name, &g.label, Some(&owner), &text, &mut collected)?;
        }

        for (e, wiring) in self.built_edges().zip(&plan.connections) {
            ctx.insert("from", full[e.from.id.as_str()].clone());
            ctx.insert("to", full[e.to.id.as_str()].clone());
            put(&mut ctx, "connection", self.edge_value(&e));
            put(&mut ctx, "grant", &wiring.grant);
            let origin = format!("{} → {}", e.from.label, e.to.label);
            let owner = Owner::Connection {
                from: e.from.id.clone(),
                kind: e.connection.kind.clone(),
                to: e.to.id.clone(),
            };
            for name in &wiring.templates {
                let subject = || connection_subject(&e);
                let line = e.connection.line;
                if let Some(text) = self.render_or_gap(name, &ctx, line, subject, &mut refused) {
                    self.collect(name, &origin, Some(&owner), &text, &mut collected)?;
                }
            }
            for key in ["from", "to", "connection", "grant"] {
                ctx.remove(key);
            }
        }

        for c in p.components().filter(|c| !self.diagram_only(c)) {
            ctx.insert("c", full[c.id.as_str()].clone());
            let slots: BTreeMap<String, String> = collected
                .slots
                .get(&c.id)
                .map(|s| {
                    s.iter()
                        .map(|(name, texts)| (name.clone(), texts.concat()))
                        .collect()
                })
                .unwrap_or_default();
            // The keys each slot declares (`NAME: value` lines), for templates that must list them
            // again elsewhere, such as user data exporting its environment.
            let slot_keys: BTreeMap<&String, Vec<String>> = slots
                .iter()
                .map(|(name, text)| (name, mapping_keys(text)))
                .collect();
            put(&mut ctx, "slots", &slots);
            put(&mut ctx, "slot_keys", &slot_keys);
            let app_name = format!("app/{}.tera", c.kind);
            let mut app: IndexMap<String, String> = IndexMap::new();
            if self.has_template(&app_name) {
                let text = self.render(&app_name, &ctx)?;
                let mut app_collected = Collected::default();
                self.collect(&app_name, &c.label, None, &text, &mut app_collected)?;
                for (path, content) in app_collected.files {
                    app.insert(path.clone(), content.clone());
                    insert_file(&mut collected.files, path, content)?;
                }
            }
            let app: Vec<Value> = app
                .into_iter()
                .map(|(path, content)| json!({"path": path, "content": content}))
                .collect();
            put(&mut ctx, "app", &app);
            let name = &plan.components[&c.id];
            let subject = || component_subject(c);
            let text = self.render_or_gap(name, &ctx, c.line, subject, &mut refused);
            for key in ["c", "slots", "slot_keys", "app"] {
                ctx.remove(key);
            }
            if let Some(text) = text {
                let owner = Owner::Component(c.id.clone());
                self.collect(name, &c.label, Some(&owner), &text, &mut collected)?;
            }
        }
        if !refused.is_empty() {
            return Err(ScaffoldError::Gaps {
                target: self.options.target.to_string(),
                pattern: p.source.clone(),
                gaps: refused,
            });
        }

        self.assemble(ctx, collected)
    }

    /// Two component ids that map to one logical id (`a-b` and `a_b`) would overwrite each other.
    fn check_logical_ids(&self) -> Result<(), ScaffoldError> {
        let mut seen: BTreeMap<String, &str> = BTreeMap::new();
        for c in self.pattern.components() {
            let lid = naming::logical_id(&c.id);
            if let Some(other) = seen.insert(lid.clone(), &c.id) {
                return Err(ScaffoldError::DuplicateLogicalId {
                    first: other.to_string(),
                    second: c.id.clone(),
                    logical_id: lid,
                });
            }
        }
        Ok(())
    }

    fn collect(
        &self,
        template: &str,
        origin: &str,
        owner: Option<&Owner>,
        text: &str,
        collected: &mut Collected,
    ) -> Result<(), ScaffoldError> {
        let fail = |line: usize, message: String| ScaffoldError::Fragment {
            template: self.template_path(template),
            line,
            message,
        };
        let region = owner.and_then(|o| self.owner_region(o));
        enum Target {
            None,
            Section(String, bool),
            Slot(String, String),
            File(String),
        }
        let mut parts: Vec<(Target, String)> = vec![(Target::None, String::new())];
        for (n, line) in text.lines().enumerate() {
            let Some(marker) = line.strip_prefix("#@ ") else {
                let last = &mut parts.last_mut().expect("never empty").1;
                last.push_str(line);
                last.push('\n');
                continue;
            };
            let marker = marker.trim();
            let (head, arg) = match marker.split_once(':') {
                Some((h, a)) => (h, Some(a)),
                None => (marker, None),
            };
            let target = if head.starts_with(|c: char| c.is_ascii_uppercase()) {
                match arg {
                    Some(key) => {
                        // A keyed part (the access-log bucket) is made once per region.
                        let key = match region {
                            Some(r) => format!("{r}/{head}:{key}"),
                            None => format!("{head}:{key}"),
                        };
                        let first = collected.seen_keys.insert(key);
                        Target::Section(head.to_string(), first)
                    }
                    None => Target::Section(head.to_string(), true),
                }
            } else if head == "file" {
                let path = arg.unwrap_or_default();
                if path.is_empty()
                    || path.starts_with('/')
                    || path.split('/').any(|s| s == ".." || s.is_empty())
                {
                    return Err(fail(n + 1, format!("bad file path `{path}`")));
                }
                Target::File(path.to_string())
            } else if let Some(component) = arg {
                if head.is_empty() || !head.starts_with(|c: char| c.is_ascii_lowercase()) {
                    return Err(fail(n + 1, format!("unknown marker `{marker}`")));
                }
                if self.pattern.component(component).is_none() {
                    return Err(fail(
                        n + 1,
                        format!("slot `{head}` is for unknown component `{component}`"),
                    ));
                }
                Target::Slot(head.to_string(), component.to_string())
            } else {
                return Err(fail(
                    n + 1,
                    format!(
                        "unknown marker `{marker}`; expected a section (`Resources`), `file:<path>` or `<slot>:<component id>`"
                    ),
                ));
            };
            parts.push((target, String::new()));
        }
        for (target, body) in parts {
            match target {
                Target::None => {
                    if body.lines().any(|l| !l.trim().is_empty()) {
                        return Err(fail(1, "text before the first `#@` marker".into()));
                    }
                }
                Target::Section(name, keep) => {
                    let body = match region {
                        Some(r) => self.in_region(r, &tidy(&body)),
                        None => tidy(&body),
                    };
                    if keep && !body.is_empty() {
                        if let Some(owner) = owner {
                            collected.fragments.push(Fragment {
                                owner: owner.clone(),
                                section: name.clone(),
                                slot_of: None,
                                text: body.clone(),
                            });
                        }
                        // Terraform writes every region into one configuration, each block
                        // with its provider; CloudFormation and CDK a stack per region.
                        let sections = match region {
                            Some(r) if !self.one_configuration() => {
                                collected.regions.entry(r).or_default()
                            }
                            _ => &mut collected.sections,
                        };
                        sections
                            .entry(name)
                            .or_default()
                            .push((origin.to_string(), body));
                    }
                }
                Target::Slot(name, component) => {
                    let body = tidy(&body);
                    if let Some(owner) = owner {
                        collected.fragments.push(Fragment {
                            owner: owner.clone(),
                            section: format!("slot:{name}"),
                            slot_of: Some(component.clone()),
                            text: body.clone(),
                        });
                    }
                    collected
                        .slots
                        .entry(component)
                        .or_default()
                        .entry(name)
                        .or_default()
                        .push(body);
                }
                Target::File(path) => {
                    insert_file(&mut collected.files, path, body)?;
                }
            }
        }
        Ok(())
    }

    fn assemble(&self, mut ctx: Context, collected: Collected) -> Result<Project, ScaffoldError> {
        let mut sections: BTreeMap<String, String> = BTreeMap::new();
        let mut raw_sections: BTreeMap<String, String> = BTreeMap::new();
        for (name, parts) in &collected.sections {
            raw_sections.insert(
                name.clone(),
                parts
                    .iter()
                    .map(|(_, t)| t.as_str())
                    .collect::<Vec<_>>()
                    .join(""),
            );
        }
        for name in SECTIONS {
            let text: String = collected
                .sections
                .get(name)
                .map(|parts| {
                    parts
                        .iter()
                        .map(|(_, t)| naming::pad(t, 2))
                        .collect::<Vec<_>>()
                        .join("\n")
                })
                .unwrap_or_default();
            sections.insert(name.to_string(), text);
        }
        // Parameter groups: the parameters each fragment declared, under the fragment's label.
        let mut groups: IndexMap<String, Vec<String>> = IndexMap::new();
        for (origin, text) in collected.sections.get("Parameters").into_iter().flatten() {
            for name in top_level_keys(text) {
                groups.entry(origin.clone()).or_default().push(name);
            }
        }
        let parameter_groups: Vec<Value> = groups
            .into_iter()
            .map(|(label, names)| json!({"label": label, "names": names}))
            .collect();
        let resources: Vec<Value> = collected
            .sections
            .get("Resources")
            .into_iter()
            .flatten()
            .flat_map(|(_, t)| resource_types(t))
            .map(|(id, ty)| json!({"id": id, "type": ty}))
            .collect();
        let parameters = parse_parameters(collected.sections.get("Parameters"));
        // The main stack's output names, which the stacks of other regions may take as parameters.
        let outputs: Vec<String> = collected
            .sections
            .get("Outputs")
            .into_iter()
            .flatten()
            .flat_map(|(_, t)| top_level_keys(t))
            .collect();
        let skipped: Vec<Value> = self
            .pattern
            .components()
            .filter_map(|c| {
                let reason = self.catalog.kind(&c.kind)?.diagram_only.clone()?;
                Some(json!({"id": c.id, "label": c.label, "kind": c.kind, "reason": reason}))
            })
            .collect();
        let app_files: Vec<&String> = collected.files.keys().collect();
        // Every section's fragments one by one, for targets that lay them out themselves
        // (Terraform: one file per concern, a blank line between blocks).
        let fragments = fragment_views(&collected.sections);
        // Every region but the first: the same views of its own sections, for the skeleton to
        // write as a stack (or provider) of its own.
        let first_region = self.pattern.groups.iter().position(|g| g.kind == "region");
        let mut regions: Vec<Value> = Vec::new();
        for (i, g) in self.pattern.groups.iter().enumerate() {
            if g.kind != "region" || Some(i) == first_region {
                continue;
            }
            let empty = BTreeMap::new();
            let own = collected.regions.get(&i).unwrap_or(&empty);
            let fragments = fragment_views(own);
            let raw: BTreeMap<&String, String> = own
                .iter()
                .map(|(name, parts)| (name, parts.iter().map(|(_, t)| t.as_str()).collect()))
                .collect();
            let resources: Vec<Value> = own
                .get("Resources")
                .into_iter()
                .flatten()
                .flat_map(|(_, t)| resource_types(t))
                .map(|(id, ty)| json!({"id": id, "type": ty}))
                .collect();
            regions.push(json!({
                "id": g.id, "label": g.label, "lid": naming::logical_id(&g.id),
                "alias": naming::tf_name(&g.id),
                "region": g.properties.get("region").cloned().unwrap_or(Value::Null),
                "fragments": fragments, "raw_sections": raw,
                "parameters": parse_parameters(own.get("Parameters")),
                "outputs": own.get("Outputs").into_iter().flatten()
                    .flat_map(|(_, t)| top_level_keys(t)).collect::<Vec<_>>(),
                "resources": resources,
            }));
        }
        put(&mut ctx, "regions", &regions);
        put(&mut ctx, "sections", &sections);
        put(&mut ctx, "raw_sections", &raw_sections);
        put(&mut ctx, "fragments", &fragments);
        put(&mut ctx, "parameter_groups", &parameter_groups);
        put(&mut ctx, "parameters", &parameters);
        put(&mut ctx, "outputs", &outputs);
        put(&mut ctx, "resources", &resources);
        put(&mut ctx, "skipped", &skipped);
        put(&mut ctx, "app_files", &app_files);
        put(
            &mut ctx,
            "mermaid",
            crate::render::mermaid::render(self.pattern),
        );
        put(&mut ctx, "meta", &self.target.data);
        let topics: Vec<Value> = self
            .pattern
            .topics
            .iter()
            .map(|t| {
                json!({"name": t,
                    "phase": self.catalog.roadmap.phase_of(t).unwrap_or_default()})
            })
            .collect();
        put(&mut ctx, "topics", &topics);

        let collected_fragments = collected.fragments;
        let mut files = collected.files;
        let skeleton: Vec<String> = self
            .target
            .template_names()
            .filter(|n| n.starts_with("skeleton/"))
            .map(str::to_string)
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        for name in skeleton {
            let path = name
                .strip_prefix("skeleton/")
                .and_then(|p| p.strip_suffix(".tera"))
                .expect("filtered above")
                .split('/')
                .map(|seg| match seg.strip_prefix("dot-") {
                    Some(rest) => format!(".{rest}"),
                    None => seg.to_string(),
                })
                .collect::<Vec<_>>()
                .join("/");
            let text = self.render(&name, &ctx)?;
            // A skeleton template named `_<anything>` writes several files, each after a
            // `#@ file:<path>` marker, so the skeleton decides which files exist (none for an
            // empty section).
            if path.rsplit('/').next().is_some_and(|n| n.starts_with('_')) {
                let mut many = Collected::default();
                self.collect(&name, "skeleton", None, &text, &mut many)?;
                for (path, text) in many.files {
                    insert_file(&mut files, path, finish(&text))?;
                }
                continue;
            }
            insert_file(&mut files, path, finish(&text))?;
        }
        for text in files.values_mut() {
            if !text.ends_with('\n') {
                text.push('\n');
            }
        }
        let next_steps = if self.has_template("meta/next-steps.txt.tera") {
            finish(&self.render("meta/next-steps.txt.tera", &ctx)?)
        } else {
            String::new()
        };
        Ok(Project {
            name: self.options.name.to_string(),
            files,
            next_steps,
            fragments: collected_fragments,
        })
    }
}

fn insert_file(
    files: &mut BTreeMap<String, String>,
    path: String,
    content: String,
) -> Result<(), ScaffoldError> {
    if files.contains_key(&path) {
        return Err(ScaffoldError::DuplicateFile { path });
    }
    files.insert(path, content);
    Ok(())
}

/// A fragment body without trailing spaces, leading and trailing blank lines or runs of blank
/// lines, ending in one newline (or empty).
fn tidy(text: &str) -> String {
    let mut out = String::new();
    let mut blank = 0;
    for line in text.lines() {
        let line = line.trim_end();
        if line.is_empty() {
            blank += 1;
            continue;
        }
        if !out.is_empty() && blank > 0 {
            out.push('\n');
        }
        blank = 0;
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// A whole rendered file: trailing spaces stripped and runs of blank lines collapsed to one.
fn finish(text: &str) -> String {
    let mut out = String::new();
    let mut blank = 0;
    for line in text.lines() {
        let line = line.trim_end();
        if line.is_empty() {
            blank += 1;
            if blank > 1 {
                continue;
            }
        } else {
            blank = 0;
        }
        out.push_str(line);
        out.push('\n');
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

/// Keys at column 0 of a fragment (`Name:`), i.e. what it declares in its section.
fn top_level_keys(text: &str) -> Vec<String> {
    text.lines()
        .filter(|l| !l.starts_with([' ', '#', '-']) && !l.is_empty())
        .filter_map(|l| l.strip_suffix(':'))
        .filter(|k| k.chars().all(|c| c.is_ascii_alphanumeric()))
        .map(str::to_string)
        .collect()
}

/// Keys of a YAML mapping fragment's top-level `KEY: value` lines.
fn mapping_keys(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|l| l.split_once(':').map(|(k, _)| k))
        .filter(|k| !k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
        .map(str::to_string)
        .collect()
}

/// `(logical id, type)` of each resource in a Resources fragment.
fn resource_types(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        if !line.starts_with([' ', '#']) && line.ends_with(':') {
            current = Some(line.trim_end_matches(':').to_string());
        } else if let (Some(id), Some(ty)) = (&current, line.strip_prefix("  Type: ")) {
            out.push((id.clone(), ty.trim().to_string()));
            current = None;
        }
    }
    out
}

/// The declared parameters with their default and per-environment values, for parameter files.
/// Parameter fragments are plain YAML (no intrinsic functions), so they parse as data; a line
/// `# dev: value` or `# prod: value` inside a parameter gives that environment its own value.
fn parse_parameters(parts: Option<&Vec<(String, String)>>) -> Vec<Value> {
    let mut out = Vec::new();
    for (_, text) in parts.into_iter().flatten() {
        let mut current: Option<Map<String, Value>> = None;
        for line in text.lines() {
            if !line.starts_with([' ', '#']) && line.ends_with(':') {
                if let Some(p) = current.take() {
                    out.push(Value::Object(p));
                }
                let mut m = Map::new();
                m.insert(
                    "name".into(),
                    Value::String(line.trim_end_matches(':').into()),
                );
                current = Some(m);
                continue;
            }
            let Some(p) = current.as_mut() else { continue };
            let t = line.trim();
            for (prefix, key) in [
                ("Default: ", "default"),
                ("# dev: ", "dev"),
                ("# prod: ", "prod"),
            ] {
                if let Some(v) = t.strip_prefix(prefix) {
                    p.insert(key.into(), Value::String(unquote(v)));
                }
            }
        }
        if let Some(p) = current.take() {
            out.push(Value::Object(p));
        }
    }
    for p in &mut out {
        let default = p
            .get("default")
            .cloned()
            .unwrap_or(Value::String(String::new()));
        for env in ["dev", "prod"] {
            if p.get(env).is_none() {
                p[env] = default.clone();
            }
        }
    }
    out
}

fn unquote(v: &str) -> String {
    let v = v.trim();
    if v.len() >= 2 && v.starts_with('"') && v.ends_with('"') {
        serde_json::from_str::<String>(v).unwrap_or_else(|_| v[1..v.len() - 1].to_string())
    } else {
        v.to_string()
    }
}

/// Renames every reference `.<name>` that ends at an identifier boundary:
/// `aws_s3_bucket.access_logs.id`, `local.azs[0]` and `depends_on = [aws_s3_bucket_policy.access_logs]`
/// alike, but not `.access_logs_policy` (another name that only starts the same).
fn rename_references(text: &str, name: &str, to: &str) -> String {
    let needle = format!(".{name}");
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(&needle) {
        let end = at + needle.len();
        let boundary = !rest[end..]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        out.push_str(&rest[..=at]);
        out.push_str(if boundary { to } else { name });
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// `grant | allowing_only(calls="a:B c:D")`: the grant with each statement cut to the actions
/// named, and statements left with none dropped; the key statements (`kms:`) stay whole, since the
/// calls need them on an encrypted target. The templates narrow a connection's access this way to
/// the calls its source's generated code makes (`calls` of macros/function.tera); with no calls
/// named, the grant is unchanged.
fn allowing_only(
    grant: minijinja::Value,
    kwargs: minijinja::value::Kwargs,
) -> Result<minijinja::Value, minijinja::Error> {
    let calls: String = kwargs.get("calls")?;
    kwargs.assert_all_used()?;
    let calls: BTreeSet<&str> = calls.split_whitespace().collect();
    if grant.is_none() || grant.is_undefined() {
        return Ok(grant);
    }
    let mut grant = serde_json::to_value(&grant).map_err(|e| {
        minijinja::Error::new(minijinja::ErrorKind::InvalidOperation, e.to_string())
    })?;
    if calls.is_empty() {
        return Ok(minijinja::Value::from_serialize(&grant));
    }
    let Some(statements) = grant.get_mut("statements").and_then(Value::as_array_mut) else {
        return Err(minijinja::Error::new(
            minijinja::ErrorKind::InvalidOperation,
            "`allowing_only` needs a grant, with `statements`",
        ));
    };
    statements.retain_mut(|s| {
        if let Some(actions) = s.get_mut("actions").and_then(Value::as_array_mut) {
            actions.retain(|a| {
                a.as_str()
                    .is_some_and(|a| a.starts_with("kms:") || calls.contains(a))
            });
            !actions.is_empty()
        } else {
            false
        }
    });
    Ok(minijinja::Value::from_serialize(&grant))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pattern(yaml: &str) -> Pattern {
        crate::loader::load_str("test.yaml", yaml)
            .expect("loads")
            .resolve(&[])
            .expect("resolves")
    }

    const OPTIONS: Options = Options {
        target: "terraform",
        name: "t",
        region: None,
    };

    #[test]
    fn allowing_only_cuts_statements_to_the_calls_named_and_keeps_key_statements() {
        let grant = json!({"access": "write", "env": [], "ingress": null, "statements": [
            {"sid": "WriteB", "actions": ["s3:PutObject", "s3:AbortMultipartUpload"], "resources": []},
            {"sid": "WriteB2", "actions": ["s3:ListBucket"], "resources": []},
            {"sid": "WriteBKeyK", "actions": ["kms:Decrypt", "kms:GenerateDataKey"], "resources": []},
        ]});
        let mut env = Environment::new();
        filters::register(&mut env);
        env.add_filter("allowing_only", allowing_only);
        let narrow = |calls: &str| {
            let out = env
                .render_str(
                    "{{ grant | allowing_only(calls=calls) | json_encode }}",
                    minijinja::context! { grant => grant.clone(), calls => calls },
                )
                .expect("renders");
            serde_json::from_str::<Value>(&out).expect("json")
        };
        let sids_and_actions = |v: &Value| -> Vec<(String, Vec<String>)> {
            v["statements"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| {
                    let actions = s["actions"].as_array().unwrap().iter();
                    let actions = actions.map(|a| a.as_str().unwrap().to_string()).collect();
                    (s["sid"].as_str().unwrap().to_string(), actions)
                })
                .collect()
        };
        let narrowed = narrow("s3:PutObject");
        assert_eq!(
            sids_and_actions(&narrowed),
            [
                ("WriteB".to_string(), vec!["s3:PutObject".to_string()]),
                (
                    "WriteBKeyK".to_string(),
                    vec!["kms:Decrypt".to_string(), "kms:GenerateDataKey".to_string()]
                ),
            ]
        );
        assert_eq!(narrowed["access"], "write");
        assert_eq!(narrow(""), grant);
        let err = env
            .render_str("{{ 1 | allowing_only(calls='x') }}", minijinja::context! {})
            .unwrap_err();
        assert!(err.to_string().contains("needs a grant"), "{err}");
    }

    #[test]
    fn a_second_region_renames_every_reference_to_a_name_made_once() {
        let text = "bucket = aws_s3_bucket.access_logs.id\naz = local.azs[0]\n\
                    depends_on = [aws_s3_bucket_policy.access_logs]\n\
                    x = [a.access_logs, b.access_logs_policy]\n";
        let got = rename_references(
            &rename_references(text, "access_logs", "access_logs_dr"),
            "azs",
            "azs_dr",
        );
        assert_eq!(
            got,
            "bucket = aws_s3_bucket.access_logs_dr.id\naz = local.azs_dr[0]\n\
             depends_on = [aws_s3_bucket_policy.access_logs_dr]\n\
             x = [a.access_logs_dr, b.access_logs_policy]\n"
        );
    }

    #[test]
    fn a_broken_data_file_is_one_located_line() {
        let e = serde_saphyr::from_str::<BTreeMap<String, BTreeMap<String, String>>>("lambda: [\n")
            .unwrap_err();
        assert_eq!(
            yaml_error("tpl/terraform/meta/refs.yaml", &e),
            "cannot parse `tpl/terraform/meta/refs.yaml`: line 1, column 9: expected a mapping of `key: value` lines here"
        );
    }

    const WORKER: &str = "id: t\ntitle: T\nsummary: s\ncomponents:\n  - { id: worker, kind: lambda }\n  - { id: files, kind: s3-bucket }\n  - { id: jobs, kind: sqs-queue }\n  - { id: key, kind: kms-key }\nconnections:\n  - { from: worker, to: files, kind: read-write }\n  - { from: worker, to: jobs, kind: consume }\n  - { from: jobs, to: key, kind: read }\n";

    #[test]
    fn access_is_composed_from_catalog_statements_and_target_refs() {
        let p = pattern(WORKER);
        let engine = Engine::new(&p, &OPTIONS).unwrap();
        let e = p.edges().next().unwrap();
        let grant = engine.grant(&e).unwrap().expect("lambda is a principal");
        assert_eq!(grant["statements"][0]["sid"], "ReadWriteFiles");
        assert_eq!(
            grant["statements"][0]["resources"][0],
            json!({"ref": "aws_s3_bucket.files.arn", "suffix": "/*", "attr": "arn"})
        );
        assert_eq!(grant["statements"][1]["sid"], "ReadWriteFiles2");
        assert_eq!(grant["statements"][1]["actions"], json!(["s3:ListBucket"]));
        assert_eq!(
            grant["env"],
            json!([{"name": "FILES_NAME", "ref": "aws_s3_bucket.files.id"}])
        );
        assert_eq!(grant["ingress"], Value::Null);
    }

    #[test]
    fn a_target_encrypted_with_a_key_adds_the_key_actions() {
        let p = pattern(WORKER);
        let engine = Engine::new(&p, &OPTIONS).unwrap();
        let e = p.edges().nth(1).unwrap();
        let grant = engine.grant(&e).unwrap().unwrap();
        let last = grant["statements"].as_array().unwrap().last().unwrap();
        assert_eq!(last["sid"], "ConsumeJobsKeyKey");
        assert_eq!(last["actions"], json!(["kms:Decrypt"]));
        assert_eq!(last["resources"][0]["ref"], "aws_kms_key.key.arn");
    }

    #[test]
    fn a_source_without_a_role_gets_no_grant() {
        let p = pattern(WORKER);
        let engine = Engine::new(&p, &OPTIONS).unwrap();
        let e = p.edges().nth(2).unwrap();
        assert_eq!(engine.grant(&e).unwrap(), None);
    }

    #[test]
    fn the_embedded_meta_json_is_the_same_data_as_its_yaml() {
        assert!(META_JSON.iter().all(|(_, json)| !json.is_empty()));
        assert!(META_JSON.len() >= 9, "{} data files", META_JSON.len());
        for (key, json) in META_JSON {
            let (target, path) = key.split_once('/').unwrap();
            let text = template_file(target, path).unwrap();
            let yaml: Value = serde_saphyr::from_str(text).unwrap();
            let from_json: Value = serde_json::from_str(json).unwrap();
            assert_eq!(yaml, from_json, "{key}");
        }
    }

    #[test]
    fn every_target_sees_the_shared_templates_under_its_own() {
        assert!(!targets().contains_key(SHARED));
        for name in ["cloudformation", "terraform", "cdk"] {
            let target = loaded(name).unwrap().as_ref().unwrap();
            assert_eq!(
                target.shown["app/lambda.tera"],
                "templates/_shared/app/lambda.tera"
            );
            // A target's own file of a shared path would win; the boot script is each target's.
            assert_eq!(
                target.shown["app/ec2-asg.tera"],
                format!("templates/{name}/app/ec2-asg.tera")
            );
        }
    }

    #[test]
    fn every_template_of_every_target_parses() {
        for name in targets().keys() {
            let target = loaded(name)
                .expect("listed")
                .as_ref()
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            target
                .environment(target.template_names().collect::<Vec<_>>())
                .unwrap_or_else(|e| panic!("templates/{name}: {e}"));
        }
    }

    /// A target of the given files, the first shown as an overlay file.
    fn target_of(files: &[(&str, &str)]) -> &'static Target {
        let files: BTreeMap<String, Cow<'static, str>> = files
            .iter()
            .map(|(n, t)| (n.to_string(), Cow::Owned(t.to_string())))
            .collect();
        let shown = files
            .keys()
            .enumerate()
            .map(|(i, n)| {
                let dir = if i == 0 { "mine/x" } else { "templates/x" };
                (n.clone(), format!("{dir}/{n}"))
            })
            .collect();
        Box::leak(Box::new(Target {
            files,
            shown,
            refs: BTreeMap::new(),
            limits: Limits::default(),
            data: Map::new(),
        }))
    }

    #[test]
    fn template_errors_name_the_file_and_line_to_fix() {
        let broken = target_of(&[("a.tera", "ok\n{% if %}\n")]);
        assert_eq!(
            broken.environment(["a.tera"]).err().as_deref(),
            Some("cannot parse `mine/x/a.tera`: line 2: unexpected end of block")
        );
        let t = target_of(&[
            ("a.tera", "{% import \"m.tera\" as m %}\n{{ m.f(x=1) }}"),
            ("b.tera", "{{ 1 }}\n{{ throw(message=\"say why\") }}"),
            ("c.tera", "{{ nope }}"),
            ("d.tera", "{{ [] | replace(from=\"a\", to=\"b\") }}"),
            (
                "m.tera",
                "{% macro f(x) %}\n{{ x | ts_str(extra=1) }}{% endmacro %}",
            ),
        ]);
        let env = t
            .environment(["a.tera", "b.tera", "c.tera", "d.tera"])
            .unwrap();
        let render = |name: &str| {
            let e = env
                .get_template(name)
                .unwrap()
                .render(Context::new())
                .unwrap_err();
            t.error_message(&e)
        };
        assert_eq!(render("b.tera"), "`templates/x/b.tera` line 2: say why");
        assert_eq!(
            render("c.tera"),
            "`templates/x/c.tera` line 1: printing a value that is not defined"
        );
        assert_eq!(
            render("d.tera"),
            "`templates/x/d.tera` line 1: `replace` expects a string, got a sequence"
        );
        assert!(render("a.tera").contains("m.tera"), "{}", render("a.tera"));
    }

    #[test]
    fn only_the_templates_a_pattern_needs_are_parsed_with_their_imports() {
        assert_eq!(
            referenced_templates(
                "{%- import \"macros/hcl.tera\" as hcl -%}\n{% include \"x.tera\" %}"
            ),
            vec!["macros/hcl.tera", "x.tera"]
        );
    }

    #[test]
    fn gaps_name_the_line_and_what_to_add() {
        let gap = Gap {
            line: 12,
            subject: "component `db` (`aurora-cluster`)".into(),
            need: "add `templates/x/components/aurora-cluster.tf.tera`".into(),
        };
        let e = ScaffoldError::Gaps {
            target: "terraform".into(),
            pattern: "p.yaml".into(),
            gaps: vec![gap.clone(), Gap { line: 0, ..gap }],
        };
        assert_eq!(
            e.to_string(),
            "the `terraform` target cannot generate 2 parts of `p.yaml`:\n  p.yaml:12: component `db` (`aurora-cluster`): add `templates/x/components/aurora-cluster.tf.tera`\n  component `db` (`aurora-cluster`): add `templates/x/components/aurora-cluster.tf.tera`"
        );
    }

    #[test]
    fn tidy_and_finish_normalise_whitespace() {
        assert_eq!(tidy("\n\na:  \n\n\n  b\n\n"), "a:\n\n  b\n");
        assert_eq!(finish("a\n\n\n\nb\n\n"), "a\n\nb\n");
    }

    #[test]
    fn fragments_list_their_keys_and_types() {
        let t = "Fn:\n  Type: AWS::Lambda::Function\n  Properties:\n    X: 1\nRole:\n  Type: AWS::IAM::Role\n";
        assert_eq!(
            resource_types(t),
            vec![
                ("Fn".to_string(), "AWS::Lambda::Function".to_string()),
                ("Role".to_string(), "AWS::IAM::Role".to_string())
            ]
        );
        assert_eq!(top_level_keys(t), vec!["Fn", "Role"]);
    }

    #[test]
    fn parameters_carry_environment_values() {
        let parts = vec![(
            "db".to_string(),
            "DbMultiAz:\n  Type: String\n  Default: \"true\"\n  # dev: \"false\"\n".to_string(),
        )];
        let p = parse_parameters(Some(&parts));
        assert_eq!(
            p,
            vec![json!({"name": "DbMultiAz", "default": "true", "dev": "false", "prod": "true"})]
        );
    }

    /// The mock values of Terraform's offline plan gate name every AWS type the templates declare,
    /// so that a new type cannot slip past the mocks unnoticed.
    #[test]
    fn terraform_mocks_cover_every_declared_type() {
        let target = load_target("terraform").unwrap();
        let mocks = &target.data["mocks"];
        let declared = regex::Regex::new(r#"(?m)^\s*(resource|data) "(aws_[a-z0-9_]+)""#).unwrap();
        let mut missing = BTreeSet::new();
        for text in target.files.values() {
            for m in declared.captures_iter(text) {
                let (section, ty) = (
                    if &m[1] == "resource" {
                        "resources"
                    } else {
                        "data"
                    },
                    &m[2],
                );
                let known = mocks[section].get(ty).is_some()
                    || mocks[format!("unmocked_{section}")]
                        .as_array()
                        .is_some_and(|list| list.iter().any(|t| t == ty));
                if !known {
                    missing.insert(ty.to_string());
                }
            }
        }
        assert!(
            missing.is_empty(),
            "`meta/mocks.yaml` lacks {missing:?}: run scripts/terraform-mocks.py"
        );
    }
}
