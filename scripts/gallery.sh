#!/usr/bin/env bash
# The main job on every built-in pattern: diagrams in every format, a walkthrough page and a
# starter project per IaC target and their comparison, all under ./gallery (or the folder given as $1).
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-gallery}"
cargo build --release --locked -q
bin=target/release/archpat
mkdir -p "$out"
for id in $("$bin" list --json | sed -n 's/.*"id": "\(.*\)".*/\1/p'); do
  mkdir -p "$out/$id"
  for format in dot mermaid svg png drawio; do
    "$bin" draw "$id" -f "$format" -o "$out/$id/diagram.${format/mermaid/mmd}" 2>/dev/null
  done
  "$bin" walk "$id" -f markdown -o "$out/$id/walkthrough.md" 2>/dev/null
  "$bin" walk "$id" -f html -o "$out/$id/walkthrough.html" 2>/dev/null
  for iac in cloudformation terraform cdk; do
    if ! "$bin" new "$id" --iac "$iac" -o "$out/$id/$iac" --force --no-input >/dev/null 2>"$out/$id/$iac.err"; then
      echo "  $iac: not generated: $(head -n 1 "$out/$id/$iac.err")" >&2
    fi
    rm -f "$out/$id/$iac.err"
  done
  "$bin" compare "$id" -o "$out/$id/compare.html" 2>/dev/null
  "$bin" compare "$id" -f markdown -o "$out/$id/compare.md" 2>/dev/null
  echo "$out/$id"
done
