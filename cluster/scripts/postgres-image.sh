#!/usr/bin/env bash
# Builds the PostgreSQL image of the `--workload postgres` sample (lib/workloads/postgres.ts)
# from this machine's Debian packages, without Docker (umoci + skopeo, as images.sh does):
# the server and client programs of postgresql-15 (/usr/lib/postgresql/15), its share
# directory, the time zone data, the shared libraries they load (from ldd), and Debian's
# static busybox for the shell the sample's script, probes and sentinel need. A `postgres`
# user (uid 999, as the public image has) runs the server; the container starts as root
# only to hand it the volume.
#
#   postgres-image.sh            build (or reuse) it; print the docker-archive tarball path
#   postgres-image.sh --import   also import it into every node's containerd
#
# Tagged $POSTGRES_IMAGE (lib.sh): a public-looking name with an -ordinal suffix, so it is
# never mistaken for the upstream image. Cached in $ORDINAL_CACHE/images under the
# package version and a key of every file that goes in.
source "$(dirname "$0")/lib.sh"
source "$CLUSTER_DIR/scripts/oci.sh"
log() { printf '[postgres-image %4ss] %s\n' "$(( $(date +%s) - T0 ))" "$*" >&2; }

PG_MAJOR=15
PG_LIB=/usr/lib/postgresql/$PG_MAJOR
PG_SHARE=/usr/share/postgresql/$PG_MAJOR
ZONES=/usr/share/zoneinfo
if [ ! -x "$PG_LIB/bin/postgres" ] || [ ! -x "$PG_LIB/bin/pg_basebackup" ] || [ ! -d "$ZONES" ]; then
  # The build installs what it lacks (Debian's packages, from the configured mirror).
  log "installing postgresql-$PG_MAJOR and tzdata (apt-get)"
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "postgresql-$PG_MAJOR" tzdata; } >&2 ||
    die "postgresql-$PG_MAJOR is not installed and apt-get could not install it"
fi
[ -x /bin/busybox ] || die "missing /bin/busybox (Debian package busybox-static)"
PG_VERSION=$(dpkg-query -W -f '${Version}' "postgresql-$PG_MAJOR" 2>/dev/null) || PG_VERSION=$("$PG_LIB/bin/postgres" --version | awk '{print $3}')

libs() { ldd "$@" 2>/dev/null | awk '/=> \// {print $3} /^\t\/[^ ]+ \(/ {print $1}' | sort -u; }
# Every ELF file of the package: the programs and the server's loadable modules, but the
# JIT provider (llvmjit.so, its bitcode and libLLVM: ~130 MB for a feature the sample turns off).
elves() { find "$PG_LIB" -type f \( -path '*/bin/*' -o -name '*.so' \) ! -name 'llvmjit*' | LC_ALL=C sort; }

# By version and content: the package version in the name, a hash of the files in the key.
key=v$PG_VERSION-$( {
  echo "$POSTGRES_IMAGE"
  sha256sum < "$CLUSTER_DIR/scripts/postgres-image.sh"
  sha256sum < /bin/busybox
  elves | xargs sha256sum
  elves | xargs ldd 2>/dev/null | awk '/=> \// {print $3} /^\t\/[^ ]+ \(/ {print $1}' | sort -u | xargs sha256sum
} | sha256sum | cut -c1-12)

fill_postgres() {
  local root=$1 f
  fill_busybox "$root"
  chmod 1777 "$root/tmp"
  mkdir -p "$root$PG_LIB" "$root$(dirname "$PG_SHARE")" "$root/usr/share" "$root/var/lib/postgresql" "$root/var/run/postgresql"
  cp -a "$PG_LIB/." "$root$PG_LIB/"
  rm -rf "$root$PG_LIB/lib/bitcode" "$root$PG_LIB"/lib/llvmjit*
  cp -a "$PG_SHARE" "$root$PG_SHARE"
  cp -a "$ZONES" "$root/usr/share/"
  # Debian's share directory links to files of postgresql-common (e.g. the sample configs): resolved.
  find "$root$PG_SHARE" -xtype l -delete
  local -a files
  mapfile -t files < <(elves)
  libs "${files[@]}" | while read -r f; do mkdir -p "$root$(dirname "$f")"; cp -L "$f" "$root$f"; done
  echo 'postgres:x:999:999:PostgreSQL:/var/lib/postgresql:/bin/sh' >> "$root/etc/passwd"
  echo 'postgres:x:999:' >> "$root/etc/group"
  chown 999:999 "$root/var/lib/postgresql" "$root/var/run/postgresql"
  # Proof that the file set is complete: initdb and the server run with nothing but it
  # (and a /dev/null, which the container runtime provides in a pod).
  mkdir -p "$root/dev" && mknod -m 666 "$root/dev/null" c 1 3
  local out
  out=$(chroot "$root" /bin/su postgres -s /bin/sh -c "$PG_LIB/bin/initdb -D /tmp/proof --no-locale -E UTF8 -U postgres && $PG_LIB/bin/postgres --version && $PG_LIB/bin/psql --version" 2>&1) ||
    { printf '%s\n' "$out" >&2; die "the image's files do not run initdb on their own (chroot $root)"; }
  rm -rf "$root/tmp/proof" "$root/dev/null"
}

tar=$IMG_DIR/postgres-$key.tar
# One build and import at a time: parallel fault specs each ask for the image at their start.
command -v flock >/dev/null || die "missing flock (Debian package util-linux)"
exec 9>"$IMG_DIR/postgres-image.lock"
flock -w 300 9 || die "another postgres-image.sh held $IMG_DIR/postgres-image.lock for over 300 s"
if [ -s "$tar" ]; then
  log "image $POSTGRES_IMAGE: cached ($tar)"
else
  log "building $POSTGRES_IMAGE from postgresql-$PG_MAJOR $PG_VERSION"
  tar=$(build_image postgres "$POSTGRES_IMAGE" "$key" fill_postgres \
    --config.cmd postgres --config.env "PATH=$PG_LIB/bin:/bin" --config.env TZ=UTC --config.env PGDATA=/var/lib/postgresql/data/pgdata \
    --config.exposedports 5432/tcp \
    --config.label org.opencontainers.image.title=postgres --config.label "org.opencontainers.image.version=$PG_VERSION")
  [ -s "$tar" ] || die "building $POSTGRES_IMAGE failed (output above)"
  # A new package version or script makes a new key: keep the two newest.
  find "$IMG_DIR" -maxdepth 1 -name 'postgres-*.tar' -printf '%T@ %p\n' | sort -rn | tail -n +3 | cut -d' ' -f2- | xargs -r rm -f
  log "image $POSTGRES_IMAGE: $tar ($(du -h "$tar" | cut -f1))"
fi
if [ "${1:-}" = --import ]; then
  n=0
  while read -r sock; do
    timeout 120 ctr --address "$sock" -n k8s.io images import "$tar" >/dev/null || die "importing $tar into $sock failed or took over 120 s"
    n=$((n + 1))
  done < <(cluster_ctrd_socks)
  log "imported $POSTGRES_IMAGE into $n containerd(s)"
fi
echo "$tar"
