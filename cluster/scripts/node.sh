#!/usr/bin/env bash
# Node faults for the local cluster's extra nodes (cluster:up --nodes N), for Ordinal's
# node-fault disruption and the multi-node tests. Acts only on the processes recorded
# when the node was started (PID and binary checked), the node's own containers (from
# its containerd state, checked against its cgroup root) and rules it owns.
#
#   node.sh <verb> <node>    node: an extra node's name (10.200.I.1) or nI
#
#   stop           power off: SIGKILL its kubelet, kube-proxy, containerd, shims and containers
#   start          power on: start what is not running; returns when the node is Ready
#   hang | resume  freeze | thaw every process of the node (freezer cgroup)
#   partition      drop all traffic to and from the node (iptables on its interface)
#   heal           remove those rules
#   kubelet-stop   stop only the kubelet (SIGTERM): its containers keep running
#   kubelet-start  start the kubelet again; returns when the node is Ready
#
# Prints one line of what it did. Exit 0 done (or already so), 2 usage, unknown node,
# the main node (never touched), or the node did not come back in time.
source "$(dirname "$0")/lib.sh"
source "$CLUSTER_DIR/scripts/proc.sh"
source "$CLUSTER_DIR/scripts/configs.sh"
source "$CLUSTER_DIR/scripts/nodes.sh"

VERBS="stop|start|hang|resume|partition|heal|kubelet-stop|kubelet-start"
extra_nodes() { local i names=""; for i in $(node_indexes); do names="$names 10.200.$i.1"; done; echo "${names:- none (cluster:up -- --nodes N)}"; }
usage() { die "usage: node.sh $VERBS <node>${1:+: $1}"; }

[ $# -eq 2 ] || usage "expected 2 arguments, got $#"
verb=$1 node=$2
[[ "|$VERBS|" == *"|$verb|"* ]] || usage "unknown verb '$verb'"
if [ "$node" = "$NODE_NAME" ] || [ "$node" = n0 ]; then
  die "node.sh: $node is the main node (control plane, CoreDNS): node faults act only on extra nodes:$(extra_nodes)"
fi
i=$(node_index "$node")
{ [ -n "$i" ] && [ -d "$NODES_STATE/n$i" ]; } || die "node.sh: unknown node '$node'; extra nodes:$(extra_nodes)"
[ "$(id -u)" = 0 ] || die "node.sh needs root (as cluster:up does)"
exec 9> "$ORDINAL_STATE/.lock"
flock -w 60 9 || die "another cluster:up, cluster:down, component.sh or node.sh holds $ORDINAL_STATE/.lock"

node_vars "$i"
mkdir -p "$LOG_DIR"
# proc.sh's progress lines go to the node's log; stdout carries the one-line summary.
trace=$LOG_DIR/node.sh.log
echo "--- $(date -u +%FT%TZ) node.sh $verb $node" >> "$trace"
done_() { echo "node.sh: $verb $N_IP: $*"; }
daemons() { local c out=""; for c in containerd kubelet kube-proxy; do running "$c" && out="$out $c"; done; echo "${out# }"; }

case $verb in
  stop)
    up=$(daemons); n=$(container_inits | wc -w)
    if [ -z "$up" ] && [ "$n" = 0 ]; then done_ "already stopped (nothing of the node runs)"; exit 0; fi
    node_kill >> "$trace" 2>&1
    done_ "powered off: SIGKILL to ${up:-no daemons} and $n container(s) with their shims"
    ;;
  start)
    node_daemons_up >> "$trace" 2>&1
    wait_for "node $N_IP Ready" 120 kubelet node_ready >> "$trace"
    wait_for "node $N_I kube-proxy healthz" 60 kube-proxy in_node curl -fs --max-time 2 http://127.0.0.1:10256/healthz >> "$trace"
    done_ "powered on: $(daemons) running, node Ready"
    ;;
  hang)
    if frozen; then done_ "already hung"; exit 0; fi
    f=/sys/fs/cgroup/freezer$N_CG
    for p in $(for c in containerd kubelet kube-proxy; do running "$c" && cut -d' ' -f1 < "$(pidfile "$c")"; done; container_inits; shim_pids); do
      echo "$p" > "$f/cgroup.procs" 2>/dev/null || true
    done
    echo FROZEN > "$f/freezer.state"
    for ((k = 0; k < 50; k++)); do frozen && break; sleep 0.1; done
    frozen || die "node.sh: $N_IP did not reach FROZEN in 5 s (state $(cat "$f/freezer.state")); resume it with node.sh resume $N_IP"
    done_ "hung: $(wc -l < "$f/cgroup.procs") processes frozen ($(cat "$f/freezer.state"))"
    ;;
  resume)
    if ! frozen; then done_ "not hung; nothing to resume"; exit 0; fi
    thaw; done_ "resumed (thawed)"
    ;;
  partition) cut_on; done_ "partitioned: all traffic on $N_IF dropped (raw PREROUTING, mangle POSTROUTING)" ;;
  heal) cut_off; done_ "healed: partition rules on $N_IF removed" ;;
  kubelet-stop)
    if ! running kubelet; then done_ "kubelet already stopped"; exit 0; fi
    pid=$(cut -d' ' -f1 < "$(pidfile kubelet)")
    stop kubelet >> "$trace" 2>&1
    done_ "kubelet (pid $pid) stopped; containers keep running"
    ;;
  kubelet-start)
    start_node_kubelet >> "$trace" 2>&1
    wait_for "node $N_IP Ready" 120 kubelet node_ready >> "$trace"
    done_ "kubelet running (pid $(cut -d' ' -f1 < "$(pidfile kubelet)")), node Ready"
    ;;
esac
