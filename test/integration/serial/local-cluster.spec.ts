// With no cluster configured (no --kubeconfig, no KUBECONFIG, no ~/.kube/config), the
// CLI uses the built-in local cluster when it may (root, scripts present) and says so;
// anything configured is used as given, even when it is wrong; a non-root user keeps the
// old "kubeconfig not found" error. The local cluster is up here (test/setup/cluster.ts),
// so this exercises the reuse path; starting it from down is what the fresh-machine
// runs in the "Measured" table (docs/measured.md) show.
import { chmodSync, existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { localKubeconfigPath } from '../../../lib/cluster/local.ts';
import { ROOT, runCli, tempDir, type CliResult } from '../helpers.ts';

/**
 * Lets `nobody` reach the checkout for the duration of `fn`: a clone made with
 * `mktemp -d` (as CI's may be) is 0700, and the CLI cannot even be loaded as another
 * user. Only directories on the path to the checkout that lack o+rx are changed, and
 * their modes are restored afterwards.
 */
async function readableByOthers<T>(fn: () => Promise<T>): Promise<T> {
  const changed: [string, number][] = [];
  try {
    for (let dir = ROOT; ; dir = path.dirname(dir)) {
      const mode = statSync(dir).mode & 0o7777;
      if ((mode & 0o005) !== 0o005) {
        chmodSync(dir, mode | 0o005);
        changed.push([dir, mode]);
      }
      if (path.dirname(dir) === dir) break;
    }
    return await fn();
  } finally {
    for (const [dir, mode] of changed) chmodSync(dir, mode);
  }
}

const show = (r: CliResult): string =>
  `exit ${r.code} after ${(r.ms / 1000).toFixed(1)}s\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;

describe('no cluster configured: the built-in local cluster (integration, local cluster)', function () {
  const home = tempDir('nokube-home'); // no .kube/config in it
  const nothingConfigured = { KUBECONFIG: undefined, HOME: home };

  before(function () {
    if (process.getuid?.() !== 0) throw new Error('these tests need root: the built-in local cluster is only used by root');
    if (!existsSync(localKubeconfigPath())) throw new Error(`the local cluster is not up (no ${localKubeconfigPath()})`);
  });

  it('`ordinal run` uses it and says so in its cluster line (exit 0)', async function () {
    this.timeout(180_000);
    const reports = tempDir('nokube-reports');
    const r = await runCli(['run', '--seed', '7', '--rounds', '1', '--report-dir', reports], { env: nothingConfigured });
    expect(r.code, show(r)).to.equal(0);
    expect(r.stdout).to.include(
      `; the built-in local cluster, kubeconfig ${localKubeconfigPath()} (nothing else configured)), storage class`,
    );
    // It was up: no start.
    expect(r.stdout + r.stderr).not.to.include('starting it with cluster/scripts/up.sh');
  });

  it('`ordinal cleanup` uses it too, without ever starting it', async function () {
    this.timeout(60_000);
    const r = await runCli(['cleanup', '--yes', '--run-id', 'no-such-run'], { env: nothingConfigured });
    expect(r.code, show(r)).to.equal(0);
    expect(r.stdout.trim()).to.equal('no namespaces from run no-such-run');
  });

  it('a KUBECONFIG that does not exist is an error (exit 2), never replaced by the local cluster', async function () {
    this.timeout(60_000);
    const missing = path.join(home, 'nope', 'kubeconfig');
    const r = await runCli(['run', '--seed', '7'], { env: { KUBECONFIG: missing, HOME: home } });
    expect(r.code, show(r)).to.equal(2);
    expect(r.stderr.trim()).to.equal(
      `ordinal: error: kubeconfig not found at ${missing}: pass --kubeconfig, set KUBECONFIG, or start the local cluster with 'npm run cluster:up'`,
    );
  });

  it('--context with nothing configured names ~/.kube/config instead of guessing a cluster (exit 2)', async function () {
    this.timeout(60_000);
    const r = await runCli(['run', '--seed', '7', '--context', 'prod'], { env: nothingConfigured });
    expect(r.code, show(r)).to.equal(2);
    expect(r.stderr).to.include(`kubeconfig not found at ${path.join(home, '.kube', 'config')}`);
  });

  it('not root and nothing configured: the same "kubeconfig not found" error as before (exit 2), no attempt to start anything', async function () {
    this.timeout(60_000);
    const userHome = tempDir('nokube-user-home');
    chmodSync(userHome, 0o777);
    // A report dir nobody may write to would be refused first (the checkout's reports/ is root's): give it one of its own.
    const reports = path.join(userHome, 'reports');
    const r = await readableByOthers(() =>
      runCli(['run', '--seed', '7', '--report-dir', reports], { env: { KUBECONFIG: undefined, HOME: userHome }, uid: 65534 }),
    );
    expect(r.code, show(r)).to.equal(2);
    expect(r.stderr.trim()).to.equal(
      `ordinal: error: kubeconfig not found at ${path.join(userHome, '.kube', 'config')}: pass --kubeconfig, set KUBECONFIG, or start the local cluster with 'npm run cluster:up'`,
    );
  });
});
