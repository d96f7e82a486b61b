// The node-fault adapters that need no cluster: --node-fault-command's substitution and
// quoting (run for real through sh, writing into a temp file), its failure report, and
// the flags that feed node-fault and kubelet-restart.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { reportedAndReady } from '../../../lib/chaos/disruptions/kubelet-restart.ts';
import { commandNodeFault } from '../../../lib/chaos/node-fault/adapter.ts';
import { parseRunArgs } from '../../../lib/cli/args.ts';
import { replayOf } from '../helpers/plan.ts';
import { ClusterError, UsageError } from '../../../lib/errors.ts';
import { recoveryByDisruption } from '../../../lib/report/stats.ts';
import type { PodState, TimelineEntry } from '../../../lib/timeline/entries.ts';
import { buildWorkload } from '../../../lib/workloads/index.ts';
import { expectFailure, resultOf } from '../helpers/assertions.ts';
import { buildWebInput, uidOf } from '../helpers/timeline-builder.ts';
import { insertBefore } from '../helpers/timeline-edit.ts';

describe('node-fault adapters', () => {
  let dir = '';
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'ordinal-node-fault-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('--node-fault-command runs with {action} and {node} substituted, the node shell-quoted', async () => {
    const out = path.join(dir, 'calls');
    const f = commandNodeFault(`printf '%s|%s\\n' {action} {node} >> ${out}`);
    await f.stop("worker-1; echo 'x'");
    await f.start('worker-2');
    expect(readFileSync(out, 'utf8')).to.equal("stop|worker-1; echo 'x'\nstart|worker-2\n");
  });

  it('a failing command is a ClusterError with its exit code and output', async () => {
    const f = commandNodeFault('echo cannot reach {node} >&2; exit 3');
    const err = await f.stop('n1').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(ClusterError);
    expect((err as ClusterError).message).to.include('exit 3');
    expect((err as ClusterError).detail).to.include('cannot reach n1');
  });
});

describe('node-fault flags', () => {
  it('--toleration-seconds (default 10) puts NoExecute tolerations for unreachable and not-ready nodes on the sample pods', () => {
    expect(parseRunArgs(['--seed', '1']).tolerationSeconds).to.equal(10);
    const a = parseRunArgs(['--seed', '1', '--toleration-seconds', '30', '--node-fault-command', 'ssh-node {action} {node}']);
    expect(a.nodeFaultCommand).to.equal('ssh-node {action} {node}');
    expect(replayOf(a)).to.include('--toleration-seconds 30').and.include("--node-fault-command 'ssh-node {action} {node}'");
    expect(() => parseRunArgs(['--toleration-seconds', '-1'])).to.throw(UsageError);
    const w = buildWorkload('web', { namespace: 'ns', runId: 'r', replicas: 1, image: 'busybox', claimSize: '1Mi', tolerationSeconds: 30 });
    const sts = w.objects[1];
    if (sts?.kind !== 'StatefulSet') throw new Error('no StatefulSet');
    expect(sts.spec?.template.spec?.tolerations).to.deep.equal(
      ['node.kubernetes.io/unreachable', 'node.kubernetes.io/not-ready'].map((key) => ({
        key,
        operator: 'Exists',
        effect: 'NoExecute',
        tolerationSeconds: 30,
      })),
    );
  });
});

describe('kubelet-restart (expects unaffected) in STS-RECOVERY and the recovery figures', () => {
  const scenario = {
    rounds: [
      [
        [1, 'delete'],
        [2, 'kubelet-restart'],
      ],
    ] as [number, 'delete' | 'kubelet-restart'][][],
  };
  const roundEnd = (e: { type: string; marker?: string }): boolean => e.type === 'MARKER' && e.marker === 'round-end';

  it('passes when the pod keeps its UID and restarts nothing, and counts it recovered without a Ready time', () => {
    const input = buildWebInput(scenario);
    const r = resultOf(input, 'STS-RECOVERY');
    expect(r.status, r.message).to.equal('passed');
    expect(r.message).to.include('1 left running untouched');
    expect(r.evidence.some((e) => e.subject === 'pod web-2' && /kept running through the kubelet-restart/.test(e.observed ?? ''))).to.equal(
      true,
    );
    const byKind = recoveryByDisruption(input.rounds);
    expect(byKind.find((d) => d.disruption === 'kubelet-restart')).to.deep.include({ killed: 1, recovered: 1, refused: 0 });
  });

  it('fails when a container restarted during the kubelet restart, naming the pod', () => {
    const input = insertBefore(buildWebInput(scenario), roundEnd, {
      type: 'MODIFIED',
      kind: 'Pod',
      name: 'web-2',
      resourceVersion: '9999',
      pod: { uid: uidOf('web-2', 0), phase: 'Running', ready: true, restartCount: 1, claims: { www: 'www-web-2' }, node: 'ordinal-worker' },
    });
    expectFailure(resultOf(input, 'STS-RECOVERY'), 'pod web-2', 'restarted its containers during the kubelet-restart');
  });

  it('fails when the pod was deleted', () => {
    const withChange = insertBefore(buildWebInput(scenario), roundEnd, {
      type: 'DELETED',
      kind: 'Pod',
      name: 'web-2',
      resourceVersion: '9998',
      pod: { uid: uidOf('web-2', 0), phase: 'Running', ready: false, claims: {} },
    });
    expectFailure(resultOf(withChange, 'STS-RECOVERY'), 'pod web-2', 'was to be left running by the kubelet-restart');
  });
});

describe('kubelet-restart settles: the restart is over once the kubelet has reported its pods again', () => {
  const entry = (seq: number, name: string, ready: boolean): TimelineEntry => ({
    seq,
    t: seq,
    wall: seq,
    type: 'MODIFIED',
    kind: 'Pod',
    name,
    resourceVersion: String(seq),
    pod: { uid: name, phase: 'Running', ready, claims: {} },
  });
  const state =
    (tl: TimelineEntry[]) =>
    (pod: string): PodState | undefined => {
      const e = tl.findLast((x) => x.type !== 'MARKER' && x.name === pod);
      return e?.type === 'MARKER' ? undefined : e?.pod;
    };

  it('waits through the NotReady blink a restarted kubelet reports (seen 0.5–1.4 s after it was back)', () => {
    // seq 10 is the node-up marker; web-0 and web-2 run on the node.
    const before = [entry(1, 'web-0', true), entry(2, 'web-2', true)];
    expect(reportedAndReady(before, ['web-0', 'web-2'], 10, state(before)), 'nothing reported since the restart').to.equal(false);
    const blink = [...before, entry(11, 'web-2', false), entry(12, 'web-0', false), entry(13, 'web-2', true)];
    expect(reportedAndReady(blink, ['web-0', 'web-2'], 10, state(blink)), 'web-0 still NotReady').to.equal(false);
    const settled = [...blink, entry(14, 'web-0', true)];
    expect(reportedAndReady(settled, ['web-0', 'web-2'], 10, state(settled))).to.equal(true);
  });

  it('a node with no pod of the StatefulSet is settled at once', () => {
    expect(reportedAndReady([], [], 10, () => undefined)).to.equal(true);
  });
});
