// Availability per fault kind: only writes sent inside a fault's window (confirmed to
// heal confirmed) count, per kind; the faulted pods' writes separately; the longest
// unavailable stretch inside each window, summarised over the kind's windows.
import { expect } from 'chai';
import type { FaultSpan } from '../../../lib/model.ts';
import { summarizeTraffic } from '../../../lib/traffic/availability.ts';
import { availabilityByFault } from '../../../lib/traffic/fault-availability.ts';
import type { UnavailableInterval, WriteRecord } from '../../../lib/traffic/records.ts';

const w = (pod: string, sentMs: number, outcome: WriteRecord['outcome']): WriteRecord => ({
  pod,
  key: `${pod}-${sentMs}`,
  store: 'etcd',
  sentMs,
  outcome,
});
const partition = (pod: string, confirmedAtMs: number, healedAtMs?: number, round = 1): FaultSpan => ({
  kind: 'partition',
  round,
  pod,
  confirmedAtMs,
  ...(healedAtMs !== undefined ? { healedAtMs } : {}),
});
const gap = (pod: string, fromMs: number, toMs: number): UnavailableInterval => ({ pod, fromMs, toMs });

describe('traffic: availability per fault kind', () => {
  it('counts only the writes sent inside a window, all pods and the faulted pods apart', () => {
    const writes = [
      w('etcd-1', 900, 'failed'), // before the window: not counted
      w('etcd-0', 1000, 'acked'),
      w('etcd-1', 1000, 'failed'),
      w('etcd-1', 1500, 'unknown'),
      w('etcd-2', 1500, 'acked'),
      w('etcd-1', 1999, 'acked'),
      w('etcd-1', 2000, 'failed'), // at the confirmed heal: outside
    ];
    const [p] = availabilityByFault(writes, [], [partition('etcd-1', 1000, 2000)], 0, 5000);
    expect(p?.kind).to.equal('partition');
    expect(p?.faults).to.equal(1);
    expect(p?.all).to.deep.equal({ sent: 5, acked: 3, fraction: 3 / 5 });
    expect(p?.targets).to.deep.equal({ sent: 3, acked: 1, fraction: 1 / 3 });
  });

  it('keeps kinds apart, in order of first appearance, and draws any kind with `pods`', () => {
    const writes = [w('etcd-0', 1500, 'acked'), w('etcd-1', 1500, 'failed'), w('etcd-2', 3500, 'failed'), w('etcd-0', 3600, 'acked')];
    const faults: FaultSpan[] = [
      partition('etcd-1', 1000, 2000),
      { kind: 'disk-full', round: 2, pods: ['etcd-2', 'etcd-0'], confirmedAtMs: 3000, healedAtMs: 4000 },
    ];
    const out = availabilityByFault(writes, [], faults, 0, 5000);
    expect(out.map((k) => k.kind)).to.deep.equal(['partition', 'disk-full']);
    expect(out[1]?.all).to.deep.equal({ sent: 2, acked: 1, fraction: 0.5 });
    expect(out[1]?.targets).to.deep.equal({ sent: 2, acked: 1, fraction: 0.5 });
    expect(out[0]?.all).to.deep.equal({ sent: 2, acked: 1, fraction: 0.5 });
  });

  it('the longest unavailable stretch is clipped to each window; p50, p95 and max are over the windows', () => {
    const faults = [partition('etcd-0', 0, 1000), partition('etcd-1', 2000, 3000, 2), partition('etcd-2', 4000, 5000, 3)];
    // 300 ms inside the first; 800 ms of a 1.3 s gap inside the second (it began before); none in the third.
    const gaps = [gap('etcd-0', 100, 400), gap('etcd-1', 1500, 2800), gap('etcd-2', 5500, 6000)];
    const writes = [w('etcd-0', 500, 'acked'), w('etcd-1', 2500, 'failed'), w('etcd-2', 4500, 'acked')];
    const [p] = availabilityByFault(writes, gaps, faults, 0, 7000);
    expect(p?.faults).to.equal(3);
    expect(p?.longestUnavailableMs).to.deep.equal({ p50: 300, p95: 800, max: 800 });
  });

  it('a fault whose heal was never confirmed counts until traffic stopped; one outside the traffic is not counted', () => {
    const writes = [w('etcd-1', 1500, 'failed'), w('etcd-1', 4500, 'failed')];
    const [p] = availabilityByFault(writes, [], [partition('etcd-1', 1000), partition('etcd-1', 9000, 9500, 2)], 0, 5000);
    expect(p?.faults).to.equal(1);
    expect(p?.all).to.deep.equal({ sent: 2, acked: 0, fraction: 0 });
  });

  it('summarizeTraffic puts it under availability.byFault, and leaves it out without faults', () => {
    const writes = [w('etcd-0', 100, 'acked'), w('etcd-1', 1200, 'failed'), w('etcd-1', 1800, 'acked')];
    const readBack = [{ store: 'etcd', pod: 'etcd-0', keys: ['etcd-0-100', 'etcd-1-1800'] }];
    const t = { driver: 'etcd' as const, startedMs: 0, stoppedMs: 3000, writes, readBack };
    const withFault = summarizeTraffic(t, [], [partition('etcd-1', 1000, 2000)]);
    expect(withFault.availability.byFault).to.deep.equal([
      {
        kind: 'partition',
        faults: 1,
        all: { sent: 2, acked: 1, fraction: 0.5 },
        targets: { sent: 2, acked: 1, fraction: 0.5 },
        longestUnavailableMs: { p50: 600, p95: 600, max: 600 },
      },
    ]);
    expect(summarizeTraffic(t, []).availability).to.not.have.property('byFault');
  });
});
