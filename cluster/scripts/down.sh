#!/usr/bin/env bash
# Stops everything `up` started (by recorded PID), extra nodes first, removes pods'
# network namespaces and mounts, the bridge, the interface, the firewall rules and
# blackhole routes, and restores sysctls. Never stops half-way on one busy file (EBUSY).
# Idempotent; safe after a crash. Logs are kept in $LOG_DIR unless --purge is given.
source "$(dirname "$0")/lib.sh"
source "$CLUSTER_DIR/scripts/proc.sh"
source "$CLUSTER_DIR/scripts/host.sh"
source "$CLUSTER_DIR/scripts/configs.sh"
source "$CLUSTER_DIR/scripts/nodes.sh"

[ "$(id -u)" = 0 ] || die "cluster:down needs root"
[ -d "$ORDINAL_STATE" ] || { log "nothing to do: $ORDINAL_STATE does not exist"; exit 0; }
exec 9> "$ORDINAL_STATE/.lock"
flock -w 120 9 || die "another cluster:up or cluster:down holds $ORDINAL_STATE/.lock"

have_ctr() { [ -S "$CTRD_SOCK" ] && running containerd && ctr --address "$CTRD_SOCK" version >/dev/null 2>&1; }
tasks_left() { ctr_k8s tasks ls -q 2>/dev/null | grep -c . || true; }

# 0. Extra nodes, while the API can still have their pods torn down; a failing step of
#    one node must not leave the rest behind. Then the local-node provisioner.
for i in $(node_indexes); do ( node_vars "$i"; node_down ) || log "node $i: removal failed (rc $?); continuing"; done
# A shim an extra node's containerd started while the node went down outlives it and keeps
# the node's network namespace, and so its veth (the next up: "RTNETLINK answers: File
# exists"); ours by an -address under $NODES_RUN, even once the node's state is gone.
for p in /proc/[0-9]*; do
  case "$(readlink "$p/exe" 2>/dev/null)" in *containerd-shim*) ;; *) continue ;; esac
  if tr '\0' '\n' < "$p/cmdline" 2>/dev/null | grep -q "^$NODES_RUN/"; then
    log "killing shim ${p#/proc/}, left by an extra node's containerd"
    kill -KILL "${p#/proc/}" 2>/dev/null || true
  fi
done
stop local-node-provisioner
stop fixed-size-provisioner

# 1. Let the kubelet tear pods down properly (CNI DEL, volume unmounts): stop the
#    controllers so nothing is recreated, then remove every pod from the API.
stop kube-controller-manager
stop kube-scheduler
if running kube-apiserver && running kubelet && [ -x "$K8S_BIN/kubectl" ]; then
  log "deleting all pods so the kubelet tears them down"
  kubectl_admin delete pods --all -A --force --grace-period=0 --wait=false >/dev/null 2>&1 || true
  if have_ctr; then
    for ((i = 0; i < 60; i++)); do [ "$(tasks_left)" = 0 ] && break; sleep 1; done
    left=$(tasks_left)
    [ "$left" = 0 ] || log "pod containers still running after 60 s of teardown: $left (killed below)"
  fi
fi
stop kube-proxy
stop kubelet

# 2. Whatever the kubelet did not finish: kill tasks and free their network namespaces,
#    found from our containerd's own container specs.
if have_ctr; then
  netns=$(for c in $(ctr_k8s containers ls -q 2>/dev/null); do
    # App containers join by /proc/PID/ns/net: no match is normal, not an error.
    ctr_k8s containers info "$c" 2>/dev/null | { grep -o '"path": *"/[^"]*netns[^"]*"' || true; } | sed 's/.*"\(\/[^"]*\)"/\1/'
  done | sort -u)
  for t in $(ctr_k8s tasks ls -q 2>/dev/null); do
    ctr_k8s tasks kill -s SIGKILL "$t" >/dev/null 2>&1 || true
  done
  sleep 1
  for t in $(ctr_k8s tasks ls -q 2>/dev/null); do ctr_k8s tasks delete -f "$t" >/dev/null 2>&1 || true; done
  for c in $(ctr_k8s containers ls -q 2>/dev/null); do ctr_k8s containers delete "$c" >/dev/null 2>&1 || true; done
  for n in $netns; do
    [ -e "$n" ] || continue
    umount "$n" 2>/dev/null || true; rm -f "$n" 2>/dev/null || log "could not remove $n (busy?); continuing"
  done
fi
# Containers and their shims outlive containerd: note ours (recorded by containerd)
# before stopping it. Killing a container's init ends its whole PID namespace.
inits=$(container_inits)
shims=$(shim_pids)
socks=$(shim_sockets)
stop containerd
# Again once containerd is gone: a shim it started meanwhile has no container to find it by.
for pid in $inits $shims $(shim_pids); do kill -KILL "$pid" 2>/dev/null || true; done
for s in $socks; do rm -f "$s"; done

# A crash (containerd gone before its pods) leaves their network namespaces behind.
# Ours are the ones holding an address our own IPAM store still lists as allocated.
ipam=$ORDINAL_STATE/cni/ipam/ordinal-pods
for ns in $(ip netns list 2>/dev/null | awk '$1 ~ /^cni-/ {print $1}'); do
  for addr in $(ip -n "$ns" -4 -o addr show 2>/dev/null | awk '{print $4}' | cut -d/ -f1); do
    if [ -e "$ipam/$addr" ]; then log "removing leftover pod network namespace $ns ($addr)"; ip netns delete "$ns" || true; break; fi
  done
done

# 3. Control plane, then kube-proxy's iptables chains.
stop kube-apiserver
stop etcd
if [ -x "$K8S_BIN/kube-proxy" ]; then "$K8S_BIN/kube-proxy" --cleanup >/dev/null 2>&1 || true; fi

# 4. Mounts under our own directories only, deepest first.
for dir in "$ORDINAL_STATE" "$CTRD_STATE"; do
  findmnt -rn -o TARGET | awk -v p="$dir/" 'index($0, p) == 1' | sort -r | while read -r m; do
    umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true
  done
done

# The ordinal-fixed volumes' loop devices, now that nothing has them mounted.
bash "$CLUSTER_DIR/scripts/fixed-size.sh" detach-all || true
host_down
rm -rf "$CTRD_STATE" /run/ordinal 2>/dev/null || true
# The node count is a setting, remembered across down and up until changed.
find "$ORDINAL_STATE" -mindepth 1 -maxdepth 1 ! -name logs ! -name .lock ! -name node-count -exec rm -rf {} + 2>/dev/null || true
if [ "${1:-}" = --purge ]; then
  rm -rf "$LOG_DIR"
  log "cluster is down (logs removed)"
else
  log "cluster is down (logs kept in $LOG_DIR)"
fi
