// The real CLI against the real cluster, as CI uses it: exit codes, report files,
// error messages, cleanup on every exit path (errors and signals), dry-run, cleanup.
// Needs KUBECONFIG pointing at the local cluster. Loopback addresses only.
import { existsSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { expect } from 'chai';
import { CHECKS } from '../../../lib/checks/catalog.ts';
import { connect, type Cluster } from '../../../lib/cluster/cluster.ts';
import { describeError } from '../../../lib/errors.ts';
import type { RunResult } from '../../../lib/run/results-schema.ts';
import {
  NO_CLUSTER,
  labelledNamespaces,
  namespacesOfRun,
  runCli,
  runIdOf,
  tempDir,
  waitRunNamespacesGone,
  type CliResult,
} from '../helpers.ts';

const KUBECONFIG = process.env.KUBECONFIG ?? '';
/** The seven guarantees of the mission; later additions to the catalog may be skipped for a workload. */
const CORE_CHECKS = [
  'STS-ORDER-CREATE',
  'STS-ORDER-RECREATE',
  'STS-IDENTITY',
  'STS-DNS-A',
  'STS-DNS-SRV',
  'STS-PVC-BINDING',
  'STS-DATA-SENTINEL',
];
const UNPULLABLE = '127.0.0.1:1/ordinal/missing:1'; // a closed loopback port: containerd's pull is refused locally

const show = (r: CliResult): string =>
  `exit ${r.code} (signal ${r.signal}) after ${(r.ms / 1000).toFixed(1)}s\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;
const stderrLines = (r: CliResult): string[] => r.stderr.split('\n').filter((l) => l.length > 0);

describe('ordinal CLI (integration, real cluster)', function () {
  let cluster: Cluster | undefined;
  const reportDir = tempDir('cli-reports');
  const c = (): Cluster => {
    if (!cluster) throw new Error(NO_CLUSTER);
    return cluster;
  };

  before(async function () {
    this.timeout(30_000);
    if (!KUBECONFIG) throw new Error(`${NO_CLUSTER} (KUBECONFIG is not set)`);
    try {
      cluster = await connect({ timeoutMs: 10_000 });
    } catch (err) {
      throw new Error(`${NO_CLUSTER} (${describeError(err)})`);
    }
  });

  function readResults(runId: string): RunResult {
    return JSON.parse(readFileSync(path.join(reportDir, runId, 'results.json'), 'utf8')) as RunResult;
  }

  it('run --seed 42 exits 0 and writes results.json, junit.xml and index.html under <report-dir>/<run-id>, with latest pointing there', async function () {
    this.timeout(300_000);
    const r = await runCli(['run', '--seed', '42', '--report-dir', reportDir]);
    expect(r.code, show(r)).to.equal(0);
    const runId = runIdOf(r.stdout);
    for (const f of ['results.json', 'junit.xml', 'index.html']) {
      expect(existsSync(path.join(reportDir, runId, f)), `${f} in ${reportDir}/${runId}`).to.equal(true);
    }
    expect(readlinkSync(path.join(reportDir, 'latest'))).to.equal(runId);
    // The history page of the report dir lists this run and links to its report.
    expect(readFileSync(path.join(reportDir, 'index.html'), 'utf8')).to.include(`href="./${runId}/index.html"`);
    const res = readResults(runId);
    expect(res.runId).to.equal(runId);
    expect(res.seed).to.equal(42);
    expect(res.replay).to.match(/(^| )--seed 42( |$)/);
    expect(res.error).to.equal(undefined);
    expect(res.checks.map((x) => x.id)).to.deep.equal(CHECKS.map((x) => x.id));
    const passed = res.checks.filter((x) => x.status === 'passed').map((x) => x.id);
    expect(passed).to.include.members(CORE_CHECKS);
    expect(res.summary.failed + res.summary.error, JSON.stringify(res.summary)).to.equal(0);
    expect(readFileSync(path.join(reportDir, runId, 'junit.xml'), 'utf8')).to.match(/^<\?xml[^>]*\?>\s*<testsuites/);
    await waitRunNamespacesGone(c(), runId);
  });

  it('run --workload primary-replica exits 0 with no failed or errored check', async function () {
    this.timeout(300_000);
    const r = await runCli(['run', '--workload', 'primary-replica', '--seed', '7', '--report-dir', reportDir]);
    expect(r.code, show(r)).to.equal(0);
    const res = readResults(runIdOf(r.stdout));
    expect(res.workload.kind).to.equal('primary-replica');
    expect(res.summary, JSON.stringify(res.checks.map((x) => [x.id, x.status]))).to.include({ failed: 0, error: 0 });
    expect(res.checks.filter((x) => x.status === 'passed').map((x) => x.id)).to.include.members(CORE_CHECKS);
  });

  it('a context that does not exist: exit 2, one stderr line naming it and the available contexts', async function () {
    const r = await runCli(['run', '--seed', '42', '--context', 'does-not-exist', '--report-dir', reportDir]);
    expect(r.code, show(r)).to.equal(2);
    const lines = stderrLines(r);
    expect(lines, show(r)).to.have.length(1);
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(KUBECONFIG);
    expect(lines[0]).to.include('"does-not-exist"');
    for (const ctx of kc.getContexts()) expect(lines[0]).to.include(ctx.name);
  });

  it('a kubeconfig file that does not exist: exit 2 naming the path', async function () {
    const missing = path.join(tempDir('nokc'), 'absent.yaml');
    const r = await runCli(['run', '--seed', '42', '--kubeconfig', missing, '--report-dir', reportDir]);
    expect(r.code, show(r)).to.equal(2);
    expect(stderrLines(r), show(r)).to.have.length(1);
    expect(r.stderr).to.include(missing);
  });

  it('an unreachable API server: exit 2 within 15 s, naming the server', async function () {
    this.timeout(30_000);
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(KUBECONFIG);
    const dead = { ...kc.getCurrentCluster()!, server: 'https://127.0.0.1:1' };
    kc.loadFromOptions({ clusters: [dead], users: kc.getUsers(), contexts: kc.getContexts(), currentContext: kc.getCurrentContext() });
    const file = path.join(tempDir('deadkc'), 'kubeconfig');
    writeFileSync(file, kc.exportConfig(), { mode: 0o600 });
    const r = await runCli(['run', '--seed', '42', '--kubeconfig', file, '--report-dir', reportDir], { killAfterMs: 25_000 });
    expect(r.code, show(r)).to.equal(2);
    expect(r.ms).to.be.below(15_000);
    expect(r.stderr).to.include('https://127.0.0.1:1');
  });

  it('a storage class that does not exist: exit 2 naming the available classes', async function () {
    this.timeout(30_000);
    const r = await runCli(['run', '--seed', '42', '--storage-class', 'nope', '--report-dir', reportDir]);
    expect(r.code, show(r)).to.equal(2);
    const classes = (await c().storage.listStorageClass()).items.map((s) => s.metadata?.name ?? '');
    expect(classes).to.not.be.empty;
    expect(r.stderr).to.include('"nope"');
    for (const name of classes) expect(r.stderr).to.include(name);
  });

  it('an image that cannot be pulled: exit 2 saying so, and no namespace of the run remains', async function () {
    this.timeout(150_000);
    const r = await runCli(['run', '--seed', '42', '--image', UNPULLABLE, '--timeout', '60', '--report-dir', reportDir]);
    expect(r.code, show(r)).to.equal(2);
    expect(r.stderr).to.include(`image ${UNPULLABLE} cannot be pulled`);
    expect(r.ms, 'fails fast on the pull error, not at --timeout').to.be.below(60_000);
    await waitRunNamespacesGone(c(), runIdOf(r.stdout));
  });

  for (const [sig, code] of [
    ['SIGTERM', 143],
    ['SIGINT', 130],
  ] as const) {
    it(`${sig} after the baseline: exit ${code} and the run's namespace is deleted`, async function () {
      this.timeout(240_000);
      let sent = false;
      let seenNamespace = false;
      const r = await runCli(['run', '--seed', '42', '--report-dir', reportDir], {
        onStdout: (out, signal) => {
          if (!sent && /\] baseline: /.test(out)) {
            sent = true;
            // The namespace must exist when the signal arrives, or "deleted" proves nothing.
            namespacesOfRun(c(), runIdOf(out))
              .then((ns) => {
                seenNamespace = ns.length === 1;
              })
              .finally(() => signal(sig));
          }
        },
      });
      expect(sent, show(r)).to.equal(true);
      expect(seenNamespace, 'the namespace existed when the signal was sent').to.equal(true);
      expect(r.code, show(r)).to.equal(code);
      expect(r.stdout).to.include(`received ${sig}`);
      await waitRunNamespacesGone(c(), runIdOf(r.stdout));
    });
  }

  it('SIGTERM after its reader went away (stdout and stderr closed, EPIPE on every write): the namespace is still deleted', async function () {
    this.timeout(240_000);
    let runId = '';
    const r = await runCli(['run', '--seed', '42', '--report-dir', reportDir], {
      onStdout: (out, signal, hangUp) => {
        if (runId || !/\] baseline: /.test(out)) return;
        runId = runIdOf(out);
        hangUp();
        // A moment for the run's next progress lines to meet the closed pipe first.
        setTimeout(() => signal('SIGTERM'), 2000);
      },
    });
    expect(runId, show(r)).to.not.equal('');
    // Seen: the process died of the unhandled EPIPE, its namespace and pods left behind.
    expect(r.code, show(r)).to.equal(143);
    await waitRunNamespacesGone(c(), runId);
  });

  it('run --dry-run prints the kill plan, creates no namespace, and the same seed prints the same plan', async function () {
    this.timeout(60_000);
    const before = await labelledNamespaces(c());
    const a = await runCli(['run', '--dry-run', '--seed', '42']);
    const b = await runCli(['run', '--dry-run', '--seed', '42']);
    const after = await labelledNamespaces(c());
    const other = await runCli(['run', '--dry-run', '--seed', '43']);
    for (const r of [a, b, other]) expect(r.code, show(r)).to.equal(0);
    const plan = (out: string): string => out.slice(out.indexOf('# kill plan'));
    expect(plan(a.stdout)).to.match(/# kill plan\nround 1 \((sequential|burst|reverse)\): web-\d \((delete|force-delete)\)/);
    expect(plan(a.stdout).trim().split('\n')).to.have.length(1 + 3);
    expect(plan(b.stdout)).to.equal(plan(a.stdout));
    expect(plan(other.stdout), 'a different seed gives a different plan').to.not.equal(plan(a.stdout));
    // Other users may start runs meanwhile, so the before/after difference is compared
    // by name: no namespace of these dry runs may exist or have appeared.
    const dryIds = [a, b].map((r) => /labelled ordinal\.dev\/run-id=(\S+)\)/.exec(r.stdout)?.[1] ?? '');
    expect(
      dryIds.every((x) => x.length > 0),
      a.stdout.slice(0, 300),
    ).to.equal(true);
    const added = after.filter((n) => !before.some((x) => x.name === n.name));
    expect(added.filter((n) => dryIds.includes(n.runId) || dryIds.some((id) => n.name === `ordinal-${id}`))).to.deep.equal([]);
    for (const id of dryIds) {
      const status = await c()
        .core.readNamespace({ name: `ordinal-${id}` })
        .then(
          () => 200,
          (e: { code?: number }) => e.code,
        );
      expect(status, `namespace ordinal-${id}`).to.equal(404);
    }
  });

  it('run --dry-run --kill-pattern burst plans every round as burst, kills what mixed kills, and replays with the pattern', async function () {
    this.timeout(60_000);
    const burst = await runCli(['run', '--dry-run', '--seed', '42', '--kill-pattern', 'burst']);
    const mixed = await runCli(['run', '--dry-run', '--seed', '42']);
    for (const r of [burst, mixed]) expect(r.code, show(r)).to.equal(0);
    const rounds = (out: string): string[] => out.slice(out.indexOf('# kill plan')).trim().split('\n').slice(1);
    expect(
      rounds(burst.stdout).every((l) => /^round \d+ \(burst\): /.test(l)),
      burst.stdout,
    ).to.equal(true);
    const pods = (l: string): string =>
      l
        .replace(/^round \d+ \(\w+\): /, '')
        .split(', ')
        .sort()
        .join(', ');
    expect(rounds(burst.stdout).map(pods)).to.deep.equal(rounds(mixed.stdout).map(pods));
    expect(burst.stdout).to.match(/# replay: .* --kill-pattern burst/);
    expect(mixed.stdout).to.not.include('--kill-pattern');
    const bad = await runCli(['run', '--dry-run', '--kill-pattern', 'zigzag']);
    expect(bad.code, show(bad)).to.equal(2);
    expect(bad.stderr).to.include('--kill-pattern must be one of sequential, burst, reverse, mixed, got "zigzag"');
  });

  it('checks lists every check ID of the catalog, one per line', async function () {
    const r = await runCli(['checks']);
    expect(r.code, show(r)).to.equal(0);
    const ids = r.stdout
      .trim()
      .split('\n')
      .map((l) => l.split(/\s+/)[0]);
    expect(ids).to.deep.equal(CHECKS.map((x) => x.id));
    expect(ids).to.include.members(CORE_CHECKS);
  });

  describe('cleanup', function () {
    let keptRun = '';

    before(async function () {
      this.timeout(180_000);
      const r = await runCli(['run', '--seed', '42', '--replicas', '1', '--rounds', '0', '--keep-namespace', '--report-dir', reportDir]);
      expect(r.code, show(r)).to.equal(0);
      keptRun = runIdOf(r.stdout);
      expect(await namespacesOfRun(c(), keptRun), '--keep-namespace left the namespace').to.have.length(1);
    });

    after(async function () {
      this.timeout(90_000);
      // If a test failed half-way, remove our leftover (and only ours).
      if (keptRun && (await namespacesOfRun(c(), keptRun)).length > 0) {
        await c()
          .core.deleteNamespace({ name: `ordinal-${keptRun}` })
          .catch(() => undefined);
        await waitRunNamespacesGone(c(), keptRun);
      }
    });

    it('without --yes on a non-TTY stdin: exit 2, lists the leftover, deletes nothing', async function () {
      this.timeout(30_000);
      const r = await runCli(['cleanup']);
      expect(r.code, show(r)).to.equal(2);
      expect(r.stdout).to.include(`ordinal-${keptRun}`);
      expect(r.stderr).to.include('--yes');
      expect(await namespacesOfRun(c(), keptRun)).to.have.length(1);
    });

    it('--yes deletes the labelled leftover namespace', async function () {
      this.timeout(150_000);
      // --run-id keeps other runs on a shared cluster out of it.
      const r = await runCli(['cleanup', '--yes', '--run-id', keptRun]);
      expect(r.code, show(r)).to.equal(0);
      expect(r.stdout).to.include(`deleted ordinal-${keptRun}`);
      await waitRunNamespacesGone(c(), keptRun);
    });
  });
});
