#!/usr/bin/env bash
# npm run bench:upstream: the upstream [sig-apps] StatefulSet e2e specs side by side with
# Ordinal, on the local cluster (npm run cluster:up). Builds (or reuses) the upstream
# e2e.test for the cluster's Kubernetes version (build.sh), imports stand-ins for its
# images (images.sh), runs the specs serially, then the Ordinal runs covering the same
# behaviours, and writes the table (report.ts) to reports/bench/upstream-e2e.{md,json};
# raw logs and reports go to reports/bench/upstream-e2e-<time>/.
#
#   run.sh [--focus REGEX] [--no-disruptive] [--no-ordinal]
#
# --focus narrows the upstream specs (a ginkgo regex, ANDed with [sig-apps] StatefulSet).
# Not run: the clustered-application specs (their images come from public registries).
# The [Disruptive] spec cordons the node it pins its pod to; it runs on its own after the
# others, and any node it leaves cordoned is uncordoned (--no-disruptive leaves it out).
# None of the specs needs more than one node; with several, the images go to every node.
source "$(dirname "$0")/common.sh"

FOCUS='' DISRUPTIVE=1 ORDINAL=1
while [ $# -gt 0 ]; do
  case $1 in
    --focus) if [ $# -lt 2 ] || [ -z "$2" ]; then die "--focus needs a regex"; fi; FOCUS=$2; shift 2 ;;
    --no-disruptive) DISRUPTIVE=0; shift ;;
    --no-ordinal) ORDINAL=0; shift ;;
    -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument '$1' (usage: run.sh [--focus REGEX] [--no-disruptive] [--no-ordinal])" ;;
  esac
done

SIG='\[sig-apps\] StatefulSet'
DISRUPTIVE_SPEC='PVC should be recreated when pod is pending due to missing PVC'
NODE_BIN=$REPO/node_modules/.bin/node
# Bounds: ginkgo's own suite timeout, then a hard stop a little later.
E2E_TIMEOUT_MIN=${UPSTREAM_E2E_TIMEOUT_MIN:-90}
ORDINAL_TIMEOUT_S=${UPSTREAM_ORDINAL_TIMEOUT_S:-900}
[[ $E2E_TIMEOUT_MIN =~ ^[1-9][0-9]*$ ]] || die "UPSTREAM_E2E_TIMEOUT_MIN must be a whole number of minutes"
[[ $ORDINAL_TIMEOUT_S =~ ^[1-9][0-9]*$ ]] || die "UPSTREAM_ORDINAL_TIMEOUT_S must be a whole number of seconds"
[ -x "$NODE_BIN" ] || die "no $NODE_BIN: run 'npm install' first"
[ -s "$KUBECONFIG_OUT" ] || die "no local cluster kubeconfig at $KUBECONFIG_OUT: run 'npm run cluster:up' first"
export KUBECONFIG=$KUBECONFIG_OUT
k() { timeout 60 "$KUBECTL" "$@"; }

log "local cluster: $KUBECONFIG (kubernetes v$K8S_VERSION)"
k get --raw /readyz >/dev/null 2>&1 || die "the local cluster's API server does not answer: npm run cluster:up"
nodes=$(k get nodes -o jsonpath='{range .items[*]}{.metadata.name} {.status.conditions[?(@.type=="Ready")].status} {.spec.unschedulable}{"\n"}{end}')
node_count=$(grep -c . <<<"$nodes")
bad=$(awk '$2 != "True" || $3 == "true" {print $1}' <<<"$nodes" | tr '\n' ' ')
[ -z "$bad" ] || die "nodes not Ready or cordoned: $bad(the e2e suite needs every node schedulable)"
log "$node_count node(s), all Ready and schedulable"

stamp=$(date -u +%Y%m%dT%H%M%SZ)
RAW=$OUT_DIR/upstream-e2e-$stamp
mkdir -p "$RAW"

cached=cold; [ -x "$E2E_TEST" ] && cached=warm
t=$SECONDS
bash "$BENCH_DIR/build.sh" | grep -v '^/' || true
[ -x "$E2E_TEST" ] || die "build.sh did not produce $E2E_TEST"
build_s=$((SECONDS - t))
t=$SECONDS
bash "$BENCH_DIR/images.sh" import
images_s=$((SECONDS - t))

# Leftovers of an interrupted run (the framework names and labels its namespaces).
cleanup_namespaces() {
  local left
  left=$(k get ns -l e2e-framework=statefulset -o name 2>/dev/null || true)
  [ -n "$left" ] || return 0
  log "deleting (or waiting for) namespaces of the e2e suite still present: $(tr '\n' ' ' <<<"$left")"
  # shellcheck disable=SC2086  # one name per word
  timeout 200 "$KUBECTL" delete --wait --timeout=180s $left >/dev/null || log "  namespaces still terminating after 180 s"
}
trap cleanup_namespaces EXIT
cleanup_namespaces

# progress: e2e.test's -v output on stdin, one line out per spec. -v prints each spec's
# full name (then its labels) before it runs and "• [N seconds]" (or "• [FAILED] [N
# seconds]", "S [SKIPPED] ...") after. Read line by line as it comes (awk would buffer).
progress() {
  local line spec='' pass='^• \[([0-9.]+) seconds\]$' bad='^• \[([A-Z]+)\] \[([0-9.]+) seconds\]$'
  while IFS= read -r line; do
    if [[ $line == '[sig-apps] StatefulSet '* ]]; then spec=${line#'[sig-apps] StatefulSet '}; spec=${spec% \[*\]}; continue; fi
    [ -n "$spec" ] || continue
    if [[ $line =~ $pass ]]; then log "  passed ${BASH_REMATCH[1]} s  $spec"; spec=''
    elif [[ $line =~ $bad ]]; then log "  ${BASH_REMATCH[1],,} ${BASH_REMATCH[2]} s  $spec"; spec=''
    elif [[ $line == 'S [SKIPPED]'* ]]; then log "  skipped  $spec"; spec=''
    fi
  done
}

# run_e2e NAME FOCUS SKIP: one serial e2e.test invocation; progress is one line per spec.
run_e2e() {
  local name=$1 focus=$2 skip=$3 rc=0
  local logf=$RAW/$name.log
  log "upstream e2e ($name): focus '$focus'${skip:+, skip \"$skip\"}; full log $logf"
  : > "$logf"
  timeout --signal=INT --kill-after=60 $((E2E_TIMEOUT_MIN * 60 + 120)) "$E2E_TEST" \
    --kubeconfig="$KUBECONFIG" --provider=skeleton --kubectl-path="$KUBECTL" \
    --node-schedulable-timeout=2m --system-pods-startup-timeout=2m \
    --ginkgo.focus="$focus" ${skip:+--ginkgo.skip="$skip"} \
    --ginkgo.v --ginkgo.no-color --ginkgo.timeout="${E2E_TIMEOUT_MIN}m" \
    --ginkgo.json-report="$RAW/$name.json" --report-dir="$RAW/$name" >> "$logf" 2>&1 &
  local pid=$!
  tail -n +1 -F --pid="$pid" "$logf" 2>/dev/null | progress || true
  wait "$pid" || rc=$?
  case $rc in
    0) log "upstream e2e ($name): every selected spec passed" ;;
    124|137) log "upstream e2e ($name): stopped after the ${E2E_TIMEOUT_MIN} min bound" ;;
    *) log "upstream e2e ($name): exit $rc (the table has each spec's verdict; failure lines follow)"; grep -E '^\s*\[(FAILED|PANICKED|TIMEDOUT)\]' "$logf" | tail -n 30 || true ;;
  esac
  [ -s "$RAW/$name.json" ] || die "e2e.test wrote no report ($RAW/$name.json); see $logf"
  GINKGO_REPORTS+=(--ginkgo "$RAW/$name.json")
}

GINKGO_REPORTS=()
focus=$SIG${FOCUS:+.*$FOCUS}
t=$SECONDS
run_e2e main "$focus" 'Deploy clustered applications|\[Disruptive\]'
if [ "$DISRUPTIVE" = 1 ] && { [ -z "$FOCUS" ] || grep -qE -- "$FOCUS" <<<"$DISRUPTIVE_SPEC"; }; then
  cordoned_before=$(k get nodes -o jsonpath='{range .items[?(@.spec.unschedulable==true)]}{.metadata.name}{"\n"}{end}')
  run_e2e disruptive "$SIG.*$DISRUPTIVE_SPEC" ''
  # The spec uncordons in a defer; a spec killed by the bound would not.
  for n in $(k get nodes -o jsonpath='{range .items[?(@.spec.unschedulable==true)]}{.metadata.name}{"\n"}{end}'); do
    grep -qxF "$n" <<<"$cordoned_before" && continue
    log "node $n was left cordoned by the [Disruptive] spec: uncordoning it"
    k uncordon "$n" >/dev/null || die "could not uncordon node $n: run '$KUBECTL uncordon $n'"
  done
fi
e2e_s=$((SECONDS - t))

ORDINAL_RUNS=()
# ordinal_run NAME ARGS...: one `ordinal run` of mapping.ts ORDINAL_RUNS, timed by the
# wall clock around the process.
ordinal_run() {
  local name=$1 rc=0 start end; shift
  local args=(run "$@" --report-dir "$RAW/ordinal-$name")
  log "ordinal ${args[*]}"
  start=$(date +%s.%N)
  timeout --kill-after=30 "$ORDINAL_TIMEOUT_S" "$NODE_BIN" "$REPO/bin/ordinal.js" "${args[@]}" > "$RAW/ordinal-$name.log" 2>&1 || rc=$?
  end=$(date +%s.%N)
  local wall; wall=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }')
  log "  exit $rc after $wall s (log: $RAW/ordinal-$name.log)"
  [ "$rc" -le 1 ] || tail -n 20 "$RAW/ordinal-$name.log"
  printf '{"name":"%s","command":"ordinal run %s","wallSeconds":%s,"exitCode":%s,"results":"%s"}\n' \
    "$name" "$*" "$wall" "$rc" "$RAW/ordinal-$name/latest/results.json" > "$RAW/ordinal-$name.json"
  ORDINAL_RUNS+=(--ordinal "$RAW/ordinal-$name.json")
}
if [ "$ORDINAL" = 1 ]; then
  mapfile -t runs < <("$NODE_BIN" "$BENCH_DIR/ordinal-runs.ts") || die "cannot list the Ordinal runs (bench/upstream-e2e/ordinal-runs.ts)"
  for line in "${runs[@]}"; do
    IFS=$'\t' read -r -a run <<< "$line"
    ordinal_run "${run[@]}"
  done
fi

"$NODE_BIN" "$BENCH_DIR/report.ts" --out "$OUT_DIR" "${GINKGO_REPORTS[@]}" "${ORDINAL_RUNS[@]}" \
  --context "Kubernetes v$K8S_VERSION, local cluster, $node_count node(s), $(nproc) cores; $(date -u +'%Y-%m-%d %H:%M') UTC" \
  --context "e2e.test build: ${build_s} s ($cached cache); stand-in images: ${images_s} s; upstream invocations: ${e2e_s} s in all" \
  --context "Raw logs and ginkgo reports: $RAW"
log "table written to $OUT_DIR/upstream-e2e.md and upstream-e2e.json"
