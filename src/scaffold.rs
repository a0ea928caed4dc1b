//! Starter projects from a pattern: `archpat new`. The engine ([`engine`]) turns a resolved
//! pattern and a target's templates into a file tree; this module picks the target, checks the
//! user's inputs and writes the tree so that a failure leaves nothing behind.

pub mod engine;
mod filters;
pub mod naming;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::error::{EXIT_ENVIRONMENT, EXIT_INPUT};
use crate::model::Pattern;

pub use engine::{Fragment, Gap, Owner, Project};

/// The infrastructure-as-code flavours archpat writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Iac {
    Cloudformation,
    Terraform,
    Cdk,
}

impl Iac {
    /// Every target, in the order commands list them.
    pub const ALL: [Iac; 3] = [Iac::Cloudformation, Iac::Terraform, Iac::Cdk];

    /// The folder under `templates/` that holds this target's templates.
    pub fn target(self) -> &'static str {
        match self {
            Iac::Cloudformation => "cloudformation",
            Iac::Terraform => "terraform",
            Iac::Cdk => "cdk",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ScaffoldError {
    #[error("the `{0}` target is not available yet; use `--iac cloudformation`")]
    Unavailable(String),
    #[error("invalid project name `{name}`: {reason}")]
    InvalidName { name: String, reason: String },
    #[error("invalid region `{0}`: expected a region code such as `eu-west-1`")]
    InvalidRegion(String),
    #[error(
        "output folder `{dir}` is not empty; choose another with `-o` or pass `--force` to write into it"
    )]
    NotEmpty { dir: String },
    #[error("output path `{dir}` exists and is not a folder")]
    NotADir { dir: String },
    #[error("cannot read templates folder `{dir}`")]
    TemplatesDir {
        dir: String,
        #[source]
        source: std::io::Error,
    },
    #[error("output path `{dir}` is inside `{file}`, which is a file")]
    UnderAFile { dir: String, file: String },
    #[error("the `{target}` target cannot generate {} of `{pattern}`:{}", count(gaps.len()), list(pattern, gaps))]
    Gaps {
        target: String,
        pattern: String,
        gaps: Vec<engine::Gap>,
    },
    #[error(
        "components `{first}` and `{second}` both map to the logical id `{logical_id}`; rename one"
    )]
    DuplicateLogicalId {
        first: String,
        second: String,
        logical_id: String,
    },
    #[error("two templates write the file `{path}`")]
    DuplicateFile { path: String },
    #[error("template `{template}` failed: {message}")]
    Template { template: String, message: String },
    #[error("template `{template}` line {line}: {message}")]
    Fragment {
        template: String,
        line: usize,
        message: String,
    },
    #[error("cannot write `{path}`")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

fn count(n: usize) -> String {
    if n == 1 {
        "one part".into()
    } else {
        format!("{n} parts")
    }
}

/// One gap a line, located as `file:line:` where the line is known.
fn list(source: &str, gaps: &[engine::Gap]) -> String {
    let mut out = String::new();
    for g in gaps {
        if g.line > 0 {
            write!(out, "\n  {source}:{}: {g}", g.line).ok();
        } else {
            write!(out, "\n  {g}").ok();
        }
    }
    out
}

impl ScaffoldError {
    pub fn exit_code(&self) -> i32 {
        match self {
            ScaffoldError::Io { .. } | ScaffoldError::TemplatesDir { .. } => EXIT_ENVIRONMENT,
            _ => EXIT_INPUT,
        }
    }
}

/// What a starter project is generated with, besides the pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    pub iac: Iac,
    /// Project name, used for the stack, resource names and the folder (default: the pattern id).
    pub name: Option<String>,
    /// AWS region to pin the project to (default: whatever the deploying credentials use).
    pub region: Option<String>,
}

impl Options {
    /// The target's defaults: named after the pattern, no region pinned.
    pub fn new(iac: Iac) -> Options {
        Options {
            iac,
            name: None,
            region: None,
        }
    }
}

/// Generates a starter project in memory: the file tree, what each fragment was rendered for,
/// and the next steps to tell the user. Nothing is written; see [`write`].
pub fn scaffold(pattern: &Pattern, options: &Options) -> Result<Project, ScaffoldError> {
    let name = options.name.as_deref().unwrap_or(&pattern.id);
    naming::check_project_name(name)?;
    if let Some(region) = &options.region {
        naming::check_region(region)?;
    }
    engine::generate(
        pattern,
        &engine::Options {
            target: options.iac.target(),
            name,
            region: options.region.as_deref(),
        },
    )
}

/// Everything [`scaffold`] could not generate for this pattern, all at once (empty when the
/// project generates).
pub fn gaps(pattern: &Pattern, options: &Options) -> Result<Vec<Gap>, ScaffoldError> {
    let name = options.name.as_deref().unwrap_or(&pattern.id);
    engine::gaps(
        pattern,
        &engine::Options {
            target: options.iac.target(),
            name,
            region: options.region.as_deref(),
        },
    )
}

/// Writes a project into `dir`: a new folder, an empty one, or (with `force`) a non-empty one
/// whose files archpat generates are replaced. A failure leaves nothing behind.
pub fn write(project: &Project, dir: &Path, force: bool) -> Result<(), ScaffoldError> {
    check_target(dir, force)?;
    write_tree(dir, project)
}

/// Refuses what [`write`] would refuse, without writing: for a dry run.
pub fn check_dir(dir: &Path, force: bool) -> Result<(), ScaffoldError> {
    check_target(dir, force)
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> ScaffoldError + '_ {
    move |source| ScaffoldError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// Refuses an existing non-empty folder unless `force`.
fn check_target(dir: &Path, force: bool) -> Result<(), ScaffoldError> {
    if !dir.exists() {
        return match dir.ancestors().skip(1).find(|a| a.is_file()) {
            Some(file) => Err(ScaffoldError::UnderAFile {
                dir: dir.display().to_string(),
                file: file.display().to_string(),
            }),
            None => Ok(()),
        };
    }
    if !dir.is_dir() {
        return Err(ScaffoldError::NotADir {
            dir: dir.display().to_string(),
        });
    }
    let empty = std::fs::read_dir(dir).map_err(io(dir))?.next().is_none();
    if !empty && !force {
        return Err(ScaffoldError::NotEmpty {
            dir: dir.display().to_string(),
        });
    }
    Ok(())
}

/// Writes every file into a temporary folder beside `dir`, then moves it into place: a new folder
/// is renamed whole, an existing one receives each file by rename. Until then a failure leaves
/// nothing behind (the temporary folder removes itself).
fn write_tree(dir: &Path, project: &Project) -> Result<(), ScaffoldError> {
    let parent = match dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent).map_err(io(&parent))?;
    let tmp = tempfile::Builder::new()
        .prefix(".archpat-new-")
        .tempdir_in(&parent)
        .map_err(io(&parent))?;
    for (rel, text) in &project.files {
        let path = tmp.path().join(rel);
        if let Some(p) = path.parent() {
            std::fs::create_dir_all(p).map_err(io(p))?;
        }
        std::fs::write(&path, text).map_err(io(&path))?;
        if rel.ends_with(".sh") {
            make_executable(&path)?;
        }
    }
    if !dir.exists() {
        std::fs::rename(tmp.path(), dir).map_err(io(dir))?;
        // The folder now lives at `dir`; keep the guard from deleting it.
        let _ = tmp.keep();
        return Ok(());
    }
    for rel in project.files.keys() {
        let to = dir.join(rel);
        if let Some(p) = to.parent() {
            std::fs::create_dir_all(p).map_err(io(p))?;
        }
        std::fs::rename(tmp.path().join(rel), &to).map_err(io(&to))?;
    }
    Ok(())
}

#[cfg(unix)]
fn make_executable(path: &Path) -> Result<(), ScaffoldError> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).map_err(io(path))
}

#[cfg(not(unix))]
fn make_executable(_: &Path) -> Result<(), ScaffoldError> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::library::Library;

    fn pattern(id: &str) -> Pattern {
        Library::default().load(id).unwrap().resolve(&[]).unwrap()
    }

    #[test]
    fn scaffold_names_the_project_and_checks_what_it_is_given() {
        let p = pattern("serverless-web");
        let project = scaffold(&p, &Options::new(Iac::Terraform)).unwrap();
        assert_eq!(project.name, "serverless-web");
        assert!(project.files.keys().any(|f| f.ends_with(".tf")));
        let named = Options {
            name: Some("shop".into()),
            region: Some("eu-west-1".into()),
            ..Options::new(Iac::Cloudformation)
        };
        assert_eq!(scaffold(&p, &named).unwrap().name, "shop");
        let bad_name = Options {
            name: Some("Not A Name".into()),
            ..Options::new(Iac::Cdk)
        };
        assert!(matches!(
            scaffold(&p, &bad_name),
            Err(ScaffoldError::InvalidName { .. })
        ));
        let bad_region = Options {
            region: Some("mars".into()),
            ..Options::new(Iac::Cdk)
        };
        assert!(matches!(
            scaffold(&p, &bad_region),
            Err(ScaffoldError::InvalidRegion(r)) if r == "mars"
        ));
        assert!(gaps(&p, &Options::new(Iac::Cdk)).unwrap().is_empty());
    }

    #[test]
    fn write_refuses_a_non_empty_folder_unless_forced_and_leaves_nothing_behind() {
        let p = pattern("serverless-web");
        let project = scaffold(&p, &Options::new(Iac::Terraform)).unwrap();
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("out");
        write(&project, &dir, false).unwrap();
        assert!(dir.join("README.md").is_file());
        assert!(matches!(
            write(&project, &dir, false),
            Err(ScaffoldError::NotEmpty { .. })
        ));
        assert!(matches!(
            check_dir(&dir, false),
            Err(ScaffoldError::NotEmpty { .. })
        ));
        write(&project, &dir, true).unwrap();
        // Only the project folder: no temporary folder left beside it.
        assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 1);
    }
}
