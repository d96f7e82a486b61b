// The PostgreSQL sample's replication probe (lib/probes/postgres.ts) as a run takes it: at
// the baseline and after snapshots, and after every round that converged, each replica
// reporting whom it streams from and how far it has replayed. Only the postgres sample has
// the workload.postgres facts this needs; every other subject takes no such probe.
import { ordinals, podName } from '../names.ts';
import { probeReplication } from '../probes/postgres.ts';
import { type ReplicationProbe, primaryNames } from '../probes/postgres-records.ts';
import type { ExecFn } from '../probes/exec.ts';
import type { Recorder } from '../observe/recorder.ts';
import type { Workload } from '../workloads/common.ts';
import { spread } from '../checks/topology-postgres.ts';
import type { ReplicationSummary } from './results-schema.ts';

/** Probes the sample's replication, labelled (`baseline`, `round N`, `after`); undefined for any other workload. */
export async function replicationProbe(
  exec: ExecFn,
  recorder: Pick<Recorder, 'now'>,
  workload: Workload,
  label: string,
  previousStart?: number,
): Promise<ReplicationProbe | undefined> {
  const pg = workload.postgres;
  if (!pg) return undefined;
  const w = workload.info;
  const replicas = ordinals(w)
    .map((o) => podName(w, o))
    .filter((p) => p !== pg.primaryPod);
  return probeReplication(
    {
      exec,
      container: workload.container,
      primary: pg.primaryPod,
      replicas,
      names: primaryNames(pg.primaryPod, w.service, w.namespace, w.clusterDomain),
      now: () => recorder.now(),
    },
    label,
    previousStart,
  );
}

/** The primary's postmaster start in the latest probe that read it, for the next probe's reconnect times. */
export function lastPrimaryStart(probes: readonly (ReplicationProbe | undefined)[]): number | undefined {
  for (const p of [...probes].reverse()) if (p?.final?.primary.startedAtMs !== undefined) return p.final.primary.startedAtMs;
  return undefined;
}

/** results.json's `replication`: the durability setting and the probes' timings; undefined for any other workload. */
export function replicationSummary(workload: Workload, probes: readonly (ReplicationProbe | undefined)[]): ReplicationSummary | undefined {
  const pg = workload.postgres;
  if (!pg) return undefined;
  const all = probes.filter((p): p is ReplicationProbe => p !== undefined);
  const values = (f: (p: ReplicationProbe) => Record<string, number> | undefined): number[] =>
    all.flatMap((p) => Object.values(f(p) ?? {}));
  return {
    durability: pg.durability,
    primary: pg.primaryPod,
    catchUp: spread(values((p) => p.caughtUpMs)),
    replayLag: spread(values((p) => p.replayLagMs)),
    reconnect: spread(values((p) => p.reconnectMs)),
    probes: all,
  };
}

/** One log line of the summary. */
export function describeReplication(s: ReplicationSummary): string {
  const f = (x: ReplicationSummary['catchUp']): string =>
    x.samples === 0 ? 'none' : `p50 ${x.p50Ms} ms, p95 ${x.p95Ms} ms, max ${x.maxMs} ms (${x.samples})`;
  return `replication (${s.probes.length} probes): catch-up ${f(s.catchUp)}; replay lag ${f(s.replayLag)}; reconnect after the primary's recreation ${f(s.reconnect)}; durability: ${s.durability}`;
}
