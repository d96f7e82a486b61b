#!/usr/bin/env bash
# Provisioner of the local-node StorageClass (started and recorded by up.sh, a host
# process like the rest of the cluster; no registry is needed). Every second:
# - a claim of the class that the scheduler has given a node (WaitForFirstConsumer sets
#   volume.kubernetes.io/selected-node) and that has no volume yet gets a directory
#   $VOLUMES_DIR/<node>/<pv> and a PV pre-bound to it, with a `local` source and
#   nodeAffinity on that node's hostname, so the claim can only ever be used there;
# - a PV of ours whose claim is gone (Released or Failed) is removed with its directory.
source "$(dirname "$0")/lib.sh"

PROVISIONER=ordinal.dev/local-node
trap 'log "local-node provisioner: stopping"; exit 0' TERM INT

list() {
  kubectl_admin get pvc,pv -A --request-timeout 10s -o jsonpath="{range .items[?(@.spec.storageClassName==\"$LOCAL_NODE_CLASS\")]}\
{.kind}|{.metadata.namespace}|{.metadata.name}|{.metadata.uid}|{.spec.volumeName}|\
{.metadata.annotations.volume\.kubernetes\.io/selected-node}|{.spec.resources.requests.storage}|\
{.metadata.deletionTimestamp}|{.status.phase}|{.spec.local.path}|{.metadata.annotations.pv\.kubernetes\.io/provisioned-by}{\"\n\"}{end}"
}

provision() {
  local ns=$1 name=$2 uid=$3 node=$4 size=$5 pv=pvc-$3
  local dir=$VOLUMES_DIR/$node/$pv
  mkdir -p "$dir" && chmod 0777 "$dir"
  kubectl_admin apply -f - >/dev/null <<YAML || { log "could not create $pv for $ns/$name"; return 0; }
apiVersion: v1
kind: PersistentVolume
metadata:
  name: $pv
  annotations: {pv.kubernetes.io/provisioned-by: $PROVISIONER}
spec:
  capacity: {storage: "$size"}
  accessModes: [ReadWriteOnce]
  persistentVolumeReclaimPolicy: Delete
  storageClassName: $LOCAL_NODE_CLASS
  claimRef: {namespace: "$ns", name: "$name", uid: "$uid"}
  local: {path: "$dir"}
  nodeAffinity:
    required:
      nodeSelectorTerms:
        - matchExpressions: [{key: kubernetes.io/hostname, operator: In, values: ["$node"]}]
YAML
  log "provisioned $pv for $ns/$name on node $node ($dir)"
}

release() {
  local pv=$1 path=$2
  case $path in "$VOLUMES_DIR"/*/"$pv") rm -rf "$path" ;; *) log "not removing $path for $pv: not ours" ;; esac
  kubectl_admin delete pv "$pv" --wait=false >/dev/null 2>&1 && log "deleted $pv and its directory"
}

log "local-node provisioner: class $LOCAL_NODE_CLASS, volumes under $VOLUMES_DIR"
while true; do
  while IFS='|' read -r kind ns name uid vol node size deleting phase path by; do
    if [ "$kind" = PersistentVolumeClaim ] && [ -z "$vol" ] && [ -n "$node" ] && [ -z "$deleting" ]; then
      provision "$ns" "$name" "$uid" "$node" "$size"
    elif [ "$kind" = PersistentVolume ] && [ "$by" = "$PROVISIONER" ] && { [ "$phase" = Released ] || [ "$phase" = Failed ]; }; then
      release "$name" "$path"
    fi
  done < <(list 2>/dev/null || true)
  sleep 1 & wait $!
done
