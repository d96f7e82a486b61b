# shellcheck shell=bash
# Host network preparation and its exact undo. Every change is recorded in
# $ORDINAL_STATE/host so `down` restores what was there before `up`. Sourced.

HOST_REC=$ORDINAL_STATE/host

# Our firewall rules, one per line: "table chain rule...". The first two keep pod
# traffic on this machine: nothing arriving from the pod bridge may be forwarded to
# any other interface (mangle runs before filter, where kube-proxy inserts ACCEPTs).
fw_rules() {
  cat <<RULES
iptables mangle FORWARD -i $BRIDGE ! -o $BRIDGE -m comment --comment ordinal:no-egress -j DROP
ip6tables mangle FORWARD -i $BRIDGE ! -o $BRIDGE -m comment --comment ordinal:no-egress -j DROP
RULES
}

host_up() {
  mkdir -p "$HOST_REC"
  local key path
  for key in net.ipv4.ip_forward net.bridge.bridge-nf-call-iptables net.bridge.bridge-nf-call-ip6tables; do
    path=/proc/sys/${key//.//}
    [ -e "$path" ] || continue
    [ -e "$HOST_REC/sysctl.$key" ] || cat "$path" > "$HOST_REC/sysctl.$key"
    echo 1 > "$path"
  done
  # This kernel has no dummy interface type (no modules), so the API address goes on
  # lo under a label of its own; a local address answers from any interface.
  if ! ip -4 addr show dev lo | grep -qw "$API_IP"; then
    ip addr add "$API_IP/32" dev lo label "lo:$API_LABEL"
    touch "$HOST_REC/addr.$API_IP"
  fi
  local tool table chain rule
  while read -r tool table chain rule; do
    # shellcheck disable=SC2086  # $rule is an iptables argument list, split into words on purpose
    $tool -w -t "$table" -C "$chain" $rule 2>/dev/null || $tool -w -t "$table" -I "$chain" 1 $rule
  done < <(fw_rules)
  # The kubelet and kube-proxy add KUBE-* chains; note which were here before us.
  [ -e "$HOST_REC/kube-chains.before" ] || kube_chains > "$HOST_REC/kube-chains.before"
  # The controller-manager's host-path provisioner keeps volumes here (a fixed path).
  if [ ! -d /tmp/hostpath_pv ]; then mkdir -p /tmp/hostpath_pv && touch "$HOST_REC/made.hostpath_pv"; fi
}

# "tool table chain" for every KUBE-* chain now present.
kube_chains() {
  local tool table
  for tool in iptables ip6tables; do
    for table in filter nat mangle; do
      $tool -w -t "$table" -S 2>/dev/null | awk -v t="$tool $table" '$1 == "-N" && $2 ~ /^KUBE-/ {print t, $2}'
    done
  done
}

# Remove the KUBE-* chains that were not there before `up` (kube-proxy --cleanup
# leaves the kubelet's own: KUBE-FIREWALL, KUBE-KUBELET-CANARY, KUBE-IPTABLES-HINT).
remove_kube_chains() {
  local before=$HOST_REC/kube-chains.before tool table chain rule
  [ -e "$before" ] || return 0
  kube_chains | { grep -vxF -f "$before" || true; } | while read -r tool table chain; do
    # shellcheck disable=SC2086  # $rule is an iptables argument list, split into words on purpose
    $tool -w -t "$table" -S | awk -v c="$chain" '$1 == "-A" && $2 !~ /^KUBE-/ && / -j / && $NF == c' |
      while read -r rule; do $tool -w -t "$table" ${rule/-A/-D} 2>/dev/null || true; done
    $tool -w -t "$table" -F "$chain" 2>/dev/null || true
  done
  kube_chains | { grep -vxF -f "$before" || true; } | while read -r tool table chain; do
    $tool -w -t "$table" -X "$chain" 2>/dev/null || true
  done
  rm -f "$before"
}

host_down() {
  remove_kube_chains
  local tool table chain rule
  while read -r tool table chain rule; do
    # shellcheck disable=SC2086  # $rule is an iptables argument list, split into words on purpose
    while $tool -w -t "$table" -C "$chain" $rule 2>/dev/null; do $tool -w -t "$table" -D "$chain" $rule; done
  done < <(fw_rules)
  # The bridge exists only because the CNI plugin made it for our pods.
  ip link show "$BRIDGE" >/dev/null 2>&1 && ip link del "$BRIDGE"
  if [ -e "$HOST_REC/addr.$API_IP" ]; then ip addr del "$API_IP/32" dev lo 2>/dev/null || true; rm -f "$HOST_REC/addr.$API_IP"; fi
  if [ -e "$HOST_REC/made.hostpath_pv" ]; then rm -rf /tmp/hostpath_pv; rm -f "$HOST_REC/made.hostpath_pv"; fi
  local f key
  for f in "$HOST_REC"/sysctl.*; do
    [ -e "$f" ] || continue
    key=${f##*/sysctl.}
    cat "$f" > "/proc/sys/${key//.//}" && rm -f "$f"
  done
  return 0
}

# fw_ok: every safety rule is in place (status and the integration test call this).
fw_ok() {
  local tool table chain rule
  while read -r tool table chain rule; do
    # shellcheck disable=SC2086  # $rule is an iptables argument list, split into words on purpose
    $tool -w -t "$table" -C "$chain" $rule 2>/dev/null || return 1
  done < <(fw_rules)
}
