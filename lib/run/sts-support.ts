// Whether the cluster keeps the StatefulSet fields the run's options set. An API server
// silently drops a field whose feature gate is off (its registry strategy clears
// disabled fields on create), so the only honest test is to send the object with
// dryRun=All and read back what it would store. spec.updateStrategy.rollingUpdate
// .maxUnavailable (gate MaxUnavailableStatefulSet, alpha and off by default up to
// Kubernetes 1.34) is then left out with the reason recorded; a dropped field the
// checks depend on (ordinals.start, minReadySeconds, the claim retention policy) ends
// the run with exit 2 before anything is created.
import type { IStatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import type { Cluster } from '../cluster/cluster.ts';
import { ClusterError, describeError } from '../errors.ts';
import { retryTransient } from '../cluster/retry.ts';
import type { Workload } from '../workloads/common.ts';

interface Field {
  path: string;
  option: string;
  sent: (s: IStatefulSet) => unknown;
}

const FIELDS: Field[] = [
  { path: 'spec.ordinals.start', option: '--start-ordinal', sent: (s) => s.spec?.ordinals?.start },
  { path: 'spec.minReadySeconds', option: '--min-ready-seconds', sent: (s) => s.spec?.minReadySeconds },
  {
    path: 'spec.persistentVolumeClaimRetentionPolicy',
    option: '--pvc-retention',
    sent: (s) => s.spec?.persistentVolumeClaimRetentionPolicy,
  },
  {
    path: 'spec.updateStrategy.rollingUpdate.maxUnavailable',
    option: '--max-unavailable',
    sent: (s) => s.spec?.updateStrategy?.rollingUpdate?.maxUnavailable,
  },
];

const isDefault = (path: string, v: unknown): boolean =>
  v === undefined ||
  ((path === 'spec.ordinals.start' || path === 'spec.minReadySeconds') && v === 0) ||
  (path === 'spec.persistentVolumeClaimRetentionPolicy' && JSON.stringify(v) === '{"whenDeleted":"Retain","whenScaled":"Retain"}');

/** The options fields the API server would drop from `w`'s StatefulSet, comparing what was sent with the dry run's answer. */
export function droppedFields(sent: IStatefulSet, stored: IStatefulSet): Field[] {
  return FIELDS.filter((f) => !isDefault(f.path, f.sent(sent)) && JSON.stringify(f.sent(stored)) !== JSON.stringify(f.sent(sent)));
}

/**
 * Dry-runs the create of `w`'s StatefulSet in its (existing) namespace. Drops
 * maxUnavailable from `w` when the server would, recording why in w.info.optionsSkipped;
 * throws ClusterError for any other dropped field.
 */
export async function ensureStsSupport(cluster: Cluster, w: Workload, timeoutMs: number, log: (line: string) => void): Promise<void> {
  const sts = w.objects.find((o): o is IStatefulSet => o.kind === 'StatefulSet');
  if (!sts) return;
  const namespace = w.info.namespace;
  let stored: IStatefulSet;
  try {
    stored = (await retryTransient(() => cluster.apps.createNamespacedStatefulSet({ namespace, body: sts as never, dryRun: 'All' }), {
      deadline: Date.now() + timeoutMs,
      what: `dry-run create of StatefulSet ${w.info.statefulSet}`,
    })) as IStatefulSet;
  } catch (err) {
    throw new ClusterError(`the API server refuses StatefulSet ${w.info.statefulSet} with these options (dry run): ${describeError(err)}`);
  }
  for (const f of droppedFields(sts, stored)) {
    const value = JSON.stringify(f.sent(sts));
    const reason = `the API server (${cluster.version}) drops ${f.path} on a dry-run create: its feature gate is off on this cluster`;
    if (f.path !== 'spec.updateStrategy.rollingUpdate.maxUnavailable') {
      throw new ClusterError(`${f.option} ${value} cannot be tested here: ${reason}`);
    }
    const ru = sts.spec?.updateStrategy?.rollingUpdate;
    if (ru) delete ru.maxUnavailable;
    if (w.info.options) delete w.info.options.maxUnavailable;
    const gate = 'MaxUnavailableStatefulSet: alpha and off by default up to Kubernetes 1.34, beta and on from 1.35';
    w.info.optionsSkipped = [...(w.info.optionsSkipped ?? []), { option: f.option, value, reason: `${reason} (${gate})` }];
    log(`${f.option} ${value} skipped: ${reason} (${gate}); the StatefulSet is created without it`);
  }
}
