# shellcheck shell=bash disable=SC2034  # the settings are used by the scripts that source this file
# Shared settings for the local test cluster scripts. Sourced, never run.
# Everything slow (Go caches, binaries, images) lives under ORDINAL_CACHE, outside
# the repository, keyed by version; everything runtime lives under ORDINAL_STATE.
set -euo pipefail

CLUSTER_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
K8S_VERSION=1.34.4
COREDNS_VERSION=1.14.7
ORDINAL_CACHE=${ORDINAL_CACHE:-/var/cache/ordinal}
ORDINAL_STATE=${ORDINAL_STATE:-/var/lib/ordinal-cluster}
LOG_DIR=$ORDINAL_STATE/logs
RUN_DIR=$ORDINAL_STATE/run
export GOMODCACHE=$ORDINAL_CACHE/go/mod
export GOCACHE=$ORDINAL_CACHE/go/build
export GOFLAGS=-mod=readonly
export GOTOOLCHAIN=local

# The binaries' cache key covers the version and the exact dependency set.
k8s_key() { echo "k8s-v$K8S_VERSION-$(sha256sum < "$CLUSTER_DIR/go/k8s/go.sum" | cut -c1-12)"; }
coredns_key() { echo "coredns-v$COREDNS_VERSION-$(cat "$CLUSTER_DIR/go/coredns/go.sum" "$CLUSTER_DIR/go/coredns/main.go" | sha256sum | cut -c1-12)"; }
K8S_BIN=$ORDINAL_CACHE/bin/$(k8s_key)
COREDNS_BIN=$ORDINAL_CACHE/bin/$(coredns_key)
# The etcd sample runs the etcd the cluster's own control plane runs (the version the
# Kubernetes module pins), with an etcdctl built at the same version.
ETCD_VERSION=$(awk '$1 == "go.etcd.io/etcd/server/v3" { sub(/^v/, "", $2); print $2 }' "$CLUSTER_DIR/go/k8s/go.mod")
etcdctl_key() { echo "etcdctl-v$ETCD_VERSION-$(cat "$CLUSTER_DIR/go/etcdctl/go.sum" "$CLUSTER_DIR/go/etcdctl/go.mod" | sha256sum | cut -c1-12)"; }
ETCDCTL_BIN=$ORDINAL_CACHE/bin/$(etcdctl_key)

# Images. busybox carries a real public tag (Debian's busybox-static is 1.35.0), so
# manifests with imagePullPolicy IfNotPresent run unchanged here and pull elsewhere.
PAUSE_IMAGE=ordinal.local/pause:1.0
BUSYBOX_IMAGE=docker.io/library/busybox:1.35.0
# A second public tag of the same image, for the update phase (lib/update/mode.ts SECOND_BUSYBOX_IMAGE).
BUSYBOX2_IMAGE=docker.io/library/busybox:1.36.1
COREDNS_IMAGE=ordinal.local/coredns:$COREDNS_VERSION
# The public name kubeadm gives this etcd version ("-0": the image's first build).
ETCD_IMAGE=registry.k8s.io/etcd:$ETCD_VERSION-0
# The postgres sample's image (postgres-image.sh, from Debian's postgresql-15); the
# -ordinal suffix keeps it from passing for the upstream image (lib/workloads/postgres.ts POSTGRES_IMAGE).
POSTGRES_IMAGE=docker.io/library/postgres:15-ordinal

# Addresses. The API address is a local address of this machine (on lo) so pods can
# reach it through the kubernetes Service; nothing here is routed off the machine.
API_LABEL=ordinal
API_IP=10.200.0.1
SERVICE_CIDR=10.0.0.0/24
DNS_IP=10.0.0.10
POD_CIDR=10.244.0.0/24
CLUSTER_CIDR=10.244.0.0/16
BRIDGE=ordinal0
NODE_NAME=127.0.0.1

PKI=$ORDINAL_STATE/pki
CONF=$ORDINAL_STATE/conf
CTRD_STATE=/run/ordinal/containerd
CTRD_SOCK=$CTRD_STATE/containerd.sock
KUBECONFIG_OUT=$ORDINAL_STATE/kubeconfig

# Extra nodes (cluster:up --nodes N): node I (1..MAX_NODES-1) is a network namespace
# with its own containerd, kubelet and kube-proxy. Its name is its IP (the apiserver
# dials a node by name first), its pod range 10.244.I.0/24, its host-side interface
# ordnI. 10.200.0.0/16, 10.244.0.0/16 and the prefix "ordn" are reserved for the cluster.
MAX_NODES=4
NODE_COUNT_FILE=$ORDINAL_STATE/node-count
NODES_STATE=$ORDINAL_STATE/nodes
NODES_RUN=/run/ordinal/nodes
NODE_IF_PREFIX=ordn
LOCAL_NODE_CLASS=local-node
VOLUMES_DIR=$ORDINAL_STATE/volumes

ctr_k8s() { ctr --address "$CTRD_SOCK" -n k8s.io "$@"; }
# Every running containerd of the cluster, one socket per line: the main node's, then each
# extra node's (cluster:up --nodes N). An image a pod may use must be in all of them: the
# scheduler may put the pod on any node.
cluster_ctrd_socks() {
  [ -S "$CTRD_SOCK" ] && echo "$CTRD_SOCK"
  local s
  for s in "$NODES_RUN"/n*/containerd/containerd.sock; do [ -S "$s" ] && echo "$s"; done
  return 0
}
kubectl_admin() { "$K8S_BIN/kubectl" --kubeconfig "$ORDINAL_STATE/conf/super-admin.conf" --server "https://127.0.0.1:6443" "$@"; }

T0=${T0:-$(date +%s)}
export T0
log() { printf '[cluster %4ss] %s\n' "$(( $(date +%s) - T0 ))" "$*"; }
die() { printf '[cluster] error: %s\n' "$*" >&2; exit 2; }
