// STS-AT-MOST-ONE on recorded timelines: the API judgment (a replacement before its
// predecessor was confirmed gone) and the data judgment (two pod UIDs writing one volume
// at once), each on a correct recording and on violating variants.
import { expect } from 'chai';
import type { CheckInput } from '../../../lib/checks/api.ts';
import type { HeartbeatRecord } from '../../../lib/probes/records.ts';
import type { PodState } from '../../../lib/timeline/entries.ts';
import { expectFailure, resultOf } from '../helpers/assertions.ts';
import { BOOT_ID, HEARTBEAT_PATH, buildWebInput, uidOf } from '../helpers/timeline-builder.ts';
import { insertBefore, type Match, moveBefore, mutate, podEvent } from '../helpers/timeline-edit.ts';

const ID = 'STS-AT-MOST-ONE';
const NODE = 'ordinal-worker';
const OLD = uidOf('web-1', 0);
const NEW = uidOf('web-1', 1);

const roundEnd =
  (round: number): Match =>
  (e) =>
    e.type === 'MARKER' && e.marker === 'round-end' && e.round === round;

/** web-1's first generation has its node go down just before it leaves the API in round 1, back at the round's end. */
function nodeDownBeforeDeletion(input: CheckInput): CheckInput {
  const down = insertBefore(
    input,
    podEvent('MODIFIED', 'web-1', OLD, (s) => !!s.deletionTimestamp),
    { type: 'MARKER', marker: 'node-down', round: 1, node: NODE, pod: 'web-1', uid: OLD },
  );
  return insertBefore(down, roundEnd(1), { type: 'MARKER', marker: 'node-up', round: 1, node: NODE });
}

const nodeUpBefore = (input: CheckInput, before: Parameters<typeof insertBefore>[1]): CheckInput =>
  insertBefore(input, before, { type: 'MARKER', marker: 'node-up', round: 1, node: NODE });

/**
 * web-1's first two writers on two kernels (boot-1, boot-2) with these wall-clock spans,
 * each kernel measured `offsets` ms ahead of the harness, ± 5 ms; the later writers after both.
 */
function onTwoKernels(
  input: CheckInput,
  walls: { old: readonly [number, number]; next: readonly [number, number] },
  offsets: [number, number],
): CheckInput {
  return mutate(input, (d) => {
    const [old, next, ...rest] = heartbeatsOf(d, 'web-1').writers;
    if (!old || !next) throw new Error('web-1 has fewer than two writers');
    next.bootId = 'boot-2';
    Object.assign(old, { firstWallMs: walls.old[0], lastWallMs: walls.old[1] });
    Object.assign(next, { firstWallMs: walls.next[0], lastWallMs: walls.next[1] });
    for (const w of rest) Object.assign(w, { firstWallMs: 50_000, lastWallMs: 60_000 });
    d.after.clocks = [
      { pod: 'web-0', node: 'n1', bootId: BOOT_ID, offsetMs: offsets[0], uncertaintyMs: 5, t: 0 },
      { pod: 'web-2', node: 'n2', bootId: 'boot-2', offsetMs: offsets[1], uncertaintyMs: 5, t: 0 },
    ];
  });
}

function heartbeatsOf(input: CheckInput, pod: string): HeartbeatRecord {
  const r = input.after.heartbeats?.find((h) => h.pod === pod);
  if (!r) throw new Error(`no heartbeats for ${pod}`);
  return r;
}

/** Stretches web-1's first writer so it keeps writing `ms` into its successor's time. */
function oldWriterOverlaps(input: CheckInput, ms: number): CheckInput {
  return mutate(input, (d) => {
    const [old, next] = heartbeatsOf(d, 'web-1').writers;
    if (!old || !next) throw new Error('web-1 has fewer than two writers');
    old.lastUptimeMs = next.firstUptimeMs + ms;
  });
}

describe('STS-AT-MOST-ONE: API', () => {
  it('passes on a correct run, with evidence for every volume', () => {
    const r = resultOf(buildWebInput(), ID);
    expect(r.status, r.message).to.equal('passed');
    expect(r.evidence.map((e) => e.subject)).to.deep.equal(['web-0', 'web-1', 'web-2'].map((p) => `heartbeats ${p}:${HEARTBEAT_PATH}`));
  });

  it("does not fail a successor recorded before its predecessor's DELETED: the name is the key, so that is a missed event", () => {
    const input = moveBefore(buildWebInput(), podEvent('ADDED', 'web-1', NEW), podEvent('DELETED', 'web-1', OLD));
    const r = resultOf(input, ID);
    expect(r.status, r.message).to.equal('passed');
    expect(JSON.stringify(r)).not.to.include('two pod objects');
  });

  it('fails when the old pod leaves the API while its node is down and nobody force-deleted it', () => {
    const input = nodeDownBeforeDeletion(buildWebInput());
    expectFailure(resultOf(input, ID), 'pod web-1', OLD, NEW, `node ${NODE} was down`, 'nobody force-deleted it');
  });

  it('passes when the operator force-deleted the pod on the down node first, and says so', () => {
    const down = nodeDownBeforeDeletion(buildWebInput());
    const input = insertBefore(down, podEvent('DELETED', 'web-1', OLD), {
      type: 'MARKER',
      marker: 'operator-force-delete',
      round: 1,
      pod: 'web-1',
      uid: OLD,
      node: NODE,
    });
    const r = resultOf(input, ID);
    expect(r.status, r.message).to.equal('passed');
    expect(JSON.stringify(r.evidence)).to.include(`after the force deletion of uid ${OLD}`);
  });

  it('passes when the node came back before the old pod left the API (the kubelet confirmed it)', () => {
    const input = nodeUpBefore(nodeDownBeforeDeletion(buildWebInput()), podEvent('DELETED', 'web-1', OLD));
    expect(resultOf(input, ID).status).to.equal('passed');
  });

  it('passes when another pod on that node showed its kubelet back (Ready again) before the old pod left, and names it', () => {
    const down = nodeDownBeforeDeletion(buildWebInput());
    const downAt = down.timeline.findIndex((e) => e.type === 'MARKER' && e.marker === 'node-down');
    const web0 = down.timeline
      .slice(0, downAt)
      .filter((e) => e.type !== 'MARKER' && e.kind === 'Pod' && e.name === 'web-0' && e.pod?.node === NODE)
      .at(-1);
    if (!web0 || web0.type === 'MARKER' || !web0.pod) throw new Error(`web-0 is not on ${NODE}`);
    const state = (ready: boolean) => ({ ...web0, type: 'MODIFIED' as const, pod: { ...web0.pod, ready } as PodState });
    // The node controller marks web-0 NotReady (after node-down), then its kubelet reports it Ready.
    const marked = insertBefore(down, podEvent('DELETED', 'web-1', OLD), state(false));
    const back = insertBefore(marked, podEvent('DELETED', 'web-1', OLD), state(true));
    const r = resultOf(back, ID);
    expect(r.status, r.message).to.equal('passed');
    expect(r.evidence.find((e) => e.subject === 'pod web-1')?.observed).to.include(
      `its kubelet reported web-0 (uid ${web0.pod.uid}) Ready`,
    );
    // The NotReady marking alone is no proof of life.
    expectFailure(resultOf(marked, ID), `node ${NODE} was down`);
  });

  it('does not blame a deletion on another node going down', () => {
    const input = mutate(nodeDownBeforeDeletion(buildWebInput()), (d) => {
      for (const e of d.timeline) if (e.type === 'MARKER' && e.marker === 'node-down') e.node = 'other-node';
    });
    expect(resultOf(input, ID).status).to.equal('passed');
  });
});

describe('STS-AT-MOST-ONE: data', () => {
  it('fails when two UIDs of web-1 wrote its volume at once with no force deletion, with the overlap in ms', () => {
    const r = resultOf(oldWriterOverlaps(buildWebInput(), 1500), ID);
    expectFailure(r, `heartbeats web-1:${HEARTBEAT_PATH}`, OLD, NEW, '1500 ms', 'no force deletion');
  });

  it('reports an overlap after a force deletion as the documented hazard, with its duration, not a failure', () => {
    // Round 3 force-deletes web-1's second generation.
    const input = mutate(buildWebInput(), (d) => {
      const [, gen1, gen2] = heartbeatsOf(d, 'web-1').writers;
      if (!gen1 || !gen2) throw new Error('web-1 has fewer than three writers');
      gen1.lastUptimeMs = gen2.firstUptimeMs + 2300;
    });
    const r = resultOf(input, ID);
    expect(r.status, r.message).to.equal('passed');
    expect(r.message).to.include('after force deletion').and.include('2300 ms');
    const hazard = r.evidence.find((e) => e.note?.startsWith('force deletion hazard'));
    expect(hazard?.note).to.include(uidOf('web-1', 1)).and.include('2300 ms');
  });

  it('an unreadable heartbeat file is an error, never a failure', () => {
    for (const unobserved of [true, false]) {
      const input = mutate(buildWebInput(), (d) => {
        const r = heartbeatsOf(d, 'web-2');
        r.writers = [];
        r.error = unobserved ? 'exec failed: connection reset' : 'cat exited 1: No such file or directory';
        if (unobserved) r.unobserved = true;
      });
      const r = resultOf(input, ID);
      expect(r.status, r.message).to.equal('error');
      expect(r.message).to.include('web-2');
    }
  });

  it('an ordinal with no heartbeat record after chaos is an error', () => {
    const input = mutate(buildWebInput(), (d) => {
      d.after.heartbeats = d.after.heartbeats?.filter((h) => h.pod !== 'web-0');
    });
    expect(resultOf(input, ID).status).to.equal('error');
  });

  it('without heartbeats (a workload that writes none) judges the API only, and says the volumes were not judged', () => {
    const quiet = mutate(buildWebInput(), (d) => {
      delete d.after.heartbeats;
    });
    const r = resultOf(quiet, ID);
    expect(r.status, r.message).to.equal('passed');
    expect(r.message).to.include('volumes not judged');
    expect(resultOf(nodeDownBeforeDeletion(quiet), ID).status).to.equal('failed');
  });
});

describe('STS-AT-MOST-ONE: data across kernels', () => {
  it('compares writers on different kernels by wall clock, and errors when there is none', () => {
    const shifted = onTwoKernels(oldWriterOverlaps(buildWebInput(), 1500), { old: [1000, 2000], next: [3000, 4000] }, [0, 0]);
    expect(resultOf(shifted, ID).status).to.equal('passed');
    const noWall = mutate(shifted, (d) => {
      for (const w of heartbeatsOf(d, 'web-1').writers) delete w.lastWallMs;
    });
    expect(resultOf(noWall, ID).status).to.equal('error');
  });

  it('corrects wall clocks by the measured offsets: 300 ms of skew neither fabricates an overlap nor hides one', () => {
    // Wall clocks: the old writer ran until 3300, the new one from 3000 (an apparent 300 ms overlap).
    const walls = { old: [1000, 3300], next: [3000, 4000] } as const;
    expect(resultOf(onTwoKernels(buildWebInput(), walls, [0, 0]), ID).status).to.equal('failed');
    // The old writer's kernel runs 500 ms ahead: on the harness's clock it stopped at 2800, before 3000.
    const fabricated = resultOf(onTwoKernels(buildWebInput(), walls, [500, 0]), ID);
    expect(fabricated.status, fabricated.message).to.equal('passed');
    expect(JSON.stringify(fabricated.evidence)).to.include('+500 ± 5 ms');
    // Apart by 200 ms on the wall clocks, but the new writer's kernel runs 700 ms ahead: a 500 ms overlap.
    const hidden = resultOf(onTwoKernels(buildWebInput(), { old: [1000, 2800], next: [3000, 4000] }, [0, 700]), ID);
    expectFailure(hidden, `heartbeats web-1:${HEARTBEAT_PATH}`, OLD, NEW, '500 ms', '+700 ± 5 ms');
  });

  it("an overlap inside the clocks' uncertainty is a note, not a failure", () => {
    const input = onTwoKernels(buildWebInput(), { old: [1000, 3008], next: [3000, 4000] }, [0, 0]);
    const r = resultOf(input, ID);
    expect(r.status, r.message).to.equal('passed');
    const note = r.evidence.find((e) => e.note?.includes('cannot tell an overlap from none'));
    expect(note?.observed).to.include('both wrote for 8 ms').and.include(OLD);
    // On one kernel the uptime's 10 ms resolution is the uncertainty.
    const oneKernel = resultOf(oldWriterOverlaps(buildWebInput(), 10), ID);
    expect(oneKernel.status, oneKernel.message).to.equal('passed');
    expect(resultOf(oldWriterOverlaps(buildWebInput(), 120), ID).status).to.equal('failed');
  });

  it('writers on a kernel whose clock was never measured cannot be ordered: error', () => {
    const input = mutate(onTwoKernels(buildWebInput(), { old: [1000, 2000], next: [3000, 4000] }, [0, 0]), (d) => {
      d.after.clocks = d.after.clocks?.filter((c) => c.bootId !== 'boot-2');
    });
    const r = resultOf(input, ID);
    expect(r.status, r.message).to.equal('error');
    expect(r.message).to.include('boot-2').and.include('never measured');
  });
});
