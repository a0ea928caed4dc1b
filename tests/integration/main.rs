//! archpat's one integration test binary: the CLI as a user runs it, and the external validators
//! (Graphviz, the Mermaid renderer, cfn-lint, checkov…) run over everything archpat generates.

mod cdk;
mod cli;
mod cloudformation;
mod compare;
mod coverage;
mod diagrams;
mod emulator;
mod support;
mod terraform;
mod walkthrough;
