// STS-RECOVERY on a `stays` kill (disk-full): the pod must keep its UID and be Ready at the
// round's end; container restarts are allowed (a database exits on a full disk).
import { expect } from 'chai';
import { recoveryByDisruption } from '../../../lib/report/stats.ts';
import { expectFailure, resultOf } from '../helpers/assertions.ts';
import { buildWebInput, uidOf } from '../helpers/timeline-builder.ts';
import { insertBefore } from '../helpers/timeline-edit.ts';

describe('disk-full (expects stays) in STS-RECOVERY and the recovery figures', () => {
  const scenario = {
    rounds: [
      [
        [1, 'delete'],
        [2, 'disk-full'],
      ],
    ] as [number, 'delete' | 'disk-full'][][],
  };
  const roundEnd = (e: { type: string; marker?: string }): boolean => e.type === 'MARKER' && e.marker === 'round-end';
  const podAt = (ready: boolean, restartCount: number) => ({
    type: 'MODIFIED' as const,
    kind: 'Pod' as const,
    name: 'web-2',
    resourceVersion: `99${restartCount}${ready ? 1 : 0}`,
    pod: { uid: uidOf('web-2', 0), phase: 'Running' as const, ready, restartCount, claims: { www: 'www-web-2' }, node: 'ordinal-worker' },
  });

  it('passes when the pod keeps its UID and restarts its container, Ready again by the round end', () => {
    let input = insertBefore(buildWebInput(scenario), roundEnd, podAt(false, 1));
    input = insertBefore(input, roundEnd, podAt(true, 1));
    const r = resultOf(input, 'STS-RECOVERY');
    expect(r.status, r.message).to.equal('passed');
    expect(r.message).to.include('1 stayed (same UID) and Ready after the fault');
    expect(
      r.evidence.some((e) => e.subject === 'pod web-2' && /stayed through the disk-full \(1 container restart\)/.test(e.observed ?? '')),
    ).to.equal(true);
    expect(recoveryByDisruption(input.rounds).find((d) => d.disruption === 'disk-full')).to.deep.include({ killed: 1, recovered: 1 });
  });

  it('fails when the pod is not Ready at the round end', () => {
    const input = insertBefore(buildWebInput(scenario), roundEnd, podAt(false, 2));
    expectFailure(resultOf(input, 'STS-RECOVERY'), 'pod web-2', 'was not Running and Ready at revision');
  });

  it('fails when the pod was deleted', () => {
    const input = insertBefore(buildWebInput(scenario), roundEnd, {
      type: 'DELETED',
      kind: 'Pod',
      name: 'web-2',
      resourceVersion: '9998',
      pod: { uid: uidOf('web-2', 0), phase: 'Running', ready: false, claims: {} },
    });
    expectFailure(resultOf(input, 'STS-RECOVERY'), 'pod web-2', 'was to stay through the disk-full but was deleted');
  });
});
