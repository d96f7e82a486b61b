# Shared settings for the local test cluster scripts. Sourced, never run.
# Everything slow (Go caches, binaries, images) lives under ORDINAL_CACHE, outside
# the repository, keyed by version; everything runtime lives under ORDINAL_STATE.
set -euo pipefail

CLUSTER_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
K8S_VERSION=1.34.4
COREDNS_VERSION=1.12.4
ORDINAL_CACHE=${ORDINAL_CACHE:-/var/cache/ordinal}
ORDINAL_STATE=${ORDINAL_STATE:-/var/lib/ordinal-cluster}
LOG_DIR=$ORDINAL_STATE/logs
RUN_DIR=$ORDINAL_STATE/run
export GOMODCACHE=$ORDINAL_CACHE/go/mod
export GOCACHE=$ORDINAL_CACHE/go/build
export GOFLAGS=-mod=readonly
export GOTOOLCHAIN=local

# The binaries' cache key covers the version and the exact dependency set.
k8s_key() { echo "k8s-v$K8S_VERSION-$(cat "$CLUSTER_DIR/go/k8s/go.sum" | sha256sum | cut -c1-12)"; }
coredns_key() { echo "coredns-v$COREDNS_VERSION-$(cat "$CLUSTER_DIR/go/coredns/go.sum" "$CLUSTER_DIR/go/coredns/main.go" | sha256sum | cut -c1-12)"; }
K8S_BIN=$ORDINAL_CACHE/bin/$(k8s_key)

T0=${T0:-$(date +%s)}
export T0
log() { printf '[cluster %4ss] %s\n' "$(( $(date +%s) - T0 ))" "$*"; }
die() { printf '[cluster] error: %s\n' "$*" >&2; exit 2; }
