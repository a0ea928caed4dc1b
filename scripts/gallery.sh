#!/usr/bin/env bash
# The main job on every built-in pattern: diagrams in every format, a walkthrough page and a
# starter project per IaC target and their comparison, all under ./gallery (or the folder given as $1),
# and gallery/index.html: every built-in's diagram in every format side by side, to judge the
# pictures (built-in SVG and PNG; the DOT drawn by Graphviz and the Mermaid by mermaid-cli when
# they are installed, as scripts/install-tools.sh does; the draw.io file linked).
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-gallery}"
cargo build --release --locked -q
bin=target/release/archpat
mkdir -p "$out"
tools="${ARCHPAT_TOOLS:-$HOME/.cache/archpat-tools}"
mmdc="$tools/node/node_modules/.bin/mmdc"
page="$out/index.html"
{
  echo "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src * data:; style-src 'unsafe-inline'\"><title>archpat gallery</title>"
  echo '<style>body{font-family:sans-serif;margin:1em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:6px;vertical-align:top}th{background:#f4f4f4}img{width:520px;height:auto;display:block}pre{max-width:420px;max-height:420px;overflow:auto;font-size:11px}</style></head><body>'
  echo '<h1>archpat gallery: every built-in in every format</h1>'
  echo '<table><tr><th>pattern</th><th>built-in SVG</th><th>built-in PNG</th><th>DOT (Graphviz)</th><th>Mermaid (mermaid-cli)</th><th>draw.io</th></tr>'
} >"$page"
cell_img() { # file alt
  if [ -s "$out/$1" ]; then echo "<td><a href=\"$1\"><img src=\"$1\" alt=\"$2\"></a></td>"; else echo "<td>$3</td>"; fi
}
for id in $("$bin" list --json | sed -n 's/.*"id": "\(.*\)".*/\1/p'); do
  mkdir -p "$out/$id"
  for format in dot mermaid svg png drawio; do
    "$bin" draw "$id" -f "$format" -o "$out/$id/diagram.${format/mermaid/mmd}" 2>/dev/null
  done
  if command -v dot >/dev/null 2>&1; then
    dot -Tsvg "$out/$id/diagram.dot" -o "$out/$id/diagram.dot.svg"
  fi
  if [ -x "$mmdc" ] && [ -f "$tools/puppeteer.json" ]; then
    "$mmdc" -q -p "$tools/puppeteer.json" -i "$out/$id/diagram.mmd" -o "$out/$id/diagram.mmd.svg" >/dev/null 2>&1 || true
  fi
  {
    echo "<tr><th><a href=\"$id/walkthrough.html\">$id</a></th>"
    cell_img "$id/diagram.svg" "$id, built-in SVG" "not drawn"
    cell_img "$id/diagram.png" "$id, built-in PNG" "not drawn"
    cell_img "$id/diagram.dot.svg" "$id, DOT drawn by Graphviz" "<a href=\"$id/diagram.dot\">diagram.dot</a> (Graphviz not installed)"
    cell_img "$id/diagram.mmd.svg" "$id, Mermaid drawn by mermaid-cli" "<a href=\"$id/diagram.mmd\">diagram.mmd</a> (mermaid-cli not installed)"
    echo "<td><a href=\"$id/diagram.drawio\">diagram.drawio</a><br>open in draw.io (diagrams.net) to edit</td></tr>"
  } >>"$page"
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
echo '</table></body></html>' >>"$page"
echo "$page"
