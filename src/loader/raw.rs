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
    #[serde(default, deserialize_with = "port")]
    pub port: Option<u16>,
    #[serde(default)]
    pub protocol: Option<String>,
    #[serde(default)]
    pub when: Option<Located>,
    #[serde(default)]
    pub properties: IndexMap<String, Spanned<Value>>,
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

/// A port as a number from 1 to 65535, with a message that says so (serde's is "invalid u16").
fn port<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<u16>, D::Error> {
    let value = Value::deserialize(d)?;
    match value.as_u64().and_then(|n| u16::try_from(n).ok()) {
        Some(n) if n > 0 => Ok(Some(n)),
        _ => Err(serde::de::Error::custom(format!(
            "`port` must be a whole number from 1 to 65535, got {}",
            crate::catalog::display_value(&value)
        ))),
    }
}
