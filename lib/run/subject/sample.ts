// A sample subject: one of Ordinal's own workloads (lib/workloads/), built from the
// options, deployed into the run's namespace, with the PodDisruptionBudget the run owns.
import { type Cluster, clusterFacts } from '../../cluster/cluster.ts';
import { describeStsOptions, pickStsOptions } from '../../workloads/sts-options.ts';
import type { RunOptions } from '../options.ts';
import { deployWorkload } from '../rollout.ts';
import { RunNamespace } from './run-namespace.ts';
import { sampleWorkload } from './sample-workload.ts';
import type { Subject } from '../context.ts';

export async function sampleSubject(cluster: Cluster, o: RunOptions, runId: string): Promise<Subject> {
  const facts = await clusterFacts(cluster, o.storageClass, o.image);
  const workload = sampleWorkload(o, runId, facts.storageClass);
  const ns = new RunNamespace(workload.info.namespace);
  return {
    kind: 'sample',
    workload,
    facts,
    label: o.workload,
    header: [`StatefulSet options: ${describeStsOptions(pickStsOptions(o))}`],
    open: (ctx) => ns.open(ctx),
    openCanary: (ctx) => ns.openCanary(ctx),
    deploy: (ctx) => deployWorkload(ctx.cluster, workload),
    adapt: async () => {},
    claimSentinels: () => {},
    cleanUp: (ctx) => ns.cleanUp(ctx),
  };
}
