// The heartbeat every sample workload container writes into its claim, so STS-AT-MOST-ONE
// can tell, after chaos, whether two pods of one identity ever wrote the same volume at
// once. One line every HEARTBEAT_PERIOD_S (an overlap shorter than the period can hide
// between two beats, so the period is the check's resolution):
//
//   hb <pod uid> <container start> <boot id> <uptime> <wall>
//
// `container start` is the uptime at which this container's shell began (a restart in
// place is a new writer with the same UID). Times come from the kernel: /proc/uptime is
// monotonic and shared by every container on one kernel, so writers with the same boot
// id are compared on it (10 ms resolution, immune to wall-clock steps). Writers on
// different kernels (a network volume moved between machines) can only be compared by
// wall clock (date +%s%N), corrected by each kernel's measured offset (lib/probes/clock.ts).
// Each beat costs two forks (date, sleep): about 1% of a core per pod at 0.1 s.
export const HEARTBEAT_FILE = '.ordinal-heartbeat';
export const HEARTBEAT_PERIOD_S = 0.1;

/** The shell snippet (busybox sh) that starts the heartbeat in the background; needs $POD_UID. */
export function heartbeatScript(dataPath: string): string {
  const file = `${dataPath}/${HEARTBEAT_FILE}`;
  return [
    '( b=$(cat /proc/sys/kernel/random/boot_id); read s _ < /proc/uptime;',
    // A sleep without fractions fails at once: fall back to usleep, then to whole seconds, never a busy loop.
    `while :; do read u _ < /proc/uptime; echo "hb $POD_UID $s $b $u $(date +%s%N)" >> ${file};`,
    `sleep ${HEARTBEAT_PERIOD_S} 2>/dev/null || usleep ${Math.round(HEARTBEAT_PERIOD_S * 1e6)} 2>/dev/null || sleep 1; done ) &`,
  ].join(' ');
}

/** How long another writer's heartbeat must have been silent before fenceScript lets the container go on. */
export const FENCE_QUIET_S = 1.5;

/**
 * A shell snippet (sh, awk, date) that waits until no other pod UID has beaten on the volume
 * for FENCE_QUIET_S, saying what it waits for every few seconds. For an application that must
 * never run twice on one volume (PostgreSQL: its lock file cannot see a postmaster in another
 * container): after a force deletion, the old pod's containers can still run on a node whose
 * kubelet was down, and when that kubelet comes back it starts the replacement and kills the
 * orphan in either order (a soak run saw both beat for 400 ms). A writer on this kernel is
 * timed by uptime; one on another kernel by wall clock, in whole seconds (busybox's date has
 * no %N), so a second more.
 */
export function fenceScript(dataPath: string): string {
  const file = `${dataPath}/${HEARTBEAT_FILE}`;
  const judge = [
    '$1 == "hb" && $2 != me { w = $2; s = ($4 == b) ? up - $5 : ws - substr($6, 1, 10) - 1 }',
    `END { if (w == "" || s > ${FENCE_QUIET_S}) print "go"; else print w }`,
  ].join(' ');
  return [
    'n=0; b=$(cat /proc/sys/kernel/random/boot_id); while :; do read up _ < /proc/uptime;',
    `w=$(tail -n 100 ${file} 2>/dev/null | awk -v me="$POD_UID" -v b="$b" -v up="$up" -v ws="$(date +%s)" '${judge}');`,
    '[ "$w" = go ] && break;',
    `[ $((n % 10)) -eq 0 ] && echo "waiting: pod uid $w still writes ${file} (a force-deleted predecessor still running?); starting once it has been silent ${FENCE_QUIET_S} s";`,
    'n=$((n + 1)); sleep 0.5; done;',
  ].join(' ');
}
