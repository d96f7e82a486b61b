# shellcheck shell=bash
# Process bookkeeping: every daemon we start is recorded by PID together with the
# binary it runs, and stopped only if that PID still runs that binary (never by name).
# Sourced after lib.sh.

pidfile() { echo "$RUN_DIR/$1.pid"; }

# running NAME: true when the recorded PID is alive and still our binary.
running() {
  local f; f=$(pidfile "$1")
  [ -s "$f" ] || return 1
  local pid exe; read -r pid exe < "$f"
  [ -d "/proc/$pid" ] && [ "$(readlink "/proc/$pid/exe" 2>/dev/null)" = "$exe" ]
}

# start NAME BINARY ARGS...: start detached, log to LOG_DIR/NAME.log, record PID.
start() {
  local name=$1 bin=$2; shift 2
  if running "$name"; then log "$name already running (pid $(cut -d' ' -f1 < "$(pidfile "$name")"))"; return; fi
  mkdir -p "$RUN_DIR" "$LOG_DIR"
  log "starting $name"
  # Close fds 3-9: a daemon must not inherit the lock up/down hold on fd 9, nor a lock
  # a caller holds around `cluster:up` (e.g. `flock FILE npm run cluster:up` passes fd 3),
  # which a daemon would otherwise keep for its whole life.
  # An extra node's daemons run in its network namespace: nsenter switches only that
  # (`ip netns exec` would also remount /sys and hide /sys/fs/cgroup) and then execs,
  # as setsid does here, so $! is the daemon's own PID.
  local wrap=(); [ -z "${NODE_NETNS:-}" ] || wrap=(nsenter "--net=$NODE_NETNS" --)
  setsid "${wrap[@]}" "$bin" "$@" >> "$LOG_DIR/$name.log" 2>&1 < /dev/null 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&- &
  echo "$! $(readlink -f "$bin")" > "$(pidfile "$name")"
}

# stop NAME [TIMEOUT]: SIGTERM, then SIGKILL after TIMEOUT seconds.
stop() {
  local name=$1 timeout=${2:-15} f; f=$(pidfile "$name")
  if ! running "$name"; then rm -f "$f"; return; fi
  local pid; pid=$(cut -d' ' -f1 < "$f")
  log "stopping $name (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  local i; for ((i = 0; i < timeout * 5; i++)); do running "$name" || break; sleep 0.2; done
  if running "$name"; then log "$name did not exit in ${timeout}s; sending SIGKILL"; kill -KILL "$pid" 2>/dev/null || true; sleep 0.5; fi
  rm -f "$f"
}

# wait_for DESC TIMEOUT LOGNAME CMD...: run CMD until it succeeds, printing progress every
# 10 s; on timeout print what the component logged last and fail with exit 2.
wait_for() {
  local desc=$1 timeout=$2 logname=$3; shift 3
  local start=$SECONDS next=10
  until "$@" >/dev/null 2>&1; do
    if [ -n "$logname" ] && [ "$logname" != - ] && ! running "$logname"; then
      echo "--- last lines of $LOG_DIR/$logname.log ---" >&2; tail -n 30 "$LOG_DIR/$logname.log" >&2 || true
      die "$logname exited while waiting for $desc"
    fi
    if (( SECONDS - start >= timeout )); then
      if [ "$logname" != - ]; then echo "--- last lines of $LOG_DIR/$logname.log ---" >&2; tail -n 30 "$LOG_DIR/$logname.log" >&2 || true; fi
      die "timed out after ${timeout}s waiting for $desc"
    fi
    if (( SECONDS - start >= next )); then log "  waiting for $desc ($((SECONDS - start))s of ${timeout}s)"; next=$((next + 10)); fi
    sleep 0.5
  done
}

# container_inits: our pods' container init processes, from the init.pid files that
# containerd records in our private state dir; a PID is trusted only while it still
# sits in the kubelet's kubepods cgroup (so a reused PID is never touched); an extra
# node sets CTRD_STATE and CG_MATCH to its own state dir and cgroup root.
container_inits() {
  local f pid
  for f in "$CTRD_STATE"/io.containerd.runtime.v2.task/*/*/init.pid; do
    [ -s "$f" ] || continue
    pid=$(cat "$f")
    grep -qs "${CG_MATCH:-kubepods}" "/proc/$pid/cgroup" && echo "$pid"
  done
  return 0
}

# shim_pids: the containerd shims serving those containers (each is its container's parent),
# and any shim started by our containerd (its -address is our socket) whose container is gone
# or never started: a sandbox created while the cluster went down left such a shim, which
# kept an extra node's network namespace, and with it its veth, so the next up failed
# ("RTNETLINK answers: File exists").
shim_pids() {
  local pid parent p
  {
    for pid in $(container_inits); do
      parent=$(awk '{print $4}' "/proc/$pid/stat" 2>/dev/null) || continue
      case "$(readlink "/proc/$parent/exe" 2>/dev/null)" in *containerd-shim*) echo "$parent" ;; esac
    done
    for p in /proc/[0-9]*; do
      case "$(readlink "$p/exe" 2>/dev/null)" in *containerd-shim*) ;; *) continue ;; esac
      if tr '\0' '\n' < "$p/cmdline" 2>/dev/null | grep -qxF -- "$CTRD_SOCK"; then echo "${p#/proc/}"; fi
    done
  } | sort -u
}

# shim_sockets: our shims' sockets, which containerd names by a hash of its own address,
# the namespace and the task id; a SIGKILLed shim leaves its socket behind.
shim_sockets() {
  local d
  for d in "$CTRD_STATE"/io.containerd.runtime.v2.task/k8s.io/*; do
    [ -e "$d" ] || continue
    echo "/run/containerd/s/$(printf '%s' "$CTRD_SOCK/k8s.io/${d##*/}" | sha256sum | cut -c1-64)"
  done
}
