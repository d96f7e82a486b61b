#!/usr/bin/env bash
# Builds the node agent's image (examples/agent.yaml): Ordinal's own image
# (ordinal-image.sh) plus one layer with what the agent runs inside pods' network
# namespaces, taken from this machine's Debian packages: iptables (xtables-nft-multi and
# its extensions), iproute2 (ip, tc), util-linux's nsenter, and the libraries they load.
# It runs as root: the DaemonSet is privileged with hostPID (the harness never is).
#
#   agent-image.sh            build (or reuse) it; print the docker-archive tarball path
#   agent-image.sh --import   also import it, and Ordinal's own image (the in-cluster
#                             history client of --traffic register|set|bank), into every
#                             node's containerd: a fresh cluster:up can run traffic at once
source "$(dirname "$0")/lib.sh"
log() { printf '[agent-image %4ss] %s\n' "$(( $(date +%s) - T0 ))" "$*" >&2; }

REPO=$(cd "$CLUSTER_DIR/.." && pwd)
VERSION=$("$REPO/node_modules/.bin/node" -p "require('$REPO/package.json').version")
REF=${ORDINAL_AGENT_IMAGE_REF:-ghcr.io/ordinal-sts/ordinal-agent:$VERSION}
XT=/usr/lib/x86_64-linux-gnu/xtables
BINS=(/usr/sbin/xtables-nft-multi /usr/bin/nsenter /usr/sbin/ip /usr/sbin/tc)
for b in "${BINS[@]}"; do [ -x "$b" ] || die "missing $b (Debian packages iptables, iproute2, util-linux)"; done
[ -d "$XT" ] || die "missing $XT (Debian package iptables)"

base=$(bash "$CLUSTER_DIR/scripts/ordinal-image.sh" "${1:-}") || die "building Ordinal's image failed (output above)"
libs() { ldd "$@" 2>/dev/null | awk '/=> \// {print $3} /^\t\/[^ ]+ \(/ {print $1}' | sort -u; }
# Named node-agent-*, not ordinal-*: ordinal-image.sh prunes ordinal-*.tar to its three newest.
key=$({ echo "$REF"; sha256sum < "$base"; sha256sum < "$CLUSTER_DIR/scripts/agent-image.sh"; sha256sum "${BINS[@]}" "$XT"/*.so; } | sha256sum | cut -c1-12)
tar=$ORDINAL_CACHE/images/node-agent-$VERSION-$key.tar

if [ -s "$tar" ]; then
  log "image $REF: cached ($tar)"
else
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  (
    cd "$work"
    skopeo --insecure-policy copy --quiet "docker-archive:$base" oci:oci:agent >/dev/null
    umoci unpack --rootless --image oci:agent bundle >/dev/null 2>&1 || umoci unpack --image oci:agent bundle >/dev/null
    root=bundle/rootfs
    mkdir -p "$root/usr/sbin" "$root/usr/bin" "$root$XT" "$root/var/lib/ordinal-agent"
    cp /usr/sbin/xtables-nft-multi /usr/sbin/ip /usr/sbin/tc "$root/usr/sbin/"
    cp /usr/bin/nsenter "$root/usr/bin/"
    for n in iptables iptables-save iptables-restore; do ln -sf xtables-nft-multi "$root/usr/sbin/$n"; done
    cp -a "$XT"/. "$root$XT/"
    libs "${BINS[@]}" "$XT"/*.so | while read -r l; do mkdir -p "$root$(dirname "$l")"; cp -L "$l" "$root$l"; done
    # Proof that the layer is complete: iptables lists its own rules inside the new root.
    chroot "$root" /usr/sbin/iptables -V >/dev/null || exit 3
    chroot "$root" /usr/bin/nsenter --version >/dev/null || exit 3
    umoci repack --image oci:agent bundle >/dev/null
    umoci config --image oci:agent --author ordinal --os linux --architecture amd64 \
      --config.entrypoint /usr/local/bin/node --config.entrypoint /app/bin/ordinal.js --config.cmd agent \
      --config.user 0:0 --config.workingdir / \
      --config.env PATH=/usr/local/bin:/usr/sbin:/usr/bin --config.env HOME=/tmp --config.env NODE_ENV=production \
      --config.label "org.opencontainers.image.title=ordinal-agent" --config.label "org.opencontainers.image.version=$VERSION" >/dev/null
    skopeo --insecure-policy copy --quiet oci:oci:agent "docker-archive:$tar.tmp.$$:$REF" >/dev/null
  ) || die "building the agent image failed (output above)"
  mv "$tar.tmp.$$" "$tar"
  find "$ORDINAL_CACHE/images" -maxdepth 1 -name 'node-agent-*.tar' -printf '%T@ %p\n' | sort -rn | tail -n +3 | cut -d' ' -f2- | xargs -r rm -f
  log "image $REF: $tar ($(du -h "$tar" | cut -f1))"
fi
if [ "${1:-}" = --import ]; then
  n=0
  while read -r sock; do
    timeout 120 ctr --address "$sock" -n k8s.io images import "$tar" >/dev/null || die "importing $tar into $sock failed or took over 120 s"
    n=$((n + 1))
  done < <(cluster_ctrd_socks)
  log "imported $REF into $n containerd(s)"
fi
echo "$tar"
