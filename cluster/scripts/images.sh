#!/usr/bin/env bash
# Builds the images the cluster needs (pause, busybox, coredns, etcd, postgres) from Debian's
# packages and our own binaries, as docker-archive tarballs cached by content key,
# and imports them into the cluster's containerd. No registry is ever contacted.
source "$(dirname "$0")/lib.sh"
source "$CLUSTER_DIR/scripts/oci.sh"

fill_pause() { cp "$PAUSE_BIN" "$1/pause"; }
# Upstream's etcd image holds etcd, etcdctl and etcdutl in /usr/local/bin and a shell; ours
# holds the cluster's own etcd, etcdctl and a static busybox (sh for the probes, rm, ls).
fill_etcd() {
  fill_busybox "$1"
  mkdir -p "$1/usr/local/bin" "$1/var/lib/etcd"
  cp "$K8S_BIN/etcd" "$ETCDCTL_BIN/etcdctl" "$1/usr/local/bin/"
}
# The same busybox under a second public tag, with one file more so its image ID differs:
# `ordinal run --update image` changes the container to it (imagePullPolicy IfNotPresent).
fill_busybox2() { fill_busybox "$1"; echo "$BUSYBOX2_IMAGE" > "$1/etc/ordinal-image"; }
fill_coredns() { cp "$ORDINAL_CACHE/bin/$(coredns_key)/coredns" "$1/coredns"; }

build_all() {
  # Keyed by the source's content (a fresh clone's mtimes say nothing).
  PAUSE_BIN=$ORDINAL_CACHE/bin/pause-$(sha256sum "$CLUSTER_DIR/images/pause.c" | cut -c1-12)
  if [ ! -x "$PAUSE_BIN" ]; then
    log "compiling pause (gcc -static)"
    mkdir -p "$ORDINAL_CACHE/bin"
    gcc -Os -static -o "$PAUSE_BIN.tmp" "$CLUSTER_DIR/images/pause.c"
    strip "$PAUSE_BIN.tmp"
    mv "$PAUSE_BIN.tmp" "$PAUSE_BIN"
  fi
  local pkey bkey ckey ekey
  pkey=$(sha256sum "$PAUSE_BIN" | cut -c1-12)
  bkey=$(sha256sum /bin/busybox | cut -c1-12)
  ckey=$(coredns_key)
  [ -x "$ETCDCTL_BIN/etcdctl" ] || bash "$CLUSTER_DIR/scripts/build.sh" etcdctl >&2
  ekey=v$ETCD_VERSION-$(cat "$K8S_BIN/etcd" "$ETCDCTL_BIN/etcdctl" /bin/busybox | sha256sum | cut -c1-12)
  PAUSE_TAR=$(build_image pause "$PAUSE_IMAGE" "$pkey" fill_pause \
    --config.entrypoint /pause --config.user 65535:65535)
  BUSYBOX_TAR=$(build_image busybox "$BUSYBOX_IMAGE" "$bkey" fill_busybox \
    --config.cmd sh --config.env PATH=/bin)
  BUSYBOX2_TAR=$(build_image busybox2 "$BUSYBOX2_IMAGE" "$bkey" fill_busybox2 \
    --config.cmd sh --config.env PATH=/bin)
  COREDNS_TAR=$(build_image coredns "$COREDNS_IMAGE" "$ckey" fill_coredns \
    --config.entrypoint /coredns)
  ETCD_TAR=$(build_image etcd "$ETCD_IMAGE" "$ekey" fill_etcd \
    --config.cmd /usr/local/bin/etcd --config.env PATH=/usr/local/bin:/bin \
    --config.exposedports 2379/tcp --config.exposedports 2380/tcp)
  # The postgres sample's image (its own script: also run alone by the postgres specs).
  POSTGRES_TAR=$(bash "$CLUSTER_DIR/scripts/postgres-image.sh")
  log "images built: $(basename "$PAUSE_TAR") $(basename "$BUSYBOX_TAR") $(basename "$BUSYBOX2_TAR") $(basename "$COREDNS_TAR") $(basename "$ETCD_TAR") $(basename "$POSTGRES_TAR")"
}

# import_all SOCKET: into one node's containerd.
import_all() {
  local t sock=$1
  for t in "$PAUSE_TAR" "$BUSYBOX_TAR" "$BUSYBOX2_TAR" "$COREDNS_TAR" "$ETCD_TAR" "$POSTGRES_TAR"; do
    ctr --address "$sock" -n k8s.io images import "$t" >/dev/null
  done
  log "images imported into containerd ($sock): $PAUSE_IMAGE $BUSYBOX_IMAGE $BUSYBOX2_IMAGE $COREDNS_IMAGE $ETCD_IMAGE $POSTGRES_IMAGE"
}

build_all
# import [SOCKET]: one node's containerd, or every running one (an image added later
# reaches the extra nodes on the next cluster:up, not only when their containerd restarts).
if [ "${1:-}" = import ]; then
  if [ -n "${2:-}" ]; then import_all "$2"; else for s in $(cluster_ctrd_socks); do import_all "$s"; done; fi
fi
