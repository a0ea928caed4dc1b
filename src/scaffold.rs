//! Starter projects from a pattern: `archpat new`. The engine ([`engine`]) turns a resolved
//! pattern and a target's templates into a file tree; this module picks the target, checks the
//! user's inputs and writes the tree so that a failure leaves nothing behind.

pub mod engine;
pub mod naming;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::cli::{NewArgs, Outcome};
use crate::error::{EXIT_ENVIRONMENT, EXIT_INPUT, Error};
use crate::library::Library;

pub use engine::{Gap, Options, Project};

/// The infrastructure-as-code flavours archpat writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Iac {
    Cloudformation,
    Terraform,
    Cdk,
}

impl Iac {
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
            ScaffoldError::Io { .. } => EXIT_ENVIRONMENT,
            _ => EXIT_INPUT,
        }
    }
}

/// Generates a project in memory: the part of `archpat new` that benchmarks and tests call.
pub fn generate(library: &Library, args: &NewArgs) -> Result<(Project, String), Error> {
    let pattern = crate::cli::resolve(library, &args.pattern)?;
    let name = args.name.clone().unwrap_or_else(|| pattern.id.clone());
    naming::check_project_name(&name)?;
    if let Some(region) = &args.region {
        naming::check_region(region)?;
    }
    let project = engine::generate(
        &pattern,
        &Options {
            target: args.iac.target(),
            name: &name,
            region: args.region.as_deref(),
        },
    )?;
    Ok((project, name))
}

pub fn new_project(library: &Library, args: &NewArgs) -> Result<Outcome, Error> {
    let (project, name) = generate(library, args)?;
    let dir = args.output.clone().unwrap_or_else(|| PathBuf::from(&name));
    check_target(&dir, args.force)?;
    let mut listing = String::new();
    for path in project.files.keys() {
        writeln!(listing, "{}", dir.join(path).display()).ok();
    }
    if args.dry_run {
        return Ok(Outcome {
            stdout: listing.into_bytes(),
            note: Some(format!(
                "dry run: would write {} files into `{}`",
                project.files.len(),
                dir.display()
            )),
        });
    }
    write_tree(&dir, &project)?;
    let next = project
        .next_steps
        .replace("{dir}", &dir.display().to_string());
    Ok(Outcome {
        stdout: listing.into_bytes(),
        note: Some(format!(
            "wrote {} files into `{}`\n{}",
            project.files.len(),
            dir.display(),
            next.trim_end()
        )),
    })
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
        return Ok(());
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
