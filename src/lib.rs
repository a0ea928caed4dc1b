//! archpat: AWS architecture patterns as one graph model, from which come diagrams, starter
//! projects in CloudFormation, Terraform and CDK, side-by-side comparisons and walkthroughs.
//!
//! The flow is one way: [`loader`] reads a pattern file into a [`model::Pattern`]; everything else
//! only reads the model.

pub mod catalog;
pub mod cli;
pub mod compare;
pub mod error;
pub mod library;
pub mod loader;
pub mod model;
pub mod output;
pub mod overlay;
pub mod prompt;
pub mod render;
pub mod scaffold;
pub mod walkthrough;
