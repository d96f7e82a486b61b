#!/usr/bin/env bash
# Stops, starts or reports one component of the local cluster, for fault tests that
# need a control-plane or node component gone for a while. Stop goes through proc.sh's
# recorded PID (never by name); start reuses up.sh's own start steps, which skip what
# already runs, and waits until the component is healthy again.
#
#   component.sh stop|start|status etcd|kube-apiserver|kube-controller-manager|kube-scheduler|containerd|kubelet|kube-proxy
#
# Exit: 0 done (status: running), 1 status: stopped, 2 usage or the component did not come back.
source "$(dirname "$0")/up.sh"

usage() { die "usage: component.sh stop|start|status etcd|kube-apiserver|kube-controller-manager|kube-scheduler|containerd|kubelet|kube-proxy"; }
[ $# -eq 2 ] || usage
action=$1 name=$2
case $name in
  etcd | kube-apiserver | kube-controller-manager | kube-scheduler) part=control-plane ;;
  containerd | kubelet | kube-proxy) part=node ;;
  *) usage ;;
esac

# healthy NAME: the component answers its own health endpoint (the node, for the kubelet).
healthy() {
  case $1 in
    etcd) curl -fs --max-time 2 http://127.0.0.1:2379/health ;;
    kube-apiserver) api_ready ;;
    kube-controller-manager) curl -fsk --max-time 2 https://127.0.0.1:10257/healthz ;;
    kube-scheduler) curl -fsk --max-time 2 https://127.0.0.1:10259/healthz ;;
    kubelet) curl -fs --max-time 2 http://127.0.0.1:10248/healthz && node_ready ;;
    containerd) ctr --address "$CTRD_SOCK" version ;;
    kube-proxy) curl -fs --max-time 2 http://127.0.0.1:10256/healthz ;;
  esac
}

case $action in
  status)
    if running "$name"; then echo "$name running (pid $(cut -d' ' -f1 < "$(pidfile "$name")"))"; exit 0; fi
    echo "$name stopped"; exit 1 ;;
  stop | start) ;;
  *) usage ;;
esac

[ "$(id -u)" = 0 ] || die "component.sh needs root (as up.sh does)"
mkdir -p "$RUN_DIR" "$LOG_DIR"
exec 9> "$ORDINAL_STATE/.lock"
flock -w 30 9 || die "another cluster:up, cluster:down or component.sh holds $ORDINAL_STATE/.lock"

if [ "$action" = stop ]; then
  running "$name" || die "$name is not running (no live recorded PID); nothing stopped"
  stop "$name"
  running "$name" && die "$name is still running after stop"
  log "$name stopped"
  exit 0
fi

# start: the same steps as up.sh, which start only what is not running, in dependency order.
if running "$name"; then log "$name already running"; else
  if [ "$part" = control-plane ]; then start_control_plane; else KEEP_IMAGES=1 start_node; fi
fi
wait_for "$name healthy" 120 "$name" healthy "$name"
log "$name running and healthy"
