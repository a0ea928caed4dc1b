//! The error of a whole command: one variant per area, each area's own enum inside. The exit code
//! is decided here, not in `main.rs`.

use crate::catalog::CatalogError;
use crate::compare::CompareError;
use crate::import::ImportError;
use crate::library::LibraryError;
use crate::loader::ResolveError;
use crate::output::OutputError;
use crate::render::icons::IconError;
use crate::render::image::ImageError;
use crate::scaffold::ScaffoldError;
use crate::update::UpdateError;
use crate::walkthrough::WalkError;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Catalog(#[from] CatalogError),
    #[error(transparent)]
    Library(#[from] LibraryError),
    #[error(transparent)]
    Resolve(#[from] ResolveError),
    #[error(transparent)]
    Image(#[from] ImageError),
    #[error(transparent)]
    Icons(#[from] IconError),
    #[error(transparent)]
    Output(#[from] OutputError),
    #[error(transparent)]
    Scaffold(#[from] ScaffoldError),
    #[error(transparent)]
    Walk(#[from] WalkError),
    #[error(transparent)]
    Compare(#[from] CompareError),
    #[error(transparent)]
    Update(#[from] UpdateError),
    #[error(transparent)]
    Import(#[from] ImportError),
    #[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
    Many(Vec<Error>),
}

/// Exit code for bad input: a pattern file or a value the user gave is wrong.
pub const EXIT_INPUT: i32 = 1;
/// Exit code for a failure of the environment: a file that cannot be written, a missing tool.
pub const EXIT_ENVIRONMENT: i32 = 3;

impl Error {
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Catalog(CatalogError::Read { .. }) => EXIT_ENVIRONMENT,
            Error::Catalog(_) | Error::Library(_) | Error::Resolve(_) => EXIT_INPUT,
            Error::Scaffold(e) => e.exit_code(),
            Error::Image(_) | Error::Output(_) => EXIT_ENVIRONMENT,
            Error::Icons(IconError::Read { .. }) => EXIT_ENVIRONMENT,
            Error::Icons(_) => EXIT_INPUT,
            Error::Walk(WalkError::Terminal(_)) => EXIT_ENVIRONMENT,
            Error::Walk(_) => EXIT_INPUT,
            Error::Compare(e) => e.exit_code(),
            Error::Update(e) => e.exit_code(),
            Error::Import(e) => e.exit_code(),
            Error::Many(errors) => errors
                .iter()
                .map(Error::exit_code)
                .max()
                .unwrap_or(EXIT_INPUT),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::loader::{Diagnostic, LoadError};
    use crate::scaffold::Gap;

    fn io() -> std::io::Error {
        std::io::Error::new(std::io::ErrorKind::PermissionDenied, "denied")
    }

    /// Every error a command can end with: its message (what the user reads after `error: `) and
    /// its exit code. `CompareError`'s messages are tested beside it.
    #[test]
    fn every_error_says_what_happened_and_picks_its_exit_code() {
        let cases: Vec<(Error, &str, i32)> = vec![
            (
                CatalogError::Parse {
                    path: "kinds/x.yaml".into(),
                    message: "bad".into(),
                }
                .into(),
                "cannot parse catalog file `kinds/x.yaml`: bad",
                EXIT_INPUT,
            ),
            (
                CatalogError::MisnamedKind {
                    path: "kinds/a.yaml".into(),
                    kind: "b".into(),
                }
                .into(),
                "catalog file `kinds/a.yaml` declares kind `b`; the file must be named `b.yaml`",
                EXIT_INPUT,
            ),
            (
                CatalogError::UnknownReference {
                    kind: "lambda".into(),
                    what: "category",
                    name: "computer".into(),
                }
                .into(),
                "catalog kind `lambda` uses unknown category `computer`",
                EXIT_INPUT,
            ),
            (
                CatalogError::Missing("categories.yaml").into(),
                "catalog file `categories.yaml` is missing",
                EXIT_INPUT,
            ),
            (
                CatalogError::Read {
                    path: "/c".into(),
                    source: io(),
                }
                .into(),
                "cannot read catalog folder `/c`",
                EXIT_ENVIRONMENT,
            ),
            (
                CatalogError::AlreadyInUse.into(),
                "the catalog is already in use; give `--catalog-dir` before anything reads it",
                EXIT_INPUT,
            ),
            (
                LibraryError::UnknownPattern {
                    name: "servless-web".into(),
                    hint: Some("serverless-web".into()),
                }
                .into(),
                "unknown pattern `servless-web` (did you mean `serverless-web`?); run `archpat list` to see them all, or pass a path to a pattern file",
                EXIT_INPUT,
            ),
            (
                LibraryError::UnknownPattern {
                    name: "zzz".into(),
                    hint: None,
                }
                .into(),
                "unknown pattern `zzz`; run `archpat list` to see them all, or pass a path to a pattern file",
                EXIT_INPUT,
            ),
            (
                LibraryError::NoSuchFile {
                    path: "p.yaml".into(),
                }
                .into(),
                "pattern file `p.yaml` does not exist",
                EXIT_INPUT,
            ),
            (
                LibraryError::ReadDir {
                    path: "mine".into(),
                    source: io(),
                }
                .into(),
                "cannot read patterns folder `mine`",
                EXIT_INPUT,
            ),
            (
                LibraryError::Load(LoadError::Read {
                    path: "p.yaml".into(),
                    source: io(),
                })
                .into(),
                "cannot read `p.yaml`",
                EXIT_INPUT,
            ),
            (
                LibraryError::Load(LoadError::Empty {
                    path: "e.yaml".into(),
                })
                .into(),
                "`e.yaml` is empty; a pattern needs at least `id`, `title`, `summary` and `components`",
                EXIT_INPUT,
            ),
            (
                LibraryError::Load(LoadError::Binary {
                    path: "b.png".into(),
                })
                .into(),
                "`b.png` is not a text file (it holds binary data); pass a YAML pattern file (see docs/patterns.md)",
                EXIT_INPUT,
            ),
            (
                LibraryError::Load(LoadError::TooLarge {
                    path: "big.yaml".into(),
                    size: 2_000_000,
                })
                .into(),
                "`big.yaml` is 2000000 bytes; pattern files are limited to 1048576 bytes, so this is probably not a pattern file",
                EXIT_INPUT,
            ),
            (
                LibraryError::Load(LoadError::Invalid {
                    path: "p.yaml".into(),
                    diagnostics: vec![
                        Diagnostic {
                            line: 3,
                            column: 5,
                            message: "unknown kind `lamda`".into(),
                            hint: Some("did you mean `lambda`?".into()),
                        },
                        Diagnostic {
                            line: 9,
                            column: 1,
                            message: "missing `title`".into(),
                            hint: None,
                        },
                    ],
                })
                .into(),
                "p.yaml:3:5: unknown kind `lamda`\n  hint: did you mean `lambda`?\np.yaml:9:1: missing `title`\n`p.yaml` has 2 errors",
                EXIT_INPUT,
            ),
            (
                ResolveError::UnknownParameter {
                    pattern: "p".into(),
                    name: "multiaz".into(),
                    hint: Some("multi_az".into()),
                    known: vec!["multi_az".into()],
                }
                .into(),
                "pattern `p` has no parameter `multiaz`; did you mean `multi_az`?",
                EXIT_INPUT,
            ),
            (
                ResolveError::UnknownParameter {
                    pattern: "p".into(),
                    name: "x".into(),
                    hint: None,
                    known: vec![],
                }
                .into(),
                "pattern `p` has no parameter `x`; it takes no parameters",
                EXIT_INPUT,
            ),
            (
                ResolveError::UnknownParameter {
                    pattern: "p".into(),
                    name: "x".into(),
                    hint: None,
                    known: vec!["a".into(), "b".into()],
                }
                .into(),
                "pattern `p` has no parameter `x`; its parameters are: a, b",
                EXIT_INPUT,
            ),
            (
                ResolveError::BadValue {
                    name: "mem".into(),
                    expected: "an integer".into(),
                }
                .into(),
                "bad value for parameter `mem`: expected an integer",
                EXIT_INPUT,
            ),
            (
                ResolveError::BadSet { text: "mem".into() }.into(),
                "`--set mem` is not of the form `name=value`",
                EXIT_INPUT,
            ),
            (
                ResolveError::BadProperty {
                    component: "fn".into(),
                    property: "memory".into(),
                    expected: "128 to 10240".into(),
                }
                .into(),
                "parameter values make property `memory` of `fn` invalid: expected 128 to 10240",
                EXIT_INPUT,
            ),
            (
                ResolveError::OverlappingVpcs {
                    first: "a".into(),
                    second: "b".into(),
                    cidr: "10.0.0.0/16".into(),
                }
                .into(),
                "VPCs `a` and `b` both use the address range `10.0.0.0/16`; give one of them another `cidr` (such as 10.1.0.0/16) so they can be peered",
                EXIT_INPUT,
            ),
            (
                ResolveError::ZoneCounts {
                    vpc: "vpc".into(),
                    drawn: 2,
                    count: 3,
                }
                .into(),
                "VPC `vpc` is drawn across 2 availability zones (`azs`) but parameter `az_count` deploys 3; give `azs` the value `${az_count}` so the two agree",
                EXIT_INPUT,
            ),
            (
                ImageError::NoDiagram.into(),
                "the Mermaid source holds no diagram",
                EXIT_ENVIRONMENT,
            ),
            (
                ImageError::Render("syntax".into()).into(),
                "failed to render the Mermaid diagram: syntax",
                EXIT_ENVIRONMENT,
            ),
            (
                ImageError::NoFonts.into(),
                "no font found to draw text in PNG output; install one (for example the `fonts-dejavu-core` package) or write SVG instead",
                EXIT_ENVIRONMENT,
            ),
            (
                IconError::Missing {
                    path: "aws-icons".into(),
                }
                .into(),
                "icon folder `aws-icons` does not exist; pass `--icons` (or set `ARCHPAT_ICONS` to) the folder you unpacked AWS's Architecture Icons asset package into, or leave it out to draw archpat's own glyphs",
                EXIT_INPUT,
            ),
            (
                IconError::NotAFolder {
                    path: "x.svg".into(),
                }
                .into(),
                "`x.svg` is not a folder; pass `--icons` the folder you unpacked AWS's Architecture Icons asset package into, not a file in it",
                EXIT_INPUT,
            ),
            (
                IconError::Empty { path: "e".into() }.into(),
                "icon folder `e` holds no `.svg` or `.png` file; unpack AWS's Architecture Icons asset package into it (archpat looks in every folder below it)",
                EXIT_INPUT,
            ),
            (
                IconError::Read {
                    path: "/i".into(),
                    source: io(),
                }
                .into(),
                "cannot read icon folder `/i`",
                EXIT_ENVIRONMENT,
            ),
            (
                ImageError::GraphvizMissing.into(),
                "graphviz `dot` is not installed; install graphviz or use the built-in engine",
                EXIT_ENVIRONMENT,
            ),
            (
                ImageError::GraphvizIo(io()).into(),
                "failed to run graphviz `dot`: denied",
                EXIT_ENVIRONMENT,
            ),
            (
                ImageError::Graphviz {
                    status: "exit status: 1".into(),
                    stderr: "syntax error".into(),
                }
                .into(),
                "graphviz `dot` failed (exit status: 1): syntax error",
                EXIT_ENVIRONMENT,
            ),
            (
                ImageError::GraphvizNotUtf8.into(),
                "graphviz `dot` wrote SVG that is not valid UTF-8",
                EXIT_ENVIRONMENT,
            ),
            (
                OutputError::Write {
                    path: "out.svg".into(),
                    source: io(),
                }
                .into(),
                "cannot write `out.svg`",
                EXIT_ENVIRONMENT,
            ),
            (
                OutputError::Terminal(io()).into(),
                "cannot talk to the terminal",
                EXIT_ENVIRONMENT,
            ),
            (
                ScaffoldError::Unavailable("pulumi".into()).into(),
                "the `pulumi` target is not available yet; use `--iac cloudformation`",
                EXIT_INPUT,
            ),
            (
                ScaffoldError::InvalidName {
                    name: "A".into(),
                    reason: "use lowercase".into(),
                }
                .into(),
                "invalid project name `A`: use lowercase",
                EXIT_INPUT,
            ),
            (
                ScaffoldError::InvalidRegion("mars-1".into()).into(),
                "invalid region `mars-1`: expected a region code such as `eu-west-1`",
                EXIT_INPUT,
            ),
            (
                ScaffoldError::NotEmpty { dir: "out".into() }.into(),
                "output folder `out` is not empty; choose another with `-o` or pass `--force` to write into it",
                EXIT_INPUT,
            ),
            (
                ScaffoldError::NotADir { dir: "f".into() }.into(),
                "output path `f` exists and is not a folder",
                EXIT_INPUT,
            ),
            (
                ScaffoldError::Gaps {
                    target: "cdk".into(),
                    pattern: "p.yaml".into(),
                    gaps: vec![
                        Gap {
                            line: 7,
                            subject: "component `db` (`aurora-cluster`)".into(),
                            need: "add templates/cdk/components/aurora-cluster.ts.tera".into(),
                        },
                        Gap {
                            line: 0,
                            subject: "group `vpc`".into(),
                            need: "add refs".into(),
                        },
                    ],
                }
                .into(),
                "the `cdk` target cannot generate 2 parts of `p.yaml`:\n  p.yaml:7: component `db` (`aurora-cluster`): add templates/cdk/components/aurora-cluster.ts.tera\n  group `vpc`: add refs",
                EXIT_INPUT,
            ),
            (
                ScaffoldError::Gaps {
                    target: "cdk".into(),
                    pattern: "p.yaml".into(),
                    gaps: vec![Gap {
                        line: 0,
                        subject: "s".into(),
                        need: "n".into(),
                    }],
                }
                .into(),
                "the `cdk` target cannot generate one part of `p.yaml`:\n  s: n",
                EXIT_INPUT,
            ),
            (
                ScaffoldError::DuplicateLogicalId {
                    first: "a-b".into(),
                    second: "a_b".into(),
                    logical_id: "AB".into(),
                }
                .into(),
                "components `a-b` and `a_b` both map to the logical id `AB`; rename one",
                EXIT_INPUT,
            ),
            (
                ScaffoldError::DuplicateFile {
                    path: "main.tf".into(),
                }
                .into(),
                "two templates write the file `main.tf`",
                EXIT_INPUT,
            ),
            (
                ScaffoldError::Template {
                    template: "templates/cdk/x.tera".into(),
                    message: "boom".into(),
                }
                .into(),
                "template `templates/cdk/x.tera` failed: boom",
                EXIT_INPUT,
            ),
            (
                ScaffoldError::Fragment {
                    template: "t".into(),
                    line: 4,
                    message: "unknown marker".into(),
                }
                .into(),
                "template `t` line 4: unknown marker",
                EXIT_INPUT,
            ),
            (
                ScaffoldError::Io {
                    path: "out/main.tf".into(),
                    source: io(),
                }
                .into(),
                "cannot write `out/main.tf`",
                EXIT_ENVIRONMENT,
            ),
            (
                WalkError::NoWalkthrough {
                    pattern: "p".into(),
                    file: "p.yaml".into(),
                }
                .into(),
                "pattern `p` (p.yaml) has no `walkthrough` section; docs/patterns.md (\"Walkthrough\") shows how to write one",
                EXIT_INPUT,
            ),
            (
                WalkError::StepOutOfRange {
                    pattern: "p".into(),
                    step: 9,
                    steps: 6,
                }
                .into(),
                "pattern `p` has 6 steps, so `--step 9` is out of range (use 1 to 6)",
                EXIT_INPUT,
            ),
            (
                WalkError::Terminal(io()).into(),
                "cannot run the interactive walkthrough in this terminal",
                EXIT_ENVIRONMENT,
            ),
            (
                CompareError::SynthSetup("no node".into()).into(),
                "`--synth` cannot run: no node",
                EXIT_ENVIRONMENT,
            ),
            (
                CompareError::Meta {
                    path: "m.yaml".into(),
                    message: "missing".into(),
                }
                .into(),
                "`m.yaml` is invalid: missing",
                EXIT_INPUT,
            ),
            (
                UpdateError::NoRecord { dir: "app".into() }.into(),
                "`app` has no `.archpat.yaml`: only a project written by `archpat new` can be updated",
                EXIT_INPUT,
            ),
            (
                UpdateError::Uncommitted {
                    dir: "app".into(),
                    files: vec!["main.tf".into(), "x.md".into()],
                }
                .into(),
                "`app` has uncommitted changes (main.tf, x.md); commit or stash them first so the update can be reviewed and undone, or pass `--force`",
                EXIT_INPUT,
            ),
            (
                UpdateError::PatternGone {
                    path: "app/../p.yaml".into(),
                    record: "app/.archpat.yaml".into(),
                }
                .into(),
                "the pattern file `app/../p.yaml` that `app/.archpat.yaml` names is gone; pass the pattern with `--pattern FILE`",
                EXIT_INPUT,
            ),
            (
                UpdateError::BuiltinGone {
                    id: "old".into(),
                    record: "app/.archpat.yaml".into(),
                }
                .into(),
                "the built-in pattern `old` that `app/.archpat.yaml` names no longer exists; pass one with `--pattern`",
                EXIT_INPUT,
            ),
            (
                UpdateError::OldPattern {
                    record: "app/.archpat.yaml".into(),
                    source: Box::new(ResolveError::BadSet { text: "a".into() }.into()),
                }
                .into(),
                "the pattern recorded in `app/.archpat.yaml` no longer loads with this archpat",
                EXIT_INPUT,
            ),
            (
                UpdateError::OldProject {
                    record: "app/.archpat.yaml".into(),
                    source: ScaffoldError::InvalidRegion("x".into()),
                }
                .into(),
                "cannot generate the project as it was made (`app/.archpat.yaml`)",
                EXIT_INPUT,
            ),
            (
                UpdateError::Read {
                    path: "app/main.tf".into(),
                    source: io(),
                }
                .into(),
                "cannot read `app/main.tf`",
                EXIT_ENVIRONMENT,
            ),
            (
                UpdateError::Write {
                    path: "app/main.tf".into(),
                    source: io(),
                }
                .into(),
                "cannot write `app/main.tf`; the project was left as it was",
                EXIT_ENVIRONMENT,
            ),
            (
                UpdateError::Conflicts {
                    dir: "app".into(),
                    files: vec!["main.tf".into()],
                }
                .into(),
                "1 file in `app` needs your decision: main.tf; resolve the conflict markers (or decide what to keep), then commit",
                EXIT_INPUT,
            ),
            (
                UpdateError::Conflicts {
                    dir: "app".into(),
                    files: vec!["a.tf".into(), "b.tf".into()],
                }
                .into(),
                "2 files in `app` need your decision: a.tf, b.tf; resolve the conflict markers (or decide what to keep), then commit",
                EXIT_INPUT,
            ),
        ];
        for (error, message, code) in cases {
            assert_eq!(error.to_string(), message);
            assert_eq!(error.exit_code(), code, "{message}");
        }
    }

    #[test]
    fn many_errors_list_each_and_exit_with_the_worst() {
        let many = Error::Many(vec![
            ResolveError::BadSet { text: "a".into() }.into(),
            OutputError::Terminal(io()).into(),
        ]);
        assert_eq!(
            many.to_string(),
            "`--set a` is not of the form `name=value`\ncannot talk to the terminal"
        );
        assert_eq!(many.exit_code(), EXIT_ENVIRONMENT);
        let input_only = Error::Many(vec![ResolveError::BadSet { text: "a".into() }.into()]);
        assert_eq!(input_only.exit_code(), EXIT_INPUT);
        assert_eq!(Error::Many(Vec::new()).exit_code(), EXIT_INPUT);
    }

    #[test]
    fn a_source_is_kept_for_the_caused_by_lines() {
        let e: Error = OutputError::Write {
            path: "x".into(),
            source: io(),
        }
        .into();
        let source = std::error::Error::source(&e).expect("the io error");
        assert_eq!(source.to_string(), "denied");
    }
}
