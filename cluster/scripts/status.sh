#!/usr/bin/env bash
# One line per component (running / stopped, PID, RSS), then the node and system pods.
# Exit 0 when everything runs and the node is Ready, 1 otherwise.
source "$(dirname "$0")/lib.sh"
source "$CLUSTER_DIR/scripts/proc.sh"
source "$CLUSTER_DIR/scripts/host.sh"

ok=0 total_kb=0
for c in etcd kube-apiserver kube-controller-manager kube-scheduler containerd kubelet kube-proxy; do
  if running "$c"; then
    pid=$(cut -d' ' -f1 < "$(pidfile "$c")")
    kb=$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status")
    total_kb=$((total_kb + kb))
    printf '%-24s running  pid %-7s rss %5d MiB\n' "$c" "$pid" $((kb / 1024))
  else
    printf '%-24s stopped\n' "$c"; ok=1
  fi
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
if fw_ok; then echo "firewall                 no-egress rules in place"; else echo "firewall                 MISSING no-egress rules"; ok=1; fi
if running kube-apiserver; then
  kubectl_admin get nodes -o wide 2>/dev/null || ok=1
  kubectl_admin -n kube-system get pods -o wide 2>/dev/null || ok=1
fi
[ -s "$KUBECONFIG_OUT" ] && echo "kubeconfig: $KUBECONFIG_OUT"
exit $ok
