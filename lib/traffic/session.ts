// Traffic for one run, as lib/run/execute.ts sees it: whether it runs (and why not), the client
// started before the first round, stopped before the after-snapshot, its stores read back
// after it, and the one-line figures for the log. A client that cannot start costs the
// run only STS-WRITES-DURABLE (error), never its other verdicts.
import type { Cluster } from '../cluster/cluster.ts';
import { describeError } from '../errors.ts';
import type { Recorder } from '../observe/recorder.ts';
import type { TrafficSummary } from './records.ts';
import type { Workload } from '../workloads/common.ts';
import { startTraffic, type TrafficClient } from './client.ts';
import { trafficDriverFor } from './driver.ts';
import { startHistoryTraffic } from './history-session.ts';
import type { TrafficRecord } from './records.ts';

export interface TrafficSession {
  /** Stops the client (no-op without one). */
  stop(): Promise<void>;
  /** Reads the stores back (no-op without a client) and returns what the check judges. */
  finish(): Promise<TrafficRecord>;
}

export interface TrafficSettings {
  traffic?: 'on' | 'off' | 'register' | 'set' | 'bank';
  etcdRead?: 'linearizable' | 'serializable';
  clientImage?: string;
  seed: number;
  trafficRate?: number;
  image: string;
}

/** Why a run sends no traffic, or undefined when it does; `subjectSkip`: why the run's subject takes none. */
export function trafficSkip(s: TrafficSettings, w: Workload, subjectSkip: string | undefined): string | undefined {
  if (s.traffic === 'off') return 'traffic is off (--traffic off)';
  if (subjectSkip !== undefined) return subjectSkip;
  // The history client brings its own protocol (etcd's gateway, PostgreSQL's): it needs no write driver.
  if (historyMode(s) !== undefined) return undefined;
  return trafficDriverFor(w) ? undefined : `no traffic driver for workload ${w.info.kind}`;
}

/** The history client's workload, when the run has one. */
export function historyMode(s: TrafficSettings): 'register' | 'set' | 'bank' | undefined {
  return s.traffic === 'register' || s.traffic === 'set' || s.traffic === 'bank' ? s.traffic : undefined;
}

export async function openTraffic(
  cluster: Cluster,
  recorder: Recorder,
  w: Workload,
  runId: string,
  s: TrafficSettings,
  subjectSkip: string | undefined,
  budgetMs: number,
  log: (line: string) => void,
): Promise<TrafficSession> {
  const skip = trafficSkip(s, w, subjectSkip);
  const driver = trafficDriverFor(w);
  let record: TrafficRecord = { ...(skip ? { skip } : {}), writes: [], readBack: [] };
  let client: TrafficClient | undefined;
  const history = historyMode(s);
  if (skip !== undefined || (!driver && !history)) log(`traffic: none (${skip ?? 'no driver'})`);
  else {
    try {
      client = history
        ? await startHistoryTraffic(
            cluster,
            recorder,
            w,
            runId,
            { workload: history, read: s.etcdRead ?? 'linearizable', seed: s.seed, image: s.clientImage ?? '' },
            budgetMs,
            log,
          )
        : driver
          ? await startTraffic(cluster, recorder, w, driver, runId, s.trafficRate ?? 20, s.image, budgetMs, log)
          : undefined;
    } catch (err) {
      record = {
        driver: driver?.name ?? `${w.info.kind}-${history}`,
        error: `the traffic client could not start: ${describeError(err)}`,
        writes: [],
        readBack: [],
      };
      log(`traffic: ${record.error}`);
    }
  }
  return {
    async stop() {
      if (client) record = await client.stop();
    },
    async finish() {
      if (client) record = await client.readBack(record);
      return record;
    },
  };
}

export function logTraffic(t: TrafficSummary, log: (line: string) => void): void {
  if (t.skip !== undefined) return;
  const c = t.counts;
  const a = t.availability;
  const pct = (f: number | undefined): string => (f === undefined ? 'n/a' : `${(f * 100).toFixed(1)}%`);
  log(
    `traffic: ${c.sent} writes, ${c.acked} acknowledged (${pct(a.overall.fraction)}), ${c.lost} lost, ${c.unknown ?? 0} of unknown outcome (${c.recovered ?? 0} recovered), ${c.indeterminate} indeterminate, ${c.failedWrites} failed, ${c.misrouted ?? 0} misrouted, ${c.unexpected} unexpected${t.error ? `; ${t.error}` : ''}`,
  );
  log(
    `traffic: longest unavailable interval per round: ${a.rounds.map((r) => `${r.round}: ${(r.longestUnavailableMs / 1000).toFixed(1)}s${r.pod ? ` (${r.pod})` : ''}`).join(', ') || 'no rounds'}`,
  );
}
