#!/usr/bin/env bash
# The Debian packages the local cluster, the browser tests and the lint need: find the missing
# ones and install them when we may (root with apt-get), otherwise name them and exit 2.
#
#   deps.sh missing GROUP            print the missing packages of GROUP, one line (empty: none)
#   deps.sh ensure GROUP [--dry-run] install what is missing (--dry-run: say what would run)
#
# GROUP is `cluster` (what up.sh and the image build run), `browser` (Chromium for
# test/browser) or `lint` (shellcheck for `npm run lint`). A package counts as present
# when what we use from it is there, so a machine that has the tools some other way is
# not made to install anything.
# DEPS_ROOT prefixes every file probed (the unit test points it at a fake root).
set -euo pipefail

ROOT=${DEPS_ROOT:-}
say() { printf '[deps] %s\n' "$*"; }
die() { printf '[deps] error: %s\n' "$*" >&2; exit 2; }

# "package probe": a probe is a command looked up on PATH, an absolute path (globs
# allowed), or static:PATH for an executable that must be statically linked.
# (builtins only here: the unit test runs this with a PATH of chosen tools)
CLUSTER_PROBES='containerd containerd
containerd ctr
runc runc
containernetworking-plugins /usr/lib/cni/bridge
containernetworking-plugins /usr/lib/cni/host-local
iptables iptables
iptables ip6tables
iproute2 ip
umoci umoci
skopeo skopeo
busybox-static static:/bin/busybox
openssl openssl
gcc gcc
libc6-dev /usr/lib/*/libc.a
binutils readelf
binutils strip
util-linux setsid
util-linux flock
util-linux losetup
e2fsprogs mkfs.ext4
procps pgrep
curl curl
ca-certificates /etc/ssl/certs/ca-certificates.crt'

probes() {
  case $1 in
    cluster) printf '%s\n' "$CLUSTER_PROBES" ;;
    browser) echo 'chromium /usr/bin/chromium' ;;
    lint) echo 'shellcheck shellcheck' ;;
    *) die "unknown group '$1' (cluster, browser or lint)" ;;
  esac
}

present() {
  local probe=$1 f
  case $probe in
    static:*)
      f=$ROOT${probe#static:}
      [ -x "$f" ] && command -v readelf >/dev/null && ! readelf -l "$f" 2>/dev/null | grep -q 'program interpreter' ;;
    /*)
      for f in $ROOT$probe; do [ -e "$f" ] && return 0; done
      return 1 ;;
    *) command -v "$probe" >/dev/null ;;
  esac
}

missing() {
  local pkg probe out=()
  while read -r pkg probe; do
    present "$probe" && continue
    [[ " ${out[*]} " == *" $pkg "* ]] || out+=("$pkg")
  done < <(probes "$1")
  echo "${out[*]}"
}

ensure() {
  local group=$1 dry=${2:-} want
  want=$(missing "$group")
  [ -n "$want" ] || return 0
  local why=''
  [ "$EUID" = 0 ] || why='not running as root'
  [ -n "$why" ] || command -v apt-get >/dev/null || why='no apt-get on this machine'
  if [ -n "$why" ]; then
    die "missing Debian packages for the $group: $want ($why, so not installing them). As root: apt-get update && apt-get install -y $want"
  fi
  say "installing the Debian packages the $group needs and this machine lacks: $want"
  say "running: apt-get update, then apt-get install -y $want"
  [ "$dry" = --dry-run ] && { say "dry run: nothing installed"; return 0; }
  export DEBIAN_FRONTEND=noninteractive
  # shellcheck disable=SC2086  # $want is a list of package names
  if ! apt-get update -qq || ! apt-get install -y -qq $want >/dev/null; then
    die "apt-get could not install: $want (its output is above)"
  fi
  local still; still=$(missing "$group")
  [ -z "$still" ] || die "installed $want, but still missing: $still"
  say "installed: $want"
}

case "${1:-}" in
  missing) missing "${2:?group}" ;;
  ensure) ensure "${2:?group}" "${3:-}" ;;
  *) die "usage: deps.sh missing|ensure cluster|browser|lint [--dry-run]" ;;
esac
