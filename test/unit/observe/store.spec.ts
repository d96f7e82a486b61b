// The observer's state store and canary sampler as pure logic: the maps follow the
// timeline entries, a pod deleted unseen keeps its last state under its own identity,
// the namespace dump shows what a timeout message needs, and only fresh watch arrivals
// of the canary become latency samples.
import { expect } from 'chai';
import { CanarySampler } from '../../../lib/observe/canary.ts';
import { StateStore } from '../../../lib/observe/store.ts';
import type { WatchEntry } from '../../../lib/timeline/entries.ts';

const entry = (e: Partial<WatchEntry> & Pick<WatchEntry, 'type' | 'kind' | 'name'>): WatchEntry => ({
  seq: 0,
  t: 0,
  wall: 0,
  resourceVersion: '1',
  ...e,
});

describe('observe: state store', () => {
  it('keeps one map per kind in step with the entries, events appended, deletions removed', () => {
    const s = new StateStore();
    s.apply(entry({ type: 'ADDED', kind: 'Pod', name: 'web-1', pod: { uid: 'u1', phase: 'Pending', ready: false, claims: {} } }));
    s.apply(entry({ type: 'ADDED', kind: 'Pod', name: 'web-0', pod: { uid: 'u0', phase: 'Running', ready: true, claims: {} } }));
    s.apply(
      entry({ type: 'ADDED', kind: 'PersistentVolumeClaim', name: 'data-web-0', pvc: { uid: 'c0', phase: 'Bound', volumeName: 'pv-0' } }),
    );
    s.apply(
      entry({
        type: 'ADDED',
        kind: 'Event',
        name: 'e1',
        event: { uid: 'e1', reason: 'Pulled', message: 'image pulled', type: 'Normal', involved: 'Pod/web-0' },
      }),
    );
    expect(s.podSummary()).to.equal('web-0 Running/Ready, web-1 Pending');
    expect(s.describe()).to.equal(
      'pods: web-0 Running/Ready, web-1 Pending\nPVCs: data-web-0 Bound -> pv-0\nrecent events:\n  Normal Pulled Pod/web-0: image pulled',
    );
    s.apply(entry({ type: 'DELETED', kind: 'Pod', name: 'web-1' }));
    s.apply(entry({ type: 'DELETED', kind: 'PersistentVolumeClaim', name: 'data-web-0' }));
    expect([...s.pods.keys()]).to.deep.equal(['web-0']);
    expect(s.pvcs.size).to.equal(0);
    expect(s.events).to.have.length(1);
  });

  it('a pod deleted while no watch was open keeps its last state under the identity the re-list knew', () => {
    const s = new StateStore();
    expect(s.podSummary()).to.equal('no pods yet');
    expect(s.lastPod('web-2', 'u2')).to.deep.equal({ phase: 'Unknown', ready: false, claims: {}, uid: 'u2' });
    s.apply(
      entry({
        type: 'ADDED',
        kind: 'Pod',
        name: 'web-2',
        pod: { uid: 'u2', phase: 'Running', ready: true, claims: { data: 'data-web-2' } },
      }),
    );
    expect(s.lastPod('web-2', 'u2')).to.deep.equal({ uid: 'u2', phase: 'Running', ready: true, claims: { data: 'data-web-2' } });
  });
});

describe('observe: canary sampler', () => {
  const at = (sent: string) => ({ metadata: { name: 'ordinal-canary', annotations: { sent } } });
  const live = { relisted: false, gone: false };

  it('samples each new timestamp once, from the watch only', () => {
    const c = new CanarySampler('sent');
    const sent = (performance.timeOrigin + performance.now() - 40).toFixed(3);
    c.change('ADDED', at(sent), live);
    expect(c.samples).to.deep.equal([]);
    c.change('MODIFIED', at(sent), { relisted: true, gone: false });
    expect(c.samples).to.deep.equal([]);
    c.change('MODIFIED', at(sent), live);
    c.change('MODIFIED', at(sent), live);
    expect(c.samples).to.have.length(1);
    expect(c.samples[0]).to.be.within(40, 10_000);
    c.change('MODIFIED', at('not a number'), live);
    expect(c.samples).to.have.length(1);
  });
});
