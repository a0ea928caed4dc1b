//! `archpat update`: brings an edited starter project up to a changed pattern, new parameter
//! values or a newer archpat, and keeps the user's edits.
//!
//! The project's [`record`] says what it was generated from. The old tree is regenerated from it
//! (the common ancestor), the new tree from the new inputs, and every file is decided three ways
//! ([`merge`]) against what the user has now. Nothing is written until every decision is made and
//! every new text sits in a temporary file beside its target, so a failure leaves the project as
//! it was; the record is replaced last.

pub mod changes;
pub mod merge;
pub mod record;

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::error::{EXIT_ENVIRONMENT, EXIT_INPUT};
use crate::library::{Library, LibraryError};
use crate::loader::{self, LoadError, ResolveError};
use crate::model::Pattern;
use crate::scaffold::{self, Project, ScaffoldError};

pub use changes::Change;
pub use merge::{Action, Base};
pub use record::{RECORD_FILE, Record, Source};

#[derive(Debug, thiserror::Error)]
pub enum UpdateError {
    #[error(
        "`{dir}` has no `{RECORD_FILE}`: only a project written by `archpat new` can be updated"
    )]
    NoRecord { dir: String },
    #[error(transparent)]
    Record(#[from] record::RecordError),
    #[error(
        "`{dir}` has uncommitted changes ({}); commit or stash them first so the update can be reviewed and undone, or pass `--force`",
        files.join(", ")
    )]
    Uncommitted { dir: String, files: Vec<String> },
    #[error(
        "the pattern file `{path}` that `{record}` names is gone; pass the pattern with `--pattern FILE`"
    )]
    PatternGone { path: String, record: String },
    #[error(
        "the built-in pattern `{id}` that `{record}` names no longer exists; pass one with `--pattern`"
    )]
    BuiltinGone { id: String, record: String },
    #[error("the pattern recorded in `{record}` no longer loads with this archpat")]
    OldPattern {
        record: String,
        #[source]
        source: Box<LoadErrorOrResolve>,
    },
    #[error("cannot generate the project as it was made (`{record}`)")]
    OldProject {
        record: String,
        #[source]
        source: ScaffoldError,
    },
    #[error(transparent)]
    Library(#[from] LibraryError),
    #[error(transparent)]
    Resolve(#[from] ResolveError),
    #[error(transparent)]
    Scaffold(#[from] ScaffoldError),
    #[error("cannot read `{path}`")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot write `{path}`; the project was left as it was")]
    Write {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "{} in `{dir}` need{} your decision: {}; resolve the conflict markers (or decide what to keep), then commit",
        if files.len() == 1 { "1 file".to_string() } else { format!("{} files", files.len()) },
        if files.len() == 1 { "s" } else { "" },
        files.join(", ")
    )]
    Conflicts { dir: String, files: Vec<String> },
}

/// Why the recorded pattern cannot be rebuilt.
#[derive(Debug, thiserror::Error)]
pub enum LoadErrorOrResolve {
    #[error(transparent)]
    Load(#[from] LoadError),
    #[error(transparent)]
    Resolve(#[from] ResolveError),
}

impl UpdateError {
    pub fn exit_code(&self) -> i32 {
        match self {
            UpdateError::Read { .. } | UpdateError::Write { .. } => EXIT_ENVIRONMENT,
            UpdateError::Scaffold(e) => e.exit_code(),
            _ => EXIT_INPUT,
        }
    }
}

/// What the user asks of an update.
#[derive(Debug, Clone, Default)]
pub struct Request {
    /// `--set` values over the recorded ones.
    pub sets: Vec<String>,
    /// Another pattern (id or file) to update to; by default the recorded one as it is now.
    pub pattern: Option<String>,
    /// Run even when the git work tree has uncommitted changes.
    pub force: bool,
}

/// One file's fate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilePlan {
    pub path: String,
    pub action: Action,
    write: Option<String>,
}

/// Everything an update would do, decided before anything is written.
#[derive(Debug, Clone)]
pub struct Plan {
    pub dir: PathBuf,
    pub architecture: Vec<Change>,
    pub files: Vec<FilePlan>,
    /// Things worth knowing that are not changes (a newer archpat, dropped parameters).
    pub notes: Vec<String>,
    record: String,
    record_changed: bool,
}

impl Plan {
    pub fn conflicts(&self) -> Vec<String> {
        self.files
            .iter()
            .filter(|f| matches!(f.action, Action::Conflict { .. }))
            .map(|f| f.path.clone())
            .collect()
    }

    /// True when the project already matches the new inputs.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty() && !self.record_changed
    }

    /// The plan as the command prints it.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for note in &self.notes {
            writeln!(out, "note: {note}").ok();
        }
        writeln!(out, "architecture:").ok();
        if self.architecture.is_empty() {
            writeln!(out, "  no change").ok();
        }
        for change in &self.architecture {
            writeln!(out, "  {change}").ok();
        }
        writeln!(out, "files:").ok();
        if self.files.is_empty() {
            writeln!(out, "  no change").ok();
        }
        for f in &self.files {
            let (word, why) = match &f.action {
                Action::Add => ("add", ""),
                Action::Replace => ("update", ""),
                Action::Merge => ("merge", " (your edits kept)"),
                Action::Keep => ("keep", " (yours; the update does not change it)"),
                Action::Remove => ("remove", " (no longer generated)"),
                Action::Conflict { why } => ("CONFLICT", *why),
            };
            let why = if why.starts_with(' ') || why.is_empty() {
                why.to_string()
            } else {
                format!(": {why}")
            };
            writeln!(out, "  {word:<8} {}{why}", f.path).ok();
        }
        out
    }
}

fn read_optional(path: &Path) -> Result<Option<String>, UpdateError> {
    match std::fs::read(path) {
        Ok(bytes) => Ok(Some(String::from_utf8_lossy(&bytes).into_owned())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(UpdateError::Read {
            path: path.display().to_string(),
            source,
        }),
    }
}

/// Uncommitted changes under `dir` when it is in a git work tree; none when git is missing or
/// the folder is not under version control (there is nothing to protect then but the merge).
fn uncommitted(dir: &Path) -> Vec<String> {
    let Ok(out) = std::process::Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["status", "--porcelain", "--", "."])
        .stderr(std::process::Stdio::null())
        .output()
    else {
        return Vec::new();
    };
    if !out.status.success() {
        return Vec::new();
    }
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.get(3..).map(str::to_string))
        .collect()
}

/// The new pattern: the one asked for, or the recorded one as it is now.
fn new_definition(
    library: &Library,
    dir: &Path,
    record: &Record,
    request: &Request,
    record_path: &str,
) -> Result<(loader::Definition, Source, String), UpdateError> {
    if let Some(name) = &request.pattern {
        let definition = library.load(name)?;
        let (source, text) = source_of(&definition, dir)?;
        return Ok((definition, source, text));
    }
    match &record.source {
        Source::Builtin(id) => {
            let text = Library::builtin_text(id).ok_or_else(|| UpdateError::BuiltinGone {
                id: id.clone(),
                record: record_path.to_string(),
            })?;
            let definition =
                loader::load_str(&format!("builtin:{id}"), text).map_err(LibraryError::from)?;
            Ok((definition, record.source.clone(), text.to_string()))
        }
        Source::File(rel) => {
            let path = dir.join(rel);
            if !path.is_file() {
                return Err(UpdateError::PatternGone {
                    path: path.display().to_string(),
                    record: record_path.to_string(),
                });
            }
            let definition = loader::load_file(&path).map_err(LibraryError::from)?;
            let (source, text) = source_of(&definition, dir)?;
            Ok((definition, source, text))
        }
    }
}

/// Where a loaded pattern came from, as a record names it, and its text.
pub fn source_of(
    definition: &loader::Definition,
    dir: &Path,
) -> Result<(Source, String), UpdateError> {
    if let Some(id) = definition.source().strip_prefix("builtin:") {
        let text = Library::builtin_text(id).unwrap_or_default().to_string();
        return Ok((Source::Builtin(id.to_string()), text));
    }
    let path = Path::new(definition.source());
    let text = std::fs::read_to_string(path).map_err(|source| UpdateError::Read {
        path: path.display().to_string(),
        source,
    })?;
    Ok((Source::File(record::relative_path(path, dir)), text))
}

/// The record `archpat new` writes into `dir` for `project`.
pub fn record_for(
    project: &Project,
    source: Source,
    pattern_text: String,
    options: &scaffold::Options,
    sets: &[String],
) -> String {
    Record {
        archpat: env!("CARGO_PKG_VERSION").to_string(),
        iac: options.iac,
        name: project.name.clone(),
        region: options.region.clone(),
        source,
        pattern_text,
        sets: record::sets_map(sets),
        files: project
            .files
            .iter()
            .map(|(path, text)| (path.clone(), record::digest(text)))
            .collect(),
    }
    .to_text()
}

/// Decides everything an update of the project in `dir` would do, and writes nothing.
pub fn plan(library: &Library, dir: &Path, request: &Request) -> Result<Plan, UpdateError> {
    let record_path = dir.join(RECORD_FILE);
    let shown = record_path.display().to_string();
    let Some(text) = read_optional(&record_path)? else {
        return Err(UpdateError::NoRecord {
            dir: dir.display().to_string(),
        });
    };
    let record = Record::parse(&text, &record_path)?;
    if !request.force {
        let mut dirty = uncommitted(dir);
        if dirty.len() > 5 {
            let more = dirty.len() - 5;
            dirty.truncate(5);
            dirty.push(format!("and {more} more"));
        }
        if !dirty.is_empty() {
            return Err(UpdateError::Uncommitted {
                dir: dir.display().to_string(),
                files: dirty,
            });
        }
    }
    let options = scaffold::Options {
        iac: record.iac,
        name: Some(record.name.clone()),
        region: record.region.clone(),
    };
    let old_pattern = old_pattern(&record, &shown)?;
    let old =
        scaffold::scaffold(&old_pattern, &options).map_err(|source| UpdateError::OldProject {
            record: shown.clone(),
            source,
        })?;

    let (definition, source, pattern_text) =
        new_definition(library, dir, &record, request, &shown)?;
    let mut notes = Vec::new();
    if record.archpat != env!("CARGO_PKG_VERSION") {
        notes.push(format!(
            "the project was made by archpat {}; this is {}",
            record.archpat,
            env!("CARGO_PKG_VERSION")
        ));
    }
    let declared: BTreeSet<&str> = definition.parameters().map(|(n, _)| n).collect();
    // A recorded value for a parameter the pattern dropped is said and left out; a `--set` the
    // user gives now must name a real one (the loader says so).
    let mut sets = record.sets.clone();
    sets.retain(|name, _| {
        let keep = declared.contains(name.as_str());
        if !keep {
            notes.push(format!(
                "the pattern has no parameter `{name}` any more; its recorded value is dropped"
            ));
        }
        keep
    });
    definition.parse_sets(&request.sets)?;
    sets.extend(record::sets_map(&request.sets));
    let set_args: Vec<String> = sets.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let new_pattern = definition.resolve(&set_args)?;
    let new = scaffold::scaffold(&new_pattern, &options)?;

    let files = decide_files(dir, &record, &old, &new)?;
    let new_record = record_for(&new, source, pattern_text, &options, &set_args);
    let record_changed = new_record != text;
    Ok(Plan {
        dir: dir.to_path_buf(),
        architecture: changes::changes(&old_pattern, &new_pattern),
        files,
        notes,
        record: new_record,
        record_changed,
    })
}

fn old_pattern(record: &Record, shown: &str) -> Result<Pattern, UpdateError> {
    let fail = |e: LoadErrorOrResolve| UpdateError::OldPattern {
        record: shown.to_string(),
        source: Box::new(e),
    };
    let source = match &record.source {
        Source::Builtin(id) => format!("builtin:{id}"),
        Source::File(path) => format!("{shown} (recorded copy of `{path}`)"),
    };
    let definition = loader::load_str(&source, &record.pattern_text).map_err(|e| fail(e.into()))?;
    // A recorded value the old pattern refuses cannot happen unless the record was edited.
    definition
        .resolve(&record.set_args())
        .map_err(|e| fail(e.into()))
}

fn decide_files(
    dir: &Path,
    record: &Record,
    old: &Project,
    new: &Project,
) -> Result<Vec<FilePlan>, UpdateError> {
    let mut paths: BTreeSet<&str> = record.files.keys().map(String::as_str).collect();
    paths.extend(new.files.keys().map(String::as_str));
    let mut out = Vec::new();
    for path in paths {
        if path == RECORD_FILE {
            continue;
        }
        let base = match (record.files.get(path), old.files.get(path)) {
            (Some(hash), Some(text)) if &record::digest(text) == hash => Base::Known(text.clone()),
            (Some(hash), _) => Base::Unknown {
                sha256: hash.clone(),
            },
            (None, _) => Base::Absent,
        };
        let user = read_optional(&dir.join(path))?;
        let new_text = new.files.get(path).map(String::as_str);
        if let Some(d) = merge::decide(&base, user.as_deref(), new_text) {
            out.push(FilePlan {
                path: path.to_string(),
                action: d.action,
                write: d.write,
            });
        }
    }
    Ok(out)
}

/// Carries out a plan: every new text is first written to a temporary file beside its target,
/// then all are moved into place, then removals, then the record. A failure before the moves
/// removes the temporary files and the folders made for them.
pub fn apply(plan: &Plan) -> Result<(), UpdateError> {
    let mut created: Vec<PathBuf> = Vec::new();
    let staged = stage(plan, &mut created);
    let staged = match staged {
        Ok(s) => s,
        Err(e) => {
            for dir in created.iter().rev() {
                let _ = std::fs::remove_dir(dir);
            }
            return Err(e);
        }
    };
    // Everything is on disk; from here on only renames.
    for (tmp, target, executable) in staged {
        if executable {
            set_executable(tmp.path());
        }
        tmp.persist(&target).map_err(|e| UpdateError::Write {
            path: target.display().to_string(),
            source: e.error,
        })?;
    }
    for f in plan.files.iter().filter(|f| f.action == Action::Remove) {
        let path = plan.dir.join(&f.path);
        std::fs::remove_file(&path).map_err(|source| UpdateError::Write {
            path: path.display().to_string(),
            source,
        })?;
        remove_empty_parents(&path, &plan.dir);
    }
    Ok(())
}

type Staged = Vec<(tempfile::NamedTempFile, PathBuf, bool)>;

/// Writes every new text to a temporary file in its target's folder (the record last, so it is
/// moved last), noting the folders it had to make.
fn stage(plan: &Plan, created: &mut Vec<PathBuf>) -> Result<Staged, UpdateError> {
    let fail = |path: &Path| {
        let path = path.display().to_string();
        move |source| UpdateError::Write { path, source }
    };
    let writes = plan
        .files
        .iter()
        .filter_map(|f| f.write.as_ref().map(|t| (f.path.as_str(), t.as_str())))
        .chain(
            plan.record_changed
                .then_some((RECORD_FILE, plan.record.as_str())),
        );
    let mut staged = Vec::new();
    for (rel, text) in writes {
        let target = plan.dir.join(rel);
        let parent = target.parent().unwrap_or(&plan.dir).to_path_buf();
        let mut missing = Vec::new();
        let mut probe = parent.clone();
        while !probe.exists() {
            missing.push(probe.clone());
            if !probe.pop() {
                break;
            }
        }
        std::fs::create_dir_all(&parent).map_err(fail(&parent))?;
        created.extend(missing.into_iter().rev());
        let mut tmp = tempfile::Builder::new()
            .prefix(".archpat-update-")
            .tempfile_in(&parent)
            .map_err(fail(&target))?;
        std::io::Write::write_all(&mut tmp, text.as_bytes()).map_err(fail(&target))?;
        let executable = rel.ends_with(".sh") || is_executable(&target);
        staged.push((tmp, target, executable));
    }
    Ok(staged)
}

/// Removes the folders a removed file leaves empty, up to the project folder.
fn remove_empty_parents(path: &Path, root: &Path) {
    let mut dir = path.parent();
    while let Some(d) = dir {
        if d == root || std::fs::remove_dir(d).is_err() {
            break;
        }
        dir = d.parent();
    }
}

#[cfg(unix)]
fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(_: &Path) -> bool {
    false
}

#[cfg(unix)]
fn set_executable(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755));
}

#[cfg(not(unix))]
fn set_executable(_: &Path) {}
