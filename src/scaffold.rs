//! Starter projects from a pattern (being written: see issue 3).

use crate::cli::{NewArgs, Outcome};
use crate::error::Error;
use crate::library::Library;

/// The infrastructure-as-code flavours archpat writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Iac {
    Cloudformation,
    Terraform,
    Cdk,
}

#[derive(Debug, thiserror::Error)]
pub enum ScaffoldError {
    #[error("the `{0}` target is not available yet")]
    Unavailable(String),
}

pub fn new_project(library: &Library, args: &NewArgs) -> Result<Outcome, Error> {
    let _ = library;
    Err(ScaffoldError::Unavailable(format!("{:?}", args.iac).to_lowercase()).into())
}
