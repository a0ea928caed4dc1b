//! The pattern file exactly as written, with the source location of every name that other parts
//! refer to, so that a later check can point at the line that is wrong.

use indexmap::IndexMap;
use serde::Deserialize;
use serde_json::Value;
use serde_saphyr::Spanned;

use crate::catalog::ValueSpec;

pub type Located = Spanned<String>;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPattern {
    pub id: Located,
    pub title: String,
    pub summary: String,
    #[serde(default)]
    pub topics: Vec<Located>,
    #[serde(default)]
    pub parameters: IndexMap<String, Spanned<ValueSpec>>,
    #[serde(default)]
    pub groups: Vec<RawGroup>,
    pub components: Spanned<Vec<RawComponent>>,
    #[serde(default)]
    pub connections: Vec<RawConnection>,
    #[serde(default)]
    pub walkthrough: Vec<RawStep>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawGroup {
    pub id: Located,
    pub kind: Located,
    #[serde(default)]
    pub label: Option<String>,
    #[serde(default)]
    pub parent: Option<Located>,
    #[serde(default)]
    pub properties: IndexMap<String, Spanned<Value>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawComponent {
    pub id: Located,
    pub kind: Located,
    #[serde(default)]
    pub label: Option<String>,
    #[serde(default)]
    pub group: Option<Located>,
    #[serde(default)]
    pub when: Option<Located>,
    #[serde(default)]
    pub properties: IndexMap<String, Spanned<Value>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawConnection {
    pub from: Located,
    pub to: Located,
    pub kind: Located,
    #[serde(default)]
    pub label: Option<String>,
    #[serde(default)]
    pub port: Option<u16>,
    #[serde(default)]
    pub protocol: Option<String>,
    #[serde(default)]
    pub when: Option<Located>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawStep {
    pub title: Located,
    #[serde(default)]
    pub adds: Vec<Located>,
    #[serde(default)]
    pub connections: Vec<Located>,
    #[serde(default)]
    pub why: String,
    #[serde(default)]
    pub topics: Vec<Located>,
    #[serde(default)]
    pub practices: Vec<Located>,
    #[serde(default)]
    pub pitfall: String,
    #[serde(default)]
    pub question: String,
    #[serde(default)]
    pub answer: String,
}
