#!/usr/bin/env bash
# One line per component (running / stopped, PID, RSS), one block per extra node, then
# the nodes and system pods. Exit 0 when everything runs and the nodes are all there and
# Ready, 1 otherwise.
source "$(dirname "$0")/lib.sh"
source "$CLUSTER_DIR/scripts/proc.sh"
source "$CLUSTER_DIR/scripts/host.sh"
source "$CLUSTER_DIR/scripts/configs.sh"
source "$CLUSTER_DIR/scripts/nodes.sh"

# component NAME: its line; false when it is not running.
component() {
  if running "$1"; then
    local pid kb; pid=$(cut -d' ' -f1 < "$(pidfile "$1")")
    kb=$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status")
    total_kb=$((total_kb + kb))
    printf '%-24s running  pid %-7s rss %5d MiB\n' "$2" "$pid" $((kb / 1024))
  else
    printf '%-24s stopped\n' "$2"; return 1
  fi
}

ok=0 total_kb=0
for c in etcd kube-apiserver kube-controller-manager kube-scheduler containerd kubelet kube-proxy local-node-provisioner fixed-size-provisioner; do
  component "$c" "$c" || ok=1
done
# Pod processes (CoreDNS, test pods) run under our containerd's shims.
shim_kb=0
for pid in $(shim_pids); do
  for p in $pid $(pgrep -P "$pid" || true); do
    kb=$(awk '/^VmRSS/ {print $2}' "/proc/$p/status" 2>/dev/null || echo 0); shim_kb=$((shim_kb + ${kb:-0}))
  done
done
printf '%-24s rss %5d MiB (shims and direct children)\n' "pods" $((shim_kb / 1024))
printf '%-24s rss %5d MiB\n' "total" $(((total_kb + shim_kb) / 1024))
# Extra nodes: their daemons (in a subshell: node_vars repoints proc.sh at the node).
want=$(cat "$NODE_COUNT_FILE" 2>/dev/null || echo 1) have=0
for i in $(node_indexes); do
  have=$((have + 1))
  (
    node_vars "$i"; bad=0 total_kb=0
    for c in containerd kubelet kube-proxy; do component "$c" "n$i $c" || bad=1; done
    if frozen; then echo "n$i                       HUNG (node.sh resume $N_IP)"; bad=1; fi
    if iptables -w -t raw -S PREROUTING | grep -q "ordinal:partition:$N_IF"; then echo "n$i                       PARTITIONED (node.sh heal $N_IP)"; bad=1; fi
    printf '%-24s rss %5d MiB (daemons)\n' "n$i total ($N_IP)" $((total_kb / 1024))
    exit $bad
  ) || ok=1
done
if [ "$have" != $((want - 1)) ]; then echo "nodes                    $((have + 1)) of $want (cluster:up to repair)"; ok=1; fi
if fw_ok; then echo "firewall                 no-egress rules and blackhole routes in place, in order"; else echo "firewall                 MISSING or misordered no-egress rules or blackhole routes"; ok=1; fi
if running kube-apiserver; then
  kubectl_admin get nodes -o wide 2>/dev/null || ok=1
  if kubectl_admin get nodes --no-headers 2>/dev/null | awk '$2 != "Ready"' | grep -q .; then ok=1; fi
  kubectl_admin -n kube-system get pods -o wide 2>/dev/null || ok=1
fi
[ -s "$KUBECONFIG_OUT" ] && echo "kubeconfig: $KUBECONFIG_OUT"
exit $ok
