#!/usr/bin/env bash
# Builds Kubernetes, etcd and CoreDNS from the Go module proxy into the version-keyed
# cache. A cache hit costs nothing; a miss on 2 cores takes tens of minutes.
source "$(dirname "$0")/lib.sh"
command -v go >/dev/null || die "the Go toolchain is required (go 1.25+ on PATH)"

build_k8s() {
  if [ -x "$K8S_BIN/kubelet" ] && [ -x "$K8S_BIN/etcd" ]; then log "kubernetes v$K8S_VERSION: cached in $K8S_BIN"; return; fi
  local ld="-s -w" p tmp="$K8S_BIN.tmp" minor
  minor=$(echo "$K8S_VERSION" | cut -d. -f2)
  for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ld="$ld -X $p.gitVersion=v$K8S_VERSION -X $p.gitMajor=1 -X $p.gitMinor=$minor -X $p.gitTreeState=clean"
    ld="$ld -X $p.gitCommit=0000000000000000000000000000000000000000 -X $p.buildDate=1970-01-01T00:00:00Z"
  done
  rm -rf "$tmp"; mkdir -p "$tmp"
  cd "$CLUSTER_DIR/go/k8s"
  log "downloading Go modules for kubernetes v$K8S_VERSION (into $GOMODCACHE)"
  go mod download
  # One 'go build' for all commands shares compilation; links run in parallel.
  log "compiling kube-apiserver, kube-controller-manager, kube-scheduler, kubelet, kube-proxy, kubectl, kubeadm"
  local stamp; stamp=$(mktemp)
  # 9>&-: the ticker must not hold up.sh's lock; it is killed on every way out below.
  ( while sleep 60; do log "  still compiling ($(find "$GOCACHE" -type f -newer "$stamp" 2>/dev/null | wc -l) build-cache entries written)"; done ) 9>&- &
  local ticker=$!
  trap 'kill $ticker 2>/dev/null || true; rm -f "$stamp"' RETURN
  if ! CGO_ENABLED=0 go build -trimpath -tags selinux,notest -ldflags "$ld" -o "$tmp/" \
    k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager \
    k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubelet k8s.io/kubernetes/cmd/kube-proxy \
    k8s.io/kubernetes/cmd/kubectl k8s.io/kubernetes/cmd/kubeadm; then
    kill "$ticker" 2>/dev/null || true
    die "compiling kubernetes v$K8S_VERSION failed (output above)"
  fi
  log "building etcd"
  CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$tmp/etcd" go.etcd.io/etcd/server/v3
  rm -rf "$K8S_BIN"; mv "$tmp" "$K8S_BIN"
  log "kubernetes binaries ready in $K8S_BIN ($(du -sh "$K8S_BIN" | cut -f1))"
}

build_coredns() {
  local out
  out="$ORDINAL_CACHE/bin/$(coredns_key)"
  if [ -x "$out/coredns" ]; then log "coredns v$COREDNS_VERSION: cached"; return; fi
  cd "$CLUSTER_DIR/go/coredns"
  log "building coredns v$COREDNS_VERSION"
  mkdir -p "$out.tmp"
  CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$out.tmp/coredns" .
  rm -rf "$out"; mv "$out.tmp" "$out"
}

build_etcdctl() {
  if [ -x "$ETCDCTL_BIN/etcdctl" ]; then log "etcdctl v$ETCD_VERSION: cached"; return; fi
  cd "$CLUSTER_DIR/go/etcdctl"
  grep -qE "go.etcd.io/etcd/etcdctl/v3 v${ETCD_VERSION}( |\$)" go.mod ||
    die "cluster/go/etcdctl/go.mod does not pin etcdctl v$ETCD_VERSION (the etcd of cluster/go/k8s/go.mod)"
  log "building etcdctl v$ETCD_VERSION"
  mkdir -p "$ETCDCTL_BIN.tmp"
  CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$ETCDCTL_BIN.tmp/etcdctl" go.etcd.io/etcd/etcdctl/v3
  rm -rf "$ETCDCTL_BIN"; mv "$ETCDCTL_BIN.tmp" "$ETCDCTL_BIN"
}

case "${1:-all}" in
  k8s) build_k8s ;;
  coredns) build_coredns ;;
  etcdctl) build_etcdctl ;;
  all) build_k8s; build_coredns; build_etcdctl ;;
  *) die "usage: build.sh [k8s|coredns|etcdctl|all]" ;;
esac
