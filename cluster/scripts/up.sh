#!/usr/bin/env bash
# Brings the local cluster up, or repairs a half-started one. Idempotent: each step
# checks what is already there. Ends by printing `export KUBECONFIG=...`.
#
#   up.sh [--nodes N]   N = 1..4 nodes (the main one plus N-1 extra, see nodes.sh);
#                       remembered in $ORDINAL_STATE/node-count until changed (default 1)
source "$(dirname "$0")/lib.sh"
source "$CLUSTER_DIR/scripts/proc.sh"
source "$CLUSTER_DIR/scripts/host.sh"
source "$CLUSTER_DIR/scripts/pki.sh"
source "$CLUSTER_DIR/scripts/configs.sh"
source "$CLUSTER_DIR/scripts/nodes.sh"

usage() { die "usage: cluster:up [-- --nodes N] with N a whole number from 1 to $MAX_NODES${1:+ ($1)}"; }
parse_args() {
  NODES=""
  while [ $# -gt 0 ]; do
    case $1 in
      --nodes) [ $# -ge 2 ] || usage "--nodes needs a value"; NODES=$2; shift 2 ;;
      --nodes=*) NODES=${1#--nodes=}; shift ;;
      *) usage "unknown argument '$1'" ;;
    esac
  done
  if [ -n "$NODES" ] && ! { [[ $NODES =~ ^[1-9]$ ]] && (( NODES <= MAX_NODES )); }; then usage "got --nodes '$NODES'"; fi
  return 0
}

preflight() {
  [ "$(uname -s)" = Linux ] || die "the local cluster needs Linux (found $(uname -s))"
  if [ "$(id -u)" != 0 ]; then
    local want; want=$(bash "$CLUSTER_DIR/scripts/deps.sh" missing cluster)
    die "the local cluster needs root (it starts containerd and the kubelet, and sets up networking)${want:+; it also needs these Debian packages: $want}"
  fi
  # Installs what is missing (saying what), or exits 2 naming it.
  bash "$CLUSTER_DIR/scripts/deps.sh" ensure cluster
  # Debian 12's golang is 1.19: Go is not a package we can install for you.
  command -v go >/dev/null || die "the Go toolchain 1.25+ must be on PATH to build the cluster (https://go.dev/dl/)"
}

api_ready() { curl -fsk --max-time 2 https://127.0.0.1:6443/readyz; }
node_ready() { kubectl_admin get node "$NODE_NAME" -o 'jsonpath={.status.conditions[?(@.type=="Ready")].status}' | grep -qx True; }

start_control_plane() {
  start etcd "$K8S_BIN/etcd" --name ordinal --data-dir "$ORDINAL_STATE/etcd" \
    --listen-client-urls http://127.0.0.1:2379 --advertise-client-urls http://127.0.0.1:2379 \
    --listen-peer-urls http://127.0.0.1:2380 --initial-advertise-peer-urls http://127.0.0.1:2380 \
    --initial-cluster ordinal=http://127.0.0.1:2380 --listen-metrics-urls http://127.0.0.1:2381 \
    --unsafe-no-fsync --log-level warn
  wait_for "etcd health" 30 etcd curl -fs --max-time 2 http://127.0.0.1:2379/health

  start kube-apiserver "$K8S_BIN/kube-apiserver" --etcd-servers http://127.0.0.1:2379 \
    --advertise-address "$API_IP" --bind-address 0.0.0.0 --secure-port 6443 \
    --service-cluster-ip-range "$SERVICE_CIDR" --service-node-port-range 30000-32767 \
    --client-ca-file "$PKI/ca.crt" --tls-cert-file "$PKI/apiserver.crt" --tls-private-key-file "$PKI/apiserver.key" \
    --kubelet-client-certificate "$PKI/apiserver-kubelet-client.crt" --kubelet-client-key "$PKI/apiserver-kubelet-client.key" \
    --kubelet-preferred-address-types Hostname,InternalIP \
    --service-account-issuer https://kubernetes.default.svc.cluster.local \
    --service-account-key-file "$PKI/sa.pub" --service-account-signing-key-file "$PKI/sa.key" \
    --authorization-mode Node,RBAC --allow-privileged=true \
    --enable-admission-plugins NamespaceLifecycle,LimitRanger,ServiceAccount,DefaultStorageClass,DefaultTolerationSeconds,Priority,MutatingAdmissionWebhook,ValidatingAdmissionWebhook,ResourceQuota,NodeRestriction \
    --requestheader-client-ca-file "$PKI/front-proxy-ca.crt" --proxy-client-cert-file "$PKI/front-proxy-client.crt" \
    --proxy-client-key-file "$PKI/front-proxy-client.key" --requestheader-allowed-names front-proxy-client \
    --requestheader-username-headers X-Remote-User --requestheader-group-headers X-Remote-Group \
    --requestheader-extra-headers-prefix X-Remote-Extra-
  wait_for "kube-apiserver /readyz" 120 kube-apiserver api_ready

  # kubeadm's admin.conf user is in group kubeadm:cluster-admins, bound only by kubeadm
  # itself; the apiserver's kubelet client needs the kubelet API (logs, exec).
  kubectl_admin apply -f - >/dev/null <<YAML
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: "kubeadm:cluster-admins"}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: Group, name: "kubeadm:cluster-admins"}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: "kube-apiserver-kubelet-admin"}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "system:kubelet-api-admin"}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: "kube-apiserver-kubelet-client"}]
YAML

  start kube-controller-manager "$K8S_BIN/kube-controller-manager" --kubeconfig "$CONF/controller-manager.conf" \
    --authentication-kubeconfig "$CONF/controller-manager.conf" --authorization-kubeconfig "$CONF/controller-manager.conf" \
    --service-account-private-key-file "$PKI/sa.key" --root-ca-file "$PKI/ca.crt" \
    --cluster-signing-cert-file "$PKI/ca.crt" --cluster-signing-key-file "$PKI/ca.key" \
    --use-service-account-credentials --controllers '*' --leader-elect=false \
    --service-cluster-ip-range "$SERVICE_CIDR" --cluster-cidr "$CLUSTER_CIDR" \
    --enable-hostpath-provisioner=true --bind-address 127.0.0.1 \
    --node-monitor-grace-period 20s
  # 20s, not 50s: a node-fault round waits for NotReady (the kubelet renews its lease every
  # 10s, so two missed renewals). 50s only guards against half-open HTTP/2 connections,
  # which loopback does not have.
  # A pod whose claim the scheduler's informer had not seen yet ("pod has unbound
  # immediate PersistentVolumeClaims") sometimes stays in the unschedulable pool after the
  # claim binds, until the leftover flush moves it (5 min by default; seen in CI as a
  # StatefulSet rollout stuck with web-1 Pending behind a Bound claim). Upstream keeps
  # this deprecated flag as the workaround for such queueing-hint misses
  # (kubernetes/kubernetes#122013); the flush runs every 30 s.
  start kube-scheduler "$K8S_BIN/kube-scheduler" --config "$CONF/scheduler.yaml" \
    --authentication-kubeconfig "$CONF/scheduler.conf" --authorization-kubeconfig "$CONF/scheduler.conf" \
    --bind-address 127.0.0.1 --pod-max-in-unschedulable-pods-duration 10s
}

start_node() {
  # component.sh starting the kubelet (or kube-proxy) alone sets KEEP_IMAGES: a containerd
  # that kept running still holds every image, and importing them all again into every
  # node's containerd first kept the main node's kubelet down 19-26 s under load for a 1-3 s
  # kubelet-restart (seed 4004), past the pods' toleration. cluster:up always imports, so
  # that an image added since reaches the nodes.
  local import=1
  if [ -n "${KEEP_IMAGES:-}" ] && running containerd; then import=0; fi
  start containerd "$(command -v containerd)" --config "$CONF/containerd.toml"
  wait_for "containerd socket" 30 containerd ctr --address "$CTRD_SOCK" version
  if (( import )); then bash "$CLUSTER_DIR/scripts/images.sh" import; fi

  mkdir -p "$ORDINAL_STATE/kubelet" "$ORDINAL_STATE/pod-logs"
  start kubelet "$K8S_BIN/kubelet" --config "$CONF/kubelet.yaml" --kubeconfig "$CONF/kubelet.conf" \
    --root-dir "$ORDINAL_STATE/kubelet" --hostname-override "$NODE_NAME" --node-ip "$API_IP" --v 1
  wait_for "node $NODE_NAME Ready" 180 kubelet node_ready

  start kube-proxy "$K8S_BIN/kube-proxy" --config "$CONF/kube-proxy.yaml"
  wait_for "kube-proxy healthz" 60 kube-proxy curl -fs --max-time 2 http://127.0.0.1:10256/healthz
}

start_addons() {
  kubectl_admin apply -f "$CLUSTER_DIR/manifests/storageclass.yaml" >/dev/null
  # CoreDNS is pinned to the main node, which no node fault may touch.
  sed -e "s|__COREDNS_IMAGE__|$COREDNS_IMAGE|" -e "s|__DNS_IP__|$DNS_IP|" -e "s|__MAIN_NODE__|$NODE_NAME|" "$CLUSTER_DIR/manifests/coredns.yaml" |
    kubectl_admin apply -f - >/dev/null
  log "waiting for CoreDNS to be Ready"
  if ! kubectl_admin -n kube-system rollout status deploy/coredns --timeout 180s >/dev/null; then
    kubectl_admin -n kube-system get pods -o wide >&2 || true
    kubectl_admin -n kube-system get events --sort-by=.lastTimestamp 2>/dev/null | tail -n 15 >&2 || true
    die "CoreDNS did not become Ready within 180s"
  fi
  wait_for "service account in namespace default" 60 - kubectl_admin -n default get serviceaccount default
  # The local-node StorageClass's provisioner (local-node.sh), a host process like the rest.
  start local-node-provisioner "$(command -v bash)" "$CLUSTER_DIR/scripts/local-node.sh"
  # The ordinal-fixed StorageClass's provisioner (fixed-size.sh): loop-device volumes.
  start fixed-size-provisioner "$(command -v bash)" "$CLUSTER_DIR/scripts/fixed-size.sh"
}

# start_nodes N: nodes 1..N-1 up (repaired if broken), nodes above removed.
start_nodes() {
  local i
  for i in $(node_indexes); do
    if (( i >= $1 )); then ( node_vars "$i"; node_down ); fi
  done
  for ((i = 1; i < $1; i++)); do ( node_vars "$i"; node_up ); done
}

main() {
  parse_args "$@"
  preflight
  mkdir -p "$ORDINAL_STATE" "$LOG_DIR" "$RUN_DIR"
  exec 9> "$ORDINAL_STATE/.lock"
  flock -n 9 || die "another cluster:up or cluster:down is running (lock $ORDINAL_STATE/.lock)"
  if [ -n "$NODES" ]; then echo "$NODES" > "$NODE_COUNT_FILE"; fi
  NODES=$(cat "$NODE_COUNT_FILE" 2>/dev/null || echo 1)
  log "kubernetes v$K8S_VERSION; $NODES node(s); cache $ORDINAL_CACHE; state $ORDINAL_STATE; logs $LOG_DIR"
  bash "$CLUSTER_DIR/scripts/build.sh" all
  host_up
  pki_up
  write_configs
  start_control_plane
  start_node
  start_addons
  start_nodes "$NODES"
  # After the nodes: the agent runs on every one of them. Its image is Ordinal's own plus a
  # layer, built from the installed package (node_modules); on a fresh clone before
  # `npm install` it is left to `npm test` (test/run.ts) or `bash cluster/scripts/agent.sh`.
  if [ -x "$CLUSTER_DIR/../node_modules/.bin/node" ]; then
    bash "$CLUSTER_DIR/scripts/agent.sh"
  else
    log "node agent not installed yet (no node_modules: run 'npm install', then 'bash cluster/scripts/agent.sh'; npm test does it)"
  fi
  write_user_kubeconfig
  log "cluster is up"
  echo "export KUBECONFIG=$KUBECONFIG_OUT"
}

# Sourced (by component.sh), this file only defines the start functions.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then main "$@"; fi
