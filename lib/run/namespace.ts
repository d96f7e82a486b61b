// A run owns exactly the namespaces it creates: labelled with its run ID, deleted on
// every exit path. `cleanup` finds leftovers by that label, never by a name guess.
//
// Labels alone prove nothing: anyone can copy them onto `payments-prod`. So a namespace
// is deleted only when three things hold: its name is `ordinal-<run-id>` for the run ID
// of its label; it carries both labels; and a creation record, the ConfigMap `ordinal-run`
// written inside it right after creation, holds the namespace's own metadata.uid. The API server assigns that UID
// at creation, unique to this one object, and nobody knows it before the namespace exists:
// a namespace that was labelled later, or recreated under a run's name, or given a record
// copied from another run's namespace, carries another UID. Forging a record on purpose
// takes reading the UID and writing a ConfigMap there; with the example RBAC the harness
// token can write only in namespaces already named and labelled like a run.
// The delete itself carries the UID as a precondition, so it removes the object judged.
import type { V1Namespace } from '@kubernetes/client-node';
import type { Cluster } from '../cluster/cluster.ts';
import { ClusterError, describeError, httpStatus } from '../errors.ts';
import { RECORD_NAME, runNamespace } from '../names.ts';
import { retryTransient } from '../cluster/retry.ts';
import { MANAGED_BY, RUN_LABEL } from '../workloads/common.ts';

/** The creation record inside each run namespace (see above). */
export { RECORD_NAME };
const RECORD_UID_KEY = 'namespace-uid';

export const OWNER_SELECTOR = `app.kubernetes.io/managed-by=ordinal,${RUN_LABEL}`;

/**
 * Pod Security enforced on every run namespace, so nothing there runs privileged, with
 * hostPath or in a host namespace (examples/rbac.yaml requires it of the harness token).
 * Baseline, not restricted: the sample workloads run as root on the default local
 * volumes, which ignore fsGroup (docs/rbac.md).
 */
export const POD_SECURITY = { 'pod-security.kubernetes.io/enforce': 'baseline' } as const;

export async function createRunNamespace(cluster: Cluster, name: string, runId: string): Promise<void> {
  let created: V1Namespace;
  try {
    created = await cluster.core.createNamespace({
      body: { metadata: { name, labels: { ...MANAGED_BY, [RUN_LABEL]: runId, ...POD_SECURITY } } },
    });
  } catch (err) {
    throw new ClusterError(`cannot create namespace ${name}: ${describeError(err)}`);
  }
  const uid = created.metadata?.uid ?? '';
  try {
    await cluster.core.createNamespacedConfigMap({
      namespace: name,
      body: {
        metadata: { name: RECORD_NAME, labels: { ...MANAGED_BY, [RUN_LABEL]: runId } },
        data: { [RECORD_UID_KEY]: uid, 'run-id': runId },
      },
    });
  } catch (err) {
    // Without its record nothing would ever delete it: take it back now, this very object.
    await cluster.core.deleteNamespace({ name, body: { preconditions: { uid } } }).catch(() => undefined);
    throw new ClusterError(`cannot write the creation record ConfigMap ${RECORD_NAME} in namespace ${name}: ${describeError(err)}`);
  }
}

/** Why `ns` is not named and labelled as run `runId`'s namespace, or undefined when it is. */
export function nameOrLabelProblem(ns: V1Namespace, runId: string): string | undefined {
  const labels = ns.metadata?.labels ?? {};
  if (runId === '') return `it has no ${RUN_LABEL} label`;
  if (ns.metadata?.name !== runNamespace(runId)) return `its name is not ${runNamespace(runId)}`;
  if (labels[RUN_LABEL] !== runId) return `it is not labelled ${RUN_LABEL}=${runId}`;
  if (labels['app.kubernetes.io/managed-by'] !== MANAGED_BY['app.kubernetes.io/managed-by'])
    return 'it is not labelled app.kubernetes.io/managed-by=ordinal';
  return undefined;
}

/** Why the creation record (the UID it holds; undefined: no record) does not prove `ns` is Ordinal's. */
export function recordProblem(ns: V1Namespace, recordUid: string | undefined): string | undefined {
  if (recordUid === undefined) return `it holds no creation record (ConfigMap ${RECORD_NAME})`;
  const uid = ns.metadata?.uid;
  if (!uid || recordUid !== uid)
    return `its creation record names namespace UID ${recordUid || '(none)'}, not its own ${uid ?? '(none)'}: not created by Ordinal`;
  return undefined;
}

async function readRecordUid(cluster: Cluster, namespace: string): Promise<string | undefined> {
  // list, not get: the example RBAC grants list on ConfigMaps (the canary's watch), not get.
  const l = await cluster.core.listNamespacedConfigMap({ namespace, fieldSelector: `metadata.name=${RECORD_NAME}` });
  const cm = l.items[0];
  return cm ? (cm.data?.[RECORD_UID_KEY] ?? '') : undefined;
}

/** Why `ns` is not a namespace Ordinal created for run `runId`, or undefined when it is. */
export async function ownershipProblem(cluster: Cluster, ns: V1Namespace, runId: string): Promise<string | undefined> {
  // The record is read only from a namespace already named and labelled like this run.
  return nameOrLabelProblem(ns, runId) ?? recordProblem(ns, await readRecordUid(cluster, ns.metadata?.name ?? ''));
}

/**
 * Deletes a namespace only if Ordinal created it for run `runId` (see the header).
 * Returns false if it was already gone. Connection trouble (an API server restarting)
 * is retried for up to `retryForMs`.
 */
export async function deleteRunNamespace(
  cluster: Cluster,
  name: string,
  runId: string,
  retryForMs = 0,
  log?: (l: string) => void,
): Promise<boolean> {
  try {
    return await retryTransient(
      async () => {
        const ns = await cluster.core.readNamespace({ name });
        const problem = await ownershipProblem(cluster, ns, runId);
        if (problem) throw new ClusterError(`refusing to delete namespace ${name}: ${problem}`);
        await cluster.core.deleteNamespace({ name, body: { preconditions: { uid: ns.metadata?.uid ?? '' } } });
        return true;
      },
      { deadline: Date.now() + retryForMs, what: `deleting namespace ${name}`, ...(log ? { log } : {}) },
    );
  } catch (err) {
    if (httpStatus(err) === 404) return false;
    throw err;
  }
}

const shellWord = (s: string): string => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

/** The exact command that removes a run's namespace later, with the same cluster flags. */
export function cleanupCommand(runId: string, o: { kubeconfig?: string | undefined; context?: string | undefined }): string {
  return [
    'ordinal',
    'cleanup',
    '--run-id',
    runId,
    '--yes',
    ...(o.kubeconfig ? ['--kubeconfig', o.kubeconfig] : []),
    ...(o.context ? ['--context', o.context] : []),
  ]
    .map(shellWord)
    .join(' ');
}

export interface LeftoverNamespace {
  name: string;
  runId: string;
  created: string;
  phase: string;
  /** Why it carries the labels but is not Ordinal's (cleanup leaves it alone); undefined for a run's own. */
  notOurs?: string;
}

/** Every namespace labelled like a run, each judged by ownershipProblem. */
export async function findRunNamespaces(cluster: Cluster): Promise<LeftoverNamespace[]> {
  const list = await cluster.core.listNamespace({ labelSelector: OWNER_SELECTOR });
  return Promise.all(
    list.items.map(async (ns) => {
      const runId = ns.metadata?.labels?.[RUN_LABEL] ?? '';
      const problem = await ownershipProblem(cluster, ns, runId);
      return {
        name: ns.metadata?.name ?? '',
        runId,
        created: ns.metadata?.creationTimestamp ? new Date(ns.metadata.creationTimestamp).toISOString() : '',
        phase: ns.status?.phase ?? '',
        ...(problem ? { notOurs: problem } : {}),
      };
    }),
  );
}

/**
 * Makes `cleanup` run exactly once, whether the run ends normally, by error, or by
 * SIGINT/SIGTERM (then the process exits 130/143 after cleaning up). Call the
 * returned function on the normal paths; it also removes the signal handlers.
 */
export function onEveryExit(cleanup: () => Promise<void>, log: (s: string) => void): () => Promise<void> {
  let started: Promise<void> | undefined;
  const once = (): Promise<void> => (started ??= cleanup().catch((e: unknown) => log(`cleanup failed: ${describeError(e)}`)));
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
