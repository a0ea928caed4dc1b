//! `.archpat.yaml`: what a project was generated from. `archpat new` writes it into the project;
//! `archpat update` reads it to regenerate the tree the user started from, which is the common
//! ancestor of a three-way merge.
//!
//! It keeps a copy of the pattern text, not only its hash: when the user edits their pattern file
//! and updates, the old text is what tells their edits to the project apart from the pattern's
//! change. The hash of every generated file tells, even when a newer archpat can no longer
//! regenerate the old tree exactly, which files the user never touched.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

use indexmap::IndexMap;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::scaffold::Iac;

/// The record's file name, at the project's root.
pub const RECORD_FILE: &str = ".archpat.yaml";

/// Where the pattern came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A built-in pattern, by id.
    Builtin(String),
    /// A pattern file, by its path relative to the project folder (`/`-separated).
    File(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// The archpat version that generated the project.
    pub archpat: String,
    pub iac: Iac,
    pub name: String,
    pub region: Option<String>,
    pub source: Source,
    /// The pattern file's text as it was generated from.
    pub pattern_text: String,
    /// The `--set` values the user gave (and answers typed at the prompt), as text.
    pub sets: IndexMap<String, String>,
    /// Every generated file, by project-relative path, with the SHA-256 of what was written.
    pub files: BTreeMap<String, String>,
}

#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    #[error("cannot read `{path}`: {message}; it is written by `archpat new`, do not edit it")]
    Parse { path: String, message: String },
    #[error("`{path}` names the target `{target}`, which this archpat does not know")]
    UnknownTarget { path: String, target: String },
    #[error("`{path}` must name the pattern by exactly one of `builtin` and `file`")]
    Source { path: String },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    archpat: String,
    target: String,
    name: String,
    #[serde(default)]
    region: Option<String>,
    pattern: RawPattern,
    #[serde(default)]
    set: IndexMap<String, String>,
    #[serde(default)]
    files: BTreeMap<String, String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPattern {
    #[serde(default)]
    builtin: Option<String>,
    #[serde(default)]
    file: Option<String>,
    #[allow(dead_code)]
    sha256: String,
    text: String,
}

/// The hex SHA-256 of a file's text.
pub fn digest(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A YAML double-quoted scalar (JSON's string syntax is a subset of it).
fn quote(text: &str) -> String {
    serde_json::to_string(text).expect("a string serializes")
}

/// The pattern text as a literal block at `indent`, or `None` when a block cannot hold it.
fn literal_block(text: &str, indent: usize) -> Option<String> {
    if text.is_empty() || text.contains(['\r', '\u{feff}']) {
        return None;
    }
    let chomp = if !text.ends_with('\n') {
        "-"
    } else if text.ends_with("\n\n") {
        "+"
    } else {
        ""
    };
    let pad = " ".repeat(indent);
    let body = text.strip_suffix('\n').unwrap_or(text);
    let mut out = format!("|2{chomp}\n");
    for line in body.split('\n') {
        if line.is_empty() {
            out.push('\n');
        } else {
            out.push_str(&pad);
            out.push_str(line);
            out.push('\n');
        }
    }
    Some(out)
}

impl Record {
    /// The record as written: deterministic, no timestamps.
    pub fn to_text(&self) -> String {
        let text = self.render(true);
        // A block scalar is easy to read and diff; where YAML would read it back differently
        // (odd whitespace), the quoted form is exact.
        match Record::parse(&text, Path::new(RECORD_FILE)) {
            Ok(back) if back.pattern_text == self.pattern_text => text,
            _ => self.render(false),
        }
    }

    fn render(&self, block: bool) -> String {
        let mut out = String::new();
        out.push_str(
            "# What `archpat new` generated this project from. `archpat update` reads it to bring the\n\
             # project up to a changed pattern or a newer archpat and keep your edits. Commit it with the\n\
             # project; do not edit it (see `archpat update --help`).\n",
        );
        out.push_str(&format!("archpat: {}\n", quote(&self.archpat)));
        out.push_str(&format!("target: {}\n", quote(self.iac.target())));
        out.push_str(&format!("name: {}\n", quote(&self.name)));
        if let Some(region) = &self.region {
            out.push_str(&format!("region: {}\n", quote(region)));
        }
        out.push_str("pattern:\n");
        match &self.source {
            Source::Builtin(id) => out.push_str(&format!("  builtin: {}\n", quote(id))),
            Source::File(path) => out.push_str(&format!("  file: {}\n", quote(path))),
        }
        out.push_str(&format!(
            "  sha256: {}\n",
            quote(&digest(&self.pattern_text))
        ));
        let text = block
            .then(|| literal_block(&self.pattern_text, 4))
            .flatten()
            .unwrap_or_else(|| format!("{}\n", quote(&self.pattern_text)));
        out.push_str(&format!("  text: {text}"));
        if !self.sets.is_empty() {
            out.push_str("set:\n");
            for (name, value) in &self.sets {
                out.push_str(&format!("  {}: {}\n", quote(name), quote(value)));
            }
        }
        out.push_str("files:\n");
        for (path, hash) in &self.files {
            out.push_str(&format!("  {}: {}\n", quote(path), quote(hash)));
        }
        out
    }

    /// Reads a record; `path` is for messages.
    pub fn parse(text: &str, path: &Path) -> Result<Record, RecordError> {
        let shown = || path.display().to_string();
        let raw: Raw = serde_saphyr::from_str(text).map_err(|e| RecordError::Parse {
            path: shown(),
            message: e.to_string().lines().next().unwrap_or_default().to_string(),
        })?;
        let iac = Iac::ALL
            .into_iter()
            .find(|i| i.target() == raw.target)
            .ok_or_else(|| RecordError::UnknownTarget {
                path: shown(),
                target: raw.target.clone(),
            })?;
        let source = match (raw.pattern.builtin, raw.pattern.file) {
            (Some(id), None) => Source::Builtin(id),
            (None, Some(file)) => Source::File(file),
            _ => return Err(RecordError::Source { path: shown() }),
        };
        Ok(Record {
            archpat: raw.archpat,
            iac,
            name: raw.name,
            region: raw.region,
            source,
            pattern_text: raw.pattern.text,
            sets: raw.set,
            files: raw.files,
        })
    }

    /// The recorded `--set` values as `name=value` texts.
    pub fn set_args(&self) -> Vec<String> {
        self.sets.iter().map(|(k, v)| format!("{k}={v}")).collect()
    }
}

/// `--set` texts as a map, later values winning; texts without `=` are left to the loader's
/// message, so they are skipped here.
pub fn sets_map(sets: &[String]) -> IndexMap<String, String> {
    let mut map = IndexMap::new();
    for text in sets {
        if let Some((name, value)) = text.split_once('=') {
            map.insert(name.trim().to_string(), value.to_string());
        }
    }
    map
}

/// `path` as an absolute path without `.` or `..` components, following the symbolic links of
/// the part that exists (so that `/tmp` and its real location compare equal).
fn absolute(path: &Path) -> PathBuf {
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()
            .unwrap_or_else(|_| PathBuf::from("/"))
            .join(path)
    };
    let mut clean = PathBuf::new();
    for part in joined.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir => {
                clean.pop();
            }
            other => clean.push(other),
        }
    }
    // Resolve links in the longest part that exists; keep the rest as written.
    let mut existing = clean.clone();
    let mut rest = Vec::new();
    while !existing.exists() {
        match existing.file_name() {
            Some(name) => {
                rest.push(name.to_os_string());
                existing.pop();
            }
            None => break,
        }
    }
    let mut out = existing.canonicalize().unwrap_or(existing);
    for name in rest.into_iter().rev() {
        out.push(name);
    }
    out
}

/// `file` relative to the folder `dir`, `/`-separated, so the record stays valid when the
/// project and its pattern move together (a repository cloned elsewhere).
pub fn relative_path(file: &Path, dir: &Path) -> String {
    let file = absolute(file);
    let dir = absolute(dir);
    let f: Vec<_> = file.components().collect();
    let d: Vec<_> = dir.components().collect();
    let common = f.iter().zip(&d).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<String> = vec!["..".to_string(); d.len() - common];
    parts.extend(
        f[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(text: &str) -> Record {
        Record {
            archpat: "0.1.0".into(),
            iac: Iac::Terraform,
            name: "shop".into(),
            region: Some("eu-west-1".into()),
            source: Source::File("../patterns/shop.yaml".into()),
            pattern_text: text.into(),
            sets: IndexMap::from([("multi_az".to_string(), "false".to_string())]),
            files: BTreeMap::from([("main.tf".to_string(), digest("x"))]),
        }
    }

    #[test]
    fn a_record_reads_back_what_was_written_whatever_the_pattern_text() {
        for text in [
            "id: shop\ntitle: Shop\n",
            "id: shop\n\n\n",
            "no final newline",
            "  leading spaces\n\tand a tab\n",
            "trailing spaces   \n   \n",
            "crlf\r\nline\r\n",
            "\u{feff}bom\n",
            "# a comment\n'quoted': \"x\"\n",
            "",
        ] {
            let r = record(text);
            let written = r.to_text();
            assert_eq!(
                Record::parse(&written, Path::new(RECORD_FILE)).unwrap(),
                r,
                "{written}"
            );
        }
    }

    #[test]
    fn an_ordinary_pattern_is_kept_as_a_readable_block() {
        let written = record("id: shop\ntitle: Shop\n").to_text();
        assert!(
            written.contains("  text: |2\n    id: shop\n    title: Shop\n"),
            "{written}"
        );
    }

    #[test]
    fn the_digest_is_sha256() {
        assert_eq!(
            digest("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn paths_are_relative_to_the_project() {
        let root = tempfile::tempdir().unwrap();
        let file = root.path().join("patterns/shop.yaml");
        assert_eq!(
            relative_path(&file, &root.path().join("projects/shop")),
            "../../patterns/shop.yaml"
        );
        assert_eq!(
            relative_path(&root.path().join("shop/p.yaml"), &root.path().join("shop")),
            "p.yaml"
        );
    }

    #[test]
    fn sets_keep_the_last_value() {
        let map = sets_map(&["a=1".into(), "b=x=y".into(), "a=2".into(), "bad".into()]);
        assert_eq!(
            map.into_iter().collect::<Vec<_>>(),
            [("a".into(), "2".into()), ("b".into(), "x=y".into())]
        );
    }

    #[test]
    fn every_record_error_says_what_to_do() {
        let cases = [
            (
                Record::parse("archpat: [", Path::new("p/.archpat.yaml")).unwrap_err(),
                "cannot read `p/.archpat.yaml`: ",
            ),
            (
                RecordError::UnknownTarget {
                    path: "p/.archpat.yaml".into(),
                    target: "pulumi".into(),
                },
                "`p/.archpat.yaml` names the target `pulumi`, which this archpat does not know",
            ),
            (
                RecordError::Source {
                    path: "p/.archpat.yaml".into(),
                },
                "`p/.archpat.yaml` must name the pattern by exactly one of `builtin` and `file`",
            ),
        ];
        for (error, start) in cases {
            assert!(error.to_string().starts_with(start), "{error}");
        }
        let parse = Record::parse("archpat: [", Path::new("p/.archpat.yaml")).unwrap_err();
        assert!(
            parse
                .to_string()
                .ends_with("; it is written by `archpat new`, do not edit it"),
            "{parse}"
        );
    }
}
