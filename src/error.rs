//! The error of a whole command: one variant per area, each area's own enum inside. The exit code
//! is decided here, not in `main.rs`.

use crate::catalog::CatalogError;
use crate::compare::CompareError;
use crate::library::LibraryError;
use crate::loader::ResolveError;
use crate::output::OutputError;
use crate::render::image::ImageError;
use crate::scaffold::ScaffoldError;
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
    Output(#[from] OutputError),
    #[error(transparent)]
    Scaffold(#[from] ScaffoldError),
    #[error(transparent)]
    Walk(#[from] WalkError),
    #[error(transparent)]
    Compare(#[from] CompareError),
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
            Error::Walk(WalkError::Terminal(_)) => EXIT_ENVIRONMENT,
            Error::Walk(_) => EXIT_INPUT,
            Error::Compare(e) => e.exit_code(),
            Error::Many(errors) => errors
                .iter()
                .map(Error::exit_code)
                .max()
                .unwrap_or(EXIT_INPUT),
        }
    }
}
