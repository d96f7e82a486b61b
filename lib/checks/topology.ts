// STS-TOPOLOGY-PRIMARY: topology state. Replicas find the primary only by its stable
// DNS name (<sts>-0.<svc>...), discard their copy at every start and record which
// primary pod (UID, IP) served the fresh one. So a replica holds the primary's data only
// if that name led it to a live generation of the primary, and the check can tell.
import type { CheckDefinition, CheckInput, CheckOutcome } from './api.ts';
import type { Evidence } from '../model.ts';
import type { Snapshot, TopologyCopy } from '../probes/records.ts';
import { judgeReplication } from './topology-postgres.ts';
import { errored, failed, firstOf, inOrder, isPodEntry, passed, skipped } from './support.ts';

export const topologyPrimary: CheckDefinition = {
  id: 'STS-TOPOLOGY-PRIMARY',
  guarantee:
    'every replica holds the data it fetched from a live generation of the primary, found by its stable DNS name, before and after chaos (postgres: streams from that name, stays a standby and catches up after every round)',
  run: judgeTopology,
};

const show = (data: string | undefined): string =>
  data === undefined ? '(none)' : `${data.length} bytes ${JSON.stringify(data.slice(0, 24))}${data.length > 24 ? '…' : ''}`;

/** When each UID a pod name had was first seen and (if) deleted, in timeline seq. */
type Lifetimes = Map<string, { from: number; to: number }>;

function lifetimes(input: CheckInput, name: string): Lifetimes {
  const out: Lifetimes = new Map();
  for (const e of inOrder(input.timeline)) {
    if (!isPodEntry(e) || e.name !== name || !e.pod.uid) continue;
    const l = out.get(e.pod.uid) ?? { from: e.seq, to: Number.POSITIVE_INFINITY };
    if (e.type === 'DELETED') l.to = e.seq;
    out.set(e.pod.uid, l);
  }
  return out;
}

interface Tally {
  problems: string[];
  evidence: Evidence[];
  unseen: Evidence[];
}

function judgeSnapshot(input: CheckInput, label: string, snap: Snapshot, primaryUids: Set<string>, t: Tally): void {
  const topo = snap.topology!;
  const at = snap.t;
  if (topo.primaryData === undefined || topo.primaryData.length === 0) {
    const e = { subject: `primary ${topo.primary}`, expected: 'non-empty primary data', observed: topo.error ?? 'empty', at, note: label };
    if (topo.unobserved) t.unseen.push({ ...e, observed: `not observed: ${topo.error ?? ''}` });
    else {
      t.problems.push(`${label}: the primary ${topo.primary} has no data (${topo.error ?? 'empty file'})`);
      t.evidence.push(e);
    }
    return;
  }
  const primaryLives = lifetimes(input, topo.primary);
  for (const c of topo.copies) {
    const subject = `replica ${c.pod}`;
    const fail = (message: string, e: Omit<Evidence, 'subject'>): void => {
      t.problems.push(`${label}: replica ${c.pod} ${message}`);
      t.evidence.push({ subject, at, note: label, ...e });
    };
    if (c.unobserved) {
      t.unseen.push({ subject, expected: show(topo.primaryData), observed: `not observed: ${c.error ?? ''}`, at, note: label });
      continue;
    }
    if (c.data === undefined) {
      fail(`holds no copy (${c.error ?? 'no data'})`, { expected: show(topo.primaryData), observed: c.error ?? '(none)' });
      continue;
    }
    if (c.data !== topo.primaryData) {
      fail('holds a copy that differs from the primary', { expected: show(topo.primaryData), observed: show(c.data) });
      continue;
    }
    if (!c.servedBy) {
      fail(`has no record of the primary that served its copy (${c.error ?? 'served-by missing'})`, {
        expected: `served-by naming a generation of ${topo.primary}`,
        observed: c.error ?? 'none',
      });
      continue;
    }
    const who = `uid ${c.servedBy.uid} (${c.servedBy.ip || 'no ip'})`;
    if (!primaryUids.has(c.servedBy.uid)) {
      fail(`was served by ${who}, which was never ${topo.primary}`, {
        expected: `one of ${topo.primary}'s UIDs: ${[...primaryUids].join(', ')}`,
        observed: `served by ${who}`,
      });
      continue;
    }
    const stale = staleness(input, snap, c, primaryLives);
    if (stale) fail(stale, { expected: `a generation of ${topo.primary} alive after ${c.pod} started`, observed: `served by ${who}` });
  }
}

/** Why the serving generation could not have served this replica generation, if the timeline shows it. */
function staleness(input: CheckInput, snap: Snapshot, c: TopologyCopy, primaryLives: Lifetimes): string | undefined {
  const replicaUid = snap.pods.find((p) => p.name === c.pod)?.uid;
  const replica = replicaUid ? lifetimes(input, c.pod).get(replicaUid) : undefined;
  const served = c.servedBy ? primaryLives.get(c.servedBy.uid) : undefined;
  if (!replica || !served) return undefined; // the timeline cannot place them; the UID match stands
  if (served.to < replica.from)
    return `was served by uid ${c.servedBy!.uid}, a primary generation deleted (seq ${served.to}) before this replica generation appeared (seq ${replica.from})`;
  return undefined;
}

function judgeTopology(input: CheckInput): CheckOutcome {
  // The postgres sample's topology is PostgreSQL's own replication (lib/checks/topology-postgres.ts).
  if (input.workload.kind === 'postgres') return judgeReplication(input);
  const { baseline, after } = input;
  if (!baseline.topology && !after.topology) {
    const k = input.workload.kind;
    // A user's StatefulSet has no known primary protocol to probe; only the sample has one.
    return skipped(
      k === 'target' || k === 'manifest'
        ? `applies only to the primary-replica sample; this is a ${k === 'target' ? '--target' : '--manifest'} StatefulSet`
        : 'the workload has no primary/replica topology',
    );
  }
  if (!baseline.topology || !after.topology) {
    return failed('topology was recorded in only one snapshot', [
      { subject: 'topology', expected: 'baseline and after', observed: baseline.topology ? 'baseline only' : 'after only' },
    ]);
  }
  const replicas = after.topology.copies.map((c) => c.pod);
  if (replicas.length === 0) return skipped('there are no replicas (replicas = 1)');
  const primary = after.topology.primary;
  // Every UID the primary's name had: from the watch, and from both snapshots.
  const primaryUids = new Set(
    [
      ...lifetimes(input, primary).keys(),
      ...[baseline, after].flatMap((s) => s.pods.filter((p) => p.name === primary).map((p) => p.uid)),
    ].filter(Boolean),
  );
  const t: Tally = { problems: [], evidence: [], unseen: [] };
  judgeSnapshot(input, 'before chaos', baseline, primaryUids, t);
  judgeSnapshot(input, 'after chaos', after, primaryUids, t);
  const b = baseline.topology.primaryData;
  const a = after.topology.primaryData;
  if (b !== undefined && a !== undefined && a !== b) {
    t.problems.push(`the primary's data changed across chaos`);
    t.evidence.push({ subject: `primary ${primary}`, expected: show(b), observed: show(a), at: after.t });
  }
  if (t.problems.length) return failed(firstOf(t.problems), [...t.evidence, ...t.unseen]);
  if (t.unseen.length)
    return errored(
      `could not read the topology state of ${t.unseen.map((e) => e.subject).join(', ')}: ${t.unseen[0]?.observed ?? ''}`,
      t.unseen,
    );
  return passed(
    `${replicas.length} replicas hold the primary's data, each served by a live generation of ${primary}: ${replicas.join(', ')}`,
    [
      {
        subject: `primary ${primary}`,
        observed: show(a),
        note: `unchanged across chaos; serving uid ${after.topology.primaryUid ?? '(not recorded)'}`,
      },
      ...after.topology.copies.map((c) => ({
        subject: `replica ${c.pod}`,
        observed: `identical copy, served by uid ${c.servedBy?.uid} (${c.servedBy?.ip})`,
        at: after.t,
      })),
    ],
  );
}
