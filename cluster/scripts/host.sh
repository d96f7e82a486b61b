# shellcheck shell=bash
# Host network preparation and its exact undo. Every change is recorded in
# $ORDINAL_STATE/host so `down` restores what was there before `up`. Sourced.

HOST_REC=$ORDINAL_STATE/host

# Our firewall rules, one ordered list per tool, "tool table chain rule...", installed at
# the top of the chain in this order. Pods may cross between the main node's bridge and
# the extra nodes' interfaces (ordn*, see nodes.sh), and nothing else: whatever arrives
# from the bridge or a node for any other interface is dropped (mangle runs before
# filter, where kube-proxy inserts ACCEPTs; a RETURN only ends the mangle pass).
fw_rules() {
  local t p=$NODE_IF_PREFIX+
  for t in iptables ip6tables; do
    cat <<RULES
$t mangle FORWARD -i $BRIDGE -o $p -m comment --comment ordinal:pods-to-nodes -j RETURN
$t mangle FORWARD -i $p -o $BRIDGE -m comment --comment ordinal:nodes-to-pods -j RETURN
$t mangle FORWARD -i $p -o $p -m comment --comment ordinal:node-to-node -j RETURN
$t mangle FORWARD -i $p -m comment --comment ordinal:nodes-no-egress -j DROP
$t mangle FORWARD -i $BRIDGE ! -o $BRIDGE -m comment --comment ordinal:no-egress -j DROP
RULES
  done
}
# A pod range or node address with no route (a removed node's) must not fall through to
# the default route: these blackholes catch whatever the per-node routes do not.
BLACKHOLES="$CLUSTER_CIDR 10.200.0.0/16"
have_blackhole() { ip route show exact "$1" type blackhole | grep -q .; }

fw_want() { fw_rules | awk -v t="$1" '$1 == t { $1 = ""; $2 = ""; $3 = "-A " $3; sub(/^ +/, ""); print }'; }
# fw_in_order TOOL: our rules are the first ones in the chain, exactly in list order
# (iptables -S quotes the comments).
fw_in_order() {
  local n; n=$(fw_want "$1" | wc -l)
  [ "$($1 -w -t mangle -S FORWARD | sed -n "2,$((n + 1))p" | tr -d '"')" = "$(fw_want "$1")" ]
}

# fw_up: insert the list at the top, in order, then delete older copies below it, so
# the drop rules are never missing, not even for a moment.
fw_up() {
  local tool table chain rule n
  for tool in iptables ip6tables; do
    fw_in_order "$tool" && continue
    n=1
    while read -r table chain rule; do
      # shellcheck disable=SC2086  # $rule is an iptables argument list, split into words on purpose
      $tool -w -t "$table" -I "$chain" "$n" $rule; n=$((n + 1))
    done < <(fw_rules | awk -v t="$tool" '$1 == t { $1 = ""; print }')
    $tool -w -t mangle -S FORWARD | sed 1d | awk -v k=$((n - 1)) 'NR > k && /--comment "?ordinal:/ { print NR }' | sort -rn |
      while read -r n; do $tool -w -t mangle -D FORWARD "$n"; done
  done
  local r
  for r in $BLACKHOLES; do
    if ! have_blackhole "$r"; then ip route add blackhole "$r"; touch "$HOST_REC/blackhole.${r//\//_}"; fi
  done
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
  fw_up
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
  local r
  for r in $BLACKHOLES; do
    [ -e "$HOST_REC/blackhole.${r//\//_}" ] || continue
    ip route del blackhole "$r" 2>/dev/null || true; rm -f "$HOST_REC/blackhole.${r//\//_}"
  done
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

# fw_ok: every safety rule is in place, in order, and the blackhole routes too (status
# and the integration test call this).
fw_ok() {
  fw_in_order iptables && fw_in_order ip6tables || return 1
  local r
  for r in $BLACKHOLES; do have_blackhole "$r" || return 1; done
}
