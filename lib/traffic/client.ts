// The traffic client: a pod in the run namespace that writes unique keys to every
// StatefulSet pod through its stable DNS name (the path an application takes), one
// shell loop per pod, printing `S <pod> <key>` before each write and `A`/`F` after.
// The harness reads the lines back with the container runtime's timestamps (logs API,
// timestamps=true), so no clock inside the pod is needed: busybox date has no sub-second
// format. Logs rotate at the kubelet's containerLogMaxSize (10 MiB by default: about an
// hour at 20 writes/s); a log that no longer starts with the client's START line is an error.
import type { V1Pod } from '@kubernetes/client-node';
import type { Cluster } from '../cluster/cluster.ts';
import { describeError } from '../errors.ts';
import { podFqdn, podName, ordinals } from '../names.ts';
import { clusterExec } from '../probes/exec.ts';
import type { Recorder } from '../observe/recorder.ts';
import { retryTransient } from '../cluster/retry.ts';
import type { Workload } from '../workloads/common.ts';
import { MANAGED_BY, RUN_LABEL, TRAP_TERM } from '../workloads/common.ts';
import type { TrafficDriver } from './driver.ts';
import type { TrafficRecord, WriteRecord } from './records.ts';
import { TIMEOUTS } from '../timeouts.ts';

export const CLIENT_POD = 'ordinal-traffic';

export interface TrafficClient {
  /** Stops the writes, waits for the last ones to finish and reads the client's records. */
  stop(): Promise<TrafficRecord>;
  /** Reads every store back into the record `stop` returned. */
  readBack(record: TrafficRecord): Promise<TrafficRecord>;
}

/** The client's shell script: one loop per pod at `intervalS` between writes, until /tmp/stop exists. */
export function clientScript(driver: TrafficDriver, w: Workload, prefix: string, intervalS: number): string {
  const loops = ordinals(w.info).map((o) => {
    const pod = podName(w.info, o);
    return `w ${pod} ${podFqdn(w.info, pod)} &`;
  });
  return [
    TRAP_TERM,
    `echo "START ${prefix}";`,
    // The sleep runs alongside the write, so a write slower than the interval delays the next one and no more.
    `w() { pod=$1; fqdn=$2; i=0; while [ ! -e /tmp/stop ]; do sleep ${intervalS.toFixed(3)} & s=$!; i=$((i+1)); k="${prefix}-$pod-$i"; echo "S $pod $k";`,
    // Both branches print what the snippet said on one line: the answer's pod and UID on success, the error on failure.
    `if d=$( { ${driver.writeSnippet(w.info)} ; } 2>&1 ); then r=A; else r=F; fi; echo "$r $pod $k $(echo "$d" | tr -s '\\n\\t' '  ' | tail -c 200)";`,
    'wait $s; done; echo "E $pod"; };',
    ...loops,
    'wait; echo DONE; sleep 86400 & wait',
  ].join(' ');
}

/** What an acknowledgement named: `ip=… by=… uid=… member=…` tokens the write snippet printed. */
export function ackFields(detail: string): Pick<WriteRecord, 'address' | 'answeredBy' | 'answeredUid' | 'answeredMember'> {
  const out: Pick<WriteRecord, 'address' | 'answeredBy' | 'answeredUid' | 'answeredMember'> = {};
  for (const [, name, value] of detail.matchAll(/(?:^|\s)(ip|by|uid|member)=(\S+)/g)) {
    if (name === 'ip') out.address = value;
    else if (name === 'by') out.answeredBy = value;
    else if (name === 'uid') out.answeredUid = value;
    else if (name === 'member' && value && /^\d+$/.test(value)) out.answeredMember = BigInt(value).toString(16);
  }
  return out;
}

/**
 * Turns the client's timestamped log lines into write records (run ms via `wallToRun`).
 * `definite` says whether a failure's detail shows the write never took effect; any other
 * failure has an unknown outcome (Jepsen's `info`).
 */
export function parseClientLog(
  text: string,
  prefix: string,
  store: (pod: string) => string,
  wallToRun: (wall: number) => number,
  definite: (detail: string) => boolean = () => true,
): { writes: WriteRecord[]; done: boolean; error?: string } {
  const writes = new Map<string, WriteRecord>();
  let started = false;
  let done = false;
  for (const line of text.split('\n')) {
    const m = /^(\S+)\s(.*)$/.exec(line.trim());
    if (!m) continue;
    const wall = Date.parse((m[1] ?? '').replace(/(\.\d{3})\d+/, '$1'));
    const body = m[2] ?? '';
    if (body === `START ${prefix}`) started = true;
    if (body === 'DONE') done = true;
    const f = /^([SAF]) (\S+) (\S+)(?: (.*))?$/.exec(body);
    if (!f || Number.isNaN(wall)) continue;
    const [, kind, pod = '', key = '', detail] = f;
    const t = wallToRun(wall);
    if (kind === 'S') writes.set(key, { pod, key, store: store(pod), sentMs: t, outcome: 'unknown' });
    const w = writes.get(key);
    if (!w || kind === 'S') continue;
    const said = (detail ?? '').trim();
    w.doneMs = t;
    if (kind === 'A') Object.assign(w, { outcome: 'acked' }, ackFields(said));
    else {
      w.outcome = definite(said) ? 'failed' : 'unknown';
      if (said) w.detail = said;
    }
  }
  if (!started)
    return { writes: [...writes.values()], done, error: `the client's log does not begin with START ${prefix} (rotated or unreadable)` };
  return { writes: [...writes.values()], done };
}

/** Names the pod behind each acknowledgement that carried only a member ID (etcd). */
export function answeredByMember(writes: readonly WriteRecord[], members: Readonly<Record<string, string>>): WriteRecord[] {
  return writes.map((w) =>
    w.answeredMember !== undefined && w.answeredBy === undefined && members[w.answeredMember] !== undefined
      ? { ...w, answeredBy: members[w.answeredMember] }
      : w,
  );
}

/** The client pod: one shell loop per StatefulSet pod, run from the driver's client image. */
function clientPod(driver: TrafficDriver, w: Workload, runId: string, image: string, prefix: string, intervalS: number): V1Pod {
  const ns = w.info.namespace;
  return {
    metadata: { name: CLIENT_POD, namespace: ns, labels: { ...MANAGED_BY, [RUN_LABEL]: runId, app: CLIENT_POD } },
    spec: {
      restartPolicy: 'Never',
      terminationGracePeriodSeconds: 1,
      containers: [
        {
          name: 'client',
          image: driver.clientImage(image),
          imagePullPolicy: 'IfNotPresent',
          command: ['sh', '-c', clientScript(driver, w, prefix, intervalS)],
        },
      ],
    },
  };
}

export async function startTraffic(
  cluster: Cluster,
  recorder: Recorder,
  w: Workload,
  driver: TrafficDriver,
  runId: string,
  ratePerSecond: number,
  image: string,
  timeoutMs: number,
  log: (line: string) => void,
): Promise<TrafficClient> {
  const ns = w.info.namespace;
  const pods = ordinals(w.info).map((o) => podName(w.info, o));
  const intervalS = pods.length / ratePerSecond;
  const prefix = runId;
  const body = clientPod(driver, w, runId, image, prefix, intervalS);
  await cluster.core.createNamespacedPod({ namespace: ns, body });
  await recorder.waitFor({
    describe: `traffic client pod ${CLIENT_POD} to be Running`,
    timeoutMs,
    until: () => (recorder.pods.get(CLIENT_POD)?.phase === 'Running' ? true : undefined),
  });
  const start = recorder.mark({ marker: 'traffic-start', driver: driver.name, ratePerSecond });
  log(`traffic: ${driver.name} client writing ${ratePerSecond}/s across ${pods.length} pods (${intervalS.toFixed(2)} s apart per pod)`);
  const wallToRun = (wall: number): number => Math.round((wall - (start.wall - start.t)) * 10) / 10;
  return {
    async readBack(record: TrafficRecord): Promise<TrafficRecord> {
      if (record.error !== undefined) return record;
      const exec = clusterExec(cluster, ns, Date.now() + timeoutMs);
      const readBack = await driver.readBack(exec, w.info, w.container, pods, prefix);
      const members = driver.members ? await driver.members(exec, w.container, pods) : undefined;
      return { ...record, readBack, ...(members ? { members, writes: answeredByMember(record.writes, members) } : {}) };
    },
    async stop(): Promise<TrafficRecord> {
      const base = { driver: driver.name, ratePerSecond, startedMs: start.t, writes: [] as WriteRecord[], readBack: [] };
      const deadline = Date.now() + timeoutMs;
      const exec = clusterExec(cluster, ns, deadline);
      try {
        await exec(CLIENT_POD, 'client', ['touch', '/tmp/stop']);
      } catch (err) {
        return { ...base, error: `could not stop the traffic client: ${describeError(err)}` };
      }
      const stop = recorder.mark({ marker: 'traffic-stop' });
      // Each loop ends after its write in flight (bounded by the driver's timeouts) and one sleep.
      const until = Date.now() + Math.min(timeoutMs, TIMEOUTS.trafficDrain);
      let text = '';
      let parsed: ReturnType<typeof parseClientLog> | undefined;
      try {
        for (;;) {
          text = await retryTransient(
            () => cluster.core.readNamespacedPodLog({ name: CLIENT_POD, namespace: ns, container: 'client', timestamps: true }),
            { deadline, what: 'read the traffic client log' },
          );
          parsed = parseClientLog(text, prefix, driver.store, wallToRun, driver.definiteFailure);
          if (parsed.done || Date.now() > until) break;
          await new Promise((r) => setTimeout(r, TIMEOUTS.trafficLogPoll));
        }
      } catch (err) {
        return { ...base, stoppedMs: stop.t, error: `could not read the traffic client's log: ${describeError(err)}` };
      }
      if (!parsed.done)
        log(
          `traffic: the client did not print DONE within ${Math.min(timeoutMs, TIMEOUTS.trafficDrain) / 1000} s of the stop; last line: ${text.trim().split('\n').at(-1) ?? '(none)'}`,
        );
      return { ...base, stoppedMs: stop.t, writes: parsed.writes, ...(parsed.error ? { error: parsed.error } : {}) };
    },
  };
}
