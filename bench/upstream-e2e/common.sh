# shellcheck shell=bash disable=SC2034  # the settings are used by the scripts that source this file
# Shared settings of the upstream e2e bench (npm run bench:upstream). Sourced, never run.
# Builds on the local cluster's lib.sh: the same Kubernetes version, Go caches and
# cache directory, so the upstream e2e.test matches the cluster it runs against.
source "$(dirname "${BASH_SOURCE[0]}")/../../cluster/scripts/lib.sh"

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$BENCH_DIR/../.." && pwd)
# Keyed like the cluster's binaries (version + wrapper go.sum): a second run reuses it.
E2E_BIN=$ORDINAL_CACHE/bin/e2e-$(k8s_key)
E2E_TEST=$E2E_BIN/e2e.test
KUBECTL=$K8S_BIN/kubectl
OUT_DIR=${UPSTREAM_OUT:-$REPO/reports/bench}

log() { printf '[upstream-e2e %4ss] %s\n' "$(( $(date +%s) - T0 ))" "$*"; }
die() { printf '[upstream-e2e] error: %s\n' "$*" >&2; exit 2; }
