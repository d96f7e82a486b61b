// The built-in local cluster (cluster/scripts): what `ordinal run`, the suites and the
// integration tests use when no cluster is configured, so the README's two commands
// work on a fresh machine. Starting it is cluster/scripts/up.sh's job (idempotent; the
// first time it builds Kubernetes from source); this module only decides whether it
// can be used, runs up.sh with its progress on our stdout/stderr, and bounds the wait.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ClusterError } from '../errors.ts';
import { TIMEOUTS } from '../timeouts.ts';

/** Where up.sh writes the kubeconfig (cluster/scripts/lib.sh: $ORDINAL_STATE/kubeconfig). */
export function localKubeconfigPath(): string {
  return path.join(process.env.ORDINAL_STATE ?? '/var/lib/ordinal-cluster', 'kubeconfig');
}

/**
 * cluster/scripts of this copy of Ordinal, or undefined when it is not shipped (an
 * installed package or the container image carry only the built JavaScript). Looked up
 * from this module's own location: lib/cluster/ in a clone, dist/lib/cluster/ in a build.
 */
export function localClusterScripts(): string | undefined {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 3; i++) {
    dir = path.dirname(dir);
    const scripts = path.join(dir, 'cluster', 'scripts');
    if (existsSync(path.join(scripts, 'up.sh'))) return scripts;
  }
  return undefined;
}

/**
 * Whether this process may start the local cluster: Linux, root (up.sh starts containerd
 * and the kubelet and changes the host's network) and the scripts at hand. On any other
 * machine the caller keeps today's "kubeconfig not found" error.
 */
export function canStartLocalCluster(): boolean {
  return process.platform === 'linux' && process.getuid?.() === 0 && localClusterScripts() !== undefined;
}

/** A cold start builds Kubernetes (~9 min on 2 cores); this bounds a wedged build or start. */

/**
 * Runs `cluster/scripts/up.sh` (build if needed, start, repair) with its progress lines
 * on this process's stdout and stderr, and returns the kubeconfig it wrote. Rejects with
 * a ClusterError (exit 2) when up.sh fails or runs past the timeout.
 */
export async function startLocalCluster(timeoutMs: number = TIMEOUTS.localClusterUp): Promise<string> {
  const scripts = localClusterScripts();
  if (!scripts)
    throw new ClusterError('the built-in local cluster is not part of this installation (cluster/scripts is missing); pass --kubeconfig');
  const child = spawn('bash', [path.join(scripts, 'up.sh')], { stdio: ['ignore', 'inherit', 'inherit'] });
  const started = performance.now();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGTERM');
  }, timeoutMs);
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (c) => resolve(c));
  }).finally(() => clearTimeout(timer));
  const secs = ((performance.now() - started) / 1000).toFixed(0);
  if (timedOut)
    throw new ClusterError(
      `the local cluster did not come up within ${timeoutMs / 60_000} min (cluster/scripts/up.sh stopped after ${secs}s); see its output above and the logs in /var/lib/ordinal-cluster/logs`,
    );
  if (code !== 0)
    throw new ClusterError(`the local cluster could not start (cluster/scripts/up.sh exited ${code} after ${secs}s; its output is above)`);
  const kubeconfig = localKubeconfigPath();
  if (!existsSync(kubeconfig)) throw new ClusterError(`cluster/scripts/up.sh succeeded but wrote no kubeconfig at ${kubeconfig}`);
  return kubeconfig;
}
