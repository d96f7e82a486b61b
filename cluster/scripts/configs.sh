# shellcheck shell=bash
# Component configuration files, rewritten on every `up` from the settings in lib.sh.
# Sourced.

# put FILE: stdin becomes FILE only if it differs (kube-proxy exits when its config
# file changes under it, so an unchanged config must not be rewritten).
put() {
  cat > "$1.tmp"
  if cmp -s "$1.tmp" "$1"; then rm -f "$1.tmp"; else mv "$1.tmp" "$1"; fi
}

# write_configs: the main node's files. An extra node (nodes.sh node_vars) calls it with
# CONF, CTRD_STATE, CTRD_SOCK, POD_CIDR and NODE_NAME set to its own, plus NODE_STATE
# (its state dir), NODE_ADDR (its IP) and CGROUP_ROOT (its kubelet's cgroup root, which
# must differ per kubelet: each kubelet deletes pod cgroups it does not know).
write_configs() {
  local st=${NODE_STATE:-$ORDINAL_STATE} addr=${NODE_ADDR:-127.0.0.1}
  mkdir -p "$CONF" "$st/cni/net.d" "$st/containerd" "$CTRD_STATE"

  # containerd: private root, state and socket, so a containerd already on the
  # machine is untouched. cgroupfs driver to match the kubelet on this cgroup v1 host.
  put "$CONF/containerd.toml" <<TOML
version = 2
root = "$st/containerd"
state = "$CTRD_STATE"
[grpc]
  address = "$CTRD_SOCK"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$PAUSE_IMAGE"
  disable_hugetlb_controller = true
  tolerate_missing_hugetlb_controller = true
  # This sandbox withholds CAP_SYS_RESOURCE even from root, so the OOM score can
  # only be raised: without this runc fails setting the sandbox's -998 ("can't get
  # final child's PID from pipe"). Clamped to containerd's own score instead.
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$st/cni/net.d"
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false${CGROUP_ROOT:+
        Root = \"$CTRD_STATE/runc\"}
[plugins."io.containerd.internal.v1.opt"]
  path = "$st/containerd/opt"
TOML

  # ipMasq false: pod traffic is never NATed out of the machine (and host.sh drops
  # anything forwarded off the bridge). No DNS here: pods get CoreDNS from the kubelet.
  put "$st/cni/net.d/10-ordinal.conflist" <<JSON
{"cniVersion":"1.0.0","name":"ordinal-pods","plugins":[
 {"type":"bridge","bridge":"$BRIDGE","isGateway":true,"ipMasq":false,"hairpinMode":true,
  "ipam":{"type":"host-local","dataDir":"$st/cni/ipam",
          "ranges":[[{"subnet":"$POD_CIDR"}]],"routes":[{"dst":"0.0.0.0/0"}]}},
 {"type":"portmap","capabilities":{"portMappings":true}}]}
JSON

  put "$CONF/kubelet.yaml" <<YAML
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: $addr
port: 10250
readOnlyPort: 0
# Without CAP_SYS_RESOURCE (withheld here) the kubelet cannot lower its own score.
oomScoreAdj: 0
cgroupDriver: cgroupfs${CGROUP_ROOT:+
cgroupRoot: $CGROUP_ROOT}
failCgroupV1: false
failSwapOn: false
containerRuntimeEndpoint: unix://$CTRD_SOCK
imageServiceEndpoint: unix://$CTRD_SOCK
clusterDNS: [$DNS_IP]
clusterDomain: cluster.local
resolvConf: ""
podLogsDir: $st/pod-logs
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true}
  x509: {clientCAFile: $PKI/ca.crt}
authorization: {mode: Webhook}
rotateCertificates: false
serializeImagePulls: false
evictionHard: {memory.available: 100Mi, nodefs.available: 2%, imagefs.available: 2%, nodefs.inodesFree: 2%}
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
YAML

  put "$CONF/kube-proxy.yaml" <<YAML
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
mode: iptables
clusterCIDR: $CLUSTER_CIDR
hostnameOverride: "$NODE_NAME"
bindAddress: $addr
healthzBindAddress: 127.0.0.1:10256
metricsBindAddress: 127.0.0.1:10249
clientConnection: {kubeconfig: $ORDINAL_STATE/conf/kube-proxy.conf}
conntrack: {maxPerCore: 0, min: 0, tcpEstablishedTimeout: 0s, tcpCloseWaitTimeout: 0s}
YAML

  [ -z "${CGROUP_ROOT:-}" ] || return 0
  put "$CONF/scheduler.yaml" <<YAML
apiVersion: kubescheduler.config.k8s.io/v1
kind: KubeSchedulerConfiguration
clientConnection: {kubeconfig: $CONF/scheduler.conf}
leaderElection: {leaderElect: false}
YAML
}
