// STS-RECOVERY with node-local storage: a replacement whose volume is pinned to a node
// that a node fault took down stays Pending. The check says so plainly (a finding about
// the storage, not a harness error); it fails the round only when the round did not converge.
import { expect } from 'chai';
import type { CheckInput } from '../../../lib/checks/api.ts';
import type { TimelineEntry } from '../../../lib/timeline/entries.ts';
import { expectFailure, resultOf } from '../helpers/assertions.ts';
import { buildWebInput, uidOf } from '../helpers/timeline-builder.ts';
import { moveBefore, mutate, podEvent } from '../helpers/timeline-edit.ts';

const ID = 'STS-RECOVERY';
const NODES = ['node-a', 'node-b', 'node-c'];
const ring = (ordinal: number, generation: number): string => NODES[(ordinal + generation) % NODES.length] as string;
const NEW = uidOf('web-1', 1);
const PINNED =
  'volume www-web-1 pinned to node node-b, which is down: the replacement cannot start elsewhere — expected for node-local storage';

/**
 * Round 1 takes web-1's node (node-b) down; the replacement is created but, its volume
 * pinned to node-b, never scheduled: only its Pending ADDED is recorded, and the node is
 * still down when the round ends.
 */
function stuckOnPinnedVolume(opts: { pinned?: boolean; nodeBack?: boolean; converged?: boolean } = {}): CheckInput {
  const input = buildWebInput({ rounds: [[[1, 'node-fault']]], nodeOf: ring, pinnedVolumes: opts.pinned ?? true, scaleDownTo: null });
  return mutate(input, (d) => {
    const isNew = (e: TimelineEntry): boolean => e.type !== 'MARKER' && e.kind === 'Pod' && e.pod?.uid === NEW;
    d.timeline = d.timeline.filter(
      (e) => !(isNew(e) && e.type !== 'ADDED') && !(e.type === 'MARKER' && e.marker === 'node-up' && !opts.nodeBack),
    );
    for (const e of d.timeline) if (e.type === 'MARKER' && e.marker === 'round-end') e.converged = opts.converged ?? false;
  });
}

describe(`${ID}: replacement pinned to a down node`, () => {
  it('fails the unconverged round and says the volume is pinned to the down node, naming both', () => {
    const r = resultOf(stuckOnPinnedVolume(), ID);
    expectFailure(r, 'web-1', NEW, PINNED);
    expect(r.message).to.include('round 1: web-1').and.include(PINNED);
    const ev = r.evidence.find((e) => e.subject === 'pod web-1');
    expect(ev?.observed).to.include('Pending').and.include(PINNED);
  });

  it('does not blame the volume when it is shared (no node affinity)', () => {
    const r = resultOf(stuckOnPinnedVolume({ pinned: false }), ID);
    expectFailure(r, 'web-1', NEW, 'was never Running and Ready');
    expect(JSON.stringify(r)).to.not.include('pinned to node');
  });

  it('does not blame the volume once the node is back up', () => {
    const r = resultOf(stuckOnPinnedVolume({ nodeBack: true }), ID);
    expectFailure(r, 'web-1', 'was never Running and Ready');
    expect(JSON.stringify(r)).to.not.include('pinned to node');
  });

  it('reports it as a finding, not a failure, when the round converged anyway', () => {
    const r = resultOf(stuckOnPinnedVolume({ converged: true }), ID);
    expect(r.status, r.message).to.equal('passed');
    expect(r.evidence.find((e) => e.subject === 'pod web-1')?.observed).to.include(PINNED);
  });

  it('passes, and says the replacement waited for its pinned volume’s node, when it ran only once the node was back', () => {
    // Every generation of an ordinal on its own node: the replacement waits for node-b.
    const input = buildWebInput({
      rounds: [[[1, 'node-fault']]],
      nodeOf: (o) => NODES[o] as string,
      pinnedVolumes: true,
      scaleDownTo: null,
    });
    const isUp = (e: TimelineEntry): boolean => e.type === 'MARKER' && e.marker === 'node-up';
    const waited = moveBefore(
      input,
      isUp,
      podEvent('MODIFIED', 'web-1', NEW, (s) => s.phase === 'Running'),
    );
    const r = resultOf(waited, ID);
    expect(r.status, r.message).to.equal('passed');
    const observed = r.evidence.find((e) => e.subject === 'pod web-1')?.observed ?? '';
    expect(observed).to.match(
      /; it waited Pending for node node-b \(volume www-web-1 pinned there; the node was down from t=\d+ms to t=\d+ms\) and ran only once it was back — expected for node-local storage$/,
    );
    // With a shared volume the same timeline is just a recovery.
    const shared = buildWebInput({ rounds: [[[1, 'node-fault']]], nodeOf: (o) => NODES[o] as string, scaleDownTo: null });
    const plain = resultOf(
      moveBefore(
        shared,
        isUp,
        podEvent('MODIFIED', 'web-1', NEW, (s) => s.phase === 'Running'),
      ),
      ID,
    );
    expect(plain.evidence.find((e) => e.subject === 'pod web-1')?.observed).to.not.include('waited');
  });

  it('does not claim a wait when the replacement ran while the node was still down (it was not held by it)', () => {
    const input = buildWebInput({ rounds: [[[1, 'node-fault']]], nodeOf: ring, pinnedVolumes: true, scaleDownTo: null });
    const r = resultOf(input, ID);
    expect(r.status, r.message).to.equal('passed');
    expect(JSON.stringify(r)).to.not.include('pinned to node');
  });
});
