#!/usr/bin/env bash
# Provisioner of the ordinal-fixed StorageClass: node-local volumes that are filesystems of
# exactly the claim's size, so a full disk is a real ENOSPC (`--chaos disk-full`) and never
# the node's own disk filling up. Started and recorded by up.sh like local-node.sh; every
# second:
# - a claim of the class that the scheduler has given a node and that has no volume yet
#   gets a sparse file $FIXED_DIR/<node>/<pv>.img of the requested size, formatted ext4
#   (no reserved blocks), attached to a loop device and mounted on $FIXED_DIR/<node>/<pv>,
#   and a `local` PV with that path, pinned to the node;
# - a PV of ours whose claim is gone is unmounted, its loop device detached, its image
#   removed, and the PV deleted.
# `fixed-size.sh detach-all` (cluster:down) unmounts and detaches every volume of ours;
# `fixed-size.sh reattach` mounts again the images of PVs that still exist.
source "$(dirname "$0")/lib.sh"

PROVISIONER=ordinal.dev/fixed-size
FIXED_CLASS=ordinal-fixed
FIXED_DIR=${FIXED_DIR:-$ORDINAL_STATE/fixed-volumes}
# Smaller than this, ext4's own journal and tables leave next to nothing; larger is a
# test of something else (the image is sparse, but a full disk writes all of it).
MIN_BYTES=$((16 * 1024 * 1024))
MAX_BYTES=$((4 * 1024 * 1024 * 1024))

# bytes QUANTITY: a Kubernetes quantity (Ki/Mi/Gi/Ti, k/M/G/T, plain) in bytes, or fails.
bytes() {
  local q=$1
  case $q in
    *[0-9]Ki|*[0-9]Mi|*[0-9]Gi|*[0-9]Ti) numfmt --from=iec-i "$q" ;;
    *[0-9]k) numfmt --from=si "${q%k}K" ;;
    *[0-9]M|*[0-9]G|*[0-9]T) numfmt --from=si "$q" ;;
    *[0-9]) [[ $q =~ ^[0-9]+$ ]] && echo "$q" ;;
    *) return 1 ;;
  esac
}

loop_of() { losetup -n -O NAME -j "$1" 2>/dev/null | head -n1; }

# attach IMG DIR: loop device and mount (idempotent).
attach() {
  local img=$1 dir=$2 dev
  mkdir -p "$dir"
  mountpoint -q "$dir" && return 0
  dev=$(loop_of "$img")
  [ -n "$dev" ] || dev=$(losetup -f --show "$img") || return 1
  # discard: a deleted fill file punches holes back into the sparse image.
  mount -t ext4 -o discard "$dev" "$dir" || { losetup -d "$dev" 2>/dev/null; return 1; }
}

# detach IMG DIR: unmount and detach (idempotent); fails while the mount is busy.
detach() {
  local img=$1 dir=$2 dev
  if mountpoint -q "$dir"; then umount "$dir" || return 1; fi
  dev=$(loop_of "$img")
  [ -z "$dev" ] || losetup -d "$dev"
}

list() {
  kubectl_admin get pvc,pv -A --request-timeout 10s -o jsonpath="{range .items[?(@.spec.storageClassName==\"$FIXED_CLASS\")]}\
{.kind}|{.metadata.namespace}|{.metadata.name}|{.metadata.uid}|{.spec.volumeName}|\
{.metadata.annotations.volume\.kubernetes\.io/selected-node}|{.spec.resources.requests.storage}|\
{.metadata.deletionTimestamp}|{.status.phase}|{.spec.local.path}|{.metadata.annotations.pv\.kubernetes\.io/provisioned-by}{\"\n\"}{end}"
}

provision() {
  local ns=$1 name=$2 uid=$3 node=$4 size=$5 pv=pvc-$3 n
  local dir=$FIXED_DIR/$node/$pv img=$FIXED_DIR/$node/$pv.img
  if ! n=$(bytes "$size") || (( n < MIN_BYTES || n > MAX_BYTES )); then
    log "not provisioning $ns/$name: size $size is not between 16Mi and 4Gi"; return 0
  fi
  mkdir -p "$FIXED_DIR/$node"
  if [ ! -e "$img" ]; then
    if ! { truncate -s "$n" "$img.tmp" && mkfs.ext4 -q -F -m 0 -b 4096 -L ordinal-fixed "$img.tmp" && mv "$img.tmp" "$img"; }; then
      rm -f "$img.tmp"; log "could not make the image for $ns/$name"; return 0
    fi
  fi
  if ! attach "$img" "$dir"; then log "could not attach $img for $ns/$name"; return 0; fi
  chmod 0777 "$dir"; rmdir "$dir/lost+found" 2>/dev/null || true
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
  storageClassName: $FIXED_CLASS
  claimRef: {namespace: "$ns", name: "$name", uid: "$uid"}
  local: {path: "$dir"}
  nodeAffinity:
    required:
      nodeSelectorTerms:
        - matchExpressions: [{key: kubernetes.io/hostname, operator: In, values: ["$node"]}]
YAML
  log "provisioned $pv for $ns/$name on node $node: $size ext4 on $(loop_of "$img") at $dir"
}

release() {
  local pv=$1 dir=$2
  case $dir in "$FIXED_DIR"/*/"$pv") ;; *) log "not removing $dir for $pv: not ours"; return 0 ;; esac
  # Busy while the kubelet still has it bind-mounted into a pod: tried again next second.
  detach "$dir.img" "$dir" 2>/dev/null || return 0
  rm -f "$dir.img"; rmdir "$dir" 2>/dev/null || true
  kubectl_admin delete pv "$pv" --wait=false >/dev/null 2>&1 && log "deleted $pv, its loop device and image"
}

# Every PV of ours whose image is still here is mounted again (a provisioner restart, a reboot).
reattach() {
  local kind ns name uid vol node size deleting phase path by
  while IFS='|' read -r kind ns name uid vol node size deleting phase path by; do
    if [ "$kind" = PersistentVolume ] && [ "$by" = "$PROVISIONER" ] && [ -e "$path.img" ]; then
      attach "$path.img" "$path" || log "could not mount $path.img again"
    fi
  done < <(list 2>/dev/null || true)
}

# Unmounts (lazily when busy) and detaches every volume under $FIXED_DIR.
detach_all() {
  local m dev file
  findmnt -rn -o TARGET | awk -v p="$FIXED_DIR/" 'index($0, p) == 1' | sort -r | while read -r m; do
    umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || log "could not unmount $m"
  done
  losetup -n -l -O NAME,BACK-FILE 2>/dev/null | while read -r dev file; do
    case $file in "$FIXED_DIR"/*) losetup -d "$dev" && log "detached $dev ($file)" ;; esac
  done
}

case ${1:-run} in
  detach-all) detach_all; exit 0 ;;
  reattach) reattach; exit 0 ;;
  run) ;;
  *) die "usage: fixed-size.sh [run|reattach|detach-all]" ;;
esac

trap 'log "fixed-size provisioner: stopping"; exit 0' TERM INT
log "fixed-size provisioner: class $FIXED_CLASS, images and mounts under $FIXED_DIR"
reattach
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
