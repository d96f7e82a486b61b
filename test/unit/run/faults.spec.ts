import { expect } from 'chai';
import { faultsOf } from '../../../lib/run/result.ts';
import type { MarkerPayload, TimelineEntry } from '../../../lib/timeline/entries.ts';

let seq = 0;
const at = (t: number, m: MarkerPayload): TimelineEntry =>
  ({ seq: seq++, t, wall: 1_700_000_000_000 + t, type: 'MARKER', ...m }) as TimelineEntry;
const cut = (t: number, round: number, pod: string): TimelineEntry =>
  at(t, { marker: 'partition', round, pod, uid: `u-${pod}`, peers: ['10.0.0.2'], node: 'n1', confirmMs: 4000 });
const healed = (t: number, round: number, pod: string): TimelineEntry =>
  at(t, { marker: 'partition-healed', round, pod, uid: `u-${pod}`, healConfirmMs: 2500 });

describe('faults in results.json', () => {
  it('pairs each confirmed partition with its confirmed heal by round and pod', () => {
    const f = faultsOf([cut(100, 1, 'etcd-1'), cut(200, 2, 'etcd-0'), healed(300, 1, 'etcd-1'), at(310, { marker: 'baseline' })]);
    expect(f).to.deep.equal([
      {
        kind: 'partition',
        round: 1,
        pod: 'etcd-1',
        node: 'n1',
        peers: ['10.0.0.2'],
        confirmedAtMs: 100,
        confirmMs: 4000,
        healedAtMs: 300,
        healConfirmMs: 2500,
      },
      { kind: 'partition', round: 2, pod: 'etcd-0', node: 'n1', peers: ['10.0.0.2'], confirmedAtMs: 200, confirmMs: 4000 },
    ]);
  });

  it('does not credit a heal to a partition of another pod or round, and is empty without partitions', () => {
    const f = faultsOf([cut(100, 1, 'etcd-1'), healed(300, 1, 'etcd-2'), healed(400, 2, 'etcd-1')]);
    expect(f[0]?.healedAtMs).to.equal(undefined);
    expect(faultsOf([at(1, { marker: 'deploy' })])).to.deep.equal([]);
  });
});
