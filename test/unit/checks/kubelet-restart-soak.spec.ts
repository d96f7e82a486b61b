// A soak run on the local cluster (3 nodes, 2 cores under load, --toleration-seconds 10):
// `--workload etcd --seed 4004 --chaos delete,force-delete,container-kill,evict,node-fault,
// kubelet-restart,partition --traffic register`. Round 2 restarted the kubelets of etcd-0's
// node (10.200.2.1) and etcd-1's (127.0.0.1) and force-deleted etcd-2. 127.0.0.1's kubelet
// stayed silent for ~28 s: the node controller marked etcd-1 NotReady (t=66.8 s), the taint-
// eviction controller deleted it 10 s later (DisruptionTarget DeletionByTaintManager), the
// kubelet came back, reported etcd-1 Ready (t=81.4 s) and Succeeded (t=82.6 s) and completed
// the deletion (t=83.0 s), 0.7 s before the harness's node-up marker (t=83.6 s). Both
// STS-AT-MOST-ONE and STS-RECOVERY failed that healthy run. The fixture keeps the run's pod
// entries, markers and the NodeNotReady / TaintManagerEviction / Killing Events, without
// claims, budgets, other Events and the history.
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import type { CheckInput } from '../../../lib/checks/api.ts';
import type { PodState, TimelineEntry, WatchEntry } from '../../../lib/timeline/entries.ts';
import { kubeletChange, nodeOutages } from '../../../lib/timeline/node-outages.ts';
import { inOrder } from '../../../lib/timeline/queries.ts';
import { recoveriesForRound } from '../../../lib/timeline/recovery.ts';
import { expectFailure, resultOf } from '../helpers/assertions.ts';
import { mutate } from '../helpers/timeline-edit.ts';

const recorded = JSON.parse(
  readFileSync(new URL('../../fixtures/etcd-3x3-seed4004-kubelet-restart.checkinput.json', import.meta.url), 'utf8'),
) as CheckInput;
const OLD = 'f9bffdc6-8b3a-40d0-9d12-bf8c2b05a5d4';
const NEW = '9685fdac-7724-45e5-9b7b-6602f9bdb31d';
const NODE = '127.0.0.1';

/** etcd-1's old generation's watch entries with `t` in (from, to). */
const oldEntries = (d: CheckInput, from: number, to: number): (WatchEntry & { pod: PodState })[] =>
  d.timeline.filter(
    (e): e is WatchEntry & { pod: PodState } =>
      e.type !== 'MARKER' && e.kind === 'Pod' && e.pod?.uid === OLD && e.type !== 'DELETED' && e.t > from && e.t < to,
  );

/** The kubelet did not report etcd-1 Ready again after the eviction (the proof of life at t=81397.6 ms removed). */
const withoutReadyAgain = (input: CheckInput): CheckInput =>
  mutate(input, (d) => {
    for (const e of oldEntries(d, 81_000, 83_000)) e.pod.ready = false;
  });

/** The kubelet never reported etcd-1 terminal: its last states before DELETED stay Running. */
const withoutTerminal = (input: CheckInput): CheckInput =>
  mutate(input, (d) => {
    for (const e of oldEntries(d, 82_000, 83_000)) e.pod.phase = 'Running';
    for (const e of d.timeline) if (e.type === 'DELETED' && e.kind === 'Pod' && e.pod?.uid === OLD) e.pod.phase = 'Running';
  });

const isEtcd1 = (e: TimelineEntry): e is WatchEntry & { pod: PodState } => e.type !== 'MARKER' && e.kind === 'Pod' && e.name === 'etcd-1';

describe('seed 4004: a kubelet back before its Node is Ready (STS-AT-MOST-ONE)', () => {
  it('the node-down interval of 127.0.0.1 in round 2 ends at the kubelet reporting etcd-1 Ready, before the node-up marker', () => {
    const outages = nodeOutages(inOrder(recorded.timeline)).filter((o) => o.node === NODE);
    const round2 = outages.find((o) => o.t === 53134.6);
    expect(round2?.up?.t).to.equal(83643.8);
    expect(round2?.proof).to.include({ pod: 'etcd-1', uid: OLD, what: 'Ready', t: 81397.6 });
  });

  it('passes the recorded run, saying the kubelet confirmed etcd-1 gone (Ready again, then Succeeded) before it left the API', () => {
    const r = resultOf(recorded, 'STS-AT-MOST-ONE');
    expect(r.status, r.message).to.equal('passed');
    const row = r.evidence.find((e) => e.subject === 'pod etcd-1');
    expect(row?.observed)
      .to.include(`uid ${OLD} left the API at t=82965.7ms, confirmed gone before that`)
      .and.include('Ready at t=81397.6ms')
      .and.include('Succeeded (every container exited) at t=82640.7ms');
    expect(row?.note).to.include('node-up marker came at t=83643.8ms');
  });

  it('passes on the proof of life alone (no terminal phase reported)', () => {
    const r = resultOf(withoutTerminal(recorded), 'STS-AT-MOST-ONE');
    expect(r.status, r.message).to.equal('passed');
    expect(r.evidence.find((e) => e.subject === 'pod etcd-1')?.observed).to.include('the node was back (its kubelet reported etcd-1');
  });

  it('passes on the terminal phase alone (the kubelet stopped every container before the object left)', () => {
    // With no etcd-1 state recorded between node-down and Succeeded, Succeeded is no proof
    // of life (it could have been written before the stop), but it still confirms the pod gone.
    const unanchored = mutate(recorded, (d) => {
      const drop = new Set(oldEntries(d, 53_134.6, 82_000));
      d.timeline = d.timeline.filter((e) => !drop.has(e as WatchEntry & { pod: PodState }));
    });
    const r = resultOf(unanchored, 'STS-AT-MOST-ONE');
    expect(r.status, r.message).to.equal('passed');
    const observed = r.evidence.find((e) => e.subject === 'pod etcd-1')?.observed;
    expect(observed).to.include(`its kubelet reported uid ${OLD} Succeeded`).and.not.include('the node was back');
  });

  it('fails when etcd-1 leaves the API while its kubelet is silent and nobody force-deleted it', () => {
    const silent = withoutTerminal(withoutReadyAgain(recorded));
    expectFailure(
      resultOf(silent, 'STS-AT-MOST-ONE'),
      `etcd-1 (uid ${OLD}) left the API while its node ${NODE} was down and nobody force-deleted it`,
      `replacement uid ${NEW}`,
      'no report from its kubelet since',
    );
  });

  it('a kubelet change against a state recorded before node-down is no proof (a status written before the stop, delivered late)', () => {
    const late = mutate(withoutTerminal(withoutReadyAgain(recorded)), (d) => {
      // etcd-1's first entry after the round-2 node-down: its previous state is from before the marker.
      const first = d.timeline.find((e) => isEtcd1(e) && e.t > 53134.6);
      if (!first || !isEtcd1(first)) throw new Error('no etcd-1 entry after node-down');
      first.pod.restartCount = 1;
    });
    expectFailure(resultOf(late, 'STS-AT-MOST-ONE'), `left the API while its node ${NODE} was down`);
  });

  it("a report from another node's kubelet does not end this node's outage", () => {
    const other = mutate(withoutTerminal(withoutReadyAgain(recorded)), (d) => {
      // etcd-0's kubelet on 10.200.2.1 reported Ready at t=57093.2 ms; put etcd-1's Ready-again on that node too.
      for (const e of oldEntries(d, 81_000, 83_000)) {
        e.pod.ready = true;
        e.pod.node = '10.200.2.1';
      }
    });
    expectFailure(resultOf(other, 'STS-AT-MOST-ONE'), `left the API while its node ${NODE} was down`);
  });

  it('still notes, not fails, a force deletion by the operator while the kubelet is silent', () => {
    const silent = withoutTerminal(withoutReadyAgain(recorded));
    const forced = mutate(silent, (d) => {
      const at = d.timeline.findIndex((e) => e.type === 'DELETED' && e.kind === 'Pod' && e.pod?.uid === OLD);
      const del = d.timeline[at] as TimelineEntry;
      d.timeline.splice(at, 0, { ...del, type: 'MARKER', marker: 'operator-force-delete', round: 2, pod: 'etcd-1', uid: OLD, node: NODE });
      d.timeline.forEach((e, i) => {
        e.seq = i + 1;
      });
    });
    const r = resultOf(forced, 'STS-AT-MOST-ONE');
    expect(r.status, r.message).to.equal('passed');
    expect(JSON.stringify(r.evidence)).to.include(`after the force deletion of uid ${OLD}`);
  });
});

describe('seed 4004: a kubelet-restart pod the taint-eviction controller deleted (STS-RECOVERY)', () => {
  it('passes the recorded run, judging etcd-1 like a node fault victim: its replacement Ready within the round, the cause in a note', () => {
    const r = resultOf(recorded, 'STS-RECOVERY');
    expect(r.status, r.message).to.equal('passed');
    expect(r.message).to.include(
      "4 replaced and Ready at the round's revision (1 of them a pod its kill was to keep, deleted by the node's taint eviction: etcd-1 (kubelet-restart; taint eviction on node 127.0.0.1))",
    );
    expect(r.message)
      .to.include('2 left running untouched')
      .and.include('no other pod was replaced')
      .and.not.include('those the node deleted');
    const row = r.evidence.find((e) => e.subject === 'pod etcd-1' && e.note?.startsWith('round 2'));
    expect(row?.observed)
      .to.include(`uid ${OLD} (kubelet-restart) was deleted by taint eviction on node ${NODE}`)
      .and.include('DisruptionTarget DeletionByTaintManager')
      .and.include(`replaced by uid ${NEW}, Ready at revision etcd-7f6bf8c58d 32877.5ms after the kubelet-restart`);
    expect(row?.note).to.include("its node stayed NotReady past the pod's toleration: judged as a node fault's victim");
  });

  it('passes on the TaintManagerEviction Event alone (an older recording without the condition)', () => {
    const eventOnly = mutate(recorded, (d) => {
      for (const e of d.timeline) if (isEtcd1(e)) delete e.pod.disruptionTarget;
    });
    const r = resultOf(eventOnly, 'STS-RECOVERY');
    expect(r.status, r.message).to.equal('passed');
    expect(JSON.stringify(r.evidence)).to.include('TaintManagerEviction Event');
  });

  it('still fails when the kubelet-restart pod is deleted with no taint eviction to explain it', () => {
    const unexplained = mutate(recorded, (d) => {
      for (const e of d.timeline) if (isEtcd1(e)) delete e.pod.disruptionTarget;
      d.timeline = d.timeline.filter((e) => !(e.type !== 'MARKER' && e.kind === 'Event' && e.event?.reason === 'TaintManagerEviction'));
    });
    expectFailure(
      resultOf(unexplained, 'STS-RECOVERY'),
      `etcd-1 (uid ${OLD}, kubelet-restart) was to be left running by the kubelet-restart but was deleted: terminating at t=77054.1ms`,
    );
  });

  it('passes when the eviction had already begun when the kill came (seed 4000 of a later soak: 2.6 s before a container-kill)', () => {
    // The kill marker of etcd-1 moved to just after the eviction's deletionTimestamp: the
    // kill found a pod already being deleted by its node's taint, which is not the kill's doing.
    const late = mutate(recorded, (d) => {
      const kill = d.timeline.find((e) => e.type === 'MARKER' && e.marker === 'kill' && e.round === 2 && e.pod === 'etcd-1');
      const terminating = d.timeline.find((e) => isEtcd1(e) && e.pod.uid === OLD && !!e.pod.deletionTimestamp);
      if (!kill || !terminating) throw new Error('the fixture no longer has the kill or the termination');
      Object.assign(kill, { seq: terminating.seq + 0.5, t: terminating.t + 1, wall: terminating.wall + 1 });
    });
    const r = resultOf(late, 'STS-RECOVERY');
    expect(r.status, r.message).to.equal('passed');
    const row = r.evidence.find((e) => e.subject === 'pod etcd-1' && e.note?.startsWith('round 2'));
    expect(row?.observed).to.include(`uid ${OLD} (kubelet-restart) was deleted by taint eviction on node ${NODE}`);
  });

  it('fails when the evicted pod’s replacement is Ready later than the timeout allows', () => {
    const tight = mutate(recorded, (d) => {
      d.limits = { recoveryTimeoutMs: 30_000 };
    });
    expectFailure(
      resultOf(tight, 'STS-RECOVERY'),
      "etcd-1's replacement became Ready 32877.5ms after the kubelet-restart",
      'over the 30000ms timeout',
    );
  });

  it('fails when the evicted pod has no Ready replacement before the round ended', () => {
    const stuck = mutate(recorded, (d) => {
      for (const e of d.timeline) if (isEtcd1(e) && e.pod.uid === NEW) e.pod.ready = false;
    });
    expectFailure(
      resultOf(stuck, 'STS-RECOVERY'),
      `etcd-1 (uid ${OLD}) was deleted by taint eviction on node ${NODE}`,
      'during its kubelet-restart',
      `its replacement (uid ${NEW}) was never Running and Ready`,
    );
  });
});

describe('seed 4004: recovery timings of a taint-evicted kubelet-restart pod', () => {
  const round2 = recorded.rounds[1];
  const timings = (input: CheckInput) =>
    round2 ? recoveriesForRound(input.timeline, round2.plan, { start: round2.startedAt, end: round2.endedAt }) : [];

  it('times etcd-1 as replaced (recovered, kill to Ready 32877.5 ms) and says when it was evicted', () => {
    const etcd1 = timings(recorded).find((r) => r.pod === 'etcd-1');
    expect(etcd1).to.include({ expect: 'unaffected', recovered: true, taintEvictedMs: 25098.2, readyMs: 32877.5 });
    expect(timings(recorded).find((r) => r.pod === 'etcd-0'))
      .to.include({ recovered: true })
      .and.not.have.property('taintEvictedMs');
  });

  it('without the eviction, a kubelet-restart pod that was deleted is not recovered', () => {
    const unexplained = mutate(recorded, (d) => {
      for (const e of d.timeline) if (isEtcd1(e)) delete e.pod.disruptionTarget;
      d.timeline = d.timeline.filter((e) => !(e.type !== 'MARKER' && e.kind === 'Event' && e.event?.reason === 'TaintManagerEviction'));
    });
    const etcd1 = timings(unexplained).find((r) => r.pod === 'etcd-1');
    expect(etcd1).to.include({ recovered: false }).and.not.have.property('readyMs');
  });
});

describe('kubeletChange: what only a kubelet writes', () => {
  const running: PodState = { uid: 'u', phase: 'Running', ready: true, claims: {} };
  it('is not the node controller marking a pod NotReady, nor the taint-eviction controller', () => {
    expect(kubeletChange(running, { ...running, ready: false })).to.equal(undefined);
    expect(kubeletChange(running, { ...running, ready: false, disruptionTarget: 'DeletionByTaintManager' })).to.equal(undefined);
    expect(kubeletChange(running, { ...running, deletionTimestamp: '2026-12-06T18:43:00Z' })).to.equal(undefined);
  });
  it('is not pod GC marking a pod Failed before its force deletion', () => {
    expect(kubeletChange(running, { ...running, phase: 'Failed', disruptionTarget: 'DeletionByPodGC' })).to.equal(undefined);
  });
  it('is Ready turning True, Running, Succeeded, Failed, or a container restart', () => {
    expect(kubeletChange({ ...running, ready: false }, running)).to.equal('Ready');
    expect(kubeletChange({ ...running, phase: 'Pending', ready: false }, { ...running, ready: false })).to.equal('phase Running');
    expect(kubeletChange(running, { ...running, phase: 'Succeeded', ready: false })).to.equal('phase Succeeded');
    expect(kubeletChange(running, { ...running, phase: 'Failed', reason: 'Evicted' })).to.equal('phase Failed');
    expect(kubeletChange(running, { ...running, restartCount: 1 })).to.equal('restart count 1');
  });
});
