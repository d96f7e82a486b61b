#!/usr/bin/env bash
# Regenerates cluster/go/k8s/go.mod for K8S_VERSION (lib.sh): require k8s.io/kubernetes,
# replace every staging module it maps to ./staging/src/... with its published v0.<minor>.<patch>,
# list the commands as tools, then tidy (this updates go.sum too). Derived from the
# kubernetes go.mod itself, so the list never has to be kept by hand.
source "$(dirname "$0")/lib.sh"
export GOFLAGS=-mod=mod
cd "$CLUSTER_DIR/go/k8s"
gomod=$(go mod download -json "k8s.io/kubernetes@v$K8S_VERSION" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
[ -s "$gomod" ] || die "could not download k8s.io/kubernetes@v$K8S_VERSION"
head -n 9 go.mod > go.mod.new   # keep the header comment, module, go and godebug lines
mv go.mod.new go.mod
go mod edit -require="k8s.io/kubernetes@v$K8S_VERSION"
sed -n 's|^\s*\(k8s.io/[^ ]*\) => ./staging/.*|\1|p' "$gomod" | while read -r m; do
  go mod edit -replace="$m=$m@v0.${K8S_VERSION#1.}"
done
for t in kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy kubectl kubeadm; do
  go mod edit -tool="k8s.io/kubernetes/cmd/$t"
done
go mod edit -tool=go.etcd.io/etcd/server/v3
go mod tidy
log "cluster/go/k8s/go.mod now builds kubernetes v$K8S_VERSION"
