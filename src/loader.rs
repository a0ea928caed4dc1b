//! Reads a pattern file, checks it against the catalog and reports every problem with its line and
//! column. Nothing else in archpat reads YAML.
//!
//! Loading is two steps: [`load_str`] checks the file and gives a [`Definition`]; then
//! [`Definition::resolve`] applies parameter values (`--set`) and builds the [`Pattern`] graph.

mod raw;

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::path::Path;

use indexmap::IndexMap;
use petgraph::graph::DiGraph;
use serde_json::Value;
use serde_saphyr::Spanned;

use crate::catalog::{Catalog, ValueSpec, did_you_mean, display_value};
use crate::model::{Component, Connection, Group, Pattern, Step};
use raw::{Located, RawPattern};

/// Pattern files are hand-written YAML of a few kilobytes; anything this big is a mistake, and
/// refusing it early keeps a stray log file from eating memory.
pub const MAX_FILE_BYTES: usize = 1024 * 1024;

/// One problem in a pattern file, located.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub line: u64,
    pub column: u64,
    pub message: String,
    pub hint: Option<String>,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.line, self.column, self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, "\n  hint: {hint}")?;
        }
        Ok(())
    }
}

/// Why a pattern file could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("cannot read `{path}`")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "`{path}` is empty; a pattern needs at least `id`, `title`, `summary` and `components`"
    )]
    Empty { path: String },
    #[error(
        "`{path}` is not a text file (it holds binary data); pass a YAML pattern file (see docs/patterns.md)"
    )]
    Binary { path: String },
    #[error(
        "`{path}` is not UTF-8 text: line {line} holds a byte that is not UTF-8; save the file as UTF-8"
    )]
    NotUtf8 { path: String, line: usize },
    #[error(
        "`{path}` is {size} bytes; pattern files are limited to {MAX_FILE_BYTES} bytes, so this is probably not a pattern file"
    )]
    TooLarge { path: String, size: u64 },
    #[error("{}", render_diagnostics(path, diagnostics))]
    Invalid {
        path: String,
        diagnostics: Vec<Diagnostic>,
    },
}

fn render_diagnostics(path: &str, diagnostics: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in diagnostics {
        out.push_str(&format!("{path}:{d}\n"));
    }
    let n = diagnostics.len();
    out.push_str(&format!(
        "`{path}` has {n} error{}",
        if n == 1 { "" } else { "s" }
    ));
    out
}

/// Why parameter values could not be applied to a pattern.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ResolveError {
    #[error("pattern `{pattern}` has no parameter `{name}`{}", hint_suffix(.hint, .known))]
    UnknownParameter {
        pattern: String,
        name: String,
        hint: Option<String>,
        known: Vec<String>,
    },
    #[error("bad value for parameter `{name}`: expected {expected}")]
    BadValue { name: String, expected: String },
    #[error("`--set {text}` is not of the form `name=value`")]
    BadSet { text: String },
    #[error(
        "parameter values make property `{property}` of `{component}` invalid: expected {expected}"
    )]
    BadProperty {
        component: String,
        property: String,
        expected: String,
    },
    #[error(
        "VPCs `{first}` and `{second}` both use the address range `{cidr}`; give one of them another `cidr` (such as 10.1.0.0/16) so they can be peered"
    )]
    OverlappingVpcs {
        first: String,
        second: String,
        cidr: String,
    },
    #[error(
        "VPC `{vpc}` is drawn across {drawn} availability zones (`azs`) but parameter `az_count` deploys {count}; give `azs` the value `${{az_count}}` so the two agree"
    )]
    ZoneCounts { vpc: String, drawn: i64, count: i64 },
}

fn hint_suffix(hint: &Option<String>, known: &[String]) -> String {
    match (hint, known.is_empty()) {
        (Some(h), _) => format!("; did you mean `{h}`?"),
        (None, true) => "; it takes no parameters".to_string(),
        (None, false) => format!("; its parameters are: {}", known.join(", ")),
    }
}

/// A `when` condition on a component or connection.
#[derive(Debug, Clone, PartialEq)]
enum Condition {
    Flag {
        name: String,
        expect: bool,
    },
    Compare {
        name: String,
        value: String,
        equal: bool,
    },
}

impl Condition {
    fn holds(&self, values: &IndexMap<String, Value>) -> bool {
        match self {
            Condition::Flag { name, expect } => values.get(name) == Some(&Value::Bool(*expect)),
            Condition::Compare { name, value, equal } => {
                (values.get(name).map(display_value).as_deref() == Some(value.as_str())) == *equal
            }
        }
    }

    fn name(&self) -> &str {
        match self {
            Condition::Flag { name, .. } | Condition::Compare { name, .. } => name,
        }
    }

    fn parse(text: &str) -> Result<Condition, String> {
        let text = text.trim();
        for (op, equal) in [("==", true), ("!=", false)] {
            if let Some((name, value)) = text.split_once(op) {
                let value = value.trim().trim_matches('"').trim_matches('\'');
                return Ok(Condition::Compare {
                    name: name.trim().to_string(),
                    value: value.to_string(),
                    equal,
                });
            }
        }
        let (name, expect) = match text.strip_prefix('!') {
            Some(rest) => (rest.trim(), false),
            None => (text, true),
        };
        if name.is_empty() || name.contains(char::is_whitespace) {
            return Err(format!(
                "cannot read condition `{text}`; write `name`, `!name`, `name == value` or `name != value`"
            ));
        }
        Ok(Condition::Flag {
            name: name.to_string(),
            expect,
        })
    }
}

/// A checked pattern file, not yet resolved with parameter values.
#[derive(Debug)]
pub struct Definition {
    source: String,
    raw: RawPattern,
    /// Group indices in an order where each parent precedes its children.
    group_order: Vec<usize>,
}

fn is_identifier(id: &str) -> bool {
    let mut chars = id.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}

/// Replaces `${name}` references in a property value. A string that is exactly one reference
/// takes the parameter's value with its type; `$${` is a literal `${`.
fn substitute(value: &Value, values: &IndexMap<String, Value>) -> Result<Value, String> {
    let Value::String(text) = value else {
        return Ok(value.clone());
    };
    if let Some(name) = text.strip_prefix("${").and_then(|t| t.strip_suffix('}'))
        && !name.contains(['$', '{', '}'])
    {
        return values.get(name).cloned().ok_or_else(|| name.to_string());
    }
    let mut out = String::new();
    let mut rest = text.as_str();
    while let Some(pos) = rest.find('$') {
        out.push_str(&rest[..pos]);
        let tail = &rest[pos..];
        if let Some(after) = tail.strip_prefix("$${") {
            out.push_str("${");
            rest = after;
        } else if let Some(after) = tail.strip_prefix("${") {
            let end = after.find('}').ok_or_else(|| after.to_string())?;
            let name = &after[..end];
            let v = values.get(name).ok_or_else(|| name.to_string())?;
            out.push_str(&display_value(v));
            rest = &after[end + 1..];
        } else {
            out.push('$');
            rest = &tail[1..];
        }
    }
    out.push_str(rest);
    Ok(Value::String(out))
}

struct Checker<'a> {
    catalog: &'a Catalog,
    diagnostics: Vec<Diagnostic>,
}

impl Checker<'_> {
    fn error(&mut self, at: &Located, message: String, hint: Option<String>) {
        self.error_at(at.referenced, message, hint);
    }

    fn error_at(&mut self, at: serde_saphyr::Location, message: String, hint: Option<String>) {
        self.diagnostics.push(Diagnostic {
            line: at.line(),
            column: at.column(),
            message,
            hint,
        });
    }

    fn suggest<'c>(name: &str, candidates: impl IntoIterator<Item = &'c str>) -> Option<String> {
        did_you_mean(name, candidates).map(|c| format!("did you mean `{c}`?"))
    }

    /// Checks a map of properties against their specs, with parameter references resolved
    /// through `values` (the defaults, at load time).
    fn properties(
        &mut self,
        owner: &str,
        props: &IndexMap<String, Spanned<Value>>,
        specs: &IndexMap<String, ValueSpec>,
        values: &IndexMap<String, Value>,
    ) {
        for (name, value) in props {
            let Some(spec) = specs.get(name) else {
                let hint = Self::suggest(name, specs.keys().map(String::as_str)).or_else(|| {
                    Some(if specs.is_empty() {
                        format!("{owner} takes no properties")
                    } else {
                        format!(
                            "{owner} takes: {}",
                            specs.keys().cloned().collect::<Vec<_>>().join(", ")
                        )
                    })
                });
                self.error_at(
                    value.referenced,
                    format!("unknown property `{name}` for {owner}"),
                    hint,
                );
                continue;
            };
            match substitute(&value.value, values) {
                Err(param) => {
                    let hint = Self::suggest(&param, values.keys().map(String::as_str))
                        .or_else(|| Some("declare it under `parameters`".to_string()));
                    self.error_at(
                        value.referenced,
                        format!("property `{name}` refers to unknown parameter `{param}`"),
                        hint,
                    );
                }
                Ok(v) => {
                    if let Err(expected) = spec.check(&v) {
                        self.error_at(
                            value.referenced,
                            format!(
                                "bad value for property `{name}` of {owner}: expected {expected}"
                            ),
                            (!spec.help.is_empty()).then(|| spec.help.clone()),
                        );
                    }
                }
            }
        }
    }

    fn condition(&mut self, when: &Option<Located>, params: &IndexMap<String, Spanned<ValueSpec>>) {
        let Some(when) = when else { return };
        match Condition::parse(&when.value) {
            Err(message) => self.error(when, message, None),
            Ok(cond) => {
                let name = cond.name();
                match params.get(name) {
                    None => {
                        let hint = Self::suggest(name, params.keys().map(String::as_str))
                            .or_else(|| Some("declare it under `parameters`".into()));
                        self.error(
                            when,
                            format!("condition refers to unknown parameter `{name}`"),
                            hint,
                        )
                    }
                    Some(spec) => {
                        let is_bool = spec.value.ty == crate::catalog::ValueType::Boolean;
                        if matches!(cond, Condition::Flag { .. }) && !is_bool {
                            self.error(
                                when,
                                format!(
                                    "condition `{}` needs a boolean parameter; `{name}` is a {}",
                                    when.value, spec.value.ty
                                ),
                                Some(format!("compare it instead: `{name} == value`")),
                            );
                        }
                    }
                }
            }
        }
    }
}

/// Reads and checks a pattern file from disk.
pub fn load_file(path: &Path) -> Result<Definition, LoadError> {
    let shown = path.display().to_string();
    let meta = std::fs::metadata(path).map_err(|source| LoadError::Read {
        path: shown.clone(),
        source,
    })?;
    if meta.len() > MAX_FILE_BYTES as u64 {
        return Err(LoadError::TooLarge {
            path: shown,
            size: meta.len(),
        });
    }
    let bytes = std::fs::read(path).map_err(|source| LoadError::Read {
        path: shown.clone(),
        source,
    })?;
    load_bytes(&shown, &bytes)
}

/// Checks a pattern given as bytes; `source` names it in messages.
pub fn load_bytes(source: &str, bytes: &[u8]) -> Result<Definition, LoadError> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(LoadError::TooLarge {
            path: source.to_string(),
            size: bytes.len() as u64,
        });
    }
    if bytes.contains(&0) {
        return Err(LoadError::Binary {
            path: source.to_string(),
        });
    }
    let text = std::str::from_utf8(bytes).map_err(|e| LoadError::NotUtf8 {
        path: source.to_string(),
        line: 1 + bytes[..e.valid_up_to()]
            .iter()
            .filter(|&&b| b == b'\n')
            .count(),
    })?;
    load_str(source, text)
}

/// Checks a pattern given as text; `source` names it in messages.
/// The YAML budget of a pattern file: far above any real pattern (a generated 2,000-component
/// one has about 40,000 nodes), far below the parser's defaults, so that a file of anchors and
/// aliases that expands without end is refused in milliseconds rather than a second.
fn yaml_options() -> serde_saphyr::Options {
    let mut budget = serde_saphyr::Budget::default();
    budget.max_nodes = 100_000;
    budget.max_recorded_anchor_events = 20_000;
    budget.max_events = 200_000;
    budget.max_aliases = 5_000;
    let mut options = serde_saphyr::Options::default();
    options.budget = Some(budget);
    options
}

pub fn load_str(source: &str, text: &str) -> Result<Definition, LoadError> {
    load_str_with(Catalog::builtin(), source, text)
}

pub fn load_str_with(catalog: &Catalog, source: &str, text: &str) -> Result<Definition, LoadError> {
    let invalid = |diagnostics| LoadError::Invalid {
        path: source.to_string(),
        diagnostics,
    };
    if text
        .lines()
        .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#') || l.trim() == "---")
    {
        return Err(LoadError::Empty {
            path: source.to_string(),
        });
    }
    let raw: RawPattern =
        serde_saphyr::from_str_with_options(text, yaml_options()).map_err(|e| {
            let (line, column) = e
                .location()
                .map(|l| (l.line(), l.column()))
                .unwrap_or((1, 1));
            invalid(vec![Diagnostic {
                line,
                column,
                message: syntax_message(&e),
                hint: Some("see docs/patterns.md for the pattern file format".to_string()),
            }])
        })?;
    let mut checker = Checker {
        catalog,
        diagnostics: Vec::new(),
    };
    let group_order = check(&mut checker, &raw);
    if checker.diagnostics.is_empty() {
        Ok(Definition {
            source: source.to_string(),
            raw,
            group_order,
        })
    } else {
        let mut diagnostics = checker.diagnostics;
        diagnostics.sort_by_key(|d| (d.line, d.column));
        Err(invalid(diagnostics))
    }
}

/// The parser's message without its own location prefix or source snippet: the caller adds the
/// file, line and column in archpat's format.
pub(crate) fn syntax_message(error: &serde_saphyr::Error) -> String {
    let full = error.without_snippet().to_string();
    let first = full.lines().next().unwrap_or("invalid YAML").trim();
    let message = first
        .strip_prefix("error: ")
        .unwrap_or(first)
        .split(" at line ")
        .next()
        .unwrap_or(first)
        .trim();
    let message = message.strip_suffix('.').unwrap_or(message);
    // The parser's wording for a few mistakes names its own API or types; say it in the file's terms.
    let plain = [
        (
            "multiple YAML documents",
            "a pattern file holds one YAML document; remove the `---` line and what follows it, or split the file in two",
        ),
        (
            "budget breached",
            "the file expands to too much YAML (anchors and aliases that repeat content, or very deep nesting); write the pattern out plainly",
        ),
        (
            "recursion limit exceeded",
            "the file nests too deeply; a pattern is a few levels of plain YAML",
        ),
        (
            "expected mapping start",
            "expected a mapping of `key: value` lines here",
        ),
        (
            "expected sequence start",
            "expected a list here (`- item` lines or `[a, b]`)",
        ),
        (
            "expected string scalar",
            "expected a text value here, not a list or a mapping",
        ),
    ];
    let message = plain
        .iter()
        .find(|(parser, _)| message.starts_with(parser))
        .map_or(message, |(_, ours)| ours);
    let mut lower = message.to_string();
    if let Some(c) = lower.get(..1) {
        lower.replace_range(..1, &c.to_lowercase());
    }
    lower
}

/// All checks of a parsed file; returns the group order (parents first) for later resolution.
fn check(c: &mut Checker<'_>, raw: &RawPattern) -> Vec<usize> {
    let catalog = c.catalog;
    if !is_identifier(&raw.id.value) {
        c.error(
            &raw.id,
            format!("pattern id `{}` is not a valid id", raw.id.value),
            Some("use lowercase letters, digits and `-`, starting with a letter".into()),
        );
    }
    for topic in &raw.topics {
        if catalog.roadmap.phase_of(&topic.value).is_none() {
            let hint = Checker::suggest(&topic.value, catalog.roadmap.sections()).or_else(|| {
                Some(
                    "topics are the roadmap's section names; `archpat list --topics` prints them"
                        .into(),
                )
            });
            c.error(
                topic,
                format!("unknown roadmap topic `{}`", topic.value),
                hint,
            );
        }
    }

    // Parameters: each default must satisfy its own spec.
    let mut defaults = IndexMap::new();
    for (name, spec) in &raw.parameters {
        if !is_identifier(name) {
            c.error_at(
                spec.referenced,
                format!("parameter name `{name}` is not a valid name"),
                Some("use lowercase letters, digits and `_`".into()),
            );
        }
        if let (Some(min), Some(max)) = (spec.value.min, spec.value.max)
            && min > max
        {
            c.error_at(
                spec.referenced,
                format!("parameter `{name}` has `min: {min}` above `max: {max}`"),
                Some("swap them, or drop one".into()),
            );
            if let Some(d) = &spec.value.default {
                defaults.insert(name.clone(), d.clone());
            }
            continue;
        }
        match &spec.value.default {
            None => c.error_at(
                spec.referenced,
                format!("parameter `{name}` has no `default`"),
                Some("every parameter needs a default so the pattern works without `--set`".into()),
            ),
            Some(d) => {
                if let Err(expected) = spec.value.check(d) {
                    c.error_at(
                        spec.referenced,
                        format!("default of parameter `{name}` is invalid: expected {expected}"),
                        None,
                    );
                }
                defaults.insert(name.clone(), d.clone());
            }
        }
    }

    // Groups: unique ids, known kinds, known parents, allowed nesting, no cycles.
    let mut group_index: HashMap<&str, usize> = HashMap::new();
    for (i, g) in raw.groups.iter().enumerate() {
        if !is_identifier(&g.id.value) {
            c.error(
                &g.id,
                format!("group id `{}` is not a valid id", g.id.value),
                Some("use lowercase letters, digits, `-` and `_`, starting with a letter".into()),
            );
        }
        if group_index.insert(&g.id.value, i).is_some() {
            c.error(
                &g.id,
                format!("duplicate group id `{}`", g.id.value),
                Some("give each group its own id".into()),
            );
        }
    }
    let group_kind_names = || catalog.groups.keys().map(String::as_str);
    for g in &raw.groups {
        match catalog.groups.get(&g.kind.value) {
            None => {
                let hint = Checker::suggest(&g.kind.value, group_kind_names()).or_else(|| {
                    Some(format!(
                        "group kinds are: {}",
                        group_kind_names().collect::<Vec<_>>().join(", ")
                    ))
                });
                c.error(
                    &g.kind,
                    format!("unknown group kind `{}`", g.kind.value),
                    hint,
                );
            }
            Some(kind) => {
                let owner = format!("group kind `{}`", g.kind.value);
                c.properties(&owner, &g.properties, &kind.properties, &defaults);
                let parent_kind = match &g.parent {
                    None => Some("root"),
                    Some(p) => group_index
                        .get(p.value.as_str())
                        .map(|&pi| raw.groups[pi].kind.value.as_str()),
                };
                if let Some(pk) = parent_kind
                    && (catalog.groups.contains_key(pk) || pk == "root")
                    && !kind.parents.iter().any(|k| k == pk)
                {
                    let at = g.parent.as_ref().unwrap_or(&g.kind);
                    let place = if pk == "root" {
                        "at the top level".to_string()
                    } else {
                        format!("inside a `{pk}` group")
                    };
                    c.error(
                        at,
                        format!("a `{}` group cannot sit {place}", g.kind.value),
                        Some(format!(
                            "a `{}` group may sit in: {}",
                            g.kind.value,
                            kind.parents.join(", ").replace("root", "the top level")
                        )),
                    );
                }
            }
        }
        if let Some(p) = &g.parent
            && !group_index.contains_key(p.value.as_str())
        {
            let hint = Checker::suggest(&p.value, group_index.keys().copied());
            c.error(
                p,
                format!("group `{}` has unknown parent `{}`", g.id.value, p.value),
                hint,
            );
        }
    }
    // Two VPCs with the same range by default: located here; `--set` values are checked again
    // when resolving.
    let mut ranges: HashMap<String, &str> = HashMap::new();
    for g in raw.groups.iter().filter(|g| g.kind.value == "vpc") {
        let cidr = match g.properties.get("cidr") {
            Some(v) => substitute(&v.value, &defaults).ok(),
            None => catalog
                .groups
                .get("vpc")
                .and_then(|k| k.properties.get("cidr"))
                .and_then(|spec| spec.default.clone()),
        };
        let Some(Value::String(cidr)) = cidr else {
            continue;
        };
        if let Some(first) = ranges.get(&cidr) {
            c.error(
                &g.id,
                format!(
                    "VPCs `{first}` and `{}` both use the address range `{cidr}`",
                    g.id.value
                ),
                Some(
                    "give one of them another `cidr` (such as 10.1.0.0/16) so they can be peered"
                        .into(),
                ),
            );
        } else {
            ranges.insert(cidr, &g.id.value);
        }
    }
    // The zones diagrams draw (`azs`) against the zones the projects deploy (`az_count`), with the
    // defaults: located here; `--set` values are checked again when resolving.
    if let Some(count) = defaults.get(AZ_COUNT).and_then(zone_count) {
        for g in raw.groups.iter().filter(|g| g.kind.value == "vpc") {
            let Some(azs) = g.properties.get("azs") else {
                continue;
            };
            let drawn = substitute(&azs.value, &defaults).ok();
            if let Some(drawn) = drawn.as_ref().and_then(zone_count)
                && drawn > 1
                && drawn != count
            {
                c.error_at(
                    azs.referenced,
                    format!(
                        "VPC `{}` is drawn across {drawn} availability zones (`azs`) but parameter `{AZ_COUNT}` deploys {count}",
                        g.id.value
                    ),
                    Some(format!(
                        "write `azs: ${{{AZ_COUNT}}}` so the two agree, or `azs: 1` to draw the tiers without zones"
                    )),
                );
            }
        }
    }
    let parent_of = |i: usize| {
        raw.groups[i]
            .parent
            .as_ref()
            .and_then(|p| group_index.get(p.value.as_str()).copied())
    };
    let mut in_cycle = HashSet::new();
    for start in 0..raw.groups.len() {
        let mut seen = vec![start];
        let mut g = start;
        while let Some(p) = parent_of(g) {
            if p == start {
                if seen.iter().all(|s| !in_cycle.contains(s)) {
                    let names: Vec<_> = seen
                        .iter()
                        .rev()
                        .map(|&s| format!("`{}`", raw.groups[s].id.value))
                        .collect();
                    c.error(
                        &raw.groups[start].id,
                        format!("groups form a cycle: {} and back", names.join(" inside ")),
                        Some("a group cannot contain itself; remove one `parent`".into()),
                    );
                }
                in_cycle.extend(seen.iter().copied());
                break;
            }
            if seen.contains(&p) {
                break;
            }
            seen.push(p);
            g = p;
        }
    }
    let mut group_order = Vec::new();
    let mut placed = vec![false; raw.groups.len()];
    while group_order.len() < raw.groups.len() {
        let before = group_order.len();
        for i in 0..raw.groups.len() {
            if !placed[i] && parent_of(i).is_none_or(|p| placed[p]) && !in_cycle.contains(&i) {
                placed[i] = true;
                group_order.push(i);
            }
        }
        if group_order.len() == before {
            break;
        }
    }

    // Components.
    if raw.components.value.is_empty() {
        c.error_at(
            raw.components.referenced,
            "`components` is empty".into(),
            Some("a pattern needs at least one component".into()),
        );
    }
    let mut component_kinds: HashMap<&str, &str> = HashMap::new();
    for comp in &raw.components.value {
        if !is_identifier(&comp.id.value) {
            c.error(
                &comp.id,
                format!("component id `{}` is not a valid id", comp.id.value),
                Some("use lowercase letters, digits, `-` and `_`, starting with a letter".into()),
            );
        }
        if component_kinds
            .insert(&comp.id.value, &comp.kind.value)
            .is_some()
        {
            c.error(
                &comp.id,
                format!("duplicate component id `{}`", comp.id.value),
                Some("give each component its own id".into()),
            );
        }
        match catalog.kind(&comp.kind.value) {
            None => {
                let hint =
                    Checker::suggest(&comp.kind.value, catalog.kinds.keys().map(String::as_str))
                        .or_else(|| Some("`archpat list --kinds` prints the catalog".into()));
                c.error(
                    &comp.kind,
                    format!("unknown component kind `{}`", comp.kind.value),
                    hint,
                );
            }
            Some(kind) => {
                let owner = format!("kind `{}`", kind.kind);
                c.properties(&owner, &comp.properties, &kind.properties, &defaults);
            }
        }
        if let Some(g) = &comp.group
            && !group_index.contains_key(g.value.as_str())
        {
            let hint = Checker::suggest(&g.value, group_index.keys().copied())
                .or_else(|| Some("declare it under `groups`".into()));
            c.error(
                g,
                format!(
                    "component `{}` is in unknown group `{}`",
                    comp.id.value, g.value
                ),
                hint,
            );
        }
        c.condition(&comp.when, &raw.parameters);
    }

    // Connections.
    let mut seen_connections = HashSet::new();
    for conn in &raw.connections {
        let mut ends = Vec::new();
        for end in [&conn.from, &conn.to] {
            match component_kinds.get(end.value.as_str()) {
                Some(kind) => ends.push(*kind),
                None => {
                    let hint = Checker::suggest(&end.value, component_kinds.keys().copied())
                        .or_else(|| {
                            Some(
                                "connections join component ids declared under `components`".into(),
                            )
                        });
                    c.error(
                        end,
                        format!("connection refers to unknown component `{}`", end.value),
                        hint,
                    );
                }
            }
        }
        if !catalog.connections.contains_key(&conn.kind.value) {
            let hint = Checker::suggest(
                &conn.kind.value,
                catalog.connections.keys().map(String::as_str),
            )
            .or_else(|| {
                Some(format!(
                    "connection kinds are: {}",
                    catalog
                        .connections
                        .keys()
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            });
            c.error(
                &conn.kind,
                format!("unknown connection kind `{}`", conn.kind.value),
                hint,
            );
        } else if let [from_kind, to_kind] = ends[..]
            && let Some(kind) = catalog.kind(from_kind)
            && catalog.kind(to_kind).is_some()
            && !kind.may_connect(&conn.kind.value, to_kind)
        {
            let allowed = kind.allowed_towards(to_kind);
            // What this connection kind may join instead (`replicate` copies between kinds
            // of one kind only), so the hint says what to draw.
            let targets: Vec<&str> = kind
                .connects
                .iter()
                .filter(|r| r.kind == conn.kind.value)
                .flat_map(|r| r.to.iter().map(String::as_str))
                .collect();
            let hint = if allowed.is_empty() && !targets.is_empty() {
                format!(
                    "a `{from_kind}` cannot connect to a `{to_kind}` at all; it may `{}` a {}",
                    conn.kind.value,
                    either(&targets)
                )
            } else if allowed.is_empty() {
                format!("a `{from_kind}` cannot connect to a `{to_kind}` at all")
            } else {
                format!(
                    "a `{from_kind}` may connect to a `{to_kind}` with: {}",
                    allowed.join(", ")
                )
            };
            c.error(
                &conn.kind,
                format!(
                    "a `{from_kind}` cannot `{}` a `{to_kind}` (`{}` -> `{}`)",
                    conn.kind.value, conn.from.value, conn.to.value
                ),
                Some(hint),
            );
        }
        // A rule's properties, and its `limit` of connections per component: the one over it
        // is refused, naming those before it.
        if let [from_kind, to_kind] = ends[..]
            && let Some(rule) = catalog
                .kind(from_kind)
                .and_then(|k| k.rule(&conn.kind.value, to_kind))
        {
            let owner = format!(
                "connection `{}` -> `{}` ({})",
                conn.from.value, conn.to.value, conn.kind.value
            );
            c.properties(&owner, &conn.properties, &rule.properties, &defaults);
            if let Some(limit) = &rule.limit {
                let earlier: Vec<&str> = raw
                    .connections
                    .iter()
                    .take_while(|o| !std::ptr::eq(*o, conn))
                    .filter(|o| {
                        o.from.value == conn.from.value
                            && o.kind.value == conn.kind.value
                            && component_kinds
                                .get(o.to.value.as_str())
                                .is_some_and(|k| rule.to.iter().any(|t| t == k))
                    })
                    .map(|o| o.to.value.as_str())
                    .collect();
                if earlier.len() >= limit.max {
                    let message = if limit.max == 1 {
                        format!(
                            "`{}` already has a `{}` connection, to `{}`: a `{from_kind}` has only one",
                            conn.from.value, conn.kind.value, earlier[0]
                        )
                    } else {
                        format!(
                            "`{}` already has {} `{}` connections ({}): a `{from_kind}` has at most {}",
                            conn.from.value,
                            earlier.len(),
                            conn.kind.value,
                            all_of(&earlier),
                            limit.max
                        )
                    };
                    c.error(
                        &conn.to,
                        message,
                        Some(format!(
                            "{}; remove one, or add a second `{from_kind}`",
                            limit.why
                        )),
                    );
                }
            }
        }
        // A rule of the target's own connections may rule this one out (`instead_of`).
        if let Some((other, to_kind, instead)) = raw.connections.iter().find_map(|o| {
            if o.from.value != conn.to.value {
                return None;
            }
            let kind = component_kinds.get(o.from.value.as_str())?;
            let to_kind = component_kinds.get(o.to.value.as_str())?;
            let instead = catalog
                .kind(kind)?
                .rule(&o.kind.value, to_kind)?
                .instead_of
                .as_ref()?;
            instead
                .incoming
                .contains(&conn.kind.value)
                .then_some((o, *to_kind, instead))
        }) {
            c.error(
                &conn.kind,
                format!(
                    "`{}` cannot `{}` `{}`: `{}` already has a `{}` connection, to `{}` (a `{to_kind}`)",
                    conn.from.value,
                    conn.kind.value,
                    conn.to.value,
                    conn.to.value,
                    other.kind.value,
                    other.to.value
                ),
                Some(format!("{}; remove one of the two", instead.why)),
            );
        }
        if !seen_connections.insert((&conn.from.value, &conn.to.value, &conn.kind.value)) {
            c.error(
                &conn.from,
                format!(
                    "duplicate connection `{}` -> `{}` ({})",
                    conn.from.value, conn.to.value, conn.kind.value
                ),
                Some("remove one of them".into()),
            );
        }
        c.condition(&conn.when, &raw.parameters);
    }

    check_placement(c, raw, &group_index, &defaults);
    check_regions(c, raw, &group_index, &defaults);
    check_walkthrough(c, raw, &component_kinds);
    group_order
}

/// Regions: the first `region` group is where the project deploys, every other one names its own
/// region (once), and each region is a stack of its own: a connection joins two regions only when
/// its kind `crosses` them (`replicate`), and such a connection always does. Components outside
/// every region group belong to the first.
fn check_regions(
    c: &mut Checker<'_>,
    raw: &RawPattern,
    group_index: &HashMap<&str, usize>,
    defaults: &IndexMap<String, Value>,
) {
    const REGION: &str = "region";
    // A group whose id an earlier group already has is refused as a duplicate, not as a region.
    let mut ids = std::collections::HashSet::new();
    let regions: Vec<usize> = (0..raw.groups.len())
        .filter(|&i| ids.insert(raw.groups[i].id.value.as_str()))
        .filter(|&i| raw.groups[i].kind.value == REGION)
        .collect();
    let Some(&first) = regions.first() else {
        return;
    };
    let mut named: HashMap<String, &str> = HashMap::new();
    for (n, &i) in regions.iter().enumerate() {
        let g = &raw.groups[i];
        let name = g
            .properties
            .get(REGION)
            .and_then(|v| substitute(&v.value, defaults).ok())
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        if name.is_empty() {
            if n > 0 {
                c.error(
                    &g.id,
                    format!(
                        "region group `{}` is a second region but names no `region`",
                        g.id.value
                    ),
                    Some(format!(
                        "give it `properties: {{ region: us-west-2 }}` (any region code): the first region group, `{}`, is where the project deploys",
                        raw.groups[first].id.value
                    )),
                );
            }
        } else if let Some(other) = named.insert(name.clone(), &g.id.value) {
            c.error(
                &g.id,
                format!(
                    "region groups `{other}` and `{}` both name region `{name}`",
                    g.id.value
                ),
                Some(format!(
                    "each region group is a stack of its own in the region it names: give `{}` another region, or move its components into `{other}`",
                    g.id.value
                )),
            );
        }
    }
    let region_of = |group: Option<&Located>| -> usize {
        let mut g = group.and_then(|g| group_index.get(g.value.as_str()).copied());
        for _ in 0..=raw.groups.len() {
            match g {
                Some(i) if raw.groups[i].kind.value == REGION => return i,
                Some(i) => {
                    g = raw.groups[i]
                        .parent
                        .as_ref()
                        .and_then(|p| group_index.get(p.value.as_str()).copied())
                }
                None => break,
            }
        }
        first
    };
    let regions_of: HashMap<&str, usize> = raw
        .components
        .value
        .iter()
        .map(|comp| (comp.id.value.as_str(), region_of(comp.group.as_ref())))
        .collect();
    let kinds_of: HashMap<&str, &str> = raw
        .components
        .value
        .iter()
        .map(|comp| (comp.id.value.as_str(), comp.kind.value.as_str()))
        .collect();
    for conn in &raw.connections {
        let (Some(&a), Some(&b)) = (
            regions_of.get(conn.from.value.as_str()),
            regions_of.get(conn.to.value.as_str()),
        ) else {
            continue;
        };
        let Some(kind) = c.catalog.connections.get(&conn.kind.value) else {
            continue;
        };
        let crosses = kind.crosses.as_deref() == Some(REGION);
        let (ra, rb) = (&raw.groups[a].id.value, &raw.groups[b].id.value);
        let rule = kinds_of
            .get(conn.from.value.as_str())
            .and_then(|k| c.catalog.kind(k))
            .zip(kinds_of.get(conn.to.value.as_str()))
            .and_then(|(k, to)| k.rule(&conn.kind.value, to));
        let allowed = rule.is_some();
        if rule.is_some_and(|r| r.across_regions.is_some()) {
            continue;
        }
        if crosses && a == b && allowed {
            c.error(
                &conn.kind,
                format!(
                    "`{}` copies to another region, but `{}` and `{}` are both in region `{ra}`",
                    conn.kind.value, conn.from.value, conn.to.value
                ),
                Some(format!(
                    "put `{}` in a second `region` group (with `properties: {{ region: us-west-2 }}`)",
                    conn.to.value
                )),
            );
        } else if !crosses && a != b {
            let crossing: Vec<&str> = c
                .catalog
                .connections
                .iter()
                .filter(|(_, k)| k.crosses.as_deref() == Some(REGION))
                .map(|(name, _)| name.as_str())
                .collect();
            c.error(
                &conn.from,
                format!(
                    "connection `{}` -> `{}` ({}) joins region `{ra}` to region `{rb}`",
                    conn.from.value, conn.to.value, conn.kind.value
                ),
                Some(format!(
                    "each region is a stack of its own; only {} connections join two: put `{}` and `{}` in the same region",
                    either(&crossing),
                    conn.from.value,
                    conn.to.value
                )),
            );
        }
    }
}

/// `a`, `a or b`, `a, b or c`, each in backticks.
fn either(names: &[&str]) -> String {
    listed(names, "or")
}

/// `a`, `a and b`, `a, b and c`, each in backticks.
fn all_of(names: &[&str]) -> String {
    listed(names, "and")
}

fn listed(names: &[&str], word: &str) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
    match quoted.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} {word} {last}", rest.join(", ")),
    }
}

/// Where each component sits against its kind's `placement` (a VPC, subnet tiers), and whether
/// the pattern holds what its kind `requires`: other components (in the same VPC when both kinds
/// sit in one) and connections it starts. A component or connection with a `when` counts only for
/// components with the same condition, so a requirement holds for every parameter value.
fn check_placement(
    c: &mut Checker<'_>,
    raw: &RawPattern,
    group_index: &HashMap<&str, usize>,
    defaults: &IndexMap<String, Value>,
) {
    use crate::catalog::VpcPlacement;
    let catalog = c.catalog;
    // The enclosing `vpc` group and nearest `subnet` group (with its tier) of a component.
    let where_is = |comp: &raw::RawComponent| {
        let mut vpc: Option<&str> = None;
        let mut subnet: Option<(&str, String)> = None;
        let mut g = comp
            .group
            .as_ref()
            .and_then(|g| group_index.get(g.value.as_str()).copied());
        for _ in 0..raw.groups.len() {
            let Some(i) = g else { break };
            let group = &raw.groups[i];
            match group.kind.value.as_str() {
                "vpc" if vpc.is_none() => vpc = Some(group.id.value.as_str()),
                "subnet" if subnet.is_none() => {
                    let tier = group
                        .properties
                        .get("tier")
                        .and_then(|v| substitute(&v.value, defaults).ok())
                        .or_else(|| {
                            catalog
                                .groups
                                .get("subnet")
                                .and_then(|k| k.properties.get("tier"))
                                .and_then(|s| s.default.clone())
                        })
                        .as_ref()
                        .map(display_value)
                        .unwrap_or_default();
                    subnet = Some((group.id.value.as_str(), tier));
                }
                _ => {}
            }
            g = group
                .parent
                .as_ref()
                .and_then(|p| group_index.get(p.value.as_str()).copied());
        }
        (vpc, subnet)
    };
    let same_when = |a: &Option<Located>, b: &Option<Located>| {
        b.as_ref()
            .is_none_or(|b| a.as_ref().is_some_and(|a| a.value.trim() == b.value.trim()))
    };
    let needs_vpc = |kind: &str| {
        catalog
            .kind(kind)
            .and_then(|k| k.placement.as_ref())
            .is_some_and(|p| p.vpc == VpcPlacement::Required)
    };
    for comp in &raw.components.value {
        let Some(kind) = catalog.kind(&comp.kind.value) else {
            continue;
        };
        let (id, k) = (&comp.id.value, &kind.kind);
        let (vpc, subnet) = where_is(comp);
        if let Some(p) = &kind.placement {
            let at = comp.group.as_ref().unwrap_or(&comp.id);
            let tiers: Vec<&str> = p.tiers.iter().map(String::as_str).collect();
            let optional = p.vpc == VpcPlacement::Optional;
            let into = match tiers.first() {
                Some(t) => format!("a `subnet` group with `tier: {t}`"),
                None => "a `vpc` group".to_string(),
            };
            let or_out = if optional { ", or out of the VPC" } else { "" };
            match (vpc, &subnet) {
                (None, _) if !optional => {
                    let tiers_clause = if tiers.is_empty() {
                        String::new()
                    } else {
                        format!(", in a subnet group of tier {}", either(&tiers))
                    };
                    let hint = if tiers.is_empty() {
                        "put it in a `vpc` group or a group inside one".to_string()
                    } else {
                        format!("put it in {into} inside a `vpc` group")
                    };
                    c.error(
                        at,
                        format!("component `{id}` (`{k}`) must sit in a VPC{tiers_clause}"),
                        Some(hint),
                    );
                }
                (Some(v), None) if !tiers.is_empty() => c.error(
                    at,
                    format!(
                        "component `{id}` (`{k}`) sits in VPC `{v}` but in no subnet group; kind `{k}` sits in subnets of tier {}",
                        either(&tiers)
                    ),
                    Some(format!("put it in {into}{or_out}")),
                ),
                (Some(_), Some((s, tier))) if !tiers.is_empty() && !tiers.contains(&tier.as_str()) => {
                    c.error(
                        at,
                        format!(
                            "component `{id}` (`{k}`) sits in subnet group `{s}` of tier `{tier}`; kind `{k}` sits in subnets of tier {}",
                            either(&tiers)
                        ),
                        Some(format!("move it to {into}{or_out}")),
                    )
                }
                _ => {}
            }
        }
        for req in &kind.requires {
            if let Some(needed) = &req.kind {
                let same_vpc = vpc.is_some() && needs_vpc(k) && needs_vpc(needed);
                let of_kind: Vec<_> = raw
                    .components
                    .value
                    .iter()
                    .filter(|o| &o.kind.value == needed)
                    .collect();
                let candidates: Vec<_> = of_kind
                    .iter()
                    .filter(|o| same_when(&comp.when, &o.when))
                    .collect();
                if candidates.is_empty() {
                    let (message, hint) = match of_kind.first() {
                        Some(o) => (
                            format!(
                                "component `{id}` (`{k}`) needs a component of kind `{needed}` whenever it exists; `{}` exists only `when: {}`",
                                o.id.value,
                                o.when.as_ref().map_or("", |w| w.value.trim())
                            ),
                            format!(
                                "give `{id}` the same `when` or drop the `when` of `{}`: {}",
                                o.id.value, req.why
                            ),
                        ),
                        None => (
                            format!(
                                "component `{id}` (`{k}`) needs a component of kind `{needed}` in the pattern"
                            ),
                            format!("add one: {}", req.why),
                        ),
                    };
                    c.error(&comp.id, message, Some(hint));
                } else if same_vpc && candidates.iter().all(|o| where_is(o).0 != vpc) {
                    c.error(
                        &comp.id,
                        format!(
                            "component `{id}` (`{k}`) needs a component of kind `{needed}` in its VPC `{}`",
                            vpc.unwrap_or_default()
                        ),
                        Some(format!("add one to that VPC or move this one: {}", req.why)),
                    );
                }
            } else if let Some(connection) = &req.connection {
                let targets: Vec<&str> = if req.to.is_empty() {
                    kind.connects
                        .iter()
                        .filter(|r| &r.kind == connection)
                        .flat_map(|r| r.to.iter().map(String::as_str))
                        .filter(|t| catalog.kind(t).is_some_and(|t| t.diagram_only.is_none()))
                        .collect()
                } else {
                    req.to.iter().map(String::as_str).collect()
                };
                let matching: Vec<_> = raw
                    .connections
                    .iter()
                    .filter(|conn| {
                        &conn.from.value == id
                            && &conn.kind.value == connection
                            && raw.components.value.iter().any(|o| {
                                o.id.value == conn.to.value
                                    && targets.contains(&o.kind.value.as_str())
                            })
                    })
                    .collect();
                if !matching
                    .iter()
                    .any(|conn| same_when(&comp.when, &conn.when))
                {
                    let example = targets.first().copied().unwrap_or("…");
                    let message = format!(
                        "component `{id}` (`{k}`) needs a connection of kind `{connection}` to a component of kind {}",
                        either(&targets)
                    );
                    let (message, hint) = match matching.first() {
                        Some(conn) => (
                            format!(
                                "{message} whenever it exists; the one to `{}` exists only `when: {}`",
                                conn.to.value,
                                conn.when.as_ref().map_or("", |w| w.value.trim())
                            ),
                            format!(
                                "give `{id}` the same `when` or drop the connection's: {}",
                                req.why
                            ),
                        ),
                        None => (
                            message,
                            format!(
                                "add `{{ from: {id}, to: <{example} id>, kind: {connection} }}` under `connections`: {}",
                                req.why
                            ),
                        ),
                    };
                    c.error(&comp.id, message, Some(hint));
                }
            }
        }
    }
}

fn check_walkthrough(c: &mut Checker<'_>, raw: &RawPattern, components: &HashMap<&str, &str>) {
    if raw.walkthrough.is_empty() {
        return;
    }
    let catalog = c.catalog;
    let mut introduced: HashMap<&str, usize> = HashMap::new();
    for (n, step) in raw.walkthrough.iter().enumerate() {
        for id in &step.adds {
            if !components.contains_key(id.value.as_str()) {
                let hint = Checker::suggest(&id.value, components.keys().copied());
                c.error(
                    id,
                    format!("step {} adds unknown component `{}`", n + 1, id.value),
                    hint,
                );
            } else if let Some(first) = introduced.insert(&id.value, n) {
                c.error(
                    id,
                    format!(
                        "component `{}` is introduced twice: in step {} and step {}",
                        id.value,
                        first + 1,
                        n + 1
                    ),
                    Some("introduce each component in exactly one step".into()),
                );
            }
        }
        for text in &step.connections {
            let Some((from, to)) = text
                .value
                .split_once("->")
                .map(|(a, b)| (a.trim(), b.trim()))
            else {
                c.error(
                    text,
                    format!("cannot read connection `{}` in step {}", text.value, n + 1),
                    Some("write it as `from->to`".into()),
                );
                continue;
            };
            if !raw
                .connections
                .iter()
                .any(|k| k.from.value == from && k.to.value == to)
            {
                c.error(
                    text,
                    format!(
                        "step {} adds connection `{from}->{to}`, which the pattern does not have",
                        n + 1
                    ),
                    None,
                );
                continue;
            }
            for end in [from, to] {
                if introduced.get(end).is_none_or(|&s| s > n) {
                    c.error(text, format!("step {} adds connection `{from}->{to}` before component `{end}` is introduced", n + 1), Some("add the connection in the step that introduces its later end, or after".into()));
                }
            }
        }
        for topic in &step.topics {
            if catalog.roadmap.phase_of(&topic.value).is_none() {
                let hint = Checker::suggest(&topic.value, catalog.roadmap.sections());
                c.error(
                    topic,
                    format!("unknown roadmap topic `{}`", topic.value),
                    hint,
                );
            }
        }
        for practice in &step.practices {
            if !catalog.roadmap.practices.contains(&practice.value) {
                let hint = Checker::suggest(
                    &practice.value,
                    catalog.roadmap.practices.iter().map(String::as_str),
                )
                .or_else(|| {
                    Some("practices are the lines of the roadmap's best-practices checklist".into())
                });
                c.error(
                    practice,
                    format!("unknown best practice `{}`", practice.value),
                    hint,
                );
            }
        }
    }
    for comp in &raw.components.value {
        if !introduced.contains_key(comp.id.value.as_str()) {
            c.error(
                &comp.id,
                format!(
                    "component `{}` is never introduced in the walkthrough",
                    comp.id.value
                ),
                Some("add it to one step's `adds`".into()),
            );
        }
    }
}

/// Every declared property of a component or group: the given value with parameters applied,
/// or the declared default; checked again, since `--set` values may break what defaults kept.
/// Two VPCs of one pattern must not share an address range (all are /16s, so overlapping means
/// equal): peering, transit gateways and VPN routes need distinct ranges.
fn check_vpc_ranges(groups: &[Group]) -> Result<(), ResolveError> {
    let mut seen: HashMap<&str, &str> = HashMap::new();
    for g in groups.iter().filter(|g| g.kind == "vpc") {
        let Some(cidr) = g.properties.get("cidr").and_then(Value::as_str) else {
            continue;
        };
        if let Some(first) = seen.insert(cidr, &g.id) {
            return Err(ResolveError::OverlappingVpcs {
                first: first.to_string(),
                second: g.id.clone(),
                cidr: cidr.to_string(),
            });
        }
    }
    Ok(())
}

/// The parameter whose value the starter projects take their zone count from.
const AZ_COUNT: &str = "az_count";

/// A zone count written as a number or as the text of one (what `${az_count}` becomes).
fn zone_count(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// A diagram that draws other zones than the project deploys misleads (see the load-time check).
fn check_zone_counts(
    groups: &[Group],
    values: &IndexMap<String, Value>,
) -> Result<(), ResolveError> {
    let Some(count) = values.get(AZ_COUNT).and_then(zone_count) else {
        return Ok(());
    };
    for g in groups.iter().filter(|g| g.kind == "vpc") {
        if let Some(drawn) = g.properties.get("azs").and_then(zone_count)
            && drawn > 1
            && drawn != count
        {
            return Err(ResolveError::ZoneCounts {
                vpc: g.id.clone(),
                drawn,
                count,
            });
        }
    }
    Ok(())
}

fn resolve_properties(
    owner: &str,
    specs: &IndexMap<String, ValueSpec>,
    given: &IndexMap<String, Spanned<Value>>,
    values: &IndexMap<String, Value>,
) -> Result<IndexMap<String, Value>, ResolveError> {
    let mut properties = IndexMap::new();
    for (name, spec) in specs {
        let v = match given.get(name) {
            Some(v) => substitute(&v.value, values).unwrap_or(Value::Null),
            None => spec.default.clone().unwrap_or(Value::Null),
        };
        spec.check(&v)
            .map_err(|expected| ResolveError::BadProperty {
                component: owner.to_string(),
                property: name.clone(),
                expected,
            })?;
        properties.insert(name.clone(), v);
    }
    Ok(properties)
}

impl Definition {
    pub fn id(&self) -> &str {
        &self.raw.id.value
    }

    pub fn title(&self) -> &str {
        &self.raw.title
    }

    pub fn summary(&self) -> &str {
        &self.raw.summary
    }

    pub fn source(&self) -> &str {
        &self.source
    }

    pub fn parameters(&self) -> impl Iterator<Item = (&str, &ValueSpec)> {
        self.raw
            .parameters
            .iter()
            .map(|(k, v)| (k.as_str(), &v.value))
    }

    /// Parses `name=value` pairs as given to `--set`.
    pub fn parse_sets(&self, sets: &[String]) -> Result<Vec<(String, Value)>, ResolveError> {
        sets.iter()
            .map(|text| {
                let (name, value) = text
                    .split_once('=')
                    .ok_or_else(|| ResolveError::BadSet { text: text.clone() })?;
                let name = name.trim();
                if name.is_empty() {
                    return Err(ResolveError::BadSet { text: text.clone() });
                }
                let spec = self.raw.parameters.get(name).ok_or_else(|| {
                    ResolveError::UnknownParameter {
                        pattern: self.id().to_string(),
                        name: name.to_string(),
                        hint: did_you_mean(name, self.raw.parameters.keys().map(String::as_str))
                            .map(str::to_string),
                        known: self.raw.parameters.keys().cloned().collect(),
                    }
                })?;
                let value =
                    spec.value
                        .parse_text(value)
                        .map_err(|expected| ResolveError::BadValue {
                            name: name.to_string(),
                            expected,
                        })?;
                Ok((name.to_string(), value))
            })
            .collect()
    }

    /// Builds the model with the defaults overridden by `sets` (`name=value` texts).
    pub fn resolve(&self, sets: &[String]) -> Result<Pattern, ResolveError> {
        let parsed = self.parse_sets(sets)?;
        self.resolve_values(parsed)
    }

    pub fn resolve_values(&self, sets: Vec<(String, Value)>) -> Result<Pattern, ResolveError> {
        let catalog = Catalog::builtin();
        let raw = &self.raw;
        let mut values: IndexMap<String, Value> = raw
            .parameters
            .iter()
            .map(|(k, v)| (k.clone(), v.value.default.clone().unwrap_or(Value::Null)))
            .collect();
        for (name, value) in sets {
            values.insert(name, value);
        }
        let keep = |when: &Option<Located>| {
            when.as_ref()
                .is_none_or(|w| Condition::parse(&w.value).is_ok_and(|c| c.holds(&values)))
        };

        let mut groups = Vec::with_capacity(raw.groups.len());
        let mut new_index = HashMap::new();
        for &i in &self.group_order {
            let g = &raw.groups[i];
            let kind = &catalog.groups[&g.kind.value];
            let properties =
                resolve_properties(&g.id.value, &kind.properties, &g.properties, &values)?;
            new_index.insert(g.id.value.as_str(), groups.len());
            groups.push(Group {
                id: g.id.value.clone(),
                kind: g.kind.value.clone(),
                label: g.label.clone().unwrap_or_else(|| kind.name.clone()),
                parent: g.parent.as_ref().map(|p| new_index[p.value.as_str()]),
                properties,
                line: g.id.referenced.line(),
            });
        }

        check_vpc_ranges(&groups)?;
        check_zone_counts(&groups, &values)?;

        let mut graph = DiGraph::new();
        let mut nodes = HashMap::new();
        for comp in raw.components.value.iter().filter(|c| keep(&c.when)) {
            let kind = &catalog.kinds[&comp.kind.value];
            let properties =
                resolve_properties(&comp.id.value, &kind.properties, &comp.properties, &values)?;
            let node = graph.add_node(Component {
                id: comp.id.value.clone(),
                kind: comp.kind.value.clone(),
                label: comp.label.clone().unwrap_or_else(|| kind.name.clone()),
                group: comp.group.as_ref().map(|g| new_index[g.value.as_str()]),
                properties,
                line: comp.id.referenced.line(),
            });
            nodes.insert(comp.id.value.as_str(), node);
        }
        for conn in raw.connections.iter().filter(|c| keep(&c.when)) {
            let (Some(&a), Some(&b)) = (
                nodes.get(conn.from.value.as_str()),
                nodes.get(conn.to.value.as_str()),
            ) else {
                continue;
            };
            let specs = catalog
                .kind(&graph[a].kind)
                .and_then(|k| k.rule(&conn.kind.value, &graph[b].kind))
                .map(|r| &r.properties);
            // Named in backticks by the error, as a component id is: `cdn -> api`.
            let owner = format!("{} -> {}", conn.from.value, conn.to.value);
            let properties = match specs {
                Some(specs) => resolve_properties(&owner, specs, &conn.properties, &values)?,
                None => IndexMap::new(),
            };
            graph.add_edge(
                a,
                b,
                Connection {
                    kind: conn.kind.value.clone(),
                    label: conn.label.clone(),
                    port: conn.port,
                    protocol: conn.protocol.clone(),
                    properties,
                    line: conn.from.referenced.line(),
                },
            );
        }

        let walkthrough = raw
            .walkthrough
            .iter()
            .map(|s| Step {
                title: s.title.value.clone(),
                adds: s
                    .adds
                    .iter()
                    .map(|a| a.value.clone())
                    .filter(|a| nodes.contains_key(a.as_str()))
                    .collect(),
                connections: s
                    .connections
                    .iter()
                    .filter_map(|t| t.value.split_once("->"))
                    .map(|(a, b)| (a.trim().to_string(), b.trim().to_string()))
                    .filter(|(a, b)| {
                        nodes.contains_key(a.as_str()) && nodes.contains_key(b.as_str())
                    })
                    .collect(),
                why: s.why.trim().to_string(),
                topics: s.topics.iter().map(|t| t.value.clone()).collect(),
                practices: s.practices.iter().map(|t| t.value.clone()).collect(),
                pitfall: s.pitfall.trim().to_string(),
                question: s.question.trim().to_string(),
                answer: s.answer.trim().to_string(),
            })
            .collect();

        Ok(Pattern {
            id: raw.id.value.clone(),
            title: raw.title.clone(),
            summary: raw.summary.trim().to_string(),
            topics: raw.topics.iter().map(|t| t.value.clone()).collect(),
            source: self.source.clone(),
            parameters: raw
                .parameters
                .iter()
                .map(|(k, v)| (k.clone(), v.value.clone()))
                .collect(),
            values,
            groups,
            graph,
            walkthrough,
        })
    }
}

#[cfg(test)]
mod tests;
