// STS-TOPOLOGY-PRIMARY on the postgres sample: the topology is PostgreSQL's own. At the
// baseline, after every converged round and after chaos, each replica must say (from
// pg_stat_wal_receiver) that it streams from the primary's stable DNS name, stay in
// recovery (a standby), never be ahead of the primary (timeline or LSN: diverged), and
// replay the primary's latest commit within the probe's bound. A promoted replica is a
// second primary and fails, named. A server the probe could not read is `error`.
import type { CheckInput, CheckOutcome } from './api.ts';
import type { Evidence } from '../model.ts';
import { nearestRank } from '../percentile.ts';
import { type PgServerState, type ReplicationProbe, lsnDiff, primaryNames, streamsFrom } from '../probes/postgres-records.ts';
import { errored, failed, firstOf, passed } from './support.ts';

interface Tally {
  problems: string[];
  evidence: Evidence[];
  unseen: Evidence[];
}

/** Every probe of the run in order: baseline, each round's, after. */
export function replicationProbes(input: Pick<CheckInput, 'baseline' | 'after' | 'replication'>): ReplicationProbe[] {
  return [input.baseline.replication, ...(input.replication ?? []), input.after.replication].filter(
    (p): p is ReplicationProbe => p !== undefined,
  );
}

const where = (s: PgServerState): string => `timeline ${s.timeline ?? '?'}, LSN ${s.lsn ?? '?'}`;

/** What is wrong with one replica in a probe's last observation, if anything. */
export function replicaProblem(
  r: PgServerState,
  primary: PgServerState,
  p: ReplicationProbe,
  names: readonly string[],
): string | undefined {
  if (r.inRecovery === false) return `is not in recovery: promoted, a second primary beside ${primary.pod} (${where(r)})`;
  if (r.timeline !== undefined && primary.timeline !== undefined && r.timeline > primary.timeline)
    return `has diverged: its timeline ${r.timeline} is ahead of the primary's ${primary.timeline}`;
  const ahead = lsnDiff(r.lsn, primary.lsn);
  if (ahead !== undefined && ahead > 0n) return `has diverged: replayed to ${r.lsn}, ${ahead} bytes ahead of the primary's ${primary.lsn}`;
  if (!r.receiver)
    return `has no WAL receiver: it does not stream from the primary (${Math.round(p.boundMs / 1000)} s after the probe began)`;
  if (!streamsFrom(r, names)) {
    const host = r.receiver.senderHost || '(no host)';
    return r.receiver.status !== 'streaming'
      ? `does not stream: its WAL receiver is ${r.receiver.status} (sender ${host})`
      : `streams from ${host}, not the primary's stable name ${names.at(-1)}`;
  }
  if (p.targetLsn !== undefined && p.caughtUpMs[r.pod] === undefined)
    return `did not replay the primary's commit at ${p.targetLsn} within ${Math.round(p.boundMs / 1000)} s (replayed to ${r.lsn ?? '?'})`;
  return undefined;
}

function judgeProbe(p: ReplicationProbe, names: readonly string[], t: Tally): void {
  const o = p.final;
  const at = o?.t ?? p.t;
  if (!o || p.error) {
    t.unseen.push({
      subject: 'primary',
      expected: 'a marker committed and every server read',
      observed: `not observed: ${p.error ?? 'no observation'}`,
      at,
      note: p.label,
    });
    return;
  }
  const primary = o.primary;
  if (primary.unobserved) {
    t.unseen.push({
      subject: `primary ${primary.pod}`,
      expected: 'its replication state',
      observed: `not observed: ${primary.error ?? ''}`,
      at,
      note: p.label,
    });
    return;
  }
  if (primary.inRecovery) {
    t.problems.push(`${p.label}: the primary ${primary.pod} is in recovery (a standby, ${where(primary)})`);
    t.evidence.push({
      subject: `primary ${primary.pod}`,
      expected: 'not in recovery',
      observed: `in recovery, ${where(primary)}`,
      at,
      note: p.label,
    });
  }
  for (const r of o.replicas) {
    const subject = `replica ${r.pod}`;
    if (r.unobserved) {
      t.unseen.push({ subject, expected: 'its replication state', observed: `not observed: ${r.error ?? ''}`, at, note: p.label });
      continue;
    }
    const problem = replicaProblem(r, primary, p, names);
    if (!problem) continue;
    t.problems.push(`${p.label}: replica ${r.pod} ${problem}`);
    t.evidence.push({
      subject,
      expected: `in recovery, streaming from ${names.at(-1)}, replayed to ${p.targetLsn ?? "the primary's LSN"} within ${Math.round(p.boundMs / 1000)} s`,
      observed: `${r.inRecovery ? 'in recovery' : 'NOT in recovery'}, ${where(r)}, WAL receiver ${r.receiver ? `${r.receiver.status} from ${r.receiver.senderHost || '(no host)'} (slot ${r.receiver.slot || 'none'})` : 'none'}`,
      at,
      note: `${p.label}: primary ${primary.pod} at ${where(primary)}`,
    });
  }
}

/** p50/p95/max (nearest rank) of a list of ms values; undefined when empty. */
export function spread(values: readonly number[]): { samples: number; p50Ms?: number; p95Ms?: number; maxMs?: number } {
  if (values.length === 0) return { samples: 0 };
  return { samples: values.length, p50Ms: nearestRank(values, 50), p95Ms: nearestRank(values, 95), maxMs: Math.max(...values) };
}

const fmt = (s: ReturnType<typeof spread>): string =>
  s.samples === 0 ? 'none' : `p50 ${s.p50Ms} ms, p95 ${s.p95Ms} ms, max ${s.maxMs} ms (${s.samples})`;

export function judgeReplication(input: CheckInput): CheckOutcome {
  const probes = replicationProbes(input);
  const w = input.workload;
  if (probes.length === 0 || !input.baseline.replication || !input.after.replication) {
    return errored('the replication probe was not recorded at the baseline and after chaos', [
      {
        subject: 'replication',
        expected: 'a probe at the baseline and after chaos',
        observed: `${probes.length} probes: ${probes.map((p) => p.label).join(', ') || 'none'}`,
      },
    ]);
  }
  const primaryPod = input.after.replication.final?.primary.pod ?? input.baseline.replication.final?.primary.pod ?? `${w.statefulSet}-0`;
  const names = primaryNames(primaryPod, w.service, w.namespace, w.clusterDomain);
  const replicas = input.after.replication.final?.replicas.map((r) => r.pod) ?? [];
  const t: Tally = { problems: [], evidence: [], unseen: [] };
  for (const p of probes) judgeProbe(p, names, t);
  if (t.problems.length) return failed(firstOf(t.problems), [...t.evidence, ...t.unseen]);
  if (t.unseen.length)
    return errored(
      `could not read the replication state of ${[...new Set(t.unseen.map((e) => e.subject))].join(', ')}: ${t.unseen[0]?.observed ?? ''}`,
      t.unseen,
    );
  if (replicas.length === 0) return passed(`${primaryPod} is the primary; there are no replicas (replicas = 1)`, []);
  const catchUp = spread(probes.flatMap((p) => Object.values(p.caughtUpMs)));
  const reconnect = spread(probes.flatMap((p) => Object.values(p.reconnectMs ?? {})));
  return passed(
    `${replicas.length} replicas stream from ${names.at(-1)} in every probe (${probes.map((p) => p.label).join(', ')}) and replayed each commit within ${Math.round((probes[0]?.boundMs ?? 0) / 1000)} s`,
    [
      { subject: `primary ${primaryPod}`, observed: where(input.after.replication.final!.primary), note: 'after chaos' },
      { subject: 'catch-up', observed: fmt(catchUp), note: "marker commit on the primary to each replica's replay of it" },
      {
        subject: 'reconnect',
        observed: fmt(reconnect),
        note: "the primary's restart to each replica's WAL sender start (primary recreated)",
      },
    ],
  );
}
