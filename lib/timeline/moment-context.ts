// What the cluster was going through at a failing moment, so that a broken guarantee
// right after a control-plane outage says so without the reader digging: a watch gap
// the moment falls in or shortly after, pods the node lifecycle controller marked
// NotReady (its `NodeNotReady` pod events: the node stopped reporting), every node
// hosting the run's pods marked so at once (the controller's "master disruption mode"
// is that situation cluster-wide), and how stale the states of the pods not Ready then
// were (when each last changed in the API). Pure over the timeline; nothing here
// changes a verdict.
import { podName, ordinals } from '../names.ts';
import type { WorkloadInfo } from '../model.ts';
import { inOrder, isPodEntry, type PodEntry } from './queries.ts';
import type { MarkerOf, TimelineEntry } from './entries.ts';

/** How long after a gap or a NotReady marking a moment still counts as its aftermath. */
export const AFTERMATH_MS = 120_000;

export interface MomentContext {
  /** One line per fact, for evidence. */
  lines: string[];
  /** Which kinds of trouble: for the report's links. */
  kinds: ('watch-gap' | 'node-not-ready' | 'all-nodes-not-ready')[];
}

const s = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

/** Empty when the moment `t` (run ms) is neither in nor shortly after a watch gap or a NotReady marking. */
export function momentContext(timeline: readonly TimelineEntry[], workload: WorkloadInfo, t: number): MomentContext {
  const entries = inOrder(timeline);
  const lines: string[] = [];
  const kinds: MomentContext['kinds'] = [];
  for (const g of entries.filter((e): e is MarkerOf<'watch-gap'> => e.type === 'MARKER' && e.marker === 'watch-gap')) {
    if (g.from > t || t > g.to + AFTERMATH_MS) continue;
    const where = t <= g.to ? 'inside' : `${s(t - g.to)} after`;
    lines.push(
      `${where} a ${g.kind} watch gap: down for ${s(g.to - g.from)} (t=${g.from}..${g.to}ms: ${g.reason}${g.reconciled ? `; ${g.reconciled} changes found by the re-list` : ''})`,
    );
    if (!kinds.includes('watch-gap')) kinds.push('watch-gap');
  }
  const marked = notReadyMarkings(entries, workload, t);
  if (marked.length > 0) {
    kinds.push('node-not-ready');
    for (const [node, ms] of Map.groupBy(marked, (m) => m.node)) {
      lines.push(
        `node ${node} marked NotReady by the node lifecycle controller (NodeNotReady on ${ms.map((m) => `${m.pod} at t=${m.t}ms`).join(', ')}): ${ms.map((m) => (m.back === undefined ? `${m.pod} still not Ready` : `${m.pod} Ready again at t=${m.back}ms`)).join(', ')}`,
      );
    }
    const hosting = nodesHosting(entries, workload, t);
    const down = new Set(marked.filter((m) => m.back === undefined).map((m) => m.node));
    if (hosting.size > 1 && [...hosting].every((n) => down.has(n))) {
      kinds.push('all-nodes-not-ready');
      lines.push(
        `every node hosting the run's pods (${[...hosting].join(', ')}) was NotReady at once: as in the node lifecycle controller's "master disruption mode", when it is every node of the cluster (it then lifts the unreachable taints and stops all evictions)`,
      );
    }
  }
  if (lines.length > 0) lines.push(...staleStates(entries, workload, t));
  return { lines, kinds };
}

interface Marking {
  pod: string;
  node: string;
  t: number;
  /** Run ms the pod was Ready again, if before the moment. */
  back?: number;
}

/** NodeNotReady pod events before `t` whose pod was not Ready since, or Ready again only within AFTERMATH_MS before `t`. */
function notReadyMarkings(entries: readonly TimelineEntry[], workload: WorkloadInfo, t: number): Marking[] {
  const names = new Set(ordinals(workload).map((o) => podName(workload, o)));
  const out: Marking[] = [];
  for (const e of entries) {
    if (e.t > t || e.type === 'MARKER' || e.kind !== 'Event' || e.event?.reason !== 'NodeNotReady') continue;
    const pod = e.event.involved.replace(/^Pod\//, '');
    if (!names.has(pod)) continue;
    const own = entries.filter((x): x is PodEntry => isPodEntry(x) && x.name === pod && x.t <= t);
    const node = own.filter((x) => x.t <= e.t).at(-1)?.pod.node ?? '(unknown)';
    const back = own.find((x) => x.t > e.t && x.type !== 'DELETED' && x.pod.ready)?.t;
    if (back !== undefined && t - back > AFTERMATH_MS) continue;
    const prior = out.findIndex((m) => m.pod === pod);
    if (prior >= 0) out.splice(prior, 1);
    out.push({ pod, node, t: e.t, ...(back !== undefined ? { back } : {}) });
  }
  return out;
}

function nodesHosting(entries: readonly TimelineEntry[], workload: WorkloadInfo, t: number): Set<string> {
  const last = lastEntries(entries, workload, t);
  return new Set([...last.values()].filter((e) => e.type !== 'DELETED' && e.pod.node).map((e) => e.pod.node as string));
}

function lastEntries(entries: readonly TimelineEntry[], workload: WorkloadInfo, t: number): Map<string, PodEntry> {
  const names = new Set(ordinals(workload).map((o) => podName(workload, o)));
  const last = new Map<string, PodEntry>();
  for (const e of entries) if (e.t <= t && isPodEntry(e) && names.has(e.name)) last.set(e.name, e);
  return last;
}

/** The pods not Ready at `t`, with how long their state in the API had not changed. */
function staleStates(entries: readonly TimelineEntry[], workload: WorkloadInfo, t: number): string[] {
  const out: string[] = [];
  for (const [name, e] of lastEntries(entries, workload, t)) {
    // A pod that just changed (the one being replaced) is not deciding anything stale.
    if (e.type === 'DELETED' || e.pod.ready || t - e.t < 1000) continue;
    out.push(
      `${name}'s state in the API was ${s(t - e.t)} old (not Ready${e.pod.deletionTimestamp ? ', terminating' : ''}, unchanged since t=${e.t}ms${e.relisted ? ', as a re-list found it' : ''})`,
    );
  }
  return out;
}
