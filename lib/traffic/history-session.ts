// The harness side of the history client (lib/traffic/history-client.ts): the client pod from
// Ordinal's own image in the run namespace, its history file followed from the start
// (history lines and `#` lines; lib/traffic/file-follow.ts), stopped with its stop file
// after chaos, and its lines turned into the run's history. A set history also becomes the unique-key writes and member reads that
// STS-WRITES-DURABLE judges today.
import type { V1Pod } from '@kubernetes/client-node';
import type { Cluster } from '../cluster/cluster.ts';
import { describeError } from '../errors.ts';
import type { HistoryEvent } from '../history/events.ts';
import { HistoryFormatError, validateEvent } from '../history/jsonl.ts';
import { podFqdn, podName, ordinals } from '../names.ts';
import type { Recorder } from '../observe/recorder.ts';
import { clusterExec } from '../probes/exec.ts';
import { TIMEOUTS } from '../timeouts.ts';
import { pullFailure } from '../timeline/queries.ts';
import type { Workload } from '../workloads/common.ts';
import { MANAGED_BY, RUN_LABEL } from '../workloads/common.ts';
import type { ClientConfig } from './history-client.ts';
import { CLIENT_DONE, linesBeforeDone } from './history-lines.ts';
import { followFile } from './file-follow.ts';
import type { ReadBack, TrafficRecord, WriteRecord } from './records.ts';
import { CLIENT_CONFIG_ENV, type TrafficWorkload } from './workload-ops.ts';
import { pgClientConfig, PG_WRITERS } from './pg-session.ts';
import { CLIENT_POD, type TrafficClient } from './client.ts';

/**
 * Logical clients: enough to keep every member busy and overlap operations on each hot key.
 * Measured on the 2-core local cluster: 30 gave 117 ops/s, 64 gave 217/s (p50 226 ms); 160
 * gave 164/s at p50 748 ms (etcd saturated) and histories the checker could not finish
 * within its default budget.
 */
export const HISTORY_CONCURRENCY = 64;
/** Register hot keys. */
export const HISTORY_KEYS = 8;
const STOP_FILE = '/tmp/stop';
/**
 * The client's history, on an emptyDir shared by its two containers: the client writes
 * it, the reader (which only idles) serves the harness's execs that read it. The pod's
 * restartPolicy is Never, so no container of it restarts and the pod's life is the
 * history's: an emptyDir outlives the client container's exit or crash, which is what
 * the reads need; a pod deleted or evicted loses its history with or without the file
 * (the run's history then has no end line and is an error).
 */
const HISTORY_DIR = '/history';
const HISTORY_FILE = `${HISTORY_DIR}/history.jsonl`;
const READER = 'reader';

export interface HistoryTrafficOptions {
  /** bank: the postgres sample only (lib/traffic/pg-session.ts). */
  readonly workload: TrafficWorkload | 'bank';
  readonly read: 'linearizable' | 'serializable';
  readonly seed: number;
  readonly image: string;
}

/** The client's configuration for a run of workload `w`. */
export function historyClientConfig(w: Workload, runId: string, o: HistoryTrafficOptions): ClientConfig {
  const port = w.etcd?.clientPort ?? 2379;
  if (o.workload === 'bank') throw new Error('bank traffic runs against the postgres sample only');
  return {
    workload: o.workload,
    seed: o.seed,
    concurrency: HISTORY_CONCURRENCY,
    keys: HISTORY_KEYS,
    prefix: runId,
    members: ordinals(w.info).map((i) => {
      const pod = podName(w.info, i);
      return { pod, url: `http://${podFqdn(w.info, pod)}:${port}` };
    }),
    read: o.read,
    opTimeoutMs: TIMEOUTS.clientOp,
    stopFile: STOP_FILE,
    historyFile: HISTORY_FILE,
  };
}

function clientConfig(w: Workload, runId: string, o: HistoryTrafficOptions): object {
  if (w.info.kind !== 'postgres') return historyClientConfig(w, runId, o);
  if (o.workload === 'register') throw new Error('register traffic runs against the etcd sample only');
  return { ...pgClientConfig(w, { workload: o.workload, seed: o.seed }, STOP_FILE), historyFile: HISTORY_FILE };
}

function historyPod(w: Workload, runId: string, o: HistoryTrafficOptions): V1Pod {
  return {
    metadata: { name: CLIENT_POD, namespace: w.info.namespace, labels: { ...MANAGED_BY, [RUN_LABEL]: runId, app: CLIENT_POD } },
    spec: {
      restartPolicy: 'Never',
      terminationGracePeriodSeconds: 1,
      volumes: [{ name: 'history', emptyDir: {} }],
      containers: [
        {
          name: 'client',
          image: o.image,
          imagePullPolicy: 'IfNotPresent',
          args: ['client'],
          env: [{ name: CLIENT_CONFIG_ENV, value: JSON.stringify(clientConfig(w, runId, o)) }],
          volumeMounts: [{ name: 'history', mountPath: HISTORY_DIR }],
        },
        {
          name: READER,
          image: o.image,
          imagePullPolicy: 'IfNotPresent',
          command: ['node', '-e', "process.on('SIGTERM', () => process.exit(0)); setInterval(() => {}, 2 ** 30);"],
          volumeMounts: [{ name: 'history', mountPath: HISTORY_DIR }],
        },
      ],
    },
  };
}

/**
 * The lines up to the client's end line, when as many as it says it wrote before it;
 * otherwise the history has a gap and cannot be judged.
 */
export function completeLines(lines: readonly string[], source: string): readonly string[] {
  const end = lines.findIndex((l) => l.startsWith(CLIENT_DONE));
  if (end < 0) throw new Error(`${source}: no end line (${CLIENT_DONE}) among ${lines.length} lines`);
  const wrote = linesBeforeDone(lines[end] as string);
  if (wrote !== undefined && wrote !== end)
    throw new Error(`${source}: the client wrote ${wrote} lines before its end line, ${end} were read: the history has a gap`);
  return lines.slice(0, end);
}

/** The history events among the client's log lines (`#` lines are the client's own notes). */
export function historyOf(lines: readonly string[]): HistoryEvent[] {
  const events: HistoryEvent[] = [];
  for (const [i, line] of lines.entries()) {
    if (!line.startsWith('{')) continue;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch (err) {
      throw new HistoryFormatError(`traffic client log line ${i + 1}: not JSON (${(err as Error).message})`);
    }
    events.push(validateEvent(raw, events.length + 1));
  }
  return events;
}

/**
 * A set history as unique-key writes and member reads: each add is a write of its element
 * (addressed pod, outcome), and the last read of each member is that member's read-back.
 */
export function setRecords(
  events: readonly HistoryEvent[],
  nsToMs: (ns: number) => number,
  store = 'etcd',
): { writes: WriteRecord[]; readBack: ReadBack[] } {
  const open = new Map<number, HistoryEvent>();
  const writes: WriteRecord[] = [];
  const reads = new Map<string, ReadBack>();
  for (const e of events) {
    if (e.type === 'invoke') {
      open.set(e.process, e);
      continue;
    }
    const inv = open.get(e.process);
    open.delete(e.process);
    if (!inv) continue;
    const pod = inv.pod ?? '';
    if (e.f === 'add') {
      const outcome = e.type === 'ok' ? 'acked' : e.type === 'fail' ? 'failed' : 'unknown';
      writes.push({
        pod,
        key: String(inv.value),
        store,
        sentMs: nsToMs(inv.time),
        doneMs: nsToMs(e.time),
        outcome,
        ...(e.pod ? { answeredBy: e.pod } : {}),
      });
    } else if (e.f === 'read') {
      reads.set(
        pod,
        Array.isArray(e.value) && e.type === 'ok'
          ? { store, pod, keys: e.value.map(String) }
          : { store, pod, error: `the final read of ${pod} ended ${e.type}` },
      );
    }
  }
  for (const e of open.values())
    if (e.f === 'add') writes.push({ pod: e.pod ?? '', key: String(e.value), store, sentMs: nsToMs(e.time), outcome: 'unknown' });
  return { writes, readBack: [...reads.values()] };
}

const CLIENT_WORDS: Record<HistoryTrafficOptions['workload'], (read: string) => string> = {
  register: (read) => `${read} reads`,
  set: () => 'the whole set read from every member at the end',
  bank: () => 'transfers on the primary, all balances read on every pod',
};

export async function startHistoryTraffic(
  cluster: Cluster,
  recorder: Recorder,
  w: Workload,
  runId: string,
  o: HistoryTrafficOptions,
  timeoutMs: number,
  log: (line: string) => void,
): Promise<TrafficClient> {
  const ns = w.info.namespace;
  if (o.image === '') throw new Error('no image for the history client (--client-image)');
  await cluster.core.createNamespacedPod({ namespace: ns, body: historyPod(w, runId, o) });
  await recorder.waitFor({
    describe: `traffic client pod ${CLIENT_POD} (image ${o.image}) to be Running`,
    timeoutMs,
    until: () => (recorder.pods.get(CLIENT_POD)?.phase === 'Running' ? true : undefined),
    failFast: () => {
      const pull = pullFailure(recorder.pods.get(CLIENT_POD));
      return pull
        ? new Error(
            `image ${o.image} of the history client cannot be pulled for pod ${CLIENT_POD}: ${pull}. Pass --client-image with an image the nodes can pull (Ordinal's own image: \`npm run image -- --import\` builds it and imports it into the local cluster)`,
          )
        : undefined;
    },
  });
  const follower = followFile(cluster, { ns, pod: CLIENT_POD, container: READER, file: HISTORY_FILE }, (l) => l.startsWith(CLIENT_DONE));
  const driver = `${w.info.kind === 'postgres' ? 'postgres' : 'etcd'}-${o.workload}`;
  const start = recorder.mark({ marker: 'traffic-start', driver, ratePerSecond: 0 });
  log(
    `traffic: ${o.workload} history client, ${w.info.kind === 'postgres' ? PG_WRITERS : HISTORY_CONCURRENCY} logical clients, ${CLIENT_WORDS[o.workload](o.read)} (pod ${CLIENT_POD}, image ${o.image})`,
  );
  return {
    async stop(): Promise<TrafficRecord> {
      const base = { driver, startedMs: start.t, writes: [] as WriteRecord[], readBack: [] as ReadBack[] };
      const deadline = Date.now() + timeoutMs;
      try {
        await clusterExec(cluster, ns, deadline)(CLIENT_POD, 'client', [
          'node',
          '-e',
          `require('fs').writeFileSync(${JSON.stringify(STOP_FILE)}, '')`,
        ]);
      } catch (err) {
        follower.close();
        return { ...base, error: `could not stop the traffic client: ${describeError(err)}` };
      }
      const stop = recorder.mark({ marker: 'traffic-stop' });
      try {
        await follower.until(Date.now() + Math.min(timeoutMs, TIMEOUTS.historyDrain));
        const history = historyOf(completeLines(follower.reader.lines, HISTORY_FILE));
        const first = history[0]?.time ?? 0;
        // The client's clock is monotonic ns from its own start; placed on the run's clock at the first invocation (~traffic-start).
        const nsToMs = (t: number): number => start.t + (t - first) / 1e6;
        const ops = history.filter((e) => e.type !== 'invoke').length;
        const secs = (stop.t - start.t) / 1000;
        log(
          `traffic: ${ops} operations in ${secs.toFixed(1)} s (${(ops / Math.max(secs, 0.001)).toFixed(0)}/s); history file read in ${follower.reopened() + 1} exec(s)`,
        );
        const record: TrafficRecord = {
          ...base,
          stoppedMs: stop.t,
          history,
          historyClock: { ns: first, runMs: start.t },
          ratePerSecond: Math.round(ops / Math.max(secs, 0.001)),
        };
        if (o.workload === 'set') return { ...record, ...setRecords(history, nsToMs, driver.split('-')[0]) };
        if (o.workload === 'bank')
          return { ...record, skip: 'bank traffic writes no unique keys: its history is judged by STS-BANK-INVARIANT' };
        return { ...record, skip: 'register traffic writes no unique keys: its history is judged for linearizability (STS-LINEARIZABLE)' };
      } catch (err) {
        return { ...base, stoppedMs: stop.t, error: `the traffic client's history could not be read: ${describeError(err)}` };
      } finally {
        follower.close();
      }
    },
    readBack: async (record) => record,
  };
}
