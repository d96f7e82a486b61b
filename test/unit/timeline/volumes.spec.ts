import { expect } from 'chai';
import type { V1PersistentVolume } from '@kubernetes/client-node';
import { pvState } from '../../../lib/observe/digest.ts';
import { describeVolumes, volumeBehaviour } from '../../../lib/timeline/volumes.ts';
import type { PvState, TimelineEntry } from '../../../lib/timeline/entries.ts';

const pv = (affinity?: { key: string; operator: string; values?: string[] }[]): V1PersistentVolume => ({
  metadata: { name: 'pvc-1', uid: 'pv-uid' },
  spec: {
    claimRef: { name: 'www-web-0', uid: 'pvc-uid' },
    ...(affinity ? { nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: affinity }] } } } : {}),
  },
  status: { phase: 'Bound' },
});

const entry = (seq: number, name: string, state: PvState): TimelineEntry => ({
  seq,
  t: seq,
  wall: seq,
  type: 'ADDED',
  kind: 'PersistentVolume',
  name,
  resourceVersion: String(seq),
  pv: state,
});

describe('volumes: node-pinned or shared', () => {
  it('digests the node a PV is pinned to from its required node affinity (as local-path writes it)', () => {
    expect(pvState(pv([{ key: 'kubernetes.io/hostname', operator: 'In', values: ['ordinal-node-2'] }]))).to.deep.equal({
      uid: 'pv-uid',
      phase: 'Bound',
      claimUid: 'pvc-uid',
      claimName: 'www-web-0',
      pinnedNode: 'ordinal-node-2',
    });
    expect(pvState(pv())).to.not.have.property('pinnedNode');
    // Pinned, but to a zone rather than one node: named by its key.
    expect(pvState(pv([{ key: 'topology.kubernetes.io/zone', operator: 'In', values: ['z1'] }])).pinnedNode).to.equal(
      '(topology.kubernetes.io/zone)',
    );
  });

  it('classifies the run’s claims as node-pinned, shared or mixed, by each PV’s last state', () => {
    const a = entry(1, 'pv-a', { uid: 'a', phase: 'Bound', claimName: 'www-web-0', pinnedNode: 'n1' });
    const b = entry(2, 'pv-b', { uid: 'b', phase: 'Bound', claimName: 'www-web-1' });
    expect(volumeBehaviour([])).to.equal(undefined);
    expect(volumeBehaviour([a])).to.deep.equal({ kind: 'node-pinned', pinned: { 'www-web-0': 'n1' }, shared: [] });
    expect(volumeBehaviour([b])).to.deep.include({ kind: 'shared', shared: ['www-web-1'] });
    const mixed = volumeBehaviour([a, b]);
    expect(mixed?.kind).to.equal('mixed');
    expect(describeVolumes(mixed ?? { kind: 'shared', pinned: {}, shared: [] })).to.equal(
      'mixed: node-pinned www-web-0 on n1; shared www-web-1',
    );
    // Only entries before `until` count.
    expect(volumeBehaviour([a, b], 1)?.kind).to.equal('node-pinned');
  });
});
