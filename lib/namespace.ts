// A run owns exactly the namespaces it creates: labelled with its run ID, deleted on
// every exit path. `cleanup` finds leftovers by that label, never by a name guess.
import type { Cluster } from './cluster.ts';
import { ClusterError, describeError, httpStatus } from './errors.ts';
import { retryTransient } from './retry.ts';
import { MANAGED_BY, RUN_LABEL } from './workloads/common.ts';

export const OWNER_SELECTOR = `app.kubernetes.io/managed-by=ordinal,${RUN_LABEL}`;

/**
 * Pod Security enforced on every run namespace, so nothing there runs privileged, with
 * hostPath or in a host namespace (examples/rbac.yaml requires it of the harness token).
 * Baseline, not restricted: the sample workloads run as root on the default local
 * volumes, which ignore fsGroup (docs/rbac.md).
 */
export const POD_SECURITY = { 'pod-security.kubernetes.io/enforce': 'baseline' } as const;

export async function createRunNamespace(cluster: Cluster, name: string, runId: string): Promise<void> {
  try {
    await cluster.core.createNamespace({
      body: { metadata: { name, labels: { ...MANAGED_BY, [RUN_LABEL]: runId, ...POD_SECURITY } } },
    });
  } catch (err) {
    throw new ClusterError(`cannot create namespace ${name}: ${describeError(err)}`);
  }
}

/**
 * Deletes a namespace only if it carries this run's label. Returns false if it was already
 * gone. Connection trouble (an API server restarting) is retried for up to `retryForMs`.
 */
export async function deleteRunNamespace(cluster: Cluster, name: string, runId: string, retryForMs = 0, log?: (l: string) => void): Promise<boolean> {
  try {
    return await retryTransient(async () => {
      const ns = await cluster.core.readNamespace({ name });
      if (ns.metadata?.labels?.[RUN_LABEL] !== runId) {
        throw new ClusterError(`refusing to delete namespace ${name}: it is not labelled ${RUN_LABEL}=${runId}`);
      }
      await cluster.core.deleteNamespace({ name });
      return true;
    }, { deadline: Date.now() + retryForMs, what: `deleting namespace ${name}`, ...(log ? { log } : {}) });
  } catch (err) {
    if (httpStatus(err) === 404) return false;
    throw err;
  }
}

const shellWord = (s: string): string => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

/** The exact command that removes a run's namespace later, with the same cluster flags. */
export function cleanupCommand(runId: string, o: { kubeconfig?: string | undefined; context?: string | undefined }): string {
  return ['ordinal', 'cleanup', '--run-id', runId, '--yes',
    ...(o.kubeconfig ? ['--kubeconfig', o.kubeconfig] : []), ...(o.context ? ['--context', o.context] : [])].map(shellWord).join(' ');
}

export interface LeftoverNamespace {
  name: string;
  runId: string;
  created: string;
  phase: string;
}

export async function findRunNamespaces(cluster: Cluster): Promise<LeftoverNamespace[]> {
  const list = await cluster.core.listNamespace({ labelSelector: OWNER_SELECTOR });
  return list.items.map((ns) => ({
    name: ns.metadata?.name ?? '',
    runId: ns.metadata?.labels?.[RUN_LABEL] ?? '',
    created: ns.metadata?.creationTimestamp ? new Date(ns.metadata.creationTimestamp).toISOString() : '',
    phase: ns.status?.phase ?? '',
  }));
}

/**
 * Makes `cleanup` run exactly once, whether the run ends normally, by error, or by
 * SIGINT/SIGTERM (then the process exits 130/143 after cleaning up). Call the
 * returned function on the normal paths; it also removes the signal handlers.
 */
export function onEveryExit(cleanup: () => Promise<void>, log: (s: string) => void): () => Promise<void> {
  let started: Promise<void> | undefined;
  const once = (): Promise<void> =>
    (started ??= cleanup().catch((e: unknown) => log(`cleanup failed: ${describeError(e)}`)));
  const handler = (signal: NodeJS.Signals): void => {
    log(`received ${signal}; deleting the run's namespace before exiting`);
    void once().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  // `on`, not `once`, and removed only after cleanup settled: a second Ctrl-C or a
  // SIGTERM during the final delete must wait for it, not kill the process first.
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return async () => {
    try {
      await once();
    } finally {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    }
  };
}
