//! archpat: AWS architecture patterns as one graph model, from which come diagrams, starter
//! projects in CloudFormation, Terraform and CDK, side-by-side comparisons and walkthroughs.
//!
//! The flow is one way: [`loader`] reads a pattern file into a [`model::Pattern`]; everything else
//! only reads the model.
//!
//! The library knows nothing of the command line. Load and resolve a pattern with
//! [`library::Library`], then call [`render::draw`] (a diagram), [`scaffold::scaffold`] (a project
//! tree in memory; [`scaffold::write`] puts it on disk), [`compare::compare`] (a comparison, which
//! [`compare::render`] writes in any format) or [`walkthrough::walkthrough`] (a walkthrough
//! document). Each takes plain options and returns a value or an [`error::Error`], whose
//! [`exit_code`](error::Error::exit_code) the command line uses; `examples/api.rs` shows them all.
//! Only [`cli`] knows clap, terminals, colours and prompts.

pub mod catalog;
pub mod cli;
pub mod compare;
pub mod error;
pub mod import;
pub mod library;
pub mod loader;
pub mod markup;
pub mod model;
pub mod output;
pub mod overlay;
pub mod render;
pub mod scaffold;
pub mod update;
pub mod walkthrough;
