# shellcheck shell=bash
# OCI images without Docker: umoci builds the image from a root filesystem a filler
# function populates, skopeo writes it as a docker-archive tarball that
# `ctr images import` takes. Used by images.sh (the cluster's images) and
# bench/upstream-e2e/images.sh (stand-ins for the upstream e2e images). Sourced after lib.sh.

IMG_DIR=$ORDINAL_CACHE/images
mkdir -p "$IMG_DIR"

# build_image NAME REF KEY ROOTFS_FILLER [umoci config args...]: the tarball's path on
# stdout; its name includes KEY, and an existing tarball is reused as it is.
build_image() {
  local name=$1 ref=$2 key=$3 filler=$4; shift 4
  local tar="$IMG_DIR/$name-$key.tar"
  if [ -s "$tar" ]; then echo "$tar"; return; fi
  local work; work=$(mktemp -d)
  (
    cd "$work" || exit 2
    umoci init --layout oci >/dev/null
    umoci new --image "oci:$name" >/dev/null
    umoci unpack --rootless --image "oci:$name" bundle >/dev/null 2>&1 || umoci unpack --image "oci:$name" bundle >/dev/null
    "$filler" bundle/rootfs
    umoci repack --image "oci:$name" bundle >/dev/null
    umoci config --image "oci:$name" --author ordinal --os linux --architecture amd64 "$@" >/dev/null
    skopeo --insecure-policy copy --quiet "oci:oci:$name" "docker-archive:$tar.tmp:$ref" >/dev/null
  )
  rm -rf "$work"
  mv "$tar.tmp" "$tar"
  echo "$tar"
}

# fill_busybox ROOTFS: Debian's static busybox with every applet linked, root and nobody.
fill_busybox() {
  mkdir -p "$1/bin" "$1/tmp" "$1/etc" "$1/var/www"
  cp /bin/busybox "$1/bin/busybox"
  local a; for a in $(/bin/busybox --list); do [ "$a" = busybox ] || ln -sf busybox "$1/bin/$a"; done
  echo 'root:x:0:0:root:/root:/bin/sh' > "$1/etc/passwd"
  echo 'nobody:x:65534:65534:nobody:/:/bin/false' >> "$1/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' > "$1/etc/group"
}
