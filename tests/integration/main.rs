//! archpat's one integration test binary: the CLI as a user runs it, and the external validators
//! (Graphviz, the Mermaid renderer, cfn-lint, checkov…) run over everything archpat generates.

mod api;
mod apptests;
mod bad_input;
mod cdk;
mod cli;
mod cloudformation;
mod compare;
mod coverage;
mod delivery;
mod diagrams;
mod emulator;
mod front_door;
mod fuzz;
mod hostile;
mod import;
mod review;
mod support;
mod terraform;
mod update;
mod walkthrough;
