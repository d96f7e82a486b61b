import { expect } from 'chai';
import { buildWebInput } from '../helpers/timeline-builder.ts';

const NODES = ['node-a', 'node-b', 'node-c'];
/** Each ordinal starts on its own node; every replacement lands on the next node round the ring. */
const ring = (ordinal: number, generation: number): string => NODES[(ordinal + generation) % NODES.length] as string;

describe('recovery nodes (PodRecovery fromNode / toNode / nodeDown)', () => {
  it('records the killed pod’s node and the replacement’s node, which differ after a move', () => {
    const input = buildWebInput({ rounds: [[[1, 'delete']]], nodeOf: ring });
    const [r] = input.rounds[0]?.recoveries ?? [];
    expect(r).to.include({ pod: 'web-1', fromNode: 'node-b', toNode: 'node-c', recovered: true });
    expect(r?.nodeDown).to.equal(undefined);
  });

  it('keeps the same node for a replacement that stayed, and for a pod restarted in place', () => {
    const input = buildWebInput({
      rounds: [
        [
          [0, 'delete'],
          [2, 'container-kill'],
        ],
      ],
    });
    const [a, b] = input.rounds[0]?.recoveries ?? [];
    expect(a).to.include({ fromNode: 'ordinal-worker', toNode: 'ordinal-worker' });
    expect(b).to.include({ expect: 'restarted-in-place', fromNode: 'ordinal-worker', toNode: 'ordinal-worker' });
  });

  it('records the node-down interval of a node fault relative to the kill', () => {
    const input = buildWebInput({ rounds: [[[2, 'node-fault']]], nodeOf: ring });
    const [r] = input.rounds[0]?.recoveries ?? [];
    expect(r).to.include({ fromNode: 'node-c', toNode: 'node-a', recovered: true });
    expect(r?.nodeDown?.node).to.equal('node-c');
    expect(r?.nodeDown?.downMs).to.be.at.least(0);
    expect(r?.nodeDown?.upMs).to.be.greaterThan(r?.nodeDown?.downMs ?? Number.POSITIVE_INFINITY);
    expect(r?.readyMs).to.be.lessThan(r?.nodeDown?.upMs ?? 0);
  });

  it('leaves the fields out when the recording has no node (older recordings)', () => {
    const input = buildWebInput({ rounds: [[[1, 'delete']]], nodeOf: () => '' });
    const [r] = input.rounds[0]?.recoveries ?? [];
    expect(r).to.not.have.property('fromNode');
    expect(r).to.not.have.property('toNode');
  });
});
