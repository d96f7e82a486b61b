// STS-RECOVERY, pods that were not killed (lib/checks/recovery.ts has the whole guarantee):
// each keeps its UID from baseline to after-snapshot unless an update step replaced it, the
// taint-eviction controller deleted it or the kubelet marked it Failed first (the node's
// doing: reported, not failed).
import type { CheckInput } from './api.ts';
import type { PodState, TimelineEntry } from '../timeline/entries.ts';
import { describeTaintEviction, taintEvictionOf } from '../timeline/kills.ts';
import { replacedByUpdate, updateSteps } from '../timeline/update.ts';
import { findMarker, isPodEntry, markersOf, ordinalOf, type PodGeneration } from './support.ts';
import type { Findings } from './recovery-round.ts';

/** Any pod that was not killed must keep its UID from the baseline to the after-snapshot. */
export function judgeUnplanned(input: CheckInput, entries: TimelineEntry[], generations: Map<string, PodGeneration[]>, f: Findings): void {
  const { workload } = input;
  const baselineIdx = findMarker(entries, 'baseline');
  const from = baselineIdx >= 0 ? baselineIdx : findMarker(entries, 'round-start');
  const afterIdx = findMarker(entries, 'after', from);
  const to = afterIdx >= 0 ? afterIdx : entries.length;
  // A generation's end (a baseline pod's or a replacement's) is planned only when a kill
  // marker for its UID came before it.
  const killedAt = new Map(markersOf(entries, 'kill').map((k) => [k.marker.uid, k.index]));
  const planned = (uid: string, at: number): boolean => (killedAt.get(uid) ?? Number.POSITIVE_INFINITY) < at;
  const reported = new Set<string>();
  // UIDs an update step replaced: the controller's (RollingUpdate) or the operator's (OnDelete).
  const steps = updateSteps(entries);
  const updated = new Set<string>();
  for (const [name, gens] of generations) {
    if (ordinalOf(workload.statefulSet, name) === undefined) continue;
    gens.forEach((g, i) => {
      const gone = g.terminating ?? g.deleted;
      if (!gone || gone.index <= from || gone.index >= to || planned(g.uid, gone.index)) return;
      if (replacedByUpdate(entries, steps, workload, g, gone.index)) {
        updated.add(g.uid);
        return;
      }
      reported.add(name);
      judgeUnkilledEnd(entries, name, g, gens[i + 1], gone, f);
    });
  }
  // The snapshots are a second witness: a replacement the watch did not show is still one.
  for (const b of input.baseline.pods) {
    const a = input.after.pods.find((p) => p.name === b.name);
    if (!a || a.uid === b.uid || killedAt.has(b.uid) || reported.has(b.name) || updated.has(b.uid)) continue;
    f.problems.push(`${b.name} was not killed but its UID changed from ${b.uid} to ${a.uid} between the baseline and after snapshots`);
    f.evidence.push({
      subject: `pod ${b.name}`,
      expected: `uid ${b.uid} kept`,
      observed: `after-snapshot uid ${a.uid}; the watch showed no deletion of ${b.uid}`,
    });
  }
}

/**
 * One generation of a pod that was not killed ended (and no update step replaced it): the
 * node's taint eviction or the kubelet's Failed are reported, anything else is a failure.
 */
function judgeUnkilledEnd(
  entries: TimelineEntry[],
  name: string,
  g: PodGeneration,
  next: PodGeneration | undefined,
  gone: { index: number; t: number },
  f: Findings,
): void {
  const evicted = taintEvictionOf(entries, g.uid);
  if (evicted) {
    const by = next ? `; replaced by uid ${next.uid}` : '';
    f.evidence.push({
      subject: `pod ${name}`,
      observed: `uid ${g.uid} not killed by the run but ${describeTaintEviction(evicted)}${by}`,
      at: evicted.t,
      note: 'an external deletion, like a kill',
    });
    f.byNode.push(`${name} (taint eviction on node ${evicted.node ?? '(unknown)'})`);
    return;
  }
  const ended = endedByKubelet(entries, name, g.uid, gone.index);
  if (ended) {
    const by = next
      ? `; the controller replaced it with uid ${next.uid} (ADDED at t=${(next.added ?? next.first).t}ms)`
      : '; no replacement seen';
    const cause = `${ended.pod.phase}${ended.pod.reason ? `: ${ended.pod.reason}` : ''}`;
    f.evidence.push({
      subject: `pod ${name}`,
      at: ended.t,
      note: 'ended by the kubelet, not replaced without cause',
      observed: `uid ${g.uid} not killed by the run: the kubelet marked it ${cause} at t=${ended.t}ms (${ended.pod.message ?? 'no message'})${by}`,
    });
    f.byKubelet.push(`${name} (${cause})`);
    return;
  }
  const seen = [
    g.terminating ? `terminating at t=${g.terminating.t}ms` : undefined,
    g.deleted ? `DELETED at t=${g.deleted.t}ms` : undefined,
    next ? `replaced by uid ${next.uid} (ADDED at t=${(next.added ?? next.first).t}ms)` : 'no replacement seen',
  ]
    .filter(Boolean)
    .join(', ');
  f.problems.push(`${name} was not killed but its pod (uid ${g.uid}) was replaced: ${seen}`);
  f.evidence.push({
    subject: `pod ${name}`,
    expected: `uid ${g.uid} kept through the run (not killed)`,
    observed: `old uid ${g.uid}: ${seen}`,
    at: gone.t,
  });
}

/**
 * The entry, before the generation began terminating, where the kubelet had marked it
 * Failed or Succeeded (evicted under node pressure or over its ephemeral-storage limit,
 * shut down with its node): the controller deletes such a pod and creates it again, under
 * any strategy (lib/timeline/update.ts, `failed-pod`).
 */
function endedByKubelet(entries: TimelineEntry[], name: string, uid: string, index: number): { t: number; pod: PodState } | undefined {
  for (let i = index - 1; i >= 0; i--) {
    const e = entries[i];
    if (!e || !isPodEntry(e) || e.name !== name || e.pod.uid !== uid) continue;
    return ['Failed', 'Succeeded'].includes(e.pod.phase) && !e.pod.deletionTimestamp ? { t: e.t, pod: e.pod } : undefined;
  }
  return undefined;
}
