// Generic violations that can be planted into ANY correct CheckInput (the hand-built one
// or a fixture recorded from a real cluster), each with the check it must trip and a
// needle (pod, claim or name) that the failure must mention.
import type { CheckInput } from '../../../lib/checks/api.ts';
import type { TimelineEntry, WatchEntry } from '../../../lib/timeline/entries.ts';
import { listingOf } from '../../../lib/checks/dns.ts';
import { ordinalOf } from '../../../lib/timeline/queries.ts';
import { insertBefore, mutate, podIn } from './timeline-edit.ts';

export interface Planted {
  input: CheckInput;
  needle: string;
}

export interface Mutation {
  check: string;
  name: string;
  /** undefined when the input has nothing this mutation can act on. */
  apply(input: CheckInput): Planted | undefined;
}

const ordinalIn = (input: CheckInput, name: string): number | undefined => ordinalOf(input.workload.statefulSet, name);

const markerIndex = (tl: TimelineEntry[], marker: string, from = 0): number =>
  tl.findIndex((e, i) => i >= from && e.type === 'MARKER' && e.marker === marker);

/**
 * Makes the predecessor of the pod ADDED at `idx` not Ready for the whole causal window
 * (from `windowStart` to the ADDED): every entry of it in the window shows it not ready,
 * and if it was Ready when the window opened, a not-ready entry is inserted there. A
 * regression only near the ADDED would be the benign informer race, not a violation.
 */
function neverReadyInWindow(input: CheckInput, idx: number, windowStart: number): Planted | undefined {
  const added = input.timeline[idx];
  if (!added || added.type === 'MARKER') return undefined;
  const ordinal = ordinalIn(input, added.name);
  if (ordinal === undefined || ordinal < 1) return undefined;
  const pred = `${input.workload.statefulSet}-${ordinal - 1}`;
  const isPred = (e: TimelineEntry | undefined): e is WatchEntry => !!e && e.type !== 'MARKER' && e.kind === 'Pod' && e.name === pred;
  const opening = input.timeline[windowStart];
  const edited = mutate(input, (d) => {
    for (let i = windowStart; i < idx; i++) {
      const e = d.timeline[i];
      if (isPred(e) && e.pod) e.pod.ready = false;
    }
  });
  const last = input.timeline.slice(0, windowStart + 1).findLast(isPred);
  if (!opening || !last?.pod || last.type === 'DELETED') return { input: edited, needle: pred };
  const { seq: _s, t: _t, wall: _w, ...rest } = last;
  const entry = { ...rest, type: 'MODIFIED' as const, resourceVersion: `${last.resourceVersion}-x`, pod: { ...last.pod, ready: false } };
  return { input: insertBefore(edited, (e) => e.seq === opening.seq, entry), needle: pred };
}

function firstAddedIn(input: CheckInput, from: number, to: number, isNew: (e: WatchEntry) => boolean): number[] {
  const out: number[] = [];
  for (let i = from; i < to; i++) {
    const e = input.timeline[i];
    if (e && e.type === 'ADDED' && e.kind === 'Pod' && isNew(e) && (ordinalIn(input, e.name) ?? 0) >= 1) out.push(i);
  }
  return out;
}

export const MUTATIONS: Mutation[] = [
  {
    check: 'STS-ORDER-CREATE',
    name: "a predecessor is never Ready between the deploy and the next pod's creation",
    apply(input) {
      if (input.workload.podManagementPolicy === 'Parallel') return undefined;
      const tl = input.timeline;
      const deploy = markerIndex(tl, 'deploy');
      const end = markerIndex(tl, 'rollout-complete', deploy);
      if (deploy < 0 || end < 0) return undefined;
      const [idx] = firstAddedIn(input, deploy, end, () => true);
      return idx === undefined ? undefined : neverReadyInWindow(input, idx, deploy + 1);
    },
  },
  {
    check: 'STS-ORDER-RECREATE',
    name: "a predecessor is never Ready between a killed pod's deletion and its replacement",
    apply(input) {
      if (input.workload.podManagementPolicy === 'Parallel') return undefined;
      const tl = input.timeline;
      for (let s = markerIndex(tl, 'round-start'); s >= 0; s = markerIndex(tl, 'round-start', s + 1)) {
        const end = markerIndex(tl, 'round-end', s);
        const before = new Map<string, string>();
        for (const e of tl.slice(0, s)) if (e.type !== 'MARKER' && e.kind === 'Pod' && e.pod) before.set(e.name, e.pod.uid);
        const [idx] = firstAddedIn(input, s, end < 0 ? tl.length : end, (e) => e.pod?.uid !== before.get(e.name));
        const added = idx === undefined ? undefined : tl[idx];
        if (idx === undefined || !added || added.type === 'MARKER') continue;
        // The window opens at the previous generation's DELETED.
        const gone = tl.findIndex(
          (e, i) => i < idx && e.type === 'DELETED' && e.kind === 'Pod' && e.name === added.name && e.pod?.uid === before.get(added.name),
        );
        const planted = gone < 0 ? undefined : neverReadyInWindow(input, idx, gone);
        if (planted) return planted;
      }
      return undefined;
    },
  },
  {
    check: 'STS-RECOVERY',
    name: "a killed pod's replacement never becomes Ready and the round does not converge",
    apply(input) {
      const tl = input.timeline;
      const k = markerIndex(tl, 'kill');
      const kill = tl[k];
      if (kill?.type !== 'MARKER' || kill.marker !== 'kill') return undefined;
      const end = tl.findIndex((e, i) => i > k && e.type === 'MARKER' && e.marker === 'round-end' && e.round === kill.round);
      if (end < 0) return undefined;
      const edited = mutate(input, (d) => {
        d.timeline.forEach((e, i) => {
          if (i > k && e.type !== 'MARKER' && e.kind === 'Pod' && e.name === kill.pod && e.pod && e.pod.uid !== kill.uid)
            e.pod.ready = false;
          if (i === end && e.type === 'MARKER' && e.marker === 'round-end') e.converged = false;
        });
      });
      return { input: edited, needle: kill.pod };
    },
  },
  {
    check: 'STS-RECOVERY',
    name: 'a pod that was not killed is replaced during a round',
    apply(input) {
      const tl = input.timeline;
      const start = markerIndex(tl, 'round-start');
      const end = markerIndex(tl, 'round-end', start);
      if (start < 0 || end < 0) return undefined;
      const killed = new Set(tl.slice(start, end).flatMap((e) => (e.type === 'MARKER' && e.marker === 'kill' ? [e.pod] : [])));
      const victim = input.baseline.pods.find((p) => !killed.has(p.name));
      const last = tl.slice(0, end).findLast((e): e is WatchEntry => e.type !== 'MARKER' && e.kind === 'Pod' && e.name === victim?.name);
      if (!victim || !last?.pod || last.type === 'DELETED') return undefined;
      const { seq: _s, t: _t, wall: _w, ...rest } = last;
      const roundEnd = tl[end];
      const atEnd = (e: TimelineEntry): boolean => e.seq === roundEnd?.seq;
      const gone = insertBefore(input, atEnd, { ...rest, type: 'DELETED' as const, resourceVersion: `${last.resourceVersion}-gone` });
      const back = insertBefore(gone, atEnd, {
        ...rest,
        type: 'ADDED' as const,
        resourceVersion: `${last.resourceVersion}-new`,
        pod: { ...last.pod, uid: `${last.pod.uid}-unplanned` },
      });
      return { input: back, needle: victim.name };
    },
  },
  {
    check: 'STS-IDENTITY',
    name: 'a killed pod keeps its old UID',
    apply(input) {
      const killed = input.rounds.flatMap((r) => r.plan.kills.map((k) => k.pod));
      const name = killed.find((n) => input.baseline.pods.some((p) => p.name === n) && input.after.pods.some((p) => p.name === n));
      if (!name) return undefined;
      const old = input.baseline.pods.find((p) => p.name === name)?.uid ?? '';
      return { input: mutate(input, (d) => (podIn(d.after, name).uid = old)), needle: name };
    },
  },
  {
    check: 'STS-IDENTITY',
    name: 'a pod has the wrong subdomain',
    apply(input) {
      const name = input.after.pods[0]?.name;
      if (!name) return undefined;
      return { input: mutate(input, (d) => (podIn(d.after, name).subdomain = 'other')), needle: name };
    },
  },
  {
    check: 'STS-DNS-A',
    name: 'the last A answer is a stale address',
    apply(input) {
      const pod = input.after.pods[0];
      if (!pod) return undefined;
      const stale = pod.ip === '192.0.2.1' ? '192.0.2.2' : '192.0.2.1';
      const planted = mutate(input, (d) => {
        for (const l of d.after.dnsA) {
          if (l.pod !== pod.name) continue;
          l.answers.push({ t: (l.answers.at(-1)?.t ?? 0) + 1, rcode: 'NOERROR', addresses: [stale] });
          // Newer recordings keep every server's answers too: the stale one is the first server's.
          const first = l.servers?.[0];
          if (first) first.answers.push({ t: (first.answers.at(-1)?.t ?? 0) + 1, rcode: 'NOERROR', addresses: [stale] });
        }
      });
      return { input: planted, needle: stale };
    },
  },
  {
    check: 'STS-DNS-SRV',
    name: "a pod published throughout the answer's TTL window is missing from the SRV answer",
    apply(input) {
      const srv = input.after.dnsSrv;
      if (!srv) return undefined;
      // Only a pod DNS had to list: one that turned ready within a TTL of the answer may be missing.
      const required = listingOf(input).srvAt(srv.t, srv.servers?.[0]?.ttl).required;
      const norm = (x: string): string => x.replace(/\.$/, '').toLowerCase();
      const victim = srv.targets.map((x) => norm(x.target)).find((x) => required.some((p) => x.startsWith(`${p}.`)));
      if (!victim) return undefined;
      const drop = (ts: { target: string }[]): { target: string; port: number }[] =>
        (ts as { target: string; port: number }[]).filter((x) => norm(x.target) !== victim);
      return {
        input: mutate(input, (d) => {
          if (d.after.dnsSrv) d.after.dnsSrv.targets = drop(d.after.dnsSrv.targets);
          for (const s of d.after.dnsSrv?.servers ?? []) s.targets = drop(s.targets);
        }),
        needle: victim,
      };
    },
  },
  {
    check: 'STS-DNS-SRV',
    name: 'the SRV answer lists a pod the StatefulSet never had',
    apply(input) {
      const first = input.after.dnsSrv?.targets[0];
      if (!first) return undefined;
      const needle = `${input.workload.statefulSet}-97.${first.target.split('.').slice(1).join('.')}`.replace(/\.$/, '').toLowerCase();
      return {
        input: mutate(input, (d) => {
          d.after.dnsSrv?.targets.push({ target: needle, port: first.port });
          d.after.dnsSrv?.servers?.[0]?.targets.push({ target: needle, port: first.port });
        }),
        needle,
      };
    },
  },
  {
    check: 'STS-PVC-BINDING',
    name: 'a claim has a new PVC UID',
    apply(input) {
      const tmpl = input.workload.claimTemplates[0];
      const pod = input.after.pods[0];
      const claim = tmpl === undefined ? undefined : pod?.claims[tmpl];
      if (!pod || !tmpl || !claim) return undefined;
      const edited = mutate(input, (d) => {
        const c = d.after.pods[0]?.claims[tmpl];
        if (c) c.pvcUid = `${c.pvcUid}-new`;
      });
      return { input: edited, needle: claim.claimName };
    },
  },
  {
    check: 'STS-DATA-SENTINEL',
    name: 'a sentinel reads back different bytes',
    apply(input) {
      const s = input.baseline.sentinels[0];
      if (!s) return undefined;
      const edited = mutate(input, (d) => {
        for (const a of d.after.sentinels) {
          if (a.pod === s.pod && a.path === s.path) Object.assign(a, { token: 'deadbeef', sha256: '0'.repeat(64), bytes: 8 });
        }
      });
      return { input: edited, needle: s.pod };
    },
  },
  {
    check: 'STS-TOPOLOGY-PRIMARY',
    name: 'a replica holds a copy that differs from the primary',
    apply(input) {
      const copy = input.after.topology?.copies[0];
      if (!copy) return undefined;
      const edited = mutate(input, (d) => {
        const c = d.after.topology?.copies[0];
        if (c) c.data = 'not-the-primary-data';
      });
      return { input: edited, needle: copy.pod };
    },
  },
  {
    check: 'STS-ORDER-SCALEDOWN',
    name: 'a pod that stays is not Ready throughout the scale-down',
    apply(input) {
      const tl = input.timeline;
      const start = markerIndex(tl, 'scale-down');
      const marker = tl[start];
      if (marker?.type !== 'MARKER' || marker.marker !== 'scale-down' || marker.to < 1) return undefined;
      const stays = `${input.workload.statefulSet}-0`;
      const isStays = (e: TimelineEntry | undefined): e is WatchEntry => !!e && e.type !== 'MARKER' && e.kind === 'Pod' && e.name === stays;
      const last = tl.slice(0, start).findLast(isStays);
      if (!last?.pod || last.type === 'DELETED') return undefined;
      const edited = mutate(input, (d) => {
        for (const e of d.timeline.slice(start)) if (isStays(e) && e.pod) e.pod.ready = false;
      });
      const { seq: _s, t: _t, wall: _w, ...rest } = last;
      const entry = {
        ...rest,
        type: 'MODIFIED' as const,
        resourceVersion: `${last.resourceVersion}-nr`,
        pod: { ...last.pod, ready: false },
      };
      return { input: insertBefore(edited, (e) => e.seq === marker.seq, entry), needle: stays };
    },
  },
  {
    check: 'STS-ORDER-SCALEDOWN',
    name: 'the next lower ordinal starts terminating before the higher one is gone',
    apply(input) {
      const tl = input.timeline;
      const start = markerIndex(tl, 'scale-down');
      if (start < 0) return undefined;
      const isPodAt = (e: TimelineEntry): e is WatchEntry => e.type !== 'MARKER' && e.kind === 'Pod';
      // The first pod to go is the highest ordinal; the next one's first deleting entry
      // is moved to just before the first one's DELETED.
      const gone = tl.findIndex((e, i) => i > start && isPodAt(e) && e.type === 'DELETED');
      const first = tl[gone];
      if (!first || !isPodAt(first)) return undefined;
      const nextIdx = tl.findIndex(
        (e, i) => i > gone && isPodAt(e) && e.name !== first.name && (e.type === 'DELETED' || !!e.pod?.deletionTimestamp),
      );
      const next = tl[nextIdx];
      if (!next || !isPodAt(next)) return undefined;
      const { seq: _s, t: _t, wall: _w, ...rest } = next;
      const edited = insertBefore(input, (e) => e.seq === first.seq, {
        ...rest,
        type: 'MODIFIED' as const,
        resourceVersion: `${next.resourceVersion}-early`,
      });
      return { input: edited, needle: next.name };
    },
  },
];
