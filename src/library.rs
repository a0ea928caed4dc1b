//! Where patterns come from: the built-in ones embedded in the binary, the user's own folders
//! (`--patterns-dir` or `ARCHPAT_PATTERNS_DIR`), or a path to one file. A user's folder may
//! shadow a built-in id; every pattern, wherever it comes from, goes through the same loader.

use std::path::{Path, PathBuf};

use include_dir::{Dir, include_dir};

use crate::catalog::did_you_mean;
use crate::loader::{self, Definition, LoadError};

static PATTERNS_DIR: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/patterns");

#[derive(Debug, thiserror::Error)]
pub enum LibraryError {
    #[error("unknown pattern `{name}`{}; run `archpat list` to see them all, or pass a path to a pattern file", hint.as_ref().map(|h| format!(" (did you mean `{h}`?)")).unwrap_or_default())]
    UnknownPattern { name: String, hint: Option<String> },
    #[error("pattern file `{path}` does not exist")]
    NoSuchFile { path: String },
    #[error("cannot read patterns folder `{path}`")]
    ReadDir {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("pattern file `{path}` declares id `{id}`; the file must be named `{id}.yaml`")]
    MisnamedFile { path: String, id: String },
    #[error(transparent)]
    Load(#[from] LoadError),
}

/// Where a listed pattern was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    BuiltIn,
    File(PathBuf),
}

#[derive(Debug, Clone)]
pub struct Entry {
    pub id: String,
    pub origin: Origin,
}

/// The patterns a command can name by id.
#[derive(Debug, Clone, Default)]
pub struct Library {
    user_dirs: Vec<PathBuf>,
}

fn is_pattern_file(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "yaml" || e == "yml")
}

impl Library {
    pub fn new(user_dirs: Vec<PathBuf>) -> Library {
        Library { user_dirs }
    }

    /// Built-in pattern ids, sorted.
    pub fn builtin_ids() -> Vec<String> {
        let mut ids: Vec<String> = PATTERNS_DIR
            .files()
            .filter(|f| is_pattern_file(f.path()))
            .filter_map(|f| f.path().file_stem()?.to_str().map(str::to_string))
            .collect();
        ids.sort();
        ids
    }

    /// The text of a built-in pattern file.
    pub fn builtin_text(id: &str) -> Option<&'static str> {
        ["yaml", "yml"]
            .iter()
            .find_map(|ext| PATTERNS_DIR.get_file(format!("{id}.{ext}")))
            .and_then(|f| f.contents_utf8())
    }

    /// Every pattern by id: user folders first (in the order given), then the built-ins they
    /// don't shadow. Sorted by id within each origin.
    pub fn entries(&self) -> Result<Vec<Entry>, LibraryError> {
        let mut entries: Vec<Entry> = Vec::new();
        for dir in &self.user_dirs {
            let read = std::fs::read_dir(dir).map_err(|source| LibraryError::ReadDir {
                path: dir.display().to_string(),
                source,
            })?;
            let mut files: Vec<PathBuf> = read
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_file() && is_pattern_file(p))
                .collect();
            files.sort();
            for path in files {
                let Some(id) = path.file_stem().and_then(|s| s.to_str()) else {
                    continue;
                };
                if !entries.iter().any(|e| e.id == id) {
                    entries.push(Entry {
                        id: id.to_string(),
                        origin: Origin::File(path.clone()),
                    });
                }
            }
        }
        for id in Self::builtin_ids() {
            if !entries.iter().any(|e| e.id == id) {
                entries.push(Entry {
                    id,
                    origin: Origin::BuiltIn,
                });
            }
        }
        Ok(entries)
    }

    /// Loads a pattern named by id, or by a path to its file.
    pub fn load(&self, name: &str) -> Result<Definition, LibraryError> {
        let as_path = Path::new(name);
        let looks_like_path = name.contains(std::path::MAIN_SEPARATOR)
            || name.contains('/')
            || is_pattern_file(as_path);
        if looks_like_path {
            if !as_path.exists() {
                return Err(LibraryError::NoSuchFile {
                    path: name.to_string(),
                });
            }
            return Ok(loader::load_file(as_path)?);
        }
        let entries = self.entries()?;
        match entries.iter().find(|e| e.id == name) {
            Some(Entry {
                origin: Origin::File(path),
                id,
            }) => {
                let def = loader::load_file(path)?;
                // A folder names a pattern by its file; another id inside would make `list`
                // and the project's name disagree.
                if def.id() != id {
                    return Err(LibraryError::MisnamedFile {
                        path: path.display().to_string(),
                        id: def.id().to_string(),
                    });
                }
                Ok(def)
            }
            Some(Entry {
                origin: Origin::BuiltIn,
                id,
            }) => {
                let text = Self::builtin_text(id).unwrap_or_default();
                Ok(loader::load_str(&format!("builtin:{id}"), text)?)
            }
            None if as_path.is_file() => Ok(loader::load_file(as_path)?),
            None => Err(LibraryError::UnknownPattern {
                name: name.to_string(),
                hint: did_you_mean(name, entries.iter().map(|e| e.id.as_str())).map(str::to_string),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_pattern_loads_and_resolves() {
        let ids = Library::builtin_ids();
        assert!(
            ids.len() >= 6,
            "expected six built-in patterns, found {ids:?}"
        );
        for id in ids {
            let def = Library::default()
                .load(&id)
                .unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(def.id(), id, "file name and id differ");
            def.resolve(&[]).unwrap_or_else(|e| panic!("{id}: {e}"));
        }
    }

    #[test]
    fn unknown_pattern_suggests_the_closest_id() {
        let err = Library::default().load("serverles-web").unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown pattern `serverles-web` (did you mean `serverless-web`?); run `archpat list` to see them all, or pass a path to a pattern file"
        );
    }

    #[test]
    fn missing_file_is_named() {
        let err = Library::default().load("nowhere/p.yaml").unwrap_err();
        assert_eq!(
            err.to_string(),
            "pattern file `nowhere/p.yaml` does not exist"
        );
    }

    #[test]
    fn a_folder_file_must_be_named_by_its_id() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("mine.yaml");
        let text = "id: other\ntitle: T\nsummary: s\ncomponents:\n  - { id: fn, kind: lambda }\n";
        std::fs::write(&path, text).unwrap();
        let lib = Library::new(vec![dir.path().to_path_buf()]);
        assert_eq!(
            lib.load("mine").unwrap_err().to_string(),
            format!(
                "pattern file `{}` declares id `other`; the file must be named `other.yaml`",
                path.display()
            )
        );
        // By its path the file is just a file.
        assert_eq!(lib.load(path.to_str().unwrap()).unwrap().id(), "other");
    }

    #[test]
    fn user_folder_shadows_builtin() {
        let dir = tempfile::tempdir().unwrap();
        let text = "id: serverless-web\ntitle: Mine\nsummary: s\ncomponents:\n  - { id: fn, kind: lambda }\n";
        std::fs::write(dir.path().join("serverless-web.yaml"), text).unwrap();
        let lib = Library::new(vec![dir.path().to_path_buf()]);
        assert_eq!(lib.load("serverless-web").unwrap().title(), "Mine");
        let entries = lib.entries().unwrap();
        assert_eq!(
            entries.iter().filter(|e| e.id == "serverless-web").count(),
            1
        );
    }
}
