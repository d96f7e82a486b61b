# shellcheck shell=bash disable=SC2034  # node_vars sets the globals proc.sh and configs.sh read
# Extra nodes of the local cluster (cluster:up --nodes N). Node I is a network namespace
# pinned on a file of our own, joined to the host by a veth (host end ordnI), with its own
# containerd, kubelet and kube-proxy started through proc.sh. Sourced after lib.sh,
# proc.sh and configs.sh; every node_* function runs in a subshell after `node_vars I`,
# which points the main node's globals (RUN_DIR, CONF, CTRD_SOCK...) at node I.
#
# The netns is never made with `ip netns add`: iproute2 turns /run/netns into a bind mount
# of itself the first time, hiding the pod netns files containerd made there (cluster:down
# then fails with EBUSY). Nor is `ip netns exec` used: it remounts /sys (no cgroups).

# shellcheck disable=SC2153  # NODES_STATE (lib.sh) is not a misspelling of NODE_STATE
CG_CTRLS="cpu cpuacct cpuset memory devices freezer blkio pids systemd unified"

node_vars() {
  N_I=$1
  N_IF=$NODE_IF_PREFIX$N_I
  N_IP=10.200.$N_I.1
  N_HOST_IP=10.200.$N_I.254
  N_ST=$NODES_STATE/n$N_I
  N_RN=$NODES_RUN/n$N_I
  N_NSF=$NODES_RUN/netns/$N_IF
  N_CG=/ordinal-n$N_I
  # What proc.sh, configs.sh and lib.sh's helpers read, pointed at this node.
  NODE_NAME=$N_IP
  POD_CIDR=10.244.$N_I.0/24
  CONF=$N_ST/conf
  RUN_DIR=$N_ST/run
  LOG_DIR=$ORDINAL_STATE/logs/n$N_I
  CTRD_STATE=$N_RN/containerd
  CTRD_SOCK=$CTRD_STATE/containerd.sock
  NODE_STATE=$N_ST
  NODE_ADDR=$N_IP
  CGROUP_ROOT=$N_CG
  NODE_NETNS=$N_NSF
  CG_MATCH=":$N_CG/"
}

# node_indexes: the extra nodes that exist (have state or a netns file), ascending.
node_indexes() {
  local d
  for d in "$NODES_STATE"/n* "$NODES_RUN"/n* "$NODES_RUN"/netns/"$NODE_IF_PREFIX"*; do
    [ -e "$d" ] || continue
    d=${d##*/}; d=${d#"$NODE_IF_PREFIX"}; echo "${d#n}"
  done | grep -E '^[0-9]+$' | sort -nu || true
}

# node_index NAME: the index of an extra node named NAME (its IP) or nI, else nothing.
node_index() {
  local i
  case $1 in 10.200.*.1) i=${1#10.200.}; i=${i%.1} ;; n*) i=${1#n} ;; *) return 0 ;; esac
  [[ $i =~ ^[1-9]$ ]] && (( i < MAX_NODES )) && echo "$i"
  return 0
}

in_node() { nsenter "--net=$N_NSF" -- "$@"; }
node_ready() { kubectl_admin get node "$N_IP" -o 'jsonpath={.status.conditions[?(@.type=="Ready")].status}' | grep -qx True; }
frozen() { [ "$(cat "/sys/fs/cgroup/freezer$N_CG/freezer.state" 2>/dev/null)" = FROZEN ]; }
thaw() { frozen || return 0; echo THAWED > "/sys/fs/cgroup/freezer$N_CG/freezer.state"; }

# A partition is two DROP rules on the node's host-side interface (node.sh owns them).
cut_rules() {
  cat <<RULES
raw PREROUTING -i $N_IF -m comment --comment ordinal:partition:$N_IF -j DROP
mangle POSTROUTING -o $N_IF -m comment --comment ordinal:partition:$N_IF -j DROP
RULES
}
cut_on() { local t table chain rule
  for t in iptables ip6tables; do while read -r table chain rule; do
    # shellcheck disable=SC2086  # $rule is an iptables argument list, split into words on purpose
    $t -w -t "$table" -C "$chain" $rule 2>/dev/null || $t -w -t "$table" -I "$chain" 1 $rule
  done < <(cut_rules); done; }
cut_off() { local t table chain rule
  for t in iptables ip6tables; do while read -r table chain rule; do
    # shellcheck disable=SC2086  # $rule is an iptables argument list, split into words on purpose
    while $t -w -t "$table" -C "$chain" $rule 2>/dev/null; do $t -w -t "$table" -D "$chain" $rule; done
  done < <(cut_rules); done; }

node_net_up() {
  mountpoint -q "$N_NSF" 2>/dev/null && return 0
  mkdir -p "${N_NSF%/*}"; touch "$N_NSF"
  unshare "--net=$N_NSF" true
  # The veth is made inside the node's netns; its host end goes to PID 1's netns.
  in_node ip link add eth0 type veth peer name "$N_IF" netns 1
  ip addr add "$N_HOST_IP/24" dev "$N_IF"
  ip link set "$N_IF" up
  in_node ip link set lo up
  in_node ip addr add "$N_IP/24" dev eth0
  in_node ip link set eth0 up
  in_node ip route add default via "$N_HOST_IP"
  local k; for k in net.ipv4.ip_forward net.bridge.bridge-nf-call-iptables net.bridge.bridge-nf-call-ip6tables; do
    in_node sysctl -qw "$k=1"; done
}

node_cg_up() { local c
  for c in $CG_CTRLS; do [ "$c" = unified ] || mkdir -p "/sys/fs/cgroup/$c$N_CG"; done
  cat /sys/fs/cgroup/cpuset/cpuset.cpus > "/sys/fs/cgroup/cpuset$N_CG/cpuset.cpus"
  cat /sys/fs/cgroup/cpuset/cpuset.mems > "/sys/fs/cgroup/cpuset$N_CG/cpuset.mems"
}
node_cg_down() { local c d
  for c in $CG_CTRLS; do
    [ -d "/sys/fs/cgroup/$c$N_CG" ] || continue
    find "/sys/fs/cgroup/$c$N_CG" -depth -type d | while read -r d; do rmdir "$d" 2>/dev/null || true; done
  done
}

# The kubelet's client certificate (CN=system:node:<IP>), signed by the cluster CA.
node_certs() {
  mkdir -p "$CONF"
  [ -s "$CONF/kubelet.conf" ] && return 0
  "$K8S_BIN/kubeadm" init phase kubeconfig kubelet --cert-dir "$PKI" --kubeconfig-dir "$CONF" \
    --kubernetes-version "v$K8S_VERSION" --apiserver-advertise-address "$API_IP" --node-name "$N_IP" >/dev/null
}

start_node_kubelet() {
  mkdir -p "$N_ST/kubelet" "$N_ST/pod-logs"
  start kubelet "$K8S_BIN/kubelet" --config "$CONF/kubelet.yaml" --kubeconfig "$CONF/kubelet.conf" \
    --root-dir "$N_ST/kubelet" --hostname-override "$N_IP" --node-ip "$N_IP" --v 1
}

# node_daemons_up: start whichever of containerd, kubelet, kube-proxy is not running.
node_daemons_up() {
  if ! running containerd; then
    start containerd "$(command -v containerd)" --config "$CONF/containerd.toml"
    wait_for "node $N_I containerd socket" 30 containerd ctr --address "$CTRD_SOCK" version
    bash "$CLUSTER_DIR/scripts/images.sh" import "$CTRD_SOCK" >/dev/null
  fi
  start_node_kubelet
  running kube-proxy || start kube-proxy "$K8S_BIN/kube-proxy" --config "$CONF/kube-proxy.yaml"
}

# node_up: create or repair node I (a hung or partitioned node is resumed and healed).
node_up() {
  log "node $N_I: $N_IP, pods $POD_CIDR, interface $N_IF"
  thaw; cut_off
  node_net_up
  # The node's pod range, through its veth (re-added if a link flap dropped it).
  ip link set "$N_IF" up
  ip route replace "$POD_CIDR" via "$N_IP" dev "$N_IF"
  node_cg_up
  node_certs
  write_configs
  node_daemons_up
  wait_for "node $N_IP Ready" 120 kubelet node_ready
  wait_for "node $N_I kube-proxy healthz" 60 kube-proxy in_node curl -fs --max-time 2 http://127.0.0.1:10256/healthz
  kubectl_admin uncordon "$N_IP" >/dev/null 2>&1 || true
}

# node_kill [GRACE]: kill every process of the node (its daemons by recorded PID after
# GRACE seconds, 0 = at once; its containers and shims, from its own containerd state and
# checked against its cgroup root, with SIGKILL).
node_kill() {
  local grace=${1:-0} pids socks p; pids="$(container_inits) $(shim_pids)" socks=$(shim_sockets)
  thaw
  stop kubelet "$grace"; stop kube-proxy "$grace"; stop containerd "$grace"
  # Again once containerd is gone: a shim it started meanwhile has no container to find it by.
  for p in $pids $(shim_pids); do kill -KILL "$p" 2>/dev/null || true; done
  for p in $socks; do rm -f "$p"; done
}

# node_down: remove node I and everything it made. Safe after a crash or kill -9.
node_down() {
  log "removing node $N_I ($N_IP)"
  thaw; cut_off
  if running kubelet && running containerd; then
    # Pods first, while the kubelet can still tear them down (CNI DEL, unmounts).
    kubectl_admin cordon "$N_IP" >/dev/null 2>&1 || true
    kubectl_admin delete pods -A --field-selector "spec.nodeName=$N_IP" --force --grace-period=0 --wait=false >/dev/null 2>&1 || true
    local k; for ((k = 0; k < 30; k++)); do
      [ "$(ctr_k8s tasks ls -q 2>/dev/null | grep -c .)" = 0 ] && break; sleep 1; done
  fi
  stop kube-proxy 5; stop kubelet 5
  local netns="" c t p
  if running containerd && ctr --address "$CTRD_SOCK" version >/dev/null 2>&1; then
    netns=$(for c in $(ctr_k8s containers ls -q 2>/dev/null); do
      ctr_k8s containers info "$c" 2>/dev/null | { grep -o '"path": *"/[^"]*netns[^"]*"' || true; } | sed 's/.*"\(\/[^"]*\)"/\1/'
    done | sort -u)
    for t in $(ctr_k8s tasks ls -q 2>/dev/null); do ctr_k8s tasks kill -s SIGKILL "$t" >/dev/null 2>&1 || true; done
  fi
  node_kill 5
  for t in $netns; do [ -e "$t" ] && { umount "$t" 2>/dev/null || true; rm -f "$t" 2>/dev/null || true; }; done
  # Pod netns left by a crash: those holding an address from this node's IPAM store.
  local ns a
  for ns in $(ip netns list 2>/dev/null | awk '$1 ~ /^cni-/ {print $1}'); do
    for a in $(ip -n "$ns" -4 -o addr show 2>/dev/null | awk '{print $4}' | cut -d/ -f1); do
      if [ -e "$N_ST/cni/ipam/ordinal-pods/$a" ]; then ip netns delete "$ns" 2>/dev/null || true; break; fi
    done
  done
  for p in "$N_ST" "$N_RN"; do
    findmnt -rn -o TARGET | awk -v p="$p/" 'index($0, p) == 1' | sort -r | while read -r m; do
      umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true; done
  done
  # Dropping the last reference destroys the netns: veth pair, host route, node bridge.
  if mountpoint -q "$N_NSF" 2>/dev/null; then umount "$N_NSF" 2>/dev/null || umount -l "$N_NSF" || true; fi
  rm -f "$N_NSF" 2>/dev/null || true
  ip route del "$POD_CIDR" 2>/dev/null || true
  sleep 0.2; node_cg_down
  kubectl_admin delete node "$N_IP" --wait=false >/dev/null 2>&1 || true
  rm -rf "$N_ST" "$N_RN" "${VOLUMES_DIR:?}/$N_IP" 2>/dev/null || true
  log "node $N_I removed"
}
