// STS-AT-MOST-ONE: the StatefulSet's core promise, at most one pod per identity, judged
// two ways.
//
// API: two pod objects of one name can never coexist in etcd (the name is the key), so
// the real hazard is a replacement created before the old pod was confirmed gone. A pod
// on a node that is down cannot confirm anything: its object may only leave the API by a
// force deletion (an operator's decision) or once the node is back. A pod object that left
// while its node was down without a recorded force deletion, followed by a replacement,
// is the violation. The node is back at its kubelet's first proof of life, and a pod whose
// kubelet reported it terminal (its containers exited) was confirmed gone by it
// (lib/timeline/node-outages.ts).
//
// Data: every container appends heartbeats to its volume every 0.1 s
// (lib/workloads/heartbeat.ts); two pod UIDs whose heartbeats interleave in time wrote
// the same volume at once. Writers are placed on one axis by lib/checks/writer-clocks.ts
// (one kernel's uptime, or measured wall-clock offsets across kernels), and an overlap
// no larger than that axis's uncertainty is a note. After a force deletion of the older
// writer an overlap is the documented hazard of force deletion (a note with its
// duration); without one it is a failure. An unreadable file is `error`.
import type { CheckDefinition, CheckInput, CheckOutcome } from './api.ts';
import type { Evidence } from '../model.ts';
import type { HeartbeatRecord } from '../probes/records.ts';
import type { TimelineEntry } from '../timeline/entries.ts';
import { describeProof, kubeletStopped, nodeOutages, type NodeOutage } from '../timeline/node-outages.ts';
import { describeKernel, kernelClocks, place, spansOf, type KernelClock, type Placed } from './writer-clocks.ts';
import { errored, failed, firstOf, inOrder, markersOf, ordinalOf, passed, podGenerations } from './support.ts';

export const atMostOne: CheckDefinition = {
  id: 'STS-AT-MOST-ONE',
  guarantee: 'never two live pods, nor two writers on one volume, for one identity',
  run: judgeAtMostOne,
};

interface Verdicts {
  problems: string[];
  evidence: Evidence[];
  errors: Evidence[];
  notes: Evidence[];
}

function judgeAtMostOne(input: CheckInput): CheckOutcome {
  const v: Verdicts = { problems: [], evidence: [], errors: [], notes: [] };
  const forced = forceDeleted(input.timeline);
  judgeApi(input, forced, v);
  const dataJudged = judgeData(input, forced, v);
  if (v.problems.length > 0) return failed(firstOf(v.problems), [...v.evidence, ...v.errors, ...v.notes]);
  if (v.errors.length > 0)
    return errored(`could not judge the volumes' writers: ${v.errors.map((e) => `${e.subject}: ${e.observed ?? ''}`).join('; ')}`, [
      ...v.errors,
      ...v.notes,
    ]);
  const hazards = v.notes.filter((e) => e.note?.startsWith('force deletion hazard'));
  const hazardText =
    hazards.length > 0
      ? `; after force deletion, two writers overlapped (the documented hazard): ${hazards.map((e) => `${e.subject} ${e.observed}`).join(', ')}`
      : '';
  const data = dataJudged
    ? `no two pod UIDs wrote one volume at once without a force deletion${hazardText}`
    : 'no heartbeats recorded (a workload that writes none, or an older recording): volumes not judged';
  return passed(`no replacement appeared before its predecessor was confirmed gone; ${data}`, v.notes);
}

/** UID -> run ms of the harness's force deletion (a force-delete kill, or an operator's on a down node). */
function forceDeleted(timeline: readonly TimelineEntry[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const { marker } of markersOf(timeline, 'kill')) if (marker.action === 'force-delete') out.set(marker.uid, marker.t);
  for (const { marker } of markersOf(timeline, 'operator-force-delete')) out.set(marker.uid, marker.t);
  return out;
}

function judgeApi(input: CheckInput, forced: Map<string, number>, v: Verdicts): void {
  const entries = inOrder(input.timeline);
  const nodeOf = new Map<string, string>();
  for (const e of entries) if (e.type !== 'MARKER' && e.kind === 'Pod' && e.pod?.node) nodeOf.set(e.pod.uid, e.pod.node);
  const outages = nodeOutages(entries);
  for (const [name, gens] of podGenerations(entries)) {
    if (ordinalOf(input.workload.statefulSet, name) === undefined) continue;
    const sorted = [...gens].sort((a, b) => a.first.index - b.first.index);
    for (let i = 1; i < sorted.length; i++) {
      const old = sorted[i - 1];
      const next = sorted[i];
      if (!old || !next) continue;
      // The name is the key: two objects of one name cannot coexist in etcd, so a successor
      // seen before its predecessor's DELETED is the recording (a missed event), not the cluster.
      if (!old.deleted || next.first.index < old.deleted.index) continue;
      const node = nodeOf.get(old.uid);
      const deleted = old.deleted;
      const gone = deleted.index;
      // Between node-down and node-up: the harness's bracket, before the kubelet's proofs shorten it.
      const bracket = outages.find((d) => d.node === node && d.from < gone && gone < (d.up?.index ?? entries.length));
      if (!bracket) continue;
      judgeDeparture(entries, { name, node: node ?? '', old: { uid: old.uid, deleted }, next, bracket }, forced, v);
    }
  }
}

interface Departure {
  name: string;
  node: string;
  old: { uid: string; deleted: { index: number; t: number } };
  next: { uid: string; first: { t: number } };
  bracket: NodeOutage;
}

/** A generation left the API between its node's node-down and node-up markers: confirmed, force-deleted, or the violation. */
function judgeDeparture(entries: TimelineEntry[], d: Departure, forced: Map<string, number>, v: Verdicts): void {
  const { name, node, old, next, bracket } = d;
  const subject = `pod ${name}`;
  const down = `node ${node} was down since t=${bracket.t}ms`;
  const stopped = kubeletStopped(entries, old.uid, old.deleted.index);
  if (stopped || bracket.to < old.deleted.index) {
    const why = [
      ...(bracket.proof && bracket.to < old.deleted.index ? [`the node was back (${describeProof(bracket.proof)})`] : []),
      ...(stopped ? [`its kubelet reported uid ${old.uid} ${stopped.phase} (every container exited) at t=${stopped.t}ms`] : []),
    ].join('; ');
    v.notes.push({
      subject,
      observed: `uid ${old.uid} left the API at t=${old.deleted.t}ms, confirmed gone before that: ${why}; uid ${next.uid} appeared at t=${next.first.t}ms`,
      note: `${down}; the node-up marker came ${bracket.up ? `at t=${bracket.up.t}ms` : 'never'} (when the Node was Ready again)`,
    });
    return;
  }
  const forcedAt = forced.get(old.uid);
  if (forcedAt !== undefined && forcedAt <= old.deleted.t) {
    v.notes.push({
      subject,
      observed: `uid ${next.uid} created at t=${next.first.t}ms, after the force deletion of uid ${old.uid} at t=${forcedAt}ms`,
      note: down,
    });
    return;
  }
  v.problems.push(
    `${name} (uid ${old.uid}) left the API while its node ${node} was down and nobody force-deleted it; replacement uid ${next.uid} was created before the old pod was confirmed gone`,
  );
  v.evidence.push({
    subject,
    expected: `no replacement for uid ${old.uid} while node ${node} is down, unless it is force-deleted`,
    observed: `uid ${old.uid} deleted at t=${old.deleted.t}ms (node down since t=${bracket.t}ms, no force deletion, no report from its kubelet since); uid ${next.uid} appeared at t=${next.first.t}ms`,
    at: old.deleted.t,
  });
}

/** False when the recording has no heartbeats at all (a workload without them, or made before they existed). */
function judgeData(input: CheckInput, forced: Map<string, number>, v: Verdicts): boolean {
  const records = input.after.heartbeats;
  if (records === undefined) return false;
  for (const p of input.baseline.pods) {
    if (!records.some((r) => r.pod === p.name))
      v.errors.push({ subject: `heartbeats ${p.name}`, observed: 'not read after chaos (no pod for this ordinal at the after snapshot)' });
  }
  const kernels = kernelClocks([...(input.baseline.clocks ?? []), ...(input.after.clocks ?? [])]);
  if (kernels.size > 0) {
    v.notes.push({
      subject: 'clocks',
      observed: `kernel clocks against the harness's (pod date bracketed by the harness): ${[...kernels.values()].map(describeKernel).join('; ')}`,
    });
  }
  for (const r of records) judgeVolume(r, forced, kernels, v);
  return true;
}

function judgeVolume(r: HeartbeatRecord, forced: Map<string, number>, kernels: ReadonlyMap<string, KernelClock>, v: Verdicts): void {
  const subject = `heartbeats ${r.pod}:${r.path}`;
  if (r.error !== undefined || r.writers.length === 0) {
    v.errors.push({
      subject,
      observed: r.error ?? 'the file holds no heartbeat',
      ...(r.unobserved ? { note: 'the read could not be made' } : {}),
    });
    return;
  }
  const spans = spansOf(r.writers);
  let overlaps = 0;
  for (let i = 0; i < spans.length; i++) {
    for (let j = i + 1; j < spans.length; j++) {
      const x = spans[i];
      const y = spans[j];
      if (!x || !y || x.uid === y.uid) continue;
      const p = place(x, y, kernels);
      if ('error' in p) {
        v.errors.push({ subject, observed: `uid ${x.uid} and uid ${y.uid}: ${p.error}` });
        continue;
      }
      if (p.overlapMs <= -p.uncertaintyMs) continue;
      overlaps++;
      judgeOverlap(subject, r.pod, p, forced, v);
    }
  }
  if (overlaps === 0) {
    const order = [...spans].sort((a, b) => a.first - b.first);
    v.notes.push({
      subject,
      observed: `${order.length} writers, one after another: ${order.map((s) => `${s.uid} (${s.beats} beats)`).join(', ')}`,
    });
  }
  if (r.badLines) v.notes.push({ subject, observed: `${r.badLines} torn lines ignored`, note: 'a writer killed mid-line' });
}

/** An overlap (or a gap) no larger than the clocks' uncertainty cannot be told from none: a note, never a failure. */
function judgeOverlap(subject: string, pod: string, p: Placed, forced: Map<string, number>, v: Verdicts): void {
  const { a, b, overlapMs: ms, uncertaintyMs: u } = p;
  if (ms <= u) {
    const what = ms > 0 ? `both wrote for ${ms} ms` : `one stopped ${-ms} ms before the other started`;
    v.notes.push({
      subject,
      observed: `uid ${a.uid} and uid ${b.uid}: ${what} (${p.clock})`,
      note: `within the clocks' uncertainty (± ${u} ms): cannot tell an overlap from none`,
    });
    return;
  }
  const observed = `uid ${a.uid} and uid ${b.uid} both wrote for ${ms} ms (${p.clock})`;
  if (forced.has(a.uid)) {
    v.notes.push({
      subject,
      observed,
      note: `force deletion hazard: uid ${a.uid} was force-deleted at t=${forced.get(a.uid)}ms and kept writing ${ms} ms after uid ${b.uid} started`,
    });
    return;
  }
  v.problems.push(`two pods of ${pod} wrote its volume at once for ${ms} ms: uid ${a.uid} and uid ${b.uid}, with no force deletion`);
  v.evidence.push({ subject, expected: 'one writer at a time', observed, note: `uid ${a.uid} was not force-deleted` });
}
