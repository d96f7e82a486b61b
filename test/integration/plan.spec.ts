// The dry run prints exactly the plan the run then executes (lib/run/plan.ts planRun),
// for each subject: a sample, a --manifest and a --target, each with --chaos, a start
// ordinal and (where the subject allows one) an update. results.json holds the executed
// plan: every round's kills and the update as it happened. The --target run also shows
// that sentinel clean-up names the pods from spec.ordinals.start.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { describeRound } from '../../lib/chaos/plan.ts';
import type { Cluster } from '../../lib/cluster/cluster.ts';
import { execIn } from '../../lib/probes/exec.ts';
import type { RunResult } from '../../lib/run/results-schema.ts';
import { TARGET_FIXTURE, TARGET_STS, createTargetNamespace, deleteTargetNamespace } from './byo-helpers.ts';
import { type CliResult, connectTestCluster, runCli, runIdOf, tempDir, waitRunNamespacesGone } from './helpers.ts';

const show = (r: CliResult): string =>
  `exit ${r.code} after ${(r.ms / 1000).toFixed(1)}s\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;

/** The dry run's plan: its kill plan lines, its update line and its replay command. */
function dryPlan(stdout: string): { rounds: string[]; update: string; replay: string } {
  return {
    rounds: stdout.split('\n').filter((l) => /^round \d+ \(/.test(l)),
    update: /^# update: (.*)$/m.exec(stdout)?.[1] ?? '(no update line)',
    replay: /^# replay: (.*)$/m.exec(stdout)?.[1] ?? '(no replay line)',
  };
}

/** Runs `--dry-run` and then the run with the same flags; returns both and the run's results.json. */
async function dryThenRun(argv: string[]): Promise<{ dry: ReturnType<typeof dryPlan>; dryOut: CliResult; run: CliResult; res: RunResult }> {
  const dryOut = await runCli(['run', '--dry-run', ...argv, '--dns-budget', '20']);
  expect(dryOut.code, show(dryOut)).to.equal(0);
  const reports = tempDir('plan');
  const run = await runCli(['run', ...argv, '--dns-budget', '20', '--report-dir', reports]);
  expect(run.code, show(run)).to.equal(0);
  const res = JSON.parse(readFileSync(path.join(reports, runIdOf(run.stdout), 'results.json'), 'utf8')) as RunResult;
  return { dry: dryPlan(dryOut.stdout), dryOut, run, res };
}

/** The dry run's plan equals the executed one: every round's kills, the update and the replay command. */
function expectSamePlan(d: Awaited<ReturnType<typeof dryThenRun>>, rounds: number): void {
  const { dry, res } = d;
  expect(
    res.rounds.map((r) => r.converged),
    show(d.run),
  ).to.deep.equal(Array(rounds).fill(true));
  expect(dry.rounds, 'the kill plan').to.deep.equal(res.rounds.map((r) => describeRound(r.plan)));
  const u = res.options.update;
  expect(u, 'results.json records the update').not.to.equal(undefined);
  if (u?.mode === 'none') expect(dry.update).to.match(/^none \(/);
  else expect(dry.update, 'the update and its round').to.match(new RegExp(`^${u?.mode} at the start of round ${u?.round} \\(`));
  expect(dry.replay, 'the replay command').to.equal(res.replay);
}

describe('the dry run prints the plan the run executes (integration, real cluster)', function () {
  this.timeout(600_000);
  let cluster: Cluster;
  before(async function () {
    cluster = await connectTestCluster();
  });

  it('a sample with --chaos, --start-ordinal 2 and --update template', async function () {
    // Not container-kill with an update: a kill aimed at a pod the update is replacing can miss it (see the report).
    const d = await dryThenRun([
      '--seed',
      '21',
      '--rounds',
      '2',
      '--chaos',
      'force-delete',
      '--start-ordinal',
      '2',
      '--update',
      'template',
      '--traffic',
      'off',
    ]);
    expectSamePlan(d, 2);
    expect(d.res.options.update).to.deep.include({ mode: 'template' });
    expect(d.dry.rounds.join('\n'))
      .to.match(/web-[234] \(force-delete\)/)
      .and.not.match(/web-[01] |\(delete\)/);
    await waitRunNamespacesGone(cluster, runIdOf(d.run.stdout));
  });

  it('a --manifest with spec.ordinals.start 3, --chaos and --update template', async function () {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ordinal-plan-manifest-'));
    const manifest = path.join(dir, 'store.yaml');
    writeFileSync(manifest, readFileSync(TARGET_FIXTURE, 'utf8').replace('  replicas: 2\n', '  replicas: 2\n  ordinals:\n    start: 3\n'));
    const d = await dryThenRun(['--manifest', manifest, '--seed', '5', '--rounds', '2', '--chaos', 'force-delete', '--update', 'template']);
    expectSamePlan(d, 2);
    expect(d.res.options.update).to.deep.include({ mode: 'template' });
    expect(d.dry.rounds.join('\n'))
      .to.match(/store-[34] \(force-delete\)/)
      .and.not.match(/store-[012] |\(delete\)/);
    await waitRunNamespacesGone(cluster, runIdOf(d.run.stdout));
  });

  describe('a --target with spec.ordinals.start 3', function () {
    const ns = `plan-target-${Date.now().toString(36)}`;
    before(async function () {
      await createTargetNamespace(cluster, ns, true, 3);
    });
    after(async function () {
      if (cluster) await deleteTargetNamespace(cluster, ns);
    });

    it("runs the dry run's plan and takes its sentinels out of store-3 and store-4, the pods it wrote them into", async function () {
      const d = await dryThenRun(['--target', `${ns}/${TARGET_STS}`, '--seed', '9', '--rounds', '2', '--chaos', 'delete,container-kill']);
      expectSamePlan(d, 2);
      expect(d.dryOut.stdout)
        .to.match(/^pod store-3: /m)
        .and.match(/^pod store-4: /m);
      expect(d.dryOut.stdout).not.to.match(/^pod store-[01]: /m);
      expect(d.run.stdout).to.include('removed the sentinel from store-3').and.include('removed the sentinel from store-4');
      expect(d.run.stdout).not.to.include('could not remove the sentinel');
      for (const pod of ['store-3', 'store-4']) {
        const ls = await execIn(cluster, ns, pod, 'store', ['ls', '-A', '/var/lib/store']);
        expect(ls.stdout.trim(), `${pod}: the sentinel was removed`).to.equal('');
      }
    });
  });
});
