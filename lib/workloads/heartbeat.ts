// The heartbeat every sample workload container writes into its claim, so STS-AT-MOST-ONE
// can tell, after chaos, whether two pods of one identity ever wrote the same volume at
// once. One line every HEARTBEAT_PERIOD_S:
//
//   hb <pod uid> <container start> <boot id> <uptime> <wall>
//
// `container start` is the uptime at which this container's shell began (a restart in
// place is a new writer with the same UID). Times come from the kernel: /proc/uptime is
// monotonic and shared by every container on one kernel, so writers with the same boot
// id are compared on it (10 ms resolution, immune to wall-clock steps). Writers on
// different kernels (a network volume moved between machines) can only be compared by
// wall clock (date +%s%N), which assumes the machines' clocks agree.
export const HEARTBEAT_FILE = '.ordinal-heartbeat';
export const HEARTBEAT_PERIOD_S = 0.5;

/** The shell snippet (busybox sh) that starts the heartbeat in the background; needs $POD_UID. */
export function heartbeatScript(dataPath: string): string {
  const file = `${dataPath}/${HEARTBEAT_FILE}`;
  return [
    '( b=$(cat /proc/sys/kernel/random/boot_id); read s _ < /proc/uptime;',
    `while :; do read u _ < /proc/uptime; echo "hb $POD_UID $s $b $u $(date +%s%N)" >> ${file}; sleep ${HEARTBEAT_PERIOD_S}; done ) &`,
  ].join(' ');
}
