// The shared timeline queries: one definition of Ready, pod generations, typed marker
// lookup, and a watch-gap marker that every reader tolerates.
import { expect } from 'chai';
import {
  findMarker,
  isReady,
  markerAt,
  markersOf,
  ordinalOf,
  PodView,
  podGenerations,
  pullFailure,
} from '../../../lib/timeline/queries.ts';
import { judgeCreation } from '../../../lib/timeline/causal.ts';
import type { PodState, TimelineEntry, WatchEntry } from '../../../lib/timeline/entries.ts';
import { buildWebInput } from '../helpers/timeline-builder.ts';

const state = (patch: Partial<PodState> = {}): PodState => ({ uid: 'u', phase: 'Running', ready: true, claims: {}, ...patch });

describe('timeline queries', () => {
  it('isReady: present, Running, Ready and not terminating, nothing less', () => {
    expect(isReady(state())).to.equal(true);
    expect(isReady(undefined)).to.equal(false);
    expect(isReady(state({ phase: 'Pending' }))).to.equal(false);
    expect(isReady(state({ ready: false }))).to.equal(false);
    expect(isReady(state({ deletionTimestamp: '2025-05-01T12:00:00Z' }))).to.equal(false);
    // A pod whose Ready condition lags its phase (Succeeded) is not Ready either.
    expect(isReady(state({ phase: 'Succeeded' }))).to.equal(false);
  });

  it('ordinalOf accepts only <sts>-<canonical integer>', () => {
    expect(ordinalOf('web', 'web-0')).to.equal(0);
    expect(ordinalOf('web', 'web-12')).to.equal(12);
    for (const bad of ['web-01', 'web-', 'web-x', 'webs-1', 'web-1-2']) expect(ordinalOf('web', bad), bad).to.equal(undefined);
  });

  it('podGenerations gives each UID its added/running/ready/terminating/deleted moments, oldest first', () => {
    const input = buildWebInput({ rounds: [[[1, 'delete']]], scaleDownTo: null });
    const gens = podGenerations(input.timeline).get('web-1') ?? [];
    expect(gens.map((g) => g.uid)).to.deep.equal(['web-1-uid-0', 'web-1-uid-1']);
    const [old, fresh] = gens;
    for (const g of [old, fresh]) {
      expect(g?.added && g.running && g.ready, g?.uid).to.not.equal(undefined);
      expect((g?.added?.seq ?? 0) < (g?.running?.seq ?? 0) && (g?.running?.seq ?? 0) <= (g?.ready?.seq ?? 0)).to.equal(true);
    }
    expect(old?.terminating && old.deleted && old.terminating.seq < old.deleted.seq).to.equal(true);
    expect(fresh?.terminating).to.equal(undefined);
    expect((old?.deleted?.seq ?? 0) < (fresh?.added?.seq ?? 0)).to.equal(true);
  });

  it('finds markers by name with a typed payload predicate', () => {
    const tl = buildWebInput().timeline;
    const i = findMarker(tl, 'kill', 0, (m) => m.round === 2 && m.pod === 'web-2');
    const kill = markerAt(tl, i, 'kill');
    expect(kill).to.include({ round: 2, pod: 'web-2', uid: 'web-2-uid-0', action: 'delete' });
    expect(markerAt(tl, i, 'round-end')).to.equal(undefined);
    expect(markersOf(tl, 'round-start').map((m) => m.marker.pattern)).to.deep.equal(['sequential', 'sequential', 'sequential']);
  });

  it('tolerates watch-gap markers: views and generations skip them', () => {
    const input = buildWebInput({ rounds: [[[1, 'delete']]], scaleDownTo: null });
    const gap: TimelineEntry = {
      seq: 0.5,
      t: 1,
      wall: 1,
      type: 'MARKER',
      marker: 'watch-gap',
      kind: 'Pod',
      from: 1,
      to: 2,
      reason: 'watch closed',
    };
    const withGap = [gap, ...input.timeline];
    expect(podGenerations(withGap).get('web-1')?.length).to.equal(2);
    const view = new PodView();
    for (const e of withGap) view.apply(e);
    expect(view.isReady('web-1')).to.equal(true);
  });
});

describe('pullFailure', () => {
  const pod = (waiting: string[] | undefined) => ({ waiting }) as unknown as PodState;
  it('names the kubelet reason for an image that cannot be had, and nothing for a container still starting', () => {
    expect(pullFailure(pod(['ImagePullBackOff: back-off pulling image "x"']))).to.equal('ImagePullBackOff: back-off pulling image "x"');
    expect(pullFailure(pod(['ErrImageNeverPull']))).to.equal('ErrImageNeverPull');
    expect(pullFailure(pod(['ContainerCreating']))).to.equal(undefined);
    expect(pullFailure(pod(undefined))).to.equal(undefined);
    expect(pullFailure(undefined)).to.equal(undefined);
  });
});

describe('judgeCreation (causal oracle)', () => {
  const workload = buildWebInput().workload;
  let seq = 0;
  const pod = (name: string, type: WatchEntry['type'], t: number, patch: Partial<PodState> = {}): TimelineEntry => ({
    seq: ++seq,
    t,
    wall: t,
    type,
    kind: 'Pod',
    name,
    resourceVersion: String(seq),
    pod: state({ uid: `${name}-u`, ...patch }),
  });

  it('finds the last all-Ready moment and reports a later regression as the informer race', () => {
    seq = 0;
    const tl = [
      pod('web-0', 'ADDED', 10),
      pod('web-1', 'ADDED', 20),
      pod('web-1', 'DELETED', 30),
      pod('web-0', 'MODIFIED', 40, { ready: false }),
      pod('web-1', 'ADDED', 50, { uid: 'web-1-v2' }),
    ];
    const v = judgeCreation(tl, workload, 1, { from: 2, to: 4 });
    expect(v.allReadyAt?.t).to.equal(30);
    expect(v.regressed).to.deep.equal([{ pod: 'web-0', t: 40, state: 'Running, not ready (uid web-0-u, as of t=40ms)' }]);
    expect(v.blockers).to.deep.equal([]);
  });

  it('names each blocking predecessor with its states over the window when none was all-Ready', () => {
    seq = 0;
    const tl = [
      pod('web-0', 'ADDED', 10, { ready: false }),
      pod('web-1', 'ADDED', 20),
      pod('web-1', 'DELETED', 30),
      pod('web-0', 'MODIFIED', 35, { phase: 'Pending', ready: false }),
      pod('web-2', 'ADDED', 40),
    ];
    const v = judgeCreation(tl, workload, 2, { from: 2, to: 4 });
    expect(v.allReadyAt).to.equal(undefined);
    expect(v.blockers.map((b) => b.pod)).to.deep.equal(['web-0', 'web-1']);
    expect(v.blockers[0]?.history).to.equal('t=30ms Running, not ready; t=35ms Pending, not ready');
    expect(v.blockers[1]?.history).to.equal('t=30ms deleted');
  });
});
