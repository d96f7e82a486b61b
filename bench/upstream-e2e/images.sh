#!/usr/bin/env bash
# Local stand-ins for the images the upstream [sig-apps] StatefulSet specs use
# (k8s.io/kubernetes test/utils/image/manifest.go), tagged with the exact upstream names
# so the unmodified e2e.test runs with its default imagePullPolicy (IfNotPresent) and no
# registry is ever contacted:
#   registry.k8s.io/e2e-test-images/httpd:2.4.38-4    imageutils.Httpd (every spec's pods)
#   registry.k8s.io/e2e-test-images/httpd:2.4.39-4    imageutils.HttpdNew (the update specs)
#   registry.k8s.io/e2e-test-images/busybox:1.37.0-1  imageutils.BusyBox (failing-container sidecar)
#   registry.k8s.io/pause:3.10.1                      imageutils.Pause (patch spec): the cluster's pause
# The httpd stand-in is busybox httpd serving /usr/local/apache2/htdocs (the upstream
# DocumentRoot, whose index.html the specs move away to break readiness) on port 80, under
# a small sh init that exits on SIGTERM as Apache does (busybox httpd as PID 1 ignores it,
# so every delete would wait out the 30 s grace period). The two httpd tags differ by a
# VERSION file, so an update really changes the image.
#
#   images.sh           build (or reuse) the tarballs, cached in $ORDINAL_CACHE/images
#   images.sh import    also import them into every containerd of the local cluster
#                       (the main node's and each extra node's)
source "$(dirname "$0")/common.sh"
source "$CLUSTER_DIR/scripts/oci.sh"
for c in umoci skopeo ctr; do command -v "$c" >/dev/null || die "missing $c (npm run cluster:up installs it)"; done

HTTPD_VERSION=
fill_httpd() {
  fill_busybox "$1"
  chmod 1777 "$1/tmp"
  mkdir -p "$1/usr/local/apache2/htdocs" "$1/usr/local/apache2/bin"
  echo '<html><body><h1>It works!</h1></body></html>' > "$1/usr/local/apache2/htdocs/index.html"
  cat > "$1/usr/local/apache2/bin/httpd-foreground" <<'SH'
#!/bin/sh
trap 'exit 0' TERM INT
httpd -f -p 80 -h /usr/local/apache2/htdocs &
wait
SH
  chmod 755 "$1/usr/local/apache2/bin/httpd-foreground"
  echo "$HTTPD_VERSION" > "$1/usr/local/apache2/VERSION"
}
fill_e2e_busybox() { fill_busybox "$1"; chmod 1777 "$1/tmp"; }

# Keyed by the busybox binary and this script (which holds the fillers).
key=$(cat /bin/busybox "$0" | sha256sum | cut -c1-12)
HTTPD_CONFIG=(--config.env PATH=/usr/local/apache2/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
  --config.env HTTPD_PREFIX=/usr/local/apache2 --config.workingdir /usr/local/apache2
  --config.exposedports 80/tcp --config.cmd httpd-foreground)
TARS=()
for HTTPD_VERSION in 2.4.38-4 2.4.39-4; do
  TARS+=("$(build_image "e2e-httpd-$HTTPD_VERSION" "registry.k8s.io/e2e-test-images/httpd:$HTTPD_VERSION" "$key" fill_httpd "${HTTPD_CONFIG[@]}")")
done
TARS+=("$(build_image e2e-busybox-1.37.0-1 registry.k8s.io/e2e-test-images/busybox:1.37.0-1 "$key" fill_e2e_busybox \
  --config.env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin --config.cmd sh)")
log "stand-in images: $(for t in "${TARS[@]}"; do basename "$t"; done | tr '\n' ' ')"
[ "${1:-}" = import ] || exit 0

# Every containerd of the cluster: the main node's, then each extra node's (cluster:up
# --nodes N runs one per node namespace, under $NODES_RUN/n<I>/).
mapfile -t socks < <(cluster_ctrd_socks)
[ -S "$CTRD_SOCK" ] || die "the local cluster's containerd is not running ($CTRD_SOCK): npm run cluster:up"
for s in "${socks[@]}"; do
  for t in "${TARS[@]}"; do
    timeout 120 ctr --address "$s" -n k8s.io images import "$t" >/dev/null || die "importing $t into $s failed or took over 120 s"
  done
  timeout 30 ctr --address "$s" -n k8s.io images tag --force "$PAUSE_IMAGE" registry.k8s.io/pause:3.10.1 >/dev/null ||
    die "tagging $PAUSE_IMAGE as registry.k8s.io/pause:3.10.1 in $s failed (is the cluster's pause image imported there?)"
done
log "imported into ${#socks[@]} containerd(s): httpd:2.4.38-4 httpd:2.4.39-4 busybox:1.37.0-1, and $PAUSE_IMAGE tagged registry.k8s.io/pause:3.10.1"
