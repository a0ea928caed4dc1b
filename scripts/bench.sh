#!/usr/bin/env bash
# Process-level benchmark: each command timed as a whole process, the way a user runs it
# (start-up, embedded catalog and templates, output), unlike the criterion benches in benches/,
# which time the work after start-up.
#
#   scripts/bench.sh               every case: `new` for every built-in x target (dry run and
#                                  writing to a temporary folder), `compare` per built-in, `draw`
#                                  per format, `walk` per built-in, and `draw -f svg` of generated
#                                  patterns of 250 to 2,000 components beside Graphviz's
#                                  `dot -Tsvg` of the same graphs (`scripts/bench.sh generated`)
#   scripts/bench.sh 'compare'     only the cases whose name matches this (grep -E) pattern
#
# Needs hyperfine (Debian/Ubuntu: `apt install hyperfine`) and GNU time (`/usr/bin/time`, for the
# peak memory). Builds the release binary unless ARCHPAT_BIN names one. BENCH_RUNS (default 10)
# and BENCH_WARMUP (default 2) set the runs per case. Prints one row per case: the median wall
# time, its spread (standard deviation, min-max), user+system CPU, peak resident memory, and the
# targets from issue 13 beside them (new <= 10 ms, compare <= 50 ms, draw -f svg <= 10 ms wall;
# peak <= 20 MiB for every command but the generated graphs) and issue 14's (the built-in SVG of
# 1,000 components <= 1 s). Wall times depend on how busy the machine is: on a shared
# machine compare the CPU column, and run `uptime` first.
#
# ARCHPAT_BASELINE_BIN names an older build to compare with (issue 11: `new` no slower than
# before): each archpat case runs on it too, and two more columns give its median and how many
# times faster the current build is. A case the older build cannot run says so.
set -euo pipefail
cd "$(dirname "$0")/.."

FILTER="${1:-.}"
RUNS="${BENCH_RUNS:-10}"
WARMUP="${BENCH_WARMUP:-2}"
if ! command -v hyperfine >/dev/null 2>&1; then
  echo "scripts/bench.sh needs hyperfine: apt install hyperfine (or cargo install hyperfine)" >&2
  exit 2
fi
if [ ! -x /usr/bin/time ]; then
  echo "scripts/bench.sh needs GNU time for peak memory: apt install time" >&2
  exit 2
fi
if [ -z "${ARCHPAT_BIN:-}" ]; then
  cargo build --release --quiet
  ARCHPAT_BIN="$PWD/target/release/archpat"
fi
BIN="$ARCHPAT_BIN"
BASE="${ARCHPAT_BASELINE_BIN:-}"

PATTERNS=$(ls patterns/*.yaml | xargs -n1 basename | sed 's/\.yaml$//')
TARGETS="cloudformation terraform cdk"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# A pattern of $1 components, as benches/draw.rs generates it: blocks of five (function, table,
# queue, topic, function) wired together and chained, 100 to a VPC and its subnet, one region.
generated() {
  local n=$1 v i b
  printf 'id: big\ntitle: Big\nsummary: generated\ngroups:\n  - { id: region, kind: region }\n'
  for ((v = 0; v < (n + 99) / 100; v++)); do
    printf '  - { id: vpc%d, kind: vpc, parent: region, properties: { cidr: 10.%d.0.0/16 } }\n' "$v" "$v"
    printf '  - { id: app%d, kind: subnet, parent: vpc%d }\n' "$v" "$v"
  done
  echo components:
  local kinds=(lambda dynamodb-table sqs-queue sns-topic lambda)
  for ((i = 0; i < n; i++)); do
    printf '  - { id: c%d, kind: %s, group: app%d }\n' "$i" "${kinds[i % 5]}" $((i / 100))
  done
  echo connections:
  for ((b = 0; b + 4 < n; b += 5)); do
    printf '  - { from: c%d, to: c%d, kind: read-write }\n' "$b" $((b + 1))
    printf '  - { from: c%d, to: c%d, kind: publish }\n' "$b" $((b + 2))
    printf '  - { from: c%d, to: c%d, kind: subscribe }\n' $((b + 3)) $((b + 4))
    printf '  - { from: c%d, to: c%d, kind: consume }\n' $((b + 4)) $((b + 2))
    if ((b + 5 < n)); then printf '  - { from: c%d, to: c%d, kind: invoke }\n' $((b + 4)) $((b + 5)); fi
  done
}
SIZES="250 500 1000 2000"
for n in $SIZES; do
  generated "$n" >"$WORK/generated-$n.yaml"
  "$BIN" draw "$WORK/generated-$n.yaml" -f dot >"$WORK/generated-$n.dot"
done

# name|target ms (or -)|peak MiB target (or -)|command[|command run before each timed run]
#
# `new` writing is timed the way a user starts a project, into a folder that does not exist yet
# (removed before each run). `--force` over an existing project is timed apart: ext4 writes a
# file's data out when it is renamed over an existing one (its `auto_da_alloc` guard against empty
# files after a crash), so replacing waits a little where creating does not; archpat keeps the
# rename because it leaves each file whole, old or new, if the machine stops halfway.
cases() {
  for p in $PATTERNS; do
    for t in $TARGETS; do
      echo "new $p $t --dry-run|10|20|$BIN new $p --iac $t --dry-run --no-input -o $WORK/dry"
      echo "new $p $t (write)|10|20|$BIN new $p --iac $t --no-input -o $WORK/new|rm -rf $WORK/new"
    done
  done
  for t in $TARGETS; do
    echo "new three-tier-web $t --force|10|20|$BIN new three-tier-web --iac $t --no-input --force -o $WORK/out-$t"
  done
  for p in $PATTERNS; do
    echo "compare $p|50|20|$BIN compare $p"
  done
  for f in dot mermaid svg png; do
    target=-
    [ "$f" = svg ] && target=10
    echo "draw serverless-web -f $f|$target|20|$BIN draw serverless-web -f $f"
  done
  for p in $PATTERNS; do
    [ "$p" = serverless-web ] && continue
    echo "draw $p -f svg|10|20|$BIN draw $p -f svg"
  done
  for p in $PATTERNS; do
    echo "walk $p|-|20|$BIN walk $p"
  done
  echo "walk serverless-web -f html|-|20|$BIN walk serverless-web -f html"
  for n in $SIZES; do
    target=-
    [ "$n" = 1000 ] && target=1000
    echo "draw generated $n -f svg|$target|-|$BIN draw $WORK/generated-$n.yaml -f svg"
    echo "graphviz dot -Tsvg generated $n|-|-|dot -Tsvg $WORK/generated-$n.dot"
  done
}

extra=""
[ -n "$BASE" ] && extra=$(printf ' %11s %8s' baseline faster)
printf '%-44s %9s %19s %9s %9s%s  %s\n' case "median" "± sd (min-max)" "cpu" "peak" "$extra" "target"
missed=0
while IFS='|' read -r name target peak_target cmd prepare; do
  echo "$name" | grep -Eq -- "$FILTER" || continue
  csv="$WORK/result.csv"
  prep=()
  [ -n "$prepare" ] && prep=(--prepare "$prepare")
  hyperfine -N --style none --warmup "$WARMUP" --runs "$RUNS" "${prep[@]}" --export-csv "$csv" "$cmd" >/dev/null 2>&1 || {
    printf '%-44s failed: %s\n' "$name" "$cmd"
    missed=1
    continue
  }
  # command,mean,stddev,median,user,system,min,max (seconds)
  read -r median sd min max cpu < <(awk -F, 'NR==2 {printf "%.1f %.1f %.1f %.1f %.1f\n", $4*1000, $3*1000, $7*1000, $8*1000, ($5+$6)*1000}' "$csv")
  peak_kib=0
  for _ in 1 2 3; do
    [ -n "$prepare" ] && $prepare
    kib=$(/usr/bin/time -f '%M' -o "$WORK/rss" $cmd >/dev/null 2>&1; cat "$WORK/rss")
    [ "$kib" -gt "$peak_kib" ] && peak_kib=$kib
  done
  peak=$(awk -v k="$peak_kib" 'BEGIN {printf "%.1f", k/1024}')
  verdict=""
  if [ "$target" != - ]; then
    if awk -v m="$median" -v t="$target" 'BEGIN {exit !(m <= t)}'; then
      verdict="<= $target ms ok"
    else
      verdict="<= $target ms MISSED"
      missed=1
    fi
  fi
  if [ "$peak_target" = - ]; then
    :
  elif awk -v p="$peak" -v t="$peak_target" 'BEGIN {exit !(p <= t)}'; then
    verdict="$verdict; <= $peak_target MiB ok"
  else
    verdict="$verdict; <= $peak_target MiB MISSED"
    missed=1
  fi
  extra=""
  if [ -n "$BASE" ]; then
    base="not run"
    faster="-"
    case "$cmd" in
      "$BIN "*)
        if hyperfine -N --style none --warmup "$WARMUP" --runs "$RUNS" "${prep[@]}" --export-csv "$WORK/base.csv" \
          "$BASE${cmd#"$BIN"}" >/dev/null 2>&1; then
          read -r base_median < <(awk -F, 'NR==2 {printf "%.1f\n", $4*1000}' "$WORK/base.csv")
          base="$base_median ms"
          faster=$(awk -v b="$base_median" -v m="$median" 'BEGIN {printf "%.1fx", b/m}')
        else
          base="fails"
        fi
        ;;
    esac
    extra=$(printf ' %11s %8s' "$base" "$faster")
  fi
  printf '%-44s %6.1f ms %19s %6.1f ms %5.1f MiB%s  %s\n' "$name" "$median" "± $sd ($min-$max)" "$cpu" "$peak" "$extra" "${verdict#; }"
done < <(cases)
exit $missed
