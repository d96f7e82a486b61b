// STS-AT-MOST-ONE: the StatefulSet's core promise, at most one pod per identity, judged
// two ways.
//
// API: two pod objects of one name can never coexist in etcd (the name is the key), so
// the real hazard is a replacement created before the old pod was confirmed gone. A pod
// on a node that is down cannot confirm anything: its object may only leave the API by a
// force deletion (an operator's decision) or once the node is back. A pod object that left
// while its node was down without a recorded force deletion, followed by a replacement,
// is the violation; so is a replacement seen before the old object's DELETED.
//
// Data: every container appends heartbeats to its volume (lib/workloads/heartbeat.ts);
// two pod UIDs whose heartbeats interleave in time wrote the same volume at once. After
// a force deletion of the older one that is the documented hazard of force deletion (a
// note with its duration); without one it is a failure. An unreadable file is `error`.
import type { CheckDefinition, CheckInput, CheckOutcome } from './api.ts';
import type { Evidence } from '../model.ts';
import type { HeartbeatRecord, HeartbeatWriter } from '../probes/records.ts';
import type { TimelineEntry } from '../timeline/entries.ts';
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
  if (v.errors.length > 0) return errored(`could not judge the volumes' writers: ${v.errors.map((e) => `${e.subject}: ${e.observed ?? ''}`).join('; ')}`, [...v.errors, ...v.notes]);
  const hazards = v.notes.filter((e) => e.note?.startsWith('force deletion hazard'));
  const hazardText = hazards.length > 0
    ? `; after force deletion, two writers overlapped (the documented hazard): ${hazards.map((e) => `${e.subject} ${e.observed}`).join(', ')}`
    : '';
  const data = dataJudged ? `no two pod UIDs wrote one volume at once without a force deletion${hazardText}` : 'no heartbeats recorded (a workload that writes none, or an older recording): volumes not judged';
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
  // Each node's down intervals, as timeline indexes [down, up) (up = end when it never came back).
  const down = markersOf(entries, 'node-down').map(({ index, marker }) => {
    const up = markersOf(entries, 'node-up').find((u) => u.index > index && u.marker.node === marker.node);
    return { node: marker.node, from: index, to: up?.index ?? entries.length, t: marker.t };
  });
  for (const [name, gens] of podGenerations(entries)) {
    if (ordinalOf(input.workload.statefulSet, name) === undefined) continue;
    const sorted = [...gens].sort((a, b) => a.first.index - b.first.index);
    for (let i = 1; i < sorted.length; i++) {
      const old = sorted[i - 1];
      const next = sorted[i];
      if (!old || !next) continue;
      const subject = `pod ${name}`;
      if (!old.deleted || next.first.index < old.deleted.index) {
        v.problems.push(`two pod objects named ${name} at once: uid ${old.uid} and uid ${next.uid}`);
        v.evidence.push({
          subject,
          expected: `uid ${next.uid} created only after uid ${old.uid} was deleted`,
          observed: `uid ${next.uid} appeared at t=${next.first.t}ms while uid ${old.uid} was ${old.deleted ? `still present until t=${old.deleted.t}ms` : 'never deleted'}`,
          at: next.first.t,
        });
        continue;
      }
      const node = nodeOf.get(old.uid);
      const gone = old.deleted.index;
      const outage = down.find((d) => d.node === node && d.from < gone && gone < d.to);
      if (!outage) continue;
      const forcedAt = forced.get(old.uid);
      if (forcedAt !== undefined && forcedAt <= old.deleted.t) {
        v.notes.push({ subject, observed: `uid ${next.uid} created at t=${next.first.t}ms, after the force deletion of uid ${old.uid} at t=${forcedAt}ms`, note: `node ${node} was down since t=${outage.t}ms` });
        continue;
      }
      v.problems.push(`${name} (uid ${old.uid}) left the API while its node ${node} was down and nobody force-deleted it; replacement uid ${next.uid} was created before the old pod was confirmed gone`);
      v.evidence.push({
        subject,
        expected: `no replacement for uid ${old.uid} while node ${node} is down, unless it is force-deleted`,
        observed: `uid ${old.uid} deleted at t=${old.deleted.t}ms (node down since t=${outage.t}ms, no force deletion); uid ${next.uid} appeared at t=${next.first.t}ms`,
        at: old.deleted.t,
      });
    }
  }
}

/** False when the recording has no heartbeats at all (a workload without them, or made before they existed). */
function judgeData(input: CheckInput, forced: Map<string, number>, v: Verdicts): boolean {
  const records = input.after.heartbeats;
  if (records === undefined) return false;
  for (const p of input.baseline.pods) {
    if (!records.some((r) => r.pod === p.name)) v.errors.push({ subject: `heartbeats ${p.name}`, observed: 'not read after chaos (no pod for this ordinal at the after snapshot)' });
  }
  for (const r of records) judgeVolume(r, forced, v);
  return true;
}

interface Span {
  uid: string;
  first: number;
  last: number;
  beats: number;
}

function judgeVolume(r: HeartbeatRecord, forced: Map<string, number>, v: Verdicts): void {
  const subject = `heartbeats ${r.pod}:${r.path}`;
  if (r.error !== undefined || r.writers.length === 0) {
    v.errors.push({ subject, observed: r.error ?? 'the file holds no heartbeat', ...(r.unobserved ? { note: 'the read could not be made' } : {}) });
    return;
  }
  const clock = pickClock(r.writers);
  if (!clock) {
    v.errors.push({ subject, observed: 'writers on different kernels without wall-clock times: their heartbeats cannot be ordered' });
    return;
  }
  const spans = new Map<string, Span>();
  for (const w of r.writers) {
    const [first, last] = clock.times(w);
    const s = spans.get(w.uid);
    if (!s) spans.set(w.uid, { uid: w.uid, first, last, beats: w.beats });
    else Object.assign(s, { first: Math.min(s.first, first), last: Math.max(s.last, last), beats: s.beats + w.beats });
  }
  const sorted = [...spans.values()].sort((a, b) => a.first - b.first);
  let overlaps = 0;
  for (let i = 0; i < sorted.length; i++) {
    for (let j = i + 1; j < sorted.length; j++) {
      const a = sorted[i];
      const b = sorted[j];
      if (!a || !b) continue;
      const ms = Math.min(a.last, b.last) - Math.max(a.first, b.first);
      if (ms <= 0) continue;
      overlaps++;
      const observed = `uid ${a.uid} and uid ${b.uid} both wrote for ${ms} ms (${clock.name})`;
      if (forced.has(a.uid)) {
        v.notes.push({ subject, observed, note: `force deletion hazard: uid ${a.uid} was force-deleted at t=${forced.get(a.uid)}ms and kept writing ${ms} ms after uid ${b.uid} started` });
      } else {
        v.problems.push(`two pods of ${r.pod} wrote its volume at once for ${ms} ms: uid ${a.uid} and uid ${b.uid}, with no force deletion`);
        v.evidence.push({ subject, expected: 'one writer at a time', observed, note: `uid ${a.uid} was not force-deleted` });
      }
    }
  }
  if (overlaps === 0) {
    v.notes.push({ subject, observed: `${sorted.length} writers, one after another: ${sorted.map((s) => `${s.uid} (${s.beats} beats)`).join(', ')}` });
  }
  if (r.badLines) v.notes.push({ subject, observed: `${r.badLines} torn lines ignored`, note: 'a writer killed mid-line' });
}

/** The kernel's uptime when every writer shares one boot id; otherwise the wall clock (assumes synchronised clocks). */
function pickClock(writers: HeartbeatWriter[]): { name: string; times: (w: HeartbeatWriter) => [number, number] } | undefined {
  if (new Set(writers.map((w) => w.bootId)).size === 1) return { name: 'one kernel, monotonic uptime', times: (w) => [w.firstUptimeMs, w.lastUptimeMs] };
  if (writers.every((w) => w.firstWallMs !== undefined && w.lastWallMs !== undefined)) {
    return { name: 'different kernels: wall clocks, assumed in sync', times: (w) => [w.firstWallMs ?? 0, w.lastWallMs ?? 0] };
  }
  return undefined;
}
