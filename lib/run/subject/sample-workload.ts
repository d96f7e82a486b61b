// A sample's objects as the run creates them, from the options alone (no I/O and no
// Kubernetes client: `run --dry-run` prints them without a cluster).
import { resolvePdb, withPdb } from '../../chaos/pdb.ts';
import { runNamespace } from '../../names.ts';
import type { Workload } from '../../workloads/common.ts';
import { buildWorkload } from '../../workloads/index.ts';
import { pickStsOptions } from '../../workloads/sts-options.ts';
import type { RunOptions } from '../options.ts';

type SampleOptions = Pick<
  RunOptions,
  'workload' | 'replicas' | 'image' | 'storageClass' | 'claimSize' | 'tolerationSeconds' | 'chaos' | 'pdb' | 'sentinel'
> &
  Parameters<typeof pickStsOptions>[0];

/** The sample's objects as the run would create them (no I/O: `run --dry-run` prints them). */
export function sampleWorkload(o: SampleOptions, runId: string, storageClass: string | undefined): Workload {
  const w = withPdb(
    buildWorkload(o.workload, {
      namespace: runNamespace(runId),
      runId,
      replicas: o.replicas,
      image: o.image,
      claimSize: o.claimSize,
      sts: pickStsOptions(o),
      ...(storageClass ? { storageClass } : {}),
      tolerationSeconds: o.tolerationSeconds,
    }),
    resolvePdb(o.chaos, o.pdb),
  );
  if (o.sentinel === 'off') w.sentinelSkip = 'the sentinel is off (--sentinel off): nothing is written into the volumes';
  return w;
}
