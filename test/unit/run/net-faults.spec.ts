import { expect } from 'chai';
import { faultsOf } from '../../../lib/run/result.ts';
import type { MarkerPayload, TimelineEntry } from '../../../lib/timeline/entries.ts';

let seq = 0;
const at = (t: number, m: MarkerPayload): TimelineEntry =>
  ({ seq: seq++, t, wall: 1_700_000_000_000 + t, type: 'MARKER', ...m }) as TimelineEntry;

describe('loss and bandwidth faults in results.json', () => {
  it('records each with its seeded params and what was measured, paired with its heal by kind, round and pod', () => {
    const f = faultsOf([
      at(100, {
        marker: 'net-fault',
        kind: 'loss',
        round: 1,
        pod: 'etcd-1',
        uid: 'u1',
        peers: ['10.0.0.2'],
        node: 'n1',
        confirmMs: 3000,
        params: { percent: 30, hold: 7 },
        measured: { failedPercent: 50 },
      }),
      at(150, { marker: 'partition-healed', round: 1, pod: 'etcd-1', uid: 'u1', healConfirmMs: 9 }),
      at(200, { marker: 'net-fault-healed', kind: 'bandwidth', round: 1, pod: 'etcd-1', uid: 'u1', healConfirmMs: 8 }),
      at(300, { marker: 'net-fault-healed', kind: 'loss', round: 1, pod: 'etcd-1', uid: 'u1', healConfirmMs: 2500 }),
    ]);
    expect(f).to.deep.equal([
      {
        kind: 'loss',
        round: 1,
        pod: 'etcd-1',
        node: 'n1',
        peers: ['10.0.0.2'],
        confirmedAtMs: 100,
        confirmMs: 3000,
        params: { percent: 30, hold: 7 },
        measured: { failedPercent: 50 },
        healedAtMs: 300,
        healConfirmMs: 2500,
      },
    ]);
  });
});
