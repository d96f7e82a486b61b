// The update phase on the real cluster, through the real CLI (lib/update/): a rolling
// update with a partition while pods are being killed, a rollback to the original
// ControllerRevision, and an OnDelete image update rolled by the harness's own deletes.
// Each asserts on the recorded timeline (timeline.json), not on log text.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import type { RunResult } from '../../lib/run/results-schema.ts';
import type { MarkerEntry, PodState, TimelineEntry } from '../../lib/timeline/entries.ts';
import { ROOT, runCli, runIdOf, tempDir, type CliResult } from './helpers.ts';

const show = (r: CliResult): string =>
  `exit ${r.code} after ${(r.ms / 1000).toFixed(1)}s\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;
const BASE = ['--timeout', '120', '--dns-budget', '10', '--traffic', 'off'];
const MANIFEST = path.join(ROOT, 'test', 'fixtures', 'byo', 'httpd-two-claims.yaml');

interface Recorded {
  res: RunResult;
  timeline: TimelineEntry[];
  markers: MarkerEntry[];
}

async function run(reportDir: string, args: string[], exit: 0 | 1 = 0): Promise<Recorded & { r: CliResult }> {
  const replicas = args.includes('--manifest') ? [] : ['--replicas', '3'];
  const r = await runCli(['run', ...BASE, ...replicas, ...args, '--report-dir', reportDir], { killAfterMs: 240_000 });
  expect(r.code, show(r)).to.equal(exit);
  const dir = path.join(reportDir, runIdOf(r.stdout));
  const res = JSON.parse(readFileSync(path.join(dir, 'results.json'), 'utf8')) as RunResult;
  const timeline = (JSON.parse(readFileSync(path.join(dir, 'timeline.json'), 'utf8')) as { timeline: TimelineEntry[] }).timeline;
  if (exit === 0) expect(res.summary, show(r)).to.include({ failed: 0, error: 0 });
  return { r, res, timeline, markers: timeline.filter((e): e is MarkerEntry => e.type === 'MARKER') };
}

const marker = <N extends MarkerEntry['marker']>(m: MarkerEntry[], name: N, step?: string): Extract<MarkerEntry, { marker: N }> => {
  const found = m.find((e) => e.marker === name && (step === undefined || (e as { step?: string }).step === step));
  if (!found) throw new Error(`no ${name}${step ? ` (${step})` : ''} marker`);
  return found as Extract<MarkerEntry, { marker: N }>;
};

/** Each pod's last state before the `after` marker. */
function lastPods(timeline: TimelineEntry[], before: number): Map<string, PodState> {
  const pods = new Map<string, PodState>();
  for (const e of timeline) {
    if (e.seq >= before) break;
    if (e.type !== 'MARKER' && e.kind === 'Pod' && e.pod) e.type === 'DELETED' ? pods.delete(e.name) : pods.set(e.name, e.pod);
  }
  return pods;
}

/** Pod entries (name, revision, t) after `from` and before `to` (seq). */
const podEntries = (timeline: TimelineEntry[], from: number, to: number) =>
  timeline.flatMap((e) =>
    e.type !== 'MARKER' && e.kind === 'Pod' && e.pod && e.seq > from && e.seq < to
      ? [{ type: e.type, name: e.name, uid: e.pod.uid, revision: e.pod.revision, t: e.t, seq: e.seq }]
      : [],
  );

describe('update phase (integration, real cluster)', () => {
  const reportDir = tempDir('update-reports');

  it('--update template, RollingUpdate partition 1, kills during the update: converges, web-0 stays at the old revision even when recreated, markers in order', async function () {
    this.timeout(240_000);
    // Seed 42's round 1 kills web-0 (below the partition) and web-1, sequentially.
    const { res, timeline, markers } = await run(reportDir, ['--update', 'template', '--partition', '1', '--rounds', '1', '--seed', '42']);
    expect(res.options.update).to.deep.equal({ mode: 'template', round: 1, chosenBy: 'flag' });
    const names = markers.map((m) => m.marker).filter((n) => n.startsWith('update-') || n.startsWith('round-') || n === 'after');
    expect(names).to.deep.equal(['update-start', 'update-revision', 'round-start', 'update-complete', 'round-end', 'after']);
    const start = marker(markers, 'update-start');
    const to = marker(markers, 'update-revision').to;
    const complete = marker(markers, 'update-complete');
    expect(start).to.deep.include({ step: 'forward', mode: 'template', strategy: 'RollingUpdate', partition: 1 });
    expect(to).to.not.equal(start.from);
    expect(complete.converged).to.equal(true);
    expect(marker(markers, 'round-start')).to.deep.include({ revision: to, revisions: { 'web-0': start.from } });
    // The kills went out while the update rolled: after update-start, before update-complete,
    // and before the controller had brought every updated ordinal to the new revision.
    const kills = markers.filter((m) => m.marker === 'kill');
    expect(kills.map((k) => (k as { pod: string }).pod)).to.include('web-0');
    for (const k of kills) expect(k.seq).to.be.within(start.seq, complete.seq);
    const rolled = podEntries(timeline, start.seq, complete.seq).filter((e) => e.type === 'ADDED' && e.revision === to);
    expect(rolled.length, 'pods recreated at the new revision').to.be.greaterThan(0);
    expect(Math.max(...rolled.map((e) => e.seq)), 'the update was still rolling when the first kill went out').to.be.greaterThan(
      kills[0]?.seq ?? 0,
    );
    // web-0: killed and recreated during the update, always at the old revision.
    const web0 = podEntries(timeline, start.seq, complete.seq).filter((e) => e.name === 'web-0');
    expect(new Set(web0.map((e) => e.uid)).size, 'web-0 was recreated').to.be.greaterThan(1);
    for (const e of web0) expect(e.revision, `web-0 at t=${e.t}ms`).to.equal(start.from);
    const end = lastPods(timeline, marker(markers, 'after').seq);
    expect(end.get('web-0')?.revision).to.equal(start.from);
    expect(end.get('web-1')?.revision).to.equal(to);
    expect(end.get('web-2')?.revision).to.equal(to);
    expect(res.checks.find((c) => c.id === 'STS-RECOVERY')?.status).to.equal('passed');
  });

  it('--update template with container-kill of web-2, the first pod the update replaces: the kill waits for the new pod to run and restarts it in place', async function () {
    this.timeout(240_000);
    // Seed 6's round 1 is one container-kill of web-2. The controller replaces web-2 first, so
    // the kill must aim at the replacement once it runs: sent at a pod still being created,
    // the exec found no container and the run waited for a restart until its timeout.
    const chaos = ['--chaos', 'container-kill,node-fault'];
    const { res, markers } = await run(reportDir, ['--update', 'template', ...chaos, '--rounds', '1', '--seed', '6']);
    const kill = markers.find((m) => m.marker === 'kill') as Extract<MarkerEntry, { marker: 'kill' }> | undefined;
    expect(kill, 'a kill marker').to.deep.include({ pod: 'web-2', action: 'container-kill' });
    const to = marker(markers, 'update-revision').to;
    expect(kill?.seq, 'aimed after the update began').to.be.greaterThan(marker(markers, 'update-start').seq);
    const recovery = res.rounds[0]?.recoveries.find((r) => r.pod === 'web-2');
    expect(recovery, JSON.stringify(res.rounds[0]?.recoveries)).to.not.equal(undefined);
    expect(res.checks.find((c) => c.id === 'STS-RECOVERY')?.status).to.equal('passed');
    expect(res.checks.find((c) => c.id === 'STS-UPDATE-PARTITION')?.message).to.include(to);
  });

  it("--update rollback over 2 rounds with partition 1: the rollback step's revision is the original one, web-0 never leaves it, every pod ends there", async function () {
    this.timeout(240_000);
    const { res, timeline, markers } = await run(reportDir, ['--update', 'rollback', '--partition', '1', '--rounds', '2', '--seed', '7']);
    const forward = marker(markers, 'update-start', 'forward');
    const rollback = marker(markers, 'update-start', 'rollback');
    const forwardTo = marker(markers, 'update-revision', 'forward').to;
    expect(forwardTo).to.not.equal(forward.from);
    // Below the partition the revision is still the original (status.currentRevision never advanced).
    expect(rollback).to.deep.include({ from: forward.from, partition: 1 });
    for (const e of podEntries(timeline, forward.seq, marker(markers, 'after').seq).filter((x) => x.name === 'web-0'))
      expect(e.revision, `web-0 at t=${e.t}ms`).to.equal(forward.from);
    const web2 = podEntries(timeline, forward.seq, rollback.seq).filter((x) => x.name === 'web-2' && x.revision === forwardTo);
    expect(web2.length, 'web-2 ran the forward revision before the rollback').to.be.greaterThan(0);
    expect(marker(markers, 'update-revision', 'rollback').to, 'the controller reused the original ControllerRevision').to.equal(
      forward.from,
    );
    for (const step of ['forward', 'rollback']) expect(marker(markers, 'update-complete', step).converged, step).to.equal(true);
    // The rollback opens round 2: its kills land on the rollback.
    const round2 = markers.find((m) => m.marker === 'round-start' && m.round === 2);
    expect(rollback.seq).to.be.lessThan(round2?.seq ?? 0);
    const end = lastPods(timeline, marker(markers, 'after').seq);
    expect([...end.values()].map((p) => p.revision)).to.deep.equal([forward.from, forward.from, forward.from]);
    expect(res.options.update).to.deep.include({ mode: 'rollback', round: 1 });
  });

  it('--update rollback with OnDelete in the last round: the rollback follows in the same round, operator deletes in both steps, every pod ends at the original revision', async function () {
    this.timeout(240_000);
    const { res, timeline, markers } = await run(reportDir, [
      '--update',
      'rollback',
      '--update-strategy',
      'OnDelete',
      '--rounds',
      '1',
      '--seed',
      '7',
    ]);
    const forward = marker(markers, 'update-start', 'forward');
    const rollback = marker(markers, 'update-start', 'rollback');
    expect(marker(markers, 'update-complete', 'forward').seq).to.be.lessThan(rollback.seq);
    expect(rollback.seq).to.be.lessThan(marker(markers, 'round-end').seq);
    expect(marker(markers, 'update-revision', 'rollback').to).to.equal(forward.from);
    expect(marker(markers, 'update-complete', 'rollback').converged).to.equal(true);
    // No kill in the rollback step: every pod goes by the operator, highest first.
    const ops = markers.filter((m) => m.marker === 'operator-delete' && m.seq > rollback.seq).map((m) => (m as { pod: string }).pod);
    expect(ops).to.deep.equal(['web-2', 'web-1', 'web-0']);
    const end = lastPods(timeline, marker(markers, 'after').seq);
    expect([...end.values()].map((p) => p.revision)).to.deep.equal([forward.from, forward.from, forward.from]);
    expect(res.options.update).to.deep.include({ mode: 'rollback', round: 1 });
  });

  it('--update image with OnDelete: nothing changes by itself, the harness deletes the rest highest first, every pod ends on busybox:1.36.1', async function () {
    this.timeout(240_000);
    // Seed 7's round 1 kills web-0 and web-2: web-1 is left for the operator delete.
    const { timeline, markers } = await run(reportDir, [
      '--update',
      'image',
      '--update-strategy',
      'OnDelete',
      '--rounds',
      '1',
      '--seed',
      '7',
    ]);
    const start = marker(markers, 'update-start');
    const to = marker(markers, 'update-revision').to;
    expect(start).to.deep.include({ step: 'forward', mode: 'image', strategy: 'OnDelete', partition: 0 });
    const firstKill = markers.find((m) => m.marker === 'kill');
    // The hold: from the update until the first kill no pod changed revision or left.
    const hold = podEntries(timeline, start.seq, firstKill?.seq ?? 0);
    expect(
      hold.filter((e) => e.revision !== start.from || e.type !== 'MODIFIED'),
      'changes during the OnDelete hold',
    ).to.deep.equal([]);
    expect((firstKill?.t ?? 0) - start.t).to.be.greaterThan(4500);
    const deletes = markers.filter((m) => m.marker === 'operator-delete').map((m) => (m as { pod: string }).pod);
    expect(deletes).to.deep.equal(['web-1']);
    expect(marker(markers, 'update-complete').converged).to.equal(true);
    const end = lastPods(timeline, marker(markers, 'after').seq);
    expect([...end.values()].map((p) => p.revision)).to.deep.equal([to, to, to]);
    const pulled = timeline.some(
      (e) => e.type !== 'MARKER' && e.kind === 'Event' && e.event?.message.includes('docker.io/library/busybox:1.36.1'),
    );
    expect(pulled, 'an Event names the second busybox tag').to.equal(true);
  });

  it('--manifest with --update image: the run owns that StatefulSet, reads its image at run time and moves it to the second tag', async function () {
    this.timeout(240_000);
    const { markers, timeline, r } = await run(reportDir, ['--manifest', MANIFEST, '--update', 'image', '--rounds', '1', '--seed', '42']);
    const start = marker(markers, 'update-start');
    expect(start).to.deep.include({ step: 'forward', mode: 'image', strategy: 'RollingUpdate' });
    expect(r.stdout).to.include('image docker.io/library/busybox:1.35.0 -> docker.io/library/busybox:1.36.1');
    const to = marker(markers, 'update-revision').to;
    const end = lastPods(timeline, marker(markers, 'after').seq);
    expect(end.size).to.be.greaterThan(0);
    for (const [name, p] of end) expect(p.revision, name).to.equal(to);
  });

  it('an update that cannot roll (an image no node has) times out: update-complete says what was seen, the round did not converge, exit 1', async function () {
    this.timeout(240_000);
    const missing = 'docker.io/library/busybox:0.0.0-ordinal-missing';
    const { res, markers, r } = await run(
      reportDir,
      ['--update', 'image', '--update-image', missing, '--rounds', '1', '--seed', '42', '--timeout', '30'],
      1,
    );
    const complete = marker(markers, 'update-complete');
    expect(complete.converged).to.equal(false);
    expect(complete.aborted).to.match(/^timed out after 30s waiting for round 1 recovery and the update's forward step: /);
    // What was seen: the pods at the new revision cannot pull it (which ones exist depends on the kills: OrderedReady holds the rest).
    expect(complete.aborted).to.match(/; pods: .*web-\d Pending \((ErrImagePull|ImagePullBackOff)/);
    expect(complete.aborted).to.include(missing);
    expect(marker(markers, 'round-end').converged).to.equal(false);
    expect(complete.seq).to.be.lessThan(marker(markers, 'round-end').seq);
    expect(res.rounds[0]?.updates).to.deep.equal([
      { step: 'forward', startMs: marker(markers, 'update-start').t, endMs: complete.t, converged: false },
    ]);
    expect(res.checks.find((c) => c.id === 'STS-RECOVERY')?.status).to.equal('failed');
    expect(r.stdout).to.include('update forward did not complete: timed out after 30s');
  });
});
