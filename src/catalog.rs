//! The catalog of AWS component kinds, group kinds, connection kinds and categories.
//!
//! All of it is data under `catalog/`, embedded in the binary: adding an AWS service means adding
//! a YAML file, not editing code. The catalog is parsed once, on first use.

use std::sync::LazyLock;

use include_dir::{Dir, include_dir};
use indexmap::IndexMap;
use serde::Deserialize;
use serde_json::Value;

static CATALOG_DIR: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/catalog");

static CATALOG: LazyLock<Catalog> = LazyLock::new(|| {
    Catalog::from_dir(&CATALOG_DIR).unwrap_or_else(|e| panic!("embedded catalog is invalid: {e}"))
});

/// Errors in catalog data. The embedded catalog is checked by a unit test, so users only meet
/// these if a build shipped broken data.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("cannot parse catalog file `{path}`: {message}")]
    Parse { path: String, message: String },
    #[error("catalog file `{path}` declares kind `{kind}`; the file must be named `{kind}.yaml`")]
    MisnamedKind { path: String, kind: String },
    #[error("catalog kind `{kind}` uses unknown {what} `{name}`")]
    UnknownReference {
        kind: String,
        what: &'static str,
        name: String,
    },
    #[error("catalog file `{0}` is missing")]
    Missing(&'static str),
}

/// What a diagram should look like for one category of components.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Category {
    pub name: String,
    pub fill: String,
    pub stroke: String,
    pub text: String,
}

/// How a line is drawn: solid for requests, dashed for events, dotted for control-plane flows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Line {
    Solid,
    Dashed,
    Dotted,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConnectionKind {
    pub description: String,
    pub line: Line,
}

/// The outline of a component's node; renderers map these to their own shape names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Shape {
    Rect,
    Rounded,
    Cylinder,
    Stadium,
    Circle,
    Hexagon,
    Parallelogram,
    Person,
}

/// The type of a parameter or property value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ValueType {
    String,
    Integer,
    Boolean,
}

impl std::fmt::Display for ValueType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ValueType::String => "string",
            ValueType::Integer => "integer",
            ValueType::Boolean => "boolean",
        })
    }
}

/// A typed value slot: a component property in the catalog or a pattern parameter.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct ValueSpec {
    #[serde(rename = "type")]
    pub ty: ValueType,
    #[serde(default)]
    pub default: Option<Value>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub choices: Vec<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<i64>,
    #[serde(default)]
    pub help: String,
}

impl ValueSpec {
    /// Checks a value against the type, choices and bounds; the error reads after "expected".
    pub fn check(&self, value: &Value) -> Result<(), String> {
        let type_ok = match self.ty {
            ValueType::String => value.is_string(),
            ValueType::Integer => value.is_i64(),
            ValueType::Boolean => value.is_boolean(),
        };
        if !type_ok {
            let article = if self.ty == ValueType::Integer {
                "an"
            } else {
                "a"
            };
            return Err(format!("{article} {}, got {}", self.ty, describe(value)));
        }
        if !self.choices.is_empty() && !self.choices.contains(value) {
            let list: Vec<String> = self.choices.iter().map(display_value).collect();
            return Err(format!(
                "one of {}, got {}",
                list.join(", "),
                display_value(value)
            ));
        }
        if let Some(n) = value.as_i64()
            && (self.min.is_some_and(|min| n < min) || self.max.is_some_and(|max| n > max))
        {
            return Err(format!(
                "a number from {} to {}, got {n}",
                self.min.map_or("any".into(), |m| m.to_string()),
                self.max.map_or("any".into(), |m| m.to_string())
            ));
        }
        Ok(())
    }

    /// Parses command-line text (`--set name=text`) into a value of this spec's type.
    pub fn parse_text(&self, text: &str) -> Result<Value, String> {
        let value = match self.ty {
            ValueType::String => Value::String(text.to_string()),
            ValueType::Integer => text
                .trim()
                .parse::<i64>()
                .map(Value::from)
                .map_err(|_| format!("an integer, got `{text}`"))?,
            ValueType::Boolean => match text.trim() {
                "true" | "yes" | "on" => Value::Bool(true),
                "false" | "no" | "off" => Value::Bool(false),
                _ => return Err(format!("true or false, got `{text}`")),
            },
        };
        self.check(&value)?;
        Ok(value)
    }
}

/// One line of `connects`: this kind may start a `kind` connection towards any of `to`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConnectRule {
    pub kind: String,
    pub to: Vec<String>,
}

/// A component kind: one AWS service or resource as archpat knows it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ComponentKind {
    pub kind: String,
    pub name: String,
    pub service: String,
    pub category: String,
    pub shape: Shape,
    pub description: String,
    /// Why this kind has no infrastructure code, for kinds that are drawn only.
    #[serde(default)]
    pub diagram_only: Option<String>,
    #[serde(default)]
    pub properties: IndexMap<String, ValueSpec>,
    #[serde(default)]
    pub connects: Vec<ConnectRule>,
}

impl ComponentKind {
    /// The connection kinds this kind may start towards `target`.
    pub fn allowed_towards(&self, target: &str) -> Vec<&str> {
        self.connects
            .iter()
            .filter(|r| r.to.iter().any(|t| t == target))
            .map(|r| r.kind.as_str())
            .collect()
    }

    pub fn may_connect(&self, connection: &str, target: &str) -> bool {
        self.connects
            .iter()
            .any(|r| r.kind == connection && r.to.iter().any(|t| t == target))
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupKind {
    pub name: String,
    /// Group kinds this kind may sit in; `root` means the top level.
    pub parents: Vec<String>,
    pub line: Line,
    pub fill: String,
    pub stroke: String,
    #[serde(default)]
    pub properties: IndexMap<String, ValueSpec>,
}

/// The roadmap's phases, sections and best-practice checklist, as patterns and steps cite them.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Roadmap {
    pub phases: Vec<Phase>,
    pub practices: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Phase {
    pub name: String,
    pub sections: Vec<String>,
}

impl Roadmap {
    pub fn sections(&self) -> impl Iterator<Item = &str> {
        self.phases
            .iter()
            .flat_map(|p| p.sections.iter().map(String::as_str))
    }

    /// The phase a section belongs to.
    pub fn phase_of(&self, section: &str) -> Option<&str> {
        self.phases
            .iter()
            .find(|p| p.sections.iter().any(|s| s == section))
            .map(|p| p.name.as_str())
    }
}

/// The whole catalog. Maps keep file order (kinds sorted by id) so output is deterministic.
#[derive(Debug, Clone)]
pub struct Catalog {
    pub categories: IndexMap<String, Category>,
    pub connections: IndexMap<String, ConnectionKind>,
    pub groups: IndexMap<String, GroupKind>,
    pub kinds: IndexMap<String, ComponentKind>,
    pub roadmap: Roadmap,
}

fn parse<T: serde::de::DeserializeOwned>(path: &str, text: &str) -> Result<T, CatalogError> {
    serde_saphyr::from_str(text).map_err(|e| CatalogError::Parse {
        path: path.to_string(),
        message: e.to_string(),
    })
}

fn file_text<'a>(dir: &'a Dir<'a>, name: &'static str) -> Result<&'a str, CatalogError> {
    dir.get_file(name)
        .and_then(|f| f.contents_utf8())
        .ok_or(CatalogError::Missing(name))
}

impl Catalog {
    /// The catalog embedded in the binary.
    pub fn builtin() -> &'static Catalog {
        &CATALOG
    }

    pub fn from_dir(dir: &Dir<'_>) -> Result<Catalog, CatalogError> {
        let categories = parse("categories.yaml", file_text(dir, "categories.yaml")?)?;
        let connections = parse("connections.yaml", file_text(dir, "connections.yaml")?)?;
        let groups = parse("groups.yaml", file_text(dir, "groups.yaml")?)?;
        let roadmap = parse("roadmap.yaml", file_text(dir, "roadmap.yaml")?)?;
        let mut files: Vec<_> = dir
            .get_dir("kinds")
            .ok_or(CatalogError::Missing("kinds/"))?
            .files()
            .filter(|f| f.path().extension().is_some_and(|e| e == "yaml"))
            .collect();
        files.sort_by_key(|f| f.path());
        let mut kinds = IndexMap::new();
        for file in files {
            let path = format!("{}", file.path().display());
            let text = file.contents_utf8().ok_or_else(|| CatalogError::Parse {
                path: path.clone(),
                message: "not UTF-8".into(),
            })?;
            let kind: ComponentKind = parse(&path, text)?;
            if file.path().file_stem().and_then(|s| s.to_str()) != Some(kind.kind.as_str()) {
                return Err(CatalogError::MisnamedKind {
                    path,
                    kind: kind.kind,
                });
            }
            kinds.insert(kind.kind.clone(), kind);
        }
        let catalog = Catalog {
            categories,
            connections,
            groups,
            kinds,
            roadmap,
        };
        catalog.check()?;
        Ok(catalog)
    }

    /// Cross-references inside the catalog: categories, connection kinds and target kinds exist.
    fn check(&self) -> Result<(), CatalogError> {
        let unknown = |kind: &str, what, name: &str| CatalogError::UnknownReference {
            kind: kind.to_string(),
            what,
            name: name.to_string(),
        };
        for kind in self.kinds.values() {
            if !self.categories.contains_key(&kind.category) {
                return Err(unknown(&kind.kind, "category", &kind.category));
            }
            for rule in &kind.connects {
                if !self.connections.contains_key(&rule.kind) {
                    return Err(unknown(&kind.kind, "connection kind", &rule.kind));
                }
                if let Some(t) = rule.to.iter().find(|t| !self.kinds.contains_key(*t)) {
                    return Err(unknown(&kind.kind, "target kind", t));
                }
            }
            for (name, spec) in &kind.properties {
                if let Some(default) = &spec.default {
                    spec.check(default).map_err(|e| CatalogError::Parse {
                        path: format!("kinds/{}.yaml", kind.kind),
                        message: format!("default of `{name}`: expected {e}"),
                    })?;
                }
            }
        }
        for (id, group) in &self.groups {
            if let Some(p) = group
                .parents
                .iter()
                .find(|p| *p != "root" && !self.groups.contains_key(*p))
            {
                return Err(unknown(id, "parent group kind", p));
            }
        }
        Ok(())
    }

    pub fn kind(&self, id: &str) -> Option<&ComponentKind> {
        self.kinds.get(id)
    }

    pub fn category(&self, id: &str) -> &Category {
        &self.categories[id]
    }
}

/// A value as a user would write it: strings bare, everything else as JSON.
pub fn display_value(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn describe(value: &Value) -> String {
    match value {
        Value::Null => "nothing".into(),
        Value::Bool(b) => format!("the boolean {b}"),
        Value::Number(n) => format!("the number {n}"),
        Value::String(s) => format!("the string \"{s}\""),
        Value::Array(_) => "a list".into(),
        Value::Object(_) => "a map".into(),
    }
}

/// The closest candidate to a misspelt name, if one is close enough to be a likely typo.
pub fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(name, c), c))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn builtin_catalog_loads_and_is_consistent() {
        let catalog = Catalog::builtin();
        assert!(catalog.kinds.contains_key("lambda"));
        assert!(catalog.kinds["quicksight"].diagram_only.is_some());
    }

    #[test]
    fn value_spec_checks_type_choices_and_bounds() {
        let spec = ValueSpec {
            ty: ValueType::Integer,
            default: None,
            choices: vec![],
            min: Some(128),
            max: Some(1024),
            help: String::new(),
        };
        assert!(spec.check(&json!(256)).is_ok());
        assert_eq!(
            spec.check(&json!(64)).unwrap_err(),
            "a number from 128 to 1024, got 64"
        );
        assert_eq!(
            spec.check(&json!("x")).unwrap_err(),
            "an integer, got the string \"x\""
        );
        assert_eq!(spec.parse_text("abc").unwrap_err(), "an integer, got `abc`");
    }

    #[test]
    fn did_you_mean_finds_typos_only() {
        let kinds = ["lambda", "dynamodb-table", "sqs-queue"];
        assert_eq!(did_you_mean("lamda", kinds), Some("lambda"));
        assert_eq!(did_you_mean("zzzz", kinds), None);
    }
}
