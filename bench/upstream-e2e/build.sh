#!/usr/bin/env bash
# Builds the upstream e2e test binary (k8s.io/kubernetes/test/e2e, `go test -c`) for the
# local cluster's Kubernetes version into $ORDINAL_CACHE/bin/e2e-<k8s key>/e2e.test, from
# a scratch copy of the cluster's wrapper module cluster/go/k8s (the test packages need
# go.sum lines the cluster build does not, so the copy runs with -mod=mod and the
# repository's go.sum stays untouched). The same -trimpath, tags and CGO setting as
# cluster/scripts/build.sh let most packages come from the cluster build's cache.
# A cache hit costs nothing. Prints the binary's path on the last line.
source "$(dirname "$0")/common.sh"
command -v go >/dev/null || die "the Go toolchain is required (go 1.25+ on PATH), as for the local cluster"

if [ -x "$E2E_TEST" ]; then
  log "e2e.test for kubernetes v$K8S_VERSION: cached in $E2E_BIN"
  echo "$E2E_TEST"; exit 0
fi
work=$(mktemp -d)
stamp=$(mktemp)
ticker=
trap 'if [ -n "$ticker" ]; then kill "$ticker" 2>/dev/null || true; fi; rm -rf "$work" "$stamp"' EXIT
cp "$CLUSTER_DIR/go/k8s/go.mod" "$CLUSTER_DIR/go/k8s/go.sum" "$work/"
cd "$work"
log "building the upstream e2e.test for kubernetes v$K8S_VERSION (2 cores: several minutes when cold)"
( while sleep 60; do log "  still compiling ($(find "$GOCACHE" -type f -newer "$stamp" 2>/dev/null | wc -l) build-cache entries written)"; done ) 9>&- &
ticker=$!
start=$SECONDS
# nice: the machine is shared; the build must not starve the cluster it will test.
if ! GOFLAGS=-mod=mod CGO_ENABLED=0 nice -n 19 go test -c -p 2 -trimpath -tags selinux,notest \
    -ldflags "-s -w" -o "$work/e2e.test" k8s.io/kubernetes/test/e2e; then
  die "building k8s.io/kubernetes/test/e2e v$K8S_VERSION failed (output above)"
fi
mkdir -p "$E2E_BIN.tmp"
mv "$work/e2e.test" "$E2E_BIN.tmp/e2e.test"
rm -rf "$E2E_BIN"; mv "$E2E_BIN.tmp" "$E2E_BIN"
log "e2e.test ready in $E2E_BIN ($(du -sh "$E2E_TEST" | cut -f1), built in $((SECONDS - start)) s)"
echo "$E2E_TEST"
