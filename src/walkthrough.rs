//! Walkthroughs (being written: see issue 7).

use crate::cli::{Outcome, WalkArgs};
use crate::error::Error;
use crate::library::Library;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum WalkFormat {
    Text,
    Markdown,
    Html,
}

pub fn walk(library: &Library, args: &WalkArgs) -> Result<Outcome, Error> {
    let pattern = crate::cli::resolve(library, &args.pattern)?;
    Ok(Outcome {
        stdout: format!("{} has {} steps\n", pattern.id, pattern.walkthrough.len()).into_bytes(),
        note: None,
    })
}
