// Shared by the integration specs that drive the real CLI and the real cluster:
// run `bin/ordinal.js` as a child process, find a run's namespaces by label, and wait
// (bounded) for them to be gone. Nothing here talks to an address off this machine.
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { connect, type Cluster } from '../../lib/cluster/cluster.ts';
import { describeError } from '../../lib/errors.ts';
import { RUN_LABEL } from '../../lib/workloads/common.ts';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const BIN = path.join(ROOT, 'bin', 'ordinal.js');
/** The local cluster's main node (control plane, CoreDNS); extra nodes are 10.200.I.1 (cluster/scripts/lib.sh). */
export const LOCAL_MAIN_NODE = '127.0.0.1';
const NODE_SH = path.join(ROOT, 'cluster', 'scripts', 'node.sh');

/** cluster/scripts/node.sh VERB NODE (a local cluster node fault); never rejects: exit code and output. */
export function nodeScript(verb: string, node: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile('bash', [NODE_SH, verb, node], { timeout: 180_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 2) : 0;
      resolve({ code, output: `${stdout}${stderr}`.trim() });
    });
  });
}
// test/setup/cluster.ts records why it could not bring the local cluster up.
const setupError = process.env.ORDINAL_TEST_CLUSTER_ERROR;
export const NO_CLUSTER = `no cluster: run \`npm run cluster:up\` and export KUBECONFIG${setupError ? ` (test set-up: ${setupError})` : ''}`;

/** The cluster in KUBECONFIG, or an error that says how to get one. */
export async function connectTestCluster(): Promise<Cluster> {
  if (!process.env.KUBECONFIG) throw new Error(`${NO_CLUSTER} (KUBECONFIG is not set)`);
  try {
    return await connect({ timeoutMs: 10_000 });
  } catch (err) {
    throw new Error(`${NO_CLUSTER} (${describeError(err)})`);
  }
}

export function tempDir(prefix: string): string {
  return mkdtempSync(path.join(tmpdir(), `ordinal-${prefix}-`));
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

export interface CliOptions {
  env?: Record<string, string | undefined>;
  /**
   * Called with the stdout so far on every chunk; `signal` sends a signal to the child,
   * `hangUp` closes this end of its stdout and stderr, as a reader that went away would.
   */
  onStdout?: (soFar: string, signal: (s: NodeJS.Signals) => void, hangUp: () => void) => void;
  /** Kills the child (SIGKILL) if it is still running after this long. */
  killAfterMs?: number;
  /** Runs the child as this user (and group of the same number), e.g. 65534 for a non-root user. */
  uid?: number;
}

/** Runs `node bin/ordinal.js ...args` with the Node running mocha (Node 24, type stripping). */
export function runCli(cliArgs: string[], opts: CliOptions = {}): Promise<CliResult> {
  const started = performance.now();
  // A spec gets the update phase only when it asks for one (--update); the seed's default would change what it tests.
  const args =
    cliArgs[0] === 'run' && !cliArgs.some((a) => a === '--update' || a.startsWith('--update='))
      ? ['run', '--update', 'none', ...cliArgs.slice(1)]
      : cliArgs;
  const env: Record<string, string | undefined> = {
    ...process.env,
    PATH: `${path.join(ROOT, 'node_modules', '.bin')}:${process.env.PATH ?? ''}`,
    ...opts.env,
  };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
  const ids = opts.uid === undefined ? {} : { uid: opts.uid, gid: opts.uid };
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env, stdio: ['pipe', 'pipe', 'pipe'], ...ids });
  child.stdin.end(); // stdin is a pipe: never a TTY
  let stdout = '';
  let stderr = '';
  const signal = (s: NodeJS.Signals): void => void child.kill(s);
  const hangUp = (): void => {
    child.stdout.destroy();
    child.stderr.destroy();
  };
  child.stdout.setEncoding('utf8').on('data', (c: string) => {
    stdout += c;
    opts.onStdout?.(stdout, signal, hangUp);
  });
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const killer = setTimeout(() => child.kill('SIGKILL'), opts.killAfterMs ?? 300_000);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, sig) => {
      clearTimeout(killer);
      resolve({ code, signal: sig, stdout, stderr, ms: performance.now() - started });
    });
  });
}

/** The run ID from the CLI's "run <id>: ..." progress line. */
export function runIdOf(stdout: string): string {
  const m = /\] run (\S+): /.exec(stdout);
  if (!m?.[1]) throw new Error(`no "run <id>:" line in the CLI output:\n${stdout}`);
  return m[1];
}

export async function namespacesOfRun(cluster: Cluster, runId: string): Promise<{ name: string; phase: string }[]> {
  const list = await cluster.core.listNamespace({ labelSelector: `${RUN_LABEL}=${runId}` });
  return list.items.map((n) => ({ name: n.metadata?.name ?? '', phase: n.status?.phase ?? '' }));
}

export async function labelledNamespaces(cluster: Cluster): Promise<{ name: string; runId: string }[]> {
  const list = await cluster.core.listNamespace({ labelSelector: RUN_LABEL });
  return list.items.map((n) => ({ name: n.metadata?.name ?? '', runId: n.metadata?.labels?.[RUN_LABEL] ?? '' }));
}

/**
 * Resolves once no namespace carries `runId`'s label; rejects after `timeoutMs` with
 * what is left. Terminating does not count: deletion must actually finish.
 */
export async function waitRunNamespacesGone(cluster: Cluster, runId: string, timeoutMs = 60_000): Promise<number> {
  const started = performance.now();
  for (;;) {
    const left = await namespacesOfRun(cluster, runId);
    if (left.length === 0) return performance.now() - started;
    if (performance.now() - started > timeoutMs) {
      throw new Error(
        `namespaces of run ${runId} still there after ${timeoutMs / 1000}s: ${left.map((n) => `${n.name} (${n.phase})`).join(', ')}`,
      );
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}
