#!/usr/bin/env bash
# The whole test suite: installs the external validators when they are missing (Graphviz,
# mermaid-cli with Chromium, cfn-lint, checkov…), then formatting, lints and every test,
# the validators included. A missing tool fails the run; nothing is skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-tools.sh
cargo fmt --check
cargo clippy --all-targets --locked -- -D warnings
cargo test --all-targets --locked
