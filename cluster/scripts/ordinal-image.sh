#!/usr/bin/env bash
# Builds the OCI image of Ordinal itself, without Docker (umoci + skopeo, as images.sh
# does for the cluster's images): Node 24 from the `node` npm package in node_modules,
# the shared libraries that binary loads (from ldd), the built JavaScript (dist/, bin/,
# package.json) and the production dependencies exactly as installed. Nothing else: no
# shell, no package manager, no TypeScript sources.
#
#   ordinal-image.sh            build (or reuse) it; print the docker-archive tarball path
#   ordinal-image.sh --import   also import it into the local cluster's containerd
#
# Tagged $ORDINAL_IMAGE_REF, default ghcr.io/ordinal-sts/ordinal:<package version>. The
# tarball is cached in $ORDINAL_CACHE/images under a key of the image's whole content.
source "$(dirname "$0")/lib.sh"
# Progress on stderr: stdout carries only the tarball path, for $(npm run --silent image).
log() { printf '[image %4ss] %s\n' "$(( $(date +%s) - T0 ))" "$*" >&2; }

REPO=$(cd "$CLUSTER_DIR/.." && pwd)
IMG_DIR=$ORDINAL_CACHE/images
NODE_PKG_BIN=$REPO/node_modules/.bin/node
[ -x "$NODE_PKG_BIN" ] || die "no $NODE_PKG_BIN: run 'npm install' first (the image carries Node from the node package)"
NODE_REAL=$(readlink -f "$NODE_PKG_BIN")
NODE_VERSION=$("$NODE_REAL" --version)
case $NODE_VERSION in v24.*) ;; *) die "the node package gives $NODE_VERSION; the image is built on Node 24" ;; esac
VERSION=$("$NODE_REAL" -p "require('$REPO/package.json').version")
REF=${ORDINAL_IMAGE_REF:-ghcr.io/ordinal-sts/ordinal:$VERSION}
for c in umoci skopeo ldd strip; do command -v "$c" >/dev/null || die "missing $c (run 'npm run cluster:up' once, or: bash cluster/scripts/deps.sh ensure cluster)"; done

# The shared libraries node loads (ldd: "name => /path (addr)" and the loader "/path (addr)").
node_libs() { ldd "$NODE_REAL" | awk '/=> \// {print $3} /^\t\/[^ ]+ \(/ {print $1}'; }

# Keyed by every input: this script, the tag, the sources and build config, the
# installed dependency tree (npm's node_modules/.package-lock.json), Node and its libs.
# A hit skips the build entirely.
inputs() {
  echo "$REF"
  (cd "$REPO" && find lib -name '*.ts' -print0 | LC_ALL=C sort -z | xargs -0 sha256sum)
  (cd "$REPO" && sha256sum bin/ordinal.js package.json package-lock.json tsconfig.json tsconfig.build.json node_modules/.package-lock.json)
  # By content only: the same image from any clone is the same cache entry.
  sha256sum < "$CLUSTER_DIR/scripts/ordinal-image.sh"
  sha256sum < "$NODE_REAL"
  node_libs | xargs sha256sum
}
key=$(inputs | sha256sum | cut -c1-12)
mkdir -p "$IMG_DIR"
tar=$IMG_DIR/ordinal-$VERSION-$key.tar

import() {
  [ "${1:-}" = --import ] || return 0
  [ -S "$CTRD_SOCK" ] || die "the local cluster's containerd is not running ($CTRD_SOCK): npm run cluster:up"
  local sock n=0
  while read -r sock; do
    timeout 120 ctr --address "$sock" -n k8s.io images import "$tar" >/dev/null || die "importing $tar into $sock failed or took over 120 s"
    n=$((n + 1))
  done < <(cluster_ctrd_socks)
  log "imported $REF into the local cluster's $n containerd(s) (every node)"
}
if [ -s "$tar" ]; then
  log "image $REF: cached ($tar)"
  import "${1:-}"
  echo "$tar"
  exit 0
fi

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
root=$stage/rootfs
mkdir -p "$root/app/node_modules" "$root/usr/local/bin" "$root/etc" "$root/tmp" "$root/reports"

log "building the JavaScript (tsc -p tsconfig.build.json, as npm run build)"
(cd "$REPO" && "$NODE_REAL" node_modules/typescript/bin/tsc -p tsconfig.build.json --outDir "$root/app/dist") ||
  die "tsc -p tsconfig.build.json failed (output above)"
cp -a "$REPO/bin" "$REPO/package.json" "$root/app/"

# Production dependencies as installed from the lockfile: every package entry npm did
# not mark dev (nested ones included), each copied without its own node_modules, which
# holds further entries of the list.
"$NODE_REAL" -e '
  const lock = require(process.argv[1]);
  for (const [key, p] of Object.entries(lock.packages))
    if (key && !p.dev && !p.link) console.log((p.optional ? "optional " : "required ") + key);
' "$REPO/package-lock.json" | while read -r need rel; do
  if [ ! -d "$REPO/$rel" ]; then
    [ "$need" = optional ] && continue
    die "$rel is in package-lock.json but not installed: run 'npm install'"
  fi
  mkdir -p "$root/app/$rel"
  find "$REPO/$rel/" -mindepth 1 -maxdepth 1 ! -name node_modules -exec cp -a {} "$root/app/$rel/" \;
done
rm -rf "$root/app/node_modules/.bin"
# Type declarations and source maps are for editors and debuggers, not for node (~55 MB).
find "$root/app/node_modules" -type f \( -name '*.map' -o -name '*.d.ts' -o -name '*.d.mts' -o -name '*.d.cts' \) -delete

# Node and what it needs at run time. The binary ships with debug info; stripped
# (126 -> 108 MB) it runs the same.
strip -o "$root/usr/local/bin/node" "$NODE_REAL"
node_libs | while read -r lib; do
  mkdir -p "$root$(dirname "$lib")"
  cp -L "$lib" "$root$lib"
done

# Non-root by default; /reports is where the examples mount the reports claim.
printf 'root:x:0:0:root:/root:/sbin/nologin\nordinal:x:65532:65532:ordinal:/tmp:/sbin/nologin\nnobody:x:65534:65534:nobody:/:/sbin/nologin\n' > "$root/etc/passwd"
printf 'root:x:0:\nordinal:x:65532:\nnogroup:x:65534:\n' > "$root/etc/group"
chmod 1777 "$root/tmp"
chown 65532:65532 "$root/reports"
# Proof that the file set is complete: the CLI runs with nothing but it (a chroot).
chroot "$root" /usr/local/bin/node /app/bin/ordinal.js checks >/dev/null ||
  die "the image's files do not run 'ordinal checks' on their own (chroot $root)"

log "packing image $REF ($(du -sh "$root" | cut -f1) of files: node $NODE_VERSION, $(find "$root/app/node_modules" -name package.json -path '*/node_modules/*/package.json' -not -path '*/node_modules/*/*/*/package.json' | wc -l) dependency packages)"
(
  cd "$stage"
  umoci init --layout oci >/dev/null
  umoci new --image oci:ordinal >/dev/null
  umoci unpack --rootless --image oci:ordinal bundle >/dev/null 2>&1 || umoci unpack --image oci:ordinal bundle >/dev/null
  cp -a rootfs/. bundle/rootfs/
  umoci repack --image oci:ordinal bundle >/dev/null
  umoci config --image oci:ordinal --author ordinal --os linux --architecture amd64 \
    --config.entrypoint /usr/local/bin/node --config.entrypoint /app/bin/ordinal.js --config.cmd --help \
    --config.user 65532:65532 --config.workingdir /reports \
    --config.env PATH=/usr/local/bin --config.env HOME=/tmp --config.env NODE_ENV=production \
    --config.label "org.opencontainers.image.title=ordinal" --config.label "org.opencontainers.image.version=$VERSION" >/dev/null
  skopeo --insecure-policy copy --quiet oci:oci:ordinal "docker-archive:$tar.tmp.$$:$REF" >/dev/null
) || die "packing the image failed (output above)"
mv "$tar.tmp.$$" "$tar"
# Every source change makes a new key: keep the three newest image tarballs.
find "$IMG_DIR" -maxdepth 1 -name 'ordinal-*.tar' -printf '%T@ %p\n' | sort -rn | tail -n +4 | cut -d' ' -f2- | xargs -r rm -f
log "image $REF: $tar ($(du -h "$tar" | cut -f1))"
import "${1:-}"
echo "$tar"
